//! Faults and concurrency (run through `xtask analyze`, srtlog's own command, because the
//! corpus generator is a developer tool): a process killed while writing its cache, several `analyze`
//! processes on one tree, and a job still writing its logs. The cache must never be read as
//! valid but wrong: every load gives the JSON of a load without cache.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use xtask::corpus::GenCorpusArgs;

use crate::{bin, run};

fn json(root: &Path, extra: &[&str]) -> String {
    let mut args = vec!["analyze", root.to_str().unwrap(), "--json", "-q"];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A corpus big enough that parsing and writing a cache take a while.
fn corpus(dir: &Path, runs: usize, lines: usize) -> PathBuf {
    let root = dir.join("runs");
    let args = GenCorpusArgs { dir: root.clone(), runs, lines, seed: 42, metric_share: 0.3, workers: 2 };
    xtask::corpus::generate(&args).unwrap();
    root
}

fn cache_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for run in fs::read_dir(root).unwrap() {
        let dir = run.unwrap().path().join("cached_assets");
        if let Ok(entries) = fs::read_dir(dir) {
            out.extend(entries.map(|e| e.unwrap().path()));
        }
    }
    out.sort();
    out
}

#[test]
fn killing_a_writer_at_any_point_never_leaves_a_wrong_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let root = corpus(tmp.path(), 3, 20_000);
    let reference = json(&root, &["--no-cache"]);
    let log = fs::read_dir(root.join("900001/logs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "out"))
        .unwrap();
    let original = fs::read(&log).unwrap();
    let (mut killed, mut killed_with_cache_files) = (0, 0);
    for i in 0..24u64 {
        // Every third round changes a source file, so a valid old cache is being replaced.
        if i % 3 == 0 {
            let mut bytes = original.clone();
            bytes.extend_from_slice(format!("noise line {i}\n").as_bytes());
            fs::write(&log, bytes).unwrap();
        }
        let mut child = Command::new(bin())
            .args(["analyze", root.to_str().unwrap(), "-q", "--jobs", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill times spread over the whole load: before, during and after the cache writes.
        std::thread::sleep(Duration::from_millis((i * 37) % 400));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.code().is_none() {
            killed += 1;
            if !cache_files(&root).is_empty() {
                killed_with_cache_files += 1;
            }
        }
    }
    // The kills must really have landed mid-load, some of them after caches were being written.
    assert!(killed >= 12, "only {killed} of 24 loads were killed before they ended");
    assert!(killed_with_cache_files >= 1, "no kill landed while caches existed");
    fs::write(&log, &original).unwrap();
    assert_eq!(json(&root, &[]), reference, "whatever the kills left, the load is right");
    assert_eq!(json(&root, &[]), reference, "and the rebuilt cache is right");
    for path in cache_files(&root) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp") || name.starts_with('.'), "unexpected file {name}");
    }
}

#[test]
fn concurrent_analyze_processes_agree_and_leave_an_intact_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let root = corpus(tmp.path(), 4, 5_000);
    let reference = json(&root, &["--no-cache"]);
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(bin())
                .args(["analyze", root.to_str().unwrap(), "--json", "-q"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stdout).unwrap(), reference);
    }
    let out = run(&["analyze", root.to_str().unwrap(), "--json", "-v"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), reference);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cache: 8 hits, 0 misses, 0 writes"),
        "the cache the writers left is valid: {stderr}"
    );
}

#[test]
fn a_job_still_writing_its_log_is_read_consistently_and_rechecked() {
    let tmp = tempfile::tempdir().unwrap();
    let root = corpus(tmp.path(), 1, 5_000);
    let log = root.join("900000/logs/gen-node-000-01_decode_w0.out");
    assert!(log.is_file());
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, log) = (stop.clone(), log.clone());
        std::thread::spawn(move || {
            let mut f = fs::File::options().append(true).open(&log).unwrap();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                // Lines arrive in pieces, as from a process that is still running.
                write!(f, "[2026-01-16 07:00:00 DP0 TP0 EP0] Decode batch, #running-req: {n}, #tok").unwrap();
                f.flush().unwrap();
                writeln!(f, "en: 100, token usage: 0.10, cuda graph: True, gen throughput (token/s): 10.00, #queue-req: 0, ").unwrap();
                n += 1;
                std::thread::sleep(Duration::from_micros(200));
            }
        })
    };
    for _ in 0..5 {
        let out = run(&["analyze", root.to_str().unwrap(), "--json", "-q"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["runs"].as_array().unwrap().len(), 1);
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    // The writing has stopped: a cached load must see the final file, not what a load saw mid-write.
    assert_eq!(json(&root, &[]), json(&root, &["--no-cache"]));
}
