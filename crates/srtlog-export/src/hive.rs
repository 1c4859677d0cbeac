//! Hive-style partition directory names: `job_id=<value>` with the value percent-escaped.

/// The directory name Hive uses for an empty (or null) partition value; readers read it back
/// as null.
pub const HIVE_DEFAULT_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// Whether Hive escapes `c` in a partition value: ASCII control characters and
/// `"#%'*/:=?\{[]^`, plus the characters Hive escapes on Windows (space, `<`, `>`, `|`) so
/// that a dataset can be copied to any file system.
fn needs_escape(c: char) -> bool {
    c.is_ascii_control()
        || matches!(
            c,
            '"' | '#'
                | '%'
                | '\''
                | '*'
                | '/'
                | ':'
                | '='
                | '?'
                | '\\'
                | '{'
                | '['
                | ']'
                | '^'
                | ' '
                | '<'
                | '>'
                | '|'
        )
}

/// Escapes a partition value the Hive way (`a/b` → `a%2Fb`, uppercase hex); other characters,
/// including non-ASCII ones, are kept. The empty value is [`HIVE_DEFAULT_PARTITION`].
pub(crate) fn escape(value: &str) -> String {
    if value.is_empty() {
        return HIVE_DEFAULT_PARTITION.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if needs_escape(c) {
            // Every escaped character is ASCII: one byte, two hex digits.
            out.push_str(&format!("%{:02X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The name of the partition directory of a job: `job_id=<escaped id>`.
///
/// ```
/// assert_eq!(srtlog_export::partition_dir("4401463"), "job_id=4401463");
/// assert_eq!(srtlog_export::partition_dir("a/b c"), "job_id=a%2Fb%20c");
/// assert_eq!(srtlog_export::partition_dir(""), "job_id=__HIVE_DEFAULT_PARTITION__");
/// ```
pub fn partition_dir(job_id: &str) -> String {
    format!("{}={}", crate::PARTITION_COLUMN, escape(job_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_hive_escapes() {
        for (value, dir) in [
            ("4401463", "4401463"),
            ("3667_1P_1D_20251110_192145", "3667_1P_1D_20251110_192145"),
            ("a/b", "a%2Fb"),
            ("100%", "100%25"),
            ("k=v", "k%3Dv"),
            ("a b", "a%20b"),
            ("x:y?z*", "x%3Ay%3Fz%2A"),
            (r#"q"'\#"#, "q%22%27%5C%23"),
            ("{[^]}", "%7B%5B%5E%5D}"),
            ("<|>", "%3C%7C%3E"),
            ("tab\tnl\n\x7f", "tab%09nl%0A%7F"),
            ("..", ".."),
            ("jöb-ü", "jöb-ü"),
            ("", HIVE_DEFAULT_PARTITION),
        ] {
            assert_eq!(escape(value), dir, "{value:?}");
        }
    }

    #[test]
    fn escaping_is_injective_and_never_leaves_a_separator() {
        let values = ["a/b", "a%2Fb", "a%252Fb", "a b", "a%20b", "a=b", "a%3Db"];
        let escaped: std::collections::BTreeSet<String> = values.iter().map(|v| escape(v)).collect();
        assert_eq!(escaped.len(), values.len());
        assert!(escaped.iter().all(|e| !e.contains('/') && !e.contains('=') && !e.contains('\\')));
    }
}
