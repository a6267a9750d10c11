//! The archive's full-text index. This crate is the only one that knows tantivy: the service
//! talks to it through [`ArchiveIndex`] and plain Rust types, so the index can be rebuilt or
//! replaced without the rest of the code noticing.
//!
//! The database is the source of truth; this index is derived from it and can always be
//! rebuilt. A schema version is stored beside the index so that a binary with a different
//! schema knows it must rebuild instead of reading fields that are not there.
//!
//! * Analysis (see `analysis`): NFC and legacy-encoding repair before anything else; each text
//!   indexed exact (diacritics kept, tone placement unified), folded and as syllable bigrams.
//! * Queries (see `query`): built programmatically — raw input never reaches a query syntax —
//!   with document numbers recognised, permissions and filters inside the query.
//! * Writes: one writer per process behind a mutex, one commit per batch, a log merge policy and
//!   garbage collection of merged-away files; one reader reloaded after each commit.

mod analysis;
mod facets;
mod legacy;
mod plan;
mod query;
mod schema;
mod search;
mod syllable;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::TopDocs;
use tantivy::indexer::LogMergePolicy;
use tantivy::query::Query;
use tantivy::schema::{Field, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};

pub use analysis::{fold_diacritics, normalize_nfc};
pub use legacy::{convert_legacy, detect_legacy_encoding, repair_legacy_encoding, LegacyEncoding};

use crate::schema::Fields;

/// Bumped whenever the fields or their analysis change; a mismatch means "rebuild".
///
/// * 1 — identifiers and subject only.
/// * 2 — full document schema, Vietnamese analysers (exact/folded/bigram), numbers, permissions.
/// * 3 — `scan`: the file has no text layer.
pub const SCHEMA_VERSION: u32 = 3;
const VERSION_FILE: &str = "vanthu-index-version";

/// Up to this many matching documents, `total` and the facets are exact. Past it they are
/// estimated from a sample of about as many matching documents spread over the whole index,
/// unless the request asks for `exact_counts`. The hits themselves are always exact.
pub const EXACT_COUNT_LIMIT: u64 = 20_000;

/// Clearance level of everything in the index: confidential documents are never indexed, so
/// only the lowest level exists. It is part of the permission term all the same, so that the
/// query — not the caller — decides what a user may see.
const PUBLIC_CLEARANCE: u8 = 0;

const SNIPPET_CHARS: usize = 200;
const DEFAULT_PAGE_SIZE: u32 = 20;
const MAX_PAGE_SIZE: u32 = 100;
const MAX_FACET_VALUES: usize = 100;
const REBUILD_PROGRESS_EVERY: u64 = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("cannot prepare the index directory {path}: {source}")]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("tantivy refused to open or create the index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("document {id} is confidential; confidential documents are never indexed")]
    Confidential { id: String },
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

/// How much memory and how many threads the writer may use, and how many matches a search
/// counts one by one.
#[derive(Debug, Clone, Copy)]
pub struct IndexOptions {
    pub writer_threads: usize,
    /// Total indexing memory budget, shared by the threads (at least 15 MB per thread).
    pub writer_heap_bytes: usize,
    /// Up to this many matches, `total` and the facets are exact; past it they are estimated
    /// from a sample of about as many ([`EXACT_COUNT_LIMIT`] by default; tests lower it).
    pub exact_count_limit: u64,
    /// Score (or read the date of) every match for the page of hits instead of pruning. The
    /// page is the same either way; this is the reference the tests compare against.
    pub exhaustive_ranking: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        Self {
            writer_threads: 1,
            writer_heap_bytes: 64 << 20,
            exact_count_limit: EXACT_COUNT_LIMIT,
            exhaustive_ranking: false,
        }
    }
}

/// A document as the index sees it. Texts may arrive in any Unicode form or in a legacy
/// Vietnamese encoding; they are normalised on the way in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedDocument {
    pub id: String,
    /// The issuing agency (OrganId): the permission scope.
    pub organ_id: String,
    pub unit: String,
    /// Type code, e.g. `quyet_dinh`.
    pub document_type: String,
    /// Type name, e.g. `Quyết định`; searchable.
    pub type_name: String,
    /// Number and notation, e.g. `05/QĐ-UBND`.
    pub number: Option<String>,
    pub subject: String,
    pub body: String,
    pub signer: Option<String>,
    /// The issue date as the local (Vietnamese) calendar day.
    pub issue_date: Option<NaiveDate>,
    pub status: String,
    pub signature_state: String,
    pub revision: u64,
    /// Confidential documents are refused: they must never reach the index.
    pub confidential: bool,
    /// The file has no text layer (a scanned image), so `body` is empty or nearly so: the
    /// document can only be found by its metadata until someone runs OCR on it.
    #[serde(default)]
    pub scan: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Best match first; with no search text, the same as `Newest`.
    #[default]
    Relevance,
    Newest,
    Oldest,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// What the user typed; may be empty (then filters alone select).
    pub text: String,
    /// The agencies whose documents the user may see; empty means nothing is visible.
    pub allowed_agencies: Vec<String>,
    pub document_type: Option<String>,
    pub organ_id: Option<String>,
    pub unit: Option<String>,
    pub signer: Option<String>,
    pub status: Option<String>,
    /// Issue date from (inclusive).
    pub from: Option<NaiveDate>,
    /// Issue date to (inclusive).
    pub to: Option<NaiveDate>,
    pub sort: SortOrder,
    /// 1-based; 0 is read as 1.
    pub page: u32,
    /// 1..=100; 0 means 20.
    pub page_size: u32,
    /// Only scans (`Some(true)`) or only documents with a text layer (`Some(false)`).
    #[serde(default)]
    pub scan: Option<bool>,
    /// Count every hit and compute facets over all of them even when there are very many
    /// (slower on broad queries over a large archive; see [`SearchResults::total_is_exact`]).
    #[serde(default)]
    pub exact_counts: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Number of visible documents matching, over all pages. Exact when `total_is_exact`;
    /// otherwise an estimate, never below the number actually counted (more than
    /// [`IndexOptions::exact_count_limit`]).
    pub total: u64,
    /// `false` when more than [`IndexOptions::exact_count_limit`] documents match and the
    /// request did not ask for `exact_counts`: `total` is then estimated from a sample of the
    /// matching documents spread evenly over the whole index.
    pub total_is_exact: bool,
    /// The hits are always the exact best (or newest/oldest) documents of the page.
    pub hits: Vec<SearchHit>,
    /// Counts per value over the matching documents; estimated from the same sample when
    /// `facets_exact` is `false` (then a rare value may be missing).
    pub facets: Facets,
    pub facets_exact: bool,
}

impl Default for SearchResults {
    fn default() -> Self {
        Self {
            total: 0,
            total_is_exact: true,
            hits: Vec::new(),
            facets: Facets::default(),
            facets_exact: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub score: f32,
    pub number: Option<String>,
    pub subject: String,
    /// An HTML fragment of the body (or the subject) with the matched words in `<b>…</b>`, as
    /// written in the document (diacritics kept); everything else is HTML-escaped.
    pub snippet_html: String,
    pub issue_date: Option<NaiveDate>,
    pub document_type: String,
    pub unit: String,
    pub signer: Option<String>,
    /// The file has no text layer (a scan): only its metadata is searchable.
    pub scan: bool,
}

/// Counts over every matching visible document, most frequent first (years: newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    pub types: Vec<(String, u64)>,
    pub units: Vec<(String, u64)>,
    pub signers: Vec<(String, u64)>,
    pub statuses: Vec<(String, u64)>,
    pub years: Vec<(i32, u64)>,
}

/// Size and shape of the index, for health checks and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    pub documents: u64,
    pub deleted_documents: u64,
    pub segments: usize,
    pub bytes_on_disk: u64,
}

pub struct ArchiveIndex {
    index: Index,
    directory: PathBuf,
    state: IndexState,
    fields: Fields,
    options: IndexOptions,
    reader: IndexReader,
    /// The process's only writer, created on first write.
    writer: Mutex<Option<IndexWriter>>,
}

impl ArchiveIndex {
    /// Opens the index in `directory`, creating it (and the directory) when missing. An index
    /// written with another schema version is moved aside and a fresh one created.
    pub fn open_or_create(directory: &Path) -> Result<Self, IndexError> {
        Self::open_or_create_with(directory, IndexOptions::default())
    }

    pub fn open_or_create_with(
        directory: &Path,
        options: IndexOptions,
    ) -> Result<Self, IndexError> {
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
            _ => Index::create_in_dir(directory, schema::build_schema())?,
        };
        std::fs::write(directory.join(VERSION_FILE), SCHEMA_VERSION.to_string())
            .map_err(io_error)?;
        analysis::register_analyzers(&index);
        let fields = Fields::resolve(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            directory: directory.to_path_buf(),
            state,
            fields,
            options,
            reader,
            writer: Mutex::new(None),
        })
    }

    pub fn state(&self) -> IndexState {
        self.state
    }

    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// Number of documents visible to searches (as of the last commit).
    pub fn document_count(&self) -> Result<u64, IndexError> {
        Ok(self.reader.searcher().num_docs())
    }

    pub fn stats(&self) -> Result<IndexStats, IndexError> {
        let searcher = self.reader.searcher();
        let deleted = searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.num_deleted_docs()))
            .sum();
        Ok(IndexStats {
            documents: searcher.num_docs(),
            deleted_documents: deleted,
            segments: searcher.segment_readers().len(),
            bytes_on_disk: directory_size(&self.directory),
        })
    }

    /// Adds or replaces (by id) documents and commits them as one batch. Refuses the whole batch,
    /// writing nothing, if any document is confidential.
    pub fn upsert(&self, documents: Vec<IndexedDocument>) -> Result<(), IndexError> {
        if let Some(secret) = documents.iter().find(|d| d.confidential) {
            return Err(IndexError::Confidential {
                id: secret.id.clone(),
            });
        }
        if documents.is_empty() {
            return Ok(());
        }
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("writer() creates the writer");
        let result = (|| {
            for document in &documents {
                writer.delete_term(Term::from_field_text(self.fields.id, &document.id));
                writer.add_document(self.to_tantivy(document))?;
            }
            Ok(())
        })();
        self.finish(writer, result)
    }

    /// Removes documents by id (unknown ids are ignored) and commits.
    pub fn delete(&self, ids: &[String]) -> Result<(), IndexError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("writer() creates the writer");
        for id in ids {
            writer.delete_term(Term::from_field_text(self.fields.id, id));
        }
        self.finish(writer, Ok(()))
    }

    /// Replaces the whole index with `documents`, committed once at the end: searches see the
    /// old index until the new one is complete. `progress` receives the number of documents
    /// added so far (every 1,000 and at the end). Returns the number indexed. A confidential
    /// document aborts the rebuild and leaves the old index as it was.
    pub fn rebuild(
        &self,
        documents: impl Iterator<Item = IndexedDocument>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64, IndexError> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("writer() creates the writer");
        let mut count = 0u64;
        let result = (|| {
            writer.delete_all_documents()?;
            for document in documents {
                if document.confidential {
                    return Err(IndexError::Confidential { id: document.id });
                }
                writer.add_document(self.to_tantivy(&document))?;
                count += 1;
                if count % REBUILD_PROGRESS_EVERY == 0 {
                    progress(count);
                }
            }
            Ok(())
        })();
        self.finish(writer, result)?;
        progress(count);
        Ok(count)
    }

    /// Waits until background merges are done and deletes the files they made obsolete (used
    /// after a rebuild, by benchmarks and tests; normal operation does not need it).
    pub fn wait_for_merges(&self) -> Result<(), IndexError> {
        let mut guard = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(writer) = guard.take() {
            writer.wait_merging_threads()?;
        }
        drop(guard);
        let guard = self.writer()?;
        let writer = guard.as_ref().expect("writer() creates the writer");
        writer.garbage_collect_files().wait()?;
        self.reader.reload()?;
        Ok(())
    }

    /// The writer, created on first use with the merge policy.
    fn writer(&self) -> Result<MutexGuard<'_, Option<IndexWriter>>, IndexError> {
        let mut guard = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        if guard.is_none() {
            let writer: IndexWriter = self.index.writer_with_num_threads(
                self.options.writer_threads.max(1),
                self.options.writer_heap_bytes,
            )?;
            let mut policy = LogMergePolicy::default();
            policy.set_del_docs_ratio_before_merge(0.2);
            writer.set_merge_policy(Box::new(policy));
            *guard = Some(writer);
        }
        Ok(guard)
    }

    /// Commits a batch (or rolls it back when it failed), collects files that merges left
    /// behind and makes the commit visible to searches.
    fn finish(
        &self,
        writer: &mut IndexWriter,
        result: Result<(), IndexError>,
    ) -> Result<(), IndexError> {
        if let Err(error) = result {
            writer.rollback()?;
            return Err(error);
        }
        writer.commit()?;
        // Best effort: a failed collection leaves extra files, which the next one removes.
        let _ = writer.garbage_collect_files().wait();
        self.reader.reload()?;
        Ok(())
    }

    fn to_tantivy(&self, d: &IndexedDocument) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &d.id);
        doc.add_text(f.scope, scope_term(&d.organ_id));
        doc.add_text(f.organ_id, &d.organ_id);
        doc.add_text(f.unit, &d.unit);
        doc.add_text(f.document_type, &d.document_type);
        doc.add_text(f.status, &d.status);
        doc.add_text(f.signature_state, &d.signature_state);
        let signer = d.signer.as_deref().map(|s| normalize_nfc(s.trim()));
        if let Some(signer) = &signer {
            doc.add_text(f.signer, signer);
        }
        doc.add_u64(f.revision, d.revision);
        if let Some(date) = d.issue_date {
            doc.add_date(f.issue_date, to_tantivy_date(date));
            doc.add_u64(f.issue_year, u64::try_from(date.year()).unwrap_or_default());
        }
        if let Some(number) = &d.number {
            let number = normalize_nfc(number.trim());
            let key = analysis::document_number_key(&number);
            doc.add_text(f.number_parts, analysis::document_number_parts(&key));
            doc.add_text(f.number_key, key);
            doc.add_text(f.number, number);
        }
        let subject = analysis::prepare_text(&d.subject);
        doc.add_text(f.subject_fold, &subject);
        doc.add_text(f.subject_bigram, &subject);
        doc.add_text(f.subject_exact, subject);
        let body = analysis::prepare_text(&d.body);
        doc.add_text(f.body_fold, &body);
        doc.add_text(f.body_bigram, &body);
        doc.add_text(f.body_exact, body);
        let meta = format!(
            "{}\n{}",
            normalize_nfc(&d.type_name),
            signer.as_deref().unwrap_or_default()
        );
        doc.add_text(f.meta_fold, &meta);
        doc.add_text(f.meta_exact, meta);
        doc.add_bool(f.scan, d.scan);
        doc
    }
}

fn scope_term(organ_id: &str) -> String {
    format!("{organ_id}#{PUBLIC_CLEARANCE}")
}

/// A calendar day is stored as 00:00 UTC of that day, so that year/month arithmetic in tantivy
/// (always UTC) gives the local (UTC+7) calendar day back.
fn to_tantivy_date(date: NaiveDate) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_secs(date.and_time(NaiveTime::MIN).and_utc().timestamp())
}

fn from_tantivy_date(date: tantivy::DateTime) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(date.into_timestamp_secs(), 0).map(|d| d.date_naive())
}

fn directory_size(directory: &Path) -> u64 {
    std::fs::read_dir(directory)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
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

#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;
