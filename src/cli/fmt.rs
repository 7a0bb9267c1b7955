//! `tradeseg fmt [--check] PATHS`: rewrites rulesets in the one canonical layout
//! ([`tradeseg::format`]), atomically; `--check` only says which files are not in it, for CI.

use super::{report, Exit};
use std::path::PathBuf;
use tradeseg::format::{format_ruleset, NotFormatted};
use tradeseg::messages::io_error;
use tradeseg::msg;

/// Arguments of `tradeseg fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Ruleset files, or folders whose rulesets (`*.seg`, searched recursively) to format.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Change nothing: list the files not in the canonical layout, and exit 1 if any.
    #[arg(long)]
    pub check: bool,
}

/// Runs `tradeseg fmt`.
pub fn run(args: FmtArgs) -> Exit {
    let mut files = Vec::new();
    for path in &args.paths {
        match super::test::rulesets(path) {
            Ok(found) => files.extend(found),
            Err(e) => {
                super::say_error(msg!(
                    "cannot-read-file",
                    path = path.display().to_string(),
                    reason = io_error(&e)
                ));
                return Exit::Usage;
            }
        }
    }
    let (mut unformatted, mut invalid) = (0, 0);
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => {
                super::say_error(msg!(
                    "cannot-read-file",
                    path = file.display().to_string(),
                    reason = io_error(&e)
                ));
                invalid += 1;
                continue;
            }
        };
        let formatted = match format_ruleset(&text) {
            Ok(formatted) => formatted,
            Err(NotFormatted::Invalid(diagnostics)) => {
                let mut sources = tradeseg::source::Sources::new();
                sources.add(file.display().to_string(), text.clone());
                report::diagnostics(&diagnostics, &sources);
                super::say(msg!("fmt-has-errors", path = file.display().to_string()));
                invalid += 1;
                continue;
            }
            Err(NotFormatted::Changed) => {
                super::say_error(msg!("fmt-would-change", path = file.display().to_string()));
                invalid += 1;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        unformatted += 1;
        if args.check {
            outln!("{}", file.display());
        } else if let Err(e) = super::output::write_atomically(file, formatted.as_bytes()) {
            super::say_error(msg!(
                "cannot-write-file",
                path = file.display().to_string(),
                reason = io_error(&e)
            ));
            return Exit::Failed;
        } else {
            outln!("{}", msg!("fmt-formatted", path = file.display().to_string()));
        }
    }
    match (invalid, unformatted, args.check) {
        (0, 0, _) => Exit::Done,
        (0, n, true) => {
            super::say(msg!("fmt-unformatted", files = report::count(n as u64, "file")));
            Exit::Failed
        }
        (0, _, false) => Exit::Done,
        _ => Exit::Usage,
    }
}
