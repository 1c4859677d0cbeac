//! Criterion benchmarks of the power path: reading a power sampler's GPU `samples.csv` (v2
//! header) of 16 GPUs on 4 nodes sampled once a second for two hours (115,200 rows, about
//! 9 MB), and the energy of 12 benchmark points over those samples
//! (`srtlog_model::derived::derive_energy`). The loader reads power fresh on every load (never
//! cached), so these are what a warm load pays per run with power data.
//!
//! Run with `cargo bench -p srtlog-parsers-telemetry`; compile-check with `--no-run`.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use srtlog_model::derived::derive_energy;
use srtlog_model::{BenchmarkPoint, PowerSource, RunPower};
use srtlog_parsers_telemetry::power::read_gpu_samples;

const T0: f64 = 1_786_194_600.0;
const SCRAPES: usize = 7200;

fn samples_csv() -> String {
    let mut csv = String::from(
        "schema_version,timestamp_unix,scrape_seq,hostname,gpu_index,gpu_uuid,power_w,gpu_util_pct,sm_active\n",
    );
    for k in 0..SCRAPES {
        let t = T0 + k as f64 + 0.0451102;
        for node in 0..4 {
            for gpu in 0..4 {
                let w = 400.0 + 3.25 * ((k + node * 7 + gpu) % 100) as f64;
                let _ = writeln!(csv, "2,{t:?},{k},gb200-n{node:02},{gpu},GPU-{node}{gpu}aa,{w},97,0.81");
            }
        }
    }
    csv
}

fn power(c: &mut Criterion) {
    let csv = samples_csv();
    let mut g = c.benchmark_group("power");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(csv.len() as u64));
    g.bench_function("read_gpu_samples_115k_rows", |b| {
        b.iter(|| read_gpu_samples(black_box(csv.as_bytes()), "samples.csv").map(|r| r.samples.len()))
    });
    let read = read_gpu_samples(csv.as_bytes(), "samples.csv").expect("a samples file");
    let mut run_power = RunPower::new(PowerSource::PowerSamples);
    run_power.gpu_samples = read.samples;
    let points: Vec<BenchmarkPoint> = (0..12)
        .map(|i| BenchmarkPoint {
            concurrency: Some(1 << i),
            window_start_unix: Some(T0 + 60.0 + 590.0 * i as f64),
            window_end_unix: Some(T0 + 600.0 + 590.0 * i as f64),
            total_output_tokens: Some(1_000_000),
            total_input_tokens: Some(8_000_000),
            ..Default::default()
        })
        .collect();
    g.throughput(Throughput::Elements(points.len() as u64));
    g.bench_function("derive_energy_12_points_115k_samples", |b| {
        b.iter(|| derive_energy(Some("sa-bench"), black_box(&points), Some(&run_power)).len())
    });
    g.finish();
}

criterion_group!(benches, power);
criterion_main!(benches);
