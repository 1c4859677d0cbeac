//! Atomic replacement of a file: write a temporary file beside it, fsync it, rename it over
//! the target, fsync the directory.
//!
//! Temporary files are named `.{target}.{pid}.{seq}.tmp`: hidden, never ending in `.parquet` or
//! `.json` (so `*.parquet` globs and pyarrow skip them), opened with `create_new` (never reusing
//! or following an existing path), unique per process and write. Readers only open the final
//! names, so they see the old file or the new one. A temporary file is removed on any failure
//! and on drop; one left by a killed writer is removed by a later commit in the same directory
//! once it has not been modified for [`STALE_TEMP_AGE`].
//!
//! Links are never written through ([`crate::files`]): [`AtomicFile::create`] refuses a
//! directory that is a symbolic link (the cache's and the dataset's directories are srtlog's
//! own), the rename replaces a link at the target's name rather than writing where it points,
//! and stale temporary files are only looked for in a real directory and only removed when they
//! are regular files. [`write_atomically`], for a file the user names (`report -o FILE`), takes
//! the user's directory as given, link or not.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::error::ColumnarIoError;
use crate::files::refuse_symlink;

/// A temporary file untouched for this long belongs to a writer that died: a live writer keeps
/// modifying its file until it renames it.
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(15 * 60);

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// A temporary file that becomes its target on [`AtomicFile::commit`] and is removed otherwise.
#[derive(Debug)]
pub struct AtomicFile {
    file: File,
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl AtomicFile {
    /// Creates `dir` (with missing parents) if needed, and a new temporary file for `dir/name`.
    /// Refuses a `dir` that is a symbolic link ([`crate::is_symlink_refusal`]): it is checked
    /// after the directory is created, right before the temporary file is.
    pub fn create(dir: &Path, name: &str) -> Result<Self, ColumnarIoError> {
        let refuse = || refuse_symlink(dir).map_err(|e| ColumnarIoError::write(dir, e));
        // Before: never create directories below a link. After: the window left is the
        // temporary file's creation.
        refuse()?;
        fs::create_dir_all(dir).map_err(|e| ColumnarIoError::write(dir, e))?;
        refuse()?;
        Self::create_following(dir, name)
    }

    /// [`AtomicFile::create`] for a directory the user named, which may be a link.
    fn create_following(dir: &Path, name: &str) -> Result<Self, ColumnarIoError> {
        fs::create_dir_all(dir).map_err(|e| ColumnarIoError::write(dir, e))?;
        let mut attempt = 0;
        loop {
            let seq = SEQUENCE.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join(format!(".{name}.{}.{seq}.tmp", std::process::id()));
            // A clash is only possible with a process of the same pid on another host sharing
            // the directory.
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(file) => return Ok(AtomicFile { file, tmp, target: dir.join(name), committed: false }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
                Err(e) => return Err(ColumnarIoError::write(&tmp, e)),
            }
        }
    }

    /// The open temporary file, to write into.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// The temporary file's path.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The path the file will have once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes the file to disk, renames it over the target, fsyncs the directory (making the
    /// rename durable), then removes stale temporary files of dead writers (best effort).
    pub fn commit(mut self) -> Result<(), ColumnarIoError> {
        self.file.flush().map_err(|e| ColumnarIoError::write(&self.tmp, e))?;
        self.file.sync_all().map_err(|e| ColumnarIoError::write(&self.tmp, e))?;
        fs::rename(&self.tmp, &self.target).map_err(|e| ColumnarIoError::write(&self.target, e))?;
        self.committed = true;
        if let Some(dir) = self.target.parent() {
            // Not possible (nor needed) on every platform, hence ignored when it fails.
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

impl Drop for AtomicFile {
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

/// Removes temporary files for `target` in `dir` not modified for [`STALE_TEMP_AGE`] before
/// `now`; errors are ignored (another process may remove the same file at the same time).
/// Nothing is removed when `dir` is a symbolic link, and only regular files are removed (a
/// link named like a temporary file is not ours).
pub fn remove_stale_temps(dir: &Path, target: &str, now: SystemTime) {
    if refuse_symlink(dir).is_err() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        // `DirEntry::file_type` does not follow links.
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        if !(regular && name.to_str().is_some_and(|n| is_temp_of(n, target))) {
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
                Ok(()) => tracing::debug!(path = %entry.path().display(), "removed a stale temporary file"),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::debug!(path = %entry.path().display(), error = %e, "cannot remove a stale temporary file")
                }
            }
        }
    }
}

/// Renames `from` over `to` (both in one directory, `from` already written and fsynced, e.g. a
/// committed hidden staging file) and fsyncs the directory, making the rename durable. This is
/// the second step of a commit that publishes several files together (the dataset's partition
/// commit: every file staged first, then all renamed): a reader sees the old file or the new
/// one under `to`, never a part of one. Refuses a directory that is a symbolic link.
pub fn rename_durably(from: &Path, to: &Path) -> Result<(), ColumnarIoError> {
    let dir = to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    refuse_symlink(dir).map_err(|e| ColumnarIoError::write(dir, e))?;
    fs::rename(from, to).map_err(|e| ColumnarIoError::write(to, e))?;
    // Not possible (nor needed) on every platform, hence ignored when it fails.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes `bytes` to `dir/name` atomically, creating `dir` if needed.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), ColumnarIoError> {
    let tmp = AtomicFile::create(dir, name)?;
    tmp.file().write_all(bytes).map_err(|e| ColumnarIoError::write(tmp.path(), e))?;
    tmp.commit()
}

/// Writes the file `path` atomically with what `write` writes (buffered): an interrupted or
/// failed write never leaves half a file under that name. The parent directory must exist
/// (an empty parent is the current directory).
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), ColumnarIoError> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| ColumnarIoError::write(path, io::Error::from(io::ErrorKind::InvalidInput)))?;
    if !dir.is_dir() {
        return Err(ColumnarIoError::write(dir, io::Error::from(io::ErrorKind::NotFound)));
    }
    let tmp = AtomicFile::create_following(dir, name)?;
    let mut out = BufWriter::new(tmp.file());
    write(&mut out).map_err(|e| ColumnarIoError::write(tmp.path(), e))?;
    out.flush().map_err(|e| ColumnarIoError::write(tmp.path(), e))?;
    drop(out);
    tmp.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_temp_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = AtomicFile::create(dir.path(), "x.parquet").unwrap();
        let name = tmp.path().file_name().unwrap().to_str().unwrap().to_owned();
        assert!(is_temp_of(&name, "x.parquet") && name.starts_with('.'), "{name}");
        assert!(!name.ends_with(".parquet"));
        assert_eq!(tmp.target(), dir.path().join("x.parquet"));
        drop(tmp);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn commit_replaces_the_target_and_creates_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/cached_assets");
        write_atomic(&sub, "f.json", b"one").unwrap();
        write_atomic(&sub, "f.json", b"two").unwrap();
        assert_eq!(fs::read(sub.join("f.json")).unwrap(), b"two");
        assert_eq!(fs::read_dir(&sub).unwrap().count(), 1);
    }

    #[test]
    fn a_directory_below_a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("file"), b"x").unwrap();
        let err = write_atomic(&dir.path().join("file/sub"), "f", b"x").unwrap_err();
        assert_eq!(err.path(), dir.path().join("file/sub"));
        assert!(!err.is_not_writable(), "{err}");
    }

    #[test]
    fn write_atomically_replaces_or_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        write_atomically(&path, |w| w.write_all(b"old")).unwrap();
        write_atomically(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        let err = write_atomically(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("boom"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("boom"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"new", "a failed write leaves the old file");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "and no temporary file");
        let missing = dir.path().join("no/such/dir/x.csv");
        assert!(write_atomically(&missing, |w| w.write_all(b"x")).is_err());
        assert!(!dir.path().join("no").exists(), "write_atomically creates no directory");
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

    #[cfg(unix)]
    #[test]
    fn a_symlinked_directory_is_refused_and_never_cleaned() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs::create_dir(&outside).unwrap();
        let stale = outside.join(".x.parquet.1.0.tmp");
        fs::write(&stale, b"someone else's").unwrap();
        let long_ago = SystemTime::now() - STALE_TEMP_AGE - Duration::from_secs(60);
        File::options().write(true).open(&stale).unwrap().set_modified(long_ago).unwrap();
        let link = tmp.path().join("cached_assets");
        symlink(&outside, &link).unwrap();

        let err = write_atomic(&link, "x.parquet", b"x").unwrap_err();
        assert!(err.is_symlink_refusal() && !err.is_not_writable(), "{err}");
        assert_eq!(err.path(), link);
        remove_stale_temps(&link, "x.parquet", SystemTime::now());
        let left: Vec<_> = fs::read_dir(&outside).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, [".x.parquet.1.0.tmp"], "nothing written or removed through the link");

        // In a real directory, a link named like a stale temporary file is not removed either.
        let real = tmp.path().join("real");
        fs::create_dir(&real).unwrap();
        symlink(&stale, real.join(".x.parquet.1.0.tmp")).unwrap();
        remove_stale_temps(&real, "x.parquet", SystemTime::now() + STALE_TEMP_AGE * 2);
        assert!(fs::symlink_metadata(real.join(".x.parquet.1.0.tmp")).is_ok() && stale.exists());

        // A file the user names may sit in a linked directory: that is the user's choice.
        write_atomically(&link.join("report.html"), |w| w.write_all(b"page")).unwrap();
        assert_eq!(fs::read(outside.join("report.html")).unwrap(), b"page");
    }
}
