//! Hostile run directories: crashed jobs, half-synced copies, hand edits. Each must give a
//! skipped entry (unreadable metadata), a run warning (unreadable results or config) or a
//! counted diagnostic that names the file — never a panic, a hang or
//! unbounded memory — and must not stop the other runs.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use srtlog_loader::model::{BenchmarkRun, SkippedRun};
use srtlog_loader::{CacheMode, LoadReport, LoaderOptions, RunLoader};

const V2_SGLANG: &str = r#"{"version": "2.0", "job_id": "JOB", "job_name": "hostile",
 "generated_at": "2026-01-02 03:04:05", "model": {"path": "/model", "container": "dynamo-sglang"},
 "resources": {"gpu_type": "h100", "gpus_per_node": 8, "prefill_nodes": 1, "decode_nodes": 1,
               "prefill_workers": 1, "decode_workers": 1},
 "backend_type": "sglang", "benchmark": {"type": "sa-bench", "isl": 1024, "osl": 1024}}"#;

fn result_json(concurrency: u32, output_tps: &str, extra: &str) -> String {
    format!(
        r#"{{"date": "20260102-031500", "backend": "dynamo", "model_id": "/model", "num_prompts": 80, "request_rate": "inf", "burstiness": 1.0, "max_concurrency": {concurrency}, "duration": 61.2, "completed": 80, "total_input_tokens": 81920, "total_output_tokens": 81920, "request_throughput": 1.3, "output_throughput": {output_tps}, "total_token_throughput": 2677.1, "ttfts": [0.1, 0.2], "itls": [[0.01], [0.02]], "mean_ttft_ms": 150.0, "median_ttft_ms": 140.0, "std_ttft_ms": NaN, "p99_ttft_ms": 300.0, "mean_tpot_ms": 12.5{extra}}}"#
    )
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn make_run(root: &Path, dir: &str, job: &str) -> std::path::PathBuf {
    let run = root.join(dir);
    write(&run.join(format!("{job}.json")), V2_SGLANG.replace("JOB", job));
    run
}

fn results_dir(run: &Path) -> std::path::PathBuf {
    run.join("logs/sa-bench_isl_1024_osl_1024")
}

fn load(root: &Path) -> LoadReport {
    let options = LoaderOptions { cache: CacheMode::Disabled, ..LoaderOptions::default() };
    RunLoader::with_options(root, options).unwrap().load_all()
}

fn run<'a>(report: &'a LoadReport, job: &str) -> &'a BenchmarkRun {
    report.runs.iter().find(|r| r.metadata.job_id == job).unwrap_or_else(|| {
        panic!(
            "run {job} not loaded; skipped: {:#?}",
            report.skipped.iter().find(|s| s.job_id.as_deref() == Some(job))
        )
    })
}

fn skipped<'a>(report: &'a LoadReport, job: &str) -> &'a SkippedRun {
    report.skipped.iter().find(|s| s.job_id.as_deref() == Some(job)).unwrap_or_else(|| {
        panic!(
            "run {job} not skipped; runs: {:?}",
            report.runs.iter().map(|r| &r.metadata.job_id).collect::<Vec<_>>()
        )
    })
}

#[test]
fn bad_metadata_and_results_are_skipped_with_the_file_named() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // A good run among the bad ones must still load.
    let good = make_run(root, "3000", "3000");
    write(&results_dir(&good).join("results_concurrency_8_gpus_16.json"), result_json(8, "1000.5", ""));

    write(&root.join("3001/3001.json"), "");
    write(&root.join("3002/3002.json"), b"\x00\x01\xff garbage \xfe");
    write(&root.join("3003/3003.json"), r#"{"job_id": "3003", "resources": "lots"}"#);
    write(&root.join("3004/3004.json"), r#"["not", "an", "object"]"#);
    write(
        &root.join("3005/3005.json"),
        r#"{"version": "1.0", "run_metadata": {"slurm_job_id": "3005", "mode": "sideways"}}"#,
    );
    // Every result file broken in another way: truncated, wrong-typed, empty, not JSON.
    let r = make_run(root, "3006", "3006");
    write(&results_dir(&r).join("results_concurrency_4_gpus_16.json"), &result_json(4, "1", "")[..120]);
    write(&results_dir(&r).join("results_concurrency_8_gpus_16.json"), result_json(8, "\"fast\"", ""));
    write(&results_dir(&r).join("results_concurrency_16_gpus_16.json"), "");
    write(&results_dir(&r).join("results_concurrency_32_gpus_16.json"), b"\x89PNG\r\n");
    // Empty logs/ and a zero-byte benchmark.out.
    let r = make_run(root, "3007", "3007");
    write(&r.join("logs/benchmark.out"), "");

    let report = load(root);
    assert_eq!(run(&report, "3000").profiler.points.len(), 1);
    for (job, kind, needle) in [
        ("3001", "invalid_metadata", "3001.json"),
        ("3002", "invalid_metadata", "3002.json"),
        ("3003", "invalid_metadata", "`resources` is not an object"),
        ("3004", "invalid_metadata", "not a JSON object"),
        ("3005", "invalid_metadata", "sideways"),
    ] {
        let s = skipped(&report, job);
        assert_eq!(s.kind.as_str(), kind, "{job}: {}", s.reason);
        assert!(s.reason.contains(needle), "{job}: reason should mention {needle:?}: {}", s.reason);
    }
    // Results that cannot be read leave the run loaded, empty, with a warning that says why.
    for (job, kind, needle) in
        [("3006", "invalid_results", "results_concurrency_"), ("3007", "no_results", "3007")]
    {
        let w = warning(run(&report, job), kind);
        assert!(w.message.contains(needle), "{job}: warning should mention {needle:?}: {}", w.message);
        assert!(run(&report, job).profiler.points.is_empty());
    }
}

fn warning<'a>(run: &'a BenchmarkRun, kind: &str) -> &'a srtlog_loader::model::RunWarning {
    run.warnings
        .iter()
        .find(|w| w.kind.as_str() == kind)
        .unwrap_or_else(|| panic!("run {} has no {kind} warning: {:#?}", run.metadata.job_id, run.warnings))
}

#[test]
fn non_finite_values_duplicates_and_partial_damage_keep_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let r = make_run(tmp.path(), "3100", "3100");
    let dir = results_dir(&r);
    write(
        &dir.join("results_concurrency_4_gpus_16.json"),
        result_json(4, "Infinity", r#", "p99_tpot_ms": -Infinity"#),
    );
    write(&dir.join("results_concurrency_8_gpus_16.json"), result_json(8, "800.0", ""));
    write(&dir.join("results_concurrency_8_gpus_16_rerun.json"), result_json(8, "810.0", ""));
    write(&dir.join("results_concurrency_16_gpus_16.json"), &result_json(16, "1", "")[..60]);
    let report = load(tmp.path());
    let run = run(&report, "3100");
    let concurrencies: Vec<_> = run.profiler.points.iter().map(|p| p.concurrency).collect();
    assert_eq!(concurrencies, [Some(4), Some(8)], "one point per concurrency, the damaged file left out");
    let c4 = &run.profiler.points[0];
    assert_eq!(
        (c4.output_tps, c4.std_ttft_ms, c4.p99_tpot_ms),
        (None, None, None),
        "non-finite values are unknown"
    );
    let warnings = run.profiler.warnings.join("\n");
    assert!(warnings.contains("results_concurrency_16_gpus_16.json"), "{warnings}");
    assert!(warnings.contains("8"), "the duplicate concurrency is reported: {warnings}");
}

#[test]
fn hostile_worker_logs_are_parsed_as_far_as_they_go() {
    let tmp = tempfile::tempdir().unwrap();
    let r = make_run(tmp.path(), "3200", "3200");
    write(&results_dir(&r).join("results_concurrency_8_gpus_16.json"), result_json(8, "1000.5", ""));
    let batch = "[2026-01-02 03:05:00 TP0] Decode batch, #running-req: 3, #token: 300, token usage: 0.01, cuda graph: True, gen throughput (token/s): 100.00, #queue-req: 0, ";
    // Invalid UTF-8, NUL bytes, CRLF line ends, and a log cut mid-line.
    let mut log = Vec::new();
    log.extend_from_slice(format!("{batch}\r\n").as_bytes());
    log.extend_from_slice(b"\xff\xfe\x00\x00 binary noise \x00\n");
    log.extend_from_slice(format!("{batch}\n").as_bytes());
    log.extend_from_slice(b"[2026-01-02 03:05:01 TP0] Decode batch, #running-req: 4, #tok");
    write(&r.join("logs/node-1_decode_w0.out"), &log);
    // A 100 MB line without a newline, then a good line: memory stays bounded by the line cap.
    let path = r.join("logs/node-2_prefill_w0.out");
    let mut f = fs::File::create(&path).unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..100 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(format!("\n{batch}\n").as_bytes()).unwrap();
    drop(f);
    // File names with spaces and non-UTF-8 bytes; a directory where a log is expected.
    write(&r.join("logs/node 3_decode_w1.out"), format!("{batch}\n"));
    write(
        &r.join("logs").join(std::ffi::OsStr::from_bytes(b"node\xff4_decode_w2.out")),
        format!("{batch}\n"),
    );
    fs::create_dir_all(r.join("logs/node-5_decode_w3.out")).unwrap();

    let start = Instant::now();
    let report = load(tmp.path());
    assert!(start.elapsed() < Duration::from_secs(30), "no hang");
    let run = run(&report, "3200");
    let by_name = |name: &str| run.nodes.iter().find(|n| n.metrics.metadata.node_name == name).unwrap();
    let n1 = by_name("node-1");
    assert_eq!(n1.metrics.batches.len(), 2, "the CRLF line and the plain one; the cut line is not a batch");
    assert_eq!(n1.metrics.stats.lines, 4);
    let n2 = by_name("node-2");
    assert_eq!(n2.metrics.stats.truncated_lines, 1, "the 100 MB line is cut at the cap and counted");
    assert_eq!(n2.metrics.batches.len(), 1, "the line after it still parses");
    assert_eq!(by_name("node 3").metrics.batches.len(), 1, "spaces in names are fine");
    assert!(run.nodes.iter().all(|n| n.metrics.metadata.node_name != "node-5"), "a directory is not a log");
}

#[test]
fn yaml_bombs_are_refused_quickly() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // Billion laughs: nine levels of aliases, each referring to the previous one nine times.
    let mut laughs = String::from(
        "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        laughs.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 9].join(", ")));
    }
    laughs.push_str("benchmark: {type: sa-bench, concurrencies: *a9}\n");
    let r = make_run(root, "3300", "3300");
    write(&r.join("config.yaml"), laughs);
    // Deep nesting.
    let r = make_run(root, "3301", "3301");
    write(&r.join("config.yaml"), format!("benchmark: {}{}", "[".repeat(100_000), "]".repeat(100_000)));
    let start = Instant::now();
    let report = load(root);
    assert!(start.elapsed() < Duration::from_secs(10), "bombs must not take long: {:?}", start.elapsed());
    for job in ["3300", "3301"] {
        // Refused, and the run is read from its metadata alone.
        let w = warning(run(&report, job), "invalid_config");
        assert!(w.message.contains("config.yaml"), "{}", w.message);
    }
}

#[test]
fn symlink_loops_and_misplaced_directories_do_not_hang_discovery() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let r = make_run(&root, "3400", "3400");
    write(&results_dir(&r).join("results_concurrency_8_gpus_16.json"), result_json(8, "1000.5", ""));
    std::os::unix::fs::symlink(&root, root.join("loop")).unwrap();
    std::os::unix::fs::symlink(&root, r.join("logs/loop")).unwrap();
    std::os::unix::fs::symlink(root.join("missing"), root.join("dangling")).unwrap();
    // A directory where the metadata file is expected, and where benchmark.out is expected.
    fs::create_dir_all(root.join("3401/3401.json")).unwrap();
    fs::create_dir_all(root.join("3401/logs/benchmark.out")).unwrap();
    let start = Instant::now();
    let report = load(&root);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(run(&report, "3400").profiler.points.len(), 1);
    assert_eq!(report.runs.len(), 1, "the loop does not make the run appear twice");
    assert_eq!(skipped(&report, "3401").kind.as_str(), "no_metadata");
}
