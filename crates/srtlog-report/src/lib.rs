//! One self-contained, offline HTML report of srtlog benchmark runs, and a CSV export of
//! their results.
//!
//! [`render_report`] turns an [`AnalysisDocument`] (what `analyze --json` prints) into a single
//! HTML file that opens from disk with no network, no server and no CDN: the charting library,
//! the page's own script and style, and the data are all inlined. [`write_points_csv`] writes
//! the same benchmark results as one CSV row per run × concurrency for spreadsheets and
//! notebooks.
//!
//! # What the report shows
//!
//! - **Run table** with client-side filters (GPU type, topology, ISL/OSL, backend, tag, free
//!   text). Incomplete runs (expected concurrencies without a result) are highlighted with the
//!   missing concurrencies; skipped run directories are listed with their `kind` and `reason`.
//!   The filters also hide the filtered-out runs in every chart.
//! - **Pareto chart**: output tokens/s per GPU (y) against output tokens/s per user (x), one
//!   point per run × concurrency, with the Pareto frontier drawn as a line. The frontier is
//!   computed here in Rust ([`derived::pareto_frontier`]) and embedded; when filters hide runs,
//!   the page recomputes it for the runs shown with the same rule.
//! - **Latency vs concurrency**: mean and p99 of TTFT, TPOT and ITL, one line per run.
//! - **Worker timelines** for a chosen run: generation throughput, input throughput,
//!   running/queued requests and KV-cache usage (`token_usage`) over time, for one worker, one
//!   DP rank of a worker, all workers of a role summed, or every worker of a role side by side
//!   (one line each, to spot a straggler).
//! - **Rate match** for a chosen run: the run's `derived.rate_match`, the same numbers as
//!   `analyze --json` ([`srtlog_model::derived::rate_match`]): per time bucket, prefill input
//!   tokens/s (`Σ new_token` of the prefill workers' prefill batches / bucket width) against
//!   decode generated tokens/s (each decode stream's mean `gen_throughput`, summed), drawn as
//!   steps, with the ratio; aggregated workers are left out (an aggregated run has none).
//! - **Workers** of the chosen run: peak and median generation throughput and prefix-cache hit
//!   rate per worker, from `derived.workers`.
//! - **Energy** ([`energy`]): the energy Pareto — output tokens/s per GPU watt
//!   (`derived.energy[i].output_tps_per_w`) against output tokens/s per user, with its frontier
//!   — and, for a chosen run with power samples, GPU power over time per role with each
//!   point's measurement window shaded. The power lines need the samples, which the JSON
//!   document does not hold: a report rendered from a document read back from `--json` has
//!   the energy Pareto but no power-over-time chart.
//! - **Server metrics over time** (runs loaded with their Tachometer series, as `srtlog report`
//!   does): per backend worker, running and queued requests, KV-cache usage and generation
//!   throughput as the engine reported them (SGLang `sglang:num_running_reqs`,
//!   `num_queue_reqs`, `token_usage`, `gen_throughput`; TensorRT-LLM
//!   `trtllm_num_requests_running`, `trtllm_kv_cache_utilization`), one line per worker, beside
//!   the log-derived timelines; per DP rank the lowest TP rank counts, summed (KV usage
//!   averaged), downsampled like the timelines and sharing their row budget.
//!
//! - **Baseline vs candidate** (when the report is given a [`Comparison`], `srtlog report ROOT
//!   --baseline SEL --candidate SEL`): the setup verdict and every setting that differs, both
//!   sides' Pareto frontiers overlaid with the change in tok/s/GPU at the per-user rates both
//!   cover, latency curves of both sides, the delta table (every metric of every matched
//!   point: baseline, candidate, change, %, verdict, noise), the points on one side only and
//!   the gate. Every number is the comparison's ([`srtlog_diff`], the same document `srtlog
//!   diff --json` prints): the report lays it out and computes nothing.
//!
//! Filters and the timeline selection live in the URL fragment
//! (`report.html#filter-gpu=gb200&timeline-series=overlay:decode`), so a view can be
//! bookmarked or shared along with the file.
//!
//! # Derived values
//!
//! Every metric the JSON document also has — GPUs used, output/total/input TPS per GPU, output
//! TPS per user, worker summaries, the rate match — is read from the run's `derived` block,
//! which the model's engine ([`srtlog_model::derived`]) computed: the page, the CSV and
//! `analyze --json` give one answer. The embedded values are those numbers unrounded
//! (`runs[i].points`, `runs[i].workers`, `timelines[j].rate_match`). What the report adds is
//! presentation:
//!
//! | Value | Formula |
//! |-------|---------|
//! | Pareto frontier | points not beaten-or-equalled by another point on both axes, by x ascending |
//! | summed timelines | per time bucket, each stream's mean, summed (KV usage averaged); between lines a stream counts with its next line's value, as SGLang logs rates over the interval before a line |
//!
//! A *stream* is one worker's lines of one DP rank, lowest TP rank only, so no batch counts
//! twice ([`srtlog_model::derived::WorkerStreams`]). See [`derived`] and the `timeline` module
//! source docs for the details.
//!
//! # Downsampling
//!
//! Timelines are downsampled in Rust before they are embedded, so a run with millions of
//! batches still gives a file of a few MB that a browser draws instantly. Each series' time
//! span is cut into at most [`ReportOptions::max_buckets_per_series`] buckets (default
//! 1,000); a bucket keeps its first and last sample times, and in each column its minimum and
//! maximum in order of occurrence, so every spike survives and a series has at most
//! `2 × buckets` rows ([`downsample::min_max`]). All series of a report share a row budget
//! ([`ReportOptions::max_timeline_rows`]): with many workers each series gets fewer buckets,
//! never fewer than [`ReportOptions::min_buckets_per_series`]. Values are rounded to 5
//! significant digits and times to milliseconds (the rate match is small and embedded as is).
//!
//! # Safety of the page
//!
//! All text is HTML-escaped ([`escape::html`]); the data sits in a
//! `<script type="application/json">` block with every `<`, `>` and `&` written as a `\u` escape
//! ([`escape::json_for_script`]), so a job name such as `</script><script>alert(1)</script>`
//! stays inert text. The page's script only ever sets `textContent`. Script errors and
//! `console.error` calls are shown in the page (`#console-errors`).
//!
//! # Why uPlot
//!
//! The charts are drawn by [uPlot](https://github.com/leeoniya/uPlot) 1.6.32 (MIT), vendored
//! in `assets/` and inlined with its license notice: 51 KB minified, no dependencies,
//! canvas-based and built for long time series, which is what the worker timelines are. An SVG
//! backend (such as `plotters`) would put every point into the DOM, lose hover read-outs and
//! synchronised cursors, and grow the file with the data.
//!
//! # Example
//!
//! ```
//! use srtlog_model::{AnalysisDocument, SCHEMA_VERSION};
//! use srtlog_report::{render_report, write_points_csv, ReportOptions};
//!
//! let doc = AnalysisDocument { schema_version: SCHEMA_VERSION, runs: vec![], skipped: vec![] };
//! let mut options = ReportOptions::default();
//! options.title = "Nightly sweep".to_owned();
//! let page = render_report(&doc, &options);
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! assert!(page.contains(r#"<script type="application/json" id="report-data">"#));
//! assert!(!page.contains("https://cdn"));
//!
//! let mut csv = Vec::new();
//! write_points_csv(&doc, &mut csv).unwrap();
//! assert!(String::from_utf8(csv).unwrap().starts_with("job_id,job_name,"));
//! ```

mod ab;
pub mod derived;
pub mod downsample;
pub mod escape;

mod csv_export;
pub mod energy;
mod html;
mod server_series;
mod timeline;

use std::io::{self, Write};

use srtlog_diff::Comparison;
use srtlog_model::AnalysisDocument;

pub use ab::AB_CHART_IDS;
pub use csv_export::{write_accuracy_csv, write_points_csv, ACCURACY_CSV_COLUMNS, CSV_COLUMNS};
pub use html::{CHART_IDS, SERVER_CHART_IDS, UPLOT_VERSION};

/// What [`render_report`] draws and how much timeline data it embeds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportOptions {
    /// Page title and heading.
    pub title: String,
    /// Whether to embed worker timelines and rate-match series (the bulk of a report's size).
    pub include_timelines: bool,
    /// Most buckets per timeline series (each keeps at most two rows).
    pub max_buckets_per_series: usize,
    /// Fewest buckets per series when the row budget is shared by many series.
    pub min_buckets_per_series: usize,
    /// Row budget shared by all timeline series of the report.
    pub max_timeline_rows: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            title: "srtlog benchmark report".to_owned(),
            include_timelines: true,
            max_buckets_per_series: 1000,
            min_buckets_per_series: 100,
            max_timeline_rows: 60_000,
        }
    }
}

/// Renders the report as one self-contained HTML page.
pub fn render_report(doc: &AnalysisDocument, options: &ReportOptions) -> String {
    html::render(doc, options, None)
}

/// Renders the report with an A/B section for `comparison` (a baseline and a candidate
/// compared by [`srtlog_diff::compare`]): see the crate docs.
pub fn render_report_with_comparison(
    doc: &AnalysisDocument,
    options: &ReportOptions,
    comparison: &Comparison,
) -> String {
    html::render(doc, options, Some(comparison))
}

/// Renders the report into `w` (see [`render_report`]).
pub fn write_report(doc: &AnalysisDocument, options: &ReportOptions, w: impl Write) -> io::Result<()> {
    write_report_with_comparison(doc, options, None, w)
}

/// Renders the report into `w`, with an A/B section when `comparison` is given (see
/// [`render_report_with_comparison`]).
pub fn write_report_with_comparison(
    doc: &AnalysisDocument,
    options: &ReportOptions,
    comparison: Option<&Comparison>,
    mut w: impl Write,
) -> io::Result<()> {
    w.write_all(html::render(doc, options, comparison).as_bytes())?;
    w.flush()
}
