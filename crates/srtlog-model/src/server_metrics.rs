//! The servers' own time series: every Prometheus metric the Tachometer scraper recorded from
//! every worker, frontend, DCGM and node exporter of a run (`../shared/FORMATS-2.md` §7).
//!
//! A [`ServerMetrics`] is a set of [`ServerSeries`], one per scraped endpoint's worker identity
//! ([`ServerWorker`]: role, index, host, GPU, endpoint), metric name and label set (histogram
//! buckets one series per `le`). Times are Unix seconds when every row had the writer's
//! `timestamp_ns`, else seconds since the scraper started ([`ServerTimeBase`]): the v1 writer
//! recorded no wall time, and srtlog never invents one. Like per-request records, a run can hold
//! millions of points, so they are **not** in the `analyze --json` document
//! (`BenchmarkRun::server_metrics` is skipped); the JSON carries a
//! [`ServerMetricsSummary`] (files, counts, metrics, time range) and the points go to the
//! dataset's `server_metrics/` table.
//!
//! GPU power for the energy engine comes from here when the run has no power-sampler file
//! ([`ServerMetrics::gpu_power_samples`], with its rule for the DCGM name collision).

use serde::{Deserialize, Serialize};

use crate::power::GpuPowerSample;

/// What a series' times count from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerTimeBase {
    /// Unix epoch seconds (the v2 writer's `timestamp_ns`).
    Unix,
    /// Seconds since the scraper started (`time_since_start`): the v1 writer has no wall time,
    /// and a zero `timestamp_ns` means the same (upstream `reader.py`'s rule).
    #[default]
    SinceScraperStart,
}

impl ServerTimeBase {
    /// The name used in JSON and the dataset (`unix`, `since_scraper_start`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unix => "unix",
            Self::SinceScraperStart => "since_scraper_start",
        }
    }
}

/// Who a series was scraped from: the Tachometer endpoint and srtctl's metadata columns
/// (`""` in the file is `None` here).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ServerWorker {
    /// The scrape endpoint's name: `backend_<mode><idx>_rank<r>`, `frontend<i>`, `dcgm_<node>`,
    /// `node_exporter_<node>`.
    pub endpoint: String,
    /// `worker_role` (`prefill`, `decode`, `agg`), or `frontend` for a frontend endpoint.
    pub role: Option<String>,
    /// `worker_index` (`frontend_index` for a frontend).
    pub index: Option<u32>,
    /// `worker_process` (the rank of the worker's process on a multi-node worker).
    pub process: Option<u32>,
    /// The node: `hostname`, else the node in a `dcgm_<node>` / `node_exporter_<node>`
    /// endpoint (DCGM rows have an empty hostname).
    pub host: Option<String>,
    /// The GPU index on the node (`gpu`, DCGM rows only).
    pub gpu: Option<u32>,
}

/// One time series: one metric with one label set from one worker.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerSeries {
    /// Who reported it.
    pub worker: ServerWorker,
    /// The metric name before any `{` (`sglang:num_running_reqs`, `gpu_power`,
    /// `filesystem_avail_bytes`).
    pub metric: String,
    /// Labels, sorted by key: those inside `metric_name` (quoted or not), then the file's
    /// non-identity label columns that are not empty (`mode`, `job_id`, `run_name`, extra
    /// metadata). `le` is not among them: see `le`.
    pub labels: Vec<(String, String)>,
    /// For a histogram bucket: its upper bound `le` (`+Inf` is `f64::INFINITY`); the value
    /// is the cumulative count. See [`ServerMetrics::histograms`].
    pub le: Option<f64>,
    /// Times, ascending (see [`ServerMetrics::time_base`]).
    pub t: Vec<f64>,
    /// Values, one per time (Float32 files are widened to `f64`).
    pub values: Vec<f64>,
}

impl ServerSeries {
    /// The labels as Prometheus writes them, `k="v",…` (empty without labels; `le` is not
    /// among them). The dataset's `labels` column; [`parse_labels`] reads it back.
    pub fn labels_text(&self) -> String {
        let parts: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| {
                format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
            })
            .collect();
        parts.join(",")
    }

    /// The value of label `key`, when present.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// Parses a Prometheus label list, `k="v",k2=v2` (what follows a metric name's `{`; a `}`
/// ends it): quoted values are unescaped (`\"`, `\\`, `\n`), unquoted ones (node-exporter's
/// simplified form) run to the next `,` or `}`. An unterminated list keeps what parsed. The
/// inverse of [`ServerSeries::labels_text`].
pub fn parse_labels(rest: &str) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek() == Some(&',') || chars.peek() == Some(&' ') {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == '}' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if chars.next() != Some('=') {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('n') => value.push('\n'),
                        Some(other) => value.push(other),
                        None => break,
                    },
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c == '}' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        labels.push((key.trim().to_owned(), value));
    }
    labels
}

/// `le` as Prometheus writes it (`+Inf` for infinity).
pub fn le_text(le: f64) -> String {
    if le.is_infinite() {
        "+Inf".to_owned()
    } else {
        le.to_string()
    }
}

/// A run's Tachometer time series, as read by `srtlog-parsers-telemetry`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerMetrics {
    /// What the times count from.
    pub time_base: ServerTimeBase,
    /// The series, ordered by worker, metric, labels, `le`.
    pub series: Vec<ServerSeries>,
    /// The files read, relative to the run directory, in reading order.
    pub sources: Vec<String>,
    /// Rows left out because another in-progress file already held them (the writer's
    /// shards overlap: an `incomplete-N` holds the `out-N` it merged, `out-N` what
    /// `current.arrow` held).
    pub duplicate_rows: u64,
    /// Rows that could not be used (a null name or value in a compacted file), counted.
    pub skipped_rows: u64,
}

/// One histogram rebuilt from its bucket series (`../shared/FORMATS-2.md` §7.4: the writer's
/// own `histogram_bucket_lower` / `_sum` / `_count` can belong to another label set, so only
/// `le` and the cumulative counts are used).
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram<'a> {
    /// Who reported it.
    pub worker: &'a ServerWorker,
    /// The metric name.
    pub metric: &'a str,
    /// The labels without `le`.
    pub labels: &'a [(String, String)],
    /// Buckets by ascending upper bound: `(lower, upper, series)`; the first lower bound is
    /// 0 (the writer's convention), each next one the previous upper bound.
    pub buckets: Vec<(f64, f64, &'a ServerSeries)>,
}

/// What a histogram's buckets share: worker, metric, labels.
type HistogramKey<'a> = (&'a ServerWorker, &'a str, &'a [(String, String)]);

impl Histogram<'_> {
    /// The observation count at time index `i` of the `+Inf` bucket (`_count`), when the
    /// histogram has one.
    pub fn count_series(&self) -> Option<&ServerSeries> {
        self.buckets.last().filter(|(_, upper, _)| upper.is_infinite()).map(|(_, _, s)| *s)
    }
}

/// What the JSON document says about a run's server time series (the points themselves are
/// in the dataset): so that a run whose Tachometer files exist is never silently without them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerMetricsSummary {
    /// Whether the files were read (`false` for `analyze --json`, which lists them only).
    pub read: bool,
    /// The Tachometer files chosen by the precedence rule, relative to the run directory.
    pub sources: Vec<String>,
    /// What the times count from (when read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_base: Option<ServerTimeBase>,
    /// Number of series (when read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<u64>,
    /// Number of points (when read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u64>,
    /// Distinct endpoints (when read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<u64>,
    /// Distinct metric names, sorted (when read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<String>,
    /// Earliest time (when read and not empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t_min: Option<f64>,
    /// Latest time (when read and not empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t_max: Option<f64>,
    /// Rows left out as copies across in-progress files (left out of the JSON when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub duplicate_rows: u64,
    /// Rows that could not be used (left out of the JSON when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skipped_rows: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ServerMetricsSummary {
    /// The summary of files found but not read.
    pub fn unread(sources: Vec<String>) -> Self {
        Self { read: false, sources, ..Self::default() }
    }
}

impl ServerMetrics {
    /// Number of points over all series.
    pub fn points(&self) -> usize {
        self.series.iter().map(|s| s.t.len()).sum()
    }

    /// The JSON document's summary of these series.
    pub fn summary(&self) -> ServerMetricsSummary {
        let mut metrics: Vec<String> = self.series.iter().map(|s| s.metric.clone()).collect();
        metrics.sort_unstable();
        metrics.dedup();
        let mut endpoints: Vec<&str> = self.series.iter().map(|s| s.worker.endpoint.as_str()).collect();
        endpoints.sort_unstable();
        endpoints.dedup();
        let times = self.series.iter().flat_map(|s| s.t.first().into_iter().chain(s.t.last()));
        let (t_min, t_max) = times.fold((None, None), |(lo, hi): (Option<f64>, Option<f64>), &t| {
            (Some(lo.map_or(t, |v| v.min(t))), Some(hi.map_or(t, |v| v.max(t))))
        });
        ServerMetricsSummary {
            read: true,
            sources: self.sources.clone(),
            time_base: Some(self.time_base),
            series: Some(self.series.len() as u64),
            points: Some(self.points() as u64),
            endpoints: Some(endpoints.len() as u64),
            metrics,
            t_min,
            t_max,
            duplicate_rows: self.duplicate_rows,
            skipped_rows: self.skipped_rows,
        }
    }

    /// The series of metric `name`.
    pub fn metric<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ServerSeries> + 'a {
        self.series.iter().filter(move |s| s.metric == name)
    }

    /// The histograms: bucket series grouped by worker, metric and labels, buckets ordered by
    /// `le`.
    pub fn histograms(&self) -> Vec<Histogram<'_>> {
        let mut groups: Vec<Histogram<'_>> = Vec::new();
        let mut index: std::collections::HashMap<HistogramKey<'_>, usize> = std::collections::HashMap::new();
        for s in self.series.iter() {
            let Some(le) = s.le else { continue };
            let key = (&s.worker, s.metric.as_str(), s.labels.as_slice());
            let i = *index.entry(key).or_insert_with(|| {
                groups.push(Histogram {
                    worker: &s.worker,
                    metric: &s.metric,
                    labels: &s.labels,
                    buckets: Vec::new(),
                });
                groups.len() - 1
            });
            if let Some(group) = groups.get_mut(i) {
                group.buckets.push((0.0, le, s));
            }
        }
        for g in &mut groups {
            g.buckets.sort_by(|a, b| a.1.total_cmp(&b.1));
            let mut lower = 0.0;
            for b in &mut g.buckets {
                b.0 = lower;
                lower = b.1;
            }
        }
        groups
    }

    /// GPU board power from the DCGM rows (metric `gpu_power` of a `dcgm_<node>` endpoint with
    /// a GPU), in watts, by host, GPU and time. Empty unless the times are Unix seconds: the
    /// energy engine lines samples up with benchmark windows in wall time.
    ///
    /// **The collision rule.** Tachometer's DCGM filter names every field containing `POWER`
    /// `gpu_power` and drops its labels, so `DCGM_FI_DEV_POWER_USAGE`, `POWER_MGMT_LIMIT` and
    /// `POWER_VIOLATION` arrive as identical rows but for the value. dcgm-exporter's default
    /// counters hold only `POWER_USAGE` (the real GB200 scrapes in `../shared/real/tachometer/`
    /// have exactly one `gpu_power` row per GPU per scrape, 165–180 W), so a GPU's scrape with
    /// one `gpu_power` row is its usage. A scrape with several rows for one GPU cannot be told
    /// apart (same name, labels and time; a limit and a violation counter have no tell-tale
    /// sign that holds on every GPU) and is left out; [`Self::ambiguous_power_scrapes`]
    /// counts them.
    pub fn gpu_power_samples(&self) -> Vec<GpuPowerSample> {
        let mut out = Vec::new();
        if self.time_base != ServerTimeBase::Unix {
            return out;
        }
        for s in self.power_series() {
            let (Some(host), Some(gpu)) = (&s.worker.host, s.worker.gpu) else { continue };
            let mut i = 0;
            while i < s.t.len() {
                let run = same_time_run(&s.t, i);
                if run == 1 {
                    if let (Some(&t), Some(&watts)) = (s.t.get(i), s.values.get(i)) {
                        out.push(GpuPowerSample { t_unix: t, host: host.clone(), gpu, watts });
                    }
                }
                i += run;
            }
        }
        out.sort_by(|a, b| {
            (a.host.as_str(), a.gpu).cmp(&(b.host.as_str(), b.gpu)).then(a.t_unix.total_cmp(&b.t_unix))
        });
        out
    }

    /// GPU scrapes left out of [`Self::gpu_power_samples`] because they hold more than one
    /// `gpu_power` row (the POWER_USAGE / POWER_MGMT_LIMIT / POWER_VIOLATION collision).
    pub fn ambiguous_power_scrapes(&self) -> usize {
        let mut n = 0;
        for s in self.power_series() {
            let mut i = 0;
            while i < s.t.len() {
                let run = same_time_run(&s.t, i);
                n += usize::from(run > 1);
                i += run;
            }
        }
        n
    }

    fn power_series(&self) -> impl Iterator<Item = &ServerSeries> {
        self.series
            .iter()
            .filter(|s| s.metric == "gpu_power" && s.worker.endpoint.starts_with("dcgm_") && s.le.is_none())
    }
}

/// How many consecutive entries from `i` share `t[i]` (at least 1).
fn same_time_run(t: &[f64], i: usize) -> usize {
    let Some(&first) = t.get(i) else { return 1 };
    t.get(i..).map_or(1, |rest| rest.iter().take_while(|&&x| x == first).count().max(1))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn dcgm(gpu: u32, t: Vec<f64>, values: Vec<f64>) -> ServerSeries {
        ServerSeries {
            worker: ServerWorker {
                endpoint: "dcgm_n1".into(),
                host: Some("n1".into()),
                gpu: Some(gpu),
                ..ServerWorker::default()
            },
            metric: "gpu_power".into(),
            t,
            values,
            ..ServerSeries::default()
        }
    }

    #[test]
    fn power_rows_one_per_scrape_are_usage_and_collisions_are_left_out() {
        let m = ServerMetrics {
            time_base: ServerTimeBase::Unix,
            series: vec![
                dcgm(1, vec![10.0, 11.0, 11.0, 11.0, 12.0], vec![300.0, 310.0, 1200.0, 0.0, 320.0]),
                dcgm(0, vec![10.0], vec![250.5]),
            ],
            ..ServerMetrics::default()
        };
        let got: Vec<(u32, f64, f64)> =
            m.gpu_power_samples().iter().map(|s| (s.gpu, s.t_unix, s.watts)).collect();
        assert_eq!(got, vec![(0, 10.0, 250.5), (1, 10.0, 300.0), (1, 12.0, 320.0)]);
        assert_eq!(m.ambiguous_power_scrapes(), 1);
        let relative = ServerMetrics { time_base: ServerTimeBase::SinceScraperStart, ..m };
        assert!(relative.gpu_power_samples().is_empty());
    }

    #[test]
    fn histograms_rebuild_lower_bounds_from_le() {
        let bucket = |le: f64, v: f64| ServerSeries {
            metric: "ttft".into(),
            le: Some(le),
            t: vec![1.0],
            values: vec![v],
            ..ServerSeries::default()
        };
        let m = ServerMetrics {
            series: vec![bucket(f64::INFINITY, 5.0), bucket(0.5, 2.0), bucket(0.1, 1.0)],
            ..ServerMetrics::default()
        };
        let h = m.histograms();
        assert_eq!(h.len(), 1);
        let bounds: Vec<(f64, f64, f64)> =
            h[0].buckets.iter().map(|(l, u, s)| (*l, *u, s.values[0])).collect();
        assert_eq!(bounds, vec![(0.0, 0.1, 1.0), (0.1, 0.5, 2.0), (0.5, f64::INFINITY, 5.0)]);
        assert_eq!(h[0].count_series().unwrap().values, vec![5.0]);
        assert_eq!(m.series[0].labels_text(), "");
        let labelled = ServerSeries {
            labels: vec![("a".into(), "q\"u,o}te\\".into()), ("b".into(), "x\ny".into())],
            ..ServerSeries::default()
        };
        assert_eq!(parse_labels(&labelled.labels_text()), labelled.labels);
        assert_eq!(
            parse_labels("fstype=xfs,mount=root}"),
            vec![("fstype".into(), "xfs".into()), ("mount".into(), "root".into())]
        );
    }

    #[test]
    fn summary_counts_and_ranges() {
        let m = ServerMetrics {
            series: vec![dcgm(0, vec![2.0, 3.0], vec![1.0, 2.0]), dcgm(1, vec![1.0], vec![1.0])],
            sources: vec!["logs/tachometer/final.parquet".into()],
            ..ServerMetrics::default()
        };
        let s = m.summary();
        assert_eq!((s.series, s.points, s.endpoints), (Some(2), Some(3), Some(1)));
        assert_eq!((s.t_min, s.t_max), (Some(1.0), Some(3.0)));
        assert_eq!(s.metrics, vec!["gpu_power".to_owned()]);
        assert!(s.read);
    }
}
