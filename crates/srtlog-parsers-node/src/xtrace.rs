//! bash xtrace lines (`set -x`): `+ VAR=value` environment assignments and `+ cmd ...` commands.

use crate::bytes::{lossy, trim_start};
use crate::event::LineEvent;
use crate::launch::{parse_command, shell_words, Program};

/// Parses a line that starts with `+` (any depth: `++`), for commands of `program`.
pub(crate) fn parse_xtrace(line: &[u8], program: Program) -> LineEvent {
    let mut rest = line;
    while let Some(r) = rest.strip_prefix(b"+") {
        rest = r;
    }
    if rest.first() != Some(&b' ') {
        return LineEvent::Ignored;
    }
    let mut rest = trim_start(rest);
    if let Some(r) = rest.strip_prefix(b"export ") {
        rest = trim_start(r);
    }
    if let Some((name, value)) = assignment(rest) {
        return LineEvent::Environment { name, value };
    }
    match parse_command(&lossy(rest), program) {
        Some(cmd) => LineEvent::LaunchCommand(cmd),
        None => LineEvent::Ignored,
    }
}

/// `NAME=value` where NAME is a shell identifier and nothing but the value follows.
fn assignment(s: &[u8]) -> Option<(String, String)> {
    let eq = memchr::memchr(b'=', s)?;
    let name = &s[..eq];
    let valid = !name.is_empty()
        && !name[0].is_ascii_digit()
        && name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
    if !valid {
        return None;
    }
    let words = shell_words(&lossy(&s[eq + 1..]));
    if words.len() > 1 {
        return None; // `VAR=x cmd ...`: a command with an environment prefix, not an assignment
    }
    Some((lossy(name), words.into_iter().next().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments() {
        assert_eq!(
            parse_xtrace(b"+ SGLANG_DG_CACHE_DIR=/configs/dg", Program::Sglang),
            LineEvent::Environment { name: "SGLANG_DG_CACHE_DIR".into(), value: "/configs/dg".into() }
        );
        assert_eq!(
            parse_xtrace(b"++ export NCCL_DEBUG='WARN x'", Program::Sglang),
            LineEvent::Environment { name: "NCCL_DEBUG".into(), value: "WARN x".into() }
        );
        assert_eq!(parse_xtrace(b"+ echo hi", Program::Sglang), LineEvent::Ignored);
        assert_eq!(parse_xtrace(b"+1 = 2", Program::Sglang), LineEvent::Ignored);
    }
}
