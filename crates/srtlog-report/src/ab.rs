//! The A/B section: a baseline and a candidate compared by [`srtlog_diff`] — the setup verdict
//! with the settings that differ, the two Pareto frontiers overlaid, latency curves of both
//! sides, and the delta table. Every number is the comparison's (the same document `srtlog
//! diff --json` prints); this module only lays it out.

use std::fmt::Write as _;

use serde::Serialize;
use srtlog_diff::frontier::FrontierComparison;
use srtlog_diff::points::{PointKey, SidePoint};
use srtlog_diff::stats::Spread;
use srtlog_diff::Comparison;

use crate::escape::html;

/// Ids of the A/B section's chart containers (present only when a comparison is given).
pub const AB_CHART_IDS: &[&str] = &[
    "chart-ab-pareto",
    "chart-ab-ttft-mean",
    "chart-ab-ttft-p99",
    "chart-ab-tpot-mean",
    "chart-ab-tpot-p99",
    "chart-ab-itl-mean",
    "chart-ab-itl-p99",
];

/// The latency metrics the side-by-side curves show.
const LATENCY: &[&str] =
    &["mean_ttft_ms", "p99_ttft_ms", "mean_tpot_ms", "p99_tpot_ms", "mean_itl_ms", "p99_itl_ms"];

/// One side's point on the latency curves: the medians over its repeats.
#[derive(Debug, Serialize)]
pub(crate) struct LatencyPoint {
    side: &'static str,
    isl: Option<u32>,
    osl: Option<u32>,
    concurrency: u32,
    values: Vec<Option<f64>>,
}

/// What the page's script draws for the A/B section.
#[derive(Debug, Serialize)]
pub(crate) struct AbData<'a> {
    frontiers: &'a [FrontierComparison],
    latency_metrics: &'static [&'static str],
    latency: Vec<LatencyPoint>,
}

fn latency_point(
    side: &'static str,
    key: &PointKey,
    medians: impl Fn(&str) -> Option<f64>,
) -> Option<LatencyPoint> {
    Some(LatencyPoint {
        side,
        isl: key.isl,
        osl: key.osl,
        concurrency: key.concurrency?,
        values: LATENCY.iter().map(|m| medians(m)).collect(),
    })
}

fn side_latency<'a>(side: &'static str, points: &'a [SidePoint]) -> impl Iterator<Item = LatencyPoint> + 'a {
    points.iter().filter_map(move |p| latency_point(side, &p.key, |m| p.metrics.get(m).map(|s| s.median)))
}

/// The data block of the A/B section.
pub(crate) fn data(c: &Comparison) -> AbData<'_> {
    let mut latency = Vec::new();
    for p in &c.points {
        let get = |m: &str, f: fn(&srtlog_diff::points::MetricDelta) -> &Spread| {
            p.metrics.iter().find(|d| d.metric == m).map(|d| f(d).median)
        };
        latency.extend(latency_point("baseline", &p.key, |m| get(m, |d| &d.baseline)));
        latency.extend(latency_point("candidate", &p.key, |m| get(m, |d| &d.candidate)));
    }
    latency.extend(side_latency("baseline", &c.only_baseline));
    latency.extend(side_latency("candidate", &c.only_candidate));
    AbData { frontiers: &c.frontiers, latency_metrics: LATENCY, latency }
}

fn num(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn spread(s: &Spread) -> String {
    if s.n() > 1 {
        format!(
            "{} <span class=\"muted\">({}–{}, {} runs)</span>",
            num(s.median),
            num(s.min),
            num(s.max),
            s.n()
        )
    } else {
        num(s.median)
    }
}

fn runs(refs: &[srtlog_diff::RunRef]) -> String {
    refs.iter().map(|r| html(&r.job_id)).collect::<Vec<_>>().join(", ")
}

/// Writes the A/B section's HTML (the charts are drawn by the page's script).
pub(crate) fn section(out: &mut String, c: &Comparison) {
    let verdict = &c.setup.verdict;
    // Not comparable and confounded are both warnings: the numbers need a second look.
    let class = if !verdict.comparable || verdict.confounded { "badge warn" } else { "badge" };
    let _ = write!(
        out,
        r#"<section id="ab-section"><h2>Baseline vs candidate</h2>
<p>Baseline: {} · candidate: {}</p>
<p id="ab-verdict"><span class="{class}">{}</span>{}</p>
<p class="muted" id="ab-noise">{}</p>"#,
        runs(&c.baseline),
        runs(&c.candidate),
        html(&verdict.summary),
        if verdict.confounded {
            " <span class=\"warn-text\">confounded: more than one setting varies, so no change can be credited to one of them</span>"
        } else {
            ""
        },
        html(&c.noise),
    );
    if !c.setup.differences.is_empty() {
        out.push_str(r#"<div class="table-wrap"><table id="ab-settings"><thead><tr><th>Setting</th><th>Baseline</th><th>Candidate</th></tr></thead><tbody>"#);
        for d in &c.setup.differences {
            let v = |v: &Option<String>| v.as_deref().map_or_else(|| "(absent)".to_owned(), html);
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                html(&d.setting),
                v(&d.baseline),
                v(&d.candidate)
            );
        }
        out.push_str("</tbody></table></div>");
    }
    for w in &c.warnings {
        let _ = write!(out, r#"<p class="warn-text">{}</p>"#, html(w));
    }
    out.push_str(
        r#"<h3>Pareto frontiers</h3>
<p class="muted">Each side's frontier of output tokens/s per GPU against output tokens/s per user (medians over repeats). The table below it gives the change in tok/s/GPU at the per-user rates both frontiers cover, reading each frontier as the line through its points.</p>
<div id="chart-ab-pareto" class="chart wide"></div>"#,
    );
    for f in &c.frontiers {
        let n = |v: Option<u32>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
        let _ = write!(out, "<h4>ISL/OSL {}/{}</h4>", n(f.isl), n(f.osl));
        if f.samples.is_empty() {
            out.push_str(r#"<p class="muted">The frontiers cover no common tok/s/user.</p>"#);
            continue;
        }
        out.push_str(r#"<div class="table-wrap"><table class="ab-frontier"><thead><tr><th>tok/s/user</th><th>Baseline tok/s/GPU</th><th>Candidate tok/s/GPU</th><th>Change</th><th>%</th></tr></thead><tbody>"#);
        for s in &f.samples {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:+.1}</td><td>{}</td></tr>",
                num(s.tps_per_user),
                num(s.baseline_tps_per_gpu),
                num(s.candidate_tps_per_gpu),
                s.change,
                s.pct_change.map_or_else(|| "—".to_owned(), |p| format!("{p:+.1}%"))
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str(
        r#"<h3>Latency vs concurrency</h3>
<p class="muted">Baseline and candidate (medians over repeats), one line per side and ISL/OSL.</p>
<div class="grid3">
<div id="chart-ab-ttft-mean" class="chart"></div><div id="chart-ab-tpot-mean" class="chart"></div><div id="chart-ab-itl-mean" class="chart"></div>
<div id="chart-ab-ttft-p99" class="chart"></div><div id="chart-ab-tpot-p99" class="chart"></div><div id="chart-ab-itl-p99" class="chart"></div>
</div>
<h3>Delta table</h3>
<div class="table-wrap"><table id="ab-deltas"><thead><tr><th>Point</th><th>Metric</th><th>Baseline</th><th>Candidate</th><th>Change</th><th>%</th><th>Verdict</th><th>Noise</th></tr></thead><tbody>"#,
    );
    for p in &c.points {
        for d in &p.metrics {
            let _ = write!(
                out,
                r#"<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:+.3}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                d.judgement.as_str(),
                html(&p.key.label()),
                html(&d.metric),
                spread(&d.baseline),
                spread(&d.candidate),
                d.change,
                d.pct_change.map_or_else(|| "—".to_owned(), |p| format!("{p:+.1}%")),
                d.judgement.as_str(),
                d.noise.as_str(),
            );
        }
    }
    out.push_str("</tbody></table></div>");
    for (name, points) in [("baseline", &c.only_baseline), ("candidate", &c.only_candidate)] {
        for p in points.iter() {
            let _ = write!(
                out,
                r#"<p class="muted">Only in the {name}: {} ({})</p>"#,
                html(&p.key.label()),
                html(&p.runs.join(", "))
            );
        }
    }
    if let Some(g) = &c.gate {
        let _ = write!(
            out,
            r#"<h3>Gate</h3><p id="ab-gate">{}</p>"#,
            if g.failed { "<span class=\"badge warn\">regression</span>" } else { "no regression" }
        );
        if !g.violations.is_empty() {
            out.push_str("<ul>");
            for v in &g.violations {
                let _ = write!(
                    out,
                    "<li>{} at {}: {} → {} crosses {} ({})</li>",
                    html(&v.metric),
                    html(&v.point.label()),
                    num(v.baseline),
                    num(v.candidate),
                    html(&v.threshold),
                    v.noise.as_str()
                );
            }
            out.push_str("</ul>");
        }
    }
    out.push_str("</section>\n");
}
