//! The output directory: created when missing, a previous dataset replaced, anything else
//! refused before a single file is touched.

use std::fs;
use std::path::Path;

use srtlog_export::{write_dataset, ExportError, LOCK_FILE, MANIFEST_DIR, MARKER_FILE};
use srtlog_model::AnalysisDocument;

use crate::common::{sample_doc, tree};

fn one_run_doc() -> AnalysisDocument {
    let mut doc = sample_doc();
    doc.runs.truncate(1);
    doc
}

#[test]
fn a_missing_directory_is_created_with_its_parents() {
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("a/b/dataset");
    write_dataset(&sample_doc(), &out).unwrap();
    assert!(out.join(MARKER_FILE).is_file());
    assert_eq!(
        tree(&out).len(),
        32,
        "the marker, the lock file, 3 partition manifests and 3 runs × 9 tables"
    );
}

#[test]
fn a_previous_dataset_is_replaced_and_nothing_of_it_lingers() {
    let out = tempfile::tempdir().unwrap();
    write_dataset(&sample_doc(), out.path()).unwrap();
    // A temporary file of an interrupted export is ours too.
    fs::write(out.path().join("points/job_id=5120/.part-0.parquet.99.7.tmp"), b"partial").unwrap();
    fs::write(out.path().join(format!(".{MARKER_FILE}.99.8.tmp")), b"partial").unwrap();

    let summary = write_dataset(&one_run_doc(), out.path()).unwrap();
    assert_eq!(summary.rows.runs, 1);
    let expected: Vec<String> = [
        "accuracy",
        "batches",
        "launch_args",
        "memory",
        "points",
        "power",
        "requests",
        "runs",
        "server_metrics",
    ]
    .iter()
    .map(|t| format!("{t}/job_id=5120/part-0.parquet"))
    .chain([MARKER_FILE.to_owned(), LOCK_FILE.to_owned(), format!("{MANIFEST_DIR}/job_id=5120.json")])
    .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(tree(out.path()), expected, "runs that are gone leave no partition behind");
}

#[test]
fn an_interrupted_export_is_replaced() {
    let out = tempfile::tempdir().unwrap();
    write_dataset(&sample_doc(), out.path()).unwrap();
    // What an export killed after `prepare` leaves: the incomplete marker and some files.
    let marker = out.path().join(MARKER_FILE);
    let text = fs::read_to_string(&marker).unwrap().replace("\"complete\": true", "\"complete\": false");
    fs::write(&marker, text).unwrap();
    write_dataset(&one_run_doc(), out.path()).unwrap();
    let marker: serde_json::Value = serde_json::from_str(&fs::read_to_string(&marker).unwrap()).unwrap();
    assert_eq!(marker["complete"], true);
}

#[test]
fn an_empty_directory_is_used() {
    let out = tempfile::tempdir().unwrap();
    write_dataset(&one_run_doc(), out.path()).unwrap();
    assert_eq!(tree(out.path()).len(), 12, "the marker, the lock file, the manifest and one run × 9 tables");
}

#[test]
fn a_directory_of_other_files_is_refused_untouched() {
    let out = tempfile::tempdir().unwrap();
    fs::write(out.path().join("notes.txt"), b"mine").unwrap();
    fs::create_dir(out.path().join("points")).unwrap();
    let err = write_dataset(&sample_doc(), out.path()).unwrap_err();
    assert!(matches!(err, ExportError::NotADataset { .. }), "{err}");
    assert_eq!(err.path(), out.path());
    let message = err.to_string();
    assert!(
        message.contains(&out.path().display().to_string()) && message.contains(MARKER_FILE),
        "{message}"
    );
    assert_eq!(tree(out.path()), ["notes.txt"]);
}

#[test]
fn a_file_as_output_is_refused() {
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("dataset");
    fs::write(&out, b"not a directory").unwrap();
    let err = write_dataset(&sample_doc(), &out).unwrap_err();
    assert!(matches!(err, ExportError::NotADirectory { .. }), "{err}");
    assert_eq!(fs::read(&out).unwrap(), b"not a directory");
}

/// Adds `extra` to a dataset, checks that the next export refuses naming it and deletes nothing.
#[track_caller]
fn check_foreign(extra: &str, make: impl FnOnce(&Path)) {
    let out = tempfile::tempdir().unwrap();
    write_dataset(&sample_doc(), out.path()).unwrap();
    make(&out.path().join(extra));
    let before = tree(out.path());
    let err = write_dataset(&one_run_doc(), out.path()).unwrap_err();
    match &err {
        ExportError::ForeignEntry { dataset, path } => {
            assert_eq!(dataset, out.path());
            assert_eq!(path, &out.path().join(extra), "{err}");
        }
        other => panic!("{extra}: expected ForeignEntry, got {other}"),
    }
    assert!(err.to_string().contains(extra), "{err}");
    assert_eq!(tree(out.path()), before, "{extra}: nothing may change");
}

#[test]
fn a_dataset_holding_anything_else_is_refused_untouched() {
    let file = |p: &Path| fs::write(p, b"mine").unwrap();
    check_foreign("README.md", file);
    check_foreign("points/notes.txt", file);
    check_foreign("points/job_id=5120/extra.parquet", file);
    check_foreign("points/job_id=5120/.hidden.tmp", file);
    check_foreign("points/other=1", |p| fs::create_dir(p).unwrap());
    check_foreign("workers", |p| fs::create_dir(p).unwrap());
    // A directory with a data file's name, holding a file of the user's.
    check_foreign("points/job_id=5120/part-9.parquet", |p| {
        fs::create_dir(p).unwrap();
        fs::write(p.join("x"), b"mine").unwrap();
    });
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_in_a_dataset_is_refused_and_never_followed() {
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("keep.parquet"), b"mine").unwrap();
    check_foreign("points/job_id=5120/part-5.parquet", |p| {
        std::os::unix::fs::symlink(elsewhere.path().join("keep.parquet"), p).unwrap()
    });
    check_foreign("memory/job_id=link", |p| std::os::unix::fs::symlink(elsewhere.path(), p).unwrap());
    assert!(elsewhere.path().join("keep.parquet").exists());
}

#[test]
fn a_marker_that_is_not_ours_is_refused() {
    for text in ["not json", r#"{"format": "other", "schema_version": 1}"#, r#"{"format": "srtlog-dataset"}"#]
    {
        let out = tempfile::tempdir().unwrap();
        fs::write(out.path().join(MARKER_FILE), text).unwrap();
        fs::write(out.path().join("data.csv"), b"a,b").unwrap();
        let err = write_dataset(&sample_doc(), out.path()).unwrap_err();
        assert!(matches!(err, ExportError::InvalidMarker { .. }), "{text}: {err}");
        assert_eq!(err.path(), out.path().join(MARKER_FILE));
        assert_eq!(tree(out.path()), ["_srtlog_dataset.json", "data.csv"]);
    }
}

#[cfg(unix)]
#[test]
fn an_unwritable_directory_fails_naming_the_path() {
    use std::os::unix::fs::PermissionsExt;
    let out = tempfile::tempdir().unwrap();
    fs::set_permissions(out.path(), fs::Permissions::from_mode(0o555)).unwrap();
    let probe = out.path().join("probe");
    let root_ignores_permissions = fs::write(&probe, b"").is_ok();
    if root_ignores_permissions {
        fs::remove_file(&probe).unwrap();
        eprintln!("note: running as root: permission check skipped");
    } else {
        let err = write_dataset(&sample_doc(), out.path()).unwrap_err();
        assert!(matches!(err, ExportError::Io { .. }), "{err}");
        assert!(err.path().starts_with(out.path()), "{err}");
    }
    fs::set_permissions(out.path(), fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_linked_dataset_directory_is_refused_untouched() {
    let base = tempfile::tempdir().unwrap();
    let real = base.path().join("real");
    write_dataset(&sample_doc(), &real).unwrap();
    let before = tree(&real);
    let link = base.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let err = write_dataset(&one_run_doc(), &link).unwrap_err();
    assert!(matches!(err, ExportError::Symlink { .. }), "{err}");
    assert_eq!(err.path(), link);
    assert!(err.to_string().contains("is a symbolic link"), "{err}");
    assert_eq!(tree(&real), before, "nothing changed where the link points");
}

/// Every Parquet file of a dataset read back: the rows per table, which must be what the
/// complete marker says.
fn read_back(out: &Path) -> serde_json::Value {
    let marker: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join(MARKER_FILE)).unwrap()).unwrap();
    assert_eq!(marker["complete"], true, "{marker}");
    let mut rows = serde_json::Map::new();
    for file in tree(out).iter().filter(|f| f.ends_with(".parquet")) {
        let table = file.split('/').next().unwrap().to_owned();
        let n = crate::common::read(&out.join(file)).rows() as u64;
        let total = rows.entry(table).or_insert(serde_json::json!(0));
        *total = serde_json::json!(total.as_u64().unwrap() + n);
    }
    assert_eq!(serde_json::Value::Object(rows), marker["rows"], "the files hold what the marker says");
    assert!(tree(out).iter().all(|f| !f.ends_with(".tmp")), "no temporary file left: {:?}", tree(out));
    marker
}

#[test]
fn an_export_into_a_locked_dataset_fails_at_once_and_changes_nothing() {
    let out = tempfile::tempdir().unwrap();
    write_dataset(&sample_doc(), out.path()).unwrap();
    let before = tree(out.path());
    // Another export holds the lock.
    let held = fs::File::options().write(true).open(out.path().join(LOCK_FILE)).unwrap();
    held.lock().unwrap();
    fs::write(out.path().join(LOCK_FILE), b"4242").unwrap();
    let err = write_dataset(&one_run_doc(), out.path()).unwrap_err();
    match &err {
        ExportError::Busy { path, holder } => assert_eq!((path.as_path(), *holder), (out.path(), Some(4242))),
        other => panic!("expected Busy, got {other}"),
    }
    assert!(err.to_string().contains("another srtlog export (pid 4242) is writing this dataset"), "{err}");
    assert_eq!(tree(out.path()), before, "nothing changed");
    drop(held);
    write_dataset(&one_run_doc(), out.path()).unwrap();
    assert_eq!(read_back(out.path())["rows"]["runs"], 1);
}

#[test]
fn concurrent_exports_into_one_directory_leave_a_valid_dataset() {
    // Enough runs that an export takes a while, so that the two overlap.
    let mut big = sample_doc();
    let runs = big.runs.clone();
    for i in 0..10 {
        big.runs.extend(runs.iter().cloned().map(|mut r| {
            r.metadata.job_id = format!("{}-{i}", r.metadata.job_id);
            r
        }));
    }
    let docs = std::sync::Arc::new([big, one_run_doc()]);
    let out = tempfile::tempdir().unwrap();
    for _round in 0..5 {
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|i| {
                let (docs, barrier, out) = (docs.clone(), barrier.clone(), out.path().to_path_buf());
                std::thread::spawn(move || {
                    barrier.wait();
                    write_dataset(&docs[i], &out).map(|s| s.rows.runs)
                })
            })
            .collect();
        let mut wrote = Vec::new();
        for handle in handles {
            match handle.join().unwrap() {
                Ok(runs) => wrote.push(runs),
                Err(ExportError::Busy { .. }) => {}
                Err(other) => panic!("an export failed otherwise than busy: {other}"),
            }
        }
        assert!(!wrote.is_empty(), "one of the two exports ran");
        let marker = read_back(out.path());
        assert!(wrote.contains(&marker["rows"]["runs"].as_u64().unwrap()), "{marker}");
    }
}
