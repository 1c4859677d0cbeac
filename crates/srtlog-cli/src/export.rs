//! `export <dir> --csv FILE` / `--accuracy-csv FILE` / `--dataset DIR`: results for spreadsheets, notebooks and
//! warehouses.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use srtlog_loader::NodeDetail;

use crate::load::{load, write_atomically, LoadArgs};

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
    /// launch_args/, requests/, by job id) to DIR, for DuckDB, polars, pandas and Spark. DIR is replaced as a whole, so
    /// it may not be a symbolic link; an export into a DIR that another export is writing fails
    /// at once.
    #[arg(long, value_name = "DIR")]
    pub dataset: Option<PathBuf>,
}

/// Runs `export`.
pub fn run(args: &ExportArgs) -> ExitCode {
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
        match srtlog_export::write_dataset(&doc, dir) {
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
