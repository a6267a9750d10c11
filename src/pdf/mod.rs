//! Reading PDFs we receive. This module (with `signing`) is the only one that knows lopdf.
//! Every entry point is synchronous and bounded (decompression limit, object count); callers
//! run it through [`crate::blocking::run`] with a timeout.

mod cmap;
pub mod extract_text;
mod font_metrics;
mod glyph_names;
pub mod limits;
mod object_streams;
mod text_decode;
pub mod text_layout;

use lopdf::xref::XrefRecovery;

pub use extract_text::{extract, ExtractedText};

/// Facts about an accepted PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfFacts {
    pub version: String,
    pub page_count: u32,
    pub object_count: usize,
}

/// Why a file is refused. Each variant maps to a stable API code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfRejection {
    #[error("the file is not a PDF (it does not start with %PDF-)")]
    NotPdf,
    #[error("the PDF is encrypted or password-protected; upload an unencrypted file")]
    Encrypted,
    #[error("the PDF is truncated: no %%EOF marker at the end of the file")]
    Truncated,
    #[error("the PDF's cross-reference table is damaged and had to be reconstructed; re-export the file")]
    DamagedXref,
    #[error("the PDF cannot be parsed: {0}")]
    Unparseable(String),
    #[error("the PDF has no pages")]
    NoPages,
    #[error("the PDF has {0} objects, more than the {MAX_OBJECTS} allowed")]
    TooManyObjects(usize),
}

/// Upper bound on indirect objects in an accepted file; real administrative documents have a
/// few thousand at most.
pub const MAX_OBJECTS: usize = 500_000;
/// Upper bound for any single decompressed stream while loading (object and
/// cross-reference streams are decoded eagerly), for uploads and the signing engine.
pub(crate) const MAX_DECOMPRESSED_STREAM: usize = 256 * 1024 * 1024;

/// Checks that `bytes` are a complete, unencrypted, parseable PDF with at least one page.
pub fn inspect(bytes: &[u8]) -> Result<PdfFacts, PdfRejection> {
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_none() {
        return Err(PdfRejection::NotPdf);
    }
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if find(tail, b"%%EOF").is_none() {
        return Err(PdfRejection::Truncated);
    }
    let document = match limits::load(bytes, MAX_DECOMPRESSED_STREAM) {
        Ok(document) => document,
        Err(_) if looks_encrypted(bytes) => return Err(PdfRejection::Encrypted),
        Err(error) => return Err(PdfRejection::Unparseable(error.to_string())),
    };
    if document.is_encrypted()
        || document.encryption_state.is_some()
        || document.trailer.get(b"Encrypt").is_ok()
    {
        return Err(PdfRejection::Encrypted);
    }
    if document.xref_recovery == Some(XrefRecovery::Reconstructed) {
        return Err(PdfRejection::DamagedXref);
    }
    if document.objects.len() > MAX_OBJECTS {
        return Err(PdfRejection::TooManyObjects(document.objects.len()));
    }
    let page_count = document.get_pages().len();
    if page_count == 0 {
        return Err(PdfRejection::NoPages);
    }
    Ok(PdfFacts {
        version: document.version.clone(),
        page_count: u32::try_from(page_count).unwrap_or(u32::MAX),
        object_count: document.objects.len(),
    })
}

/// The text of the first pages in reading order, lines joined, for the search index. A file
/// without a text layer (a scan) gives an empty string; [`extract`] also says whether it is one.
pub fn extract_text(bytes: &[u8]) -> String {
    extract(bytes).text
}

/// Fuzzing entry point (not part of the API): parses `data` both as a ToUnicode CMap and
/// as an encoding CMap and returns how many entries were read. Must never panic.
#[doc(hidden)]
pub fn fuzz_parse_cmap(data: &[u8]) -> usize {
    let to_unicode = cmap::parse_to_unicode(data);
    let mut codespace = Vec::new();
    let mut cids = cmap::CodeMap::default();
    cmap::parse_encoding_cmap(data, &mut codespace, &mut cids);
    let probes = [(1u8, 0u32), (2, 0x20), (2, 0xFFFF), (4, u32::MAX)];
    let found = probes
        .iter()
        .filter(|(len, code)| {
            to_unicode.range(*len, *code).is_some() || cids.range(*len, *code).is_some()
        })
        .count();
    to_unicode.single.len() + to_unicode.ranges.len() + codespace.len() + cids.single.len() + found
}

/// A failed load of a file whose trailer names an /Encrypt dictionary is reported as
/// encryption, which tells the clerk what to do, rather than as a parse error.
fn looks_encrypted(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
    find(tail, b"/Encrypt").is_some()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_text_and_empty_input() {
        assert_eq!(inspect(b"hello world"), Err(PdfRejection::NotPdf));
        assert_eq!(inspect(b""), Err(PdfRejection::NotPdf));
    }

    #[test]
    fn refuses_a_header_without_an_end_marker() {
        assert_eq!(
            inspect(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
            Err(PdfRejection::Truncated)
        );
    }

    #[test]
    fn garbage_after_a_header_is_unparseable_not_a_panic() {
        let mut bytes = b"%PDF-1.7\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'(', 10_000));
        bytes.extend_from_slice(b"\n%%EOF\n");
        assert!(inspect(&bytes).is_err());
    }
}
