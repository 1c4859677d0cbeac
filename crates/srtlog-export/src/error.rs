//! The error of [`write_dataset`](crate::write_dataset). Every variant names the path concerned.

use std::io;
use std::path::{Path, PathBuf};

use arrow_schema::ArrowError;
use parquet::errors::ParquetError;
use srtlog_columnar::ColumnarIoError;

/// A dataset could not be written.
///
/// The refusals ([`ExportError::NotADirectory`], [`ExportError::Symlink`],
/// [`ExportError::NotADataset`], [`ExportError::ForeignEntry`], [`ExportError::InvalidMarker`],
/// [`ExportError::Busy`]) happen before anything in the output directory is changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// A file or directory could not be created, read, written, renamed or removed (the error
    /// names the path and the operation).
    #[error(transparent)]
    Io(#[from] ColumnarIoError),
    /// The Parquet writer failed.
    #[error("{}: parquet: {source}", path.display())]
    Parquet {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: ParquetError,
    },
    /// A record batch could not be assembled.
    #[error("{}: arrow: {source}", path.display())]
    Arrow {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: ArrowError,
    },
    /// The output path exists and is not a directory.
    #[error("{}: the output path exists and is not a directory", path.display())]
    NotADirectory {
        /// The output path.
        path: PathBuf,
    },
    /// The output directory is not empty and is not an srtlog dataset: srtlog never deletes
    /// files it did not write.
    #[error(
        "{}: refusing to write a dataset into a non-empty directory that is not an srtlog dataset \
         (no {}); give a new or empty directory",
        path.display(),
        crate::MARKER_FILE
    )]
    NotADataset {
        /// The output directory.
        path: PathBuf,
    },
    /// The output directory is an srtlog dataset, but it also holds something srtlog did not
    /// write; replacing the dataset would delete it.
    #[error(
        "{}: not written by srtlog; refusing to replace the dataset in {} (move it away first)",
        path.display(),
        dataset.display()
    )]
    ForeignEntry {
        /// The output directory.
        dataset: PathBuf,
        /// The first foreign file or directory found.
        path: PathBuf,
    },
    /// The output path is a symbolic link: srtlog does not write a dataset through one (an
    /// export deletes the previous dataset's files, which would then be wherever it points).
    #[error(
        "{}: is a symbolic link; give the directory it points to (srtlog does not write a dataset through a link)",
        path.display()
    )]
    Symlink {
        /// The output path.
        path: PathBuf,
    },
    /// Another export is writing this dataset directory (it holds the lock on
    /// [`LOCK_FILE`](crate::LOCK_FILE)); nothing was changed.
    #[error(
        "{}: another srtlog export{} is writing this dataset; try again when it has finished",
        path.display(),
        holder.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
    )]
    Busy {
        /// The output directory.
        path: PathBuf,
        /// The process holding the lock, when its lock file says.
        holder: Option<u32>,
    },
    /// `_srtlog_dataset.json` exists but is not an srtlog dataset marker.
    #[error("{}: not an srtlog dataset marker: {message}", path.display())]
    InvalidMarker {
        /// The marker file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl ExportError {
    pub(crate) fn io(path: impl AsRef<Path>, source: io::Error) -> Self {
        ExportError::Io(ColumnarIoError::write(path, source))
    }

    pub(crate) fn parquet(path: impl AsRef<Path>, source: ParquetError) -> Self {
        ExportError::Parquet { path: path.as_ref().to_path_buf(), source }
    }

    pub(crate) fn arrow(path: impl AsRef<Path>, source: ArrowError) -> Self {
        ExportError::Arrow { path: path.as_ref().to_path_buf(), source }
    }

    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ExportError::Io(err) => err.path(),
            ExportError::Parquet { path, .. }
            | ExportError::Arrow { path, .. }
            | ExportError::NotADirectory { path }
            | ExportError::Symlink { path }
            | ExportError::Busy { path, .. }
            | ExportError::NotADataset { path }
            | ExportError::ForeignEntry { path, .. }
            | ExportError::InvalidMarker { path, .. } => path,
        }
    }
}
