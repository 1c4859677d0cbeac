//! `tidy`: the house rules a compiler does not check, over every Rust source of the workspace
//! (`crates/`, `xtask/`, `fuzz/`; `target/` directories skipped).
//!
//! Each `.rs` file starts with a `//!` line saying what it is for (except one pasted into
//! another with `include!`, where inner doc comments are not allowed), and none contains a
//! debugging or placeholder macro call (`dbg`, `todo`, `unimplemented`). Every violation is
//! reported as `file:line: problem`. The test below runs the same check in `cargo test`, so CI
//! enforces it. The macro needles are assembled at run time: this file does not trip over its
//! own patterns.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

/// The directories of the workspace that hold Rust sources.
const SOURCE_DIRS: [&str; 3] = ["crates", "xtask", "fuzz"];

/// Macros that must not be left in committed code.
const FORBIDDEN_MACROS: [&str; 3] = ["dbg", "todo", "unimplemented"];

/// Options of `tidy`.
#[derive(Debug, Clone, Args)]
pub struct TidyArgs {
    /// The workspace root to check. Default: the workspace this xtask was built from.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// One broken rule, at a line of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The file, relative to the root checked.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.problem)
    }
}

/// The root of the workspace this xtask was built from.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs `tidy`: prints every violation and fails if there is one.
pub fn run(args: &TidyArgs) -> ExitCode {
    let root = args.root.clone().unwrap_or_else(workspace_root);
    match check(&root) {
        Ok(violations) if violations.is_empty() => ExitCode::SUCCESS,
        Ok(violations) => {
            for v in &violations {
                eprintln!("{v}");
            }
            eprintln!("tidy: {} problem(s)", violations.len());
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("tidy: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Every violation in the Rust sources under `root`, in path order.
pub fn check(root: &Path) -> io::Result<Vec<Violation>> {
    let mut files = Vec::new();
    for dir in SOURCE_DIRS {
        let dir = root.join(dir);
        if dir.is_dir() {
            collect_rust_files(&dir, &mut files)?;
        }
    }
    files.sort();
    let needles: Vec<(String, &str)> = FORBIDDEN_MACROS.iter().map(|m| (format!("{m}!("), *m)).collect();
    let mut sources = Vec::with_capacity(files.len());
    for file in files {
        let text = fs::read_to_string(&file)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", file.display())))?;
        sources.push((file, text));
    }
    // A file pasted into another with `include!` cannot have a `//!` line (inner doc comments
    // are not allowed there); the file that includes it has the header.
    let included: Vec<PathBuf> = sources.iter().flat_map(|(file, text)| included_files(file, text)).collect();
    let mut violations = Vec::new();
    for (file, text) in &sources {
        let path = file.strip_prefix(root).unwrap_or(file).to_path_buf();
        if !text.starts_with("//!") && !included.contains(file) {
            violations.push(Violation {
                path: path.clone(),
                line: 1,
                problem: "does not start with a `//!` line saying what the file is for".to_owned(),
            });
        }
        for (index, line) in text.lines().enumerate() {
            for (needle, name) in &needles {
                if line.contains(needle.as_str()) {
                    violations.push(Violation {
                        path: path.clone(),
                        line: index + 1,
                        problem: format!("`{name}!` left in"),
                    });
                }
            }
        }
    }
    Ok(violations)
}

/// The files that `file` pastes in with `include!("...")`, resolved as rustc does: relative to
/// the directory of `file`.
fn included_files(file: &Path, text: &str) -> Vec<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new("."));
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .filter_map(|line| line.split_once("include!(\"")?.1.split_once('"').map(|(name, _)| dir.join(name)))
        .collect()
}

/// Adds the `.rs` files under `dir` to `out`, skipping `target/` (build output) and hidden
/// directories.
fn collect_rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let entries =
        fs::read_dir(dir).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type()?.is_dir() {
            if name != "target" && !name.starts_with('.') {
                collect_rust_files(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_is_tidy() {
        let violations = check(&workspace_root()).unwrap();
        let report: Vec<String> = violations.iter().map(Violation::to_string).collect();
        assert!(violations.is_empty(), "cargo xtask tidy:\n{}", report.join("\n"));
    }

    #[test]
    fn the_check_sees_the_workspace_sources() {
        // A check that reads no file passes trivially: it must find this very file.
        let root = workspace_root();
        let mut files = Vec::new();
        collect_rust_files(&root.join("xtask"), &mut files).unwrap();
        assert!(files.contains(&root.join("xtask/src/tidy.rs")), "{files:?}");
    }

    #[test]
    fn violations_are_reported_with_file_and_line() {
        let root = tempfile::tempdir().unwrap();
        let src = root.path().join("crates/a/src");
        fs::create_dir_all(&src).unwrap();
        let call = |name: &str| format!("{name}!()");
        fs::write(src.join("lib.rs"), format!("//! Fine header.\n\nfn f() {{\n    {};\n}}\n", call("dbg")))
            .unwrap();
        fs::write(src.join("no_header.rs"), format!("// plain comment\nfn g() {{ {} }}\n", call("todo")))
            .unwrap();
        fs::write(src.join("clean.rs"), "//! Clean.\ninclude!(\"pasted.rs\");\n").unwrap();
        // Pasted in with `include!`, where `//!` is not allowed: needs no header of its own.
        fs::write(src.join("pasted.rs"), "// Shared items.\nfn h() {}\n").unwrap();
        // Build output and files that are not Rust are not checked.
        let target = root.path().join("fuzz/target/debug");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("generated.rs"), "no header\n").unwrap();
        fs::write(src.join("notes.md"), "no header\n").unwrap();

        let found: Vec<String> = check(root.path()).unwrap().iter().map(Violation::to_string).collect();
        assert_eq!(
            found,
            [
                "crates/a/src/lib.rs:4: `dbg!` left in",
                "crates/a/src/no_header.rs:1: does not start with a `//!` line saying what the file is for",
                "crates/a/src/no_header.rs:2: `todo!` left in",
            ]
        );
    }
}
