//! Searching: query building, collection, sorting, facets and snippets.

use super::*;

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
        let filters = query::Filters {
            allowed_scopes: request
                .allowed_agencies
                .iter()
                .map(|agency| scope_term(agency))
                .collect(),
            document_type: request.document_type.as_deref(),
            organ_id: request.organ_id.as_deref(),
            unit: request.unit.as_deref(),
            signer,
            status: request.status.as_deref(),
            from: request.from.map(to_tantivy_date),
            to: request.to.map(to_tantivy_date),
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

        let mut built = query::build(&self.fields, &parsed, &filters, false);
        let mut found = self.collect(&searcher, &*built, sort, offset, page_size)?;
        if found.0 == 0 && parsed.terms.len() >= 2 {
            built = query::build(&self.fields, &parsed, &filters, true);
            found = self.collect(&searcher, &*built, sort, offset, page_size)?;
        }
        let (total, top, counts) = found;

        let snippets = Snippets::new(&searcher, &self.fields, &parsed.highlight_words())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let document: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&document, score, &snippets));
        }
        Ok(SearchResults {
            total,
            hits,
            facets: facets_from(counts),
        })
    }

    #[allow(clippy::type_complexity)]
    fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        sort: SortOrder,
        offset: usize,
        limit: usize,
    ) -> Result<(u64, Vec<(f32, DocAddress)>, facets::FacetCounts), IndexError> {
        let top = || TopDocs::with_limit(limit).and_offset(offset);
        let by_date =
            |order: Order| top().order_by_fast_field::<tantivy::DateTime>("issue_date", order);
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
                let (count, hits, counts) =
                    searcher.search(query, &(Count, by_score_then_date, facets::FacetCollector))?;
                let hits = hits
                    .into_iter()
                    .map(|((score, _), address)| (score, address))
                    .collect();
                (count as u64, hits, counts)
            }
            SortOrder::Newest | SortOrder::Oldest => {
                let order = if sort == SortOrder::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let (count, hits, counts) =
                    searcher.search(query, &(Count, by_date(order), facets::FacetCollector))?;
                let hits = hits
                    .into_iter()
                    .map(|(_, address)| (0.0, address))
                    .collect();
                (count as u64, hits, counts)
            }
        })
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

fn sorted_counts(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(MAX_FACET_VALUES);
    counts
}

fn facets_from(counts: facets::FacetCounts) -> Facets {
    let mut years: Vec<(i32, u64)> = counts
        .years
        .into_iter()
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
