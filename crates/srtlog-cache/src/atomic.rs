//! Atomic replacement of a file in the cache directory: write a temporary file beside it,
//! fsync, rename over the target.
//!
//! Temporary files are named `.{target}.{pid}.{seq}.tmp`: hidden, never ending in `.parquet` or
//! `.json` (so `*.parquet` globs of other tools skip them), unique per process and write.
//! Readers only ever open the fixed target names, so a temporary file left by a killed writer is
//! never read; the next successful write removes those that have not been modified for
//! [`STALE_TEMP_AGE`].

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::error::CacheError;

/// A temporary file untouched for this long belongs to a writer that died: a live writer keeps
/// modifying its file until it renames it.
pub(crate) const STALE_TEMP_AGE: Duration = Duration::from_secs(15 * 60);

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// A temporary file that becomes `target` on [`TempFile::commit`] and is removed otherwise.
pub(crate) struct TempFile {
    file: File,
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl TempFile {
    /// Creates `dir` if missing, and a new temporary file for `dir/name` in it.
    pub(crate) fn create(dir: &Path, name: &str) -> Result<Self, CacheError> {
        fs::create_dir_all(dir).map_err(|e| CacheError::write_io(dir, e))?;
        let mut attempt = 0;
        loop {
            let seq = SEQUENCE.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join(format!(".{name}.{}.{seq}.tmp", std::process::id()));
            // `create_new`: never reuse (or follow a symlink at) an existing path. A clash is
            // only possible with a process of the same pid on another host sharing the directory.
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(file) => return Ok(TempFile { file, tmp, target: dir.join(name), committed: false }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
                Err(e) => return Err(CacheError::write_io(&tmp, e)),
            }
        }
    }

    /// The open temporary file, to write into.
    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// The temporary file's path (for error messages).
    pub(crate) fn path(&self) -> &Path {
        &self.tmp
    }

    /// Flushes the file to disk and renames it over the target, then removes stale temporary
    /// files of dead writers (best effort).
    pub(crate) fn commit(mut self) -> Result<(), CacheError> {
        self.file.flush().map_err(|e| CacheError::write_io(&self.tmp, e))?;
        self.file.sync_all().map_err(|e| CacheError::write_io(&self.tmp, e))?;
        fs::rename(&self.tmp, &self.target).map_err(|e| CacheError::write_io(&self.target, e))?;
        self.committed = true;
        if let Some(dir) = self.target.parent() {
            // Makes the rename itself durable; not possible (nor needed) on every platform.
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
            if let Some(name) = self.target.file_name().and_then(|n| n.to_str()) {
                remove_stale_temps(dir, name, SystemTime::now());
            }
        }
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Whether `name` is a temporary file of ours for the file `target`.
fn is_temp_of(name: &str, target: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|n| n.strip_prefix(target))
        .is_some_and(|rest| rest.starts_with('.') && rest.ends_with(".tmp"))
}

/// Removes temporary files for `target` in `dir` not modified for [`STALE_TEMP_AGE`]; errors
/// are ignored (another process may remove the same file at the same time).
fn remove_stale_temps(dir: &Path, target: &str, now: SystemTime) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(|n| is_temp_of(n, target)) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age >= STALE_TEMP_AGE);
        if stale {
            match fs::remove_file(entry.path()) {
                Ok(()) => {
                    tracing::debug!(path = %entry.path().display(), "removed a stale temporary cache file")
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::debug!(path = %entry.path().display(), error = %e, "cannot remove a stale temporary cache file")
                }
            }
        }
    }
}

/// Writes `bytes` to `dir/name` atomically.
pub(crate) fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), CacheError> {
    let tmp = TempFile::create(dir, name)?;
    tmp.file().write_all(bytes).map_err(|e| CacheError::write_io(tmp.path(), e))?;
    tmp.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_temp_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = TempFile::create(dir.path(), "x.parquet").unwrap();
        let name = tmp.path().file_name().unwrap().to_str().unwrap().to_owned();
        assert!(is_temp_of(&name, "x.parquet"), "{name}");
        assert!(!name.ends_with(".parquet"));
        drop(tmp);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn commit_replaces_the_target_and_creates_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/cached_assets");
        write_file(&sub, "f.json", b"one").unwrap();
        write_file(&sub, "f.json", b"two").unwrap();
        assert_eq!(fs::read(sub.join("f.json")).unwrap(), b"two");
        assert_eq!(fs::read_dir(&sub).unwrap().count(), 1);
    }

    #[test]
    fn only_old_temp_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join(".x.parquet.1.0.tmp");
        let fresh = dir.path().join(".x.parquet.2.0.tmp");
        let other = dir.path().join(".y.parquet.1.0.tmp");
        for p in [&old, &fresh, &other] {
            fs::write(p, b"partial").unwrap();
        }
        let long_ago = SystemTime::now() - STALE_TEMP_AGE - Duration::from_secs(60);
        File::options().write(true).open(&old).unwrap().set_modified(long_ago).unwrap();
        File::options().write(true).open(&other).unwrap().set_modified(long_ago).unwrap();
        remove_stale_temps(dir.path(), "x.parquet", SystemTime::now());
        assert!(!old.exists());
        assert!(fresh.exists());
        assert!(other.exists(), "another target's temporary files are left alone");
    }
}
