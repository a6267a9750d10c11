//! The archive's full-text index. This crate is the only one that knows tantivy: the service
//! talks to it through [`ArchiveIndex`] and plain Rust types, so the index can be rebuilt or
//! replaced without the rest of the code noticing.
//!
//! The database is the source of truth; this index is derived from it and can always be
//! rebuilt. A schema version is stored beside the index so that a binary with a different
//! schema knows it must rebuild instead of reading fields that are not there.

mod analysis;

use std::path::{Path, PathBuf};

use tantivy::schema::{Schema, STORED, STRING, TEXT};
use tantivy::Index;

pub use analysis::{fold_diacritics, normalize_nfc};

/// Bumped whenever the fields or their analysis change; a mismatch means "rebuild".
pub const SCHEMA_VERSION: u32 = 1;
const VERSION_FILE: &str = "vanthu-index-version";

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("cannot prepare the index directory {path}: {source}")]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("tantivy refused to open or create the index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// What the node found when it opened its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexState {
    /// The index was created empty just now.
    Created,
    /// An index with the current schema version was found.
    Current,
    /// An index with another schema version was found and set aside; it must be rebuilt.
    Recreated { previous_version: Option<u32> },
}

pub struct ArchiveIndex {
    index: Index,
    directory: PathBuf,
    state: IndexState,
}

impl ArchiveIndex {
    /// Opens the index in `directory`, creating it (and the directory) when missing. An index
    /// written with another schema version is moved aside and a fresh one created.
    pub fn open_or_create(directory: &Path) -> Result<Self, IndexError> {
        let io_error = |source| IndexError::Directory {
            path: directory.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(directory).map_err(io_error)?;
        let found_version = read_version(directory);
        let has_index = directory.join("meta.json").exists();
        let state = match (has_index, found_version) {
            (false, _) => IndexState::Created,
            (true, Some(v)) if v == SCHEMA_VERSION => IndexState::Current,
            (true, previous_version) => {
                set_aside(directory).map_err(io_error)?;
                IndexState::Recreated { previous_version }
            }
        };
        let index = match state {
            IndexState::Current => Index::open_in_dir(directory)?,
            _ => Index::create_in_dir(directory, build_schema())?,
        };
        std::fs::write(directory.join(VERSION_FILE), SCHEMA_VERSION.to_string())
            .map_err(io_error)?;
        Ok(Self {
            index,
            directory: directory.to_path_buf(),
            state,
        })
    }

    pub fn state(&self) -> IndexState {
        self.state
    }

    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// Number of documents visible to a fresh reader.
    pub fn document_count(&self) -> Result<u64, IndexError> {
        let reader = self.index.reader()?;
        Ok(reader.searcher().num_docs())
    }
}

fn read_version(directory: &Path) -> Option<u32> {
    std::fs::read_to_string(directory.join(VERSION_FILE))
        .ok()
        .and_then(|text| text.trim().parse().ok())
}

/// Moves every file of an outdated index into a sibling folder instead of deleting it, so an
/// operator can still inspect it; the index is derived data and will be rebuilt.
fn set_aside(directory: &Path) -> std::io::Result<()> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let aside = directory.with_extension(format!("outdated-{stamp}"));
    std::fs::rename(directory, &aside)?;
    std::fs::create_dir_all(directory)
}

/// The first schema: identifiers and the texts that later sessions analyse for Vietnamese.
fn build_schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("document_id", STRING | STORED);
    builder.add_text_field("agency", STRING);
    builder.add_text_field("subject", TEXT | STORED);
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_reopens_an_index_with_the_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        let first = ArchiveIndex::open_or_create(&path).unwrap();
        assert_eq!(first.state(), IndexState::Created);
        assert_eq!(first.document_count().unwrap(), 0);
        drop(first);
        let second = ArchiveIndex::open_or_create(&path).unwrap();
        assert_eq!(second.state(), IndexState::Current);
    }

    #[test]
    fn an_index_with_another_schema_version_is_set_aside_and_recreated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        drop(ArchiveIndex::open_or_create(&path).unwrap());
        std::fs::write(path.join(VERSION_FILE), "0").unwrap();
        let reopened = ArchiveIndex::open_or_create(&path).unwrap();
        assert_eq!(
            reopened.state(),
            IndexState::Recreated {
                previous_version: Some(0)
            }
        );
    }
}
