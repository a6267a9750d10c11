use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ParseError;

/// Declares the document types of Decree 30/2020 (Art. 7, App. III) once: the variant, its
/// stable wire code (ASCII, because clients and URLs carry it), its notation abbreviation and
/// its Vietnamese name.
macro_rules! document_types {
    ($($variant:ident => $code:literal, $abbr:expr, $name:literal;)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize,
                 schemars::JsonSchema, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum DocumentType { $($variant,)+ }

        impl DocumentType {
            pub const ALL: &'static [DocumentType] = &[$(DocumentType::$variant,)+];

            /// The stable code used in the API, e.g. `quyet_dinh`.
            pub fn code(self) -> &'static str {
                match self { $(DocumentType::$variant => $code,)+ }
            }

            /// The abbreviation in notations (`QĐ`); `None` for công văn and thư công,
            /// whose notation uses the drafting unit instead.
            pub fn abbreviation(self) -> Option<&'static str> {
                match self { $(DocumentType::$variant => $abbr,)+ }
            }

            /// The Vietnamese name as printed in registers.
            pub fn name_vi(self) -> &'static str {
                match self { $(DocumentType::$variant => $name,)+ }
            }
        }
    };
}

document_types! {
    NghiQuyet => "nghi_quyet", Some("NQ"), "Nghị quyết";
    QuyetDinh => "quyet_dinh", Some("QĐ"), "Quyết định";
    ChiThi => "chi_thi", Some("CT"), "Chỉ thị";
    QuyChe => "quy_che", Some("QC"), "Quy chế";
    QuyDinh => "quy_dinh", Some("QyĐ"), "Quy định";
    ThongCao => "thong_cao", Some("TC"), "Thông cáo";
    ThongBao => "thong_bao", Some("TB"), "Thông báo";
    HuongDan => "huong_dan", Some("HD"), "Hướng dẫn";
    ChuongTrinh => "chuong_trinh", Some("CTr"), "Chương trình";
    KeHoach => "ke_hoach", Some("KH"), "Kế hoạch";
    PhuongAn => "phuong_an", Some("PA"), "Phương án";
    DeAn => "de_an", Some("ĐA"), "Đề án";
    DuAn => "du_an", Some("DA"), "Dự án";
    BaoCao => "bao_cao", Some("BC"), "Báo cáo";
    BienBan => "bien_ban", Some("BB"), "Biên bản";
    ToTrinh => "to_trinh", Some("TTr"), "Tờ trình";
    HopDong => "hop_dong", Some("HĐ"), "Hợp đồng";
    CongDien => "cong_dien", Some("CĐ"), "Công điện";
    BanGhiNho => "ban_ghi_nho", Some("BGN"), "Bản ghi nhớ";
    BanThoaThuan => "ban_thoa_thuan", Some("BTT"), "Bản thỏa thuận";
    GiayUyQuyen => "giay_uy_quyen", Some("GUQ"), "Giấy ủy quyền";
    GiayMoi => "giay_moi", Some("GM"), "Giấy mời";
    GiayGioiThieu => "giay_gioi_thieu", Some("GGT"), "Giấy giới thiệu";
    GiayNghiPhep => "giay_nghi_phep", Some("GNP"), "Giấy nghỉ phép";
    PhieuGui => "phieu_gui", Some("PG"), "Phiếu gửi";
    PhieuChuyen => "phieu_chuyen", Some("PC"), "Phiếu chuyển";
    PhieuBao => "phieu_bao", Some("PB"), "Phiếu báo";
    CongVan => "cong_van", None, "Công văn";
    ThuCong => "thu_cong", None, "Thư công";
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for DocumentType {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        DocumentType::ALL
            .iter()
            .copied()
            .find(|t| t.code() == raw)
            .ok_or_else(|| {
                ParseError::new("document_type", format!("unknown document type '{raw}'"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_unique_code_and_abbreviation() {
        let mut codes: Vec<_> = DocumentType::ALL.iter().map(|t| t.code()).collect();
        let mut abbreviations: Vec<_> = DocumentType::ALL
            .iter()
            .filter_map(|t| t.abbreviation())
            .collect();
        let (code_count, abbreviation_count) = (codes.len(), abbreviations.len());
        codes.sort();
        codes.dedup();
        abbreviations.sort();
        abbreviations.dedup();
        assert_eq!(codes.len(), code_count);
        assert_eq!(abbreviations.len(), abbreviation_count);
        assert_eq!(code_count, 29);
    }

    #[test]
    fn codes_parse_back() {
        for t in DocumentType::ALL {
            assert_eq!(t.code().parse::<DocumentType>().unwrap(), *t);
        }
        assert_eq!(DocumentType::QuyetDinh.abbreviation(), Some("QĐ"));
        assert_eq!(DocumentType::CongVan.abbreviation(), None);
    }
}
