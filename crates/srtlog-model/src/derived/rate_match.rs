//! The rate match: does the prefill pool feed the decode pool? Prefill input tokens/s against
//! decode generated tokens/s, per time bucket, over a run's disaggregated workers. The
//! formulas are on [`rate_match`]; why aggregated workers are left out is in the
//! [engine's docs](super#aggregated-workers-and-the-rate-match).

use crate::batch::BatchType;
use crate::derived_values::RateMatch;
use crate::node::{NodeInfo, NodeMetrics, WorkerType};
use crate::run::Mode;
use crate::timestamp::Timestamp;

use super::streams::KeptRanks;
use super::workers::Scanned;

/// Most buckets of a [`BucketWidth::Auto`] rate match (the JSON's).
pub const MAX_AUTO_BUCKETS: i64 = 200;

/// Most buckets of any rate match: a width so small that it would give more is widened.
pub const MAX_BUCKETS: i64 = 1 << 20;

/// The width of the rate match's time buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BucketWidth {
    /// `⌈span / 200⌉` whole seconds (at least 1): at most [`MAX_AUTO_BUCKETS`] buckets, where
    /// `span` is the whole seconds from the first to the last counted batch (at least 1). What
    /// the JSON document holds.
    #[default]
    Auto,
    /// This many whole seconds (0 counts as 1), widened to `⌈span / 2²⁰⌉` if that is more, so
    /// that no run gives more than [`MAX_BUCKETS`] buckets.
    Secs(u32),
}

/// The batch type a worker contributes to the rate match: prefill batches of prefill workers,
/// decode batches of decode workers; nothing of aggregated workers (see the module docs).
pub(super) fn rate_side(worker_type: WorkerType) -> Option<BatchType> {
    match worker_type {
        WorkerType::Prefill => Some(BatchType::Prefill),
        WorkerType::Decode => Some(BatchType::Decode),
        WorkerType::Agg => None,
    }
}

/// Whether a batch of a worker on `side` counts: the side's batch type, and for decode a
/// logged (finite) generation throughput.
#[inline(always)]
fn counts_for_rate(s: &Scanned<'_>, side: BatchType) -> bool {
    s.batch_type == side && (side == BatchType::Prefill || s.gen.is_some())
}

/// The time range of the counted batches, gathered batch by batch.
#[derive(Debug, Clone, Copy)]
pub(super) struct TimeRange {
    first: i64,
    last: i64,
    start: Option<Timestamp>,
    any_prefill: bool,
    any_decode: bool,
}

impl Default for TimeRange {
    fn default() -> Self {
        TimeRange { first: i64::MAX, last: i64::MIN, start: None, any_prefill: false, any_decode: false }
    }
}

impl TimeRange {
    /// Takes `b`, a batch of a worker on `side`, into account if it counts. Lines repeated by
    /// higher TP ranks carry the same timestamps, so the range needs no rank filter.
    #[inline]
    pub(super) fn see(&mut self, s: Scanned<'_>, side: BatchType) {
        let Some(ts) = s.at else { return };
        if !counts_for_rate(&s, side) {
            return;
        }
        let t = ts.epoch_micros_or_wall();
        if t < self.first {
            (self.first, self.start) = (t, Some(ts));
        }
        self.last = self.last.max(t);
        self.any_prefill |= side == BatchType::Prefill;
        self.any_decode |= side == BatchType::Decode;
    }

    /// The bucket grid, when both sides have a timestamped batch.
    fn grid(&self, width: BucketWidth) -> Option<Grid> {
        let start = self.start.filter(|_| self.any_prefill && self.any_decode)?;
        let span_s = ((self.last - self.first) / 1_000_000).max(1);
        let fewest_secs = |buckets: i64| ((span_s + buckets - 1) / buckets).max(1);
        let bucket_s = match width {
            BucketWidth::Auto => fewest_secs(MAX_AUTO_BUCKETS),
            BucketWidth::Secs(s) => i64::from(s.max(1)).max(fewest_secs(MAX_BUCKETS)),
        };
        Some(Grid { first: self.first, start, bucket_s, n: (span_s / bucket_s + 1) as usize })
    }
}

/// The rate-match time grid: buckets of whole seconds.
struct Grid {
    first: i64,
    start: Timestamp,
    bucket_s: i64,
    n: usize,
}

impl Grid {
    fn index(&self, t: i64) -> usize {
        ((((t - self.first) / 1_000_000) / self.bucket_s) as usize).min(self.n - 1)
    }
}

/// The bucket of the last batch and the times it covers: batches come in time order, so most
/// fall in the bucket of the one before, found without the grid's two divisions.
#[derive(Default)]
struct Bucket {
    /// `[from, to)` in the grid's microseconds, and the bucket's index; empty at first.
    from: i64,
    to: i64,
    index: usize,
}

impl Bucket {
    #[inline(always)]
    fn index(&mut self, grid: &Grid, t: i64) -> usize {
        if !(self.from <= t && t < self.to) {
            let i = grid.index(t);
            let width = grid.bucket_s.saturating_mul(1_000_000);
            // Only a time at or after the grid's first is a bucket's: others keep the grid's rule.
            if t >= grid.first {
                self.index = i;
                self.from = grid.first.saturating_add(width.saturating_mul(i as i64));
                self.to = if i + 1 == grid.n { i64::MAX } else { self.from.saturating_add(width) };
            }
            return i;
        }
        self.index
    }
}

/// The rate match of a run's workers with buckets of `width`; `None` unless the run is
/// disaggregated and both prefill and decode workers logged a timestamped batch that counts.
/// `rate_match(mode, nodes, BucketWidth::Auto)` is what [`derive()`](super::derive()) puts into
/// the JSON document.
///
/// | value | formula, per bucket of width `w` (whole seconds) |
/// |---|---|
/// | `prefill_input_tps` | `Σ new_token` of the kept prefill batches of prefill workers / `w`; `None` in a bucket without such batches |
/// | `decode_gen_tps` | Σ over decode streams (decode worker × DP rank) of the stream's mean logged `gen_throughput` in the bucket; `None` in a bucket without decode batches |
/// | `ratio` | `Σ prefill_input_tps / Σ decode_gen_tps` over the buckets where both are known |
///
/// Buckets start at the first counted batch (`start`) and cover the span to the last one;
/// bucket `i` starts `i × w` seconds after `start` (`offsets_s`). Kept batches are those of
/// [`WorkerStreams`](super::WorkerStreams). Only prefill batches of prefill workers and decode
/// batches (with a logged throughput) of decode workers count: aggregated workers are left out
/// on both sides ([why](super#aggregated-workers-and-the-rate-match)).
pub fn rate_match(mode: Mode, nodes: &[NodeInfo], width: BucketWidth) -> Option<RateMatch> {
    if mode != Mode::Disaggregated {
        return None;
    }
    let mut range = TimeRange::default();
    let kept: Vec<KeptRanks> = nodes
        .iter()
        .map(|node| {
            let Some(side) = rate_side(node.metrics.metadata.worker_type) else {
                return KeptRanks::default();
            };
            let mut kept = KeptRanks::default();
            for b in node.metrics.batches.rows() {
                kept.see(b.dp(), b.tp());
                range.see(Scanned::of(b), side);
            }
            kept
        })
        .collect();
    let metrics: Vec<&NodeMetrics> = nodes.iter().map(|n| &n.metrics).collect();
    rate_match_in(&metrics, &kept, &range, width)
}

/// The rate match from the kept ranks and time range of the workers (gathered in
/// [`derive()`](super::derive())'s one pass per worker): a second pass over the prefill and decode
/// workers only.
pub(super) fn rate_match_in(
    workers: &[&NodeMetrics],
    kept: &[KeptRanks],
    range: &TimeRange,
    width: BucketWidth,
) -> Option<RateMatch> {
    let grid = range.grid(width)?;
    let n = grid.n;
    let mut prefill_tokens = vec![None::<u64>; n];
    let mut decode = vec![None::<f64>; n];
    for (worker, keep) in workers.iter().zip(kept) {
        let Some(side) = rate_side(worker.metadata.worker_type) else { continue };
        // Decode streams (DP ranks) of this worker, as first seen: sum and count of gen
        // throughput per bucket. A DP-attention worker interleaves a handful of DP ranks, so a
        // short list (with the last batch's stream tried first) finds a stream quickest.
        let mut streams: Vec<(u32, Vec<(f64, u32)>)> = Vec::new();
        let mut last = 0;
        let mut bucket = Bucket::default();
        for b in worker.batches.rows() {
            let s = Scanned::of(b);
            let Some(ts) = s.at else { continue };
            if !keep.keeps(b.dp(), b.tp()) || !counts_for_rate(&s, side) {
                continue;
            }
            let i = bucket.index(&grid, ts.epoch_micros_or_wall());
            match (side, s.gen) {
                (BatchType::Prefill, _) => {
                    prefill_tokens[i] = Some(
                        prefill_tokens[i].unwrap_or(0).saturating_add(u64::from(b.new_token().unwrap_or(0))),
                    );
                }
                (BatchType::Decode, Some(g)) => {
                    let dp = b.dp();
                    if streams.get(last).is_none_or(|(d, _)| *d != dp) {
                        last = match streams.iter().position(|(d, _)| *d == dp) {
                            Some(at) => at,
                            None => {
                                streams.push((dp, vec![(0.0, 0); n]));
                                streams.len() - 1
                            }
                        };
                    }
                    let sums = &mut streams[last].1;
                    sums[i].0 += g;
                    sums[i].1 += 1;
                }
                (BatchType::Decode, None) => {}
            }
        }
        // Streams are summed by DP rank ascending, so that the sums do not depend on the order
        // the ranks first logged in.
        streams.sort_unstable_by_key(|(dp, _)| *dp);
        for (_, sums) in streams {
            for (slot, (sum, count)) in decode.iter_mut().zip(sums) {
                if count > 0 {
                    *slot = Some(slot.unwrap_or(0.0) + sum / f64::from(count));
                }
            }
        }
    }
    let width = grid.bucket_s as f64;
    let prefill_input_tps: Vec<Option<f64>> =
        prefill_tokens.iter().map(|t| t.map(|t| t as f64 / width)).collect();
    let (p_sum, d_sum) = prefill_input_tps
        .iter()
        .zip(&decode)
        .filter_map(|(p, d)| Some((p.as_ref()?, d.as_ref()?)))
        .fold((0.0, 0.0), |(ps, ds), (p, d)| (ps + p, ds + d));
    Some(RateMatch {
        bucket_secs: width,
        start: grid.start,
        offsets_s: (0..grid.n).map(|i| i as f64 * width).collect(),
        prefill_input_tps,
        decode_gen_tps: decode,
        ratio: (d_sum > 0.0).then(|| p_sum / d_sum),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The last batch's bucket gives the grid's own index for any time, in any order.
    #[test]
    fn bucket_cursor_agrees_with_the_grid() {
        let start = Timestamp { wall_micros: 1_000_000_000_000, utc_offset_secs: None };
        for (bucket_s, n) in [(1, 1), (1, 5), (7, 30), (60, 200)] {
            let grid = Grid { first: start.wall_micros, start, bucket_s, n };
            let width = bucket_s * 1_000_000;
            let mut times: Vec<i64> = (-3..(n as i64 + 3) * 4)
                .flat_map(|k| {
                    let t = start.wall_micros + k * width / 4;
                    [t - 1, t, t + 1]
                })
                .collect();
            let mut bucket = Bucket::default();
            for &t in &times {
                assert_eq!(bucket.index(&grid, t), grid.index(t), "t {t}, bucket {bucket_s} s");
            }
            // Out of order: every time once more, last first, then interleaved.
            times.reverse();
            let shuffled: Vec<i64> =
                times.iter().step_by(2).chain(times.iter().skip(1).step_by(2)).copied().collect();
            for t in times.into_iter().chain(shuffled) {
                assert_eq!(bucket.index(&grid, t), grid.index(t), "t {t}, bucket {bucket_s} s");
            }
        }
    }
}
