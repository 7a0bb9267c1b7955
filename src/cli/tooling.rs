//! `tradeseg completions SHELL` and `tradeseg man`: shell completion scripts and a manual
//! page, both made from the command line's own definition (clap_complete, clap_mangen), so
//! that they never fall behind it.

use super::{Args, Exit};
use clap::CommandFactory;
use std::io::Write;
use tradeseg::msg;

/// Arguments of `tradeseg completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    pub shell: clap_complete::Shell,
}

/// Prints the completion script for a shell, e.g. `tradeseg completions bash >
/// ~/.local/share/bash-completion/completions/tradeseg`.
pub fn completions(args: CompletionsArgs) -> Exit {
    let mut command = Args::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "tradeseg", &mut script);
    written(std::io::stdout().write_all(&script))
}

/// Prints the manual page in roff, e.g. `tradeseg man > tradeseg.1; man ./tradeseg.1`.
pub fn man() -> Exit {
    let mut page = Vec::new();
    let rendered = clap_mangen::Man::new(Args::command()).render(&mut page);
    written(rendered.and_then(|()| std::io::stdout().write_all(&page)))
}

fn written(result: std::io::Result<()>) -> Exit {
    match result {
        Ok(()) => Exit::Done,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Done,
        Err(e) => {
            super::say_error(msg!("cannot-write", reason = tradeseg::messages::io_error(&e)));
            Exit::Failed
        }
    }
}
