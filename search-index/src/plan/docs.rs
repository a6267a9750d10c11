//! [`DocsQuery`]: a query matching exactly the documents the plan picked, so tantivy scores
//! and orders them itself.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

/// Exactly the listed documents; intersected with the real query, it lets tantivy score and
/// order a handful of documents found by the plan, so that pages keep tantivy's scores and
/// tie-breaking.
#[derive(Clone, Debug)]
pub(crate) struct DocsQuery {
    docs: Arc<HashMap<SegmentId, Vec<DocId>>>,
}

impl DocsQuery {
    pub fn new(searcher: &Searcher, addresses: &[DocAddress]) -> Self {
        let mut docs: HashMap<SegmentId, Vec<DocId>> = HashMap::new();
        for address in addresses {
            let segment = searcher.segment_reader(address.segment_ord).segment_id();
            docs.entry(segment).or_default().push(address.doc_id);
        }
        for list in docs.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        Self {
            docs: Arc::new(docs),
        }
    }
}

impl Query for DocsQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(DocsWeight(self.docs.clone())))
    }
}

struct DocsWeight(Arc<HashMap<SegmentId, Vec<DocId>>>);

impl Weight for DocsWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = self
            .0
            .get(&reader.segment_id())
            .cloned()
            .unwrap_or_default();
        Ok(Box::new(ListScorer { docs, cursor: 0 }))
    }

    fn explain(&self, _reader: &SegmentReader, _doc: DocId) -> tantivy::Result<Explanation> {
        Ok(Explanation::new("listed document", 0.0))
    }
}

/// The documents of a sorted list, each scoring 0.
struct ListScorer {
    docs: Vec<DocId>,
    cursor: usize,
}

impl DocSet for ListScorer {
    fn advance(&mut self) -> DocId {
        self.cursor = (self.cursor + 1).min(self.docs.len());
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.cursor).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        u32::try_from(self.docs.len()).unwrap_or(u32::MAX)
    }
}

impl Scorer for ListScorer {
    fn score(&mut self) -> Score {
        0.0
    }
}
