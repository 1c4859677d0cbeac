//! Line prefixes: where the message starts, when it was logged, which ranks logged it.
//!
//! Forms (FORMATS.md 7.1, 8.2): SGLang's `[YYYY-MM-DD HH:MM:SS[.ffffff][ DPn][ PPn][ ATTN_CPn]
//! [ MOE_DPn][ TPn][ EPn]] msg` (anywhere in the line), dynamo's `ISO-TS LEVEL target: msg`
//! (ANSI already stripped), dynamo's JSONL `{"time": .., "message": ..}`, TensorRT-LLM's
//! `[MM/DD/YYYY-HH:MM:SS] [TRT-LLM] [RANK n] [I] msg` and C++ `[TensorRT-LLM][INFO] msg`.

use srtlog_model::{parse_iso, Timestamp};

use crate::bytes::{find, parse_u32, parse_us_date, trim_start};

/// A line split into prefix facts and message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Prefix<'a> {
    pub timestamp: Option<Timestamp>,
    pub dp: u32,
    pub tp: u32,
    pub ep: u32,
    /// The message, leading spaces removed (the whole line when no prefix was found).
    pub message: &'a [u8],
}

impl<'a> Prefix<'a> {
    fn bare(message: &'a [u8]) -> Self {
        Prefix { timestamp: None, dp: 0, tp: 0, ep: 0, message: trim_start(message) }
    }
}

/// Splits an SGLang (or dynamo) line. `line` has no ANSI escapes.
pub(crate) fn split_sglang(line: &[u8]) -> Prefix<'_> {
    let t = trim_start(line);
    if let Some(p) = split_dynamo(t) {
        return p;
    }
    if t.first() == Some(&b'{') {
        if let Some(p) = split_jsonl(t) {
            return p;
        }
    }
    // The first few digit-led brackets are tried (a job runner may prepend `[0]`-style text).
    let digit_led =
        memchr::memchr_iter(b'[', line).filter(|&o| line.get(o + 1).is_some_and(u8::is_ascii_digit));
    for open in digit_led.take(3) {
        if let Some(p) = sglang_bracket(&line[open + 1..]) {
            return p;
        }
    }
    Prefix::bare(line)
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff][ TAGn]*] message` (after the `[`).
fn sglang_bracket(s: &[u8]) -> Option<Prefix<'_>> {
    let (ts, mut pos) = parse_iso(s)?;
    if s.get(10) != Some(&b' ') {
        return None;
    }
    let (mut dp, mut tp, mut ep) = (0, 0, 0);
    loop {
        match s.get(pos)? {
            b']' => break,
            b' ' => {
                pos += 1;
                let name_start = pos;
                while s.get(pos).is_some_and(|c| c.is_ascii_uppercase() || *c == b'_') {
                    pos += 1;
                }
                let num_start = pos;
                while s.get(pos).is_some_and(u8::is_ascii_digit) {
                    pos += 1;
                }
                if num_start == name_start || pos == num_start {
                    return None;
                }
                let n = parse_u32(&s[num_start..pos])?;
                match &s[name_start..num_start] {
                    b"DP" => dp = n,
                    b"TP" => tp = n,
                    b"EP" => ep = n,
                    _ => {} // PP, ATTN_CP, MOE_DP, future tags
                }
            }
            _ => return None,
        }
    }
    Some(Prefix { timestamp: Some(ts), dp, tp, ep, message: trim_start(&s[pos + 1..]) })
}

/// dynamo's compact format: `2025-12-30T15:52:38.206058Z  INFO module.func: message`.
pub(crate) fn split_dynamo(t: &[u8]) -> Option<Prefix<'_>> {
    if !t.first().is_some_and(u8::is_ascii_digit) || t.get(10) != Some(&b'T') {
        return None;
    }
    let (ts, used) = parse_iso(t)?;
    let mut rest = trim_start(&t[used..]);
    for level in [&b"INFO"[..], b"WARN", b"ERROR", b"DEBUG", b"TRACE"] {
        if let Some(r) = rest.strip_prefix(level) {
            rest = trim_start(r);
            break;
        }
    }
    // The target `module.func:` is one word ending with `:`.
    let word_end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
    if word_end > 0 && rest[word_end - 1] == b':' {
        rest = trim_start(&rest[word_end..]);
    }
    Some(Prefix { timestamp: Some(ts), dp: 0, tp: 0, ep: 0, message: rest })
}

/// dynamo's JSONL format: the `message` string and the `time`.
pub(crate) fn split_jsonl(t: &[u8]) -> Option<Prefix<'_>> {
    let message = json_string(t, b"\"message\"")?;
    let timestamp = json_string(t, b"\"time\"").and_then(|s| parse_iso(s).map(|(ts, _)| ts));
    Some(Prefix { timestamp, dp: 0, tp: 0, ep: 0, message: trim_start(message) })
}

/// The raw (still escaped) content of the JSON string value of `key` (given with its quotes).
fn json_string<'a>(t: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let at = find(t, key)? + key.len();
    let rest = trim_start(t.get(at..)?);
    let rest = trim_start(rest.strip_prefix(b":")?);
    let body = rest.strip_prefix(b"\"")?;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\\' => i += 2,
            b'"' => return Some(&body[..i]),
            _ => i += 1,
        }
    }
    None
}

/// Splits a TensorRT-LLM line: `[MM/DD/YYYY-HH:MM:SS]` then any `[TRT-LLM]`, `[RANK n]`,
/// `[I]`-style groups; C++ `[TensorRT-LLM][INFO]` groups; dynamo lines. `tp` is the `RANK`.
pub(crate) fn split_trtllm(line: &[u8]) -> Prefix<'_> {
    let t = trim_start(line);
    if let Some(p) = split_dynamo(t) {
        return p;
    }
    if t.first() == Some(&b'{') {
        if let Some(p) = split_jsonl(t) {
            return p;
        }
    }
    let mut timestamp = None;
    let mut rest = t;
    for open in memchr::memchr_iter(b'[', line) {
        let s = &line[open + 1..];
        if s.get(2) == Some(&b'/') && s.get(19) == Some(&b']') {
            if let Some(ts) = parse_us_date(s) {
                timestamp = Some(ts);
                rest = &s[20..];
                break;
            }
        }
        if s.get(..12) == Some(b"TensorRT-LLM") {
            rest = &line[open..];
            break;
        }
        if open > 256 {
            break;
        }
    }
    let mut tp = 0;
    // Skip the bracket groups that follow.
    loop {
        let r = trim_start(rest);
        let Some(body) = r.strip_prefix(b"[") else { break };
        let Some(close) = memchr::memchr(b']', body) else { break };
        let group = &body[..close];
        let known = group == b"TRT-LLM"
            || group == b"TensorRT-LLM"
            || (group.len() == 1 && group[0].is_ascii_uppercase())
            || matches!(group, b"INFO" | b"WARNING" | b"ERROR" | b"DEBUG" | b"VERBOSE" | b"TRACE");
        if let Some(n) = group.strip_prefix(b"RANK ") {
            tp = parse_u32(n).unwrap_or(0);
        } else if !known {
            break;
        }
        rest = &body[close + 1..];
    }
    Prefix { timestamp, dp: 0, tp, ep: 0, message: trim_start(rest) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sglang_forms() {
        let p =
            split_sglang(b"srun: x [2025-11-04 05:31:43.123456 DP3 ATTN_CP0 MOE_DP1 TP3 EP7] Decode batch");
        assert_eq!((p.dp, p.tp, p.ep), (3, 3, 7));
        assert_eq!(p.message, b"Decode batch");
        assert_eq!(p.timestamp.map(|t| t.to_string()).as_deref(), Some("2025-11-04T05:31:43.123456"));
        let p = split_sglang(b"2025-12-30T15:52:38.206058Z  INFO scheduler.log_stats: Prefill batch, x");
        assert_eq!(p.message, b"Prefill batch, x");
        let p = split_sglang(
            br#"{"time": "2025-12-30T15:52:38.2Z", "level": "INFO", "message": "Decode batch, #token: 1"}"#,
        );
        assert_eq!(p.message, b"Decode batch, #token: 1");
        assert!(p.timestamp.is_some());
        let p = split_sglang(b"Capturing batches (bs=1 avail_mem=2 GB) [00:00<00:03]");
        assert_eq!(p.timestamp, None);
    }

    #[test]
    fn trtllm_forms() {
        let p = split_trtllm(b"[01/16/2026-06:20:17] [TRT-LLM] [RANK 3] [I] iter = 1");
        assert_eq!((p.tp, p.message), (3, &b"iter = 1"[..]));
        let p = split_trtllm(b"[TensorRT-LLM][INFO] [MemUsageChange] Allocated 1 GiB");
        assert_eq!(p.message, b"[MemUsageChange] Allocated 1 GiB");
        assert_eq!(p.timestamp, None);
    }
}
