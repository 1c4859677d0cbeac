//! The columns of a [`BenchmarkPoint`]'s named metrics, both ways: one nullable column per
//! metric, in the model's order, expanded from the model's own list
//! ([`srtlog_model::with_point_metrics`]). The cache's `benchmark_results` table and the
//! dataset's `points/` both splice this group in, so a metric added to the model reaches both
//! files under one name and one Arrow type.

use arrow_array::RecordBatch;
use srtlog_model::BenchmarkPoint;

use crate::columns::{column, opt, Opt, Scalar};

macro_rules! point_metric_columns {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty ),+ $(,)?) => {
        crate::columns! {
            /// One nullable column per named metric of [`BenchmarkPoint`] (a group: splice it
            /// into a table with [`columns!`](crate::columns!)).
            pub struct PointMetricColumns { $($field: Opt<$ty>),+ }
        }

        impl PointMetricColumns {
            /// Appends the named metrics of `point` (not its concurrency, extra metrics or
            /// source file, which each table places itself).
            pub fn push(&mut self, point: &BenchmarkPoint) {
                let BenchmarkPoint { concurrency: _, $($field,)+ other_metrics: _, source_file: _ } = point;
                $( self.$field.push(*$field); )+
            }
        }

        /// The metric columns of a decoded record batch, typed.
        pub struct PointMetricArrays<'a> {
            $( $field: &'a <$ty as Scalar>::Array, )+
        }

        impl<'a> PointMetricArrays<'a> {
            /// The metric columns of `batch`; a message naming the column that is absent or of
            /// another type.
            pub fn of(batch: &'a RecordBatch) -> Result<Self, String> {
                Ok(PointMetricArrays {
                    $( $field: column::<<$ty as Scalar>::Array>(batch, stringify!($field))?, )+
                })
            }

            /// Sets the named metrics of `point` from row `row`.
            pub fn fill(&self, row: usize, point: &mut BenchmarkPoint) {
                $( point.$field = opt::<$ty>(self.$field, row); )+
            }
        }

        /// The metric columns' names, in table order.
        pub const POINT_METRIC_COLUMNS: &[&str] = &[$(stringify!($field)),+];
    };
}

srtlog_model::with_point_metrics!(point_metric_columns! {});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_schema::Schema;

    use super::*;
    use crate::columns::Columns;

    #[test]
    fn every_metric_of_the_model_round_trips() {
        assert_eq!(POINT_METRIC_COLUMNS, BenchmarkPoint::METRIC_NAMES);
        let point = BenchmarkPoint {
            output_tps: Some(1024.5),
            mean_ttft_ms: Some(120.25),
            completed: Some(80),
            ..Default::default()
        };
        let mut cols = PointMetricColumns::default();
        cols.push(&point);
        cols.push(&BenchmarkPoint::default());
        let mut fields = Vec::new();
        PointMetricColumns::fields("", &mut fields);
        let mut arrays = Vec::new();
        cols.finish(&mut arrays);
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
        let read = PointMetricArrays::of(&batch).unwrap();
        let (mut first, mut second) = (BenchmarkPoint::default(), BenchmarkPoint::default());
        read.fill(0, &mut first);
        read.fill(1, &mut second);
        assert_eq!(first, point);
        assert_eq!(second, BenchmarkPoint::default());
    }
}
