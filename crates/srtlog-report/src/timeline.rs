//! Worker timelines and the prefill/decode rate-match series, ready to embed.
//!
//! A *stream* is what one logging process wrote: the batches of one worker with one DP rank,
//! only the lowest TP rank logged for it kept. The model defines which batches form a stream
//! ([`srtlog_model::derived::WorkerStreams`]); this module only draws them. Batches without a
//! timestamp cannot be placed on a time axis; they are counted (`untimed_batches`) and left
//! out. Time is seconds since the run's first timestamped batch
//! ([`srtlog_model::Timestamp::epoch_micros_or_wall`]).
//!
//! Series per run:
//! - `rank`: one stream, min/max-downsampled ([`crate::downsample`]);
//! - `worker`: a worker with several DP ranks, its streams summed on a grid (below);
//! - `type`: all streams of one worker role summed on a grid (when there is more than one).
//!
//! Grid aggregation: time is cut into buckets of `max(span / (4 × buckets), 1 s)`. In each bucket
//! a stream contributes the mean of its samples there, or, when it has none, the value of its
//! next sample if that is no more than the stream's gap threshold later. (SGLang logs a
//! throughput averaged over the interval since its previous line, so a line's value describes
//! the time *before* it; nothing is filled before a stream's first line or after its last.)
//! Throughputs and request counts are summed over streams; KV-cache usage is averaged. The grid
//! is then min/max-downsampled like a stream.
//!
//! Rate match: the run's [`srtlog_model::RateMatch`] as the JSON document has it
//! (`derived.rate_match`, [`srtlog_model::derived::rate_match`] with the JSON's bucket width),
//! embedded unchanged, with `rate_match_shift_s`, the seconds from this module's time origin
//! to the rate match's `start`, so that the chart shares the timelines' time axis.
//!
//! A stream's gap threshold is `max(10 × median interval between its samples, 2 × bucket width,
//! 5 s)`: a longer silence breaks the line instead of bridging it.

use std::collections::BTreeMap;

use serde::Serialize;
use srtlog_model::derived::WorkerStreams;
use srtlog_model::{BatchMetrics, BenchmarkRun, RateMatch, RunDerived, WorkerType};

use crate::downsample::{self, Downsampled};

/// Columns of a timeline, in embedding order.
pub(crate) const METRICS: [&str; 5] = ["gen_tps", "input_tps", "running", "queued", "kv_usage"];

#[derive(Debug, Clone, Copy)]
struct Sample {
    t: f64,
    values: [Option<f64>; 5],
}

fn sample(b: &BatchMetrics, t: f64) -> Sample {
    let u = |v: Option<u32>| v.map(f64::from);
    Sample {
        t,
        values: [
            b.gen_throughput(),
            b.input_throughput(),
            u(b.running_req()),
            u(b.queue_req()),
            b.token_usage(),
        ],
    }
}

#[derive(Debug)]
struct Stream {
    node: usize,
    role: WorkerType,
    dp: u32,
    samples: Vec<Sample>,
    gap: f64,
}

/// The streams of one run, before downsampling.
#[derive(Debug)]
pub(crate) struct RunStreams {
    run: usize,
    start: Option<String>,
    span: f64,
    untimed: u64,
    streams: Vec<Stream>,
    /// Worker label per node index.
    workers: Vec<(WorkerType, String, String)>,
    /// The run's rate match (the JSON's), and its start in seconds after the time origin.
    rate_match: Option<(RateMatch, f64)>,
}

impl RunStreams {
    /// Splits a run's batches into streams; `derived` is the run's derived values (the
    /// document's own, see [`crate::derived::runs_derived`]).
    pub(crate) fn new(run_index: usize, run: &BenchmarkRun, derived: &RunDerived) -> Self {
        let t0 = run
            .nodes
            .iter()
            .flat_map(|n| n.metrics.batches.rows().filter_map(|b| b.timestamp()))
            .min_by_key(|ts| ts.epoch_micros_or_wall());
        let mut untimed = 0u64;
        let mut streams = Vec::new();
        let mut workers = Vec::new();
        for (node, info) in run.nodes.iter().enumerate() {
            let meta = &info.metrics.metadata;
            workers.push((meta.worker_type, meta.worker_id.clone(), meta.node_name.clone()));
            for stream in WorkerStreams::new(&info.metrics.batches).streams() {
                let Some(t0) = t0 else {
                    untimed += stream.len() as u64;
                    continue;
                };
                let origin = t0.epoch_micros_or_wall();
                let mut samples = Vec::with_capacity(stream.len());
                for b in stream.batches() {
                    match b.timestamp {
                        Some(ts) => {
                            samples.push(sample(&b, seconds_between(origin, ts.epoch_micros_or_wall())))
                        }
                        None => untimed += 1,
                    }
                }
                if samples.is_empty() {
                    continue;
                }
                samples.sort_by(|a, b| a.t.total_cmp(&b.t));
                let gap = gap_threshold(&samples);
                streams.push(Stream { node, role: meta.worker_type, dp: stream.dp, samples, gap });
            }
        }
        let span = streams.iter().filter_map(|s| s.samples.last()).map(|s| s.t).fold(0.0, f64::max);
        let rate_match = derived.rate_match.as_ref().map(|rm| {
            let shift = t0.map_or(0.0, |t0| {
                seconds_between(t0.epoch_micros_or_wall(), rm.start.epoch_micros_or_wall())
            });
            (rm.clone(), shift)
        });
        RunStreams {
            run: run_index,
            start: t0.map(|t| t.to_string()),
            span,
            untimed,
            streams,
            workers,
            rate_match,
        }
    }

    /// How many series [`RunStreams::build`] will embed (for sharing the row budget).
    pub(crate) fn series_count(&self) -> usize {
        if self.streams.is_empty() {
            return 0;
        }
        let multi_workers = self.nodes_with_streams().into_iter().filter(|(_, n)| *n > 1).count();
        let multi_roles = self.roles().into_iter().filter(|(_, n)| *n > 1).count();
        self.streams.len() + multi_workers + multi_roles
    }

    fn nodes_with_streams(&self) -> BTreeMap<usize, usize> {
        let mut m = BTreeMap::new();
        for s in &self.streams {
            *m.entry(s.node).or_insert(0) += 1;
        }
        m
    }

    fn roles(&self) -> BTreeMap<WorkerType, usize> {
        let mut m = BTreeMap::new();
        for s in &self.streams {
            *m.entry(s.role).or_insert(0) += 1;
        }
        m
    }

    /// Downsamples and aggregates into what the report embeds; `None` without timed batches.
    pub(crate) fn build(&self, buckets: usize) -> Option<RunTimeline> {
        if self.streams.is_empty() {
            return None;
        }
        let buckets = buckets.max(1);
        let width = (self.span / (4 * buckets) as f64).max(1.0);
        let bucket_gap = 2.0 * self.span / buckets as f64;
        let mut series = Vec::new();
        let roles = self.roles();
        for (role, count) in &roles {
            if *count > 1 {
                let members: Vec<&Stream> = self.streams.iter().filter(|s| s.role == *role).collect();
                let grid = Grid::build(&members, self.span, width);
                let workers = self
                    .streams
                    .iter()
                    .filter(|s| s.role == *role)
                    .map(|s| s.node)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len();
                series.push(TimelineSeries::from_downsampled(
                    format!("type-{}", role.as_str()),
                    format!(
                        "All {} workers ({workers} workers, {count} streams; sum, KV usage mean)",
                        role.as_str()
                    ),
                    *role,
                    "type",
                    grid.downsample_metrics(buckets),
                ));
            }
        }
        let per_node = self.nodes_with_streams();
        let mut ordered: Vec<usize> = per_node.keys().copied().collect();
        ordered.sort_by(|a, b| {
            let (ra, ia, na) = &self.workers[*a];
            let (rb, ib, nb) = &self.workers[*b];
            (ra, natural_key(ia), na).cmp(&(rb, natural_key(ib), nb))
        });
        for node in ordered {
            let (role, id, host) = &self.workers[node];
            let label = format!("{} {id} ({host})", role.as_str());
            let members: Vec<&Stream> = self.streams.iter().filter(|s| s.node == node).collect();
            if members.len() > 1 {
                let grid = Grid::build(&members, self.span, width);
                series.push(TimelineSeries::from_downsampled(
                    format!("worker-{node}"),
                    format!("{label}: {} DP ranks (sum, KV usage mean)", members.len()),
                    *role,
                    "worker",
                    grid.downsample_metrics(buckets),
                ));
            }
            for s in &members {
                let t: Vec<f64> = s.samples.iter().map(|x| x.t).collect();
                let cols: Vec<Vec<Option<f64>>> =
                    (0..METRICS.len()).map(|m| s.samples.iter().map(|x| x.values[m]).collect()).collect();
                let col_refs: Vec<&[Option<f64>]> = cols.iter().map(Vec::as_slice).collect();
                let d = downsample::min_max(&t, &col_refs, buckets, Some(s.gap.max(bucket_gap)));
                let id = if members.len() > 1 {
                    format!("rank-{node}-{}", s.dp)
                } else {
                    format!("worker-{node}")
                };
                let label = if members.len() > 1 { format!("{label} · DP {}", s.dp) } else { label.clone() };
                let kind = if members.len() > 1 { "rank" } else { "worker" };
                series.push(TimelineSeries::from_downsampled(id, label, *role, kind, d));
            }
        }
        Some(RunTimeline {
            run: self.run,
            start: self.start.clone(),
            untimed_batches: self.untimed,
            streams: self.streams.len(),
            series,
            rate_match: self.rate_match.as_ref().map(|(rm, _)| rm.clone()),
            rate_match_shift_s: self.rate_match.as_ref().map(|(_, shift)| round_time(*shift)),
        })
    }
}

/// Seconds from `from` to `to`, both microseconds.
fn seconds_between(from: i64, to: i64) -> f64 {
    to.saturating_sub(from) as f64 / 1e6
}

/// `max(10 × median positive interval, 5 s)`; the bucket-width term is added by the caller.
fn gap_threshold(samples: &[Sample]) -> f64 {
    let mut dts: Vec<f64> = samples.windows(2).map(|w| w[1].t - w[0].t).filter(|d| *d > 0.0).collect();
    if dts.is_empty() {
        return 5.0;
    }
    let mid = dts.len() / 2;
    let (_, median, _) = dts.select_nth_unstable_by(mid, f64::total_cmp);
    (10.0 * *median).max(5.0)
}

/// Sorts `w2` before `w10`.
fn natural_key(s: &str) -> (String, u64) {
    let digits: String =
        s.chars().rev().take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
    let prefix = s[..s.len() - digits.len()].to_owned();
    (prefix, digits.parse().unwrap_or(0))
}

/// Streams summed on a regular time grid (see the module docs).
struct Grid {
    t: Vec<f64>,
    /// Sum over streams per metric (KV usage: mean).
    sums: [Vec<Option<f64>>; 5],
}

impl Grid {
    fn build(streams: &[&Stream], span: f64, width: f64) -> Grid {
        let n = ((span / width).floor() as usize).saturating_add(1).min(1 << 22);
        let t: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) * width).collect();
        let mut sums: [Vec<Option<f64>>; 5] = std::array::from_fn(|_| vec![None; n]);
        let mut contributors = vec![0u32; n];
        let bucket = |x: f64| ((x / width) as usize).min(n - 1);
        // Per bucket and metric: sum, count, and the time of the bucket's first sample.
        let mut acc = vec![[(0.0f64, 0u32, 0.0f64); 5]; n];
        for s in streams {
            acc.iter_mut().for_each(|a| *a = [(0.0, 0, 0.0); 5]);
            for x in &s.samples {
                let b = bucket(x.t);
                for (m, v) in x.values.iter().enumerate() {
                    if let Some(v) = v.filter(|v| v.is_finite()) {
                        let cell = &mut acc[b][m];
                        if cell.1 == 0 {
                            cell.2 = x.t;
                        }
                        cell.0 += v;
                        cell.1 += 1;
                    }
                }
            }
            for m in 0..5 {
                // Nothing before the stream's first value of this metric: a logged value
                // describes the interval since the previous line, unknown for the first one.
                let Some(first) = acc.iter().position(|cell| cell[m].1 > 0) else { continue };
                // Walk backwards so an empty bucket can take the value of the next line.
                let mut next: Option<(f64, f64)> = None;
                for b in (first..n).rev() {
                    let (sum, count, first_t) = acc[b][m];
                    let value = if count > 0 {
                        let mean = sum / f64::from(count);
                        next = Some((first_t, mean));
                        Some(mean)
                    } else {
                        next.filter(|(at, _)| at - t[b] <= s.gap).map(|(_, v)| v)
                    };
                    if let Some(v) = value {
                        sums[m][b] = Some(sums[m][b].unwrap_or(0.0) + v);
                        if m == 4 {
                            contributors[b] += 1;
                        }
                    }
                }
            }
        }
        for (sum, count) in sums[4].iter_mut().zip(&contributors) {
            *sum = sum.map(|s| s / f64::from((*count).max(1)));
        }
        Grid { t, sums }
    }

    fn downsample_metrics(&self, buckets: usize) -> Downsampled {
        let cols: Vec<&[Option<f64>]> = self.sums.iter().map(Vec::as_slice).collect();
        downsample::min_max(&self.t, &cols, buckets, None)
    }
}

/// Rounds to 5 significant digits (the chart cannot show more; it keeps the JSON small).
pub(crate) fn round_sig(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let magnitude = v.abs().log10().floor() as i32;
    let scale = 10f64.powi(4 - magnitude);
    if !scale.is_finite() || scale == 0.0 {
        return v;
    }
    (v * scale).round() / scale
}

/// Rounds seconds to milliseconds.
pub(crate) fn round_time(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}

/// One selectable timeline of a run.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TimelineSeries {
    pub id: String,
    pub label: String,
    pub role: &'static str,
    /// `type`, `worker` or `rank`.
    pub kind: &'static str,
    pub t: Vec<f64>,
    pub gen_tps: Vec<Option<f64>>,
    pub input_tps: Vec<Option<f64>>,
    pub running: Vec<Option<f64>>,
    pub queued: Vec<Option<f64>>,
    pub kv_usage: Vec<Option<f64>>,
}

impl TimelineSeries {
    fn from_downsampled(
        id: String,
        label: String,
        role: WorkerType,
        kind: &'static str,
        d: Downsampled,
    ) -> Self {
        let mut cols =
            d.columns.into_iter().map(|c| c.into_iter().map(|v| v.map(round_sig)).collect::<Vec<_>>());
        let mut next = || cols.next().unwrap_or_default();
        TimelineSeries {
            id,
            label,
            role: role.as_str(),
            kind,
            t: d.t.iter().map(|t| round_time(*t)).collect(),
            gen_tps: next(),
            input_tps: next(),
            running: next(),
            queued: next(),
            kv_usage: next(),
        }
    }
}

/// Everything the report embeds about one run's workers.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RunTimeline {
    pub run: usize,
    pub start: Option<String>,
    pub untimed_batches: u64,
    pub streams: usize,
    pub series: Vec<TimelineSeries>,
    /// The run's rate match exactly as the JSON document has it.
    pub rate_match: Option<RateMatch>,
    /// Seconds from the timelines' origin to `rate_match.start`.
    pub rate_match_shift_s: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use srtlog_model::{BatchType, Timestamp};

    #[test]
    fn round_sig_keeps_five_digits() {
        assert_eq!(round_sig(1234567.0), 1234600.0);
        assert_eq!(round_sig(0.123456789), 0.12346);
        assert_eq!(round_sig(-42.0), -42.0);
        assert_eq!(round_sig(0.0), 0.0);
        assert_eq!(round_time(1.23456), 1.235);
    }

    #[test]
    fn natural_order_of_worker_ids() {
        let mut ids = vec!["w10", "w2", "w1"];
        ids.sort_by_key(|s| natural_key(s));
        assert_eq!(ids, vec!["w1", "w2", "w10"]);
        assert_eq!(natural_key("abc"), ("abc".to_owned(), 0));
    }

    fn batch(secs: i64, dp: u32, tp: u32, kind: BatchType) -> BatchMetrics {
        let mut b = BatchMetrics::new(kind);
        b.timestamp =
            Some(Timestamp { wall_micros: 1_700_000_000_000_000 + secs * 1_000_000, utc_offset_secs: None });
        b.dp = dp;
        b.tp = tp;
        b
    }

    #[test]
    fn grid_back_fills_rates_from_the_next_line() {
        let s = |dp: u32, vals: &[(f64, f64)]| Stream {
            node: 0,
            role: WorkerType::Decode,
            dp,
            samples: vals
                .iter()
                .map(|(t, v)| Sample { t: *t, values: [Some(*v), None, None, None, Some(0.5)] })
                .collect(),
            gap: 5.0,
        };
        let a = s(0, &[(0.0, 100.0), (2.0, 100.0)]);
        let b = s(1, &[(1.0, 50.0)]);
        let g = Grid::build(&[&a, &b], 2.0, 1.0);
        // bucket 0: a=100, b not started; bucket 1: a's next line (100) + b 50; bucket 2: a 100,
        // b has ended.
        assert_eq!(g.sums[0], vec![Some(100.0), Some(150.0), Some(100.0)]);
        assert_eq!(g.sums[4], vec![Some(0.5), Some(0.5), Some(0.5)]);
    }

    fn node(role: WorkerType, batches: Vec<BatchMetrics>) -> srtlog_model::NodeInfo {
        srtlog_model::NodeInfo {
            metrics: srtlog_model::NodeMetrics {
                metadata: srtlog_model::NodeMetadata {
                    node_name: "host".to_owned(),
                    worker_type: role,
                    worker_id: "w0".to_owned(),
                },
                batches: batches.into(),
                memory_snapshots: vec![],
                config: Default::default(),
                stats: Default::default(),
            },
            node_config: Default::default(),
        }
    }

    #[test]
    fn streams_split_by_dp_rank_keep_the_lowest_tp_rank_and_count_untimed_batches() {
        let mut untimed = batch(0, 0, 0, BatchType::Decode);
        untimed.timestamp = None;
        let batches = vec![
            batch(10, 0, 0, BatchType::Decode),
            batch(10, 0, 1, BatchType::Decode), // same batch logged by TP 1: dropped
            batch(11, 1, 2, BatchType::Decode), // DP 1 logged only by TP 2: kept
            batch(12, 0, 0, BatchType::Decode),
            untimed,
        ];
        let run = BenchmarkRun {
            metadata: srtlog_model::RunMetadata {
                job_id: "1".into(),
                decode_nodes: 1,
                decode_workers: 1,
                path: "/r".into(),
                ..Default::default()
            },
            nodes: vec![node(WorkerType::Decode, batches)],
            ..Default::default()
        };
        let streams = RunStreams::new(0, &run, &run.derived);
        assert_eq!(streams.untimed, 1);
        assert_eq!(streams.streams.len(), 2);
        assert_eq!(streams.streams[0].samples.iter().map(|s| s.t).collect::<Vec<_>>(), vec![0.0, 2.0]);
        assert_eq!(streams.streams[1].samples.len(), 1);
        assert_eq!(streams.span, 2.0);
        // 2 rank series + their worker sum + the decode-role sum.
        assert_eq!(streams.series_count(), 4);
        let built = streams.build(100).unwrap();
        let kinds: Vec<&str> = built.series.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec!["type", "worker", "rank", "rank"]);
        assert_eq!(built.start.as_deref(), Some("2023-11-14T22:13:30"));
    }
}
