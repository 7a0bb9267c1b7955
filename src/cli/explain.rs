//! `tradeseg explain RULES DATA --customer ID`: why one customer got its segments, part by
//! part, in a terminal (in colour on one) or as JSON for tools.

use super::{DataArgs, Exit, RulesPath};
use codespan_reporting::term::termcolor::{Color, ColorChoice, ColorSpec, StandardStream, WriteColor};
use std::io::IsTerminal;
use tradeseg::explain::{Explanation, SegmentTrace};
use tradeseg::explain::{Step, Tri};
use tradeseg::messages::io_error;
use tradeseg::msg;
use tradeseg::run::{OutputFormat, RunError, RunOptions};

/// Arguments of `tradeseg explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The ruleset file.
    pub rules: RulesPath,
    /// The customer export.
    pub data: String,
    /// The id of the customer to explain.
    #[arg(long, value_name = "ID")]
    pub customer: String,
    #[command(flatten)]
    pub data_args: DataArgs,
    /// `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ExplainFormat,
    /// Overrides as `run --overrides` takes them: a pinned dimension says so.
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<std::path::PathBuf>,
    /// The membership history `run --history` records: what `previous(…)` and
    /// `days_in(…)` read (without it they are missing).
    #[arg(long, value_name = "FILE")]
    pub history: Option<std::path::PathBuf>,
}

/// `--format` values of `explain`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

/// Runs `tradeseg explain`.
pub fn run(args: ExplainArgs) -> Exit {
    match execute(&args) {
        Ok(()) => Exit::Done,
        Err(exit) => exit,
    }
}

fn execute(args: &ExplainArgs) -> Result<(), Exit> {
    let checked = super::load_checked_for(&args.rules, false, Some((&args.data_args, &args.data)))?;
    let mut input = args.data_args.input(&args.data, &checked)?;
    let options = RunOptions { threads: 1, ..args.data_args.run_options(&input, OutputFormat::Csv) };
    let reader = std::mem::replace(&mut input.reader, Box::new(std::io::empty()));
    let events = args.data_args.event_inputs()?;
    args.data_args.check_event_names(&checked)?;
    let memberships = match &args.history {
        Some(path) => {
            let wanted = checked.history_dimensions();
            let loaded = tradeseg::history::History::open(path)
                .and_then(|h| h.memberships(options.compile.as_of, &checked.segment_names(), &wanted));
            Some(loaded.map_err(|e| {
                super::say_error(e);
                Exit::Usage
            })?)
        }
        None => None,
    };
    let found = tradeseg::explain::find_and_explain_with(
        &checked,
        reader,
        &options,
        &events,
        memberships.as_ref(),
        &args.customer,
    );
    let explanation = match found {
        Ok(Some(mut explanation)) => {
            // A workbook's rows are named as Excel numbers them, with the sheet.
            let relabel = |at: &mut String| {
                if let Some(line) = at.strip_prefix("line ").and_then(|l| l.parse().ok()) {
                    *at = input.place(line);
                }
            };
            relabel(&mut explanation.found_at);
            explanation.also_at.iter_mut().for_each(relabel);
            if let Some(path) = &args.overrides {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    let (path, reason) = (path.display().to_string(), io_error(&e));
                    super::say_error(msg!("cannot-read-overrides", path = path, reason = reason));
                    Exit::Usage
                })?;
                let overrides = tradeseg::overrides::Overrides::parse(&path.display().to_string(), &text)
                    .map_err(|e| {
                        super::say_error(e);
                        Exit::Usage
                    })?;
                explanation.apply_overrides(&checked, &overrides, options.compile.as_of);
            }
            explanation
        }
        Ok(None) => {
            let (column, id, data) = (&args.data_args.id, &args.customer, &args.data);
            super::say_error(msg!("explain-no-customer", column = column, id = id, data = data));
            return Err(Exit::Data);
        }
        Err(RunError::Bind(error)) => {
            super::report::diagnostics(&error.diagnostics, &error.sources);
            return Err(Exit::Usage);
        }
        Err(e) => {
            super::say_error(e);
            return Err(Exit::Data);
        }
    };
    match args.format {
        ExplainFormat::Json => {
            let text = serde_json::to_string_pretty(&explanation).unwrap_or_default();
            outln!("{text}");
        }
        ExplainFormat::Text => {
            let choice = if std::io::stdout().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never };
            let mut out = StandardStream::stdout(choice);
            let _ = render(&mut out, &explanation);
        }
    }
    Ok(())
}

fn render(out: &mut dyn WriteColor, e: &Explanation) -> std::io::Result<()> {
    writeln!(out, "{}", msg!("explain-head", customer = &e.customer, at = &e.found_at, as_of = &e.as_of))?;
    if !e.also_at.is_empty() {
        let places = e.also_at.join(", ");
        writeln!(out, "  {}", msg!("explain-not-unique", count = e.also_at.len(), places = places))?;
    }
    for error in &e.data_errors {
        writeln!(out, "  {}", msg!("explain-data-error", error = error))?;
    }
    for d in &e.dimensions {
        writeln!(out)?;
        out.set_color(ColorSpec::new().set_bold(true))?;
        write!(out, "{}", d.name)?;
        out.reset()?;
        match &d.title {
            Some(title) => writeln!(out, " ({title})")?,
            None => writeln!(out)?,
        }
        for tried in &d.tried {
            segment(out, tried)?;
        }
        out.set_color(ColorSpec::new().set_bold(true))?;
        if let (Some(pin), Some(segment)) = (&d.pinned, &d.segment) {
            let rules = pin.by_rules.as_deref().map_or(msg!("no-segment").to_string(), |s| format!("{s:?}"));
            let (segment, reason) = (format!("{segment:?}"), &pin.reason);
            let said = match pin.until.as_deref() {
                Some(until) => msg!(
                    "explain-pinned-until",
                    segment = segment,
                    reason = reason,
                    until = until,
                    rules = rules
                ),
                None => msg!("explain-pinned", segment = segment, reason = reason, rules = rules),
            };
            writeln!(out, "  → {said}")?;
            out.reset()?;
            continue;
        }
        match (&d.segment, d.by_otherwise) {
            (Some(s), true) => {
                writeln!(out, "  → {}", msg!("explain-by-otherwise", segment = format!("{s:?}")))?
            }
            (Some(s), false) => writeln!(out, "  → {s:?}")?,
            (None, _) => writeln!(out, "  → {}", msg!("explain-no-segment"))?,
        }
        out.reset()?;
    }
    if !e.tags.is_empty() {
        writeln!(out)?;
        out.set_color(ColorSpec::new().set_bold(true))?;
        writeln!(out, "{}", msg!("summary-tags"))?;
        out.reset()?;
        for tag in &e.tags {
            segment(out, tag)?;
        }
    }
    Ok(())
}

fn segment(out: &mut dyn WriteColor, s: &SegmentTrace) -> std::io::Result<()> {
    mark(out, s.result)?;
    write!(out, " {:?} when {}", s.segment, flat(&s.condition.text))?;
    let simple = !s.condition.logical && s.condition.parts.iter().all(|p| p.field.is_some());
    if simple {
        writeln!(out, " → {}   [{}]", verdict(&s.condition), s.at)?;
    } else {
        writeln!(out, "   [{}]", s.at)?;
        for part in &s.condition.parts {
            step(out, part, 2, s.condition.logical)?;
        }
    }
    if let Some(near) = &s.near_miss {
        out.set_color(ColorSpec::new().set_fg(Some(Color::Yellow)))?;
        writeln!(out, "      {}", msg!("explain-near-miss", near = near))?;
        out.reset()?;
    }
    Ok(())
}

/// One part on its own line, then its parts. A field is shown beside the comparison that
/// uses it, except a plain true/false field among the parts of `and`, `or` or `not`,
/// which is a condition of its own.
fn step(out: &mut dyn WriteColor, s: &Step, depth: usize, condition: bool) -> std::io::Result<()> {
    if s.field.is_some() && !condition {
        return Ok(());
    }
    write!(out, "{}", "   ".repeat(depth))?;
    let shown = match (&s.field, s.shown.as_str()) {
        (Some(field), "missing") => {
            format!("{} ({})", word("unknown"), msg!("explain-is-missing", field = field))
        }
        _ => verdict(s),
    };
    writeln!(out, "{} → {shown}", flat(&s.text))?;
    for part in &s.parts {
        step(out, part, depth + 1, s.logical)?;
    }
    Ok(())
}

/// `false (orders = 0)`, `unknown (last_contact is missing)`.
fn verdict(s: &Step) -> String {
    let fields: Vec<String> = s
        .parts
        .iter()
        .filter_map(|p| {
            p.field.as_ref().map(|f| {
                if p.shown == "missing" {
                    msg!("explain-is-missing", field = f).to_string()
                } else {
                    format!("{f} = {}", word(&p.shown))
                }
            })
        })
        .collect();
    if fields.is_empty() {
        word(&s.shown)
    } else {
        format!("{} ({})", word(&s.shown), fields.join(", "))
    }
}

/// A truth value or `missing` in the chosen language; any other value as it is.
fn word(shown: &str) -> String {
    let message = match shown {
        "true" => msg!("word-true"),
        "false" => msg!("word-false"),
        "unknown" => msg!("word-unknown"),
        "missing" => msg!("word-missing"),
        other => return other.to_string(),
    };
    message.to_string()
}

fn mark(out: &mut dyn WriteColor, result: Tri) -> std::io::Result<()> {
    let (symbol, color) = match result {
        Tri::True => ("  ✓", Color::Green),
        Tri::False => ("  ✗", Color::Red),
        Tri::Unknown => ("  ?", Color::Yellow),
    };
    out.set_color(ColorSpec::new().set_fg(Some(color)))?;
    write!(out, "{symbol}")?;
    out.reset()
}

/// A condition on one line: line breaks and runs of spaces become one space.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
