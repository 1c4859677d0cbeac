//! srt-slurm's rollups: `logs/benchmark-rollup.json` / `.csv` (written by each benchmark type's
//! `rollup.py` at postprocess) and the older `rollup.json` with a `profiler_results` section.
//!
//! A rollup is a summary of the result files, so srtlog reads it only as the last fallback (no
//! result file and no `benchmark.out` block usable) and as a cross-check of the result files
//! (`srtlog_model::parse_run_results`). Every shape FORMATS-2 §4 describes is read:
//!
//! - `{"benchmark_type", "runs": [{concurrency, throughput_toks, request_throughput,
//!   ttft_mean_ms, ttft_p99_ms, tpot_mean_ms, tpot_p99_ms, itl_mean_ms, itl_p99_ms,
//!   e2el_mean_ms, completed_requests, total_input_tokens, total_output_tokens}]}` — sa-bench,
//!   aiperf (PR275) and both mlperf generations. Old sa-bench rollups (before srt-slurm
//!   4fdecffa) have `null` token totals and p99s: null is unknown, never zero;
//! - `{"benchmark_type": "mooncake-router" | "agentx", "data": <a whole profile_export_aiperf.json>}`:
//!   the export is read as aiperf's own;
//! - `{"profiler_metadata": {"profiler_type"}, "profiler_results": {"concurrency_values": [..],
//!   "<metric>": [..]}}` (the older `rollup.json`, metric names as srtlog's; a concurrency of 0
//!   there is an open-loop run);
//! - the CSV, `Config,Total GPU Count,Decode GPU Count,[3 "Working" counts],Concurrency,Total
//!   Token Throughput,Output Token Throughput,Median TTFT,Median TPOT,Median ITL,P90 Decode
//!   Running Requests,Output Token Throughput per User,Total Token Throughput per GPU`, read by
//!   header name. The GPU counts and the running-request percentile go to `other_metrics`
//!   (`rollup_total_gpu_count`, ...); the per-user and per-GPU rates are derived by srtlog
//!   itself and are not copied.
//!
//! aiperf rollups write aiperf's `inter_token_latency` (a TPOT) under both `tpot_*` and
//! `itl_*` (FORMATS-2 §4.4): for the aiperf-based benchmark types the ITL columns are dropped,
//! as srtlog's aiperf parser fills ITL from `inter_chunk_latency` only.

use std::collections::BTreeMap;

use serde_json::Value;
use srtlog_model::{with_point_metrics, BenchmarkPoint, ProfilerResults, ResultSource};

use crate::aiperf;
use crate::common::as_count;

/// A value converted from a rollup's JSON number to a metric field's type.
trait FromRollup: Sized {
    fn from_rollup(v: f64) -> Option<Self>;
}

impl FromRollup for f64 {
    fn from_rollup(v: f64) -> Option<Self> {
        v.is_finite().then_some(v)
    }
}

impl FromRollup for u64 {
    fn from_rollup(v: f64) -> Option<Self> {
        as_count(v.round()).filter(|_| (v - v.round()).abs() < 1e-6)
    }
}

macro_rules! metric_setter {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty ),+ $(,)?) => {
        /// Sets the metric named `name` (a srtlog metric name) of `point`; `false` when there is
        /// no such metric or the value does not fit its type.
        fn set_metric(point: &mut BenchmarkPoint, name: &str, v: f64) -> bool {
            match name {
                $( stringify!($field) => match <$ty as FromRollup>::from_rollup(v) {
                    Some(x) => { point.$field = Some(x); true }
                    None => false,
                }, )+
                _ => false,
            }
        }
    };
}

with_point_metrics!(metric_setter! {});

/// The `runs[]` keys of srt-slurm's rollups and the srtlog metric each is.
const RUN_KEYS: [(&str, &str); 15] = [
    ("throughput_toks", "output_tps"),
    ("request_throughput", "request_throughput"),
    ("ttft_mean_ms", "mean_ttft_ms"),
    ("ttft_median_ms", "median_ttft_ms"),
    ("ttft_p99_ms", "p99_ttft_ms"),
    ("tpot_mean_ms", "mean_tpot_ms"),
    ("tpot_median_ms", "median_tpot_ms"),
    ("tpot_p99_ms", "p99_tpot_ms"),
    ("itl_mean_ms", "mean_itl_ms"),
    ("itl_p99_ms", "p99_itl_ms"),
    ("e2el_mean_ms", "mean_e2el_ms"),
    ("e2el_p99_ms", "p99_e2el_ms"),
    ("completed_requests", "completed"),
    ("total_input_tokens", "total_input_tokens"),
    ("total_output_tokens", "total_output_tokens"),
];

/// A concurrency as a rollup writes it: a positive whole number; 0 or null is an open-loop run.
fn concurrency_of(v: Option<&Value>) -> Result<Option<u32>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let n = v.as_f64().ok_or_else(|| format!("concurrency {v} is not a number"))?;
            if n == 0.0 {
                return Ok(None);
            }
            as_count(n)
                .and_then(|c| u32::try_from(c).ok())
                .map(Some)
                .ok_or_else(|| format!("concurrency {n} is not a whole number"))
        }
    }
}

/// Reads a rollup (`path` decides JSON or CSV; `itl_is_tpot` for the aiperf-based types).
pub fn parse_rollup(path: &str, bytes: &[u8], itl_is_tpot: bool) -> Result<ProfilerResults, String> {
    let mut results = if path.ends_with(".csv") {
        parse_csv(&String::from_utf8_lossy(bytes))?
    } else {
        let clean = srtlog_model::python_json::sanitize(bytes);
        let value: Value = serde_json::from_slice(&clean).map_err(|e| format!("invalid JSON: {e}"))?;
        parse_json(&value)?
    };
    if itl_is_tpot {
        for p in &mut results.points {
            p.mean_itl_ms = None;
            p.median_itl_ms = None;
            p.p99_itl_ms = None;
            p.std_itl_ms = None;
        }
    }
    results.source = (!results.points.is_empty()).then_some(ResultSource::Rollup);
    results.sort();
    Ok(results)
}

fn parse_json(value: &Value) -> Result<ProfilerResults, String> {
    let obj = value.as_object().ok_or("not a JSON object")?;
    if let Some(runs) = obj.get("runs") {
        let runs = runs.as_array().ok_or("`runs` is not a list")?;
        let mut points = Vec::new();
        for (i, run) in runs.iter().enumerate() {
            let run = run.as_object().ok_or_else(|| format!("runs[{i}] is not an object"))?;
            let mut p = BenchmarkPoint {
                concurrency: concurrency_of(run.get("concurrency")).map_err(|e| format!("runs[{i}]: {e}"))?,
                ..Default::default()
            };
            for (key, metric) in RUN_KEYS {
                if let Some(v) = run.get(key).and_then(Value::as_f64) {
                    if !set_metric(&mut p, metric, v) {
                        return Err(format!("runs[{i}].{key}: {v} is not a valid {metric}"));
                    }
                }
            }
            points.push(p);
        }
        return Ok(ProfilerResults { points, ..Default::default() });
    }
    if let Some(data) = obj.get("data").filter(|d| d.is_object()) {
        // A whole aiperf export (mooncake-router, agentx).
        let bytes = serde_json::to_vec(data).map_err(|e| e.to_string())?;
        let export = aiperf::parse_export(&bytes).map_err(|e| format!("`data`: {e}"))?;
        let mut warnings = Vec::new();
        let mut point = aiperf::to_point(&export, &mut warnings);
        if export.fixed_schedule {
            point.concurrency = None;
        }
        return Ok(ProfilerResults { points: vec![point], warnings, ..Default::default() });
    }
    if let Some(cols) = obj.get("profiler_results") {
        return parse_columns(cols);
    }
    Err("not a rollup: no `runs`, `data` or `profiler_results`".to_owned())
}

/// The older `rollup.json`'s `profiler_results`: columns named as srtlog's metrics.
fn parse_columns(cols: &Value) -> Result<ProfilerResults, String> {
    let cols = cols.as_object().ok_or("`profiler_results` is not an object")?;
    let concurrencies = cols
        .get("concurrency_values")
        .and_then(Value::as_array)
        .ok_or("`profiler_results` has no `concurrency_values` list")?;
    let mut points = Vec::new();
    for (i, c) in concurrencies.iter().enumerate() {
        points.push(BenchmarkPoint { concurrency: concurrency_of(Some(c))?, ..Default::default() });
        for (name, column) in cols {
            if name == "concurrency_values" {
                continue;
            }
            let Some(v) = column.as_array().and_then(|a| a.get(i)).and_then(Value::as_f64) else { continue };
            let p = points.last_mut().ok_or("no point")?;
            if !set_metric(p, name, v) {
                p.other_metrics.insert(format!("rollup_{name}"), v);
            }
        }
    }
    Ok(ProfilerResults { points, ..Default::default() })
}

/// The CSV headers srtlog maps to its own metrics.
const CSV_METRICS: [(&str, &str); 5] = [
    ("Total Token Throughput", "total_tps"),
    ("Output Token Throughput", "output_tps"),
    ("Median TTFT", "median_ttft_ms"),
    ("Median TPOT", "median_tpot_ms"),
    ("Median ITL", "median_itl_ms"),
];

/// Headers derived from the others (srtlog derives them itself from the run's metadata).
const CSV_DERIVED: [&str; 2] = ["Output Token Throughput per User", "Total Token Throughput per GPU"];

/// Splits one CSV line (Python's `csv` module: quotes only around fields that need them).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// `Total GPU Count` → `rollup_total_gpu_count`.
fn snake(header: &str) -> String {
    let words: Vec<String> = header
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("rollup_{}", words.join("_"))
}

fn parse_csv(text: &str) -> Result<ProfilerResults, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = csv_fields(lines.next().ok_or("empty CSV")?.trim_end_matches('\r'));
    let at = |name: &str| header.iter().position(|h| h.trim() == name);
    let concurrency_col = at("Concurrency").ok_or("CSV has no `Concurrency` column")?;
    let mut points = Vec::new();
    for (row, line) in lines.enumerate() {
        let fields = csv_fields(line.trim_end_matches('\r'));
        if fields.len() != header.len() {
            return Err(format!(
                "CSV row {} has {} fields, the header {}",
                row + 2,
                fields.len(),
                header.len()
            ));
        }
        let number = |i: usize| -> Result<Option<f64>, String> {
            let t = fields[i].trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<f64>().map(Some).map_err(|_| format!("CSV row {}: {:?} is not a number", row + 2, t))
        };
        let mut p = BenchmarkPoint {
            concurrency: concurrency_of(number(concurrency_col)?.map(Value::from).as_ref())?,
            ..Default::default()
        };
        let mut other = BTreeMap::new();
        for (i, h) in header.iter().enumerate() {
            let h = h.trim();
            if i == concurrency_col || h == "Config" || CSV_DERIVED.contains(&h) {
                continue;
            }
            let Some(v) = number(i)? else { continue };
            match CSV_METRICS.iter().find(|(name, _)| *name == h) {
                Some((_, metric)) => {
                    if !set_metric(&mut p, metric, v) {
                        return Err(format!("CSV row {}: {h} {v} is not valid", row + 2));
                    }
                }
                None => {
                    other.insert(snake(h), v);
                }
            }
        }
        p.other_metrics = other;
        points.push(p);
    }
    Ok(ProfilerResults { points, ..Default::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sa_bench_rollup_runs_with_old_nulls() {
        // Shape of srt-slurm's sa-bench rollup before 4fdecffa: null p99s and token totals.
        let text = br#"{"benchmark_type": "sa-bench", "timestamp": "2026-03-01T10:00:00.000001Z",
          "config": {"model": "m", "isl": null, "osl": null},
          "runs": [{"concurrency": 64, "throughput_toks": 5123.4, "request_throughput": 4.9,
            "ttft_mean_ms": 812.0, "ttft_p99_ms": null, "tpot_mean_ms": 11.2, "tpot_p99_ms": null,
            "itl_mean_ms": 11.1, "itl_p99_ms": null, "e2el_mean_ms": 12345.0,
            "completed_requests": 640, "total_input_tokens": null, "total_output_tokens": null},
           {"concurrency": 8, "throughput_toks": 900.5, "completed_requests": 80}]}"#;
        let r = parse_rollup("logs/benchmark-rollup.json", text, false).unwrap();
        assert_eq!(r.source, Some(ResultSource::Rollup));
        assert_eq!(r.concurrencies(), vec![8, 64]);
        let p = &r.points[1];
        assert_eq!(
            (p.output_tps, p.request_throughput, p.mean_ttft_ms),
            (Some(5123.4), Some(4.9), Some(812.0))
        );
        assert_eq!((p.p99_ttft_ms, p.total_input_tokens, p.total_output_tokens), (None, None, None));
        assert_eq!((p.mean_itl_ms, p.mean_e2el_ms, p.completed), (Some(11.1), Some(12345.0), Some(640)));
        // aiperf's rollup writes its TPOT under itl_* too: dropped for the aiperf types.
        let r = parse_rollup("logs/benchmark-rollup.json", text, true).unwrap();
        assert_eq!((r.points[1].mean_tpot_ms, r.points[1].mean_itl_ms), (Some(11.2), None));
    }

    #[test]
    fn csv_rollup_by_header_name() {
        let text = "Config,Total GPU Count,Decode GPU Count,Total Working GPU Count,Decode Working GPU Count,Prefill Working GPU Count,Concurrency,Total Token Throughput,Output Token Throughput,Median TTFT,Median TPOT,Median ITL,P90 Decode Running Requests,Output Token Throughput per User,Total Token Throughput per GPU\n\
            \"job, a\",16,8,12,8,4,32,4000.5,2000.25,150.125,12.5,12,,80,333.375\n\
            \"job, a\",16,8,12,8,4,4,800,400,90,10,9.5,3,100,66.667\n";
        let r = parse_rollup("logs/benchmark-rollup.csv", text.as_bytes(), false).unwrap();
        assert_eq!(r.concurrencies(), vec![4, 32]);
        let p = &r.points[1];
        assert_eq!(
            (p.total_tps, p.output_tps, p.median_ttft_ms),
            (Some(4000.5), Some(2000.25), Some(150.125))
        );
        assert_eq!((p.median_tpot_ms, p.median_itl_ms), (Some(12.5), Some(12.0)));
        assert_eq!(p.other_metrics.get("rollup_total_working_gpu_count"), Some(&12.0));
        assert_eq!(p.other_metrics.get("rollup_p90_decode_running_requests"), None, "blank is unknown");
        assert_eq!(r.points[0].other_metrics.get("rollup_p90_decode_running_requests"), Some(&3.0));
        assert!(!p.other_metrics.keys().any(|k| k.contains("per_user") || k.contains("per_gpu")));
    }

    #[test]
    fn mooncake_rollup_reads_the_embedded_export() {
        let text = br#"{"benchmark_type": "mooncake-router", "timestamp": "t", "config": {"workload": null, "model": null},
          "data": {"request_throughput": {"unit": "requests/sec", "avg": 2.5},
                   "time_to_first_token": {"unit": "ms", "avg": 300.0, "p99": 900.0},
                   "input_config": {"input": {"fixed_schedule": true}}}}"#;
        let r = parse_rollup("logs/benchmark-rollup.json", text, true).unwrap();
        assert_eq!(r.points.len(), 1);
        let p = &r.points[0];
        assert_eq!((p.concurrency, p.request_throughput, p.p99_ttft_ms), (None, Some(2.5), Some(900.0)));
    }

    #[test]
    fn bad_rollups_say_why() {
        for (path, text, needle) in [
            ("benchmark-rollup.json", "{", "invalid JSON"),
            ("benchmark-rollup.json", r#"{"benchmark_type": "x"}"#, "not a rollup"),
            ("benchmark-rollup.json", r#"{"runs": [{"concurrency": 2.5}]}"#, "whole number"),
            (
                "benchmark-rollup.json",
                r#"{"runs": [{"concurrency": 2, "completed_requests": -4}]}"#,
                "completed",
            ),
            ("benchmark-rollup.csv", "Config,Output Token Throughput\nx,3\n", "Concurrency"),
            ("benchmark-rollup.csv", "Concurrency,Output Token Throughput\n4,fast\n", "not a number"),
            ("benchmark-rollup.csv", "Concurrency,Output Token Throughput\n4\n", "fields"),
            ("benchmark-rollup.csv", "", "empty"),
        ] {
            let err = parse_rollup(path, text.as_bytes(), false).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn mapped_names_are_model_metrics() {
        for (_, m) in RUN_KEYS.iter().chain(CSV_METRICS.iter()) {
            assert!(BenchmarkPoint::METRIC_NAMES.contains(m), "{m}");
        }
    }
}
