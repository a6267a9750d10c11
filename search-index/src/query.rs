//! From what a user typed to a tantivy query, without tantivy's query parser: raw input never
//! meets a query syntax, so `Số: 15/QĐ-UBND`, `(cai cach` or `-hanh chinh` are just text.
//!
//! * Document numbers (`15/QĐ-UBND`, `101/2015/QH13`, with or without `Số:`) are cut out and
//!   matched whole (normalised key), by parts (phrase on the number's parts) or as citations in
//!   the body (bigrams).
//! * Text between double quotes is a phrase: all its syllable bigrams must occur in the subject
//!   or in the body.
//! * Every other syllable must occur in some field (folded); a syllable typed with diacritics
//!   also scores on the exact fields, so correct diacritics rank first; adjacent syllables score
//!   again as bigrams, so "cai cach hanh chinh" prefers the documents where the words follow
//!   each other.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
    TermSetQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

use crate::analysis::{
    document_number_parts, find_document_numbers, joinable, normalize_nfc, strip_leading_zeros,
    tokens,
};
use crate::schema::Fields;

/// Field weights. Measured on the relevance set in `tests/relevance.rs`.
mod weight {
    pub const SUBJECT_FOLD: f32 = 2.0;
    pub const SUBJECT_EXACT: f32 = 1.5;
    pub const BODY_FOLD: f32 = 0.6;
    pub const BODY_EXACT: f32 = 0.5;
    pub const META_FOLD: f32 = 1.0;
    pub const META_EXACT: f32 = 0.8;
    pub const NUMBER_PART: f32 = 0.5;
    pub const SUBJECT_BIGRAM: f32 = 2.0;
    pub const BODY_BIGRAM: f32 = 0.5;
    pub const NUMBER_RUN: f32 = 12.0;
    pub const NUMBER_KEY: f32 = 30.0;
    pub const NUMBER_PARTS: f32 = 15.0;
    pub const NUMBER_CITED: f32 = 1.0;
}

/// One syllable of the query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryTerm {
    /// Folded form, matched against the `*_fold` fields.
    pub fold: String,
    /// Exact form (lower case, canonical tone placement) when the user typed diacritics.
    pub exact: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct ParsedQuery {
    pub terms: Vec<QueryTerm>,
    /// Bigrams of adjacent unquoted syllables: score only.
    pub bigrams: Vec<String>,
    /// Quoted phrases as their bigrams: required.
    pub phrases: Vec<Vec<String>>,
    /// Normalised keys of the document numbers typed whole.
    pub numbers: Vec<String>,
    /// Runs such as `15 qd ubnd` (a number typed without its slashes): score only.
    pub number_runs: Vec<Vec<String>>,
}

impl ParsedQuery {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.numbers.is_empty()
    }

    /// Folded words to highlight in snippets.
    pub fn highlight_words(&self) -> Vec<String> {
        let mut words: Vec<String> = self.terms.iter().map(|t| t.fold.clone()).collect();
        for key in &self.numbers {
            words.extend(document_number_parts(key).split(' ').map(str::to_string));
        }
        words.sort();
        words.dedup();
        words
    }
}

pub(crate) struct Analyzers {
    pub exact: TextAnalyzer,
    pub fold: TextAnalyzer,
}

fn starts_with_digit(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit())
}

/// Longer input is cut: a search box is not a place for whole documents, and every syllable
/// costs several term queries.
const MAX_QUERY_BYTES: usize = 1_000;
const MAX_TERMS: usize = 32;

pub(crate) fn parse(raw: &str, analyzers: &mut Analyzers) -> ParsedQuery {
    let mut end = raw.len().min(MAX_QUERY_BYTES);
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    let parsed = parse_all(&raw[..end], analyzers);
    ParsedQuery {
        terms: parsed.terms.into_iter().take(MAX_TERMS).collect(),
        bigrams: parsed.bigrams.into_iter().take(MAX_TERMS).collect(),
        phrases: parsed.phrases.into_iter().take(MAX_TERMS / 4).collect(),
        numbers: parsed.numbers.into_iter().take(MAX_TERMS / 4).collect(),
        number_runs: parsed.number_runs.into_iter().take(MAX_TERMS / 4).collect(),
    }
}

fn parse_all(raw: &str, analyzers: &mut Analyzers) -> ParsedQuery {
    let text = normalize_nfc(raw)
        .replace('Ð', "Đ")
        .replace('ð', "đ")
        .replace(['“', '”', '„'], "\"");
    let mut parsed = ParsedQuery::default();
    for (index, segment) in text.split('"').enumerate() {
        let quoted = index % 2 == 1;
        let mut rest = String::with_capacity(segment.len() + 8);
        let mut last = 0;
        for found in find_document_numbers(segment) {
            rest.push_str(&segment[last..found.range.start]);
            rest.push_str(" ; ");
            last = found.range.end;
            parsed.numbers.push(found.key);
        }
        rest.push_str(&segment[last..]);

        let folded = tokens(&mut analyzers.fold, &rest);
        let mut run: Vec<(QueryTerm, std::ops::Range<usize>)> = Vec::new();
        let mut runs = Vec::new();
        for (i, (fold, range)) in folded.iter().enumerate() {
            // "số 15 …": the word for "number" is not part of what is searched.
            let next_is_number = folded
                .get(i + 1)
                .is_some_and(|(next, _)| starts_with_digit(next));
            if fold == "so" && next_is_number {
                continue;
            }
            let original = &rest[range.clone()];
            let exact = if original.is_ascii() {
                None
            } else {
                tokens(&mut analyzers.exact, original)
                    .into_iter()
                    .next()
                    .map(|(t, _)| t)
                    .filter(|t| t != fold)
            };
            let term = QueryTerm {
                fold: fold.clone(),
                exact,
            };
            let adjacent = run
                .last()
                .is_some_and(|(_, prev)| joinable(&rest[prev.end..range.start]));
            if !adjacent && !run.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
            run.push((term, range.clone()));
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for run in runs {
            let words: Vec<&str> = run.iter().map(|(t, _)| t.fold.as_str()).collect();
            let bigrams: Vec<String> = words
                .windows(2)
                .map(|w| {
                    format!(
                        "{}_{}",
                        strip_leading_zeros(w[0]),
                        strip_leading_zeros(w[1])
                    )
                })
                .collect();
            if quoted && !bigrams.is_empty() {
                parsed.phrases.push(bigrams);
            } else {
                parsed.bigrams.extend(bigrams);
            }
            for start in 0..words.len() {
                if !starts_with_digit(words[start]) {
                    continue;
                }
                let tail = words[start + 1..]
                    .iter()
                    .take(4)
                    .take_while(|w| w.len() <= 8 && w.bytes().all(|b| b.is_ascii_alphanumeric()))
                    .count();
                if tail >= 1 {
                    let parts = words[start..=start + tail]
                        .iter()
                        .map(|w| strip_leading_zeros(w).to_string())
                        .collect();
                    parsed.number_runs.push(parts);
                }
            }
            parsed.terms.extend(run.into_iter().map(|(t, _)| t));
        }
    }
    parsed
}

/// The user's filters, already checked and normalised.
pub(crate) struct Filters<'a> {
    /// `None` when every scope in the index is allowed (the filter would keep everything).
    pub allowed_scopes: Option<Vec<String>>,
    pub document_type: Option<&'a str>,
    pub organ_id: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub signer: Option<String>,
    pub status: Option<&'a str>,
    pub from: Option<tantivy::DateTime>,
    pub to: Option<tantivy::DateTime>,
    /// Only scans (`true`) or only documents with a text layer (`false`).
    pub scan: Option<bool>,
}

/// Builds the scoring clauses: term queries, conjunctions of bigrams and number phrases, each
/// with its boost.
#[derive(Debug, Default)]
pub(crate) struct ScoredTerms;

impl ScoredTerms {
    /// A scoring term query on `field`, boosted.
    fn term(&mut self, field: tantivy::schema::Field, text: &str, boost: f32) -> Box<dyn Query> {
        boosted(term_query(field, text), boost)
    }

    /// All of `bigrams` in `field` (their scores add up), boosted.
    fn all_of(
        &mut self,
        field: tantivy::schema::Field,
        bigrams: &[String],
        boost: f32,
    ) -> Box<dyn Query> {
        boosted(bigrams_in(field, bigrams), boost)
    }

    /// A phrase on `number_parts`, boosted.
    fn phrase(&mut self, terms: Vec<Term>, boost: f32) -> Box<dyn Query> {
        boosted(Box::new(PhraseQuery::new(terms)), boost)
    }
}

/// A built query.
pub(crate) struct Built {
    pub query: Box<dyn Query>,
}

fn term_query(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

fn syllable_clause(fields: &Fields, term: &QueryTerm, scored: &mut ScoredTerms) -> Box<dyn Query> {
    let mut should = vec![
        scored.term(fields.subject_fold, &term.fold, weight::SUBJECT_FOLD),
        scored.term(fields.body_fold, &term.fold, weight::BODY_FOLD),
        scored.term(fields.meta_fold, &term.fold, weight::META_FOLD),
        scored.term(
            fields.number_parts,
            strip_leading_zeros(&term.fold),
            weight::NUMBER_PART,
        ),
    ];
    if let Some(exact) = &term.exact {
        should.push(scored.term(fields.subject_exact, exact, weight::SUBJECT_EXACT));
        should.push(scored.term(fields.body_exact, exact, weight::BODY_EXACT));
        should.push(scored.term(fields.meta_exact, exact, weight::META_EXACT));
    }
    Box::new(BooleanQuery::union(should))
}

fn bigrams_in(field: tantivy::schema::Field, bigrams: &[String]) -> Box<dyn Query> {
    Box::new(BooleanQuery::intersection(
        bigrams.iter().map(|b| term_query(field, b)).collect(),
    ))
}

fn number_clause(fields: &Fields, key: &str, scored: &mut ScoredTerms) -> Box<dyn Query> {
    let parts: Vec<String> = document_number_parts(key)
        .split(' ')
        .map(str::to_string)
        .collect();
    let mut should = vec![scored.term(fields.number_key, key, weight::NUMBER_KEY)];
    if parts.len() >= 2 {
        let terms = parts
            .iter()
            .map(|p| Term::from_field_text(fields.number_parts, p))
            .collect();
        should.push(scored.phrase(terms, weight::NUMBER_PARTS));
        let bigrams: Vec<String> = parts
            .windows(2)
            .map(|w| format!("{}_{}", w[0], w[1]))
            .collect();
        should.push(scored.all_of(fields.body_bigram, &bigrams, weight::NUMBER_CITED));
        should.push(scored.all_of(fields.subject_bigram, &bigrams, weight::NUMBER_CITED));
    }
    Box::new(BooleanQuery::union(should))
}

/// The zero-score clauses for permissions and filters.
fn filter_clauses(fields: &Fields, filters: &Filters<'_>) -> Vec<(Occur, Box<dyn Query>)> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(scopes) = &filters.allowed_scopes {
        clauses.push(filter(Box::new(TermSetQuery::new(
            scopes
                .iter()
                .map(|scope| Term::from_field_text(fields.scope, scope)),
        ))));
    }
    for (field, value) in [
        (fields.document_type, filters.document_type),
        (fields.organ_id, filters.organ_id),
        (fields.unit, filters.unit),
        (fields.signer, filters.signer.as_deref()),
        (fields.status, filters.status),
    ] {
        if let Some(value) = value {
            clauses.push(filter(term_query(field, value)));
        }
    }
    if filters.from.is_some() || filters.to.is_some() {
        let bound = |date: Option<tantivy::DateTime>| match date {
            Some(date) => Bound::Included(Term::from_field_date(fields.issue_date, date)),
            None => Bound::Unbounded,
        };
        clauses.push(filter(Box::new(tantivy::query::RangeQuery::new(
            bound(filters.from),
            bound(filters.to),
        ))));
    }
    if let Some(scan) = filters.scan {
        clauses.push(filter(Box::new(TermQuery::new(
            Term::from_field_bool(fields.scan, scan),
            IndexRecordOption::Basic,
        ))));
    }
    clauses
}

/// The permissions and filters alone, or `None` when there are none.
pub(crate) fn filter_query(fields: &Fields, filters: &Filters<'_>) -> Option<Box<dyn Query>> {
    let clauses = filter_clauses(fields, filters);
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

/// The query of [`build`] (strict form) flattened into its scoring terms, for document-at-a-
/// time evaluation (see `plan.rs`). A document matches when it holds one term of every
/// group, all the terms of one side of every phrase and passes the filters; its score is the
/// sum of the scores of the matching terms of the groups, of the complete phrase sides and
/// of the matching optional terms — exactly what the `BooleanQuery` of [`build`] computes.
/// `None` for queries with document numbers (positional phrases) or without words.
pub(crate) fn plan(fields: &Fields, parsed: &ParsedQuery) -> Option<Plan> {
    if parsed.terms.is_empty() || !parsed.numbers.is_empty() || !parsed.number_runs.is_empty() {
        return None;
    }
    let mut plan = Plan::default();
    let usage = |plan: &mut Plan, field: tantivy::schema::Field, text: &str, boost: f32| {
        plan.usages
            .push((Term::from_field_text(field, text), boost));
        plan.usages.len() - 1
    };
    for term in &parsed.terms {
        let mut group = vec![
            usage(
                &mut plan,
                fields.subject_fold,
                &term.fold,
                weight::SUBJECT_FOLD,
            ),
            usage(&mut plan, fields.body_fold, &term.fold, weight::BODY_FOLD),
            usage(&mut plan, fields.meta_fold, &term.fold, weight::META_FOLD),
            usage(
                &mut plan,
                fields.number_parts,
                strip_leading_zeros(&term.fold),
                weight::NUMBER_PART,
            ),
        ];
        if let Some(exact) = &term.exact {
            group.push(usage(
                &mut plan,
                fields.subject_exact,
                exact,
                weight::SUBJECT_EXACT,
            ));
            group.push(usage(
                &mut plan,
                fields.body_exact,
                exact,
                weight::BODY_EXACT,
            ));
            group.push(usage(
                &mut plan,
                fields.meta_exact,
                exact,
                weight::META_EXACT,
            ));
        }
        plan.groups.push(group);
    }
    for phrase in &parsed.phrases {
        let subject = phrase
            .iter()
            .map(|b| usage(&mut plan, fields.subject_bigram, b, weight::SUBJECT_BIGRAM))
            .collect();
        let body = phrase
            .iter()
            .map(|b| usage(&mut plan, fields.body_bigram, b, weight::BODY_BIGRAM))
            .collect();
        plan.phrases.push([subject, body]);
    }
    for bigram in &parsed.bigrams {
        let subject = usage(
            &mut plan,
            fields.subject_bigram,
            bigram,
            weight::SUBJECT_BIGRAM,
        );
        let body = usage(&mut plan, fields.body_bigram, bigram, weight::BODY_BIGRAM);
        plan.optional.extend([subject, body]);
    }
    Some(plan)
}

/// See [`plan`].
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Every use of a term, with its boost (a term used twice scores twice).
    pub usages: Vec<(Term, f32)>,
    /// Required: one usage of each group.
    pub groups: Vec<Vec<usize>>,
    /// Required: all usages of one of the two sides (subject, body); each complete side scores.
    pub phrases: Vec<[Vec<usize>; 2]>,
    /// Scores when present.
    pub optional: Vec<usize>,
}

/// Builds the whole query. `relaxed` lets one syllable in four be missing (used when the strict
/// query finds nothing).
pub(crate) fn build(
    fields: &Fields,
    parsed: &ParsedQuery,
    filters: &Filters<'_>,
    relaxed: bool,
) -> Built {
    let mut scored = ScoredTerms;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();

    let syllables: Vec<Box<dyn Query>> = parsed
        .terms
        .iter()
        .map(|t| syllable_clause(fields, t, &mut scored))
        .collect();
    if relaxed && syllables.len() >= 2 {
        let n = syllables.len();
        let required = n - (n / 4).max(1);
        clauses.push((
            Occur::Must,
            Box::new(BooleanQuery::union_with_minimum_required_clauses(
                syllables, required,
            )),
        ));
    } else {
        clauses.extend(syllables.into_iter().map(|q| (Occur::Must, q)));
    }
    for key in &parsed.numbers {
        clauses.push((Occur::Must, number_clause(fields, key, &mut scored)));
    }
    for phrase in &parsed.phrases {
        clauses.push((
            Occur::Must,
            Box::new(BooleanQuery::union(vec![
                scored.all_of(fields.subject_bigram, phrase, weight::SUBJECT_BIGRAM),
                scored.all_of(fields.body_bigram, phrase, weight::BODY_BIGRAM),
            ])),
        ));
    }
    for bigram in &parsed.bigrams {
        clauses.push((
            Occur::Should,
            Box::new(BooleanQuery::union(vec![
                scored.term(fields.subject_bigram, bigram, weight::SUBJECT_BIGRAM),
                scored.term(fields.body_bigram, bigram, weight::BODY_BIGRAM),
            ])),
        ));
    }
    for run in &parsed.number_runs {
        let terms = run
            .iter()
            .map(|p| Term::from_field_text(fields.number_parts, p))
            .collect();
        clauses.push((Occur::Should, scored.phrase(terms, weight::NUMBER_RUN)));
    }
    if parsed.is_empty() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }

    // Permissions and filters: inside the query, scoring nothing.
    clauses.extend(filter_clauses(fields, filters));
    Built {
        query: Box::new(BooleanQuery::new(clauses)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{exact_analyzer, fold_analyzer};

    fn parse_str(text: &str) -> ParsedQuery {
        parse(
            text,
            &mut Analyzers {
                exact: exact_analyzer(),
                fold: fold_analyzer(),
            },
        )
    }

    fn folds(parsed: &ParsedQuery) -> Vec<&str> {
        parsed.terms.iter().map(|t| t.fold.as_str()).collect()
    }

    #[test]
    fn very_long_input_is_cut() {
        let parsed = parse_str(&"cải cách hành chính ".repeat(500));
        assert_eq!(parsed.terms.len(), MAX_TERMS);
    }

    #[test]
    fn numbers_are_cut_out_with_their_label() {
        for text in [
            "Số: 15/QĐ-UBND",
            "15/QĐ-UBND",
            "số 15/qd-ubnd",
            "so 15/QD-UBND",
        ] {
            let parsed = parse_str(text);
            assert_eq!(parsed.numbers, ["15/qd-ubnd"], "{text}");
            assert!(parsed.terms.is_empty(), "{text}: {:?}", parsed.terms);
        }
    }

    #[test]
    fn a_number_typed_as_words_becomes_a_run() {
        let parsed = parse_str("so 15 qd ubnd");
        assert_eq!(folds(&parsed), ["15", "qd", "ubnd"]);
        assert_eq!(parsed.number_runs[0], ["15", "qd", "ubnd"]);
        assert!(parsed.numbers.is_empty());
    }

    #[test]
    fn diacritics_add_exact_terms_only_where_typed() {
        let parsed = parse_str("cải cach hành chinh hoà");
        let exact: Vec<Option<&str>> = parsed.terms.iter().map(|t| t.exact.as_deref()).collect();
        assert_eq!(exact, [Some("cải"), None, Some("hành"), None, Some("hoà")]);
        assert_eq!(
            parsed.bigrams,
            ["cai_cach", "cach_hanh", "hanh_chinh", "chinh_hoa"]
        );
    }

    #[test]
    fn quotes_make_phrases_and_syntax_characters_are_plain_text() {
        let parsed = parse_str("\"chữ ký số\" (cai cach -hanh chinh: AND OR");
        assert_eq!(
            parsed.phrases,
            [vec!["chu_ky".to_string(), "ky_so".to_string()]]
        );
        assert_eq!(
            folds(&parsed),
            ["chu", "ky", "so", "cai", "cach", "hanh", "chinh", "and", "or"]
        );
    }
}
