//! `srtlog diff` on the fixture pairs of `testdata/diff/` (each written for one case; the
//! values are in `testdata/diff/README.md`): each verdict, a regression at exactly one
//! concurrency, repeats within noise, points on one side only, every exit code, the
//! 100-column table and the versioned JSON.

use std::process::Output;

use super::{srtlog, testdata, text};

fn diff(args: &[&str]) -> Output {
    let root = testdata("diff");
    let mut all = vec!["diff", "--root", root.to_str().unwrap(), "--no-cache", "-q"];
    all.extend_from_slice(args);
    srtlog(&all)
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

/// Every line of stdout fits a 100-column terminal.
#[track_caller]
fn assert_fits(out: &Output) {
    for line in text(&out.stdout).lines() {
        assert!(line.chars().count() <= 100, "{} columns: {line}", line.chars().count());
    }
}

#[test]
fn one_changed_flag_and_a_regression_at_exactly_one_concurrency() {
    let pair = testdata("diff/pairs");
    let out = srtlog(&[
        "diff",
        pair.join("7001").to_str().unwrap(),
        pair.join("7002").to_str().unwrap(),
        "--no-cache",
        "-q",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), 1, "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains(
        "setup: comparable: one setting differs (config.backend.sglang_config.decode.mem-fraction-static)"
    ));
    assert!(stdout.contains("  config.backend.sglang_config.decode.mem-fraction-static: 0.8 -> 0.85"));
    assert!(stdout.contains("noise unknown (single runs on both sides)"));
    // c64: 8000 -> 7200 tok/s on 8 GPUs.
    let regressions: Vec<&str> = stdout.lines().filter(|l| l.starts_with("REGRESSION")).collect();
    assert_eq!(
        regressions,
        ["REGRESSION output_tps_per_gpu 1024/1024 c64: 1000.00 -> 900.00 (-10.0%, -100.00) crosses <-5%;"]
    );
    // A single pair: the line says the noise is unknown (on its own line, to fit 100 columns).
    assert!(stdout.contains("crosses <-5%;\n    noise unknown (single runs)\n"));
    assert!(stdout.contains("only in the candidate: 1024/1024 c128 (7002)"));
    // At equal interactivity: 50 tok/s/user is c64 on both sides, 100 is c16.
    assert!(stdout
        .contains("equal interactivity 1024/1024: tok/s/GPU on each frontier, tok/s/user 50.00 to 100.00"));
    assert_fits(&out);
}

#[test]
fn several_settings_are_a_confounded_comparison() {
    let out = diff(&["7001", "7003"]);
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), 0, "{stdout}");
    assert!(stdout.contains("setup: comparable: 3 settings differ:"), "{stdout}");
    assert!(stdout.contains("  confounded: more than one setting varies"));
    for setting in [
        "  config.backend.sglang_config.prefill.chunked-prefill-size: 8192 -> 16384",
        "  metadata.container: dynamo-sglang:0.8.1 -> dynamo-sglang:0.9.0",
        "  metadata.precision: fp8 -> fp4",
    ] {
        assert!(stdout.contains(setting), "{setting} missing:\n{stdout}");
    }
    assert!(stdout.ends_with("no regression (4 thresholds at 2 points)\n"));
    assert_fits(&out);
}

#[test]
fn a_different_isl_is_not_comparable_and_exits_2() {
    let out = diff(&["7001", "7004"]);
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("srtlog: not comparable: different ISL/OSL (1024 vs 8192)"));
    let stdout = text(&out.stdout);
    // Nothing is hidden: every point is listed on its side.
    assert!(stdout.contains("only in the baseline: 1024/1024 c64 (7001)"));
    assert!(stdout.contains("only in the candidate: 8192/1024 c16 (7004)"));
    assert!(!stdout.contains("no regression"));
    assert_fits(&out);
}

#[test]
fn repeats_by_tag_put_a_crossing_within_noise() {
    let out = diff(&["--baseline-tag", "nightly-41", "--candidate-tag", "nightly-42"]);
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), 0, "{stdout}");
    assert!(stdout.contains("baseline   3 runs: 7013 (nightly), 7012 (nightly), 7011 (nightly)"));
    assert!(stdout.contains("setup: comparable: no setting differs"));
    // Medians 8000 (7600..8800) and 7520 (7200..8000) tok/s on 8 GPUs: -6 %, inside the spread.
    assert!(stdout.contains(
        "within noise output_tps_per_gpu 1024/1024 c64: 1000.00 -> 940.00 (-6.0%, -60.00) crosses <-5%\n"
    ));
    assert!(stdout.contains("  output_tps_per_gpu             1000.00×3      940.00×3"));
    assert!(stdout.ends_with("no regression beyond noise (1 crossing within noise)\n"));
    // The same sides by selector.
    let same = diff(&["tag:nightly-41", "7021,7022,7023"]);
    assert_eq!(text(&same.stdout), stdout);
    assert_fits(&out);
}

#[test]
fn the_gate_reads_its_grammar_and_none_passes() {
    let out = diff(&["7001", "7002", "--fail-on", "none"]);
    assert_eq!(code(&out), 0);
    assert!(text(&out.stdout).ends_with("no regression (0 thresholds at 2 points)\n"));
    // An absolute limit in the metric's unit: c64's p99 TTFT is 600 ms on both sides.
    let out = diff(&["7001", "7002", "--fail-on", "p99_ttft_ms>+0,output_tps<-700"]);
    assert_eq!(code(&out), 1);
    let stdout = text(&out.stdout);
    assert!(stdout.contains(
        "REGRESSION output_tps 1024/1024 c64: 8000.00 -> 7200.00 (-800.00, -10.0%) crosses <-700;"
    ));
    assert!(!stdout.contains("REGRESSION p99_ttft_ms"));
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    for (args, message) in [
        (
            &["7001", "7002", "--fail-on", "bogus<-5%"][..],
            "--fail-on: invalid threshold \"bogus<-5%\": unknown metric",
        ),
        (&["7001", "7002", "--fail-on", "output_tps-5%"][..], "no < or >"),
        (&["7001"][..], "no candidate: give a selector or --candidate-tag"),
        (&["7001", "9999"][..], "the candidate (job 9999) selects no run under"),
        (&["tag:nope", "7002"][..], "the baseline (tag nope) selects no run under"),
        (&["--baseline-tag", "a", "7001", "7002"][..], "unexpected selector \"7002\""),
    ] {
        let out = diff(args);
        assert_eq!(code(&out), 2, "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn json_is_the_versioned_comparison_with_the_gate() {
    let out = diff(&["7001", "7002", "--json"]);
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["diff_schema_version"], 1);
    assert_eq!(doc["baseline"][0]["job_id"], "7001");
    assert_eq!(doc["points"].as_array().unwrap().len(), 2);
    assert_eq!(doc["only_candidate"][0]["key"]["concurrency"], 128);
    let c64 = &doc["points"][1];
    assert_eq!(c64["key"]["concurrency"], 64);
    assert_eq!(c64["metrics"][0]["metric"], "output_tps_per_gpu");
    assert_eq!(c64["metrics"][0]["pct_change"], -10.0);
    assert_eq!(c64["metrics"][0]["judgement"], "worse");
    assert_eq!(c64["metrics"][0]["noise"], "unknown");
    assert_eq!(doc["gate"]["failed"], true);
    assert_eq!(doc["gate"]["violations"].as_array().unwrap().len(), 1);
    assert_eq!(doc["setup"]["verdict"]["comparable"], true);
    assert_eq!(doc["frontiers"][0]["samples"].as_array().unwrap().len(), 2);
    // The gate's lines go to stderr, so stdout stays one document.
    assert!(text(&out.stderr).contains("REGRESSION output_tps_per_gpu 1024/1024 c64"));
}

#[test]
fn workers_are_compared_per_role_on_runs_with_logs() {
    // A run against itself: every role, every metric unchanged, and no setting differs.
    let run = testdata("runs/4401463");
    let out = srtlog(&["diff", run.to_str().unwrap(), run.to_str().unwrap(), "--no-cache", "-q"]);
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), 0, "{stdout}");
    assert!(stdout.contains("setup: comparable: no setting differs"));
    assert!(stdout.contains("workers: prefill (baseline 1 per run, candidate 1 per run)"), "{stdout}");
    assert!(stdout.contains("workers: decode (baseline 2 per run, candidate 2 per run)"));
    assert!(stdout.contains("  peak_gen_throughput"));
    assert!(stdout.contains("  max_token_usage"));
    assert!(!stdout.contains(" better ") && !stdout.contains(" worse "));
    assert_fits(&out);
}

#[test]
fn report_takes_the_same_baseline_and_candidate_selection() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("ab.html");
    let root = testdata("diff");
    let report = |baseline: &str| {
        srtlog(&[
            "report",
            root.to_str().unwrap(),
            "--no-cache",
            "-q",
            "--baseline",
            baseline,
            "--candidate",
            "tag:nightly-42",
            "-o",
            page.to_str().unwrap(),
        ])
    };
    let out = report("7011,7012,7013");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains(r#"<section id="ab-section">"#));
    assert!(html.contains("comparable: no setting differs"));
    assert!(html.contains("repeats: baseline up to 3, candidate up to 3 runs per point"));
    // A selector that selects nothing is a usage error, and no page is written.
    std::fs::remove_file(&page).unwrap();
    let out = report("tag:nope");
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("the baseline (tag nope) selects no run under"));
    assert!(!page.exists());
    // --baseline needs --candidate.
    let out = srtlog(&["report", root.to_str().unwrap(), "--baseline", "7001"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn a_side_that_mixes_models_is_not_comparable() {
    // Every fixture run on both sides: five models and four GPU types pooled as "repeats".
    let runs = testdata("runs");
    let out = srtlog(&["diff", runs.to_str().unwrap(), runs.to_str().unwrap(), "--no-cache", "-q"]);
    assert_eq!(code(&out), 2);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("srtlog: not comparable: the baseline mixes models ("), "{stderr}");
    assert!(stderr.contains("the candidate mixes GPU types (b200 | gb200 | h100 | h200)"));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("more that vary within a side (--json lists them)"));
    // aiperf's long extra metric names get a line of their own, uncut.
    assert!(stdout.lines().any(|l| l.trim() == "output_sequence_length_p99"), "{stdout}");
    assert_fits(&out);
}
