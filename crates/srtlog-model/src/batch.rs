//! [`BatchMetrics`]: one scheduler batch, stored compactly.
//!
//! A busy worker logs millions of batches, and every pass over them — parsing, derived metrics,
//! the cache, the report — is bound by memory traffic rather than arithmetic. So the record is
//! small: the 13 counts are `u32`, the 9 real values `f64`, kept as 32-bit words, and one bit
//! per field says whether the line carried it (176 bytes where 24 `Option`s took 400). A
//! worker's batches are not kept as records but packed in only the words its lines carry
//! ([`crate::Batches`]); this is the record they are read and written as.
//!
//! Reading goes through one getter per field (`b.gen_throughput()`, `Option<f64>`); parsers
//! write with [`BatchMetrics::set_count`], [`BatchMetrics::set_real`],
//! [`BatchMetrics::set_iteration`] and [`BatchMetrics::set_cuda_graph`]. [`BatchRow`] is the
//! same record with public `Option` fields — for building a record by hand and as the serde
//! form, so the JSON keeps one key per field, `null` when the line did not carry it.
//!
//! Counts are `u32` because every count a scheduler line carries (requests, tokens of one
//! batch or of the KV pool) is far below 2³²; a parser treats a larger value as a malformed
//! line rather than truncating it. The iteration number keeps 64 bits.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::timestamp::Timestamp;

/// Kind of a batch line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchType {
    /// A prefill (context) batch.
    Prefill,
    /// A decode (generation) batch.
    Decode,
}

impl BatchType {
    /// The word used in JSON and the cache.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchType::Prefill => "prefill",
            BatchType::Decode => "decode",
        }
    }
}

/// A count field of [`BatchMetrics`] (`u32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountField {
    /// `new_seq`.
    NewSeq,
    /// `new_token`.
    NewToken,
    /// `cached_token`.
    CachedToken,
    /// `running_req`.
    RunningReq,
    /// `queue_req`.
    QueueReq,
    /// `prealloc_req`.
    PreallocReq,
    /// `inflight_req`.
    InflightReq,
    /// `transfer_req`.
    TransferReq,
    /// `num_tokens`.
    NumTokens,
    /// `retracted_req`.
    RetractedReq,
    /// `unbootstrapped_req`.
    UnbootstrappedReq,
    /// `swa_tokens`.
    SwaTokens,
    /// `cached_kv_tokens`.
    CachedKvTokens,
}

/// A real-valued field of [`BatchMetrics`] (`f64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RealField {
    /// `token_usage`.
    TokenUsage,
    /// `input_throughput`.
    InputThroughput,
    /// `gen_throughput`.
    GenThroughput,
    /// `preallocated_usage`.
    PreallocatedUsage,
    /// `accept_len`.
    AcceptLen,
    /// `accept_rate`.
    AcceptRate,
    /// `swa_token_usage`.
    SwaTokenUsage,
    /// `host_step_time_ms`.
    HostStepTimeMs,
    /// `prev_device_step_time_ms`.
    PrevDeviceStepTimeMs,
}

pub(crate) const COUNT_FIELDS: usize = CountField::CachedKvTokens as usize + 1;
pub(crate) const REAL_FIELDS: usize = RealField::PrevDeviceStepTimeMs as usize + 1;

/// Presence bits: counts from bit 0, reals from bit 16, then the iteration and the flag.
/// Bits 13–15 and 25–29 are free; [`crate::Batches`] keeps its own per-row flags there.
pub(crate) const REAL_BIT0: u32 = 16;
pub(crate) const ITERATION_BIT: u32 = 1 << 30;
pub(crate) const CUDA_GRAPH_BIT: u32 = 1 << 31;
/// Words of a record's values: the counts, two for each real, two for the iteration, one flag.
pub(crate) const VALUE_WORDS: usize = COUNT_FIELDS + 2 * REAL_FIELDS + 3;
/// The first word of the iteration.
pub(crate) const ITERATION_WORD: usize = COUNT_FIELDS + 2 * REAL_FIELDS;
/// The word of the CUDA-graph flag.
pub(crate) const CUDA_GRAPH_WORD: usize = ITERATION_WORD + 2;

/// The first word of real `i`.
#[inline(always)]
pub(crate) const fn real_word(i: usize) -> usize {
    COUNT_FIELDS + 2 * i
}

/// Every presence bit a record can have.
pub(crate) const VALUE_BITS: u32 =
    ((1 << COUNT_FIELDS) - 1) | (((1 << REAL_FIELDS) - 1) << REAL_BIT0) | ITERATION_BIT | CUDA_GRAPH_BIT;

/// Any optional field of [`BatchMetrics`], for code that walks all of them (column writers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchField {
    /// A count.
    Count(CountField),
    /// A real value.
    Real(RealField),
    /// `iteration` (`u64`).
    Iteration,
    /// `cuda_graph` (`bool`).
    CudaGraph,
}

/// One scheduler batch (SGLang `Prefill batch` / `Decode batch` line, TensorRT-LLM iteration).
///
/// Fields a line does not carry read as `None`. For TensorRT-LLM the mapping is: `running_req` =
/// `num_scheduled_requests`, `new_seq` = `num_ctx_requests`, `new_token` = `num_ctx_tokens`,
/// `num_tokens` = `num_generation_tokens`, `token_usage` = `kv_cache_util`.
///
/// ```
/// use srtlog_model::{BatchMetrics, BatchType, CountField, RealField};
///
/// let mut b = BatchMetrics::new(BatchType::Decode);
/// b.set_count(CountField::RunningReq, 64);
/// b.set_real(RealField::GenThroughput, 2150.5);
/// assert_eq!((b.running_req(), b.gen_throughput(), b.queue_req()), (Some(64), Some(2150.5), None));
/// assert_eq!(b.to_row().running_req, Some(64));
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(from = "BatchRow", into = "BatchRow")]
pub struct BatchMetrics {
    /// When the line was logged; `None` when the line has no timestamp.
    pub timestamp: Option<Timestamp>,
    /// Data-parallel rank from the line's tags (0 when absent).
    pub dp: u32,
    /// Tensor-parallel rank from the line's tags (0 when absent).
    pub tp: u32,
    /// Expert-parallel rank from the line's tags (0 when absent).
    pub ep: u32,
    /// Prefill or decode.
    pub batch_type: BatchType,
    // Invariant: a slot whose presence bit is clear holds zero (or false), so `PartialEq`
    // compares present values only.
    pub(crate) present: u32,
    /// The values as 32-bit words: a count one (word `i` for count `i`), a real or the
    /// iteration two (low word first), the CUDA-graph flag one. Words, so that
    /// [`crate::Batches`] packs and unpacks a record by copying words.
    pub(crate) words: [u32; VALUE_WORDS],
    /// The reals (presence bits) set from a printed decimal that fits a [`decimal_word`],
    /// and those words: how [`crate::Batches`] keeps them in one word each without working
    /// the decimal out again from the value. Not part of the value (`PartialEq` ignores them).
    pub(crate) decimals: u32,
    pub(crate) decimal_words: [u32; REAL_FIELDS],
}

impl PartialEq for BatchMetrics {
    fn eq(&self, other: &Self) -> bool {
        (self.timestamp, self.dp, self.tp, self.ep, self.batch_type, self.present, self.words)
            == (other.timestamp, other.dp, other.tp, other.ep, other.batch_type, other.present, other.words)
    }
}

/// Bits of a decimal word that hold its fractional digits.
pub(crate) const DIGIT_BITS: u32 = 4;
/// The largest mantissa a decimal word holds, plus one.
const DECIMAL_MANTISSA_END: u64 = 1 << (32 - DIGIT_BITS);
/// Powers of ten a decimal word divides by, each exact in an `f64`.
pub(crate) const DECIMAL_POW10: [f64; 1 << DIGIT_BITS] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// The word `mantissa << DIGIT_BITS | frac_digits` of a printed decimal (`0.42`: 42 and 2),
/// when it fits (a mantissa below 2^28, at most 15 fractional digits). Its value,
/// [`decimal_value`], is the decimal correctly rounded, as `str::parse` rounds it.
#[inline(always)]
pub(crate) fn decimal_word(mantissa: u64, frac_digits: u32) -> Option<u32> {
    (mantissa < DECIMAL_MANTISSA_END && frac_digits < 1 << DIGIT_BITS)
        .then_some(((mantissa as u32) << DIGIT_BITS) | frac_digits)
}

/// The fractional digits of a decimal word.
#[inline(always)]
pub(crate) fn decimal_digits(word: u32) -> u32 {
    word & ((1 << DIGIT_BITS) - 1)
}

/// The value of a decimal word ([`decimal_quotient`] of its mantissa and digits).
#[inline(always)]
pub(crate) fn decimal_value(word: u32) -> f64 {
    decimal_quotient(u64::from(word >> DIGIT_BITS), decimal_digits(word))
}

/// `mantissa / 10^frac_digits` for a mantissa below 2^53 and at most 15 digits: the quotient
/// of two integers an `f64` holds exactly, so one correctly rounded division, the decimal
/// correctly rounded.
#[inline(always)]
fn decimal_quotient(mantissa: u64, frac_digits: u32) -> f64 {
    mantissa as f64 / DECIMAL_POW10[frac_digits as usize]
}

impl BatchMetrics {
    /// An empty batch of the given type: every metric `None`, ranks 0.
    pub fn new(batch_type: BatchType) -> Self {
        BatchMetrics {
            timestamp: None,
            dp: 0,
            tp: 0,
            ep: 0,
            batch_type,
            present: 0,
            words: [0; VALUE_WORDS],
            decimals: 0,
            decimal_words: [0; REAL_FIELDS],
        }
    }

    /// A count, `None` when the line did not carry it.
    #[inline]
    pub fn count(&self, field: CountField) -> Option<u32> {
        let i = field as usize;
        (self.present & (1 << i) != 0).then_some(self.words[i])
    }

    /// Sets a count.
    #[inline]
    pub fn set_count(&mut self, field: CountField, value: u32) {
        let i = field as usize;
        self.words[i] = value;
        self.present |= 1 << i;
    }

    /// A real value, `None` when the line did not carry it.
    #[inline]
    pub fn real(&self, field: RealField) -> Option<f64> {
        let i = field as usize;
        (self.present & (1 << (REAL_BIT0 + i as u32)) != 0).then(|| f64::from_bits(self.wide(real_word(i))))
    }

    /// Sets a real value.
    #[inline]
    pub fn set_real(&mut self, field: RealField, value: f64) {
        let i = field as usize;
        self.set_wide(real_word(i), value.to_bits());
        self.present |= 1 << (REAL_BIT0 + i as u32);
        self.decimals &= !(1 << (REAL_BIT0 + i as u32));
    }

    /// Sets a real value printed as a decimal of at most 15 digits, `mantissa /
    /// 10^frac_digits` (`4309.39`: 430939 and 2), to that decimal correctly rounded: the value
    /// `str::parse` gives for the text. A busy worker's batches keep such a value in half the
    /// memory of any other ([`crate::Batches`]). `false`, and nothing set, for a decimal of
    /// more digits (`mantissa` from 10^15, `frac_digits` over 15): parse those to a value.
    ///
    /// ```
    /// use srtlog_model::{BatchMetrics, BatchType, RealField};
    ///
    /// let mut b = BatchMetrics::new(BatchType::Decode);
    /// assert!(b.set_decimal(RealField::GenThroughput, 430939, 2));
    /// assert_eq!(b.gen_throughput(), Some("4309.39".parse().unwrap()));
    /// assert!(!b.set_decimal(RealField::TokenUsage, 4_497_565_407_145_068, 14));
    /// assert_eq!(b.token_usage(), None);
    /// ```
    #[inline]
    pub fn set_decimal(&mut self, field: RealField, mantissa: u64, frac_digits: u32) -> bool {
        if mantissa >= 1_000_000_000_000_000 || frac_digits >= 1 << DIGIT_BITS {
            return false;
        }
        let i = field as usize;
        let bit = 1 << (REAL_BIT0 + i as u32);
        self.set_wide(real_word(i), decimal_quotient(mantissa, frac_digits).to_bits());
        self.present |= bit;
        match decimal_word(mantissa, frac_digits) {
            Some(word) => {
                self.decimal_words[i] = word;
                self.decimals |= bit;
            }
            None => self.decimals &= !bit,
        }
        true
    }

    /// Sets the iteration number.
    #[inline]
    pub fn set_iteration(&mut self, value: u64) {
        self.set_wide(ITERATION_WORD, value);
        self.present |= ITERATION_BIT;
    }

    /// Sets the CUDA-graph flag.
    #[inline]
    pub fn set_cuda_graph(&mut self, value: bool) {
        self.words[CUDA_GRAPH_WORD] = u32::from(value);
        self.present |= CUDA_GRAPH_BIT;
    }

    /// The two words at `at` as one 64-bit value.
    #[inline(always)]
    pub(crate) fn wide(&self, at: usize) -> u64 {
        u64::from(self.words[at]) | (u64::from(self.words[at + 1]) << 32)
    }

    #[inline(always)]
    pub(crate) fn set_wide(&mut self, at: usize, value: u64) {
        (self.words[at], self.words[at + 1]) = (value as u32, (value >> 32) as u32);
    }

    /// Whether the line carried `field`.
    #[inline]
    pub fn has(&self, field: BatchField) -> bool {
        let bit = match field {
            BatchField::Count(c) => 1 << c as u32,
            BatchField::Real(r) => 1 << (REAL_BIT0 + r as u32),
            BatchField::Iteration => ITERATION_BIT,
            BatchField::CudaGraph => CUDA_GRAPH_BIT,
        };
        self.present & bit != 0
    }
}

impl fmt::Debug for BatchMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_row().fmt(f)
    }
}

/// The [`BatchField`] of a field.
macro_rules! field_id {
    (Count, $v:ident) => {
        BatchField::Count(CountField::$v)
    };
    (Real, $v:ident) => {
        BatchField::Real(RealField::$v)
    };
    (Iteration) => {
        BatchField::Iteration
    };
    (CudaGraph) => {
        BatchField::CudaGraph
    };
}

/// Reads a field of each kind.
macro_rules! field_get {
    ($b:expr, Count, $v:ident) => {
        $b.count(CountField::$v)
    };
    ($b:expr, Real, $v:ident) => {
        $b.real(RealField::$v)
    };
    ($b:expr, Iteration) => {
        ($b.present & ITERATION_BIT != 0).then(|| $b.wide(ITERATION_WORD))
    };
    ($b:expr, CudaGraph) => {
        ($b.present & CUDA_GRAPH_BIT != 0).then(|| $b.words[CUDA_GRAPH_WORD] != 0)
    };
}

/// Writes a field of each kind.
macro_rules! field_set {
    ($b:expr, $x:expr, Count, $v:ident) => {
        $b.set_count(CountField::$v, $x)
    };
    ($b:expr, $x:expr, Real, $v:ident) => {
        $b.set_real(RealField::$v, $x)
    };
    ($b:expr, $x:expr, Iteration) => {
        $b.set_iteration($x)
    };
    ($b:expr, $x:expr, CudaGraph) => {
        $b.set_cuda_graph($x)
    };
}

/// The optional fields, once, in the order of the JSON form and the cache's columns: the
/// getters, [`BatchRow`], [`BatchField::ALL`] and the names all come from this list.
macro_rules! batch_fields {
    (batch { $( $(#[doc = $doc:literal])+ $name:ident : $ty:ty => $kind:ident $(($variant:ident))? ),+ $(,)? }) => {
        /// [`BatchMetrics`] with every optional field public, as `Option`: for building a record
        /// by hand (`BatchRow { gen_throughput: Some(1.0), ..BatchRow::new(BatchType::Decode) }
        /// .into()`) and the serde form of [`BatchMetrics`].
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct BatchRow {
            /// When the line was logged; `None` when the line has no timestamp.
            pub timestamp: Option<Timestamp>,
            /// Data-parallel rank from the line's tags (0 when absent).
            pub dp: u32,
            /// Tensor-parallel rank from the line's tags (0 when absent).
            pub tp: u32,
            /// Expert-parallel rank from the line's tags (0 when absent).
            pub ep: u32,
            /// Prefill or decode.
            pub batch_type: BatchType,
            $( $(#[doc = $doc])+ pub $name: Option<$ty>, )+
        }

        impl BatchRow {
            /// An empty row of the given type: every metric `None`, ranks 0.
            pub fn new(batch_type: BatchType) -> Self {
                BatchRow { timestamp: None, dp: 0, tp: 0, ep: 0, batch_type, $( $name: None, )+ }
            }
        }

        impl BatchMetrics {
            $(
                $(#[doc = $doc])+
                #[inline]
                pub fn $name(&self) -> Option<$ty> {
                    field_get!(self, $kind $(, $variant)?)
                }
            )+

            /// The record with every field as an `Option`.
            pub fn to_row(&self) -> BatchRow {
                BatchRow {
                    timestamp: self.timestamp,
                    dp: self.dp,
                    tp: self.tp,
                    ep: self.ep,
                    batch_type: self.batch_type,
                    $( $name: self.$name(), )+
                }
            }
        }

        impl From<BatchRow> for BatchMetrics {
            fn from(row: BatchRow) -> Self {
                let mut b = BatchMetrics::new(row.batch_type);
                (b.timestamp, b.dp, b.tp, b.ep) = (row.timestamp, row.dp, row.tp, row.ep);
                $( if let Some(x) = row.$name { field_set!(b, x, $kind $(, $variant)?); } )+
                b
            }
        }

        impl From<BatchMetrics> for BatchRow {
            fn from(b: BatchMetrics) -> Self {
                b.to_row()
            }
        }

        impl BatchField {
            /// Every optional field, in the order of the JSON form.
            pub const ALL: &'static [BatchField] = &[ $( field_id!($kind $(, $variant)?), )+ ];

            /// The field's name in the JSON form and the cache (`gen_throughput`).
            pub fn name(self) -> &'static str {
                match self {
                    $( field_id!($kind $(, $variant)?) => stringify!($name), )+
                }
            }
        }
    };
}

/// Calls `$callback! { batch { ... } rest }` with the optional fields of [`BatchMetrics`], in the
/// order of the JSON form: for each, its doc, name, type and kind (`name: u32 =>
/// Count(Variant)`, `Real(Variant)`, `Iteration`, `CudaGraph`). The one list of the fields:
/// this crate builds the getters, [`BatchRow`] and [`BatchField`] from it, and the cache and
/// the dataset export their columns, so a field added here reaches all of them.
///
/// ```
/// macro_rules! names {
///     (batch { $( $(#[doc = $d:literal])* $name:ident : $ty:ty => $kind:ident $(($v:ident))? ),+ $(,)? }) => {
///         [$(stringify!($name)),+]
///     };
/// }
/// let names = srtlog_model::with_batch_fields!(names! {});
/// assert_eq!(names.len(), srtlog_model::BatchField::ALL.len());
/// assert_eq!(names[0], "new_seq");
/// ```
#[macro_export]
macro_rules! with_batch_fields {
    ($callback:ident ! { $($rest:tt)* }) => {
        $callback! {
            batch {
                /// New sequences in this prefill batch.
                new_seq: u32 => Count(NewSeq),
                /// New (uncached) prompt tokens in this prefill batch.
                new_token: u32 => Count(NewToken),
                /// Prompt tokens served from the prefix cache.
                cached_token: u32 => Count(CachedToken),
                /// KV-cache usage ratio, 0..1 (`token usage`, or `full token usage` for hybrid pools).
                token_usage: f64 => Real(TokenUsage),
                /// Requests running.
                running_req: u32 => Count(RunningReq),
                /// Requests queued.
                queue_req: u32 => Count(QueueReq),
                /// Requests pre-allocated (disaggregated decode/prefill).
                prealloc_req: u32 => Count(PreallocReq),
                /// Requests in flight to decode (disaggregated prefill).
                inflight_req: u32 => Count(InflightReq),
                /// Requests receiving KV cache (disaggregated decode; older `#transferring-req`).
                transfer_req: u32 => Count(TransferReq),
                /// Tokens in the running batch (`#token` / `#full token`; TRT-LLM generation tokens).
                num_tokens: u32 => Count(NumTokens),
                /// Prompt tokens per second as logged.
                input_throughput: f64 => Real(InputThroughput),
                /// Generated tokens per second as logged.
                gen_throughput: f64 => Real(GenThroughput),
                /// Pre-allocated KV usage ratio (disaggregated decode).
                preallocated_usage: f64 => Real(PreallocatedUsage),
                /// Requests retracted for lack of memory.
                retracted_req: u32 => Count(RetractedReq),
                /// Requests waiting for the bootstrap handshake (older `#unbootstrapped-req`).
                unbootstrapped_req: u32 => Count(UnbootstrappedReq),
                /// Speculative decoding: mean accepted length.
                accept_len: f64 => Real(AcceptLen),
                /// Speculative decoding: acceptance rate.
                accept_rate: f64 => Real(AcceptRate),
                /// Whether the step ran as a CUDA graph.
                cuda_graph: bool => CudaGraph,
                /// Sliding-window pool tokens (hybrid models, `#swa token`).
                swa_tokens: u32 => Count(SwaTokens),
                /// Sliding-window pool usage ratio (`swa token usage`).
                swa_token_usage: f64 => Real(SwaTokenUsage),
                /// TensorRT-LLM iteration number.
                iteration: u64 => Iteration,
                /// TensorRT-LLM host step time (ms).
                host_step_time_ms: f64 => Real(HostStepTimeMs),
                /// TensorRT-LLM device time of the previous step (ms).
                prev_device_step_time_ms: f64 => Real(PrevDeviceStepTimeMs),
                /// TensorRT-LLM KV tokens reused from the cache (`cached_kv_tokens`).
                cached_kv_tokens: u32 => Count(CachedKvTokens),
            }
            $($rest)*
        }
    };
}

with_batch_fields!(batch_fields! {});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_is_compact() {
        // 176 bytes of values and 40 of decimal words: a parser's one scratch record, never
        // stored by the million (`Batches` is).
        assert!(std::mem::size_of::<BatchMetrics>() <= 216, "{}", std::mem::size_of::<BatchMetrics>());
    }

    #[test]
    fn every_field_is_listed_once_and_round_trips_through_the_row() {
        assert_eq!(BatchField::ALL.len(), COUNT_FIELDS + REAL_FIELDS + 2);
        let mut names: Vec<_> = BatchField::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), BatchField::ALL.len());

        // Each field set alone reads back alone, under its own name in the JSON.
        for (k, &field) in BatchField::ALL.iter().enumerate() {
            let mut b = BatchMetrics::new(BatchType::Prefill);
            match field {
                BatchField::Count(c) => b.set_count(c, 7 + k as u32),
                BatchField::Real(r) => b.set_real(r, 0.5 + k as f64),
                BatchField::Iteration => b.set_iteration(u64::MAX),
                BatchField::CudaGraph => b.set_cuda_graph(false),
            }
            for &other in BatchField::ALL {
                assert_eq!(b.has(other), other == field, "{} set, {} read", field.name(), other.name());
            }
            let json = serde_json::to_value(&b).unwrap();
            let mut non_null: Vec<_> = json
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, _)| k.as_str())
                .collect();
            non_null.sort_unstable();
            let mut want = vec!["dp", "tp", "ep", "batch_type", field.name()];
            want.sort_unstable();
            assert_eq!(non_null, want);
            assert_eq!(json.as_object().unwrap().len(), 5 + BatchField::ALL.len(), "every field has its key");
            let back: BatchMetrics = serde_json::from_value(json).unwrap();
            assert_eq!(back, b);
            assert_eq!(BatchMetrics::from(b.to_row()), b);
        }
    }

    #[test]
    fn equality_ignores_nothing_but_absent_slots() {
        let mut a = BatchMetrics::new(BatchType::Decode);
        let b = a.clone();
        a.set_count(CountField::QueueReq, 0);
        assert_ne!(a, b, "present zero differs from absent");
        assert_eq!(a.queue_req(), Some(0));
        assert_eq!(b.queue_req(), None);
    }
}
