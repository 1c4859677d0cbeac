//! A log timestamp as it was written: wall-clock time plus, when the log says so, a UTC offset.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A timestamp read from a log line.
///
/// Logs mostly print local wall-clock time without a zone (`[2026-01-16 06:20:17]`); dynamo
/// prints ISO 8601 with a zone (`2025-12-30T15:52:38.206058Z`). srtlog keeps what the log said
/// and nothing more: the wall-clock time to the microsecond and the offset only when present.
/// It never guesses a zone.
///
/// The JSON form is ISO 8601: `2026-01-16T06:20:17`, `2025-12-30T15:52:38.206058Z`,
/// `2025-12-30T15:52:38.5+01:00` (fraction printed without trailing zeros, omitted when zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Wall-clock time as written, in microseconds since 1970-01-01T00:00:00 of that clock.
    pub wall_micros: i64,
    /// The UTC offset in seconds when the log gave one (`Z` is `Some(0)`).
    pub utc_offset_secs: Option<i32>,
}

impl Timestamp {
    /// Builds a timestamp from calendar fields; `None` when a field is out of range.
    pub fn from_parts(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        micros: u32,
    ) -> Option<Self> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
            || micros > 999_999
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        let wall_micros = secs * 1_000_000 + i64::from(micros);
        // A leap second on 9999-12-31 would carry into year 10000, which `Display` cannot print
        // in four digits (and `parse_iso` could not read back).
        if wall_micros >= (days_from_civil(10_000, 1, 1) * 86_400) * 1_000_000 {
            return None;
        }
        Some(Timestamp { wall_micros, utc_offset_secs: None })
    }

    /// This timestamp moved by `micros` (the offset, if any, kept); saturating at the ends of
    /// the `i64` range rather than wrapping.
    pub fn plus_micros(self, micros: i64) -> Self {
        Timestamp { wall_micros: self.wall_micros.saturating_add(micros), ..self }
    }

    /// The same wall-clock time with a UTC offset attached.
    pub fn with_offset(self, utc_offset_secs: Option<i32>) -> Self {
        Timestamp { utc_offset_secs, ..self }
    }

    /// Microseconds since the Unix epoch when the offset is known; the wall-clock value otherwise.
    pub fn epoch_micros_or_wall(&self) -> i64 {
        self.wall_micros - i64::from(self.utc_offset_secs.unwrap_or(0)) * 1_000_000
    }

    /// Calendar fields `(year, month, day, hour, minute, second, micros)`.
    pub fn parts(&self) -> (i32, u32, u32, u32, u32, u32, u32) {
        let micros = self.wall_micros.rem_euclid(1_000_000) as u32;
        let secs = self.wall_micros.div_euclid(1_000_000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, sod / 3600, sod / 60 % 60, sod % 60, micros)
    }

    /// Parses the common textual forms: `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]`.
    pub fn parse(text: &str) -> Option<Self> {
        parse_iso(text.as_bytes()).map(|(ts, _)| ts)
    }
}

/// The day to give log lines that print a time without a date (SGLang's 2024 prefix
/// `[04:40:55 TP0]`), and where that day came from. The loader sets it per file in
/// `ParseOptions::undated_day`; a parser that dates such a line says so in its diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UndatedDay {
    /// Midnight of the day (no offset: the lines' clock has none).
    pub midnight: Timestamp,
    /// Where the day came from, which also says which line it belongs to.
    pub source: DaySource,
}

/// Where an [`UndatedDay`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaySource {
    /// The run's metadata (`run_date` / `generated_at`): the day the job started, so the day
    /// of the file's *first* time-only line.
    RunMetadata,
    /// The file's modification time (UTC): the day of its *last* line.
    FileModified,
}

impl fmt::Display for DaySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DaySource::RunMetadata => "run metadata",
            DaySource::FileModified => "the file's modification time",
        })
    }
}

impl UndatedDay {
    /// The day from the run's date (ISO 8601, or a bare `YYYY-MM-DD`), else from the file's
    /// modification time (nanoseconds since the Unix epoch, as the run listing has it).
    pub fn for_file(run_date: Option<&str>, mtime_ns: Option<i128>) -> Option<Self> {
        let from_run = run_date.and_then(|d| {
            let d = d.trim();
            Timestamp::parse(d).or_else(|| Timestamp::parse(&format!("{}T00:00:00", d.get(..10)?)))
        });
        if let Some(ts) = from_run {
            return Some(UndatedDay { midnight: Self::midnight_of(ts)?, source: DaySource::RunMetadata });
        }
        let micros = i64::try_from(mtime_ns?.div_euclid(1000)).ok()?;
        let ts = Timestamp { wall_micros: micros, utc_offset_secs: None };
        Some(UndatedDay { midnight: Self::midnight_of(ts)?, source: DaySource::FileModified })
    }

    /// Midnight of `ts`'s day (as written; the offset dropped, the lines' clock has none), or
    /// `None` for a day [`Timestamp::from_parts`] refuses (an mtime past the year 9999 could
    /// not be printed and read back).
    fn midnight_of(ts: Timestamp) -> Option<Timestamp> {
        let (y, m, d, ..) = ts.parts();
        Timestamp::from_parts(y, m, d, 0, 0, 0, 0)
    }

    /// Whether the day is that of the last line (the file's modification day), not the first.
    pub fn is_last_day(&self) -> bool {
        self.source == DaySource::FileModified
    }

    /// `YYYY-MM-DD`.
    pub fn describe_day(&self) -> String {
        let (y, m, d, ..) = self.midnight.parts();
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// Parses an ISO-8601-like timestamp at the start of `b`; returns it and the bytes consumed.
///
/// Accepts a space or `T` between date and time, an optional fraction of 1 to 9 digits
/// (truncated to microseconds) and an optional `Z` or `±HH:MM` / `±HHMM` offset. It is
/// [`parse_iso_head`] then [`parse_iso_tail`]: a caller that sees the same second again and
/// again (a busy log) can keep the head's value and parse only the tail.
pub fn parse_iso(b: &[u8]) -> Option<(Timestamp, usize)> {
    parse_iso_tail(b, parse_iso_head(b)?)
}

/// The `YYYY-MM-DD[ T]HH:MM:SS` head of every text [`parse_iso`] accepts, as the timestamp of
/// that second (no fraction, no offset). It reads `b[..19]` and nothing else, so two texts
/// with the same 19 first bytes have the same head.
pub fn parse_iso_head(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 19 {
        return None;
    }
    let year = digits(&b[0..4])? as i32;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b' ' || b[10] == b'T') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    // A fraction never makes an invalid second valid or a valid one invalid (the year-10000
    // limit is a whole second), so the head decides validity alone.
    Timestamp::from_parts(year, month, day, hour, minute, second, 0)
}

/// The rest of [`parse_iso`] for a `b` whose head (`b[..19]`) gave `head`: the optional
/// fraction and offset after it. Returns the timestamp and the bytes consumed in all.
pub fn parse_iso_tail(b: &[u8], head: Timestamp) -> Option<(Timestamp, usize)> {
    let mut pos = 19;
    let mut micros = 0u32;
    if b.get(pos) == Some(&b'.') || b.get(pos) == Some(&b',') {
        let start = pos + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() && end - start < 9 {
            end += 1;
        }
        if end == start {
            return None;
        }
        let frac = &b[start..end];
        let mut value = 0u32;
        for i in 0..6 {
            value = value * 10 + frac.get(i).map_or(0, |d| u32::from(d - b'0'));
        }
        micros = value;
        pos = end;
    }
    let ts = Timestamp { wall_micros: head.wall_micros + i64::from(micros), utc_offset_secs: None };
    let mut offset = None;
    match b.get(pos) {
        Some(b'Z') => {
            offset = Some(0);
            pos += 1;
        }
        Some(&sign @ (b'+' | b'-')) => {
            let rest = &b[pos + 1..];
            let (hh, mm, used) = if rest.len() >= 5 && rest[2] == b':' {
                (digits(&rest[0..2]), digits(&rest[3..5]), 5)
            } else if rest.len() >= 4 {
                (digits(&rest[0..2]), digits(&rest[2..4]), 4)
            } else {
                (None, None, 0)
            };
            // Real offsets only (at most ±23:59): `Display` prints two-digit hours and minutes.
            if let (Some(hh @ 0..=23), Some(mm @ 0..=59)) = (hh, mm) {
                let secs = (hh * 3600 + mm * 60) as i32;
                offset = Some(if sign == b'-' { -secs } else { secs });
                pos += 1 + used;
            }
        }
        _ => {}
    }
    Some((ts.with_offset(offset), pos))
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian calendar).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s, us) = self.parts();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
        if us != 0 {
            let frac = format!("{us:06}");
            f.write_str(".")?;
            f.write_str(frac.trim_end_matches('0'))?;
        }
        match self.utc_offset_secs {
            None => Ok(()),
            Some(0) => f.write_str("Z"),
            Some(off) => {
                let sign = if off < 0 { '-' } else { '+' };
                let off = off.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", off / 3600, off / 60 % 60)
            }
        }
    }
}

/// The error of [`Timestamp::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an ISO 8601 timestamp: {0:?}")]
pub struct TimestampParseError(pub String);

impl FromStr for Timestamp {
    type Err = TimestampParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match parse_iso(s.as_bytes()) {
            Some((ts, used)) if used == s.len() => Ok(ts),
            _ => Err(TimestampParseError(s.to_owned())),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_forms_logs_use() {
        for text in [
            "2026-01-16T06:20:17",
            "2025-12-30T15:52:38.206058Z",
            "2025-12-30T15:52:38.5+01:00",
            "2025-12-30T15:52:38.25-05:30",
            "2024-02-29T00:00:00",
            "1969-12-31T23:59:59.999999",
        ] {
            let ts: Timestamp = text.parse().expect(text);
            assert_eq!(ts.to_string(), text);
        }
    }

    #[test]
    fn accepts_a_space_and_truncates_nanoseconds() {
        let ts = Timestamp::parse("2025-11-04 05:31:43").expect("space form");
        assert_eq!(ts.to_string(), "2025-11-04T05:31:43");
        let ts = Timestamp::parse("2025-12-30T15:52:38.206058123Z").expect("nanos");
        assert_eq!(ts.to_string(), "2025-12-30T15:52:38.206058Z");
        assert_eq!(ts.epoch_micros_or_wall(), 1_767_109_958_206_058);
    }

    #[test]
    fn every_parsed_value_round_trips() {
        // Found by `fuzz/fuzz_targets/timestamp.rs` (`fuzz/regressions/timestamp/`).
        let (ts, used) = parse_iso(b"2025-12-30T15:50:20.441+9999-12-3100#").expect("prefix parses");
        assert_eq!((ts.utc_offset_secs, used), (None, 23));
        assert_eq!(ts.to_string().parse::<Timestamp>(), Ok(ts));
        assert!("2025-12-30T15:50:20+99:99".parse::<Timestamp>().is_err());
        assert_eq!(
            Timestamp::parse("2025-12-30T15:50:20-23:59").and_then(|t| t.utc_offset_secs),
            Some(-86_340)
        );
    }

    #[test]
    fn undated_day_prefers_the_run_date_then_the_mtime() {
        let day = UndatedDay::for_file(Some("2024-08-31T23:10:00.5+02:00"), Some(0)).expect("run date");
        assert_eq!((day.describe_day(), day.source), ("2024-08-31".to_owned(), DaySource::RunMetadata));
        assert_eq!(day.midnight.to_string(), "2024-08-31T00:00:00");
        let day = UndatedDay::for_file(Some("2024-08-31"), None).expect("bare date");
        assert_eq!(day.midnight.to_string(), "2024-08-31T00:00:00");
        // 2024-09-01T04:40:57Z in nanoseconds; an unreadable run date falls back to it.
        let day = UndatedDay::for_file(Some("soon"), Some(1_725_165_657_000_000_000)).expect("mtime");
        assert_eq!((day.describe_day(), day.source), ("2024-09-01".to_owned(), DaySource::FileModified));
        assert!(day.is_last_day());
        assert_eq!(UndatedDay::for_file(None, None), None);
        assert_eq!(UndatedDay::for_file(None, Some(i128::MAX)), None, "no day past 9999");
        assert_eq!(day.midnight.plus_micros(1_000_000).to_string(), "2024-09-01T00:00:01");
    }

    #[test]
    fn rejects_impossible_dates() {
        for bad in [
            "2025-02-29 00:00:00",
            "2025-13-01 00:00:00",
            "2025-01-01 24:00:00",
            "2025-01-01",
            "garbage-and-more-text",
            "9999-12-31T23:59:60.4",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }
}
