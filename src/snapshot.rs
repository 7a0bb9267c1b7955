//! Snapshots for rule authors: a ruleset names sample data in its comments, and its
//! expected results live beside it, so `tradeseg test` can say which customers an edit
//! would move between which segments. The layout:
//!
//! ```text
//! rules/stage.seg          # sample-data: ../data/customers.csv   (relative to the ruleset)
//!                          # sample-as-of: 2026-11-01             (the date the rules run as of)
//!                          # sample-id: id                        (optional, default `id`)
//!                          # sample-events: orders=orders.csv     (one per event stream)
//! rules/stage.snap.csv     the results `tradeseg run` gives on that data, as of that date
//! ```
//!
//! The sample runs as `tradeseg run` runs it: with its events, and with the ruleset's
//! action scripts, whose plan [`run_sample`] gives too.

use crate::actions::{Actions, PlanFormat};
use crate::check::Checked;
use crate::compile::CompileOptions;
use crate::date::{self, Day};
use crate::events::EventInput;
use crate::messages::Message;
use crate::msg;
use crate::record::{encoding, Encoding, InputFormat, Source};
use crate::run::{Extras, RunOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a ruleset's comments say about its sample data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub data: PathBuf,
    pub as_of: Day,
    pub id: String,
    /// Event streams, by name, with their files.
    pub events: Vec<(String, PathBuf)>,
}

/// What a ruleset gives on its sample.
#[derive(Debug)]
pub struct SampleRun {
    /// The results, as `tradeseg run` writes them in CSV.
    pub results: String,
    /// The follow-up plan in CSV, when the ruleset has action scripts.
    pub plan: Option<String>,
    pub report: crate::run::Report,
}

/// The value of a `# KEY: value` comment line, if the text has one.
pub fn directive<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|line| line.trim().strip_prefix('#')?.trim().strip_prefix(key)?.trim().strip_prefix(':'))
        .map(str::trim)
}

/// The sample a ruleset names, `None` if it names none, or what is wrong with it.
pub fn sample(ruleset: &Path, text: &str) -> Option<Result<Sample, Message>> {
    let data = directive(text, "sample-data")?;
    let folder = ruleset.parent().unwrap_or(Path::new("."));
    let as_of = match directive(text, "sample-as-of") {
        Some(d) => match date::parse(d) {
            Some(day) => day,
            None => return Some(Err(msg!("sample-as-of-not-date", text = d))),
        },
        None => return Some(Err(msg!("sample-needs-as-of"))),
    };
    let id = directive(text, "sample-id").unwrap_or("id").to_string();
    let events = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix('#')?.trim().strip_prefix("sample-events:"))
        .filter_map(|spec| spec.trim().split_once('='))
        .map(|(name, file)| (name.trim().to_string(), folder.join(file.trim())))
        .collect();
    Some(Ok(Sample { data: folder.join(data), as_of, id, events }))
}

/// Where a ruleset's expected results are kept: `NAME.snap.csv` beside `NAME.seg`.
pub fn snapshot_path(ruleset: &Path) -> PathBuf {
    ruleset.with_extension("snap.csv")
}

/// The results of the ruleset on its sample, as `tradeseg run` writes them in CSV.
pub fn results(checked: &Checked, sample: &Sample) -> Result<String, Message> {
    run_sample(checked, sample, false).map(|run| run.results)
}

/// Runs the ruleset on its sample as `tradeseg run` would: with its event files and its
/// action scripts; with `keep_columns`, the sample's columns come first.
pub fn run_sample(checked: &Checked, sample: &Sample, keep_columns: bool) -> Result<SampleRun, Message> {
    let (reader, input_format, delimiter) = open_sample(checked, sample)?;
    let options = RunOptions {
        input_format,
        delimiter,
        threads: 1,
        keep_columns,
        ..RunOptions::new(CompileOptions {
            as_of: sample.as_of,
            id_column: sample.id.clone(),
            decimal_comma: false,
        })
    };
    let events: Vec<EventInput> =
        sample.events.iter().map(|(name, file)| EventInput::file(name, &file.to_string_lossy())).collect();
    let actions = Actions::load(checked).map_err(|e| msg!("sample-failed", reason = e.to_string()))?;
    let (mut output, mut plan) = (Vec::new(), Vec::new());
    let sink = actions.as_ref().map(|_| (&mut plan as &mut dyn std::io::Write, PlanFormat::Csv));
    let extras = Extras { actions: actions.as_ref(), plan: sink, events: &events, ..Default::default() };
    let report = match crate::run::run_with(checked, extras, reader, &mut output, &options, None) {
        Ok(report) => report,
        Err(crate::run::RunError::Bind(e)) => {
            return Err(e
                .diagnostics
                .first()
                .map_or_else(|| msg!("test-does-not-compile"), |d| d.message.clone()))
        }
        Err(e) => return Err(msg!("sample-failed", reason = e.to_string())),
    };
    let text =
        |bytes: Vec<u8>| String::from_utf8(bytes).map_err(|e| msg!("sample-failed", reason = e.to_string()));
    Ok(SampleRun { results: text(output)?, plan: actions.map(|_| text(plan)).transpose()?, report })
}

/// The sample data as `tradeseg run` opens it: a workbook's first sheet, or text whose
/// format and delimiter its content shows.
fn open_sample(
    checked: &Checked,
    sample: &Sample,
) -> Result<(Box<dyn std::io::Read + Send>, InputFormat, u8), Message> {
    let cannot = |e: &dyn std::fmt::Display| {
        msg!("cannot-open-sample", path = sample.data.display().to_string(), reason = e.to_string())
    };
    // Without the `workbooks` feature a workbook sample reads as text, and fails as one.
    #[cfg(not(feature = "workbooks"))]
    let _ = checked;
    #[cfg(feature = "workbooks")]
    if crate::workbook::file_is_workbook(&sample.data) {
        let mut wanted: Vec<String> = checked.fields.iter().map(|f| f.column.clone()).collect();
        wanted.push(sample.id.clone());
        let sheet = crate::workbook::read_sheet(&sample.data, None, None, &wanted).map_err(|e| cannot(&e))?;
        return Ok((Box::new(std::io::Cursor::new(sheet.csv)), InputFormat::Csv, b','));
    }
    let opened =
        encoding::open(&Source::File(sample.data.clone()), Encoding::Auto).map_err(|e| cannot(&e))?;
    let (head, reader) = crate::record::sniff::peek(opened.reader).map_err(|e| cannot(&e))?;
    let format = match InputFormat::from_path(&sample.data.to_string_lossy()) {
        InputFormat::Csv => crate::record::sniff::json_start(&head).unwrap_or(InputFormat::Csv),
        named => named,
    };
    Ok((reader, format, crate::record::sniff::delimiter(&head)))
}

/// How results changed between the stored snapshot and now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Customers in the results but not the snapshot, and the other way round.
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Columns (dimensions, `tags`) present in only one of the two.
    pub columns_changed: Vec<String>,
    /// Per column, per (before, after): how many customers moved, and the first few ids.
    pub moves: Vec<Move>,
}

/// Customers who moved from one value of a column to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub column: String,
    pub from: String,
    pub to: String,
    pub count: usize,
    pub examples: Vec<String>,
}

impl Changes {
    /// Counts one customer (its id made by `id`, kept for the first few) who moved in
    /// `column` from `from` to `to`.
    pub fn note_move(&mut self, column: &str, from: &str, to: &str, id: impl FnOnce() -> String) {
        match self.moves.iter_mut().find(|m| m.column == column && m.from == from && m.to == to) {
            Some(m) => {
                m.count += 1;
                if m.examples.len() < 5 {
                    m.examples.push(id());
                }
            }
            None => self.moves.push(Move {
                column: column.to_string(),
                from: from.to_string(),
                to: to.to_string(),
                count: 1,
                examples: vec![id()],
            }),
        }
    }

    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.columns_changed.is_empty()
            && self.moves.is_empty()
    }
}

/// Compares two results files by customer id (the first column). Rows are paired by
/// position while their ids agree (the same export evaluated twice, the usual case), and
/// through an index by id only where they do not.
pub fn compare(expected: &str, actual: &str) -> Changes {
    let (before_header, before) = table(expected);
    let (after_header, after) = table(actual);
    let mut changes = Changes::default();
    for column in before_header.iter().skip(1) {
        if !after_header.contains(column) {
            changes.columns_changed.push(msg!("column-gone", column = column).to_string());
        }
    }
    for column in after_header.iter().skip(1) {
        if !before_header.contains(column) {
            changes.columns_changed.push(msg!("column-new", column = column).to_string());
        }
    }
    // Each column of the new results with its place in the old ones.
    let columns: Vec<(usize, usize, &str)> = after_header
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(i, c)| before_header.iter().position(|b| b == c).map(|j| (i, j, c.as_str())))
        .collect();
    let id = |row: &csv::StringRecord| row.get(0).unwrap_or_default().to_string();
    let same_order =
        before.len() == after.len() && before.iter().zip(&after).all(|(b, a)| b.get(0) == a.get(0));
    let index: HashMap<&str, usize> = match same_order {
        true => HashMap::new(),
        false => before.iter().enumerate().map(|(n, r)| (r.get(0).unwrap_or_default(), n)).collect(),
    };
    if !same_order {
        let after_ids: std::collections::HashSet<&str> =
            after.iter().map(|r| r.get(0).unwrap_or_default()).collect();
        changes.removed =
            before.iter().filter(|r| !after_ids.contains(r.get(0).unwrap_or_default())).map(id).collect();
    }
    for (n, row) in after.iter().enumerate() {
        let old = match same_order {
            true => &before[n],
            false => match index.get(row.get(0).unwrap_or_default()) {
                Some(&at) => &before[at],
                None => {
                    changes.added.push(id(row));
                    continue;
                }
            },
        };
        for &(i, j, column) in &columns {
            let (from, to) = (old.get(j).unwrap_or_default(), row.get(i).unwrap_or_default());
            if from != to {
                changes.note_move(column, from, to, || id(row));
            }
        }
    }
    changes
}

/// The header and the rows of a results file (empty lines skipped).
fn table(text: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = reader.records().flatten();
    let header = rows.next().map(|r| r.iter().map(String::from).collect()).unwrap_or_default();
    (header, rows.filter(|r| !r.is_empty()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_directives() {
        let text = "# Stage\n# sample-data: ../d.csv\n#sample-as-of:2026-11-01\nlet x = 1";
        let s = sample(Path::new("r/s.seg"), text).unwrap().unwrap();
        assert_eq!(s.data, Path::new("r/../d.csv"));
        assert_eq!(date::format(s.as_of), "2026-11-01");
        assert_eq!(s.id, "id");
        assert!(sample(Path::new("s.seg"), "# sample-data: d.csv").unwrap().is_err());
        assert!(sample(Path::new("s.seg"), "let x = 1").is_none());
    }

    #[test]
    fn reports_who_moved_where() {
        let before = "id,stars,tags\nC1,1-star,\nC2,2-star,oem\nC3,2-star,\nC4,0-star,\n";
        let after = "id,stars,tags\nC1,2-star,\nC2,2-star,\nC3,3-star,\nC5,0-star,\n";
        let changes = compare(before, after);
        assert_eq!(changes.added, ["C5"]);
        assert_eq!(changes.removed, ["C4"]);
        let moves: Vec<(&str, &str, &str, usize)> = changes
            .moves
            .iter()
            .map(|m| (m.column.as_str(), m.from.as_str(), m.to.as_str(), m.count))
            .collect();
        assert_eq!(
            moves,
            [("stars", "1-star", "2-star", 1), ("tags", "oem", "", 1), ("stars", "2-star", "3-star", 1)]
        );
        assert!(compare(before, before).is_empty());
    }
}
