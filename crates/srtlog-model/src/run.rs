//! What a run is: its metadata, what its benchmark was asked to do, and the assembled [`BenchmarkRun`].

use serde::{Deserialize, Serialize};

use crate::derived_values::{RunDerived, WorkersDerived};
use crate::node::NodeInfo;
use crate::results::{BenchmarkLaunchCommand, ProfilerResults};

/// How the serving system was deployed.
///
/// The default, disaggregated, is the common SRT-SLURM setup; it exists so that tests and
/// examples can spell only the [`RunMetadata`] fields they need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Separate prefill and decode workers.
    #[default]
    Disaggregated,
    /// Workers that do both prefill and decode.
    Aggregated,
}

impl Mode {
    /// The serialized name (`disaggregated`, `aggregated`), as the JSON, the CSV and the dataset
    /// write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Disaggregated => "disaggregated",
            Mode::Aggregated => "aggregated",
        }
    }
}

/// The model a run served.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Model path or name as given to the job (`/model`, `dsr1`, `deepseek-ai/DeepSeek-R1`).
    pub path: Option<String>,
    /// Weight precision (`fp4`, `fp8`, `bf16`).
    pub precision: Option<String>,
    /// Tensor-parallel size when the metadata states one for the whole run.
    pub tensor_parallel: Option<u32>,
}

/// Metadata of one run, from `{job_id}.json` / `metadata.json` (v2 or legacy v1.0) and `config.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunMetadata {
    /// SLURM job id (always a string, as the job writes it).
    pub job_id: String,
    /// Job name given at submission.
    pub job_name: Option<String>,
    /// When the job metadata was written (`generated_at`, or the legacy `run_date`), ISO 8601.
    pub run_date: Option<String>,
    /// Disaggregated (prefill + decode workers) or aggregated.
    pub mode: Mode,
    /// Nodes given to prefill workers.
    pub prefill_nodes: u32,
    /// Nodes given to decode workers.
    pub decode_nodes: u32,
    /// Nodes given to aggregated workers.
    pub agg_nodes: u32,
    /// Number of prefill workers.
    pub prefill_workers: u32,
    /// Number of decode workers.
    pub decode_workers: u32,
    /// Number of aggregated workers.
    pub agg_workers: u32,
    /// GPUs on each node.
    pub gpus_per_node: Option<u32>,
    /// GPUs each prefill worker uses, when the metadata says (may be fewer than a node has).
    pub gpus_per_prefill: Option<u32>,
    /// GPUs each decode worker uses, when the metadata says.
    pub gpus_per_decode: Option<u32>,
    /// GPUs each aggregated worker uses, when the metadata says.
    pub gpus_per_agg: Option<u32>,
    /// GPU model (`gb200`, `h100`).
    pub gpu_type: Option<String>,
    /// GPUs allocated to the workers: nodes × `gpus_per_node` (0 when `gpus_per_node` is unknown).
    pub total_gpus: u32,
    /// Container image of the workers.
    pub container: Option<String>,
    /// Serving backend (`sglang`, `trtllm`, `vllm`), when known.
    pub backend_type: Option<String>,
    /// Frontend (`dynamo`, `sglang`, `trtllm_serve`), when known.
    pub frontend_type: Option<String>,
    /// The served model.
    pub model: ModelInfo,
    /// User tags.
    pub tags: Vec<String>,
    /// The run directory.
    pub path: String,
    /// Which metadata shape was read: `"2.0"`, `"1.0"`, or the `version` field as written.
    pub metadata_version: Option<String>,
}

impl RunMetadata {
    /// The topology label users speak of: `2P/4D` (prefill/decode workers) or `8A` (aggregated workers).
    pub fn topology(&self) -> String {
        match self.mode {
            Mode::Disaggregated => format!("{}P/{}D", self.prefill_workers, self.decode_workers),
            Mode::Aggregated => format!("{}A", self.agg_workers),
        }
    }

    /// GPUs the workers actually use: `workers × gpus_per_{role}` when the metadata gives
    /// GPUs per worker (they can be fewer than a node has), else [`RunMetadata::total_gpus`]
    /// (nodes × GPUs per node). `None` when neither is known.
    pub fn gpus_used(&self) -> Option<u32> {
        let per_worker = match self.mode {
            Mode::Disaggregated => self
                .gpus_per_prefill
                .zip(self.gpus_per_decode)
                .map(|(p, d)| self.prefill_workers * p + self.decode_workers * d),
            Mode::Aggregated => self.gpus_per_agg.map(|a| self.agg_workers * a),
        };
        per_worker.filter(|g| *g > 0).or((self.total_gpus > 0).then_some(self.total_gpus))
    }

    /// Recomputes [`RunMetadata::total_gpus`] from nodes and `gpus_per_node`.
    pub fn allocated_gpus(&self) -> u32 {
        let nodes = match self.mode {
            Mode::Disaggregated => self.prefill_nodes + self.decode_nodes,
            Mode::Aggregated => self.agg_nodes,
        };
        nodes * self.gpus_per_node.unwrap_or(0)
    }
}

/// What the benchmark was asked to do, from the metadata's `benchmark` block and `config.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfilerMetadata {
    /// Benchmark type (`sa-bench`, `mooncake-router`, ...).
    pub profiler_type: Option<String>,
    /// Input sequence length.
    pub isl: Option<u32>,
    /// Output sequence length.
    pub osl: Option<u32>,
    /// Concurrencies the sweep was asked to run, in the order given.
    pub concurrencies: Vec<u32>,
    /// Request rate as written (`inf`, `300`).
    pub req_rate: Option<String>,
}

/// Everything srtlog knows about one run. This is one element of the JSON document's `runs`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkRun {
    /// Run metadata.
    pub metadata: RunMetadata,
    /// What the benchmark was asked to do.
    pub profiler_metadata: ProfilerMetadata,
    /// Benchmark results, one column entry per concurrency.
    pub profiler: ProfilerResults,
    /// Whether every expected concurrency has a result.
    pub is_complete: bool,
    /// Expected concurrencies without a result, ascending.
    pub missing_concurrencies: Vec<u32>,
    /// The benchmark client's command and settings, when `benchmark.out` shows them.
    pub benchmark_launch_command: Option<BenchmarkLaunchCommand>,
    /// One entry per worker (empty when node parsing was not asked for).
    pub nodes: Vec<NodeInfo>,
    /// Metrics derived from the results and workers (see [`crate::derived`] for the formulas);
    /// call [`BenchmarkRun::update_derived`] after changing `profiler` or `nodes`.
    #[serde(default)]
    pub derived: RunDerived,
    /// Set when the workers were loaded as summaries, without their batches and memory
    /// snapshots (a valid cache keeps the summaries beside the batches; see
    /// `srtlog_loader::NodeDetail`): the per-worker part of `derived` then comes from here.
    /// Not part of the JSON document, which is always written from fully loaded workers.
    #[serde(skip)]
    pub worker_summaries: Option<WorkersDerived>,
    /// Per-request records of aiperf-based benchmarks (`profile_export.jsonl`), all phases and
    /// errors included, in file order; empty unless the loader was asked for them. Not part of
    /// the JSON document: a run can hold millions; they go to the dataset's `requests/` table
    /// (see [`crate::RequestRecord`]).
    #[serde(skip)]
    pub requests: Vec<crate::RequestRecord>,
}

impl BenchmarkRun {
    /// Sets `is_complete` and `missing_concurrencies` from the expected concurrencies and the results.
    pub fn update_completeness(&mut self) {
        let have: std::collections::BTreeSet<u32> =
            self.profiler.points.iter().filter_map(|p| p.concurrency).collect();
        let mut missing: Vec<u32> =
            self.profiler_metadata.concurrencies.iter().copied().filter(|c| !have.contains(c)).collect();
        missing.sort_unstable();
        missing.dedup();
        self.is_complete = missing.is_empty() && !self.profiler.points.is_empty();
        self.missing_concurrencies = missing;
    }
}

/// Why a run directory was not loaded. Serialized in `snake_case` (`no_metadata`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipKind {
    /// No `{job_id}.json` or `metadata.json`.
    NoMetadata,
    /// The metadata file is not valid JSON or lacks what a run needs.
    InvalidMetadata,
    /// `config.yaml` exists but cannot be read.
    InvalidConfig,
    /// No benchmark results in any supported source.
    NoResults,
    /// Result files exist but none could be read.
    InvalidResults,
    /// A profiling job (torch profiler, nsys): it measures no serving throughput.
    ProfilingJob,
    /// The benchmark type has no registered parser (accuracy evals such as `gpqa`, `gsm8k`).
    UnsupportedBenchmark,
    /// A file could not be read.
    IoError,
}

impl SkipKind {
    /// The machine-readable name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipKind::NoMetadata => "no_metadata",
            SkipKind::InvalidMetadata => "invalid_metadata",
            SkipKind::InvalidConfig => "invalid_config",
            SkipKind::NoResults => "no_results",
            SkipKind::InvalidResults => "invalid_results",
            SkipKind::ProfilingJob => "profiling_job",
            SkipKind::UnsupportedBenchmark => "unsupported_benchmark",
            SkipKind::IoError => "io_error",
        }
    }
}

/// A run directory that could not be loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRun {
    /// The run directory.
    pub path: String,
    /// Job id, when it could be told.
    pub job_id: Option<String>,
    /// Machine-readable reason.
    pub kind: SkipKind,
    /// Human-readable reason naming the file concerned.
    pub reason: String,
}

/// The JSON document printed by `analyze --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisDocument {
    /// Version of this document's shape; see [`SCHEMA_VERSION`](crate::SCHEMA_VERSION).
    pub schema_version: u32,
    /// Loaded runs, newest job first.
    pub runs: Vec<BenchmarkRun>,
    /// Runs that could not be loaded.
    pub skipped: Vec<SkippedRun>,
}
