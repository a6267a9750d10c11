//! Fonts of a page: character codes to Unicode (ToUnicode, encodings, glyph names) and
//! advance widths (simple /Widths and CID /W arrays).

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use super::cmap::{parse_encoding_cmap, parse_to_unicode, CodeMap, MAX_MAP_ENTRIES, MAX_RANGES};
use super::glyph_names::{base_table, glyph_name_text};

const MAX_CMAP_BYTES: usize = 1024 * 1024;
const REPLACEMENT: &str = "\u{FFFD}";

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
