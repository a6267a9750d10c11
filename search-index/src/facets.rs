//! Facet counts read from fast fields, one document at a time. Each document comes with a
//! weight: 1 when every match is counted, the inverse of the sampling rate of its part of the
//! index when the counts are estimated from a sample.

use std::collections::HashMap;

use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, SegmentReader};

/// Counts per value (weighted, so possibly fractional); sorted, rounded and cut by the caller.
#[derive(Debug, Default)]
pub(crate) struct FacetCounts {
    pub types: HashMap<String, f64>,
    pub units: HashMap<String, f64>,
    pub signers: HashMap<String, f64>,
    pub statuses: HashMap<String, f64>,
    pub years: HashMap<u64, f64>,
}

impl FacetCounts {
    pub fn merge(&mut self, other: FacetCounts) {
        for (into, from) in [
            (&mut self.types, other.types),
            (&mut self.units, other.units),
            (&mut self.signers, other.signers),
            (&mut self.statuses, other.statuses),
        ] {
            for (key, count) in from {
                *into.entry(key).or_default() += count;
            }
        }
        for (year, count) in other.years {
            *self.years.entry(year).or_default() += count;
        }
    }
}

struct StrCounter {
    column: Option<StrColumn>,
    counts: Vec<f64>,
}

impl StrCounter {
    fn open(segment: &SegmentReader, field: &str) -> tantivy::Result<Self> {
        let column = segment.fast_fields().str(field)?;
        let terms = column.as_ref().map(|c| c.num_terms()).unwrap_or(0);
        Ok(Self {
            column,
            counts: vec![0.0; terms],
        })
    }

    #[inline]
    fn add(&mut self, doc: DocId, weight: f64) {
        if let Some(column) = &self.column {
            if let Some(ord) = column.ords().first(doc) {
                if let Some(count) = self.counts.get_mut(ord as usize) {
                    *count += weight;
                }
            }
        }
    }

    fn harvest(self, into: &mut HashMap<String, f64>) {
        let Some(column) = self.column else {
            return;
        };
        let mut value = String::new();
        for (ord, count) in self.counts.into_iter().enumerate() {
            if count > 0.0 && column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                *into.entry(value.clone()).or_default() += count;
            }
        }
    }
}

/// The facet counters of one segment.
pub(crate) struct SegmentTally {
    types: StrCounter,
    units: StrCounter,
    signers: StrCounter,
    statuses: StrCounter,
    year_column: Option<Column<u64>>,
    years: HashMap<u64, f64>,
}

impl SegmentTally {
    pub fn open(segment: &SegmentReader) -> tantivy::Result<Self> {
        Ok(Self {
            types: StrCounter::open(segment, "document_type")?,
            units: StrCounter::open(segment, "unit")?,
            signers: StrCounter::open(segment, "signer")?,
            statuses: StrCounter::open(segment, "status")?,
            year_column: segment.fast_fields().column_opt::<u64>("issue_year")?,
            years: HashMap::new(),
        })
    }

    #[inline]
    pub fn add(&mut self, doc: DocId, weight: f64) {
        self.types.add(doc, weight);
        self.units.add(doc, weight);
        self.signers.add(doc, weight);
        self.statuses.add(doc, weight);
        if let Some(year) = self.year_column.as_ref().and_then(|c| c.first(doc)) {
            *self.years.entry(year).or_default() += weight;
        }
    }

    pub fn harvest(self) -> FacetCounts {
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
