//! Per worker role, what the workers did on each side: generation throughput, queue depth,
//! KV-cache use, prefix-cache hits, and the run's prefill/decode rate match.
//!
//! Each run gives one value per role and metric; a side's values over its runs form its
//! [`Spread`], so repeats give the noise here as for benchmark points.
//!
//! | metric | one run's value, over the role's workers |
//! |---|---|
//! | `peak_gen_throughput` | max of the workers' `derived.workers[].peak_gen_throughput` |
//! | `median_gen_throughput` | median of the workers' `derived.workers[].median_gen_throughput` |
//! | `cache_hit_rate` | median of the workers' `derived.workers[].cache_hit_rate` |
//! | `median_queue_req`, `max_queue_req` | median and max of `queue_req` over the kept batches of all the role's workers ([`WorkerStreams`]: one DP rank's lowest TP rank, so no step counts twice) |
//! | `median_token_usage`, `max_token_usage` | the same of `token_usage` (KV-cache use, 0..1) |
//! | `rate_match_ratio` (whole run) | `derived.rate_match.ratio` |

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use srtlog_model::derived::WorkerStreams;
use srtlog_model::WorkerType;

use crate::metrics::{direction_of, Direction};
use crate::points::MetricDelta;
use crate::stats::{median_in_place, Spread};
use crate::{run_derived, RunInput};

/// The per-role metrics, in table order.
pub const ROLE_METRICS: &[&str] = &[
    "peak_gen_throughput",
    "median_gen_throughput",
    "median_queue_req",
    "max_queue_req",
    "median_token_usage",
    "max_token_usage",
    "cache_hit_rate",
];

/// One role's comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleComparison {
    /// The role.
    pub role: WorkerType,
    /// Workers of this role per baseline run (one entry per run that has the role).
    pub baseline_workers: Vec<usize>,
    /// Per candidate run.
    pub candidate_workers: Vec<usize>,
    /// Every metric both sides have.
    pub metrics: Vec<MetricDelta>,
}

/// The workers' comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkersComparison {
    /// One entry per role both sides have.
    pub roles: Vec<RoleComparison>,
    /// Roles only one side has: `baseline: decode`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub one_side_roles: Vec<String>,
    /// The rate-match ratio, when both sides have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_match_ratio: Option<MetricDelta>,
}

type RoleValues = BTreeMap<WorkerType, (Vec<usize>, BTreeMap<&'static str, Vec<f64>>)>;

fn max(v: impl Iterator<Item = f64>) -> Option<f64> {
    v.max_by(f64::total_cmp)
}

/// One side's per-run values by role, and its rate-match ratios.
fn side_values(inputs: &[RunInput<'_>]) -> (RoleValues, Vec<f64>) {
    let mut roles: RoleValues = BTreeMap::new();
    let mut ratios = Vec::new();
    for input in inputs {
        let run = input.run;
        let derived = run_derived(run);
        if let Some(r) = derived.rate_match.as_ref().and_then(|m| m.ratio).filter(|r| r.is_finite()) {
            ratios.push(r);
        }
        let mut by_role: BTreeMap<WorkerType, Vec<usize>> = BTreeMap::new();
        for (i, node) in run.nodes.iter().enumerate() {
            by_role.entry(node.metrics.metadata.worker_type).or_default().push(i);
        }
        for (role, idx) in by_role {
            let summaries: Vec<_> = idx.iter().filter_map(|i| derived.workers.get(*i)).collect();
            let (mut queue, mut usage) = (Vec::new(), Vec::new());
            for i in &idx {
                let streams = WorkerStreams::new(&run.nodes[*i].metrics.batches);
                for b in streams.kept_batches() {
                    queue.extend(b.queue_req().map(f64::from));
                    usage.extend(b.token_usage().filter(|u| u.is_finite()));
                }
            }
            let median_of = |f: fn(&srtlog_model::WorkerDerived) -> Option<f64>| {
                let mut v: Vec<f64> =
                    summaries.iter().filter_map(|w| f(w)).filter(|v| v.is_finite()).collect();
                median_in_place(&mut v)
            };
            let values = [
                ("peak_gen_throughput", max(summaries.iter().filter_map(|w| w.peak_gen_throughput))),
                ("median_gen_throughput", median_of(|w| w.median_gen_throughput)),
                ("median_queue_req", median_in_place(&mut queue.clone())),
                ("max_queue_req", max(queue.into_iter())),
                ("median_token_usage", median_in_place(&mut usage.clone())),
                ("max_token_usage", max(usage.into_iter())),
                ("cache_hit_rate", median_of(|w| w.cache_hit_rate)),
            ];
            let (counts, metrics) = roles.entry(role).or_default();
            counts.push(idx.len());
            for (name, v) in values {
                if let Some(v) = v.filter(|v| v.is_finite()) {
                    metrics.entry(name).or_default().push(v);
                }
            }
        }
    }
    (roles, ratios)
}

fn delta(name: &str, a: Vec<f64>, b: Vec<f64>) -> Option<MetricDelta> {
    let direction = direction_of(name).unwrap_or(Direction::Neutral);
    Some(MetricDelta::new(name, direction, Spread::of(a)?, Spread::of(b)?))
}

/// Compares the sides' workers (see the module docs).
pub fn compare_workers(baseline: &[RunInput<'_>], candidate: &[RunInput<'_>]) -> WorkersComparison {
    let (mut a, ra) = side_values(baseline);
    let (mut b, rb) = side_values(candidate);
    let mut out =
        WorkersComparison { rate_match_ratio: delta("rate_match_ratio", ra, rb), ..Default::default() };
    for role in [WorkerType::Prefill, WorkerType::Decode, WorkerType::Agg] {
        match (a.remove(&role), b.remove(&role)) {
            (Some((ca, mut ma)), Some((cb, mut mb))) => {
                let metrics = ROLE_METRICS
                    .iter()
                    .filter_map(|name| delta(name, ma.remove(name)?, mb.remove(name)?))
                    .collect();
                out.roles.push(RoleComparison { role, baseline_workers: ca, candidate_workers: cb, metrics });
            }
            (Some(_), None) => out.one_side_roles.push(format!("baseline: {}", role.as_str())),
            (None, Some(_)) => out.one_side_roles.push(format!("candidate: {}", role.as_str())),
            (None, None) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use srtlog_model::{
        BatchMetrics, BatchType, BenchmarkRun, CountField, NodeConfig, NodeInfo, NodeMetadata, NodeMetrics,
        ParallelConfig, ParseStats, RealField,
    };

    fn worker(role: WorkerType, batches: &[(u32, u32, u32, f64, f64)]) -> NodeInfo {
        let batches = batches
            .iter()
            .map(|&(dp, tp, queue, usage, gen)| {
                let mut b = BatchMetrics::new(BatchType::Decode);
                (b.dp, b.tp) = (dp, tp);
                b.set_count(CountField::QueueReq, queue);
                b.set_real(RealField::TokenUsage, usage);
                b.set_real(RealField::GenThroughput, gen);
                b
            })
            .collect();
        NodeInfo {
            metrics: NodeMetrics {
                metadata: NodeMetadata { node_name: "n".into(), worker_type: role, worker_id: "w0".into() },
                batches,
                memory_snapshots: vec![],
                config: ParallelConfig::default(),
                stats: ParseStats::default(),
            },
            node_config: NodeConfig::default(),
        }
    }

    fn run(nodes: Vec<NodeInfo>) -> BenchmarkRun {
        let mut r = BenchmarkRun { nodes, ..Default::default() };
        r.update_derived();
        r
    }

    #[test]
    fn queue_and_kv_use_come_from_kept_batches_per_role() {
        // TP 1 repeats DP 0's lines with other values: they must not count.
        let a = run(vec![worker(
            WorkerType::Decode,
            &[(0, 0, 2, 0.5, 1000.0), (0, 1, 99, 0.99, 1.0), (0, 0, 4, 0.7, 3000.0), (0, 0, 6, 0.6, 2000.0)],
        )]);
        let b = run(vec![
            worker(WorkerType::Decode, &[(0, 0, 10, 0.9, 500.0)]),
            worker(WorkerType::Prefill, &[]),
        ]);
        let c = compare_workers(&[RunInput { run: &a, config: None }], &[RunInput { run: &b, config: None }]);
        assert_eq!(c.one_side_roles, ["candidate: prefill"]);
        let decode = &c.roles[0];
        let get = |n: &str| decode.metrics.iter().find(|m| m.metric == n).unwrap();
        assert_eq!(get("median_queue_req").baseline.median, 4.0);
        assert_eq!(get("max_queue_req").baseline.median, 6.0);
        assert_eq!(get("max_token_usage").baseline.median, 0.7);
        assert_eq!(get("peak_gen_throughput").baseline.median, 3000.0);
        assert_eq!(get("median_gen_throughput").baseline.median, 2000.0);
        assert_eq!(get("max_queue_req").candidate.median, 10.0);
        assert_eq!(get("max_queue_req").judgement, crate::points::Judgement::Worse);
    }
}
