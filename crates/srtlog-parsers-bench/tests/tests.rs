//! Integration tests of srtlog-parsers-bench, in one test binary: whole fixture run directories
//! (`testdata/runs/`) with exact expected values, and bad input that must warn or fail with a
//! message naming the file, never panic.

// Test helpers outside `#[test]` functions may unwrap too.
#![allow(clippy::unwrap_used)]

#[path = "suite/aiperf_records_real.rs"]
mod aiperf_records_real;
#[path = "suite/bad_input.rs"]
mod bad_input;
#[path = "suite/evals.rs"]
mod evals;
#[path = "suite/real.rs"]
mod real;
#[path = "suite/result_runs.rs"]
mod result_runs;
#[path = "suite/runs.rs"]
mod runs;
#[path = "suite/support.rs"]
mod support;
