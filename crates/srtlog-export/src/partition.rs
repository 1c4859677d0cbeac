//! One job id's partition as a unit: its files in every table written all or nothing, and its
//! manifest (`_srtlog_partitions/job_id=<id>.json`), which records what the partition was built
//! from and is the partition's commit record.
//!
//! A partition is written in two steps:
//!
//! 1. **Stage** (no lock): every table's file of every run of the job id is written atomically
//!    under a hidden staging name beside its target (`.part-0.parquet.{pid}.{seq}.staged`,
//!    which no `*.parquet` glob, Spark, pyarrow or DuckDB reads). A failure removes what was
//!    staged and leaves the dataset as it was.
//! 2. **Commit** (under the dataset's commit lock, for an update): remove the manifest, rename
//!    every staged file over its `part-N.parquet`, remove `part-N.parquet` files beyond the
//!    partition's runs (a job id that had a rerun and lost it), write the new manifest.
//!
//! So a partition has a manifest exactly when all its files are of one build: one killed
//! between the steps leaves a partition without a manifest, which the marker reports as not
//! complete and the next refresh rewrites (its runs are not recorded, so they count as changed).
//! Readers that do not look at manifests (Spark, DuckDB) see every file whole, old or new; during
//! the renames of one commit (microseconds) they may see some tables of the partition new and
//! others still old.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use srtlog_columnar::{open_regular, rename_durably, write_atomic, Links, STALE_TEMP_AGE};
use srtlog_model::BenchmarkRun;

use crate::error::ExportError;
use crate::output::{is_part_file, is_temp};
use crate::tables::Table;
use crate::{partition_dir, write_run_table, TableRows, DATASET_SCHEMA_VERSION};

/// The directory of partition manifests, at the dataset's root (hidden from readers by its `_`).
pub const MANIFEST_DIR: &str = "_srtlog_partitions";

/// The value of a manifest's `format` key.
const MANIFEST_FORMAT: &str = "srtlog-partition";

/// One run of a partition, as its manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestRun {
    /// The run directory (`runs.path`, as the export was given it).
    pub path: String,
    /// Its file name in every table (`part-0.parquet`).
    pub file: String,
    /// What its rows were built from ([`source_digest`](crate::source_digest)); null when the
    /// writer did not say (a library caller of [`write_dataset`](crate::write_dataset)), which a
    /// refresh treats as changed.
    pub source_digest: Option<String>,
}

/// What one partition holds and was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionManifest {
    /// Always `srtlog-partition`.
    pub format: String,
    /// The dataset schema version of its files.
    pub schema_version: u32,
    /// The srtlog version that wrote it.
    pub srtlog_version: String,
    /// The job id (the partition value, unescaped).
    pub job_id: String,
    /// Its runs, in file order (by path).
    pub runs: Vec<ManifestRun>,
    /// Rows per table name, over its runs.
    pub rows: BTreeMap<String, u64>,
}

impl PartitionManifest {
    /// The partition's rows as [`TableRows`]; tables the manifest does not name count 0.
    pub fn table_rows(&self) -> TableRows {
        let mut rows = TableRows::default();
        for (name, n) in &self.rows {
            if let Some(table) = Table::from_name(name) {
                rows.add(table, *n);
            }
        }
        rows
    }

    /// Whether the manifest names every table of this srtlog (one written by an older srtlog
    /// may lack a table added since: its partition has no file there).
    pub fn has_every_table(&self) -> bool {
        Table::ALL.iter().all(|t| self.rows.contains_key(t.name()))
    }
}

/// The manifest file of a job id's partition.
pub(crate) fn manifest_path(out_dir: &Path, job_id: &str) -> PathBuf {
    out_dir.join(MANIFEST_DIR).join(format!("{}.json", partition_dir(job_id)))
}

/// Reads a manifest; `Ok(None)` when there is none, `Err` with a message when it is unusable.
pub(crate) fn read_manifest(path: &Path) -> Result<Option<PartitionManifest>, String> {
    let bytes = match open_regular(path, Links::Refuse).and_then(|f| f.read_all()) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let manifest: PartitionManifest =
        serde_json::from_slice(&bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(format!("\"format\" is not {MANIFEST_FORMAT:?}"));
    }
    Ok(Some(manifest))
}

/// Whether `name` is a manifest file name (`job_id=….json`).
pub(crate) fn is_manifest_file(name: &str) -> bool {
    name.starts_with(&format!("{}=", crate::PARTITION_COLUMN)) && name.ends_with(".json")
}

/// Whether `name` is a staged file of ours: `.part-{n}.parquet.{pid}.{seq}.staged`.
pub(crate) fn is_staged(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".staged")) else { return false };
    let mut parts = inner.rsplitn(3, '.');
    let (Some(seq), Some(pid), Some(target)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(seq) && digits(pid) && is_part_file(target)
}

static STAGE_SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// A partition's files, written under staging names, not yet visible as `part-N.parquet`.
/// Dropped without [`Staged::commit`], it removes them.
pub(crate) struct Staged {
    /// (staged file, its final path), every table of every run.
    files: Vec<(PathBuf, PathBuf)>,
    /// The partition directory in every table.
    dirs: Vec<PathBuf>,
    manifest: PartitionManifest,
    committed: bool,
}

/// One run of a partition to write, with what it was built from.
#[derive(Debug, Clone, Copy)]
pub struct PartitionRun<'a> {
    /// The run.
    pub run: &'a BenchmarkRun,
    /// Its [`source_digest`](crate::source_digest), when the caller computed it.
    pub source_digest: Option<&'a str>,
}

/// Stages the partition of `job_id` with `runs` (all of that job id; written in path order, as
/// `part-0.parquet`, `part-1.parquet`, … in every table).
pub(crate) fn stage(out_dir: &Path, job_id: &str, runs: &[PartitionRun<'_>]) -> Result<Staged, ExportError> {
    let mut runs: Vec<PartitionRun<'_>> = runs.to_vec();
    runs.sort_by(|a, b| a.run.metadata.path.cmp(&b.run.metadata.path));
    let partition = partition_dir(job_id);
    let dirs: Vec<PathBuf> = Table::ALL.iter().map(|t| out_dir.join(t.name()).join(&partition)).collect();
    let mut staged = Staged {
        files: Vec::new(),
        dirs: dirs.clone(),
        manifest: PartitionManifest {
            format: MANIFEST_FORMAT.to_owned(),
            schema_version: DATASET_SCHEMA_VERSION,
            srtlog_version: env!("CARGO_PKG_VERSION").to_owned(),
            job_id: job_id.to_owned(),
            runs: Vec::new(),
            rows: Table::ALL.iter().map(|t| (t.name().to_owned(), 0)).collect(),
        },
        committed: false,
    };
    let pid = std::process::id();
    for (k, r) in runs.iter().enumerate() {
        let file = format!("part-{k}.parquet");
        for (table, dir) in Table::ALL.iter().zip(&dirs) {
            let seq = STAGE_SEQUENCE.fetch_add(1, Ordering::Relaxed);
            let name = format!(".{file}.{pid}.{seq}.staged");
            let path = dir.join(&name);
            // Recorded before the write, so that a failure after its rename still removes it.
            staged.files.push((path, dir.join(&file)));
            let rows = write_run_table(*table, r.run, dir, &name)?;
            *staged.manifest.rows.entry(table.name().to_owned()).or_insert(0) += rows;
        }
        staged.manifest.runs.push(ManifestRun {
            path: r.run.metadata.path.clone(),
            file,
            source_digest: r.source_digest.map(str::to_owned),
        });
    }
    Ok(staged)
}

impl Staged {
    /// Publishes the staged partition (see the module docs); the caller holds whatever lock
    /// keeps other writers' commits out. Returns the manifest written.
    pub(crate) fn commit(mut self, out_dir: &Path) -> Result<PartitionManifest, ExportError> {
        let manifest_file = manifest_path(out_dir, &self.manifest.job_id);
        remove_file_if_present(&manifest_file)?;
        for (staged, target) in &self.files {
            rename_durably(staged, target)?;
        }
        self.committed = true;
        let runs = self.manifest.runs.len();
        for dir in &self.dirs {
            remove_leftovers(dir, runs)?;
        }
        let mut text = serde_json::to_string_pretty(&self.manifest).unwrap_or_default();
        text.push('\n');
        let manifest_dir = out_dir.join(MANIFEST_DIR);
        write_atomic(
            &manifest_dir,
            &format!("{}.json", partition_dir(&self.manifest.job_id)),
            text.as_bytes(),
        )?;
        Ok(self.manifest.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            for (staged, _) in &self.files {
                let _ = fs::remove_file(staged);
            }
        }
    }
}

fn remove_file_if_present(path: &Path) -> Result<(), ExportError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ExportError::io(path, e)),
    }
}

/// Removes, in one partition directory, `part-N.parquet` with `N >= runs` and staged or
/// temporary files of writers that died (untouched for [`STALE_TEMP_AGE`]).
fn remove_leftovers(dir: &Path, runs: usize) -> Result<(), ExportError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ExportError::io(dir, e)),
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else { continue };
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let beyond = is_part_file(&name)
            && name
                .strip_prefix("part-")
                .and_then(|n| n.strip_suffix(".parquet"))
                .and_then(|n| n.parse::<usize>().ok())
                .is_some_and(|n| n >= runs);
        let stale = (is_staged(&name) || is_temp(&name, is_staged))
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age >= STALE_TEMP_AGE);
        if beyond || stale {
            remove_file_if_present(&entry.path())?;
        }
    }
    Ok(())
}

/// Removes the partition of `job_id` from every table and its manifest (manifest first: a
/// removal cut short leaves a partition without a manifest, never a manifest without files).
/// Staged files of other writers are left; an emptied partition directory is removed.
pub(crate) fn remove(out_dir: &Path, job_id: &str) -> Result<(), ExportError> {
    remove_file_if_present(&manifest_path(out_dir, job_id))?;
    let partition = partition_dir(job_id);
    for table in Table::ALL {
        let dir = out_dir.join(table.name()).join(&partition);
        remove_leftovers(&dir, 0)?;
        // Fails when another writer's staged files are still in it: then it stays.
        let _ = fs::remove_dir(&dir);
    }
    Ok(())
}

/// The manifests of a dataset, by job id, and the manifest files that could not be read.
#[derive(Debug, Clone, Default)]
pub struct DatasetIndex {
    partitions: BTreeMap<String, PartitionManifest>,
    /// Manifest files that could not be used, with why (their partitions count as unrecorded).
    pub invalid: Vec<(PathBuf, String)>,
}

impl DatasetIndex {
    /// Reads every manifest of the dataset in `out_dir` (none when it has no manifest directory).
    pub(crate) fn read(out_dir: &Path) -> Result<Self, ExportError> {
        let dir = out_dir.join(MANIFEST_DIR);
        let mut index = DatasetIndex::default();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(index),
            Err(e) => return Err(ExportError::io(&dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| ExportError::io(&dir, e))?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
            if !is_manifest_file(&name) {
                continue;
            }
            match read_manifest(&path) {
                Ok(Some(m)) if name == format!("{}.json", partition_dir(&m.job_id)) => {
                    index.partitions.insert(m.job_id.clone(), m);
                }
                Ok(Some(_)) => index.invalid.push((path, "its job_id is not its file name's".to_owned())),
                Ok(None) => {}
                Err(message) => index.invalid.push((path, message)),
            }
        }
        index.invalid.sort();
        Ok(index)
    }

    /// The manifests, by job id.
    pub fn partitions(&self) -> &BTreeMap<String, PartitionManifest> {
        &self.partitions
    }

    /// The manifest of `job_id`'s partition.
    pub fn get(&self, job_id: &str) -> Option<&PartitionManifest> {
        self.partitions.get(job_id)
    }

    /// Every recorded run: its path → (job id, source digest).
    pub fn runs(&self) -> BTreeMap<&str, (&str, Option<&str>)> {
        self.partitions
            .values()
            .flat_map(|m| {
                m.runs.iter().map(|r| (r.path.as_str(), (m.job_id.as_str(), r.source_digest.as_deref())))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_staged_and_manifest_names() {
        assert!(is_staged(".part-0.parquet.12.3.staged"));
        assert!(is_temp("..part-0.parquet.12.3.staged.12.4.tmp", is_staged));
        for name in [
            ".part-0.parquet.staged",
            "part-0.parquet.1.2.staged",
            ".x.1.2.staged",
            ".part-0.parquet.a.2.staged",
        ] {
            assert!(!is_staged(name), "{name}");
        }
        assert!(is_manifest_file("job_id=4401463.json"));
        assert!(!is_manifest_file("notes.json") && !is_manifest_file("job_id=1.txt"));
    }
}
