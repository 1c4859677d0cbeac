//! The fixture runs of `testdata/result-runs/`, one per aiperf-based benchmark type and layout
//! and two for the rollup (the fallback, the cross-check), written from FORMATS-2 §§1–4 with the
//! values below chosen by hand (times in ms, rates per second).

use std::path::PathBuf;

use srtlog_model::{get_benchmark_parser, BenchmarkParser, BenchmarkPoint, ProfilerResults, ResultSource};

use crate::support::{parse_run, select};

fn run_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/result-runs").join(name)
}

fn parser(name: &str) -> &'static dyn BenchmarkParser {
    use srtlog_parsers_bench as _;
    get_benchmark_parser(name).unwrap()
}

fn load(run: &str, benchmark_type: &str) -> ProfilerResults {
    parse_run(parser(benchmark_type), &run_dir(run)).unwrap()
}

fn at(r: &ProfilerResults, c: u32) -> &BenchmarkPoint {
    r.points.iter().find(|p| p.concurrency == Some(c)).unwrap()
}

/// What every export of the fixtures has at concurrency `c` (its latencies scaled by `s`).
fn assert_common(p: &BenchmarkPoint, c: u32, s: f64) {
    let c64 = u64::from(c);
    let cf = f64::from(c);
    assert_eq!(
        (p.mean_ttft_ms, p.median_ttft_ms, p.p99_ttft_ms),
        (Some(100.0 * s), Some(95.0 * s), Some(250.0 * s))
    );
    assert_eq!(
        (p.mean_ttfo_ms, p.median_ttfo_ms, p.p99_ttfo_ms),
        (Some(120.0 * s), Some(110.0 * s), Some(300.0 * s))
    );
    assert_eq!((p.mean_tpot_ms, p.p99_tpot_ms), (Some(10.0 + cf / 4.0), Some(14.0 + cf / 4.0)));
    assert_eq!((p.mean_itl_ms, p.p99_itl_ms), (Some(9.75 + cf / 4.0), Some(20.0 + cf / 4.0)));
    assert_eq!(p.mean_e2el_ms, Some(1500.0 + 10.0 * cf));
    assert_eq!(
        (p.mean_prefill_tps_per_user, p.median_prefill_tps_per_user),
        (Some(10240.0 / s), Some(10778.0 / s))
    );
    assert_eq!((p.completed, p.error_count, p.num_prompts), (Some(10 * c64), Some(1), Some(10 * c64 + 1)));
    assert_eq!(
        (p.request_throughput, p.output_tps, p.total_tps),
        (Some(0.625 * cf), Some(80.0 * cf), Some(720.0 * cf))
    );
    assert_eq!(p.duration, Some(16.0));
    assert_eq!(
        (p.total_input_tokens, p.total_output_tokens, p.total_reasoning_tokens),
        (Some(10240 * c64), Some(1280 * c64), Some(320 * c64))
    );
    assert_eq!(p.window_start_unix, Some(1_785_578_523.0 + 100.0 * cf));
    assert_eq!(p.window_end_unix, Some(1_785_578_539.0 + 100.0 * cf));
    assert!(
        p.other_metrics.keys().all(|k| !k.contains("timestamp") && !k.ends_with("_sum")),
        "{:?}",
        p.other_metrics
    );
}

#[test]
fn aiperf_bench_one_directory_per_concurrency_warmup_excluded() {
    let r = load("6101", "aiperf-bench");
    assert_eq!(r.source, Some(ResultSource::Json));
    assert_eq!(r.concurrencies(), vec![4, 8], "artifacts/warmup/ (concurrency 1) is no point");
    assert_common(at(&r, 4), 4, 1.0);
    assert_common(at(&r, 8), 8, 1.0);
    assert_eq!(
        at(&r, 8).source_file.as_deref(),
        Some("logs/artifacts/Qwen3-32B_isl1024_osl128_c8_20260801_100000/profile_export_aiperf.json")
    );
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(r.warnings[0].ends_with("_c4_20260801_100000/profile_export_aiperf.json: 1 failed request(s): 503 ServiceUnavailable: worker overloaded"));
    // The warm-up export is fingerprinted (a new one must not go unnoticed), not read.
    let sources = select(parser("aiperf-bench"), &run_dir("6101"));
    assert_eq!(sources.result_files.len(), 2);
    assert_eq!(sources.files().len(), 3);
    // New columns reach the JSON; all-null new columns stay out of it.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["error_count"], serde_json::json!([1, 1]));
    assert_eq!(json["total_reasoning_tokens"], serde_json::json!([1280, 2560]));
    assert!(json.get("gpu_power_w").is_none());
}

#[test]
fn aiperf_conc_directories_schema_1_4_warmup_metrics_ignored() {
    let r = load("6102", "aiperf");
    assert_eq!(r.concurrencies(), vec![2, 16]);
    assert_common(at(&r, 2), 2, 1.0);
    // conc_16's export has no input_config: the concurrency comes from the directory name.
    assert_common(at(&r, 16), 16, 2.0);
    for p in &r.points {
        assert_ne!(p.completed, Some(2), "warmup_metrics is not the result");
    }
}

#[test]
fn trace_replay_schema_1_5_goodput_and_gpu_telemetry() {
    let r = load("6103", "trace-replay");
    assert_eq!(r.concurrencies(), vec![4]);
    let p = at(&r, 4);
    assert_common(p, 4, 1.0);
    assert_eq!((p.request_goodput, p.good_completed), (Some(2.25), Some(36)));
    // aiperf's own profiling-window totals (nvidia_*: 990 W, 15.8 kJ) win over the per-GPU
    // telemetry summary, whose window may be wider (600 + 400 W; counters up 10 kJ + 6 kJ).
    assert_eq!((p.gpu_power_w, p.gpu_energy_j), (Some(990.0), Some(15800.0)));
    assert_eq!((p.telemetry_gpus, p.gpu_utilization_pct), (Some(2), Some(70.0)));
    assert_eq!(p.other_metrics.get("nvidia_energy_per_output_token_avg"), Some(&12.5));
}

#[test]
fn agentic_aiperf_artifacts_with_and_without_a_subdirectory() {
    let r = load("6104", "agentic");
    assert_eq!(r.concurrencies(), vec![4, 8]);
    assert_common(at(&r, 4), 4, 1.0);
    assert_common(at(&r, 8), 8, 1.5);
    assert_eq!(
        at(&r, 8).source_file.as_deref(),
        Some("logs/agentic/conc_8/aiperf_artifacts/session_a/profile_export_aiperf.json")
    );
    assert!(std::ptr::eq(parser("agentx"), parser("agentic")), "agentx is an alias");
}

#[test]
fn rollup_csv_is_the_last_fallback() {
    let r = load("6105", "sa-bench");
    assert_eq!(r.source, Some(ResultSource::Rollup));
    assert_eq!(r.concurrencies(), vec![8, 64]);
    let p = at(&r, 8);
    assert_eq!((p.total_tps, p.output_tps), (Some(6000.0), Some(700.75)));
    assert_eq!((p.median_ttft_ms, p.median_tpot_ms, p.median_itl_ms), (Some(300.5), Some(9.125), Some(9.0)));
    assert_eq!(p.other_metrics.get("rollup_p90_decode_running_requests"), Some(&7.0));
    assert_eq!(p.other_metrics.get("rollup_total_working_gpu_count"), Some(&12.0));
    assert_eq!(p.source_file.as_deref(), Some("logs/benchmark-rollup.csv"));
    let p = at(&r, 64);
    assert_eq!((p.total_tps, p.output_tps, p.median_ttft_ms), (Some(41000.5), Some(4555.25), Some(812.125)));
    assert_eq!(
        r.warnings,
        ["no sa-bench result files and no benchmark.out; read the rollup logs/benchmark-rollup.csv instead"]
    );
}

#[test]
fn rollup_beside_results_is_a_cross_check() {
    let r = load("6106", "sa-bench");
    assert_eq!(r.source, Some(ResultSource::Json));
    assert_eq!(r.concurrencies(), vec![4, 8]);
    assert_eq!(at(&r, 8).output_tps, Some(760.5), "the result files win");
    // c8's TTFT differs by 0.0004 ms (rounding), its output throughput by 6.8 %; the old
    // rollup's null p99 and token totals are unknown, not zero, so they are not compared.
    assert_eq!(
        r.warnings,
        ["rollup logs/benchmark-rollup.json disagrees with the result files: concurrency 8: output_tps 760.5 vs 812 (rollup)"]
    );
}
