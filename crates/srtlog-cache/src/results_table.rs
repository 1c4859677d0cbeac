//! The `benchmark_results` table: one row per [`BenchmarkPoint`], in the order of
//! [`ProfilerResults::points`](srtlog_model::ProfilerResults): the concurrency, the named
//! metrics (the columnar layer's [`PointMetricColumns`], shared with the dataset's `points/`),
//! the extra metrics as JSON text and the source file.

use std::sync::{Arc, LazyLock};

use arrow_array::{Array as _, ArrayRef, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{ArrowError, Schema, SchemaRef};
use srtlog_columnar::columns;
use srtlog_columnar::columns::{column, opt, Columns, Opt, ReqText, Text};
use srtlog_columnar::points::{PointMetricArrays, PointMetricColumns};
use srtlog_columnar::{decode_other_metrics, encode_other_metrics};
use srtlog_model::BenchmarkPoint;

columns! {
    /// The columns of `benchmark_results`, in file order.
    struct ResultsColumns {
        concurrency: Opt<u32>,
        metrics: PointMetricColumns,
        other_metrics: ReqText,
        source_file: Text,
    }
}

/// Arrow builder of the `benchmark_results` table: [`append`](Self::append) points, then
/// [`finish`](Self::finish) a record batch (the builder is then empty and reusable).
pub(crate) struct ResultsBuilder(ResultsColumns);

impl ResultsBuilder {
    pub(crate) fn new() -> Self {
        ResultsBuilder(ResultsColumns::default())
    }

    /// Appends one point as one row.
    pub(crate) fn append(&mut self, point: &BenchmarkPoint) {
        let cols = &mut self.0;
        cols.concurrency.push(point.concurrency);
        cols.metrics.push(point);
        cols.other_metrics.push(&encode_other_metrics(&point.other_metrics));
        cols.source_file.push(point.source_file.as_deref());
    }

    /// The rows appended since the last `finish`, as a batch of [`results_schema`].
    pub(crate) fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let mut arrays: Vec<ArrayRef> = Vec::new();
        self.0.finish(&mut arrays);
        RecordBatch::try_new(results_schema(), arrays)
    }
}

impl<'a> Extend<&'a BenchmarkPoint> for ResultsBuilder {
    fn extend<I: IntoIterator<Item = &'a BenchmarkPoint>>(&mut self, points: I) {
        points.into_iter().for_each(|p| self.append(p));
    }
}

static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = Vec::new();
    ResultsColumns::fields("", &mut fields);
    Arc::new(Schema::new(fields))
});

/// The Arrow schema of `benchmark_results.parquet`.
pub(crate) fn results_schema() -> SchemaRef {
    Arc::clone(&SCHEMA)
}

/// Decodes the rows of `batch` (of [`results_schema`]) and appends them to `out`.
pub(crate) fn decode_results(batch: &RecordBatch, out: &mut Vec<BenchmarkPoint>) -> Result<(), String> {
    let concurrency = column::<UInt32Array>(batch, "concurrency")?;
    let metrics = PointMetricArrays::of(batch)?;
    let other_metrics = column::<StringArray>(batch, "other_metrics")?;
    let source_file = column::<StringArray>(batch, "source_file")?;
    for row in 0..batch.num_rows() {
        if other_metrics.is_null(row) {
            return Err(format!("row {row}: column \"other_metrics\" is null"));
        }
        let mut point = BenchmarkPoint {
            concurrency: opt::<u32>(concurrency, row),
            other_metrics: decode_other_metrics(other_metrics.value(row))
                .map_err(|e| format!("row {row}: other_metrics: {e}"))?,
            source_file: (!source_file.is_null(row)).then(|| source_file.value(row).to_owned()),
            ..BenchmarkPoint::default()
        };
        metrics.fill(row, &mut point);
        out.push(point);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use arrow_schema::DataType;

    use super::*;

    #[test]
    fn the_columns_follow_the_model() {
        let schema = results_schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names.len(), BenchmarkPoint::METRIC_NAMES.len() + 3);
        assert_eq!(names[0], "concurrency");
        assert_eq!(&names[1..names.len() - 2], BenchmarkPoint::METRIC_NAMES);
        assert_eq!(&names[names.len() - 2..], ["other_metrics", "source_file"]);
        // The file format of earlier versions: every column nullable but `other_metrics`.
        let other = schema.field_with_name("other_metrics").unwrap();
        assert!(!other.is_nullable() && *other.data_type() == DataType::Utf8);
        assert!(schema.fields().iter().filter(|f| f.name() != "other_metrics").all(|f| f.is_nullable()));
    }
}
