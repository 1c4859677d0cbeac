//! Loading a run's server time series: the Tachometer scraper's Parquet files and Arrow IPC
//! stream ([`tachometer_files`], `../shared/FORMATS-2.md` §7.1) into
//! [`BenchmarkRun::server_metrics`], through `srtlog-parsers-telemetry`'s reader.
//!
//! The data directory is `logs/tachometer/`, else `logs/telemetry/` when it holds Tachometer
//! files (early v1 runs; in 2.x it holds only the scraper's logs and config). The files are
//! chosen by the reader's precedence rule ([`select`]); every load lists them in
//! [`BenchmarkRun::server_metrics_summary`] (from the listing: no byte read), and only when
//! [`LoaderOptions::with_server_metrics`](crate::LoaderOptions) asks are they read (every
//! metric) — through [`open_regular`], Parquet by seeking to the projected column chunks, the
//! IPC stream no further than its length at open. A file that cannot be read is a
//! `invalid_server_metrics` warning naming it; the others still load. The series are cached
//! as their own part (`server_metrics.parquet`), whose sources are exactly the files read.

use srtlog_columnar::{open_regular, Links};
use std::collections::BTreeSet;

use srtlog_model::{BenchmarkRun, GpuPowerSample, RunFiles, RunWarningKind, ServerMetricsSummary};
use srtlog_parsers_telemetry::tachometer::{read_files, select, FileKind, ReadOptions};

use super::{fingerprints, RunLoader};

/// The data directories, in the order they are looked for.
pub const TACHOMETER_DIRS: [&str; 2] = ["logs/tachometer", "logs/telemetry"];

/// The Tachometer files of the run that the precedence rule chooses (relative paths, in
/// reading order): from the first of [`TACHOMETER_DIRS`] holding any writer file, directly
/// or in its `local/`.
pub fn tachometer_files(files: &RunFiles) -> Vec<String> {
    for dir in TACHOMETER_DIRS {
        let local = format!("{dir}/local");
        let found: Vec<&str> = files
            .entries()
            .iter()
            .filter(|e| e.is_file() && (e.parent() == dir || e.parent() == local))
            .map(|e| e.path.as_str())
            .filter(|p| FileKind::of(p).is_some())
            .collect();
        if !found.is_empty() {
            return select(found).into_iter().map(str::to_owned).collect();
        }
    }
    Vec::new()
}

/// The run's GPU power from Tachometer's DCGM rows
/// ([`ServerMetrics::gpu_power_samples`](srtlog_model::ServerMetrics::gpu_power_samples), its
/// collision rule included), read with the
/// metric subset `gpu_power` only — row groups pruned, other rows never decoded — so that the
/// power engine can have it on every load (like the power sampler's files: fresh, never cached)
/// without reading the whole series. Empty without Tachometer files; the messages name the
/// files that could not be read. For the power loader, when the run has no
/// `power/samples.csv`.
pub fn tachometer_gpu_power(files: &RunFiles) -> (Vec<GpuPowerSample>, Vec<String>) {
    let chosen = tachometer_files(files);
    if chosen.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let open = |p: &str| open_regular(&files.full_path(p), Links::Follow).map_err(|e| e.to_string());
    let options = ReadOptions { metrics: Some(BTreeSet::from(["gpu_power".to_owned()])) };
    let (metrics, errors) =
        read_files(chosen.iter().map(String::as_str), options, |p| open(p).map(|f| f.into_file()), open);
    (metrics.gpu_power_samples(), errors.iter().map(ToString::to_string).collect())
}

impl RunLoader {
    /// Lists the run's Tachometer files in its summary and, when asked, reads (or takes from
    /// the cache) their series into `run.server_metrics`; unreadable files become warnings.
    pub(super) fn load_server_metrics(&self, files: &RunFiles, run: &mut BenchmarkRun) {
        let chosen = tachometer_files(files);
        if chosen.is_empty() {
            return;
        }
        if !self.options.with_server_metrics {
            run.server_metrics_summary = Some(ServerMetricsSummary::unread(chosen));
            return;
        }
        let cache = self.cache_for(files.root());
        let fps = cache.as_ref().and_then(|_| fingerprints(files, chosen.iter().map(String::as_str)));
        let mut cached = None;
        if let (Some(cache), Some(fps)) = (&cache, &fps) {
            cached = self.cache_lookup(cache.load_server_metrics(fps));
        }
        let (metrics, warnings) = match cached {
            Some(hit) => hit,
            None => {
                let open =
                    |p: &str| open_regular(&files.full_path(p), Links::Follow).map_err(|e| e.to_string());
                let (metrics, errors) = read_files(
                    chosen.iter().map(String::as_str),
                    ReadOptions::default(),
                    |p| open(p).map(|f| f.into_file()),
                    open,
                );
                let warnings: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{e}; the server time series hold the other files' rows"))
                    .collect();
                if let (Some(cache), Some(fps)) = (&cache, &fps) {
                    match cache.store_server_metrics(fps, &metrics, &warnings) {
                        Ok(()) => self.side().cache.writes += 1,
                        Err(err) => self.note_store_error(files.root(), err),
                    }
                }
                (metrics, warnings)
            }
        };
        for w in warnings {
            run.warn(RunWarningKind::InvalidServerMetrics, w);
        }
        // The summary names every file chosen; those that could not be read are the warnings.
        run.server_metrics_summary = Some(ServerMetricsSummary { sources: chosen, ..metrics.summary() });
        run.server_metrics = Some(metrics);
    }
}
