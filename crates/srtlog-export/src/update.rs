//! Updating a dataset in place: many shards and refreshes writing into one directory at once,
//! each changing only the partitions it writes ([`DatasetUpdate`]), and the plan of a refresh
//! (which runs to load, which partitions to rewrite or remove: [`plan_partitions`]).
//!
//! # Locks
//!
//! - [`LOCK_FILE`](crate::LOCK_FILE): a full export ([`write_dataset`](crate::write_dataset))
//!   holds it exclusively for its whole run, because it replaces the directory; an update holds
//!   it *shared* for its whole run. So shards and refreshes run side by side, a full export runs
//!   alone, and whichever comes second fails at once with [`ExportError::Busy`].
//! - [`COMMIT_LOCK_FILE`](crate::COMMIT_LOCK_FILE): exclusive, waited for, and held only around
//!   a partition's commit (renames and manifest), a partition's removal and the marker's update.
//!   Staging (the Parquet encoding, where the time goes) is done outside it.
//!
//! Two updates that write the same partition (a refresh and a shard both covering a job id)
//! each stage their own files and commit one after the other: the partition is the last
//! commit's, whole. A removal (prune) is done only when the partition's manifest is still the one
//! the plan was made from, so a partition another writer has just rewritten is not removed.
//!
//! # The marker after updates
//!
//! [`DatasetUpdate::finish`] recomputes the marker under the commit lock from what is on disk:
//! `rows` and `files` are the sums over the manifests (so they count every partition, whoever
//! wrote it), `partitions` their number, and `complete` is true when every partition directory
//! of every table has a manifest naming every table (no partition half-written, none left by a
//! killed writer) and no sharded build is unfinished. A sharded build is tracked as
//! `"shards": {"count": n, "pending": [...]}`: a shard that writes into a directory whose marker
//! is not complete (a new directory, or one whose last export did not finish) starts or continues
//! the list of shards still to finish; the dataset is complete once it is empty. A shard writing
//! into a complete dataset refreshes its part and leaves it complete; so does an update without
//! a shard, and one without a shard and without run filters (it covered every run) empties the
//! list.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use srtlog_model::Shard;

use crate::error::ExportError;
use crate::output::{
    commit_lock, open_for_update, read_marker_state, write_marker, DatasetLock, MarkerState,
};
use crate::partition::{self, DatasetIndex, PartitionManifest, PartitionRun};
use crate::tables::Table;
use crate::{DatasetSummary, PARTITION_COLUMN};

/// An update of a dataset directory in progress: holds the shared lock until dropped or
/// [`finish`](DatasetUpdate::finish)ed.
#[derive(Debug)]
pub struct DatasetUpdate {
    out_dir: PathBuf,
    index: DatasetIndex,
    written: usize,
    removed: usize,
    _lock: DatasetLock,
}

/// What an update covered, for the marker's record of a sharded build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateScope {
    /// The shard written, when the update was one.
    pub shard: Option<Shard>,
    /// Every run under the root was considered (no shard, no run filter).
    pub covers_all: bool,
}

/// The dataset as the marker describes it after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatasetStatus {
    /// The marker's `complete`.
    pub complete: bool,
    /// Partitions (job ids) with a manifest.
    pub partitions: usize,
    /// Files and rows over every partition.
    pub summary: DatasetSummary,
    /// Partition directories (`runs/job_id=…`) without a complete manifest: half-written, being
    /// written by another export now, or left by a killed one.
    pub incomplete_partitions: Vec<String>,
    /// Shards of an unfinished sharded build that have not finished yet.
    pub pending_shards: Vec<u32>,
    /// Partitions written by this update.
    pub written: usize,
    /// Partitions removed by this update.
    pub removed: usize,
}

impl DatasetUpdate {
    /// Opens `out_dir` for an update (creating it when missing) and reads its manifests.
    ///
    /// # Errors
    ///
    /// [`ExportError::Symlink`], [`ExportError::NotADirectory`], [`ExportError::NotADataset`]
    /// (a non-empty directory without the marker) or [`ExportError::InvalidMarker`], before
    /// anything is changed; [`ExportError::Busy`] when a full export is writing it;
    /// [`ExportError::Io`].
    pub fn open(out_dir: &Path) -> Result<Self, ExportError> {
        let lock = open_for_update(out_dir)?;
        let index = DatasetIndex::read(out_dir)?;
        Ok(DatasetUpdate { out_dir: out_dir.to_path_buf(), index, written: 0, removed: 0, _lock: lock })
    }

    /// The manifests as they were when the update was opened.
    pub fn index(&self) -> &DatasetIndex {
        &self.index
    }

    /// Writes (or rewrites) the partition of `job_id` with `runs`, all or nothing (see
    /// the crate docs, "Partitions"); returns its manifest.
    ///
    /// # Errors
    ///
    /// [`ExportError::Io`], [`ExportError::Parquet`] or [`ExportError::Arrow`], naming the
    /// file; the partition is then as it was.
    pub fn write_partition(
        &mut self,
        job_id: &str,
        runs: &[PartitionRun<'_>],
    ) -> Result<PartitionManifest, ExportError> {
        let staged = partition::stage(&self.out_dir, job_id, runs)?;
        let _commit = commit_lock(&self.out_dir)?;
        let manifest = staged.commit(&self.out_dir)?;
        self.written += 1;
        Ok(manifest)
    }

    /// Removes the partition of `job_id` when its manifest is still `expected` (what the plan
    /// saw); returns whether it was removed.
    ///
    /// # Errors
    ///
    /// [`ExportError::Io`], naming the file.
    pub fn remove_partition(
        &mut self,
        job_id: &str,
        expected: Option<&PartitionManifest>,
    ) -> Result<bool, ExportError> {
        let _commit = commit_lock(&self.out_dir)?;
        let now = partition::read_manifest(&partition::manifest_path(&self.out_dir, job_id)).ok().flatten();
        if now.as_ref() != expected {
            return Ok(false);
        }
        partition::remove(&self.out_dir, job_id)?;
        self.removed += 1;
        Ok(true)
    }

    /// Recomputes and writes the marker (see the module docs) and releases the dataset.
    ///
    /// # Errors
    ///
    /// [`ExportError::Io`] or [`ExportError::InvalidMarker`], naming the file.
    pub fn finish(self, scope: UpdateScope, written_by: &str) -> Result<DatasetStatus, ExportError> {
        let _commit = commit_lock(&self.out_dir)?;
        let (was_complete, shards) = read_marker_state(&self.out_dir)?;
        let mut status = dataset_status(&self.out_dir)?;
        let shards = match scope.shard {
            _ if scope.covers_all => shards.map(|(count, _)| (count, Vec::new())),
            Some(shard) => {
                let pending = match shards {
                    Some((count, pending)) if count == shard.count() => pending,
                    _ if was_complete => Vec::new(),
                    _ => (0..shard.count()).collect(),
                };
                Some((shard.count(), pending.into_iter().filter(|&i| i != shard.index()).collect()))
            }
            None => shards,
        };
        status.pending_shards = shards.as_ref().map(|(_, p)| p.clone()).unwrap_or_default();
        status.complete = status.incomplete_partitions.is_empty() && status.pending_shards.is_empty();
        status.written = self.written;
        status.removed = self.removed;
        write_marker(
            &self.out_dir,
            &MarkerState {
                complete: status.complete,
                summary: Some(status.summary),
                partitions: Some(status.partitions),
                shards,
                written_by: Some(written_by.to_owned()),
            },
        )?;
        Ok(status)
    }
}

/// The dataset's partitions as on disk: sums over the manifests, and the partition
/// directories without a complete manifest.
pub(crate) fn dataset_status(out_dir: &Path) -> Result<DatasetStatus, ExportError> {
    let index = DatasetIndex::read(out_dir)?;
    let mut summary = DatasetSummary::default();
    let mut whole = BTreeSet::new();
    for manifest in index.partitions().values() {
        let rows = manifest.table_rows();
        for table in Table::ALL {
            summary.rows.add(table, rows.get(table));
        }
        summary.files += manifest.runs.len() * Table::ALL.len();
        if manifest.has_every_table() {
            whole.insert(crate::partition_dir(&manifest.job_id));
        }
    }
    let mut incomplete = BTreeSet::new();
    for table in Table::ALL {
        let dir = out_dir.join(table.name());
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(ExportError::io(&dir, e)),
        };
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else { continue };
            if name.starts_with(&format!("{PARTITION_COLUMN}=")) && !whole.contains(&name) {
                incomplete.insert(format!("{}/{name}", table.name()));
            }
        }
    }
    // A manifest whose partition lacks a table directory (removed by hand) is not whole either.
    for manifest in index.partitions().values() {
        let partition = crate::partition_dir(&manifest.job_id);
        for table in Table::ALL {
            if !out_dir.join(table.name()).join(&partition).is_dir() {
                incomplete.insert(format!("{}/{partition}", table.name()));
            }
        }
    }
    Ok(DatasetStatus {
        complete: incomplete.is_empty(),
        partitions: index.partitions().len(),
        summary,
        incomplete_partitions: incomplete.into_iter().collect(),
        pending_shards: Vec::new(),
        written: 0,
        removed: 0,
    })
}

/// A run found under the export's root, with its source digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundRun {
    /// The run directory, spelled as `runs.path` will be.
    pub path: String,
    /// Its [`source_digest`](crate::source_digest).
    pub digest: String,
}

/// The runs of the first load: every found run that the dataset does not record with its
/// current digest (new or changed), or every found run when `refresh` is false.
pub fn changed_runs<'a>(index: &DatasetIndex, found: &'a [FoundRun], refresh: bool) -> Vec<&'a FoundRun> {
    let recorded = index.runs();
    found
        .iter()
        .filter(|f| {
            !refresh || recorded.get(f.path.as_str()).is_none_or(|(_, d)| *d != Some(f.digest.as_str()))
        })
        .collect()
}

/// What a refresh (or shard) rewrites, loads a second time and removes, once its changed runs
/// are loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartitionPlan {
    /// Job ids whose partition is written anew (with every run of that job id loaded).
    pub rewrite: BTreeSet<String>,
    /// Recorded, unchanged runs of those partitions, to load so that each is written whole.
    pub siblings: Vec<String>,
    /// Recorded runs (owned by the shard, under the root) whose directory is gone.
    pub vanished: Vec<String>,
}

/// Which recorded runs may be pruned: those under `root` (a run of another root is never
/// vanished) and, with a shard, of the jobs it owns.
#[derive(Debug, Clone, Copy)]
pub struct PruneScope<'a> {
    /// The export's root, as given (runs' paths start with it).
    pub root: &'a Path,
    /// The shard written, if any.
    pub shard: Option<Shard>,
    /// Whether vanished runs are removed (`--prune`) or only reported.
    pub prune: bool,
}

/// Plans the partitions of an update. `loaded` are (path, job id) of the runs the first load
/// returned; `skipped` the paths it skipped (no longer runs); `found` every run found under the
/// root. A partition is rewritten when a loaded run belongs to it, when it records a run that
/// was loaded into another partition or is now skipped, or (with `prune`) when it records a
/// vanished run; every other partition is left untouched.
pub fn plan_partitions(
    index: &DatasetIndex,
    loaded: &[(&str, &str)],
    skipped: &[&str],
    found: &[FoundRun],
    scope: PruneScope<'_>,
) -> PartitionPlan {
    let recorded = index.runs();
    let found: BTreeSet<&str> = found.iter().map(|f| f.path.as_str()).collect();
    let mut plan = PartitionPlan::default();
    for (path, job_id) in loaded {
        plan.rewrite.insert((*job_id).to_owned());
        if let Some((old, _)) = recorded.get(path) {
            plan.rewrite.insert((*old).to_owned());
        }
    }
    for path in skipped {
        if let Some((old, _)) = recorded.get(path) {
            plan.rewrite.insert((*old).to_owned());
        }
    }
    for (path, (job_id, _)) in &recorded {
        let owned = scope.shard.is_none_or(|s| s.owns(job_id));
        if !found.contains(path) && owned && Path::new(path).starts_with(scope.root) {
            plan.vanished.push((*path).to_owned());
            if scope.prune {
                plan.rewrite.insert((*job_id).to_owned());
            }
        }
    }
    let loaded_paths: BTreeSet<&str> =
        loaded.iter().map(|(p, _)| *p).chain(skipped.iter().copied()).collect();
    for job_id in &plan.rewrite {
        if let Some(manifest) = index.get(job_id) {
            plan.siblings.extend(
                manifest
                    .runs
                    .iter()
                    .map(|r| r.path.as_str())
                    .filter(|p| found.contains(p) && !loaded_paths.contains(p))
                    .map(str::to_owned),
            );
        }
    }
    plan.siblings.sort();
    plan.siblings.dedup();
    plan
}

/// Groups runs by job id, for [`DatasetUpdate::write_partition`].
pub fn by_job_id<'a>(
    runs: impl IntoIterator<Item = PartitionRun<'a>>,
) -> BTreeMap<&'a str, Vec<PartitionRun<'a>>> {
    let mut out: BTreeMap<&str, Vec<PartitionRun<'_>>> = BTreeMap::new();
    for r in runs {
        out.entry(r.run.metadata.job_id.as_str()).or_default().push(r);
    }
    out
}

/// What [`update_dataset`] is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct UpdateOptions<'a> {
    /// Write only this shard's jobs (the loader's filter keeps them; the plan prunes only them).
    pub shard: Option<Shard>,
    /// Load only the runs not recorded with their current digest (`--refresh`); otherwise every
    /// found run is loaded and its partition rewritten.
    pub refresh: bool,
    /// Remove vanished runs (`--prune`) instead of only reporting them.
    pub prune: bool,
    /// The root the runs were found under.
    pub root: &'a Path,
    /// No run filter and no shard: the update considered every run.
    pub covers_all: bool,
    /// The marker's `written_by`.
    pub written_by: &'a str,
}

/// Which load [`update_dataset`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadPass {
    /// The new or changed runs, with the run filters and the shard.
    Changed,
    /// The other runs of partitions being rewritten, unfiltered (a partition is written whole).
    Siblings,
}

/// What a load returned: the runs, and the paths of the directories that are not runs.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The runs loaded.
    pub runs: Vec<srtlog_model::BenchmarkRun>,
    /// Paths of the run directories skipped (no or unreadable metadata).
    pub skipped: Vec<String>,
}

/// What [`update_dataset`] did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UpdateOutcome {
    /// The dataset after the update, as the marker says.
    pub status: DatasetStatus,
    /// The plan that was carried out.
    pub plan: PartitionPlan,
    /// Runs loaded (changed ones and siblings).
    pub loaded: usize,
    /// Manifests that could not be read (their runs were exported again), with why.
    pub invalid_manifests: Vec<(PathBuf, String)>,
}

/// One update of the dataset in `out_dir` (`export --shard` / `--refresh`): opens it, loads
/// through `load` the runs of `found` that the plan needs, writes their partitions, removes the
/// emptied ones and updates the marker (see the module docs). `found` are the runs under the
/// root with their digests; `load` is the loader, called once per [`LoadPass`] with the paths
/// to read (never with an empty list).
///
/// # Errors
///
/// As [`DatasetUpdate::open`], [`DatasetUpdate::write_partition`] and
/// [`DatasetUpdate::finish`]. Partitions committed before an error stay (each is whole).
pub fn update_dataset(
    out_dir: &Path,
    found: &[FoundRun],
    options: UpdateOptions<'_>,
    mut load: impl FnMut(LoadPass, &[&str]) -> Loaded,
) -> Result<UpdateOutcome, ExportError> {
    let mut update = DatasetUpdate::open(out_dir)?;
    let invalid_manifests = update.index().invalid.clone();
    let changed: Vec<&str> =
        changed_runs(update.index(), found, options.refresh).into_iter().map(|f| f.path.as_str()).collect();
    let first = if changed.is_empty() { Loaded::default() } else { load(LoadPass::Changed, &changed) };
    let loaded: Vec<(&str, &str)> =
        first.runs.iter().map(|r| (r.metadata.path.as_str(), r.metadata.job_id.as_str())).collect();
    let skipped: Vec<&str> = first.skipped.iter().map(String::as_str).collect();
    let scope = PruneScope { root: options.root, shard: options.shard, prune: options.prune };
    let plan = plan_partitions(update.index(), &loaded, &skipped, found, scope);
    let siblings: Vec<&str> = plan.siblings.iter().map(String::as_str).collect();
    let second = if siblings.is_empty() { Loaded::default() } else { load(LoadPass::Siblings, &siblings) };
    let digests: BTreeMap<&str, &str> = found.iter().map(|f| (f.path.as_str(), f.digest.as_str())).collect();
    let runs = first
        .runs
        .iter()
        .chain(&second.runs)
        .map(|run| PartitionRun { run, source_digest: digests.get(run.metadata.path.as_str()).copied() });
    let mut groups = by_job_id(runs);
    for job_id in &plan.rewrite {
        match groups.remove(job_id.as_str()) {
            Some(runs) => {
                update.write_partition(job_id, &runs)?;
            }
            None => {
                let expected = update.index().get(job_id).cloned();
                update.remove_partition(job_id, expected.as_ref())?;
            }
        }
    }
    let status = update
        .finish(UpdateScope { shard: options.shard, covers_all: options.covers_all }, options.written_by)?;
    Ok(UpdateOutcome { status, plan, loaded: first.runs.len() + second.runs.len(), invalid_manifests })
}
