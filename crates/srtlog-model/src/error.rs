//! Errors of parsers and readers. Every error names the file it concerns.

use std::io;
use std::path::PathBuf;

use crate::run::{RunWarningKind, SkipKind};

/// A file could not be turned into typed data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The file is not valid JSON / YAML.
    #[error("{}: invalid {format}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// `JSON` or `YAML`.
        format: &'static str,
        /// What the decoder said, with line and column.
        message: String,
    },
    /// The file is well-formed but does not have what is needed (missing key, wrong type).
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No result in any source the parser knows.
    #[error("{}: {message}", path.display())]
    NoResults {
        /// The directory or file looked at.
        path: PathBuf,
        /// Where the parser looked.
        message: String,
    },
}

impl ParseError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        ParseError::Io { path: path.into(), source }
    }

    /// A JSON syntax error on `path`.
    pub fn json(path: impl Into<PathBuf>, err: &serde_json::Error) -> Self {
        ParseError::Syntax { path: path.into(), format: "JSON", message: err.to_string() }
    }

    /// A content error on `path`.
    pub fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        ParseError::Invalid { path: path.into(), message: message.into() }
    }

    /// The warning kind a loaded run gets when its results fail with this error.
    pub fn warning_kind_for_results(&self) -> RunWarningKind {
        match self {
            ParseError::Io { .. } => RunWarningKind::IoError,
            ParseError::NoResults { .. } => RunWarningKind::NoResults,
            ParseError::Syntax { .. } | ParseError::Invalid { .. } => RunWarningKind::InvalidResults,
        }
    }

    /// The skip kind a run got, before results became optional, when its results failed with
    /// this error (see [`SkipKind`]); the loader now uses [`ParseError::warning_kind_for_results`].
    pub fn skip_kind_for_results(&self) -> SkipKind {
        match self {
            ParseError::Io { .. } => SkipKind::IoError,
            ParseError::NoResults { .. } => SkipKind::NoResults,
            ParseError::Syntax { .. } | ParseError::Invalid { .. } => SkipKind::InvalidResults,
        }
    }
}

/// A parser name could not be resolved, or two parsers claim one name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// No parser registered under this name.
    #[error("no {kind} parser named {name:?}; registered: {}", known.join(", "))]
    Unknown {
        /// `benchmark` or `node`.
        kind: &'static str,
        /// The name asked for.
        name: String,
        /// Registered names, sorted.
        known: Vec<String>,
    },
    /// Two registrations use one name.
    #[error("two {kind} parsers are registered as {name:?}")]
    Duplicate {
        /// `benchmark` or `node`.
        kind: &'static str,
        /// The contested name.
        name: String,
    },
}
