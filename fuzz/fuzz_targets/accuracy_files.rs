//! The accuracy-eval parsers, prefix-replay and mlperf on arbitrary bytes: never panic; every
//! accuracy value and every point metric is finite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use srtlog_model::{AccuracyParser, ResultSources, SourceBytes};
use srtlog_parsers_bench::{accuracy, mlperf, prefix_replay};

fuzz_target!(|data: &[u8]| {
    let mut results = accuracy::parse("logs/accuracy/gsm8k_m.json", data).unwrap_or_default();
    results.extend(mlperf::MlperfAccuracyParser.parse("logs/benchmark-rollup.json", data).unwrap_or_default());
    for r in &results {
        assert!(r.value.is_finite(), "non-finite accuracy {}", r.value);
        assert!(r.stderr.is_none_or(f64::is_finite));
    }
    let sources = ResultSources::default();
    for path in ["logs/prefix-replay-isl1-osl1-c1/results.json", "logs/benchmark-rollup.json"] {
        let mut bytes = std::iter::once(SourceBytes { path, bytes: Ok(data.to_vec()) });
        let parsed = if path.ends_with("results.json") {
            prefix_replay::parse_results(&sources, &mut bytes)
        } else {
            mlperf::parse_results(&sources, &mut bytes)
        };
        for p in parsed.map(|r| r.points).unwrap_or_default() {
            for v in [p.output_tps, p.total_tps, p.median_ttft_ms, p.duration].into_iter().flatten() {
                assert!(v.is_finite(), "non-finite metric {v}");
            }
        }
    }
});
