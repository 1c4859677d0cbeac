//! The cache's error type. Every error names the file or directory it concerns.

use std::io;
use std::path::{Path, PathBuf};

use arrow_schema::ArrowError;
use parquet::errors::ParquetError;
use srtlog_columnar::ColumnarIoError;

/// A cache file could not be read or written.
///
/// Whatever the variant, the caller's answer is the same for a load (parse the sources again)
/// and for a store (go on without the cache). [`CacheError::is_not_writable`] tells the one case
/// a caller may want to report differently: the cache directory cannot be written at all
/// (permission denied, read-only file system), which will not change for the next store either.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// A file or directory could not be read, created, written or replaced (the error names
    /// the path and the operation).
    #[error(transparent)]
    Io(#[from] ColumnarIoError),
    /// The Parquet library failed: not a Parquet file, truncated, corrupt, or a write failed.
    #[error("{}: parquet: {source}", path.display())]
    Parquet {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: ParquetError,
    },
    /// The Arrow library failed to build or decode a record batch.
    #[error("{}: arrow: {source}", path.display())]
    Arrow {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: ArrowError,
    },
    /// A readable Parquet file that is not a cache file of this table: foreign schema, missing or
    /// malformed footer keys, checksum mismatch, rows that contradict the footer.
    #[error("{}: not a valid srtlog cache file: {message}", path.display())]
    Invalid {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl CacheError {
    /// The file or directory the error concerns.
    pub fn path(&self) -> &Path {
        match self {
            CacheError::Io(err) => err.path(),
            CacheError::Parquet { path, .. }
            | CacheError::Arrow { path, .. }
            | CacheError::Invalid { path, .. } => path,
        }
    }

    /// Whether the cache directory cannot be written (permission denied, read-only file system).
    ///
    /// A caller that gets this from a store can stop trying to cache this run (and warn once).
    pub fn is_not_writable(&self) -> bool {
        matches!(self, CacheError::Io(err) if err.is_not_writable())
    }

    /// Whether the cache was refused because its directory or one of its files is a symbolic
    /// link ([`RunCache::check_links`](crate::RunCache::check_links)): the caller goes on
    /// without this cache, as for a directory that is not writable.
    pub fn is_symlink_refusal(&self) -> bool {
        matches!(self, CacheError::Io(err) if err.is_symlink_refusal())
    }

    /// An I/O error met while reading.
    pub(crate) fn read_io(path: impl AsRef<Path>, source: io::Error) -> Self {
        CacheError::Io(ColumnarIoError::read(path, source))
    }

    /// An I/O error met while creating or replacing files: permission and read-only errors
    /// make [`CacheError::is_not_writable`] true.
    pub(crate) fn write_io(path: impl AsRef<Path>, source: io::Error) -> Self {
        CacheError::Io(ColumnarIoError::write(path, source))
    }

    pub(crate) fn parquet(path: impl Into<PathBuf>, source: ParquetError) -> Self {
        CacheError::Parquet { path: path.into(), source }
    }

    pub(crate) fn arrow(path: impl Into<PathBuf>, source: ArrowError) -> Self {
        CacheError::Arrow { path: path.into(), source }
    }

    pub(crate) fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        CacheError::Invalid { path: path.into(), message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_and_read_only_errors_are_not_writable() {
        for err in [
            io::Error::from(io::ErrorKind::PermissionDenied),
            io::Error::from(io::ErrorKind::ReadOnlyFilesystem),
        ] {
            let e = CacheError::write_io("/x", err);
            assert!(e.is_not_writable(), "{e}");
            assert_eq!(e.path(), Path::new("/x"));
        }
        assert!(!CacheError::write_io("/x", io::Error::from(io::ErrorKind::StorageFull)).is_not_writable());
        // Reading a file we may not read is not a "directory not writable" condition.
        assert!(
            !CacheError::read_io("/x", io::Error::from(io::ErrorKind::PermissionDenied)).is_not_writable()
        );
    }

    #[test]
    fn messages_name_the_file() {
        let e = CacheError::invalid("/c/benchmark_results.parquet", "missing footer key");
        assert_eq!(
            e.to_string(),
            "/c/benchmark_results.parquet: not a valid srtlog cache file: missing footer key"
        );
    }
}
