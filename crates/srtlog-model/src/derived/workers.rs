//! Per-worker summaries: peak and median logged generation throughput, prefix-cache hit rate
//! (formulas on [`worker_summary`]).

use crate::batch::{BatchMetrics, BatchType};
use crate::derived_values::WorkerDerived;
use crate::node::NodeInfo;

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

impl WorkerSums {
    fn add(&mut self, b: &BatchMetrics) {
        if let Some(g) = finite(b.gen_throughput()) {
            self.gen.push(g);
        }
        if b.batch_type == BatchType::Prefill {
            self.cached = self.cached.saturating_add(u64::from(b.cached_token().unwrap_or(0)));
            self.new = self.new.saturating_add(u64::from(b.new_token().unwrap_or(0)));
            self.has_prefill_counts |= b.cached_token().is_some();
        }
    }
}

/// The median, by selection (linear time: a busy worker has millions of values).
fn median(values: &mut [f64]) -> Option<f64> {
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
pub fn worker_summary(worker: &NodeInfo) -> WorkerDerived {
    scan_worker(worker, |_| {}).0
}

/// One pass over a worker's batches: its summary and its kept ranks, calling `each` with every
/// batch on the way (the rate match takes its time range in the same pass).
///
/// A busy worker has millions of batches and every pass over them costs, so the sums are taken
/// on the assumption that the first TP rank a DP rank logs is its lowest (true of real logs,
/// where TP0 logs and the others repeat it). A worker that breaks it is summed again from its
/// final kept ranks.
pub(super) fn scan_worker(
    worker: &NodeInfo,
    mut each: impl FnMut(&BatchMetrics),
) -> (WorkerDerived, KeptRanks) {
    let m = &worker.metrics;
    let mut kept = KeptRanks::default();
    let mut sums = WorkerSums::default();
    let mut lowered = false;
    for b in &m.batches {
        match kept.see(b) {
            Seen::Kept if !lowered => sums.add(b),
            Seen::Lowered => lowered = true,
            _ => {}
        }
        each(b);
    }
    if lowered {
        sums = WorkerSums::default();
        m.batches.iter().filter(|b| kept.keeps(b)).for_each(|b| sums.add(b));
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
