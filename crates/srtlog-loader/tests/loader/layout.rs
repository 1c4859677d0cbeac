//! The layouts srt-slurm writes today and the setup record: the 2.x layout (`logs/workers/`,
//! `logs/fingerprints/`, `recipe.lock.yaml` v2, `resource_snapshot.json`: `testdata/runs/6001`),
//! a benchmark type without a parser that still yields its workers (`6002`), a run that lost a
//! worker, with a v1 lockfile and a 1.x fingerprint (`6003`), a dangling worker-log link, and
//! the real `recipe.lock.yaml` files in `../shared/real`.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use srtlog_loader::model::{BenchmarkRun, RunWarning, StringMap, WorkerType};
use srtlog_loader::{CacheMode, LoadReport, LoaderOptions, RunLoader};

use crate::common::{copy_tree, testdata};

fn load_with(root: &Path, cache: CacheMode) -> LoadReport {
    RunLoader::with_options(root, LoaderOptions { cache, ..LoaderOptions::default() }).unwrap().load_all()
}

fn load_one(job: &str) -> BenchmarkRun {
    let options = LoaderOptions { cache: CacheMode::Disabled, ..LoaderOptions::default() };
    RunLoader::with_options(testdata("runs"), options).unwrap().load_single(job).unwrap()
}

fn kinds(run: &BenchmarkRun) -> Vec<&str> {
    run.warnings.iter().map(|w| w.kind.as_str()).collect()
}

fn warning<'a>(run: &'a BenchmarkRun, kind: &str) -> &'a RunWarning {
    run.warnings
        .iter()
        .find(|w| w.kind.as_str() == kind)
        .unwrap_or_else(|| panic!("no {kind}: {:#?}", run.warnings))
}

fn map(pairs: &[(&str, &str)]) -> StringMap {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Copies a fixture run into a temporary root (files and directories only).
fn copy_run(job: &str, root: &Path) -> PathBuf {
    let to = root.join(job);
    copy_tree(&testdata("runs").join(job), &to);
    to
}

#[test]
fn a_2x_run_is_loaded_with_all_its_workers_and_its_setup() {
    let run = load_one("6001");
    assert!(run.warnings.is_empty(), "{:#?}", run.warnings);
    assert_eq!(run.metadata.metadata_version.as_deref(), Some("2.0"));
    assert_eq!(run.profiler.points.len(), 2);
    assert!(run.is_complete && run.missing_workers.is_empty());
    // Workers from logs/workers/, in (node, role, id) order, each with its batches.
    let workers: Vec<(&str, WorkerType, &str, usize)> = run
        .nodes
        .iter()
        .map(|n| {
            let m = &n.metrics.metadata;
            (m.node_name.as_str(), m.worker_type, m.worker_id.as_str(), n.metrics.batches.len())
        })
        .collect();
    assert_eq!(
        workers,
        [
            ("gb-n01", WorkerType::Prefill, "w0", 4),
            ("gb-n02", WorkerType::Decode, "w0", 5),
            ("gb-n03", WorkerType::Decode, "w1", 5),
        ],
        "the frontend and nginx logs beside them are not workers"
    );
    // The config dump in logs/workers/.
    let prefill = &run.nodes[0].node_config;
    assert_eq!(prefill.gpu_info.as_ref().unwrap()["gpus"][0]["name"], "NVIDIA GB200");
    assert_eq!(prefill.server_args.as_ref().unwrap()["tp_size"], 4);

    let setup = run.setup.as_ref().unwrap();
    assert_eq!(setup.container_image.as_deref(), Some("lmsysorg/sglang:v0.5.9-cu130"));
    assert_eq!(setup.container_path.as_deref(), Some("/lustre/containers/sglang-v0.5.9-cu130.sqsh"));
    assert_eq!(setup.model_repo.as_deref(), Some("deepseek-ai/DeepSeek-R1"));
    assert_eq!(setup.model_revision.as_deref(), Some("56d4cbbb4d29f4355bab4b9a39ccb717a14ad5ad"));
    assert_eq!(setup.frameworks, map(&[("dynamo", "0.9.0"), ("sglang", "0.5.9")]));
    assert_eq!(setup.declared_frameworks, map(&[("dynamo", "0.9.0"), ("sglang", "v0.5.9-cu130")]));
    let gpu = setup.gpu.as_ref().unwrap();
    assert_eq!(
        (gpu.name.as_deref(), gpu.count, gpu.driver.as_deref(), gpu.memory.as_deref()),
        (Some("NVIDIA GB200"), Some(4), Some("580.82.07"), Some("189471 MiB"))
    );
    assert_eq!(
        (setup.cuda_version.as_deref(), setup.nccl_version.as_deref(), setup.python_version.as_deref()),
        (Some("13.0.88"), Some("2.28.9"), Some("3.12.3"))
    );
    assert_eq!((setup.os.as_deref(), setup.arch.as_deref()), (Some("Ubuntu 24.04.2 LTS"), Some("aarch64")));
    assert_eq!(setup.cpu_model.as_deref(), Some("Neoverse-V2"), "from resource_snapshot.json");
    assert_eq!(setup.cpu_check.as_deref(), Some("ok"));
    assert_eq!((setup.cluster.as_deref(), setup.partition.as_deref()), (Some("lyris"), Some("gb200")));
    assert_eq!(setup.srtctl_commit.as_deref(), Some("0123456789abcdef0123456789abcdef01234567"));
    assert_eq!(setup.verification.as_deref(), Some("1 verified, 1 declared"));
    assert_eq!(setup.settings["benchmark.concurrencies"], "8x16");
    assert_eq!(setup.settings["backend.sglang_config.decode.tensor-parallel-size"], "4");
    assert!(setup.config_hash.is_some());
    assert_eq!(setup.workers.keys().collect::<Vec<_>>(), ["decode_w0", "decode_w1", "prefill_w0"]);
    assert_eq!(setup.workers["decode_w1"].hostname.as_deref(), Some("gb-n03"));
    assert_eq!(setup.workers["decode_w1"].env["HF_TOKEN"], "***REDACTED***");
    assert_eq!(
        setup.sources,
        [
            "6001.json",
            "config.yaml",
            "logs/fingerprints/fingerprint_decode_w0.json",
            "logs/fingerprints/fingerprint_decode_w1.json",
            "logs/fingerprints/fingerprint_prefill_w0.json",
            "recipe.lock.yaml",
            "logs/resource_snapshot.json",
        ]
    );
    // The JSON carries the setup; a run without new fields has none of them.
    let json = serde_json::to_value(&run).unwrap();
    assert_eq!(json["setup"]["frameworks"]["sglang"], "0.5.9");
    assert!(json.get("warnings").is_none() && json.get("missing_workers").is_none());
}

#[test]
fn the_2x_worker_logs_are_the_cache_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_run("6001", root);
    let cold = load_with(root, CacheMode::InRunDir);
    assert_eq!((cold.cache.hits, cold.cache.writes), (0, 2), "results and workers");
    let warm = load_with(root, CacheMode::InRunDir);
    assert_eq!((warm.cache.hits, warm.cache.misses), (2, 0));
    assert_eq!(warm.runs, cold.runs, "a warm load gives the cold load's run, setup included");
    // Touching a worker log under logs/workers/ invalidates the worker part only.
    let log = root.join("6001/logs/workers/gb-n02_decode_w0.out");
    let file = fs::File::options().append(true).open(&log).unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(5)).unwrap();
    drop(file);
    let touched = load_with(root, CacheMode::InRunDir);
    assert_eq!((touched.cache.hits, touched.cache.misses, touched.cache.writes), (1, 1, 1));
    // The setup is configuration, read fresh: a changed fingerprint is seen on a warm load.
    let fp = root.join("6001/logs/fingerprints/fingerprint_decode_w1.json");
    fs::write(
        &fp,
        fs::read_to_string(&fp).unwrap().replace("\"sglang\": \"0.5.9\"", "\"sglang\": \"0.5.10\""),
    )
    .unwrap();
    let after = load_with(root, CacheMode::InRunDir);
    assert_eq!(after.cache.misses, 0);
    let run = &after.runs[0];
    assert_eq!(kinds(run), ["setup_mismatch"]);
    assert!(warning(run, "setup_mismatch")
        .message
        .contains("frameworks.sglang: 0.5.10 (decode_w1) vs 0.5.9 (decode_w0, prefill_w0)"));
    assert!(!run.setup.as_ref().unwrap().frameworks.contains_key("sglang"), "no agreed value");
    assert_ne!(run.setup.as_ref().unwrap().key(), cold.runs[0].setup.as_ref().unwrap().key());
}

#[test]
fn a_benchmark_type_without_a_parser_still_yields_its_workers() {
    let run = load_one("6002");
    assert_eq!(kinds(&run), ["unsupported_benchmark"]);
    let message = &run.warnings[0].message;
    assert!(message.contains("\"router\" has no parser"), "{message}");
    assert!(message.contains("6002/logs/benchmark.out"), "{message}");
    assert!(run.profiler.points.is_empty() && !run.is_complete);
    assert_eq!(run.profiler_metadata.profiler_type.as_deref(), Some("router"));
    assert_eq!(run.nodes.len(), 1);
    let batches = &run.nodes[0].metrics.batches;
    assert_eq!(batches.len(), 5, "two prefill and three decode batches");
    assert_eq!(run.derived.workers.len(), 1, "derived values are computed for the workers");
    assert!(run.missing_workers.is_empty());
}

#[test]
fn a_run_promising_three_workers_with_two_logs_says_which_is_missing() {
    let run = load_one("6003");
    assert_eq!(run.nodes.len(), 2);
    assert_eq!(run.missing_workers.len(), 1);
    let m = &run.missing_workers[0];
    assert_eq!(
        (m.worker_type, m.expected, m.found, m.absent_ids.as_slice()),
        (WorkerType::Decode, 2, 1, &["w1".to_owned()][..])
    );
    assert_eq!(kinds(&run), ["missing_workers", "setup_verification_failed"]);
    let message = &warning(&run, "missing_workers").message;
    assert!(
        message.contains("decode: 1 of 2 (w1 absent)") && message.contains("no log of theirs"),
        "{message}"
    );
    let json = serde_json::to_value(&run).unwrap();
    assert_eq!(
        json["missing_workers"],
        serde_json::json!([{"worker_type": "decode", "expected": 2, "found": 1, "absent_ids": ["w1"]}])
    );
    // --no-nodes reads no log, so it claims nothing is missing.
    let options = LoaderOptions { cache: CacheMode::Disabled, with_nodes: false, ..LoaderOptions::default() };
    let no_nodes = RunLoader::with_options(testdata("runs"), options).unwrap().load_single("6003").unwrap();
    assert!(no_nodes.missing_workers.is_empty() && !kinds(&no_nodes).contains(&"missing_workers"));
}

#[test]
fn a_dangling_worker_log_link_is_a_missing_worker_named_in_the_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let run_dir = copy_run("6003", tmp.path());
    std::os::unix::fs::symlink(tmp.path().join("gone.out"), run_dir.join("logs/h-n03_decode_w1.out"))
        .unwrap();
    let report = load_with(tmp.path(), CacheMode::Disabled);
    let run = &report.runs[0];
    assert_eq!(run.missing_workers[0].absent_ids, ["w1"]);
    let message = &warning(run, "missing_workers").message;
    assert!(message.contains("dangling link") && message.contains("logs/h-n03_decode_w1.out"), "{message}");
}

#[test]
fn lockfile_v1_and_a_1x_fingerprint_make_the_setup() {
    let run = load_one("6003");
    let setup = run.setup.as_ref().unwrap();
    assert_eq!((setup.cluster.as_deref(), setup.partition.as_deref()), (Some("eos"), Some("batch")));
    assert_eq!(setup.verification.as_deref(), Some("1 FAILED"));
    let failed = &warning(&run, "setup_verification_failed").message;
    assert!(
        failed.contains("recipe.lock.yaml")
            && failed.contains("frameworks.sglang")
            && failed.contains("got '0.5.7'"),
        "{failed}"
    );
    // The file in logs/ wins over the lockfile's copy; the lockfile gives the worker without one.
    assert_eq!(setup.workers["prefill_w0"].hostname.as_deref(), Some("h-n01"));
    assert_eq!(setup.workers["decode_w0"].hostname.as_deref(), Some("h-n02"));
    assert_eq!(setup.frameworks, map(&[("dynamo", "0.8.1"), ("sglang", "0.5.7")]));
    assert_eq!(setup.cuda_version.as_deref(), Some("12.8.93"));
    assert_eq!(setup.gpu.as_ref().unwrap().name.as_deref(), Some("NVIDIA H100 80GB HBM3"));
    // No config.yaml: the settings are the lockfile's `config`.
    assert_eq!(setup.settings["benchmark.concurrencies"], "[4]");
    assert_eq!(setup.settings["model.path"], "/models/dsr1");
    assert_eq!(setup.container_path.as_deref(), Some("/lustre/containers/sglang-0.5.7.sqsh"));
    assert_eq!(setup.sources, ["6003.json", "logs/fingerprint_prefill_w0.json", "recipe.lock.yaml"]);
}

#[test]
fn an_unreadable_provenance_file_is_a_warning_and_the_rest_still_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let run_dir = copy_run("6001", tmp.path());
    fs::write(run_dir.join("recipe.lock.yaml"), "lock: [unclosed\n").unwrap();
    fs::write(run_dir.join("logs/fingerprints/fingerprint_decode_w0.json"), "{\"frameworks\": ").unwrap();
    let report = load_with(tmp.path(), CacheMode::Disabled);
    let run = &report.runs[0];
    assert_eq!(kinds(run), ["invalid_setup", "invalid_setup"]);
    assert!(run.warnings[0].message.contains("fingerprint_decode_w0.json"), "{}", run.warnings[0].message);
    assert!(run.warnings[1].message.contains("recipe.lock.yaml"), "{}", run.warnings[1].message);
    let setup = run.setup.as_ref().unwrap();
    assert_eq!(setup.workers.len(), 2);
    assert_eq!(setup.cluster, None, "only the lockfile names the cluster");
    assert_eq!(setup.frameworks["sglang"], "0.5.9");
}

/// The real lockfiles of NVIDIA/srt-slurm's vLLM issue 41603 runs (all lockfile v2), each read
/// as the only provenance file of a run (linked, not copied). Values read off the files by hand.
#[test]
fn real_lockfiles_give_their_setups() {
    let real = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/real/files/nvidia-srt-slurm/issue-41603"
    ));
    assert!(real.is_dir(), "{} is missing: the real files must be there (see COMMON.md)", real.display());
    let nightly = "vllm/vllm-openai:nightly-a749a33d8d05acdd3ab346bd3f0c6b5c9c80474f";
    let nightly_path = "/mnt/lustre01/users-public/sa-shared/vllm_vllm-openai_nightly-a749a33d8d05acdd3ab346bd3f0c6b5c9c80474f.sqsh";
    // (directory, job, image, container path, installed vLLM, declared vLLM, decode_w0's host)
    let cases = [
        (
            "good-pr-container-15908",
            "15908",
            "nvcr.io/nvidian/dynamo-dev/vllm-openai:aflowers-pr41189-aarch64-61c3a50f43",
            "/mnt/lustre01/users/slurm-shared/aflowers/containers/vllm-openai-aflowers-pr41189-aarch64-61c3a50f43.sqsh",
            "0.20.1rc1.dev38+g61c3a50f4",
            "pr41189-aarch64-61c3a50f43",
            "watchtower-aqua-cn06",
        ),
        ("nightly-a749-15902", "15902", nightly, nightly_path, "0.20.1rc1.dev91+ga749a33d8", "nightly-a749a33d8d05acdd3ab346bd3f0c6b5c9c80474f", "watchtower-aqua-cn12"),
        (
            "nightly-a749-disable-flashinfer-sampler-15974",
            "15974",
            nightly,
            nightly_path,
            "0.20.1rc1.dev91+ga749a33d8",
            "nightly-a749a33d8d05acdd3ab346bd3f0c6b5c9c80474f+flashinfer-sampler0",
            "watchtower-aqua-cn07",
        ),
        (
            "nightly-a749-revert-pr41015-15975",
            "15975",
            nightly,
            nightly_path,
            "0.20.1rc1.dev91+ga749a33d8",
            "nightly-a749a33d8d05acdd3ab346bd3f0c6b5c9c80474f+revert-pr41015",
            "watchtower-aqua-cn14",
        ),
        (
            "nightly-a749-revert-pr41135-15984",
            "15984",
            nightly,
            nightly_path,
            "0.20.1rc1.dev91+ga749a33d8",
            "nightly-a749a33d8d05acdd3ab346bd3f0c6b5c9c80474f+revert-pr41135",
            "watchtower-aqua-cn14",
        ),
        (
            "official-v0201-15963",
            "15963",
            "vllm/vllm-openai:v0.20.1-ubuntu2404",
            "/mnt/lustre01/users/slurm-shared/aflowers/containers/vllm-openai-v0.20.1-ubuntu2404-arm64.sqsh",
            "0.20.1",
            "v0.20.1-ubuntu2404",
            "watchtower-aqua-cn07",
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut keys = Vec::new();
    for (dir, job, image, path, vllm, declared_vllm, decode_host) in cases {
        let run_dir = tmp.path().join(job);
        fs::create_dir_all(run_dir.join("logs")).unwrap();
        fs::write(run_dir.join(format!("{job}.json")), format!(r#"{{"version": "2.0", "job_id": "{job}"}}"#))
            .unwrap();
        std::os::unix::fs::symlink(real.join(dir).join("recipe.lock.yaml"), run_dir.join("recipe.lock.yaml"))
            .unwrap();
        let options =
            LoaderOptions { cache: CacheMode::Disabled, with_nodes: false, ..LoaderOptions::default() };
        let run = RunLoader::with_options(&run_dir, options)
            .unwrap()
            .load_single(run_dir.to_str().unwrap())
            .unwrap();
        let s = run.setup.as_ref().unwrap_or_else(|| panic!("{dir}: no setup"));
        assert_eq!(s.container_image.as_deref(), Some(image), "{dir}");
        assert_eq!(s.container_path.as_deref(), Some(path), "{dir}");
        assert_eq!(s.model_repo.as_deref(), Some("deepseek-ai/DeepSeek-V4-Pro"), "{dir}");
        assert_eq!(s.model_revision.as_deref(), Some("0366e4e064385807ea86b088a5c6c878ff23343b"), "{dir}");
        assert_eq!(s.frameworks, map(&[("dynamo", "1.2.0.dev20260426"), ("vllm", vllm)]), "{dir}");
        assert_eq!(
            s.declared_frameworks,
            map(&[("dynamo", "1.2.0.dev20260426"), ("vllm", declared_vllm)]),
            "{dir}"
        );
        let gpu = s.gpu.as_ref().unwrap();
        assert_eq!(
            (gpu.name.as_deref(), gpu.count, gpu.driver.as_deref(), gpu.memory.as_deref()),
            (Some("NVIDIA GB200"), Some(4), Some("580.82.07"), Some("189471 MiB")),
            "{dir}"
        );
        assert_eq!(
            (s.cuda_version.as_deref(), s.nccl_version.as_deref(), s.python_version.as_deref()),
            (Some("13.0.88"), Some("2.28.9"), Some("3.12.13")),
            "{dir}"
        );
        let os = if job == "15963" { "Ubuntu 24.04.3 LTS" } else { "Ubuntu 22.04.5 LTS" };
        assert_eq!((s.arch.as_deref(), s.os.as_deref()), (Some("aarch64"), Some(os)), "{dir}");
        assert_eq!(
            (s.cluster.as_deref(), s.partition.as_deref()),
            (Some("watchtower"), Some("batch-aqua")),
            "{dir}"
        );
        assert_eq!(s.srtctl_commit.as_deref(), Some("f2b5bc7afd7829604b2f6d3c7aada5b59c278c33"), "{dir}");
        assert_eq!(s.verification.as_deref(), Some("2 verified, 2 declared, 1 FAILED"), "{dir}");
        assert_eq!(s.workers.keys().collect::<Vec<_>>(), ["decode_w0", "prefill_w0", "prefill_w1"], "{dir}");
        assert_eq!(s.workers["decode_w0"].hostname.as_deref(), Some(decode_host), "{dir}");
        // The recipe part of the lockfile is the config (no config.yaml beside it).
        assert_eq!(s.settings["backend.type"], "vllm", "{dir}");
        assert_eq!(s.settings["benchmark.isl"], "8192", "{dir}");
        assert_eq!(s.settings["resources.gpus_per_prefill"], "8", "{dir}");
        assert!(!s.settings.keys().any(|k| k.starts_with("lock.")), "{dir}: the lock section is not config");
        // srtctl's own check failed on the vLLM version (declared tag vs installed version).
        let setup_kinds: Vec<&str> = kinds(&run).into_iter().filter(|k| k.starts_with("setup")).collect();
        assert_eq!(setup_kinds, ["setup_verification_failed"], "{dir}");
        let failed = &warning(&run, "setup_verification_failed").message;
        assert!(
            failed.contains("frameworks.vllm") && failed.contains(&format!("got '{vllm}'")),
            "{dir}: {failed}"
        );
        keys.push((dir, s.key(), s.config_hash.clone().unwrap()));
    }
    // The two reverts share their container and frameworks but not their recipe (setup script).
    assert_ne!(keys[3].1, keys[4].1);
    let distinct: std::collections::BTreeSet<_> = keys.iter().map(|(_, k, _)| k.clone()).collect();
    assert_eq!(distinct.len(), 6, "six different setups: {keys:?}");
}
