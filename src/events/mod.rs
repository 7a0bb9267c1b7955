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
use accumulate::Accumulators;
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
    /// Per position, its events per stream (for reporting unknown ids per stream) and its
    /// aggregates' state.
    accumulators: Accumulators,
    seen: Vec<AtomicBool>,
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
            accumulators: Accumulators::new(&program.aggregates, program.streams.len()),
            seen: Vec::new(),
            reports: Vec::new(),
        }
    }

    /// Adds the events another thread accumulated (over other events of the same
    /// program) to these.
    fn absorb(&mut self, mut other: History) {
        if self.index.is_empty() {
            std::mem::swap(&mut self.index, &mut other.index);
            std::mem::swap(&mut self.accumulators, &mut other.accumulators);
            return;
        }
        for (id, other_at) in std::mem::take(&mut other.index) {
            let at = self.position(&id);
            self.accumulators.merge(at, &other.accumulators, other_at as usize);
        }
    }

    /// The position of a customer id, adding it if new.
    fn position(&mut self, id: &str) -> usize {
        if let Some(&at) = self.index.get(id) {
            return at as usize;
        }
        let at = self.accumulators.grow();
        self.index.insert(id.into(), at as u32);
        at
    }

    /// Fills a customer's aggregate slots (after the field slots) from the history.
    pub(crate) fn fill(&self, program: &Program, id: &str, row: &mut Row) {
        let at = self.index.get(id.trim()).map(|&i| i as usize);
        if let Some(i) = at {
            self.seen[i].store(true, Ordering::Relaxed);
        }
        for i in 0..program.aggregates.len() {
            row.set(program.aggregate_base + i, self.accumulators.value(at, i));
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
                let events = self.accumulators.events(at, stream);
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
            for (stream, report) in self.reports.iter_mut().enumerate() {
                if self.accumulators.events(at as usize, stream) == 0 {
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

/// Events read but not yet added to a history: each one's id and stream, and what it adds
/// to which aggregate. Adding a batch at once lets the memory reads of many events' ids
/// and accumulators (a million customers do not fit in a cache) overlap, instead of each
/// event waiting for its own.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    events: Vec<(SmallString, usize)>,
    /// Per value added: the event (its place in `events`), the aggregate, the value.
    adds: Vec<(u32, u32, Val)>,
    positions: Vec<usize>,
}

/// Events held before they are added.
const BATCH: usize = 256;

impl Pending {
    /// Holds one event, already parsed into `row` (its columns) and `day`, with the values
    /// it adds to the aggregates of its stream; events after an aggregate's window are
    /// left out of it.
    fn push(&mut self, program: &Program, stream: usize, id: &str, day: i32, row: &Row) {
        let event = self.events.len() as u32;
        self.events.push((id.into(), stream));
        for (index, aggregate) in program.aggregates.iter().enumerate() {
            if aggregate.stream != stream
                || day > aggregate.until
                || aggregate.after.is_some_and(|a| day <= a)
            {
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
            self.adds.push((event, index as u32, value));
        }
    }

    /// True when the batch should be added.
    fn is_full(&self) -> bool {
        self.events.len() >= BATCH
    }

    /// Adds the events held to `history`: first every id's position, then the counts
    /// and values.
    fn add_to(&mut self, history: &mut History) {
        self.positions.clear();
        self.positions.extend(self.events.iter().map(|(id, _)| history.position(id)));
        for ((_, stream), &at) in self.events.iter().zip(&self.positions) {
            history.accumulators.count_event(at, *stream);
        }
        for &(event, aggregate, value) in &self.adds {
            history.accumulators.add(self.positions[event as usize], aggregate as usize, value);
        }
        self.events.clear();
        self.adds.clear();
    }
}
