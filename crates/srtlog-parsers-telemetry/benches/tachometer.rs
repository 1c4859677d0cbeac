//! Criterion benchmarks of the Tachometer reader on the real writer's files
//! (`../shared/real/tachometer/`, read into memory first so that the disk is not measured):
//! the v2 compacted file whole, the same with a one-metric subset (row-group pruning and the
//! row filter), and the v1 in-progress set (seven files, multiset union), in rows/s.
//!
//! Run with `cargo bench -p srtlog-parsers-telemetry`; compile-check with `--no-run`.
//! Without `../shared/real/` (a bare clone) the benchmarks are skipped with a note.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::path::PathBuf;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use srtlog_parsers_telemetry::tachometer::{read_files, ReadOptions};

fn real(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real/tachometer").join(rel)
}

/// The files of `dir` named `names`, in memory, with their paths.
fn load(dir: &str, names: &[&str]) -> Option<Vec<(String, Bytes)>> {
    names
        .iter()
        .map(|n| Some((format!("{dir}/{n}"), Bytes::from(std::fs::read(real(&format!("{dir}/{n}"))).ok()?))))
        .collect()
}

fn read(files: &[(String, Bytes)], options: ReadOptions) -> usize {
    let bytes =
        |p: &str| files.iter().find(|(n, _)| n == p).map(|(_, b)| b.clone()).ok_or_else(|| p.to_owned());
    let (m, errors) = read_files(files.iter().map(|(p, _)| p.as_str()), options, bytes, |p| {
        bytes(p).map(std::io::Cursor::new)
    });
    assert!(errors.is_empty());
    m.points()
}

fn tachometer(c: &mut Criterion) {
    let Some(fin) = load("v2-float64/final", &["final.parquet"]) else {
        eprintln!("no ../shared/real/tachometer: Tachometer benchmarks skipped");
        return;
    };
    let progress = [
        "incomplete-1.parquet",
        "incomplete-2.parquet",
        "out-1.parquet",
        "out-2.parquet",
        "out-3.parquet",
        "out-4.parquet",
        "current.arrow",
    ];
    let Some(in_progress) = load("v1-float32/in-progress", &progress) else { return };
    let mut g = c.benchmark_group("tachometer");
    g.sample_size(20);
    let rows = read(&fin, ReadOptions::default());
    g.throughput(Throughput::Elements(rows as u64));
    g.bench_function("v2_final_all_metrics", |b| b.iter(|| read(black_box(&fin), ReadOptions::default())));
    let subset = || ReadOptions { metrics: Some(BTreeSet::from(["sglang:num_running_reqs".to_owned()])) };
    g.bench_function("v2_final_one_metric", |b| b.iter(|| read(black_box(&fin), subset())));
    let rows = read(&in_progress, ReadOptions::default());
    g.throughput(Throughput::Elements(rows as u64));
    g.bench_function("v1_in_progress_union", |b| {
        b.iter(|| read(black_box(&in_progress), ReadOptions::default()))
    });
    g.finish();
}

criterion_group!(benches, tachometer);
criterion_main!(benches);
