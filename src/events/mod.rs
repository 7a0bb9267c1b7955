//! Event history: reads each event stream (orders, shipments, contacts) once, streaming,
//! and keeps per customer only the accumulators the ruleset's aggregates need. Customers
//! are then evaluated with their aggregates filled in from here.
//!
//! Events dated after the as-of date are never counted, so an earlier `--as-of` replays the
//! view of that day. Bad events (no customer id, a date or a value that does not read)
//! are counted and described, never dropped silently; events of customers not in the
//! customer data are counted once the customers have been read.

mod accumulate;
mod read;

pub use read::EventInput;

use crate::compile::Program;
use crate::eval::{Row, Val};
use crate::record::data_error::DataError;
use accumulate::Column;
use ahash::AHashMap as HashMap;
use smartstring::alias::String as SmallString;
use std::sync::atomic::{AtomicBool, Ordering};

/// What reading one stream found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamReport {
    pub stream: String,
    /// The file it was read from.
    pub file: String,
    /// Events read.
    pub events: u64,
    /// Events dated after the as-of date, left out.
    pub after_as_of: u64,
    /// The first bad events, and how many there were.
    pub errors: Vec<DataError>,
    pub error_count: u64,
    /// Customer ids with events but not among the customers, and their events.
    pub unknown_ids: u64,
    pub unknown_events: u64,
    /// The smallest few of those ids (the same ones on every run), to look up.
    pub unknown_examples: Vec<String>,
}

/// How many ids of events without a customer are named.
const UNKNOWN_EXAMPLES: usize = 5;

/// Accumulated history of every customer with events.
pub struct History {
    /// Customer ids (short ones kept inline, so a lookup reads one place in memory) and
    /// their positions.
    index: HashMap<SmallString, u32>,
    /// Per id, per stream, its events: `streams` counts an id, for reporting unknown ids
    /// per stream.
    events_per_id: Vec<u32>,
    columns: Vec<Column>,
    seen: Vec<AtomicBool>,
    streams: usize,
    pub reports: Vec<StreamReport>,
}

impl History {
    /// Reads every stream the program's aggregates need from `inputs`, on one thread.
    pub fn read(program: &Program, inputs: &[EventInput]) -> Result<History, crate::error::RunError> {
        History::read_on(program, inputs, 1)
    }

    /// Reads every stream the program's aggregates need from `inputs`; a CSV stream is
    /// read on `threads` threads, a chunk at a time, as customers are.
    pub fn read_on(
        program: &Program,
        inputs: &[EventInput],
        threads: usize,
    ) -> Result<History, crate::error::RunError> {
        let mut history = History::empty(program);
        for (stream_index, stream) in program.streams.iter().enumerate() {
            let Some(input) = inputs.iter().find(|i| i.stream == stream.name) else {
                let diagnostic = crate::diagnostic::Diagnostic::general(crate::msg!(
                    "events-not-given",
                    stream = &stream.name
                ))
                .help(crate::msg!("events-not-given-help", stream = &stream.name));
                let error = crate::diagnostic::RulesError {
                    sources: crate::source::Sources::new(),
                    diagnostics: vec![diagnostic],
                };
                return Err(crate::error::RunError::Bind(error));
            };
            let report = read::read_stream(program, stream_index, input, &mut history, threads.max(1))?;
            history.reports.push(report);
        }
        history.seen = (0..history.index.len()).map(|_| AtomicBool::new(false)).collect();
        Ok(history)
    }

    /// No events yet, for the program's aggregates.
    fn empty(program: &Program) -> History {
        History {
            index: HashMap::new(),
            events_per_id: Vec::new(),
            columns: program.aggregates.iter().map(Column::for_aggregate).collect(),
            seen: Vec::new(),
            streams: program.streams.len(),
            reports: Vec::new(),
        }
    }

    /// Adds the events another thread accumulated (over other events of the same
    /// program) to these.
    fn absorb(&mut self, mut other: History) {
        if self.index.is_empty() {
            std::mem::swap(&mut self.index, &mut other.index);
            std::mem::swap(&mut self.events_per_id, &mut other.events_per_id);
            std::mem::swap(&mut self.columns, &mut other.columns);
            return;
        }
        for (id, other_at) in std::mem::take(&mut other.index) {
            let at = self.position(&id);
            let other_at = other_at as usize;
            let mine = self.counts_of(at).start;
            for (s, more) in other.events_per_id[other.counts_of(other_at)].iter().enumerate() {
                self.events_per_id[mine + s] = self.events_per_id[mine + s].saturating_add(*more);
            }
            for (column, more) in self.columns.iter_mut().zip(&other.columns) {
                column.merge(at, more, other_at);
            }
        }
    }

    /// The position of a customer id, adding it if new.
    fn position(&mut self, id: &str) -> usize {
        if let Some(&at) = self.index.get(id) {
            return at as usize;
        }
        let at = self.index.len();
        self.index.insert(id.into(), at as u32);
        self.events_per_id.extend(std::iter::repeat_n(0, self.streams));
        self.columns.iter_mut().for_each(Column::grow);
        at
    }

    /// Where the per-stream event counts of the id at `at` are in `events_per_id`.
    fn counts_of(&self, at: usize) -> std::ops::Range<usize> {
        at * self.streams..(at + 1) * self.streams
    }

    /// How many events of `stream` the id at `at` has.
    fn events_of(&self, at: usize, stream: usize) -> u32 {
        self.events_per_id.get(at * self.streams + stream).copied().unwrap_or(0)
    }

    /// Fills a customer's aggregate slots (after the field slots) from the history.
    pub(crate) fn fill(&self, program: &Program, id: &str, row: &mut Row) {
        let at = self.index.get(id.trim()).map(|&i| i as usize);
        if let Some(i) = at {
            self.seen[i].store(true, Ordering::Relaxed);
        }
        for (i, column) in self.columns.iter().enumerate() {
            row.set(program.aggregate_base + i, column.value(at));
        }
    }

    /// Counts, per stream, the ids of events whose customer never appeared, and keeps the
    /// smallest few of them.
    pub fn count_unknown(&mut self) {
        for (at, seen) in self.seen.iter().enumerate() {
            if seen.load(Ordering::Relaxed) {
                continue;
            }
            for stream in 0..self.reports.len() {
                let events = self.events_of(at, stream);
                let report = &mut self.reports[stream];
                if events > 0 {
                    report.unknown_ids += 1;
                    report.unknown_events += u64::from(events);
                }
            }
        }
        for (id, &at) in &self.index {
            if self.seen.get(at as usize).is_none_or(|s| s.load(Ordering::Relaxed)) {
                continue;
            }
            let counts = self.counts_of(at as usize);
            let Some(events) = self.events_per_id.get(counts) else { continue };
            for (stream, report) in self.reports.iter_mut().enumerate() {
                if events.get(stream).copied().unwrap_or(0) == 0 {
                    continue;
                }
                let examples = &mut report.unknown_examples;
                let place = examples.partition_point(|e| e.as_str() < &**id);
                if place < UNKNOWN_EXAMPLES {
                    examples.insert(place, id.to_string());
                    examples.truncate(UNKNOWN_EXAMPLES);
                }
            }
        }
    }
}

/// Adds one event, already parsed into `row` (its columns) and `day`, to the aggregates of
/// its stream; events after the as-of date are left out by the windows.
fn add_event(history: &mut History, program: &Program, stream: usize, id: &str, day: i32, row: &Row) {
    let at = history.position(id);
    let slot = history.counts_of(at).start + stream;
    if let Some(count) = history.events_per_id.get_mut(slot) {
        *count = count.saturating_add(1);
    }
    for (aggregate, column) in program.aggregates.iter().zip(history.columns.iter_mut()) {
        if aggregate.stream != stream || day > aggregate.until || aggregate.after.is_some_and(|a| day <= a) {
            continue;
        }
        if let Some(filter) = &aggregate.filter {
            if program.test(filter, row) != crate::eval::Tri::True {
                continue;
            }
        }
        let value = match aggregate.value {
            Some(slot) => row.get(slot as usize),
            None => Val::Date(day),
        };
        column.add(at, day, value);
    }
}
