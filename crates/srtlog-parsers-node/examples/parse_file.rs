//! Parses worker log files with one parser and prints what it found and how fast.
//!
//! `cargo run --release -p srtlog-parsers-node --example parse_file -- sglang FILE...`

use std::time::Instant;

use srtlog_model::{get_node_parser, ParseOptions, WorkerLogData};
use srtlog_parsers_node as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let backend = args.next().ok_or("usage: parse_file <sglang|trtllm> FILE...")?;
    let parser = get_node_parser(&backend)?;
    let mut data = WorkerLogData::default();
    let start = Instant::now();
    for path in args {
        let mut file = std::fs::File::open(&path)?;
        parser.parse_reader(&mut file, &ParseOptions::default(), &mut data)?;
    }
    let secs = start.elapsed().as_secs_f64();
    let s = &data.stats;
    println!(
        "bytes={} lines={} batches={} memory={} malformed={} idle={} truncated={} secs={:.3} MB/s={:.0}",
        s.bytes,
        s.lines,
        data.batches.len(),
        data.memory_snapshots.len(),
        s.malformed_lines,
        s.idle_iterations,
        s.truncated_lines,
        secs,
        s.bytes as f64 / secs / 1e6
    );
    Ok(())
}
