//! What every command that reads runs shares: the directory, cache and thread flags, the run
//! filters, logging, the progress bar, the one warning about read-only runs, and the atomic
//! write of every file a command is asked to produce.

use std::fs;
use std::io::{self, IsTerminal};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use srtlog_loader::model::ParseOptions;
use srtlog_loader::{CacheMode, LoadReport, LoaderOptions, NodeDetail, RunDir, RunFilter, RunLoader};

/// Which runs to read and how.
#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// A directory of runs (searched up to 4 levels deep), or a single run directory.
    pub dir: PathBuf,
    /// How to read them.
    #[command(flatten)]
    pub flags: LoadFlags,
}

/// Field access reads through to the flags (`args.quiet`), so commands need not spell `flags`.
impl Deref for LoadArgs {
    type Target = LoadFlags;
    fn deref(&self) -> &LoadFlags {
        &self.flags
    }
}

impl DerefMut for LoadArgs {
    fn deref_mut(&mut self) -> &mut LoadFlags {
        &mut self.flags
    }
}

/// How to read runs: every loading flag but the directory, for commands (`diff`) that name
/// their runs otherwise.
#[derive(Debug, Clone, Args)]
pub struct LoadFlags {
    /// Do not parse worker logs (results and metadata only; much faster on big logs).
    #[arg(long)]
    pub no_nodes: bool,
    /// Read aiperf's per-request records (set by `export --dataset`, not a flag).
    #[arg(skip)]
    pub with_requests: bool,
    /// Read the Tachometer server time series (set by `export --dataset` and `report`, not a
    /// flag; `analyze` lists the files in each run's `server_metrics_summary` without reading them).
    #[arg(skip)]
    pub with_server_metrics: bool,
    /// Neither read nor write caches: parse everything from the source files.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
    /// Keep caches under DIR (one sub-directory per run) instead of `{run}/cached_assets/`;
    /// for run trees you cannot or should not write to. DIR itself may be a symbolic link (you
    /// chose it); the per-run directories in it, like `cached_assets/`, never are followed.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Parse with N threads (runs and worker files share them). Default: all cores.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Longest log line parsed whole; the rest of a longer line is skipped and counted. Bounds
    /// the memory one pathological line can cost.
    #[arg(long, value_name = "BYTES", default_value_t = ParseOptions::default().max_line_bytes)]
    pub max_line_bytes: usize,
    /// Most problems described per log file; later ones are only counted.
    #[arg(long, value_name = "N", default_value_t = ParseOptions::default().max_diagnostics)]
    pub max_diagnostics: usize,
    /// Run filters.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// More log output on stderr (-v: info, e.g. which runs fell back to benchmark.out; -vv: debug).
    #[arg(long, short = 'v', action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Only errors on stderr: no warnings, no progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Run filters, shared by all commands. Repeat a flag to accept several values.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only this job id (repeatable).
    #[arg(long = "job", value_name = "JOB_ID")]
    pub job_ids: Vec<String>,
    /// Only runs carrying this tag (repeatable: any of them).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only this GPU type, e.g. gb200 (repeatable; case-insensitive).
    #[arg(long = "gpu-type", value_name = "GPU")]
    pub gpu_types: Vec<String>,
    /// Only this backend, e.g. sglang or trtllm (repeatable).
    #[arg(long = "backend", value_name = "BACKEND")]
    pub backends: Vec<String>,
    /// Only runs dated on or after this day or time (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

impl FilterArgs {
    /// The loader's filter; an error names the bad value.
    pub fn to_filter(&self) -> Result<RunFilter, String> {
        Ok(RunFilter {
            jobs: self.job_ids.clone(),
            tags: self.tags.clone(),
            gpu_types: self.gpu_types.clone(),
            backends: self.backends.clone(),
            since: self.since.as_deref().map(RunFilter::parse_since).transpose()?,
            shard: None,
        })
    }
}

fn init_logging(args: &LoadArgs) {
    let level = match (args.quiet, args.verbose) {
        (true, _) => tracing::Level::ERROR,
        (false, 0) => tracing::Level::WARN,
        (false, 1) => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_max_level(level)
        .with_target(false)
        .without_time()
        .with_ansi(io::stderr().is_terminal())
        .try_init();
}

/// Loads the runs the arguments name, keeping as much of each worker as `detail` says. On a
/// usage or directory error, prints one line naming the path and returns the exit code to end
/// with.
pub fn load(args: &LoadArgs, detail: NodeDetail) -> Result<LoadReport, ExitCode> {
    let loader = open_loader(args, detail, None)?;
    let runs = loader.discover_runs();
    Ok(load_runs(args, &loader, &runs))
}

/// The loader the arguments describe, with `filter` instead of the arguments' run filters when
/// given (`export --shard` adds its shard; a refresh reloads a partition's other runs
/// unfiltered). On a usage or directory error, prints one line naming the path and returns the
/// exit code to end with.
pub fn open_loader(
    args: &LoadArgs,
    detail: NodeDetail,
    filter: Option<RunFilter>,
) -> Result<RunLoader, ExitCode> {
    init_logging(args);
    if let Err(err) = fs::read_dir(&args.dir) {
        eprintln!("srtlog: cannot read {}: {err}", args.dir.display());
        return Err(ExitCode::from(2));
    }
    let filter = match filter {
        Some(filter) => filter,
        None => args.filter.to_filter().map_err(|e| {
            eprintln!("srtlog: {e}");
            ExitCode::from(2)
        })?,
    };
    let options = LoaderOptions {
        with_nodes: !args.no_nodes,
        with_requests: args.with_requests,
        with_server_metrics: args.with_server_metrics,
        node_detail: detail,
        cache: match (&args.cache_dir, args.no_cache) {
            (_, true) => CacheMode::Disabled,
            (Some(dir), false) => CacheMode::Dir(dir.clone()),
            (None, false) => CacheMode::InRunDir,
        },
        jobs: args.jobs,
        filter,
        parse: ParseOptions {
            max_line_bytes: args.max_line_bytes,
            max_diagnostics: args.max_diagnostics,
            ..ParseOptions::default()
        },
    };
    RunLoader::with_options(&args.dir, options).map_err(|err| {
        eprintln!("srtlog: cannot start worker threads: {err}");
        ExitCode::from(2)
    })
}

/// Loads `runs` (from `loader.discover_runs()`, perhaps a subset) with the progress bar, the
/// summary log line and the one warning about read-only runs.
pub fn load_runs(args: &LoadArgs, loader: &RunLoader, runs: &[RunDir]) -> LoadReport {
    let bar = progress_bar(args, runs.len());
    let report = loader.load_runs(runs, &|_| {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    tracing::info!(
        "loaded {} runs ({} skipped); cache: {} hits, {} misses, {} writes",
        report.runs.len(),
        report.skipped.len(),
        report.cache.hits,
        report.cache.misses,
        report.cache.writes
    );
    if !report.uncached_read_only.is_empty() {
        // One warning for all of them: a read-only tree of a thousand runs is one problem.
        tracing::warn!(
            "{} run director{} not writable, analysed without caching (use --cache-dir DIR to cache elsewhere): {}",
            report.uncached_read_only.len(),
            if report.uncached_read_only.len() == 1 { "y is" } else { "ies are" },
            report.uncached_read_only.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    report
}

/// A progress bar on stderr when the work is long (several runs) and stderr is a terminal.
fn progress_bar(args: &LoadArgs, total: usize) -> Option<indicatif::ProgressBar> {
    if args.quiet || total < 4 || !io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} loading runs {pos}/{len} [{elapsed}] {wide_bar}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// Writes the file `path` atomically with what `write` writes: an interrupted or failed command
/// never leaves half a file under the name the user asked for. The work is
/// [`srtlog_columnar::write_atomically`]'s (the one atomic write of the workspace); the error is
/// the underlying I/O error, because the caller's message names `path` already.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
) -> io::Result<()> {
    srtlog_columnar::write_atomically(path, write).map_err(|err| err.source)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_removes_the_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        fs::write(&path, b"old").unwrap();
        let err = write_atomically(&path, |w| {
            w.write_all(b"half a")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["report.html"]);
    }
}
