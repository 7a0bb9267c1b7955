//! `tradeseg watch RULES DATA`: evaluates once, then again whenever the rules, their
//! includes or the data change, printing each time how many customers each segment has
//! and who moved since the previous evaluation. A broken edit is reported and the
//! previous rules stay in use.

use super::input::DataInput;
use super::{report, DataArgs, Exit, RulesPath};
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tradeseg::actions::Actions;
use tradeseg::assignments::Assignments;
use tradeseg::check::Checked;
use tradeseg::diagnostic::RulesError;
use tradeseg::msg;
use tradeseg::reload::{Live, ReloadEvent};
use tradeseg::run::{BothSinks, Extras, KeptCustomers, OutcomeSink, OutputFormat, RunError};
use tradeseg::RunOptions;

/// Arguments of `tradeseg watch`.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// The ruleset file.
    pub rules: RulesPath,
    /// The customer export (a file, so that it can be watched too).
    pub data: String,
    #[command(flatten)]
    pub data_args: DataArgs,
    /// Rewrite FILE (atomically, as CSV) with the results after every evaluation.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Record every evaluation in the membership history FILE, as of the run's date (each
    /// replaces the one before of that date), as `run --history` does.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// With --history, on its first run: every customer enters its segments.
    #[arg(long, requires = "history")]
    pub initial_enter: bool,
}

/// Runs `tradeseg watch` until interrupted.
pub fn run(args: WatchArgs) -> Exit {
    let streams = match args.data_args.event_inputs() {
        Ok(streams) => streams,
        Err(exit) => return exit,
    };
    let (tx, events) = channel();
    let mut others = vec![PathBuf::from(&args.data)];
    others.extend(streams.iter().filter_map(|e| match &e.source {
        tradeseg::record::Source::File(path) => Some(path.clone()),
        tradeseg::record::Source::Stdin | tradeseg::record::Source::Text(_) => None,
    }));
    let as_of = args.data_args.as_of.unwrap_or_else(tradeseg::date::today);
    if let Some(path) = &args.history {
        if let Err(exit) = super::remember::allows(path, as_of, None) {
            return exit;
        }
    }
    let fits = Fits {
        data: args.data.clone(),
        args: args.data_args.clone(),
        history: args.history.clone(),
        initial_enter: args.initial_enter,
        as_of,
        header: Mutex::new(None),
    };
    let build = Box::new(move |checked| ready(checked, &fits));
    let live = Live::watch_allowing(&args.rules, super::allowed_folders(), others, build, move |event| {
        let _ = tx.send(event);
    });
    let live: Live<Ready> = match live {
        Ok(live) => live,
        Err(e) => {
            report::diagnostics(&e.diagnostics, &e.sources);
            return Exit::Usage;
        }
    };
    let mut in_use: Arc<Ready> = live.current();
    if let Err(exit) = args.data_args.check_event_names(&in_use.checked) {
        return exit;
    }
    if let Some(output) = &args.output {
        let mut inputs = super::ruleset_files(&in_use.checked);
        inputs.extend(args.data_args.input_files(&args.data));
        if let Err(exit) = super::refuse_clashes(&inputs, &[super::clash::Role::new("--output", output)]) {
            return exit;
        }
    }
    let mut data = None;
    let mut previous = match evaluate(&args, &in_use, &mut data, true) {
        Ok(evaluated) => {
            say(&evaluated.summary);
            if let Err(exit) = write_output(&args, &evaluated) {
                return exit;
            }
            evaluated
        }
        Err(exit) => return exit,
    };
    say(&msg!("watching", rules = args.rules.display().to_string(), data = &args.data).to_string());
    for event in events {
        // Live swaps in only rules that fit the data's columns; a data change is evaluated
        // with the rules in use.
        let (why, candidate, reread) = match event {
            ReloadEvent::Reloaded { .. } => (msg!("watch-rules-changed"), live.current(), false),
            ReloadEvent::Changed { .. } => (msg!("watch-data-changed"), Arc::clone(&in_use), true),
            ReloadEvent::Rejected { report, .. } => {
                errln!("{report}");
                say(&msg!("watch-rules-broken").to_string());
                continue;
            }
            ReloadEvent::WatchFailed { message } => {
                say(&msg!("watch-failed", reason = message).to_string());
                continue;
            }
        };
        match evaluate(&args, &candidate, &mut data, reread) {
            Ok(next) => {
                // The same customers in the same order (an edit of the rules) compare by
                // their places; otherwise the two results files are compared by id.
                let moved = next
                    .placed
                    .changes_since(&previous.placed)
                    .unwrap_or_else(|| tradeseg::snapshot::compare(&previous.results, &next.results));
                let moves = if moved.is_empty() {
                    format!("       {}\n", msg!("watch-nobody-moved"))
                } else {
                    report::changes(&moved)
                };
                let heading = msg!("watch-moved-heading");
                say(&format!("{why}: {}\n{heading}\n{}", next.summary, moves.trim_end()));
                // The counts first, the file after: a manager watching the terminal sees
                // the new counts without waiting for the output to be written. A file
                // that cannot be written is reported; the evaluation stands.
                let _ = write_output(&args, &next);
                in_use = candidate;
                previous = next;
            }
            Err(_) if !Arc::ptr_eq(&candidate, &in_use) => say(&msg!("watch-rules-do-not-fit").to_string()),
            Err(_) => say(&msg!("watch-data-unreadable").to_string()),
        }
    }
    Exit::Done
}

/// A ruleset ready to run: checked, with its action scripts compiled. A script that no
/// longer compiles makes an edit broken, like a rule that does not parse.
struct Ready {
    checked: Checked,
    actions: Option<Actions>,
    /// Where customers were at the previous recorded run (with `--history`).
    memberships: Option<Arc<tradeseg::membership::Memberships>>,
}

/// What an edit is checked against before it is swapped in: the data's header, and the
/// history when its rules read one.
struct Fits {
    data: String,
    args: DataArgs,
    history: Option<PathBuf>,
    initial_enter: bool,
    as_of: i32,
    /// The data's header as last read, and what for. Opening the data judges its encoding
    /// over the whole file, too slow to repeat for every edit of a large export.
    header: Mutex<Option<HeaderRead>>,
}

/// A CSV header (`None`: the data is JSON or could not be read), with the columns the rules
/// that read it wanted (a workbook's header row is found by them) and the file as it was
/// then (its size and time of change).
struct HeaderRead {
    wanted: Vec<String>,
    file: Option<(u64, std::time::SystemTime)>,
    header: Option<(Vec<String>, tradeseg::CompileOptions)>,
}

impl Fits {
    /// The data's CSV header and the options to compile against it, read again only when
    /// the file or the columns the rules read changed.
    fn header(&self, checked: &Checked) -> Option<(Vec<String>, tradeseg::CompileOptions)> {
        let wanted: Vec<String> = checked.fields().iter().map(|f| f.column.clone()).collect();
        let file = std::fs::metadata(&self.data).and_then(|m| Ok((m.len(), m.modified()?))).ok();
        let mut seen = self.header.lock().ok();
        if let Some(Some(seen)) = seen.as_deref() {
            if file.is_some() && seen.file == file && seen.wanted == wanted {
                return seen.header.clone();
            }
        }
        let input = self.args.input(&self.data, checked).ok();
        let header = input.filter(|i| i.format == tradeseg::record::InputFormat::Csv).and_then(|input| {
            let options = self.args.run_options(&input, OutputFormat::Csv).compile;
            csv_header(input).map(|header| (header, options))
        });
        if let Some(seen) = seen.as_deref_mut() {
            *seen = Some(HeaderRead { wanted, file, header: header.clone() });
        }
        header
    }
}

fn ready(checked: Checked, fits: &Fits) -> Result<Ready, RulesError> {
    let mut actions = Actions::load(&checked)?;
    let memberships = match &fits.history {
        None => {
            let needed = super::remember::history_needed(&checked);
            if !needed.is_empty() {
                return Err(RulesError { sources: checked.sources().clone(), diagnostics: needed });
            }
            None
        }
        Some(path) => super::remember::load(actions.as_mut(), &checked, path, fits.as_of, fits.initial_enter)
            .map_err(|e| RulesError::general(msg!("history-database", reason = e.to_string())))?,
    };
    // Rules that name a column the data lacks are a broken edit too: the previous rules
    // stay in use. (JSON has no header; its keys are checked as records are read.)
    if let Some((header, options)) = fits.header(&checked) {
        checked.compile(&tradeseg::Schema::from_header(header), &options)?;
    }
    Ok(Ready { checked, actions, memberships })
}

/// The data's CSV header, if it can be read.
fn csv_header(input: super::input::DataInput) -> Option<Vec<String>> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(input.delimiter).flexible(true).from_reader(input.reader);
    Some(reader.headers().ok()?.iter().map(str::to_string).collect())
}

/// One evaluation: its results as CSV, where every customer went (both to compare with the
/// next evaluation), and the summary to print.
struct Evaluated {
    results: String,
    placed: Assignments,
    summary: String,
}

/// The data as last read: its customers in evaluation form, and how it was read. An edit
/// of the rules that reads the same columns the same way is evaluated over these, without
/// reading the file again.
struct KeptData {
    customers: KeptCustomers,
    /// The size of the last results written from them.
    results_size: usize,
    /// The input it was read from, its reader spent (a workbook's places for its errors).
    input: DataInput,
    options: RunOptions,
}

/// Evaluates the rules over the data (and records the run with `--history`); the caller
/// writes `--output` once the counts are printed. The data is read again when `reread`,
/// when nothing is kept, or when the rules read it otherwise than the kept customers were
/// read; what can be kept is kept in `data` for the next evaluation.
fn evaluate(
    args: &WatchArgs,
    rules: &Ready,
    data: &mut Option<KeptData>,
    reread: bool,
) -> Result<Evaluated, Exit> {
    let checked = &rules.checked;
    let started = Instant::now();
    let as_of = args.data_args.as_of.unwrap_or_else(tradeseg::date::today);
    // About as much as last time: growing 60 MB by doubling costs its copies.
    let mut results = Vec::with_capacity(data.as_ref().map_or(0, |kept| kept.results_size));
    let events = args.data_args.event_inputs()?;
    let mut recorded = args.history.as_ref().map(|_| tradeseg::history::RunResults::default());
    let mut placed = Assignments::default();
    let mut both;
    let outcomes: &mut dyn OutcomeSink = match recorded.as_mut() {
        Some(recorded) => {
            both = BothSinks(recorded, &mut placed);
            &mut both
        }
        None => &mut placed,
    };
    let over_kept = match data.as_ref().filter(|_| !reread) {
        Some(kept) => {
            let mut options = kept.options.clone();
            options.compile.as_of = as_of;
            let run = tradeseg::run::run_kept(
                checked,
                extras(rules, &events, outcomes),
                &kept.customers,
                &mut results,
                &options,
            );
            run.map(|report| {
                report.map(|mut report| {
                    kept.input.place_errors(&mut report);
                    report
                })
            })
        }
        None => Ok(None),
    };
    let run = match over_kept {
        Ok(Some(report)) => Ok(report),
        Ok(None) => {
            let mut input = args.data_args.input(&args.data, checked)?;
            let options = args.data_args.run_options(&input, OutputFormat::Csv);
            let reader = std::mem::replace(&mut input.reader, Box::new(std::io::empty()));
            *data = None;
            tradeseg::run::run_keeping(
                checked,
                extras(rules, &events, outcomes),
                reader,
                &mut results,
                &options,
            )
            .map(|(mut report, customers)| {
                input.place_errors(&mut report);
                *data = customers.map(|customers| KeptData { customers, input, options, results_size: 0 });
                report
            })
        }
        Err(e) => Err(e),
    };
    if let Some(kept) = data.as_mut() {
        kept.results_size = results.len() + results.len() / 16;
    }
    let report = match run {
        Ok(report) => report,
        Err(RunError::Bind(error)) => {
            report::diagnostics(&error.diagnostics, &error.sources);
            return Err(Exit::Usage);
        }
        Err(e) => {
            super::say_error(e);
            return Err(Exit::Data);
        }
    };
    if let (Some(path), Some(results)) = (&args.history, &recorded) {
        let run = super::remember::Run { rules: &args.rules, data: &args.data, as_of, rewrite_from: None };
        super::remember::record(path, checked, &run, results, &[])?;
    }
    let elapsed = started.elapsed().as_millis();
    report::run_summary(&report, as_of, true);
    let summary = format!(
        "{}\n{}",
        msg!("watch-evaluated", ms = elapsed as u64),
        report::summary(&report, as_of).trim_end()
    );
    // Results are UTF-8; taken as they are, not copied.
    let results =
        String::from_utf8(results).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(Evaluated { results, placed, summary })
}

/// What a run takes besides the customers: the scripts, the events, the history.
fn extras<'a>(
    rules: &'a Ready,
    events: &'a [tradeseg::events::EventInput],
    outcomes: &'a mut dyn OutcomeSink,
) -> Extras<'a> {
    Extras {
        actions: rules.actions.as_ref(),
        plan: None,
        events,
        outcomes: Some(outcomes),
        memberships: rules.memberships.as_deref(),
        ..Default::default()
    }
}

/// Writes the evaluation's results to `--output`, atomically, and says so (a program
/// reading the file waits for that line); says why when it cannot.
fn write_output(args: &WatchArgs, evaluated: &Evaluated) -> Result<(), Exit> {
    let Some(path) = &args.output else { return Ok(()) };
    let shown = path.display().to_string();
    match super::output::write_atomically(path, evaluated.results.as_bytes()) {
        Ok(()) => {
            say(&msg!("watch-written", path = &shown).to_string());
            Ok(())
        }
        Err(e) => {
            super::say_error(msg!(
                "cannot-write-file",
                path = shown,
                reason = tradeseg::messages::io_error(&e)
            ));
            Err(Exit::Failed)
        }
    }
}

/// Prints a timestamped line to standard output at once.
fn say(text: &str) {
    let now = chrono::Local::now().format("%H:%M:%S");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "[{now}] {text}");
    let _ = out.flush();
}
