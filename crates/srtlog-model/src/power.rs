//! Power drawn while a run was measured: the samples, whichever file they came from.
//!
//! A run's GPU power can come from three places (`../shared/FORMATS-2.md` §6, §7, §2.3): srt-slurm's
//! power sampler (`logs/power/samples.csv`), the Tachometer scraper's DCGM rows, or aiperf's GPU
//! telemetry. They are read into one sample type, so that the energy engine
//! (`derived`) has one input and records which source it was.

use serde::{Deserialize, Serialize};

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
