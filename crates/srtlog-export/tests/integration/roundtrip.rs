//! The files read back with the parquet crate: one per run and table, every one with its
//! table's schema, and the values of the model.

use std::collections::BTreeSet;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, TimestampMicrosecondType, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use parquet::file::reader::{FileReader, SerializedFileReader};
use srtlog_export::{partition_dir, write_dataset, Table, DATASET_SCHEMA_VERSION, MARKER_FILE};
use srtlog_model::{Mode, Timestamp};

use crate::common::{
    file, metadata, point, read, run, sample_doc, tree, BENCH_COMMAND, ODD_JOB, WORKER_COMMAND,
};

fn f64s(batch: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    batch.column_by_name(name).unwrap().as_primitive::<Float64Type>().iter().collect()
}

fn u32s(batch: &RecordBatch, name: &str) -> Vec<Option<u32>> {
    batch.column_by_name(name).unwrap().as_primitive::<UInt32Type>().iter().collect()
}

fn u64s(batch: &RecordBatch, name: &str) -> Vec<Option<u64>> {
    batch.column_by_name(name).unwrap().as_primitive::<UInt64Type>().iter().collect()
}

fn strs(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    batch.column_by_name(name).unwrap().as_string::<i32>().iter().map(|s| s.map(str::to_owned)).collect()
}

fn micros(batch: &RecordBatch, name: &str) -> Vec<Option<i64>> {
    batch.column_by_name(name).unwrap().as_primitive::<TimestampMicrosecondType>().iter().collect()
}

fn i32s(batch: &RecordBatch, name: &str) -> Vec<Option<i32>> {
    batch.column_by_name(name).unwrap().as_primitive::<Int32Type>().iter().collect()
}

fn u32_list(batch: &RecordBatch, name: &str, row: usize) -> Vec<u32> {
    let list = batch.column_by_name(name).unwrap().as_list::<i32>();
    assert!(!list.is_null(row));
    list.value(row).as_primitive::<UInt32Type>().values().to_vec()
}

fn str_list(batch: &RecordBatch, name: &str, row: usize) -> Vec<String> {
    let list = batch.column_by_name(name).unwrap().as_list::<i32>();
    list.value(row).as_string::<i32>().iter().map(|s| s.unwrap().to_owned()).collect()
}

#[test]
fn every_run_has_one_file_per_table_with_that_tables_schema() {
    let out = tempfile::tempdir().unwrap();
    let doc = sample_doc();
    let summary = write_dataset(&doc, out.path()).unwrap();
    assert_eq!(summary.files, 27);
    assert_eq!(
        (
            summary.rows.runs,
            summary.rows.points,
            summary.rows.batches,
            summary.rows.memory,
            summary.rows.launch_args
        ),
        (3, 5, 5, 4, 6)
    );

    let partitions: BTreeSet<String> = doc.runs.iter().map(|r| partition_dir(&r.metadata.job_id)).collect();
    assert!(partitions.contains("job_id=3667%2Fx%3D1%20y%25ü"), "{partitions:?}");
    for table in Table::ALL {
        let dir = out.path().join(table.name());
        let found: BTreeSet<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert_eq!(found, partitions, "{}", table.name());
        let mut rows = 0;
        for partition in &partitions {
            let files = tree(&dir.join(partition));
            assert_eq!(files, ["part-0.parquet"], "{}/{partition}", table.name());
            let back = read(&dir.join(partition).join("part-0.parquet"));
            assert_eq!(back.schema.fields(), table.schema().fields(), "{}/{partition}", table.name());
            rows += back.rows() as u64;
        }
        assert_eq!(rows, summary.rows.get(table), "{}", table.name());
    }

    // No temporary file is left, and the marker says the dataset is complete.
    assert!(tree(out.path()).iter().all(|f| !f.contains(".tmp")), "{:?}", tree(out.path()));
    let marker: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join(MARKER_FILE)).unwrap()).unwrap();
    assert_eq!(marker["format"], "srtlog-dataset");
    assert_eq!(marker["schema_version"], DATASET_SCHEMA_VERSION);
    assert_eq!(marker["complete"], true);
    assert_eq!(marker["files"], 27);
    assert_eq!(
        marker["rows"],
        serde_json::json!({"runs": 3, "points": 5, "batches": 5, "memory": 4, "accuracy": 0, "launch_args": 6, "requests": 0, "power": 0, "server_metrics": 0})
    );
}

#[test]
fn runs_hold_the_metadata_and_completeness() {
    let out = tempfile::tempdir().unwrap();
    write_dataset(&sample_doc(), out.path()).unwrap();

    let a = read(&file(out.path(), "runs", "5120")).batch();
    assert_eq!(a.num_rows(), 1);
    assert_eq!(strs(&a, "topology"), [Some("1P/2D".to_owned())]);
    assert_eq!(strs(&a, "mode"), [Some("disaggregated".to_owned())]);
    assert_eq!(u32s(&a, "gpus_used"), [Some(12)]);
    assert_eq!(u32s(&a, "total_gpus"), [Some(12)]);
    assert_eq!(u32s(&a, "gpus_per_prefill"), [Some(4)]);
    assert_eq!(u32s(&a, "gpus_per_agg"), [None]);
    assert_eq!(strs(&a, "precision"), [Some("fp4".to_owned())]);
    assert_eq!(strs(&a, "model_path"), [Some("dsr1".to_owned())]);
    assert_eq!(str_list(&a, "tags", 0), ["nightly", "fp4"]);
    assert_eq!(u32_list(&a, "expected_concurrencies", 0), [16, 4, 8]);
    assert_eq!(u32_list(&a, "missing_concurrencies", 0), Vec::<u32>::new());
    assert!(a.column_by_name("is_complete").unwrap().as_boolean().value(0));
    assert_eq!(strs(&a, "result_source"), [Some("json".to_owned())]);
    assert_eq!(strs(&a, "req_rate"), [Some("inf".to_owned())]);
    assert_eq!(strs(&a, "benchmark_command"), [Some(BENCH_COMMAND.to_owned())]);
    assert_eq!(u32s(&a, "num_points"), [Some(3)]);
    assert_eq!(u32s(&a, "num_workers"), [Some(2)]);
    assert_eq!(strs(&a, "path"), [Some("/runs/5120".to_owned())]);
    assert_eq!(strs(&a, "run_date"), [Some("2026-01-16T06:10:02".to_owned())]);
    let expected = Timestamp::from_parts(2026, 1, 16, 6, 10, 2, 0).unwrap();
    assert_eq!(micros(&a, "run_timestamp"), [Some(expected.wall_micros)]);
    assert_eq!(i32s(&a, "run_utc_offset_secs"), [None]);

    let b = read(&file(out.path(), "runs", "4999")).batch();
    assert_eq!(strs(&b, "topology"), [Some("2A".to_owned())]);
    assert_eq!(u32s(&b, "gpus_used"), [Some(16)]);
    assert_eq!(u32s(&b, "isl"), [None]);
    assert_eq!(u32s(&b, "num_workers"), [Some(0)]);
    assert_eq!(i32s(&b, "run_utc_offset_secs"), [Some(3600)]);
    assert!(b.column_by_name("is_complete").unwrap().as_boolean().value(0));

    let c = read(&file(out.path(), "runs", ODD_JOB)).batch();
    assert_eq!(u32_list(&c, "missing_concurrencies", 0), [16]);
    assert!(!c.column_by_name("is_complete").unwrap().as_boolean().value(0));
    assert_eq!(strs(&c, "run_date"), [Some("last tuesday".to_owned())]);
    assert_eq!(micros(&c, "run_timestamp"), [None], "an unparseable date has no timestamp");
    assert_eq!(str_list(&c, "tags", 0), Vec::<String>::new());
    // Without GPUs per worker, gpus_used falls back to total_gpus.
    assert_eq!(u32s(&c, "gpus_used"), [Some(8)]);
}

#[test]
fn points_hold_every_metric_and_the_derived_values() {
    let out = tempfile::tempdir().unwrap();
    let doc = sample_doc();
    write_dataset(&doc, out.path()).unwrap();

    let a = read(&file(out.path(), "points", "5120")).batch();
    assert_eq!(u32s(&a, "concurrency"), [Some(4), Some(8), Some(16)]);
    assert_eq!(f64s(&a, "output_tps"), [Some(1200.0), Some(2400.0), Some(3600.0)]);
    assert_eq!(f64s(&a, "output_tps_per_gpu"), [Some(100.0), Some(200.0), Some(300.0)]);
    assert_eq!(f64s(&a, "total_tps_per_gpu"), [Some(300.0), Some(600.0), Some(900.0)]);
    // total − output.
    assert_eq!(f64s(&a, "input_tps"), [Some(2400.0), Some(4800.0), Some(7200.0)]);
    assert_eq!(f64s(&a, "input_tps_per_gpu"), [Some(200.0), Some(400.0), Some(600.0)]);
    assert_eq!(f64s(&a, "output_tps_per_user"), [Some(50.0); 3]);
    assert_eq!(f64s(&a, "p99_ttft_ms"), [None; 3], "absent metrics are null, never 0");
    assert_eq!(u64s(&a, "total_input_tokens"), [Some(100_000); 3]);
    assert_eq!(strs(&a, "other_metrics")[1].as_deref(), Some(r#"{"inf":"Infinity","p90_itl_ms":7.5}"#));
    assert_eq!(strs(&a, "other_metrics")[0].as_deref(), Some("{}"));
    assert_eq!(strs(&a, "source_file")[2].as_deref(), Some("results_concurrency_16.json"));
    assert_eq!(strs(&a, "topology"), vec![Some("1P/2D".to_owned()); 3]);
    assert_eq!(strs(&a, "gpu_type"), vec![Some("gb200".to_owned()); 3]);
    assert_eq!(u32s(&a, "isl"), [Some(1024); 3]);
    assert_eq!(u32s(&a, "gpus_used"), [Some(12); 3]);
    assert_eq!(strs(&a, "run_path"), vec![Some("/runs/5120".to_owned()); 3]);

    // Every metric of the model is a column, and the values are the model's.
    for (i, p) in doc.runs[0].profiler.points.iter().enumerate() {
        assert_eq!(f64s(&a, "total_tps")[i], p.total_tps);
        assert_eq!(u64s(&a, "completed")[i], p.completed);
        assert_eq!(f64s(&a, "duration")[i], p.duration);
    }

    let b = read(&file(out.path(), "points", "4999")).batch();
    assert_eq!(u32s(&b, "concurrency"), [None], "an open-loop point has no concurrency");
    assert_eq!(f64s(&b, "output_tps_per_gpu"), [Some(500.0)]);
    assert_eq!(strs(&b, "source_file"), [None]);
    assert_eq!(u32s(&b, "isl"), [None]);
}

#[test]
fn batches_and_memory_hold_every_worker_row_and_empty_files_keep_the_schema() {
    let out = tempfile::tempdir().unwrap();
    write_dataset(&sample_doc(), out.path()).unwrap();

    let a = read(&file(out.path(), "batches", "5120")).batch();
    assert_eq!(a.num_rows(), 5);
    assert_eq!(
        strs(&a, "node_name"),
        ["eos0219", "eos0219", "eos0219", "eos0220", "eos0220"].map(|s| Some(s.to_owned())).to_vec()
    );
    assert_eq!(strs(&a, "worker_type")[3].as_deref(), Some("decode"));
    assert_eq!(strs(&a, "worker_id")[0].as_deref(), Some("w0"));
    assert_eq!(strs(&a, "batch_type")[0].as_deref(), Some("prefill"));
    assert_eq!(u32s(&a, "running_req"), [Some(4), Some(8), Some(2), Some(16), Some(32)]);
    assert_eq!(f64s(&a, "token_usage"), [Some(0.25); 5]);
    assert_eq!(u32s(&a, "new_seq"), [None; 5]);
    let zoned = Timestamp::parse("2025-12-30T15:52:38.206058Z").unwrap();
    assert_eq!(micros(&a, "timestamp")[4], Some(zoned.wall_micros));
    assert_eq!(i32s(&a, "utc_offset_secs"), [None, None, None, None, Some(0)]);
    assert_eq!((u32s(&a, "dp")[4], u32s(&a, "tp")[4], u32s(&a, "ep")[4]), (Some(1), Some(2), Some(3)));
    let graphs: Vec<Option<bool>> = a.column_by_name("cuda_graph").unwrap().as_boolean().iter().collect();
    assert_eq!(graphs, [None, None, None, None, Some(true)]);

    let m = read(&file(out.path(), "memory", "5120")).batch();
    assert_eq!(strs(&m, "event")[1].as_deref(), Some("kv_cache_allocated"));
    assert_eq!(strs(&m, "metric_type")[1].as_deref(), Some("kv_cache"));
    assert_eq!(u64s(&m, "kv_tokens"), [None, Some(1_000_000), None]);
    assert_eq!(f64s(&m, "avail_mem_gb"), [Some(100.0), None, Some(100.0)]);
    assert_eq!(micros(&m, "timestamp"), [None; 3]);

    // Runs without workers, or without batches, still have their (row-less) files.
    for (table, job) in [("batches", "4999"), ("memory", "4999"), ("batches", ODD_JOB)] {
        let back = read(&file(out.path(), table, job));
        assert_eq!(back.rows(), 0, "{table}/{job}");
        assert_eq!(back.schema.fields(), Table::from_name(table).unwrap().schema().fields());
    }
    assert_eq!(read(&file(out.path(), "memory", ODD_JOB)).rows(), 1);
}

#[test]
fn every_footer_names_its_table_and_job() {
    let out = tempfile::tempdir().unwrap();
    write_dataset(&sample_doc(), out.path()).unwrap();
    let back = read(&file(out.path(), "points", ODD_JOB));
    let footer: serde_json::Value = serde_json::from_str(&back.footer["srtlog.export"]).unwrap();
    assert_eq!(
        footer,
        serde_json::json!({"schema_version": DATASET_SCHEMA_VERSION, "table": "points", "job_id": ODD_JOB, "rows": 1})
    );
}

#[test]
fn runs_sharing_a_job_id_share_its_partition() {
    let out = tempfile::tempdir().unwrap();
    let mut first = metadata("77", Mode::Aggregated);
    first.agg_workers = 1;
    let mut second = first.clone();
    second.path = "/runs/77_rerun".to_owned();
    let doc = srtlog_model::AnalysisDocument {
        schema_version: 1,
        runs: vec![
            run(first, Default::default(), vec![point(Some(1), 10.0)]),
            run(second, Default::default(), vec![point(Some(1), 20.0), point(Some(2), 30.0)]),
        ],
        skipped: vec![],
    };
    let summary = write_dataset(&doc, out.path()).unwrap();
    assert_eq!(summary.files, 18);
    assert_eq!(tree(&out.path().join("points")), ["job_id=77/part-0.parquet", "job_id=77/part-1.parquet"]);
    let second = read(&out.path().join("points/job_id=77/part-1.parquet")).batch();
    assert_eq!(strs(&second, "run_path"), vec![Some("/runs/77_rerun".to_owned()); 2]);
    assert_eq!(f64s(&second, "output_tps"), [Some(20.0), Some(30.0)]);
}

#[test]
fn a_document_without_runs_gives_empty_tables() {
    let out = tempfile::tempdir().unwrap();
    let doc = srtlog_model::AnalysisDocument { schema_version: 1, runs: vec![], skipped: vec![] };
    let summary = write_dataset(&doc, out.path()).unwrap();
    assert_eq!(summary.files, 0);
    assert_eq!(tree(out.path()), [srtlog_export::LOCK_FILE, MARKER_FILE]);
    for table in Table::ALL {
        assert!(out.path().join(table.name()).is_dir());
    }
}

#[test]
fn a_worker_with_more_batches_than_a_chunk_keeps_every_row_in_order() {
    let out = tempfile::tempdir().unwrap();
    let mut doc = sample_doc();
    doc.runs.truncate(1);
    let n: u32 = 150_000; // more than two 64 Ki-row chunks and one 128 Ki-row row group
    let batches = (0..n)
        .map(|i| {
            let mut b = srtlog_model::BatchMetrics::new(srtlog_model::BatchType::Decode);
            b.set_count(srtlog_model::CountField::RunningReq, i);
            b
        })
        .collect();
    doc.runs[0].nodes[1].metrics.batches = batches;
    let summary = write_dataset(&doc, out.path()).unwrap();
    assert_eq!(summary.rows.batches, u64::from(n) + 3);

    let back = read(&file(out.path(), "batches", "5120"));
    assert_eq!(back.rows() as u64, u64::from(n) + 3);
    let running: Vec<Option<u32>> = back.batches.iter().flat_map(|b| u32s(b, "running_req")).collect();
    assert_eq!(&running[..3], [Some(4), Some(8), Some(2)]);
    assert!(running[3..].iter().zip(0..).all(|(v, i)| *v == Some(i)));
    let reader = SerializedFileReader::new(std::fs::File::open(file(out.path(), "batches", "5120")).unwrap());
    assert_eq!(reader.unwrap().metadata().num_row_groups(), 2, "row groups of at most 128 Ki rows");
}

#[test]
fn accuracy_holds_every_result_beside_the_points() {
    use srtlog_columnar::accuracy::AccuracyArrays;
    use srtlog_model::AccuracyResult;

    let out = tempfile::tempdir().unwrap();
    let mut with_eval =
        run(metadata("6107", Mode::Aggregated), Default::default(), vec![point(Some(4), 480.5)]);
    let strict = AccuracyResult {
        eval: "lm-eval".into(),
        task: "gsm8k".into(),
        metric: "exact_match".into(),
        filter: Some("strict-match".into()),
        value: 0.7612,
        stderr: Some(0.0117),
        samples: Some(1319),
        higher_is_better: Some(true),
        source_file: "logs/eval_results/results_x.json".into(),
    };
    let bare = AccuracyResult {
        filter: None,
        stderr: None,
        samples: None,
        higher_is_better: None,
        ..strict.clone()
    };
    with_eval.accuracy = vec![strict.clone(), bare.clone()];
    with_eval.accuracy_warnings = vec!["logs/accuracy/notes.json: not a recognised accuracy file".into()];
    let doc = srtlog_model::AnalysisDocument { schema_version: 1, runs: vec![with_eval], skipped: vec![] };
    let summary = write_dataset(&doc, out.path()).unwrap();
    assert_eq!((summary.rows.points, summary.rows.accuracy), (1, 2));

    let batch = read(&file(out.path(), "accuracy", "6107")).batch();
    let arrays = AccuracyArrays::of(&batch).unwrap();
    assert_eq!((arrays.get(0), arrays.get(1)), (Ok(strict), Ok(bare)));
    assert_eq!(strs(&batch, "topology"), vec![Some("0A".to_owned()); 2]);
    let runs = read(&file(out.path(), "runs", "6107")).batch();
    assert_eq!(u32s(&runs, "num_accuracy_results"), [Some(2)]);
    assert_eq!(
        str_list(&runs, "accuracy_warnings", 0),
        ["logs/accuracy/notes.json: not a recognised accuracy file"]
    );
}

#[test]
fn launch_args_round_trip_by_name_and_type() {
    let out = tempfile::tempdir().unwrap();
    let doc = sample_doc();
    write_dataset(&doc, out.path()).unwrap();
    let batch = read(&file(out.path(), "launch_args", "5120")).batch();
    // The benchmark's three settings first (no worker), then the prefill worker's three.
    assert_eq!(
        strs(&batch, "tool"),
        ["sa-bench", "sa-bench", "sa-bench", "sglang", "sglang", "sglang"].map(|t| Some(t.to_owned()))
    );
    let bench = |s: &str| Some(s.to_owned());
    assert_eq!(
        strs(&batch, "node_name"),
        [None, None, None, bench("eos0219"), bench("eos0219"), bench("eos0219")]
    );
    assert_eq!(strs(&batch, "worker_type")[3..], [bench("prefill"), bench("prefill"), bench("prefill")]);
    assert_eq!(strs(&batch, "worker_id")[..3], [None, None, None]);
    assert_eq!(
        strs(&batch, "name"),
        [
            "percentile_metrics",
            "random_input_len",
            "request_rate",
            "enable_dp_attention",
            "mem_fraction_static",
            "tp_size"
        ]
        .map(|n| Some(n.to_owned()))
    );
    assert_eq!(
        strs(&batch, "value"),
        [r#"["ttft","tpot"]"#, "1024", r#""inf""#, "true", "0.84", "4"].map(|v| Some(v.to_owned()))
    );
    assert_eq!(
        strs(&batch, "value_type"),
        ["list", "int", "str", "bool", "float", "int"].map(|v| Some(v.to_owned()))
    );
    assert_eq!(strs(&batch, "raw_command")[0], Some(BENCH_COMMAND.to_owned()));
    assert_eq!(strs(&batch, "raw_command")[5], Some(WORKER_COMMAND.to_owned()));
    assert_eq!(strs(&batch, "run_path"), vec![Some("/runs/5120".to_owned()); 6]);

    // Read back through the columnar group, each command's rows are exactly its arguments.
    let arrays = srtlog_columnar::launch_args::LaunchArgArrays::of(&batch).unwrap();
    let run = &doc.runs[0];
    assert_eq!(arrays.collect(0..3).unwrap(), run.benchmark_launch_command.as_ref().unwrap().args);
    let worker = run.nodes[0].node_config.launch_command.as_ref().unwrap();
    assert_eq!(arrays.collect(3..6).unwrap(), worker.args);

    // Runs without launch commands have a file with no rows.
    assert_eq!(read(&file(out.path(), "launch_args", "4999")).rows(), 0);
}

#[test]
fn requests_hold_every_record_with_nulls_for_what_is_absent() {
    use arrow_array::types::Int64Type;
    use srtlog_model::{RequestError, RequestPhase, RequestRecord};
    let out = tempfile::tempdir().unwrap();
    let mut r = run(metadata("5200", Mode::Aggregated), Default::default(), vec![point(Some(4), 10.0)]);
    r.requests = vec![
        RequestRecord {
            concurrency: Some(4),
            start_ns: Some(1_762_551_534_797_067_827),
            end_ns: Some(1_762_551_538_441_354_976),
            phase: Some(RequestPhase::Profiling),
            ttft_ms: Some(31.75),
            output_tokens: Some(200),
            was_cancelled: Some(false),
            ..Default::default()
        },
        RequestRecord {
            concurrency: Some(4),
            phase: Some(RequestPhase::Warmup),
            error: Some(RequestError {
                code: Some(499),
                error_type: Some("RequestCancellationError".into()),
            }),
            ..Default::default()
        },
    ];
    let doc = srtlog_model::AnalysisDocument { schema_version: 1, runs: vec![r], skipped: vec![] };
    let summary = write_dataset(&doc, out.path()).unwrap();
    assert_eq!(summary.rows.requests, 2);
    let b = read(&file(out.path(), "requests", "5200")).batch();
    assert_eq!(u32s(&b, "concurrency"), [Some(4), Some(4)]);
    let i64s = |name: &str| -> Vec<Option<i64>> {
        b.column_by_name(name).unwrap().as_primitive::<Int64Type>().iter().collect()
    };
    assert_eq!(i64s("start_ns"), [Some(1_762_551_534_797_067_827), None]);
    assert_eq!(i64s("ack_ns"), [None, None]);
    assert_eq!(i64s("error_code"), [None, Some(499)]);
    assert_eq!(strs(&b, "phase"), [Some("profiling".to_owned()), Some("warmup".to_owned())]);
    assert_eq!(f64s(&b, "ttft_ms"), [Some(31.75), None]);
    assert_eq!(u64s(&b, "output_tokens"), [Some(200), None]);
    assert_eq!(strs(&b, "error_type"), [None, Some("RequestCancellationError".to_owned())]);
    let is_error: Vec<Option<bool>> = b.column_by_name("is_error").unwrap().as_boolean().iter().collect();
    assert_eq!(is_error, [Some(false), Some(true)]);
    assert_eq!(strs(&b, "run_path"), vec![Some(doc.runs[0].metadata.path.clone()); 2]);
}

#[test]
fn power_samples_and_point_energy_reach_their_tables() {
    use srtlog_model::{
        CpuPowerSample, ExpectedDevice, GpuPowerSample, PowerManifest, PowerSource, RunPower, WorkerType,
    };
    let out = tempfile::tempdir().unwrap();
    let mut p = point(Some(4), 10.0);
    (p.window_start_unix, p.window_end_unix, p.total_output_tokens) = (Some(100.0), Some(102.0), Some(50));
    let mut r = run(metadata("5300", Mode::Aggregated), Default::default(), vec![p, point(Some(8), 20.0)]);
    let mut power = RunPower::new(PowerSource::PowerSamples);
    power.gpu_samples = (0..3)
        .map(|k| GpuPowerSample { t_unix: 100.0 + f64::from(k), host: "n1".into(), gpu: 0, watts: 100.0 })
        .collect();
    power.cpu_samples = vec![CpuPowerSample { t_unix: 100.0, host: "n1".into(), watts: 50.0 }];
    power.manifest = Some(PowerManifest {
        expected_devices: vec![ExpectedDevice { host: "n1".into(), gpu: 0, roles: vec![WorkerType::Agg] }],
        ..Default::default()
    });
    r.power = Some(power);
    r.update_derived();
    let doc = srtlog_model::AnalysisDocument { schema_version: 1, runs: vec![r], skipped: vec![] };
    let summary = write_dataset(&doc, out.path()).unwrap();
    assert_eq!(summary.rows.power, 4);
    let b = read(&file(out.path(), "power", "5300")).batch();
    assert_eq!(strs(&b, "device"), ["gpu", "gpu", "gpu", "cpu"].map(|d| Some(d.to_owned())));
    assert_eq!(u32s(&b, "gpu"), [Some(0), Some(0), Some(0), None]);
    assert_eq!(strs(&b, "role")[0].as_deref(), Some("agg"));
    assert_eq!(f64s(&b, "watts"), [Some(100.0), Some(100.0), Some(100.0), Some(50.0)]);
    assert_eq!(strs(&b, "source")[3].as_deref(), Some("power_samples"));
    // Points: 100 W × 2 s = 200 J over 50 output tokens = 4 J/token; the second point has no
    // window, so no energy and a reason. One CPU sample covers no window: no CPU figure.
    let b = read(&file(out.path(), "points", "5300")).batch();
    assert_eq!(f64s(&b, "energy_gpu_j"), [Some(200.0), None]);
    assert_eq!(f64s(&b, "j_per_output_token"), [Some(4.0), None]);
    assert_eq!(f64s(&b, "energy_cpu_j"), [None, None]);
    assert_eq!(
        strs(&b, "power_source"),
        [Some("power_samples".to_owned()), Some("power_samples".to_owned())]
    );
    assert_eq!(strs(&b, "energy_window_source")[0].as_deref(), Some("aiperf_records"));
    assert!(strs(&b, "energy_reason")[1].as_deref().unwrap().starts_with("no measurement window"));
}

#[test]
fn server_metrics_round_trip_through_the_dataset() {
    use srtlog_columnar::server_metrics::ServerPointArrays;
    use srtlog_model::{ServerMetrics, ServerSeries, ServerTimeBase, ServerWorker};
    let out = tempfile::tempdir().unwrap();
    let mut r = run(metadata("5300", Mode::Disaggregated), Default::default(), vec![point(Some(4), 10.0)]);
    let decode = ServerWorker {
        endpoint: "backend_decode0_rank0".into(),
        role: Some("decode".into()),
        index: Some(0),
        process: Some(0),
        host: Some("lyris0073".into()),
        gpu: None,
    };
    let metrics = ServerMetrics {
        time_base: ServerTimeBase::Unix,
        series: vec![
            ServerSeries {
                worker: decode.clone(),
                metric: "sglang:num_running_reqs".into(),
                labels: vec![("engine_type".into(), "decode".into()), ("tp_rank".into(), "0".into())],
                le: None,
                t: vec![1_796_156_236.35, 1_796_156_236.55],
                values: vec![44.0, 43.0],
            },
            ServerSeries {
                worker: decode,
                metric: "sglang:time_to_first_token_seconds".into(),
                labels: vec![("model_name".into(), "deepseek-ai/DeepSeek-R1".into())],
                le: Some(f64::INFINITY),
                t: vec![1_796_156_236.35],
                values: vec![16.0],
            },
        ],
        sources: vec!["logs/tachometer/final.parquet".into()],
        ..ServerMetrics::default()
    };
    r.server_metrics_summary = Some(metrics.summary());
    r.server_metrics = Some(metrics.clone());
    let doc = srtlog_model::AnalysisDocument { schema_version: 1, runs: vec![r], skipped: vec![] };
    let summary = write_dataset(&doc, out.path()).unwrap();
    assert_eq!(summary.rows.get(Table::ServerMetrics), 3);
    let b = read(&file(out.path(), "server_metrics", "5300")).batch();
    assert_eq!(
        strs(&b, "labels"),
        [
            Some("engine_type=\"decode\",tp_rank=\"0\"".to_owned()),
            Some("engine_type=\"decode\",tp_rank=\"0\"".to_owned()),
            Some("model_name=\"deepseek-ai/DeepSeek-R1\"".to_owned())
        ]
    );
    assert_eq!(f64s(&b, "le"), [None, None, Some(f64::INFINITY)]);
    assert_eq!(strs(&b, "time_base"), vec![Some("unix".to_owned()); 3]);
    assert_eq!(strs(&b, "run_path"), vec![Some(doc.runs[0].metadata.path.clone()); 3]);
    let mut back = ServerMetrics::default();
    ServerPointArrays::of(&b).unwrap().append_to(b.num_rows(), &mut back).unwrap();
    assert_eq!(back.series, metrics.series);
    // The run row names the files and counts the points.
    let runs = read(&file(out.path(), "runs", "5300")).batch();
    assert_eq!(u64s(&runs, "server_metrics_points"), [Some(3)]);
    let sources = runs.column_by_name("server_metrics_sources").unwrap().as_list::<i32>().value(0);
    assert_eq!(sources.as_string::<i32>().value(0), "logs/tachometer/final.parquet");
}
