//! The columns of a [`BatchMetrics`]'s optional fields, both ways: one nullable column per
//! field, in the model's order, expanded from the model's own list
//! ([`srtlog_model::with_batch_fields`]). The cache's `node_metrics` table and the dataset's
//! `batches/` both splice this group in, so a field added to the model reaches both files under
//! one name and one Arrow type. A busy worker has millions of batches: the group is the builders
//! themselves, with no copy in between.

use arrow_array::RecordBatch;
use srtlog_model::{BatchRef, BatchRow, BatchType, Timestamp};

use crate::columns::{column, opt, Opt, Scalar};

#[cfg(doc)]
use srtlog_model::BatchMetrics;

macro_rules! batch_field_columns {
    (batch { $( $(#[doc = $doc:literal])* $b:ident : $bt:ty => $kind:ident $(($variant:ident))? ),+ $(,)? }) => {
        crate::columns! {
            /// One nullable column per optional field of [`BatchMetrics`] (a group: splice it
            /// into a table with [`columns!`](crate::columns!)).
            pub struct BatchFieldColumns { $($b: Opt<$bt>),+ }
        }

        impl BatchFieldColumns {
            /// Appends the optional fields of `row`.
            pub fn push(&mut self, row: &BatchRow) {
                $( self.$b.push(row.$b); )+
            }

            /// Appends the optional fields of a batch read in place from its worker's rows.
            pub fn push_ref(&mut self, b: BatchRef<'_>) {
                $( self.$b.push(b.$b()); )+
            }

            /// Appends a row where every field is null (a row of another record type).
            pub fn push_null(&mut self) {
                $( self.$b.push(None); )+
            }
        }

        /// The batch-field columns of a decoded record batch, typed; `None` for a column that
        /// is null in every row (the fields no batch of the worker carried, most of them: a
        /// busy worker's rows then read only the columns they have).
        pub struct BatchFieldArrays<'a> {
            $( $b: Option<&'a <$bt as Scalar>::Array>, )+
        }

        impl<'a> BatchFieldArrays<'a> {
            /// The batch-field columns of `batch`; a message naming the column that is absent
            /// or of another type.
            pub fn of(batch: &'a RecordBatch) -> Result<Self, String> {
                Ok(BatchFieldArrays {
                    $( $b: unless_all_null(column::<<$bt as Scalar>::Array>(batch, stringify!($b))?), )+
                })
            }

            /// The batch of row `row`, given the columns each table keeps apart.
            pub fn row(
                &self,
                row: usize,
                timestamp: Option<Timestamp>,
                [dp, tp, ep]: [u32; 3],
                batch_type: BatchType,
            ) -> BatchRow {
                BatchRow {
                    timestamp, dp, tp, ep, batch_type,
                    $( $b: self.$b.and_then(|array| opt::<$bt>(array, row)), )+
                }
            }
        }

        /// The batch-field columns' names, in table order.
        pub const BATCH_FIELD_COLUMNS: &[&str] = &[$(stringify!($b)),+];
    };
}

srtlog_model::with_batch_fields!(batch_field_columns! {});

/// `array`, or `None` when every value of it is null.
fn unless_all_null<A: arrow_array::Array>(array: &A) -> Option<&A> {
    (array.null_count() < array.len()).then_some(array)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_schema::Schema;
    use srtlog_model::{BatchField, BatchMetrics};

    use super::*;
    use crate::columns::Columns;

    #[test]
    fn every_field_of_the_model_round_trips() {
        let names: Vec<&str> = BatchField::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(BATCH_FIELD_COLUMNS, names);
        let row = BatchRow {
            new_token: Some(4096),
            gen_throughput: Some(1234.5),
            token_usage: Some(0.25),
            ..BatchRow::new(BatchType::Prefill)
        };
        let mut cols = BatchFieldColumns::default();
        cols.push(&row);
        cols.push_null();
        let mut fields = Vec::new();
        BatchFieldColumns::fields("", &mut fields);
        let mut arrays = Vec::new();
        cols.finish(&mut arrays);
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
        let read = BatchFieldArrays::of(&batch).unwrap();
        assert_eq!(read.row(0, None, [0, 0, 0], BatchType::Prefill), row);
        let empty = read.row(1, None, [1, 2, 3], BatchType::Decode);
        assert_eq!(BatchMetrics::from(empty.clone()).to_row(), empty);
        assert_eq!(empty, BatchRow { dp: 1, tp: 2, ep: 3, ..BatchRow::new(BatchType::Decode) });
    }
}
