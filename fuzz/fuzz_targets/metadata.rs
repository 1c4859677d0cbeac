//! Run metadata: the input is `config.yaml` bytes and `{job}.json` bytes separated by the
//! first `0xFF` byte (no separator: the whole input is the metadata, parsed without a config,
//! and also as a config on its own). Never panics.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use srtlog_loader::metadata::{parse_run_metadata, RunConfig};

fuzz_target!(|data: &[u8]| {
    let run_dir = Path::new("/runs/4401463_1P_2D_20260116_062017");
    let metadata_path = run_dir.join("4401463.json");
    let config_path = run_dir.join("config.yaml");
    match data.iter().position(|&b| b == 0xFF) {
        None => {
            let _ = parse_run_metadata(run_dir, &metadata_path, data, None);
            if let Ok(config) = RunConfig::parse(data, &config_path) {
                let _ = config.backend_type();
                let _ = config.environment("prefill");
                let _ = parse_run_metadata(run_dir, &metadata_path, b"{\"job_id\": \"1\"}", Some(config));
            }
        }
        Some(at) => {
            let (config_bytes, metadata_bytes) = (&data[..at], &data[at + 1..]);
            let config = RunConfig::parse(config_bytes, &config_path).ok();
            if let Some(c) = &config {
                let _ = c.backend_type();
                let _ = c.environment("decode");
            }
            let _ = parse_run_metadata(run_dir, &metadata_path, metadata_bytes, config);
        }
    }
});
