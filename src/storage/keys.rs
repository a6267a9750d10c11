//! Typed object keys. Nobody else formats key strings: a new kind of object gets a variant here.

use std::fmt;

use object_store::path::Path;

/// A SHA-256 digest, printed as 64 lower-case hex characters.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    pub fn from_digest(digest: [u8; 32]) -> Self {
        Self(digest)
    }

    pub fn parse_hex(raw: &str) -> Option<Self> {
        let bytes = hex::decode(raw).ok()?;
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(Self(array))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.to_hex())
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageKey {
    /// An immutable file: `blobs/sha256/ab/abcdef…`. The two-character fan-out keeps local
    /// directories small.
    Blob(ContentHash),
    /// A short-lived object written by the start-up probe: `probe/<node>-<nonce>`.
    Probe(String),
    /// A checkpoint of the audit chain's head: `audit/checkpoints/<seq, 20 digits>-<hash>.json`.
    AuditCheckpoint { seq: i64, hash: String },
}

impl StorageKey {
    pub fn to_path(&self) -> Path {
        match self {
            StorageKey::Blob(hash) => {
                let hex = hash.to_hex();
                Path::from(format!("blobs/sha256/{}/{}", &hex[..2], hex))
            }
            StorageKey::Probe(name) => Path::from(format!("probe/{name}")),
            StorageKey::AuditCheckpoint { seq, hash } => {
                Path::from(format!("audit/checkpoints/{seq:020}-{hash}.json"))
            }
        }
    }

    pub fn checkpoint_prefix() -> Path {
        Path::from("audit/checkpoints")
    }

    pub fn blob_prefix() -> Path {
        Path::from("blobs/sha256")
    }

    pub fn parse_blob_path(path: &Path) -> Option<ContentHash> {
        let last = path.filename()?;
        ContentHash::parse_hex(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_keys_fan_out_by_the_first_two_hex_characters() {
        let hash = ContentHash::of(b"hello");
        let path = StorageKey::Blob(hash.clone()).to_path();
        let hex = hash.to_hex();
        assert_eq!(
            path.to_string(),
            format!("blobs/sha256/{}/{hex}", &hex[..2])
        );
        assert_eq!(StorageKey::parse_blob_path(&path), Some(hash));
    }

    #[test]
    fn hex_parsing_refuses_wrong_lengths() {
        assert!(ContentHash::parse_hex("abcd").is_none());
        assert!(ContentHash::parse_hex(&"0".repeat(64)).is_some());
    }
}
