//! Accuracy results: what an eval scored, one [`AccuracyResult`] per task, metric and filter.
//!
//! Accuracy is a second kind of result beside the throughput points: an eval run (`gsm8k`,
//! `mmlu`, `lm-eval`, ...) has only accuracy, and a throughput run with a post-eval
//! (`RUN_EVAL`) has both. The parsers of accuracy files and the one function that reads them
//! are in `accuracy_registry`.

use serde::{Deserialize, Serialize};

/// One score of one eval task: `gsm8k` `exact_match` under the `strict-match` filter, 0.951 ±
/// 0.0059 over 1319 samples.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccuracyResult {
    /// The harness or script that wrote the file (`lm-eval`, `sglang-run-eval`, `vllm-gsm8k`,
    /// `nemo-skills`, `sgl-eval`, `mlperf`).
    pub eval: String,
    /// The task as the harness names it (`gsm8k`, `mmlu`, `mmlu/stem`, `aime25`).
    pub task: String,
    /// The metric (`exact_match`, `acc_norm`, `score`, `accuracy`, `symbolic_correct`).
    pub metric: String,
    /// The answer-extraction filter or evaluation mode (`strict-match`, `flexible-extract`,
    /// `pass@1[avg-of-8]`), when the harness has one.
    pub filter: Option<String>,
    /// The score, on the scale the harness writes (lm-eval and sglang: fractions 0..1;
    /// NeMo-Skills: percent).
    pub value: f64,
    /// Standard error of the score, when the harness gives one (lm-eval's `N/A` is `None`).
    pub stderr: Option<f64>,
    /// Samples scored (lm-eval's `n-samples.effective`, `num_questions`, `num_entries`).
    pub samples: Option<u64>,
    /// Whether a higher value is better, when the harness says (lm-eval's `higher_is_better`).
    pub higher_is_better: Option<bool>,
    /// The file it came from, relative to the run directory.
    pub source_file: String,
}

impl AccuracyResult {
    /// `task`, `task metric` or `task metric,filter`: how tables label a result in one cell.
    pub fn label(&self) -> String {
        match &self.filter {
            Some(filter) => format!("{} {},{}", self.task, self.metric, filter),
            None if self.metric == "score" => self.task.clone(),
            None => format!("{} {}", self.task, self.metric),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_task_metric_and_filter() {
        let mut r = AccuracyResult { task: "gsm8k".into(), metric: "score".into(), ..Default::default() };
        assert_eq!(r.label(), "gsm8k");
        r.metric = "exact_match".into();
        assert_eq!(r.label(), "gsm8k exact_match");
        r.filter = Some("strict-match".into());
        assert_eq!(r.label(), "gsm8k exact_match,strict-match");
    }
}
