//! The `node_metrics` table: one row per batch or memory snapshot of every worker.
//!
//! Rows are written worker by worker (in the order of the stored `Vec<NodeMetrics>`), each
//! worker's batches first, then its memory snapshots, each in log order. The footer lists the
//! workers with their row counts, so reading cuts the table back into workers exactly (even two
//! workers with the same name, and workers with no rows at all) and checks every row's
//! `node_name`/`worker_type`/`worker_id`/`record_type` against that plan.

use std::sync::{Arc, LazyLock};

use arrow_array::builder::{Int32Builder, StringBuilder, TimestampMicrosecondBuilder, UInt32Builder};
use arrow_array::{
    Array as _, ArrayRef, Int32Array, RecordBatch, StringArray, TimestampMicrosecondArray, UInt32Array,
};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use srtlog_model::{
    BatchMetrics, BatchRef, BatchType, MemoryMetricType, MemoryMetrics, NodeMetadata, NodeMetrics, Timestamp,
};

use srtlog_columnar::batches::{BatchFieldArrays, BatchFieldColumns};
use srtlog_columnar::columns::{column, opt, required, Columns};
use srtlog_columnar::memory::{MemoryFieldArrays, MemoryFieldColumns};

/// The value of the `record_type` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordType {
    /// A [`BatchMetrics`] row.
    Batch,
    /// A [`MemoryMetrics`] row.
    Memory,
}

impl RecordType {
    fn as_str(self) -> &'static str {
        match self {
            RecordType::Batch => "batch",
            RecordType::Memory => "memory",
        }
    }
}

/// One row of the table, borrowed from the model (a batch read in place from its worker's rows).
#[derive(Debug, Clone, Copy)]
pub(crate) enum NodeRow<'a> {
    /// A batch of the worker.
    Batch(&'a NodeMetadata, BatchRef<'a>),
    /// A memory snapshot of the worker.
    Memory(&'a NodeMetadata, &'a MemoryMetrics),
}

/// All rows of `nodes` in table order: per worker, batches then memory snapshots.
pub(crate) fn node_rows(nodes: &[NodeMetrics]) -> impl Iterator<Item = NodeRow<'_>> {
    nodes.iter().flat_map(|n| {
        let batches = n.batches.rows().map(move |b| NodeRow::Batch(&n.metadata, b));
        let memory = n.memory_snapshots.iter().map(move |m| NodeRow::Memory(&n.metadata, m));
        batches.chain(memory)
    })
}

/// Declares the table from the optional fields of [`BatchMetrics`] — the model's own list,
/// passed in by [`srtlog_model::with_batch_fields`] — and of [`MemoryMetrics`], in declaration
/// order. [`BatchRow`] and `MemoryMetrics` are destructured without `..`, so a memory field
/// added to the model and not here is a compile error; batch fields arrive by themselves.
macro_rules! node_table {
    (batch { $( $(#[doc = $bdoc:literal])* $b:ident : $bt:ty => $bkind:ident $(($bvariant:ident))? ),+ $(,)? }) => {
        /// Arrow builder of the `node_metrics` table: [`append`](Self::append) rows, then
        /// [`finish`](Self::finish) a record batch (the builder is then empty and reusable).
        pub(crate) struct NodeMetricsBuilder {
            node_name: StringBuilder,
            worker_type: StringBuilder,
            worker_id: StringBuilder,
            record_type: StringBuilder,
            timestamp: TimestampMicrosecondBuilder,
            utc_offset_secs: Int32Builder,
            dp: UInt32Builder,
            tp: UInt32Builder,
            ep: UInt32Builder,
            batch_type: StringBuilder,
            batch_fields: BatchFieldColumns,
            metric_type: StringBuilder,
            event: StringBuilder,
            memory_fields: MemoryFieldColumns,
            rows: usize,
        }

        impl NodeMetricsBuilder {
            pub(crate) fn new() -> Self {
                NodeMetricsBuilder {
                    node_name: StringBuilder::new(),
                    worker_type: StringBuilder::new(),
                    worker_id: StringBuilder::new(),
                    record_type: StringBuilder::new(),
                    timestamp: TimestampMicrosecondBuilder::new(),
                    utc_offset_secs: Int32Builder::new(),
                    dp: UInt32Builder::new(),
                    tp: UInt32Builder::new(),
                    ep: UInt32Builder::new(),
                    batch_type: StringBuilder::new(),
                    batch_fields: BatchFieldColumns::default(),
                    metric_type: StringBuilder::new(),
                    event: StringBuilder::new(),
                    memory_fields: MemoryFieldColumns::default(),
                    rows: 0,
                }
            }

            /// Rows appended since the last `finish`.
            pub(crate) fn len(&self) -> usize {
                self.rows
            }

            /// Appends one row; the columns of the other record type are null.
            pub(crate) fn append(&mut self, row: &NodeRow<'_>) {
                match *row {
                    NodeRow::Batch(meta, batch) => {
                        let ranks = [batch.dp(), batch.tp(), batch.ep()];
                        self.append_common(meta, RecordType::Batch, batch.timestamp(), ranks);
                        self.batch_type.append_value(batch.batch_type().as_str());
                        self.batch_fields.push_ref(batch);
                        self.metric_type.append_null();
                        self.event.append_null();
                        self.memory_fields.push_null();
                    }
                    NodeRow::Memory(meta, memory) => {
                        let [dp, tp, ep] = [memory.dp, memory.tp, memory.ep];
                        self.append_common(meta, RecordType::Memory, memory.timestamp, [dp, tp, ep]);
                        self.batch_type.append_null();
                        self.batch_fields.push_null();
                        self.metric_type.append_value(memory.metric_type.as_str());
                        self.event.append_value(&memory.event);
                        self.memory_fields.push(memory);
                    }
                }
                self.rows += 1;
            }

            fn append_common(
                &mut self,
                meta: &NodeMetadata,
                record_type: RecordType,
                timestamp: Option<Timestamp>,
                [dp, tp, ep]: [u32; 3],
            ) {
                self.node_name.append_value(&meta.node_name);
                self.worker_type.append_value(meta.worker_type.as_str());
                self.worker_id.append_value(&meta.worker_id);
                self.record_type.append_value(record_type.as_str());
                self.timestamp.append_option(timestamp.map(|t| t.wall_micros));
                self.utc_offset_secs.append_option(timestamp.and_then(|t| t.utc_offset_secs));
                self.dp.append_value(dp);
                self.tp.append_value(tp);
                self.ep.append_value(ep);
            }

            /// The rows appended since the last `finish`, as a batch of [`nodes_schema`].
            pub(crate) fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
                let mut columns: Vec<ArrayRef> = vec![
                    Arc::new(self.node_name.finish()),
                    Arc::new(self.worker_type.finish()),
                    Arc::new(self.worker_id.finish()),
                    Arc::new(self.record_type.finish()),
                    Arc::new(self.timestamp.finish()),
                    Arc::new(self.utc_offset_secs.finish()),
                    Arc::new(self.dp.finish()),
                    Arc::new(self.tp.finish()),
                    Arc::new(self.ep.finish()),
                    Arc::new(self.batch_type.finish()),
                ];
                self.batch_fields.finish(&mut columns);
                columns.push(Arc::new(self.metric_type.finish()));
                columns.push(Arc::new(self.event.finish()));
                self.memory_fields.finish(&mut columns);
                self.rows = 0;
                RecordBatch::try_new(nodes_schema(), columns)
            }
        }

        impl<'a> Extend<NodeRow<'a>> for NodeMetricsBuilder {
            fn extend<I: IntoIterator<Item = NodeRow<'a>>>(&mut self, rows: I) {
                rows.into_iter().for_each(|row| self.append(&row));
            }
        }

        static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
            let mut fields = vec![
                Field::new("node_name", DataType::Utf8, false),
                Field::new("worker_type", DataType::Utf8, false),
                Field::new("worker_id", DataType::Utf8, false),
                Field::new("record_type", DataType::Utf8, false),
                Field::new("timestamp", DataType::Timestamp(TimeUnit::Microsecond, None), true),
                Field::new("utc_offset_secs", DataType::Int32, true),
                Field::new("dp", DataType::UInt32, false),
                Field::new("tp", DataType::UInt32, false),
                Field::new("ep", DataType::UInt32, false),
                Field::new("batch_type", DataType::Utf8, true),
            ];
            BatchFieldColumns::fields("", &mut fields);
            fields.push(Field::new("metric_type", DataType::Utf8, true));
            fields.push(Field::new("event", DataType::Utf8, true));
            MemoryFieldColumns::fields("", &mut fields);
            Arc::new(Schema::new(fields))
        });

        /// Decodes the rows of `batch` (of [`nodes_schema`]) into the workers of `out`.
        pub(crate) fn decode_nodes(batch: &RecordBatch, out: &mut NodeAssembler) -> Result<(), String> {
            let node_name = column::<StringArray>(batch, "node_name")?;
            let worker_type = column::<StringArray>(batch, "worker_type")?;
            let worker_id = column::<StringArray>(batch, "worker_id")?;
            let record_type = column::<StringArray>(batch, "record_type")?;
            let timestamp = column::<TimestampMicrosecondArray>(batch, "timestamp")?;
            let utc_offset_secs = column::<Int32Array>(batch, "utc_offset_secs")?;
            let dp = column::<UInt32Array>(batch, "dp")?;
            let tp = column::<UInt32Array>(batch, "tp")?;
            let ep = column::<UInt32Array>(batch, "ep")?;
            let batch_type = column::<StringArray>(batch, "batch_type")?;
            let batch_fields = BatchFieldArrays::of(batch)?;
            let metric_type = column::<StringArray>(batch, "metric_type")?;
            let event = column::<StringArray>(batch, "event")?;
            let memory_fields = MemoryFieldArrays::of(batch)?;

            for row in 0..batch.num_rows() {
                let (worker, kind) = out.next_slot()?;
                let at = out.row;
                let meta = &out.workers[worker].metadata;
                let fail = |what: &str| format!("row {at}: {what}");
                if text(node_name, row) != Some(meta.node_name.as_str())
                    || text(worker_type, row) != Some(meta.worker_type.as_str())
                    || text(worker_id, row) != Some(meta.worker_id.as_str())
                {
                    return Err(fail(&format!(
                        "worker {:?}/{:?}/{:?} where the footer has {}/{}/{}",
                        text(node_name, row),
                        text(worker_type, row),
                        text(worker_id, row),
                        meta.node_name,
                        meta.worker_type.as_str(),
                        meta.worker_id
                    )));
                }
                if text(record_type, row) != Some(kind.as_str()) {
                    return Err(fail(&format!(
                        "record_type {:?} where the footer has {:?}",
                        text(record_type, row),
                        kind.as_str()
                    )));
                }
                let ts = (!timestamp.is_null(row)).then(|| Timestamp {
                    wall_micros: timestamp.value(row),
                    utc_offset_secs: opt::<i32>(utc_offset_secs, row),
                });
                let dp = required::<u32>(dp, row, "dp").map_err(|e| fail(&e))?;
                let tp = required::<u32>(tp, row, "tp").map_err(|e| fail(&e))?;
                let ep = required::<u32>(ep, row, "ep").map_err(|e| fail(&e))?;
                match kind {
                    RecordType::Batch => {
                        let batch_type = match text(batch_type, row) {
                            Some("prefill") => BatchType::Prefill,
                            Some("decode") => BatchType::Decode,
                            other => return Err(fail(&format!("batch_type {other:?}"))),
                        };
                        let fields = batch_fields.row(row, ts, [dp, tp, ep], batch_type);
                        out.workers[worker].batches.push(BatchMetrics::from(fields));
                    }
                    RecordType::Memory => {
                        let metric_type = match text(metric_type, row) {
                            Some("memory") => MemoryMetricType::Memory,
                            Some("kv_cache") => MemoryMetricType::KvCache,
                            other => return Err(fail(&format!("metric_type {other:?}"))),
                        };
                        let event = text(event, row).ok_or_else(|| fail("event is null"))?.to_owned();
                        let mut memory = MemoryMetrics {
                            timestamp: ts,
                            dp,
                            tp,
                            ep,
                            ..MemoryMetrics::new(metric_type, "")
                        };
                        memory.event = event;
                        memory_fields.fill(row, &mut memory);
                        out.workers[worker].memory_snapshots.push(memory);
                    }
                }
            }
            Ok(())
        }
    };
}

srtlog_model::with_batch_fields!(node_table! {});

/// The Arrow schema of `node_metrics.parquet`.
pub(crate) fn nodes_schema() -> SchemaRef {
    Arc::clone(&SCHEMA)
}

/// The string at `row`, `None` when null.
fn text(array: &StringArray, row: usize) -> Option<&str> {
    (!array.is_null(row)).then(|| array.value(row))
}

/// Cuts the rows of the table back into workers, following the footer's list of workers and
/// their row counts.
pub(crate) struct NodeAssembler {
    workers: Vec<NodeMetrics>,
    /// Non-empty runs of rows in file order: worker index, record type, row count.
    segments: Vec<(usize, RecordType, u64)>,
    /// Index of the segment the next row belongs to.
    segment: usize,
    /// Rows already placed in that segment.
    used: u64,
    /// Rows placed so far (for messages).
    row: u64,
}

impl NodeAssembler {
    /// `workers` come with empty row lists and their `(batch_rows, memory_rows)` counts.
    /// `file_rows` (the row count of the file) bounds what is reserved up front.
    pub(crate) fn new(workers: Vec<(NodeMetrics, u64, u64)>, file_rows: u64) -> Self {
        let mut segments = Vec::new();
        let mut out = Vec::with_capacity(workers.len());
        for (i, (mut node, batch_rows, memory_rows)) in workers.into_iter().enumerate() {
            node.batches.reserve(usize::try_from(batch_rows.min(file_rows)).unwrap_or(0));
            node.memory_snapshots.reserve(usize::try_from(memory_rows.min(file_rows)).unwrap_or(0));
            for (kind, rows) in [(RecordType::Batch, batch_rows), (RecordType::Memory, memory_rows)] {
                if rows > 0 {
                    segments.push((i, kind, rows));
                }
            }
            out.push(node);
        }
        NodeAssembler { workers: out, segments, segment: 0, used: 0, row: 0 }
    }

    /// Where the next row goes.
    fn next_slot(&mut self) -> Result<(usize, RecordType), String> {
        let &(worker, kind, rows) = self
            .segments
            .get(self.segment)
            .ok_or_else(|| format!("more rows than the footer lists (row {})", self.row))?;
        self.used += 1;
        if self.used == rows {
            self.segment += 1;
            self.used = 0;
        }
        self.row += 1;
        Ok((worker, kind))
    }

    /// The workers, once every row the footer announced has been placed.
    pub(crate) fn finish(self) -> Result<Vec<NodeMetrics>, String> {
        if self.segment < self.segments.len() {
            return Err(format!("the footer lists more rows than the file has ({} read)", self.row));
        }
        Ok(self.workers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_have_the_model_names() {
        let schema = nodes_schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let batch = serde_json::to_value(BatchMetrics::new(BatchType::Decode)).unwrap();
        let memory = serde_json::to_value(MemoryMetrics::new(MemoryMetricType::Memory, "x")).unwrap();
        // Every serialized field of the model has its column (timestamp has a second one).
        for key in batch.as_object().unwrap().keys().chain(memory.as_object().unwrap().keys()) {
            assert!(names.contains(&key.as_str()), "no column for {key}");
        }
        let model_fields = batch.as_object().unwrap().len() + memory.as_object().unwrap().len() - 4;
        // + node_name, worker_type, worker_id, record_type, utc_offset_secs.
        assert_eq!(names.len(), model_fields + 5);
    }
}
