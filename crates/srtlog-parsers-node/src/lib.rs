//! Worker-log parsers of srtlog: SGLang and TensorRT-LLM, streaming and fast.
//!
//! An SRT-SLURM job leaves one log per inference worker (`logs/{node}_{prefill|decode|agg}_w{N}.out`,
//! or a legacy `.out` + `.err` pair). This crate turns such a log into a
//! [`WorkerLogData`](srtlog_model::WorkerLogData): the scheduler's batches
//! ([`BatchMetrics`](srtlog_model::BatchMetrics)), memory snapshots
//! ([`MemoryMetrics`](srtlog_model::MemoryMetrics)), the worker's parallelism and limits
//! ([`ParallelConfig`](srtlog_model::ParallelConfig)), its launch command and the environment
//! bash xtrace shows, plus counters of what was read and skipped.
//!
//! # Main types
//!
//! * [`SglangParser`] (`sglang`) and [`TrtllmParser`] (`trtllm`) implement
//!   [`srtlog_model::NodeParser`] and register themselves in srtlog-model's registry with
//!   `inventory::submit!`, so `srtlog_model::get_node_parser("sglang")` finds them in any binary
//!   that links this crate. A crate that only reads the registry must name this one
//!   (`use srtlog_parsers_node as _;`), or the linker drops it and its registrations with it.
//! * [`parse_sglang_line`] / [`parse_trtllm_line`] are the pure line-level functions the
//!   streaming parsers call on candidate lines; each returns a [`LineEvent`].
//! * [`classify_worker_file`] ([`WorkerFile`], [`LogStream`]) tells worker logs apart from the
//!   other files of a run directory by their `_<role>_w<N>` suffix, and [`parse_sweep_log`]
//!   ([`SweepCommand`]) maps the launch commands srtctl logs in `sweep_{job}.log` to workers.
//!
//! # How a log is read
//!
//! Worker logs are hundreds of MB; the share of metrics lines runs from a few percent to
//! nearly all of them. The parsers stream the file through one reusable buffer
//! ([`BUFFER_BYTES`] = 512 KiB, grown only for a longer line and never past
//! [`ParseOptions::max_line_bytes`](srtlog_model::ParseOptions); the partial last line is rolled
//! to the front, as ripgrep's line buffer does). Each filled region is searched for a handful
//! of marker strings in one SIMD multi-pattern pass (`aho-corasick`'s Teddy searcher: one pass
//! for all markers instead of one `memmem` pass per marker), and only the lines around the hits
//! are looked at; everything between hits is skipped unseen except for a vectorised newline
//! count. Markers: `batch`, `mem=`, `mem usage=`, `KV Cache is`, `server_args=`, `[CMD]`,
//! `-m sglang.launch_server`, `-m dynamo.sglang` (SGLang); `iter = `, `emory `, `paged KV cache`,
//! `max_seq_len=`, `engine args`, `for model weights`, `"Active Request Count"`, `rank0 run `,
//! `trtllm-serve `, `-m dynamo.trtllm` (TensorRT-LLM); and `+` at a line start (bash xtrace)
//! for both.
//!
//! A candidate line is decided by its own prefix and message (one line, one record) and parsed
//! by a small hand-written byte scanner: no regex, numbers parsed from bytes (the float fast
//! path gives exactly what `str::parse` gives), no allocation for a batch line, which is filled
//! in place in the output vector. Invalid UTF-8 is fine; a line ends at `\n` only (a `\r`
//! inside a progress bar is not a line end; a trailing `\r` is dropped); a longer line than
//! the cap is parsed up to the cap and counted in `ParseStats::truncated_lines`; a malformed
//! candidate line is skipped, counted in `ParseStats::malformed_lines` and described (with its
//! line number) in `ParseStats::diagnostics` — never fatal. Parsing does no I/O beyond the
//! reader it is given. The `parse_file` example times a parser on real files.
//!
//! # Parsing one worker log
//!
//! ```
//! use srtlog_model::{NodeParser, ParseOptions, WorkerLogData};
//! use srtlog_parsers_node::SglangParser;
//!
//! let log = "\
//! [2026-01-16 06:20:11] server_args=ServerArgs(model_path='/model', tp_size=4, moe_dense_tp_size=1, dp_size=4, ep_size=4, enable_dp_attention=True)
//! [2026-01-16 06:20:40 DP0 TP0 EP0] Load weight end. elapsed=20.12 s, type=DeepseekV3ForCausalLM, dtype=torch.bfloat16, avail mem=120.50 GB, mem usage=39.60 GB.
//! [2026-01-16 06:21:02 DP0 TP0 EP0] Prefill batch, #new-seq: 2, #new-token: 8192, #cached-token: 0, token usage: 0.01, #running-req: 0, #queue-req: 0, #prealloc-req: 0, #inflight-req: 1, input throughput (token/s): 10240.50,
//! INFO:     127.0.0.1:40256 - \"GET /health HTTP/1.1\" 200 OK
//! ";
//! let mut data = WorkerLogData::default();
//! SglangParser.parse_reader(&mut log.as_bytes(), &ParseOptions::default(), &mut data)?;
//!
//! assert_eq!(data.batches.len(), 1);
//! let batch = data.batches.first().unwrap(); // a `BatchMetrics`, built from the packed row
//! assert_eq!(batch.new_token(), Some(8192));
//! assert_eq!(batch.timestamp.map(|t| t.to_string()).as_deref(), Some("2026-01-16T06:21:02"));
//! assert_eq!(data.memory_snapshots[0].event, "load_weight_end");
//! assert_eq!((data.config.tp_size, data.config.dp_size), (Some(4), Some(4)));
//! assert_eq!(data.stats.lines, 4);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! A legacy worker's `.out` and `.err` are two calls of `parse_reader` on the same
//! `WorkerLogData`: results and counters accumulate.
//!
//! # Decisions worth knowing
//!
//! * Every era and wrapper of the batch lines seen in real logs is listed in the `sglang`
//!   module's notes (and `prefix`'s); rare prefix forms are tried only after the common ones
//!   fail, so the hot path does not pay for them.
//! * A line with a time and no date (SGLang 2024) is dated from
//!   [`ParseOptions::undated_day`](srtlog_model::ParseOptions) — the run's date, or the file's
//!   modification day, set by the loader — and the file's diagnostics say so, past the cap
//!   (it qualifies every timestamp of the file).
//! * SGLang `dp`/`tp`/`ep` come from the line's `DPn`/`TPn`/`EPn` tags (0 when absent); sizes
//!   come from `server_args=` (keys matched whole) or, failing that, the launch command.
//! * TensorRT-LLM `tp` is the iteration line's `rank` (or a `[RANK n]` tag); the engine-args
//!   dict gives the sizes, and `dp_size` is derived from `enable_attention_dp` (= tp size when
//!   on, 1 when off). `Config(...)` lines are ignored: they show dynamo's CLI defaults.
//!   Throughputs are not derived from step times.
//! * Memory snapshots name their line in `event` (`load_weight_end`, `kv_cache_allocated`,
//!   `capture_cuda_graph_progress`, `scheduler_summary`, `peak_memory`, ...). A progress-bar
//!   line with several `Capturing batches` fragments gives one snapshot, from its last
//!   fragment.

mod bytes;
mod dates;
mod event;
mod launch;
mod prefix;
mod pyrepr;
mod scan;
mod sglang;
mod sniff;
mod sweep;
mod trtllm;
mod worker_file;
mod xtrace;

pub use event::LineEvent;
pub use launch::{config_from_args, shell_words};
pub use scan::BUFFER_BYTES;
pub use sglang::{parse_sglang_line, SglangParser};
pub use sweep::{parse_sweep_log, SweepCommand};
pub use trtllm::{parse_trtllm_line, TrtllmParser};
pub use worker_file::{classify_worker_file, LogStream, WorkerFile};
