//! The membership history as `run` and `watch` use it: refusing rules that read it when
//! no history is given, loading where customers were at the previous run, checking that
//! a run may be recorded, and recording it with what it moved.

use super::{report, Exit};
use std::path::Path;
use std::sync::Arc;
use tradeseg::actions::Actions;
use tradeseg::check::Checked;
use tradeseg::history::{fingerprint, fingerprint_file, History, PinRecord, RunRecord, RunResults};
use tradeseg::membership::Memberships;
use tradeseg::msg;

/// The diagnostics of the rules and clauses that read the history (`previous(…)`,
/// `days_in(…)`, `on enter`, `on leave`): without one they would never see a move.
pub fn history_needed(checked: &Checked) -> Vec<tradeseg::Diagnostic> {
    let clauses = checked.lifecycle_clauses().map(|at| (at.span, msg!("lifecycle-needs-history")));
    let reads = checked.history_reads().map(|f| (f.span, msg!("rule-needs-history", name = &f.name)));
    clauses
        .chain(reads)
        .map(|(at, message)| {
            tradeseg::Diagnostic::error(at, message)
                .label(msg!("lifecycle-needs-history-label"))
                .help(msg!("lifecycle-needs-history-help"))
        })
        .collect()
}

/// Stops (exit 2, nothing read) when the rules read a history and none is given.
pub fn refuse_without_history(checked: &Checked) -> Result<Option<Arc<Memberships>>, Exit> {
    let needed = history_needed(checked);
    if needed.is_empty() {
        return Ok(None);
    }
    report::diagnostics(&needed, checked.sources());
    Err(Exit::Usage)
}

/// Where each customer was at the latest run recorded before `as_of`, in the dimensions
/// the rules and scripts need it for; the scripts are told too. `None` when nothing needs
/// it.
pub fn memberships(
    actions: Option<&mut Actions>,
    checked: &Checked,
    path: &Path,
    as_of: i32,
    initial_enter: bool,
) -> Result<Option<Arc<Memberships>>, Exit> {
    let lifecycle = actions.as_ref().is_some_and(|a| !a.lifecycle_dimensions().is_empty());
    let memberships = load(actions, checked, path, as_of, initial_enter).map_err(|e| {
        super::say_error(e);
        Exit::Usage
    })?;
    if lifecycle && memberships.as_ref().is_some_and(|m| !m.moves_count()) {
        super::say(msg!("lifecycle-baseline"));
    }
    Ok(memberships)
}

/// [`memberships`], saying nothing: the history's error is the caller's to report.
pub fn load(
    mut actions: Option<&mut Actions>,
    checked: &Checked,
    path: &Path,
    as_of: i32,
    initial_enter: bool,
) -> Result<Option<Arc<Memberships>>, tradeseg::history::HistoryError> {
    let mut wanted = actions.as_ref().map(|a| a.scripted_dimensions()).unwrap_or_default();
    wanted.extend(checked.history_dimensions());
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(None);
    }
    let mut memberships = History::open(path)?.memberships(as_of, &checked.segment_names(), &wanted)?;
    memberships.set_initial_enter(initial_enter);
    let memberships = Arc::new(memberships);
    if let Some(actions) = actions.as_mut() {
        actions.set_memberships(memberships.clone());
    }
    Ok(Some(memberships))
}

/// Stops (exit 2, nothing read or written) when a run of `as_of` could not be recorded:
/// the history has a later run (unless `rewrite_from` takes it back).
pub fn allows(path: &Path, as_of: i32, rewrite_from: Option<i32>) -> Result<(), Exit> {
    if !path.exists() {
        return Ok(());
    }
    if rewrite_from.is_some_and(|from| from > as_of) {
        super::say_error(msg!("rewrite-from-after-as-of"));
        return Err(Exit::Usage);
    }
    let as_of = tradeseg::date::format(as_of);
    match History::open(path).and_then(|h| h.latest()) {
        Ok(Some(latest)) if latest > as_of && rewrite_from.is_none() => {
            super::say_error(tradeseg::history::HistoryError::Earlier { as_of, latest });
            super::say_help(msg!("history-earlier-help"));
            Err(Exit::Usage)
        }
        Ok(_) => Ok(()),
        Err(e) => {
            super::say_error(e);
            Err(Exit::Usage)
        }
    }
}

/// What is recorded of a run besides its results.
pub struct Run<'a> {
    pub rules: &'a Path,
    /// The data as named on the command line (`-`: standard input, not fingerprinted).
    pub data: &'a str,
    pub as_of: i32,
    pub rewrite_from: Option<i32>,
}

/// Records the run's outcomes in the history file, as of the run's date, and says what
/// moved.
pub fn record(
    path: &Path,
    checked: &Checked,
    run: &Run,
    results: &RunResults,
    pins: &[PinRecord],
) -> Result<(), Exit> {
    let failed = |e: &dyn std::fmt::Display| {
        super::say_error(msg!(
            "history-not-recorded",
            path = path.display().to_string(),
            reason = e.to_string()
        ));
        Exit::Failed
    };
    let ruleset_text: String =
        checked.paths().iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    // The data file is read for its fingerprint while the history file is opened.
    let (data_hash, history) = std::thread::scope(|scope| {
        let hashing = scope.spawn(|| match run.data {
            "-" => String::new(),
            data => fingerprint_file(Path::new(data)).unwrap_or_default(),
        });
        let history = History::open(path);
        (hashing.join().unwrap_or_default(), history)
    });
    let record = RunRecord {
        as_of: run.as_of,
        ruleset_text: std::fs::read_to_string(run.rules).unwrap_or_default(),
        ruleset_hash: fingerprint(ruleset_text.as_bytes()),
        data_name: run.data.to_string(),
        data_hash,
        rewrite_from: run.rewrite_from,
    };
    let mut history = history.map_err(|e| failed(&e))?;
    let recorded = history.record_with_pins(&record, results, pins).map_err(|e| failed(&e))?;
    let date = tradeseg::date::format(run.as_of);
    let what = if recorded.replaced { msg!("recorded-again") } else { msg!("recorded") };
    let file = path.display().to_string();
    if recorded.baseline {
        let customers = report::count(results.len() as u64, "customer");
        super::say(msg!("history-baseline", what = what, date = date, file = file, customers = customers));
    } else {
        let moved: Vec<String> = recorded.moved.iter().map(|(d, n)| format!("{d} {n}")).collect();
        let tags = report::count(recorded.tags_changed, "tag change");
        let moved = moved.join(", ");
        super::say(msg!(
            "history-recorded",
            what = what,
            date = date,
            file = file,
            moved = moved,
            tags = tags
        ));
    }
    Ok(())
}
