//! What is generated from the command-line definition: `--version`, shell completion scripts
//! and man pages.

use std::fs;

use crate::{srtlog, text};

/// The page's `.TH` title line: the first line after the roff preamble that defines the
/// apostrophe string (`.ie \n(.g .ds Aq ...` / `.el .ds Aq ...`).
fn title_line(page: &str) -> &str {
    page.lines().find(|l| !l.starts_with(".ie ") && !l.starts_with(".el ")).unwrap_or("")
}

/// The user commands, as completions and man pages must name them.
const COMMANDS: [&str; 5] = ["analyze", "export", "report", "completions", "man"];

#[test]
fn version_prints_the_crate_version() {
    let out = srtlog(&["--version"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("srtlog {}\n", env!("CARGO_PKG_VERSION")));
    // Propagated to the commands.
    let out = srtlog(&["analyze", "--version"]);
    assert_eq!(text(&out.stdout), format!("srtlog-analyze {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn bash_completions_name_the_binary_and_every_command() {
    let out = srtlog(&["completions", "bash"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let script = text(&out.stdout);
    assert!(script.contains("complete -F _srtlog"), "{script}");
    for command in COMMANDS {
        assert!(script.contains(command), "{command} missing in\n{script}");
    }
    // Flags of the commands are completed too.
    for flag in ["--no-cache", "--cache-dir", "--json", "--dataset"] {
        assert!(script.contains(flag), "{flag} missing");
    }
    // Developer commands are xtask's, not the product's.
    for dev in ["gen-corpus", "bench", "tidy"] {
        assert!(!script.contains(dev), "{dev} in the user's completions");
    }
}

#[test]
fn every_shell_gets_a_script() {
    for (shell, marker) in [
        ("zsh", "#compdef srtlog"),
        ("fish", "complete -c srtlog"),
        ("elvish", "edit:completion:arg-completer[srtlog]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = srtlog(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: {marker:?} missing in\n{script}");
        assert!(script.contains("analyze"), "{shell}");
    }
    let out = srtlog(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "an unknown shell is a usage error");
}

#[test]
fn man_prints_the_roff_page_of_srtlog_listing_its_commands() {
    let out = srtlog(&["man"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "roff: {}", &page[..page.len().min(200)]);
    assert!(title_line(&page).starts_with(".TH srtlog 1 "), "{}", &page[..page.len().min(200)]);
    assert!(page.contains(".SH NAME"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for command in COMMANDS {
        assert!(page.contains(&format!("srtlog\\-{command}(1)")), "{command} missing in\n{page}");
    }
    assert!(!page.contains("srtlog\\-help"), "clap's help command has no page");
    assert!(page.contains(env!("CARGO_PKG_VERSION")), "{page}");
}

#[test]
fn man_of_a_command_documents_its_flags() {
    let out = srtlog(&["man", "analyze"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    let title = title_line(&page);
    assert!(title.starts_with(".TH srtlog-analyze 1 "), "{title}");
    assert!(title.contains(&format!("\"srtlog {}\"", env!("CARGO_PKG_VERSION"))), "{title}");
    for flag in ["\\-\\-json", "\\-\\-no\\-cache", "\\-\\-cache\\-dir", "\\-\\-since"] {
        assert!(page.contains(flag), "{flag} missing in\n{page}");
    }
    let out = srtlog(&["man", "gen-corpus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("analyze, export, report, diff, completions, man"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn man_dir_writes_every_page() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man/man1");
    let out = srtlog(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut names: Vec<String> =
        fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "srtlog-analyze.1",
            "srtlog-completions.1",
            "srtlog-diff.1",
            "srtlog-export.1",
            "srtlog-man.1",
            "srtlog-report.1",
            "srtlog.1"
        ]
    );
    // The same page as printed.
    assert_eq!(fs::read(dir.join("srtlog-analyze.1")).unwrap(), srtlog(&["man", "analyze"]).stdout);
}
