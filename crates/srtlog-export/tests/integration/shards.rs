//! Shards and refreshes into one dataset directory: n shards (threads, processes) give the
//! dataset of one full export; a refresh rewrites only what changed; vanished runs; concurrent
//! refreshes and shards; a full export beside an update is refused.

use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use srtlog_export::{
    update_dataset, write_dataset, write_dataset_with_sources, ExportError, FoundRun, LoadPass, Loaded,
    Table, UpdateOptions, UpdateOutcome, COMMIT_LOCK_FILE, LOCK_FILE, MANIFEST_DIR, MARKER_FILE,
};
use srtlog_model::{AnalysisDocument, BenchmarkRun, Shard};

use crate::common::{read, sample_doc, tree};

/// The runs of these tests: the sample document's three, nine more job ids, and a rerun that
/// shares `5120`'s partition. Every run is under `/runs`.
fn corpus() -> AnalysisDocument {
    let mut doc = sample_doc();
    let base = doc.runs[0].clone();
    for i in 0..9 {
        let mut run = base.clone();
        run.metadata.job_id = format!("{}", 7000 + i);
        run.metadata.path = format!("/runs/{}", 7000 + i);
        run.profiler.points[0].output_tps = Some(1000.0 + f64::from(i));
        doc.runs.push(run);
    }
    let mut rerun = base;
    rerun.metadata.path = "/runs/5120_rerun".to_owned();
    rerun.profiler.points[0].output_tps = Some(42.0);
    doc.runs.push(rerun);
    doc
}

/// Each run's source digest: `v1` for all, unless `digests` says otherwise.
fn found(doc: &AnalysisDocument, digests: &HashMap<String, String>) -> Vec<FoundRun> {
    doc.runs
        .iter()
        .map(|r| FoundRun {
            path: r.metadata.path.clone(),
            digest: digests.get(&r.metadata.path).cloned().unwrap_or_else(|| "v1".to_owned()),
        })
        .collect()
}

/// The loader: the runs of `doc` at `paths`; the first pass keeps only the shard's jobs (as the
/// loader's filter does).
fn load_from<'a>(
    doc: &'a AnalysisDocument,
    shard: Option<Shard>,
) -> impl FnMut(LoadPass, &[&str]) -> Loaded + 'a {
    move |pass, paths| Loaded {
        runs: doc
            .runs
            .iter()
            .filter(|r| paths.contains(&r.metadata.path.as_str()))
            .filter(|r| pass == LoadPass::Siblings || shard.is_none_or(|s| s.owns(&r.metadata.job_id)))
            .cloned()
            .collect(),
        skipped: Vec::new(),
    }
}

fn update(
    doc: &AnalysisDocument,
    out: &Path,
    shard: Option<Shard>,
    refresh: bool,
    prune: bool,
    digests: &HashMap<String, String>,
) -> Result<UpdateOutcome, ExportError> {
    let options = UpdateOptions {
        shard,
        refresh,
        prune,
        root: Path::new("/runs"),
        covers_all: shard.is_none(),
        written_by: "test",
    };
    update_dataset(out, &found(doc, digests), options, load_from(doc, shard))
}

fn shard(i: u32, n: u32) -> Option<Shard> {
    Shard::new(i, n)
}

fn marker(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join(MARKER_FILE)).unwrap()).unwrap()
}

/// Every data file and manifest of a dataset with its decoded rows (the Parquet files) or its
/// JSON (the manifests): two datasets equal in this are the same dataset.
fn contents(out: &Path) -> BTreeMap<String, String> {
    tree(out)
        .into_iter()
        .filter(|p| p != LOCK_FILE && p != COMMIT_LOCK_FILE && p != MARKER_FILE)
        .map(|p| {
            let path = out.join(&p);
            let text = if p.ends_with(".parquet") {
                let back = read(&path);
                format!("{:?}", back.batches)
            } else {
                std::fs::read_to_string(&path).unwrap()
            };
            (p, text)
        })
        .collect()
}

/// (inode, mtime in ns) of every file of a dataset.
fn stamps(out: &Path) -> BTreeMap<String, (u64, i64)> {
    tree(out)
        .into_iter()
        .map(|p| {
            let m = std::fs::metadata(out.join(&p)).unwrap();
            (p, (m.ino(), m.mtime() * 1_000_000_000 + m.mtime_nsec()))
        })
        .collect()
}

fn full(doc: &AnalysisDocument, out: &Path, digests: &HashMap<String, String>) {
    let sources: HashMap<String, String> =
        found(doc, digests).into_iter().map(|f| (f.path, f.digest)).collect();
    write_dataset_with_sources(doc, out, &sources).unwrap();
}

#[test]
fn shards_in_threads_give_the_dataset_of_one_full_export() {
    let doc = corpus();
    let none = HashMap::new();
    let whole = tempfile::tempdir().unwrap();
    full(&doc, whole.path(), &none);
    let sharded = tempfile::tempdir().unwrap();
    let out = sharded.path();
    std::thread::scope(|s| {
        for i in 0..3 {
            let (doc, none) = (&doc, &none);
            s.spawn(move || update(doc, out, shard(i, 3), false, false, none).unwrap());
        }
    });
    assert_eq!(contents(out), contents(whole.path()));
    let (m, w) = (marker(out), marker(whole.path()));
    assert_eq!(m["rows"], w["rows"]);
    assert_eq!(m["files"], w["files"]);
    assert_eq!(m["partitions"], 12);
    assert_eq!(m["complete"], true);
    assert_eq!(m["shards"], serde_json::json!({"count": 3, "pending": []}));
    // The rerun shares 5120's partition, as in the full export.
    assert!(out.join("points/job_id=5120/part-1.parquet").is_file());
}

#[test]
fn an_unfinished_sharded_build_is_not_complete() {
    let doc = corpus();
    let out = tempfile::tempdir().unwrap();
    let status = update(&doc, out.path(), shard(1, 3), false, false, &HashMap::new()).unwrap().status;
    assert!(!status.complete);
    assert_eq!(status.pending_shards, [0, 2]);
    let m = marker(out.path());
    assert_eq!(m["complete"], false);
    assert_eq!(m["shards"], serde_json::json!({"count": 3, "pending": [0, 2]}));
    let owned = doc.runs.iter().filter(|r| Shard::of(&r.metadata.job_id, 3) == 1).count() as u64;
    assert_eq!(m["rows"]["runs"], owned);
    assert!(owned > 0 && owned < 13, "shard 1 of 3 owns some of the 13 runs: {owned}");
}

/// Run as a child process by `shards_in_processes_give_the_dataset_of_one_full_export`: exports
/// the shard `SRTLOG_TEST_SHARD` of the corpus into `SRTLOG_TEST_OUT`.
#[test]
#[ignore = "a child process of shards_in_processes_give_the_dataset_of_one_full_export"]
fn child_shard_export() {
    let spec = std::env::var("SRTLOG_TEST_SHARD").unwrap();
    let out = std::env::var("SRTLOG_TEST_OUT").unwrap();
    let shard: Shard = spec.parse().unwrap();
    let status =
        update(&corpus(), Path::new(&out), Some(shard), false, false, &HashMap::new()).unwrap().status;
    assert!(status.written > 0, "every shard of 4 owns a job of the corpus");
}

#[test]
fn shards_in_processes_give_the_dataset_of_one_full_export() {
    let doc = corpus();
    let whole = tempfile::tempdir().unwrap();
    full(&doc, whole.path(), &HashMap::new());
    let sharded = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4)
        .map(|i| {
            Command::new(&exe)
                .args(["--exact", "shards::child_shard_export", "--ignored", "--quiet"])
                .env("SRTLOG_TEST_SHARD", format!("{i}/4"))
                .env("SRTLOG_TEST_OUT", sharded.path())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(contents(sharded.path()), contents(whole.path()));
    let m = marker(sharded.path());
    assert_eq!(m["rows"], marker(whole.path())["rows"]);
    assert_eq!(m["complete"], true);
}

#[test]
fn a_refresh_rewrites_only_the_run_that_changed() {
    let mut doc = corpus();
    let out = tempfile::tempdir().unwrap();
    full(&doc, out.path(), &HashMap::new());
    let before = stamps(out.path());
    // Nothing changed: nothing is loaded or written.
    let outcome = update(&doc, out.path(), None, true, false, &HashMap::new()).unwrap();
    assert_eq!((outcome.loaded, outcome.status.written), (0, 0));
    let unchanged = stamps(out.path());
    assert_eq!(
        before.iter().filter(|(p, _)| p.as_str() != MARKER_FILE).collect::<Vec<_>>(),
        unchanged
            .iter()
            .filter(|(p, _)| p.as_str() != MARKER_FILE && p.as_str() != COMMIT_LOCK_FILE)
            .collect::<Vec<_>>()
    );

    // 7003's sources change (a new result): only its partition is rewritten.
    let run: &mut BenchmarkRun = doc.runs.iter_mut().find(|r| r.metadata.job_id == "7003").unwrap();
    run.profiler.points[0].output_tps = Some(9999.0);
    let digests = HashMap::from([("/runs/7003".to_owned(), "v2".to_owned())]);
    let outcome = update(&doc, out.path(), None, true, false, &digests).unwrap();
    assert_eq!((outcome.loaded, outcome.status.written, outcome.status.removed), (1, 1, 0));
    let after = stamps(out.path());
    for (path, stamp) in &before {
        let rewritten = path.contains("job_id=7003");
        if path == MARKER_FILE {
            continue;
        }
        assert_eq!(after.get(path) != Some(stamp), rewritten, "{path}");
    }
    let manifest = std::fs::read_to_string(out.path().join(MANIFEST_DIR).join("job_id=7003.json")).unwrap();
    assert!(manifest.contains("\"source_digest\": \"v2\""), "{manifest}");
    // The dataset is now what a full export of the changed runs gives.
    let whole = tempfile::tempdir().unwrap();
    full(&doc, whole.path(), &digests);
    assert_eq!(contents(out.path()), contents(whole.path()));
    assert_eq!(marker(out.path())["rows"], marker(whole.path())["rows"]);
    assert_eq!(marker(out.path())["complete"], true);
}

#[test]
fn a_changed_rerun_rewrites_its_partition_with_the_unchanged_run_beside_it() {
    let mut doc = corpus();
    let out = tempfile::tempdir().unwrap();
    full(&doc, out.path(), &HashMap::new());
    let rerun = doc.runs.iter_mut().find(|r| r.metadata.path == "/runs/5120_rerun").unwrap();
    rerun.profiler.points[0].output_tps = Some(43.0);
    let digests = HashMap::from([("/runs/5120_rerun".to_owned(), "v2".to_owned())]);
    let outcome = update(&doc, out.path(), None, true, false, &digests).unwrap();
    assert_eq!(outcome.plan.siblings, ["/runs/5120"], "the unchanged run of the partition is loaded too");
    assert_eq!((outcome.loaded, outcome.status.written), (2, 1));
    let whole = tempfile::tempdir().unwrap();
    full(&doc, whole.path(), &digests);
    assert_eq!(contents(out.path()), contents(whole.path()));
}

#[test]
fn a_vanished_run_is_kept_until_pruned() {
    let mut doc = corpus();
    let out = tempfile::tempdir().unwrap();
    full(&doc, out.path(), &HashMap::new());
    doc.runs.retain(|r| r.metadata.job_id != "7005" && r.metadata.path != "/runs/5120_rerun");
    let none = HashMap::new();

    let kept = update(&doc, out.path(), None, true, false, &none).unwrap();
    assert_eq!(kept.plan.vanished, ["/runs/5120_rerun", "/runs/7005"]);
    assert_eq!((kept.status.written, kept.status.removed), (0, 0));
    assert!(out.path().join("runs/job_id=7005/part-0.parquet").is_file());
    assert_eq!(marker(out.path())["rows"]["runs"], 13);

    // A shard prunes only its own jobs.
    let owner = Shard::of("7005", 2);
    let other = update(&doc, out.path(), shard(1 - owner, 2), true, true, &none).unwrap();
    assert!(!other.plan.vanished.contains(&"/runs/7005".to_owned()));
    assert!(out.path().join("runs/job_id=7005/part-0.parquet").is_file());

    let pruned = update(&doc, out.path(), None, true, true, &none).unwrap();
    assert_eq!(pruned.status.removed, 1, "7005's partition");
    assert!(!out.path().join("runs/job_id=7005").exists());
    assert!(!out.path().join(MANIFEST_DIR).join("job_id=7005.json").exists());
    assert!(!out.path().join("points/job_id=5120/part-1.parquet").exists(), "the rerun's files");
    let whole = tempfile::tempdir().unwrap();
    full(&doc, whole.path(), &none);
    assert_eq!(contents(out.path()), contents(whole.path()));
    assert_eq!(marker(out.path())["rows"], marker(whole.path())["rows"]);
    assert_eq!(marker(out.path())["complete"], true);

    // A run of another root is never vanished.
    let options = UpdateOptions {
        shard: None,
        refresh: true,
        prune: true,
        root: Path::new("/elsewhere"),
        covers_all: true,
        written_by: "test",
    };
    let elsewhere = update_dataset(out.path(), &[], options, load_from(&doc, None)).unwrap();
    assert!(elsewhere.plan.vanished.is_empty());
    assert_eq!(elsewhere.status.partitions, 11);
}

#[test]
fn a_partition_left_without_its_manifest_is_incomplete_and_rewritten_by_the_next_refresh() {
    let doc = corpus();
    let out = tempfile::tempdir().unwrap();
    full(&doc, out.path(), &HashMap::new());
    // What a writer killed between the renames and the manifest leaves.
    std::fs::remove_file(out.path().join(MANIFEST_DIR).join("job_id=7002.json")).unwrap();
    let other = shard((Shard::of("7002", 5) + 1) % 5, 5);
    let status = update(&doc, out.path(), other, true, false, &HashMap::new()).unwrap().status;
    // Another shard's refresh does not own it: still incomplete, and says where.
    assert!(!status.complete);
    let mut expected: Vec<String> = Table::ALL.iter().map(|t| format!("{}/job_id=7002", t.name())).collect();
    expected.sort();
    assert_eq!(status.incomplete_partitions, expected);
    let status = update(&doc, out.path(), None, true, false, &HashMap::new()).unwrap().status;
    assert_eq!(status.written, 1);
    assert!(status.complete && status.incomplete_partitions.is_empty(), "{status:?}");
    let whole = tempfile::tempdir().unwrap();
    full(&doc, whole.path(), &HashMap::new());
    assert_eq!(contents(out.path()), contents(whole.path()));
}

#[test]
fn concurrent_refreshes_and_shards_leave_a_whole_dataset() {
    let mut doc = corpus();
    let out = tempfile::tempdir().unwrap();
    full(&doc, out.path(), &HashMap::new());
    for round in 0..3 {
        // Every run changes (new digests and values); a refresh of everything and both shards of
        // 2 run at once, all of them writing the same partitions.
        for run in &mut doc.runs {
            run.profiler.points[0].output_tps = Some(f64::from(round) * 10.0);
        }
        let digests: HashMap<String, String> =
            doc.runs.iter().map(|r| (r.metadata.path.clone(), format!("r{round}"))).collect();
        std::thread::scope(|s| {
            let (doc, digests, out) = (&doc, &digests, out.path());
            s.spawn(move || update(doc, out, None, true, false, digests).unwrap());
            s.spawn(move || update(doc, out, shard(0, 2), true, false, digests).unwrap());
            s.spawn(move || update(doc, out, shard(1, 2), false, false, digests).unwrap());
        });
        let whole = tempfile::tempdir().unwrap();
        full(&doc, whole.path(), &digests);
        assert_eq!(contents(out.path()), contents(whole.path()), "round {round}");
        let m = marker(out.path());
        assert_eq!(m["rows"], marker(whole.path())["rows"], "round {round}");
        assert_eq!(m["complete"], true, "round {round}");
        // No staged or temporary file is left behind.
        assert!(tree(out.path()).iter().all(|p| !p.ends_with(".staged") && !p.ends_with(".tmp")));
    }
}

#[test]
fn a_full_export_beside_an_update_is_busy_and_updates_share_the_directory() {
    let doc = corpus();
    let out = tempfile::tempdir().unwrap();
    full(&doc, out.path(), &HashMap::new());
    let first = srtlog_export::DatasetUpdate::open(out.path()).unwrap();
    // Another update may run beside it ...
    let status = update(&doc, out.path(), shard(0, 2), false, false, &HashMap::new()).unwrap().status;
    assert!(status.written > 0);
    // ... a full export may not (it would delete their partitions).
    let err = write_dataset(&doc, out.path()).unwrap_err();
    assert!(matches!(err, ExportError::Busy { .. }), "{err}");
    drop(first);
    write_dataset(&doc, out.path()).unwrap();
}

#[test]
fn an_update_refuses_a_directory_that_is_not_a_dataset() {
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("notes.txt"), b"mine").unwrap();
    let err = update(&corpus(), out.path(), shard(0, 2), false, false, &HashMap::new()).unwrap_err();
    assert!(matches!(err, ExportError::NotADataset { .. }), "{err}");
    assert_eq!(tree(out.path()), ["notes.txt"], "left as it was");
}
