//! `parse_iso` / `Timestamp::from_str` on arbitrary bytes: never panic, consume no more than
//! the input, and every parsed value survives `Display` → `FromStr` unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use srtlog_model::{parse_iso, Timestamp};

/// KNOWN BUGS (reported; the fix belongs in srtlog-model, outside the fuzzing work's files):
/// 1. `parse_iso` accepts offsets up to `+99:99` (362 340 s), which `Display` prints as
///    `+100:39` and cannot read back (`fuzz/regressions/timestamp/offset-hours-over-99.txt`);
/// 2. it accepts second 60 (a leap second) and normalises it into the next minute, so
///    `9999-12-31T23:59:60` becomes year 10000, which `Display` prints with five digits and
///    `parse_iso` cannot read back (`fuzz/regressions/timestamp/leap-second-into-year-10000.txt`).
///
/// Set `SRTLOG_FUZZ_STRICT=1` to check those values too; by default the round trip is checked
/// for offsets within ±23:59 and years up to 9999 only, so that the fuzzer keeps looking for
/// other bugs.
fn checked(ts: &Timestamp) -> bool {
    std::env::var_os("SRTLOG_FUZZ_STRICT").is_some()
        || (ts.utc_offset_secs.is_none_or(|o| o.unsigned_abs() < 24 * 3600) && ts.parts().0 <= 9999)
}

fuzz_target!(|data: &[u8]| {
    if let Some((ts, used)) = parse_iso(data).filter(|(ts, _)| checked(ts)) {
        assert!(used <= data.len() && used >= 19, "consumed {used} of {}", data.len());
        let text = ts.to_string();
        let back: Result<Timestamp, _> = text.parse();
        assert_eq!(back, Ok(ts), "{text:?} from {:?}", String::from_utf8_lossy(&data[..used]));
        // The parsed prefix alone parses to the same value.
        assert_eq!(parse_iso(&data[..used]).map(|(t, _)| t), Some(ts));
    }
    if let Ok(s) = std::str::from_utf8(data) {
        if let Some(ts) = s.parse::<Timestamp>().ok().filter(checked) {
            assert_eq!(ts.to_string().parse::<Timestamp>(), Ok(ts));
        }
    }
});
