//! Signature and seal images as ready-made PDF image XObject streams. The same signer's
//! signature and the same agency's seal are drawn on every document, and compressing their
//! samples was most of a signing's time (benches/RESULTS.md), so each PNG is decoded and
//! compressed once per process and reused, keyed by the SHA-256 of its bytes.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use lopdf::{dictionary, Document, ObjectId, Stream};
use sha2::{Digest, Sha256};

use super::images::{decode_png, ImageError, PdfImage};

/// Distinct PNGs kept (signers' signatures and agencies' seals, ~10–40 KB each compressed).
/// On overflow the cache is emptied: simple, bounded, and refilled by the next signings.
const CACHE_CAPACITY: usize = 256;

/// An image ready to be added to a PDF: the compressed DeviceRGB stream and, when the PNG has
/// transparency, its DeviceGray /SMask stream.
#[derive(Debug)]
pub struct PreparedImage {
    pub width: u32,
    pub height: u32,
    colour: Stream,
    mask: Option<Stream>,
}

impl PreparedImage {
    pub fn from_decoded(image: &PdfImage) -> Self {
        Self {
            width: image.width,
            height: image.height,
            colour: image_stream(image.width, image.height, "DeviceRGB", 3, &image.rgb),
            mask: image
                .alpha
                .as_ref()
                .map(|alpha| image_stream(image.width, image.height, "DeviceGray", 1, alpha)),
        }
    }

    /// Width over height, for fitting the image into a box.
    pub fn aspect(&self) -> f32 {
        self.width as f32 / self.height.max(1) as f32
    }

    /// Adds the image (and its /SMask) to `document`; returns the image's object id.
    pub fn add_to(&self, document: &mut Document) -> ObjectId {
        let mut colour = self.colour.clone();
        if let Some(mask) = &self.mask {
            let mask_id = document.add_object(mask.clone());
            colour.dict.set("SMask", mask_id);
        }
        document.add_object(colour)
    }
}

/// Decodes and compresses `png` once; later calls with the same bytes share the result.
pub fn prepare_png(png: &[u8]) -> Result<Arc<PreparedImage>, ImageError> {
    static CACHE: OnceLock<Mutex<HashMap<[u8; 32], Arc<PreparedImage>>>> = OnceLock::new();
    let key: [u8; 32] = Sha256::digest(png).into();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = lock(cache).get(&key) {
        return Ok(Arc::clone(found));
    }
    let prepared = Arc::new(PreparedImage::from_decoded(&decode_png(png)?));
    let mut entries = lock(cache);
    if entries.len() >= CACHE_CAPACITY {
        entries.clear();
    }
    entries.insert(key, Arc::clone(&prepared));
    Ok(prepared)
}

/// A poisoned lock only means another signing panicked mid-insert; the map is still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Level 6 (default): level 9 cost 3–20 ms per signing for barely smaller images
/// (benches/RESULTS.md); with the cache it is paid once per image anyway.
fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).ok()?;
    encoder.finish().ok()
}

/// An 8-bit image XObject stream; the samples are padded or cut to `width × height × components`
/// so the stream is always well-formed.
fn image_stream(
    width: u32,
    height: u32,
    colour_space: &str,
    components: usize,
    samples: &[u8],
) -> Stream {
    let mut data = samples.to_vec();
    data.resize(width as usize * height as usize * components, 0);
    let mut dict = dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => i64::from(width),
        "Height" => i64::from(height),
        "ColorSpace" => colour_space,
        "BitsPerComponent" => 8,
    };
    let content = match deflate(&data) {
        Some(compressed) => {
            dict.set("Filter", "FlateDecode");
            compressed
        }
        None => data,
    };
    Stream::new(dict, content).with_compression(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::images::demo_signature_png;

    #[test]
    fn the_same_png_is_prepared_once_and_shared() {
        let png = demo_signature_png("Lê Văn Cache").unwrap();
        let first = prepare_png(&png).unwrap();
        let second = prepare_png(&png).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        let other = prepare_png(&demo_signature_png("Phạm Thị Khác").unwrap()).unwrap();
        assert!(!Arc::ptr_eq(&first, &other));
    }

    #[test]
    fn added_image_carries_its_mask_and_compressed_samples() {
        let prepared = prepare_png(&demo_signature_png("Đỗ Văn Mặt Nạ").unwrap()).unwrap();
        let mut document = Document::with_version("1.7");
        let id = prepared.add_to(&mut document);
        let stream = document.get_object(id).unwrap().as_stream().unwrap();
        assert_eq!(
            stream.dict.get(b"Filter").unwrap().as_name().unwrap(),
            b"FlateDecode"
        );
        let mask = stream.dict.get(b"SMask").unwrap().as_reference().unwrap();
        let mask = document.get_object(mask).unwrap().as_stream().unwrap();
        let samples = mask.decompressed_content().unwrap();
        assert_eq!(samples.len(), (prepared.width * prepared.height) as usize);
    }
}
