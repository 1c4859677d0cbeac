//! [`Batches`]: a worker's batches, packed in the words of the fields its lines carry.
//!
//! A busy worker logs millions of batches, and a cold load of busy workers is bound by the
//! memory their records take rather than by parsing: every fresh page costs a page fault (2–5 µs
//! on the VMs we measure) and every record written costs its cache lines. A [`BatchMetrics`]
//! has a slot for every field any backend prints (176 bytes), yet the lines of one worker carry
//! the same dozen fields at most. So a worker's batches are kept as rows of 32-bit words in one
//! vector, each row holding only the worker's *columns*: the fields some batch of the worker
//! carried, its timestamp (a word of seconds while every one was a whole second, as SGLang's
//! and TensorRT-LLM's prefixes print them, else two of microseconds; one more for a UTC
//! offset) and, once a rank was
//! non-zero, the three ranks (one word while each is below 1024). A count takes a word, the
//! iteration two; the CUDA-graph flag is a bit of the flags word. A real takes one word while
//! every value of its column was a short printed decimal (`0.42`, `4309.39`: the digits and
//! how many follow the point, see [`BatchMetrics::set_decimal`]; SGLang prints two), whose
//! value is the decimal correctly rounded, so the word gives back the record's `f64` bit for
//! bit; a value no word holds (TensorRT-LLM's 16-digit step times) makes its column two
//! words, the `f64`. An SGLang decode batch then takes about 50 bytes and a TensorRT-LLM
//! iteration about 70, instead of 176; one vector grows by `mremap` once it is large, where a
//! vector per column was copied by `realloc` at every doubling. Measured in
//! `docs/PERFORMANCE.md` (eighth and ninth sessions).
//!
//! A batch is read as the record it was: [`Batches::get`] and [`Batches::iter`] give
//! [`BatchMetrics`] by value, built from the words, so every getter and every rule written
//! against a record works unchanged; [`Batches::push`] takes one apart. Passes over millions of
//! batches that read a few fields (the derived metrics, the cache's and the dataset's batch
//! rows) read them in place instead: [`Batches::rows`] gives [`BatchRef`]s, with the same
//! getters, each reading only its own words. Word 0 of a row is its
//! presence bits with four flags of its own — has a timestamp, the timestamp has a UTC offset,
//! the batch is a decode batch, its CUDA-graph flag is true — so a row read back equals the
//! row pushed, field for field, and the JSON and the cache see no difference. A field first
//! seen after the first batch adds a column, and a value a column's words cannot hold widens
//! it: the rows so far are repacked once (rare: a worker prints the same fields in the same
//! form from its first batch on).

use std::fmt;
use std::iter::FusedIterator;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::batch::{
    decimal_digits, decimal_value, decimal_word, real_word, BatchMetrics, BatchType, CountField, RealField,
    COUNT_FIELDS, CUDA_GRAPH_BIT, CUDA_GRAPH_WORD, DECIMAL_POW10, DIGIT_BITS, ITERATION_BIT, ITERATION_WORD,
    REAL_BIT0, REAL_FIELDS, VALUE_BITS, VALUE_WORDS,
};
use crate::timestamp::Timestamp;

// Per-row flags beside the record's presence bits (which leave bits 13–15 and 25–29 free).
/// The row has a timestamp; as a column, the wall clock: one word of seconds since the epoch
/// while every timestamp was a whole second (SGLang's and TensorRT-LLM's prefixes print no
/// fraction), else two of microseconds (`MICROS_COLUMN`).
const TIMESTAMP_BIT: u32 = 1 << 13;
/// The row's timestamp has a UTC offset; as a column, the offset (one word).
const OFFSET_BIT: u32 = 1 << 14;
/// The row is a decode batch (else a prefill batch). A flag only, never a column.
const DECODE_BIT: u32 = 1 << 15;
/// The batch's CUDA-graph flag is true. With the flag's presence bit (absent, false, true), it
/// takes no word of its own. A flag only, never a column.
const CUDA_GRAPH_TRUE: u32 = 1 << 29;
/// Row flags that are not columns.
const FLAG_ONLY: u32 = DECODE_BIT | CUDA_GRAPH_TRUE;
// Column-only bits for the ranks (absent: all three are 0), which exist once a batch had a
// non-zero rank. DP-attention workers tag every line `DPn TPn EPn`: one word holds the three
// while each is below 2^RANK_BITS; a larger rank (never seen in a log) gives them a word each.
/// The three ranks in one word, `RANK_BITS` each: DP lowest, then TP, then EP.
const PACKED_RANKS: u32 = 1 << 25;
/// The three ranks in three words.
const WIDE_RANKS: u32 = 1 << 26;
/// Column-only: the wall clock in microseconds (two words) rather than seconds.
const MICROS_COLUMN: u32 = 1 << 27;
const MICROS_PER_SECOND: u64 = 1_000_000;
const RANK_BITS: u32 = 10;
const RANK_MASK: u32 = (1 << RANK_BITS) - 1;
/// The presence bits of the reals.
const REAL_BITS: u32 = ((1 << REAL_FIELDS) - 1) << REAL_BIT0;

/// A decimal word ([`decimal_word`](crate::batch::decimal_word)) whose value is `v` bit for
/// bit, for a record whose real was set as a value (by [`BatchMetrics::set_real`], from JSON
/// or the cache) rather than from its printed decimal: `digits` fractional digits are tried
/// first (the column's last value had them), then the others, fewest first. `None` for a
/// value no word holds (a long fraction, a large or negative value, `-0.0`): its column is
/// then kept as `f64`.
#[inline(always)]
fn word_of_value(v: f64, digits: u32) -> Option<u32> {
    let word = |k: u32| {
        let scaled = v * DECIMAL_POW10[k as usize];
        // Positive and small enough for a word (NaN fails both); exact, or it is not `v`.
        if !(scaled >= 0.0 && scaled < f64::from(1u32 << (32 - DIGIT_BITS))) {
            return None;
        }
        let word = decimal_word((scaled + 0.5) as u64, k)?;
        (decimal_value(word).to_bits() == v.to_bits()).then_some(word)
    };
    word(digits).or_else(|| word_of_value_any(v, digits, word))
}

/// [`word_of_value`] with every other digit count (out of line: the first guess holds for
/// all but a column's first value).
#[cold]
#[inline(never)]
fn word_of_value_any(v: f64, tried: u32, word: impl Fn(u32) -> Option<u32>) -> Option<u32> {
    if !v.is_finite() {
        return None;
    }
    (0..1 << DIGIT_BITS).filter(|&k| k != tried).find_map(word)
}

/// Where each column sits in a row, for one set of columns. A row is the flags word, the
/// header columns (wall clock, UTC offset, ranks, those that exist, in that order), the value
/// words of the fields that exist, in the record's word order, then the decimal reals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    columns: u32,
    /// The real columns (presence bits) held as f64 (two words); the others are decimal
    /// words (see [`decimal_word`](crate::batch::decimal_word)).
    wide_reals: u32,
    /// Words per row.
    stride: usize,
    /// The columns a row needing these columns fits in: the columns, and packed ranks where
    /// they are wide.
    fits: u32,
    /// The row word of each header column; 0 (the flags word) when it does not exist.
    wall_at: usize,
    /// The wall clock is in microseconds (two words), else in seconds (one).
    wall_micros: bool,
    offset_at: usize,
    /// The first rank word (see `PACKED_RANKS`), 0 without ranks.
    ranks_at: usize,
    wide_ranks: bool,
    /// The row word where the value words start.
    values_at: usize,
    /// For each value word of a row, in order, the record word it holds.
    value_source: [u8; VALUE_WORDS],
    value_words: usize,
    /// The row word of each value field (the first of two), by its presence bit.
    field_at: [u8; 32],
    /// The real columns held as decimal words (presence bits), and their reals in row order
    /// (after the value words).
    decimal_reals: u32,
    decimal_fields: [u8; REAL_FIELDS],
    decimal_count: usize,
}

impl Layout {
    fn new(columns: u32, wide_reals: u32) -> Self {
        // Wide ranks hold what packed ones would.
        let columns = if columns & WIDE_RANKS != 0 { columns & !PACKED_RANKS } else { columns };
        let wide_reals = wide_reals & columns;
        let decimal_reals = columns & REAL_BITS & !wide_reals;
        let mut at = 1;
        let mut take = |bit: u32, words: usize| {
            if columns & bit == 0 {
                return 0;
            }
            at += words;
            at - words
        };
        let wall_micros = columns & MICROS_COLUMN != 0;
        let (wall_at, offset_at) =
            (take(TIMESTAMP_BIT, if wall_micros { 2 } else { 1 }), take(OFFSET_BIT, 1));
        let wide_ranks = columns & WIDE_RANKS != 0;
        let ranks_at = if wide_ranks { take(WIDE_RANKS, 3) } else { take(PACKED_RANKS, 1) };
        let mut value_source = [0u8; VALUE_WORDS];
        let mut field_at = [0u8; 32];
        let mut n = 0;
        // The CUDA-graph flag lives in the flags word, decimal reals after the value words.
        each_bit(columns & VALUE_BITS & !CUDA_GRAPH_BIT & !decimal_reals, |bit| {
            field_at[bit] = (at + n) as u8;
            let (first, words) = match bit {
                0..COUNT_FIELDS => (bit, 1),
                30 => (ITERATION_WORD, 2),
                real => (real_word(real - REAL_BIT0 as usize), 2),
            };
            for w in first..first + words {
                value_source[n] = w as u8;
                n += 1;
            }
        });
        let mut decimal_fields = [0u8; REAL_FIELDS];
        let mut decimal_count = 0;
        each_bit(decimal_reals, |bit| {
            field_at[bit] = (at + n + decimal_count) as u8;
            decimal_fields[decimal_count] = (bit - REAL_BIT0 as usize) as u8;
            decimal_count += 1;
        });
        Layout {
            columns,
            wide_reals,
            fits: if wide_ranks { columns | PACKED_RANKS } else { columns },
            stride: at + n + decimal_count,
            wall_at,
            wall_micros,
            offset_at,
            ranks_at,
            wide_ranks,
            values_at: at,
            value_source,
            value_words: n,
            field_at,
            decimal_reals,
            decimal_fields,
            decimal_count,
        }
    }

    /// The record words the value words of a row hold, in row order.
    #[inline(always)]
    fn sources(&self) -> &[u8] {
        &self.value_source[..self.value_words]
    }
}

impl Default for Layout {
    fn default() -> Self {
        Layout::new(0, 0)
    }
}

/// A worker's batches in log order, packed by the columns they carry (see the module docs).
///
/// ```
/// use srtlog_model::{BatchMetrics, BatchType, Batches, CountField, RealField};
///
/// let mut batches = Batches::new();
/// let mut b = BatchMetrics::new(BatchType::Decode);
/// b.set_count(CountField::RunningReq, 64);
/// batches.push(b.clone());
/// b.set_real(RealField::GenThroughput, 2150.5);
/// batches.push(b);
/// assert_eq!(batches.len(), 2);
/// assert_eq!(batches.get(0).unwrap().gen_throughput(), None);
/// let rates: Vec<_> = batches.iter().map(|b| b.gen_throughput()).collect();
/// assert_eq!(rates, [None, Some(2150.5)]);
/// ```
#[derive(Clone, Default)]
pub struct Batches {
    /// The rows, `layout.stride` words each. A row without a column's value holds zero there,
    /// as a record's slot does.
    words: Vec<u32>,
    layout: Layout,
    rows: usize,
    /// For each real, the fractional digits of its last decimal word (the next one's guess).
    digits: [u8; REAL_FIELDS],
}

/// The flags word of a row of `b`.
#[inline(always)]
fn row_flags(b: &BatchMetrics) -> u32 {
    let mut flags = (b.present & VALUE_BITS) | timestamp_flags(b.timestamp);
    if b.batch_type == BatchType::Decode {
        flags |= DECODE_BIT;
    }
    // The word is 0 unless the flag was set true (absent values are zero in a record).
    if b.words[CUDA_GRAPH_WORD] != 0 {
        flags |= CUDA_GRAPH_TRUE;
    }
    flags
}

/// The flags a timestamp sets: has a timestamp, has a UTC offset.
#[inline(always)]
fn timestamp_flags(t: Option<Timestamp>) -> u32 {
    match t {
        None => 0,
        Some(t) if t.utc_offset_secs.is_some() => TIMESTAMP_BIT | OFFSET_BIT,
        Some(_) => TIMESTAMP_BIT,
    }
}

/// A timestamp's words, worked out once per row: the wall clock as a word of seconds (when it
/// is a whole second a word holds) and as microseconds, and the UTC offset (zero when absent).
#[derive(Clone, Copy)]
struct TimeWords {
    /// `MICROS_COLUMN` when the wall clock needs microseconds (a fraction of a second, a time
    /// before 1970 or after 2106), else 0.
    micros_needed: u32,
    seconds: u32,
    micros: u64,
    offset: u32,
}

impl TimeWords {
    #[inline(always)]
    fn of(t: Option<Timestamp>) -> Self {
        let micros = t.map_or(0, |t| t.wall_micros as u64);
        // Unsigned: a time before 1970 wraps to one no word of seconds holds.
        let seconds = micros / MICROS_PER_SECOND;
        let whole = seconds * MICROS_PER_SECOND == micros && seconds <= u64::from(u32::MAX);
        TimeWords {
            micros_needed: if whole { 0 } else { MICROS_COLUMN },
            seconds: seconds as u32,
            micros,
            offset: t.and_then(|t| t.utc_offset_secs).map_or(0, |o| o as u32),
        }
    }
}

/// The columns a row of `b` needs (its fields, timestamp and non-zero ranks).
#[inline(always)]
fn needed_columns(flags: u32, b: &BatchMetrics, time: TimeWords) -> u32 {
    let columns = (flags & !FLAG_ONLY) | time.micros_needed;
    // Most workers log rank 0 only: one test for all three; each is below 2^RANK_BITS when
    // their bits together are.
    match b.dp | b.tp | b.ep {
        0 => columns,
        r if r <= RANK_MASK => columns | PACKED_RANKS,
        _ => columns | WIDE_RANKS,
    }
}

/// Calls `f` with the index of each set bit of `mask`, lowest first.
#[inline(always)]
fn each_bit(mut mask: u32, mut f: impl FnMut(usize)) {
    while mask != 0 {
        f(mask.trailing_zeros() as usize);
        mask &= mask - 1;
    }
}

#[inline(always)]
fn batch_type_of(flags: u32) -> BatchType {
    if flags & DECODE_BIT != 0 {
        BatchType::Decode
    } else {
        BatchType::Prefill
    }
}

impl Batches {
    /// No batches.
    pub fn new() -> Self {
        Batches::default()
    }

    /// Number of batches.
    #[inline]
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there are none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends a batch.
    #[inline]
    pub fn push(&mut self, b: BatchMetrics) {
        self.push_row(&b);
    }

    /// Appends a copy of `b`: for a parser that fills one record in place, line after line
    /// (passing a 176-byte record by value cost a `memcpy` per batch).
    #[inline]
    pub fn push_copy(&mut self, b: &BatchMetrics) {
        self.push_row(b);
    }

    #[inline(always)]
    fn push_row(&mut self, b: &BatchMetrics) {
        let flags = row_flags(b);
        let time = TimeWords::of(b.timestamp);
        let missing = needed_columns(flags, b, time) & !self.layout.fits;
        if missing != 0 {
            self.repack(self.layout.columns | missing, self.layout.wide_reals);
        }
        // A parser sets every decimal real from its digits, so the words are known; else
        // they are worked out first, and a value none holds makes its column wide before
        // any word of the row is written.
        let known = b.decimals & self.layout.decimal_reals == self.layout.decimal_reals;
        let mut decimals = [0u32; REAL_FIELDS];
        if !known {
            if let Err(bit) = self.decimal_words_of(b, flags, &mut decimals) {
                return self.push_widened(b, bit);
            }
        }
        let Batches { words, layout, rows, .. } = self;
        words.reserve(layout.stride);
        words.push(flags);
        if layout.wall_at != 0 {
            if layout.wall_micros {
                words.extend_from_slice(&[time.micros as u32, (time.micros >> 32) as u32]);
            } else {
                words.push(time.seconds);
            }
            if layout.offset_at != 0 {
                words.push(time.offset);
            }
        }
        if layout.ranks_at != 0 {
            if layout.wide_ranks {
                words.extend_from_slice(&[b.dp, b.tp, b.ep]);
            } else {
                words.push(b.dp | (b.tp << RANK_BITS) | (b.ep << (2 * RANK_BITS)));
            }
        }
        // Absent values are zero in a record, so every column takes the record's word as is.
        words.extend(layout.sources().iter().map(|&w| b.words[usize::from(w)]));
        let fields = &layout.decimal_fields[..layout.decimal_count];
        if known {
            words.extend(fields.iter().map(|&real| b.decimal_words[usize::from(real)]));
        } else {
            words.extend_from_slice(&decimals[..fields.len()]);
        }
        *rows += 1;
    }

    /// The decimal words of `b`'s decimal columns, in row order, for a record some of whose
    /// reals were set as values; `Err` with the presence bit of a real no word holds.
    fn decimal_words_of(
        &mut self,
        b: &BatchMetrics,
        flags: u32,
        out: &mut [u32; REAL_FIELDS],
    ) -> Result<(), u32> {
        let layout = &self.layout;
        for (j, &real) in layout.decimal_fields[..layout.decimal_count].iter().enumerate() {
            let real = usize::from(real);
            let bit = 1 << (REAL_BIT0 + real as u32);
            if flags & bit == 0 {
                continue; // absent: zero, as in a record
            }
            if b.decimals & bit != 0 {
                out[j] = b.decimal_words[real];
                continue;
            }
            let v = f64::from_bits(b.wide(real_word(real)));
            let word = word_of_value(v, u32::from(self.digits[real])).ok_or(bit)?;
            out[j] = word;
            self.digits[real] = decimal_digits(word) as u8;
        }
        Ok(())
    }

    /// Pushes `b` after making the real column `bit` wide (a value of `b` no decimal word
    /// holds).
    #[cold]
    #[inline(never)]
    fn push_widened(&mut self, b: &BatchMetrics, bit: u32) {
        self.repack(self.layout.columns, self.layout.wide_reals | bit);
        self.push_row(b);
    }

    /// Adds columns: every row so far is written again with the new layout (zero in the new
    /// columns). Rare: a worker's lines carry the same fields from its first batch on.
    #[cold]
    fn repack(&mut self, columns: u32, wide_reals: u32) {
        let old = std::mem::take(self);
        self.layout = Layout::new(columns, wide_reals);
        self.digits = old.digits;
        self.words.reserve(old.rows.max(1) * self.layout.stride);
        old.for_each(|b| self.push_row(b));
    }

    /// The words of row `i` (panics past the end).
    #[inline(always)]
    fn words_of(&self, i: usize) -> &[u32] {
        let stride = self.layout.stride;
        &self.words[i * stride..(i + 1) * stride]
    }

    /// Rank `k` of `row` (0 DP, 1 TP, 2 EP); 0 when the row has no rank columns.
    #[inline(always)]
    fn rank(layout: &Layout, row: &[u32], k: usize) -> u32 {
        match (layout.ranks_at, layout.wide_ranks) {
            (0, _) => 0,
            (at, true) => row[at + k],
            (at, false) => (row[at] >> (k as u32 * RANK_BITS)) & RANK_MASK,
        }
    }

    /// Reads row `i` into `b`, a record that was new or last read from these batches: the
    /// words of every column are written (absent values are zero in the row), and a record
    /// word of no column was zero from the start.
    #[inline(always)]
    fn read_into(&self, i: usize, b: &mut BatchMetrics) {
        Self::read_row(&self.layout, self.words_of(i), b);
    }

    #[inline(always)]
    fn read_row(layout: &Layout, row: &[u32], b: &mut BatchMetrics) {
        let flags = row[0];
        b.batch_type = batch_type_of(flags);
        b.present = flags & VALUE_BITS;
        b.timestamp = Self::timestamp_in(layout, row);
        (b.dp, b.tp, b.ep) =
            (Self::rank(layout, row, 0), Self::rank(layout, row, 1), Self::rank(layout, row, 2));
        b.words[CUDA_GRAPH_WORD] = u32::from(flags & CUDA_GRAPH_TRUE != 0);
        for (&source, &word) in layout.sources().iter().zip(&row[layout.values_at..]) {
            b.words[usize::from(source)] = word;
        }
        // An absent decimal real's word is zero, whose value's bits are zero too. The record
        // keeps the words, so that it is packed again without working them out.
        let decimals = &row[layout.values_at + layout.value_words..];
        b.decimals = flags & layout.decimal_reals;
        for (&real, &word) in layout.decimal_fields[..layout.decimal_count].iter().zip(decimals) {
            b.set_wide(real_word(usize::from(real)), decimal_value(word).to_bits());
            b.decimal_words[usize::from(real)] = word;
        }
    }

    #[inline(always)]
    fn timestamp_in(layout: &Layout, row: &[u32]) -> Option<Timestamp> {
        let flags = row[0];
        (flags & TIMESTAMP_BIT != 0).then(|| Timestamp {
            wall_micros: if layout.wall_micros {
                (u64::from(row[layout.wall_at]) | (u64::from(row[layout.wall_at + 1]) << 32)) as i64
            } else {
                (u64::from(row[layout.wall_at]) * MICROS_PER_SECOND) as i64
            },
            utc_offset_secs: (flags & OFFSET_BIT != 0).then(|| row[layout.offset_at] as i32),
        })
    }

    /// Calls `f` with each batch in log order as a record: one record, read into again for
    /// each row, so a pass that needs whole records builds one, not one per batch.
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(&BatchMetrics)) {
        let mut b = BatchMetrics::new(BatchType::Prefill);
        for i in 0..self.rows {
            self.read_into(i, &mut b);
            f(&b);
        }
    }

    /// The batches in log order, read in place (see [`BatchRef`]).
    #[inline]
    pub fn rows(&self) -> impl ExactSizeIterator<Item = BatchRef<'_>> + '_ {
        let layout = &self.layout;
        self.words.chunks_exact(layout.stride).take(self.rows).map(move |row| BatchRef { row, layout })
    }

    /// The batch at `i`, `None` past the end.
    #[inline]
    pub fn get(&self, i: usize) -> Option<BatchMetrics> {
        (i < self.rows).then(|| self.row(i))
    }

    /// The first batch.
    pub fn first(&self) -> Option<BatchMetrics> {
        self.get(0)
    }

    /// The last batch.
    pub fn last(&self) -> Option<BatchMetrics> {
        self.rows.checked_sub(1).map(|i| self.row(i))
    }

    /// Row `i` as a record (panics past the end).
    #[inline(always)]
    pub(crate) fn row(&self, i: usize) -> BatchMetrics {
        let mut b = BatchMetrics::new(BatchType::Prefill);
        self.read_into(i, &mut b);
        b
    }

    /// The batch at `i` read in place (without building the record), `None` past the end.
    #[inline]
    pub fn get_ref(&self, i: usize) -> Option<BatchRef<'_>> {
        (i < self.rows).then(|| BatchRef { row: self.words_of(i), layout: &self.layout })
    }

    /// Sets the timestamp of batch `i` (the SGLang parser dates time-only lines once the file
    /// is read). Panics past the end.
    pub fn set_timestamp(&mut self, i: usize, timestamp: Option<Timestamp>) {
        let time_bits = TIMESTAMP_BIT | OFFSET_BIT;
        let flags = (self.words_of(i)[0] & !time_bits) | timestamp_flags(timestamp);
        let time = TimeWords::of(timestamp);
        let missing = ((flags & time_bits) | time.micros_needed) & !self.layout.columns;
        if missing != 0 {
            self.repack(self.layout.columns | missing, self.layout.wide_reals);
        }
        let layout = self.layout;
        let row = &mut self.words[i * layout.stride..(i + 1) * layout.stride];
        row[0] = flags;
        if layout.wall_at != 0 {
            if layout.wall_micros {
                (row[layout.wall_at], row[layout.wall_at + 1]) =
                    (time.micros as u32, (time.micros >> 32) as u32);
            } else {
                row[layout.wall_at] = time.seconds;
            }
        }
        if layout.offset_at != 0 {
            row[layout.offset_at] = time.offset;
        }
    }

    /// The batches in log order, each built from its row.
    pub fn iter(&self) -> BatchIter<'_> {
        BatchIter { batches: self, front: 0, back: self.rows }
    }

    /// The batches as records.
    pub fn to_vec(&self) -> Vec<BatchMetrics> {
        self.iter().collect()
    }

    /// Removes every batch; the memory is kept for the next rows.
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Keeps the first `len` batches (all of them when there are fewer).
    pub fn truncate(&mut self, len: usize) {
        self.rows = self.rows.min(len);
        self.words.truncate(self.rows * self.layout.stride);
    }

    /// Makes room for `additional` more batches of the columns there are.
    pub fn reserve(&mut self, additional: usize) {
        self.words.reserve(additional.saturating_mul(self.layout.stride));
    }

    /// Moves every batch of `other` after these (no copy when these are empty).
    pub fn append(&mut self, other: Batches) {
        if self.is_empty() {
            *self = other;
        } else {
            self.reserve(other.len());
            other.for_each(|b| self.push_row(b));
        }
    }

    /// Bytes the rows hold (not the capacity): what the batches cost in memory, as the bench
    /// reports it.
    pub fn data_bytes(&self) -> usize {
        self.words.len() * std::mem::size_of::<u32>()
    }
}

/// One batch of a [`Batches`], read in place: the getters of [`BatchMetrics`], each reading
/// only its own words of the packed row, so a pass that reads a few fields of millions of
/// batches (the derived metrics) builds no record. [`BatchRef::to_metrics`] builds one.
#[derive(Clone, Copy)]
pub struct BatchRef<'a> {
    row: &'a [u32],
    layout: &'a Layout,
}

impl BatchRef<'_> {
    #[inline(always)]
    fn flags(&self) -> u32 {
        self.row[0]
    }

    /// When the line was logged; `None` when the line has no timestamp.
    #[inline]
    pub fn timestamp(&self) -> Option<Timestamp> {
        Batches::timestamp_in(self.layout, self.row)
    }

    /// Prefill or decode.
    #[inline]
    pub fn batch_type(&self) -> BatchType {
        batch_type_of(self.flags())
    }

    /// Data-parallel rank (0 when absent).
    #[inline]
    pub fn dp(&self) -> u32 {
        Batches::rank(self.layout, self.row, 0)
    }

    /// Tensor-parallel rank (0 when absent).
    #[inline]
    pub fn tp(&self) -> u32 {
        Batches::rank(self.layout, self.row, 1)
    }

    /// Expert-parallel rank (0 when absent).
    #[inline]
    pub fn ep(&self) -> u32 {
        Batches::rank(self.layout, self.row, 2)
    }

    /// The words of the value whose presence bit is `bit`, when the line carried it.
    #[inline(always)]
    fn narrow(&self, bit: u32) -> Option<u32> {
        (self.flags() & (1 << bit) != 0).then(|| self.row[usize::from(self.layout.field_at[bit as usize])])
    }

    #[inline(always)]
    fn wide(&self, bit: u32) -> Option<u64> {
        (self.flags() & (1 << bit) != 0).then(|| {
            let at = usize::from(self.layout.field_at[bit as usize]);
            u64::from(self.row[at]) | (u64::from(self.row[at + 1]) << 32)
        })
    }

    /// A count, `None` when the line did not carry it.
    #[inline]
    pub fn count(&self, field: CountField) -> Option<u32> {
        self.narrow(field as u32)
    }

    /// A real value, `None` when the line did not carry it.
    #[inline(always)]
    pub fn real(&self, field: RealField) -> Option<f64> {
        let bit = REAL_BIT0 + field as u32;
        if self.layout.decimal_reals & (1 << bit) != 0 {
            self.narrow(bit).map(decimal_value)
        } else {
            self.wide(bit).map(f64::from_bits)
        }
    }

    /// The whole record.
    pub fn to_metrics(&self) -> BatchMetrics {
        let mut b = BatchMetrics::new(BatchType::Prefill);
        Batches::read_row(self.layout, self.row, &mut b);
        b
    }
}

/// Reads a field of each kind from a [`BatchRef`].
macro_rules! ref_get {
    ($b:expr, Count, $v:ident) => {
        $b.count(CountField::$v)
    };
    ($b:expr, Real, $v:ident) => {
        $b.real(RealField::$v)
    };
    ($b:expr, Iteration) => {
        $b.wide(ITERATION_BIT.trailing_zeros())
    };
    ($b:expr, CudaGraph) => {
        ($b.flags() & CUDA_GRAPH_BIT != 0).then(|| $b.flags() & CUDA_GRAPH_TRUE != 0)
    };
}

/// The getters of [`BatchRef`], one per field of the model's list.
macro_rules! ref_getters {
    (batch { $( $(#[doc = $doc:literal])+ $name:ident : $ty:ty => $kind:ident $(($variant:ident))? ),+ $(,)? }) => {
        impl BatchRef<'_> {
            $(
                $(#[doc = $doc])+
                #[inline]
                pub fn $name(&self) -> Option<$ty> {
                    ref_get!(self, $kind $(, $variant)?)
                }
            )+
        }
    };
}

crate::with_batch_fields!(ref_getters! {});

impl fmt::Debug for BatchRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_metrics().fmt(f)
    }
}

/// Iterator over [`Batches`], by value.
#[derive(Clone)]
pub struct BatchIter<'a> {
    batches: &'a Batches,
    front: usize,
    back: usize,
}

impl Iterator for BatchIter<'_> {
    type Item = BatchMetrics;

    #[inline(always)]
    fn next(&mut self) -> Option<BatchMetrics> {
        (self.front < self.back).then(|| {
            self.front += 1;
            self.batches.row(self.front - 1)
        })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for BatchIter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<BatchMetrics> {
        (self.front < self.back).then(|| {
            self.back -= 1;
            self.batches.row(self.back)
        })
    }
}

impl ExactSizeIterator for BatchIter<'_> {}
impl FusedIterator for BatchIter<'_> {}

impl<'a> IntoIterator for &'a Batches {
    type Item = BatchMetrics;
    type IntoIter = BatchIter<'a>;
    fn into_iter(self) -> BatchIter<'a> {
        self.iter()
    }
}

impl FromIterator<BatchMetrics> for Batches {
    fn from_iter<I: IntoIterator<Item = BatchMetrics>>(iter: I) -> Self {
        let mut batches = Batches::new();
        batches.extend(iter);
        batches
    }
}

impl Extend<BatchMetrics> for Batches {
    fn extend<I: IntoIterator<Item = BatchMetrics>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0);
        iter.for_each(|b| self.push_row(&b));
    }
}

impl From<Vec<BatchMetrics>> for Batches {
    fn from(rows: Vec<BatchMetrics>) -> Self {
        rows.into_iter().collect()
    }
}

impl<const N: usize> From<[BatchMetrics; N]> for Batches {
    fn from(rows: [BatchMetrics; N]) -> Self {
        rows.into_iter().collect()
    }
}

/// Equal when the rows are: how the columns came to be (which exist) does not matter.
impl PartialEq for Batches {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl PartialEq<[BatchMetrics]> for Batches {
    fn eq(&self, other: &[BatchMetrics]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == *b)
    }
}

impl PartialEq<Vec<BatchMetrics>> for Batches {
    fn eq(&self, other: &Vec<BatchMetrics>) -> bool {
        *self == other[..]
    }
}

impl fmt::Debug for Batches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The JSON form is the rows' (an array of [`BatchMetrics`] objects), written one at a time.
impl Serialize for Batches {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Batches {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Rows;
        impl<'de> Visitor<'de> for Rows {
            type Value = Batches;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of batches")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Batches, A::Error> {
                let mut batches = Batches::new();
                // Read one row at a time, so a large array is never held as rows.
                while let Some(b) = seq.next_element::<BatchMetrics>()? {
                    batches.push(b);
                }
                Ok(batches)
            }
        }
        deserializer.deserialize_seq(Rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{BatchField, CountField, RealField};

    /// A record with every field set (each a distinct value), ranks and a zoned timestamp.
    fn full(k: u32) -> BatchMetrics {
        let mut b =
            BatchMetrics::new(if k.is_multiple_of(2) { BatchType::Decode } else { BatchType::Prefill });
        for (j, &field) in BatchField::ALL.iter().enumerate() {
            let v = k * 100 + j as u32;
            match field {
                BatchField::Count(c) => b.set_count(c, v),
                BatchField::Real(r) => b.set_real(r, f64::from(v) + 0.25),
                BatchField::Iteration => b.set_iteration(u64::from(v) << 33),
                BatchField::CudaGraph => b.set_cuda_graph(k.is_multiple_of(3)),
            }
        }
        b.timestamp = Some(Timestamp { wall_micros: -7 + i64::from(k), utc_offset_secs: Some(3600) });
        (b.dp, b.tp, b.ep) = (k, k + 1, k + 2);
        b
    }

    #[test]
    fn rows_read_back_as_pushed_whatever_columns_appear_later() {
        // Rows that carry ever more: columns start mid-way, and earlier rows stay as they were.
        let mut rows = vec![BatchMetrics::new(BatchType::Prefill)];
        let mut b = BatchMetrics::new(BatchType::Decode);
        b.set_count(CountField::RunningReq, 0);
        rows.push(b.clone());
        b.timestamp = Some(Timestamp { wall_micros: 1_700_000_000_000_000, utc_offset_secs: None });
        rows.push(b.clone());
        b.set_real(RealField::GenThroughput, 2150.5);
        b.dp = 3;
        rows.push(b.clone());
        rows.push(full(1));
        rows.push(full(2));
        rows.push(BatchMetrics::new(BatchType::Decode));
        let batches: Batches = rows.clone().into();
        assert_eq!(batches.len(), rows.len());
        assert_eq!(batches.to_vec(), rows);
        assert_eq!(batches, rows);
        assert_ne!(batches, rows[1..]);
        // Read in place, every getter answers as the record's does.
        assert_eq!(batches.rows().len(), rows.len());
        for (v, r) in batches.rows().zip(&rows) {
            assert_eq!(v.to_metrics(), *r);
            assert_eq!((v.timestamp(), v.batch_type()), (r.timestamp, r.batch_type));
            assert_eq!((v.dp(), v.tp(), v.ep()), (r.dp, r.tp, r.ep));
            for &field in BatchField::ALL {
                let same = match field {
                    BatchField::Count(c) => v.count(c) == r.count(c),
                    BatchField::Real(x) => v.real(x).map(f64::to_bits) == r.real(x).map(f64::to_bits),
                    BatchField::Iteration => v.iteration() == r.iteration(),
                    BatchField::CudaGraph => v.cuda_graph() == r.cuda_graph(),
                };
                assert!(same, "{} of {r:?}", field.name());
            }
            assert_eq!((v.gen_throughput(), v.new_token()), (r.gen_throughput(), r.new_token()));
        }
        // One record read into again and again holds each row exactly, whatever the last held.
        let mut seen = Vec::new();
        batches.for_each(|b| seen.push(b.clone()));
        assert_eq!(seen, rows);
        let back: Vec<_> = batches.iter().rev().collect();
        assert_eq!(back, rows.iter().rev().cloned().collect::<Vec<_>>());
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(batches.get(i).as_ref(), Some(r));
            let v = batches.get_ref(i).unwrap();
            assert_eq!((v.timestamp(), v.batch_type()), (r.timestamp, r.batch_type));
            assert_eq!((v.dp(), v.tp(), v.to_metrics()), (r.dp, r.tp, r.clone()));
        }
        assert_eq!(batches.get(rows.len()), None);
        assert!(batches.get_ref(rows.len()).is_none());
        assert_eq!(batches.last().as_ref(), rows.last());
    }

    #[test]
    fn equality_json_and_append_are_the_rows() {
        let rows: Vec<_> = (0..5).map(full).collect();
        let a: Batches = rows.clone().into();
        // The same rows with columns started in another order compare equal.
        let mut b = Batches::new();
        b.push(BatchMetrics::new(BatchType::Decode));
        let mut b2: Batches = [BatchMetrics::new(BatchType::Decode)].into();
        b2.append(a.clone());
        b.append(a.clone());
        assert_eq!(b, b2);
        assert_ne!(a, b);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, serde_json::to_string(&rows).unwrap());
        let back: Batches = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let mut empty = Batches::new();
        empty.append(a.clone());
        assert_eq!(empty, a);
        // Cleared, the columns stay and take new rows as a fresh store does.
        let mut reused = a.clone();
        reused.truncate(2);
        assert_eq!(reused, rows[..2]);
        reused.clear();
        assert!(reused.is_empty());
        reused.extend(rows[2..].iter().cloned());
        assert_eq!(reused, rows[2..]);
    }

    #[test]
    fn set_timestamp_moves_dates_and_zones_in_and_out() {
        let mut batches: Batches = vec![BatchMetrics::new(BatchType::Decode); 3].into();
        let zoned = Timestamp { wall_micros: 5, utc_offset_secs: Some(-18000) };
        batches.set_timestamp(1, Some(zoned));
        let at = |i| batches.get_ref(i).unwrap().timestamp();
        assert_eq!(at(1), Some(zoned));
        assert_eq!((at(0), at(2)), (None, None));
        let plain = Timestamp { wall_micros: 9, utc_offset_secs: None };
        batches.set_timestamp(1, Some(plain));
        batches.set_timestamp(2, Some(zoned));
        assert_eq!(batches.to_vec()[1].timestamp, Some(plain));
        batches.set_timestamp(2, None);
        assert_eq!(batches.get(2).unwrap(), BatchMetrics::new(BatchType::Decode));
    }

    #[test]
    fn a_column_costs_only_once_a_row_carries_its_field() {
        let mut b = BatchMetrics::new(BatchType::Decode);
        b.set_count(CountField::RunningReq, 64);
        b.set_real(RealField::GenThroughput, 1.5);
        b.timestamp = Some(Timestamp { wall_micros: 1, utc_offset_secs: None });
        let batches: Batches = vec![b; 10].into();
        // Flags, wall clock, one count, one real (a decimal word).
        assert_eq!(batches.data_bytes(), 10 * (4 + 8 + 4 + 4));
        assert_eq!(Batches::new().data_bytes(), 0);
    }

    /// Batches of one real each, in this order.
    fn reals(values: &[f64]) -> Vec<BatchMetrics> {
        let batch = |&v: &f64| {
            let mut b = BatchMetrics::new(BatchType::Decode);
            b.set_real(RealField::GenThroughput, v);
            b.set_real(RealField::TokenUsage, 0.42);
            b
        };
        values.iter().map(batch).collect()
    }

    #[test]
    fn printed_decimals_take_a_word_and_other_reals_two() {
        let printed = [4309.39, 0.0, 1.0, 0.5, 2.25, 1e-5, 26_843_545.5, 123_456.789];
        let batches: Batches = reals(&printed).into();
        // Flags and two decimal words.
        assert_eq!(batches.data_bytes(), printed.len() * 12);
        let back: Vec<_> = batches.rows().map(|r| r.gen_throughput().map(f64::to_bits)).collect();
        assert_eq!(back, printed.iter().map(|v| Some(v.to_bits())).collect::<Vec<_>>());
        // A value no word holds makes its column two words, for the rows before it too; the
        // other real column stays one word.
        for odd in [44.97565407145068, -1.5, -0.0, 3e9, 1e-17, f64::NAN, f64::INFINITY, f64::MAX, 0.1 + 0.2] {
            let mut values = printed.to_vec();
            values.insert(3, odd);
            let rows = reals(&values);
            let batches: Batches = rows.clone().into();
            assert_eq!(batches.data_bytes(), values.len() * 16, "{odd}");
            let back: Vec<_> = batches.rows().map(|r| r.gen_throughput().map(f64::to_bits)).collect();
            assert_eq!(back, values.iter().map(|v| Some(v.to_bits())).collect::<Vec<_>>(), "{odd}");
            assert_eq!(batches.to_vec().len(), rows.len());
            for (got, want) in batches.iter().zip(&rows) {
                assert_eq!(got.gen_throughput().map(f64::to_bits), want.gen_throughput().map(f64::to_bits));
                assert_eq!(got.token_usage(), Some(0.42));
            }
        }
    }

    proptest::proptest! {
        /// Any real, printed or not, reads back bit for bit, in place and as a record.
        #[test]
        fn any_real_reads_back_bit_for_bit(
            bits in proptest::collection::vec(proptest::num::u64::ANY, 1..20),
            decimals in proptest::collection::vec((0u64..1 << 40, 0u32..8), 1..20),
        ) {
            let mut values: Vec<f64> = decimals.iter().map(|&(m, k)| m as f64 / 10f64.powi(k as i32)).collect();
            values.extend(bits.iter().map(|&b| f64::from_bits(b)));
            let batches: Batches = reals(&values).into();
            let in_place: Vec<_> = batches.rows().map(|r| r.gen_throughput().map(f64::to_bits)).collect();
            let records: Vec<_> = batches.iter().map(|r| r.gen_throughput().map(f64::to_bits)).collect();
            let want: Vec<_> = values.iter().map(|v| Some(v.to_bits())).collect();
            proptest::prop_assert_eq!(&in_place, &want);
            proptest::prop_assert_eq!(&records, &want);
        }

        /// A real set from its printed decimal is what `str::parse` gives for the text, and
        /// reads back so, whether its word fits or not (and mixed with reals set as values).
        #[test]
        fn printed_decimals_read_back_as_parsed(
            decimals in proptest::collection::vec((0u64..1_000_000_000_000_000, 0u32..16, proptest::bool::ANY), 1..20),
        ) {
            let mut rows = Vec::new();
            let mut want = Vec::new();
            for &(m, k, as_value) in &decimals {
                let digits = format!("{m:0>width$}", width = k as usize + 1);
                let text = format!("{}.{}", &digits[..digits.len() - k as usize], &digits[digits.len() - k as usize..]);
                let parsed: f64 = text.parse().expect("a decimal");
                let mut b = BatchMetrics::new(BatchType::Prefill);
                if as_value {
                    b.set_real(RealField::InputThroughput, parsed);
                } else {
                    proptest::prop_assert!(b.set_decimal(RealField::InputThroughput, m, k));
                }
                proptest::prop_assert_eq!(b.input_throughput().map(f64::to_bits), Some(parsed.to_bits()), "{}", text);
                rows.push(b);
                want.push(Some(parsed.to_bits()));
            }
            let batches: Batches = rows.clone().into();
            let in_place: Vec<_> = batches.rows().map(|r| r.input_throughput().map(f64::to_bits)).collect();
            proptest::prop_assert_eq!(&in_place, &want);
            proptest::prop_assert_eq!(batches.to_vec(), rows);
        }
    }

    #[test]
    fn a_record_set_from_decimals_is_packed_with_its_words() {
        let mut b = BatchMetrics::new(BatchType::Decode);
        assert!(b.set_decimal(RealField::GenThroughput, 430_939, 2));
        assert!(b.set_decimal(RealField::TokenUsage, 42, 2));
        let mut batches = Batches::new();
        batches.push_copy(&b);
        // A mantissa too large for a word: the column becomes two words, values unchanged.
        assert!(b.set_decimal(RealField::GenThroughput, 4_497_565_407_145, 11));
        batches.push_copy(&b);
        assert_eq!(batches.data_bytes(), 2 * (4 + 8 + 4));
        let rates: Vec<_> = batches.rows().map(|r| r.gen_throughput()).collect();
        assert_eq!(rates, [Some(4309.39), Some(44.97565407145)]);
        // A record read back keeps its words: packed again, it takes as little.
        let again: Batches = batches.iter().take(1).collect();
        assert_eq!(again.data_bytes(), 4 + 4 + 4);
        assert_eq!(again.get(0).and_then(|r| r.token_usage()), Some(0.42));
    }

    #[test]
    fn whole_seconds_take_a_word_until_a_time_needs_microseconds() {
        let at = |wall_micros| {
            let mut b = BatchMetrics::new(BatchType::Decode);
            b.timestamp = Some(Timestamp { wall_micros, utc_offset_secs: None });
            b
        };
        const SECOND: i64 = MICROS_PER_SECOND as i64;
        let second = 1_768_543_200 * SECOND; // 2026-01-16 06:00:00
        let mut rows = vec![at(second), at(second + SECOND), BatchMetrics::new(BatchType::Decode)];
        let mut batches: Batches = rows.clone().into();
        assert_eq!(batches.data_bytes(), 3 * (4 + 4));
        assert_eq!(batches, rows);
        // A fraction of a second, a time before 1970 or after 2106: two words, for every row.
        for odd in [second + 200_490, -SECOND, (i64::from(u32::MAX) + 1) * SECOND] {
            let mut more = batches.clone();
            more.push(at(odd));
            assert_eq!(more.data_bytes(), 4 * (4 + 8), "{odd}");
            let walls: Vec<_> = more.rows().map(|r| r.timestamp().map(|t| t.wall_micros)).collect();
            assert_eq!(walls, [Some(second), Some(second + SECOND), None, Some(odd)]);
        }
        // Dated afterwards (time-only lines), the same rule.
        batches.set_timestamp(2, Some(Timestamp { wall_micros: second + 5, utc_offset_secs: Some(3600) }));
        rows[2].timestamp = Some(Timestamp { wall_micros: second + 5, utc_offset_secs: Some(3600) });
        assert_eq!(batches, rows);
        assert_eq!(batches.data_bytes(), 3 * (4 + 8 + 4));
    }

    #[test]
    fn ranks_share_a_word_and_the_cuda_graph_flag_takes_none() {
        let mut b = BatchMetrics::new(BatchType::Decode);
        b.set_cuda_graph(true);
        let mut rows = vec![b.clone()];
        b.set_cuda_graph(false);
        rows.push(b.clone());
        (b.dp, b.tp, b.ep) = (RANK_MASK, 1, 7);
        rows.push(b.clone());
        let packed: Batches = rows.clone().into();
        // Flags and one word for the three ranks; the flag's value is in the flags word.
        assert_eq!(packed.data_bytes(), 3 * (4 + 4));
        assert_eq!(packed, rows);
        let cuda: Vec<_> = packed.rows().map(|r| r.cuda_graph()).collect();
        assert_eq!(cuda, [Some(true), Some(false), Some(false)]);
        assert_eq!(packed.rows().map(|r| (r.dp(), r.tp(), r.ep())).last(), Some((RANK_MASK, 1, 7)));
        // A rank too large for the shared word gives each its own, for every row so far.
        (b.dp, b.tp, b.ep) = (3, RANK_MASK + 1, 0);
        rows.push(b.clone());
        let mut wide = packed.clone();
        wide.push(b.clone());
        assert_eq!(wide.data_bytes(), 4 * (4 + 12));
        assert_eq!(wide, rows);
        let ranks: Vec<_> = wide.rows().map(|r| (r.dp(), r.tp(), r.ep())).collect();
        assert_eq!(ranks, [(0, 0, 0), (0, 0, 0), (RANK_MASK, 1, 7), (3, RANK_MASK + 1, 0)]);
        // Small ranks after wide ones stay wide.
        wide.push(rows[2].clone());
        assert_eq!(wide.get(4).as_ref(), Some(&rows[2]));
        assert_eq!(wide.data_bytes(), 5 * (4 + 12));
    }
}
