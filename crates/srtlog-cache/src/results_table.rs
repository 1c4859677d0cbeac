//! The `benchmark_results` table: one row per [`BenchmarkPoint`], in the order of
//! [`ProfilerResults::points`](srtlog_model::ProfilerResults).

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use arrow_array::builder::{StringBuilder, UInt32Builder};
use arrow_array::{Array as _, ArrayRef, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use serde_json::Value;
use srtlog_model::BenchmarkPoint;

use crate::columns::{column, opt, Scalar};

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
                $( Field::new(stringify!($field), <$ty as Scalar>::data_type(), true), )+
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

/// JSON object of the extra metrics. JSON has no infinity or NaN, so those values are written
/// as the strings `"Infinity"`, `"-Infinity"` and `"NaN"` (the spelling of Python's `float()`).
pub(crate) fn encode_other_metrics(map: &BTreeMap<String, f64>) -> String {
    let object: serde_json::Map<String, Value> = map
        .iter()
        .map(|(k, &v)| {
            let value = serde_json::Number::from_f64(v).map_or_else(
                || {
                    Value::String(
                        if v.is_nan() {
                            "NaN"
                        } else if v > 0.0 {
                            "Infinity"
                        } else {
                            "-Infinity"
                        }
                        .to_owned(),
                    )
                },
                Value::Number,
            );
            (k.clone(), value)
        })
        .collect();
    Value::Object(object).to_string()
}

/// Inverse of [`encode_other_metrics`].
pub(crate) fn decode_other_metrics(text: &str) -> Result<BTreeMap<String, f64>, String> {
    let map: BTreeMap<String, Value> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    map.into_iter()
        .map(|(k, v)| {
            let x = match &v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => match s.as_str() {
                    "Infinity" => Some(f64::INFINITY),
                    "-Infinity" => Some(f64::NEG_INFINITY),
                    "NaN" => Some(f64::NAN),
                    _ => None,
                },
                _ => None,
            };
            match x {
                Some(x) => Ok((k, x)),
                None => Err(format!("value of {k:?} is not a number: {v}")),
            }
        })
        .collect()
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

    #[test]
    fn other_metrics_keep_infinities_and_exact_floats() {
        let map: BTreeMap<String, f64> = [
            ("p99.9_ttft_ms".to_owned(), 0.1 + 0.2),
            ("inf".to_owned(), f64::INFINITY),
            ("ninf".to_owned(), f64::NEG_INFINITY),
            ("tiny".to_owned(), 5e-324),
            ("neg_zero".to_owned(), -0.0),
        ]
        .into();
        let text = encode_other_metrics(&map);
        assert!(text.contains(r#""inf":"Infinity""#), "{text}");
        let back = decode_other_metrics(&text).unwrap();
        assert_eq!(back, map);
        assert!(back["neg_zero"].is_sign_negative());
        assert!(decode_other_metrics(r#"{"a": "x"}"#).is_err());
        assert!(decode_other_metrics("[1]").is_err());
        assert_eq!(decode_other_metrics("{}").unwrap(), BTreeMap::new());
    }
}
