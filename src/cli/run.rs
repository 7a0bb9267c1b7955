//! `tradeseg run RULES DATA`: every customer's segments, in input order.

use super::output::Destination;
use super::{report, DataArgs, Exit, RulesPath};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tradeseg::actions::PlanFormat;
use tradeseg::check::Checked;
use tradeseg::messages::io_error;
use tradeseg::msg;
use tradeseg::record::{Encoding, Source};
use tradeseg::run::{Extras, OutputFormat, Progress, RunError, RunOptions};

/// Inputs at least this large show a progress bar on a terminal.
const PROGRESS_BYTES: u64 = 16 << 20;

/// Arguments of `tradeseg run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The ruleset file.
    pub rules: RulesPath,
    /// The customer export: .csv, .json, .ndjson/.jsonl, or - for standard input.
    pub data: String,
    #[command(flatten)]
    pub data_args: DataArgs,
    /// Output format (default: xlsx for an `-o` name ending `.xlsx`, else csv).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write results to FILE (atomically) instead of standard output (`-`: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Keep every input column and add the segment columns after them.
    #[arg(long)]
    pub keep_columns: bool,
    /// Put PREFIX before the name of every column the run adds (segments, tags, fields
    /// scripts set), e.g. `--prefix seg_`, so that none has an input column's name.
    #[arg(long, value_name = "PREFIX", default_value = "")]
    pub prefix: String,
    /// Start CSV output with a byte-order mark, so Excel reads Chinese text correctly
    /// (the default when the data was GBK/GB18030).
    #[arg(long, conflicts_with = "no_bom")]
    pub bom: bool,
    /// No byte-order mark, even when the data was GBK/GB18030.
    #[arg(long)]
    pub no_bom: bool,
    /// The text encoding of CSV results: utf-8, or gbk for programs that read nothing else
    /// (written as GB18030, GBK's superset, so that no character is lost).
    #[arg(long, value_name = "ENCODING", default_value = "utf-8", value_parser = parse_output_encoding)]
    pub output_encoding: OutputEncoding,
    /// Write the follow-up plan the action scripts produce to FILE (CSV, or JSON for a
    /// `.json` name), atomically.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Fail (exit 3, no output files) if any cell could not be read or any action failed.
    #[arg(long)]
    pub strict: bool,
    /// Print no summary (errors and warnings still print).
    #[arg(long, short)]
    pub quiet: bool,
    /// Seconds the action scripts may run in all, summed over every customer (1 to 86400);
    /// past it the run stops with exit 3 and writes nothing.
    #[arg(long, value_name = "SECONDS", default_value = "300", value_parser = parse_seconds)]
    pub script_time_limit: u64,
    /// Evaluating threads, 1 to 1024 (default: one per core); CSV event files are read on as
    /// many.
    #[arg(long, default_value = "0", value_parser = parse_threads)]
    pub threads: usize,
    /// Record this run in the membership history FILE (SQLite, created when absent):
    /// every customer's segment per dimension and tags, as of the run's date.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// With --history: take back every recorded run from this date on, then record this
    /// one (for a run dated before the latest recorded).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "history", value_parser = super::parse_date)]
    pub rewrite_from: Option<i32>,
    /// With --history, on its first run: every customer enters its segments, so that `on
    /// enter` scripts run for everyone (by default a first run is a baseline: nobody enters).
    #[arg(long, requires = "history")]
    pub initial_enter: bool,
    /// Pins of customers to segments, CSV with the columns id, dimension, segment, reason
    /// and until: each wins over the rules until its date.
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
}

/// `--script-time-limit`: 1 to 86400 seconds.
fn parse_seconds(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if (1..=86_400).contains(&n) => Ok(n),
        _ => Err(msg!("seconds-range").to_string()),
    }
}

/// `--threads`: 0 (one per core) or 1 to 1024.
fn parse_threads(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n <= 1024 => Ok(n),
        _ => Err(msg!("threads-range").to_string()),
    }
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Csv,
    Json,
    Ndjson,
    Table,
    /// An Excel workbook (needs `-o FILE`).
    Xlsx,
}

/// `--output-encoding` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputEncoding {
    Utf8,
    Gbk,
}

fn parse_output_encoding(text: &str) -> Result<OutputEncoding, String> {
    match text.to_ascii_lowercase().replace('_', "-").as_str() {
        "utf-8" | "utf8" => Ok(OutputEncoding::Utf8),
        "gbk" | "gb18030" | "cp936" => Ok(OutputEncoding::Gbk),
        _ => Err(msg!("output-encoding-form").to_string()),
    }
}

impl RunArgs {
    /// The output format: as given, else by the output's name.
    fn format(&self) -> FormatArg {
        let named_xlsx = self
            .output
            .as_deref()
            .and_then(|p| p.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        self.format.unwrap_or(if named_xlsx { FormatArg::Xlsx } else { FormatArg::Csv })
    }
}

/// Runs `tradeseg run`.
pub fn run(args: RunArgs) -> Exit {
    match execute(args) {
        Ok(exit) | Err(exit) => exit,
    }
}

/// The steps of a run: load the rules, refuse outputs that would destroy inputs, open
/// the data and the outputs, evaluate, report, and put the outputs in place.
fn execute(args: RunArgs) -> Result<Exit, Exit> {
    let checked = super::load_checked_for(&args.rules, false, Some((&args.data_args, &args.data)))?;
    let mut actions = super::load_actions(&checked)?;
    if let Some(actions) = &mut actions {
        actions.set_time_limit(Duration::from_secs(args.script_time_limit));
    }
    let events = args.data_args.event_inputs()?;
    args.data_args.check_event_names(&checked)?;
    // `-o -` is standard output, as `-` for the data is standard input.
    let output = args.output.as_deref().filter(|path| *path != Path::new("-"));
    refuse_clashes(&args, &checked, output)?;
    let xlsx = args.format() == FormatArg::Xlsx;
    if xlsx && output.is_none() {
        super::say_error(msg!("workbook-needs-file"));
        return Err(Exit::Usage);
    }
    if let Some(path) = &args.history {
        let day = args.data_args.as_of.unwrap_or_else(tradeseg::date::today);
        super::remember::allows(path, day, args.rewrite_from)?;
    }
    let day = args.data_args.as_of.unwrap_or_else(tradeseg::date::today);
    let memberships = match &args.history {
        Some(path) => {
            super::remember::memberships(actions.as_mut(), &checked, path, day, args.initial_enter)?
        }
        None => super::remember::refuse_without_history(&checked)?,
    };
    let source = Source::from_arg(&args.data);
    // Results for standard output wait in a temporary file when the run may yet be refused
    // after evaluating (--strict, the scripts' time limit), so that a refused run prints none.
    // A workbook's results wait in memory, to be laid out once all are in.
    let spool = output.is_none() && (args.strict || actions.is_some());
    let mut destination = if xlsx { None } else { Some(open_output(output, spool)?) };
    let mut plan = args.plan.as_deref().map(|path| open_output(Some(path), false)).transpose()?;
    // A file of undetected encoding is read as UTF-8 at once when the outputs can take back
    // what they were given: if it turns out not to be, the run starts over once it is judged.
    let can_start_over = [&destination, &plan].into_iter().flatten().all(Destination::can_start_over);
    let mut input = match can_start_over {
        true => args.data_args.input_assuming_utf8(&args.data, &checked)?,
        false => args.data_args.input(&args.data, &checked)?,
    };
    let mut in_memory: Vec<u8> = Vec::new();
    let mut plan_in_book: Vec<u8> = Vec::new();
    let plan_format = PlanFormat::from_path(&args.plan.as_deref().unwrap_or(Path::new("")).to_string_lossy());
    let overrides = read_overrides(&args)?;
    // With --history, the run hands every customer's outcome on as it writes it.
    let mut recorded;
    let (mut report, options) = loop {
        let options = options(&args, &input);
        let plan_sink: Option<tradeseg::run::PlanSink> = match (&mut plan, xlsx) {
            (Some(plan), _) => Some((plan.writer(), plan_format)),
            (None, true) => Some((&mut plan_in_book, PlanFormat::Csv)),
            (None, false) => None,
        };
        let progress = Progress::default();
        let bar = progress_bar(&source, progress.clone());
        recorded = args.history.as_ref().map(|_| tradeseg::history::RunResults::default());
        let outcomes = recorded.as_mut().map(|r| r as &mut dyn tradeseg::run::OutcomeSink);
        let extras = Extras {
            actions: actions.as_ref(),
            plan: plan_sink,
            events: &events,
            outcomes,
            overrides: overrides.as_ref(),
            memberships: memberships.as_deref(),
        };
        let mut encoder;
        let results: &mut dyn std::io::Write = match &mut destination {
            None => &mut in_memory,
            Some(destination) => {
                let writer = destination.writer();
                if args.output_encoding == OutputEncoding::Gbk {
                    encoder = super::output::Gb18030Writer::new(writer);
                    &mut encoder
                } else {
                    writer
                }
            }
        };
        let reader = std::mem::replace(&mut input.reader, Box::new(std::io::empty()));
        let result = tradeseg::run::run_with(&checked, extras, reader, results, &options, Some(progress));
        if let Some((bar, _)) = &bar {
            bar.finish_and_clear();
        }
        match result {
            Ok(report) => break (report, options),
            Err(RunError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(Exit::Done),
            Err(RunError::Input(_)) if input.not_utf8_after_all() => {
                start_over(&mut destination, &mut plan)?;
                in_memory.clear();
                plan_in_book.clear();
                if let Some(actions) = &actions {
                    actions.restart_clock();
                }
                input = args.data_args.input(&args.data, &checked)?;
            }
            Err(e) => return Err(refused(e)),
        }
    };
    input.place_errors(&mut report);
    report::run_summary(&report, options.compile.as_of, args.quiet);
    if actions.is_some() && args.plan.is_none() && report.tasks > 0 && !xlsx {
        super::say(msg!("note-tasks-unwritten", tasks = report::count(report.tasks, "follow-up task")));
    }
    if args.strict {
        strict(&report)?;
    }
    if let (true, Some(path)) = (xlsx, output) {
        let book = tradeseg::workbook::write::ResultsBook {
            results_csv: &in_memory,
            report: &report,
            plan_csv: (report.tasks > 0 && args.plan.is_none()).then_some(plan_in_book.as_slice()),
        };
        let written = tradeseg::workbook::write::results_workbook(&book)
            .and_then(|bytes| super::output::write_atomically(path, &bytes).map_err(|e| io_error(&e)));
        if let Err(e) = written {
            super::say_error(msg!("cannot-write-file", path = path.display().to_string(), reason = e));
            return Err(Exit::Failed);
        }
    }
    for written in [destination, plan].into_iter().flatten() {
        match written.commit() {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                super::say_error(msg!("cannot-write-results", reason = io_error(&e)));
                return Err(Exit::Failed);
            }
            _ => {}
        }
    }
    if let (Some(path), Some(results)) = (&args.history, &recorded) {
        let pins = applied_pins(overrides.as_ref(), results, options.compile.as_of);
        let run = super::remember::Run {
            rules: &args.rules,
            data: &args.data,
            as_of: options.compile.as_of,
            rewrite_from: args.rewrite_from,
        };
        super::remember::record(path, &checked, &run, results, &pins)?;
    }
    Ok(Exit::Done)
}

/// The `--overrides` file, read; a file that cannot be read is an error (exit 2).
fn read_overrides(args: &RunArgs) -> Result<Option<tradeseg::overrides::Overrides>, Exit> {
    let Some(path) = &args.overrides else { return Ok(None) };
    let text = std::fs::read_to_string(path).map_err(|e| {
        super::say_error(msg!(
            "cannot-read-overrides",
            path = path.display().to_string(),
            reason = io_error(&e)
        ));
        Exit::Usage
    })?;
    tradeseg::overrides::Overrides::parse(&path.display().to_string(), &text).map(Some).map_err(|e| {
        super::say_error(e);
        Exit::Usage
    })
}

/// Empties the outputs for a run that starts over.
fn start_over(destination: &mut Option<Destination>, plan: &mut Option<Destination>) -> Result<(), Exit> {
    for output in [destination, plan].into_iter().flatten() {
        output.start_over().map_err(|e| {
            super::say_error(msg!("cannot-write-results", reason = io_error(&e)));
            Exit::Failed
        })?;
    }
    Ok(())
}

/// The overrides that pinned a customer of this run: in force on its date, naming a
/// dimension and segment the rules have and a customer of the data.
fn applied_pins(
    overrides: Option<&tradeseg::overrides::Overrides>,
    results: &tradeseg::history::RunResults,
    as_of: i32,
) -> Vec<tradeseg::history::PinRecord> {
    let Some(overrides) = overrides else { return Vec::new() };
    let in_force: Vec<&tradeseg::overrides::Override> = overrides
        .list
        .iter()
        .filter(|o| o.until.is_none_or(|until| until >= as_of))
        .filter(|o| {
            results.dimensions.iter().any(|(d, names)| *d == o.dimension && names.contains(&o.segment))
        })
        .collect();
    let wanted: std::collections::HashSet<&str> = in_force.iter().map(|o| o.id.as_str()).collect();
    let present: std::collections::HashSet<&str> = results.ids().filter(|id| wanted.contains(id)).collect();
    in_force
        .into_iter()
        .filter(|o| present.contains(o.id.as_str()))
        .map(|o| tradeseg::history::PinRecord {
            id: o.id.clone(),
            dimension: o.dimension.clone(),
            segment: o.segment.clone(),
            reason: o.reason.clone(),
            until: o.until,
        })
        .collect()
}

/// Stops (exit 2, nothing read) when `--output` or `--plan` is an input or each other.
fn refuse_clashes(args: &RunArgs, checked: &Checked, output: Option<&Path>) -> Result<(), Exit> {
    let mut inputs = super::ruleset_files(checked);
    inputs.extend(args.data_args.input_files(&args.data));
    let outputs: Vec<_> = [
        output.map(|o| ("--output", o)),
        args.plan.as_deref().map(|p| ("--plan", p)),
        args.history.as_deref().map(|h| ("--history", h)),
    ]
    .into_iter()
    .flatten()
    .map(|(what, path)| super::clash::Role::new(what, path))
    .collect();
    super::refuse_clashes(&inputs, &outputs)
}

/// The run options the arguments give.
fn options(args: &RunArgs, input: &super::input::DataInput) -> RunOptions {
    let output_format = match args.format() {
        FormatArg::Csv | FormatArg::Xlsx => OutputFormat::Csv,
        FormatArg::Json => OutputFormat::Json,
        FormatArg::Ndjson => OutputFormat::Ndjson,
        FormatArg::Table => OutputFormat::Table,
    };
    RunOptions {
        keep_columns: args.keep_columns,
        prefix: args.prefix.clone(),
        // Excel on Chinese Windows needs the mark to read UTF-8; data that came in GBK
        // came from there.
        bom: args.format() == FormatArg::Csv
            && args.output_encoding == OutputEncoding::Utf8
            && (args.bom || !args.no_bom && matches!(input.encoding, Encoding::Gbk | Encoding::Gb18030)),
        threads: args.threads,
        ..args.data_args.run_options(input, output_format)
    }
}

/// An output: standard output (held back when `spool`), or a file written atomically.
fn open_output(path: Option<&Path>, spool: bool) -> Result<Destination, Exit> {
    let opened = if spool { Destination::spool() } else { Destination::open(path) };
    opened.map_err(|e| {
        let target = path.map(|p| p.display().to_string()).unwrap_or_default();
        super::say_error(msg!("cannot-write-file", path = target, reason = io_error(&e)));
        Exit::Failed
    })
}

/// Says why the run was refused, and with which exit status.
fn refused(error: RunError) -> Exit {
    match error {
        RunError::Bind(error) => {
            report::diagnostics(&error.diagnostics, &error.sources);
            super::say(msg!("ruleset-does-not-fit"));
            Exit::Usage
        }
        RunError::Columns(message) => {
            super::say_error(message);
            Exit::Usage
        }
        RunError::Output(e) => {
            super::say_error(msg!("cannot-write-results", reason = io_error(&e)));
            Exit::Failed
        }
        e @ RunError::NoThread => {
            super::say_error(e);
            Exit::Failed
        }
        e @ (RunError::Scripts(_) | RunError::Input(_) | RunError::Events { .. }) => {
            super::say_error(e);
            Exit::Data
        }
    }
}

/// `--strict`: any data error, action error, bad event or repeated id refuses the run.
fn strict(report: &tradeseg::Report) -> Result<(), Exit> {
    let event_problems: u64 = report.events.iter().map(|e| e.error_count + e.unknown_events).sum();
    let problems =
        report.data_error_count + report.action_error_count + event_problems + report.duplicate_ids;
    if problems == 0 {
        return Ok(());
    }
    super::say(msg!(
        "strict-refused",
        data = report::count(report.data_error_count, "data error"),
        actions = report::count(report.action_error_count, "action error"),
        events = report::count(event_problems, "bad or unmatched event"),
        ids = report::count(report.duplicate_ids, "repeated id")
    ));
    Err(Exit::Data)
}

/// A progress bar on standard error, for large files on a terminal, fed by a thread that
/// polls the bytes read.
fn progress_bar(source: &Source, progress: Progress) -> Option<(ProgressBar, std::thread::JoinHandle<()>)> {
    let len = source.size().filter(|&l| l >= PROGRESS_BYTES && std::io::stderr().is_terminal())?;
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let polled = bar.clone();
    let progress = Arc::clone(&progress);
    let handle = std::thread::spawn(move || {
        while !polled.is_finished() {
            polled.set_position(tradeseg::run::bytes_read(&progress));
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    Some((bar, handle))
}
