//! A deliberately plain reference implementation: split the text into lines, strip ANSI with a
//! regex, and match every line against regexes. It is slow and simple; the fast streaming
//! parsers must agree with it (here on the fixture files, in `property.rs` on generated logs).

use std::sync::LazyLock;

use regex::Regex;
use srtlog_model::{BatchMetrics, BatchRow, BatchType, MemoryMetricType, MemoryMetrics, Timestamp};

use crate::common::{fixture, parse_files};

/// Batches and memory snapshots, in log order.
pub type Parsed = (Vec<BatchMetrics>, Vec<MemoryMetrics>);

macro_rules! re {
    ($name:ident, $pat:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| Regex::new($pat).expect("regex"));
    };
}

re!(ANSI, r"\x1b(?:\[[0-?]*[ -/]*[@-~])?");
re!(BRACKET, r"^.*?\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)((?: [A-Z_]+\d+)*)\] ?(.*)$");
re!(TAG, r" ([A-Z_]+)(\d+)");
re!(
    DYNAMO,
    r"^\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?)\s+(?:(?:INFO|WARN|ERROR|DEBUG|TRACE)\s+)?(?:\S+:\s+)?(.*)$"
);
re!(JSON_MSG, r#""message":\s*"((?:[^"\\]|\\.)*)""#);
re!(JSON_TIME, r#""time":\s*"([^"]*)""#);
re!(BATCH, r"^(Prefill|Decode) batch(?: \[\d+\])?[.,](.*)$");
re!(PROGRESS, r"Capturing batches \(bs=\d+ avail_mem=([0-9.]+) GB\)");
re!(AVAIL, r"avail mem=([0-9.]+) GB");
re!(USAGE, r"mem usage=([0-9.]+) GB");
re!(KV_TOKENS, r"#tokens: (\d+)");
re!(K_SIZE, r", K size: ([0-9.]+) GB");
re!(V_SIZE, r", V size: ([0-9.]+) GB");
re!(KV_SIZE, r"KV size: ([0-9.]+) GB");
re!(SUMMARY, r"^max_total_num_tokens=(\d+),.*available_gpu_mem=([0-9.]+) GB");

/// A regex compiled once per pattern (per test thread).
fn cached(pattern: String) -> Regex {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, Regex>> = Default::default();
    }
    CACHE.with(|c| {
        c.borrow_mut().entry(pattern.clone()).or_insert_with(|| Regex::new(&pattern).expect("regex")).clone()
    })
}

struct Prefixed {
    ts: Option<Timestamp>,
    dp: u32,
    tp: u32,
    ep: u32,
    msg: String,
}

fn split(line: &str) -> Prefixed {
    if let Some(c) = DYNAMO.captures(line) {
        return Prefixed { ts: Timestamp::parse(&c[1]), dp: 0, tp: 0, ep: 0, msg: c[2].to_owned() };
    }
    if line.trim_start().starts_with('{') {
        if let Some(c) = JSON_MSG.captures(line) {
            let ts = JSON_TIME.captures(line).and_then(|t| Timestamp::parse(&t[1]));
            return Prefixed { ts, dp: 0, tp: 0, ep: 0, msg: c[1].trim_start().to_owned() };
        }
    }
    if let Some(c) = BRACKET.captures(line) {
        let (mut dp, mut tp, mut ep) = (0, 0, 0);
        for t in TAG.captures_iter(&c[2]) {
            let n: u32 = t[2].parse().unwrap_or(0);
            match &t[1] {
                "DP" => dp = n,
                "TP" => tp = n,
                "EP" => ep = n,
                _ => {}
            }
        }
        return Prefixed { ts: Timestamp::parse(&c[1]), dp, tp, ep, msg: c[3].trim_start().to_owned() };
    }
    Prefixed { ts: None, dp: 0, tp: 0, ep: 0, msg: line.trim_start().to_owned() }
}

/// The value text of field `name` in a `, `-separated list: `Some(Err)` when unparsable.
fn field<T: std::str::FromStr>(fields: &str, name: &str) -> Option<Result<T, ()>> {
    let re = cached(format!(r"(?:^|, ){}: ([^,]*)", regex::escape(name)));
    let c = re.captures(fields)?;
    let word = c[1].trim_start().split(' ').next().unwrap_or("");
    Some(word.parse::<T>().map_err(|_| ()))
}

fn sglang_batch(p: &Prefixed) -> Option<BatchMetrics> {
    let c = BATCH.captures(&p.msg)?;
    let mut b = BatchRow::new(if &c[1] == "Prefill" { BatchType::Prefill } else { BatchType::Decode });
    (b.timestamp, b.dp, b.tp, b.ep) = (p.ts, p.dp, p.tp, p.ep);
    let f = c[2].trim_start();
    let mut bad = false;
    let mut known = 0;
    macro_rules! take {
        ($slot:expr, $ty:ty, $($name:expr),+) => {
            for name in [$($name),+] {
                match field::<$ty>(f, name) {
                    Some(Ok(v)) => { $slot = Some(v); known += 1; }
                    Some(Err(())) => bad = true,
                    None => {}
                }
            }
        };
    }
    take!(b.new_seq, u32, "#new-seq");
    take!(b.new_token, u32, "#new-token");
    take!(b.cached_token, u32, "#cached-token");
    take!(b.token_usage, f64, "token usage", "full token usage");
    take!(b.swa_token_usage, f64, "swa token usage");
    take!(b.running_req, u32, "#running-req");
    take!(b.queue_req, u32, "#queue-req");
    take!(b.prealloc_req, u32, "#prealloc-req");
    take!(b.inflight_req, u32, "#inflight-req");
    take!(b.transfer_req, u32, "#transfer-req", "#transferring-req");
    take!(b.unbootstrapped_req, u32, "#unbootstrapped-req");
    take!(b.retracted_req, u32, "#retracted-req");
    take!(b.num_tokens, u32, "#token", "#full token");
    take!(b.swa_tokens, u32, "#swa token");
    take!(b.input_throughput, f64, "input throughput (token/s)");
    take!(b.gen_throughput, f64, "gen throughput (token/s)");
    take!(b.preallocated_usage, f64, "pre-allocated usage");
    take!(b.accept_len, f64, "accept len");
    take!(b.accept_rate, f64, "accept rate");
    for name in ["cuda graph", "cpu graph"] {
        if let Some(v) = field::<String>(f, name).and_then(Result::ok) {
            match v.as_str() {
                "True" => b.cuda_graph = Some(true),
                "False" => b.cuda_graph = Some(false),
                _ => bad = true,
            }
            known += 1;
        }
    }
    if bad || known == 0 {
        return None;
    }
    Some(b.into())
}

fn num(re: &Regex, s: &str) -> Option<f64> {
    re.captures(s).and_then(|c| c[1].parse().ok())
}

fn sglang_memory(p: &Prefixed, line: &str) -> Option<MemoryMetrics> {
    let events = [
        ("Init torch distributed ends.", "init_torch_distributed_end"),
        ("Load weight begin.", "load_weight_begin"),
        ("Load weight end.", "load_weight_end"),
        ("Memory pool end.", "memory_pool_end"),
        ("Capture cuda graph begin.", "capture_cuda_graph_begin"),
        ("Capture cuda graph end.", "capture_cuda_graph_end"),
    ];
    let stamp = |mut m: MemoryMetrics| {
        (m.timestamp, m.dp, m.tp, m.ep) = (p.ts, p.dp, p.tp, p.ep);
        m
    };
    if let Some((_, event)) = events.iter().find(|(k, _)| p.msg.starts_with(k)) {
        let mut m = stamp(MemoryMetrics::new(MemoryMetricType::Memory, event));
        m.avail_mem_gb = num(&AVAIL, &p.msg);
        m.mem_usage_gb = num(&USAGE, &p.msg);
        return (m.avail_mem_gb.is_some() || m.mem_usage_gb.is_some()).then_some(m);
    }
    if p.msg.starts_with("KV Cache is allocated.") {
        let mut m = stamp(MemoryMetrics::new(MemoryMetricType::KvCache, "kv_cache_allocated"));
        m.kv_tokens = KV_TOKENS.captures(&p.msg).and_then(|c| c[1].parse().ok());
        m.kv_cache_gb = match (num(&K_SIZE, &p.msg), num(&V_SIZE, &p.msg), num(&KV_SIZE, &p.msg)) {
            (Some(k), Some(v), _) => Some(0.0 + k + v),
            (_, _, kv) => kv.map(|v| 0.0 + v),
        };
        return Some(m);
    }
    if let Some(c) = SUMMARY.captures(&p.msg) {
        let mut m = stamp(MemoryMetrics::new(MemoryMetricType::Memory, "scheduler_summary"));
        m.kv_tokens = c[1].parse().ok();
        m.avail_mem_gb = c[2].parse().ok();
        return Some(m);
    }
    if p.msg.starts_with("server_args=") {
        return None;
    }
    let last = PROGRESS.captures_iter(line).last()?;
    let mut m = stamp(MemoryMetrics::new(MemoryMetricType::Memory, "capture_cuda_graph_progress"));
    m.avail_mem_gb = last[1].parse().ok();
    Some(m)
}

fn lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split('\n').map(|l| ANSI.replace_all(l.strip_suffix('\r').unwrap_or(l), "").into_owned())
}

/// The SGLang reference: batches and memory snapshots.
pub fn reference_sglang(text: &str) -> Parsed {
    let (mut batches, mut memory) = (Vec::new(), Vec::new());
    for line in lines(text) {
        let p = split(&line);
        if BATCH.is_match(&p.msg) {
            batches.extend(sglang_batch(&p));
        } else if let Some(m) = sglang_memory(&p, &line) {
            memory.push(m);
        }
    }
    (batches, memory)
}

re!(TRT_PREFIX, r"\[(\d\d)/(\d\d)/(\d{4})-(\d\d:\d\d:\d\d)\]");
re!(TRT_RANK, r"\[RANK (\d+)\]");
re!(ITER, r"(?:^|[ \]])iter = (\d+), (.*)$");
re!(STATES, r"states = \{(.*)\}");
re!(
    PEAK,
    r"Peak memory during memory usage profiling \(torch \+ non-torch\): ([0-9.]+) GiB(?:, available KV cache memory when calculating max tokens: ([0-9.]+) GiB)?"
);
re!(
    WEIGHTS,
    r"Memory used after loading model weights \(inside torch\) in memory usage profiling: ([0-9.]+) GiB"
);
re!(EST, r"Estimated max memory in KV cache : ([0-9.]+) GiB");
re!(ALLOC, r"\[MemUsageChange\] Allocated ([0-9.]+) GiB for max tokens in paged KV cache \((\d+)\)");

fn kv(rest: &str, key: &str) -> Option<String> {
    let re = cached(format!(r"(?:^|, ){key}(?: = |: )([^,]*)"));
    re.captures(rest).map(|c| c[1].trim().to_owned())
}

fn state(states: &str, key: &str) -> Option<u32> {
    let re = cached(format!(r"'{key}': (\d+)"));
    re.captures(states).and_then(|c| c[1].parse().ok())
}

/// The TensorRT-LLM reference: batches (idle iterations dropped) and memory snapshots.
pub fn reference_trtllm(text: &str) -> Parsed {
    let (mut batches, mut memory) = (Vec::new(), Vec::new());
    for line in lines(text) {
        let prefix_ts = TRT_PREFIX
            .captures(&line)
            .and_then(|c| Timestamp::parse(&format!("{}-{}-{} {}", &c[3], &c[1], &c[2], &c[4])));
        let rank: u32 = TRT_RANK.captures(&line).and_then(|c| c[1].parse().ok()).unwrap_or(0);
        if let Some(c) = ITER.captures(&line) {
            let rest = &c[2];
            let Some(states) = STATES.captures(rest).map(|s| s[1].to_owned()) else { continue };
            let mut b = BatchRow::new(BatchType::Decode);
            b.iteration = c[1].parse().ok();
            b.tp = kv(rest, "rank").and_then(|v| v.parse().ok()).unwrap_or(0);
            b.running_req = kv(rest, "num_scheduled_requests").and_then(|v| v.parse().ok());
            // Present but unparsable (not `N/A`) makes the line malformed: skipped.
            let opt = |v: Option<String>| match v.as_deref() {
                None | Some("N/A") => Ok(None),
                Some(v) => v.trim_end_matches("ms").parse::<f64>().map(Some).map_err(|_| ()),
            };
            let (Ok(util), Ok(host), Ok(prev)) = (
                opt(kv(rest, "kv_cache_util")),
                opt(kv(rest, "host_step_time")),
                opt(kv(rest, "prev_device_step_time")),
            ) else {
                continue;
            };
            (b.token_usage, b.host_step_time_ms, b.prev_device_step_time_ms) = (util, host, prev);
            b.timestamp = kv(rest, "timestamp").and_then(|t| Timestamp::parse(&t)).or(prefix_ts);
            b.new_seq = state(&states, "num_ctx_requests");
            b.cached_kv_tokens = state(&states, "cached_kv_tokens");
            let (Some(ctx), Some(gen)) =
                (state(&states, "num_ctx_tokens"), state(&states, "num_generation_tokens"))
            else {
                continue;
            };
            (b.new_token, b.num_tokens) = (Some(ctx), Some(gen));
            if ctx > 0 {
                b.batch_type = BatchType::Prefill;
            } else if gen == 0 {
                continue;
            }
            batches.push(b.into());
            continue;
        }
        let mk = |kind, event: &str| {
            let mut m = MemoryMetrics::new(kind, event);
            (m.timestamp, m.tp) = (prefix_ts, rank);
            m
        };
        if let Some(c) = PEAK.captures(&line) {
            let mut m = mk(MemoryMetricType::Memory, "peak_memory");
            m.mem_usage_gb = c[1].parse().ok();
            m.kv_cache_gb = c.get(2).and_then(|v| v.as_str().parse().ok());
            memory.push(m);
        } else if let Some(c) = WEIGHTS.captures(&line) {
            let mut m = mk(MemoryMetricType::Memory, "model_weights_loaded");
            m.mem_usage_gb = c[1].parse().ok();
            memory.push(m);
        } else if let Some(c) = EST.captures(&line) {
            let mut m = mk(MemoryMetricType::KvCache, "kv_cache_estimated");
            m.kv_cache_gb = c[1].parse().ok();
            memory.push(m);
        } else if let Some(c) = ALLOC.captures(&line) {
            let mut m = mk(MemoryMetricType::KvCache, "kv_cache_allocated");
            m.kv_cache_gb = c[1].parse().ok();
            m.kv_tokens = c[2].parse().ok();
            memory.push(m);
        }
    }
    (batches, memory)
}

fn read(rel: &str) -> String {
    String::from_utf8_lossy(&std::fs::read(fixture(rel)).expect(rel)).into_owned()
}

#[test]
fn reference_agrees_on_sglang_fixtures() {
    for rel in [
        "4401463/logs/eos0219_prefill_w0.out",
        "4401463/logs/eos0220_decode_w0.out",
        "4401463/logs/eos0221_decode_w1.out",
        "3667_1P_1D_20251110_192145/watchtower-navy-cn01_prefill_w0.err",
        "3667_1P_1D_20251110_192145/watchtower-navy-cn02_decode_w0.err",
        "5121/logs/gpu-7_agg_w0.out",
        "5121/logs/gpu-8_agg_w1.out",
    ] {
        let fast = parse_files(&srtlog_parsers_node::SglangParser, &[rel]);
        let (batches, memory) = reference_sglang(&read(rel));
        assert!(!batches.is_empty(), "{rel}");
        assert_eq!(fast.batches, batches, "{rel}");
        assert_eq!(fast.memory_snapshots, memory, "{rel}");
    }
}

#[test]
fn reference_agrees_on_trtllm_fixtures() {
    for rel in ["5120/logs/node-a01_prefill_w0.out", "5120/logs/node-a02_decode_w0.out"] {
        let fast = parse_files(&srtlog_parsers_node::TrtllmParser, &[rel]);
        let (batches, memory) = reference_trtllm(&read(rel));
        assert!(!batches.is_empty(), "{rel}");
        assert_eq!(fast.batches, batches, "{rel}");
        assert_eq!(fast.memory_snapshots, memory, "{rel}");
    }
}
