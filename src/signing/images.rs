//! Signature and seal images (Decree 30/2020, Appendix I): the signer's handwritten signature is
//! a BLUE transparent PNG; the agency seal is a RED transparent PNG at real size (a round seal is
//! 36–40 mm across). This module makes demo images for `vanthu init` and decodes any PNG to 8-bit
//! RGB + alpha (`prepared_image` turns that into PDF image XObjects).

use std::path::Path;

use super::raster;

/// Largest accepted width or height of a decoded PNG, in pixels.
pub const MAX_DIMENSION: u32 = 4000;
/// Largest accepted decoded size (8-bit samples, all channels), in bytes.
pub const MAX_DECODED_BYTES: u64 = 20 * 1024 * 1024;

const SIGNATURE_BLUE: [u8; 3] = [0x1a, 0x3c, 0xb4];
const SEAL_RED: [u8; 3] = [0xd0, 0x02, 0x1b];
const SIGNATURE_SIZE: (usize, usize) = (600, 240);
/// 40 mm at 300 dpi.
const SEAL_SIZE: usize = 472;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("the PNG could not be decoded: {0}")]
    Decode(#[source] png::DecodingError),
    #[error("the PNG could not be encoded: {0}")]
    Encode(#[source] png::EncodingError),
    #[error(
        "the image is {width}x{height} px; at most {MAX_DIMENSION}x{MAX_DIMENSION} px is accepted"
    )]
    TooLarge { width: u32, height: u32 },
    #[error(
        "the image would take {bytes} bytes decoded; at most {MAX_DECODED_BYTES} bytes is accepted"
    )]
    TooManyBytes { bytes: u64 },
    #[error("the image has no pixels")]
    Empty,
    #[error("the PNG's colour type could not be converted to RGB")]
    Unsupported,
}

/// A decoded PNG ready for PDF: 8-bit RGB samples and, when the PNG has transparency that is
/// actually used (some pixel not fully opaque), an 8-bit alpha channel for /SMask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfImage {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
    pub alpha: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Blue,
    Red,
    Other,
}

/// A handwritten-looking signature: a few smooth, variable-width pen strokes (cubic Bézier curves
/// drawn with anti-aliasing) plus an underline flourish, in blue (#1a3cb4) on a fully transparent
/// background, 600x240 px, derived deterministically from `seed_text` (e.g. the signer's name).
pub fn demo_signature_png(seed_text: &str) -> Result<Vec<u8>, ImageError> {
    let (width, height) = SIGNATURE_SIZE;
    let canvas = raster::signature(&search_index::normalize_nfc(seed_text), width, height);
    canvas.to_png(SIGNATURE_BLUE).map_err(ImageError::Encode)
}

/// A round red (#d0021b) seal, 472x472 px (40 mm at 300 dpi): outer and inner rings, a
/// five-pointed star in the centre and `agency_name` (NFC, upper-case) around the ring, rasterised
/// from the glyph outlines of the TrueType font at `font_path`; transparent background. Without a
/// readable font the seal is drawn without the text.
pub fn demo_seal_png(agency_name: &str, font_path: Option<&Path>) -> Result<Vec<u8>, ImageError> {
    let text =
        search_index::normalize_nfc(&search_index::normalize_nfc(agency_name).to_uppercase());
    let font = font_path.and_then(|path| match std::fs::read(path) {
        Ok(font) => Some(font),
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "seal font unreadable; no seal text");
            None
        }
    });
    let face = font.as_deref().and_then(|font| match ttf_parser::Face::parse(font, 0) {
        Ok(face) => Some(face),
        Err(error) => {
            tracing::warn!(%error, "seal font is not a usable TrueType/OpenType font; no seal text");
            None
        }
    });
    let canvas = raster::seal(SEAL_SIZE, face.as_ref().map(|face| (face, text.as_str())));
    canvas.to_png(SEAL_RED).map_err(ImageError::Encode)
}

/// Decodes any PNG (palette, grey, grey+alpha, RGB, RGBA, 1–16 bit, tRNS transparency) to 8-bit
/// RGB (+ alpha). Refuses images over 4000x4000 px or 20 MB decoded before decoding pixel data.
pub fn decode_png(bytes: &[u8]) -> Result<PdfImage, ImageError> {
    let limits = png::Limits {
        bytes: MAX_DECODED_BYTES as usize,
    };
    let mut decoder = png::Decoder::new_with_limits(bytes, limits);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let header = decoder.read_header_info().map_err(ImageError::Decode)?;
    let (width, height) = (header.width, header.height);
    if width == 0 || height == 0 {
        return Err(ImageError::Empty);
    }
    if width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(ImageError::TooLarge { width, height });
    }
    // After EXPAND every image has at most four 8-bit channels.
    let worst_case = u64::from(width) * u64::from(height) * 4;
    if worst_case > MAX_DECODED_BYTES {
        return Err(ImageError::TooManyBytes { bytes: worst_case });
    }
    let mut reader = decoder.read_info().map_err(ImageError::Decode)?;
    let mut buffer = vec![0u8; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buffer).map_err(ImageError::Decode)?;
    let channels = match frame.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err(ImageError::Unsupported),
    };
    let pixels = width as usize * height as usize;
    let mut rgb = Vec::with_capacity(pixels * 3);
    let mut alpha = Vec::with_capacity(if channels % 2 == 0 { pixels } else { 0 });
    for row in buffer.chunks(frame.line_size).take(height as usize) {
        for pixel in row.chunks_exact(channels).take(width as usize) {
            match pixel {
                [grey] => rgb.extend_from_slice(&[*grey; 3]),
                [grey, a] => {
                    rgb.extend_from_slice(&[*grey; 3]);
                    alpha.push(*a);
                }
                [r, g, b] => rgb.extend_from_slice(&[*r, *g, *b]),
                [r, g, b, a] => {
                    rgb.extend_from_slice(&[*r, *g, *b]);
                    alpha.push(*a);
                }
                _ => {}
            }
        }
    }
    let alpha = (alpha.len() == pixels && alpha.iter().any(|&a| a != 255)).then_some(alpha);
    Ok(PdfImage {
        width,
        height,
        rgb,
        alpha,
    })
}

/// The dominant ink colour: among opaque pixels (alpha ≥ 128) that are not near-white paper, at
/// least 60 % must be "mostly blue" (B well above R and G) or "mostly red" (R well above G and B).
pub fn dominant_colour(image: &PdfImage) -> Colour {
    let (mut ink, mut blue, mut red) = (0usize, 0usize, 0usize);
    for (index, pixel) in image.rgb.chunks_exact(3).enumerate() {
        let opaque = image
            .alpha
            .as_ref()
            .is_none_or(|a| a.get(index).is_some_and(|&a| a >= 128));
        let (r, g, b) = (
            i32::from(pixel[0]),
            i32::from(pixel[1]),
            i32::from(pixel[2]),
        );
        if !opaque || r.min(g).min(b) >= 230 {
            continue;
        }
        ink += 1;
        if b >= r + 50 && b >= g + 30 {
            blue += 1;
        } else if r >= g + 60 && r >= b + 50 {
            red += 1;
        }
    }
    match ink {
        0 => Colour::Other,
        _ if blue * 10 >= ink * 6 => Colour::Blue,
        _ if red * 10 >= ink * 6 => Colour::Red,
        _ => Colour::Other,
    }
}

/// A bold serif with Vietnamese coverage for the seal's ring text, when the system has one.
pub fn system_bold_serif() -> Option<std::path::PathBuf> {
    [
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    ]
    .into_iter()
    .map(std::path::PathBuf::from)
    .find(|path| path.exists())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Document, Object, Stream};

    const FONTS: [&str; 2] = [
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    ];
    const AGENCY: &str = "ỦY BAN NHÂN DÂN TỈNH BÌNH AN";

    fn test_font() -> Option<&'static Path> {
        FONTS.iter().map(Path::new).find(|p| p.exists())
    }

    /// A one-row 8-bit PNG; `setup` may add a palette, tRNS or change the depth.
    fn encode(
        width: u32,
        colour: png::ColorType,
        setup: fn(&mut png::Encoder<&mut Vec<u8>>),
        data: &[u8],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, 1);
        encoder.set_color(colour);
        encoder.set_depth(png::BitDepth::Eight);
        setup(&mut encoder);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(data).unwrap();
        writer.finish().unwrap();
        out
    }

    fn ink(image: &PdfImage) -> usize {
        image.alpha.iter().flatten().filter(|&&a| a >= 128).count()
    }

    #[test]
    fn demo_signature_is_blue_transparent_and_seeded() {
        let image = decode_png(&demo_signature_png("Nguyễn Văn An").unwrap()).unwrap();
        assert_eq!((image.width, image.height), (600, 240));
        assert_eq!(
            image.alpha.as_ref().unwrap()[0],
            0,
            "top-left corner is fully transparent"
        );
        assert_eq!(dominant_colour(&image), Colour::Blue);
        assert!(
            ink(&image) > 3000,
            "signature has visible strokes: {}",
            ink(&image)
        );
        let again = decode_png(&demo_signature_png("Nguyễn Văn An").unwrap()).unwrap();
        assert_eq!(image, again, "deterministic");
        let other = decode_png(&demo_signature_png("Trần Thị Bình").unwrap()).unwrap();
        assert_ne!(
            image.alpha, other.alpha,
            "different signers, different signatures"
        );
    }

    #[test]
    fn demo_seal_is_red_round_and_has_text_when_a_font_exists() {
        let plain = decode_png(&demo_seal_png(AGENCY, None).unwrap()).unwrap();
        assert_eq!((plain.width, plain.height), (472, 472));
        assert_eq!(plain.alpha.as_ref().unwrap()[0], 0);
        assert_eq!(dominant_colour(&plain), Colour::Red);
        let missing = demo_seal_png(AGENCY, Some(Path::new("/nonexistent/font.ttf"))).unwrap();
        assert_eq!(
            plain,
            decode_png(&missing).unwrap(),
            "unreadable font: seal without text"
        );
        let Some(font) = test_font() else {
            eprintln!("no Liberation/DejaVu serif bold font installed; skipping seal text check");
            return;
        };
        let lettered = decode_png(&demo_seal_png(AGENCY, Some(font)).unwrap()).unwrap();
        assert_eq!(dominant_colour(&lettered), Colour::Red);
        assert!(
            ink(&lettered) > ink(&plain) + 5000,
            "{} vs {}",
            ink(&lettered),
            ink(&plain)
        );
        // Decomposed input (combining marks) renders exactly like precomposed input.
        let decomposed = "U\u{309}Y BAN NHA\u{302}N DA\u{302}N TI\u{309}NH BI\u{300}NH AN";
        let decomposed = demo_seal_png(decomposed, Some(font)).unwrap();
        assert!(decomposed == demo_seal_png(AGENCY, Some(font)).unwrap());
    }

    #[test]
    fn decodes_rgba_palette_and_grey_pngs() {
        let rgba = encode(
            2,
            png::ColorType::Rgba,
            |_| {},
            &[255, 0, 0, 255, 0, 0, 255, 0],
        );
        let image = decode_png(&rgba).unwrap();
        assert_eq!(image.rgb, vec![255, 0, 0, 0, 0, 255]);
        assert_eq!(image.alpha, Some(vec![255, 0]));

        let palette = encode(
            3,
            png::ColorType::Indexed,
            |e| {
                e.set_palette(vec![10, 20, 200, 250, 250, 250]);
                e.set_trns(vec![255, 0]);
            },
            &[0, 1, 0],
        );
        let image = decode_png(&palette).unwrap();
        assert_eq!(image.rgb, vec![10, 20, 200, 250, 250, 250, 10, 20, 200]);
        assert_eq!(image.alpha, Some(vec![255, 0, 255]));
        assert_eq!(dominant_colour(&image), Colour::Blue);

        let grey = decode_png(&encode(2, png::ColorType::Grayscale, |_| {}, &[0, 255])).unwrap();
        assert_eq!(grey.rgb, vec![0, 0, 0, 255, 255, 255]);
        assert_eq!(grey.alpha, None, "opaque images need no /SMask");
        assert_eq!(dominant_colour(&grey), Colour::Other);
        let deep = encode(
            1,
            png::ColorType::GrayscaleAlpha,
            |e| e.set_depth(png::BitDepth::Sixteen),
            &[0x12, 0x34, 0x80, 0],
        );
        let deep = decode_png(&deep).unwrap();
        assert_eq!((deep.rgb, deep.alpha), (vec![0x12; 3], Some(vec![0x80])));
    }

    #[test]
    fn refuses_huge_and_garbage_input_without_panicking() {
        // Signature + IHDR for a 5000x5000 RGBA image and nothing else.
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&5000u32.to_be_bytes());
        ihdr.extend_from_slice(&5000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut crc = flate2::Crc::new();
        crc.update(&ihdr);
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend_from_slice(&13u32.to_be_bytes());
        bytes.extend_from_slice(&ihdr);
        bytes.extend_from_slice(&crc.sum().to_be_bytes());
        assert!(matches!(
            decode_png(&bytes),
            Err(ImageError::TooLarge { width: 5000, .. })
        ));
        assert!(matches!(
            decode_png(b"not a png"),
            Err(ImageError::Decode(_))
        ));
        assert!(decode_png(&[]).is_err());
        let valid = demo_signature_png("x").unwrap();
        assert!(
            decode_png(&valid[..valid.len() / 2]).is_err(),
            "truncated PNG"
        );
    }

    #[test]
    fn image_xobject_renders_with_transparency() {
        let image =
            super::super::prepared_image::prepare_png(&demo_seal_png(AGENCY, test_font()).unwrap())
                .unwrap();
        let mut document = Document::with_version("1.7");
        let image_id = image.add_to(&mut document);
        let content = document.add_object(Stream::new(
            dictionary! {},
            b"q 200 0 0 80 100 600 cm /Im1 Do Q".to_vec(),
        ));
        let pages = document.new_object_id();
        let page = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content,
            "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => image_id } },
        });
        let pages_dict =
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 };
        document
            .objects
            .insert(pages, Object::Dictionary(pages_dict));
        let catalog = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        document.trailer.set("Root", catalog);
        let directory = tempfile::tempdir().unwrap();
        let pdf = directory.path().join("image.pdf");
        document.save(&pdf).unwrap();

        let output = directory.path().join("page");
        let status = std::process::Command::new("pdftoppm")
            .args(["-r", "72", "-png", "-singlefile"])
            .arg(&pdf)
            .arg(&output)
            .status();
        let Ok(status) = status else {
            assert!(
                std::env::var("VANTHU_TEST_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "pdftoppm is required"
            );
            eprintln!("pdftoppm not installed; skipping render check");
            return;
        };
        assert!(status.success(), "pdftoppm failed on the generated PDF");
        let page = decode_png(&std::fs::read(output.with_extension("png")).unwrap()).unwrap();
        assert_eq!((page.width, page.height), (595, 842));
        let pixel = |x: usize, y: usize| &page.rgb[(y * 595 + x) * 3..(y * 595 + x) * 3 + 3];
        // The image covers x 100..300, y 162..242 (top-down); its centre is the seal's star.
        let centre = pixel(200, 202);
        assert!(
            centre[0] > 150 && centre[1] < 100,
            "centre is seal red: {centre:?}"
        );
        let corner = pixel(102, 164);
        assert!(
            corner.iter().all(|&c| c > 240),
            "transparent corner is white: {corner:?}"
        );
    }

    /// Writes the demo images for a human to look at: `cargo test --lib signing::images -- --ignored`.
    #[test]
    #[ignore]
    fn write_demo_images_for_inspection() {
        let signature = demo_signature_png("Nguyễn Văn An").unwrap();
        std::fs::write("/tmp/vanthu-demo-signature.png", signature).unwrap();
        let seal = demo_seal_png(AGENCY, test_font()).unwrap();
        std::fs::write("/tmp/vanthu-demo-seal.png", seal).unwrap();
    }
}
