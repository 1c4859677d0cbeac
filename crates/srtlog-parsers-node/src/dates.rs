//! Memos of the last timestamp text a parser read, so that the lines of one second share one
//! parse.
//!
//! A busy worker prints many lines per second (every DP rank, every few steps), and each line
//! carries its time once or twice (TensorRT-LLM's `[01/16/2026-06:22:18]` prefix and its
//! `timestamp = 2026-01-16 06:22:18`). The parse itself is the model's
//! ([`srtlog_model::parse_iso`]) or [`parse_us_date`]: a memo only returns the value that parse
//! gave for the same bytes, and only when those bytes decide the result alone, so a line gets
//! exactly the timestamp it would get without the memo (for ISO times: the value of the
//! 19-byte head, the fraction and offset after it parsed on every line). The line functions
//! (`parse_sglang_line`, `parse_trtllm_line`) start from an empty memo; the streaming parsers
//! keep one per file.

#[cfg(test)]
use srtlog_model::parse_iso;
use srtlog_model::{parse_iso_head, parse_iso_tail, Timestamp};

use crate::bytes::parse_us_date;

/// The head (`YYYY-MM-DD HH:MM:SS`, 19 bytes) of the last ISO text [`srtlog_model::parse_iso`] accepted and
/// that second's timestamp: a text with the same 19 first bytes has the same head
/// ([`parse_iso_head`] reads nothing else), so only its tail — fraction and offset — is parsed
/// ([`parse_iso_tail`]). dynamo's microsecond times differ on every line, their seconds do not.
#[derive(Debug, Clone, Default)]
pub(crate) struct IsoMemo {
    head: [u8; 19],
    /// `None`: nothing remembered yet.
    value: Option<Timestamp>,
}

impl IsoMemo {
    /// [`srtlog_model::parse_iso`]`(b)`.
    #[inline]
    pub(crate) fn parse(&mut self, b: &[u8]) -> Option<(Timestamp, usize)> {
        let key: [u8; 19] = b.get(..19)?.try_into().ok()?;
        let head = match self.value {
            Some(ts) if self.head == key => ts,
            _ => {
                let ts = parse_iso_head(b)?;
                self.head = key;
                self.value = Some(ts);
                ts
            }
        };
        // Only a fraction (`.`/`,`) or an offset (`Z`, `+`, `-`) extends the head; any other
        // byte after it (SGLang's ` DP0`, a field's `, `) ends the text, as the tail's parse
        // would find, without the call.
        match b.get(19) {
            Some(b'.' | b',' | b'Z' | b'+' | b'-') => parse_iso_tail(b, head),
            _ => Some((head.with_offset(None), 19)),
        }
    }
}

/// The last 19 bytes [`parse_us_date`] read (`MM/DD/YYYY-HH:MM:SS`) and its result: those 19
/// bytes are all it reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct UsDateMemo {
    key: Option<[u8; 19]>,
    value: Option<Timestamp>,
}

impl UsDateMemo {
    /// [`parse_us_date`]`(b)`.
    #[inline]
    pub(crate) fn parse(&mut self, b: &[u8]) -> Option<Timestamp> {
        let head: [u8; 19] = b.get(..19)?.try_into().ok()?;
        if self.key == Some(head) {
            return self.value;
        }
        let value = parse_us_date(&head);
        self.key = Some(head);
        self.value = value;
        value
    }
}

/// The memos one parser keeps for one file.
#[derive(Debug, Clone, Default)]
pub(crate) struct DateMemo {
    /// The ISO time of a line prefix (SGLang bracket, dynamo).
    pub prefix_iso: IsoMemo,
    /// TensorRT-LLM's `[MM/DD/YYYY-HH:MM:SS]` prefix.
    pub prefix_us: UsDateMemo,
    /// TensorRT-LLM's `timestamp = ...` field.
    pub field_iso: IsoMemo,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every text against a memo primed with every other text: the same answer as the parse.
    #[test]
    fn a_memo_answers_what_the_parse_answers() {
        let texts: &[&[u8]] = &[
            b"2026-01-16 06:00:00",
            b"2026-01-16 06:00:00 DP1",
            b"2026-01-16 06:00:00]",
            b"2026-01-16 06:00:00.5 DP1",
            b"2026-01-16 06:00:00.51]",
            b"2026-01-16 06:00:00,5",
            b"2026-01-16 06:00:00, x",
            b"2026-01-16 06:00:00 x",
            b"2026-01-16 06:00:00Z ",
            b"2026-01-16 06:00:00+05:30 x",
            b"2026-01-16 06:00:00+0530",
            b"2026-01-16 06:00:00+05:3",
            b"2026-01-16 06:00:00+99:00",
            b"2026-01-16 06:00:00-",
            b"2026-01-16 06:00:00.123456789",
            b"2026-01-16 06:00:00.1234567891",
            b"2026-01-16 06:00:00.123456789Z",
            b"2026-01-16T06:00:00.206058Z  INFO",
            b"2026-01-16T06:00:00.206058Z",
            b"2026-01-16 06:00:00.",
            b"2026-01-16 06:00:01",
            b"2026-02-30 06:00:00",
            b"9999-12-31 23:59:60.5",
        ];
        for primer in texts {
            for text in texts {
                let mut memo = IsoMemo::default();
                memo.parse(primer);
                assert_eq!(
                    memo.parse(text),
                    parse_iso(text),
                    "{} after {}",
                    String::from_utf8_lossy(text),
                    String::from_utf8_lossy(primer)
                );
            }
        }
        let us: &[&[u8]] =
            &[b"01/16/2026-06:20:17", b"01/16/2026-06:20:18]", b"02/30/2026-06:20:17", b"01/16/20"];
        for primer in us {
            for text in us {
                let mut memo = UsDateMemo::default();
                memo.parse(primer);
                assert_eq!(memo.parse(text), text.get(..19).and_then(parse_us_date));
            }
        }
    }
}
