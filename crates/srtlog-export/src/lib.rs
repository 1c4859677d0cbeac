//! A Hive-partitioned Parquet dataset of srtlog runs, for DuckDB, polars, pandas and Spark.
//!
//! srtlog's loader turns benchmark run directories into an [`AnalysisDocument`]. This crate's
//! one job is to write such a document to a directory of plain Parquet files that analysis
//! tools read as tables, without srtlog: [`write_dataset`]. It reads nothing but the
//! document and writes nothing outside the directory it is given.
//!
//! # Layout
//!
//! ```text
//! out_dir/
//!   _srtlog_dataset.json                  marker: format, schema version, rows per table, complete
//!   .srtlog_dataset.lock                  the writers' lock (empty of data; readers skip it)
//!   .srtlog_dataset.commit.lock           the short commit lock of shards and refreshes
//!   _srtlog_partitions/job_id=<id>.json   per partition: its runs, their source digests, rows
//!   runs/job_id=<id>/part-0.parquet       one row per run
//!   points/job_id=<id>/part-0.parquet     one row per run × concurrency
//!   batches/job_id=<id>/part-0.parquet    one row per scheduler batch of every worker
//!   memory/job_id=<id>/part-0.parquet     one row per memory snapshot of every worker
//!   accuracy/job_id=<id>/part-0.parquet   one row per accuracy result (task × metric × filter)
//!   launch_args/job_id=<id>/part-0.parquet one row per launch argument of every worker and
//!                                         of the benchmark client
//!   requests/job_id=<id>/part-0.parquet   one row per aiperf request (profile_export.jsonl)
//!   power/job_id=<id>/part-0.parquet      one row per power sample (GPU board power, node CPU power)
//!   server_metrics/job_id=<id>/part-0.parquet one row per point of the Tachometer server
//!                                         time series (every metric of every worker)
//! ```
//!
//! Every run has one file in every table, all files of a table have exactly the schema of
//! [`Table::schema`], and a run with no rows in a table (no workers parsed, no results) has a
//! file with no rows: readers never meet a missing partition or a differing schema, and a
//! table's glob always matches as soon as there is one run. (A document with no runs gives
//! eight empty table directories.)
//!
//! ## The partition column
//!
//! `job_id` lives **only in the directory names** (`job_id=4401463`), never inside the files.
//! This is what every reader handles: with the column in both places, DuckDB, polars and
//! `pyarrow.dataset` read the data, but `pandas.read_parquet(dir)` and
//! `pyarrow.parquet.read_table(dir)` fail ("Unable to merge: Field job_id has incompatible
//! types: string vs dictionary"). The value is escaped the Hive way ([`partition_dir`]:
//! `/` → `%2F`, `%` → `%25`, `=` → `%3D`, space → `%20`, …; an empty id is
//! `__HIVE_DEFAULT_PARTITION__`, read back as null), and DuckDB, pyarrow, pandas and polars
//! all unescape it. The id is also in each file's footer (key-value metadata
//! `srtlog.export`, with the table name and row count), for a file read on its own.
//!
//! Readers infer the partition column's type from the values: with only numeric job ids
//! DuckDB and polars make it a 64-bit integer, pyarrow `int32` (pandas: a categorical of
//! those). Ask for a string to keep ids exactly as written: `hive_types = {'job_id': VARCHAR}`
//! in DuckDB, `partitioning=ds.partitioning(pa.schema([("job_id", pa.string())]),
//! flavor="hive")` in pyarrow, `hive_schema={"job_id": pl.String}` in polars.
//!
//! Two runs can share a job id (`4401463/` and `4401463_rerun/`): they share the partition
//! as `part-0.parquet` and `part-1.parquet`, in the order of their paths (so that every writer
//! numbers them alike), and `path` (runs) / `run_path` (the other tables) tells them apart.

//! ## Reading it
//!
//! ```sql
//! -- DuckDB: best output tokens/s per GPU per topology, over complete runs
//! SELECT r.topology, max(p.output_tps_per_gpu) AS best
//! FROM read_parquet('out/runs/*/*.parquet', hive_partitioning = true) r
//! JOIN read_parquet('out/points/*/*.parquet', hive_partitioning = true) p
//!   ON p.job_id = r.job_id AND p.run_path = r.path
//! WHERE r.is_complete
//! GROUP BY r.topology ORDER BY best DESC;
//! ```
//!
//! `pyarrow.dataset.dataset("out/points", partitioning="hive")`,
//! `pandas.read_parquet("out/points")` and `polars.scan_parquet("out/points/*/*.parquet",
//! hive_partitioning=True)` read a table the same way.
//!
//! # Writes
//!
//! Each file is written as a hidden temporary file beside its target
//! (`.part-0.parquet.{pid}.{seq}.tmp`, which `*.parquet` globs and pyarrow skip), fsynced and
//! renamed: a reader sees a whole file or none. A full export replaces the directory as a whole,
//! never merges (shards and refreshes do, below): after a successful export it holds exactly the new dataset (a run that is gone is
//! gone from every table). srtlog never deletes what it did not write, so [`write_dataset`]
//!
//! - creates the directory when it is missing, and writes into an empty one;
//! - replaces a previous srtlog dataset (one with the marker `_srtlog_dataset.json`, of any
//!   schema version) only when it holds nothing but the marker, the lock file, the table
//!   directories, their `job_id=…` directories and `part-N.parquet` files (and temporary files of an
//!   interrupted export); otherwise it fails with [`ExportError::ForeignEntry`] naming the
//!   first foreign file;
//! - refuses any other non-empty directory ([`ExportError::NotADataset`]).
//!
//! Those checks come before any change. The marker is written first with `"complete": false`
//! and last with `"complete": true` and the row counts, so an interrupted export leaves a
//! directory that says so and that the next export replaces. Readers running during an export
//! may see part of the dataset.
//!
//! Nothing is written through a symbolic link: a dataset directory that is a link is refused
//! ([`ExportError::Symlink`]: give the directory it points to), a link inside a previous
//! dataset is a foreign entry, and every directory written in is checked right before its file
//! is created.
//!
//! ## Partitions
//!
//! A job id's partition — its file in every table, one per run of the job id — is written as a
//! unit, all or nothing, and recorded in a manifest, `_srtlog_partitions/job_id=<id>.json` (its
//! runs' paths and file names, what each was built from: [`source_digest`], and the rows per
//! table). Every table's file is first written (atomically, as above) under a hidden staging
//! name (`.part-0.parquet.{pid}.{seq}.staged`, which no reader opens); then the manifest is
//! removed, the staged files are renamed over their `part-N.parquet` ([`rename_durably`]), the
//! files of runs the partition no longer has are removed, and the new manifest is written. A
//! partition has a manifest exactly when its files are all of one build; one cut short (a killed
//! writer) has none, which the marker reports (`"complete": false`) and the next refresh repairs.
//! Readers that ignore manifests (Spark, DuckDB) see every file whole; during the renames of one
//! partition they may meet some of its tables new and others old.
//!
//! [`rename_durably`]: srtlog_columnar::rename_durably
//!
//! ## Shards and refreshes
//!
//! [`update_dataset`] (`srtlog export --dataset DIR --shard I/N`, `--refresh`, `--prune`) changes
//! only the partitions it writes, so many run at once in one directory: `N` shards (one per SLURM
//! array task, each loading only the jobs [`Shard::owns`](srtlog_model::Shard::owns): a hash of the
//! job id, stable as runs come and go) build one dataset, and a refresh loads and rewrites only
//! the runs whose source digest differs from the manifest's (new, changed, or recorded without
//! one), with the other runs of their partitions; every other file keeps its inode and mtime.
//! Runs whose directory is gone are reported and kept, or with `--prune` removed (only those under
//! the root given, and of the shard's jobs). Their locks, and how the marker stays right
//! (rows summed over the manifests, `complete`, the `shards` of an unfinished sharded build),
//! are described at [`DatasetUpdate`] and [`update_dataset`].
//!
//! ## Two exports at once
//!
//! An export takes a lock ([`std::fs::File::try_lock`], `flock` on Unix) on [`LOCK_FILE`] in the
//! dataset directory, after the checks that refuse a directory untouched and before its first
//! change, and holds it until the final marker is written; the checks are repeated under the
//! lock. A full export ([`write_dataset`]) takes it exclusively, because it *replaces* the
//! directory (its cleanup would delete another writer's partitions); a shard or refresh takes
//! it shared, beside other shards and refreshes, and serialises only its commits, removals and
//! marker update on [`COMMIT_LOCK_FILE`] (held for milliseconds, waited for). A full export
//! beside any other export, or an update beside a full export, fails at once with
//! [`ExportError::Busy`], naming the directory (and the full export's pid), and changes nothing:
//! waiting would make a stuck export hang every later one, and replacing a dataset that is being
//! written is never what the second caller meant. Locks are released by the operating system
//! when their holder dies, so a killed export never leaves the directory locked.

//! # Columns
//!
//! Plain Arrow types, as in srtlog's cache: strings are `Utf8`, enums their JSON words,
//! timestamps `Timestamp(Microsecond, None)` holding the *wall-clock* time as written plus an
//! `Int32` UTC offset column (srtlog never invents a zone; where the offset is known,
//! `timestamp − offset` is UTC). Null means "unknown", never 0. Lists are `List<…>`, which
//! DuckDB, pyarrow, pandas (object column of arrays), polars and Spark read. Files are
//! Snappy-compressed, with row groups of at most 128 Ki rows.
//!
//! `runs` — one row per [`BenchmarkRun`]:
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `job_name` | Utf8 | yes | job name given at submission |
//! | `run_date` | Utf8 | yes | when the job metadata was written, ISO 8601 as in the model |
//! | `run_timestamp` | Timestamp(µs) | yes | `run_date` parsed (wall clock); null when it does not parse |
//! | `run_utc_offset_secs` | Int32 | yes | `run_date`'s UTC offset, when it has one |
//! | `mode` | Utf8 | no | `disaggregated` or `aggregated` |
//! | `topology` | Utf8 | no | `2P/4D` (prefill/decode workers) or `8A` (aggregated workers) |
//! | `gpu_type` | Utf8 | yes | GPU model (`gb200`) |
//! | `gpus_per_node` | UInt32 | yes | GPUs per node |
//! | `prefill_nodes`, `decode_nodes`, `agg_nodes` | UInt32 | no | nodes per role |
//! | `prefill_workers`, `decode_workers`, `agg_workers` | UInt32 | no | workers per role |
//! | `gpus_per_prefill`, `gpus_per_decode`, `gpus_per_agg` | UInt32 | yes | GPUs per worker of the role, when the metadata says |
//! | `total_gpus` | UInt32 | no | nodes × GPUs per node (0 when unknown) |
//! | `gpus_used` | UInt32 | yes | GPUs the workers use ([`RunMetadata::gpus_used`](srtlog_model::RunMetadata::gpus_used)); the per-GPU divisor |
//! | `backend_type` | Utf8 | yes | `sglang`, `trtllm`, … |
//! | `frontend_type` | Utf8 | yes | `dynamo`, `sglang`, … |
//! | `container` | Utf8 | yes | container image |
//! | `model_path` | Utf8 | yes | model path or name |
//! | `precision` | Utf8 | yes | weight precision (`fp4`, `fp8`) |
//! | `tensor_parallel` | UInt32 | yes | run-wide tensor-parallel size, when stated |
//! | `tags` | List\<Utf8\> | no | user tags (empty list when none) |
//! | `benchmark_type` | Utf8 | yes | `sa-bench`, `mooncake-router`, … |
//! | `isl`, `osl` | UInt32 | yes | input / output sequence length |
//! | `req_rate` | Utf8 | yes | request rate as configured (`inf`, `300`) |
//! | `expected_concurrencies` | List\<UInt32\> | no | concurrencies the sweep was asked to run, in the order given |
//! | `missing_concurrencies` | List\<UInt32\> | no | expected concurrencies without a result, ascending |
//! | `is_complete` | Boolean | no | every expected concurrency has a result |
//! | `result_source` | Utf8 | yes | `json` or `benchmark_out`; null without results |
//! | `num_points` | UInt32 | no | rows of the run in `points` |
//! | `result_warnings` | List\<Utf8\> | no | problems met while reading results, each naming its file |
//! | `benchmark_command` | Utf8 | yes | the benchmark client's command as `benchmark.out` shows it |
//! | `num_workers` | UInt32 | no | workers whose logs were parsed (0 when nodes were not loaded) |
//! | `path` | Utf8 | no | the run directory |
//! | `metadata_version` | Utf8 | yes | metadata shape read (`2.0`, `1.0`) |
//! | `serve_only` | Boolean | yes | 2.x `--serve-only` job (no benchmark client); null when the metadata does not say |
//! | `run_warnings` | List\<Utf8\> | no | what the run lacks, as `kind: message` (`unsupported_benchmark: …`, `missing_workers: …`) |
//! | `missing_workers` | List\<Utf8\> | no | roles with fewer workers in the logs than the metadata names, as `role found/expected` |
//! | `setup_key` | Utf8 | yes | [`RunSetup::key`](srtlog_model::RunSetup::key): equal for runs of one setup |
//! | `container_image` | Utf8 | yes | the declared container image (`identity.container.image`) |
//! | `num_accuracy_results` | UInt32 | no | rows of the run in `accuracy` |
//! | `accuracy_warnings` | List\<Utf8\> | no | accuracy files that could not be read, each named |
//! | `server_metrics_sources` | List\<Utf8\> | no | the Tachometer files chosen (empty without Tachometer data) |
//! | `server_metrics_points` | UInt64 | yes | points of the server time series, when read |
//!
//! `points` — one row per [`BenchmarkPoint`](srtlog_model::BenchmarkPoint) (run × concurrency), in the run's order:
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `concurrency` | UInt32 | yes | maximum concurrency; null for open-loop (trace replay) points |
//! | `output_tps` | Float64 | yes | output tokens/s |
//! | `total_tps` | Float64 | yes | input + output tokens/s |
//! | `request_throughput` | Float64 | yes | completed requests/s |
//! | `request_goodput` | Float64 | yes | requests/s within goodput targets |
//! | `peak_output_tps` | Float64 | yes | highest output tokens/s over one second |
//! | `mean_ttft_ms`, `median_ttft_ms`, `p99_ttft_ms`, `std_ttft_ms` | Float64 | yes | time to first token (ms) |
//! | `mean_tpot_ms`, `median_tpot_ms`, `p99_tpot_ms`, `std_tpot_ms` | Float64 | yes | time per output token (ms) |
//! | `mean_itl_ms`, `median_itl_ms`, `p99_itl_ms`, `std_itl_ms` | Float64 | yes | inter-token latency (ms) |
//! | `mean_e2el_ms`, `median_e2el_ms`, `p99_e2el_ms`, `std_e2el_ms` | Float64 | yes | end-to-end latency (ms) |
//! | `total_input_tokens`, `total_output_tokens` | UInt64 | yes | tokens of completed requests |
//! | `completed`, `num_prompts` | UInt64 | yes | requests completed / sent |
//! | `duration` | Float64 | yes | benchmark duration (s) |
//! | `request_rate` | Float64 | yes | configured request rate (req/s); `inf` is infinity |
//! | `error_count`, `good_completed` | UInt64 | yes | requests failed / within goodput targets |
//! | `mean_ttfo_ms`, `median_ttfo_ms`, `p99_ttfo_ms` | Float64 | yes | time to first output (non-reasoning) token (ms) |
//! | `mean_prefill_tps_per_user`, `median_prefill_tps_per_user` | Float64 | yes | input tokens / TTFT per request (tokens/s) |
//! | `total_reasoning_tokens` | UInt64 | yes | reasoning tokens of completed requests |
//! | `window_start_unix`, `window_end_unix` | Float64 | yes | measurement window: first request, last response (Unix epoch s) |
//! | `telemetry_gpus` | UInt64 | yes | GPUs in the benchmark's GPU telemetry summary |
//! | `gpu_power_w`, `gpu_energy_j`, `gpu_utilization_pct` | Float64 | yes | their total mean power (W), energy over the window (J), mean utilization (%) |
//! | `output_tps_per_gpu` | Float64 | yes | `output_tps / gpus_used` |
//! | `total_tps_per_gpu` | Float64 | yes | `total_tps / gpus_used` |
//! | `input_tps` | Float64 | yes | `total_tps − output_tps` when both are known and ≥ 0, else `total_input_tokens / duration` |
//! | `input_tps_per_gpu` | Float64 | yes | `input_tps / gpus_used` |
//! | `output_tps_per_user` | Float64 | yes | `1000 / mean_tpot_ms` |
//! | `power_source` | Utf8 | yes | the run's `derived.power_source` (`power_samples`, `tachometer`, `aiperf_telemetry`); null without power data |
//! | `energy_window_start_unix`, `energy_window_end_unix` | Float64 | yes | the window the energy was integrated over (Unix epoch s) |
//! | `energy_window_source` | Utf8 | yes | `result_file`, `power_window` or `aiperf_records` |
//! | `energy_gpus_counted` | UInt32 | yes | GPUs counted |
//! | `energy_gpu_j`, `energy_gpu_avg_power_w`, `energy_avg_power_per_gpu_w` | Float64 | yes | GPU energy over the window (J), its average power (W), per GPU (W): `derived.energy[].gpu_energy_j`, `gpu_avg_power_w`, `avg_power_per_gpu_w` |
//! | `j_per_output_token`, `j_per_total_token`, `output_tps_per_w` | Float64 | yes | GPU joules per output / per input+output token; output tokens/s per GPU watt |
//! | `energy_cpu_j`, `energy_cpu_avg_power_w` | Float64 | yes | CPU energy (J) and average power (W), where CPU power was sampled |
//! | `energy_combined_j`, `combined_j_per_output_token`, `combined_j_per_total_token`, `output_tps_per_combined_w` | Float64 | yes | CPU + GPU, only when both legs are known |
//! | `energy_reason` | Utf8 | yes | why the GPU energy is null |
//! | `other_metrics` | Utf8 | no | JSON object of further metrics (`{"p90_itl_ms": 7.5}`); non-finite values as `"Infinity"`, `"-Infinity"`, `"NaN"` |
//! | `source_file` | Utf8 | yes | result file of the point, relative to the run |
//! | `gpus_used` | UInt32 | yes | the run's `gpus_used` (denormalised) |
//! | `topology`, `gpu_type` | Utf8 | no / yes | the run's (denormalised) |
//! | `isl`, `osl` | UInt32 | yes | the run's (denormalised) |
//! | `run_path` | Utf8 | no | the run directory (`runs.path`) |
//!
//! The metric columns are named and ordered as
//! [`BenchmarkPoint::METRIC_NAMES`](srtlog_model::BenchmarkPoint::METRIC_NAMES); the derived
//! ones use the formulas of srtlog's HTML report.
//!
//! `batches` — one row per [`BatchMetrics`](srtlog_model::BatchMetrics), worker by worker,
//! each in log order:
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `node_name` | Utf8 | no | host of the worker (`eos0219`) |
//! | `worker_type` | Utf8 | no | `prefill`, `decode` or `agg` |
//! | `worker_id` | Utf8 | no | worker id from the log's name (`w1`) |
//! | `timestamp` | Timestamp(µs) | yes | wall-clock time of the line as written |
//! | `utc_offset_secs` | Int32 | yes | the line's UTC offset, when it had a zone (`Z` is 0) |
//! | `dp`, `tp`, `ep` | UInt32 | no | data/tensor/expert-parallel rank (0 when the line has none) |
//! | `batch_type` | Utf8 | no | `prefill` or `decode` |
//! | `new_seq`, `new_token`, `cached_token` | UInt32 | yes | new sequences, new prompt tokens, prompt tokens from the prefix cache |
//! | `token_usage` | Float64 | yes | KV-cache usage ratio |
//! | `running_req`, `queue_req`, `prealloc_req`, `inflight_req`, `transfer_req` | UInt32 | yes | requests running, queued, pre-allocated, in flight to decode, receiving KV cache |
//! | `num_tokens` | UInt32 | yes | tokens in the running batch |
//! | `input_throughput`, `gen_throughput` | Float64 | yes | prompt / generated tokens/s as logged |
//! | `preallocated_usage` | Float64 | yes | pre-allocated KV usage ratio |
//! | `retracted_req`, `unbootstrapped_req` | UInt32 | yes | requests retracted / waiting for bootstrap |
//! | `accept_len`, `accept_rate` | Float64 | yes | speculative decoding accepted length / acceptance rate |
//! | `cuda_graph` | Boolean | yes | step ran as a CUDA graph |
//! | `swa_tokens` | UInt32 | yes | sliding-window pool tokens |
//! | `swa_token_usage` | Float64 | yes | sliding-window pool usage ratio |
//! | `iteration` | UInt64 | yes | TensorRT-LLM iteration |
//! | `host_step_time_ms`, `prev_device_step_time_ms` | Float64 | yes | TensorRT-LLM host step / previous device step time (ms) |
//! | `cached_kv_tokens` | UInt32 | yes | TensorRT-LLM KV tokens reused |
//! | `run_path` | Utf8 | no | the run directory (`runs.path`) |
//!
//! `memory` — one row per [`MemoryMetrics`](srtlog_model::MemoryMetrics), worker by worker,
//! each in log order:
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `node_name`, `worker_type`, `worker_id` | Utf8 | no | the worker, as in `batches` |
//! | `timestamp` | Timestamp(µs) | yes | wall-clock time of the line as written |
//! | `utc_offset_secs` | Int32 | yes | the line's UTC offset, when it had a zone |
//! | `dp`, `tp`, `ep` | UInt32 | no | ranks, as in `batches` |
//! | `metric_type` | Utf8 | no | `memory` or `kv_cache` |
//! | `event` | Utf8 | no | which line (`load_weight_end`, `kv_cache_allocated`, …) |
//! | `avail_mem_gb` | Float64 | yes | free GPU memory (GB as logged) |
//! | `mem_usage_gb` | Float64 | yes | GPU memory used (GB as logged) |
//! | `kv_cache_gb` | Float64 | yes | KV-cache size (GB as logged) |
//! | `kv_tokens` | UInt64 | yes | KV-cache capacity in tokens |
//! | `run_path` | Utf8 | no | the run directory (`runs.path`) |
//!
//! `accuracy` — one row per [`AccuracyResult`](srtlog_model::AccuracyResult) of the run's evals
//! (lm-eval, sglang `run_eval`, …), in the order of the files and their tasks; throughput runs
//! with a post-eval have rows here and in `points`:
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `eval` | Utf8 | no | the harness that wrote the file (`lm-eval`, `sglang-run-eval`, `mlperf`, …) |
//! | `task` | Utf8 | no | the task (`gsm8k`, `mmlu_stem`, `aime25`) |
//! | `metric` | Utf8 | no | the metric (`exact_match`, `acc`, `score`) |
//! | `filter` | Utf8 | yes | the filter or evaluation mode (`strict-match`, `pass@1[avg-of-8]`) |
//! | `value` | Float64 | no | the score, on the harness's scale (fractions; NeMo-Skills: percent) |
//! | `stderr` | Float64 | yes | its standard error, when the harness gives one |
//! | `samples` | UInt64 | yes | samples scored |
//! | `higher_is_better` | Boolean | yes | when the harness says |
//! | `source_file` | Utf8 | no | the file, relative to the run directory |
//! | `topology`, `gpu_type` | Utf8 | no / yes | as in `runs`, for grouping without a join |
//! | `run_path` | Utf8 | no | the run directory (`runs.path`) |
//!
//!
//! `launch_args` — one row per argument of each launch command: the benchmark client's
//! ([`BenchmarkRun::benchmark_launch_command`]) first, then each worker's
//! ([`NodeConfig::launch_command`](srtlog_model::NodeConfig::launch_command)), each in name
//! order. Names are the tools' destination names ([`LaunchArgs`](srtlog_model::LaunchArgs):
//! `tp_size`, `request_rate`), so two runs' settings join on `name`:
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `node_name`, `worker_type`, `worker_id` | Utf8 | yes | the worker, as in `batches`; all null for the benchmark client's command |
//! | `tool` | Utf8 | no | the worker's `backend_type` (`sglang`, `trtllm`) or the benchmark's `benchmark_type` (`sa-bench`, `mooncake-router`) |
//! | `name` | Utf8 | no | the argument's destination name (`tp_size`, `max_concurrency`) |
//! | `value` | Utf8 | no | the value as compact JSON (`8`, `0.85`, `true`, `"inf"`, `[4,8,16]`) |
//! | `value_type` | Utf8 | no | `int`, `float`, `bool`, `str` or `list`: what `value` holds, to filter or cast on (`CAST(value AS BIGINT)` where `value_type = 'int'`) |
//! | `raw_command` | Utf8 | no | the command line as written (the same on every row of a command) |
//! | `run_path` | Utf8 | no | the run directory (`runs.path`) |
//!
//! A command with no arguments has no rows; its line is still `runs.benchmark_command` for the
//! benchmark.
//!
//! `requests` — one row per [`RequestRecord`](srtlog_model::RequestRecord): every line of every
//! `profile_export.jsonl` of the run's aiperf artifact directories (warm-up directories
//! excluded; warm-up-phase and failed requests kept, told apart by `phase` and `is_error`), file
//! by file in path order, each in file order. Empty for runs without aiperf artifacts, and
//! unless the loader was asked for them (`LoaderOptions::with_requests`; `export --dataset`
//! does). Absent values are null, never 0:
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `concurrency` | UInt32 | yes | the point's concurrency (directory name, else the export's `loadgen.concurrency`) |
//! | `start_ns`, `ack_ns`, `end_ns` | Int64 | yes | request sent / acknowledged (streaming) / finished or failed, epoch ns |
//! | `phase` | Utf8 | yes | `profiling`, `warmup` (or another name as written) |
//! | `ttft_ms`, `ttst_ms`, `ttfo_ms` | Float64 | yes | time to first token, first to second token, first non-reasoning token |
//! | `request_latency_ms` | Float64 | yes | end-to-end latency |
//! | `inter_token_latency_ms` | Float64 | yes | aiperf's per-request (latency − TTFT)/(OSL − 1) |
//! | `input_tokens`, `output_tokens`, `reasoning_tokens`, `output_sequence_length` | UInt64 | yes | ISL; non-reasoning, reasoning and all output tokens |
//! | `prefill_tps` | Float64 | yes | ISL / TTFT, tokens/s |
//! | `is_error` | Boolean | no | the request failed |
//! | `error_code`, `error_type` | Int64, Utf8 | yes | the failure's code and type (the message is not kept) |
//! | `was_cancelled` | Boolean | yes | aiperf cancelled it on purpose (newer layout only) |
//! | `run_path` | Utf8 | no | the run directory (`runs.path`) |
//!
//! `power` — one row per power sample of the run's power source (`runs`' `power_source`; the
//! [`RunPower`](srtlog_model::RunPower) samples, which the JSON document does not hold): the
//! GPU samples in file order, then the CPU samples (node totals). Empty for runs without
//! power samples (none, or aiperf's telemetry totals only):
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `host` | Utf8 | no | the node |
//! | `device` | Utf8 | no | `gpu` (board power) or `cpu` (the node's CPU `total_power_w`) |
//! | `gpu` | UInt32 | yes | the GPU's index on the node; null for CPU rows |
//! | `role` | Utf8 | yes | the GPU's worker roles from the power manifest, joined with `+` (`prefill`, `decode+prefill`); null without one and for CPU rows |
//! | `t_unix` | Float64 | no | when it was read (Unix epoch s, the head node's clock) |
//! | `watts` | Float64 | no | power (W) |
//! | `source` | Utf8 | no | `power_samples`, `tachometer` or `aiperf_telemetry` |
//! | `run_path` | Utf8 | no | the run directory (`runs.path`) |
//!
//! `server_metrics` — one row per point of the run's Tachometer time series
//! ([`ServerMetrics`](srtlog_model::ServerMetrics)): every metric the scraper recorded from
//! every backend worker, frontend, DCGM and node exporter, long form, series by series (by
//! worker, metric, labels, `le`), each by time. Empty for runs without Tachometer files
//! (`logs/tachometer/`, early runs' `logs/telemetry/`), and unless the loader was asked for
//! them (`LoaderOptions::with_server_metrics`; `export --dataset` and `report` do). A run still
//! in progress is the union of its shards, each row once (see `srtlog-parsers-telemetry`):
//!
//! | column | Arrow type | null | meaning |
//! |--------|-----------|------|---------|
//! | `endpoint` | Utf8 | no | Tachometer scrape endpoint (`backend_decode0_rank0`, `frontend0`, `dcgm_<node>`, `node_exporter_<node>`) |
//! | `role` | Utf8 | yes | `prefill`, `decode`, `agg` (srtctl's `worker_role`), `frontend` |
//! | `worker_index`, `worker_process` | UInt32 | yes | srtctl's `worker_index` (a frontend's `frontend_index`) and `worker_process` |
//! | `host` | Utf8 | yes | the node (`hostname`, else the node in a `dcgm_` / `node_exporter_` endpoint) |
//! | `gpu` | UInt32 | yes | GPU index on the node (DCGM rows) |
//! | `metric` | Utf8 | no | metric name before `{` (`sglang:num_running_reqs`, `gpu_power`, `cpu_time_p90`) |
//! | `labels` | Utf8 | no | the labels, `k="v",…` sorted by key: inline ones and non-empty metadata columns (`mode`, `job_id`, …); `le` excluded |
//! | `le` | Float64 | yes | a histogram bucket's upper bound (infinity for `+Inf`); `value` is then the cumulative count |
//! | `time_base` | Utf8 | no | `unix` (v2 writer's `timestamp_ns`) or `since_scraper_start` (v1: no wall time) |
//! | `t` | Float64 | no | time, seconds in `time_base` |
//! | `value` | Float64 | no | the sample (Float32 files widened) |
//! | `run_path` | Utf8 | no | the run directory (`runs.path`) |
//!
//! The rest of the worker configuration ([`NodeConfig`](srtlog_model::NodeConfig):
//! environment, GPU info, parallel sizes, parse statistics) and the skipped runs are not
//! exported.
//!
//! # In memory
//!
//! [`table_batches`] gives the rows of a table for a slice of runs as Arrow record batches,
//! built by the same builders as the files (one match of table to rows for both), with the
//! partition column `job_id` (Utf8) first ([`Table::memory_schema`]): there is no directory
//! name to hold it. [`skipped_batches`] gives the directories a load skipped (`path`, `job_id`,
//! `kind`, `reason`), which the dataset does not hold. The Python bindings (`srtlog-py`) hand
//! both to pyarrow without a copy.
//!
//! # Example
//!
//! ```
//! use srtlog_export::{write_dataset, Table};
//! use srtlog_model::{AnalysisDocument, BenchmarkPoint, BenchmarkRun, Mode, ProfilerResults, RunMetadata};
//!
//! let metadata = RunMetadata {
//!     job_id: "4401463".into(),
//!     mode: Mode::Disaggregated,
//!     prefill_workers: 1,
//!     decode_workers: 2,
//!     gpus_per_prefill: Some(4),
//!     gpus_per_decode: Some(4),
//!     gpu_type: Some("gb200".into()),
//!     path: "/runs/4401463".into(),
//!     ..Default::default()
//! };
//! let point = BenchmarkPoint { concurrency: Some(64), output_tps: Some(6000.0), ..Default::default() };
//! let run = BenchmarkRun {
//!     metadata,
//!     profiler: ProfilerResults { points: vec![point], ..Default::default() },
//!     is_complete: true,
//!     ..Default::default()
//! };
//! let doc = AnalysisDocument { schema_version: 1, runs: vec![run], skipped: vec![] };
//!
//! let out = tempfile::tempdir()?;
//! let summary = write_dataset(&doc, out.path())?;
//! assert_eq!(summary.files, 9);
//! assert_eq!(summary.rows.get(Table::Points), 1);
//! assert!(out.path().join("points/job_id=4401463/part-0.parquet").is_file());
//! // A run without parsed workers still has a (row-less) batches file.
//! assert_eq!(summary.rows.get(Table::Batches), 0);
//! assert!(out.path().join("batches/job_id=4401463/part-0.parquet").is_file());
//!
//! // Exporting again replaces the dataset; a directory of other files is refused.
//! write_dataset(&doc, out.path())?;
//! let other = tempfile::tempdir()?;
//! std::fs::write(other.path().join("notes.txt"), "mine")?;
//! assert!(write_dataset(&doc, other.path()).is_err());
//! assert!(other.path().join("notes.txt").exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod digest;
mod error;
mod hive;
mod output;
mod partition;
mod rows;
mod tables;
mod update;

use std::collections::HashMap;
use std::path::Path;

use arrow_array::RecordBatch;
use serde::Serialize;
use srtlog_model::{AnalysisDocument, BenchmarkRun};

pub use digest::{source_digest, BuildSettings};
pub use error::ExportError;
pub use hive::{partition_dir, HIVE_DEFAULT_PARTITION};
pub use partition::{DatasetIndex, ManifestRun, PartitionManifest, PartitionRun, MANIFEST_DIR};
pub use rows::{skipped_batches, skipped_schema};
pub use tables::Table;
pub use update::{
    by_job_id, changed_runs, plan_partitions, update_dataset, DatasetStatus, DatasetUpdate, FoundRun,
    LoadPass, Loaded, PartitionPlan, PruneScope, UpdateOptions, UpdateOutcome, UpdateScope,
};

/// Version of the dataset's layout and columns, in the marker and in every file's footer.
/// Bumped when a column is renamed, removed or changes type.
pub const DATASET_SCHEMA_VERSION: u32 = 1;

/// The marker file at the root of a dataset.
pub const MARKER_FILE: &str = "_srtlog_dataset.json";

/// The lock file in a dataset directory: an export holds an exclusive lock on it from its first
/// check to its last write, so that two exports never interleave (see the [crate] docs). It
/// stays after the export (removing a lock file races with the next locker); the next export
/// reuses it, and readers skip it (hidden, not `.parquet`).
pub const LOCK_FILE: &str = ".srtlog_dataset.lock";

/// The commit lock file: held exclusively, and only for milliseconds, around each partition's
/// commit, a partition's removal and the marker's update by a shard or refresh
/// ([`DatasetUpdate`]); see the [crate] docs.
pub const COMMIT_LOCK_FILE: &str = ".srtlog_dataset.commit.lock";

/// The Hive partition column, in the directory names only.
pub const PARTITION_COLUMN: &str = "job_id";

/// Rows written per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TableRows {
    /// Rows of `runs` (one per run).
    pub runs: u64,
    /// Rows of `points` (one per run × concurrency).
    pub points: u64,
    /// Rows of `batches`.
    pub batches: u64,
    /// Rows of `memory`.
    pub memory: u64,
    /// Rows of `accuracy` (one per run × task × metric × filter).
    pub accuracy: u64,
    /// Rows of `launch_args` (one per argument of every launch command).
    pub launch_args: u64,
    /// Rows of `requests` (one per aiperf request record).
    pub requests: u64,
    /// Rows of `power` (one per power sample).
    pub power: u64,
    /// Rows of `server_metrics` (one per point of the Tachometer series).
    pub server_metrics: u64,
}

impl TableRows {
    /// The rows of `table`.
    pub fn get(&self, table: Table) -> u64 {
        match table {
            Table::Runs => self.runs,
            Table::Points => self.points,
            Table::Batches => self.batches,
            Table::Memory => self.memory,
            Table::Accuracy => self.accuracy,
            Table::LaunchArgs => self.launch_args,
            Table::Requests => self.requests,
            Table::Power => self.power,
            Table::ServerMetrics => self.server_metrics,
        }
    }

    fn add(&mut self, table: Table, rows: u64) {
        let slot = match table {
            Table::Runs => &mut self.runs,
            Table::Points => &mut self.points,
            Table::Batches => &mut self.batches,
            Table::Memory => &mut self.memory,
            Table::Accuracy => &mut self.accuracy,
            Table::LaunchArgs => &mut self.launch_args,
            Table::Requests => &mut self.requests,
            Table::Power => &mut self.power,
            Table::ServerMetrics => &mut self.server_metrics,
        };
        *slot += rows;
    }
}

/// What [`write_dataset`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DatasetSummary {
    /// Parquet files written (one per table per run; the marker is not counted).
    pub files: usize,
    /// Rows per table.
    pub rows: TableRows,
}

/// Writes `doc` as a Hive-partitioned Parquet dataset in `out_dir` (see the [crate] docs for
/// the layout, the columns and what happens to an existing directory).
///
/// # Errors
///
/// [`ExportError::NotADirectory`], [`ExportError::Symlink`], [`ExportError::NotADataset`],
/// [`ExportError::ForeignEntry`] or [`ExportError::InvalidMarker`] when `out_dir` may not be
/// (re)written, before anything is changed; [`ExportError::Busy`] when another export is
/// writing it; [`ExportError::Io`], [`ExportError::Parquet`] or [`ExportError::Arrow`] when a
/// write fails, naming the file.
pub fn write_dataset(doc: &AnalysisDocument, out_dir: &Path) -> Result<DatasetSummary, ExportError> {
    write_dataset_with_sources(doc, out_dir, &HashMap::new())
}

/// [`write_dataset`], recording for each run what it was built from: `sources` maps a run's
/// path (`runs.path`) to its [`source_digest`], kept in the partition manifests so that a later
/// `export --refresh` ([`DatasetUpdate`]) rewrites only the runs that changed. A run missing
/// from `sources` is recorded without a digest (a refresh rewrites it).
///
/// # Errors
///
/// As [`write_dataset`].
pub fn write_dataset_with_sources(
    doc: &AnalysisDocument,
    out_dir: &Path,
    sources: &HashMap<String, String>,
) -> Result<DatasetSummary, ExportError> {
    // Held to the end: no other export may touch the directory until the final marker is in.
    let _lock = output::prepare(out_dir)?;
    for table in Table::ALL {
        let dir = out_dir.join(table.name());
        std::fs::create_dir_all(&dir).map_err(|e| ExportError::io(&dir, e))?;
        // The partition directories below are checked by `AtomicFile::create`.
        srtlog_columnar::refuse_symlink(&dir).map_err(|e| ExportError::io(&dir, e))?;
    }
    let runs = doc
        .runs
        .iter()
        .map(|run| PartitionRun { run, source_digest: sources.get(&run.metadata.path).map(String::as_str) });
    let mut summary = DatasetSummary::default();
    let partitions = by_job_id(runs);
    for (job_id, runs) in &partitions {
        // Alone in the directory (the exclusive lock): no commit lock needed.
        let manifest = partition::stage(out_dir, job_id, runs)?.commit(out_dir)?;
        let rows = manifest.table_rows();
        for table in Table::ALL {
            summary.rows.add(table, rows.get(table));
        }
        summary.files += runs.len() * Table::ALL.len();
    }
    output::write_marker(
        out_dir,
        &output::MarkerState {
            complete: true,
            summary: Some(summary),
            partitions: Some(partitions.len()),
            shards: None,
            written_by: Some("export".to_owned()),
        },
    )?;
    Ok(summary)
}

/// Writes the file `dir/file` of `table` with the rows of `run`; returns the row count.
fn write_run_table(table: Table, run: &BenchmarkRun, dir: &Path, file: &str) -> Result<u64, ExportError> {
    rows::table_rows(table, rows::ParquetFile { run, dir, file })
}

/// The rows of `table` for `runs`, in order, as record batches in memory: the columns of the
/// dataset's files ([`Table::schema`]), filled by the same builders, with the partition column
/// `job_id` first ([`Table::memory_schema`]), in chunks of at most 64 Ki rows. Nothing is read
/// or written; the buffers are the builders' own, which the Python bindings hand to `pyarrow`
/// without a copy.
///
/// ```
/// use srtlog_export::{table_batches, Table};
/// use srtlog_model::{BenchmarkPoint, BenchmarkRun, ProfilerResults, RunMetadata};
///
/// let run = BenchmarkRun {
///     metadata: RunMetadata { job_id: "4401463".into(), path: "/runs/4401463".into(), ..Default::default() },
///     profiler: ProfilerResults { points: vec![BenchmarkPoint::default(); 3], ..Default::default() },
///     ..Default::default()
/// };
/// let batches = table_batches(Table::Points, &[run])?;
/// assert_eq!(batches[0].num_rows(), 3);
/// assert_eq!(batches[0].schema(), Table::Points.memory_schema());
/// assert_eq!(batches[0].schema().field(0).name(), "job_id");
/// # Ok::<(), srtlog_export::ExportError>(())
/// ```
///
/// # Errors
///
/// [`ExportError::Arrow`] if a batch cannot be assembled (a bug, not bad input).
pub fn table_batches(table: Table, runs: &[BenchmarkRun]) -> Result<Vec<RecordBatch>, ExportError> {
    rows::table_rows(table, rows::InMemory { runs })
}
