//! What a worker did: batches, memory snapshots, parallelism, launch command and environment.

use serde::{Deserialize, Serialize};

use crate::batches::Batches;
use crate::launch_args::LaunchArgs;
use crate::text::StringMap;
use crate::timestamp::Timestamp;

/// A worker's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkerType {
    /// Prefill worker of a disaggregated deployment.
    Prefill,
    /// Decode worker of a disaggregated deployment.
    Decode,
    /// Aggregated worker (prefill and decode).
    Agg,
}

impl WorkerType {
    /// The word used in file names and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerType::Prefill => "prefill",
            WorkerType::Decode => "decode",
            WorkerType::Agg => "agg",
        }
    }

    /// Parses the word used in file names and JSON.
    pub fn from_word(word: &str) -> Option<Self> {
        match word {
            "prefill" => Some(WorkerType::Prefill),
            "decode" => Some(WorkerType::Decode),
            "agg" => Some(WorkerType::Agg),
            _ => None,
        }
    }
}

/// Which worker a log belongs to, from its file name (`eos0219_prefill_w1.out`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeMetadata {
    /// Host name of the worker's (leader) node (`eos0219`, `slurm-gb300-133-181`).
    pub node_name: String,
    /// The worker's role.
    pub worker_type: WorkerType,
    /// Worker id as in the file name (`w1`).
    pub worker_id: String,
}

/// Kind of a memory snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryMetricType {
    /// GPU memory available / used at a startup stage.
    Memory,
    /// KV-cache allocation.
    KvCache,
}

impl MemoryMetricType {
    /// The word used in JSON and the cache.
    pub fn as_str(self) -> &'static str {
        match self {
            MemoryMetricType::Memory => "memory",
            MemoryMetricType::KvCache => "kv_cache",
        }
    }
}

/// One memory line (weights loaded, KV cache allocated, CUDA graphs captured, peak memory).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryMetrics {
    /// When the line was logged; `None` when it has no timestamp.
    pub timestamp: Option<Timestamp>,
    /// Data-parallel rank from the line's tags (0 when absent).
    pub dp: u32,
    /// Tensor-parallel rank from the line's tags (0 when absent).
    pub tp: u32,
    /// Expert-parallel rank from the line's tags (0 when absent).
    pub ep: u32,
    /// Memory or KV cache.
    pub metric_type: MemoryMetricType,
    /// Which line this is (`load_weight_end`, `kv_cache_allocated`, `capture_cuda_graph_end`,
    /// `peak_memory`, ...).
    pub event: String,
    /// Free GPU memory (GB as logged; GiB for TensorRT-LLM).
    pub avail_mem_gb: Option<f64>,
    /// GPU memory used (GB as logged; GiB for TensorRT-LLM).
    pub mem_usage_gb: Option<f64>,
    /// KV-cache size (GB as logged; K + V for MHA models; GiB for TensorRT-LLM).
    pub kv_cache_gb: Option<f64>,
    /// KV-cache capacity in tokens.
    pub kv_tokens: Option<u64>,
}

impl MemoryMetrics {
    /// An empty snapshot: every value `None`, ranks 0.
    pub fn new(metric_type: MemoryMetricType, event: &str) -> Self {
        MemoryMetrics {
            timestamp: None,
            dp: 0,
            tp: 0,
            ep: 0,
            metric_type,
            event: event.to_owned(),
            avail_mem_gb: None,
            mem_usage_gb: None,
            kv_cache_gb: None,
            kv_tokens: None,
        }
    }
}

/// A worker's parallelism and limits, from `server_args=`, the engine-args dict or the command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParallelConfig {
    /// Tensor-parallel size.
    pub tp_size: Option<u32>,
    /// Data-parallel size.
    pub dp_size: Option<u32>,
    /// Expert-parallel size.
    pub ep_size: Option<u32>,
    /// Pipeline-parallel size.
    pub pp_size: Option<u32>,
    /// Whether DP attention is on (every DP rank then logs its own batches).
    pub enable_dp_attention: Option<bool>,
    /// Maximum running requests / batch size.
    pub max_running_requests: Option<u64>,
    /// Maximum tokens per step (`max_num_tokens`, `chunked_prefill_size`).
    pub max_num_tokens: Option<u64>,
    /// Context length.
    pub context_length: Option<u64>,
}

impl ParallelConfig {
    /// Fills each unset field from `other`.
    pub fn fill_from(&mut self, other: &ParallelConfig) {
        macro_rules! fill {
            ($($f:ident),+) => { $( if self.$f.is_none() { self.$f = other.$f.clone(); } )+ };
        }
        fill!(
            tp_size,
            dp_size,
            ep_size,
            pp_size,
            enable_dp_attention,
            max_running_requests,
            max_num_tokens,
            context_length
        );
    }
}

/// Counters of one worker's parse: what was read, what was skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseStats {
    /// Bytes read.
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Lines that looked like metrics but could not be parsed (skipped).
    pub malformed_lines: u64,
    /// TensorRT-LLM iterations with neither context nor generation tokens (not reported as batches).
    pub idle_iterations: u64,
    /// Lines longer than the line cap, parsed only up to the cap.
    pub truncated_lines: u64,
    /// The first few problems, each with file and line number; later ones are only counted.
    pub diagnostics: Vec<String>,
}

impl ParseStats {
    /// Default number of diagnostics kept per file ([`ParseOptions::max_diagnostics`](crate::ParseOptions)).
    pub const MAX_DIAGNOSTICS: usize = 20;

    /// Records a diagnostic, keeping at most [`ParseStats::MAX_DIAGNOSTICS`].
    pub fn push_diagnostic(&mut self, message: impl FnOnce() -> String) {
        self.push_diagnostic_capped(Self::MAX_DIAGNOSTICS, message);
    }

    /// Records a diagnostic unless `cap` are already kept (the message is then not even built).
    pub fn push_diagnostic_capped(&mut self, cap: usize, message: impl FnOnce() -> String) {
        if self.diagnostics.len() < cap {
            self.diagnostics.push(message());
        }
    }

    /// Adds another file's counters to these (a worker's `.out` and `.err`); each file's
    /// diagnostics were capped when it was parsed, so all are kept.
    pub fn merge(&mut self, other: ParseStats) {
        self.bytes += other.bytes;
        self.lines += other.lines;
        self.malformed_lines += other.malformed_lines;
        self.idle_iterations += other.idle_iterations;
        self.truncated_lines += other.truncated_lines;
        self.diagnostics.extend(other.diagnostics);
    }
}

/// Parsed metrics of one worker. Cached; everything else about a worker is in [`NodeConfig`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeMetrics {
    /// Which worker.
    pub metadata: NodeMetadata,
    /// Batches in log order.
    pub batches: Batches,
    /// Memory snapshots in log order.
    pub memory_snapshots: Vec<MemoryMetrics>,
    /// Parallelism and limits.
    pub config: ParallelConfig,
    /// Parse counters and diagnostics.
    pub stats: ParseStats,
}

/// How a worker was launched.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeLaunchCommand {
    /// Backend (`sglang`, `trtllm`).
    pub backend_type: String,
    /// Worker role, when the command says (`--disaggregation-mode`).
    pub worker_type: Option<WorkerType>,
    /// The command as written.
    pub raw_command: String,
    /// The arguments by destination name, typed (`tp_size: 8`, `enable_dp_attention: true`;
    /// see [`LaunchArgs`]). The JSON keeps the contract's field name, `extra_args`.
    #[serde(rename = "extra_args")]
    pub args: LaunchArgs,
}

/// Configuration of a worker: never cached, always read fresh.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeConfig {
    /// How the worker was launched, when any source shows it.
    pub launch_command: Option<NodeLaunchCommand>,
    /// Environment variables (config dump, `config.yaml` environments, xtrace assignments).
    pub environment: StringMap,
    /// GPU information from the config dump.
    pub gpu_info: Option<serde_json::Value>,
    /// Server arguments from the config dump, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_args: Option<serde_json::Value>,
}

/// One worker: metrics and configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeInfo {
    /// Parsed metrics (cached).
    pub metrics: NodeMetrics,
    /// Configuration (never cached).
    pub node_config: NodeConfig,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_launch_command_serializes_its_arguments_typed_under_extra_args() {
        let words =
            crate::shell_words("--tp 8 --enable-dp-attention --disaggregation-mode prefill --rate inf");
        let cmd = NodeLaunchCommand {
            backend_type: "sglang".into(),
            worker_type: Some(WorkerType::Prefill),
            raw_command: "python3 -m sglang.launch_server --tp 8 ...".into(),
            args: LaunchArgs::from_flags(crate::Tool::Sglang, &words).0,
        };
        let json = serde_json::to_value(&cmd).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "backend_type": "sglang",
                "worker_type": "prefill",
                "raw_command": "python3 -m sglang.launch_server --tp 8 ...",
                "extra_args": {"disaggregation_mode": "prefill", "enable_dp_attention": true, "rate": "inf", "tp_size": 8}
            })
        );
        assert_eq!(serde_json::from_value::<NodeLaunchCommand>(json).unwrap(), cmd);
    }
}
