//! MLPerf runs: srt-slurm's `logs/benchmark-rollup.json` with `"benchmark_type": "mlperf"`, in
//! both generations FORMATS-2 §4.3 pins (the client's own reports, LoadGen's
//! `mlperf_log_summary.txt` and inference-endpoint's `result_summary.json`, are not pinned, so
//! the rollup is the source):
//!
//! - LoadGen era (`scripts/mlperf/rollup.py@f4c43e38`): `runs[]` of `{scenario, mode,
//!   loadgen_mode, result, valid, throughput_toks, samples_per_second, ttft_p99_ms,
//!   tpot_p99_ms, target_qps, concurrency, [accuracy{}]}`;
//! - inference-endpoint era (`scripts/mlperf/parse_report.py@a343fe6a`, `"client":
//!   "inference-endpoint"`): `runs[]` of `{mode, throughput_toks, request_throughput,
//!   ttft_mean_ms, ttft_p99_ms, tpot_mean_ms, tpot_p99_ms, e2el_mean_ms, completed_requests,
//!   metrics{performance{…, duration_s, ttft|tpot|latency{median_ms, p99_ms, …}, qps_window},
//!   accuracy{average_accuracy, datasets[{name, score, samples}]}}}`; absent keys are dropped.
//!
//! Each run that is not an accuracy run (`mode`/`loadgen_mode` naming accuracy) and has a
//! throughput is one point. MLPerf scenarios are open-loop (Server: Poisson arrivals; Offline:
//! everything at once), so the point has a concurrency only when the rollup records one
//! (LoadGen era, from `srt_run.json`). A run LoadGen marks `INVALID` and a QPS measured over
//! the `legacy_loadgen` window (not comparable with `native`) are warnings. Accuracy runs give
//! [`AccuracyResult`]s through [`MlperfAccuracyParser`].

use serde_json::Value;
use srtlog_model::{
    AccuracyParser, AccuracyParserRegistration, AccuracyResult, BenchmarkPoint, ParseError, ProfilerResults,
    ResultSource, ResultSources, RunFiles, SourceBytes,
};

/// Where srtctl's postprocess leaves the rollup.
const ROLLUP_PATHS: [&str; 2] = ["logs/benchmark-rollup.json", "benchmark-rollup.json"];

/// The rollup, if listed.
fn rollup(files: &RunFiles) -> Option<String> {
    ROLLUP_PATHS.iter().find(|p| files.is_file(p)).map(|p| (*p).to_owned())
}

/// The rollup as the one result file.
pub fn select(files: &RunFiles) -> ResultSources {
    let mut sources = ResultSources::new(files);
    sources.result_files.extend(rollup(files));
    // The rollup is mlperf's result file: it is neither a fallback nor a cross-check of itself.
    sources.rollup = None;
    sources
}

/// The rollup's `runs`, when it is an mlperf rollup; a message otherwise.
fn runs(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let text = srtlog_model::python_json::sanitize(bytes);
    let root: Value = serde_json::from_slice(&text).map_err(|e| format!("not valid JSON: {e}"))?;
    match root.get("benchmark_type").and_then(Value::as_str) {
        Some("mlperf") => {}
        other => {
            return Err(format!("not an mlperf rollup (benchmark_type {:?})", other.unwrap_or("missing")))
        }
    }
    let runs = root.get("runs").and_then(Value::as_array).ok_or("no `runs` list")?;
    Ok(runs.iter().filter(|r| r.is_object()).cloned().collect())
}

fn is_accuracy_run(run: &Value) -> bool {
    ["mode", "loadgen_mode"].iter().any(|k| {
        run.get(*k).and_then(Value::as_str).is_some_and(|m| m.to_ascii_lowercase().contains("accuracy"))
    })
}

/// Parses the rollup into points (see the module docs).
pub fn parse_results(
    sources: &ResultSources,
    bytes: &mut dyn Iterator<Item = SourceBytes<'_>>,
) -> Result<ProfilerResults, ParseError> {
    let Some(source) = bytes.next() else { return Ok(ProfilerResults::default()) };
    let full = sources.full_path(source.path);
    let bytes = source.bytes.map_err(|e| ParseError::io(&full, e))?;
    let runs = runs(&bytes).map_err(|m| ParseError::invalid(&full, m))?;
    let mut results = ProfilerResults { source: Some(ResultSource::Json), ..Default::default() };
    for (i, run) in runs.iter().enumerate().filter(|(_, r)| !is_accuracy_run(r)) {
        if let Some(point) = point(run, source.path) {
            let label = run
                .get("scenario")
                .and_then(Value::as_str)
                .map_or_else(|| format!("runs[{i}]"), str::to_owned);
            if run.get("valid").and_then(Value::as_bool) == Some(false) {
                let result = run.get("result").and_then(Value::as_str).unwrap_or("INVALID");
                results.warnings.push(format!("{}: {label}: LoadGen result {result}", source.path));
            }
            if let Some(window) = run.pointer("/metrics/performance/qps_window").and_then(Value::as_str) {
                if window != "native" {
                    results.warnings.push(format!(
                        "{}: {label}: QPS measured over the {window} window, not comparable with native",
                        source.path
                    ));
                }
            }
            results.points.push(point);
        }
    }
    results.sort();
    Ok(results)
}

fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|x| x.is_finite())
}

fn point(run: &Value, path: &str) -> Option<BenchmarkPoint> {
    let get = |k: &str| num(run.get(k));
    let perf = |p: &str| num(run.pointer(&format!("/metrics/performance/{p}")));
    let output_tps = get("throughput_toks");
    let request_throughput = get("request_throughput").or_else(|| get("samples_per_second"));
    if output_tps.is_none() && request_throughput.is_none() {
        return None;
    }
    let mut point = BenchmarkPoint {
        concurrency: run.get("concurrency").and_then(Value::as_u64).and_then(|c| u32::try_from(c).ok()),
        output_tps,
        request_throughput,
        mean_ttft_ms: get("ttft_mean_ms"),
        median_ttft_ms: perf("ttft/median_ms"),
        p99_ttft_ms: get("ttft_p99_ms"),
        mean_tpot_ms: get("tpot_mean_ms"),
        median_tpot_ms: perf("tpot/median_ms"),
        p99_tpot_ms: get("tpot_p99_ms"),
        mean_e2el_ms: get("e2el_mean_ms"),
        median_e2el_ms: perf("latency/median_ms"),
        p99_e2el_ms: perf("latency/p99_ms"),
        completed: get("completed_requests").and_then(crate::common::as_count),
        num_prompts: perf("samples_issued").and_then(crate::common::as_count),
        duration: perf("duration_s"),
        source_file: Some(path.to_owned()),
        ..Default::default()
    };
    for (key, value) in [("target_qps", get("target_qps")), ("samples_failed", perf("samples_failed"))] {
        if let Some(v) = value {
            point.other_metrics.insert(key.to_owned(), v);
        }
    }
    Some(point)
}

/// The accuracy runs of an mlperf rollup.
#[derive(Debug, Clone, Copy, Default)]
pub struct MlperfAccuracyParser;

inventory::submit! { AccuracyParserRegistration::new(&MlperfAccuracyParser) }

impl AccuracyParser for MlperfAccuracyParser {
    fn name(&self) -> &'static str {
        "mlperf"
    }

    /// The rollup, only when the run has an `mlperf/` directory (other benchmarks write
    /// rollups too, and have no accuracy in them).
    fn select(&self, files: &RunFiles) -> Vec<String> {
        let mlperf = ["logs/mlperf", "mlperf"].iter().any(|d| files.is_dir(d));
        rollup(files).filter(|_| mlperf).into_iter().collect()
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> Result<Vec<AccuracyResult>, String> {
        let runs = match runs(bytes) {
            Ok(runs) => runs,
            // Not an mlperf rollup: no accuracy here, and the benchmark parser says so if it matters.
            Err(m) if m.starts_with("not an mlperf rollup") => return Ok(vec![]),
            Err(m) => return Err(m),
        };
        let mut out = Vec::new();
        for run in &runs {
            let scenario = run.get("scenario").and_then(Value::as_str).unwrap_or("mlperf");
            let new = |task: &str, metric: &str, value: f64| AccuracyResult {
                eval: "mlperf".to_owned(),
                task: task.to_owned(),
                metric: metric.to_owned(),
                value,
                source_file: path.to_owned(),
                ..Default::default()
            };
            if let Some(accuracy) = run.pointer("/metrics/accuracy").and_then(Value::as_object) {
                // inference-endpoint: one score per dataset, and their average.
                for dataset in accuracy.get("datasets").and_then(Value::as_array).into_iter().flatten() {
                    let (Some(name), Some(score)) =
                        (dataset.get("name").and_then(Value::as_str), num(dataset.get("score")))
                    else {
                        continue;
                    };
                    let mut r = new(name, "score", score);
                    r.samples = num(dataset.get("samples")).and_then(crate::common::as_count);
                    r.higher_is_better = Some(true);
                    out.push(r);
                }
                if let Some(avg) = num(accuracy.get("average_accuracy")) {
                    out.push(AccuracyResult {
                        higher_is_better: Some(true),
                        ..new("average", "average_accuracy", avg)
                    });
                }
            } else if let Some(accuracy) = run.get("accuracy").and_then(Value::as_object) {
                // LoadGen era: the accuracy script's numbers, whose names the rollup keeps.
                for (metric, value) in accuracy {
                    if let Some(v) = num(Some(value)) {
                        out.push(new(scenario, metric, v));
                    }
                }
            }
        }
        Ok(out)
    }
}
