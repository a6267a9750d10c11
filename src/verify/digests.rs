//! Digests of the signed byte ranges, sharing work between signatures. Every signature's
//! first range starts at offset 0 and the signed revisions are prefixes of one file, so the
//! hash state after `bytes[..b]` is a prefix of every later signature's hash and of the
//! file's own SHA-256. States are kept at each gap start (per algorithm) and cloned, so a
//! two-layer file is hashed about once instead of three times.

use std::sync::{Mutex, PoisonError};

use openssl::error::ErrorStack;
use openssl::hash::{DigestBytes, Hasher, MessageDigest};

/// Kept hash states (bounded memory: an OpenSSL digest context each).
const MAX_SNAPSHOTS: usize = 16;

pub(super) struct RangeDigests<'a> {
    bytes: &'a [u8],
    /// (algorithm, offset, state after hashing `bytes[..offset]`).
    snapshots: Mutex<Vec<(openssl::nid::Nid, usize, Hasher)>>,
}

/// SHA-256 states after each of `offsets` (sorted, within the file), in one pass: run on
/// the thread pool while the final revision parses. Every signature's gap lies in the
/// update after some revision end, so its digest continues from one of these states.
pub(super) fn sha256_prefix_states(bytes: &[u8], offsets: &[usize]) -> Vec<PrefixState> {
    let mut states = Vec::new();
    let Ok(mut hasher) = Hasher::new(MessageDigest::sha256()) else {
        return states;
    };
    let mut from = 0;
    for &offset in offsets.iter().take(MAX_SNAPSHOTS) {
        if offset < from || offset > bytes.len() {
            continue;
        }
        if hasher.update(&bytes[from..offset]).is_err() {
            break;
        }
        from = offset;
        states.push(PrefixState {
            offset,
            hasher: hasher.clone(),
        });
    }
    states
}

/// A SHA-256 state after the first `offset` bytes.
pub(super) struct PrefixState {
    offset: usize,
    hasher: Hasher,
}

impl<'a> RangeDigests<'a> {
    pub fn new(bytes: &'a [u8], sha256_states: Vec<PrefixState>) -> Self {
        let nid = MessageDigest::sha256().type_();
        let snapshots = sha256_states
            .into_iter()
            .map(|state| (nid, state.offset, state.hasher))
            .collect();
        Self {
            bytes,
            snapshots: Mutex::new(snapshots),
        }
    }

    /// The digest of `bytes[..first_end]` followed by `bytes[second.0..second.1]` (the two
    /// ranges of a `/ByteRange` whose first range starts at 0). The caller checked the
    /// offsets against the file length.
    pub fn signed_ranges(
        &self,
        digest: MessageDigest,
        first_end: usize,
        second: (usize, usize),
    ) -> Result<DigestBytes, ErrorStack> {
        let mut hasher = self.prefix(digest, first_end)?;
        hasher.update(self.bytes.get(second.0..second.1).unwrap_or_default())?;
        hasher.finish()
    }

    /// The SHA-256 of the whole file.
    pub fn file_sha256(&self) -> Result<DigestBytes, ErrorStack> {
        self.prefix(MessageDigest::sha256(), self.bytes.len())?
            .finish()
    }

    /// A hasher that has consumed `bytes[..end]`, continued from the longest kept prefix.
    fn prefix(&self, digest: MessageDigest, end: usize) -> Result<Hasher, ErrorStack> {
        let end = end.min(self.bytes.len());
        let nid = digest.type_();
        let best = {
            let snapshots = self
                .snapshots
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            snapshots
                .iter()
                .filter(|(kind, offset, _)| *kind == nid && *offset <= end)
                .max_by_key(|(_, offset, _)| *offset)
                .map(|(_, offset, hasher)| (hasher.clone(), *offset))
        };
        // Hashing happens outside the lock: signatures are checked in parallel.
        let (mut hasher, from) = match best {
            Some(found) => found,
            None => (Hasher::new(digest)?, 0),
        };
        hasher.update(&self.bytes[from..end])?;
        let mut snapshots = self
            .snapshots
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if from != end && snapshots.len() < MAX_SNAPSHOTS {
            snapshots.push((nid, end, hasher.clone()));
        }
        Ok(hasher)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(digest: MessageDigest, parts: &[&[u8]]) -> Vec<u8> {
        let mut hasher = Hasher::new(digest).unwrap();
        for part in parts {
            hasher.update(part).unwrap();
        }
        hasher.finish().unwrap().to_vec()
    }

    #[test]
    fn shared_prefixes_give_the_same_digests_in_any_order() {
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let digests = RangeDigests::new(&bytes, sha256_prefix_states(&bytes, &[500, 5000]));
        let cases = [
            (6000, (6100, 8000)),
            (1000, (1200, 3000)),
            (9000, (9100, 10_000)),
        ];
        for (first_end, (start, end)) in cases {
            for digest in [MessageDigest::sha256(), MessageDigest::sha512()] {
                let shared = digests.signed_ranges(digest, first_end, (start, end));
                let expected = plain(digest, &[&bytes[..first_end], &bytes[start..end]]);
                assert_eq!(shared.unwrap().to_vec(), expected);
            }
        }
        let whole = digests.file_sha256().unwrap().to_vec();
        assert_eq!(whole, plain(MessageDigest::sha256(), &[&bytes]));
    }
}
