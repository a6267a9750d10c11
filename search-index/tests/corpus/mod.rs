//! A deterministic corpus of Vietnamese administrative documents and a set of queries with
//! their relevant documents, for measuring ranking quality (tests/relevance.rs) and speed
//! (benches/scale.rs). No network, no randomness beyond a seeded generator.
//!
//! Relevance is decided from what the generator knows about each document (its topic, the
//! template its subject came from, year, agency, signer, number), never from the words a search
//! engine would match, so the judgments do not favour any engine.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use search_index::{IndexedDocument, SearchRequest, SortOrder};

/// splitmix64: small, fast and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn range(&mut self, low: u32, high_inclusive: u32) -> u32 {
        low + self.below((high_inclusive - low + 1) as usize) as u32
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

pub struct Agency {
    pub organ_id: &'static str,
    pub name: &'static str,
    /// Abbreviation used in notations (`QĐ-UBND`).
    pub abbr: &'static str,
    pub units: &'static [&'static str],
    pub signers: &'static [&'static str],
}

pub const TINH: usize = 0;
pub const SNV: usize = 1;
pub const STC: usize = 2;
pub const SGD: usize = 3;
pub const STNMT: usize = 4;
pub const HUYEN: usize = 5;
pub const HDND: usize = 6;

pub const AGENCIES: [Agency; 7] = [
    Agency {
        organ_id: "000.00.00.H19",
        name: "Ủy ban nhân dân tỉnh Đồng Nai",
        abbr: "UBND",
        units: &["VP", "KTN", "NC", "KGVX"],
        signers: &["Trần Văn Hải", "Lê Thị Hoà", "Phạm Minh Khoa"],
    },
    Agency {
        organ_id: "000.00.07.H19",
        name: "Sở Nội vụ",
        abbr: "SNV",
        units: &["VP", "CCHC", "TCBC"],
        signers: &["Nguyễn Thị Thúy", "Đặng Quốc Toản"],
    },
    Agency {
        organ_id: "000.00.09.H19",
        name: "Sở Tài chính",
        abbr: "STC",
        units: &["VP", "QLNS", "GCS"],
        signers: &["Huỳnh Văn Lộc", "Bùi Thị Ngọc Ánh"],
    },
    Agency {
        organ_id: "000.00.12.H19",
        name: "Sở Giáo dục và Đào tạo",
        abbr: "SGDĐT",
        units: &["VP", "GDTrH", "KTKĐ"],
        signers: &["Vũ Đức Thắng", "Ngô Thanh Tùng"],
    },
    Agency {
        organ_id: "000.00.15.H19",
        name: "Sở Tài nguyên và Môi trường",
        abbr: "STNMT",
        units: &["VP", "QLDD", "MT"],
        signers: &["Trương Công Thủy", "Đỗ Văn Bình"],
    },
    Agency {
        organ_id: "000.21.31.H19",
        name: "Ủy ban nhân dân huyện Long Thành",
        abbr: "UBND",
        units: &["VP", "TCKH", "LDTBXH", "NN"],
        signers: &["Lý Văn Nam", "Hồ Thị Mai"],
    },
    Agency {
        organ_id: "000.00.01.H19",
        name: "Hội đồng nhân dân tỉnh Đồng Nai",
        abbr: "HĐND",
        units: &["TT"],
        signers: &["Thái Bảo Long"],
    },
];

pub fn all_agency_ids() -> Vec<String> {
    AGENCIES.iter().map(|a| a.organ_id.to_string()).collect()
}

/// (code, name, abbreviation in the notation)
pub const TYPES: &[(&str, &str, &str)] = &[
    ("quyet_dinh", "Quyết định", "QĐ"),
    ("ke_hoach", "Kế hoạch", "KH"),
    ("cong_van", "Công văn", ""),
    ("bao_cao", "Báo cáo", "BC"),
    ("thong_bao", "Thông báo", "TB"),
    ("to_trinh", "Tờ trình", "TTr"),
    ("chi_thi", "Chỉ thị", "CT"),
    ("giay_moi", "Giấy mời", "GM"),
    ("huong_dan", "Hướng dẫn", "HD"),
    ("nghi_quyet", "Nghị quyết", "NQ"),
];

fn type_of(code: &str) -> (&'static str, &'static str, &'static str) {
    *TYPES
        .iter()
        .find(|t| t.0 == code)
        .unwrap_or_else(|| panic!("unknown type {code}"))
}

pub struct Template {
    pub tag: &'static str,
    pub type_code: &'static str,
    pub subject: &'static str,
}

pub struct Topic {
    pub key: &'static str,
    pub agencies: &'static [usize],
    pub templates: &'static [Template],
    pub paragraphs: &'static [&'static str],
}

const fn t(tag: &'static str, type_code: &'static str, subject: &'static str) -> Template {
    Template {
        tag,
        type_code,
        subject,
    }
}

pub const TOPICS: &[Topic] = &[
    Topic {
        key: "cchc",
        agencies: &[TINH, SNV, HUYEN],
        templates: &[
            t("cchc.kh", "ke_hoach", "Kế hoạch cải cách hành chính năm {Y}"),
            t("cchc.qd", "quyet_dinh", "Về việc phê duyệt Kế hoạch cải cách hành chính năm {Y}"),
            t("cchc.bc", "bao_cao", "Báo cáo kết quả thực hiện công tác cải cách hành chính quý {Q} năm {Y}"),
            t("cchc.cv", "cong_van", "V/v đôn đốc thực hiện nhiệm vụ cải cách hành chính năm {Y}"),
        ],
        paragraphs: &[
            "Đẩy mạnh cải cách thủ tục hành chính, nâng cao chất lượng giải quyết thủ tục hành chính theo cơ chế một cửa, một cửa liên thông.",
            "Phấn đấu 100% thủ tục hành chính đủ điều kiện được cung cấp dưới dạng dịch vụ công trực tuyến toàn trình.",
            "Nâng cao Chỉ số cải cách hành chính (PAR INDEX) và Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) năm {Y}.",
            "Tiếp tục rà soát, sắp xếp tổ chức bộ máy các cơ quan hành chính nhà nước theo hướng tinh gọn, hoạt động hiệu lực, hiệu quả.",
            "Các cơ quan, đơn vị báo cáo kết quả thực hiện về Sở Nội vụ để tổng hợp, báo cáo Ủy ban nhân dân tỉnh.",
        ],
    },
    Topic {
        key: "cds",
        agencies: &[TINH, SNV, STC, SGD],
        templates: &[
            t("cds.kh", "ke_hoach", "Kế hoạch chuyển đổi số năm {Y}"),
            t("cds.qd", "quyet_dinh", "Về việc ban hành Kế hoạch triển khai chuyển đổi số, phát triển chính quyền số năm {Y}"),
            t("cds.cv_chu_ky", "cong_van", "V/v sử dụng chữ ký số trên văn bản điện tử"),
            t("cds.bc", "bao_cao", "Báo cáo kết quả thực hiện chuyển đổi số 6 tháng đầu năm {Y}"),
        ],
        paragraphs: &[
            "Triển khai các nền tảng số dùng chung, kết nối, chia sẻ dữ liệu giữa các hệ thống thông tin của tỉnh.",
            "Bảo đảm 100% văn bản đi được ký số và gửi, nhận trên môi trường điện tử, trừ văn bản mật theo quy định.",
            "Cán bộ, công chức sử dụng chữ ký số chuyên dùng Chính phủ để ký văn bản điện tử.",
            "Bảo đảm an toàn, an ninh mạng cho các hệ thống thông tin phục vụ chính quyền số.",
        ],
    },
    Topic {
        key: "pctn",
        agencies: &[TINH, SNV, STC, STNMT, HUYEN],
        templates: &[
            t("pctn.bc_nam", "bao_cao", "Báo cáo công tác phòng, chống tham nhũng, tiêu cực năm {Y}"),
            t("pctn.kh", "ke_hoach", "Kế hoạch thực hiện công tác phòng, chống tham nhũng năm {Y}"),
            t("pctn.bc_quy", "bao_cao", "Báo cáo kết quả công tác phòng, chống tham nhũng quý {Q} năm {Y}"),
        ],
        paragraphs: &[
            "Thực hiện nghiêm quy định về kê khai tài sản, thu nhập của người có chức vụ, quyền hạn.",
            "Tăng cường công tác thanh tra, kiểm tra, phát hiện và xử lý nghiêm các hành vi tham nhũng, tiêu cực.",
            "Công khai, minh bạch trong hoạt động của cơ quan, tổ chức, đơn vị theo Luật Phòng, chống tham nhũng.",
        ],
    },
    Topic {
        key: "pccc",
        agencies: &[TINH, HUYEN, SGD],
        templates: &[
            t("pccc.cv", "cong_van", "V/v tăng cường công tác phòng cháy, chữa cháy mùa khô năm {Y}"),
            t("pccc.ct", "chi_thi", "Chỉ thị về tăng cường công tác phòng cháy, chữa cháy và cứu nạn, cứu hộ năm {Y}"),
            t("pccc.kh", "ke_hoach", "Kế hoạch tuyên truyền, phổ biến kiến thức phòng cháy, chữa cháy năm {Y}"),
        ],
        paragraphs: &[
            "Kiểm tra an toàn phòng cháy, chữa cháy tại các cơ sở sản xuất, kinh doanh, chợ, trung tâm thương mại.",
            "Chuẩn bị đầy đủ lực lượng, phương tiện chữa cháy tại chỗ theo phương châm bốn tại chỗ.",
            "Tổ chức diễn tập phương án chữa cháy và cứu nạn, cứu hộ tại các khu dân cư.",
        ],
    },
    Topic {
        key: "thien_tai",
        agencies: &[TINH, HUYEN, STC],
        templates: &[
            t("thien_tai.ho_tro", "quyet_dinh", "Về việc hỗ trợ kinh phí khắc phục hậu quả thiên tai năm {Y}"),
            t("thien_tai.kh", "ke_hoach", "Kế hoạch phòng, chống thiên tai và tìm kiếm cứu nạn năm {Y}"),
            t("thien_tai.thiet_hai", "bao_cao", "Báo cáo thiệt hại do mưa lớn, sạt lở đất và công tác khắc phục hậu quả thiên tai năm {Y}"),
        ],
        paragraphs: &[
            "Hỗ trợ các hộ gia đình có nhà ở bị sập, đổ, hư hỏng nặng do thiên tai.",
            "Chủ động sơ tán dân ra khỏi khu vực nguy hiểm, vùng có nguy cơ sạt lở đất.",
            "Trích ngân sách dự phòng để khắc phục hậu quả thiên tai, ổn định đời sống nhân dân.",
        ],
    },
    Topic {
        key: "tuyen_sinh",
        agencies: &[SGD],
        templates: &[
            t("tuyen_sinh.qd", "quyet_dinh", "Về việc giao chỉ tiêu tuyển sinh lớp 10 năm học {Y}-{Y1}"),
            t("tuyen_sinh.kh", "ke_hoach", "Kế hoạch tuyển sinh vào lớp 10 trung học phổ thông năm học {Y}-{Y1}"),
            t("tuyen_sinh.hd", "huong_dan", "Hướng dẫn công tác tuyển sinh đầu cấp năm học {Y}-{Y1}"),
        ],
        paragraphs: &[
            "Tổ chức kỳ thi tuyển sinh vào lớp 10 nghiêm túc, an toàn, đúng quy chế.",
            "Các trường trung học phổ thông công lập tuyển sinh theo chỉ tiêu được giao.",
            "Thí sinh đăng ký dự tuyển trực tuyến trên hệ thống tuyển sinh của Sở Giáo dục và Đào tạo.",
        ],
    },
    Topic {
        key: "dat_dai",
        agencies: &[STNMT, HUYEN, TINH],
        templates: &[
            t("dat_dai.thu_hoi", "quyet_dinh", "Về việc thu hồi đất để thực hiện dự án {PROJECT}"),
            t("dat_dai.kh_sdd", "quyet_dinh", "Về việc phê duyệt kế hoạch sử dụng đất năm {Y} của huyện Long Thành"),
            t("dat_dai.gcn", "cong_van", "V/v đẩy nhanh tiến độ cấp giấy chứng nhận quyền sử dụng đất năm {Y}"),
        ],
        paragraphs: &[
            "Thu hồi đất của các hộ gia đình, cá nhân để thực hiện dự án theo quy định của Luật Đất đai.",
            "Bồi thường, hỗ trợ, tái định cư cho người có đất bị thu hồi bảo đảm công khai, minh bạch.",
            "Rà soát hồ sơ, giải quyết dứt điểm các trường hợp tồn đọng trong công tác quản lý đất đai.",
        ],
    },
    Topic {
        key: "moi_truong",
        agencies: &[STNMT, TINH],
        templates: &[
            t("moi_truong.kh", "ke_hoach", "Kế hoạch bảo vệ môi trường lưu vực sông Đồng Nai năm {Y}"),
            t("moi_truong.cv", "cong_van", "V/v tăng cường thu gom, xử lý chất thải rắn sinh hoạt năm {Y}"),
            t("moi_truong.bc", "bao_cao", "Báo cáo công tác bảo vệ môi trường năm {Y}"),
        ],
        paragraphs: &[
            "Kiểm soát chặt chẽ các nguồn thải ra lưu vực sông Đồng Nai.",
            "Thu gom, vận chuyển và xử lý chất thải rắn sinh hoạt bảo đảm vệ sinh môi trường.",
            "Xử lý nghiêm các cơ sở gây ô nhiễm môi trường nghiêm trọng.",
        ],
    },
    Topic {
        key: "ngan_sach",
        agencies: &[STC, TINH],
        templates: &[
            t("ngan_sach.giao", "quyet_dinh", "Về việc giao dự toán ngân sách nhà nước năm {Y}"),
            t("ngan_sach.bc", "bao_cao", "Báo cáo tình hình thực hiện dự toán ngân sách địa phương quý {Q} năm {Y}"),
            t("ngan_sach.quyet_toan", "cong_van", "V/v hướng dẫn quyết toán kinh phí năm {Y}"),
        ],
        paragraphs: &[
            "Giao dự toán thu, chi ngân sách nhà nước cho các cơ quan, đơn vị theo phụ lục kèm theo.",
            "Quản lý, sử dụng kinh phí đúng mục đích, tiết kiệm, hiệu quả.",
            "Thực hiện công khai dự toán ngân sách theo quy định của Luật Ngân sách nhà nước.",
        ],
    },
    Topic {
        key: "can_bo",
        agencies: &[SNV, TINH, SGD],
        templates: &[
            t("can_bo.bo_nhiem", "quyet_dinh", "Về việc bổ nhiệm cán bộ lãnh đạo cấp phòng"),
            t("can_bo.tuyen_dung", "ke_hoach", "Kế hoạch tuyển dụng công chức năm {Y}"),
            t("can_bo.vien_chuc", "thong_bao", "Thông báo kết quả tuyển dụng viên chức năm {Y}"),
            t("can_bo.luong", "quyet_dinh", "Về việc nâng bậc lương thường xuyên đối với cán bộ, công chức năm {Y}"),
        ],
        paragraphs: &[
            "Bổ nhiệm ông (bà) giữ chức vụ Phó Trưởng phòng kể từ ngày ký, thời hạn giữ chức vụ là 05 năm.",
            "Tổ chức tuyển dụng thông qua thi tuyển, bảo đảm công khai, minh bạch, cạnh tranh.",
            "Thực hiện chế độ nâng bậc lương thường xuyên, nâng bậc lương trước thời hạn theo quy định.",
        ],
    },
    Topic {
        key: "hoi_nghi",
        agencies: &[TINH, SNV, STC, SGD, STNMT],
        templates: &[
            t("hoi_nghi.gm_so_ket", "giay_moi", "Giấy mời dự Hội nghị sơ kết 6 tháng đầu năm {Y}"),
            t("hoi_nghi.tb_so_ket", "thong_bao", "Thông báo kết luận tại Hội nghị sơ kết 6 tháng đầu năm {Y}"),
            t("hoi_nghi.gm_tong_ket", "giay_moi", "Giấy mời dự Hội nghị tổng kết công tác năm {Y} và triển khai nhiệm vụ năm {Y1}"),
        ],
        paragraphs: &[
            "Thời gian: 08 giờ 00, thứ Năm. Địa điểm: Hội trường Ủy ban nhân dân tỉnh.",
            "Đề nghị các đồng chí được mời sắp xếp thời gian đến dự đúng giờ.",
            "Đánh giá kết quả thực hiện nhiệm vụ, đề ra nhiệm vụ trọng tâm thời gian tới.",
        ],
    },
    Topic {
        key: "khuyet_tat",
        agencies: &[TINH, HUYEN],
        templates: &[
            t("khuyet_tat.kh", "ke_hoach", "Kế hoạch trợ giúp người khuyết tật hòa nhập cộng đồng năm {Y}"),
            t("khuyet_tat.qd", "quyet_dinh", "Về việc hỗ trợ người khuyết tật hoà nhập cộng đồng giai đoạn {Y}-{Y3}"),
            t("khuyet_tat.bc", "bao_cao", "Báo cáo kết quả thực hiện chính sách trợ giúp xã hội đối với người khuyết tật năm {Y}"),
        ],
        paragraphs: &[
            "Hỗ trợ người khuyết tật tiếp cận dịch vụ y tế, giáo dục, việc làm.",
            "Chi trả trợ cấp xã hội hằng tháng cho người khuyết tật đặc biệt nặng.",
            "Phục hồi chức năng dựa vào cộng đồng cho người khuyết tật.",
        ],
    },
    Topic {
        key: "thuy_loi",
        agencies: &[TINH, HUYEN, STNMT],
        templates: &[
            t("thuy_loi.qd", "quyet_dinh", "Về việc phê duyệt dự án nạo vét, sửa chữa công trình thuỷ lợi năm {Y}"),
            t("thuy_loi.kh", "ke_hoach", "Kế hoạch vận hành công trình thủy lợi phục vụ sản xuất mùa khô năm {Y}"),
            t("thuy_loi.cv", "cong_van", "V/v kiểm tra an toàn hồ chứa thuỷ lợi trước mùa mưa lũ năm {Y}"),
        ],
        paragraphs: &[
            "Nạo vét kênh mương nội đồng, sửa chữa cống, đập bị hư hỏng.",
            "Vận hành hồ chứa bảo đảm an toàn công trình và vùng hạ du.",
            "Điều tiết nước hợp lý phục vụ sản xuất vụ Đông Xuân.",
        ],
    },
    Topic {
        key: "ntm",
        agencies: &[TINH, HUYEN],
        templates: &[
            t("ntm.kh", "ke_hoach", "Kế hoạch xây dựng nông thôn mới năm {Y}"),
            t("ntm.qd", "quyet_dinh", "Về việc công nhận xã đạt chuẩn nông thôn mới nâng cao năm {Y}"),
            t("ntm.bc", "bao_cao", "Báo cáo kết quả thực hiện Chương trình mục tiêu quốc gia xây dựng nông thôn mới năm {Y}"),
        ],
        paragraphs: &[
            "Công nhận xã đạt chuẩn theo Bộ tiêu chí của tỉnh giai đoạn {Y}-{Y3}.",
            "Huy động các nguồn lực xây dựng hạ tầng giao thông nông thôn, trường học, trạm y tế.",
            "Nâng cao thu nhập, đời sống vật chất và tinh thần của người dân nông thôn.",
        ],
    },
    Topic {
        key: "attp",
        agencies: &[TINH, HUYEN],
        templates: &[
            t("attp.kh", "ke_hoach", "Kế hoạch triển khai Tháng hành động vì an toàn thực phẩm năm {Y}"),
            t("attp.cv", "cong_van", "V/v tăng cường bảo đảm an toàn thực phẩm dịp Tết Nguyên đán năm {Y}"),
            t("attp.bc", "bao_cao", "Báo cáo công tác bảo đảm an toàn thực phẩm năm {Y}"),
        ],
        paragraphs: &[
            "Kiểm tra liên ngành tại các cơ sở sản xuất, kinh doanh thực phẩm.",
            "Phòng ngừa ngộ độc thực phẩm tại bếp ăn tập thể, khu công nghiệp.",
            "Tuyên truyền kiến thức cho người sản xuất, kinh doanh và người tiêu dùng.",
        ],
    },
    Topic {
        key: "y_te",
        agencies: &[TINH, HUYEN, SGD],
        templates: &[
            t("y_te.tiem_chung", "ke_hoach", "Kế hoạch tiêm chủng mở rộng năm {Y}"),
            t("y_te.kham", "cong_van", "V/v tổ chức khám sức khoẻ định kỳ cho cán bộ, công chức năm {Y}"),
            t("y_te.sxh", "ke_hoach", "Kế hoạch phòng, chống dịch sốt xuất huyết năm {Y}"),
        ],
        paragraphs: &[
            "Tổ chức tiêm chủng đầy đủ, đúng lịch cho trẻ em dưới 1 tuổi.",
            "Bảo đảm sức khỏe cho cán bộ, công chức, viên chức và người lao động.",
            "Diệt lăng quăng, bọ gậy, vệ sinh môi trường tại cộng đồng.",
        ],
    },
    Topic {
        key: "giao_thong",
        agencies: &[TINH, HUYEN, SGD],
        templates: &[
            t("giao_thong.ct", "chi_thi", "Chỉ thị về tăng cường bảo đảm trật tự, an toàn giao thông dịp Tết Nguyên đán năm {Y}"),
            t("giao_thong.kh", "ke_hoach", "Kế hoạch thực hiện Năm an toàn giao thông {Y}"),
            t("giao_thong.cv_hs", "cong_van", "V/v bảo đảm an toàn giao thông cho học sinh năm học {Y}-{Y1}"),
        ],
        paragraphs: &[
            "Xử lý nghiêm các hành vi vi phạm nồng độ cồn, chạy quá tốc độ quy định.",
            "Tuyên truyền Luật Trật tự, an toàn giao thông đường bộ trong trường học.",
            "Kiểm soát tải trọng phương tiện, bảo vệ kết cấu hạ tầng giao thông.",
        ],
    },
    Topic {
        key: "thi_dua",
        agencies: &[TINH, SNV, SGD],
        templates: &[
            t("thi_dua.bang_khen", "quyet_dinh", "Về việc tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh năm {Y}"),
            t("thi_dua.hd", "huong_dan", "Hướng dẫn công tác thi đua, khen thưởng năm {Y}"),
            t("thi_dua.tap_the", "quyet_dinh", "Về việc tặng danh hiệu Tập thể lao động xuất sắc năm {Y}"),
        ],
        paragraphs: &[
            "Khen thưởng các tập thể, cá nhân có thành tích xuất sắc trong thực hiện nhiệm vụ.",
            "Phong trào thi đua yêu nước được triển khai sâu rộng.",
            "Hồ sơ đề nghị khen thưởng gửi về Ban Thi đua - Khen thưởng (Sở Nội vụ).",
        ],
    },
    Topic {
        key: "khieu_nai",
        agencies: &[TINH, HUYEN],
        templates: &[
            t("khieu_nai.qd", "quyet_dinh", "Về việc giải quyết khiếu nại của bà {PERSON}, trú tại {PLACE}"),
            t("khieu_nai.tiep_cd", "thong_bao", "Thông báo lịch tiếp công dân định kỳ của Chủ tịch Ủy ban nhân dân tháng {M} năm {Y}"),
            t("khieu_nai.bc", "bao_cao", "Báo cáo công tác tiếp công dân, giải quyết khiếu nại, tố cáo quý {Q} năm {Y}"),
        ],
        paragraphs: &[
            "Giữ nguyên nội dung quyết định giải quyết khiếu nại lần đầu.",
            "Tiếp công dân định kỳ vào ngày 15 hằng tháng tại Trụ sở tiếp công dân.",
            "Giải quyết kịp thời, dứt điểm các vụ việc khiếu nại, tố cáo ngay từ cơ sở.",
        ],
    },
    Topic {
        key: "van_thu",
        agencies: &[SNV, TINH],
        templates: &[
            t("van_thu.hd", "huong_dan", "Hướng dẫn công tác văn thư, lưu trữ năm {Y}"),
            t("van_thu.dmhs", "quyet_dinh", "Về việc ban hành Danh mục hồ sơ năm {Y}"),
            t("van_thu.cv", "cong_van", "V/v chỉnh lý tài liệu lưu trữ tồn đọng năm {Y}"),
        ],
        paragraphs: &[
            "Lập hồ sơ và nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan theo quy định.",
            "Thực hiện đúng thể thức và kỹ thuật trình bày văn bản theo Nghị định số 30/2020/NĐ-CP.",
            "Số hóa tài liệu, phục vụ khai thác sử dụng trên môi trường điện tử.",
        ],
    },
    Topic {
        key: "tong_hop",
        agencies: &[TINH, SNV, STC, SGD, STNMT, HUYEN],
        templates: &[
            t("tong_hop.to_trinh", "to_trinh", "Tờ trình đề nghị phê duyệt chủ trương đầu tư dự án {PROJECT}"),
            t("tong_hop.boi_duong", "cong_van", "V/v cử cán bộ tham dự lớp bồi dưỡng nghiệp vụ năm {Y}"),
            t("tong_hop.nghi_tet", "thong_bao", "Thông báo lịch nghỉ Tết Nguyên đán năm {Y1}"),
            t("tong_hop.kt_xh", "bao_cao", "Báo cáo tình hình kinh tế - xã hội tháng {M} năm {Y}"),
            t("tong_hop.lam_viec", "giay_moi", "Giấy mời dự buổi làm việc với Đoàn công tác của Bộ Nội vụ"),
        ],
        paragraphs: &[
            "Tổng mức đầu tư dự kiến, nguồn vốn và thời gian thực hiện dự án được nêu tại phụ lục kèm theo.",
            "Cán bộ được cử tham dự có trách nhiệm chấp hành nghiêm nội quy lớp học.",
            "Cán bộ, công chức, viên chức được nghỉ Tết theo quy định của Bộ luật Lao động.",
            "Tổng sản phẩm trên địa bàn tăng trưởng khá; thu ngân sách đạt so với dự toán.",
            "Các cơ quan, đơn vị chuẩn bị báo cáo theo đề cương gửi kèm.",
        ],
    },
    Topic {
        key: "quy_che",
        agencies: &[TINH, SNV, STC, SGD, STNMT, HUYEN],
        templates: &[
            t("quy_che.lam_viec", "quyet_dinh", "Về việc ban hành Quy chế làm việc của {AGENCY}"),
            t("quy_che.chi_tieu", "quyet_dinh", "Về việc ban hành Quy chế chi tiêu nội bộ năm {Y}"),
        ],
        paragraphs: &[
            "Ban hành kèm theo Quyết định này Quy chế gồm 5 chương, 30 điều.",
            "Quy chế áp dụng đối với cán bộ, công chức, viên chức và người lao động của cơ quan.",
        ],
    },
];

/// Paragraphs any document may carry; they mention other topics and act as distractors.
const GENERIC: &[&str] = &[
    "Gắn việc thực hiện nhiệm vụ với đẩy mạnh cải cách hành chính và chuyển đổi số.",
    "Kinh phí thực hiện từ nguồn ngân sách nhà nước được giao năm {Y}.",
    "Kết hợp tuyên truyền về an toàn giao thông, phòng cháy, chữa cháy tại cơ quan.",
    "Thực hiện nghiêm các quy định về phòng, chống tham nhũng, lãng phí.",
    "Bảo đảm vệ sinh môi trường, an toàn thực phẩm trong tổ chức sự kiện.",
    "Văn phòng theo dõi, đôn đốc, tổng hợp kết quả thực hiện.",
];

const PROJECTS: &[&str] = &[
    "Đường ven sông Cái",
    "Khu tái định cư Lộc An",
    "mở rộng Quốc lộ 51",
    "Trạm y tế xã Bình Sơn",
];
const PERSONS: &[&str] = &[
    "Nguyễn Thị Lan",
    "Trần Thị Cúc",
    "Phan Thị Hạnh",
    "Lâm Thị Nga",
];
const PLACES: &[&str] = &[
    "xã Long An",
    "thị trấn Long Thành",
    "xã Phước Bình",
    "xã An Phước",
];

pub const YEARS: [i32; 4] = [2024, 2025, 2026, 2027];

/// A generated document and the facts relevance is judged on.
#[derive(Debug, Clone)]
pub struct GenDoc {
    pub doc: IndexedDocument,
    pub topic: &'static str,
    pub tag: &'static str,
    pub year: i32,
    pub agency: usize,
}

struct Context<'a> {
    year: i32,
    quarter: u32,
    month: u32,
    agency: &'a Agency,
    project: &'a str,
    person: &'a str,
    place: &'a str,
}

fn fill(text: &str, c: &Context<'_>) -> String {
    text.replace("{Y1}", &(c.year + 1).to_string())
        .replace("{Y3}", &(c.year + 3).to_string())
        .replace("{Y}", &c.year.to_string())
        .replace("{Q}", &c.quarter.to_string())
        .replace("{M}", &c.month.to_string())
        .replace("{AGENCY}", c.agency.name)
        .replace("{PROJECT}", c.project)
        .replace("{PERSON}", c.person)
        .replace("{PLACE}", c.place)
}

fn opening(type_code: &str, agency: &Agency) -> String {
    match type_code {
        "cong_van" => format!(
            "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh, {} đề nghị các cơ quan, đơn vị thực hiện một số nội dung sau:",
            agency.name
        ),
        "bao_cao" => format!(
            "Thực hiện chế độ báo cáo định kỳ, {} báo cáo kết quả như sau:",
            agency.name
        ),
        "giay_moi" => format!("{} trân trọng kính mời đại diện lãnh đạo các cơ quan, đơn vị.", agency.name),
        "thong_bao" => format!("{} thông báo để các cơ quan, đơn vị biết, thực hiện.", agency.name),
        _ => "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\nCăn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;".to_string(),
    }
}

fn closing(type_code: &str, agency: &Agency) -> String {
    match type_code {
        "quyet_dinh" => "Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành Quyết định này./.".to_string(),
        "cong_van" | "giay_moi" => "Đề nghị các cơ quan, đơn vị quan tâm phối hợp thực hiện./.".to_string(),
        _ => format!(
            "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị báo cáo về {} để tổng hợp./.",
            agency.name
        ),
    }
}

fn body(
    rng: &mut Rng,
    topic: &Topic,
    type_code: &str,
    context: &Context<'_>,
    extra: Option<&str>,
) -> String {
    let mut paragraphs = vec![opening(type_code, context.agency)];
    if let Some(extra) = extra {
        paragraphs.push(extra.to_string());
    }
    let mut pool: Vec<&str> = topic.paragraphs.to_vec();
    let take = 2 + rng.below(2);
    for _ in 0..take.min(pool.len()) {
        let paragraph = pool.swap_remove(rng.below(pool.len()));
        paragraphs.push(fill(paragraph, context));
    }
    if rng.chance(0.35) {
        paragraphs.push(fill(rng.pick_str(GENERIC), context));
    }
    paragraphs.push(closing(type_code, context.agency));
    paragraphs.join("\n")
}

fn number_of(type_code: &str, agency: &Agency, unit: &str, n: u32) -> String {
    let (_, _, abbr) = type_of(type_code);
    let running = if n < 10 {
        format!("0{n}")
    } else {
        n.to_string()
    };
    if type_code == "cong_van" {
        format!("{running}/{}-{unit}", agency.abbr)
    } else {
        format!("{running}/{abbr}-{}", agency.abbr)
    }
}

struct Planted {
    id: &'static str,
    agency: usize,
    type_code: &'static str,
    number: &'static str,
    date: (i32, u32, u32),
    subject: &'static str,
    body: &'static str,
    topic: &'static str,
    tag: &'static str,
}

/// Documents written by hand for the number, legacy-encoding and Unicode-form queries.
const PLANTED: &[Planted] = &[
    Planted {
        id: "p-qd-15-ubnd-tinh",
        agency: TINH,
        type_code: "quyet_dinh",
        number: "15/QĐ-UBND",
        date: (2026, 1, 12),
        subject: "Về việc ban hành Kế hoạch kiểm tra công tác cải cách hành chính năm 2026",
        body: "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\nBan hành kèm theo Quyết định này Kế hoạch kiểm tra công tác cải cách hành chính năm 2026 tại các sở, ban, ngành và Ủy ban nhân dân cấp huyện.\nQuyết định này có hiệu lực kể từ ngày ký./.",
        topic: "cchc",
        tag: "cchc.kiem_tra",
    },
    Planted {
        id: "p-qd-15-ubnd-huyen",
        agency: HUYEN,
        type_code: "quyet_dinh",
        number: "15/QĐ-UBND",
        date: (2025, 1, 20),
        subject: "Về việc thu hồi đất để xây dựng Trường Tiểu học Phước Thái",
        body: "Thu hồi 12.450 m² đất của các hộ gia đình, cá nhân tại xã Phước Thái để xây dựng Trường Tiểu học Phước Thái.\nBồi thường, hỗ trợ theo phương án được phê duyệt./.",
        topic: "dat_dai",
        tag: "dat_dai.thu_hoi",
    },
    Planted {
        id: "p-qd-115-ubnd",
        agency: TINH,
        type_code: "quyet_dinh",
        number: "115/QĐ-UBND",
        date: (2026, 1, 25),
        subject: "Về việc phê duyệt danh mục dự án đầu tư công trung hạn giai đoạn 2026-2030",
        body: "Phê duyệt danh mục 45 dự án đầu tư công trung hạn sử dụng vốn ngân sách tỉnh.\nCăn cứ Quyết định số 15/QĐ-UBND ngày 12 tháng 01 năm 2026 của Ủy ban nhân dân tỉnh;\nQuyết định này có hiệu lực kể từ ngày ký./.",
        topic: "dau_tu",
        tag: "dau_tu.qd",
    },
    Planted {
        id: "p-kh-15-ubnd",
        agency: TINH,
        type_code: "ke_hoach",
        number: "15/KH-UBND",
        date: (2026, 1, 14),
        subject: "Kế hoạch tổ chức các hoạt động mừng Đảng, mừng Xuân năm 2026",
        body: "Tổ chức các hoạt động văn hóa, văn nghệ, thể thao mừng Đảng, mừng Xuân trang trọng, tiết kiệm./.",
        topic: "le_hoi",
        tag: "le_hoi.kh",
    },
    Planted {
        id: "p-qd-15-snv",
        agency: SNV,
        type_code: "quyet_dinh",
        number: "15/QĐ-SNV",
        date: (2026, 2, 3),
        subject: "Về việc cử công chức tham gia lớp bồi dưỡng kiến thức quản lý nhà nước",
        body: "Cử 05 công chức tham gia lớp bồi dưỡng kiến thức quản lý nhà nước chương trình chuyên viên chính./.",
        topic: "dao_tao",
        tag: "dao_tao.qd",
    },
    Planted {
        id: "p-qd-05-stc",
        agency: STC,
        type_code: "quyet_dinh",
        number: "05/QĐ-STC",
        date: (2025, 1, 8),
        subject: "Về việc giao dự toán ngân sách nhà nước năm 2025 cho các đơn vị trực thuộc",
        body: "Giao dự toán thu, chi ngân sách nhà nước năm 2025 cho các đơn vị trực thuộc Sở Tài chính theo phụ lục kèm theo./.",
        topic: "ngan_sach",
        tag: "ngan_sach.giao",
    },
    Planted {
        id: "p-nq-12-2025-hdnd",
        agency: HDND,
        type_code: "nghi_quyet",
        number: "12/2025/NQ-HĐND",
        date: (2025, 7, 10),
        subject: "Nghị quyết quy định chính sách hỗ trợ phát triển hợp tác xã nông nghiệp giai đoạn 2025-2030",
        body: "Hội đồng nhân dân tỉnh quyết nghị quy định chính sách hỗ trợ thành lập mới, củng cố tổ chức và phát triển hợp tác xã nông nghiệp.\nNghị quyết này có hiệu lực từ ngày 20 tháng 7 năm 2025./.",
        topic: "htx",
        tag: "htx.nq",
    },
    Planted {
        id: "p-tb-htx",
        agency: TINH,
        type_code: "thong_bao",
        number: "342/TB-UBND",
        date: (2025, 9, 4),
        subject: "Thông báo kết luận về phát triển kinh tế tập thể, hợp tác xã",
        body: "Triển khai thực hiện Nghị quyết số 12/2025/NQ-HĐND ngày 10 tháng 7 năm 2025 của Hội đồng nhân dân tỉnh về hỗ trợ phát triển hợp tác xã nông nghiệp./.",
        topic: "htx",
        tag: "htx.tb",
    },
    Planted {
        id: "p-qd-25-2026-ubnd",
        agency: TINH,
        type_code: "quyet_dinh",
        number: "25/2026/QĐ-UBND",
        date: (2026, 5, 18),
        subject: "Ban hành Quy chế phối hợp quản lý nhà nước về an toàn thực phẩm trên địa bàn tỉnh",
        body: "Ban hành kèm theo Quyết định này Quy chế phối hợp giữa các sở, ngành trong quản lý nhà nước về an toàn thực phẩm./.",
        topic: "attp",
        tag: "attp.quy_che",
    },
    Planted {
        id: "p-cv-123-ubnd-vp",
        agency: TINH,
        type_code: "cong_van",
        number: "123/UBND-VP",
        date: (2026, 3, 2),
        subject: "V/v tăng cường công tác phòng cháy, chữa cháy trong mùa khô năm 2026",
        body: "Ủy ban nhân dân tỉnh yêu cầu các sở, ngành, địa phương kiểm tra an toàn phòng cháy, chữa cháy tại khu dân cư, chợ, cơ sở sản xuất./.",
        topic: "pccc",
        tag: "pccc.cv",
    },
    // Subject in TCVN3 (.VnTime), body in VNI: both as a PDF with those fonts extracts.
    // Unicode: "Về việc thành lập Ban Chỉ đạo phòng, chống dịch bệnh trên địa bàn tỉnh".
    Planted {
        id: "p-legacy-encoding",
        agency: TINH,
        type_code: "quyet_dinh",
        number: "07/QĐ-UBND",
        date: (2024, 1, 5),
        subject: "VÒ viÖc thµnh lËp Ban ChØ ®¹o phßng, chèng dÞch bÖnh trªn ®Þa bµn tØnh",
        body: "Thaønh laäp Ban Chæ ñaïo phoøng, choáng dòch beänh cuûa tænh.\nBan Chæ ñaïo coù nhieäm vuï giuùp Chuû tòch Uûy ban nhaân daân tænh chæ ñaïo coâng taùc phoøng, choáng dòch.",
        topic: "dich_benh",
        tag: "dich_benh.ban_chi_dao",
    },
    // Subject typed in decomposed form (NFD).
    Planted {
        id: "p-nfd",
        agency: HUYEN,
        type_code: "ke_hoach",
        number: "88/KH-UBND",
        date: (2025, 10, 2),
        subject: "Ke\u{302}\u{301} hoa\u{323}ch to\u{302}\u{309} chu\u{31b}\u{301}c Le\u{302}\u{303} ho\u{302}\u{323}i Va\u{306}n ho\u{301}a A\u{302}\u{309}m thu\u{31b}\u{323}c huye\u{323}\u{302}n Long Tha\u{300}nh",
        body: "To\u{302}\u{309} chu\u{31b}\u{301}c le\u{302}\u{303} ho\u{302}\u{323}i ta\u{323}i Qua\u{309}ng trươ\u{300}ng huye\u{323}\u{302}n./.",
        topic: "le_hoi",
        tag: "le_hoi.am_thuc",
    },
    // "Đ" written as the Icelandic look-alike U+00D0, as some PDFs do.
    Planted {
        id: "p-eth",
        agency: STNMT,
        type_code: "quyet_dinh",
        number: "301/QĐ-STNMT",
        date: (2024, 8, 15),
        subject: "Về việc Ðiều chỉnh quy hoạch chi tiết Khu công nghiệp Nhơn Trạch",
        body: "Ðiều chỉnh ranh giới và cơ cấu sử dụng đất Khu công nghiệp Nhơn Trạch./.",
        topic: "quy_hoach",
        tag: "quy_hoach.kcn",
    },
];

/// Citations of planted numbers, put into generated bodies (agency, topic, year, text).
const CITATIONS: &[(usize, &str, i32, &str)] = &[
    (
        TINH,
        "cchc",
        2026,
        "Căn cứ Quyết định số 15/QĐ-UBND ngày 12 tháng 01 năm 2026 của Ủy ban nhân dân tỉnh;",
    ),
    (
        SNV,
        "cchc",
        2026,
        "Thực hiện Quyết định số 15/QĐ-UBND ngày 12 tháng 01 năm 2026 của Ủy ban nhân dân tỉnh;",
    ),
    (
        STC,
        "ngan_sach",
        2025,
        "Căn cứ Quyết định số 05/QĐ-STC ngày 08 tháng 01 năm 2025;",
    ),
    (
        HUYEN,
        "ntm",
        2026,
        "Căn cứ Nghị quyết số 12/2025/NQ-HĐND ngày 10 tháng 7 năm 2025 của Hội đồng nhân dân tỉnh;",
    ),
];

fn status_for(rng: &mut Rng) -> (&'static str, &'static str) {
    match rng.below(20) {
        0 => ("revoked", "agency_signed"),
        1 | 2 => ("draft", "unsigned"),
        3 => ("signed_personal", "personal_signed"),
        _ => ("issued", "agency_signed"),
    }
}

/// The relevance corpus: every template of every topic for every year, plus the planted
/// documents. About 300 documents.
pub fn corpus() -> Vec<GenDoc> {
    let mut rng = Rng::new(0x5EED_2027);
    let mut docs = Vec::new();
    let mut citations_left: Vec<_> = CITATIONS.to_vec();
    for topic in TOPICS {
        for (template_index, template) in topic.templates.iter().enumerate() {
            for year in YEARS {
                let agency_index = if template.tag == "dat_dai.kh_sdd" {
                    HUYEN
                } else {
                    *rng.pick(topic.agencies)
                };
                let agency = &AGENCIES[agency_index];
                let month = rng.range(1, 12);
                let day = rng.range(1, 28);
                let context = Context {
                    year,
                    quarter: (month - 1) / 3 + 1,
                    month,
                    agency,
                    project: rng.pick_str(PROJECTS),
                    person: rng.pick_str(PERSONS),
                    place: rng.pick_str(PLACES),
                };
                let citation = citations_left
                    .iter()
                    .position(|(a, t, y, _)| *a == agency_index && *t == topic.key && *y == year)
                    .map(|i| citations_left.remove(i).3);
                let (status, signature_state) = status_for(&mut rng);
                let (_, type_name, _) = type_of(template.type_code);
                docs.push(GenDoc {
                    doc: IndexedDocument {
                        id: format!("{}-{year}-{template_index}", topic.key),
                        organ_id: agency.organ_id.to_string(),
                        unit: rng.pick(agency.units).to_string(),
                        document_type: template.type_code.to_string(),
                        type_name: type_name.to_string(),
                        number: None,
                        subject: fill(template.subject, &context),
                        body: body(&mut rng, topic, template.type_code, &context, citation),
                        signer: Some(rng.pick(agency.signers).to_string()),
                        issue_date: NaiveDate::from_ymd_opt(year, month, day),
                        status: status.to_string(),
                        signature_state: signature_state.to_string(),
                        revision: 1 + rng.below(3) as u64,
                        confidential: false,
                        scan: false,
                    },
                    topic: topic.key,
                    tag: template.tag,
                    year,
                    agency: agency_index,
                });
            }
        }
    }
    assign_numbers(&mut rng, &mut docs);
    for p in PLANTED {
        let agency = &AGENCIES[p.agency];
        let (_, type_name, _) = type_of(p.type_code);
        docs.push(GenDoc {
            doc: IndexedDocument {
                id: p.id.to_string(),
                organ_id: agency.organ_id.to_string(),
                unit: agency.units[0].to_string(),
                document_type: p.type_code.to_string(),
                type_name: type_name.to_string(),
                number: Some(p.number.to_string()),
                subject: p.subject.to_string(),
                body: p.body.to_string(),
                signer: Some(agency.signers[0].to_string()),
                issue_date: NaiveDate::from_ymd_opt(p.date.0, p.date.1, p.date.2),
                status: "issued".to_string(),
                signature_state: "agency_signed".to_string(),
                revision: 1,
                confidential: false,
                scan: false,
            },
            topic: p.topic,
            tag: p.tag,
            year: p.date.0,
            agency: p.agency,
        });
    }
    docs
}

/// Numbers as an outgoing register gives them: per agency and year, in date order, with gaps
/// (documents of the register that are not in the corpus). Drafts have none. Never one of the
/// planted numbers.
fn assign_numbers(rng: &mut Rng, docs: &mut [GenDoc]) {
    let planted: HashSet<String> = PLANTED.iter().map(|p| p.number.to_lowercase()).collect();
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| (docs[i].agency, docs[i].doc.issue_date, i));
    let mut counters: BTreeMap<(usize, i32), u32> = BTreeMap::new();
    for i in order {
        if docs[i].doc.status == "draft" {
            continue;
        }
        let agency = &AGENCIES[docs[i].agency];
        let counter = counters
            .entry((docs[i].agency, docs[i].year))
            .or_insert_with(|| 30 + rng.below(150) as u32);
        loop {
            *counter += 1 + rng.below(25) as u32;
            let number = number_of(
                &docs[i].doc.document_type,
                agency,
                &docs[i].doc.unit,
                *counter,
            );
            if !planted.contains(&number.to_lowercase()) {
                docs[i].doc.number = Some(number);
                break;
            }
        }
    }
}

/// One query of the relevance set.
#[derive(Debug, Clone)]
pub struct QueryCase {
    pub id: String,
    pub kind: &'static str,
    /// The request without `allowed_agencies` (the harness sets all agencies).
    pub request: SearchRequest,
    pub relevant: Vec<String>,
}

fn ids(docs: &[GenDoc], keep: impl Fn(&GenDoc) -> bool) -> Vec<String> {
    docs.iter()
        .filter(|d| keep(d))
        .map(|d| d.doc.id.clone())
        .collect()
}

fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The query set: at least 60 queries in the forms staff type them.
pub fn queries(docs: &[GenDoc]) -> Vec<QueryCase> {
    let mut cases = Vec::new();
    let mut add = |kind: &'static str, request: SearchRequest, relevant: Vec<String>| {
        let id = format!("q{:02}", cases.len() + 1);
        cases.push(QueryCase {
            id,
            kind,
            request,
            relevant,
        });
    };
    let text = |t: &str| SearchRequest {
        text: t.to_string(),
        ..SearchRequest::default()
    };
    let topic = |key: &'static str| ids(docs, move |d| d.topic == key);
    let tags = |keys: &'static [&'static str]| ids(docs, move |d| keys.contains(&d.tag));
    let planted = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect::<Vec<_>>();

    // No diacritics, the way most staff type.
    add("no-diacritics", text("cai cach hanh chinh"), topic("cchc"));
    add("no-diacritics", text("chuyen doi so"), topic("cds"));
    add(
        "no-diacritics",
        text("phong chong tham nhung"),
        topic("pctn"),
    );
    add("no-diacritics", text("phong chay chua chay"), topic("pccc"));
    add(
        "no-diacritics",
        text("khac phuc hau qua thien tai"),
        tags(&["thien_tai.ho_tro", "thien_tai.thiet_hai"]),
    );
    add(
        "no-diacritics",
        text("tuyen sinh lop 10"),
        topic("tuyen_sinh"),
    );
    add(
        "no-diacritics",
        text("thu hoi dat"),
        tags(&["dat_dai.thu_hoi"]),
    );
    add(
        "no-diacritics",
        text("bao ve moi truong"),
        tags(&["moi_truong.kh", "moi_truong.bc"]),
    );
    add(
        "no-diacritics",
        text("du toan ngan sach"),
        tags(&["ngan_sach.giao", "ngan_sach.bc"]),
    );
    add(
        "no-diacritics",
        text("tuyen dung cong chuc"),
        tags(&["can_bo.tuyen_dung"]),
    );
    add("no-diacritics", text("an toan thuc pham"), topic("attp"));
    add("no-diacritics", text("nong thon moi"), topic("ntm"));

    // Full diacritics.
    add(
        "diacritics",
        text("cải cách hành chính năm 2026"),
        ids(docs, |d| d.topic == "cchc" && d.year == 2026),
    );
    add(
        "diacritics",
        text("Kế hoạch chuyển đổi số năm 2025"),
        ids(docs, |d| {
            (d.tag == "cds.kh" || d.tag == "cds.qd") && d.year == 2025
        }),
    );
    add(
        "diacritics",
        text("phòng, chống tham nhũng năm 2024"),
        ids(docs, |d| d.topic == "pctn" && d.year == 2024),
    );
    add(
        "diacritics",
        text("bảo vệ môi trường lưu vực sông Đồng Nai"),
        tags(&["moi_truong.kh"]),
    );
    add(
        "diacritics",
        text("chỉ tiêu tuyển sinh lớp 10"),
        tags(&["tuyen_sinh.qd"]),
    );
    add(
        "diacritics",
        text("nông thôn mới nâng cao"),
        tags(&["ntm.qd"]),
    );
    add(
        "diacritics",
        text("Tháng hành động vì an toàn thực phẩm"),
        tags(&["attp.kh"]),
    );
    add(
        "diacritics",
        text("quy chế làm việc"),
        tags(&["quy_che.lam_viec"]),
    );
    add(
        "diacritics",
        text("văn thư lưu trữ"),
        tags(&["van_thu.hd", "van_thu.cv"]),
    );
    add(
        "diacritics",
        text("tiêm chủng mở rộng"),
        tags(&["y_te.tiem_chung"]),
    );

    // Partial diacritics.
    add(
        "partial-diacritics",
        text("cải cach hanh chính"),
        topic("cchc"),
    );
    add("partial-diacritics", text("chuyen đổi số"), topic("cds"));
    add(
        "partial-diacritics",
        text("phong chống tham nhung"),
        topic("pctn"),
    );
    add(
        "partial-diacritics",
        text("thu hồi dat"),
        tags(&["dat_dai.thu_hoi"]),
    );
    add(
        "partial-diacritics",
        text("an toan thực phẩm"),
        topic("attp"),
    );
    add(
        "partial-diacritics",
        text("tiếp cong dan"),
        tags(&["khieu_nai.tiep_cd", "khieu_nai.bc"]),
    );

    // Old and new tone placement, both ways round.
    add(
        "tone-placement",
        text("hoà nhập cộng đồng"),
        tags(&["khuyet_tat.kh", "khuyet_tat.qd"]),
    );
    add(
        "tone-placement",
        text("người khuyết tật hòa nhập"),
        tags(&["khuyet_tat.kh", "khuyet_tat.qd"]),
    );
    add("tone-placement", text("thủy lợi"), topic("thuy_loi"));
    add("tone-placement", text("thuỷ lợi"), topic("thuy_loi"));
    add(
        "tone-placement",
        text("khám sức khỏe định kỳ"),
        tags(&["y_te.kham"]),
    );
    add(
        "tone-placement",
        text("Nguyễn Thị Thuý"),
        ids(docs, |d| d.doc.signer.as_deref() == Some("Nguyễn Thị Thúy")),
    );
    add(
        "tone-placement",
        text("Lê Thị Hòa"),
        ids(docs, |d| d.doc.signer.as_deref() == Some("Lê Thị Hoà")),
    );

    // Capitals.
    add("uppercase", text("CẢI CÁCH HÀNH CHÍNH"), topic("cchc"));
    add("uppercase", text("AN TOAN GIAO THONG"), topic("giao_thong"));

    // Document numbers.
    let fifteen = planted(&["p-qd-15-ubnd-tinh", "p-qd-15-ubnd-huyen"]);
    add("number", text("15/QĐ-UBND"), fifteen.clone());
    add("number", text("so 15 qd ubnd"), fifteen.clone());
    add("number", text("Số: 15/QĐ-UBND"), fifteen.clone());
    add("number", text("15/qd-ubnd"), fifteen);
    add(
        "number",
        SearchRequest {
            organ_id: Some(AGENCIES[HUYEN].organ_id.to_string()),
            ..text("15/QĐ-UBND")
        },
        planted(&["p-qd-15-ubnd-huyen"]),
    );
    add("number", text("5/QĐ-STC"), planted(&["p-qd-05-stc"]));
    add("number", text("05/QĐ-STC"), planted(&["p-qd-05-stc"]));
    add(
        "number",
        text("12/2025/NQ-HĐND"),
        planted(&["p-nq-12-2025-hdnd"]),
    );
    add(
        "number",
        text("số 12/2025/nq-hdnd"),
        planted(&["p-nq-12-2025-hdnd"]),
    );
    add(
        "number",
        text("25/2026/QĐ-UBND"),
        planted(&["p-qd-25-2026-ubnd"]),
    );
    add(
        "number",
        text("123/UBND-VP"),
        planted(&["p-cv-123-ubnd-vp"]),
    );
    add(
        "number",
        text("cong van 123 ubnd vp"),
        planted(&["p-cv-123-ubnd-vp"]),
    );
    add("number", text("15/QĐ-SNV"), planted(&["p-qd-15-snv"]));
    for pick in [
        docs.iter().find(|d| {
            d.agency == SNV && d.doc.document_type == "cong_van" && d.doc.number.is_some()
        }),
        docs.iter().find(|d| {
            d.agency == STNMT && d.doc.document_type == "ke_hoach" && d.doc.number.is_some()
        }),
    ]
    .into_iter()
    .flatten()
    {
        let number = pick.doc.number.clone().unwrap_or_default();
        let same: Vec<String> = ids(docs, |d| {
            d.doc.number.as_deref().map(str::to_lowercase) == Some(number.to_lowercase())
        });
        add("number", text(&format!("Số: {number}")), same);
    }

    // Phrases.
    add("phrase", text("\"chữ ký số\""), tags(&["cds.cv_chu_ky"]));
    add(
        "phrase",
        text("\"hội nghị sơ kết\""),
        tags(&["hoi_nghi.gm_so_ket", "hoi_nghi.tb_so_ket"]),
    );
    add(
        "phrase",
        text("\"giấy chứng nhận quyền sử dụng đất\""),
        tags(&["dat_dai.gcn"]),
    );
    add(
        "phrase",
        text("\"an toàn giao thông\" học sinh"),
        tags(&["giao_thong.cv_hs"]),
    );
    add(
        "phrase",
        text("\"ban chỉ đạo\" phòng chống dịch"),
        planted(&["p-legacy-encoding"]),
    );

    // Filters and sort orders.
    add(
        "filter",
        SearchRequest {
            document_type: Some("ke_hoach".into()),
            ..text("chuyen doi so")
        },
        tags(&["cds.kh"]),
    );
    add(
        "filter",
        SearchRequest {
            organ_id: Some(AGENCIES[SNV].organ_id.to_string()),
            ..text("cai cach hanh chinh")
        },
        ids(docs, |d| d.topic == "cchc" && d.agency == SNV),
    );
    add(
        "filter",
        SearchRequest {
            document_type: Some("bao_cao".into()),
            from: day(2025, 1, 1),
            to: day(2025, 12, 31),
            sort: SortOrder::Newest,
            ..text("bao cao")
        },
        ids(docs, |d| d.doc.document_type == "bao_cao" && d.year == 2025),
    );
    add(
        "filter",
        SearchRequest {
            document_type: Some("chi_thi".into()),
            sort: SortOrder::Newest,
            ..text("")
        },
        ids(docs, |d| d.doc.document_type == "chi_thi"),
    );
    add(
        "filter",
        SearchRequest {
            from: day(2026, 1, 1),
            ..text("ngan sach")
        },
        ids(docs, |d| d.topic == "ngan_sach" && d.year >= 2026),
    );
    add(
        "filter",
        SearchRequest {
            signer: Some("Trần Văn Hải".into()),
            document_type: Some("quyet_dinh".into()),
            ..text("")
        },
        ids(docs, |d| {
            d.doc.signer.as_deref() == Some("Trần Văn Hải") && d.doc.document_type == "quyet_dinh"
        }),
    );
    add(
        "filter",
        SearchRequest {
            status: Some("revoked".into()),
            ..text("")
        },
        ids(docs, |d| d.doc.status == "revoked"),
    );
    add(
        "filter",
        SearchRequest {
            organ_id: Some(AGENCIES[HUYEN].organ_id.to_string()),
            ..text("thien tai")
        },
        ids(docs, |d| d.topic == "thien_tai" && d.agency == HUYEN),
    );
    add(
        "filter",
        SearchRequest {
            sort: SortOrder::Oldest,
            ..text("tuyen sinh")
        },
        topic("tuyen_sinh"),
    );

    // One or two words.
    add("short", text("tham nhũng"), topic("pctn"));
    add("short", text("sốt xuất huyết"), tags(&["y_te.sxh"]));
    add("short", text("bằng khen"), tags(&["thi_dua.bang_khen"]));
    add(
        "short",
        text("hợp tác xã"),
        planted(&["p-nq-12-2025-hdnd", "p-tb-htx"]),
    );
    add(
        "legacy-encoding",
        text("ban chi dao phong chong dich benh"),
        planted(&["p-legacy-encoding"]),
    );

    // Several criteria in one line.
    add(
        "multi",
        text("báo cáo cải cách hành chính quý 2 năm 2026"),
        ids(docs, |d| d.tag == "cchc.bc" && d.year == 2026),
    );
    add(
        "multi",
        text("ke hoach tuyen sinh 2027"),
        ids(docs, |d| d.tag == "tuyen_sinh.kh" && d.year == 2027),
    );
    add(
        "multi",
        text("giao du toan ngan sach nam 2026"),
        ids(docs, |d| d.tag == "ngan_sach.giao" && d.year == 2026),
    );
    add(
        "multi",
        text("hoi nghi so ket 6 thang dau nam 2025"),
        ids(docs, |d| {
            d.tag.starts_with("hoi_nghi.") && d.tag.ends_with("so_ket") && d.year == 2025
        }),
    );

    // Type names and signers.
    add(
        "meta",
        text("quyết định bổ nhiệm"),
        tags(&["can_bo.bo_nhiem"]),
    );
    add(
        "meta",
        text("chỉ thị an toàn giao thông"),
        tags(&["giao_thong.ct"]),
    );
    add(
        "meta",
        text("Tran Van Hai"),
        ids(docs, |d| d.doc.signer.as_deref() == Some("Trần Văn Hải")),
    );

    // Everyday documents.
    add(
        "diacritics",
        text("tờ trình chủ trương đầu tư"),
        tags(&["tong_hop.to_trinh"]),
    );
    add(
        "no-diacritics",
        text("lich nghi tet nguyen dan"),
        tags(&["tong_hop.nghi_tet"]),
    );
    add(
        "no-diacritics",
        text("tinh hinh kinh te xa hoi"),
        tags(&["tong_hop.kt_xh"]),
    );

    // Unicode forms.
    add(
        "unicode-form",
        text("lễ hội văn hóa ẩm thực"),
        planted(&["p-nfd"]),
    );
    add(
        "unicode-form",
        text("dieu chinh quy hoach khu cong nghiep"),
        planted(&["p-eth"]),
    );
    cases
}

/// Documents for the scale benchmark: the same vocabulary, any number, streamed.
pub fn synthetic(count: u64, seed: u64) -> impl Iterator<Item = IndexedDocument> {
    let mut rng = Rng::new(seed);
    (0..count).map(move |i| {
        let topic = rng.pick(TOPICS);
        let template = rng.pick(topic.templates);
        let agency = &AGENCIES[*rng.pick(topic.agencies)];
        let year = 2015 + rng.below(13) as i32;
        let month = rng.range(1, 12);
        let context = Context {
            year,
            quarter: (month - 1) / 3 + 1,
            month,
            agency,
            project: rng.pick_str(PROJECTS),
            person: rng.pick_str(PERSONS),
            place: rng.pick_str(PLACES),
        };
        let (_, type_name, _) = type_of(template.type_code);
        let unit = rng.pick(agency.units).to_string();
        let number = number_of(template.type_code, agency, &unit, rng.range(1, 3000));
        let (status, signature_state) = status_for(&mut rng);
        IndexedDocument {
            id: format!("s{i}"),
            organ_id: agency.organ_id.to_string(),
            unit,
            document_type: template.type_code.to_string(),
            type_name: type_name.to_string(),
            number: Some(number),
            subject: fill(template.subject, &context),
            body: {
                let mut text = body(&mut rng, topic, template.type_code, &context, None);
                // Longer bodies, closer to a real page: paragraphs of two more topics.
                for _ in 0..2 {
                    let other = rng.pick(TOPICS);
                    text.push('\n');
                    text.push_str(&fill(rng.pick_str(other.paragraphs), &context));
                }
                text
            },
            signer: Some(rng.pick(agency.signers).to_string()),
            issue_date: NaiveDate::from_ymd_opt(year, month, rng.range(1, 28)),
            status: status.to_string(),
            signature_state: signature_state.to_string(),
            revision: 1,
            confidential: false,
            scan: false,
        }
    })
}

/// Year of a document, for predicates written against `IndexedDocument`.
pub fn year_of(doc: &IndexedDocument) -> Option<i32> {
    doc.issue_date.map(|d| d.year())
}
