//! RFC 4180 CSV of the register, aimed at Excel as much as at other programs.

use super::{statutory_cells, RegisterHeader, RegisterRow, COLUMNS};

/// Excel reads a BOM-less CSV in the ANSI code page and turns "Số" into mojibake; with the
/// UTF-8 BOM it detects UTF-8. Other consumers (Python's `utf-8-sig`, LibreOffice) accept it.
const UTF8_BOM: char = '\u{feff}';

/// The register as CSV: a BOM, the ten statutory headings, then one record per row; CRLF line
/// ends, dates dd/mm/yyyy, recipients joined with "; ".
///
/// The title lines of `header` are deliberately not written: a CSV is for re-import, and lines
/// of another shape above the headings break every importer. The parameter is kept so callers
/// can treat the three formats alike.
pub fn to_csv(header: &RegisterHeader, rows: &[RegisterRow]) -> String {
    let _ = header;
    let mut out = String::with_capacity(256 + rows.len() * 256);
    out.push(UTF8_BOM);
    push_record(&mut out, COLUMNS.iter().map(|c| c.heading));
    for row in rows {
        let cells = statutory_cells(row);
        push_record(&mut out, cells.iter().map(String::as_str));
    }
    out
}

pub(super) fn push_record<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field);
    }
    out.push_str("\r\n");
}

/// Quotes only when RFC 4180 requires it (comma, quote, CR or LF), doubling inner quotes.
/// Embedded line breaks stay inside the quoted field, which Excel shows as a wrapped cell.
///
/// A field Excel would evaluate as a formula (leading `=`, `+`, `-`, `@`, tab or CR) gets a
/// leading apostrophe: register text comes from many users, and a subject like
/// `=HYPERLINK(...)` must not become a live formula on the clerk's machine (CSV injection).
fn push_field(out: &mut String, field: &str) {
    let neutralise = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = field.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if neutralise {
        out.push('\'');
    }
    if quote {
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    /// A small RFC 4180 reader, so the test checks a round trip instead of string fragments.
    fn parse(csv: &str) -> Vec<Vec<String>> {
        let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
        let (mut chars, mut quoted) = (csv.chars().peekable(), false);
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => quoted = true,
                (false, ',') => record.push(std::mem::take(&mut field)),
                (false, '\r') => assert_eq!(chars.next(), Some('\n'), "bare CR"),
                (false, '\n') => panic!("bare LF outside quotes"),
                (false, c) => field.push(c),
            }
            if !quoted && (c == '\r' || chars.peek().is_none()) {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
        }
        records
    }

    #[test]
    fn bom_headings_and_one_record_per_row() {
        let rows = fixtures::rows(3);
        let csv = to_csv(&fixtures::header(), &rows);
        assert!(
            csv.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]),
            "UTF-8 BOM first"
        );
        assert!(csv.ends_with("\r\n"));
        // No field of these rows needs quoting, so lines and records coincide.
        assert_eq!(csv.lines().count(), rows.len() + 1);
        let records = parse(csv.trim_start_matches(UTF8_BOM));
        assert_eq!(records.len(), 4);
        assert!(records.iter().all(|r| r.len() == 10));
        assert_eq!(records[0][0], "Số, ký hiệu văn bản");
        assert_eq!(records[0][5], "Đơn vị, người nhận bản lưu");
        assert_eq!(records[1][0], "01/QĐ-UBND");
        assert_eq!(records[1][1], "01/01/2027");
        assert_eq!(records[1][4], "Sở Nội vụ; Sở Tài chính");
        assert_eq!(records[3][7], "", "row 3 has not been sent");
        // The heading row is quoted because of its commas; plain Vietnamese text is not.
        assert!(csv.starts_with("\u{feff}\"Số, ký hiệu văn bản\",Ngày tháng văn bản,"));
    }

    #[test]
    fn commas_quotes_and_newlines_round_trip() {
        let mut row = fixtures::rows(1).remove(0);
        row.subject = "Về việc \"khẩn\", cần xử lý\r\nngay trong ngày\nlần 2".into();
        row.notes = "a,b".into();
        row.receipt = "\"".into();
        let csv = to_csv(&fixtures::header(), &[row.clone(), row]);
        let expected = "\"Quyết định Về việc \"\"khẩn\"\", cần xử lý\r\nngay trong ngày\nlần 2\"";
        assert!(csv.contains(expected), "{csv}");
        assert!(csv.contains(",\"\"\"\",\"a,b\"\r\n"), "{csv}");
        let records = parse(csv.trim_start_matches(UTF8_BOM));
        assert_eq!(
            records.len(),
            3,
            "embedded line breaks stay inside their record"
        );
        for record in &records[1..] {
            assert_eq!(
                record[2],
                "Quyết định Về việc \"khẩn\", cần xử lý\r\nngay trong ngày\nlần 2"
            );
            assert_eq!((record[8].as_str(), record[9].as_str()), ("\"", "a,b"));
        }
    }

    #[test]
    fn formula_like_text_is_neutralised() {
        let mut row = fixtures::rows(1).remove(0);
        row.notes = "=HYPERLINK(\"http://x\",\"y\")".into();
        row.receipt = "-1".into();
        row.signer = "@A".into();
        let records = parse(to_csv(&fixtures::header(), &[row]).trim_start_matches(UTF8_BOM));
        assert_eq!(records[1][9], "'=HYPERLINK(\"http://x\",\"y\")");
        assert_eq!(records[1][8], "'-1");
        assert_eq!(records[1][3], "'@A");
    }

    #[test]
    fn empty_register_is_just_the_headings() {
        let csv = to_csv(&fixtures::header(), &[]);
        assert_eq!(csv.lines().count(), 1);
        assert_eq!(parse(csv.trim_start_matches(UTF8_BOM))[0].len(), 10);
    }
}
