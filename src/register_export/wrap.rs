//! Text preparation for the PDF register: making user text drawable with the subset font and
//! breaking it into lines that fit a table cell.

use std::collections::HashMap;

use search_index::normalize_nfc;

use crate::signing::font::{EmbeddedFont, FontError, FontProgram};

/// Shown instead of a character the font has no glyph for. Refusing to print the whole
/// register because one subject contains an emoji would be worse than a visible placeholder.
const REPLACEMENT: char = '?';

/// Makes `text` drawable: NFC (what the font module looks glyphs up by), tabs as spaces, line
/// breaks kept as `\n` for [`wrap`] to honour, other control characters dropped, and
/// characters outside the font replaced by [`REPLACEMENT`].
pub(crate) struct Sanitizer<'a> {
    font: &'a FontProgram,
    covered: HashMap<char, bool>,
}

impl<'a> Sanitizer<'a> {
    pub fn new(font: &'a FontProgram) -> Self {
        Sanitizer {
            font,
            covered: HashMap::new(),
        }
    }

    pub fn clean(&mut self, text: &str) -> String {
        let text = normalize_nfc(&text.replace("\r\n", "\n"));
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '\n' | '\r' => out.push('\n'),
                '\t' => out.push(' '),
                c if c.is_control() => {}
                c => {
                    let font = self.font;
                    let covered = *self
                        .covered
                        .entry(c)
                        .or_insert_with(|| c == ' ' || font.covers(c.encode_utf8(&mut [0; 4])));
                    out.push(if covered { c } else { REPLACEMENT });
                }
            }
        }
        out
    }
}

/// Greedy word wrap of sanitized text into lines no wider than `max_width` points at `size`.
///
/// Paragraphs (`\n`) start new lines; runs of spaces collapse; a word wider than the cell (a
/// long notation such as "123/QĐ-UBND-VPUBND") is broken between characters rather than
/// overflowing into the next column. Empty text gives no lines.
pub(crate) fn wrap(
    font: &EmbeddedFont,
    text: &str,
    size: f32,
    max_width: f32,
) -> Result<Vec<String>, FontError> {
    let space = font.text_width(" ", size)?;
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut width = 0.0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let word_width = font.text_width(word, size)?;
            if !line.is_empty() && width + space + word_width <= max_width {
                line.push(' ');
                line.push_str(word);
                width += space + word_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if word_width <= max_width {
                line.push_str(word);
                width = word_width;
                continue;
            }
            for piece in break_word(font, word, size, max_width)? {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                width = font.text_width(&piece, size)?;
                line = piece;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    Ok(lines)
}

/// Splits one over-long word into pieces that fit, at least one character per piece so even a
/// cell narrower than a glyph makes progress.
fn break_word(
    font: &EmbeddedFont,
    word: &str,
    size: f32,
    max_width: f32,
) -> Result<Vec<String>, FontError> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut width = 0.0;
    for c in word.chars() {
        let w = font.text_width(c.encode_utf8(&mut [0; 4]), size)?;
        if !piece.is_empty() && width + w > max_width {
            pieces.push(std::mem::take(&mut piece));
            width = 0.0;
        }
        piece.push(c);
        width += w;
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::font::embed_subset;
    use lopdf::Document;

    fn setup(texts: &[&str]) -> Option<(FontProgram, EmbeddedFont)> {
        let font = match FontProgram::system_serif() {
            Ok(font) => font,
            Err(error) => {
                let required = std::env::var("VANTHU_TEST_REQUIRE_SERVICES").as_deref() == Ok("1");
                assert!(!required, "VANTHU_TEST_REQUIRE_SERVICES=1 but {error}");
                eprintln!("skipping: {error}");
                return None;
            }
        };
        let embedded = embed_subset(&mut Document::with_version("1.7"), &font, texts).ok()?;
        Some((font, embedded))
    }

    #[test]
    fn sanitizer_keeps_vietnamese_and_replaces_the_rest() {
        let Ok(font) = FontProgram::system_serif() else {
            return;
        };
        let mut sanitizer = Sanitizer::new(&font);
        // Decomposed "ố" (o + circumflex + acute) comes out precomposed.
        let cleaned = sanitizer.clean("So\u{302}\u{301}\tQĐ\r\nlần\u{7}2 😀");
        assert_eq!(cleaned, "Số QĐ\nlần2 ?");
    }

    #[test]
    fn wrap_fits_words_breaks_long_ones_and_keeps_paragraphs() {
        let text = "Về việc giao chỉ tiêu kế hoạch năm 2027\ncho các huyện 123/QĐ-UBND-VPUBND-KT";
        let Some((_, font)) = setup(&[text]) else {
            return;
        };
        let max = 60.0;
        let lines = wrap(&font, text, 9.0, max).unwrap();
        assert!(lines.len() > 4, "{lines:?}");
        for line in &lines {
            assert!(
                font.text_width(line, 9.0).unwrap() <= max + 0.01,
                "{line:?}"
            );
        }
        assert!(
            lines.iter().any(|l| l.starts_with("cho")),
            "paragraph break kept: {lines:?}"
        );
        // Without loss: joining the lines gives back the words in order.
        let rejoined: String = lines.concat();
        let original: String = text.split_whitespace().collect();
        assert_eq!(rejoined.replace(' ', ""), original);
        assert!(wrap(&font, "", 9.0, max).unwrap().is_empty());
        assert_eq!(wrap(&font, "Về việc", 9.0, 500.0).unwrap(), ["Về việc"]);
    }
}
