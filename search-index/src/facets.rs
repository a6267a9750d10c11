//! Facet counts over every document a query matches, read from fast fields in one pass.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Raw counts per value; sorted and cut by the caller.
#[derive(Debug, Default)]
pub(crate) struct FacetCounts {
    pub types: HashMap<String, u64>,
    pub units: HashMap<String, u64>,
    pub signers: HashMap<String, u64>,
    pub statuses: HashMap<String, u64>,
    pub years: HashMap<u64, u64>,
}

pub(crate) struct FacetCollector;

struct StrCounter {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl StrCounter {
    fn open(segment: &SegmentReader, field: &str) -> tantivy::Result<Self> {
        let column = segment.fast_fields().str(field)?;
        let terms = column.as_ref().map(|c| c.num_terms()).unwrap_or(0);
        Ok(Self {
            column,
            counts: vec![0; terms],
        })
    }

    #[inline]
    fn collect(&mut self, doc: DocId) {
        if let Some(column) = &self.column {
            if let Some(ord) = column.ords().first(doc) {
                if let Some(count) = self.counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self, into: &mut HashMap<String, u64>) {
        let Some(column) = self.column else {
            return;
        };
        let mut value = String::new();
        for (ord, count) in self.counts.into_iter().enumerate() {
            if count > 0 && column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                *into.entry(value.clone()).or_default() += count;
            }
        }
    }
}

pub(crate) struct FacetSegmentCollector {
    types: StrCounter,
    units: StrCounter,
    signers: StrCounter,
    statuses: StrCounter,
    year_column: Option<Column<u64>>,
    years: HashMap<u64, u64>,
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        Ok(FacetSegmentCollector {
            types: StrCounter::open(segment, "document_type")?,
            units: StrCounter::open(segment, "unit")?,
            signers: StrCounter::open(segment, "signer")?,
            statuses: StrCounter::open(segment, "status")?,
            year_column: segment.fast_fields().column_opt::<u64>("issue_year")?,
            years: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segment_fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut merged = FacetCounts::default();
        for fruit in segment_fruits {
            for (into, from) in [
                (&mut merged.types, fruit.types),
                (&mut merged.units, fruit.units),
                (&mut merged.signers, fruit.signers),
                (&mut merged.statuses, fruit.statuses),
            ] {
                for (key, count) in from {
                    *into.entry(key).or_default() += count;
                }
            }
            for (year, count) in fruit.years {
                *merged.years.entry(year).or_default() += count;
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.types.collect(doc);
        self.units.collect(doc);
        self.signers.collect(doc);
        self.statuses.collect(doc);
        if let Some(year) = self.year_column.as_ref().and_then(|c| c.first(doc)) {
            *self.years.entry(year).or_default() += 1;
        }
    }

    fn harvest(self) -> FacetCounts {
        let mut fruit = FacetCounts {
            years: self.years,
            ..FacetCounts::default()
        };
        self.types.harvest(&mut fruit.types);
        self.units.harvest(&mut fruit.units);
        self.signers.harvest(&mut fruit.signers);
        self.statuses.harvest(&mut fruit.statuses);
        fruit
    }
}
