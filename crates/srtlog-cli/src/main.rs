//! The `srtlog` binary (`cargo install --path crates/srtlog-cli`); everything is in the
//! `srtlog_cli` library, which `cargo xtask` shares.

fn main() -> std::process::ExitCode {
    srtlog_cli::main()
}
