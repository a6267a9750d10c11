//! Indexing throughput, index size, memory and query latency at scale.
//!
//! ```text
//! cargo bench -p search-index --bench scale -- 100000            # documents (default 100000)
//! cargo bench -p search-index --bench scale -- 1000000 --threads 2 --heap-mb 512 --dir /tmp/idx
//! cargo bench -p search-index --bench scale -- 1000000 --dir /tmp/idx --reuse   # queries only
//! ```
//!
//! `--only <text>` runs only the queries whose label contains the text. `--reuse` keeps an index left in `--dir` by an earlier run when it has the current schema
//! and the same number of documents (the generator is deterministic), and only runs the queries.
//!
//! Documents come from the relevance corpus vocabulary (`tests/corpus`), generated on the fly
//! with a fixed seed. Queries run single-threaded against the committed, merged index; each is
//! run 3 times to warm up and then 20 times; latencies include counting all hits, facets over
//! all hits and building the snippets of the first page of 10.

#[path = "../tests/corpus/mod.rs"]
mod corpus;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use search_index::{ArchiveIndex, IndexOptions, IndexState, SearchRequest, SortOrder};

struct Args {
    documents: u64,
    threads: usize,
    heap_mb: usize,
    dir: Option<std::path::PathBuf>,
    reuse: bool,
    only: Option<String>,
}

fn args() -> Args {
    let mut parsed = Args {
        documents: 100_000,
        threads: 2,
        heap_mb: 512,
        dir: None,
        reuse: false,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--threads" => parsed.threads = it.next().and_then(|v| v.parse().ok()).unwrap_or(2),
            "--heap-mb" => parsed.heap_mb = it.next().and_then(|v| v.parse().ok()).unwrap_or(512),
            "--dir" => parsed.dir = it.next().map(Into::into),
            "--reuse" => parsed.reuse = true,
            "--only" => parsed.only = it.next(),
            other if other.starts_with("--") => {} // `--bench` from cargo
            number => {
                if let Ok(n) = number.replace('_', "").parse() {
                    parsed.documents = n;
                }
            }
        }
    }
    parsed
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let args = args();
    let temp = tempfile::tempdir().expect("a temporary directory");
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| temp.path().join("index"));
    let options = IndexOptions {
        writer_threads: args.threads,
        writer_heap_bytes: args.heap_mb << 20,
        ..IndexOptions::default()
    };
    let reused = if args.reuse {
        ArchiveIndex::open_or_create_with(&dir, options)
            .ok()
            .filter(|index| index.state() == IndexState::Current)
            .filter(|index| index.document_count().ok() == Some(args.documents))
    } else {
        None
    };
    let index = match reused {
        Some(index) => {
            println!(
                "reusing the index of {} documents in {}",
                args.documents,
                dir.display()
            );
            index
        }
        None => build(&args, &dir, options),
    };
    let all = corpus::all_agency_ids();
    let req = |text: &str| SearchRequest {
        text: text.to_string(),
        allowed_agencies: all.clone(),
        page: 1,
        page_size: 10,
        ..SearchRequest::default()
    };
    let queries: Vec<(&str, SearchRequest)> = vec![
        ("cai cach hanh chinh", req("cai cach hanh chinh")),
        (
            "cải cách hành chính năm 2026",
            req("cải cách hành chính năm 2026"),
        ),
        ("phong chong tham nhung", req("phong chong tham nhung")),
        ("an toàn thực phẩm", req("an toàn thực phẩm")),
        ("thuỷ lợi", req("thuỷ lợi")),
        ("tuyen sinh lop 10", req("tuyen sinh lop 10")),
        ("\"chữ ký số\"", req("\"chữ ký số\"")),
        (
            "\"giấy chứng nhận quyền sử dụng đất\"",
            req("\"giấy chứng nhận quyền sử dụng đất\""),
        ),
        ("Số: 15/QĐ-UBND", req("Số: 15/QĐ-UBND")),
        ("so 123 kh snv", req("so 123 kh snv")),
        (
            "ke hoach (1 agency)",
            SearchRequest {
                allowed_agencies: vec![all[1].clone()],
                ..req("ke hoach")
            },
        ),
        (
            "ngan sach + type + 2024",
            SearchRequest {
                document_type: Some("quyet_dinh".into()),
                from: NaiveDate::from_ymd_opt(2024, 1, 1),
                to: NaiveDate::from_ymd_opt(2024, 12, 31),
                ..req("ngan sach")
            },
        ),
        (
            "bao cao, newest first",
            SearchRequest {
                sort: SortOrder::Newest,
                ..req("bao cao")
            },
        ),
        (
            "(empty) chi_thi, newest",
            SearchRequest {
                document_type: Some("chi_thi".into()),
                ..req("")
            },
        ),
        (
            "(empty) all, page 50",
            SearchRequest {
                page: 50,
                ..req("")
            },
        ),
    ];
    println!();
    println!("| query | hits | exact | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    let mut all_latencies = Vec::new();
    for (label, request) in &queries {
        if args
            .only
            .as_ref()
            .is_some_and(|only| !label.contains(only.as_str()))
        {
            continue;
        }
        let mut latencies = Vec::new();
        let mut total = 0;
        let mut exact = true;
        for round in 0..23 {
            let started = Instant::now();
            let results = index.search(request).expect("search");
            let elapsed = started.elapsed();
            total = results.total;
            exact = results.total_is_exact;
            if round >= 3 {
                latencies.push(elapsed);
            }
        }
        latencies.sort();
        println!(
            "| {label} | {total} | {} | {:.1} | {:.1} |",
            if exact { "yes" } else { "≈" },
            ms(percentile(&latencies, 0.5)),
            ms(percentile(&latencies, 0.99))
        );
        all_latencies.extend(latencies);
    }
    all_latencies.sort();
    println!(
        "| **all queries** | | | **{:.1}** | **{:.1}** |",
        ms(percentile(&all_latencies, 0.5)),
        ms(percentile(&all_latencies, 0.99))
    );
    println!();
    println!("peak RSS at the end: {:.0} MB", peak_rss_mb());
}

fn build(args: &Args, dir: &std::path::Path, options: IndexOptions) -> ArchiveIndex {
    let _ = std::fs::remove_dir_all(dir);
    let index = ArchiveIndex::open_or_create_with(dir, options).expect("open the index");

    println!(
        "indexing {} documents ({} writer threads, {} MB heap) into {}",
        args.documents,
        args.threads,
        args.heap_mb,
        dir.display()
    );
    let mut text_bytes = 0u64;
    let documents = corpus::synthetic(args.documents, 42).inspect(|d| {
        text_bytes += (d.subject.len() + d.body.len()) as u64;
    });
    let started = Instant::now();
    let indexed = index
        .rebuild(documents, &mut |n| {
            if n % 100_000 == 0 {
                eprintln!("  {n} documents, {:.0} s", started.elapsed().as_secs_f64());
            }
        })
        .expect("rebuild");
    let indexing = started.elapsed();
    index.wait_for_merges().expect("merges");
    let with_merges = started.elapsed();
    let stats = index.stats().expect("stats");

    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!("| documents | {indexed} |");
    println!(
        "| text indexed (subject + body) | {:.1} MB |",
        text_bytes as f64 / 1e6
    );
    println!(
        "| indexing (rebuild, committed) | {:.1} s = {:.0} docs/s, {:.1} MB/s |",
        indexing.as_secs_f64(),
        indexed as f64 / indexing.as_secs_f64(),
        text_bytes as f64 / 1e6 / indexing.as_secs_f64()
    );
    println!("| until merges done | {:.1} s |", with_merges.as_secs_f64());
    println!(
        "| index size | {:.1} MB in {} segments ({:.2} × the text) |",
        stats.bytes_on_disk as f64 / 1e6,
        stats.segments,
        stats.bytes_on_disk as f64 / text_bytes.max(1) as f64
    );
    println!("| peak RSS while indexing | {:.0} MB |", peak_rss_mb());

    index
}
