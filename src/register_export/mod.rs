//! Printable and spreadsheet exports of the outgoing register (sổ đăng ký văn bản đi).
//!
//! Decree 30/2020 Art. 16 and App. IV require the register to be printable with at least ten
//! columns; this module renders the same rows as CSV (machine exchange, Excel), XLSX (clerks
//! who keep the register in a spreadsheet) and PDF (the printed, bound register). All three are
//! pure functions of their input so the HTTP and CLI layers decide where the bytes go.
//!
//! The column set lives in one place ([`COLUMNS`] and [`statutory_cells`]) so the three
//! formats cannot drift apart.

mod csv;
mod pdf;
#[cfg(test)]
mod pdf_tests;
mod tables;
mod wrap;
mod xlsx;

use chrono::NaiveDate;

use crate::signing::font::FontError;

pub use self::csv::to_csv;
pub use self::pdf::to_pdf;
pub use self::tables::{table_to_csv, tables_to_xlsx, Table};
pub use self::xlsx::to_xlsx;

/// One line of the register. Columns are the statutory minimum (Decree 30/2020 App. IV):
/// số, ký hiệu; ngày tháng; tên loại và trích yếu nội dung; người ký; nơi nhận; đơn vị, người
/// nhận bản lưu; số lượng bản; ngày chuyển; ký nhận; ghi chú.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RegisterRow {
    /// Number and notation as printed on the document, e.g. "05/QĐ-UBND".
    pub number: String,
    pub issued_on: NaiveDate,
    /// "Quyết định", "Công văn", …; printed in front of the subject as the form prescribes.
    pub type_name: String,
    /// Trích yếu.
    pub subject: String,
    pub signer: String,
    /// Nơi nhận, one entry per recipient; joined with "; " in a single cell.
    pub recipients: Vec<String>,
    /// Đơn vị, người nhận bản lưu.
    pub file_unit: String,
    pub copies: Option<i64>,
    pub sent_on: Option<NaiveDate>,
    /// Ký nhận: usually left empty for a handwritten signature on the printed register.
    pub receipt: String,
    pub notes: String,
}

/// The lines above the table: who keeps the register and which period it covers.
#[derive(Debug, Clone)]
pub struct RegisterHeader {
    /// 13-character agency identifier (App. VI OrganId), e.g. "000.00.00.G22".
    pub organ_id: String,
    pub agency_name: String,
    /// e.g. "SỔ ĐĂNG KÝ VĂN BẢN ĐI".
    pub title: String,
    /// e.g. "Từ ngày 01/01/2027 đến ngày 31/03/2027".
    pub period: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterExportError {
    #[error("writing the XLSX register failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("the register font cannot show the text: {0}")]
    Font(#[from] FontError),
    #[error("writing the PDF register failed: {0}")]
    Pdf(#[from] lopdf::Error),
}

/// How a column's values sit in their cell: short codes and dates read better centred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

/// One statutory column with the widths each layout gives it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    /// Heading text of App. IV, verbatim.
    pub heading: &'static str,
    /// Points on an A4 landscape page; the ten widths add up to the printable width.
    pub pdf_width: f32,
    /// Excel character units, chosen so the sheet prints one page wide at a readable scale.
    pub xlsx_width: f64,
    pub align: Align,
}

const fn column(heading: &'static str, pdf_width: f32, xlsx_width: f64, align: Align) -> Column {
    Column {
        heading,
        pdf_width,
        xlsx_width,
        align,
    }
}

/// The ten columns of the App. IV form, in order. The widest budget goes to the subject, which
/// is up to 500 characters (App. VI), then to the recipients list.
pub(crate) const COLUMNS: [Column; 10] = [
    column("Số, ký hiệu văn bản", 70.0, 14.0, Align::Center),
    column("Ngày tháng văn bản", 58.0, 11.0, Align::Center),
    column(
        "Tên loại và trích yếu nội dung văn bản",
        184.0,
        42.0,
        Align::Left,
    ),
    column("Người ký", 72.0, 16.0, Align::Left),
    column("Nơi nhận văn bản", 110.0, 24.0, Align::Left),
    column("Đơn vị, người nhận bản lưu", 76.0, 16.0, Align::Left),
    column("Số lượng bản", 44.0, 8.0, Align::Center),
    column("Ngày chuyển", 58.0, 11.0, Align::Center),
    column("Ký nhận", 52.0, 10.0, Align::Left),
    column("Ghi chú", 50.0, 12.0, Align::Left),
];

/// Index of the issue date and the date sent in [`COLUMNS`]; XLSX writes those as real dates.
pub(crate) const ISSUED_ON_COLUMN: usize = 1;
pub(crate) const COPIES_COLUMN: usize = 6;
pub(crate) const SENT_ON_COLUMN: usize = 7;

/// Vietnamese administrative date style (App. I: ngày/tháng/năm with two-digit day and month).
pub(crate) fn format_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// "Quyết định" + "về việc …" as one cell, as the form has a single "type and subject" column.
/// Either part may be empty (a clerk sometimes writes the type into the subject).
pub(crate) fn type_and_subject(row: &RegisterRow) -> String {
    let parts = [row.type_name.trim(), row.subject.trim()];
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of each statutory cell, as CSV and PDF print it.
pub(crate) fn statutory_cells(row: &RegisterRow) -> [String; 10] {
    [
        row.number.clone(),
        format_date(row.issued_on),
        type_and_subject(row),
        row.signer.clone(),
        row.recipients.join("; "),
        row.file_unit.clone(),
        row.copies.map(|c| c.to_string()).unwrap_or_default(),
        row.sent_on.map(format_date).unwrap_or_default(),
        row.receipt.clone(),
        row.notes.clone(),
    ]
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub fn header() -> RegisterHeader {
        RegisterHeader {
            organ_id: "000.00.00.G22".into(),
            agency_name: "ỦY BAN NHÂN DÂN TỈNH BÌNH AN".into(),
            title: "SỔ ĐĂNG KÝ VĂN BẢN ĐI".into(),
            period: "Từ ngày 01/01/2027 đến ngày 31/03/2027".into(),
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    /// `n` plausible rows; row 5 is "05/QĐ-UBND" about "giao chỉ tiêu", and every seventh row
    /// has a long subject and many recipients so cells wrap over several lines.
    pub fn rows(n: usize) -> Vec<RegisterRow> {
        (1..=n)
            .map(|i| {
                let long = i % 7 == 0;
                // Spread over the first quarter (89 days), in register order.
                let issued_on = date(2027, 1, 1) + chrono::Days::new(i as u64 * 89 / 120);
                let subject = if long {
                    "Về việc phê duyệt kế hoạch đầu tư công trung hạn giai đoạn 2026–2030 \
                     của các sở, ban, ngành và Ủy ban nhân dân các huyện, thị xã, thành phố \
                     trên địa bàn tỉnh, bảo đảm tiến độ giải ngân và hiệu quả sử dụng vốn"
                } else {
                    "Về việc giao chỉ tiêu kế hoạch năm 2027"
                };
                let mut recipients = vec!["Sở Nội vụ".to_string(), "Sở Tài chính".to_string()];
                if long {
                    recipients.extend(
                        [
                            "Văn phòng Chính phủ",
                            "Bộ Kế hoạch và Đầu tư",
                            "Lưu: VT, KT",
                        ]
                        .map(String::from),
                    );
                }
                RegisterRow {
                    number: format!("{i:02}/QĐ-UBND"),
                    issued_on,
                    type_name: "Quyết định".into(),
                    subject: subject.into(),
                    signer: "Nguyễn Văn Ánh".into(),
                    recipients,
                    file_unit: "Phòng Tổng hợp, Trần Thị Hương".into(),
                    copies: Some(3 + (i as i64 % 5)),
                    sent_on: (i % 3 != 0).then_some(issued_on),
                    receipt: String::new(),
                    notes: if i % 10 == 0 {
                        "Hỏa tốc".into()
                    } else {
                        String::new()
                    },
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_widths_fill_the_printable_width_of_a4_landscape() {
        let total: f32 = COLUMNS.iter().map(|c| c.pdf_width).sum();
        assert!((total - pdf::TABLE_WIDTH).abs() < 0.01, "{total}");
        assert_eq!(COLUMNS[ISSUED_ON_COLUMN].heading, "Ngày tháng văn bản");
        assert_eq!(COLUMNS[COPIES_COLUMN].heading, "Số lượng bản");
        assert_eq!(COLUMNS[SENT_ON_COLUMN].heading, "Ngày chuyển");
    }

    #[test]
    fn cells_follow_the_statutory_order() {
        let row = &fixtures::rows(5)[4];
        let cells = statutory_cells(row);
        assert_eq!(cells[0], "05/QĐ-UBND");
        assert_eq!(cells[1], "04/01/2027");
        assert_eq!(
            cells[2],
            "Quyết định Về việc giao chỉ tiêu kế hoạch năm 2027"
        );
        assert_eq!(cells[4], "Sở Nội vụ; Sở Tài chính");
        assert_eq!(cells[6], "3");
        let untyped = RegisterRow {
            type_name: " ".into(),
            ..row.clone()
        };
        assert_eq!(
            type_and_subject(&untyped),
            "Về việc giao chỉ tiêu kế hoạch năm 2027"
        );
    }
}
