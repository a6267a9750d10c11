//! Counting a plan's matches: all of them, up to a limit, or a stratified sample.

use tantivy::Searcher;

use super::*;

/// Counts the matches of a plan and feeds each counted document to `visit` with its weight,
/// in one stratified pass: each segment's doc-id space is cut into `stripes` stripes and each
/// stripe gives its share of `limit`. A stripe with fewer matches than its share is counted
/// whole (weight 1); past its share, its first matches stand for the whole stripe (weight =
/// stripe length / part read). Returns (count or estimate, exact): exact when no stripe was
/// cut short, which is always the case for up to `limit / stripes` matches per stripe.
pub(crate) fn count(
    searcher: &Searcher,
    weights: &PlanWeights<'_>,
    limit: u64,
    stripes: u32,
    mut visit: impl FnMut(u32, &SegmentReader, DocId, f64),
) -> Result<(u64, bool), IndexError> {
    let (mut counted, mut estimate, mut exact) = (0u64, 0.0f64, true);
    for part in in_parallel(searcher, |segments| {
        count_in(searcher, weights, segments, limit, stripes)
    }) {
        let part = part?;
        counted += part.counted;
        estimate += part.estimate;
        exact &= part.exact;
        for (ord, doc, weight) in part.visits {
            visit(ord, searcher.segment_reader(ord), doc, weight);
        }
    }
    if exact {
        Ok((counted, true))
    } else {
        Ok(((estimate.round() as u64).max(counted + 1), false))
    }
}

struct CountPart {
    counted: u64,
    estimate: f64,
    exact: bool,
    visits: Vec<(u32, DocId, f64)>,
}

fn count_in(
    searcher: &Searcher,
    weights: &PlanWeights<'_>,
    segments: &[usize],
    limit: u64,
    stripes: u32,
) -> Result<CountPart, IndexError> {
    let all_docs: u64 = searcher
        .segment_readers()
        .iter()
        .map(|s| u64::from(s.max_doc()))
        .sum();
    let mut visits = Vec::new();
    let mut exact = true;
    let mut counted = 0u64;
    let mut estimate = 0.0f64;
    let mut buffer = Vec::new();
    for &ord in segments {
        let segment = searcher.segment_reader(ord as u32);
        let max_doc = segment.max_doc();
        if max_doc == 0 {
            continue;
        }
        let stripes = stripes.min(max_doc);
        let share = limit as f64 * f64::from(max_doc) / all_docs.max(1) as f64;
        let quota = ((share / f64::from(stripes)).ceil().min(usize::MAX as f64) as usize).max(16);
        let mut matcher = weights.segment(segment)?;
        for stripe in 0..stripes {
            let bound = |i: u32| (u64::from(max_doc) * u64::from(i) / u64::from(stripes)) as DocId;
            let (start, end) = (bound(stripe), bound(stripe + 1));
            buffer.clear();
            let mut covered_end = end;
            let mut doc = matcher.next_candidate(start);
            while doc < end {
                match matcher.check(doc) {
                    Ok(()) => {
                        buffer.push(doc);
                        if buffer.len() == quota {
                            covered_end = doc + 1;
                            break;
                        }
                        doc = matcher.next_candidate(doc + 1);
                    }
                    Err(next) => doc = matcher.next_candidate(next.max(doc + 1)),
                }
            }
            if covered_end < end {
                // Cut short: is there another match in the rest of the stripe?
                let mut rest = matcher.next_candidate(covered_end);
                while rest < end {
                    match matcher.check(rest) {
                        Ok(()) => break,
                        Err(next) => rest = matcher.next_candidate(next.max(rest + 1)),
                    }
                }
                if rest < end {
                    exact = false;
                } else {
                    covered_end = end;
                }
            }
            let scale = f64::from(end - start) / f64::from(covered_end - start);
            counted += buffer.len() as u64;
            estimate += buffer.len() as f64 * scale;
            visits.extend(buffer.iter().map(|&doc| (ord as u32, doc, scale)));
        }
    }
    Ok(CountPart {
        counted,
        estimate,
        exact,
        visits,
    })
}
