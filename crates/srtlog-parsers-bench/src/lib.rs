//! Benchmark-result parsers of srtlog: `sa-bench`, the aiperf-based types (`mooncake-router`,
//! `aiperf-bench`, `aiperf`, `trace-replay`, `agentic`), `prefix-replay` and `mlperf`, srt-slurm's
//! rollups, and the accuracy-eval parsers.
//!
//! An SRT-SLURM job benchmarks its serving deployment with a client script whose results this
//! crate turns into a [`ProfilerResults`] — one [`BenchmarkPoint`] per concurrency, sorted by
//! concurrency — plus the client's [`BenchmarkLaunchCommand`]. The parsers register themselves
//! in `srtlog-model`'s registry with `inventory::submit!`; the loader finds them by the run's
//! `benchmark.type` (or by [`BenchmarkParser::detect`] on `logs/benchmark.out`):
//!
//! - [`SaBenchParser`] (`sa-bench`): `benchmark_serving.py` result JSON files, one per
//!   concurrency, in `sa-bench_isl_{isl}_osl_{osl}/`, `sa-bench_custom_<label>/` or the oldest
//!   `vllm_isl_{isl}_osl_{osl}/` (inside `logs/` or beside it). Any `*.json` whose top-level object
//!   has `max_concurrency` is a result, whatever its name, and so is each line of a `*.jsonl`
//!   file (`--append-result`, SGLang's `bench_serving`); per-request arrays are skipped while
//!   deserializing, never held ([`sa_bench`]). Open-loop results (`max_concurrency: null`) are
//!   one point per request rate. Fallback: the `Serving Benchmark Result` blocks of
//!   `benchmark.out`, warm-up blocks superseded by the measured ones ([`sa_bench_out`]).
//! - [`MooncakeRouterParser`] (`mooncake-router`) and the [`AiperfParser`]s
//!   ([`AIPERF_BENCH`], [`AIPERF`], [`TRACE_REPLAY`], [`AGENTIC`] with its alias `agentx`):
//!   aiperf's `profile_export_aiperf.json` of every measured artifact directory —
//!   `logs/artifacts/<model>_isl<I>_osl<O>_c<C>_<TS>/`, `<model>_trace_c<C>_<TS>/`,
//!   `<model>_<workload>_<TS>/`, `conc_<C>/`, `logs/agentic/conc_<C>/aiperf_artifacts/[<sub>/]` —,
//!   one point per concurrency (from the export's `input_config`, else the directory name), the
//!   warm-ups left out (`warmup/`; aiperf's default-named directory beside named ones), every
//!   `schema_version` 1.0–1.5 and the older `records` layout ([`aiperf`]). Fallback: the
//!   `NVIDIA AIPerf | LLM Metrics` console tables of `benchmark.out` (aiperf-bench: its
//!   sa-bench-style blocks, ITL dropped).
//! - every parser reads srt-slurm's rollup (`benchmark-rollup.json` / `.csv`, `rollup.json`) as
//!   the last fallback and as a cross-check of the result files ([`rollup`]).
//! - [`PrefixReplayParser`] (`prefix-replay`): the measured `replay` wave of each
//!   `prefix-replay-isl<I>-osl<O>-c<C>/results.json` ([`prefix_replay`]).
//! - [`MlperfParser`] (`mlperf`): the performance runs of an mlperf `benchmark-rollup.json`,
//!   both generations ([`mlperf`]).
//!
//! Accuracy is a second kind of result, read for every run whatever its type: the
//! [`accuracy::EvalParser`] (lm-eval `results_*.json`, sglang `run_eval`, vLLM gsm8k,
//! NeMo-Skills and sgl-eval metrics) and [`mlperf::MlperfAccuracyParser`] register as
//! `srtlog_model::AccuracyParser`s, and `srtlog_model::parse_run_accuracy` reads their files.
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
//! | `concurrency` | `input_config.loadgen.concurrency` (newer: `phases.profiling.concurrency`), else the directory's `_c<C>_` / `conc_<C>` | a fixed-schedule trace replay (`--fixed-schedule`, the mooncake workloads) is open-loop and has **no** concurrency: `None`, serialized as `null` in `concurrency_values` |
//! | `error_count` | `error_request_count` | failed requests; `error_summary` becomes one warning per kind (`11 failed request(s): 499 RequestCancellationError: …`) |
//! | `good_completed` | `good_request_count` | only with `--goodput` |
//! | `mean/median/p99_ttfo_ms` | `time_to_first_output_token` | first non-reasoning token |
//! | `mean/median_prefill_tps_per_user` | `prefill_throughput_per_user` (older `prefill_throughput`) | ISL / TTFT per request |
//! | `total_reasoning_tokens` | `total_reasoning_tokens` | part of `total_output_tokens` (OSL) |
//! | `window_start_unix`, `window_end_unix` | `min_request_timestamp`, `max_response_timestamp` | epoch seconds; the naive `start_time`/`end_time` strings are not instants |
//! | `gpu_power_w`, `gpu_energy_j` | `nvidia_total_gpu_power` / `total_gpu_power`, `nvidia_total_gpu_energy` / `total_gpu_energy` (aiperf's profiling-window totals), else the sums over `telemetry_data`'s GPUs of mean `gpu_power_usage` and of the `energy_consumption` counter's rise | |
//! | `telemetry_gpus`, `gpu_utilization_pct` | `telemetry_data` | GPUs with metrics; mean of their mean `gpu_utilization` |
//! | `other_metrics` | the remaining statistics | `p90_ttft_ms`, `min_e2el_ms`, ... for the mapped metrics; `<tag>_<stat>[_ms]` for the others (`time_to_second_token_avg_ms`, `output_token_throughput_per_user_avg`) |
//!
//! The old `records` layout's short tags (`ttft`, `ttst`) are read as the long ones.
//! `warmup_metrics` (schema ≥ 1.4) is the warm-up's and not read: the top-level metrics are the
//! profiling phase's.
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

pub mod accuracy;
pub mod aiperf;
pub mod aiperf_records;
pub mod common;
pub mod launch;
pub mod mlperf;
pub mod prefix_replay;
pub mod rollup;
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

/// A benchmark type whose client is aiperf and whose results are aiperf artifact directories
/// (`aiperf-bench`, `aiperf`, `trace-replay`, `agentic`): the same export reader as
/// [`MooncakeRouterParser`], one point per concurrency ([`aiperf::select`]). They differ only in
/// what their `benchmark.out` holds.
#[derive(Debug, Clone, Copy)]
pub struct AiperfParser {
    name: &'static str,
    aliases: &'static [&'static str],
    console: Console,
}

/// What an aiperf-based type prints to `benchmark.out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Console {
    /// aiperf's own `NVIDIA AIPerf | LLM Metrics` tables.
    AiperfTable,
    /// PR133's `format_results.py`: an sa-bench-style `Serving Benchmark Result` block per
    /// concurrency, its "TPOT" rows aiperf's inter-token latency (a TPOT, so kept) and its "Mean
    /// ITL" a formula of TTFT and TPOT (not a measurement, so dropped).
    SaBenchBlock,
}

/// `aiperf-bench` (srt-slurm PR133): `logs/artifacts/<model>_isl<I>_osl<O>_c<C>_<TS>/`.
pub static AIPERF_BENCH: AiperfParser =
    AiperfParser { name: "aiperf-bench", aliases: &[], console: Console::SaBenchBlock };
/// `aiperf` (srt-slurm PR275): `logs/artifacts/conc_<C>/`.
pub static AIPERF: AiperfParser =
    AiperfParser { name: "aiperf", aliases: &[], console: Console::AiperfTable };
/// `trace-replay`: `logs/artifacts/<model>_trace_c<C>_<TS>/`.
pub static TRACE_REPLAY: AiperfParser =
    AiperfParser { name: "trace-replay", aliases: &[], console: Console::AiperfTable };
/// `agentic` (and the older branch's `agentx`): `logs/agentic/conc_<C>/aiperf_artifacts/`.
pub static AGENTIC: AiperfParser =
    AiperfParser { name: "agentic", aliases: &["agentx"], console: Console::AiperfTable };

inventory::submit! { BenchmarkParserRegistration::new(&SaBenchParser) }
inventory::submit! { BenchmarkParserRegistration::new(&MooncakeRouterParser) }
inventory::submit! { BenchmarkParserRegistration::new(&AIPERF_BENCH) }
inventory::submit! { BenchmarkParserRegistration::new(&AIPERF) }
inventory::submit! { BenchmarkParserRegistration::new(&TRACE_REPLAY) }
inventory::submit! { BenchmarkParserRegistration::new(&AGENTIC) }

/// The `prefix-replay` parser (the `replay` wave of `prefix-replay-*/results.json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct PrefixReplayParser;

/// The `mlperf` parser (the performance runs of an mlperf `benchmark-rollup.json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct MlperfParser;

inventory::submit! { BenchmarkParserRegistration::new(&PrefixReplayParser) }
inventory::submit! { BenchmarkParserRegistration::new(&MlperfParser) }

/// The two parsers whose only source is their result JSON: no `benchmark.out` format is
/// pinned for them, so nothing is detected or read from it.
macro_rules! json_only_parser {
    ($parser:ty, $name:literal, $aliases:expr, $module:ident) => {
        impl BenchmarkParser for $parser {
            fn name(&self) -> &'static str {
                $name
            }

            fn aliases(&self) -> &'static [&'static str] {
                $aliases
            }

            fn detect(&self, _benchmark_out: &str) -> bool {
                false
            }

            fn select(&self, files: &RunFiles) -> ResultSources {
                $module::select(files)
            }

            fn parse_results(
                &self,
                sources: &ResultSources,
                bytes: &mut dyn Iterator<Item = SourceBytes<'_>>,
            ) -> Result<ProfilerResults, ParseError> {
                $module::parse_results(sources, bytes)
            }

            fn parse_benchmark_out(&self, _text: &str) -> ProfilerResults {
                ProfilerResults::default()
            }

            fn parse_launch_command(&self, _benchmark_out: &str) -> Option<BenchmarkLaunchCommand> {
                None
            }
        }
    };
}

json_only_parser!(PrefixReplayParser, "prefix-replay", &["prefix_replay"], prefix_replay);
json_only_parser!(MlperfParser, "mlperf", &[], mlperf);

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

    fn parse_rollup(&self, path: &str, bytes: &[u8]) -> Result<ProfilerResults, String> {
        rollup::parse_rollup(path, bytes, false)
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

    fn parse_rollup(&self, path: &str, bytes: &[u8]) -> Result<ProfilerResults, String> {
        rollup::parse_rollup(path, bytes, true)
    }
}

impl BenchmarkParser for AiperfParser {
    fn name(&self) -> &'static str {
        self.name
    }

    fn aliases(&self) -> &'static [&'static str] {
        self.aliases
    }

    /// Never: these types are known from the run's metadata only. Their `benchmark.out` looks
    /// like sa-bench's or mooncake-router's, whose detection must keep winning.
    fn detect(&self, _benchmark_out: &str) -> bool {
        false
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
        match self.console {
            Console::AiperfTable => aiperf::parse_console_output(text),
            Console::SaBenchBlock => {
                let mut results = sa_bench_out::parse_benchmark_out(text);
                for p in &mut results.points {
                    (p.mean_itl_ms, p.median_itl_ms, p.p99_itl_ms, p.std_itl_ms) = (None, None, None, None);
                }
                results
            }
        }
    }

    fn parse_launch_command(&self, benchmark_out: &str) -> Option<BenchmarkLaunchCommand> {
        let mut command = launch::parse_mooncake_launch(benchmark_out)?;
        self.name.clone_into(&mut command.benchmark_type);
        Some(command)
    }

    fn parse_rollup(&self, path: &str, bytes: &[u8]) -> Result<ProfilerResults, String> {
        rollup::parse_rollup(path, bytes, true)
    }
}
