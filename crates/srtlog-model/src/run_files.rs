//! [`RunFiles`]: the listing of a run directory (paths, sizes, modification times), as plain data.
//!
//! The loader lists a run once; benchmark parsers choose their files from the listing
//! ([`crate::BenchmarkParser::select`]) and the cache fingerprints the same entries, so that what
//! is parsed and what is fingerprinted cannot disagree. Nothing here touches the file system:
//! [`RunFiles::full_path`] only names a file (for errors), it never opens one.
//!
//! Paths are relative to the run directory with `/` separators (`logs/benchmark.out`); the run
//! directory itself is the empty path `""`.
//!
//! ```
//! use srtlog_model::{EntryKind, FileEntry, RunFiles};
//!
//! let files = RunFiles::new(
//!     "/runs/4401463",
//!     vec![
//!         FileEntry::file("logs/benchmark.out", 120, 7),
//!         FileEntry::dir("logs", 0),
//!         FileEntry::file("logs/sa-bench_isl_8192_osl_1024/b.json", 3, 9),
//!         FileEntry::dir("logs/sa-bench_isl_8192_osl_1024", 0),
//!     ],
//! );
//! let names: Vec<&str> = files.children("logs").map(|e| e.name()).collect();
//! assert_eq!(names, ["benchmark.out", "sa-bench_isl_8192_osl_1024"]);
//! assert_eq!(files.benchmark_out().map(|e| e.size), Some(120));
//! assert_eq!(files.get("logs").map(|e| e.kind), Some(EntryKind::Dir));
//! assert_eq!(files.full_path("logs/benchmark.out"), std::path::Path::new("/runs/4401463/logs/benchmark.out"));
//! ```

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Whether an entry is a file, a directory or neither (symbolic links are listed as what they
/// point to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// Neither: a device, FIFO or socket (`logs/x.out -> /dev/zero`). Listed so that the
    /// loader can say it was not read; no parser ever gets one, as none is a file.
    Special,
}

/// One listed file or directory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileEntry {
    /// Path relative to the run directory, `/`-separated (`logs/benchmark.out`).
    pub path: String,
    /// Size in bytes (as `stat` reports it; 0 for directories and special entries).
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (negative before 1970).
    pub mtime_ns: i128,
    /// File or directory.
    pub kind: EntryKind,
}

impl FileEntry {
    /// A file entry.
    pub fn file(path: impl Into<String>, size: u64, mtime_ns: i128) -> Self {
        FileEntry { path: path.into(), size, mtime_ns, kind: EntryKind::File }
    }

    /// A directory entry.
    pub fn dir(path: impl Into<String>, mtime_ns: i128) -> Self {
        FileEntry { path: path.into(), size: 0, mtime_ns, kind: EntryKind::Dir }
    }

    /// An entry that is neither a file nor a directory ([`EntryKind::Special`]).
    pub fn special(path: impl Into<String>, mtime_ns: i128) -> Self {
        FileEntry { path: path.into(), size: 0, mtime_ns, kind: EntryKind::Special }
    }

    /// The last path component (`benchmark.out`).
    pub fn name(&self) -> &str {
        self.path.rsplit_once('/').map_or(self.path.as_str(), |(_, name)| name)
    }

    /// The directory holding the entry (`logs`; `""` for the run directory).
    pub fn parent(&self) -> &str {
        parent_of(&self.path)
    }

    /// Whether the entry is a file.
    pub fn is_file(&self) -> bool {
        self.kind == EntryKind::File
    }

    /// Whether the entry is a directory.
    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }

    /// Whether the entry is neither a file nor a directory (a device, FIFO or socket).
    pub fn is_special(&self) -> bool {
        self.kind == EntryKind::Special
    }
}

/// The directory part of a relative path (`logs` of `logs/a.out`, `""` of `a.out`).
pub fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `dir/name`, or `name` when `dir` is the run directory (`""`).
pub fn join_path(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// A modification time as nanoseconds since the Unix epoch (negative before 1970), the unit of
/// [`FileEntry::mtime_ns`] and of the cache's fingerprints.
pub fn mtime_ns(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i128::try_from(d.as_nanos()).unwrap_or(i128::MAX),
        Err(before) => i128::try_from(before.duration().as_nanos()).map_or(i128::MIN, |n| -n),
    }
}

/// Where SRT-SLURM writes `benchmark.out`: `logs/`, or the run root in the legacy layout.
pub const BENCHMARK_OUT_PATHS: [&str; 2] = ["logs/benchmark.out", "benchmark.out"];

/// Where srt-slurm's postprocess writes its rollup, in preference order: the JSON before the
/// CSV (it has more columns), `logs/` before the run root, and the older `rollup.json` last.
pub const ROLLUP_PATHS: [&str; 6] = [
    "logs/benchmark-rollup.json",
    "benchmark-rollup.json",
    "logs/benchmark-rollup.csv",
    "benchmark-rollup.csv",
    "logs/rollup.json",
    "rollup.json",
];

/// The listing of one run directory: its entries, sorted by path, and the directory they are in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFiles {
    root: PathBuf,
    entries: Vec<FileEntry>,
}

impl RunFiles {
    /// A listing of `root` from its entries (in any order; a repeated path is kept once).
    pub fn new(root: impl Into<PathBuf>, mut entries: Vec<FileEntry>) -> Self {
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        entries.dedup_by(|a, b| a.path == b.path);
        RunFiles { root: root.into(), entries }
    }

    /// The run directory the paths are relative to.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The run directory joined with `path`, for naming a file in a message (nothing is opened).
    pub fn full_path(&self, path: &str) -> PathBuf {
        if path.is_empty() {
            self.root.clone()
        } else {
            self.root.join(path)
        }
    }

    /// Every entry, sorted by path.
    pub fn entries(&self) -> &[FileEntry] {
        &self.entries
    }

    /// The entry at `path`.
    pub fn get(&self, path: &str) -> Option<&FileEntry> {
        self.entries.binary_search_by(|e| e.path.as_str().cmp(path)).ok().map(|i| &self.entries[i])
    }

    /// Whether `path` is a listed file.
    pub fn is_file(&self, path: &str) -> bool {
        self.get(path).is_some_and(FileEntry::is_file)
    }

    /// Whether `path` is a listed directory.
    pub fn is_dir(&self, path: &str) -> bool {
        self.get(path).is_some_and(FileEntry::is_dir)
    }

    /// Every entry below `dir` at any depth, sorted by path (`""`: the whole listing).
    pub fn under(&self, dir: &str) -> &[FileEntry] {
        if dir.is_empty() {
            return &self.entries;
        }
        // Paths below `dir` all start with `dir/`, so they are one contiguous run of the sorted list.
        let prefix = format!("{dir}/");
        let start = self.entries.partition_point(|e| e.path.as_str() < prefix.as_str());
        let len = self.entries[start..].partition_point(|e| e.path.starts_with(&prefix));
        &self.entries[start..start + len]
    }

    /// The entries directly in `dir` (`""`: the run directory), in name order.
    pub fn children<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a FileEntry> + 'a {
        self.under(dir).iter().filter(move |e| e.parent() == dir)
    }

    /// `logs/benchmark.out`, else `benchmark.out` at the run root (legacy layout), if listed as a file.
    pub fn benchmark_out(&self) -> Option<&FileEntry> {
        BENCHMARK_OUT_PATHS.iter().find_map(|p| self.get(p).filter(|e| e.is_file()))
    }

    /// The run's rollup file (the first of `ROLLUP_PATHS` that is a file), if any.
    pub fn rollup(&self) -> Option<&FileEntry> {
        ROLLUP_PATHS.iter().find_map(|p| self.get(p).filter(|e| e.is_file()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing() -> RunFiles {
        RunFiles::new(
            "/r",
            vec![
                FileEntry::file("logs/a-b", 1, 1),
                FileEntry::dir("logs/a", 1),
                FileEntry::file("logs/a/x.json", 2, 2),
                FileEntry::file("logs.json", 3, 3),
                FileEntry::dir("logs", 1),
                FileEntry::file("benchmark.out", 4, 4),
                FileEntry::file("logs/a/x.json", 9, 9),
            ],
        )
    }

    #[test]
    fn lookups_by_path_prefix_and_parent() {
        let files = listing();
        assert_eq!(files.entries().len(), 6, "the repeated path is kept once");
        assert_eq!(
            files.get("logs/a/x.json").map(|e| (e.size, e.name(), e.parent())),
            Some((2, "x.json", "logs/a"))
        );
        assert!(files.is_dir("logs/a") && !files.is_file("logs/a") && files.is_file("logs.json"));
        assert_eq!(files.get("log"), None);
        let under: Vec<&str> = files.under("logs").iter().map(|e| e.path.as_str()).collect();
        assert_eq!(under, ["logs/a", "logs/a-b", "logs/a/x.json"], "not logs.json");
        let children: Vec<&str> = files.children("logs").map(FileEntry::name).collect();
        assert_eq!(children, ["a", "a-b"]);
        let root: Vec<&str> = files.children("").map(FileEntry::name).collect();
        assert_eq!(root, ["benchmark.out", "logs", "logs.json"]);
        assert_eq!(files.children("nowhere").count(), 0);
    }

    #[test]
    fn benchmark_out_prefers_logs_and_wants_a_file() {
        assert_eq!(listing().benchmark_out().map(|e| e.path.as_str()), Some("benchmark.out"));
        let files = RunFiles::new(
            "/r",
            vec![FileEntry::file("benchmark.out", 1, 1), FileEntry::file("logs/benchmark.out", 2, 2)],
        );
        assert_eq!(files.benchmark_out().map(|e| e.path.as_str()), Some("logs/benchmark.out"));
        let files = RunFiles::new("/r", vec![FileEntry::dir("logs/benchmark.out", 1)]);
        assert_eq!(files.benchmark_out(), None);
    }

    #[test]
    fn paths_join_and_name_files() {
        assert_eq!(join_path("", "a.json"), "a.json");
        assert_eq!(join_path("logs", "a.json"), "logs/a.json");
        assert_eq!(parent_of("a.json"), "");
        let files = listing();
        assert_eq!(files.full_path(""), Path::new("/r"));
        assert_eq!(files.full_path("logs/a/x.json"), Path::new("/r/logs/a/x.json"));
    }

    #[test]
    fn mtimes_before_and_after_the_epoch() {
        let second = std::time::Duration::from_secs(1);
        assert_eq!(mtime_ns(UNIX_EPOCH + second), 1_000_000_000);
        assert_eq!(mtime_ns(UNIX_EPOCH - second), -1_000_000_000);
    }
}
