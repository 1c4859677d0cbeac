//! A worker log whose lines print a time and no date (SGLang 2024, `[04:40:55 TP0]`): the
//! loader hands the parser the run's date (`generated_at`), so the batches are dated, and the
//! worker's diagnostics say where the date came from — on a cold and on a warm load alike.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::fs;

use srtlog_loader::{CacheMode, LoaderOptions, RunLoader};

const METADATA: &str = r#"{"version": "2.0", "job_id": "4100", "job_name": "undated",
 "generated_at": "2024-08-31 23:59:00", "model": {"path": "/model", "container": "sglang"},
 "resources": {"gpu_type": "h100", "gpus_per_node": 8, "prefill_nodes": 0, "decode_nodes": 0,
               "agg_nodes": 1, "agg_workers": 1},
 "backend_type": "sglang", "benchmark": {"type": "sa-bench", "isl": 1024, "osl": 1024}}"#;

const RESULT: &str = r#"{"date": "20240831-235900", "backend": "sglang", "max_concurrency": 4, "duration": 10.0, "completed": 4, "total_input_tokens": 4096, "total_output_tokens": 4096, "request_throughput": 0.4, "output_throughput": 409.6, "total_token_throughput": 819.2, "mean_ttft_ms": 150.0}"#;

// sglang-issue-1270's lines, moved to straddle midnight.
const LOG: &str = "\
[23:59:59 TP0] Decode batch. #running-req: 2, #token: 4078, token usage: 0.00, gen throughput (token/s): 447.31, #queue-req: 0
[00:00:01 TP0] Decode batch. #running-req: 1, #token: 3902, token usage: 0.00, gen throughput (token/s): 333.97, #queue-req: 0
";

#[test]
fn time_only_lines_take_the_run_date_cold_and_warm() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("4100");
    fs::create_dir_all(run.join("logs/sa-bench_isl_1024_osl_1024")).unwrap();
    fs::write(run.join("4100.json"), METADATA).unwrap();
    fs::write(run.join("logs/sa-bench_isl_1024_osl_1024/results_concurrency_4_gpus_8.json"), RESULT).unwrap();
    fs::write(run.join("logs/node-1_agg_w0.out"), LOG).unwrap();
    let load = || {
        let options = LoaderOptions { cache: CacheMode::InRunDir, ..LoaderOptions::default() };
        let report = RunLoader::with_options(tmp.path(), options).unwrap().load_all();
        assert_eq!(report.runs.len(), 1, "skipped: {:?}", report.skipped);
        report.runs[0].nodes[0].metrics.clone()
    };
    for metrics in [load(), load()] {
        let stamps: Vec<String> = metrics.batches.iter().map(|b| b.timestamp.unwrap().to_string()).collect();
        assert_eq!(stamps, ["2024-08-31T23:59:59", "2024-09-01T00:00:01"]);
        assert_eq!(
            metrics.stats.diagnostics,
            ["node-1_agg_w0.out: 2 lines print a time without a date (first: line 1): date 2024-08-31 taken from run metadata"]
        );
    }
}
