//! Per-worker summaries: peak and median logged generation throughput, prefix-cache hit rate
//! (formulas on [`worker_summary`]).

use crate::batch::BatchType;
use crate::batches::BatchRef;
use crate::derived_values::WorkerDerived;
use crate::node::{NodeInfo, NodeMetrics};
use crate::timestamp::Timestamp;

use super::finite;
use super::streams::{KeptRanks, Seen};

/// A worker's generation throughputs and prefill token counts, over its kept batches.
#[derive(Default)]
struct WorkerSums {
    gen: Vec<f64>,
    cached: u64,
    new: u64,
    has_prefill_counts: bool,
}

/// Counts, time range and peak KV use over every batch a worker logged (all ranks: what the
/// log shows, not what the throughput figures keep).
#[derive(Default)]
struct WorkerTotals {
    prefill: u64,
    decode: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    peak_token_usage: Option<f64>,
}

/// A batch with the values every pass of the scan reads, each read from its row once.
#[derive(Clone, Copy)]
pub(super) struct Scanned<'a> {
    pub(super) b: BatchRef<'a>,
    pub(super) batch_type: BatchType,
    pub(super) at: Option<Timestamp>,
    /// The logged generation throughput, when finite.
    pub(super) gen: Option<f64>,
}

impl<'a> Scanned<'a> {
    #[inline(always)]
    pub(super) fn of(b: BatchRef<'a>) -> Self {
        Scanned { b, batch_type: b.batch_type(), at: b.timestamp(), gen: finite(b.gen_throughput()) }
    }
}

impl WorkerTotals {
    #[inline(always)]
    fn add(&mut self, s: Scanned<'_>) {
        let b = s.b;
        match s.batch_type {
            BatchType::Prefill => self.prefill += 1,
            BatchType::Decode => self.decode += 1,
        }
        if let Some(t) = s.at {
            if self.first.is_none_or(|f| t < f) {
                self.first = Some(t);
            }
            if self.last.is_none_or(|l| t > l) {
                self.last = Some(t);
            }
        }
        if let Some(u) = finite(b.token_usage()) {
            self.peak_token_usage = Some(self.peak_token_usage.map_or(u, |p| p.max(u)));
        }
    }
}

impl WorkerSums {
    #[inline(always)]
    fn add(&mut self, s: Scanned<'_>) {
        let b = s.b;
        if let Some(g) = s.gen {
            self.gen.push(g);
        }
        if s.batch_type == BatchType::Prefill {
            self.cached = self.cached.saturating_add(u64::from(b.cached_token().unwrap_or(0)));
            self.new = self.new.saturating_add(u64::from(b.new_token().unwrap_or(0)));
            self.has_prefill_counts |= b.cached_token().is_some();
        }
    }
}

/// The median, by selection (linear time: a busy worker has millions of values); the mean of
/// the two middle values for an even count. Reorders `values`.
pub fn median(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (below, &mut upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = below.iter().copied().max_by(f64::total_cmp)?;
    Some((lower + upper) / 2.0)
}

/// The summary of one worker, over its kept batches ([`WorkerStreams`](super::WorkerStreams)).
///
/// | field | formula |
/// |---|---|
/// | `peak_gen_throughput` | max of the logged `gen_throughput` |
/// | `median_gen_throughput` | median of the logged `gen_throughput` (mean of the two middle values for an even count) |
/// | `cache_hit_rate` | `Σ cached_token / Σ (new_token + cached_token)` over its prefill batches; `None` when no prefill batch logs `cached_token` or both sums are 0 |
/// | `prefill_batches`, `decode_batches` | batches of each type, over every batch logged (all ranks) |
/// | `first_batch_at`, `last_batch_at` | earliest and latest batch timestamp, over every batch |
/// | `peak_token_usage` | max of the logged `token_usage`, over every batch |
pub fn worker_summary(worker: &NodeInfo) -> WorkerDerived {
    scan_worker(&worker.metrics, |_| {}).0
}

/// One pass over a worker's batches: its summary and its kept ranks, calling `each` with every
/// batch on the way (the rate match takes its time range in the same pass).
///
/// A busy worker has millions of batches and every pass over them costs, so the sums are taken
/// on the assumption that the first TP rank a DP rank logs is its lowest (true of real logs,
/// where TP0 logs and the others repeat it). A worker that breaks it is summed again from its
/// final kept ranks.
pub(super) fn scan_worker(m: &NodeMetrics, mut each: impl FnMut(Scanned<'_>)) -> (WorkerDerived, KeptRanks) {
    let mut kept = KeptRanks::default();
    let mut sums = WorkerSums::default();
    let mut lowered = false;
    let mut totals = WorkerTotals::default();
    for b in m.batches.rows() {
        let s = Scanned::of(b);
        totals.add(s);
        match kept.see(b.dp(), b.tp()) {
            Seen::Kept if !lowered => sums.add(s),
            Seen::Lowered => lowered = true,
            _ => {}
        }
        each(s);
    }
    if lowered {
        sums = WorkerSums::default();
        m.batches.rows().filter(|b| kept.keeps(b.dp(), b.tp())).for_each(|b| sums.add(Scanned::of(b)));
    }
    let WorkerSums { mut gen, cached, new, has_prefill_counts } = sums;
    let summary = WorkerDerived {
        node_name: m.metadata.node_name.clone(),
        worker_type: m.metadata.worker_type,
        worker_id: m.metadata.worker_id.clone(),
        peak_gen_throughput: gen.iter().copied().reduce(f64::max),
        median_gen_throughput: median(&mut gen),
        cache_hit_rate: (has_prefill_counts && cached + new > 0)
            .then(|| cached as f64 / (cached + new) as f64),
        prefill_batches: totals.prefill,
        decode_batches: totals.decode,
        first_batch_at: totals.first,
        last_batch_at: totals.last,
        peak_token_usage: totals.peak_token_usage,
    };
    (summary, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_by_selection() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0]), Some(3.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut [5.0, 1.0, 4.0, 2.0, 3.0]), Some(3.0));
    }
}
