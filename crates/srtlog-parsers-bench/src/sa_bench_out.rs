//! The result blocks `benchmark_serving.py` prints into `benchmark.out` (fallback source).
//!
//! Every run of the client, warm-ups included, prints its parsed arguments (`Namespace(...)`),
//! `Traffic request rate: R`, `Maximum request concurrency: N` and then a block:
//!
//! ```text
//! ============ Serving Benchmark Result ============
//! Successful requests:                     40
//! Benchmark duration (s):                  95.40
//! ...
//! ---------------Time to First Token----------------
//! Mean TTFT (ms):                          512.50
//! P99 TTFT (ms):                           640.00
//! ==================================================
//! ```
//!
//! Rows are `{:<40} {:<10}` (so lines may end in spaces); percentile rows read `P99`, `P99.9`;
//! `Request goodput` and `Peak output token throughput` rows are optional.
//!
//! **Warm-up blocks never win.** `bench.sh` warms up before measuring, in two eras: current
//! (per concurrency: warm-up, then `Running benchmark with concurrency: N` … measured run …
//! `Completed benchmark with concurrency: N`) and older (all `Warming up model with concurrency
//! N` runs first, then the measured runs). A block is classified, strongest evidence first, by:
//! 1. the run's own arguments: `save_result=True` in the `Namespace(...)` line, or
//!    `--save-result` in the `set -x` trace of the command (only measured runs save a result);
//! 2. the bench.sh markers, when the text has them: a block is measured only between `Running
//!    benchmark with concurrency` and `Completed benchmark with concurrency` (and never when its
//!    run said `save_result=False`), warm-up anywhere else;
//! 3. without bench.sh markers (a bare client log): every block counts, except that a block
//!    that looks like a warm-up (request rate 250, bench.sh's warm-up rate, or a traced command
//!    without `--save-result`) is dropped when the same concurrency has another block.
//!
//! The last measured block per concurrency wins; a concurrency with only warm-up blocks (the
//! job died during its measured run) has no result.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use srtlog_model::{BenchmarkPoint, ProfilerResults, ResultSource};

use crate::common::{as_count, parse_number, shell_words};

/// `Label (unit):   value   ` — a result row.
static ROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        ^(?P<label>[A-Za-z][^:]*?) :   # label up to the first colon
        \s+ (?P<value>\S+) \s*$        # one value, trailing spaces allowed
        ",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// `mean ttft (ms)`, `p99.9 itl (ms)`, `median e2e latency (ms)` — a lowercased statistic label.
static STAT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        ^(?P<stat>mean|median|p\d+(?:\.\d+)?)            # statistic
        \s+ (?P<metric>ttft|tpot|itl|e2el|e2e\ latency)  # metric
        \s+ \(ms\)$
        ",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// `Running benchmark with concurrency: N[ and num-prompts: M, writing to file D]`.
static RUNNING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        Running\ benchmark\ with\ concurrency:\s*(?P<c>\d+)   # current and older bench.sh
        (?:\ and\ num-prompts:\s*(?P<n>\d+))?                # older bench.sh only
        ",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// `Warming up model with concurrency N` (older bench.sh).
static WARMING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Warming up model with concurrency:?\s*(?P<c>\d+)")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// `Completed benchmark with concurrency: N`.
static COMPLETED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Completed benchmark with concurrency:?\s*\d+")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Whole-word `key=value` fields of the `Namespace(...)` line.
static NAMESPACE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        [(,\s]                                              # a field starts after ( or ,
        (?P<key>save_result|request_rate|max_concurrency|num_prompts)
        = (?P<value>[^,)\s]+)                               # unquoted scalar value
        ",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// What the current client run said about itself.
#[derive(Debug, Clone, Default)]
struct RunInfo {
    save_result: Option<bool>,
    request_rate: Option<f64>,
    max_concurrency: Option<u32>,
    num_prompts: Option<u64>,
}

/// Which bench.sh section the text is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Before any marker, or after `Completed benchmark ...` (current bench.sh warm-ups).
    Outside,
    /// After `Warming up model with concurrency N`.
    Warmup,
    /// After `Running benchmark with concurrency: N`.
    Measured(u32, Option<u64>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Warmup,
    Unknown,
    Measured,
}

struct Candidate {
    kind: Kind,
    /// Looks like a warm-up (rate 250 or no `--save-result`) without bench.sh markers to say.
    suspect: bool,
    point: BenchmarkPoint,
}

fn parse_rate(text: &str) -> Option<f64> {
    let t = text.trim().trim_matches('\'');
    if t.eq_ignore_ascii_case("inf") {
        Some(f64::INFINITY)
    } else {
        t.parse::<f64>().ok().filter(|v| !v.is_nan())
    }
}

fn parse_u32(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// The text of a line as a terminal would show it: up to `\n`, after the last `\r`, without
/// trailing whitespace.
fn visible(raw: &str) -> &str {
    let line = raw.trim_end();
    line.rsplit('\r').next().unwrap_or(line).trim_end()
}

/// Whether `line` is the set -x trace (or an echo) of a `benchmark_serving.py` command.
fn client_command(line: &str) -> Option<RunInfo> {
    if !line.contains("benchmark_serving.py") || line.contains("Namespace(") {
        return None;
    }
    let words = shell_words(line.trim_start_matches(['+', ' ']));
    let mut info = RunInfo { save_result: Some(false), ..Default::default() };
    let mut i = 0;
    while i < words.len() {
        let value = words.get(i + 1).map(String::as_str).unwrap_or("");
        match words[i].as_str() {
            "--save-result" => info.save_result = Some(true),
            "--request-rate" => info.request_rate = parse_rate(value),
            "--max-concurrency" => info.max_concurrency = parse_u32(value),
            "--num-prompts" => info.num_prompts = value.trim().parse().ok(),
            _ => {}
        }
        i += 1;
    }
    Some(info)
}

fn apply_namespace(line: &str, info: &mut RunInfo) {
    for caps in NAMESPACE_FIELD.captures_iter(line) {
        let value = &caps["value"];
        match &caps["key"] {
            "save_result" => info.save_result = Some(value == "True"),
            "request_rate" => info.request_rate = parse_rate(value),
            "max_concurrency" => info.max_concurrency = parse_u32(value),
            "num_prompts" => info.num_prompts = value.parse().ok(),
            _ => {}
        }
    }
}

/// Applies one result row to `point`; returns whether the row was recognized.
fn apply_row(
    point: &mut BenchmarkPoint,
    block_concurrency: &mut Option<u32>,
    label: &str,
    value: &str,
) -> bool {
    let lower = label.trim().to_ascii_lowercase();
    let number = parse_number(value);
    let count = number.and_then(as_count);
    match lower.as_str() {
        "successful requests" => point.completed = count,
        "benchmark duration (s)" => point.duration = number,
        "total input tokens" => point.total_input_tokens = count,
        "total generated tokens" => point.total_output_tokens = count,
        "request throughput (req/s)" => point.request_throughput = number,
        "request goodput (req/s)" => point.request_goodput = number,
        "output token throughput (tok/s)" => point.output_tps = number,
        "peak output token throughput (tok/s)" => point.peak_output_tps = number,
        "total token throughput (tok/s)" => point.total_tps = number,
        // SGLang's bench_serving prints the concurrency inside the block.
        "max request concurrency" | "maximum request concurrency" => {
            if let Some(c) = parse_u32(value) {
                *block_concurrency = Some(c);
            }
        }
        _ => {
            let Some(caps) = STAT_LABEL.captures(&lower) else {
                return false;
            };
            let metric = match &caps["metric"] {
                "e2e latency" => "e2el".to_owned(),
                m => m.to_owned(),
            };
            let stat = caps["stat"].to_owned();
            let Some(v) = number else { return true };
            let field = match (stat.as_str(), metric.as_str()) {
                ("mean", "ttft") => &mut point.mean_ttft_ms,
                ("median", "ttft") => &mut point.median_ttft_ms,
                ("p99", "ttft") => &mut point.p99_ttft_ms,
                ("mean", "tpot") => &mut point.mean_tpot_ms,
                ("median", "tpot") => &mut point.median_tpot_ms,
                ("p99", "tpot") => &mut point.p99_tpot_ms,
                ("mean", "itl") => &mut point.mean_itl_ms,
                ("median", "itl") => &mut point.median_itl_ms,
                ("p99", "itl") => &mut point.p99_itl_ms,
                ("mean", "e2el") => &mut point.mean_e2el_ms,
                ("median", "e2el") => &mut point.median_e2el_ms,
                ("p99", "e2el") => &mut point.p99_e2el_ms,
                _ => {
                    point.other_metrics.insert(format!("{stat}_{metric}_ms"), v);
                    return true;
                }
            };
            *field = Some(v);
        }
    }
    true
}

fn is_block_end(line: &str) -> bool {
    line.len() >= 20 && line.bytes().all(|b| b == b'=')
}

/// Reads the result blocks of sa-bench `benchmark.out` text, one point per concurrency, the
/// measured run winning over warm-ups (see the module docs). `source_file` is left `None`.
pub fn parse_benchmark_out(text: &str) -> ProfilerResults {
    let has_markers = text.contains("Running benchmark with concurrency")
        || text.contains("Warming up model with concurrency");
    let mut section = Section::Outside;
    let mut run = RunInfo::default();
    let mut candidates: Vec<Candidate> = Vec::new();
    // The block being read: its point, its own concurrency row, whether any row matched.
    let mut block: Option<(BenchmarkPoint, Option<u32>, bool)> = None;

    let finish = |block: (BenchmarkPoint, Option<u32>, bool),
                  run: &RunInfo,
                  section: Section,
                  out: &mut Vec<Candidate>| {
        let (mut point, block_concurrency, any_row) = block;
        if !any_row {
            return;
        }
        let marker_concurrency = match section {
            Section::Measured(c, _) => Some(c),
            _ => None,
        };
        point.concurrency = block_concurrency.or(run.max_concurrency).or(marker_concurrency);
        point.request_rate = run.request_rate;
        point.num_prompts = run.num_prompts.or(match section {
            Section::Measured(_, n) => n,
            _ => None,
        });
        let kind = match (run.save_result, has_markers) {
            (Some(true), _) => Kind::Measured,
            (Some(false), true) => Kind::Warmup,
            (None, true) if matches!(section, Section::Measured(..)) => Kind::Measured,
            (None, true) => Kind::Warmup,
            // A bare client log: a run that saved nothing or used the warm-up rate only loses
            // to another block of the same concurrency.
            (_, false) => Kind::Unknown,
        };
        let suspect = run.save_result == Some(false) || run.request_rate == Some(250.0);
        out.push(Candidate { kind, suspect, point });
    };

    for raw in text.split('\n') {
        let line = visible(raw);
        if let Some(current) = block.as_mut() {
            if is_block_end(line) {
                if let Some(b) = block.take() {
                    finish(b, &run, section, &mut candidates);
                }
                run = RunInfo::default();
                continue;
            }
            if !line.contains("Serving Benchmark Result") {
                if let Some(caps) = ROW.captures(line) {
                    let (point, concurrency, any_row) = current;
                    if apply_row(point, concurrency, &caps["label"], &caps["value"]) {
                        *any_row = true;
                    }
                }
                continue;
            }
            // A new header before the end line: the previous block was cut short.
            if let Some(b) = block.take() {
                finish(b, &run, section, &mut candidates);
            }
        }
        if line.contains("Serving Benchmark Result") {
            block = Some((BenchmarkPoint::default(), None, false));
        } else if let Some(caps) = RUNNING.captures(line) {
            let c = parse_u32(&caps["c"]).unwrap_or(0);
            section = Section::Measured(c, caps.name("n").and_then(|n| n.as_str().parse().ok()));
            run = RunInfo::default();
        } else if WARMING.is_match(line) {
            section = Section::Warmup;
            run = RunInfo::default();
        } else if COMPLETED.is_match(line) {
            section = Section::Outside;
            run = RunInfo::default();
        } else if line.contains("Namespace(") {
            apply_namespace(line, &mut run);
        } else if let Some(info) = client_command(line) {
            run = info;
        } else if let Some(rate) = line.strip_prefix("Traffic request rate:") {
            run.request_rate = parse_rate(rate);
        } else if let Some(c) = line.strip_prefix("Maximum request concurrency:") {
            run.max_concurrency = parse_u32(c);
        }
    }
    if let Some(b) = block.take() {
        finish(b, &run, section, &mut candidates);
    }
    select(candidates)
}

/// The winning block per concurrency: the last measured one, else the last unknown one.
fn select(candidates: Vec<Candidate>) -> ProfilerResults {
    let mut groups: BTreeMap<Option<u32>, Vec<Candidate>> = BTreeMap::new();
    for c in candidates {
        groups.entry(c.point.concurrency).or_default().push(c);
    }
    let mut results = ProfilerResults::default();
    for (_, group) in groups {
        let best_kind = group.iter().map(|c| c.kind).max().unwrap_or(Kind::Warmup);
        if best_kind == Kind::Warmup {
            continue;
        }
        let mut pool: Vec<Candidate> = group.into_iter().filter(|c| c.kind == best_kind).collect();
        if best_kind == Kind::Unknown && pool.iter().any(|c| !c.suspect) {
            pool.retain(|c| !c.suspect);
        }
        if let Some(winner) = pool.pop() {
            results.points.push(winner.point);
        }
    }
    if !results.points.is_empty() {
        results.source = Some(ResultSource::BenchmarkOut);
    }
    results.sort();
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A result block as `benchmark_serving.py` prints it (`{:<40} {:<10}` rows).
    fn block(completed: u64, out_tps: f64, mean_ttft: f64, extra: &str) -> String {
        let row = |label: &str, value: String| format!("{label:<40} {value:<10}\n");
        let mut s = String::from("============ Serving Benchmark Result ============\n");
        s += &row("Successful requests:", completed.to_string());
        s += &row("Benchmark duration (s):", "10.00".into());
        s += &row("Total input tokens:", "1000".into());
        s += &row("Total generated tokens:", "500".into());
        s += &row("Request throughput (req/s):", "1.00".into());
        s += &row("Output token throughput (tok/s):", format!("{out_tps:.2}"));
        s += &row("Total Token throughput (tok/s):", "150.00".into());
        s += "---------------Time to First Token----------------\n";
        s += &row("Mean TTFT (ms):", format!("{mean_ttft:.2}"));
        s += &row("Median TTFT (ms):", "20.00".into());
        s += &row("P99 TTFT (ms):", "30.00".into());
        s += extra;
        s += "==================================================\n";
        s
    }

    fn header(rate: &str, conc: u32) -> String {
        format!("Traffic request rate: {rate}\nBurstiness factor: 1.0 (Poisson process)\nMaximum request concurrency: {conc}\n")
    }

    #[test]
    fn rows_with_trailing_spaces_optional_rows_and_p999() {
        let extra = "-----Time per Output Token (excl. 1st token)------\nMean TPOT (ms):                          7.50      \nP99.9 TPOT (ms):                         9.25      \n---------------End-to-end Latency----------------\nMean E2EL (ms):                          900.00    \nP99 E2EL (ms):                           1000.00   \n";
        let mut b = block(10, 50.0, 12.5, extra);
        b = b.replace(
            "Output token throughput",
            "Request goodput (req/s):                 0.90      \nPeak output token throughput (tok/s):    60.00     \nOutput token throughput",
        );
        let text = header("inf", 8) + &b;
        assert!(text.lines().any(|l| l.ends_with(' ')), "fixture has trailing spaces");
        let r = parse_benchmark_out(&text);
        assert_eq!(r.source, Some(ResultSource::BenchmarkOut));
        assert_eq!(r.points.len(), 1);
        let p = &r.points[0];
        assert_eq!(p.concurrency, Some(8));
        assert_eq!(p.request_rate, Some(f64::INFINITY));
        assert_eq!(
            (p.completed, p.total_input_tokens, p.total_output_tokens),
            (Some(10), Some(1000), Some(500))
        );
        assert_eq!(
            (p.duration, p.request_throughput, p.output_tps, p.total_tps),
            (Some(10.0), Some(1.0), Some(50.0), Some(150.0))
        );
        assert_eq!((p.request_goodput, p.peak_output_tps), (Some(0.9), Some(60.0)));
        assert_eq!((p.mean_ttft_ms, p.median_ttft_ms, p.p99_ttft_ms), (Some(12.5), Some(20.0), Some(30.0)));
        assert_eq!((p.mean_tpot_ms, p.p99_tpot_ms), (Some(7.5), None));
        assert_eq!(p.other_metrics.get("p99.9_tpot_ms"), Some(&9.25));
        assert_eq!((p.mean_e2el_ms, p.p99_e2el_ms), (Some(900.0), Some(1000.0)));
        assert_eq!(p.std_ttft_ms, None, "std is not printed");
    }

    #[test]
    fn current_bench_sh_measured_run_wins() {
        let mut text = String::from("SA-Bench Config: endpoint=http://h:8000; isl=1024; osl=1024; concurrencies=4x8; req_rate=inf; model=m\n");
        for (c, tps) in [(4u32, 100.0), (8, 200.0)] {
            // warm-up: no set -x, save_result=False
            text += &format!(
                "Namespace(backend='dynamo', request_rate=250.0, max_concurrency={c}, save_result=False)\n"
            );
            text += &header("250.0", c);
            text += &block(c as u64 * 2, tps / 10.0, 1.0, "");
            text += &format!("Running benchmark with concurrency: {c}\n2026-01-16 06:45:00\n");
            text += &format!("+ python3 -u /srtctl-benchmarks/sa-bench/benchmark_serving.py --model m --num-prompts {} --request-rate inf --max-concurrency {c} --save-result --result-dir /logs/x --result-filename r.json\n", c * 10);
            text += &format!("Namespace(backend='dynamo', num_prompts={}, request_rate=inf, max_concurrency={c}, save_result=True)\n", c * 10);
            text += &header("inf", c);
            text += &block(c as u64 * 10, tps, 2.0, "");
            text += &format!("+ set +x\nCompleted benchmark with concurrency: {c}\n-----------------------------------------\n");
        }
        let r = parse_benchmark_out(&text);
        let got: Vec<_> = r
            .points
            .iter()
            .map(|p| (p.concurrency, p.output_tps, p.completed, p.num_prompts, p.request_rate))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(4), Some(100.0), Some(40), Some(40), Some(f64::INFINITY)),
                (Some(8), Some(200.0), Some(80), Some(80), Some(f64::INFINITY))
            ]
        );
    }

    #[test]
    fn markers_alone_decide_without_namespace() {
        // Current bench.sh, client output without Namespace/xtrace lines: warm-up blocks are
        // outside the Running/Completed markers.
        let mut text = String::new();
        text += &(header("250.0", 4) + &block(8, 1.0, 1.0, ""));
        text += "Running benchmark with concurrency: 4\n";
        text += &(header("inf", 4) + &block(40, 100.0, 2.0, ""));
        text += "Completed benchmark with concurrency: 4\n";
        text += &(header("250.0", 8) + &block(16, 2.0, 1.0, ""));
        text += "Running benchmark with concurrency: 8\n";
        // job died during the measured run of 8
        let r = parse_benchmark_out(&text);
        assert_eq!(r.concurrencies(), vec![4]);
        assert_eq!(r.points[0].output_tps, Some(100.0));
    }

    #[test]
    fn older_bench_sh_all_warmups_first() {
        let mut text = String::new();
        for c in [1u32, 2] {
            text += &format!("Warming up model with concurrency {c}\n2025-12-02 21:20:00\n");
            text += &(header("250.0", c) + &block(5 * c as u64, 1.0, 1.0, ""));
        }
        for c in [1u32, 2] {
            text += &format!("Running benchmark with concurrency: {c} and num-prompts: {}, writing to file /logs/sa-bench_isl_1024_osl_256\n", 5 * c);
            text += &(header("inf", c) + &block(5 * c as u64, 10.0 * c as f64, 3.0, ""));
            text += &format!("Completed benchmark with concurrency: {c}\n");
        }
        let r = parse_benchmark_out(&text);
        let got: Vec<_> = r.points.iter().map(|p| (p.concurrency, p.output_tps, p.num_prompts)).collect();
        assert_eq!(got, vec![(Some(1), Some(10.0), Some(5)), (Some(2), Some(20.0), Some(10))]);
    }

    #[test]
    fn bare_client_log_drops_rate_250_duplicates_only() {
        let text = header("250.0", 4)
            + &block(8, 1.0, 1.0, "")
            + &header("inf", 4)
            + &block(40, 9.0, 1.0, "")
            + &header("250.0", 16)
            + &block(32, 7.0, 1.0, "");
        let r = parse_benchmark_out(&text);
        let got: Vec<_> = r.points.iter().map(|p| (p.concurrency, p.output_tps)).collect();
        assert_eq!(got, vec![(Some(4), Some(9.0)), (Some(16), Some(7.0))]);
    }

    #[test]
    fn bare_client_log_without_save_result_is_kept_when_alone() {
        let text = format!(
            "+ python3 benchmark_serving.py --max-concurrency 4 --request-rate inf\n{}{}",
            header("inf", 4),
            block(40, 9.0, 1.0, "")
        );
        let r = parse_benchmark_out(&text);
        assert_eq!(r.points.iter().map(|p| p.output_tps).collect::<Vec<_>>(), vec![Some(9.0)]);
        let two = format!(
            "{text}+ python3 benchmark_serving.py --max-concurrency 4 --save-result\n{}{}",
            header("inf", 4),
            block(40, 11.0, 1.0, "")
        );
        let r = parse_benchmark_out(&two);
        assert_eq!(r.points.iter().map(|p| p.output_tps).collect::<Vec<_>>(), vec![Some(11.0)]);
        // The other order: the later unsaved block does not beat the saved one either.
        let three = format!(
            "{two}+ python3 benchmark_serving.py --max-concurrency 4\n{}{}",
            header("inf", 4),
            block(40, 1.0, 1.0, "")
        );
        assert_eq!(parse_benchmark_out(&three).points[0].output_tps, Some(11.0));
    }

    #[test]
    fn progress_bars_carriage_returns_and_cut_blocks() {
        let text = format!(
            "Maximum request concurrency: 2\n 10%|#  | 1/10\r100%|###| 10/10\r{}Successful requests:                     10\nBenchmark duration (s):                  5.00\n",
            "============ Serving Benchmark Result ============\n"
        );
        let r = parse_benchmark_out(&text);
        assert_eq!(r.points.len(), 1);
        assert_eq!(
            (r.points[0].concurrency, r.points[0].completed, r.points[0].duration),
            (Some(2), Some(10), Some(5.0))
        );
    }

    #[test]
    fn sglang_bench_serving_block() {
        let text = "============ Serving Benchmark Result ============\nBackend:                                 sglang    \nTraffic request rate:                    inf       \nMax request concurrency:                 64        \nSuccessful requests:                     640       \nTotal token throughput (tok/s):          9000.50   \n----------------End-to-End Latency----------------\nMean E2E Latency (ms):                   1234.00   \nMedian E2E Latency (ms):                 1200.00   \n---------------Time to First Token----------------\nP95 ITL (ms):                            30.00     \n==================================================\n";
        let r = parse_benchmark_out(text);
        let p = &r.points[0];
        assert_eq!((p.concurrency, p.completed, p.total_tps), (Some(64), Some(640), Some(9000.5)));
        assert_eq!((p.mean_e2el_ms, p.median_e2el_ms), (Some(1234.0), Some(1200.0)));
        assert_eq!(p.other_metrics.get("p95_itl_ms"), Some(&30.0));
    }

    #[test]
    fn nothing_parseable_is_empty() {
        for text in ["", "hello\nworld\n", "============ Serving Benchmark Result ============\n=================================================="] {
            let r = parse_benchmark_out(text);
            assert!(r.points.is_empty(), "{text:?}");
            assert_eq!(r.source, None);
        }
    }

    #[test]
    fn nan_values_are_unknown() {
        let text = "============ Serving Benchmark Result ============\nSuccessful requests:                     0         \nMean TTFT (ms):                          nan       \n==================================================\n";
        let r = parse_benchmark_out(text);
        assert_eq!(r.points[0].completed, Some(0));
        assert_eq!(r.points[0].mean_ttft_ms, None);
    }
}
