//! Which batches form a *stream*: the batches one logging process wrote, i.e. one worker's
//! batches of one DP rank. When several TP ranks of a DP rank log the same step (each TP rank
//! of an SGLang worker may print the line), only the lowest TP rank logged for that DP rank is
//! kept, so that no batch counts twice. This file is the only place that rule is written down;
//! the derived metrics and the report's timelines both go through it.

use std::collections::BTreeMap;

use crate::batch::BatchMetrics;
use crate::batches::{BatchRef, Batches};

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

    /// The kept ranks of `batches`, in one pass over their rank words.
    pub(super) fn of(batches: &Batches) -> Self {
        let mut kept = KeptRanks::default();
        for b in batches.rows() {
            kept.see(b.dp(), b.tp());
        }
        kept
    }

    /// Takes a batch of ranks `dp`, `tp` into account and says whether it is kept so far.
    #[inline]
    pub(super) fn see(&mut self, dp: u32, tp: u32) -> Seen {
        let slot = if dp < Self::DENSE_RANKS {
            let i = dp as usize;
            if self.dense.len() <= i {
                self.dense.resize(i + 1, u32::MAX);
            }
            &mut self.dense[i]
        } else {
            self.sparse.entry(dp).or_insert(u32::MAX)
        };
        match tp.cmp(slot) {
            std::cmp::Ordering::Equal => Seen::Kept,
            std::cmp::Ordering::Greater => Seen::Dropped,
            std::cmp::Ordering::Less => {
                let first = *slot == u32::MAX;
                *slot = tp;
                if first {
                    Seen::Kept
                } else {
                    Seen::Lowered
                }
            }
        }
    }

    /// Whether a batch of ranks `dp`, `tp` belongs to its DP rank's stream, once every batch
    /// has been seen.
    #[inline]
    pub(super) fn keeps(&self, dp: u32, tp: u32) -> bool {
        self.kept_tp(dp) == Some(tp)
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
/// use srtlog_model::{BatchMetrics, BatchType, Batches};
///
/// let batch = |dp, tp| {
///     let mut b = BatchMetrics::new(BatchType::Decode);
///     (b.dp, b.tp) = (dp, tp);
///     b
/// };
/// // DP 0 is logged by TP 0 and TP 1 (the same step twice), DP 1 only by TP 3.
/// let batches = [batch(0, 1), batch(0, 0), batch(1, 3), batch(0, 1)].into();
/// let streams = WorkerStreams::new(&batches);
/// assert_eq!(streams.kept_batches().count(), 2);
/// let split: Vec<(u32, u32, usize)> =
///     streams.streams().iter().map(|s| (s.dp, s.tp, s.len())).collect();
/// assert_eq!(split, [(0, 0, 1), (1, 3, 1)]);
/// ```
#[derive(Debug, Clone)]
pub struct WorkerStreams<'a> {
    batches: &'a Batches,
    kept: KeptRanks,
}

/// One stream: the kept batches of one DP rank of a worker, in log order (batches without a
/// timestamp included).
#[derive(Debug, Clone, PartialEq)]
pub struct Stream<'a> {
    /// The DP rank.
    pub dp: u32,
    /// The TP rank whose lines are kept (the lowest that logged for `dp`).
    pub tp: u32,
    batches: &'a Batches,
    /// Which of the worker's batches, by index.
    rows: Vec<usize>,
}

impl Stream<'_> {
    /// Number of batches in the stream.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the stream has no batch (never true of a stream [`WorkerStreams::streams`] gives).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The stream's batches, in log order.
    pub fn batches(&self) -> impl ExactSizeIterator<Item = BatchMetrics> + '_ {
        self.rows.iter().map(|&i| self.batches.row(i))
    }
}

impl<'a> WorkerStreams<'a> {
    /// Finds the kept ranks of a worker's batches (one pass over their ranks).
    pub fn new(batches: &'a Batches) -> Self {
        WorkerStreams { batches, kept: KeptRanks::of(batches) }
    }

    /// Whether `b` (one of this worker's batches) counts: its TP rank is the lowest that
    /// logged for its DP rank.
    pub fn keeps(&self, b: &BatchMetrics) -> bool {
        self.kept.keeps(b.dp, b.tp)
    }

    /// The batches that count, all DP ranks, in log order.
    pub fn kept_batches(&self) -> impl Iterator<Item = BatchMetrics> + '_ {
        self.kept_rows().map(|(_, b)| b.to_metrics())
    }

    /// The batches that count with their indices, in log order, read in place.
    fn kept_rows(&self) -> impl Iterator<Item = (usize, BatchRef<'a>)> + '_ {
        self.batches.rows().enumerate().filter(|(_, b)| self.kept.keeps(b.dp(), b.tp()))
    }

    /// The streams, by DP rank ascending.
    pub fn streams(&self) -> Vec<Stream<'a>> {
        // Per DP rank: its kept TP rank (every kept batch of a DP rank has the same) and rows.
        let mut by_dp: BTreeMap<u32, (u32, Vec<usize>)> = BTreeMap::new();
        for (i, b) in self.kept_rows() {
            by_dp.entry(b.dp()).or_insert_with(|| (b.tp(), Vec::new())).1.push(i);
        }
        by_dp.into_iter().map(|(dp, (tp, rows))| Stream { dp, tp, batches: self.batches, rows }).collect()
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
        let rows = [batch(0, 2), batch(0, 1), batch(2000, 5), batch(0, 0), batch(2000, 4), batch(0, 2)];
        let batches = Batches::from(rows.clone());
        let streams = WorkerStreams::new(&batches);
        let split: Vec<(u32, u32, usize)> = streams.streams().iter().map(|s| (s.dp, s.tp, s.len())).collect();
        // DP 2000 is beyond the dense range and goes through the map.
        assert_eq!(split, [(0, 0, 1), (2000, 4, 1)]);
        assert!(streams.keeps(&rows[3]) && !streams.keeps(&rows[0]));
        let kept: Vec<_> = streams.streams()[0].batches().collect();
        assert_eq!(kept, [rows[3].clone()]);
        assert!(!streams.keeps(&batch(7, 0)), "a rank the worker never logged is not kept");
    }
}
