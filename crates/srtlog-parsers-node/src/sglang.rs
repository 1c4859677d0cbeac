//! The SGLang worker-log parser (FORMATS.md section 7).
//!
//! Lines of interest, by their message (the text after the prefix):
//! `Prefill batch[ [n]][.,] fields`, `Decode batch...`, the memory lines of 7.3, the
//! `Capturing batches (bs=.. avail_mem=.. GB)` progress bar, the scheduler summary
//! `max_total_num_tokens=...`, `server_args=ServerArgs(...)`, and launch commands
//! (`[CMD] ...`, `python3 -m sglang.launch_server|dynamo.sglang ...`, xtrace `+ ...`) plus xtrace
//! environment assignments.
//!
//! # Batch-line eras seen in the field
//!
//! Read from lines users pasted into public issues (`../shared/real/files/issue-pastes/`, the
//! sources in its `MANIFEST.md`); each has a row in `tests/eras.rs`:
//!
//! * **0.1.x (May 2024)**: `new fill batch. #seq: 1. #cached_token: 330. #new_token: 2172.
//!   #remaining_req: 57. #running_req: 9. tree_cache_hit_rate: 69.16%.` — fields separated by
//!   `. `, underscores in names (`scheduler`/`model_rpc.py` of that time; the first releases
//!   print no `#cached_token` nor hit rate). A prefill batch: `#seq` → `new_seq`,
//!   `#remaining_req` (left in the queue) → `queue_req`; the hit rate has no field.
//! * **~0.2 (Aug 2024)**: `[04:40:55 TP0] Decode batch. #running-req: .., #token: ..,
//!   token usage: .., gen throughput (token/s): .., #queue-req: ..` — a time with no date; the
//!   date comes from `ParseOptions::undated_day` (the run's date, else the file's modification
//!   day), advanced at each midnight the clock passes, and the file's diagnostics say where it
//!   came from (`N lines print a time without a date (first: line L): date D taken from run
//!   metadata`); without a day the timestamps stay empty and the note says that instead.
//!   [`parse_sglang_line`] has no day to give: it leaves them empty.
//! * **0.4 (2025)**: `[date TPn] Prefill batch. ..` / `Decode batch. ..` with `, ` between
//!   fields; extras over time: `cache hit rate: 26.67%`, `largest-len`, a trailing `, `,
//!   `[date DPn TPn]` / `[date DPn TPn EPn]` (DP ranks interleave out of order), PD prefill's
//!   `#unbootstrapped-req` / `#transferring-req`, PD decode's `pre-allocated usage`,
//!   `#retracted-req`, `accept len`.
//! * **0.5 (late 2025 on)**: `Prefill batch,` / `Decode batch,`, `cuda graph: True` (`cpu
//!   graph`, Ascend's `npu graph`: one field, the graph mode), no rank tag on single-GPU
//!   servers, hybrid pools' `#full token` / `full token usage` / `#swa token` / `swa token
//!   usage`, `accept rate`, `#pending-token`; forks add fields (sglang-jax `#cache_miss`).
//!   Fields without a model field are skipped by name.
//! * **Wrappers**: any text before the bracket (`srun: task 3: `, Ray's `(SGLangEngine
//!   pid=41820) ` / `(head, rank=0, pid=18260) `, a pasted file name), dynamo's ISO prefix and
//!   JSONL, the Ant Group fork's `DATE TIME LEVEL PID [ DPn TPn EPn file.py:N]` (see
//!   `prefix.rs`). uvicorn access lines share the prefix and hold no marker.
//!
//! Damaged lines are malformed, never half-read: a line a terminal clipped mid-field
//! (`token usaccept rate`, `... input th`), with or without a tqdm bar glued in front. Bytes
//! no field name starts with (invalid UTF-8, control bytes) after a complete field's `, ` are
//! stray, not a cut-off field: the batch is kept and the drop noted in the diagnostics.

use std::io::{self, Read};
use std::sync::OnceLock;

use srtlog_model::{
    BatchMetrics, BatchType, CountField, MemoryMetricType, MemoryMetrics, NodeLaunchCommand, NodeParser,
    ParallelConfig, ParseOptions, RealField, WorkerLogData,
};

use crate::bytes::{
    after, comma_fields, eq_words, field_end, find, has_esc, leading_decimal_digits, leading_integer, lossy,
    parse_bool, parse_f64, parse_u32, parse_u64, rfind, split_field, split_on, starts_with, strip_ansi_into,
    strip_cr, trim, trim_start,
};
use crate::dates::DateMemo;
use crate::event::{apply, note, LineEvent};
use crate::launch::{parse_command, Program};
use crate::prefix::{printed_dynamo_prefix, split_sglang, Clock, Prefix, UndatedClock};
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

/// Parses one SGLang log line (any prefix form; ANSI escapes allowed; a trailing `\r` ignored),
/// exactly as the streaming parser does: a line without one of the parser's markers as written
/// is [`LineEvent::Ignored`]. One difference: a line with a time and no date (2024) gets no
/// timestamp here, since only the streaming parser has a day for it (`ParseOptions::undated_day`).
///
/// ```
/// use srtlog_parsers_node::{parse_sglang_line, LineEvent};
/// let line = b"[2026-01-16 06:21:03 DP1 TP1 EP1] Decode batch, #running-req: 12, #token: 9000, \
///              token usage: 0.05, cuda graph: True, gen throughput (token/s): 812.40, #queue-req: 0, ";
/// let LineEvent::Batch(b) = parse_sglang_line(line) else { panic!("not a batch") };
/// assert_eq!((b.dp, b.running_req(), b.cuda_graph()), (1, Some(12), Some(true)));
/// ```
pub fn parse_sglang_line(line: &[u8]) -> LineEvent {
    // The streaming parser only looks at lines that hold a marker as written; a line whose
    // marker shows only once escape codes are stripped (`i\x1b[0mter = `) is ignored here too,
    // so that the two always agree (found by the `sglang_stream` fuzz target).
    if markers().is_some_and(|m| !m.line_matches(line)) {
        return LineEvent::Ignored;
    }
    parse_line_with(line, has_esc(line), &mut Vec::new(), &mut DateMemo::default())
}

/// A classified line: a batch line is returned unparsed so that the streaming parser can fill
/// the batch in place in its output vector (a `BatchMetrics` is 168 bytes; moving it through
/// an enum costs more than parsing it).
// `Other` is large but rare (non-batch candidate lines); boxing it would allocate per line.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Classified<'a> {
    /// `Prefill batch` / `Decode batch` (or the 2024 `new fill batch`), with the prefix, the
    /// field layout and the text after the keyword.
    Batch(Prefix<'a>, BatchType, Layout, &'a [u8]),
    /// Anything else, fully parsed; with the prefix's time of day when it had no date.
    Other(LineEvent, Option<Clock>),
}

/// How a batch line's fields are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `name: value, name: value` (every era since mid 2024).
    Current,
    /// The earliest form (sglang 0.1.x, 2024): `new fill batch. #seq: 1. #cached_token: 330.
    /// #new_token: 2172. #remaining_req: 57. #running_req: 9. tree_cache_hit_rate: 69.16%.`
    FillBatch,
}

/// Fills `b` from the text after the keyword; `Ok(Some(note))` when something on the line
/// was dropped (stray bytes after the last field) that the diagnostics should mention.
pub(crate) fn fill(
    b: &mut BatchMetrics,
    layout: Layout,
    rest: &[u8],
    orders: &mut FieldOrders,
) -> Result<Option<&'static str>, &'static str> {
    match layout {
        Layout::Current => fill_batch(b, rest, orders.of(b.batch_type)),
        Layout::FillBatch => fill_fill_batch(b, rest).map(|()| None),
    }
}

/// [`parse_sglang_line`] with whether the line holds an ESC byte (the scanner knows it), a
/// reusable scratch buffer for ANSI stripping and the file's date memo.
pub(crate) fn parse_line_with(
    line: &[u8],
    has_esc: bool,
    scratch: &mut Vec<u8>,
    dates: &mut DateMemo,
) -> LineEvent {
    match classify(line, has_esc, scratch, dates) {
        Classified::Batch(p, batch_type, layout, rest) => {
            let mut b = new_batch(&p, batch_type);
            match fill(&mut b, layout, rest, &mut FieldOrders::default()) {
                Ok(_) => LineEvent::Batch(b),
                Err(reason) => LineEvent::Malformed(reason),
            }
        }
        Classified::Other(event, _) => event,
    }
}

/// Decides what a line is; parses everything but batch fields. `has_esc`: whether `line` holds
/// an ESC byte (the scanner knows it from the search for the line's ends).
pub(crate) fn classify<'a>(
    line: &'a [u8],
    has_esc: bool,
    scratch: &'a mut Vec<u8>,
    dates: &mut DateMemo,
) -> Classified<'a> {
    let line = strip_cr(line);
    // dynamo's coloured batch lines are read in place; any other line with escapes is read
    // without them (the fast form gives the same prefix, see `printed_dynamo_prefix`).
    if line.first() == Some(&0x1b) {
        if let Some(batch) = printed_dynamo_prefix(line, dates).and_then(batch_line) {
            return batch;
        }
    }
    let line: &'a [u8] = if has_esc {
        strip_ansi_into(line, scratch);
        &scratch[..]
    } else {
        line
    };
    let p = split_sglang(line, dates);
    match batch_line(p) {
        Some(batch) => batch,
        None => Classified::Other(other_line(&p, line), p.clock),
    }
}

/// The batch line whose prefix is `p`, by the keyword its message starts with.
#[inline]
fn batch_line(p: Prefix<'_>) -> Option<Classified<'_>> {
    let msg = p.message;
    let (batch_type, layout, rest) = if let Some(rest) = msg.strip_prefix(b"Prefill batch") {
        (BatchType::Prefill, Layout::Current, rest)
    } else if let Some(rest) = msg.strip_prefix(b"Decode batch") {
        (BatchType::Decode, Layout::Current, rest)
    } else if let Some(rest) = msg.strip_prefix(b"new fill batch") {
        (BatchType::Prefill, Layout::FillBatch, rest)
    } else {
        return None;
    };
    Some(Classified::Batch(p, batch_type, layout, rest))
}

fn other_line(p: &Prefix<'_>, line: &[u8]) -> LineEvent {
    let msg = p.message;
    if let Some(event) = memory_line(p, msg) {
        return event;
    }
    if starts_with(msg, b"server_args=") {
        return server_args(msg);
    }
    if let Some(at) = rfind(line, b"Capturing batches (") {
        return progress_bar(p, &line[at..]);
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

/// Which batch field a name is: dispatch on (length, second byte), then one comparison.
#[derive(Debug, Clone, Copy)]
enum Field {
    NewSeq,
    NewToken,
    CachedToken,
    TokenUsage,
    SwaTokenUsage,
    RunningReq,
    QueueReq,
    PreallocReq,
    InflightReq,
    TransferReq,
    UnbootstrappedReq,
    RetractedReq,
    NumTokens,
    SwaTokens,
    InputThroughput,
    GenThroughput,
    PreallocatedUsage,
    AcceptLen,
    AcceptRate,
    CudaGraph,
}

fn field_of(name: &[u8]) -> Option<Field> {
    use Field::*;
    let (want, field): (&[u8], Field) = match (name.len(), *name.get(1)?) {
        (8, b'n') => (b"#new-seq", NewSeq),
        (10, b'n') => (b"#new-token", NewToken),
        (13, b'c') => (b"#cached-token", CachedToken),
        (11, b'o') => (b"token usage", TokenUsage),
        (16, b'u') => (b"full token usage", TokenUsage),
        (15, b'w') => (b"swa token usage", SwaTokenUsage),
        (12, b'r') => (b"#running-req", RunningReq),
        (10, b'q') => (b"#queue-req", QueueReq),
        (13, b'p') => (b"#prealloc-req", PreallocReq),
        (13, b'i') => (b"#inflight-req", InflightReq),
        (13, b't') => (b"#transfer-req", TransferReq),
        (17, b't') => (b"#transferring-req", TransferReq),
        (19, b'u') => (b"#unbootstrapped-req", UnbootstrappedReq),
        (14, b'r') => (b"#retracted-req", RetractedReq),
        (6, b't') => (b"#token", NumTokens),
        (11, b'f') => (b"#full token", NumTokens),
        (10, b's') => (b"#swa token", SwaTokens),
        (26, b'n') => (b"input throughput (token/s)", InputThroughput),
        (24, b'e') => (b"gen throughput (token/s)", GenThroughput),
        (19, b'r') => (b"pre-allocated usage", PreallocatedUsage),
        (10, b'c') => (b"accept len", AcceptLen),
        (11, b'c') => (b"accept rate", AcceptRate),
        (10, b'u') => (b"cuda graph", CudaGraph),
        (9, b'p') if name[0] == b'c' => (b"cpu graph", CudaGraph),
        (9, b'p') => (b"npu graph", CudaGraph),
        _ => return None,
    };
    eq_words(name, want).then_some(field)
}

/// Fills `b` from the text after `Prefill batch` / `Decode batch`: an optional ` [forward_ct]`,
/// `.` or `,`, then `name: value` fields separated by `, `, in any order; unknown fields are
/// ignored, a known field with an unparsable value makes the line malformed. Text without
/// `: value` at the end is a line cut off mid-field (malformed), unless it starts with a byte
/// no field name starts with (invalid UTF-8, a control byte) right after a complete field's
/// `, `: then every field was there, and the stray bytes are dropped with a note.
pub(crate) fn fill_batch(
    b: &mut BatchMetrics,
    rest: &[u8],
    order: &mut FieldOrder,
) -> Result<Option<&'static str>, &'static str> {
    let mut rest = rest;
    if let Some(r) = rest.strip_prefix(b" [") {
        match memchr::memchr(b']', r) {
            Some(close) if parse_u64(&r[..close]).is_some() => rest = &r[close + 1..],
            _ => return Err("bad forward count after batch keyword"),
        }
    }
    let s = match rest.split_first() {
        Some((b'.' | b',', fields)) => fields,
        _ => return Err("batch keyword not followed by `.` or `,`"),
    };
    let mut known = 0u32;
    let n = s.len();
    let mut i = 0;
    while i < n {
        // A field is `name: value` up to the next `, `. The name is scanned up to its `: `
        // (a `, ` first ends a field without a value); the value is parsed where it starts.
        while i < n && s[i] == b' ' {
            i += 1;
        }
        // Known names are recognised in place: first the name the last line of this type had
        // at this position (one comparison), then by their first two bytes (no scan).
        let k = known as usize;
        let named = match order.names.get(k) {
            Some(&Some((name, field)))
                if s.get(i..i + name.len()).is_some_and(|head| eq_words(head, name)) =>
            {
                Some((field, i + name.len()))
            }
            _ => known_name(s, i).map(|(name, field, value_start)| {
                if let Some(slot) = order.names.get_mut(k) {
                    *slot = Some((name, field));
                }
                (field, value_start)
            }),
        };
        if let Some((field, value_start)) = named {
            i = set_value(b, slot(field), s, value_start)?;
            known += 1;
            continue;
        }
        let name_start = i;
        let mut colon = None;
        while i < n {
            let c = s[i];
            if (c == b':' || c == b',') && s.get(i + 1) == Some(&b' ') {
                if c == b':' {
                    colon = Some(i);
                }
                break;
            }
            i += 1;
        }
        let Some(colon) = colon else {
            if i >= n && s[name_start..].iter().any(|c| !c.is_ascii_whitespace()) {
                if known > 0 && !(b' '..=b'~').contains(&s[name_start]) {
                    // Bytes no field name is made of, after a complete field: junk written
                    // after the line (a binary blob, a torn write), not a cut-off field.
                    return Ok(Some("stray bytes after the last field ignored"));
                }
                // Text without `: value` at the very end: a line cut off mid-field (a log
                // truncated by a crash or still being written), not a batch to trust.
                return Err("line cut off mid-field");
            }
            i += 2;
            continue;
        };
        let value_start = colon + 2;
        let Some(field) = field_of(&s[name_start..colon]) else {
            i = next_field(s, value_start);
            continue;
        };
        i = set_value(b, slot(field), s, value_start)?;
        known += 1;
    }
    if known == 0 {
        return Err("batch line without known fields");
    }
    Ok(None)
}

/// Fills `b` from the earliest batch line (after `new fill batch`): `. ` between fields,
/// underscores in names. `#remaining_req` (requests left in the queue) is `queue_req`;
/// `tree_cache_hit_rate` has no field and is skipped. The same rules as the current layout:
/// a field without `: value` is a line cut off, an unparsable known value makes it malformed.
fn fill_fill_batch(b: &mut BatchMetrics, rest: &[u8]) -> Result<(), &'static str> {
    let Some(fields) = rest.strip_prefix(b".") else {
        return Err("batch keyword not followed by `.` or `,`");
    };
    let mut known = 0u32;
    for field in split_on(fields, b". ") {
        let field = trim(field);
        if field.is_empty() {
            continue;
        }
        let Some((name, value)) = split_field(field, b": ") else {
            return Err("line cut off mid-field");
        };
        let count = match name {
            b"#seq" => CountField::NewSeq,
            b"#cached_token" => CountField::CachedToken,
            b"#new_token" => CountField::NewToken,
            b"#remaining_req" => CountField::QueueReq,
            b"#running_req" => CountField::RunningReq,
            _ => continue,
        };
        if !slow_value(b, Slot::Count(count), value) {
            return Err("unparsable value in batch line");
        }
        known += 1;
    }
    if known == 0 {
        return Err("batch line without known fields");
    }
    Ok(())
}

/// Parses the value of `slot` starting at `s[from..]` into `b`; returns where the next field
/// starts. The common forms take [`fast_value`]; rare ones (`1e-05`, very long numbers, junk)
/// the general rule on the whole value text up to the next `, `.
#[inline(always)]
fn set_value(b: &mut BatchMetrics, slot: Slot, s: &[u8], from: usize) -> Result<usize, &'static str> {
    match fast_value(b, slot, s, from) {
        Some(next) => Ok(next),
        None => set_value_slow(b, slot, s, from),
    }
}

/// [`set_value`] for the rare forms, out of line so that the common path stays small.
#[cold]
#[inline(never)]
fn set_value_slow(b: &mut BatchMetrics, slot: Slot, s: &[u8], from: usize) -> Result<usize, &'static str> {
    let end = field_end(s, from);
    if !slow_value(b, slot, &s[from..end]) {
        return Err("unparsable value in batch line");
    }
    Ok((end + 2).min(s.len()))
}

/// The known field whose `name: ` starts at `s[i..]` (the name as printed, with its `: `),
/// and where its value starts.
fn known_name(s: &[u8], i: usize) -> Option<(&'static [u8], Field, usize)> {
    use Field::*;
    let rest = s.get(i..)?;
    let candidates: &[(&[u8], Field)] = match (*rest.first()?, *rest.get(1)?) {
        (b'#', b'n') => &[(b"#new-seq: ", NewSeq), (b"#new-token: ", NewToken)],
        (b'#', b'c') => &[(b"#cached-token: ", CachedToken)],
        (b'#', b'r') => &[(b"#running-req: ", RunningReq), (b"#retracted-req: ", RetractedReq)],
        (b'#', b'q') => &[(b"#queue-req: ", QueueReq)],
        (b'#', b'p') => &[(b"#prealloc-req: ", PreallocReq)],
        (b'#', b'i') => &[(b"#inflight-req: ", InflightReq)],
        (b'#', b't') => &[
            (b"#token: ", NumTokens),
            (b"#transfer-req: ", TransferReq),
            (b"#transferring-req: ", TransferReq),
        ],
        (b'#', b'u') => &[(b"#unbootstrapped-req: ", UnbootstrappedReq)],
        (b'#', b'f') => &[(b"#full token: ", NumTokens)],
        (b'#', b's') => &[(b"#swa token: ", SwaTokens)],
        (b't', b'o') => &[(b"token usage: ", TokenUsage)],
        (b'f', b'u') => &[(b"full token usage: ", TokenUsage)],
        (b's', b'w') => &[(b"swa token usage: ", SwaTokenUsage)],
        (b'i', b'n') => &[(b"input throughput (token/s): ", InputThroughput)],
        (b'g', b'e') => &[(b"gen throughput (token/s): ", GenThroughput)],
        (b'p', b'r') => &[(b"pre-allocated usage: ", PreallocatedUsage)],
        (b'a', b'c') => &[(b"accept len: ", AcceptLen), (b"accept rate: ", AcceptRate)],
        (b'c', b'u') => &[(b"cuda graph: ", CudaGraph)],
        (b'c', b'p') => &[(b"cpu graph: ", CudaGraph)],
        (b'n', b'p') => &[(b"npu graph: ", CudaGraph)],
        _ => return None,
    };
    candidates.iter().find_map(|&(name, field)| {
        let head = rest.get(..name.len())?;
        eq_words(head, name).then_some((name, field, i + name.len()))
    })
}

/// The order of the known fields on the last batch line of one type, as printed (`#new-seq: `
/// or `#running-req: `, with the `: `): SGLang prints the same fields in the same order on
/// every line of a type, so the name at each position is usually the one before it. A guess
/// is checked by one comparison; a wrong one costs that comparison, and the field is then
/// recognised as without the guess, so the result never depends on the order.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FieldOrder {
    names: [Option<(&'static [u8], Field)>; MAX_ORDERED_FIELDS],
}

/// Fields remembered per line; later ones are recognised without a guess.
const MAX_ORDERED_FIELDS: usize = 24;

/// One [`FieldOrder`] per batch type (a prefill and a decode line print different fields).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FieldOrders {
    prefill: FieldOrder,
    decode: FieldOrder,
}

impl FieldOrders {
    fn of(&mut self, batch_type: BatchType) -> &mut FieldOrder {
        match batch_type {
            BatchType::Prefill => &mut self.prefill,
            BatchType::Decode => &mut self.decode,
        }
    }
}

/// Where a field's value goes.
#[derive(Clone, Copy)]
enum Slot {
    Count(CountField),
    Real(RealField),
    CudaGraph,
}

fn slot(field: Field) -> Slot {
    use Field::*;
    match field {
        NewSeq => Slot::Count(CountField::NewSeq),
        NewToken => Slot::Count(CountField::NewToken),
        CachedToken => Slot::Count(CountField::CachedToken),
        TokenUsage => Slot::Real(RealField::TokenUsage),
        SwaTokenUsage => Slot::Real(RealField::SwaTokenUsage),
        RunningReq => Slot::Count(CountField::RunningReq),
        QueueReq => Slot::Count(CountField::QueueReq),
        PreallocReq => Slot::Count(CountField::PreallocReq),
        InflightReq => Slot::Count(CountField::InflightReq),
        TransferReq => Slot::Count(CountField::TransferReq),
        UnbootstrappedReq => Slot::Count(CountField::UnbootstrappedReq),
        RetractedReq => Slot::Count(CountField::RetractedReq),
        NumTokens => Slot::Count(CountField::NumTokens),
        SwaTokens => Slot::Count(CountField::SwaTokens),
        InputThroughput => Slot::Real(RealField::InputThroughput),
        GenThroughput => Slot::Real(RealField::GenThroughput),
        PreallocatedUsage => Slot::Real(RealField::PreallocatedUsage),
        AcceptLen => Slot::Real(RealField::AcceptLen),
        AcceptRate => Slot::Real(RealField::AcceptRate),
        CudaGraph => Slot::CudaGraph,
    }
}

/// The start of the field after the one whose value starts at `from` (past the next `, `).
fn next_field(s: &[u8], from: usize) -> usize {
    (field_end(s, from) + 2).min(s.len())
}

/// After a value that ended at `e`: the next field's start, if the value ended cleanly (end of
/// line, `, `, a final `,`, or a space before text some builds append without a comma).
fn after_value(s: &[u8], e: usize) -> Option<usize> {
    match &s[e..] {
        [] | [b','] => Some(s.len()),
        [b',', b' ', ..] => Some(e + 2),
        [b' ', ..] => Some(next_field(s, e)),
        _ => None,
    }
}

/// Parses the common value forms in place (`123`, `0.45`, `True`); `None` sends the field to
/// [`slow_value`]. Inlined into [`fill_batch`]: as a call, its register saves cost a sixth of it.
#[inline(always)]
fn fast_value(b: &mut BatchMetrics, slot: Slot, s: &[u8], from: usize) -> Option<usize> {
    match slot {
        Slot::Count(field) => {
            // Up to 9 digits cannot overflow a `u32`; longer numbers take the slow path, which
            // refuses what does not fit.
            let (v, len) = leading_integer(&s[from..], 9)?;
            let next = after_value(s, from + len)?;
            b.set_count(field, v as u32);
            Some(next)
        }
        Slot::Real(field) => {
            let (v, len) = leading_decimal_digits(&s[from..])?;
            let next = after_value(s, from + len)?;
            v.set(b, field);
            Some(next)
        }
        Slot::CudaGraph => {
            let rest = &s[from..];
            // Element patterns: a byte string compared is a slice comparison.
            let (v, len) = match rest {
                [b'T', b'r', b'u', b'e', ..] => (true, 4),
                [b'F', b'a', b'l', b's', b'e', ..] => (false, 5),
                _ => return None,
            };
            let next = after_value(s, from + len)?;
            b.set_cuda_graph(v);
            Some(next)
        }
    }
}

/// The general rule: the value's first space-separated word, without a trailing `,`, must
/// parse whole.
fn slow_value(b: &mut BatchMetrics, slot: Slot, value: &[u8]) -> bool {
    let word = first_word(value);
    match slot {
        Slot::Count(field) => parse_u32(word).map(|v| b.set_count(field, v)).is_some(),
        Slot::Real(field) => parse_f64(word).map(|v| b.set_real(field, v)).is_some(),
        Slot::CudaGraph => parse_bool(word).map(|v| b.set_cuda_graph(v)).is_some(),
    }
}

/// The first space-separated word of a value, without a trailing `,` (some builds omit the
/// `, ` before the next field; a line whose trailing space was stripped ends in `,`).
fn first_word(value: &[u8]) -> &[u8] {
    let v = trim_start(value);
    let v = match v.iter().position(|&c| c == b' ') {
        Some(i) => &v[..i],
        None => v,
    };
    v.strip_suffix(b",").unwrap_or(v)
}

fn set_u64(slot: &mut Option<u64>, value: &[u8]) -> bool {
    parse_u64(first_word(value)).map(|v| *slot = Some(v)).is_some()
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
        let mut dates = DateMemo::default();
        let mut orders = FieldOrders::default();
        let mut stats = std::mem::take(&mut out.stats);
        // Lines with a time and no date (2024): dated here, in log order; which records got
        // such a date (batch or memory, index), in case the dates move once the file is read.
        let mut clock = UndatedClock::new(options.undated_day);
        let mut dated: Vec<(bool, usize)> = Vec::new();
        let result = scan_lines(reader, options, markers, &mut stats, |line_no, line, has_esc, stats| {
            let classified = classify(line, has_esc, &mut scratch, &mut dates);
            match classified {
                Classified::Batch(p, batch_type, layout, rest) => {
                    let mut b = new_batch(&p, batch_type);
                    match fill(&mut b, layout, rest, &mut orders) {
                        Ok(dropped) => {
                            if let Some(c) = p.clock {
                                b.timestamp = clock.date(line_no, c);
                                dated.push((true, out.batches.len()));
                            }
                            out.batches.push_copy(&b);
                            if let Some(reason) = dropped {
                                note(stats, options.max_diagnostics, line_no, line, reason);
                            }
                        }
                        Err(reason) => {
                            let event = LineEvent::Malformed(reason);
                            apply(out, stats, options.max_diagnostics, line_no, line, event);
                        }
                    }
                }
                Classified::Other(mut event, line_clock) => {
                    if let (LineEvent::Memory { snapshot, .. }, Some(c)) = (&mut event, line_clock) {
                        snapshot.timestamp = clock.date(line_no, c);
                        dated.push((false, out.memory_snapshots.len()));
                    }
                    apply(out, stats, options.max_diagnostics, line_no, line, event);
                }
            }
        });
        let shift = clock.finish_shift();
        for &(is_batch, at) in dated.iter().filter(|_| shift != 0) {
            if is_batch {
                let moved = out.batches.get_ref(at).and_then(|b| b.timestamp()).map(|t| t.plus_micros(shift));
                out.batches.set_timestamp(at, moved);
            } else {
                let ts = &mut out.memory_snapshots[at].timestamp;
                *ts = ts.map(|t| t.plus_micros(shift));
            }
        }
        // Always kept, past the cap: it qualifies every timestamp of the file.
        stats.diagnostics.extend(clock.note());
        out.stats = stats;
        result
    }

    fn parse_launch_command(&self, command: &str) -> Option<NodeLaunchCommand> {
        parse_command(command, Program::Sglang)
    }
}
