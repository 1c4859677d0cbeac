//! Benchmark points matched across the sides, and the change of every metric both have.
//!
//! A point is keyed by (ISL, OSL, concurrency); an open-loop point (no concurrency) by its
//! request rate instead. A side's runs that measured the same key are its repeats there
//! ([`crate::stats`]). A key on one side only is kept as such ([`SidePoint`]), never dropped.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::frontier::pct;
use crate::metrics::{direction_of_other, metrics, Direction};
use crate::stats::{noise, Noise, Spread};
use crate::{run_derived, RunInput};

/// Which benchmark point: ISL/OSL, and concurrency or (open loop) request rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PointKey {
    /// Input sequence length of the run.
    pub isl: Option<u32>,
    /// Output sequence length of the run.
    pub osl: Option<u32>,
    /// Maximum concurrency; `None` for open-loop points.
    pub concurrency: Option<u32>,
    /// Request rate (requests/s) of an open-loop point; absent for closed-loop points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_rate: Option<f64>,
}

impl PointKey {
    fn order(&self) -> (Option<u32>, Option<u32>, bool, Option<u32>, Option<u64>) {
        // Non-negative rates order as their bit patterns; -0 is 0.
        let rate = self.request_rate.map(|r| if r == 0.0 { 0 } else { r.to_bits() });
        (self.isl, self.osl, self.concurrency.is_none(), self.concurrency, rate)
    }

    /// `1024/1024 c16`, `1024/1024 rate 2.5`, `?/? open loop`.
    pub fn label(&self) -> String {
        let n = |v: Option<u32>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
        let load = match (self.concurrency, self.request_rate) {
            (Some(c), _) => format!("c{c}"),
            (None, Some(r)) => format!("rate {r}"),
            (None, None) => "open loop".to_owned(),
        };
        format!("{}/{} {load}", n(self.isl), n(self.osl))
    }
}

impl Eq for PointKey {}
impl PartialOrd for PointKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PointKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order().cmp(&other.order())
    }
}

/// Better, worse or unchanged, by the metric's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// The change goes the metric's good way.
    Better,
    /// The change goes its bad way.
    Worse,
    /// No change (equal up to floating-point rounding).
    Unchanged,
    /// A neutral metric that changed.
    Changed,
}

impl Judgement {
    /// The word tables print.
    pub fn as_str(self) -> &'static str {
        match self {
            Judgement::Better => "better",
            Judgement::Worse => "worse",
            Judgement::Unchanged => "unchanged",
            Judgement::Changed => "changed",
        }
    }
}

/// The change of one metric between the sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricDelta {
    /// The metric.
    pub metric: String,
    /// Which way it is better.
    pub direction: Direction,
    /// The baseline's values.
    pub baseline: Spread,
    /// The candidate's values.
    pub candidate: Spread,
    /// Candidate median minus baseline median.
    pub change: f64,
    /// The change in percent of the baseline (`None` when the baseline is 0).
    pub pct_change: Option<f64>,
    /// Better, worse or unchanged.
    pub judgement: Judgement,
    /// Whether the change is larger than the sides' run-to-run variation.
    pub noise: Noise,
}

impl MetricDelta {
    /// The delta of `metric` between two spreads.
    pub fn new(metric: &str, direction: Direction, baseline: Spread, candidate: Spread) -> Self {
        let (a, b) = (baseline.median, candidate.median);
        let change = b - a;
        let judgement = if change.abs() <= 1e-9 * a.abs().max(b.abs()) {
            Judgement::Unchanged
        } else {
            match (direction, change > 0.0) {
                (Direction::Neutral, _) => Judgement::Changed,
                (Direction::HigherIsBetter, true) | (Direction::LowerIsBetter, false) => Judgement::Better,
                _ => Judgement::Worse,
            }
        };
        let noise = noise(&baseline, &candidate);
        MetricDelta {
            metric: metric.to_owned(),
            direction,
            pct_change: pct(a, b),
            change,
            judgement,
            noise,
            baseline,
            candidate,
        }
    }
}

/// One side's values at one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SidePoint {
    /// Which point.
    pub key: PointKey,
    /// Job ids of the runs that measured it.
    pub runs: Vec<String>,
    /// Each metric's values over those runs, by name.
    pub metrics: BTreeMap<String, Spread>,
}

/// A point both sides measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointComparison {
    /// Which point.
    pub key: PointKey,
    /// Job ids of the baseline runs that measured it.
    pub baseline_runs: Vec<String>,
    /// Job ids of the candidate runs.
    pub candidate_runs: Vec<String>,
    /// Every metric both sides have, in table order.
    pub metrics: Vec<MetricDelta>,
}

/// A point's values by metric name, one per repeat.
type Values = BTreeMap<String, Vec<f64>>;

/// Collects a side's points: per key, the runs and every metric's values.
pub fn side_points(inputs: &[RunInput<'_>]) -> BTreeMap<PointKey, SidePoint> {
    let mut raw: BTreeMap<PointKey, (Vec<String>, Values)> = BTreeMap::new();
    for input in inputs {
        let run = input.run;
        let derived = run_derived(run);
        for (i, p) in run.profiler.points.iter().enumerate() {
            let key = PointKey {
                isl: run.profiler_metadata.isl,
                osl: run.profiler_metadata.osl,
                concurrency: p.concurrency,
                request_rate: if p.concurrency.is_none() {
                    p.request_rate.filter(|r| r.is_finite())
                } else {
                    None
                },
            };
            let (runs, values) = raw.entry(key).or_default();
            if !runs.contains(&run.metadata.job_id) {
                runs.push(run.metadata.job_id.clone());
            }
            for m in metrics() {
                if let Some(v) = m.value(p, &derived, i) {
                    values.entry(m.name.to_owned()).or_default().push(v);
                }
            }
            for (name, v) in &p.other_metrics {
                if v.is_finite() {
                    values.entry(name.clone()).or_default().push(*v);
                }
            }
        }
    }
    raw.into_iter()
        .map(|(key, (runs, values))| {
            let metrics = values.into_iter().filter_map(|(k, v)| Some((k, Spread::of(v)?))).collect();
            (key, SidePoint { key, runs, metrics })
        })
        .collect()
}

/// The metrics of a point both sides have, in table order: the metric table's order, then the
/// other metrics by name.
pub fn compare_point(a: &SidePoint, b: &SidePoint) -> PointComparison {
    let mut deltas = Vec::new();
    let both = |name: &str| Some((a.metrics.get(name)?.clone(), b.metrics.get(name)?.clone()));
    for m in metrics() {
        if let Some((sa, sb)) = both(m.name) {
            deltas.push(MetricDelta::new(m.name, m.direction, sa, sb));
        }
    }
    for name in a.metrics.keys() {
        if crate::metrics::metric(name).is_none() {
            if let Some((sa, sb)) = both(name) {
                deltas.push(MetricDelta::new(name, direction_of_other(name), sa, sb));
            }
        }
    }
    PointComparison {
        key: a.key,
        baseline_runs: a.runs.clone(),
        candidate_runs: b.runs.clone(),
        metrics: deltas,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[f64]) -> Spread {
        Spread::of(v.to_vec()).unwrap()
    }

    #[test]
    fn judgement_follows_the_direction() {
        let d = |dir, a, b| MetricDelta::new("m", dir, s(&[a]), s(&[b])).judgement;
        assert_eq!(d(Direction::HigherIsBetter, 100.0, 110.0), Judgement::Better);
        assert_eq!(d(Direction::HigherIsBetter, 100.0, 90.0), Judgement::Worse);
        assert_eq!(d(Direction::LowerIsBetter, 100.0, 90.0), Judgement::Better);
        assert_eq!(d(Direction::LowerIsBetter, 100.0, 100.0), Judgement::Unchanged);
        assert_eq!(d(Direction::Neutral, 1.0, 2.0), Judgement::Changed);
        let m = MetricDelta::new("m", Direction::HigherIsBetter, s(&[200.0]), s(&[150.0]));
        assert_eq!((m.change, m.pct_change, m.noise), (-50.0, Some(-25.0), Noise::Unknown));
        assert_eq!(MetricDelta::new("m", Direction::Neutral, s(&[0.0]), s(&[1.0])).pct_change, None);
    }

    #[test]
    fn keys_order_closed_loop_before_open_loop_and_label_themselves() {
        let k = |c, r| PointKey { isl: Some(1024), osl: Some(128), concurrency: c, request_rate: r };
        let mut keys = [k(None, Some(2.0)), k(Some(64), None), k(None, None), k(Some(8), None)];
        keys.sort();
        let labels: Vec<String> = keys.iter().map(PointKey::label).collect();
        assert_eq!(labels, ["1024/128 c8", "1024/128 c64", "1024/128 open loop", "1024/128 rate 2"]);
    }
}
