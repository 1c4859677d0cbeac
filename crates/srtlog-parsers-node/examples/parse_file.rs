//! Parses worker log files with one parser and prints what it found and how fast.
//!
//! `cargo run --release -p srtlog-parsers-node --example parse_file -- sglang FILE...`
//!
//! With `--discard` the file is fed in 8 MiB pieces (cut at line ends) and the batches of each
//! piece are dropped before the next one: that measures the parse without the cost of
//! materialising every `BatchMetrics` (168 bytes each) in one ever-growing vector.

use std::io::Read;
use std::time::Instant;

use srtlog_model::{get_node_parser, ParseOptions, WorkerLogData};
use srtlog_parsers_node as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let discard = args.iter().any(|a| a == "--discard");
    args.retain(|a| a != "--discard");
    let (backend, paths) =
        args.split_first().ok_or("usage: parse_file [--discard] <sglang|trtllm> FILE...")?;
    let parser = get_node_parser(backend)?;
    let mut data = WorkerLogData::default();
    let mut kept_batches = 0usize;
    let start = Instant::now();
    for path in paths {
        let mut file = std::fs::File::open(path)?;
        if !discard {
            parser.parse_reader(&mut file, &ParseOptions::default(), &mut data)?;
            continue;
        }
        let mut carry: Vec<u8> = Vec::new();
        let mut piece = vec![0u8; 8 << 20];
        loop {
            let n = file.read(&mut piece)?;
            if n == 0 {
                parser.parse_reader(&mut carry.as_slice(), &ParseOptions::default(), &mut data)?;
                break;
            }
            carry.extend_from_slice(&piece[..n]);
            if let Some(cut) = carry.iter().rposition(|&b| b == b'\n') {
                parser.parse_reader(&mut &carry[..=cut], &ParseOptions::default(), &mut data)?;
                carry.drain(..=cut);
                kept_batches += data.batches.len();
                data.batches.clear();
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let s = &data.stats;
    println!(
        "bytes={} lines={} batches={} memory={} malformed={} idle={} truncated={} secs={:.3} MB/s={:.0}",
        s.bytes,
        s.lines,
        kept_batches + data.batches.len(),
        data.memory_snapshots.len(),
        s.malformed_lines,
        s.idle_iterations,
        s.truncated_lines,
        secs,
        s.bytes as f64 / secs / 1e6
    );
    Ok(())
}
