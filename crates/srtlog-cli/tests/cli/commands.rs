//! The `srtlog` command line as users run it: exit codes, flags, output, and what it writes.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{bin, srtlog, testdata, text};

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "cached_assets" {
                copy_tree(&entry.path(), &target);
            }
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every path under `root` with its size, modification time and mode.
fn tree_snapshot(root: &Path) -> BTreeMap<PathBuf, (u64, i64, i64, u32)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let meta = fs::symlink_metadata(entry.path()).unwrap();
            out.insert(entry.path(), (meta.len(), meta.mtime(), meta.mtime_nsec(), meta.mode()));
            if meta.is_dir() {
                stack.push(entry.path());
            }
        }
    }
    out
}

fn set_tree_mode(root: &Path, dir_mode: u32, file_mode: u32) {
    for entry in fs::read_dir(root).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            set_tree_mode(&entry.path(), dir_mode, file_mode);
            fs::set_permissions(entry.path(), fs::Permissions::from_mode(dir_mode)).unwrap();
        } else {
            fs::set_permissions(entry.path(), fs::Permissions::from_mode(file_mode)).unwrap();
        }
    }
}

fn is_root() -> bool {
    fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

#[test]
fn analyze_prints_a_table_per_run_and_the_worker_summary() {
    let out = srtlog(&["analyze", testdata("runs").to_str().unwrap(), "--no-cache"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for needle in [
        "Job 4401463  gb200  1P/2D  12 GPUs  backend sglang  benchmark sa-bench  ISL/OSL 8192/1024",
        "Job 3667  h100  1P/1D  16 GPUs",
        "Job 5120  b200  1P/1D",
        "Job 5121  h200  2A",
        "Job 4999  h100  1A  8 GPUs",
        "INCOMPLETE: no result for concurrency 32",
        "open-loop",
        "fallback",
        "Workers: 1 prefill, 2 decode",
        "eos0220 w0",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in\n{stdout}");
    }
    // Newest job first.
    let order: Vec<usize> = ["Job 4401463", "Job 5121", "Job 5120", "Job 4999", "Job 3667"]
        .iter()
        .map(|j| stdout.find(j).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

#[test]
fn analyze_shows_energy_per_point_and_why_it_is_unknown() {
    let out = srtlog(&["analyze", testdata("power-runs").to_str().unwrap(), "--no-cache"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for needle in [
        "tok/s/W   J/tok",
        "0.200   5.000",
        "0.250   4.000",
        "Power: power_samples (52 GPU samples, 26 CPU samples)",
        "Power: power_samples (28 GPU samples, 0 CPU samples)",
        "energy, conc 8: unknown: GPU node pw-n01: nearest sample to the window end is 5.100 s away (more than 3 s)",
        "energy, conc 4, 8: no role breakdown: no power manifest with expected devices",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in\n{stdout}");
    }
    // Runs without power data keep their columns.
    let out =
        srtlog(&["analyze", testdata("runs").join("6002").to_str().unwrap(), "--no-cache", "--no-nodes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("tok/s/W"));
    // Without a power sampler, Tachometer's DCGM power is the source (run 6001's final.parquet:
    // 6 `gpu_power` samples), read even when the server series are not; its results have no
    // measurement window, so the energy is unknown and says why.
    let out =
        srtlog(&["analyze", testdata("runs").join("6001").to_str().unwrap(), "--no-cache", "--no-nodes"]);
    let stdout = text(&out.stdout);
    for needle in [
        "Power: tachometer (6 GPU samples, 0 CPU samples)",
        "energy, conc 8, 16: unknown: no measurement window",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in\n{stdout}");
    }
}

#[test]
fn analyze_json_is_the_documented_document() {
    let out = srtlog(&["analyze", testdata("runs").to_str().unwrap(), "--no-cache", "--json", "--no-nodes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["runs"].as_array().unwrap().len(), 8);
    assert_eq!(doc["skipped"].as_array().unwrap().len(), 0);
    let run = &doc["runs"][0];
    assert_eq!(run["metadata"]["job_id"], "4401463");
    assert_eq!(run["profiler"]["concurrency_values"], serde_json::json!([4, 8, 16]));
    assert_eq!(run["missing_concurrencies"], serde_json::json!([32]));
    assert_eq!(run["is_complete"], false);
    assert_eq!(run["nodes"], serde_json::json!([]), "--no-nodes");
}

#[test]
fn skipped_runs_are_listed_with_kinds_at_the_end() {
    let out = srtlog(&["analyze", testdata("bad-runs").to_str().unwrap(), "--no-cache"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    // Only what is not a run is skipped, listed at the end.
    let skipped_at = stdout.find("Skipped 2 run(s):").unwrap_or_else(|| panic!("{stdout}"));
    for kind in ["no_metadata", "invalid_metadata"] {
        assert!(stdout[skipped_at..].contains(kind), "{kind} missing in\n{stdout}");
    }
    // The other bad runs are shown as runs, each with the warning that says why it has no results.
    for kind in ["profiling_job", "no_results", "invalid_config", "unsupported_benchmark", "invalid_results"]
    {
        assert!(stdout[..skipped_at].contains(&format!("warning [{kind}]: ")), "{kind} missing in\n{stdout}");
    }
    assert!(stdout.contains("MISSING WORKERS: "), "{stdout}");
    assert_eq!(stdout.matches("no benchmark results (see the warnings below)").count(), 5, "{stdout}");
}

#[test]
fn missing_directory_fails_with_one_line_naming_it() {
    let out = srtlog(&["analyze", "/nonexistent/srtlog-runs"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("/nonexistent/srtlog-runs"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn help_explains_every_flag() {
    let out = srtlog(&["analyze", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for flag in ["--json", "--no-nodes", "--no-cache", "--cache-dir", "--jobs", "--verbose", "--quiet"] {
        assert!(help.contains(flag), "{flag} missing in\n{help}");
    }
}

#[test]
fn analyze_writes_only_inside_cached_assets() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("runs"), &root);
    let before = tree_snapshot(&root);
    let out = srtlog(&["analyze", root.to_str().unwrap(), "-q"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let after = tree_snapshot(&root);
    for (path, stat) in &before {
        let is_run_dir = path.parent() == Some(&root);
        if is_run_dir {
            continue; // a run directory's mtime changes when cached_assets/ is created in it
        }
        assert_eq!(after.get(path), Some(stat), "{} changed", path.display());
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        assert!(
            path.components().any(|c| c.as_os_str() == "cached_assets"),
            "{} written outside cached_assets/",
            path.display()
        );
    }
}

/// Runs `srtlog analyze <root>` on a tree it cannot write: as `nobody` when the tests run as
/// root (root ignores permission bits), directly otherwise.
fn analyze_unwritable(root: &Path, extra: &[&str]) -> Output {
    let bin = bin();
    let mut args = vec!["analyze", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    if is_root() {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", bin])
            .args(&args)
            .output()
            .unwrap()
    } else {
        Command::new(bin).args(&args).output().unwrap()
    }
}

#[test]
fn read_only_runs_are_analysed_without_caching_and_one_warning() {
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("runs"), &root);
    let reference = srtlog(&["analyze", root.to_str().unwrap(), "--no-cache", "--json"]);
    set_tree_mode(&root, 0o555, 0o444);
    fs::set_permissions(&root, fs::Permissions::from_mode(0o555)).unwrap();
    let before = tree_snapshot(&root);

    let out = analyze_unwritable(&root, &["--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), text(&reference.stdout), "same document as an uncached load");
    let stderr = text(&out.stderr);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("not writable")).collect();
    assert_eq!(warnings.len(), 1, "one warning for all read-only runs:\n{stderr}");
    assert!(warnings[0].contains("8 run directories"), "{stderr}");
    assert_eq!(tree_snapshot(&root), before, "nothing may be written into a read-only tree");

    // --cache-dir caches elsewhere, silently.
    let cache = tmp.path().join("cache");
    fs::create_dir(&cache).unwrap();
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o777)).unwrap();
    let out = analyze_unwritable(&root, &["--json", "--cache-dir", cache.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("not writable"), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), text(&reference.stdout));
    assert_eq!(fs::read_dir(&cache).unwrap().count(), 8);
    set_tree_mode(&root, 0o755, 0o644);
}

#[test]
fn read_only_mount_is_analysed_without_caching() {
    // A read-only bind mount (EROFS) needs a private mount namespace: only as root with unshare.
    if !is_root()
        || Command::new("unshare").args(["-m", "true"]).status().map(|s| !s.success()).unwrap_or(true)
    {
        eprintln!("skipped: needs root and unshare(1) for a read-only bind mount");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("runs"), &root);
    let before = tree_snapshot(&root);
    let script = format!(
        "mount --bind '{r}' '{r}' && mount -o remount,bind,ro '{r}' && exec '{bin}' analyze '{r}' --no-nodes",
        r = root.display(),
        bin = bin()
    );
    let out = Command::new("unshare").args(["-m", "sh", "-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Job 4401463"));
    assert!(text(&out.stderr).contains("not writable"), "{}", text(&out.stderr));
    assert_eq!(tree_snapshot(&root), before);
}

#[test]
fn report_writes_one_offline_html_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out_path = tmp.path().join("report.html");
    let out = srtlog(&[
        "report",
        testdata("runs").to_str().unwrap(),
        "--no-cache",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = fs::read_to_string(&out_path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"), "{}", &html[..100]);
    for job in ["4401463", "3667", "5120", "5121", "4999"] {
        assert!(html.contains(job), "{job} missing from the report");
    }
    assert!(!html.contains("<script src="), "every script is inlined");
    assert!(!html.contains("<link rel=\"stylesheet\" href"), "every style is inlined");
    // Filters apply to the report too.
    let out = srtlog(&[
        "report",
        testdata("runs").to_str().unwrap(),
        "--no-cache",
        "--gpu-type",
        "h100",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    // h100: 3667, 4999, 6002 and 6003.
    assert!(text(&out.stderr).contains("4 runs"), "{}", text(&out.stderr));
}

#[test]
fn export_writes_csv_and_a_dataset_with_filters() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("points.csv");
    let dataset = tmp.path().join("dataset");
    let out = srtlog(&[
        "export",
        testdata("runs").to_str().unwrap(),
        "--no-cache",
        "--csv",
        csv.to_str().unwrap(),
        "--dataset",
        dataset.to_str().unwrap(),
        "--backend",
        "sglang",
        "--since",
        "2025-11-01",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv_text = fs::read_to_string(&csv).unwrap();
    let mut lines = csv_text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("job_id,job_name,run_date,gpu_type,topology"), "{header}");
    let jobs: std::collections::BTreeSet<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    // sglang runs dated since 2025-11-01 with results: 4401463, 4999, 3667 (backend from its
    // container), 6001, 6003; not 5121 (October) nor 6002 (no results: a benchmark without a parser).
    assert_eq!(jobs.into_iter().collect::<Vec<_>>(), ["3667", "4401463", "4999", "6001", "6003"]);
    for table in ["runs", "points", "batches", "memory", "accuracy", "requests"] {
        let parts: Vec<_> =
            fs::read_dir(dataset.join(table)).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(parts.len(), 6, "{table}: {parts:?} (6002 too: a run without results is a run)");
        assert!(dataset.join(table).join("job_id=4401463/part-0.parquet").is_file(), "{table}");
    }
    let out = srtlog(&["export", testdata("runs").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "export needs --csv or --dataset");
}

#[test]
fn export_shards_in_processes_then_a_refresh_rewrite_only_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("runs"), &root);
    let (whole, sharded) = (tmp.path().join("whole"), tmp.path().join("sharded"));
    let root_s = root.to_str().unwrap();
    let out = srtlog(&["export", root_s, "--quiet", "--dataset", whole.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Three shards at once, each its own process, into one directory.
    let children: Vec<_> = (0..3)
        .map(|i| {
            Command::new(bin())
                .args(["export", root_s, "--quiet", "--dataset", sharded.to_str().unwrap()])
                .args(["--shard", &format!("{i}/3")])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let child = child.wait_with_output().unwrap();
        assert!(child.status.success(), "{}", text(&child.stderr));
    }
    let parquet = |dir: &Path| -> Vec<String> {
        let mut files = Vec::new();
        // Every table directory (the names starting with `_` or `.` are the marker, manifests, locks).
        let tables = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            e.path().is_dir() && !name.starts_with('_') && !name.starts_with('.')
        });
        for table in tables {
            for part in fs::read_dir(table.path()).unwrap() {
                for file in fs::read_dir(part.unwrap().path()).unwrap() {
                    let path = file.unwrap().path();
                    files.push(path.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
                }
            }
        }
        files.sort();
        files
    };
    assert_eq!(parquet(&sharded), parquet(&whole));
    let marker = |dir: &Path| -> serde_json::Value {
        serde_json::from_str(&fs::read_to_string(dir.join("_srtlog_dataset.json")).unwrap()).unwrap()
    };
    assert_eq!(marker(&sharded)["rows"], marker(&whole)["rows"]);
    assert_eq!(marker(&sharded)["complete"], true);

    // A new result file in one run: the refresh reads and rewrites that run only.
    let inode = |p: &Path| fs::metadata(p).unwrap().ino();
    let before: BTreeMap<String, u64> =
        parquet(&sharded).into_iter().map(|f| (f.clone(), inode(&sharded.join(&f)))).collect();
    fs::write(root.join("4999/logs/extra.txt"), b"a new file in the run").unwrap();
    let out = srtlog(&["export", root_s, "--dataset", sharded.to_str().unwrap(), "--refresh"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("1 partitions written, 0 removed; 8 runs found, 1 read"),
        "{}",
        text(&out.stderr)
    );
    for (file, ino) in &before {
        assert_eq!(inode(&sharded.join(file)) != *ino, file.contains("job_id=4999/"), "{file}");
    }
    // A run removed from the tree: kept with a warning, removed with --prune.
    fs::remove_dir_all(root.join("6003")).unwrap();
    let out = srtlog(&["export", root_s, "--dataset", sharded.to_str().unwrap(), "--refresh"]);
    assert!(text(&out.stderr).contains("--prune removes them"), "{}", text(&out.stderr));
    assert!(sharded.join("runs/job_id=6003/part-0.parquet").is_file());
    let out = srtlog(&["export", root_s, "--dataset", sharded.to_str().unwrap(), "--refresh", "--prune"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!sharded.join("runs/job_id=6003").exists());
    assert_eq!(marker(&sharded)["rows"]["runs"], 7);
}

#[test]
fn an_invalid_shard_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dataset = tmp.path().join("dataset");
    for spec in ["0/0", "3/2", "2/2", "x/2", "1"] {
        let out = srtlog(&[
            "export",
            testdata("runs").to_str().unwrap(),
            "--dataset",
            dataset.to_str().unwrap(),
            "--shard",
            spec,
        ]);
        assert_eq!(out.status.code(), Some(2), "{spec}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("invalid shard"), "{spec}: {}", text(&out.stderr));
    }
    let out = srtlog(&["export", testdata("runs").to_str().unwrap(), "--shard", "0/2", "--csv", "x.csv"]);
    assert_eq!(out.status.code(), Some(2), "--shard writes a dataset only");
    let out = srtlog(&[
        "export",
        testdata("runs").to_str().unwrap(),
        "--dataset",
        dataset.to_str().unwrap(),
        "--prune",
    ]);
    assert_eq!(out.status.code(), Some(2), "--prune needs --refresh or --shard");
    assert!(!dataset.exists(), "no usage error writes anything");
}

#[test]
fn unreadable_files_are_reported_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("runs"), &root);
    set_tree_mode(&root, 0o755, 0o644);
    fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).unwrap();
    let metadata = root.join("4999/4999.json");
    let log = root.join("4401463/logs/eos0220_decode_w0.out");
    fs::set_permissions(&metadata, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(&log, fs::Permissions::from_mode(0o000)).unwrap();
    let out = analyze_unwritable(&root, &["--json", "--no-cache"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = &doc["skipped"][0];
    assert_eq!(skipped["job_id"], "4999");
    assert_eq!(skipped["kind"], "io_error");
    assert!(skipped["reason"].as_str().unwrap().contains("4999.json"), "{skipped}");
    let run = doc["runs"].as_array().unwrap().iter().find(|r| r["metadata"]["job_id"] == "4401463").unwrap();
    let worker = run["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["metrics"]["metadata"]["node_name"] == "eos0220")
        .unwrap();
    let diagnostics = worker["metrics"]["stats"]["diagnostics"].to_string();
    assert!(diagnostics.contains("eos0220_decode_w0.out"), "{diagnostics}");
    assert_eq!(doc["runs"].as_array().unwrap().len(), 7, "the other runs load");
}

#[test]
fn line_and_diagnostic_caps_are_configurable() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("runs/4401463"), &root.join("4401463"));
    let log = root.join("4401463/logs/eos0220_decode_w0.out");
    let mut bytes = fs::read(&log).unwrap();
    for i in 0..50 {
        bytes.extend_from_slice(
            format!("[2026-01-16 06:30:{:02} TP0] Decode batch, #running-req: lots, \n", i % 60).as_bytes(),
        );
    }
    bytes.extend_from_slice(&vec![b'y'; 5000]);
    bytes.push(b'\n');
    fs::write(&log, bytes).unwrap();
    let stats = |extra: &[&str]| {
        let mut args = vec!["analyze", root.to_str().unwrap(), "--json", "--no-cache"];
        args.extend_from_slice(extra);
        let out = srtlog(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let node = doc["runs"][0]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["metrics"]["metadata"]["node_name"] == "eos0220")
            .unwrap()
            .clone();
        node["metrics"]["stats"].clone()
    };
    let default = stats(&[]);
    assert_eq!(default["malformed_lines"], 50);
    assert_eq!(default["diagnostics"].as_array().unwrap().len(), 20, "default cap");
    assert_eq!(default["truncated_lines"], 0);
    let capped = stats(&["--max-diagnostics", "3", "--max-line-bytes", "4096"]);
    assert_eq!(capped["malformed_lines"], 50, "every problem is still counted");
    assert_eq!(capped["diagnostics"].as_array().unwrap().len(), 3);
    assert_eq!(capped["truncated_lines"], 1, "the 5000-byte line is over the 4096-byte cap");
}

#[test]
fn a_relative_root_is_cached_like_an_absolute_one() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&testdata("runs"), &tmp.path().join("runs"));
    let analyze = || {
        let out =
            Command::new(bin()).args(["analyze", "runs", "-v"]).current_dir(tmp.path()).output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stderr)
    };
    assert!(analyze().contains("cache: 0 hits, 14 misses, 14 writes"));
    assert!(analyze().contains("cache: 14 hits, 0 misses, 0 writes"));
}

#[test]
fn eval_runs_show_their_accuracy_in_the_tables_and_the_accuracy_csv() {
    let runs = testdata("eval-runs");
    let out = srtlog(&["analyze", runs.to_str().unwrap(), "--no-cache", "--no-nodes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // lm-eval: value ± stderr and the effective sample count; "N/A" stderr shows no ±.
    let lm_eval = &stdout[stdout.find("Job 6106").unwrap()..stdout.find("Job 6105").unwrap()];
    assert!(
        lm_eval.contains("│ gsm8k       exact_match   strict-match       0.7544 ± 0.0119   1319   lm-eval │"),
        "{lm_eval}"
    );
    assert!(
        lm_eval.contains("│ mmlu_stem   acc           none                        0.5901   3000   lm-eval │"),
        "{lm_eval}"
    );
    assert!(!lm_eval.contains("out tok/s"), "an eval run has no empty points table");
    // The sweep with a post-eval: its points, then its accuracy.
    let sweep = &stdout[stdout.find("Job 6107").unwrap()..stdout.find("Job 6106").unwrap()];
    assert!(sweep.find("out tok/s").unwrap() < sweep.find("Accuracy:").unwrap(), "{sweep}");
    assert!(sweep.contains("0.7612 ± 0.0117"), "{sweep}");
    // A stray file is a warning under its run.
    assert!(
        stdout.contains("  warning: logs/accuracy/notes.json: not a recognised accuracy file"),
        "{stdout}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("accuracy.csv");
    let out = srtlog(&[
        "export",
        runs.to_str().unwrap(),
        "--no-cache",
        "--quiet",
        "--accuracy-csv",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv_text = fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = csv_text.lines().collect();
    assert!(lines[0].starts_with(
        "job_id,job_name,run_date,gpu_type,topology,backend,model_path,benchmark_type,eval,task"
    ));
    assert!(lines.contains(
        &"6107,h100-llama-sweep-eval,2026-08-01T10:00:00,h100,1A,sglang,meta-llama/Llama-3.1-8B-Instruct,sa-bench,lm-eval,gsm8k,exact_match,strict-match,0.7612,0.0117,1319,true,logs/eval_results/results_2026-08-01T11-30-00.000001.json"
    ), "{csv_text}");
    // 11 runs: 4 + 1 + 1 + 1 + 4 + 4 + 1 + 0 + 3 + 3 + 2 results, plus the header.
    assert_eq!(lines.len(), 25, "{csv_text}");
}

#[test]
fn export_dataset_reads_aiperf_request_records() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("5121");
    copy_tree(&testdata("runs/5121"), &run);
    let artifact = run.join("logs/artifacts/Qwen3-32B_synthetic_20251001_101500");
    let line = r#"{"metadata":{"request_start_ns":1759310100000000000,"request_end_ns":1759310102000000000,"benchmark_phase":"profiling"},"metrics":{"time_to_first_token":{"value":120.5,"unit":"ms"}},"error":null}"#;
    fs::write(artifact.join("profile_export.jsonl"), format!("{line}\n{line}\n")).unwrap();
    let dataset = tmp.path().join("dataset");
    let out =
        srtlog(&["export", run.to_str().unwrap(), "--no-cache", "--dataset", dataset.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(", 2 request rows, "), "{}", text(&out.stderr));
    assert!(dataset.join("requests/job_id=5121/part-0.parquet").is_file());
}

#[test]
fn export_dataset_and_report_read_the_tachometer_series_analyze_only_lists_them() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("6001");
    copy_tree(&testdata("runs/6001"), &run);
    let dataset = tmp.path().join("dataset");
    let out =
        srtlog(&["export", run.to_str().unwrap(), "--no-cache", "--dataset", dataset.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The fixture's final.parquet: 3 scrapes × 18 rows.
    assert!(text(&out.stderr).contains(", 54 server metric rows)"), "{}", text(&out.stderr));
    assert!(dataset.join("server_metrics/job_id=6001/part-0.parquet").is_file());
    let out = srtlog(&["analyze", run.to_str().unwrap(), "--no-cache", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = &doc["runs"][0]["server_metrics_summary"];
    assert_eq!(summary["read"], false, "{summary}");
    assert_eq!(summary["sources"][0], "logs/tachometer/final.parquet");
    let page = tmp.path().join("report.html");
    let out = srtlog(&["report", run.to_str().unwrap(), "--no-cache", "-o", page.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = fs::read_to_string(&page).unwrap();
    assert!(html.contains("decode 1 (gb-n03) · backend_decode1_rank0"), "no server series in the report");
}
