//! A data error: a cell, or a whole record, that could not be read. It counts as missing
//! (or the record has no row) and the run goes on; the error names the record's place,
//! the column and the value (cut when long).

use crate::messages::Message;
use crate::msg;
use std::fmt;

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
    pub problem: Message,
    /// Where a person finds the cell when the input was not a text file (``sheet `客户`,
    /// cell C12``); said instead of the line.
    pub place: Option<Message>,
}

impl DataError {
    /// A problem with a whole record rather than one cell.
    pub fn whole_row(record: u64, line: Option<u64>, problem: Message) -> DataError {
        DataError { record, line, column: String::new(), value: String::new(), problem, place: None }
    }

    /// A cell whose opening quote was a stray ([`crate::record::quotes`]): its record was
    /// read as written, and the lines after it as records of their own. The cell is named
    /// by the header's column, or by its number past the header's end.
    pub fn stray_quote(
        record: u64,
        line: Option<u64>,
        header: &[String],
        cell: usize,
        text: &[u8],
    ) -> DataError {
        DataError {
            record,
            line,
            column: header.get(cell).cloned().unwrap_or_else(|| (cell + 1).to_string()),
            value: crate::diagnostic::excerpt_bytes(text),
            problem: msg!("cell-stray-quote"),
            place: None,
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match (&self.place, self.line) {
            (Some(place), _) => place.clone(),
            (None, Some(line)) => msg!("at-line", line = line),
            (None, None) => msg!("at-record", record = self.record),
        };
        let problem = self.problem.clone();
        let said = if self.column.is_empty() {
            msg!("data-error-row", place = place, problem = problem)
        } else if self.value.is_empty() {
            msg!("data-error-column", place = place, column = &self.column, problem = problem)
        } else {
            msg!(
                "data-error-cell",
                place = place,
                column = &self.column,
                value = &self.value,
                problem = problem
            )
        };
        write!(f, "{said}")
    }
}
