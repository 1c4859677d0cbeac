//! The shape of a run's derived values, [`BenchmarkRun::derived`](crate::BenchmarkRun::derived):
//! plain data, as the JSON document writes it.
//!
//! This module only defines the types; [`crate::derived`], the engine that computes them, sits
//! above every data module (it reads batches, workers, results and metadata), so that no data
//! module depends on it. The formulas are documented there.

use serde::{Deserialize, Serialize};

use crate::node::WorkerType;
use crate::power::PowerSource;
use crate::timestamp::Timestamp;

/// How `gpus_used` was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GpuCountBasis {
    /// `workers × gpus_per_{role}` from the metadata.
    GpusPerWorker,
    /// Nodes × `gpus_per_node`.
    NodesTimesGpusPerNode,
}

/// Derived values of one worker ([`crate::derived::worker_summary`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerDerived {
    /// Host name of the worker's node.
    pub node_name: String,
    /// Role.
    pub worker_type: WorkerType,
    /// Worker id (`w0`).
    pub worker_id: String,
    /// Highest logged generation throughput (tokens/s).
    pub peak_gen_throughput: Option<f64>,
    /// Median logged generation throughput (tokens/s).
    pub median_gen_throughput: Option<f64>,
    /// Share of prompt tokens served from the prefix cache, 0..1.
    pub cache_hit_rate: Option<f64>,
    /// Prefill batches logged (every rank's lines, as parsed).
    pub prefill_batches: u64,
    /// Decode batches logged (every rank's lines, as parsed).
    pub decode_batches: u64,
    /// Earliest batch timestamp.
    pub first_batch_at: Option<Timestamp>,
    /// Latest batch timestamp.
    pub last_batch_at: Option<Timestamp>,
    /// Highest logged KV-cache use (`token_usage`), 0..1.
    pub peak_token_usage: Option<f64>,
}

/// The part of [`RunDerived`] that depends on the workers' batches alone
/// ([`crate::derived::derive_workers`]), so that a cache of the batches can keep it beside them
/// and a load that needs only summaries never decodes a batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkersDerived {
    /// One entry per worker, in the order of the workers.
    pub workers: Vec<WorkerDerived>,
    /// The rate match of the prefill and decode workers, as if the run were disaggregated;
    /// [`crate::derived::derive`] keeps it only for disaggregated runs.
    pub rate_match: Option<RateMatch>,
}

/// Prefill input rate against decode generation rate over time (disaggregated runs;
/// [`crate::derived::rate_match`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateMatch {
    /// Width of a time bucket (s).
    pub bucket_secs: f64,
    /// Start of the first bucket, as the logs print time.
    pub start: Timestamp,
    /// Start of each bucket, seconds after `start`.
    pub offsets_s: Vec<f64>,
    /// Prefill input tokens/s per bucket.
    pub prefill_input_tps: Vec<Option<f64>>,
    /// Decode generated tokens/s per bucket.
    pub decode_gen_tps: Vec<Option<f64>>,
    /// Prefill input tokens/s over decode generated tokens/s, over the buckets where both are known.
    pub ratio: Option<f64>,
}

/// Everything derived for one run ([`crate::derived::derive`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunDerived {
    /// GPUs the workers use.
    pub gpus_used: Option<u32>,
    /// How `gpus_used` was counted.
    pub gpu_count_basis: Option<GpuCountBasis>,
    /// Output tokens/s per GPU, one entry per concurrency (as `profiler.concurrency_values`).
    pub output_tps_per_gpu: Vec<Option<f64>>,
    /// Input plus output tokens/s per GPU, per concurrency.
    pub total_tps_per_gpu: Vec<Option<f64>>,
    /// Input tokens/s per GPU, per concurrency.
    pub input_tps_per_gpu: Vec<Option<f64>>,
    /// Output tokens/s per user (`1000 / mean_tpot_ms`), per concurrency.
    pub output_tps_per_user: Vec<Option<f64>>,
    /// One entry per worker, in the order of `nodes`.
    pub workers: Vec<WorkerDerived>,
    /// Prefill/decode rate match; `None` for aggregated runs or without timestamps.
    pub rate_match: Option<RateMatch>,
    /// Where the run's power figures come from (`None`: the run has no power data; then
    /// `energy` is empty and both are left out of the JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_source: Option<PowerSource>,
    /// Energy per benchmark point ([`crate::derived::energy`]), one entry per concurrency when
    /// the run has power data, else empty (and left out of the JSON).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub energy: Vec<PointEnergy>,
}

/// Which measurement window a point's energy was integrated over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowSource {
    /// The result file's own `benchmark_start_time_unix` / `benchmark_end_time_unix` (sa-bench).
    ResultFile,
    /// The power sampler's `windows/<stem>.json` for this point.
    PowerWindow,
    /// aiperf's profiling-phase range of its records (`min_request_timestamp` →
    /// `max_response_timestamp` of its export).
    AiperfRecords,
}

/// Energy of one worker role's GPUs over a point's window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleEnergy {
    /// The role.
    pub role: WorkerType,
    /// GPUs of this role with samples.
    pub gpus: u32,
    /// Energy (J); `None` when a node's series of this role does not cover the window.
    pub energy_j: Option<f64>,
    /// Average power of the role's GPUs together: `energy_j / window duration` (W).
    pub avg_power_w: Option<f64>,
}

/// Energy of one GPU over a point's window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpuEnergy {
    /// Its node.
    pub host: String,
    /// Its index on the node.
    pub gpu: u32,
    /// Its roles, from the power sampler's manifest (empty without one).
    pub roles: Vec<WorkerType>,
    /// Energy (J); `None` when its samples do not cover the window.
    pub energy_j: Option<f64>,
    /// `energy_j / window duration` (W).
    pub avg_power_w: Option<f64>,
}

/// Energy per benchmark point (formulas in [`crate::derived::energy`]). Every figure is `None`
/// when it cannot be known, and `reason` says why the GPU energy is not — never 0 for "no data".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PointEnergy {
    /// Start of the window integrated over (Unix epoch s).
    pub window_start_unix: Option<f64>,
    /// End of the window (Unix epoch s).
    pub window_end_unix: Option<f64>,
    /// Which window that is.
    pub window_source: Option<WindowSource>,
    /// GPUs counted: every GPU with samples (the sampler samples exactly the workers' GPUs),
    /// or aiperf's `telemetry_gpus`.
    pub gpus_counted: Option<u32>,
    /// Energy of all counted GPUs over the window (J).
    pub gpu_energy_j: Option<f64>,
    /// `gpu_energy_j / window duration` (W).
    pub gpu_avg_power_w: Option<f64>,
    /// `gpu_avg_power_w / gpus_counted` (W).
    pub avg_power_per_gpu_w: Option<f64>,
    /// `gpu_energy_j / total_output_tokens`.
    pub j_per_output_token: Option<f64>,
    /// `gpu_energy_j / (total_input_tokens + total_output_tokens)`.
    pub j_per_total_token: Option<f64>,
    /// Output tokens/s per GPU watt: `(total_output_tokens / duration) / gpu_avg_power_w`.
    pub output_tps_per_w: Option<f64>,
    /// CPU energy of the sampled nodes over the window (J), where CPU power was sampled.
    pub cpu_energy_j: Option<f64>,
    /// `cpu_energy_j / window duration` (W).
    pub cpu_avg_power_w: Option<f64>,
    /// `gpu_energy_j + cpu_energy_j`, only when both legs are known.
    pub combined_energy_j: Option<f64>,
    /// `combined_energy_j / total_output_tokens`.
    pub combined_j_per_output_token: Option<f64>,
    /// `combined_energy_j / (total_input_tokens + total_output_tokens)`.
    pub combined_j_per_total_token: Option<f64>,
    /// `(total_output_tokens / duration) / (combined_energy_j / duration)`.
    pub output_tps_per_combined_w: Option<f64>,
    /// Per worker role (from the sampler's manifest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub per_role: Vec<RoleEnergy>,
    /// Per GPU.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub per_gpu: Vec<GpuEnergy>,
    /// Why `gpu_energy_j` is `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What else is missing or doubtful (a GPU or the CPU leg not covering the window, the
    /// sampler's own coverage check failing for this window).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}
