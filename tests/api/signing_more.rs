//! The visible result (rendered by poppler), signer-held keys (prepare/complete), scans with
//! an explicit position, and attachments issued as separate files.

use std::path::Path;
use std::process::Command;

use chrono::DateTime;
use openssl::hash::MessageDigest;
use openssl::sign::Signer;
use vanthu::signing::engine::{self, ExternalSignature, LayoutOverride};
use vanthu::signing::font::FontProgram;
use vanthu::signing::images;
use vanthu::signing::pdf_update::Placement;

use crate::helpers::fixture;
use crate::signing::*;

/// Pixels of the rendered page inside `rect` (PDF points, origin bottom-left).
fn pixels_in(png_path: &Path, page_height_pt: f32, dpi: f32, rect: [f32; 4]) -> Vec<[u8; 3]> {
    let decoder = png::Decoder::new(std::fs::File::open(png_path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.line_size / info.width as usize;
    let scale = dpi / 72.0;
    let (x1, x2) = ((rect[0] * scale) as u32, (rect[2] * scale) as u32);
    let (y1, y2) = (
        ((page_height_pt - rect[3]) * scale) as u32,
        ((page_height_pt - rect[1]) * scale) as u32,
    );
    let mut out = Vec::new();
    for y in y1..y2.min(info.height) {
        for x in x1..x2.min(info.width) {
            let at = y as usize * info.line_size + x as usize * channels;
            out.push([buffer[at], buffer[at + 1], buffer[at + 2]]);
        }
    }
    out
}

fn count(pixels: &[[u8; 3]], test: impl Fn([i32; 3]) -> bool) -> usize {
    pixels
        .iter()
        .filter(|p| test([p[0] as i32, p[1] as i32, p[2] as i32]))
        .count()
}

#[test]
fn the_issued_page_shows_blue_signature_red_seal_and_the_number_where_expected() {
    if !oracles_available() {
        return;
    }
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("tests/fixtures/pdf/quyet-dinh.pdf");
    let (signature_png, _) = crate::signing::demo_images();
    let plan = engine::plan_layout(
        &input,
        images::decode_png(&signature_png)
            .map(|i| i.width as f32 / i.height as f32)
            .unwrap(),
        &LayoutOverride::default(),
    )
    .unwrap();
    let (_, issued) = two_layers(&input, &pki);
    let path = write_temp(dir.path(), "issued.pdf", &issued);
    run(Command::new("pdftoppm")
        .args(["-r", "100", "-png", "-singlefile"])
        .arg(&path)
        .arg(dir.path().join("page")));
    let png_path = dir.path().join("page.png");
    let height = 842.0;
    // Left of the seal's edge the signature is under red; test its right two thirds for blue.
    let signature = plan.signature.rect;
    let right_part = [plan.seal.rect[2], signature[1], signature[2], signature[3]];
    let blue = count(
        &pixels_in(&png_path, height, 100.0, right_part),
        |[r, g, b]| b > r + 50 && b > g + 30,
    );
    assert!(blue > 200, "blue signature pixels: {blue}");
    let red = count(
        &pixels_in(&png_path, height, 100.0, plan.seal.rect),
        |[r, g, b]| r > g + 60 && r > b + 50,
    );
    assert!(red > 500, "red seal pixels: {red}");

    // The number and the date are text that poppler extracts where the blanks were.
    let words = run(Command::new("pdftotext")
        .args(["-bbox", "-f", "1", "-l", "1"])
        .arg(&path)
        .arg("-"));
    let number_rect = plan.number.expect("number slot found").placement.rect;
    let found = words.lines().any(|line| {
        line.contains(">05<")
            && word_centre(line).is_some_and(|(x, y)| {
                x >= number_rect[0]
                    && x <= number_rect[2]
                    && (height - y) >= number_rect[1]
                    && (height - y) <= number_rect[3]
            })
    });
    assert!(
        found,
        "the number 05 was not found in the number blank {number_rect:?}:\n{words}"
    );
    let text = run(Command::new("pdftotext")
        .args(["-layout", "-f", "1", "-l", "1"])
        .arg(&path)
        .arg("-"));
    assert!(
        text.contains("ngày 05") || text.contains("ngày05"),
        "{text}"
    );
    assert!(
        text.contains("tháng 01") || text.contains("tháng01"),
        "{text}"
    );
}

fn word_centre(line: &str) -> Option<(f32, f32)> {
    let attribute = |name: &str| -> Option<f32> {
        let start = line.find(&format!("{name}=\""))? + name.len() + 2;
        line[start..].split('"').next()?.parse().ok()
    };
    Some((
        (attribute("xMin")? + attribute("xMax")?) / 2.0,
        (attribute("yMin")? + attribute("yMax")?) / 2.0,
    ))
}

#[test]
fn a_signer_held_key_signs_through_prepare_and_complete() {
    let pki = pki();
    let (signature_png, seal) = crate::signing::demo_images();
    let input = fixture("tests/fixtures/pdf/ke-hoach.pdf");
    let time = DateTime::parse_from_rfc3339("2027-01-05T09:30:00+07:00").unwrap();
    let prepare = || {
        engine::prepare_personal_external(
            input.as_slice(),
            pki.personal.certificate.clone(),
            pki.personal.chain.clone(),
            &signature_png,
            &LayoutOverride::default(),
            time,
            "Ký duyệt",
        )
        .unwrap()
    };
    // The token signs the DER signed attributes (SHA-256 + RSA), the key never leaves it.
    let session = prepare();
    let mut signer = Signer::new(MessageDigest::sha256(), &pki.personal.key).unwrap();
    signer.update(&session.signed_attributes).unwrap();
    let raw = signer.sign_to_vec().unwrap();
    let layer1 =
        engine::complete_personal_external(session, ExternalSignature::Raw(raw.clone())).unwrap();

    // A signature by another key, or over other bytes, is refused.
    let session = prepare();
    let mut wrong = Signer::new(MessageDigest::sha256(), &pki.organization.key).unwrap();
    wrong.update(&session.signed_attributes).unwrap();
    let error = engine::complete_personal_external(
        session,
        ExternalSignature::Raw(wrong.sign_to_vec().unwrap()),
    )
    .err()
    .unwrap();
    assert!(error.to_string().contains("does not match"), "{error}");
    let error = engine::complete_personal_external(prepare(), ExternalSignature::Raw(raw)).err();
    assert!(error.is_none() || error.unwrap().to_string().contains("does not match"));
    // A CMS made elsewhere over other content is refused.
    let foreign = vanthu::signing::cms::sign_detached(
        &[7u8; 32],
        &pki.personal.key,
        &pki.personal.certificate,
        &pki.personal.chain,
    )
    .unwrap();
    let error = engine::complete_personal_external(prepare(), ExternalSignature::Cms(foreign))
        .err()
        .unwrap();
    assert!(error.to_string().contains("other bytes"), "{error}");

    // Layer 2 on top, then the oracles.
    let font = FontProgram::system_serif().unwrap();
    let issued = engine::sign_agency(
        layer1.as_slice(),
        &pki.organization,
        &number(),
        issue_date(),
        &seal,
        &font,
        time,
        "Bình An",
    )
    .unwrap();
    if oracles_available() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_temp(dir.path(), "external.pdf", &issued);
        let results = pyhanko(&path, &pki);
        assert_eq!(results.len(), 2);
        assert!(
            results.iter().all(|s| s["bottom_line"] == true),
            "{results:?}"
        );
    }
}

#[test]
fn a_scan_is_signed_at_an_explicit_position_and_validates() {
    if !oracles_available() {
        return;
    }
    let pki = pki();
    let scan = fixture("tests/fixtures/pdf/van-ban-scan.pdf");
    let overrides = LayoutOverride {
        signature_area: Some(Placement {
            page: 2,
            rect: [330.0, 150.0, 520.0, 230.0],
        }),
        ..Default::default()
    };
    let (_, issued) = two_layers_with(&scan, &pki, &overrides);
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(dir.path(), "scan.pdf", &issued);
    let results = pyhanko(&path, &pki);
    assert_eq!(results.len(), 2);
    assert!(
        results.iter().all(|s| s["bottom_line"] == true),
        "{results:?}"
    );
}

#[test]
fn an_attachment_carries_the_agency_signature_without_image_top_right() {
    if !oracles_available() {
        return;
    }
    let pki = pki();
    let font = FontProgram::system_serif().unwrap();
    let time = DateTime::parse_from_rfc3339("2027-01-05T10:00:00+07:00").unwrap();
    let signed = engine::sign_attachment(
        fixture("tests/fixtures/pdf/bao-cao.pdf"),
        &pki.organization,
        &number(),
        &font,
        time,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(dir.path(), "attachment.pdf", &signed);
    let results = pyhanko(&path, &pki);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["bottom_line"], true, "{results:?}");
    assert_eq!(results[0]["coverage"], "ENTIRE_FILE");
    let words = run(Command::new("pdftotext")
        .args(["-bbox", "-f", "1", "-l", "1"])
        .arg(&path)
        .arg("-"));
    let line = words
        .lines()
        .find(|l| l.contains(">05/QĐ-UBND<"))
        .unwrap_or_else(|| panic!("number not shown:\n{words}"));
    let (x, y) = word_centre(line).unwrap();
    assert!(x > 595.0 / 2.0 && y < 842.0 / 4.0, "top-right: ({x}, {y})");
    assert!(
        words.contains(">2027-01-05T10:00:00+07:00<"),
        "ISO 8601 time with +07:00:\n{words}"
    );
}
