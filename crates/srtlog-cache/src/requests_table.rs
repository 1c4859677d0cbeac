//! The `requests` table: one row per [`RequestRecord`] of the run's aiperf
//! `profile_export.jsonl` files, in load order — the columnar layer's [`RequestColumns`],
//! shared with the dataset's `requests/`.

use std::sync::{Arc, LazyLock};

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, Schema, SchemaRef};
use srtlog_columnar::columns::Columns;
use srtlog_columnar::requests::{RequestArrays, RequestColumns};
use srtlog_model::RequestRecord;

/// Arrow builder of the `requests` table (empty and reusable after each [`finish`](Self::finish)).
#[derive(Default)]
pub(crate) struct RequestsBuilder(RequestColumns);

impl RequestsBuilder {
    /// The rows of `records`, as a batch of [`requests_schema`].
    pub(crate) fn batch(&mut self, records: &[RequestRecord]) -> Result<RecordBatch, ArrowError> {
        records.iter().for_each(|r| self.0.push(r));
        let mut arrays: Vec<ArrayRef> = Vec::new();
        self.0.finish(&mut arrays);
        RecordBatch::try_new(requests_schema(), arrays)
    }
}

static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = Vec::new();
    RequestColumns::fields("", &mut fields);
    Arc::new(Schema::new(fields))
});

/// The Arrow schema of `requests.parquet`.
pub(crate) fn requests_schema() -> SchemaRef {
    Arc::clone(&SCHEMA)
}

/// Decodes the rows of `batch` (of [`requests_schema`]) and appends them to `out`.
pub(crate) fn decode_requests(batch: &RecordBatch, out: &mut Vec<RequestRecord>) -> Result<(), String> {
    let arrays = RequestArrays::of(batch)?;
    out.extend((0..batch.num_rows()).map(|row| arrays.get(row)));
    Ok(())
}
