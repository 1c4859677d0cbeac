//! The columns of a run's power data: a point's energy figures ([`PointEnergyColumns`], spliced
//! into the dataset's `points/`) and one power sample per row ([`PowerSampleColumns`], the
//! dataset's `power/`). Defined once here, from the model's [`PointEnergy`] (destructured
//! without `..`, so a field added to the model and not here is a compile error).
//!
//! The energy columns are prefixed where the point already has a column of that name (aiperf's
//! own `gpu_energy_j`, `gpu_power_w`, `window_start_unix`): `energy_gpu_j` is srtlog's
//! integral over the run's chosen power source, `gpu_energy_j` what aiperf reported.

use srtlog_model::{GpuPowerSample, PointEnergy, PowerSource, RunPower, WindowSource};

use crate::columns::{Opt, Req, ReqText, Text};

crate::columns! {
    /// A point's energy figures ([`srtlog_model::derived::energy`]); all null for a run without
    /// power data.
    pub struct PointEnergyColumns {
        power_source: Text,
        energy_window_start_unix: Opt<f64>,
        energy_window_end_unix: Opt<f64>,
        energy_window_source: Text,
        energy_gpus_counted: Opt<u32>,
        energy_gpu_j: Opt<f64>,
        energy_gpu_avg_power_w: Opt<f64>,
        energy_avg_power_per_gpu_w: Opt<f64>,
        j_per_output_token: Opt<f64>,
        j_per_total_token: Opt<f64>,
        output_tps_per_w: Opt<f64>,
        energy_cpu_j: Opt<f64>,
        energy_cpu_avg_power_w: Opt<f64>,
        energy_combined_j: Opt<f64>,
        combined_j_per_output_token: Opt<f64>,
        combined_j_per_total_token: Opt<f64>,
        output_tps_per_combined_w: Opt<f64>,
        energy_reason: Text,
    }
}

fn window_source(s: WindowSource) -> &'static str {
    match s {
        WindowSource::ResultFile => "result_file",
        WindowSource::PowerWindow => "power_window",
        WindowSource::AiperfRecords => "aiperf_records",
    }
}

impl PointEnergyColumns {
    /// Appends the energy of one point (`None`: the run has no power data).
    pub fn push(&mut self, source: Option<PowerSource>, energy: Option<&PointEnergy>) {
        self.power_source.push(source.map(PowerSource::as_str));
        let empty = PointEnergy::default();
        let PointEnergy {
            window_start_unix,
            window_end_unix,
            window_source: wsource,
            gpus_counted,
            gpu_energy_j,
            gpu_avg_power_w,
            avg_power_per_gpu_w,
            j_per_output_token,
            j_per_total_token,
            output_tps_per_w,
            cpu_energy_j,
            cpu_avg_power_w,
            combined_energy_j,
            combined_j_per_output_token,
            combined_j_per_total_token,
            output_tps_per_combined_w,
            per_role: _,
            per_gpu: _,
            reason,
            notes: _,
        } = energy.unwrap_or(&empty);
        self.energy_window_start_unix.push(*window_start_unix);
        self.energy_window_end_unix.push(*window_end_unix);
        self.energy_window_source.push(wsource.map(window_source));
        self.energy_gpus_counted.push(*gpus_counted);
        self.energy_gpu_j.push(*gpu_energy_j);
        self.energy_gpu_avg_power_w.push(*gpu_avg_power_w);
        self.energy_avg_power_per_gpu_w.push(*avg_power_per_gpu_w);
        self.j_per_output_token.push(*j_per_output_token);
        self.j_per_total_token.push(*j_per_total_token);
        self.output_tps_per_w.push(*output_tps_per_w);
        self.energy_cpu_j.push(*cpu_energy_j);
        self.energy_cpu_avg_power_w.push(*cpu_avg_power_w);
        self.energy_combined_j.push(*combined_energy_j);
        self.combined_j_per_output_token.push(*combined_j_per_output_token);
        self.combined_j_per_total_token.push(*combined_j_per_total_token);
        self.output_tps_per_combined_w.push(*output_tps_per_combined_w);
        self.energy_reason.push(reason.as_deref());
    }
}

crate::columns! {
    /// One power sample: a GPU's board power or a node's CPU power at one instant.
    pub struct PowerSampleColumns {
        host: ReqText,
        device: ReqText,
        gpu: Opt<u32>,
        role: Text,
        t_unix: Req<f64>,
        watts: Req<f64>,
        source: ReqText,
    }
}

impl PowerSampleColumns {
    /// Appends a GPU sample of `power`, its roles from the manifest joined with `+`
    /// (`prefill`, `decode+prefill`; null without a manifest).
    pub fn push_gpu(&mut self, power: &RunPower, sample: &GpuPowerSample) {
        let GpuPowerSample { t_unix, host, gpu, watts } = sample;
        let roles: Vec<&str> = power.roles_of(host, *gpu).iter().map(|r| r.as_str()).collect();
        self.host.push(host);
        self.device.push("gpu");
        self.gpu.push(Some(*gpu));
        self.role.push((!roles.is_empty()).then(|| roles.join("+")).as_deref());
        self.t_unix.push(*t_unix);
        self.watts.push(*watts);
        self.source.push(power.source.as_str());
    }

    /// Appends a CPU sample (a node's `total_power_w`); always from the power sampler's files.
    pub fn push_cpu(&mut self, sample: &srtlog_model::CpuPowerSample) {
        let srtlog_model::CpuPowerSample { t_unix, host, watts } = sample;
        self.host.push(host);
        self.device.push("cpu");
        self.gpu.push(None);
        self.role.push(None);
        self.t_unix.push(*t_unix);
        self.watts.push(*watts);
        self.source.push(PowerSource::PowerSamples.as_str());
    }
}
