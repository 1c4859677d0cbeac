//! sa-bench result JSON files (`benchmark_serving.py --save-result`), one file per concurrency.
//!
//! A result file is one JSON object written by Python's `json.dump`: summary keys (`duration`,
//! `completed`, `mean_ttft_ms`, `p99_itl_ms`, ...) followed by large per-request arrays
//! (`input_lens`, `ttfts`, `itls`, `generated_texts`, `errors`). [`parse_result_json`] reads the
//! summary keys with a serde visitor and skips every other value with
//! [`serde::de::IgnoredAny`], so the arrays are never materialized.
//!
//! Key naming eras, all read:
//! - current: `total_input_tokens`, `total_output_tokens`, `p99_ttft_ms` (one `p{P}_<m>_ms`
//!   key per `--metric-percentiles` value, e.g. `p99.9_ttft_ms`), `peak_output_tokens_per_s`;
//! - older: `total_input`, `total_output`, `percentiles_ttft_ms: [[99.0, v], ...]`;
//! - quirks of real files: `"request_goodput:"` (a trailing colon on any key is dropped);
//!   `median_ttft`, `p99_tpot`, ... with no `_ms` suffix, which are **seconds** (InferenceX's
//!   token-position runs; converted to ms); SGLang `bench_serving`'s `mean_e2e_latency_ms`;
//!   `good_completed`, `input_throughput`, `total_output_tokens_retokenized`; 2.x's
//!   `benchmark_start_time_unix` / `benchmark_end_time_unix` (the measurement window).
//!
//! A file is a result only if its top-level object has a `max_concurrency` key (null for an
//! open-loop run); anything else (`*.pytorch.json` lists, `benchmark-rollup.json`,
//! fingerprints, job metadata) is ignored. A `*.jsonl` file holds one result per line.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use srtlog_model::{
    parent_of, python_json, BenchmarkPoint, FileEntry, ParseError, ProfilerResults, ResultSource,
    ResultSources, RunFiles, SourceBytes,
};

use crate::common::{as_count, StrictNumber};

/// The summary of one sa-bench result file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SaBenchResult {
    /// The metrics (`source_file` is left `None`; the directory reader sets it).
    pub point: BenchmarkPoint,
    /// The file's `date` field (`YYYYMMDD-HHMMSS`), used to pick the newest of duplicates.
    pub date: Option<String>,
}

/// Reads one result file's bytes.
///
/// Returns `Ok(None)` when the JSON is not a result (not an object, or no top-level
/// `max_concurrency`), `Err` when the file is empty, truncated, not JSON, or a known key has the
/// wrong type — a damaged file in a result directory is reported, not silently passed over,
/// since it may well have been a result. Bare `NaN`/`Infinity` literals become "unknown".
pub fn parse_result_json(bytes: &[u8]) -> Result<Option<SaBenchResult>, serde_json::Error> {
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace()).map(|i| &bytes[i..]);
    let body = match first {
        Some(rest)
            if rest.starts_with(b"{") && memchr::memmem::find(rest, b"\"max_concurrency\"").is_some() =>
        {
            rest
        }
        // A list (`*.pytorch.json`), a rollup, a scalar: not a result, if it is valid JSON.
        _ => return check_syntax(bytes).map(|()| None),
    };
    // Parse the bytes as they are; only a file that fails on a bare NaN/Infinity literal is
    // sanitized (a copy of the whole file) and parsed again.
    match parse_object(body) {
        Err(e) if e.is_syntax() && has_non_finite_literal(body) => parse_object(&python_json::sanitize(body)),
        other => other,
    }
}

/// Checks that `bytes` is one JSON value (Python's literals allowed), without building it.
fn check_syntax(bytes: &[u8]) -> Result<(), serde_json::Error> {
    match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        Err(e) if e.is_syntax() && has_non_finite_literal(bytes) => {
            serde_json::from_slice::<serde::de::IgnoredAny>(&python_json::sanitize(bytes)).map(|_| ())
        }
        other => other.map(|_| ()),
    }
}

fn parse_object(body: &[u8]) -> Result<Option<SaBenchResult>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let result = de.deserialize_map(ResultVisitor)?;
    de.end()?;
    Ok(result)
}

fn has_non_finite_literal(body: &[u8]) -> bool {
    memchr::memmem::find(body, b"NaN").is_some() || memchr::memmem::find(body, b"Infinity").is_some()
}

/// Which summary statistic a `<stat>_<metric>_ms` key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stat {
    Mean,
    Median,
    Std,
    P99,
}

/// The four latency metrics, as result keys name them.
const LATENCY_METRICS: [&str; 4] = ["ttft", "tpot", "itl", "e2el"];

/// Splits `mean_ttft_ms` into (`mean`, `ttft`, 1.0): the statistic, the metric and the factor to
/// milliseconds. SGLang's `bench_serving` spells end-to-end latency `e2e_latency`
/// (`median_e2e_latency_ms`); one vintage writes the four latency metrics in **seconds** with
/// no unit suffix (`median_ttft`, `p99_tpot`: factor 1000). `None` for keys of another shape.
fn split_stat_key(key: &str) -> Option<(&str, &str, f64)> {
    let (stem, to_ms) = match key.strip_suffix("_ms") {
        Some(stem) => (stem, 1.0),
        None => (key, 1000.0),
    };
    let (stat, metric) = stem.split_once('_')?;
    let metric = if metric == "e2e_latency" { "e2el" } else { metric };
    if to_ms != 1.0 && !LATENCY_METRICS.contains(&metric) {
        return None;
    }
    let stat_ok = matches!(stat, "mean" | "median" | "std")
        || stat
            .strip_prefix('p')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    let metric_ok = !metric.is_empty() && metric.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (stat_ok && metric_ok).then_some((stat, metric, to_ms))
}

/// The named field of `point` for a statistic of one of the four sa-bench metrics.
fn named_field<'p>(point: &'p mut BenchmarkPoint, metric: &str, stat: Stat) -> Option<&'p mut Option<f64>> {
    Some(match (metric, stat) {
        ("ttft", Stat::Mean) => &mut point.mean_ttft_ms,
        ("ttft", Stat::Median) => &mut point.median_ttft_ms,
        ("ttft", Stat::Std) => &mut point.std_ttft_ms,
        ("ttft", Stat::P99) => &mut point.p99_ttft_ms,
        ("tpot", Stat::Mean) => &mut point.mean_tpot_ms,
        ("tpot", Stat::Median) => &mut point.median_tpot_ms,
        ("tpot", Stat::Std) => &mut point.std_tpot_ms,
        ("tpot", Stat::P99) => &mut point.p99_tpot_ms,
        ("itl", Stat::Mean) => &mut point.mean_itl_ms,
        ("itl", Stat::Median) => &mut point.median_itl_ms,
        ("itl", Stat::Std) => &mut point.std_itl_ms,
        ("itl", Stat::P99) => &mut point.p99_itl_ms,
        ("e2el", Stat::Mean) => &mut point.mean_e2el_ms,
        ("e2el", Stat::Median) => &mut point.median_e2el_ms,
        ("e2el", Stat::Std) => &mut point.std_e2el_ms,
        ("e2el", Stat::P99) => &mut point.p99_e2el_ms,
        _ => return None,
    })
}

fn stat_of(stat: &str) -> Option<Stat> {
    match stat {
        "mean" => Some(Stat::Mean),
        "median" => Some(Stat::Median),
        "std" => Some(Stat::Std),
        "p99" => Some(Stat::P99),
        _ => None,
    }
}

/// Stores `value` of key `<stat>_<metric>_ms` in its named field, or in `other_metrics`.
/// A value already set (from the flat key) is not overwritten by the legacy list.
fn store_stat(point: &mut BenchmarkPoint, stat: &str, metric: &str, value: f64, overwrite: bool) {
    if let Some(field) = stat_of(stat).and_then(|s| named_field(point, metric, s)) {
        if overwrite || field.is_none() {
            *field = Some(value);
        }
        return;
    }
    let key = format!("{stat}_{metric}_ms");
    if overwrite || !point.other_metrics.contains_key(&key) {
        point.other_metrics.insert(key, value);
    }
}

/// `99.0` → `99`, `99.9` → `99.9` (Python's `p_word` in `benchmark_serving.py`).
fn percentile_word(p: f64) -> String {
    if p.fract() == 0.0 && p.abs() < 1e15 {
        format!("{}", p as i64)
    } else {
        format!("{p}")
    }
}

/// `request_rate`: a float, the string `"inf"`, or null.
struct RequestRate(Option<f64>);

impl<'de> Deserialize<'de> for RequestRate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RequestRate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, \"inf\" or null")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RequestRate, E> {
                Ok(RequestRate(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RequestRate, E> {
                Ok(RequestRate(Some(v as f64)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestRate, E> {
                Ok(RequestRate(Some(v as f64)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestRate, E> {
                match v.trim().parse::<f64>() {
                    Ok(rate) if !rate.is_nan() => Ok(RequestRate(Some(rate))),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<RequestRate, E> {
                Ok(RequestRate(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<RequestRate, E> {
                Ok(RequestRate(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

fn count<E: de::Error>(key: &str, n: StrictNumber) -> Result<Option<u64>, E> {
    match n.0 {
        None => Ok(None),
        Some(v) => as_count(v)
            .map(Some)
            .ok_or_else(|| E::custom(format_args!("`{key}` must be a non-negative integer, found {v}"))),
    }
}

struct ResultVisitor;

impl<'de> Visitor<'de> for ResultVisitor {
    type Value = Option<SaBenchResult>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an sa-bench result object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut point = BenchmarkPoint::default();
        let mut date = None;
        let mut has_concurrency = false;
        let (mut input_new, mut input_old, mut output_new, mut output_old) = (None, None, None, None);
        // Legacy percentile lists, applied after the flat keys so that those win.
        let mut legacy: Vec<(String, Vec<(StrictNumber, StrictNumber)>)> = Vec::new();

        while let Some(key) = map.next_key::<String>()? {
            // One vintage writes `"request_goodput:"`: the colon is a typo, not another metric.
            let key = match key.strip_suffix(':') {
                Some(k) => k.to_owned(),
                None => key,
            };
            match key.as_str() {
                "max_concurrency" => {
                    has_concurrency = true;
                    let n: StrictNumber = map.next_value()?;
                    point.concurrency = match n.0 {
                        None => None,
                        Some(v) => {
                            Some(as_count(v).and_then(|c| u32::try_from(c).ok()).ok_or_else(|| {
                                de::Error::custom(format_args!(
                                    "`max_concurrency` must be a positive integer, found {v}"
                                ))
                            })?)
                        }
                    };
                }
                "date" => date = map.next_value::<Option<String>>()?,
                "request_rate" => point.request_rate = map.next_value::<RequestRate>()?.0,
                "num_prompts" => point.num_prompts = count(&key, map.next_value()?)?,
                "completed" => point.completed = count(&key, map.next_value()?)?,
                "total_input_tokens" => input_new = count(&key, map.next_value()?)?,
                "total_input" => input_old = count(&key, map.next_value()?)?,
                "total_output_tokens" => output_new = count(&key, map.next_value()?)?,
                "total_output" => output_old = count(&key, map.next_value()?)?,
                "duration" => point.duration = map.next_value::<StrictNumber>()?.0,
                "request_throughput" => point.request_throughput = map.next_value::<StrictNumber>()?.0,
                "request_goodput" => point.request_goodput = map.next_value::<StrictNumber>()?.0,
                "good_completed" => point.good_completed = count(&key, map.next_value()?)?,
                "benchmark_start_time_unix" => point.window_start_unix = map.next_value::<StrictNumber>()?.0,
                "benchmark_end_time_unix" => point.window_end_unix = map.next_value::<StrictNumber>()?.0,
                // Rates and counts that have no column of their own.
                "input_throughput" | "total_output_tokens_retokenized" | "concurrency" | "accept_length" => {
                    if let Some(v) = map.next_value::<StrictNumber>()?.0 {
                        point.other_metrics.insert(key.clone(), v);
                    }
                }
                "output_throughput" => point.output_tps = map.next_value::<StrictNumber>()?.0,
                "peak_output_tokens_per_s" => point.peak_output_tps = map.next_value::<StrictNumber>()?.0,
                "total_token_throughput" => point.total_tps = map.next_value::<StrictNumber>()?.0,
                k => {
                    if let Some(metric) = k.strip_prefix("percentiles_").and_then(|m| m.strip_suffix("_ms")) {
                        let list: Option<Vec<(StrictNumber, StrictNumber)>> = map.next_value()?;
                        legacy.push((metric.to_owned(), list.unwrap_or_default()));
                    } else if let Some((stat, metric, to_ms)) = split_stat_key(k) {
                        if let Some(v) = map.next_value::<StrictNumber>()?.0 {
                            store_stat(&mut point, stat, metric, v * to_ms, true);
                        }
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
        }
        if !has_concurrency {
            return Ok(None);
        }
        point.total_input_tokens = input_new.or(input_old);
        point.total_output_tokens = output_new.or(output_old);
        for (metric, list) in legacy {
            for (p, v) in list {
                if let (Some(p), Some(v)) = (p.0, v.0) {
                    store_stat(&mut point, &format!("p{}", percentile_word(p)), &metric, v, false);
                }
            }
        }
        Ok(Some(SaBenchResult { point, date }))
    }
}

/// Kind of result directory, in preference order.
fn result_dir_rank(name: &str) -> Option<u8> {
    if name.starts_with("sa-bench_isl_") && name.contains("_osl_") {
        Some(0)
    } else if name.starts_with("sa-bench_custom_") {
        Some(1)
    } else if name.starts_with("vllm_isl_") && name.contains("_osl_") {
        Some(2)
    } else {
        None
    }
}

/// A result-file candidate: a `*.json` file except the known non-results, or a `*.jsonl` file
/// of appended results (`benchmark_serving.py --append-result`, SGLang's `bench_serving`).
fn is_candidate(entry: &FileEntry) -> bool {
    entry.is_file()
        && (entry.name().ends_with(".json") || entry.name().ends_with(".jsonl"))
        && !is_known_non_result(entry.name())
}

/// Whether a file holds one result per line.
fn is_json_lines(path: &str) -> bool {
    path.ends_with(".jsonl")
}

/// Reads a JSON-lines result file: each non-blank line one result (a line that is JSON but not a
/// result is skipped). A damaged line is an error naming its line number.
pub fn parse_result_lines(bytes: &[u8]) -> Result<Vec<SaBenchResult>, String> {
    let mut found = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_result_json(line) {
            Ok(Some(result)) => found.push(result),
            Ok(None) => {}
            Err(e) => return Err(format!("line {}: {}", i + 1, describe_json_error(&e))),
        }
    }
    Ok(found)
}

/// JSON files that sit beside results but never are one (FORMATS.md 9.2): not read at all, so
/// a damaged one is not reported as a damaged result.
fn is_known_non_result(name: &str) -> bool {
    name.ends_with(".pytorch.json")
        || name.starts_with("benchmark-rollup")
        || name.starts_with("fingerprint_")
        || name == "postprocess-status.json"
}

/// Result-file candidates of a directory, by name.
fn candidate_files<'a>(files: &'a RunFiles, dir: &'a str) -> impl Iterator<Item = &'a FileEntry> + 'a {
    files.children(dir).filter(|e| is_candidate(e))
}

/// How far into a loose JSON file `"max_concurrency"` is looked for (it precedes the arrays).
const LOOSE_HEAD_BYTES: usize = 64 << 10;

/// Whether the first 64 KiB of a file mention `"max_concurrency"`.
fn head_mentions_concurrency(bytes: &[u8]) -> bool {
    memchr::memmem::find(&bytes[..bytes.len().min(LOOSE_HEAD_BYTES)], b"\"max_concurrency\"").is_some()
}

/// Named result directories of a run, best first: `logs/` before the run root, then
/// `sa-bench_isl_*` before `sa-bench_custom_*` before `vllm_isl_*`, then by name.
fn named_result_dirs(files: &RunFiles) -> Vec<&str> {
    let mut found: Vec<(u8, u8, &str)> = Vec::new();
    for (loc, base) in [(0u8, "logs"), (1u8, "")] {
        for entry in files.children(base) {
            if let Some(rank) = result_dir_rank(entry.name()) {
                if entry.is_dir() {
                    found.push((loc, rank, entry.path.as_str()));
                }
            }
        }
    }
    found.sort();
    found.into_iter().map(|(_, _, p)| p).collect()
}

/// The files of a run's sa-bench results, chosen from its listing.
///
/// The result directory is the first of `sa-bench_isl_{isl}_osl_{osl}/`,
/// `sa-bench_custom_<label>/` and the oldest `vllm_isl_{isl}_osl_{osl}/`, inside `logs/` or at
/// the run root, that has a `*.json` file (else the first of them, which then has no result);
/// its candidate files are read, and every `*.json` of every such directory is considered.
/// Without such a directory, the candidates of `logs/` and then of the run root are read:
/// results saved without a result directory are those of the first of the two holding a JSON
/// file that mentions `max_concurrency` in its first 64 KiB ([`parse_results`] tells).
pub fn select(files: &RunFiles) -> ResultSources {
    let mut sources = ResultSources::new(files);
    let named = named_result_dirs(files);
    if let Some(first) = named.first() {
        let dir = named.iter().find(|d| candidate_files(files, d).next().is_some()).unwrap_or(first);
        sources.result_files = candidate_files(files, dir).map(|e| e.path.clone()).collect();
        sources.result_dir = Some((*dir).to_owned());
        sources.considered = named
            .iter()
            .flat_map(|d| files.children(d))
            .filter(|e| e.is_file() && Path::new(e.name()).extension().is_some_and(|x| x == "json"))
            .map(|e| e.path.clone())
            .collect();
    } else {
        sources.result_files =
            ["logs", ""].iter().flat_map(|d| candidate_files(files, d)).map(|e| e.path.clone()).collect();
    }
    sources
}

fn describe_json_error(err: &serde_json::Error) -> String {
    if err.is_eof() {
        format!("truncated JSON: {err}")
    } else if err.is_syntax() {
        format!("invalid JSON: {err}")
    } else {
        format!("unexpected content: {err}")
    }
}

/// Parses the result files chosen by [`select`], whose bytes `bytes` yields in their order.
///
/// A file that cannot be read, is truncated or has a wrong-typed key becomes a warning naming
/// it; the other files still load. Two files with one `max_concurrency` keep the newer (by
/// `date`, else by file name) and add a warning. No usable file in the result directory is an
/// error; no result directory and no loose result file is `Ok` without points.
pub fn parse_results(
    sources: &ResultSources,
    bytes: &mut dyn Iterator<Item = SourceBytes<'_>>,
) -> Result<ProfilerResults, ParseError> {
    if let Some(dir) = &sources.result_dir {
        return parse_result_files(sources, dir, bytes);
    }
    // Loose files, grouped by directory (`logs/` first): the first group with a file that
    // mentions `max_concurrency` is the result directory; later groups are never read.
    let mut next = bytes.next();
    while let Some(first) = next.take() {
        let dir = parent_of(first.path);
        let mut group = vec![first];
        for source in &mut *bytes {
            if parent_of(source.path) == dir {
                group.push(source);
            } else {
                next = Some(source);
                break;
            }
        }
        if group.iter().any(|s| s.bytes.as_ref().is_ok_and(|b| head_mentions_concurrency(b))) {
            return parse_result_files(sources, dir, &mut group.into_iter());
        }
    }
    Ok(ProfilerResults::default())
}

/// Reads the result files of `result_dir` (relative to the run directory).
fn parse_result_files(
    sources: &ResultSources,
    result_dir: &str,
    bytes: &mut dyn Iterator<Item = SourceBytes<'_>>,
) -> Result<ProfilerResults, ParseError> {
    let mut warnings = Vec::new();
    let mut failures: Vec<ParseError> = Vec::new();
    // Each result with its file and, in a JSON-lines file, its (1-based) line.
    let mut found: Vec<(SaBenchResult, String, Option<usize>)> = Vec::new();

    for source in bytes {
        let rel = source.path;
        let bytes = match source.bytes {
            Ok(b) => b,
            Err(e) => {
                warnings.push(format!("{rel}: skipped: {e}"));
                failures.push(ParseError::io(sources.full_path(rel), e));
                continue;
            }
        };
        if is_json_lines(rel) {
            match parse_result_lines(&bytes) {
                Ok(results) => found
                    .extend(results.into_iter().enumerate().map(|(i, r)| (r, rel.to_owned(), Some(i + 1)))),
                Err(e) => {
                    warnings.push(format!("{rel}: skipped: {e}"));
                    failures.push(ParseError::invalid(sources.full_path(rel), e));
                }
            }
            continue;
        }
        match parse_result_json(&bytes) {
            Ok(Some(result)) => found.push((result, rel.to_owned(), None)),
            Ok(None) => {}
            Err(e) => {
                warnings.push(format!("{rel}: skipped: {}", describe_json_error(&e)));
                let path = sources.full_path(rel);
                failures.push(if e.is_data() {
                    ParseError::invalid(path, e.to_string())
                } else {
                    ParseError::json(path, &e)
                });
            }
        }
    }

    if found.is_empty() {
        return Err(match failures.len() {
            0 => ParseError::NoResults {
                path: sources.full_path(result_dir),
                message: "no sa-bench result file (a *.json object with max_concurrency)".to_owned(),
            },
            1 => failures.remove(0),
            _ => ParseError::invalid(
                sources.full_path(result_dir),
                format!("no usable result file: {}", warnings.join("; ")),
            ),
        });
    }

    let points = dedup_by_concurrency(found, &mut warnings);
    let mut results = ProfilerResults { source: Some(ResultSource::Json), points, warnings };
    results.sort();
    Ok(results)
}

/// What one point stands for: its concurrency, or for an open-loop run (no concurrency) its
/// request rate, so that a sweep of request rates keeps one point per rate.
type PointKey = (Option<u32>, Option<u64>);

fn point_key(point: &BenchmarkPoint) -> PointKey {
    let rate = point.concurrency.is_none().then(|| point.request_rate.map(f64::to_bits)).flatten();
    (point.concurrency, rate)
}

fn describe_key(point: &BenchmarkPoint) -> String {
    match (point.concurrency, point.request_rate) {
        (Some(c), _) => format!("concurrency {c}"),
        (None, Some(r)) => format!("open-loop request rate {r}"),
        (None, None) => "concurrency none".to_owned(),
    }
}

/// Keeps one result per concurrency (per request rate for open-loop results): the newest
/// `date`, else the last in file order (a JSON-lines file appends, so its last line is the
/// newest).
fn dedup_by_concurrency(
    found: Vec<(SaBenchResult, String, Option<usize>)>,
    warnings: &mut Vec<String>,
) -> Vec<BenchmarkPoint> {
    let mut groups: BTreeMap<PointKey, Vec<(SaBenchResult, String, Option<usize>)>> = BTreeMap::new();
    for (result, rel, line) in found {
        groups.entry(point_key(&result.point)).or_default().push((result, rel, line));
    }
    let name = |rel: &str, line: Option<usize>| match line {
        Some(n) => format!("{rel} line {n}"),
        None => rel.to_owned(),
    };
    let mut points = Vec::new();
    for (_, mut group) in groups {
        // Files arrive in name order; a stable max keeps the last of equal dates.
        let best = group
            .iter()
            .enumerate()
            .max_by(|(ia, a), (ib, b)| (a.0.date.as_deref(), ia).cmp(&(b.0.date.as_deref(), ib)))
            .map(|(i, _)| i)
            .unwrap_or(0);
        let (kept, kept_rel, kept_line) = group.swap_remove(best);
        if !group.is_empty() {
            let others: Vec<String> = group.iter().map(|(_, r, l)| name(r, *l)).collect();
            warnings.push(format!(
                "duplicate results for {}: kept {} (date {}), ignored {}",
                describe_key(&kept.point),
                name(&kept_rel, kept_line),
                kept.date.as_deref().unwrap_or("unknown"),
                others.join(", ")
            ));
        }
        let mut point = kept.point;
        point.source_file = Some(kept_rel);
        points.push(point);
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    const CURRENT: &str = r#"{"date": "20260116-064512", "backend": "dynamo", "model_id": "dsr1", "tokenizer_id": "/model/", "best_of": 1, "num_prompts": 40, "request_rate": "inf", "burstiness": 1.0, "max_concurrency": 4, "duration": 95.4, "completed": 40, "total_input_tokens": 294912, "total_output_tokens": 36864, "request_throughput": 0.4193, "request_goodput": null, "output_throughput": 386.4, "peak_output_tokens_per_s": 412.0, "total_token_throughput": 3477.7, "input_lens": [8192, 7000], "output_lens": [1024, 900], "ttfts": [0.5, 0.6], "itls": [[0.01, 0.02], [0.011]], "generated_texts": ["a \"quoted\" NaN", "b"], "errors": ["", ""], "mean_ttft_ms": 512.5, "median_ttft_ms": 498.0, "std_ttft_ms": 40.25, "p99_ttft_ms": 640.0, "p99.9_ttft_ms": 655.5, "mean_tpot_ms": 9.8, "median_tpot_ms": 9.7, "std_tpot_ms": 0.4, "p99_tpot_ms": 10.9, "mean_itl_ms": 9.75, "median_itl_ms": 9.6, "std_itl_ms": NaN, "p99_itl_ms": 14.2, "mean_e2el_ms": 10540.0, "median_e2el_ms": 10500.0, "std_e2el_ms": 300.0, "p99_e2el_ms": 11200.0, "p90_e2el_ms": 11000.0}"#;

    #[test]
    fn current_keys() {
        let r = parse_result_json(CURRENT.as_bytes()).unwrap().unwrap();
        let p = &r.point;
        assert_eq!(r.date.as_deref(), Some("20260116-064512"));
        assert_eq!(p.concurrency, Some(4));
        assert_eq!(p.num_prompts, Some(40));
        assert_eq!(p.request_rate, Some(f64::INFINITY));
        assert_eq!(p.duration, Some(95.4));
        assert_eq!(p.completed, Some(40));
        assert_eq!(p.total_input_tokens, Some(294912));
        assert_eq!(p.total_output_tokens, Some(36864));
        assert_eq!(p.request_throughput, Some(0.4193));
        assert_eq!(p.request_goodput, None);
        assert_eq!(p.output_tps, Some(386.4));
        assert_eq!(p.peak_output_tps, Some(412.0));
        assert_eq!(p.total_tps, Some(3477.7));
        assert_eq!(
            (p.mean_ttft_ms, p.median_ttft_ms, p.std_ttft_ms, p.p99_ttft_ms),
            (Some(512.5), Some(498.0), Some(40.25), Some(640.0))
        );
        assert_eq!(
            (p.mean_tpot_ms, p.median_tpot_ms, p.std_tpot_ms, p.p99_tpot_ms),
            (Some(9.8), Some(9.7), Some(0.4), Some(10.9))
        );
        assert_eq!(
            (p.mean_itl_ms, p.median_itl_ms, p.std_itl_ms, p.p99_itl_ms),
            (Some(9.75), Some(9.6), None, Some(14.2))
        );
        assert_eq!(
            (p.mean_e2el_ms, p.median_e2el_ms, p.std_e2el_ms, p.p99_e2el_ms),
            (Some(10540.0), Some(10500.0), Some(300.0), Some(11200.0))
        );
        let other: Vec<(&str, f64)> = p.other_metrics.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(other, vec![("p90_e2el_ms", 11000.0), ("p99.9_ttft_ms", 655.5)]);
    }

    #[test]
    fn legacy_keys() {
        let text = r#"{"date": "20251110-195012", "backend": "dynamo", "model_id": "Qwen/Qwen3-32B", "tokenizer_id": "/model", "best_of": 1, "num_prompts": 80, "request_rate": Infinity, "burstiness": 1.0, "max_concurrency": 16, "duration": 61.5, "completed": 79, "total_input": 80000, "total_output": 79500, "request_throughput": 1.28, "output_throughput": 1292.7, "total_token_throughput": 2593.5, "input_lens": [1], "mean_ttft_ms": 210.0, "median_ttft_ms": 200.0, "std_ttft_ms": 15.0, "percentiles_ttft_ms": [[99.0, 260.0], [99.9, 270.5]], "mean_tpot_ms": 11.5, "median_tpot_ms": 11.4, "std_tpot_ms": 0.3, "percentiles_tpot_ms": [[99.0, 12.25]], "mean_itl_ms": 11.4, "median_itl_ms": 11.0, "std_itl_ms": 2.0, "percentiles_itl_ms": [[50.0, 11.0], [99.0, 20.0]]}"#;
        let p = parse_result_json(text.as_bytes()).unwrap().unwrap().point;
        assert_eq!(p.concurrency, Some(16));
        assert_eq!(p.request_rate, None, "Infinity literal is sanitized to null");
        assert_eq!(p.total_input_tokens, Some(80000));
        assert_eq!(p.total_output_tokens, Some(79500));
        assert_eq!(p.p99_ttft_ms, Some(260.0));
        assert_eq!(p.p99_tpot_ms, Some(12.25));
        assert_eq!(p.p99_itl_ms, Some(20.0));
        assert_eq!(p.p99_e2el_ms, None);
        assert_eq!(p.other_metrics.get("p99.9_ttft_ms"), Some(&270.5));
        assert_eq!(p.other_metrics.get("p50_itl_ms"), Some(&11.0));
        assert_eq!(p.other_metrics.len(), 2);
    }

    #[test]
    fn flat_key_wins_over_legacy_list_and_new_totals_win() {
        let text = r#"{"max_concurrency": 2, "percentiles_ttft_ms": [[99.0, 1.0]], "p99_ttft_ms": 2.0, "total_input": 5, "total_input_tokens": 6}"#;
        let p = parse_result_json(text.as_bytes()).unwrap().unwrap().point;
        assert_eq!(p.p99_ttft_ms, Some(2.0));
        assert_eq!(p.total_input_tokens, Some(6));
    }

    #[test]
    fn non_results_are_none() {
        for text in [
            r#"[{"benchmark": {"name": "vLLM benchmark"}, "metric": {"name": "median_ttft_ms"}}]"#,
            r#"{"benchmark_type": "sa-bench", "runs": [{"concurrency": 4, "max_concurrency_note": 1}]}"#,
            r#"{"job_id": "1", "benchmark": {"type": "sa-bench", "max_concurrency": 4}}"#,
            "42",
        ] {
            assert_eq!(parse_result_json(text.as_bytes()).unwrap(), None, "{text}");
        }
    }

    #[test]
    fn damaged_files_without_max_concurrency_are_errors_not_silence() {
        // Cut before `max_concurrency` is reached, or never written: it may well have been a result.
        for text in ["", "   ", r#"{"date": "20260102-031500", "backend": "dyn"#, r#"[{"a": 1}"#] {
            assert!(parse_result_json(text.as_bytes()).is_err(), "{text:?}");
        }
    }

    #[test]
    fn bad_files_are_errors() {
        let truncated = &CURRENT[..CURRENT.len() / 2];
        let err = parse_result_json(truncated.as_bytes()).unwrap_err();
        assert!(err.is_eof(), "{err}");
        for (text, needle) in [
            (r#"{"max_concurrency": 4, "completed": "forty"}"#, "a number or null"),
            (r#"{"max_concurrency": "4"}"#, "a number or null"),
            (r#"{"max_concurrency": 4.5}"#, "max_concurrency"),
            (r#"{"max_concurrency": 4, "total_output_tokens": -3}"#, "total_output_tokens"),
            (r#"{"max_concurrency": 4, "request_rate": "fast"}"#, "fast"),
            (r#"{"max_concurrency": 4, "percentiles_ttft_ms": 3}"#, "sequence"),
            (r#"{"max_concurrency": 4} trailing"#, "trailing"),
        ] {
            let err = parse_result_json(text.as_bytes()).unwrap_err();
            assert!(err.to_string().contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn null_concurrency_is_an_open_loop_result() {
        let p = parse_result_json(br#"{"max_concurrency": null, "completed": 3}"#).unwrap().unwrap().point;
        assert_eq!((p.concurrency, p.completed), (None, Some(3)));
    }

    #[test]
    fn stat_keys() {
        assert_eq!(split_stat_key("p99.9_ttft_ms"), Some(("p99.9", "ttft", 1.0)));
        assert_eq!(split_stat_key("mean_e2el_ms"), Some(("mean", "e2el", 1.0)));
        assert_eq!(split_stat_key("median_e2e_latency_ms"), Some(("median", "e2el", 1.0)));
        assert_eq!(split_stat_key("std_ttft"), Some(("std", "ttft", 1000.0)));
        assert_eq!(split_stat_key("mean_input_len"), None);
        assert_eq!(split_stat_key("total_input"), None);
        assert_eq!(split_stat_key("total_ms"), None);
        assert_eq!(split_stat_key("px_ttft_ms"), None);
        assert_eq!(percentile_word(99.0), "99");
        assert_eq!(percentile_word(99.9), "99.9");
    }
}
