//! Reading event files: CSV (with or without a BOM, UTF-8 or GB18030), JSON arrays and
//! NDJSON, as for customers. Each event needs a customer id (`customer_id`, else `id`,
//! unless named) and a date (`date`, unless named).

use super::{History, Pending, StreamReport};
use crate::check::suggest::closest;
use crate::compile::Program;
use crate::date;
use crate::diagnostic::{Diagnostic, RulesError};
use crate::error::RunError;
use crate::eval::Row;
use crate::messages::{io_error, Message};
use crate::msg;
use crate::record::batches::{Batch, BatchReader};
use crate::record::chunk::Chunker;
use crate::record::csv_records::CsvRecords;
use crate::record::data_error::DataError;
use crate::record::json::{cell_text, json_chunker};
use crate::record::{encoding, Encoding, InputFormat, Source};
use crate::source::Sources;
use serde_json::Value;

/// Data errors kept with full detail per stream.
const KEPT: usize = 200;

/// Where a stream's events come from and how to read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInput {
    /// The stream's name in the rules (`events orders`).
    pub stream: String,
    pub source: Source,
    pub format: InputFormat,
    pub encoding: Encoding,
    pub delimiter: u8,
    /// The customer id column; `None`: `customer_id`, else `id`.
    pub id_column: Option<String>,
    /// The date column.
    pub date_column: String,
}

impl EventInput {
    /// A stream read from a file, its format from its name, with the default columns.
    pub fn file(stream: &str, path: &str) -> EventInput {
        EventInput {
            stream: stream.to_string(),
            source: Source::from_arg(path),
            format: InputFormat::from_path(path),
            encoding: Encoding::Auto,
            delimiter: b',',
            id_column: None,
            date_column: "date".into(),
        }
    }

    fn shown(&self) -> String {
        match &self.source {
            Source::File(path) => path.display().to_string(),
            Source::Stdin => msg!("standard-input").to_string(),
            Source::Text(_) => msg!("given-events", stream = &self.stream).to_string(),
        }
    }
}

/// One event's cells as the reader found them.
struct Cells<'a> {
    id: Option<&'a str>,
    date: Option<&'a str>,
    /// Per slot of the stream's event row.
    slots: Vec<Option<&'a str>>,
    line: Option<u64>,
}

pub(super) fn read_stream(
    program: &Program,
    stream: usize,
    input: &EventInput,
    history: &mut History,
    threads: usize,
) -> Result<StreamReport, RunError> {
    let mut report =
        StreamReport { stream: input.stream.clone(), file: input.shown(), ..StreamReport::default() };
    let opened = encoding::open(&input.source, input.encoding)
        .map_err(|e| RunError::Events { file: report.file.clone(), message: io_error(&e) })?;
    let row = Row::new(program.streams[stream].slots.len());
    let mut reader = Reader { program, stream, input, row, pending: Pending::default() };
    match input.format {
        InputFormat::Csv => reader.csv(opened.reader, history, &mut report, threads)?,
        format @ (InputFormat::Json | InputFormat::Ndjson) => {
            reader.json(opened.reader, format, history, &mut report)?
        }
    }
    reader.pending.add_to(history);
    Ok(report)
}

struct Reader<'a> {
    program: &'a Program,
    stream: usize,
    input: &'a EventInput,
    row: Row,
    /// Events read and not yet in the history.
    pending: Pending,
}

impl Reader<'_> {
    /// Reads a CSV stream as customers are read (the same chunks, records and line
    /// numbers), on `threads` threads: each accumulates the chunks it takes into a history
    /// of its own and notes what it found per chunk; the histories are then combined and
    /// the chunks' findings put back in file order, so the result is the one-thread one.
    fn csv(
        &mut self,
        input: Box<dyn std::io::Read + Send>,
        history: &mut History,
        report: &mut StreamReport,
        threads: usize,
    ) -> Result<(), RunError> {
        let unreadable = |message: Message| RunError::Events { file: report.file.clone(), message };
        let delimiter = self.input.delimiter;
        let mut batches = BatchReader::new(input, InputFormat::Csv, delimiter, Default::default());
        let header = batches.header().map_err(|e| unreadable(e.message()))?.unwrap_or_default();
        let (id, day, slots) = self.layout(&header)?;
        let feed = batches.into_feed().map_err(|e| unreadable(e.message()))?;
        let (program, stream, events) = (self.program, self.stream, self.input);
        // The chunks one thread takes, into `part`: per chunk, its number and findings.
        let work = |part: &mut History| -> Vec<(u64, StreamReport)> {
            let row = Row::new(program.streams[stream].slots.len());
            let mut reader = Reader { program, stream, input: events, row, pending: Pending::default() };
            let mut record = crate::record::Cells::new();
            let mut found = Vec::new();
            while let Some((number, Batch::Csv(chunk))) = feed.next() {
                let mut piece = StreamReport::default();
                let mut records = CsvRecords::new(&chunk.data, delimiter);
                while let Some(chunk_line) = records.next_record(&mut record) {
                    let line = Some(chunk.first_line + chunk_line - 1);
                    let width = records.oversized().unwrap_or(record.len());
                    if width != header.len() {
                        let problem = msg!("row-width", cells = width, header = header.len());
                        let error = DataError::whole_row(piece.events + 1, line, problem);
                        note(&mut piece, error);
                    }
                    if records.oversized().is_some() {
                        continue;
                    }
                    if let Some(cell) = records.stray_quote() {
                        let text = record.get(cell).unwrap_or_default();
                        let error = DataError::stray_quote(piece.events + 1, line, &header, cell, text);
                        note(&mut piece, error);
                    }
                    let text = |i: usize| record.get(i).and_then(|c| std::str::from_utf8(c).ok());
                    let cells = Cells {
                        id: text(id),
                        date: text(day),
                        slots: slots.iter().map(|&i| text(i)).collect(),
                        line,
                    };
                    reader.event(cells, part, &mut piece);
                }
                reader.pending.add_to(part);
                found.push((number, piece));
            }
            found
        };
        let mut found = match threads {
            1 => work(history),
            _ => {
                let parts = std::thread::scope(|scope| {
                    let workers: Vec<_> = (0..threads)
                        .map(|_| {
                            std::thread::Builder::new().stack_size(crate::eval::WORKER_STACK).spawn_scoped(
                                scope,
                                || {
                                    let mut part = History::empty(program);
                                    let found = work(&mut part);
                                    (part, found)
                                },
                            )
                        })
                        .collect();
                    let mut parts = Vec::new();
                    for worker in workers {
                        let worker = worker.map_err(|_| RunError::NoThread)?;
                        parts.push(worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
                    }
                    Ok::<_, RunError>(parts)
                })?;
                let mut found = Vec::new();
                for (part, pieces) in parts {
                    history.absorb(part);
                    found.extend(pieces);
                }
                found
            }
        };
        found.sort_unstable_by_key(|(number, _)| *number);
        for (_, piece) in found {
            add_piece(report, piece);
        }
        let file = report.file.clone();
        feed.error().map_or(Ok(()), |e| Err(RunError::Events { file, message: e.message() }))
    }

    /// Reads NDJSON lines, or a `.json` file's records (an array's elements or values one
    /// after another), a chunk at a time, so memory does not grow with the file. A record
    /// that is not JSON is a data error for that event; a broken array stops the read.
    fn json(
        &mut self,
        input: Box<dyn std::io::Read + Send>,
        format: InputFormat,
        history: &mut History,
        report: &mut StreamReport,
    ) -> Result<(), RunError> {
        let file = report.file.clone();
        let unreadable =
            |e: std::io::Error| RunError::Events { file: file.to_string(), message: io_error(&e) };
        let mut chunker = match format {
            InputFormat::Ndjson => Chunker::lines(input),
            _ => json_chunker(input).map_err(unreadable)?,
        };
        let columns: Vec<String> =
            self.program.streams[self.stream].slots.iter().map(|s| s.column.clone()).collect();
        while let Some(chunk) = chunker.next_chunk().map_err(unreadable)? {
            for (text, line) in chunk.json_records(format == InputFormat::Ndjson) {
                match serde_json::from_slice::<Value>(text) {
                    // An array of events in a record stands for its events.
                    Ok(Value::Array(items)) => items
                        .into_iter()
                        .for_each(|item| self.json_event(item, line, &columns, history, report)),
                    Ok(value) => self.json_event(value, line, &columns, history, report),
                    Err(e) => {
                        report.events += 1;
                        let problem = msg!("event-not-json", reason = e.to_string());
                        note(report, DataError::whole_row(report.events, line, problem));
                    }
                }
            }
        }
        Ok(())
    }

    fn json_event(
        &mut self,
        value: Value,
        line: Option<u64>,
        columns: &[String],
        history: &mut History,
        report: &mut StreamReport,
    ) {
        let Value::Object(object) = value else {
            report.events += 1;
            note(report, DataError::whole_row(report.events, line, msg!("event-not-object")));
            return;
        };
        let id_key = self.input.id_column.clone().unwrap_or_else(|| {
            if object.contains_key("customer_id") {
                "customer_id".into()
            } else {
                "id".into()
            }
        });
        let text = |key: &str| object.get(key).map(cell_text);
        let (id, date) = (text(&id_key), text(&self.input.date_column));
        let slot_texts: Vec<Option<String>> = columns.iter().map(|c| text(c)).collect();
        let cells = Cells {
            id: id.as_deref(),
            date: date.as_deref(),
            slots: slot_texts.iter().map(|s| s.as_deref()).collect(),
            line,
        };
        self.event(cells, history, report);
    }

    /// Positions of the id, date and slot columns in a CSV header; a column the rules
    /// need and the file lacks is an error, with the nearest column suggested.
    fn layout(&self, header: &[String]) -> Result<(usize, usize, Vec<usize>), RunError> {
        let file = self.input.shown();
        let find = |column: &str, role: Message| -> Result<usize, Diagnostic> {
            header.iter().position(|h| h == column).ok_or_else(|| {
                let mut d =
                    Diagnostic::general(msg!("events-no-column", file = &file, column = column, role = role));
                if let Some(near) = closest(column, header.iter().map(String::as_str)) {
                    d = d.help(msg!("did-you-mean", name = near));
                }
                d.help(msg!("events-columns-are", columns = header.join(", ")))
            })
        };
        let mut problems = Vec::new();
        let id_column = self.input.id_column.clone().unwrap_or_else(|| {
            if header.iter().any(|h| h == "customer_id") {
                "customer_id".into()
            } else {
                "id".into()
            }
        });
        let id = find(&id_column, msg!("events-role-id")).map_err(|d| problems.push(d)).ok();
        let day = find(&self.input.date_column, msg!("events-role-date")).map_err(|d| problems.push(d)).ok();
        let mut slots = Vec::new();
        for spec in &self.program.streams[self.stream].slots {
            match find(&spec.column, msg!("events-role-read")) {
                Ok(i) => slots.push(i),
                Err(d) => problems.push(d),
            }
        }
        match (id, day) {
            (Some(id), Some(day)) if problems.is_empty() => Ok((id, day, slots)),
            _ => Err(RunError::Bind(RulesError { sources: Sources::new(), diagnostics: problems })),
        }
    }

    fn event(&mut self, cells: Cells, history: &mut History, report: &mut StreamReport) {
        report.events += 1;
        let record = report.events;
        let bad = |column: &str, value: Option<&str>, problem: Message| DataError {
            record,
            line: cells.line,
            column: column.to_string(),
            value: crate::diagnostic::excerpt(value.unwrap_or_default()),
            problem,
            place: None,
        };
        let id = cells.id.map(str::trim).unwrap_or_default();
        if id.is_empty() {
            let column = self.input.id_column.as_deref().unwrap_or("customer_id");
            return note(report, bad(column, cells.id, msg!("event-no-id")));
        }
        let Some(day) = cells.date.and_then(|d| date::parse(d.trim())) else {
            return note(report, bad(&self.input.date_column, cells.date, msg!("event-not-date")));
        };
        if day > self.program.as_of {
            report.after_as_of += 1;
        }
        self.row.reset();
        let specs = &self.program.streams[self.stream].slots;
        for (slot, (spec, cell)) in specs.iter().zip(&cells.slots).enumerate() {
            let Some(cell) = cell else { continue };
            if self.row.set_cell(slot, spec.ty, cell).is_err() {
                let problem = match spec.ty {
                    Some(crate::check::typed::Ty::Number) => msg!("cell-not-number"),
                    Some(crate::check::typed::Ty::Date) => msg!("event-not-date"),
                    _ => msg!("cell-unreadable"),
                };
                note(report, bad(&spec.column, Some(cell), problem));
            }
        }
        self.pending.push(self.program, self.stream, id, day, &self.row);
        if self.pending.is_full() {
            self.pending.add_to(history);
        }
    }
}

/// Adds what one chunk's events found to the stream's report, the chunks taken in file
/// order: its events numbered after those before it.
fn add_piece(report: &mut StreamReport, piece: StreamReport) {
    let before = report.events;
    report.events += piece.events;
    report.after_as_of += piece.after_as_of;
    report.error_count += piece.error_count;
    for mut error in piece.errors {
        if report.errors.len() >= KEPT {
            break;
        }
        error.record += before;
        report.errors.push(error);
    }
}

fn note(report: &mut StreamReport, error: DataError) {
    report.error_count += 1;
    if report.errors.len() < KEPT {
        report.errors.push(error);
    }
}
