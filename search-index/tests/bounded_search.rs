//! Broad queries past the count limit: `total` and the facets are estimated from a sample and
//! say so, while the page of hits stays exactly the page that scoring (or reading the date of)
//! every match gives. Scans are flagged in hits and can be filtered.

use chrono::NaiveDate;
use search_index::{ArchiveIndex, IndexOptions, IndexedDocument, SearchRequest, SortOrder};

const TINH: &str = "000.00.00.H19";
const LIMIT: u64 = 60;

/// A small deterministic generator (xorshift), so the test needs no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "cải cách",
    "hành chính",
    "chuyển đổi số",
    "ngân sách",
    "kế hoạch",
    "báo cáo",
    "an toàn",
    "thực phẩm",
    "phòng chống",
    "thiên tai",
    "giáo dục",
    "tuyển sinh",
    "đất đai",
    "xây dựng",
    "nông thôn",
    "mới",
    "năm",
    "tỉnh",
    "huyện",
    "thực hiện",
];
const TYPES: &[&str] = &["quyet_dinh", "ke_hoach", "bao_cao", "cong_van"];
const UNITS: &[&str] = &["VP", "KT", "NC", "VX"];

fn sentence(rng: &mut Rng, words: u64) -> String {
    (0..words)
        .map(|_| rng.pick(WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

fn documents(n: u32) -> Vec<IndexedDocument> {
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    (0..n)
        .map(|i| {
            let subject_words = 3 + rng.below(6);
            let body_words = 20 + rng.below(60);
            let issue_date = (rng.below(20) != 0).then(|| {
                NaiveDate::from_ymd_opt(
                    2022 + rng.below(5) as i32,
                    1 + rng.below(12) as u32,
                    1 + rng.below(28) as u32,
                )
                .unwrap()
            });
            IndexedDocument {
                id: format!("g{i:05}"),
                organ_id: TINH.to_string(),
                unit: rng.pick(UNITS).to_string(),
                document_type: rng.pick(TYPES).to_string(),
                type_name: "Văn bản".to_string(),
                number: None,
                subject: sentence(&mut rng, subject_words),
                body: sentence(&mut rng, body_words),
                signer: Some("Trần Văn Hải".to_string()),
                issue_date,
                status: "issued".to_string(),
                signature_state: "two_layer".to_string(),
                revision: 1,
                confidential: false,
                scan: i % 97 == 0,
            }
        })
        .collect()
}

/// The same documents in a reference index (default limit, so every search counts every match,
/// and every match scored for the page) and in one with a tiny limit and pruned ranking;
/// written in several batches so that there are several segments.
fn indexes(docs: &[IndexedDocument]) -> (tempfile::TempDir, ArchiveIndex, ArchiveIndex) {
    let dir = tempfile::tempdir().unwrap();
    let exact = ArchiveIndex::open_or_create_with(
        &dir.path().join("exact"),
        IndexOptions {
            exhaustive_ranking: true,
            ..IndexOptions::default()
        },
    )
    .unwrap();
    let bounded = ArchiveIndex::open_or_create_with(
        &dir.path().join("bounded"),
        IndexOptions {
            exact_count_limit: LIMIT,
            ..IndexOptions::default()
        },
    )
    .unwrap();
    for batch in docs.chunks(docs.len() / 4 + 1) {
        exact.upsert(batch.to_vec()).unwrap();
        bounded.upsert(batch.to_vec()).unwrap();
    }
    (dir, exact, bounded)
}

fn request(text: &str) -> SearchRequest {
    SearchRequest {
        text: text.to_string(),
        allowed_agencies: vec![TINH.to_string()],
        page_size: 10,
        ..SearchRequest::default()
    }
}

/// The same page: the same sort keys (score, then date) in the same order, and the same
/// document wherever its key is unique. Among documents with equal keys tantivy's own order is
/// arbitrary (it depends on the order it met them, and background merges may differ between
/// the two indexes), so only their keys count.
fn same_page(
    got: &search_index::SearchResults,
    reference: &search_index::SearchResults,
    req: &SearchRequest,
) {
    let keys = |r: &search_index::SearchResults| -> Vec<(u32, Option<NaiveDate>)> {
        r.hits
            .iter()
            .map(|h| ((h.score * 1000.0).round() as u32, h.issue_date))
            .collect()
    };
    let reference_keys = keys(reference);
    assert_eq!(keys(got), reference_keys, "{req:?}");
    // Documents with equal keys are contiguous in the order, so a key that occurs once in the
    // page and not at either end belongs to one document only, which must be the same one.
    let last = reference_keys.len().saturating_sub(1);
    for (i, hit) in reference.hits.iter().enumerate() {
        let key = reference_keys[i];
        let unique = reference_keys.iter().filter(|k| **k == key).count() == 1;
        if unique && i > 0 && i < last {
            assert_eq!(got.hits[i].id, hit.id, "{req:?}");
        }
    }
}

#[test]
fn past_the_limit_counts_are_estimated_and_hits_stay_exact() {
    let docs = documents(3_000);
    let (_dir, exact, bounded) = indexes(&docs);
    let mut requests = Vec::new();
    for text in [
        "cai cach",
        "cải cách hành chính",
        "an toan thuc pham",
        "ke hoach nam",
        "\"xây dựng nông thôn mới\"",
        "tinh",
        "",
    ] {
        for sort in [SortOrder::Relevance, SortOrder::Newest, SortOrder::Oldest] {
            for page in [1, 3, 20] {
                requests.push(SearchRequest {
                    sort,
                    page,
                    ..request(text)
                });
            }
        }
    }
    requests.push(SearchRequest {
        document_type: Some("bao_cao".into()),
        ..request("thuc hien")
    });

    let mut estimated = 0;
    for req in &requests {
        let reference = exact.search(req).unwrap();
        assert!(reference.total_is_exact && reference.facets_exact);
        let got = bounded.search(req).unwrap();
        same_page(&got, &reference, req);
        if got.total_is_exact {
            // Exact up to the limit, and past it when no part of the index was cut short.
            assert!(got.facets_exact);
            assert_eq!(got.total, reference.total, "{req:?}");
            assert_eq!(got.facets, reference.facets, "{req:?}");
            continue;
        }
        assert!(reference.total > LIMIT, "{req:?}");
        estimated += 1;
        assert!(!got.facets_exact, "{req:?}");
        assert!(got.total > LIMIT);
        let error = (got.total as f64 - reference.total as f64).abs() / reference.total as f64;
        assert!(
            error < 0.25,
            "{req:?}: estimated {} for {}",
            got.total,
            reference.total
        );
        // The estimated facets name the same frequent values with roughly the same counts.
        for (value, count) in &reference.facets.types {
            let estimate = got
                .facets
                .types
                .iter()
                .find(|(v, _)| v == value)
                .map_or(0, |(_, c)| *c);
            assert!(
                (estimate as f64 - *count as f64).abs() <= 0.35 * *count as f64 + 10.0,
                "{req:?}: {value} estimated {estimate} for {count}"
            );
        }
        // With every match counted on request, the counts are exact again.
        let counted = bounded
            .search(&SearchRequest {
                exact_counts: true,
                ..req.clone()
            })
            .unwrap();
        assert!(counted.total_is_exact && counted.facets_exact);
        assert_eq!(counted.total, reference.total);
        assert_eq!(counted.facets, reference.facets);
        same_page(&counted, &reference, req);
    }
    assert!(estimated >= 20, "only {estimated} requests were estimated");
}

#[test]
fn scans_are_flagged_in_hits_and_can_be_filtered() {
    let docs = documents(300);
    let (_dir, exact, _) = indexes(&docs);
    let scans: Vec<&str> = docs
        .iter()
        .filter(|d| d.scan)
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(scans.len(), 4);
    let only_scans = exact
        .search(&SearchRequest {
            scan: Some(true),
            page_size: 100,
            ..request("")
        })
        .unwrap();
    let mut found: Vec<&str> = only_scans.hits.iter().map(|h| h.id.as_str()).collect();
    found.sort();
    assert_eq!(found, scans);
    assert!(only_scans.hits.iter().all(|h| h.scan));
    let no_scans = exact
        .search(&SearchRequest {
            scan: Some(false),
            page_size: 100,
            ..request("")
        })
        .unwrap();
    assert_eq!(no_scans.total, 296);
    assert!(no_scans.hits.iter().all(|h| !h.scan));
    let all = exact.search(&request("")).unwrap();
    assert_eq!(all.total, 300);
}
