//! Metrics derived from a run's results and workers, with their formulas. Computed on every
//! load from the parsed data (never cached), so a warm load derives exactly what a cold one does.
//!
//! | field | formula |
//! |---|---|
//! | `gpus_used` | `workers × gpus_per_{role}` when the metadata gives GPUs per worker, else nodes × `gpus_per_node` ([`RunMetadata::gpus_used`]); `gpu_count_basis` says which |
//! | `output_tps_per_gpu` | `output_tps / gpus_used` |
//! | `total_tps_per_gpu` | `total_tps / gpus_used` |
//! | `input_tps_per_gpu` | `(total_tps − output_tps) / gpus_used`, else `total_input_tokens / duration / gpus_used` |
//! | `output_tps_per_user` | `1000 / mean_tpot_ms` (tokens/s one user sees) |
//! | worker `peak_gen_throughput`, `median_gen_throughput` | max and median of the worker's logged `gen_throughput` |
//! | worker `cache_hit_rate` | `Σ cached_token / Σ (new_token + cached_token)` over its prefill batches |
//! | `rate_match` | per time bucket: prefill input tokens/s = `Σ new_token` of prefill batches / bucket width; decode generated tokens/s = Σ over decode streams of the stream's mean `gen_throughput` in the bucket; `ratio` = `Σ prefill tokens/s / Σ decode tokens/s` over buckets where both are known |
//!
//! A *stream* is one worker's batches of one DP rank; only the lowest TP rank logged for that
//! DP rank is kept, so that no batch counts twice when several ranks log the same step.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::batch::BatchMetrics;
use crate::node::{BatchType, NodeInfo, WorkerType};
use crate::results::BenchmarkPoint;
use crate::run::{Mode, RunMetadata};

/// How `gpus_used` was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GpuCountBasis {
    /// `workers × gpus_per_{role}` from the metadata.
    GpusPerWorker,
    /// Nodes × `gpus_per_node`.
    NodesTimesGpusPerNode,
}

/// Derived values of one worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerDerived {
    /// Host name of the worker's node.
    pub node_name: String,
    /// Role.
    pub worker_type: WorkerType,
    /// Worker id (`w0`).
    pub worker_id: String,
    /// Highest logged generation throughput (tokens/s).
    pub peak_gen_throughput: Option<f64>,
    /// Median logged generation throughput (tokens/s).
    pub median_gen_throughput: Option<f64>,
    /// Share of prompt tokens served from the prefix cache, 0..1.
    pub cache_hit_rate: Option<f64>,
}

/// Prefill input rate against decode generation rate over time (disaggregated runs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateMatch {
    /// Width of a time bucket (s).
    pub bucket_secs: f64,
    /// Start of the first bucket, as the logs print time.
    pub start: crate::Timestamp,
    /// Start of each bucket, seconds after `start`.
    pub offsets_s: Vec<f64>,
    /// Prefill input tokens/s per bucket.
    pub prefill_input_tps: Vec<Option<f64>>,
    /// Decode generated tokens/s per bucket.
    pub decode_gen_tps: Vec<Option<f64>>,
    /// Prefill input tokens/s over decode generated tokens/s, over the buckets where both are known.
    pub ratio: Option<f64>,
}

/// Everything derived for one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunDerived {
    /// GPUs the workers use.
    pub gpus_used: Option<u32>,
    /// How `gpus_used` was counted.
    pub gpu_count_basis: Option<GpuCountBasis>,
    /// Output tokens/s per GPU, one entry per concurrency (as `profiler.concurrency_values`).
    pub output_tps_per_gpu: Vec<Option<f64>>,
    /// Input plus output tokens/s per GPU, per concurrency.
    pub total_tps_per_gpu: Vec<Option<f64>>,
    /// Input tokens/s per GPU, per concurrency.
    pub input_tps_per_gpu: Vec<Option<f64>>,
    /// Output tokens/s per user (`1000 / mean_tpot_ms`), per concurrency.
    pub output_tps_per_user: Vec<Option<f64>>,
    /// One entry per worker, in the order of `nodes`.
    pub workers: Vec<WorkerDerived>,
    /// Prefill/decode rate match; `None` for aggregated runs or without timestamps.
    pub rate_match: Option<RateMatch>,
}

impl BenchmarkPoint {
    /// Input (prompt) tokens per second: `total_tps − output_tps` when both are known and the
    /// difference is finite and not negative; otherwise `total_input_tokens / duration` when both
    /// are known and `duration > 0`; otherwise `None`.
    pub fn input_tps(&self) -> Option<f64> {
        let from_rates =
            self.total_tps.zip(self.output_tps).map(|(t, o)| t - o).filter(|v| v.is_finite() && *v >= 0.0);
        from_rates.or_else(|| {
            let tokens = self.total_input_tokens? as f64;
            let secs = self.duration.filter(|d| *d > 0.0)?;
            Some(tokens / secs).filter(|v| v.is_finite())
        })
    }

    /// Input tokens per second per GPU: [`BenchmarkPoint::input_tps`]` / gpus` (`None` when
    /// `gpus` is 0 or unknown).
    pub fn input_tps_per_gpu(&self, gpus: Option<u32>) -> Option<f64> {
        Some(self.input_tps()? / f64::from(gpus.filter(|g| *g > 0)?))
    }
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
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

/// Computes the derived values of a run.
pub fn derive(metadata: &RunMetadata, points: &[BenchmarkPoint], nodes: &[NodeInfo]) -> RunDerived {
    let gpus = metadata.gpus_used();
    let per_worker = match metadata.mode {
        Mode::Disaggregated => metadata.gpus_per_prefill.is_some() && metadata.gpus_per_decode.is_some(),
        Mode::Aggregated => metadata.gpus_per_agg.is_some(),
    };
    let basis = gpus.map(|_| {
        if per_worker {
            GpuCountBasis::GpusPerWorker
        } else {
            GpuCountBasis::NodesTimesGpusPerNode
        }
    });
    let per_gpu = |v: Option<f64>| Some(finite(v)? / f64::from(gpus.filter(|g| *g > 0)?));
    RunDerived {
        gpus_used: gpus,
        gpu_count_basis: basis,
        output_tps_per_gpu: points.iter().map(|p| per_gpu(p.output_tps)).collect(),
        total_tps_per_gpu: points.iter().map(|p| per_gpu(p.total_tps)).collect(),
        input_tps_per_gpu: points.iter().map(|p| finite(p.input_tps_per_gpu(gpus))).collect(),
        output_tps_per_user: points.iter().map(|p| finite(p.output_tps_per_user())).collect(),
        ..derive_workers(nodes, metadata.mode == Mode::Disaggregated)
    }
}

/// For each DP rank of a worker, the lowest TP rank that logged for it: only that rank's lines
/// are kept, so that no batch counts twice when several ranks log the same step. DP ranks are
/// small numbers, so a vector indexed by rank serves the common case; anything else falls back
/// to a map.
struct KeptRanks {
    dense: Vec<u32>,
    sparse: BTreeMap<u32, u32>,
}

/// What [`KeptRanks::see`] says of a batch.
enum Seen {
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

    fn new() -> Self {
        KeptRanks { dense: Vec::new(), sparse: BTreeMap::new() }
    }

    fn see(&mut self, b: &BatchMetrics) -> Seen {
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

    fn keeps(&self, b: &BatchMetrics) -> bool {
        match self.dense.get(b.dp as usize) {
            Some(&tp) if b.dp < Self::DENSE_RANKS => tp == b.tp,
            _ => self.sparse.get(&b.dp) == Some(&b.tp),
        }
    }
}

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

/// Most buckets in a rate-match series.
const MAX_BUCKETS: i64 = 200;

/// The batch type a worker contributes to the rate match: prefill batches of prefill workers,
/// decode batches (with a throughput) of decode workers.
fn rate_side(worker_type: WorkerType) -> Option<BatchType> {
    match worker_type {
        WorkerType::Prefill => Some(BatchType::Prefill),
        WorkerType::Decode => Some(BatchType::Decode),
        WorkerType::Agg => None,
    }
}

fn counts_for_rate(b: &BatchMetrics, side: BatchType) -> bool {
    b.batch_type == side && (side == BatchType::Prefill || finite(b.gen_throughput()).is_some())
}

/// The rate-match time grid: buckets of whole seconds, at most [`MAX_BUCKETS`].
struct Grid {
    first: i64,
    start: crate::Timestamp,
    bucket_s: i64,
    n: usize,
}

impl Grid {
    fn index(&self, t: i64) -> usize {
        ((((t - self.first) / 1_000_000) / self.bucket_s) as usize).min(self.n - 1)
    }
}

/// Per-worker values and the rate match. A busy worker has millions of batches and every pass
/// over them costs, so one pass per worker finds its kept ranks, its sums and the time range,
/// on the assumption that the first TP rank a DP rank logs is its lowest (true of real logs,
/// where TP0 logs and the others repeat it). A worker that breaks it is summed again from its
/// final kept ranks. The rate match needs the time range of all workers first, so it takes a
/// second pass over the prefill and decode workers only.
fn derive_workers(nodes: &[NodeInfo], with_rate_match: bool) -> RunDerived {
    let (mut first, mut last, mut start) = (i64::MAX, i64::MIN, None::<crate::Timestamp>);
    let (mut any_prefill, mut any_decode) = (false, false);
    let mut kept: Vec<KeptRanks> = Vec::with_capacity(nodes.len());
    let mut workers = Vec::with_capacity(nodes.len());
    for node in nodes {
        let m = &node.metrics;
        let side = rate_side(m.metadata.worker_type).filter(|_| with_rate_match);
        let mut k = KeptRanks::new();
        let mut sums = WorkerSums::default();
        let mut lowered = false;
        for b in &m.batches {
            match k.see(b) {
                Seen::Kept if !lowered => sums.add(b),
                Seen::Lowered => lowered = true,
                _ => {}
            }
            // Lines repeated by higher TP ranks carry the same timestamps, so the range needs
            // no rank filter.
            if let (Some(side), Some(ts)) = (side, b.timestamp) {
                if counts_for_rate(b, side) {
                    let t = ts.epoch_micros_or_wall();
                    if t < first {
                        (first, start) = (t, Some(ts));
                    }
                    last = last.max(t);
                    any_prefill |= side == BatchType::Prefill;
                    any_decode |= side == BatchType::Decode;
                }
            }
        }
        if lowered {
            sums = WorkerSums::default();
            m.batches.iter().filter(|b| k.keeps(b)).for_each(|b| sums.add(b));
        }
        let WorkerSums { mut gen, cached, new, has_prefill_counts } = sums;
        workers.push(WorkerDerived {
            node_name: m.metadata.node_name.clone(),
            worker_type: m.metadata.worker_type,
            worker_id: m.metadata.worker_id.clone(),
            peak_gen_throughput: gen.iter().copied().reduce(f64::max),
            median_gen_throughput: median(&mut gen),
            cache_hit_rate: (has_prefill_counts && cached + new > 0)
                .then(|| cached as f64 / (cached + new) as f64),
        });
        kept.push(k);
    }
    let grid = match start {
        Some(start) if any_prefill && any_decode => {
            let span_s = ((last - first) / 1_000_000).max(1);
            let bucket_s = ((span_s + MAX_BUCKETS - 1) / MAX_BUCKETS).max(1);
            Some(Grid { first, start, bucket_s, n: (span_s / bucket_s + 1) as usize })
        }
        _ => None,
    };
    let rate_match = grid.map(|grid| rate_match(nodes, &kept, grid));
    RunDerived { workers, rate_match, ..RunDerived::default() }
}

/// The rate match on `grid`, from the kept batches of the prefill and decode workers.
fn rate_match(nodes: &[NodeInfo], kept: &[KeptRanks], grid: Grid) -> RateMatch {
    let n = grid.n;
    let mut prefill_tokens = vec![None::<u64>; n];
    let mut decode = vec![None::<f64>; n];
    for (node, keep) in nodes.iter().zip(kept) {
        let Some(side) = rate_side(node.metrics.metadata.worker_type) else { continue };
        // Decode streams (DP ranks) of this worker: sum and count of gen throughput per bucket.
        let mut streams: BTreeMap<u32, Vec<(f64, u32)>> = BTreeMap::new();
        for b in node.metrics.batches.iter().filter(|b| keep.keeps(b)) {
            let Some(ts) = b.timestamp else { continue };
            if !counts_for_rate(b, side) {
                continue;
            }
            let i = grid.index(ts.epoch_micros_or_wall());
            match (side, finite(b.gen_throughput())) {
                (BatchType::Prefill, _) => {
                    prefill_tokens[i] = Some(
                        prefill_tokens[i].unwrap_or(0).saturating_add(u64::from(b.new_token().unwrap_or(0))),
                    );
                }
                (BatchType::Decode, Some(g)) => {
                    let sums = streams.entry(b.dp).or_insert_with(|| vec![(0.0, 0); n]);
                    sums[i].0 += g;
                    sums[i].1 += 1;
                }
                (BatchType::Decode, None) => {}
            }
        }
        for sums in streams.into_values() {
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
    RateMatch {
        bucket_secs: width,
        start: grid.start,
        offsets_s: (0..grid.n).map(|i| i as f64 * width).collect(),
        prefill_input_tps,
        decode_gen_tps: decode,
        ratio: (d_sum > 0.0).then(|| p_sum / d_sum),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::{NodeConfig, NodeMetadata, NodeMetrics, ParallelConfig, ParseStats};
    use crate::{CountField, RealField, Timestamp};

    fn batch(kind: BatchType, secs: u32, dp: u32, tp: u32) -> BatchMetrics {
        let mut b = BatchMetrics::new(kind);
        b.timestamp = Timestamp::from_parts(2026, 1, 16, 6, 20 + secs / 60, secs % 60, 0);
        b.dp = dp;
        b.tp = tp;
        b
    }

    fn node(worker_type: WorkerType, batches: Vec<BatchMetrics>) -> NodeInfo {
        NodeInfo {
            metrics: NodeMetrics {
                metadata: NodeMetadata { node_name: "n".into(), worker_type, worker_id: "w0".into() },
                batches,
                memory_snapshots: vec![],
                config: ParallelConfig::default(),
                stats: ParseStats::default(),
            },
            node_config: NodeConfig::default(),
        }
    }

    #[test]
    fn worker_values_and_rate_match() {
        let mut p1 = batch(BatchType::Prefill, 0, 0, 0);
        p1.set_count(CountField::NewToken, 3000);
        p1.set_count(CountField::CachedToken, 1000);
        let mut p2 = batch(BatchType::Prefill, 1, 0, 0);
        p2.set_count(CountField::NewToken, 1000);
        p2.set_count(CountField::CachedToken, 0);
        // TP1 repeats the TP0 line of the same DP rank: not counted twice.
        let mut p_dup = p2.clone();
        p_dup.tp = 1;
        let prefill = node(WorkerType::Prefill, vec![p1, p2, p_dup]);
        let mut d = Vec::new();
        for (s, dp, g) in [(0, 0, 100.0), (1, 0, 300.0), (0, 1, 50.0), (1, 1, 50.0)] {
            let mut b = batch(BatchType::Decode, s, dp, dp);
            b.set_real(RealField::GenThroughput, g);
            d.push(b);
        }
        let decode = node(WorkerType::Decode, d);
        let derived = derive_workers(&[prefill, decode], true);
        let w = &derived.workers[0];
        assert_eq!(w.cache_hit_rate, Some(1000.0 / 5000.0), "the TP1 repeat is not counted");
        let w = &derived.workers[1];
        assert_eq!((w.peak_gen_throughput, w.median_gen_throughput), (Some(300.0), Some(75.0)));
        let rm = derived.rate_match.unwrap();
        assert_eq!(rm.bucket_secs, 1.0);
        assert_eq!(rm.prefill_input_tps, [Some(3000.0), Some(1000.0)]);
        // Two decode streams (DP0, DP1), each its bucket mean, summed.
        assert_eq!(rm.decode_gen_tps, [Some(150.0), Some(350.0)]);
        assert_eq!(rm.ratio, Some(4000.0 / 500.0));
        assert_eq!(rm.start.to_string(), "2026-01-16T06:20:00");
    }

    #[test]
    fn a_lower_tp_rank_seen_later_replaces_what_a_higher_one_gave() {
        // DP0 is first logged by TP2, then by TP1, then TP0: only TP0's batches count, though
        // the others came first; DP1 has only TP3, which is therefore kept.
        let mut d = Vec::new();
        for (s, dp, tp, g) in [
            (0, 0, 2, 900.0),
            (0, 0, 1, 800.0),
            (1, 0, 2, 700.0),
            (1, 0, 0, 10.0),
            (2, 0, 0, 30.0),
            (2, 1, 3, 5.0),
        ] {
            let mut b = batch(BatchType::Decode, s, dp, tp);
            b.set_real(RealField::GenThroughput, g);
            d.push(b);
        }
        let mut p = batch(BatchType::Prefill, 0, 0, 1);
        p.set_count(CountField::NewToken, 50);
        let mut p0 = batch(BatchType::Prefill, 2, 0, 0);
        p0.set_count(CountField::NewToken, 70);
        let derived =
            derive_workers(&[node(WorkerType::Prefill, vec![p, p0]), node(WorkerType::Decode, d)], true);
        let w = &derived.workers[1];
        assert_eq!((w.peak_gen_throughput, w.median_gen_throughput), (Some(30.0), Some(10.0)));
        let rm = derived.rate_match.unwrap();
        assert_eq!(rm.prefill_input_tps, [None, None, Some(70.0)], "the TP1 prefill batch is dropped");
        assert_eq!(rm.decode_gen_tps, [None, Some(10.0), Some(35.0)]);
    }

    #[test]
    fn median_by_selection() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0]), Some(3.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut [5.0, 1.0, 4.0, 2.0, 3.0]), Some(3.0));
    }

    #[test]
    fn input_tps_prefers_rates_and_falls_back_to_tokens_over_duration() {
        let mut pt =
            BenchmarkPoint { total_tps: Some(1500.0), output_tps: Some(500.0), ..Default::default() };
        assert_eq!(pt.input_tps(), Some(1000.0));
        assert_eq!(pt.input_tps_per_gpu(Some(4)), Some(250.0));
        assert_eq!(pt.input_tps_per_gpu(Some(0)), None);
        assert_eq!(pt.input_tps_per_gpu(None), None);
        // A negative difference is not a rate: fall back to tokens over duration.
        pt.output_tps = Some(2000.0);
        pt.total_input_tokens = Some(6000);
        pt.duration = Some(3.0);
        assert_eq!(pt.input_tps(), Some(2000.0));
        pt.total_tps = None;
        assert_eq!(pt.input_tps(), Some(2000.0));
        pt.duration = Some(0.0);
        assert_eq!(pt.input_tps(), None);
    }

    #[test]
    fn input_tps_falls_back_to_tokens_over_duration() {
        let p = BenchmarkPoint { total_tps: Some(1100.0), output_tps: Some(100.0), ..Default::default() };
        assert_eq!(p.input_tps(), Some(1000.0));
        let p = BenchmarkPoint { total_input_tokens: Some(5000), duration: Some(10.0), ..Default::default() };
        assert_eq!(p.input_tps(), Some(500.0));
        assert_eq!(BenchmarkPoint::default().input_tps(), None);
    }
}
