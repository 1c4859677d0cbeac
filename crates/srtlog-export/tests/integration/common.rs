//! A synthetic document and helpers to read the written files back.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use srtlog_model::{
    shell_words, AnalysisDocument, BatchMetrics, BatchRow, BatchType, BenchmarkLaunchCommand, BenchmarkPoint,
    BenchmarkRun, LaunchArgs, MemoryMetricType, MemoryMetrics, Mode, ModelInfo, NodeConfig, NodeInfo,
    NodeLaunchCommand, NodeMetadata, NodeMetrics, ParallelConfig, ParseStats, ProfilerMetadata,
    ProfilerResults, ResultSource, RunMetadata, Timestamp, Tool, WorkerType,
};

/// A job id with characters a path cannot hold as they are, and a non-ASCII one (kept).
pub const ODD_JOB: &str = "3667/x=1 y%ü";

pub fn metadata(job_id: &str, mode: Mode) -> RunMetadata {
    RunMetadata {
        job_id: job_id.to_owned(),
        job_name: Some(format!("job-{job_id}")),
        run_date: Some("2026-01-16T06:10:02".to_owned()),
        mode,
        gpus_per_node: Some(4),
        gpu_type: Some("gb200".to_owned()),
        backend_type: Some("sglang".to_owned()),
        path: format!("/runs/{job_id}"),
        metadata_version: Some("2.0".to_owned()),
        ..RunMetadata::default()
    }
}

pub fn point(concurrency: Option<u32>, output_tps: f64) -> BenchmarkPoint {
    BenchmarkPoint {
        concurrency,
        output_tps: Some(output_tps),
        total_tps: Some(output_tps * 3.0),
        mean_tpot_ms: Some(20.0),
        total_input_tokens: Some(100_000),
        completed: Some(64),
        duration: Some(50.0),
        source_file: concurrency.map(|c| format!("results_concurrency_{c}.json")),
        ..Default::default()
    }
}

pub fn run(
    metadata: RunMetadata,
    profiler_metadata: ProfilerMetadata,
    points: Vec<BenchmarkPoint>,
) -> BenchmarkRun {
    let mut run = BenchmarkRun {
        metadata,
        profiler_metadata,
        profiler: ProfilerResults { source: Some(ResultSource::Json), points, warnings: vec![] },
        ..BenchmarkRun::default()
    };
    run.update_completeness();
    run
}

pub fn worker(
    node: &str,
    worker_type: WorkerType,
    id: &str,
    batches: Vec<BatchMetrics>,
    memory: Vec<MemoryMetrics>,
) -> NodeInfo {
    NodeInfo {
        metrics: NodeMetrics {
            metadata: NodeMetadata { node_name: node.to_owned(), worker_type, worker_id: id.to_owned() },
            batches: batches.into(),
            memory_snapshots: memory,
            config: ParallelConfig::default(),
            stats: ParseStats::default(),
        },
        node_config: NodeConfig::default(),
    }
}

pub fn batch(batch_type: BatchType, second: u32, running: u32) -> BatchMetrics {
    BatchRow {
        timestamp: Timestamp::from_parts(2026, 1, 16, 6, 20, second, 0),
        running_req: Some(running),
        token_usage: Some(0.25),
        ..BatchRow::new(batch_type)
    }
    .into()
}

/// The benchmark command of run `5120`: three settings (`random_input_len`, `request_rate`,
/// `percentile_metrics`).
pub const BENCH_COMMAND: &str =
    "python3 -m sa_bench --isl 1024 --request-rate inf --percentile-metrics ttft,tpot";
/// The launch command of `5120`'s prefill worker: three arguments (`tp_size`,
/// `mem_fraction_static`, `enable_dp_attention`).
pub const WORKER_COMMAND: &str =
    "python3 -m sglang.launch_server --tp 4 --mem-fraction-static 0.84 --enable-dp-attention";

/// The arguments of `command` after its program (`python3 -m x`: the words before the first
/// `--` flag), as the parsers read them.
fn args_after_program(tool: Tool, command: &str) -> LaunchArgs {
    let words: Vec<String> = shell_words(command).into_iter().skip_while(|w| !w.starts_with("--")).collect();
    LaunchArgs::from_flags(tool, &words).0
}

/// Three runs:
/// - `5120`: disaggregated 1P/2D, 12 GPUs used, complete sweep 4/8/16, two workers;
/// - `4999`: aggregated 2A, one open-loop point (no concurrency), no workers;
/// - [`ODD_JOB`]: disaggregated 1P/1D, incomplete (16 missing), unparseable date, one worker
///   with memory snapshots and no batches.
///
/// Launch arguments: `5120`'s benchmark ([`BENCH_COMMAND`]) and prefill worker
/// ([`WORKER_COMMAND`]), three each.
pub fn sample_doc() -> AnalysisDocument {
    let mut a = metadata("5120", Mode::Disaggregated);
    a.prefill_nodes = 1;
    a.decode_nodes = 2;
    a.prefill_workers = 1;
    a.decode_workers = 2;
    a.gpus_per_prefill = Some(4);
    a.gpus_per_decode = Some(4);
    a.total_gpus = 12;
    a.tags = vec!["nightly".to_owned(), "fp4".to_owned()];
    a.model = ModelInfo {
        path: Some("dsr1".to_owned()),
        precision: Some("fp4".to_owned()),
        tensor_parallel: Some(4),
    };
    let pm = ProfilerMetadata {
        profiler_type: Some("sa-bench".to_owned()),
        isl: Some(1024),
        osl: Some(1024),
        concurrencies: vec![16, 4, 8],
        req_rate: Some("inf".to_owned()),
    };
    let mut p8 = point(Some(8), 2400.0);
    p8.other_metrics = BTreeMap::from([("p90_itl_ms".to_owned(), 7.5), ("inf".to_owned(), f64::INFINITY)]);
    let mut run_a = run(a, pm, vec![point(Some(4), 1200.0), p8, point(Some(16), 3600.0)]);
    run_a.benchmark_launch_command = Some(BenchmarkLaunchCommand {
        benchmark_type: "sa-bench".to_owned(),
        raw_command: BENCH_COMMAND.to_owned(),
        args: args_after_program(Tool::SaBench, BENCH_COMMAND),
    });
    let mut zoned = batch(BatchType::Decode, 5, 32);
    zoned.timestamp = Timestamp::parse("2025-12-30T15:52:38.206058Z");
    zoned.set_cuda_graph(true);
    zoned.dp = 1;
    zoned.tp = 2;
    zoned.ep = 3;
    let mut kv = MemoryMetrics::new(MemoryMetricType::KvCache, "kv_cache_allocated");
    kv.kv_tokens = Some(1_000_000);
    kv.kv_cache_gb = Some(40.5);
    let mut weights = MemoryMetrics::new(MemoryMetricType::Memory, "load_weight_end");
    weights.avail_mem_gb = Some(100.0);
    run_a.nodes = vec![
        NodeInfo {
            node_config: NodeConfig {
                launch_command: Some(NodeLaunchCommand {
                    backend_type: "sglang".to_owned(),
                    worker_type: Some(WorkerType::Prefill),
                    raw_command: WORKER_COMMAND.to_owned(),
                    args: args_after_program(Tool::Sglang, WORKER_COMMAND),
                }),
                ..NodeConfig::default()
            },
            ..worker(
                "eos0219",
                WorkerType::Prefill,
                "w0",
                vec![
                    batch(BatchType::Prefill, 1, 4),
                    batch(BatchType::Prefill, 2, 8),
                    batch(BatchType::Prefill, 3, 2),
                ],
                vec![weights.clone(), kv],
            )
        },
        worker(
            "eos0220",
            WorkerType::Decode,
            "w1",
            vec![batch(BatchType::Decode, 4, 16), zoned],
            vec![weights.clone()],
        ),
    ];

    let mut b = metadata("4999", Mode::Aggregated);
    b.agg_nodes = 2;
    b.agg_workers = 2;
    b.gpus_per_node = Some(8);
    b.total_gpus = 16;
    b.run_date = Some("2025-12-02T21:03:11+01:00".to_owned());
    let run_b = run(
        b,
        ProfilerMetadata { profiler_type: Some("mooncake-router".to_owned()), ..Default::default() },
        vec![point(None, 8000.0)],
    );

    let mut c = metadata(ODD_JOB, Mode::Disaggregated);
    c.prefill_nodes = 1;
    c.decode_nodes = 1;
    c.prefill_workers = 1;
    c.decode_workers = 1;
    c.total_gpus = 8;
    c.run_date = Some("last tuesday".to_owned());
    c.gpu_type = Some("h100".to_owned());
    let mut run_c = run(
        c,
        ProfilerMetadata {
            profiler_type: Some("sa-bench".to_owned()),
            isl: Some(8192),
            osl: Some(1024),
            concurrencies: vec![8, 16],
            req_rate: None,
        },
        vec![point(Some(8), 900.0)],
    );
    run_c.nodes = vec![worker("gpu01", WorkerType::Decode, "w0", vec![], vec![weights])];

    AnalysisDocument { schema_version: 1, runs: vec![run_a, run_b, run_c], skipped: vec![] }
}

/// One Parquet file read back: its Arrow schema, its batches and its footer key-value pairs.
pub struct ReadBack {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub footer: BTreeMap<String, String>,
}

impl ReadBack {
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// All rows as one batch.
    pub fn batch(&self) -> RecordBatch {
        // The files of these tests are small: one record batch each (or none).
        match self.batches.as_slice() {
            [] => RecordBatch::new_empty(self.schema.clone()),
            [one] => one.clone(),
            more => panic!("expected at most one record batch, got {}", more.len()),
        }
    }
}

pub fn read(path: &Path) -> ReadBack {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let footer = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| kv.iter().map(|k| (k.key.clone(), k.value.clone().unwrap_or_default())).collect())
        .unwrap_or_default();
    let schema = builder.schema().clone();
    let batches = builder.build().unwrap().collect::<Result<Vec<_>, _>>().unwrap();
    ReadBack { schema, batches, footer }
}

/// The file of `table` for `job_id` (first part).
pub fn file(out: &Path, table: &str, job_id: &str) -> PathBuf {
    out.join(table).join(srtlog_export::partition_dir(job_id)).join("part-0.parquet")
}

/// Every file under `dir`, relative, sorted (hidden ones included).
pub fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
