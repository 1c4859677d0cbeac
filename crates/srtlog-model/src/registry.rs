//! The two parser traits and the `inventory` registries they self-register into.
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
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::batch::BatchMetrics;
use crate::error::{ParseError, RegistryError};
use crate::node::{MemoryMetrics, NodeLaunchCommand, ParallelConfig, ParseStats};
use crate::results::{BenchmarkLaunchCommand, ProfilerResults};
use crate::run::StringMap;

/// A benchmark-result format (`sa-bench`, `mooncake-router`).
///
/// Results are read JSON first; `benchmark.out` is a fallback used only when no result file
/// exists. [`BenchmarkParser::parse_run`] implements that order.
pub trait BenchmarkParser: Send + Sync {
    /// The `benchmark.type` this parser reads (`sa-bench`).
    fn name(&self) -> &'static str;

    /// Other `benchmark.type` values whose output is in this format.
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether `benchmark.out` (its text, possibly only the head) was written by this benchmark.
    fn detect(&self, benchmark_out: &str) -> bool;

    /// The directory holding this benchmark's result files, if any.
    fn find_result_directory(&self, run_dir: &Path) -> Option<PathBuf>;

    /// Every file whose change could change what [`BenchmarkParser::parse_run`] returns
    /// (result files and `benchmark.out`), for cache validation.
    fn source_files(&self, run_dir: &Path) -> Vec<PathBuf>;

    /// Reads the result files of `result_dir`. Paths in the result are relative to `run_dir`.
    /// An unreadable file becomes a warning; no readable file at all is an error.
    fn parse_result_directory(
        &self,
        run_dir: &Path,
        result_dir: &Path,
    ) -> Result<ProfilerResults, ParseError>;

    /// Reads the summary blocks of `benchmark.out` text (the fallback source).
    fn parse_benchmark_out(&self, text: &str) -> ProfilerResults;

    /// The benchmark's command and settings from `benchmark.out` text.
    fn parse_launch_command(&self, benchmark_out: &str) -> Option<BenchmarkLaunchCommand>;

    /// Results of a run: JSON files first, else `benchmark.out`.
    fn parse_run(&self, run_dir: &Path) -> Result<ProfilerResults, ParseError> {
        let json_error = match self.find_result_directory(run_dir) {
            Some(dir) => match self.parse_result_directory(run_dir, &dir) {
                Ok(results) if !results.points.is_empty() => return Ok(results),
                Ok(_) => None,
                Err(err) => Some(err),
            },
            None => None,
        };
        if let Some(path) = benchmark_out_path(run_dir) {
            let bytes = std::fs::read(&path).map_err(|e| ParseError::io(&path, e))?;
            let mut results = self.parse_benchmark_out(&String::from_utf8_lossy(&bytes));
            if !results.points.is_empty() {
                if let Some(err) = json_error {
                    results
                        .warnings
                        .insert(0, format!("result files unusable, read benchmark.out instead: {err}"));
                }
                return Ok(results);
            }
        }
        Err(json_error.unwrap_or_else(|| ParseError::NoResults {
            path: run_dir.to_path_buf(),
            message: format!("no {} result files and no result block in logs/benchmark.out", self.name()),
        }))
    }
}

/// `logs/benchmark.out`, or `benchmark.out` at the run root (legacy layout), if it exists.
pub fn benchmark_out_path(run_dir: &Path) -> Option<PathBuf> {
    [run_dir.join("logs").join("benchmark.out"), run_dir.join("benchmark.out")]
        .into_iter()
        .find(|p| p.is_file())
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
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { max_line_bytes: 16 << 20, max_diagnostics: ParseStats::MAX_DIAGNOSTICS }
    }
}

/// What a node parser found in one worker's log files (a worker may have a `.out` and a `.err`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkerLogData {
    /// Batches in log order.
    pub batches: Vec<BatchMetrics>,
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

fn build_registry<T: ?Sized>(
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
