//! The report as Markdown tables, for chat and e-mail.

use super::{fields, merged, percent, Overview};
use crate::msg;
use std::fmt::Write as _;

/// The report as Markdown.
pub fn markdown(overview: &Overview) -> String {
    let report = overview.report;
    let mut text = String::new();
    let _ = writeln!(text, "# {}\n", msg!("page-title"));
    let _ = writeln!(
        text,
        "{}\n",
        msg!("page-subtitle", as_of = &overview.as_of, rules = &overview.rules, data = &overview.data)
    );
    let _ = writeln!(
        text,
        "{}\n",
        msg!("page-headline", customers = report.records, errors = report.data_error_count)
    );
    let (segment, customers, share) = (msg!("sheet-segment"), msg!("sheet-customers"), msg!("sheet-share"));
    for dimension in &report.dimensions {
        match &dimension.title {
            Some(title) => {
                let _ = writeln!(text, "## {} — {}\n", dimension.name, cell(title));
            }
            None => {
                let _ = writeln!(text, "## {}\n", dimension.name);
            }
        }
        let _ = writeln!(text, "| {segment} | {customers} | {share} |\n|---|---:|---:|");
        let mut rows = merged(&dimension.segments);
        if dimension.none > 0 {
            rows.push((msg!("summary-none").to_string(), dimension.none));
        }
        for (name, count) in rows {
            let _ = writeln!(text, "| {} | {count} | {} |", cell(&name), percent(count, report.records));
        }
        text.push('\n');
    }
    if !report.tags.is_empty() {
        let _ = writeln!(
            text,
            "## {}\n\n| {segment} | {customers} | {share} |\n|---|---:|---:|",
            msg!("summary-tags")
        );
        for (name, count) in &report.tags {
            let _ = writeln!(text, "| {} | {count} | {} |", cell(name), percent(*count, report.records));
        }
        text.push('\n');
    }
    for tab in &overview.crosstabs {
        let _ = writeln!(text, "## {} × {}\n", tab.rows, tab.columns);
        let header: Vec<String> = tab.column_names.iter().map(|n| cell(n)).collect();
        let _ = writeln!(text, "| | {} |\n|---|{}", header.join(" | "), "---:|".repeat(header.len()));
        for (name, counts) in tab.row_names.iter().zip(&tab.counts) {
            let counts: Vec<String> = counts.iter().map(u64::to_string).collect();
            let _ = writeln!(text, "| {} | {} |", cell(name), counts.join(" | "));
        }
        text.push('\n');
    }
    let _ = writeln!(
        text,
        "## {}\n\n| {} | {} | {share} | {} |\n|---|---:|---:|---:|",
        msg!("page-quality"),
        msg!("page-field"),
        msg!("page-missing"),
        msg!("page-unreadable")
    );
    for (column, missing, unreadable) in fields(report) {
        let _ = writeln!(
            text,
            "| {} | {missing} | {} | {unreadable} |",
            cell(column),
            percent(missing, report.records)
        );
    }
    if let Some((file, changes)) = &overview.since {
        let _ = writeln!(text, "\n## {}\n", msg!("page-movement", file = file));
        if changes.moves.is_empty() {
            let _ = writeln!(text, "{}", msg!("watch-nobody-moved"));
        } else {
            let _ = writeln!(
                text,
                "| {} | {} | {} | {customers} |\n|---|---|---|---:|",
                msg!("sheet-dimension"),
                msg!("page-from"),
                msg!("page-to")
            );
            let none = msg!("summary-none").to_string();
            for m in &changes.moves {
                let name = |s: &str| if s.is_empty() { none.clone() } else { cell(s) };
                let _ = writeln!(
                    text,
                    "| {} | {} | {} | {} |",
                    cell(&m.column),
                    name(&m.from),
                    name(&m.to),
                    m.count
                );
            }
        }
    }
    text
}

/// Text safe in a table cell: pipes escaped, line breaks as spaces.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
