//! The one I/O error of srtlog's file writes: which operation failed on which path.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What was being done when an I/O error happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IoOp {
    /// Reading a file or listing a directory.
    Read,
    /// Creating a directory or a file, writing, syncing or renaming.
    Write,
    /// Removing a file or a directory.
    Remove,
}

impl fmt::Display for IoOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IoOp::Read => "read",
            IoOp::Write => "write",
            IoOp::Remove => "remove",
        })
    }
}

/// An I/O error, naming the path and the operation.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct ColumnarIoError {
    /// What was being done.
    pub op: IoOp,
    /// The file or directory concerned.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: io::Error,
}

impl ColumnarIoError {
    /// An error of `op` on `path`.
    pub fn new(op: IoOp, path: impl AsRef<Path>, source: io::Error) -> Self {
        ColumnarIoError { op, path: path.as_ref().to_path_buf(), source }
    }

    /// A read error on `path`.
    pub fn read(path: impl AsRef<Path>, source: io::Error) -> Self {
        Self::new(IoOp::Read, path, source)
    }

    /// A write error on `path`.
    pub fn write(path: impl AsRef<Path>, source: io::Error) -> Self {
        Self::new(IoOp::Write, path, source)
    }

    /// The file or directory concerned.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a write failed because the place cannot be written at all (permission denied,
    /// read-only file system), which the next write will meet too.
    pub fn is_not_writable(&self) -> bool {
        self.op != IoOp::Read && is_not_writable_kind(&self.source)
    }

    /// Whether srtlog refused the path because it is a symbolic link
    /// ([`crate::refuse_symlink`]).
    pub fn is_symlink_refusal(&self) -> bool {
        crate::files::is_symlink_refusal(&self.source)
    }
}

/// `EROFS` on Linux and the BSDs; checked by number too in case the kind is not mapped.
const EROFS: i32 = 30;

fn is_not_writable_kind(err: &io::Error) -> bool {
    matches!(err.kind(), io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem)
        || (cfg!(unix) && err.raw_os_error() == Some(EROFS))
}

impl From<ColumnarIoError> for io::Error {
    /// Keeps the kind, and the path in the message.
    fn from(err: ColumnarIoError) -> Self {
        io::Error::new(err.source.kind(), err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_and_read_only_write_errors_are_not_writable() {
        for kind in [io::ErrorKind::PermissionDenied, io::ErrorKind::ReadOnlyFilesystem] {
            let e = ColumnarIoError::write("/x", io::Error::from(kind));
            assert!(e.is_not_writable(), "{e}");
            assert_eq!(e.path(), Path::new("/x"));
        }
        assert!(!ColumnarIoError::write("/x", io::Error::from(io::ErrorKind::StorageFull)).is_not_writable());
        assert!(
            !ColumnarIoError::read("/x", io::Error::from(io::ErrorKind::PermissionDenied)).is_not_writable()
        );
        let e = ColumnarIoError::write("/d/f", io::Error::from(io::ErrorKind::StorageFull));
        assert!(e.to_string().starts_with("/d/f: "), "{e}");
    }
}
