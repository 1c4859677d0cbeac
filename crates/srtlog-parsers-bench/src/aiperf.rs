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
    /// `schema_version` (absent in the oldest flat files and in the `records` layout).
    pub schema_version: Option<String>,
    /// `error_summary`: (code, type, message, count) per kind of failure.
    pub errors: Vec<ErrorKind>,
    /// The summary of `telemetry_data`, when the export carries GPU telemetry.
    pub telemetry: Option<TelemetrySummary>,
}

/// One entry of aiperf's `error_summary`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorKind {
    /// HTTP-like code (`499`), when given.
    pub code: Option<i64>,
    /// Error type (`RequestCancellationError`), when given.
    pub kind: Option<String>,
    /// The message.
    pub message: String,
    /// How many requests failed so.
    pub count: u64,
}

/// What `telemetry_data` says of the GPUs over the run, summed or averaged over every GPU of
/// every endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TelemetrySummary {
    /// GPUs with metrics.
    pub gpus: u64,
    /// Sum over GPUs of the mean power (W), when every GPU has `gpu_power_usage`.
    pub power_w: Option<f64>,
    /// Sum over GPUs of the energy counter's rise, `max − min` (J), when every GPU has it.
    pub energy_j: Option<f64>,
    /// Mean over GPUs of the mean utilization (%), when every GPU has it.
    pub utilization_pct: Option<f64>,
}

/// Tags older aiperf used for metrics that newer versions spell out (the `records` layout of
/// Oct 2025 has `ttft` and `ttst`), and the renamed prefill throughput.
const TAG_ALIASES: [(&str, &str); 4] = [
    ("ttft", "time_to_first_token"),
    ("ttst", "time_to_second_token"),
    ("ttfo", "time_to_first_output_token"),
    ("prefill_throughput", "prefill_throughput_per_user"),
];

/// The current name of a metric tag.
fn canonical_tag(tag: String) -> String {
    TAG_ALIASES.iter().find(|(old, _)| *old == tag).map_or(tag, |(_, new)| (*new).to_owned())
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
        let mut export = AiperfExport::empty(Layout::Flat);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "records" => {
                    export.layout = Layout::Records;
                    for (tag, metric) in map.next_value::<Records>()?.0 {
                        export.metrics.entry(canonical_tag(tag)).or_insert(metric);
                    }
                }
                "input_config" => {
                    let config: Option<serde_json::Value> = map.next_value()?;
                    if let Some(config) = config {
                        apply_input_config(&config, &mut export);
                    }
                }
                "schema_version" => export.schema_version = map.next_value::<LenientString>()?.0,
                "error_summary" => {
                    let summary: Option<serde_json::Value> = map.next_value()?;
                    export.errors = summary.as_ref().map(error_kinds).unwrap_or_default();
                }
                "telemetry_data" => {
                    let data: Option<serde_json::Value> = map.next_value()?;
                    export.telemetry = data.as_ref().and_then(telemetry_summary);
                }
                // Warm-up requests only (schema ≥ 1.4): the top-level metrics are the profiling
                // phase's, and the warm-up is not a result.
                "warmup_metrics" | "run_info" | "branch_stats" => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    if let Some((_, metric)) = map.next_value::<MaybeMetric>()?.0 {
                        export.metrics.insert(canonical_tag(key), metric);
                    }
                }
            }
        }
        Ok(export)
    }
}

impl AiperfExport {
    /// An export with no metric yet.
    pub fn empty(layout: Layout) -> Self {
        AiperfExport {
            metrics: BTreeMap::new(),
            concurrency: None,
            request_rate: None,
            fixed_schedule: false,
            layout,
            schema_version: None,
            errors: Vec::new(),
            telemetry: None,
        }
    }
}

/// `error_summary`: `[{"error_details": {"code", "type", "message"}, "count"}]`.
fn error_kinds(summary: &serde_json::Value) -> Vec<ErrorKind> {
    let Some(list) = summary.as_array() else { return Vec::new() };
    list.iter()
        .map(|e| {
            let details = e.get("error_details");
            let field = |k: &str| details.and_then(|d| d.get(k));
            ErrorKind {
                code: field("code").and_then(serde_json::Value::as_i64),
                kind: field("type").and_then(serde_json::Value::as_str).map(str::to_owned),
                message: field("message").and_then(serde_json::Value::as_str).unwrap_or("").to_owned(),
                count: e.get("count").and_then(serde_json::Value::as_u64).unwrap_or(0),
            }
        })
        .collect()
}

/// A GPU metric's name without the vendor prefix schema 1.5 may add (`nvidia_gpu_power_usage`).
fn gpu_metric<'a>(metrics: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    metrics.get(name).or_else(|| ["nvidia_", "amd_"].iter().find_map(|p| metrics.get(format!("{p}{name}"))))
}

/// Factor from an energy unit to joules.
fn energy_to_j(unit: &str) -> Option<f64> {
    match unit.trim() {
        "J" | "j" => Some(1.0),
        "kJ" => Some(1e3),
        "MJ" => Some(1e6),
        "mJ" => Some(1e-3),
        _ => None,
    }
}

/// `telemetry_data.endpoints.<host>.gpus.<gpu>.metrics`: summed power and energy, mean
/// utilization. A sum is given only when every GPU has the metric in a known unit.
fn telemetry_summary(data: &serde_json::Value) -> Option<TelemetrySummary> {
    let endpoints = data.get("endpoints")?.as_object()?;
    let gpus: Vec<&serde_json::Value> = endpoints
        .values()
        .filter_map(|e| e.get("gpus").and_then(serde_json::Value::as_object))
        .flat_map(|g| g.values())
        .filter_map(|g| g.get("metrics"))
        .collect();
    if gpus.is_empty() {
        return None;
    }
    let stat = |m: &serde_json::Value, k: &str| m.get(k).and_then(serde_json::Value::as_f64);
    let all = |f: &dyn Fn(&serde_json::Value) -> Option<f64>| gpus.iter().map(|m| f(m)).sum::<Option<f64>>();
    let power_w = all(&|m| {
        let p = gpu_metric(m, "gpu_power_usage")?;
        (p.get("unit").and_then(serde_json::Value::as_str) == Some("W")).then(|| stat(p, "avg")).flatten()
    });
    let energy_j = all(&|m| {
        let e = gpu_metric(m, "energy_consumption")?;
        let f = energy_to_j(e.get("unit").and_then(serde_json::Value::as_str)?)?;
        Some((stat(e, "max")? - stat(e, "min")?) * f)
    });
    let utilization = all(&|m| {
        let u = gpu_metric(m, "gpu_utilization")?;
        (u.get("unit").and_then(serde_json::Value::as_str) == Some("%")).then(|| stat(u, "avg")).flatten()
    });
    #[allow(clippy::cast_precision_loss)]
    let n = gpus.len() as f64;
    Some(TelemetrySummary {
        gpus: gpus.len() as u64,
        power_w: power_w.and_then(finite),
        energy_j: energy_j.and_then(finite),
        utilization_pct: utilization.map(|u| u / n).and_then(finite),
    })
}

fn apply_input_config(config: &serde_json::Value, export: &mut AiperfExport) {
    // Old exports: `loadgen.concurrency`; the phases-based config of newer aiperf:
    // `phases.profiling.concurrency`.
    let loadgen = config.get("loadgen");
    let profiling = config.get("phases").and_then(|p| p.get("profiling"));
    let setting = |key: &str| loadgen.and_then(|l| l.get(key)).or_else(|| profiling.and_then(|p| p.get(key)));
    export.concurrency = setting("concurrency")
        .and_then(serde_json::Value::as_f64)
        .and_then(as_count)
        .and_then(|c| u32::try_from(c).ok())
        .filter(|c| *c > 0);
    export.request_rate = setting("request_rate").and_then(serde_json::Value::as_f64).and_then(finite);
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

/// The latency metrics and the column family each fills.
const LATENCY_MAP: [(&str, &str); 5] = [
    ("time_to_first_token", "ttft"),
    ("time_to_first_output_token", "ttfo"),
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
                ("avg", "ttfo") => &mut p.mean_ttfo_ms,
                ("p50", "ttfo") => &mut p.median_ttfo_ms,
                ("p99", "ttfo") => &mut p.p99_ttfo_ms,
                ("count" | "sum", _) => continue,
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
    p.error_count = errors;
    p.good_completed = count("good_request_count", &mut used);
    p.total_reasoning_tokens = count("total_reasoning_tokens", &mut used);

    // Prefill throughput per user (ISL / TTFT per request); older aiperf called it
    // `prefill_throughput` (canonicalised on reading).
    if let Some(metric) = export.metrics.get("prefill_throughput_per_user") {
        used.push("prefill_throughput_per_user");
        match rate_to_per_s(&unit_of(metric)) {
            Some(f) => {
                for (stat, value) in &metric.stats {
                    match stat.as_str() {
                        "avg" => p.mean_prefill_tps_per_user = Some(value * f),
                        "p50" => p.median_prefill_tps_per_user = Some(value * f),
                        "count" | "sum" => {}
                        _ => {
                            p.other_metrics.insert(format!("prefill_throughput_per_user_{stat}"), value * f);
                        }
                    }
                }
            }
            None => warnings.push(format!(
                "prefill_throughput_per_user: unknown rate unit {:?}, metric skipped",
                unit_of(metric)
            )),
        }
    }

    // The measurement window: first request sent, last response received (epoch, in the
    // metric's unit; aiperf writes `ns`). A `datetime` string is not an instant without a zone.
    let instant = |tag: &str| -> Option<f64> {
        let metric = export.metrics.get(tag)?;
        // Divided in one step, so that epoch nanoseconds keep their microseconds.
        let per_s = 1000.0 / time_to_ms(&unit_of(metric))?;
        metric.stats.get("avg").map(|v| v / per_s.round()).and_then(finite)
    };
    p.window_start_unix = instant("min_request_timestamp");
    p.window_end_unix = instant("max_response_timestamp");

    // GPU telemetry: aiperf's own profiling-window totals when it computed them (the
    // `nvidia_` names since schema 1.5), else the per-GPU summary of `telemetry_data`.
    let derived_total = |names: [&'static str; 2], unit: &str, used: &mut Vec<&str>| -> Option<f64> {
        names.iter().find_map(|tag| {
            let metric = export.metrics.get(*tag).filter(|m| unit_of(m) == unit)?;
            used.push(tag);
            metric.stats.get("avg").copied()
        })
    };
    let telemetry = export.telemetry.unwrap_or_default();
    p.telemetry_gpus = export.telemetry.map(|t| t.gpus);
    p.gpu_power_w =
        derived_total(["nvidia_total_gpu_power", "total_gpu_power"], "W", &mut used).or(telemetry.power_w);
    p.gpu_energy_j =
        derived_total(["nvidia_total_gpu_energy", "total_gpu_energy"], "J", &mut used).or(telemetry.energy_j);
    p.gpu_utilization_pct = telemetry.utilization_pct;

    // The error summary is text, so it goes where the run's other problems are told.
    for e in &export.errors {
        let head: Vec<String> = e.code.map(|c| c.to_string()).into_iter().chain(e.kind.clone()).collect();
        let what = match (head.is_empty(), e.message.is_empty()) {
            (false, false) => format!("{}: {}", head.join(" "), e.message),
            (false, true) => head.join(" "),
            (true, _) => e.message.clone(),
        };
        warnings.push(format!("{} failed request(s): {what}", e.count));
    }
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

/// Where aiperf artifact directories are: `logs/artifacts/` (and `artifacts/` at the run root)
/// for aiperf-bench, trace-replay, mooncake-router and aiperf (`conc_<C>/`), and the agentic
/// harness's `logs/agentic/conc_<C>/aiperf_artifacts/`.
const ARTIFACT_BASES: [&str; 2] = ["logs/artifacts", "artifacts"];

/// The agentic harness's result directory (`agentic/conc_<C>/aiperf_artifacts/`).
const AGENTIC_BASE: &str = "logs/agentic";

/// Whether a directory is a warm-up: aiperf-bench's and trace-replay's `artifacts/warmup/`.
fn is_warmup_dir(dir: &str) -> bool {
    dir.rsplit('/').next().is_some_and(|n| n.eq_ignore_ascii_case("warmup") || n.starts_with("warmup_"))
}

/// `_c<C>_` (aiperf-bench, trace-replay) or `conc_<C>` (aiperf, agentic) in a directory path:
/// the concurrency the directory was named for.
static DIR_CONCURRENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|/)conc_(?P<a>\d+)(?:/|$)|_c(?P<b>\d+)_\d{8}_\d{6}(?:/|$)")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// The concurrency a directory's name gives, if any.
pub fn dir_concurrency(dir: &str) -> Option<u32> {
    let c = DIR_CONCURRENCY.captures(dir)?;
    c.name("a").or_else(|| c.name("b"))?.as_str().parse().ok().filter(|c| *c > 0)
}

/// Whether a directory is named by srt-slurm (a `_YYYYMMDD_HHMMSS` suffix or `conc_<C>`), as
/// opposed to aiperf's default `<model>-openai-chat-concurrency<N>`, where mooncake-router's
/// warm-up lands.
fn is_named_dir(dir: &str) -> bool {
    has_timestamp(dir) || DIR_CONCURRENCY.is_match(dir)
}

/// Artifact directories holding an export, by base and then by name (warm-ups included).
pub fn artifact_dirs(files: &RunFiles) -> Vec<&str> {
    let agentic = files
        .children(AGENTIC_BASE)
        .filter(|d| d.is_dir())
        .flat_map(|conc| {
            let artifacts = join_path(&conc.path, "aiperf_artifacts");
            // The export sits in `aiperf_artifacts/` or one directory below it.
            // The listing's own copy of the path, so that its children borrow the listing only.
            let Some(artifacts) = files.get(&artifacts).map(|e| e.path.as_str()) else { return Vec::new() };
            let mut found = vec![artifacts];
            found.extend(files.children(artifacts).filter(|d| d.is_dir()).map(|d| d.path.as_str()));
            found
        })
        .collect::<Vec<_>>();
    ARTIFACT_BASES
        .iter()
        .flat_map(|base| files.children(base))
        .map(|d| d.path.as_str())
        .chain(agentic)
        .filter(|d| files.is_file(&join_path(d, EXPORT_FILE)))
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

/// The files of a run's aiperf results, chosen from its listing: the export of every measured
/// artifact directory, oldest first (by name timestamp, then the export's mtime), so that of two
/// exports for one concurrency [`parse_results`] keeps the later.
///
/// Warm-ups are left out: `warmup/` directories always, and aiperf's default-named
/// directories (mooncake-router's warm-up has no `--artifact-dir`) whenever a directory named by
/// srt-slurm (`_YYYYMMDD_HHMMSS`, `conc_<C>`) exists. Every export, warm-ups included, is
/// considered: a new one can change what is read.
pub fn select(files: &RunFiles) -> ResultSources {
    let mut sources = ResultSources::new(files);
    let dirs = artifact_dirs(files);
    let export_of = |dir: &str| join_path(dir, EXPORT_FILE);
    let any_named = dirs.iter().any(|d| !is_warmup_dir(d) && is_named_dir(d));
    // Warm-ups are expected in every such run, so leaving them out is not worth a warning.
    let mut measured: Vec<&str> =
        dirs.iter().copied().filter(|d| !is_warmup_dir(d) && (!any_named || is_named_dir(d))).collect();
    measured.sort_by_key(|d| artifact_sort_key(d, files.get(&export_of(d)).map(|e| e.mtime_ns)));
    sources.result_dir = match measured.as_slice() {
        [] => None,
        [one] => Some((*one).to_owned()),
        [.., last] => Some(parent_of(last).to_owned()),
    };
    sources.result_files = measured.iter().map(|d| export_of(d)).collect();
    sources.considered = dirs.iter().map(|d| export_of(d)).collect();
    sources
}

/// Parses the exports chosen by [`select`]: one point per concurrency (from the export's
/// `input_config`, else the directory name; none for a fixed-schedule replay). Of two exports
/// for one concurrency the later read wins, with a warning naming both. A damaged export is a
/// warning when another one is usable, else the error. No export is `Ok` without points.
pub fn parse_results(
    sources: &ResultSources,
    bytes: &mut dyn Iterator<Item = SourceBytes<'_>>,
) -> Result<ProfilerResults, ParseError> {
    let mut warnings = sources.notes.clone();
    let mut failures = Vec::new();
    let mut points: Vec<BenchmarkPoint> = Vec::new();
    for source in bytes {
        let rel = source.path.to_owned();
        let path = sources.full_path(&rel);
        let export = match source.bytes {
            Err(e) => Err(ParseError::io(&path, e)),
            Ok(bytes) => parse_export(&bytes).map_err(|message| ParseError::invalid(&path, message)),
        };
        let export = match export {
            Ok(export) => export,
            Err(err) => {
                warnings.push(format!("{rel}: skipped: {err}"));
                failures.push(err);
                continue;
            }
        };
        let mut metric_warnings = Vec::new();
        let mut point = to_point(&export, &mut metric_warnings);
        if point.concurrency.is_none() && !export.fixed_schedule {
            point.concurrency = dir_concurrency(parent_of(&rel));
        }
        warnings.extend(metric_warnings.into_iter().map(|w| format!("{rel}: {w}")));
        point.source_file = Some(rel);
        if let Some(old) = points.iter_mut().find(|p| p.concurrency == point.concurrency) {
            let c = point.concurrency.map_or_else(|| "none (open loop)".to_owned(), |c| c.to_string());
            warnings.push(format!(
                "duplicate aiperf exports for concurrency {c}: kept the newer {}, ignored {}",
                point.source_file.as_deref().unwrap_or(""),
                old.source_file.as_deref().unwrap_or("")
            ));
            *old = point;
        } else {
            points.push(point);
        }
    }
    if points.is_empty() && !failures.is_empty() {
        return Err(if failures.len() == 1 {
            failures.remove(0)
        } else {
            let dir = sources.result_dir.as_deref().unwrap_or("");
            ParseError::invalid(
                sources.full_path(dir),
                format!("no usable aiperf export: {}", warnings.join("; ")),
            )
        });
    }
    let source = (!points.is_empty()).then_some(ResultSource::Json);
    let mut results = ProfilerResults { source, points, warnings };
    results.sort();
    Ok(results)
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
        let export = AiperfExport { metrics, concurrency, ..AiperfExport::empty(Layout::Console) };
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
        assert_eq!(w, ["2 failed request(s): 500"]);
        assert_eq!((p.error_count, p.good_completed), (Some(2), None));
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

    /// One export per schema version (FORMATS-2 §2.1), each with what that version added:
    /// 1.0 the plain stats, 1.1 `count`/`sum`, 1.2 `run_info`, 1.3 its ids and `cli_command`,
    /// 1.4 `warmup_metrics` (not a result), 1.5 `nvidia_*` energy metrics and per-GPU `platform`.
    #[test]
    fn every_schema_version() {
        let body = |version: &str, extra: &str| {
            format!(
                r#"{{"schema_version": "{version}", "aiperf_version": "0.4.0", "benchmark_id": "b-1",
                "time_to_first_token": {{"unit": "ms", "avg": 212.4, "p50": 201.0, "p99": 410.2, "min": 150.1, "max": 455.0, "std": 40.3{counts}}},
                "request_throughput": {{"unit": "requests/sec", "avg": 11.8}},
                "request_count": {{"unit": "requests", "avg": 640.0}},
                "error_request_count": {{"unit": "requests", "avg": 3.0}},
                "good_request_count": {{"unit": "requests", "avg": 600.0}},
                "goodput": {{"unit": "requests/sec", "avg": 11.06}},
                "min_request_timestamp": {{"unit": "ns", "avg": 1785579123123456000}},
                "max_response_timestamp": {{"unit": "ns", "avg": 1785579187654321000}},
                "input_config": {{"loadgen": {{"concurrency": 64}}}},
                "error_summary": [{{"error_details": {{"code": 500, "type": "ServerError", "message": "boom"}}, "count": 3}}],
                "was_cancelled": false, "start_time": "2026-08-01T10:12:03.123456", "end_time": "2026-08-01T10:13:07.654321"{extra}}}"#,
                counts = if version == "1.0" { "" } else { r#", "count": 640, "sum": 135936.0"# },
            )
        };
        let run_info = r#", "run_info": {"random_seed": 42, "trial": 0, "run_label": null}"#;
        let run_info_13 = r#", "run_info": {"random_seed": 42, "benchmark_id": "b-1", "sweep_id": null, "cli_command": "aiperf profile --concurrency 64"}"#;
        let warmup = r#", "warmup_metrics": {"request_count": {"unit": "requests", "avg": 64.0}, "time_to_first_token": {"unit": "ms", "avg": 950.0}}"#;
        let nvidia = r#", "nvidia_total_gpu_power": {"unit": "W", "avg": 5600.5}, "nvidia_total_gpu_energy": {"unit": "J", "avg": 358428.0},
            "nvidia_energy_per_output_token": {"unit": "mJ/token", "avg": 4.2},
            "telemetry_data": {"summary": {}, "endpoints": {"n1:9401": {"gpus": {"gpu_0": {"gpu_index": 0, "platform": "nvidia", "metrics": {"gpu_power_usage": {"unit": "W", "avg": 700.0}, "gpu_utilization": {"unit": "%", "avg": 90.0}}}}}}}"#;
        for (version, extra) in [
            ("1.0", String::new()),
            ("1.1", String::new()),
            ("1.2", run_info.to_owned()),
            ("1.3", run_info_13.to_owned()),
            ("1.4", format!("{run_info_13}{warmup}")),
            ("1.5", format!("{run_info_13}{warmup}{nvidia}")),
        ] {
            let export = parse_export(body(version, &extra).as_bytes()).unwrap();
            assert_eq!(export.schema_version.as_deref(), Some(version));
            let mut w = Vec::new();
            let p = to_point(&export, &mut w);
            assert_eq!(w, ["3 failed request(s): 500 ServerError: boom"], "{version}");
            assert_eq!(p.concurrency, Some(64), "{version}");
            assert_eq!(
                (p.mean_ttft_ms, p.median_ttft_ms, p.p99_ttft_ms),
                (Some(212.4), Some(201.0), Some(410.2))
            );
            assert_eq!(
                (p.completed, p.error_count, p.num_prompts, p.good_completed),
                (Some(640), Some(3), Some(643), Some(600))
            );
            assert_eq!((p.request_throughput, p.request_goodput), (Some(11.8), Some(11.06)));
            assert_eq!(
                (p.window_start_unix, p.window_end_unix),
                (Some(1_785_579_123.123_456), Some(1_785_579_187.654_321))
            );
            assert!(
                !p.other_metrics.keys().any(|k| k.contains("sum") || k.contains("count_")),
                "{version}: {:?}",
                p.other_metrics
            );
            assert!(
                !p.other_metrics.keys().any(|k| k.starts_with("warmup")),
                "{version}: warm-up is no result"
            );
            if version == "1.5" {
                assert_eq!(
                    (p.gpu_power_w, p.gpu_energy_j),
                    (Some(5600.5), Some(358_428.0)),
                    "aiperf's totals win"
                );
                assert_eq!((p.telemetry_gpus, p.gpu_utilization_pct), (Some(1), Some(90.0)));
                assert_eq!(p.other_metrics.get("nvidia_energy_per_output_token_avg"), Some(&4.2));
                assert!(!p.other_metrics.contains_key("nvidia_total_gpu_power_avg"));
            } else {
                assert_eq!((p.gpu_power_w, p.telemetry_gpus), (None, None), "{version}");
            }
        }
    }

    #[test]
    fn phases_config_and_directory_concurrency() {
        let export = parse_export(
            br#"{"request_count": {"unit": "requests", "avg": 8}, "input_config": {"phases": {"profiling": {"concurrency": 16}}}}"#,
        )
        .unwrap();
        assert_eq!(export.concurrency, Some(16));
        assert_eq!(dir_concurrency("logs/artifacts/conc_8"), Some(8));
        assert_eq!(dir_concurrency("logs/agentic/conc_32/aiperf_artifacts/sub"), Some(32));
        assert_eq!(dir_concurrency("logs/artifacts/Qwen3-32B_isl1024_osl128_c64_20260101_120000"), Some(64));
        assert_eq!(dir_concurrency("logs/artifacts/DeepSeek-R1_trace_c4_20260101_120000"), Some(4));
        assert_eq!(dir_concurrency("logs/artifacts/Qwen-openai-chat-concurrency10"), None);
        assert_eq!(dir_concurrency("logs/artifacts/conc_0"), None);
    }

    #[test]
    fn select_keeps_one_directory_per_run_and_skips_warmups() {
        let files = RunFiles::new(
            "/r",
            [
                "logs/artifacts/warmup",
                "logs/artifacts/M_isl1_osl1_c4_20260101_120000",
                "logs/artifacts/M_isl1_osl1_c8_20260101_120000",
                "logs/artifacts/M-openai-chat-concurrency10",
                "logs/agentic/conc_2/aiperf_artifacts",
                "logs/agentic/conc_3/aiperf_artifacts/run",
            ]
            .iter()
            .flat_map(|d| {
                let mut v = vec![srtlog_model::FileEntry::file(join_path(d, EXPORT_FILE), 1, 0)];
                let mut dir: &str = d;
                while !dir.is_empty() {
                    v.push(srtlog_model::FileEntry::dir(dir, 0));
                    dir = parent_of(dir);
                }
                v
            })
            .collect(),
        );
        let s = select(&files);
        assert_eq!(
            s.result_files,
            [
                "logs/agentic/conc_2/aiperf_artifacts/profile_export_aiperf.json",
                "logs/agentic/conc_3/aiperf_artifacts/run/profile_export_aiperf.json",
                "logs/artifacts/M_isl1_osl1_c4_20260101_120000/profile_export_aiperf.json",
                "logs/artifacts/M_isl1_osl1_c8_20260101_120000/profile_export_aiperf.json",
            ]
        );
        assert_eq!(
            s.considered.len(),
            6,
            "warm-ups are considered: a new one changes nothing read, but is listed"
        );
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
