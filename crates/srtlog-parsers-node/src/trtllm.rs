//! The TensorRT-LLM worker-log parser (FORMATS.md section 8): `dynamo.trtllm` or `trtllm-serve`
//! workers started by `trtllm-llmapi-launch`.
//!
//! Lines of interest: iteration lines (`iter = ..`, both the new and the old field order,
//! matched by name), the memory lines of 8.5, the `TensorRT-LLM engine args: {...}` dict
//! (parallelism, limits; the `Config(...)` line is deliberately ignored: it shows dynamo's CLI
//! defaults), the `max_seq_len=.., max_num_requests=..` limits line, launch commands
//! (`rank0 run <cmd> in background`, `trtllm-serve ...`, `python3 -m dynamo.trtllm ...`,
//! xtrace) and xtrace environment assignments.
//!
//! Mapping to [`BatchMetrics`]: `running_req` = `num_scheduled_requests`, `new_seq` =
//! `num_ctx_requests`, `new_token` = `num_ctx_tokens`, `num_tokens` = `num_generation_tokens`,
//! `token_usage` = `kv_cache_util`, plus `iteration`, `host_step_time_ms`,
//! `prev_device_step_time_ms`, `cached_kv_tokens` (the oldest form's `elapsed_time = {s}s` is
//! the same host step time in seconds and is stored ×1000 in `host_step_time_ms`). An iteration with context tokens is a
//! prefill batch, one with only generation tokens a decode batch, one with neither is idle
//! (counted in `ParseStats::idle_iterations`, not reported). `tp` is the line's `rank` (the
//! rank inside this model instance; `global_rank` is ignored), `dp` and `ep` stay 0. No
//! throughput is derived.
//!
//! Older forms seen in the field (`tests/eras.rs`): the Triton `tensorrtllm_backend`'s
//! iteration statistics (2023-24), one JSON object per line after a glog prefix (see
//! `triton_stats`: a paste that hard-wraps the object over lines is damaged, one malformed
//! line); the PyTorch backend's `elapsed_time = {s}s` lines (Apr 2025); and 1.x startup lines,
//! of which `Use {x} GB for model weights.` is the `model_weights` snapshot (`mem_usage_gb`, GB
//! as logged). The profiling lines with no field of their own (`Memory used after loading
//! model weights (outside torch)`, `Memory dynamically allocated during inference`, `Memory
//! used outside torch`, the device total in the peak line) are not kept.

use std::io::{self, Read};
use std::sync::OnceLock;

use srtlog_model::{
    BatchMetrics, BatchType, CountField, MemoryMetricType, MemoryMetrics, NodeLaunchCommand, NodeParser,
    ParallelConfig, ParseOptions, RealField, WorkerLogData,
};

use crate::bytes::{
    after, comma_fields, eq_words, field_end, find, has_esc, leading_decimal_digits, leading_integer, lossy,
    parse_bool, parse_f64, parse_u32, parse_u64, split_field, starts_with, strip_ansi_into, strip_cr, trim,
    trim_start,
};
use crate::dates::{DateMemo, IsoMemo};
use crate::event::{apply, LineEvent};
use crate::launch::{parse_command, Program};
use crate::prefix::{split_trtllm, Prefix};
use crate::pyrepr::{bracket_body, dict_items, flat_dict_items};
use crate::scan::{scan_lines, Markers};
use crate::xtrace::parse_xtrace;

/// The TensorRT-LLM worker-log parser, registered as `trtllm`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrtllmParser;

inventory::submit! { srtlog_model::NodeParserRegistration::new(&TrtllmParser) }

const MARKERS: &[&[u8]] = &[
    b"iter = ",        // iteration lines
    b"emory ",         // Peak memory / Memory used after loading / max memory in KV cache
    b"paged KV cache", // [MemUsageChange] Allocated .. for max tokens in paged KV cache
    b"max_seq_len=",
    b"engine args",
    b"for model weights",        // Use 63.32 GB for model weights.
    b"\"Active Request Count\"", // Triton backend iteration statistics (JSON)
    b"rank0 run ",
    b"trtllm-serve ",
    b"-m dynamo.trtllm",
];
const LINE_START_MARKERS: &[&[u8]] = &[b"+"];

pub(crate) fn markers() -> Option<&'static Markers> {
    static M: OnceLock<Option<Markers>> = OnceLock::new();
    M.get_or_init(|| Markers::new(MARKERS, LINE_START_MARKERS)).as_ref()
}

/// Parses one TensorRT-LLM worker-log line, exactly as the streaming parser does: a line without
/// one of the parser's markers as written is [`LineEvent::Ignored`].
///
/// ```
/// use srtlog_parsers_node::{parse_trtllm_line, LineEvent};
/// let line = b"[01/16/2026-06:22:01] [TRT-LLM] [RANK 0] [I] iter = 42, global_rank = 0, rank = 0, \
///   num_scheduled_requests = 3, kv_cache_util = N/A, currank_total_requests = 3/3, \
///   host_step_time = 12.5ms, prev_device_step_time = N/A, timestamp = 2026-01-16 06:22:01, \
///   states = {'num_ctx_requests': 1, 'num_ctx_tokens': 1024, 'num_generation_tokens': 2}";
/// let LineEvent::Batch(b) = parse_trtllm_line(line) else { panic!("not a batch") };
/// assert_eq!((b.iteration(), b.new_token(), b.token_usage()), (Some(42), Some(1024), None));
/// ```
pub fn parse_trtllm_line(line: &[u8]) -> LineEvent {
    // The streaming parser only looks at lines that hold a marker as written; a line whose
    // marker shows only once escape codes are stripped (`i\x1b[0mter = `) is ignored here too,
    // so that the two always agree (found by the `trtllm_stream` fuzz target).
    if markers().is_some_and(|m| !m.line_matches(line)) {
        return LineEvent::Ignored;
    }
    parse_line_with(line, has_esc(line), &mut Vec::new(), &mut DateMemo::default())
}

/// Parses one line; `has_esc`: whether `line` holds an ESC byte (the scanner knows it from the
/// search for the line's ends).
pub(crate) fn parse_line_with(
    line: &[u8],
    has_esc: bool,
    scratch: &mut Vec<u8>,
    dates: &mut DateMemo,
) -> LineEvent {
    let line = strip_cr(line);
    let line = if has_esc {
        strip_ansi_into(line, scratch);
        &scratch[..]
    } else {
        line
    };
    let p = split_trtllm(line, dates);
    let msg = p.message;
    // Most lines of interest start their message with a fixed phrase: test those first, with
    // no search at all.
    if starts_with(msg, b"iter = ") {
        return iteration(&p, msg, &mut dates.field_iso);
    }
    if let Some(rest) = msg.strip_prefix(b"Peak memory during memory usage profiling (torch + non-torch):") {
        return peak_memory(&p, rest);
    }
    if let Some(rest) =
        msg.strip_prefix(b"Memory used after loading model weights (inside torch) in memory usage profiling:")
    {
        return gib_event(&p, MemoryMetricType::Memory, "model_weights_loaded", rest, |m, v| {
            m.mem_usage_gb = Some(v)
        });
    }
    if let Some(rest) = msg.strip_prefix(b"Estimated max memory in KV cache :") {
        return gib_event(&p, MemoryMetricType::KvCache, "kv_cache_estimated", rest, |m, v| {
            m.kv_cache_gb = Some(v)
        });
    }
    if let Some(rest) = msg.strip_prefix(b"[MemUsageChange] Allocated ") {
        if find(rest, b"paged KV cache").is_some() {
            return kv_allocated(&p, rest);
        }
    }
    if let Some(rest) = msg.strip_prefix(b"TensorRT-LLM engine args:") {
        return engine_args(rest);
    }
    if let Some(rest) = msg.strip_prefix(b"Use ") {
        if find(rest, b" GB for model weights").is_some() {
            // The PyTorch backend's model size (1.x), in GB as logged.
            return gib_event(&p, MemoryMetricType::Memory, "model_weights", rest, |m, v| {
                m.mem_usage_gb = Some(v)
            });
        }
    }
    if starts_with(msg, b"max_seq_len=") {
        return limits_line(msg);
    }
    if starts_with(msg, b"Initializing the worker with config") {
        // `Config(...)`: dynamo's CLI defaults, not the engine's values (FORMATS.md 8.3).
        return LineEvent::Ignored;
    }
    let t = trim_start(line);
    if let Some(rest) = t.strip_prefix(b"rank0 run ") {
        let cmd = match find(rest, b" in background") {
            Some(end) => &rest[..end],
            None => rest,
        };
        return command_event(cmd);
    }
    if t.first() == Some(&b'+') {
        return parse_xtrace(t, Program::Trtllm);
    }
    if let Some(open) = find(msg, b"{\"Active Request Count\"") {
        return triton_stats(&msg[open..]);
    }
    // Prefixes this parser does not know: an iteration anywhere after a `]` or a space.
    if let Some(at) = find(msg, b"iter = ") {
        if at > 0 && matches!(msg[at - 1], b' ' | b']') && find(&msg[at..], b"states = {").is_some() {
            return iteration(&p, &msg[at..], &mut dates.field_iso);
        }
    }
    if find(msg, b"-m dynamo.trtllm").is_some() || find(msg, b"trtllm-serve ").is_some() {
        return command_event(msg);
    }
    LineEvent::Ignored
}

fn command_event(cmd: &[u8]) -> LineEvent {
    match parse_command(&lossy(cmd), Program::Trtllm) {
        Some(c) => LineEvent::LaunchCommand(c),
        None => LineEvent::Ignored,
    }
}

/// A value that may be `N/A`: `Ok(None)` for `N/A`, `Err` when unparsable.
fn opt_f64(v: &[u8]) -> Result<Option<f64>, ()> {
    let v = trim(v);
    let v = v.strip_suffix(b"ms").unwrap_or(v);
    if v == b"N/A" {
        return Ok(None);
    }
    parse_f64(v).map(Some).ok_or(())
}

/// Sets `field` from a value that may be `N/A` (left unset); `false` when unparsable.
fn set_opt_real(b: &mut BatchMetrics, field: RealField, value: &[u8]) -> bool {
    match opt_f64(value) {
        Ok(Some(v)) => {
            b.set_real(field, v);
            true
        }
        Ok(None) => true,
        Err(()) => false,
    }
}

/// `iter = ...` in either field order (FORMATS.md 8.4), in one pass: each field is an
/// identifier, ` = ` or `: `, and a value up to the next `, `; the last field is
/// `states = {...}`. Unknown fields are skipped.
fn iteration(p: &Prefix<'_>, body: &[u8], field_iso: &mut IsoMemo) -> LineEvent {
    let mut b = BatchMetrics::new(BatchType::Decode);
    b.timestamp = p.timestamp;
    let n = body.len();
    let mut i = 0;
    let mut states = None;
    while i < n {
        // The names TensorRT-LLM prints are recognised whole, with no byte-by-byte scan: a
        // name followed by ` = ` or `: ` is exactly what the scan below would find there.
        let (field, value_start) = match known_name(&body[i..]) {
            Some((value_at, field)) => (field, i + value_at),
            // Any other identifier sets nothing: a known name followed by ` = ` or `: ` is
            // exactly what `known_name` matched, and a field without that separator is
            // skipped below.
            None => {
                while i < n && (body[i].is_ascii_alphanumeric() || body[i] == b'_') {
                    i += 1;
                }
                let rest = &body[i..];
                let value_start = if rest.starts_with(b" = ") {
                    i + 3
                } else if rest.starts_with(b": ") {
                    i + 2
                } else {
                    // Not `name = value`: skip to the next field.
                    i = (field_end(body, i) + 2).min(n);
                    continue;
                };
                (IterField::Other, value_start)
            }
        };
        if let IterField::States = field {
            states = Some(value_start);
            break;
        }
        // The printed forms (`12`, `0.567`, `25.966103483018596ms`, `N/A`) are read where the
        // value starts, their end found by the parse; any other text takes the general rule on
        // the value up to the next `, `.
        if let Some(next) = fast_iteration_value(&mut b, field, body, value_start, field_iso) {
            i = next;
            continue;
        }
        let end = field_end(body, value_start);
        let value = &body[value_start..end];
        i = (end + 2).min(n);
        let ok = match field {
            IterField::Iter => {
                if let Some(v) = parse_u64(value) {
                    b.set_iteration(v);
                }
                true
            }
            IterField::Rank => parse_u32(value).map(|r| b.tp = r).is_some(),
            IterField::Count(count) => parse_u32(value).map(|v| b.set_count(count, v)).is_some(),
            IterField::Real(real) => set_opt_real(&mut b, real, value),
            // Oldest form: `elapsed_time = {s}s`, the same host-side step time in seconds.
            IterField::ElapsedSecs => parse_f64(value.strip_suffix(b"s").unwrap_or(value))
                .map(|v| b.set_real(RealField::HostStepTimeMs, v * 1000.0))
                .is_some(),
            IterField::Timestamp => field_iso.parse(value).map(|(ts, _)| b.timestamp = Some(ts)).is_some(),
            IterField::States | IterField::Other => true,
        };
        if !ok {
            return LineEvent::Malformed("unparsable iteration field");
        }
    }
    let Some(states_at) = states.filter(|&at| body.get(at) == Some(&b'{')) else {
        return LineEvent::Malformed("iteration line without states");
    };
    if b.iteration().is_none() {
        return LineEvent::Malformed("unparsable iteration field");
    }
    let mut tokens = (None, None);
    let common = common_states(&body[states_at..]).map(|(requests, ctx, gen)| {
        b.set_count(CountField::NewSeq, requests);
        tokens = (Some(ctx), Some(gen));
    });
    let ok = common.is_some()
        || match flat_dict_items::<8>(body, states_at) {
            Some((items, n)) => {
                items[..n].iter().all(|&(key, value)| state_item(&mut b, &mut tokens, key, value))
            }
            None => dict_items(bracket_body(body, states_at))
                .all(|(key, value)| state_item(&mut b, &mut tokens, key, value)),
        };
    if !ok {
        return LineEvent::Malformed("unparsable iteration state");
    }
    let (ctx_tokens, gen_tokens) = tokens;
    let (Some(ctx), Some(gen)) = (ctx_tokens, gen_tokens) else {
        return LineEvent::Malformed("iteration states without token counts");
    };
    b.set_count(CountField::NewToken, ctx);
    b.set_count(CountField::NumTokens, gen);
    if ctx > 0 {
        b.batch_type = BatchType::Prefill;
    } else if gen == 0 {
        return LineEvent::IdleIteration;
    }
    LineEvent::Batch(b)
}

/// What an iteration field sets.
#[derive(Clone, Copy)]
enum IterField {
    Iter,
    Rank,
    Count(CountField),
    /// A real value that may be `N/A` and may carry an `ms` unit.
    Real(RealField),
    ElapsedSecs,
    Timestamp,
    /// `states = {...}`, the last field.
    States,
    /// Not kept (`global_rank`, `currank_total_requests`, fields of later builds).
    Other,
}

/// Reads the value of `field` at `body[from..]` in the forms TensorRT-LLM prints — digits
/// (`iter`, `rank`, counts), a plain decimal with an optional `ms` (reals), `N/A` — when it is
/// followed by `, ` or the end of `body`, and returns where the next field starts. `None`
/// (nothing set) for every other text, which [`iteration`] then reads by the general rule; for
/// the forms read here both give the same value.
#[inline]
fn fast_iteration_value(
    b: &mut BatchMetrics,
    field: IterField,
    body: &[u8],
    from: usize,
    field_iso: &mut IsoMemo,
) -> Option<usize> {
    let rest = &body[from..];
    // Where the next field starts when the value is `rest[..len]`; nothing is set before this
    // says yes, so a refused value leaves `b` as the general rule finds it.
    let next = |len: usize| match &rest[len..] {
        [] => Some(body.len()),
        [b',', b' ', ..] => Some(from + len + 2),
        _ => None,
    };
    match field {
        IterField::Iter => {
            let (v, len) = leading_integer(rest, 19)?;
            let at = next(len)?;
            b.set_iteration(v);
            Some(at)
        }
        IterField::Rank => {
            let (v, len) = leading_integer(rest, 9)?;
            let at = next(len)?;
            b.tp = v as u32;
            Some(at)
        }
        IterField::Count(count) => {
            let (v, len) = leading_integer(rest, 9)?;
            let at = next(len)?;
            b.set_count(count, v as u32);
            Some(at)
        }
        IterField::Real(real) => {
            // Element patterns: a byte string compared is a slice comparison.
            if let [b'N', b'/', b'A', ..] = rest {
                return next(3);
            }
            let (v, len) = leading_decimal_digits(rest)?;
            let len = if let [b'm', b's', ..] = rest[len..] { len + 2 } else { len };
            let at = next(len)?;
            v.set(b, real);
            Some(at)
        }
        IterField::Other => {
            // A short value (`0`, `32/32`) is skipped to its `, ` byte by byte, which costs
            // less than the search `field_end` makes; a longer one takes that search.
            let head = &rest[..rest.len().min(SHORT_VALUE)];
            match head.iter().position(|&c| c == b',') {
                Some(comma) => next(comma),
                None if head.len() == rest.len() => Some(body.len()),
                None => None,
            }
        }
        IterField::Timestamp => {
            // `2026-01-16 06:22:01` then `, `: a valid head holds no comma, so the general rule
            // would read the same 19 bytes.
            let head = rest.get(..ISO_HEAD)?;
            let at = next(ISO_HEAD)?;
            let (ts, _) = field_iso.parse(head)?;
            b.timestamp = Some(ts);
            Some(at)
        }
        IterField::ElapsedSecs | IterField::States => None,
    }
}

/// The length of `YYYY-MM-DD HH:MM:SS`.
const ISO_HEAD: usize = 19;

/// The longest value [`fast_iteration_value`] skips byte by byte.
const SHORT_VALUE: usize = 16;

/// The `states` dict in the form TensorRT-LLM prints on every iteration line, `{'num_ctx_requests':
/// N, 'num_ctx_tokens': N, 'num_generation_tokens': N}` (numbers of at most 9 digits), read by
/// comparing its keys whole: `(requests, context tokens, generation tokens)`. Anything else is
/// `None` and read by [`flat_dict_items`] / [`dict_items`], which give the same three values
/// for this form.
#[inline]
fn common_states(s: &[u8]) -> Option<(u32, u32, u32)> {
    let s = strip_literal(s, b"{'num_ctx_requests': ")?;
    let (requests, s) = short_number(s)?;
    let s = strip_literal(s, b", 'num_ctx_tokens': ")?;
    let (ctx, s) = short_number(s)?;
    let s = strip_literal(s, b", 'num_generation_tokens': ")?;
    let (gen, s) = short_number(s)?;
    (s.first() == Some(&b'}')).then_some((requests, ctx, gen))
}

/// `s` without the literal `lit` it starts with.
#[inline]
fn strip_literal<'a>(s: &'a [u8], lit: &[u8]) -> Option<&'a [u8]> {
    let head = s.get(..lit.len())?;
    eq_words(head, lit).then(|| &s[lit.len()..])
}

/// 1 to 9 digits at the start of `s` (not followed by another digit), and the rest.
#[inline]
fn short_number(s: &[u8]) -> Option<(u32, &[u8])> {
    // Nine digits cannot overflow a `u32`.
    leading_integer(s, 9).map(|(v, len)| (v as u32, &s[len..]))
}

/// The iteration field name `rest` starts with and what it sets, with where its value starts,
/// when it is one TensorRT-LLM prints and a ` = ` or `: ` follows it (so the identifier ends
/// there); `None` otherwise.
#[inline]
fn known_name(rest: &[u8]) -> Option<(usize, IterField)> {
    let (name, field): (&[u8], IterField) = match *rest.first()? {
        b'i' => (b"iter", IterField::Iter),
        b'g' => (b"global_rank", IterField::Other),
        b'r' => (b"rank", IterField::Rank),
        b'n' => (b"num_scheduled_requests", IterField::Count(CountField::RunningReq)),
        b'k' => (b"kv_cache_util", IterField::Real(RealField::TokenUsage)),
        b'c' => (b"currank_total_requests", IterField::Other),
        b'h' => (b"host_step_time", IterField::Real(RealField::HostStepTimeMs)),
        b'p' => (b"prev_device_step_time", IterField::Real(RealField::PrevDeviceStepTimeMs)),
        b't' => (b"timestamp", IterField::Timestamp),
        b's' => (b"states", IterField::States),
        b'e' => (b"elapsed_time", IterField::ElapsedSecs),
        _ => return None,
    };
    let len = name.len();
    let head = rest.get(..len + 2)?;
    if !eq_words(&head[..len], name) {
        return None;
    }
    // Byte by byte: a byte-string pattern against a slice is a slice comparison.
    let value_at = match (head[len], head[len + 1]) {
        (b' ', b'=') if rest.get(len + 2) == Some(&b' ') => len + 3,
        (b':', b' ') => len + 2,
        _ => return None,
    };
    Some((value_at, field))
}

/// The Triton `tensorrtllm_backend`'s iteration statistics (2023-24, C++ executor): one JSON
/// object after a glog prefix (`I1218 03:35:37.688135 20559 libtensorrtllm.cc:1205] {...}`,
/// which has no year; the object's `"Timestamp":"MM-DD-YYYY HH:MM:SS"` has one).
///
/// `Iteration Counter` is the iteration, `Scheduled Requests` `running_req`, `Context
/// Requests` `new_seq`, `Total Context Tokens` `new_token`. The object has no generation-token
/// count, so the batch type comes from the request counts: context requests make a prefill
/// batch, generation requests only a decode batch, neither an idle iteration; a build that
/// prints neither count (the minimal `{"Active Request Count":..,"Iteration Counter":..,
/// "Timestamp":..}`) gives no batch type to go by and is malformed, as is an object that does
/// not close on its line (a paste hard-wrapped over several lines).
fn triton_stats(object: &[u8]) -> LineEvent {
    let object = trim(object);
    if object.last() != Some(&b'}') {
        return LineEvent::Malformed("iteration statistics JSON not closed on its line (hard-wrapped?)");
    }
    let mut b = BatchMetrics::new(BatchType::Decode);
    let (mut ctx, mut gen) = (None, None);
    for (key, value) in json_scalars(object) {
        let count = || parse_u32(value);
        let ok = match key {
            b"Iteration Counter" => parse_u64(value).map(|v| b.set_iteration(v)).is_some(),
            b"Scheduled Requests" => count().map(|v| b.set_count(CountField::RunningReq, v)).is_some(),
            b"Context Requests" => count().map(|v| ctx = Some(v)).is_some(),
            b"Generation Requests" => count().map(|v| gen = Some(v)).is_some(),
            b"Total Context Tokens" => count().map(|v| b.set_count(CountField::NewToken, v)).is_some(),
            b"Timestamp" => triton_timestamp(value).map(|t| b.timestamp = Some(t)).is_some(),
            _ => true,
        };
        if !ok {
            return LineEvent::Malformed("unparsable iteration statistics value");
        }
    }
    if b.iteration().is_none() {
        return LineEvent::Malformed("iteration statistics without `Iteration Counter`");
    }
    match (ctx, gen) {
        (Some(c), _) if c > 0 => {
            b.set_count(CountField::NewSeq, c);
            b.batch_type = BatchType::Prefill;
        }
        (_, Some(g)) if g > 0 => {
            if let Some(c) = ctx {
                b.set_count(CountField::NewSeq, c);
            }
        }
        (Some(_), Some(_)) => return LineEvent::IdleIteration,
        _ => return LineEvent::Malformed("iteration statistics without context/generation request counts"),
    }
    LineEvent::Batch(b)
}

/// `MM-DD-YYYY HH:MM:SS` (the Triton statistics' `Timestamp`).
fn triton_timestamp(v: &[u8]) -> Option<srtlog_model::Timestamp> {
    if v.len() != 19 || v[2] != b'-' || v[5] != b'-' || v[10] != b' ' {
        return None;
    }
    // Same layout as TensorRT-LLM's `MM/DD/YYYY-HH:MM:SS` once the separators agree.
    let mut us = [0u8; 19];
    us.copy_from_slice(v);
    (us[2], us[5], us[10]) = (b'/', b'/', b'-');
    crate::bytes::parse_us_date(&us)
}

/// The scalar `"key":value` pairs of a JSON object, at any depth, in order (string values
/// without their quotes, escapes left as written). Enough for the flat statistics objects.
fn json_scalars(object: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut i = 0;
    std::iter::from_fn(move || loop {
        // The next key: a string followed by `:`.
        let open = i + memchr::memchr(b'"', object.get(i..)?)?;
        let close = open + 1 + memchr::memchr(b'"', &object[open + 1..])?;
        let key = &object[open + 1..close];
        let after = trim_start(&object[close + 1..]);
        let Some(value) = after.strip_prefix(b":") else {
            i = close + 1;
            continue;
        };
        let value = trim_start(value);
        let value_at = object.len() - value.len();
        if let Some(body) = value.strip_prefix(b"\"") {
            let end = memchr::memchr(b'"', body)?;
            i = value_at + 1 + end + 1;
            return Some((key, &body[..end]));
        }
        if value.first() == Some(&b'{') || value.first() == Some(&b'[') {
            i = value_at + 1; // descend: the inner keys come next
            continue;
        }
        let end = value.iter().position(|c| matches!(c, b',' | b'}' | b']')).unwrap_or(value.len());
        i = value_at + end;
        return Some((key, trim(&value[..end])));
    })
}

/// One item of the `states` dict: the counts go to `b`, the context and generation token
/// counts to `tokens`; `false` when a known count does not parse.
fn state_item(
    b: &mut BatchMetrics,
    tokens: &mut (Option<u32>, Option<u32>),
    key: &[u8],
    value: &[u8],
) -> bool {
    let v = parse_u32(value);
    match (key, v) {
        (b"num_ctx_requests", Some(v)) => b.set_count(CountField::NewSeq, v),
        (b"num_ctx_tokens", _) => tokens.0 = v,
        (b"num_generation_tokens", _) => tokens.1 = v,
        (b"cached_kv_tokens", Some(v)) => b.set_count(CountField::CachedKvTokens, v),
        (b"num_ctx_requests" | b"cached_kv_tokens", None) => {}
        _ => return true,
    }
    v.is_some()
}

fn new_memory(p: &Prefix<'_>, metric_type: MemoryMetricType, event: &str) -> MemoryMetrics {
    let mut m = MemoryMetrics::new(metric_type, event);
    m.timestamp = p.timestamp;
    m.tp = p.tp;
    m
}

/// A leading `{.2f} GiB` value.
fn leading_gib(rest: &[u8]) -> Option<f64> {
    let rest = trim_start(rest);
    let end = rest.iter().position(|c| !(c.is_ascii_digit() || *c == b'.')).unwrap_or(rest.len());
    parse_f64(&rest[..end])
}

fn gib_event(
    p: &Prefix<'_>,
    metric_type: MemoryMetricType,
    event: &str,
    rest: &[u8],
    set: impl FnOnce(&mut MemoryMetrics, f64),
) -> LineEvent {
    let Some(v) = leading_gib(rest) else {
        return LineEvent::Malformed("unparsable memory value");
    };
    let mut m = new_memory(p, metric_type, event);
    set(&mut m, v);
    LineEvent::Memory { snapshot: m, limits: None }
}

/// `{peak} GiB, available KV cache memory when calculating max tokens: {kv} GiB[, more clauses]`.
fn peak_memory(p: &Prefix<'_>, rest: &[u8]) -> LineEvent {
    let mut m = new_memory(p, MemoryMetricType::Memory, "peak_memory");
    let Some(peak) = leading_gib(rest) else {
        return LineEvent::Malformed("unparsable peak memory");
    };
    m.mem_usage_gb = Some(peak);
    if let Some(kv) = after(rest, b"available KV cache memory when calculating max tokens:") {
        m.kv_cache_gb = leading_gib(kv);
    }
    LineEvent::Memory { snapshot: m, limits: None }
}

/// `{gib} GiB for max tokens in paged KV cache ({tokens}).`
fn kv_allocated(p: &Prefix<'_>, rest: &[u8]) -> LineEvent {
    let mut m = new_memory(p, MemoryMetricType::KvCache, "kv_cache_allocated");
    m.kv_cache_gb = leading_gib(rest);
    if let Some(tokens) = after(rest, b"paged KV cache (") {
        let end = memchr::memchr(b')', tokens).unwrap_or(tokens.len());
        m.kv_tokens = parse_u64(&tokens[..end]);
    }
    if m.kv_cache_gb.is_none() {
        return LineEvent::Malformed("unparsable KV cache allocation");
    }
    LineEvent::Memory { snapshot: m, limits: None }
}

/// `max_seq_len=N, max_num_requests=N, max_num_tokens=N, max_batch_size=N` (fill-only limits).
fn limits_line(msg: &[u8]) -> LineEvent {
    let mut c = ParallelConfig::default();
    for field in comma_fields(msg) {
        let Some((name, value)) = split_field(field, b"=") else { continue };
        match name {
            b"max_seq_len" => c.context_length = parse_u64(value),
            b"max_num_tokens" => c.max_num_tokens = parse_u64(value),
            b"max_batch_size" => c.max_running_requests = parse_u64(value),
            _ => {}
        }
    }
    LineEvent::Limits(c)
}

/// `{...}` engine-args dict: sizes and limits (top-level keys only; nested dicts skipped whole).
///
/// `dp_size` is derived: with `enable_attention_dp` every TP rank is an attention-DP rank, so
/// `dp_size = tensor_parallel_size`; without it `dp_size = 1`.
fn engine_args(rest: &[u8]) -> LineEvent {
    let Some(open) = memchr::memchr(b'{', rest) else {
        return LineEvent::Malformed("engine args without `{`");
    };
    let mut c = ParallelConfig::default();
    for (key, value) in dict_items(bracket_body(rest, open)) {
        match key {
            b"tensor_parallel_size" => c.tp_size = parse_u32(value),
            b"pipeline_parallel_size" => c.pp_size = parse_u32(value),
            b"moe_expert_parallel_size" => c.ep_size = parse_u32(value),
            b"enable_attention_dp" => c.enable_dp_attention = parse_bool(value),
            b"max_batch_size" => c.max_running_requests = parse_u64(value),
            b"max_num_tokens" => c.max_num_tokens = parse_u64(value),
            b"max_seq_len" => c.context_length = parse_u64(value),
            _ => {}
        }
    }
    c.dp_size = match c.enable_dp_attention {
        Some(true) => c.tp_size,
        Some(false) => Some(1),
        None => None,
    };
    if c == ParallelConfig::default() {
        return LineEvent::Malformed("engine args without known keys");
    }
    LineEvent::Config(c)
}

impl NodeParser for TrtllmParser {
    fn name(&self) -> &'static str {
        "trtllm"
    }

    fn accepts_backend(&self, backend: &str) -> bool {
        let b = backend.to_ascii_lowercase();
        b.contains("trtllm") || b.contains("tensorrt-llm") || b.contains("tensorrt_llm")
    }

    fn sniff(&self, head: &[u8]) -> bool {
        crate::sniff::trtllm(head)
    }

    fn parse_reader(
        &self,
        reader: &mut dyn Read,
        options: &ParseOptions,
        out: &mut WorkerLogData,
    ) -> io::Result<()> {
        let markers = markers().ok_or_else(|| io::Error::other("trtllm markers failed to build"))?;
        let mut scratch = Vec::new();
        let mut dates = DateMemo::default();
        let mut stats = std::mem::take(&mut out.stats);
        let result = scan_lines(reader, options, markers, &mut stats, |line_no, line, has_esc, stats| {
            let event = parse_line_with(line, has_esc, &mut scratch, &mut dates);
            apply(out, stats, options.max_diagnostics, line_no, line, event);
        });
        out.stats = stats;
        result
    }

    fn parse_launch_command(&self, command: &str) -> Option<NodeLaunchCommand> {
        parse_command(command, Program::Trtllm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values in the printed forms are read where they start; every other text goes to the
    /// general rule, with nothing set by the fast read first.
    #[test]
    fn iteration_values_read_in_place_match_the_general_rule() {
        let line = |fields: &str| {
            parse_trtllm_line(
                format!(
                    "[01/16/2026-06:22:01] [TRT-LLM] [RANK 0] [I] iter = {fields}, \
                     states = {{'num_ctx_requests': 0, 'num_ctx_tokens': 0, 'num_generation_tokens': 4}}"
                )
                .as_bytes(),
            )
        };
        let batch = |fields: &str| match line(fields) {
            LineEvent::Batch(b) => b,
            other => panic!("{fields}: {other:?}"),
        };
        let b = batch("7, rank = 2, num_scheduled_requests = 4, kv_cache_util = 0.567, host_step_time = 25.966103483018596ms");
        assert_eq!((b.iteration(), b.tp, b.running_req()), (Some(7), 2, Some(4)));
        assert_eq!((b.token_usage(), b.host_step_time_ms()), (Some(0.567), Some(25.966103483018596)));
        // Forms only the general rule reads: a space before the unit, a sign, N/A, a 10-digit count.
        let b = batch("7, host_step_time = 12.5 ms, kv_cache_util = N/A, prev_device_step_time = +3.25ms");
        assert_eq!(
            (b.host_step_time_ms(), b.token_usage(), b.prev_device_step_time_ms()),
            (Some(12.5), None, Some(3.25))
        );
        assert_eq!(batch("7, rank = 4294967295").tp, u32::MAX);
        // A known name is read with ` = ` or `: ` after it; with anything else (` =3`) it is
        // skipped as an unknown field would be.
        let b = batch("7, rank =3, num_scheduled_requests: 4, kv_cache_util=0.5");
        assert_eq!((b.tp, b.running_req(), b.token_usage()), (0, Some(4), None));
        // Fields that set nothing are skipped to their `, `, whatever their values hold.
        let b = batch(
            "7, global_rank = 0, currank_total_requests = 32/32, extra = a,b, \
             note = a value longer than sixteen bytes, rank = 2, tail = x,",
        );
        assert_eq!((b.iteration(), b.tp), (Some(7), 2));
        // The timestamp field: read in place before `, `, by the general rule with a fraction,
        // an offset or junk after it, and too short to be one.
        let at = |fields: &str| batch(fields).timestamp.map(|t| t.to_string());
        assert_eq!(at("7, timestamp = 2026-01-16 06:22:05"), Some("2026-01-16T06:22:05".into()));
        assert_eq!(
            at("7, timestamp = 2026-01-16 06:22:05.5, rank = 1"),
            Some("2026-01-16T06:22:05.5".into())
        );
        assert_eq!(at("7, timestamp = 2026-01-16 06:22:05Z"), Some("2026-01-16T06:22:05Z".into()));
        assert_eq!(line("7, timestamp = 2026-01-16"), LineEvent::Malformed("unparsable iteration field"));
        // A value with trailing junk is the general rule's to refuse: nothing half-read is kept.
        assert_eq!(line("7x, rank = 0"), LineEvent::Malformed("unparsable iteration field"));
        assert_eq!(line("7, rank = 1x"), LineEvent::Malformed("unparsable iteration field"));
        assert_eq!(line("7, host_step_time = 1.5msx"), LineEvent::Malformed("unparsable iteration field"));
    }

    /// The common `states` form read by key comparison gives the batch the general dict
    /// readers give for the same dict written a little differently.
    #[test]
    fn common_states_read_as_the_dict_readers_read_them() {
        let head =
            "[01/16/2026-06:22:01] [TRT-LLM] [RANK 0] [I] iter = 7, rank = 0, num_scheduled_requests = 3, \
                    host_step_time = 13.451156697064079ms, timestamp = 2026-01-16 06:22:01, states = ";
        for (common, other) in [
            (
                "{'num_ctx_requests': 1, 'num_ctx_tokens': 8192, 'num_generation_tokens': 2}",
                "{'num_ctx_requests': 1,'num_ctx_tokens': 8192, 'num_generation_tokens': 2 }",
            ),
            (
                "{'num_ctx_requests': 0, 'num_ctx_tokens': 0, 'num_generation_tokens': 46}",
                "{\"num_ctx_requests\": 0, \"num_ctx_tokens\": 0, \"num_generation_tokens\": 46}",
            ),
        ] {
            assert!(common_states(common.as_bytes()).is_some());
            assert!(common_states(other.as_bytes()).is_none());
            let a = parse_trtllm_line(format!("{head}{common}").as_bytes());
            let b = parse_trtllm_line(format!("{head}{other}").as_bytes());
            assert!(matches!(a, LineEvent::Batch(_)), "{a:?}");
            assert_eq!(a, b);
        }
        assert_eq!(
            common_states(
                b"{'num_ctx_requests': 1234567890, 'num_ctx_tokens': 0, 'num_generation_tokens': 1}"
            ),
            None,
            "ten digits take the general path"
        );
    }
}
