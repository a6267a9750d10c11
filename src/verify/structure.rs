//! Byte-level structure: revisions (`%%EOF` markers), `/ByteRange` syntax, the gap that must
//! hold exactly the `/Contents` hex string (signature wrapping), coverage, and collisions
//! between the ranges of different signatures.

use lopdf::Object;

use super::report::{Coverage, RevisionInfo, SignatureReport};

/// Most revisions listed; a file with more is hostile or broken (bounded work).
pub(super) const MAX_REVISIONS: usize = 4096;

/// Every `%%EOF` marker, each ending a revision; its end includes one optional EOL.
pub(super) fn revisions(bytes: &[u8]) -> Vec<RevisionInfo> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(position) = find(bytes, b"%%EOF", from) {
        let mut end = position + 5;
        match bytes.get(end..end + 2) {
            Some(b"\r\n") => end += 2,
            _ if matches!(bytes.get(end), Some(b'\r' | b'\n')) => end += 1,
            _ => {}
        }
        found.push(RevisionInfo {
            index: found.len(),
            eof_offset: position as u64,
            end_offset: end as u64,
        });
        if found.len() >= MAX_REVISIONS {
            break;
        }
        from = position + 5;
    }
    found
}

/// The revision whose end (with or without its EOL) is `end`.
pub(super) fn revision_ending_at(revisions: &[RevisionInfo], end: u64) -> Option<&RevisionInfo> {
    revisions
        .iter()
        .find(|r| r.end_offset == end || r.eof_offset + 5 == end)
}

pub(super) fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let window = haystack.get(from..)?;
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(window, needle).map(|p| p + from)
}

/// Where the first `/ByteRange` or `/ObjStm` name token of `bytes` starts, read as lopdf
/// reads names (`#xx` escapes decoded, any other `#` ends the name). A revision ending
/// before it holds no signature dictionary with a `/ByteRange`: outside object streams every
/// dictionary key is a name in the file's bytes, and an object stream names its `/Type`.
/// Tokens inside strings or stream data count too (conservative).
pub(super) fn first_signature_name(bytes: &[u8]) -> Option<usize> {
    const TARGETS: [&[u8]; 2] = [b"ByteRange", b"ObjStm"];
    let regular = |c: u8| {
        !matches!(
            c,
            b' ' | b'\t'
                | b'\n'
                | b'\r'
                | 0
                | 0x0C
                | b'('
                | b')'
                | b'<'
                | b'>'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'/'
                | b'%'
        )
    };
    let hex = |c: u8| (c as char).to_digit(16);
    let mut name = Vec::with_capacity(16);
    for slash in memchr::memchr_iter(b'/', bytes) {
        // Most names are neither: decided on their first byte.
        if !matches!(bytes.get(slash + 1), Some(b'B' | b'O' | b'#')) {
            continue;
        }
        name.clear();
        let mut i = slash + 1;
        while let Some(&c) = bytes.get(i) {
            if c == b'#' {
                match (
                    bytes.get(i + 1).and_then(|&h| hex(h)),
                    bytes.get(i + 2).and_then(|&l| hex(l)),
                ) {
                    (Some(h), Some(l)) => {
                        name.push((h * 16 + l) as u8);
                        i += 3;
                    }
                    _ => break,
                }
            } else if regular(c) && name.len() <= 16 {
                name.push(c);
                i += 1;
            } else {
                break;
            }
        }
        if TARGETS.contains(&name.as_slice()) {
            return Some(slash);
        }
    }
    None
}

/// The two signed ranges `[a, a+b)` and `[c, c+d)`, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ByteRange {
    pub values: [u64; 4],
}

impl ByteRange {
    pub fn gap(&self) -> (usize, usize) {
        (self.values[1] as usize, self.values[2] as usize)
    }

    /// Offset just after the second range: where the signed bytes end.
    pub fn end(&self) -> u64 {
        self.values[2] + self.values[3]
    }
}

/// `/ByteRange` must be exactly four non-negative integers, `a == 0`, `c ≥ a + b`, and
/// `c + d` within the file. Records the problem and returns `None` otherwise.
pub(super) fn parse_byte_range(
    value: Option<&Object>,
    file_len: u64,
    report: &mut SignatureReport,
) -> Option<ByteRange> {
    let malformed = |report: &mut SignatureReport, why: &str| {
        report.problem("byte_range_malformed", format!("/ByteRange {why}"));
        None
    };
    let Some(Object::Array(items)) = value else {
        return malformed(report, "is missing or not an array");
    };
    if items.len() != 4 {
        return malformed(report, &format!("has {} entries instead of 4", items.len()));
    }
    let mut values = [0u64; 4];
    for (slot, item) in values.iter_mut().zip(items) {
        match item {
            Object::Integer(v) if *v >= 0 => *slot = *v as u64,
            Object::Integer(_) => return malformed(report, "has a negative entry"),
            _ => return malformed(report, "has an entry that is not an integer"),
        }
    }
    report.byte_range = Some(values);
    let [a, b, c, d] = values;
    if a != 0 {
        return malformed(report, "does not start at offset 0");
    }
    if c < b {
        return malformed(report, "has its second range before the end of the first");
    }
    match c.checked_add(d) {
        Some(end) if end <= file_len => {}
        _ => return malformed(report, "reaches beyond the end of the file"),
    }
    if b == 0 || d == 0 && c != file_len {
        // An empty first range, or an empty second range that does not end the file,
        // cannot be a PDF signature.
        return malformed(report, "has an empty range");
    }
    Some(ByteRange { values })
}

/// The four values of a well-formed `/ByteRange`, without judging them.
pub(super) fn byte_range_values(dictionary: &lopdf::Dictionary) -> Option<[u64; 4]> {
    let Ok(Object::Array(items)) = dictionary.get(b"ByteRange") else {
        return None;
    };
    let values: Vec<u64> = items
        .iter()
        .map(|item| match item {
            Object::Integer(v) => u64::try_from(*v).ok(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    values.try_into().ok()
}

/// The gap `[b, c)` must be `<` + hex digits + `>` and decode to the dictionary's
/// `/Contents`: anything else in the gap is unsigned data a viewer may parse (SWA).
/// Returns whether the gap is well formed (compared in place: no copy of the signature).
pub(super) fn check_gap(
    bytes: &[u8],
    range: &ByteRange,
    dictionary_contents: Option<&[u8]>,
    report: &mut SignatureReport,
) -> bool {
    let (start, end) = range.gap();
    let gap = bytes.get(start..end).unwrap_or_default();
    let Some((decodes, inner_length)) = gap_matches(gap, dictionary_contents.unwrap_or_default())
    else {
        report.problem(
            "contents_not_in_gap",
            format!(
                "the unsigned gap [{start}, {end}) is not exactly the /Contents hex string ({} bytes)",
                gap.len()
            ),
        );
        return false;
    };
    let expected_length = dictionary_contents.map_or(usize::MAX, |c| c.len() * 2);
    if !decodes || inner_length != expected_length {
        report.problem(
            "contents_not_in_gap",
            "the unsigned gap does not hold this signature dictionary's /Contents",
        );
        return false;
    }
    true
}

/// `None` unless `gap` is `<`, an even number of hex digits, `>`; else whether its digits
/// (as far as both go) decode to `contents`, and how many digits there are.
fn gap_matches(gap: &[u8], contents: &[u8]) -> Option<(bool, usize)> {
    let [b'<', inner @ .., b'>'] = gap else {
        return None;
    };
    if inner.len() % 2 != 0 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut decodes = true;
    for (index, pair) in inner.chunks_exact(2).enumerate() {
        let byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
        decodes &= contents.get(index) == Some(&byte);
    }
    Some((decodes, inner.len()))
}

/// EntireFile, EntireRevision (with its index) or Partial.
pub(super) fn coverage(
    range: &ByteRange,
    file_len: u64,
    revisions: &[RevisionInfo],
) -> (Coverage, Option<usize>) {
    let end = range.end();
    let revision = revision_ending_at(revisions, end).map(|r| r.index);
    if end == file_len {
        (Coverage::EntireFile, revision)
    } else if let Some(index) = revision {
        (Coverage::EntireRevision, Some(index))
    } else {
        (Coverage::Partial, None)
    }
}

/// DSS ByteRangeCollision and SignatureDuplicated: gaps of two signatures must not
/// intersect, and a signature's gap must not lie inside what an earlier (or equal) signed
/// revision covers. Returns the indices of the signatures involved.
pub(super) fn collisions(ranges: &[Option<ByteRange>]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for (i, first) in ranges.iter().enumerate() {
        for (j, second) in ranges.iter().enumerate().skip(i + 1) {
            let (Some(first), Some(second)) = (first, second) else {
                continue;
            };
            let (g1, g2) = (first.gap(), second.gap());
            let intersect = g1.0 < g2.1 && g2.0 < g1.1;
            let inside = |outer: &ByteRange, gap: (usize, usize)| (gap.0 as u64) < outer.end();
            let wrong_order = if first.end() <= second.end() {
                inside(first, g2)
            } else {
                inside(second, g1)
            };
            if intersect || wrong_order {
                found.push((i, j));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(values: [i64; 4], len: u64) -> (Option<ByteRange>, SignatureReport) {
        let mut report = SignatureReport::new("s".into());
        let object = Object::Array(values.iter().map(|v| Object::Integer(*v)).collect());
        (parse_byte_range(Some(&object), len, &mut report), report)
    }

    #[test]
    fn revisions_end_after_one_optional_eol() {
        let bytes = b"%PDF-1.7\n%%EOF\r\nabc%%EOF\n\n%%EOF";
        let ends: Vec<u64> = revisions(bytes).iter().map(|r| r.end_offset).collect();
        assert_eq!(ends, [16, 25, 31]);
    }

    #[test]
    fn signature_names_are_found_through_escapes_only_as_whole_names() {
        assert_eq!(first_signature_name(b"<</ByteRangeX 1/Byte 2>>"), None);
        assert_eq!(first_signature_name(b"ab /Byte#52ange[0 1 2 3]"), Some(3));
        assert_eq!(first_signature_name(b"<</Type/ObjStm>>"), Some(7));
        assert_eq!(first_signature_name(b"/Byte#5Range /ByteRange"), Some(13));
        assert_eq!(first_signature_name(b"/ByteRange"), Some(0));
    }

    #[test]
    fn byte_range_forms_are_checked() {
        assert!(range([0, 10, 20, 5], 25).0.is_some());
        for bad in [
            [1, 10, 20, 5],
            [0, 10, 5, 5],
            [0, 10, 20, 6],
            [0, -1, 20, 5],
            [0, 0, 20, 5],
        ] {
            let (parsed, report) = range(bad, 25);
            assert!(parsed.is_none(), "{bad:?}");
            assert!(report.has_problem("byte_range_malformed"));
        }
    }

    #[test]
    fn gap_must_be_the_contents_string() {
        let bytes = b"0123<0A0B>56789";
        let (parsed, mut report) = range([0, 4, 10, 5], 15);
        let parsed = parsed.unwrap();
        assert!(check_gap(bytes, &parsed, Some(&[10, 11]), &mut report));
        assert!(!report.has_problem("contents_not_in_gap"));
        assert!(!check_gap(bytes, &parsed, Some(&[10, 12]), &mut report));
        assert!(!check_gap(bytes, &parsed, Some(&[10, 11, 0]), &mut report));
        assert!(!check_gap(bytes, &parsed, Some(&[10]), &mut report));
        assert!(!check_gap(bytes, &parsed, None, &mut report));
        let odd = b"0123<0A0>56789";
        let (parsed_odd, _) = range([0, 4, 9, 5], 14);
        assert!(!check_gap(
            odd,
            &parsed_odd.unwrap(),
            Some(&[10]),
            &mut report
        ));
        let wrapped = b"0123<0A0B>x6789";
        let (parsed, mut report) = range([0, 4, 11, 4], 15);
        assert!(!check_gap(
            wrapped,
            &parsed.unwrap(),
            Some(&[10, 11]),
            &mut report
        ));
        assert!(report.has_problem("contents_not_in_gap"));
    }

    #[test]
    fn later_gaps_inside_earlier_revisions_collide() {
        let r = |v: [u64; 4]| Some(ByteRange { values: v });
        assert!(collisions(&[r([0, 10, 20, 10]), r([0, 40, 50, 10])]).is_empty());
        assert_eq!(
            collisions(&[r([0, 10, 20, 30]), r([0, 25, 35, 25])]),
            [(0, 1)]
        );
        assert_eq!(
            collisions(&[r([0, 10, 20, 10]), r([0, 10, 20, 10])]),
            [(0, 1)]
        );
    }
}
