//! Symbolic links where the cache reads and writes: a run directory may come from anyone, so a
//! linked cache directory or cache file is refused by every load and store — nothing is written,
//! cleaned or read where it points, and an endless file behind a link cannot hang a load.

use std::fs::{self, File};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use srtlog_cache::{CacheError, RunCache, METADATA_FILE, NODES_FILE, RESULTS_FILE};
use srtlog_columnar::STALE_TEMP_AGE;

use crate::common::{cache_dir, run_with_sources, sample_nodes, sample_results};

/// Every entry of `dir` with its bytes and modification time, to compare before and after.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>, SystemTime)> {
    let mut out: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let bytes = if meta.is_file() { fs::read(&path).unwrap() } else { vec![] };
            (path.file_name().unwrap().to_string_lossy().into_owned(), bytes, meta.modified().unwrap())
        })
        .collect();
    out.sort();
    out
}

#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: Result<T, CacheError>, link: &Path) {
    let err = result.unwrap_err();
    assert!(err.is_symlink_refusal() && !err.is_not_writable(), "{err}");
    assert_eq!(err.path(), link, "{err}");
}

#[test]
fn a_linked_cache_directory_is_neither_read_written_nor_cleaned() {
    let (run, fps) = run_with_sources();
    // Someone else's directory, holding a valid cache of these very sources and a temporary
    // file old enough to count as stale.
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    RunCache::new(&victim).store_results(&fps, &sample_results()).unwrap();
    let stale = victim.join(format!(".{RESULTS_FILE}.1.0.tmp"));
    fs::write(&stale, b"not srtlog's to remove").unwrap();
    let long_ago = SystemTime::now() - STALE_TEMP_AGE - Duration::from_secs(60);
    File::options().write(true).open(&stale).unwrap().set_modified(long_ago).unwrap();
    let before = snapshot(&victim);

    symlink(&victim, cache_dir(run.path())).unwrap();
    let cache = RunCache::new(cache_dir(run.path()));
    let link = cache_dir(run.path());
    assert_refused(cache.check_links(), &link);
    assert_refused(cache.load_results(&fps), &link);
    assert_refused(cache.load_nodes(&fps), &link);
    assert_refused(cache.load_node_summaries(&fps), &link);
    assert_refused(cache.store_results(&fps, &sample_results()), &link);
    assert_refused(cache.store_nodes(&fps, &sample_nodes()), &link);
    assert_eq!(snapshot(&victim), before, "nothing written or removed through the link");
}

#[test]
fn a_linked_cache_file_is_refused_and_its_target_left_alone() {
    for name in [RESULTS_FILE, NODES_FILE, METADATA_FILE] {
        let (run, fps) = run_with_sources();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        fs::write(&victim, b"precious").unwrap();
        let dir = cache_dir(run.path());
        fs::create_dir(&dir).unwrap();
        let link = dir.join(name);
        symlink(&victim, &link).unwrap();
        let cache = RunCache::new(&dir);
        assert_refused(cache.load_results(&fps), &link);
        assert_refused(cache.load_node_summaries(&fps), &link);
        assert_refused(cache.store_results(&fps, &sample_results()), &link);
        assert_refused(cache.store_nodes(&fps, &sample_nodes()), &link);
        assert_eq!(fs::read(&victim).unwrap(), b"precious", "{name}");
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "{name}: the link stays");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "{name}: no file was added");
    }
}

#[test]
fn an_endless_file_behind_a_cache_name_does_not_hang_a_load() {
    let (run, fps) = run_with_sources();
    let dir = cache_dir(run.path());
    fs::create_dir(&dir).unwrap();
    symlink("/dev/zero", dir.join(RESULTS_FILE)).unwrap();
    symlink("/dev/urandom", dir.join(NODES_FILE)).unwrap();
    let (tx, rx) = mpsc::channel();
    let cache = RunCache::new(&dir);
    let fps2 = fps.clone();
    std::thread::spawn(move || {
        let _ = tx.send((cache.load_results(&fps2).map(|_| ()), cache.load_nodes(&fps2).map(|_| ())));
    });
    let (results, nodes) = rx.recv_timeout(Duration::from_secs(20)).expect("loading the cache hung");
    assert_refused(results, &dir.join(RESULTS_FILE));
    assert_refused(nodes, &dir.join(RESULTS_FILE));
}
