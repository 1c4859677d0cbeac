//! [`RunCache`]: storing and loading the parts of a run's cache (results, node metrics,
//! request records, server time series).

use std::fs::File;
use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};
use serde_json::{json, Value};
use srtlog_columnar::{open_regular, refuse_symlink, write_atomic, writer_properties, AtomicFile, Links};
use srtlog_model::derived::derive_workers;
use srtlog_model::{NodeMetrics, ProfilerResults, RequestRecord, ServerMetrics, Timestamp, WorkersDerived};

use crate::error::CacheError;
use crate::fingerprint::FileFingerprint;
use crate::footer::{
    self, Check, Header, NodesExtras, RequestsExtras, ResultsExtras, ServerMetricsExtras, WorkerEntry,
};
use crate::nodes_table::{decode_nodes, node_rows, nodes_schema, NodeAssembler, NodeMetricsBuilder};
use crate::requests_table::{decode_requests, requests_schema, RequestsBuilder};
use crate::results_table::{decode_results, results_schema, ResultsBuilder};
use crate::server_metrics_table::{decode_server_metrics, server_metrics_schema, write_batches};
use crate::{
    CACHE_SCHEMA_VERSION, METADATA_FILE, NODES_FILE, REQUESTS_FILE, RESULTS_FILE, SERVER_METRICS_FILE,
};

const RESULTS_TABLE: &str = "benchmark_results";
const NODES_TABLE: &str = "node_metrics";
const REQUESTS_TABLE: &str = "requests";
const SERVER_METRICS_TABLE: &str = "server_metrics";

/// What [`RunCache::load_requests`] gives back: the records and the warnings of their reading.
pub type CachedRequests = (Vec<RequestRecord>, Vec<String>);

/// What [`RunCache::load_server_metrics`] gives back: the series and the warnings of their
/// reading (files that could not be read, each named).
pub type CachedServerMetrics = (ServerMetrics, Vec<String>);

/// Rows per record batch, when writing and when reading.
const BATCH_ROWS: usize = 8 * 1024;
/// The cache of one run: the files in one directory.
///
/// `RunCache` holds only the directory's path; every call opens the files anew, so any number
/// of `RunCache` values (in any number of processes) may use one directory at once. See the
/// [crate documentation](crate) for the files, the validity rule and the columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunCache {
    dir: PathBuf,
}

impl RunCache {
    /// The cache in `cache_dir` (`{run}/cached_assets`, or a per-run directory under a
    /// `--cache-dir`). Nothing is read or created until a load or store.
    pub fn new(cache_dir: impl Into<PathBuf>) -> Self {
        RunCache { dir: cache_dir.into() }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Refuses the cache when its directory, or one of its three files, is a symbolic link:
    /// a run directory may come from anyone, and a link would make srtlog read and write
    /// wherever it points. [`CacheError::is_symlink_refusal`] is then true, and the caller
    /// goes on without this cache. Every load and store checks first; a caller may check once
    /// up front to warn. (Temporary files need no check: they are created with `create_new`,
    /// which never follows a link, and stale ones are only removed when they are regular files.)
    pub fn check_links(&self) -> Result<(), CacheError> {
        let names = [RESULTS_FILE, NODES_FILE, METADATA_FILE];
        refuse_symlink(&self.dir).map_err(|e| CacheError::write_io(&self.dir, e))?;
        for path in names.map(|name| self.dir.join(name)) {
            refuse_symlink(&path).map_err(|e| CacheError::write_io(&path, e))?;
        }
        Ok(())
    }

    /// Loads the cached benchmark results if they were built from exactly the sources
    /// `expected` (in any order) by this cache schema version.
    ///
    /// `Ok(None)`: there is no results cache, or it is stale (other sources, other version); the
    /// reason is logged at `debug`. `Err`: the file exists but cannot be read or is not a valid
    /// cache file. Either way the caller parses the sources and may [`store_results`](Self::store_results).
    pub fn load_results(&self, expected: &[FileFingerprint]) -> Result<Option<ProfilerResults>, CacheError> {
        self.check_links()?;
        let path = self.dir.join(RESULTS_FILE);
        guard(&path, || {
            let Some(valid) = open_valid(&path, RESULTS_TABLE, &results_schema(), expected)? else {
                return Ok(None);
            };
            let extras: ResultsExtras = serde_json::from_str(&valid.extras)
                .map_err(|e| CacheError::invalid(&path, format!("footer extras: {e}")))?;
            let rows = valid.header.rows;
            let mut points = Vec::with_capacity(capacity(rows, valid.file_rows));
            for batch in valid.reader(&path)? {
                let batch = batch.map_err(|e| CacheError::arrow(&path, e))?;
                decode_results(&batch, &mut points).map_err(|e| CacheError::invalid(&path, e))?;
            }
            if points.len() as u64 != rows {
                return Err(CacheError::invalid(
                    &path,
                    format!("{} rows, the footer says {rows}", points.len()),
                ));
            }
            tracing::debug!(path = %path.display(), rows = points.len(), "loaded cached benchmark results");
            Ok(Some(ProfilerResults { source: extras.source, points, warnings: extras.warnings }))
        })
    }

    /// Stores `results`, built from the sources `fingerprints`, replacing any results cache
    /// atomically, then refreshes `cache_metadata.json`. Creates the directory if missing.
    ///
    /// A [`CacheError::is_not_writable`] error means the directory cannot be written at all.
    pub fn store_results(
        &self,
        fingerprints: &[FileFingerprint],
        results: &ProfilerResults,
    ) -> Result<(), CacheError> {
        self.check_links()?;
        let tmp = AtomicFile::create(&self.dir, RESULTS_FILE)?;
        let mut writer = TableWriter::new(&tmp, results_schema())?;
        let mut builder = ResultsBuilder::new();
        for chunk in results.points.chunks(BATCH_ROWS) {
            builder.extend(chunk);
            let batch = builder.finish().map_err(|e| CacheError::arrow(tmp.path(), e))?;
            writer.write(&batch)?;
        }
        let extras = ResultsExtras { source: results.source, warnings: results.warnings.clone() };
        writer.close(RESULTS_TABLE, fingerprints, &extras)?;
        tmp.commit()?;
        self.refresh_metadata_file();
        Ok(())
    }

    /// Loads the cached per-request records and the warnings their reading gave, if they were
    /// built from exactly the sources `expected` (in any order) by this cache schema version.
    /// `Ok(None)` and `Err` mean what they mean for [`load_results`](Self::load_results).
    pub fn load_requests(&self, expected: &[FileFingerprint]) -> Result<Option<CachedRequests>, CacheError> {
        let path = self.dir.join(REQUESTS_FILE);
        guard(&path, || {
            let Some(valid) = open_valid(&path, REQUESTS_TABLE, &requests_schema(), expected)? else {
                return Ok(None);
            };
            let extras: RequestsExtras = serde_json::from_str(&valid.extras)
                .map_err(|e| CacheError::invalid(&path, format!("footer extras: {e}")))?;
            let rows = valid.header.rows;
            let mut records = Vec::with_capacity(capacity(rows, valid.file_rows));
            for batch in valid.reader(&path)? {
                let batch = batch.map_err(|e| CacheError::arrow(&path, e))?;
                decode_requests(&batch, &mut records).map_err(|e| CacheError::invalid(&path, e))?;
            }
            if records.len() as u64 != rows {
                return Err(CacheError::invalid(
                    &path,
                    format!("{} rows, the footer says {rows}", records.len()),
                ));
            }
            Ok(Some((records, extras.warnings)))
        })
    }

    /// Stores per-request records and the warnings their reading gave, built from the sources
    /// `fingerprints`, replacing any requests cache atomically (as [`store_results`](Self::store_results)).
    pub fn store_requests(
        &self,
        fingerprints: &[FileFingerprint],
        records: &[RequestRecord],
        warnings: &[String],
    ) -> Result<(), CacheError> {
        let tmp = AtomicFile::create(&self.dir, REQUESTS_FILE)?;
        let mut writer = TableWriter::new(&tmp, requests_schema())?;
        let mut builder = RequestsBuilder::default();
        for chunk in records.chunks(BATCH_ROWS) {
            let batch = builder.batch(chunk).map_err(|e| CacheError::arrow(tmp.path(), e))?;
            writer.write(&batch)?;
        }
        writer.close(REQUESTS_TABLE, fingerprints, &RequestsExtras { warnings: warnings.to_vec() })?;
        tmp.commit()?;
        self.refresh_metadata_file();
        Ok(())
    }

    /// Loads the cached server time series (Tachometer) and the warnings their reading gave,
    /// if they were built from exactly the sources `expected` (in any order) by this cache
    /// schema version. `Ok(None)` and `Err` mean what they mean for
    /// [`load_results`](Self::load_results).
    pub fn load_server_metrics(
        &self,
        expected: &[FileFingerprint],
    ) -> Result<Option<CachedServerMetrics>, CacheError> {
        let path = self.dir.join(SERVER_METRICS_FILE);
        guard(&path, || {
            let Some(valid) = open_valid(&path, SERVER_METRICS_TABLE, &server_metrics_schema(), expected)?
            else {
                return Ok(None);
            };
            let extras: ServerMetricsExtras = serde_json::from_str(&valid.extras)
                .map_err(|e| CacheError::invalid(&path, format!("footer extras: {e}")))?;
            let rows = valid.header.rows;
            let mut metrics = ServerMetrics::default();
            for batch in valid.reader(&path)? {
                let batch = batch.map_err(|e| CacheError::arrow(&path, e))?;
                decode_server_metrics(&batch, &mut metrics).map_err(|e| CacheError::invalid(&path, e))?;
            }
            if metrics.points() as u64 != rows {
                return Err(CacheError::invalid(
                    &path,
                    format!("{} rows, the footer says {rows}", metrics.points()),
                ));
            }
            metrics.time_base = extras.time_base;
            metrics.sources = extras.sources;
            metrics.duplicate_rows = extras.duplicate_rows;
            metrics.skipped_rows = extras.skipped_rows;
            Ok(Some((metrics, extras.warnings)))
        })
    }

    /// Stores a run's server time series and the warnings their reading gave, built from the
    /// sources `fingerprints`, replacing any such cache atomically (as
    /// [`store_results`](Self::store_results)).
    pub fn store_server_metrics(
        &self,
        fingerprints: &[FileFingerprint],
        metrics: &ServerMetrics,
        warnings: &[String],
    ) -> Result<(), CacheError> {
        let tmp = AtomicFile::create(&self.dir, SERVER_METRICS_FILE)?;
        let mut writer = TableWriter::new(&tmp, server_metrics_schema())?;
        write_batches(
            metrics,
            BATCH_ROWS,
            |batch| writer.write(&batch),
            |e| CacheError::arrow(tmp.path(), e),
        )?;
        let extras = ServerMetricsExtras {
            time_base: metrics.time_base,
            sources: metrics.sources.clone(),
            duplicate_rows: metrics.duplicate_rows,
            skipped_rows: metrics.skipped_rows,
            warnings: warnings.to_vec(),
        };
        writer.close(SERVER_METRICS_TABLE, fingerprints, &extras)?;
        tmp.commit()?;
        self.refresh_metadata_file();
        Ok(())
    }

    /// Loads the cached node metrics if they were built from exactly the sources `expected`
    /// (in any order) by this cache schema version. `Ok(None)` and `Err` mean what they mean
    /// for [`load_results`](Self::load_results).
    pub fn load_nodes(&self, expected: &[FileFingerprint]) -> Result<Option<Vec<NodeMetrics>>, CacheError> {
        self.check_links()?;
        let path = self.dir.join(NODES_FILE);
        guard(&path, || {
            let Some(valid) = open_valid(&path, NODES_TABLE, &nodes_schema(), expected)? else {
                return Ok(None);
            };
            let extras: NodesExtras = serde_json::from_str(&valid.extras)
                .map_err(|e| CacheError::invalid(&path, format!("footer extras: {e}")))?;
            check_listed_rows(&path, &extras, valid.header.rows)?;
            let workers = extras
                .workers
                .into_iter()
                .map(|w| {
                    let (batch_rows, memory_rows) = (w.batch_rows, w.memory_rows);
                    (w.into_rowless_metrics(), batch_rows, memory_rows)
                })
                .collect();
            let mut assembler = NodeAssembler::new(workers, valid.file_rows);
            for batch in valid.reader(&path)? {
                let batch = batch.map_err(|e| CacheError::arrow(&path, e))?;
                decode_nodes(&batch, &mut assembler).map_err(|e| CacheError::invalid(&path, e))?;
            }
            let nodes = assembler.finish().map_err(|e| CacheError::invalid(&path, e))?;
            tracing::debug!(path = %path.display(), workers = nodes.len(), "loaded cached node metrics");
            Ok(Some(nodes))
        })
    }

    /// Loads, from the node part's footer alone, the workers without their rows (metadata,
    /// config, parse stats; no batch and no memory snapshot) and their derived summaries, if the
    /// part was built from exactly the sources `expected` by this cache schema version.
    ///
    /// This is what a caller that prints per-worker summaries needs; it reads the file's footer
    /// and no row, so it costs the same for a worker of ten batches and one of ten million. The
    /// rows' checksum is not verified (no row is used); [`load_nodes`](Self::load_nodes) verifies
    /// it. `Ok(None)` and `Err` mean what they mean for [`load_results`](Self::load_results).
    pub fn load_node_summaries(
        &self,
        expected: &[FileFingerprint],
    ) -> Result<Option<(Vec<NodeMetrics>, WorkersDerived)>, CacheError> {
        self.check_links()?;
        let path = self.dir.join(NODES_FILE);
        guard(&path, || {
            let file = match open_regular(&path, Links::Refuse) {
                Ok(file) => file.into_file(),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    tracing::debug!(path = %path.display(), "no cache file");
                    return Ok(None);
                }
                Err(e) => return Err(CacheError::read_io(&path, e)),
            };
            let metadata = ParquetMetaDataReader::new()
                .parse_and_finish(&file)
                .map_err(|e| CacheError::parquet(&path, e))?;
            let kv = metadata.file_metadata().key_value_metadata();
            let (header, extras) = match footer::check(&path, kv, NODES_TABLE, expected)? {
                Check::Valid(header, extras) => (header, extras),
                Check::Stale(reason) => {
                    tracing::debug!(path = %path.display(), "stale cache: {reason}");
                    return Ok(None);
                }
            };
            let extras: NodesExtras = serde_json::from_str(&extras)
                .map_err(|e| CacheError::invalid(&path, format!("footer extras: {e}")))?;
            check_listed_rows(&path, &extras, header.rows)?;
            if extras.derived.workers.len() != extras.workers.len() {
                return Err(CacheError::invalid(
                    &path,
                    format!(
                        "{} worker summaries for {} workers",
                        extras.derived.workers.len(),
                        extras.workers.len()
                    ),
                ));
            }
            let workers = extras.workers.into_iter().map(WorkerEntry::into_rowless_metrics).collect();
            tracing::debug!(path = %path.display(), "loaded cached worker summaries");
            Ok(Some((workers, extras.derived)))
        })
    }

    /// Stores `nodes`, built from the sources `fingerprints`, replacing any node cache
    /// atomically, then refreshes `cache_metadata.json`. Creates the directory if missing.
    /// Rows are written in bounded record batches and row groups, whatever the table's size.
    pub fn store_nodes(
        &self,
        fingerprints: &[FileFingerprint],
        nodes: &[NodeMetrics],
    ) -> Result<(), CacheError> {
        let refs: Vec<&NodeMetrics> = nodes.iter().collect();
        self.store_nodes_derived(fingerprints, nodes, &derive_workers(&refs))
    }

    /// [`RunCache::store_nodes`] with the footer's summaries given: `derived` must be
    /// [`derive_workers`] of `nodes` in this order. A loader that derives the run from the same
    /// workers anyway computes it once for both (a cold load that writes the cache used to run
    /// the derive pass over every batch twice).
    pub fn store_nodes_derived(
        &self,
        fingerprints: &[FileFingerprint],
        nodes: &[NodeMetrics],
        derived: &WorkersDerived,
    ) -> Result<(), CacheError> {
        self.check_links()?;
        let tmp = AtomicFile::create(&self.dir, NODES_FILE)?;
        let mut writer = TableWriter::new(&tmp, nodes_schema())?;
        let mut builder = NodeMetricsBuilder::new();
        for row in node_rows(nodes) {
            builder.append(&row);
            if builder.len() >= BATCH_ROWS {
                let batch = builder.finish().map_err(|e| CacheError::arrow(tmp.path(), e))?;
                writer.write(&batch)?;
            }
        }
        if builder.len() > 0 {
            let batch = builder.finish().map_err(|e| CacheError::arrow(tmp.path(), e))?;
            writer.write(&batch)?;
        }
        let workers = nodes
            .iter()
            .map(|n| WorkerEntry {
                metadata: n.metadata.clone(),
                batch_rows: n.batches.len() as u64,
                memory_rows: n.memory_snapshots.len() as u64,
                config: n.config.clone(),
                stats: n.stats.clone(),
            })
            .collect();
        writer.close(NODES_TABLE, fingerprints, &NodesExtras { workers, derived: derived.clone() })?;
        tmp.commit()?;
        self.refresh_metadata_file();
        Ok(())
    }

    /// Rewrites `cache_metadata.json` from the footers of the Parquet files now present. The
    /// file is informational, so failing to write it is only logged.
    fn refresh_metadata_file(&self) {
        let mut files = serde_json::Map::new();
        for name in [RESULTS_FILE, NODES_FILE, REQUESTS_FILE, SERVER_METRICS_FILE] {
            let path = self.dir.join(name);
            if path.symlink_metadata().is_ok() {
                let entry = guard(&path, || part_summary(&path))
                    .unwrap_or_else(|e| json!({ "error": e.to_string() }));
                files.insert(name.to_owned(), entry);
            }
        }
        let summary = json!({
            "about": "Summary of the srtlog cache in this directory, for people. srtlog never reads it: \
                      each Parquet file carries its own schema version and source fingerprints in its \
                      footer (keys srtlog.cache and srtlog.cache.extras).",
            "cache_schema_version": CACHE_SCHEMA_VERSION,
            "srtlog_version": env!("CARGO_PKG_VERSION"),
            "updated_at": now_iso(),
            "files": files,
        });
        let written = serde_json::to_vec_pretty(&summary)
            .map_err(|e| CacheError::invalid(self.dir.join(METADATA_FILE), e.to_string()))
            .and_then(|mut bytes| {
                bytes.push(b'\n');
                write_atomic(&self.dir, METADATA_FILE, &bytes).map_err(CacheError::from)
            });
        if let Err(e) = written {
            tracing::warn!("{e}");
        }
    }
}

/// The workers' row counts must add up to the footer's: a footer that lies about its rows is
/// damaged.
fn check_listed_rows(path: &Path, extras: &NodesExtras, rows: u64) -> Result<(), CacheError> {
    let listed =
        extras.workers.iter().fold(0u64, |n, w| n.saturating_add(w.batch_rows).saturating_add(w.memory_rows));
    if listed != rows {
        return Err(CacheError::invalid(
            path,
            format!("the workers list {listed} rows, the footer says {rows}"),
        ));
    }
    Ok(())
}

/// A cache file whose footer matched: what is needed to read its rows.
struct ValidFile {
    builder: ParquetRecordBatchReaderBuilder<Bytes>,
    header: Header,
    extras: String,
    file_rows: u64,
}

impl ValidFile {
    fn reader(
        self,
        path: &Path,
    ) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, CacheError> {
        self.builder.with_batch_size(BATCH_ROWS).build().map_err(|e| CacheError::parquet(path, e))
    }
}

/// Opens the cache file `path` and checks everything but the rows: footer keys, version,
/// table, fingerprints, Arrow schema, row count and data checksum. `Ok(None)` when the file is
/// missing or stale (logged at `debug`).
fn open_valid(
    path: &Path,
    table: &str,
    schema: &SchemaRef,
    expected: &[FileFingerprint],
) -> Result<Option<ValidFile>, CacheError> {
    // One read of the whole file: the checksum needs every data byte anyway, and decoding from
    // memory avoids the Parquet reader's many small re-reads (thousands of syscalls per run).
    let bytes = match open_regular(path, Links::Refuse).and_then(|f| f.read_all()) {
        Ok(bytes) => Bytes::from(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            tracing::debug!(path = %path.display(), "no cache file");
            return Ok(None);
        }
        Err(e) => return Err(CacheError::read_io(path, e)),
    };
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(bytes.clone()).map_err(|e| CacheError::parquet(path, e))?;
    let file_metadata = builder.metadata().file_metadata();
    let (header, extras) = match footer::check(path, file_metadata.key_value_metadata(), table, expected)? {
        Check::Valid(header, extras) => (header, extras),
        Check::Stale(reason) => {
            tracing::debug!(path = %path.display(), "stale cache: {reason}");
            return Ok(None);
        }
    };
    let file_rows = u64::try_from(file_metadata.num_rows()).unwrap_or(u64::MAX);
    if header.rows != file_rows {
        return Err(CacheError::invalid(
            path,
            format!("the footer says {} rows, the Parquet metadata {file_rows}", header.rows),
        ));
    }
    check_schema(path, builder.schema(), schema)?;
    check_layout(path, builder.metadata(), &header)?;
    check_data_crc(path, &bytes, &header)?;
    Ok(Some(ValidFile { builder, header, extras, file_rows }))
}

/// The file's columns must be exactly ours: names, types, nullability, order.
fn check_schema(path: &Path, found: &SchemaRef, expected: &SchemaRef) -> Result<(), CacheError> {
    let describe = |s: &SchemaRef| {
        s.fields()
            .iter()
            .map(|f| (f.name().clone(), f.data_type().clone(), f.is_nullable()))
            .collect::<Vec<_>>()
    };
    let (found, expected) = (describe(found), describe(expected));
    if found == expected {
        return Ok(());
    }
    let first = found.iter().zip(&expected).find(|(a, b)| a != b);
    let message = match first {
        Some((a, b)) => format!("column {a:?} where {b:?} was expected"),
        None => format!("{} columns where {} were expected", found.len(), expected.len()),
    };
    Err(CacheError::invalid(path, format!("foreign schema: {message}")))
}

/// The column chunks the Parquet metadata points to must tile the checksummed data part
/// exactly, in order, and the row groups must add up to the file's rows. This catches a
/// damaged Parquet footer (which the data checksum does not cover) before the decoder follows
/// its offsets: the decoder assumes them sane and may panic otherwise.
fn check_layout(path: &Path, metadata: &ParquetMetaData, header: &Header) -> Result<(), CacheError> {
    let bad = |what: String| Err(CacheError::invalid(path, format!("damaged Parquet metadata: {what}")));
    let mut next: i64 = 4; // after the leading `PAR1`
    let mut rows: i64 = 0;
    for (g, group) in metadata.row_groups().iter().enumerate() {
        rows = rows.saturating_add(group.num_rows());
        for (c, chunk) in group.columns().iter().enumerate() {
            let start = chunk.dictionary_page_offset().unwrap_or(chunk.data_page_offset());
            let len = chunk.compressed_size();
            if start != next || len < 0 || chunk.data_page_offset() < start {
                return bad(format!(
                    "row group {g}, column {c}: chunk at {start} (+{len}), expected at {next}"
                ));
            }
            next = start.saturating_add(len);
        }
    }
    if u64::try_from(next).ok() != Some(header.data_bytes) {
        return bad(format!("column chunks end at {next}, the data part at {}", header.data_bytes));
    }
    if rows != metadata.file_metadata().num_rows() {
        return bad(format!("row groups hold {rows} rows, the file {}", metadata.file_metadata().num_rows()));
    }
    Ok(())
}

/// Checks the CRC-32 of the file's data part against the footer.
fn check_data_crc(path: &Path, file: &[u8], header: &Header) -> Result<(), CacheError> {
    let data = usize::try_from(header.data_bytes).ok().and_then(|n| file.get(..n));
    match data {
        Some(data) if crc32fast::hash(data) == header.data_crc32 => Ok(()),
        _ => Err(CacheError::invalid(path, "data checksum mismatch (the file is damaged)")),
    }
}

/// A Parquet writer into a temporary file that checksums the data part as it goes.
struct TableWriter<'a> {
    path: &'a Path,
    writer: ArrowWriter<CrcWriter<&'a File>>,
    rows: u64,
}

impl<'a> TableWriter<'a> {
    fn new(tmp: &'a AtomicFile, schema: SchemaRef) -> Result<Self, CacheError> {
        let out = CrcWriter { inner: tmp.file(), hasher: crc32fast::Hasher::new(), bytes: 0 };
        let props = writer_properties(&schema);
        let writer =
            ArrowWriter::try_new(out, schema, Some(props)).map_err(|e| CacheError::parquet(tmp.path(), e))?;
        Ok(TableWriter { path: tmp.path(), writer, rows: 0 })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), CacheError> {
        self.writer.write(batch).map_err(|e| CacheError::parquet(self.path, e))?;
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Ends the last row group, records the header and extras in the footer and closes the file.
    fn close(
        mut self,
        table: &str,
        fingerprints: &[FileFingerprint],
        extras: &impl serde::Serialize,
    ) -> Result<(), CacheError> {
        // Every data byte must have reached the checksum before the footer is written.
        self.writer.flush().map_err(|e| CacheError::parquet(self.path, e))?;
        self.writer.sync().map_err(|e| CacheError::write_io(self.path, e))?;
        let out = self.writer.inner();
        let mut fingerprints = fingerprints.to_vec();
        fingerprints.sort();
        fingerprints.dedup();
        let header = Header {
            cache_schema_version: CACHE_SCHEMA_VERSION,
            srtlog_version: env!("CARGO_PKG_VERSION").to_owned(),
            table: table.to_owned(),
            created_at: now_iso(),
            rows: self.rows,
            data_bytes: out.bytes,
            data_crc32: out.hasher.clone().finalize(),
            extras_crc32: 0,
            fingerprints,
        };
        let extras =
            serde_json::to_string(extras).map_err(|e| CacheError::invalid(self.path, e.to_string()))?;
        let entries =
            footer::entries(header, extras).map_err(|e| CacheError::invalid(self.path, e.to_string()))?;
        for entry in entries {
            self.writer.append_key_value_metadata(entry);
        }
        self.writer.close().map_err(|e| CacheError::parquet(self.path, e))?;
        Ok(())
    }
}

/// Passes bytes through, keeping their count and CRC-32.
struct CrcWriter<W> {
    inner: W,
    hasher: crc32fast::Hasher,
    bytes: u64,
}

impl<W: Write> Write for CrcWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// One part's entry in `cache_metadata.json`, from its footer alone.
fn part_summary(path: &Path) -> Result<Value, CacheError> {
    let file = open_regular(path, Links::Refuse).map_err(|e| CacheError::read_io(path, e))?.into_file();
    let metadata =
        ParquetMetaDataReader::new().parse_and_finish(&file).map_err(|e| CacheError::parquet(path, e))?;
    let kv = metadata.file_metadata().key_value_metadata();
    let get = |key: &str| {
        kv.and_then(|kv| kv.iter().find(|e| e.key == key))
            .and_then(|e| e.value.as_deref())
            .ok_or_else(|| CacheError::invalid(path, format!("no footer key {key:?}")))
    };
    let parse = |key: &str| {
        get(key).and_then(|text| {
            serde_json::from_str::<Value>(text).map_err(|e| CacheError::invalid(path, format!("{key}: {e}")))
        })
    };
    let mut entry = parse(footer::HEADER_KEY)?;
    let extras = parse(footer::EXTRAS_KEY)?;
    if let Value::Object(map) = &mut entry {
        for key in ["data_bytes", "data_crc32", "extras_crc32"] {
            map.remove(key);
        }
        if let Some(source) = extras.get("source") {
            map.insert("source".into(), source.clone());
        }
        if let Some(warnings) = extras.get("warnings").and_then(Value::as_array) {
            map.insert("warnings".into(), json!(warnings.len()));
        }
        if let Some(workers) = extras.get("workers").and_then(Value::as_array) {
            let sum = |key: &str| {
                workers
                    .iter()
                    .filter_map(|w| w.get(key).and_then(Value::as_u64))
                    .fold(0u64, u64::saturating_add)
            };
            map.insert("workers".into(), json!(workers.len()));
            map.insert("batch_rows".into(), json!(sum("batch_rows")));
            map.insert("memory_rows".into(), json!(sum("memory_rows")));
        }
    }
    Ok(entry)
}

/// Runs a read of `path`, turning a panic inside the Parquet or Arrow decoder (which a
/// damaged file should never cause, but the file is untrusted input) into an error.
fn guard<T>(path: &Path, read: impl FnOnce() -> Result<T, CacheError>) -> Result<T, CacheError> {
    panic::catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(CacheError::invalid(path, format!("the Parquet reader failed: {message}")))
    })
}

/// What to reserve for `rows` rows announced by a footer, never more than the file has.
fn capacity(rows: u64, file_rows: u64) -> usize {
    usize::try_from(rows.min(file_rows)).unwrap_or(0)
}

/// The current time, ISO 8601 UTC to the microsecond.
fn now_iso() -> String {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    Timestamp { wall_micros: micros, utc_offset_secs: Some(0) }.to_string()
}
