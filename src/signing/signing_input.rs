//! The file being signed, parsed once. Signing reads the page tree, fonts, content streams
//! and form fields, never image samples, so image streams are emptied while parsing: a
//! scanned 50 MB file then costs its bytes plus a small object graph instead of twice its
//! size (benches/RESULTS.md). The bytes are owned so the incremental update appends to them
//! without another copy.

use lopdf::{Document, IncrementalDocument};

use super::pdf_update::PdfSignError;

pub struct SigningInput {
    bytes: Vec<u8>,
    document: Document,
}

impl SigningInput {
    /// Parses `bytes`, refusing encrypted files and files whose xref had to be rebuilt
    /// (the update's `/Prev` would not chain to the real last revision).
    pub fn parse(bytes: Vec<u8>) -> Result<Self, PdfSignError> {
        let document = crate::pdf::limits::load_without_image_samples(
            &bytes,
            crate::pdf::MAX_DECOMPRESSED_STREAM,
        )
        .map_err(|e| PdfSignError::Unreadable(e.to_string()))?;
        if document.is_encrypted()
            || document.encryption_state.is_some()
            || document.trailer.get(b"Encrypt").is_ok()
        {
            return Err(PdfSignError::Encrypted);
        }
        if document.xref_recovery.is_some() {
            return Err(PdfSignError::DamagedXref);
        }
        Ok(Self { bytes, document })
    }

    /// The parsed file (image streams have no content).
    pub fn document(&self) -> &Document {
        &self.document
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn page_count(&self) -> u32 {
        self.document.get_pages().len() as u32
    }

    /// The incremental update over these bytes, and their length (where the update starts).
    pub(super) fn into_update(self) -> (IncrementalDocument, usize) {
        let length = self.bytes.len();
        (
            IncrementalDocument::create_from(self.bytes, self.document),
            length,
        )
    }
}

/// Set on every emptied image stream so the update can refuse to write one back (the real
/// samples would be lost).
pub(super) const DROPPED_MARK: &[u8] = crate::pdf::limits::SAMPLES_NOT_LOADED;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_samples_are_not_loaded_but_pages_and_fonts_are() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pdf");
        let scan = std::fs::read_dir(path)
            .unwrap()
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|p| p.to_string_lossy().contains("scan"))
            .expect("a scan fixture");
        let input = SigningInput::parse(std::fs::read(&scan).unwrap()).unwrap();
        assert!(input.page_count() >= 1);
        let images: Vec<_> = input
            .document()
            .objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .filter(|s| s.dict.has(DROPPED_MARK))
            .collect();
        assert!(!images.is_empty(), "the scan has image streams");
        assert!(images.iter().all(|s| s.content.is_empty()));
    }
}
