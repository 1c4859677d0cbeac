//! aiperf's per-request `profile_export.jsonl`: a streaming reader into [`RequestRecord`]s, the
//! per-concurrency statistics recomputed from them, and where a run keeps these files.
//!
//! One line is one request (FORMATS-2 §2.2). Two layouts exist and both are read:
//! - **old** (aiperf ≈0.1, Oct 2025): `metadata.timestamp_ns` (start) and `credit_phase`; metric
//!   tags `ttft`, `ttst`; start/end also as the per-record metrics `min_request_timestamp` /
//!   `max_response_timestamp` (unit `ns`); no ack, no `was_cancelled`.
//! - **new**: `metadata.request_start_ns` / `request_ack_ns` / `request_end_ns`,
//!   `benchmark_phase`, `was_cancelled`; tags `time_to_first_token`, `time_to_second_token`,
//!   `time_to_first_output_token`, `prefill_throughput` (later `prefill_throughput_per_user`).
//!
//! Files reach millions of lines, so [`read_records`] takes a `BufRead` and parses one line at a
//! time into a struct that names only the fields it keeps; everything else (the
//! `inter_chunk_latency` arrays above all) is skipped by serde without being built. A malformed
//! line is counted and named (`file:line`), never fatal; a last line without its newline that
//! does not parse is counted as cut (aiperf still writing), not as malformed.
//!
//! [`recompute_stats`] applies aiperf's reader rule (profiling phase, no error) and its
//! statistics: mean, population standard deviation, and percentiles by linear interpolation
//! between closest ranks (numpy's default), which reproduce the export's own figures.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::LazyLock;

use regex::Regex;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use srtlog_model::{join_path, RequestError, RequestPhase, RequestRecord, RunFiles};

use crate::aiperf::time_to_ms;

/// The per-request file's name inside an aiperf artifact directory.
pub const RECORDS_FILE: &str = "profile_export.jsonl";

/// How many malformed lines of one file are named one by one; the rest are only counted.
const NAMED_LINES: usize = 10;

/// What reading one `profile_export.jsonl` found besides its records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Records pushed (one per well-formed line).
    pub records: usize,
    /// Of those, records with an error.
    pub errors: usize,
    /// Lines that were not a request record (bad JSON, not an object, wrong types).
    pub malformed: usize,
    /// Whether the last line was cut short (no newline and not parseable).
    pub cut: bool,
    /// Empty lines, skipped.
    pub blank: usize,
    /// Problems worth telling the user, each naming the file (and line).
    pub diagnostics: Vec<String>,
}

/// A metric value: an integer is kept exact (epoch ns overflow an `f64`'s mantissa).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// `value` of a metric: a number, or something else (a list, null) that this reader does not use.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Value(Option<Num>);

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a metric value")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value(Some(Num::Int(v))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value(Some(i64::try_from(v).map_or(Num::Float(v as f64), Num::Int))))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Ok(Value(Some(Num::Float(v))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Value(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `{"value": ..., "unit": ...}`.
#[derive(Debug, Deserialize)]
struct Metric {
    value: Value,
    #[serde(default)]
    unit: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Metadata {
    request_start_ns: Option<i64>,
    request_ack_ns: Option<i64>,
    request_end_ns: Option<i64>,
    /// Old layout: the request's start.
    timestamp_ns: Option<i64>,
    benchmark_phase: Option<String>,
    /// Old layout's name for the phase.
    credit_phase: Option<String>,
    was_cancelled: Option<bool>,
}

/// The metric tags kept; every other tag is skipped unparsed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Metrics {
    #[serde(alias = "ttft")]
    time_to_first_token: Option<Metric>,
    #[serde(alias = "ttst")]
    time_to_second_token: Option<Metric>,
    time_to_first_output_token: Option<Metric>,
    request_latency: Option<Metric>,
    inter_token_latency: Option<Metric>,
    input_sequence_length: Option<Metric>,
    output_token_count: Option<Metric>,
    reasoning_token_count: Option<Metric>,
    output_sequence_length: Option<Metric>,
    #[serde(alias = "prefill_throughput_per_user")]
    prefill_throughput: Option<Metric>,
    min_request_timestamp: Option<Metric>,
    max_response_timestamp: Option<Metric>,
}

#[derive(Debug, Deserialize)]
struct ErrorDetails {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default, rename = "type")]
    error_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Line {
    /// Required: a line without it (`{}`) is not a request record.
    metadata: Metadata,
    #[serde(default)]
    metrics: Metrics,
    #[serde(default)]
    error: Option<ErrorDetails>,
}

/// Converts one line's metrics; a value in a unit this reader does not know is dropped and
/// reported once per file and tag in `unknown`.
struct Converter<'a> {
    unknown: &'a mut BTreeMap<String, String>,
}

impl Converter<'_> {
    fn note(&mut self, tag: &str, unit: &str) {
        self.unknown.entry(tag.to_owned()).or_insert_with(|| unit.to_owned());
    }

    /// A duration in ms; no unit means aiperf's display unit, ms.
    fn ms(&mut self, tag: &str, m: &Option<Metric>) -> Option<f64> {
        let m = m.as_ref()?;
        let v = m.value.0?.as_f64();
        match m.unit.as_deref() {
            None => Some(v),
            Some(u) => match time_to_ms(u) {
                Some(f) => Some(v * f),
                None => {
                    self.note(tag, u);
                    None
                }
            },
        }
    }

    /// A token count: a non-negative whole number.
    fn tokens(&mut self, tag: &str, m: &Option<Metric>) -> Option<u64> {
        let m = m.as_ref()?;
        match m.value.0? {
            Num::Int(i) => u64::try_from(i).ok(),
            Num::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < u64::MAX as f64 => Some(f as u64),
            Num::Float(_) => {
                self.note(tag, "a fractional or negative token count");
                None
            }
        }
    }

    /// Tokens per second (aiperf writes `tokens/sec`).
    fn per_s(&mut self, tag: &str, m: &Option<Metric>) -> Option<f64> {
        let m = m.as_ref()?;
        let v = m.value.0?.as_f64();
        let Some(unit) = m.unit.as_deref() else { return Some(v) };
        let per = unit.rsplit('/').next().unwrap_or("");
        match time_to_ms(per) {
            Some(ms) => Some(v * 1000.0 / ms),
            None => {
                self.note(tag, unit);
                None
            }
        }
    }

    /// An epoch timestamp in ns (the old layout's `min_request_timestamp`, unit `ns`).
    fn epoch_ns(&mut self, tag: &str, m: &Option<Metric>) -> Option<i64> {
        let m = m.as_ref()?;
        let v = m.value.0?;
        match (v, m.unit.as_deref().map(str::trim)) {
            (Num::Int(i), None | Some("ns")) => Some(i),
            (v, Some(u)) => match time_to_ms(u) {
                Some(f) => Some((v.as_f64() * f * 1e6).round() as i64),
                None => {
                    self.note(tag, u);
                    None
                }
            },
            (Num::Float(f), None) => Some(f.round() as i64),
        }
    }
}

fn to_record(line: Line, concurrency: Option<u32>, conv: &mut Converter<'_>) -> RequestRecord {
    let Line { metadata: md, metrics: m, error } = line;
    let start_ns = md
        .request_start_ns
        .or(md.timestamp_ns)
        .or_else(|| conv.epoch_ns("min_request_timestamp", &m.min_request_timestamp));
    let end_ns =
        md.request_end_ns.or_else(|| conv.epoch_ns("max_response_timestamp", &m.max_response_timestamp));
    RequestRecord {
        concurrency,
        start_ns,
        ack_ns: md.request_ack_ns,
        end_ns,
        phase: md.benchmark_phase.or(md.credit_phase).map(|p| RequestPhase::from_name(&p)),
        ttft_ms: conv.ms("time_to_first_token", &m.time_to_first_token),
        ttst_ms: conv.ms("time_to_second_token", &m.time_to_second_token),
        ttfo_ms: conv.ms("time_to_first_output_token", &m.time_to_first_output_token),
        request_latency_ms: conv.ms("request_latency", &m.request_latency),
        inter_token_latency_ms: conv.ms("inter_token_latency", &m.inter_token_latency),
        input_tokens: conv.tokens("input_sequence_length", &m.input_sequence_length),
        output_tokens: conv.tokens("output_token_count", &m.output_token_count),
        reasoning_tokens: conv.tokens("reasoning_token_count", &m.reasoning_token_count),
        output_sequence_length: conv.tokens("output_sequence_length", &m.output_sequence_length),
        prefill_tps: conv.per_s("prefill_throughput", &m.prefill_throughput),
        error: error.map(|e| RequestError { code: e.code, error_type: e.error_type }),
        was_cancelled: md.was_cancelled,
    }
}

/// Reads `profile_export.jsonl` from `reader` line by line and pushes one record per request
/// onto `out`, each tagged with `concurrency`. `file` names the file in diagnostics. Never
/// fails: bad lines are counted, and a read error ends the file with a diagnostic.
pub fn read_records<R: BufRead>(
    mut reader: R,
    file: &str,
    concurrency: Option<u32>,
    out: &mut Vec<RequestRecord>,
) -> ReadStats {
    let mut stats = ReadStats::default();
    let mut unknown = BTreeMap::new();
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                stats.diagnostics.push(format!("{file}: read error after line {line_no}: {e}"));
                break;
            }
        }
        line_no += 1;
        let complete = buf.last() == Some(&b'\n');
        let text = buf.trim_ascii();
        if text.is_empty() {
            stats.blank += 1;
            continue;
        }
        match serde_json::from_slice::<Line>(text) {
            Ok(line) => {
                let rec = to_record(line, concurrency, &mut Converter { unknown: &mut unknown });
                stats.errors += usize::from(rec.error.is_some());
                stats.records += 1;
                out.push(rec);
            }
            Err(e) if !complete && e.is_eof() => {
                stats.cut = true;
                stats.diagnostics.push(format!(
                    "{file}:{line_no}: last line cut short (file still being written?); not read"
                ));
            }
            Err(e) => {
                stats.malformed += 1;
                if stats.malformed <= NAMED_LINES {
                    stats.diagnostics.push(format!("{file}:{line_no}: not a request record: {e}"));
                }
            }
        }
    }
    if stats.malformed > NAMED_LINES {
        stats.diagnostics.push(format!(
            "{file}: {} malformed lines in all ({} more not named)",
            stats.malformed,
            stats.malformed - NAMED_LINES
        ));
    }
    for (tag, unit) in unknown {
        stats.diagnostics.push(format!("{file}: metric {tag} in unknown unit {unit:?}; its values left out"));
    }
    stats
}

/// The percentiles aiperf exports (`p1` … `p99`).
pub const PERCENTILES: [u8; 9] = [1, 5, 10, 25, 50, 75, 90, 95, 99];

/// Summary of one metric over a point's counted requests, as aiperf computes it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricStats {
    /// Values summarised.
    pub count: usize,
    /// Arithmetic mean.
    pub avg: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Population standard deviation (numpy's `std`, ddof 0).
    pub std: f64,
    /// `(p, value)` for each of [`PERCENTILES`].
    pub percentiles: Vec<(u8, f64)>,
}

impl MetricStats {
    /// Summarises `values` (any order); `None` when there are none.
    pub fn of(mut values: Vec<f64>) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let avg = values.iter().sum::<f64>() / n as f64;
        let var = values.iter().map(|v| (v - avg) * (v - avg)).sum::<f64>() / n as f64;
        let percentiles =
            PERCENTILES.iter().map(|&p| (p, percentile_sorted(&values, f64::from(p)))).collect();
        Some(MetricStats { count: n, avg, min: values[0], max: values[n - 1], std: var.sqrt(), percentiles })
    }

    /// The value of percentile `p`, when it is one of [`PERCENTILES`].
    pub fn p(&self, p: u8) -> Option<f64> {
        self.percentiles.iter().find(|(q, _)| *q == p).map(|(_, v)| *v)
    }
}

/// numpy's default (`linear`) percentile of sorted, non-empty `sorted`: the value at rank
/// `p/100 · (n−1)`, interpolated between the two closest ranks.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    let rank = p / 100.0 * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
}

/// Per-concurrency figures recomputed from the records of one point.
#[derive(Debug, Clone, PartialEq)]
pub struct PointStats {
    /// The point's concurrency (`None`: records without one).
    pub concurrency: Option<u32>,
    /// Requests aiperf counts: profiling phase, no error (its `request_count`).
    pub requests: usize,
    /// Profiling-phase requests with an error (its `error_request_count`).
    pub errors: usize,
    /// Time to first token.
    pub ttft_ms: Option<MetricStats>,
    /// Time to first output token.
    pub ttfo_ms: Option<MetricStats>,
    /// End-to-end latency.
    pub request_latency_ms: Option<MetricStats>,
    /// Per-request inter-token latency.
    pub inter_token_latency_ms: Option<MetricStats>,
    /// Measured window: earliest start and latest end of the counted requests, epoch ns.
    pub window_ns: Option<(i64, i64)>,
}

/// Groups `records` by concurrency (ascending, `None` last) and recomputes each point's figures
/// from the requests aiperf counts (profiling phase, no error).
pub fn recompute_stats(records: &[RequestRecord]) -> Vec<PointStats> {
    let mut groups: BTreeMap<(bool, Option<u32>), Vec<&RequestRecord>> = BTreeMap::new();
    for r in records {
        groups.entry((r.concurrency.is_none(), r.concurrency)).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|((_, concurrency), recs)| {
            let counted: Vec<&RequestRecord> =
                recs.iter().copied().filter(|r| r.counts_for_metrics()).collect();
            let errors = recs
                .iter()
                .filter(|r| r.error.is_some() && matches!(r.phase, None | Some(RequestPhase::Profiling)))
                .count();
            let stats = |f: fn(&RequestRecord) -> Option<f64>| {
                MetricStats::of(counted.iter().filter_map(|r| f(r)).collect())
            };
            let start = counted.iter().filter_map(|r| r.start_ns).min();
            let end = counted.iter().filter_map(|r| r.end_ns).max();
            PointStats {
                concurrency,
                requests: counted.len(),
                errors,
                ttft_ms: stats(|r| r.ttft_ms),
                ttfo_ms: stats(|r| r.ttfo_ms),
                request_latency_ms: stats(|r| r.request_latency_ms),
                inter_token_latency_ms: stats(|r| r.inter_token_latency_ms),
                window_ns: start.zip(end),
            }
        })
        .collect()
}

/// Where aiperf artifact directories sit in a run (the same bases as [`crate::aiperf`]).
const ARTIFACT_BASES: [&str; 2] = ["logs/artifacts", "artifacts"];

/// `_c<C>_` (aiperf-bench `<model>_isl<I>_osl<O>_c<C>_<TS>`) or `conc_<C>` (aiperf, agentic).
static CONCURRENCY_IN_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|_)c(?P<a>\d+)(?:_|$)|^conc_(?P<b>\d+)$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// The concurrency a directory name states, if any.
fn concurrency_of_dir(name: &str) -> Option<u32> {
    let c = CONCURRENCY_IN_NAME.captures(name)?;
    c.name("a").or_else(|| c.name("b"))?.as_str().parse().ok()
}

/// Every `profile_export.jsonl` under the run's aiperf artifact directories (`logs/artifacts/`,
/// `artifacts/`, at any depth: `conc_<C>/`, `conc_<C>/aiperf_artifacts/`), warm-up
/// directories (any path part starting with `warmup`) excluded, in path order, each with the
/// concurrency its directory names state (the nearest such directory wins). When that is
/// `None`, the sibling export's `input_config.loadgen.concurrency` is the fallback
/// ([`concurrency_from_export`]).
pub fn request_files(files: &RunFiles) -> Vec<(String, Option<u32>)> {
    ARTIFACT_BASES
        .iter()
        .flat_map(|base| files.under(base).iter().map(move |e| (base, e)))
        .filter(|(_, e)| e.is_file() && e.name() == RECORDS_FILE)
        .filter_map(|(base, e)| {
            let rel = e.path.strip_prefix(base)?.trim_start_matches('/');
            let dirs: Vec<&str> = rel.split('/').collect();
            let dirs = &dirs[..dirs.len() - 1];
            if dirs.iter().any(|d| d.to_ascii_lowercase().starts_with("warmup")) {
                return None;
            }
            let conc = dirs.iter().rev().find_map(|d| concurrency_of_dir(d));
            Some((e.path.clone(), conc))
        })
        .collect()
}

/// The export beside a `profile_export.jsonl` (`profile_export_aiperf.json`), to read the
/// concurrency from when the directory name does not state it.
pub fn sibling_export(records_path: &str) -> String {
    join_path(srtlog_model::parent_of(records_path), crate::aiperf::EXPORT_FILE)
}

/// `input_config.loadgen.concurrency` of an export's bytes, when it parses and says.
pub fn concurrency_from_export(bytes: &[u8]) -> Option<u32> {
    crate::aiperf::parse_export(bytes).ok()?.concurrency
}

#[cfg(test)]
mod tests {
    use super::*;
    use srtlog_model::FileEntry;

    fn read(text: &str) -> (Vec<RequestRecord>, ReadStats) {
        let mut out = Vec::new();
        let stats = read_records(text.as_bytes(), "x/profile_export.jsonl", Some(4), &mut out);
        (out, stats)
    }

    #[test]
    fn new_layout_line_with_warmup_and_cancel() {
        let line = r#"{"metadata":{"request_start_ns":1000000000000000001,"request_ack_ns":1000000000000000002,"request_end_ns":1000000000000000009,"benchmark_phase":"warmup","was_cancelled":true},"metrics":{"time_to_first_token":{"value":1.5,"unit":"s"},"inter_chunk_latency":{"value":[1.0,2.0],"unit":"ms"},"prefill_throughput_per_user":{"value":2.0,"unit":"tokens/ms"},"output_token_count":{"value":7,"unit":"tokens"}},"error":null}"#;
        let (recs, stats) = read(&format!("{line}\n"));
        assert_eq!(stats, ReadStats { records: 1, ..Default::default() });
        let r = &recs[0];
        assert_eq!(
            (r.start_ns, r.ack_ns, r.end_ns),
            (Some(1000000000000000001), Some(1000000000000000002), Some(1000000000000000009))
        );
        assert_eq!(r.phase, Some(RequestPhase::Warmup));
        assert_eq!(r.ttft_ms, Some(1500.0));
        assert_eq!(r.prefill_tps, Some(2000.0));
        assert_eq!(r.output_tokens, Some(7));
        assert_eq!(r.reasoning_tokens, None);
        assert_eq!(r.was_cancelled, Some(true));
        assert_eq!(r.concurrency, Some(4));
        assert!(!r.counts_for_metrics());
    }

    #[test]
    fn malformed_cut_blank_and_unknown_unit() {
        let good = r#"{"metadata":{"timestamp_ns":5,"credit_phase":"profiling"},"metrics":{"ttft":{"value":3,"unit":"fortnights"}},"error":{"code":null,"type":"Boom","message":"m"}}"#;
        let text = format!("{good}\nnot json\n\n[1,2]\n{good}\n{{\"metadata\":{{\"timesta");
        let (recs, stats) = read(&text);
        assert_eq!(
            (stats.records, stats.errors, stats.malformed, stats.blank, stats.cut),
            (2, 2, 2, 1, true)
        );
        assert!(stats
            .diagnostics
            .iter()
            .any(|d| d.starts_with("x/profile_export.jsonl:2: not a request record")));
        assert!(stats
            .diagnostics
            .iter()
            .any(|d| d.starts_with("x/profile_export.jsonl:4: not a request record")));
        assert!(stats
            .diagnostics
            .iter()
            .any(|d| d.starts_with("x/profile_export.jsonl:6: last line cut short")));
        assert!(stats
            .diagnostics
            .iter()
            .any(|d| d.contains("metric time_to_first_token in unknown unit \"fortnights\"")));
        assert_eq!(recs[0].ttft_ms, None);
        assert_eq!(recs[0].start_ns, Some(5));
        assert_eq!(recs[0].error, Some(RequestError { code: None, error_type: Some("Boom".into()) }));
    }

    #[test]
    fn a_cut_line_that_is_complete_json_is_a_record() {
        let (recs, stats) = read(r#"{"metadata":{},"metrics":{}}"#);
        assert_eq!((recs.len(), stats.cut), (1, false));
        assert_eq!(recs[0], RequestRecord { concurrency: Some(4), ..Default::default() });
    }

    #[test]
    fn percentiles_follow_numpy_linear() {
        let s = MetricStats::of(vec![4.0, 1.0, 3.0, 2.0]).unwrap();
        // numpy.percentile([1,2,3,4], 50) = 2.5, 90 -> 3.7, 1 -> 1.03; std (ddof 0) = sqrt(1.25)
        assert_eq!(s.p(50), Some(2.5));
        assert!((s.p(90).unwrap() - 3.7).abs() < 1e-12);
        assert!((s.p(1).unwrap() - 1.03).abs() < 1e-12);
        assert!((s.std - 1.25f64.sqrt()).abs() < 1e-12);
        assert_eq!((s.min, s.max, s.avg, s.count), (1.0, 4.0, 2.5, 4));
        assert_eq!(MetricStats::of(vec![]), None);
        assert_eq!(MetricStats::of(vec![7.0]).unwrap().p(99), Some(7.0));
    }

    #[test]
    fn request_files_skip_warmup_and_read_concurrency_from_names() {
        let f = |p: &str| FileEntry::file(p, 1, 0);
        let files = RunFiles::new(
            "/run",
            vec![
                f("logs/artifacts/warmup/profile_export.jsonl"),
                f("logs/artifacts/Qwen3-32B_isl1024_osl128_c16_20251201_101010/profile_export.jsonl"),
                f("logs/artifacts/conc_8/profile_export.jsonl"),
                f("logs/artifacts/conc_32/aiperf_artifacts/profile_export.jsonl"),
                f("logs/artifacts/custom/profile_export.jsonl"),
                f("logs/artifacts/conc_8/profile_export_aiperf.json"),
                f("logs/benchmark.out"),
            ],
        );
        assert_eq!(
            request_files(&files),
            vec![
                (
                    "logs/artifacts/Qwen3-32B_isl1024_osl128_c16_20251201_101010/profile_export.jsonl"
                        .to_owned(),
                    Some(16)
                ),
                ("logs/artifacts/conc_32/aiperf_artifacts/profile_export.jsonl".to_owned(), Some(32)),
                ("logs/artifacts/conc_8/profile_export.jsonl".to_owned(), Some(8)),
                ("logs/artifacts/custom/profile_export.jsonl".to_owned(), None),
            ]
        );
        assert_eq!(
            sibling_export("logs/artifacts/custom/profile_export.jsonl"),
            "logs/artifacts/custom/profile_export_aiperf.json"
        );
    }
}
