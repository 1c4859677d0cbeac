//! `cargo xtask analyze|report|export|diff` are srtlog's own commands: the same flags and the same
//! output as the `srtlog_cli` library gives for the same arguments.

use std::process::Command;

use clap::Parser;
use srtlog_cli::{Cli, Command as SrtlogCommand, RunsCommand};

use crate::testdata;

/// What `xtask <args>` prints on stdout, checking that it succeeded.
fn xtask(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// What `srtlog <args>` prints, computed in-process by srtlog_cli's parser, loader and writer.
fn srtlog_analyze(args: &[&str]) -> String {
    let cli = Cli::try_parse_from([&["srtlog"], args].concat()).unwrap();
    let SrtlogCommand::Runs(RunsCommand::Analyze(analyze)) = cli.command else {
        panic!("not analyze: {args:?}")
    };
    let report = srtlog_cli::load::load(&analyze.load, analyze.node_detail()).unwrap();
    let mut out = Vec::new();
    srtlog_cli::analyze::write_output(&analyze, report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn xtask_analyze_prints_what_srtlog_analyze_prints() {
    for dir in ["runs", "bad-runs"] {
        let dir = testdata(dir);
        for extra in [&["--json"][..], &[]] {
            let mut args = vec!["analyze", dir.to_str().unwrap(), "--no-cache"];
            args.extend_from_slice(extra);
            let from_xtask = xtask(&args);
            assert!(from_xtask.len() > 100, "{from_xtask}");
            assert_eq!(from_xtask, srtlog_analyze(&args), "{args:?}");
        }
    }
    // Filters are forwarded too: only the four h100 runs (3667, 4999, 6002, 6003).
    let runs = testdata("runs");
    let args = ["analyze", runs.to_str().unwrap(), "--no-cache", "--json", "--gpu-type", "h100"];
    let doc: serde_json::Value = serde_json::from_str(&xtask(&args)).unwrap();
    assert_eq!(doc["runs"].as_array().unwrap().len(), 4);
}

#[test]
fn xtask_offers_the_developer_commands_and_srtlog_does_not() {
    let help = xtask(&["--help"]);
    for command in ["analyze", "report", "export", "bench", "gen-corpus", "tidy"] {
        assert!(help.contains(command), "{command} missing in\n{help}");
    }
    assert!(!help.contains("bench-load"), "bench-load is hidden");
    for developer_command in ["bench", "bench-load", "gen-corpus", "tidy"] {
        assert!(
            Cli::try_parse_from(["srtlog", developer_command, "x"]).is_err(),
            "srtlog accepts {developer_command}"
        );
    }
}

#[test]
fn xtask_diff_prints_what_srtlog_diff_prints() {
    let root = testdata("diff");
    let args =
        ["diff", "7001", "7003", "--root", root.to_str().unwrap(), "--no-cache", "-q", "--fail-on", "none"];
    let from_xtask = xtask(&args);
    let cli = Cli::try_parse_from([&["srtlog"][..], &args].concat()).unwrap();
    let SrtlogCommand::Runs(RunsCommand::Diff(diff)) = cli.command else { panic!("not diff") };
    let side = |name, sel: &str| {
        let selector = srtlog_cli::diff::Selector::parse(sel).unwrap();
        srtlog_cli::diff::load_side(name, &selector, &diff.root, &diff.load).unwrap()
    };
    let (a, b) = (side("baseline", "7001"), side("candidate", "7003"));
    let comparison = srtlog_diff::compare(&a.inputs(), &b.inputs());
    let gate = srtlog_diff::gate::Gate::parse("none").unwrap().check(&comparison);
    let expected = srtlog_cli::diff::render(&comparison) + &srtlog_cli::diff::gate_lines(&comparison, &gate);
    assert_eq!(from_xtask, expected);
    assert!(from_xtask.contains("setup: comparable: 3 settings differ:"));
}
