//! Power drawn while a run was measured: the samples, whichever file they came from.
//!
//! A run's GPU power can come from three places (`../shared/FORMATS-2.md` §6, §7, §2.3): srt-slurm's
//! power sampler (`logs/power/samples.csv`), the Tachometer scraper's DCGM rows, or aiperf's GPU
//! telemetry. They are read into one sample type, so that the energy engine
//! (`derived::energy`) has one input and records which source it was. [`choose_power`] is the
//! one rule of which source a run's energy comes from.
//!
//! The run's power record ([`RunPower`]) is in the JSON document as `power` (what was read, the
//! sampler's manifest summary and its windows); the samples themselves are not (like the
//! per-request records, a long run has hundreds of thousands): they go to the dataset's `power`
//! table and the report's power-over-time chart.

use serde::{Deserialize, Serialize};

use crate::node::WorkerType;
use crate::results::BenchmarkPoint;

/// Where a run's power samples came from, in srtlog's order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PowerSource {
    /// srt-slurm's power sampler: `logs/power/samples.csv` (DCGM `DCGM_FI_DEV_POWER_USAGE`).
    PowerSamples,
    /// The Tachometer scraper's DCGM power rows (`gpu_power`).
    Tachometer,
    /// aiperf's GPU telemetry export.
    AiperfTelemetry,
}

impl PowerSource {
    /// The serialized name (`power_samples`, `tachometer`, `aiperf_telemetry`), as the JSON, the
    /// CSV and the dataset write it.
    pub fn as_str(self) -> &'static str {
        match self {
            PowerSource::PowerSamples => "power_samples",
            PowerSource::Tachometer => "tachometer",
            PowerSource::AiperfTelemetry => "aiperf_telemetry",
        }
    }
}

/// One reading of one GPU's board power.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpuPowerSample {
    /// When it was read: Unix epoch seconds (the head node's clock for the power sampler).
    pub t_unix: f64,
    /// The node the GPU is in.
    pub host: String,
    /// The GPU's index on that node.
    pub gpu: u32,
    /// Board power in watts.
    pub watts: f64,
}

/// One reading of one node's CPU power (`power/cpu/samples.csv` or `cpu_power/samples.csv`,
/// `../shared/FORMATS-2.md` §6.5). One per (host, instant): the node's `total_power_w`, the
/// figure upstream's energy report integrates; the per-rail rows of the long layout and the
/// non-additive rail columns of the wide one are not kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CpuPowerSample {
    /// When it was read: Unix epoch seconds.
    pub t_unix: f64,
    /// The node.
    pub host: String,
    /// The node's CPU power (`total_power_w`, the sum over its sockets) in watts.
    pub watts: f64,
}

/// What one `power/windows/<stem>.json` says (`../shared/FORMATS-2.md` §6.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerWindow {
    /// The window file, relative to the run directory.
    pub file: String,
    /// `sa-bench`, `agentic`, `agentx`, `custom`.
    pub benchmark_type: Option<String>,
    /// The result file it belongs to, relative to `logs/`.
    pub result_path: Option<String>,
    /// The benchmark's concurrency.
    pub concurrency: Option<u32>,
    /// Start of the measurement (Unix epoch s).
    pub start_unix: Option<f64>,
    /// End of the measurement (Unix epoch s; null while `running` or when `interrupted`).
    pub end_unix: Option<f64>,
    /// `running`, `completed`, `failed`, `interrupted`.
    pub status: Option<String>,
    /// Why it failed or was interrupted.
    pub reason: Option<String>,
}

impl PowerWindow {
    /// Whether the window is a finished measurement (`status: completed`, both edges known).
    pub fn is_completed(&self) -> bool {
        self.status.as_deref() == Some("completed") && self.start_unix.is_some() && self.end_unix.is_some()
    }
}

/// One GPU the power sampler was told to expect, and the worker roles it serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedDevice {
    /// Its node.
    pub host: String,
    /// Its index on the node.
    pub gpu: u32,
    /// The roles of the workers assigned to it (`prefill`, `decode`, `agg`).
    pub roles: Vec<WorkerType>,
}

/// The sampler's own check of one benchmark window (`manifest.json` `window_validations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowValidation {
    /// The benchmark type.
    pub benchmark_type: Option<String>,
    /// The concurrency.
    pub concurrency: Option<u32>,
    /// The window file as the manifest names it.
    pub window_file: Option<String>,
    /// Whether the samples covered the window.
    pub power_coverage_valid: Option<bool>,
    /// Why not (`sample_gap_exceeded`, ...).
    pub reason_codes: Vec<String>,
}

/// The summary of `power/manifest.json` that srtlog keeps (`../shared/FORMATS-2.md` §6.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PowerManifest {
    /// `starting`, `running`, `complete`, `incomplete`, `failed`.
    pub status: Option<String>,
    /// Whether the sampler considers its data publishable (true only when `complete`).
    pub publication_valid: Option<bool>,
    /// Seconds between scrapes the sampler was configured with.
    pub sample_interval_seconds: Option<f64>,
    /// The GPUs it was told to expect, with their roles.
    pub expected_devices: Vec<ExpectedDevice>,
    /// Its check of each benchmark window.
    pub window_validations: Vec<WindowValidation>,
    /// Run-level reason codes.
    pub reason_codes: Vec<String>,
}

impl PowerManifest {
    /// The roles of GPU `gpu` on `host`, as the manifest assigns them (empty when it does not).
    pub fn roles_of(&self, host: &str, gpu: u32) -> &[WorkerType] {
        self.expected_devices
            .iter()
            .find(|d| d.host == host && d.gpu == gpu)
            .map(|d| d.roles.as_slice())
            .unwrap_or(&[])
    }
}

/// A run's power record: where its samples came from and what the files said besides. Built by
/// the loader ([`choose_power`]); the energy engine reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunPower {
    /// The source the run's energy figures come from.
    pub source: PowerSource,
    /// The files read, relative to the run directory (samples, manifest, windows, CPU samples).
    pub files: Vec<String>,
    /// GPU samples read (the rows of [`RunPower::gpu_samples`]).
    pub gpu_sample_count: u64,
    /// CPU samples read (the rows of [`RunPower::cpu_samples`]).
    pub cpu_sample_count: u64,
    /// Rows that could not be used (not a finite power ≥ 0, a bad field), over every file.
    pub bad_rows: u64,
    /// The sampler's manifest, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<PowerManifest>,
    /// The sampler's benchmark windows, by file name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<PowerWindow>,
    /// What could not be read or what the files say is wrong, each naming its file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// GPU power samples in file order. Not in the JSON document (see the module docs).
    #[serde(skip)]
    pub gpu_samples: Vec<GpuPowerSample>,
    /// CPU power samples (node totals) in file order. Not in the JSON document.
    #[serde(skip)]
    pub cpu_samples: Vec<CpuPowerSample>,
}

impl RunPower {
    /// An empty record of `source`.
    pub fn new(source: PowerSource) -> Self {
        RunPower {
            source,
            files: Vec::new(),
            gpu_sample_count: 0,
            cpu_sample_count: 0,
            bad_rows: 0,
            manifest: None,
            windows: Vec::new(),
            warnings: Vec::new(),
            gpu_samples: Vec::new(),
            cpu_samples: Vec::new(),
        }
    }

    /// The roles of GPU `gpu` on `host` from the manifest (empty without one).
    pub fn roles_of(&self, host: &str, gpu: u32) -> &[WorkerType] {
        self.manifest.as_ref().map_or(&[], |m| m.roles_of(host, gpu))
    }
}

/// The one rule of which source a run's power comes from, in srtlog's order of preference:
///
/// 1. the power sampler's `samples.csv` (`sampler`, as read by the loader), when it holds at
///    least one GPU sample;
/// 2. else the Tachometer scraper's DCGM power samples (`tachometer`), when there are any;
/// 3. else aiperf's GPU telemetry: its time series (`aiperf`, from `gpu_telemetry_export.jsonl`)
///    when there is one, else the per-point totals of its exports (`gpu_energy_j` of a point);
/// 4. else none.
///
/// When a later source is chosen, the sampler's record (manifest, windows, CPU samples,
/// warnings) is kept with it and says why. A sampler record with CPU samples only and no other
/// source is kept as it is (its GPU figures are then null with a reason), so that its CPU leg
/// and warnings are not lost. Pure: the caller reads the files. Tachometer DCGM power may mix
/// power usage, limit and violation rows (FORMATS-2 §9.7); it is why the sampler's file comes
/// first.
pub fn choose_power(
    sampler: Option<RunPower>,
    tachometer: Vec<GpuPowerSample>,
    aiperf: Vec<GpuPowerSample>,
    points: &[BenchmarkPoint],
) -> Option<RunPower> {
    if let Some(s) = &sampler {
        if !s.gpu_samples.is_empty() {
            return sampler;
        }
    }
    let (source, samples, what) = if !tachometer.is_empty() {
        (PowerSource::Tachometer, tachometer, "GPU power from Tachometer")
    } else if !aiperf.is_empty() {
        (PowerSource::AiperfTelemetry, aiperf, "GPU power from aiperf's GPU telemetry")
    } else if points.iter().any(|p| p.gpu_energy_j.is_some()) {
        (PowerSource::AiperfTelemetry, Vec::new(), "GPU energy from aiperf's per-point telemetry totals")
    } else {
        return sampler;
    };
    let mut power = match sampler {
        Some(mut s) => {
            s.warnings.push(format!("no usable GPU row in the power sampler's samples.csv: {what}"));
            s
        }
        None => RunPower::new(source),
    };
    power.source = source;
    power.gpu_sample_count = samples.len() as u64;
    power.gpu_samples = samples;
    Some(power)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t: f64) -> GpuPowerSample {
        GpuPowerSample { t_unix: t, host: "n0".into(), gpu: 0, watts: 100.0 }
    }

    fn sampler(rows: usize) -> RunPower {
        let mut p = RunPower::new(PowerSource::PowerSamples);
        p.gpu_samples = (0..rows).map(|i| sample(i as f64)).collect();
        p.gpu_sample_count = rows as u64;
        p
    }

    #[test]
    fn the_sampler_wins_then_tachometer_then_aiperf() {
        let aiperf = [BenchmarkPoint { gpu_energy_j: Some(5.0), ..Default::default() }];
        let got =
            |s, t, a, p: &[BenchmarkPoint]| choose_power(s, t, a, p).map(|p| (p.source, p.gpu_samples.len()));
        let one = || vec![sample(0.0)];
        assert_eq!(got(Some(sampler(2)), one(), one(), &aiperf), Some((PowerSource::PowerSamples, 2)));
        assert_eq!(got(None, one(), one(), &aiperf), Some((PowerSource::Tachometer, 1)));
        // A sampler file without a usable GPU row gives way, and keeps its manifest and warnings.
        let t = choose_power(Some(sampler(0)), one(), vec![], &aiperf).expect("tachometer");
        assert_eq!((t.source, t.gpu_samples.len(), t.warnings.len()), (PowerSource::Tachometer, 1, 1));
        // aiperf: its time series before its per-point totals.
        assert_eq!(got(None, vec![], one(), &aiperf), Some((PowerSource::AiperfTelemetry, 1)));
        assert_eq!(got(None, vec![], vec![], &aiperf), Some((PowerSource::AiperfTelemetry, 0)));
        assert_eq!(got(Some(sampler(0)), vec![], vec![], &aiperf), Some((PowerSource::AiperfTelemetry, 0)));
        assert_eq!(got(None, vec![], vec![], &[BenchmarkPoint::default()]), None);
        // CPU-only sampler data is kept (its GPU figures are then null with a reason).
        assert_eq!(got(Some(sampler(0)), vec![], vec![], &[]), Some((PowerSource::PowerSamples, 0)));
    }
}
