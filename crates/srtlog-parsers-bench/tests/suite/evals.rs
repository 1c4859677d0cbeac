//! The eval, prefix-replay and mlperf fixture runs of `testdata/eval-runs/`, read through the
//! registries as the loader reads them, with the values written into the fixtures.

use std::fs;
use std::path::PathBuf;

use srtlog_model::{
    accuracy_parsers, get_benchmark_parser, is_accuracy_benchmark, parse_run_accuracy, AccuracyResult,
    RunAccuracy,
};

use crate::support::{list, parse_run};

fn run_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/eval-runs").join(name)
}

fn accuracy(run: &str) -> RunAccuracy {
    use srtlog_parsers_bench as _;
    let dir = run_dir(run);
    parse_run_accuracy(&list(&dir), &mut |path| fs::read(dir.join(path)))
}

/// `(task, metric, filter, value, stderr, samples)` of each result.
type Row<'a> = (&'a str, &'a str, Option<&'a str>, f64, Option<f64>, Option<u64>);

fn rows(results: &[AccuracyResult]) -> Vec<Row<'_>> {
    results
        .iter()
        .map(|r| (r.task.as_str(), r.metric.as_str(), r.filter.as_deref(), r.value, r.stderr, r.samples))
        .collect()
}

#[test]
fn the_accuracy_parsers_and_eval_types_are_registered() {
    use srtlog_parsers_bench as _;
    let names: Vec<&str> = accuracy_parsers().unwrap().iter().map(|p| p.name()).collect();
    assert_eq!(names, ["evals", "mlperf"]);
    for t in ["gsm8k", "gpqa", "mmlu", "longbenchv2", "aime", "aime25", "lm-eval"] {
        assert!(is_accuracy_benchmark(t), "{t}");
    }
    assert!(!is_accuracy_benchmark("sa-bench"));
    assert_eq!(get_benchmark_parser("prefix-replay").unwrap().name(), "prefix-replay");
    assert_eq!(get_benchmark_parser("mlperf").unwrap().name(), "mlperf");
}

#[test]
fn gsm8k_on_vllm_one_result_pair_per_repeat() {
    let a = accuracy("6101");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(
        rows(&a.results),
        [
            ("gsm8k", "accuracy", None, 0.8476, None, Some(1319)),
            ("gsm8k", "invalid_rate", None, 0.0023, None, Some(1319)),
            ("gsm8k", "accuracy", None, 0.8453, None, Some(1319)),
            ("gsm8k", "invalid_rate", None, 0.003, None, Some(1319)),
        ]
    );
    assert_eq!(a.results[0].eval, "vllm-gsm8k");
    assert_eq!(a.results[0].source_file, "logs/accuracy/gsm8k_run1.json");
    assert_eq!(a.results[3].source_file, "logs/accuracy/gsm8k_run2.json");
    assert_eq!((a.results[0].higher_is_better, a.results[1].higher_is_better), (Some(true), Some(false)));
}

#[test]
fn sglang_run_eval_prefers_the_mean_of_repeats() {
    let a = accuracy("6102");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    // The category scores of the last repeat and `chars` are not the run's accuracy.
    assert_eq!(rows(&a.results), [("mmlu", "score", None, 0.87, None, None)]);
    assert_eq!(a.results[0].eval, "sglang-run-eval");
    assert_eq!(a.results[0].source_file, "logs/accuracy/mmlu_deepseek-ai_DeepSeek-R1.json");

    let a = accuracy("6103");
    assert_eq!(rows(&a.results), [("gpqa", "score", None, 0.303, None, None)]);
}

#[test]
fn an_unrecognised_accuracy_file_is_a_warning_naming_it() {
    let a = accuracy("6104");
    assert_eq!(rows(&a.results), [("longbench_v2", "score", None, 0.312, None, None)]);
    assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
    assert!(
        a.warnings[0].starts_with("logs/accuracy/notes.json: not a recognised accuracy file"),
        "{}",
        a.warnings[0]
    );
}

#[test]
fn nemo_skills_aime_per_mode_with_stderr_across_runs_and_its_copy_not_counted() {
    let a = accuracy("6105");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(
        rows(&a.results),
        [
            ("aime25", "no_answer", Some("majority@4"), 0.0, None, Some(30)),
            ("aime25", "symbolic_correct", Some("majority@4"), 50.0, None, Some(30)),
            ("aime25", "no_answer", Some("pass@1[avg-of-4]"), 3.33, None, Some(30)),
            ("aime25", "symbolic_correct", Some("pass@1[avg-of-4]"), 43.33, Some(2.36), Some(30)),
        ]
    );
    assert!(a.results.iter().all(|r| r.source_file == "logs/accuracy/aime25_metrics.json"));
    assert_eq!(a.results[0].higher_is_better, Some(false));
    assert_eq!(a.results[1].higher_is_better, Some(true));
}

#[test]
fn lm_eval_every_task_metric_and_filter_with_stderr_and_samples() {
    let a = accuracy("6106");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(
        rows(&a.results),
        [
            ("gsm8k", "exact_match", Some("flexible-extract"), 0.7619, Some(0.0117), Some(1319)),
            ("gsm8k", "exact_match", Some("strict-match"), 0.7544, Some(0.0119), Some(1319)),
            // The group is listed under both `results` and `groups`: once.
            ("mmlu", "acc", Some("none"), 0.6812, Some(0.0037), None),
            // stderr "N/A" is unknown, not an error; `effective` samples, not `original`.
            ("mmlu_stem", "acc", Some("none"), 0.5901, None, Some(3000)),
        ]
    );
    assert!(a.results.iter().all(|r| r.eval == "lm-eval" && r.higher_is_better == Some(true)));
    assert_eq!(a.results[0].source_file, "logs/eval_results/results_2026-08-01T10-12-03.123456.json");
}

#[test]
fn a_throughput_sweep_with_a_post_eval_has_both() {
    let a = accuracy("6107");
    assert_eq!(
        rows(&a.results),
        [("gsm8k", "exact_match", Some("strict-match"), 0.7612, Some(0.0117), Some(1319))]
    );
    let r = parse_run(get_benchmark_parser("sa-bench").unwrap(), &run_dir("6107")).unwrap();
    assert_eq!(r.concurrencies(), [4, 8]);
}

#[test]
fn sgl_eval_metrics_and_lm_eval_results_one_directory_down() {
    let a = accuracy("6111");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(
        rows(&a.results),
        [
            ("aime25", "score", None, 0.2333, None, None),
            ("gpqa_diamond_zeroshot", "acc_norm", Some("none"), 0.3081, Some(0.0329), Some(198)),
        ]
    );
    assert_eq!(a.results[0].eval, "sgl-eval");
    assert_eq!(a.results[0].source_file, "logs/accuracy/sgl_eval_aime25_20260801_101500/metrics.json");
}

#[test]
fn prefix_replay_reads_the_replay_wave_not_the_seed() {
    let r = parse_run(get_benchmark_parser("prefix-replay").unwrap(), &run_dir("6108")).unwrap();
    assert_eq!(r.points.len(), 1);
    let p = &r.points[0];
    assert_eq!(p.source_file.as_deref(), Some("logs/prefix-replay-isl8192-osl1024-c64/results.json"));
    assert_eq!(p.concurrency, Some(64));
    assert_eq!((p.completed, p.num_prompts), (Some(63), Some(64)));
    assert_eq!((p.total_input_tokens, p.total_output_tokens), (Some(63 * 8192), Some(63 * 1024)));
    assert_eq!(p.duration, Some(40.0));
    assert_eq!(p.output_tps, Some(63.0 * 1024.0 / 40.0));
    assert_eq!(p.total_tps, Some((63.0 * 8192.0 + 63.0 * 1024.0) / 40.0));
    assert_eq!(p.request_throughput, Some(63.0 / 40.0));
    assert_eq!((p.median_ttft_ms, p.median_tpot_ms, p.mean_tpot_ms), (Some(210.5), Some(36.5), None));
    assert_eq!(p.other_metrics.get("seed_duration_s"), Some(&12.5));
    assert_eq!(p.other_metrics.get("failed"), Some(&1.0));
    assert_eq!(p.other_metrics.get("cached_input_tokens_reported"), Some(&(63.0 * 8128.0)));
    assert_eq!(
        r.warnings,
        ["logs/prefix-replay-isl8192-osl1024-c64/results.json: 1 replay request(s) failed; first error: HTTP 500: engine overloaded"]
    );
}

#[test]
fn mlperf_loadgen_rollup_performance_points_and_accuracy() {
    let r = parse_run(get_benchmark_parser("mlperf").unwrap(), &run_dir("6109")).unwrap();
    // Server has the concurrency of srt_run.json; Offline has none (open-loop), so sorts last.
    let c: Vec<Option<u32>> = r.points.iter().map(|p| p.concurrency).collect();
    assert_eq!(c, [Some(512), None]);
    let server = &r.points[0];
    assert_eq!((server.output_tps, server.request_throughput), (Some(12000.5), Some(11.7)));
    assert_eq!((server.p99_ttft_ms, server.p99_tpot_ms), (Some(1800.2), Some(45.1)));
    assert_eq!(server.other_metrics.get("target_qps"), Some(&12.0));
    assert_eq!(r.points[1].output_tps, Some(15000.0));
    assert_eq!(r.warnings, ["logs/benchmark-rollup.json: Offline: LoadGen result INVALID"]);

    let a = accuracy("6109");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(
        rows(&a.results),
        [
            ("Server", "gen_len", None, 294.0, None, None),
            ("Server", "rouge1", None, 44.43, None, None),
            ("Server", "rougeL", None, 28.61, None, None),
        ]
    );
    assert!(a.results.iter().all(|r| r.eval == "mlperf" && r.source_file == "logs/benchmark-rollup.json"));
}

#[test]
fn mlperf_inference_endpoint_rollup_performance_point_and_datasets() {
    let r = parse_run(get_benchmark_parser("mlperf").unwrap(), &run_dir("6110")).unwrap();
    assert_eq!(r.points.len(), 1);
    let p = &r.points[0];
    assert_eq!(p.concurrency, None);
    assert_eq!((p.output_tps, p.request_throughput), (Some(9800.2), Some(9.6)));
    assert_eq!((p.mean_ttft_ms, p.median_ttft_ms, p.p99_ttft_ms), (Some(420.5), Some(400.1), Some(1200.0)));
    assert_eq!((p.mean_tpot_ms, p.median_tpot_ms, p.p99_tpot_ms), (Some(30.2), Some(29.9), Some(41.0)));
    assert_eq!(
        (p.mean_e2el_ms, p.median_e2el_ms, p.p99_e2el_ms),
        (Some(31000.0), Some(30500.0), Some(45000.0))
    );
    assert_eq!((p.completed, p.num_prompts, p.duration), (Some(5000), Some(5000), Some(520.8)));
    assert_eq!(p.other_metrics.get("samples_failed"), Some(&0.0));
    assert_eq!(
        r.warnings,
        ["logs/benchmark-rollup.json: runs[0]: QPS measured over the legacy_loadgen window, not comparable with native"]
    );

    let a = accuracy("6110");
    assert_eq!(
        rows(&a.results),
        [
            ("gpqa", "score", None, 0.71, None, Some(198)),
            ("aime25", "score", None, 0.9146, None, Some(30)),
            ("average", "average_accuracy", None, 0.8123, None, None),
        ]
    );
}

#[test]
fn an_mlperf_parser_refuses_another_benchmarks_rollup_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("logs/mlperf")).unwrap();
    fs::write(tmp.path().join("logs/benchmark-rollup.json"), r#"{"benchmark_type": "sa-bench", "runs": []}"#)
        .unwrap();
    let err = parse_run(get_benchmark_parser("mlperf").unwrap(), tmp.path()).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("benchmark-rollup.json: not an mlperf rollup (benchmark_type \"sa-bench\")"),
        "{err}"
    );
    // The accuracy side finds nothing there, without a warning.
    let a = parse_run_accuracy(&list(tmp.path()), &mut |p| fs::read(tmp.path().join(p)));
    assert_eq!(a, RunAccuracy::default());
}
