//! CMaps embedded in PDF fonts: ToUnicode maps (code to UTF-16) and encoding CMaps (code
//! spaces and code to CID), read with a small bounded tokenizer.

use std::collections::HashMap;

pub(super) const MAX_MAP_ENTRIES: usize = 65_536;
pub(super) const MAX_RANGES: usize = 4_096;

/// A code → value map read from a CMap: single codes plus (for long ranges) range entries.
#[derive(Default)]
pub(super) struct CodeMap<T> {
    pub(super) single: HashMap<(u8, u32), T>,
    pub(super) ranges: Vec<(u8, u32, u32, T)>,
}

impl<T> CodeMap<T> {
    pub(super) fn is_empty(&self) -> bool {
        self.single.is_empty() && self.ranges.is_empty()
    }
    pub(super) fn insert(&mut self, len: u8, code: u32, value: T) {
        if self.single.len() < MAX_MAP_ENTRIES {
            self.single.insert((len, code), value);
        }
    }
    pub(super) fn range(&self, len: u8, code: u32) -> Option<(u32, &T)> {
        self.ranges
            .iter()
            .rev()
            .find(|(l, lo, hi, _)| *l == len && *lo <= code && code <= *hi)
            .map(|(_, lo, _, value)| (code - lo, value))
    }
}

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

pub(super) fn parse_to_unicode(data: &[u8]) -> CodeMap<Vec<u16>> {
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

pub(super) fn parse_encoding_cmap(
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
