//! Readers of a run's telemetry: what the GPUs and CPUs drew and what the servers reported about
//! themselves while the benchmark ran.
//!
//! Two sources, one module each, both pure (bytes or a reader in, model types out; the loader
//! finds and opens the files):
//!
//! - [`power`]: srt-slurm's power sampler, `logs/power/` — GPU `samples.csv` (both header
//!   versions), CPU samples, `manifest.json` and the per-benchmark `windows/*.json`
//!   (`../shared/FORMATS-2.md` §6) — and aiperf's `gpu_telemetry_export.jsonl` power time
//!   series (§2.3).
//! - [`tachometer`]: the Tachometer scraper's Prometheus time series of every worker, written as
//!   Parquet (`final.parquet`, `incomplete-N.parquet`, `local/out-N.parquet`) and an Arrow IPC
//!   stream (`local/current.arrow`) under `logs/tachometer/` (`logs/telemetry/` in early runs)
//!   (`../shared/FORMATS-2.md` §7).
//!
//! It is a crate of its own, not part of the node or bench parsers, because Tachometer needs
//! Parquet and Arrow IPC readers, which a downstream crate picking only the log parsers should
//! not have to compile.

pub mod power;
pub mod tachometer;
