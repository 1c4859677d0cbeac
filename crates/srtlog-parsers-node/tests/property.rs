//! Property tests: on generated logs (noise mixed with every line variant, random prefixes,
//! CRLF, random read sizes and line caps), the fast streaming parsers and the regex reference
//! agree, and no input makes a parser panic or lose count of lines and bytes.

use std::io::{self, Read};

use proptest::prelude::*;
use srtlog_model::{NodeParser, ParseOptions, WorkerLogData};
use srtlog_parsers_node::{SglangParser, TrtllmParser};

use crate::reference::{reference_sglang, reference_trtllm};

/// A reader that hands out at most `chunk` bytes per call, to cross every buffer boundary.
pub struct Chunked<'a> {
    pub data: &'a [u8],
    pub chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.data.len().min(out.len()).min(self.chunk.max(1));
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn run(parser: &dyn NodeParser, text: &[u8], chunk: usize, max_line_bytes: usize) -> WorkerLogData {
    let mut data = WorkerLogData::default();
    parser
        .parse_reader(
            &mut Chunked { data: text, chunk },
            &ParseOptions { max_line_bytes, ..ParseOptions::default() },
            &mut data,
        )
        .expect("in-memory reads never fail");
    data
}

/// Two-decimal float text from an integer.
fn f2(n: u32) -> String {
    format!("{}.{:02}", n / 100, n % 100)
}

fn sglang_prefix(kind: u8, n: &[u32; 8]) -> String {
    let t = format!("2026-01-16 06:{:02}:{:02}", n[0] % 60, n[1] % 60);
    let (d, r) = (n[2] % 64, n[3] % 64);
    match kind % 8 {
        0 => format!("[{t} DP{d} TP{d} EP{d}] "),
        1 => format!("[{t} TP{r}] "),
        2 => format!("[{t} PP0 TP{r}] "),
        3 => format!("[{t}.{:06} DP{d} ATTN_CP0 MOE_DP1 TP{r} EP{r}] ", n[4] % 1_000_000),
        4 => format!("[{t}] "),
        5 => format!("\x1b[2m2025-12-30T15:{:02}:{:02}.{:06}Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mscheduler.log_stats\x1b[0m\x1b[2m:\x1b[0m ", n[0] % 60, n[1] % 60, n[4] % 1_000_000),
        6 => format!("srun: task {}: [{t} TP{r}] ", n[5] % 8),
        _ => String::new(),
    }
}

fn sglang_line(kind: u8, prefix: u8, n: &[u32; 8]) -> String {
    let p = sglang_prefix(prefix, n);
    let u = |i: usize| f2(n[i] % 100);
    match kind % 16 {
        0 => format!("{p}Prefill batch, #new-seq: {}, #new-token: {}, #cached-token: {}, token usage: {}, #running-req: {}, #queue-req: {}, #prealloc-req: {}, #inflight-req: {}, input throughput (token/s): {}, ", n[0] % 64, n[1], n[2], u(3), n[4] % 512, n[5] % 512, n[6] % 9, n[7] % 9, f2(n[1])),
        1 => format!("{p}Prefill batch. #new-seq: {}, #new-token: {}, #cached-token: {}, token usage: {}, #running-req: {}, #unbootstrapped-req: {}, #queue-req: {}, #transferring-req: {} ", n[0] % 64, n[1], n[2], u(3), n[4] % 512, n[5] % 9, n[6] % 9, n[7] % 9),
        2 => format!("{p}Decode batch, #running-req: {}, #token: {}, token usage: {}, accept len: {}, accept rate: {}, pre-allocated usage: {}, #prealloc-req: {}, #transfer-req: {}, #retracted-req: {}, cuda graph: {}, gen throughput (token/s): {}, #queue-req: {}, ", n[0] % 512, n[1], u(2), f2(n[3] % 500), u(4), u(5), n[6] % 9, n[7] % 9, n[0] % 3, if n[1].is_multiple_of(2) { "True" } else { "False" }, f2(n[2]), n[3] % 9),
        3 => format!("{p}Decode batch. #running-req: {}, #token: {}, token usage: {}, gen throughput (token/s): {}, #queue-req: {}", n[0] % 512, n[1], u(2), f2(n[3]), n[4] % 9),
        4 => format!("{p}Decode batch [{}], #running-req: {}, #full token: {}, full token usage: {}, #swa token: {}, swa token usage: {}, cpu graph: False, gen throughput (token/s): {}, #queue-req: 0, ", n[7], n[0] % 512, n[1], u(2), n[3], u(4), f2(n[5])),
        5 => format!("{p}Load weight end. elapsed={} s, type=DeepseekV3ForCausalLM, dtype=torch.bfloat16, avail mem={} GB, mem usage={} GB.", f2(n[0] % 9999), f2(n[1] % 20000), f2(n[2] % 20000)),
        6 => format!("{p}KV Cache is allocated. #tokens: {}, K size: {} GB, V size: {} GB", n[0], f2(n[1] % 9999), f2(n[2] % 9999)),
        7 => format!("{p}KV Cache is allocated. #tokens: {}, KV size: {} GB", n[0], f2(n[1] % 9999)),
        8 => format!("{p}max_total_num_tokens={}, chunked_prefill_size=16384, max_prefill_tokens=16384, max_running_requests={}, context_len=163840, available_gpu_mem={} GB", n[0], n[1] % 4096, f2(n[2] % 9999)),
        9 => (0..1 + n[0] % 3).map(|i| format!("\rCapturing batches (bs={} avail_mem={} GB):  {i}%|#  | 1/20 [00:00<00:03,  5.24it/s]", n[1] % 512, f2(n[(2 + i as usize) % 8] % 9999))).collect(),
        10 => format!("{p}Init torch distributed ends. mem usage={} GB", f2(n[0] % 999)),
        11 => format!("[2026-01-16 06:20:11] INFO:     127.0.0.1:{} - \"GET /health HTTP/1.1\" 200 OK", n[0] % 65536),
        12 => format!("[2026-01-16 06:20:11] WARNING scheduler.py:{}: Prefill batch is slow; avail mem is low", n[0] % 999),
        13 => format!("NCCL INFO Channel {:02}/0 : 0[0] -> 1[1] via P2P/IPC batch={}", n[0] % 32, n[1]),
        14 => "Traceback (most recent call last):".to_owned(),
        _ => String::new(),
    }
}

fn trtllm_line(kind: u8, n: &[u32; 8]) -> String {
    let p = format!("[01/16/2026-06:{:02}:{:02}] [TRT-LLM] [RANK {}] [I] ", n[0] % 60, n[1] % 60, n[2] % 8);
    let ts = format!("2026-01-16 06:{:02}:{:02}", n[3] % 60, n[4] % 60);
    let util =
        if n[5].is_multiple_of(4) { "N/A".to_owned() } else { format!("{}.{:03}", n[5] % 2, n[5] % 1000) };
    let prev = if n[6].is_multiple_of(5) {
        "N/A".to_owned()
    } else {
        format!("{}ms", f64::from(n[6] % 100_000) / 7.0)
    };
    let host = f64::from(n[7] % 100_000) / 3.0;
    let states = format!(
        "{{'num_ctx_requests': {}, 'num_ctx_tokens': {}, 'num_generation_tokens': {}{}}}",
        n[0] % 4,
        if n[1].is_multiple_of(3) { n[1] } else { 0 },
        if n[2].is_multiple_of(3) { 0 } else { n[2] % 512 },
        if n[3].is_multiple_of(2) { format!(", 'cached_kv_tokens': {}", n[4] % 4096) } else { String::new() }
    );
    match kind % 10 {
        0 => format!("{p}iter = {}, global_rank = {}, rank = {}, num_scheduled_requests = {}, kv_cache_util = {util}, currank_total_requests = 1/2, host_step_time = {host}ms, prev_device_step_time = {prev}, timestamp = {ts}, states = {states}", n[0], n[1] % 64, n[2] % 8, n[3] % 99),
        1 => format!("{p}iter = {}, global_rank = 0, rank = {}, currank_total_requests = 1/1, host_step_time = {host}ms, prev_device_step_time = {prev}, timestamp = {ts}, num_scheduled_requests: {}, states = {states}", n[0], n[2] % 8, n[3] % 99),
        2 => format!("{p}Peak memory during memory usage profiling (torch + non-torch): {} GiB, available KV cache memory when calculating max tokens: {} GiB, fraction is set 0.8999999761581421, kv size is {}", f2(n[0] % 99999), f2(n[1] % 99999), n[2]),
        3 => format!("{p}Memory used after loading model weights (inside torch) in memory usage profiling: {} GiB", f2(n[0] % 99999)),
        4 => format!("{p}Estimated max memory in KV cache : {} GiB", f2(n[0] % 99999)),
        5 => format!("[TensorRT-LLM][INFO] [MemUsageChange] Allocated {} GiB for max tokens in paged KV cache ({}).", f2(n[0] % 99999), n[1]),
        6 => format!("{p}max_seq_len={}, max_num_requests=32, max_num_tokens=8192, max_batch_size=32", n[0] % 99999),
        7 => format!("[TensorRT-LLM][WARNING] iteration {} took long; memory pressure", n[0]),
        8 => format!("{p}Using LLM with PyTorch backend ({} emory)", n[0]),
        _ => String::new(),
    }
}

fn join(lines: &[String], crlf: bool) -> Vec<u8> {
    let mut text = Vec::new();
    for l in lines {
        text.extend_from_slice(l.as_bytes());
        text.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
    }
    text
}

type Spec = Vec<(u8, u8, [u32; 8])>;

fn specs() -> impl Strategy<Value = Spec> {
    proptest::collection::vec((any::<u8>(), any::<u8>(), any::<[u32; 8]>()), 0..60)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn sglang_fast_path_agrees_with_reference(spec in specs(), crlf in any::<bool>(), chunk in 1usize..4096) {
        let lines: Vec<String> = spec.iter().map(|(k, p, n)| sglang_line(*k, *p, n)).collect();
        let text = join(&lines, crlf);
        let fast = run(&SglangParser, &text, chunk, 1 << 20);
        let (batches, memory) = reference_sglang(&String::from_utf8_lossy(&text));
        prop_assert_eq!(&fast.batches, &batches);
        prop_assert_eq!(&fast.memory_snapshots, &memory);
        prop_assert_eq!(fast.stats.lines, lines.len() as u64);
        prop_assert_eq!(fast.stats.bytes, text.len() as u64);
        prop_assert_eq!(fast.stats.malformed_lines, 0);
    }

    #[test]
    fn trtllm_fast_path_agrees_with_reference(spec in specs(), crlf in any::<bool>(), chunk in 1usize..4096) {
        let lines: Vec<String> = spec.iter().map(|(k, _, n)| trtllm_line(*k, n)).collect();
        let text = join(&lines, crlf);
        let fast = run(&TrtllmParser, &text, chunk, 1 << 20);
        let (batches, memory) = reference_trtllm(&String::from_utf8_lossy(&text));
        prop_assert_eq!(&fast.batches, &batches);
        prop_assert_eq!(&fast.memory_snapshots, &memory);
        prop_assert_eq!(fast.stats.lines, lines.len() as u64);
        prop_assert_eq!(fast.stats.malformed_lines, 0);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096), chunk in 1usize..512, cap in 1usize..300) {
        for parser in [&SglangParser as &dyn NodeParser, &TrtllmParser] {
            let data = run(parser, &bytes, chunk, cap);
            let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            let last = u64::from(!bytes.is_empty() && bytes.last() != Some(&b'\n'));
            prop_assert_eq!(data.stats.lines, newlines + last);
            prop_assert_eq!(data.stats.bytes, bytes.len() as u64);
            prop_assert!(data.stats.diagnostics.len() <= srtlog_model::ParseStats::MAX_DIAGNOSTICS);
        }
    }

    #[test]
    fn marker_soup_never_panics(parts in proptest::collection::vec(prop_oneof![
        Just("batch"), Just("Prefill batch"), Just("Decode batch"), Just(", "), Just(": "), Just("["), Just("]"),
        Just("2026-01-16 06:20:11"), Just(" TP1"), Just("\x1b[2m"), Just("\n"), Just("\r"), Just("+ "), Just("="),
        Just("mem="), Just("avail mem="), Just("KV Cache is allocated."), Just("server_args=ServerArgs("), Just("'"),
        Just("{"), Just("}"), Just("iter = "), Just("states = {"), Just("N/A"), Just("GiB"), Just("1.5"), Just("7"),
        Just("engine args: {"), Just("rank0 run "), Just("-m dynamo.sglang"), Just("trtllm-serve "), Just("\""),
        Just("Capturing batches (bs="), Just("max_total_num_tokens="), Just("\u{fffd}"),
    ], 0..200), chunk in 1usize..256, cap in 8usize..400) {
        let text = parts.concat();
        for parser in [&SglangParser as &dyn NodeParser, &TrtllmParser] {
            let data = run(parser, text.as_bytes(), chunk, cap);
            prop_assert_eq!(data.stats.bytes, text.len() as u64);
        }
    }
}

#[test]
fn long_lines_are_capped_and_counted() {
    let mut text = b"[2026-01-16 06:20:11] server_args=ServerArgs(tp_size=4, ".to_vec();
    text.extend(std::iter::repeat_n(b'x', 100_000));
    text.extend_from_slice(b")\n[2026-01-16 06:20:12 TP0] Decode batch, #running-req: 1, #token: 2, token usage: 0.00, cuda graph: True, gen throughput (token/s): 1.00, #queue-req: 0, \n");
    let data = run(&SglangParser, &text, 7919, 4096);
    assert_eq!((data.stats.truncated_lines, data.stats.lines, data.batches.len()), (1, 2, 1));
    assert_eq!(data.config.tp_size, Some(4), "the kept head of a long line is still parsed");
    let data = run(&SglangParser, &text, 1 << 20, 1 << 20);
    assert_eq!((data.stats.truncated_lines, data.batches.len()), (0, 1));
}
