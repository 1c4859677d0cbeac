//! Per-request records through the loader: with `with_requests`, every `profile_export.jsonl`
//! of the run's aiperf artifact directories is streamed into `BenchmarkRun::requests` (warm-up
//! directory excluded, concurrency from the sibling export), problems become warnings naming
//! the file; without it, nothing is read. The JSON document does not carry the records.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::fs;
use std::path::{Path, PathBuf};

use srtlog_loader::{CacheMode, LoaderOptions, RunLoader};
use srtlog_model::{RequestPhase, RequestRecord};

use crate::common::{copy_tree, testdata};

const ARTIFACT: &str = "logs/artifacts/Qwen3-32B_synthetic_20251001_101500";

/// Run 5121 of testdata (mooncake-router, export says `loadgen.concurrency` 32) with request
/// files written here: two requests in the measured directory (the second a warm-up one), a
/// malformed line and a cut last line; one request in `warmup/`, which must not be read.
fn run_with_requests() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("5121");
    copy_tree(&testdata("runs/5121"), &run);
    let lines = [
        r#"{"metadata":{"request_start_ns":1759310100000000000,"request_ack_ns":1759310100010000000,"request_end_ns":1759310102000000000,"benchmark_phase":"profiling","was_cancelled":false},"metrics":{"time_to_first_token":{"value":120.5,"unit":"ms"},"request_latency":{"value":2000.0,"unit":"ms"},"inter_chunk_latency":{"value":[10.0,11.0],"unit":"ms"},"output_token_count":{"value":97,"unit":"tokens"}},"error":null}"#,
        r#"{"metadata":{"request_start_ns":1759310099000000000,"request_end_ns":1759310099500000000,"benchmark_phase":"warmup","was_cancelled":false},"metrics":{"time_to_first_token":{"value":300.0,"unit":"ms"}},"error":null}"#,
        "{not json",
        r#"{"metadata":{"request_start_ns":17593101"#,
    ];
    fs::write(run.join(ARTIFACT).join("profile_export.jsonl"), lines.join("\n")).unwrap();
    fs::create_dir_all(run.join("logs/artifacts/warmup")).unwrap();
    fs::write(run.join("logs/artifacts/warmup/profile_export.jsonl"), format!("{}\n", lines[1])).unwrap();
    (tmp, run)
}

fn load(run: &Path, with_requests: bool) -> srtlog_model::BenchmarkRun {
    let options = LoaderOptions {
        cache: CacheMode::Disabled,
        with_nodes: false,
        with_requests,
        ..LoaderOptions::default()
    };
    let mut report = RunLoader::with_options(run, options).unwrap().load_all();
    assert_eq!(report.runs.len(), 1, "skipped: {:?}", report.skipped);
    report.runs.remove(0)
}

#[test]
fn requests_are_streamed_into_the_run_when_asked() {
    let (_tmp, run) = run_with_requests();
    let loaded = load(&run, true);
    assert_eq!(loaded.requests.len(), 2, "{:?}", loaded.requests);
    assert_eq!(
        loaded.requests[0],
        RequestRecord {
            concurrency: Some(32),
            start_ns: Some(1759310100000000000),
            ack_ns: Some(1759310100010000000),
            end_ns: Some(1759310102000000000),
            phase: Some(RequestPhase::Profiling),
            ttft_ms: Some(120.5),
            request_latency_ms: Some(2000.0),
            output_tokens: Some(97),
            was_cancelled: Some(false),
            ..Default::default()
        }
    );
    assert_eq!(loaded.requests[1].phase, Some(RequestPhase::Warmup));
    let file = format!("{ARTIFACT}/profile_export.jsonl");
    let w = &loaded.profiler.warnings;
    assert!(w.iter().any(|m| m.starts_with(&format!("{file}:3: not a request record"))), "{w:?}");
    assert!(w.iter().any(|m| m.starts_with(&format!("{file}:4: last line cut short"))), "{w:?}");
    // The records are not part of the JSON document.
    let json = serde_json::to_value(&loaded).unwrap();
    assert!(json.get("requests").is_none());
}

#[test]
fn requests_are_cached_as_their_own_part_and_a_changed_file_is_read_again() {
    let (_tmp, run) = run_with_requests();
    let options =
        |cache| LoaderOptions { cache, with_nodes: false, with_requests: true, ..LoaderOptions::default() };
    let load = |cache| RunLoader::with_options(&run, options(cache)).unwrap().load_all();
    let cold = load(CacheMode::InRunDir);
    assert!(run.join("cached_assets/requests.parquet").is_file());
    let warm = load(CacheMode::InRunDir);
    assert_eq!(warm.runs[0].requests, cold.runs[0].requests);
    assert_eq!(warm.runs[0].profiler.warnings, cold.runs[0].profiler.warnings);
    assert_eq!(warm.cache.hits, 2, "results and requests from the cache: {:?}", warm.cache);
    // One request less: the part is stale and the file is read again.
    let path = run.join(ARTIFACT).join("profile_export.jsonl");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.lines().skip(1).collect::<Vec<_>>().join("\n")).unwrap();
    let touched = load(CacheMode::InRunDir);
    assert_eq!(touched.runs[0].requests.len(), 1);
    assert_eq!(touched.runs[0].requests[0].phase, Some(RequestPhase::Warmup));
}

#[test]
fn requests_are_not_read_by_default() {
    let (_tmp, run) = run_with_requests();
    let loaded = load(&run, false);
    assert!(loaded.requests.is_empty());
    assert!(!loaded.profiler.warnings.iter().any(|m| m.contains("profile_export.jsonl")));
}
