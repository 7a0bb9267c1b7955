//! What a run found besides the results: how many customers each segment got, and the
//! cells that could not be read, each with its place in the input.

use super::worker::BatchResult;
use crate::actions::ActionError;
use crate::check::suggest::closest;
use crate::compile::Program;
use crate::diagnostic::Diagnostic;
use std::fmt;

/// Data errors kept with full detail; the rest are only counted.
pub const KEPT_ERRORS: usize = 200;

/// A cell that could not be read as its field's type. It counted as missing for that
/// customer; the run went on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// The record's number, 1-based, header excluded.
    pub record: u64,
    /// The input line the record starts on (CSV, NDJSON).
    pub line: Option<u64>,
    /// The column header or JSON key.
    pub column: String,
    /// The cell as written.
    pub value: String,
    /// What is wrong, e.g. "is not a number".
    pub problem: String,
}

impl DataError {
    /// A problem with a whole record rather than one cell.
    pub fn whole_row(record: u64, line: Option<u64>, problem: impl Into<String>) -> DataError {
        DataError { record, line, column: String::new(), value: String::new(), problem: problem.into() }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}")?,
            None => write!(f, "record {}", self.record)?,
        }
        if self.column.is_empty() {
            write!(f, ": {}", self.problem)
        } else {
            write!(f, ", column `{}`: `{}` {}", self.column, self.value, self.problem)
        }
    }
}

/// How many customers each segment of a dimension got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionCounts {
    pub name: String,
    pub title: Option<String>,
    /// Segment name and count, in ruleset order (`otherwise` last).
    pub segments: Vec<(String, u64)>,
    /// Customers with no segment in this dimension.
    pub none: u64,
}

/// The summary of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Customers evaluated.
    pub records: u64,
    pub dimensions: Vec<DimensionCounts>,
    /// Tag name and how many customers carry it.
    pub tags: Vec<(String, u64)>,
    /// The first data errors, in input order.
    pub data_errors: Vec<DataError>,
    /// All data errors.
    pub data_error_count: u64,
    /// Data errors per column, most first.
    pub errors_by_column: Vec<(String, u64)>,
    /// Problems that did not stop the run (e.g. a field no JSON record has).
    pub warnings: Vec<Diagnostic>,
    /// Per field (its column): how many customers had no value for it.
    pub missing: Vec<(String, u64)>,
    /// Follow-up tasks the action scripts emitted.
    pub tasks: u64,
    /// The first errors action scripts ran into, in input order.
    pub action_errors: Vec<ActionError>,
    /// All of them.
    pub action_error_count: u64,
    /// What reading each event stream found.
    pub events: Vec<crate::events::StreamReport>,
    slots_seen: Vec<bool>,
    keys: Vec<String>,
}

impl Report {
    pub(crate) fn new(program: &Program, warnings: Vec<Diagnostic>) -> Report {
        Report {
            records: 0,
            dimensions: program
                .dimensions
                .iter()
                .map(|d| DimensionCounts {
                    name: d.name.clone(),
                    title: d.title.clone(),
                    segments: d.names.iter().map(|n| (n.clone(), 0)).collect(),
                    none: 0,
                })
                .collect(),
            tags: program.tags.iter().map(|t| (t.name.clone(), 0)).collect(),
            data_errors: Vec::new(),
            data_error_count: 0,
            errors_by_column: Vec::new(),
            warnings,
            slots_seen: vec![false; program.slots.len()],
            keys: Vec::new(),
            missing: program.slots.iter().map(|s| (s.column.clone(), 0)).collect(),
            tasks: 0,
            action_errors: Vec::new(),
            action_error_count: 0,
            events: Vec::new(),
        }
    }

    /// Adds one batch, in input order.
    pub(crate) fn merge(&mut self, batch: &BatchResult) {
        for (dimension, counts) in self.dimensions.iter_mut().zip(&batch.counts) {
            for (segment, count) in dimension.segments.iter_mut().zip(counts) {
                segment.1 += count;
            }
            dimension.none += counts.last().copied().unwrap_or(0);
        }
        for (tag, count) in self.tags.iter_mut().zip(&batch.tag_counts) {
            tag.1 += count;
        }
        for error in &batch.errors {
            if self.data_errors.len() < KEPT_ERRORS {
                let mut error = error.clone();
                error.record += self.records;
                self.data_errors.push(error);
            }
        }
        for (column, count) in &batch.errors_by_column {
            match self.errors_by_column.iter_mut().find(|(c, _)| c == column) {
                Some(entry) => entry.1 += count,
                None => self.errors_by_column.push((column.clone(), *count)),
            }
        }
        self.data_error_count += batch.error_count;
        self.tasks += batch.tasks;
        self.action_error_count += batch.action_error_count;
        let room = KEPT_ERRORS.saturating_sub(self.action_errors.len());
        self.action_errors.extend(batch.action_errors.iter().take(room).cloned());
        for (total, count) in self.missing.iter_mut().zip(&batch.missing) {
            total.1 += count;
        }
        self.records += batch.records;
        for (seen, batch_seen) in self.slots_seen.iter_mut().zip(&batch.slots_seen) {
            *seen |= batch_seen;
        }
        if self.keys.is_empty() {
            self.keys.clone_from(&batch.keys);
        }
    }

    /// Merges segments of one name (an early exclusion and `otherwise` may share one),
    /// and warns of JSON keys no record had, once everything is read.
    pub(crate) fn finish(&mut self, program: &Program) {
        for dimension in &mut self.dimensions {
            let mut merged: Vec<(String, u64)> = Vec::with_capacity(dimension.segments.len());
            for (name, count) in dimension.segments.drain(..) {
                match merged.iter_mut().find(|(n, _)| *n == name) {
                    Some(entry) => entry.1 += count,
                    None => merged.push((name, count)),
                }
            }
            dimension.segments = merged;
        }
        self.errors_by_column.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if self.keys.is_empty() && self.records > 0 && program.id_column.is_some() {
            return;
        }
        for (spec, seen) in program.slots[..program.aggregate_base].iter().zip(&self.slots_seen) {
            if *seen || spec.index.is_some() || self.records == 0 {
                continue;
            }
            let mut d = Diagnostic::general(format!(
                "no record has the key `{}`; it was missing for everyone",
                spec.column
            ));
            if let Some(near) = closest(&spec.column, self.keys.iter().map(String::as_str)) {
                d = d.help(format!("did you mean `{near}`?"));
            }
            d.severity = crate::diagnostic::Severity::Warning;
            self.warnings.push(d);
        }
    }
}
