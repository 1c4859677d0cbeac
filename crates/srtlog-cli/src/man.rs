//! `man`: the man pages of `srtlog`, in roff, generated from the clap definition by
//! `clap_mangen` so they document exactly the flags there are.
//!
//! One page per command, named as git names its own: `srtlog(1)` (what srtlog is, its global
//! flags, the list of commands) and `srtlog-analyze(1)`, `srtlog-report(1)`, ... with every
//! flag of that command. `srtlog man` prints `srtlog(1)`, `srtlog man analyze` prints
//! `srtlog-analyze(1)`, and `srtlog man --dir DIR` writes them all as `DIR/srtlog.1`,
//! `DIR/srtlog-analyze.1`, ... for packagers and `MANPATH`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_mangen::Man;

use crate::load::write_atomically;
use crate::Cli;

/// Options of `man`.
#[derive(Debug, Clone, Args)]
#[command(after_long_help = "\
Examples:
  srtlog man | man -l -                       read srtlog(1)
  srtlog man analyze | man -l -               read srtlog-analyze(1)
  srtlog man --dir ~/.local/share/man/man1    install every page for `man srtlog`")]
pub struct ManArgs {
    /// Print the page of this command (e.g. `analyze` for srtlog-analyze(1)) instead of
    /// srtlog(1).
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
    /// Write every page (srtlog.1, srtlog-analyze.1, ...) into DIR, created if missing, instead
    /// of printing one.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

/// One man page: its file name (`srtlog-analyze.1`), the command it documents (`analyze`,
/// empty for srtlog(1)) and its roff text.
#[derive(Debug, Clone)]
pub struct Page {
    /// File name, with the section as extension.
    pub file_name: String,
    /// The subcommand documented, or "" for the page of srtlog itself.
    pub command: String,
    /// The page in roff.
    pub roff: Vec<u8>,
}

/// Every man page: srtlog(1) first, then one per visible command, in the order of `--help`.
pub fn pages() -> io::Result<Vec<Page>> {
    // The `help` subcommand is clap's, not a command worth a page (nor a line in srtlog(1)).
    let mut cli = Cli::command().disable_help_subcommand(true);
    // Building names the subcommands as pages name them: display name `srtlog-analyze`,
    // binary name `srtlog analyze` (for the synopsis).
    cli.build();
    let mut pages = vec![render("", Man::new(cli.clone()))?];
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages.push(render(sub.get_name(), Man::new(sub.clone()))?);
    }
    Ok(pages)
}

fn render(command: &str, man: Man) -> io::Result<Page> {
    // The footer names the package, not the command (clap_mangen would write `analyze 0.1.0`).
    let man = man.source(concat!("srtlog ", env!("CARGO_PKG_VERSION")));
    let mut roff = Vec::new();
    man.render(&mut roff)?;
    Ok(Page { file_name: man.get_filename(), command: command.to_owned(), roff })
}

/// Runs `man`.
pub fn run(args: &ManArgs) -> ExitCode {
    let pages = match pages() {
        Ok(pages) => pages,
        Err(err) => {
            eprintln!("srtlog: cannot render the man pages: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(dir) = &args.dir {
        return write_pages(&pages, dir);
    }
    let wanted = args.command.as_deref().unwrap_or("");
    let Some(page) = pages.iter().find(|p| p.command == wanted) else {
        let commands: Vec<&str> =
            pages.iter().map(|p| p.command.as_str()).filter(|c| !c.is_empty()).collect();
        eprintln!("srtlog: no man page for {wanted:?}; commands: {}", commands.join(", "));
        return ExitCode::from(2);
    };
    match io::stdout().lock().write_all(&page.roff) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("srtlog: cannot write output: {err}");
            ExitCode::FAILURE
        }
    }
}

fn write_pages(pages: &[Page], dir: &Path) -> ExitCode {
    if let Err(err) = std::fs::create_dir_all(dir) {
        eprintln!("srtlog: cannot create {}: {err}", dir.display());
        return ExitCode::FAILURE;
    }
    for page in pages {
        let path = dir.join(&page.file_name);
        if let Err(err) = write_atomically(&path, |w| w.write_all(&page.roff)) {
            eprintln!("srtlog: cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
    }
    eprintln!("wrote {} man pages to {}", pages.len(), dir.display());
    ExitCode::SUCCESS
}
