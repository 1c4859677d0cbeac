//! The `benchmark_results` table: one row per [`BenchmarkPoint`], in the order of
//! [`ProfilerResults::points`](srtlog_model::ProfilerResults).

use std::sync::{Arc, LazyLock};

use arrow_array::builder::{StringBuilder, UInt32Builder};
use arrow_array::{Array as _, ArrayRef, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use srtlog_columnar::{decode_other_metrics, encode_other_metrics};
use srtlog_model::BenchmarkPoint;

use srtlog_columnar::columns::{column, opt, Scalar};

/// Declares the table from the list of [`BenchmarkPoint`]'s named metrics, in declaration order
/// — the model's own list, passed in by [`srtlog_model::with_point_metrics`]. A unit test
/// compares the columns with `BenchmarkPoint::METRIC_NAMES`.
macro_rules! results_table {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty ),+ $(,)?) => {
        /// Arrow builder of the `benchmark_results` table: [`append`](Self::append) points, then
        /// [`finish`](Self::finish) a record batch (the builder is then empty and reusable).
        pub(crate) struct ResultsBuilder {
            concurrency: UInt32Builder,
            $($field: <$ty as Scalar>::Builder,)+
            other_metrics: StringBuilder,
            source_file: StringBuilder,
        }

        impl ResultsBuilder {
            pub(crate) fn new() -> Self {
                ResultsBuilder {
                    concurrency: UInt32Builder::new(),
                    $($field: Default::default(),)+
                    other_metrics: StringBuilder::new(),
                    source_file: StringBuilder::new(),
                }
            }

            /// Appends one point as one row.
            pub(crate) fn append(&mut self, point: &BenchmarkPoint) {
                let BenchmarkPoint { concurrency, $($field,)+ other_metrics, source_file } = point;
                self.concurrency.append_option(*concurrency);
                $( <$ty as Scalar>::append(&mut self.$field, *$field); )+
                self.other_metrics.append_value(encode_other_metrics(other_metrics));
                self.source_file.append_option(source_file.as_deref());
            }

            /// The rows appended since the last `finish`, as a batch of [`results_schema`].
            pub(crate) fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
                let columns: Vec<ArrayRef> = vec![
                    Arc::new(self.concurrency.finish()),
                    $( Arc::new(self.$field.finish()), )+
                    Arc::new(self.other_metrics.finish()),
                    Arc::new(self.source_file.finish()),
                ];
                RecordBatch::try_new(results_schema(), columns)
            }
        }

        impl<'a> Extend<&'a BenchmarkPoint> for ResultsBuilder {
            fn extend<I: IntoIterator<Item = &'a BenchmarkPoint>>(&mut self, points: I) {
                points.into_iter().for_each(|p| self.append(p));
            }
        }

        static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
            Arc::new(Schema::new(vec![
                Field::new("concurrency", DataType::UInt32, true),
                $( Field::new(stringify!($field), <$ty as Scalar>::DATA_TYPE, true), )+
                Field::new("other_metrics", DataType::Utf8, false),
                Field::new("source_file", DataType::Utf8, true),
            ]))
        });

        /// Decodes the rows of `batch` (of [`results_schema`]) and appends them to `out`.
        pub(crate) fn decode_results(batch: &RecordBatch, out: &mut Vec<BenchmarkPoint>) -> Result<(), String> {
            let concurrency = column::<UInt32Array>(batch, "concurrency")?;
            $( let $field = column::<<$ty as Scalar>::Array>(batch, stringify!($field))?; )+
            let other_metrics = column::<StringArray>(batch, "other_metrics")?;
            let source_file = column::<StringArray>(batch, "source_file")?;
            for row in 0..batch.num_rows() {
                if other_metrics.is_null(row) {
                    return Err(format!("row {row}: column \"other_metrics\" is null"));
                }
                out.push(BenchmarkPoint {
                    concurrency: opt::<u32>(concurrency, row),
                    $( $field: opt::<$ty>($field, row), )+
                    other_metrics: decode_other_metrics(other_metrics.value(row))
                        .map_err(|e| format!("row {row}: other_metrics: {e}"))?,
                    source_file: (!source_file.is_null(row)).then(|| source_file.value(row).to_owned()),
                });
            }
            Ok(())
        }

        #[cfg(test)]
        const METRIC_COLUMNS: &[&str] = &[$( stringify!($field) ),+];
    };
}

srtlog_model::with_point_metrics!(results_table! {});

/// The Arrow schema of `benchmark_results.parquet`.
pub(crate) fn results_schema() -> SchemaRef {
    Arc::clone(&SCHEMA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_follow_the_model() {
        assert_eq!(METRIC_COLUMNS, BenchmarkPoint::METRIC_NAMES);
        let schema = results_schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names.len(), BenchmarkPoint::METRIC_NAMES.len() + 3);
        assert_eq!(names[0], "concurrency");
        assert_eq!(&names[1..names.len() - 2], BenchmarkPoint::METRIC_NAMES);
    }
}
