//! The tables in memory (`table_batches`, for the Python bindings) are the dataset's files:
//! the same rows, columns and values, plus the partition column `job_id` first; `skipped` has
//! its own columns.

use arrow_array::cast::AsArray;
use arrow_array::RecordBatch;
use srtlog_export::{skipped_batches, skipped_schema, table_batches, write_dataset, Table};
use srtlog_model::{AccuracyResult, SkipKind, SkippedRun};

use crate::common::{file, read, sample_doc};

/// The one batch of a small table (a table in memory is chunked only past 64 Ki rows).
fn single(batches: &[RecordBatch]) -> RecordBatch {
    assert_eq!(batches.len(), 1, "small documents give one batch per table");
    batches[0].clone()
}

#[test]
fn every_table_in_memory_is_the_dataset_file_plus_job_id() {
    let mut doc = sample_doc();
    doc.runs[0].accuracy.push(AccuracyResult {
        eval: "lm-eval".into(),
        task: "gsm8k".into(),
        metric: "exact_match".into(),
        filter: Some("strict-match".into()),
        value: 0.9507,
        stderr: Some(0.006),
        samples: Some(1319),
        higher_is_better: Some(true),
        source_file: "logs/accuracy/results_2026-01-16.json".into(),
    });
    let out = tempfile::tempdir().unwrap();
    write_dataset(&doc, out.path()).unwrap();
    for table in Table::ALL {
        let batches = table_batches(table, &doc.runs).unwrap();
        let mut rows_seen = 0;
        let memory = if batches.is_empty() { None } else { Some(single(&batches)) };
        for run in &doc.runs {
            let job_id = run.metadata.job_id.as_str();
            let written = read(&file(out.path(), table.name(), job_id));
            let rows: usize = written.batches.iter().map(RecordBatch::num_rows).sum();
            if rows == 0 {
                continue;
            }
            let memory = memory.as_ref().unwrap();
            assert_eq!(memory.schema(), table.memory_schema());
            let part = memory.slice(rows_seen, rows);
            rows_seen += rows;
            let ids = part.column(0).as_string::<i32>();
            assert!(ids.iter().all(|id| id == Some(job_id)), "{}: job_id", table.name());
            // The rest is the file's columns, value for value.
            let rest = RecordBatch::try_new(table.schema(), part.columns()[1..].to_vec()).unwrap();
            assert_eq!(written.batches.len(), 1);
            assert_eq!(rest, written.batches[0], "{} of {job_id}", table.name());
        }
        let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(total, rows_seen, "{}", table.name());
    }
    // The sample has rows in every table but requests: the comparison is not vacuous.
    for table in
        [Table::Runs, Table::Points, Table::Batches, Table::Memory, Table::Accuracy, Table::LaunchArgs]
    {
        let rows: usize = table_batches(table, &doc.runs).unwrap().iter().map(RecordBatch::num_rows).sum();
        assert!(rows > 0, "{}", table.name());
    }
}

#[test]
fn skipped_directories_have_their_own_columns() {
    let skipped = vec![
        SkippedRun {
            path: "/runs/1002".into(),
            job_id: Some("1002".into()),
            kind: SkipKind::InvalidMetadata,
            reason: "/runs/1002/1002.json: invalid JSON".into(),
        },
        SkippedRun {
            path: "/runs/notes".into(),
            job_id: None,
            kind: SkipKind::NoMetadata,
            reason: "no metadata".into(),
        },
    ];
    let batches = skipped_batches(&skipped).unwrap();
    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    assert_eq!(b.schema(), skipped_schema());
    let schema = b.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["path", "job_id", "kind", "reason"]);
    let col =
        |i: usize| b.column(i).as_string::<i32>().iter().map(|s| s.map(str::to_owned)).collect::<Vec<_>>();
    assert_eq!(col(0), [Some("/runs/1002".to_owned()), Some("/runs/notes".to_owned())]);
    assert_eq!(col(1), [Some("1002".to_owned()), None]);
    assert_eq!(col(2), [Some("invalid_metadata".to_owned()), Some("no_metadata".to_owned())]);
    assert_eq!(col(3)[0].as_deref(), Some("/runs/1002/1002.json: invalid JSON"));
    assert_eq!(skipped_batches(&[]).unwrap()[0].num_rows(), 0);
}
