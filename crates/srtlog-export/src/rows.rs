//! Where the rows of a table go: one match from [`Table`] to its columns and rows
//! ([`table_rows`]), and two destinations — a run's Parquet file of the dataset
//! ([`ParquetFile`], through `output::write_table_file`) or record batches in memory
//! ([`InMemory`], for the Python bindings' `pyarrow` tables). Both fill the same builders with
//! the same `push` functions, so a table in memory is the dataset's table, plus the partition
//! column `job_id` that the dataset keeps in its directory names only.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use srtlog_columnar::columns::Columns;
use srtlog_model::{BenchmarkPoint, BenchmarkRun, SkippedRun};

use crate::error::ExportError;
use crate::output::{self, RowSink};
use crate::tables::{
    AccuracyTableColumns, BatchColumns, LaunchArgsColumns, LaunchCommandRef, MemoryColumns, PointsColumns,
    PowerColumns, RequestsColumns, RunContext, RunsColumns, ServerMetricsColumns, SkippedColumns, Table,
};
use crate::PARTITION_COLUMN;

/// Rows of a table in memory per record batch (a `pyarrow` chunk). A power of two, so that the
/// builders, which double, end each chunk at capacity; the same size as the Parquet writer's
/// chunks, but its own rule: nothing here is written.
const IN_MEMORY_CHUNK_ROWS: usize = 64 * 1024;

/// Where the rows of one table go, one row at a time.
pub(crate) trait Sink<C> {
    /// Appends one row: `fill` pushes exactly one value to every column of `C`.
    fn push_row(&mut self, fill: &mut dyn FnMut(&mut C)) -> Result<(), ExportError>;
}

impl<C> dyn Sink<C> + '_ {
    /// Appends one row with `fill`, which must push exactly one value to every column.
    pub(crate) fn row(&mut self, fill: impl FnOnce(&mut C)) -> Result<(), ExportError> {
        let mut fill = Some(fill);
        self.push_row(&mut |columns| {
            if let Some(fill) = fill.take() {
                fill(columns);
            }
        })
    }
}

impl<C: Columns> Sink<C> for RowSink<'_, C> {
    fn push_row(&mut self, fill: &mut dyn FnMut(&mut C)) -> Result<(), ExportError> {
        self.row(fill)
    }
}

/// A destination of a table's rows: given the table's columns `C`, it calls `fill` for each
/// run it covers.
pub(crate) trait TableTarget {
    /// What the destination returns.
    type Output;
    /// Creates the builders of `C`, has `fill` append the rows of every run, and finishes.
    fn rows<C: Columns>(
        self,
        table: Table,
        fill: impl FnMut(&BenchmarkRun, &mut dyn Sink<C>) -> Result<(), ExportError>,
    ) -> Self::Output;
}

/// The one place that says which rows of a run make each table.
pub(crate) fn table_rows<T: TableTarget>(table: Table, target: T) -> T::Output {
    match table {
        Table::Runs => target.rows::<RunsColumns>(table, |run, sink| {
            let ctx = RunContext::new(run);
            sink.row(|c| c.push(run, &ctx))
        }),
        Table::Points => target.rows::<PointsColumns>(table, |run, sink| {
            let ctx = RunContext::new(run);
            let source = run.derived.power_source;
            run.profiler.points.iter().enumerate().try_for_each(|(i, p): (usize, &BenchmarkPoint)| {
                sink.row(|c| c.push(&ctx, p, source, run.derived.energy.get(i)))
            })
        }),
        Table::Batches => target.rows::<BatchColumns>(table, |run, sink| {
            let ctx = RunContext::new(run);
            for node in &run.nodes {
                let worker = &node.metrics.metadata;
                for batch in node.metrics.batches.rows() {
                    sink.row(|c| c.push(&ctx, worker, batch))?;
                }
            }
            Ok(())
        }),
        Table::Memory => target.rows::<MemoryColumns>(table, |run, sink| {
            let ctx = RunContext::new(run);
            for node in &run.nodes {
                let worker = &node.metrics.metadata;
                for memory in &node.metrics.memory_snapshots {
                    sink.row(|c| c.push(&ctx, worker, memory))?;
                }
            }
            Ok(())
        }),
        Table::Accuracy => target.rows::<AccuracyTableColumns>(table, |run, sink| {
            let ctx = RunContext::new(run);
            run.accuracy.iter().try_for_each(|a| sink.row(|c| c.push(&ctx, a)))
        }),
        Table::LaunchArgs => target.rows::<LaunchArgsColumns>(table, |run, sink| {
            let ctx = RunContext::new(run);
            for command in LaunchCommandRef::of_run(run) {
                for (name, value) in command.args.iter() {
                    sink.row(|c| c.push(&ctx, &command, name, value))?;
                }
            }
            Ok(())
        }),
        Table::Requests => target.rows::<RequestsColumns>(table, |run, sink| {
            let ctx = RunContext::new(run);
            run.requests.iter().try_for_each(|r| sink.row(|c| c.push(&ctx, r)))
        }),
        Table::Power => target.rows::<PowerColumns>(table, |run, sink| {
            let ctx = RunContext::new(run);
            let Some(power) = &run.power else { return Ok(()) };
            power.gpu_samples.iter().try_for_each(|s| sink.row(|c| c.push_gpu(&ctx, power, s)))?;
            power.cpu_samples.iter().try_for_each(|s| sink.row(|c| c.push_cpu(&ctx, s)))
        }),
        Table::ServerMetrics => target.rows::<ServerMetricsColumns>(table, |run, sink| {
            let ctx = RunContext::new(run);
            let Some(metrics) = &run.server_metrics else { return Ok(()) };
            for series in &metrics.series {
                let labels = series.labels_text();
                for i in 0..series.t.len() {
                    sink.row(|c| c.push(&ctx, series, &labels, metrics.time_base, i))?;
                }
            }
            Ok(())
        }),
    }
}

/// The dataset's file `dir/file` of one run; the output is the row count.
pub(crate) struct ParquetFile<'a> {
    pub(crate) run: &'a BenchmarkRun,
    pub(crate) dir: &'a Path,
    pub(crate) file: &'a str,
}

impl TableTarget for ParquetFile<'_> {
    type Output = Result<u64, ExportError>;

    fn rows<C: Columns>(
        self,
        table: Table,
        mut fill: impl FnMut(&BenchmarkRun, &mut dyn Sink<C>) -> Result<(), ExportError>,
    ) -> Self::Output {
        let ParquetFile { run, dir, file } = self;
        output::write_table_file::<C>(dir, file, table, &run.metadata.job_id, |sink| fill(run, sink))
    }
}

/// Record batches in memory of the rows of `runs`, in order, with the column `job_id` first.
pub(crate) struct InMemory<'a> {
    pub(crate) runs: &'a [BenchmarkRun],
}

/// The builders of one table in memory and the batches finished so far.
struct MemorySink<C> {
    columns: C,
    job_ids: StringBuilder,
    job_id: String,
    pending: usize,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl<C: Columns> MemorySink<C> {
    fn flush(&mut self) -> Result<(), ExportError> {
        if self.pending == 0 {
            return Ok(());
        }
        let mut arrays: Vec<ArrayRef> = vec![Arc::new(self.job_ids.finish())];
        self.columns.finish(&mut arrays);
        self.pending = 0;
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), arrays)
            .map_err(|e| ExportError::arrow(format!("<memory: {}>", self.job_id), e))?;
        self.batches.push(batch);
        Ok(())
    }
}

impl<C: Columns> Sink<C> for MemorySink<C> {
    fn push_row(&mut self, fill: &mut dyn FnMut(&mut C)) -> Result<(), ExportError> {
        fill(&mut self.columns);
        self.job_ids.append_value(&self.job_id);
        self.pending += 1;
        if self.pending >= IN_MEMORY_CHUNK_ROWS {
            self.flush()?;
        }
        Ok(())
    }
}

impl TableTarget for InMemory<'_> {
    type Output = Result<Vec<RecordBatch>, ExportError>;

    fn rows<C: Columns>(
        self,
        table: Table,
        mut fill: impl FnMut(&BenchmarkRun, &mut dyn Sink<C>) -> Result<(), ExportError>,
    ) -> Self::Output {
        let mut sink = MemorySink {
            columns: C::default(),
            job_ids: StringBuilder::new(),
            job_id: String::new(),
            pending: 0,
            schema: table.memory_schema(),
            batches: Vec::new(),
        };
        for run in self.runs {
            run.metadata.job_id.clone_into(&mut sink.job_id);
            fill(run, &mut sink)?;
        }
        sink.flush()?;
        Ok(sink.batches)
    }
}

/// `schema` with the partition column `job_id` (Utf8, never null) in front.
pub(crate) fn with_partition_column(schema: &Schema) -> SchemaRef {
    let mut fields = vec![Arc::new(Field::new(PARTITION_COLUMN, DataType::Utf8, false))];
    fields.extend(schema.fields().iter().cloned());
    Arc::new(Schema::new(fields))
}

/// The schema of [`skipped_batches`]: the columns of [`SkippedRun`].
pub fn skipped_schema() -> SchemaRef {
    static SKIPPED: LazyLock<SchemaRef> = LazyLock::new(|| {
        let mut fields = Vec::new();
        SkippedColumns::fields("", &mut fields);
        Arc::new(Schema::new(fields))
    });
    Arc::clone(&SKIPPED)
}

/// The directories a load skipped (not runs: no or unreadable metadata) as one record batch of
/// [`skipped_schema`]: `path`, `job_id` (null when it could not be told), `kind` (the JSON
/// word, `no_metadata`) and `reason` (naming the file). Not a dataset table: the dataset holds
/// runs only; the Python bindings' `skipped` table is this.
///
/// # Errors
///
/// [`ExportError::Arrow`] if the batch cannot be assembled (a bug, not bad input).
pub fn skipped_batches(skipped: &[SkippedRun]) -> Result<Vec<RecordBatch>, ExportError> {
    let mut columns = SkippedColumns::default();
    for s in skipped {
        columns.push(s);
    }
    let mut arrays = Vec::new();
    columns.finish(&mut arrays);
    let batch = RecordBatch::try_new(skipped_schema(), arrays)
        .map_err(|e| ExportError::arrow("<memory: skipped>", e))?;
    Ok(vec![batch])
}
