//! The columnar layer between the model and the two crates that write Parquet files
//! (`srtlog-cache`, `srtlog-export`): the column types both build and read ([`mod@columns`]), the
//! one set of Parquet writer properties, the one encoding of a point's `other_metrics`, the
//! one atomic file write and its I/O error, and the file-system rules of every read and write
//! ([`mod@files`]: only regular files are read, never past their length at open; nothing is
//! written through a symbolic link).
//!
//! Nothing else in the workspace writes a file atomically by hand: a store or export goes
//! through [`AtomicFile`] (or [`write_atomic`] / [`write_atomically`]); and nothing else opens
//! a file to read it: the loader and the cache go through [`open_regular`].

pub mod accuracy;
mod atomic;
pub mod batches;
pub mod columns;
pub mod energy;
mod error;
pub mod files;
pub mod launch_args;
pub mod memory;
pub mod points;
pub mod requests;
pub mod server_metrics;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use arrow_schema::{DataType, Schema};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use serde_json::Value;

pub use atomic::{
    remove_stale_temps, rename_durably, write_atomic, write_atomically, AtomicFile, STALE_TEMP_AGE,
};
pub use error::{ColumnarIoError, IoOp};
pub use files::{is_symlink_refusal, open_regular, refuse_symlink, Links, RegularFile};

/// Largest row group, in rows: bounds the writer's memory and the reader's unit of work.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;
/// Largest row group, in (estimated, encoded) bytes.
pub const ROW_GROUP_BYTES: usize = 64 * 1024 * 1024;

/// The writer properties of every Parquet file srtlog writes, cache and dataset alike, for a
/// table of `schema`: Snappy, row groups of at most [`ROW_GROUP_ROWS`] rows and
/// [`ROW_GROUP_BYTES`] bytes, and dictionary encoding for the text columns only. Text repeats
/// (a worker's name on each of its million rows); measurements mostly do not, and interning
/// every value of every numeric column in a dictionary the writer then gives up on took a
/// fifth of a cold load that writes the cache (`docs/PERFORMANCE.md`, eighth session).
pub fn writer_properties(schema: &Schema) -> WriterProperties {
    static BASE: LazyLock<WriterProperties> = LazyLock::new(|| {
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
            .set_dictionary_enabled(false)
            .build()
    });
    let text =
        schema.fields().iter().filter(|f| matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8));
    text.fold(BASE.clone().into_builder(), |props, field| {
        props.set_column_dictionary_enabled(ColumnPath::from(field.name().as_str()), true)
    })
    .build()
}

/// JSON object of a point's extra metrics, the text of the `other_metrics` column. JSON has no
/// infinity or NaN, so those values are written as the strings `"Infinity"`, `"-Infinity"`
/// and `"NaN"` (the spelling of Python's `float()`).
pub fn encode_other_metrics(map: &BTreeMap<String, f64>) -> String {
    let object: serde_json::Map<String, Value> = map
        .iter()
        .map(|(k, &v)| {
            let value = serde_json::Number::from_f64(v).map_or_else(
                || {
                    let word = if v.is_nan() {
                        "NaN"
                    } else if v > 0.0 {
                        "Infinity"
                    } else {
                        "-Infinity"
                    };
                    Value::String(word.to_owned())
                },
                Value::Number,
            );
            (k.clone(), value)
        })
        .collect();
    Value::Object(object).to_string()
}

/// Inverse of [`encode_other_metrics`]; the message says which value is not a number.
pub fn decode_other_metrics(text: &str) -> Result<BTreeMap<String, f64>, String> {
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
        let nan: BTreeMap<String, f64> =
            [("p90_itl_ms".to_owned(), 7.5), ("nan".to_owned(), f64::NAN)].into();
        assert_eq!(encode_other_metrics(&nan), r#"{"nan":"NaN","p90_itl_ms":7.5}"#);
    }

    #[test]
    fn one_set_of_writer_properties_with_dictionaries_for_text_only() {
        use arrow_schema::Field;
        let schema = Schema::new(vec![
            Field::new("node_name", DataType::Utf8, false),
            Field::new("gen_throughput", DataType::Float64, true),
            Field::new("running_req", DataType::UInt32, true),
        ]);
        let props = writer_properties(&schema);
        assert_eq!(props.max_row_group_row_count(), Some(ROW_GROUP_ROWS));
        let col = |name: &str| ColumnPath::from(name);
        assert_eq!(props.compression(&col("gen_throughput")), Compression::SNAPPY);
        assert!(props.dictionary_enabled(&col("node_name")));
        assert!(!props.dictionary_enabled(&col("gen_throughput")));
        assert!(!props.dictionary_enabled(&col("running_req")));
    }
}
