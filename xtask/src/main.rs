//! `cargo xtask` entry point (see the `xtask` library).

fn main() -> std::process::ExitCode {
    xtask::main()
}
