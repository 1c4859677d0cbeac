//! `sa_bench::parse_result_json` on arbitrary bytes: never panics; a parsed point holds only
//! finite metric values (request_rate may be +inf, the `"inf"` string).
#![no_main]

use libfuzzer_sys::fuzz_target;
use srtlog_parsers_bench::sa_bench::parse_result_json;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(result)) = parse_result_json(data) {
        let p = &result.point;
        for v in p.other_metrics.values() {
            assert!(v.is_finite(), "non-finite other metric {v}");
        }
        for v in [p.output_tps, p.total_tps, p.mean_ttft_ms, p.p99_itl_ms, p.duration].into_iter().flatten() {
            assert!(v.is_finite(), "non-finite metric {v}");
        }
    }
});
