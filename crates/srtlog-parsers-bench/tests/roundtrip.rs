//! Round-trip properties: a random [`BenchmarkPoint`], written the way the benchmark clients
//! write it (FORMATS.md 9 and 10), reads back as that point.
//!
//! * sa-bench result JSON (`parse_result_json`): Python `json.dump` layout (`, ` / `: `
//!   separators, the key order of FORMATS.md 9.3, `repr` floats, per-request arrays, free-form
//!   metadata keys), current keys (`total_input_tokens`, `p99_ttft_ms`, `p99.9_itl_ms`,
//!   `peak_output_tokens_per_s`) and older ones (`total_input`, `percentiles_ttft_ms: [[99.0, v],
//!   ...]`), `request_rate` as `"inf"` or a float, bare `NaN` standard deviations (read as
//!   unknown), missing metrics as absent keys or `null`.
//! * `benchmark.out` (`parse_benchmark_out`): one measured block per concurrency, preceded by its
//!   warm-up block (current bench.sh: warm-up then `Running ... / Completed ...`; older bench.sh:
//!   all warm-ups first, then `Running benchmark with concurrency: N and num-prompts: M, ...`);
//!   rows `{:<40} {:<10}` with `{:.2f}` floats, so values compare after that rounding; optional
//!   goodput / peak rows, `P99.9` percentile rows, `E2EL` section present or not.
//! * aiperf `profile_export_aiperf.json` (`parse_export` + `to_point`), flat (≥ Oct 2025, with
//!   `p10`) and `records` (older: `tag`, `header`, `count`) layouts, mapped by the crate's table.

// Test helpers outside `#[test]` functions may unwrap too.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;

use proptest::prelude::*;
use srtlog_model::{BenchmarkPoint, ResultSource};
use srtlog_parsers_bench::aiperf::{parse_export, to_point, Layout};
use srtlog_parsers_bench::sa_bench::parse_result_json;
use srtlog_parsers_bench::sa_bench_out::parse_benchmark_out;

const CASES: u32 = 256;

/// Python's `repr(float)` (what `json.dump` writes): shortest round-trip digits, `12.0` for
/// whole numbers, exponent form (`1e-05`, `1.5e+16`) outside 1e-4 ≤ |x| < 1e16.
fn py_float(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-4 || v.abs() >= 1e16) {
        let e = format!("{v:e}");
        let (mantissa, exp) = e.split_once('e').unwrap();
        let exp: i32 = exp.parse().unwrap();
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    } else if v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

/// `{:.2f}` text and the value it reads back as.
fn two_decimals(v: f64) -> (String, f64) {
    let text = format!("{v:.2}");
    (text.clone(), text.parse().unwrap())
}

/// A metric value: latencies, throughputs, tiny and huge values.
fn metric() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0f64..10_000.0,
        1 => 0.0f64..1e-3,
        1 => 1e6f64..1e17,
        1 => (0u32..100_000).prop_map(f64::from),
    ]
}

fn opt_metric() -> impl Strategy<Value = Option<f64>> {
    proptest::option::weighted(0.85, metric())
}

fn count() -> impl Strategy<Value = u64> {
    prop_oneof![3 => 0u64..100_000, 1 => 0u64..(1 << 53)]
}

/// The four sa-bench latency metrics, in the order result files list them.
const METRICS: [&str; 4] = ["ttft", "tpot", "itl", "e2el"];

/// Statistics of one latency metric: mean, median, std, and one value per percentile.
#[derive(Debug, Clone)]
struct Stats {
    present: bool,
    mean: f64,
    median: f64,
    std: Option<f64>,
    percentiles: Vec<(f64, f64)>,
}

fn stats(percentiles: Vec<f64>) -> impl Strategy<Value = Stats> {
    let n = percentiles.len();
    (
        prop::bool::weighted(0.9),
        metric(),
        metric(),
        proptest::option::weighted(0.9, metric()),
        prop::collection::vec(metric(), n),
    )
        .prop_map(move |(present, mean, median, std, values)| Stats {
            present,
            mean,
            median,
            std,
            percentiles: percentiles.iter().copied().zip(values).collect(),
        })
}

/// `--metric-percentiles` as bench.sh and users pass it.
fn percentiles() -> impl Strategy<Value = Vec<f64>> {
    prop::sample::select(vec![vec![99.0], vec![90.0, 99.0], vec![50.0, 90.0, 99.0, 99.9], vec![95.0]])
}

/// `99.0` → `99`, `99.9` → `99.9` (sa-bench's key and label spelling).
fn p_word(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{}", p as i64)
    } else {
        format!("{p}")
    }
}

/// One benchmark run's numbers, before formatting.
#[derive(Debug, Clone)]
struct Run {
    concurrency: u32,
    num_prompts: u64,
    completed: u64,
    input_tokens: u64,
    output_tokens: u64,
    duration: f64,
    request_throughput: f64,
    goodput: Option<f64>,
    output_tps: f64,
    peak_tps: Option<f64>,
    total_tps: f64,
    /// `None`: `"inf"`.
    rate: Option<f64>,
    stats: Vec<Stats>,
}

fn run() -> impl Strategy<Value = Run> {
    percentiles().prop_flat_map(|ps| {
        (
            (1u32..4097, count(), count(), count(), count(), metric(), metric(), opt_metric()),
            (metric(), opt_metric(), metric(), proptest::option::weighted(0.3, 0.5f64..500.0)),
            prop::collection::vec(stats(ps), 4),
        )
            .prop_map(
                |(
                    (
                        concurrency,
                        num_prompts,
                        completed,
                        input_tokens,
                        output_tokens,
                        duration,
                        request_throughput,
                        goodput,
                    ),
                    (output_tps, peak_tps, total_tps, rate),
                    stats,
                )| Run {
                    concurrency,
                    num_prompts,
                    completed,
                    input_tokens,
                    output_tokens,
                    duration,
                    request_throughput,
                    goodput,
                    output_tps,
                    peak_tps,
                    total_tps,
                    rate,
                    stats,
                },
            )
    })
}

/// The named field of a (metric, statistic) pair.
fn field<'p>(p: &'p mut BenchmarkPoint, metric: &str, stat: &str) -> Option<&'p mut Option<f64>> {
    Some(match (metric, stat) {
        ("ttft", "mean") => &mut p.mean_ttft_ms,
        ("ttft", "median") => &mut p.median_ttft_ms,
        ("ttft", "std") => &mut p.std_ttft_ms,
        ("ttft", "p99") => &mut p.p99_ttft_ms,
        ("tpot", "mean") => &mut p.mean_tpot_ms,
        ("tpot", "median") => &mut p.median_tpot_ms,
        ("tpot", "std") => &mut p.std_tpot_ms,
        ("tpot", "p99") => &mut p.p99_tpot_ms,
        ("itl", "mean") => &mut p.mean_itl_ms,
        ("itl", "median") => &mut p.median_itl_ms,
        ("itl", "std") => &mut p.std_itl_ms,
        ("itl", "p99") => &mut p.p99_itl_ms,
        ("e2el", "mean") => &mut p.mean_e2el_ms,
        ("e2el", "median") => &mut p.median_e2el_ms,
        ("e2el", "std") => &mut p.std_e2el_ms,
        ("e2el", "p99") => &mut p.p99_e2el_ms,
        _ => return None,
    })
}

/// Stores a statistic in its named field or in `other_metrics`.
fn set_stat(p: &mut BenchmarkPoint, metric: &str, stat: &str, v: f64) {
    match field(p, metric, stat) {
        Some(f) => *f = Some(v),
        None => {
            p.other_metrics.insert(format!("{stat}_{metric}_ms"), v);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// sa-bench result JSON (FORMATS.md 9.3)

/// The result file text and the point (and date) it must read back as.
fn result_json(r: &Run, old_keys: bool, null_absent: bool) -> (String, BenchmarkPoint) {
    let mut p = BenchmarkPoint { concurrency: Some(r.concurrency), ..Default::default() };
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| fields.push((format!("\"{k}\""), v));
    put("date", "\"20260116-062017\"".into());
    put("backend", "\"dynamo\"".into());
    put("model_id", "\"deepseek-ai/DeepSeek-R1\"".into());
    put("tokenizer_id", "\"deepseek-ai/DeepSeek-R1\"".into());
    put("best_of", "1".into());
    put("num_prompts", r.num_prompts.to_string());
    p.num_prompts = Some(r.num_prompts);
    // Free-form `--metadata KEY=VALUE` keys.
    put("gpu_type", "\"gb200\"".into());
    put("mean_note", "\"not a metric\"".into());
    match r.rate {
        None => {
            put("request_rate", "\"inf\"".into());
            p.request_rate = Some(f64::INFINITY);
        }
        Some(rate) => {
            put("request_rate", py_float(rate));
            p.request_rate = Some(rate);
        }
    }
    put("burstiness", "1.0".into());
    put("max_concurrency", r.concurrency.to_string());
    put("duration", py_float(r.duration));
    p.duration = Some(r.duration);
    put("completed", r.completed.to_string());
    p.completed = Some(r.completed);
    let (ik, ok) = if old_keys {
        ("total_input", "total_output")
    } else {
        ("total_input_tokens", "total_output_tokens")
    };
    put(ik, r.input_tokens.to_string());
    put(ok, r.output_tokens.to_string());
    p.total_input_tokens = Some(r.input_tokens);
    p.total_output_tokens = Some(r.output_tokens);
    put("request_throughput", py_float(r.request_throughput));
    p.request_throughput = Some(r.request_throughput);
    put("request_goodput", r.goodput.map_or("null".into(), py_float));
    p.request_goodput = r.goodput;
    put("output_throughput", py_float(r.output_tps));
    p.output_tps = Some(r.output_tps);
    if !old_keys {
        if let Some(peak) = r.peak_tps {
            put("peak_output_tokens_per_s", py_float(peak));
            p.peak_output_tps = Some(peak);
        }
    }
    put("total_token_throughput", py_float(r.total_tps));
    p.total_tps = Some(r.total_tps);
    // Per-request arrays (seconds), skipped by the reader.
    put("input_lens", "[1024, 1024, 1023]".into());
    put("output_lens", "[1024, 7, 0]".into());
    put("ttfts", "[0.5123, 1e-05, 0.0]".into());
    put("itls", "[[0.012, 0.013], [], [0.5]]".into());
    put("generated_texts", r#"["a \"quoted\" text, with: separators", "\u00e9t\u00e9 \n", ""]"#.into());
    put("errors", r#"["", "", "Traceback {\"x\": [1, 2]}"]"#.into());
    for (m, s) in METRICS.iter().zip(&r.stats) {
        if !s.present {
            if null_absent {
                // A metric outside --percentile-metrics has no keys at all (or, written by a
                // patched client, nulls).
                put(&format!("mean_{m}_ms"), "null".into());
            }
            continue;
        }
        put(&format!("mean_{m}_ms"), py_float(s.mean));
        set_stat(&mut p, m, "mean", s.mean);
        put(&format!("median_{m}_ms"), py_float(s.median));
        set_stat(&mut p, m, "median", s.median);
        // `np.std` of an empty list is NaN, which `json.dump` writes as a bare literal.
        put(&format!("std_{m}_ms"), s.std.map_or("NaN".into(), py_float));
        if let Some(std) = s.std {
            set_stat(&mut p, m, "std", std);
        }
        if old_keys {
            let list: Vec<String> = s
                .percentiles
                .iter()
                .map(|(pc, v)| format!("[{}, {}]", py_float(*pc), py_float(*v)))
                .collect();
            put(&format!("percentiles_{m}_ms"), format!("[{}]", list.join(", ")));
        } else {
            for (pc, v) in &s.percentiles {
                put(&format!("p{}_{m}_ms", p_word(*pc)), py_float(*v));
            }
        }
        for (pc, v) in &s.percentiles {
            set_stat(&mut p, m, &format!("p{}", p_word(*pc)), *v);
        }
    }
    if !old_keys {
        put("reuse_http_connections", "true".into());
    }
    let body: Vec<String> = fields.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
    (format!("{{{}}}", body.join(", ")), p)
}

// ---------------------------------------------------------------------------------------------
// benchmark.out (FORMATS.md 9.1)

fn row(out: &mut String, label: &str, value: &str) {
    writeln!(out, "{label:<40} {value:<10}").unwrap();
}

/// One `Serving Benchmark Result` block for `r` (values `{:.2f}`), and the point it reads as.
fn result_block(r: &Run, e2el: bool) -> (String, BenchmarkPoint) {
    let mut p = BenchmarkPoint { concurrency: Some(r.concurrency), ..Default::default() };
    let mut s = format!("{:=^50}\n", " Serving Benchmark Result ");
    let float_row = |s: &mut String, label: &str, v: f64| -> f64 {
        let (text, back) = two_decimals(v);
        row(s, label, &text);
        back
    };
    row(&mut s, "Successful requests:", &r.completed.to_string());
    p.completed = Some(r.completed);
    p.duration = Some(float_row(&mut s, "Benchmark duration (s):", r.duration));
    row(&mut s, "Total input tokens:", &r.input_tokens.to_string());
    p.total_input_tokens = Some(r.input_tokens);
    row(&mut s, "Total generated tokens:", &r.output_tokens.to_string());
    p.total_output_tokens = Some(r.output_tokens);
    p.request_throughput = Some(float_row(&mut s, "Request throughput (req/s):", r.request_throughput));
    if let Some(g) = r.goodput {
        p.request_goodput = Some(float_row(&mut s, "Request goodput (req/s):", g));
    }
    p.output_tps = Some(float_row(&mut s, "Output token throughput (tok/s):", r.output_tps));
    if let Some(peak) = r.peak_tps {
        p.peak_output_tps = Some(float_row(&mut s, "Peak output token throughput (tok/s):", peak));
    }
    p.total_tps = Some(float_row(&mut s, "Total Token throughput (tok/s):", r.total_tps));
    let headers = [
        "Time to First Token",
        "Time per Output Token (excl. 1st token)",
        "Inter-token Latency",
        "End-to-end Latency",
    ];
    for ((m, st), header) in METRICS.iter().zip(&r.stats).zip(headers) {
        if *m == "e2el" && !e2el {
            continue;
        }
        writeln!(s, "{header:-^50}").unwrap();
        let label = m.to_ascii_uppercase();
        let v = float_row(&mut s, &format!("Mean {label} (ms):"), st.mean);
        set_stat(&mut p, m, "mean", v);
        let v = float_row(&mut s, &format!("Median {label} (ms):"), st.median);
        set_stat(&mut p, m, "median", v);
        for (pc, value) in &st.percentiles {
            let word = p_word(*pc);
            let v = float_row(&mut s, &format!("P{word} {label} (ms):"), *value);
            set_stat(&mut p, m, &format!("p{word}"), v);
        }
    }
    s.push_str(&"=".repeat(50));
    s.push('\n');
    (s, p)
}

/// The client's preamble before a block: `Traffic request rate`, `Maximum request concurrency`.
fn client_preamble(rate: Option<f64>, concurrency: u32) -> String {
    let rate = rate.map_or("inf".to_owned(), |r| format!("{r}"));
    format!(
        "Namespace(backend='dynamo', base_url=None, host='localhost', port=8000)\n\
         Starting initial single prompt test run...\nInitial test run completed. Starting main benchmark run...\n\
         Traffic request rate: {rate}\nBurstiness factor: 1.0 (Poisson process)\n\
         Maximum request concurrency: {concurrency}\n100%|██████████| 80/80 [00:40<00:00,  2.00it/s]\r\n"
    )
}

/// A whole `benchmark.out` for `runs` (distinct concurrencies), each with a warm-up block whose
/// numbers differ, in the current or the older bench.sh layout; and the expected points.
fn benchmark_out(runs: &[(Run, Run)], old_era: bool, e2el: bool) -> (String, Vec<BenchmarkPoint>) {
    let mut text = String::from(
        "SA-Bench Config: endpoint=http://localhost:8000; isl=1024; osl=1024; concurrencies=4x8; req_rate=inf; model=dsr1\n",
    );
    let mut expected = Vec::new();
    let warmup = |text: &mut String, w: &Run, c: u32| {
        text.push_str(&client_preamble(Some(250.0), c));
        text.push_str(&result_block(&Run { concurrency: c, ..w.clone() }, e2el).0);
    };
    if old_era {
        for (m, w) in runs {
            writeln!(text, "Warming up model with concurrency {}", m.concurrency).unwrap();
            warmup(&mut text, w, m.concurrency);
        }
    }
    for (m, w) in runs {
        let c = m.concurrency;
        if !old_era {
            warmup(&mut text, w, c);
            writeln!(text, "Running benchmark with concurrency: {c}").unwrap();
        } else {
            writeln!(
                text,
                "Running benchmark with concurrency: {c} and num-prompts: {}, writing to file /logs/sa-bench_isl_1024_osl_1024",
                m.num_prompts
            )
            .unwrap();
        }
        text.push_str("Fri Jan 16 06:20:17 UTC 2026\n");
        text.push_str(&client_preamble(m.rate, c));
        let (block, mut p) = result_block(m, e2el);
        text.push_str(&block);
        p.request_rate = Some(m.rate.unwrap_or(f64::INFINITY));
        if old_era {
            p.num_prompts = Some(m.num_prompts);
        }
        expected.push(p);
        writeln!(
            text,
            "Completed benchmark with concurrency: {c}\n-----------------------------------------"
        )
        .unwrap();
    }
    text.push_str("SA-Bench complete. Results in /logs/sa-bench_isl_1024_osl_1024\n");
    expected.sort_by_key(|p| p.concurrency);
    (text, expected)
}

fn distinct_runs() -> impl Strategy<Value = Vec<(Run, Run)>> {
    prop::collection::vec((run(), run()), 1..5).prop_map(|mut runs| {
        let mut seen = std::collections::BTreeSet::new();
        runs.retain(|(m, _)| seen.insert(m.concurrency));
        runs
    })
}

// ---------------------------------------------------------------------------------------------
// aiperf export (FORMATS.md 10.2)

/// One aiperf metric as written: unit and statistics.
#[derive(Debug, Clone)]
struct AiMetric {
    unit: &'static str,
    stats: Vec<(&'static str, f64)>,
}

const DIST_STATS_FLAT: [&str; 13] =
    ["avg", "p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99", "min", "max", "std"];

fn dist_metric(unit: &'static str) -> impl Strategy<Value = AiMetric> {
    prop::collection::vec(metric(), DIST_STATS_FLAT.len())
        .prop_map(move |vs| AiMetric { unit, stats: DIST_STATS_FLAT.iter().copied().zip(vs).collect() })
}

fn agg_metric(unit: &'static str, value: impl Strategy<Value = f64>) -> impl Strategy<Value = AiMetric> {
    value.prop_map(move |v| AiMetric { unit, stats: vec![("avg", v)] })
}

#[derive(Debug, Clone)]
struct Export {
    metrics: Vec<(&'static str, AiMetric)>,
    concurrency: Option<u32>,
    rate: Option<f64>,
    fixed_schedule: bool,
}

fn export() -> impl Strategy<Value = Export> {
    let latency_unit = || prop::sample::select(vec!["ms", "ms", "ns", "us", "sec"]);
    let whole = || (0u64..100_000).prop_map(|n| n as f64);
    (
        (
            latency_unit().prop_flat_map(dist_metric),
            latency_unit().prop_flat_map(dist_metric),
            proptest::option::of(latency_unit().prop_flat_map(dist_metric)),
            latency_unit().prop_flat_map(dist_metric),
            proptest::option::of(dist_metric("ms")),
        ),
        (
            agg_metric("requests/sec", metric()),
            agg_metric("tokens/sec", metric()),
            proptest::option::of(agg_metric("tokens/sec", metric())),
            agg_metric("requests", whole()),
            proptest::option::of(agg_metric("requests", whole())),
            agg_metric("sec", 1.0f64..10_000.0),
            agg_metric("tokens", whole()),
            agg_metric("tokens", whole()),
            proptest::option::of(agg_metric("tokens/sec/user", metric())),
        ),
        proptest::option::of(1u32..2048),
        proptest::option::of(0.5f64..100.0),
        any::<bool>(),
    )
        .prop_map(
            |(
                (ttft, itl, icl, e2e, ttst),
                (rt, otp, ttp, rc, erc, dur, isl, osl, per_user),
                concurrency,
                rate,
                fixed,
            )| {
                let mut metrics = vec![
                    ("time_to_first_token", ttft),
                    ("inter_token_latency", itl),
                    ("request_latency", e2e),
                    ("request_throughput", rt),
                    ("output_token_throughput", otp),
                    ("request_count", rc),
                    ("benchmark_duration", dur),
                    ("total_isl", isl),
                    ("total_osl", osl),
                ];
                for (tag, m) in [
                    ("inter_chunk_latency", icl),
                    ("time_to_second_token", ttst),
                    ("total_token_throughput", ttp),
                    ("error_request_count", erc),
                    ("output_token_throughput_per_user", per_user),
                ] {
                    if let Some(m) = m {
                        metrics.push((tag, m));
                    }
                }
                Export { metrics, concurrency, rate, fixed_schedule: fixed }
            },
        )
}

fn time_factor(unit: &str) -> f64 {
    match unit {
        "ns" => 1e-6,
        "us" => 1e-3,
        "ms" => 1.0,
        "sec" => 1000.0,
        other => unreachable!("unit {other}"),
    }
}

impl Export {
    fn get(&self, tag: &str) -> Option<&AiMetric> {
        self.metrics.iter().find(|(t, _)| *t == tag).map(|(_, m)| m)
    }

    fn avg(&self, tag: &str) -> Option<f64> {
        self.get(tag).map(|m| m.stats[0].1)
    }

    /// The export file in the flat (≥ Oct 2025) or `records` layout.
    fn json(&self, records: bool) -> String {
        let mut parts = Vec::new();
        for (tag, m) in &self.metrics {
            let mut fields = Vec::new();
            if records {
                fields.push(format!("\"tag\": \"{tag}\""));
            }
            fields.push(format!("\"unit\": \"{}\"", m.unit));
            if records {
                fields.push(format!("\"header\": \"{}\"", tag.replace('_', " ")));
            }
            for (stat, v) in &m.stats {
                // The older layout has no p10.
                if records && *stat == "p10" {
                    continue;
                }
                fields.push(format!("\"{stat}\": {}", py_float(*v)));
            }
            if records && m.stats.len() > 1 {
                fields.push("\"count\": 320".into());
            }
            parts.push(format!("\"{tag}\": {{{}}}", fields.join(", ")));
        }
        let metrics = parts.join(", ");
        let loadgen = format!(
            "{{\"concurrency\": {}, \"request_rate\": {}, \"request_count\": 320}}",
            self.concurrency.map_or("null".into(), |c| c.to_string()),
            self.rate.map_or("null".into(), py_float)
        );
        let input_config = format!(
            "{{\"endpoint\": {{\"model_names\": [\"Qwen3-32B\"], \"streaming\": true}}, \"loadgen\": {loadgen}, \
             \"input\": {{\"fixed_schedule\": {}, \"custom_dataset_type\": null}}}}",
            self.fixed_schedule
        );
        let tail = format!(
            "\"input_config\": {input_config}, \"was_cancelled\": false, \"error_summary\": [], \
             \"start_time\": \"2026-01-16T06:20:17.123456\", \"end_time\": \"2026-01-16T06:30:17.654321\""
        );
        if records {
            format!("{{\"records\": {{{metrics}}}, {tail}}}")
        } else {
            format!("{{{metrics}, {tail}}}")
        }
    }

    /// The point the crate's mapping table gives (see the crate docs).
    fn expected(&self, records: bool) -> BenchmarkPoint {
        let mut p =
            BenchmarkPoint { concurrency: self.concurrency, request_rate: self.rate, ..Default::default() };
        let short = [
            ("time_to_first_token", "ttft"),
            ("inter_token_latency", "tpot"),
            ("inter_chunk_latency", "itl"),
            ("request_latency", "e2el"),
        ];
        for (tag, m) in short {
            let Some(metric) = self.get(tag) else { continue };
            let f = time_factor(metric.unit);
            for (stat, v) in &metric.stats {
                if records && *stat == "p10" {
                    continue;
                }
                let name = match *stat {
                    "avg" => "mean",
                    "p50" => "median",
                    s => s,
                };
                set_stat(&mut p, m, name, v * f);
            }
        }
        p.output_tps = self.avg("output_token_throughput").map(|v| v * 1.0);
        p.request_throughput = self.avg("request_throughput").map(|v| v * 1.0);
        p.completed = self.avg("request_count").map(|v| v as u64);
        let errors = self.avg("error_request_count").map_or(0, |v| v as u64);
        p.num_prompts = p.completed.map(|c| c + errors);
        p.error_count = self.avg("error_request_count").map(|v| v as u64);
        p.total_input_tokens = self.avg("total_isl").map(|v| v as u64);
        p.total_output_tokens = self.avg("total_osl").map(|v| v as u64);
        p.duration = self.avg("benchmark_duration").map(|v| v * 1000.0 / 1000.0);
        p.total_tps = self.avg("total_token_throughput").map(|v| v * 1.0).or_else(|| {
            let (i, o, d) = (p.total_input_tokens?, p.total_output_tokens?, p.duration?);
            let t = (i as f64 + o as f64) / d;
            t.is_finite().then_some(t)
        });
        if let Some(m) = self.get("time_to_second_token") {
            for (stat, v) in &m.stats {
                if !(records && *stat == "p10") {
                    p.other_metrics.insert(format!("time_to_second_token_{stat}_ms"), *v);
                }
            }
        }
        if let Some(v) = self.avg("output_token_throughput_per_user") {
            p.other_metrics.insert("output_token_throughput_per_user_avg".into(), v * 1.0);
        }
        p
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn sa_bench_result_json_round_trips(r in run(), old_keys in any::<bool>(), null_absent in any::<bool>()) {
        let (json, expected) = result_json(&r, old_keys, null_absent);
        let parsed = parse_result_json(json.as_bytes()).unwrap().unwrap();
        prop_assert_eq!(parsed.date.as_deref(), Some("20260116-062017"));
        prop_assert_eq!(parsed.point, expected, "{}", json);
        // The same file with Python's `indent=4` pretty-printing reads the same.
        let pretty = json.replace(", \"", ",\n    \"");
        prop_assert_eq!(parse_result_json(pretty.as_bytes()).unwrap().unwrap().point, result_json(&r, old_keys, null_absent).1);
    }

    #[test]
    fn benchmark_out_round_trips(runs in distinct_runs(), old_era in any::<bool>(), e2el in any::<bool>()) {
        let (text, expected) = benchmark_out(&runs, old_era, e2el);
        let results = parse_benchmark_out(&text);
        prop_assert_eq!(results.source, Some(ResultSource::BenchmarkOut));
        prop_assert_eq!(results.points, expected, "{}", text);
    }

    #[test]
    fn aiperf_export_round_trips(e in export(), records in any::<bool>()) {
        let json = e.json(records);
        let parsed = parse_export(json.as_bytes()).unwrap();
        prop_assert_eq!(parsed.layout, if records { Layout::Records } else { Layout::Flat });
        prop_assert_eq!(parsed.fixed_schedule, e.fixed_schedule);
        let mut warnings = Vec::new();
        let point = to_point(&parsed, &mut warnings);
        prop_assert!(warnings.is_empty(), "{:?}", warnings);
        prop_assert_eq!(point, e.expected(records), "{}", json);
    }
}

#[test]
fn py_float_matches_python() {
    for (v, text) in
        [(12.0, "12.0"), (1e-05, "1e-05"), (0.5, "0.5"), (1.5e16, "1.5e+16"), (123.456, "123.456")]
    {
        assert_eq!(py_float(v), text);
    }
}
