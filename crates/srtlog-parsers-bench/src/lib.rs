//! Benchmark-result parsers (work in progress).

pub mod common;
pub mod sa_bench;
pub mod sa_bench_out;
