//! `parse_sglang_line` on arbitrary bytes: never panics; a parsed batch's timestamp
//! survives a `Display` → parse round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use srtlog_model::Timestamp;
use srtlog_parsers_node::{parse_sglang_line, LineEvent};

fuzz_target!(|data: &[u8]| {
    let event = parse_sglang_line(data);
    if let LineEvent::Batch(b) = &event {
        // Offsets beyond ±23:59 and year 10000 do not round-trip (known srtlog-model bugs, see
        // timestamp.rs).
        let real = |t: &Timestamp| t.utc_offset_secs.is_none_or(|o| o.unsigned_abs() < 86_400) && t.parts().0 <= 9999;
        if let Some(ts) = b.timestamp.filter(real) {
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
