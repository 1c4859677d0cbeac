//! Fixtures and proptest strategies shared by the tests.

use srtlog_model::{CountField, RealField};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use srtlog_cache::{fingerprint_files, FileFingerprint};
use srtlog_model::{
    BatchMetrics, BatchRow, BatchType, BenchmarkPoint, MemoryMetricType, MemoryMetrics, NodeMetadata,
    NodeMetrics, ParallelConfig, ParseStats, ProfilerResults, ResultSource, Timestamp, WorkerType,
};

/// A run directory with two source files, and their fingerprints.
pub fn run_with_sources() -> (tempfile::TempDir, Vec<FileFingerprint>) {
    let run = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(run.path().join("logs")).unwrap();
    std::fs::write(run.path().join("logs/eos0219_decode_w0.out"), b"Decode batch ...\n").unwrap();
    std::fs::write(run.path().join("results_concurrency_4.json"), b"{}").unwrap();
    let fps = fingerprint_files(
        run.path(),
        &[PathBuf::from("logs/eos0219_decode_w0.out"), PathBuf::from("results_concurrency_4.json")],
    )
    .unwrap();
    (run, fps)
}

pub fn cache_dir(run: &Path) -> PathBuf {
    run.join("cached_assets")
}

pub fn ts(text: &str) -> Option<Timestamp> {
    Some(text.parse().unwrap())
}

/// Results with every kind of value: all fields set, all unset, infinity, open loop.
pub fn sample_results() -> ProfilerResults {
    let full = BenchmarkPoint {
        concurrency: Some(4),
        output_tps: Some(1024.5),
        total_tps: Some(2048.25),
        request_throughput: Some(3.5),
        request_goodput: Some(3.25),
        peak_output_tps: Some(1100.0),
        mean_ttft_ms: Some(120.125),
        median_ttft_ms: Some(110.0),
        p99_ttft_ms: Some(300.75),
        std_ttft_ms: Some(12.5),
        mean_tpot_ms: Some(8.5),
        median_tpot_ms: Some(8.25),
        p99_tpot_ms: Some(15.0),
        std_tpot_ms: Some(1.5),
        mean_itl_ms: Some(8.0),
        median_itl_ms: Some(7.75),
        p99_itl_ms: Some(20.0),
        std_itl_ms: Some(2.0),
        mean_e2el_ms: Some(9000.5),
        median_e2el_ms: Some(8900.0),
        p99_e2el_ms: Some(12000.0),
        std_e2el_ms: Some(500.0),
        total_input_tokens: Some(8_192_000),
        total_output_tokens: Some(1_024_000),
        completed: Some(1000),
        num_prompts: Some(1000),
        duration: Some(285.714),
        request_rate: Some(f64::INFINITY),
        error_count: Some(3),
        good_completed: Some(990),
        mean_ttfo_ms: Some(130.5),
        median_ttfo_ms: Some(120.0),
        p99_ttfo_ms: Some(310.25),
        mean_prefill_tps_per_user: Some(68_000.5),
        median_prefill_tps_per_user: Some(70_000.0),
        total_reasoning_tokens: Some(12_345),
        window_start_unix: Some(1_785_578_523.123_456),
        window_end_unix: Some(1_785_578_808.837_456),
        telemetry_gpus: Some(8),
        gpu_power_w: Some(5600.5),
        gpu_energy_j: Some(1_600_142.8),
        gpu_utilization_pct: Some(91.25),
        other_metrics: [("p90_itl_ms".to_owned(), 7.25), ("p99.9_ttft_ms".to_owned(), 0.1 + 0.2)].into(),
        source_file: Some("sa-bench_isl_8192_osl_1024/results_concurrency_4_gpus_8.json".to_owned()),
    };
    let open_loop = BenchmarkPoint {
        concurrency: None,
        output_tps: Some(99.5),
        request_rate: Some(2.5),
        ..Default::default()
    };
    ProfilerResults {
        source: Some(ResultSource::Json),
        points: vec![full, BenchmarkPoint { concurrency: Some(16), ..Default::default() }, open_loop],
        warnings: vec!["results_concurrency_8.json: invalid JSON at line 1".to_owned()],
    }
}

pub fn meta(node: &str, worker_type: WorkerType, id: &str) -> NodeMetadata {
    NodeMetadata { node_name: node.to_owned(), worker_type, worker_id: id.to_owned() }
}

/// Two workers: one with batches (with and without zone) and memory snapshots, one with nothing.
pub fn sample_nodes() -> Vec<NodeMetrics> {
    let mut prefill = BatchMetrics::new(BatchType::Prefill);
    prefill.timestamp = ts("2026-01-16T06:20:17");
    prefill.set_count(CountField::NewSeq, 3);
    prefill.set_count(CountField::NewToken, 8192);
    prefill.set_count(CountField::CachedToken, 0);
    prefill.set_real(RealField::TokenUsage, 0.25);
    prefill.set_real(RealField::InputThroughput, 12345.5);
    prefill.set_cuda_graph(false);
    let mut decode = BatchMetrics::new(BatchType::Decode);
    decode.timestamp = ts("2025-12-30T15:52:38.206058+01:00");
    decode.dp = 3;
    decode.tp = 1;
    decode.ep = 7;
    decode.set_count(CountField::RunningReq, 64);
    decode.set_real(RealField::GenThroughput, 4096.0);
    decode.set_cuda_graph(true);
    let untimed = BatchMetrics::new(BatchType::Decode);
    let mut kv = MemoryMetrics::new(MemoryMetricType::KvCache, "kv_cache_allocated");
    kv.timestamp = ts("2025-12-30T15:52:38Z");
    kv.kv_cache_gb = Some(61.5);
    kv.kv_tokens = Some(1_048_576);
    let mut mem = MemoryMetrics::new(MemoryMetricType::Memory, "load_weight_end");
    mem.avail_mem_gb = Some(120.25);
    mem.mem_usage_gb = Some(58.5);
    let busy = NodeMetrics {
        metadata: meta("eos0219", WorkerType::Decode, "w0"),
        batches: vec![prefill, decode, untimed].into(),
        memory_snapshots: vec![kv, mem],
        config: ParallelConfig {
            tp_size: Some(8),
            dp_size: Some(8),
            ep_size: Some(8),
            enable_dp_attention: Some(true),
            max_running_requests: Some(512),
            ..Default::default()
        },
        stats: ParseStats {
            bytes: 1_000_000,
            lines: 20_000,
            malformed_lines: 2,
            diagnostics: vec!["eos0219_decode_w0.out:17: bad number".to_owned()],
            ..Default::default()
        },
    };
    let idle = NodeMetrics {
        metadata: meta("eos0220", WorkerType::Prefill, "w1"),
        batches: vec![].into(),
        memory_snapshots: vec![],
        config: ParallelConfig::default(),
        stats: ParseStats::default(),
    };
    vec![busy, idle]
}

// ---- proptest strategies ----

/// Any float but NaN: normal, subnormal, zero of either sign, infinities.
pub fn f64_no_nan() -> impl Strategy<Value = f64> {
    use proptest::num::f64 as f;
    f::POSITIVE | f::NEGATIVE | f::NORMAL | f::SUBNORMAL | f::ZERO | f::INFINITE
}

fn opt<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    proptest::option::of(s).boxed()
}

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,12}"
}

/// Any time a log can print: years 1 to 9999, offsets within a day. (The footer keeps worker
/// summaries, whose first and last batch times are ISO 8601 text, which has no year beyond
/// those.)
fn timestamp() -> impl Strategy<Value = Option<Timestamp>> {
    const YEAR_1: i64 = -62_135_596_800_000_000;
    const YEAR_10000: i64 = 253_402_300_800_000_000;
    proptest::option::of(
        (YEAR_1..YEAR_10000, proptest::option::of(-86_399..86_400i32))
            .prop_map(|(wall_micros, utc_offset_secs)| Timestamp { wall_micros, utc_offset_secs }),
    )
}

pub fn point() -> impl Strategy<Value = BenchmarkPoint> {
    (
        opt(any::<u32>()),
        proptest::collection::vec(opt(f64_no_nan()), 33),
        proptest::collection::vec(opt(any::<u64>()), 8),
        proptest::collection::btree_map(text(), f64_no_nan(), 0..4),
        opt(text()),
    )
        .prop_map(|(concurrency, f, u, other_metrics, source_file)| {
            let (mut f, mut u) = (f.into_iter(), u.into_iter());
            let mut f = move || f.next().flatten();
            let mut u = move || u.next().flatten();
            BenchmarkPoint {
                concurrency,
                output_tps: f(),
                total_tps: f(),
                request_throughput: f(),
                request_goodput: f(),
                peak_output_tps: f(),
                mean_ttft_ms: f(),
                median_ttft_ms: f(),
                p99_ttft_ms: f(),
                std_ttft_ms: f(),
                mean_tpot_ms: f(),
                median_tpot_ms: f(),
                p99_tpot_ms: f(),
                std_tpot_ms: f(),
                mean_itl_ms: f(),
                median_itl_ms: f(),
                p99_itl_ms: f(),
                std_itl_ms: f(),
                mean_e2el_ms: f(),
                median_e2el_ms: f(),
                p99_e2el_ms: f(),
                std_e2el_ms: f(),
                total_input_tokens: u(),
                total_output_tokens: u(),
                completed: u(),
                num_prompts: u(),
                duration: f(),
                request_rate: f(),
                error_count: u(),
                good_completed: u(),
                mean_ttfo_ms: f(),
                median_ttfo_ms: f(),
                p99_ttfo_ms: f(),
                mean_prefill_tps_per_user: f(),
                median_prefill_tps_per_user: f(),
                total_reasoning_tokens: u(),
                window_start_unix: f(),
                window_end_unix: f(),
                telemetry_gpus: u(),
                gpu_power_w: f(),
                gpu_energy_j: f(),
                gpu_utilization_pct: f(),
                other_metrics,
                source_file,
            }
        })
}

pub fn results() -> impl Strategy<Value = ProfilerResults> {
    (
        prop_oneof![Just(None), Just(Some(ResultSource::Json)), Just(Some(ResultSource::BenchmarkOut))],
        proptest::collection::vec(point(), 0..6),
        proptest::collection::vec(text(), 0..3),
    )
        .prop_map(|(source, points, warnings)| ProfilerResults { source, points, warnings })
}

fn batch() -> impl Strategy<Value = BatchMetrics> {
    (
        timestamp(),
        (any::<u32>(), any::<u32>(), any::<u32>()),
        prop_oneof![Just(BatchType::Prefill), Just(BatchType::Decode)],
        proptest::collection::vec(opt(f64_no_nan()), 9),
        proptest::collection::vec(opt(any::<u32>()), 13),
        (opt(any::<u64>()), opt(any::<bool>())),
    )
        .prop_map(|(timestamp, (dp, tp, ep), batch_type, f, u, (iteration, cuda_graph))| {
            let (mut f, mut u) = (f.into_iter(), u.into_iter());
            let mut f = move || f.next().flatten();
            let mut u = move || u.next().flatten();
            BatchMetrics::from(BatchRow {
                timestamp,
                dp,
                tp,
                ep,
                batch_type,
                new_seq: u(),
                new_token: u(),
                cached_token: u(),
                token_usage: f(),
                running_req: u(),
                queue_req: u(),
                prealloc_req: u(),
                inflight_req: u(),
                transfer_req: u(),
                num_tokens: u(),
                input_throughput: f(),
                gen_throughput: f(),
                preallocated_usage: f(),
                retracted_req: u(),
                unbootstrapped_req: u(),
                accept_len: f(),
                accept_rate: f(),
                cuda_graph,
                swa_tokens: u(),
                swa_token_usage: f(),
                iteration,
                host_step_time_ms: f(),
                prev_device_step_time_ms: f(),
                cached_kv_tokens: u(),
            })
        })
}

fn memory() -> impl Strategy<Value = MemoryMetrics> {
    (
        timestamp(),
        (any::<u32>(), any::<u32>(), any::<u32>()),
        prop_oneof![Just(MemoryMetricType::Memory), Just(MemoryMetricType::KvCache)],
        text(),
        proptest::collection::vec(opt(f64_no_nan()), 3),
        opt(any::<u64>()),
    )
        .prop_map(|(timestamp, (dp, tp, ep), metric_type, event, f, kv_tokens)| MemoryMetrics {
            timestamp,
            dp,
            tp,
            ep,
            metric_type,
            event,
            avail_mem_gb: f[0],
            mem_usage_gb: f[1],
            kv_cache_gb: f[2],
            kv_tokens,
        })
}

fn parallel_config() -> impl Strategy<Value = ParallelConfig> {
    (
        proptest::collection::vec(opt(any::<u32>()), 4),
        opt(any::<bool>()),
        proptest::collection::vec(opt(any::<u64>()), 3),
    )
        .prop_map(|(u32s, enable_dp_attention, u64s)| ParallelConfig {
            tp_size: u32s[0],
            dp_size: u32s[1],
            ep_size: u32s[2],
            pp_size: u32s[3],
            enable_dp_attention,
            max_running_requests: u64s[0],
            max_num_tokens: u64s[1],
            context_length: u64s[2],
        })
}

fn parse_stats() -> impl Strategy<Value = ParseStats> {
    (proptest::collection::vec(any::<u64>(), 5), proptest::collection::vec(text(), 0..3)).prop_map(
        |(n, diagnostics)| ParseStats {
            bytes: n[0],
            lines: n[1],
            malformed_lines: n[2],
            idle_iterations: n[3],
            truncated_lines: n[4],
            diagnostics,
        },
    )
}

pub fn node() -> impl Strategy<Value = NodeMetrics> {
    (
        // Few names, so that two workers with one identity occur.
        prop_oneof![Just("eos0219".to_owned()), Just("eos0220".to_owned()), text()],
        prop_oneof![Just(WorkerType::Prefill), Just(WorkerType::Decode), Just(WorkerType::Agg)],
        prop_oneof![Just("w0".to_owned()), Just("w1".to_owned())],
        proptest::collection::vec(batch(), 0..20),
        proptest::collection::vec(memory(), 0..5),
        parallel_config(),
        parse_stats(),
    )
        .prop_map(|(node, worker_type, id, batches, memory_snapshots, config, stats)| NodeMetrics {
            metadata: meta(&node, worker_type, &id),
            batches: batches.into(),
            memory_snapshots,
            config,
            stats,
        })
}

pub fn nodes() -> impl Strategy<Value = Vec<NodeMetrics>> {
    proptest::collection::vec(node(), 0..5)
}
