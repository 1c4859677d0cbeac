//! `gen-corpus`: a deterministic generator of realistic run directories for benchmarking.
//!
//! Every format family srtlog reads appears: SGLang's bracket prefix with rank tags, dynamo's
//! ISO-8601/ANSI format, TensorRT-LLM iteration logs, sa-bench result JSON and both aiperf
//! export layouts. The share of metrics lines is a parameter: busy workers (the default, 95 %)
//! write a batch line every few steps, quiet or warning-flooded ones are mostly noise (HTTP
//! access lines, warnings, progress bars, tracebacks, NCCL chatter). Time advances per line at
//! the rate a real worker of that role and backend logs (see `LineRates`), so timestamps,
//! durations and throughput timelines look like a real log's. The same seed gives
//! byte-identical output.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::Args;

/// Options of `gen-corpus`.
#[derive(Debug, Clone, Args)]
pub struct GenCorpusArgs {
    /// Directory to create the runs in (created if missing; existing runs are overwritten).
    pub dir: PathBuf,
    /// Number of run directories.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Lines per worker log.
    #[arg(long, default_value_t = 100_000)]
    pub lines: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Share of worker-log lines that are metrics lines (batches, iterations), 0..1: 0.95 is a
    /// busy worker under load, 0.05 a quiet or warning-flooded one.
    #[arg(long, default_value_t = BUSY_METRIC_SHARE)]
    pub metric_share: f64,
    /// Workers per run: one prefill and the rest decode (aggregated runs: all agg).
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
}

/// The metric share of a busy worker: under load nearly every line is a batch line.
pub const BUSY_METRIC_SHARE: f64 = 0.95;

/// SplitMix64: tiny, fast, and stable across versions (the corpus must not change when a
/// dependency does).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range_f(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// The format family of a generated run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// SGLang bracket prefix with DP/TP/EP tags, disaggregated, sa-bench JSON results.
    SglangBracket,
    /// dynamo-reformatted SGLang (ISO timestamps, ANSI colours), aggregated, aiperf flat export.
    SglangDynamo,
    /// TensorRT-LLM iteration logs, disaggregated, aiperf `records` export.
    Trtllm,
}

impl Family {
    fn of_run(i: usize) -> Self {
        [Family::SglangBracket, Family::SglangDynamo, Family::Trtllm][i % 3]
    }
}

/// Writes the corpus; returns the run directories written.
pub fn generate(args: &GenCorpusArgs) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(&args.dir)?;
    let mut rng = Rng(args.seed);
    let mut runs = Vec::new();
    for i in 0..args.runs {
        let job_id = 900_000 + i as u64;
        let family = Family::of_run(i);
        let run_dir = args.dir.join(job_id.to_string());
        let logs = run_dir.join("logs");
        fs::create_dir_all(&logs)?;
        let workers = args.workers.max(1);
        write_metadata(&run_dir, job_id, family, workers)?;
        write_results(&run_dir, family, &mut rng)?;
        // Current srtctl records each worker's launch in the orchestrator log (FORMATS.md 5.1).
        let mut sweep = BufWriter::new(File::create(logs.join(format!("sweep_{job_id}.log")))?);
        for w in 0..workers {
            let (role, id) = match (family, w) {
                (Family::SglangDynamo, _) => ("agg", w),
                (_, 0) => ("prefill", 0),
                (_, w) => ("decode", w - 1),
            };
            let node = format!("gen-node-{i:03}-{w:02}");
            write_sweep_entry(&mut sweep, family, &node, role, id)?;
            let path = logs.join(format!("{node}_{role}_w{id}.out"));
            let mut out = BufWriter::with_capacity(1 << 20, File::create(&path)?);
            write_worker_log(&mut out, family, role, args.lines, args.metric_share, &mut rng)?;
            out.flush()?;
        }
        sweep.flush()?;
        runs.push(run_dir);
    }
    Ok(runs)
}

fn write_sweep_entry(
    out: &mut impl Write,
    family: Family,
    node: &str,
    role: &str,
    id: usize,
) -> io::Result<()> {
    let ts = "2026-01-16 06:00:00";
    writeln!(out, "{ts} [INFO] Starting {role} worker {id} on {node}")?;
    writeln!(out, "{ts} [INFO] Env: PYTHONUNBUFFERED=1 DYN_SKIP_SGLANG_LOG_FORMATTING=1")?;
    let mode = if role == "agg" { String::new() } else { format!(" --disaggregation-mode {role}") };
    let command = match family {
        Family::Trtllm => format!(
            "trtllm-llmapi-launch python3 -m dynamo.trtllm --model-path /model --served-model-name dsr1{mode} --extra-engine-args /logs/trtllm_config_{role}.yaml --request-plane nats"
        ),
        _ => format!(
            "python3 -m dynamo.sglang --model-path /model --served-model-name dsr1 --host 0.0.0.0 --port 30000{mode} --tensor-parallel-size 4 --data-parallel-size 4 --expert-parallel-size 4 --enable-dp-attention"
        ),
    };
    writeln!(out, "{ts} [INFO] Command: {command}")?;
    writeln!(out, "{ts} [INFO] Log: /logs/{node}_{role}_w{id}.out")
}

fn write_metadata(run_dir: &Path, job_id: u64, family: Family, workers: usize) -> io::Result<()> {
    let (backend, bench, agg) = match family {
        Family::SglangBracket => ("sglang", "sa-bench", false),
        Family::SglangDynamo => ("sglang", "mooncake-router", true),
        Family::Trtllm => ("trtllm", "mooncake-router", false),
    };
    let resources = if agg {
        format!(
            r#""gpu_type": "gb200", "gpus_per_node": 4, "agg_nodes": {workers}, "agg_workers": {workers}, "prefill_nodes": 0, "decode_nodes": 0, "prefill_workers": 0, "decode_workers": 0"#
        )
    } else {
        let d = workers - 1;
        format!(
            r#""gpu_type": "gb200", "gpus_per_node": 4, "prefill_nodes": 1, "decode_nodes": {d}, "prefill_workers": 1, "decode_workers": {d}, "agg_nodes": 0, "agg_workers": 0"#
        )
    };
    let isl_osl =
        if bench == "sa-bench" { r#""isl": 8192, "osl": 1024"# } else { r#""isl": null, "osl": null"# };
    let json = format!(
        "{{\n  \"version\": \"2.0\",\n  \"job_id\": \"{job_id}\",\n  \"job_name\": \"corpus-{job_id}\",\n  \"generated_at\": \"2026-01-16 06:00:00\",\n  \"model\": {{\"path\": \"dsr1\", \"container\": \"dynamo-{backend}\", \"precision\": \"fp8\"}},\n  \"resources\": {{{resources}}},\n  \"backend_type\": \"{backend}\",\n  \"benchmark\": {{\"type\": \"{bench}\", {isl_osl}}}\n}}\n"
    );
    fs::write(run_dir.join(format!("{job_id}.json")), json)?;
    if bench == "sa-bench" {
        fs::write(
            run_dir.join("config.yaml"),
            "benchmark:\n  type: sa-bench\n  isl: 8192\n  osl: 1024\n  concurrencies: \"4x8x16x32\"\n  req_rate: inf\n",
        )?;
    }
    Ok(())
}

fn write_results(run_dir: &Path, family: Family, rng: &mut Rng) -> io::Result<()> {
    match family {
        Family::SglangBracket => {
            let dir = run_dir.join("logs").join("sa-bench_isl_8192_osl_1024");
            fs::create_dir_all(&dir)?;
            for c in [4u32, 8, 16, 32] {
                let n = c * 10;
                let duration = rng.range_f(40.0, 90.0);
                let out_tokens = u64::from(n) * 1024;
                let ttft = rng.range_f(200.0, 2000.0);
                let tpot = rng.range_f(8.0, 40.0);
                let ttfts: Vec<String> = (0..n).map(|_| format!("{:.6}", rng.range_f(0.1, 2.5))).collect();
                let itls: Vec<String> =
                    (0..n.min(16)).map(|_| format!("[{:.6}, {:.6}]", tpot / 1000.0, tpot / 1000.0)).collect();
                let json = format!(
                    "{{\"date\": \"20260116-0630{c:02}\", \"backend\": \"dynamo\", \"model_id\": \"dsr1\", \"tokenizer_id\": \"dsr1\", \"best_of\": 1, \"num_prompts\": {n}, \"request_rate\": \"inf\", \"burstiness\": 1.0, \"max_concurrency\": {c}, \"duration\": {duration}, \"completed\": {n}, \"total_input_tokens\": {ti}, \"total_output_tokens\": {out_tokens}, \"request_throughput\": {rt}, \"request_goodput\": null, \"output_throughput\": {ot}, \"total_token_throughput\": {tt}, \"input_lens\": [], \"output_lens\": [], \"ttfts\": [{ttfts}], \"itls\": [{itls}], \"generated_texts\": [], \"errors\": [], \"mean_ttft_ms\": {ttft}, \"median_ttft_ms\": {ttft}, \"std_ttft_ms\": 12.5, \"p99_ttft_ms\": {p99}, \"mean_tpot_ms\": {tpot}, \"median_tpot_ms\": {tpot}, \"std_tpot_ms\": 1.5, \"p99_tpot_ms\": {tp99}, \"mean_itl_ms\": {tpot}, \"median_itl_ms\": {tpot}, \"std_itl_ms\": 2.0, \"p99_itl_ms\": {tp99}, \"mean_e2el_ms\": {e2e}, \"median_e2el_ms\": {e2e}, \"std_e2el_ms\": 100.0, \"p99_e2el_ms\": {e2e99}}}",
                    ti = u64::from(n) * 8192,
                    rt = f64::from(n) / duration,
                    ot = out_tokens as f64 / duration,
                    tt = (out_tokens as f64 + f64::from(n) * 8192.0) / duration,
                    ttfts = ttfts.join(", "),
                    itls = itls.join(", "),
                    p99 = ttft * 1.8,
                    tp99 = tpot * 1.5,
                    e2e = ttft + tpot * 1023.0,
                    e2e99 = (ttft + tpot * 1023.0) * 1.3,
                );
                fs::write(dir.join(format!("results_concurrency_{c}_gpus_16_ctx_1_gen_3.json")), json)?;
            }
        }
        Family::SglangDynamo | Family::Trtllm => {
            let dir = run_dir.join("logs").join("artifacts").join("dsr1_conversation_20260116_063000");
            fs::create_dir_all(&dir)?;
            let stat = |rng: &mut Rng, unit: &str, lo: f64, hi: f64, tagged: Option<&str>| {
                let avg = rng.range_f(lo, hi);
                let header = tagged.map_or(String::new(), |t| {
                    format!("\"tag\": \"{t}\", \"header\": \"{t}\", \"count\": 400, ")
                });
                format!(
                    "{{{header}\"unit\": \"{unit}\", \"avg\": {avg}, \"p1\": {}, \"p5\": {}, \"p25\": {}, \"p50\": {avg}, \"p75\": {}, \"p90\": {}, \"p95\": {}, \"p99\": {}, \"min\": {}, \"max\": {}, \"std\": {}}}",
                    avg * 0.5, avg * 0.6, avg * 0.8, avg * 1.2, avg * 1.4, avg * 1.5, avg * 1.9, avg * 0.4, avg * 2.2, avg * 0.2
                )
            };
            let agg = |unit: &str, v: f64, tagged: Option<&str>| {
                let header = tagged.map_or(String::new(), |t| {
                    format!("\"tag\": \"{t}\", \"header\": \"{t}\", \"count\": 1, ")
                });
                format!("{{{header}\"unit\": \"{unit}\", \"avg\": {v}}}")
            };
            let records = family == Family::Trtllm;
            let tag = |t: &'static str| records.then_some(t);
            let metrics = [
                ("time_to_first_token", stat(rng, "ms", 200.0, 2000.0, tag("time_to_first_token"))),
                ("inter_token_latency", stat(rng, "ms", 8.0, 40.0, tag("inter_token_latency"))),
                ("request_latency", stat(rng, "ms", 10_000.0, 40_000.0, tag("request_latency"))),
                (
                    "output_token_throughput",
                    agg("tokens/sec", rng.range_f(5_000.0, 30_000.0), tag("output_token_throughput")),
                ),
                (
                    "request_throughput",
                    agg("requests/sec", rng.range_f(2.0, 20.0), tag("request_throughput")),
                ),
                ("request_count", agg("requests", 400.0, tag("request_count"))),
                ("benchmark_duration", agg("sec", rng.range_f(100.0, 300.0), tag("benchmark_duration"))),
            ];
            let body: Vec<String> = metrics.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            let input_config = "\"input_config\": {\"endpoint\": {\"model_names\": [\"dsr1\"]}, \"input\": {\"fixed_schedule\": true, \"file\": \"/logs/traces/conversation_trace.jsonl\"}, \"loadgen\": {}}";
            let json = if records {
                format!("{{\"records\": {{{}}}, {input_config}, \"was_cancelled\": false, \"error_summary\": [], \"start_time\": \"2026-01-16T06:30:00\", \"end_time\": \"2026-01-16T06:35:00\"}}", body.join(", "))
            } else {
                format!("{{{}, {input_config}, \"was_cancelled\": false, \"error_summary\": [], \"start_time\": \"2026-01-16T06:30:00\", \"end_time\": \"2026-01-16T06:35:00\"}}", body.join(", "))
            };
            fs::write(dir.join("profile_export_aiperf.json"), json)?;
        }
    }
    Ok(())
}

/// Milliseconds since 2026-01-16 06:00:00, formatted the way each family prints time.
struct Clock {
    millis: u64,
}

impl Clock {
    fn hms(&self) -> (u64, u64, u64) {
        let s = 6 * 3600 + self.millis / 1000;
        ((s / 3600) % 24, (s / 60) % 60, s % 60)
    }
    fn bracket(&self) -> String {
        let (h, m, s) = self.hms();
        format!("2026-01-16 {h:02}:{m:02}:{s:02}")
    }
    /// ISO-8601 with microseconds: the clock's milliseconds plus `jitter_micros` (< 1000).
    fn iso(&self, jitter_micros: u64) -> String {
        let (h, m, s) = self.hms();
        let micros = (self.millis % 1000) * 1000 + jitter_micros % 1000;
        format!("2026-01-16T{h:02}:{m:02}:{s:02}.{micros:06}Z")
    }
    fn trt(&self) -> String {
        let (h, m, s) = self.hms();
        format!("01/16/2026-{h:02}:{m:02}:{s:02}")
    }
}

/// How fast a worker of one role and backend writes lines, in milliseconds of log time per
/// line (the whole log: every rank that prints).
///
/// Chosen from the backends' logging rules and real logs, for the setup the corpus imitates
/// (DeepSeek-R1 at 8k/1k, 4 DP-attention ranks per worker):
/// - SGLang decode: each DP rank prints one `Decode batch` line per `decode_log_interval`
///   (default 40) forward steps; at 20–30 ms per step that is one line per rank per ~1 s, so
///   4 ranks → one line per 250 ms (real pastes show ~1–2 s between one rank's lines);
/// - SGLang prefill: one `Prefill batch` line per scheduled prefill batch and rank; an 8k-token
///   chunk takes ~0.4 s, so 4 ranks → one line per 100 ms;
/// - aggregated SGLang: decode lines with prefill batches mixed in, one line per 200 ms;
/// - TensorRT-LLM: `print_iter_log` prints every iteration: ~30 ms per generation step on a
///   decode worker, ~150 ms per context (prefill) iteration;
/// - noise (access lines, warnings, tracebacks) arrives in bursts between batches: 20 ms each.
#[derive(Debug, Clone, Copy)]
struct LineRates {
    metric_ms: u64,
    noise_ms: u64,
}

impl LineRates {
    fn of(family: Family, role: &str) -> Self {
        let metric_ms = match (family, role) {
            (Family::Trtllm, "prefill") => 150,
            (Family::Trtllm, _) => 30,
            (_, "prefill") => 100,
            (_, "decode") => 250,
            _ => 200,
        };
        LineRates { metric_ms, noise_ms: 20 }
    }
}

fn write_worker_log(
    out: &mut impl Write,
    family: Family,
    role: &str,
    lines: usize,
    metric_share: f64,
    rng: &mut Rng,
) -> io::Result<()> {
    let rates = LineRates::of(family, role);
    let mut clock = Clock { millis: 0 };
    write_startup(out, family, role, &clock)?;
    let mut iter = 0u64;
    for _ in 0..lines {
        if rng.unit() < metric_share {
            clock.millis += rates.metric_ms;
            write_metric_line(out, family, role, &clock, &mut iter, rng)?;
        } else {
            clock.millis += rates.noise_ms;
            write_noise_line(out, family, &clock, rng)?;
        }
    }
    Ok(())
}

fn write_startup(out: &mut impl Write, family: Family, role: &str, clock: &Clock) -> io::Result<()> {
    match family {
        Family::SglangBracket | Family::SglangDynamo => {
            let ts = clock.bracket();
            writeln!(out, "[{ts}] server_args=ServerArgs(model_path='/model', served_model_name='dsr1', tp_size=4, pp_size=1, dp_size=4, moe_dense_tp_size=1, ep_size=4, enable_dp_attention=True, disaggregation_mode='{role}', max_running_requests=256, context_length=None)")?;
            writeln!(out, "[{ts} DP0 TP0 EP0] Load weight end. elapsed=35.12 s, type=DeepseekV3ForCausalLM, dtype=torch.bfloat16, avail mem=41.20 GB, mem usage=135.02 GB.")?;
            writeln!(out, "[{ts} DP0 TP0 EP0] KV Cache is allocated. #tokens: 524288, KV size: 34.31 GB")?;
            writeln!(out, "Capturing batches (bs=128 avail_mem=6.52 GB):   5%|▌         | 1/20 [00:00<00:03,  5.24it/s]")?;
        }
        Family::Trtllm => {
            let ts = clock.trt();
            writeln!(out, "\x1b[33mrank0 run python3 -m dynamo.trtllm --model-path /model --served-model-name dsr1 --disaggregation-mode {role} --extra-engine-args /logs/trtllm_config_{role}.yaml in background\x1b[0m")?;
            writeln!(out, "[{ts}] [TRT-LLM] [RANK 0] [I] TensorRT-LLM engine args: {{'model': '/model', 'tensor_parallel_size': 4, 'pipeline_parallel_size': 1, 'moe_expert_parallel_size': 4, 'kv_cache_config': {{'free_gpu_memory_fraction': 0.8, 'enable_block_reuse': False}}, 'enable_attention_dp': True, 'max_batch_size': 128, 'max_num_tokens': 8192}}")?;
            writeln!(out, "[{ts}] [TRT-LLM] [RANK 0] [I] Peak memory during memory usage profiling (torch + non-torch): 91.37 GiB, available KV cache memory when calculating max tokens: 78.02 GiB, fraction is set 0.8999999761581421, kv size is 70272")?;
            writeln!(out, "[TensorRT-LLM][INFO] [MemUsageChange] Allocated 70.22 GiB for max tokens in paged KV cache (1135360).")?;
        }
    }
    Ok(())
}

fn write_metric_line(
    out: &mut impl Write,
    family: Family,
    role: &str,
    clock: &Clock,
    iter: &mut u64,
    rng: &mut Rng,
) -> io::Result<()> {
    let rank = rng.below(4);
    let prefill = match role {
        "prefill" => true,
        "decode" => false,
        _ => rng.below(4) == 0,
    };
    match family {
        Family::SglangBracket => {
            let ts = clock.bracket();
            if prefill {
                writeln!(out, "[{ts} DP{rank} TP{rank} EP{rank}] Prefill batch, #new-seq: {}, #new-token: {}, #cached-token: {}, token usage: {:.2}, #running-req: {}, #queue-req: {}, #prealloc-req: {}, #inflight-req: {}, input throughput (token/s): {:.2}, ",
                    1 + rng.below(8), 8192 * (1 + rng.below(4)), rng.below(4096), rng.unit(), rng.below(16), rng.below(64), rng.below(8), rng.below(8), rng.range_f(1e4, 9e4))
            } else {
                writeln!(out, "[{ts} DP{rank} TP{rank} EP{rank}] Decode batch, #running-req: {}, #token: {}, token usage: {:.2}, accept len: {:.2}, accept rate: {:.2}, pre-allocated usage: {:.2}, #prealloc-req: {}, #transfer-req: {}, #retracted-req: 0, cuda graph: True, gen throughput (token/s): {:.2}, #queue-req: {}, ",
                    rng.below(256), rng.below(1 << 20), rng.unit(), rng.range_f(1.0, 3.0), rng.unit(), rng.unit() * 0.1, rng.below(8), rng.below(8), rng.range_f(500.0, 9000.0), rng.below(32))
            }
        }
        Family::SglangDynamo => {
            let ts = clock.iso(rng.below(1000));
            let prefix = format!("\x1b[2m{ts}\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2msglang.srt.managers.scheduler.log_stats\x1b[0m\x1b[2m:\x1b[0m");
            if prefill {
                writeln!(out, "{prefix} Prefill batch. #new-seq: {}, #new-token: {}, #cached-token: {}, token usage: {:.2}, #running-req: {}, #queue-req: {}",
                    1 + rng.below(8), 512 * (1 + rng.below(16)), rng.below(4096), rng.unit(), rng.below(16), rng.below(64))
            } else {
                writeln!(out, "{prefix} Decode batch. #running-req: {}, #token: {}, token usage: {:.2}, gen throughput (token/s): {:.2}, #queue-req: {}",
                    rng.below(256), rng.below(1 << 20), rng.unit(), rng.range_f(500.0, 9000.0), rng.below(32))
            }
        }
        Family::Trtllm => {
            *iter += 1;
            let (ctx_req, ctx_tok, gen_tok) = if prefill {
                (1 + rng.below(4), 1024 * (1 + rng.below(8)), 0)
            } else if rng.below(20) == 0 {
                (0, 0, 0)
            } else {
                (0, 0, 1 + rng.below(128))
            };
            let sched = ctx_req + gen_tok;
            if rng.below(2) == 0 {
                writeln!(out, "[{}] [TRT-LLM] [RANK 0] [I] iter = {}, global_rank = 0, rank = 0, num_scheduled_requests = {sched}, kv_cache_util = {:.3}, currank_total_requests = {sched}/{sched}, host_step_time = {}ms, prev_device_step_time = {}ms, timestamp = {}, states = {{'num_ctx_requests': {ctx_req}, 'num_ctx_tokens': {ctx_tok}, 'num_generation_tokens': {gen_tok}}}",
                    clock.trt(), *iter, rng.unit(), rng.range_f(5.0, 50.0), rng.range_f(5.0, 50.0), clock.bracket())
            } else {
                writeln!(out, "[{}] [TRT-LLM] [RANK 0] [I] iter = {}, global_rank = 0, rank = 0, currank_total_requests = {sched}/{sched}, host_step_time = {}ms, prev_device_step_time = {}ms, timestamp = {}, num_scheduled_requests: {sched}, states = {{'num_ctx_requests': {ctx_req}, 'num_ctx_tokens': {ctx_tok}, 'num_generation_tokens': {gen_tok}}}",
                    clock.trt(), *iter, rng.range_f(5.0, 50.0), rng.range_f(5.0, 50.0), clock.bracket())
            }
        }
    }
}

fn write_noise_line(out: &mut impl Write, family: Family, clock: &Clock, rng: &mut Rng) -> io::Result<()> {
    let ts = clock.bracket();
    match rng.below(10) {
        0..=3 => writeln!(out, "[{ts}] INFO:     127.0.0.1:{} - \"POST /v1/chat/completions HTTP/1.1\" 200 OK", 30000 + rng.below(30000)),
        4 => writeln!(out, "[{ts} DP0 TP0 EP0] Scheduler watchdog: no progress in {} s, current forward_ct={}", rng.below(30), rng.below(1 << 20)),
        5 => writeln!(out, "/usr/local/lib/python3.12/dist-packages/torch/distributed/c10d_logger.py:83: UserWarning: barrier(): using the device under current context. You can specify device_id in init_process_group to mute this warning."),
        6 => writeln!(out, "Loading safetensors checkpoint shards:  {}% Completed | {}/163 [00:12<00:15,  5.87it/s]", rng.below(100), rng.below(163)),
        7 => {
            writeln!(out, "Traceback (most recent call last):")?;
            writeln!(out, "  File \"/sgl-workspace/sglang/python/sglang/srt/disaggregation/decode.py\", line {}, in pop_transferred", rng.below(2000))?;
            writeln!(out, "RuntimeError: KV transfer failed for request {:x}", rng.next())
        }
        8 => writeln!(out, "gen-node:{}:{} [{}] NCCL INFO Channel {:02}/0 : 0[0] -> 1[1] via P2P/CUMEM/read", rng.below(9999), rng.below(9999), rng.below(4), rng.below(32)),
        _ => match family {
            Family::Trtllm => writeln!(out, "[{}] [TRT-LLM] [RANK 0] [W] Request {} exceeded the soft limit of the scheduler queue; deferring", clock.trt(), rng.below(1 << 20)),
            _ => writeln!(out, "[{ts} DP1 TP1 EP1] Receive: obj=GenerateReqInput(rid='{:016x}', text=None, sampling_params={{'max_new_tokens': 1024}})", rng.next()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let args = |dir: &Path| GenCorpusArgs {
            dir: dir.to_path_buf(),
            runs: 3,
            lines: 500,
            seed: 7,
            metric_share: 0.3,
            workers: 3,
        };
        let runs_a = generate(&args(a.path())).unwrap();
        generate(&args(b.path())).unwrap();
        assert_eq!(runs_a.len(), 3);
        for entry in walkdir(a.path()) {
            let rel = entry.strip_prefix(a.path()).unwrap();
            assert_eq!(fs::read(&entry).unwrap(), fs::read(b.path().join(rel)).unwrap(), "{}", rel.display());
        }
    }

    fn walkdir(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walkdir(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
