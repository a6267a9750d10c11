//! The verify-specific parts of reading a CMS SignedData that
//! [`crate::signing::cms::parse_signed_data`] does not expose (digest and signature
//! algorithms, content type, ESS signing-certificate, signing-time): OIDs, times and BER
//! normalisation. The DER reader itself is the signing one ([`crate::signing::der`]): never
//! panics, never recurses, rejects indefinite and non-minimal lengths; callers descend one
//! level at a time.

use crate::signing::der::{ber_header, push_length};
pub(super) use crate::signing::der::{
    single, DerError, Element, Reader, CONTEXT_0, CONTEXT_1, INTEGER, OCTET_STRING, OID, SEQUENCE,
    SET,
};

pub(super) const UTC_TIME: u8 = 0x17;
pub(super) const GENERALIZED_TIME: u8 = 0x18;
/// GeneralName directoryName, [4] EXPLICIT Name.
pub(super) const DIRECTORY_NAME: u8 = 0xA4;

/// OID contents (without tag and length).
pub(super) mod oids {
    pub const DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01];
    pub const CONTENT_TYPE: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x03];
    pub const SIGNING_TIME: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05];
    pub const SIGNING_CERTIFICATE: &[u8] = &[
        0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x02, 0x0C,
    ];
    pub const SIGNING_CERTIFICATE_V2: &[u8] = &[
        0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x02, 0x2F,
    ];
    pub const SHA1: &[u8] = &[0x2B, 0x0E, 0x03, 0x02, 0x1A];
    pub const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    pub const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    pub const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    pub const RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
    pub const SHA256_WITH_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
    pub const SHA384_WITH_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0C];
    pub const SHA512_WITH_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0D];
    pub const EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
    pub const ECDSA_WITH_SHA256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
    pub const ECDSA_WITH_SHA384: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03];
    pub const ECDSA_WITH_SHA512: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04];
}

/// Length of the single DER element that starts `input` (header included), without
/// requiring the rest of `input` to be empty: how a zero-padded `/Contents` is trimmed.
pub(super) fn outer_length(input: &[u8]) -> Result<usize, DerError> {
    Ok(Reader::new(input).element()?.encoded.len())
}

/// Most nesting levels [`ber_to_der`] follows (a CMS SignedData needs about ten).
const MAX_BER_DEPTH: usize = 48;

/// Re-encodes the BER element that starts `input` (indefinite lengths, as some signers
/// write the outer layers of a SignedData) with definite, minimal lengths. Returns the DER
/// and how many input bytes the element took, so the `/Contents` padding after it can be
/// checked. Primitive contents are copied as they are.
pub(super) fn ber_to_der(input: &[u8]) -> Result<(Vec<u8>, usize), DerError> {
    let mut out = Vec::with_capacity(input.len());
    let used = normalise(input, 0, &mut out)?;
    Ok((out, used))
}

fn normalise(input: &[u8], depth: usize, out: &mut Vec<u8>) -> Result<usize, DerError> {
    if depth > MAX_BER_DEPTH {
        return Err(DerError("nested too deeply"));
    }
    let eof = DerError("unexpected end of data");
    let tag = *input.first().ok_or(eof)?;
    if tag & 0x1f == 0x1f {
        return Err(DerError("multi-byte tags are not supported"));
    }
    let constructed = tag & 0x20 != 0;
    let mut content = Vec::new();
    let used = if input.get(1) == Some(&0x80) {
        if !constructed {
            return Err(DerError("indefinite length on a primitive element"));
        }
        let mut position = 2;
        loop {
            let rest = input.get(position..).ok_or(eof)?;
            if rest.starts_with(&[0, 0]) {
                break position + 2;
            }
            position += normalise(rest, depth + 1, &mut content)?;
        }
    } else {
        let (_, header_len, len) = ber_header(input)?;
        let end = header_len
            .checked_add(len)
            .ok_or(DerError("length overflows"))?;
        let body = input.get(header_len..end).ok_or(eof)?;
        if constructed {
            let mut position = 0;
            while position < body.len() {
                position += normalise(&body[position..], depth + 1, &mut content)?;
            }
        } else {
            content.extend_from_slice(body);
        }
        end
    };
    out.push(tag);
    push_length(content.len(), out);
    out.extend_from_slice(&content);
    Ok(used)
}

/// The first OID inside an AlgorithmIdentifier SEQUENCE.
pub(super) fn algorithm_oid<'a>(identifier: &Element<'a>) -> Result<&'a [u8], DerError> {
    let mut fields = identifier.reader();
    Ok(fields.expect(OID)?.content)
}

/// Big-endian magnitude of a DER INTEGER without leading zeros.
pub(super) fn integer_magnitude(content: &[u8]) -> &[u8] {
    let skip = content.iter().take_while(|&&b| b == 0).count();
    content.get(skip..).unwrap_or_default()
}

/// UTCTime / GeneralizedTime in the `Z` forms DER requires.
pub(super) fn parse_time(element: &Element<'_>) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = std::str::from_utf8(element.content).ok()?;
    let digits = text.strip_suffix('Z')?;
    let full = match element.tag {
        UTC_TIME if digits.len() == 12 => {
            let year: u32 = digits.get(..2)?.parse().ok()?;
            let century = if year >= 50 { "19" } else { "20" };
            format!("{century}{digits}")
        }
        GENERALIZED_TIME if digits.len() == 14 => digits.to_string(),
        _ => return None,
    };
    chrono::NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S")
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::der::{single, tlv};

    #[test]
    fn outer_length_ignores_padding_and_rejects_overruns() {
        assert_eq!(outer_length(&[0x30, 0x02, 1, 2, 0, 0, 0]), Ok(4));
        assert!(outer_length(&[0x30, 0x81, 0x80]).is_err());
        assert!(outer_length(&[0x30, 0x80, 0, 0]).is_err());
        assert!(outer_length(&[]).is_err());
        assert!(outer_length(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn ber_indefinite_lengths_become_definite() {
        let ber = [
            0x30, 0x80, 0xA0, 0x80, 0x04, 0x01, 0x07, 0x00, 0x00, 0x02, 0x01, 0x05, 0x00, 0x00,
            0x00, 0x00,
        ];
        let (der, used) = ber_to_der(&ber).unwrap();
        assert_eq!(
            der,
            [0x30, 0x08, 0xA0, 0x03, 0x04, 0x01, 0x07, 0x02, 0x01, 0x05]
        );
        assert_eq!(used, 14);
        let (same, used) = ber_to_der(&der).unwrap();
        assert_eq!((same, used), (der.to_vec(), der.len()));
        for bad in [
            &[0x30, 0x80][..],
            &[0x30, 0x80, 0x04, 0x80],
            &[0x04, 0x80, 0, 0],
            &[0x30, 0x80, 0x30, 0x80],
        ] {
            assert!(ber_to_der(bad).is_err(), "{bad:02x?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 200).flatten().collect();
        assert!(ber_to_der(&deep).is_err());
    }

    #[test]
    fn times_parse_in_both_forms() {
        let utc = tlv(UTC_TIME, b"270105023000Z");
        let utc = single(&utc, UTC_TIME).unwrap();
        assert_eq!(
            parse_time(&utc).unwrap().to_rfc3339(),
            "2027-01-05T02:30:00+00:00"
        );
        let generalized = tlv(GENERALIZED_TIME, b"19991231235959Z");
        let generalized = single(&generalized, GENERALIZED_TIME).unwrap();
        assert!(parse_time(&generalized).is_some());
        let bad = tlv(UTC_TIME, b"27010502300Z");
        let bad = single(&bad, UTC_TIME).unwrap();
        assert!(parse_time(&bad).is_none());
    }
}
