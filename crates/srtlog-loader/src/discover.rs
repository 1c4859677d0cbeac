//! Finding run directories under a root.
//!
//! A run directory is named `{job_id}` or `{job_id}_{anything}` and holds `{job_id}.json` or
//! `metadata.json`. Runs sit directly under the root, one level deeper (`outputs/<job>/`), or in
//! legacy trees under `logs/<job_id>_<P>P_<D>D_<ts>/`. The walk never descends into a run,
//! skips hidden directories, virtualenvs and srtlog's own `cached_assets/`, follows symlinks
//! with loop detection, and returns runs newest job id first.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use crate::metadata::{find_metadata_file, leading_job_id};

/// How deep below the root the walk looks for runs.
pub const MAX_DISCOVERY_DEPTH: usize = 4;

/// A directory that is (or looks like) a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDir {
    /// The run directory.
    pub path: PathBuf,
    /// Job id from the directory name, when it starts with one.
    pub job_id: Option<String>,
    /// The metadata file, when there is one. A directory named like a job with a `logs/`
    /// folder or `benchmark.out` but no metadata is still returned, so that it can be reported
    /// as skipped (`no_metadata`) rather than silently ignored.
    pub metadata_file: Option<PathBuf>,
}

/// Whether a directory is never a run and never contains runs.
fn is_ignored_dir(name: &str) -> bool {
    name.starts_with('.')
        || matches!(
            name,
            "cached_assets" | "node_modules" | "__pycache__" | "venv" | "site-packages" | "target"
        )
}

fn looks_like_run(path: &Path) -> bool {
    path.join("logs").is_dir() || path.join("benchmark.out").is_file() || path.join("config.yaml").is_file()
}

/// Classifies one directory: a run (with or without metadata) or not.
pub fn inspect_dir(path: &Path) -> Option<RunDir> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let job_id = leading_job_id(&name).map(str::to_owned);
    let metadata_file = find_metadata_file(path);
    match (&job_id, &metadata_file) {
        (_, Some(_)) => Some(RunDir { path: path.to_path_buf(), job_id, metadata_file }),
        (Some(_), None) if looks_like_run(path) => {
            Some(RunDir { path: path.to_path_buf(), job_id, metadata_file })
        }
        _ => None,
    }
}

/// Every run directory under `root` (or `root` itself when it is a run), newest job first.
pub fn discover_runs(root: &Path) -> Vec<RunDir> {
    if let Some(run) = inspect_dir(root).filter(|r| r.metadata_file.is_some()) {
        return vec![run];
    }
    let mut runs = Vec::new();
    let mut walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .min_depth(1)
        .max_depth(MAX_DISCOVERY_DEPTH)
        .into_iter();
    loop {
        let entry = match walker.next() {
            None => break,
            Some(Ok(entry)) => entry,
            Some(Err(err)) => {
                // Symlink loops and unreadable directories: note and go on.
                tracing::debug!("skipping during discovery: {err}");
                continue;
            }
        };
        if !entry.file_type().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if is_ignored_dir(&name) || entry.path().join("pyvenv.cfg").is_file() {
            walker.skip_current_dir();
            continue;
        }
        if let Some(run) = inspect_dir(entry.path()) {
            runs.push(run);
            walker.skip_current_dir();
        }
    }
    runs.sort_by(compare_runs);
    runs.dedup_by(|a, b| a.path == b.path);
    runs
}

/// Newest job id first (numerically), then by path for a stable order.
fn compare_runs(a: &RunDir, b: &RunDir) -> Ordering {
    let key = |r: &RunDir| r.job_id.as_deref().and_then(|j| j.parse::<u64>().ok());
    match (key(a), key(b)) {
        (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.path.cmp(&b.path)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.path.cmp(&b.path),
    }
}
