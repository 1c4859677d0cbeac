//! The columns of a [`RequestRecord`], both ways: one column per field, times in epoch ns
//! (`Int64`), durations in ms, counts as `UInt64`; the error as three columns (`is_error`,
//! never null, because an error may carry neither code nor type; `error_code`; `error_type`).
//! The dataset's `requests/` table splices this group in (and a cache part may, under the same
//! names and types). The record is destructured without `..`, so a field added to the model
//! fails to compile here until it has its column.

use arrow_array::{
    Array as _, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
};
use srtlog_model::{RequestError, RequestPhase, RequestRecord};

use crate::columns::{column, opt, Opt, Req, Text};

crate::columns! {
    /// One column per field of [`RequestRecord`] (a group: splice it into a table with
    /// [`columns!`](crate::columns!)).
    pub struct RequestColumns {
        concurrency: Opt<u32>,
        start_ns: Opt<i64>,
        ack_ns: Opt<i64>,
        end_ns: Opt<i64>,
        phase: Text,
        ttft_ms: Opt<f64>,
        ttst_ms: Opt<f64>,
        ttfo_ms: Opt<f64>,
        request_latency_ms: Opt<f64>,
        inter_token_latency_ms: Opt<f64>,
        input_tokens: Opt<u64>,
        output_tokens: Opt<u64>,
        reasoning_tokens: Opt<u64>,
        output_sequence_length: Opt<u64>,
        prefill_tps: Opt<f64>,
        is_error: Req<bool>,
        error_code: Opt<i64>,
        error_type: Text,
        was_cancelled: Opt<bool>,
    }
}

impl RequestColumns {
    /// Appends `record` as one row.
    pub fn push(&mut self, record: &RequestRecord) {
        let RequestRecord {
            concurrency,
            start_ns,
            ack_ns,
            end_ns,
            phase,
            ttft_ms,
            ttst_ms,
            ttfo_ms,
            request_latency_ms,
            inter_token_latency_ms,
            input_tokens,
            output_tokens,
            reasoning_tokens,
            output_sequence_length,
            prefill_tps,
            error,
            was_cancelled,
        } = record;
        self.concurrency.push(*concurrency);
        self.start_ns.push(*start_ns);
        self.ack_ns.push(*ack_ns);
        self.end_ns.push(*end_ns);
        self.phase.push(phase.as_ref().map(RequestPhase::as_str));
        self.ttft_ms.push(*ttft_ms);
        self.ttst_ms.push(*ttst_ms);
        self.ttfo_ms.push(*ttfo_ms);
        self.request_latency_ms.push(*request_latency_ms);
        self.inter_token_latency_ms.push(*inter_token_latency_ms);
        self.input_tokens.push(*input_tokens);
        self.output_tokens.push(*output_tokens);
        self.reasoning_tokens.push(*reasoning_tokens);
        self.output_sequence_length.push(*output_sequence_length);
        self.prefill_tps.push(*prefill_tps);
        self.is_error.push(error.is_some());
        self.error_code.push(error.as_ref().and_then(|e| e.code));
        self.error_type.push(error.as_ref().and_then(|e| e.error_type.as_deref()));
        self.was_cancelled.push(*was_cancelled);
    }
}

/// The request columns of a decoded record batch, typed.
pub struct RequestArrays<'a> {
    concurrency: &'a UInt32Array,
    start_ns: &'a Int64Array,
    ack_ns: &'a Int64Array,
    end_ns: &'a Int64Array,
    phase: &'a StringArray,
    ttft_ms: &'a Float64Array,
    ttst_ms: &'a Float64Array,
    ttfo_ms: &'a Float64Array,
    request_latency_ms: &'a Float64Array,
    inter_token_latency_ms: &'a Float64Array,
    input_tokens: &'a UInt64Array,
    output_tokens: &'a UInt64Array,
    reasoning_tokens: &'a UInt64Array,
    output_sequence_length: &'a UInt64Array,
    prefill_tps: &'a Float64Array,
    is_error: &'a BooleanArray,
    error_code: &'a Int64Array,
    error_type: &'a StringArray,
    was_cancelled: &'a BooleanArray,
}

fn text(array: &StringArray, row: usize) -> Option<&str> {
    (!array.is_null(row)).then(|| array.value(row))
}

impl<'a> RequestArrays<'a> {
    /// The request columns of `batch`; a message naming the column that is absent or of
    /// another type.
    pub fn of(batch: &'a RecordBatch) -> Result<Self, String> {
        Ok(RequestArrays {
            concurrency: column(batch, "concurrency")?,
            start_ns: column(batch, "start_ns")?,
            ack_ns: column(batch, "ack_ns")?,
            end_ns: column(batch, "end_ns")?,
            phase: column(batch, "phase")?,
            ttft_ms: column(batch, "ttft_ms")?,
            ttst_ms: column(batch, "ttst_ms")?,
            ttfo_ms: column(batch, "ttfo_ms")?,
            request_latency_ms: column(batch, "request_latency_ms")?,
            inter_token_latency_ms: column(batch, "inter_token_latency_ms")?,
            input_tokens: column(batch, "input_tokens")?,
            output_tokens: column(batch, "output_tokens")?,
            reasoning_tokens: column(batch, "reasoning_tokens")?,
            output_sequence_length: column(batch, "output_sequence_length")?,
            prefill_tps: column(batch, "prefill_tps")?,
            is_error: column(batch, "is_error")?,
            error_code: column(batch, "error_code")?,
            error_type: column(batch, "error_type")?,
            was_cancelled: column(batch, "was_cancelled")?,
        })
    }

    /// The record at row `row`.
    pub fn get(&self, row: usize) -> RequestRecord {
        let is_error = opt::<bool>(self.is_error, row).unwrap_or(false);
        RequestRecord {
            concurrency: opt(self.concurrency, row),
            start_ns: opt(self.start_ns, row),
            ack_ns: opt(self.ack_ns, row),
            end_ns: opt(self.end_ns, row),
            phase: text(self.phase, row).map(RequestPhase::from_name),
            ttft_ms: opt(self.ttft_ms, row),
            ttst_ms: opt(self.ttst_ms, row),
            ttfo_ms: opt(self.ttfo_ms, row),
            request_latency_ms: opt(self.request_latency_ms, row),
            inter_token_latency_ms: opt(self.inter_token_latency_ms, row),
            input_tokens: opt(self.input_tokens, row),
            output_tokens: opt(self.output_tokens, row),
            reasoning_tokens: opt(self.reasoning_tokens, row),
            output_sequence_length: opt(self.output_sequence_length, row),
            prefill_tps: opt(self.prefill_tps, row),
            error: is_error.then(|| RequestError {
                code: opt(self.error_code, row),
                error_type: text(self.error_type, row).map(str::to_owned),
            }),
            was_cancelled: opt(self.was_cancelled, row),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_schema::Schema;

    use super::*;
    use crate::columns::Columns;

    #[test]
    fn every_field_round_trips() {
        let full = RequestRecord {
            concurrency: Some(8),
            start_ns: Some(1_762_551_534_797_067_827),
            ack_ns: Some(1_762_551_534_807_258_440),
            end_ns: Some(1_762_551_538_441_354_976),
            phase: Some(RequestPhase::Other("ramp_up".into())),
            ttft_ms: Some(31.75),
            ttst_ms: Some(17.5),
            ttfo_ms: Some(32.0),
            request_latency_ms: Some(3644.25),
            inter_token_latency_ms: Some(18.125),
            input_tokens: Some(100),
            output_tokens: Some(200),
            reasoning_tokens: Some(3),
            output_sequence_length: Some(203),
            prefill_tps: Some(3150.5),
            error: None,
            was_cancelled: Some(false),
        };
        let failed = RequestRecord {
            error: Some(RequestError { code: None, error_type: None }),
            phase: Some(RequestPhase::Warmup),
            ..Default::default()
        };
        let mut cols = RequestColumns::default();
        for r in [&full, &failed, &RequestRecord::default()] {
            cols.push(r);
        }
        let mut fields = Vec::new();
        RequestColumns::fields("", &mut fields);
        let mut arrays = Vec::new();
        cols.finish(&mut arrays);
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
        let read = RequestArrays::of(&batch).unwrap();
        assert_eq!(read.get(0), full);
        assert_eq!(read.get(1), failed);
        assert_eq!(read.get(2), RequestRecord::default());
    }
}
