//! `parse_sglang_line` on arbitrary bytes: never panics; a parsed batch's timestamp
//! survives a `Display` → parse round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use srtlog_model::Timestamp;
use srtlog_parsers_node::{parse_sglang_line, LineEvent};

fuzz_target!(|data: &[u8]| {
    let event = parse_sglang_line(data);
    if let LineEvent::Batch(b) = &event {
        if let Some(ts) = b.timestamp {
            let text = ts.to_string();
            assert_eq!(text.parse::<Timestamp>().ok(), Some(ts), "{text}");
        }
    }
    // The same line with a trailing `\r` means the same thing.
    let mut crlf = data.to_vec();
    crlf.push(b'\r');
    if !data.ends_with(b"\r") {
        assert_eq!(parse_sglang_line(&crlf), event);
    }
});
