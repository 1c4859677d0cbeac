//! `load(store(x)) == x`, validity and the independence of the two parts.

use srtlog_model::derived::derive_workers;
use srtlog_model::{CountField, RealField};
use std::fs;
use std::sync::{Arc, Barrier};

use parquet::file::metadata::ParquetMetaDataReader;
use proptest::prelude::*;
use srtlog_cache::{
    fingerprint_files, FileFingerprint, RunCache, CACHE_SCHEMA_VERSION, METADATA_FILE, NODES_FILE,
    RESULTS_FILE,
};
use srtlog_model::{
    BatchMetrics, BatchType, NodeMetrics, ParallelConfig, ParseStats, ProfilerResults, WorkerType,
};

use crate::common::{self, cache_dir, meta, run_with_sources, sample_nodes, sample_results};

#[test]
fn results_round_trip_exactly() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    assert_eq!(cache.dir(), cache_dir(run.path()));
    let results = sample_results();
    cache.store_results(&fps, &results).unwrap();
    let loaded = cache.load_results(&fps).unwrap().expect("valid cache");
    assert_eq!(loaded, results);
    assert_eq!(loaded.points[0].request_rate, Some(f64::INFINITY));
    assert_eq!(loaded.points[2].concurrency, None);
    // A warm load prints exactly what a cold one does.
    assert_eq!(serde_json::to_string(&loaded).unwrap(), serde_json::to_string(&results).unwrap());
}

#[test]
fn empty_results_round_trip() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    let empty = ProfilerResults::default();
    cache.store_results(&fps, &empty).unwrap();
    assert_eq!(cache.load_results(&fps).unwrap(), Some(empty));
}

#[test]
fn nodes_round_trip_exactly_with_idle_workers() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    let nodes = sample_nodes();
    cache.store_nodes(&fps, &nodes).unwrap();
    let loaded = cache.load_nodes(&fps).unwrap().expect("valid cache");
    assert_eq!(loaded, nodes);
    assert!(loaded[1].batches.is_empty() && loaded[1].memory_snapshots.is_empty());
    assert_eq!(loaded[0].batches.get(1).unwrap().timestamp.unwrap().utc_offset_secs, Some(3600));
    assert_eq!(loaded[0].batches.get(0).unwrap().timestamp.unwrap().utc_offset_secs, None);
    assert_eq!(serde_json::to_string(&loaded).unwrap(), serde_json::to_string(&nodes).unwrap());

    cache.store_nodes(&fps, &[]).unwrap();
    assert_eq!(cache.load_nodes(&fps).unwrap(), Some(vec![]));
}

#[test]
fn worker_summaries_come_from_the_footer_and_equal_the_engine_over_the_rows() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    assert_eq!(cache.load_node_summaries(&fps).unwrap(), None, "nothing stored yet");
    let nodes = sample_nodes();
    cache.store_nodes(&fps, &nodes).unwrap();

    let (workers, derived) = cache.load_node_summaries(&fps).unwrap().expect("valid cache");
    let refs: Vec<&NodeMetrics> = nodes.iter().collect();
    assert_eq!(derived, derive_workers(&refs));
    assert!(derived.workers[0].prefill_batches + derived.workers[0].decode_batches > 0);
    assert_eq!(workers.len(), nodes.len());
    for (w, n) in workers.iter().zip(&nodes) {
        assert!(w.batches.is_empty() && w.memory_snapshots.is_empty());
        assert_eq!((&w.metadata, &w.config, &w.stats), (&n.metadata, &n.config, &n.stats));
    }

    let mut changed = fps.clone();
    changed[0].mtime_ns += 1;
    assert_eq!(cache.load_node_summaries(&changed).unwrap(), None, "stale like the rows");

    // Only the footer is read: damaged rows fail a full load, never a summary load.
    let path = cache_dir(run.path()).join(NODES_FILE);
    let mut bytes = fs::read(&path).unwrap();
    bytes[10] ^= 0xff;
    fs::write(&path, &bytes).unwrap();
    assert!(cache.load_nodes(&fps).is_err());
    assert_eq!(cache.load_node_summaries(&fps).unwrap().map(|(_, d)| d), Some(derive_workers(&refs)));

    // A damaged footer is an error, as for a full load.
    let cut = bytes.len() - 20;
    fs::write(&path, &bytes[..cut]).unwrap();
    assert!(cache.load_node_summaries(&fps).is_err());
}

#[test]
fn two_workers_with_one_identity_stay_apart() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    let mut a = sample_nodes().remove(0);
    a.batches.truncate(1);
    let mut b = a.clone();
    b.batches = vec![BatchMetrics::new(BatchType::Prefill); 3].into();
    b.stats.lines = 7;
    let nodes = vec![a, b];
    cache.store_nodes(&fps, &nodes).unwrap();
    assert_eq!(cache.load_nodes(&fps).unwrap(), Some(nodes));
}

#[test]
fn a_large_node_table_is_written_in_bounded_row_groups() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    let mut batch = BatchMetrics::new(BatchType::Decode);
    batch.set_count(CountField::RunningReq, 1);
    let workers: Vec<NodeMetrics> = (0..3)
        .map(|i| {
            let batches = (0..100_000u64)
                .map(|n| {
                    let mut b = batch.clone();
                    b.set_iteration(n);
                    b.set_real(RealField::GenThroughput, n as f64 / 3.0);
                    b
                })
                .collect();
            NodeMetrics {
                metadata: meta(&format!("node{i}"), WorkerType::Decode, "w0"),
                batches,
                memory_snapshots: vec![],
                config: ParallelConfig::default(),
                stats: ParseStats::default(),
            }
        })
        .collect();
    cache.store_nodes(&fps, &workers).unwrap();
    let file = fs::File::open(cache.dir().join(NODES_FILE)).unwrap();
    let metadata = ParquetMetaDataReader::new().parse_and_finish(&file).unwrap();
    assert!(metadata.num_row_groups() >= 3, "{} row groups", metadata.num_row_groups());
    assert!(metadata.row_groups().iter().all(|rg| rg.num_rows() <= 128 * 1024));
    assert_eq!(cache.load_nodes(&fps).unwrap(), Some(workers));
}

#[test]
fn a_changed_added_or_removed_source_makes_a_part_stale() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    let results = sample_results();
    cache.store_results(&fps, &results).unwrap();

    // Order does not matter.
    let reversed: Vec<FileFingerprint> = fps.iter().rev().cloned().collect();
    assert_eq!(cache.load_results(&reversed).unwrap(), Some(results.clone()));

    let mut changed = fps.clone();
    changed[0].mtime_ns += 1;
    assert_eq!(cache.load_results(&changed).unwrap(), None);
    let mut grown = fps.clone();
    grown[1].size += 1;
    assert_eq!(cache.load_results(&grown).unwrap(), None);
    assert_eq!(cache.load_results(&fps[..1]).unwrap(), None);
    let mut more = fps.clone();
    more.push(FileFingerprint { path: "logs/new.out".into(), size: 1, mtime_ns: 1 });
    assert_eq!(cache.load_results(&more).unwrap(), None);

    // Really touching a file changes its fingerprint.
    fs::write(run.path().join("results_concurrency_4.json"), b"{\"max_concurrency\": 4}").unwrap();
    let now = fingerprint_files(
        run.path(),
        &["logs/eos0219_decode_w0.out".into(), "results_concurrency_4.json".into()],
    )
    .unwrap();
    assert_ne!(now, fps);
    assert_eq!(cache.load_results(&now).unwrap(), None);
    cache.store_results(&now, &results).unwrap();
    assert_eq!(cache.load_results(&now).unwrap(), Some(results));
}

#[test]
fn results_and_nodes_are_independent_parts() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    assert_eq!(cache.load_results(&fps).unwrap(), None, "missing directory");
    assert_eq!(cache.load_nodes(&fps).unwrap(), None);
    assert!(!cache.dir().exists(), "loading creates nothing");

    let result_sources = &fps[1..];
    let node_sources = &fps[..1];
    cache.store_results(result_sources, &sample_results()).unwrap();
    assert_eq!(cache.load_nodes(node_sources).unwrap(), None, "nodes not stored yet");
    cache.store_nodes(node_sources, &sample_nodes()).unwrap();
    assert_eq!(cache.load_results(result_sources).unwrap(), Some(sample_results()));
    assert_eq!(cache.load_nodes(node_sources).unwrap(), Some(sample_nodes()));
    // Each part is checked against its own sources.
    assert_eq!(cache.load_nodes(result_sources).unwrap(), None);

    // Replacing one part leaves the other valid.
    let mut fewer = sample_results();
    fewer.points.truncate(1);
    cache.store_results(result_sources, &fewer).unwrap();
    assert_eq!(cache.load_nodes(node_sources).unwrap(), Some(sample_nodes()));
    assert_eq!(cache.load_results(result_sources).unwrap(), Some(fewer));
}

#[test]
fn the_footer_holds_version_fingerprints_and_extras() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    cache.store_nodes(&fps, &sample_nodes()).unwrap();
    let file = fs::File::open(cache.dir().join(NODES_FILE)).unwrap();
    let metadata = ParquetMetaDataReader::new().parse_and_finish(&file).unwrap();
    let kv = metadata.file_metadata().key_value_metadata().unwrap();
    let get = |key: &str| {
        let text = kv.iter().find(|e| e.key == key).and_then(|e| e.value.clone()).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    let header = get("srtlog.cache");
    assert_eq!(header["cache_schema_version"], CACHE_SCHEMA_VERSION);
    assert_eq!(header["table"], "node_metrics");
    assert_eq!(header["rows"], 5);
    assert_eq!(header["fingerprints"], serde_json::to_value(&fps).unwrap());
    let extras = get("srtlog.cache.extras");
    assert_eq!(extras["workers"][1]["node_name"], "eos0220");
    assert_eq!(extras["workers"][1]["batch_rows"], 0);
    assert_eq!(extras["workers"][0]["config"]["tp_size"], 8);
    assert_eq!(extras["workers"][0]["stats"]["malformed_lines"], 2);
}

#[test]
fn cache_metadata_json_summarises_both_parts() {
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    cache.store_results(&fps, &sample_results()).unwrap();
    cache.store_nodes(&fps[..1], &sample_nodes()).unwrap();
    let text = fs::read_to_string(cache.dir().join(METADATA_FILE)).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(summary["cache_schema_version"], CACHE_SCHEMA_VERSION);
    assert_eq!(summary["srtlog_version"], env!("CARGO_PKG_VERSION"));
    assert!(summary["updated_at"].as_str().unwrap().ends_with('Z'));
    let results = &summary["files"][RESULTS_FILE];
    assert_eq!(results["rows"], 3);
    assert_eq!(results["source"], "json");
    assert_eq!(results["warnings"], 1);
    assert_eq!(results["fingerprints"].as_array().unwrap().len(), 2);
    let nodes = &summary["files"][NODES_FILE];
    assert_eq!(nodes["workers"], 2);
    assert_eq!(nodes["batch_rows"], 3);
    assert_eq!(nodes["memory_rows"], 2);
    assert_eq!(nodes["fingerprints"].as_array().unwrap().len(), 1);
    let names: Vec<_> = fs::read_dir(cache.dir()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 3, "no temporary file left: {names:?}");
}

#[test]
fn concurrent_writers_and_readers_never_see_a_partial_file() {
    let (run, fps) = run_with_sources();
    let dir = cache_dir(run.path());
    let a = sample_results();
    let mut b = sample_results();
    b.points.truncate(1);
    RunCache::new(&dir).store_results(&fps, &a).unwrap();
    let barrier = Arc::new(Barrier::new(3));
    std::thread::scope(|s| {
        for results in [&a, &b] {
            let (dir, fps, barrier) = (&dir, &fps, Arc::clone(&barrier));
            s.spawn(move || {
                barrier.wait();
                for _ in 0..20 {
                    RunCache::new(dir).store_results(fps, results).unwrap();
                }
            });
        }
        barrier.wait();
        for _ in 0..40 {
            let loaded = RunCache::new(&dir).load_results(&fps).unwrap().expect("always a valid file");
            assert!(loaded == a || loaded == b);
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_results_round_trip(results in common::results()) {
        let (run, fps) = run_with_sources();
        let cache = RunCache::new(cache_dir(run.path()));
        cache.store_results(&fps, &results).unwrap();
        let loaded = cache.load_results(&fps).unwrap();
        prop_assert_eq!(loaded.as_ref(), Some(&results));
        prop_assert_eq!(serde_json::to_string(&loaded.unwrap()).unwrap(), serde_json::to_string(&results).unwrap());
    }

    #[test]
    fn any_nodes_round_trip(nodes in common::nodes()) {
        let (run, fps) = run_with_sources();
        let cache = RunCache::new(cache_dir(run.path()));
        cache.store_nodes(&fps, &nodes).unwrap();
        let loaded = cache.load_nodes(&fps).unwrap();
        prop_assert_eq!(loaded.as_ref(), Some(&nodes));
        prop_assert_eq!(serde_json::to_string(&loaded.unwrap()).unwrap(), serde_json::to_string(&nodes).unwrap());
    }

    #[test]
    fn any_fingerprints_validate_only_themselves(
        paths in proptest::collection::btree_set("[a-z]{1,3}(/[a-z]{1,3})?", 0..5),
        size in any::<u64>(),
        mtime_ns in any::<i128>(),
    ) {
        let run = tempfile::tempdir().unwrap();
        let cache = RunCache::new(run.path().join("c"));
        let fps: Vec<FileFingerprint> =
            paths.iter().map(|p| FileFingerprint { path: p.clone(), size, mtime_ns }).collect();
        cache.store_results(&fps, &ProfilerResults::default()).unwrap();
        prop_assert_eq!(cache.load_results(&fps).unwrap(), Some(ProfilerResults::default()));
        if let Some(first) = fps.first() {
            let mut other = fps.clone();
            other[0] = FileFingerprint { mtime_ns: first.mtime_ns.wrapping_add(1), ..first.clone() };
            prop_assert_eq!(cache.load_results(&other).unwrap(), None);
        }
    }
}

#[test]
fn server_metrics_round_trip_exactly_across_batches() {
    use srtlog_model::{ServerMetrics, ServerSeries, ServerTimeBase, ServerWorker};
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    assert_eq!(cache.load_server_metrics(&fps).unwrap(), None, "nothing stored yet");
    // More points than one batch (8 Ki rows), so that a series spans batches.
    let long = ServerSeries {
        worker: ServerWorker {
            endpoint: "backend_decode0_rank0".into(),
            role: Some("decode".into()),
            index: Some(0),
            process: Some(0),
            host: Some("n1".into()),
            gpu: None,
        },
        metric: "sglang:num_running_reqs".into(),
        labels: vec![("engine_type".into(), "decode".into()), ("tp_rank".into(), "0".into())],
        le: None,
        t: (0..10_000).map(|i| 1.8e9 + f64::from(i) * 0.2).collect(),
        values: (0..10_000).map(|i| f64::from(i % 64)).collect(),
    };
    let bucket = ServerSeries {
        metric: "sglang:time_to_first_token_seconds".into(),
        le: Some(f64::INFINITY),
        t: vec![1.8e9],
        values: vec![16.0],
        ..long.clone()
    };
    let power = ServerSeries {
        worker: ServerWorker {
            endpoint: "dcgm_n1".into(),
            host: Some("n1".into()),
            gpu: Some(3),
            ..ServerWorker::default()
        },
        metric: "gpu_power".into(),
        t: vec![1.8e9, 1.8e9 + 0.2],
        values: vec![180.378, 181.5],
        ..ServerSeries::default()
    };
    let metrics = ServerMetrics {
        time_base: ServerTimeBase::Unix,
        series: vec![long, bucket, power],
        sources: vec![
            "logs/tachometer/incomplete-2.parquet".into(),
            "logs/tachometer/local/current.arrow".into(),
        ],
        duplicate_rows: 7,
        skipped_rows: 1,
    };
    let warnings = vec!["logs/tachometer/local/out-3.parquet: damaged".to_owned()];
    cache.store_server_metrics(&fps, &metrics, &warnings).unwrap();
    let (loaded, loaded_warnings) = cache.load_server_metrics(&fps).unwrap().expect("valid cache");
    assert_eq!(loaded, metrics);
    assert_eq!(loaded_warnings, warnings);
    // Other fingerprints: stale.
    assert_eq!(cache.load_server_metrics(&fps[..1]).unwrap(), None);
    // An empty set round-trips too (a run whose files held no usable row).
    let empty =
        ServerMetrics { sources: vec!["logs/tachometer/final.parquet".into()], ..ServerMetrics::default() };
    cache.store_server_metrics(&fps, &empty, &[]).unwrap();
    assert_eq!(cache.load_server_metrics(&fps).unwrap().unwrap().0, empty);
}
