//! `parse_iso` / `Timestamp::from_str` on arbitrary bytes: never panic, consume no more than
//! the input, and every parsed value survives `Display` → `FromStr` unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use srtlog_model::{parse_iso, Timestamp};

// Two findings of this target (`fuzz/regressions/timestamp/`) were fixed in srtlog-model
// (offsets beyond ±23:59 and values past year 9999 are refused); the round trip is checked for
// every parsed value.

fuzz_target!(|data: &[u8]| {
    if let Some((ts, used)) = parse_iso(data) {
        assert!(used <= data.len() && used >= 19, "consumed {used} of {}", data.len());
        let text = ts.to_string();
        let back: Result<Timestamp, _> = text.parse();
        assert_eq!(back, Ok(ts), "{text:?} from {:?}", String::from_utf8_lossy(&data[..used]));
        // The parsed prefix alone parses to the same value.
        assert_eq!(parse_iso(&data[..used]).map(|(t, _)| t), Some(ts));
    }
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(ts) = s.parse::<Timestamp>() {
            assert_eq!(ts.to_string().parse::<Timestamp>(), Ok(ts));
        }
    }
});
