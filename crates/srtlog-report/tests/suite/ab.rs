//! The baseline-vs-candidate section, on the fixture pair `testdata/diff/pairs/7001` (baseline)
//! and `7002` (one setting changed, output throughput 10 % lower at concurrency 64, a point at
//! 128 only on the candidate): the verdict and its setting, the delta table, the chart
//! containers, and the embedded frontiers equal to the comparison's (one answer: the report
//! lays out srtlog-diff's numbers). Without a comparison the page has no such section.

use std::path::PathBuf;

use serde_json::Value;
use srtlog_diff::{compare, Comparison, RunInput};
use srtlog_loader::metadata::{find_config_file, RunConfig};
use srtlog_loader::{CacheMode, LoaderOptions, RunLoader};
use srtlog_model::{AnalysisDocument, BenchmarkRun};
use srtlog_report::{render_report, render_report_with_comparison, ReportOptions, AB_CHART_IDS};

use crate::render::data_block;

fn load(job: &str) -> BenchmarkRun {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/diff/pairs").join(job);
    let options = LoaderOptions { cache: CacheMode::Disabled, ..Default::default() };
    let mut runs = RunLoader::with_options(dir, options).unwrap().load_all().runs;
    assert_eq!(runs.len(), 1, "{job}");
    runs.remove(0)
}

fn config(run: &BenchmarkRun) -> Option<Value> {
    let path = find_config_file(std::path::Path::new(&run.metadata.path))?;
    Some(serde_json::to_value(RunConfig::read(&path).unwrap().doc).unwrap())
}

fn pair() -> (AnalysisDocument, Comparison) {
    let (a, b) = (load("7001"), load("7002"));
    let (ca, cb) = (config(&a), config(&b));
    let c =
        compare(&[RunInput { run: &a, config: ca.as_ref() }], &[RunInput { run: &b, config: cb.as_ref() }]);
    (AnalysisDocument { schema_version: srtlog_model::SCHEMA_VERSION, runs: vec![a, b], skipped: vec![] }, c)
}

#[test]
fn the_section_shows_the_verdict_the_deltas_and_both_frontiers() {
    let (doc, c) = pair();
    let page = render_report_with_comparison(&doc, &ReportOptions::default(), &c);
    assert!(page.contains(
        r#"<span class="badge">comparable: one setting differs (config.backend.sglang_config.decode.mem-fraction-static)</span>"#
    ));
    assert!(page.contains(
        "<tr><td>config.backend.sglang_config.decode.mem-fraction-static</td><td>0.8</td><td>0.85</td></tr>"
    ));
    assert!(page.contains(
        r#"<tr class="worse"><td>1024/1024 c64</td><td>output_tps_per_gpu</td><td>1000.0</td><td>900.0</td><td>-100.000</td><td>-10.0%</td><td>worse</td><td>noise unknown</td></tr>"#
    ));
    assert!(page.contains("Only in the candidate: 1024/1024 c128 (7002)"));
    // At equal interactivity: 50 tok/s/user (c64 on both sides).
    assert!(
        page.contains("<tr><td>50.000</td><td>1000.0</td><td>900.0</td><td>-100.0</td><td>-10.0%</td></tr>")
    );
    for id in AB_CHART_IDS {
        assert!(page.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    let data = data_block(&page);
    assert_eq!(data["ab"]["frontiers"], serde_json::to_value(&c.frontiers).unwrap());
    // The candidate's frontier has c128 (25 tok/s/user, 9600 / 8 tok/s/GPU) too.
    assert_eq!(data["ab"]["frontiers"][0]["candidate"][0], serde_json::json!([25.0, 1200.0]));
    let latency = data["ab"]["latency"].as_array().unwrap();
    // Two matched points on both sides, and c128 on the candidate only.
    assert_eq!(latency.len(), 5);
    assert!(latency.iter().any(|p| p["side"] == "candidate" && p["concurrency"] == 128));
}

#[test]
fn without_a_comparison_the_page_has_no_ab_section() {
    let (doc, _) = pair();
    let page = render_report(&doc, &ReportOptions::default());
    assert!(!page.contains("ab-section"));
    assert!(data_block(&page).get("ab").is_none());
}
