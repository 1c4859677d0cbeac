//! Integration tests of srtlog-export, in one test binary: the files read back with the
//! parquet crate, the output directory rules, and the interop check with DuckDB, pyarrow and
//! pandas, and shards and refreshes into one directory.

// Test code may unwrap (the workspace allows it in #[test] functions; this covers the helpers).
#![allow(clippy::unwrap_used)]

mod common;
mod in_memory;
mod interop;
mod output_dir;
mod roundtrip;
mod shards;
