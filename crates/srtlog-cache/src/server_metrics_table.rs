//! The `server_metrics` table: one row per point of the run's Tachometer series, series by
//! series — the columnar layer's [`ServerPointColumns`], shared with the dataset's
//! `server_metrics/`. What is not rows (sources, time base, counts, read errors) is in the
//! footer's extras.

use std::sync::{Arc, LazyLock};

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, Schema, SchemaRef};
use srtlog_columnar::columns::Columns;
use srtlog_columnar::server_metrics::{ServerPointArrays, ServerPointColumns};
use srtlog_model::ServerMetrics;

/// Writes `metrics` as batches of at most `rows` rows, handing each to `write`.
pub(crate) fn write_batches(
    metrics: &ServerMetrics,
    rows: usize,
    mut write: impl FnMut(RecordBatch) -> Result<(), crate::CacheError>,
    arrow_error: impl Fn(ArrowError) -> crate::CacheError,
) -> Result<(), crate::CacheError> {
    let mut cols = ServerPointColumns::default();
    let mut in_batch = 0;
    let flush = |cols: &mut ServerPointColumns| {
        let mut arrays: Vec<ArrayRef> = Vec::new();
        cols.finish(&mut arrays);
        RecordBatch::try_new(server_metrics_schema(), arrays)
    };
    for series in &metrics.series {
        let mut from = 0;
        while from < series.t.len() {
            let n = cols.push_points(series, metrics.time_base, from, rows - in_batch);
            from += n;
            in_batch += n;
            if in_batch == rows {
                write(flush(&mut cols).map_err(&arrow_error)?)?;
                in_batch = 0;
            }
        }
    }
    if in_batch > 0 {
        write(flush(&mut cols).map_err(&arrow_error)?)?;
    }
    Ok(())
}

static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = Vec::new();
    ServerPointColumns::fields("", &mut fields);
    Arc::new(Schema::new(fields))
});

/// The Arrow schema of `server_metrics.parquet`.
pub(crate) fn server_metrics_schema() -> SchemaRef {
    Arc::clone(&SCHEMA)
}

/// Decodes the rows of `batch` (of [`server_metrics_schema`]) onto `out`'s series.
pub(crate) fn decode_server_metrics(batch: &RecordBatch, out: &mut ServerMetrics) -> Result<(), String> {
    ServerPointArrays::of(batch)?.append_to(batch.num_rows(), out)
}
