//! Shared helpers: running a parser over fixture files and rendering the result as text.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use srtlog_model::{NodeParser, ParseOptions, WorkerLogData};

/// `testdata/runs/<rel>` of the workspace.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/runs").join(rel)
}

/// Parses the given fixture files (one worker) with `parser`.
pub fn parse_files(parser: &dyn NodeParser, rels: &[&str]) -> WorkerLogData {
    let mut data = WorkerLogData::default();
    for rel in rels {
        let mut file = std::fs::File::open(fixture(rel)).expect(rel);
        parser.parse_reader(&mut file, &ParseOptions::default(), &mut data).expect("parse");
    }
    data
}

fn compact(value: serde_json::Value) -> String {
    let mut out = String::new();
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            if v.is_null() {
                continue;
            }
            let v = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            let _ = write!(out, "{k}={v} ");
        }
    }
    out.trim_end().to_owned()
}

/// A readable, stable text form of everything a parse found.
pub fn render(data: &WorkerLogData) -> String {
    let mut s = String::new();
    let st = &data.stats;
    let _ = writeln!(
        s,
        "stats: bytes={} lines={} malformed={} idle={} truncated={} batches={} memory={}",
        st.bytes,
        st.lines,
        st.malformed_lines,
        st.idle_iterations,
        st.truncated_lines,
        data.batches.len(),
        data.memory_snapshots.len()
    );
    for d in &st.diagnostics {
        let _ = writeln!(s, "diagnostic: {d}");
    }
    let _ = writeln!(s, "config: {}", compact(serde_json::to_value(&data.config).expect("json")));
    match &data.launch_command {
        Some(c) => {
            let _ = writeln!(s, "launch: backend={} worker_type={:?}", c.backend_type, c.worker_type);
            let _ = writeln!(s, "  raw: {}", c.raw_command);
            for (k, v) in c.args.iter() {
                let _ = writeln!(s, "  arg {k} = {v}");
            }
        }
        None => s.push_str("launch: none\n"),
    }
    for (k, v) in &data.environment {
        let _ = writeln!(s, "env {k} = {v}");
    }
    for m in &data.memory_snapshots {
        let _ = writeln!(s, "memory: {}", compact(serde_json::to_value(m).expect("json")));
    }
    for b in &data.batches {
        let _ = writeln!(s, "batch: {}", compact(serde_json::to_value(b).expect("json")));
    }
    s
}
