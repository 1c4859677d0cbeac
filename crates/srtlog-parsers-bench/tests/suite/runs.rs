//! The fixture runs of `testdata/runs/`, parsed through the registry as the loader does.

use std::path::PathBuf;

use srtlog_model::{
    get_benchmark_parser, list_benchmark_parsers, ArgValue, BenchmarkParser, ProfilerResults, ResultSource,
};

use crate::support::{self, parse_run, result_dir, source_files};

fn run_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/runs").join(name)
}

fn parser(name: &str) -> &'static dyn BenchmarkParser {
    // Naming the crate links its registrations into this test binary.
    use srtlog_parsers_bench as _;
    get_benchmark_parser(name).unwrap()
}

fn benchmark_out(run: &str) -> String {
    support::benchmark_out_text(&run_dir(run))
}

fn concurrencies(r: &ProfilerResults) -> Vec<Option<u32>> {
    r.points.iter().map(|p| p.concurrency).collect()
}

#[test]
fn both_parsers_are_registered() {
    use srtlog_parsers_bench as _;
    let names = list_benchmark_parsers().unwrap();
    assert!(names.contains(&"sa-bench"), "{names:?}");
    assert!(names.contains(&"mooncake-router"), "{names:?}");
    assert_eq!(parser("sa-bench").name(), "sa-bench");
    assert_eq!(parser("mooncake-router").name(), "mooncake-router");
}

#[test]
fn run_4401463_current_sa_bench_json() {
    let run = run_dir("4401463");
    let p = parser("sa-bench");
    assert_eq!(result_dir(p, &run), Some(run.join("logs/sa-bench_isl_8192_osl_1024")));
    let r = parse_run(p, &run).unwrap();
    assert_eq!(r.source, Some(ResultSource::Json));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(concurrencies(&r), vec![Some(4), Some(8), Some(16)]);

    let c4 = &r.points[0];
    assert_eq!(
        c4.source_file.as_deref(),
        Some("logs/sa-bench_isl_8192_osl_1024/results_concurrency_4_gpus_12_ctx_1_gen_2.json")
    );
    assert_eq!((c4.completed, c4.num_prompts), (Some(40), Some(40)));
    assert_eq!((c4.total_input_tokens, c4.total_output_tokens), (Some(291320), Some(36636)));
    assert_eq!(c4.duration, Some(181.5));
    assert_eq!(c4.request_rate, Some(f64::INFINITY));
    assert_eq!((c4.request_throughput, c4.request_goodput), (Some(0.2204), None));
    assert_eq!(
        (c4.output_tps, c4.total_tps, c4.peak_output_tps),
        (Some(201.8512), Some(1806.9201), Some(238.1845))
    );
    assert_eq!(
        (c4.mean_ttft_ms, c4.median_ttft_ms, c4.std_ttft_ms, c4.p99_ttft_ms),
        (Some(612.5), Some(588.0), Some(67.375), Some(839.125))
    );
    assert_eq!(
        (c4.mean_tpot_ms, c4.median_tpot_ms, c4.std_tpot_ms, c4.p99_tpot_ms),
        (Some(14.2), Some(13.632), Some(1.562), Some(19.454))
    );
    assert_eq!(
        (c4.mean_itl_ms, c4.median_itl_ms, c4.std_itl_ms, c4.p99_itl_ms),
        (Some(14.1), Some(13.536), Some(1.551), Some(19.317))
    );
    assert_eq!(
        (c4.mean_e2el_ms, c4.median_e2el_ms, c4.std_e2el_ms, c4.p99_e2el_ms),
        (Some(13699.22), Some(13562.2278), Some(684.961), Some(15343.1264))
    );
    assert!(c4.other_metrics.is_empty(), "{:?}", c4.other_metrics);

    let c8 = &r.points[1];
    assert_eq!(c8.std_tpot_ms, None, "NaN in the file is unknown");
    assert_eq!((c8.mean_tpot_ms, c8.output_tps, c8.completed), (Some(18.4), Some(359.4982), Some(80)));
    let c16 = &r.points[2];
    assert_eq!(
        (c16.completed, c16.output_tps, c16.p99_e2el_ms),
        (Some(160), Some(596.9352), Some(29205.2656))
    );

    // The JSON form: one column entry per concurrency, NaN as null.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["concurrency_values"], serde_json::json!([4, 8, 16]));
    assert_eq!(json["std_tpot_ms"], serde_json::json!([1.562, null, 2.948]));
    assert_eq!(json["source"], "json");

    let files = source_files(p, &run);
    let names: Vec<String> =
        files.iter().map(|f| f.strip_prefix(&run).unwrap().to_string_lossy().replace('\\', "/")).collect();
    assert_eq!(
        names,
        vec![
            "logs/sa-bench_isl_8192_osl_1024/results_concurrency_16_gpus_12_ctx_1_gen_2.json",
            "logs/sa-bench_isl_8192_osl_1024/results_concurrency_4_gpus_12_ctx_1_gen_2.json",
            "logs/sa-bench_isl_8192_osl_1024/results_concurrency_8_gpus_12_ctx_1_gen_2.json",
            "logs/sa-bench_isl_8192_osl_1024/results_concurrency_8_gpus_12_ctx_1_gen_2.pytorch.json",
            "logs/benchmark.out",
            "logs/benchmark-rollup.json",
        ]
    );
}

#[test]
fn run_4401463_benchmark_out_fallback_measured_blocks_win() {
    let p = parser("sa-bench");
    let text = benchmark_out("4401463");
    assert!(p.detect(&text));
    assert!(!parser("mooncake-router").detect(&text));
    let r = p.parse_benchmark_out(&text);
    assert_eq!(r.source, Some(ResultSource::BenchmarkOut));
    // 32 only has its warm-up block: the job died during the measured run.
    assert_eq!(concurrencies(&r), vec![Some(4), Some(8), Some(16)]);
    let got: Vec<_> = r
        .points
        .iter()
        .map(|x| (x.completed, x.num_prompts, x.output_tps, x.mean_ttft_ms, x.request_rate))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(40), Some(40), Some(201.85), Some(612.5), Some(f64::INFINITY)),
            (Some(80), Some(80), Some(359.5), Some(845.75), Some(f64::INFINITY)),
            (Some(160), Some(160), Some(596.94), Some(1377.25), Some(f64::INFINITY)),
        ]
    );
    let c4 = &r.points[0];
    assert_eq!(
        (c4.peak_output_tps, c4.total_tps, c4.p99_e2el_ms, c4.median_itl_ms),
        (Some(238.18), Some(1806.92), Some(15343.13), Some(13.54))
    );

    let cmd = p.parse_launch_command(&text).unwrap();
    assert_eq!(cmd.benchmark_type, "sa-bench");
    assert!(
        cmd.raw_command
            .starts_with("python3 -u /srtctl-benchmarks/sa-bench/benchmark_serving.py --model dsr1"),
        "{}",
        cmd.raw_command
    );
    assert!(cmd.raw_command.contains("--max-concurrency 4 "), "the first measured run: {}", cmd.raw_command);
    let a = &cmd.args;
    assert_eq!(a.get("base_url"), Some(&s("http://10.52.14.3:8000")));
    assert_eq!((a.get("random_input_len"), a.get("random_output_len")), (Some(&int(8192)), Some(&int(1024))));
    assert_eq!(a.get("max_concurrency"), Some(&ArgValue::List(vec![int(4), int(8), int(16), int(32)])));
    assert_eq!(
        (a.get("request_rate"), a.get("model"), a.get("dataset_name")),
        (Some(&s("inf")), Some(&s("dsr1")), Some(&s("random")))
    );
    assert_eq!(a.get("backend"), Some(&s("dynamo")));
    for gone in ["isl", "osl", "concurrencies", "req_rate", "dataset", "request-rate"] {
        assert!(!a.contains(gone), "{gone}: the header and the flags name a setting once");
    }
}

#[test]
fn run_3667_legacy_layout_and_keys() {
    let run = run_dir("3667_1P_1D_20251110_192145");
    let p = parser("sa-bench");
    assert_eq!(result_dir(p, &run), Some(run.join("sa-bench_isl_1024_osl_1024")));
    let r = parse_run(p, &run).unwrap();
    assert_eq!(r.source, Some(ResultSource::Json));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(concurrencies(&r), vec![Some(16), Some(64)]);
    let (c16, c64) = (&r.points[0], &r.points[1]);
    assert_eq!(
        c16.source_file.as_deref(),
        Some("sa-bench_isl_1024_osl_1024/isl_1024_osl_1024_concurrency_16_req_rate_inf.json")
    );
    // total_input / total_output and percentiles_*_ms lists
    assert_eq!((c16.total_input_tokens, c16.total_output_tokens), (Some(73813), Some(72861)));
    assert_eq!(
        (c16.p99_ttft_ms, c16.p99_tpot_ms, c16.p99_itl_ms, c16.p99_e2el_ms),
        (Some(250.025), Some(15.4125), Some(15.2413), Some(11816.56))
    );
    assert_eq!(
        (c16.mean_ttft_ms, c16.std_e2el_ms, c16.output_tps),
        (Some(182.5), Some(527.525), Some(1240.1872))
    );
    assert_eq!((c16.peak_output_tps, c16.request_goodput), (None, None));
    assert_eq!(c16.request_rate, Some(f64::INFINITY), "\"inf\" string");
    assert_eq!(c64.request_rate, None, "bare Infinity literal is sanitized to unknown");
    assert_eq!(
        (c64.completed, c64.num_prompts, c64.total_input_tokens),
        (Some(319), Some(320), Some(296564))
    );
    assert_eq!((c64.p99_ttft_ms, c64.mean_tpot_ms), (Some(562.0425), Some(19.5)));

    // The root-level benchmark.out (older bench.sh: all warm-ups first, no xtrace).
    let text = benchmark_out("3667_1P_1D_20251110_192145");
    let out = p.parse_benchmark_out(&text);
    let got: Vec<_> = out
        .points
        .iter()
        .map(|x| (x.concurrency, x.completed, x.num_prompts, x.output_tps, x.p99_ttft_ms))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(16), Some(80), Some(80), Some(1240.19), Some(250.03)),
            (Some(64), Some(319), Some(320), Some(3053.7), Some(562.04))
        ]
    );
    let cmd = p.parse_launch_command(&text).unwrap();
    assert_eq!(cmd.raw_command, "Config 1024; 1024; 16 64; inf; sglang_router=false");
    assert_eq!(cmd.args.get("max_concurrency"), Some(&ArgValue::List(vec![int(16), int(64)])));
    assert_eq!(cmd.args.get("sglang_router"), Some(&ArgValue::Bool(false)));
    assert_eq!(source_files(p, &run).last(), Some(&run.join("benchmark.out")));
}

#[test]
fn run_4999_benchmark_out_only() {
    let run = run_dir("4999");
    let p = parser("sa-bench");
    assert_eq!(result_dir(p, &run), None);
    let r = parse_run(p, &run).unwrap();
    assert_eq!(r.source, Some(ResultSource::BenchmarkOut));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(concurrencies(&r), vec![Some(1), Some(2)]);
    let (c1, c2) = (&r.points[0], &r.points[1]);
    assert_eq!(c1.source_file.as_deref(), Some("logs/benchmark.out"));
    assert_eq!(
        (c1.completed, c1.num_prompts, c1.duration, c1.request_rate),
        (Some(5), Some(5), Some(10.25), Some(f64::INFINITY))
    );
    assert_eq!((c1.total_input_tokens, c1.total_output_tokens), (Some(4658), Some(1134)));
    assert_eq!(
        (c1.output_tps, c1.mean_ttft_ms, c1.median_tpot_ms, c1.p99_e2el_ms),
        (Some(110.63), Some(41.5), Some(6.0), Some(1659.28))
    );
    assert_eq!((c1.std_ttft_ms, c1.peak_output_tps), (None, None), "not printed by the client");
    assert_eq!(
        (c2.completed, c2.output_tps, c2.total_tps, c2.mean_itl_ms),
        (Some(10), Some(184.94), Some(936.0), Some(6.62))
    );
    // No result directory: the loose JSON files are read to look for results (`4999.json` is
    // the metadata, not one), so they are sources of the results too.
    assert_eq!(source_files(p, &run), vec![run.join("4999.json"), run.join("logs/benchmark.out")]);

    let cmd = p.parse_launch_command(&benchmark_out("4999")).unwrap();
    assert!(
        cmd.raw_command
            .starts_with("python3 -u benchmark_serving.py --model meta-llama/Llama-3.1-8B-Instruct"),
        "{}",
        cmd.raw_command
    );
    assert!(cmd.raw_command.contains("--save-result"));
    assert_eq!(
        (cmd.args.get("random_input_len"), cmd.args.get("random_output_len")),
        (Some(&int(1024)), Some(&int(256)))
    );
    assert_eq!(cmd.args.get("max_concurrency"), Some(&ArgValue::List(vec![int(1), int(2)])));
}

#[test]
fn run_5120_aiperf_flat_fixed_schedule() {
    let run = run_dir("5120");
    let p = parser("mooncake-router");
    let dir = run.join("logs/artifacts/DeepSeek-R1_conversation_20260116_062017");
    assert_eq!(result_dir(p, &run), Some(dir.clone()));
    let r = parse_run(p, &run).unwrap();
    assert_eq!(r.source, Some(ResultSource::Json));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.points.len(), 1);
    let x = &r.points[0];
    assert_eq!(
        x.source_file.as_deref(),
        Some("logs/artifacts/DeepSeek-R1_conversation_20260116_062017/profile_export_aiperf.json")
    );
    assert_eq!(x.concurrency, None, "fixed-schedule replay is open-loop");
    assert_eq!(
        (x.mean_ttft_ms, x.median_ttft_ms, x.p99_ttft_ms, x.std_ttft_ms),
        (Some(812.4), Some(731.16), Some(2112.24), Some(454.944))
    );
    assert_eq!(
        (x.mean_tpot_ms, x.median_tpot_ms, x.p99_tpot_ms, x.std_tpot_ms),
        (Some(18.6), Some(16.74), Some(48.36), Some(3.162))
    );
    assert_eq!(
        (x.mean_itl_ms, x.median_itl_ms, x.p99_itl_ms, x.std_itl_ms),
        (Some(18.1), Some(16.29), Some(47.06), Some(4.887))
    );
    assert_eq!(
        (x.mean_e2el_ms, x.median_e2el_ms, x.p99_e2el_ms, x.std_e2el_ms),
        (Some(9875.3), Some(8887.77), Some(25675.78), Some(6122.686))
    );
    assert_eq!(
        (x.output_tps, x.request_throughput, x.request_goodput),
        (Some(1338.6813), Some(3.9086), Some(3.5907))
    );
    assert_eq!((x.completed, x.num_prompts, x.duration), (Some(1402), Some(1402), Some(358.7)));
    assert_eq!((x.total_input_tokens, x.total_output_tokens), (Some(17_203_241), Some(480_185)));
    assert_eq!(x.total_tps, Some((17_203_241.0 + 480_185.0) / 358.7));
    assert_eq!((x.request_rate, x.peak_output_tps), (None, None));
    assert_eq!(x.other_metrics.get("p90_ttft_ms"), Some(&1299.84));
    assert_eq!(x.other_metrics.get("min_e2el_ms"), Some(&1975.06));
    assert_eq!(x.other_metrics.get("time_to_second_token_avg_ms"), Some(&35.2));
    assert_eq!(x.other_metrics.get("output_token_throughput_per_user_avg"), Some(&55.9));
    assert_eq!(x.good_completed, Some(1288), "good_request_count has its own column");
    assert!(!x.other_metrics.contains_key("good_request_count_avg"));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["concurrency_values"], serde_json::json!([null]));
    assert_eq!(
        source_files(p, &run),
        vec![dir.join("profile_export_aiperf.json"), run.join("logs/benchmark.out")]
    );
}

#[test]
fn run_5120_console_fallback_and_launch() {
    let p = parser("mooncake-router");
    let text = benchmark_out("5120");
    assert!(p.detect(&text));
    assert!(!parser("sa-bench").detect(&text));
    let r = p.parse_benchmark_out(&text);
    assert_eq!(r.source, Some(ResultSource::BenchmarkOut));
    assert_eq!(r.points.len(), 1, "the warm-up table does not make a point");
    let x = &r.points[0];
    assert_eq!(x.concurrency, None);
    assert_eq!(
        (x.mean_ttft_ms, x.median_ttft_ms, x.p99_ttft_ms, x.std_ttft_ms),
        (Some(812.4), Some(731.16), Some(2112.24), Some(454.94))
    );
    assert_eq!((x.mean_tpot_ms, x.mean_e2el_ms), (Some(18.6), Some(9875.3)));
    assert_eq!((x.output_tps, x.request_throughput, x.completed), (Some(1338.68), Some(3.91), Some(1402)));
    assert_eq!(x.mean_itl_ms, None, "the console table has no inter-chunk latency");

    let cmd = p.parse_launch_command(&text).unwrap();
    assert_eq!(cmd.benchmark_type, "mooncake-router");
    assert!(
        cmd.raw_command
            .starts_with("aiperf profile -m deepseek-ai/DeepSeek-R1 --tokenizer /model --input-file"),
        "{}",
        cmd.raw_command
    );
    let a = &cmd.args;
    assert_eq!(a.get("url"), Some(&s("http://10.52.9.21:8000")));
    assert_eq!(a.get("model_names"), Some(&s("deepseek-ai/DeepSeek-R1")));
    assert_eq!(a.get("workload"), Some(&s("conversation")));
    assert_eq!((a.get("ttft_threshold_ms"), a.get("itl_threshold_ms")), (Some(&int(2000)), Some(&int(25))));
    assert_eq!(a.get("tokenizer"), Some(&s("/model")));
    assert_eq!(a.get("input_file"), Some(&s("/logs/traces/conversation_trace.jsonl")));
    assert_eq!(a.get("fixed_schedule"), Some(&ArgValue::Bool(true)));
    assert_eq!(a.get("custom_dataset_type"), Some(&s("mooncake_trace")));
    assert_eq!(a.get("artifact_dir"), Some(&s("/logs/artifacts/DeepSeek-R1_conversation_20260116_062017")));
    assert_eq!(a.get("goodput"), Some(&s("time_to_first_token:2000 inter_token_latency:25")));
    assert!(!a.contains("concurrency"), "the warm-up's --concurrency 10 is not a setting of the run");
}

#[test]
fn run_5121_aiperf_records_one_point_per_concurrency() {
    let run = run_dir("5121");
    let p = parser("mooncake-router");
    // Two measured directories (c16 and c32): both are read; the warm-up's default directory
    // (`...-concurrency10`, no timestamp) is not.
    assert_eq!(result_dir(p, &run), Some(run.join("logs/artifacts")));
    let r = parse_run(p, &run).unwrap();
    assert_eq!(r.source, Some(ResultSource::Json));
    assert_eq!(r.concurrencies(), vec![16, 32]);
    assert_eq!(r.points.len(), 2);
    assert_eq!(
        r.points[0].source_file.as_deref(),
        Some("logs/artifacts/Qwen3-32B_synthetic_20251001_093012/profile_export_aiperf.json")
    );
    let x = &r.points[1];
    assert_eq!(
        x.source_file.as_deref(),
        Some("logs/artifacts/Qwen3-32B_synthetic_20251001_101500/profile_export_aiperf.json")
    );
    assert_eq!(x.concurrency, Some(32));
    assert_eq!(
        (x.mean_ttft_ms, x.median_ttft_ms, x.p99_ttft_ms, x.std_ttft_ms),
        (Some(310.75), Some(279.675), Some(807.95), Some(124.3))
    );
    assert_eq!((x.mean_tpot_ms, x.p99_tpot_ms), (Some(22.25), Some(57.85)));
    assert_eq!((x.mean_itl_ms, x.p99_itl_ms), (None, None), "no inter_chunk_latency in this export");
    assert_eq!((x.mean_e2el_ms, x.p99_e2el_ms), (Some(7650.5), Some(19891.3)));
    assert_eq!((x.completed, x.num_prompts, x.duration), (Some(640), Some(643), Some(251.5)));
    assert_eq!((x.output_tps, x.request_throughput), (Some(955.5348), Some(2.5447)));
    assert_eq!((x.total_input_tokens, x.total_output_tokens), (Some(5_246_720), Some(240_317)));
    assert_eq!(x.total_tps, Some((5_246_720.0 + 240_317.0) / 251.5));
    assert_eq!(x.other_metrics.get("p5_ttft_ms"), Some(&130.515));
    assert!(!x.other_metrics.contains_key("p10_ttft_ms"), "the records layout has no p10");
    assert!(r.warnings.iter().all(|w| !w.contains("concurrency10")), "{:?}", r.warnings);
    assert_eq!(source_files(p, &run).len(), 4);

    let cmd = p.parse_launch_command(&benchmark_out("5121")).unwrap();
    assert!(
        cmd.raw_command.starts_with("aiperf profile -m \"Qwen/Qwen3-32B\" --tokenizer \"/model\""),
        "{}",
        cmd.raw_command
    );
    assert_eq!(cmd.args.get("concurrency"), Some(&int(32)));
    assert_eq!(cmd.args.get("workload"), Some(&s("synthetic")));
    assert_eq!(cmd.args.get("artifact_dir"), Some(&s("/logs/artifacts/Qwen3-32B_synthetic_20251001_101500")));
    // No console table in this benchmark.out: the fallback finds nothing, without error.
    assert!(p.parse_benchmark_out(&benchmark_out("5121")).points.is_empty());
}

#[test]
fn sa_bench_parser_on_a_mooncake_run_finds_nothing() {
    let err = parse_run(parser("sa-bench"), &run_dir("5121")).unwrap_err();
    assert!(err.to_string().contains("5121"), "{err}");
    assert_eq!(err.skip_kind_for_results(), srtlog_model::SkipKind::NoResults);
}

fn s(v: &str) -> ArgValue {
    ArgValue::Str(v.to_owned())
}

fn int(n: i64) -> ArgValue {
    ArgValue::Int(n)
}
