//! `tradeseg fmt [--check] PATHS`: rewrites rulesets in the one canonical layout
//! ([`tradeseg::format`]), atomically; `--check` only says which files are not in it, for CI.

use super::{report, Exit};
use std::path::PathBuf;
use tradeseg::format::{format_ruleset, NotFormatted};

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
                errln!("error: cannot read `{}`: {e}", path.display());
                return Exit::Usage;
            }
        }
    }
    let (mut unformatted, mut invalid) = (0, 0);
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => {
                errln!("error: cannot read `{}`: {e}", file.display());
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
                errln!("`{}` was left as it is: it has errors", file.display());
                invalid += 1;
                continue;
            }
            Err(NotFormatted::Changed) => {
                errln!(
                    "error: formatting `{}` would change more than its layout; it was left as it is",
                    file.display()
                );
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
            errln!("error: cannot write `{}`: {e}", file.display());
            return Exit::Failed;
        } else {
            outln!("formatted {}", file.display());
        }
    }
    match (invalid, unformatted, args.check) {
        (0, 0, _) => Exit::Done,
        (0, n, true) => {
            errln!(
                "{} not in the canonical layout; `tradeseg fmt` rewrites them",
                report::count(n as u64, "file")
            );
            Exit::Failed
        }
        (0, _, false) => Exit::Done,
        _ => Exit::Usage,
    }
}
