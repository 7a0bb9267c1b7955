//! The command line: one file per subcommand, each a `run` function from parsed
//! arguments to an exit code. Everything a person reads (colour, progress, summaries)
//! is made here; the library only returns data.

// Printing that never panics: a closed pipe (`tradeseg test … | head`) or a closed
// terminal ends the output quietly instead of aborting the program.
macro_rules! outln {
    ($($arg:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stdout(), $($arg)*); }};
}
macro_rules! out {
    ($($arg:tt)*) => {{ use std::io::Write as _; let _ = write!(std::io::stdout(), $($arg)*); }};
}
macro_rules! errln {
    ($($arg:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stderr(), $($arg)*); }};
}
macro_rules! err {
    ($($arg:tt)*) => {{ use std::io::Write as _; let _ = write!(std::io::stderr(), $($arg)*); }};
}

mod check;
mod clash;
mod diff;
mod explain;
mod fmt;
mod history;
mod input;
mod output;
mod pages;
mod remember;
mod report;
mod run;
mod sql;
mod studio;
mod test;
mod tooling;
mod watch;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use tradeseg::messages::{Language, Message};
use tradeseg::msg;

/// Exit codes, as the command-line reference gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Done = 0,
    Failed = 1,
    Usage = 2,
    Data = 3,
}

/// Customer segmentation rules for export sales teams.
#[derive(Debug, Parser)]
#[command(name = "tradeseg", version, about, long_about = None)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    /// A folder whose files rulesets may include and run as scripts, besides the folder
    /// of the ruleset given (repeat for more).
    #[arg(long, global = true, value_name = "DIR")]
    allow_path: Vec<PathBuf>,
    /// The language of messages: en or zh (default: from LC_ALL, LC_MESSAGES or LANG).
    #[arg(long, global = true, value_name = "en|zh", value_parser = parse_language)]
    lang: Option<Language>,
}

fn parse_language(text: &str) -> Result<Language, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "en" | "english" => Ok(Language::English),
        "zh" | "chinese" | "中文" => Ok(Language::Chinese),
        _ => Err("en or zh".to_string()),
    }
}

/// Prints `error: …` on standard error, in the chosen language.
pub(crate) fn say_error(message: impl std::fmt::Display) {
    errln!("{}", msg!("line-error", message = message.to_string()));
}

/// Prints `help: …` on standard error.
pub(crate) fn say_help(message: Message) {
    errln!("{}", msg!("line-help-top", message = message));
}

/// Prints a line on standard error.
pub(crate) fn say(message: Message) {
    errln!("{message}");
}

/// The `--allow-path` folders, set once at start.
static ALLOWED: std::sync::OnceLock<Vec<PathBuf>> = std::sync::OnceLock::new();

/// The folders besides a ruleset's own whose files it may read.
pub fn allowed_folders() -> Vec<PathBuf> {
    ALLOWED.get().cloned().unwrap_or_default()
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate a ruleset over a customer export and write each customer's segments.
    Run(run::RunArgs),
    /// Check a ruleset for errors without running it (with --data: also against the data).
    Check(check::CheckArgs),
    /// Show why one customer got its segments, condition by condition.
    Explain(explain::ExplainArgs),
    /// Evaluate, then again on every change to the rules, their includes or the data.
    Watch(watch::WatchArgs),
    /// Run the `test` blocks of rulesets, and compare them with their stored snapshots.
    Test(test::TestArgs),
    /// What a rule change would do (OLD.seg NEW.seg DATA), or what changed between two
    /// results files: who moves where, tags gained and lost.
    Diff(diff::DiffArgs),
    /// What the membership history holds: runs, a customer's timeline, who moved.
    History(history::HistoryArgs),
    /// The run as a page for a manager: charts per dimension, cross-tabs, data quality,
    /// who moved since an earlier run (one self-contained HTML file, or Markdown).
    Report(pages::PagesArgs),
    /// Edit a ruleset in the browser and see, as you type, the counts per segment and who
    /// would move (a local web app over the data, read once).
    Studio(studio::StudioArgs),
    /// Answer programs over HTTP: POST customer records, get their segments (the ruleset
    /// hot-reloaded).
    Serve(studio::ServeArgs),
    /// Print the ruleset as one SQL query (DuckDB or PostgreSQL) whose rows are `run`'s
    /// results, for customers kept in a database.
    Sql(sql::SqlArgs),
    /// Rewrite rulesets in the canonical layout (--check: only list those not in it).
    Fmt(fmt::FmtArgs),
    /// Print the shell completion script for bash, zsh, fish, powershell or elvish.
    Completions(tooling::CompletionsArgs),
    /// Print the manual page (roff), for `man`.
    Man,
}

/// Makes Ctrl-C, `kill` and a closed terminal remove the temporary files of outputs being
/// written before the program ends.
pub fn remove_temporary_files_on_signal() {
    output::remove_on_signal();
}

/// Runs the parsed command.
pub fn main(args: Args) -> Exit {
    let _ = ALLOWED.set(args.allow_path);
    tradeseg::messages::set_language(args.lang.unwrap_or_else(Language::from_environment));
    tradeseg::messages::prepare_in_background();
    if matches!(args.command, Command::Run(_) | Command::Watch(_)) {
        tradeseg::actions::sandbox::prepare_engine_in_background();
    }
    match args.command {
        Command::Run(a) => run::run(a),
        Command::Check(a) => check::run(a),
        Command::Test(a) => test::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Watch(a) => watch::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::History(a) => history::run(a),
        Command::Report(a) => pages::run(a),
        Command::Sql(a) => sql::run(a),
        Command::Studio(a) => studio::studio(a),
        Command::Serve(a) => studio::serve(a),
        Command::Diff(a) => diff::run(a),
        Command::Completions(a) => tooling::completions(a),
        Command::Man => tooling::man(),
    }
}

/// Options shared by commands that read customer data.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// As-of date for time-relative rules (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<i32>,
    /// The column that identifies customers.
    #[arg(long, value_name = "COLUMN", default_value = "id")]
    pub id: String,
    /// Text encoding of the data: auto, utf-8, gbk or gb18030.
    #[arg(long, default_value = "auto")]
    pub encoding: tradeseg::record::Encoding,
    /// Format of the data (default: from the file name; CSV for standard input).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// CSV field delimiter (default: read off the header line: `,`, `;`, tab or `|`).
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// The sheet of a workbook to read, by name or number (default: the first).
    #[arg(long, value_name = "NAME|NUMBER")]
    pub sheet: Option<tradeseg::workbook::SheetChoice>,
    /// The row of a workbook's sheet that holds the header, as Excel numbers rows
    /// (default: the first, or the row below the titles that has the rules' columns).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub header_row: Option<u32>,
    /// Numbers in the data are written with a decimal comma (`1.200,50`), as European
    /// exports write them.
    #[arg(long)]
    pub decimal_comma: bool,
    #[command(flatten)]
    pub event_args: EventArgs,
}

/// Where the event streams the rules read come from.
#[derive(Debug, Clone, clap::Args)]
pub struct EventArgs {
    /// An event stream the rules read, as NAME=FILE (CSV, JSON or NDJSON); repeat for more.
    #[arg(long, value_name = "NAME=FILE")]
    pub events: Vec<String>,
    /// The customer id column of event files (default: `customer_id`, else `id`).
    #[arg(long, value_name = "COLUMN")]
    pub event_id: Option<String>,
    /// The date column of event files.
    #[arg(long, value_name = "COLUMN", default_value = "date")]
    pub event_date: String,
}

impl DataArgs {
    /// The defaults, for records a program sends (whose ids are in `id`), with the events
    /// of `event_args`.
    pub fn for_records(id: &str, event_args: EventArgs) -> DataArgs {
        DataArgs {
            as_of: None,
            id: id.to_string(),
            encoding: tradeseg::record::Encoding::Auto,
            input_format: None,
            delimiter: None,
            sheet: None,
            header_row: None,
            decimal_comma: false,
            event_args,
        }
    }

    /// The run options these arguments give for the opened `input`, for results in
    /// `format`.
    pub fn run_options(
        &self,
        input: &input::DataInput,
        format: tradeseg::run::OutputFormat,
    ) -> tradeseg::RunOptions {
        tradeseg::RunOptions {
            input_format: input.format,
            output_format: format,
            delimiter: input.delimiter,
            ..tradeseg::RunOptions::new(tradeseg::CompileOptions {
                as_of: self.as_of.unwrap_or_else(tradeseg::date::today),
                id_column: self.id.clone(),
                decimal_comma: self.decimal_comma,
            })
        }
    }

    /// The `--events` streams to read.
    pub fn event_inputs(&self) -> Result<Vec<tradeseg::events::EventInput>, Exit> {
        let inputs: Vec<tradeseg::events::EventInput> = self
            .event_args
            .events
            .iter()
            .map(|spec| {
                let Some((name, path)) = spec.split_once('=').filter(|(n, p)| !n.is_empty() && !p.is_empty())
                else {
                    say_error(msg!("events-arg-form", spec = spec.as_str()));
                    return Err(Exit::Usage);
                };
                let mut input = tradeseg::events::EventInput::file(name.trim(), path.trim());
                input.encoding = self.encoding;
                input.delimiter = self.delimiter.unwrap_or(b',');
                input.id_column = self.event_args.event_id.clone();
                input.date_column = self.event_args.event_date.clone();
                Ok(input)
            })
            .collect::<Result<_, Exit>>()?;
        for (n, input) in inputs.iter().enumerate() {
            if inputs[..n].iter().any(|earlier| earlier.stream == input.stream) {
                say_error(msg!("events-arg-twice", stream = &input.stream));
                say_help(msg!("events-arg-twice-help"));
                return Err(Exit::Usage);
            }
        }
        Ok(inputs)
    }

    /// Stops (exit 2) when an `--events` name is not a stream the ruleset declares.
    pub fn check_event_names(&self, checked: &tradeseg::check::Checked) -> Result<(), Exit> {
        let declared = || checked.streams().iter().map(|(name, _)| name.as_str());
        for input in self.event_inputs()? {
            if declared().any(|name| name == input.stream) {
                continue;
            }
            say_error(msg!("events-arg-unknown", stream = &input.stream));
            say_help(match tradeseg::check::suggest::closest(&input.stream, declared()) {
                Some(near) => msg!("did-you-mean", name = near),
                None if checked.streams().is_empty() => msg!("ruleset-reads-no-events"),
                None => msg!("ruleset-declares", streams = declared().collect::<Vec<_>>().join(", ")),
            });
            return Err(Exit::Usage);
        }
        Ok(())
    }

    /// The files these arguments read: the data (unless standard input) and event files.
    pub fn input_files(&self, data: &str) -> Vec<clash::Role> {
        let mut files = Vec::new();
        if data != "-" {
            files.push(clash::Role::new(msg!("role-data"), data));
        }
        for spec in &self.event_args.events {
            if let Some((name, path)) = spec.split_once('=') {
                files.push(clash::Role::new(msg!("role-events", stream = name.trim()), path.trim()));
            }
        }
        files
    }
}

/// The files a ruleset is made of: the ruleset, its includes and its action scripts.
pub fn ruleset_files(checked: &tradeseg::check::Checked) -> Vec<clash::Role> {
    let mut files: Vec<clash::Role> = checked
        .paths()
        .iter()
        .enumerate()
        .map(|(n, path)| {
            clash::Role::new(if n == 0 { msg!("role-ruleset") } else { msg!("role-include") }, path)
        })
        .collect();
    let segments = checked
        .dimensions()
        .iter()
        .flat_map(|d| d.segments.iter().map(|s| &s.action).chain(d.otherwise.iter().map(|o| &o.action)));
    for action in segments.chain(checked.tags().iter().map(|t| &t.action)).flatten() {
        files.push(clash::Role::new(msg!("role-script"), &action.path));
    }
    files
}

/// Stops (exit 2, nothing read) when an output is an input or another output.
pub fn refuse_clashes(inputs: &[clash::Role], outputs: &[clash::Role]) -> Result<(), Exit> {
    match clash::find(inputs, outputs) {
        Some(message) => {
            say_error(message);
            say_help(msg!("clash-help"));
            Err(Exit::Usage)
        }
        None => Ok(()),
    }
}

/// `--input-format` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum InputFormatArg {
    Csv,
    Json,
    Ndjson,
}

fn parse_date(text: &str) -> Result<i32, String> {
    tradeseg::date::parse(text).ok_or_else(|| msg!("not-a-date", text = text).to_string())
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "\\t" | "tab" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => Ok(text.as_bytes()[0]),
        _ => Err(msg!("delimiter-form").to_string()),
    }
}

/// The path of the ruleset argument.
pub type RulesPath = PathBuf;

/// Loads and checks a ruleset, printing every error. Warnings (the reviewer's remarks)
/// do not stop it and are printed by `check`; the other commands keep quiet about them.
pub fn load_checked(path: &std::path::Path) -> Result<tradeseg::check::Checked, Exit> {
    load_checked_with(path, false)
}

/// [`load_checked`], printing the warnings too when `warnings` is set.
pub fn load_checked_with(path: &std::path::Path, warnings: bool) -> Result<tradeseg::check::Checked, Exit> {
    load_checked_for(path, warnings, None)
}

/// [`load_checked_with`] for rules about to read `data`: when the ruleset has errors, the
/// columns it reads that the data's header lacks are reported with them, so that one
/// round of fixes covers both.
pub fn load_checked_for(
    path: &std::path::Path,
    warnings: bool,
    data: Option<(&DataArgs, &str)>,
) -> Result<tradeseg::check::Checked, Exit> {
    let ruleset = match tradeseg::load::Ruleset::load_allowing(path, &allowed_folders()) {
        Ok(r) => r,
        Err(e) => {
            report::diagnostics(&e.diagnostics, &e.sources);
            say_errors(e.diagnostics.len());
            return Err(Exit::Usage);
        }
    };
    let columns = tradeseg::check::columns_read(&ruleset);
    match tradeseg::check::check(ruleset) {
        Ok(checked) => {
            if warnings {
                report::diagnostics(checked.warnings(), checked.sources());
            }
            Ok(checked)
        }
        Err(mut e) => {
            if let Some(header) = data.and_then(|(args, data)| args.text_header(data)) {
                for (column, span) in columns.iter().filter(|(c, _)| !header.contains(c)) {
                    let mut d = tradeseg::Diagnostic::error(*span, msg!("unknown-column", column = column))
                        .label(msg!("not-in-header"));
                    if let Some(near) =
                        tradeseg::check::suggest::closest(column, header.iter().map(String::as_str))
                    {
                        d = d.help(msg!("did-you-mean", name = near));
                    }
                    e.diagnostics.push(d);
                }
                let sources = &e.sources;
                e.diagnostics.sort_by_key(|d| d.span.map(|s| sources.place(s)));
            }
            report::diagnostics(&e.diagnostics, &e.sources);
            say_errors(e.diagnostics.iter().filter(|d| d.is_error()).count());
            Err(Exit::Usage)
        }
    }
}

fn say_errors(count: usize) {
    say(msg!("ruleset-errors", count = count));
}

/// Reads and compiles the ruleset's action scripts, printing any that do not compile.
pub fn load_actions(checked: &tradeseg::check::Checked) -> Result<Option<tradeseg::actions::Actions>, Exit> {
    tradeseg::actions::Actions::load(checked).map_err(|e| {
        report::diagnostics(&e.diagnostics, &e.sources);
        say_errors(e.diagnostics.len());
        Exit::Usage
    })
}
