//! srtctl's orchestrator log `logs/sweep_{job}.log`: each worker launch command and the worker
//! it belongs to. A pure helper the loader calls; no I/O.

use srtlog_model::{parse_iso, NodeMetadata, StringMap, Timestamp, WorkerType};

/// One worker launch recorded in `sweep_{job}.log`.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepCommand {
    /// When the command was logged.
    pub timestamp: Option<Timestamp>,
    /// 1-based line number of the `Command:` line.
    pub line: u64,
    /// The command as logged (shlex-joined argv).
    pub command: String,
    /// The worker it launched, when the log says: from the `Log: .../{node}_{role}_w{N}.out`
    /// line that follows the command (authoritative), else from the `Starting {role} worker
    /// {N} on {node}` line before it.
    pub worker: Option<NodeMetadata>,
    /// The worker's log path as logged (`Log:` line).
    pub log_file: Option<String>,
    /// All nodes the worker runs on (MPI launches name several; the first is the leader).
    pub nodes: Vec<String>,
    /// The `Env: K=V K2=V2` line logged just before the command.
    pub environment: StringMap,
}

/// Reads srtctl's orchestrator log and returns every `Command:` with the worker it belongs to.
///
/// srtctl (`worker_stage.py`) logs, for each worker, in this order:
/// `Starting {mode} worker {index} on {node}` (SGLang, one srun per node) or
/// `Starting {mode} worker {index} on {n} nodes ({a,b}) with {g} total GPUs (MPI mode)`
/// (TensorRT-LLM), then `Env: ...`, `Command: ...`, `Log: /logs/{node}_{mode}_w{index}.out`.
/// Commands without a preceding `Starting` line or a following `Log:` line (e.g. frontends)
/// keep `worker: None`.
pub fn parse_sweep_log(text: &str) -> Vec<SweepCommand> {
    let mut out: Vec<SweepCommand> = Vec::new();
    let mut pending_worker: Option<(NodeMetadata, Vec<String>)> = None;
    let mut pending_env: StringMap = StringMap::new();
    let mut last_was_command = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let (timestamp, message) = split_log_line(line);
        if let Some(rest) = message.strip_prefix("Starting ") {
            pending_worker = parse_starting(rest);
        } else if let Some(env) = message.strip_prefix("Env: ") {
            pending_env = parse_env(env);
        } else if let Some(cmd) = message.strip_prefix("Command: ") {
            let (worker, nodes) = match pending_worker.take() {
                Some((w, n)) => (Some(w), n),
                None => (None, Vec::new()),
            };
            out.push(SweepCommand {
                timestamp,
                line: i as u64 + 1,
                command: cmd.trim().to_owned(),
                worker,
                log_file: None,
                nodes,
                environment: std::mem::take(&mut pending_env),
            });
            last_was_command = true;
            continue;
        } else if let Some(path) = message.strip_prefix("Log: ") {
            if last_was_command {
                if let Some(last) = out.last_mut() {
                    let path = path.trim();
                    last.log_file = Some(path.to_owned());
                    let name = path.rsplit('/').next().unwrap_or(path);
                    if let Some(f) = crate::classify_worker_file(name) {
                        if last.nodes.is_empty() {
                            last.nodes.push(f.metadata.node_name.clone());
                        }
                        last.worker = Some(f.metadata);
                    }
                }
            }
        }
        last_was_command = false;
    }
    out
}

/// `YYYY-MM-DD HH:MM:SS [LEVEL] message` → timestamp and message; other lines whole.
fn split_log_line(line: &str) -> (Option<Timestamp>, &str) {
    let Some((ts, used)) = parse_iso(line.as_bytes()) else { return (None, line.trim()) };
    let rest = line[used..].trim_start();
    let rest = match rest.strip_prefix('[').and_then(|r| r.split_once("] ")) {
        Some((_level, msg)) => msg,
        None => rest,
    };
    (Some(ts), rest.trim_start())
}

/// `prefill worker 0 on eos0219` or `decode worker 1 on 2 nodes (a,b) with 8 total GPUs (MPI mode)`.
fn parse_starting(rest: &str) -> Option<(NodeMetadata, Vec<String>)> {
    let mut words = rest.split_whitespace();
    let worker_type = WorkerType::from_word(words.next()?)?;
    if words.next()? != "worker" {
        return None;
    }
    let index: u32 = words.next()?.parse().ok()?;
    if words.next()? != "on" {
        return None;
    }
    let first = words.next()?;
    let nodes: Vec<String> = if words.next() == Some("nodes") {
        let open = rest.find('(')?;
        let close = rest[open..].find(')')? + open;
        rest[open + 1..close].split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
    } else {
        vec![first.to_owned()]
    };
    let node_name = nodes.first()?.clone();
    Some((NodeMetadata { node_name, worker_type, worker_id: format!("w{index}") }, nodes))
}

/// `K=V K2=V2` (values contain no spaces in practice; a word without `=` continues the value).
fn parse_env(env: &str) -> StringMap {
    let mut map = StringMap::new();
    let mut last: Option<String> = None;
    for word in env.split(' ') {
        match word.split_once('=') {
            Some((k, v)) if !k.is_empty() && k.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') => {
                map.insert(k.to_owned(), v.to_owned());
                last = Some(k.to_owned());
            }
            _ => {
                if let Some(v) = last.as_ref().and_then(|k| map.get_mut(k)) {
                    v.push(' ');
                    v.push_str(word);
                }
            }
        }
    }
    map
}
