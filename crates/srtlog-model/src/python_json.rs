//! Reading JSON written by Python's `json.dump`, which writes `NaN`, `Infinity` and `-Infinity`
//! as bare literals that strict JSON parsers reject.

use std::borrow::Cow;

/// Replaces bare `NaN`, `Infinity` and `-Infinity` outside strings with `null`.
///
/// Returns the input unchanged (borrowed) when it has none, which is the common case. The
/// values become "unknown" (`None`): srtlog never reports an infinite or undefined metric as a
/// number.
pub fn sanitize(input: &[u8]) -> Cow<'_, [u8]> {
    // Fast path: no candidate letter at all.
    if memchr_any(input) {
        Cow::Owned(replace_literals(input))
    } else {
        Cow::Borrowed(input)
    }
}

fn memchr_any(input: &[u8]) -> bool {
    input.iter().any(|&b| b == b'N' || b == b'I')
}

fn replace_literals(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    let mut in_string = false;
    while i < input.len() {
        let b = input[i];
        if in_string {
            out.push(b);
            if b == b'\\' {
                if let Some(&next) = input.get(i + 1) {
                    out.push(next);
                    i += 1;
                }
            } else if b == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        let rest = &input[i..];
        let literal = [&b"-Infinity"[..], b"Infinity", b"NaN"].into_iter().find(|lit| rest.starts_with(lit));
        match (b, literal) {
            (b'"', _) => {
                in_string = true;
                out.push(b);
                i += 1;
            }
            (_, Some(lit)) => {
                out.extend_from_slice(b"null");
                i += lit.len();
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn replaces_bare_literals_only() {
        let input = br#"{"a": NaN, "b": -Infinity, "c": [Infinity, 1.5], "s": "NaN Infinity \" NaN"}"#;
        let out = sanitize(input);
        assert_eq!(
            std::str::from_utf8(&out).expect("utf8"),
            r#"{"a": null, "b": null, "c": [null, 1.5], "s": "NaN Infinity \" NaN"}"#
        );
    }

    #[test]
    fn borrows_when_clean() {
        let input = br#"{"a": 1, "b": "x"}"#;
        assert!(matches!(sanitize(input), std::borrow::Cow::Borrowed(_)));
    }
}
