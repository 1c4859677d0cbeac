//! One CSV row per run × concurrency, with the run's metadata repeated on every row.

use std::io::{self, Write};

use srtlog_model::{AnalysisDocument, PowerSource, ResultSource};

use crate::derived::runs_derived;

/// Column names of [`write_points_csv`], in order.
pub const CSV_COLUMNS: &[&str] = &[
    "job_id",
    "job_name",
    "run_date",
    "gpu_type",
    "topology",
    "mode",
    "backend",
    "model_path",
    "precision",
    "isl",
    "osl",
    "total_gpus",
    "gpus_used",
    "tags",
    "is_complete",
    "concurrency",
    "output_tps",
    "total_tps",
    "output_tps_per_gpu",
    "total_tps_per_gpu",
    "input_tps_per_gpu",
    "output_tps_per_user",
    "request_throughput",
    "mean_ttft_ms",
    "median_ttft_ms",
    "p99_ttft_ms",
    "mean_tpot_ms",
    "median_tpot_ms",
    "p99_tpot_ms",
    "mean_itl_ms",
    "median_itl_ms",
    "p99_itl_ms",
    "mean_e2el_ms",
    "median_e2el_ms",
    "p99_e2el_ms",
    "completed",
    "duration",
    "source",
    "source_file",
    "power_source",
    "gpus_counted",
    "gpu_energy_j",
    "gpu_avg_power_w",
    "j_per_output_token",
    "j_per_total_token",
    "output_tps_per_w",
    "cpu_energy_j",
    "combined_energy_j",
    "combined_j_per_output_token",
    "energy_reason",
];

/// Writes one row per run × concurrency (header first) to `w`.
///
/// Unknown values are empty cells; numbers use Rust's shortest round-trip form; `tags` are
/// joined with `;`; `source` is `json` or `benchmark_out` (where the run's results came from)
/// and `source_file` the result file of that row. `gpus_used` and the derived columns
/// (`*_per_gpu`, `output_tps_per_user`) are the run's `derived` values, as the JSON has them
/// ([`crate::derived::runs_derived`]; formulas in [`srtlog_model::derived`]). Quoting follows
/// RFC 4180 (the `csv` crate): fields with commas, quotes or line breaks are quoted.
/// The energy columns (`power_source` … `energy_reason`) are the run's `derived.power_source`
/// and `derived.energy[i]` (formulas in [`srtlog_model::derived::energy`]), empty for a run
/// without power data; `energy_reason` says why a point's GPU energy is unknown.
/// Skipped runs have no rows. Rows are in document order, then concurrency order.
pub fn write_points_csv(doc: &AnalysisDocument, w: impl Write) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(CSV_COLUMNS)?;
    for (run, d) in doc.runs.iter().zip(runs_derived(doc)) {
        let m = &run.metadata;
        let source = run.profiler.source.map_or("", ResultSource::as_str);
        let at = |values: &[Option<f64>], i: usize| values.get(i).copied().flatten();
        for (i, p) in run.profiler.points.iter().enumerate() {
            let e = d.energy.get(i);
            let record: Vec<String> = vec![
                m.job_id.clone(),
                opt(&m.job_name),
                opt(&m.run_date),
                opt(&m.gpu_type),
                m.topology(),
                m.mode.as_str().to_owned(),
                opt(&m.backend_type),
                opt(&m.model.path),
                opt(&m.model.precision),
                int(run.profiler_metadata.isl.map(u64::from)),
                int(run.profiler_metadata.osl.map(u64::from)),
                m.total_gpus.to_string(),
                int(d.gpus_used.map(u64::from)),
                m.tags.join(";"),
                run.is_complete.to_string(),
                int(p.concurrency.map(u64::from)),
                num(p.output_tps),
                num(p.total_tps),
                num(at(&d.output_tps_per_gpu, i)),
                num(at(&d.total_tps_per_gpu, i)),
                num(at(&d.input_tps_per_gpu, i)),
                num(at(&d.output_tps_per_user, i)),
                num(p.request_throughput),
                num(p.mean_ttft_ms),
                num(p.median_ttft_ms),
                num(p.p99_ttft_ms),
                num(p.mean_tpot_ms),
                num(p.median_tpot_ms),
                num(p.p99_tpot_ms),
                num(p.mean_itl_ms),
                num(p.median_itl_ms),
                num(p.p99_itl_ms),
                num(p.mean_e2el_ms),
                num(p.median_e2el_ms),
                num(p.p99_e2el_ms),
                int(p.completed),
                num(p.duration),
                source.to_owned(),
                opt(&p.source_file),
                d.power_source.map_or("", PowerSource::as_str).to_owned(),
                int(e.and_then(|e| e.gpus_counted).map(u64::from)),
                num(e.and_then(|e| e.gpu_energy_j)),
                num(e.and_then(|e| e.gpu_avg_power_w)),
                num(e.and_then(|e| e.j_per_output_token)),
                num(e.and_then(|e| e.j_per_total_token)),
                num(e.and_then(|e| e.output_tps_per_w)),
                num(e.and_then(|e| e.cpu_energy_j)),
                num(e.and_then(|e| e.combined_energy_j)),
                num(e.and_then(|e| e.combined_j_per_output_token)),
                e.and_then(|e| e.reason.clone()).unwrap_or_default(),
            ];
            out.write_record(&record)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// A number's cell: Rust's shortest round-trip form; empty when unknown or not finite.
fn num(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite()).map(|x| x.to_string()).unwrap_or_default()
}

/// A count's cell: empty when unknown.
fn int(v: Option<u64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// A text's cell: empty when unknown.
fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// Column names of [`write_accuracy_csv`], in order.
pub const ACCURACY_CSV_COLUMNS: &[&str] = &[
    "job_id",
    "job_name",
    "run_date",
    "gpu_type",
    "topology",
    "backend",
    "model_path",
    "benchmark_type",
    "eval",
    "task",
    "metric",
    "filter",
    "value",
    "stderr",
    "samples",
    "higher_is_better",
    "source_file",
];

/// Writes one row per run × accuracy result (task, metric, filter; header first) to `w`.
///
/// A file of its own beside [`write_points_csv`]: a point row is one concurrency and an
/// accuracy row one score, and a run may have either or both (a sweep with a post-eval), so
/// one table would leave half of every row empty. The rows join the points CSV on `job_id`.
/// Unknown values are empty cells; `value` is on the harness's scale (fractions for lm-eval
/// and sglang, percent for NeMo-Skills). Rows are in document order, then the run's order.
pub fn write_accuracy_csv(doc: &AnalysisDocument, w: impl Write) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(ACCURACY_CSV_COLUMNS)?;
    for run in &doc.runs {
        let m = &run.metadata;
        for a in &run.accuracy {
            let record: Vec<String> = vec![
                m.job_id.clone(),
                opt(&m.job_name),
                opt(&m.run_date),
                opt(&m.gpu_type),
                m.topology(),
                opt(&m.backend_type),
                opt(&m.model.path),
                opt(&run.profiler_metadata.profiler_type),
                a.eval.clone(),
                a.task.clone(),
                a.metric.clone(),
                opt(&a.filter),
                num(Some(a.value)),
                num(a.stderr),
                int(a.samples),
                a.higher_is_better.map(|b| b.to_string()).unwrap_or_default(),
                a.source_file.clone(),
            ];
            out.write_record(&record)?;
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use srtlog_model::{AccuracyResult, BenchmarkRun, RunMetadata};

    use super::*;

    #[test]
    fn one_accuracy_row_per_result_with_empty_cells_for_the_unknown() {
        let strict = AccuracyResult {
            eval: "lm-eval".into(),
            task: "gsm8k".into(),
            metric: "exact_match".into(),
            filter: Some("strict-match".into()),
            value: 0.7612,
            stderr: Some(0.0117),
            samples: Some(1319),
            higher_is_better: Some(true),
            source_file: "logs/eval_results/r.json".into(),
        };
        let bare = AccuracyResult {
            filter: None,
            stderr: None,
            samples: None,
            higher_is_better: None,
            ..strict.clone()
        };
        let run = BenchmarkRun {
            metadata: RunMetadata { job_id: "6107".into(), agg_workers: 1, ..Default::default() },
            accuracy: vec![strict, bare],
            ..Default::default()
        };
        let doc =
            AnalysisDocument { schema_version: 1, runs: vec![run, BenchmarkRun::default()], skipped: vec![] };
        let mut csv = Vec::new();
        write_accuracy_csv(&doc, &mut csv).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], ACCURACY_CSV_COLUMNS.join(","));
        assert_eq!(lines[1], "6107,,,,0P/0D,,,,lm-eval,gsm8k,exact_match,strict-match,0.7612,0.0117,1319,true,logs/eval_results/r.json");
        assert_eq!(
            lines[2],
            "6107,,,,0P/0D,,,,lm-eval,gsm8k,exact_match,,0.7612,,,,logs/eval_results/r.json"
        );
        assert_eq!(lines.len(), 3, "a run without accuracy has no row");
    }
}
