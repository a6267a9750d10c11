//! Standard PDF encodings and glyph names, mapped to Unicode through lopdf's tables.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use lopdf::{Dictionary, Document, Object};

/// The 256 characters of a standard encoding, read once from lopdf's tables.
pub(super) fn base_table(name: &[u8]) -> Option<&'static [Option<char>]> {
    static TABLES: [OnceLock<Vec<Option<char>>>; 4] = [const { OnceLock::new() }; 4];
    const NAMES: [&[u8]; 4] = [
        b"StandardEncoding",
        b"WinAnsiEncoding",
        b"MacRomanEncoding",
        b"MacExpertEncoding",
    ];
    let index = NAMES.iter().position(|n| *n == name)?;
    let table = TABLES[index].get_or_init(|| {
        let doc = Document::new();
        let mut font = Dictionary::new();
        font.set("Type", Object::Name(b"Font".to_vec()));
        font.set("Encoding", Object::Name(name.to_vec()));
        let encoding = font.get_font_encoding(&doc).ok();
        (0..=255u8)
            .map(|b| {
                let text = encoding
                    .as_ref()
                    .and_then(|e| e.bytes_to_string(&[b]).ok())
                    .unwrap_or_default();
                let mut chars = text.chars();
                chars.next().filter(|_| chars.next().is_none())
            })
            .collect()
    });
    Some(table)
}

/// Unicode text for a glyph name: `uniXXXX…`, `uXXXX[XX]`, ligatures `a_b`, suffixes `a.sc`,
/// and Adobe Glyph List names (looked up through lopdf and cached).
pub(crate) fn glyph_name_text(name: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(name).ok()?;
    let base = match name.find('.') {
        Some(0) | None => name,
        Some(dot) => &name[..dot],
    };
    let mut out = String::new();
    for part in base.split('_') {
        out.push_str(&glyph_component(part)?);
    }
    Some(out).filter(|s| !s.is_empty())
}

fn glyph_component(part: &str) -> Option<String> {
    let hex = |s: &str| u32::from_str_radix(s, 16).ok();
    if let Some(digits) = part.strip_prefix("uni") {
        if !digits.is_empty()
            && digits.len() % 4 == 0
            && digits.bytes().all(|b| b.is_ascii_hexdigit())
        {
            let units: Vec<u16> = (0..digits.len() / 4)
                .filter_map(|i| hex(&digits[i * 4..i * 4 + 4]))
                .map(|u| u as u16)
                .collect();
            return Some(
                char::decode_utf16(units)
                    .map(|c| c.unwrap_or('\u{FFFD}'))
                    .collect(),
            );
        }
    }
    if let Some(digits) = part.strip_prefix('u') {
        if (4..=6).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return hex(digits).and_then(char::from_u32).map(String::from);
        }
    }
    let plausible = part.len() <= 40
        && part.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && part.bytes().all(|b| b.is_ascii_alphanumeric());
    let generated = ["g", "glyph", "cid", "index", "G"].iter().any(|p| {
        part.strip_prefix(p)
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    });
    if !plausible || generated {
        return None;
    }
    adobe_glyph(part)
}

/// lopdf knows the Adobe Glyph List but only exposes it through font encodings: ask it with a
/// one-entry /Differences array. Answers are cached (bounded) so each name is asked once.
fn adobe_glyph(name: &str) -> Option<String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(name).cloned()) {
        return hit;
    }
    let doc = Document::new();
    let mut encoding = Dictionary::new();
    encoding.set(
        "Differences",
        vec![Object::Integer(0), Object::Name(name.as_bytes().to_vec())],
    );
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Encoding", Object::Dictionary(encoding));
    let text = font
        .get_font_encoding(&doc)
        .ok()
        .and_then(|e| e.bytes_to_string(&[0]).ok())
        .filter(|s| !s.is_empty());
    if let Ok(mut cache) = cache.lock() {
        if cache.len() < 4096 {
            cache.insert(name.to_string(), text.clone());
        }
    }
    text
}
