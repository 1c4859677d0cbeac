//! The Parquet cache of parsed srtlog runs.
//!
//! Parsing a run's worker logs (hundreds of MB to GB each) is the expensive part of loading it.
//! This crate's one job is to keep what was parsed — the [`ProfilerResults`] and the
//! [`NodeMetrics`] of every worker — in a directory, and to give it back, bit for bit, as long
//! as the files it was parsed from have not changed. It knows nothing of run directories,
//! parsers or log formats: the caller (`srtlog-loader`) says which directory to use and which
//! source files a part was built from. Configuration ([`NodeConfig`](srtlog_model::NodeConfig))
//! is never cached. The cache is never the source of truth: anything wrong with it means
//! "parse again".
//!
//! # Files
//!
//! A [`RunCache`] owns one directory: `{run}/cached_assets/` normally, or a per-run directory
//! under a user-given `--cache-dir`. It writes nothing anywhere else.
//!
//! | file | what |
//! |------|------|
//! | `benchmark_results.parquet` | one row per [`BenchmarkPoint`], in the stored order |
//! | `node_metrics.parquet` | one row per batch or memory snapshot of every worker |
//! | `requests.parquet` | one row per aiperf request record (`profile_export.jsonl`), when the loader reads them |
//! | `server_metrics.parquet` | one row per point of the run's Tachometer time series, when the loader reads them |
//! | `cache_metadata.json` | a summary for people: schema and srtlog versions, times, fingerprints, row counts |
//!
//! Results, node metrics, request records and server time series are independent *parts*, each with its own list
//! of source files: results can be loaded without nodes, and nodes added later.
//!
//! # Validity
//!
//! Each part records the [`FileFingerprint`] (relative path, size, modification time in ns) of
//! every source file it was built from, and the [`CACHE_SCHEMA_VERSION`]. A part is valid only
//! when both equal what the caller passes in now (see [`fingerprint_listed`], from the run's
//! listing, and [`fingerprint_files`], by `stat`); otherwise a load
//! returns `Ok(None)` and the caller rebuilds it. A file that is unreadable, truncated,
//! damaged or not ours is an `Err`, which the caller treats the same way (parse, then store).
//!
//! Every Parquet file validates itself: its footer key-value metadata holds, as JSON, under
//! `srtlog.cache` the schema version, table name, row count, fingerprints and a CRC-32 of the
//! file's data part, and under `srtlog.cache.extras` what is not rows (below). Validation reads
//! only that footer: no row and no byte of any log. As data and footer are one file replaced
//! by one rename, two writers can never leave a footer that disagrees with its rows. Before any
//! row is decoded, the Arrow schema must equal this crate's exactly and the data part must
//! match its checksum. `cache_metadata.json` is only a summary, rewritten from the footers
//! after every store: srtlog never reads it, so a damaged one cannot make a cache valid.
//!
//! Extras, stored in the footer because they are not rows:
//! - results: `source` (`json`/`benchmark_out`/null) and `warnings`;
//! - nodes: the workers in order, each with `node_name`, `worker_type`, `worker_id`, its row
//!   counts (`batch_rows`, `memory_rows`), `config` ([`ParallelConfig`](srtlog_model::ParallelConfig))
//!   and `stats` ([`ParseStats`](srtlog_model::ParseStats)). A worker with no rows survives.
//!   Beside them, `derived`: the workers' summaries and rate match
//!   ([`WorkersDerived`](srtlog_model::WorkersDerived)), computed from the stored workers by the
//!   model's engine ([`derive_workers`](srtlog_model::derived::derive_workers)) when the part is
//!   written, so that [`RunCache::load_node_summaries`] answers from the footer alone — no row
//!   decoded — for callers that print per-worker summaries.
//!
//! # Writes
//!
//! A store writes a temporary file `.{name}.{pid}.{seq}.tmp` in the cache directory (created,
//! with missing parents, if needed), fsyncs it, renames it over `{name}` and fsyncs the directory. Readers open only
//! the final names, so they see the old file or the new one, never a partial one. Temporary
//! files left by a killed writer are ignored, and removed by a later store once they have not
//! been modified for 15 minutes. A store into a directory that cannot be written fails with an
//! error for which [`CacheError::is_not_writable`] is true: the caller then goes on without
//! caching (and warns once).
//!
//! The cache never reads or writes through a symbolic link: a cache directory that is a link,
//! or one whose `benchmark_results.parquet`, `node_metrics.parquet` or `cache_metadata.json`
//! is a link, is refused by every load and store ([`RunCache::check_links`];
//! [`CacheError::is_symlink_refusal`]), so a run directory cannot make srtlog write, clean
//! temporary files, or read an endless "cache file" wherever it points. Cache files are
//! read only when they are regular files, and never past their length at open.
//!
//! # Columns
//!
//! The files are plain Arrow tables (Snappy-compressed Parquet) that pandas, polars and DuckDB
//! read without srtlog. Strings are `Utf8`, enums are their JSON words. Timestamps are
//! `Timestamp(Microsecond, None)` holding the *wall-clock* time as the log wrote it, plus an
//! `Int32` `utc_offset_secs` column: most logs print local time with no zone, and srtlog never
//! guesses one, so a zoned Arrow timestamp (an instant in UTC) would have to invent an offset.
//! Where the log gave a zone, `timestamp - utc_offset_secs` is the UTC instant. Every metric is
//! nullable: null means "not in the source", never 0. (pandas turns a nullable integer column
//! into `float64` unless read with `dtype_backend="pyarrow"` or `"numpy_nullable"`.)
//!
//! `benchmark_results.parquet` (one row per [`BenchmarkPoint`]; the names are those of the JSON
//! document, [`BenchmarkPoint::METRIC_NAMES`]):
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `concurrency` | UInt32 | yes | maximum concurrency; null for open-loop runs |
//! | `output_tps` | Float64 | yes | output tokens/s |
//! | `total_tps` | Float64 | yes | input + output tokens/s |
//! | `request_throughput` | Float64 | yes | completed requests/s |
//! | `request_goodput` | Float64 | yes | requests/s within goodput targets |
//! | `peak_output_tps` | Float64 | yes | highest output tokens/s over one second |
//! | `mean_ttft_ms` | Float64 | yes | time to first token, mean (ms) |
//! | `median_ttft_ms` | Float64 | yes | time to first token, median (ms) |
//! | `p99_ttft_ms` | Float64 | yes | time to first token, p99 (ms) |
//! | `std_ttft_ms` | Float64 | yes | time to first token, std. dev. (ms) |
//! | `mean_tpot_ms` | Float64 | yes | time per output token, mean (ms) |
//! | `median_tpot_ms` | Float64 | yes | time per output token, median (ms) |
//! | `p99_tpot_ms` | Float64 | yes | time per output token, p99 (ms) |
//! | `std_tpot_ms` | Float64 | yes | time per output token, std. dev. (ms) |
//! | `mean_itl_ms` | Float64 | yes | inter-token latency, mean (ms) |
//! | `median_itl_ms` | Float64 | yes | inter-token latency, median (ms) |
//! | `p99_itl_ms` | Float64 | yes | inter-token latency, p99 (ms) |
//! | `std_itl_ms` | Float64 | yes | inter-token latency, std. dev. (ms) |
//! | `mean_e2el_ms` | Float64 | yes | end-to-end latency, mean (ms) |
//! | `median_e2el_ms` | Float64 | yes | end-to-end latency, median (ms) |
//! | `p99_e2el_ms` | Float64 | yes | end-to-end latency, p99 (ms) |
//! | `std_e2el_ms` | Float64 | yes | end-to-end latency, std. dev. (ms) |
//! | `total_input_tokens` | UInt64 | yes | input tokens of completed requests |
//! | `total_output_tokens` | UInt64 | yes | output tokens of completed requests |
//! | `completed` | UInt64 | yes | requests completed |
//! | `num_prompts` | UInt64 | yes | requests sent |
//! | `duration` | Float64 | yes | benchmark duration (s) |
//! | `request_rate` | Float64 | yes | configured request rate (req/s); `inf` stays infinity |
//! | `error_count` | UInt64 | yes | requests that failed |
//! | `good_completed` | UInt64 | yes | requests within goodput targets |
//! | `mean_ttfo_ms` | Float64 | yes | time to first output (non-reasoning) token, mean (ms) |
//! | `median_ttfo_ms` | Float64 | yes | time to first output token, median (ms) |
//! | `p99_ttfo_ms` | Float64 | yes | time to first output token, p99 (ms) |
//! | `mean_prefill_tps_per_user` | Float64 | yes | input tokens / TTFT per request, mean (tokens/s) |
//! | `median_prefill_tps_per_user` | Float64 | yes | the same, median (tokens/s) |
//! | `total_reasoning_tokens` | UInt64 | yes | reasoning tokens of completed requests |
//! | `window_start_unix` | Float64 | yes | first request sent (Unix epoch s) |
//! | `window_end_unix` | Float64 | yes | last response received (Unix epoch s) |
//! | `telemetry_gpus` | UInt64 | yes | GPUs in the GPU telemetry summary |
//! | `gpu_power_w` | Float64 | yes | mean power of those GPUs together (W) |
//! | `gpu_energy_j` | Float64 | yes | energy of those GPUs over the window (J) |
//! | `gpu_utilization_pct` | Float64 | yes | mean GPU utilization (%) |
//! | `other_metrics` | Utf8 | no | JSON object of further metrics (`{"p90_itl_ms": 7.5}`); non-finite values as the strings `"Infinity"`, `"-Infinity"`, `"NaN"` |
//! | `source_file` | Utf8 | yes | the file the point came from, relative to the run |
//!
//! `node_metrics.parquet` (worker by worker, each worker's batches then its memory snapshots,
//! each in log order; the columns of the other record type are null):
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `node_name` | Utf8 | no | host of the worker (`eos0219`) |
//! | `worker_type` | Utf8 | no | `prefill`, `decode` or `agg` |
//! | `worker_id` | Utf8 | no | worker id from the file name (`w1`) |
//! | `record_type` | Utf8 | no | `batch` (a [`BatchMetrics`]) or `memory` (a [`MemoryMetrics`]) |
//! | `timestamp` | Timestamp(Microsecond, None) | yes | wall-clock time of the line as written |
//! | `utc_offset_secs` | Int32 | yes | the line's UTC offset in seconds, when it had a zone (`Z` is 0) |
//! | `dp` | UInt32 | no | data-parallel rank (0 when the line has none) |
//! | `tp` | UInt32 | no | tensor-parallel rank |
//! | `ep` | UInt32 | no | expert-parallel rank |
//! | `batch_type` | Utf8 | yes | batch: `prefill` or `decode` |
//! | `new_seq` | UInt32 | yes | batch: new sequences |
//! | `new_token` | UInt32 | yes | batch: new prompt tokens |
//! | `cached_token` | UInt32 | yes | batch: prompt tokens from the prefix cache |
//! | `token_usage` | Float64 | yes | batch: KV-cache usage ratio |
//! | `running_req` | UInt32 | yes | batch: requests running |
//! | `queue_req` | UInt32 | yes | batch: requests queued |
//! | `prealloc_req` | UInt32 | yes | batch: requests pre-allocated |
//! | `inflight_req` | UInt32 | yes | batch: requests in flight to decode |
//! | `transfer_req` | UInt32 | yes | batch: requests receiving KV cache |
//! | `num_tokens` | UInt32 | yes | batch: tokens in the running batch |
//! | `input_throughput` | Float64 | yes | batch: prompt tokens/s as logged |
//! | `gen_throughput` | Float64 | yes | batch: generated tokens/s as logged |
//! | `preallocated_usage` | Float64 | yes | batch: pre-allocated KV usage ratio |
//! | `retracted_req` | UInt32 | yes | batch: requests retracted |
//! | `unbootstrapped_req` | UInt32 | yes | batch: requests waiting for bootstrap |
//! | `accept_len` | Float64 | yes | batch: speculative decoding accepted length |
//! | `accept_rate` | Float64 | yes | batch: speculative decoding acceptance rate |
//! | `cuda_graph` | Boolean | yes | batch: step ran as a CUDA graph |
//! | `swa_tokens` | UInt32 | yes | batch: sliding-window pool tokens |
//! | `swa_token_usage` | Float64 | yes | batch: sliding-window pool usage ratio |
//! | `iteration` | UInt64 | yes | batch: TensorRT-LLM iteration |
//! | `host_step_time_ms` | Float64 | yes | batch: TensorRT-LLM host step time (ms) |
//! | `prev_device_step_time_ms` | Float64 | yes | batch: TensorRT-LLM previous device step time (ms) |
//! | `cached_kv_tokens` | UInt32 | yes | batch: TensorRT-LLM KV tokens reused |
//! | `metric_type` | Utf8 | yes | memory: `memory` or `kv_cache` |
//! | `event` | Utf8 | yes | memory: which line (`load_weight_end`, `kv_cache_allocated`, ...) |
//! | `avail_mem_gb` | Float64 | yes | memory: free GPU memory (GB) |
//! | `mem_usage_gb` | Float64 | yes | memory: GPU memory used (GB) |
//! | `kv_cache_gb` | Float64 | yes | memory: KV-cache size (GB) |
//! | `kv_tokens` | UInt64 | yes | memory: KV-cache capacity in tokens |
//!
//! `requests.parquet` (one row per [`RequestRecord`](srtlog_model::RequestRecord), in load
//! order; its sources are the `profile_export.jsonl` files and the exports read for their
//! concurrency; its extras are the reading's `warnings`). The columns are the dataset's
//! `requests/` ones, from the columnar layer:
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `concurrency` | UInt32 | yes | the point's concurrency |
//! | `start_ns` | Int64 | yes | request sent, epoch ns |
//! | `ack_ns` | Int64 | yes | acknowledged (streaming), epoch ns |
//! | `end_ns` | Int64 | yes | finished or failed, epoch ns |
//! | `phase` | Utf8 | yes | `profiling`, `warmup`, or another name as written |
//! | `ttft_ms` | Float64 | yes | time to first token |
//! | `ttst_ms` | Float64 | yes | first to second token |
//! | `ttfo_ms` | Float64 | yes | time to first non-reasoning token |
//! | `request_latency_ms` | Float64 | yes | end-to-end latency |
//! | `inter_token_latency_ms` | Float64 | yes | aiperf's per-request ITL |
//! | `input_tokens` | UInt64 | yes | ISL |
//! | `output_tokens` | UInt64 | yes | non-reasoning output tokens |
//! | `reasoning_tokens` | UInt64 | yes | reasoning tokens |
//! | `output_sequence_length` | UInt64 | yes | all output tokens |
//! | `prefill_tps` | Float64 | yes | ISL / TTFT, tokens/s |
//! | `is_error` | Boolean | no | the request failed |
//! | `error_code` | Int64 | yes | the failure's code |
//! | `error_type` | Utf8 | yes | the failure's type |
//! | `was_cancelled` | Boolean | yes | cancelled by aiperf on purpose |
//!
//! `server_metrics.parquet` (one row per point of the run's Tachometer series, series by
//! series, when the loader reads them; its sources are the Tachometer files the precedence
//! rule chose; its extras are the time base, the files read, the duplicate and skipped row
//! counts and the files that could not be read). The columns are the dataset's
//! `server_metrics/` ones, from the columnar layer:
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `endpoint` | Utf8 | no | Tachometer scrape endpoint (`backend_decode0_rank0`, `dcgm_<node>`, ...) |
//! | `role` | Utf8 | yes | worker role (`prefill`, `decode`, `agg`, `frontend`) |
//! | `worker_index` | UInt32 | yes | worker (or frontend) index |
//! | `worker_process` | UInt32 | yes | process of a multi-node worker |
//! | `host` | Utf8 | yes | node |
//! | `gpu` | UInt32 | yes | GPU index on the node (DCGM) |
//! | `metric` | Utf8 | no | metric name before `{` |
//! | `labels` | Utf8 | no | labels as `k="v",…` (without `le`) |
//! | `le` | Float64 | yes | histogram bucket upper bound (`+Inf` = infinity) |
//! | `time_base` | Utf8 | no | `unix` or `since_scraper_start` |
//! | `t` | Float64 | no | time, seconds |
//! | `value` | Float64 | no | value (cumulative count for a bucket) |
//!
//! # Example
//!
//! ```
//! use srtlog_cache::{fingerprint_files, RunCache};
//! use srtlog_model::{BenchmarkPoint, ProfilerResults, ResultSource};
//!
//! let run = tempfile::tempdir()?;
//! std::fs::write(run.path().join("results_concurrency_8.json"), b"{}")?;
//! let sources = fingerprint_files(run.path(), &["results_concurrency_8.json".into()])?;
//!
//! let results = ProfilerResults {
//!     source: Some(ResultSource::Json),
//!     points: vec![BenchmarkPoint {
//!         concurrency: Some(8),
//!         output_tps: Some(1024.5),
//!         request_rate: Some(f64::INFINITY),
//!         ..Default::default()
//!     }],
//!     warnings: vec![],
//! };
//! let cache = RunCache::new(run.path().join("cached_assets"));
//! assert_eq!(cache.load_results(&sources)?, None); // nothing cached yet
//! cache.store_results(&sources, &results)?;
//! assert_eq!(cache.load_results(&sources)?, Some(results));
//!
//! // A source changes: the cache is stale.
//! std::fs::write(run.path().join("results_concurrency_8.json"), b"{\"x\": 1}")?;
//! let now = fingerprint_files(run.path(), &["results_concurrency_8.json".into()])?;
//! assert_eq!(cache.load_results(&now)?, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cache;
mod error;
mod fingerprint;
mod footer;
mod nodes_table;
mod requests_table;
mod results_table;
mod server_metrics_table;

pub use cache::{CachedRequests, CachedServerMetrics, RunCache};
pub use error::CacheError;
pub use fingerprint::{fingerprint_files, fingerprint_listed, FileFingerprint};

#[cfg(doc)]
use srtlog_model::{BatchMetrics, BenchmarkPoint, MemoryMetrics, NodeMetrics, ProfilerResults};

/// Version of the cache's layout: tables, columns, footer keys. A file written under another
/// version is stale. Bump it whenever a column or footer key changes meaning, is added or removed.
/// (2: batch counts are `UInt32`, following the model. 3: the node part's extras carry the
/// workers' derived summaries. 4: the results table has the point metrics of issue 13 —
/// errors, goodput count, TTFO, prefill throughput, reasoning tokens, the measurement window,
/// the GPU telemetry summary. The `server_metrics` part came later as a new file, which
/// changed no existing one: no bump.)
pub const CACHE_SCHEMA_VERSION: u32 = 4;

/// File name of the benchmark results part.
pub const RESULTS_FILE: &str = "benchmark_results.parquet";
/// File name of the node metrics part.
pub const NODES_FILE: &str = "node_metrics.parquet";
/// File name of the per-request records part (aiperf's `profile_export.jsonl` files).
pub const REQUESTS_FILE: &str = "requests.parquet";
/// File name of the server time series part (Tachometer's Parquet / Arrow files).
pub const SERVER_METRICS_FILE: &str = "server_metrics.parquet";
/// File name of the human-readable summary (never read by srtlog).
pub const METADATA_FILE: &str = "cache_metadata.json";

#[cfg(test)]
mod tests {
    /// Tidy check: the column tables of the crate docs list every column of both schemas, in order.
    #[test]
    fn the_docs_list_every_column() {
        let docs = include_str!("lib.rs");
        for schema in [
            crate::results_table::results_schema(),
            crate::nodes_table::nodes_schema(),
            crate::requests_table::requests_schema(),
            crate::server_metrics_table::server_metrics_schema(),
        ] {
            let mut from = 0;
            for field in schema.fields() {
                let row = format!("//! | `{}` | ", field.name());
                let at = docs[from..].find(&row).unwrap_or_else(|| panic!("no doc row for {}", field.name()));
                let line = docs[from + at..].lines().next().unwrap();
                let ty = match field.data_type() {
                    arrow_schema::DataType::Timestamp(..) => "Timestamp(Microsecond, None)".to_owned(),
                    t => format!("{t:?}"),
                };
                assert!(line.contains(&format!("| {ty} |")), "{line}: type {ty}");
                let null = if field.is_nullable() { "| yes |" } else { "| no |" };
                assert!(line.contains(null), "{line}: nullable {}", field.is_nullable());
                from += at + row.len();
            }
        }
    }
}
