//! Which files of a run directory are worker logs: `{node}_{prefill|decode|agg}_w{N}.out|.err`.
//! A pure helper the loader calls; no I/O.

use srtlog_model::{NodeMetadata, WorkerType};

/// Which stream of a worker a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogStream {
    /// `.out`: the whole worker log (current srtctl) or the startup echo (legacy).
    Out,
    /// `.err`: SGLang's own log and bash xtrace (legacy `.out` + `.err` pairs).
    Err,
}

/// A worker log file, classified from its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkerFile {
    /// Node name, role and worker id (`w1`).
    pub metadata: NodeMetadata,
    /// The worker index (`1` for `w1`).
    pub index: u32,
    /// `.out` or `.err`.
    pub stream: LogStream,
}

/// Classifies a file name (no directory) of the form `{node}_{prefill|decode|agg}_w{N}.out|.err`.
///
/// Only the `_<role>_w<N>` suffix decides: node names may contain `_`, `-` and role words
/// (`prefill_node_decode_w0.out` is node `prefill_node`, a decode worker). Everything else —
/// `*_frontend_*`, `*_nginx.out`, `sweep_*.log`, `benchmark.out`, `*_config.json`,
/// `*_gpu_utilization.log`, `fingerprint_*` — is `None`.
///
/// ```
/// use srtlog_parsers_node::{classify_worker_file, LogStream};
/// use srtlog_model::WorkerType;
/// let f = classify_worker_file("slurm-gb300-133-181_prefill_w1.out").unwrap();
/// assert_eq!(f.metadata.node_name, "slurm-gb300-133-181");
/// assert_eq!((f.metadata.worker_type, f.metadata.worker_id.as_str(), f.stream), (WorkerType::Prefill, "w1", LogStream::Out));
/// assert!(classify_worker_file("eos0219_frontend_0.out").is_none());
/// ```
pub fn classify_worker_file(file_name: &str) -> Option<WorkerFile> {
    let (stem, stream) = if let Some(s) = file_name.strip_suffix(".out") {
        (s, LogStream::Out)
    } else if let Some(s) = file_name.strip_suffix(".err") {
        (s, LogStream::Err)
    } else {
        return None;
    };
    let (rest, id) = stem.rsplit_once('_')?;
    let digits = id.strip_prefix('w')?;
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let index: u32 = digits.parse().ok()?;
    let (node, role) = rest.rsplit_once('_')?;
    let worker_type = WorkerType::from_word(role)?;
    if node.is_empty() || node.starts_with("fingerprint") {
        return None;
    }
    Some(WorkerFile {
        metadata: NodeMetadata { node_name: node.to_owned(), worker_type, worker_id: id.to_owned() },
        index,
        stream,
    })
}
