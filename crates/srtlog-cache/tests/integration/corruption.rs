//! Damaged, truncated and foreign files are detected (an `Err` or `Ok(None)`), never read as
//! valid and never a panic; an unwritable directory is reported as such; temporary files of
//! dead writers are ignored and cleaned up.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::{KeyValue, ParquetMetaDataReader};
use srtlog_cache::{CacheError, RunCache, METADATA_FILE, NODES_FILE, RESULTS_FILE};
use srtlog_model::{NodeMetrics, ProfilerResults};

use crate::common::{cache_dir, run_with_sources, sample_nodes, sample_results};

type Loaded = (Result<Option<ProfilerResults>, CacheError>, Result<Option<Vec<NodeMetrics>>, CacheError>);

/// Loads both parts.
fn load_both(cache: &RunCache, fps: &[srtlog_cache::FileFingerprint]) -> Loaded {
    (cache.load_results(fps), cache.load_nodes(fps))
}

#[test]
fn random_bytes_empty_files_and_directories_are_errors() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    fs::create_dir_all(cache.dir()).unwrap();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect();
    for content in [&noise[..], b"", b"PAR1", b"PAR1PAR1", b"PAR1\0\0\0\0PAR1"] {
        fs::write(cache.dir().join(RESULTS_FILE), content).unwrap();
        fs::write(cache.dir().join(NODES_FILE), content).unwrap();
        let (results, nodes) = load_both(&cache, &fps);
        let err = results.unwrap_err();
        assert!(err.path().ends_with(RESULTS_FILE), "{err}");
        assert!(nodes.is_err());
    }
    fs::remove_file(cache.dir().join(RESULTS_FILE)).unwrap();
    fs::create_dir(cache.dir().join(RESULTS_FILE)).unwrap();
    assert!(cache.load_results(&fps).is_err(), "a directory where the file should be");
}

#[test]
fn every_truncation_is_detected() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    cache.store_results(&fps, &sample_results()).unwrap();
    cache.store_nodes(&fps, &sample_nodes()).unwrap();
    for name in [RESULTS_FILE, NODES_FILE] {
        let path = cache.dir().join(name);
        let good = fs::read(&path).unwrap();
        for len in (0..good.len()).step_by(11).chain([good.len() - 1]) {
            fs::write(&path, &good[..len]).unwrap();
            let (results, nodes) = load_both(&cache, &fps);
            match name {
                RESULTS_FILE => assert!(results.is_err(), "{name} cut at {len}: {results:?}"),
                _ => assert!(nodes.is_err(), "{name} cut at {len}: {nodes:?}"),
            }
        }
        fs::write(&path, &good).unwrap();
    }
    assert_eq!(cache.load_results(&fps).unwrap(), Some(sample_results()));
}

#[test]
fn a_flipped_byte_is_never_read_as_other_data() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    cache.store_results(&fps, &sample_results()).unwrap();
    cache.store_nodes(&fps, &sample_nodes()).unwrap();
    for name in [RESULTS_FILE, NODES_FILE] {
        let path = cache.dir().join(name);
        let good = fs::read(&path).unwrap();
        let mut detected = 0;
        for at in (0..good.len()).step_by(5) {
            let mut bad = good.clone();
            bad[at] ^= 0x55;
            fs::write(&path, &bad).unwrap();
            let (results, nodes) = load_both(&cache, &fps);
            // Either detected, or the byte did not matter (e.g. a page statistic).
            if name == RESULTS_FILE {
                match results {
                    Ok(Some(r)) => assert_eq!(r, sample_results(), "byte {at} of {name}"),
                    _ => detected += 1,
                }
            } else {
                match nodes {
                    Ok(Some(n)) => assert_eq!(n, sample_nodes(), "byte {at} of {name}"),
                    _ => detected += 1,
                }
            }
        }
        assert!(detected > good.len() / 5 / 2, "{name}: only {detected} flips detected");
        fs::write(&path, &good).unwrap();
    }
}

/// Writes a Parquet file of 3 rows with another schema, with the given footer entries.
fn write_foreign(path: &Path, kv: Vec<KeyValue>) {
    let batch = RecordBatch::try_from_iter([
        ("a", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
        ("b", Arc::new(StringArray::from(vec!["x", "y", "z"])) as ArrayRef),
    ])
    .unwrap();
    let mut writer = ArrowWriter::try_new(fs::File::create(path).unwrap(), batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    for e in kv {
        writer.append_key_value_metadata(e);
    }
    writer.close().unwrap();
}

fn footer_of(path: &Path) -> Vec<KeyValue> {
    let file = fs::File::open(path).unwrap();
    let metadata = ParquetMetaDataReader::new().parse_and_finish(&file).unwrap();
    let kv = metadata.file_metadata().key_value_metadata().unwrap();
    kv.iter().filter(|e| e.key.starts_with("srtlog.")).cloned().collect()
}

#[test]
fn foreign_parquet_files_are_errors() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    cache.store_results(&fps, &sample_results()).unwrap();
    cache.store_nodes(&fps, &sample_nodes()).unwrap();
    let results_path = cache.dir().join(RESULTS_FILE);
    let nodes_path = cache.dir().join(NODES_FILE);
    let our_footer = footer_of(&results_path);

    // A Parquet file srtlog did not write: no footer keys.
    write_foreign(&results_path, vec![]);
    let err = cache.load_results(&fps).unwrap_err();
    assert!(matches!(err, CacheError::Invalid { .. }) && err.to_string().contains("srtlog.cache"), "{err}");

    // Our footer keys over another schema.
    write_foreign(&results_path, our_footer.clone());
    let err = cache.load_results(&fps).unwrap_err();
    assert!(err.to_string().contains("schema"), "{err}");

    // The other table under this name.
    fs::copy(&nodes_path, &results_path).unwrap();
    let err = cache.load_results(&fps).unwrap_err();
    assert!(err.to_string().contains("node_metrics"), "{err}");

    // Our results, with one footer key missing.
    cache.store_results(&fps, &sample_results()).unwrap();
    let only_header: Vec<KeyValue> = our_footer.iter().filter(|e| e.key == "srtlog.cache").cloned().collect();
    write_foreign(&results_path, only_header);
    assert!(cache.load_results(&fps).is_err());

    // A store repairs whatever was there.
    cache.store_results(&fps, &sample_results()).unwrap();
    assert_eq!(cache.load_results(&fps).unwrap(), Some(sample_results()));
}

#[test]
fn a_damaged_cache_metadata_json_changes_nothing() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    cache.store_results(&fps, &sample_results()).unwrap();
    let summary = cache.dir().join(METADATA_FILE);
    fs::write(&summary, b"{\"cache_schema_version\": 1, \"files\": {\"benchmark_res").unwrap();
    assert_eq!(cache.load_results(&fps).unwrap(), Some(sample_results()));
    fs::remove_file(&summary).unwrap();
    assert_eq!(cache.load_results(&fps).unwrap(), Some(sample_results()));
    cache.store_nodes(&fps, &sample_nodes()).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&summary).unwrap()).unwrap();
    assert_eq!(v["files"][RESULTS_FILE]["rows"], 3, "rewritten from the footers");
}

#[test]
fn a_damaged_other_part_shows_in_the_summary_and_not_in_this_part() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    fs::create_dir_all(cache.dir()).unwrap();
    fs::write(cache.dir().join(NODES_FILE), b"garbage").unwrap();
    cache.store_results(&fps, &sample_results()).unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(cache.dir().join(METADATA_FILE)).unwrap()).unwrap();
    assert!(v["files"][NODES_FILE]["error"].as_str().unwrap().contains(NODES_FILE));
    assert_eq!(cache.load_results(&fps).unwrap(), Some(sample_results()));
}

#[test]
fn leftover_temporary_files_are_ignored_and_cleaned_up() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    cache.store_results(&fps, &sample_results()).unwrap();
    let old = cache.dir().join(format!(".{RESULTS_FILE}.4242.0.tmp"));
    let fresh = cache.dir().join(format!(".{RESULTS_FILE}.4243.0.tmp"));
    for p in [&old, &fresh] {
        fs::write(p, b"PAR1 half written").unwrap();
    }
    let long_ago = SystemTime::now() - Duration::from_secs(24 * 3600);
    fs::File::options().write(true).open(&old).unwrap().set_modified(long_ago).unwrap();
    assert_eq!(cache.load_results(&fps).unwrap(), Some(sample_results()), "readers ignore them");
    cache.store_results(&fps, &sample_results()).unwrap();
    assert!(!old.exists(), "a dead writer's file is removed");
    assert!(fresh.exists(), "a file that may be a live writer's is kept");
}

#[test]
fn an_unwritable_directory_is_reported_as_such() {
    use std::os::unix::fs::PermissionsExt;
    let (run, fps) = run_with_sources();
    let locked = run.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    let probe = locked.join("probe");
    if fs::write(&probe, b"").is_ok() {
        // Root ignores permissions: nothing to test here.
        eprintln!("note: running with permission to write anywhere (root?); not-writable check skipped");
        return;
    }
    let cache = RunCache::new(locked.join("cached_assets"));
    let err = cache.store_results(&fps, &sample_results()).unwrap_err();
    assert!(err.is_not_writable(), "{err:?}");
    let cache = RunCache::new(&locked);
    let err = cache.store_nodes(&fps, &sample_nodes()).unwrap_err();
    assert!(err.is_not_writable(), "{err:?}");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_cache_dir_below_a_file_is_an_error_but_not_a_permission_one() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(run.path().join("results_concurrency_4.json/cached_assets"));
    let err = cache.store_results(&fps, &sample_results()).unwrap_err();
    assert!(!err.is_not_writable(), "{err:?}");
    assert_eq!(cache.load_results(&fps).unwrap_or(None), None);
}
