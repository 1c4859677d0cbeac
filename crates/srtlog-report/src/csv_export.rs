//! One CSV row per run × concurrency, with the run's metadata repeated on every row.

use std::io::{self, Write};

use srtlog_model::{AnalysisDocument, ResultSource};

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
];

/// Writes one row per run × concurrency (header first) to `w`.
///
/// Unknown values are empty cells; numbers use Rust's shortest round-trip form; `tags` are
/// joined with `;`; `source` is `json` or `benchmark_out` (where the run's results came from)
/// and `source_file` the result file of that row. `gpus_used` and the derived columns
/// (`*_per_gpu`, `output_tps_per_user`) are the run's `derived` values, as the JSON has them
/// ([`crate::derived::runs_derived`]; formulas in [`srtlog_model::derived`]). Quoting follows
/// RFC 4180 (the `csv` crate): fields with commas, quotes or line breaks are quoted.
/// Skipped runs have no rows. Rows are in document order, then concurrency order.
pub fn write_points_csv(doc: &AnalysisDocument, w: impl Write) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(CSV_COLUMNS)?;
    let num = |v: Option<f64>| v.filter(|x| x.is_finite()).map(|x| x.to_string()).unwrap_or_default();
    let int = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    for (run, d) in doc.runs.iter().zip(runs_derived(doc)) {
        let m = &run.metadata;
        let source = run.profiler.source.map_or("", ResultSource::as_str);
        let at = |values: &[Option<f64>], i: usize| values.get(i).copied().flatten();
        for (i, p) in run.profiler.points.iter().enumerate() {
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
            ];
            out.write_record(&record)?;
        }
    }
    out.flush()?;
    Ok(())
}
