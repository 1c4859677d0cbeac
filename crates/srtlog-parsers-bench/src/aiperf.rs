//! aiperf results (the `mooncake-router` benchmark): `profile_export_aiperf.json` and the metrics
//! table aiperf prints to the console.
//!
//! The export exists in two layouts, both read:
//! - flat (aiperf ≥ 2025-10-10, PR #343): one top-level key per metric,
//!   `{"time_to_first_token": {"unit": "ms", "avg": .., "p50": .., "p99": .., "std": ..}, ...}`;
//! - `records` wrapper (before): `{"records": {"<tag>": {"tag", "unit", "header", "avg", ...,
//!   "count"}}}` (a list of records with a `tag` field is accepted too).
//!
//! Beside the metrics: `input_config` (the whole user config; `loadgen.concurrency` is the
//! closed-loop concurrency), `was_cancelled`, `error_summary`, `start_time`, `end_time`,
//! `telemetry_data`. Units are aiperf's display units and are honoured per metric: time in
//! `ns`/`us`/`ms`/`sec` (older `s`), rates `requests/sec`, `tokens/sec`, `tokens/sec/user`
//! (older `req/s`, `tokens/s`), counts `requests`/`tokens`. See the crate docs for how the
//! metrics map to [`BenchmarkPoint`] columns.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use srtlog_model::{
    join_path, parent_of, python_json, BenchmarkPoint, ParseError, ProfilerResults, ResultSource,
    ResultSources, RunFiles, SourceBytes,
};

use crate::common::{as_count, finite, parse_number, shell_words, LenientNumber, LenientString};

/// File name of aiperf's aggregated JSON export.
pub const EXPORT_FILE: &str = "profile_export_aiperf.json";

/// One aiperf metric: its display unit and statistics (`avg`, `min`, `max`, `p1`…`p99`, `std`,
/// `count`) as exported, not yet converted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AiperfMetric {
    /// The unit as written (`ms`, `sec`, `tokens/sec`, ...), if any.
    pub unit: Option<String>,
    /// Numeric statistics by name; non-numeric values (datetimes) are left out.
    pub stats: BTreeMap<String, f64>,
}

/// Which export layout a file had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One top-level key per metric (aiperf ≥ 2025-10-10).
    Flat,
    /// Metrics under `records` (older aiperf).
    Records,
    /// The console metrics table in `benchmark.out`.
    Console,
}

/// What an aiperf export (or console table) holds.
#[derive(Debug, Clone, PartialEq)]
pub struct AiperfExport {
    /// Metrics by tag (`time_to_first_token`, `request_throughput`, ...).
    pub metrics: BTreeMap<String, AiperfMetric>,
    /// `input_config.loadgen.concurrency`, when set (closed-loop load).
    pub concurrency: Option<u32>,
    /// `input_config.loadgen.request_rate`, when set.
    pub request_rate: Option<f64>,
    /// Whether the run replayed a fixed schedule (`--fixed-schedule` / a mooncake trace).
    pub fixed_schedule: bool,
    /// The layout the metrics were read from.
    pub layout: Layout,
}

/// A top-level value that is a metric when it is an object with a string `unit`.
struct MaybeMetric(Option<(Option<String>, AiperfMetric)>);

impl<'de> Deserialize<'de> for MaybeMetric {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeMetric;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an aiperf metric object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeMetric, A::Error> {
                let mut metric = AiperfMetric::default();
                let mut tag = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "unit" => metric.unit = map.next_value::<LenientString>()?.0,
                        "tag" => tag = map.next_value::<LenientString>()?.0,
                        "header" => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        _ => {
                            if let Some(v) = map.next_value::<LenientNumber>()?.0 {
                                metric.stats.insert(key, v);
                            }
                        }
                    }
                }
                Ok(MaybeMetric(metric.unit.is_some().then_some((tag, metric))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MaybeMetric, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeMetric(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<MaybeMetric, E> {
                Ok(MaybeMetric(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<MaybeMetric, E> {
                Ok(MaybeMetric(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<MaybeMetric, E> {
                Ok(MaybeMetric(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<MaybeMetric, E> {
                Ok(MaybeMetric(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<MaybeMetric, E> {
                Ok(MaybeMetric(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MaybeMetric, E> {
                Ok(MaybeMetric(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<MaybeMetric, E> {
                Ok(MaybeMetric(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The `records` value: a map tag → metric, a list of metrics with `tag`, or null.
struct Records(Vec<(String, AiperfMetric)>);

impl<'de> Deserialize<'de> for Records {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Records;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of aiperf metrics (or a list, or null)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Records, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if let Some((_, metric)) = map.next_value::<MaybeMetric>()?.0 {
                        out.push((key, metric));
                    }
                }
                Ok(Records(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Records, A::Error> {
                let mut out = Vec::new();
                while let Some(m) = seq.next_element::<MaybeMetric>()? {
                    if let Some((Some(tag), metric)) = m.0 {
                        out.push((tag, metric));
                    }
                }
                Ok(Records(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Records, E> {
                Ok(Records(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Records, E> {
                Ok(Records(Vec::new()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

struct ExportVisitor;

impl<'de> Visitor<'de> for ExportVisitor {
    type Value = AiperfExport;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an aiperf export object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AiperfExport, A::Error> {
        let mut export = AiperfExport {
            metrics: BTreeMap::new(),
            concurrency: None,
            request_rate: None,
            fixed_schedule: false,
            layout: Layout::Flat,
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "records" => {
                    export.layout = Layout::Records;
                    for (tag, metric) in map.next_value::<Records>()?.0 {
                        export.metrics.entry(tag).or_insert(metric);
                    }
                }
                "input_config" => {
                    let config: Option<serde_json::Value> = map.next_value()?;
                    if let Some(config) = config {
                        apply_input_config(&config, &mut export);
                    }
                }
                "telemetry_data" | "error_summary" => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    if let Some((_, metric)) = map.next_value::<MaybeMetric>()?.0 {
                        export.metrics.insert(key, metric);
                    }
                }
            }
        }
        Ok(export)
    }
}

fn apply_input_config(config: &serde_json::Value, export: &mut AiperfExport) {
    let loadgen = config.get("loadgen");
    export.concurrency = loadgen
        .and_then(|l| l.get("concurrency"))
        .and_then(serde_json::Value::as_f64)
        .and_then(as_count)
        .and_then(|c| u32::try_from(c).ok());
    export.request_rate =
        loadgen.and_then(|l| l.get("request_rate")).and_then(serde_json::Value::as_f64).and_then(finite);
    let input = config.get("input");
    let fixed =
        input.and_then(|i| i.get("fixed_schedule")).and_then(serde_json::Value::as_bool).unwrap_or(false);
    let trace = input
        .and_then(|i| i.get("custom_dataset_type"))
        .and_then(serde_json::Value::as_str)
        .is_some_and(|t| t == "mooncake_trace");
    export.fixed_schedule = fixed || trace;
}

/// Reads the bytes of a `profile_export_aiperf.json` (either layout).
///
/// Errors: not JSON or truncated, not an object, or no metric at all (message names what is
/// missing; the caller adds the file name).
pub fn parse_export(bytes: &[u8]) -> Result<AiperfExport, String> {
    let clean = python_json::sanitize(bytes);
    let mut de = serde_json::Deserializer::from_slice(&clean);
    let export = de.deserialize_map(ExportVisitor).and_then(|e| de.end().map(|()| e)).map_err(|e| {
        if e.is_eof() {
            format!("truncated JSON: {e}")
        } else {
            format!("invalid aiperf export: {e}")
        }
    })?;
    if export.metrics.is_empty() {
        return Err("no aiperf metrics (neither top-level metric objects nor `records`)".to_owned());
    }
    Ok(export)
}

/// Factor from a time unit to milliseconds.
pub(crate) fn time_to_ms(unit: &str) -> Option<f64> {
    match unit.trim().to_ascii_lowercase().as_str() {
        "ns" | "nanoseconds" => Some(1e-6),
        "us" | "µs" | "microseconds" => Some(1e-3),
        "ms" | "milliseconds" => Some(1.0),
        "s" | "sec" | "secs" | "second" | "seconds" => Some(1000.0),
        "min" | "minutes" => Some(60_000.0),
        _ => None,
    }
}

/// Factor from a rate unit (`tokens/sec`, `req/s`, `tokens/sec/user`) to "per second".
fn rate_to_per_s(unit: &str) -> Option<f64> {
    let mut parts = unit.split('/');
    let _what = parts.next()?;
    let time = parts.next()?;
    time_to_ms(time).map(|ms| 1000.0 / ms)
}

/// Whether a unit is a plain count (`requests`, `tokens`, `count`).
fn is_count_unit(unit: &str) -> bool {
    matches!(unit.trim().to_ascii_lowercase().as_str(), "requests" | "tokens" | "count" | "")
}

/// The four latency metrics and the sa-bench column each fills.
const LATENCY_MAP: [(&str, &str); 4] = [
    ("time_to_first_token", "ttft"),
    ("inter_token_latency", "tpot"),
    ("inter_chunk_latency", "itl"),
    ("request_latency", "e2el"),
];

/// Maps an aiperf export to a [`BenchmarkPoint`] (see the crate docs for the table). Problems
/// (a unit it does not know) are appended to `warnings`; `source_file` is left `None`.
pub fn to_point(export: &AiperfExport, warnings: &mut Vec<String>) -> BenchmarkPoint {
    let mut p = BenchmarkPoint {
        concurrency: export.concurrency,
        request_rate: export.request_rate,
        ..Default::default()
    };
    let mut used: Vec<&str> = Vec::new();
    let unit_of = |m: &AiperfMetric| m.unit.clone().unwrap_or_default();

    for (tag, short) in LATENCY_MAP {
        let Some(metric) = export.metrics.get(tag) else { continue };
        used.push(tag);
        let Some(factor) = time_to_ms(&unit_of(metric)) else {
            warnings.push(format!("{tag}: unknown time unit {:?}, metric skipped", unit_of(metric)));
            continue;
        };
        for (stat, value) in &metric.stats {
            let v = value * factor;
            let field = match (stat.as_str(), short) {
                ("avg", "ttft") => &mut p.mean_ttft_ms,
                ("p50", "ttft") => &mut p.median_ttft_ms,
                ("p99", "ttft") => &mut p.p99_ttft_ms,
                ("std", "ttft") => &mut p.std_ttft_ms,
                ("avg", "tpot") => &mut p.mean_tpot_ms,
                ("p50", "tpot") => &mut p.median_tpot_ms,
                ("p99", "tpot") => &mut p.p99_tpot_ms,
                ("std", "tpot") => &mut p.std_tpot_ms,
                ("avg", "itl") => &mut p.mean_itl_ms,
                ("p50", "itl") => &mut p.median_itl_ms,
                ("p99", "itl") => &mut p.p99_itl_ms,
                ("std", "itl") => &mut p.std_itl_ms,
                ("avg", "e2el") => &mut p.mean_e2el_ms,
                ("p50", "e2el") => &mut p.median_e2el_ms,
                ("p99", "e2el") => &mut p.p99_e2el_ms,
                ("std", "e2el") => &mut p.std_e2el_ms,
                ("count", _) => continue,
                _ => {
                    p.other_metrics.insert(format!("{stat}_{short}_ms"), v);
                    continue;
                }
            };
            *field = Some(v);
        }
    }

    let rate = |tag: &'static str, used: &mut Vec<&str>, warnings: &mut Vec<String>| -> Option<f64> {
        let metric = export.metrics.get(tag)?;
        used.push(tag);
        let unit = unit_of(metric);
        match rate_to_per_s(&unit) {
            Some(f) => metric.stats.get("avg").map(|v| v * f),
            None => {
                warnings.push(format!("{tag}: unknown rate unit {unit:?}, metric skipped"));
                None
            }
        }
    };
    p.output_tps = rate("output_token_throughput", &mut used, warnings);
    p.request_throughput = rate("request_throughput", &mut used, warnings);
    if export.metrics.get("goodput").is_some_and(|m| rate_to_per_s(&unit_of(m)).is_some()) {
        p.request_goodput = rate("goodput", &mut used, warnings);
    }
    let total_tps = rate("total_token_throughput", &mut used, warnings);

    let count = |tag: &'static str, used: &mut Vec<&str>| -> Option<u64> {
        let metric = export.metrics.get(tag)?;
        if !is_count_unit(&unit_of(metric)) {
            return None;
        }
        used.push(tag);
        metric.stats.get("avg").copied().map(f64::round).and_then(as_count)
    };
    p.completed = count("request_count", &mut used);
    let errors = count("error_request_count", &mut used);
    p.num_prompts = p.completed.map(|c| c.saturating_add(errors.unwrap_or(0)));
    p.total_input_tokens = count("total_isl", &mut used);
    let total_osl = count("total_osl", &mut used);
    let total_output = count("total_output_tokens", &mut used);
    p.total_output_tokens = total_osl.or(total_output);

    if let Some(metric) = export.metrics.get("benchmark_duration") {
        used.push("benchmark_duration");
        match time_to_ms(&unit_of(metric)) {
            Some(f) => p.duration = metric.stats.get("avg").map(|v| v * f / 1000.0),
            None => warnings
                .push(format!("benchmark_duration: unknown time unit {:?}, metric skipped", unit_of(metric))),
        }
    }
    p.total_tps = total_tps.or_else(|| match (p.total_input_tokens, p.total_output_tokens, p.duration) {
        (Some(i), Some(o), Some(d)) if d > 0.0 => finite((i as f64 + o as f64) / d),
        _ => None,
    });

    // Everything else goes to other_metrics as `<tag>_<stat>` (times in ms, `_ms` suffix).
    for (tag, metric) in &export.metrics {
        if used.contains(&tag.as_str()) || tag.ends_with("_timestamp") {
            continue;
        }
        let unit = unit_of(metric);
        if unit.eq_ignore_ascii_case("datetime") {
            continue;
        }
        let (factor, suffix) = match time_to_ms(&unit) {
            Some(f) => (f, "_ms"),
            None => (rate_to_per_s(&unit).unwrap_or(1.0), ""),
        };
        for (stat, value) in &metric.stats {
            if stat == "count" {
                continue;
            }
            p.other_metrics.insert(format!("{tag}_{stat}{suffix}"), value * factor);
        }
    }
    p
}

/// `_YYYYMMDD_HHMMSS` at the end of an artifact directory name.
static ARTIFACT_TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"_(?P<date>\d{8})_(?P<time>\d{6})$").unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Where aiperf artifact directories are: `logs/artifacts/` (and `artifacts/` at the run root).
const ARTIFACT_BASES: [&str; 2] = ["logs/artifacts", "artifacts"];

/// Artifact directories holding an export, by base and then by name.
pub fn artifact_dirs(files: &RunFiles) -> Vec<&str> {
    ARTIFACT_BASES
        .iter()
        .flat_map(|base| files.children(base))
        .filter(|d| files.is_file(&join_path(&d.path, EXPORT_FILE)))
        .map(|d| d.path.as_str())
        .collect()
}

/// Whether an artifact directory's name ends in aiperf's `_YYYYMMDD_HHMMSS`.
fn has_timestamp(dir: &str) -> bool {
    ARTIFACT_TIMESTAMP.is_match(dir.rsplit('/').next().unwrap_or(dir))
}

/// Newest first: a `_YYYYMMDD_HHMMSS` suffix beats none (aiperf's default directory, left by
/// warm-up runs without `--artifact-dir`), then the later timestamp, then the later mtime of
/// the export.
fn artifact_sort_key(dir: &str, export_mtime_ns: Option<i128>) -> (bool, String, Option<i128>, &str) {
    let name = dir.rsplit('/').next().unwrap_or(dir);
    let stamp = ARTIFACT_TIMESTAMP.captures(name).map(|c| format!("{}{}", &c["date"], &c["time"]));
    (stamp.is_some(), stamp.unwrap_or_default(), export_mtime_ns, dir)
}

/// The files of a run's aiperf results, chosen from its listing: the export of the newest
/// artifact directory (by name suffix, else by the export's mtime) is read, every export is
/// considered, and the other timestamped directories beside the newest are noted.
pub fn select(files: &RunFiles) -> ResultSources {
    let mut sources = ResultSources::new(files);
    let dirs = artifact_dirs(files);
    let export_of = |dir: &str| join_path(dir, EXPORT_FILE);
    let newest = dirs
        .iter()
        .copied()
        .max_by_key(|d| artifact_sort_key(d, files.get(&export_of(d)).map(|e| e.mtime_ns)));
    if let Some(dir) = newest {
        // Other timestamped runs of the same job are worth a note; the warm-up's default
        // directory (no timestamp) is expected and not mentioned.
        let others: Vec<&str> = dirs
            .iter()
            .copied()
            .filter(|d| *d != dir && parent_of(d) == parent_of(dir) && has_timestamp(d))
            .collect();
        if !others.is_empty() {
            sources.notes.push(format!(
                "read the newest aiperf artifact directory {dir}, ignored {}",
                others.join(", ")
            ));
        }
        sources.result_dir = Some(dir.to_owned());
        sources.result_files = vec![export_of(dir)];
    }
    sources.considered = dirs.iter().map(|d| export_of(d)).collect();
    sources
}

/// Parses the export chosen by [`select`] (the first item of `bytes`). Paths in the result are
/// relative to the run directory; no export is `Ok` without points.
pub fn parse_results(
    sources: &ResultSources,
    bytes: &mut dyn Iterator<Item = SourceBytes<'_>>,
) -> Result<ProfilerResults, ParseError> {
    let Some(source) = bytes.next() else { return Ok(ProfilerResults::default()) };
    let path = sources.full_path(source.path);
    let bytes = source.bytes.map_err(|e| ParseError::io(&path, e))?;
    let export = parse_export(&bytes).map_err(|message| ParseError::invalid(&path, message))?;
    let rel = source.path.to_owned();
    let mut warnings = sources.notes.clone();
    let mut metric_warnings = Vec::new();
    let mut point = to_point(&export, &mut metric_warnings);
    warnings.extend(metric_warnings.into_iter().map(|w| format!("{rel}: {w}")));
    point.source_file = Some(rel);
    Ok(ProfilerResults { source: Some(ResultSource::Json), points: vec![point], warnings })
}

/// Removes ANSI escape sequences (`ESC [ ... letter`).
fn strip_ansi(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains('\u{1b}') {
        return line.into();
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.clone().next() == Some('[') {
                chars.next();
                for e in chars.by_ref() {
                    if e.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out.into()
}

const CELL_SEPARATORS: [char; 3] = ['│', '┃', '|'];

fn cells(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.trim_start_matches(CELL_SEPARATORS).trim_end_matches(CELL_SEPARATORS);
    t.split(CELL_SEPARATORS).map(|c| c.trim().to_owned()).collect()
}

/// `Time to First Token (ms)` → (`time_to_first_token`, `ms`).
fn metric_from_label(label: &str) -> Option<(String, Option<String>)> {
    let label = label.trim();
    let (header, unit) = match (label.rfind('('), label.ends_with(')')) {
        (Some(open), true) => {
            (label[..open].trim(), Some(label[open + 1..label.len() - 1].trim().to_owned()))
        }
        _ => (label, None),
    };
    let tag: String = header
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    (!tag.is_empty()).then_some((tag, unit))
}

/// Whether an `aiperf profile` command marks a measured run, and its concurrency.
fn command_context(line: &str) -> Option<(bool, Option<u32>)> {
    let at = line.find("aiperf profile")?;
    let words = shell_words(&line[at..]);
    let mut measured = false;
    let mut concurrency = None;
    let mut fixed = false;
    for (i, w) in words.iter().enumerate() {
        match w.as_str() {
            "--artifact-dir" | "--input-file" => measured = true,
            "--fixed-schedule" => {
                measured = true;
                fixed = true;
            }
            "--concurrency" => concurrency = words.get(i + 1).and_then(|v| v.parse().ok()),
            _ => {}
        }
    }
    Some((measured, if fixed { None } else { concurrency }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TableKind {
    Warmup,
    Unknown,
    Measured,
}

/// Reads the `NVIDIA AIPerf | LLM Metrics` console tables of mooncake-router `benchmark.out`
/// text. The warm-up run (`Running small benchmark for warmup...`) prints a table too; the
/// table of the measured run (after `Running aiperf benchmark...`, or after an `aiperf profile`
/// command with `--artifact-dir`/`--fixed-schedule`) wins, a warm-up table never does.
/// Concurrency comes from the run's `--concurrency` flag when the command is in the text.
pub fn parse_console_output(text: &str) -> ProfilerResults {
    let mut kind_state = TableKind::Unknown;
    let mut concurrency = None;
    let mut tables: Vec<(TableKind, Option<u32>, BTreeMap<String, AiperfMetric>)> = Vec::new();
    // The table being read: column names, metrics, the current metric's name and values.
    let mut columns: Option<Vec<String>> = None;
    let mut in_table = false;
    let mut metrics: BTreeMap<String, AiperfMetric> = BTreeMap::new();
    let mut pending: Option<(String, Vec<String>)> = None;

    let flush = |pending: &mut Option<(String, Vec<String>)>,
                 columns: &[String],
                 metrics: &mut BTreeMap<String, AiperfMetric>| {
        if let Some((label, values)) = pending.take() {
            if let Some((tag, unit)) = metric_from_label(&label) {
                let mut metric = AiperfMetric { unit, stats: BTreeMap::new() };
                for (col, value) in columns.iter().skip(1).zip(values.iter()) {
                    if let Some(v) = parse_number(value) {
                        metric.stats.insert(col.to_ascii_lowercase(), v);
                    }
                }
                if !metric.stats.is_empty() {
                    metrics.insert(tag, metric);
                }
            }
        }
    };

    for raw in text.split('\n') {
        let line = strip_ansi(raw.trim_end());
        let line = line.rsplit('\r').next().unwrap_or("").trim_end();
        let trimmed = line.trim_start();
        if in_table {
            if let Some(cols) = columns.as_ref() {
                if trimmed.starts_with('│') || trimmed.starts_with('|') && !trimmed.starts_with("|-") {
                    let row = cells(trimmed);
                    let (label, values) =
                        row.split_first().map(|(l, v)| (l.clone(), v.to_vec())).unwrap_or_default();
                    if values.iter().all(String::is_empty) {
                        // A wrapped metric name continues on this line.
                        if let Some((name, _)) = pending.as_mut() {
                            if !label.is_empty() {
                                name.push(' ');
                                name.push_str(&label);
                            }
                        }
                    } else {
                        flush(&mut pending, cols, &mut metrics);
                        pending = Some((label, values));
                    }
                    continue;
                }
                if trimmed.starts_with(['┡', '├', '+', '╇']) {
                    continue;
                }
                flush(&mut pending, cols, &mut metrics);
                if !metrics.is_empty() {
                    tables.push((kind_state, concurrency, std::mem::take(&mut metrics)));
                }
                in_table = false;
                columns = None;
            } else if trimmed.starts_with(['┃', '|']) && trimmed.contains("Metric") {
                columns = Some(cells(trimmed));
                continue;
            } else if trimmed.starts_with(['┏', '+', '╭']) || trimmed.is_empty() {
                continue;
            } else {
                in_table = false;
            }
        }
        if line.contains("NVIDIA AIPerf |") {
            in_table = true;
            metrics.clear();
            pending = None;
        } else if line.contains("Running small benchmark for warmup") {
            kind_state = TableKind::Warmup;
            concurrency = None;
        } else if line.contains("Small benchmark for warmup complete") {
            kind_state = TableKind::Unknown;
        } else if line.contains("Running aiperf benchmark") {
            kind_state = TableKind::Measured;
        } else if let Some((measured, c)) = command_context(line) {
            concurrency = c;
            if measured {
                kind_state = TableKind::Measured;
            }
        }
    }
    if in_table {
        if let Some(cols) = columns.as_ref() {
            flush(&mut pending, cols, &mut metrics);
        }
        if !metrics.is_empty() {
            tables.push((kind_state, concurrency, metrics));
        }
    }

    let mut results = ProfilerResults::default();
    let best = tables.iter().map(|t| t.0).max();
    let Some(best) = best.filter(|k| *k != TableKind::Warmup) else {
        return results;
    };
    if let Some((_, concurrency, metrics)) = tables.into_iter().rfind(|t| t.0 == best) {
        let export = AiperfExport {
            metrics,
            concurrency,
            request_rate: None,
            fixed_schedule: false,
            layout: Layout::Console,
        };
        let mut warnings = Vec::new();
        results.points.push(to_point(&export, &mut warnings));
        results.warnings = warnings;
        results.source = Some(ResultSource::BenchmarkOut);
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat() -> &'static str {
        r#"{
  "request_throughput": {"unit": "requests/sec", "avg": 3.5},
  "request_latency": {"unit": "ms", "avg": 5000.0, "p1": 1000.0, "p5": 1500.0, "p10": 2000.0, "p25": 3000.0, "p50": 4800.0, "p75": 6000.0, "p90": 7000.0, "p95": 7500.0, "p99": 9000.0, "min": 900.0, "max": 9500.0, "std": 1200.0},
  "time_to_first_token": {"unit": "ms", "avg": 400.0, "p50": 350.0, "p99": 1500.0, "std": 200.0},
  "time_to_second_token": {"unit": "ms", "avg": 30.0, "p50": 28.0},
  "inter_token_latency": {"unit": "ms", "avg": 12.0, "p50": 11.5, "p99": 20.0, "std": 2.5},
  "inter_chunk_latency": {"unit": "ms", "avg": 11.9, "p50": 11.0, "p99": 25.0, "std": 3.0},
  "output_token_throughput": {"unit": "tokens/sec", "avg": 1400.0},
  "output_token_throughput_per_user": {"unit": "tokens/sec/user", "avg": 83.3},
  "request_count": {"unit": "requests", "avg": 700.0},
  "error_request_count": {"unit": "requests", "avg": 2.0},
  "benchmark_duration": {"unit": "sec", "avg": 200.0},
  "total_isl": {"unit": "tokens", "avg": 7000000.0},
  "total_osl": {"unit": "tokens", "avg": 280000.0},
  "goodput": null,
  "min_request_timestamp": {"unit": "datetime", "avg": "2026-01-16T06:20:20.123456"},
  "input_config": {"endpoint": {"model_names": ["deepseek-ai/DeepSeek-R1"], "streaming": true}, "input": {"fixed_schedule": true, "custom_dataset_type": "mooncake_trace"}, "loadgen": {}},
  "was_cancelled": false,
  "error_summary": [{"error_details": {"code": 500}, "count": 2}],
  "start_time": "2026-01-16T06:20:18.000000",
  "end_time": "2026-01-16T06:23:38.000000"
}"#
    }

    #[test]
    fn flat_layout_maps_to_sa_bench_columns() {
        let export = parse_export(flat().as_bytes()).unwrap();
        assert_eq!(export.layout, Layout::Flat);
        assert!(export.fixed_schedule);
        assert_eq!(export.concurrency, None);
        let mut w = Vec::new();
        let p = to_point(&export, &mut w);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(p.concurrency, None);
        assert_eq!(
            (p.mean_ttft_ms, p.median_ttft_ms, p.p99_ttft_ms, p.std_ttft_ms),
            (Some(400.0), Some(350.0), Some(1500.0), Some(200.0))
        );
        assert_eq!(
            (p.mean_tpot_ms, p.median_tpot_ms, p.p99_tpot_ms, p.std_tpot_ms),
            (Some(12.0), Some(11.5), Some(20.0), Some(2.5))
        );
        assert_eq!(
            (p.mean_itl_ms, p.median_itl_ms, p.p99_itl_ms, p.std_itl_ms),
            (Some(11.9), Some(11.0), Some(25.0), Some(3.0))
        );
        assert_eq!(
            (p.mean_e2el_ms, p.median_e2el_ms, p.p99_e2el_ms, p.std_e2el_ms),
            (Some(5000.0), Some(4800.0), Some(9000.0), Some(1200.0))
        );
        assert_eq!((p.output_tps, p.request_throughput, p.request_goodput), (Some(1400.0), Some(3.5), None));
        assert_eq!((p.completed, p.num_prompts, p.duration), (Some(700), Some(702), Some(200.0)));
        assert_eq!((p.total_input_tokens, p.total_output_tokens), (Some(7_000_000), Some(280_000)));
        assert_eq!(p.total_tps, Some(36_400.0));
        assert_eq!(p.other_metrics.get("p90_e2el_ms"), Some(&7000.0));
        assert_eq!(p.other_metrics.get("min_e2el_ms"), Some(&900.0));
        assert_eq!(p.other_metrics.get("time_to_second_token_avg_ms"), Some(&30.0));
        assert_eq!(p.other_metrics.get("output_token_throughput_per_user_avg"), Some(&83.3));
        assert!(!p.other_metrics.keys().any(|k| k.contains("timestamp")));
    }

    #[test]
    fn records_layout_and_closed_loop_concurrency() {
        let text = r#"{"records": {"time_to_first_token": {"tag": "time_to_first_token", "unit": "ms", "header": "Time to First Token", "avg": 250.0, "min": 100.0, "max": 900.0, "p1": 110.0, "p5": 120.0, "p25": 200.0, "p50": 240.0, "p75": 300.0, "p90": 400.0, "p95": 500.0, "p99": 800.0, "std": 90.0, "count": 640},
          "request_count": {"tag": "request_count", "unit": "requests", "header": "Request Count", "avg": 640, "count": 1},
          "benchmark_duration": {"tag": "benchmark_duration", "unit": "s", "header": "Benchmark Duration", "avg": 100.0}},
          "input_config": {"loadgen": {"concurrency": 32, "request_count": 640}}, "was_cancelled": false}"#;
        let export = parse_export(text.as_bytes()).unwrap();
        assert_eq!(export.layout, Layout::Records);
        assert_eq!(export.concurrency, Some(32));
        let p = to_point(&export, &mut Vec::new());
        assert_eq!(
            (p.concurrency, p.completed, p.num_prompts, p.duration),
            (Some(32), Some(640), Some(640), Some(100.0))
        );
        assert_eq!((p.mean_ttft_ms, p.p99_ttft_ms), (Some(250.0), Some(800.0)));
        assert_eq!(p.other_metrics.get("p5_ttft_ms"), Some(&120.0));
        assert!(!p.other_metrics.contains_key("count_ttft_ms"));
        assert_eq!(p.total_tps, None, "no token totals, no total throughput");
    }

    #[test]
    fn units_are_converted() {
        let text = r#"{"time_to_first_token": {"unit": "ns", "avg": 250000000.0},
          "inter_token_latency": {"unit": "us", "avg": 12500.0},
          "request_latency": {"unit": "sec", "avg": 2.5, "p99": 4.0},
          "benchmark_duration": {"unit": "ms", "avg": 60000.0},
          "output_token_throughput": {"unit": "tokens/ms", "avg": 2.0},
          "request_throughput": {"unit": "req/s", "avg": 1.5},
          "goodput": {"unit": "requests/sec", "avg": 1.25},
          "inter_chunk_latency": {"unit": "fortnights", "avg": 1.0}}"#;
        let mut w = Vec::new();
        let p = to_point(&parse_export(text.as_bytes()).unwrap(), &mut w);
        assert_eq!(p.mean_ttft_ms, Some(250.0));
        assert_eq!(p.mean_tpot_ms, Some(12.5));
        assert_eq!((p.mean_e2el_ms, p.p99_e2el_ms), (Some(2500.0), Some(4000.0)));
        assert_eq!(p.duration, Some(60.0));
        assert_eq!(p.output_tps, Some(2000.0));
        assert_eq!(p.request_throughput, Some(1.5));
        assert_eq!(p.request_goodput, Some(1.25));
        assert_eq!(p.mean_itl_ms, None);
        assert_eq!(
            w,
            vec!["inter_chunk_latency: unknown time unit \"fortnights\", metric skipped".to_owned()]
        );
    }

    #[test]
    fn bad_exports_are_errors() {
        for (text, needle) in [
            ("[1, 2]", "invalid aiperf export"),
            (r#"{"was_cancelled": false}"#, "no aiperf metrics"),
            (r#"{"request_count": {"unit": "requests", "avg": 3}"#, "truncated"),
            (r#"{"records": 7}"#, "invalid aiperf export"),
            ("", "truncated"),
        ] {
            let err = parse_export(text.as_bytes()).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
        // NaN and wrong-typed values inside a metric are unknown, not fatal.
        let p = to_point(
            &parse_export(br#"{"request_count": {"unit": "requests", "avg": NaN}, "time_to_first_token": {"unit": "ms", "avg": "fast", "p50": 3}}"#).unwrap(),
            &mut Vec::new(),
        );
        assert_eq!((p.completed, p.mean_ttft_ms, p.median_ttft_ms), (None, None, Some(3.0)));
    }

    const TABLE: &str = "                                     NVIDIA AIPerf | LLM Metrics
┏━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┓
┃               Metric ┃      avg ┃      min ┃      max ┃      p99 ┃      p90 ┃      p50 ┃      std ┃
┡━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━┩
│  Time to First Token │ 1,019.99 │    12.53 │ 4,049.62 │ 3,048.89 │    42.24 │    13.93 │    12.92 │
│                 (ms) │          │          │          │          │          │          │          │
│ Request Latency (ms) │ 2,940.39 │ 1,536.67 │ 7,319.35 │ 7,034.86 │ 4,474.42 │ 2,900.00 │   800.00 │
│  Inter Token Latency │    11.00 │     9.00 │    15.00 │    14.00 │    13.00 │    10.50 │     1.25 │
│                 (ms) │          │          │          │          │          │          │          │
│     Output Token │ 1,234.50 │      N/A │      N/A │      N/A │      N/A │      N/A │      N/A │
│ Throughput (tokens/sec) │          │          │          │          │          │          │          │
│        Request Count │   640.00 │      N/A │      N/A │      N/A │      N/A │      N/A │      N/A │
│           (requests) │          │          │          │          │          │          │          │
└──────────────────────┴──────────┴──────────┴──────────┴──────────┴──────────┴──────────┴──────────┘
";

    #[test]
    fn console_table_with_wrapped_names() {
        let r = parse_console_output(TABLE);
        assert_eq!(r.source, Some(ResultSource::BenchmarkOut));
        let p = &r.points[0];
        assert_eq!(
            (p.mean_ttft_ms, p.p99_ttft_ms, p.median_ttft_ms, p.std_ttft_ms),
            (Some(1019.99), Some(3048.89), Some(13.93), Some(12.92))
        );
        assert_eq!((p.mean_e2el_ms, p.median_e2el_ms), (Some(2940.39), Some(2900.0)));
        assert_eq!((p.mean_tpot_ms, p.p99_tpot_ms), (Some(11.0), Some(14.0)));
        assert_eq!(p.output_tps, Some(1234.5));
        assert_eq!(p.completed, Some(640));
        assert_eq!(p.concurrency, None);
    }

    #[test]
    fn console_warmup_table_never_wins() {
        let warm =
            format!("Running small benchmark for warmup...\n{TABLE}Small benchmark for warmup complete\n");
        assert!(parse_console_output(&format!("{warm}Running aiperf benchmark...\n")).points.is_empty());
        let measured = TABLE.replace("640.00", "7,000.00");
        let text = format!("{warm}Running aiperf benchmark...\n+ aiperf profile -m m --url http://x:8000 --concurrency 32 --artifact-dir /logs/artifacts/m_c_20250101_000000\n{measured}");
        let r = parse_console_output(&text);
        assert_eq!((r.points[0].completed, r.points[0].concurrency), (Some(7000), Some(32)));
        let fixed = text.replace("--concurrency 32", "--fixed-schedule");
        assert_eq!(parse_console_output(&fixed).points[0].concurrency, None);
    }

    #[test]
    fn artifact_names_sort_by_timestamp() {
        let a = artifact_sort_key("x/DeepSeek-R1_conversation_20260116_062017", Some(1));
        let b = artifact_sort_key("x/DeepSeek-R1_conversation_20260115_235959", Some(3));
        let c = artifact_sort_key("x/deepseek-ai_DeepSeek-R1-openai-chat-concurrency10", Some(9));
        assert!(a > b && b > c);
        // Equal names: the later export wins.
        assert!(artifact_sort_key("x/a", Some(2)) > artifact_sort_key("x/a", Some(1)));
        assert!(has_timestamp("logs/artifacts/Q_synthetic_20251001_093012"));
        assert!(!has_timestamp("logs/artifacts/Q-openai-chat-concurrency10"));
    }
}
