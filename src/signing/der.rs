//! Just enough DER to write and read the CMS structures in [`super::cms`]: single-byte tags,
//! definite lengths, SET OF sorted as X.690 §11.6 requires. Not a general ASN.1 library.
//!
//! The reader is meant for untrusted input (signatures from signers' tokens): it never
//! panics, never indexes unchecked, rejects indefinite and non-minimal lengths, and never
//! recurses. Callers descend one level at a time following a fixed grammar, so nesting depth
//! is bounded by the calling code, not by the input.

pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;
/// Context-specific, constructed, [0]
pub(crate) const CONTEXT_0: u8 = 0xA0;
/// Context-specific, constructed, [1]
pub(crate) const CONTEXT_1: u8 = 0xA1;

/// Why input is not the DER we accept. A static description: the input is untrusted, so
/// nothing of it is echoed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DerError(pub &'static str);

// ---- writer ----

/// One tag-length-value element.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    push_length(content.len(), &mut out);
    out.extend_from_slice(content);
    out
}

/// Short form below 128, otherwise the minimal long form.
pub(crate) fn push_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    let significant = &bytes[skip..];
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(significant);
}

pub(crate) fn sequence(fields: &[&[u8]]) -> Vec<u8> {
    tlv(SEQUENCE, &fields.concat())
}

pub(crate) fn set_of(elements: Vec<Vec<u8>>) -> Vec<u8> {
    tagged_set_of(SET, elements)
}

/// A SET OF under any (implicit) tag, elements in ascending order of their encodings.
/// Lexicographic order of byte vectors equals X.690's "shorter padded with zeros" order
/// except for ties, which do not change the output.
pub(crate) fn tagged_set_of(tag: u8, mut elements: Vec<Vec<u8>>) -> Vec<u8> {
    elements.sort();
    tlv(tag, &elements.concat())
}

/// OBJECT IDENTIFIER from its arcs; callers pass constants with at least two arcs.
pub(crate) fn oid(arcs: &[u32]) -> Vec<u8> {
    let mut content = Vec::with_capacity(arcs.len() * 2);
    let first = match arcs {
        [a, b, ..] => u64::from(*a) * 40 + u64::from(*b),
        _ => 0,
    };
    push_base128(first, &mut content);
    for arc in arcs.iter().skip(2) {
        push_base128(u64::from(*arc), &mut content);
    }
    tlv(OID, &content)
}

fn push_base128(value: u64, out: &mut Vec<u8>) {
    let mut groups = vec![(value & 0x7f) as u8];
    let mut rest = value >> 7;
    while rest > 0 {
        groups.push(0x80 | (rest & 0x7f) as u8);
        rest >>= 7;
    }
    out.extend(groups.iter().rev());
}

/// A non-negative INTEGER from its big-endian magnitude (leading zeros allowed).
pub(crate) fn unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let skip = magnitude.iter().take_while(|&&b| b == 0).count();
    let significant = &magnitude[skip..];
    let mut content = Vec::with_capacity(significant.len() + 1);
    if significant.first().is_none_or(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(significant);
    tlv(INTEGER, &content)
}

pub(crate) fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(OCTET_STRING, bytes)
}

pub(crate) fn null() -> Vec<u8> {
    tlv(NULL, &[])
}

// ---- reader ----

/// One element of the input: its tag, its content and its whole encoding (to compare or
/// reuse verbatim).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Element<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub encoded: &'a [u8],
}

impl<'a> Element<'a> {
    /// A reader over the content, to descend one level.
    pub(crate) fn reader(&self) -> Reader<'a> {
        Reader { rest: self.content }
    }
}

/// Reads consecutive elements from a slice.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Reader { rest: input }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The tag of the next element, without consuming it.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element, whatever its tag.
    pub(crate) fn element(&mut self) -> Result<Element<'a>, DerError> {
        let (tag, header, len) = header(self.rest)?;
        let end = header
            .checked_add(len)
            .ok_or(DerError("length overflows"))?;
        let encoded = self
            .rest
            .get(..end)
            .ok_or(DerError("element is longer than the data"))?;
        let content = encoded.get(header..).ok_or(DerError("truncated header"))?;
        self.rest = self.rest.get(end..).unwrap_or_default();
        Ok(Element {
            tag,
            content,
            encoded,
        })
    }

    /// The next element, which must carry `tag`.
    pub(crate) fn expect(&mut self, tag: u8) -> Result<Element<'a>, DerError> {
        let element = self.element()?;
        if element.tag != tag {
            return Err(DerError("unexpected tag"));
        }
        Ok(element)
    }

    /// The next element if it carries `tag` (an OPTIONAL field); otherwise nothing is consumed.
    pub(crate) fn optional(&mut self, tag: u8) -> Result<Option<Element<'a>>, DerError> {
        if self.rest.first() != Some(&tag) {
            return Ok(None);
        }
        self.expect(tag).map(Some)
    }

    /// Errors if anything is left: DER has no room for trailing bytes.
    pub(crate) fn finish(self) -> Result<(), DerError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DerError("unexpected trailing data"))
        }
    }
}

/// Exactly one element carrying `tag` and nothing after it.
pub(crate) fn single(input: &[u8], tag: u8) -> Result<Element<'_>, DerError> {
    let mut reader = Reader::new(input);
    let element = reader.expect(tag)?;
    reader.finish()?;
    Ok(element)
}

/// Tag, header length and content length of the element starting `input`.
fn header(input: &[u8]) -> Result<(u8, usize, usize), DerError> {
    let (tag, header_len, len) = header_with(input, "indefinite length is not DER")?;
    if header_len > 2 {
        if input.get(2) == Some(&0) {
            return Err(DerError("non-minimal length"));
        }
        if len < 0x80 {
            return Err(DerError("non-minimal length"));
        }
    }
    Ok((tag, header_len, len))
}

/// [`header`] for BER definite lengths, which need not be minimal (indefinite lengths are
/// still refused: the caller handles them before asking).
pub(crate) fn ber_header(input: &[u8]) -> Result<(u8, usize, usize), DerError> {
    header_with(input, "indefinite length (BER) is not supported")
}

fn header_with(input: &[u8], indefinite: &'static str) -> Result<(u8, usize, usize), DerError> {
    let eof = DerError("unexpected end of data");
    let (&tag, rest) = input.split_first().ok_or(eof)?;
    if tag & 0x1f == 0x1f {
        return Err(DerError("multi-byte tags are not supported"));
    }
    let (&first, rest) = rest.split_first().ok_or(eof)?;
    if first < 0x80 {
        return Ok((tag, 2, usize::from(first)));
    }
    if first == 0x80 {
        return Err(DerError(indefinite));
    }
    let count = usize::from(first & 0x7f);
    if count > 4 {
        return Err(DerError("length too large"));
    }
    let bytes = rest.get(..count).ok_or(eof)?;
    let len = bytes
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    Ok((tag, 2 + count, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_use_the_minimal_form() {
        for (len, head) in [
            (0usize, vec![0x04, 0x00]),
            (127, vec![0x04, 0x7f]),
            (128, vec![0x04, 0x81, 0x80]),
            (256, vec![0x04, 0x82, 0x01, 0x00]),
            (65_536, vec![0x04, 0x83, 0x01, 0x00, 0x00]),
        ] {
            let encoded = octet_string(&vec![7; len]);
            assert_eq!(&encoded[..head.len()], &head[..], "length {len}");
            let element = single(&encoded, OCTET_STRING).unwrap();
            assert_eq!(element.content.len(), len);
        }
    }

    #[test]
    fn oids_and_integers_match_known_encodings() {
        let sha256 = [
            0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        ];
        assert_eq!(oid(&[2, 16, 840, 1, 101, 3, 4, 2, 1]), sha256);
        let signed_data = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
        ];
        assert_eq!(oid(&[1, 2, 840, 113_549, 1, 7, 2]), signed_data);
        assert_eq!(unsigned_integer(&[]), [0x02, 0x01, 0x00]);
        assert_eq!(unsigned_integer(&[0, 0, 1]), [0x02, 0x01, 0x01]);
        assert_eq!(unsigned_integer(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
    }

    #[test]
    fn set_of_is_sorted_by_encoding() {
        let set = set_of(vec![vec![0x04, 0x01, 0x02], vec![0x02, 0x01, 0x05]]);
        assert_eq!(set, [0x31, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0x02]);
    }

    #[test]
    fn reader_rejects_what_is_not_der() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x80, 0x00, 0x00],
            &[0x30, 0x81, 0x05, 0, 0, 0, 0, 0],
            &[0x30, 0x82, 0x00, 0x80],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
            &[0x1f, 0x01, 0x00],
            &[0x04, 0x02, 0x00],
            &[0x04, 0x00, 0x00],
        ] {
            assert!(
                single(bad, bad.first().copied().unwrap_or(0)).is_err(),
                "{bad:02x?}"
            );
        }
    }
}
