//! Tachometer series through the loader: the fixture run 6001 (2.x layout) has a
//! `logs/tachometer/final.parquet` (written by `srtlog-parsers-telemetry`'s `write_fixture`
//! test helper) beside 2.x's `logs/telemetry/` of scraper logs. Every load lists the file in
//! the run's summary; `with_server_metrics` reads it, cold and warm alike; a damaged file is a
//! warning naming it; `logs/telemetry/` is the data dir only when it holds Tachometer files.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::fs;
use std::path::Path;

use srtlog_loader::{
    list_run_files, tachometer_files, tachometer_gpu_power, CacheMode, LoaderOptions, RunLoader,
};
use srtlog_model::{BenchmarkRun, RunWarningKind, ServerTimeBase};

use crate::common::{copy_tree, testdata};

fn load(
    run: &Path,
    with_server_metrics: bool,
    cache: CacheMode,
) -> (BenchmarkRun, srtlog_loader::CacheStats) {
    let options = LoaderOptions { cache, with_nodes: false, with_server_metrics, ..LoaderOptions::default() };
    let mut report = RunLoader::with_options(run, options).unwrap().load_all();
    assert_eq!(report.runs.len(), 1, "skipped: {:?}", report.skipped);
    (report.runs.remove(0), report.cache)
}

#[test]
fn the_fixture_series_load_when_asked_and_are_listed_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("6001");
    copy_tree(&testdata("runs/6001"), &run);

    let (listed, _) = load(&run, false, CacheMode::Disabled);
    assert!(listed.server_metrics.is_none());
    let summary = listed.server_metrics_summary.as_ref().unwrap();
    assert!(!summary.read);
    assert_eq!(summary.sources, ["logs/tachometer/final.parquet"]);
    let json = serde_json::to_value(&listed).unwrap();
    assert_eq!(json["server_metrics_summary"]["read"], false);

    let (cold, stats) = load(&run, true, CacheMode::InRunDir);
    assert!(run.join("cached_assets/server_metrics.parquet").is_file());
    assert!(stats.writes >= 1);
    let m = cold.server_metrics.as_ref().unwrap();
    assert_eq!((m.time_base, m.points(), m.series.len()), (ServerTimeBase::Unix, 54, 18));
    let running: Vec<_> = m.metric("sglang:num_running_reqs").collect();
    assert_eq!(running.len(), 3);
    let d1 = running
        .iter()
        .find(|s| s.worker.role.as_deref() == Some("decode") && s.worker.index == Some(1))
        .unwrap();
    assert_eq!(d1.worker.host.as_deref(), Some("gb-n03"));
    assert_eq!(d1.t, [1_785_578_720.25, 1_785_578_721.25, 1_785_578_722.25]);
    assert_eq!(d1.values, [10.0, 11.0, 12.0]);
    let power = m.gpu_power_samples();
    assert_eq!(power.len(), 6);
    assert_eq!((power[0].host.as_str(), power[0].gpu, power[0].watts), ("gb-n02", 0, 640.5));
    let summary = cold.server_metrics_summary.as_ref().unwrap();
    assert!(summary.read);
    assert_eq!((summary.points, summary.endpoints), (Some(54), Some(5)));

    // Warm: the same run, the same JSON, from the cache.
    let (warm, stats) = load(&run, true, CacheMode::InRunDir);
    assert!(stats.hits >= 1);
    assert_eq!(warm.server_metrics, cold.server_metrics);
    assert_eq!(serde_json::to_string(&warm).unwrap(), serde_json::to_string(&cold).unwrap());
}

#[test]
fn a_damaged_shard_is_a_warning_naming_it_and_the_others_load() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("6001");
    copy_tree(&testdata("runs/6001"), &run);
    let dir = run.join("logs/tachometer");
    // An in-progress run: the compacted file is an incomplete one, with a damaged IPC tail.
    fs::rename(dir.join("final.parquet"), dir.join("incomplete-1.parquet")).unwrap();
    fs::create_dir_all(dir.join("local")).unwrap();
    fs::write(dir.join("local/current.arrow"), b"\xff\xff\xff\xffnot an arrow stream").unwrap();
    for cache in [CacheMode::InRunDir, CacheMode::InRunDir, CacheMode::Disabled] {
        let (loaded, _) = load(&run, true, cache);
        let warnings: Vec<_> =
            loaded.warnings.iter().filter(|w| w.kind == RunWarningKind::InvalidServerMetrics).collect();
        assert_eq!(warnings.len(), 1, "{:?}", loaded.warnings);
        assert!(
            warnings[0].message.starts_with("logs/tachometer/local/current.arrow: "),
            "{}",
            warnings[0].message
        );
        assert_eq!(loaded.server_metrics.as_ref().unwrap().points(), 54);
        assert_eq!(
            loaded.server_metrics_summary.as_ref().unwrap().sources,
            ["logs/tachometer/incomplete-1.parquet", "logs/tachometer/local/current.arrow"]
        );
    }
}

#[test]
fn the_telemetry_dir_is_the_data_dir_only_with_tachometer_files() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("6001");
    copy_tree(&testdata("runs/6001"), &run);
    fs::remove_dir_all(run.join("logs/tachometer")).unwrap();
    // 2.x: logs/telemetry/ holds only the scraper's logs and config.
    assert!(tachometer_files(&list_run_files(&run)).is_empty());
    let (loaded, _) = load(&run, true, CacheMode::Disabled);
    assert!(loaded.server_metrics.is_none() && loaded.server_metrics_summary.is_none());
    // Early v1: the data is in logs/telemetry/ (+ local/).
    fs::create_dir_all(run.join("logs/telemetry/local")).unwrap();
    fs::copy(
        testdata("runs/6001/logs/tachometer/final.parquet"),
        run.join("logs/telemetry/local/out-1.parquet"),
    )
    .unwrap();
    assert_eq!(tachometer_files(&list_run_files(&run)), ["logs/telemetry/local/out-1.parquet"]);
    let (loaded, _) = load(&run, true, CacheMode::Disabled);
    assert_eq!(loaded.server_metrics.as_ref().unwrap().points(), 54);
}

#[test]
fn gpu_power_alone_is_read_with_the_metric_subset() {
    let files = list_run_files(&testdata("runs/6001"));
    let (samples, errors) = tachometer_gpu_power(&files);
    assert!(errors.is_empty(), "{errors:?}");
    // Two GPUs of gb-n02 × three scrapes, GPU 0 first.
    let got: Vec<(&str, u32, f64, f64)> =
        samples.iter().map(|s| (s.host.as_str(), s.gpu, s.t_unix, s.watts)).collect();
    assert_eq!(
        got,
        [
            ("gb-n02", 0, 1_785_578_720.25, 640.5),
            ("gb-n02", 0, 1_785_578_721.25, 650.5),
            ("gb-n02", 0, 1_785_578_722.25, 660.5),
            ("gb-n02", 1, 1_785_578_720.25, 655.25),
            ("gb-n02", 1, 1_785_578_721.25, 665.25),
            ("gb-n02", 1, 1_785_578_722.25, 675.25),
        ]
    );
    assert_eq!(tachometer_gpu_power(&list_run_files(&testdata("runs/4999"))), (vec![], vec![]));
}
