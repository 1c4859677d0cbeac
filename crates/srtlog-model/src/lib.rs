//! The data model of srtlog: what a benchmark run is, and the traits its parsers implement.
//!
//! srtlog reads the output directories of SRT-SLURM benchmark jobs. This crate holds the types
//! every other crate speaks — [`BenchmarkRun`] with its [`RunMetadata`], [`ProfilerMetadata`],
//! [`ProfilerResults`] (one [`BenchmarkPoint`] per concurrency) and [`NodeInfo`] per worker
//! ([`BatchMetrics`], [`MemoryMetrics`]) — and the two parser traits, [`BenchmarkParser`] and
//! [`NodeParser`], with the `inventory` registries that parser crates submit themselves into.
//! A run's files reach benchmark parsers as data: the listing [`RunFiles`] (paths, sizes,
//! modification times), from which a parser selects its [`ResultSources`], and the bytes of
//! those files ([`SourceBytes`]), read by the caller; [`parse_run_results`] is the one place
//! that orders result files before `benchmark.out`. Launch commands keep their arguments as [`LaunchArgs`]:
//! the tools' destination names with typed [`ArgValue`]s, by the one rule of [`Tool::dest`]. It depends on no other srtlog crate and
//! does no file I/O (node parsers read from a `Read` they are handed).
//!
//! The serde form of these types is the JSON contract of `analyze --json`
//! ([`AnalysisDocument`], [`SCHEMA_VERSION`]).
//!
//! ```
//! use srtlog_model::{BenchmarkPoint, ProfilerResults, ResultSource};
//!
//! let results = ProfilerResults {
//!     source: Some(ResultSource::Json),
//!     points: vec![BenchmarkPoint { concurrency: Some(8), output_tps: Some(1024.5), ..Default::default() }],
//!     warnings: vec![],
//! };
//! let json = serde_json::to_value(&results).unwrap();
//! assert_eq!(json["concurrency_values"], serde_json::json!([8]));
//! assert_eq!(json["output_tps"], serde_json::json!([1024.5]));
//! assert_eq!(json["mean_ttft_ms"], serde_json::json!([null]));
//! ```

mod accuracy;
mod accuracy_registry;
mod batch;
mod batches;
pub mod derived;
mod derived_values;
mod error;
mod launch_args;
mod node;
mod power;
pub mod python_json;
mod registry;
mod requests;
mod results;
mod run;
mod run_files;
mod server_metrics;
mod setup;
mod shard;
mod text;
mod timestamp;

pub use accuracy::AccuracyResult;
pub use accuracy_registry::{
    accuracy_parsers, is_accuracy_benchmark, parse_run_accuracy, select_accuracy, AccuracyParser,
    AccuracyParserRegistration, RunAccuracy,
};
pub use batch::{BatchField, BatchMetrics, BatchRow, BatchType, CountField, RealField};
pub use batches::{BatchIter, BatchRef, Batches};
pub use derived_values::{
    GpuCountBasis, GpuEnergy, PointEnergy, RateMatch, RoleEnergy, RunDerived, WindowSource, WorkerDerived,
    WorkersDerived,
};
pub use error::{ParseError, RegistryError};
pub use launch_args::{is_flag, ArgValue, LaunchArgs, Tool};
pub use node::{
    MemoryMetricType, MemoryMetrics, NodeConfig, NodeInfo, NodeLaunchCommand, NodeMetadata, NodeMetrics,
    ParallelConfig, ParseStats, WorkerType,
};
pub use power::{
    choose_power, CpuPowerSample, ExpectedDevice, GpuPowerSample, PowerManifest, PowerSource, PowerWindow,
    RunPower, WindowValidation,
};
pub use registry::{
    benchmark_parsers, get_benchmark_parser, get_node_parser, list_benchmark_parsers, list_node_parsers,
    node_parsers, parse_run_results, BenchmarkParser, BenchmarkParserRegistration, NodeParser,
    NodeParserRegistration, ParseOptions, ResultSources, SourceBytes, WorkerLogData,
};
pub use requests::{RequestError, RequestPhase, RequestRecord};
pub use results::{BenchmarkLaunchCommand, BenchmarkPoint, ProfilerResults, ResultSource};
pub use run::{
    AnalysisDocument, BenchmarkRun, MissingWorkers, Mode, ModelInfo, ProfilerMetadata, RunMetadata,
    RunWarning, RunWarningKind, SkipKind, SkippedRun,
};
pub use run_files::{join_path, mtime_ns, parent_of, EntryKind, FileEntry, RunFiles, BENCHMARK_OUT_PATHS};
pub use server_metrics::{
    le_text, parse_labels, Histogram, ServerMetrics, ServerMetricsSummary, ServerSeries, ServerTimeBase,
    ServerWorker,
};
pub use setup::{flatten_settings, GpuSetup, RunSetup, SetupKey, WorkerFingerprint};
pub use shard::{Shard, ShardError};
pub use text::{shell_words, StringMap};
pub use timestamp::{
    parse_iso, parse_iso_head, parse_iso_tail, DaySource, Timestamp, TimestampParseError, UndatedDay,
};

/// Version of the JSON document's shape. Bumped when a field is renamed or removed.
pub const SCHEMA_VERSION: u32 = 1;

/// Re-exported so parser crates submit registrations with the same `inventory` version.
pub use inventory;
