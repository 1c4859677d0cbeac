//! Text as commands and configs write it: shell words, and free-form key/value settings.

use std::collections::BTreeMap;

/// Free-form key/value settings (launch-command arguments, environments).
pub type StringMap = BTreeMap<String, String>;

/// Splits a shell command line into words as a POSIX shell does for simple commands: single
/// quotes keep everything literally; inside double quotes a backslash escapes only `"`, `\`,
/// `$` and a backquote; outside quotes a backslash escapes the next character and a
/// backslash-newline continues the line; an unterminated quote ends at the end of input. No
/// expansion is done.
///
/// ```
/// assert_eq!(srtlog_model::shell_words(r#"python3 -m x --cfg '{"a": 1}' "b c""#), ["python3", "-m", "x", "--cfg", r#"{"a": 1}"#, "b c"]);
/// ```
pub fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    current.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => match chars.peek() {
                            Some(&n @ ('"' | '\\' | '$' | '`')) => {
                                current.push(n);
                                chars.next();
                            }
                            _ => current.push('\\'),
                        },
                        _ => current.push(q),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(n) => {
                    in_word = true;
                    current.push(n);
                }
            },
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            _ => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}
