//! Searching: query building, collection, sorting, facets and snippets.
//!
//! A broad query over a million documents matches hundreds of thousands of them, and scoring,
//! counting and faceting every one through tantivy's nested unions took 30–110 ms on 2 cores.
//! So the work is bounded:
//!
//! * total and facets are exact up to [`IndexOptions::exact_count_limit`] matches and estimated
//!   from a stratified sample past it, and the response says which (`total_is_exact`,
//!   `facets_exact`);
//! * the page of hits is always exact: for the usual query shape (words, phrases, filters) the
//!   candidates are found document-at-a-time with max-score pruning (`plan.rs`) and then
//!   scored and ordered by tantivy itself; a newest/oldest page is read from a window of
//!   days that holds the whole page. Other shapes (document numbers, the relaxed retry)
//!   score every match, as do searches on an index opened with `exhaustive_ranking`.

use std::ops::Bound;

use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, ConstScoreQuery, EnableScoring, Occur, RangeQuery};
use tantivy::{DocId, DocSet, SegmentReader, TERMINATED};

use super::*;
use crate::plan::{DocsQuery, PlanWeights};

/// Stripes per segment in the sample for estimated totals and facets: through tantivy's
/// query, and through a plan (where a stripe costs only a seek, and fewer, longer stripes
/// leave more room before a stripe is cut short).
const SAMPLE_STRIPES: u32 = 64;
const PLAN_STRIPES: u32 = 16;
/// Fewest matches read from a stripe before its density is extrapolated.
const MIN_STRIPE_QUOTA: usize = 16;
/// The date window for a sorted page is chosen to hold this many times the page (by the
/// sample's estimate), and at least [`MIN_WINDOW_SAMPLES`] sampled matches.
const WINDOW_MARGIN: f64 = 3.0;
const MIN_WINDOW_SAMPLES: usize = 32;

/// Total and facets of a query.
struct Tally {
    total: u64,
    exact: bool,
    facets: facets::FacetCounts,
    /// Issue dates of the counted (or sampled) matches with their weights.
    dates: Vec<(tantivy::DateTime, f64)>,
}

/// Facet counters and dates, per segment, fed one document at a time.
struct TallyBuilder {
    segments: Vec<Option<(facets::SegmentTally, Option<Column<tantivy::DateTime>>)>>,
    dates: Vec<(tantivy::DateTime, f64)>,
}

impl TallyBuilder {
    fn new(searcher: &Searcher) -> Self {
        Self {
            segments: searcher.segment_readers().iter().map(|_| None).collect(),
            dates: Vec::new(),
        }
    }

    fn add(
        &mut self,
        ord: u32,
        segment: &SegmentReader,
        doc: DocId,
        weight: f64,
    ) -> Result<(), IndexError> {
        let slot = &mut self.segments[ord as usize];
        if slot.is_none() {
            let dates = segment
                .fast_fields()
                .column_opt::<tantivy::DateTime>("issue_date")?;
            *slot = Some((facets::SegmentTally::open(segment)?, dates));
        }
        let (tally, dates) = slot.as_mut().expect("opened above");
        tally.add(doc, weight);
        if let Some(date) = dates.as_ref().and_then(|c| c.first(doc)) {
            self.dates.push((date, weight));
        }
        Ok(())
    }

    fn finish(self, total: u64, exact: bool) -> Tally {
        let mut facets = facets::FacetCounts::default();
        for (tally, _) in self.segments.into_iter().flatten() {
            facets.merge(tally.harvest());
        }
        Tally {
            total,
            exact,
            facets,
            dates: self.dates,
        }
    }
}

/// Whether every permission scope present in the index is allowed: the permission filter
/// would then keep every document, and is left out.
fn every_scope_allowed(
    searcher: &Searcher,
    scope: Field,
    allowed: &[String],
) -> Result<bool, IndexError> {
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(scope)?;
        let mut stream = index
            .terms()
            .stream()
            .map_err(tantivy::TantivyError::from)?;
        while stream.advance() {
            let known = std::str::from_utf8(stream.key()).unwrap_or_default();
            if !allowed.iter().any(|a| a == known) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

impl ArchiveIndex {
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        if request.allowed_agencies.is_empty() {
            return Ok(SearchResults::default());
        }
        let searcher = self.reader.searcher();
        let parsed = query::parse(
            &request.text,
            &mut query::Analyzers {
                exact: analysis::exact_analyzer(),
                fold: analysis::fold_analyzer(),
            },
        );
        let signer = request.signer.as_deref().map(|s| normalize_nfc(s.trim()));
        let scopes: Vec<String> = request
            .allowed_agencies
            .iter()
            .map(|agency| scope_term(agency))
            .collect();
        let filters = query::Filters {
            allowed_scopes: if every_scope_allowed(&searcher, self.fields.scope, &scopes)? {
                None
            } else {
                Some(scopes)
            },
            document_type: request.document_type.as_deref(),
            organ_id: request.organ_id.as_deref(),
            unit: request.unit.as_deref(),
            signer,
            status: request.status.as_deref(),
            from: request.from.map(to_tantivy_date),
            to: request.to.map(to_tantivy_date),
            scan: request.scan,
        };
        let page_size = match request.page_size {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        } as usize;
        let offset = (request.page.max(1) as usize - 1).saturating_mul(page_size);
        let sort = match request.sort {
            SortOrder::Relevance if parsed.is_empty() => SortOrder::Newest,
            other => other,
        };

        let filter = query::filter_query(&self.fields, &filters);
        let mut built = query::build(&self.fields, &parsed, &filters, false);
        let mut plan = query::plan(&self.fields, &parsed);
        let mut tally = self.tally(
            &searcher,
            &*built.query,
            plan.as_ref(),
            filter.as_deref(),
            request.exact_counts,
        )?;
        if tally.total == 0 && parsed.terms.len() >= 2 {
            built = query::build(&self.fields, &parsed, &filters, true);
            plan = None;
            tally = self.tally(&searcher, &*built.query, None, None, request.exact_counts)?;
        }
        let query = &*built.query;
        let top = match (&plan, sort) {
            _ if self.options.exhaustive_ranking || tally.total == 0 => {
                self.top(&searcher, query, sort, offset, page_size)?
            }
            (Some(plan), SortOrder::Relevance) => {
                let weights = PlanWeights::new(&searcher, plan, filter.as_deref(), true)?;
                let candidates = plan::best(&searcher, &weights, offset + page_size)?;
                let listed = restricted(query, Box::new(DocsQuery::new(&searcher, &candidates)));
                self.top(&searcher, &listed, sort, offset, page_size)?
            }
            (_, SortOrder::Newest | SortOrder::Oldest) => self.top_by_date_in_window(
                &searcher,
                query,
                plan.as_ref(),
                filter.as_deref(),
                sort,
                offset,
                page_size,
                &tally,
            )?,
            (None, SortOrder::Relevance) => self.top(&searcher, query, sort, offset, page_size)?,
        };

        let snippets = Snippets::new(&searcher, &self.fields, &parsed.highlight_words())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let document: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&document, score, &snippets));
        }
        Ok(SearchResults {
            total: tally.total,
            total_is_exact: tally.exact,
            hits,
            facets: facets_from(tally.facets),
            facets_exact: tally.exact,
        })
    }

    /// Counts the matching documents and their facets without scoring them: one by one up to
    /// [`IndexOptions::exact_count_limit`] (or all of them when `exact` is asked for); past
    /// it, from a stratified sample. Each segment's doc-id space is cut into
    /// [`SAMPLE_STRIPES`] stripes and each stripe gives its share of the limit: the first
    /// matches of the stripe, weighted by the part of the stripe they cover. Stripes spread the
    /// sample over the whole index (old and new documents alike), so neither the total nor,
    /// say, the year facet leans towards the documents indexed first.
    fn tally(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        plan: Option<&query::Plan>,
        filter: Option<&dyn Query>,
        exact: bool,
    ) -> Result<Tally, IndexError> {
        let limit = if exact {
            u64::MAX
        } else {
            self.options.exact_count_limit
        };
        let mut builder = TallyBuilder::new(searcher);
        if let Some(plan) = plan {
            let weights = PlanWeights::new(searcher, plan, filter, false)?;
            let mut failed = None;
            let (total, exact) = plan::count(
                searcher,
                &weights,
                limit,
                PLAN_STRIPES,
                |ord, segment, doc, w| {
                    if let Err(error) = builder.add(ord, segment, doc, w) {
                        failed = Some(error);
                    }
                },
            )?;
            if let Some(error) = failed {
                return Err(error);
            }
            return Ok(builder.finish(total, exact));
        }

        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut total = 0u64;
        let mut complete = true;
        let mut counted = Vec::new();
        'segments: for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let mut scorer = weight.scorer(segment, 1.0)?;
            let alive = segment.alive_bitset();
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    if total == limit {
                        complete = false;
                        break 'segments;
                    }
                    total += 1;
                    counted.push((ord as u32, doc));
                }
                doc = scorer.advance();
            }
        }
        if complete {
            for (ord, doc) in counted {
                builder.add(ord, searcher.segment_reader(ord), doc, 1.0)?;
            }
            return Ok(builder.finish(total, true));
        }

        let all_docs: u64 = searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.max_doc()))
            .sum();
        let mut estimate = 0.0f64;
        let mut buffer = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let max_doc = segment.max_doc();
            if max_doc == 0 {
                continue;
            }
            let stripes = SAMPLE_STRIPES.min(max_doc);
            let share = limit as f64 * f64::from(max_doc) / all_docs as f64;
            let quota = ((share / f64::from(stripes)).ceil() as usize).max(MIN_STRIPE_QUOTA);
            let mut scorer = weight.scorer(segment, 1.0)?;
            let alive = segment.alive_bitset();
            for stripe in 0..stripes {
                let bound =
                    |i: u32| (u64::from(max_doc) * u64::from(i) / u64::from(stripes)) as DocId;
                let (start, end) = (bound(stripe), bound(stripe + 1));
                let mut doc = scorer.doc();
                if doc == TERMINATED {
                    break;
                }
                if doc < start {
                    doc = scorer.seek(start);
                }
                buffer.clear();
                let mut covered_end = end;
                while doc < end {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        buffer.push(doc);
                        if buffer.len() == quota {
                            covered_end = doc + 1;
                            break;
                        }
                    }
                    doc = scorer.advance();
                }
                // Matches seen over the part of the stripe read, extended to the whole stripe.
                let scale = f64::from(end - start) / f64::from(covered_end - start);
                estimate += buffer.len() as f64 * scale;
                for &doc in &buffer {
                    builder.add(ord as u32, segment, doc, scale)?;
                }
            }
        }
        // At least what the first pass counted, plus the one that stopped it.
        Ok(builder.finish((estimate.round() as u64).max(total + 1), false))
    }

    /// The page of hits, every match considered (scored or read for its date).
    fn top(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        sort: SortOrder,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<(f32, DocAddress)>, IndexError> {
        let top = || TopDocs::with_limit(limit).and_offset(offset);
        Ok(match sort {
            SortOrder::Relevance => {
                // Equal scores (documents built from the same template, say): newest first.
                let by_score_then_date = top().order_by((
                    (SortBySimilarityScore, Order::Desc),
                    (
                        SortByStaticFastValue::<tantivy::DateTime>::for_field("issue_date"),
                        Order::Desc,
                    ),
                ));
                searcher
                    .search(query, &by_score_then_date)?
                    .into_iter()
                    .map(|((score, _), address)| (score, address))
                    .collect()
            }
            SortOrder::Newest | SortOrder::Oldest => {
                let order = if sort == SortOrder::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let by_date = top().order_by_fast_field::<tantivy::DateTime>("issue_date", order);
                searcher
                    .search(query, &by_date)?
                    .into_iter()
                    .map(|(_, address)| (0.0, address))
                    .collect()
            }
        })
    }

    /// The newest (or oldest) page, exactly as [`Self::top`] would give it, without reading every
    /// match. The dates of the counted (or sampled) matches tell how far back the page goes:
    /// the matches are first looked for from a cutoff day on (whole days, so every match of
    /// the cutoff day is in); if that window holds the whole page, no match outside it can be
    /// in the page. Otherwise every match is read.
    #[allow(clippy::too_many_arguments)]
    fn top_by_date_in_window(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        plan: Option<&query::Plan>,
        filter: Option<&dyn Query>,
        sort: SortOrder,
        offset: usize,
        limit: usize,
        tally: &Tally,
    ) -> Result<Vec<(f32, DocAddress)>, IndexError> {
        let wanted = offset + limit;
        let mut dates = tally.dates.clone();
        if sort == SortOrder::Newest {
            dates.sort_by_key(|d| std::cmp::Reverse(d.0));
        } else {
            dates.sort_by_key(|d| d.0);
        }
        let mut seen = 0.0f64;
        let mut cutoff = None;
        for (n, (date, scale)) in dates.iter().enumerate() {
            seen += scale;
            if seen >= WINDOW_MARGIN * wanted as f64 && n + 1 >= MIN_WINDOW_SAMPLES {
                cutoff = Some(*date);
                break;
            }
        }
        let Some(cutoff) = cutoff else {
            return self.top(searcher, query, sort, offset, limit);
        };
        let cutoff = Bound::Included(Term::from_field_date(self.fields.issue_date, cutoff));
        let window: Box<dyn Query> = Box::new(if sort == SortOrder::Newest {
            RangeQuery::new(cutoff, Bound::Unbounded)
        } else {
            RangeQuery::new(Bound::Unbounded, cutoff)
        });
        let hits = match plan {
            Some(plan) => {
                let weights = PlanWeights::new(searcher, plan, filter, false)?;
                let found = plan::matches_among(searcher, &weights, &*window)?;
                if found.len() < wanted {
                    return self.top(searcher, query, sort, offset, limit);
                }
                // Every listed document matches: tantivy only orders them by date.
                self.top(
                    searcher,
                    &DocsQuery::new(searcher, &found),
                    sort,
                    offset,
                    limit,
                )?
            }
            None => self.top(searcher, &restricted(query, window), sort, offset, limit)?,
        };
        if hits.len() == limit {
            Ok(hits)
        } else {
            self.top(searcher, query, sort, offset, limit)
        }
    }

    fn hit(&self, document: &TantivyDocument, score: f32, snippets: &Snippets) -> SearchHit {
        let f = &self.fields;
        let text = |field: Field| {
            document
                .get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
        };
        let subject = text(f.subject_exact).unwrap_or_default();
        let body = text(f.body_exact).unwrap_or_default();
        SearchHit {
            id: text(f.id).unwrap_or_default(),
            score,
            number: text(f.number),
            snippet_html: snippets.render(&body, &subject),
            issue_date: document
                .get_first(f.issue_date)
                .and_then(|v| v.as_datetime())
                .and_then(from_tantivy_date),
            document_type: text(f.document_type).unwrap_or_default(),
            unit: text(f.unit).unwrap_or_default(),
            signer: text(f.signer),
            scan: document
                .get_first(f.scan)
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            subject,
        }
    }
}

/// Builds snippets from the stored original text, highlighting the folded query words: the
/// fold analyser keeps each token's offsets in the original text, so `<b>` lands on the word
/// as written, diacritics included.
struct Snippets {
    body: SnippetGenerator,
    subject: SnippetGenerator,
}

impl Snippets {
    fn new(searcher: &Searcher, fields: &Fields, words: &[String]) -> Result<Self, IndexError> {
        let generator = |field: Field| -> Result<SnippetGenerator, IndexError> {
            let mut terms = BTreeMap::new();
            for word in words {
                let frequency = searcher.doc_freq(&Term::from_field_text(field, word))?;
                if frequency > 0 {
                    terms.insert(word.clone(), 1.0 / (1.0 + frequency as f32));
                }
            }
            Ok(SnippetGenerator::new(
                terms,
                analysis::fold_analyzer(),
                field,
                SNIPPET_CHARS,
            ))
        };
        Ok(Self {
            body: generator(fields.body_fold)?,
            subject: generator(fields.subject_fold)?,
        })
    }

    fn render(&self, body: &str, subject: &str) -> String {
        let snippet = self.body.snippet(body);
        if !snippet.is_empty() {
            return snippet.to_html();
        }
        let snippet = self.subject.snippet(subject);
        if !snippet.is_empty() {
            return snippet.to_html();
        }
        let start: String = subject.chars().take(SNIPPET_CHARS).collect();
        escape_html(&start)
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// `query`, kept to the documents `other` matches, scored as `query`.
fn restricted(query: &dyn Query, other: Box<dyn Query>) -> BooleanQuery {
    BooleanQuery::new(vec![
        (Occur::Must, query.box_clone()),
        (Occur::Must, Box::new(ConstScoreQuery::new(other, 0.0))),
    ])
}

fn sorted_counts(counts: HashMap<String, f64>) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> = counts
        .into_iter()
        .map(|(value, count)| (value, count.round() as u64))
        .filter(|(_, count)| *count > 0)
        .collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(MAX_FACET_VALUES);
    counts
}

fn facets_from(counts: facets::FacetCounts) -> Facets {
    let mut years: Vec<(i32, u64)> = counts
        .years
        .into_iter()
        .map(|(year, count)| (year, count.round() as u64))
        .filter(|(_, count)| *count > 0)
        .filter_map(|(year, count)| i32::try_from(year).ok().map(|y| (y, count)))
        .collect();
    years.sort_by_key(|&(year, _)| std::cmp::Reverse(year));
    Facets {
        types: sorted_counts(counts.types),
        units: sorted_counts(counts.units),
        signers: sorted_counts(counts.signers),
        statuses: sorted_counts(counts.statuses),
        years,
    }
}
