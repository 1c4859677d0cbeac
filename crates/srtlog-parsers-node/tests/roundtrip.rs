//! Round-trip properties: a random record, formatted the way SGLang / TensorRT-LLM print it
//! (FORMATS.md 7.1–7.3 and 8.2–8.4), parses back to exactly that record.
//!
//! * SGLang batch lines of every era of FORMATS.md 7.2 (early `.` / late `,` separator, PD and
//!   non-PD, speculative `accept len` / `accept rate`, hybrid SWA pools, optional
//!   ` [forward_ct]`), behind every prefix form of 7.1 (bracket with random `DP`/`PP`/`TP`/`EP`
//!   tags or none, optional fraction, job-runner text before it; dynamo compact with and
//!   without ANSI colours; dynamo JSONL). Floats are printed with two decimals as SGLang's
//!   `{:.2f}` does, and the expected value is that same rounding read back.
//! * SGLang memory lines: `KV Cache is allocated` (MHA `K size` + `V size`, MLA `KV size`) and
//!   the four `Load weight end.` eras.
//! * TensorRT-LLM iteration lines, new and old field order, `N/A` utilisation and device step
//!   time, Python `repr` floats (`12.0`, `1e-05`), with and without `cached_kv_tokens`.
//! * The streaming parser (`parse_reader`, random read sizes) on many generated lines mixed with
//!   noise gives the same batches as the line parser.
//!
//! Counts are generated below 10^19: the parsers read at most 19 digits (a 20-digit count is a
//! malformed line; none occurs in real logs).

// Test helpers outside `#[test]` functions may unwrap too.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::io::{self, Read};

use proptest::prelude::*;
use srtlog_model::{
    BatchMetrics, BatchRow, BatchType, MemoryMetricType, MemoryMetrics, NodeParser, ParseOptions, Timestamp,
    WorkerLogData,
};
use srtlog_parsers_node::{parse_sglang_line, parse_trtllm_line, LineEvent, SglangParser, TrtllmParser};

const CASES: u32 = 256;

// ---------------------------------------------------------------------------------------------
// Values

/// A count as logs print it: mostly small, sometimes up to `u32::MAX` (10 digits: past the
/// 9-digit fast path).
fn count() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..100_000, 1 => any::<u32>()]
}

/// A 64-bit count (iteration numbers, KV pool sizes): mostly small, sometimes up to 19 digits.
fn big_count() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 0u64..100_000, 1 => 0u64..10_000_000_000_000_000_000]
}

/// A float to be printed with `{:.2f}`: ratios, throughputs, and a few very large values (which
/// take the parsers' slow path: more than 15 significant digits).
fn float2() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.0f64..1.0,
        3 => 0.0f64..100_000.0,
        1 => 0.0f64..1e17,
        1 => Just(0.0),
    ]
}

/// `{:.2f}` text and the value it reads back as.
fn two_decimals(v: f64) -> (String, f64) {
    let text = format!("{v:.2}");
    let back = text.parse().unwrap();
    (text, back)
}

/// Python's `repr(float)`: shortest round-trip digits, `12.0` for whole numbers, exponent form
/// (`1e-05`, `1.5e+16`) outside 1e-4 ≤ |x| < 1e16.
fn python_repr(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-4 || v.abs() >= 1e16) {
        let e = format!("{v:e}");
        let (mantissa, exp) = e.split_once('e').unwrap();
        let exp: i32 = exp.parse().unwrap();
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    } else if v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

/// A step time in ms as `repr` prints it.
fn step_ms() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (0u64..100_000_000).prop_map(|n| n as f64 / 1000.0),
        1 => (1u64..100).prop_map(|n| n as f64 * 1e-6),
        1 => 0.0f64..10_000.0,
    ]
}

#[derive(Debug, Clone, Copy)]
struct Clock {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    micros: u32,
}

fn clock() -> impl Strategy<Value = Clock> {
    (2020i32..2031, 1u32..13, 1u32..29, 0u32..24, 0u32..60, 0u32..60, 0u32..1_000_000).prop_map(
        |(year, month, day, hour, minute, second, micros)| Clock {
            year,
            month,
            day,
            hour,
            minute,
            second,
            micros,
        },
    )
}

impl Clock {
    fn date_time(&self, sep: char) -> String {
        let Clock { year, month, day, hour, minute, second, .. } = *self;
        format!("{year:04}-{month:02}-{day:02}{sep}{hour:02}:{minute:02}:{second:02}")
    }

    fn timestamp(&self, micros: u32) -> Timestamp {
        let Clock { year, month, day, hour, minute, second, .. } = *self;
        Timestamp::from_parts(year, month, day, hour, minute, second, micros).unwrap()
    }
}

// ---------------------------------------------------------------------------------------------
// SGLang prefixes (FORMATS.md 7.1)

#[derive(Debug, Clone)]
enum SglangPrefix {
    /// `[YYYY-MM-DD HH:MM:SS[.ffffff][ DPn][ PPn][ TPn][ EPn]] ` after optional runner text.
    Bracket {
        runner: &'static str,
        clock: Clock,
        fraction: bool,
        dp: Option<u32>,
        pp: Option<u32>,
        tp: Option<u32>,
        ep: Option<u32>,
    },
    /// dynamo compact: `ISO-TS  INFO module.func: `, with or without ANSI colours.
    Dynamo { clock: Clock, ansi: bool },
    /// dynamo JSONL: `{"time": .., "message": ..}`.
    Jsonl { clock: Clock },
    /// No prefix at all (progress bars, some launchers).
    Bare,
}

fn sglang_prefix() -> impl Strategy<Value = SglangPrefix> {
    let rank = || proptest::option::of(0u32..64);
    prop_oneof![
        4 => (
            prop::sample::select(vec!["", "srun: ", "\u{1b}[36m[worker]\u{1b}[0m ", "[0] "]),
            clock(),
            any::<bool>(),
            rank(),
            rank(),
            rank(),
            rank()
        )
            .prop_map(|(runner, clock, fraction, dp, pp, tp, ep)| SglangPrefix::Bracket {
                runner,
                clock,
                fraction,
                dp,
                pp,
                tp,
                ep
            }),
        2 => (clock(), any::<bool>()).prop_map(|(clock, ansi)| SglangPrefix::Dynamo { clock, ansi }),
        1 => clock().prop_map(|clock| SglangPrefix::Jsonl { clock }),
        1 => Just(SglangPrefix::Bare),
    ]
}

impl SglangPrefix {
    /// The full line for `message`, and the (timestamp, dp, tp, ep) the parser must report.
    fn line(&self, message: &str) -> (String, Option<Timestamp>, u32, u32, u32) {
        match self {
            SglangPrefix::Bracket { runner, clock, fraction, dp, pp, tp, ep } => {
                let mut s = format!("{runner}[{}", clock.date_time(' '));
                let micros = if *fraction {
                    write!(s, ".{:06}", clock.micros).unwrap();
                    clock.micros
                } else {
                    0
                };
                for (tag, v) in [("DP", dp), ("PP", pp), ("TP", tp), ("EP", ep)] {
                    if let Some(v) = v {
                        write!(s, " {tag}{v}").unwrap();
                    }
                }
                write!(s, "] {message}").unwrap();
                let ts = clock.timestamp(micros);
                (s, Some(ts), dp.unwrap_or(0), tp.unwrap_or(0), ep.unwrap_or(0))
            }
            SglangPrefix::Dynamo { clock, ansi } => {
                let iso = format!("{}.{:06}Z", clock.date_time('T'), clock.micros);
                let s = if *ansi {
                    format!(
                        "\u{1b}[2m{iso}\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m \u{1b}[2mscheduler.log_stats\u{1b}[0m\u{1b}[2m:\u{1b}[0m {message}"
                    )
                } else {
                    format!("{iso}  INFO scheduler.log_stats: {message}")
                };
                (s, Some(clock.timestamp(clock.micros).with_offset(Some(0))), 0, 0, 0)
            }
            SglangPrefix::Jsonl { clock } => {
                let iso = format!("{}.{:06}Z", clock.date_time('T'), clock.micros);
                let s = format!(
                    r#"{{"time": "{iso}", "level": "INFO", "target": "log", "message": "{message}", "log.file": "scheduler.py", "log.line": 1234}}"#
                );
                (s, Some(clock.timestamp(clock.micros).with_offset(Some(0))), 0, 0, 0)
            }
            SglangPrefix::Bare => (message.to_owned(), None, 0, 0, 0),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SGLang batch lines (FORMATS.md 7.2)

/// Every SGLang batch field's random value; each era prints the ones it has.
#[derive(Debug, Clone)]
struct BatchValues {
    counts: [u32; 13],
    floats: [f64; 7],
    cuda_graph: bool,
    cpu: bool,
    forward_ct: Option<u64>,
    spec: bool,
    hybrid: bool,
    input_tp: bool,
}

fn batch_values() -> impl Strategy<Value = BatchValues> {
    (
        prop::array::uniform13(count()),
        prop::array::uniform7(float2()),
        any::<bool>(),
        prop::bool::weighted(0.1),
        proptest::option::weighted(0.2, 0u64..1_000_000),
        any::<bool>(),
        prop::bool::weighted(0.2),
        any::<bool>(),
    )
        .prop_map(|(counts, floats, cuda_graph, cpu, forward_ct, spec, hybrid, input_tp)| BatchValues {
            counts,
            floats,
            cuda_graph,
            cpu,
            forward_ct,
            spec,
            hybrid,
            input_tp,
        })
}

/// The eras of FORMATS.md 7.2.
#[derive(Debug, Clone, Copy)]
enum Era {
    EarlyPrefill,
    EarlyDecode,
    MidPdPrefill,
    MidPdDecode,
    LatePdPrefill,
    LatePrefill,
    LatePdDecode,
    LateDecode,
}

const ERAS: [Era; 8] = [
    Era::EarlyPrefill,
    Era::EarlyDecode,
    Era::MidPdPrefill,
    Era::MidPdDecode,
    Era::LatePdPrefill,
    Era::LatePrefill,
    Era::LatePdDecode,
    Era::LateDecode,
];

type CountSlot = fn(&mut BatchRow) -> &mut Option<u32>;
type RealSlot = fn(&mut BatchRow) -> &mut Option<f64>;

/// A batch line's message under construction, with the record it must parse to.
struct Msg {
    fields: Vec<String>,
    expected: BatchRow,
}

impl Msg {
    fn u(&mut self, name: &str, v: u32, field: CountSlot) {
        self.fields.push(format!("{name}: {v}"));
        *field(&mut self.expected) = Some(v);
    }

    fn f(&mut self, name: &str, v: f64, field: RealSlot) {
        let (text, back) = two_decimals(v);
        self.fields.push(format!("{name}: {text}"));
        *field(&mut self.expected) = Some(back);
    }

    fn graph(&mut self, v: &BatchValues) {
        let name = if v.cpu { "cpu graph" } else { "cuda graph" };
        let text = if v.cuda_graph { "True" } else { "False" };
        self.fields.push(format!("{name}: {text}"));
        self.expected.cuda_graph = Some(v.cuda_graph);
    }

    /// `token usage:` or, for a hybrid pool, its full/SWA replacement.
    fn usage(&mut self, v: &BatchValues, decode: bool) {
        let [.., full_tokens, swa_tokens] = v.counts;
        if v.hybrid {
            if decode {
                self.u("#full token", full_tokens, |b| &mut b.num_tokens);
            }
            self.f("full token usage", v.floats[0], |b| &mut b.token_usage);
            if decode {
                self.u("#swa token", swa_tokens, |b| &mut b.swa_tokens);
            }
            self.f("swa token usage", v.floats[6], |b| &mut b.swa_token_usage);
        } else {
            if decode {
                self.u("#token", full_tokens, |b| &mut b.num_tokens);
            }
            self.f("token usage", v.floats[0], |b| &mut b.token_usage);
        }
    }
}

/// The batch message of `era` (text after the prefix) and the record it must parse to (ranks
/// and timestamp still unset).
fn batch_message(era: Era, v: &BatchValues) -> (String, BatchMetrics) {
    use Era::*;
    let decode = matches!(era, EarlyDecode | MidPdDecode | LatePdDecode | LateDecode);
    let batch_type = if decode { BatchType::Decode } else { BatchType::Prefill };
    let mut m = Msg { fields: Vec::new(), expected: BatchRow::new(batch_type) };
    let [new_seq, new_token, cached, running, queue, prealloc, inflight, transfer, unboot, retracted, _, ..] =
        v.counts;
    let [_, input_tp, gen_tp, prealloc_usage, accept_len, accept_rate, _] = v.floats;
    match era {
        EarlyPrefill | MidPdPrefill | LatePdPrefill | LatePrefill => {
            m.u("#new-seq", new_seq, |b| &mut b.new_seq);
            m.u("#new-token", new_token, |b| &mut b.new_token);
            m.u("#cached-token", cached, |b| &mut b.cached_token);
            m.usage(v, false);
            m.u("#running-req", running, |b| &mut b.running_req);
            match era {
                MidPdPrefill => {
                    m.u("#unbootstrapped-req", unboot, |b| &mut b.unbootstrapped_req);
                    m.u("#queue-req", queue, |b| &mut b.queue_req);
                    m.u("#transferring-req", transfer, |b| &mut b.transfer_req);
                    if v.input_tp {
                        m.f("input throughput (token/s)", input_tp, |b| &mut b.input_throughput);
                    }
                }
                LatePdPrefill => {
                    m.u("#queue-req", queue, |b| &mut b.queue_req);
                    m.u("#prealloc-req", prealloc, |b| &mut b.prealloc_req);
                    m.u("#inflight-req", inflight, |b| &mut b.inflight_req);
                    m.f("input throughput (token/s)", input_tp, |b| &mut b.input_throughput);
                }
                _ => m.u("#queue-req", queue, |b| &mut b.queue_req),
            }
        }
        EarlyDecode => {
            m.u("#running-req", running, |b| &mut b.running_req);
            m.usage(v, true);
            if v.spec {
                m.f("accept len", accept_len, |b| &mut b.accept_len);
            }
            m.f("gen throughput (token/s)", gen_tp, |b| &mut b.gen_throughput);
            m.u("#queue-req", queue, |b| &mut b.queue_req);
        }
        MidPdDecode => {
            m.u("#running-req", running, |b| &mut b.running_req);
            m.usage(v, true);
            m.f("pre-allocated usage", prealloc_usage, |b| &mut b.preallocated_usage);
            m.u("#retracted-req", retracted, |b| &mut b.retracted_req);
            m.graph(v);
            m.f("gen throughput (token/s)", gen_tp, |b| &mut b.gen_throughput);
            m.u("#queue-req", queue, |b| &mut b.queue_req);
        }
        LatePdDecode | LateDecode => {
            m.u("#running-req", running, |b| &mut b.running_req);
            m.usage(v, true);
            if v.spec {
                m.f("accept len", accept_len, |b| &mut b.accept_len);
                m.f("accept rate", accept_rate, |b| &mut b.accept_rate);
            }
            if matches!(era, LatePdDecode) {
                m.f("pre-allocated usage", prealloc_usage, |b| &mut b.preallocated_usage);
                m.u("#prealloc-req", prealloc, |b| &mut b.prealloc_req);
                m.u("#transfer-req", transfer, |b| &mut b.transfer_req);
                m.u("#retracted-req", retracted, |b| &mut b.retracted_req);
            }
            m.graph(v);
            m.f("gen throughput (token/s)", gen_tp, |b| &mut b.gen_throughput);
            m.u("#queue-req", queue, |b| &mut b.queue_req);
        }
    }
    let late = matches!(era, LatePdPrefill | LatePrefill | LatePdDecode | LateDecode);
    let keyword = if decode { "Decode batch" } else { "Prefill batch" };
    let mut text = keyword.to_owned();
    if let Some(ct) = v.forward_ct {
        write!(text, " [{ct}]").unwrap();
    }
    text.push(if late { ',' } else { '.' });
    text.push(' ');
    text.push_str(&m.fields.join(", "));
    match era {
        // Late builds end every field with `, `; mid-2025 PD prefill with a space.
        _ if late => text.push_str(", "),
        MidPdDecode => text.push_str(", "),
        MidPdPrefill => text.push(' '),
        _ => {}
    }
    (text, m.expected.into())
}

fn sglang_batch() -> impl Strategy<Value = (String, BatchMetrics)> {
    (prop::sample::select(ERAS.to_vec()), batch_values(), sglang_prefix()).prop_map(
        |(era, values, prefix)| {
            let (message, mut expected) = batch_message(era, &values);
            let (line, ts, dp, tp, ep) = prefix.line(&message);
            expected.timestamp = ts;
            (expected.dp, expected.tp, expected.ep) = (dp, tp, ep);
            (line, expected)
        },
    )
}

// ---------------------------------------------------------------------------------------------
// SGLang memory lines (FORMATS.md 7.3)

fn memory(metric_type: MemoryMetricType, event: &str) -> MemoryMetrics {
    MemoryMetrics::new(metric_type, event)
}

/// `KV Cache is allocated.` (MHA or MLA) and `Load weight end.` (four eras).
fn sglang_memory() -> impl Strategy<Value = (String, MemoryMetrics)> {
    (0u8..6, big_count(), float2(), float2(), float2(), sglang_prefix()).prop_map(|(kind, tokens, a, b, elapsed, prefix)| {
        let (a_text, a_back) = two_decimals(a);
        let (b_text, b_back) = two_decimals(b);
        let (el_text, _) = two_decimals(elapsed);
        let (message, mut m) = match kind {
            0 => {
                let mut m = memory(MemoryMetricType::KvCache, "kv_cache_allocated");
                m.kv_tokens = Some(tokens);
                m.kv_cache_gb = Some(0.0 + a_back + b_back);
                (format!("KV Cache is allocated. #tokens: {tokens}, K size: {a_text} GB, V size: {b_text} GB"), m)
            }
            1 => {
                let mut m = memory(MemoryMetricType::KvCache, "kv_cache_allocated");
                m.kv_tokens = Some(tokens);
                m.kv_cache_gb = Some(a_back);
                (format!("KV Cache is allocated. #tokens: {tokens}, KV size: {a_text} GB"), m)
            }
            k => {
                let mut m = memory(MemoryMetricType::Memory, "load_weight_end");
                m.avail_mem_gb = Some(a_back);
                let text = match k {
                    2 => format!("Load weight end. type=Qwen3ForCausalLM, dtype=torch.bfloat16, avail mem={a_text} GB"),
                    3 => format!(
                        "Load weight end. type=Qwen3ForCausalLM, dtype=torch.bfloat16, avail mem={a_text} GB, mem usage={b_text} GB."
                    ),
                    4 => format!(
                        "Load weight end. elapsed={el_text} s, type=DeepseekV3ForCausalLM, dtype=torch.bfloat16, avail mem={a_text} GB, mem usage={b_text} GB."
                    ),
                    _ => format!(
                        "Load weight end. elapsed={el_text} s, type=DeepseekV3ForCausalLM, quant=fp8, avail mem={a_text} GB, mem usage={b_text} GB."
                    ),
                };
                if k != 2 {
                    m.mem_usage_gb = Some(b_back);
                }
                (text, m)
            }
        };
        let (line, ts, dp, tp, ep) = prefix.line(&message);
        m.timestamp = ts;
        (m.dp, m.tp, m.ep) = (dp, tp, ep);
        (line, m)
    })
}

// ---------------------------------------------------------------------------------------------
// TensorRT-LLM iteration lines (FORMATS.md 8.2, 8.4)

#[derive(Debug, Clone)]
struct Iteration {
    new_form: bool,
    prefix: u8,
    prefix_clock: Clock,
    clock: Clock,
    iter: u64,
    global_rank: u32,
    rank: u32,
    scheduled: u32,
    kv_util: Option<f64>,
    host_ms: f64,
    device_ms: Option<f64>,
    ctx_requests: u32,
    ctx_tokens: u32,
    gen_tokens: u32,
    cached_kv: Option<u32>,
}

fn iteration() -> impl Strategy<Value = Iteration> {
    let tokens = prop_oneof![2 => Just(0u32), 3 => count()];
    (
        (any::<bool>(), 0u8..4, clock(), clock(), big_count(), 0u32..64, 0u32..64, count()),
        (
            proptest::option::weighted(0.8, 0.0f64..1.0),
            step_ms(),
            proptest::option::weighted(0.8, step_ms()),
            count(),
            tokens.clone(),
            tokens,
            proptest::option::of(count()),
        ),
    )
        .prop_map(
            |(
                (new_form, prefix, prefix_clock, clock, iter, global_rank, rank, scheduled),
                (kv_util, host_ms, device_ms, ctx_requests, ctx_tokens, gen_tokens, cached_kv),
            )| Iteration {
                new_form,
                prefix,
                prefix_clock,
                clock,
                iter,
                global_rank,
                rank,
                scheduled,
                // The old form has no `kv_cache_util`.
                kv_util: kv_util.filter(|_| new_form),
                host_ms,
                device_ms,
                ctx_requests,
                ctx_tokens,
                gen_tokens,
                // The oldest `states` dict has no `cached_kv_tokens`.
                cached_kv: cached_kv.filter(|_| new_form),
            },
        )
}

impl Iteration {
    /// The line and what it must parse to.
    fn render(&self) -> (String, LineEvent) {
        let it = self;
        let kv_text = it.kv_util.map_or("N/A".to_owned(), |u| format!("{u:.3}"));
        let device = it.device_ms.map_or("N/A".to_owned(), |d| format!("{}ms", python_repr(d)));
        let mut states = format!(
            "{{'num_ctx_requests': {}, 'num_ctx_tokens': {}, 'num_generation_tokens': {}",
            it.ctx_requests, it.ctx_tokens, it.gen_tokens
        );
        if let Some(c) = it.cached_kv {
            write!(states, ", 'cached_kv_tokens': {c}").unwrap();
        }
        states.push('}');
        let total = it.scheduled;
        let ts = it.clock.date_time(' ');
        let host = python_repr(it.host_ms);
        let body = if it.new_form {
            format!(
                "iter = {}, global_rank = {}, rank = {}, num_scheduled_requests = {}, kv_cache_util = {kv_text}, \
                 currank_total_requests = {total}/{total}, host_step_time = {host}ms, prev_device_step_time = {device}, \
                 timestamp = {ts}, states = {states}",
                it.iter, it.global_rank, it.rank, it.scheduled
            )
        } else {
            format!(
                "iter = {}, global_rank = {}, rank = {}, currank_total_requests = {total}/{total}, host_step_time = {host}ms, \
                 prev_device_step_time = {device}, timestamp = {ts}, num_scheduled_requests: {}, states = {states}",
                it.iter, it.global_rank, it.rank, it.scheduled
            )
        };
        let c = it.prefix_clock;
        let us_date = format!(
            "[{:02}/{:02}/{:04}-{:02}:{:02}:{:02}]",
            c.month, c.day, c.year, c.hour, c.minute, c.second
        );
        let line = match it.prefix {
            0 => format!("{us_date} [TRT-LLM] [RANK {}] [I] {body}", it.global_rank),
            1 => format!("{us_date} [TRT-LLM] [I] {body}"),
            2 => format!("{}.{:06}Z  INFO trtllm.iter_log: {body}", c.date_time('T'), c.micros),
            _ => body,
        };
        if it.ctx_tokens == 0 && it.gen_tokens == 0 {
            return (line, LineEvent::IdleIteration);
        }
        let mut b = BatchRow::new(if it.ctx_tokens > 0 { BatchType::Prefill } else { BatchType::Decode });
        b.timestamp = Some(it.clock.timestamp(0));
        b.tp = it.rank;
        b.iteration = Some(it.iter);
        b.running_req = Some(it.scheduled);
        b.token_usage = it.kv_util.map(|_| kv_text.parse().unwrap());
        b.host_step_time_ms = Some(host.parse().unwrap());
        b.prev_device_step_time_ms = it.device_ms.map(|d| python_repr(d).parse().unwrap());
        b.new_seq = Some(it.ctx_requests);
        b.new_token = Some(it.ctx_tokens);
        b.num_tokens = Some(it.gen_tokens);
        b.cached_kv_tokens = it.cached_kv;
        (line, LineEvent::Batch(b.into()))
    }
}

// ---------------------------------------------------------------------------------------------
// Streaming

/// A reader that hands out at most `chunk` bytes per call.
struct Chunked<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.data.len().min(out.len()).min(self.chunk.max(1));
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn stream(parser: &dyn NodeParser, text: &str, chunk: usize) -> WorkerLogData {
    let mut data = WorkerLogData::default();
    parser
        .parse_reader(&mut Chunked { data: text.as_bytes(), chunk }, &ParseOptions::default(), &mut data)
        .unwrap();
    data
}

/// Lines no parser may turn into a batch.
const NOISE: &[&str] = &[
    "[2025-08-08 03:34:38] INFO:     127.0.0.1:40256 - \"GET /health HTTP/1.1\" 200 OK",
    "Capturing batches (bs=128 avail_mem=57.52 GB):   5%|▌         | 1/20 [00:00<00:03,  5.24it/s]\rCapturing batches (bs=120 avail_mem=57.40 GB):  10%|█",
    "Traceback (most recent call last):",
    "[TensorRT-LLM][INFO] Number of tokens per block: 32.",
    "NCCL INFO comm 0x5581 rank 0 nranks 8 - Init COMPLETE",
    "",
];

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn sglang_batch_lines_round_trip((line, expected) in sglang_batch()) {
        prop_assert_eq!(parse_sglang_line(line.as_bytes()), LineEvent::Batch(expected.clone()), "{}", line);
        // A CRLF line end changes nothing.
        let crlf = format!("{line}\r");
        prop_assert_eq!(parse_sglang_line(crlf.as_bytes()), LineEvent::Batch(expected), "{}", line);
    }

    #[test]
    fn sglang_memory_lines_round_trip((line, expected) in sglang_memory()) {
        prop_assert_eq!(
            parse_sglang_line(line.as_bytes()),
            LineEvent::Memory { snapshot: expected, limits: None },
            "{}",
            line
        );
    }

    #[test]
    fn trtllm_iteration_lines_round_trip(it in iteration()) {
        let (line, expected) = it.render();
        prop_assert_eq!(parse_trtllm_line(line.as_bytes()), expected, "{}", line);
    }

    #[test]
    fn sglang_stream_round_trips(
        items in prop::collection::vec(
            prop_oneof![
                3 => sglang_batch().prop_map(|(l, b)| (l, Some(b))),
                1 => prop::sample::select(NOISE).prop_map(|l| (l.to_owned(), None)),
            ],
            0..40,
        ),
        chunk in 1usize..300,
        crlf in any::<bool>(),
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let text: String = items.iter().map(|(l, _)| format!("{l}{end}")).collect();
        let expected: Vec<BatchMetrics> = items.into_iter().filter_map(|(_, b)| b).collect();
        let data = stream(&SglangParser, &text, chunk);
        prop_assert_eq!(data.stats.malformed_lines, 0, "{:?}", data.stats.diagnostics);
        prop_assert_eq!(data.batches, expected);
    }

    #[test]
    fn trtllm_stream_round_trips(
        items in prop::collection::vec(
            prop_oneof![
                3 => iteration().prop_map(|it| { let (l, e) = it.render(); (l, Some(e)) }),
                1 => prop::sample::select(NOISE).prop_map(|l| (l.to_owned(), None)),
            ],
            0..40,
        ),
        chunk in 1usize..300,
    ) {
        let text: String = items.iter().map(|(l, _)| format!("{l}\n")).collect();
        let idle = items.iter().filter(|(_, e)| matches!(e, Some(LineEvent::IdleIteration))).count() as u64;
        let expected: Vec<BatchMetrics> = items
            .into_iter()
            .filter_map(|(_, e)| match e {
                Some(LineEvent::Batch(b)) => Some(b),
                _ => None,
            })
            .collect();
        let data = stream(&TrtllmParser, &text, chunk);
        prop_assert_eq!(data.stats.malformed_lines, 0, "{:?}", data.stats.diagnostics);
        prop_assert_eq!(data.stats.idle_iterations, idle);
        prop_assert_eq!(data.batches, expected);
    }
}

#[test]
fn python_repr_matches_python() {
    for (v, text) in [(12.0, "12.0"), (1e-05, "1e-05"), (0.5, "0.5"), (1.5e16, "1.5e+16"), (0.0001, "0.0001")]
    {
        assert_eq!(python_repr(v), text);
    }
}
