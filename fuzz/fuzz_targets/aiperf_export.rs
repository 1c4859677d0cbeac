//! `aiperf::parse_export` and `aiperf::to_point` on arbitrary bytes: never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use srtlog_parsers_bench::aiperf::{parse_export, to_point};

fuzz_target!(|data: &[u8]| {
    if let Ok(export) = parse_export(data) {
        let mut warnings = Vec::new();
        let point = to_point(&export, &mut warnings);
        assert_eq!(point.concurrency, export.concurrency);
    }
});
