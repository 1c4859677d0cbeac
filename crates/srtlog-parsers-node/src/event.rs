//! What one log line means ([`LineEvent`]) and how events accumulate into [`WorkerLogData`].

use srtlog_model::{
    BatchMetrics, MemoryMetrics, NodeLaunchCommand, ParallelConfig, ParseStats, WorkerLogData,
};

use crate::launch::config_from_args;

/// The meaning of one log line, as returned by the line-level parsers
/// ([`crate::parse_sglang_line`], [`crate::parse_trtllm_line`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LineEvent {
    /// A scheduler batch (SGLang batch line, TensorRT-LLM iteration with tokens).
    Batch(BatchMetrics),
    /// A memory line. `limits` carries the limits some memory lines also state (SGLang's
    /// scheduler summary: `max_running_requests`, `context_len`); they override earlier values.
    Memory {
        /// The snapshot.
        snapshot: MemoryMetrics,
        /// Effective limits stated on the same line.
        limits: Option<ParallelConfig>,
    },
    /// The worker's effective configuration (`server_args=ServerArgs(...)`, TensorRT-LLM engine
    /// args): set fields override earlier values.
    Config(ParallelConfig),
    /// Limits that only fill fields nothing else has set (TensorRT-LLM
    /// `max_seq_len=.., max_num_requests=..` line).
    Limits(ParallelConfig),
    /// A worker launch command.
    LaunchCommand(NodeLaunchCommand),
    /// A bash xtrace environment assignment (`+ VAR=value`, `+ export VAR=value`).
    Environment {
        /// Variable name.
        name: String,
        /// Value, shell quoting removed.
        value: String,
    },
    /// A TensorRT-LLM iteration with neither context nor generation tokens.
    IdleIteration,
    /// The line looked like a metrics line but could not be parsed; the reason.
    Malformed(&'static str),
    /// Nothing of interest.
    Ignored,
}

/// Sets every field of `dst` that `src` has.
pub(crate) fn overlay(dst: &mut ParallelConfig, src: &ParallelConfig) {
    let mut merged = src.clone();
    merged.fill_from(dst);
    *dst = merged;
}

/// Adds one line's event to `out`.
pub(crate) fn apply(
    out: &mut WorkerLogData,
    stats: &mut ParseStats,
    max_diagnostics: usize,
    line_no: u64,
    line: &[u8],
    event: LineEvent,
) {
    match event {
        LineEvent::Batch(ref b) => out.batches.push_copy(b),
        LineEvent::Memory { snapshot, limits } => {
            out.memory_snapshots.push(snapshot);
            if let Some(l) = limits {
                overlay(&mut out.config, &l);
            }
        }
        LineEvent::Config(c) => overlay(&mut out.config, &c),
        LineEvent::Limits(c) => out.config.fill_from(&c),
        LineEvent::LaunchCommand(cmd) => {
            if out.launch_command.is_none() {
                out.config.fill_from(&config_from_args(&cmd.args));
                out.launch_command = Some(cmd);
            }
        }
        LineEvent::Environment { name, value } => {
            out.environment.insert(name, value);
        }
        LineEvent::IdleIteration => stats.idle_iterations += 1,
        LineEvent::Malformed(reason) => {
            stats.malformed_lines += 1;
            note(stats, max_diagnostics, line_no, line, reason);
        }
        LineEvent::Ignored => {}
    }
}

/// Describes a line in the diagnostics: `line N: reason: <the line's first 160 bytes>`.
pub(crate) fn note(stats: &mut ParseStats, max_diagnostics: usize, line_no: u64, line: &[u8], reason: &str) {
    stats.push_diagnostic_capped(max_diagnostics, || {
        let shown = &line[..line.len().min(160)];
        format!("line {line_no}: {reason}: {}", String::from_utf8_lossy(shown))
    });
}
