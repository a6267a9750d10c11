//! Checks of the PDF register with the poppler and qpdf command-line tools, which read the file
//! the way a viewer or printer would. Each tool is skipped when absent, unless
//! VANTHU_TEST_REQUIRE_SERVICES=1 says the environment must have it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lopdf::{Document, Object};
use search_index::normalize_nfc;

use super::fixtures;
use super::{to_pdf, RegisterHeader, RegisterRow};
use crate::signing::font::FontProgram;

fn required() -> bool {
    std::env::var("VANTHU_TEST_REQUIRE_SERVICES").as_deref() == Ok("1")
}

fn serif() -> Option<FontProgram> {
    match FontProgram::system_serif() {
        Ok(font) => Some(font),
        Err(error) => {
            assert!(!required(), "VANTHU_TEST_REQUIRE_SERVICES=1 but {error}");
            eprintln!("skipping: {error}");
            None
        }
    }
}

/// Runs a tool; None (with a note) when it is not installed.
fn run(tool: &str, args: &[&str]) -> Option<Output> {
    match Command::new(tool).args(args).output() {
        Ok(output) => Some(output),
        Err(error) => {
            assert!(
                !required(),
                "VANTHU_TEST_REQUIRE_SERVICES=1 but {tool}: {error}"
            );
            eprintln!("skipping {tool}: {error}");
            None
        }
    }
}

fn pdftotext(file: &str, page: Option<usize>) -> Option<String> {
    let page = page.map(|p| p.to_string());
    let mut args = vec!["-layout"];
    if let Some(page) = &page {
        args.extend(["-f", page, "-l", page]);
    }
    args.extend([file, "-"]);
    let output = run("pdftotext", &args)?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(normalize_nfc(&String::from_utf8_lossy(&output.stdout)))
}

/// Renders and writes the PDF to a temporary directory; with VANTHU_REGISTER_PDF_OUT set, also
/// copies it there so a person can look at the result.
fn render(
    header: &RegisterHeader,
    rows: &[RegisterRow],
    font: &FontProgram,
) -> (tempfile::TempDir, PathBuf, Document) {
    let bytes = to_pdf(header, rows, font).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.pdf");
    std::fs::write(&path, &bytes).unwrap();
    if let Ok(out) = std::env::var("VANTHU_REGISTER_PDF_OUT") {
        std::fs::write(out, &bytes).unwrap();
    }
    let document = Document::load_mem(&bytes).unwrap();
    (dir, path, document)
}

fn media_box(document: &Document, page: lopdf::ObjectId) -> Vec<i64> {
    let dict = document.get_dictionary(page).unwrap();
    let array = dict.get(b"MediaBox").and_then(Object::as_array).unwrap();
    array.iter().map(|o| o.as_i64().unwrap()).collect()
}

fn check_structure(path: &Path) {
    let file = path.to_str().unwrap();
    if let Some(out) = run("qpdf", &["--check", file]) {
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "qpdf --check: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("No syntax or stream encoding errors"),
            "{stdout}"
        );
    }
}

#[test]
fn register_of_120_rows_paginates_extracts_and_renders() {
    let Some(font) = serif() else { return };
    let (dir, path, document) = render(&fixtures::header(), &fixtures::rows(120), &font);
    let pages: Vec<_> = document.get_pages().into_values().collect();
    assert!(
        pages.len() >= 4,
        "120 rows, some of them 5 lines tall, need several pages: {}",
        pages.len()
    );
    for page in &pages {
        assert_eq!(
            media_box(&document, *page),
            [0, 0, 842, 595],
            "A4 landscape"
        );
    }
    check_structure(&path);
    let file = path.to_str().unwrap();
    if let Some(text) = pdftotext(file, None) {
        for expected in [
            "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
            "ỦY BAN NHÂN DÂN TỈNH BÌNH AN",
            "Mã định danh: 000.00.00.G22",
            "Từ ngày 01/01/2027 đến ngày 31/03/2027",
            "05/QĐ-UBND",
            "120/QĐ-UBND",
            "giao chỉ tiêu kế hoạch năm",
            "Nguyễn Văn Ánh",
            "Hỏa tốc",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from:\n{text}"
            );
        }
        // Every row is printed exactly once, even those that moved to the next page.
        for i in 1..=120 {
            // The number column comes first, so each row's line starts with its number.
            let number = format!("{i:02}/QĐ-UBND ");
            let rows = text.lines().filter(|l| l.trim_start().starts_with(&number));
            assert_eq!(rows.count(), 1, "{number}");
        }
        // The title block is only on the first page.
        assert_eq!(text.matches("SỔ ĐĂNG KÝ VĂN BẢN ĐI").count(), 1);
    }
    // The heading row, its numbering and the page number are on every page.
    for page in 1..=pages.len() {
        let Some(text) = pdftotext(file, Some(page)) else {
            break;
        };
        for expected in [
            "Người ký",
            "Ghi chú",
            "Số lượng",
            "Ngày chuyển",
            "(1)",
            "(10)",
            &format!("Trang {page}/{}", pages.len()),
        ] {
            assert!(
                text.contains(expected),
                "page {page} lacks {expected:?}:\n{text}"
            );
        }
    }
    let prefix = dir.path().join("page");
    let args = [
        "-r",
        "40",
        "-png",
        "-f",
        "1",
        "-l",
        "1",
        file,
        prefix.to_str().unwrap(),
    ];
    if let Some(out) = run("pdftoppm", &args) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !stderr.contains("Error"),
            "{stderr}"
        );
        let png = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().ends_with(".png"));
        let png = png.expect("pdftoppm wrote page 1").path();
        assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    }
}

#[test]
fn a_row_taller_than_a_page_is_split_not_lost() {
    let Some(font) = serif() else { return };
    let mut rows = fixtures::rows(3);
    rows[1].notes = (1..=80)
        .map(|i| format!("dòng {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let (_dir, path, document) = render(&fixtures::header(), &rows, &font);
    assert!(document.get_pages().len() >= 3, "80 note lines span pages");
    check_structure(&path);
    if let Some(text) = pdftotext(path.to_str().unwrap(), None) {
        assert!(
            text.contains("dòng 1 ") || text.contains("dòng 1\n"),
            "{text}"
        );
        assert!(text.contains("dòng 80"), "{text}");
        assert!(text.contains("03/QĐ-UBND"));
    }
}

#[test]
fn untrusted_text_never_breaks_the_pdf() {
    let Some(font) = serif() else { return };
    let mut rows = fixtures::rows(1);
    rows[0].subject =
        "Về việc 😀\tthử\u{7} (kiểm tra) <b> \\ % \r\n 123/QĐ-UBND-VPUBND-KTTH-NNMT-XYZ".into();
    rows[0].number = String::new();
    // A runaway header wraps, is cut at three lines, and leaves room for the table.
    let mut header = fixtures::header();
    header.period = "Từ ngày 01/01/2027 đến ngày 31/03/2027 ".repeat(100);
    header.agency_name = "\n".into();
    let (_dir, path, document) = render(&header, &rows, &font);
    assert_eq!(document.get_pages().len(), 1);
    check_structure(&path);
    if let Some(text) = pdftotext(path.to_str().unwrap(), None) {
        assert!(text.contains("Về việc ? thử (kiểm tra) <b> \\ %"), "{text}");
    }
}

#[test]
fn an_empty_register_still_prints_the_form() {
    let Some(font) = serif() else { return };
    let (_dir, path, document) = render(&fixtures::header(), &[], &font);
    assert_eq!(document.get_pages().len(), 1);
    check_structure(&path);
    if let Some(text) = pdftotext(path.to_str().unwrap(), None) {
        assert!(
            text.contains("Tên loại và trích") && text.contains("Trang 1/1"),
            "{text}"
        );
    }
}
