//! `testdata/bad-runs`: only runs that are not runs (no or unreadable metadata) are skipped,
//! with the right kind and a reason that names the file at fault; every other bad run loads,
//! empty of results, with a warning of the kind that used to skip it.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use srtlog_loader::{CacheMode, LoaderOptions, RunLoader};

use crate::common::testdata;

#[test]
fn skipped_runs_and_warned_runs_table() {
    let options = LoaderOptions { cache: CacheMode::Disabled, ..LoaderOptions::default() };
    let loader = RunLoader::with_options(testdata("bad-runs"), options).unwrap();
    let report = loader.load_all();
    let table: Vec<(String, &str)> =
        report.skipped.iter().map(|s| (s.job_id.clone().unwrap_or_default(), s.kind.as_str())).collect();
    assert_eq!(table, [("1002".to_owned(), "invalid_metadata"), ("1001".to_owned(), "no_metadata")]);
    for (job, needle) in [("1002", "1002.json"), ("1001", "1001")] {
        let s = report.skipped.iter().find(|s| s.job_id.as_deref() == Some(job)).unwrap();
        assert!(s.reason.contains(needle), "reason for {job} should mention {needle}: {}", s.reason);
    }

    // Each loaded bad run: its warning kinds (besides `missing_workers`: none of them has worker
    // logs) and what the first one names.
    let expected = [
        ("1007", vec!["invalid_results"], "results_concurrency_8_gpus_16_ctx_1_gen_1.json"),
        ("1006", vec!["unsupported_benchmark"], "\"gpqa\" has no parser"),
        ("1005", vec!["invalid_config", "no_results"], "config.yaml"),
        ("1004", vec!["no_results"], "1004"),
        ("1003", vec!["profiling_job"], "torch-profiler"),
    ];
    let loaded: Vec<&str> = report.runs.iter().map(|r| r.metadata.job_id.as_str()).collect();
    assert_eq!(loaded, expected.iter().map(|(j, _, _)| *j).collect::<Vec<_>>());
    for (job, kinds, needle) in expected {
        let run = report.runs.iter().find(|r| r.metadata.job_id == job).unwrap();
        let got: Vec<&str> =
            run.warnings.iter().map(|w| w.kind.as_str()).filter(|k| *k != "missing_workers").collect();
        assert_eq!(got, kinds, "{job}: {:#?}", run.warnings);
        assert!(run.warnings[0].message.contains(needle), "{job}: {}", run.warnings[0].message);
        assert!(run.profiler.points.is_empty() && !run.is_complete, "{job}");
        assert_eq!(run.metadata.backend_type.as_deref(), Some("sglang"), "{job}: the metadata is read");
    }
    // The benchmark type without a parser is named in plain words.
    let gpqa = report.runs.iter().find(|r| r.metadata.job_id == "1006").unwrap();
    assert!(
        gpqa.warnings[0].message.contains("no parser recognises")
            && gpqa.warnings[0].message.ends_with("benchmark.out: no results read"),
        "{}",
        gpqa.warnings[0].message
    );
    // The config that is not YAML leaves the run to its metadata: the metadata's ISL is there.
    let bad_config = report.runs.iter().find(|r| r.metadata.job_id == "1005").unwrap();
    assert_eq!(bad_config.profiler_metadata.isl, Some(1024));
}
