//! The developer binary's tests, in one test binary (each one links the loader and Parquet):
//! `cargo xtask analyze|report|export` give what `srtlog` gives (`forwarding`), and faults and
//! concurrency on a generated corpus (`faults`: killed writers, concurrent loads, growing logs).
//! They live here, not in srtlog-cli, because the corpus generator is xtask's.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::{Command, Output};

mod faults;
mod forwarding;

/// The `xtask` binary under test (its `analyze` is srtlog-cli's, see `forwarding`).
fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_xtask")
}

/// Runs `xtask` with `args` and waits for it.
fn run(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().unwrap()
}

/// A directory of the workspace's `testdata/`.
fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}
