//! The output directory: claiming it (refusing what is not ours, and what another export holds
//! locked), clearing a previous dataset, the marker file, and the Parquet files (written
//! atomically by `srtlog_columnar::AtomicFile`).

use std::fs::{self, File, TryLockError};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use serde_json::{json, Value};
use srtlog_columnar::files::{no_follow, refusal_of};
use srtlog_columnar::{open_regular, write_atomic, writer_properties, AtomicFile, Links};

use crate::error::ExportError;
use crate::partition::{is_manifest_file, is_staged, MANIFEST_DIR};
use crate::tables::Table;
use crate::{
    DatasetSummary, COMMIT_LOCK_FILE, DATASET_SCHEMA_VERSION, LOCK_FILE, MARKER_FILE, PARTITION_COLUMN,
};
use srtlog_columnar::columns::Columns;

/// The value of the marker's `format` key.
const FORMAT: &str = "srtlog-dataset";

/// Footer key-value metadata key of every Parquet file.
pub(crate) const FOOTER_KEY: &str = "srtlog.export";

/// Rows appended before a record batch is handed to the Parquet writer.
const CHUNK_ROWS: usize = 64 * 1024;

/// Whether `name` is a temporary file of ours for a target that `is_target` accepts.
pub(crate) fn is_temp(name: &str, is_target: impl Fn(&str) -> bool) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else { return false };
    let mut parts = inner.rsplitn(3, '.');
    let (Some(seq), Some(pid), Some(target)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(seq) && digits(pid) && is_target(target)
}

/// Whether `name` is a data file name this crate writes: `part-{n}.parquet`.
pub(crate) fn is_part_file(name: &str) -> bool {
    name.strip_prefix("part-")
        .and_then(|n| n.strip_suffix(".parquet"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Rows going into one Parquet file: appended to the builders of `C`, handed to the writer
/// every [`CHUNK_ROWS`] rows.
pub(crate) struct RowSink<'a, C: Columns> {
    columns: C,
    pending: usize,
    rows: u64,
    writer: ArrowWriter<&'a File>,
    table: Table,
    path: &'a Path,
}

impl<C: Columns> RowSink<'_, C> {
    /// Appends one row with `fill`, which must push exactly one value to every column.
    pub(crate) fn row(&mut self, fill: impl FnOnce(&mut C)) -> Result<(), ExportError> {
        fill(&mut self.columns);
        self.pending += 1;
        self.rows += 1;
        if self.pending >= CHUNK_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ExportError> {
        if self.pending == 0 {
            return Ok(());
        }
        let mut arrays = Vec::new();
        self.columns.finish(&mut arrays);
        self.pending = 0;
        let batch = RecordBatch::try_new(self.table.schema(), arrays)
            .map_err(|e| ExportError::arrow(self.path, e))?;
        self.writer.write(&batch).map_err(|e| ExportError::parquet(self.path, e))
    }
}

/// Writes the Parquet file `dir/name` of `table` atomically with the rows `fill` appends;
/// returns the number of rows. A file with no rows still has the table's schema.
pub(crate) fn write_table_file<C: Columns>(
    dir: &Path,
    name: &str,
    table: Table,
    job_id: &str,
    fill: impl FnOnce(&mut RowSink<'_, C>) -> Result<(), ExportError>,
) -> Result<u64, ExportError> {
    let tmp = AtomicFile::create(dir, name)?;
    let path = tmp.target().to_path_buf();
    let rows = {
        let writer =
            ArrowWriter::try_new(tmp.file(), table.schema(), Some(writer_properties(&table.schema())))
                .map_err(|e| ExportError::parquet(&path, e))?;
        let mut sink = RowSink { columns: C::default(), pending: 0, rows: 0, writer, table, path: &path };
        fill(&mut sink)?;
        sink.flush()?;
        let RowSink { rows, mut writer, .. } = sink;
        let footer = json!({
            "schema_version": DATASET_SCHEMA_VERSION,
            "table": table.name(),
            PARTITION_COLUMN: job_id,
            "rows": rows,
        });
        writer.append_key_value_metadata(KeyValue::new(FOOTER_KEY.to_owned(), footer.to_string()));
        writer.close().map_err(|e| ExportError::parquet(&path, e))?;
        rows
    };
    tmp.commit()?;
    Ok(rows)
}

/// A sharded build's record in the marker: the shard count and the shards not finished yet.
pub(crate) type ShardProgress = (u32, Vec<u32>);

/// What the marker says beyond its fixed keys.
#[derive(Debug, Clone, Default)]
pub(crate) struct MarkerState {
    /// Every partition is whole and no sharded build is unfinished.
    pub complete: bool,
    /// Files and rows; `None` on the marker an export writes before its first change.
    pub summary: Option<DatasetSummary>,
    /// Partitions (job ids) with a manifest.
    pub partitions: Option<usize>,
    /// A sharded build: the shard count and the shards that have not finished yet.
    pub shards: Option<ShardProgress>,
    /// What wrote the marker last (`export`, `export --shard 1/4`, `export --refresh`).
    pub written_by: Option<String>,
}

/// The marker: what makes a directory an srtlog dataset that a later export may replace.
pub(crate) fn write_marker(out_dir: &Path, state: &MarkerState) -> Result<(), ExportError> {
    let tables: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
    let mut marker = json!({
        "format": FORMAT,
        "schema_version": DATASET_SCHEMA_VERSION,
        "srtlog_version": env!("CARGO_PKG_VERSION"),
        "complete": state.complete,
        "partitioning": { "flavor": "hive", "columns": [PARTITION_COLUMN] },
        "tables": tables,
    });
    if let Some(object) = marker.as_object_mut() {
        if let Some(summary) = &state.summary {
            object.insert("files".to_owned(), json!(summary.files));
            let rows: serde_json::Map<String, Value> =
                Table::ALL.iter().map(|t| (t.name().to_owned(), json!(summary.rows.get(*t)))).collect();
            object.insert("rows".to_owned(), Value::Object(rows));
        }
        if let Some(partitions) = state.partitions {
            object.insert("partitions".to_owned(), json!(partitions));
        }
        if let Some((count, pending)) = &state.shards {
            object.insert("shards".to_owned(), json!({ "count": count, "pending": pending }));
        }
        if let Some(by) = &state.written_by {
            object.insert("written_by".to_owned(), json!(by));
        }
    }
    let mut text = serde_json::to_string_pretty(&marker).unwrap_or_default();
    text.push('\n');
    Ok(write_atomic(out_dir, MARKER_FILE, text.as_bytes())?)
}

/// The marker's `complete` and `shards` (count, pending), when it has them.
pub(crate) fn read_marker_state(out_dir: &Path) -> Result<(bool, Option<ShardProgress>), ExportError> {
    let value = check_marker(&out_dir.join(MARKER_FILE))?;
    let complete = value.get("complete").and_then(Value::as_bool).unwrap_or(false);
    let shards = value.get("shards").and_then(|s| {
        let count = u32::try_from(s.get("count")?.as_u64()?).ok()?;
        let pending = s
            .get("pending")?
            .as_array()?
            .iter()
            .filter_map(|v| v.as_u64().and_then(|v| u32::try_from(v).ok()))
            .collect();
        Some((count, pending))
    });
    Ok((complete, shards))
}

/// One entry of a directory listing.
struct Entry {
    path: PathBuf,
    /// The name, when it is UTF-8.
    name: Option<String>,
    file_type: fs::FileType,
}

fn list(dir: &Path) -> Result<Vec<Entry>, ExportError> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| ExportError::io(dir, e))? {
        let entry = entry.map_err(|e| ExportError::io(dir, e))?;
        let path = entry.path();
        // `DirEntry::file_type` does not follow symbolic links: a link is neither file nor dir.
        let file_type = entry.file_type().map_err(|e| ExportError::io(&path, e))?;
        out.push(Entry { name: entry.file_name().into_string().ok(), path, file_type });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// A lock on a dataset directory ([`LOCK_FILE`] or [`COMMIT_LOCK_FILE`]); released on drop, or
/// by the operating system when the process dies.
#[derive(Debug)]
pub(crate) struct DatasetLock {
    _file: File,
}

/// How an export holds [`LOCK_FILE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LockMode {
    /// A full export, which replaces the directory: alone.
    Exclusive,
    /// A shard or refresh, which changes only the partitions it writes: beside other shards and
    /// refreshes, never beside a full export.
    Shared,
}

fn open_lock_file(out_dir: &Path, name: &str) -> Result<File, ExportError> {
    let path = out_dir.join(name);
    let mut options = File::options();
    no_follow(options.read(true).write(true).create(true).truncate(false));
    options.open(&path).map_err(|e| ExportError::io(&path, refusal_of(e)))
}

/// Takes the lock of `out_dir` in `mode`, or fails at once with [`ExportError::Busy`] when an
/// export holds it in a mode that excludes this one. The lock file is never followed through a
/// link.
fn lock(out_dir: &Path, mode: LockMode) -> Result<DatasetLock, ExportError> {
    let path = out_dir.join(LOCK_FILE);
    let mut file = open_lock_file(out_dir, LOCK_FILE)?;
    let taken = match mode {
        LockMode::Exclusive => file.try_lock(),
        LockMode::Shared => file.try_lock_shared(),
    };
    match taken {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            let holder = text.trim().parse().ok();
            return Err(ExportError::Busy { path: out_dir.to_path_buf(), holder });
        }
        Err(TryLockError::Error(e)) => return Err(ExportError::io(&path, e)),
    }
    if mode == LockMode::Exclusive {
        // Who holds it, for the message of an export that finds it taken. (Shared holders are
        // many, and what a full export needs to know is only that it must wait.)
        let pid = std::process::id().to_string();
        file.set_len(0)
            .and_then(|()| (&file).write_all(pid.as_bytes()))
            .map_err(|e| ExportError::io(&path, e))?;
    }
    Ok(DatasetLock { _file: file })
}

/// Takes the commit lock of `out_dir` ([`COMMIT_LOCK_FILE`]), waiting for it: it is held only
/// for a partition's renames and manifest, a removal, or the marker's update (milliseconds).
pub(crate) fn commit_lock(out_dir: &Path) -> Result<DatasetLock, ExportError> {
    let file = open_lock_file(out_dir, COMMIT_LOCK_FILE)?;
    file.lock().map_err(|e| ExportError::io(out_dir.join(COMMIT_LOCK_FILE), e))?;
    Ok(DatasetLock { _file: file })
}

/// Checks `out_dir` (a symbolic link, or not a directory: refused) and creates it when missing.
fn check_dir(out_dir: &Path) -> Result<(), ExportError> {
    match fs::symlink_metadata(out_dir) {
        Ok(meta) if meta.file_type().is_symlink() => {
            Err(ExportError::Symlink { path: out_dir.to_path_buf() })
        }
        Ok(meta) if !meta.is_dir() => Err(ExportError::NotADirectory { path: out_dir.to_path_buf() }),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(out_dir).map_err(|e| ExportError::io(out_dir, e))
        }
        Err(e) => Err(ExportError::io(out_dir, e)),
    }
}

/// Runs `check` before the lock is taken, where no export has run yet, so that a refused
/// directory is left exactly as it was (not even a lock file added). A refusal is final only
/// while the lock file is still absent: once another export has created it, the refusal may be
/// that export's work in progress (its marker or partitions under temporary names), and the
/// same check under the lock is the one that counts. `prepare` and `open_for_update` share it.
fn check_before_locking(
    out_dir: &Path,
    check: impl FnOnce() -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let lock_path = out_dir.join(LOCK_FILE);
    if fs::symlink_metadata(&lock_path).is_err() {
        if let Err(refusal) = check() {
            if fs::symlink_metadata(&lock_path).is_err() {
                return Err(refusal);
            }
        }
    }
    Ok(())
}

/// Opens `out_dir` for a shard or a refresh: creates it when missing; accepts an empty
/// directory (then writes the incomplete marker) or an srtlog dataset (a valid marker); refuses
/// a link, a file, any other non-empty directory and one a full export holds. Returns the
/// shared lock, held to the end of the update.
pub(crate) fn open_for_update(out_dir: &Path) -> Result<DatasetLock, ExportError> {
    check_dir(out_dir)?;
    let is_ours = |e: &Entry| {
        e.file_type.is_file() && matches!(e.name.as_deref(), Some(LOCK_FILE) | Some(COMMIT_LOCK_FILE))
    };
    let unlocked_check = || -> Result<(), ExportError> {
        let entries: Vec<Entry> = list(out_dir)?.into_iter().filter(|e| !is_ours(e)).collect();
        if entries.is_empty() {
            return Ok(());
        }
        if !entries.iter().any(|e| e.name.as_deref() == Some(MARKER_FILE)) {
            return Err(ExportError::NotADataset { path: out_dir.to_path_buf() });
        }
        check_marker(&out_dir.join(MARKER_FILE)).map(|_| ())
    };
    check_before_locking(out_dir, unlocked_check)?;
    let lock = lock(out_dir, LockMode::Shared)?;
    let _commit = commit_lock(out_dir)?;
    unlocked_check()?;
    if fs::symlink_metadata(out_dir.join(MARKER_FILE)).is_err() {
        write_marker(out_dir, &MarkerState::default())?;
    }
    Ok(lock)
}

/// Makes `out_dir` ready for a new dataset and returns the lock the export holds until its
/// last write: creates the directory when missing; when it is a previous srtlog dataset,
/// removes that dataset's files. Refuses, before changing anything, a path that is a symbolic
/// link or not a directory, a non-empty directory without the marker, a dataset that holds
/// anything srtlog did not write, and a directory another export holds. Leaves an incomplete
/// marker in the directory, so that an export interrupted from here on still leaves a
/// directory the next export may replace.
pub(crate) fn prepare(out_dir: &Path) -> Result<DatasetLock, ExportError> {
    check_dir(out_dir)?;
    check_before_locking(out_dir, || replaceable(out_dir).map(|_| ()))?;
    let lock = lock(out_dir, LockMode::Exclusive)?;
    let (files, dirs) = replaceable(out_dir)?;
    write_marker(out_dir, &MarkerState::default())?;
    for file in files {
        match fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(ExportError::io(&file, e)),
        }
    }
    // Partition directories come before their table directory.
    for dir in dirs {
        fs::remove_dir(&dir).map_err(|e| ExportError::io(&dir, e))?;
    }
    Ok(lock)
}

/// What replacing the dataset in `out_dir` removes (files, then directories innermost first),
/// or the refusal. An empty directory, or one holding only the lock file, has nothing to remove.
fn replaceable(out_dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), ExportError> {
    let entries: Vec<Entry> = list(out_dir)?
        .into_iter()
        .filter(|e| {
            !(matches!(e.name.as_deref(), Some(LOCK_FILE) | Some(COMMIT_LOCK_FILE)) && e.file_type.is_file())
        })
        .collect();
    if entries.is_empty() {
        Ok((Vec::new(), Vec::new()))
    } else {
        previous_dataset(out_dir, entries)
    }
}

/// Checks that the non-empty `out_dir` is an srtlog dataset holding nothing but what srtlog
/// writes; returns the files to remove and the directories to remove, innermost first.
fn previous_dataset(
    out_dir: &Path,
    entries: Vec<Entry>,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), ExportError> {
    let marker = out_dir.join(MARKER_FILE);
    let Some(marker_entry) = entries.iter().find(|e| e.name.as_deref() == Some(MARKER_FILE)) else {
        return Err(ExportError::NotADataset { path: out_dir.to_path_buf() });
    };
    if !marker_entry.file_type.is_file() {
        return Err(ExportError::InvalidMarker { path: marker, message: "not a regular file".to_owned() });
    }
    check_marker(&marker)?;

    let foreign =
        |path: &Path| ExportError::ForeignEntry { dataset: out_dir.to_path_buf(), path: path.to_path_buf() };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in entries {
        let name = entry.name.as_deref().unwrap_or_default();
        if name == MARKER_FILE {
            continue;
        }
        if entry.file_type.is_file() && is_temp(name, |t| t == MARKER_FILE) {
            files.push(entry.path);
            continue;
        }
        if entry.file_type.is_dir() && name == MANIFEST_DIR {
            for file in list(&entry.path)? {
                let name = file.name.as_deref().unwrap_or_default();
                if !(file.file_type.is_file() && (is_manifest_file(name) || is_temp(name, is_manifest_file)))
                {
                    return Err(foreign(&file.path));
                }
                files.push(file.path);
            }
            dirs.push(entry.path);
            continue;
        }
        if !(entry.file_type.is_dir() && Table::from_name(name).is_some()) {
            return Err(foreign(&entry.path));
        }
        for partition in list(&entry.path)? {
            let is_partition = partition.file_type.is_dir()
                && partition.name.as_deref().is_some_and(|n| n.starts_with(&format!("{PARTITION_COLUMN}=")));
            if !is_partition {
                return Err(foreign(&partition.path));
            }
            for file in list(&partition.path)? {
                let name = file.name.as_deref().unwrap_or_default();
                let ours = is_part_file(name)
                    || is_temp(name, is_part_file)
                    || is_staged(name)
                    || is_temp(name, is_staged);
                if !(file.file_type.is_file() && ours) {
                    return Err(foreign(&file.path));
                }
                files.push(file.path);
            }
            dirs.push(partition.path);
        }
        dirs.push(entry.path);
    }
    Ok((files, dirs))
}

/// Reads the marker: a JSON object with `"format": "srtlog-dataset"` and a numeric
/// `schema_version` (any version: an older or newer srtlog dataset is replaced all the same).
fn check_marker(path: &Path) -> Result<Value, ExportError> {
    let invalid = |message: String| ExportError::InvalidMarker { path: path.to_path_buf(), message };
    let bytes =
        open_regular(path, Links::Refuse).and_then(|f| f.read_all()).map_err(|e| ExportError::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8: {e}")))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| invalid(format!("invalid JSON: {e}")))?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(invalid(format!("\"format\" is not {FORMAT:?}")));
    }
    if value.get("schema_version").and_then(Value::as_u64).is_none() {
        return Err(invalid("no numeric \"schema_version\"".to_owned()));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_its_own_file_names() {
        assert!(is_part_file("part-0.parquet"));
        assert!(is_part_file("part-12.parquet"));
        for name in
            ["part-.parquet", "part-x.parquet", "part-0.parquet.bak", "data.parquet", "Part-0.parquet"]
        {
            assert!(!is_part_file(name), "{name}");
        }
        assert!(is_temp(".part-0.parquet.123.4.tmp", is_part_file));
        assert!(is_temp("._srtlog_dataset.json.1.0.tmp", |t| t == MARKER_FILE));
        for name in
            [".part-0.parquet.tmp", ".notes.1.2.tmp", "part-0.parquet.1.2.tmp", ".part-0.parquet.a.2.tmp"]
        {
            assert!(!is_temp(name, is_part_file), "{name}");
        }
    }

    #[test]
    fn a_dropped_temp_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = AtomicFile::create(dir.path(), "part-0.parquet").unwrap();
        let name = tmp.path().file_name().unwrap().to_str().unwrap().to_owned();
        assert!(is_temp(&name, is_part_file), "{name}");
        drop(tmp);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
