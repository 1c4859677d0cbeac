//! The CSV export: columns, quoting, derived values.

use srtlog_report::{write_points_csv, CSV_COLUMNS};

use crate::common::{synthetic_doc, HOSTILE};

#[test]
fn one_row_per_run_and_concurrency_with_all_columns() {
    let doc = synthetic_doc(0);
    let mut buf = Vec::new();
    write_points_csv(&doc, &mut buf).unwrap();
    let mut reader = csv::Reader::from_reader(buf.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, CSV_COLUMNS);
    for required in [
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
    ] {
        assert!(CSV_COLUMNS.contains(&required), "{required}");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6 + 4 + 3);
    let col = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    let first = &rows[0];
    assert_eq!(&first[col("job_id")], "4401463");
    assert_eq!(&first[col("topology")], "1P/2D");
    assert_eq!(&first[col("mode")], "disaggregated");
    assert_eq!(&first[col("concurrency")], "4");
    assert_eq!(&first[col("gpus_used")], "12");
    assert_eq!(&first[col("source")], "json");
    let tpot: f64 = first[col("mean_tpot_ms")].parse().unwrap();
    let per_user: f64 = first[col("output_tps_per_user")].parse().unwrap();
    assert!((per_user - 1000.0 / tpot).abs() < 1e-9);
    let out: f64 = first[col("output_tps")].parse().unwrap();
    let per_gpu: f64 = first[col("output_tps_per_gpu")].parse().unwrap();
    assert!((per_gpu - out / 12.0).abs() < 1e-9);
    let input_per_gpu: f64 = first[col("input_tps_per_gpu")].parse().unwrap();
    assert!((input_per_gpu - out / 12.0).abs() < 1e-6, "total = 2 × output in the fixture");
    // Quoting: a tag with a comma and quotes, a name with markup, round-trip through a reader.
    let agg = rows.iter().find(|r| &r[col("job_id")] == "5120").unwrap();
    assert_eq!(&agg[col("tags")], "baseline;a,b \"quoted\"");
    assert_eq!(&agg[col("topology")], "4A");
    assert_eq!(&agg[col("is_complete")], "false");
    let hostile = rows.iter().find(|r| &r[col("job_id")] == "4999").unwrap();
    assert_eq!(&hostile[col("job_name")], HOSTILE);
    let text = String::from_utf8(buf).unwrap();
    assert!(text.contains(r#""baseline;a,b ""quoted""""#), "RFC 4180 quoting");
}

#[test]
fn unknown_values_are_empty_cells() {
    let mut doc = synthetic_doc(0);
    doc.runs.truncate(1);
    doc.runs[0].profiler.points.truncate(1);
    let p = &mut doc.runs[0].profiler.points[0];
    p.mean_tpot_ms = None;
    p.total_tps = None;
    p.duration = None;
    doc.runs[0].metadata.gpu_type = None;
    let mut buf = Vec::new();
    write_points_csv(&doc, &mut buf).unwrap();
    let mut reader = csv::Reader::from_reader(buf.as_slice());
    let row = reader.records().next().unwrap().unwrap();
    let col = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    for name in [
        "mean_tpot_ms",
        "output_tps_per_user",
        "total_tps",
        "total_tps_per_gpu",
        "input_tps_per_gpu",
        "duration",
        "gpu_type",
    ] {
        assert_eq!(&row[col(name)], "", "{name}");
    }
}
