// Shared by `sglang_stream` and `trtllm_stream` (included with `include!`).
//
// Input layout: byte 0 and 1 → `max_line_bytes` (1..=4096, small so that truncation happens),
// byte 2 → the short-read pattern seed, the rest is the log.
//
// Properties: parsing never panics and never returns an error for an in-memory reader; the
// result does not depend on how the reader splits its data (short reads versus one slice);
// `ParseStats::lines` counts `\n` plus a final unterminated line; and when no line exceeds the
// cap, every batch the stream parser reports is exactly what the line parser says about the
// same line.

use std::io::{self, Read};

use srtlog_model::{NodeParser, ParseOptions, WorkerLogData};
use srtlog_parsers_node::LineEvent;

/// A reader that returns at most a few bytes per call, following a seeded pattern
/// (sometimes 0-byte `Interrupted` errors, which `Read` users must retry).
struct ShortReader<'a> {
    data: &'a [u8],
    state: u32,
}

impl Read for ShortReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.state = self.state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let pick = (self.state >> 16) % 37;
        if pick == 0 && !self.data.is_empty() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "try again"));
        }
        let n = (pick as usize).max(1).min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn check_stream(parser: &dyn NodeParser, line_parser: fn(&[u8]) -> LineEvent, data: &[u8]) {
    if data.len() < 3 {
        return;
    }
    let cap = 1 + (usize::from(data[0]) << 8 | usize::from(data[1])) % 4096;
    let seed = u32::from(data[2]);
    let log = &data[3..];
    let options = ParseOptions { max_line_bytes: cap, ..ParseOptions::default() };

    let mut whole = WorkerLogData::default();
    parser.parse_reader(&mut &log[..], &options, &mut whole).expect("in-memory read cannot fail");

    let mut short = WorkerLogData::default();
    let mut reader = ShortReader { data: log, state: seed };
    parser.parse_reader(&mut reader, &options, &mut short).expect("short reads cannot fail");
    assert_eq!(whole, short, "result depends on read sizes (cap {cap})");

    let newlines = log.iter().filter(|&&b| b == b'\n').count() as u64;
    let unterminated = u64::from(!log.is_empty() && !log.ends_with(b"\n"));
    assert_eq!(whole.stats.lines, newlines + unterminated, "line count");
    assert_eq!(whole.stats.bytes, log.len() as u64, "byte count");

    let lines: Vec<&[u8]> = log.split(|&b| b == b'\n').collect();
    if lines.iter().all(|l| l.len() <= cap) {
        assert_eq!(whole.stats.truncated_lines, 0);
        let expected: Vec<_> = lines
            .iter()
            .filter_map(|l| match line_parser(l) {
                LineEvent::Batch(b) => Some(b),
                _ => None,
            })
            .collect();
        assert_eq!(whole.batches, expected, "stream and line parser disagree");
    }
}
