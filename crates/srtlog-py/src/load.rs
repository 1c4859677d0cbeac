//! What `srtlog.load` and `srtlog.diff` do, without Python: the options a call gives, turned
//! into the loader's [`LoaderOptions`] (run filters are the loader's [`RunFilter`], its `since`
//! rule [`RunFilter::parse_since`]), the load itself, the tables of a load (every
//! [`Table::ALL`] of `srtlog-export`, then `skipped`) and the comparison of two loads
//! (`srtlog-diff`). No rule of its own: each step is the crate's that owns it.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use srtlog_diff::gate::Gate;
use srtlog_diff::{compare, Comparison, RunInput};
use srtlog_export::{skipped_batches, skipped_schema, table_batches, ExportError, Table};
use srtlog_loader::metadata::read_config_for_comparison;
use srtlog_loader::{CacheMode, LoadReport, LoaderOptions, NodeDetail, RunFilter, RunLoader};

/// The name of the table of skipped directories (not a dataset table).
pub const SKIPPED: &str = "skipped";

/// Why a call failed; the message names the path or the argument concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The path to load is not a readable directory.
    Directory {
        /// The path given.
        path: PathBuf,
        /// What the operating system said.
        message: String,
    },
    /// A run filter or another argument is not valid.
    Argument(String),
    /// A side of a comparison selects no run.
    EmptySide(String),
    /// A table could not be assembled (a bug, not bad input).
    Table(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Directory { path, message } => write!(f, "cannot read {}: {message}", path.display()),
            Error::Argument(m) | Error::EmptySide(m) | Error::Table(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl From<ExportError> for Error {
    fn from(err: ExportError) -> Self {
        Error::Table(err.to_string())
    }
}

/// The run filters of a call, as the CLI's flags give them (`--job`, `--tag`, `--gpu-type`,
/// `--backend`, `--since`): each list any-of, all of them together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// `job`: job ids.
    pub job: Vec<String>,
    /// `tag`: tags.
    pub tag: Vec<String>,
    /// `gpu_type`: GPU types (case-insensitive).
    pub gpu_type: Vec<String>,
    /// `backend`: backends (`sglang`, `trtllm`).
    pub backend: Vec<String>,
    /// `since`: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`.
    pub since: Option<String>,
}

impl Filters {
    /// The filter names a call accepts, in the order the docs list them.
    pub const NAMES: [&'static str; 5] = ["job", "tag", "gpu_type", "backend", "since"];

    /// The list a filter name fills (`since` is not a list).
    pub fn list_mut(&mut self, name: &str) -> Option<&mut Vec<String>> {
        match name {
            "job" => Some(&mut self.job),
            "tag" => Some(&mut self.tag),
            "gpu_type" => Some(&mut self.gpu_type),
            "backend" => Some(&mut self.backend),
            _ => None,
        }
    }

    /// The loader's filter; an error names the bad value.
    pub fn to_filter(&self) -> Result<RunFilter, Error> {
        Ok(RunFilter {
            // Shards split an export across processes; a notebook's load takes every run.
            shard: None,
            jobs: self.job.clone(),
            tags: self.tag.clone(),
            gpu_types: self.gpu_type.clone(),
            backends: self.backend.clone(),
            since: self
                .since
                .as_deref()
                .map(|s| {
                    RunFilter::parse_since(s).map_err(|m| Error::Argument(m.replacen("--since", "since", 1)))
                })
                .transpose()?,
        })
    }
}

/// Where caches go: `cache=True`, `cache=False`, or `cache="DIR"` (the CLI's `--cache-dir`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cache {
    /// `{run}/cached_assets/`.
    InRunDir,
    /// Under this directory.
    Dir(PathBuf),
    /// No cache read or written.
    Disabled,
}

/// The arguments of one load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadRequest {
    /// A directory of runs, or one run directory.
    pub path: PathBuf,
    /// Parse worker logs.
    pub nodes: bool,
    /// Read aiperf's per-request records (the `requests` table).
    pub requests: bool,
    /// Read the Tachometer server time series (the `server_metrics` table).
    pub server_metrics: bool,
    /// The cache.
    pub cache: Cache,
    /// Threads (`None`: every core), shared by runs and worker files as in the CLI.
    pub jobs: Option<usize>,
    /// Run filters.
    pub filters: Filters,
}

impl LoadRequest {
    /// A load of `path` with the defaults of `srtlog.load`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LoadRequest {
            path: path.into(),
            nodes: true,
            requests: true,
            server_metrics: true,
            cache: Cache::InRunDir,
            jobs: None,
            filters: Filters::default(),
        }
    }

    /// The loader's options: every batch is kept (the tables hold them), as for `analyze --json`.
    pub fn options(&self) -> Result<LoaderOptions, Error> {
        if self.jobs == Some(0) {
            return Err(Error::Argument("jobs: must be at least 1 (or None for every core)".to_owned()));
        }
        Ok(LoaderOptions {
            with_nodes: self.nodes,
            with_requests: self.requests,
            with_server_metrics: self.server_metrics,
            node_detail: NodeDetail::Batches,
            cache: match &self.cache {
                Cache::InRunDir => CacheMode::InRunDir,
                Cache::Dir(dir) => CacheMode::Dir(dir.clone()),
                Cache::Disabled => CacheMode::Disabled,
            },
            jobs: self.jobs,
            filter: self.filters.to_filter()?,
            ..LoaderOptions::default()
        })
    }

    /// Loads the runs: the directory must be readable (as for the CLI), then the loader reads
    /// every run under it with its thread pool.
    pub fn load(&self) -> Result<LoadReport, Error> {
        let options = self.options()?;
        check_directory(&self.path)?;
        let loader = RunLoader::with_options(&self.path, options).map_err(|e| Error::Directory {
            path: self.path.clone(),
            message: format!("cannot start worker threads: {e}"),
        })?;
        let runs = loader.discover_runs();
        Ok(loader.load_runs(&runs, &|_| {}))
    }
}

/// `path` must be a directory that can be listed; the error names it.
fn check_directory(path: &Path) -> Result<(), Error> {
    fs::read_dir(path)
        .map(drop)
        .map_err(|e| Error::Directory { path: path.to_path_buf(), message: e.to_string() })
}

/// The names of the tables of a load: every dataset table ([`Table::ALL`]), then `skipped`.
pub fn table_names() -> Vec<&'static str> {
    Table::ALL.iter().map(|t| t.name()).chain([SKIPPED]).collect()
}

/// The table `name` of a load, as record batches and their schema; `None` for an unknown name.
pub fn table(report: &LoadReport, name: &str) -> Option<Result<(SchemaRef, Vec<RecordBatch>), Error>> {
    if name == SKIPPED {
        return Some(skipped_batches(&report.skipped).map(|b| (skipped_schema(), b)).map_err(Error::from));
    }
    let table = Table::from_name(name)?;
    Some(table_batches(table, &report.runs).map(|b| (table.memory_schema(), b)).map_err(Error::from))
}

fn inputs<'a>(report: &'a LoadReport, configs: &'a [Option<serde_json::Value>]) -> Vec<RunInput<'a>> {
    report.runs.iter().zip(configs).map(|(run, config)| RunInput { run, config: config.as_ref() }).collect()
}

/// Compares two loads as `srtlog diff` does (each load one side, its runs the repeats), with
/// the gate `fail_on` (`default`, `none` or thresholds such as `output_tps_per_gpu<-5%`).
pub fn diff(baseline: &LoadReport, candidate: &LoadReport, fail_on: &str) -> Result<Comparison, Error> {
    let gate = Gate::parse(fail_on).map_err(|e| Error::Argument(format!("fail_on: {e}")))?;
    let mut warnings = Vec::new();
    let mut sides = Vec::new();
    for (name, report) in [("baseline", baseline), ("candidate", candidate)] {
        if report.runs.is_empty() {
            return Err(Error::EmptySide(format!("the {name} selects no run")));
        }
        warnings.extend(report.skipped.iter().map(|s| format!("{name}: skipped {}: {}", s.path, s.reason)));
        warnings.extend(report.warnings.iter().map(|w| format!("{name}: {w}")));
        let configs: Vec<Option<serde_json::Value>> = report
            .runs
            .iter()
            .map(|run| read_config_for_comparison(Path::new(&run.metadata.path), &mut warnings))
            .collect();
        sides.push(configs);
    }
    let (a, b) = (inputs(baseline, &sides[0]), inputs(candidate, &sides[1]));
    let mut comparison = compare(&a, &b);
    comparison.warnings = warnings;
    comparison.gate = Some(gate.check(&comparison));
    Ok(comparison)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn testdata(dir: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(dir)
    }

    fn load(dir: &str) -> LoadReport {
        let mut request = LoadRequest::new(testdata(dir));
        request.cache = Cache::Disabled;
        request.jobs = Some(2);
        request.load().unwrap()
    }

    #[test]
    fn every_table_has_its_memory_schema_and_the_rows_of_the_document() {
        let report = load("runs");
        assert_eq!(table_names().last(), Some(&SKIPPED));
        assert_eq!(table_names().len(), Table::ALL.len() + 1);
        for name in table_names() {
            let (schema, batches) = table(&report, name).unwrap().unwrap();
            for batch in &batches {
                assert_eq!(batch.schema(), schema, "{name}");
            }
            let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
            let expected = match name {
                "runs" => report.runs.len(),
                "points" => report.runs.iter().map(|r| r.profiler.points.len()).sum(),
                "batches" => report.runs.iter().flat_map(|r| &r.nodes).map(|n| n.metrics.batches.len()).sum(),
                "memory" => {
                    report.runs.iter().flat_map(|r| &r.nodes).map(|n| n.metrics.memory_snapshots.len()).sum()
                }
                "accuracy" => report.runs.iter().map(|r| r.accuracy.len()).sum(),
                "requests" => report.runs.iter().map(|r| r.requests.len()).sum(),
                "skipped" => report.skipped.len(),
                _ => continue,
            };
            assert_eq!(rows, expected, "{name}");
        }
        assert!(table(&report, "nope").is_none());
        // The runs fixture has runs with workers: the batches table is not trivially empty.
        let (_, batches) = table(&report, "batches").unwrap().unwrap();
        assert!(batches.iter().map(RecordBatch::num_rows).sum::<usize>() > 0);
    }

    #[test]
    fn a_file_is_not_a_directory_and_the_error_names_it() {
        let file = testdata("runs/4401463/4401463.json");
        let err = LoadRequest::new(&file).load().unwrap_err();
        assert!(matches!(err, Error::Directory { .. }), "{err:?}");
        assert!(err.to_string().starts_with(&format!("cannot read {}: ", file.display())), "{err}");
    }

    #[test]
    fn filters_are_the_loaders_and_a_bad_date_is_an_argument_error() {
        let mut request = LoadRequest::new(testdata("runs"));
        request.cache = Cache::Disabled;
        request.filters.job = vec!["4401463".to_owned()];
        let report = request.load().unwrap();
        assert_eq!(report.runs.iter().map(|r| r.metadata.job_id.as_str()).collect::<Vec<_>>(), ["4401463"]);
        request.filters.since = Some("yesterday".to_owned());
        let err = request.load().unwrap_err();
        assert_eq!(
            err,
            Error::Argument("since: \"yesterday\" is not a date (YYYY-MM-DD[THH:MM:SS])".to_owned())
        );
        request.filters.since = None;
        request.jobs = Some(0);
        assert!(matches!(request.load().unwrap_err(), Error::Argument(m) if m.starts_with("jobs:")));
    }

    #[test]
    fn a_diff_of_a_pair_is_the_diff_crates_comparison_and_gates() {
        let pairs = testdata("diff/pairs");
        let mut sides = fs::read_dir(&pairs).unwrap().map(|e| e.unwrap().path()).collect::<Vec<_>>();
        sides.sort();
        let [a, b, ..] = sides.as_slice() else { panic!("diff/pairs holds at least two runs") };
        let load = |p: &Path| {
            let mut r = LoadRequest::new(p);
            r.cache = Cache::Disabled;
            r.load().unwrap()
        };
        let (a, b) = (load(a), load(b));
        let comparison = diff(&a, &b, "none").unwrap();
        assert_eq!(comparison.baseline.len(), a.runs.len());
        assert_eq!(comparison.gate.as_ref().map(|g| g.failed), Some(false));
        assert!(
            matches!(diff(&a, &b, "nonsense<<").unwrap_err(), Error::Argument(m) if m.starts_with("fail_on:"))
        );
        let empty = LoadReport::default();
        assert_eq!(
            diff(&a, &empty, "none").unwrap_err(),
            Error::EmptySide("the candidate selects no run".into())
        );
    }
}
