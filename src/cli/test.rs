//! `tradeseg test RULES_OR_DIR [--accept]`: runs every `test` block, and checks each ruleset
//! that names sample data against its stored snapshot, showing who would move where.

use super::Exit;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tradeseg::check::Checked;
use tradeseg::msg;
use tradeseg::snapshot;
use tradeseg::source::Sources;

/// Arguments of `tradeseg test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// A ruleset file, or a folder whose rulesets (`*.seg`, searched recursively) to test.
    pub rules: PathBuf,
    /// Store the current results as the snapshots.
    #[arg(long)]
    pub accept: bool,
    /// As-of date for tests that do not give their own (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    pub as_of: Option<i32>,
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    seen: HashSet<(PathBuf, u32)>,
}

/// Runs `tradeseg test`.
pub fn run(args: TestArgs) -> Exit {
    let files = match rulesets(&args.rules) {
        Ok(files) if !files.is_empty() => files,
        Ok(_) => {
            super::say_error(msg!("no-rulesets", path = args.rules.display().to_string()));
            return Exit::Usage;
        }
        Err(e) => {
            let (path, reason) = (args.rules.display().to_string(), tradeseg::messages::io_error(&e));
            super::say_error(msg!("cannot-read-file", path = path, reason = reason));
            return Exit::Usage;
        }
    };
    let as_of = args.as_of.unwrap_or_else(tradeseg::date::today);
    let mut tally = Tally::default();
    for file in &files {
        match super::load_checked(file) {
            Ok(checked) => {
                run_blocks(&checked, as_of, &mut tally);
                check_snapshot(file, &checked, args.accept, &mut tally);
            }
            Err(_) => {
                outln!("{}", msg!("test-fail-load", path = file.display().to_string()));
                tally.failed += 1;
            }
        }
    }
    outln!("{}", msg!("test-tally", passed = tally.passed, failed = tally.failed));
    if tally.failed > 0 {
        Exit::Failed
    } else {
        Exit::Done
    }
}

fn run_blocks(checked: &Checked, as_of: i32, tally: &mut Tally) {
    for result in tradeseg::verify::run_tests(checked, as_of) {
        let path = std::fs::canonicalize(checked.sources().name(result.span.file)).unwrap_or_default();
        if !tally.seen.insert((path, result.span.start)) {
            continue; // the same test, reached again through an include
        }
        let at = place(checked.sources(), result.span);
        if result.passed() {
            outln!("{}", msg!("test-ok", what = format!("{at} {:?}", result.name)));
            tally.passed += 1;
            continue;
        }
        outln!("{}", msg!("test-fail", what = format!("{at} {:?}", result.name)));
        for (span, message) in &result.failures {
            outln!("       {}: {message}", place(checked.sources(), *span));
        }
        tally.failed += 1;
    }
}

fn check_snapshot(file: &Path, checked: &Checked, accept: bool, tally: &mut Tally) {
    let text = checked.sources().text(0);
    let Some(sample) = snapshot::sample(file, text) else { return };
    let stored_at = snapshot::snapshot_path(file);
    let shown = stored_at.display();
    let outcome = sample.and_then(|s| snapshot::results(checked, &s));
    let actual = match outcome {
        Ok(actual) => actual,
        Err(message) => {
            outln!("{}", msg!("test-fail-snapshot", path = file.display().to_string(), problem = message));
            tally.failed += 1;
            return;
        }
    };
    let expected = std::fs::read_to_string(&stored_at).ok();
    if expected.as_deref() == Some(actual.as_str()) {
        outln!("{}", msg!("test-ok", what = shown.to_string()));
        tally.passed += 1;
        return;
    }
    if accept {
        match super::output::write_atomically(&stored_at, actual.as_bytes()) {
            Ok(()) => {
                outln!("{}", msg!("test-ok-stored", what = shown.to_string()));
                tally.passed += 1;
            }
            Err(e) => {
                let reason = tradeseg::messages::io_error(&e);
                outln!("{}", msg!("test-fail-store", what = shown.to_string(), reason = reason));
                tally.failed += 1;
            }
        }
        return;
    }
    tally.failed += 1;
    match expected {
        None => {
            let path = file.display().to_string();
            outln!("{}", msg!("test-fail-no-snapshot", what = shown.to_string(), path = path))
        }
        Some(expected) => {
            outln!("{}", msg!("test-fail-changed", what = shown.to_string()));
            out!("{}", super::report::changes(&snapshot::compare(&expected, &actual)));
            outln!("       {}", msg!("test-accept-hint", path = file.display().to_string()));
        }
    }
}

fn place(sources: &Sources, span: tradeseg::source::Span) -> String {
    let (line, _) = sources.line_column(span);
    format!("{}:{line}", sources.name(span.file))
}

/// The ruleset files: the path itself, or every `*.seg` below a folder, sorted.
pub fn rulesets(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut folders = vec![path.to_path_buf()];
    // Each folder and file once, by where it really is: links to a parent end no search.
    let mut visited = HashSet::new();
    let mut listed = HashSet::new();
    while let Some(folder) = folders.pop() {
        if !visited.insert(std::fs::canonicalize(&folder)?) {
            continue;
        }
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?.path();
            let hidden = entry.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden {
                continue;
            } else if entry.is_dir() {
                folders.push(entry);
            } else if entry.extension().is_some_and(|e| e == "seg")
                && listed.insert(std::fs::canonicalize(&entry).unwrap_or_else(|_| entry.clone()))
            {
                found.push(entry);
            }
        }
    }
    found.sort();
    Ok(found)
}
