//! Benchmark launch commands and settings from `benchmark.out`, and profiler-type detection.
//!
//! Forms read:
//! - `[CMD] <command>` lines (a launcher echoing the command it runs);
//! - the sa-bench header `SA-Bench Config: endpoint=..; isl=..; osl=..; concurrencies=AxB; ...`
//!   and the older `Config 1024; 1024; 16 64; inf; sglang_router=false`;
//! - the `set -x` trace of a measured `benchmark_serving.py` run (`+ python3 -u .../
//!   benchmark_serving.py --model ... --save-result ...`);
//! - the mooncake-router header (`Endpoint:`, `Model:`, `Workload:`, `TTFT Threshold: 2000ms`,
//!   `ITL Threshold: 25ms`, `Tokenizer Path:`, `Input file:`, `Artifact dir:`);
//! - `aiperf profile ...` command lines, also when continued over several lines with `\`.
//!
//! Settings land in [`BenchmarkLaunchCommand::args`] under the client's destination names
//! ([`Tool::SaBench`], [`Tool::Aiperf`]): a header key and the flag it stands for are one
//! setting (`req_rate=inf` and `--request-rate inf` are `request_rate`; `concurrencies=4x8` is
//! `max_concurrency: [4, 8]`), typed. A header value is never overwritten by a flag.

use std::sync::LazyLock;

use regex::Regex;
use srtlog_model::{ArgValue, BenchmarkLaunchCommand, LaunchArgs, Tool};

use crate::common::shell_words;

/// Older sa-bench header: `Config {isl}; {osl}; {c1 c2 ..}; {req_rate}[; sglang_router=X]`.
static OLD_SA_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        ^Config\ (?P<isl>\d+);\ (?P<osl>\d+);        # isl; osl
        \ (?P<conc>[\d\ ]+);\ (?P<rate>[^;\s]+)      # space-separated concurrencies; rate
        (?:;\ sglang_router=(?P<router>\S+))?        # newer old-style scripts
        ",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Lines of `text` with backslash-newline continuations joined.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for raw in text.split('\n') {
        let mut line = raw.trim_end_matches(['\r', ' ', '\t']);
        if !current.is_empty() {
            line = line.trim_start();
        }
        if let Some(head) = line.strip_suffix('\\') {
            current.push_str(head.trim_end());
            current.push(' ');
        } else {
            current.push_str(line);
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The command of a `[CMD] ...` line.
fn cmd_line(line: &str) -> Option<&str> {
    let at = line.find("[CMD]")?;
    let cmd = line[at + 5..].trim();
    (!cmd.is_empty()).then_some(cmd)
}

/// The arguments of a client command line: the flags after the program (the word naming the
/// script, `….py` / `….sh`, or aiperf's `profile` subcommand; an interpreter's own flags, as
/// `python3 -u`, come before it and are not the client's), without those of `skip`
/// (destination names).
pub fn command_args(tool: Tool, command: &str, skip: &[&str]) -> LaunchArgs {
    let words = shell_words(command);
    let program_end = words
        .iter()
        .position(|w| w.ends_with(".py") || w.ends_with(".sh") || w == "profile")
        .map_or(0, |at| at + 1);
    let (mut args, _positional) = LaunchArgs::from_flags(tool, &words[program_end..]);
    for name in skip {
        args.remove(name);
    }
    args
}

/// Flags of a client run that change per concurrency and so describe no setting of the job
/// (the header's `concurrencies` is the job's setting of `max_concurrency`).
const PER_RUN_FLAGS: [&str; 4] = ["max_concurrency", "num_prompts", "result_filename", "result_dir"];

/// Whether `benchmark.out` text was written by sa-bench.
pub fn detect_sa_bench(text: &str) -> bool {
    text.contains("SA-Bench Config:") || text.contains("Serving Benchmark Result")
}

/// Whether `benchmark.out` text was written by the mooncake-router benchmark (aiperf).
pub fn detect_mooncake(text: &str) -> bool {
    text.contains("Mooncake Router Benchmark")
        || text.contains("aiperf profile")
        || text.contains("NVIDIA AIPerf |")
}

/// The sa-bench launch command and settings of `benchmark.out` text.
///
/// `raw_command` is the `[CMD]` line's command (the bench.sh invocation), else the first
/// measured `benchmark_serving.py` command (one with `--save-result`; warm-ups have none), else
/// the header line.
pub fn parse_sa_bench_launch(text: &str) -> Option<BenchmarkLaunchCommand> {
    const TOOL: Tool = Tool::SaBench;
    let mut args = LaunchArgs::new();
    let mut header: Option<String> = None;
    let mut cmd: Option<String> = None;
    let mut client: Option<String> = None;
    for line in logical_lines(text) {
        let line = line.trim();
        if let Some(at) = line.find("SA-Bench Config:") {
            if header.is_none() {
                header = Some(line[at..].to_owned());
                for pair in line[at + "SA-Bench Config:".len()..].split(';') {
                    if let Some((k, v)) = pair.split_once('=') {
                        let (k, v) = (k.trim(), v.trim());
                        if !k.is_empty() && !v.is_empty() {
                            args.insert_setting(TOOL, k, header_value(k, v));
                        }
                    }
                }
            }
        } else if let Some(caps) = OLD_SA_HEADER.captures(line) {
            if header.is_none() {
                header = Some(line.to_owned());
                args.insert_setting(TOOL, "isl", ArgValue::from_word(&caps["isl"]));
                args.insert_setting(TOOL, "osl", ArgValue::from_word(&caps["osl"]));
                let concurrencies: Vec<&str> = caps["conc"].split_whitespace().collect();
                args.insert_setting(
                    TOOL,
                    "concurrencies",
                    ArgValue::List(concurrencies.iter().map(|c| ArgValue::from_word(c)).collect()),
                );
                args.insert_setting(TOOL, "req_rate", ArgValue::from_word(&caps["rate"]));
                if let Some(r) = caps.name("router") {
                    args.insert_setting(TOOL, "sglang_router", ArgValue::from_word(r.as_str()));
                }
            }
        } else if line.contains("benchmark_serving.py") && !line.contains("Namespace(") {
            if line.contains("--save-result") {
                let command = cmd_line(line).unwrap_or(line).trim_start_matches(['+', ' ']);
                client.get_or_insert_with(|| command.to_owned());
            }
        } else if let Some(c) = cmd_line(line) {
            cmd.get_or_insert_with(|| c.to_owned());
        }
    }
    for c in [&cmd, &client].into_iter().flatten() {
        args.merge_missing(command_args(TOOL, c, &PER_RUN_FLAGS));
    }
    let raw_command = cmd.or(client).or(header)?;
    Some(BenchmarkLaunchCommand { benchmark_type: "sa-bench".to_owned(), raw_command, args })
}

/// A value of the sa-bench header: `concurrencies` is always a list (`4x8x16`, or one value),
/// every other value one word.
fn header_value(key: &str, value: &str) -> ArgValue {
    if key == "concurrencies" {
        ArgValue::List(value.split('x').map(|c| ArgValue::from_word(c.trim())).collect())
    } else {
        ArgValue::from_word(value)
    }
}

/// The mooncake-router launch command and settings of `benchmark.out` text.
///
/// `raw_command` is the measured `aiperf profile` command (the last one with `--artifact-dir`,
/// `--fixed-schedule` or `--input-file`; echoed, traced or on a `[CMD]` line), else another
/// `[CMD]` line's command, else the last `aiperf profile` command (the warm-up), else the
/// `Endpoint:` header line. Flags of the warm-up command are not settings of the job and are
/// only read when nothing else is there.
pub fn parse_mooncake_launch(text: &str) -> Option<BenchmarkLaunchCommand> {
    const TOOL: Tool = Tool::Aiperf;
    let mut args = LaunchArgs::new();
    let mut header: Option<String> = None;
    let mut cmd: Option<String> = None;
    let mut measured: Option<String> = None;
    let mut last_aiperf: Option<String> = None;
    // Header lines by the setting key they name ([`Tool::setting_dest`] gives aiperf's name).
    const HEADER_KEYS: [(&str, &str); 8] = [
        ("Endpoint:", "endpoint"),
        ("Model:", "model"),
        ("Workload:", "workload"),
        ("TTFT Threshold:", "ttft_threshold_ms"),
        ("ITL Threshold:", "itl_threshold_ms"),
        ("Tokenizer Path:", "tokenizer_path"),
        ("Input file:", "input_file"),
        ("Artifact dir:", "artifact_dir"),
    ];
    for line in logical_lines(text) {
        let line = line.trim();
        if let Some(at) = line.find("aiperf profile") {
            let command = line[at..].to_owned();
            let is_measured =
                ["--artifact-dir", "--fixed-schedule", "--input-file"].iter().any(|f| command.contains(f));
            if is_measured {
                measured = Some(command.clone());
            }
            last_aiperf = Some(command);
            continue;
        }
        if let Some(c) = cmd_line(line) {
            cmd.get_or_insert_with(|| c.to_owned());
            continue;
        }
        for (prefix, key) in HEADER_KEYS {
            if let Some(value) = line.strip_prefix(prefix) {
                let value = value.trim();
                let value = if key.ends_with("_ms") { value.trim_end_matches("ms").trim() } else { value };
                if !value.is_empty() && !args.contains(&TOOL.setting_dest(key)) {
                    args.insert_setting(TOOL, key, ArgValue::from_word(value));
                    if key == "endpoint" && header.is_none() {
                        header = Some(line.to_owned());
                    }
                }
            }
        }
    }
    for c in [&measured, &cmd].into_iter().flatten() {
        args.merge_missing(command_args(TOOL, c, &[]));
    }
    if measured.is_none() && cmd.is_none() {
        if let Some(c) = &last_aiperf {
            args.merge_missing(command_args(TOOL, c, &[]));
        }
    }
    let raw_command = measured.or(cmd).or(last_aiperf).or(header)?;
    Some(BenchmarkLaunchCommand { benchmark_type: "mooncake-router".to_owned(), raw_command, args })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every setting as `(name, JSON text of the value)`.
    fn args(cmd: &BenchmarkLaunchCommand) -> Vec<(&str, String)> {
        cmd.args.iter().map(|(k, v)| (k, v.to_string())).collect()
    }

    fn has(a: &[(&str, String)], name: &str, json: &str) -> bool {
        a.iter().any(|(k, v)| *k == name && v == json)
    }

    #[test]
    fn sa_bench_header_and_trace_name_each_setting_once() {
        let text = "SA-Bench Config: endpoint=http://10.0.0.1:8000; isl=8192; osl=1024; concurrencies=4x8x16x32; req_rate=inf; model=dsr1; dataset=random; dataset_path=\nVerifying endpoint...\n+ python3 -u /srtctl-benchmarks/sa-bench/benchmark_serving.py --model dsr1 --tokenizer /model/ --host 10.0.0.1 --port 8000 --backend dynamo --endpoint /v1/completions --disable-tqdm --dataset-name random --num-prompts 40 --random-input-len 8192 --random-output-len 1024 --random-range-ratio 0.8 --ignore-eos --request-rate inf --percentile-metrics ttft,tpot,itl,e2el --max-concurrency 4 --trust-remote-code --save-result --result-dir /logs/sa-bench_isl_8192_osl_1024 --result-filename results_concurrency_4_gpus_12_ctx_1_gen_2.json\n";
        let c = parse_sa_bench_launch(text).unwrap();
        assert_eq!(c.benchmark_type, "sa-bench");
        assert!(c
            .raw_command
            .starts_with("python3 -u /srtctl-benchmarks/sa-bench/benchmark_serving.py --model dsr1"));
        let a = args(&c);
        for (name, json) in [
            ("base_url", r#""http://10.0.0.1:8000""#),
            ("endpoint", r#""/v1/completions""#),
            ("random_input_len", "8192"),
            ("random_output_len", "1024"),
            ("max_concurrency", "[4,8,16,32]"),
            ("request_rate", r#""inf""#),
            ("model", r#""dsr1""#),
            ("dataset_name", r#""random""#),
            ("percentile_metrics", r#"["ttft","tpot","itl","e2el"]"#),
            ("ignore_eos", "true"),
            ("random_range_ratio", "0.8"),
            ("port", "8000"),
        ] {
            assert!(has(&a, name, json), "{name} = {json} in {a:?}");
        }
        // One name per setting: the header's spellings and the flags' are gone.
        for gone in ["isl", "osl", "concurrencies", "req_rate", "dataset", "request-rate", "dataset-name"] {
            assert!(!c.args.contains(gone), "{gone} in {a:?}");
        }
        assert!(!c.args.contains("dataset_path"), "empty values are left out");
        assert!(
            !c.args.contains("num_prompts") && !c.args.contains("result_filename"),
            "per-run flags are left out"
        );
        assert!(!c.args.contains("u"), "python3's own -u is not a client flag");
    }

    #[test]
    fn sa_bench_cmd_line_wins_and_old_header() {
        let text =
            "[CMD] bash /scripts/bench.sh --isl 1024\nConfig 1024; 256; 1 2; inf; sglang_router=false\n";
        let c = parse_sa_bench_launch(text).unwrap();
        assert_eq!(c.raw_command, "bash /scripts/bench.sh --isl 1024");
        assert_eq!(
            args(&c),
            [
                ("max_concurrency", "[1,2]"),
                ("random_input_len", "1024"),
                ("random_output_len", "256"),
                ("request_rate", r#""inf""#),
                ("sglang_router", "false"),
            ]
            .map(|(k, v)| (k, v.to_owned()))
        );
        assert_eq!(
            parse_sa_bench_launch("Config 1024; 1024; 16 64; inf\n").unwrap().args.get("max_concurrency"),
            Some(&ArgValue::List(vec![ArgValue::Int(16), ArgValue::Int(64)]))
        );
        assert_eq!(
            parse_sa_bench_launch("SA-Bench Config: concurrencies=256; req_rate=12.5\n").unwrap().args,
            [
                ("max_concurrency".to_owned(), ArgValue::List(vec![ArgValue::Int(256)])),
                ("request_rate".to_owned(), ArgValue::Float(12.5)),
            ]
            .into_iter()
            .collect(),
            "one concurrency is still a list; a finite rate is a number"
        );
        assert_eq!(parse_sa_bench_launch("nothing here\n"), None);
    }

    #[test]
    fn mooncake_header_and_commands() {
        let text = "==============================================\nMooncake Router Benchmark (aiperf)\n==============================================\nEndpoint: http://10.1.1.1:8000\nModel: deepseek-ai/DeepSeek-R1\nWorkload: conversation\nTTFT Threshold: 2000ms\nITL Threshold: 25ms\nTokenizer Path: /model\n==============================================\nRunning small benchmark for warmup...\n+ aiperf profile -m deepseek-ai/DeepSeek-R1 --tokenizer /model --url http://10.1.1.1:8000 --streaming --ui simple --concurrency 10 --request-count 20\nRunning aiperf benchmark...\naiperf profile \\\n    -m \"deepseek-ai/DeepSeek-R1\" \\\n    --input-file /logs/traces/conversation_trace.jsonl \\\n    --custom-dataset-type mooncake_trace \\\n    --fixed-schedule \\\n    --goodput \"time_to_first_token:2000 inter_token_latency:25\" \\\n    --artifact-dir /logs/artifacts/DeepSeek-R1_conversation_20260116_062017\n";
        let c = parse_mooncake_launch(text).unwrap();
        assert_eq!(c.benchmark_type, "mooncake-router");
        assert!(
            c.raw_command.starts_with("aiperf profile -m \"deepseek-ai/DeepSeek-R1\""),
            "{}",
            c.raw_command
        );
        let a = args(&c);
        for (name, json) in [
            ("url", r#""http://10.1.1.1:8000""#),
            ("model_names", r#""deepseek-ai/DeepSeek-R1""#),
            ("workload", r#""conversation""#),
            ("ttft_threshold_ms", "2000"),
            ("itl_threshold_ms", "25"),
            ("tokenizer", r#""/model""#),
            ("fixed_schedule", "true"),
            ("custom_dataset_type", r#""mooncake_trace""#),
            ("goodput", r#""time_to_first_token:2000 inter_token_latency:25""#),
            ("artifact_dir", r#""/logs/artifacts/DeepSeek-R1_conversation_20260116_062017""#),
        ] {
            assert!(has(&a, name, json), "{name} = {json} in {a:?}");
        }
        for gone in ["model", "endpoint", "tokenizer_path", "m"] {
            assert!(!c.args.contains(gone), "{gone} in {a:?}");
        }
        assert!(!c.args.contains("concurrency"), "the warm-up command is not the launch command");
    }

    #[test]
    fn mooncake_cmd_line_and_header_only() {
        let c = parse_mooncake_launch(
            "[CMD] aiperf profile --model m --concurrency 32 --server-metrics a b --no-streaming\n",
        )
        .unwrap();
        assert_eq!(
            c.raw_command,
            "aiperf profile --model m --concurrency 32 --server-metrics a b --no-streaming"
        );
        assert_eq!(
            args(&c),
            [
                ("concurrency", "32"),
                ("model_names", r#""m""#),
                ("server_metrics", r#"["a","b"]"#),
                ("streaming", "false")
            ]
            .map(|(k, v)| (k, v.to_owned()))
        );
        let h = parse_mooncake_launch("Endpoint: http://h:8000\nWorkload: synthetic\n").unwrap();
        assert_eq!(h.raw_command, "Endpoint: http://h:8000");
        assert_eq!(h.args.get("url"), Some(&ArgValue::Str("http://h:8000".into())));
        assert_eq!(parse_mooncake_launch("hello\n"), None);
    }

    #[test]
    fn command_args_start_after_the_program() {
        let a = command_args(
            Tool::SaBench,
            "python3 -u x/benchmark_serving.py --a=1 --b -5 --c --d v pos",
            &["c"],
        );
        assert_eq!(
            a.iter().map(|(k, v)| (k, v.to_string())).collect::<Vec<_>>(),
            [("a", "1"), ("b", "-5"), ("d", r#"["v","pos"]"#)].map(|(k, v)| (k, v.to_owned()))
        );
        let b = command_args(Tool::Aiperf, "aiperf profile -m M -u http://h", &[]);
        assert_eq!(b.get("url"), Some(&ArgValue::Str("http://h".into())));
    }

    #[test]
    fn detection() {
        assert!(detect_sa_bench("SA-Bench Config: endpoint=x"));
        assert!(detect_sa_bench("============ Serving Benchmark Result ============"));
        assert!(!detect_sa_bench("Mooncake Router Benchmark (aiperf)"));
        assert!(detect_mooncake("Mooncake Router Benchmark (aiperf)"));
        assert!(detect_mooncake("+ aiperf profile -m x"));
        assert!(!detect_mooncake(
            "SA-Bench Config: endpoint=x\n============ Serving Benchmark Result ============"
        ));
        assert!(!detect_sa_bench(""));
        assert!(!detect_mooncake(""));
    }
}
