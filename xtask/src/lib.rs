//! srtlog's developer tasks: `cargo xtask bench | gen-corpus | tidy`, so that a fresh checkout
//! needs nothing but cargo.
//!
//! `cargo xtask analyze | report | export | diff` are the user commands of the `srtlog` binary,
//! flattened in from [`srtlog_cli::RunsCommand`] (the same flags, the same code): the README's
//! first command works before anything is installed.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod bench;
pub mod corpus;
pub mod tidy;

/// srtlog's developer tasks, and srtlog's commands that read runs.
#[derive(Debug, Parser)]
#[command(name = "xtask", long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of `cargo xtask`.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process: boxing saves nothing
pub enum Command {
    /// srtlog's own commands (`srtlog analyze ...` as `cargo xtask analyze ...`).
    #[command(flatten)]
    Runs(srtlog_cli::RunsCommand),
    /// Measure parsing speed and memory against `grep -c -F batch` on a >= 1 GB corpus.
    Bench(bench::BenchArgs),
    /// One measured load (used by `bench`; prints figures on stderr).
    #[command(hide = true)]
    BenchLoad(bench::BenchLoadArgs),
    /// Write a deterministic corpus of realistic run directories (for benchmarks).
    GenCorpus(corpus::GenCorpusArgs),
    /// Check the workspace's Rust sources: a `//!` header on each, no leftover debug macros.
    Tidy(tidy::TidyArgs),
}

/// Runs `cargo xtask` with the process arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Runs(command) => command.run(),
        Command::Bench(args) => bench::run(&args),
        Command::BenchLoad(args) => bench::run_load(&args),
        Command::GenCorpus(args) => match corpus::generate(&args) {
            Ok(runs) => {
                eprintln!("wrote {} runs under {}", runs.len(), args.dir.display());
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("xtask: cannot write the corpus under {}: {err}", args.dir.display());
                ExitCode::FAILURE
            }
        },
        Command::Tidy(args) => tidy::run(&args),
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
