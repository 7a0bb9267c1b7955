//! The `tradeseg` command: parses the command line and hands over to [`cli`]. Exit
//! status: 0 done, 1 the results could not be written, 2 the ruleset or the command line
//! is wrong (nothing evaluated), 3 the data is wrong (errors under `--strict`, or input
//! that cannot be read at all).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    cli::remove_temporary_files_on_signal();
    let code = cli::main(args);
    ExitCode::from(code as u8)
}
