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
//! Beside the parsers, [`aiperf_records`] streams aiperf's per-request `profile_export.jsonl`
//! into [`RequestRecord`](srtlog_model::RequestRecord)s (from a `BufRead` the caller opens) and
//! recomputes a point's statistics from them the way aiperf does.
//!
//! The parsers do no I/O. Each chooses its files from the run's listing, a [`RunFiles`] the
//! loader makes once per run ([`BenchmarkParser::select`] → [`ResultSources`]: the result files
//! in reading order, the files the choice depended on, `benchmark.out`), and parses the bytes it
//! is handed, one [`SourceBytes`] at a time ([`BenchmarkParser::parse_results`]), so a big result
//! directory is never held at once. The cache fingerprints exactly [`ResultSources::files`].
//! Result files are the source of truth; `benchmark.out` is read only when no result file is
//! usable ([`parse_run_results`], the one place that orders them). [`ProfilerResults::source`]
//! says which was used, and `BenchmarkPoint::source_file` names the file, relative to the run
//! directory with `/` separators. A bad result file is a warning naming it; no usable source at
//! all is a [`ParseError`] naming the file or directory. Nothing here panics on any input.
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
//!
//! // A run as its listing and bytes (the loader lists and reads the disk; here, memory).
//! use srtlog_model::{parse_run_results, FileEntry, RunFiles};
//! let result = br#"{"max_concurrency": 8, "completed": 80, "output_throughput": 2048.5}"#;
//! let files = RunFiles::new(
//!     "/runs/4401463",
//!     vec![
//!         FileEntry::dir("logs", 0),
//!         FileEntry::dir("logs/sa-bench_isl_8192_osl_1024", 0),
//!         FileEntry::file("logs/sa-bench_isl_8192_osl_1024/results_concurrency_8.json", 70, 0),
//!     ],
//! );
//! let sources = parser.select(&files);
//! assert_eq!(sources.files(), ["logs/sa-bench_isl_8192_osl_1024/results_concurrency_8.json"]);
//! let results = parse_run_results(parser, &sources, &mut |_path| Ok(result.to_vec())).unwrap();
//! assert_eq!(results.source, Some(ResultSource::Json));
//! assert_eq!(results.points[0].completed, Some(80));
//! assert_eq!(
//!     results.points[0].source_file.as_deref(),
//!     Some("logs/sa-bench_isl_8192_osl_1024/results_concurrency_8.json")
//! );
//! ```

pub mod aiperf;
pub mod aiperf_records;
pub mod common;
pub mod launch;
pub mod sa_bench;
pub mod sa_bench_out;

#[cfg(doc)]
use srtlog_model::{parse_run_results, BenchmarkPoint};
use srtlog_model::{
    BenchmarkLaunchCommand, BenchmarkParser, BenchmarkParserRegistration, ParseError, ProfilerResults,
    ResultSources, RunFiles, SourceBytes,
};

/// The `sa-bench` parser (`benchmark_serving.py` result files and summary blocks).
#[derive(Debug, Clone, Copy, Default)]
pub struct SaBenchParser;

/// The `mooncake-router` parser (aiperf exports and console tables).
#[derive(Debug, Clone, Copy, Default)]
pub struct MooncakeRouterParser;

inventory::submit! { BenchmarkParserRegistration::new(&SaBenchParser) }
inventory::submit! { BenchmarkParserRegistration::new(&MooncakeRouterParser) }

impl BenchmarkParser for SaBenchParser {
    fn name(&self) -> &'static str {
        "sa-bench"
    }

    fn detect(&self, benchmark_out: &str) -> bool {
        launch::detect_sa_bench(benchmark_out)
    }

    fn select(&self, files: &RunFiles) -> ResultSources {
        sa_bench::select(files)
    }

    fn parse_results(
        &self,
        sources: &ResultSources,
        bytes: &mut dyn Iterator<Item = SourceBytes<'_>>,
    ) -> Result<ProfilerResults, ParseError> {
        sa_bench::parse_results(sources, bytes)
    }

    fn parse_benchmark_out(&self, text: &str) -> ProfilerResults {
        sa_bench_out::parse_benchmark_out(text)
    }

    fn parse_launch_command(&self, benchmark_out: &str) -> Option<BenchmarkLaunchCommand> {
        launch::parse_sa_bench_launch(benchmark_out)
    }
}

impl BenchmarkParser for MooncakeRouterParser {
    fn name(&self) -> &'static str {
        "mooncake-router"
    }

    fn detect(&self, benchmark_out: &str) -> bool {
        launch::detect_mooncake(benchmark_out)
    }

    fn select(&self, files: &RunFiles) -> ResultSources {
        aiperf::select(files)
    }

    fn parse_results(
        &self,
        sources: &ResultSources,
        bytes: &mut dyn Iterator<Item = SourceBytes<'_>>,
    ) -> Result<ProfilerResults, ParseError> {
        aiperf::parse_results(sources, bytes)
    }

    fn parse_benchmark_out(&self, text: &str) -> ProfilerResults {
        aiperf::parse_console_output(text)
    }

    fn parse_launch_command(&self, benchmark_out: &str) -> Option<BenchmarkLaunchCommand> {
        launch::parse_mooncake_launch(benchmark_out)
    }
}
