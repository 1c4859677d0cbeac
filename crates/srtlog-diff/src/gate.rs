//! The regression gate: thresholds on the change of a metric, checked at every matched point.
//!
//! # Grammar
//!
//! ```text
//! gate      := item ("," item)*
//! item      := "default" | "none" | threshold
//! threshold := METRIC ("<" | ">") SIGNED_NUMBER ["%"]
//! ```
//!
//! `output_tps_per_gpu<-5%` is violated where the candidate's output tokens/s per GPU is more
//! than 5 % below the baseline's (percent change `< -5`); `p99_ttft_ms>+10%` where p99 TTFT
//! rose by more than 10 %. Without `%` the limit is in the metric's own unit:
//! `p99_ttft_ms>+50` is violated by a rise of more than 50 ms. Spaces are allowed around the
//! parts. `METRIC` is any metric of [`crate::metrics`] or of a point's `other_metrics`
//! (`p99.9_ttft_ms`); a name the metric table does not know is a usage error, unless it is
//! spelled like an extra percentile (contains `.` or starts with `p`). `default` stands for
//! [`DEFAULT_GATE`]; `none` for no threshold.
//!
//! # Default
//!
//! [`DEFAULT_GATE`]: `output_tps_per_gpu<-5%,output_tps_per_user<-5%,p99_ttft_ms>+10%,p99_itl_ms>+10%`
//! — throughput per GPU and per user down by more than 5 %, tail TTFT and ITL up by more than
//! 10 %.
//!
//! # What fails
//!
//! Every violated threshold at every point is reported ([`Violation`]), with its noise verdict.
//! The gate **fails** when at least one violation is not within noise: beyond the sides'
//! run-to-run variation, or with noise unknown (single runs — the line then says so, and a
//! regression is never claimed from a single pair without that label).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::metrics::{direction_of, metric};
use crate::points::{MetricDelta, PointKey};
use crate::stats::Noise;
use crate::Comparison;

/// The gate used when none is given.
pub const DEFAULT_GATE: &str =
    "output_tps_per_gpu<-5%,output_tps_per_user<-5%,p99_ttft_ms>+10%,p99_itl_ms>+10%";

/// Which side of the limit is a violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// Violated when the change is below the limit (`<`).
    Below,
    /// Violated when it is above (`>`).
    Above,
}

/// One threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// The metric.
    pub metric: String,
    /// `<` or `>`.
    pub bound: Bound,
    /// The limit: percent when `relative`, else in the metric's unit.
    pub limit: f64,
    /// Whether the limit is a percent change.
    pub relative: bool,
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.bound {
            Bound::Below => '<',
            Bound::Above => '>',
        };
        write!(f, "{}{op}{:+}{}", self.metric, self.limit, if self.relative { "%" } else { "" })
    }
}

impl Threshold {
    /// Whether `delta` crosses this threshold.
    pub fn violated_by(&self, delta: &MetricDelta) -> bool {
        let value = if self.relative { delta.pct_change } else { Some(delta.change) };
        match (value, self.bound) {
            (Some(v), Bound::Below) => v < self.limit,
            (Some(v), Bound::Above) => v > self.limit,
            (None, _) => false,
        }
    }
}

/// A gate: its thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    /// The thresholds, in the order given.
    pub thresholds: Vec<Threshold>,
}

/// A gate that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateError(pub String);

impl fmt::Display for GateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GateError {}

fn known(name: &str) -> bool {
    metric(name).is_some() || direction_of(name).is_some() || name.contains('.') || name.starts_with('p')
}

impl Gate {
    /// Parses a gate (see the module docs for the grammar).
    pub fn parse(text: &str) -> Result<Gate, GateError> {
        let mut thresholds = Vec::new();
        for item in text.split(',').map(str::trim) {
            match item {
                "" => return Err(GateError(format!("empty threshold in {text:?}"))),
                "none" => {}
                "default" => thresholds.extend(Gate::parse(DEFAULT_GATE)?.thresholds),
                _ => thresholds.push(parse_threshold(item)?),
            }
        }
        Ok(Gate { thresholds })
    }

    /// Every violation at every matched point of `comparison`.
    pub fn check(&self, comparison: &Comparison) -> GateResult {
        let mut violations = Vec::new();
        for point in &comparison.points {
            for t in &self.thresholds {
                if let Some(d) = point.metrics.iter().find(|d| d.metric == t.metric) {
                    if t.violated_by(d) {
                        violations.push(Violation {
                            metric: t.metric.clone(),
                            point: point.key,
                            baseline: d.baseline.median,
                            candidate: d.candidate.median,
                            change: d.change,
                            pct_change: d.pct_change,
                            threshold: t.to_string(),
                            noise: d.noise,
                        });
                    }
                }
            }
        }
        let failed = violations.iter().any(|v| v.noise != Noise::Within);
        GateResult {
            thresholds: self.thresholds.iter().map(Threshold::to_string).collect(),
            violations,
            failed,
        }
    }
}

fn parse_threshold(item: &str) -> Result<Threshold, GateError> {
    let err = |why: &str| {
        GateError(format!(
            "invalid threshold {item:?}: {why} (expected METRIC<-5% or METRIC>+10%, e.g. p99_ttft_ms>+10%)"
        ))
    };
    let at = item.find(['<', '>']).ok_or_else(|| err("no < or >"))?;
    let metric = item[..at].trim();
    let bound = if item.as_bytes()[at] == b'<' { Bound::Below } else { Bound::Above };
    let rest = item[at + 1..].trim();
    let (number, relative) = match rest.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (rest, false),
    };
    if metric.is_empty() {
        return Err(err("no metric"));
    }
    if !known(metric) {
        let names: Vec<&str> = crate::metrics::metrics().iter().map(|m| m.name).collect();
        return Err(err(&format!("unknown metric {metric:?}; known: {}", names.join(", "))));
    }
    let limit: f64 = number.parse().map_err(|_| err(&format!("{number:?} is not a number")))?;
    if !limit.is_finite() {
        return Err(err("the limit must be finite"));
    }
    Ok(Threshold { metric: metric.to_owned(), bound, limit, relative })
}

/// One violated threshold at one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The metric.
    pub metric: String,
    /// The point.
    pub point: PointKey,
    /// The baseline's value (median of its repeats).
    pub baseline: f64,
    /// The candidate's.
    pub candidate: f64,
    /// Candidate minus baseline.
    pub change: f64,
    /// In percent of the baseline.
    pub pct_change: Option<f64>,
    /// The threshold crossed, as written back (`p99_ttft_ms>+10%`).
    pub threshold: String,
    /// Whether the change is larger than run-to-run variation.
    pub noise: Noise,
}

/// What the gate found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateResult {
    /// The thresholds checked.
    pub thresholds: Vec<String>,
    /// Every violation.
    pub violations: Vec<Violation>,
    /// Whether a violation is not within noise (the gate's exit code 1).
    pub failed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Direction;
    use crate::stats::Spread;

    #[test]
    fn the_grammar() {
        let g = Gate::parse("output_tps_per_gpu<-5%, p99_ttft_ms > +10 %,mean_itl_ms>2.5").unwrap();
        let shown: Vec<String> = g.thresholds.iter().map(Threshold::to_string).collect();
        assert_eq!(shown, ["output_tps_per_gpu<-5%", "p99_ttft_ms>+10%", "mean_itl_ms>+2.5"]);
        assert!(!g.thresholds[2].relative);
        assert_eq!(Gate::parse("default").unwrap(), Gate::parse(DEFAULT_GATE).unwrap());
        assert_eq!(Gate::parse("none").unwrap().thresholds, []);
        assert_eq!(Gate::parse("p99.9_ttft_ms>+5%").unwrap().thresholds[0].metric, "p99.9_ttft_ms");
        for bad in [
            "",
            "tps<",
            "output_tps_per_gpu-5%",
            "bogus<-5%",
            "<5%",
            "output_tps<x%",
            "output_tps<inf%",
            "a,",
        ] {
            assert!(Gate::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert!(Gate::parse("bogus<-5%").unwrap_err().0.contains("known: output_tps_per_gpu"));
    }

    #[test]
    fn thresholds_are_strict_and_read_percent_or_units() {
        let d = |a: f64, b: f64| {
            MetricDelta::new(
                "m",
                Direction::HigherIsBetter,
                Spread::of(vec![a]).unwrap(),
                Spread::of(vec![b]).unwrap(),
            )
        };
        let t = |s: &str| Gate::parse(s).unwrap().thresholds.remove(0);
        assert!(t("output_tps<-5%").violated_by(&d(100.0, 94.0)));
        assert!(!t("output_tps<-5%").violated_by(&d(100.0, 95.0)), "exactly at the limit passes");
        assert!(t("mean_ttft_ms>+10").violated_by(&d(100.0, 111.0)));
        assert!(!t("mean_ttft_ms>+10").violated_by(&d(100.0, 110.0)));
        assert!(!t("output_tps<-5%").violated_by(&d(0.0, -1.0)), "no percent of a zero baseline");
    }
}
