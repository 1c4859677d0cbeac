//! Loading SRT-SLURM run directories: discovery, metadata, results, worker logs and the cache.
//!
//! This is the crate applications use. [`RunLoader`] finds every run under a root
//! ([`RunLoader::discover_runs`]), reads its metadata (`{job_id}.json` / `metadata.json`, v2 or
//! legacy v1.0, plus `config.yaml`), lists the run's files once ([`list_run_files`]), picks the
//! registered benchmark parser for its benchmark type (or detects it from `benchmark.out`),
//! hands it the bytes of the result files it selects from the listing (JSON first), checks which
//! expected concurrencies are missing, and — through [`NodeAnalyzer`] — parses every worker
//! log (`logs/workers/` in the 2.x layout, else `logs/` or the run root) with the registered
//! node parser for the run's backend, and reads the run's setup ([`read_setup`]). A run is
//! skipped only when its metadata is missing or unreadable: results, workers or provenance
//! files that cannot be read leave the run loaded with a warning (`BenchmarkRun::warnings`). Parsed results and worker
//! metrics are cached as Parquet next to the run (`cached_assets/`) and reused while every
//! source file's fingerprint — taken from the same listing — still matches. It is the only crate that fans out with rayon:
//! runs and the worker files within them share one pool.
//!
//! It names both parser crates, so every binary that uses the loader has all built-in parsers
//! registered.
//!
//! ```no_run
//! use srtlog_loader::RunLoader;
//!
//! let loader = RunLoader::new("outputs/")?;
//! let report = loader.load_all();
//! for run in &report.runs {
//!     println!("{} {} complete={}", run.metadata.job_id, run.metadata.topology(), run.is_complete);
//! }
//! for skipped in &report.skipped {
//!     eprintln!("skipped {} ({}): {}", skipped.path, skipped.kind.as_str(), skipped.reason);
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

// Link the parser crates: their `inventory::submit!` registrations vanish unless named.
use srtlog_parsers_bench as _;
use srtlog_parsers_node as _;

mod discover;
mod filter;
mod listing;
mod loader;
pub mod metadata;
mod nodes;
mod setup;

pub use discover::{discover_runs, RunDir, MAX_DISCOVERY_DEPTH};
pub use filter::RunFilter;
pub use listing::{list_run_files, LISTING_DEPTH};
pub use loader::server_metrics::{tachometer_files, tachometer_gpu_power, TACHOMETER_DIRS};
pub use loader::{cache_key, CacheMode, CacheStats, LoadReport, LoaderOptions, NodeDetail, RunLoader};
pub use nodes::{NodeAnalyzer, WorkerFiles, WORKER_DIRS};
pub use setup::{read_setup, SETUP_FILES};
pub use srtlog_model as model;

/// The README's examples, compiled as doc-tests so that they cannot rot.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
