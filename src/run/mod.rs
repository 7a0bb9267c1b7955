//! Running a ruleset over a whole export: the workers, one per core, take turns cutting
//! the input into chunks of whole records, then parse, evaluate and format their chunk;
//! the writer puts results back in input order, with memory flat in the number of records.
//! Bad cells are counted and described, never fatal here; what to do about them
//! (`--strict`) is the caller's decision.
//!
//! ```text
//! input ──chunks, in turn──▶ workers (parse, evaluate, format) ──results──▶ writer (reorder, write)
//! ```

mod ids;
mod kept;
mod report;
pub(crate) mod worker;
mod write;

pub use crate::error::RunError;
pub use kept::{run_keeping, run_kept, KeptCustomers};
pub use report::{DataError, DimensionCounts, Report, KEPT_ERRORS};
pub use write::plan_header;

use crate::actions::{Actions, PlanFormat};
use crate::check::Checked;
use crate::compile::{compile, CompileOptions, Program, Schema};
use crate::diagnostic::RulesError;
use crate::eval::WORKER_STACK;
use crate::events::{EventInput, History};
use crate::messages::Message;
use crate::msg;
use crate::record::batches::{BatchReader, Feed};
use crate::record::{InputError, InputFormat};
use kept::{layout, KeptBatch};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::thread;

/// The shape of the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Csv,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// An aligned table for reading in a terminal.
    Table,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub input_format: InputFormat,
    pub output_format: OutputFormat,
    /// The CSV field delimiter, usually `,`.
    pub delimiter: u8,
    /// Write every input column before the segment columns.
    pub keep_columns: bool,
    /// Start CSV output with a UTF-8 byte-order mark (for Excel).
    pub bom: bool,
    /// Evaluating threads; 0 means one per core; more than [`MAX_THREADS`] means that many.
    pub threads: usize,
    /// Put before the name of every column the run adds (segments, `tags`, fields scripts
    /// set), so that they cannot clash with the input's columns under `keep_columns`.
    pub prefix: String,
    pub compile: CompileOptions,
}

impl RunOptions {
    /// CSV in and out, one thread per core, with the given compile options (as-of date,
    /// id column).
    pub fn new(compile: CompileOptions) -> RunOptions {
        RunOptions {
            input_format: InputFormat::Csv,
            output_format: OutputFormat::Csv,
            delimiter: b',',
            keep_columns: false,
            bom: false,
            threads: 0,
            prefix: String::new(),
            compile,
        }
    }
}

/// The most evaluating threads a run starts, whatever it is asked for.
pub const MAX_THREADS: usize = 1024;

pub use crate::record::batches::Progress;

/// Runs a checked ruleset over `input`, writing results to `output`. Action scripts are
/// not run and no event history is read; [`run_with`] does both.
///
/// ```
/// use tradeseg::{CompileOptions, Ruleset, RunOptions};
///
/// let rules = "segment \"buyer\" when orders >= 1\n";
/// let checked = Ruleset::from_source("rules.seg", rules, ".")?.check()?;
/// let data = "id,orders\nC1,2\nC2,0\nC3,x\n";
/// let options = RunOptions::new(CompileOptions::new("2026-11-01")?);
/// let mut results = Vec::new();
/// let report = tradeseg::run::run(&checked, Box::new(data.as_bytes()), &mut results, &options, None)?;
/// assert_eq!(String::from_utf8(results)?, "id,tags\nC1,buyer\nC2,\nC3,\n");
/// assert_eq!((report.records, report.data_error_count), (3, 1)); // `x` is not a number
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(
    checked: &Checked,
    input: Box<dyn Read + Send>,
    output: &mut dyn Write,
    options: &RunOptions,
    progress: Option<Progress>,
) -> Result<Report, RunError> {
    run_with(checked, Extras::default(), input, output, options, progress)
}

/// What a run may take besides the customers: action scripts with a plan to write their
/// tasks to, event streams for rules over history, and a receiver of every customer's
/// outcome (for a program that files the results somewhere, as `--history` does).
#[derive(Default)]
pub struct Extras<'a> {
    pub actions: Option<&'a Actions>,
    pub plan: Option<PlanSink<'a>>,
    pub events: &'a [EventInput],
    pub outcomes: Option<&'a mut dyn OutcomeSink>,
    /// Pins of customers to segments, applied after the rules (see [`crate::overrides`]).
    pub overrides: Option<&'a crate::overrides::Overrides>,
    /// Where customers were at the previous recorded run, for rules that read it
    /// (`previous(…)`, `days_in(…)`).
    pub memberships: Option<&'a crate::membership::Memberships>,
}

/// Receives each customer's outcome as its result is written, in input order: the segment
/// per dimension and the tags, as indices into the names given first.
pub trait OutcomeSink {
    /// The names the indices stand for: per dimension its name and its segments' names
    /// (`otherwise` last), and the tags' names. Called once, before any customer.
    fn names(&mut self, dimensions: &[(String, Vec<String>)], tags: &[String]);
    /// One customer: its id, its segment per dimension (`None`: no segment), its tags.
    fn customer(&mut self, id: &str, segments: &[Option<u16>], tags: &[u16]);
}

/// Two receivers of every outcome, each told in turn (a run both recorded in the history
/// and compared with the one before, say).
pub struct BothSinks<'a>(pub &'a mut dyn OutcomeSink, pub &'a mut dyn OutcomeSink);

impl OutcomeSink for BothSinks<'_> {
    fn names(&mut self, dimensions: &[(String, Vec<String>)], tags: &[String]) {
        self.0.names(dimensions, tags);
        self.1.names(dimensions, tags);
    }

    fn customer(&mut self, id: &str, segments: &[Option<u16>], tags: &[u16]) {
        self.0.customer(id, segments, tags);
        self.1.customer(id, segments, tags);
    }
}

/// Where the follow-up plan goes, and in which format.
pub type PlanSink<'a> = (&'a mut dyn Write, PlanFormat);

/// Everything the stages share.
pub(crate) struct Setup<'a> {
    pub program: &'a Program,
    pub actions: Option<&'a Actions>,
    pub history: Option<&'a History>,
    pub memberships: Option<&'a crate::membership::Memberships>,
    pub options: &'a RunOptions,
    pub plan: Option<PlanFormat>,
    /// Workers keep each customer's outcome for an [`OutcomeSink`].
    pub outcomes: bool,
    /// Overrides bound to the program.
    pub pins: Option<&'a crate::overrides::Pins>,
    /// Where workers put each batch's customers in evaluation form, when the run keeps them.
    pub keep: Option<&'a Mutex<Vec<(u64, KeptBatch)>>>,
    /// The ids that repeat are known (kept customers): workers need not hand them on.
    pub ids_known: bool,
}

/// Where the workers take their work: the input, read chunk by chunk, or customers kept
/// from a run before.
pub(crate) enum Source<'k> {
    Read(Box<Feed>),
    Kept { batches: &'k [KeptBatch], next: AtomicUsize },
}

impl Source<'_> {
    /// The next numbered piece of work, or `None` at the end.
    pub(crate) fn next(&self) -> Option<(u64, worker::Work<'_>)> {
        match self {
            Source::Read(feed) => feed.next().map(|(seq, batch)| (seq, worker::Work::Read(batch))),
            Source::Kept { batches, next } => {
                let seq = next.fetch_add(1, Ordering::Relaxed);
                batches.get(seq).map(|batch| (seq as u64, worker::Work::Kept(batch)))
            }
        }
    }

    /// Takes back a piece of work once done: a chunk's buffer holds a later chunk.
    pub(crate) fn give_back(&self, work: worker::Work<'_>) {
        if let (Source::Read(feed), worker::Work::Read(batch)) = (self, work) {
            feed.give_back(batch);
        }
    }

    /// The input's read error, if reading stopped on one.
    fn error(self) -> Option<InputError> {
        match self {
            Source::Read(feed) => (*feed).error(),
            Source::Kept { .. } => None,
        }
    }
}

/// Runs a checked ruleset over `input`, writing results to `output`: reads the event
/// streams the rules need first, and runs the ruleset's action scripts (loaded with
/// [`Actions::load`]), writing their tasks to the plan.
pub fn run_with<'o>(
    checked: &Checked,
    extras: Extras<'o>,
    input: Box<dyn Read + Send>,
    output: &'o mut dyn Write,
    options: &RunOptions,
    progress: Option<Progress>,
) -> Result<Report, RunError> {
    let start = Start::read(input, options, progress)?;
    run_from(checked, extras, start, output, options, false).map(|(report, _)| report)
}

/// Where a run starts from: the input's header and a reader of the rest, or kept customers.
enum Start<'k> {
    Reader(Option<Vec<String>>, Box<BatchReader>),
    Kept(&'k KeptCustomers),
}

impl Start<'_> {
    /// Starts reading `input`: its header (none for JSON) first.
    fn read(
        input: Box<dyn Read + Send>,
        options: &RunOptions,
        progress: Option<Progress>,
    ) -> Result<Start<'static>, RunError> {
        let progress = progress.unwrap_or_default();
        let mut reader = BatchReader::new(input, options.input_format, options.delimiter, progress);
        Ok(Start::Reader(reader.header().map_err(RunError::Input)?, Box::new(reader)))
    }
}

fn run_from<'o>(
    checked: &Checked,
    extras: Extras<'o>,
    start: Start,
    output: &'o mut dyn Write,
    options: &RunOptions,
    keep: bool,
) -> Result<(Report, Option<KeptCustomers>), RunError> {
    let Extras { actions, plan, events, outcomes, overrides, memberships } = extras;
    let header = match &start {
        Start::Reader(header, _) => header.clone(),
        Start::Kept(kept) => Some(kept.header.clone()),
    };
    let schema = match &header {
        Some(columns) => Schema::from_header(columns),
        None => Schema { columns: Vec::new(), complete: false },
    };
    if options.keep_columns && header.is_none() && options.output_format == OutputFormat::Csv {
        return Err(RunError::Input(InputError::NoColumnsToKeep));
    }
    let (program, warnings) = compile(checked, &schema, &options.compile).map_err(|diagnostics| {
        RunError::Bind(RulesError { sources: checked.sources.clone(), diagnostics })
    })?;
    let layout = layout(&program, options, actions).filter(|_| keep);
    let added = write::ResultColumns::new(&program, actions, options);
    let kept = match header.as_deref().filter(|_| options.keep_columns) {
        Some(columns) => columns.to_vec(),
        None => vec![program.id_name.clone()],
    };
    if let Some(message) = columns_clash(&kept, &added, options) {
        return Err(RunError::Columns(message));
    }
    let threads = match options.threads {
        0 => crate::cores::cores().unwrap_or(2),
        n => n.min(MAX_THREADS),
    };
    let mut history = match program.streams.is_empty() {
        true => None,
        false => Some(History::read_on(&program, events, threads)?),
    };
    let pins = overrides.map(|o| crate::overrides::Pins::bind(o, &program));
    let kept_batches = Mutex::new(Vec::new());
    let known_repeats = match &start {
        Start::Kept(kept) => Some(&kept.repeats),
        Start::Reader(..) => None,
    };
    let setup = Setup {
        program: &program,
        actions,
        history: history.as_ref(),
        memberships,
        options,
        plan: plan.as_ref().map(|p| p.1),
        outcomes: outcomes.is_some(),
        pins: pins.as_ref().filter(|p| !p.is_empty()),
        keep: layout.as_ref().map(|_| &kept_batches),
        ids_known: known_repeats.is_some(),
    };
    let mut writer = write::Writer::new(output, plan, &setup, header.as_deref(), outcomes);
    let mut report = Report::new(&program, warnings);
    let source = match start {
        Start::Reader(_, reader) => Source::Read(Box::new(reader.into_feed().map_err(RunError::Input)?)),
        Start::Kept(kept) => Source::Kept { batches: &kept.batches, next: AtomicUsize::new(0) },
    };
    execute(&setup, source, &mut writer, &mut report, threads)?;
    if let Some(actions) = actions.filter(|a| a.exhausted()) {
        return Err(RunError::Scripts(msg!("scripts-time-limit", seconds = actions.time_limit().as_secs())));
    }
    if let Some(key) = report.clash.take() {
        return Err(RunError::Columns(clash_message(&[key], options)));
    }
    writer.finish().map_err(RunError::Output)?;
    report.finish(&program, known_repeats, threads);
    if let Some(pins) = &pins {
        report.override_problems = pins.problems.clone();
        report.override_problems.extend(pins.unused());
    }
    if let Some(history) = &mut history {
        history.count_unknown();
        report.events = std::mem::take(&mut history.reports);
    }
    let kept = layout.map(|layout| {
        let mut batches = kept_batches.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        batches.sort_unstable_by_key(|(seq, _)| *seq);
        let batches = batches.into_iter().map(|(_, batch)| batch).collect();
        let repeats =
            ids::Repeats { count: report.duplicate_ids, examples: report.duplicate_examples.clone() };
        KeptCustomers { header: header.unwrap_or_default(), layout, batches, repeats }
    });
    // Every record read is kept, or nothing is: kept customers stand for the whole file.
    let kept = kept.filter(|kept| kept.records() == report.read);
    Ok((report, kept))
}

/// The output columns that would have one name twice: the added columns against the kept
/// ones (the input's, or the id) and against each other.
fn columns_clash(kept: &[String], added: &write::ResultColumns, options: &RunOptions) -> Option<Message> {
    let mut clashes: Vec<String> = Vec::new();
    for (n, name) in added.all().enumerate() {
        let twice = kept.iter().any(|k| k == name) || added.all().take(n).any(|a| a == name);
        if twice && !clashes.iter().any(|c| c == name) {
            clashes.push(name.to_string());
        }
    }
    (!clashes.is_empty()).then(|| clash_message(&clashes, options))
}

fn clash_message(clashes: &[String], options: &RunOptions) -> Message {
    let names = clashes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
    match options.prefix.is_empty() {
        true => msg!("columns-clash", names = names),
        false => msg!("columns-clash-prefix", names = names, prefix = &options.prefix),
    }
}

/// The stages: workers cutting and evaluating chunks, the writer reordering their results;
/// a bounded channel and the window keep memory flat.
fn execute(
    setup: &Setup,
    source: Source,
    writer: &mut write::Writer,
    report: &mut Report,
    threads: usize,
) -> Result<(), RunError> {
    let (result_tx, result_rx) = mpsc::sync_channel::<worker::BatchResult>(threads * 2);
    let window = Window::default();
    thread::scope(|scope| {
        let mut started = 0;
        for _ in 0..threads {
            let (source, tx, window) = (&source, result_tx.clone(), &window);
            let spawned = thread::Builder::new()
                .name("tradeseg-worker".into())
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, move || worker::Worker::new(setup).serve(source, &tx, window));
            if spawned.is_err() {
                break;
            }
            started += 1;
        }
        drop(result_tx);
        // With the writer gone, workers stop at their next batch.
        let written = writer.write_in_order(result_rx, report, &window);
        if started == 0 {
            return Err(RunError::NoThread);
        }
        written.map_err(RunError::Output)
    })?;
    source.error().map_or(Ok(()), |e| Err(RunError::Input(e)))
}

/// How far ahead of the writer the workers may get: a batch more than this many places
/// past the last one written waits, so results waiting to be written in order, and with
/// them memory, stay bounded however unevenly batches take. The oldest unwritten batch
/// never waits, so the run always moves on.
const AHEAD: u64 = 8;

/// The writer's progress, shared with the workers.
#[derive(Default)]
pub(crate) struct Window {
    /// Batches written so far, and whether the writer has stopped.
    state: Mutex<(u64, bool)>,
    moved: std::sync::Condvar,
}

impl Window {
    /// Waits until batch `seq` may be processed; false once the writer has stopped.
    pub fn wait_for(&self, seq: u64) -> bool {
        let Ok(mut state) = self.state.lock() else { return false };
        while !state.1 && seq >= state.0 + AHEAD {
            state = match self.moved.wait(state) {
                Ok(state) => state,
                Err(_) => return false,
            };
        }
        !state.1
    }

    /// Records that `written` batches have been written.
    pub fn advance(&self, written: u64) {
        if let Ok(mut state) = self.state.lock() {
            state.0 = written;
        }
        self.moved.notify_all();
    }

    /// The writer has stopped: release every waiting worker.
    pub fn close(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.1 = true;
        }
        self.moved.notify_all();
    }
}

/// Bytes read so far.
pub fn bytes_read(progress: &Progress) -> u64 {
    progress.load(Ordering::Relaxed)
}
