//! Criterion micro-benchmarks of the worker-log parsers: each line parser on a matching and a
//! non-matching line, and whole synthetic buffers (busy: mostly batch lines; quiet: a few
//! percent metrics lines among noise) through the streaming `parse_reader`, reported in MB/s.
//!
//! Run with `cargo bench -p srtlog-parsers-node`; compile-check with `--no-run`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use srtlog_model::{NodeParser, ParseOptions, WorkerLogData};
use srtlog_parsers_node::{parse_sglang_line, parse_trtllm_line, SglangParser, TrtllmParser};

const SGL_PREFILL: &[u8] = b"[2026-01-16 06:22:17 DP1 TP1 EP1] Prefill batch, #new-seq: 2, #new-token: 16384, #cached-token: 0, token usage: 0.02, #running-req: 0, #queue-req: 1, #prealloc-req: 1, #inflight-req: 2, input throughput (token/s): 12131.25, ";
const SGL_DECODE: &[u8] = b"[2026-01-16 06:23:03 DP0 TP0 EP0] Decode batch, #running-req: 4, #token: 36864, token usage: 0.04, accept len: 2.00, accept rate: 0.50, pre-allocated usage: 0.00, #prealloc-req: 0, #transfer-req: 0, #retracted-req: 0, cuda graph: True, gen throughput (token/s): 300.00, #queue-req: 0, ";
const SGL_DYNAMO: &[u8] = b"\x1b[2m2025-12-30T15:52:12.207169Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mscheduler.log_stats\x1b[0m\x1b[2m:\x1b[0m Decode batch, #running-req: 1, #token: 7524, token usage: 0.01, cuda graph: True, gen throughput (token/s): 216.02, #queue-req: 0, ";
const SGL_MEMORY: &[u8] = b"[2026-01-16 06:20:40 DP0 TP0 EP0] Load weight end. elapsed=20.30 s, type=DeepseekV3ForCausalLM, dtype=torch.bfloat16, avail mem=136.20 GB, mem usage=41.50 GB.";
const SGL_NOISE: &[u8] = b"[2026-01-16 06:21:40] INFO:     127.0.0.1:40250 - \"GET /health HTTP/1.1\" 200 OK";
const TRT_ITER: &[u8] = b"[01/16/2026-06:22:18] [TRT-LLM] [RANK 0] [I] iter = 3, global_rank = 0, rank = 0, num_scheduled_requests = 3, kv_cache_util = 0.020, currank_total_requests = 3/4, host_step_time = 13.962ms, prev_device_step_time = 42.74ms, timestamp = 2026-01-16 06:22:18, states = {'num_ctx_requests': 3, 'num_ctx_tokens': 24576, 'num_generation_tokens': 0, 'cached_kv_tokens': 1024}";
/// The form with `currank_total_requests` and full-precision step times (Python `repr` floats).
const TRT_ITER_REPR: &[u8] = b"[01/16/2026-06:00:01] [TRT-LLM] [RANK 0] [I] iter = 1, global_rank = 0, rank = 0, currank_total_requests = 107/107, host_step_time = 23.948557500125716ms, prev_device_step_time = 36.250716080336105ms, timestamp = 2026-01-16 06:00:01, num_scheduled_requests: 107, states = {'num_ctx_requests': 0, 'num_ctx_tokens': 0, 'num_generation_tokens': 107}";
const TRT_NOISE: &[u8] = b"[01/16/2026-06:20:17] [TRT-LLM] [RANK 1] [W] Logger level already set from environment. Discard new verbosity: info";

fn line_parsers(c: &mut Criterion) {
    let mut g = c.benchmark_group("line");
    for (name, line) in [
        ("sglang_prefill", SGL_PREFILL),
        ("sglang_decode", SGL_DECODE),
        ("sglang_decode_dynamo_ansi", SGL_DYNAMO),
        ("sglang_memory", SGL_MEMORY),
        ("sglang_nonmatching", SGL_NOISE),
    ] {
        g.throughput(Throughput::Bytes(line.len() as u64));
        g.bench_function(name, |b| b.iter(|| parse_sglang_line(black_box(line))));
    }
    for (name, line) in [
        ("trtllm_iteration", TRT_ITER),
        ("trtllm_iteration_repr_floats", TRT_ITER_REPR),
        ("trtllm_nonmatching", TRT_NOISE),
    ] {
        g.throughput(Throughput::Bytes(line.len() as u64));
        g.bench_function(name, |b| b.iter(|| parse_trtllm_line(black_box(line))));
    }
    g.finish();
}

/// A synthetic log of about `bytes` bytes; `metrics_every` = one metrics line per that many lines.
fn synthetic(metrics: &[&[u8]], noise: &[&[u8]], metrics_every: usize, bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 1024);
    let mut i = 0usize;
    while out.len() < bytes {
        let line = if i.is_multiple_of(metrics_every) {
            metrics[(i / metrics_every) % metrics.len()]
        } else {
            noise[i % noise.len()]
        };
        out.extend_from_slice(line);
        out.push(b'\n');
        i += 1;
    }
    out
}

const NOISE: &[&[u8]] = &[
    SGL_NOISE,
    b"eos0219:3101:3101 [1] NCCL INFO Channel 02/0 : 1[1] -> 2[2] via P2P/IPC/read",
    b"/usr/local/lib/python3.12/dist-packages/torch/cuda/__init__.py:63: FutureWarning: The pynvml package is deprecated.",
    b"[2026-01-16 06:23:30 DP1 TP1 EP1] Bootstrap retry succeeded for room 88213.",
    b"  File \"/usr/local/lib/python3.12/dist-packages/sglang/srt/disaggregation/nixl/conn.py\", line 512, in poll",
];

fn whole_buffers(c: &mut Criterion) {
    let size = 8 << 20;
    let busy = synthetic(&[SGL_DECODE, SGL_PREFILL, SGL_DECODE], NOISE, 1, size);
    let quiet = synthetic(&[SGL_DECODE, SGL_MEMORY], NOISE, 40, size);
    let trt = synthetic(&[TRT_ITER], &[TRT_NOISE, NOISE[1]], 2, size);
    let mut g = c.benchmark_group("buffer");
    g.sample_size(20);
    let cases: [(&str, &dyn NodeParser, &Vec<u8>); 3] = [
        ("sglang_busy", &SglangParser, &busy),
        ("sglang_quiet", &SglangParser, &quiet),
        ("trtllm_mixed", &TrtllmParser, &trt),
    ];
    for (name, parser, data) in cases {
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut out = WorkerLogData::default();
                let _ =
                    parser.parse_reader(&mut black_box(data.as_slice()), &ParseOptions::default(), &mut out);
                out.batches.len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, line_parsers, whole_buffers);
criterion_main!(benches);
