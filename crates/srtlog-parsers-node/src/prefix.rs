//! Line prefixes: where the message starts, when it was logged, which ranks logged it.
//!
//! Forms (FORMATS.md 7.1, 8.2): SGLang's `[YYYY-MM-DD HH:MM:SS[.ffffff][ DPn][ PPn][ ATTN_CPn]
//! [ MOE_DPn][ TPn][ EPn]] msg` (anywhere in the line), dynamo's `ISO-TS LEVEL target: msg`
//! (ANSI already stripped; its coloured printed form is also read in place, without the copy),
//! dynamo's JSONL `{"time": .., "message": ..}`, TensorRT-LLM's
//! `[MM/DD/YYYY-HH:MM:SS] [TRT-LLM] [RANK n] [I] msg` and C++ `[TensorRT-LLM][INFO] msg`.
//!
//! Rarer SGLang forms seen in the field, tried only after the common ones fail (so the hot
//! path is unchanged):
//!
//! * the 2024 prefix with a time and no date, `[04:40:55 TP0] Decode batch. ...` (sglang
//!   ~0.2, issue 1270): the prefix carries a [`Clock`] instead of a timestamp, and the parser
//!   dates it with an [`UndatedClock`] from `ParseOptions::undated_day` (the run's date, or the
//!   file's modification date);
//! * the Ant Group fork's `2025-10-29 02:27:35 INFO 8900 [ DP15 TP15 EP15
//!   scheduler_metrics_mixin.py:222] Decode batch. ...` (antgroup/sglang PR 4): date and time
//!   before the bracket, then level and pid, and the rank tags inside the bracket beside
//!   `file.py:line`.
//!
//! A foreign wrapper before the SGLang bracket (`srun: task 3: `, Ray's `(SGLangEngine
//! pid=41820) ` or `(head, rank=0, pid=18260) `, a pasted file name) is skipped: the first
//! three digit-led brackets are tried.

use srtlog_model::{parse_iso, Timestamp, UndatedDay};

use crate::bytes::{find, leading_integer, parse_u32, trim_start};
use crate::dates::DateMemo;

/// A line split into prefix facts and message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Prefix<'a> {
    pub timestamp: Option<Timestamp>,
    pub dp: u32,
    pub tp: u32,
    pub ep: u32,
    /// A time of day without a date (`[04:40:55 TP0]`); `timestamp` is then `None`.
    pub clock: Option<Clock>,
    /// The message, leading spaces removed (the whole line when no prefix was found).
    pub message: &'a [u8],
}

impl<'a> Prefix<'a> {
    fn bare(message: &'a [u8]) -> Self {
        Prefix::dated(None, message)
    }

    fn dated(timestamp: Option<Timestamp>, message: &'a [u8]) -> Self {
        Prefix { timestamp, dp: 0, tp: 0, ep: 0, clock: None, message: trim_start(message) }
    }
}

/// A time of day a line printed without its date, in microseconds since midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clock(pub i64);

const DAY_MICROS: i64 = 86_400_000_000;

/// Dates the time-only lines of one file, in log order.
///
/// Each line gets the day of the previous one, or the next day when its clock went back by
/// more than an hour: a log is in time order, so a clock that goes back has passed midnight
/// (the hour of slack keeps lines that ranks write a little out of order on their day; a
/// silence of more than a whole day cannot be seen and is not guessed at). The first line is
/// on the given day when that is the run's start day; when it is the file's modification day,
/// the *last* line is on it, and [`UndatedClock::finish_shift`] is the shift that moves every
/// dated line back by the midnights seen.
#[derive(Debug, Default)]
pub(crate) struct UndatedClock {
    day: Option<UndatedDay>,
    last: Option<i64>,
    midnights: i64,
    /// Lines seen, and the first one's number, for the note in the diagnostics.
    lines: u64,
    first_line: u64,
}

impl UndatedClock {
    pub(crate) fn new(day: Option<UndatedDay>) -> Self {
        UndatedClock { day, ..UndatedClock::default() }
    }

    /// The timestamp of a time-only line (`None` when no day is known).
    pub(crate) fn date(&mut self, line_no: u64, clock: Clock) -> Option<Timestamp> {
        if self.lines == 0 {
            self.first_line = line_no;
        }
        self.lines += 1;
        if self.last.is_some_and(|last| clock.0 + DAY_MICROS / 24 < last) {
            self.midnights += 1;
        }
        self.last = Some(clock.0);
        let day = self.day?;
        // Saturating, and refused past the year 9999: a hostile log can pass "midnight" on
        // every other line.
        let ts = day.midnight.plus_micros(self.midnights.saturating_mul(DAY_MICROS).saturating_add(clock.0));
        (ts.parts().0 <= 9999).then_some(ts)
    }

    /// The shift (in microseconds) to add to every timestamp [`UndatedClock::date`] gave, once
    /// the file is read: non-zero only when the day is the file's last day and midnight passed.
    pub(crate) fn finish_shift(&self) -> i64 {
        match self.day {
            Some(day) if day.is_last_day() => self.midnights.saturating_mul(-DAY_MICROS),
            _ => 0,
        }
    }

    /// The note that says where the dates came from, when time-only lines were seen.
    pub(crate) fn note(&self) -> Option<String> {
        if self.lines == 0 {
            return None;
        }
        let (n, first) = (self.lines, self.first_line);
        Some(match self.day {
            Some(day) => format!(
                "{n} lines print a time without a date (first: line {first}): date {} taken from {}",
                day.describe_day(),
                day.source
            ),
            None => format!(
                "{n} lines print a time without a date (first: line {first}) and no run date or file time \
                 is known: their timestamps are left empty"
            ),
        })
    }
}

/// Splits an SGLang (or dynamo) line. `line` has no ANSI escapes; `dates` remembers the
/// file's last prefix time.
pub(crate) fn split_sglang<'a>(line: &'a [u8], dates: &mut DateMemo) -> Prefix<'a> {
    let t = trim_start(line);
    if let Some(p) = split_dynamo(t, dates) {
        return p;
    }
    if t.first() == Some(&b'{') {
        if let Some(p) = split_jsonl(t) {
            return p;
        }
    }
    // The usual line starts with its bracket: tried first with no search (a search costs more
    // than the whole bracket when it finds position 0). Tried again below if it fails: the
    // same answer, and rare.
    if line.first() == Some(&b'[') && line.get(1).is_some_and(u8::is_ascii_digit) {
        if let Some(p) = sglang_bracket(&line[1..], dates) {
            return p;
        }
    }
    // The first few digit-led brackets are tried (a job runner may prepend `[0]`-style text).
    let digit_led =
        memchr::memchr_iter(b'[', line).filter(|&o| line.get(o + 1).is_some_and(u8::is_ascii_digit));
    for open in digit_led.clone().take(3) {
        if let Some(p) = sglang_bracket(&line[open + 1..], dates) {
            return p;
        }
    }
    // Rare forms, only once the common ones failed.
    if let Some(p) = split_ant(t) {
        return p;
    }
    for open in digit_led.take(3) {
        if let Some(p) = time_only_bracket(&line[open + 1..]) {
            return p;
        }
    }
    Prefix::bare(line)
}

/// The rank tags `[ TAGn]*` up to `]`, from `s[pos..]` (which starts at a space or `]`);
/// `file.py:N` words are skipped when `allow_source` (the Ant Group fork). Returns
/// `(dp, tp, ep, position of the ']')`.
fn rank_tags(s: &[u8], mut pos: usize, allow_source: bool) -> Option<(u32, u32, u32, usize)> {
    let (mut dp, mut tp, mut ep) = (0, 0, 0);
    loop {
        match s.get(pos)? {
            b']' => return Some((dp, tp, ep, pos)),
            b' ' => {
                pos += 1;
                if allow_source && s.get(pos) == Some(&b' ') {
                    continue; // `[ DP15`: the fork pads the bracket
                }
                let name_start = pos;
                while s.get(pos).is_some_and(|c| c.is_ascii_uppercase() || *c == b'_') {
                    pos += 1;
                }
                let num_start = pos;
                while s.get(pos).is_some_and(u8::is_ascii_digit) {
                    pos += 1;
                }
                if num_start == name_start || pos == num_start {
                    if allow_source {
                        // `scheduler_metrics_mixin.py:222`: one word up to a space or `]`.
                        pos = name_start;
                        while s.get(pos).is_some_and(|c| !matches!(c, b' ' | b']' | b'[')) {
                            pos += 1;
                        }
                        if pos > name_start && s[name_start..pos].contains(&b':') {
                            continue;
                        }
                    }
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
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff][ TAGn]*] message` (after the `[`).
fn sglang_bracket<'a>(s: &'a [u8], dates: &mut DateMemo) -> Option<Prefix<'a>> {
    let (ts, pos) = dates.prefix_iso.parse(s)?;
    if s.get(10) != Some(&b' ') {
        return None;
    }
    let (dp, tp, ep, close) = printed_rank_tags(s, pos).or_else(|| rank_tags(s, pos, false))?;
    Some(Prefix { timestamp: Some(ts), dp, tp, ep, clock: None, message: trim_start(&s[close + 1..]) })
}

/// The rank tags as SGLang prints them on scheduler lines — any of ` DPn`, ` TPn`, ` EPn` in
/// that order, then `]` — read by position; `None` for anything else (other tags, another
/// order, a number of ten digits), which [`rank_tags`] then reads, to the same result for every
/// form accepted here.
#[inline]
fn printed_rank_tags(s: &[u8], mut pos: usize) -> Option<(u32, u32, u32, usize)> {
    let mut ranks = [0u32; 3];
    // The tags ` DP`, ` TP`, ` EP` matched byte by byte (an element pattern, where a compared
    // byte string is a slice comparison).
    for (rank, letter) in ranks.iter_mut().zip([b'D', b'T', b'E']) {
        if matches!(s.get(pos..pos + 3), Some(&[b' ', l, b'P']) if l == letter) {
            let (n, len) = leading_integer(&s[pos + 3..], 9)?;
            *rank = n as u32;
            pos += 3 + len;
        }
    }
    let [dp, tp, ep] = ranks;
    (s.get(pos) == Some(&b']')).then_some((dp, tp, ep, pos))
}

/// `HH:MM:SS[.ffffff][ TAGn]*] message` (after the `[`): the 2024 prefix without a date.
fn time_only_bracket(s: &[u8]) -> Option<Prefix<'_>> {
    if s.get(2) != Some(&b':') || s.get(5) != Some(&b':') {
        return None;
    }
    let (h, m, sec) = (parse_u32(s.get(0..2)?)?, parse_u32(s.get(3..5)?)?, parse_u32(s.get(6..8)?)?);
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut micros = i64::from(h * 3600 + m * 60 + sec) * 1_000_000;
    let mut pos = 8;
    if s.get(pos) == Some(&b'.') {
        let start = pos + 1;
        pos = start;
        while s.get(pos).is_some_and(u8::is_ascii_digit) && pos - start < 6 {
            pos += 1;
        }
        let frac = parse_u32(&s[start..pos])?;
        micros += i64::from(frac) * 10i64.pow(6 - (pos - start) as u32);
    }
    let (dp, tp, ep, close) = rank_tags(s, pos, false)?;
    Some(Prefix {
        timestamp: None,
        dp,
        tp,
        ep,
        clock: Some(Clock(micros)),
        message: trim_start(&s[close + 1..]),
    })
}

/// The Ant Group fork: `YYYY-MM-DD HH:MM:SS LEVEL PID [ TAGn* file.py:N] message`.
fn split_ant(t: &[u8]) -> Option<Prefix<'_>> {
    if !t.first().is_some_and(u8::is_ascii_digit) || t.get(10) != Some(&b' ') {
        return None;
    }
    let (ts, used) = parse_iso(t)?;
    let rest = t.get(used..)?.strip_prefix(b" ")?;
    let level_end = rest.iter().position(|c| !c.is_ascii_uppercase())?;
    let rest = rest.get(level_end..)?.strip_prefix(b" ")?;
    let pid_end = rest.iter().position(|c| !c.is_ascii_digit())?;
    if level_end == 0 || pid_end == 0 {
        return None;
    }
    // The fork pads the bracket (`[ DP15`), which is where `rank_tags` wants a space.
    let s = rest.get(pid_end..)?.strip_prefix(b" [")?;
    let (dp, tp, ep, close) = rank_tags(s, 0, true)?;
    Some(Prefix { timestamp: Some(ts), dp, tp, ep, clock: None, message: trim_start(&s[close + 1..]) })
}

/// dynamo's compact format: `2025-12-30T15:52:38.206058Z  INFO module.func: message`.
fn split_dynamo<'a>(t: &'a [u8], dates: &mut DateMemo) -> Option<Prefix<'a>> {
    if !t.first().is_some_and(u8::is_ascii_digit) || t.get(10) != Some(&b'T') {
        return None;
    }
    let (ts, used) = dates.prefix_iso.parse(t)?;
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
    Some(Prefix { timestamp: Some(ts), dp: 0, tp: 0, ep: 0, clock: None, message: rest })
}

/// dynamo's coloured prefix as it prints it, `ESC[2m{ISO time}ESC[0m ESC[32m INFOESC[0m
/// ESC[2m{target}ESC[0mESC[2m:ESC[0m message` (FORMATS.md 7.1, form 2), read in place by
/// position: no copy of the line without its escapes, which costs more than the rest of the
/// prefix (ten sequences on every line). `None` for anything else — another colour form, a
/// target with a space, an escape in the message — which stripping the escapes and
/// [`split_dynamo`] then read, to the same result for every line accepted here.
#[inline]
pub(crate) fn printed_dynamo_prefix<'a>(line: &'a [u8], dates: &mut DateMemo) -> Option<Prefix<'a>> {
    let t = line.strip_prefix(b"\x1b[2m")?;
    if !t.first().is_some_and(u8::is_ascii_digit) || t.get(10) != Some(&b'T') {
        return None;
    }
    let (ts, used) = dates.prefix_iso.parse(t)?;
    // The level's colour: `ESC[` digits `m`, then the level right-aligned in width 5.
    let rest = t[used..].strip_prefix(b"\x1b[0m \x1b[")?;
    let (_, colour_len) = leading_integer(rest, 3)?;
    let rest = trim_start(rest[colour_len..].strip_prefix(b"m")?);
    let level =
        [&b"INFO"[..], b"WARN", b"ERROR", b"DEBUG", b"TRACE"].into_iter().find(|l| rest.starts_with(l))?;
    let rest = rest[level.len()..].strip_prefix(b"\x1b[0m \x1b[2m")?;
    // The target runs to the next escape; with a space in it the stripped line's first word
    // would not end in its `:`.
    let target_end = memchr::memchr(0x1b, rest)?;
    if memchr::memchr(b' ', &rest[..target_end]).is_some() {
        return None;
    }
    let message = rest[target_end..].strip_prefix(b"\x1b[0m\x1b[2m:\x1b[0m ")?;
    if memchr::memchr(0x1b, message).is_some() {
        return None;
    }
    Some(Prefix { timestamp: Some(ts), dp: 0, tp: 0, ep: 0, clock: None, message: trim_start(message) })
}

/// dynamo's JSONL format: the `message` string and the `time`.
pub(crate) fn split_jsonl(t: &[u8]) -> Option<Prefix<'_>> {
    let message = json_string(t, b"\"message\"")?;
    let timestamp = json_string(t, b"\"time\"").and_then(|s| parse_iso(s).map(|(ts, _)| ts));
    Some(Prefix::dated(timestamp, message))
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

/// The prefix every TensorRT-LLM Python log line prints, `[MM/DD/YYYY-HH:MM:SS] [TRT-LLM]
/// [RANK n] [X] message`, read in one pass by position; `None` for anything else (another
/// group, a bad date, a message that starts with `[`), which [`split_trtllm`]'s general
/// bracket walk then reads — to the same result for the lines accepted here.
#[inline]
fn printed_trtllm_prefix<'a>(t: &'a [u8], dates: &mut DateMemo) -> Option<Prefix<'a>> {
    if t.first() != Some(&b'[') || t.get(3) != Some(&b'/') || t.get(20) != Some(&b']') {
        return None;
    }
    let rest = t[21..].strip_prefix(b" [TRT-LLM] [RANK ")?;
    let (tp, len) = leading_integer(rest, 9)?;
    let rest = rest[len..].strip_prefix(b"] [")?;
    let (&level, rest) = rest.split_first()?;
    let message = rest.strip_prefix(b"]")?;
    if !level.is_ascii_uppercase() || trim_start(message).first() == Some(&b'[') {
        return None;
    }
    let timestamp = dates.prefix_us.parse(&t[1..])?;
    Some(Prefix { tp: tp as u32, ..Prefix::dated(Some(timestamp), message) })
}

/// Splits a TensorRT-LLM line: `[MM/DD/YYYY-HH:MM:SS]` then any `[TRT-LLM]`, `[RANK n]`,
/// `[I]`-style groups; C++ `[TensorRT-LLM][INFO]` groups; dynamo lines. `tp` is the `RANK`.
pub(crate) fn split_trtllm<'a>(line: &'a [u8], dates: &mut DateMemo) -> Prefix<'a> {
    let t = trim_start(line);
    if let Some(p) = split_dynamo(t, dates) {
        return p;
    }
    if t.first() == Some(&b'{') {
        if let Some(p) = split_jsonl(t) {
            return p;
        }
    }
    if let Some(p) = printed_trtllm_prefix(t, dates) {
        return p;
    }
    trtllm_bracket_walk(line, t, dates)
}

/// [`split_trtllm`]'s general rule: the first `[MM/DD/YYYY-HH:MM:SS]` (or a C++
/// `[TensorRT-LLM]` group) within the first 256 bytes, then every known bracket group after it.
fn trtllm_bracket_walk<'a>(line: &'a [u8], t: &'a [u8], dates: &mut DateMemo) -> Prefix<'a> {
    let mut timestamp = None;
    let mut rest = t;
    for open in memchr::memchr_iter(b'[', line) {
        let s = &line[open + 1..];
        if s.get(2) == Some(&b'/') && s.get(19) == Some(&b']') {
            if let Some(ts) = dates.prefix_us.parse(s) {
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
    Prefix { tp, ..Prefix::dated(timestamp, rest) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The printed TensorRT-LLM prefix read by position gives what the bracket walk gives, and
    /// every variant it does not take is left to the walk.
    #[test]
    fn printed_trtllm_prefix_matches_the_bracket_walk() {
        let lines: &[&[u8]] = &[
            b"[01/16/2026-06:22:01] [TRT-LLM] [RANK 3] [I] iter = 1, states = {}",
            b"  [01/16/2026-06:22:01] [TRT-LLM] [RANK 0] [W]   message",
            b"[01/16/2026-06:22:01] [TRT-LLM] [RANK 0] [I] [MemUsageChange] Allocated 1 GiB",
            b"[01/16/2026-06:22:01] [TRT-LLM] [RANK 0x] [I] x",
            b"[01/16/2026-06:22:01] [TRT-LLM] [RANK 12345678901] [I] x",
            b"[01/16/2026-06:22:01] [TRT-LLM]  [RANK 1] [I] x",
            b"[02/30/2026-06:22:01] [TRT-LLM] [RANK 1] [I] a bad date",
            b"[01/16/2026-06:22:01] [TRT-LLM] [RANK 1] [i] lower-case level",
            b"[01/16/2026-06:22:01] [TRT-LLM] [RANK 1] [I]",
            b"[01/16/2026-06:22:01] [TRT-LLM] [I] no rank",
        ];
        for line in lines {
            let text = String::from_utf8_lossy(line);
            let t = trim_start(line);
            let walk = trtllm_bracket_walk(line, t, &mut DateMemo::default());
            assert_eq!(split_trtllm(line, &mut DateMemo::default()), walk, "{text}");
            if let Some(p) = printed_trtllm_prefix(t, &mut DateMemo::default()) {
                assert_eq!(p, walk, "{text}");
            }
        }
        let first = trim_start(lines[0]);
        assert!(
            printed_trtllm_prefix(first, &mut DateMemo::default()).is_some(),
            "the printed form is taken"
        );
    }

    /// dynamo's coloured prefix read in place gives what stripping the escapes and the
    /// general split give, and every variant it does not take is left to them.
    #[test]
    fn printed_dynamo_prefix_matches_the_stripped_split() {
        let lines: &[&[u8]] = &[
            b"\x1b[2m2025-12-30T15:52:38.206058Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2msglang.srt.managers.scheduler.log_stats\x1b[0m\x1b[2m:\x1b[0m Decode batch. #token: 1",
            b"\x1b[2m2025-12-30T15:52:38Z\x1b[0m \x1b[33m WARN\x1b[0m \x1b[2mmod.f\x1b[0m\x1b[2m:\x1b[0m   Prefill batch. x",
            b"\x1b[2m2025-12-30T15:52:38.2+05:30\x1b[0m \x1b[31mERROR\x1b[0m \x1b[2mmod.f\x1b[0m\x1b[2m:\x1b[0m Decode batch",
            b"\x1b[2m2025-12-30T15:52:38.2Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2m\x1b[0m\x1b[2m:\x1b[0m no target",
            b"\x1b[2m2025-12-30T15:52:38.2+05\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mmod.f\x1b[0m\x1b[2m:\x1b[0m an offset cut short",
            b"\x1b[2m2025-12-30T15:52:38.2Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mtwo words\x1b[0m\x1b[2m:\x1b[0m x",
            b"\x1b[2m2025-12-30T15:52:38.2Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mmod.f\x1b[0m\x1b[2m:\x1b[0mno space",
            b"\x1b[2m2025-12-30T15:52:38.2Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mmod.f\x1b[0m\x1b[2m:\x1b[0m a \x1b[1mbold\x1b[0m word",
            b"\x1b[2m2025-12-30T15:52:38.2Z\x1b[0m \x1b[1;32m INFO\x1b[0m \x1b[2mmod.f\x1b[0m\x1b[2m:\x1b[0m x",
            b"\x1b[2m2025-12-30T15:52:38.2Z\x1b[0m \x1b[32mWARNING\x1b[0m \x1b[2mmod.f\x1b[0m\x1b[2m:\x1b[0m x",
            b"\x1b[2m2025-13-30T15:52:38.2Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mmod.f\x1b[0m\x1b[2m:\x1b[0m a bad month",
            b"\x1b[2m2025-12-30 15:52:38.2Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mmod.f\x1b[0m\x1b[2m:\x1b[0m no T",
        ];
        for line in lines {
            let text = String::from_utf8_lossy(line);
            let mut stripped = Vec::new();
            crate::bytes::strip_ansi_into(line, &mut stripped);
            let general = split_sglang(&stripped, &mut DateMemo::default());
            if let Some(p) = printed_dynamo_prefix(line, &mut DateMemo::default()) {
                assert_eq!(p, general, "{text}");
            }
        }
        // The first four are the printed forms; every later line is a variant left to the rest.
        let taken: Vec<bool> =
            lines.iter().map(|l| printed_dynamo_prefix(l, &mut DateMemo::default()).is_some()).collect();
        let mut want = vec![false; lines.len()];
        want[..4].fill(true);
        assert_eq!(taken, want);
    }

    /// The printed rank tags read by position give what the general tag rule gives, and every
    /// variant they do not take is left to it.
    #[test]
    fn printed_rank_tags_match_the_general_rule() {
        let tags: &[&[u8]] = &[
            b"]",
            b" DP3 TP3 EP3]",
            b" TP0]",
            b" DP12 TP12]",
            b" TP7 EP7]",
            b" DP0 EP1]",
            b" DP007 TP1]",
            b" DP1 PP0 TP1]",
            b" TP1 DP1]",
            b" DP3 ATTN_CP0 MOE_DP1 TP3 EP7]",
            b" DP1234567890 TP1]",
            b" DP]",
            b" DP3X]",
            b" DP3 DP4]",
            b" TP1 ]",
            b" TP1",
            b"  TP1]",
            b" tp1]",
        ];
        for (i, tag) in tags.iter().enumerate() {
            let text = String::from_utf8_lossy(tag);
            let general = rank_tags(tag, 0, false);
            let printed = printed_rank_tags(tag, 0);
            if printed.is_some() {
                assert_eq!(printed, general, "{text}");
            }
            // The first seven are the printed forms; every later one is left to the rule.
            assert_eq!(printed.is_some(), i < 7, "{text}");
        }
    }

    fn sglang(line: &[u8]) -> Prefix<'_> {
        split_sglang(line, &mut DateMemo::default())
    }

    fn trtllm(line: &[u8]) -> Prefix<'_> {
        split_trtllm(line, &mut DateMemo::default())
    }

    #[test]
    fn sglang_forms() {
        let p = sglang(b"srun: x [2025-11-04 05:31:43.123456 DP3 ATTN_CP0 MOE_DP1 TP3 EP7] Decode batch");
        assert_eq!((p.dp, p.tp, p.ep), (3, 3, 7));
        assert_eq!(p.message, b"Decode batch");
        assert_eq!(p.timestamp.map(|t| t.to_string()).as_deref(), Some("2025-11-04T05:31:43.123456"));
        let p = sglang(b"2025-12-30T15:52:38.206058Z  INFO scheduler.log_stats: Prefill batch, x");
        assert_eq!(p.message, b"Prefill batch, x");
        let p = sglang(
            br#"{"time": "2025-12-30T15:52:38.2Z", "level": "INFO", "message": "Decode batch, #token: 1"}"#,
        );
        assert_eq!(p.message, b"Decode batch, #token: 1");
        assert!(p.timestamp.is_some());
        let p = sglang(b"Capturing batches (bs=1 avail_mem=2 GB) [00:00<00:03]");
        assert_eq!(p.timestamp, None);
    }

    #[test]
    fn trtllm_forms() {
        let p = trtllm(b"[01/16/2026-06:20:17] [TRT-LLM] [RANK 3] [I] iter = 1");
        assert_eq!((p.tp, p.message), (3, &b"iter = 1"[..]));
        let p = trtllm(b"[TensorRT-LLM][INFO] [MemUsageChange] Allocated 1 GiB");
        assert_eq!(p.message, b"[MemUsageChange] Allocated 1 GiB");
        assert_eq!(p.timestamp, None);
    }
}
