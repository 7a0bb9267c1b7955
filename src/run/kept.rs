//! Customers kept in evaluation form between runs. A run may keep every customer as the
//! rules read it (each field's value already parsed, with the problems its cells had), so
//! that rules that read the same columns the same way can be evaluated over them again
//! without reading, splitting and parsing the file: `watch` does so after an edit of the
//! rules. The values are packed (a tag byte each, which is the value itself for small
//! whole numbers; larger ones and lengths as varints), about 50 bytes a customer for the
//! seed workload's fields.

use super::{run_from, DataError, Extras, Report, RunError, RunOptions, Start};
use crate::actions::Actions;
use crate::cell::{CellRules, DateOrder};
use crate::check::typed::Ty;
use crate::check::Checked;
use crate::compile::{compile, Program, Schema};
use crate::decimal::Decimal;
use crate::eval::{CellError, Row, Val};
use crate::record::InputFormat;
use std::io::{Read, Write};

/// The customers of a run in evaluation form, in input order, made by
/// [`run_keeping`] and evaluated again by [`run_kept`].
pub struct KeptCustomers {
    pub(crate) header: Vec<String>,
    pub(crate) layout: Layout,
    pub(crate) batches: Vec<KeptBatch>,
    /// The ids that repeat among them.
    pub(crate) repeats: super::ids::Repeats,
}

impl KeptCustomers {
    /// The number of records kept (customers, and rows that could not be read).
    pub fn records(&self) -> u64 {
        self.batches.iter().map(|b| u64::from(b.entries)).sum()
    }

    /// The bytes the kept values take.
    pub fn size(&self) -> usize {
        self.batches
            .iter()
            .map(|b| b.bytes.len() + b.notes.len() * std::mem::size_of::<(u32, KeptNote)>())
            .sum()
    }
}

impl std::fmt::Debug for KeptCustomers {
    /// Their number and size, not the values (millions of them).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptCustomers")
            .field("columns", &self.header)
            .field("records", &self.records())
            .field("bytes", &self.size())
            .finish_non_exhaustive()
    }
}

/// [`super::run_with`], keeping the customers in evaluation form for [`run_kept`]. They are kept
/// when the input is CSV and nothing needs the records' other cells or other files (no
/// action scripts, no event history, no `--keep-columns`); else `None`.
pub fn run_keeping<'o>(
    checked: &Checked,
    extras: Extras<'o>,
    input: Box<dyn Read + Send>,
    output: &'o mut dyn Write,
    options: &RunOptions,
) -> Result<(Report, Option<KeptCustomers>), RunError> {
    run_from(checked, extras, Start::read(input, options, None)?, output, options, true)
}

/// Runs a ruleset over customers kept by [`run_keeping`]: the same results, counts and
/// report as over the file they were read from, without reading it. `Ok(None)`, with
/// nothing written, when the rules read the data otherwise than the rules that kept them
/// (another column or type, other cell rules) or need what is not kept (scripts, events):
/// run them over the file instead.
pub fn run_kept<'o>(
    checked: &Checked,
    extras: Extras<'o>,
    kept: &KeptCustomers,
    output: &'o mut dyn Write,
    options: &RunOptions,
) -> Result<Option<Report>, RunError> {
    // Rules that do not compile for the kept header do not for the file's either: the run
    // over the file reports why.
    let Ok((program, _)) = compile(checked, &Schema::from_header(&kept.header), &options.compile) else {
        return Ok(None);
    };
    if layout(&program, options, extras.actions).as_ref() != Some(&kept.layout) {
        return Ok(None);
    }
    let (report, _) = run_from(checked, extras, Start::Kept(kept), output, options, false)?;
    Ok(Some(report))
}

/// How a program reads the data, when its customers can be kept in evaluation form:
/// CSV whose records' other cells and other files nothing needs.
pub(crate) fn layout(program: &Program, options: &RunOptions, actions: Option<&Actions>) -> Option<Layout> {
    let keepable = options.input_format == InputFormat::Csv
        && !program.header.is_empty()
        && !options.keep_columns
        && actions.is_none()
        && program.streams.is_empty();
    keepable.then(|| Layout::of(program, options.delimiter))
}

/// How a program reads the data: which column each slot takes and as what, the cell rules,
/// and the CSV layout. Kept values serve another program only when its layout is the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    slots: Vec<(Option<usize>, Option<Ty>, DateOrder)>,
    cells: CellRules,
    id_column: Option<usize>,
    header_width: Option<usize>,
    delimiter: u8,
}

impl Layout {
    /// The layout of a program compiled for a CSV header.
    pub(crate) fn of(program: &Program, delimiter: u8) -> Layout {
        Layout {
            slots: program.slots.iter().map(|s| (s.index, s.ty, s.dates)).collect(),
            cells: program.cells.clone(),
            id_column: program.id_column,
            header_width: program.header_width,
            delimiter,
        }
    }
}

/// A problem found while reading a record, replayed when it is evaluated again.
#[derive(Debug, Clone)]
pub(crate) enum KeptNote {
    /// The record could not be read at all (it has no row).
    Unreadable(DataError),
    /// Found while filling the row (a cell that is not UTF-8).
    Filling(DataError),
    /// A cell that did not parse as its field's type.
    Cell(CellError),
    /// Found after evaluating (a row of the wrong width).
    After(DataError),
}

/// One batch's records: each packed into `bytes`, its problems in `notes` by entry number.
#[derive(Debug, Default)]
pub(crate) struct KeptBatch {
    bytes: Vec<u8>,
    notes: Vec<(u32, KeptNote)>,
    entries: u32,
    last_line: u64,
}

const UNREADABLE: u8 = 0;
const CUSTOMER: u8 = 1;

const MISSING: u8 = 0;
const WHOLE: u8 = 1;
const NUMBER: u8 = 2;
const DATE: u8 = 3;
const FALSE: u8 = 4;
const TRUE: u8 = 5;
const TEXT: u8 = 6;
/// Tags from here on are whole numbers from 0 to 239 in one byte (counts, mostly).
const SMALL: u8 = 16;

impl KeptBatch {
    /// A record that could not be read.
    pub(crate) fn unreadable(&mut self, error: DataError) {
        self.bytes.push(UNREADABLE);
        self.notes.push((self.entries, KeptNote::Unreadable(error)));
        self.entries += 1;
    }

    /// Starts a customer: its line and id.
    pub(crate) fn customer(&mut self, line: u64, id: &[u8]) {
        self.bytes.push(CUSTOMER);
        push_varint(&mut self.bytes, line.wrapping_sub(self.last_line));
        self.last_line = line;
        push_varint(&mut self.bytes, id.len() as u64);
        self.bytes.extend_from_slice(id);
        self.entries += 1;
    }

    /// A problem of the current customer.
    pub(crate) fn note(&mut self, note: KeptNote) {
        self.notes.push((self.entries - 1, note));
    }

    /// The current customer's filled row and the cells that did not parse.
    pub(crate) fn row(&mut self, row: &Row, errors: &[CellError]) {
        for &val in &row.vals {
            match val {
                Val::Missing => self.bytes.push(MISSING),
                Val::Num(n) if n.is_whole() && (0..=i128::from(u8::MAX - SMALL)).contains(&n.whole()) => {
                    self.bytes.push(SMALL + n.whole() as u8);
                }
                Val::Num(n) if n.is_whole() && i64::try_from(n.whole()).is_ok() => {
                    self.bytes.push(WHOLE);
                    push_varint(&mut self.bytes, zigzag(n.whole() as i64));
                }
                Val::Num(n) => {
                    self.bytes.push(NUMBER);
                    self.bytes.extend_from_slice(&n.units().to_le_bytes());
                }
                Val::Date(day) => {
                    self.bytes.push(DATE);
                    self.bytes.extend_from_slice(&day.to_le_bytes());
                }
                Val::Bool(b) => self.bytes.push(if b { TRUE } else { FALSE }),
                Val::Text(start, end) => {
                    self.bytes.push(TEXT);
                    push_varint(&mut self.bytes, u64::from(end - start));
                    self.bytes.extend_from_slice(&row.text[start as usize..end as usize]);
                }
            }
        }
        for error in errors {
            self.note(KeptNote::Cell(error.clone()));
        }
    }

    /// Gives back the room the buffers grew beyond what they hold (kept for long).
    pub(crate) fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.notes.shrink_to_fit();
    }

    /// Reads the batch's records back, in order.
    pub(crate) fn records(&self) -> Records<'_> {
        Records { batch: self, at: 0, entry: 0, note: 0, line: 0 }
    }
}

/// A kept record, as [`Records`] gives it.
pub(crate) enum Kept<'k> {
    Unreadable(&'k DataError),
    /// A customer's line and id; its values are read next, with [`Records::fill`].
    Customer {
        line: u64,
        id: &'k [u8],
    },
}

/// The records of a batch, one after another.
pub(crate) struct Records<'k> {
    batch: &'k KeptBatch,
    at: usize,
    entry: u32,
    note: usize,
    line: u64,
}

impl<'k> Records<'k> {
    /// The next record, or `None` at the end.
    pub(crate) fn next_record(&mut self) -> Option<Kept<'k>> {
        let bytes = &self.batch.bytes;
        let kind = *bytes.get(self.at)?;
        self.at += 1;
        self.entry += 1;
        if kind == UNREADABLE {
            let (_, KeptNote::Unreadable(error)) = &self.batch.notes[self.note] else { return None };
            self.note += 1;
            return Some(Kept::Unreadable(error));
        }
        self.line = self.line.wrapping_add(self.varint());
        let length = self.varint() as usize;
        let id = &bytes[self.at..self.at + length];
        self.at += length;
        Some(Kept::Customer { line: self.line, id })
    }

    /// The current customer's problems of one kind, in the order they were found.
    pub(crate) fn notes(&mut self, mut f: impl FnMut(&'k KeptNote) -> bool) {
        let notes = &self.batch.notes;
        while let Some((entry, note)) = notes.get(self.note) {
            if *entry + 1 != self.entry || !f(note) {
                return;
            }
            self.note += 1;
        }
    }

    /// Fills `row` (cleared by the caller) with the current customer's values.
    pub(crate) fn fill(&mut self, row: &mut Row) {
        for slot in 0..row.vals.len() {
            let tag = self.batch.bytes[self.at];
            self.at += 1;
            row.vals[slot] = match tag {
                SMALL.. => Val::Num(Decimal::from_int(i64::from(tag - SMALL))),
                MISSING => Val::Missing,
                WHOLE => Val::Num(Decimal::from_int(unzigzag(self.varint()))),
                NUMBER => {
                    let mut units = [0; 16];
                    units.copy_from_slice(&self.batch.bytes[self.at..self.at + 16]);
                    self.at += 16;
                    Val::Num(Decimal::from_units(i128::from_le_bytes(units)))
                }
                DATE => {
                    let mut day = [0; 4];
                    day.copy_from_slice(&self.batch.bytes[self.at..self.at + 4]);
                    self.at += 4;
                    Val::Date(i32::from_le_bytes(day))
                }
                FALSE => Val::Bool(false),
                TRUE => Val::Bool(true),
                TEXT => {
                    let length = self.varint() as usize;
                    let text = &self.batch.bytes[self.at..self.at + length];
                    self.at += length;
                    row.push_bytes(text)
                }
                _ => Val::Missing,
            };
        }
    }

    fn varint(&mut self) -> u64 {
        let (value, length) = read_varint(&self.batch.bytes[self.at..]);
        self.at += length;
        value
    }
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

fn push_varint(bytes: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        bytes.push(value as u8 | 0x80);
        value >>= 7;
    }
    bytes.push(value as u8);
}

/// A varint and its length in bytes.
#[inline]
fn read_varint(bytes: &[u8]) -> (u64, usize) {
    let (mut value, mut shift) = (0u64, 0);
    for (i, &byte) in bytes.iter().enumerate() {
        value |= u64::from(byte & 0x7F) << shift;
        if byte < 0x80 {
            return (value, i + 1);
        }
        shift += 7;
    }
    (value, bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_as_they_were_kept() {
        let mut row = Row::new(8);
        let text = row.push_text("华东 East");
        let values = [
            Val::Num(Decimal::from_int(239)),
            Val::Num(Decimal::from_int(240)),
            Val::Num(Decimal::from_int(-1_234_567)),
            Val::Num(Decimal::parse("0.125").unwrap()),
            Val::Num(Decimal::parse("99999999999999999999").unwrap()),
            Val::Date(-719_000),
            Val::Bool(true),
            text,
        ];
        values.iter().enumerate().for_each(|(slot, &v)| row.set(slot, v));
        let mut batch = KeptBatch::default();
        batch.customer(2, b"C1");
        batch.row(&row, &[CellError { slot: 1, value: "x".into() }]);
        batch.unreadable(DataError::whole_row(2, Some(3), crate::msg!("cell-not-number")));
        batch.customer(1_000_000, b"");
        batch.row(&Row::new(8), &[]);
        let mut records = batch.records();
        let Some(Kept::Customer { line: 2, id: b"C1" }) = records.next_record() else { panic!("first") };
        let mut back = Row::new(8);
        records.fill(&mut back);
        let mut cells = Vec::new();
        records.notes(|note| matches!(note, KeptNote::Cell(e) if { cells.push(e.slot); true }));
        assert_eq!(cells, [1]);
        for (slot, &value) in values.iter().enumerate().take(7) {
            assert_eq!(back.get(slot), value, "slot {slot}");
        }
        assert_eq!(back.text_of(back.get(7)), Some("华东 East"));
        assert!(matches!(records.next_record(), Some(Kept::Unreadable(e)) if e.line == Some(3)));
        let Some(Kept::Customer { line: 1_000_000, id: b"" }) = records.next_record() else {
            panic!("third")
        };
        let mut empty = Row::new(8);
        records.fill(&mut empty);
        assert!((0..8).all(|slot| empty.get(slot) == Val::Missing));
        assert!(records.next_record().is_none());
    }

    #[test]
    fn varints_and_zigzag_round_trip() {
        for value in [0i64, 1, -1, 63, -64, 64, i64::from(i32::MAX), i64::MIN, i64::MAX] {
            let mut bytes = Vec::new();
            push_varint(&mut bytes, zigzag(value));
            assert_eq!(read_varint(&bytes), (zigzag(value), bytes.len()));
            assert_eq!(unzigzag(read_varint(&bytes).0), value);
        }
    }
}
