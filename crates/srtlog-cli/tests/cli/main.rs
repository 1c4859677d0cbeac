//! The `srtlog` binary as users run it, in one test binary (each one links the loader and
//! Parquet, so one binary links once): the commands (`commands`) and what is generated from the command-line definition (`generated`).

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::{Command, Output};

mod commands;
mod diff;
mod generated;

/// The `srtlog` binary under test.
fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_srtlog")
}

/// Runs `srtlog` with `args` and waits for it.
fn srtlog(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().unwrap()
}

/// A directory of the workspace's `testdata/`.
fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(name)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
