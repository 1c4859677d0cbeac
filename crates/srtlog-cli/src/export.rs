//! `export <dir> --csv FILE` / `--accuracy-csv FILE` / `--dataset DIR`: results for spreadsheets, notebooks and
//! warehouses. `--dataset DIR --shard I/N` and `--refresh` update a dataset in place (one
//! process per SLURM array task, or a re-export of only what changed): `run_update`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use srtlog_export::{BuildSettings, FoundRun, LoadPass, Loaded, UpdateOptions};
use srtlog_loader::model::{BenchmarkRun, Shard};
use srtlog_loader::{list_run_files, NodeDetail, RunDir, RunFilter};

use crate::load::{load, load_runs, open_loader, write_atomically, LoadArgs};

/// Options of `export`.
#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).multiple(true).args(["csv", "accuracy_csv", "dataset"])))]
pub struct ExportArgs {
    /// Runs to read.
    #[command(flatten)]
    pub load: LoadArgs,
    /// Write one CSV row per run × concurrency (metadata, results, derived metrics) to FILE.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write one CSV row per run × accuracy result (eval task, metric, filter, value ± stderr,
    /// samples) to FILE; its rows join the `--csv` rows on `job_id`.
    #[arg(long, value_name = "FILE")]
    pub accuracy_csv: Option<PathBuf>,
    /// Write a Hive-partitioned Parquet dataset (runs/, points/, batches/, memory/, accuracy/,
    /// launch_args/, requests/, by job id) to DIR, for DuckDB, polars, pandas and Spark. DIR is replaced as a whole
    /// (with --shard or --refresh: updated in place), so it may not be a symbolic link; a full
    /// export into a DIR that another export is writing fails at once, as does a shard or
    /// refresh beside a full export.
    #[arg(long, value_name = "DIR")]
    pub dataset: Option<PathBuf>,
    /// Write only shard I of N (`0/4`; 0 <= I < N) into the dataset, beside the other shards'
    /// partitions: N independent exports (one per SLURM array task) build one dataset. A job
    /// belongs to the shard given by a hash of its job id (never by its position in a listing);
    /// the other partitions are left as they are. Combines with the run filters.
    #[arg(long, value_name = "I/N", requires = "dataset", conflicts_with_all = ["csv", "accuracy_csv"])]
    pub shard: Option<Shard>,
    /// Update the dataset in place: rewrite only the runs whose files changed since they were
    /// exported (each partition records what it was built from), add new runs, leave the rest
    /// untouched. Runs that are gone are kept unless `--prune`.
    #[arg(long, requires = "dataset", conflicts_with_all = ["csv", "accuracy_csv"])]
    pub refresh: bool,
    /// With `--refresh` or `--shard`: remove the runs the dataset records under DIR (of the
    /// shard's jobs) whose run directory is gone.
    #[arg(long)]
    pub prune: bool,
}

/// Runs `export`.
pub fn run(args: &ExportArgs) -> ExitCode {
    if args.prune && !(args.refresh || args.shard.is_some()) {
        eprintln!("srtlog: --prune needs --refresh or --shard (a full export replaces the dataset anyway)");
        return ExitCode::from(2);
    }
    if let (Some(dir), true) = (&args.dataset, args.refresh || args.shard.is_some()) {
        return run_update(args, dir);
    }
    let mut load_args = args.load.clone();
    if args.dataset.is_none() {
        // The CSV has no worker columns: do not parse worker logs for it.
        load_args.no_nodes = true;
    } else {
        // Only the dataset has `requests/` and `server_metrics/` tables.
        load_args.with_requests = true;
        load_args.with_server_metrics = true;
    }
    let report = match load(&load_args, NodeDetail::Batches) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let doc = report.into_document();
    if let Some(path) = &args.csv {
        if let Err(err) = write_atomically(path, |w| srtlog_report::write_points_csv(&doc, w)) {
            eprintln!("srtlog: cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
        if !args.load.quiet {
            let rows: usize = doc.runs.iter().map(|r| r.profiler.points.len()).sum();
            eprintln!("wrote {} ({rows} rows)", path.display());
        }
    }
    if let Some(path) = &args.accuracy_csv {
        if let Err(err) = write_atomically(path, |w| srtlog_report::write_accuracy_csv(&doc, w)) {
            eprintln!("srtlog: cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
        if !args.load.quiet {
            let rows: usize = doc.runs.iter().map(|r| r.accuracy.len()).sum();
            eprintln!("wrote {} ({rows} rows)", path.display());
        }
    }
    if let Some(dir) = &args.dataset {
        let sources = source_digests(&doc.runs, &load_args);
        match srtlog_export::write_dataset_with_sources(&doc, dir, &sources) {
            Ok(summary) => {
                if !args.load.quiet {
                    let r = &summary.rows;
                    eprintln!(
                        "wrote dataset {} ({} files: {} runs, {} points, {} batches, {} memory, {} accuracy, {} request rows, {} server metric rows)",
                        dir.display(),
                        summary.files,
                        r.runs,
                        r.points,
                        r.batches,
                        r.memory,
                        r.accuracy,
                        r.requests,
                        r.server_metrics
                    );
                }
            }
            Err(err) => {
                eprintln!("srtlog: cannot write dataset: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// The export's settings that change the rows of a run, for its source digest.
fn build_settings(args: &LoadArgs) -> BuildSettings {
    BuildSettings { nodes: !args.no_nodes, requests: args.with_requests, max_line_bytes: args.max_line_bytes }
}

/// Each loaded run's source digest, by path (the listing is the loader's, read again here).
fn source_digests(runs: &[BenchmarkRun], args: &LoadArgs) -> HashMap<String, String> {
    let settings = build_settings(args);
    runs.iter()
        .map(|r| {
            let digest = srtlog_export::source_digest(&list_run_files(Path::new(&r.metadata.path)), settings);
            (r.metadata.path.clone(), digest)
        })
        .collect()
}

/// `export --dataset DIR --shard I/N` and/or `--refresh`: finds the runs under the root and
/// their source digests, and lets [`srtlog_export::update_dataset`] load (through the loader,
/// with the run filters and the shard for the changed runs, unfiltered for the other runs of a
/// partition being rewritten) and write what changed, leaving every other partition as it is.
fn run_update(args: &ExportArgs, out: &Path) -> ExitCode {
    let mut load_args = args.load.clone();
    // The same tables as a full export.
    load_args.with_requests = true;
    load_args.with_server_metrics = true;
    let mut filter = match load_args.filter.to_filter() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("srtlog: {e}");
            return ExitCode::from(2);
        }
    };
    let covers_all = args.shard.is_none() && filter.is_empty();
    filter.shard = args.shard;
    let (loader, unfiltered) = match (
        open_loader(&load_args, NodeDetail::Batches, Some(filter)),
        open_loader(&load_args, NodeDetail::Batches, Some(RunFilter::default())),
    ) {
        (Ok(l), Ok(u)) => (l, u),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let settings = build_settings(&load_args);
    let dirs: Vec<RunDir> = loader.discover_runs();
    let found: Vec<FoundRun> = dirs
        .iter()
        .map(|d| FoundRun {
            path: d.path.to_string_lossy().into_owned(),
            digest: srtlog_export::source_digest(&list_run_files(&d.path), settings),
        })
        .collect();
    let by_path: BTreeMap<&str, &RunDir> = found.iter().map(|f| f.path.as_str()).zip(&dirs).collect();
    let written_by = match (args.shard, args.refresh) {
        (Some(s), true) => format!("export --refresh --shard {s}"),
        (Some(s), false) => format!("export --shard {s}"),
        (None, _) => "export --refresh".to_owned(),
    };
    let options = UpdateOptions {
        shard: args.shard,
        refresh: args.refresh,
        prune: args.prune,
        root: &load_args.dir,
        covers_all,
        written_by: &written_by,
    };
    let result = srtlog_export::update_dataset(out, &found, options, |pass, paths| {
        let runs: Vec<RunDir> = paths.iter().filter_map(|p| by_path.get(p).map(|d| (*d).clone())).collect();
        let loader = if pass == LoadPass::Changed { &loader } else { &unfiltered };
        let report = load_runs(&load_args, loader, &runs);
        Loaded { runs: report.runs, skipped: report.skipped.into_iter().map(|s| s.path).collect() }
    });
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(err) => {
            eprintln!("srtlog: cannot write dataset: {err}");
            return ExitCode::FAILURE;
        }
    };
    for (path, why) in &outcome.invalid_manifests {
        tracing::warn!(
            "{}: unusable partition manifest ({why}); its runs were exported again",
            path.display()
        );
    }
    let (plan, status) = (&outcome.plan, &outcome.status);
    if !plan.vanished.is_empty() && !args.prune {
        tracing::warn!(
            "{} run{} recorded in the dataset {} gone from {} and kept (--prune removes them): {}",
            plan.vanished.len(),
            if plan.vanished.len() == 1 { " is" } else { "s are" },
            out.display(),
            load_args.dir.display(),
            plan.vanished.join(", ")
        );
    }
    if !args.load.quiet {
        let r = &status.summary.rows;
        let state = if status.complete {
            "complete".to_owned()
        } else if !status.pending_shards.is_empty() {
            format!(
                "incomplete: shards {} not finished",
                status.pending_shards.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
            )
        } else {
            format!(
                "incomplete: {} partition directories without a manifest",
                status.incomplete_partitions.len()
            )
        };
        eprintln!(
            "updated dataset {} ({} partitions written, {} removed; {} runs found, {} read); now {} partitions, {} files: {} runs, {} points, {} batches, {} memory, {} accuracy, {} request rows; {state}",
            out.display(),
            status.written,
            status.removed,
            found.len(),
            outcome.loaded,
            status.partitions,
            status.summary.files,
            r.runs,
            r.points,
            r.batches,
            r.memory,
            r.accuracy,
            r.requests
        );
    }
    ExitCode::SUCCESS
}
