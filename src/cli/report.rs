//! What the CLI prints on standard error: diagnostics with their source lines, data
//! errors, and the per-segment summary of a run.

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use codespan_reporting::term::{self, Config};
use std::io::{IsTerminal, Write};
use tradeseg::diagnostic::Diagnostic;
use tradeseg::messages::Message;
use tradeseg::msg;
use tradeseg::run::Report;
use tradeseg::snapshot::Changes;
use tradeseg::source::Sources;
use unicode_width::UnicodeWidthStr;

/// Data errors shown in full; the rest are counted.
const SHOWN_DATA_ERRORS: usize = 10;

/// Prints diagnostics to standard error, in colour on a terminal.
pub fn diagnostics(diagnostics: &[Diagnostic], sources: &Sources) {
    let choice = if std::io::stderr().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never };
    let stream = StandardStream::stderr(choice);
    let mut lock = stream.lock();
    let config = Config::default();
    for d in diagnostics {
        if term::emit_to_write_style(&mut lock, &config, sources.files(), &d.to_report()).is_err() {
            let _ = writeln!(lock, "{}", d.one_line(sources));
        }
    }
}

/// `1 customer`, `2 customers`: a count with its noun, as the language says it.
pub fn count(n: u64, noun: &str) -> String {
    let message = match noun {
        "action error" => msg!("count-action-error", count = n),
        "bad event" => msg!("count-bad-event", count = n),
        "bad or unmatched event" => msg!("count-bad-or-unmatched-event", count = n),
        "customer id" => msg!("count-customer-id", count = n),
        "customer" => msg!("count-customer", count = n),
        "data error" => msg!("count-data-error", count = n),
        "dimension" => msg!("count-dimension", count = n),
        "event" => msg!("count-event", count = n),
        "field" => msg!("count-field", count = n),
        "file" => msg!("count-file", count = n),
        "follow-up task" => msg!("count-task", count = n),
        "record" => msg!("count-record", count = n),
        "repeated id" => msg!("count-repeated-id", count = n),
        "tag change" => msg!("count-tag-change", count = n),
        "tag" => msg!("count-tag", count = n),
        other => return format!("{n} {other}"),
    };
    message.to_string()
}

/// Writes a line of text to standard error.
fn say(err: &mut impl Write, message: Message) {
    let _ = writeln!(err, "{message}");
}

/// Prints the run's data errors and summary.
pub fn run_summary(report: &Report, as_of: i32, quiet: bool) {
    let mut err = std::io::stderr().lock();
    for warning in &report.warnings {
        say(&mut err, msg!("line-warning", message = warning.message.clone()));
        for help in &warning.help {
            say(&mut err, msg!("line-help", message = help.clone()));
        }
    }
    if report.data_error_count > 0 {
        for error in report.data_errors.iter().take(SHOWN_DATA_ERRORS) {
            say(&mut err, msg!("line-data-error", error = error.to_string()));
        }
        let more = report.data_error_count.saturating_sub(SHOWN_DATA_ERRORS as u64);
        if more > 0 {
            say(&mut err, msg!("and-more", more = count(more, "data error")));
        }
        let by_column: Vec<String> = report
            .errors_by_column
            .iter()
            .map(|(c, n)| match c.is_empty() {
                true => msg!("whole-rows", count = *n).to_string(),
                false => format!("`{c}` {n}"),
            })
            .collect();
        let errors = count(report.data_error_count, "data error");
        say(&mut err, msg!("data-errors-counted-missing", errors = errors, columns = by_column.join(", ")));
        if report.unreadable > 0 {
            say(
                &mut err,
                msg!(
                    "records-unreadable",
                    count = report.unreadable,
                    records = count(report.unreadable, "record")
                ),
            );
        }
    }
    for stream in &report.events {
        for error in stream.errors.iter().take(SHOWN_DATA_ERRORS) {
            let (name, file) = (&stream.stream, &stream.file);
            say(&mut err, msg!("line-event-error", stream = name, file = file, error = error.to_string()));
        }
        if stream.error_count > 0 {
            let events = count(stream.error_count, "bad event");
            say(&mut err, msg!("bad-events-left-out", events = events, stream = &stream.stream));
        }
        if stream.unknown_events > 0 {
            let more = if stream.unknown_ids > stream.unknown_examples.len() as u64 { ", …" } else { "" };
            say(
                &mut err,
                msg!(
                    "unknown-event-ids",
                    stream = &stream.stream,
                    events = count(stream.unknown_events, "event"),
                    ids = count(stream.unknown_ids, "customer id"),
                    examples = format!("{}{more}", stream.unknown_examples.join(", "))
                ),
            );
        }
    }
    if report.action_error_count > 0 {
        for error in report.action_errors.iter().take(SHOWN_DATA_ERRORS) {
            say(&mut err, msg!("line-action-error", error = error.to_string()));
        }
        say(
            &mut err,
            msg!("action-errors-went-on", errors = count(report.action_error_count, "action error")),
        );
    }
    for problem in &report.override_problems {
        say(&mut err, msg!("line-override", problem = problem.clone()));
    }
    if quiet {
        return;
    }
    let _ = write!(err, "{}", summary(report, as_of));
    if report.pinned > 0 {
        say(&mut err, msg!("pinned-by-overrides", customers = count(report.pinned, "customer")));
    }
    if report.tasks > 0 {
        let _ = writeln!(err, "{}", count(report.tasks, "follow-up task"));
    }
    for stream in &report.events {
        let (name, read, file) = (&stream.stream, stream.events, &stream.file);
        say(
            &mut err,
            match stream.after_as_of {
                0 => msg!("events-read", stream = name, events = read, file = file),
                later => msg!("events-read-later", stream = name, events = read, file = file, later = later),
            },
        );
    }
}

/// The per-dimension counts as aligned text.
pub fn summary(report: &Report, as_of: i32) -> String {
    let total = report.records.max(1) as f64;
    let customers = count(report.records, "customer");
    let mut lines =
        vec![msg!("summary-head", customers = customers, as_of = tradeseg::date::format(as_of)).to_string()];
    let width = report
        .dimensions
        .iter()
        .flat_map(|d| d.segments.iter().map(|s| s.0.width()))
        .chain(report.tags.iter().map(|t| t.0.width()))
        .max()
        .unwrap_or(0)
        .max(12);
    let row = |name: &str, count: u64| {
        let pad = width.saturating_sub(name.width());
        format!("  {name}{} {count:>9} {:>6.1}%", " ".repeat(pad), count as f64 * 100.0 / total)
    };
    for d in &report.dimensions {
        lines.push(match &d.title {
            Some(title) => format!("{} ({title})", d.name),
            None => d.name.clone(),
        });
        lines.extend(d.segments.iter().map(|(name, count)| row(name, *count)));
        if d.none > 0 {
            lines.push(row(&msg!("summary-none").to_string(), d.none));
        }
    }
    if !report.tags.is_empty() {
        lines.push(msg!("summary-tags").to_string());
        lines.extend(report.tags.iter().map(|(name, count)| row(name, *count)));
    }
    lines.join("\n") + "\n"
}

/// How often each field was missing, most often first.
pub fn missing(report: &Report) -> String {
    let total = report.records.max(1) as f64;
    let mut fields: Vec<&(String, u64)> = report.missing.iter().collect();
    fields.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let width = fields.iter().map(|f| f.0.width()).max().unwrap_or(0).max(12);
    let mut text = format!("{}\n", msg!("missing-per-field"));
    for (column, count) in fields {
        let pad = width.saturating_sub(column.width());
        text.push_str(&format!(
            "  {column}{} {count:>9} {:>6.1}%\n",
            " ".repeat(pad),
            *count as f64 * 100.0 / total
        ));
    }
    text
}

/// Who moved where, as indented lines a rule author can read.
pub fn changes(changes: &Changes) -> String {
    let mut lines = Vec::new();
    for m in &changes.moves {
        let name = |s: &str| if s.is_empty() { msg!("summary-none").to_string() } else { format!("{s:?}") };
        let more = if m.count > m.examples.len() { ", …" } else { "" };
        let customers = count(m.count as u64, "customer");
        let examples = format!("{}{more}", m.examples.join(", "));
        let (from, to) = (name(&m.from), name(&m.to));
        let said = msg!(
            "change-move",
            column = &m.column,
            from = from,
            to = to,
            customers = customers,
            examples = examples
        );
        lines.push(format!("       {said}"));
    }
    for column in &changes.columns_changed {
        lines.push(format!("       {}", msg!("change-column", column = column)));
    }
    if !changes.added.is_empty() {
        lines.push(format!("       {}", msg!("change-new-customers", ids = changes.added.join(", "))));
    }
    if !changes.removed.is_empty() {
        lines.push(format!("       {}", msg!("change-gone-customers", ids = changes.removed.join(", "))));
    }
    lines.iter().map(|l| format!("{l}\n")).collect()
}
