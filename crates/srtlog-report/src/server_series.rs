//! The servers' own time series (Tachometer), ready to embed beside the log-derived worker
//! timelines: per backend worker, running and queued requests, KV-cache usage and generation
//! throughput over time, as the engine reported them on its Prometheus endpoint.
//!
//! Which metrics ([`SERVER_METRICS`]): SGLang's `sglang:num_running_reqs`,
//! `sglang:num_queue_reqs`, `sglang:token_usage` (0–1) and `sglang:gen_throughput` (tokens/s);
//! TensorRT-LLM's `trtllm_num_requests_running` and `trtllm_kv_cache_utilization` (0–1), the
//! equivalents `../shared/FORMATS-2.md` §7.4 names (no TRT-LLM queue or throughput gauge is
//! pinned there, so none is guessed).
//!
//! A worker is one scrape endpoint with a worker role (`backend_<mode><i>_rank<r>`). Its
//! engine reports one series per scheduler (labels `tp_rank`, `dp_rank`, ...). As for the log
//! timelines' streams ([`srtlog_model::derived::WorkerStreams`]), each DP rank counts once:
//! per `dp_rank` (absent = 0) the series of the lowest `tp_rank` is kept. Per scrape time the
//! kept series are summed (requests, throughput) or averaged (KV-cache usage); all rows of one
//! scrape share one timestamp, so the sum is over one scrape. The result is min/max
//! downsampled ([`crate::downsample`]) with the timelines' bucket budget.
//!
//! Time: seconds since the run's first server sample; `start` is that sample's UTC time when
//! the writer recorded wall time (`time_base` `unix`), else the axis is seconds since the
//! scraper started. The axis is not shifted onto the log timelines' one: log times carry no
//! zone (srtlog never guesses one), Tachometer's are UTC.

use std::collections::BTreeMap;

use serde::Serialize;
use srtlog_model::{BenchmarkRun, ServerMetrics, ServerSeries, ServerTimeBase, ServerWorker};

use crate::downsample;
use crate::timeline::{round_sig, round_time};

/// What the report draws: `(column, how over DP ranks, metric names)`.
pub(crate) const SERVER_METRICS: [(&str, Combine, &[&str]); 4] = [
    ("running", Combine::Sum, &["sglang:num_running_reqs", "trtllm_num_requests_running"]),
    ("queued", Combine::Sum, &["sglang:num_queue_reqs"]),
    ("kv_usage", Combine::Mean, &["sglang:token_usage", "trtllm_kv_cache_utilization"]),
    ("gen_tps", Combine::Sum, &["sglang:gen_throughput"]),
];

/// How the kept series of one worker are combined at one time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Combine {
    Sum,
    Mean,
}

/// One worker's server series, downsampled.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct ServerWorkerSeries {
    pub label: String,
    pub role: String,
    pub t: Vec<f64>,
    pub running: Vec<Option<f64>>,
    pub queued: Vec<Option<f64>>,
    pub kv_usage: Vec<Option<f64>>,
    pub gen_tps: Vec<Option<f64>>,
}

/// Everything the report embeds about one run's server series.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct ServerRunSeries {
    pub run: usize,
    /// `unix` or `since_scraper_start`.
    pub time_base: &'static str,
    /// UTC time of the axis origin (`unix` only), `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub start: Option<String>,
    pub workers: Vec<ServerWorkerSeries>,
}

/// The number of worker series `run` would embed (for the shared row budget).
pub(crate) fn series_count(run: &BenchmarkRun) -> usize {
    run.server_metrics.as_ref().map_or(0, |m| workers(m).len())
}

/// The backend workers of `m` that report at least one of [`SERVER_METRICS`].
fn workers(m: &ServerMetrics) -> Vec<&ServerWorker> {
    let mut out: Vec<&ServerWorker> = m
        .series
        .iter()
        .filter(|s| s.worker.role.as_deref().is_some_and(|r| r != "frontend") && s.le.is_none())
        .filter(|s| SERVER_METRICS.iter().any(|(_, _, names)| names.contains(&s.metric.as_str())))
        .map(|s| &s.worker)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn rank(s: &ServerSeries, key: &str) -> u64 {
    s.label(key).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// One worker's metric on the worker's scrape times: per DP rank the lowest TP rank, then
/// combined per time.
fn combined(m: &ServerMetrics, worker: &ServerWorker, names: &[&str], how: Combine) -> BTreeMap<u64, f64> {
    let candidates: Vec<&ServerSeries> = m
        .series
        .iter()
        .filter(|s| &s.worker == worker && s.le.is_none() && names.contains(&s.metric.as_str()))
        .collect();
    // The first name the worker reports wins (SGLang before TRT-LLM: one engine per worker).
    let Some(name) = names.iter().find(|n| candidates.iter().any(|s| s.metric == **n)) else {
        return BTreeMap::new();
    };
    let mut lowest: BTreeMap<u64, &ServerSeries> = BTreeMap::new();
    for s in candidates.into_iter().filter(|s| s.metric == *name) {
        let dp = rank(s, "dp_rank");
        match lowest.get(&dp) {
            Some(kept) if rank(kept, "tp_rank") <= rank(s, "tp_rank") => {}
            _ => {
                lowest.insert(dp, s);
            }
        }
    }
    let mut acc: BTreeMap<u64, (f64, u32)> = BTreeMap::new();
    for s in lowest.values() {
        for (&t, &v) in s.t.iter().zip(&s.values) {
            if v.is_finite() {
                let cell = acc.entry(t.to_bits()).or_insert((0.0, 0));
                cell.0 += v;
                cell.1 += 1;
            }
        }
    }
    acc.into_iter()
        .map(|(t, (sum, n))| (t, if how == Combine::Mean { sum / f64::from(n) } else { sum }))
        .collect()
}

/// The run's server series, downsampled to `buckets` per worker; `None` without any.
pub(crate) fn build(index: usize, run: &BenchmarkRun, buckets: usize) -> Option<ServerRunSeries> {
    let m = run.server_metrics.as_ref()?;
    let ws = workers(m);
    if ws.is_empty() {
        return None;
    }
    let per_worker: Vec<[BTreeMap<u64, f64>; 4]> = ws
        .iter()
        .map(|w| std::array::from_fn(|k| combined(m, w, SERVER_METRICS[k].2, SERVER_METRICS[k].1)))
        .collect();
    let origin = per_worker
        .iter()
        .flat_map(|cols| cols.iter().filter_map(|c| c.keys().next().map(|t| f64::from_bits(*t))))
        .fold(f64::INFINITY, f64::min);
    let workers = ws
        .iter()
        .zip(&per_worker)
        .map(|(w, cols)| {
            let mut times: Vec<u64> = cols.iter().flat_map(|c| c.keys().copied()).collect();
            times.sort_by(|a, b| f64::from_bits(*a).total_cmp(&f64::from_bits(*b)));
            times.dedup();
            let t: Vec<f64> = times.iter().map(|x| f64::from_bits(*x) - origin).collect();
            let columns: Vec<Vec<Option<f64>>> =
                cols.iter().map(|c| times.iter().map(|x| c.get(x).copied()).collect()).collect();
            let refs: Vec<&[Option<f64>]> = columns.iter().map(Vec::as_slice).collect();
            let d = downsample::min_max(&t, &refs, buckets, None);
            let mut out = d.columns.into_iter().map(|c| c.into_iter().map(|v| v.map(round_sig)).collect());
            let mut next = || out.next().unwrap_or_default();
            let role = w.role.clone().unwrap_or_default();
            let index = w.index.map_or_else(String::new, |i| format!(" {i}"));
            let host = w.host.as_deref().map_or_else(String::new, |h| format!(" ({h})"));
            ServerWorkerSeries {
                label: format!("{role}{index}{host} · {}", w.endpoint),
                role,
                t: d.t.iter().map(|x| round_time(*x)).collect(),
                running: next(),
                queued: next(),
                kv_usage: next(),
                gen_tps: next(),
            }
        })
        .collect();
    Some(ServerRunSeries {
        run: index,
        time_base: m.time_base.as_str(),
        start: (m.time_base == ServerTimeBase::Unix).then(|| utc_text(origin)),
        workers,
    })
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SS.mmmZ` (civil-from-days, proleptic Gregorian).
fn utc_text(t: f64) -> String {
    let ms = (t * 1000.0).round() as i64;
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let s = ms_of_day / 1000;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms_of_day % 1000
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn series(
        worker: &ServerWorker,
        metric: &str,
        labels: &[(&str, &str)],
        t: &[f64],
        v: &[f64],
    ) -> ServerSeries {
        ServerSeries {
            worker: worker.clone(),
            metric: metric.into(),
            labels: labels.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            le: None,
            t: t.to_vec(),
            values: v.to_vec(),
        }
    }

    #[test]
    fn dp_ranks_sum_tp_ranks_count_once_and_kv_usage_averages() {
        let w = ServerWorker {
            endpoint: "backend_decode0_rank0".into(),
            role: Some("decode".into()),
            index: Some(0),
            host: Some("n1".into()),
            ..ServerWorker::default()
        };
        let t = [1_785_578_720.25, 1_785_578_721.25];
        let m = ServerMetrics {
            time_base: ServerTimeBase::Unix,
            series: vec![
                series(&w, "sglang:num_running_reqs", &[("dp_rank", "0"), ("tp_rank", "0")], &t, &[8.0, 9.0]),
                series(
                    &w,
                    "sglang:num_running_reqs",
                    &[("dp_rank", "0"), ("tp_rank", "1")],
                    &t,
                    &[80.0, 90.0],
                ),
                series(&w, "sglang:num_running_reqs", &[("dp_rank", "1"), ("tp_rank", "4")], &t, &[2.0, 3.0]),
                series(&w, "sglang:token_usage", &[("dp_rank", "0"), ("tp_rank", "0")], &t, &[0.2, 0.4]),
                series(&w, "sglang:token_usage", &[("dp_rank", "1"), ("tp_rank", "4")], &t, &[0.4, 0.6]),
                series(&w, "sglang:cache_hit_rate", &[], &t, &[0.5, 0.5]),
            ],
            ..ServerMetrics::default()
        };
        let run = BenchmarkRun { server_metrics: Some(m), ..BenchmarkRun::default() };
        assert_eq!(series_count(&run), 1);
        let built = build(3, &run, 100).unwrap();
        assert_eq!((built.run, built.time_base), (3, "unix"));
        assert_eq!(built.start.as_deref(), Some("2026-08-01T10:05:20.250Z"));
        let s = &built.workers[0];
        assert_eq!(s.label, "decode 0 (n1) · backend_decode0_rank0");
        assert_eq!(s.t, [0.0, 1.0]);
        assert_eq!(s.running, [Some(10.0), Some(12.0)]);
        assert_eq!(s.kv_usage, [Some(0.3), Some(0.5)]);
        assert_eq!(s.queued, [None, None]);
    }

    #[test]
    fn no_backend_series_no_entry() {
        let frontend = ServerWorker {
            endpoint: "frontend0".into(),
            role: Some("frontend".into()),
            ..ServerWorker::default()
        };
        let m = ServerMetrics {
            series: vec![series(&frontend, "sglang:num_running_reqs", &[], &[1.0], &[1.0])],
            ..ServerMetrics::default()
        };
        let run = BenchmarkRun { server_metrics: Some(m), ..BenchmarkRun::default() };
        assert_eq!(build(0, &run, 10), None);
        assert_eq!(utc_text(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(utc_text(951_782_400.5), "2000-02-29T00:00:00.500Z");
    }
}
