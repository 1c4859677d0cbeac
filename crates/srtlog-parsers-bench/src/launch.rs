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
//! Settings land in [`BenchmarkLaunchCommand::extra_args`]: header keys as written
//! (`endpoint`, `isl`, `concurrencies`, ...), command flags without their dashes
//! (`request-rate`, `percentile-metrics`, `fixed-schedule` = `true`); a header key is never
//! overwritten by a flag.

use std::sync::LazyLock;

use regex::Regex;
use srtlog_model::{BenchmarkLaunchCommand, StringMap};

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

/// `--flag value`, `--flag=value`, `-m value` and bare `--flag` words → a map. Several values
/// after one flag are joined with spaces. `skip` names flags to leave out.
pub fn command_flags(words: &[String], skip: &[&str]) -> StringMap {
    let mut flags = StringMap::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        let Some(name) = word.strip_prefix("--").or_else(|| word.strip_prefix('-').filter(|n| n.len() == 1))
        else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let (name, inline) = match name.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (name, None),
        };
        let name = match name {
            "m" | "model-names" => "model",
            "u" => "url",
            n => n,
        };
        let value = match inline {
            Some(v) => v,
            None => {
                let mut values = Vec::new();
                while i < words.len()
                    && !(words[i].starts_with('-') && words[i].len() > 1 && words[i].parse::<f64>().is_err())
                {
                    values.push(words[i].as_str());
                    i += 1;
                }
                if values.is_empty() {
                    "true".to_owned()
                } else {
                    values.join(" ")
                }
            }
        };
        if !skip.contains(&name) {
            flags.insert(name.to_owned(), value);
        }
    }
    flags
}

fn merge_missing(into: &mut StringMap, from: StringMap) {
    for (k, v) in from {
        into.entry(k).or_insert(v);
    }
}

/// Flags of a client run that change per concurrency and so describe no setting of the job.
const PER_RUN_FLAGS: [&str; 4] = ["max-concurrency", "num-prompts", "result-filename", "result-dir"];

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
    let mut extra = StringMap::new();
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
                            extra.entry(k.to_owned()).or_insert_with(|| v.to_owned());
                        }
                    }
                }
            }
        } else if let Some(caps) = OLD_SA_HEADER.captures(line) {
            if header.is_none() {
                header = Some(line.to_owned());
                extra.insert("isl".into(), caps["isl"].to_owned());
                extra.insert("osl".into(), caps["osl"].to_owned());
                extra.insert(
                    "concurrencies".into(),
                    caps["conc"].split_whitespace().collect::<Vec<_>>().join("x"),
                );
                extra.insert("req_rate".into(), caps["rate"].to_owned());
                if let Some(r) = caps.name("router") {
                    extra.insert("sglang_router".into(), r.as_str().to_owned());
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
        merge_missing(&mut extra, command_flags(&shell_words(c), &PER_RUN_FLAGS));
    }
    let raw_command = cmd.or(client).or(header)?;
    Some(BenchmarkLaunchCommand { benchmark_type: "sa-bench".to_owned(), raw_command, extra_args: extra })
}

/// The mooncake-router launch command and settings of `benchmark.out` text.
///
/// `raw_command` is the measured `aiperf profile` command (the last one with `--artifact-dir`,
/// `--fixed-schedule` or `--input-file`; echoed, traced or on a `[CMD]` line), else another
/// `[CMD]` line's command, else the last `aiperf profile` command (the warm-up), else the
/// `Endpoint:` header line. Flags of the warm-up command are not settings of the job and are
/// only read when nothing else is there.
pub fn parse_mooncake_launch(text: &str) -> Option<BenchmarkLaunchCommand> {
    let mut extra = StringMap::new();
    let mut header: Option<String> = None;
    let mut cmd: Option<String> = None;
    let mut measured: Option<String> = None;
    let mut last_aiperf: Option<String> = None;
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
                if !value.is_empty() && !extra.contains_key(key) {
                    extra.insert(key.to_owned(), value.to_owned());
                    if key == "endpoint" && header.is_none() {
                        header = Some(line.to_owned());
                    }
                }
            }
        }
    }
    for c in [&measured, &cmd].into_iter().flatten() {
        merge_missing(&mut extra, command_flags(&shell_words(c), &[]));
    }
    if measured.is_none() && cmd.is_none() {
        if let Some(c) = &last_aiperf {
            merge_missing(&mut extra, command_flags(&shell_words(c), &[]));
        }
    }
    let raw_command = measured.or(cmd).or(last_aiperf).or(header)?;
    Some(BenchmarkLaunchCommand {
        benchmark_type: "mooncake-router".to_owned(),
        raw_command,
        extra_args: extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cmd: &BenchmarkLaunchCommand) -> Vec<(&str, &str)> {
        cmd.extra_args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    #[test]
    fn sa_bench_header_and_trace() {
        let text = "SA-Bench Config: endpoint=http://10.0.0.1:8000; isl=8192; osl=1024; concurrencies=4x8x16x32; req_rate=inf; model=dsr1; dataset=random; dataset_path=\nVerifying endpoint...\n+ python3 -u /srtctl-benchmarks/sa-bench/benchmark_serving.py --model dsr1 --tokenizer /model/ --host 10.0.0.1 --port 8000 --backend dynamo --endpoint /v1/completions --disable-tqdm --dataset-name random --num-prompts 40 --random-input-len 8192 --random-output-len 1024 --random-range-ratio 0.8 --ignore-eos --request-rate inf --percentile-metrics ttft,tpot,itl,e2el --max-concurrency 4 --trust-remote-code --save-result --result-dir /logs/sa-bench_isl_8192_osl_1024 --result-filename results_concurrency_4_gpus_12_ctx_1_gen_2.json\n";
        let c = parse_sa_bench_launch(text).unwrap();
        assert_eq!(c.benchmark_type, "sa-bench");
        assert!(c
            .raw_command
            .starts_with("python3 -u /srtctl-benchmarks/sa-bench/benchmark_serving.py --model dsr1"));
        let a = args(&c);
        for kv in [
            ("endpoint", "http://10.0.0.1:8000"),
            ("isl", "8192"),
            ("osl", "1024"),
            ("concurrencies", "4x8x16x32"),
            ("req_rate", "inf"),
            ("model", "dsr1"),
            ("dataset", "random"),
            ("request-rate", "inf"),
            ("percentile-metrics", "ttft,tpot,itl,e2el"),
            ("ignore-eos", "true"),
            ("random-range-ratio", "0.8"),
        ] {
            assert!(a.contains(&kv), "{kv:?} in {a:?}");
        }
        assert!(!c.extra_args.contains_key("dataset_path"), "empty values are left out");
        assert!(!c.extra_args.contains_key("max-concurrency"), "per-run flags are left out");
    }

    #[test]
    fn sa_bench_cmd_line_wins_and_old_header() {
        let text =
            "[CMD] bash /scripts/bench.sh --isl 1024\nConfig 1024; 256; 1 2; inf; sglang_router=false\n";
        let c = parse_sa_bench_launch(text).unwrap();
        assert_eq!(c.raw_command, "bash /scripts/bench.sh --isl 1024");
        assert_eq!(
            args(&c),
            vec![
                ("concurrencies", "1x2"),
                ("isl", "1024"),
                ("osl", "256"),
                ("req_rate", "inf"),
                ("sglang_router", "false")
            ]
        );
        assert_eq!(
            parse_sa_bench_launch("Config 1024; 1024; 16 64; inf\n").unwrap().extra_args["concurrencies"],
            "16x64"
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
        for kv in [
            ("endpoint", "http://10.1.1.1:8000"),
            ("model", "deepseek-ai/DeepSeek-R1"),
            ("workload", "conversation"),
            ("ttft_threshold_ms", "2000"),
            ("itl_threshold_ms", "25"),
            ("tokenizer_path", "/model"),
            ("fixed-schedule", "true"),
            ("custom-dataset-type", "mooncake_trace"),
            ("goodput", "time_to_first_token:2000 inter_token_latency:25"),
            ("artifact-dir", "/logs/artifacts/DeepSeek-R1_conversation_20260116_062017"),
        ] {
            assert!(a.contains(&kv), "{kv:?} in {a:?}");
        }
        assert!(!c.extra_args.contains_key("concurrency"), "the warm-up command is not the launch command");
    }

    #[test]
    fn mooncake_cmd_line_and_header_only() {
        let c =
            parse_mooncake_launch("[CMD] aiperf profile --model m --concurrency 32 --server-metrics a b\n")
                .unwrap();
        assert_eq!(c.raw_command, "aiperf profile --model m --concurrency 32 --server-metrics a b");
        assert_eq!(args(&c), vec![("concurrency", "32"), ("model", "m"), ("server-metrics", "a b")]);
        let h = parse_mooncake_launch("Endpoint: http://h:8000\nWorkload: synthetic\n").unwrap();
        assert_eq!(h.raw_command, "Endpoint: http://h:8000");
        assert_eq!(parse_mooncake_launch("hello\n"), None);
    }

    #[test]
    fn flags() {
        let words: Vec<String> = ["x", "--a=1", "--b", "-5", "--c", "--d", "v", "-m", "M", "pos"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let f = command_flags(&words, &["c"]);
        assert_eq!(
            f.into_iter().collect::<Vec<_>>(),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "-5".into()),
                ("d".into(), "v".into()),
                ("model".into(), "M pos".into())
            ]
        );
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
