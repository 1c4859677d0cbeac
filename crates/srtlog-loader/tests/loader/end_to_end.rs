//! The whole pipeline over `testdata/runs`: a cold load, a warm load from the cache (same JSON),
//! and a load after a source file changed (cache rebuilt, new values seen).

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use expect_test::expect_file;

use crate::common::{copy_tree, testdata};
use srtlog_loader::{CacheMode, LoadReport, LoaderOptions, NodeDetail, RunLoader};

fn load(root: &Path, cache: CacheMode) -> LoadReport {
    let options = LoaderOptions { cache, ..LoaderOptions::default() };
    RunLoader::with_options(root, options).unwrap().load_all()
}

/// The JSON document with the temporary root replaced, so that it can be compared and snapshotted.
fn document_json(report: LoadReport, root: &Path) -> String {
    let json = serde_json::to_string_pretty(&report.into_document()).unwrap();
    json.replace(&root.to_string_lossy().into_owned(), "<root>")
}

#[test]
fn cold_warm_and_touched_loads_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("runs"), &root);

    let cold = load(&root, CacheMode::InRunDir);
    assert_eq!(cold.runs.len(), 8, "skipped: {:?}", cold.skipped);
    assert!(cold.skipped.is_empty());
    assert_eq!(cold.cache.hits, 0);
    // Seven result parts (6002 has none: its benchmark type has no parser) plus seven runs with
    // worker logs.
    assert_eq!(cold.cache.writes, 14, "{:?}", cold.cache);
    let cold_json = document_json(cold, &root);
    expect_file!["snapshots/testdata_runs.json"].assert_eq(&cold_json);
    for run in ["4401463", "3667_1P_1D_20251110_192145", "5120", "5121", "4999", "6001", "6003"] {
        assert!(root.join(run).join("cached_assets/benchmark_results.parquet").is_file(), "{run}");
    }

    let warm = load(&root, CacheMode::InRunDir);
    assert_eq!((warm.cache.hits, warm.cache.misses, warm.cache.writes), (14, 0, 0));
    assert_eq!(document_json(warm, &root), cold_json, "a warm load must give the cold load's JSON");

    // Touch a worker log: only that run's node part is rebuilt, and the JSON is unchanged.
    let log = root.join("4401463/logs/eos0220_decode_w0.out");
    let file = fs::File::options().append(true).open(&log).unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(5)).unwrap();
    drop(file);
    let touched = load(&root, CacheMode::InRunDir);
    assert_eq!((touched.cache.hits, touched.cache.misses, touched.cache.writes), (13, 1, 1));
    assert_eq!(document_json(touched, &root), cold_json);

    // Change a result file's content: the new value is seen, not the cached one.
    let result =
        root.join("4401463/logs/sa-bench_isl_8192_osl_1024/results_concurrency_4_gpus_12_ctx_1_gen_2.json");
    let text = fs::read_to_string(&result).unwrap();
    let changed = text.replace("\"completed\": ", "\"completed\": 1");
    assert_ne!(text, changed);
    fs::write(&result, changed).unwrap();
    let after = load(&root, CacheMode::InRunDir);
    let run = after.runs.iter().find(|r| r.metadata.job_id == "4401463").unwrap();
    let point = run.profiler.points.iter().find(|p| p.concurrency == Some(4)).unwrap();
    let before = serde_json::from_str::<serde_json::Value>(&cold_json).unwrap();
    let old_run =
        before["runs"].as_array().unwrap().iter().find(|r| r["metadata"]["job_id"] == "4401463").unwrap();
    let old_completed = old_run["profiler"]["completed"][0].as_u64().unwrap();
    assert_eq!(point.completed, Some(format!("1{old_completed}").parse().unwrap()));
}

#[test]
fn no_cache_mode_writes_nothing_and_cache_dir_mode_writes_only_there() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("runs"), &root);
    let reference = document_json(load(&root, CacheMode::Disabled), &root);
    assert!(!root.join("4401463/cached_assets").exists());

    let cache_dir = tmp.path().join("cache");
    let first = load(&root, CacheMode::Dir(cache_dir.clone()));
    assert_eq!(first.cache.writes, 14);
    assert_eq!(document_json(first, &root), reference);
    assert!(!root.join("4401463/cached_assets").exists(), "--cache-dir must not write into runs");
    assert_eq!(fs::read_dir(&cache_dir).unwrap().count(), 8, "one cache directory per run");
    let second = load(&root, CacheMode::Dir(cache_dir));
    assert_eq!(second.cache.hits, 14);
    assert_eq!(document_json(second, &root), reference);
}

#[test]
fn load_single_by_job_id_and_by_path() {
    let loader = RunLoader::with_options(
        testdata("runs"),
        LoaderOptions { cache: CacheMode::Disabled, with_nodes: false, ..LoaderOptions::default() },
    )
    .unwrap();
    let by_id = loader.load_single("3667").unwrap();
    assert_eq!(by_id.metadata.job_id, "3667");
    assert_eq!(by_id.metadata.metadata_version.as_deref(), Some("1.0"));
    assert!(by_id.nodes.is_empty(), "with_nodes = false");
    let nodes = loader.load_node_metrics_for_run(&by_id);
    assert_eq!(nodes.len(), 2);
    let by_path = loader.load_single(testdata("runs/3667_1P_1D_20251110_192145").to_str().unwrap()).unwrap();
    assert_eq!(by_path.profiler, by_id.profiler);
    let missing = loader.load_single("123456").unwrap_err();
    assert_eq!(missing.kind.as_str(), "no_metadata");
    assert!(missing.reason.contains("123456"));
}

#[test]
fn validating_a_cache_reads_no_log_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("runs/4401463"), &root.join("4401463"));
    let cold = document_json(load(&root, CacheMode::InRunDir), &root);
    // Replace every worker log's bytes with garbage of the same size and put the modification
    // time back: the fingerprints still match, so a load that read any log byte would differ.
    for name in ["eos0219_prefill_w0.out", "eos0220_decode_w0.out", "eos0221_decode_w1.out"] {
        let path = root.join("4401463/logs").join(name);
        let meta = fs::metadata(&path).unwrap();
        fs::write(&path, vec![b'#'; meta.len() as usize]).unwrap();
        fs::File::options().write(true).open(&path).unwrap().set_modified(meta.modified().unwrap()).unwrap();
    }
    let warm = load(&root, CacheMode::InRunDir);
    assert_eq!(warm.cache.misses, 0);
    assert_eq!(document_json(warm, &root), cold, "the warm load did not read the (now garbage) logs");
    // And the garbage is really there: without the cache the workers have no batches.
    let uncached = load(&root, CacheMode::Disabled);
    assert!(uncached.runs[0].nodes.iter().all(|n| n.metrics.batches.is_empty()));
}

#[test]
fn node_config_comes_from_dumps_config_yaml_sweep_log_and_xtrace() {
    let loader = RunLoader::with_options(
        testdata("runs"),
        LoaderOptions { cache: CacheMode::Disabled, ..LoaderOptions::default() },
    )
    .unwrap();
    let run = loader.load_single("4401463").unwrap();
    let prefill = &run.nodes.iter().find(|n| n.metrics.metadata.node_name == "eos0219").unwrap().node_config;
    // `{node}_config.json`: GPU info, server args and environment.
    let gpus = &prefill.gpu_info.as_ref().unwrap()["gpus"];
    assert_eq!((gpus.as_array().unwrap().len(), gpus[0]["name"].as_str()), (4, Some("NVIDIA GB200")));
    assert_eq!(prefill.server_args.as_ref().unwrap()["tp_size"], 4);
    assert_eq!(prefill.environment.get("CUDA_DEVICE_MAX_CONNECTIONS").map(String::as_str), Some("1"));
    // config.yaml `prefill_environment`.
    assert_eq!(
        prefill.environment.get("SGLANG_DISAGGREGATION_BOOTSTRAP_TIMEOUT").map(String::as_str),
        Some("600")
    );
    // The sweep log's `Command:` for this worker.
    let cmd = prefill.launch_command.as_ref().unwrap();
    assert_eq!(cmd.args.get("disaggregation_mode").and_then(srtlog_model::ArgValue::as_str), Some("prefill"));
    // Decode workers get the decode environment, not the prefill one.
    let decode = &run.nodes.iter().find(|n| n.metrics.metadata.node_name == "eos0220").unwrap().node_config;
    assert!(decode.environment.contains_key("SGLANG_DECODE_BOOTSTRAP_TIMEOUT"));
    assert!(!decode.environment.contains_key("SGLANG_DISAGGREGATION_BOOTSTRAP_TIMEOUT"));
    assert!(decode.gpu_info.is_none(), "eos0220 has no config dump");

    // Legacy run: role-named dump at the run root, command and environment from bash xtrace.
    let legacy = loader.load_single("3667").unwrap();
    let cn02 = &legacy
        .nodes
        .iter()
        .find(|n| n.metrics.metadata.node_name == "watchtower-navy-cn02")
        .unwrap()
        .node_config;
    assert_eq!(cn02.gpu_info.as_ref().unwrap()["gpus"][0]["name"], "NVIDIA H100 80GB HBM3");
    assert!(cn02.launch_command.as_ref().unwrap().raw_command.contains("dynamo.sglang"));
    assert!(cn02.environment.contains_key("NCCL_DEBUG"), "from the dump");
}

#[test]
fn files_the_parser_chose_from_are_sources_of_the_cache_too() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("runs"), &root);
    let options =
        || LoaderOptions { cache: CacheMode::InRunDir, with_nodes: false, ..LoaderOptions::default() };
    let load_results = || RunLoader::with_options(&root, options()).unwrap().load_all();
    let cold = load_results();
    assert_eq!((cold.cache.hits, cold.cache.writes), (0, 7));
    let cold_json = document_json(cold, &root);

    // 5121 reads only its newest aiperf export, but an older one decides what is newest (and
    // is named in a warning): touching it rebuilds that run's results.
    let older =
        root.join("5121/logs/artifacts/Qwen3-32B_synthetic_20251001_093012/profile_export_aiperf.json");
    let file = fs::File::options().append(true).open(&older).unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(5)).unwrap();
    drop(file);
    let touched = load_results();
    assert_eq!((touched.cache.hits, touched.cache.misses, touched.cache.writes), (6, 1, 1));
    assert_eq!(document_json(touched, &root), cold_json);

    // 4999 has no result directory, so its loose JSON files are read to look for results: a new
    // one is a new source, and a result in it is seen.
    fs::write(
        root.join("4999/logs/late_result.json"),
        r#"{"max_concurrency": 1, "completed": 77, "output_throughput": 12.5}"#,
    )
    .unwrap();
    let added = load_results();
    assert_eq!((added.cache.hits, added.cache.misses), (6, 1));
    let run = added.runs.iter().find(|r| r.metadata.job_id == "4999").unwrap();
    assert_eq!(run.profiler.source, Some(srtlog_loader::model::ResultSource::Json));
    assert_eq!(run.profiler.points[0].completed, Some(77));
    assert_eq!(run.profiler.points[0].source_file.as_deref(), Some("logs/late_result.json"));
}

fn load_detail(root: &Path, cache: CacheMode, node_detail: NodeDetail) -> LoadReport {
    let options = LoaderOptions { cache, node_detail, ..LoaderOptions::default() };
    RunLoader::with_options(root, options).unwrap().load_all()
}

#[test]
fn summary_loads_derive_what_full_loads_derive_without_decoding_a_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("runs"), &root);
    let full = load_detail(&root, CacheMode::Disabled, NodeDetail::Batches);
    let with_workers = full.runs.iter().filter(|r| !r.nodes.is_empty()).count();
    assert!(with_workers >= 4, "{with_workers}");

    // Cold: nothing cached, so the workers are parsed and come back whole.
    let cold = load_detail(&root, CacheMode::InRunDir, NodeDetail::Summaries);
    for (run, reference) in cold.runs.iter().zip(&full.runs) {
        assert!(run.worker_summaries.is_none(), "{}", run.metadata.job_id);
        assert_eq!(run.nodes, reference.nodes);
        assert_eq!(run.derived, reference.derived);
    }

    // Warm: every worker without rows, every derived value as the full load's.
    let warm = load_detail(&root, CacheMode::InRunDir, NodeDetail::Summaries);
    assert_eq!((warm.cache.hits, warm.cache.misses, warm.cache.writes), (cold.cache.writes, 0, 0));
    for (run, reference) in warm.runs.iter().zip(&full.runs) {
        let job = &run.metadata.job_id;
        assert_eq!(run.derived, reference.derived, "{job}");
        assert_eq!(run.nodes.len(), reference.nodes.len(), "{job}");
        if run.nodes.is_empty() {
            continue;
        }
        assert!(run.worker_summaries.is_some(), "{job}");
        for (node, full_node) in run.nodes.iter().zip(&reference.nodes) {
            assert!(node.metrics.batches.is_empty() && node.metrics.memory_snapshots.is_empty(), "{job}");
            assert_eq!(node.metrics.metadata, full_node.metrics.metadata);
            assert_eq!(node.metrics.config, full_node.metrics.config);
            assert_eq!(node.metrics.stats, full_node.metrics.stats);
            assert_eq!(node.node_config, full_node.node_config);
        }
        // The summaries are what counts: a run with batches had some to summarise.
        let batches: usize = reference.nodes.iter().map(|n| n.metrics.batches.len()).sum();
        let summarised: u64 = run.derived.workers.iter().map(|w| w.prefill_batches + w.decode_batches).sum();
        assert_eq!(summarised, batches as u64, "{job}");
    }

    // A summary load re-derives like a full one: recomputing gives the same values.
    let mut again = warm.runs[0].clone();
    again.update_derived();
    assert_eq!(again.derived, warm.runs[0].derived);
}

#[test]
fn eval_runs_load_with_their_accuracy_cold_and_warm_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("eval-runs");
    copy_tree(&testdata("eval-runs"), &root);

    let cold = load(&root, CacheMode::InRunDir);
    assert!(cold.skipped.is_empty(), "{:?}", cold.skipped);
    assert_eq!(cold.runs.len(), 11);
    let run = |report: &LoadReport, job: &str| {
        report.runs.iter().find(|r| r.metadata.job_id == job).cloned().unwrap()
    };
    // An eval run: accuracy, no points, nothing called unreadable.
    let gsm8k = run(&cold, "6101");
    assert!(gsm8k.profiler.points.is_empty() && gsm8k.profiler.warnings.is_empty());
    assert_eq!(gsm8k.accuracy.len(), 4);
    assert_eq!(gsm8k.profiler_metadata.profiler_type.as_deref(), Some("gsm8k"));
    // sgl-eval's and lm-eval's result directories are listed deep enough to be read.
    let sgl_eval = run(&cold, "6111");
    let sources: Vec<&str> = sgl_eval.accuracy.iter().map(|a| a.source_file.as_str()).collect();
    assert_eq!(
        sources,
        [
            "logs/accuracy/sgl_eval_aime25_20260801_101500/metrics.json",
            "logs/eval_results/meta-llama__Llama-3.1-8B-Instruct/results_2026-08-01T12-00-00.000000.json"
        ]
    );
    // A throughput sweep with a post-eval: both.
    let sweep = run(&cold, "6107");
    assert_eq!(sweep.profiler.concurrencies(), [4, 8]);
    assert_eq!(sweep.accuracy.len(), 1);
    assert_eq!(sweep.accuracy[0].value, 0.7612);
    // A stray file in accuracy/ is said, in the JSON.
    let longbench = run(&cold, "6104");
    assert_eq!(longbench.accuracy_warnings.len(), 1);
    assert!(longbench.accuracy_warnings[0]
        .starts_with("logs/accuracy/notes.json: not a recognised accuracy file"));

    let cold_json = document_json(cold, &root);
    expect_file!["snapshots/eval_runs.json"].assert_eq(&cold_json);
    let warm = load(&root, CacheMode::InRunDir);
    assert!(warm.cache.hits > 0);
    assert_eq!(document_json(warm, &root), cold_json, "accuracy is read fresh, the same cold and warm");
}

#[test]
fn an_eval_type_without_accuracy_files_loads_with_an_unsupported_benchmark_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    copy_tree(&testdata("eval-runs/6103"), &root.join("6103"));
    fs::remove_file(root.join("6103/logs/accuracy/gpqa_meta-llama_Llama-3.1-8B-Instruct.json")).unwrap();
    let report = load(&root, CacheMode::Disabled);
    // A run is skipped only when it is not a run: this one loads, says why it has no results.
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let run = &report.runs[0];
    assert!(run.accuracy.is_empty() && run.profiler.points.is_empty());
    let warning =
        run.warnings.iter().find(|w| w.kind == srtlog_loader::model::RunWarningKind::UnsupportedBenchmark);
    assert!(warning.is_some_and(|w| w.message.contains("\"gpqa\" has no parser")), "{:?}", run.warnings);
}

#[test]
fn every_aiperf_type_loads_one_point_per_concurrency_agentic_five_levels_down() {
    let report = load(&testdata("result-runs"), CacheMode::Disabled);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let concurrencies = |job: &str| {
        let run = report.runs.iter().find(|r| r.metadata.job_id == job).unwrap();
        run.profiler.points.iter().map(|p| p.concurrency).collect::<Vec<_>>()
    };
    // agentic: logs/agentic/conc_4/aiperf_artifacts/ and conc_8/aiperf_artifacts/session_a/.
    assert_eq!(concurrencies("6104"), [Some(4), Some(8)]);
    assert_eq!(concurrencies("6101"), [Some(4), Some(8)]);
    assert_eq!(concurrencies("6102"), [Some(2), Some(16)]);
}
