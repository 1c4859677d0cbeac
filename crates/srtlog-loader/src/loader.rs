//! [`RunLoader`]: from a root directory to [`BenchmarkRun`]s and [`SkippedRun`]s, in parallel,
//! through the cache.

mod power;
mod requests;
pub(crate) mod server_metrics;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use srtlog_cache::{fingerprint_listed, CacheError, FileFingerprint, RunCache};
use srtlog_columnar::files::describe_file_type;
use srtlog_columnar::{open_regular, Links, RegularFile};
use srtlog_model::derived::{derive_run_with, derive_workers};
use srtlog_model::{
    benchmark_parsers, get_benchmark_parser, is_accuracy_benchmark, node_parsers, parse_run_accuracy,
    parse_run_results, AnalysisDocument, BenchmarkParser, BenchmarkRun, NodeInfo, ParseError, ParseOptions,
    ProfilerResults, RunFiles, RunWarning, RunWarningKind, SkipKind, SkippedRun, WorkerDerived,
    WorkersDerived, SCHEMA_VERSION,
};

use crate::discover::{discover_runs, inspect_dir, RunDir};
use crate::filter::RunFilter;
use crate::listing::{list_run_files, relative_to};
use crate::metadata::{read_run_metadata, MetadataBundle};
use crate::nodes::NodeAnalyzer;
use crate::setup::read_setup;

/// Where caches go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheMode {
    /// `{run}/cached_assets/` (the default).
    InRunDir,
    /// Under this directory, one sub-directory per run (for read-only trees).
    Dir(PathBuf),
    /// Never read or write a cache.
    Disabled,
}

/// How much of each worker a load keeps (with [`LoaderOptions::with_nodes`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NodeDetail {
    /// Every batch and memory snapshot (what the JSON document, the report and exports need).
    #[default]
    Batches,
    /// Where the cache is valid, only each worker's metadata, config, parse stats and derived
    /// summary, read from the cache file's footer without decoding a batch
    /// ([`BenchmarkRun::worker_summaries`]; `nodes` then hold no batches or memory snapshots).
    /// A run whose cache is missing or stale is parsed and comes back with everything. For
    /// callers that print per-worker summaries, such as `analyze` without `--json`.
    Summaries,
}

/// How a [`RunLoader`] works.
#[derive(Debug, Clone)]
pub struct LoaderOptions {
    /// Parse worker logs into [`NodeInfo`]s.
    pub with_nodes: bool,
    /// Read aiperf's per-request `profile_export.jsonl` files into [`BenchmarkRun::requests`]
    /// (off by default: millions of rows that only the dataset's `requests/` table uses).
    pub with_requests: bool,
    /// Read the Tachometer scraper's time series into [`BenchmarkRun::server_metrics`] (off by
    /// default: millions of points that only the dataset's `server_metrics/` table and the
    /// report use; without it the run's summary only lists the files).
    pub with_server_metrics: bool,
    /// How much of each worker to keep.
    pub node_detail: NodeDetail,
    /// Where caches are read and written.
    pub cache: CacheMode,
    /// Threads for parsing (runs and worker files share one pool); `None` = all cores.
    pub jobs: Option<usize>,
    /// Limits for log parsing.
    pub parse: ParseOptions,
    /// Which runs to load ([`RunLoader::load_single`] ignores it). Runs whose metadata cannot
    /// be read are kept (as skipped) unless `--job` excludes them: nothing else can be told.
    pub filter: RunFilter,
}

impl Default for LoaderOptions {
    fn default() -> Self {
        LoaderOptions {
            with_nodes: true,
            with_requests: false,
            with_server_metrics: false,
            node_detail: NodeDetail::Batches,
            cache: CacheMode::InRunDir,
            jobs: None,
            parse: ParseOptions::default(),
            filter: RunFilter::default(),
        }
    }
}

/// Counters of one load, for the CLI's summary and for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Cache parts read and found valid.
    pub hits: usize,
    /// Cache parts missing, stale or unreadable (rebuilt).
    pub misses: usize,
    /// Cache parts written.
    pub writes: usize,
}

/// What [`RunLoader::load_all`] returns.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Loaded runs, newest job first.
    pub runs: Vec<BenchmarkRun>,
    /// Runs that could not be loaded, with reasons.
    pub skipped: Vec<SkippedRun>,
    /// Problems that did not stop a run (each names its file).
    pub warnings: Vec<String>,
    /// Run directories that could not be written, so were analysed without caching.
    pub uncached_read_only: Vec<PathBuf>,
    /// Cache hits, misses and writes.
    pub cache: CacheStats,
}

impl LoadReport {
    /// The JSON document of `analyze --json`.
    pub fn into_document(self) -> AnalysisDocument {
        AnalysisDocument { schema_version: SCHEMA_VERSION, runs: self.runs, skipped: self.skipped }
    }
}

/// The metadata files a run's caches depend on besides the parser's own sources.
struct RunSources<'a> {
    metadata_path: &'a Path,
    config: Option<&'a crate::metadata::RunConfig>,
}

impl RunSources<'_> {
    /// The metadata and config files, relative to the run directory (as its listing names them).
    fn listed_paths(&self, files: &RunFiles) -> Vec<String> {
        let config = self.config.and_then(|c| c.path.as_deref());
        std::iter::once(self.metadata_path)
            .chain(config)
            .map(|p| relative_to(files.root(), p).unwrap_or_else(|| p.to_string_lossy().into_owned()))
            .collect()
    }
}

/// Fingerprints `paths` of a run from its listing; `None` (with a warning) when one is not
/// listed: the run is then parsed without the cache.
fn fingerprints<'a>(
    files: &RunFiles,
    paths: impl IntoIterator<Item = &'a str>,
) -> Option<Vec<FileFingerprint>> {
    fingerprint_listed(files, paths)
        .map_err(|e| tracing::warn!("not caching {}: {e}", files.root().display()))
        .ok()
}

#[derive(Default)]
struct Side {
    warnings: Vec<String>,
    read_only: Vec<PathBuf>,
    /// Runs whose cache was refused for a symbolic link (warned once each).
    linked_cache: Vec<PathBuf>,
    cache: CacheStats,
}

/// Loads SRT-SLURM run directories under a root.
///
/// Runs load in parallel, and so do the worker files within a run, all on one rayon pool of
/// `jobs` threads, so that nesting never oversubscribes the cores.
pub struct RunLoader {
    root: PathBuf,
    options: LoaderOptions,
    pool: rayon::ThreadPool,
    side: Mutex<Side>,
}

impl RunLoader {
    /// A loader with default options (nodes parsed, caches in the run directories).
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        Self::with_options(root, LoaderOptions::default())
    }

    /// A loader with the given options.
    pub fn with_options(root: impl Into<PathBuf>, options: LoaderOptions) -> std::io::Result<Self> {
        let mut builder = rayon::ThreadPoolBuilder::new().thread_name(|i| format!("srtlog-{i}"));
        if let Some(jobs) = options.jobs {
            builder = builder.num_threads(jobs.max(1));
        }
        let pool = builder.build().map_err(std::io::Error::other)?;
        Ok(RunLoader { root: root.into(), options, pool, side: Mutex::new(Side::default()) })
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The options.
    pub fn options(&self) -> &LoaderOptions {
        &self.options
    }

    /// Every run directory under the root, newest job id first.
    pub fn discover_runs(&self) -> Vec<RunDir> {
        discover_runs(&self.root)
    }

    /// Loads one run, given its job id (as found under the root) or its path.
    pub fn load_single(&self, job_or_path: &str) -> Result<BenchmarkRun, SkippedRun> {
        let as_path = Path::new(job_or_path);
        let candidate = if as_path.is_dir() { Some(as_path.to_path_buf()) } else { None }
            .or_else(|| Some(self.root.join(job_or_path)).filter(|p| p.is_dir() && inspect_dir(p).is_some()));
        let run_dir = match candidate.and_then(|p| inspect_dir(&p)) {
            Some(run) => run,
            None => self
                .discover_runs()
                .into_iter()
                .find(|r| r.job_id.as_deref() == Some(job_or_path))
                .ok_or_else(|| SkippedRun {
                    path: self.root.join(job_or_path).to_string_lossy().into_owned(),
                    job_id: Some(job_or_path.to_owned()),
                    kind: SkipKind::NoMetadata,
                    reason: format!("no run directory for {job_or_path:?} under {}", self.root.display()),
                })?,
        };
        self.pool.install(|| {
            let bundle = self.read_metadata(&run_dir)?;
            Ok(self.load_from_metadata(&run_dir, bundle))
        })
    }

    /// Loads every run under the root.
    pub fn load_all(&self) -> LoadReport {
        self.load_all_with_progress(&|_| {})
    }

    /// Loads every run under the root, calling `progress(run_dir)` as each run finishes
    /// (from worker threads).
    pub fn load_all_with_progress(&self, progress: &(dyn Fn(&RunDir) + Sync)) -> LoadReport {
        let runs = self.discover_runs();
        self.load_runs(&runs, progress)
    }

    /// Loads the given run directories (from [`RunLoader::discover_runs`], perhaps filtered).
    pub fn load_runs(&self, runs: &[RunDir], progress: &(dyn Fn(&RunDir) + Sync)) -> LoadReport {
        let filter = &self.options.filter;
        let results: Vec<Result<BenchmarkRun, SkippedRun>> = self.pool.install(|| {
            runs.par_iter()
                .filter(|run| filter.accepts_job_id(run.job_id.as_deref()))
                .filter_map(|run| {
                    // The filter sees the metadata before any result or log is parsed.
                    let result = match self.read_metadata(run) {
                        Ok(bundle) if !filter.accepts(&bundle.metadata) => None,
                        Ok(bundle) => Some(Ok(self.load_from_metadata(run, bundle))),
                        Err(skip) => Some(Err(skip)),
                    };
                    progress(run);
                    result
                })
                .collect()
        });
        let mut report = LoadReport::default();
        for result in results {
            match result {
                Ok(run) => report.runs.push(run),
                Err(skip) => report.skipped.push(skip),
            }
        }
        let side = std::mem::take(&mut *self.side.lock().unwrap_or_else(|e| e.into_inner()));
        report.warnings = side.warnings;
        report.uncached_read_only = side.read_only;
        report.uncached_read_only.sort();
        report.cache = side.cache;
        report
    }

    /// Parses (or loads from the cache) the worker metrics of a loaded run and reads each
    /// worker's configuration. Runs loaded with `with_nodes` already have them. After storing
    /// them in `run.nodes`, call [`BenchmarkRun::update_derived`] for the per-worker values.
    pub fn load_node_metrics_for_run(&self, run: &BenchmarkRun) -> Vec<NodeInfo> {
        let run_dir = PathBuf::from(&run.metadata.path);
        self.pool.install(|| self.load_nodes(&run_dir, run))
    }

    fn side(&self) -> std::sync::MutexGuard<'_, Side> {
        self.side.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one cache lookup and returns its hit: a part that does not validate is a miss,
    /// and one that cannot be read is a miss too (it is rebuilt from the sources), never an
    /// error. The one rule of every cache part (results, nodes, requests, server series).
    fn cache_lookup<T>(&self, looked_up: Result<Option<T>, srtlog_cache::CacheError>) -> Option<T> {
        let hit = match looked_up {
            Ok(hit) => hit,
            Err(err) => {
                tracing::info!("rebuilding unreadable cache: {err}");
                None
            }
        };
        let mut side = self.side();
        if hit.is_some() {
            side.cache.hits += 1;
        } else {
            side.cache.misses += 1;
        }
        hit
    }

    fn warn(&self, message: String) {
        tracing::warn!("{message}");
        self.side().warnings.push(message);
    }

    /// The run's cache, unless caching is off or the cache is refused because it (or a file in
    /// it) is a symbolic link: the run is then analysed without caching, with one warning.
    /// Under `--cache-dir DIR`, `DIR` itself may be a link (the user chose it); the per-run
    /// directories in it are srtlog's and never are.
    fn cache_for(&self, run_dir: &Path) -> Option<RunCache> {
        let cache = match &self.options.cache {
            CacheMode::Disabled => return None,
            CacheMode::InRunDir => RunCache::new(run_dir.join("cached_assets")),
            CacheMode::Dir(root) => RunCache::new(root.join(cache_key(run_dir))),
        };
        match cache.check_links() {
            Ok(()) => Some(cache),
            Err(err) => {
                let first = {
                    let mut side = self.side();
                    let first = !side.linked_cache.iter().any(|p| p == run_dir);
                    if first {
                        side.linked_cache.push(run_dir.to_path_buf());
                    }
                    first
                };
                if first {
                    self.warn(format!("{err}; {} analysed without caching", run_dir.display()));
                }
                None
            }
        }
    }

    /// Warns, naming them, about the entries of a run's listing that are not regular files (a
    /// device, FIFO or socket, or a link to one): they are never read.
    fn warn_special_entries(&self, files: &RunFiles) {
        let special: Vec<String> = files
            .entries()
            .iter()
            .filter(|e| e.is_special())
            .map(|e| {
                let path = files.full_path(&e.path);
                let what =
                    std::fs::metadata(&path).map_or("special file", |m| describe_file_type(m.file_type()));
                format!("{} ({what})", path.display())
            })
            .collect();
        if !special.is_empty() {
            self.warn(format!("not regular files, not read: {}", special.join(", ")));
        }
    }

    fn note_store_error(&self, run_dir: &Path, err: CacheError) {
        if err.is_not_writable() {
            let mut side = self.side();
            if !side.read_only.iter().any(|p| p == run_dir) {
                side.read_only.push(run_dir.to_path_buf());
            }
        } else {
            self.warn(format!("cache not written: {err}"));
        }
    }

    /// The first stage of loading a run: its metadata and config, with the backend filled in
    /// from the container when the metadata names none.
    fn read_metadata(&self, run: &RunDir) -> Result<MetadataBundle, SkippedRun> {
        let skip = |kind: SkipKind, reason: String| SkippedRun {
            path: run.path.to_string_lossy().into_owned(),
            job_id: run.job_id.clone(),
            kind,
            reason,
        };
        let metadata_path = run.metadata_file.as_ref().ok_or_else(|| {
            skip(
                SkipKind::NoMetadata,
                format!(
                    "{}: no {}.json or metadata.json",
                    run.path.display(),
                    run.job_id.as_deref().unwrap_or("<job_id>")
                ),
            )
        })?;
        let mut bundle =
            read_run_metadata(&run.path, metadata_path).map_err(|e| skip(e.kind, e.to_string()))?;
        let metadata = &mut bundle.metadata;
        if metadata.backend_type.is_none() {
            // Legacy metadata names no backend, but its container usually does
            // (`dynamo-sglang-0.5.3.sqsh`); ask the registered node parsers, as node analysis does.
            metadata.backend_type = metadata.container.as_deref().and_then(backend_of_container);
        }
        Ok(bundle)
    }

    /// The rest of loading a run: results (cached or parsed), completeness, workers, setup,
    /// derived values. It cannot fail: once the metadata is read, the run is a run, and what
    /// cannot be read of it (results, workers, setup files) becomes a warning of the run.
    fn load_from_metadata(&self, run: &RunDir, bundle: MetadataBundle) -> BenchmarkRun {
        let MetadataBundle { metadata, mut profiler_metadata, config, metadata_path, document, warnings } =
            bundle;
        let sources = RunSources { metadata_path: &metadata_path, config: config.as_ref() };

        // The run is listed once: the parsers choose their files from the listing, and the cache
        // fingerprints the same entries.
        let files = list_run_files(&run.path);
        self.warn_special_entries(&files);
        let bench_out = files.benchmark_out().map(|e| files.full_path(&e.path));
        let bench_head = bench_out.as_deref().map(read_head).unwrap_or_default();
        // Accuracy is read for every run, whatever its type (a throughput sweep may have a
        // post-eval); an eval type with accuracy results needs no benchmark parser.
        let accuracy = parse_run_accuracy(&files, &mut |path| {
            open_regular(&files.full_path(path), Links::Follow).and_then(RegularFile::read_all)
        });
        for w in &accuracy.warnings {
            tracing::info!("{}: {w}", run.path.display());
        }
        let is_eval = profiler_metadata.profiler_type.as_deref().is_some_and(is_accuracy_benchmark);
        let mut warnings = warnings;
        let parser = match self.choose_benchmark_parser(
            &run.path,
            &profiler_metadata,
            &bench_head,
            bench_out.as_deref(),
        ) {
            Ok(parser) => Some(parser),
            Err(_) if is_eval && !accuracy.results.is_empty() => None,
            Err(warning) => {
                warnings.push(warning);
                None
            }
        };
        if let (None, Some(parser)) = (&profiler_metadata.profiler_type, parser) {
            profiler_metadata.profiler_type = Some(parser.name().to_owned());
        }
        let profiler = match parser.map(|p| self.load_results(&files, &sources, p)) {
            Some(Ok(profiler)) => profiler,
            Some(Err(err)) => {
                warnings.push(RunWarning {
                    kind: err.warning_kind_for_results(),
                    message: format!("no results read: {err}"),
                });
                ProfilerResults::default()
            }
            None => ProfilerResults::default(),
        };
        for w in &profiler.warnings {
            tracing::info!("{}: {w}", run.path.display());
        }
        let benchmark_launch_command = parser.and_then(|p| p.parse_launch_command(&bench_head));
        let mut result = BenchmarkRun {
            metadata,
            profiler_metadata,
            profiler,
            benchmark_launch_command,
            warnings,
            accuracy: accuracy.results,
            accuracy_warnings: accuracy.warnings,
            ..BenchmarkRun::default()
        };
        result.update_completeness();
        // Power: read fresh on every load, never cached (loader/power.rs).
        self.load_power(&files, &mut result);
        if self.options.with_requests {
            self.load_requests(&files, &mut result);
        }
        self.load_server_metrics(&files, &mut result);
        // The per-worker derived values, when the node store has just computed them from
        // these workers (a cold load that writes the cache): not computed a second time.
        let mut fresh_workers = None;
        if self.options.with_nodes {
            let loaded = self.load_nodes_with(&files, &result, Some(&sources), self.options.node_detail);
            result.nodes = loaded.nodes;
            result.worker_summaries = loaded.summaries;
            fresh_workers = loaded.derived;
            self.check_workers(&files, &mut result, config.as_ref());
        }
        // Configuration: read fresh on every load, never cached.
        let (setup, setup_warnings) = read_setup(&files, &metadata_path, &document, config.as_ref());
        result.setup = setup;
        result.warnings.extend(setup_warnings);
        for w in &result.warnings {
            tracing::info!("{}: {}: {}", run.path.display(), w.kind.as_str(), w.message);
        }
        match fresh_workers {
            Some(workers) => {
                result.derived = derive_run_with(&result, Some(workers));
            }
            None => result.update_derived(),
        }
        result
    }

    /// Sets the run's missing workers and, when some are missing, warns naming the worker
    /// entries that could not be read (dangling links) — or that none are there.
    fn check_workers(
        &self,
        files: &RunFiles,
        run: &mut BenchmarkRun,
        config: Option<&crate::metadata::RunConfig>,
    ) {
        run.update_missing_workers();
        if run.missing_workers.is_empty() {
            return;
        }
        let roles: Vec<String> = run
            .missing_workers
            .iter()
            .map(|m| {
                let absent = if m.absent_ids.is_empty() {
                    String::new()
                } else {
                    format!(" ({} absent)", m.absent_ids.join(", "))
                };
                format!("{}: {} of {}{absent}", m.worker_type.as_str(), m.found, m.expected)
            })
            .collect();
        let analyzer = NodeAnalyzer::new(files, &run.metadata, config, self.options.parse);
        let unlisted = analyzer.unlisted_worker_files();
        let why = if unlisted.is_empty() {
            "no log of theirs in logs/workers/, logs/ or the run directory".to_owned()
        } else {
            format!("unreadable (a dangling link or not a regular file): {}", unlisted.join(", "))
        };
        run.warn(
            RunWarningKind::MissingWorkers,
            format!(
                "{}: fewer workers in the logs than the metadata names ({}); {why}",
                files.root().display(),
                roles.join(", ")
            ),
        );
    }

    /// The parser for the run's results, or the warning that says why there is none (a
    /// profiling job; a benchmark type without a parser whose `benchmark.out` no parser
    /// recognises either).
    fn choose_benchmark_parser(
        &self,
        run_dir: &Path,
        profiler: &srtlog_model::ProfilerMetadata,
        bench_head: &str,
        bench_out: Option<&Path>,
    ) -> Result<&'static dyn BenchmarkParser, RunWarning> {
        let warning = |kind, message| RunWarning { kind, message };
        let dir_name = run_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let named = profiler.profiler_type.as_deref();
        if is_profiling(named) || dir_name.contains("_profile_") {
            return Err(warning(
                RunWarningKind::ProfilingJob,
                format!(
                    "{}: profiling job (benchmark type {}): it measures no serving throughput, so no results are read",
                    run_dir.display(),
                    named.unwrap_or("profile")
                ),
            ));
        }
        if let Some(name) = named {
            if let Ok(parser) = get_benchmark_parser(name) {
                return Ok(parser);
            }
        }
        // Metadata did not say, or named a type without a parser: ask each parser.
        let detected = benchmark_parsers()
            .map_err(|e| warning(RunWarningKind::UnsupportedBenchmark, e.to_string()))?
            .into_iter()
            .find(|p| !bench_head.is_empty() && p.detect(bench_head));
        let bench_out_state = || match bench_out {
            None => format!("{}/logs/benchmark.out is missing", run_dir.display()),
            Some(p) => format!("no parser recognises {}", p.display()),
        };
        match (detected, named) {
            (Some(parser), _) => Ok(parser),
            (None, Some(name)) => Err(warning(
                RunWarningKind::UnsupportedBenchmark,
                format!(
                    "{}: benchmark type {name:?} has no parser ({}), and {}: no results read",
                    run_dir.display(),
                    get_benchmark_parser(name).err().map(|e| e.to_string()).unwrap_or_default(),
                    bench_out_state()
                ),
            )),
            (None, None) => Err(warning(
                RunWarningKind::NoResults,
                format!(
                    "{}: the metadata names no benchmark type, and {}: no results read",
                    run_dir.display(),
                    bench_out_state()
                ),
            )),
        }
    }

    fn load_results(
        &self,
        files: &RunFiles,
        sources: &RunSources<'_>,
        parser: &dyn BenchmarkParser,
    ) -> Result<ProfilerResults, ParseError> {
        let run_dir = files.root();
        let selected = parser.select(files);
        let cache = self.cache_for(run_dir);
        let fingerprints = cache.as_ref().and_then(|_| {
            let metadata = sources.listed_paths(files);
            fingerprints(files, selected.files().into_iter().chain(metadata.iter().map(String::as_str)))
        });
        if let (Some(cache), Some(fps)) = (&cache, &fingerprints) {
            if let Some(results) = self.cache_lookup(cache.load_results(fps)) {
                return Ok(results);
            }
        }
        // Only the selected files are read, one at a time as the parser asks for them.
        let results = parse_run_results(parser, &selected, &mut |path| {
            open_regular(&files.full_path(path), Links::Follow).and_then(RegularFile::read_all)
        })?;
        if results.source == Some(srtlog_model::ResultSource::BenchmarkOut) {
            tracing::info!("{}: no result JSON; read results from benchmark.out", run_dir.display());
        }
        if let (Some(cache), Some(fps)) = (&cache, &fingerprints) {
            match cache.store_results(fps, &results) {
                Ok(()) => self.side().cache.writes += 1,
                Err(err) => self.note_store_error(run_dir, err),
            }
        }
        Ok(results)
    }

    fn load_nodes(&self, run_dir: &Path, run: &BenchmarkRun) -> Vec<NodeInfo> {
        let bundle = run_dir_metadata(run_dir);
        let sources = bundle
            .as_ref()
            .map(|b| RunSources { metadata_path: &b.metadata_path, config: b.config.as_ref() });
        self.load_nodes_with(&list_run_files(run_dir), run, sources.as_ref(), NodeDetail::Batches).nodes
    }

    fn load_nodes_with(
        &self,
        files: &RunFiles,
        run: &BenchmarkRun,
        sources: Option<&RunSources<'_>>,
        detail: NodeDetail,
    ) -> LoadedWorkers {
        let run_dir = files.root();
        let analyzer =
            NodeAnalyzer::new(files, &run.metadata, sources.and_then(|s| s.config), self.options.parse);
        let workers = analyzer.find_worker_files();
        if workers.is_empty() {
            return LoadedWorkers::default();
        }
        let Some(parser) = analyzer.detect_backend(&workers) else {
            self.warn(format!(
                "{}: cannot tell the backend of {} worker logs (metadata names none and no registered parser recognises them)",
                run_dir.display(),
                workers.len()
            ));
            return LoadedWorkers::default();
        };
        let cache = self.cache_for(run_dir);
        let fingerprints: Option<Vec<FileFingerprint>> = cache.as_ref().and_then(|_| {
            let mut paths: Vec<String> = workers.iter().flat_map(|w| w.listed_paths(files)).collect();
            paths.extend(sources.map(|s| s.listed_paths(files)).unwrap_or_default());
            fingerprints(files, paths.iter().map(String::as_str))
        });
        let mut cached = None;
        if let (Some(cache), Some(fps)) = (&cache, &fingerprints) {
            let loaded = match detail {
                NodeDetail::Batches => cache.load_nodes(fps).map(|hit| hit.map(|nodes| (nodes, None))),
                NodeDetail::Summaries => cache
                    .load_node_summaries(fps)
                    .map(|hit| hit.map(|(nodes, derived)| (nodes, Some(derived)))),
            };
            cached = self.cache_lookup(loaded);
        }
        let mut derived = None;
        let (metrics, summaries) = match cached {
            Some(hit) => hit,
            None => {
                let mut metrics = analyzer.parse_workers(parser, &workers);
                // Stored in the order `assemble` gives, so that the cached summaries (computed
                // in stored order) line up with the workers a summary load returns.
                metrics.sort_by(|a, b| a.metadata.cmp(&b.metadata));
                if let (Some(cache), Some(fps)) = (&cache, &fingerprints) {
                    // The footer's summaries and the run's per-worker values are one
                    // computation: `assemble` keeps this order and these batches.
                    let workers = derive_workers(&metrics.iter().collect::<Vec<_>>());
                    match cache.store_nodes_derived(fps, &metrics, &workers) {
                        Ok(()) => self.side().cache.writes += 1,
                        Err(err) => self.note_store_error(run_dir, err),
                    }
                    derived = Some(workers);
                }
                (metrics, None)
            }
        };
        let nodes = analyzer.assemble(parser, &workers, metrics);
        match summaries.map(|derived| in_order_of(&nodes, derived)) {
            None => LoadedWorkers { nodes, summaries: None, derived },
            Some(Some(summaries)) => LoadedWorkers { nodes, summaries: Some(summaries), derived: None },
            // A summary that matches no worker: the footer cannot be trusted for summaries, so
            // the batches are loaded (or parsed) instead.
            Some(None) => self.load_nodes_with(files, run, sources, NodeDetail::Batches),
        }
    }
}

/// A run's workers as [`RunLoader::load_nodes_with`] loaded them: with their batches, or (from
/// a valid cache, for [`NodeDetail::Summaries`]) without them and with their summaries.
#[derive(Default)]
struct LoadedWorkers {
    nodes: Vec<NodeInfo>,
    summaries: Option<WorkersDerived>,
    /// [`derive_workers`] of `nodes` (with their batches), when it was computed for the store.
    derived: Option<WorkersDerived>,
}

/// `derived`'s worker summaries in the order of `nodes`, or `None` when some worker has none.
/// They are stored in that order already (sorted before the store); a summary is found by its
/// worker's identity all the same, so that no summary is ever shown beside another worker.
fn in_order_of(nodes: &[NodeInfo], mut derived: WorkersDerived) -> Option<WorkersDerived> {
    let same = |n: &NodeInfo, w: &WorkerDerived| {
        let m = &n.metrics.metadata;
        m.node_name == w.node_name && m.worker_type == w.worker_type && m.worker_id == w.worker_id
    };
    let in_order =
        nodes.len() == derived.workers.len() && nodes.iter().zip(&derived.workers).all(|(n, w)| same(n, w));
    if !in_order {
        let mut pool = std::mem::take(&mut derived.workers);
        derived.workers = nodes
            .iter()
            .map(|n| pool.iter().position(|w| same(n, w)).map(|i| pool.swap_remove(i)))
            .collect::<Option<Vec<_>>>()?;
    }
    Some(derived)
}

fn backend_of_container(container: &str) -> Option<String> {
    node_parsers().ok()?.into_iter().find(|p| p.accepts_backend(container)).map(|p| p.name().to_owned())
}

fn run_dir_metadata(run_dir: &Path) -> Option<MetadataBundle> {
    let run = inspect_dir(run_dir)?;
    read_run_metadata(run_dir, run.metadata_file.as_deref()?).ok()
}

fn is_profiling(profiler_type: Option<&str>) -> bool {
    matches!(
        profiler_type,
        Some("torch-profiler" | "torch_profiler" | "nsys" | "nsys-profiler" | "profile" | "profiling")
    )
}

/// Bytes of `benchmark.out` read for detection and launch commands: the header and the first
/// concurrency's output are near the top.
const BENCHMARK_OUT_HEAD: u64 = 256 << 10;

fn read_head(path: &Path) -> String {
    String::from_utf8_lossy(&crate::metadata::read_head(path, BENCHMARK_OUT_HEAD)).into_owned()
}

/// A stable, collision-resistant directory name for a run's cache under `--cache-dir`:
/// the run directory's name plus an FNV-1a hash of its absolute path.
pub fn cache_key(run_dir: &Path) -> String {
    let abs = std::fs::canonicalize(run_dir).unwrap_or_else(|_| run_dir.to_path_buf());
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in abs.to_string_lossy().bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let name: String = run_dir
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
                .collect()
        })
        .unwrap_or_default();
    format!("{name}-{hash:016x}")
}
