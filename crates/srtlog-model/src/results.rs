//! Benchmark results: one [`BenchmarkPoint`] per concurrency, serialized as columns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::launch_args::LaunchArgs;

/// Where a run's results came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultSource {
    /// The benchmark's result JSON files (the source of truth).
    Json,
    /// The summary blocks printed in `logs/benchmark.out` (fallback when no JSON exists).
    BenchmarkOut,
    /// srt-slurm's `benchmark-rollup.json` / `.csv` (or an older `rollup.json`): the last
    /// fallback, when neither a result file nor `benchmark.out` could be read.
    Rollup,
}

impl ResultSource {
    /// The serialized name (`json`, `benchmark_out`), as the JSON, the CSV and the dataset write it.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultSource::Json => "json",
            ResultSource::BenchmarkOut => "benchmark_out",
            ResultSource::Rollup => "rollup",
        }
    }
}

macro_rules! benchmark_point {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty ),+ $(,)?) => {
        /// The results of one benchmark run at one concurrency. Every metric is `None` when the
        /// source does not have it; times are milliseconds, throughputs per second.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct BenchmarkPoint {
            /// Maximum request concurrency; `None` for open-loop runs (aiperf fixed-schedule
            /// trace replay), which have no concurrency.
            pub concurrency: Option<u32>,
            $( $(#[$doc])* pub $field: Option<$ty>, )+
            /// Metrics the source has beyond the named ones (`p99.9_ttft_ms`, `p90_itl_ms`, ...).
            pub other_metrics: BTreeMap<String, f64>,
            /// The file this point came from, relative to the run directory.
            pub source_file: Option<String>,
        }

        /// Column form of [`ProfilerResults`], as the JSON document spells it. A column of
        /// [`OPTIONAL_COLUMNS`] that is null at every concurrency is left out (and read back as
        /// nulls), so documents of runs whose sources lack those metrics keep their old form.
        #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
        #[serde(default)]
        struct ProfilerColumns {
            source: Option<ResultSource>,
            concurrency_values: Vec<Option<u32>>,
            $( $field: Vec<Option<$ty>>, )+
            other_metrics: Vec<BTreeMap<String, f64>>,
            source_files: Vec<Option<String>>,
            #[serde(default)]
            warnings: Vec<String>,
        }

        impl Serialize for ProfilerColumns {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("source", &self.source)?;
                map.serialize_entry("concurrency_values", &self.concurrency_values)?;
                $(
                    if !(OPTIONAL_COLUMNS.contains(&stringify!($field))
                        && self.$field.iter().all(Option::is_none))
                    {
                        map.serialize_entry(stringify!($field), &self.$field)?;
                    }
                )+
                map.serialize_entry("other_metrics", &self.other_metrics)?;
                map.serialize_entry("source_files", &self.source_files)?;
                map.serialize_entry("warnings", &self.warnings)?;
                map.end()
            }
        }

        impl From<ProfilerResults> for ProfilerColumns {
            fn from(results: ProfilerResults) -> Self {
                let mut cols = ProfilerColumns {
                    source: results.source,
                    warnings: results.warnings,
                    ..Default::default()
                };
                for p in results.points {
                    cols.concurrency_values.push(p.concurrency);
                    $( cols.$field.push(p.$field); )+
                    cols.other_metrics.push(p.other_metrics);
                    cols.source_files.push(p.source_file);
                }
                cols
            }
        }

        impl TryFrom<ProfilerColumns> for ProfilerResults {
            type Error = String;
            fn try_from(cols: ProfilerColumns) -> Result<Self, String> {
                let n = cols.concurrency_values.len();
                $(
                    // An absent optional column (empty) means null everywhere.
                    if !cols.$field.is_empty() && cols.$field.len() != n {
                        return Err(format!(
                            "column {} has {} entries, concurrency_values has {n}",
                            stringify!($field), cols.$field.len()
                        ));
                    }
                    let mut $field = cols.$field.into_iter();
                )+
                if !cols.other_metrics.is_empty() && cols.other_metrics.len() != n {
                    return Err(format!("column other_metrics has {} entries, concurrency_values has {n}", cols.other_metrics.len()));
                }
                let mut other = cols.other_metrics.into_iter();
                let mut files = cols.source_files.into_iter();
                let points = cols
                    .concurrency_values
                    .into_iter()
                    .map(|concurrency| BenchmarkPoint {
                        concurrency,
                        $( $field: $field.next().flatten(), )+
                        other_metrics: other.next().unwrap_or_default(),
                        source_file: files.next().flatten(),
                    })
                    .collect();
                Ok(ProfilerResults { source: cols.source, points, warnings: cols.warnings })
            }
        }

        impl BenchmarkPoint {
            /// Names of the named metric fields, in declaration order (for tables and caches).
            pub const METRIC_NAMES: &'static [&'static str] = &[$( stringify!($field) ),+];
        }
    };
}

/// Calls `$callback! { fields }` with the named metrics of [`BenchmarkPoint`], in declaration
/// order: for each, its doc and `name: type`. The one list of the metrics: this crate builds
/// [`BenchmarkPoint`] and the JSON columns from it, and the cache and the dataset export their
/// columns, so a metric added here reaches all of them.
///
/// ```
/// macro_rules! names {
///     ($( $(#[$doc:meta])* $name:ident : $ty:ty ),+ $(,)?) => { [$(stringify!($name)),+] };
/// }
/// let names = srtlog_model::with_point_metrics!(names! {});
/// assert_eq!(names, srtlog_model::BenchmarkPoint::METRIC_NAMES);
/// ```
#[macro_export]
macro_rules! with_point_metrics {
    ($callback:ident ! { $($rest:tt)* }) => {
        $callback! {
            /// Output tokens per second over the whole benchmark.
            output_tps: f64,
            /// Input plus output tokens per second.
            total_tps: f64,
            /// Completed requests per second.
            request_throughput: f64,
            /// Requests per second that met the goodput targets (when configured).
            request_goodput: f64,
            /// Highest output tokens per second over any one-second window (newer sa-bench).
            peak_output_tps: f64,
            /// Mean time to first token (ms).
            mean_ttft_ms: f64,
            /// Median time to first token (ms).
            median_ttft_ms: f64,
            /// 99th percentile time to first token (ms).
            p99_ttft_ms: f64,
            /// Standard deviation of time to first token (ms).
            std_ttft_ms: f64,
            /// Mean time per output token, first token excluded (ms).
            mean_tpot_ms: f64,
            /// Median time per output token (ms).
            median_tpot_ms: f64,
            /// 99th percentile time per output token (ms).
            p99_tpot_ms: f64,
            /// Standard deviation of time per output token (ms).
            std_tpot_ms: f64,
            /// Mean inter-token latency (ms).
            mean_itl_ms: f64,
            /// Median inter-token latency (ms).
            median_itl_ms: f64,
            /// 99th percentile inter-token latency (ms).
            p99_itl_ms: f64,
            /// Standard deviation of inter-token latency (ms).
            std_itl_ms: f64,
            /// Mean end-to-end request latency (ms).
            mean_e2el_ms: f64,
            /// Median end-to-end request latency (ms).
            median_e2el_ms: f64,
            /// 99th percentile end-to-end request latency (ms).
            p99_e2el_ms: f64,
            /// Standard deviation of end-to-end request latency (ms).
            std_e2el_ms: f64,
            /// Input tokens over all completed requests.
            total_input_tokens: u64,
            /// Output tokens over all completed requests.
            total_output_tokens: u64,
            /// Requests that completed successfully.
            completed: u64,
            /// Requests sent.
            num_prompts: u64,
            /// Benchmark duration (s).
            duration: f64,
            /// Request rate as configured (requests/s; `inf` is `f64::INFINITY`, serialized as null).
            request_rate: f64,
            /// Requests that failed (aiperf `error_request_count`); `completed` excludes them.
            error_count: u64,
            /// Requests that met the goodput targets (aiperf `good_request_count`, sa-bench
            /// `good_completed`; only when goodput targets were set).
            good_completed: u64,
            /// Mean time to first output (non-reasoning) token (ms; aiperf TTFO).
            mean_ttfo_ms: f64,
            /// Median time to first output token (ms).
            median_ttfo_ms: f64,
            /// 99th percentile time to first output token (ms).
            p99_ttfo_ms: f64,
            /// Mean prefill throughput a user sees: input tokens / TTFT per request (tokens/s).
            mean_prefill_tps_per_user: f64,
            /// Median prefill throughput per user (tokens/s).
            median_prefill_tps_per_user: f64,
            /// Reasoning tokens over all completed requests (included in `total_output_tokens`).
            total_reasoning_tokens: u64,
            /// Start of the measurement window: the first request sent (Unix epoch seconds).
            window_start_unix: f64,
            /// End of the measurement window: the last response received (Unix epoch seconds).
            window_end_unix: f64,
            /// GPUs in the benchmark's GPU telemetry summary.
            telemetry_gpus: u64,
            /// Mean power of all those GPUs together over the window (W).
            gpu_power_w: f64,
            /// Energy those GPUs used over the window (J).
            gpu_energy_j: f64,
            /// Mean GPU utilization over those GPUs and the window (%).
            gpu_utilization_pct: f64,
            $($rest)*
        }
    };
}

/// Metric columns added after the JSON contract (issue 13): the JSON leaves each out when it is
/// null at every concurrency. The cache and the dataset always have them.
pub const OPTIONAL_COLUMNS: &[&str] = &[
    "error_count",
    "good_completed",
    "mean_ttfo_ms",
    "median_ttfo_ms",
    "p99_ttfo_ms",
    "mean_prefill_tps_per_user",
    "median_prefill_tps_per_user",
    "total_reasoning_tokens",
    "window_start_unix",
    "window_end_unix",
    "telemetry_gpus",
    "gpu_power_w",
    "gpu_energy_j",
    "gpu_utilization_pct",
];

with_point_metrics!(benchmark_point! {});

impl BenchmarkPoint {
    /// Output tokens per second per GPU: `output_tps / gpus`.
    pub fn output_tps_per_gpu(&self, gpus: Option<u32>) -> Option<f64> {
        Some(self.output_tps? / f64::from(gpus.filter(|g| *g > 0)?))
    }

    /// Input plus output tokens per second per GPU: `total_tps / gpus`.
    pub fn total_tps_per_gpu(&self, gpus: Option<u32>) -> Option<f64> {
        Some(self.total_tps? / f64::from(gpus.filter(|g| *g > 0)?))
    }

    /// Output tokens per second each user sees: `1000 / mean_tpot_ms`.
    pub fn output_tps_per_user(&self) -> Option<f64> {
        self.mean_tpot_ms.filter(|t| *t > 0.0).map(|t| 1000.0 / t)
    }

    /// Input (prompt) tokens per second: `total_tps − output_tps` when both are known and the
    /// difference is finite and not negative; otherwise `total_input_tokens / duration` when both
    /// are known and `duration > 0`; otherwise `None`.
    pub fn input_tps(&self) -> Option<f64> {
        let from_rates =
            self.total_tps.zip(self.output_tps).map(|(t, o)| t - o).filter(|v| v.is_finite() && *v >= 0.0);
        from_rates.or_else(|| {
            let tokens = self.total_input_tokens? as f64;
            let secs = self.duration.filter(|d| *d > 0.0)?;
            Some(tokens / secs).filter(|v| v.is_finite())
        })
    }

    /// Input tokens per second per GPU: [`BenchmarkPoint::input_tps`]` / gpus` (`None` when
    /// `gpus` is 0 or unknown).
    pub fn input_tps_per_gpu(&self, gpus: Option<u32>) -> Option<f64> {
        Some(self.input_tps()? / f64::from(gpus.filter(|g| *g > 0)?))
    }
}

/// A run's benchmark results, sorted by concurrency (open-loop points last).
///
/// The JSON form is columnar, one list per metric with one entry per concurrency:
/// `{"source": "json", "concurrency_values": [4, 8], "output_tps": [512.3, 1010.0], ...}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "ProfilerColumns", try_from = "ProfilerColumns")]
pub struct ProfilerResults {
    /// Which source the points came from; `None` when there are none.
    pub source: Option<ResultSource>,
    /// One point per concurrency.
    pub points: Vec<BenchmarkPoint>,
    /// Problems met on the way that did not stop the run (a result file that could not be
    /// read, a duplicate concurrency), each naming its file.
    pub warnings: Vec<String>,
}

impl ProfilerResults {
    /// Sorts points by concurrency, open-loop points last, keeping file order among equals.
    pub fn sort(&mut self) {
        self.points.sort_by_key(|p| (p.concurrency.is_none(), p.concurrency));
    }

    /// Where `rollup` (a second source of the same run, srt-slurm's rollup) disagrees with these
    /// points beyond rounding: for each concurrency both have, each metric both give whose
    /// values differ by more than 0.5 % and by more than 0.01 (rollups print three decimals),
    /// as `concurrency 8: output_tps 1234.5 vs 1400 (rollup)`. A concurrency only one of them
    /// has is named too. Open-loop points (no concurrency) are compared when each side has
    /// exactly one.
    pub fn disagreements(&self, rollup: &ProfilerResults) -> Vec<String> {
        macro_rules! compare {
            ($( $(#[$doc:meta])* $field:ident : $ty:ty ),+ $(,)?) => {
                |a: &BenchmarkPoint, b: &BenchmarkPoint, out: &mut Vec<String>, label: &str| {
                    $(
                        if let (Some(x), Some(y)) = (a.$field, b.$field) {
                            #[allow(clippy::cast_precision_loss)]
                            let (x, y) = (x as f64, y as f64);
                            let diff = (x - y).abs();
                            if x.is_finite() && y.is_finite() && diff > 0.01 && diff > 0.005 * x.abs().max(y.abs()) {
                                out.push(format!("{label}: {} {x} vs {y} (rollup)", stringify!($field)));
                            }
                        }
                    )+
                }
            };
        }
        let compare_points = with_point_metrics!(compare! {});
        let label = |c: Option<u32>| c.map_or_else(|| "open loop".to_owned(), |c| format!("concurrency {c}"));
        let mut out = Vec::new();
        let open = |r: &ProfilerResults| r.points.iter().filter(|p| p.concurrency.is_none()).count();
        let single_open = open(self) == 1 && open(rollup) == 1;
        for a in &self.points {
            if a.concurrency.is_none() && !single_open {
                continue;
            }
            match rollup.points.iter().find(|b| b.concurrency == a.concurrency) {
                Some(b) => compare_points(a, b, &mut out, &label(a.concurrency)),
                None => out.push(format!("{} is not in the rollup", label(a.concurrency))),
            }
        }
        for b in rollup.points.iter().filter(|b| b.concurrency.is_some()) {
            if !self.points.iter().any(|a| a.concurrency == b.concurrency) {
                out.push(format!("{} is only in the rollup", label(b.concurrency)));
            }
        }
        out
    }

    /// Concurrencies that have a result, ascending.
    pub fn concurrencies(&self) -> Vec<u32> {
        let mut c: Vec<u32> = self.points.iter().filter_map(|p| p.concurrency).collect();
        c.sort_unstable();
        c.dedup();
        c
    }
}

/// The benchmark client's command line and settings as found in `benchmark.out`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkLaunchCommand {
    /// Benchmark type (`sa-bench`, `mooncake-router`).
    pub benchmark_type: String,
    /// The command or header line as written.
    pub raw_command: String,
    /// Settings by the client's destination names, typed: its flags and the settings header
    /// lines that stand for them under one name (sa-bench's `req_rate=` and `--request-rate`
    /// are both `request_rate`; see [`LaunchArgs`]). The JSON keeps the contract's field name,
    /// `extra_args`.
    #[serde(rename = "extra_args")]
    pub args: LaunchArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_tps_prefers_rates_and_falls_back_to_tokens_over_duration() {
        let mut pt =
            BenchmarkPoint { total_tps: Some(1500.0), output_tps: Some(500.0), ..Default::default() };
        assert_eq!(pt.input_tps(), Some(1000.0));
        assert_eq!(pt.input_tps_per_gpu(Some(4)), Some(250.0));
        assert_eq!(pt.input_tps_per_gpu(Some(0)), None);
        assert_eq!(pt.input_tps_per_gpu(None), None);
        // A negative difference is not a rate: fall back to tokens over duration.
        pt.output_tps = Some(2000.0);
        pt.total_input_tokens = Some(6000);
        pt.duration = Some(3.0);
        assert_eq!(pt.input_tps(), Some(2000.0));
        pt.total_tps = None;
        assert_eq!(pt.input_tps(), Some(2000.0));
        pt.duration = Some(0.0);
        assert_eq!(pt.input_tps(), None);
    }

    #[test]
    fn input_tps_falls_back_to_tokens_over_duration() {
        let p = BenchmarkPoint { total_tps: Some(1100.0), output_tps: Some(100.0), ..Default::default() };
        assert_eq!(p.input_tps(), Some(1000.0));
        let p = BenchmarkPoint { total_input_tokens: Some(5000), duration: Some(10.0), ..Default::default() };
        assert_eq!(p.input_tps(), Some(500.0));
        assert_eq!(BenchmarkPoint::default().input_tps(), None);
    }

    #[test]
    fn optional_columns_are_left_out_only_when_null_everywhere() {
        let mut results = ProfilerResults {
            source: Some(ResultSource::Rollup),
            points: vec![BenchmarkPoint {
                concurrency: Some(4),
                output_tps: Some(1.5),
                ..Default::default()
            }],
            warnings: vec![],
        };
        let json = serde_json::to_value(&results).unwrap();
        assert_eq!(json["source"], "rollup");
        assert_eq!(json["peak_output_tps"], serde_json::json!([null]), "a contract column is always there");
        assert!(json.get("error_count").is_none() && json.get("gpu_power_w").is_none());
        assert_eq!(serde_json::from_value::<ProfilerResults>(json).unwrap(), results);
        results.points.push(BenchmarkPoint {
            concurrency: Some(8),
            error_count: Some(3),
            ..Default::default()
        });
        let json = serde_json::to_value(&results).unwrap();
        assert_eq!(json["error_count"], serde_json::json!([null, 3]));
        assert_eq!(serde_json::from_value::<ProfilerResults>(json).unwrap(), results);
        for name in OPTIONAL_COLUMNS {
            assert!(BenchmarkPoint::METRIC_NAMES.contains(name), "{name}");
        }
        // A column of the wrong length is an error, not a silent shift.
        let bad = serde_json::json!({"source": "json", "concurrency_values": [1, 2], "error_count": [1]});
        assert!(serde_json::from_value::<ProfilerResults>(bad).is_err());
    }

    #[test]
    fn per_gpu_and_per_user_rates() {
        let p = BenchmarkPoint {
            output_tps: Some(800.0),
            total_tps: Some(2000.0),
            mean_tpot_ms: Some(20.0),
            ..Default::default()
        };
        assert_eq!((p.output_tps_per_gpu(Some(8)), p.total_tps_per_gpu(Some(8))), (Some(100.0), Some(250.0)));
        assert_eq!(p.output_tps_per_gpu(Some(0)), None);
        assert_eq!(p.output_tps_per_user(), Some(50.0));
        assert_eq!(BenchmarkPoint { mean_tpot_ms: Some(0.0), ..p }.output_tps_per_user(), None);
    }
}
