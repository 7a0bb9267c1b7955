//! What a run found besides the results: how many customers each segment got, and the
//! cells that could not be read, each with its place in the input.

use super::worker::BatchResult;
use crate::actions::ActionError;
use crate::check::suggest::closest;
use crate::compile::Program;
use crate::diagnostic::Diagnostic;
pub use crate::record::data_error::DataError;

/// Data errors kept with full detail; the rest are only counted.
pub const KEPT_ERRORS: usize = 200;
/// Repeated ids named in the warning; the rest are only counted.
pub const DUPLICATE_EXAMPLES: usize = 5;

/// An id's 64-bit fingerprint, the same in every run (fixed seeds).
pub(crate) fn fingerprint(id: &[u8]) -> u64 {
    static STATE: std::sync::LazyLock<ahash::RandomState> = std::sync::LazyLock::new(|| {
        ahash::RandomState::with_seeds(0x7472_6164, 0x6573_6567, 0x6964_7321, 0x0000_2026)
    });
    STATE.hash_one(id)
}

/// Hashes a fingerprint to itself: it is a hash already.
#[derive(Default)]
pub(crate) struct Fingerprinted(u64);

impl std::hash::Hasher for Fingerprinted {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
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
#[derive(Debug, Clone)]
pub struct Report {
    /// Customers evaluated: the rows written.
    pub records: u64,
    /// Records that could not be read at all (not JSON, not an object): each is a data
    /// error, and has no output row.
    pub unreadable: u64,
    /// Customers whose id an earlier customer already had.
    pub duplicate_ids: u64,
    /// The first few ids that repeat, each once.
    pub duplicate_examples: Vec<String>,
    /// An input key that is also a result column (JSON with `--keep-columns`): the run
    /// stopped there.
    pub(crate) clash: Option<String>,
    /// Fingerprints of the ids seen so far.
    ids: std::collections::HashSet<u64, std::hash::BuildHasherDefault<Fingerprinted>>,
    /// Records read, readable or not (for numbering their errors).
    read: u64,
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
            unreadable: 0,
            duplicate_ids: 0,
            duplicate_examples: Vec::new(),
            clash: None,
            ids: Default::default(),
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
        self.note_ids(batch);
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

    /// Counts the batch's ids that an earlier record already had. Ids are kept as 64-bit
    /// fingerprints (8 bytes a customer), so two different ids are taken for one only by
    /// a chance of about 1 in 370,000 for a 10-million-row export.
    fn note_ids(&mut self, batch: &BatchResult) {
        self.ids.reserve(batch.id_prints.len());
        let mut start = 0;
        for (&end, &print) in batch.id_ends.iter().zip(&batch.id_prints) {
            let id = &batch.ids[start..end as usize];
            start = end as usize;
            if self.ids.insert(print) {
                continue;
            }
            self.duplicate_ids += 1;
            let id = String::from_utf8_lossy(id);
            if self.duplicate_examples.len() < DUPLICATE_EXAMPLES
                && !self.duplicate_examples.iter().any(|e| *e == id)
            {
                self.duplicate_examples.push(id.into_owned());
            }
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
        self.ids = Default::default();
        if self.duplicate_ids > 0 {
            let more = if self.duplicate_examples.len() == DUPLICATE_EXAMPLES { ", …" } else { "" };
            let mut d = Diagnostic::general(format!(
                "{} customers have an id an earlier customer already has ({}{more})",
                self.duplicate_ids,
                self.duplicate_examples.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ")
            ))
            .help(format!(
                "each row keeps its own segments; check the export for repeated `{}`",
                program.id_name
            ));
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
