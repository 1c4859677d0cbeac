//! The report's energy section: the **energy Pareto** (output tokens/s per GPU watt against
//! output tokens/s per user, one point per run × concurrency with energy) and **power over
//! time per role** for a chosen run, with each point's measurement window shaded.
//!
//! Every number is the run's `derived` values ([`srtlog_model::derived::energy`]): `y` is
//! `derived.energy[i].output_tps_per_w`, `x` `derived.output_tps_per_user[i]`, the shaded
//! windows `derived.energy[i].window_start_unix` → `window_end_unix`; the frontier is
//! [`crate::derived::pareto_frontier`], the rule of the throughput Pareto. What this module
//! adds is presentation: the power-over-time lines are the run's samples (`run.power`, which
//! the loader fills and a document read back from `--json` does not have) cut into at most
//! [`MAX_POWER_BUCKETS`] time buckets, each bucket's value per role the sum over the role's
//! GPUs of each GPU's mean watts in the bucket (a GPU serving two roles is in both lines;
//! without a manifest there is one line, "all GPUs").

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use srtlog_model::{AnalysisDocument, BenchmarkRun, RunDerived};

use crate::derived::{pareto_frontier, ParetoPoint};
use crate::timeline::round_sig;

/// Most time buckets of a run's power-over-time chart.
pub const MAX_POWER_BUCKETS: usize = 600;

/// The energy section's data, embedded as `energy` in the report's data block.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EnergyData {
    /// The energy Pareto: its points and frontier.
    pareto_points: Vec<ParetoPoint>,
    pareto_frontier: Vec<ParetoPoint>,
    /// Power over time of every run with samples.
    power: Vec<PowerTimeline>,
}

/// One run's power over time.
#[derive(Debug, Clone, Serialize)]
struct PowerTimeline {
    /// Index of the run in the document.
    run: usize,
    /// `power_samples`, `tachometer`, `aiperf_telemetry`.
    source: &'static str,
    /// Unix time of offset 0.
    t0_unix: f64,
    /// Bucket start offsets (s).
    t: Vec<f64>,
    /// One line per role.
    roles: Vec<RoleLine>,
    /// The measurement window of each point with one, as offsets (s).
    windows: Vec<WindowBand>,
}

#[derive(Debug, Clone, Serialize)]
struct RoleLine {
    role: String,
    gpus: usize,
    watts: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
struct WindowBand {
    concurrency: Option<u32>,
    start_s: f64,
    end_s: f64,
}

/// Every run × concurrency with both coordinates of the energy Pareto, in document order: `x`
/// is the run's `derived.output_tps_per_user`, `y` its `derived.energy[i].output_tps_per_w`.
pub fn energy_pareto_points(doc: &AnalysisDocument, derived: &[Cow<'_, RunDerived>]) -> Vec<ParetoPoint> {
    let mut out = Vec::new();
    for (run, (r, d)) in doc.runs.iter().zip(derived).enumerate() {
        for (i, p) in r.profiler.points.iter().enumerate() {
            let x = d.output_tps_per_user.get(i).copied().flatten();
            let y = d.energy.get(i).and_then(|e| e.output_tps_per_w);
            if let (Some(x), Some(y)) = (x, y) {
                out.push(ParetoPoint { run, concurrency: p.concurrency, x, y });
            }
        }
    }
    out
}

fn power_timeline(index: usize, run: &BenchmarkRun, derived: &RunDerived) -> Option<PowerTimeline> {
    let power = run.power.as_ref()?;
    let samples = &power.gpu_samples;
    let (lo, hi) = samples
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| (lo.min(s.t_unix), hi.max(s.t_unix)));
    if !lo.is_finite() {
        return None;
    }
    let span = hi - lo;
    let interval = power.manifest.as_ref().and_then(|m| m.sample_interval_seconds).filter(|i| *i > 0.0);
    let width = (span / MAX_POWER_BUCKETS as f64).max(interval.unwrap_or(1.0)).max(1e-3);
    let buckets = ((span / width).floor() as usize + 1).min(MAX_POWER_BUCKETS + 1);
    let bucket = |t: f64| (((t - lo) / width) as usize).min(buckets - 1);
    // Per GPU per bucket: (sum, count).
    let mut per_gpu: BTreeMap<(&str, u32), Vec<(f64, u32)>> = BTreeMap::new();
    for s in samples {
        let slot = &mut per_gpu.entry((s.host.as_str(), s.gpu)).or_insert_with(|| vec![(0.0, 0); buckets])
            [bucket(s.t_unix)];
        slot.0 += s.watts;
        slot.1 += 1;
    }
    let mut roles: BTreeMap<String, (usize, Vec<Option<f64>>)> = BTreeMap::new();
    for ((host, gpu), cells) in &per_gpu {
        let of = power.roles_of(host, *gpu);
        let names: Vec<String> = if of.is_empty() {
            vec!["all GPUs".to_owned()]
        } else {
            of.iter().map(|r| r.as_str().to_owned()).collect()
        };
        for name in names {
            let line = roles.entry(name).or_insert_with(|| (0, vec![None; buckets]));
            line.0 += 1;
            for (b, (sum, n)) in cells.iter().enumerate() {
                if *n > 0 {
                    *line.1[b].get_or_insert(0.0) += sum / f64::from(*n);
                }
            }
        }
    }
    let windows = derived
        .energy
        .iter()
        .zip(&run.profiler.points)
        .filter_map(|(e, p)| {
            Some(WindowBand {
                concurrency: p.concurrency,
                start_s: e.window_start_unix? - lo,
                end_s: e.window_end_unix? - lo,
            })
        })
        .collect();
    Some(PowerTimeline {
        run: index,
        source: power.source.as_str(),
        t0_unix: lo,
        t: (0..buckets).map(|b| (b as f64 * width * 1000.0).round() / 1000.0).collect(),
        roles: roles
            .into_iter()
            .map(|(role, (gpus, watts))| RoleLine {
                role,
                gpus,
                watts: watts.into_iter().map(|w| w.map(round_sig)).collect(),
            })
            .collect(),
        windows,
    })
}

/// The section's data for `doc`.
pub(crate) fn data(doc: &AnalysisDocument, derived: &[Cow<'_, RunDerived>]) -> EnergyData {
    let pareto_points = energy_pareto_points(doc, derived);
    let pareto_frontier = pareto_frontier(&pareto_points);
    let power =
        doc.runs.iter().zip(derived).enumerate().filter_map(|(i, (r, d))| power_timeline(i, r, d)).collect();
    EnergyData { pareto_points, pareto_frontier, power }
}

/// The section's HTML (its charts are drawn by the page's script from `energy`).
pub(crate) fn section(out: &mut String) {
    out.push_str(
        r#"
<section id="energy-section"><h2>Energy</h2>
<p class="muted">One point per run × concurrency with power data: output tokens/s per GPU watt (y, = output tokens per GPU joule over the measurement window) against output tokens/s per user (x). The line is the Pareto frontier of the runs shown. The same numbers as <code>derived.energy</code> in <code>analyze --json</code>.</p>
<div id="chart-energy-pareto" class="chart wide"></div><div id="legend-energy-pareto" class="run-legend"></div>
<h3>GPU power over time, per role</h3>
<div class="filters"><label>Run<select id="power-run"></select></label><span id="power-note" class="muted"></span></div>
<p class="muted">Sum over the role's GPUs of each GPU's mean power per time bucket; the shaded bands are the points' measurement windows (the windows the energy was integrated over).</p>
<div id="chart-power" class="chart wide"></div>
</section>
"#,
    );
}
