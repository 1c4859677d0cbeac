//! Loading a run's power record: the power sampler's files (`logs/power/`, the CPU samples of
//! `power/cpu/` or `cpu_power/`; `srtlog_parsers_telemetry::power::select`), read through
//! `open_regular` and streamed, then [`choose_power`] between them, Tachometer's DCGM power and
//! aiperf's GPU telemetry (its `gpu_telemetry_export.jsonl` time series, read only when the
//! sampler has no GPU sample, else its per-point totals).
//!
//! Read fresh on every load, never cached: the sampler's CSV is a few MB where worker logs are
//! GB, parsing it is a streamed pass, and reading it fresh keeps a warm load's JSON the cold
//! one's without a fourth cache part (see ARCHITECTURE, "Power samples").
//!
//! Tachometer's DCGM power is read (only its `gpu_power` rows, fresh, by
//! [`tachometer_gpu_power`]) only when the sampler has no GPU sample: on every load, whether or
//! not the full server series are asked for, so `analyze` and `export` give one energy.
//!
//! What cannot be read (an unopenable or foreign file, bad rows) is a run warning naming the
//! file; the sampler's own verdict (`publication_valid: false`, a status other than
//! `complete`) is one too, so a doubtful record is never used without a word.

use srtlog_columnar::{open_regular, Links, RegularFile};
use std::io::BufReader;

use srtlog_model::{
    choose_power, BenchmarkRun, GpuPowerSample, PowerSource, RunFiles, RunPower, RunWarning, RunWarningKind,
};
use srtlog_parsers_telemetry::power::{
    parse_manifest, parse_window, read_aiperf_gpu_telemetry, read_cpu_samples, read_gpu_samples, select,
    select_aiperf_telemetry, SamplesRead,
};

use super::server_metrics::{tachometer_files, tachometer_gpu_power};
use super::RunLoader;

impl RunLoader {
    /// Sets `run.power` from the run's power files and points (module docs); warnings go to
    /// `run.warnings` (kind `invalid_power`, or `io_error` for a file that cannot be opened).
    pub(super) fn load_power(&self, files: &RunFiles, run: &mut BenchmarkRun) {
        let (sampler, mut warnings) = read_sampler(files);
        // The lower sources are read only when the ones above them have no GPU sample (they
        // would not be used).
        let sampler_has_gpus = sampler.as_ref().is_some_and(|s| !s.gpu_samples.is_empty());
        let tachometer = if sampler_has_gpus {
            Vec::new()
        } else {
            let (samples, errors) = tachometer_gpu_power(files);
            // With the full series asked for, their reader names the same damaged files.
            if !self.options.with_server_metrics {
                let warn = |message| RunWarning { kind: RunWarningKind::InvalidServerMetrics, message };
                warnings.extend(errors.into_iter().map(warn));
            }
            samples
        };
        let aiperf = if sampler_has_gpus || !tachometer.is_empty() {
            Vec::new()
        } else {
            read_aiperf(files, &mut warnings)
        };
        run.warnings.extend(warnings);
        run.power = choose_power(sampler, tachometer, aiperf, &run.profiler.points);
        // The record names the files its samples came from, whichever source won.
        if let Some(power) = &mut run.power {
            let read: Vec<String> = match power.source {
                PowerSource::Tachometer => tachometer_files(files),
                PowerSource::AiperfTelemetry if !power.gpu_samples.is_empty() => {
                    select_aiperf_telemetry(files)
                }
                _ => Vec::new(),
            };
            power.files.extend(read);
        }
    }
}

fn open(files: &RunFiles, path: &str) -> Result<RegularFile, RunWarning> {
    open_regular(&files.full_path(path), Links::Follow).map_err(|e| RunWarning {
        kind: RunWarningKind::IoError,
        message: format!("{path}: cannot read: {e}"),
    })
}

fn invalid(message: String) -> RunWarning {
    RunWarning { kind: RunWarningKind::InvalidPower, message }
}

fn note_rows<T>(read: &SamplesRead<T>, path: &str, warnings: &mut Vec<RunWarning>) {
    if read.bad_rows > 0 {
        let mut message = format!("{path}: {} of {} rows not used", read.bad_rows, read.rows);
        for d in &read.diagnostics {
            message.push_str("; ");
            message.push_str(d);
        }
        warnings.push(invalid(message));
    }
}

/// Every `gpu_telemetry_export.jsonl` of the run's aiperf artifacts, as one series per GPU.
fn read_aiperf(files: &RunFiles, warnings: &mut Vec<RunWarning>) -> Vec<GpuPowerSample> {
    let mut samples = Vec::new();
    for path in select_aiperf_telemetry(files) {
        match open(files, &path) {
            Ok(file) => {
                let read = read_aiperf_gpu_telemetry(BufReader::with_capacity(1 << 16, file), &path);
                note_rows(&read, &path, warnings);
                samples.extend(read.samples);
            }
            Err(w) => warnings.push(w),
        }
    }
    samples
}

/// The sampler's record (source `power_samples`), when the run has any of its files.
fn read_sampler(files: &RunFiles) -> (Option<RunPower>, Vec<RunWarning>) {
    let found = select(files);
    let mut warnings = Vec::new();
    if found.is_empty() {
        return (None, warnings);
    }
    let mut power = RunPower::new(PowerSource::PowerSamples);
    if let Some(path) = &found.gpu_samples {
        match open(files, path) {
            Ok(file) => match read_gpu_samples(file, path) {
                Ok(read) => {
                    note_rows(&read, path, &mut warnings);
                    power.bad_rows += read.bad_rows;
                    power.gpu_sample_count = read.samples.len() as u64;
                    power.gpu_samples = read.samples;
                    power.files.push(path.clone());
                }
                Err(e) => warnings.push(invalid(e.to_string())),
            },
            Err(w) => warnings.push(w),
        }
    }
    if found.cpu_samples.len() > 1 {
        warnings.push(invalid(format!(
            "several CPU power files ({}): CPU power from {} only",
            found.cpu_samples.join(", "),
            found.cpu_samples[0]
        )));
    }
    if let Some(path) = found.cpu_samples.first() {
        match open(files, path) {
            Ok(file) => match read_cpu_samples(file, path) {
                Ok(read) => {
                    note_rows(&read, path, &mut warnings);
                    if read.samples.is_empty() && read.rows > read.bad_rows {
                        warnings.push(invalid(format!("{path}: no total_power_w on any row: no CPU energy")));
                    }
                    power.bad_rows += read.bad_rows;
                    power.cpu_sample_count = read.samples.len() as u64;
                    power.cpu_samples = read.samples;
                    power.files.push(path.clone());
                }
                Err(e) => warnings.push(invalid(e.to_string())),
            },
            Err(w) => warnings.push(w),
        }
    }
    if let Some(path) = &found.manifest {
        match open(files, path)
            .and_then(|f| f.read_all().map_err(|e| invalid(format!("{path}: cannot read: {e}"))))
        {
            Ok(bytes) => match parse_manifest(&bytes, path) {
                Ok(m) => {
                    if m.publication_valid == Some(false)
                        || m.status.as_deref().is_some_and(|s| s != "complete")
                    {
                        warnings.push(invalid(format!(
                            "{path}: the power sampler's status is {} (publication_valid: {}): its samples may not cover the run",
                            m.status.as_deref().unwrap_or("unknown"),
                            m.publication_valid.map_or("null".to_owned(), |v| v.to_string())
                        )));
                    }
                    power.manifest = Some(m);
                    power.files.push(path.clone());
                }
                Err(e) => warnings.push(invalid(e.to_string())),
            },
            Err(w) => warnings.push(w),
        }
    }
    for path in &found.windows {
        match open(files, path)
            .and_then(|f| f.read_all().map_err(|e| invalid(format!("{path}: cannot read: {e}"))))
        {
            Ok(bytes) => match parse_window(&bytes, path) {
                Ok(w) => {
                    power.windows.push(w);
                    power.files.push(path.clone());
                }
                Err(e) => warnings.push(invalid(e.to_string())),
            },
            Err(w) => warnings.push(w),
        }
    }
    if power.gpu_samples.is_empty() && found.gpu_samples.is_some() {
        power.warnings.push(format!(
            "{}: no usable GPU sample",
            found.gpu_samples.as_deref().unwrap_or("logs/power/samples.csv")
        ));
    }
    (Some(power), warnings)
}
