//! Synthetic analysis documents for the report tests.

use srtlog_model::{
    AnalysisDocument, BatchMetrics, BatchType, BenchmarkPoint, BenchmarkRun, Mode, ModelInfo, NodeConfig,
    NodeInfo, NodeMetadata, NodeMetrics, ParallelConfig, ParseStats, ProfilerMetadata, ProfilerResults,
    ResultSource, RunMetadata, SkipKind, SkippedRun, Timestamp, WorkerType, SCHEMA_VERSION,
};
use srtlog_model::{CountField, RealField};
use srtlog_model::{ExpectedDevice, GpuPowerSample, PowerManifest, PowerSource, RunPower};

/// A job name that would run script if it reached the page unescaped.
pub const HOSTILE: &str = "</script><script>alert(1)</script>";

pub fn metadata(job_id: &str, mode: Mode, workers: (u32, u32, u32), gpu: &str) -> RunMetadata {
    let (p, d, a) = workers;
    RunMetadata {
        job_id: job_id.to_owned(),
        job_name: Some(format!("sweep-{job_id}")),
        run_date: Some("2026-01-16T06:20:17".to_owned()),
        mode,
        prefill_nodes: p,
        decode_nodes: d,
        agg_nodes: a,
        prefill_workers: p,
        decode_workers: d,
        agg_workers: a,
        gpus_per_node: Some(4),
        gpu_type: Some(gpu.to_owned()),
        total_gpus: (p + d + a) * 4,
        backend_type: Some("sglang".to_owned()),
        model: ModelInfo {
            path: Some("deepseek-ai/DeepSeek-R1".to_owned()),
            precision: Some("fp4".to_owned()),
            ..ModelInfo::default()
        },
        tags: vec!["nightly".to_owned()],
        path: format!("/runs/{job_id}"),
        metadata_version: Some("2.0".to_owned()),
        ..RunMetadata::default()
    }
}

/// A plausible point: TPOT grows with concurrency, throughput with it too.
pub fn point(c: u32, speed: f64) -> BenchmarkPoint {
    let tpot = (4.0 + f64::from(c) * 0.25) / speed;
    let output_tps = f64::from(c) * 1000.0 / tpot * 0.9;
    BenchmarkPoint {
        concurrency: Some(c),
        output_tps: Some(output_tps),
        total_tps: Some(output_tps * 2.0),
        request_throughput: Some(output_tps / 1024.0),
        mean_ttft_ms: Some(100.0 + f64::from(c) * 3.0),
        median_ttft_ms: Some(90.0 + f64::from(c) * 3.0),
        p99_ttft_ms: Some(300.0 + f64::from(c) * 9.0),
        mean_tpot_ms: Some(tpot),
        median_tpot_ms: Some(tpot * 0.95),
        p99_tpot_ms: Some(tpot * 1.8),
        mean_itl_ms: Some(tpot * 1.02),
        median_itl_ms: Some(tpot),
        p99_itl_ms: Some(tpot * 3.0),
        mean_e2el_ms: Some(tpot * 1024.0),
        median_e2el_ms: Some(tpot * 1000.0),
        p99_e2el_ms: Some(tpot * 1300.0),
        completed: Some(u64::from(c) * 10),
        num_prompts: Some(u64::from(c) * 10),
        duration: Some(120.5),
        source_file: Some(format!("logs/sa-bench_isl_1024_osl_1024/results_concurrency_{c}_gpus_12.json")),
        ..Default::default()
    }
}

pub fn run(
    meta: RunMetadata,
    expected: &[u32],
    measured: &[u32],
    speed: f64,
    nodes: Vec<NodeInfo>,
) -> BenchmarkRun {
    let mut run = BenchmarkRun {
        metadata: meta,
        profiler_metadata: ProfilerMetadata {
            profiler_type: Some("sa-bench".to_owned()),
            isl: Some(1024),
            osl: Some(1024),
            concurrencies: expected.to_vec(),
            req_rate: Some("inf".to_owned()),
        },
        profiler: ProfilerResults {
            source: Some(ResultSource::Json),
            points: measured.iter().map(|c| point(*c, speed)).collect(),
            warnings: vec![],
        },
        nodes,
        ..BenchmarkRun::default()
    };
    run.update_completeness();
    run.update_derived();
    run
}

/// A worker whose `ranks` DP ranks (each logged by TP 0 and TP 1) write `n` batches each,
/// 0.25 s apart, with one spike in the middle.
pub fn node(host: &str, role: WorkerType, id: &str, ranks: u32, n: usize) -> NodeInfo {
    let t0 = Timestamp::from_parts(2026, 1, 16, 6, 20, 17, 0).unwrap().wall_micros;
    let mut batches = Vec::with_capacity(n * ranks as usize * 2);
    for i in 0..n {
        for dp in 0..ranks {
            for tp in 0..2 {
                let kind = if role == WorkerType::Prefill || (role == WorkerType::Agg && i % 5 == 0) {
                    BatchType::Prefill
                } else {
                    BatchType::Decode
                };
                let mut b = BatchMetrics::new(kind);
                b.timestamp = Some(Timestamp {
                    wall_micros: t0 + i as i64 * 250_000 + i64::from(dp) * 1000,
                    utc_offset_secs: None,
                });
                b.dp = dp;
                b.tp = tp;
                let phase = (i as f64 / 200.0).sin();
                b.set_count(CountField::RunningReq, (50.0 + 40.0 * phase) as u32);
                b.set_count(CountField::QueueReq, if i % 97 == 0 { 30 } else { 0 });
                b.set_real(RealField::TokenUsage, 0.4 + 0.3 * phase);
                if kind == BatchType::Prefill {
                    b.set_count(CountField::NewSeq, 4);
                    b.set_count(CountField::NewToken, 4096);
                    b.set_real(
                        RealField::InputThroughput,
                        if i == n / 2 { 250_000.0 } else { 16_000.0 + 4000.0 * phase },
                    );
                } else {
                    b.set_real(
                        RealField::GenThroughput,
                        if i == n / 2 { 90_000.0 } else { 3000.0 + 1000.0 * phase },
                    );
                }
                batches.push(b);
            }
        }
    }
    NodeInfo {
        metrics: NodeMetrics {
            metadata: NodeMetadata {
                node_name: host.to_owned(),
                worker_type: role,
                worker_id: id.to_owned(),
            },
            batches: batches.into(),
            memory_snapshots: vec![],
            config: ParallelConfig { dp_size: Some(ranks), ..Default::default() },
            stats: ParseStats::default(),
        },
        node_config: NodeConfig::default(),
    }
}

/// `run` with power samples: the prefill node's GPU and the decode node's two GPUs sampled
/// every second for 10 minutes, each point given a 60 s window and its output tokens, so the
/// report has an energy Pareto and a power-over-time chart.
pub fn with_power(mut run: BenchmarkRun) -> BenchmarkRun {
    let t0 = 1_768_544_417.0;
    let mut power = RunPower::new(PowerSource::PowerSamples);
    let devices = [
        ("eos0219", 0, WorkerType::Prefill),
        ("eos0220", 0, WorkerType::Decode),
        ("eos0220", 1, WorkerType::Decode),
    ];
    for k in 0..600 {
        for (i, (host, gpu, _)) in devices.iter().enumerate() {
            let watts = 300.0 + 100.0 * i as f64 + 50.0 * (f64::from(k) / 30.0).sin();
            power.gpu_samples.push(GpuPowerSample {
                t_unix: t0 + f64::from(k),
                host: (*host).to_owned(),
                gpu: *gpu,
                watts,
            });
        }
    }
    power.gpu_sample_count = power.gpu_samples.len() as u64;
    power.manifest = Some(PowerManifest {
        expected_devices: devices
            .iter()
            .map(|(host, gpu, role)| ExpectedDevice {
                host: (*host).to_owned(),
                gpu: *gpu,
                roles: vec![*role],
            })
            .collect(),
        ..Default::default()
    });
    for (i, p) in run.profiler.points.iter_mut().enumerate() {
        p.window_start_unix = Some(t0 + 5.0 + 90.0 * i as f64);
        p.window_end_unix = Some(t0 + 65.0 + 90.0 * i as f64);
        p.total_output_tokens = p.output_tps.map(|t| (t * 60.0) as u64);
    }
    run.power = Some(power);
    run.update_derived();
    run
}

/// Tachometer series of a 1P/2D run: `scrapes` scrapes 0.2 s apart of the SGLang gauges the
/// report draws, from two TP ranks of each worker (only TP 0 counts), plus DCGM power.
pub fn server_metrics(scrapes: usize) -> srtlog_model::ServerMetrics {
    use srtlog_model::{ServerMetrics, ServerSeries, ServerTimeBase, ServerWorker};
    let mut series = Vec::new();
    let t: Vec<f64> = (0..scrapes).map(|i| 1_785_578_720.0 + i as f64 * 0.2).collect();
    for (w, (endpoint, role, index, host)) in [
        ("backend_prefill0_rank0", "prefill", 0, "eos0219"),
        ("backend_decode0_rank0", "decode", 0, "eos0220"),
        ("backend_decode1_rank0", "decode", 1, "eos0221"),
    ]
    .into_iter()
    .enumerate()
    {
        let worker = ServerWorker {
            endpoint: endpoint.into(),
            role: Some(role.into()),
            index: Some(index),
            process: Some(0),
            host: Some(host.into()),
            gpu: None,
        };
        for (metric, f) in [
            ("sglang:num_running_reqs", 8.0),
            ("sglang:num_queue_reqs", 2.0),
            ("sglang:token_usage", 0.01),
            ("sglang:gen_throughput", 300.0),
        ] {
            for tp in ["0", "1"] {
                series.push(ServerSeries {
                    worker: worker.clone(),
                    metric: metric.into(),
                    labels: vec![("engine_type".into(), role.into()), ("tp_rank".into(), tp.into())],
                    le: None,
                    t: t.clone(),
                    values: (0..scrapes)
                        .map(|i| f * (1.0 + w as f64) * (1.0 + (i % 50) as f64 / 50.0))
                        .collect(),
                });
            }
        }
    }
    series.push(ServerSeries {
        worker: ServerWorker {
            endpoint: "dcgm_eos0220".into(),
            host: Some("eos0220".into()),
            gpu: Some(0),
            ..ServerWorker::default()
        },
        metric: "gpu_power".into(),
        t: t.clone(),
        values: vec![640.5; scrapes],
        ..ServerSeries::default()
    });
    ServerMetrics {
        time_base: ServerTimeBase::Unix,
        series,
        sources: vec!["logs/tachometer/final.parquet".into()],
        ..ServerMetrics::default()
    }
}

/// Three runs (one with worker metrics and power, one incomplete, one with a hostile name) and
/// two skipped.
pub fn synthetic_doc(batches_per_stream: usize) -> AnalysisDocument {
    let n = batches_per_stream;
    let disagg = run(
        metadata("4401463", Mode::Disaggregated, (1, 2, 0), "gb200"),
        &[4, 8, 16, 32, 64, 128],
        &[4, 8, 16, 32, 64, 128],
        1.0,
        vec![
            node("eos0219", WorkerType::Prefill, "w0", 1, n),
            node("eos0220", WorkerType::Decode, "w0", 2, n),
            node("eos0221", WorkerType::Decode, "w1", 2, n),
        ],
    );
    let mut disagg = with_power(disagg);
    let server = server_metrics(n.max(2));
    disagg.server_metrics_summary = Some(server.summary());
    disagg.server_metrics = Some(server);
    let mut agg_meta = metadata("5120", Mode::Aggregated, (0, 0, 4), "h100");
    agg_meta.backend_type = Some("trtllm".to_owned());
    agg_meta.tags = vec!["baseline".to_owned(), "a,b \"quoted\"".to_owned()];
    let agg = run(
        agg_meta,
        &[8, 16, 32, 64, 128],
        &[8, 16, 32, 64],
        0.7,
        vec![node("h100-1", WorkerType::Agg, "w0", 1, n / 2)],
    );
    let mut hostile_meta = metadata("4999", Mode::Disaggregated, (2, 4, 0), "gb200");
    hostile_meta.job_name = Some(HOSTILE.to_owned());
    hostile_meta.tags = vec!["<b>bold</b>".to_owned()];
    let hostile = run(hostile_meta, &[16, 64, 256], &[16, 64, 256], 1.4, vec![]);
    AnalysisDocument {
        schema_version: SCHEMA_VERSION,
        runs: vec![disagg, agg, hostile],
        skipped: vec![
            SkippedRun {
                path: "/runs/1001".to_owned(),
                job_id: Some("1001".to_owned()),
                kind: SkipKind::NoResults,
                reason: "/runs/1001/logs: no sa-bench result JSON and no benchmark.out".to_owned(),
            },
            SkippedRun {
                path: "/runs/1002".to_owned(),
                job_id: None,
                kind: SkipKind::InvalidMetadata,
                reason: format!("/runs/1002/1002.json: {HOSTILE}"),
            },
        ],
    }
}

/// One disaggregated run with `total` batches over 4 workers (2 prefill, 2 decode × 2 DP ranks
/// logged by two TP ranks each).
pub fn big_doc(total: usize) -> AnalysisDocument {
    // prefill: 1 rank × 2 tp; decode: 2 ranks × 2 tp -> 2 + 2 + 4 + 4 = 12 batches per step.
    let n = total / 12;
    let r = run(
        metadata("9000001", Mode::Disaggregated, (2, 2, 0), "gb200"),
        &[64, 128],
        &[64, 128],
        1.0,
        vec![
            node("p1", WorkerType::Prefill, "w0", 1, n),
            node("p2", WorkerType::Prefill, "w1", 1, n),
            node("d1", WorkerType::Decode, "w0", 2, n),
            node("d2", WorkerType::Decode, "w1", 2, n),
        ],
    );
    AnalysisDocument { schema_version: SCHEMA_VERSION, runs: vec![r], skipped: vec![] }
}
