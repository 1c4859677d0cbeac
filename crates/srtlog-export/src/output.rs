//! The output directory: claiming it (refusing what is not ours), clearing a previous dataset,
//! the marker file, and the Parquet files (written atomically by `srtlog_columnar::AtomicFile`).

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use serde_json::{json, Value};
use srtlog_columnar::{write_atomic, writer_properties, AtomicFile};

use crate::error::ExportError;
use crate::tables::Table;
use crate::{DatasetSummary, DATASET_SCHEMA_VERSION, MARKER_FILE, PARTITION_COLUMN};
use srtlog_columnar::columns::Columns;

/// The value of the marker's `format` key.
const FORMAT: &str = "srtlog-dataset";

/// Footer key-value metadata key of every Parquet file.
pub(crate) const FOOTER_KEY: &str = "srtlog.export";

/// Rows appended before a record batch is handed to the Parquet writer.
const CHUNK_ROWS: usize = 64 * 1024;

/// Whether `name` is a temporary file of ours for a target that `is_target` accepts.
fn is_temp(name: &str, is_target: impl Fn(&str) -> bool) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else { return false };
    let mut parts = inner.rsplitn(3, '.');
    let (Some(seq), Some(pid), Some(target)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(seq) && digits(pid) && is_target(target)
}

/// Whether `name` is a data file name this crate writes: `part-{n}.parquet`.
fn is_part_file(name: &str) -> bool {
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
        let writer = ArrowWriter::try_new(tmp.file(), table.schema(), Some(writer_properties()))
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

/// The marker: what makes a directory an srtlog dataset that a later export may replace.
pub(crate) fn write_marker(out_dir: &Path, summary: Option<&DatasetSummary>) -> Result<(), ExportError> {
    let tables: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
    let mut marker = json!({
        "format": FORMAT,
        "schema_version": DATASET_SCHEMA_VERSION,
        "srtlog_version": env!("CARGO_PKG_VERSION"),
        "complete": summary.is_some(),
        "partitioning": { "flavor": "hive", "columns": [PARTITION_COLUMN] },
        "tables": tables,
    });
    if let (Some(summary), Some(object)) = (summary, marker.as_object_mut()) {
        object.insert("files".to_owned(), json!(summary.files));
        let rows: serde_json::Map<String, Value> =
            Table::ALL.iter().map(|t| (t.name().to_owned(), json!(summary.rows.get(*t)))).collect();
        object.insert("rows".to_owned(), Value::Object(rows));
    }
    let mut text = serde_json::to_string_pretty(&marker).unwrap_or_default();
    text.push('\n');
    Ok(write_atomic(out_dir, MARKER_FILE, text.as_bytes())?)
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

/// Makes `out_dir` ready for a new dataset: creates it when missing; when it is a previous
/// srtlog dataset, removes that dataset's files. Refuses, before changing anything, a path
/// that is not a directory, a non-empty directory without the marker, and a dataset that
/// holds anything srtlog did not write. Leaves an incomplete marker in the directory, so that
/// an export interrupted from here on still leaves a directory the next export may replace.
pub(crate) fn prepare(out_dir: &Path) -> Result<(), ExportError> {
    match fs::metadata(out_dir) {
        Ok(meta) if !meta.is_dir() => return Err(ExportError::NotADirectory { path: out_dir.to_path_buf() }),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(out_dir).map_err(|e| ExportError::io(out_dir, e))?;
        }
        Err(e) => return Err(ExportError::io(out_dir, e)),
    }
    let entries = list(out_dir)?;
    let (files, dirs) =
        if entries.is_empty() { (Vec::new(), Vec::new()) } else { previous_dataset(out_dir, entries)? };
    write_marker(out_dir, None)?;
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
    Ok(())
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
                if !(file.file_type.is_file() && (is_part_file(name) || is_temp(name, is_part_file))) {
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
fn check_marker(path: &Path) -> Result<(), ExportError> {
    let invalid = |message: String| ExportError::InvalidMarker { path: path.to_path_buf(), message };
    let text = fs::read_to_string(path).map_err(|e| ExportError::io(path, e))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| invalid(format!("invalid JSON: {e}")))?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(invalid(format!("\"format\" is not {FORMAT:?}")));
    }
    if value.get("schema_version").and_then(Value::as_u64).is_none() {
        return Err(invalid("no numeric \"schema_version\"".to_owned()));
    }
    Ok(())
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
