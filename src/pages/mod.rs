//! Pages people look at: a run's picture of the customer base, for a manager rather than
//! a terminal. [`Overview`] gathers what a page shows (counts per segment, tags,
//! cross-tabs of dimension pairs, data quality per field, who moved since an earlier
//! run's results); [`html`] lays it out as one self-contained file (styles and SVG charts
//! inline, nothing fetched: it opens from an e-mail attachment) and [`markdown`] as tables
//! for chat and e-mail. A surface over the library: the engine does not know it.

mod html;
mod markdown;

pub use html::html;
pub use markdown::markdown;

use crate::run::{OutcomeSink, Report};
use crate::snapshot::Changes;

/// Everything a report page shows.
#[derive(Debug, Clone)]
pub struct Overview<'a> {
    pub report: &'a Report,
    /// The as-of date, `YYYY-MM-DD`.
    pub as_of: String,
    /// The ruleset and the data, as named on the command line.
    pub rules: String,
    pub data: String,
    pub crosstabs: Vec<CrossTab>,
    /// Who moved since an earlier run's results: that file's name and the changes.
    pub since: Option<(String, Changes)>,
}

/// Customers counted by their segments in two dimensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossTab {
    /// The dimensions' names, down and across.
    pub rows: String,
    pub columns: String,
    /// Their segments' names, each once, in ruleset order; the last of each is "none".
    pub row_names: Vec<String>,
    pub column_names: Vec<String>,
    /// `counts[row][column]`.
    pub counts: Vec<Vec<u64>>,
}

/// Counts customers per pair of segments as the run hands each outcome on (an
/// [`OutcomeSink`]): cross-tabs of the dimension pairs asked for by name.
#[derive(Debug, Clone, Default)]
pub struct CrossTabs {
    wanted: Vec<(String, String)>,
    /// Per pair found: the dimensions' indices, and per dimension each segment's row
    /// (segments that share a name share a row).
    pairs: Vec<(usize, usize, Vec<usize>, Vec<usize>)>,
    tabs: Vec<CrossTab>,
}

impl CrossTabs {
    /// Cross-tabs of these dimension pairs (by name); pairs naming no dimension are left
    /// out (see [`CrossTabs::unknown`]).
    pub fn new(wanted: Vec<(String, String)>) -> CrossTabs {
        CrossTabs { wanted, ..CrossTabs::default() }
    }

    /// The names asked for that are no dimension of the run.
    pub fn unknown(&self, dimensions: &[String]) -> Vec<String> {
        let mut unknown: Vec<String> = Vec::new();
        for (a, b) in &self.wanted {
            for name in [a, b] {
                if !dimensions.contains(name) && !unknown.contains(name) {
                    unknown.push(name.clone());
                }
            }
        }
        unknown
    }

    /// The cross-tabs counted.
    pub fn finish(self) -> Vec<CrossTab> {
        self.tabs
    }
}

/// A dimension's segment names, each once, with "none" last, and each segment's row.
fn distinct(names: &[String], none: &str) -> (Vec<String>, Vec<usize>) {
    let mut shown: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(names.len());
    for name in names {
        let row = match shown.iter().position(|n| n == name) {
            Some(row) => row,
            None => {
                shown.push(name.clone());
                shown.len() - 1
            }
        };
        rows.push(row);
    }
    shown.push(none.to_string());
    (shown, rows)
}

impl OutcomeSink for CrossTabs {
    fn names(&mut self, dimensions: &[(String, Vec<String>)], _tags: &[String]) {
        let none = crate::msg!("summary-none").to_string();
        for (a, b) in &self.wanted {
            let position = |name: &str| dimensions.iter().position(|(d, _)| d == name);
            let (Some(i), Some(j)) = (position(a), position(b)) else { continue };
            let (row_names, rows) = distinct(&dimensions[i].1, &none);
            let (column_names, columns) = distinct(&dimensions[j].1, &none);
            self.tabs.push(CrossTab {
                rows: a.clone(),
                columns: b.clone(),
                counts: vec![vec![0; column_names.len()]; row_names.len()],
                row_names,
                column_names,
            });
            self.pairs.push((i, j, rows, columns));
        }
    }

    fn customer(&mut self, _id: &str, segments: &[Option<u16>], _tags: &[u16]) {
        for ((i, j, rows, columns), tab) in self.pairs.iter().zip(&mut self.tabs) {
            let place = |segment: Option<u16>, map: &Vec<usize>, last: usize| {
                segment.and_then(|s| map.get(usize::from(s)).copied()).unwrap_or(last)
            };
            let row = place(segments[*i], rows, tab.row_names.len() - 1);
            let column = place(segments[*j], columns, tab.column_names.len() - 1);
            tab.counts[row][column] += 1;
        }
    }
}

/// The page's tables, each with a name and its rows (the header first): for a workbook
/// of them, a sheet each.
pub fn tables(overview: &Overview) -> Vec<(String, Vec<Vec<String>>)> {
    let report = overview.report;
    let text = |m: crate::messages::Message| m.to_string();
    let mut tables = Vec::new();
    let segment_header = vec![
        text(crate::msg!("sheet-segment")),
        text(crate::msg!("sheet-customers")),
        text(crate::msg!("sheet-share")),
    ];
    let counted = |rows: Vec<(String, u64)>| -> Vec<Vec<String>> {
        let mut table = vec![segment_header.clone()];
        table.extend(
            rows.into_iter()
                .map(|(name, count)| vec![name, count.to_string(), percent(count, report.records)]),
        );
        table
    };
    for dimension in &report.dimensions {
        let mut rows = merged(&dimension.segments);
        if dimension.none > 0 {
            rows.push((text(crate::msg!("summary-none")), dimension.none));
        }
        tables.push((dimension.name.clone(), counted(rows)));
    }
    if !report.tags.is_empty() {
        tables.push((text(crate::msg!("summary-tags")), counted(report.tags.clone())));
    }
    for tab in &overview.crosstabs {
        let mut rows = vec![std::iter::once(String::new()).chain(tab.column_names.iter().cloned()).collect()];
        for (name, counts) in tab.row_names.iter().zip(&tab.counts) {
            rows.push(std::iter::once(name.clone()).chain(counts.iter().map(u64::to_string)).collect());
        }
        tables.push((format!("{} x {}", tab.rows, tab.columns), rows));
    }
    let mut quality = vec![vec![
        text(crate::msg!("page-field")),
        text(crate::msg!("page-missing")),
        text(crate::msg!("sheet-share")),
        text(crate::msg!("page-unreadable")),
    ]];
    for (column, missing, unreadable) in fields(report) {
        quality.push(vec![
            column.clone(),
            missing.to_string(),
            percent(missing, report.records),
            unreadable.to_string(),
        ]);
    }
    tables.push((text(crate::msg!("page-quality")), quality));
    if let Some((_, changes)) = &overview.since {
        let mut moves = vec![vec![
            text(crate::msg!("sheet-dimension")),
            text(crate::msg!("page-from")),
            text(crate::msg!("page-to")),
            text(crate::msg!("sheet-customers")),
            text(crate::msg!("page-examples")),
        ]];
        for m in &changes.moves {
            moves.push(vec![
                m.column.clone(),
                m.from.clone(),
                m.to.clone(),
                m.count.to_string(),
                m.examples.join(", "),
            ]);
        }
        tables.push((text(crate::msg!("page-moves-sheet")), moves));
    }
    tables
}

/// Segments that share a name (an early exclusion and the `otherwise`) as one row.
fn merged(segments: &[(String, u64)]) -> Vec<(String, u64)> {
    let mut rows: Vec<(String, u64)> = Vec::new();
    for (name, count) in segments {
        match rows.iter_mut().find(|(n, _)| n == name) {
            Some(row) => row.1 += count,
            None => rows.push((name.clone(), *count)),
        }
    }
    rows
}

/// The share of `part` in `whole`, in per cent, one decimal.
fn percent(part: u64, whole: u64) -> String {
    format!("{:.1}%", part as f64 * 100.0 / whole.max(1) as f64)
}

/// The fields read from columns: each column, how often it was missing, and how many of
/// its cells could not be read.
fn fields(report: &Report) -> impl Iterator<Item = (&String, u64, u64)> {
    report.missing.iter().filter(|(column, _)| !column.is_empty()).map(|(column, missing)| {
        let unreadable = report.errors_by_column.iter().find(|(c, _)| c == column).map_or(0, |e| e.1);
        (column, *missing, unreadable)
    })
}

#[cfg(test)]
mod tests;
