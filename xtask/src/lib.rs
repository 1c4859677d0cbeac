//! srtlog's command line, shared by `cargo xtask ...` and the installable `srtlog` binary.
//!
//! `analyze <dir>` loads every run under a directory and prints a table per run (or, with
//! `--json`, the document of DESIGN.md section 4); `report` writes an offline HTML report and
//! `export` a CSV or a Parquet dataset. All share the loading flags and run filters of
//! [`load::LoadArgs`]. The developer commands (`gen-corpus`, `bench`) live here too, so that a
//! fresh checkout needs nothing but cargo.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod analyze;
pub mod bench;
pub mod corpus;
pub mod export;
pub mod load;
pub mod report;

/// srtlog: SRT-SLURM benchmark runs as typed data.
#[derive(Debug, Parser)]
#[command(name = "srtlog", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load every run under a directory and print results, worker summaries and skipped runs.
    Analyze(analyze::AnalyzeArgs),
    /// Export results as CSV (one row per run x concurrency) or a Hive-partitioned Parquet dataset.
    Export(export::ExportArgs),
    /// Write one self-contained offline HTML report (tables, Pareto, latency, worker timelines).
    Report(report::ReportArgs),
    /// Measure parsing speed and memory against `grep -c -F batch` on a >= 1 GB corpus.
    Bench(bench::BenchArgs),
    /// One measured load (used by `bench`; prints figures on stderr).
    #[command(hide = true)]
    BenchLoad(bench::BenchLoadArgs),
    /// Write a deterministic corpus of realistic run directories (for benchmarks).
    GenCorpus(corpus::GenCorpusArgs),
}

/// Runs the command line with the process arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => analyze::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::BenchLoad(args) => bench::run_load(&args),
        Command::GenCorpus(args) => match corpus::generate(&args) {
            Ok(runs) => {
                eprintln!("wrote {} runs under {}", runs.len(), args.dir.display());
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("srtlog: cannot write the corpus under {}: {err}", args.dir.display());
                ExitCode::FAILURE
            }
        },
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
