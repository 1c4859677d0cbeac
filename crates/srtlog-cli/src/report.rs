//! `report <dir> -o report.html`: one self-contained offline HTML report of the runs; with
//! `--baseline SEL --candidate SEL`, a baseline-vs-candidate section too (the sides are
//! selected and compared as `diff` does it: [`crate::diff::load_side`], [`srtlog_diff`]).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use srtlog_diff::gate::Gate;
use srtlog_diff::{compare, Comparison};
use srtlog_loader::NodeDetail;
use srtlog_report::ReportOptions;

use crate::diff::{load_side, Selector};
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
    /// Add a baseline-vs-candidate section: the baseline's runs, by a selector as `srtlog diff`
    /// takes it (a run directory, a directory of runs, job ids or `tag:TAG` under DIR).
    #[arg(long, value_name = "SELECTOR", requires = "candidate")]
    pub baseline: Option<String>,
    /// The candidate's runs for the baseline-vs-candidate section (see --baseline).
    #[arg(long, value_name = "SELECTOR", requires = "baseline")]
    pub candidate: Option<String>,
    /// The regression gate the section shows, as `srtlog diff --fail-on` takes it.
    #[arg(long, value_name = "THRESHOLDS", default_value = srtlog_diff::gate::DEFAULT_GATE)]
    pub fail_on: String,
}

/// The comparison of `--baseline` and `--candidate`, when both are given; `Err` is the exit
/// code of a usage error (already said).
fn comparison(args: &ReportArgs) -> Result<Option<Comparison>, ExitCode> {
    let (Some(baseline), Some(candidate)) = (&args.baseline, &args.candidate) else {
        return Ok(None);
    };
    let usage = |e: String| {
        eprintln!("srtlog: {e}");
        ExitCode::from(2)
    };
    let gate = Gate::parse(&args.fail_on).map_err(|e| usage(format!("--fail-on: {e}")))?;
    let a =
        load_side("baseline", &Selector::parse(baseline).map_err(usage)?, &args.load.dir, &args.load.flags)?;
    let b = load_side(
        "candidate",
        &Selector::parse(candidate).map_err(usage)?,
        &args.load.dir,
        &args.load.flags,
    )?;
    let mut c = compare(&a.inputs(), &b.inputs());
    c.warnings = a.warnings.into_iter().chain(b.warnings).collect();
    c.gate = Some(gate.check(&c));
    Ok(Some(c))
}

/// Runs `report`.
pub fn run(args: &ReportArgs) -> ExitCode {
    let mut load_args = args.load.clone();
    // The report's server time series beside the log-derived timelines.
    load_args.with_server_metrics = !args.no_timelines;
    let report = match load(&load_args, NodeDetail::Batches) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let comparison = match comparison(args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut options = ReportOptions::default();
    if let Some(title) = &args.title {
        options.title = title.clone();
    }
    options.include_timelines = !args.no_timelines && !args.load.no_nodes;
    let doc = report.into_document();
    let (runs, skipped) = (doc.runs.len(), doc.skipped.len());
    match write_atomically(&args.output, |w| {
        srtlog_report::write_report_with_comparison(&doc, &options, comparison.as_ref(), w)
    }) {
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
