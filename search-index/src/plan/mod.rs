//! Document-at-a-time evaluation of a [`Plan`] (the usual query: words, phrases, filters)
//! with one term scorer per term use, instead of tantivy's nested unions. A union scorer
//! decodes every posting of every term in windows of thousands of documents, so a query of
//! common syllables costs the whole of their postings even when the candidates are few; a
//! single term scorer only seeks. Three uses:
//!
//! * counting matches (all, up to a limit, or a stratified sample), driven by the cheapest
//!   requirement and checking the others by seeking;
//! * the best-scored page with max-score pruning: terms whose score bounds add up to less
//!   than the current page threshold θ are only looked at for documents that already hold a
//!   more important term, and candidates that cannot reach θ are dropped early;
//! * the matches within a window of days, for the newest/oldest page.
//!
//! The final order of a page is always tantivy's own (see [`DocsQuery`]).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tantivy::fastfield::AliveBitSet;
use tantivy::query::{EnableScoring, Query, Scorer, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Searcher, SegmentReader, TERMINATED};

use crate::query::Plan;
use crate::IndexError;

mod count;
mod docs;

pub(crate) use count::count;
pub(crate) use docs::DocsQuery;

/// tantivy's BM25 parameter k1 (`tantivy::query::bm25`, not exported).
const BM25_K1: f32 = 1.2;
/// Relative slack between our sum of term scores and tantivy's (f32 sums in another order).
const SLACK: f32 = 1e-4;

/// BM25's idf as tantivy computes it: ln(1 + (N − n + 0.5) / (n + 0.5)).
fn bm25_idf(frequency: u64, all_docs: u64) -> f32 {
    let x = (all_docs.saturating_sub(frequency) as f32 + 0.5) / (frequency as f32 + 0.5);
    (1.0 + x).ln()
}

/// The weights of a plan's term uses and filter, built once per search.
pub(crate) struct PlanWeights<'p> {
    plan: &'p Plan,
    terms: Vec<Box<dyn Weight>>,
    filter: Option<Box<dyn Weight>>,
    /// What each use can add to a score: boost × idf × (k1 + 1) (BM25's tf factor is < 1).
    bounds: Vec<f32>,
    /// Documents holding each use's term, over the index.
    frequencies: Vec<u64>,
    /// Requirements (groups, then phrases) from the cheapest to check, with their lead uses:
    /// every matching document holds one of them.
    requirements: Vec<(Requirement, Vec<usize>, u64)>,
    /// Uses from the largest bound down: the order in which a candidate is scored.
    by_bound: Vec<usize>,
    /// Each group's uses, most frequent first: the order in which a match is looked for.
    match_order: Vec<Vec<usize>>,
    total_bound: f32,
    scoring: bool,
}

#[derive(Clone, Copy)]
enum Requirement {
    Group(usize),
    Phrase(usize),
}

impl<'p> PlanWeights<'p> {
    pub fn new(
        searcher: &Searcher,
        plan: &'p Plan,
        filter: Option<&dyn Query>,
        scoring: bool,
    ) -> Result<Self, IndexError> {
        let enable = if scoring {
            EnableScoring::enabled_from_searcher(searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        };
        let all_docs: u64 = searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.max_doc()))
            .sum();
        let mut terms = Vec::with_capacity(plan.usages.len());
        let mut bounds = Vec::with_capacity(plan.usages.len());
        let mut frequencies = Vec::with_capacity(plan.usages.len());
        for (term, boost) in &plan.usages {
            let option = if scoring {
                IndexRecordOption::WithFreqs
            } else {
                IndexRecordOption::Basic
            };
            terms.push(TermQuery::new(term.clone(), option).weight(enable)?);
            let frequency = searcher.doc_freq(term)?;
            frequencies.push(frequency);
            bounds.push(if frequency == 0 {
                0.0
            } else {
                boost * bm25_idf(frequency, all_docs) * (1.0 + BM25_K1)
            });
        }
        let filter = match filter {
            Some(query) => Some(query.weight(EnableScoring::disabled_from_searcher(searcher))?),
            None => None,
        };
        // Candidates a set of uses gives: at least the largest posting list, more when the
        // terms do not occur together.
        let cost = |uses: &[usize]| {
            let largest = uses.iter().map(|&i| frequencies[i]).max().unwrap_or(0);
            let sum: u64 = uses.iter().map(|&i| frequencies[i]).sum();
            largest + (sum - largest) / 4
        };
        let rarest = |uses: &[usize]| uses.iter().copied().min_by_key(|&i| frequencies[i]);
        let mut requirements = Vec::new();
        for (g, group) in plan.groups.iter().enumerate() {
            requirements.push((Requirement::Group(g), group.clone(), cost(group)));
        }
        for (p, [subject, body]) in plan.phrases.iter().enumerate() {
            let lead: Vec<usize> = rarest(subject).into_iter().chain(rarest(body)).collect();
            let c = cost(&lead);
            requirements.push((Requirement::Phrase(p), lead, c));
        }
        requirements.sort_by_key(|r| r.2);
        let mut by_bound: Vec<usize> = (0..bounds.len()).collect();
        by_bound.sort_by(|&a, &b| bounds[b].total_cmp(&bounds[a]));
        let total_bound = bounds.iter().sum();
        let match_order = plan
            .groups
            .iter()
            .map(|group| {
                let mut order = group.clone();
                order.sort_by_key(|&i| Reverse(frequencies[i]));
                order
            })
            .collect();
        Ok(Self {
            match_order,
            plan,
            terms,
            filter,
            bounds,
            frequencies,
            requirements,
            by_bound,
            total_bound,
            scoring,
        })
    }

    fn segment<'s>(&'s self, segment: &'s SegmentReader) -> Result<Matcher<'s>, IndexError> {
        let mut scorers = Vec::with_capacity(self.terms.len());
        for (weight, (_, boost)) in self.terms.iter().zip(&self.plan.usages) {
            scorers.push(weight.scorer(segment, if self.scoring { *boost } else { 1.0 })?);
        }
        let filter = match &self.filter {
            Some(weight) => Some(weight.scorer(segment, 1.0)?),
            None => None,
        };
        Ok(Matcher {
            weights: self,
            matched: vec![false; scorers.len()],
            scores: vec![0.0; scorers.len()],
            scorers,
            filter,
            alive: segment.alive_bitset(),
            lead: self
                .requirements
                .first()
                .map(|r| r.1.clone())
                .unwrap_or_default(),
        })
    }
}

/// A plan over one segment.
struct Matcher<'s> {
    weights: &'s PlanWeights<'s>,
    scorers: Vec<Box<dyn Scorer>>,
    /// Whether each use holds the document being scored, and its score there.
    matched: Vec<bool>,
    scores: Vec<f32>,
    filter: Option<Box<dyn Scorer>>,
    alive: Option<&'s AliveBitSet>,
    /// The uses whose documents are the candidates.
    lead: Vec<usize>,
}

impl Matcher<'_> {
    #[inline]
    fn at(&mut self, usage: usize, doc: DocId) -> bool {
        let scorer = &mut self.scorers[usage];
        let mut current = scorer.doc();
        if current < doc {
            current = scorer.seek(doc);
        }
        current == doc
    }

    /// The next candidate at or after `from`: a document of the lead uses that also passes
    /// the filter (the two leapfrog over each other).
    fn next_candidate(&mut self, mut from: DocId) -> DocId {
        loop {
            let mut next = TERMINATED;
            for &i in &self.lead {
                let scorer = &mut self.scorers[i];
                let mut doc = scorer.doc();
                if doc < from {
                    doc = scorer.seek(from);
                }
                next = next.min(doc);
            }
            let Some(filter) = &mut self.filter else {
                return next;
            };
            if next == TERMINATED {
                return TERMINATED;
            }
            let mut allowed = filter.doc();
            if allowed < next {
                allowed = filter.seek(next);
            }
            if allowed == next {
                return next;
            }
            from = allowed;
        }
    }

    fn passes_filter(&mut self, doc: DocId) -> bool {
        if self.alive.is_some_and(|a| a.is_deleted(doc)) {
            return false;
        }
        match &mut self.filter {
            Some(filter) => {
                let mut current = filter.doc();
                if current < doc {
                    current = filter.seek(doc);
                }
                current == doc
            }
            None => true,
        }
    }

    /// Whether `doc` matches, requirements checked from the cheapest (and within a group, the
    /// most frequent use first). When it does not, the error is the next document that could:
    /// every use of a failed group (or one use of each side of a failed phrase) is already
    /// past `doc`, so no document before the smallest of their positions matches.
    fn check(&mut self, doc: DocId) -> Result<(), DocId> {
        if self.alive.is_some_and(|a| a.is_deleted(doc)) {
            return Err(doc + 1);
        }
        if let Some(filter) = &mut self.filter {
            let mut current = filter.doc();
            if current < doc {
                current = filter.seek(doc);
            }
            if current != doc {
                return Err(current);
            }
        }
        let weights = self.weights;
        let plan = weights.plan;
        for r in 0..weights.requirements.len() {
            match weights.requirements[r].0 {
                Requirement::Group(g) => {
                    let mut next = TERMINATED;
                    let mut ok = false;
                    for &i in &weights.match_order[g] {
                        if self.at(i, doc) {
                            ok = true;
                            break;
                        }
                        next = next.min(self.scorers[i].doc());
                    }
                    if !ok {
                        return Err(next);
                    }
                }
                Requirement::Phrase(p) => {
                    let mut next = TERMINATED;
                    let mut ok = false;
                    for side in &plan.phrases[p] {
                        match side.iter().find(|&&i| !self.at(i, doc)) {
                            None => {
                                ok = true;
                                break;
                            }
                            Some(&i) => next = next.min(self.scorers[i].doc()),
                        }
                    }
                    if !ok {
                        return Err(next);
                    }
                }
            }
        }
        Ok(())
    }

    fn matches(&mut self, doc: DocId) -> bool {
        self.check(doc).is_ok()
    }

    /// The score of `doc` if it matches and may reach `floor`; `None` otherwise. The uses are
    /// looked at from the largest bound down, and the candidate is dropped as soon as what it
    /// has plus what the remaining uses could add stays below `floor`.
    fn score(&mut self, doc: DocId, floor: f32) -> Option<f32> {
        if !self.passes_filter(doc) {
            return None;
        }
        let weights = self.weights;
        let mut remaining = weights.total_bound;
        let mut upper = 0.0f32;
        for &i in &weights.by_bound {
            let hit = self.at(i, doc);
            self.matched[i] = hit;
            if hit {
                let score = self.scorers[i].score();
                self.scores[i] = score;
                upper += score;
            }
            remaining -= weights.bounds[i];
            if (upper + remaining.max(0.0)) * (1.0 + SLACK) < floor {
                return None;
            }
        }
        // Every use is known: the exact score, requirements checked.
        let plan = weights.plan;
        let mut score = 0.0f32;
        for group in &plan.groups {
            if !group.iter().any(|&i| self.matched[i]) {
                return None;
            }
            score += group
                .iter()
                .filter(|&&i| self.matched[i])
                .map(|&i| self.scores[i])
                .sum::<f32>();
        }
        for sides in &plan.phrases {
            let mut any = false;
            for side in sides {
                if side.iter().all(|&i| self.matched[i]) {
                    any = true;
                    score += side.iter().map(|&i| self.scores[i]).sum::<f32>();
                }
            }
            if !any {
                return None;
            }
        }
        for &i in &plan.optional {
            if self.matched[i] {
                score += self.scores[i];
            }
        }
        (score * (1.0 + SLACK) >= floor).then_some(score)
    }

    /// Makes the documents of `uses` the candidates from now on (the next call to
    /// [`Self::next_candidate`] positions them).
    fn switch_lead(&mut self, uses: Vec<usize>) {
        self.lead = uses;
    }
}

/// Every document that may be in the best `wanted` by score (at least those, ties at the
/// boundary included), found with max-score pruning; the segments are shared between
/// [`THREADS`] threads. `weights` must score.
pub(crate) fn best(
    searcher: &Searcher,
    weights: &PlanWeights<'_>,
    wanted: usize,
) -> Result<Vec<DocAddress>, IndexError> {
    let mut kept = Vec::new();
    for part in in_parallel(searcher, |segments| {
        best_in(searcher, weights, segments, wanted)
    }) {
        kept.extend(part?);
    }
    // Each thread kept what reaches its own θ, which is at most the overall one.
    let mut scores: Vec<f32> = kept.iter().map(|(s, _)| *s).collect();
    let floor = if scores.len() >= wanted && wanted > 0 {
        scores.sort_by(|a, b| b.total_cmp(a));
        scores[wanted - 1] * (1.0 - SLACK)
    } else {
        f32::NEG_INFINITY
    };
    Ok(kept
        .into_iter()
        .filter(|(s, _)| *s >= floor)
        .map(|(_, address)| address)
        .collect())
}

/// Threads a search uses for the document-at-a-time work (segments are shared out). One: on
/// the shared 2-core VM a second thread made the scale benchmark slower (p50 15.2 against
/// 11.9 ms, p99 60 against 45 ms), and a server runs several requests at once anyway.
pub(crate) const THREADS: usize = 1;

/// Runs `work` on [`THREADS`] groups of segments (balanced by size) at once.
fn in_parallel<T: Send>(searcher: &Searcher, work: impl Fn(&[usize]) -> T + Sync) -> Vec<T> {
    let readers = searcher.segment_readers();
    let mut order: Vec<usize> = (0..readers.len()).collect();
    order.sort_by_key(|&i| Reverse(readers[i].max_doc()));
    let mut groups: Vec<(u64, Vec<usize>)> = vec![(0, Vec::new()); THREADS];
    for i in order {
        let lightest = groups
            .iter_mut()
            .min_by_key(|(size, _)| *size)
            .expect("at least one group");
        lightest.0 += u64::from(readers[i].max_doc());
        lightest.1.push(i);
    }
    groups.retain(|(_, g)| !g.is_empty());
    if groups.len() <= 1 {
        return groups.iter().map(|(_, g)| work(g)).collect();
    }
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .iter()
            .map(|(_, g)| scope.spawn(move || work(g)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a search thread panicked"))
            .collect()
    })
}

/// [`best`] over some segments: every document that scores at least the `wanted`-th best
/// score among them, with its score.
fn best_in(
    searcher: &Searcher,
    weights: &PlanWeights<'_>,
    segments: &[usize],
    wanted: usize,
) -> Result<Vec<(f32, DocAddress)>, IndexError> {
    // The `wanted` best scores so far; θ is the smallest once there are `wanted`.
    let mut heap: BinaryHeap<Reverse<OrderedScore>> = BinaryHeap::with_capacity(wanted + 1);
    let mut kept: Vec<(f32, DocAddress)> = Vec::new();
    let theta = |heap: &BinaryHeap<Reverse<OrderedScore>>| {
        if heap.len() < wanted {
            f32::NEG_INFINITY
        } else {
            heap.peek().map_or(f32::NEG_INFINITY, |r| r.0 .0)
        }
    };
    // The uses to set aside first: the most postings per unit of bound. While their bounds
    // add up to less than θ, a document holding none of the other uses cannot reach θ.
    let mut by_cost: Vec<usize> = (0..weights.bounds.len()).collect();
    let ratio = |i: usize| weights.frequencies[i] as f64 / f64::from(weights.bounds[i]).max(1e-9);
    by_cost.sort_by(|&a, &b| ratio(b).total_cmp(&ratio(a)));
    let essential_for = |theta: f32| -> Vec<usize> {
        let mut sum = 0.0f32;
        let mut essential = Vec::new();
        for &i in &by_cost {
            if (sum + weights.bounds[i]) * (1.0 + SLACK) < theta {
                sum += weights.bounds[i];
            } else {
                essential.push(i);
            }
        }
        essential
    };
    // Candidates a set of uses gives: at least the largest posting list, more when the
    // terms do not occur together.
    let candidates = |uses: &[usize]| -> u64 {
        let largest = uses
            .iter()
            .map(|&i| weights.frequencies[i])
            .max()
            .unwrap_or(0);
        let sum: u64 = uses.iter().map(|&i| weights.frequencies[i]).sum();
        largest + (sum - largest) / 4
    };
    let requirement_cost = weights.requirements.first().map_or(u64::MAX, |r| r.2);
    for &ord in segments {
        let segment = searcher.segment_reader(ord as u32);
        let mut matcher = weights.segment(segment)?;
        let mut lead_is_requirement = true;
        let mut last_theta = f32::NAN;
        let mut doc = matcher.next_candidate(0);
        loop {
            // With θ known, the essential uses may be fewer candidates than the requirement.
            let floor = theta(&heap);
            if floor != last_theta && floor > f32::NEG_INFINITY {
                last_theta = floor;
                let essential = essential_for(floor);
                let cost = candidates(&essential);
                if cost < requirement_cost || !lead_is_requirement {
                    matcher.switch_lead(essential);
                    lead_is_requirement = false;
                    doc = matcher.next_candidate(doc);
                }
            }
            if doc == TERMINATED {
                break;
            }
            if let Some(score) = matcher.score(doc, floor) {
                heap.push(Reverse(OrderedScore(score)));
                if heap.len() > wanted {
                    heap.pop();
                }
                kept.push((score, DocAddress::new(ord as u32, doc)));
                if kept.len() > 4 * wanted + 64 {
                    let floor = theta(&heap) * (1.0 - SLACK);
                    kept.retain(|(s, _)| *s >= floor);
                }
            }
            doc = matcher.next_candidate(doc + 1);
        }
    }
    let floor = theta(&heap) * (1.0 - SLACK);
    kept.retain(|(s, _)| *s >= floor);
    Ok(kept)
}
/// The matches of the plan among the documents of `candidates` (a date window).
pub(crate) fn matches_among(
    searcher: &Searcher,
    weights: &PlanWeights<'_>,
    candidates: &dyn Query,
) -> Result<Vec<DocAddress>, IndexError> {
    let window = candidates.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut found = Vec::new();
    for part in in_parallel(
        searcher,
        |segments| -> Result<Vec<DocAddress>, IndexError> {
            let mut found = Vec::new();
            for &ord in segments {
                let segment = searcher.segment_reader(ord as u32);
                let mut matcher = weights.segment(segment)?;
                let mut docs = window.scorer(segment, 1.0)?;
                let mut doc = docs.doc();
                while doc != TERMINATED {
                    if matcher.matches(doc) {
                        found.push(DocAddress::new(ord as u32, doc));
                    }
                    doc = docs.advance();
                }
            }
            Ok(found)
        },
    ) {
        found.extend(part?);
    }
    Ok(found)
}

#[derive(Clone, Copy, PartialEq)]
struct OrderedScore(f32);

impl Eq for OrderedScore {}

impl PartialOrd for OrderedScore {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedScore {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
