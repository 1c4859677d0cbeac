//! The Tachometer scraper's time series (`../shared/FORMATS-2.md` §7): Parquet files and an
//! Arrow IPC stream into [`ServerMetrics`].
//!
//! **Which files** ([`select`], §7.1, upstream `tachometer_dashboard/reader.py`): a
//! `final.parquet` supersedes everything (the writer leaves an identical copy in `local/`;
//! only one is read, the data dir's own first). Without one, a run still in progress (or
//! killed) is the union of the latest `incomplete-N.parquet` (each compaction merges the
//! earlier ones), the `local/out-N.parquet` shards and `local/current.arrow` (an IPC
//! *stream* of the unflushed tail). These overlap — in the real files `incomplete-2` holds
//! `out-1` and `out-2` row for row, and `out-4` holds all of `current.arrow` — and a single
//! file repeats identical rows legitimately (node-exporter's per-CPU series, whose labels the
//! writer simplifies away, are several identical rows per scrape). So the union is a
//! **multiset union**: a row (endpoint, metric name, label columns, time, value) is kept as
//! many times as the file that holds it most often holds it ([`TachometerReader::new`] with
//! `deduplicate`); the rows left out are counted in [`ServerMetrics::duplicate_rows`].
//!
//! **Both writer schemas**: v1 `metric_value` Float32 and no `timestamp_ns`; v2 Float64 with
//! `timestamp_ns` (Int64 epoch ns); strings `Utf8` or `LargeUtf8`; `metric_name_clean` in
//! compacted files only (not read: the name is parsed from `metric_name`). Values are widened
//! to `f64`. Times are Unix seconds when every row read has a non-zero `timestamp_ns`, else
//! `time_since_start` for all rows ([`ServerTimeBase`]).
//!
//! **Names and labels** (§7.4): `metric_name` is `name{k="v",…}` (backend, frontend: quoted,
//! with `\"` `\\` `\n` escapes) or `name{k=v,…}` (node-exporter: unquoted); the metadata
//! columns give the worker (`worker_role`, `worker_index`, `worker_process`, `hostname`,
//! `gpu`, `frontend_index`; `""` = absent) and every other string column is a label when
//! not empty. DCGM rows have no hostname: the host is the node in `dcgm_<node>` (likewise
//! `node_exporter_<node>`). Histogram buckets keep their `le` as [`ServerSeries::le`]; the
//! writer's `histogram_bucket_lower` / `_upper` / `_sum` / `_count` are **not read**: its
//! grouping by the name before `{` copies them across label sets (in the real v2 file the
//! `clear_kv_blocks` buckets carry the `generate` series' sum and count, and lower = upper),
//! so the buckets are rebuilt from `le` and the cumulative counts
//! ([`ServerMetrics::histograms`]).
//!
//! **Projection**: only `scraper_endpoint`, `metric_name`, `metric_value`,
//! `time_since_start`, `timestamp_ns` and the label columns are decoded. With a metric subset
//! ([`ReadOptions::metrics`]), Parquet row groups whose `metric_name` statistics exclude every
//! wanted name are skipped (compacted files are sorted by name), and a row filter decodes
//! `metric_name` first so that the other columns are decoded only for wanted rows; IPC
//! batches are filtered as they arrive.
//!
//! Pure: the caller opens the files and hands over a [`ChunkReader`] or a [`Read`]; errors
//! name the file they are about.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Float32Array, Float64Array, Int64Array, LargeStringArray, RecordBatch,
    StringArray, StringViewArray,
};
use arrow_schema::{ArrowError, DataType, Schema};
use parquet::arrow::arrow_reader::{ArrowPredicateFn, ParquetRecordBatchReaderBuilder, RowFilter};
use parquet::arrow::ProjectionMask;
use parquet::file::reader::ChunkReader;
use srtlog_model::{parse_labels, ServerMetrics, ServerSeries, ServerTimeBase, ServerWorker};

/// A Tachometer file that could not be read, named.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct TachometerError {
    /// The file, as the caller named it.
    pub file: String,
    /// What is wrong with it.
    pub message: String,
}

fn err(file: &str, message: impl std::fmt::Display) -> TachometerError {
    TachometerError { file: file.to_owned(), message: message.to_string() }
}

/// The kinds of file the writer leaves in its data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    /// `final.parquet` (data dir or `local/`): everything, compacted.
    Final,
    /// `incomplete-N.parquet`: a periodic compaction of everything flushed so far.
    Incomplete(u64),
    /// `local/out-N.parquet`: a shard of flushed rows.
    Out(u64),
    /// `local/current.arrow`: the unflushed tail, an Arrow IPC stream.
    Current,
}

impl FileKind {
    /// The kind of the file at `path` (by its name), if it is one of the writer's.
    pub fn of(path: &str) -> Option<Self> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let numbered =
            |prefix: &str| name.strip_prefix(prefix)?.strip_suffix(".parquet")?.parse::<u64>().ok();
        match name {
            "final.parquet" => Some(Self::Final),
            "current.arrow" => Some(Self::Current),
            _ => numbered("incomplete-").map(Self::Incomplete).or_else(|| numbered("out-").map(Self::Out)),
        }
    }

    /// Whether the file is an Arrow IPC stream (else Parquet).
    pub fn is_ipc_stream(self) -> bool {
        self == Self::Current
    }
}

/// The files to read of `paths` (a data directory's files, any prefix), in reading order, by
/// the precedence rule of the module docs: one `final.parquet` (the one with the shortest
/// path: the data dir's own, not `local/`'s copy), else the latest `incomplete-N`, the
/// `out-N` shards in order and `current.arrow`.
pub fn select<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut found: Vec<(FileKind, &str)> =
        paths.into_iter().filter_map(|p| Some((FileKind::of(p)?, p))).collect();
    if let Some(&(_, fin)) =
        found.iter().filter(|(k, _)| *k == FileKind::Final).min_by_key(|(_, p)| (p.len(), *p))
    {
        return vec![fin];
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    let latest_incomplete =
        found.iter().filter(|(k, _)| matches!(k, FileKind::Incomplete(_))).map(|(k, _)| *k).max();
    found
        .into_iter()
        .filter(|(k, _)| !matches!(k, FileKind::Incomplete(_)) || Some(*k) == latest_incomplete)
        .map(|(_, p)| p)
        .collect()
}

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Only these metric names (the name before `{`); `None` reads every metric.
    pub metrics: Option<BTreeSet<String>>,
}

impl ReadOptions {
    fn wants(&self, metric_name: &str) -> bool {
        self.metrics.as_ref().is_none_or(|m| m.contains(base_name(metric_name)))
    }
}

/// The name before `{`.
fn base_name(metric_name: &str) -> &str {
    metric_name.split_once('{').map_or(metric_name, |(b, _)| b)
}

/// Columns that are not labels.
const DATA_COLUMNS: [&str; 9] = [
    "scraper_endpoint",
    "metric_name",
    "metric_value",
    "histogram_bucket_lower",
    "histogram_bucket_upper",
    "histogram_sum",
    "histogram_count",
    "time_since_start",
    "timestamp_ns",
];
/// Label columns that say who the worker is ([`ServerWorker`]), not labels of the series.
const IDENTITY_COLUMNS: [&str; 6] =
    ["frontend_index", "gpu", "hostname", "worker_index", "worker_process", "worker_role"];

/// One row of a file, staged until the file has been read whole (a damaged file adds nothing).
struct Row {
    series: usize,
    t_rel: f64,
    ts_ns: i64,
    value: f64,
}

/// A series' identity: worker, metric, labels, `le` bits.
type SeriesKey = (ServerWorker, String, Vec<(String, String)>, Option<u64>);
/// A row's identity for de-duplication: series, `time_since_start` bits, `timestamp_ns`, value bits.
type RowKey = (usize, u64, i64, u64);
/// Most copies of a row in one earlier file, copies in the current file, the current file's number.
type RowCount = (u32, u32, u32);

/// Reads Tachometer files one at a time into one [`ServerMetrics`].
#[derive(Default)]
pub struct TachometerReader {
    options: ReadOptions,
    deduplicate: bool,
    /// Raw identity (endpoint, name, label columns) → series index.
    raw_index: HashMap<String, usize>,
    /// Parsed identity → series index (two raw forms can name one series).
    series_index: HashMap<SeriesKey, usize>,
    series: Vec<ServerSeries>,
    /// Per series: (t_rel, ts_ns) of each point.
    times: Vec<Vec<(f64, i64)>>,
    /// For de-duplication: row → (most copies in one earlier file, copies in this file, file).
    row_counts: HashMap<RowKey, RowCount>,
    file_no: u32,
    sources: Vec<String>,
    duplicate_rows: u64,
    skipped_rows: u64,
}

impl TachometerReader {
    /// A reader of the files [`select`] chose; `deduplicate` for an in-progress set (more than
    /// one file), never for a lone file (whose repeated rows are data).
    pub fn new(options: ReadOptions, deduplicate: bool) -> Self {
        Self { options, deduplicate, ..Self::default() }
    }

    /// Reads a Parquet file (`name` names it in errors and in [`ServerMetrics::sources`]).
    pub fn read_parquet<R: ChunkReader + 'static>(
        &mut self,
        name: &str,
        reader: R,
    ) -> Result<(), TachometerError> {
        let builder = ParquetRecordBatchReaderBuilder::try_new(reader).map_err(|e| err(name, e))?;
        let schema = builder.schema().clone();
        let layout = Layout::of(&schema).map_err(|m| err(name, m))?;
        let mask = ProjectionMask::roots(builder.parquet_schema(), layout.projection.iter().copied());
        let mut builder = builder.with_projection(mask).with_batch_size(64 * 1024);
        if let Some(wanted) = self.options.metrics.clone() {
            let name_col = layout.metric_name;
            let groups: Vec<usize> = builder
                .metadata()
                .row_groups()
                .iter()
                .enumerate()
                .filter(|(_, rg)| {
                    let stats = rg.column(name_col).statistics();
                    match stats.and_then(|s| Some((s.min_bytes_opt()?, s.max_bytes_opt()?))) {
                        Some((min, max)) => wanted.iter().any(|b| {
                            // A name is `b` or `b{…}`: all sort below `b|` ('|' follows '{').
                            let upper = format!("{b}|");
                            b.as_bytes() <= max && min < upper.as_bytes()
                        }),
                        None => true,
                    }
                })
                .map(|(i, _)| i)
                .collect();
            builder = builder.with_row_groups(groups);
            let name_mask = ProjectionMask::roots(builder.parquet_schema(), [name_col]);
            let options = self.options.clone();
            let predicate = ArrowPredicateFn::new(name_mask, move |batch: RecordBatch| {
                let names = Strings::of(batch.column(0))
                    .ok_or_else(|| ArrowError::SchemaError("metric_name is not a string column".into()))?;
                Ok((0..batch.num_rows())
                    .map(|i| Some(names.is_valid(i) && options.wants(names.value(i))))
                    .collect::<BooleanArray>())
            });
            builder = builder.with_row_filter(RowFilter::new(vec![Box::new(predicate)]));
        }
        let reader = builder.build().map_err(|e| err(name, e))?;
        let mut rows = Vec::new();
        for batch in reader {
            let batch = batch.map_err(|e| err(name, e))?;
            self.stage(
                &batch,
                &layout.for_projected(&batch.schema()).map_err(|m| err(name, m))?,
                &mut rows,
                false,
            )
            .map_err(|m| err(name, m))?;
        }
        self.commit(name, rows);
        Ok(())
    }

    /// Reads an Arrow IPC stream (`local/current.arrow`).
    pub fn read_ipc_stream<R: Read>(&mut self, name: &str, reader: R) -> Result<(), TachometerError> {
        let probe = arrow_ipc::reader::StreamReader::try_new(reader, None).map_err(|e| err(name, e))?;
        let schema = probe.schema();
        let layout = Layout::of(&schema).map_err(|m| err(name, m))?;
        // The stream reader projects after decoding each batch; it still saves building the
        // unused columns' arrays twice. The metric filter applies per batch.
        let mut rows = Vec::new();
        for batch in probe {
            let batch = batch.map_err(|e| err(name, e))?;
            let batch = batch.project(&layout.projection).map_err(|e| err(name, e))?;
            self.stage(
                &batch,
                &layout.for_projected(&batch.schema()).map_err(|m| err(name, m))?,
                &mut rows,
                true,
            )
            .map_err(|m| err(name, m))?;
        }
        self.commit(name, rows);
        Ok(())
    }

    fn stage(
        &mut self,
        batch: &RecordBatch,
        l: &Layout,
        rows: &mut Vec<Row>,
        filter: bool,
    ) -> Result<(), String> {
        let col = |i: usize| batch.column(i);
        let endpoint = Strings::of(col(l.endpoint)).ok_or("scraper_endpoint is not a string column")?;
        let names = Strings::of(col(l.metric_name)).ok_or("metric_name is not a string column")?;
        let values = Values::of(col(l.metric_value)).ok_or("metric_value is neither Float32 nor Float64")?;
        let t_rel = col(l.time_since_start)
            .as_any()
            .downcast_ref::<Float64Array>()
            .ok_or("time_since_start is not Float64")?;
        let ts = match l.timestamp_ns {
            Some(i) => Some(col(i).as_any().downcast_ref::<Int64Array>().ok_or("timestamp_ns is not Int64")?),
            None => None,
        };
        let labels: Vec<(&str, Strings<'_>)> = l
            .labels
            .iter()
            .map(|(name, i)| {
                Strings::of(col(*i))
                    .map(|s| (name.as_str(), s))
                    .ok_or(format!("{name} is not a string column"))
            })
            .collect::<Result<_, _>>()?;
        let mut key = String::new();
        for i in 0..batch.num_rows() {
            if !endpoint.is_valid(i) || !names.is_valid(i) || !values.is_valid(i) || !t_rel.is_valid(i) {
                self.skipped_rows += 1;
                continue;
            }
            let metric_name = names.value(i);
            if filter && !self.options.wants(metric_name) {
                continue;
            }
            key.clear();
            key.push_str(endpoint.value(i));
            key.push('\u{0}');
            key.push_str(metric_name);
            for (_, s) in &labels {
                key.push('\u{0}');
                if s.is_valid(i) {
                    key.push_str(s.value(i));
                }
            }
            let series = match self.raw_index.get(key.as_str()) {
                Some(&s) => s,
                None => {
                    let label_values: Vec<(&str, &str)> = labels
                        .iter()
                        .map(|(n, s)| (*n, if s.is_valid(i) { s.value(i) } else { "" }))
                        .collect();
                    let s = self.intern(endpoint.value(i), metric_name, &label_values);
                    self.raw_index.insert(key.clone(), s);
                    s
                }
            };
            let ts_ns = ts.filter(|a| a.is_valid(i)).map_or(0, |a| a.value(i));
            rows.push(Row { series, t_rel: t_rel.value(i), ts_ns, value: values.value(i) });
        }
        Ok(())
    }

    fn intern(&mut self, endpoint: &str, metric_name: &str, columns: &[(&str, &str)]) -> usize {
        let (metric, mut labels) = parse_metric_name(metric_name);
        let get = |k: &str| columns.iter().find(|(n, _)| *n == k).map(|(_, v)| *v).filter(|v| !v.is_empty());
        let num = |k: &str| get(k).and_then(|v| v.parse::<u32>().ok());
        let node_of =
            |prefix: &str| endpoint.strip_prefix(prefix).filter(|n| !n.is_empty()).map(str::to_owned);
        let frontend = get("frontend_index").is_some() || endpoint.starts_with("frontend");
        let worker = ServerWorker {
            endpoint: endpoint.to_owned(),
            role: get("worker_role").map(str::to_owned).or_else(|| frontend.then(|| "frontend".to_owned())),
            index: num("worker_index").or_else(|| num("frontend_index")),
            process: num("worker_process"),
            host: get("hostname")
                .map(str::to_owned)
                .or_else(|| node_of("dcgm_"))
                .or_else(|| node_of("node_exporter_")),
            gpu: num("gpu"),
        };
        for (k, v) in columns {
            if !v.is_empty() && !IDENTITY_COLUMNS.contains(k) && !labels.iter().any(|(lk, _)| lk == k) {
                labels.push(((*k).to_owned(), (*v).to_owned()));
            }
        }
        let le =
            labels.iter().position(|(k, _)| k == "le").map(|p| labels.remove(p).1).and_then(|v| parse_le(&v));
        labels.sort();
        let key = (worker, metric, labels, le.map(f64::to_bits));
        if let Some(&s) = self.series_index.get(&key) {
            return s;
        }
        let (worker, metric, labels, _) = key.clone();
        self.series.push(ServerSeries { worker, metric, labels, le, t: Vec::new(), values: Vec::new() });
        self.times.push(Vec::new());
        self.series_index.insert(key, self.series.len() - 1);
        self.series.len() - 1
    }

    fn commit(&mut self, name: &str, rows: Vec<Row>) {
        self.file_no += 1;
        for row in rows {
            if self.deduplicate {
                let key = (row.series, row.t_rel.to_bits(), row.ts_ns, row.value.to_bits());
                let entry = self.row_counts.entry(key).or_insert((0, 0, self.file_no));
                if entry.2 != self.file_no {
                    // First copy in this file: the earlier files' most becomes the bar.
                    entry.0 = entry.0.max(entry.1);
                    entry.1 = 0;
                    entry.2 = self.file_no;
                }
                entry.1 += 1;
                if entry.1 <= entry.0 {
                    self.duplicate_rows += 1;
                    continue;
                }
            }
            if let (Some(t), Some(s)) = (self.times.get_mut(row.series), self.series.get_mut(row.series)) {
                t.push((row.t_rel, row.ts_ns));
                s.values.push(row.value);
            }
        }
        self.sources.push(name.to_owned());
    }

    /// The series read, sorted, each by time.
    pub fn finish(self) -> ServerMetrics {
        let unix =
            self.times.iter().flatten().all(|&(_, ts)| ts != 0) && self.times.iter().any(|t| !t.is_empty());
        let mut series: Vec<ServerSeries> = self
            .series
            .into_iter()
            .zip(self.times)
            .filter(|(_, t)| !t.is_empty())
            .map(|(mut s, times)| {
                let mut points: Vec<(f64, f64)> = times
                    .iter()
                    .zip(&s.values)
                    .map(|(&(rel, ts), &v)| (if unix { unix_seconds(ts) } else { rel }, v))
                    .collect();
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                (s.t, s.values) = points.into_iter().unzip();
                s
            })
            .collect();
        series.sort_by(|a, b| {
            (&a.worker, &a.metric, &a.labels)
                .cmp(&(&b.worker, &b.metric, &b.labels))
                .then(a.le.unwrap_or(f64::NEG_INFINITY).total_cmp(&b.le.unwrap_or(f64::NEG_INFINITY)))
        });
        ServerMetrics {
            time_base: if unix { ServerTimeBase::Unix } else { ServerTimeBase::SinceScraperStart },
            series,
            sources: self.sources,
            duplicate_rows: self.duplicate_rows,
            skipped_rows: self.skipped_rows,
        }
    }
}

/// Epoch ns as seconds: whole seconds and the fraction converted apart, so that a time on a
/// round fraction stays round (`…720.25`, not `…720.2499998` as `ns as f64 / 1e9` gives).
pub fn unix_seconds(ns: i64) -> f64 {
    ns.div_euclid(1_000_000_000) as f64 + ns.rem_euclid(1_000_000_000) as f64 / 1e9
}

/// Reads the files [`select`] chose from `paths`, opening each Parquet file with
/// `open_parquet` and the IPC stream with `open_ipc` (their errors are messages without the
/// path); a file that cannot be opened or read is returned, named, beside what the others gave.
pub fn read_files<'a, P, I>(
    paths: impl IntoIterator<Item = &'a str>,
    options: ReadOptions,
    mut open_parquet: impl FnMut(&'a str) -> Result<P, String>,
    mut open_ipc: impl FnMut(&'a str) -> Result<I, String>,
) -> (ServerMetrics, Vec<TachometerError>)
where
    P: ChunkReader + 'static,
    I: Read,
{
    let chosen = select(paths);
    let mut reader = TachometerReader::new(options, chosen.len() > 1);
    let mut errors = Vec::new();
    for path in chosen {
        let result = if FileKind::of(path).is_some_and(FileKind::is_ipc_stream) {
            open_ipc(path).map_err(|e| err(path, e)).and_then(|r| reader.read_ipc_stream(path, r))
        } else {
            open_parquet(path).map_err(|e| err(path, e)).and_then(|r| reader.read_parquet(path, r))
        };
        if let Err(e) = result {
            errors.push(e);
        }
    }
    (reader.finish(), errors)
}

/// Where the columns are.
struct Layout {
    projection: Vec<usize>,
    endpoint: usize,
    metric_name: usize,
    metric_value: usize,
    time_since_start: usize,
    timestamp_ns: Option<usize>,
    labels: Vec<(String, usize)>,
}

impl Layout {
    fn of(schema: &Schema) -> Result<Self, String> {
        let find =
            |n: &str| schema.index_of(n).map_err(|_| format!("no `{n}` column: not a Tachometer file"));
        let labels: Vec<(String, usize)> = schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                !DATA_COLUMNS.contains(&f.name().as_str())
                    && f.name() != "metric_name_clean"
                    && matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
            })
            .map(|(i, f)| (f.name().clone(), i))
            .collect();
        let mut layout = Self {
            projection: Vec::new(),
            endpoint: find("scraper_endpoint")?,
            metric_name: find("metric_name")?,
            metric_value: find("metric_value")?,
            time_since_start: find("time_since_start")?,
            timestamp_ns: schema.index_of("timestamp_ns").ok(),
            labels,
        };
        let mut projection =
            vec![layout.endpoint, layout.metric_name, layout.metric_value, layout.time_since_start];
        projection.extend(layout.timestamp_ns);
        projection.extend(layout.labels.iter().map(|(_, i)| *i));
        projection.sort_unstable();
        layout.projection = projection;
        Ok(layout)
    }

    /// The same columns, by position in a projected batch.
    fn for_projected(&self, schema: &Schema) -> Result<Self, String> {
        let mut l = Self::of(schema)?;
        l.projection = (0..schema.fields().len()).collect();
        Ok(l)
    }
}

/// A string column of any of Arrow's string types.
#[derive(Clone, Copy)]
enum Strings<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strings<'a> {
    fn of(a: &'a ArrayRef) -> Option<Self> {
        let any = a.as_any();
        any.downcast_ref::<StringArray>()
            .map(Self::Utf8)
            .or_else(|| any.downcast_ref::<LargeStringArray>().map(Self::Large))
            .or_else(|| any.downcast_ref::<StringViewArray>().map(Self::View))
    }
    fn is_valid(self, i: usize) -> bool {
        match self {
            Self::Utf8(a) => a.is_valid(i),
            Self::Large(a) => a.is_valid(i),
            Self::View(a) => a.is_valid(i),
        }
    }
    fn value(self, i: usize) -> &'a str {
        match self {
            Self::Utf8(a) => a.value(i),
            Self::Large(a) => a.value(i),
            Self::View(a) => a.value(i),
        }
    }
}

/// `metric_value`: Float32 (v1) or Float64 (v2).
enum Values<'a> {
    F32(&'a Float32Array),
    F64(&'a Float64Array),
}

impl<'a> Values<'a> {
    fn of(a: &'a ArrayRef) -> Option<Self> {
        let any = a.as_any();
        any.downcast_ref::<Float64Array>()
            .map(Self::F64)
            .or_else(|| any.downcast_ref::<Float32Array>().map(Self::F32))
    }
    fn is_valid(&self, i: usize) -> bool {
        match self {
            Self::F32(a) => a.is_valid(i),
            Self::F64(a) => a.is_valid(i),
        }
    }
    fn value(&self, i: usize) -> f64 {
        match self {
            Self::F32(a) => f64::from(a.value(i)),
            Self::F64(a) => a.value(i),
        }
    }
}

/// `le` as written (`+Inf`, `0.005`, `1e+06`).
fn parse_le(v: &str) -> Option<f64> {
    match v {
        "+Inf" | "Inf" | "inf" | "+inf" => Some(f64::INFINITY),
        _ => v.parse::<f64>().ok(),
    }
}

/// Splits `name{k="v",k2=v2}` into the name and its labels ([`parse_labels`]: quoted values
/// unescaped, unquoted ones taken to the next `,` or `}`). A name without `{` has no labels.
pub fn parse_metric_name(full: &str) -> (String, Vec<(String, String)>) {
    match full.split_once('{') {
        Some((name, rest)) => (name.to_owned(), parse_labels(rest)),
        None => (full.to_owned(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn metric_names_quoted_unquoted_escaped() {
        assert_eq!(parse_metric_name("go_threads"), ("go_threads".into(), vec![]));
        let (n, l) =
            parse_metric_name(r#"sglang:token_usage{engine_type="decode",model_name="a/b",tp_rank="0"}"#);
        assert_eq!(n, "sglang:token_usage");
        assert_eq!(l[1], ("model_name".into(), "a/b".into()));
        assert_eq!(l.len(), 3);
        let (n, l) = parse_metric_name("filesystem_avail_bytes{fstype=xfs,mount=root}");
        assert_eq!(n, "filesystem_avail_bytes");
        assert_eq!(l, vec![("fstype".into(), "xfs".into()), ("mount".into(), "root".into())]);
        let (_, l) = parse_metric_name(r#"x{a="q\"u,o}te",b="\\n"}"#);
        assert_eq!(l, vec![("a".into(), "q\"u,o}te".into()), ("b".into(), "\\n".into())]);
        let (_, l) = parse_metric_name(r#"x{le="+Inf"}"#);
        assert_eq!(parse_le(&l[0].1), Some(f64::INFINITY));
    }

    #[test]
    fn precedence() {
        let all =
            ["t/local/final.parquet", "t/final.parquet", "t/incomplete-2.parquet", "t/local/out-1.parquet"];
        assert_eq!(select(all), vec!["t/final.parquet"]);
        let prog = [
            "t/local/current.arrow",
            "t/incomplete-10.parquet",
            "t/incomplete-9.parquet",
            "t/local/out-10.parquet",
            "t/local/out-2.parquet",
            "t/notes.txt",
        ];
        assert_eq!(
            select(prog),
            vec![
                "t/incomplete-10.parquet",
                "t/local/out-2.parquet",
                "t/local/out-10.parquet",
                "t/local/current.arrow"
            ]
        );
        assert_eq!(select(["t/local/final.parquet"]), vec!["t/local/final.parquet"]);
    }
}
