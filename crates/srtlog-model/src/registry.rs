//! The two parser traits and the `inventory` registries they self-register into.
//!
//! Both kinds of parser do no file I/O. A [`BenchmarkParser`] selects its files from a run's
//! listing ([`crate::RunFiles`] → [`ResultSources`]) and parses the bytes the caller reads for
//! it ([`SourceBytes`]); [`parse_run_results`] drives it, result files first and
//! `benchmark.out` as the fallback. A [`NodeParser`] streams a `Read` it is handed.
//!
//! A parser crate implements a trait on a unit struct and registers it next to the impl:
//!
//! ```ignore
//! inventory::submit! { srtlog_model::BenchmarkParserRegistration::new(&SaBenchParser) }
//! ```
//!
//! Registries are read through [`get_benchmark_parser`] / [`list_benchmark_parsers`] and
//! [`get_node_parser`] / [`list_node_parsers`]. The name→parser map is built once; two parsers
//! with one name make every lookup fail with [`RegistryError::Duplicate`] rather than letting one
//! silently win.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::batches::Batches;
use crate::error::{ParseError, RegistryError};
use crate::node::{MemoryMetrics, NodeLaunchCommand, ParallelConfig, ParseStats};
use crate::results::{BenchmarkLaunchCommand, ProfilerResults};
use crate::run_files::RunFiles;
use crate::text::StringMap;

/// A benchmark-result format (`sa-bench`, `mooncake-router`), as pure functions.
///
/// A parser never touches the file system. It chooses its files from the run's listing
/// ([`BenchmarkParser::select`]), and parses the bytes it is handed
/// ([`BenchmarkParser::parse_results`], [`BenchmarkParser::parse_benchmark_out`]). The order —
/// result files first, `benchmark.out` only when no result file is usable — is
/// [`parse_run_results`], for every parser.
pub trait BenchmarkParser: Send + Sync {
    /// The `benchmark.type` this parser reads (`sa-bench`).
    fn name(&self) -> &'static str;

    /// Other `benchmark.type` values whose output is in this format.
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether `benchmark.out` (its text, possibly only the head) was written by this benchmark.
    fn detect(&self, benchmark_out: &str) -> bool;

    /// Chooses, from a run's listing, the result files to read (in order), the files the choice
    /// depended on, and `benchmark.out`. Everything a parse of this run can depend on is in
    /// [`ResultSources::files`], which is what the cache fingerprints.
    fn select(&self, files: &RunFiles) -> ResultSources;

    /// Parses the result files of `sources`, whose bytes `bytes` yields in the order of
    /// [`ResultSources::result_files`] (each read when it is pulled; a parser may stop early).
    /// Paths in the result are relative to the run directory. A file that cannot be read or
    /// parsed becomes a warning or an error naming it; `Ok` without points means that there is
    /// no result file to read.
    fn parse_results(
        &self,
        sources: &ResultSources,
        bytes: &mut dyn Iterator<Item = SourceBytes<'_>>,
    ) -> Result<ProfilerResults, ParseError>;

    /// Reads the summary blocks of `benchmark.out` text (the fallback source).
    fn parse_benchmark_out(&self, text: &str) -> ProfilerResults;

    /// The benchmark's command and settings from `benchmark.out` text.
    fn parse_launch_command(&self, benchmark_out: &str) -> Option<BenchmarkLaunchCommand>;

    /// Reads srt-slurm's rollup (`benchmark-rollup.json` / `.csv`, `rollup.json`; `path` is
    /// its relative path, for the format and for messages): the last fallback source and the
    /// cross-check of the result files. `Err` says why the file is not usable.
    fn parse_rollup(&self, path: &str, bytes: &[u8]) -> Result<ProfilerResults, String> {
        let _ = bytes;
        Err(format!("{path}: the {} parser reads no rollup", self.name()))
    }
}

/// What a benchmark parser reads of a run, chosen from its listing by [`BenchmarkParser::select`].
/// Paths are relative to the run directory, `/`-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultSources {
    /// The run directory, only for naming files in errors ([`ResultSources::full_path`]).
    pub run_dir: PathBuf,
    /// The directory the result files come from, named when none of them is usable.
    pub result_dir: Option<String>,
    /// The result files, in the order the parser reads them.
    pub result_files: Vec<String>,
    /// Files the choice depended on without being read (other result directories' files,
    /// older aiperf exports): a change to them can change what is read.
    pub considered: Vec<String>,
    /// `logs/benchmark.out` or `benchmark.out`, read only when no result file is usable.
    pub benchmark_out: Option<String>,
    /// srt-slurm's rollup (`ROLLUP_PATHS`): the last fallback, and a
    /// cross-check of the result files when both are there.
    pub rollup: Option<String>,
    /// Notes on the choice, which the parser puts first among its warnings when it reads the
    /// result files (`read the newest aiperf artifact directory …, ignored …`).
    pub notes: Vec<String>,
}

impl ResultSources {
    /// Sources of the run listed in `files` with no result file yet: its `benchmark.out`, if any.
    pub fn new(files: &RunFiles) -> Self {
        ResultSources {
            run_dir: files.root().to_path_buf(),
            benchmark_out: files.benchmark_out().map(|e| e.path.clone()),
            rollup: files.rollup().map(|e| e.path.clone()),
            ..Default::default()
        }
    }

    /// Every file the results depend on, each once: the result files, the files considered,
    /// `benchmark.out`, the rollup, in that order. This is what the cache fingerprints.
    pub fn files(&self) -> Vec<&str> {
        let mut seen = std::collections::BTreeSet::new();
        self.result_files
            .iter()
            .chain(&self.considered)
            .chain(&self.benchmark_out)
            .chain(&self.rollup)
            .map(String::as_str)
            .filter(|path| seen.insert(*path))
            .collect()
    }

    /// The run directory joined with `path`, for messages (nothing is opened).
    pub fn full_path(&self, path: &str) -> PathBuf {
        if path.is_empty() {
            self.run_dir.clone()
        } else {
            self.run_dir.join(path)
        }
    }
}

/// The bytes of one selected file, or why it could not be read (it vanished since it was listed,
/// permissions, ...), handed to [`BenchmarkParser::parse_results`].
#[derive(Debug)]
pub struct SourceBytes<'a> {
    /// The file, relative to the run directory.
    pub path: &'a str,
    /// Its whole content.
    pub bytes: io::Result<Vec<u8>>,
}

/// Results of a run: the result files of `sources` first, else `benchmark.out`, else the rollup.
///
/// `read` fetches a file's bytes by its relative path (the loader reads the file system; tests
/// may serve fixtures from memory); it is asked only for files of `sources`, result files one at
/// a time as the parser pulls them. When the result files are unusable and `benchmark.out` has
/// results, those are returned with a warning naming the error; its points name `benchmark.out`
/// as their source file. An unreadable `benchmark.out` is an I/O error naming it. The rollup
/// (`sources.rollup`) is read last, when neither gave a point (its points name it, and a
/// warning says why it was read); when the result files gave points and a rollup exists, it is
/// read as a cross-check, and each value that disagrees beyond rounding
/// ([`ProfilerResults::disagreements`]) is a warning naming both files.
pub fn parse_run_results(
    parser: &dyn BenchmarkParser,
    sources: &ResultSources,
    read: &mut dyn FnMut(&str) -> io::Result<Vec<u8>>,
) -> Result<ProfilerResults, ParseError> {
    let rollup = sources.rollup.as_ref();
    let json_error = {
        let mut bytes = sources.result_files.iter().map(|path| SourceBytes { path, bytes: read(path) });
        match parser.parse_results(sources, &mut bytes) {
            Ok(mut results) if !results.points.is_empty() => {
                if let Some(rel) = rollup {
                    cross_check(parser, rel, &mut results, read);
                }
                return Ok(results);
            }
            Ok(_) => None,
            Err(err) => Some(err),
        }
    };
    let mut out_error = None;
    if let Some(rel) = &sources.benchmark_out {
        match read(rel) {
            Ok(bytes) => {
                let mut results = parser.parse_benchmark_out(&String::from_utf8_lossy(&bytes));
                if !results.points.is_empty() {
                    for point in &mut results.points {
                        point.source_file.get_or_insert_with(|| rel.clone());
                    }
                    if let Some(err) = json_error {
                        results
                            .warnings
                            .insert(0, format!("result files unusable, read {rel} instead: {err}"));
                    }
                    return Ok(results);
                }
            }
            Err(e) => out_error = Some(ParseError::io(sources.full_path(rel), e)),
        }
    }
    let why = || match (&json_error, &sources.benchmark_out) {
        (Some(err), _) => format!("result files unusable ({err})"),
        (None, Some(out)) => format!("no {} result files and no result block in {out}", parser.name()),
        (None, None) => format!("no {} result files and no benchmark.out", parser.name()),
    };
    // Every reason at once, so that the one error a run gets names each source that failed.
    let why_all = |out_error: &Option<ParseError>| match out_error {
        Some(err) => format!("{}; {err}", why()),
        None => why(),
    };
    if let Some(rel) = rollup {
        let rollup = read(rel).map_err(|e| e.to_string()).and_then(|bytes| parser.parse_rollup(rel, &bytes));
        match rollup {
            Ok(mut results) if !results.points.is_empty() => {
                for point in &mut results.points {
                    point.source_file.get_or_insert_with(|| rel.clone());
                }
                results.warnings.insert(0, format!("{}; read the rollup {rel} instead", why()));
                return Ok(results);
            }
            Ok(_) => {
                return Err(ParseError::NoResults {
                    path: sources.full_path(rel),
                    message: format!("{}; the rollup has no run either", why_all(&out_error)),
                })
            }
            Err(message) => {
                return Err(ParseError::invalid(
                    sources.full_path(rel),
                    format!("{}; rollup unusable: {message}", why_all(&out_error)),
                ))
            }
        }
    }
    if let Some(err) = out_error {
        return Err(err);
    }
    let message = why();
    Err(json_error.unwrap_or(ParseError::NoResults { path: sources.run_dir.clone(), message }))
}

/// Compares the result files' points with the rollup at `rel`, adding a warning per value that
/// disagrees (or one saying why the rollup could not be read).
fn cross_check(
    parser: &dyn BenchmarkParser,
    rel: &str,
    results: &mut ProfilerResults,
    read: &mut dyn FnMut(&str) -> io::Result<Vec<u8>>,
) {
    match read(rel).map_err(|e| e.to_string()).and_then(|bytes| parser.parse_rollup(rel, &bytes)) {
        Ok(rollup) => {
            let found = results.disagreements(&rollup);
            results.warnings.extend(
                found.into_iter().map(|d| format!("rollup {rel} disagrees with the result files: {d}")),
            );
        }
        Err(message) => results.warnings.push(format!("rollup not cross-checked: {message}")),
    }
}

/// Limits that bound what one log file can cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Longest line kept whole; the rest of a longer line is skipped and the line counted in
    /// [`ParseStats::truncated_lines`]. Default 16 MiB (config dumps can be megabytes long).
    pub max_line_bytes: usize,
    /// Most diagnostics kept per file; later problems are only counted
    /// ([`ParseStats::malformed_lines`]). Default [`ParseStats::MAX_DIAGNOSTICS`].
    pub max_diagnostics: usize,
    /// The day of lines that print a time without a date (SGLang 2024 `[04:40:55 TP0]`): the
    /// run's date or the file's modification day, set by the loader per file. `None`: such
    /// lines get no timestamp. Either way the parser notes it in the diagnostics.
    pub undated_day: Option<crate::UndatedDay>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_line_bytes: 16 << 20,
            max_diagnostics: ParseStats::MAX_DIAGNOSTICS,
            undated_day: None,
        }
    }
}

/// What a node parser found in one worker's log files (a worker may have a `.out` and a `.err`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkerLogData {
    /// Batches in log order.
    pub batches: Batches,
    /// Memory snapshots in log order.
    pub memory_snapshots: Vec<MemoryMetrics>,
    /// Parallelism and limits found in the log.
    pub config: ParallelConfig,
    /// The launch command, when the log shows it.
    pub launch_command: Option<NodeLaunchCommand>,
    /// Environment assignments the log shows (bash xtrace `+ VAR=value` lines).
    pub environment: StringMap,
    /// Counters and diagnostics.
    pub stats: ParseStats,
}

/// A worker-log format (`sglang`, `trtllm`).
pub trait NodeParser: Send + Sync {
    /// The backend name (`sglang`).
    fn name(&self) -> &'static str;

    /// Whether a backend or container name from metadata or `config.yaml` means this parser
    /// (`sglang`, `dynamo-sglang`, `lmsysorg/sglang:v0.5`).
    fn accepts_backend(&self, backend: &str) -> bool;

    /// Whether the first bytes of a worker log look like this backend's output.
    fn sniff(&self, head: &[u8]) -> bool;

    /// Streams one log file, appending what it finds to `out`. Only I/O errors fail; a
    /// malformed line is counted in `out.stats` and skipped. Never holds the whole file.
    fn parse_reader(
        &self,
        reader: &mut dyn Read,
        options: &ParseOptions,
        out: &mut WorkerLogData,
    ) -> io::Result<()>;

    /// Parses a worker launch command (a `[CMD]` line, `python3 -m ...`, `trtllm-serve ...`).
    fn parse_launch_command(&self, command: &str) -> Option<NodeLaunchCommand>;
}

/// A benchmark parser's entry in the registry. Submit one with `inventory::submit!`.
pub struct BenchmarkParserRegistration {
    /// The parser.
    pub parser: &'static dyn BenchmarkParser,
}

impl BenchmarkParserRegistration {
    /// Wraps a parser for `inventory::submit!`.
    pub const fn new(parser: &'static dyn BenchmarkParser) -> Self {
        BenchmarkParserRegistration { parser }
    }
}

/// A node parser's entry in the registry. Submit one with `inventory::submit!`.
pub struct NodeParserRegistration {
    /// The parser.
    pub parser: &'static dyn NodeParser,
}

impl NodeParserRegistration {
    /// Wraps a parser for `inventory::submit!`.
    pub const fn new(parser: &'static dyn NodeParser) -> Self {
        NodeParserRegistration { parser }
    }
}

inventory::collect!(BenchmarkParserRegistration);
inventory::collect!(NodeParserRegistration);

type Registry<T> = Result<BTreeMap<&'static str, &'static T>, RegistryError>;

pub(crate) fn build_registry<T: ?Sized>(
    kind: &'static str,
    entries: impl Iterator<Item = (&'static str, &'static T)>,
) -> Registry<T> {
    let mut map = BTreeMap::new();
    for (name, parser) in entries {
        if map.insert(name, parser).is_some() {
            return Err(RegistryError::Duplicate { kind, name: name.to_owned() });
        }
    }
    Ok(map)
}

fn lookup<T: ?Sized>(
    registry: &'static Registry<T>,
    kind: &'static str,
    name: &str,
) -> Result<&'static T, RegistryError> {
    let map = registry.as_ref().map_err(Clone::clone)?;
    map.get(name).copied().ok_or_else(|| RegistryError::Unknown {
        kind,
        name: name.to_owned(),
        known: map.keys().map(|k| (*k).to_owned()).collect(),
    })
}

fn benchmark_registry() -> &'static Registry<dyn BenchmarkParser> {
    static REGISTRY: OnceLock<Registry<dyn BenchmarkParser>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let entries = inventory::iter::<BenchmarkParserRegistration>.into_iter().flat_map(|r| {
            std::iter::once(r.parser.name())
                .chain(r.parser.aliases().iter().copied())
                .map(move |name| (name, r.parser))
        });
        build_registry("benchmark", entries)
    })
}

fn node_registry() -> &'static Registry<dyn NodeParser> {
    static REGISTRY: OnceLock<Registry<dyn NodeParser>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let entries =
            inventory::iter::<NodeParserRegistration>.into_iter().map(|r| (r.parser.name(), r.parser));
        build_registry("node", entries)
    })
}

/// The benchmark parser registered under `name` (or one of its aliases).
pub fn get_benchmark_parser(name: &str) -> Result<&'static dyn BenchmarkParser, RegistryError> {
    lookup(benchmark_registry(), "benchmark", name)
}

/// Names of all registered benchmark parsers and aliases, sorted.
pub fn list_benchmark_parsers() -> Result<Vec<&'static str>, RegistryError> {
    Ok(benchmark_registry().as_ref().map_err(Clone::clone)?.keys().copied().collect())
}

/// The node parser registered under `name`.
pub fn get_node_parser(name: &str) -> Result<&'static dyn NodeParser, RegistryError> {
    lookup(node_registry(), "node", name)
}

/// Names of all registered node parsers, sorted.
pub fn list_node_parsers() -> Result<Vec<&'static str>, RegistryError> {
    Ok(node_registry().as_ref().map_err(Clone::clone)?.keys().copied().collect())
}

/// All registered benchmark parsers (each once, aliases not repeated), in name order.
pub fn benchmark_parsers() -> Result<Vec<&'static dyn BenchmarkParser>, RegistryError> {
    let map = benchmark_registry().as_ref().map_err(Clone::clone)?;
    Ok(map.iter().filter(|(name, p)| **name == p.name()).map(|(_, p)| *p).collect())
}

/// All registered node parsers, in name order.
pub fn node_parsers() -> Result<Vec<&'static dyn NodeParser>, RegistryError> {
    Ok(node_registry().as_ref().map_err(Clone::clone)?.values().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dummy(&'static str);
    impl NodeParser for Dummy {
        fn name(&self) -> &'static str {
            self.0
        }
        fn accepts_backend(&self, backend: &str) -> bool {
            backend == self.0
        }
        fn sniff(&self, _head: &[u8]) -> bool {
            false
        }
        fn parse_reader(&self, _: &mut dyn Read, _: &ParseOptions, _: &mut WorkerLogData) -> io::Result<()> {
            Ok(())
        }
        fn parse_launch_command(&self, _: &str) -> Option<NodeLaunchCommand> {
            None
        }
    }

    /// Reads `r*.json` files whose text is a concurrency; `bad` is a damaged file.
    struct Counting;
    impl BenchmarkParser for Counting {
        fn name(&self) -> &'static str {
            "counting"
        }
        fn detect(&self, _: &str) -> bool {
            false
        }
        fn select(&self, files: &RunFiles) -> ResultSources {
            let mut sources = ResultSources::new(files);
            sources.result_files = files
                .children("logs")
                .filter(|e| e.name().starts_with('r'))
                .map(|e| e.path.clone())
                .collect();
            sources
        }
        fn parse_results(
            &self,
            sources: &ResultSources,
            bytes: &mut dyn Iterator<Item = SourceBytes<'_>>,
        ) -> Result<ProfilerResults, ParseError> {
            let mut results = ProfilerResults::default();
            for source in bytes {
                let text = source.bytes.map_err(|e| ParseError::io(sources.full_path(source.path), e))?;
                let concurrency = String::from_utf8_lossy(&text)
                    .trim()
                    .parse()
                    .map_err(|_| ParseError::invalid(sources.full_path(source.path), "not a number"))?;
                results.points.push(crate::BenchmarkPoint {
                    concurrency: Some(concurrency),
                    source_file: Some(source.path.to_owned()),
                    ..Default::default()
                });
            }
            Ok(results)
        }
        fn parse_benchmark_out(&self, text: &str) -> ProfilerResults {
            let points = text
                .lines()
                .filter_map(|l| l.parse().ok())
                .map(|c| crate::BenchmarkPoint { concurrency: Some(c), ..Default::default() })
                .collect();
            ProfilerResults { points, ..Default::default() }
        }
        fn parse_launch_command(&self, _: &str) -> Option<BenchmarkLaunchCommand> {
            None
        }
        /// A rollup of `concurrency=output_tps` lines.
        fn parse_rollup(&self, path: &str, bytes: &[u8]) -> Result<ProfilerResults, String> {
            let mut points = Vec::new();
            for line in String::from_utf8_lossy(bytes).lines() {
                let (c, tps) = line.split_once('=').ok_or_else(|| format!("{path}: no `=`"))?;
                points.push(crate::BenchmarkPoint {
                    concurrency: c.parse().ok(),
                    output_tps: tps.parse().ok(),
                    ..Default::default()
                });
            }
            Ok(ProfilerResults { source: Some(crate::ResultSource::Rollup), points, ..Default::default() })
        }
    }

    #[test]
    fn rollup_is_the_last_fallback_and_a_cross_check() {
        // Nothing else: the rollup, with a warning saying why.
        let (r, read) = run(&[("logs/benchmark-rollup.json", "4=100\n8=200")]);
        let r = r.unwrap();
        assert_eq!((r.source, r.concurrencies()), (Some(crate::ResultSource::Rollup), vec![4, 8]));
        assert_eq!(r.points[0].source_file.as_deref(), Some("logs/benchmark-rollup.json"));
        assert_eq!(
            r.warnings,
            ["no counting result files and no benchmark.out; read the rollup logs/benchmark-rollup.json instead"]
        );
        assert_eq!(read, ["logs/benchmark-rollup.json"]);
        // benchmark.out before the rollup.
        let (r, read) = run(&[("logs/benchmark.out", "16"), ("logs/benchmark-rollup.json", "4=1")]);
        assert_eq!(r.unwrap().concurrencies(), vec![16]);
        assert_eq!(read, ["logs/benchmark.out"]);
        // Beside result files: a cross-check; rounding is not a disagreement, 10 % is.
        let (r, _) = run(&[("logs/r1", "4"), ("logs/benchmark-rollup.json", "4=100")]);
        assert!(r.unwrap().warnings.is_empty(), "no output_tps in the result: nothing to compare");
        let (r, _) = run(&[("logs/r1", "4"), ("logs/r2", "8"), ("logs/benchmark-rollup.json", "4=1\n16=2")]);
        assert_eq!(
            r.unwrap().warnings,
            [
                "rollup logs/benchmark-rollup.json disagrees with the result files: concurrency 8 is not in the rollup",
                "rollup logs/benchmark-rollup.json disagrees with the result files: concurrency 16 is only in the rollup",
            ]
        );
        let (r, _) = run(&[("logs/r1", "4"), ("logs/benchmark-rollup.json", "garbage")]);
        assert_eq!(r.unwrap().warnings, ["rollup not cross-checked: logs/benchmark-rollup.json: no `=`"]);
        // An unusable rollup as the last resort: the error names every source.
        let (err, _) = run(&[("logs/benchmark.out", "none"), ("logs/benchmark-rollup.json", "garbage")]);
        assert_eq!(
            err.unwrap_err().to_string(),
            "/r/logs/benchmark-rollup.json: no counting result files and no result block in logs/benchmark.out; rollup unusable: logs/benchmark-rollup.json: no `=`"
        );
    }

    #[test]
    fn disagreements_beyond_rounding() {
        let p = |c: Option<u32>, tps: f64, ttft: f64| crate::BenchmarkPoint {
            concurrency: c,
            output_tps: Some(tps),
            mean_ttft_ms: Some(ttft),
            completed: Some(40),
            ..Default::default()
        };
        let ours = ProfilerResults {
            points: vec![p(Some(4), 1000.0, 120.0004), p(None, 5.0, 1.0)],
            ..Default::default()
        };
        let same = ProfilerResults {
            points: vec![p(Some(4), 1004.0, 120.0), p(None, 5.0, 1.0)],
            ..Default::default()
        };
        assert!(ours.disagreements(&same).is_empty(), "0.4 % and 0.0004 ms are rounding");
        let off = ProfilerResults {
            points: vec![p(Some(4), 1100.0, 120.0), p(None, 5.0, 2.0)],
            ..Default::default()
        };
        assert_eq!(
            ours.disagreements(&off),
            ["concurrency 4: output_tps 1000 vs 1100 (rollup)", "open loop: mean_ttft_ms 1 vs 2 (rollup)"]
        );
    }

    /// Parses a run of `(path, content)` files; returns the result and the paths read.
    fn run(files: &[(&str, &str)]) -> (Result<ProfilerResults, ParseError>, Vec<String>) {
        use crate::FileEntry;
        let listing =
            RunFiles::new("/r", files.iter().map(|(p, t)| FileEntry::file(*p, t.len() as u64, 0)).collect());
        let sources = Counting.select(&listing);
        let mut read = Vec::new();
        let result = parse_run_results(&Counting, &sources, &mut |path| {
            read.push(path.to_owned());
            files
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, t)| t.as_bytes().to_vec())
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "gone"))
        });
        (result, read)
    }

    #[test]
    fn result_files_first_and_benchmark_out_untouched() {
        let (r, read) = run(&[("logs/r1", "4"), ("logs/r2", "8"), ("logs/benchmark.out", "16")]);
        let r = r.unwrap();
        assert_eq!(r.concurrencies(), vec![4, 8]);
        assert_eq!(read, ["logs/r1", "logs/r2"], "benchmark.out is not read when results exist");
    }

    #[test]
    fn benchmark_out_when_no_result_file_names_itself_and_the_json_error() {
        let (r, read) = run(&[("benchmark.out", "16\n32")]);
        let r = r.unwrap();
        assert_eq!(r.concurrencies(), vec![16, 32]);
        assert_eq!(r.points[0].source_file.as_deref(), Some("benchmark.out"));
        assert!(r.warnings.is_empty());
        assert_eq!(read, ["benchmark.out"]);

        let (r, _) = run(&[("logs/r1", "x"), ("logs/benchmark.out", "16")]);
        let r = r.unwrap();
        assert_eq!(r.concurrencies(), vec![16]);
        assert_eq!(
            r.warnings,
            ["result files unusable, read logs/benchmark.out instead: /r/logs/r1: not a number"]
        );
    }

    #[test]
    fn without_a_usable_source_the_error_names_the_file_or_the_run() {
        let (err, _) = run(&[("logs/r1", "x")]);
        assert_eq!(err.unwrap_err().to_string(), "/r/logs/r1: not a number");
        let (err, _) = run(&[("logs/benchmark.out", "no numbers")]);
        assert_eq!(
            err.unwrap_err().to_string(),
            "/r: no counting result files and no result block in logs/benchmark.out"
        );
        // Listed, then gone before it was read: an I/O error naming it.
        let listing = RunFiles::new("/r", vec![crate::FileEntry::file("logs/benchmark.out", 1, 0)]);
        let sources = Counting.select(&listing);
        let err = parse_run_results(&Counting, &sources, &mut |_| Err(io::Error::other("vanished")));
        let err = err.unwrap_err();
        assert_eq!(err.to_string(), "/r/logs/benchmark.out: vanished");
        assert_eq!(err.skip_kind_for_results(), crate::SkipKind::IoError);
    }

    #[test]
    fn sources_list_each_file_once_in_reading_order() {
        let sources = ResultSources {
            result_files: vec!["b".into(), "a".into()],
            considered: vec!["a".into(), "c".into()],
            benchmark_out: Some("logs/benchmark.out".into()),
            ..Default::default()
        };
        assert_eq!(sources.files(), ["b", "a", "c", "logs/benchmark.out"]);
    }

    static A: Dummy = Dummy("alpha");
    static B: Dummy = Dummy("beta");
    static A2: Dummy = Dummy("alpha");

    fn leak(registry: Registry<dyn NodeParser>) -> &'static Registry<dyn NodeParser> {
        Box::leak(Box::new(registry))
    }

    #[test]
    fn unknown_name_lists_the_known_ones() {
        let entries: Vec<(&'static str, &'static dyn NodeParser)> = vec![("beta", &B), ("alpha", &A)];
        let registry = leak(build_registry("node", entries.into_iter()));
        let err = lookup(registry, "node", "gamma").err().expect("unknown name must fail");
        assert_eq!(err.to_string(), "no node parser named \"gamma\"; registered: alpha, beta");
        assert_eq!(lookup(registry, "node", "beta").map(|p| p.name()), Ok("beta"));
    }

    #[test]
    fn duplicate_names_are_an_error() {
        let entries: Vec<(&'static str, &'static dyn NodeParser)> = vec![("alpha", &A), ("alpha", &A2)];
        let registry = leak(build_registry("node", entries.into_iter()));
        let err = lookup(registry, "node", "alpha").err().expect("duplicate must fail");
        assert_eq!(err, RegistryError::Duplicate { kind: "node", name: "alpha".into() });
    }
}
