//! The metrics a comparison knows and which way each one is better: the one table of metric →
//! direction. The benchmark-point metrics come from the model's own list
//! ([`srtlog_model::with_point_metrics!`]), the per-point rates from the derived engine
//! ([`srtlog_model::derived`]: `output_tps_per_gpu`, `output_tps_per_user`, ...), so a metric
//! added to the model is compared without an edit here — and a test fails until its direction
//! is written down in [`direction_of`].

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use srtlog_model::{BenchmarkPoint, PointEnergy, RunDerived};

/// Which way a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better (throughput).
    HigherIsBetter,
    /// Less is better (latency).
    LowerIsBetter,
    /// Describes the workload rather than its quality (token counts, duration, request rate).
    Neutral,
}

/// Where a metric's value of one point is read.
#[derive(Clone, Copy)]
enum Source {
    /// A named field of [`BenchmarkPoint`].
    Point(fn(&BenchmarkPoint) -> Option<f64>),
    /// A per-point list of [`RunDerived`] (one entry per point).
    Derived(fn(&RunDerived) -> &Vec<Option<f64>>),
    /// A figure of the point's energy ([`RunDerived::energy`], empty for a run without power data).
    Energy(fn(&PointEnergy) -> Option<f64>),
}

/// One comparable metric.
#[derive(Clone, Copy)]
pub struct Metric {
    /// Its name, as the JSON document spells it.
    pub name: &'static str,
    /// Which way it is better.
    pub direction: Direction,
    source: Source,
}

impl std::fmt::Debug for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metric").field("name", &self.name).field("direction", &self.direction).finish()
    }
}

impl Metric {
    /// The metric's value at point `index` of a run (`None` when unknown or not finite).
    pub fn value(&self, point: &BenchmarkPoint, derived: &RunDerived, index: usize) -> Option<f64> {
        let v = match self.source {
            Source::Point(f) => f(point),
            Source::Derived(f) => f(derived).get(index).copied().flatten(),
            Source::Energy(f) => derived.energy.get(index).and_then(f),
        };
        v.filter(|v| v.is_finite())
    }
}

/// The direction of a metric by name; `None` for a name this table does not know.
///
/// Throughputs (tokens or requests per second, per GPU or per user) and completed requests are
/// better higher; every latency (`*_ms`: TTFT, TPOT, ITL, end-to-end, their means, medians,
/// percentiles and standard deviations) is better lower; what describes the workload (token
/// totals, prompts sent, duration, the configured request rate) is neutral. Per worker role:
/// generation throughput and prefix-cache hit rate are better higher, queue depth lower;
/// KV-cache use and the rate-match ratio are neutral (good or bad only against a target).
pub fn direction_of(name: &str) -> Option<Direction> {
    match name {
        "output_tps"
        | "total_tps"
        | "request_throughput"
        | "request_goodput"
        | "peak_output_tps"
        | "completed"
        | "output_tps_per_gpu"
        | "total_tps_per_gpu"
        | "input_tps_per_gpu"
        | "output_tps_per_user"
        | "good_completed"
        | "mean_prefill_tps_per_user"
        | "median_prefill_tps_per_user" => Some(Direction::HigherIsBetter),
        "error_count" => Some(Direction::LowerIsBetter),
        // Energy per point (srtlog_model::derived::energy): work per joule is better higher,
        // joules per token lower.
        "output_tps_per_w" | "output_tps_per_combined_w" => Some(Direction::HigherIsBetter),
        "j_per_output_token" | "j_per_total_token" | "combined_j_per_output_token" => {
            Some(Direction::LowerIsBetter)
        }
        "total_input_tokens" | "total_output_tokens" | "num_prompts" | "duration" | "request_rate" => {
            Some(Direction::Neutral)
        }
        // What the run did or what it was measured over, not how well: reasoning tokens, the
        // window, and the GPU telemetry totals (energy and power follow the load and the
        // window's length; tok/s per watt is the comparable figure).
        "total_reasoning_tokens"
        | "window_start_unix"
        | "window_end_unix"
        | "telemetry_gpus"
        | "gpu_power_w"
        | "gpu_energy_j"
        | "gpu_utilization_pct" => Some(Direction::Neutral),
        // Per worker role (crate::workers).
        "peak_gen_throughput" | "median_gen_throughput" | "cache_hit_rate" => Some(Direction::HigherIsBetter),
        "median_queue_req" | "max_queue_req" => Some(Direction::LowerIsBetter),
        // KV-cache use and the prefill/decode ratio are good or bad only against a target.
        "median_token_usage" | "max_token_usage" | "rate_match_ratio" => Some(Direction::Neutral),
        n if n.ends_with("_ms") => Some(Direction::LowerIsBetter),
        _ => None,
    }
}

/// The direction of one of a point's `other_metrics` (`p99.9_ttft_ms`, ...): by the same
/// table, neutral when the table does not know the name.
pub fn direction_of_other(name: &str) -> Direction {
    direction_of(name).unwrap_or(Direction::Neutral)
}

trait AsF64 {
    fn into_f64(self) -> f64;
}
impl AsF64 for f64 {
    fn into_f64(self) -> f64 {
        self
    }
}
impl AsF64 for u64 {
    fn into_f64(self) -> f64 {
        self as f64
    }
}

macro_rules! point_metrics {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty ),+ $(,)?) => {
        [$( (stringify!($field), Source::Point(|p: &BenchmarkPoint| p.$field.map(AsF64::into_f64))) ),+]
    };
}

/// How many energy metrics [`metrics`] has.
const ENERGY_METRICS: usize = 5;

/// Every metric, in the order tables show them: the derived per-point rates first (the
/// numbers of the Pareto plot), then the energy figures (compared when both sides have them),
/// then the point's named metrics in the model's order.
pub fn metrics() -> &'static [Metric] {
    static METRICS: LazyLock<Vec<Metric>> = LazyLock::new(|| {
        let derived: [(&'static str, Source); 4] = [
            ("output_tps_per_gpu", Source::Derived(|d| &d.output_tps_per_gpu)),
            ("output_tps_per_user", Source::Derived(|d| &d.output_tps_per_user)),
            ("total_tps_per_gpu", Source::Derived(|d| &d.total_tps_per_gpu)),
            ("input_tps_per_gpu", Source::Derived(|d| &d.input_tps_per_gpu)),
        ];
        let energy: [(&'static str, Source); ENERGY_METRICS] = [
            ("output_tps_per_w", Source::Energy(|e| e.output_tps_per_w)),
            ("j_per_output_token", Source::Energy(|e| e.j_per_output_token)),
            ("j_per_total_token", Source::Energy(|e| e.j_per_total_token)),
            ("output_tps_per_combined_w", Source::Energy(|e| e.output_tps_per_combined_w)),
            ("combined_j_per_output_token", Source::Energy(|e| e.combined_j_per_output_token)),
        ];
        let point = srtlog_model::with_point_metrics!(point_metrics! {});
        derived
            .into_iter()
            .chain(energy)
            .chain(point)
            .map(|(name, source)| Metric {
                name,
                // Unknown names are caught by the test below; neutral keeps a release build honest.
                direction: direction_of(name).unwrap_or(Direction::Neutral),
                source,
            })
            .collect()
    });
    &METRICS
}

/// The metric called `name`, if the table has it.
pub fn metric(name: &str) -> Option<&'static Metric> {
    metrics().iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_metric_has_a_written_direction() {
        for name in BenchmarkPoint::METRIC_NAMES {
            assert!(direction_of(name).is_some(), "{name} has no direction in direction_of");
            assert!(metric(name).is_some(), "{name} is not compared");
        }
        assert_eq!(metrics().len(), BenchmarkPoint::METRIC_NAMES.len() + 4 + ENERGY_METRICS);
        for m in metrics() {
            assert!(direction_of(m.name).is_some(), "{} has no direction", m.name);
        }
    }

    #[test]
    fn directions_read_as_users_expect() {
        assert_eq!(direction_of("output_tps_per_gpu"), Some(Direction::HigherIsBetter));
        assert_eq!(direction_of("p99_ttft_ms"), Some(Direction::LowerIsBetter));
        assert_eq!(direction_of("duration"), Some(Direction::Neutral));
        assert_eq!(direction_of_other("p99.9_ttft_ms"), Direction::LowerIsBetter);
        assert_eq!(direction_of_other("something_else"), Direction::Neutral);
    }

    #[test]
    fn values_come_from_the_point_or_the_derived_lists() {
        let p = BenchmarkPoint { output_tps: Some(800.0), total_input_tokens: Some(7), ..Default::default() };
        let d = RunDerived { output_tps_per_gpu: vec![None, Some(100.0)], ..Default::default() };
        let m = |n| metric(n).unwrap();
        assert_eq!(m("output_tps").value(&p, &d, 0), Some(800.0));
        assert_eq!(m("total_input_tokens").value(&p, &d, 0), Some(7.0));
        assert_eq!(m("output_tps_per_gpu").value(&p, &d, 1), Some(100.0));
        assert_eq!(m("output_tps_per_gpu").value(&p, &d, 0), None);
        assert_eq!(m("output_tps_per_gpu").value(&p, &d, 5), None);
        let e =
            PointEnergy { output_tps_per_w: Some(0.2), j_per_output_token: Some(5.0), ..Default::default() };
        let with_energy = RunDerived { energy: vec![PointEnergy::default(), e], ..Default::default() };
        assert_eq!(m("output_tps_per_w").value(&p, &with_energy, 1), Some(0.2));
        assert_eq!(m("j_per_output_token").value(&p, &with_energy, 1), Some(5.0));
        assert_eq!(m("j_per_output_token").value(&p, &with_energy, 0), None);
        assert_eq!(m("j_per_output_token").value(&p, &d, 1), None, "a run without power data");
        assert_eq!(m("output_tps_per_w").direction, Direction::HigherIsBetter);
        assert_eq!(m("j_per_output_token").direction, Direction::LowerIsBetter);
        let inf = BenchmarkPoint { request_rate: Some(f64::INFINITY), ..Default::default() };
        assert_eq!(m("request_rate").value(&inf, &d, 0), None, "infinity is not a value");
    }
}
