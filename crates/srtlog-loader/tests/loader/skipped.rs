//! Every bad run directory under `testdata/bad-runs` is skipped with the right kind and a
//! reason that names the file at fault.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::PathBuf;

use srtlog_loader::{CacheMode, LoaderOptions, RunLoader};

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(name)
}

#[test]
fn skipped_runs_table() {
    let options = LoaderOptions { cache: CacheMode::Disabled, ..LoaderOptions::default() };
    let loader = RunLoader::with_options(testdata("bad-runs"), options).unwrap();
    let report = loader.load_all();
    assert!(
        report.runs.is_empty(),
        "no bad run may load: {:?}",
        report.runs.iter().map(|r| &r.metadata.job_id).collect::<Vec<_>>()
    );
    let table: Vec<(String, &str)> =
        report.skipped.iter().map(|s| (s.job_id.clone().unwrap_or_default(), s.kind.as_str())).collect();
    let expected = [
        ("1007", "invalid_results"),
        ("1006", "unsupported_benchmark"),
        ("1005", "invalid_config"),
        ("1004", "no_results"),
        ("1003", "profiling_job"),
        ("1002", "invalid_metadata"),
        ("1001", "no_metadata"),
    ];
    assert_eq!(table, expected.iter().map(|(j, k)| (j.to_string(), *k)).collect::<Vec<_>>());
    // Each reason names the file (or directory) at fault.
    let reason_mentions = [
        ("1007", "results_concurrency_8_gpus_16_ctx_1_gen_1.json"),
        ("1006", "gpqa"),
        ("1005", "config.yaml"),
        ("1004", "1004"),
        ("1003", "torch-profiler"),
        ("1002", "1002.json"),
        ("1001", "1001"),
    ];
    for (job, needle) in reason_mentions {
        let s = report.skipped.iter().find(|s| s.job_id.as_deref() == Some(job)).unwrap();
        assert!(s.reason.contains(needle), "reason for {job} should mention {needle}: {}", s.reason);
    }
}
