//! `completions <shell>`: a shell completion script for `srtlog`, generated from the clap
//! definition by `clap_complete`, so it completes exactly the commands and flags there are.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::Cli;

/// Options of `completions`.
#[derive(Debug, Clone, Args)]
#[command(after_long_help = "\
Install the script where your shell looks for completions, e.g.:
  bash:        srtlog completions bash > ~/.local/share/bash-completion/completions/srtlog
  zsh:         srtlog completions zsh > ~/.zfunc/_srtlog
               (with `fpath+=~/.zfunc; autoload -U compinit; compinit` in ~/.zshrc)
  fish:        srtlog completions fish > ~/.config/fish/completions/srtlog.fish
  elvish:      srtlog completions elvish >> ~/.config/elvish/rc.elv
  powershell:  srtlog completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: Shell,
}

/// Runs `completions`: the script on stdout.
pub fn run(args: &CompletionsArgs) -> ExitCode {
    let script = script(args.shell);
    match io::stdout().lock().write_all(&script) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("srtlog: cannot write output: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The completion script for `shell`. Generated into memory: `clap_complete` panics on a
/// write error, and a closed pipe is not worth a panic.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "srtlog", &mut script);
    script
}
