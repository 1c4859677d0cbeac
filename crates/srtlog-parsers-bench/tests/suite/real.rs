//! Every benchmark-result file in `../shared/real/` (public files no one here wrote; their
//! sources are in its `MANIFEST.md`), read as a user's run would hold it, with values read off
//! the files by hand. The files are placed into an in-memory run listing at the path their
//! benchmark type writes them to, and read from where they are: nothing is copied. The
//! directory must exist (CI has it): a missing file fails the test.

// Expected values are written as the files print them (Python's shortest repr), digit for digit.
#![allow(clippy::excessive_precision)]

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use srtlog_model::{
    get_benchmark_parser, parent_of, parse_run_results, BenchmarkPoint, FileEntry, ProfilerResults,
    ResultSource, RunFiles,
};

/// `../shared/real/files/<rel>` from the repository root.
fn real(rel: &str) -> PathBuf {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/real/files")).join(rel);
    assert!(path.is_file(), "real file missing: {} (../shared/real is required)", path.display());
    path
}

/// A run whose listing holds each real file at a path inside the run (`(path in run, real file)`),
/// read by the parser registered as `benchmark_type`.
fn run(benchmark_type: &str, files: &[(&str, &str)]) -> ProfilerResults {
    let mut entries: BTreeMap<String, FileEntry> = BTreeMap::new();
    let mut sources: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (i, (at, from)) in files.iter().enumerate() {
        let path = real(from);
        let len = fs::metadata(&path).unwrap().len();
        // Later files are newer, as a sweep writes them.
        entries.insert((*at).to_owned(), FileEntry::file(*at, len, i as i128));
        let mut dir = parent_of(at);
        while !dir.is_empty() {
            entries.insert(dir.to_owned(), FileEntry::dir(dir, 0));
            dir = parent_of(dir);
        }
        sources.insert((*at).to_owned(), path);
    }
    let listing = RunFiles::new("/runs/real", entries.into_values().collect());
    let parser = get_benchmark_parser(benchmark_type).unwrap();
    let selected = parser.select(&listing);
    parse_run_results(parser, &selected, &mut |p| fs::read(&sources[p])).unwrap()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0))
}

macro_rules! assert_close {
    ($actual:expr, $expected:expr) => {
        assert!(close($actual, $expected), "{} = {:?}, expected {}", stringify!($actual), $actual, $expected)
    };
}

fn point(r: &ProfilerResults, concurrency: u32) -> &BenchmarkPoint {
    r.points.iter().find(|p| p.concurrency == Some(concurrency)).unwrap()
}

/// InferenceX's `benchmark_serving` (Apr 2026): `*_ms` keys, `p90`/`p99.9` percentiles, the
/// key `"request_goodput:"` with a trailing colon (null), `"request_rate": "inf"`.
#[test]
fn inferencex_multi_node_results_every_file() {
    // (model, concurrency, completed, output_throughput, p99.9_ttft_ms, median_tpot_ms)
    let table: [(&str, u32, u64, f64, f64, f64); 16] = [
        ("gpt-oss-120b", 4, 40, 459.21607175182197, 1082.7990462793985, 8.389879373914562),
        ("gpt-oss-120b", 8, 80, 928.9837604849168, 314.68144817650324, 8.484079436520124),
        ("gpt-oss-120b", 16, 160, 1725.5812148243967, 698.2081180762034, 9.03941193840877),
        ("gpt-oss-120b", 32, 320, 2985.561049824788, 1554.0890494412743, 10.37312014370279),
        ("gpt-oss-120b", 64, 640, 5002.605334620647, 715.0928137269802, 12.51935791408594),
        ("gpt-oss-120b", 128, 1280, 8368.280252140186, 1516.856569517171, 14.892716348905914),
        ("gpt-oss-120b", 256, 2560, 13975.943487151262, 1665.9692472564057, 17.7608991554098),
        ("gpt-oss-120b", 512, 5120, 22534.153728724606, 2325.581170682097, 22.107187851891105),
        ("minimax-m2.5", 4, 40, 258.769951490635, 192.60747395735254, 15.343764986895673),
        ("minimax-m2.5", 8, 80, 483.6319187782521, 278.64237096509896, 16.387911661726513),
        ("minimax-m2.5", 16, 160, 900.8921273943398, 437.451443815371, 17.56061658305084),
        ("minimax-m2.5", 32, 320, 1656.9949430011638, 763.005586763844, 19.09136980360525),
        ("minimax-m2.5", 64, 640, 2984.698417741928, 1425.9020658000386, 21.12906251010737),
        ("minimax-m2.5", 128, 1280, 5368.18028961296, 2782.5139312951364, 23.378271256657253),
        ("minimax-m2.5", 256, 2560, 8934.47381455358, 5474.548177599907, 27.98402836757511),
        ("minimax-m2.5", 512, 5120, 12787.631138149543, 10696.999395577937, 39.040027885107854),
    ];
    for model in ["gpt-oss-120b", "minimax-m2.5"] {
        let names: Vec<(String, String)> = table
            .iter()
            .filter(|t| t.0 == model)
            .map(|t| {
                let name = format!("concurrency_{}_req_rate_inf_gpus_16_ctx_8_gen_8.json", t.1);
                (
                    format!("logs/sa-bench_isl_1024_osl_1024/{name}"),
                    format!("inferencex/multi_node_results/{model}/{name}"),
                )
            })
            .collect();
        let files: Vec<(&str, &str)> = names.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = run("sa-bench", &files);
        assert_eq!(r.source, Some(ResultSource::Json));
        assert!(r.warnings.is_empty(), "{model}: {:?}", r.warnings);
        assert_eq!(r.concurrencies(), vec![4, 8, 16, 32, 64, 128, 256, 512]);
        for (_, c, completed, otps, p999_ttft, median_tpot) in table.iter().filter(|t| t.0 == model) {
            let p = point(&r, *c);
            assert_eq!((p.completed, p.num_prompts), (Some(*completed), Some(*completed)), "{model} c{c}");
            assert_close!(p.output_tps, *otps);
            assert_close!(p.other_metrics.get("p99.9_ttft_ms").copied(), *p999_ttft);
            assert_close!(p.median_tpot_ms, *median_tpot);
            assert_eq!(p.request_rate, Some(f64::INFINITY), "\"inf\" as a string");
            assert_eq!(p.request_goodput, None, "`request_goodput:` is null");
            assert!(p.other_metrics.contains_key("p90_itl_ms"));
        }
    }
    // One file in full: gpt-oss-120b at concurrency 128.
    let r = run(
        "sa-bench",
        &[(
            "logs/sa-bench_isl_1024_osl_1024/c128.json",
            "inferencex/multi_node_results/gpt-oss-120b/concurrency_128_req_rate_inf_gpus_16_ctx_8_gen_8.json",
        )],
    );
    let p = &r.points[0];
    assert_close!(p.duration, 156.629553565057);
    assert_eq!((p.total_input_tokens, p.total_output_tokens), (Some(1_310_720), Some(1_310_720)));
    assert_close!(p.request_throughput, 8.17214868373065);
    assert_close!(p.total_tps, 16736.560504280373);
    assert_close!(p.mean_ttft_ms, 322.05012791437184);
    assert_close!(p.p99_ttft_ms, 1515.174685146194);
    assert_close!(p.std_itl_ms, 1.126674865744914);
    assert_close!(p.p99_e2el_ms, 16675.76581487432);
    assert_close!(p.other_metrics.get("p99.9_e2el_ms").copied(), 16677.12394464435);
    assert_eq!(p.peak_output_tps, None, "this vintage has no peak throughput");
}

/// InferenceX's token-position decode SLO results (Feb 2026): the latency keys have **no**
/// `_ms` suffix and are in seconds (`median_ttft`, `p99_tpot`); `good_completed` is null.
#[test]
fn inferencex_token_position_seconds_without_ms_suffix() {
    let r = run(
        "sa-bench",
        &[(
            "logs/sa-bench_isl_1024_osl_128/a.json",
            "inferencex/token_position_decode_slo/glm5_fp8_vllm_tp8_isl1024_osl128_conc16.json",
        )],
    );
    let p = point(&r, 16);
    assert_close!(p.median_ttft_ms, 291.39942955225706);
    assert_close!(p.p99_ttft_ms, 2077.586937993753);
    assert_close!(p.median_e2el_ms, 4573.2344426214695);
    assert_close!(p.p99_e2el_ms, 9590.554047282783);
    assert_close!(p.median_tpot_ms, 33.614915054966145);
    assert_close!(p.p99_tpot_ms, 71.7096967959967);
    assert_eq!((p.mean_ttft_ms, p.mean_itl_ms), (None, None), "this vintage has no means");
    assert_eq!((p.completed, p.num_prompts, p.good_completed), (Some(160), Some(160), None));
    assert_close!(p.output_tps, 403.5809313421254);
    assert_close!(p.other_metrics.get("input_throughput").copied(), 3228.647450737003);
    assert_close!(p.duration, 50.745707761496305);

    let r = run(
        "sa-bench",
        &[(
            "logs/sa-bench_isl_10240_osl_128/a.json",
            "inferencex/token_position_decode_slo/glm5_fp8_vllm_tp8_isl10240_osl128_conc32.json",
        )],
    );
    let p = point(&r, 32);
    assert_close!(p.median_ttft_ms, 15231.834566220641);
    assert_close!(p.median_tpot_ms, 204.2087661102414);
    assert_close!(p.p99_e2el_ms, 62530.38918480277);
    assert_eq!((p.total_input_tokens, p.total_output_tokens), (Some(3_276_800), Some(40_960)));
}

/// SGLang `bench_serving` JSON lines (`--output-file`, one appended line per run): open-loop
/// (`max_concurrency: null`) at a request rate each, SGLang's own key names
/// (`mean_e2e_latency_ms`), a bare `Infinity` rate in the offline runs. One point per request
/// rate; of two lines with one rate (another dataset), the later is kept with a warning naming
/// both lines.
#[test]
fn datacrunch_sglang_bench_serving_lines() {
    let at = "logs/sa-bench_isl_1024_osl_1024/out.jsonl";
    let r = run("sa-bench", &[(at, "datacrunch-h200/sglang-outputs/llama_405b_online_output.jsonl")]);
    assert_eq!(r.source, Some(ResultSource::Json));
    let rates: Vec<Option<f64>> = r.points.iter().map(|p| p.request_rate).collect();
    assert_eq!(rates, [Some(1.0), Some(2.0), Some(4.0), Some(8.0)]);
    assert!(r.points.iter().all(|p| p.concurrency.is_none()));
    let p = &r.points[0];
    assert_eq!(
        (p.completed, p.total_input_tokens, p.total_output_tokens),
        (Some(300), Some(152_612), Some(160_347))
    );
    assert_close!(p.mean_e2el_ms, 24370.785914754182);
    assert_close!(p.median_e2el_ms, 24871.693555032834);
    assert_close!(p.median_ttft_ms, 218.80842198152095);
    assert_close!(p.median_itl_ms, 38.78233698196709);
    assert_close!(p.output_tps, 504.95546378579655);
    assert_close!(p.duration, 317.54681650106795);
    assert_close!(p.other_metrics.get("total_output_tokens_retokenized").copied(), 158_699.0);
    // Rate 4 and 8 were run twice (random, then sharegpt): lines 5 and 6 are kept.
    assert_eq!(r.points[2].completed, Some(1200));
    assert_close!(r.points[2].mean_e2el_ms, 11741.376012132);
    assert_close!(r.points[3].output_tps, 1224.3946098961699);
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("request rate 4") && r.warnings[0].contains(&format!("kept {at} line 5")));
    assert!(r.warnings[0].contains(&format!("ignored {at} line 3")), "{}", r.warnings[0]);

    let r = run("sa-bench", &[(at, "datacrunch-h200/sglang-outputs/deepseek_dp_mla_output.jsonl")]);
    assert_eq!(r.points.len(), 1);
    let p = &r.points[0];
    assert_eq!(
        (p.concurrency, p.request_rate, p.completed),
        (None, None, Some(10_000)),
        "Infinity is unknown"
    );
    assert_close!(p.median_ttft_ms, 10014.104524045251);
    assert_close!(p.mean_e2el_ms, 381236.82297268615);
    assert_close!(p.output_tps, 12412.394674113431);

    // Seven offline runs, all at an infinite rate: one point (the last line), six named as ignored.
    let r = run("sa-bench", &[(at, "datacrunch-h200/sglang-outputs/llama_3_3_70b_offline_output.jsonl")]);
    assert_eq!(r.points.len(), 1);
    assert_eq!(r.points[0].completed, Some(2000));
    assert_close!(r.points[0].median_itl_ms, 85.59322194196284);
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].matches(" line ").count(), 7, "{}", r.warnings[0]);

    let r = run("sa-bench", &[(at, "datacrunch-h200/sglang-outputs/llama_3_3_70b_online_output.jsonl")]);
    let rates: Vec<Option<f64>> = r.points.iter().map(|p| p.request_rate).collect();
    assert_eq!(rates, [Some(1.0), Some(2.0), Some(4.0), Some(8.0), Some(16.0)]);
    assert_eq!(r.points[4].completed, Some(3200));
    assert_close!(r.points[4].mean_e2el_ms, 149037.25147111146);
    assert_close!(r.points[2].output_tps, 746.0750970739618);
}

/// vLLM `benchmark_serving` JSON lines (May 2025) with extra labels, `"request_goodput:"`,
/// `max_concurrency: null` and rates `10.0`, `30.0`, `"inf"`; three deployments each swept the
/// three rates, so of each rate the newest line (by `date`) is kept, with a warning.
#[test]
fn nerdalert_vllm_results_lines() {
    let r =
        run("sa-bench", &[("logs/sa-bench_custom_vllm/results.jsonl", "nerdalert-vllm-bench/results.jsonl")]);
    let rates: Vec<Option<f64>> = r.points.iter().map(|p| p.request_rate).collect();
    assert_eq!(rates, [Some(10.0), Some(30.0), Some(f64::INFINITY)]);
    let p = &r.points[0];
    assert_eq!((p.concurrency, p.completed, p.num_prompts), (None, Some(300), Some(300)));
    assert_close!(p.mean_ttft_ms, 53.96254838997568);
    assert_close!(p.median_itl_ms, 12.901992000479368);
    assert_close!(p.p99_itl_ms, 34.20889711982454);
    assert_close!(p.output_tps, 2262.189289277328);
    assert_eq!(p.request_goodput, None);
    assert_close!(r.points[1].mean_ttft_ms, 72.16499725443909);
    assert_close!(r.points[2].mean_ttft_ms, 884.9588357166714);
    assert_close!(r.points[2].output_tps, 11011.349280220396);
    assert_eq!(r.warnings.len(), 3, "{:?}", r.warnings);
    for (w, (kept, dropped)) in
        r.warnings.iter().zip([("7", ["1", "4"]), ("8", ["2", "5"]), ("9", ["3", "6"])])
    {
        assert!(
            w.contains(&format!(
                "kept logs/sa-bench_custom_vllm/results.jsonl line {kept} (date 20250530-201"
            )),
            "{w}"
        );
        for d in dropped {
            assert!(w.contains(&format!("results.jsonl line {d}")), "{w}");
        }
    }
}

/// aiperf's example artifact (Oct 2025): the old `records` layout with the short tags `ttft` and
/// `ttst`, 11 cancelled requests in `error_summary`, reasoning tokens, timestamps in ns.
#[test]
fn aiperf_examples_records_layout() {
    let r = run(
        "aiperf",
        &[(
            "logs/artifacts/conc_100/profile_export_aiperf.json",
            "aiperf-examples-run1/profile_export_aiperf.json",
        )],
    );
    assert_eq!(r.source, Some(ResultSource::Json));
    let p = point(&r, 100);
    assert_close!(p.mean_ttft_ms, 2343.219436988764);
    assert_close!(p.median_ttft_ms, 2369.317693);
    assert_close!(p.p99_ttft_ms, 3833.3894000399996);
    assert_close!(p.other_metrics.get("time_to_second_token_avg_ms").copied(), 120.16625153932584);
    assert_close!(p.mean_tpot_ms, 27.763065454471807);
    assert_close!(p.mean_itl_ms, 27.755153106189347);
    assert_close!(p.mean_e2el_ms, 9059.654633033708);
    assert_eq!((p.completed, p.error_count, p.num_prompts), (Some(89), Some(11), Some(100)));
    assert_eq!(
        (p.total_input_tokens, p.total_output_tokens, p.total_reasoning_tokens),
        (Some(48_950), Some(21_624), Some(19_792))
    );
    assert_close!(p.duration, 9.317788951);
    assert_close!(p.output_tps, 2320.7222350404572);
    assert_close!(p.request_throughput, 9.551622221540914);
    assert_close!(p.window_start_unix, 1_759_522_419.154569);
    assert_close!(p.window_end_unix, 1_759_522_428.472358);
    assert_eq!(p.telemetry_gpus, None);
    assert!(
        !p.other_metrics.keys().any(|k| k.starts_with("ttft") || k.starts_with("ttst")),
        "{:?}",
        p.other_metrics
    );
    assert_eq!(
        r.warnings,
        ["logs/artifacts/conc_100/profile_export_aiperf.json: 11 failed request(s): 499 RequestCancellationError: Request was cancelled after 0.000 seconds"]
    );
}

/// aiperf plot fixtures from a real Qwen sweep (Nov 2025): the flat layout without
/// `schema_version`, TTFO, `prefill_throughput`, and `telemetry_data` of two GPUs. Laid out as an
/// `aiperf-bench` run: one directory per concurrency, all three read.
#[test]
fn aiperf_plot_fixtures_flat_layout_sweep() {
    let base = "aiperf-plot-fixtures";
    let r = run(
        "aiperf-bench",
        &[
            (
                "logs/artifacts/warmup/profile_export_aiperf.json",
                "aiperf-examples-run1/profile_export_aiperf.json",
            ),
            (
                "logs/artifacts/Qwen3-0.6B_isl100_osl200_c1_20251107_133800/profile_export_aiperf.json",
                &format!("{base}/qwen_concurrency1/profile_export_aiperf.json"),
            ),
            (
                "logs/artifacts/Qwen3-0.6B_isl100_osl200_c2_20251107_133800/profile_export_aiperf.json",
                &format!("{base}/qwen_concurrency2/profile_export_aiperf.json"),
            ),
            (
                "logs/artifacts/Qwen3-0.6B_isl100_osl200_c4_20251107_133800/profile_export_aiperf.json",
                &format!("{base}/qwen_concurrency2/qwen_concurrency4/profile_export_aiperf.json"),
            ),
        ],
    );
    assert_eq!(r.concurrencies(), vec![1, 2, 4], "the warm-up directory is not a point");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let p = point(&r, 1);
    assert_close!(p.mean_ttft_ms, 30.814987671875);
    assert_close!(p.mean_ttfo_ms, 30.814987671875);
    assert_close!(p.median_ttfo_ms, 30.668547999999998);
    assert_close!(p.mean_prefill_tps_per_user, 3251.4887179314755);
    assert_close!(p.median_prefill_tps_per_user, 3260.6696082508024);
    assert_close!(p.mean_tpot_ms, 18.19909533160138);
    assert_close!(p.mean_itl_ms, 18.197640450062813);
    assert_close!(p.output_tps, 50.08213863971112);
    assert_eq!(
        (p.completed, p.error_count, p.good_completed, p.total_reasoning_tokens),
        (Some(64), None, None, None)
    );
    assert_eq!((p.total_input_tokens, p.total_output_tokens), (Some(6400), Some(12_799)));
    assert_close!(p.duration, 255.56017270100003);
    assert_close!(p.window_start_unix, 1_762_551_534.7970678);
    assert_close!(p.window_end_unix, 1_762_551_790.3572406);
    assert_eq!(p.telemetry_gpus, Some(2));
    assert!((p.gpu_power_w.unwrap() - 259.7785474860335).abs() < 1e-9);
    assert!((p.gpu_energy_j.unwrap() - 52_229.864000011614).abs() < 1e-6);
    assert!((p.gpu_utilization_pct.unwrap() - 93.01536312849161).abs() < 1e-9);

    let p = point(&r, 2);
    assert_close!(p.mean_ttft_ms, 36.455307999999995);
    assert_close!(p.output_tps, 100.6512156752534);
    assert_close!(p.duration, 127.15196646300001);
    assert!((p.gpu_power_w.unwrap() - 270.47297333333336).abs() < 1e-9);
    let p = point(&r, 4);
    assert_close!(p.median_ttft_ms, 52.64664);
    assert_close!(p.output_tps, 194.50576456385642);
    assert_eq!(p.total_output_tokens, Some(12_798));
    assert!((p.gpu_energy_j.unwrap() - 14_337.065999995957).abs() < 1e-6);
}

/// The older `rollup.json` (Dec 2025 / Jan 2026; `profiler_results` columns named as srtlog's),
/// read as the last fallback: a run with nothing else.
#[test]
fn csahithi_rollups_as_the_last_fallback() {
    let r = run("sa-bench", &[("logs/rollup.json", "csahithi-srt-slurm/rollup_sa_bench_553.json")]);
    assert_eq!(r.source, Some(ResultSource::Rollup));
    let p = point(&r, 32);
    assert_close!(p.output_tps, 1748.0954656979873);
    assert_close!(p.mean_ttft_ms, 895.2331849702091);
    assert_close!(p.mean_itl_ms, 1573.2346725090367);
    assert_close!(p.total_tps, 15769.777275754572);
    assert_eq!(
        (p.total_input_tokens, p.total_output_tokens, p.request_goodput),
        (Some(1_885_733), Some(235_096), None)
    );
    assert_eq!(p.source_file.as_deref(), Some("logs/rollup.json"));
    assert!(r.warnings[0].contains("read the rollup logs/rollup.json instead"), "{:?}", r.warnings);

    // mooncake-router: concurrency 0 is the open-loop replay; its ITL column is the TPOT.
    let r =
        run("mooncake-router", &[("logs/rollup.json", "csahithi-srt-slurm/rollup_mooncake_4405566.json")]);
    assert_eq!(r.points.len(), 1);
    let p = &r.points[0];
    assert_eq!(p.concurrency, None);
    assert_close!(p.mean_tpot_ms, 23.95447833171341);
    assert_eq!(p.mean_itl_ms, None);
    assert_close!(p.p99_ttft_ms, 90226.47291000008);
    assert_close!(p.request_throughput, 3.372979548010381);
    assert_eq!(p.total_input_tokens, None);
}

/// srt-slurm sa-bench CSV rollups committed for a vLLM issue (2026): the pre-"Working" header.
#[test]
fn nvidia_csv_rollups_every_file() {
    // (directory, total tok/s, output tok/s, median TTFT, median TPOT, median ITL)
    let table = [
        ("good-pr-container-15908", 179746.962, 19973.574, 3589.153, 43.672, 77.878),
        ("nightly-a749-15902", 127325.519, 14148.476, 2506.312, 66.83, 88.267),
        ("nightly-a749-disable-flashinfer-sampler-15974", 110541.545, 12282.761, 2810.494, 44.182, 78.981),
        ("nightly-a749-revert-pr41015-15975", 175826.738, 19537.957, 2444.171, 45.972, 79.083),
        ("nightly-a749-revert-pr41135-15984", 106538.668, 11836.888, 2301.818, 48.174, 80.435),
        ("official-v0201-15963", 64051.414, 7117.426, 74154.996, 27.311, 50.89),
    ];
    for (dir, total, output, ttft, tpot, itl) in table {
        let from = format!("nvidia-srt-slurm/issue-41603/{dir}/benchmark-rollup.csv");
        let r = run("sa-bench", &[("logs/benchmark-rollup.csv", &from)]);
        assert_eq!(r.source, Some(ResultSource::Rollup), "{dir}");
        assert_eq!(r.concurrencies(), vec![1024], "{dir}");
        let p = &r.points[0];
        assert_close!(p.total_tps, total);
        assert_close!(p.output_tps, output);
        assert_close!(p.median_ttft_ms, ttft);
        assert_close!(p.median_tpot_ms, tpot);
        assert_close!(p.median_itl_ms, itl);
        assert_eq!(p.other_metrics.get("rollup_total_gpu_count"), Some(&24.0), "{dir}");
        assert_eq!(p.other_metrics.get("rollup_decode_gpu_count"), Some(&8.0), "{dir}");
        assert!(!p.other_metrics.contains_key("rollup_p90_decode_running_requests"), "blank: {dir}");
    }
}

/// The rollup beside the result files is a cross-check: a real CSV rollup against a result file
/// made to disagree on one number.
#[test]
fn rollup_cross_check_names_the_disagreement() {
    let tmp = tempfile::tempdir().unwrap();
    let result = tmp.path().join("r.json");
    fs::write(
        &result,
        r#"{"max_concurrency": 1024, "output_throughput": 19973.574, "total_token_throughput": 170000.0, "median_ttft_ms": 3589.1534, "median_tpot_ms": 43.672, "median_itl_ms": 77.878}"#,
    )
    .unwrap();
    let rollup = real("nvidia-srt-slurm/issue-41603/good-pr-container-15908/benchmark-rollup.csv");
    let listing = RunFiles::new(
        "/runs/x",
        vec![
            FileEntry::dir("logs", 0),
            FileEntry::file("logs/benchmark-rollup.csv", 1, 0),
            FileEntry::dir("logs/sa-bench_isl_1_osl_1", 0),
            FileEntry::file("logs/sa-bench_isl_1_osl_1/r.json", 1, 0),
        ],
    );
    let parser = get_benchmark_parser("sa-bench").unwrap();
    let sources = parser.select(&listing);
    let r = parse_run_results(parser, &sources, &mut |p| {
        fs::read(if p.ends_with(".csv") { &rollup } else { &result })
    })
    .unwrap();
    assert_eq!(r.source, Some(ResultSource::Json));
    // The median TTFT differs by rounding only (3 decimals); the total throughput does not.
    assert_eq!(
        r.warnings,
        ["rollup logs/benchmark-rollup.csv disagrees with the result files: concurrency 1024: total_tps 170000 vs 179746.962 (rollup)"]
    );
}
