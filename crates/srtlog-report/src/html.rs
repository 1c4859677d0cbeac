//! The page: static HTML (run table, skipped runs, chart containers), the embedded data block,
//! and the inlined scripts and styles.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;
use srtlog_diff::Comparison;
use srtlog_model::{AccuracyResult, AnalysisDocument, BenchmarkRun, Mode, RunDerived, WorkerDerived};

use crate::derived::{self, ParetoPoint};
use crate::escape::{html, json_for_script};
use crate::timeline::{round_sig, RunStreams, RunTimeline};
use crate::ReportOptions;

/// The vendored uPlot release inlined into every report.
pub const UPLOT_VERSION: &str = "1.6.32";
const UPLOT_JS: &str = include_str!("../assets/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("../assets/uPlot.min.css");
/// uPlot's MIT license travels with every copy of its code, i.e. every report.
const UPLOT_LICENSE: &str = include_str!("../assets/uPlot.LICENSE");
const REPORT_JS: &str = include_str!("../assets/report.js");
const REPORT_CSS: &str = include_str!("../assets/report.css");

/// Ids of the server time series' chart containers (every report has them; drawn when a run
/// has Tachometer series).
pub const SERVER_CHART_IDS: &[&str] =
    &["chart-server-running", "chart-server-queued", "chart-server-kv", "chart-server-gen"];

/// Ids of the chart containers every report has (the browser test looks for them).
pub const CHART_IDS: &[&str] = &[
    "chart-pareto",
    "chart-ttft-mean",
    "chart-ttft-p99",
    "chart-tpot-mean",
    "chart-tpot-p99",
    "chart-itl-mean",
    "chart-itl-p99",
    "chart-rate-match",
    "chart-gen",
    "chart-input",
    "chart-requests",
    "chart-kv",
    "chart-energy-pareto",
    "chart-power",
];

#[derive(Serialize)]
struct ReportData<'a> {
    generator: String,
    title: &'a str,
    schema_version: u32,
    runs: Vec<RunData>,
    pareto: Pareto,
    skipped: Vec<SkippedData<'a>>,
    timelines: Vec<RunTimeline>,
    buckets_per_series: usize,
    /// The runs' Tachometer series (`server_series` module).
    server_series: Vec<crate::server_series::ServerRunSeries>,
    /// The A/B section's data, when the report compares a baseline and a candidate.
    #[serde(skip_serializing_if = "Option::is_none")]
    ab: Option<crate::ab::AbData<'a>>,
    /// The energy section's data.
    energy: crate::energy::EnergyData,
}

#[derive(Serialize)]
struct Pareto {
    points: Vec<ParetoPoint>,
    frontier: Vec<ParetoPoint>,
}

#[derive(Serialize)]
struct SkippedData<'a> {
    path: &'a str,
    job_id: Option<&'a str>,
    kind: &'static str,
    reason: &'a str,
}

#[derive(Serialize)]
struct RunData {
    job_id: String,
    job_name: Option<String>,
    label: String,
    run_date: Option<String>,
    gpu_type: Option<String>,
    topology: String,
    mode: &'static str,
    backend: Option<String>,
    model: Option<String>,
    precision: Option<String>,
    isl_osl: Option<String>,
    gpus_used: Option<u32>,
    tags: Vec<String>,
    is_complete: bool,
    missing_concurrencies: Vec<u32>,
    has_timeline: bool,
    points: Vec<PointData>,
    /// The run's `derived.workers`, unchanged.
    workers: Vec<WorkerDerived>,
}

#[derive(Serialize)]
struct PointData {
    concurrency: Option<u32>,
    output_tps: Option<f64>,
    output_tps_per_gpu: Option<f64>,
    output_tps_per_user: Option<f64>,
    mean_ttft_ms: Option<f64>,
    p99_ttft_ms: Option<f64>,
    mean_tpot_ms: Option<f64>,
    p99_tpot_ms: Option<f64>,
    mean_itl_ms: Option<f64>,
    p99_itl_ms: Option<f64>,
}

fn isl_osl(run: &BenchmarkRun) -> Option<String> {
    let p = &run.profiler_metadata;
    match (p.isl, p.osl) {
        (None, None) => None,
        (i, o) => Some(format!(
            "{}/{}",
            i.map_or("?".to_owned(), |v| v.to_string()),
            o.map_or("?".to_owned(), |v| v.to_string())
        )),
    }
}

fn run_label(run: &BenchmarkRun) -> String {
    let m = &run.metadata;
    let mut label = format!("{} {}", m.job_id, m.topology());
    if let Some(g) = &m.gpu_type {
        let _ = write!(label, " {g}");
    }
    label
}

/// Entry `i` of a per-point list of the run's derived values.
fn at(values: &[Option<f64>], i: usize) -> Option<f64> {
    values.get(i).copied().flatten()
}

fn run_data(run: &BenchmarkRun, derived: &RunDerived, has_timeline: bool) -> RunData {
    let m = &run.metadata;
    let f = |v: Option<f64>| v.filter(|x| x.is_finite());
    RunData {
        job_id: m.job_id.clone(),
        job_name: m.job_name.clone(),
        label: run_label(run),
        run_date: m.run_date.clone(),
        gpu_type: m.gpu_type.clone(),
        topology: m.topology(),
        mode: m.mode.as_str(),
        backend: m.backend_type.clone(),
        model: m.model.path.clone(),
        precision: m.model.precision.clone(),
        isl_osl: isl_osl(run),
        gpus_used: derived.gpus_used,
        tags: m.tags.clone(),
        is_complete: run.is_complete,
        missing_concurrencies: run.missing_concurrencies.clone(),
        has_timeline,
        points: run
            .profiler
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| PointData {
                concurrency: p.concurrency,
                output_tps: f(p.output_tps),
                output_tps_per_gpu: at(&derived.output_tps_per_gpu, i),
                output_tps_per_user: at(&derived.output_tps_per_user, i),
                mean_ttft_ms: f(p.mean_ttft_ms),
                p99_ttft_ms: f(p.p99_ttft_ms),
                mean_tpot_ms: f(p.mean_tpot_ms),
                p99_tpot_ms: f(p.p99_tpot_ms),
                mean_itl_ms: f(p.mean_itl_ms),
                p99_itl_ms: f(p.p99_itl_ms),
            })
            .collect(),
        workers: derived.workers.clone(),
    }
}

/// Builds the timelines of every run, sharing the row budget between all series.
fn timelines(
    doc: &AnalysisDocument,
    derived: &[Cow<'_, RunDerived>],
    options: &ReportOptions,
) -> (Vec<RunTimeline>, usize) {
    if !options.include_timelines {
        return (Vec::new(), 0);
    }
    let streams: Vec<RunStreams> =
        doc.runs.iter().zip(derived).enumerate().map(|(i, (r, d))| RunStreams::new(i, r, d)).collect();
    let series: usize = streams.iter().map(RunStreams::series_count).sum::<usize>()
        + doc.runs.iter().map(crate::server_series::series_count).sum::<usize>();
    let max_buckets = options.max_buckets_per_series.max(1);
    let buckets = if series == 0 {
        max_buckets
    } else {
        (options.max_timeline_rows / (2 * series))
            .clamp(options.min_buckets_per_series.min(max_buckets), max_buckets)
    };
    (streams.iter().filter_map(|s| s.build(buckets)).collect(), buckets)
}

fn fmt_num(v: Option<f64>) -> String {
    match v.filter(|x| x.is_finite()) {
        None => "—".to_owned(),
        Some(x) if x.abs() >= 100.0 => format!("{x:.0}"),
        Some(x) => format!("{}", round_sig(x)),
    }
}

fn opt_text(v: Option<&str>) -> String {
    v.map_or_else(|| "—".to_owned(), html)
}

fn select(out: &mut String, id: &str, label: &str, values: &BTreeSet<String>) {
    let _ = write!(
        out,
        r#"<label>{}<select id="{}" data-filter><option value="">all</option>"#,
        html(label),
        html(id)
    );
    for v in values {
        let _ = write!(out, r#"<option value="{0}">{0}</option>"#, html(v));
    }
    out.push_str("</select></label>");
}

fn run_table(out: &mut String, doc: &AnalysisDocument, derived: &[Cow<'_, RunDerived>]) {
    let distinct = |f: &dyn Fn(&BenchmarkRun) -> Vec<String>| -> BTreeSet<String> {
        doc.runs.iter().flat_map(f).collect()
    };
    out.push_str(r#"<div class="filters" id="filters">"#);
    select(out, "filter-gpu", "GPU", &distinct(&|r| r.metadata.gpu_type.clone().into_iter().collect()));
    select(out, "filter-topology", "Topology", &distinct(&|r| vec![r.metadata.topology()]));
    select(out, "filter-islosl", "ISL/OSL", &distinct(&|r| isl_osl(r).into_iter().collect()));
    select(
        out,
        "filter-backend",
        "Backend",
        &distinct(&|r| r.metadata.backend_type.clone().into_iter().collect()),
    );
    select(out, "filter-tag", "Tag", &distinct(&|r| r.metadata.tags.clone()));
    out.push_str(
        r#"<label>Search<input id="filter-text" type="search" placeholder="job id, name, model"></label><button id="filter-reset" type="button">Reset</button><span id="filter-count" class="muted"></span></div>"#,
    );
    // Accuracy beside throughput, when any run has it (pages without evals are unchanged).
    let with_accuracy = doc.runs.iter().any(|r| !r.accuracy.is_empty());
    out.push_str(
        r#"<div class="table-wrap"><table id="run-table"><thead><tr><th></th><th>Job</th><th>Date</th><th>GPU</th><th>Topology</th><th>GPUs</th><th>Backend</th><th>Model</th><th>ISL/OSL</th><th>Concurrencies</th><th class="num">Best out TPS/GPU</th>"#,
    );
    if with_accuracy {
        out.push_str("<th>Accuracy</th>");
    }
    out.push_str(r#"<th>Tags</th><th>Status</th></tr></thead><tbody>"#);
    for (i, (run, d)) in doc.runs.iter().zip(derived).enumerate() {
        let m = &run.metadata;
        let gpus = d.gpus_used;
        let best = d.output_tps_per_gpu.iter().flatten().copied().filter(|v| v.is_finite()).reduce(f64::max);
        let measured = run.profiler.concurrencies();
        let class = if run.is_complete { "" } else { r#" class="incomplete""# };
        let _ = write!(
            out,
            r#"<tr data-run="{i}"{class}><td><span class="swatch" data-swatch="{i}"></span></td>"#
        );
        let _ = write!(out, r#"<td><b>{}</b>"#, html(&m.job_id));
        if let Some(name) = &m.job_name {
            let _ = write!(out, r#"<div class="sub">{}</div>"#, html(name));
        }
        let model = match (&m.model.path, &m.model.precision) {
            (Some(p), Some(q)) => format!("{} <span class=\"sub\">{}</span>", html(p), html(q)),
            (Some(p), None) => html(p),
            (None, Some(q)) => html(q),
            (None, None) => "—".to_owned(),
        };
        let _ = write!(
            out,
            "</td><td class=\"nowrap\">{}</td><td>{}</td><td>{} <span class=\"sub\">{}</span></td><td class=\"num\">{}</td><td>{}</td><td>{model}</td><td>{}</td>",
            opt_text(m.run_date.as_deref().map(|d| d.get(..16).unwrap_or(d).replacen('T', " ", 1)).as_deref()),
            opt_text(m.gpu_type.as_deref()),
            html(&m.topology()),
            if m.mode == Mode::Disaggregated { "disagg" } else { "agg" },
            gpus.map_or("—".to_owned(), |g| g.to_string()),
            opt_text(m.backend_type.as_deref()),
            opt_text(isl_osl(run).as_deref()),
        );
        let list = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
        let _ = write!(out, "<td>{}</td><td class=\"num\">{}</td>", html(&list(&measured)), fmt_num(best));
        if with_accuracy {
            accuracy_cell(out, run);
        }
        out.push_str("<td>");
        for t in &m.tags {
            let _ = write!(out, r#"<span class="tag">{}</span>"#, html(t));
        }
        out.push_str("</td><td>");
        if run.is_complete {
            out.push_str(r#"<span class="badge ok">complete</span>"#);
        } else if is_accuracy_only(run) {
            out.push_str(r#"<span class="badge ok">accuracy</span>"#);
        } else if run.profiler.points.is_empty() {
            out.push_str(r#"<span class="badge warn">no results</span>"#);
        } else {
            let _ = write!(
                out,
                r#"<span class="badge warn" title="expected concurrencies without a result">incomplete: missing {}</span>"#,
                html(&list(&run.missing_concurrencies))
            );
        }
        out.push_str("</td></tr>");
    }
    if doc.runs.is_empty() {
        out.push_str(r#"<tr><td colspan="13" class="muted">No runs were loaded.</td></tr>"#);
    }
    out.push_str("</tbody></table></div>");
}

/// An eval run: accuracy results and no throughput points (complete in its own way).
fn is_accuracy_only(run: &BenchmarkRun) -> bool {
    run.profiler.points.is_empty() && !run.accuracy.is_empty()
}

/// `0.7612 ± 0.0117`, unrounded in the `title` (the JSON's numbers), rounded in the text.
fn accuracy_value(a: &AccuracyResult) -> String {
    match a.stderr {
        Some(se) => format!("{} ± {}", fmt_num(Some(a.value)), fmt_num(Some(se))),
        None => fmt_num(Some(a.value)),
    }
}

/// The run table's accuracy cell: each result of the run, one per line.
fn accuracy_cell(out: &mut String, run: &BenchmarkRun) {
    out.push_str(r#"<td class="accuracy">"#);
    if run.accuracy.is_empty() {
        out.push('—');
    }
    for a in &run.accuracy {
        let _ = write!(
            out,
            r#"<div title="{} = {}">{} <b>{}</b></div>"#,
            html(&a.label()),
            a.value,
            html(&a.label()),
            html(&accuracy_value(a))
        );
    }
    out.push_str("</td>");
}

/// One table per run with accuracy results: task, metric, filter, value ± stderr, samples.
fn accuracy_section(out: &mut String, doc: &AnalysisDocument) {
    if doc.runs.iter().all(|r| r.accuracy.is_empty()) {
        return;
    }
    out.push_str(r#"<section id="accuracy-section"><h2>Accuracy</h2>"#);
    out.push_str(r#"<p class="muted">Each score as the eval harness wrote it (lm-eval and sglang: fractions; NeMo-Skills: percent), with its standard error when the harness gives one.</p>"#);
    for (i, run) in doc.runs.iter().enumerate().filter(|(_, r)| !r.accuracy.is_empty()) {
        let _ = write!(
            out,
            r#"<h3 data-run="{i}"><span class="swatch" data-swatch="{i}"></span> {}</h3>"#,
            html(&run_label(run))
        );
        out.push_str(
            r#"<div class="table-wrap"><table class="accuracy-table"><thead><tr><th>Task</th><th>Metric</th><th>Filter</th><th class="num">Value</th><th class="num">n</th><th>Eval</th><th>File</th></tr></thead><tbody>"#,
        );
        for a in &run.accuracy {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td>{}</td><td>{}</td><td class="num" title="{}">{}</td><td class="num">{}</td><td>{}</td><td class="path">{}</td></tr>"#,
                html(&a.task),
                html(&a.metric),
                opt_text(a.filter.as_deref()),
                a.value,
                html(&accuracy_value(a)),
                a.samples.map_or("—".to_owned(), |n| n.to_string()),
                html(&a.eval),
                html(&a.source_file)
            );
        }
        out.push_str("</tbody></table></div>");
        for w in &run.accuracy_warnings {
            let _ = write!(out, r#"<p class="warn-text">{}</p>"#, html(w));
        }
    }
    out.push_str("</section>\n");
}

fn skipped_table(out: &mut String, doc: &AnalysisDocument) {
    let _ = write!(
        out,
        r#"<section id="skipped"><h2>Skipped runs <span class="count">{}</span></h2>"#,
        doc.skipped.len()
    );
    if doc.skipped.is_empty() {
        out.push_str(r#"<p class="muted">No run directory was skipped.</p></section>"#);
        return;
    }
    out.push_str(
        r#"<div class="table-wrap"><table id="skipped-table"><thead><tr><th>Job</th><th>Kind</th><th>Reason</th><th>Path</th></tr></thead><tbody>"#,
    );
    for s in &doc.skipped {
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td><span class="badge warn">{}</span></td><td>{}</td><td class="path">{}</td></tr>"#,
            opt_text(s.job_id.as_deref()),
            html(s.kind.as_str()),
            html(&s.reason),
            html(&s.path)
        );
    }
    out.push_str("</tbody></table></div></section>");
}

/// Renders the whole page.
pub(crate) fn render(
    doc: &AnalysisDocument,
    options: &ReportOptions,
    comparison: Option<&Comparison>,
) -> String {
    let run_derived = derived::runs_derived(doc);
    let (timelines, buckets) = timelines(doc, &run_derived, options);
    let with_timeline: BTreeSet<usize> = timelines.iter().map(|t| t.run).collect();
    let points = derived::pareto_points(doc, &run_derived);
    let frontier = derived::pareto_frontier(&points);
    let data = ReportData {
        generator: format!("srtlog-report {} (uPlot {UPLOT_VERSION})", env!("CARGO_PKG_VERSION")),
        title: &options.title,
        schema_version: doc.schema_version,
        runs: doc
            .runs
            .iter()
            .zip(&run_derived)
            .enumerate()
            .map(|(i, (r, d))| run_data(r, d, with_timeline.contains(&i)))
            .collect(),
        pareto: Pareto { points, frontier },
        skipped: doc
            .skipped
            .iter()
            .map(|s| SkippedData {
                path: &s.path,
                job_id: s.job_id.as_deref(),
                kind: s.kind.as_str(),
                reason: &s.reason,
            })
            .collect(),
        timelines,
        buckets_per_series: buckets,
        server_series: if options.include_timelines {
            doc.runs
                .iter()
                .enumerate()
                .filter_map(|(i, r)| crate::server_series::build(i, r, buckets))
                .collect()
        } else {
            Vec::new()
        },
        ab: comparison.map(crate::ab::data),
        energy: crate::energy::data(doc, &run_derived),
    };
    // Serializing plain structs of strings and numbers cannot fail; fall back to null anyway.
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "null".to_owned());

    let incomplete = doc.runs.iter().filter(|r| !r.is_complete && !is_accuracy_only(r)).count();
    let mut out = String::with_capacity(json.len() + UPLOT_JS.len() + 64 * 1024);
    let title = html(&options.title);
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{generator}">
<title>{title}</title>
<style>{UPLOT_CSS}</style>
<style>{REPORT_CSS}</style>
<script>{CAPTURE_JS}</script>
</head>
<body>
<header><h1>{title}</h1>
<p class="summary"><span><b>{runs}</b> runs</span><span class="{inc_class}"><b>{incomplete}</b> incomplete</span><span class="{skip_class}"><b>{skipped}</b> skipped</span><span class="muted">{generator}</span></p>
</header>
<div id="console-errors" role="alert"></div>
<noscript><p class="notice">The charts need JavaScript; the tables below work without it.</p></noscript>
<main>
<section id="runs"><h2>Runs</h2>
"#,
        generator = html(&data.generator),
        runs = doc.runs.len(),
        skipped = doc.skipped.len(),
        inc_class = if incomplete > 0 { "warn-text" } else { "" },
        skip_class = if doc.skipped.is_empty() { "" } else { "warn-text" },
    );
    run_table(&mut out, doc, &run_derived);
    out.push_str("</section>\n");
    accuracy_section(&mut out, doc);
    skipped_table(&mut out, doc);
    if let Some(c) = comparison {
        crate::ab::section(&mut out, c);
    }
    out.push_str(
        r#"
<section id="pareto-section"><h2>Throughput per GPU vs throughput per user</h2>
<p class="muted">One point per run × concurrency: output tokens/s per GPU (y) against output tokens/s per user = 1000 / mean TPOT (x). The line is the Pareto frontier of the runs shown (no other point is better on both axes).</p>
<div id="chart-pareto" class="chart wide"></div><div id="legend-pareto" class="run-legend"></div></section>
<section id="latency-section"><h2>Latency vs concurrency</h2>
<p class="muted">Per run; concurrency on a log₂ axis. Hover a chart for values; filters above hide runs.</p>
<div id="legend-latency" class="run-legend"></div>
<div class="grid3">
<div id="chart-ttft-mean" class="chart"></div><div id="chart-tpot-mean" class="chart"></div><div id="chart-itl-mean" class="chart"></div>
<div id="chart-ttft-p99" class="chart"></div><div id="chart-tpot-p99" class="chart"></div><div id="chart-itl-p99" class="chart"></div>
</div></section>
<section id="workers-section"><h2>Worker metrics over time</h2>
<div class="filters"><label>Run<select id="timeline-run"></select></label><span id="timeline-note" class="muted"></span></div>
<h3>Rate match: prefill input vs decode output</h3>
<p class="muted">Per time bucket: Σ new_token of the prefill workers' prefill batches / bucket width, against the sum over decode streams (worker × DP rank) of each stream's mean gen_throughput. Aggregated workers do both in one process and are left out; an aggregated run has no rate match. The same numbers as <code>derived.rate_match</code> in <code>analyze --json</code>.</p>
<div id="chart-rate-match" class="chart wide"></div>
<h3>Workers</h3>
<div id="worker-summary" class="table-wrap"></div>
<div class="filters"><label>Workers<select id="timeline-series"></select></label></div>
<div class="grid2">
<div id="chart-gen" class="chart"></div><div id="chart-input" class="chart"></div>
<div id="chart-requests" class="chart"></div><div id="chart-kv" class="chart"></div>
</div></section>
<section id="server-section"><h2>Server metrics over time (Tachometer)</h2>
<p class="muted">What each backend worker's engine reported on its Prometheus endpoint, scraped by Tachometer: running and queued requests, KV-cache usage and generation throughput (SGLang <code>sglang:num_running_reqs</code>, <code>num_queue_reqs</code>, <code>token_usage</code>, <code>gen_throughput</code>; TensorRT-LLM <code>trtllm_num_requests_running</code>, <code>trtllm_kv_cache_utilization</code>). One line per worker; per DP rank the lowest TP rank, summed (KV usage averaged). Time counts from the run's first scrape, on its own axis: the logs' clock carries no zone.</p>
<div class="filters"><label>Run<select id="server-run"></select></label><span id="server-note" class="muted"></span></div>
<div class="grid2">
<div id="chart-server-running" class="chart"></div><div id="chart-server-queued" class="chart"></div>
<div id="chart-server-kv" class="chart"></div><div id="chart-server-gen" class="chart"></div>
</div></section>
"#,
    );
    crate::energy::section(&mut out);
    out.push_str("</main>\n");
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"report-data\">{}</script>\n<script>/*! uPlot {UPLOT_VERSION}\n{UPLOT_LICENSE}*/\n{UPLOT_JS}</script>\n<script>{REPORT_JS}</script>\n</body>\n</html>\n",
        json_for_script(&json)
    );
    out
}

/// Records uncaught errors and `console.error` calls into `#console-errors`, so a reader (and
/// the browser test) sees them in the page itself.
const CAPTURE_JS: &str = r#"(function(){var q=[];function show(m){var el=document.getElementById('console-errors');if(!el){q.push(m);return;}var d=document.createElement('div');d.textContent=String(m);el.appendChild(d);}
window.addEventListener('error',function(e){show('error: '+(e.message||e.type)+(e.filename?' ('+e.filename+':'+e.lineno+')':''));});
window.addEventListener('unhandledrejection',function(e){show('unhandled rejection: '+e.reason);});
var ce=console.error;console.error=function(){show('console.error: '+Array.prototype.join.call(arguments,' '));return ce.apply(console,arguments);};
document.addEventListener('DOMContentLoaded',function(){q.splice(0).forEach(show);});})();"#;
