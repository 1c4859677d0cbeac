//! The shape of a run's derived values, [`BenchmarkRun::derived`](crate::BenchmarkRun::derived):
//! plain data, as the JSON document writes it.
//!
//! This module only defines the types; [`crate::derived`], the engine that computes them, sits
//! above every data module (it reads batches, workers, results and metadata), so that no data
//! module depends on it. The formulas are documented there.

use serde::{Deserialize, Serialize};

use crate::node::WorkerType;
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
}
