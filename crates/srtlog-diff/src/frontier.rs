//! The throughput/interactivity frontier and the comparison at equal interactivity.
//!
//! Each side's points are placed at (output tokens/s per user, output tokens/s per GPU) — the
//! derived engine's `output_tps_per_user` and `output_tps_per_gpu`, the side's median where it
//! has repeats. The **frontier** ([`pareto_frontier`], the one rule the report also draws) is
//! the set of points no other point beats or equals on both axes, by per-user rate ascending.
//!
//! **At equal interactivity**, each frontier is read as the piecewise-linear curve through its
//! points (what a Pareto plot draws; nothing is extrapolated beyond its first or last point).
//! Where both curves cover a per-user rate — the overlap of their ranges — the change in
//! tok/s/GPU is taken at every frontier point of either side inside the overlap and at the
//! overlap's two ends: the difference of two piecewise-linear curves is itself linear between
//! those rates, so these samples describe it exactly.

use serde::{Deserialize, Serialize};

/// The Pareto frontier of `items` when both coordinates (given by `xy`) are to be maximised,
/// sorted by `x` ascending (so `y` descends along it).
///
/// An item is on the frontier when no other item has `x' ≥ x` and `y' ≥ y` with at least one of
/// them strictly greater. Of several identical items the first one is kept. Items with a
/// non-finite coordinate are ignored. `O(n log n)`: sort by `x` descending (ties: `y`
/// descending) and keep each item whose `y` beats every `y` seen so far.
pub fn pareto_frontier<T: Clone>(items: &[T], xy: impl Fn(&T) -> (f64, f64)) -> Vec<T> {
    let mut sorted: Vec<(f64, f64, &T)> = items
        .iter()
        .map(|t| {
            let (x, y) = xy(t);
            (x, y, t)
        })
        .filter(|(x, y, _)| x.is_finite() && y.is_finite())
        .collect();
    // A stable sort keeps the given order among identical items.
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
    let mut frontier = Vec::new();
    let mut best_y = f64::NEG_INFINITY;
    for (_, y, t) in sorted {
        if y > best_y {
            best_y = y;
            frontier.push(t.clone());
        }
    }
    frontier.reverse();
    frontier
}

/// A frontier's value at per-user rate `x`, by linear interpolation between its neighbouring
/// points; `None` outside its range. `frontier` is sorted by `x` ascending.
pub fn interpolate(frontier: &[[f64; 2]], x: f64) -> Option<f64> {
    let first = frontier.first()?;
    let last = frontier.last()?;
    if x < first[0] || x > last[0] {
        return None;
    }
    let i = frontier.partition_point(|p| p[0] < x);
    let hi = frontier.get(i)?;
    if hi[0] == x || i == 0 {
        return Some(hi[1]);
    }
    let lo = frontier[i - 1];
    Some(lo[1] + (hi[1] - lo[1]) * (x - lo[0]) / (hi[0] - lo[0]))
}

/// The change in tok/s/GPU at one per-user rate both frontiers cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierSample {
    /// Output tokens/s per user.
    pub tps_per_user: f64,
    /// The baseline frontier's output tokens/s per GPU there.
    pub baseline_tps_per_gpu: f64,
    /// The candidate frontier's.
    pub candidate_tps_per_gpu: f64,
    /// Candidate minus baseline.
    pub change: f64,
    /// The change in percent of the baseline (`None` when the baseline is 0).
    pub pct_change: Option<f64>,
}

/// Both sides' frontiers for one ISL/OSL, and their comparison at equal interactivity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierComparison {
    /// Input sequence length.
    pub isl: Option<u32>,
    /// Output sequence length.
    pub osl: Option<u32>,
    /// The baseline's frontier, `[tok/s/user, tok/s/GPU]` by tok/s/user ascending.
    pub baseline: Vec<[f64; 2]>,
    /// The candidate's.
    pub candidate: Vec<[f64; 2]>,
    /// The per-user rates both cover, `[from, to]`; `None` when the ranges do not meet.
    pub overlap: Option<[f64; 2]>,
    /// The change at the rates of [`FrontierComparison::overlap`] (see the module docs).
    pub samples: Vec<FrontierSample>,
}

/// Percent change of `b` over `a` (`None` when `a` is 0).
pub(crate) fn pct(a: f64, b: f64) -> Option<f64> {
    (a != 0.0).then(|| (b - a) / a.abs() * 100.0).filter(|v| v.is_finite())
}

/// Compares two sides' points (`[tok/s/user, tok/s/GPU]`) of one ISL/OSL.
pub fn compare_frontiers(
    isl: Option<u32>,
    osl: Option<u32>,
    baseline: &[[f64; 2]],
    candidate: &[[f64; 2]],
) -> FrontierComparison {
    let a = pareto_frontier(baseline, |p| (p[0], p[1]));
    let b = pareto_frontier(candidate, |p| (p[0], p[1]));
    let overlap = match (a.first().zip(a.last()), b.first().zip(b.last())) {
        (Some((a0, a1)), Some((b0, b1))) => {
            let (from, to) = (a0[0].max(b0[0]), a1[0].min(b1[0]));
            (from <= to).then_some([from, to])
        }
        _ => None,
    };
    let mut samples = Vec::new();
    if let Some([from, to]) = overlap {
        let mut xs: Vec<f64> = a.iter().chain(&b).map(|p| p[0]).filter(|x| (from..=to).contains(x)).collect();
        xs.extend([from, to]);
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        for x in xs {
            if let (Some(ya), Some(yb)) = (interpolate(&a, x), interpolate(&b, x)) {
                samples.push(FrontierSample {
                    tps_per_user: x,
                    baseline_tps_per_gpu: ya,
                    candidate_tps_per_gpu: yb,
                    change: yb - ya,
                    pct_change: pct(ya, yb),
                });
            }
        }
    }
    FrontierComparison { isl, osl, baseline: a, candidate: b, overlap, samples }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frontier_keeps_only_undominated_points_sorted_by_x() {
        let pts = [[10.0, 100.0], [20.0, 80.0], [15.0, 70.0], [30.0, 40.0], [5.0, 90.0], [30.0, 10.0]];
        let f = pareto_frontier(&pts, |p| (p[0], p[1]));
        assert_eq!(f, vec![[10.0, 100.0], [20.0, 80.0], [30.0, 40.0]]);
    }

    #[test]
    fn interpolation_is_linear_inside_and_none_outside() {
        let f = [[10.0, 100.0], [20.0, 80.0], [30.0, 40.0]];
        assert_eq!(interpolate(&f, 15.0), Some(90.0));
        assert_eq!(interpolate(&f, 25.0), Some(60.0));
        assert_eq!(interpolate(&f, 10.0), Some(100.0));
        assert_eq!(interpolate(&f, 30.0), Some(40.0));
        assert_eq!(interpolate(&f, 9.0), None);
        assert_eq!(interpolate(&f, 31.0), None);
        assert_eq!(interpolate(&[], 1.0), None);
    }

    #[test]
    fn frontiers_are_compared_at_the_rates_both_cover() {
        // Baseline 10..30 tok/s/user, candidate 15..40 and 10 % higher where both are defined.
        let a = [[10.0, 100.0], [20.0, 80.0], [30.0, 40.0]];
        let b = [[15.0, 99.0], [20.0, 88.0], [40.0, 20.0]];
        let c = compare_frontiers(Some(1024), Some(1024), &a, &b);
        assert_eq!(c.overlap, Some([15.0, 30.0]));
        let xs: Vec<f64> = c.samples.iter().map(|s| s.tps_per_user).collect();
        assert_eq!(xs, [15.0, 20.0, 30.0]);
        // At 15: baseline 90 (between 100 and 80), candidate 99.
        assert_eq!((c.samples[0].baseline_tps_per_gpu, c.samples[0].candidate_tps_per_gpu), (90.0, 99.0));
        assert!((c.samples[1].pct_change.unwrap() - 10.0).abs() < 1e-9);
        // At 30: candidate between (20, 88) and (40, 20): 88 - 68 / 2 = 54.
        assert_eq!(c.samples[2].candidate_tps_per_gpu, 54.0);
        let apart = compare_frontiers(None, None, &[[1.0, 1.0]], &[[2.0, 1.0]]);
        assert_eq!((apart.overlap, apart.samples.len()), (None, 0));
    }
}
