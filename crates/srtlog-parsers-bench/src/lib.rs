//! Benchmark-result parsers of srtlog: `sa-bench` and `mooncake-router` (aiperf).
//!
//! An SRT-SLURM job benchmarks its serving deployment with a client script whose results this
//! crate turns into a [`ProfilerResults`] — one [`BenchmarkPoint`] per concurrency, sorted by
//! concurrency — plus the client's [`BenchmarkLaunchCommand`]. Two parsers register themselves
//! in `srtlog-model`'s registry with `inventory::submit!`; the loader finds them by the run's
//! `benchmark.type` (or by [`BenchmarkParser::detect`] on `logs/benchmark.out`):
//!
//! - [`SaBenchParser`] (`sa-bench`): `benchmark_serving.py` result JSON files, one per
//!   concurrency, in `sa-bench_isl_{isl}_osl_{osl}/`, `sa-bench_custom_<label>/` or the oldest
//!   `vllm_isl_{isl}_osl_{osl}/` (inside `logs/` or beside it). Any `*.json` whose top-level object
//!   has `max_concurrency` is a result, whatever its name; per-request arrays are skipped while
//!   deserializing, never held ([`sa_bench`]). Fallback: the `Serving Benchmark Result` blocks of
//!   `benchmark.out`, warm-up blocks superseded by the measured ones ([`sa_bench_out`]).
//! - [`MooncakeRouterParser`] (`mooncake-router`): aiperf's `profile_export_aiperf.json` in the
//!   newest `logs/artifacts/*/` directory, flat (since Oct 2025) or `records` layout ([`aiperf`]).
//!   Fallback: the `NVIDIA AIPerf | LLM Metrics` console table of `benchmark.out`.
//!
//! Result files are the source of truth; `benchmark.out` is read only when no result file is
//! usable ([`BenchmarkParser::parse_run`]). [`ProfilerResults::source`] says which was used, and
//! `BenchmarkPoint::source_file` names the file, relative to the run directory with `/`
//! separators. A bad result file is a warning naming it; no usable source at all is a
//! [`ParseError`] naming the file or directory. Nothing here panics on any input.
//!
//! # aiperf → sa-bench columns
//!
//! aiperf reports per-request distributions (`avg`, `p50`, `p99`, `std`, ...) in display units;
//! each is converted (ns/us/ms/sec → ms for latencies, → s for the duration; rates to per
//! second) and mapped by definition, not by name:
//!
//! | sa-bench column | aiperf metric | why |
//! |---|---|---|
//! | `mean/median/p99/std_ttft_ms` | `time_to_first_token` `avg/p50/p99/std` | same definition: first response token minus request start |
//! | `*_tpot_ms` | `inter_token_latency` | aiperf's ITL is per request `(request_latency − ttft) / (output_tokens − 1)`, which is exactly sa-bench's TPOT ("time per output token, excl. 1st") |
//! | `*_itl_ms` | `inter_chunk_latency` (else null) | sa-bench's ITL is the time between consecutive streamed chunks, pooled over all chunks of all requests; aiperf's `inter_chunk_latency` measures the same gaps (newer aiperf records every gap; older versions one per-request average of them, so its distribution is narrower). It is not filled from `inter_token_latency`: that is TPOT, and copying it would show one number under two names |
//! | `*_e2el_ms` | `request_latency` | request start to last response |
//! | `output_tps` | `output_token_throughput` | output tokens / benchmark duration |
//! | `request_throughput` | `request_throughput` | completed requests / duration |
//! | `request_goodput` | `goodput` (when its unit is a rate) | requests meeting the `--goodput` SLOs per second |
//! | `total_tps` | `total_token_throughput` if present, else `(total_isl + total_osl) / benchmark_duration` | sa-bench's total throughput is input plus output tokens per second |
//! | `completed` | `request_count` | aiperf counts successful requests here; failures are `error_request_count` |
//! | `num_prompts` | `request_count + error_request_count` | requests sent |
//! | `duration` | `benchmark_duration` | seconds |
//! | `total_input_tokens` | `total_isl` | |
//! | `total_output_tokens` | `total_osl`, else `total_output_tokens` | OSL counts every generated token (reasoning included), like sa-bench's output lengths |
//! | `request_rate` | `input_config.loadgen.request_rate` | when set |
//! | `concurrency` | `input_config.loadgen.concurrency` | when set; a fixed-schedule trace replay (`--fixed-schedule`, the mooncake workloads) is open-loop and has **no** concurrency: `None`, serialized as `null` in `concurrency_values` |
//! | `other_metrics` | the remaining statistics | `p90_ttft_ms`, `min_e2el_ms`, ... for the mapped metrics; `<tag>_<stat>[_ms]` for the others (`time_to_second_token_avg_ms`, `output_token_throughput_per_user_avg`) |
//!
//! `peak_output_tps` has no aiperf counterpart and stays null. Statistics are mapped as
//! `avg` → mean, `p50` → median, `p99` → p99, `std` → std. A metric whose unit is unknown is
//! skipped with a warning rather than guessed.
//!
//! Non-finite values: bare `NaN`/`Infinity` literals in a result file become null (unknown),
//! including an old-style `"request_rate": Infinity`; the string `"inf"` that current sa-bench
//! writes is read as `f64::INFINITY` (which the model serializes as null).
//!
//! # Example
//!
//! ```
//! use srtlog_model::{get_benchmark_parser, ResultSource};
//!
//! let text = "\
//! Maximum request concurrency: 8
//! ============ Serving Benchmark Result ============
//! Successful requests:                     80
//! Benchmark duration (s):                  40.00
//! Output token throughput (tok/s):         2048.50
//! ---------------Time to First Token----------------
//! Mean TTFT (ms):                          120.25
//! ==================================================
//! ";
//! // The parsers register themselves; naming the crate links them in.
//! use srtlog_parsers_bench as _;
//! let parser = get_benchmark_parser("sa-bench").unwrap();
//! assert!(parser.detect(text));
//! let results = parser.parse_benchmark_out(text);
//! assert_eq!(results.source, Some(ResultSource::BenchmarkOut));
//! assert_eq!(results.concurrencies(), vec![8]);
//! assert_eq!(results.points[0].output_tps, Some(2048.5));
//! assert_eq!(results.points[0].mean_ttft_ms, Some(120.25));
//! ```

pub mod aiperf;
pub mod common;
pub mod launch;
pub mod sa_bench;
pub mod sa_bench_out;

use std::path::{Path, PathBuf};

#[cfg(doc)]
use srtlog_model::BenchmarkPoint;
use srtlog_model::{
    benchmark_out_path, BenchmarkLaunchCommand, BenchmarkParser, BenchmarkParserRegistration, ParseError,
    ProfilerResults,
};

/// The `sa-bench` parser (`benchmark_serving.py` result files and summary blocks).
#[derive(Debug, Clone, Copy, Default)]
pub struct SaBenchParser;

/// The `mooncake-router` parser (aiperf exports and console tables).
#[derive(Debug, Clone, Copy, Default)]
pub struct MooncakeRouterParser;

inventory::submit! { BenchmarkParserRegistration::new(&SaBenchParser) }
inventory::submit! { BenchmarkParserRegistration::new(&MooncakeRouterParser) }

/// JSON first, `benchmark.out` only when no result file is usable — the trait's default order —
/// with the points of `benchmark.out` naming it as their `source_file`.
fn parse_run_with_fallback(
    parser: &dyn BenchmarkParser,
    run_dir: &Path,
) -> Result<ProfilerResults, ParseError> {
    let json_error = match parser.find_result_directory(run_dir) {
        Some(dir) => match parser.parse_result_directory(run_dir, &dir) {
            Ok(results) if !results.points.is_empty() => return Ok(results),
            Ok(_) => None,
            Err(err) => Some(err),
        },
        None => None,
    };
    if let Some(path) = benchmark_out_path(run_dir) {
        let bytes = std::fs::read(&path).map_err(|e| ParseError::io(&path, e))?;
        let mut results = parser.parse_benchmark_out(&String::from_utf8_lossy(&bytes));
        if !results.points.is_empty() {
            let rel = common::relative_path(run_dir, &path);
            for point in &mut results.points {
                point.source_file.get_or_insert_with(|| rel.clone());
            }
            if let Some(err) = json_error {
                results.warnings.insert(0, format!("result files unusable, read {rel} instead: {err}"));
            }
            return Ok(results);
        }
    }
    Err(json_error.unwrap_or_else(|| ParseError::NoResults {
        path: run_dir.to_path_buf(),
        message: format!("no {} result files and no result block in logs/benchmark.out", parser.name()),
    }))
}

fn with_benchmark_out(mut files: Vec<PathBuf>, run_dir: &Path) -> Vec<PathBuf> {
    files.extend(benchmark_out_path(run_dir));
    files
}

impl BenchmarkParser for SaBenchParser {
    fn name(&self) -> &'static str {
        "sa-bench"
    }

    fn detect(&self, benchmark_out: &str) -> bool {
        launch::detect_sa_bench(benchmark_out)
    }

    fn find_result_directory(&self, run_dir: &Path) -> Option<PathBuf> {
        sa_bench::find_result_directory(run_dir)
    }

    fn source_files(&self, run_dir: &Path) -> Vec<PathBuf> {
        with_benchmark_out(sa_bench::result_source_files(run_dir), run_dir)
    }

    fn parse_result_directory(
        &self,
        run_dir: &Path,
        result_dir: &Path,
    ) -> Result<ProfilerResults, ParseError> {
        sa_bench::parse_result_directory(run_dir, result_dir)
    }

    fn parse_benchmark_out(&self, text: &str) -> ProfilerResults {
        sa_bench_out::parse_benchmark_out(text)
    }

    fn parse_launch_command(&self, benchmark_out: &str) -> Option<BenchmarkLaunchCommand> {
        launch::parse_sa_bench_launch(benchmark_out)
    }

    fn parse_run(&self, run_dir: &Path) -> Result<ProfilerResults, ParseError> {
        parse_run_with_fallback(self, run_dir)
    }
}

impl BenchmarkParser for MooncakeRouterParser {
    fn name(&self) -> &'static str {
        "mooncake-router"
    }

    fn detect(&self, benchmark_out: &str) -> bool {
        launch::detect_mooncake(benchmark_out)
    }

    fn find_result_directory(&self, run_dir: &Path) -> Option<PathBuf> {
        aiperf::newest_artifact_dir(run_dir)
    }

    fn source_files(&self, run_dir: &Path) -> Vec<PathBuf> {
        with_benchmark_out(aiperf::export_files(run_dir), run_dir)
    }

    fn parse_result_directory(
        &self,
        run_dir: &Path,
        result_dir: &Path,
    ) -> Result<ProfilerResults, ParseError> {
        aiperf::parse_result_directory(run_dir, result_dir)
    }

    fn parse_benchmark_out(&self, text: &str) -> ProfilerResults {
        aiperf::parse_console_output(text)
    }

    fn parse_launch_command(&self, benchmark_out: &str) -> Option<BenchmarkLaunchCommand> {
        launch::parse_mooncake_launch(benchmark_out)
    }

    fn parse_run(&self, run_dir: &Path) -> Result<ProfilerResults, ParseError> {
        parse_run_with_fallback(self, run_dir)
    }
}
