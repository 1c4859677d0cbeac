//! The SGLang worker-log parser (FORMATS.md section 7).
//!
//! Lines of interest, by their message (the text after the prefix):
//! `Prefill batch[ [n]][.,] fields`, `Decode batch...`, the memory lines of 7.3, the
//! `Capturing batches (bs=.. avail_mem=.. GB)` progress bar, the scheduler summary
//! `max_total_num_tokens=...`, `server_args=ServerArgs(...)`, and launch commands
//! (`[CMD] ...`, `python3 -m sglang.launch_server|dynamo.sglang ...`, xtrace `+ ...`) plus xtrace
//! environment assignments.

use std::io::{self, Read};
use std::sync::OnceLock;

use srtlog_model::{
    BatchMetrics, BatchType, MemoryMetricType, MemoryMetrics, NodeLaunchCommand, NodeParser, ParallelConfig,
    ParseOptions, WorkerLogData,
};

use crate::bytes::{
    after, comma_fields, find, has_esc, lossy, parse_bool, parse_f64, parse_u32, parse_u64, split_field,
    starts_with, strip_ansi_into, strip_cr, trim_start,
};
use crate::event::{apply, LineEvent};
use crate::launch::{parse_command, Program};
use crate::prefix::{split_sglang, Prefix};
use crate::pyrepr::{bracket_body, kwargs};
use crate::scan::{scan_lines, Markers};
use crate::xtrace::parse_xtrace;

/// The SGLang worker-log parser, registered as `sglang`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SglangParser;

inventory::submit! { srtlog_model::NodeParserRegistration::new(&SglangParser) }

/// Substrings one of which every line of interest contains.
const MARKERS: &[&[u8]] = &[
    b"batch",       // Prefill batch / Decode batch / Capturing batches
    b"mem=",        // avail mem=, avail_mem=, available_gpu_mem=
    b"mem usage=",  // Init torch distributed ends. mem usage=
    b"KV Cache is", // KV Cache is allocated
    b"server_args=",
    b"[CMD]",
    b"-m sglang.launch_server",
    b"-m dynamo.sglang",
];
/// Markers that must start a line (bash xtrace).
const LINE_START_MARKERS: &[&[u8]] = &[b"+"];

pub(crate) fn markers() -> Option<&'static Markers> {
    static M: OnceLock<Option<Markers>> = OnceLock::new();
    M.get_or_init(|| Markers::new(MARKERS, LINE_START_MARKERS)).as_ref()
}

/// Parses one SGLang log line (any prefix form; ANSI escapes allowed; a trailing `\r` ignored).
///
/// ```
/// use srtlog_parsers_node::{parse_sglang_line, LineEvent};
/// let line = b"[2026-01-16 06:21:03 DP1 TP1 EP1] Decode batch, #running-req: 12, #token: 9000, \
///              token usage: 0.05, cuda graph: True, gen throughput (token/s): 812.40, #queue-req: 0, ";
/// let LineEvent::Batch(b) = parse_sglang_line(line) else { panic!("not a batch") };
/// assert_eq!((b.dp, b.running_req, b.cuda_graph), (1, Some(12), Some(true)));
/// ```
pub fn parse_sglang_line(line: &[u8]) -> LineEvent {
    parse_line_with(line, &mut Vec::new())
}

/// [`parse_sglang_line`] with a reusable scratch buffer for ANSI stripping.
pub(crate) fn parse_line_with(line: &[u8], scratch: &mut Vec<u8>) -> LineEvent {
    let line = strip_cr(line);
    let line = if has_esc(line) {
        strip_ansi_into(line, scratch);
        &scratch[..]
    } else {
        line
    };
    let p = split_sglang(line);
    let msg = p.message;
    if let Some(rest) = msg.strip_prefix(b"Prefill batch") {
        return batch(&p, BatchType::Prefill, rest);
    }
    if let Some(rest) = msg.strip_prefix(b"Decode batch") {
        return batch(&p, BatchType::Decode, rest);
    }
    if let Some(event) = memory_line(&p, msg) {
        return event;
    }
    if starts_with(msg, b"server_args=") {
        return server_args(msg);
    }
    if let Some(at) = memchr::memmem::rfind(line, b"Capturing batches (") {
        return progress_bar(&p, &line[at..]);
    }
    if let Some(cmd) = after(line, b"[CMD]") {
        return command_event(cmd);
    }
    let t = trim_start(line);
    if t.first() == Some(&b'+') {
        return parse_xtrace(t, Program::Sglang);
    }
    if find(msg, b"-m sglang.launch_server").is_some() || find(msg, b"-m dynamo.sglang").is_some() {
        return command_event(msg);
    }
    LineEvent::Ignored
}

fn command_event(cmd: &[u8]) -> LineEvent {
    match parse_command(&lossy(cmd), Program::Sglang) {
        Some(c) => LineEvent::LaunchCommand(c),
        None => LineEvent::Ignored,
    }
}

fn new_batch(p: &Prefix<'_>, batch_type: BatchType) -> BatchMetrics {
    let mut b = BatchMetrics::new(batch_type);
    b.timestamp = p.timestamp;
    b.dp = p.dp;
    b.tp = p.tp;
    b.ep = p.ep;
    b
}

/// Parses the part after `Prefill batch` / `Decode batch`.
fn batch(p: &Prefix<'_>, batch_type: BatchType, rest: &[u8]) -> LineEvent {
    let mut rest = rest;
    // Optional ` [forward_ct]`.
    if let Some(r) = rest.strip_prefix(b" [") {
        match memchr::memchr(b']', r) {
            Some(close) if parse_u64(&r[..close]).is_some() => rest = &r[close + 1..],
            _ => return LineEvent::Malformed("bad forward count after batch keyword"),
        }
    }
    let Some(fields) = rest.strip_prefix(b".").or_else(|| rest.strip_prefix(b",")) else {
        return LineEvent::Malformed("batch keyword not followed by `.` or `,`");
    };
    let mut b = new_batch(p, batch_type);
    let mut known = 0u32;
    for field in comma_fields(fields) {
        let Some((name, value)) = split_field(field, b": ") else { continue };
        let ok = match name {
            b"#new-seq" => set_u64(&mut b.new_seq, value),
            b"#new-token" => set_u64(&mut b.new_token, value),
            b"#cached-token" => set_u64(&mut b.cached_token, value),
            b"token usage" | b"full token usage" => set_f64(&mut b.token_usage, value),
            b"swa token usage" => set_f64(&mut b.swa_token_usage, value),
            b"#running-req" => set_u64(&mut b.running_req, value),
            b"#queue-req" => set_u64(&mut b.queue_req, value),
            b"#prealloc-req" => set_u64(&mut b.prealloc_req, value),
            b"#inflight-req" => set_u64(&mut b.inflight_req, value),
            b"#transfer-req" | b"#transferring-req" => set_u64(&mut b.transfer_req, value),
            b"#unbootstrapped-req" => set_u64(&mut b.unbootstrapped_req, value),
            b"#retracted-req" => set_u64(&mut b.retracted_req, value),
            b"#token" | b"#full token" => set_u64(&mut b.num_tokens, value),
            b"#swa token" => set_u64(&mut b.swa_tokens, value),
            b"input throughput (token/s)" => set_f64(&mut b.input_throughput, value),
            b"gen throughput (token/s)" => set_f64(&mut b.gen_throughput, value),
            b"pre-allocated usage" => set_f64(&mut b.preallocated_usage, value),
            b"accept len" => set_f64(&mut b.accept_len, value),
            b"accept rate" => set_f64(&mut b.accept_rate, value),
            b"cuda graph" | b"cpu graph" => {
                parse_bool(first_word(value)).map(|v| b.cuda_graph = Some(v)).is_some()
            }
            _ => continue,
        };
        if !ok {
            return LineEvent::Malformed("unparsable value in batch line");
        }
        known += 1;
    }
    if known == 0 {
        return LineEvent::Malformed("batch line without known fields");
    }
    LineEvent::Batch(b)
}

/// The first space-separated word of a value, without a trailing `,` (some builds omit the
/// `, ` before the next field; a line whose trailing space was stripped ends in `,`).
fn first_word(value: &[u8]) -> &[u8] {
    let v = trim_start(value);
    let v = match memchr::memchr(b' ', v) {
        Some(i) => &v[..i],
        None => v,
    };
    v.strip_suffix(b",").unwrap_or(v)
}

fn set_u64(slot: &mut Option<u64>, value: &[u8]) -> bool {
    parse_u64(first_word(value)).map(|v| *slot = Some(v)).is_some()
}

fn set_f64(slot: &mut Option<f64>, value: &[u8]) -> bool {
    parse_f64(first_word(value)).map(|v| *slot = Some(v)).is_some()
}

/// The number right after `key` (e.g. `avail mem=`), up to the first byte that cannot be in a
/// number. `Some(None)` when the key is present but no number follows.
fn number_after(msg: &[u8], key: &[u8]) -> Option<Option<f64>> {
    let rest = trim_start(after(msg, key)?);
    let end = rest
        .iter()
        .position(|c| !(c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e')))
        .unwrap_or(rest.len());
    let num = rest[..end].strip_suffix(b".").unwrap_or(&rest[..end]);
    Some(parse_f64(num))
}

fn new_memory(p: &Prefix<'_>, metric_type: MemoryMetricType, event: &str) -> MemoryMetrics {
    let mut m = MemoryMetrics::new(metric_type, event);
    m.timestamp = p.timestamp;
    m.dp = p.dp;
    m.tp = p.tp;
    m.ep = p.ep;
    m
}

/// The memory lines of FORMATS.md 7.3 (except the progress bar).
fn memory_line(p: &Prefix<'_>, msg: &[u8]) -> Option<LineEvent> {
    const EVENTS: &[(&[u8], &str)] = &[
        (b"Init torch distributed ends.", "init_torch_distributed_end"),
        (b"Load weight begin.", "load_weight_begin"),
        (b"Load weight end.", "load_weight_end"),
        (b"Memory pool end.", "memory_pool_end"),
        (b"Capture cuda graph begin.", "capture_cuda_graph_begin"),
        (b"Capture cuda graph end.", "capture_cuda_graph_end"),
    ];
    if let Some(&(_, event)) = EVENTS.iter().find(|(k, _)| starts_with(msg, k)) {
        let mut m = new_memory(p, MemoryMetricType::Memory, event);
        let avail = number_after(msg, b"avail mem=");
        let usage = number_after(msg, b"mem usage=");
        if avail == Some(None) || usage == Some(None) {
            return Some(LineEvent::Malformed("unparsable memory value"));
        }
        m.avail_mem_gb = avail.flatten();
        m.mem_usage_gb = usage.flatten();
        if m.avail_mem_gb.is_none() && m.mem_usage_gb.is_none() {
            return Some(LineEvent::Ignored); // e.g. the old `Capture cuda graph begin.` line
        }
        return Some(LineEvent::Memory { snapshot: m, limits: None });
    }
    if let Some(rest) = msg.strip_prefix(b"KV Cache is allocated.") {
        let mut m = new_memory(p, MemoryMetricType::KvCache, "kv_cache_allocated");
        let mut ok = true;
        for field in comma_fields(rest) {
            let Some((name, value)) = split_field(field, b": ") else { continue };
            let gb = || parse_f64(value.strip_suffix(b"GB").unwrap_or(value));
            match name {
                b"#tokens" => ok &= set_u64(&mut m.kv_tokens, value),
                b"K size" | b"V size" | b"KV size" => match gb() {
                    Some(v) => m.kv_cache_gb = Some(m.kv_cache_gb.unwrap_or(0.0) + v),
                    None => ok = false,
                },
                _ => {}
            }
        }
        if !ok || (m.kv_tokens.is_none() && m.kv_cache_gb.is_none()) {
            return Some(LineEvent::Malformed("unparsable KV cache line"));
        }
        return Some(LineEvent::Memory { snapshot: m, limits: None });
    }
    if starts_with(msg, b"max_total_num_tokens=") {
        return Some(scheduler_summary(p, msg));
    }
    None
}

/// `max_total_num_tokens=N, chunked_prefill_size=N, max_prefill_tokens=N,
/// max_running_requests=N, context_len=N, available_gpu_mem=X GB`.
fn scheduler_summary(p: &Prefix<'_>, msg: &[u8]) -> LineEvent {
    let mut m = new_memory(p, MemoryMetricType::Memory, "scheduler_summary");
    let mut limits = ParallelConfig::default();
    for field in comma_fields(msg) {
        let Some((name, value)) = split_field(field, b"=") else { continue };
        match name {
            b"max_total_num_tokens" => m.kv_tokens = parse_u64(value),
            b"chunked_prefill_size" => limits.max_num_tokens = parse_u64(value),
            b"max_running_requests" => limits.max_running_requests = parse_u64(value),
            b"context_len" => limits.context_length = parse_u64(value),
            b"available_gpu_mem" => m.avail_mem_gb = parse_f64(value.strip_suffix(b"GB").unwrap_or(value)),
            _ => {}
        }
    }
    if m.kv_tokens.is_none() {
        return LineEvent::Malformed("unparsable max_total_num_tokens");
    }
    LineEvent::Memory { snapshot: m, limits: Some(limits) }
}

/// The last `Capturing batches (bs=N avail_mem=X GB)` fragment of a progress-bar line.
fn progress_bar(p: &Prefix<'_>, frag: &[u8]) -> LineEvent {
    let mut m = new_memory(p, MemoryMetricType::Memory, "capture_cuda_graph_progress");
    match number_after(frag, b"avail_mem=") {
        Some(Some(v)) => m.avail_mem_gb = Some(v),
        _ => return LineEvent::Malformed("progress bar without avail_mem"),
    }
    LineEvent::Memory { snapshot: m, limits: None }
}

/// `server_args=ServerArgs(...)`: sizes and limits, keys matched whole.
fn server_args(msg: &[u8]) -> LineEvent {
    let Some(open) = memchr::memchr(b'(', msg) else {
        return LineEvent::Malformed("server_args without `(`");
    };
    let mut c = ParallelConfig::default();
    let small = |v: &[u8]| parse_u32(v);
    let mut any = false;
    for (key, value) in kwargs(bracket_body(msg, open)) {
        match key {
            b"tp_size" => c.tp_size = small(value),
            b"dp_size" => c.dp_size = small(value),
            b"ep_size" => c.ep_size = small(value),
            b"pp_size" => c.pp_size = small(value),
            b"enable_dp_attention" => c.enable_dp_attention = parse_bool(value),
            b"max_running_requests" => c.max_running_requests = parse_u64(value),
            b"context_length" => c.context_length = parse_u64(value),
            b"chunked_prefill_size" => c.max_num_tokens = parse_u64(value),
            _ => continue,
        }
        any = true;
    }
    if !any {
        return LineEvent::Malformed("server_args without known keys");
    }
    LineEvent::Config(c)
}

impl NodeParser for SglangParser {
    fn name(&self) -> &'static str {
        "sglang"
    }

    fn accepts_backend(&self, backend: &str) -> bool {
        backend.to_ascii_lowercase().contains("sglang")
    }

    fn sniff(&self, head: &[u8]) -> bool {
        crate::sniff::sglang(head)
    }

    fn parse_reader(
        &self,
        reader: &mut dyn Read,
        options: &ParseOptions,
        out: &mut WorkerLogData,
    ) -> io::Result<()> {
        let markers = markers().ok_or_else(|| io::Error::other("sglang markers failed to build"))?;
        let mut scratch = Vec::new();
        let mut stats = std::mem::take(&mut out.stats);
        let result = scan_lines(reader, options, markers, &mut stats, |line_no, line, stats| {
            let event = parse_line_with(line, &mut scratch);
            apply(out, stats, line_no, line, event);
        });
        out.stats = stats;
        result
    }

    fn parse_launch_command(&self, command: &str) -> Option<NodeLaunchCommand> {
        parse_command(command, Program::Sglang)
    }
}
