//! Properties of the power readers: a random set of samples, written the way the power sampler
//! writes `samples.csv` (v1 or v2 header, Python `repr()` floats, which are Rust's shortest
//! round-trip form), reads back to exactly those samples; and arbitrary bytes never make a
//! reader panic, and every sample it keeps is finite with power ≥ 0.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use srtlog_parsers_telemetry::power::{
    parse_manifest, parse_window, read_aiperf_gpu_telemetry, read_cpu_samples, read_gpu_samples,
};

fn sample() -> impl Strategy<Value = (f64, String, u32, f64)> {
    (1.0e9f64..2.0e9, "[a-z][a-z0-9-]{0,11}", 0u32..16, 0.0f64..2000.0)
}

proptest! {
    #[test]
    fn samples_written_as_the_sampler_writes_them_read_back_exactly(
        rows in proptest::collection::vec(sample(), 0..40),
        v2 in any::<bool>(),
    ) {
        let mut csv = String::from("schema_version,timestamp_unix,scrape_seq,hostname,gpu_index,gpu_uuid,power_w");
        csv.push_str(if v2 { ",gpu_util_pct,sm_active\n" } else { "\n" });
        for (i, (t, host, gpu, w)) in rows.iter().enumerate() {
            let extra = if v2 { ",,0.5" } else { "" };
            csv.push_str(&format!("{},{t:?},{i},{host},{gpu},GPU-{gpu},{w:?}{extra}\n", if v2 { 2 } else { 1 }));
        }
        let read = read_gpu_samples(csv.as_bytes(), "s.csv").unwrap();
        prop_assert_eq!(read.bad_rows, 0);
        let got: Vec<(f64, String, u32, f64)> =
            read.samples.into_iter().map(|s| (s.t_unix, s.host, s.gpu, s.watts)).collect();
        prop_assert_eq!(got, rows);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_keep_only_valid_samples(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let header = b"timestamp_unix,hostname,gpu_index,power_w,total_power_w\n";
        let with_header = [&header[..], &bytes].concat();
        for input in [&bytes[..], &with_header[..]] {
            if let Ok(read) = read_gpu_samples(input, "g.csv") {
                prop_assert!(read.samples.iter().all(|s| s.t_unix.is_finite() && s.watts.is_finite() && s.watts >= 0.0));
                prop_assert_eq!(read.rows, read.samples.len() as u64 + read.bad_rows);
            }
            if let Ok(read) = read_cpu_samples(input, "c.csv") {
                prop_assert!(read.samples.iter().all(|s| s.t_unix.is_finite() && s.watts.is_finite() && s.watts >= 0.0));
            }
            let read = read_aiperf_gpu_telemetry(input, "t.jsonl");
            prop_assert!(read.samples.iter().all(|s| s.t_unix.is_finite() && s.watts.is_finite() && s.watts >= 0.0));
            let _ = parse_manifest(input, "m.json");
            let _ = parse_window(input, "w.json");
        }
    }
}
