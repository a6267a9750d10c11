//! The decoding half of [`super::text_layout`]: fonts (character codes to Unicode and advance
//! widths) and a bounded interpreter for the text operators of one page's content stream.
//!
//! Form XObjects (`Do`), Type 3 glyph procedures and inline images are not entered: text drawn
//! inside a form is not seen. Everything here is bounded (content bytes, operators, glyphs,
//! CMap size, graphics-state depth) and never panics on hostile input.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use search_index::normalize_nfc;

use super::text_layout::TextLayoutError;

/// Upper bound on a page's decompressed content.
pub const MAX_CONTENT_BYTES: usize = 8 * 1024 * 1024;
/// Upper bound on the operators interpreted on one page.
pub const MAX_OPERATORS: usize = 200_000;
/// Upper bound on the character codes and TJ adjustments shown on one page.
pub const MAX_GLYPHS: usize = 200_000;
const MAX_CMAP_BYTES: usize = 1024 * 1024;
const MAX_MAP_ENTRIES: usize = 65_536;
const MAX_RANGES: usize = 4_096;
const MAX_FONTS: usize = 256;
const MAX_STACK: usize = 256;
const REPLACEMENT: &str = "\u{FFFD}";

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
// Fonts

/// A code → value map read from a CMap: single codes plus (for long ranges) range entries.
#[derive(Default)]
struct CodeMap<T> {
    single: HashMap<(u8, u32), T>,
    ranges: Vec<(u8, u32, u32, T)>,
}

impl<T> CodeMap<T> {
    fn is_empty(&self) -> bool {
        self.single.is_empty() && self.ranges.is_empty()
    }
    fn insert(&mut self, len: u8, code: u32, value: T) {
        if self.single.len() < MAX_MAP_ENTRIES {
            self.single.insert((len, code), value);
        }
    }
    fn range(&self, len: u8, code: u32) -> Option<(u32, &T)> {
        self.ranges
            .iter()
            .rev()
            .find(|(l, lo, hi, _)| *l == len && *lo <= code && code <= *hi)
            .map(|(_, lo, _, value)| (code - lo, value))
    }
}

pub(crate) struct Font {
    type0: bool,
    /// Code lengths of an embedded encoding CMap; empty means two bytes (Identity-H/V).
    codespace: Vec<(usize, [u8; 4], [u8; 4])>,
    /// Code → CID of an embedded encoding CMap; empty means identity.
    cids: CodeMap<u32>,
    /// Type0 fonts with a predefined UCS-2/UTF-16 CMap: the code is the character.
    ucs2: bool,
    to_unicode: CodeMap<Vec<u16>>,
    /// Simple fonts: base encoding with /Differences applied.
    table: Vec<Option<String>>,
    widths: Widths,
    /// Glyph units to text space: 1/1000, or FontMatrix[0] for Type 3.
    scale: f64,
    pub bold: bool,
}

enum Widths {
    Simple {
        first: u32,
        widths: Vec<f64>,
        missing: f64,
    },
    Cid {
        map: HashMap<u32, f64>,
        ranges: Vec<(u32, u32, f64)>,
        default: f64,
    },
}

static NULL: Object = Object::Null;

fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    doc.dereference(object).map(|(_, o)| o).unwrap_or(&NULL)
}

fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> &'a Object {
    dict.get(key).map(|o| deref(doc, o)).unwrap_or(&NULL)
}

pub(crate) fn num(object: &Object) -> Option<f64> {
    match object {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
    .filter(|v| v.is_finite())
}

fn stream_bytes(doc: &Document, object: &Object) -> Option<Vec<u8>> {
    let stream = deref(doc, object).as_stream().ok()?;
    stream.get_plain_content_with_limit(MAX_CMAP_BYTES).ok()
}

fn is_bold(doc: &Document, font: &Dictionary, descriptor: &Object) -> bool {
    let name = get(doc, font, b"BaseFont")
        .as_name()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let by_name = ["bold", "black", "heavy", "semibold", "demi"]
        .iter()
        .any(|w| name.windows(w.len()).any(|x| x == w.as_bytes()));
    let descriptor = descriptor.as_dict().ok();
    let weight = descriptor
        .and_then(|d| num(get(doc, d, b"FontWeight")))
        .unwrap_or(0.0);
    let flags = descriptor
        .and_then(|d| num(get(doc, d, b"Flags")))
        .unwrap_or(0.0) as i64;
    by_name || weight >= 600.0 || flags & (1 << 18) != 0
}

impl Font {
    pub(crate) fn load(doc: &Document, dict: &Dictionary) -> Font {
        let subtype = get(doc, dict, b"Subtype").as_name().unwrap_or_default();
        let mut font = Font {
            type0: subtype == b"Type0",
            codespace: Vec::new(),
            cids: CodeMap::default(),
            ucs2: false,
            to_unicode: CodeMap::default(),
            table: Vec::new(),
            widths: Widths::Simple {
                first: 0,
                widths: Vec::new(),
                missing: 0.0,
            },
            scale: 0.001,
            bold: false,
        };
        if let Some(bytes) = dict
            .get(b"ToUnicode")
            .ok()
            .and_then(|o| stream_bytes(doc, o))
        {
            font.to_unicode = parse_to_unicode(&bytes);
        }
        if font.type0 {
            font.load_type0(doc, dict);
        } else {
            font.load_simple(doc, dict, subtype);
        }
        font
    }

    fn load_type0(&mut self, doc: &Document, dict: &Dictionary) {
        match get(doc, dict, b"Encoding") {
            Object::Name(name) => {
                self.ucs2 = [&b"UCS2"[..], b"UTF16"]
                    .iter()
                    .any(|w| name.windows(w.len()).any(|x| x == *w));
            }
            Object::Stream(stream) => {
                if let Ok(bytes) = stream.get_plain_content_with_limit(MAX_CMAP_BYTES) {
                    parse_encoding_cmap(&bytes, &mut self.codespace, &mut self.cids);
                }
            }
            _ => {}
        }
        let descendant = get(doc, dict, b"DescendantFonts")
            .as_array()
            .ok()
            .and_then(|a| a.first())
            .and_then(|o| deref(doc, o).as_dict().ok());
        let Some(cid_font) = descendant else {
            self.widths = Widths::Cid {
                map: HashMap::new(),
                ranges: Vec::new(),
                default: 1000.0,
            };
            return;
        };
        self.bold = is_bold(doc, dict, get(doc, cid_font, b"FontDescriptor"));
        let default = num(get(doc, cid_font, b"DW")).unwrap_or(1000.0);
        let (mut map, mut ranges) = (HashMap::new(), Vec::new());
        let w = get(doc, cid_font, b"W")
            .as_array()
            .map(|a| a.as_slice())
            .unwrap_or_default();
        let mut i = 0;
        while i + 1 < w.len() {
            let Some(first) = num(deref(doc, &w[i])).map(|v| v as u32) else {
                break;
            };
            match deref(doc, &w[i + 1]) {
                Object::Array(list) => {
                    for (k, value) in list.iter().enumerate() {
                        if let (Some(v), true) =
                            (num(deref(doc, value)), map.len() < MAX_MAP_ENTRIES)
                        {
                            map.insert(first.saturating_add(k as u32), v);
                        }
                    }
                    i += 2;
                }
                last => {
                    let (Some(last), Some(v)) =
                        (num(last), w.get(i + 2).and_then(|o| num(deref(doc, o))))
                    else {
                        break;
                    };
                    if ranges.len() < MAX_RANGES {
                        ranges.push((first, last as u32, v));
                    }
                    i += 3;
                }
            }
        }
        self.widths = Widths::Cid {
            map,
            ranges,
            default,
        };
    }

    fn load_simple(&mut self, doc: &Document, dict: &Dictionary, subtype: &[u8]) {
        let descriptor = get(doc, dict, b"FontDescriptor");
        self.bold = is_bold(doc, dict, descriptor);
        let default_base: &[u8] = if subtype == b"TrueType" {
            b"WinAnsiEncoding"
        } else {
            b"StandardEncoding"
        };
        let mut base = default_base;
        let mut differences: &[Object] = &[];
        match get(doc, dict, b"Encoding") {
            Object::Name(name) => base = name,
            Object::Dictionary(encoding) => {
                if let Ok(name) = get(doc, encoding, b"BaseEncoding").as_name() {
                    base = name;
                }
                differences = get(doc, encoding, b"Differences")
                    .as_array()
                    .map(|a| a.as_slice())
                    .unwrap_or_default();
            }
            _ => {}
        }
        let table = base_table(base)
            .or_else(|| base_table(default_base))
            .unwrap_or(&[]);
        self.table = table.iter().map(|c| c.map(String::from)).collect();
        self.table.resize(256, None);
        let mut code: usize = 0;
        for item in differences.iter().take(4096) {
            match deref(doc, item) {
                Object::Integer(i) => code = usize::try_from(*i).unwrap_or(usize::MAX),
                Object::Name(name) => {
                    if let Some(slot) = self.table.get_mut(code) {
                        *slot = glyph_name_text(name);
                    }
                    code = code.saturating_add(1);
                }
                _ => {}
            }
        }
        if subtype == b"Type3" {
            let fm = get(doc, dict, b"FontMatrix")
                .as_array()
                .ok()
                .and_then(|a| a.first())
                .and_then(num);
            self.scale = fm.filter(|v| *v != 0.0 && v.abs() < 1e3).unwrap_or(0.001);
        }
        let first = num(get(doc, dict, b"FirstChar"))
            .unwrap_or(0.0)
            .clamp(0.0, 65_535.0) as u32;
        let widths: Vec<f64> = get(doc, dict, b"Widths")
            .as_array()
            .map(|a| {
                a.iter()
                    .take(MAX_MAP_ENTRIES)
                    .map(|o| num(deref(doc, o)).unwrap_or(0.0))
                    .collect()
            })
            .unwrap_or_default();
        let missing = descriptor
            .as_dict()
            .ok()
            .and_then(|d| num(get(doc, d, b"MissingWidth")));
        let courier = get(doc, dict, b"BaseFont")
            .as_name()
            .is_ok_and(|n| n.starts_with(b"Courier"));
        // Without /Widths (a standard 14 font) there are no metrics here: use an average width.
        let fallback = if widths.is_empty() {
            if courier {
                600.0
            } else {
                500.0
            }
        } else {
            0.0
        };
        self.widths = Widths::Simple {
            first,
            widths,
            missing: missing.unwrap_or(fallback),
        };
    }

    /// Splits a shown string into character codes and their lengths in bytes.
    pub(crate) fn codes(&self, bytes: &[u8], out: &mut Vec<(u32, u8)>) {
        if !self.type0 {
            out.extend(bytes.iter().map(|b| (u32::from(*b), 1)));
            return;
        }
        let mut rest = bytes;
        while !rest.is_empty() {
            let len = self.code_len(rest).clamp(1, rest.len());
            let code = rest[..len]
                .iter()
                .fold(0u32, |a, b| (a << 8) | u32::from(*b));
            out.push((code, len as u8));
            rest = &rest[len..];
        }
    }

    fn code_len(&self, rest: &[u8]) -> usize {
        if self.codespace.is_empty() {
            return 2;
        }
        for len in 1..=rest.len().min(4) {
            let fits = |(l, lo, hi): &(usize, [u8; 4], [u8; 4])| {
                *l == len && (0..len).all(|k| lo[k] <= rest[k] && rest[k] <= hi[k])
            };
            if self.codespace.iter().any(fits) {
                return len;
            }
        }
        self.codespace.iter().map(|c| c.0).min().unwrap_or(1)
    }

    /// The text of one code: ToUnicode first, then the encoding; U+FFFD when unknown.
    pub(crate) fn text(&self, code: u32, len: u8) -> String {
        let mapped = self
            .to_unicode
            .single
            .get(&(len, code))
            .cloned()
            .or_else(|| {
                self.to_unicode.range(len, code).map(|(offset, base)| {
                    let mut units = base.clone();
                    if let Some(last) = units.last_mut() {
                        *last = last.wrapping_add(offset as u16);
                    }
                    units
                })
            });
        if let Some(units) = mapped {
            return char::decode_utf16(units)
                .map(|c| c.unwrap_or('\u{FFFD}'))
                .collect();
        }
        if self.type0 {
            return match (self.ucs2, char::from_u32(code)) {
                (true, Some(c)) => c.to_string(),
                _ => REPLACEMENT.to_string(),
            };
        }
        self.table
            .get(code as usize)
            .cloned()
            .flatten()
            .unwrap_or_else(|| REPLACEMENT.to_string())
    }

    /// Advance width of a code in text space for a font size of 1.
    pub(crate) fn advance(&self, code: u32, len: u8) -> f64 {
        let units = match &self.widths {
            Widths::Simple {
                first,
                widths,
                missing,
            } => code
                .checked_sub(*first)
                .and_then(|i| widths.get(i as usize))
                .copied()
                .unwrap_or(*missing),
            Widths::Cid {
                map,
                ranges,
                default,
            } => {
                let cid = if self.cids.is_empty() {
                    code
                } else {
                    self.cids
                        .single
                        .get(&(len, code))
                        .copied()
                        .unwrap_or_else(|| {
                            self.cids
                                .range(len, code)
                                .map(|(offset, start)| start.saturating_add(offset))
                                .unwrap_or(0)
                        })
                };
                map.get(&cid)
                    .copied()
                    .or_else(|| {
                        ranges
                            .iter()
                            .find(|(lo, hi, _)| *lo <= cid && cid <= *hi)
                            .map(|r| r.2)
                    })
                    .unwrap_or(*default)
            }
        };
        units * self.scale
    }
}

/// The 256 characters of a standard encoding, read once from lopdf's tables.
fn base_table(name: &[u8]) -> Option<&'static [Option<char>]> {
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

// ---------------------------------------------------------------------------------------------
// CMaps

enum Tok {
    Hex(Vec<u8>),
    Num(i64),
    Word(Vec<u8>),
    Open,
    Close,
}

fn tokens(data: &[u8]) -> Vec<Tok> {
    let delimiter = |b: u8| b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b) || b == 0;
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        i += 1;
        match b {
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if data.get(i) == Some(&b'<') => i += 1,
            b'>' if data.get(i) == Some(&b'>') => i += 1,
            b'<' => {
                let mut digits = Vec::new();
                while i < data.len() && data[i] != b'>' {
                    if let Some(d) = (data[i] as char).to_digit(16) {
                        digits.push(d as u8);
                    }
                    i += 1;
                }
                i += 1;
                if digits.len() % 2 == 1 {
                    digits.push(0);
                }
                out.push(Tok::Hex(
                    digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect(),
                ));
            }
            b'[' => out.push(Tok::Open),
            b']' => out.push(Tok::Close),
            b'(' => {
                let mut depth = 1;
                while i < data.len() && depth > 0 {
                    match data[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => depth -= 1,
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ if delimiter(b) && b != b'/' => {}
            _ => {
                let start = i - 1;
                while i < data.len() && !delimiter(data[i]) {
                    i += 1;
                }
                let word = &data[start..i];
                match std::str::from_utf8(word)
                    .ok()
                    .and_then(|s| s.parse::<i64>().ok())
                {
                    Some(n) => out.push(Tok::Num(n)),
                    None => out.push(Tok::Word(word.to_vec())),
                }
            }
        }
    }
    out
}

fn code_of(bytes: &[u8]) -> Option<(u8, u32)> {
    (1..=4).contains(&bytes.len()).then(|| {
        (
            bytes.len() as u8,
            bytes.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)),
        )
    })
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    if bytes.len() == 1 {
        return vec![u16::from(bytes[0])];
    }
    bytes
        .chunks(2)
        .map(|p| (u16::from(p[0]) << 8) | u16::from(*p.get(1).unwrap_or(&0)))
        .collect()
}

/// Calls `each` with the tokens between `begin<section>` and `end<section>`.
fn sections<'a>(toks: &'a [Tok], section: &str, mut each: impl FnMut(&'a [Tok])) {
    let (begin, end) = (format!("begin{section}"), format!("end{section}"));
    let mut i = 0;
    while i < toks.len() {
        if matches!(&toks[i], Tok::Word(w) if w == begin.as_bytes()) {
            let start = i + 1;
            let stop = toks[start..]
                .iter()
                .position(|t| matches!(t, Tok::Word(w) if w == end.as_bytes()))
                .map_or(toks.len(), |p| start + p);
            each(&toks[start..stop]);
            i = stop;
        }
        i += 1;
    }
}

fn parse_to_unicode(data: &[u8]) -> CodeMap<Vec<u16>> {
    let toks = tokens(data);
    let mut map = CodeMap::default();
    sections(&toks, "bfchar", |body| {
        for pair in body.chunks_exact(2) {
            if let (Tok::Hex(src), Tok::Hex(dst)) = (&pair[0], &pair[1]) {
                if let Some((len, code)) = code_of(src) {
                    map.insert(len, code, utf16_units(dst));
                }
            }
        }
    });
    sections(&toks, "bfrange", |body| {
        let mut i = 0;
        while i + 2 < body.len() {
            let (Tok::Hex(lo), Tok::Hex(hi)) = (&body[i], &body[i + 1]) else {
                i += 1;
                continue;
            };
            let (Some((len, lo)), Some((hi_len, hi))) = (code_of(lo), code_of(hi)) else {
                i += 3;
                continue;
            };
            match &body[i + 2] {
                Tok::Hex(dst) if len == hi_len && lo <= hi => {
                    let base = utf16_units(dst);
                    if hi - lo < 256 {
                        for offset in 0..=hi - lo {
                            let mut units = base.clone();
                            if let Some(last) = units.last_mut() {
                                *last = last.wrapping_add(offset as u16);
                            }
                            map.insert(len, lo + offset, units);
                        }
                    } else if map.ranges.len() < MAX_RANGES {
                        map.ranges.push((len, lo, hi, base));
                    }
                    i += 3;
                }
                Tok::Open => {
                    let mut j = i + 3;
                    let mut code = lo;
                    while let Some(Tok::Hex(dst)) = body.get(j) {
                        if code <= hi {
                            map.insert(len, code, utf16_units(dst));
                        }
                        code = code.saturating_add(1);
                        j += 1;
                    }
                    i = j + 1;
                }
                _ => i += 3,
            }
        }
    });
    map
}

fn parse_encoding_cmap(
    data: &[u8],
    codespace: &mut Vec<(usize, [u8; 4], [u8; 4])>,
    cids: &mut CodeMap<u32>,
) {
    let toks = tokens(data);
    sections(&toks, "codespacerange", |body| {
        for pair in body.chunks_exact(2) {
            if let (Tok::Hex(lo), Tok::Hex(hi)) = (&pair[0], &pair[1]) {
                if lo.len() == hi.len() && (1..=4).contains(&lo.len()) && codespace.len() < 256 {
                    let (mut l, mut h) = ([0u8; 4], [0u8; 4]);
                    l[..lo.len()].copy_from_slice(lo);
                    h[..hi.len()].copy_from_slice(hi);
                    codespace.push((lo.len(), l, h));
                }
            }
        }
    });
    let cid = |n: &i64| u32::try_from(*n).ok();
    sections(&toks, "cidrange", |body| {
        for triple in body.chunks_exact(3) {
            if let (Tok::Hex(lo), Tok::Hex(hi), Tok::Num(start)) =
                (&triple[0], &triple[1], &triple[2])
            {
                if let (Some((len, lo)), Some((_, hi)), Some(start)) =
                    (code_of(lo), code_of(hi), cid(start))
                {
                    if cids.ranges.len() < MAX_RANGES && lo <= hi {
                        cids.ranges.push((len, lo, hi, start));
                    }
                }
            }
        }
    });
    sections(&toks, "cidchar", |body| {
        for pair in body.chunks_exact(2) {
            if let (Tok::Hex(src), Tok::Num(n)) = (&pair[0], &pair[1]) {
                if let (Some((len, code)), Some(n)) = (code_of(src), cid(n)) {
                    cids.insert(len, code, n);
                }
            }
        }
    });
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
