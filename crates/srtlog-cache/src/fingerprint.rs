//! Source-file fingerprints: what a cache part was built from, by `stat` alone — taken from the
//! run's listing ([`fingerprint_listed`], what the loader uses, so that the files fingerprinted
//! are the files the parsers chose from the same listing) or by `stat` ([`fingerprint_files`]).

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use srtlog_model::{mtime_ns, FileEntry, RunFiles};

/// Identity of one source file at the time a cache part was built.
///
/// Two fingerprints are equal when the file has the same path (relative to the run directory,
/// `/`-separated), the same size and the same modification time to the nanosecond. Reading no
/// byte of the file, this is what makes validating a cache cheap for multi-GB worker logs.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct FileFingerprint {
    /// Path relative to the run directory, `/`-separated (`logs/eos0219_decode_w0.out`). A file
    /// outside the run directory keeps its full path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (negative before 1970).
    pub mtime_ns: i128,
}

impl FileFingerprint {
    /// The fingerprint of a listed entry: its path, size and modification time as the listing
    /// recorded them.
    pub fn from_entry(entry: &FileEntry) -> Self {
        FileFingerprint { path: entry.path.clone(), size: entry.size, mtime_ns: entry.mtime_ns }
    }
}

impl fmt::Display for FileFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} bytes, mtime {} ns)", self.path, self.size, self.mtime_ns)
    }
}

/// Fingerprints `files` (absolute, already under `run_dir` — `run_dir.join(..)` of a relative
/// `run_dir` — or relative to `run_dir`) by `stat` only.
///
/// The result is sorted by path and free of duplicates, so that it can be compared with the
/// list stored in a cache file whatever order the caller found the files in. A file that cannot
/// be stat'ed is an error naming the file: the caller should then parse without the cache.
pub fn fingerprint_files(run_dir: &Path, files: &[PathBuf]) -> io::Result<Vec<FileFingerprint>> {
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let full =
            if file.is_absolute() || file.starts_with(run_dir) { file.clone() } else { run_dir.join(file) };
        let meta =
            fs::metadata(&full).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", full.display())))?;
        let modified =
            meta.modified().map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", full.display())))?;
        out.push(FileFingerprint {
            path: relative_path(run_dir, &full),
            size: meta.len(),
            mtime_ns: mtime_ns(modified),
        });
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Fingerprints the files at `paths` (relative to the run directory, `/`-separated) from the
/// run's listing, reading nothing. The result is sorted by path and free of duplicates, like
/// [`fingerprint_files`]. A path that is not a listed file (it vanished before the listing) is
/// an error naming it: the caller should then parse without the cache.
pub fn fingerprint_listed<'a>(
    files: &RunFiles,
    paths: impl IntoIterator<Item = &'a str>,
) -> io::Result<Vec<FileFingerprint>> {
    let mut out = Vec::new();
    for path in paths {
        let entry = files.get(path).filter(|e| e.is_file()).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{}: not a file of the run's listing", files.full_path(path).display()),
            )
        })?;
        out.push(FileFingerprint::from_entry(entry));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// `full` relative to `run_dir` with `/` separators; the whole path when it is not inside.
fn relative_path(run_dir: &Path, full: &Path) -> String {
    match full.strip_prefix(run_dir) {
        Ok(rel) if rel.components().all(|c| matches!(c, Component::Normal(_) | Component::ParentDir)) => {
            rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
        }
        _ => full.to_string_lossy().replace('\\', "/"),
    }
}

/// Why `stored` does not match `expected` (both sorted or not); `None` when they are equal.
pub(crate) fn mismatch(stored: &[FileFingerprint], expected: &[FileFingerprint]) -> Option<String> {
    let stored: BTreeMap<&str, &FileFingerprint> = stored.iter().map(|f| (f.path.as_str(), f)).collect();
    let expected: BTreeMap<&str, &FileFingerprint> = expected.iter().map(|f| (f.path.as_str(), f)).collect();
    for (path, now) in &expected {
        match stored.get(path) {
            None => return Some(format!("{path} is new since the cache was built")),
            Some(then) if then != now => return Some(format!("{path} changed: cached {then}, now {now}")),
            Some(_) => {}
        }
    }
    stored
        .keys()
        .find(|path| !expected.contains_key(*path))
        .map(|path| format!("{path} was a source of the cache and is no longer one"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(path: &str, size: u64, mtime_ns: i128) -> FileFingerprint {
        FileFingerprint { path: path.into(), size, mtime_ns }
    }

    #[test]
    fn fingerprints_are_relative_sorted_and_deduplicated() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("logs")).unwrap();
        fs::write(dir.path().join("logs/b.out"), b"12345").unwrap();
        fs::write(dir.path().join("a.json"), b"{}").unwrap();
        let files = vec![dir.path().join("logs/b.out"), PathBuf::from("a.json"), PathBuf::from("logs/b.out")];
        let fps = fingerprint_files(dir.path(), &files).unwrap();
        assert_eq!(fps.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["a.json", "logs/b.out"]);
        assert_eq!(fps[1].size, 5);
        assert!(fps[1].mtime_ns > 1_500_000_000_000_000_000);
    }

    #[test]
    fn listed_files_are_fingerprinted_from_the_listing() {
        let files = RunFiles::new(
            "/runs/1",
            vec![
                FileEntry::file("logs/b.out", 5, 20),
                FileEntry::file("a.json", 2, -3),
                FileEntry::dir("logs", 9),
            ],
        );
        let fps = fingerprint_listed(&files, ["logs/b.out", "a.json", "logs/b.out"]).unwrap();
        assert_eq!(fps, vec![fp("a.json", 2, -3), fp("logs/b.out", 5, 20)]);
        let err = fingerprint_listed(&files, ["logs"]).unwrap_err();
        assert_eq!(err.to_string(), "/runs/1/logs: not a file of the run's listing");
        assert!(fingerprint_listed(&files, ["gone.json"]).unwrap_err().to_string().contains("gone.json"));
    }

    #[test]
    fn a_listing_and_stat_agree() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.json"), b"{}").unwrap();
        let stat = fingerprint_files(dir.path(), &[PathBuf::from("a.json")]).unwrap();
        let meta = fs::metadata(dir.path().join("a.json")).unwrap();
        let entry = FileEntry::file("a.json", meta.len(), mtime_ns(meta.modified().unwrap()));
        assert_eq!(vec![FileFingerprint::from_entry(&entry)], stat);
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = fingerprint_files(dir.path(), &[PathBuf::from("nope.out")]).unwrap_err();
        assert!(err.to_string().contains("nope.out"), "{err}");
    }

    #[test]
    fn a_file_outside_the_run_keeps_its_full_path() {
        assert_eq!(relative_path(Path::new("/runs/1"), Path::new("/other/x.out")), "/other/x.out");
        assert_eq!(relative_path(Path::new("/runs/1"), Path::new("/runs/1/logs/x.out")), "logs/x.out");
    }

    #[test]
    fn mismatch_names_the_first_difference() {
        let a = vec![fp("a", 1, 1), fp("b", 2, 2)];
        assert_eq!(mismatch(&a, &a), None);
        assert_eq!(mismatch(&a, &[fp("b", 2, 2), fp("a", 1, 1)]), None, "order does not matter");
        assert!(mismatch(&a, &[fp("a", 1, 1), fp("b", 2, 3)]).unwrap().starts_with("b changed"));
        assert!(mismatch(&a, &[fp("a", 1, 1)]).unwrap().contains("no longer"));
        assert!(mismatch(&a, &[fp("a", 1, 1), fp("b", 2, 2), fp("c", 0, 0)]).unwrap().contains("c is new"));
    }

    #[test]
    fn mtimes_beyond_i64_survive_json() {
        let f = fp("x", 1, i128::from(i64::MAX) * 1000);
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<FileFingerprint>(&json).unwrap(), f);
        let f = fp("x", 1, -5);
        assert_eq!(serde_json::from_str::<FileFingerprint>(&serde_json::to_string(&f).unwrap()).unwrap(), f);
    }
}

#[cfg(test)]
mod relative_root_tests {
    use super::*;

    #[test]
    fn paths_under_a_relative_run_dir_are_not_joined_twice() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("runs/7/logs")).unwrap();
        std::fs::write(tmp.path().join("runs/7/logs/a.out"), "x").unwrap();
        // As the loader sees them when the user passes a relative root: `runs/7/logs/a.out`.
        let cwd = std::env::current_dir().unwrap();
        let rel_run = pathdiff(tmp.path().join("runs/7"), &cwd);
        let fps =
            fingerprint_files(&rel_run, &[rel_run.join("logs/a.out"), PathBuf::from("logs/a.out")]).unwrap();
        assert_eq!(fps.len(), 1);
        assert_eq!(fps[0].path, "logs/a.out");
    }

    /// `target` relative to `base` (both absolute), with `..` where needed.
    fn pathdiff(target: PathBuf, base: &Path) -> PathBuf {
        let common = target.components().zip(base.components()).take_while(|(a, b)| a == b).count();
        let ups = base.components().count() - common;
        let mut out = PathBuf::new();
        for _ in 0..ups {
            out.push("..");
        }
        for c in target.components().skip(common) {
            out.push(c);
        }
        out
    }
}
