//! The `benchmark.out` readers on lossily decoded arbitrary bytes: sa-bench result blocks
//! (`sa_bench_out::parse_benchmark_out`), the aiperf console table
//! (`aiperf::parse_console_output`) and the launch-command readers of both. Never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use srtlog_parsers_bench::{aiperf, launch, sa_bench_out};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let sa = sa_bench_out::parse_benchmark_out(&text);
    // One point per concurrency, sorted by concurrency.
    let closed: Vec<u32> = sa.points.iter().filter_map(|p| p.concurrency).collect();
    assert!(closed.windows(2).all(|w| w[0] < w[1]), "points not one per concurrency, sorted: {closed:?}");
    let _ = aiperf::parse_console_output(&text);
    let _ = launch::detect_sa_bench(&text);
    let _ = launch::detect_mooncake(&text);
});
