//! Power and energy on the power fixtures (`testdata/power-runs/`), with every expected figure
//! worked out by hand below from the fixture's samples.
//!
//! Both runs sample four GPUs once a second from `T = 1786194600` (`k` = seconds after `T`):
//! `pw-n01` GPU 0 draws `300 + 10k` W and GPU 1 `200` W (the prefill worker's), `pw-n02` GPU 0
//! `400` W and GPU 1 `400 + 20k` W (the decode worker's). The trapezoid rule is exact on these
//! straight lines, so each integral below is the area under a line.
//!
//! - `7001` (v2 header, a manifest, CPU samples (wide) of `100` W on `pw-n01` and `120` W on
//!   `pw-n02`, samples for `k = 0..=12`): concurrency 4's result has its own window,
//!   `T+0.2 → T+4.7`; concurrency 8's has none (an older sa-bench), so the power sampler's window
//!   `T+6.9 → T+11.1` is used.
//! - `7002` (v1 header, no manifest, no CPU, samples only for `k = 0..=6`): concurrency 8's
//!   window `T+6.9 → T+11.1` has no sample in it, and its end is 5.1 s from the last one.
#![allow(clippy::unwrap_used)]

use srtlog_loader::model::{BenchmarkRun, PointEnergy, PowerSource, WindowSource, WorkerType};
use srtlog_loader::{CacheMode, LoaderOptions, RunLoader};

use crate::common::testdata;

const T: f64 = 1786194600.0;

fn load(job: &str) -> BenchmarkRun {
    let options = LoaderOptions { cache: CacheMode::Disabled, ..LoaderOptions::default() };
    RunLoader::with_options(testdata("power-runs"), options).unwrap().load_single(job).unwrap()
}

fn energy(run: &BenchmarkRun, concurrency: u32) -> &PointEnergy {
    let i = run.profiler.points.iter().position(|p| p.concurrency == Some(concurrency)).unwrap();
    &run.derived.energy[i]
}

#[test]
fn energy_of_a_two_concurrency_run_by_hand() {
    let run = load("7001");
    assert!(run.warnings.is_empty(), "{:#?}", run.warnings);
    let power = run.power.as_ref().unwrap();
    assert_eq!(power.source, PowerSource::PowerSamples);
    assert_eq!(run.derived.power_source, Some(PowerSource::PowerSamples));
    assert_eq!((power.gpu_sample_count, power.cpu_sample_count, power.bad_rows), (4 * 13, 2 * 13, 0));
    assert_eq!(power.windows.len(), 2);

    // Concurrency 4: window T+0.2 → T+4.7 (the result's own); the start snaps to k = 0 (0.2 s
    // away), the end to k = 5 (0.3 s away).
    let e = energy(&run, 4);
    assert_eq!(e.window_source, Some(WindowSource::ResultFile));
    assert_eq!((e.window_start_unix, e.window_end_unix), (Some(T + 0.2), Some(1786194604.7)));
    // pw-n01: GPU 0 ∫₀⁵ (300 + 10k) dk = 1500 + 125 = 1625, GPU 1 200 × 5 = 1000 → 2625 J.
    // pw-n02: GPU 0 400 × 5 = 2000, GPU 1 ∫₀⁵ (400 + 20k) dk = 2000 + 250 = 2250 → 4250 J.
    let gpu_j = 2625.0 + 4250.0; // 6875 J
    let duration = 1786194604.7 - (T + 0.2); // ≈ 4.5 s, as the engine computes it
    assert_eq!(e.gpu_energy_j, Some(gpu_j));
    assert_eq!(e.gpus_counted, Some(4));
    assert_eq!(e.gpu_avg_power_w, Some(gpu_j / duration));
    assert_eq!(e.avg_power_per_gpu_w, Some(gpu_j / duration / 4.0));
    // 1375 output and 5500 input tokens.
    assert_eq!(e.j_per_output_token, Some(5.0)); // 6875 / 1375
    assert_eq!(e.j_per_total_token, Some(1.0)); // 6875 / 6875
    assert_eq!(e.output_tps_per_w, Some((1375.0 / duration) / (gpu_j / duration))); // ≈ 0.2
    assert!((e.output_tps_per_w.unwrap() - 0.2).abs() < 1e-12);
    // Per role (from the manifest): prefill = pw-n01's GPUs, decode = pw-n02's.
    let roles: Vec<(WorkerType, u32, Option<f64>)> =
        e.per_role.iter().map(|r| (r.role, r.gpus, r.energy_j)).collect();
    assert_eq!(roles, [(WorkerType::Prefill, 2, Some(2625.0)), (WorkerType::Decode, 2, Some(4250.0))]);
    let per_gpu: Vec<(&str, u32, Option<f64>)> =
        e.per_gpu.iter().map(|g| (g.host.as_str(), g.gpu, g.energy_j)).collect();
    assert_eq!(
        per_gpu,
        [
            ("pw-n01", 0, Some(1625.0)),
            ("pw-n01", 1, Some(1000.0)),
            ("pw-n02", 0, Some(2000.0)),
            ("pw-n02", 1, Some(2250.0))
        ]
    );
    assert_eq!(e.per_gpu[0].avg_power_w, Some(1625.0 / duration));
    // CPU: (100 + 120) W × 5 s = 1100 J; combined 6875 + 1100 = 7975 J.
    assert_eq!(e.cpu_energy_j, Some(1100.0));
    assert_eq!(e.combined_energy_j, Some(7975.0));
    assert_eq!(e.combined_j_per_output_token, Some(7975.0 / 1375.0)); // 5.8
    assert_eq!(e.combined_j_per_total_token, Some(7975.0 / 6875.0)); // 1.16
    assert_eq!((e.reason.as_ref(), e.notes.len()), (None, 0), "{:?}", e.notes);

    // Concurrency 8: the power window T+6.9 → T+11.1 snaps to k = 7 and k = 11 (0.1 s each).
    let e = energy(&run, 8);
    assert_eq!(e.window_source, Some(WindowSource::PowerWindow));
    // pw-n01: ∫₇¹¹ (300 + 10k) dk = 1200 + 10 × (121 − 49) / 2 = 1560, plus 200 × 4 = 800.
    // pw-n02: 400 × 4 = 1600, plus ∫₇¹¹ (400 + 20k) dk = 1600 + 20 × 72 / 2 = 2320.
    let gpu_j = (1560.0 + 800.0) + (1600.0 + 2320.0); // 6280 J
    let duration = (T + 11.1) - (T + 6.9);
    assert_eq!(e.gpu_energy_j, Some(gpu_j));
    assert_eq!(e.j_per_output_token, Some(4.0)); // 6280 / 1570
    assert_eq!(e.j_per_total_token, Some(1.0)); // 6280 / (4710 + 1570)
    assert_eq!(e.output_tps_per_w, Some((1570.0 / duration) / (gpu_j / duration)));
    assert_eq!(e.cpu_energy_j, Some(220.0 * 4.0));
    assert_eq!(e.combined_energy_j, Some(6280.0 + 880.0));
}

#[test]
fn a_window_without_samples_is_null_with_a_reason() {
    let run = load("7002");
    assert!(run.warnings.is_empty(), "{:#?}", run.warnings);
    // Concurrency 4 is covered (as in 7001, without CPU and roles).
    let e = energy(&run, 4);
    assert_eq!((e.gpu_energy_j, e.j_per_output_token), (Some(6875.0), Some(5.0)));
    assert_eq!((e.cpu_energy_j, e.combined_energy_j), (None, None));
    assert!(e.per_role.is_empty());
    assert_eq!(e.notes, ["no role breakdown: no power manifest with expected devices"]);
    // Concurrency 8: the last sample is at k = 6; the window's start snaps to it (0.9 s away) but
    // its end is 11.1 − 6 = 5.1 s from it: more than 3 s, so no value, never 0.
    let e = energy(&run, 8);
    assert_eq!(e.window_source, Some(WindowSource::ResultFile));
    assert_eq!(e.gpu_energy_j, None);
    assert_eq!((e.gpu_avg_power_w, e.j_per_output_token, e.output_tps_per_w), (None, None, None));
    assert_eq!(
        e.reason.as_deref(),
        Some("GPU node pw-n01: nearest sample to the window end is 5.100 s away (more than 3 s)")
    );
    assert_eq!(e.gpus_counted, Some(4));
    assert!(e.per_gpu.iter().all(|g| g.energy_j.is_none()));
}

#[test]
fn power_is_in_the_json_without_its_samples() {
    let run = load("7001");
    let json = serde_json::to_value(&run).unwrap();
    assert_eq!(json["power"]["source"], "power_samples");
    assert_eq!(json["power"]["gpu_sample_count"], 52);
    assert!(json["power"].get("gpu_samples").is_none());
    assert_eq!(json["power"]["manifest"]["publication_valid"], true);
    assert_eq!(json["derived"]["power_source"], "power_samples");
    assert_eq!(json["derived"]["energy"][0]["j_per_output_token"], 5.0);
    assert_eq!(json["derived"]["energy"][1]["window_source"], "power_window");
    // A run without power files has neither.
    let other = RunLoader::with_options(
        testdata("runs"),
        LoaderOptions { cache: CacheMode::Disabled, with_nodes: false, ..LoaderOptions::default() },
    )
    .unwrap()
    .load_single("6003")
    .unwrap();
    let json = serde_json::to_value(&other).unwrap();
    assert!(json.get("power").is_none() && json["derived"].get("energy").is_none());
}

#[test]
fn a_damaged_power_file_is_a_warning_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_tree(&testdata("power-runs/7002"), &dir.path().join("7002"));
    let csv = dir.path().join("7002/logs/power/samples.csv");
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text.push_str("1,1786194606.5,7,pw-n01,0,GPU-010,-5\n");
    std::fs::write(&csv, text).unwrap();
    std::fs::write(dir.path().join("7002/logs/power/manifest.json"), "{not json").unwrap();
    let options = LoaderOptions { cache: CacheMode::Disabled, ..LoaderOptions::default() };
    let run = RunLoader::with_options(dir.path(), options).unwrap().load_single("7002").unwrap();
    let messages: Vec<(&str, &str)> =
        run.warnings.iter().map(|w| (w.kind.as_str(), w.message.as_str())).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert_eq!(messages[0].0, "invalid_power");
    assert_eq!(
        messages[0].1,
        "logs/power/samples.csv: 1 of 29 rows not used; logs/power/samples.csv:30: power_w `-5` is not a finite number ≥ 0"
    );
    assert!(messages[1].1.starts_with("logs/power/manifest.json: not JSON"), "{}", messages[1].1);
    // The good rows are still used.
    assert_eq!(energy(&run, 4).gpu_energy_j, Some(6875.0));
}

#[test]
fn aiperf_gpu_telemetry_is_the_source_without_the_sampler() {
    // 7002 without its power directory, with the same samples as aiperf telemetry records.
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("7002");
    crate::common::copy_tree(&testdata("power-runs/7002"), &run_dir);
    std::fs::remove_dir_all(run_dir.join("logs/power")).unwrap();
    let mut lines = String::new();
    for k in 0..=6u64 {
        for (host, gpu, w) in
            [("pw-n01", 0, 300 + 10 * k), ("pw-n01", 1, 200), ("pw-n02", 0, 400), ("pw-n02", 1, 400 + 20 * k)]
        {
            let t = (1_786_194_600 + k) * 1_000_000_000;
            lines.push_str(&format!(
                r#"{{"timestamp_ns": {t}, "dcgm_url": "http://{host}:9401/metrics", "gpu_index": {gpu}, "gpu_uuid": "G", "gpu_model_name": "B200", "hostname": "{host}", "telemetry_data": {{"gpu_power_usage": {w}.0}}}}"#
            ));
            lines.push('\n');
        }
    }
    let artifacts = run_dir.join("logs/artifacts/dsr1_c4");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(artifacts.join("gpu_telemetry_export.jsonl"), lines).unwrap();
    let options = LoaderOptions { cache: CacheMode::Disabled, ..LoaderOptions::default() };
    let run = RunLoader::with_options(dir.path(), options).unwrap().load_single("7002").unwrap();
    assert!(run.warnings.is_empty(), "{:#?}", run.warnings);
    let power = run.power.as_ref().unwrap();
    assert_eq!((power.source, power.gpu_sample_count), (PowerSource::AiperfTelemetry, 28));
    // The same samples give the same energy as the sampler's file (the by-hand figures above).
    assert_eq!(energy(&run, 4).gpu_energy_j, Some(6875.0));
    assert_eq!(energy(&run, 4).j_per_output_token, Some(5.0));
    assert!(energy(&run, 8).gpu_energy_j.is_none());
}

#[test]
fn a_warm_load_gives_the_cold_loads_power_and_energy() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_tree(&testdata("power-runs"), dir.path());
    let load = || {
        let report = RunLoader::with_options(dir.path(), LoaderOptions::default()).unwrap().load_all();
        (serde_json::to_value(report.clone().into_document()).unwrap(), report.cache)
    };
    let (cold, cold_stats) = load();
    let (warm, warm_stats) = load();
    assert!(cold_stats.writes > 0 && warm_stats.hits > 0, "{cold_stats:?} {warm_stats:?}");
    assert_eq!(warm, cold);
    assert_eq!(warm["runs"][1]["derived"]["energy"][1]["gpu_energy_j"], 6280.0);
}
