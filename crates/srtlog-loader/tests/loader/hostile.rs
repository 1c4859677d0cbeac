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

/// Runs `f` on a thread; fails the test when it takes longer than `secs` (a regression that
/// hangs must fail, not stall the suite).
fn within<T: Send + 'static>(secs: u64, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs)).unwrap_or_else(|_| panic!("{what} hung for {secs} s"))
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

const BATCH: &str = "[2026-01-02 03:05:00 TP0] Decode batch, #running-req: 3, #token: 300, token usage: 0.01, cuda graph: True, gen throughput (token/s): 100.00, #queue-req: 0, ";

fn load_with(root: &Path, cache: CacheMode) -> LoadReport {
    let options = LoaderOptions { cache, ..LoaderOptions::default() };
    RunLoader::with_options(root, options).unwrap().load_all()
}

#[test]
fn endless_and_blocking_files_are_named_in_a_warning_and_never_read() {
    let tmp = tempfile::tempdir().unwrap();
    let r = make_run(tmp.path(), "3500", "3500");
    write(&results_dir(&r).join("results_concurrency_8_gpus_16.json"), result_json(8, "1000.5", ""));
    write(&r.join("logs/node-1_decode_w0.out"), format!("{BATCH}\n{BATCH}\n"));
    let logs = r.join("logs");
    // Worker logs, a sweep log, a config dump, a result file and benchmark.out that are devices
    // or a FIFO with no writer: each read would never end (or never start).
    let hostile = [
        ("node-2_decode_w1.out", Some("/dev/zero")),
        ("node-3_decode_w2.err", Some("/dev/urandom")),
        ("node-4_decode_w3.out", None),
        ("sweep_3500.log", Some("/dev/zero")),
        ("node-1_config.json", Some("/dev/zero")),
        ("benchmark.out", None),
        ("sa-bench_isl_1024_osl_1024/results_concurrency_16_gpus_16.json", Some("/dev/urandom")),
    ];
    for (name, target) in hostile {
        match target {
            Some(target) => std::os::unix::fs::symlink(target, logs.join(name)).unwrap(),
            None => mkfifo(&logs.join(name)),
        }
    }
    let root = tmp.path().to_path_buf();
    let report = within(60, "loading a tree of devices and FIFOs", move || load(&root));
    let run = run(&report, "3500");
    assert_eq!(run.profiler.points.len(), 1, "the real result file is read");
    assert_eq!(run.nodes.len(), 1, "only the real worker log: {:?}", run.nodes);
    assert_eq!(run.nodes[0].metrics.batches.len(), 2);
    let warnings = report.warnings.join("\n");
    for (name, target) in hostile {
        let what = if target.is_some() { "character device" } else { "FIFO" };
        let named = format!("{} ({what})", logs.join(name).display());
        assert!(warnings.contains(&named), "{named} is not named in the warnings:\n{warnings}");
    }
    assert_eq!(report.warnings.len(), 1, "one warning for the run: {warnings}");
}

#[test]
fn a_log_that_grows_while_it_is_read_is_read_to_its_length_at_open() {
    use std::os::fd::AsRawFd;
    let tmp = tempfile::tempdir().unwrap();
    let r = make_run(tmp.path(), "3600", "3600");
    write(&results_dir(&r).join("results_concurrency_8_gpus_16.json"), result_json(8, "1000.5", ""));
    let path = r.join("logs/node-1_decode_w0.out");
    const AT_OPEN: usize = 100_000;
    write(&path, format!("{BATCH}\n").repeat(AT_OPEN));
    // The job writes on: as soon as the loader has the log open (its descriptor shows in
    // /proc/self/fd), a writer appends as many lines again, long before the parser (which has
    // tens of MB to go) reaches the end. Read to the end of file, they would be parsed too.
    let mut job = fs::OpenOptions::new().append(true).open(&path).unwrap();
    let target = fs::canonicalize(&path).unwrap();
    let writer = std::thread::spawn(move || {
        let own = job.as_raw_fd().to_string();
        let deadline = Instant::now() + Duration::from_secs(60);
        let opened = || {
            fs::read_dir("/proc/self/fd").unwrap().flatten().any(|fd| {
                fd.file_name() != own.as_str() && fs::read_link(fd.path()).is_ok_and(|p| p == target)
            })
        };
        while !opened() {
            assert!(Instant::now() < deadline, "the loader never opened the log");
            std::thread::yield_now();
        }
        job.write_all(format!("{BATCH}\n").repeat(AT_OPEN).as_bytes()).unwrap();
    });
    let root = tmp.path().to_path_buf();
    let report = within(120, "loading a growing log", move || load(&root));
    writer.join().unwrap();
    let node = &run(&report, "3600").nodes[0];
    assert_eq!(node.metrics.batches.len(), AT_OPEN, "only the lines the log held when it was opened");
    assert_eq!(node.metrics.stats.malformed_lines, 0);
    assert_eq!(fs::metadata(&path).unwrap().len() as usize, 2 * AT_OPEN * (BATCH.len() + 1));
}

/// Every entry below `dir` (not following links) with its bytes and modification time.
fn tree(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let meta = fs::symlink_metadata(entry.path()).unwrap();
        let bytes = if meta.is_file() { fs::read(entry.path()).unwrap() } else { vec![] };
        out.push((entry.path().to_path_buf(), bytes, meta.modified().unwrap()));
    }
    out
}

/// A run with results and a worker log, and the JSON of its runs loaded without any cache.
fn run_for_cache_tests(root: &Path, job: &str) -> (std::path::PathBuf, String) {
    let r = make_run(root, job, job);
    write(&results_dir(&r).join("results_concurrency_8_gpus_16.json"), result_json(8, "1000.5", ""));
    write(&r.join("logs/node-1_decode_w0.out"), format!("{BATCH}\n{BATCH}\n"));
    let uncached = serde_json::to_string(&load(root).runs).unwrap();
    (r, uncached)
}

#[test]
fn a_linked_cached_assets_is_refused_with_one_warning_and_nothing_outside_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let (r, uncached) = run_for_cache_tests(&root, "3700");
    // Someone else's directory, with a temporary file old enough to look stale to a cleaner.
    let outside = tmp.path().join("someone-elses");
    write(&outside.join(".node_metrics.parquet.1.0.tmp"), "not srtlog's to remove");
    let long_ago = std::time::SystemTime::now() - Duration::from_secs(24 * 3600);
    fs::File::options()
        .write(true)
        .open(outside.join(".node_metrics.parquet.1.0.tmp"))
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    std::os::unix::fs::symlink(&outside, r.join("cached_assets")).unwrap();
    let before = tree(&outside);
    for _ in 0..2 {
        let report = load_with(&root, CacheMode::InRunDir);
        assert_eq!(
            serde_json::to_string(&report.runs).unwrap(),
            uncached,
            "the results are those of a load without cache"
        );
        assert_eq!(report.cache.writes + report.cache.hits, 0, "{:?}", report.cache);
        let link = r.join("cached_assets");
        assert_eq!(report.warnings.len(), 1, "one warning: {:?}", report.warnings);
        assert!(
            report.warnings[0].starts_with(&format!("{}: is a symbolic link", link.display()))
                && report.warnings[0].ends_with("analysed without caching"),
            "{}",
            report.warnings[0]
        );
    }
    assert_eq!(tree(&outside), before, "nothing written or removed through the link");
}

#[test]
fn a_linked_file_in_cached_assets_is_refused_and_its_target_untouched() {
    for name in ["node_metrics.parquet", "benchmark_results.parquet", "cache_metadata.json"] {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        let (r, uncached) = run_for_cache_tests(&root, "3800");
        let victim = tmp.path().join("victim");
        write(&victim, "precious");
        let before = tree(&victim);
        fs::create_dir(r.join("cached_assets")).unwrap();
        let link = r.join("cached_assets").join(name);
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let report = load_with(&root, CacheMode::InRunDir);
        assert_eq!(serde_json::to_string(&report.runs).unwrap(), uncached, "{name}");
        assert_eq!(report.warnings.len(), 1, "{name}: {:?}", report.warnings);
        assert!(report.warnings[0].starts_with(&format!("{}: is a symbolic link", link.display())));
        assert_eq!(tree(&victim), before, "{name}: the link's target is untouched");
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "{name}: and the link stays");
        assert_eq!(fs::read_dir(r.join("cached_assets")).unwrap().count(), 1, "{name}: nothing written");
    }
    // An endless file behind a cache name must not hang the load either.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let (r, uncached) = run_for_cache_tests(&root, "3801");
    fs::create_dir(r.join("cached_assets")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", r.join("cached_assets/benchmark_results.parquet")).unwrap();
    let report =
        within(60, "loading with /dev/zero as a cache file", move || load_with(&root, CacheMode::InRunDir));
    assert_eq!(serde_json::to_string(&report.runs).unwrap(), uncached);
}
