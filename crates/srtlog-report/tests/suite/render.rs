//! The rendered page: structure, embedded data, escaping, size.

use serde_json::Value;
use srtlog_report::{render_report, ReportOptions, CHART_IDS, SERVER_CHART_IDS, UPLOT_VERSION};

use crate::common::{big_doc, synthetic_doc, HOSTILE};

/// The parsed `#report-data` block of a page.
pub fn data_block(page: &str) -> Value {
    let open = r#"<script type="application/json" id="report-data">"#;
    let start = page.find(open).expect("data block") + open.len();
    let len = page[start..].find("</script>").expect("end of data block");
    serde_json::from_str(&page[start..start + len]).expect("data block is JSON")
}

#[test]
fn page_has_every_chart_container_and_a_json_data_block() {
    let doc = synthetic_doc(400);
    let page = render_report(&doc, &ReportOptions::default());
    assert!(page.starts_with("<!DOCTYPE html>"));
    for id in CHART_IDS {
        assert_eq!(page.matches(&format!(r#"id="{id}""#)).count(), 1, "{id}");
    }
    for id in [
        "run-table",
        "skipped-table",
        "filter-gpu",
        "filter-topology",
        "filter-islosl",
        "filter-backend",
        "filter-tag",
        "console-errors",
        "timeline-run",
        "timeline-series",
    ] {
        assert!(page.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    let data = data_block(&page);
    assert_eq!(data["runs"].as_array().unwrap().len(), 3);
    assert_eq!(data["skipped"].as_array().unwrap().len(), 2);
    assert_eq!(data["runs"][1]["missing_concurrencies"], serde_json::json!([128]));
    assert_eq!(data["runs"][1]["is_complete"], false);
    // Two runs have worker metrics; the disaggregated one has type, worker and rank series.
    let timelines = data["timelines"].as_array().unwrap();
    assert_eq!(timelines.len(), 2);
    let kinds: Vec<&str> =
        timelines[0]["series"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"type") && kinds.contains(&"worker") && kinds.contains(&"rank"), "{kinds:?}");
    // 1 prefill stream + 2 decode workers × 2 DP ranks; TP 1 duplicates are dropped.
    assert_eq!(timelines[0]["streams"], 5);
    // The rate match is the JSON's (see `consistency`): 0.25 s steps over 400 batches span
    // 99 s, in 1 s buckets; the aggregated run has none.
    let rm = &timelines[0]["rate_match"];
    assert_eq!(rm["bucket_secs"], 1.0);
    for k in ["offsets_s", "prefill_input_tps", "decode_gen_tps"] {
        assert_eq!(rm[k].as_array().unwrap().len(), 100, "{k}");
    }
    assert_eq!(timelines[0]["rate_match_shift_s"], 0.0);
    assert_eq!(timelines[1]["rate_match"], Value::Null);
    // One worker summary per worker.
    assert_eq!(data["runs"][0]["workers"].as_array().unwrap().len(), 3);
    // Pareto: every point of every run, frontier sorted by x with y descending.
    let points = data["pareto"]["points"].as_array().unwrap();
    assert_eq!(points.len(), 6 + 4 + 3);
    let frontier: Vec<(f64, f64)> = data["pareto"]["frontier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["x"].as_f64().unwrap(), p["y"].as_f64().unwrap()))
        .collect();
    assert!(!frontier.is_empty());
    assert!(frontier.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 > w[1].1), "{frontier:?}");
    assert!(page.contains(&format!("uPlot {UPLOT_VERSION}")));
    assert!(page.contains("Copyright (c) 2022 Leon Sorokin"), "uPlot's license notice");
}

#[test]
fn incomplete_and_skipped_runs_are_called_out() {
    let page = render_report(&synthetic_doc(10), &ReportOptions::default());
    assert!(page.contains(r#"<tr data-run="1" class="incomplete">"#));
    assert!(page.contains("incomplete: missing 128"));
    assert!(page.contains("<b>1</b> incomplete"));
    assert!(page.contains("<b>2</b> skipped"));
    assert!(page.contains(">no_results<") && page.contains(">invalid_metadata<"));
    assert!(page.contains("no sa-bench result JSON and no benchmark.out"));
}

#[test]
fn hostile_text_stays_inert() {
    let page = render_report(&synthetic_doc(10), &ReportOptions::default());
    assert!(!page.contains(HOSTILE), "raw hostile text in the page");
    assert!(!page.contains("<b>bold</b>"));
    assert!(page.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"));
    // Exactly the page's own scripts: error capture, data block, uPlot, report code.
    assert_eq!(page.matches("<script").count(), 4);
    assert_eq!(page.matches("</script>").count(), 4);
    // The data still carries the original text.
    let data = data_block(&page);
    assert_eq!(data["runs"][2]["job_name"], HOSTILE);
    assert_eq!(data["skipped"][1]["reason"], format!("/runs/1002/1002.json: {HOSTILE}"));
    let mut options = ReportOptions::default();
    options.title = HOSTILE.to_owned();
    let page = render_report(&synthetic_doc(10), &options);
    assert!(!page.contains(HOSTILE));
    assert!(page.contains("<title>&lt;/script&gt;"));
}

#[test]
fn the_page_loads_nothing_from_the_network() {
    let page = render_report(&synthetic_doc(10), &ReportOptions::default());
    for needle in [
        "src=\"http",
        "href=\"http",
        "<link",
        "@import",
        "url(http",
        "src=\"//",
        "<iframe",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!page.contains(needle), "{needle}");
    }
}

#[test]
fn empty_document_renders() {
    let doc = srtlog_model::AnalysisDocument { schema_version: 1, runs: vec![], skipped: vec![] };
    let page = render_report(&doc, &ReportOptions::default());
    let data = data_block(&page);
    assert_eq!(data["runs"], serde_json::json!([]));
    assert!(page.contains("No runs were loaded."));
    assert!(page.contains("No run directory was skipped."));
}

#[test]
fn timelines_can_be_left_out() {
    let mut options = ReportOptions::default();
    options.include_timelines = false;
    let data = data_block(&render_report(&synthetic_doc(100), &options));
    assert_eq!(data["timelines"], serde_json::json!([]));
    assert_eq!(data["server_series"], serde_json::json!([]));
}

#[test]
fn server_series_are_embedded_per_worker_lowest_tp_rank_downsampled() {
    let page = render_report(&synthetic_doc(100), &ReportOptions::default());
    for id in SERVER_CHART_IDS {
        assert!(page.contains(&format!(r#"id="{id}""#)), "no #{id}");
    }
    let data = data_block(&page);
    let runs = data["server_series"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "only the first run has Tachometer series");
    let sr = &runs[0];
    assert_eq!((sr["run"].as_u64(), sr["time_base"].as_str()), (Some(0), Some("unix")));
    assert_eq!(sr["start"], "2026-08-01T10:05:20.000Z");
    let workers = sr["workers"].as_array().unwrap();
    let labels: Vec<&str> = workers.iter().map(|w| w["label"].as_str().unwrap()).collect();
    assert_eq!(
        labels,
        [
            "decode 0 (eos0220) · backend_decode0_rank0",
            "decode 1 (eos0221) · backend_decode1_rank0",
            "prefill 0 (eos0219) · backend_prefill0_rank0"
        ]
    );
    // Worker 2 of the fixture (decode 1): running = 8 × 3 × (1 + (i % 50) / 50), TP 1 not added.
    let d1 = &workers[1];
    assert_eq!(d1["t"][0], 0.0);
    assert_eq!(d1["t"][1], 0.2);
    assert_eq!(d1["running"][0], 24.0);
    assert_eq!(d1["running"][1], 24.48);
    assert_eq!(d1["gen_tps"][0], 900.0);
    assert_eq!(d1["kv_usage"][0], 0.03);
    assert_eq!(d1["t"].as_array().unwrap().len(), 100, "100 scrapes fit the bucket budget unchanged");
}

fn max_of(v: &Value) -> f64 {
    v.as_array().unwrap().iter().filter_map(Value::as_f64).fold(f64::NEG_INFINITY, f64::max)
}

#[test]
fn a_million_batches_give_a_small_page_that_keeps_spikes() {
    let doc = big_doc(1_000_000);
    let batches: usize = doc.runs[0].nodes.iter().map(|n| n.metrics.batches.len()).sum();
    assert!(batches >= 999_990, "{batches}");
    let started = std::time::Instant::now();
    let page = render_report(&doc, &ReportOptions::default());
    let elapsed = started.elapsed();
    println!("1M batches: {} bytes in {elapsed:?}", page.len());
    assert!(page.len() < 3_000_000, "{} bytes", page.len());
    let data = data_block(&page);
    let buckets = data["buckets_per_series"].as_u64().unwrap() as usize;
    assert!((100..=1000).contains(&buckets));
    let series = data["timelines"][0]["series"].as_array().unwrap();
    for s in series {
        assert!(s["t"].as_array().unwrap().len() <= 3 * buckets, "{}", s["label"]);
    }
    let raw_max = |role: &str, key: &str| {
        series
            .iter()
            .filter(|s| s["role"] == role && s["kind"] != "type")
            .map(|s| max_of(&s[key]))
            .fold(f64::NEG_INFINITY, f64::max)
    };
    // The one-batch spikes survive downsampling of each stream.
    assert_eq!(raw_max("decode", "gen_tps"), 90_000.0);
    assert_eq!(raw_max("prefill", "input_tps"), 250_000.0);
}

#[test]
fn accuracy_sits_beside_throughput_in_the_run_table_and_has_a_section() {
    use srtlog_model::{AccuracyResult, AnalysisDocument, Mode};

    use crate::common::{metadata, run};

    let plain = synthetic_doc(4);
    let page = render_report(&plain, &ReportOptions::default());
    assert!(
        !page.contains("<th>Accuracy</th>") && !page.contains("accuracy-section"),
        "no evals, no accuracy column"
    );

    let gsm8k = AccuracyResult {
        eval: "lm-eval".into(),
        task: "gsm8k".into(),
        metric: "exact_match".into(),
        filter: Some("strict-match".into()),
        value: 0.76123,
        stderr: Some(0.0117),
        samples: Some(1319),
        higher_is_better: Some(true),
        source_file: "logs/eval_results/results_x.json".into(),
    };
    let mut sweep = run(metadata("6107", Mode::Aggregated, (0, 0, 1), "h100"), &[4, 8], &[4, 8], 1.0, vec![]);
    sweep.accuracy = vec![gsm8k.clone()];
    let mut eval = run(metadata("6103", Mode::Aggregated, (0, 0, 1), "h100"), &[], &[], 1.0, vec![]);
    eval.profiler_metadata.profiler_type = Some("gpqa".into());
    eval.accuracy = vec![AccuracyResult {
        eval: "sglang-run-eval".into(),
        task: "gpqa".into(),
        metric: "score".into(),
        filter: None,
        value: 0.303,
        stderr: None,
        samples: None,
        higher_is_better: Some(true),
        source_file: "logs/accuracy/gpqa_m.json".into(),
    }];
    eval.accuracy_warnings = vec!["logs/accuracy/notes.json: not a recognised accuracy file".into()];
    let best = sweep.derived.output_tps_per_gpu.iter().flatten().copied().reduce(f64::max).unwrap();
    let doc = AnalysisDocument { schema_version: 1, runs: vec![sweep, eval], skipped: vec![] };
    let page = render_report(&doc, &ReportOptions::default());

    let table = &page[page.find(r#"id="run-table""#).unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(table.contains("<th class=\"num\">Best out TPS/GPU</th><th>Accuracy</th>"));
    let sweep_row = &table[table.find(r#"data-run="0""#).unwrap()..table.find(r#"data-run="1""#).unwrap()];
    // Throughput and accuracy of the same run, side by side; the title keeps the JSON's number.
    assert!(
        sweep_row.contains(&format!("<td class=\"num\">{:.0}</td><td class=\"accuracy\">", best)),
        "{sweep_row}"
    );
    assert!(sweep_row.contains(r#"<div title="gsm8k exact_match,strict-match = 0.76123">gsm8k exact_match,strict-match <b>0.76123 ± 0.0117</b></div>"#), "{sweep_row}");
    let eval_row = &table[table.find(r#"data-run="1""#).unwrap()..];
    assert!(
        eval_row.contains("gpqa <b>0.303</b>")
            && eval_row.contains(r#"<span class="badge ok">accuracy</span>"#),
        "{eval_row}"
    );
    // The eval run is not "incomplete": it measured what it was asked to.
    assert!(page.contains("<b>0</b> incomplete"));

    let section = &page[page.find(r#"<section id="accuracy-section">"#).unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert_eq!(section.matches(r#"<table class="accuracy-table">"#).count(), 2);
    assert!(section.contains(r#"<td>gsm8k</td><td>exact_match</td><td>strict-match</td><td class="num" title="0.76123">0.76123 ± 0.0117</td><td class="num">1319</td><td>lm-eval</td>"#), "{section}");
    assert!(section.contains("logs/accuracy/notes.json: not a recognised accuracy file"));
}
