//! Loading revisions (`bytes[..end]`) with lopdf under limits, and the structural checks on
//! every update appended after a signed revision. An update must be a real incremental
//! update (ISO 32000 §7.5.6): its own cross-reference section, a `/Prev` chain that keeps
//! the previous revision's entries, and no object that its cross-reference data omits (the
//! incremental saving attack "without xref/trailer" evades viewers that ignore those bytes
//! and tools that do not).

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use lopdf::xref::XrefEntry;
use lopdf::Document;

use super::report::RevisionInfo;
use super::structure::find;

/// Per-stream decompression bound while loading.
const MAX_DECOMPRESSED_STREAM: usize = 64 * 1024 * 1024;
/// Bounded work: at most this many prefixes parsed per file, and at most
/// `PARSE_BUDGET_FACTOR` times the file size parsed in all. A two-layer file needs about
/// four file sizes; a load past either bound fails, which the callers treat as a failed
/// check (fail-closed).
const MAX_LOADS: usize = 40;
const PARSE_BUDGET_FACTOR: usize = 12;
/// Updates after a signed revision that are analysed; more is treated as a modification.
pub(super) const MAX_UPDATES_AFTER_SIGNATURE: usize = 32;

/// Parsed revisions kept at once (memory bound; a two-layer file needs three).
const CACHE_SIZE: usize = 6;

pub(super) struct Loader<'a> {
    bytes: &'a [u8],
    /// lopdf counts offsets from the `%PDF-` header, not from the start of the file.
    pub header_offset: usize,
    /// Most recently used last.
    cache: Vec<(usize, Option<Rc<Document>>)>,
    loads: usize,
    parsed: usize,
}

impl<'a> Loader<'a> {
    pub fn new(bytes: &'a [u8], header_offset: usize) -> Self {
        Self {
            bytes,
            header_offset,
            cache: Vec::new(),
            loads: 0,
            parsed: 0,
        }
    }

    /// The document formed by the first `end` bytes; `None` if it does not load (or the
    /// load budget is spent). A panic inside the parser counts as a failed load.
    pub fn load(&mut self, end: usize) -> Option<Rc<Document>> {
        if let Some(position) = self.cache.iter().position(|(e, _)| *e == end) {
            let entry = self.cache.remove(position);
            let document = entry.1.clone();
            self.cache.push(entry);
            return document;
        }
        if !self.spend_budget(end) {
            return None;
        }
        let loaded = parse_prefix(self.bytes, end).map(Rc::new);
        self.remember(end, loaded.clone());
        loaded
    }

    /// Runs `work` on this thread while the revisions ending at `ends` are parsed on the
    /// thread pool (they are then in the cache): a signature's byte-level and cryptographic
    /// checks do not need its signed revision, only the modification analysis does.
    pub fn load_while<R>(&mut self, ends: &[usize], work: impl FnOnce() -> R) -> R {
        let mut wanted: Vec<usize> = Vec::new();
        for &end in ends {
            let cached = self.cache.iter().any(|(e, _)| *e == end);
            if !cached && !wanted.contains(&end) && self.spend_budget(end) {
                wanted.push(end);
            }
        }
        if wanted.is_empty() {
            return work();
        }
        let bytes = self.bytes;
        let mut parsed: Vec<(usize, Option<Document>)> = Vec::new();
        let result = rayon::in_place_scope(|scope| {
            scope.spawn(|_| {
                parsed = wanted
                    .iter()
                    .map(|&end| (end, parse_prefix(bytes, end)))
                    .collect();
            });
            work()
        });
        for (end, document) in parsed {
            self.remember(end, document.map(Rc::new));
        }
        result
    }

    /// Counts a load of `end` bytes against the bounds; `false` when they are spent.
    fn spend_budget(&mut self, end: usize) -> bool {
        let budget = self.bytes.len().saturating_mul(PARSE_BUDGET_FACTOR);
        if self.loads >= MAX_LOADS || self.parsed.saturating_add(end) > budget {
            return false;
        }
        self.loads += 1;
        self.parsed = self.parsed.saturating_add(end);
        true
    }

    fn remember(&mut self, end: usize, document: Option<Rc<Document>>) {
        if self.cache.len() >= CACHE_SIZE {
            self.cache.remove(0);
        }
        self.cache.push((end, document));
    }

    /// File offset of an offset lopdf reports.
    pub fn file_offset(&self, lopdf_offset: usize) -> usize {
        lopdf_offset.saturating_add(self.header_offset)
    }
}

fn parse_prefix(bytes: &[u8], end: usize) -> Option<Document> {
    let prefix = bytes.get(..end)?;
    catch_unwind(AssertUnwindSafe(|| {
        crate::pdf::limits::load_with_image_placeholders(prefix, MAX_DECOMPRESSED_STREAM)
    }))
    .ok()
    .and_then(Result::ok)
}

/// Problems with the updates after the revision ending at `signed_end`, one message each.
pub(super) fn check_updates(
    loader: &mut Loader<'_>,
    revisions: &[RevisionInfo],
    signed_end: u64,
) -> Vec<String> {
    let later: Vec<&RevisionInfo> = revisions
        .iter()
        .filter(|r| r.eof_offset >= signed_end)
        .collect();
    if later.len() > MAX_UPDATES_AFTER_SIGNATURE {
        return vec![format!("{} revisions follow the signed one; at most {MAX_UPDATES_AFTER_SIGNATURE} are analysed", later.len())];
    }
    let mut problems = Vec::new();
    let mut previous_end = signed_end as usize;
    for revision in later {
        let end = revision.end_offset as usize;
        let label = format!("revision {} (bytes {previous_end}..{end})", revision.index);
        match check_update(loader, previous_end, revision) {
            Ok(()) => {}
            Err(why) => problems.push(format!("{label}: {why}")),
        }
        previous_end = end;
    }
    problems
}

fn check_update(
    loader: &mut Loader<'_>,
    start: usize,
    revision: &RevisionInfo,
) -> Result<(), String> {
    let end = revision.end_offset as usize;
    let document = loader.load(end).ok_or("does not load as a PDF")?;
    if document.xref_recovery.is_some() {
        return Err("its cross-reference data is damaged (a reader had to repair it)".into());
    }
    if document.trailer.has(b"Encrypt") {
        return Err("adds encryption".into());
    }
    let xref_start = loader.file_offset(document.xref_start);
    if xref_start < start || xref_start >= revision.eof_offset as usize {
        return Err(
            "has no cross-reference section of its own (startxref points elsewhere)".into(),
        );
    }
    let previous = loader
        .load(start)
        .ok_or("the revision before it does not load")?;
    check_chain(loader, &previous, &document, start, end)?;
    check_listed(loader, &document, start, end, xref_start)
}

/// Every entry of the previous revision survives, unless this update redefines it.
fn check_chain(
    loader: &Loader<'_>,
    previous: &Document,
    document: &Document,
    start: usize,
    end: usize,
) -> Result<(), String> {
    let in_update = |offset: u32| (start..end).contains(&loader.file_offset(offset as usize));
    let entries = &document.reference_table.entries;
    for (id, old) in &previous.reference_table.entries {
        let kept = match (old, entries.get(id)) {
            (_, None) => false,
            (_, Some(XrefEntry::Free | XrefEntry::UnusableFree)) => true,
            (_, Some(XrefEntry::Normal { offset, .. })) if in_update(*offset) => true,
            (
                XrefEntry::Normal {
                    offset: a,
                    generation: g,
                },
                Some(XrefEntry::Normal {
                    offset: b,
                    generation: h,
                }),
            ) => a == b && g == h,
            (
                XrefEntry::Compressed {
                    container: a,
                    index: i,
                },
                Some(XrefEntry::Compressed {
                    container: b,
                    index: j,
                }),
            ) => (a == b && i == j) || container_in_update(entries, *b, &in_update),
            (_, Some(XrefEntry::Compressed { container, .. })) => {
                container_in_update(entries, *container, &in_update)
            }
            _ => false,
        };
        if !kept {
            return Err(format!(
                "its /Prev chain drops or rewinds object {id} of the revision before"
            ));
        }
    }
    Ok(())
}

fn container_in_update(
    entries: &BTreeMap<u32, XrefEntry>,
    container: u32,
    in_update: &dyn Fn(u32) -> bool,
) -> bool {
    matches!(entries.get(&container), Some(XrefEntry::Normal { offset, .. }) if in_update(*offset))
}

/// Every `N G obj` header in the update is listed by its cross-reference data (or lies
/// inside an object that is).
fn check_listed(
    loader: &Loader<'_>,
    document: &Document,
    start: usize,
    end: usize,
    xref_start: usize,
) -> Result<(), String> {
    let bytes = loader.bytes;
    let mut listed: BTreeSet<usize> = document
        .reference_table
        .entries
        .values()
        .filter_map(|e| match e {
            XrefEntry::Normal { offset, .. } => Some(loader.file_offset(*offset as usize)),
            _ => None,
        })
        .filter(|o| (start..end).contains(o))
        .collect();
    listed.insert(xref_start);
    // Where each listed object ends, found once per object (bounded work).
    let mut spans: BTreeMap<usize, Option<usize>> = BTreeMap::new();
    for header in object_headers(bytes, start, end) {
        if listed.contains(&header) {
            continue;
        }
        let inside = listed.range(..header).next_back().is_some_and(|&owner| {
            let object_end = *spans
                .entry(owner)
                .or_insert_with(|| find(bytes.get(..end).unwrap_or_default(), b"endobj", owner));
            object_end.is_some_and(|object_end| object_end > header)
        });
        if !inside {
            return Err(format!(
                "holds an object at offset {header} that its cross-reference data does not list"
            ));
        }
    }
    Ok(())
}

/// Offsets of `N G obj` headers in `[start, end)` that begin a line (or the range).
fn object_headers(bytes: &[u8], start: usize, end: usize) -> Vec<usize> {
    let region = bytes.get(start..end).unwrap_or_default();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find(region, b"obj", from) {
        from = at + 3;
        if matches!(region.get(at + 3), Some(c) if c.is_ascii_alphanumeric()) {
            continue;
        }
        // Walk back over: whitespace, generation digits, whitespace, number digits.
        let mut i = at;
        let mut groups = 0;
        let mut ok = true;
        for _ in 0..2 {
            let spaces = count_back(region, i, |c| {
                c == b' ' || c == b'\t' || c == b'\r' || c == b'\n' || c == 0x0c || c == 0
            });
            if spaces == 0 {
                ok = false;
                break;
            }
            i -= spaces;
            let digits = count_back(region, i, |c| c.is_ascii_digit());
            if digits == 0 || digits > 10 {
                ok = false;
                break;
            }
            i -= digits;
            groups += 1;
        }
        if !ok || groups != 2 {
            continue;
        }
        let line_start = i == 0
            || matches!(
                region.get(i - 1),
                Some(b'\r' | b'\n' | b' ' | b'>' | b']' | b')')
            );
        if line_start {
            found.push(start + i);
        }
    }
    found
}

fn count_back(region: &[u8], end: usize, accept: impl Fn(u8) -> bool) -> usize {
    region[..end.min(region.len())]
        .iter()
        .rev()
        .take_while(|&&c| accept(c))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_headers_are_found_at_line_starts_only() {
        let text = b"1 0 obj\n<<>>\nendobj\n12 3 obj <<>> endobj\nxobj 4 0 objx\n(5 0 obj)";
        let found = object_headers(text, 0, text.len());
        assert_eq!(found, [0, 20]);
    }
}
