//! The derived-metrics engine: the one place that computes what a run's parsed data implies,
//! with the formulas. Computed on every load from the parsed data, so a warm load derives exactly
//! what a cold one does — with one exception that computes the same thing at another time: the
//! per-worker part ([`derive_workers`], a function of the batches alone) is also computed when
//! the node cache is written and kept beside the batches, so that a load that prints only
//! summaries ([`BenchmarkRun::worker_summaries`]) never decodes a batch. The JSON document, the
//! report and the command line all read its results ([`BenchmarkRun::derived`]) or call its
//! functions, and define no rule of their own.
//!
//! | field | formula |
//! |---|---|
//! | `gpus_used` | `workers × gpus_per_{role}` when the metadata gives GPUs per worker, else nodes × `gpus_per_node` ([`RunMetadata::gpus_used`]); `gpu_count_basis` says which |
//! | `output_tps_per_gpu` | `output_tps / gpus_used` ([`BenchmarkPoint::output_tps_per_gpu`]) |
//! | `total_tps_per_gpu` | `total_tps / gpus_used` ([`BenchmarkPoint::total_tps_per_gpu`]) |
//! | `input_tps_per_gpu` | `(total_tps − output_tps) / gpus_used`, else `total_input_tokens / duration / gpus_used` ([`BenchmarkPoint::input_tps_per_gpu`]) |
//! | `output_tps_per_user` | `1000 / mean_tpot_ms`, tokens/s one user sees ([`BenchmarkPoint::output_tps_per_user`]) |
//! | worker `peak_gen_throughput`, `median_gen_throughput`, `cache_hit_rate` | [`workers`](worker_summary): max and median of the worker's logged `gen_throughput`; `Σ cached_token / Σ (new_token + cached_token)` over its prefill batches |
//! | `rate_match` | [`rate_match`]: per time bucket, prefill input tokens/s = `Σ new_token` of prefill workers' prefill batches / bucket width; decode generated tokens/s = Σ over decode streams of the stream's mean `gen_throughput` in the bucket; `ratio` = `Σ prefill / Σ decode` over buckets where both are known. Aggregated workers are left out (see below) |
//! | `energy[]` (per point: window, `gpus_counted`, `gpu_energy_j`, `gpu_avg_power_w`, `avg_power_per_gpu_w`, `j_per_output_token`, `j_per_total_token`, `output_tps_per_w`, per GPU and per role, the CPU leg and the combined figures) | [`energy`]: the measurement window, snapped to the nearest sample (≤ 3 s), trapezoid rule per node over the sum of its GPUs, no idle subtraction; `j_per_output_token = gpu_energy_j / total_output_tokens`, `output_tps_per_w = (total_output_tokens / duration) / (gpu_energy_j / duration)` — the full table is in [`energy`] |
//! | `power_source` | which of the run's power sources the energy comes from ([`crate::choose_power`]) |
//!
//! Non-finite values are `None`. Per-worker values and the rate match read only a worker's kept
//! batches: a *stream* is one worker's batches of one DP rank, and only the lowest TP rank
//! logged for that DP rank is kept, so that no batch counts twice when several ranks log the
//! same step ([`WorkerStreams`]).
//!
//! # Aggregated workers and the rate match
//!
//! Aggregated workers are left out of the rate match, on both sides, also when a disaggregated
//! run has some, and an aggregated run has no rate match (`None`). A rate match measures
//! whether a separate prefill pool feeds a separate decode pool fast enough: the two pools are
//! sized apart (`xP/yD`), and a ratio far from what the workload needs says which one to grow.
//! An aggregated worker's prefill and decode are one process sharing one GPU budget, so its own
//! prefill always "matches" its own decode; adding its tokens to either side would only blur
//! the comparison of the two pools. The report follows this rule (it shows the JSON's
//! `derived.rate_match`); it used to put aggregated workers on both sides.
//!
//! # Layers
//!
//! The engine sits above the data types it reads: `batch`, `node`, `results`, `run` and the
//! plain result types ([`RunDerived`], in `derived_values`) import nothing from here, and
//! [`BenchmarkRun::update_derived`] is implemented in this module.
//!
//! # Cost
//!
//! [`derive()`] makes one pass over each worker's batches (kept ranks, per-worker sums and the
//! rate match's time range at once) and a second over the prefill and decode workers' batches
//! for the rate match's buckets; a busy worker has millions of batches, so no pass is added
//! lightly. The public [`worker_summary`] and [`rate_match`] make their own passes (for other
//! callers and bucket widths) and give exactly what [`derive()`] gives.

pub mod energy;
mod rate_match;
mod streams;
mod workers;

pub use energy::{derive_energy, MAX_SAMPLE_GAP_SECONDS};
pub use rate_match::{rate_match, BucketWidth, MAX_AUTO_BUCKETS, MAX_BUCKETS};
pub use streams::{Stream, WorkerStreams};
pub use workers::{median, worker_summary};

pub use crate::derived_values::{GpuCountBasis, RateMatch, RunDerived, WorkerDerived, WorkersDerived};

use crate::node::{NodeInfo, NodeMetrics};
use crate::results::BenchmarkPoint;
use crate::run::{BenchmarkRun, Mode, RunMetadata};

use rate_match::{rate_match_in, rate_side, TimeRange};

impl BenchmarkRun {
    /// Recomputes [`BenchmarkRun::derived`] from the metadata, results and workers ([`derive()`]);
    /// when the workers were loaded as summaries ([`BenchmarkRun::worker_summaries`]), their
    /// part comes from there instead ([`derive_with_workers`]).
    pub fn update_derived(&mut self) {
        self.derived = derive_run(self);
    }
}

/// Everything derived for `run`: [`derive()`] (or [`derive_with_workers`] over its
/// [`BenchmarkRun::worker_summaries`]) plus the energy of its points ([`derive_energy`] over
/// its power record).
pub fn derive_run(run: &BenchmarkRun) -> RunDerived {
    derive_run_with(run, run.worker_summaries.clone())
}

/// [`derive_run`] with the per-worker part given (`Some`: computed elsewhere, e.g. by the node
/// cache's store from the same batches; `None`: derived from `run.nodes`). Every caller that
/// sets [`BenchmarkRun::derived`] goes through here or [`derive_run`], so the energy is never
/// left out.
pub fn derive_run_with(run: &BenchmarkRun, workers: Option<WorkersDerived>) -> RunDerived {
    let mut derived = match workers {
        Some(workers) => derive_with_workers(&run.metadata, &run.profiler.points, workers),
        None => derive(&run.metadata, &run.profiler.points, &run.nodes),
    };
    derived.power_source = run.power.as_ref().map(|p| p.source);
    derived.energy = derive_energy(
        run.profiler_metadata.profiler_type.as_deref(),
        &run.profiler.points,
        run.power.as_ref(),
    );
    derived
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// How [`RunMetadata::gpus_used`] counts for this metadata, when it counts at all.
fn gpu_count_basis(metadata: &RunMetadata) -> Option<GpuCountBasis> {
    metadata.gpus_used()?;
    let per_worker = match metadata.mode {
        Mode::Disaggregated => metadata.gpus_per_prefill.is_some() && metadata.gpus_per_decode.is_some(),
        Mode::Aggregated => metadata.gpus_per_agg.is_some(),
    };
    Some(if per_worker { GpuCountBasis::GpusPerWorker } else { GpuCountBasis::NodesTimesGpusPerNode })
}

/// Computes the derived values of a run (see the module docs).
pub fn derive(metadata: &RunMetadata, points: &[BenchmarkPoint], nodes: &[NodeInfo]) -> RunDerived {
    let workers: Vec<&NodeMetrics> = nodes.iter().map(|n| &n.metrics).collect();
    derive_with_workers(metadata, points, derive_workers(&workers))
}

/// The derived values of a run whose per-worker part is already known (computed by
/// [`derive_workers`], possibly when the cache was written): the same as [`derive()`] over the
/// workers it was computed from.
pub fn derive_with_workers(
    metadata: &RunMetadata,
    points: &[BenchmarkPoint],
    workers: WorkersDerived,
) -> RunDerived {
    let gpus = metadata.gpus_used();
    let per_point = |f: fn(&BenchmarkPoint, Option<u32>) -> Option<f64>| -> Vec<Option<f64>> {
        points.iter().map(|p| finite(f(p, gpus))).collect()
    };
    RunDerived {
        gpus_used: gpus,
        gpu_count_basis: gpu_count_basis(metadata),
        output_tps_per_gpu: per_point(BenchmarkPoint::output_tps_per_gpu),
        total_tps_per_gpu: per_point(BenchmarkPoint::total_tps_per_gpu),
        input_tps_per_gpu: per_point(BenchmarkPoint::input_tps_per_gpu),
        output_tps_per_user: points.iter().map(|p| finite(p.output_tps_per_user())).collect(),
        workers: workers.workers,
        // Only a disaggregated run has separate pools to match (module docs).
        rate_match: workers.rate_match.filter(|_| metadata.mode == Mode::Disaggregated),
        // A function of the run's power record: [`derive_run`].
        power_source: None,
        energy: Vec::new(),
    }
}

/// Per-worker values and the rate match (as if the run were disaggregated): a function of the
/// workers alone. One pass per worker finds its kept ranks, its sums and the rate match's time
/// range; the rate match needs the time range of all workers first, so it takes a second pass
/// over the prefill and decode workers only.
pub fn derive_workers(nodes: &[&NodeMetrics]) -> WorkersDerived {
    let mut range = TimeRange::default();
    let mut kept = Vec::with_capacity(nodes.len());
    let mut workers = Vec::with_capacity(nodes.len());
    for node in nodes {
        let side = rate_side(node.metadata.worker_type);
        let (summary, k) = workers::scan_worker(node, |s| {
            if let Some(side) = side {
                range.see(s, side);
            }
        });
        workers.push(summary);
        kept.push(k);
    }
    let rate_match = rate_match_in(nodes, &kept, &range, BucketWidth::Auto);
    WorkersDerived { workers, rate_match }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{BatchMetrics, BatchType};
    use crate::node::{NodeConfig, NodeMetadata, NodeMetrics, ParallelConfig, ParseStats, WorkerType};
    use crate::{CountField, RealField, Timestamp};

    /// [`derive_workers`] over whole workers.
    fn derive_nodes(nodes: &[NodeInfo]) -> WorkersDerived {
        derive_workers(&nodes.iter().map(|n| &n.metrics).collect::<Vec<_>>())
    }

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
                batches: batches.into(),
                memory_snapshots: vec![],
                config: ParallelConfig::default(),
                stats: ParseStats::default(),
            },
            node_config: NodeConfig::default(),
        }
    }

    #[test]
    fn worker_totals_count_every_batch_logged_on_every_rank() {
        let usage = |b: BatchMetrics, u: f64| {
            let mut b = b;
            b.set_real(RealField::TokenUsage, u);
            b
        };
        let batches = vec![
            usage(batch(BatchType::Prefill, 30, 0, 0), 0.25),
            // TP 1 repeats TP 0's step: left out of throughput figures, counted here.
            usage(batch(BatchType::Decode, 10, 0, 1), 0.75),
            batch(BatchType::Decode, 50, 0, 0),
            BatchMetrics::new(BatchType::Decode), // no time, no usage
        ];
        let derived = derive_nodes(&[node(WorkerType::Agg, batches)]);
        let w = &derived.workers[0];
        assert_eq!((w.prefill_batches, w.decode_batches), (1, 3));
        assert_eq!(w.first_batch_at, Timestamp::from_parts(2026, 1, 16, 6, 20, 10, 0));
        assert_eq!(w.last_batch_at, Timestamp::from_parts(2026, 1, 16, 6, 20, 50, 0));
        assert_eq!(w.peak_token_usage, Some(0.75));
        let empty = derive_nodes(&[node(WorkerType::Decode, vec![])]);
        let e = &empty.workers[0];
        assert_eq!(
            (e.prefill_batches, e.decode_batches, e.first_batch_at, e.peak_token_usage),
            (0, 0, None, None)
        );
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
        let derived = derive_nodes(&[prefill, decode]);
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
        let derived = derive_nodes(&[node(WorkerType::Prefill, vec![p, p0]), node(WorkerType::Decode, d)]);
        let w = &derived.workers[1];
        assert_eq!((w.peak_gen_throughput, w.median_gen_throughput), (Some(30.0), Some(10.0)));
        let rm = derived.rate_match.unwrap();
        assert_eq!(rm.prefill_input_tps, [None, None, Some(70.0)], "the TP1 prefill batch is dropped");
        assert_eq!(rm.decode_gen_tps, [None, Some(10.0), Some(35.0)]);
    }

    /// The two-worker run of `worker_values_and_rate_match`, plus an aggregated worker.
    fn mixed_nodes() -> Vec<NodeInfo> {
        let mut nodes = Vec::new();
        let mut p = Vec::new();
        for (s, tokens) in [(0, 3000), (1, 1000), (2, 500), (3, 700)] {
            let mut b = batch(BatchType::Prefill, s, 0, 0);
            b.set_count(CountField::NewToken, tokens);
            p.push(b);
        }
        nodes.push(node(WorkerType::Prefill, p));
        let mut d = Vec::new();
        for (s, dp, g) in [(0, 0, 100.0), (1, 0, 300.0), (2, 1, 50.0), (3, 1, 70.0)] {
            let mut b = batch(BatchType::Decode, s, dp, 0);
            b.set_real(RealField::GenThroughput, g);
            d.push(b);
        }
        nodes.push(node(WorkerType::Decode, d));
        // An aggregated worker with both batch types: it must change nothing.
        let mut a = Vec::new();
        for s in 0..4 {
            let mut b = batch(BatchType::Prefill, s, 0, 0);
            b.set_count(CountField::NewToken, 99_999);
            a.push(b);
            let mut b = batch(BatchType::Decode, s, 0, 0);
            b.set_real(RealField::GenThroughput, 99_999.0);
            a.push(b);
        }
        nodes.push(node(WorkerType::Agg, a));
        nodes
    }

    #[test]
    fn aggregated_workers_stay_out_of_the_rate_match() {
        let nodes = mixed_nodes();
        let with_agg = derive_nodes(&nodes).rate_match.unwrap();
        let without = derive_nodes(&nodes[..2]).rate_match.unwrap();
        assert_eq!(with_agg, without);
        assert_eq!(with_agg.prefill_input_tps, [Some(3000.0), Some(1000.0), Some(500.0), Some(700.0)]);
        assert_eq!(with_agg.decode_gen_tps, [Some(100.0), Some(300.0), Some(50.0), Some(70.0)]);
        // Its summary is still there.
        assert_eq!(derive_nodes(&nodes).workers[2].peak_gen_throughput, Some(99_999.0));
        // An aggregated run has no rate match; neither have aggregated workers alone.
        assert_eq!(rate_match(Mode::Aggregated, &nodes, BucketWidth::Auto), None);
        assert_eq!(rate_match(Mode::Disaggregated, &nodes[2..], BucketWidth::Auto), None);
    }

    #[test]
    fn the_public_functions_give_what_derive_gives() {
        let nodes = mixed_nodes();
        let derived = derive_nodes(&nodes);
        assert_eq!(rate_match(Mode::Disaggregated, &nodes, BucketWidth::Auto), derived.rate_match);
        let summaries: Vec<WorkerDerived> = nodes.iter().map(worker_summary).collect();
        assert_eq!(summaries, derived.workers);
    }

    #[test]
    fn the_bucket_width_is_a_parameter() {
        let nodes = mixed_nodes();
        let rm = rate_match(Mode::Disaggregated, &nodes, BucketWidth::Secs(2)).unwrap();
        assert_eq!(rm.bucket_secs, 2.0);
        assert_eq!(rm.offsets_s, [0.0, 2.0]);
        // Tokens per 2 s; decode: DP 0 in bucket 0 (mean 200), DP 1 in bucket 1 (mean 60).
        assert_eq!(rm.prefill_input_tps, [Some(2000.0), Some(600.0)]);
        assert_eq!(rm.decode_gen_tps, [Some(200.0), Some(60.0)]);
        assert_eq!(rm.ratio, Some(2600.0 / 260.0));
        assert_eq!(rate_match(Mode::Disaggregated, &nodes, BucketWidth::Secs(0)).unwrap().bucket_secs, 1.0);
    }

    #[test]
    fn the_auto_width_keeps_at_most_200_buckets() {
        // 1000 s from first to last batch: 5 s buckets, 201 of them (the last holds the end).
        let mut p0 = batch(BatchType::Prefill, 0, 0, 0);
        p0.set_count(CountField::NewToken, 10);
        let mut p1 = p0.clone();
        p1.timestamp = Timestamp::from_parts(2026, 1, 16, 6, 36, 40, 0);
        let mut d = batch(BatchType::Decode, 30, 0, 0);
        d.set_real(RealField::GenThroughput, 1.0);
        let nodes = [node(WorkerType::Prefill, vec![p0, p1]), node(WorkerType::Decode, vec![d])];
        let rm = rate_match(Mode::Disaggregated, &nodes, BucketWidth::Auto).unwrap();
        assert_eq!((rm.bucket_secs, rm.offsets_s.len()), (5.0, 201));
        assert_eq!((rm.prefill_input_tps[0], rm.prefill_input_tps[200]), (Some(2.0), Some(2.0)));
        assert_eq!(rm.decode_gen_tps[6], Some(1.0));
        let fine = rate_match(Mode::Disaggregated, &nodes, BucketWidth::Secs(1)).unwrap();
        assert_eq!(fine.offsets_s.len(), 1001);
    }

    #[test]
    fn data_modules_do_not_import_the_engine() {
        // The layering of the crate's files: each names only modules of lower layers.
        let layers: [(&str, &str, &[&str]); 12] = [
            ("accuracy", include_str!("../accuracy.rs"), &[]),
            ("batch", include_str!("../batch.rs"), &["timestamp"]),
            ("batches", include_str!("../batches.rs"), &["batch", "timestamp"]),
            ("launch_args", include_str!("../launch_args.rs"), &["shell_words"]),
            ("node", include_str!("../node.rs"), &["batches", "launch_args", "text", "timestamp"]),
            ("results", include_str!("../results.rs"), &["launch_args"]),
            ("derived_values", include_str!("../derived_values.rs"), &["node", "power", "timestamp"]),
            ("power", include_str!("../power.rs"), &["node", "results"]),
            (
                "run",
                include_str!("../run.rs"),
                &[
                    "accuracy",
                    "derived_values",
                    "node",
                    "power",
                    "results",
                    "server_metrics",
                    "setup",
                    "text",
                ],
            ),
            ("server_metrics", include_str!("../server_metrics.rs"), &["power"]),
            ("setup", include_str!("../setup.rs"), &["text"]),
            ("text", include_str!("../text.rs"), &[]),
        ];
        for (name, source, allowed) in layers {
            for (at, _) in source.match_indices("use crate::") {
                let module = source[at + "use crate::".len()..].split([':', ';', '{']).next().unwrap_or("");
                assert!(allowed.contains(&module), "{name}.rs imports crate::{module}");
            }
        }
    }
}
