//! The accuracy parsers: the trait the eval-file parsers implement ([`AccuracyParser`]), their
//! `inventory` registry, and [`parse_run_accuracy`], the one place that reads a run's accuracy
//! files.
//!
//! Accuracy files are not chosen by the run's benchmark parser, since a throughput run may have
//! a post-eval: every registered accuracy parser selects its files from the listing of every run
//! (pure, as [`crate::BenchmarkParser::select`] is), and parses the bytes it is handed. The
//! files are small and read fresh on every load; they are never cached.

use std::io;
use std::sync::OnceLock;

use crate::accuracy::AccuracyResult;
use crate::error::RegistryError;
use crate::run_files::RunFiles;

/// An accuracy-file format (lm-eval's `results_*.json`, sglang's `run_eval` JSON, ...), as pure
/// functions.
pub trait AccuracyParser: Send + Sync {
    /// A name for messages and ordering (`evals`, `mlperf`).
    fn name(&self) -> &'static str;

    /// `benchmark.type` values whose whole output is accuracy (`gsm8k`, `mmlu`): a run of such a
    /// type needs no benchmark parser when it has accuracy results.
    fn benchmark_types(&self) -> &'static [&'static str] {
        &[]
    }

    /// The files to read, relative to the run directory, in reading order.
    fn select(&self, files: &RunFiles) -> Vec<String>;

    /// The results of one selected file. `Ok(vec![])` means that the file holds no accuracy
    /// result of this format (an sa-bench rollup); `Err` is a message about a damaged file.
    fn parse(&self, path: &str, bytes: &[u8]) -> Result<Vec<AccuracyResult>, String>;
}

/// An accuracy parser's entry in the registry. Submit one with `inventory::submit!`.
pub struct AccuracyParserRegistration {
    /// The parser.
    pub parser: &'static dyn AccuracyParser,
}

impl AccuracyParserRegistration {
    /// Wraps a parser for `inventory::submit!`.
    pub const fn new(parser: &'static dyn AccuracyParser) -> Self {
        AccuracyParserRegistration { parser }
    }
}

inventory::collect!(AccuracyParserRegistration);

type Registry = Result<Vec<&'static dyn AccuracyParser>, RegistryError>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let entries =
            inventory::iter::<AccuracyParserRegistration>.into_iter().map(|r| (r.parser.name(), r.parser));
        crate::registry::build_registry("accuracy", entries).map(|map| map.into_values().collect())
    })
}

/// All registered accuracy parsers, in name order.
pub fn accuracy_parsers() -> Result<Vec<&'static dyn AccuracyParser>, RegistryError> {
    registry().clone()
}

/// Whether `benchmark_type` is an eval whose results are accuracy only (`gsm8k`, `lm-eval`).
pub fn is_accuracy_benchmark(benchmark_type: &str) -> bool {
    accuracy_parsers().is_ok_and(|ps| ps.iter().any(|p| p.benchmark_types().contains(&benchmark_type)))
}

/// What [`parse_run_accuracy`] found in a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunAccuracy {
    /// Every result, in the order of the files and of each file's tasks.
    pub results: Vec<AccuracyResult>,
    /// Files that could not be read or parsed, each named.
    pub warnings: Vec<String>,
}

/// The files every registered accuracy parser selects from `files`, each once, with its parser
/// (the first in name order that selects it). What is read and nothing else.
pub fn select_accuracy(
    files: &RunFiles,
) -> Result<Vec<(&'static dyn AccuracyParser, String)>, RegistryError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for parser in accuracy_parsers()? {
        for path in parser.select(files) {
            if seen.insert(path.clone()) {
                out.push((parser, path));
            }
        }
    }
    Ok(out)
}

/// Reads the accuracy results of the run listed in `files`: the files of [`select_accuracy`],
/// fetched by `read` (relative path → bytes) one at a time. An unreadable or damaged file is a
/// warning naming it (relative to the run directory); the other files are still read.
pub fn parse_run_accuracy(
    files: &RunFiles,
    read: &mut dyn FnMut(&str) -> io::Result<Vec<u8>>,
) -> RunAccuracy {
    let mut out = RunAccuracy::default();
    let selected = match select_accuracy(files) {
        Ok(selected) => selected,
        Err(err) => {
            out.warnings.push(err.to_string());
            return out;
        }
    };
    for (parser, path) in selected {
        // Named relative to the run directory, as the result warnings name their files.
        match read(&path) {
            Err(err) => out.warnings.push(format!("{path}: {err}")),
            Ok(bytes) => match parser.parse(&path, &bytes) {
                Ok(results) => out.results.extend(results),
                Err(message) => out.warnings.push(format!("{path}: {message}")),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FileEntry;

    #[test]
    fn without_registered_parsers_nothing_is_read() {
        // This crate registers no accuracy parser; the parser crate's tests cover the real ones.
        let files = RunFiles::new("/r", vec![FileEntry::file("logs/accuracy/gsm8k_m.json", 3, 0)]);
        let mut asked = Vec::new();
        let found = parse_run_accuracy(&files, &mut |p| {
            asked.push(p.to_owned());
            Ok(vec![])
        });
        assert_eq!(found, RunAccuracy::default());
        assert!(asked.is_empty());
        assert!(!is_accuracy_benchmark("gsm8k"));
    }
}
