//! Test support: a run directory on disk as the parsers see it — its listing, and the bytes of
//! the files a parser selects (test code may do I/O; the parsers do none).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use srtlog_model::{
    join_path, parse_run_results, BenchmarkParser, FileEntry, ParseError, ProfilerResults, ResultSources,
    RunFiles, SourceBytes,
};

/// Every file and directory under `run`, at any depth (symbolic links followed).
pub fn list(run: &Path) -> RunFiles {
    fn walk(run: &Path, rel: &str, out: &mut Vec<FileEntry>) {
        let Ok(entries) = fs::read_dir(run.join(rel)) else { return };
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else { continue };
            let Ok(meta) = fs::metadata(entry.path()) else { continue };
            let path = join_path(rel, &name);
            let mtime_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128);
            if meta.is_dir() {
                out.push(FileEntry::dir(path.clone(), mtime_ns));
                walk(run, &path, out);
            } else {
                out.push(FileEntry::file(path, meta.len(), mtime_ns));
            }
        }
    }
    let mut entries = Vec::new();
    walk(run, "", &mut entries);
    RunFiles::new(run, entries)
}

/// What `parser` selects of `run`.
pub fn select(parser: &dyn BenchmarkParser, run: &Path) -> ResultSources {
    parser.select(&list(run))
}

/// The results of `run`: result files first, else `benchmark.out` (as the loader reads them).
pub fn parse_run(parser: &dyn BenchmarkParser, run: &Path) -> Result<ProfilerResults, ParseError> {
    let sources = select(parser, run);
    parse_run_results(parser, &sources, &mut |path| fs::read(run.join(path)))
}

/// The results of `run`'s result files alone, without the `benchmark.out` fallback.
pub fn parse_results(parser: &dyn BenchmarkParser, run: &Path) -> Result<ProfilerResults, ParseError> {
    let sources = select(parser, run);
    let mut bytes =
        sources.result_files.iter().map(|path| SourceBytes { path, bytes: fs::read(run.join(path)) });
    parser.parse_results(&sources, &mut bytes)
}

/// The directory `parser` reads `run`'s result files from, when its listing shows one.
pub fn result_dir(parser: &dyn BenchmarkParser, run: &Path) -> Option<PathBuf> {
    let sources = select(parser, run);
    sources.result_dir.as_deref().map(|dir| sources.full_path(dir))
}

/// Every file `run`'s results depend on (what the cache fingerprints), as paths under `run`.
pub fn source_files(parser: &dyn BenchmarkParser, run: &Path) -> Vec<PathBuf> {
    let sources = select(parser, run);
    sources.files().into_iter().map(|path| sources.full_path(path)).collect()
}

/// `logs/benchmark.out` (or the legacy `benchmark.out`) of `run`, as text.
pub fn benchmark_out_text(run: &Path) -> String {
    let files = list(run);
    let path = files.benchmark_out().map(|e| files.full_path(&e.path)).unwrap();
    String::from_utf8_lossy(&fs::read(path).unwrap()).into_owned()
}
