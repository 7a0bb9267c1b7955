//! The evaluating stage: a worker takes a batch, parses its records, evaluates each, and
//! formats the result rows into one buffer, with the batch's counts and data errors.

use super::kept::{Kept, KeptBatch, KeptNote};
use super::report::{DataError, KEPT_ERRORS};
use super::write::RowFormatter;
use super::{RunOptions, Setup, Source, Window};
use crate::actions::{cell_value, refill_cell_value, ActionError, Actions};
use crate::check::typed::Ty;
use crate::compile::Program;
use crate::decimal::Decimal;
use crate::eval::{Evaluator, Outcome, Row, Val};
use crate::events::History;
use crate::messages::Message;
use crate::msg;
use crate::record::batches::Batch;
use crate::record::chunk::Chunk;
use crate::record::csv_records::CsvRecords;
use crate::record::json::{cell_text, json_id};
use crate::record::json_cells::{Cell, JsonCells, Wanted};
use crate::record::Cells;
use serde_json::Value;
use std::sync::mpsc::SyncSender;

/// One batch's results.
pub struct BatchResult {
    pub seq: u64,
    /// Formatted result rows.
    pub output: Vec<u8>,
    pub records: u64,
    /// Per dimension, per segment index; the last entry counts "no segment".
    pub counts: Vec<Vec<u64>>,
    pub tag_counts: Vec<u64>,
    /// Data errors with record numbers counted from the batch's start.
    pub errors: Vec<DataError>,
    pub error_count: u64,
    pub errors_by_column: Vec<(String, u64)>,
    /// Per slot: did any JSON record have the key?
    pub slots_seen: Vec<bool>,
    /// The keys of the batch's first JSON record, for suggestions.
    pub keys: Vec<String>,
    /// Per slot: records where the value was missing (empty, absent or unreadable).
    pub missing: Vec<u64>,
    /// The batch's follow-up tasks, formatted as plan rows.
    pub plan: Vec<u8>,
    pub tasks: u64,
    pub action_errors: Vec<ActionError>,
    pub action_error_count: u64,
    /// Records that could not be read at all (not JSON, not an object): no output row.
    pub unreadable: u64,
    /// The ids of the records written, one after another, each ending at its offset in
    /// `id_ends`, with each id's fingerprint (for finding ids that repeat).
    pub ids: Vec<u8>,
    pub id_ends: Vec<u32>,
    pub id_prints: Vec<u64>,
    /// The first input key that is also a result column (JSON with `--keep-columns`).
    pub clash: Option<String>,
    /// Each written customer's outcome, when the run hands them on.
    pub outcomes: Outcomes,
    /// Customers an override moved to another segment.
    pub pinned: u64,
}

/// The outcomes of a batch's customers, packed: ids one after another, and per customer
/// its segment per dimension (`u16::MAX`: none) followed by its tags.
#[derive(Debug, Default)]
pub struct Outcomes {
    ids: String,
    id_ends: Vec<u32>,
    codes: Vec<u16>,
    code_ends: Vec<u32>,
    dimensions: usize,
}

impl Outcomes {
    fn push(&mut self, id: &str, outcome: &Outcome) {
        self.dimensions = outcome.segments.len();
        self.ids.push_str(id);
        self.id_ends.push(self.ids.len() as u32);
        self.codes.extend(outcome.segments.iter().map(|s| s.unwrap_or(u16::MAX)));
        self.codes.extend_from_slice(&outcome.tags);
        self.code_ends.push(self.codes.len() as u32);
    }

    /// Calls `f` with each customer's id, segments and tags, in order.
    pub fn each(&self, mut f: impl FnMut(&str, &[Option<u16>], &[u16])) {
        let mut segments: Vec<Option<u16>> = Vec::with_capacity(self.dimensions);
        let (mut id_start, mut code_start) = (0usize, 0usize);
        for (&id_end, &code_end) in self.id_ends.iter().zip(&self.code_ends) {
            let id = &self.ids[id_start..id_end as usize];
            let codes = &self.codes[code_start..code_end as usize];
            segments.clear();
            segments.extend(codes[..self.dimensions].iter().map(|&c| (c != u16::MAX).then_some(c)));
            f(id, &segments, &codes[self.dimensions..]);
            (id_start, code_start) = (id_end as usize, code_end as usize);
        }
    }
}

/// Evaluates batches.
pub struct Worker<'p> {
    program: &'p Program,
    history: Option<&'p History>,
    memberships: Option<&'p crate::membership::Memberships>,
    options: &'p RunOptions,
    actions: Option<&'p Actions>,
    evaluator: Evaluator<'p>,
    formatter: RowFormatter,
    record: Cells,
    /// Per CSV column, the type of the field that reads it (for scripts).
    column_types: Vec<Option<Ty>>,
    /// The customer map scripts get, with every column and no values yet, and per entry
    /// (in the map's order) the column it takes its value from: cloned and filled per
    /// customer, rather than built and sorted anew.
    customer_template: (rhai::Map, Vec<usize>),
    /// The map the scripts gave back for the last customer, to fill for the next one.
    spare_customer: Option<rhai::Map>,
    /// The columns the scripts read, when that is known ([`Actions::customer_columns`]).
    script_columns: Option<Vec<&'p str>>,
    /// The derived fields of the current row, one per [`Actions::derived`].
    derived: Vec<String>,
    /// The keys of a JSON record the rules read, when nothing needs the whole record
    /// (no scripts, no `--keep-columns`).
    json_keys: Option<Wanted<'p>>,
    /// Keep each customer's outcome (see [`super::OutcomeSink`]).
    keep_outcomes: bool,
    pins: Option<&'p crate::overrides::Pins>,
    /// The current batch's customers in evaluation form, when the run keeps them, and
    /// where they go once the batch is done.
    kept: Option<KeptBatch>,
    keep: Option<&'p std::sync::Mutex<Vec<(u64, KeptBatch)>>>,
    /// The ids that repeat are known already.
    ids_known: bool,
}

/// What a worker takes next: a batch read from the input, or customers kept from a run
/// before.
pub(crate) enum Work<'k> {
    Read(Batch),
    Kept(&'k KeptBatch),
}

impl<'p> Worker<'p> {
    /// A worker for the run.
    pub(crate) fn new(setup: &Setup<'p>) -> Worker<'p> {
        let program = setup.program;
        let column_types = program.header.iter().enumerate().map(|(i, _)| column_type(program, i)).collect();
        // A column named twice gives the map its last cell, as building the map did. Only
        // the columns the scripts read, when that is known.
        let read = setup.actions.and_then(Actions::customer_columns);
        let template: rhai::Map = program
            .header
            .iter()
            .filter(|column| read.as_ref().is_none_or(|read| read.contains(&column.as_str())))
            .map(|column| (column.as_str().into(), rhai::Dynamic::UNIT))
            .collect();
        let sources = template
            .keys()
            .map(|key| program.header.iter().rposition(|column| column.as_str() == key.as_str()).unwrap_or(0))
            .collect();
        Worker {
            program,
            customer_template: (template, sources),
            script_columns: read,
            spare_customer: None,
            history: setup.history,
            memberships: setup.memberships,
            options: setup.options,
            actions: setup.actions,
            evaluator: Evaluator::new(program),
            formatter: RowFormatter::new(setup),
            record: Cells::new(),
            column_types,
            derived: vec![String::new(); setup.actions.map_or(0, |a| a.derived.len())],
            keep_outcomes: setup.outcomes,
            pins: setup.pins,
            kept: setup.keep.map(|_| KeptBatch::default()),
            keep: setup.keep,
            ids_known: setup.ids_known,
            json_keys: (setup.actions.is_none() && !setup.options.keep_columns).then(|| {
                let columns = program.slots[..program.aggregate_base].iter().map(|s| s.column.as_str());
                Wanted::new(columns, &program.id_name)
            }),
        }
    }

    /// Takes batches until there are none, sending each result on.
    pub(crate) fn serve(mut self, batches: &Source, results: &SyncSender<BatchResult>, window: &Window) {
        while let Some((seq, batch)) = batches.next() {
            if !window.wait_for(seq) || self.actions.is_some_and(Actions::exhausted) {
                return;
            }
            let result = self.process(seq, &batch);
            batches.give_back(batch);
            if let (Some(kept), Some(all)) = (self.kept.as_mut(), self.keep) {
                let mut batch = std::mem::take(kept);
                batch.shrink();
                all.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((seq, batch));
            }
            if results.send(result).is_err() {
                return;
            }
        }
    }

    fn process(&mut self, seq: u64, batch: &Work) -> BatchResult {
        let mut result = BatchResult {
            seq,
            output: Vec::new(),
            records: 0,
            counts: self.program.dimensions.iter().map(|d| vec![0; d.names.len() + 1]).collect(),
            tag_counts: vec![0; self.program.tags.len()],
            errors: Vec::new(),
            error_count: 0,
            errors_by_column: Vec::new(),
            slots_seen: vec![false; self.program.slots.len()],
            keys: Vec::new(),
            missing: vec![0; self.program.slots.len()],
            plan: Vec::new(),
            tasks: 0,
            action_errors: Vec::new(),
            action_error_count: 0,
            unreadable: 0,
            ids: Vec::new(),
            id_ends: Vec::new(),
            id_prints: Vec::new(),
            clash: None,
            outcomes: Outcomes::default(),
            pinned: 0,
        };
        match batch {
            Work::Read(Batch::Csv(chunk)) => self.csv(&chunk.data, chunk.first_line, &mut result),
            Work::Read(Batch::Ndjson(chunk)) => self.ndjson(chunk, &mut result),
            Work::Read(Batch::JsonRecords(chunk)) => self.json_records(chunk, &mut result),
            Work::Kept(batch) => self.replay(batch, &mut result),
        }
        result.output = self.formatter.take();
        result
    }

    fn csv(&mut self, data: &[u8], first_line: u64, result: &mut BatchResult) {
        let mut records = CsvRecords::new(data, self.options.delimiter);
        let mut record = std::mem::take(&mut self.record);
        let columns = self.program.header_width;
        // Checked once for the whole chunk, so cells need no checking one by one; cells
        // split at ASCII delimiters of valid text are valid text themselves.
        let valid_utf8 = crate::record::encoding::is_utf8(data);
        while let Some(chunk_line) = records.next_record(&mut record) {
            let line = first_line + chunk_line - 1;
            if let Some(cells) = records.oversized() {
                result.records += 1;
                result.unreadable += 1;
                let problem =
                    msg!("row-too-wide", cells = cells, most = crate::record::csv_records::MAX_CELLS);
                let error = DataError::whole_row(result.records, Some(line), problem);
                if let Some(kept) = &mut self.kept {
                    kept.unreadable(error.clone());
                }
                note(result, error);
                continue;
            }
            let id = self.program.id_column.and_then(|i| record.get(i)).unwrap_or_default().trim_ascii();
            // A row of empty cells (Excel's trailing `,,,,`) is a blank line, not a customer.
            if id.is_empty() && record.iter().all(|cell| cell.trim_ascii().is_empty()) {
                continue;
            }
            result.records += 1;
            self.note_id(result, id, Some(line));
            if let Some(kept) = &mut self.kept {
                kept.customer(line, id);
            }
            if let Some(cell) = records.stray_quote() {
                let text = record.get(cell).unwrap_or_default();
                let error =
                    DataError::stray_quote(result.records, Some(line), &self.program.header, cell, text);
                if let Some(kept) = &mut self.kept {
                    kept.note(KeptNote::Filling(error.clone()));
                }
                note(result, error);
            }
            if valid_utf8 {
                self.evaluator.fill_utf8_columns(|i| record.get(i));
            } else {
                self.evaluator.begin();
                for (slot, spec) in self.program.slots.iter().enumerate() {
                    let Some(cell) = spec.index.and_then(|i| record.get(i)) else { continue };
                    match std::str::from_utf8(cell) {
                        Ok(text) => self.evaluator.set(slot, text),
                        Err(_) => self.bad_text(result, line, &spec.column, cell),
                    }
                }
            }
            if let Some(kept) = &mut self.kept {
                kept.row(self.evaluator.row(), self.evaluator.errors());
            }
            self.fill_history(id);
            self.evaluate(result, Some(line), id);
            if let Some(expected) = columns.filter(|&n| n != record.len()) {
                let problem = msg!("row-width", cells = record.len(), header = expected);
                let error = DataError::whole_row(result.records, Some(line), problem);
                if let Some(kept) = &mut self.kept {
                    kept.note(KeptNote::After(error.clone()));
                }
                note(result, error);
            }
            if let Some(actions) = self.actions {
                // The id as text only for runs with scripts: the hot path without them
                // does not pay for it.
                // Checked as UTF-8 first: faster than the lossy reading when it is text.
                let id_text = match std::str::from_utf8(id) {
                    Ok(text) => std::borrow::Cow::Borrowed(text),
                    Err(_) => String::from_utf8_lossy(id),
                };
                if actions.applies(self.evaluator.outcome(), &id_text) {
                    let customer = self.csv_customer(&record);
                    let program = self.program;
                    self.act(
                        actions,
                        customer,
                        &mut || whole_csv_customer(program, &record),
                        &id_text,
                        result,
                    );
                }
            }
            let outcome = self.evaluator.outcome();
            self.formatter.csv_record(self.program, outcome, id, &record, &self.derived);
            if self.keep_outcomes {
                result.outcomes.push(&String::from_utf8_lossy(id), outcome);
            }
            self.derived.iter_mut().for_each(String::clear);
        }
        self.record = record;
    }

    fn bad_text(&mut self, result: &mut BatchResult, line: u64, column: &str, cell: &[u8]) {
        let error = DataError {
            record: result.records,
            line: Some(line),
            column: column.to_string(),
            value: crate::diagnostic::excerpt_bytes(cell),
            problem: msg!("cell-bad-encoding"),
            place: None,
        };
        if let Some(kept) = &mut self.kept {
            kept.note(KeptNote::Filling(error.clone()));
        }
        note(result, error);
    }

    /// Evaluates customers kept from a run before, with the problems their records had
    /// then: the same results, counts and report as reading the same file again.
    fn replay(&mut self, batch: &KeptBatch, result: &mut BatchResult) {
        let no_cells = Cells::new();
        let mut records = batch.records();
        while let Some(record) = records.next_record() {
            result.records += 1;
            let (line, id) = match record {
                Kept::Unreadable(error) => {
                    result.unreadable += 1;
                    note(result, error.clone());
                    continue;
                }
                Kept::Customer { line, id } => (line, id),
            };
            self.note_id(result, id, Some(line));
            records.notes(|kept| match kept {
                KeptNote::Filling(error) => {
                    note(result, error.clone());
                    true
                }
                _ => false,
            });
            self.evaluator.begin();
            records.fill(self.evaluator.row_mut());
            let evaluator = &mut self.evaluator;
            records.notes(|kept| match kept {
                KeptNote::Cell(error) => {
                    evaluator.restore_error(error.clone());
                    true
                }
                _ => false,
            });
            self.fill_history(id);
            self.evaluate(result, Some(line), id);
            records.notes(|kept| match kept {
                KeptNote::After(error) => {
                    note(result, error.clone());
                    true
                }
                _ => false,
            });
            let outcome = self.evaluator.outcome();
            self.formatter.csv_record(self.program, outcome, id, &no_cells, &self.derived);
            if self.keep_outcomes {
                result.outcomes.push(&String::from_utf8_lossy(id), outcome);
            }
        }
    }

    fn ndjson(&mut self, chunk: &Chunk, result: &mut BatchResult) {
        let mut cells = JsonCells::default();
        for (line, number) in chunk.json_records(true) {
            result.records += 1;
            if let Err(e) = self.json_text(line, number, &mut cells, result) {
                let error = DataError::whole_row(
                    result.records,
                    number,
                    msg!("line-not-json", reason = e.to_string()),
                );
                result.unreadable += 1;
                note(result, error);
            }
        }
    }

    /// JSON records (array elements, or values one after another). Problems are numbered by
    /// record (an array is often one line); a record that is not JSON also names its line.
    fn json_records(&mut self, chunk: &Chunk, result: &mut BatchResult) {
        let mut cells = JsonCells::default();
        let (mut line, mut counted) = (chunk.first_line, 0);
        for span in &chunk.elements {
            line += memchr::memchr_iter(b'\n', &chunk.data[counted..span.start]).count() as u64;
            counted = span.start;
            result.records += 1;
            if let Err(e) = self.json_text(&chunk.data[span.clone()], None, &mut cells, result) {
                // serde_json counts lines from the element's start (just after the comma).
                let at = line + e.line().saturating_sub(1) as u64;
                let problem = e.to_string();
                let problem = problem.split(" at line ").next().unwrap_or_default();
                let message = msg!("record-not-json", line = at, reason = problem);
                result.unreadable += 1;
                note(result, DataError::whole_row(result.records, None, message));
            }
        }
    }

    /// One JSON record's text, with the line that numbers its problems (NDJSON): read cell
    /// by cell when nothing needs the whole object, else whole. Not being JSON is the
    /// caller's to report.
    fn json_text<'d>(
        &mut self,
        text: &'d [u8],
        line: Option<u64>,
        cells: &mut JsonCells<'d>,
        result: &mut BatchResult,
    ) -> Result<(), serde_json::Error> {
        // The first record of a batch is read whole, for its keys (suggestions).
        let cell_by_cell = self.json_keys.as_ref().filter(|_| !result.keys.is_empty());
        if cell_by_cell.is_some_and(|keys| keys.read(text, cells).is_some()) {
            self.json_cells(cells, line, result);
            return Ok(());
        }
        // Not an object, not JSON, or the whole record is needed: read it whole.
        let value = serde_json::from_slice::<Value>(text)?;
        self.json(&value, line, result);
        Ok(())
    }

    fn json(&mut self, value: &Value, line: Option<u64>, result: &mut BatchResult) {
        let Value::Object(object) = value else {
            result.unreadable += 1;
            note(result, DataError::whole_row(result.records, line, msg!("record-not-object")));
            return;
        };
        if result.keys.is_empty() {
            result.keys = object.keys().cloned().collect();
        }
        if self.options.keep_columns && result.clash.is_none() {
            result.clash =
                self.formatter.result_columns().find(|c| object.contains_key(*c)).map(str::to_string);
        }
        let id = json_id(object.get(&self.program.id_name));
        self.note_id(result, id.as_bytes(), line);
        self.evaluator.begin();
        for (slot, spec) in self.program.slots[..self.program.aggregate_base].iter().enumerate() {
            let Some(cell) = object.get(&spec.column) else { continue };
            result.slots_seen[slot] = true;
            if let Err(shown) = fill_json(&mut self.evaluator, slot, spec.ty, cell) {
                self.bad_json_cell(result, line, slot, shown);
            }
        }
        self.fill_history(id.as_bytes());
        self.evaluate(result, line, id.as_bytes());
        if let Some(actions) = self.actions.filter(|a| a.applies(self.evaluator.outcome(), &id)) {
            let program = self.program;
            let customer = json_customer(program, object, self.script_columns.as_deref());
            self.act(actions, customer, &mut || json_customer(program, object, None), &id, result);
        }
        let outcome = self.evaluator.outcome();
        self.formatter.json_record(self.program, outcome, object, &self.derived);
        if self.keep_outcomes {
            result.outcomes.push(&id, outcome);
        }
        self.derived.iter_mut().for_each(String::clear);
    }
}

impl Worker<'_> {
    /// [`Worker::json`] for a record read cell by cell: the same cells, errors and row.
    fn json_cells(&mut self, cells: &JsonCells, line: Option<u64>, result: &mut BatchResult) {
        self.evaluator.begin();
        for (slot, cell) in cells.cells.iter().enumerate() {
            let Some(cell) = cell else { continue };
            result.slots_seen[slot] = true;
            let filled = match cell {
                Cell::Text(text) => {
                    self.evaluator.set(slot, text);
                    Ok(())
                }
                Cell::Number(text) => {
                    fill_number(&mut self.evaluator, slot, self.program.slots[slot].ty, text)
                }
                Cell::Other(value) => {
                    fill_json(&mut self.evaluator, slot, self.program.slots[slot].ty, value)
                }
            };
            if let Err(shown) = filled {
                self.bad_json_cell(result, line, slot, shown);
            }
        }
        let id = Cell::id(cells.id.as_ref());
        self.note_id(result, id.as_bytes(), line);
        self.fill_history(id.as_bytes());
        self.evaluate(result, line, id.as_bytes());
        let outcome = self.evaluator.outcome();
        self.formatter.json_cells_record(self.program, outcome, cells.id.as_ref(), &id);
        if self.keep_outcomes {
            result.outcomes.push(&id, outcome);
        }
    }

    /// Keeps a record's id for finding repeats; an empty one is a data error.
    fn note_id(&self, result: &mut BatchResult, id: &[u8], line: Option<u64>) {
        if id.is_empty() {
            let error = DataError {
                record: result.records,
                line,
                column: self.program.id_name.clone(),
                value: String::new(),
                problem: msg!("id-empty"),
                place: None,
            };
            note(result, error);
            return;
        }
        if self.ids_known {
            return;
        }
        result.ids.extend_from_slice(id);
        result.id_ends.push(result.ids.len() as u32);
        result.id_prints.push(super::ids::fingerprint(id));
    }

    /// Notes a JSON value that does not fit its field's type, as it was written.
    fn bad_json_cell(&self, result: &mut BatchResult, line: Option<u64>, slot: usize, shown: String) {
        let spec = &self.program.slots[slot];
        let error = DataError {
            record: result.records,
            line,
            column: spec.column.clone(),
            value: crate::diagnostic::excerpt(&shown),
            problem: problem(spec, &shown),
            place: None,
        };
        note(result, error);
    }

    /// Evaluates the filled row, counts its segments, and notes the cells that did not read.
    fn evaluate(&mut self, result: &mut BatchResult, line: Option<u64>, id: &[u8]) {
        self.evaluator.evaluate_row();
        if let Some(pins) = self.pins {
            self.pin(pins, result, id);
        }
        tally(result, self.evaluator.outcome(), self.evaluator.row());
        for error in self.evaluator.errors() {
            let spec = &self.program.slots[error.slot];
            let error = DataError {
                record: result.records,
                line,
                column: spec.column.clone(),
                value: error.value.clone(),
                problem: problem(spec, &error.value),
                place: None,
            };
            note(result, error);
        }
    }

    /// Puts the customer where its overrides pin it, counting it when that changed a segment.
    fn pin(&mut self, pins: &crate::overrides::Pins, result: &mut BatchResult, id: &[u8]) {
        let Ok(id) = std::str::from_utf8(id) else { return };
        let mut moved = false;
        for (dimension, segment) in pins.of(id) {
            let segments = &mut self.evaluator.outcome_mut().segments;
            if let Some(slot) = segments.get_mut(dimension) {
                moved |= *slot != Some(segment);
                *slot = Some(segment);
            }
        }
        result.pinned += u64::from(moved);
    }

    /// Gives the row what the histories know of the customer: its event aggregates, and
    /// its places at the previous recorded run.
    fn fill_history(&mut self, id: &[u8]) {
        if self.history.is_none() && self.memberships.is_none() {
            // Most runs: the id need not be made text.
            return;
        }
        let id = &String::from_utf8_lossy(id);
        if let Some(history) = self.history {
            history.fill(self.program, id, self.evaluator.row_mut());
        }
        if let Some(memberships) = self.memberships {
            self.program.fill_places(memberships, id, self.evaluator.row_mut());
        }
    }

    /// Runs the scripts for the current row: tasks into the plan, derived fields kept for
    /// the output row, errors noted.
    fn act(
        &mut self,
        actions: &Actions,
        customer: rhai::Map,
        whole: &mut dyn FnMut() -> rhai::Map,
        id: &str,
        result: &mut BatchResult,
    ) {
        let mut ran = actions.run(self.program, self.evaluator.outcome(), customer, whole, id);
        self.spare_customer = ran.customer.take();
        for task in &ran.tasks {
            self.formatter.plan_row(&mut result.plan, task, id, &ran.owner);
        }
        result.tasks += ran.tasks.len() as u64;
        for (index, value) in ran.derived {
            self.derived[index] = value;
        }
        result.action_error_count += ran.errors.len() as u64;
        let room = KEPT_ERRORS.saturating_sub(result.action_errors.len());
        result.action_errors.extend(ran.errors.into_iter().take(room));
    }

    /// The customer as scripts see it: the columns they read (every column when that is not
    /// known), typed where a field reads them. The map the scripts gave back for the last
    /// customer is filled again when its keys are still those columns (a script may add or
    /// remove some); else the template is copied.
    fn csv_customer(&mut self, record: &Cells) -> rhai::Map {
        let (template, sources) = &self.customer_template;
        let mut customer = match self.spare_customer.take() {
            Some(spare) if spare.len() == template.len() && spare.keys().eq(template.keys()) => spare,
            _ => template.clone(),
        };
        for (value, &i) in customer.values_mut().zip(sources) {
            // Checked as UTF-8 first: much faster than the lossy reading, which only cells
            // that are not (a broken export) need.
            let cell = record.get(i).map(|bytes| match std::str::from_utf8(bytes) {
                Ok(text) => std::borrow::Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(bytes),
            });
            let cell = cell.unwrap_or_default();
            refill_cell_value(value, &cell, self.column_types.get(i).copied().flatten());
        }
        customer
    }
}

/// The type of the field that reads a CSV column, if one does.
fn column_type(program: &Program, column: usize) -> Option<Ty> {
    program.slots.iter().find(|s| s.index == Some(column)).and_then(|s| s.ty)
}

/// The customer of a CSV record as scripts see it with every column, typed where a field
/// reads it: for a call that needs more than the columns its scripts were found to read.
fn whole_csv_customer(program: &Program, record: &Cells) -> rhai::Map {
    // In the header's order: a column named twice gives the map its last cell.
    program
        .header
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let cell = String::from_utf8_lossy(record.get(i).unwrap_or_default());
            (column.as_str().into(), cell_value(&cell, column_type(program, i)))
        })
        .collect()
}

/// The customer of a JSON record as scripts see it: its keys (only those in `read`, when
/// given), typed where a field reads them.
fn json_customer(
    program: &Program,
    object: &serde_json::Map<String, Value>,
    read: Option<&[&str]>,
) -> rhai::Map {
    object
        .iter()
        .filter(|(key, _)| read.is_none_or(|read| read.contains(&key.as_str())))
        .map(|(key, value)| {
            let ty = program.slots.iter().find(|s| s.column == *key).and_then(|s| s.ty);
            (key.as_str().into(), cell_value(&cell_text(value), ty))
        })
        .collect()
}

/// Sets a slot from a JSON value; `Err` carries the value as shown in an error.
fn fill_json(evaluator: &mut Evaluator, slot: usize, ty: Option<Ty>, cell: &Value) -> Result<(), String> {
    match (cell, ty) {
        (Value::Null, _) => {}
        (Value::String(text), _) => evaluator.set(slot, text),
        (Value::Number(n), _) => return fill_number(evaluator, slot, ty, n.as_str()),
        (Value::Bool(b), Some(Ty::Bool)) => evaluator.set_value(slot, Val::Bool(*b)),
        (Value::Array(items), Some(Ty::List) | None) => {
            let mut joined = String::new();
            for item in items {
                match item {
                    Value::String(s) => joined.push_str(s),
                    Value::Null => {}
                    other => joined.push_str(&other.to_string()),
                }
                joined.push(';');
            }
            let value = evaluator.row_mut().push_text(&joined);
            evaluator.set_value(slot, value);
        }
        (Value::Bool(_), Some(Ty::Text) | None) => evaluator.set(slot, &cell.to_string()),
        (other, _) => return Err(other.to_string()),
    }
    Ok(())
}

/// Sets a slot from a JSON number's text (numbers keep the text they were written with, so
/// none is rounded on the way); `Err` carries the number when its field is not a number.
fn fill_number(evaluator: &mut Evaluator, slot: usize, ty: Option<Ty>, text: &str) -> Result<(), String> {
    match ty {
        Some(Ty::Number) => {
            let value = Decimal::parse_json(text);
            evaluator.set_value(slot, value.map_or(Val::Missing, Val::Num));
            value.map(drop).ok_or_else(|| text.to_string())
        }
        Some(Ty::Text) | None => {
            evaluator.set(slot, text);
            Ok(())
        }
        Some(_) => Err(text.to_string()),
    }
}

fn tally(result: &mut BatchResult, outcome: &Outcome, row: &Row) {
    for (missing, value) in result.missing.iter_mut().zip(&row.vals) {
        *missing += u64::from(matches!(value, Val::Missing));
    }
    for (counts, segment) in result.counts.iter_mut().zip(&outcome.segments) {
        let last = counts.len() - 1;
        counts[segment.map_or(last, |s| s as usize)] += 1;
    }
    for &tag in &outcome.tags {
        result.tag_counts[tag as usize] += 1;
    }
}

fn note(result: &mut BatchResult, error: DataError) {
    result.error_count += 1;
    match result.errors_by_column.iter_mut().find(|(c, _)| *c == error.column) {
        Some(entry) => entry.1 += 1,
        None => result.errors_by_column.push((error.column.clone(), 1)),
    }
    if result.errors.len() < KEPT_ERRORS {
        result.errors.push(error);
    }
}

/// What is wrong with a cell that did not read as its field's type.
pub(crate) fn problem(spec: &crate::program::SlotSpec, value: &str) -> Message {
    match spec.ty {
        Some(Ty::Number) => msg!("cell-not-number"),
        Some(Ty::Date) if spec.dates != crate::cell::DateOrder::YearFirst => {
            let pattern = match spec.dates {
                crate::cell::DateOrder::MonthFirst => "M/D/YYYY",
                _ => "D/M/YYYY",
            };
            msg!("cell-not-date-pattern", pattern = pattern)
        }
        Some(Ty::Date) if crate::cell::is_unordered_date(value) => {
            msg!("cell-ambiguous-date", field = &spec.field)
        }
        Some(Ty::Date) => msg!("cell-not-date"),
        Some(Ty::Bool) => msg!("cell-not-bool"),
        Some(ty) => msg!("cell-not-type", ty = ty.phrase()),
        None => msg!("cell-unreadable"),
    }
}
