//! The streaming candidate-line scanner both parsers run on.
//!
//! One reusable buffer ([`BUFFER_BYTES`], grown only for a line longer than it, never beyond
//! `ParseOptions::max_line_bytes + 1`) is refilled from the reader; the partial last line is
//! rolled to the front, as ripgrep's line buffer does. In each filled region the scanner:
//!
//! 1. counts `\n` bytes (vectorised `memchr` count) for [`ParseStats::lines`];
//! 2. searches the whole region for the parser's few *markers* at once with `aho-corasick`'s
//!    packed SIMD searcher ("Teddy"; its automaton where the CPU has no SIMD for it); text
//!    between hits is never looked at;
//! 3. for each hit, finds the enclosing line (`memrchr` / `memchr` for `\n`, and ESC on the
//!    way), hands it to the parser, and resumes the search after that line: one line, one
//!    record. Before searching, the line after a hit is checked for the same marker at the same
//!    offset (a busy log prints `Decode batch` after a prefix of the same width line after
//!    line): one comparison instead of a search, and the same line the search would find.
//!
//! Lines end at `\n` only (a `\r` inside a progress bar is not a line end); a trailing `\r`
//! is removed. A line longer than `max_line_bytes` is cut at the cap, counted in
//! [`ParseStats::truncated_lines`], and the rest of it is skipped without being buffered.

use std::io::{self, Read};

use aho_corasick::{packed, AhoCorasick, AhoCorasickBuilder, Input, MatchKind, Span};
use srtlog_model::{ParseOptions, ParseStats};

use crate::bytes::{eq_words, has_esc, strip_cr};

/// Size of the scan buffer. Large enough that the per-refill overhead vanishes, small enough
/// to stay in L2 on most machines.
pub const BUFFER_BYTES: usize = 512 * 1024;

/// A compiled marker set: the substrings one of which every interesting line contains.
#[derive(Debug)]
pub(crate) struct Markers {
    automaton: AhoCorasick,
    /// The same patterns as a bare SIMD searcher (Teddy, with Rabin-Karp for short spans):
    /// the region search runs once per candidate line, and at the busy end, where nearly every
    /// line is one, the automaton's layers around the same searcher cost as much as the search.
    /// `None` where the CPU has no SIMD Teddy support: the automaton then searches.
    packed: Option<packed::Searcher>,
    /// Markers that must start a line (`+ ` xtrace lines): checked at the region start, whose
    /// preceding `\n` the automaton cannot see.
    line_start: &'static [&'static [u8]],
    /// The markers that may occur anywhere, by pattern id (the searchers' first patterns).
    anywhere: Vec<Vec<u8>>,
}

impl Markers {
    /// Builds the automaton. `anywhere` markers may occur anywhere in a line; `line_start`
    /// markers only at a line start (they are searched as `\n` + marker).
    pub(crate) fn new(anywhere: &[&[u8]], line_start: &'static [&'static [u8]]) -> Option<Self> {
        let anywhere: Vec<Vec<u8>> = anywhere.iter().map(|m| m.to_vec()).collect();
        let mut patterns = anywhere.clone();
        for m in line_start {
            let mut p = vec![b'\n'];
            p.extend_from_slice(m);
            patterns.push(p);
        }
        let automaton =
            AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostFirst).build(&patterns).ok()?;
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(&patterns)
            .build();
        Some(Markers { automaton, packed, line_start, anywhere })
    }

    /// The first marker hit in `hay[from..]`, as a position inside the line it belongs to, and
    /// the marker when it is one that may occur anywhere (an index of `anywhere`).
    fn find(&self, hay: &[u8], from: usize) -> Option<(usize, Option<usize>)> {
        let (start, pattern) = match &self.packed {
            Some(searcher) => {
                let m = searcher.find_in(hay, Span { start: from, end: hay.len() })?;
                (m.start(), m.pattern().as_usize())
            }
            None => {
                let m = self.automaton.find(Input::new(hay).span(from..hay.len()))?;
                (m.start(), m.pattern().as_usize())
            }
        };
        // A `\n`-prefixed marker belongs to the line after the `\n`.
        if hay.get(start) == Some(&b'\n') {
            Some((start + 1, None))
        } else {
            Some((start, (pattern < self.anywhere.len()).then_some(pattern)))
        }
    }

    /// The line of `region` that starts at `next_line`, when it holds `marker` (an index of
    /// `anywhere`) at `offset` from its start: `(start, end, has_esc)` as the scan delimits it.
    /// A busy log's lines print their marker at the same place line after line (`Decode batch`
    /// after a prefix of the same width), so this one comparison finds most candidates, where
    /// the search costs a few hundred instructions a line. Exact: a line holding a marker is
    /// the one the search would deliver next, whichever of its markers the search would find.
    #[inline(always)]
    fn at_predicted(
        &self,
        region: &[u8],
        next_line: usize,
        (offset, marker): (usize, usize),
    ) -> Option<(usize, usize, bool)> {
        let pattern = self.anywhere.get(marker)?;
        let at = next_line + offset;
        if !region.get(at..at + pattern.len()).is_some_and(|w| eq_words(w, pattern)) {
            return None;
        }
        // The marker must lie inside that line (a shorter line puts it on a later one).
        let (end, esc) = end_from(region, next_line);
        (at + pattern.len() <= end).then_some((next_line, end, esc))
    }

    /// Whether `line` holds a marker (used for the lines the region search cannot see whole).
    pub(crate) fn line_matches(&self, line: &[u8]) -> bool {
        self.automaton.is_match(line) || self.line_start.iter().any(|m| line.starts_with(m))
    }
}

/// Streams `reader`, calling `on_line(line_number, line, has_esc, stats)` for every line that
/// holds a marker, where `has_esc` says whether the line holds an ESC byte (an ANSI escape the
/// parser must strip first: found while the line's ends are searched, so the parser need not
/// search the line again). Line numbers start at 1. Only I/O errors are returned.
pub(crate) fn scan_lines<R, F>(
    reader: &mut R,
    options: &ParseOptions,
    markers: &Markers,
    stats: &mut ParseStats,
    mut on_line: F,
) -> io::Result<()>
where
    R: Read + ?Sized,
    F: FnMut(u64, &[u8], bool, &mut ParseStats),
{
    let max_line = options.max_line_bytes.max(1);
    let mut buf = vec![0u8; BUFFER_BYTES.min(max_line.saturating_add(1))];
    let mut start = 0usize; // first unprocessed byte
    let mut end = 0usize; // end of valid data
    let mut line_no = 0u64; // lines completed so far
    let mut skipping = false; // inside the tail of a truncated line
    loop {
        if start > 0 {
            buf.copy_within(start..end, 0);
            end -= start;
            start = 0;
        }
        if end == buf.len() {
            // The buffer holds one line without its end.
            if buf.len() <= max_line {
                let grown = (buf.len() * 2).min(max_line.saturating_add(1));
                buf.resize(grown, 0);
            } else {
                let line = &buf[..max_line];
                stats.truncated_lines += 1;
                if markers.line_matches(line) {
                    on_line(line_no + 1, line, has_esc(line), stats);
                }
                skipping = true;
                end = 0;
            }
            continue;
        }
        let n = match reader.read(&mut buf[end..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        stats.bytes += n as u64;
        if skipping {
            match memchr::memchr(b'\n', &buf[end..end + n]) {
                None => continue, // discard: `end` stays where it was
                Some(i) => {
                    skipping = false;
                    line_no += 1;
                    start = end + i + 1;
                    end += n;
                }
            }
        } else {
            end += n;
        }
        let Some(last_nl) = memchr::memrchr(b'\n', &buf[start..end]) else { continue };
        let region_end = start + last_nl + 1;
        scan_region(&buf[start..region_end], markers, &mut line_no, stats, &mut on_line);
        start = region_end;
    }
    // A last line without `\n`.
    if !skipping && end > start {
        let line = &buf[start..end];
        line_no += 1;
        if markers.line_matches(line) {
            let line = strip_cr(line);
            on_line(line_no, line, has_esc(line), stats);
        }
    }
    if skipping {
        line_no += 1; // the truncated line ended at end of file
    }
    stats.lines += line_no;
    Ok(())
}

/// Scans complete lines (`region` ends with `\n`).
fn scan_region<F>(
    region: &[u8],
    markers: &Markers,
    line_no: &mut u64,
    stats: &mut ParseStats,
    on_line: &mut F,
) where
    F: FnMut(u64, &[u8], bool, &mut ParseStats),
{
    let base = *line_no;
    let mut seen = 0u64; // newlines counted before `next_line`
                         // Where the line after the last hit starts (the region starts at a line start). The search
                         // resumes at the `\n` before it: a line-start marker of that line begins with it.
    let mut next_line = 0usize;
    // The region starts at a line start: line-start markers there have no `\n` before them.
    let mut first_line_checked = false;
    // The last hit's marker and its offset in its line, tried first on the next line.
    let mut predicted = None;
    while next_line < region.len() {
        let found = predicted.and_then(|p| markers.at_predicted(region, next_line, p));
        let (line_start, line_end, esc, lines_before) = match found {
            Some((start, end, esc)) => (start, end, esc, 0),
            None => {
                let hit = if !first_line_checked && markers.line_start.iter().any(|m| region.starts_with(m)) {
                    Some((0, None))
                } else {
                    markers.find(region, next_line.saturating_sub(1))
                };
                first_line_checked = true;
                let Some((hit, marker)) = hit else { break };
                let line = if hit.checked_sub(next_line).is_some_and(|d| d <= NEAR_HIT) {
                    enclosing_line(region, next_line, hit)
                } else {
                    line_around(region, next_line, hit)
                };
                predicted = marker.map(|m| (hit - line.0, m));
                line
            }
        };
        seen += lines_before;
        on_line(base + seen + 1, strip_cr(&region[line_start..line_end]), esc, stats);
        // This line and its `\n` are counted; the next gap starts after it.
        seen += 1;
        next_line = (line_end + 1).min(region.len());
    }
    *line_no = base + seen + count_newlines(&region[next_line..]);
    debug_assert_eq!(*line_no, base + count_newlines(region));
}

/// A hit at most this far past the line after the last hit is looked up from that line's
/// start ([`enclosing_line`]): a batch line's marker follows a prefix of 40–60 bytes, and a
/// line that short before a hit wastes one short search at most.
const NEAR_HIT: usize = 160;

/// The escape byte that starts an ANSI escape sequence.
const ESC: u8 = 0x1b;

/// The line of `region` holding `hit`, as `(start, end, has_esc, lines_before)` (`end` at its
/// `\n`; `lines_before` the lines from `next_line` to `start`), where `next_line` is a line
/// start at or before `hit`. The end of the line at `next_line` is found first: at the busy
/// end, where the line after a hit is usually a hit too, that one forward search is all it
/// takes; otherwise the start is searched back from `hit`, no further than that end, and the
/// one line between (the usual case at 50 %) needs no count.
#[inline(always)]
fn enclosing_line(region: &[u8], next_line: usize, hit: usize) -> (usize, usize, bool, u64) {
    let (first_end, esc) = end_from(region, next_line);
    if hit <= first_end {
        return (next_line, first_end, esc, 0);
    }
    // `region[first_end]` is a `\n`: the start is found after it.
    let (start, esc_before) = start_back(region, first_end, hit);
    let (end, esc_after) = end_from(region, hit);
    let between = if start > first_end + 1 { count_newlines(&region[first_end + 1..start]) } else { 0 };
    (start, end, esc_before || esc_after, 1 + between)
}

/// [`enclosing_line`]'s result for a hit far from `next_line`: the line searched back and
/// forth from `hit`, and the lines between counted.
#[inline(always)]
fn line_around(region: &[u8], next_line: usize, hit: usize) -> (usize, usize, bool, u64) {
    let (start, esc_before) = start_back(region, next_line, hit);
    let (end, esc_after) = end_from(region, hit);
    (start, end, esc_before || esc_after, count_newlines(&region[next_line..start]))
}

/// The end of the line `from` is in (its `\n`, else the region's end), and whether an ESC
/// comes before it: one search for either byte, which costs about what a search for `\n` alone
/// does.
#[inline(always)]
fn end_from(region: &[u8], from: usize) -> (usize, bool) {
    let hay = &region[from..];
    match memchr::memchr2(b'\n', ESC, hay) {
        None => (region.len(), false),
        Some(i) if hay[i] == b'\n' => (from + i, false),
        Some(i) => (memchr::memchr(b'\n', &hay[i..]).map_or(region.len(), |j| from + i + j), true),
    }
}

/// The start of the line `hit` is in, after the last `\n` of `region[floor..hit]` (`floor`
/// when there is none), and whether an ESC comes between that start and `hit`.
#[inline(always)]
fn start_back(region: &[u8], floor: usize, hit: usize) -> (usize, bool) {
    let hay = &region[floor..hit];
    match memchr::memrchr2(b'\n', ESC, hay) {
        None => (floor, false),
        Some(i) if hay[i] == b'\n' => (floor + i + 1, false),
        Some(i) => (memchr::memrchr(b'\n', &hay[..i]).map_or(floor, |j| floor + j + 1), true),
    }
}

fn count_newlines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &[u8], max_line_bytes: usize, chunk: usize) -> (Vec<(u64, Vec<u8>)>, ParseStats) {
        struct Chunked<'a>(&'a [u8], usize);
        impl Read for Chunked<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(out.len()).min(self.1);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let markers = Markers::new(&[b"batch"], &[b"+ "]).expect("markers");
        let mut stats = ParseStats::default();
        let mut hits = Vec::new();
        let opts = ParseOptions { max_line_bytes, ..ParseOptions::default() };
        scan_lines(&mut Chunked(text, chunk), &opts, &markers, &mut stats, |n, l, esc, _| {
            assert_eq!(esc, l.contains(&0x1b), "line {n}: whether it holds an ESC");
            hits.push((n, l.to_vec()))
        })
        .expect("scan");
        (hits, stats)
    }

    #[test]
    fn finds_candidates_with_line_numbers() {
        let text = b"+ A=1\n+ B=2\nnoise\nDecode batch x\r\nmore\nbatch\rbatch\n+ tail";
        for chunk in [1, 3, 7, 1000] {
            let (hits, stats) = run(text, 1 << 20, chunk);
            let got: Vec<(u64, &[u8])> = hits.iter().map(|(n, l)| (*n, l.as_slice())).collect();
            assert_eq!(
                got,
                vec![
                    (1, &b"+ A=1"[..]),
                    (2, b"+ B=2"),
                    (4, b"Decode batch x"),
                    (6, b"batch\rbatch"),
                    (7, b"+ tail")
                ],
                "chunk {chunk}"
            );
            assert_eq!(stats.lines, 7);
            assert_eq!(stats.bytes, text.len() as u64);
        }
    }

    /// The bare packed searcher and the automaton find the same markers at the same places.
    #[test]
    fn packed_and_automaton_searches_agree() {
        let with_packed = Markers::new(&[b"batch", b"mem=", b"iter = "], &[b"+"]).expect("markers");
        assert!(with_packed.packed.is_some() || !cfg!(target_arch = "x86_64"));
        let automaton_only = Markers {
            packed: None,
            ..Markers::new(&[b"batch", b"mem=", b"iter = "], &[b"+"]).expect("markers")
        };
        let mut text = Vec::new();
        for i in 0..400u32 {
            let piece: &[u8] = match i % 7 {
                0 => b"Decode batch, #running-req: 3\n",
                1 => b"noise noise noise noise noise noise noise noise noise\n",
                2 => b"+ export X=1\n",
                3 => b"avail mem=12.5 GB batc",
                4 => b"h iter = 4\n",
                5 => b"x+ not at a line start\n",
                _ => b"\n",
            };
            text.extend_from_slice(piece);
        }
        for from in [0, 1, 5, 17, 100, 1000, text.len() - 3] {
            let mut pos = from;
            loop {
                let (a, b) = (with_packed.find(&text, pos), automaton_only.find(&text, pos));
                assert_eq!(a, b, "from {pos}");
                match a {
                    Some((at, _)) => pos = at + 1,
                    None => break,
                }
            }
        }
    }

    proptest::proptest! {
        /// Whatever the mix of hit lines, short and long other lines, and read sizes, the
        /// scanner hands over exactly the lines a line-by-line check selects, with their numbers
        /// (and `run` checks each line's ESC flag).
        #[test]
        fn hands_over_the_lines_a_naive_scan_selects(
            pieces in proptest::collection::vec(0u8..11, 0..60),
            chunk in 1usize..300,
        ) {
            let mut text = Vec::new();
            for p in pieces {
                let line: &[u8] = match p {
                    0 => b"[2026-01-16 06:00:00 DP0 TP0 EP0] Decode batch, #running-req: 3",
                    1 => b"x",
                    2 => b"",
                    3 => b"+ export A=1",
                    4 => b"a long line without the marker, a long line without the marker, \
                           a long line without the marker, a long line without the marker, \
                           a long line without the marker",
                    5 => b"batch at the start, then batch again",
                    // ESC before the marker, after it, and on a line without one.
                    6 => b"\x1b[32m[2026-01-16 06:00:00]\x1b[0m Decode batch, #token: 4",
                    7 => b"Prefill batch, #new-seq: 1\x1b[0m",
                    8 => b"\x1b[1mnoise\x1b[0m",
                    // After `12345 batch` and a one-byte line, the marker of `1234batch` sits
                    // where the last hit's offset points: on a later line than the next one.
                    9 => b"12345 batch",
                    _ => b"1234batch",
                };
                text.extend_from_slice(line);
                text.push(b'\n');
            }
            let want: Vec<(u64, Vec<u8>)> = text
                .split(|&c| c == b'\n')
                .enumerate()
                .filter(|(_, l)| l.windows(5).any(|w| w == b"batch") || l.starts_with(b"+ "))
                .map(|(i, l)| (i as u64 + 1, l.to_vec()))
                .collect();
            let (got, stats) = run(&text, 1 << 20, chunk);
            proptest::prop_assert_eq!(got, want);
            proptest::prop_assert_eq!(stats.lines, text.iter().filter(|&&c| c == b'\n').count() as u64);
        }
    }

    #[test]
    fn long_lines_are_truncated_and_skipped() {
        let mut text = b"a\n".to_vec();
        text.extend_from_slice(b"batch ");
        text.extend(std::iter::repeat_n(b'x', 100));
        text.extend_from_slice(b" batch\nbatch end\n");
        let (hits, stats) = run(&text, 16, 5);
        assert_eq!(stats.truncated_lines, 1);
        assert_eq!(stats.lines, 3);
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].0, 2);
        assert_eq!(hits[0].1, b"batch xxxxxxxxxx");
        assert_eq!(hits[1], (3, b"batch end".to_vec()));
    }
}
