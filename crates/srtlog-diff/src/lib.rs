//! The comparison of two sets of srtlog benchmark runs — a *baseline* and a *candidate* — as
//! plain, serializable data: is the candidate better, by how much, beyond noise or not, and is
//! the comparison fair.
//!
//! [`compare`] takes each side's runs ([`RunInput`]: a loaded [`BenchmarkRun`] and, when the
//! caller read it, its `config.yaml`) and gives a [`Comparison`]:
//!
//! - **points** ([`points`]): benchmark points matched by (ISL, OSL, concurrency) — open-loop
//!   points by request rate — with every metric both sides have: baseline, candidate, change,
//!   percent change, and better / worse / unchanged by the metric's direction ([`metrics`], the
//!   one table of metric → direction). Points on one side only are listed.
//! - **noise** ([`stats`]): a side's runs at one point are its repeats; their spread (min–max,
//!   and a deterministic bootstrap interval of the median with three or more) decides whether a
//!   change is within noise; single runs give "noise unknown".
//! - **frontiers** ([`frontier`]): each side's tok/s/GPU-vs-tok/s/user Pareto frontier per
//!   ISL/OSL, and the change in tok/s/GPU at the per-user rates both cover.
//! - **workers** ([`workers`]): per role, generation throughput, queue depth, KV-cache use and
//!   the rate match.
//! - **setup** ([`setup`]): every setting that differs, and the verdict (comparable with the
//!   differing settings named, or not comparable and why).
//!
//! [`gate::Gate`] checks thresholds (`output_tps_per_gpu<-5%`) against a comparison, for a CI
//! pass/fail. The JSON form of [`Comparison`] is versioned ([`DIFF_SCHEMA_VERSION`]). The
//! crate does no I/O: the command line loads runs and prints; the report draws.
//!
//! ```
//! use srtlog_diff::{compare, gate::Gate, RunInput};
//! use srtlog_model::{BenchmarkPoint, BenchmarkRun};
//!
//! let run = |job: &str, tps: f64| {
//!     let mut r = BenchmarkRun::default();
//!     r.metadata.job_id = job.to_owned();
//!     r.metadata.total_gpus = 8;
//!     r.profiler.points.push(BenchmarkPoint {
//!         concurrency: Some(16),
//!         output_tps: Some(tps),
//!         mean_tpot_ms: Some(20.0),
//!         ..Default::default()
//!     });
//!     r.update_derived();
//!     r
//! };
//! let (a, b) = (run("1", 800.0), run("2", 720.0));
//! let c = compare(&[RunInput { run: &a, config: None }], &[RunInput { run: &b, config: None }]);
//! let tps = c.points[0].metrics.iter().find(|m| m.metric == "output_tps_per_gpu").unwrap();
//! assert_eq!((tps.baseline.median, tps.candidate.median, tps.pct_change), (100.0, 90.0, Some(-10.0)));
//! assert_eq!(c.setup.verdict.summary, "comparable: no setting differs");
//! let gate = Gate::parse("output_tps_per_gpu<-5%").unwrap().check(&c);
//! assert!(gate.failed);
//! ```

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use srtlog_model::{derived, BenchmarkRun, RunDerived};

pub mod frontier;
pub mod gate;
pub mod metrics;
pub mod points;
pub mod setup;
pub mod stats;
pub mod workers;

use frontier::FrontierComparison;
use points::{PointComparison, SidePoint};
use setup::Setup;
use workers::WorkersComparison;

/// Version of the comparison document's shape ([`Comparison`]); bumped when a field is
/// renamed or removed.
pub const DIFF_SCHEMA_VERSION: u32 = 1;

/// One run of a side.
#[derive(Debug, Clone, Copy)]
pub struct RunInput<'a> {
    /// The loaded run.
    pub run: &'a BenchmarkRun,
    /// Its `config.yaml` as a JSON value, when the caller read one.
    pub config: Option<&'a serde_json::Value>,
}

/// Which run, as tables name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRef {
    /// Job id.
    pub job_id: String,
    /// Job name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_name: Option<String>,
    /// Run directory.
    pub path: String,
}

/// The whole comparison (the JSON document of `srtlog diff --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// [`DIFF_SCHEMA_VERSION`].
    pub diff_schema_version: u32,
    /// The baseline's runs.
    pub baseline: Vec<RunRef>,
    /// The candidate's runs.
    pub candidate: Vec<RunRef>,
    /// The setup comparison and verdict.
    pub setup: Setup,
    /// How much is known of the noise: `noise unknown (single runs)` or how many repeats each
    /// side has at most.
    pub noise: String,
    /// Points both sides measured.
    pub points: Vec<PointComparison>,
    /// Points only the baseline measured.
    pub only_baseline: Vec<SidePoint>,
    /// Points only the candidate measured.
    pub only_candidate: Vec<SidePoint>,
    /// Per ISL/OSL both sides ran: the two frontiers and the change at equal interactivity.
    pub frontiers: Vec<FrontierComparison>,
    /// Per worker role.
    pub workers: WorkersComparison,
    /// What could not be read on either side (skipped runs, unreadable config files), each
    /// naming its file; filled by the caller, which did the reading.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The gate's result, when one was checked ([`gate::Gate::check`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<gate::GateResult>,
}

/// A run's derived values: its own `derived` block when it fits the run's results and workers
/// (one entry per point and per worker, a GPU count when the metadata has one), else the
/// engine's [`derived::derive_run`] of the run — a document built by hand or written before the
/// block existed. The report reads runs through this function too.
pub fn run_derived(run: &BenchmarkRun) -> Cow<'_, RunDerived> {
    let d = &run.derived;
    let points = run.profiler.points.len();
    let fits = [&d.output_tps_per_gpu, &d.total_tps_per_gpu, &d.input_tps_per_gpu, &d.output_tps_per_user]
        .iter()
        .all(|v| v.len() == points)
        && d.workers.len() == run.nodes.len()
        && (d.gpus_used.is_some() || run.metadata.gpus_used().is_none())
        && (d.energy.len() == points || (d.energy.is_empty() && run.power.is_none()));
    if fits {
        Cow::Borrowed(d)
    } else {
        Cow::Owned(derived::derive_run(run))
    }
}

fn refs(inputs: &[RunInput<'_>]) -> Vec<RunRef> {
    inputs
        .iter()
        .map(|i| RunRef {
            job_id: i.run.metadata.job_id.clone(),
            job_name: i.run.metadata.job_name.clone(),
            path: i.run.metadata.path.clone(),
        })
        .collect()
}

/// Compares two sides (see the crate docs).
pub fn compare(baseline: &[RunInput<'_>], candidate: &[RunInput<'_>]) -> Comparison {
    let mut a = points::side_points(baseline);
    let mut b = points::side_points(candidate);
    let shared: Vec<_> = a.keys().filter(|k| b.contains_key(k)).copied().collect();
    let points: Vec<PointComparison> =
        shared.iter().filter_map(|k| Some(points::compare_point(a.get(k)?, b.get(k)?))).collect();
    let frontiers = frontiers(&a, &b);
    for k in &shared {
        a.remove(k);
        b.remove(k);
    }
    let repeats =
        |s: &[PointComparison], f: fn(&PointComparison) -> usize| s.iter().map(f).max().unwrap_or(0);
    let (ra, rb) =
        (repeats(&points, |p| p.baseline_runs.len()), repeats(&points, |p| p.candidate_runs.len()));
    let noise = if ra < 2 && rb < 2 {
        "noise unknown (single runs on both sides): a change cannot be told from run-to-run variation"
            .to_owned()
    } else {
        format!("repeats: baseline up to {ra}, candidate up to {rb} runs per point")
    };
    Comparison {
        diff_schema_version: DIFF_SCHEMA_VERSION,
        baseline: refs(baseline),
        candidate: refs(candidate),
        setup: setup::compare_setups(baseline, candidate, points.len()),
        noise,
        points,
        only_baseline: a.into_values().collect(),
        only_candidate: b.into_values().collect(),
        frontiers,
        workers: workers::compare_workers(baseline, candidate),
        warnings: Vec::new(),
        gate: None,
    }
}

/// Per ISL/OSL both sides have, their frontiers' comparison, from each point's median rates.
fn frontiers(
    a: &std::collections::BTreeMap<points::PointKey, SidePoint>,
    b: &std::collections::BTreeMap<points::PointKey, SidePoint>,
) -> Vec<FrontierComparison> {
    let xy = |p: &SidePoint| -> Option<[f64; 2]> {
        Some([p.metrics.get("output_tps_per_user")?.median, p.metrics.get("output_tps_per_gpu")?.median])
    };
    let groups = |m: &std::collections::BTreeMap<points::PointKey, SidePoint>| -> BTreeSet<(Option<u32>, Option<u32>)> {
        m.keys().map(|k| (k.isl, k.osl)).collect()
    };
    let of = |m: &std::collections::BTreeMap<points::PointKey, SidePoint>,
              g: (Option<u32>, Option<u32>)|
     -> Vec<[f64; 2]> {
        m.values().filter(|p| (p.key.isl, p.key.osl) == g).filter_map(xy).collect()
    };
    groups(a)
        .intersection(&groups(b))
        .map(|&g| frontier::compare_frontiers(g.0, g.1, &of(a, g), &of(b, g)))
        .filter(|f| !f.baseline.is_empty() || !f.candidate.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use srtlog_model::{BenchmarkPoint, ProfilerMetadata};

    fn run(job: &str, points: Vec<BenchmarkPoint>) -> BenchmarkRun {
        let mut r = BenchmarkRun {
            profiler_metadata: ProfilerMetadata { isl: Some(1000), osl: Some(100), ..Default::default() },
            ..Default::default()
        };
        r.metadata.job_id = job.to_owned();
        r.metadata.total_gpus = 4;
        r.profiler.points = points;
        r.update_derived();
        r
    }

    fn open_loop(rate: f64, tps: f64) -> BenchmarkPoint {
        let mut p = BenchmarkPoint { request_rate: Some(rate), output_tps: Some(tps), ..Default::default() };
        p.other_metrics.insert("p99.9_ttft_ms".to_owned(), tps / 10.0);
        p
    }

    fn inputs(runs: &[BenchmarkRun]) -> Vec<RunInput<'_>> {
        runs.iter().map(|run| RunInput { run, config: None }).collect()
    }

    #[test]
    fn open_loop_points_match_by_request_rate_and_extra_metrics_are_compared() {
        let a = [run("1", vec![open_loop(2.0, 100.0), open_loop(4.0, 200.0)])];
        let b = [run("2", vec![open_loop(4.0, 220.0), open_loop(8.0, 300.0)])];
        let c = compare(&inputs(&a), &inputs(&b));
        assert_eq!(c.points.len(), 1);
        assert_eq!((c.points[0].key.concurrency, c.points[0].key.request_rate), (None, Some(4.0)));
        let names: Vec<&str> = c.points[0].metrics.iter().map(|m| m.metric.as_str()).collect();
        // output_tps_per_gpu from the derived block, output_tps, request_rate, then the extra one.
        assert_eq!(names, ["output_tps_per_gpu", "output_tps", "request_rate", "p99.9_ttft_ms"]);
        let extra = &c.points[0].metrics[3];
        assert_eq!((extra.change, extra.judgement), (2.0, points::Judgement::Worse));
        assert_eq!(c.only_baseline[0].key.request_rate, Some(2.0));
        assert_eq!(c.only_candidate[0].key.request_rate, Some(8.0));
    }

    #[test]
    fn repeats_give_a_spread_and_a_noise_verdict() {
        let p = |tps| BenchmarkPoint { concurrency: Some(8), output_tps: Some(tps), ..Default::default() };
        let a = [run("1", vec![p(100.0)]), run("2", vec![p(104.0)]), run("3", vec![p(96.0)])];
        let b = [run("4", vec![p(80.0)]), run("5", vec![p(82.0)]), run("6", vec![p(79.0)])];
        let c = compare(&inputs(&a), &inputs(&b));
        let tps = c.points[0].metrics.iter().find(|m| m.metric == "output_tps").unwrap();
        assert_eq!((tps.baseline.median, tps.baseline.min, tps.baseline.max), (100.0, 96.0, 104.0));
        assert!(tps.baseline.median_ci95.is_some());
        assert_eq!(tps.noise, stats::Noise::Beyond);
        assert_eq!(c.points[0].baseline_runs, ["1", "2", "3"]);
        assert_eq!(c.noise, "repeats: baseline up to 3, candidate up to 3 runs per point");
    }

    #[test]
    fn a_stale_derived_block_is_derived_again() {
        let mut r = run(
            "1",
            vec![BenchmarkPoint { concurrency: Some(1), output_tps: Some(40.0), ..Default::default() }],
        );
        r.derived = RunDerived::default();
        assert_eq!(run_derived(&r).output_tps_per_gpu, [Some(10.0)]);
    }
}
