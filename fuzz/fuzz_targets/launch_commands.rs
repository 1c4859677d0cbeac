//! Launch-command and file-name readers on lossily decoded arbitrary bytes:
//! `SglangParser`/`TrtllmParser::parse_launch_command`, `launch::parse_sa_bench_launch`,
//! `launch::parse_mooncake_launch`, `parse_sweep_log`, `classify_worker_file`. Never panic;
//! a classified worker file name is rebuilt from its parts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use srtlog_model::NodeParser;
use srtlog_parsers_bench::launch;
use srtlog_parsers_node::{classify_worker_file, parse_sweep_log, LogStream, SglangParser, TrtllmParser};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = SglangParser.parse_launch_command(&text);
    let _ = TrtllmParser.parse_launch_command(&text);
    let _ = launch::parse_sa_bench_launch(&text);
    let _ = launch::parse_mooncake_launch(&text);
    let _ = parse_sweep_log(&text);
    for line in text.lines().take(64) {
        if let Some(f) = classify_worker_file(line) {
            let ext = match f.stream {
                LogStream::Out => "out",
                LogStream::Err => "err",
            };
            let rebuilt = format!(
                "{}_{}_{}.{ext}",
                f.metadata.node_name,
                f.metadata.worker_type.as_str(),
                f.metadata.worker_id
            );
            assert_eq!(rebuilt, line, "file name does not rebuild from its parts");
        }
    }
});
