//! The writing stage: formats result rows (in the workers) and writes them in input order
//! (in the writer), whatever order the workers finish in.

use super::report::Report;
use super::worker::BatchResult;
use super::{OutputFormat, PlanSink, RunOptions, Setup, Window};
use crate::actions::{Actions, PlanFormat, Planned};
use crate::compile::Program;
use crate::eval::Outcome;
use crate::record::json::json_id;
use crate::record::json_cells::Cell;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::sync::mpsc::Receiver;

/// Formats result rows into a buffer.
pub struct RowFormatter {
    format: OutputFormat,
    keep: bool,
    header: Vec<String>,
    /// The result columns after the input's: per dimension, `tags` (when the ruleset
    /// has tags), then the fields scripts derive; each with `--prefix`.
    columns: ResultColumns,
    plan: Option<PlanFormat>,
    /// Formatted rows (CSV or JSON) not yet taken.
    rows: Vec<u8>,
    json: Vec<u8>,
    tags: Vec<u8>,
    /// Each dimension's segment names, escaped for CSV once rather than per row, each with
    /// the comma before it; last, the field of a customer in none of its segments.
    segments: Vec<Vec<Vec<u8>>>,
    /// Whether no tag name needs quoting in CSV, so that the `tags` field is written
    /// straight into the row.
    plain_tags: bool,
}

impl RowFormatter {
    /// A formatter for the run's output format.
    pub(crate) fn new(setup: &Setup) -> RowFormatter {
        RowFormatter {
            format: setup.options.output_format,
            keep: setup.options.keep_columns,
            header: setup.program.header.clone(),
            columns: ResultColumns::new(setup.program, setup.actions, setup.options),
            plan: setup.plan,
            rows: Vec::new(),
            json: Vec::new(),
            tags: Vec::new(),
            segments: setup
                .program
                .dimensions
                .iter()
                .map(|d| {
                    let fields = d.names.iter().map(|n| {
                        let mut escaped = vec![b','];
                        push_field(&mut escaped, n.as_bytes());
                        escaped
                    });
                    fields.chain([vec![b',']]).collect()
                })
                .collect(),
            plain_tags: setup.program.tags.iter().all(|t| !needs_quotes(t.name.as_bytes())),
        }
    }

    /// The names of the result columns, in order.
    pub fn result_columns(&self) -> impl Iterator<Item = &str> {
        self.columns.all()
    }

    /// Appends a task to a batch's plan rows (each JSON row starts with `,`, which the
    /// writer drops before the first).
    pub fn plan_row(&mut self, plan: &mut Vec<u8>, task: &Planned, customer: &str, default_owner: &str) {
        match self.plan {
            // Field by field, as the csv crate writes a record (a writer per row would set
            // up an 8 KB buffer for each task), each value from where the script left it.
            Some(PlanFormat::Csv) => {
                push_field(plan, customer.as_bytes());
                for field in [task.dimension, task.segment, task.script] {
                    plan.push(b',');
                    push_field(plan, field.as_bytes());
                }
                task.each_text(default_owner, |text| {
                    plan.push(b',');
                    push_field(plan, text.as_bytes());
                });
                plan.push(b'\n');
            }
            Some(PlanFormat::Json) => {
                plan.extend_from_slice(b",\n  ");
                let _ = serde_json::to_writer(&mut *plan, &task.to_task(customer, default_owner));
            }
            None => {}
        }
    }

    /// The rows formatted so far; starts a new buffer.
    pub fn take(&mut self) -> Vec<u8> {
        let buffer = match self.format {
            OutputFormat::Csv | OutputFormat::Table => &mut self.rows,
            OutputFormat::Json | OutputFormat::Ndjson => &mut self.json,
        };
        // The next batch will likely need about as much: reserve it now rather than grow
        // (and copy) the buffer by doubling.
        let room = buffer.len() + buffer.len() / 8;
        std::mem::replace(buffer, Vec::with_capacity(room))
    }

    /// A result row for a CSV record.
    pub fn csv_record(
        &mut self,
        program: &Program,
        outcome: &Outcome,
        id: &[u8],
        record: &crate::record::Cells,
        derived: &[String],
    ) {
        if let OutputFormat::Json | OutputFormat::Ndjson = self.format {
            self.begin_object();
            if self.keep {
                for (i, name) in self.header.iter().enumerate() {
                    let cell = record.get(i).unwrap_or_default();
                    json_entry(
                        &mut self.json,
                        name,
                        &Value::String(String::from_utf8_lossy(cell).into_owned()),
                    );
                }
            } else {
                let id = String::from_utf8_lossy(id.trim_ascii());
                json_entry(&mut self.json, &program.id_name, &Value::String(id.into_owned()));
            }
            self.end_object(program, outcome, derived);
            return;
        }
        if self.keep {
            // Cells beyond the header have no column to go in (the row was reported).
            for i in 0..self.header.len() {
                if i > 0 {
                    self.rows.push(b',');
                }
                push_field(&mut self.rows, record.get(i).unwrap_or_default());
            }
        } else {
            push_field(&mut self.rows, id.trim_ascii());
        }
        self.segment_fields(program, outcome, derived);
    }

    /// A result row for a JSON record.
    pub fn json_record(
        &mut self,
        program: &Program,
        outcome: &Outcome,
        object: &Map<String, Value>,
        derived: &[String],
    ) {
        if let OutputFormat::Csv | OutputFormat::Table = self.format {
            let id = json_id(object.get(&program.id_name));
            push_field(&mut self.rows, id.as_bytes());
            self.segment_fields(program, outcome, derived);
            return;
        }
        self.begin_object();
        if self.keep {
            for (key, value) in object {
                json_entry(&mut self.json, key, value);
            }
        } else {
            let id = object.get(&program.id_name).unwrap_or(&Value::Null);
            json_entry(&mut self.json, &program.id_name, id);
        }
        self.end_object(program, outcome, derived);
    }

    /// A result row for a JSON record read cell by cell (no scripts, so no derived fields;
    /// no `--keep-columns`): as [`RowFormatter::json_record`] writes it.
    pub fn json_cells_record(
        &mut self,
        program: &Program,
        outcome: &Outcome,
        id: Option<&Cell>,
        id_text: &str,
    ) {
        if let OutputFormat::Csv | OutputFormat::Table = self.format {
            push_field(&mut self.rows, id_text.as_bytes());
            self.segment_fields(program, outcome, &[]);
            return;
        }
        self.begin_object();
        match id {
            Some(Cell::Text(text)) => json_entry(&mut self.json, &program.id_name, text),
            Some(Cell::Other(value)) => json_entry(&mut self.json, &program.id_name, value),
            Some(Cell::Number(text)) => {
                let number = text.parse::<serde_json::Number>().map_or(Value::Null, Value::Number);
                json_entry(&mut self.json, &program.id_name, &number)
            }
            None => json_entry(&mut self.json, &program.id_name, &Value::Null),
        }
        self.end_object(program, outcome, &[]);
    }

    /// The rest of a CSV row after its first field(s): segments, tags, derived fields.
    fn segment_fields(&mut self, program: &Program, outcome: &Outcome, derived: &[String]) {
        for (fields, segment) in self.segments.iter().zip(&outcome.segments) {
            let none = fields.len() - 1;
            self.rows.extend_from_slice(&fields[segment.map_or(none, usize::from)]);
        }
        if !program.tags.is_empty() && self.plain_tags {
            self.rows.push(b',');
            for (i, tag) in program.tag_names(outcome).enumerate() {
                if i > 0 {
                    self.rows.push(b';');
                }
                self.rows.extend_from_slice(tag.as_bytes());
            }
        } else if !program.tags.is_empty() {
            self.tags.clear();
            for (i, tag) in program.tag_names(outcome).enumerate() {
                if i > 0 {
                    self.tags.push(b';');
                }
                self.tags.extend_from_slice(tag.as_bytes());
            }
            self.rows.push(b',');
            push_field(&mut self.rows, &self.tags);
        }
        for value in derived {
            self.rows.push(b',');
            push_field(&mut self.rows, value.as_bytes());
        }
        self.rows.push(b'\n');
    }

    fn begin_object(&mut self) {
        if self.format == OutputFormat::Json {
            self.json.extend_from_slice(b",\n  ");
        }
        self.json.push(b'{');
    }

    fn end_object(&mut self, program: &Program, outcome: &Outcome, derived: &[String]) {
        for (d, name) in self.columns.dimensions.iter().enumerate() {
            let value =
                program.segment_name(d, outcome).map_or(Value::Null, |s| Value::String(s.to_string()));
            json_entry(&mut self.json, name, &value);
        }
        if let Some(name) = &self.columns.tags {
            let tags =
                Value::Array(program.tag_names(outcome).map(|t| Value::String(t.to_string())).collect());
            json_entry(&mut self.json, name, &tags);
        }
        for (name, value) in self.columns.derived.iter().zip(derived) {
            json_entry(&mut self.json, name, &Value::String(value.clone()));
        }
        if self.json.last() == Some(&b',') {
            self.json.pop();
        }
        self.json.push(b'}');
        if self.format == OutputFormat::Ndjson {
            self.json.push(b'\n');
        }
    }
}

/// The names of the columns a run adds to each row, `--prefix` included.
#[derive(Debug, Clone)]
pub(crate) struct ResultColumns {
    pub dimensions: Vec<String>,
    pub tags: Option<String>,
    pub derived: Vec<String>,
}

impl ResultColumns {
    pub fn new(program: &Program, actions: Option<&Actions>, options: &RunOptions) -> ResultColumns {
        let prefix = &options.prefix;
        let derived = actions.map(|a| a.derived.as_slice()).unwrap_or_default();
        ResultColumns {
            dimensions: program.dimensions.iter().map(|d| format!("{prefix}{}", d.name)).collect(),
            tags: (!program.tags.is_empty()).then(|| format!("{prefix}tags")),
            derived: derived.iter().map(|name| format!("{prefix}{name}")).collect(),
        }
    }

    /// Every name, in order.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.dimensions.iter().chain(&self.tags).chain(&self.derived).map(String::as_str)
    }
}

/// Appends a CSV field, quoted only when it must be (it holds a comma, a quote or a line
/// break), as the csv crate writes them.
#[inline]
fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    if needs_quotes(field) {
        push_quoted(out, field);
    } else {
        out.extend_from_slice(field);
    }
}

/// A field in quotes, copied a stretch at a time, each quote doubled where it ends one.
#[inline(never)]
fn push_quoted(out: &mut Vec<u8>, field: &[u8]) {
    out.reserve(field.len() + 2);
    out.push(b'"');
    let mut rest = field;
    while let Some(quote) = memchr::memchr(b'"', rest) {
        out.extend_from_slice(&rest[..=quote]);
        out.push(b'"');
        rest = &rest[quote + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// Whether a CSV field must be quoted: it holds a comma, a quote or a line end. Long
/// fields (messages, kept columns) are searched many bytes at a time.
#[inline]
fn needs_quotes(field: &[u8]) -> bool {
    if field.len() < 32 {
        field.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    } else {
        long_needs_quotes(field)
    }
}

#[inline(never)]
fn long_needs_quotes(field: &[u8]) -> bool {
    memchr::memchr3(b',', b'"', b'\n', field).is_some() || memchr::memchr(b'\r', field).is_some()
}

/// Writes `"key":value,` into a JSON object being built.
fn json_entry(buf: &mut Vec<u8>, key: &str, value: &impl serde::Serialize) {
    let _ = serde_json::to_writer(&mut *buf, key);
    buf.push(b':');
    let _ = serde_json::to_writer(&mut *buf, value);
    buf.push(b',');
}

/// Writes batches in input order, with the format's header and footer.
pub struct Writer<'o> {
    out: BufWriter<&'o mut dyn Write>,
    format: OutputFormat,
    preamble: Vec<u8>,
    /// Table output is collected and laid out at the end.
    table: Vec<u8>,
    wrote_row: bool,
    plan: Option<(BufWriter<&'o mut dyn Write>, PlanFormat)>,
    wrote_task: bool,
    outcomes: Option<&'o mut dyn super::OutcomeSink>,
}

/// The plan's CSV header.
pub fn plan_header() -> Vec<u8> {
    let mut header = csv::Writer::from_writer(Vec::new());
    let _ = header.write_record(crate::actions::PLAN_COLUMNS);
    header.into_inner().unwrap_or_default()
}

impl<'o> Writer<'o> {
    /// A writer of the run's results to `out`.
    pub(crate) fn new(
        out: &'o mut dyn Write,
        plan: Option<PlanSink<'o>>,
        setup: &Setup,
        input_header: Option<&[String]>,
        mut outcomes: Option<&'o mut dyn super::OutcomeSink>,
    ) -> Writer<'o> {
        let (program, options) = (setup.program, setup.options);
        if let Some(sink) = outcomes.as_mut() {
            let dimensions: Vec<(String, Vec<String>)> =
                program.dimensions.iter().map(|d| (d.name.clone(), d.names.clone())).collect();
            let tags: Vec<String> = program.tags.iter().map(|t| t.name.clone()).collect();
            sink.names(&dimensions, &tags);
        }
        let mut preamble = Vec::new();
        match options.output_format {
            OutputFormat::Csv | OutputFormat::Table => {
                if options.bom && options.output_format == OutputFormat::Csv {
                    preamble.extend_from_slice("\u{FEFF}".as_bytes());
                }
                let mut header = csv::Writer::from_writer(Vec::new());
                match input_header.filter(|_| options.keep_columns) {
                    Some(columns) => columns.iter().for_each(|c| drop(header.write_field(c))),
                    None => drop(header.write_field(&program.id_name)),
                }
                for name in ResultColumns::new(setup.program, setup.actions, setup.options).all() {
                    let _ = header.write_field(name);
                }
                let _ = header.write_record(None::<&[u8]>);
                preamble.extend(header.into_inner().unwrap_or_default());
            }
            OutputFormat::Json => preamble.push(b'['),
            OutputFormat::Ndjson => {}
        }
        Writer {
            out: BufWriter::with_capacity(1 << 16, out),
            format: options.output_format,
            preamble,
            table: Vec::new(),
            wrote_row: false,
            plan: plan.map(|(out, format)| (BufWriter::with_capacity(1 << 16, out), format)),
            wrote_task: false,
            outcomes,
        }
    }

    /// Receives batch results in any order and writes them in input order.
    pub fn write_in_order(
        &mut self,
        results: Receiver<BatchResult>,
        report: &mut Report,
        window: &Window,
    ) -> io::Result<()> {
        let written = self.write_ordered(results, report, window);
        // Whether done or failed, no worker may wait for the writer any longer.
        window.close();
        written
    }

    fn write_ordered(
        &mut self,
        results: Receiver<BatchResult>,
        report: &mut Report,
        window: &Window,
    ) -> io::Result<()> {
        let preamble = std::mem::take(&mut self.preamble);
        self.emit(&preamble)?;
        if let Some((plan, format)) = &mut self.plan {
            plan.write_all(&match format {
                PlanFormat::Csv => plan_header(),
                PlanFormat::Json => b"[".to_vec(),
            })?;
        }
        let mut pending = BTreeMap::new();
        let mut next = 0u64;
        for result in results {
            pending.insert(result.seq, result);
            while let Some(result) = pending.remove(&next) {
                report.merge(&result);
                if report.clash.is_some() {
                    // Nothing more is written: the run is refused.
                    return Ok(());
                }
                self.rows(&result.output)?;
                self.tasks(&result.plan)?;
                if let Some(sink) = self.outcomes.as_mut() {
                    result.outcomes.each(|id, segments, tags| sink.customer(id, segments, tags));
                }
                next += 1;
                window.advance(next);
            }
        }
        Ok(())
    }

    fn rows(&mut self, output: &[u8]) -> io::Result<()> {
        if output.is_empty() {
            return Ok(());
        }
        // JSON rows each start with ",\n  "; the first row of all drops its comma.
        let output = if self.format == OutputFormat::Json && !self.wrote_row { &output[1..] } else { output };
        self.wrote_row = true;
        self.emit(output)
    }

    fn tasks(&mut self, rows: &[u8]) -> io::Result<()> {
        let Some((plan, format)) = &mut self.plan else { return Ok(()) };
        if rows.is_empty() {
            return Ok(());
        }
        let rows = if *format == PlanFormat::Json && !self.wrote_task { &rows[1..] } else { rows };
        self.wrote_task = true;
        plan.write_all(rows)
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.format {
            OutputFormat::Table => {
                self.table.extend_from_slice(bytes);
                Ok(())
            }
            _ => self.out.write_all(bytes),
        }
    }

    /// Writes what comes after the last row and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        match self.format {
            OutputFormat::Json => self.out.write_all(if self.wrote_row { b"\n]\n" } else { b"]\n" })?,
            OutputFormat::Table => {
                let table = render_table(&self.table);
                self.out.write_all(table.as_bytes())?;
            }
            _ => {}
        }
        if let Some((plan, format)) = &mut self.plan {
            if *format == PlanFormat::Json {
                plan.write_all(if self.wrote_task { b"\n]\n" } else { b"]\n" })?;
            }
            plan.flush()?;
        }
        self.out.flush()
    }
}

/// Lays CSV rows out as a table for a terminal.
fn render_table(csv_bytes: &[u8]) -> String {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_bytes);
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    for (i, row) in reader.records().flatten().enumerate() {
        let cells: Vec<&str> = row.iter().collect();
        if i == 0 {
            table.set_header(cells);
        } else {
            table.add_row(cells);
        }
    }
    format!("{table}\n")
}

#[cfg(test)]
mod tests {
    /// A field written byte by byte, as the csv crate quotes it.
    fn quoted_byte_by_byte(field: &[u8]) -> Vec<u8> {
        if !field.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
            return field.to_vec();
        }
        let mut out = vec![b'"'];
        for &b in field {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
        out
    }

    /// Fields short and long, with quotes, commas and line ends anywhere (first, last,
    /// doubled, past the short fields' length), are written as byte by byte.
    #[test]
    fn fields_are_quoted_as_the_csv_crate_quotes_them() {
        let with_comma = "Dear Acme Trading Co, thank you for meeting us at the fair";
        let without = "Dear Acme Trading Co: thank you for meeting us at the fair";
        let mut fields: Vec<String> = vec![String::new(), "plain".into(), without.into()];
        for long in [with_comma, without] {
            for special in [",", "\"", "\"\"", "\n", "\r", "\r\n", "迪拜"] {
                for at in [0, 1, 5, 30, 31, 32, 33, long.len()] {
                    let mut field = long.to_string();
                    field.insert_str(at, special);
                    fields.push(field.clone());
                    fields.push(long[..at].to_string() + special);
                    fields.push(format!("{special}{}", &long[..at.min(10)]));
                }
            }
        }
        for field in fields {
            let mut written = b"x,".to_vec();
            super::push_field(&mut written, field.as_bytes());
            assert_eq!(&written[2..], quoted_byte_by_byte(field.as_bytes()), "{field:?}");
        }
    }
}
