//! The `srtlog` binary: the same commands as `cargo xtask`, installable with
//! `cargo install --path xtask --bin srtlog`.

fn main() -> std::process::ExitCode {
    xtask::main()
}
