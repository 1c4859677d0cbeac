//! The power sampler's files, from fixtures written here from the format's facts
//! (`../shared/FORMATS-2.md` §6: SRT-1 `core/power/contract.py` v1 header, the SRT-2 v2 header
//! with `gpu_util_pct,sm_active`, the CPU v1 long and v2 wide headers, the manifest's keys and
//! the window file), with the expected values read off by hand.
#![allow(clippy::unwrap_used)]

use srtlog_model::{FileEntry, RunFiles, WorkerType};
use srtlog_parsers_telemetry::power::{
    parse_manifest, parse_window, read_cpu_samples, read_gpu_samples, select, PowerFiles,
};

/// v1: the exact SRT-1 header; `timestamp_unix` written with `repr()`, one `scrape_seq` per cycle.
const GPU_V1: &str = "\
schema_version,timestamp_unix,scrape_seq,hostname,gpu_index,gpu_uuid,power_w
1,1786194600.0451102,0,gb200-n01,0,GPU-1a2b,412.5
1,1786194600.0451102,0,gb200-n01,1,GPU-3c4d,398.25
1,1786194601.0462,1,gb200-n01,0,GPU-1a2b,NaN
1,1786194601.0462,1,gb200-n01,1,GPU-3c4d,-1.0
1,1786194601.0462,1,gb200-n01,x,GPU-5e6f,100
1,,1,gb200-n01,2,GPU-7a8b,100
";

/// v2: two columns appended; either may be blank.
const GPU_V2: &str = "\
schema_version,timestamp_unix,scrape_seq,hostname,gpu_index,gpu_uuid,power_w,gpu_util_pct,sm_active
2,1786194600.5,0,gb200-n02,3,GPU-9f00,655.0,97,0.81
2,1786194601.5,1,gb200-n02,3,GPU-9f00,660.5,,
2,1786194602.5,2,gb200-n02,3,GPU-9f00,,,
";

#[test]
fn gpu_samples_v1_keep_valid_rows_and_name_the_bad_ones() {
    let read = read_gpu_samples(GPU_V1.as_bytes(), "logs/power/samples.csv").unwrap();
    assert_eq!(read.schema_version.as_deref(), Some("1"));
    assert_eq!((read.rows, read.samples.len(), read.bad_rows), (6, 2, 4));
    let s = &read.samples[1];
    assert_eq!((s.t_unix, s.host.as_str(), s.gpu, s.watts), (1786194600.0451102, "gb200-n01", 1, 398.25));
    assert_eq!(
        read.diagnostics,
        [
            "logs/power/samples.csv:4: power_w `NaN` is not a finite number ≥ 0",
            "logs/power/samples.csv:5: power_w `-1.0` is not a finite number ≥ 0",
            "logs/power/samples.csv:6: gpu_index `x` is not an integer",
            "logs/power/samples.csv:7: timestamp_unix `` is not a finite number",
        ]
    );
}

#[test]
fn gpu_samples_v2_select_columns_by_name() {
    let read = read_gpu_samples(GPU_V2.as_bytes(), "s.csv").unwrap();
    assert_eq!(read.schema_version.as_deref(), Some("2"));
    let got: Vec<(f64, u32, f64)> = read.samples.iter().map(|s| (s.t_unix, s.gpu, s.watts)).collect();
    assert_eq!(got, [(1786194600.5, 3, 655.0), (1786194601.5, 3, 660.5)]);
    assert_eq!(read.diagnostics, ["s.csv:4: power_w `` is not a finite number ≥ 0"]);
    // Reordered columns (and an extra `temperature_c`) read the same.
    let moved = "hostname,power_w,temperature_c,gpu_index,timestamp_unix\nn,1.5,40,0,10\n";
    let read = read_gpu_samples(moved.as_bytes(), "m.csv").unwrap();
    assert_eq!((read.samples[0].t_unix, read.samples[0].watts, read.bad_rows), (10.0, 1.5, 0));
}

#[test]
fn a_cut_last_row_is_a_bad_row_not_a_failure() {
    let cut = "schema_version,timestamp_unix,scrape_seq,hostname,gpu_index,gpu_uuid,power_w\n1,5.0,0,n,0,G,10\n1,6.0,1,n";
    let read = read_gpu_samples(cut.as_bytes(), "c.csv").unwrap();
    assert_eq!((read.samples.len(), read.bad_rows), (1, 1));
    assert_eq!(read.diagnostics, ["c.csv:3: gpu_index `` is not an integer"]);
}

#[test]
fn cpu_samples_v1_long_keep_one_node_total_per_instant() {
    // One row per rail per instant; total_power_w is the node's sum, repeated.
    let long = "\
schema_version,timestamp_unix,hostname,source,sensor,socket_id,power_w,total_power_w
1,100.0,n01,acpi,CPU0:cpuSidePowerUsageW,0,210.0,400.0
1,100.0,n01,acpi,CPU0:cpuRailPowerUsageW,0,150.0,400.0
1,100.0,n01,acpi,CPU1:cpuSidePowerUsageW,1,190.0,400.0
1,101.0,n01,acpi,CPU0:cpuSidePowerUsageW,0,220.0,410.0
1,101.0,n01,acpi,CPU1:cpuSidePowerUsageW,1,190.0,410.0
";
    let read = read_cpu_samples(long.as_bytes(), "logs/power/cpu/samples.csv").unwrap();
    let got: Vec<(f64, &str, f64)> =
        read.samples.iter().map(|s| (s.t_unix, s.host.as_str(), s.watts)).collect();
    assert_eq!(got, [(100.0, "n01", 400.0), (101.0, "n01", 410.0)]);
    assert_eq!((read.rows, read.bad_rows), (5, 0));
}

#[test]
fn cpu_samples_v2_wide_never_add_the_rails_and_skip_a_blank_total() {
    let wide = "\
schema_version,timestamp_unix,hostname,source,sensor,socket_id,power_w,cpu_rail_w,soc_w,dram_w,module_w,total_power_w
2,100.0,n01,acpi,CPU0:cpuSidePowerUsageW,0,210.0,150.0,40.0,20.0,900.0,400.0
2,100.0,n01,acpi,CPU1:cpuSidePowerUsageW,1,190.0,140.0,30.0,20.0,880.0,400.0
2,100.0,n02,dcgm,CPU0:cpuPowerUsageW,0,180.0,,,,,
2,101.0,n01,acpi,CPU0:cpuSidePowerUsageW,0,215.0,150.0,45.0,20.0,900.0,inf
";
    let read = read_cpu_samples(wide.as_bytes(), "logs/cpu_power/samples.csv").unwrap();
    let got: Vec<(f64, &str, f64)> =
        read.samples.iter().map(|s| (s.t_unix, s.host.as_str(), s.watts)).collect();
    assert_eq!(got, [(100.0, "n01", 400.0)]);
    assert_eq!(
        read.diagnostics,
        ["logs/cpu_power/samples.csv:5: total_power_w `inf` is not a finite number ≥ 0"]
    );
    let e = read_cpu_samples("timestamp_unix,hostname,power_w\n".as_bytes(), "x.csv").unwrap_err();
    assert_eq!(e.to_string(), "x.csv: not a CPU power samples file: no `total_power_w` column");
}

#[test]
fn window_files_keep_status_edges_and_result_path() {
    let completed = br#"{"schema_version": 1, "benchmark_type": "sa-bench", "result_path": "sa-bench_isl_8192_osl_1024/results_concurrency_64_gpus_16_ctx_8_gen_8.json",
 "concurrency": 64, "benchmark_start_time_unix": 1786194600.12, "benchmark_end_time_unix": 1786194780.55,
 "duration": 180.41, "clock_source": "head_node_unix_clock", "status": "completed", "reason": null}"#;
    let w = parse_window(completed, "logs/power/windows/results_concurrency_64.json").unwrap();
    assert_eq!(
        (w.concurrency, w.start_unix, w.end_unix),
        (Some(64), Some(1786194600.12), Some(1786194780.55))
    );
    assert!(w.is_completed());
    assert_eq!(
        w.result_path.as_deref(),
        Some("sa-bench_isl_8192_osl_1024/results_concurrency_64_gpus_16_ctx_8_gen_8.json")
    );
    let interrupted = br#"{"schema_version": 1, "benchmark_type": "sa-bench", "concurrency": 8, "benchmark_start_time_unix": 5.0,
 "benchmark_end_time_unix": null, "duration": null, "status": "interrupted", "reason": "job cancelled"}"#;
    let w = parse_window(interrupted, "w.json").unwrap();
    assert!(!w.is_completed());
    assert_eq!(
        (w.status.as_deref(), w.reason.as_deref(), w.end_unix),
        (Some("interrupted"), Some("job cancelled"), None)
    );
}

#[test]
fn the_manifest_gives_roles_validity_and_window_checks() {
    let manifest = br#"{
  "schema_version": 1, "producer": "srt-slurm.dcgm-power", "source_metric": "DCGM_FI_DEV_POWER_USAGE", "unit": "W",
  "sample_interval_seconds": 1.0, "status": "complete", "publication_valid": true,
  "expected_devices": [
    {"hostname": "n01", "gpu_index": 0, "assignments": [{"worker_role": "prefill", "worker_index": 0, "worker_process": 0, "het_group": 0}]},
    {"hostname": "n01", "gpu_index": 1, "assignments": [{"worker_role": "decode", "worker_index": 0}, {"worker_role": "prefill", "worker_index": 1}]},
    {"hostname": "n02", "gpu_index": 0, "assignments": [{"worker_role": "router"}]}
  ],
  "window_validations": [
    {"benchmark_type": "sa-bench", "concurrency": 8, "window_file": "windows/results_concurrency_8.json", "power_coverage_valid": false,
     "reason_codes": ["sample_gap_exceeded"], "per_device_max_sample_gap_seconds": {"n01/GPU-1": 4.2}}
  ],
  "reason_codes": []
}"#;
    let m = parse_manifest(manifest, "logs/power/manifest.json").unwrap();
    assert_eq!(
        (m.status.as_deref(), m.publication_valid, m.sample_interval_seconds),
        (Some("complete"), Some(true), Some(1.0))
    );
    assert_eq!(m.roles_of("n01", 0), [WorkerType::Prefill]);
    assert_eq!(m.roles_of("n01", 1), [WorkerType::Prefill, WorkerType::Decode]);
    assert!(m.roles_of("n02", 0).is_empty(), "an unknown role is left out");
    let v = &m.window_validations[0];
    assert_eq!((v.concurrency, v.power_coverage_valid), (Some(8), Some(false)));
    assert_eq!(v.reason_codes, ["sample_gap_exceeded"]);
}

#[test]
fn the_files_are_selected_from_the_listing() {
    let f = |p: &str| FileEntry::file(p, 1, 0);
    let files = RunFiles::new(
        "/r",
        vec![
            f("logs/power/samples.csv"),
            f("logs/power/manifest.json"),
            f("logs/power/windows/results_concurrency_8.json"),
            f("logs/power/windows/results_concurrency_16.json"),
            f("logs/power/cpu/samples.csv"),
            f("logs/power/cpu/cpu_manifest.json"),
            f("logs/cpu_power/samples.csv"),
            f("logs/sa-bench_isl_1_osl_1/results_concurrency_8.json"),
            FileEntry::dir("logs/power/windows", 0),
        ],
    );
    assert_eq!(
        select(&files),
        PowerFiles {
            gpu_samples: Some("logs/power/samples.csv".into()),
            manifest: Some("logs/power/manifest.json".into()),
            windows: vec![
                "logs/power/windows/results_concurrency_16.json".into(),
                "logs/power/windows/results_concurrency_8.json".into()
            ],
            cpu_samples: vec!["logs/cpu_power/samples.csv".into(), "logs/power/cpu/samples.csv".into()],
        }
    );
}

/// aiperf's `TelemetryRecord` lines (`gpu_telemetry_export.jsonl`): epoch-ns time, the GPU's
/// metadata, `telemetry_data` with power in W and energy in MJ.
const AIPERF_TELEMETRY: &str = r#"{"timestamp_ns": 1762551534797067827, "dcgm_url": "http://node-a01:9401/metrics", "gpu_index": 0, "gpu_uuid": "GPU-ef6e", "gpu_model_name": "NVIDIA B200", "pci_bus_id": "00000000:02:00.0", "device": "nvidia0", "hostname": "node-a01", "telemetry_data": {"gpu_power_usage": 612.5, "energy_consumption": 1.25, "gpu_utilization": 97.0}}
{"timestamp_ns": 1762551535130000000, "dcgm_url": "http://node-a02:9401/metrics", "gpu_index": 3, "gpu_uuid": "GPU-0a0b", "gpu_model_name": "NVIDIA B200", "telemetry_data": {"nvidia_gpu_power_usage": 580.0}}

{"timestamp_ns": 1762551535463000000, "dcgm_url": "pynvml://localhost", "gpu_index": 1, "gpu_uuid": "GPU-1", "gpu_model_name": "x", "hostname": null, "telemetry_data": {"gpu_power_usage": null, "gpu_utilization": 5.0}}
not json
"#;

#[test]
fn aiperf_gpu_telemetry_is_a_time_series_per_gpu() {
    use srtlog_parsers_telemetry::power::{read_aiperf_gpu_telemetry, select_aiperf_telemetry};
    let read = read_aiperf_gpu_telemetry(AIPERF_TELEMETRY.as_bytes(), "t.jsonl");
    let got: Vec<(f64, &str, u32, f64)> =
        read.samples.iter().map(|s| (s.t_unix, s.host.as_str(), s.gpu, s.watts)).collect();
    assert_eq!(
        got,
        [
            (1762551534.0 + 0.797067827, "node-a01", 0, 612.5),
            // No hostname: the host of dcgm_url; the nvidia_ spelling.
            (1762551535.13, "node-a02", 3, 580.0),
        ]
    );
    assert_eq!((read.rows, read.bad_rows), (4, 2));
    assert_eq!(read.diagnostics[0], "t.jsonl:4: no gpu_power_usage that is a finite number ≥ 0");
    assert!(read.diagnostics[1].starts_with("t.jsonl:5: not a telemetry record"), "{:?}", read.diagnostics);
    let f = |p: &str| FileEntry::file(p, 1, 0);
    let files = RunFiles::new(
        "/r",
        vec![
            f("logs/artifacts/run_c4/gpu_telemetry_export.jsonl"),
            f("logs/artifacts/warmup/gpu_telemetry_export.jsonl"),
            f("logs/artifacts/run_c4/profile_export.jsonl"),
        ],
    );
    assert_eq!(select_aiperf_telemetry(&files), ["logs/artifacts/run_c4/gpu_telemetry_export.jsonl"]);
}
