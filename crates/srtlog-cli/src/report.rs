//! `report <dir> -o report.html`: one self-contained offline HTML report of the runs.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use srtlog_loader::NodeDetail;
use srtlog_report::ReportOptions;

use crate::load::{load, write_atomically, LoadArgs};

/// Options of `report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Runs to read.
    #[command(flatten)]
    pub load: LoadArgs,
    /// The HTML file to write.
    #[arg(long, short = 'o', value_name = "FILE", default_value = "report.html")]
    pub output: PathBuf,
    /// Page title.
    #[arg(long)]
    pub title: Option<String>,
    /// Leave out worker timelines and rate-match charts (a smaller file).
    #[arg(long)]
    pub no_timelines: bool,
}

/// Runs `report`.
pub fn run(args: &ReportArgs) -> ExitCode {
    let report = match load(&args.load, NodeDetail::Batches) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut options = ReportOptions::default();
    if let Some(title) = &args.title {
        options.title = title.clone();
    }
    options.include_timelines = !args.no_timelines && !args.load.no_nodes;
    let doc = report.into_document();
    let (runs, skipped) = (doc.runs.len(), doc.skipped.len());
    match write_atomically(&args.output, |w| srtlog_report::write_report(&doc, &options, w)) {
        Ok(()) => {
            if !args.load.quiet {
                eprintln!("wrote {} ({runs} runs, {skipped} skipped)", args.output.display());
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("srtlog: cannot write {}: {err}", args.output.display());
            ExitCode::FAILURE
        }
    }
}
