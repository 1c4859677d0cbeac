//! Which batches form a *stream*: the batches one logging process wrote, i.e. one worker's
//! batches of one DP rank. When several TP ranks of a DP rank log the same step (each TP rank
//! of an SGLang worker may print the line), only the lowest TP rank logged for that DP rank is
//! kept, so that no batch counts twice. This file is the only place that rule is written down;
//! the derived metrics and the report's timelines both go through it.

use std::collections::BTreeMap;

use crate::batch::BatchMetrics;

/// For each DP rank of a worker, the lowest TP rank that logged for it. DP ranks are small
/// numbers, so a vector indexed by rank serves the common case; anything else falls back to a
/// map.
#[derive(Debug, Clone, Default)]
pub(super) struct KeptRanks {
    dense: Vec<u32>,
    sparse: BTreeMap<u32, u32>,
}

/// What [`KeptRanks::see`] says of a batch.
pub(super) enum Seen {
    /// Its TP rank is the lowest seen so far for its DP rank.
    Kept,
    /// A lower TP rank was seen for its DP rank.
    Dropped,
    /// Its TP rank is lower than one seen before for its DP rank: batches kept earlier for
    /// that DP rank were not the lowest rank's after all.
    Lowered,
}

impl KeptRanks {
    const DENSE_RANKS: u32 = 1024;

    /// The kept ranks of `batches`, in one pass.
    pub(super) fn of(batches: &[BatchMetrics]) -> Self {
        let mut kept = KeptRanks::default();
        for b in batches {
            kept.see(b);
        }
        kept
    }

    /// Takes `b`'s ranks into account and says whether `b` is kept so far.
    #[inline]
    pub(super) fn see(&mut self, b: &BatchMetrics) -> Seen {
        let slot = if b.dp < Self::DENSE_RANKS {
            let i = b.dp as usize;
            if self.dense.len() <= i {
                self.dense.resize(i + 1, u32::MAX);
            }
            &mut self.dense[i]
        } else {
            self.sparse.entry(b.dp).or_insert(u32::MAX)
        };
        match b.tp.cmp(slot) {
            std::cmp::Ordering::Equal => Seen::Kept,
            std::cmp::Ordering::Greater => Seen::Dropped,
            std::cmp::Ordering::Less => {
                let first = *slot == u32::MAX;
                *slot = b.tp;
                if first {
                    Seen::Kept
                } else {
                    Seen::Lowered
                }
            }
        }
    }

    /// Whether `b` belongs to its DP rank's stream, once every batch has been seen.
    pub(super) fn keeps(&self, b: &BatchMetrics) -> bool {
        self.kept_tp(b.dp) == Some(b.tp)
    }

    /// The TP rank kept for DP rank `dp`, if that rank logged at all.
    fn kept_tp(&self, dp: u32) -> Option<u32> {
        if dp < Self::DENSE_RANKS {
            self.dense.get(dp as usize).copied().filter(|tp| *tp != u32::MAX)
        } else {
            self.sparse.get(&dp).copied()
        }
    }
}

/// The streams of one worker: which of its batches count, and how they split by DP rank.
///
/// ```
/// use srtlog_model::derived::WorkerStreams;
/// use srtlog_model::{BatchMetrics, BatchType};
///
/// let batch = |dp, tp| {
///     let mut b = BatchMetrics::new(BatchType::Decode);
///     (b.dp, b.tp) = (dp, tp);
///     b
/// };
/// // DP 0 is logged by TP 0 and TP 1 (the same step twice), DP 1 only by TP 3.
/// let batches = [batch(0, 1), batch(0, 0), batch(1, 3), batch(0, 1)];
/// let streams = WorkerStreams::new(&batches);
/// assert_eq!(streams.kept_batches().count(), 2);
/// let split: Vec<(u32, u32, usize)> =
///     streams.streams().iter().map(|s| (s.dp, s.tp, s.batches.len())).collect();
/// assert_eq!(split, [(0, 0, 1), (1, 3, 1)]);
/// ```
#[derive(Debug, Clone)]
pub struct WorkerStreams<'a> {
    batches: &'a [BatchMetrics],
    kept: KeptRanks,
}

/// One stream: the kept batches of one DP rank of a worker, in log order.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream<'a> {
    /// The DP rank.
    pub dp: u32,
    /// The TP rank whose lines are kept (the lowest that logged for `dp`).
    pub tp: u32,
    /// The batches, in log order (batches without a timestamp included).
    pub batches: Vec<&'a BatchMetrics>,
}

impl<'a> WorkerStreams<'a> {
    /// Finds the kept ranks of a worker's batches (one pass over them).
    pub fn new(batches: &'a [BatchMetrics]) -> Self {
        WorkerStreams { batches, kept: KeptRanks::of(batches) }
    }

    /// Whether `b` (one of this worker's batches) counts: its TP rank is the lowest that
    /// logged for its DP rank.
    pub fn keeps(&self, b: &BatchMetrics) -> bool {
        self.kept.keeps(b)
    }

    /// The batches that count, all DP ranks, in log order.
    pub fn kept_batches(&self) -> impl Iterator<Item = &'a BatchMetrics> + '_ {
        self.batches.iter().filter(move |b| self.kept.keeps(b))
    }

    /// The streams, by DP rank ascending.
    pub fn streams(&self) -> Vec<Stream<'a>> {
        let mut by_dp: BTreeMap<u32, Vec<&'a BatchMetrics>> = BTreeMap::new();
        for b in self.kept_batches() {
            by_dp.entry(b.dp).or_default().push(b);
        }
        by_dp.into_iter().map(|(dp, batches)| Stream { dp, tp: batches[0].tp, batches }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BatchType;

    fn batch(dp: u32, tp: u32) -> BatchMetrics {
        let mut b = BatchMetrics::new(BatchType::Decode);
        (b.dp, b.tp) = (dp, tp);
        b
    }

    #[test]
    fn a_lower_tp_rank_seen_later_takes_the_stream_over() {
        let batches = [batch(0, 2), batch(0, 1), batch(2000, 5), batch(0, 0), batch(2000, 4), batch(0, 2)];
        let streams = WorkerStreams::new(&batches);
        let split: Vec<(u32, u32, usize)> =
            streams.streams().iter().map(|s| (s.dp, s.tp, s.batches.len())).collect();
        // DP 2000 is beyond the dense range and goes through the map.
        assert_eq!(split, [(0, 0, 1), (2000, 4, 1)]);
        assert!(streams.keeps(&batches[3]) && !streams.keeps(&batches[0]));
        assert!(!streams.keeps(&batch(7, 0)), "a rank the worker never logged is not kept");
    }
}
