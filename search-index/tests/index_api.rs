//! Behaviour of the public API: writes, permissions, filters, sorting, snippets, facets,
//! document numbers, Unicode forms, legacy encodings and bounded index growth.

use chrono::NaiveDate;
use search_index::{ArchiveIndex, IndexError, IndexedDocument, SearchRequest, SortOrder};

const TINH: &str = "000.00.00.H19";
const SO: &str = "000.00.07.H19";

fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn doc(id: &str, organ_id: &str, subject: &str, body: &str) -> IndexedDocument {
    IndexedDocument {
        id: id.to_string(),
        organ_id: organ_id.to_string(),
        unit: "VP".to_string(),
        document_type: "quyet_dinh".to_string(),
        type_name: "Quyết định".to_string(),
        number: None,
        subject: subject.to_string(),
        body: body.to_string(),
        signer: Some("Trần Văn Hải".to_string()),
        issue_date: day(2026, 3, 15),
        status: "issued".to_string(),
        signature_state: "agency_signed".to_string(),
        revision: 1,
        confidential: false,
        scan: false,
    }
}

fn open() -> (tempfile::TempDir, ArchiveIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = ArchiveIndex::open_or_create(&dir.path().join("index")).unwrap();
    (dir, index)
}

fn request(text: &str) -> SearchRequest {
    SearchRequest {
        text: text.to_string(),
        allowed_agencies: vec![TINH.to_string(), SO.to_string()],
        ..SearchRequest::default()
    }
}

fn ids(index: &ArchiveIndex, request: &SearchRequest) -> Vec<String> {
    index
        .search(request)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn upsert_replaces_by_id_and_delete_removes() {
    let (_dir, index) = open();
    index
        .upsert(vec![
            doc(
                "a",
                TINH,
                "Kế hoạch cải cách hành chính năm 2026",
                "Nội dung.",
            ),
            doc("b", TINH, "Kế hoạch chuyển đổi số năm 2026", "Nội dung."),
        ])
        .unwrap();
    assert_eq!(index.document_count().unwrap(), 2);

    let mut revised = doc(
        "a",
        TINH,
        "Kế hoạch phòng cháy, chữa cháy năm 2026",
        "Nội dung.",
    );
    revised.revision = 2;
    index.upsert(vec![revised]).unwrap();
    assert_eq!(index.document_count().unwrap(), 2);
    assert!(ids(&index, &request("cai cach hanh chinh")).is_empty());
    assert_eq!(ids(&index, &request("phong chay chua chay")), ["a"]);

    index
        .delete(&["a".to_string(), "unknown".to_string()])
        .unwrap();
    assert_eq!(index.document_count().unwrap(), 1);
    assert!(ids(&index, &request("phong chay")).is_empty());
}

#[test]
fn confidential_documents_are_refused_and_nothing_of_the_batch_is_written() {
    let (_dir, index) = open();
    let mut secret = doc(
        "secret",
        TINH,
        "Về việc bảo vệ bí mật nhà nước",
        "Nội dung mật.",
    );
    secret.confidential = true;
    let error = index
        .upsert(vec![
            doc("open", TINH, "Công văn thường", "x"),
            secret.clone(),
        ])
        .unwrap_err();
    assert!(matches!(error, IndexError::Confidential { ref id } if id == "secret"));
    assert_eq!(index.document_count().unwrap(), 0);

    index
        .upsert(vec![doc("kept", TINH, "Công văn thường", "x")])
        .unwrap();
    let error = index
        .rebuild(
            vec![doc("new", TINH, "Mới", "x"), secret].into_iter(),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(matches!(error, IndexError::Confidential { .. }));
    assert_eq!(
        ids(&index, &request("")),
        ["kept"],
        "a failed rebuild keeps the old index"
    );
}

#[test]
fn permissions_are_part_of_the_query() {
    let (_dir, index) = open();
    index
        .upsert(vec![
            doc("tinh", TINH, "Kế hoạch cải cách hành chính", "x"),
            doc("so", SO, "Kế hoạch cải cách hành chính", "x"),
        ])
        .unwrap();
    let nothing = index
        .search(&SearchRequest {
            allowed_agencies: vec![],
            ..request("cai cach")
        })
        .unwrap();
    assert_eq!(nothing.total, 0);
    assert!(nothing.hits.is_empty());

    let only_so = index
        .search(&SearchRequest {
            allowed_agencies: vec![SO.to_string()],
            ..request("cai cach")
        })
        .unwrap();
    assert_eq!(only_so.total, 1);
    assert_eq!(only_so.hits[0].id, "so");
    assert_eq!(only_so.facets.types, [("quyet_dinh".to_string(), 1)]);

    // Asking for another agency's documents by filter does not widen the scope.
    let other = index
        .search(&SearchRequest {
            allowed_agencies: vec![SO.to_string()],
            organ_id: Some(TINH.to_string()),
            ..request("")
        })
        .unwrap();
    assert_eq!(other.total, 0);
}

#[test]
fn filters_sorting_paging_and_facets() {
    let (_dir, index) = open();
    let mut docs = Vec::new();
    for i in 0..25u32 {
        let mut d = doc(
            &format!("d{i:02}"),
            TINH,
            &format!("Báo cáo công tác tháng {} năm {}", i % 12 + 1, 2024 + i % 3),
            "Báo cáo tình hình thực hiện nhiệm vụ.",
        );
        d.issue_date = day(2024 + (i % 3) as i32, i % 12 + 1, 1 + i % 28);
        d.document_type = if i % 5 == 0 { "ke_hoach" } else { "bao_cao" }.to_string();
        d.unit = if i % 2 == 0 { "VP" } else { "KT" }.to_string();
        d.signer = Some(
            if i % 4 == 0 {
                "Lê Thị Hoà"
            } else {
                "Trần Văn Hải"
            }
            .to_string(),
        );
        d.status = if i == 7 { "revoked" } else { "issued" }.to_string();
        docs.push(d);
    }
    let mut undated = doc("undated", TINH, "Báo cáo không ngày", "x");
    undated.issue_date = None;
    docs.push(undated);
    index.upsert(docs.clone()).unwrap();

    let newest = index
        .search(&SearchRequest {
            sort: SortOrder::Newest,
            page_size: 10,
            ..request("bao cao")
        })
        .unwrap();
    assert_eq!(newest.total, 26);
    let dates: Vec<_> = newest.hits.iter().map(|h| h.issue_date).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    let page_three = index
        .search(&SearchRequest {
            sort: SortOrder::Newest,
            page: 3,
            page_size: 10,
            ..request("bao cao")
        })
        .unwrap();
    assert_eq!(page_three.hits.len(), 6);
    assert_eq!(
        page_three.hits.last().unwrap().id,
        "undated",
        "no date sorts last"
    );
    let oldest = index
        .search(&SearchRequest {
            sort: SortOrder::Oldest,
            page_size: 1,
            ..request("")
        })
        .unwrap();
    let first_day = docs.iter().filter_map(|d| d.issue_date).min();
    assert_eq!(oldest.hits[0].issue_date, first_day);

    // Date range, inclusive at both ends; type, unit, signer and status filters.
    let in_2025 = index
        .search(&SearchRequest {
            from: day(2025, 1, 1),
            to: day(2025, 12, 31),
            page_size: 100,
            ..request("")
        })
        .unwrap();
    let expected_2025 = docs
        .iter()
        .filter(|d| {
            d.issue_date
                .is_some_and(|x| x >= day(2025, 1, 1).unwrap() && x <= day(2025, 12, 31).unwrap())
        })
        .count();
    assert_eq!(in_2025.total as usize, expected_2025);
    assert_eq!(in_2025.facets.years, [(2025, expected_2025 as u64)]);
    let exact_day = docs[4].issue_date;
    let that_day = index
        .search(&SearchRequest {
            from: exact_day,
            to: exact_day,
            ..request("")
        })
        .unwrap();
    assert!(that_day.hits.iter().any(|h| h.id == "d04"));
    assert!(that_day.hits.iter().all(|h| h.issue_date == exact_day));

    let filtered = index
        .search(&SearchRequest {
            document_type: Some("ke_hoach".into()),
            unit: Some("VP".into()),
            signer: Some("Lê Thị Hoà".into()),
            page_size: 100,
            ..request("")
        })
        .unwrap();
    let expected: Vec<&IndexedDocument> = docs
        .iter()
        .filter(|d| {
            d.document_type == "ke_hoach"
                && d.unit == "VP"
                && d.signer.as_deref() == Some("Lê Thị Hoà")
        })
        .collect();
    assert_eq!(filtered.total as usize, expected.len());
    assert!(!expected.is_empty());
    let revoked = index
        .search(&SearchRequest {
            status: Some("revoked".into()),
            ..request("")
        })
        .unwrap();
    assert_eq!(
        revoked
            .hits
            .iter()
            .map(|h| h.id.as_str())
            .collect::<Vec<_>>(),
        ["d07"]
    );

    // Facets count every match, not just the page.
    let all = index
        .search(&SearchRequest {
            page_size: 1,
            ..request("")
        })
        .unwrap();
    assert_eq!(all.total, 26);
    assert_eq!(
        all.facets.types,
        [
            ("bao_cao".to_string(), 20),
            ("ke_hoach".to_string(), 5),
            ("quyet_dinh".to_string(), 1)
        ]
    );
    assert_eq!(
        all.facets.units,
        [("VP".to_string(), 14), ("KT".to_string(), 12)]
    );
    assert_eq!(
        all.facets.signers,
        [
            ("Trần Văn Hải".to_string(), 19),
            ("Lê Thị Hoà".to_string(), 7)
        ]
    );
    assert_eq!(
        all.facets.statuses,
        [("issued".to_string(), 25), ("revoked".to_string(), 1)]
    );
    let years: u64 = all.facets.years.iter().map(|y| y.1).sum();
    assert_eq!(years, 25, "the undated document has no year");
    assert_eq!(all.facets.years[0].0, 2026, "newest year first");
}

#[test]
fn snippets_highlight_words_as_written_and_escape_html() {
    let (_dir, index) = open();
    index
        .upsert(vec![
            doc(
                "a",
                TINH,
                "Kế hoạch năm 2026",
                "Ủy ban nhân dân tỉnh ban hành Kế hoạch cải cách hành chính năm 2026 <kèm theo> & phụ lục.",
            ),
            doc("b", TINH, "Về việc cải cách hành chính", "Không có nội dung liên quan."),
        ])
        .unwrap();
    let results = index.search(&request("cai cach hanh chinh")).unwrap();
    let a = results.hits.iter().find(|h| h.id == "a").unwrap();
    assert!(
        a.snippet_html
            .contains("<b>cải</b> <b>cách</b> <b>hành</b> <b>chính</b>"),
        "{}",
        a.snippet_html
    );
    assert!(
        a.snippet_html.contains("&lt;kèm theo&gt; &amp;"),
        "{}",
        a.snippet_html
    );
    let b = results.hits.iter().find(|h| h.id == "b").unwrap();
    assert!(
        b.snippet_html.contains("<b>cải</b>"),
        "falls back to the subject: {}",
        b.snippet_html
    );

    let filter_only = index.search(&request("")).unwrap();
    let a = filter_only.hits.iter().find(|h| h.id == "a").unwrap();
    assert_eq!(a.snippet_html, "Kế hoạch năm 2026", "start of the subject");
}

#[test]
fn document_numbers_whole_and_by_parts() {
    let (_dir, index) = open();
    let mut target = doc(
        "target",
        TINH,
        "Về việc phê duyệt Kế hoạch năm 2026",
        "Nội dung.",
    );
    target.number = Some("05/QĐ-UBND".to_string());
    let mut other = doc(
        "other",
        TINH,
        "Về việc khác",
        "Căn cứ Quyết định số 05/QĐ-UBND ngày 12 tháng 01 năm 2026;",
    );
    other.number = Some("105/QĐ-UBND".to_string());
    let mut plan = doc("plan", TINH, "Kế hoạch", "x");
    plan.number = Some("05/KH-UBND".to_string());
    let mut law = doc("law", SO, "Nghị quyết về hợp tác xã", "x");
    law.number = Some("12/2025/NQ-HĐND".to_string());
    index.upsert(vec![target, other, plan, law]).unwrap();

    for text in [
        "05/QĐ-UBND",
        "5/QĐ-UBND",
        "Số: 05/QĐ-UBND",
        "so 05/qd-ubnd",
        "so 5 qd ubnd",
        "05 QĐ UBND",
    ] {
        let found = ids(&index, &request(text));
        assert_eq!(
            found.first().map(String::as_str),
            Some("target"),
            "{text}: {found:?}"
        );
    }
    // The citation is found too, below the document itself; other notations are not.
    let found = ids(&index, &request("05/QĐ-UBND"));
    assert_eq!(found, ["target", "other"]);
    assert_eq!(ids(&index, &request("12/2025/NQ-HĐND")), ["law"]);
    assert_eq!(ids(&index, &request("số 12/2025/nq-hdnd")), ["law"]);
}

#[test]
fn raw_input_never_breaks_the_query() {
    let (_dir, index) = open();
    index
        .upsert(vec![doc(
            "a",
            TINH,
            "Kế hoạch cải cách hành chính",
            "Nội dung: cải cách (hành chính).",
        )])
        .unwrap();
    for text in [
        "(cai cach",
        "cai cach)",
        "hanh chinh -",
        "-hanh chinh",
        "cai AND cach OR NOT",
        "\"cai cach",
        "subject:cai",
        "cai*",
        "[1 TO 2]",
        "cai^2 cach~1",
        "Số:",
        ":::",
        "\\",
        "'",
        "{}",
        "<script>",
    ] {
        let result = index.search(&request(text));
        assert!(result.is_ok(), "{text}: {result:?}");
    }
    assert_eq!(ids(&index, &request("(cai cach")), ["a"]);
    assert_eq!(ids(&index, &request("-hanh chinh")), ["a"]);
}

#[test]
fn diacritics_typed_rank_the_matching_spelling_first() {
    let (_dir, index) = open();
    index
        .upsert(vec![
            doc("cai-cach", TINH, "Đẩy mạnh cải cách thủ tục", "x"),
            doc("cai-cach-khac", TINH, "Cái cách làm mới", "x"),
        ])
        .unwrap();
    assert_eq!(ids(&index, &request("cải cách"))[0], "cai-cach");
    assert_eq!(ids(&index, &request("cái cách"))[0], "cai-cach-khac");
    assert_eq!(
        ids(&index, &request("cai cach")).len(),
        2,
        "no diacritics finds both"
    );
}

#[test]
fn tone_placement_unicode_forms_and_look_alikes() {
    let (_dir, index) = open();
    index
        .upsert(vec![
            doc(
                "old-style",
                TINH,
                "Hỗ trợ người khuyết tật hòa nhập cộng đồng",
                "x",
            ),
            doc(
                "nfd",
                TINH,
                "Lê\u{303} ho\u{302}\u{323}i Va\u{306}n ho\u{301}a",
                "x",
            ),
            doc("eth", TINH, "Ðiều chỉnh quy hoạch", "x"),
            doc("other", TINH, "Hoa hồng", "x"),
        ])
        .unwrap();
    let results = index.search(&request("hoà nhập")).unwrap();
    assert_eq!(results.hits[0].id, "old-style");
    assert_eq!(ids(&index, &request("lễ hội văn hóa")), ["nfd"]);
    // NFD query text, NFC document.
    assert_eq!(
        ids(&index, &request("ho\u{300}a nha\u{323}\u{302}p")),
        ["old-style"]
    );
    assert_eq!(ids(&index, &request("điều chỉnh")), ["eth"]);
    assert_eq!(ids(&index, &request("dieu chinh")), ["eth"]);
    // Subjects come back in NFC.
    let nfd = index.search(&request("le hoi")).unwrap();
    assert_eq!(nfd.hits[0].subject, "Lễ hội Văn hóa");
}

#[test]
fn legacy_encoded_text_is_converted_before_indexing() {
    let (_dir, index) = open();
    index
        .upsert(vec![doc(
            "tcvn3",
            TINH,
            "VÒ viÖc thµnh lËp Ban ChØ ®¹o phßng, chèng dÞch bÖnh",
            "Thaønh laäp Ban Chæ ñaïo phoøng, choáng dòch beänh cuûa tænh.",
        )])
        .unwrap();
    let results = index
        .search(&request("ban chỉ đạo phòng chống dịch"))
        .unwrap();
    assert_eq!(results.hits.len(), 1);
    let hit = &results.hits[0];
    assert_eq!(
        hit.subject,
        "Về việc thành lập Ban Chỉ đạo phòng, chống dịch bệnh"
    );
    assert!(
        hit.snippet_html
            .contains("<b>Ban</b> <b>Chỉ</b> <b>đạo</b>"),
        "{}",
        hit.snippet_html
    );
}

#[test]
fn rebuild_replaces_everything_and_reports_progress() {
    let (_dir, index) = open();
    index.upsert(vec![doc("stale", TINH, "Cũ", "x")]).unwrap();
    let mut reported = Vec::new();
    let fresh = (0..2_500).map(|i| doc(&format!("n{i}"), TINH, "Kế hoạch mới", "Nội dung."));
    let count = index.rebuild(fresh, &mut |n| reported.push(n)).unwrap();
    assert_eq!(count, 2_500);
    assert_eq!(reported, [1_000, 2_000, 2_500]);
    assert_eq!(index.document_count().unwrap(), 2_500);
    assert!(ids(&index, &request("cu")).is_empty());
}

#[test]
fn the_index_does_not_grow_without_bound() {
    let (dir, index) = open();
    let batch: Vec<IndexedDocument> = (0..50)
        .map(|i| {
            doc(
                &format!("d{i}"),
                TINH,
                "Kế hoạch cải cách hành chính năm 2026",
                &"Nội dung kế hoạch chi tiết. ".repeat(40),
            )
        })
        .collect();
    index.upsert(batch.clone()).unwrap();
    index.wait_for_merges().unwrap();
    let single = index.stats().unwrap().bytes_on_disk;
    for round in 0..20u64 {
        let revised = batch
            .iter()
            .cloned()
            .map(|mut d| {
                d.revision = round + 2;
                d
            })
            .collect();
        index.upsert(revised).unwrap();
    }
    index.wait_for_merges().unwrap();
    let stats = index.stats().unwrap();
    println!("one version: {single} bytes; after 21: {stats:?}");
    assert_eq!(stats.documents, 50);
    assert!(stats.segments <= 4, "{stats:?}");
    assert!(
        stats.bytes_on_disk < single * 3,
        "{} bytes after 21 versions of 50 documents; one version took {single}: {stats:?}",
        stats.bytes_on_disk
    );
    drop(index);
    // Reopening sees the committed documents.
    let reopened = ArchiveIndex::open_or_create(&dir.path().join("index")).unwrap();
    assert_eq!(reopened.document_count().unwrap(), 50);
}

#[test]
fn searches_run_while_another_thread_writes() {
    let (_dir, index) = open();
    let index = std::sync::Arc::new(index);
    index
        .upsert(vec![doc("seed", TINH, "Kế hoạch cải cách hành chính", "x")])
        .unwrap();
    std::thread::scope(|scope| {
        let writer = {
            let index = index.clone();
            scope.spawn(move || {
                for i in 0..20 {
                    index
                        .upsert(vec![doc(
                            &format!("w{i}"),
                            TINH,
                            "Kế hoạch cải cách hành chính",
                            "x",
                        )])
                        .unwrap();
                }
            })
        };
        for _ in 0..50 {
            let found = index.search(&request("cai cach")).unwrap();
            assert!(found.total >= 1);
        }
        writer.join().unwrap();
    });
    assert_eq!(index.search(&request("cai cach")).unwrap().total, 21);
}
