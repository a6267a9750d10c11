//! XLSX of the register: one sheet laid out like the printed App. IV form, so a clerk can
//! print it from Excel or keep working in it.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use super::{
    statutory_cells, Align, RegisterExportError, RegisterHeader, RegisterRow, COLUMNS,
    COPIES_COLUMN, ISSUED_ON_COLUMN, SENT_ON_COLUMN,
};

/// Decree 30/2020 prescribes Times New Roman for administrative documents; the register
/// follows suit so printouts look like the rest of the agency's paperwork.
const FONT: &str = "Times New Roman";
/// A4 in Excel's paper-size numbering.
const PAPER_A4: u8 = 9;
/// Sheet rows (0-based) of the headings and of the "(1) … (10)" numbering row; data follows.
const HEADING_ROW: u32 = 6;
const NUMBERING_ROW: u32 = 7;
const FIRST_DATA_ROW: u32 = 8;
const LAST_COLUMN: u16 = COLUMNS.len() as u16 - 1;

/// The styles of the sheet, built once: rust_xlsxwriter dedupes formats, but building ten
/// per row would still be wasted work.
struct Styles {
    agency: Format,
    title: Format,
    period: Format,
    heading: Format,
    numbering: Format,
    text: [Format; 2],
    date: Format,
    number: Format,
}

impl Styles {
    fn new() -> Self {
        let base = Format::new().set_font_name(FONT).set_font_size(11);
        let cell = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        let centred = cell.clone().set_align(FormatAlign::Center);
        Styles {
            agency: base.clone().set_bold(),
            title: base
                .clone()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            period: base.clone().set_italic().set_align(FormatAlign::Center),
            heading: centred
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xE7E6E6)),
            numbering: centred.clone().set_italic(),
            text: [
                cell.clone().set_text_wrap(),
                centred.clone().set_text_wrap(),
            ],
            date: centred.clone().set_num_format("dd/mm/yyyy"),
            number: centred.set_num_format("0"),
        }
    }

    fn text(&self, align: Align) -> &Format {
        &self.text[usize::from(align == Align::Center)]
    }
}

/// The register as an .xlsx file: agency and organ id, title and period above the table, a
/// bold heading row repeated on every printed page, wrapped cells, issue and sent dates as
/// real Excel dates (sortable, filterable) shown dd/mm/yyyy, copies as a number.
///
/// Text is written as strings, never as formulas, so user input cannot run in Excel.
pub fn to_xlsx(
    header: &RegisterHeader,
    rows: &[RegisterRow],
) -> Result<Vec<u8>, RegisterExportError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(&header.title));
    let sheet = workbook.add_worksheet();
    sheet.set_name("Sổ đăng ký")?;
    page_setup(sheet)?;
    write_title(sheet, header, &styles)?;
    for (i, column) in COLUMNS.iter().enumerate() {
        let col = i as u16;
        sheet.set_column_width(col, column.xlsx_width)?;
        sheet.write_string_with_format(HEADING_ROW, col, column.heading, &styles.heading)?;
        let number = format!("({})", i + 1);
        sheet.write_string_with_format(NUMBERING_ROW, col, number, &styles.numbering)?;
    }
    sheet.set_row_height(HEADING_ROW, 45)?;
    for (offset, row) in rows.iter().enumerate() {
        let r =
            FIRST_DATA_ROW + u32::try_from(offset).map_err(|_| XlsxError::RowColumnLimitError)?;
        write_row(sheet, r, row, &styles)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// Printing like the paper register: A4 landscape, one page wide, headings repeated, page
/// numbers in the footer; the panes freeze below the headings for on-screen scrolling.
fn page_setup(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    sheet.set_paper_size(PAPER_A4);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    // Inches; the wider left margin leaves room for binding the printed register.
    sheet.set_margins(0.8, 0.4, 0.5, 0.6, 0.3, 0.3);
    sheet.set_footer("&CTrang &P/&N");
    sheet.set_repeat_rows(HEADING_ROW, NUMBERING_ROW)?;
    sheet.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    Ok(())
}

fn write_title(
    sheet: &mut Worksheet,
    header: &RegisterHeader,
    styles: &Styles,
) -> Result<(), XlsxError> {
    sheet.merge_range(0, 0, 0, 4, &header.agency_name, &styles.agency)?;
    let organ = if header.organ_id.is_empty() {
        String::new()
    } else {
        format!("Mã định danh: {}", header.organ_id)
    };
    sheet.merge_range(
        1,
        0,
        1,
        4,
        &organ,
        &styles.period.clone().set_align(FormatAlign::Left),
    )?;
    sheet.merge_range(3, 0, 3, LAST_COLUMN, &header.title, &styles.title)?;
    sheet.merge_range(4, 0, 4, LAST_COLUMN, &header.period, &styles.period)?;
    sheet.set_row_height(3, 22)?;
    Ok(())
}

fn write_row(
    sheet: &mut Worksheet,
    r: u32,
    row: &RegisterRow,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let cells = statutory_cells(row);
    for (i, (text, column)) in cells.iter().zip(COLUMNS.iter()).enumerate() {
        let col = i as u16;
        let date = match i {
            ISSUED_ON_COLUMN => Some(row.issued_on),
            SENT_ON_COLUMN => row.sent_on,
            _ => None,
        };
        if let Some(date) = date {
            sheet.write_datetime_with_format(r, col, excel_date(date)?, &styles.date)?;
        } else if let (COPIES_COLUMN, Some(copies)) = (i, row.copies) {
            // Copies are small counts; f64 holds every i64 up to 2^53 exactly.
            sheet.write_number_with_format(r, col, copies as f64, &styles.number)?;
        } else if text.is_empty() {
            // A blank with the cell format keeps the ruled lines of the table.
            sheet.write_blank(r, col, styles.text(column.align))?;
        } else {
            sheet.write_string_with_format(r, col, text, styles.text(column.align))?;
        }
    }
    Ok(())
}

/// Excel dates run from 1900 to 9999; anything else is rejected by `from_ymd`, and a year that
/// does not even fit u16 is mapped to 0 so it is rejected the same way.
fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(date.year()).unwrap_or(0);
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;
    use std::process::Command;

    fn python(script: &str, file: &std::path::Path) -> Option<String> {
        let output = Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(file)
            .output()
            .ok()?;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        Some(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    fn has_openpyxl() -> bool {
        let probe = Command::new("python3")
            .args(["-c", "import openpyxl"])
            .output();
        probe.is_ok_and(|o| o.status.success())
    }

    #[test]
    fn xlsx_is_a_zip_with_the_vietnamese_cells() {
        let rows = fixtures::rows(12);
        let bytes = to_xlsx(&fixtures::header(), &rows).unwrap();
        assert!(bytes.starts_with(b"PK"), "an .xlsx is a zip archive");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("register.xlsx");
        std::fs::write(&file, &bytes).unwrap();

        // The standard library's zipfile is enough to see the strings made it in as UTF-8.
        let strings = "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \
                       print(z.read('xl/sharedStrings.xml').decode('utf-8'))";
        match python(strings, &file) {
            Some(xml) => {
                for expected in [
                    "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
                    "05/QĐ-UBND",
                    "Ngày tháng văn bản",
                    "Sở Nội vụ; Sở Tài chính",
                ] {
                    assert!(xml.contains(expected), "{expected:?} missing");
                }
            }
            None => eprintln!("skipping zip read-back: no python3"),
        }
        if !has_openpyxl() {
            eprintln!("skipping openpyxl read-back: python3 -c 'import openpyxl' failed");
            return;
        }
        let script = r#"
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
print(ws.title)
for ref in ["A1", "A2", "A4", "A5", "A7", "C7", "J8", "A13", "B13", "C13", "E13", "G13", "H13", "H11", "J18"]:
    v = ws[ref].value
    print(ref, v.date().isoformat() if hasattr(v, "date") else repr(v))
print(ws["A7"].font.b, ws["B13"].number_format, ws.freeze_panes, ws.print_title_rows)
print(ws.page_setup.orientation, ws.page_setup.paperSize, ws.max_row)
"#;
        let out = python(script, &file).unwrap_or_default();
        let expected = "Sổ đăng ký\n\
            A1 'ỦY BAN NHÂN DÂN TỈNH BÌNH AN'\n\
            A2 'Mã định danh: 000.00.00.G22'\n\
            A4 'SỔ ĐĂNG KÝ VĂN BẢN ĐI'\n\
            A5 'Từ ngày 01/01/2027 đến ngày 31/03/2027'\n\
            A7 'Số, ký hiệu văn bản'\n\
            C7 'Tên loại và trích yếu nội dung văn bản'\n\
            J8 '(10)'\n\
            A13 '05/QĐ-UBND'\n\
            B13 2027-01-04\n\
            C13 'Quyết định Về việc giao chỉ tiêu kế hoạch năm 2027'\n\
            E13 'Sở Nội vụ; Sở Tài chính'\n\
            G13 3\n\
            H13 2027-01-04\n\
            H11 None\n\
            J18 'Hỏa tốc'\n\
            True dd/mm/yyyy A9 $7:$8\n\
            landscape 9 20\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn dates_excel_cannot_hold_are_errors_not_panics() {
        let mut rows = fixtures::rows(1);
        rows[0].issued_on = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
        let error = to_xlsx(&fixtures::header(), &rows).unwrap_err();
        assert!(matches!(error, RegisterExportError::Xlsx(_)), "{error}");
    }
}
