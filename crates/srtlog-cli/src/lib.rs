//! srtlog's command line: the clap definition of the `srtlog` binary and its commands.
//!
//! `analyze <dir>` loads every run under a directory and prints a table per run (or, with
//! `--json`, the document of DESIGN.md section 4); `report` writes an offline HTML report and
//! `export` a CSV or a Parquet dataset; `diff` compares a baseline and a candidate and gates on
//! regressions. These, the [`RunsCommand`]s, share the loading flags and run filters of
//! [`load::LoadArgs`] / [`load::LoadFlags`]; `cargo xtask` offers the same commands by
//! flattening [`RunsCommand`] into its own command line, so both spell every flag alike.
//! `completions` and `man` print a shell completion script and the man pages, generated from
//! this definition so that they cannot drift from it.
//!
//! Exit codes and user-facing messages live here and nowhere else: 0 on success (skipped runs
//! included), 1 when an output cannot be written (and for `diff`, a failed gate), 2 on a usage
//! error or an unreadable directory (and for `diff`, runs that are not comparable).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod analyze;
pub mod completions;
pub mod diff;
pub mod export;
pub mod load;
pub mod man;
pub mod report;

/// SRT-SLURM benchmark runs as typed data.
///
/// srtlog reads the output directories of SRT-SLURM benchmark jobs (run metadata, benchmark
/// results per concurrency, worker logs), caches what it parsed as Parquet in each run's
/// cached_assets/ directory, and prints tables or the JSON document (analyze), writes an
/// offline HTML report (report), or exports a CSV and a Parquet dataset (export). Each
/// command's --help explains its flags; srtlog man COMMAND prints its man page.
#[derive(Debug, Parser)]
#[command(name = "srtlog", version, propagate_version = true, after_long_help = EXIT_STATUS)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// What the exit code means, for `--help` and srtlog(1).
const EXIT_STATUS: &str = "\
Exit status:
  0  success (runs that had to be skipped are listed, not an error)
  1  an output could not be written; for diff, a regression gate failed
  2  a usage error, or the directory of runs cannot be read; for diff, runs that are not
     comparable or a side that selects no run";

/// The subcommands of `srtlog`.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process: boxing saves nothing
pub enum Command {
    /// The commands that read runs.
    #[command(flatten)]
    Runs(RunsCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    Completions(completions::CompletionsArgs),
    /// Print the man page of srtlog or of one of its commands (roff), or write them all.
    Man(man::ManArgs),
}

/// The commands that read run directories, shared with `cargo xtask`.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// Load every run under a directory and print results, worker summaries and skipped runs.
    Analyze(analyze::AnalyzeArgs),
    /// Export results as CSV (one row per run x concurrency) or a Hive-partitioned Parquet dataset.
    Export(export::ExportArgs),
    /// Write one self-contained offline HTML report (tables, Pareto, latency, worker timelines).
    Report(report::ReportArgs),
    /// Compare a baseline and a candidate (runs, job ids or tags): deltas, noise, setup verdict, gate.
    Diff(diff::DiffArgs),
}

impl RunsCommand {
    /// Runs the command; the exit code says how it went (any message is already printed).
    pub fn run(&self) -> ExitCode {
        match self {
            RunsCommand::Analyze(args) => analyze::run(args),
            RunsCommand::Export(args) => export::run(args),
            RunsCommand::Report(args) => report::run(args),
            RunsCommand::Diff(args) => diff::run(args),
        }
    }
}

/// Runs the `srtlog` command line with the process arguments.
pub fn main() -> ExitCode {
    run(&Cli::parse())
}

/// Runs a parsed `srtlog` command line.
pub fn run(cli: &Cli) -> ExitCode {
    match &cli.command {
        Command::Runs(command) => command.run(),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
