//! What a run found besides the results: how many customers each segment got, and the
//! cells that could not be read, each with its place in the input.

use super::worker::BatchResult;
use crate::actions::ActionError;
use crate::check::suggest::closest;
use crate::compile::Program;
use crate::diagnostic::Diagnostic;
use crate::msg;
pub use crate::record::data_error::DataError;

/// Data errors kept with full detail; the rest are only counted.
pub const KEPT_ERRORS: usize = 200;

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
#[derive(Debug, Clone)]
pub struct Report {
    /// Customers evaluated: the rows written.
    pub records: u64,
    /// Records that could not be read at all (not JSON, not an object): each is a data
    /// error, and has no output row.
    pub unreadable: u64,
    /// Customers whose id another customer has too (all records of an id but one).
    pub duplicate_ids: u64,
    /// The smallest few ids that repeat, each once.
    pub duplicate_examples: Vec<String>,
    /// Every id, to find repeats in once all are read.
    ids: super::ids::IdLog,
    /// An input key that is also a result column (JSON with `--keep-columns`): the run
    /// stopped there.
    pub(crate) clash: Option<String>,
    /// Records read, readable or not (for numbering their errors).
    pub(crate) read: u64,
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
    /// Customers an override pinned to a segment the rules did not give.
    pub pinned: u64,
    /// Overrides not applied, each with why (expired, unknown dimension, segment or id).
    pub override_problems: Vec<crate::messages::Message>,
    slots_seen: Vec<bool>,
    keys: Vec<String>,
}

impl Report {
    pub(crate) fn new(program: &Program, warnings: Vec<Diagnostic>) -> Report {
        Report {
            records: 0,
            unreadable: 0,
            duplicate_ids: 0,
            duplicate_examples: Vec::new(),
            ids: Default::default(),
            clash: None,
            read: 0,
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
            pinned: 0,
            override_problems: Vec::new(),
            action_errors: Vec::new(),
            action_error_count: 0,
            events: Vec::new(),
        }
    }

    /// Adds one batch, in input order.
    pub(crate) fn merge(&mut self, batch: &BatchResult) {
        self.pinned += batch.pinned;
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
                error.record += self.read;
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
        self.read += batch.records;
        self.records += batch.records - batch.unreadable;
        self.unreadable += batch.unreadable;
        let mut start = 0;
        for (&end, &print) in batch.id_ends.iter().zip(&batch.id_prints) {
            self.ids.add(print, &batch.ids[start..end as usize]);
            start = end as usize;
        }
        if self.clash.is_none() {
            self.clash.clone_from(&batch.clash);
        }
        for (seen, batch_seen) in self.slots_seen.iter_mut().zip(&batch.slots_seen) {
            *seen |= batch_seen;
        }
        if self.keys.is_empty() {
            self.keys.clone_from(&batch.keys);
        }
    }

    /// Merges segments of one name (an early exclusion and `otherwise` may share one),
    /// finds the ids that repeat (unless they are `known`), and warns of JSON keys no
    /// record had, once everything is read.
    pub(crate) fn finish(&mut self, program: &Program, known: Option<&super::ids::Repeats>, threads: usize) {
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
        let repeats = known.cloned().unwrap_or_else(|| std::mem::take(&mut self.ids).repeats(threads));
        (self.duplicate_ids, self.duplicate_examples) = (repeats.count, repeats.examples);
        if self.duplicate_ids > 0 {
            let more = if self.duplicate_examples.len() == super::ids::EXAMPLES { ", …" } else { "" };
            let examples =
                self.duplicate_examples.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ");
            let mut d = Diagnostic::general(msg!(
                "duplicate-ids",
                count = self.duplicate_ids,
                examples = format!("{examples}{more}")
            ))
            .help(msg!("duplicate-ids-help", column = &program.id_name));
            d.severity = crate::diagnostic::Severity::Warning;
            self.warnings.push(d);
        }
        if self.keys.is_empty() && self.records > 0 && program.id_column.is_some() {
            return;
        }
        for (spec, seen) in program.slots[..program.aggregate_base].iter().zip(&self.slots_seen) {
            if *seen || spec.index.is_some() || self.records == 0 {
                continue;
            }
            let mut d = Diagnostic::general(msg!("key-never-seen", column = &spec.column));
            if let Some(near) = closest(&spec.column, self.keys.iter().map(String::as_str)) {
                d = d.help(msg!("did-you-mean", name = near));
            }
            d.severity = crate::diagnostic::Severity::Warning;
            self.warnings.push(d);
        }
    }
}
