//! Accuracy-eval result files → [`AccuracyResult`]s: the evals srt-slurm runs, each recognised
//! by its content (FORMATS-2 §3.1–3.2, and the writers named below).
//!
//! Where they are (relative to the run directory; `logs/` or, in flattened runs, the root):
//!
//! | file | writer | results |
//! |---|---|---|
//! | `logs/eval_results/results*.json`, `logs/eval_results/<model>/results_*.json` | lm-evaluation-harness (`lm-eval` type, post-eval `RUN_EVAL`) | one per task (and group), metric and filter: `"<metric>,<filter>": v` paired with `"<metric>_stderr,<filter>": s` (`"N/A"` → no stderr), keys split on the **last** comma; `n-samples.<task>.effective` (else `original`) as samples; `higher_is_better` |
//! | `logs/accuracy/<eval>_<model>.json` | sglang `run_eval` (`mmlu`, `gpqa`, `longbenchv2`, sglang `gsm8k`) | one: task = the eval name of the file name, metric `score`, value `mean_score` when present (`--repeat`), else `score`. The eval's other keys (`chars`, a category's score of the last repeat only, `latency`) are not accuracy of the run and are left out |
//! | `logs/accuracy/gsm8k_run<i>.json` | vLLM `gsm8k_eval.py` (`gsm8k` on vLLM) | `accuracy` and `invalid_rate` (lower is better), samples = `num_questions`; one file per repeat |
//! | `logs/accuracy/<aime24\|aime25\|aime26>_metrics.json` | NeMo-Skills `ComputeMetrics` (`aime` type, `scripts/aime/bench.sh`) | `{dataset: {mode: {num_entries, <metric>: v, …}}}`: one per dataset, mode (as the filter: `pass@1[avg-of-8]`, `majority@8`) and numeric metric (`symbolic_correct`, `no_answer`), samples = `num_entries`; values are **percent**, as NeMo-Skills writes them; token and time counters are left out; `<metric>_statistics.std_err_across_runs` is the stderr when present |
//! | `logs/accuracy/sgl_eval_<eval>_*/metrics.json` | sgl-eval (`aime25` type; sglang `run_eval`'s chat-mode gsm8k) | `aggregate.score` (metric `score`), task from the directory name |
//!
//! A `.json` in `accuracy/` that is none of these is a warning naming it, never silently
//! dropped. NeMo-Skills also writes `accuracy/<dataset>/metrics.json`, a copy of
//! `<dataset>_metrics.json`; it is not selected, so no score is counted twice.

use serde_json::{Map, Value};
use srtlog_model::{AccuracyParser, AccuracyParserRegistration, AccuracyResult, RunFiles};

/// The evals of srt-slurm (`gsm8k`, `gpqa`, `mmlu`, `longbenchv2`, `aime`, `lm-eval`, ...).
#[derive(Debug, Clone, Copy, Default)]
pub struct EvalParser;

inventory::submit! { AccuracyParserRegistration::new(&EvalParser) }

/// Benchmark types whose output is accuracy only (srt-slurm `benchmarks/__init__.py`, the
/// `aime`/`aime25` branches).
const EVAL_TYPES: &[&str] =
    &["gsm8k", "gpqa", "mmlu", "longbenchv2", "longbench-v2", "aime", "aime25", "lm-eval", "lm_eval"];

/// The directories evals write to, `logs/` first.
const ACCURACY_DIRS: [&str; 2] = ["logs/accuracy", "accuracy"];
const LM_EVAL_DIRS: [&str; 2] = ["logs/eval_results", "eval_results"];

/// sglang `run_eval` eval names, longest first so that `mixed_prefix_gsm8k` is not `gsm8k`.
const RUN_EVAL_NAMES: &[&str] = &[
    "mixed_prefix_gsm8k",
    "longbench_v2",
    "humaneval",
    "mgsm_en",
    "aime25",
    "gsm8k",
    "mmlu",
    "gpqa",
    "math",
    "mgsm",
    "mmmu",
];

impl AccuracyParser for EvalParser {
    fn name(&self) -> &'static str {
        "evals"
    }

    fn benchmark_types(&self) -> &'static [&'static str] {
        EVAL_TYPES
    }

    fn select(&self, files: &RunFiles) -> Vec<String> {
        select(files)
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> Result<Vec<AccuracyResult>, String> {
        parse(path, bytes)
    }
}

/// The eval files of a run (see the module docs), in path order.
pub fn select(files: &RunFiles) -> Vec<String> {
    let mut out = Vec::new();
    for dir in ACCURACY_DIRS {
        for entry in files.children(dir) {
            let name = entry.name();
            if entry.is_file() && name.ends_with(".json") {
                out.push(entry.path.clone());
            } else if entry.is_dir() && name.starts_with("sgl_eval_") {
                let metrics = srtlog_model::join_path(&entry.path, "metrics.json");
                if files.is_file(&metrics) {
                    out.push(metrics);
                }
            }
        }
    }
    for dir in LM_EVAL_DIRS {
        for entry in files.under(dir) {
            let depth_ok = entry.parent() == dir || srtlog_model::parent_of(entry.parent()) == dir;
            if entry.is_file() && depth_ok && is_lm_eval_name(entry.name()) {
                out.push(entry.path.clone());
            }
        }
    }
    out
}

fn is_lm_eval_name(name: &str) -> bool {
    name.starts_with("results") && name.ends_with(".json")
}

/// The results of one eval file, by its content; a message when it is damaged or unknown.
pub fn parse(path: &str, bytes: &[u8]) -> Result<Vec<AccuracyResult>, String> {
    let text = srtlog_model::python_json::sanitize(bytes);
    let value: Value = serde_json::from_slice(&text).map_err(|e| format!("not valid JSON: {e}"))?;
    let Value::Object(root) = value else {
        return Err("not a JSON object".to_owned());
    };
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let results = if root.get("results").is_some_and(Value::is_object)
        && ["versions", "configs", "n-samples", "higher_is_better"].iter().any(|k| root.contains_key(*k))
    {
        lm_eval(&root, path)
    } else if let Some(Value::Object(aggregate)) = root.get("aggregate") {
        sgl_eval(aggregate, path)?
    } else if root.contains_key("accuracy") && root.contains_key("num_questions") {
        vllm_gsm8k(&root, path)
    } else if root.contains_key("score") || root.contains_key("mean_score") {
        run_eval(&root, file_name, path)?
    } else if let Some(results) = nemo_skills(&root, path) {
        results
    } else {
        return Err(
            "not a recognised accuracy file (lm-eval results, sglang run_eval, vLLM gsm8k, NeMo-Skills or sgl-eval metrics)"
                .to_owned(),
        );
    };
    Ok(results)
}

fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|x| x.is_finite())
}

fn count(v: Option<&Value>) -> Option<u64> {
    number(v).and_then(crate::common::as_count)
}

fn result(eval: &str, task: &str, metric: &str, value: f64, path: &str) -> AccuracyResult {
    AccuracyResult {
        eval: eval.to_owned(),
        task: task.to_owned(),
        metric: metric.to_owned(),
        value,
        source_file: path.to_owned(),
        ..Default::default()
    }
}

/// lm-evaluation-harness `results_*.json` (`EvaluationTracker.save_results_aggregated`).
fn lm_eval(root: &Map<String, Value>, path: &str) -> Vec<AccuracyResult> {
    let samples = root.get("n-samples").and_then(Value::as_object);
    let better = root.get("higher_is_better").and_then(Value::as_object);
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    // Groups (`mmlu` over its subjects) are scored like tasks; newer versions list them apart.
    let tables = ["results", "groups"].into_iter().filter_map(|k| root.get(k).and_then(Value::as_object));
    for table in tables {
        for (task, scores) in table {
            let Some(scores) = scores.as_object() else { continue };
            if !seen.insert(task.clone()) {
                continue;
            }
            let n = samples.and_then(|s| s.get(task)).and_then(|s| {
                count(s.get("effective")).or_else(|| count(s.get("original"))).or_else(|| count(Some(s)))
            });
            for (key, value) in scores {
                let (metric, filter) = match key.rsplit_once(',') {
                    Some((m, f)) => (m, Some(f)),
                    None => (key.as_str(), None),
                };
                if metric == "alias" || metric.ends_with("_stderr") {
                    continue;
                }
                let Some(value) = number(Some(value)) else { continue };
                let stderr_key = match filter {
                    Some(f) => format!("{metric}_stderr,{f}"),
                    None => format!("{metric}_stderr"),
                };
                let mut r = result("lm-eval", task, metric, value, path);
                r.filter = filter.map(str::to_owned);
                r.stderr = number(scores.get(&stderr_key));
                r.samples = n;
                r.higher_is_better =
                    better.and_then(|b| b.get(task)).and_then(|b| b.get(metric)).and_then(Value::as_bool);
                out.push(r);
            }
        }
    }
    out
}

/// sglang `run_eval`: `metrics | {"score": s}`, or with `--repeat`, `{"scores": [...], "mean_score": m}`.
fn run_eval(root: &Map<String, Value>, file_name: &str, path: &str) -> Result<Vec<AccuracyResult>, String> {
    let value = number(root.get("mean_score"))
        .or_else(|| number(root.get("score")))
        .ok_or("`score` / `mean_score` is not a number")?;
    let stem = file_name.trim_end_matches(".json");
    let task = eval_name(stem);
    let mut r = result("sglang-run-eval", task, "score", value, path);
    r.higher_is_better = Some(true);
    Ok(vec![r])
}

/// The eval name at the start of `<eval_name>_<model with / → _>`.
fn eval_name(stem: &str) -> &str {
    RUN_EVAL_NAMES
        .iter()
        .find(|name| stem == **name || stem.strip_prefix(**name).is_some_and(|rest| rest.starts_with('_')))
        .copied()
        .unwrap_or_else(|| stem.split('_').next().unwrap_or(stem))
}

/// vLLM's `gsm8k_eval.py --save-results`.
fn vllm_gsm8k(root: &Map<String, Value>, path: &str) -> Vec<AccuracyResult> {
    let n = count(root.get("num_questions"));
    [("accuracy", true), ("invalid_rate", false)]
        .into_iter()
        .filter_map(|(metric, higher)| {
            let mut r = result("vllm-gsm8k", "gsm8k", metric, number(root.get(metric))?, path);
            r.samples = n;
            r.higher_is_better = Some(higher);
            Some(r)
        })
        .collect()
}

/// NeMo-Skills `{dataset: {mode: {num_entries, metric: v}}}`; `None` when not of that shape.
fn nemo_skills(root: &Map<String, Value>, path: &str) -> Option<Vec<AccuracyResult>> {
    let mut out = Vec::new();
    for (dataset, modes) in root {
        for (mode, metrics) in modes.as_object()? {
            let metrics = metrics.as_object()?;
            let n = Some(count(metrics.get("num_entries"))?);
            for (metric, value) in metrics {
                let counter =
                    metric == "num_entries" || metric.ends_with("_tokens") || metric.ends_with("_seconds");
                let Some(value) = number(Some(value)).filter(|_| !counter) else { continue };
                let mut r = result("nemo-skills", dataset, metric, value, path);
                r.filter = Some(mode.clone());
                r.samples = n;
                r.stderr = metrics
                    .get(&format!("{metric}_statistics"))
                    .and_then(|s| number(s.get("std_err_across_runs")));
                r.higher_is_better = match metric.as_str() {
                    "no_answer" => Some(false),
                    m if m.ends_with("_correct") => Some(true),
                    _ => None,
                };
                out.push(r);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// sgl-eval `sgl_eval_<eval>_<id>/metrics.json`: `{"aggregate": {"score": s, ...}, ...}`.
fn sgl_eval(aggregate: &Map<String, Value>, path: &str) -> Result<Vec<AccuracyResult>, String> {
    let value = number(aggregate.get("score")).ok_or("`aggregate.score` is not a number")?;
    let dir = srtlog_model::parent_of(path).rsplit('/').next().unwrap_or_default();
    let rest = dir.strip_prefix("sgl_eval_").unwrap_or(dir);
    let task = eval_name(rest);
    let mut r = result("sgl-eval", task, "score", value, path);
    r.higher_is_better = Some(true);
    Ok(vec![r])
}

#[cfg(test)]
mod tests {
    use super::*;
    use srtlog_model::FileEntry;

    #[test]
    fn eval_names_come_from_the_file_name() {
        assert_eq!(eval_name("mmlu_deepseek-ai_DeepSeek-R1"), "mmlu");
        assert_eq!(eval_name("longbench_v2_m"), "longbench_v2");
        assert_eq!(eval_name("mixed_prefix_gsm8k_m"), "mixed_prefix_gsm8k");
        assert_eq!(eval_name("gsm8k"), "gsm8k");
        assert_eq!(eval_name("newbench_m"), "newbench");
    }

    #[test]
    fn selection_takes_eval_files_and_skips_copies_and_samples() {
        let files = RunFiles::new(
            "/r",
            vec![
                FileEntry::file("logs/accuracy/gpqa_m.json", 1, 0),
                FileEntry::file("logs/accuracy/gpqa_m.html", 1, 0),
                FileEntry::file("logs/accuracy/aime25_metrics.json", 1, 0),
                FileEntry::dir("logs/accuracy/aime25", 0),
                FileEntry::file("logs/accuracy/aime25/metrics.json", 1, 0),
                FileEntry::dir("logs/accuracy/sgl_eval_aime25_1", 0),
                FileEntry::file("logs/accuracy/sgl_eval_aime25_1/metrics.json", 1, 0),
                FileEntry::file("logs/eval_results/results_2026-01-02T03-04-05.json", 1, 0),
                FileEntry::file("logs/eval_results/samples_gsm8k_2026.jsonl", 1, 0),
                FileEntry::file("logs/eval_results/meta_env.json", 1, 0),
                FileEntry::file("logs/eval_results/m/results_2026.json", 1, 0),
                FileEntry::file("logs/eval_results/m/x/results_2026.json", 1, 0),
            ],
        );
        assert_eq!(
            select(&files),
            [
                "logs/accuracy/aime25_metrics.json",
                "logs/accuracy/gpqa_m.json",
                "logs/accuracy/sgl_eval_aime25_1/metrics.json",
                "logs/eval_results/m/results_2026.json",
                "logs/eval_results/results_2026-01-02T03-04-05.json",
            ]
        );
    }

    #[test]
    fn unknown_and_damaged_files_are_errors_that_say_so() {
        assert!(parse("logs/accuracy/x.json", b"{\"foo\": 1}").unwrap_err().contains("not a recognised"));
        assert!(parse("logs/accuracy/x.json", b"{\"score\": ").unwrap_err().contains("not valid JSON"));
        assert!(parse("logs/accuracy/x.json", b"[1]").unwrap_err().contains("not a JSON object"));
        assert!(parse("logs/accuracy/x.json", b"{\"score\": \"high\"}").unwrap_err().contains("score"));
    }
}
