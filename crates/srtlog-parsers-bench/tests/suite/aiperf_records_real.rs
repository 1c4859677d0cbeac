//! The per-request reader on aiperf's real `profile_export.jsonl` files (`../shared/real/`, see
//! its MANIFEST.md): counts, the first successful record read off by hand, and statistics
//! recomputed from the records against the sibling `profile_export_aiperf.json`.
//!
//! Tolerance: the recomputation sums in a different order from numpy, so means and standard
//! deviations may differ in the last bits; percentiles come from the same sorted values and
//! the same interpolation. A relative 1e-9 is many orders above that rounding and many below
//! any real disagreement (a different percentile method moves p99 of 89 values by whole ms).

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use serde_json::Value;
use srtlog_model::{RequestError, RequestPhase, RequestRecord};
use srtlog_parsers_bench::aiperf_records::{read_records, recompute_stats, MetricStats, ReadStats};

fn real(rel: &str) -> PathBuf {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/real/files")).join(rel);
    assert!(
        p.is_file(),
        "real aiperf file missing: {} (the shared/real directory must be beside the repository)",
        p.display()
    );
    p
}

fn read(dir: &str, concurrency: Option<u32>) -> (Vec<RequestRecord>, ReadStats) {
    let path = real(&format!("{dir}/profile_export.jsonl"));
    let mut out = Vec::new();
    let stats = read_records(BufReader::new(File::open(&path).unwrap()), dir, concurrency, &mut out);
    (out, stats)
}

fn export(dir: &str) -> Value {
    serde_json::from_reader(File::open(real(&format!("{dir}/profile_export_aiperf.json"))).unwrap()).unwrap()
}

fn close(what: &str, got: f64, want: f64) {
    let tol = 1e-9 * want.abs().max(1.0);
    assert!((got - want).abs() <= tol, "{what}: recomputed {got}, export {want}");
}

/// Every statistic the export block `block` has, against `stats`.
fn agrees(tag: &str, stats: &MetricStats, block: &Value) {
    let mut compared = 0;
    for (key, want) in block.as_object().unwrap() {
        let Some(want) = want.as_f64() else { continue };
        let got = match key.as_str() {
            "avg" => stats.avg,
            "min" => stats.min,
            "max" => stats.max,
            "std" => stats.std,
            "count" => stats.count as f64,
            k if k.starts_with('p') => match k[1..].parse::<u8>().ok().and_then(|p| stats.p(p)) {
                Some(v) => v,
                None => continue,
            },
            _ => continue,
        };
        close(&format!("{tag}.{key}"), got, want);
        compared += 1;
    }
    assert!(compared >= 12, "{tag}: only {compared} statistics compared");
}

#[test]
fn old_layout_examples_run1() {
    let dir = "aiperf-examples-run1";
    let (recs, stats) = read(dir, Some(100));
    assert_eq!(stats, ReadStats { records: 100, errors: 11, ..Default::default() });
    // Line 1 is a cancelled request: error only, start from metadata.timestamp_ns, no end.
    assert_eq!(recs[0].start_ns, Some(1759522419154829652));
    assert_eq!(recs[0].end_ns, None);
    assert_eq!(
        recs[0].error,
        Some(RequestError { code: Some(499), error_type: Some("RequestCancellationError".into()) })
    );
    assert_eq!((recs[0].ttft_ms, recs[0].input_tokens, recs[0].was_cancelled), (None, None, None));
    // The first successful record, read off by hand.
    let ok = recs.iter().find(|r| r.error.is_none()).unwrap();
    let want = RequestRecord {
        concurrency: Some(100),
        start_ns: Some(1759522419159192408),
        ack_ns: None,
        end_ns: Some(1759522427096160677),
        phase: Some(RequestPhase::Profiling),
        ttft_ms: Some(1680.543782),
        ttst_ms: Some(134.440792),
        ttfo_ms: None,
        request_latency_ms: Some(7936.968269),
        inter_token_latency_ms: Some(32.585544203124996),
        input_tokens: Some(550),
        output_tokens: Some(61),
        reasoning_tokens: Some(132),
        output_sequence_length: Some(193),
        prefill_tps: None,
        error: None,
        was_cancelled: None,
    };
    assert_eq!(*ok, want);
    // Statistics against the export's `records` block.
    let ex = export(dir);
    let rec = &ex["records"];
    let points = recompute_stats(&recs);
    assert_eq!(points.len(), 1);
    let p = &points[0];
    assert_eq!(p.concurrency, Some(100));
    assert_eq!(p.requests as f64, rec["request_count"]["avg"].as_f64().unwrap());
    assert_eq!(p.errors as f64, rec["error_request_count"]["avg"].as_f64().unwrap());
    agrees("ttft", p.ttft_ms.as_ref().unwrap(), &rec["ttft"]);
    agrees("request_latency", p.request_latency_ms.as_ref().unwrap(), &rec["request_latency"]);
    agrees("inter_token_latency", p.inter_token_latency_ms.as_ref().unwrap(), &rec["inter_token_latency"]);
    assert!(p.ttfo_ms.is_none(), "the old layout has no time_to_first_output_token");
    // The window's start is the export's min_request_timestamp (an f64 of epoch ns: ~256 ns apart).
    let (start, end) = p.window_ns.unwrap();
    assert!((start as f64 - rec["min_request_timestamp"]["avg"].as_f64().unwrap()).abs() < 1e3);
    assert!((end as f64 - rec["max_response_timestamp"]["avg"].as_f64().unwrap()).abs() < 1e3);
}

/// The plot fixtures keep only their run's first 10 of 64 requests (aiperf's own test data was
/// trimmed), so the export's percentiles cannot be reproduced from them; what must still hold:
/// the first record's values, the window's start, and every value inside the export's range.
fn new_layout(dir: &str, conc: u32, first: RequestRecord) {
    let (recs, stats) = read(dir, Some(conc));
    assert_eq!(stats, ReadStats { records: 10, ..Default::default() });
    assert_eq!(recs[0], first);
    let ex = export(dir);
    assert_eq!(ex["input_config"]["loadgen"]["concurrency"].as_u64(), Some(u64::from(conc)));
    assert_eq!(ex["request_count"]["avg"].as_f64(), Some(64.0), "{dir}: the export's request count");
    let p = &recompute_stats(&recs)[0];
    assert_eq!((p.concurrency, p.requests, p.errors), (Some(conc), 10, 0));
    let start = p.window_ns.unwrap().0 as f64;
    assert!(
        (start - ex["min_request_timestamp"]["avg"].as_f64().unwrap()).abs() < 1e3,
        "{dir}: window start"
    );
    for (tag, s) in [
        ("time_to_first_token", &p.ttft_ms),
        ("time_to_first_output_token", &p.ttfo_ms),
        ("request_latency", &p.request_latency_ms),
        ("inter_token_latency", &p.inter_token_latency_ms),
    ] {
        let s = s.as_ref().unwrap();
        assert_eq!(s.count, 10);
        assert!(
            s.min >= ex[tag]["min"].as_f64().unwrap() && s.max <= ex[tag]["max"].as_f64().unwrap(),
            "{dir}: {tag} outside the export's range"
        );
    }
}

/// The first record of a qwen fixture (ISL 100, OSL 200, no reasoning): `[start, ack, end]` in
/// ns and `[ttft, ttst, latency, itl, prefill]`, read off the file by hand.
fn qwen_first(
    conc: u32,
    [start, ack, end]: [i64; 3],
    [ttft, ttst, lat, itl, prefill]: [f64; 5],
) -> RequestRecord {
    RequestRecord {
        concurrency: Some(conc),
        start_ns: Some(start),
        ack_ns: Some(ack),
        end_ns: Some(end),
        phase: Some(RequestPhase::Profiling),
        ttft_ms: Some(ttft),
        ttst_ms: Some(ttst),
        ttfo_ms: Some(ttft),
        request_latency_ms: Some(lat),
        inter_token_latency_ms: Some(itl),
        input_tokens: Some(100),
        output_tokens: Some(200),
        reasoning_tokens: None,
        output_sequence_length: Some(200),
        prefill_tps: Some(prefill),
        error: None,
        was_cancelled: Some(false),
    }
}

#[test]
fn new_layout_qwen_concurrency1() {
    new_layout(
        "aiperf-plot-fixtures/qwen_concurrency1",
        1,
        qwen_first(
            1,
            [1762551534797067827, 1762551534807258440, 1762551538441354976],
            [31.742933999999998, 17.868007, 3644.2601019999997, 18.153352603015076, 3150.30740384616],
        ),
    );
}

#[test]
fn new_layout_qwen_concurrency2() {
    new_layout(
        "aiperf-plot-fixtures/qwen_concurrency2",
        2,
        qwen_first(
            2,
            [1762551801663056063, 1762551801677383740, 1762551805495747766],
            [38.007808, 22.017208999999998, 3832.648178, 19.06854457286432, 2631.038338227766],
        ),
    );
}

#[test]
fn new_layout_qwen_concurrency4() {
    new_layout(
        "aiperf-plot-fixtures/qwen_concurrency2/qwen_concurrency4",
        4,
        qwen_first(
            4,
            [1762551940061660356, 1762551940087732954, 1762551943823650530],
            [49.080771999999996, 22.008709, 3761.9593109999996, 18.65768110050251, 2037.4577645192703],
        ),
    );
}
