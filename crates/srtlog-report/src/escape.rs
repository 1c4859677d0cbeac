//! Escaping for the two contexts the report writes text into: HTML and an inline JSON block.

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Makes serialized JSON safe inside `<script type="application/json">`.
///
/// Every `<` becomes `\u003c` (and `>` `\u003e`, `&` `\u0026`): in JSON these characters can
/// only occur inside strings, where the escape means the same character, so `JSON.parse` gives
/// back the original text, but the HTML parser never sees `</script`, `<!--` or `<script` and
/// the block cannot be closed early by a job name. U+2028/U+2029 are escaped too.
pub fn json_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "</script><script>alert(1)</script>";

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(html(HOSTILE), "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(html(r#"a&b "c" 'd'"#), "a&amp;b &quot;c&quot; &#39;d&#39;");
        assert_eq!(html("gb200 · 1P/4D"), "gb200 · 1P/4D");
    }

    #[test]
    fn json_block_cannot_be_closed_and_round_trips() {
        let value = serde_json::json!({ "job_name": HOSTILE, "other": "<!-- & \u{2028}" });
        let text = serde_json::to_string(&value).unwrap();
        let safe = json_for_script(&text);
        assert!(!safe.contains('<'), "{safe}");
        assert!(!safe.to_ascii_lowercase().contains("</script"));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }
}
