//! Energy per benchmark point: the measurement window, average power per GPU and per role in
//! it, energy, J per token and tokens/s per watt ([`derive_energy`]). The same answer as
//! upstream's energy report (`analysis/power_energy_report.py` of NVIDIA/srt-slurm,
//! `../shared/FORMATS-2.md` §6.6) on the same samples.
//!
//! # The window of a point
//!
//! In this order: the sa-bench result file's `benchmark_start_time_unix` →
//! `benchmark_end_time_unix` (a point of an `sa-bench` run with both); else the power sampler's
//! window of that point (`windows/<stem>.json` with `status: completed`, matched by its
//! `result_path` to the point's result file, else the only completed window of that
//! concurrency); else aiperf's profiling-phase range of its records (`window_start_unix` →
//! `window_end_unix`: `min_request_timestamp` → `max_response_timestamp` of the export). No
//! window, or one that does not end after it starts: every figure `None`, with a reason.
//!
//! # Integration (as upstream)
//!
//! A *series* is a list of (time, watts) sorted by time. Its energy over `[start, end]`: snap
//! `start` and `end` each to the **nearest sample** (a tie goes to the earlier one), with no
//! interpolation; when either is more than [`MAX_SAMPLE_GAP_SECONDS`] (3 s) away, or both snap
//! to the same sample, the series has no value over the window (a reason says which). Else the
//! trapezoid rule over the samples from the start sample to the end sample, inclusive:
//! `Σ (t[i+1] − t[i]) · (w[i] + w[i+1]) / 2`. No idle power is subtracted: this is absolute board
//! power.
//!
//! | figure | formula |
//! |---|---|
//! | node GPU series | per host, at each sample time, the sum of the watts of every GPU of that host sampled at that time |
//! | `gpu_energy_j` | Σ over hosts of the node series' energy; `None` when any host's series does not cover the window |
//! | `gpu_avg_power_w` | `gpu_energy_j / (end − start)` |
//! | `gpus_counted` | distinct (host, GPU) in the samples (the sampler samples exactly the workers' GPUs) |
//! | `avg_power_per_gpu_w` | `gpu_avg_power_w / gpus_counted` |
//! | `per_gpu[].energy_j`, `avg_power_w` | each GPU's own series; `/ (end − start)` |
//! | `per_role[].energy_j`, `avg_power_w` | per role (the manifest's `expected_devices` assignments; a GPU serving two roles counts in both), Σ over hosts of the series of that role's GPUs of the host summed per time; `/ (end − start)` |
//! | `j_per_output_token` | `gpu_energy_j / total_output_tokens` |
//! | `j_per_total_token` | `gpu_energy_j / (total_input_tokens + total_output_tokens)` |
//! | `output_tps_per_w` | `(total_output_tokens / (end − start)) / gpu_avg_power_w` — tokens per GPU joule |
//! | `cpu_energy_j` | Σ over hosts of the energy of the node's CPU series (`total_power_w`, one value per instant, a repeated instant overwriting the earlier) |
//! | `combined_energy_j` | `gpu_energy_j + cpu_energy_j`, only when both are known |
//! | `combined_j_per_output_token`, `combined_j_per_total_token`, `output_tps_per_combined_w` | as the GPU ones, over `combined_energy_j` |
//!
//! aiperf's GPU telemetry with its time series (`gpu_telemetry_export.jsonl`) is integrated like
//! the sampler's samples. With only its per-point totals there are no samples: `gpu_energy_j` is aiperf's own
//! `gpu_energy_j` of the point (its energy counter's rise over its profiling window),
//! `gpus_counted` its `telemetry_gpus`, and the window aiperf's; the other figures follow the
//! table. There is then no per-GPU, per-role or CPU figure.
//!
//! The node series sums the GPUs read at the *same* instant, as upstream does. The sampler
//! reads all GPUs of a node in one scrape (one `timestamp_unix`), and so do a DCGM endpoint's
//! rows, so this is the node's power; but where a node's GPUs carry different times, each
//! instant holds only the GPUs read then and the node series dips between them (its energy is
//! then below the sum of the per-GPU energies). srtlog keeps upstream's rule so that both give
//! one answer, and the per-GPU figures show the difference (`tests/energy_upstream.rs`).
//!
//! # Where srtlog differs from upstream, and why
//!
//! - Upstream stops the whole report at the first series that does not cover a window. srtlog
//!   reports the point with `None` and a reason (a missing node makes the total unknown), and a
//!   GPU or role without coverage is `None` with a note while the node totals still count:
//!   a thousand runs are read at once, and one bad window must not hide the others.
//! - Upstream's `joules_per_output_token` is the combined (CPU + GPU) energy when a CPU leg exists
//!   and the GPU energy when not, so its meaning changes with the run. srtlog keeps both:
//!   `j_per_output_token` is always GPU energy (upstream's figure on a run without CPU samples),
//!   `combined_j_per_output_token` the CPU + GPU one (upstream's figure on a run with them).
//! - Upstream's newer version ends an aiperf window at `start + benchmark_duration` when aiperf
//!   stopped issuing requests; srtlog uses the older version's rule, the last response
//!   (`max_response_timestamp`), which the export gives without reading the per-request file.

use std::collections::{BTreeMap, HashMap};

use crate::derived_values::{GpuEnergy, PointEnergy, RoleEnergy, WindowSource};
use crate::node::WorkerType;
use crate::power::{PowerSource, PowerWindow, RunPower};
use crate::results::BenchmarkPoint;

/// The largest distance from a window edge to the sample it snaps to (upstream's
/// `MAX_SAMPLE_GAP_SECONDS`, srt-slurm `core/power/contract.py`).
pub const MAX_SAMPLE_GAP_SECONDS: f64 = 3.0;

/// A power series: sample times (ascending) and watts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    t: Vec<f64>,
    w: Vec<f64>,
}

impl Series {
    /// A series of `(time, watts)` samples, sorted by time (stable: equal times keep their order).
    pub fn new(mut samples: Vec<(f64, f64)>) -> Self {
        samples.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (t, w) = samples.into_iter().unzip();
        Series { t, w }
    }

    /// Samples summed per exact time (several GPUs of one node read in one scrape).
    fn summed(samples: impl IntoIterator<Item = (f64, f64)>) -> Self {
        let mut by_time: HashMap<u64, (f64, f64)> = HashMap::new();
        for (t, w) in samples {
            by_time.entry(t.to_bits()).or_insert((t, 0.0)).1 += w;
        }
        Series::new(by_time.into_values().collect())
    }

    /// One value per exact time, a later sample overwriting an earlier one.
    fn last_per_time(samples: impl IntoIterator<Item = (f64, f64)>) -> Self {
        let mut by_time: HashMap<u64, (f64, f64)> = HashMap::new();
        for (t, w) in samples {
            by_time.insert(t.to_bits(), (t, w));
        }
        Series::new(by_time.into_values().collect())
    }

    /// The index of the sample nearest `target` (a tie goes to the earlier sample).
    fn nearest(&self, target: f64) -> Option<usize> {
        let idx = self.t.partition_point(|&t| t < target);
        if self.t.is_empty() {
            return None;
        }
        if idx == 0 {
            return Some(0);
        }
        if idx >= self.t.len() {
            return Some(self.t.len() - 1);
        }
        let (before, after) = (self.t[idx - 1], self.t[idx]);
        Some(if target - before <= after - target { idx - 1 } else { idx })
    }

    /// Energy (J) over `[start, end]` by the module's rule, or why there is none.
    pub fn energy(&self, start: f64, end: f64) -> Result<f64, String> {
        let (Some(i), Some(j)) = (self.nearest(start), self.nearest(end)) else {
            return Err("no power samples".into());
        };
        let start_gap = (self.t[i] - start).abs();
        if start_gap > MAX_SAMPLE_GAP_SECONDS {
            return Err(format!(
                "nearest sample to the window start is {start_gap:.3} s away (more than 3 s)"
            ));
        }
        let end_gap = (self.t[j] - end).abs();
        if end_gap > MAX_SAMPLE_GAP_SECONDS {
            return Err(format!("nearest sample to the window end is {end_gap:.3} s away (more than 3 s)"));
        }
        if j <= i {
            return Err("window narrower than the sample spacing".into());
        }
        Ok((i..j).map(|k| (self.t[k + 1] - self.t[k]) * (self.w[k] + self.w[k + 1]) / 2.0).sum())
    }
}

/// Raw (time, watts) samples per host.
type HostSamples = BTreeMap<String, Vec<(f64, f64)>>;

/// A run's samples arranged once for every point: per GPU, per node, per role and node, CPU per node.
struct Index {
    per_gpu: BTreeMap<(String, u32), Series>,
    per_node: BTreeMap<String, Series>,
    per_role: BTreeMap<WorkerType, (u32, BTreeMap<String, Series>)>,
    cpu_per_node: BTreeMap<String, Series>,
    roles: BTreeMap<(String, u32), Vec<WorkerType>>,
}

impl Index {
    fn new(power: &RunPower) -> Self {
        let mut gpu: BTreeMap<(String, u32), Vec<(f64, f64)>> = BTreeMap::new();
        for s in &power.gpu_samples {
            gpu.entry((s.host.clone(), s.gpu)).or_default().push((s.t_unix, s.watts));
        }
        let mut node: HostSamples = BTreeMap::new();
        let mut role: BTreeMap<WorkerType, (u32, HostSamples)> = BTreeMap::new();
        let mut roles = BTreeMap::new();
        for ((host, idx), samples) in &gpu {
            node.entry(host.clone()).or_default().extend(samples.iter().copied());
            let of = power.roles_of(host, *idx).to_vec();
            for r in &of {
                let entry = role.entry(*r).or_default();
                entry.0 += 1;
                entry.1.entry(host.clone()).or_default().extend(samples.iter().copied());
            }
            roles.insert((host.clone(), *idx), of);
        }
        let mut cpu: HostSamples = BTreeMap::new();
        for s in &power.cpu_samples {
            cpu.entry(s.host.clone()).or_default().push((s.t_unix, s.watts));
        }
        Index {
            per_gpu: gpu.into_iter().map(|(k, v)| (k, Series::new(v))).collect(),
            per_node: node.into_iter().map(|(k, v)| (k, Series::summed(v))).collect(),
            per_role: role
                .into_iter()
                .map(|(r, (n, hosts))| {
                    (r, (n, hosts.into_iter().map(|(h, v)| (h, Series::summed(v))).collect()))
                })
                .collect(),
            cpu_per_node: cpu.into_iter().map(|(k, v)| (k, Series::last_per_time(v))).collect(),
            roles,
        }
    }
}

/// Σ of the series' energies over the window, or the first reason one has none (named by `label`).
fn total<'a>(
    series: impl IntoIterator<Item = (&'a String, &'a Series)>,
    start: f64,
    end: f64,
    label: &str,
) -> Result<f64, String> {
    let mut sum = 0.0;
    let mut any = false;
    for (host, s) in series {
        sum += s.energy(start, end).map_err(|e| format!("{label} {host}: {e}"))?;
        any = true;
    }
    if any {
        Ok(sum)
    } else {
        Err(format!("no {label} samples"))
    }
}

fn div(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    let (a, b) = (a?, b?);
    (b > 0.0).then(|| a / b).filter(|v| v.is_finite())
}

/// The window of `point` (module docs), or why it has none.
fn window_of(
    benchmark_type: Option<&str>,
    point: &BenchmarkPoint,
    windows: &[PowerWindow],
) -> Result<(f64, f64, WindowSource), String> {
    let own = point.window_start_unix.zip(point.window_end_unix);
    if benchmark_type == Some("sa-bench") {
        if let Some((s, e)) = own {
            return Ok((s, e, WindowSource::ResultFile));
        }
    }
    let same_concurrency: Vec<&PowerWindow> =
        windows.iter().filter(|w| w.concurrency.is_some() && w.concurrency == point.concurrency).collect();
    let completed: Vec<&PowerWindow> =
        same_concurrency.iter().copied().filter(|w| w.is_completed()).collect();
    let by_path = completed.iter().find(
        |w| matches!((&w.result_path, &point.source_file), (Some(r), Some(f)) if f.ends_with(r.as_str())),
    );
    let chosen = by_path.copied().or(if completed.len() == 1 { Some(completed[0]) } else { None });
    if let Some(w) = chosen {
        if let (Some(s), Some(e)) = (w.start_unix, w.end_unix) {
            return Ok((s, e, WindowSource::PowerWindow));
        }
    }
    if let Some((s, e)) = own {
        return Ok((s, e, WindowSource::AiperfRecords));
    }
    let why = match same_concurrency.first() {
        Some(w) if completed.is_empty() => format!(
            "; the power window {} is {}{}",
            w.file,
            w.status.as_deref().unwrap_or("without a status"),
            w.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
        ),
        Some(_) => {
            "; several completed power windows of this concurrency, none naming its result file".into()
        }
        None => String::new(),
    };
    Err(format!("no measurement window (no start and end time in the result, no power window){why}"))
}

/// Energy of every point of a run (module docs), one entry per point in order; empty when the
/// run has no power record. `benchmark_type` is the run's (`profiler_metadata.profiler_type`).
pub fn derive_energy(
    benchmark_type: Option<&str>,
    points: &[BenchmarkPoint],
    power: Option<&RunPower>,
) -> Vec<PointEnergy> {
    let Some(power) = power else { return Vec::new() };
    // aiperf's per-point totals when the run has no time series (module docs).
    let totals_only = power.source == PowerSource::AiperfTelemetry && power.gpu_samples.is_empty();
    let index = (!totals_only).then(|| Index::new(power));
    points
        .iter()
        .map(|point| {
            let mut e = PointEnergy::default();
            let (start, end) = match window_of(benchmark_type, point, &power.windows) {
                Ok((s, t, source)) => {
                    e.window_start_unix = Some(s);
                    e.window_end_unix = Some(t);
                    e.window_source = Some(source);
                    if t <= s {
                        e.reason =
                            Some(format!("the measurement window does not end after it starts ({s} → {t})"));
                        return e;
                    }
                    (s, t)
                }
                Err(reason) => {
                    e.reason = Some(reason);
                    return e;
                }
            };
            let duration = end - start;
            match &index {
                Some(index) => integrate(index, power, point, start, end, &mut e),
                None => {
                    e.gpus_counted = point.telemetry_gpus.and_then(|g| u32::try_from(g).ok());
                    e.gpu_energy_j = point.gpu_energy_j.filter(|j| j.is_finite() && *j >= 0.0);
                    if e.gpu_energy_j.is_none() {
                        e.reason = Some("aiperf's GPU telemetry has no energy for this point".into());
                    }
                }
            }
            let out = point.total_output_tokens.map(|t| t as f64);
            let all = point.total_input_tokens.zip(point.total_output_tokens).map(|(i, o)| (i + o) as f64);
            let tps = out.map(|o| o / duration);
            e.gpu_avg_power_w = e.gpu_energy_j.map(|j| j / duration);
            e.avg_power_per_gpu_w = div(e.gpu_avg_power_w, e.gpus_counted.map(f64::from));
            e.j_per_output_token = div(e.gpu_energy_j, out);
            e.j_per_total_token = div(e.gpu_energy_j, all);
            e.output_tps_per_w = div(tps, e.gpu_avg_power_w);
            e.cpu_avg_power_w = e.cpu_energy_j.map(|j| j / duration);
            e.combined_energy_j = e.gpu_energy_j.zip(e.cpu_energy_j).map(|(g, c)| g + c);
            e.combined_j_per_output_token = div(e.combined_energy_j, out);
            e.combined_j_per_total_token = div(e.combined_energy_j, all);
            e.output_tps_per_combined_w = div(tps, e.combined_energy_j.map(|j| j / duration));
            if e.gpu_energy_j.is_some() && out.is_none() {
                e.notes.push("no total_output_tokens: no J per token or tokens/s per W".into());
            }
            e
        })
        .collect()
}

/// The sample-based figures of one point over `[start, end]`.
fn integrate(
    index: &Index,
    power: &RunPower,
    point: &BenchmarkPoint,
    start: f64,
    end: f64,
    e: &mut PointEnergy,
) {
    let duration = end - start;
    e.gpus_counted = u32::try_from(index.per_gpu.len()).ok().filter(|n| *n > 0);
    match total(&index.per_node, start, end, "GPU node") {
        Ok(j) => e.gpu_energy_j = Some(j),
        Err(reason) => e.reason = Some(reason),
    }
    for ((host, gpu), series) in &index.per_gpu {
        let energy = series.energy(start, end);
        if let Err(why) = &energy {
            if e.gpu_energy_j.is_some() {
                e.notes.push(format!("GPU {host}/{gpu}: {why}"));
            }
        }
        let energy_j = energy.ok();
        e.per_gpu.push(GpuEnergy {
            host: host.clone(),
            gpu: *gpu,
            roles: index.roles.get(&(host.clone(), *gpu)).cloned().unwrap_or_default(),
            energy_j,
            avg_power_w: energy_j.map(|j| j / duration),
        });
    }
    for (role, (gpus, hosts)) in &index.per_role {
        let energy_j = match total(hosts, start, end, &format!("{} GPUs of node", role.as_str())) {
            Ok(j) => Some(j),
            Err(why) => {
                if e.gpu_energy_j.is_some() {
                    e.notes.push(why);
                }
                None
            }
        };
        e.per_role.push(RoleEnergy {
            role: *role,
            gpus: *gpus,
            energy_j,
            avg_power_w: energy_j.map(|j| j / duration),
        });
    }
    if !power.gpu_samples.is_empty() && index.per_role.is_empty() {
        e.notes.push("no role breakdown: no power manifest with expected devices".into());
    }
    if !index.cpu_per_node.is_empty() {
        match total(&index.cpu_per_node, start, end, "CPU node") {
            Ok(j) => e.cpu_energy_j = Some(j),
            Err(why) => e.notes.push(why),
        }
    }
    if let Some(m) = &power.manifest {
        for v in &m.window_validations {
            if v.concurrency.is_some()
                && v.concurrency == point.concurrency
                && v.power_coverage_valid == Some(false)
            {
                let codes = if v.reason_codes.is_empty() {
                    "no reason given".into()
                } else {
                    v.reason_codes.join(", ")
                };
                e.notes.push(format!("the power sampler marks this window's coverage invalid ({codes})"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapping_and_trapezoid_follow_upstream() {
        let s = Series::new(vec![(10.0, 100.0), (11.0, 200.0), (12.0, 300.0), (13.0, 400.0)]);
        // 10.4 snaps to 10, 12.5 is a tie and snaps to 12: (100+200)/2 + (200+300)/2 = 400.
        assert_eq!(s.energy(10.4, 12.5), Ok(400.0));
        // Edges beyond the samples snap to the ends when within 3 s.
        assert_eq!(s.energy(7.0, 16.0), Ok(150.0 + 250.0 + 350.0));
        assert!(s.energy(6.9, 13.0).unwrap_err().contains("window start is 3.100 s away"));
        assert!(s.energy(10.0, 16.5).unwrap_err().contains("window end is 3.500 s away"));
        assert_eq!(s.energy(10.9, 11.2), Err("window narrower than the sample spacing".into()));
        assert_eq!(Series::default().energy(0.0, 1.0), Err("no power samples".into()));
    }

    #[test]
    fn node_series_sum_the_gpus_of_one_instant_and_cpu_keeps_the_last() {
        let s = Series::summed([(1.0, 10.0), (2.0, 5.0), (1.0, 20.0), (2.0, 7.0)]);
        assert_eq!(s.energy(1.0, 2.0), Ok((30.0 + 12.0) / 2.0));
        let c = Series::last_per_time([(1.0, 10.0), (2.0, 5.0), (1.0, 20.0), (2.0, 7.0)]);
        assert_eq!(c.energy(1.0, 2.0), Ok((20.0 + 7.0) / 2.0));
    }
}
