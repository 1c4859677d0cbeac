//! Small helpers shared by the parsers: number parsing and the serde value types used by the
//! streaming visitors.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A finite float, or `None` (srtlog never reports `NaN`/`inf` as a metric value).
pub fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Parses a printed number: `1,234.5`, `12`, `inf` → `None` for non-finite, `-`/`N/A` → `None`.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() || t == "-" || t.eq_ignore_ascii_case("n/a") {
        return None;
    }
    let cleaned: String;
    let t = if t.contains(',') {
        cleaned = t.replace(',', "");
        cleaned.as_str()
    } else {
        t
    };
    t.parse::<f64>().ok().and_then(finite)
}

/// A non-negative whole number from a float (token counts printed as `1234` or `1234.0`).
pub fn as_count(v: f64) -> Option<u64> {
    // Counts beyond 2^53 do not occur in benchmark output; the cast saturates anyway.
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0).then_some(v as u64)
}

/// A JSON number that must be a number (or `null`): strings, lists and objects are an error.
///
/// `NaN`/`Infinity` have already been replaced by `null` (see `srtlog_model::python_json`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StrictNumber(pub Option<f64>);

impl<'de> Deserialize<'de> for StrictNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrictNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or null")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<StrictNumber, E> {
                Ok(StrictNumber(finite(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StrictNumber, E> {
                Ok(StrictNumber(Some(v as f64)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StrictNumber, E> {
                Ok(StrictNumber(Some(v as f64)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<StrictNumber, E> {
                Ok(StrictNumber(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<StrictNumber, E> {
                Ok(StrictNumber(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A JSON value read as a number when it is one, else `None` (no error): strings such as
/// aiperf's `datetime` values, lists and objects are skipped without being kept.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LenientNumber(pub Option<f64>);

impl<'de> Deserialize<'de> for LenientNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LenientNumber, E> {
                Ok(LenientNumber(finite(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientNumber, E> {
                Ok(LenientNumber(Some(v as f64)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientNumber, E> {
                Ok(LenientNumber(Some(v as f64)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<LenientNumber, E> {
                Ok(LenientNumber(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<LenientNumber, E> {
                Ok(LenientNumber(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LenientNumber, E> {
                Ok(LenientNumber(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<LenientNumber, E> {
                Ok(LenientNumber(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LenientNumber, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(LenientNumber(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LenientNumber, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(LenientNumber(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A JSON string when it is one, else `None` without error (other values are skipped).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LenientString(pub Option<String>);

impl<'de> Deserialize<'de> for LenientString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientString, E> {
                Ok(LenientString(Some(v.to_owned())))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<LenientString, E> {
                Ok(LenientString(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<LenientString, E> {
                Ok(LenientString(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<LenientString, E> {
                Ok(LenientString(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<LenientString, E> {
                Ok(LenientString(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LenientString, E> {
                Ok(LenientString(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<LenientString, E> {
                Ok(LenientString(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LenientString, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(LenientString(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LenientString, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(LenientString(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

pub use srtlog_model::shell_words;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_numbers() {
        assert_eq!(parse_number("42,612.16"), Some(42612.16));
        assert_eq!(parse_number(" 12 "), Some(12.0));
        assert_eq!(parse_number("-"), None);
        assert_eq!(parse_number("N/A"), None);
        assert_eq!(parse_number("nan"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("abc"), None);
        assert_eq!(as_count(12.0), Some(12));
        assert_eq!(as_count(12.5), None);
        assert_eq!(as_count(-1.0), None);
    }

    #[test]
    fn shell_words_handle_quotes_and_continuations() {
        let cmd = "aiperf profile \\\n    -m \"Qwen/Qwen3-32B\" --goodput \"time_to_first_token:2000 inter_token_latency:25\" --x 'a b' c\\ d";
        assert_eq!(
            shell_words(cmd),
            vec![
                "aiperf",
                "profile",
                "-m",
                "Qwen/Qwen3-32B",
                "--goodput",
                "time_to_first_token:2000 inter_token_latency:25",
                "--x",
                "a b",
                "c d"
            ]
        );
        assert_eq!(shell_words("  "), Vec::<String>::new());
        assert_eq!(shell_words("a \"\" b"), vec!["a", "", "b"]);
    }

    #[test]
    fn lenient_and_strict_numbers() {
        let v: Vec<LenientNumber> =
            serde_json::from_str(r#"[1, 2.5, "x", null, [1], {"a": 1}, true]"#).unwrap();
        assert_eq!(
            v.iter().map(|n| n.0).collect::<Vec<_>>(),
            vec![Some(1.0), Some(2.5), None, None, None, None, None]
        );
        assert!(serde_json::from_str::<StrictNumber>(r#""12""#).is_err());
        assert_eq!(serde_json::from_str::<StrictNumber>("null").unwrap(), StrictNumber(None));
        assert_eq!(serde_json::from_str::<StrictNumber>("-3").unwrap(), StrictNumber(Some(-3.0)));
    }
}
