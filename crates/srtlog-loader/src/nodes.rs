//! [`NodeAnalyzer`]: a run's worker logs → [`NodeInfo`]s.
//!
//! It finds the worker files (`{node}_{role}_w{N}.out|.err` in `logs/workers/` (2.x), `logs/`,
//! or at the run root in legacy runs, where a `.out` and an `.err` are one worker; see
//! [`WORKER_DIRS`]) in the run's listing, tells the backend by asking every
//! registered node parser (so a new backend needs no change here), parses the files in
//! parallel — one rayon task per file — and reads each worker's configuration fresh from the
//! sweep log, config dumps, `config.yaml` and, when the sweep log does not name its command,
//! the first 256 KiB of its logs (configuration is never cached, and is read the same way
//! whether the metrics came from the cache or not).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use srtlog_columnar::{open_regular, Links};
use srtlog_model::{
    join_path, node_parsers, NodeConfig, NodeInfo, NodeLaunchCommand, NodeMetadata, NodeMetrics, NodeParser,
    ParseOptions, RunFiles, RunMetadata, StringMap, UndatedDay, WorkerLogData,
};
use srtlog_parsers_node::{classify_worker_file, parse_sweep_log, LogStream};

use crate::listing::relative_to;
use crate::metadata::RunConfig;

/// Where worker logs and their config dumps are looked for, in this order: the 2.x layout's
/// `logs/workers/`, then `logs/`, then the run root (legacy). A worker is read from the first
/// directory that has any of its files; copies of its files in a later one are ignored.
pub const WORKER_DIRS: [&str; 3] = ["logs/workers", "logs", ""];

/// Bytes of a worker log sniffed to tell its backend.
const SNIFF_BYTES: u64 = 64 << 10;
/// Bytes of a worker log read for its launch command and environment when the sweep log does
/// not have them. Legacy runs trace the environment and command at the very top of the `.err`
/// (bash xtrace runs before the server starts); TensorRT-LLM's launcher prints its
/// `rank0 run ...` line first. Kept small because it is read on every load, cached or not.
const CONFIG_HEAD_BYTES: u64 = 256 << 10;

/// The log files of one worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerFiles {
    /// Which worker.
    pub metadata: NodeMetadata,
    /// Its files, `.out` before `.err`.
    pub files: Vec<PathBuf>,
}

impl WorkerFiles {
    /// Its files relative to the run directory, as the run's listing names them.
    pub fn listed_paths(&self, files: &RunFiles) -> Vec<String> {
        self.files
            .iter()
            .map(|p| relative_to(files.root(), p).unwrap_or_else(|| p.to_string_lossy().into_owned()))
            .collect()
    }
}

/// A launch command from the sweep log, with the worker it started when the log says.
struct SweepEntry {
    worker: Option<NodeMetadata>,
    command: NodeLaunchCommand,
    environment: StringMap,
}

/// Turns a run's worker logs into [`NodeInfo`]s.
pub struct NodeAnalyzer<'a> {
    files: &'a RunFiles,
    metadata: &'a RunMetadata,
    config: Option<&'a RunConfig>,
    options: ParseOptions,
}

impl<'a> NodeAnalyzer<'a> {
    /// An analyzer for one run, given its listing.
    pub fn new(
        files: &'a RunFiles,
        metadata: &'a RunMetadata,
        config: Option<&'a RunConfig>,
        options: ParseOptions,
    ) -> Self {
        NodeAnalyzer { files, metadata, config, options }
    }

    /// The run's worker files (from its listing), grouped by worker, in (node, role, id) order.
    pub fn find_worker_files(&self) -> Vec<WorkerFiles> {
        // Each worker's files, with the directory they were found in.
        type Found<'d> = (&'d str, Vec<(LogStream, PathBuf)>);
        let mut workers: BTreeMap<NodeMetadata, Found<'_>> = BTreeMap::new();
        for dir in WORKER_DIRS {
            for entry in self.files.children(dir).filter(|e| e.is_file()) {
                let Some(file) = classify_worker_file(entry.name()) else { continue };
                let (found_in, files) = workers.entry(file.metadata).or_insert((dir, Vec::new()));
                if *found_in == dir {
                    files.push((file.stream, self.files.full_path(&entry.path)));
                } else {
                    tracing::info!("{}: ignored, this worker's logs are in {found_in}/", entry.path);
                }
            }
        }
        workers
            .into_iter()
            .map(|(metadata, (_, mut files))| {
                files.sort();
                WorkerFiles { metadata, files: files.into_iter().map(|(_, p)| p).collect() }
            })
            .collect()
    }

    /// Entries of the worker directories that are named like worker logs but are not in the
    /// listing as files: dangling symbolic links, or entries that cannot be stat'ed or are not
    /// regular files. Relative paths, sorted. Reads the directories (not the listing) and is
    /// called only when workers are missing, to say why.
    pub fn unlisted_worker_files(&self) -> Vec<String> {
        let mut out = Vec::new();
        for dir in WORKER_DIRS {
            let Ok(entries) = std::fs::read_dir(self.files.full_path(dir)) else { continue };
            for entry in entries.flatten() {
                let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
                let path = join_path(dir, &name);
                if classify_worker_file(&name).is_some() && !self.files.is_file(&path) {
                    out.push(path);
                }
            }
        }
        out.sort();
        out
    }

    /// The node parser for this run: the metadata's `backend_type`, its container, the
    /// config's `backend.type`, then a sniff of the worker logs' first bytes.
    pub fn detect_backend(&self, workers: &[WorkerFiles]) -> Option<&'static dyn NodeParser> {
        let parsers = node_parsers().ok()?;
        let named = [
            self.metadata.backend_type.clone(),
            self.metadata.container.clone(),
            self.config.and_then(RunConfig::backend_type),
        ];
        for name in named.iter().flatten() {
            if let Some(p) = parsers.iter().find(|p| p.accepts_backend(name)) {
                return Some(*p);
            }
        }
        for path in workers.iter().flat_map(|w| &w.files) {
            let head = crate::metadata::read_head(path, SNIFF_BYTES);
            if let Some(p) = parsers.iter().find(|p| p.sniff(&head)) {
                return Some(*p);
            }
        }
        None
    }

    /// Parses every worker file in parallel (one task per file) and merges each worker's files.
    pub fn parse_workers(&self, parser: &dyn NodeParser, workers: &[WorkerFiles]) -> Vec<NodeMetrics> {
        let tasks: Vec<(usize, &PathBuf)> =
            workers.iter().enumerate().flat_map(|(i, w)| w.files.iter().map(move |f| (i, f))).collect();
        let parsed: Vec<(usize, WorkerLogData)> = tasks
            .par_iter()
            .map(|(i, path)| {
                // Lines with a time and no date take the run's date, else the file's (listed) mtime.
                let mtime =
                    relative_to(self.files.root(), path).and_then(|p| self.files.get(&p)).map(|e| e.mtime_ns);
                let undated_day = UndatedDay::for_file(self.metadata.run_date.as_deref(), mtime);
                (*i, parse_file(parser, path, None, &ParseOptions { undated_day, ..self.options }))
            })
            .collect();
        let mut merged: Vec<WorkerLogData> = workers.iter().map(|_| WorkerLogData::default()).collect();
        for (i, data) in parsed {
            merge_into(&mut merged[i], data);
        }
        workers
            .iter()
            .zip(merged)
            .map(|(w, data)| NodeMetrics {
                metadata: w.metadata.clone(),
                batches: data.batches,
                memory_snapshots: data.memory_snapshots,
                config: data.config,
                stats: data.stats,
            })
            .collect()
    }

    /// Joins cached or fresh metrics with each worker's configuration.
    pub fn assemble(
        &self,
        parser: &dyn NodeParser,
        workers: &[WorkerFiles],
        mut metrics: Vec<NodeMetrics>,
    ) -> Vec<NodeInfo> {
        let sweep = self.sweep_commands(parser);
        metrics.sort_by(|a, b| a.metadata.cmp(&b.metadata));
        metrics
            .into_iter()
            .map(|mut m| {
                let files = workers
                    .iter()
                    .find(|w| w.metadata == m.metadata)
                    .map(|w| w.files.as_slice())
                    .unwrap_or(&[]);
                let node_config = self.node_config(parser, &m.metadata, files, &sweep);
                if let Some(cmd) = &node_config.launch_command {
                    m.config.fill_from(&srtlog_parsers_node::config_from_args(&cmd.args));
                }
                NodeInfo { metrics: m, node_config }
            })
            .collect()
    }

    fn sweep_commands(&self, parser: &dyn NodeParser) -> Vec<SweepEntry> {
        let mut out = Vec::new();
        let paths = self
            .files
            .children("logs")
            .filter(|e| e.is_file() && e.name().starts_with("sweep_") && e.name().ends_with(".log"))
            .map(|e| self.files.full_path(&e.path));
        for path in paths {
            let Ok(bytes) = crate::metadata::read_small_file(&path) else { continue };
            for entry in parse_sweep_log(&String::from_utf8_lossy(&bytes)) {
                if let Some(command) = parser.parse_launch_command(&entry.command) {
                    out.push(SweepEntry { worker: entry.worker, command, environment: entry.environment });
                }
            }
        }
        out
    }

    fn node_config(
        &self,
        parser: &dyn NodeParser,
        worker: &NodeMetadata,
        files: &[PathBuf],
        sweep: &[SweepEntry],
    ) -> NodeConfig {
        let mut config = NodeConfig::default();
        // Lowest precedence first: config dump, then config.yaml, then what the log itself shows.
        if let Some(dump) = self.config_dump(worker) {
            if let Some(env) = dump.get("environment").and_then(|e| e.as_object()) {
                for (k, v) in env {
                    let v = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
                    config.environment.insert(k.clone(), v);
                }
            }
            config.gpu_info = dump.get("gpu_info").filter(|v| !v.is_null()).cloned();
            config.server_args = dump
                .get("config")
                .and_then(|c| c.get("server_args"))
                .or_else(|| dump.get("server_args"))
                .filter(|v| !v.is_null())
                .cloned();
        }
        if let Some(cfg) = self.config {
            config.environment.extend(cfg.environment(worker.worker_type.as_str()));
        }
        if let Some(entry) = sweep.iter().find(|e| e.worker.as_ref() == Some(worker)) {
            config.environment.extend(entry.environment.clone());
            config.launch_command = Some(entry.command.clone());
        }
        if config.launch_command.is_none() {
            // Only when the sweep log does not say: this reads log bytes on every load.
            let head = files
                .iter()
                .map(|f| parse_file(parser, f, Some(CONFIG_HEAD_BYTES), &self.options))
                .fold(WorkerLogData::default(), |mut acc, d| {
                    merge_into(&mut acc, d);
                    acc
                });
            config.environment.extend(head.environment);
            config.launch_command = head.launch_command;
        }
        if config.launch_command.is_none() {
            // Sweep logs that do not say which worker a command is for: match by role.
            let mut same_role = sweep
                .iter()
                .filter(|e| e.worker.is_none() && e.command.worker_type == Some(worker.worker_type));
            if let (Some(entry), None) = (same_role.next(), same_role.next()) {
                config.launch_command = Some(entry.command.clone());
            }
        }
        config
    }

    /// `{node}_{role}_{id}_config.json`, `{node}_{role}_config.json` or `{node}_config.json`.
    fn config_dump(&self, worker: &NodeMetadata) -> Option<serde_json::Value> {
        let names = [
            format!("{}_{}_{}_config.json", worker.node_name, worker.worker_type.as_str(), worker.worker_id),
            format!("{}_{}_config.json", worker.node_name, worker.worker_type.as_str()),
            format!("{}_config.json", worker.node_name),
        ];
        let path = names
            .iter()
            .flat_map(|n| WORKER_DIRS.map(|d| join_path(d, n)))
            .find(|p| self.files.is_file(p))
            .map(|p| self.files.full_path(&p))?;
        let bytes = match crate::metadata::read_small_file(&path) {
            Ok(b) => b,
            Err(err) => {
                tracing::warn!("{err}");
                return None;
            }
        };
        match serde_json::from_slice(&srtlog_model::python_json::sanitize(&bytes)) {
            Ok(v) => Some(v),
            Err(err) => {
                tracing::warn!("{}: invalid JSON: {err}", path.display());
                None
            }
        }
    }
}

/// Parses one file (or its first `limit` bytes). An I/O error becomes a diagnostic: one bad
/// file never stops its worker or its run.
fn parse_file(
    parser: &dyn NodeParser,
    path: &Path,
    limit: Option<u64>,
    options: &ParseOptions,
) -> WorkerLogData {
    let mut data = WorkerLogData::default();
    // Only a regular file, and only as long as it was when opened: a job still writing its log
    // cannot keep the load going (the cache's fingerprint, taken before, notices the growth).
    let result = open_regular(path, Links::Follow).and_then(|f| {
        let mut reader: Box<dyn Read> = match limit {
            Some(n) => Box::new(f.take(n)),
            None => Box::new(f),
        };
        parser.parse_reader(&mut reader, options, &mut data)
    });
    if let Err(err) = result {
        data.stats.push_diagnostic(|| format!("{}: {err}", path.display()));
    }
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for d in &mut data.stats.diagnostics {
        if !d.contains(&file_name) {
            *d = format!("{file_name}: {d}");
        }
    }
    data
}

fn merge_into(acc: &mut WorkerLogData, data: WorkerLogData) {
    // Move, not copy, when the accumulator is empty (one file per worker, the usual case): a
    // copy would hold a big log's records twice at the peak.
    acc.batches.append(data.batches);
    append_moving(&mut acc.memory_snapshots, data.memory_snapshots);
    acc.config.fill_from(&data.config);
    if acc.launch_command.is_none() {
        acc.launch_command = data.launch_command;
    }
    acc.environment.extend(data.environment);
    let mut stats = std::mem::take(&mut acc.stats);
    stats.merge(data.stats);
    acc.stats = stats;
}

fn append_moving<T>(acc: &mut Vec<T>, mut more: Vec<T>) {
    if acc.is_empty() {
        std::mem::swap(acc, &mut more);
    } else {
        acc.append(&mut more);
    }
}
