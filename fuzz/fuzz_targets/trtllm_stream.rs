//! `TrtllmParser::parse_reader` with a small line cap and short reads (see `stream_common.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("stream_common.rs");

fuzz_target!(|data: &[u8]| {
    check_stream(&srtlog_parsers_node::TrtllmParser, srtlog_parsers_node::parse_trtllm_line, data);
});
