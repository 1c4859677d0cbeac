//! Bad input: truncated JSON, wrong types, missing keys, empty directories, NaN/Infinity. Every
//! problem is a warning or an error that names the file; nothing panics.

use std::fs;
use std::path::Path;

use srtlog_model::{
    parse_run_results, BenchmarkParser, FileEntry, ParseError, ResultSource, RunFiles, SkipKind,
};
use srtlog_parsers_bench::{MooncakeRouterParser, SaBenchParser};

use crate::support::{self, parse_results, parse_run, source_files};

const GOOD: &str = r#"{"date": "20260101-000000", "backend": "dynamo", "num_prompts": 20, "request_rate": "inf", "max_concurrency": 2, "duration": 10.0, "completed": 20, "total_input_tokens": 2000, "total_output_tokens": 1000, "output_throughput": 100.0, "input_lens": [100, 100], "ttfts": [0.1, 0.2], "itls": [[0.01], [0.02]], "generated_texts": ["a", "b"], "errors": ["", ""], "mean_ttft_ms": 150.0, "p99_ttft_ms": 199.0}"#;

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn result_dir(run: &Path) -> std::path::PathBuf {
    run.join("logs/sa-bench_isl_100_osl_50")
}

#[test]
fn truncated_file_is_a_warning_naming_it_and_others_load() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    write(&result_dir(run).join("results_concurrency_2_gpus_8.json"), GOOD);
    write(
        &result_dir(run).join("results_concurrency_4_gpus_8.json"),
        &GOOD.replace("\"max_concurrency\": 2", "\"max_concurrency\": 4")[..150],
    );
    let r = parse_run(&SaBenchParser, run).unwrap();
    assert_eq!(r.source, Some(ResultSource::Json));
    assert_eq!(r.concurrencies(), vec![2]);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].starts_with(
            "logs/sa-bench_isl_100_osl_50/results_concurrency_4_gpus_8.json: skipped: truncated JSON"
        ),
        "{}",
        r.warnings[0]
    );
}

#[test]
fn wrong_types_are_warnings_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    write(&result_dir(run).join("a.json"), GOOD);
    write(
        &result_dir(run).join("b.json"),
        &GOOD
            .replace("\"max_concurrency\": 2", "\"max_concurrency\": 8")
            .replace("\"completed\": 20", "\"completed\": \"twenty\""),
    );
    write(
        &result_dir(run).join("c.json"),
        &GOOD.replace("\"max_concurrency\": 2", "\"max_concurrency\": \"16\""),
    );
    let r = parse_run(&SaBenchParser, run).unwrap();
    assert_eq!(r.concurrencies(), vec![2]);
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(
        r.warnings[0].starts_with("logs/sa-bench_isl_100_osl_50/b.json: skipped: unexpected content"),
        "{}",
        r.warnings[0]
    );
    assert!(r.warnings[1].starts_with("logs/sa-bench_isl_100_osl_50/c.json: skipped"), "{}", r.warnings[1]);
}

#[test]
fn single_bad_file_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    let file = result_dir(run).join("results_concurrency_2_gpus_8.json");
    write(&file, &GOOD[..GOOD.len() - 40]);
    let err = parse_results(&SaBenchParser, run).unwrap_err();
    assert!(matches!(err, ParseError::Syntax { .. }), "{err:?}");
    assert!(err.to_string().contains("results_concurrency_2_gpus_8.json"), "{err}");
    assert_eq!(err.skip_kind_for_results(), SkipKind::InvalidResults);
    // parse_run has no benchmark.out to fall back to: the JSON error is the answer.
    let err = parse_run(&SaBenchParser, run).unwrap_err();
    assert!(err.to_string().contains("results_concurrency_2_gpus_8.json"), "{err}");
}

#[test]
fn several_bad_files_name_each() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    write(&result_dir(run).join("x.json"), "{\"max_concurrency\": 1, ");
    write(&result_dir(run).join("y.json"), "{\"max_concurrency\": [1]}");
    let err = parse_results(&SaBenchParser, run).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("x.json") && msg.contains("y.json") && msg.contains("sa-bench_isl_100_osl_50"),
        "{msg}"
    );
}

#[test]
fn bad_json_falls_back_to_benchmark_out_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    write(&result_dir(run).join("r.json"), "{\"max_concurrency\": 4, \"completed\": ");
    write(
        &run.join("logs/benchmark.out"),
        "Maximum request concurrency: 4\n============ Serving Benchmark Result ============\nSuccessful requests:                     40        \n==================================================\n",
    );
    let r = parse_run(&SaBenchParser, run).unwrap();
    assert_eq!(r.source, Some(ResultSource::BenchmarkOut));
    assert_eq!(r.points[0].completed, Some(40));
    assert_eq!(r.points[0].source_file.as_deref(), Some("logs/benchmark.out"));
    assert!(r.warnings[0].contains("r.json"), "{:?}", r.warnings);
}

#[test]
fn files_without_max_concurrency_are_not_results() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    let dir = result_dir(run);
    write(&dir.join("meta.json"), r#"{"job_id": "1", "benchmark": {"type": "sa-bench"}}"#);
    write(
        &dir.join("benchmark-rollup.json"),
        r#"{"benchmark_type": "sa-bench", "runs": [{"concurrency": 4}]}"#,
    );
    write(&dir.join("r.pytorch.json"), r#"[{"metric": {"name": "median_ttft_ms"}}]"#);
    write(&dir.join("fingerprint_prefill_w0.json"), "not even json");
    let err = parse_results(&SaBenchParser, run).unwrap_err();
    assert!(matches!(err, ParseError::NoResults { .. }), "{err:?}");
    assert!(err.to_string().contains("sa-bench_isl_100_osl_50"), "{err}");
    assert!(err.to_string().contains("max_concurrency"), "{err}");
}

#[test]
fn empty_run_and_empty_result_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    for parser in [&SaBenchParser as &dyn BenchmarkParser, &MooncakeRouterParser] {
        let err = parse_run(parser, run).unwrap_err();
        assert_eq!(err.skip_kind_for_results(), SkipKind::NoResults, "{err}");
        assert!(err.to_string().contains(&run.display().to_string()), "{err}");
        assert!(source_files(parser, run).is_empty());
        assert_eq!(support::result_dir(parser, run), None);
    }
    fs::create_dir_all(result_dir(run)).unwrap();
    assert_eq!(support::result_dir(&SaBenchParser, run), Some(result_dir(run)));
    let err = parse_run(&SaBenchParser, run).unwrap_err();
    assert!(err.to_string().contains("sa-bench_isl_100_osl_50"), "{err}");
}

#[test]
fn duplicate_concurrency_keeps_the_newest_date() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    let dir = run.join("sa-bench_isl_100_osl_50");
    write(
        &dir.join("a_new.json"),
        &GOOD.replace("20260101-000000", "20260102-000000").replace("\"completed\": 20", "\"completed\": 19"),
    );
    write(&dir.join("b_old.json"), GOOD);
    let r = parse_run(&SaBenchParser, run).unwrap();
    assert_eq!(r.points.len(), 1);
    assert_eq!(r.points[0].completed, Some(19));
    assert_eq!(r.points[0].source_file.as_deref(), Some("sa-bench_isl_100_osl_50/a_new.json"));
    assert_eq!(r.warnings, vec!["duplicate results for concurrency 2: kept sa-bench_isl_100_osl_50/a_new.json (date 20260102-000000), ignored sa-bench_isl_100_osl_50/b_old.json".to_owned()]);

    // Without dates the later file name wins.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vllm_isl_100_osl_50");
    write(&dir.join("a.json"), r#"{"max_concurrency": 2, "completed": 1}"#);
    write(&dir.join("b.json"), r#"{"max_concurrency": 2, "completed": 2}"#);
    let r = parse_run(&SaBenchParser, tmp.path()).unwrap();
    assert_eq!(r.points[0].completed, Some(2));
    assert_eq!(r.warnings.len(), 1);
}

#[test]
fn nan_and_infinity_become_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    let text = GOOD
        .replace("\"mean_ttft_ms\": 150.0", "\"mean_ttft_ms\": NaN, \"std_ttft_ms\": -Infinity")
        .replace("\"duration\": 10.0", "\"duration\": Infinity");
    write(&result_dir(run).join("r.json"), &text);
    let r = parse_run(&SaBenchParser, run).unwrap();
    let p = &r.points[0];
    assert_eq!((p.mean_ttft_ms, p.std_ttft_ms, p.duration, p.p99_ttft_ms), (None, None, None, Some(199.0)));
    assert!(r.warnings.is_empty());
}

#[test]
fn loose_result_json_without_result_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    write(&run.join("1234.json"), r#"{"job_id": "1234", "resources": {}}"#);
    write(&run.join("logs/my_own_name.json"), GOOD);
    // Without a result directory the choice needs the bytes: every loose candidate, `logs/`
    // first, is handed over, and the first directory holding a result is read.
    let sources = support::select(&SaBenchParser, run);
    assert_eq!(sources.result_dir, None);
    assert_eq!(sources.result_files, ["logs/my_own_name.json", "1234.json"]);
    let r = parse_run(&SaBenchParser, run).unwrap();
    assert_eq!(r.points[0].source_file.as_deref(), Some("logs/my_own_name.json"));
}

#[test]
fn aiperf_bad_exports_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    let dir = run.join("logs/artifacts/M_conversation_20260101_000000");
    let file = dir.join("profile_export_aiperf.json");
    for (text, needle) in [
        (r#"{"time_to_first_token": {"unit": "ms", "avg": 1"#, "truncated JSON"),
        ("[]", "invalid aiperf export"),
        (r#"{"input_config": {}, "was_cancelled": false}"#, "no aiperf metrics"),
        (r#"{"records": "oops"}"#, "invalid aiperf export"),
    ] {
        write(&file, text);
        let err = parse_run(&MooncakeRouterParser, run).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("M_conversation_20260101_000000/profile_export_aiperf.json"), "{msg}");
        assert!(msg.contains(needle), "{text}: {msg}");
        assert_eq!(err.skip_kind_for_results(), SkipKind::InvalidResults);
    }
    // NaN/Infinity inside an export: unknown values, the rest loads.
    write(
        &file,
        r#"{"request_count": {"unit": "requests", "avg": NaN}, "time_to_first_token": {"unit": "ms", "avg": Infinity, "p50": 12.5}}"#,
    );
    let r = parse_run(&MooncakeRouterParser, run).unwrap();
    assert_eq!(
        (r.points[0].completed, r.points[0].mean_ttft_ms, r.points[0].median_ttft_ms),
        (None, None, Some(12.5))
    );
}

#[test]
fn aiperf_default_dir_only_is_still_read() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path();
    let dir = run.join("logs/artifacts/Qwen_Qwen3-32B-openai-chat-concurrency10");
    write(
        &dir.join("profile_export_aiperf.json"),
        r#"{"request_count": {"unit": "requests", "avg": 20}, "input_config": {"loadgen": {"concurrency": 10}}}"#,
    );
    let r = parse_run(&MooncakeRouterParser, run).unwrap();
    assert_eq!((r.points[0].concurrency, r.points[0].completed), (Some(10), Some(20)));
    // The result files alone (no benchmark.out to fall back to) give the same point.
    assert_eq!(support::result_dir(&MooncakeRouterParser, run), Some(dir.clone()));
    let r = parse_results(&MooncakeRouterParser, run).unwrap();
    assert_eq!(r.points[0].completed, Some(20));
}

#[test]
fn garbage_benchmark_out_never_panics() {
    let inputs = [
        String::new(),
        "\u{0}\u{1b}[31m\r\r\n\n".to_owned(),
        "============ Serving Benchmark Result ============\n".repeat(3),
        "NVIDIA AIPerf | LLM Metrics\n┃ Metric ┃ avg ┃\n│ │ 7 │\n│ x │ 1 │\n│ (ms) │ │\n".to_owned(),
        "Running benchmark with concurrency: 99999999999999999999\nMaximum request concurrency: -1\n"
            .to_owned(),
        "aiperf profile --concurrency\n[CMD]\nSA-Bench Config:;;=;a=\nConfig 1; 2; ; x\n".to_owned(),
        "│ Time to First Token │ 1 │\n┃ Metric ┃\n".to_owned(),
    ];
    for text in &inputs {
        for parser in [&SaBenchParser as &dyn BenchmarkParser, &MooncakeRouterParser] {
            let _ = parser.parse_benchmark_out(text);
            let _ = parser.parse_launch_command(text);
            let _ = parser.detect(text);
        }
    }
    let r = MooncakeRouterParser.parse_benchmark_out(&inputs[3]);
    assert_eq!(r.points.len(), 1);
    // `x (ms)` is wrapped over two rows; the row without a name is dropped.
    assert_eq!(r.points[0].other_metrics.get("x_avg_ms"), Some(&1.0));
    assert_eq!(r.points[0].other_metrics.len(), 1);
}

/// Lines (and pieces of lines) the parsers react to; random sequences of them must never panic.
const PIECES: &[&str] = &[
    "============ Serving Benchmark Result ============\n",
    "==================================================\n",
    "Successful requests:                     40        \n",
    "Mean TTFT (ms):                          1.50      \n",
    "P99.9 ITL (ms):                          nan\n",
    "Maximum request concurrency: 4\n",
    "Maximum request concurrency: None\n",
    "Traffic request rate: 250.0\n",
    "Running benchmark with concurrency: 8\n",
    "Completed benchmark with concurrency: 8\n",
    "Warming up model with concurrency 2\n",
    "Namespace(max_concurrency=4, request_rate=inf, save_result=True)\n",
    "+ python3 -u benchmark_serving.py --max-concurrency 4 --save-result\n",
    "NVIDIA AIPerf | LLM Metrics\n",
    "┃ Metric ┃ avg ┃ p99 ┃\n",
    "│ Time to First Token │ 1,000.5 │ N/A │\n",
    "│ (ms) │ │ │\n",
    "└──┴──┘\n",
    "Running aiperf benchmark...\n",
    "aiperf profile --concurrency 3 \\\n",
    "[CMD] aiperf profile --fixed-schedule\n",
    "SA-Bench Config: endpoint=x; isl=1\n",
    "Endpoint: http://h\n",
    "\r",
    "\u{1b}[0m",
    "(",
    ")",
    "│",
    "'",
    "\"",
    "\\",
    "é",
    "\n",
];

proptest::proptest! {
    #[test]
    fn random_benchmark_out_never_panics(picks in proptest::collection::vec(0..PIECES.len(), 0..40)) {
        let text: String = picks.iter().map(|&i| PIECES[i]).collect();
        for parser in [&SaBenchParser as &dyn BenchmarkParser, &MooncakeRouterParser] {
            let r = parser.parse_benchmark_out(&text);
            // Points are sorted by concurrency, open-loop last, one per concurrency.
            let keys: Vec<_> = r.points.iter().map(|p| (p.concurrency.is_none(), p.concurrency)).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            sorted.dedup();
            proptest::prop_assert_eq!(keys, sorted);
            let _ = parser.parse_launch_command(&text);
            let _ = parser.detect(&text);
        }
    }

    #[test]
    fn random_bytes_as_result_json_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        let mut body = b"{\"max_concurrency\": 1, ".to_vec();
        body.extend_from_slice(&bytes);
        let _ = srtlog_parsers_bench::sa_bench::parse_result_json(&body);
        let _ = srtlog_parsers_bench::aiperf::parse_export(&body);
    }

    /// Any listing of candidate paths with any bytes (some unreadable): selection and parsing
    /// never panic, read only what was selected, and every point names a selected file.
    #[test]
    fn random_runs_never_panic_and_read_only_what_they_select(
        files in proptest::collection::vec(
            (0..RUN_PATHS.len(), proptest::option::of(proptest::sample::select(RUN_BYTES.to_vec()))),
            0..8,
        )
    ) {
        let listing = RunFiles::new(
            "/r",
            files.iter().map(|(i, bytes)| FileEntry::file(RUN_PATHS[*i], bytes.map_or(0, |b| b.len() as u64), 0)).collect(),
        );
        for parser in [&SaBenchParser as &dyn BenchmarkParser, &MooncakeRouterParser] {
            let sources = parser.select(&listing);
            let selected = sources.files();
            let result = parse_run_results(parser, &sources, &mut |path| {
                assert!(selected.contains(&path), "{path} was not selected");
                let found = files.iter().rev().find(|(i, _)| RUN_PATHS[*i] == path).and_then(|(_, b)| *b);
                found.map(|b| b.as_bytes().to_vec()).ok_or_else(|| std::io::Error::other("unreadable"))
            });
            if let Ok(results) = result {
                for point in &results.points {
                    let file = point.source_file.as_deref().unwrap_or_default();
                    proptest::prop_assert!(selected.contains(&file), "{} from {:?}", file, selected);
                }
            }
        }
    }
}

/// Paths a run may hold, for [`random_runs_never_panic_and_read_only_what_they_select`].
const RUN_PATHS: &[&str] = &[
    "logs/sa-bench_isl_1_osl_2/a.json",
    "logs/sa-bench_isl_1_osl_2/b.json",
    "sa-bench_custom_x/c.json",
    "logs/loose.json",
    "loose.json",
    "logs/benchmark.out",
    "benchmark.out",
    "logs/artifacts/m_20260101_000000/profile_export_aiperf.json",
    "logs/artifacts/m_20250101_000000/profile_export_aiperf.json",
    "artifacts/default/profile_export_aiperf.json",
];

/// Contents for those paths: results, damaged results, non-results, benchmark.out text.
const RUN_BYTES: &[&str] = &[
    GOOD,
    r#"{"max_concurrency": 4, "completed": "#,
    r#"{"max_concurrency": 8, "completed": 3}"#,
    r#"{"request_count": {"unit": "requests", "avg": 20}}"#,
    "[1, 2]",
    "",
    "Maximum request concurrency: 4\n============ Serving Benchmark Result ============\nSuccessful requests: 40\n==================================================\n",
];

#[test]
fn result_directory_variants() {
    for (dir, expected_rel) in [
        ("logs/sa-bench_custom_sharegpt", "logs/sa-bench_custom_sharegpt/r.json"),
        ("vllm_isl_1024_osl_128", "vllm_isl_1024_osl_128/r.json"),
        ("sa-bench_isl_1_osl_2", "sa-bench_isl_1_osl_2/r.json"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join(dir).join("r.json"), GOOD);
        let r = parse_run(&SaBenchParser, tmp.path()).unwrap();
        assert_eq!(r.points[0].source_file.as_deref(), Some(expected_rel));
    }
    // logs/ wins over the run root, sa-bench_isl over sa-bench_custom over vllm_isl.
    let tmp = tempfile::tempdir().unwrap();
    for dir in
        ["vllm_isl_1_osl_2", "logs/sa-bench_custom_x", "logs/sa-bench_isl_1_osl_2", "sa-bench_isl_1_osl_2"]
    {
        write(&tmp.path().join(dir).join("r.json"), GOOD);
    }
    assert_eq!(
        support::result_dir(&SaBenchParser, tmp.path()),
        Some(tmp.path().join("logs/sa-bench_isl_1_osl_2"))
    );
}
