//! The report as one HTML file: styles inline, charts as inline SVG, no script and nothing
//! fetched, so it opens from an e-mail attachment, prints on paper and reads on a phone.

use super::{fields, merged, percent, CrossTab, Overview};
use crate::messages::language;
use crate::msg;
use std::fmt::Write as _;

/// Bars of a chart: this many at most, the rest summed in one.
const MAX_BARS: usize = 30;

/// The report as HTML.
pub fn html(overview: &Overview) -> String {
    let report = overview.report;
    let title = msg!("page-title").to_string();
    let mut page = String::with_capacity(64 * 1024);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        language().code(),
        escape(&title)
    );
    let subtitle =
        msg!("page-subtitle", as_of = &overview.as_of, rules = &overview.rules, data = &overview.data);
    let _ = writeln!(
        page,
        "<header><h1>{}</h1><p class=\"sub\">{}</p></header>",
        escape(&title),
        escape(&subtitle.to_string())
    );
    headline(&mut page, overview);
    for dimension in &report.dimensions {
        let mut bars: Vec<(String, u64)> = merged(&dimension.segments);
        if dimension.none > 0 {
            bars.push((msg!("summary-none").to_string(), dimension.none));
        }
        let heading = match &dimension.title {
            Some(title) => format!("{} — {}", dimension.name, title),
            None => dimension.name.clone(),
        };
        section(&mut page, &heading, &bars, report.records);
    }
    if !report.tags.is_empty() {
        section(&mut page, &msg!("summary-tags").to_string(), &report.tags, report.records);
    }
    for tab in &overview.crosstabs {
        crosstab(&mut page, tab);
    }
    quality(&mut page, overview);
    if let Some((file, changes)) = &overview.since {
        movement(&mut page, file, changes);
    }
    page.push_str("</main>\n</body>\n</html>\n");
    page
}

fn headline(page: &mut String, overview: &Overview) {
    let report = overview.report;
    let mut cards = vec![(msg!("page-customers").to_string(), report.records.to_string())];
    cards.push((msg!("page-data-errors").to_string(), report.data_error_count.to_string()));
    if report.tasks > 0 {
        cards.push((msg!("page-tasks").to_string(), report.tasks.to_string()));
    }
    if report.pinned > 0 {
        cards.push((msg!("page-pinned").to_string(), report.pinned.to_string()));
    }
    page.push_str("<section class=\"cards\">");
    for (label, value) in cards {
        let _ = write!(
            page,
            "<div class=\"card\"><b>{}</b><span>{}</span></div>",
            escape(&value),
            escape(&label)
        );
    }
    page.push_str("</section>\n");
}

/// A dimension (or the tags): a bar chart and its table.
fn section(page: &mut String, heading: &str, bars: &[(String, u64)], total: u64) {
    let _ = write!(page, "<section>\n<h2>{}</h2>\n", escape(heading));
    chart(page, bars);
    let _ = write!(
        page,
        "<table><thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
        escape(&msg!("sheet-segment").to_string()),
        escape(&msg!("sheet-customers").to_string()),
        escape(&msg!("sheet-share").to_string())
    );
    for (name, count) in bars {
        let _ = write!(
            page,
            "<tr><td>{}</td><td class=\"n\">{count}</td><td class=\"n\">{}</td></tr>",
            escape(name),
            percent(*count, total)
        );
    }
    page.push_str("</tbody></table>\n</section>\n");
}

/// Horizontal bars as inline SVG, scaled to the largest.
fn chart(page: &mut String, bars: &[(String, u64)]) {
    let mut shown: Vec<(String, u64)> = bars.iter().take(MAX_BARS).cloned().collect();
    if bars.len() > MAX_BARS {
        let rest: u64 = bars[MAX_BARS..].iter().map(|b| b.1).sum();
        shown.push((msg!("page-others", count = bars.len() - MAX_BARS).to_string(), rest));
    }
    let most = shown.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let (row, label, width) = (22, 180, 600);
    let height = row * shown.len().max(1);
    let _ = write!(
        page,
        "<svg class=\"bars\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        escape(&msg!("page-chart").to_string())
    );
    for (i, (name, count)) in shown.iter().enumerate() {
        let y = i * row;
        let length = ((width - label - 70) as f64 * *count as f64 / most as f64).round() as usize;
        let _ = write!(
            page,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label}\" y=\"{}\" width=\"{length}\" height=\"{}\" rx=\"2\"></rect>\
             <text x=\"{}\" y=\"{}\">{count}</text>",
            label - 6,
            y + 15,
            escape(&clip(name, 26)),
            y + 4,
            row - 8,
            label + length + 6,
            y + 15
        );
    }
    page.push_str("</svg>\n");
}

/// Two dimensions against each other, shaded by count.
fn crosstab(page: &mut String, tab: &CrossTab) {
    let most = tab.counts.iter().flatten().copied().max().unwrap_or(0).max(1);
    let _ = write!(
        page,
        "<section>\n<h2>{} × {}</h2>\n<div class=\"wide\"><table class=\"heat\"><thead><tr><th></th>",
        escape(&tab.rows),
        escape(&tab.columns)
    );
    for name in &tab.column_names {
        let _ = write!(page, "<th class=\"n\">{}</th>", escape(name));
    }
    page.push_str("</tr></thead><tbody>");
    for (name, counts) in tab.row_names.iter().zip(&tab.counts) {
        let _ = write!(page, "<tr><th>{}</th>", escape(name));
        for &count in counts {
            let strength = (count as f64 / most as f64 * 0.85).max(0.0);
            let _ = write!(
                page,
                "<td class=\"n\" style=\"background:rgba(37,99,235,{strength:.2})\">{count}</td>"
            );
        }
        page.push_str("</tr>");
    }
    page.push_str("</tbody></table></div>\n</section>\n");
}

/// Per field: how often it was missing and how many of its cells could not be read, with
/// the first errors.
fn quality(page: &mut String, overview: &Overview) {
    let report = overview.report;
    let _ = write!(
        page,
        "<section>\n<h2>{}</h2>\n<table><thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
        escape(&msg!("page-quality").to_string()),
        escape(&msg!("page-field").to_string()),
        escape(&msg!("page-missing").to_string()),
        escape(&msg!("sheet-share").to_string()),
        escape(&msg!("page-unreadable").to_string())
    );
    for (column, missing, unreadable) in fields(report) {
        let _ = write!(
            page,
            "<tr><td>{}</td><td class=\"n\">{missing}</td><td class=\"n\">{}</td><td class=\"n\">{unreadable}</td></tr>",
            escape(column),
            percent(missing, report.records)
        );
    }
    page.push_str("</tbody></table>\n");
    if !report.data_errors.is_empty() {
        let _ =
            write!(page, "<h3>{}</h3><ul class=\"errors\">", escape(&msg!("page-first-errors").to_string()));
        for error in report.data_errors.iter().take(10) {
            let _ = write!(page, "<li>{}</li>", escape(&error.to_string()));
        }
        page.push_str("</ul>\n");
    }
    page.push_str("</section>\n");
}

/// Who moved since an earlier run's results, per column: from, to, how many, who.
fn movement(page: &mut String, file: &str, changes: &crate::snapshot::Changes) {
    let _ = write!(page, "<section>\n<h2>{}</h2>\n", escape(&msg!("page-movement", file = file).to_string()));
    if changes.moves.is_empty() {
        let _ = write!(page, "<p>{}</p>\n</section>\n", escape(&msg!("watch-nobody-moved").to_string()));
        return;
    }
    let _ = write!(
        page,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th>{}</th></tr></thead><tbody>",
        escape(&msg!("sheet-dimension").to_string()),
        escape(&msg!("page-from").to_string()),
        escape(&msg!("page-to").to_string()),
        escape(&msg!("sheet-customers").to_string()),
        escape(&msg!("page-examples").to_string())
    );
    let none = msg!("summary-none").to_string();
    for m in &changes.moves {
        let name = |s: &str| if s.is_empty() { none.clone() } else { s.to_string() };
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"ids\">{}</td></tr>",
            escape(&m.column),
            escape(&name(&m.from)),
            escape(&name(&m.to)),
            m.count,
            escape(&m.examples.join(", "))
        );
    }
    page.push_str("</tbody></table>\n</section>\n");
}

/// Text made safe inside HTML elements and attributes.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A label cut to `most` characters, with an ellipsis.
fn clip(text: &str, most: usize) -> String {
    match text.char_indices().nth(most) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

const STYLE: &str = "
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bar:#2563eb}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 -apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;color:var(--ink);background:#f9fafb}
main{max-width:960px;margin:0 auto;padding:24px 16px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:0 0 12px}h3{font-size:15px;margin:16px 0 6px}
.sub{color:var(--muted);margin:0 0 20px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px;margin:0 0 16px;break-inside:avoid}
.cards{display:flex;flex-wrap:wrap;gap:12px;background:none;border:0;padding:0}
.card{flex:1 1 140px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px}
.card b{display:block;font-size:24px}.card span{color:var(--muted)}
svg.bars{width:100%;height:auto;max-height:700px;font-size:12px;margin-bottom:12px}
svg.bars rect{fill:var(--bar)}svg.bars text{fill:var(--ink)}
table{border-collapse:collapse;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
.n{text-align:right;font-variant-numeric:tabular-nums}
.wide{overflow-x:auto}.heat td{min-width:56px}
.ids{color:var(--muted);font-size:13px}
.errors{color:var(--muted);font-size:13px;padding-left:18px}
@media (max-width:600px){main{padding:12px 8px}section{padding:12px}th,td{padding:3px 4px}}
@media print{body{background:#fff}main{max-width:none;padding:0}section{border:0;padding:0 0 12px}.card{border:1px solid #999}}
";
