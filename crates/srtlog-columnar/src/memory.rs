//! The columns of a [`MemoryMetrics`]'s measurements, both ways: one nullable column per
//! measurement. The cache's `node_metrics` table and the dataset's `memory/` both splice this
//! group in. The struct is destructured without `..`, so a measurement added to the model
//! fails to compile here until it has its column.

use arrow_array::{Float64Array, RecordBatch, UInt64Array};
use srtlog_model::MemoryMetrics;

use crate::columns::{column, opt, Opt};

crate::columns! {
    /// One nullable column per measurement of [`MemoryMetrics`] (a group: splice it into a
    /// table with [`columns!`](crate::columns!)).
    pub struct MemoryFieldColumns {
        avail_mem_gb: Opt<f64>,
        mem_usage_gb: Opt<f64>,
        kv_cache_gb: Opt<f64>,
        kv_tokens: Opt<u64>,
    }
}

impl MemoryFieldColumns {
    /// Appends the measurements of `memory`.
    pub fn push(&mut self, memory: &MemoryMetrics) {
        let MemoryMetrics {
            timestamp: _,
            dp: _,
            tp: _,
            ep: _,
            metric_type: _,
            event: _,
            avail_mem_gb,
            mem_usage_gb,
            kv_cache_gb,
            kv_tokens,
        } = memory;
        self.avail_mem_gb.push(*avail_mem_gb);
        self.mem_usage_gb.push(*mem_usage_gb);
        self.kv_cache_gb.push(*kv_cache_gb);
        self.kv_tokens.push(*kv_tokens);
    }

    /// Appends a row where every measurement is null (a row of another record type).
    pub fn push_null(&mut self) {
        self.avail_mem_gb.push(None);
        self.mem_usage_gb.push(None);
        self.kv_cache_gb.push(None);
        self.kv_tokens.push(None);
    }
}

/// The measurement columns of a decoded record batch, typed.
pub struct MemoryFieldArrays<'a> {
    avail_mem_gb: &'a Float64Array,
    mem_usage_gb: &'a Float64Array,
    kv_cache_gb: &'a Float64Array,
    kv_tokens: &'a UInt64Array,
}

impl<'a> MemoryFieldArrays<'a> {
    /// The measurement columns of `batch`; a message naming the column that is absent or of
    /// another type.
    pub fn of(batch: &'a RecordBatch) -> Result<Self, String> {
        Ok(MemoryFieldArrays {
            avail_mem_gb: column(batch, "avail_mem_gb")?,
            mem_usage_gb: column(batch, "mem_usage_gb")?,
            kv_cache_gb: column(batch, "kv_cache_gb")?,
            kv_tokens: column(batch, "kv_tokens")?,
        })
    }

    /// Sets the measurements of `memory` from row `row`.
    pub fn fill(&self, row: usize, memory: &mut MemoryMetrics) {
        memory.avail_mem_gb = opt::<f64>(self.avail_mem_gb, row);
        memory.mem_usage_gb = opt::<f64>(self.mem_usage_gb, row);
        memory.kv_cache_gb = opt::<f64>(self.kv_cache_gb, row);
        memory.kv_tokens = opt::<u64>(self.kv_tokens, row);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_schema::Schema;
    use srtlog_model::MemoryMetricType;

    use super::*;
    use crate::columns::Columns;

    #[test]
    fn every_measurement_round_trips() {
        let memory = MemoryMetrics {
            avail_mem_gb: Some(12.5),
            kv_tokens: Some(1 << 40),
            ..MemoryMetrics::new(MemoryMetricType::KvCache, "kv_cache_allocated")
        };
        let mut cols = MemoryFieldColumns::default();
        cols.push(&memory);
        cols.push_null();
        let mut fields = Vec::new();
        MemoryFieldColumns::fields("", &mut fields);
        let mut arrays = Vec::new();
        cols.finish(&mut arrays);
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
        let read = MemoryFieldArrays::of(&batch).unwrap();
        let mut back = MemoryMetrics::new(MemoryMetricType::KvCache, "kv_cache_allocated");
        read.fill(0, &mut back);
        assert_eq!(back, memory);
        let mut empty = MemoryMetrics::new(MemoryMetricType::Memory, "x");
        empty.kv_cache_gb = Some(1.0);
        read.fill(1, &mut empty);
        assert_eq!(empty, MemoryMetrics::new(MemoryMetricType::Memory, "x"));
    }
}
