//! What a run is: its metadata, what its benchmark was asked to do, and the assembled [`BenchmarkRun`].

use serde::{Deserialize, Serialize};

use crate::accuracy::AccuracyResult;
use crate::derived_values::{RunDerived, WorkersDerived};
use crate::node::{NodeInfo, WorkerType};
use crate::power::RunPower;
use crate::results::{BenchmarkLaunchCommand, ProfilerResults};
use crate::server_metrics::{ServerMetrics, ServerMetricsSummary};
use crate::setup::RunSetup;

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
    /// `true` when the job only served and ran no benchmark client (2.x `--serve-only`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serve_only: Option<bool>,
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
    /// Worker roles with fewer workers in the logs than the metadata names (empty when every
    /// worker was found, or when worker logs were not read); see
    /// [`BenchmarkRun::update_missing_workers`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_workers: Vec<MissingWorkers>,
    /// What the run was set up with (container, framework versions, GPUs, config), from the
    /// metadata, `config.yaml`, `recipe.lock.yaml`, fingerprints and the resource snapshot.
    /// Configuration: read fresh on every load, never cached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<RunSetup>,
    /// What could not be read while the run still loaded (results, config, workers, setup
    /// files), each with a machine-readable kind and a message naming the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<RunWarning>,
    /// Set when the workers were loaded as summaries, without their batches and memory
    /// snapshots (a valid cache keeps the summaries beside the batches; see
    /// `srtlog_loader::NodeDetail`): the per-worker part of `derived` then comes from here.
    /// Not part of the JSON document, which is always written from fully loaded workers.
    #[serde(skip)]
    pub worker_summaries: Option<WorkersDerived>,
    /// Accuracy results of the run's evals, one per task, metric and filter (an eval run has
    /// only these; a throughput run with a post-eval has both). Left out of the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accuracy: Vec<AccuracyResult>,
    /// Accuracy files that could not be read or parsed, each named. Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accuracy_warnings: Vec<String>,
    /// Per-request records of aiperf-based benchmarks (`profile_export.jsonl`), all phases and
    /// errors included, in file order; empty unless the loader was asked for them. Not part of
    /// the JSON document: a run can hold millions; they go to the dataset's `requests/` table
    /// (see [`crate::RequestRecord`]).
    #[serde(skip)]
    pub requests: Vec<crate::RequestRecord>,
    /// The run's power record: which source its power figures come from, the files read, the
    /// power sampler's manifest summary and windows (the samples themselves are not in the
    /// JSON; see [`crate::RunPower`]). Left out when the run has no power data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<RunPower>,
    /// The servers' own time series (Tachometer), when the loader was asked for them. Not part
    /// of the JSON document (a run can hold millions of points): they go to the dataset's
    /// `server_metrics/` table; the JSON has [`BenchmarkRun::server_metrics_summary`].
    #[serde(skip)]
    pub server_metrics: Option<ServerMetrics>,
    /// What the run's Tachometer files are and, when they were read, what they held (series,
    /// points, metrics, time range). Left out of the JSON when the run has no Tachometer data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_metrics_summary: Option<ServerMetricsSummary>,
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

    /// Sets [`BenchmarkRun::missing_workers`] from the worker counts the metadata names and
    /// the workers in [`BenchmarkRun::nodes`]. Call it only once the worker logs have been
    /// read: before that, `nodes` is empty because nothing was looked at, not because the
    /// workers are missing.
    ///
    /// A worker is one `(role, worker id)`: a worker spanning several nodes is counted once.
    /// A role whose count the metadata does not give (0) is never reported.
    pub fn update_missing_workers(&mut self) {
        let roles: &[(WorkerType, u32)] = match self.metadata.mode {
            Mode::Disaggregated => &[
                (WorkerType::Prefill, self.metadata.prefill_workers),
                (WorkerType::Decode, self.metadata.decode_workers),
            ],
            Mode::Aggregated => &[(WorkerType::Agg, self.metadata.agg_workers)],
        };
        self.missing_workers = roles
            .iter()
            .filter(|(_, expected)| *expected > 0)
            .filter_map(|&(worker_type, expected)| {
                let found: std::collections::BTreeSet<&str> = self
                    .nodes
                    .iter()
                    .map(|n| &n.metrics.metadata)
                    .filter(|m| m.worker_type == worker_type)
                    .map(|m| m.worker_id.as_str())
                    .collect();
                let found_count = u32::try_from(found.len()).unwrap_or(u32::MAX);
                (found_count < expected).then(|| MissingWorkers {
                    worker_type,
                    expected,
                    found: found_count,
                    // srtctl numbers the workers of a role `w0`, `w1`, ...: the ids not seen.
                    absent_ids: (0..expected)
                        .map(|i| format!("w{i}"))
                        .filter(|id| !found.contains(id.as_str()))
                        .collect(),
                })
            })
            .collect();
    }

    /// Adds a warning (see [`RunWarning`]).
    pub fn warn(&mut self, kind: RunWarningKind, message: impl Into<String>) {
        self.warnings.push(RunWarning { kind, message: message.into() });
    }
}

/// A worker role with fewer workers in the logs than the metadata names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingWorkers {
    /// The role.
    pub worker_type: WorkerType,
    /// Workers of this role the metadata names.
    pub expected: u32,
    /// Distinct workers of this role found in the logs.
    pub found: u32,
    /// The srtctl worker ids (`w0`, `w1`, ...) below `expected` that no log has.
    pub absent_ids: Vec<String>,
}

/// Why part of a run could not be read although the run loaded. Serialized in `snake_case`.
///
/// The kinds that used to skip a run keep their [`SkipKind`] names: a run is skipped only when
/// it is not a run (no or unreadable metadata), so those cases are now warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RunWarningKind {
    /// No benchmark results in any supported source.
    NoResults,
    /// Result files exist but none could be read.
    InvalidResults,
    /// A profiling job (torch profiler, nsys): it measures no serving throughput, so no
    /// results are read; its metadata and workers still are.
    ProfilingJob,
    /// The benchmark type has no registered parser (accuracy evals, trace-replay, agentic, ...).
    UnsupportedBenchmark,
    /// `config.yaml` exists but cannot be read; the run is read from its metadata alone.
    InvalidConfig,
    /// A file could not be read.
    IoError,
    /// The logs hold fewer workers than the metadata names ([`BenchmarkRun::missing_workers`]).
    MissingWorkers,
    /// A provenance file (`recipe.lock.yaml`, `fingerprint_*.json`, `resource_snapshot.json`)
    /// could not be read; the setup holds what the others gave.
    InvalidSetup,
    /// The workers' fingerprints disagree (framework versions, driver, ...): the setup's
    /// summary leaves the field empty and keeps each worker's value.
    SetupMismatch,
    /// srtctl's own identity check in `recipe.lock.yaml` failed (the declared container or
    /// framework is not what ran).
    SetupVerificationFailed,
    /// A power file (`logs/power/samples.csv`, its manifest or windows, the CPU samples) could
    /// not be parsed, has rows that could not be used, or its sampler says its data is not
    /// valid for publication.
    InvalidPower,
    /// A Tachometer file could not be read: the server time series hold what the others gave.
    InvalidServerMetrics,
}

impl RunWarningKind {
    /// The machine-readable name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RunWarningKind::NoResults => "no_results",
            RunWarningKind::InvalidResults => "invalid_results",
            RunWarningKind::ProfilingJob => "profiling_job",
            RunWarningKind::UnsupportedBenchmark => "unsupported_benchmark",
            RunWarningKind::InvalidConfig => "invalid_config",
            RunWarningKind::IoError => "io_error",
            RunWarningKind::MissingWorkers => "missing_workers",
            RunWarningKind::InvalidSetup => "invalid_setup",
            RunWarningKind::SetupMismatch => "setup_mismatch",
            RunWarningKind::SetupVerificationFailed => "setup_verification_failed",
            RunWarningKind::InvalidPower => "invalid_power",
            RunWarningKind::InvalidServerMetrics => "invalid_server_metrics",
        }
    }
}

/// Something a run lacks, and why, in words that name the file concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunWarning {
    /// Machine-readable kind.
    pub kind: RunWarningKind,
    /// Human-readable message naming the file or directory concerned.
    pub message: String,
}

/// Why a run directory was not loaded. Serialized in `snake_case` (`no_metadata`, ...).
///
/// The loader skips a run only when it is not a run: `no_metadata`, `invalid_metadata` and
/// `io_error` on the metadata file. The other kinds are what skipped a run before results
/// became optional; they stay so that older documents still deserialize, and the loader now
/// reports those cases as [`RunWarningKind`]s of a loaded run.
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
