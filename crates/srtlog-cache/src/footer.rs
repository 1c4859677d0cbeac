//! What a cache file says about itself in its Parquet footer (key-value metadata), and the
//! check that decides whether it is still valid. Reading it costs one footer read: no row and
//! no source byte.

use std::path::Path;

use parquet::file::metadata::KeyValue;
use serde::{Deserialize, Serialize};
use srtlog_model::{
    Batches, NodeMetadata, NodeMetrics, ParallelConfig, ParseStats, ResultSource, WorkersDerived,
};

use crate::error::CacheError;
use crate::fingerprint::{mismatch, FileFingerprint};
use crate::CACHE_SCHEMA_VERSION;

/// Footer key of the [`Header`] (JSON).
pub(crate) const HEADER_KEY: &str = "srtlog.cache";
/// Footer key of the part's extras (JSON): [`ResultsExtras`], [`NodesExtras`], [`RequestsExtras`] or
/// [`ServerMetricsExtras`].
pub(crate) const EXTRAS_KEY: &str = "srtlog.cache.extras";

/// The footer's `srtlog.cache` value.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub(crate) struct Header {
    /// [`CACHE_SCHEMA_VERSION`] of the writer.
    pub cache_schema_version: u32,
    /// srtlog version of the writer (informational).
    pub srtlog_version: String,
    /// `benchmark_results` or `node_metrics`.
    pub table: String,
    /// When the file was written, ISO 8601 UTC (informational).
    pub created_at: String,
    /// Number of rows.
    pub rows: u64,
    /// Length of the file's data part: every byte before the footer's column indexes and
    /// metadata (the `PAR1` magic and all row groups).
    pub data_bytes: u64,
    /// CRC-32 (IEEE, as `zlib.crc32`) of those bytes.
    pub data_crc32: u32,
    /// CRC-32 of the value of the `srtlog.cache.extras` key, as stored.
    pub extras_crc32: u32,
    /// The sources this part was built from, sorted by path.
    pub fingerprints: Vec<FileFingerprint>,
}

/// Extras of `benchmark_results.parquet`: the parts of a `ProfilerResults` that are not rows.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub(crate) struct ResultsExtras {
    /// `json`, `benchmark_out` or null.
    pub source: Option<ResultSource>,
    /// The results' warnings.
    pub warnings: Vec<String>,
}

/// Extras of `requests.parquet`: what reading the request files said (bad or cut lines, ...).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub(crate) struct RequestsExtras {
    /// The diagnostics of reading the request files, each naming its file.
    pub warnings: Vec<String>,
}

/// Extras of `server_metrics.parquet`: what is not rows of the run's Tachometer series.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub(crate) struct ServerMetricsExtras {
    /// [`ServerMetrics::time_base`](srtlog_model::ServerMetrics::time_base) (also on every
    /// row; here for a part without rows).
    pub time_base: srtlog_model::ServerTimeBase,
    /// The files read, in order.
    pub sources: Vec<String>,
    /// Rows left out as copies across in-progress files.
    pub duplicate_rows: u64,
    /// Rows that could not be used.
    pub skipped_rows: u64,
    /// Files that could not be read, each named.
    pub warnings: Vec<String>,
}

/// Extras of `node_metrics.parquet`: every worker in order, with what is not rows.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub(crate) struct NodesExtras {
    /// Workers in the stored order; rows follow the same order.
    pub workers: Vec<WorkerEntry>,
    /// [`derive_workers`](srtlog_model::derived::derive_workers) of the stored workers, in the
    /// same order.
    pub derived: WorkersDerived,
}

/// One worker in [`NodesExtras`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub(crate) struct WorkerEntry {
    /// `node_name`, `worker_type`, `worker_id`.
    #[serde(flatten)]
    pub metadata: NodeMetadata,
    /// Rows of `record_type` `batch` of this worker.
    pub batch_rows: u64,
    /// Rows of `record_type` `memory` of this worker (after its batch rows).
    pub memory_rows: u64,
    /// Parallelism and limits.
    pub config: ParallelConfig,
    /// Parse counters and diagnostics.
    pub stats: ParseStats,
}

impl WorkerEntry {
    /// The worker as [`NodeMetrics`] without rows: what the footer alone knows of it.
    pub(crate) fn into_rowless_metrics(self) -> NodeMetrics {
        NodeMetrics {
            metadata: self.metadata,
            batches: Batches::new(),
            memory_snapshots: Vec::new(),
            config: self.config,
            stats: self.stats,
        }
    }
}

/// Only the version, read first: a file of another version may have another header shape.
#[derive(Deserialize)]
struct VersionProbe {
    cache_schema_version: u32,
}

/// Outcome of [`check`].
#[derive(Debug)]
pub(crate) enum Check {
    /// The footer matches the caller's fingerprints: the header and the raw extras JSON.
    Valid(Header, String),
    /// The file is a well-formed cache file of another version or other sources: why.
    Stale(String),
}

/// Decides from the footer alone whether the cache file at `path` holds table `table` built
/// from exactly the sources `expected`, by this cache schema version.
///
/// Stale (another version, other fingerprints) is [`Check::Stale`]; a footer that is not ours or
/// is damaged (missing keys, bad JSON, another table, extras that fail their checksum) is an
/// error. The data checksum is checked later, by the reader, before any row is used.
pub(crate) fn check(
    path: &Path,
    kv: Option<&Vec<KeyValue>>,
    table: &str,
    expected: &[FileFingerprint],
) -> Result<Check, CacheError> {
    let value = |key: &str| {
        kv.and_then(|kv| kv.iter().find(|e| e.key == key)).and_then(|e| e.value.as_deref()).ok_or_else(|| {
            CacheError::invalid(
                path,
                format!("the Parquet footer has no {key:?} key (not written by srtlog)"),
            )
        })
    };
    let header_json = value(HEADER_KEY)?;
    let probe: VersionProbe = serde_json::from_str(header_json)
        .map_err(|e| CacheError::invalid(path, format!("footer key {HEADER_KEY:?}: {e}")))?;
    if probe.cache_schema_version != CACHE_SCHEMA_VERSION {
        return Ok(Check::Stale(format!(
            "cache schema version {}, this srtlog writes {CACHE_SCHEMA_VERSION}",
            probe.cache_schema_version
        )));
    }
    let header: Header = serde_json::from_str(header_json)
        .map_err(|e| CacheError::invalid(path, format!("footer key {HEADER_KEY:?}: {e}")))?;
    if header.table != table {
        return Err(CacheError::invalid(path, format!("holds table {:?}, expected {table:?}", header.table)));
    }
    if let Some(reason) = mismatch(&header.fingerprints, expected) {
        return Ok(Check::Stale(reason));
    }
    let extras = value(EXTRAS_KEY)?;
    if crc32fast::hash(extras.as_bytes()) != header.extras_crc32 {
        return Err(CacheError::invalid(path, format!("footer key {EXTRAS_KEY:?} fails its checksum")));
    }
    Ok(Check::Valid(header, extras.to_owned()))
}

/// The footer entries for `header` and `extras_json` (whose checksum is set here).
pub(crate) fn entries(mut header: Header, extras_json: String) -> Result<[KeyValue; 2], serde_json::Error> {
    header.extras_crc32 = crc32fast::hash(extras_json.as_bytes());
    Ok([
        KeyValue::new(HEADER_KEY.to_owned(), serde_json::to_string(&header)?),
        KeyValue::new(EXTRAS_KEY.to_owned(), extras_json),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(fingerprints: Vec<FileFingerprint>) -> Header {
        Header {
            cache_schema_version: CACHE_SCHEMA_VERSION,
            srtlog_version: "0.1.0".into(),
            table: "benchmark_results".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            rows: 0,
            data_bytes: 4,
            data_crc32: 0,
            extras_crc32: 0,
            fingerprints,
        }
    }

    fn run(kv: &[KeyValue], expected: &[FileFingerprint]) -> Result<Check, CacheError> {
        check(Path::new("f.parquet"), Some(&kv.to_vec()), "benchmark_results", expected)
    }

    #[test]
    fn a_matching_footer_is_valid_and_anything_else_is_stale_or_invalid() {
        let fp = vec![FileFingerprint { path: "a.json".into(), size: 3, mtime_ns: 7 }];
        let kv = entries(header(fp.clone()), r#"{"source":null,"warnings":[]}"#.into()).unwrap();
        assert!(matches!(run(&kv, &fp), Ok(Check::Valid(..))));

        let changed = vec![FileFingerprint { mtime_ns: 8, ..fp[0].clone() }];
        assert!(matches!(run(&kv, &changed), Ok(Check::Stale(r)) if r.contains("a.json changed")));

        let mut old = header(fp.clone());
        old.cache_schema_version = CACHE_SCHEMA_VERSION + 1;
        let kv_old = entries(old, "{}".into()).unwrap();
        assert!(matches!(run(&kv_old, &fp), Ok(Check::Stale(r)) if r.contains("version")));

        // Another version may have another shape: only the version is read.
        let future = [KeyValue::new(HEADER_KEY.into(), r#"{"cache_schema_version": 99, "x": 1}"#.to_owned())];
        assert!(matches!(run(&future, &fp), Ok(Check::Stale(_))));

        assert!(matches!(run(&[], &fp), Err(CacheError::Invalid { .. })));
        assert!(matches!(run(&kv[..1], &fp), Err(CacheError::Invalid { .. })), "no extras");
        let garbage = [KeyValue::new(HEADER_KEY.into(), "{not json".to_owned())];
        assert!(matches!(run(&garbage, &fp), Err(CacheError::Invalid { .. })));
        let mut tampered = kv.clone();
        tampered[1].value = Some(r#"{"source":"json","warnings":[]}"#.into());
        assert!(matches!(run(&tampered, &fp), Err(CacheError::Invalid { .. })), "extras checksum");
        let other = check(Path::new("f"), Some(&kv.to_vec()), "node_metrics", &fp);
        assert!(matches!(other, Err(CacheError::Invalid { .. })), "another table");
    }
}
