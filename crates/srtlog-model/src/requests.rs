//! Per-request records: one [`RequestRecord`] per line of aiperf's `profile_export.jsonl`.
//!
//! A benchmark point is a summary of its requests; these are the requests themselves, so that
//! percentiles can be recomputed, tails inspected and requests lined up against worker batches
//! by time. Values are in one unit per kind (epoch ns, ms, tokens, tokens/s) whatever the file
//! said; a value the file does not carry is `None`, never `0`. A run can hold millions of them,
//! so they are **not** part of the `analyze --json` document (see `BenchmarkRun::requests`):
//! they go to the dataset's `requests/` table, and the JSON carries the per-point counts and
//! percentiles only.

use serde::{Deserialize, Serialize};

/// The benchmark phase a request belongs to (aiperf's `benchmark_phase`, or `credit_phase` in
/// the oldest layout). Only `profiling` requests count towards aiperf's own figures.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestPhase {
    /// Measured requests.
    Profiling,
    /// Warm-up requests (`--warmup-request-count`), excluded from aiperf's figures.
    Warmup,
    /// Any other name, kept as written (an early aiperf design had `ramp_up`, `steady_state`).
    Other(String),
}

impl RequestPhase {
    /// The phase named `name` as aiperf writes it.
    pub fn from_name(name: &str) -> Self {
        match name {
            "profiling" => Self::Profiling,
            "warmup" => Self::Warmup,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The name as aiperf writes it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Profiling => "profiling",
            Self::Warmup => "warmup",
            Self::Other(s) => s,
        }
    }
}

/// Why a request failed: aiperf's `error` object without its `message`. The message is free
/// text repeated on every failed line (and summarised with counts in the export's
/// `error_summary`); code and type are what groups failures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestError {
    /// HTTP-like status code (`499` for a cancelled request), when given.
    pub code: Option<i64>,
    /// Error class name (`RequestCancellationError`), when given.
    pub error_type: Option<String>,
}

/// One request as aiperf recorded it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// Concurrency of the benchmark point the request belongs to, when known.
    pub concurrency: Option<u32>,
    /// When the request was sent, epoch ns.
    pub start_ns: Option<i64>,
    /// When the server acknowledged it (streaming only), epoch ns.
    pub ack_ns: Option<i64>,
    /// When the last response (or the error) arrived, epoch ns.
    pub end_ns: Option<i64>,
    /// Benchmark phase; `None` when the line does not say.
    pub phase: Option<RequestPhase>,
    /// Time to first token, ms.
    pub ttft_ms: Option<f64>,
    /// Time from first to second token, ms.
    pub ttst_ms: Option<f64>,
    /// Time to first non-reasoning token, ms (equals TTFT for non-reasoning models).
    pub ttfo_ms: Option<f64>,
    /// End-to-end latency, ms.
    pub request_latency_ms: Option<f64>,
    /// aiperf's per-request `inter_token_latency` = (latency − TTFT) / (OSL − 1), ms (a TPOT).
    pub inter_token_latency_ms: Option<f64>,
    /// Prompt tokens (`input_sequence_length`).
    pub input_tokens: Option<u64>,
    /// Non-reasoning output tokens (`output_token_count`).
    pub output_tokens: Option<u64>,
    /// Reasoning output tokens (`reasoning_token_count`).
    pub reasoning_tokens: Option<u64>,
    /// All output tokens (`output_sequence_length` = output + reasoning).
    pub output_sequence_length: Option<u64>,
    /// Prompt tokens per second of TTFT (`prefill_throughput`, later `prefill_throughput_per_user`).
    pub prefill_tps: Option<f64>,
    /// The failure, when the request failed.
    pub error: Option<RequestError>,
    /// Whether aiperf cancelled the request (`--request-cancellation-rate`); `None` when the
    /// line does not say (the oldest layout).
    pub was_cancelled: Option<bool>,
}

impl RequestRecord {
    /// Whether aiperf's own figures count this request: profiling phase and no error. A line
    /// without a phase (none seen so far) counts, as aiperf had no warm-up phase then.
    pub fn counts_for_metrics(&self) -> bool {
        self.error.is_none() && matches!(self.phase, None | Some(RequestPhase::Profiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_round_trip_their_names() {
        for name in ["profiling", "warmup", "ramp_up"] {
            assert_eq!(RequestPhase::from_name(name).as_str(), name);
        }
        assert_eq!(RequestPhase::from_name("warmup"), RequestPhase::Warmup);
    }

    #[test]
    fn only_profiling_requests_without_error_count() {
        let ok = RequestRecord { phase: Some(RequestPhase::Profiling), ..Default::default() };
        assert!(ok.counts_for_metrics());
        assert!(RequestRecord::default().counts_for_metrics());
        assert!(
            !RequestRecord { phase: Some(RequestPhase::Warmup), ..Default::default() }.counts_for_metrics()
        );
        assert!(!RequestRecord { phase: Some(RequestPhase::Other("ramp_up".into())), ..Default::default() }
            .counts_for_metrics());
        assert!(!RequestRecord { error: Some(RequestError::default()), ..ok }.counts_for_metrics());
    }

    /// A run holds millions of records in memory between the loader and the dataset writer;
    /// this is the figure ARCHITECTURE.md quotes.
    #[test]
    fn a_record_stays_small() {
        let size = std::mem::size_of::<RequestRecord>();
        assert!(size <= 320, "{size} bytes");
    }
}
