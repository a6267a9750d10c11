//! The text of a PDF for the search index, and whether the file is a scan (pages that are
//! images with no text layer, which only OCR could make searchable).
//!
//! The text is the positioned text of [`super::text_layout`], line by line, top to bottom,
//! page after page; `tests/api/extraction.rs` measures it against poppler's `pdftotext`.

/// Pages read for the index; a longer file is indexed by its first pages.
pub const MAX_PAGES: u32 = 50;
/// A page whose text layer has fewer letters and digits than this has no usable text (a page
/// number or a scanner's stamp is not a text layer).
pub const MIN_PAGE_CHARS: usize = 16;
/// A gap wider than this many font sizes between two spans of a line separates two blocks
/// side by side (the agency and the national motto of a Decree 30 header): they go on
/// separate lines, so that no phrase or bigram is made across them.
const BLOCK_GAP: f32 = 1.0;

/// What extraction found in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtractedText {
    /// The lines of the pages read, each followed by `\n`; pages end with a form feed.
    pub text: String,
    /// Pages read (at most [`MAX_PAGES`]).
    pub pages: u32,
    /// Pages with at least [`MIN_PAGE_CHARS`] letters and digits of text.
    pub text_pages: u32,
    /// Pages without such text that draw an image: scanned pages.
    pub image_pages: u32,
    /// At least half of the pages that show anything are scanned pages: the text layer (if
    /// any) does not hold the document's content.
    pub scan: bool,
}

/// Reads the text of the first [`MAX_PAGES`] pages and decides whether the file is a scan. A
/// file that cannot be read gives empty text and is not called a scan.
pub fn extract(bytes: &[u8]) -> ExtractedText {
    let Ok(document) = super::limits::load(bytes, super::MAX_DECOMPRESSED_STREAM) else {
        return ExtractedText::default();
    };
    let pages = document.get_pages();
    let mut out = ExtractedText::default();
    for (&number, &page_id) in pages.iter().take(MAX_PAGES as usize) {
        out.pages += 1;
        let mut letters = 0;
        if let Ok(lines) = super::text_layout::page_lines(&document, number) {
            for line in lines {
                letters += line.text.chars().filter(|c| c.is_alphanumeric()).count();
                push_line(&mut out.text, &line);
            }
        }
        out.text.push('\u{c}');
        if letters >= MIN_PAGE_CHARS {
            out.text_pages += 1;
        } else if document
            .get_page_images(page_id)
            .is_ok_and(|images| !images.is_empty())
        {
            out.image_pages += 1;
        }
    }
    out.scan = out.image_pages > 0 && out.image_pages >= out.text_pages;
    out
}

/// Appends the line, with a line break wherever a wide gap separates two blocks.
fn push_line(out: &mut String, line: &super::text_layout::TextLine) {
    let mut previous_end: Option<f32> = None;
    for span in &line.spans {
        if let Some(end) = previous_end {
            let gap = span.x - end;
            if gap > BLOCK_GAP * span.font_size {
                out.push('\n');
            } else if gap > 0.15 * span.font_size {
                out.push(' ');
            }
        }
        out.push_str(&span.text);
        previous_end =
            Some(previous_end.map_or(span.x + span.width, |e| e.max(span.x + span.width)));
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/pdf")
            .join(name);
        std::fs::read(path).unwrap()
    }

    #[test]
    fn the_scan_fixture_is_a_scan_with_no_text() {
        let extracted = extract(&fixture("van-ban-scan.pdf"));
        assert_eq!(extracted.pages, 2);
        assert_eq!(extracted.text_pages, 0);
        assert_eq!(extracted.image_pages, 2);
        assert!(extracted.scan);
        assert!(extracted.text.trim().is_empty(), "{:?}", extracted.text);
    }

    #[test]
    fn typeset_documents_are_not_scans() {
        for name in [
            "quyet-dinh.pdf",
            "cong-van.pdf",
            "ke-hoach.pdf",
            "thong-bao.pdf",
            "bao-cao.pdf",
            "quyet-dinh.objstm.pdf",
            "ke-hoach.annotated.pdf",
        ] {
            let extracted = extract(&fixture(name));
            assert!(!extracted.scan, "{name}: {extracted:?}");
            assert_eq!(extracted.text_pages, extracted.pages, "{name}");
            assert!(extracted.text.contains("Số:"), "{name}");
        }
    }

    #[test]
    fn unreadable_input_is_empty_and_not_a_scan() {
        assert_eq!(extract(b"not a pdf"), ExtractedText::default());
    }
}
