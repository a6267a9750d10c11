//! Where things go on a page: the positioned text of a page (spans and lines) and, from it, the
//! Decree 30/2020 landmarks a clerk's number, the issue date and the signer's image are put on.
//!
//! Coordinates are PDF user space of the page in points: origin at the bottom left of the
//! default coordinate system, y growing upwards, page /Rotate and /MediaBox origin ignored.
//! Text inside Form XObjects is not read (see [`super::text_decode`]). Synchronous and
//! bounded: at most [`MAX_OPERATORS`] operators, [`MAX_GLYPHS`] glyphs and
//! [`MAX_CONTENT_BYTES`] of decompressed content per page.

use lopdf::Document;
use search_index::fold_diacritics;

use super::text_decode::{decode_page, RawSpan};
pub use super::text_decode::{MAX_CONTENT_BYTES, MAX_GLYPHS, MAX_OPERATORS};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextLayoutError {
    #[error("the PDF has no pages")]
    NoPages,
    #[error("the PDF has no page {0}")]
    NoSuchPage(u32),
    #[error("the content of page {page} cannot be read: {reason}")]
    Content { page: u32, reason: String },
    #[error("page {page} has more than {limit} content operators")]
    TooManyOperators { page: u32, limit: usize },
    #[error("page {page} shows more than {limit} glyphs")]
    TooManyGlyphs { page: u32, limit: usize },
}

/// One shown string with its position in page space (after the CTM and text matrix), in
/// reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct TextSpan {
    /// NFC; a wide TJ adjustment inside the string becomes a space.
    pub text: String,
    pub x: f32,
    /// Baseline (text rise excluded).
    pub y: f32,
    /// Length along the baseline, from the first glyph's origin to the last glyph's advance.
    pub width: f32,
    /// Font size scaled to page space.
    pub font_size: f32,
}

/// Spans sharing a baseline (within [`LINE_TOLERANCE`]), left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// The spans' text joined with a space where the gap between them is wide, white space
    /// (including no-break spaces) collapsed to one space, trimmed.
    pub text: String,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    /// The largest span font size.
    pub font_size: f32,
    pub spans: Vec<TextSpan>,
}

/// A place to write into: baseline start and size of the text around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    pub x: f32,
    pub y: f32,
    pub font_size: f32,
    /// Width available up to the next text on that line, if any.
    pub available_width: Option<f32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Landmarks {
    /// Where the number goes: just right of the "Số:" label, on its baseline; None if no such
    /// label on the first page.
    pub number_slot: Option<Slot>,
    /// The blanks of the place-and-date line on the first page (the topmost line with
    /// "ngày … tháng … năm" that still has a blank): right of "ngày" (day) and of "tháng"
    /// (month) unless a number follows them, right of "năm" only if no year follows (year).
    pub day_slot: Option<Slot>,
    pub month_slot: Option<Slot>,
    pub year_slot: Option<Slot>,
    /// The signer block on the last page: the box between the bottom of the title line(s) and
    /// the top of the signer's name, spanning (so centred on) both. [x1, y1, x2, y2] with
    /// y1 < y2, in points.
    pub signature_box: Option<[f32; 4]>,
    /// The page searched for the signer block (the last page).
    pub page: u32,
}

/// Baselines closer than this (points) are one line.
pub const LINE_TOLERANCE: f32 = 2.0;
/// A gap wider than this fraction of the font size between spans is a word space.
const WORD_GAP: f32 = 0.15;
/// A gap wider than this many font sizes splits a line into columns (signer block search).
const COLUMN_GAP: f32 = 1.0;
/// Authority marks that open a signer block (Decree 30/2020, Appendix I), folded.
const AUTHORITY_MARKS: [&str; 5] = ["TM.", "KT.", "TL.", "TUQ.", "Q."];

/// The text shown on a page (1-based), in reading order: top to bottom, then left to right.
pub fn page_spans(document: &Document, page_number: u32) -> Result<Vec<TextSpan>, TextLayoutError> {
    Ok(lines(document, page_number)?
        .iter()
        .flat_map(|l| l.spans.iter().map(public_span))
        .collect())
}

/// The text lines of a page (1-based), top to bottom.
pub fn page_lines(document: &Document, page_number: u32) -> Result<Vec<TextLine>, TextLayoutError> {
    Ok(lines(document, page_number)?
        .iter()
        .map(Line::public)
        .collect())
}

/// Searches the first page for the number label and date line and the last page for the signer
/// block. Matching ignores diacritics and case; "Số:" may be split across spans.
pub fn find_landmarks(document: &Document) -> Result<Landmarks, TextLayoutError> {
    let last = u32::try_from(document.get_pages().len()).unwrap_or(u32::MAX);
    if last == 0 {
        return Err(TextLayoutError::NoPages);
    }
    let first_lines = lines(document, 1)?;
    let (day_slot, month_slot, year_slot) = date_slots(&first_lines);
    let last_lines;
    let signer_lines = if last == 1 {
        &first_lines
    } else {
        last_lines = lines(document, last)?;
        &last_lines
    };
    Ok(Landmarks {
        number_slot: number_slot(&first_lines),
        day_slot,
        month_slot,
        year_slot,
        signature_box: signature_box(signer_lines),
        page: last,
    })
}

// ---------------------------------------------------------------------------------------------
// Lines

struct Line {
    spans: Vec<RawSpan>,
    y: f32,
    chars: Vec<LineChar>,
}

#[derive(Clone, Copy)]
struct LineChar {
    c: char,
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
}

fn public_span(span: &RawSpan) -> TextSpan {
    TextSpan {
        text: span.text.clone(),
        x: span.x,
        y: span.y,
        width: span.width,
        font_size: span.font_size,
    }
}

impl Line {
    fn public(&self) -> TextLine {
        let x = self.spans.iter().map(|s| s.x).fold(f32::INFINITY, f32::min);
        let end = self
            .spans
            .iter()
            .map(|s| s.x + s.width)
            .fold(f32::NEG_INFINITY, f32::max);
        TextLine {
            text: self.chars.iter().map(|c| c.c).collect(),
            x,
            y: self.y,
            width: (end - x).max(0.0),
            font_size: self.spans.iter().map(|s| s.font_size).fold(0.0, f32::max),
            spans: self.spans.iter().map(public_span).collect(),
        }
    }
}

fn lines(document: &Document, page_number: u32) -> Result<Vec<Line>, TextLayoutError> {
    let pages = document.get_pages();
    let page_id = *pages
        .get(&page_number)
        .ok_or(TextLayoutError::NoSuchPage(page_number))?;
    let mut spans = decode_page(document, page_id, page_number)?;
    spans.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut groups: Vec<Vec<RawSpan>> = Vec::new();
    for span in spans {
        match groups.last_mut() {
            Some(group) if (group[0].y - span.y).abs() <= LINE_TOLERANCE => group.push(span),
            _ => groups.push(vec![span]),
        }
    }
    Ok(groups
        .into_iter()
        .map(|mut spans| {
            spans.sort_by(|a, b| a.x.total_cmp(&b.x));
            let y = spans.iter().map(|s| s.y).sum::<f32>() / spans.len() as f32;
            let chars = line_chars(&spans);
            Line { spans, y, chars }
        })
        .collect())
}

/// The characters of spans sorted left to right, with a space where the gap between two
/// spans is wide, white space collapsed to single spaces and trimmed.
fn line_chars<'a>(spans: impl IntoIterator<Item = &'a RawSpan>) -> Vec<LineChar> {
    let mut out: Vec<LineChar> = Vec::new();
    let mut previous_end: Option<f32> = None;
    for span in spans {
        if let Some(end) = previous_end {
            let after_space = out.last().is_none_or(|l| l.c == ' ');
            if span.x - end > WORD_GAP * span.font_size && !after_space {
                out.push(LineChar {
                    c: ' ',
                    x0: end,
                    x1: span.x,
                    y: span.y,
                    size: span.font_size,
                });
            }
        }
        for (c, &(x0, x1)) in span.text.chars().zip(&span.chars) {
            let c = if c.is_whitespace() { ' ' } else { c };
            if c == ' ' && out.last().is_none_or(|l| l.c == ' ') {
                continue;
            }
            out.push(LineChar {
                c,
                x0,
                x1,
                y: span.y,
                size: span.font_size,
            });
        }
        previous_end =
            Some(previous_end.map_or(span.x + span.width, |e| e.max(span.x + span.width)));
    }
    while out.last().is_some_and(|l| l.c == ' ') {
        out.pop();
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Number and date

/// A line folded for matching (no diacritics, lower case), each folded character pointing back
/// to the line character it came from.
struct Folded {
    chars: Vec<char>,
    origin: Vec<usize>,
}

fn fold_line(chars: &[LineChar]) -> Folded {
    let mut folded = Folded {
        chars: Vec::new(),
        origin: Vec::new(),
    };
    for (i, lc) in chars.iter().enumerate() {
        let text = if lc.c.is_ascii() {
            lc.c.to_string()
        } else {
            fold_diacritics(&lc.c.to_string())
        };
        for c in text.chars().flat_map(char::to_lowercase) {
            folded.chars.push(c);
            folded.origin.push(i);
        }
    }
    folded
}

/// The first whole-word occurrence of `word` at or after `from`: (start, end) in folded chars.
fn find_word(folded: &Folded, word: &str, from: usize) -> Option<(usize, usize)> {
    let word: Vec<char> = word.chars().collect();
    let chars = &folded.chars;
    (from..chars.len().saturating_sub(word.len() - 1)).find_map(|start| {
        let end = start + word.len();
        let boundary_before = start == 0 || !chars[start - 1].is_alphanumeric();
        let boundary_after = chars.get(end).is_none_or(|c| !c.is_alphanumeric());
        (chars[start..end] == word[..] && boundary_before && boundary_after).then_some((start, end))
    })
}

/// A slot right of the folded character `last`; `None` if the next text is a number and
/// `skip_numbers` (the blank is already filled).
fn slot_after(line: &Line, folded: &Folded, last: usize, skip_numbers: bool) -> Option<Slot> {
    let anchor = line.chars[folded.origin[last]];
    let next = line.chars[folded.origin[last] + 1..]
        .iter()
        .find(|c| c.c != ' ');
    if skip_numbers && next.is_some_and(|c| c.c.is_ascii_digit()) {
        return None;
    }
    Some(Slot {
        x: anchor.x1,
        y: anchor.y,
        font_size: anchor.size,
        available_width: next.map(|n| (n.x0 - anchor.x1).max(0.0)),
    })
}

fn number_slot(lines: &[Line]) -> Option<Slot> {
    lines.iter().find_map(|line| {
        let folded = fold_line(&line.chars);
        let mut from = 0;
        while let Some((_, end)) = find_word(&folded, "so", from) {
            let colon = match folded.chars.get(end..end + 2) {
                Some([':', _]) => Some(end),
                Some([' ', ':']) => Some(end + 1),
                _ => (folded.chars.get(end) == Some(&':')).then_some(end),
            };
            if let Some(colon) = colon {
                return slot_after(line, &folded, colon, false);
            }
            from = end;
        }
        None
    })
}

fn date_slots(lines: &[Line]) -> (Option<Slot>, Option<Slot>, Option<Slot>) {
    for line in lines {
        let folded = fold_line(&line.chars);
        let Some((_, day)) = find_word(&folded, "ngay", 0) else {
            continue;
        };
        let Some((_, month)) = find_word(&folded, "thang", day) else {
            continue;
        };
        let Some((_, year)) = find_word(&folded, "nam", month) else {
            continue;
        };
        let slots = [day, month, year].map(|end| slot_after(line, &folded, end - 1, true));
        if slots.iter().any(Option::is_some) {
            return (slots[0], slots[1], slots[2]);
        }
    }
    (None, None, None)
}

// ---------------------------------------------------------------------------------------------
// Signer block

/// A run of spans on one line not separated by a column gap.
struct Segment {
    folded: String,
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    upper: bool,
    has_lower: bool,
    bold: bool,
}

fn segments(lines: &[Line]) -> Vec<Segment> {
    let mut out = Vec::new();
    let flush = |group: &mut Vec<&RawSpan>, end: f32, out: &mut Vec<Segment>| {
        let Some(first) = group.first() else { return };
        let text: String = line_chars(group.iter().copied())
            .iter()
            .map(|c| c.c)
            .collect();
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        let has_lower = text.chars().any(char::is_lowercase);
        out.push(Segment {
            folded: fold_diacritics(&text).to_uppercase(),
            x0: first.x,
            x1: end,
            y: first.y,
            size: group.iter().map(|s| s.font_size).fold(0.0, f32::max),
            upper: letters >= 2 && !has_lower,
            has_lower,
            bold: group.iter().filter(|s| s.bold).count() * 2 > group.len(),
        });
        group.clear();
    };
    for line in lines {
        let mut group: Vec<&RawSpan> = Vec::new();
        let mut end = f32::NEG_INFINITY;
        for span in line.spans.iter().filter(|s| !s.text.trim().is_empty()) {
            if span.x - end > COLUMN_GAP * span.font_size {
                flush(&mut group, end, &mut out);
                end = f32::NEG_INFINITY;
            }
            group.push(span);
            end = end.max(span.x + span.width);
        }
        flush(&mut group, end, &mut out);
    }
    out
}

/// The nearest segment below `from` that overlaps `[x0, x1]` horizontally. Segments are in
/// reading order, so the search starts after `from`.
fn below(segments: &[Segment], from: usize, x0: f32, x1: f32) -> Option<usize> {
    let y = segments[from].y - LINE_TOLERANCE;
    (from + 1..segments.len()).find(|&j| {
        let s = &segments[j];
        s.y < y && s.x1 > x0 && s.x0 < x1
    })
}

/// The block whose title starts at `start`: up to [`MAX_TITLE_LINES`] upper-case title lines
/// at line spacing, then, after room for a signature, the signer's name.
fn block(segments: &[Segment], start: usize, name_needs_lower: bool) -> Option<[f32; 4]> {
    let (mut x0, mut x1) = (segments[start].x0, segments[start].x1);
    let mut last = start;
    for _ in 0..MAX_TITLE_LINES {
        let next = below(segments, last, x0, x1)?;
        let (current, candidate) = (&segments[last], &segments[next]);
        if candidate.upper && current.y - candidate.y <= 1.8 * current.size {
            (x0, x1) = (x0.min(candidate.x0), x1.max(candidate.x1));
            last = next;
            continue;
        }
        let name = candidate;
        if current.y - name.y < 2.5 * current.size || (name_needs_lower && !name.has_lower) {
            return None;
        }
        // Below the title's descenders and above the name's accents (0.35 and 0.95 em, the
        // defaults poppler uses when a font has no metrics).
        let top = current.y - 0.35 * current.size;
        let bottom = name.y + 0.95 * name.size;
        if top - bottom < 0.5 * current.size {
            return None;
        }
        return Some([x0.min(name.x0), bottom, x1.max(name.x1), top]);
    }
    None
}

const MAX_TITLE_LINES: usize = 8;
/// Candidate title lines tried per page, lowest first; bounds the search on hostile pages.
const MAX_CANDIDATES: usize = 64;

fn signature_box(lines: &[Line]) -> Option<[f32; 4]> {
    let segments = segments(lines);
    let marked = (0..segments.len()).rev().filter(|&i| {
        let s = &segments[i];
        s.upper
            && AUTHORITY_MARKS
                .iter()
                .any(|mark| s.folded.starts_with(mark))
    });
    if let Some(found) = marked
        .take(MAX_CANDIDATES)
        .find_map(|i| block(&segments, i, false))
    {
        return Some(found);
    }
    // No authority mark (the head of the agency signs): the lowest bold upper-case title,
    // first of its run of title lines, with a name below it.
    let is_title_top = |i: usize| {
        let s = &segments[i];
        let above = segments[..i]
            .iter()
            .rev()
            .take_while(|a| a.y - s.y <= 1.8 * a.size + LINE_TOLERANCE);
        let mut above = above.filter(|a| a.y > s.y + LINE_TOLERANCE && a.x1 > s.x0 && a.x0 < s.x1);
        above.all(|a| !a.upper)
    };
    (0..segments.len())
        .rev()
        .filter(|&i| segments[i].upper && segments[i].bold)
        .take(MAX_CANDIDATES)
        .filter(|&i| is_title_top(i))
        .find_map(|i| block(&segments, i, true))
}

#[cfg(test)]
#[path = "text_layout_tests.rs"]
mod tests;
