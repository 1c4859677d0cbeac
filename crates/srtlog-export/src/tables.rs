//! The tables: their builders (one group of columns each, filled row by row from the
//! model) and their Arrow schemas.
//!
//! The model structs are destructured without `..`, so a field added to the model and not
//! here is a compile error, not a silently missing column.

use std::sync::{Arc, LazyLock};

use arrow_array::builder::{StringBuilder, UInt32Builder};
use arrow_schema::{Schema, SchemaRef};
use srtlog_columnar::encode_other_metrics;
use srtlog_model::{
    AccuracyResult, ArgValue, BatchRef, BenchmarkLaunchCommand, BenchmarkPoint, BenchmarkRun, CpuPowerSample,
    GpuPowerSample, LaunchArgs, MemoryMetrics, ModelInfo, NodeLaunchCommand, NodeMetadata, PointEnergy,
    PowerSource, ProfilerMetadata, RequestRecord, ResultSource, RunMetadata, RunPower, SkippedRun, Timestamp,
};

use srtlog_columnar::accuracy::AccuracyColumns;
use srtlog_columnar::batches::BatchFieldColumns;
use srtlog_columnar::columns;
use srtlog_columnar::columns::{Columns, List, Opt, Req, ReqText, Text, WallMicros};
use srtlog_columnar::energy::{PointEnergyColumns, PowerSampleColumns};
use srtlog_columnar::launch_args::LaunchArgColumns;
use srtlog_columnar::memory::MemoryFieldColumns;
use srtlog_columnar::points::PointMetricColumns;
use srtlog_columnar::requests::RequestColumns;
use srtlog_columnar::server_metrics::ServerPointColumns;

/// One table of the dataset: a directory under the output directory, with one Parquet file
/// per run in a `job_id=<id>` partition directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Table {
    /// `runs/`: one row per run.
    Runs,
    /// `points/`: one row per run × concurrency.
    Points,
    /// `batches/`: one row per scheduler batch of every worker.
    Batches,
    /// `memory/`: one row per memory snapshot of every worker.
    Memory,
    /// `accuracy/`: one row per accuracy result (task × metric × filter) of every run.
    Accuracy,
    /// `launch_args/`: one row per launch argument of every worker and of the benchmark.
    LaunchArgs,
    /// `requests/`: one row per aiperf request record (`profile_export.jsonl`).
    Requests,
    /// `power/`: one row per power sample (GPU board power, node CPU power).
    Power,
    /// `server_metrics/`: one row per point of the Tachometer server time series.
    ServerMetrics,
}

impl Table {
    /// Every table, in the order the dataset writes them.
    pub const ALL: [Table; 9] = [
        Table::Runs,
        Table::Points,
        Table::Batches,
        Table::Memory,
        Table::Accuracy,
        Table::LaunchArgs,
        Table::Requests,
        Table::Power,
        Table::ServerMetrics,
    ];

    /// The table's directory name (`runs`, `points`, `batches`, `memory`, `accuracy`, `launch_args`,
    /// `requests`, `power`, `server_metrics`).
    pub fn name(self) -> &'static str {
        match self {
            Table::Runs => "runs",
            Table::Points => "points",
            Table::Batches => "batches",
            Table::Memory => "memory",
            Table::Accuracy => "accuracy",
            Table::LaunchArgs => "launch_args",
            Table::Requests => "requests",
            Table::Power => "power",
            Table::ServerMetrics => "server_metrics",
        }
    }

    /// The table named `name`, if any.
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The schema of the table in memory ([`table_batches`](crate::table_batches)): the
    /// partition column `job_id` (Utf8, never null) first, then the columns of
    /// [`Table::schema`].
    pub fn memory_schema(self) -> SchemaRef {
        crate::rows::with_partition_column(&self.schema())
    }

    /// The Arrow schema of every file of this table. The partition column `job_id` is not in
    /// it: it lives only in the directory names.
    pub fn schema(self) -> SchemaRef {
        static RUNS: LazyLock<SchemaRef> = LazyLock::new(schema_of::<RunsColumns>);
        static POINTS: LazyLock<SchemaRef> = LazyLock::new(schema_of::<PointsColumns>);
        static BATCHES: LazyLock<SchemaRef> = LazyLock::new(schema_of::<BatchColumns>);
        static MEMORY: LazyLock<SchemaRef> = LazyLock::new(schema_of::<MemoryColumns>);
        static ACCURACY: LazyLock<SchemaRef> = LazyLock::new(schema_of::<AccuracyTableColumns>);
        static LAUNCH_ARGS: LazyLock<SchemaRef> = LazyLock::new(schema_of::<LaunchArgsColumns>);
        static REQUESTS: LazyLock<SchemaRef> = LazyLock::new(schema_of::<RequestsColumns>);
        static POWER: LazyLock<SchemaRef> = LazyLock::new(schema_of::<PowerColumns>);
        static SERVER_METRICS: LazyLock<SchemaRef> = LazyLock::new(schema_of::<ServerMetricsColumns>);
        let schema = match self {
            Table::Runs => &RUNS,
            Table::Points => &POINTS,
            Table::Batches => &BATCHES,
            Table::Memory => &MEMORY,
            Table::Accuracy => &ACCURACY,
            Table::LaunchArgs => &LAUNCH_ARGS,
            Table::Requests => &REQUESTS,
            Table::Power => &POWER,
            Table::ServerMetrics => &SERVER_METRICS,
        };
        Arc::clone(schema)
    }
}

fn schema_of<C: Columns>() -> SchemaRef {
    let mut fields = Vec::new();
    C::fields("", &mut fields);
    Arc::new(Schema::new(fields))
}

/// What every row of a run shares, computed once per run.
pub(crate) struct RunContext<'a> {
    pub(crate) gpus_used: Option<u32>,
    pub(crate) topology: String,
    pub(crate) gpu_type: Option<&'a str>,
    pub(crate) isl: Option<u32>,
    pub(crate) osl: Option<u32>,
    pub(crate) path: &'a str,
}

impl<'a> RunContext<'a> {
    pub(crate) fn new(run: &'a BenchmarkRun) -> Self {
        RunContext {
            gpus_used: run.metadata.gpus_used(),
            topology: run.metadata.topology(),
            gpu_type: run.metadata.gpu_type.as_deref(),
            isl: run.profiler_metadata.isl,
            osl: run.profiler_metadata.osl,
            path: &run.metadata.path,
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

columns! {
    /// The columns of `runs/`.
    pub(crate) struct RunsColumns {
        job_name: Text,
        run_date: Text,
        run_timestamp: WallMicros,
        run_utc_offset_secs: Opt<i32>,
        mode: ReqText,
        topology: ReqText,
        gpu_type: Text,
        gpus_per_node: Opt<u32>,
        prefill_nodes: Req<u32>,
        decode_nodes: Req<u32>,
        agg_nodes: Req<u32>,
        prefill_workers: Req<u32>,
        decode_workers: Req<u32>,
        agg_workers: Req<u32>,
        gpus_per_prefill: Opt<u32>,
        gpus_per_decode: Opt<u32>,
        gpus_per_agg: Opt<u32>,
        total_gpus: Req<u32>,
        gpus_used: Opt<u32>,
        backend_type: Text,
        frontend_type: Text,
        container: Text,
        model_path: Text,
        precision: Text,
        tensor_parallel: Opt<u32>,
        tags: List<StringBuilder>,
        benchmark_type: Text,
        isl: Opt<u32>,
        osl: Opt<u32>,
        req_rate: Text,
        expected_concurrencies: List<UInt32Builder>,
        missing_concurrencies: List<UInt32Builder>,
        is_complete: Req<bool>,
        result_source: Text,
        num_points: Req<u32>,
        result_warnings: List<StringBuilder>,
        benchmark_command: Text,
        num_workers: Req<u32>,
        path: ReqText,
        metadata_version: Text,
        serve_only: Opt<bool>,
        run_warnings: List<StringBuilder>,
        missing_workers: List<StringBuilder>,
        setup_key: Text,
        container_image: Text,
        num_accuracy_results: Req<u32>,
        accuracy_warnings: List<StringBuilder>,
        server_metrics_sources: List<StringBuilder>,
        server_metrics_points: Opt<u64>,
    }
}

impl RunsColumns {
    /// Appends the run as one row.
    pub(crate) fn push(&mut self, run: &BenchmarkRun, ctx: &RunContext<'_>) {
        let BenchmarkRun {
            metadata,
            profiler_metadata,
            profiler,
            is_complete,
            missing_concurrencies,
            benchmark_launch_command,
            nodes,
            derived: _,
            worker_summaries: _,
            missing_workers,
            setup,
            warnings,
            accuracy,
            accuracy_warnings,
            requests: _,
            power: _,
            server_metrics: _,
            server_metrics_summary,
        } = run;
        let RunMetadata {
            job_id: _,
            job_name,
            run_date,
            mode,
            prefill_nodes,
            decode_nodes,
            agg_nodes,
            prefill_workers,
            decode_workers,
            agg_workers,
            gpus_per_node,
            gpus_per_prefill,
            gpus_per_decode,
            gpus_per_agg,
            gpu_type: _,
            total_gpus,
            container,
            backend_type,
            frontend_type,
            model: ModelInfo { path: model_path, precision, tensor_parallel },
            tags,
            path,
            metadata_version,
            serve_only,
        } = metadata;
        let ProfilerMetadata { profiler_type, isl: _, osl: _, concurrencies, req_rate } = profiler_metadata;
        let ts = run_date.as_deref().and_then(Timestamp::parse);

        self.job_name.push(job_name.as_deref());
        self.run_date.push(run_date.as_deref());
        self.run_timestamp.push(ts.map(|t| t.wall_micros));
        self.run_utc_offset_secs.push(ts.and_then(|t| t.utc_offset_secs));
        self.mode.push(mode.as_str());
        self.topology.push(&ctx.topology);
        self.gpu_type.push(ctx.gpu_type);
        self.gpus_per_node.push(*gpus_per_node);
        self.prefill_nodes.push(*prefill_nodes);
        self.decode_nodes.push(*decode_nodes);
        self.agg_nodes.push(*agg_nodes);
        self.prefill_workers.push(*prefill_workers);
        self.decode_workers.push(*decode_workers);
        self.agg_workers.push(*agg_workers);
        self.gpus_per_prefill.push(*gpus_per_prefill);
        self.gpus_per_decode.push(*gpus_per_decode);
        self.gpus_per_agg.push(*gpus_per_agg);
        self.total_gpus.push(*total_gpus);
        self.gpus_used.push(ctx.gpus_used);
        self.backend_type.push(backend_type.as_deref());
        self.frontend_type.push(frontend_type.as_deref());
        self.container.push(container.as_deref());
        self.model_path.push(model_path.as_deref());
        self.precision.push(precision.as_deref());
        self.tensor_parallel.push(*tensor_parallel);
        self.tags.push(tags.iter().map(String::as_str));
        self.benchmark_type.push(profiler_type.as_deref());
        self.isl.push(ctx.isl);
        self.osl.push(ctx.osl);
        self.req_rate.push(req_rate.as_deref());
        self.expected_concurrencies.push(concurrencies.iter().copied());
        self.missing_concurrencies.push(missing_concurrencies.iter().copied());
        self.is_complete.push(*is_complete);
        self.result_source.push(profiler.source.map(ResultSource::as_str));
        self.num_points.push(count(profiler.points.len()));
        self.result_warnings.push(profiler.warnings.iter().map(String::as_str));
        self.benchmark_command.push(benchmark_launch_command.as_ref().map(|c| c.raw_command.as_str()));
        self.num_workers.push(count(nodes.len()));
        self.path.push(path);
        self.metadata_version.push(metadata_version.as_deref());
        self.serve_only.push(*serve_only);
        let warnings: Vec<String> =
            warnings.iter().map(|w| format!("{}: {}", w.kind.as_str(), w.message)).collect();
        self.run_warnings.push(warnings.iter().map(String::as_str));
        let missing: Vec<String> = missing_workers
            .iter()
            .map(|m| format!("{} {}/{}", m.worker_type.as_str(), m.found, m.expected))
            .collect();
        self.missing_workers.push(missing.iter().map(String::as_str));
        self.setup_key.push(setup.as_ref().map(|s| s.key().0).as_deref());
        self.container_image.push(setup.as_ref().and_then(|s| s.container_image.as_deref()));
        self.num_accuracy_results.push(count(accuracy.len()));
        self.accuracy_warnings.push(accuracy_warnings.iter().map(String::as_str));
        let server = server_metrics_summary.as_ref();
        self.server_metrics_sources
            .push(server.into_iter().flat_map(|s| s.sources.iter().map(String::as_str)));
        self.server_metrics_points.push(server.and_then(|s| s.points));
    }
}

columns! {
    /// The columns of `accuracy/`.
    pub(crate) struct AccuracyTableColumns {
        result: AccuracyColumns,
        topology: ReqText,
        gpu_type: Text,
        run_path: ReqText,
    }
}

impl AccuracyTableColumns {
    /// Appends one accuracy result of the run as one row.
    pub(crate) fn push(&mut self, ctx: &RunContext<'_>, result: &AccuracyResult) {
        self.result.push(result);
        self.topology.push(&ctx.topology);
        self.gpu_type.push(ctx.gpu_type);
        self.run_path.push(ctx.path);
    }
}

columns! {
    /// The columns of `points/`.
    pub(crate) struct PointsColumns {
        concurrency: Opt<u32>,
        metrics: PointMetricColumns,
        output_tps_per_gpu: Opt<f64>,
        total_tps_per_gpu: Opt<f64>,
        input_tps: Opt<f64>,
        input_tps_per_gpu: Opt<f64>,
        output_tps_per_user: Opt<f64>,
        energy: PointEnergyColumns,
        other_metrics: ReqText,
        source_file: Text,
        gpus_used: Opt<u32>,
        topology: ReqText,
        gpu_type: Text,
        isl: Opt<u32>,
        osl: Opt<u32>,
        run_path: ReqText,
    }
}

impl PointsColumns {
    /// Appends one point of the run as one row.
    pub(crate) fn push(
        &mut self,
        ctx: &RunContext<'_>,
        point: &BenchmarkPoint,
        source: Option<PowerSource>,
        energy: Option<&PointEnergy>,
    ) {
        let gpus = ctx.gpus_used;
        self.concurrency.push(point.concurrency);
        self.metrics.push(point);
        self.output_tps_per_gpu.push(point.output_tps_per_gpu(gpus));
        self.total_tps_per_gpu.push(point.total_tps_per_gpu(gpus));
        self.input_tps.push(point.input_tps());
        self.input_tps_per_gpu.push(point.input_tps_per_gpu(gpus));
        self.output_tps_per_user.push(point.output_tps_per_user());
        self.energy.push(source, energy);
        self.other_metrics.push(&encode_other_metrics(&point.other_metrics));
        self.source_file.push(point.source_file.as_deref());
        self.gpus_used.push(gpus);
        self.topology.push(&ctx.topology);
        self.gpu_type.push(ctx.gpu_type);
        self.isl.push(ctx.isl);
        self.osl.push(ctx.osl);
        self.run_path.push(ctx.path);
    }
}

columns! {
    /// Which worker and run a row of `batches/` or `memory/` belongs to, and when.
    pub(crate) struct WorkerColumns {
        node_name: ReqText,
        worker_type: ReqText,
        worker_id: ReqText,
        timestamp: WallMicros,
        utc_offset_secs: Opt<i32>,
        dp: Req<u32>,
        tp: Req<u32>,
        ep: Req<u32>,
    }
}

impl WorkerColumns {
    fn push(&mut self, worker: &NodeMetadata, timestamp: Option<Timestamp>, [dp, tp, ep]: [u32; 3]) {
        self.node_name.push(&worker.node_name);
        self.worker_type.push(worker.worker_type.as_str());
        self.worker_id.push(&worker.worker_id);
        self.timestamp.push(timestamp.map(|t| t.wall_micros));
        self.utc_offset_secs.push(timestamp.and_then(|t| t.utc_offset_secs));
        self.dp.push(dp);
        self.tp.push(tp);
        self.ep.push(ep);
    }
}

/// Declares the batch and memory tables from the optional fields of [`BatchMetrics`] (the
/// model's own list, passed in by [`srtlog_model::with_batch_fields`]) and [`MemoryMetrics`],
/// in the model's order.
macro_rules! node_tables {
    (batch { $( $(#[doc = $bdoc:literal])* $b:ident : $bt:ty => $bkind:ident $(($bvariant:ident))? ),+ $(,)? }) => {
        columns! {
            /// The columns of `batches/`.
            pub(crate) struct BatchColumns {
                worker: WorkerColumns,
                batch_type: ReqText,
                fields: BatchFieldColumns,
                run_path: ReqText,
            }
        }

        impl BatchColumns {
            /// Appends one batch of a worker of the run as one row.
            pub(crate) fn push(&mut self, ctx: &RunContext<'_>, worker: &NodeMetadata, batch: BatchRef<'_>) {
                self.worker.push(worker, batch.timestamp(), [batch.dp(), batch.tp(), batch.ep()]);
                self.batch_type.push(batch.batch_type().as_str());
                self.fields.push_ref(batch);
                self.run_path.push(ctx.path);
            }
        }

        columns! {
            /// The columns of `memory/`.
            pub(crate) struct MemoryColumns {
                worker: WorkerColumns,
                metric_type: ReqText,
                event: ReqText,
                measurements: MemoryFieldColumns,
                run_path: ReqText,
            }
        }

        impl MemoryColumns {
            /// Appends one memory snapshot of a worker of the run as one row.
            pub(crate) fn push(
                &mut self,
                ctx: &RunContext<'_>,
                worker: &NodeMetadata,
                memory: &MemoryMetrics,
            ) {
                self.worker.push(worker, memory.timestamp, [memory.dp, memory.tp, memory.ep]);
                self.metric_type.push(memory.metric_type.as_str());
                self.event.push(&memory.event);
                self.measurements.push(memory);
                self.run_path.push(ctx.path);
            }
        }
    };
}

srtlog_model::with_batch_fields!(node_tables! {});

columns! {
    /// The columns of `launch_args/`: one row per argument of a launch command, the worker's
    /// (`node_name`, `worker_type`, `worker_id` set) or the benchmark client's (all three null).
    pub(crate) struct LaunchArgsColumns {
        node_name: Text,
        worker_type: Text,
        worker_id: Text,
        tool: ReqText,
        arg: LaunchArgColumns,
        raw_command: ReqText,
        run_path: ReqText,
    }
}

columns! {
    /// The columns of `server_metrics/`.
    pub(crate) struct ServerMetricsColumns {
        point: ServerPointColumns,
        run_path: ReqText,
    }
}

columns! {
    /// The columns of `requests/`.
    pub(crate) struct RequestsColumns {
        request: RequestColumns,
        run_path: ReqText,
    }
}

/// One launch command of a run: whose it is, which tool, as written, and its arguments.
pub(crate) struct LaunchCommandRef<'a> {
    /// The worker, or `None` for the benchmark client.
    pub(crate) worker: Option<&'a NodeMetadata>,
    /// `backend_type` of a worker's command, `benchmark_type` of the benchmark's.
    pub(crate) tool: &'a str,
    pub(crate) raw_command: &'a str,
    pub(crate) args: &'a LaunchArgs,
}

impl<'a> LaunchCommandRef<'a> {
    /// Every launch command of `run`: the benchmark client's first, then the workers' in the
    /// run's order.
    pub(crate) fn of_run(run: &'a BenchmarkRun) -> impl Iterator<Item = LaunchCommandRef<'a>> {
        let bench = run.benchmark_launch_command.as_ref().map(|c| {
            let BenchmarkLaunchCommand { benchmark_type, raw_command, args } = c;
            LaunchCommandRef { worker: None, tool: benchmark_type, raw_command, args }
        });
        let workers = run.nodes.iter().filter_map(|n| {
            let c = n.node_config.launch_command.as_ref()?;
            let NodeLaunchCommand { backend_type, worker_type: _, raw_command, args } = c;
            Some(LaunchCommandRef {
                worker: Some(&n.metrics.metadata),
                tool: backend_type,
                raw_command,
                args,
            })
        });
        bench.into_iter().chain(workers)
    }
}

impl LaunchArgsColumns {
    /// Appends the argument `name` = `value` of `command` as one row.
    pub(crate) fn push(
        &mut self,
        ctx: &RunContext<'_>,
        command: &LaunchCommandRef<'_>,
        name: &str,
        value: &ArgValue,
    ) {
        self.node_name.push(command.worker.map(|w| w.node_name.as_str()));
        self.worker_type.push(command.worker.map(|w| w.worker_type.as_str()));
        self.worker_id.push(command.worker.map(|w| w.worker_id.as_str()));
        self.tool.push(command.tool);
        self.arg.push(name, value);
        self.raw_command.push(command.raw_command);
        self.run_path.push(ctx.path);
    }
}

columns! {
    /// The columns of `power/`.
    pub(crate) struct PowerColumns {
        sample: PowerSampleColumns,
        run_path: ReqText,
    }
}

impl PowerColumns {
    /// Appends one GPU sample of the run as one row.
    pub(crate) fn push_gpu(&mut self, ctx: &RunContext<'_>, power: &RunPower, sample: &GpuPowerSample) {
        self.sample.push_gpu(power, sample);
        self.run_path.push(ctx.path);
    }

    /// Appends one CPU sample of the run as one row.
    pub(crate) fn push_cpu(&mut self, ctx: &RunContext<'_>, sample: &CpuPowerSample) {
        self.sample.push_cpu(sample);
        self.run_path.push(ctx.path);
    }
}

impl RequestsColumns {
    /// Appends one request record of the run as one row.
    pub(crate) fn push(&mut self, ctx: &RunContext<'_>, record: &RequestRecord) {
        self.request.push(record);
        self.run_path.push(ctx.path);
    }
}

impl ServerMetricsColumns {
    /// Appends point `i` of `series` (whose [`labels_text`](srtlog_model::ServerSeries::labels_text)
    /// is `labels`) as one row.
    pub(crate) fn push(
        &mut self,
        ctx: &RunContext<'_>,
        series: &srtlog_model::ServerSeries,
        labels: &str,
        time_base: srtlog_model::ServerTimeBase,
        i: usize,
    ) {
        self.point.push_point(series, labels, time_base, i);
        self.run_path.push(ctx.path);
    }
}

columns! {
    /// The columns of the `skipped` table in memory (not a dataset table): one row per
    /// [`SkippedRun`].
    pub(crate) struct SkippedColumns {
        path: ReqText,
        job_id: Text,
        kind: ReqText,
        reason: ReqText,
    }
}

impl SkippedColumns {
    /// Appends one skipped directory as one row.
    pub(crate) fn push(&mut self, skipped: &SkippedRun) {
        let SkippedRun { path, job_id, kind, reason } = skipped;
        self.path.push(path);
        self.job_id.push(job_id.as_deref());
        self.kind.push(kind.as_str());
        self.reason.push(reason);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use srtlog_columnar::points::POINT_METRIC_COLUMNS;
    use srtlog_model::{BatchMetrics, BatchType, MemoryMetricType};

    use super::*;

    fn names(table: Table) -> Vec<String> {
        table.schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    #[test]
    fn points_have_every_metric_of_the_model_under_its_name() {
        assert_eq!(POINT_METRIC_COLUMNS, BenchmarkPoint::METRIC_NAMES);
        let names = names(Table::Points);
        assert_eq!(names[0], "concurrency");
        assert_eq!(&names[1..=POINT_METRIC_COLUMNS.len()], POINT_METRIC_COLUMNS);
    }

    #[test]
    fn batch_and_memory_tables_have_every_model_field() {
        for (table, value) in [
            (Table::Batches, serde_json::to_value(BatchMetrics::new(BatchType::Decode))),
            (Table::Memory, serde_json::to_value(MemoryMetrics::new(MemoryMetricType::Memory, "x"))),
        ] {
            let names = names(table);
            let value = value.unwrap();
            let keys = value.as_object().unwrap();
            for key in keys.keys() {
                assert!(names.contains(key), "{}: no column {key}", table.name());
            }
            // + node_name, worker_type, worker_id, utc_offset_secs, run_path.
            assert_eq!(names.len(), keys.len() + 5, "{}: {names:?}", table.name());
        }
    }

    #[test]
    fn column_names_are_unique_and_never_the_partition_column() {
        for table in Table::ALL {
            let names = names(table);
            let unique: BTreeSet<&String> = names.iter().collect();
            assert_eq!(unique.len(), names.len(), "{}", table.name());
            assert!(!unique.iter().any(|n| *n == crate::PARTITION_COLUMN), "{}", table.name());
            assert_eq!(Table::from_name(table.name()), Some(table));
        }
    }

    /// The column names of the crate docs' table for `table`: every backticked name in the
    /// first cell of each row.
    fn documented_columns(table: Table) -> BTreeSet<String> {
        let docs = include_str!("lib.rs");
        let heading = format!("//! `{}` — ", table.name());
        let lines = docs.lines().skip_while(|l| !l.starts_with(&heading)).skip(1);
        let rows = lines.skip_while(|l| !l.starts_with("//! |")).take_while(|l| l.starts_with("//! |"));
        rows.skip(2)
            .filter_map(|row| row.split('|').nth(1))
            .flat_map(|cell| cell.split('`').skip(1).step_by(2).map(str::to_owned).collect::<Vec<_>>())
            .collect()
    }

    #[test]
    fn the_crate_docs_list_every_column() {
        for table in Table::ALL {
            let columns: BTreeSet<String> = names(table).into_iter().collect();
            assert_eq!(documented_columns(table), columns, "{}", table.name());
        }
    }
}
