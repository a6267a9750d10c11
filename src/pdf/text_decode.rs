//! The decoding half of [`super::text_layout`]: a bounded interpreter for the text operators of
//! one page's content stream. Fonts (character codes to Unicode and advance widths) are in
//! [`super::font_metrics`], with [`super::cmap`] and [`super::glyph_names`].
//!
//! Form XObjects (`Do`), Type 3 glyph procedures and inline images are not entered: text drawn
//! inside a form is not seen. Everything here is bounded (content bytes, operators, glyphs,
//! CMap size, graphics-state depth) and never panics on hostile input.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use search_index::normalize_nfc;

use super::font_metrics::{num, Font};
use super::text_layout::TextLayoutError;

/// Upper bound on a page's decompressed content.
pub const MAX_CONTENT_BYTES: usize = 8 * 1024 * 1024;
/// Upper bound on the operators interpreted on one page.
pub const MAX_OPERATORS: usize = 200_000;
/// Upper bound on the character codes and TJ adjustments shown on one page.
pub const MAX_GLYPHS: usize = 200_000;
const MAX_FONTS: usize = 256;
const MAX_STACK: usize = 256;

/// One shown string: its text (NFC), the page-space x range of each of its characters, the
/// start of its baseline, its length along the baseline and its size in page space.
pub(crate) struct RawSpan {
    pub text: String,
    pub chars: Vec<(f32, f32)>,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub font_size: f32,
    pub bold: bool,
}

// ---------------------------------------------------------------------------------------------
// Content stream interpreter

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m × n` in the PDF row-vector convention (apply `m` first, then `n`).
fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn point(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
}

/// The last `N` operands as numbers (operands come right before their operator).
fn nums<const N: usize>(operands: &[Object]) -> Option<[f64; N]> {
    let tail = operands.get(operands.len().checked_sub(N)?..)?;
    let mut out = [0.0; N];
    for (slot, object) in out.iter_mut().zip(tail) {
        *slot = num(object)?;
    }
    Some(out)
}

#[derive(Clone)]
struct State {
    ctm: Matrix,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
    font: Option<Rc<Font>>,
    size: f64,
}

/// A span being built: characters with their x ranges, merged into NFC as they come.
#[derive(Default)]
struct Run {
    text: String,
    chars: Vec<(f32, f32)>,
    start: Option<(f64, f64, f64)>,
    end: (f64, f64),
}

fn combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

impl Run {
    fn push(&mut self, piece: &str, from: (f64, f64), to: (f64, f64), size: f64) {
        if self.start.is_none() {
            self.start = Some((from.0, from.1, size));
        }
        self.end = to;
        let piece = normalize_nfc(piece);
        let (mut x0, mut x1) = (from.0.min(to.0) as f32, from.0.max(to.0) as f32);
        let mut text = piece;
        if text.chars().next().is_some_and(combining) {
            if let (Some(last), Some(range)) = (self.text.pop(), self.chars.pop()) {
                text = normalize_nfc(&format!("{last}{text}"));
                x0 = x0.min(range.0);
                x1 = x1.max(range.1);
            }
        }
        for c in text.chars().filter(|c| !c.is_control()) {
            self.text.push(c);
            self.chars.push((x0, x1));
        }
    }

    fn finish(self, bold: bool) -> Option<RawSpan> {
        let (x, y, size) = self.start?;
        let width = (self.end.0 - x).hypot(self.end.1 - y);
        let span = RawSpan {
            text: self.text,
            chars: self.chars,
            x: x as f32,
            y: y as f32,
            width: width as f32,
            font_size: size as f32,
            bold,
        };
        let finite = [span.x, span.y, span.width, span.font_size]
            .iter()
            .all(|v| v.is_finite())
            && span
                .chars
                .iter()
                .all(|(a, b)| a.is_finite() && b.is_finite());
        (finite && !span.text.is_empty()).then_some(span)
    }
}

struct Interpreter<'a> {
    doc: &'a Document,
    resources: BTreeMap<Vec<u8>, &'a Dictionary>,
    fonts: HashMap<Vec<u8>, Option<Rc<Font>>>,
    state: State,
    stack: Vec<State>,
    overflow: usize,
    tm: Matrix,
    tlm: Matrix,
    glyphs: usize,
    codes: Vec<(u32, u8)>,
    spans: Vec<RawSpan>,
    page: u32,
}

/// Decodes the text shown on one page, in content-stream order.
pub(crate) fn decode_page(
    doc: &Document,
    page_id: ObjectId,
    page: u32,
) -> Result<Vec<RawSpan>, TextLayoutError> {
    let content = doc
        .get_page_content_with_limit(page_id, MAX_CONTENT_BYTES)
        .map_err(|e| TextLayoutError::Content {
            page,
            reason: e.to_string(),
        })?;
    let mut interpreter = Interpreter {
        doc,
        resources: doc.get_page_fonts(page_id).unwrap_or_default(),
        fonts: HashMap::new(),
        state: State {
            ctm: IDENTITY,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            font: None,
            size: 0.0,
        },
        stack: Vec::new(),
        overflow: 0,
        tm: IDENTITY,
        tlm: IDENTITY,
        glyphs: 0,
        codes: Vec::new(),
        spans: Vec::new(),
        page,
    };
    for (count, operation) in Content::decode_iter(&content).enumerate() {
        if count >= MAX_OPERATORS {
            return Err(TextLayoutError::TooManyOperators {
                page,
                limit: MAX_OPERATORS,
            });
        }
        // A syntax error ends the stream; what was shown before it is kept.
        let Ok(operation) = operation else { break };
        interpreter.apply(&operation.operator, &operation.operands)?;
    }
    Ok(interpreter.spans)
}

impl Interpreter<'_> {
    fn apply(&mut self, operator: &str, operands: &[Object]) -> Result<(), TextLayoutError> {
        let state = &mut self.state;
        match operator {
            "q" if self.stack.len() < MAX_STACK => self.stack.push(state.clone()),
            "q" => self.overflow += 1,
            "Q" if self.overflow > 0 => self.overflow -= 1,
            "Q" => {
                if let Some(saved) = self.stack.pop() {
                    *state = saved;
                }
            }
            "cm" => {
                if let Some(m) = nums::<6>(operands) {
                    state.ctm = mul(&m, &state.ctm);
                }
            }
            "BT" => (self.tm, self.tlm) = (IDENTITY, IDENTITY),
            "Tf" => {
                let name = operands
                    .len()
                    .checked_sub(2)
                    .and_then(|i| operands[i].as_name().ok());
                if let (Some(name), Some([size])) = (name, nums::<1>(operands)) {
                    self.state.font = self.font(name);
                    self.state.size = size;
                }
            }
            "Tc" | "Tw" | "Tz" | "TL" | "Ts" => {
                if let Some([v]) = nums::<1>(operands) {
                    match operator {
                        "Tc" => state.char_spacing = v,
                        "Tw" => state.word_spacing = v,
                        "Tz" => state.scale = v / 100.0,
                        "TL" => state.leading = v,
                        _ => {} // Ts: spans report the baseline without rise.
                    }
                }
            }
            "Td" | "TD" => {
                if let Some([x, y]) = nums::<2>(operands) {
                    if operator == "TD" {
                        state.leading = -y;
                    }
                    self.next_line(x, y);
                }
            }
            "Tm" => {
                if let Some(m) = nums::<6>(operands) {
                    (self.tm, self.tlm) = (m, m);
                }
            }
            "T*" => self.next_line(0.0, -self.state.leading),
            "Tj" | "'" | "\"" => {
                if operator == "\"" {
                    if let Some([aw, ac]) = operands
                        .len()
                        .checked_sub(1)
                        .and_then(|n| nums::<2>(&operands[..n]))
                    {
                        (state.word_spacing, state.char_spacing) = (aw, ac);
                    }
                }
                if operator != "Tj" {
                    self.next_line(0.0, -self.state.leading);
                }
                if let Some(string) = operands.last() {
                    self.show(std::slice::from_ref(string))?;
                }
            }
            "TJ" => {
                if let Some(Object::Array(parts)) = operands.last() {
                    self.show(parts)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn next_line(&mut self, x: f64, y: f64) {
        self.tlm = mul(&[1.0, 0.0, 0.0, 1.0, x, y], &self.tlm);
        self.tm = self.tlm;
    }

    fn font(&mut self, name: &[u8]) -> Option<Rc<Font>> {
        if let Some(font) = self.fonts.get(name) {
            return font.clone();
        }
        if self.fonts.len() >= MAX_FONTS {
            return None;
        }
        let font = self
            .resources
            .get(name)
            .map(|dict| Rc::new(Font::load(self.doc, dict)));
        self.fonts.insert(name.to_vec(), font.clone());
        font
    }

    fn count(&mut self, n: usize) -> Result<(), TextLayoutError> {
        self.glyphs = self.glyphs.saturating_add(n);
        if self.glyphs > MAX_GLYPHS {
            return Err(TextLayoutError::TooManyGlyphs {
                page: self.page,
                limit: MAX_GLYPHS,
            });
        }
        Ok(())
    }

    /// Shows the strings (and TJ adjustments) of one operator as one span.
    fn show(&mut self, parts: &[Object]) -> Result<(), TextLayoutError> {
        self.count(parts.len())?;
        let Some(font) = self.state.font.clone() else {
            // Unknown font: nothing can be decoded or measured.
            return Ok(());
        };
        let s = self.state.clone();
        let mut run = Run::default();
        for part in parts {
            match part {
                Object::String(bytes, _) => {
                    let mut codes = std::mem::take(&mut self.codes);
                    codes.clear();
                    font.codes(bytes, &mut codes);
                    self.count(codes.len())?;
                    for &(code, len) in &codes {
                        let w0 = font.advance(code, len);
                        let m = mul(&self.tm, &s.ctm);
                        let size = s.size * m[2].hypot(m[3]);
                        run.push(
                            &font.text(code, len),
                            point(&m, 0.0, 0.0),
                            point(&m, w0 * s.size * s.scale, 0.0),
                            size,
                        );
                        let spacing = if len == 1 && code == 32 {
                            s.word_spacing
                        } else {
                            0.0
                        };
                        self.advance((w0 * s.size + s.char_spacing + spacing) * s.scale);
                    }
                    self.codes = codes;
                }
                other => {
                    let Some(adjust) = num(other) else { continue };
                    let tx = -adjust / 1000.0 * s.size * s.scale;
                    // A wide gap inside TJ separates words.
                    if adjust <= -250.0
                        && !run.text.is_empty()
                        && !run.text.ends_with(char::is_whitespace)
                    {
                        let m = mul(&self.tm, &s.ctm);
                        run.push(
                            " ",
                            point(&m, 0.0, 0.0),
                            point(&m, tx, 0.0),
                            s.size * m[2].hypot(m[3]),
                        );
                    }
                    self.advance(tx);
                }
            }
        }
        if let Some(span) = run.finish(font.bold) {
            self.spans.push(span);
        }
        Ok(())
    }

    fn advance(&mut self, tx: f64) {
        self.tm[4] += tx * self.tm[0];
        self.tm[5] += tx * self.tm[1];
    }
}
