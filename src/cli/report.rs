//! What the CLI prints on standard error: diagnostics with their source lines, data
//! errors, and the per-segment summary of a run.

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use codespan_reporting::term::{self, Config};
use std::io::{IsTerminal, Write};
use tradeseg::diagnostic::Diagnostic;
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

/// `1 customer`, `2 customers`: a count with its noun, singular for one.
pub fn count(n: u64, noun: &str) -> String {
    let plural = match noun {
        "entry" => "entries",
        "ID" => "IDs",
        _ => "",
    };
    match (n, plural) {
        (1, _) => format!("1 {noun}"),
        (_, "") => format!("{n} {noun}s"),
        (_, plural) => format!("{n} {plural}"),
    }
}

/// Prints the run's data errors and summary.
pub fn run_summary(report: &Report, as_of: i32, quiet: bool) {
    let mut err = std::io::stderr().lock();
    for warning in &report.warnings {
        let _ = writeln!(err, "warning: {}", warning.message);
        for help in &warning.help {
            let _ = writeln!(err, "  help: {help}");
        }
    }
    if report.data_error_count > 0 {
        for error in report.data_errors.iter().take(SHOWN_DATA_ERRORS) {
            let _ = writeln!(err, "data error: {error}");
        }
        let more = report.data_error_count.saturating_sub(SHOWN_DATA_ERRORS as u64);
        if more > 0 {
            let _ = writeln!(err, "… and {} more", count(more, "data error"));
        }
        let by_column: Vec<String> = report
            .errors_by_column
            .iter()
            .map(|(c, n)| if c.is_empty() { format!("{n} whole rows") } else { format!("`{c}` {n}") })
            .collect();
        let _ = writeln!(
            err,
            "{} ({}); those cells counted as missing",
            count(report.data_error_count, "data error"),
            by_column.join(", ")
        );
        if report.unreadable > 0 {
            let _ = writeln!(
                err,
                "{} could not be read at all and have no output row",
                count(report.unreadable, "record")
            );
        }
    }
    for stream in &report.events {
        for error in stream.errors.iter().take(SHOWN_DATA_ERRORS) {
            let _ = writeln!(err, "event error: {} ({}), {error}", stream.stream, stream.file);
        }
        if stream.error_count > 0 {
            let _ = writeln!(
                err,
                "{} in `{}`; they were left out",
                count(stream.error_count, "bad event"),
                stream.stream
            );
        }
        if stream.unknown_events > 0 {
            let _ = writeln!(
                err,
                "`{}`: {} of {} not in the customer data, not counted ({}{})",
                stream.stream,
                count(stream.unknown_events, "event"),
                count(stream.unknown_ids, "customer id"),
                stream.unknown_examples.join(", "),
                if stream.unknown_ids > stream.unknown_examples.len() as u64 { ", …" } else { "" }
            );
        }
    }
    if report.action_error_count > 0 {
        for error in report.action_errors.iter().take(SHOWN_DATA_ERRORS) {
            let _ = writeln!(err, "action error: {error}");
        }
        let _ = writeln!(
            err,
            "{}; those customers' scripts were stopped, the run went on",
            count(report.action_error_count, "action error")
        );
    }
    for problem in &report.override_problems {
        let _ = writeln!(err, "override: {problem}");
    }
    if quiet {
        return;
    }
    let _ = write!(err, "{}", summary(report, as_of));
    if report.pinned > 0 {
        let _ = writeln!(err, "{} pinned by overrides", count(report.pinned, "customer"));
    }
    if report.tasks > 0 {
        let _ = writeln!(err, "{}", count(report.tasks, "follow-up task"));
    }
    for stream in &report.events {
        let later = match stream.after_as_of {
            0 => String::new(),
            n => format!(", {n} dated after the as-of date and not counted"),
        };
        let _ =
            writeln!(err, "events `{}`: {} read from {}{later}", stream.stream, stream.events, stream.file);
    }
}

/// The per-dimension counts as aligned text.
pub fn summary(report: &Report, as_of: i32) -> String {
    let total = report.records.max(1) as f64;
    let mut lines =
        vec![format!("{}, as of {}", count(report.records, "customer"), tradeseg::date::format(as_of))];
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
            lines.push(row("(none)", d.none));
        }
    }
    if !report.tags.is_empty() {
        lines.push("tags".into());
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
    let mut text = String::from("missing values per field\n");
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
        let name = |s: &str| if s.is_empty() { "(none)".to_string() } else { format!("{s:?}") };
        let more = if m.count > m.examples.len() { ", …" } else { "" };
        lines.push(format!(
            "       {}: {} → {}: {} customer{} ({}{more})",
            m.column,
            name(&m.from),
            name(&m.to),
            m.count,
            if m.count == 1 { "" } else { "s" },
            m.examples.join(", ")
        ));
    }
    for column in &changes.columns_changed {
        lines.push(format!("       column {column}"));
    }
    if !changes.added.is_empty() {
        lines.push(format!("       new customers: {}", changes.added.join(", ")));
    }
    if !changes.removed.is_empty() {
        lines.push(format!("       customers no longer there: {}", changes.removed.join(", ")));
    }
    lines.iter().map(|l| format!("{l}\n")).collect()
}
