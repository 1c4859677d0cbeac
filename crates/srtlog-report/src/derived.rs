//! Where the report's numbers come from, and the one value it computes itself.
//!
//! Every metric the JSON document also holds comes from the document's `derived` block, which
//! the model's engine ([`srtlog_model::derived`]) filled: per-point rates, GPUs used, worker
//! summaries and the rate match. The report defines none of their formulas, so the page and
//! `analyze --json` cannot disagree. A run whose `derived` block is missing or does not fit its
//! results and workers (a document built by hand, or JSON written before srtlog had the block)
//! is derived here with the same engine ([`runs_derived`]).
//!
//! | Value | Formula |
//! |-------|---------|
//! | output TPS/GPU, total TPS/GPU, input TPS/GPU, output TPS/user, GPUs used | the run's `derived` ([`srtlog_model::derived`]) |
//! | worker peak / median gen throughput, cache hit rate | `derived.workers` ([`srtlog_model::derived::worker_summary`]) |
//! | rate match | `derived.rate_match` ([`srtlog_model::derived::rate_match`]), embedded unchanged |
//! | Pareto frontier | the points no other point beats or equals in both coordinates ([`pareto_frontier`]) |

use std::borrow::Cow;

use serde::Serialize;
use srtlog_model::{AnalysisDocument, RunDerived};

/// The derived values of each run of `doc`, in document order: the run's own `derived`, or —
/// when it does not fit the run (see the module docs) — [`srtlog_model::derived::derive`] of the run
/// ([`srtlog_diff::run_derived`], the one place of that rule).
pub fn runs_derived(doc: &AnalysisDocument) -> Vec<Cow<'_, RunDerived>> {
    doc.runs.iter().map(srtlog_diff::run_derived).collect()
}

/// One run × concurrency on the throughput/interactivity plane.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ParetoPoint {
    /// Index of the run in [`AnalysisDocument::runs`].
    pub run: usize,
    /// The point's concurrency (`None` for open-loop points).
    pub concurrency: Option<u32>,
    /// Output tokens per second per user: `1000 / mean_tpot_ms`.
    pub x: f64,
    /// Output tokens per second per GPU: `output_tps / gpus_used`.
    pub y: f64,
}

/// Every run × concurrency that has both coordinates, in document order: `x` is the run's
/// `derived.output_tps_per_user`, `y` its `derived.output_tps_per_gpu` (`derived` holds one
/// entry per run of `doc`, as [`runs_derived`] gives).
///
/// Points without a mean TPOT, without output throughput or whose run has no known GPU count
/// are left out: they cannot be placed on the plane.
pub fn pareto_points(doc: &AnalysisDocument, derived: &[Cow<'_, RunDerived>]) -> Vec<ParetoPoint> {
    let mut out = Vec::new();
    for (run, (r, d)) in doc.runs.iter().zip(derived).enumerate() {
        let coordinates = d.output_tps_per_user.iter().zip(&d.output_tps_per_gpu);
        for (p, (x, y)) in r.profiler.points.iter().zip(coordinates) {
            let (Some(x), Some(y)) = (*x, *y) else { continue };
            if x.is_finite() && y.is_finite() {
                out.push(ParetoPoint { run, concurrency: p.concurrency, x, y });
            }
        }
    }
    out
}

/// The Pareto frontier of `points` when both coordinates are to be maximised, sorted by `x`
/// ascending (so `y` descends along it).
///
/// A point is on the frontier when no other point has `x' ≥ x` and `y' ≥ y` with at least one
/// of them strictly greater. Of several identical points the first one is kept. Non-finite
/// points are ignored. The rule is [`srtlog_diff::frontier::pareto_frontier`]'s, which `srtlog
/// diff` uses too.
pub fn pareto_frontier(points: &[ParetoPoint]) -> Vec<ParetoPoint> {
    srtlog_diff::frontier::pareto_frontier(points, |p| (p.x, p.y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(run: usize, x: f64, y: f64) -> ParetoPoint {
        ParetoPoint { run, concurrency: Some(run as u32), x, y }
    }

    fn xy(points: &[ParetoPoint]) -> Vec<(f64, f64)> {
        points.iter().map(|p| (p.x, p.y)).collect()
    }

    #[test]
    fn frontier_keeps_only_undominated_points_sorted_by_x() {
        let pts = [
            p(0, 10.0, 100.0),
            p(1, 20.0, 80.0),
            p(2, 15.0, 70.0), // dominated by (20, 80)
            p(3, 30.0, 40.0),
            p(4, 5.0, 90.0),  // dominated by (10, 100)
            p(5, 30.0, 10.0), // same x as (30, 40), lower y
        ];
        assert_eq!(xy(&pareto_frontier(&pts)), vec![(10.0, 100.0), (20.0, 80.0), (30.0, 40.0)]);
    }

    #[test]
    fn frontier_handles_ties_duplicates_and_non_finite_values() {
        let pts = [
            p(0, 10.0, 50.0),
            p(1, 10.0, 50.0),
            p(2, 10.0, 60.0),
            p(3, f64::NAN, 1e9),
            p(4, 1.0, f64::INFINITY),
        ];
        let f = pareto_frontier(&pts);
        assert_eq!(xy(&f), vec![(10.0, 60.0)]);
        assert_eq!(f[0].run, 2);
        let dup = [p(7, 1.0, 1.0), p(8, 1.0, 1.0)];
        assert_eq!(pareto_frontier(&dup).iter().map(|p| p.run).collect::<Vec<_>>(), vec![7]);
        assert!(pareto_frontier(&[]).is_empty());
    }

    #[test]
    fn frontier_points_are_never_dominated_and_dominate_the_rest() {
        // A deterministic pseudo-random cloud.
        let mut seed = 0x2545_f491_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 1000) as f64
        };
        let pts: Vec<ParetoPoint> = (0..500).map(|i| p(i, next(), next())).collect();
        let f = pareto_frontier(&pts);
        let dominates =
            |a: &ParetoPoint, b: &ParetoPoint| a.x >= b.x && a.y >= b.y && (a.x > b.x || a.y > b.y);
        for q in &f {
            assert!(!pts.iter().any(|o| dominates(o, q)), "frontier point {q:?} is dominated");
        }
        for o in &pts {
            let on = f.iter().any(|q| q.x == o.x && q.y == o.y);
            assert!(on || f.iter().any(|q| dominates(q, o)), "{o:?} is neither on nor below the frontier");
        }
        assert!(f.windows(2).all(|w| w[0].x < w[1].x && w[0].y > w[1].y));
    }
}
