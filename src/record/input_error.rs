//! Why customer data could not be read at all, as data an embedder can match on. (A cell
//! that does not read is a [`super::data_error::DataError`] instead, and the run goes on.)

use crate::messages::{io_error, Message};
use crate::msg;

/// Why the input could not be read as records.
#[derive(Debug)]
pub enum InputError {
    /// There is nothing to read: CSV needs at least its header row.
    Empty,
    /// The header row is not CSV; `reason` says why.
    Header { reason: String },
    /// Reading stopped at an I/O error (a file that went away, bytes no encoding reads);
    /// `line` is the first input line whose records were not read (those above it were).
    Read { line: u64, error: std::io::Error },
    /// The input's columns were to be kept in the output, but it has no header (JSON):
    /// that needs CSV input, or JSON output.
    NoColumnsToKeep,
    /// The reader was handed over already.
    AlreadyRead,
}

impl InputError {
    /// What went wrong, in the reader's words.
    pub fn message(&self) -> Message {
        match self {
            InputError::Empty => msg!("data-empty"),
            InputError::Header { reason } => msg!("cannot-read-header", reason = reason),
            InputError::Read { line, error } => {
                msg!("cannot-read-data-at", line = *line, reason = io_error(error))
            }
            InputError::NoColumnsToKeep => msg!("keep-columns-needs-csv"),
            InputError::AlreadyRead => msg!("data-already-read"),
        }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message())
    }
}

impl std::error::Error for InputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InputError::Read { error, .. } => Some(error),
            _ => None,
        }
    }
}
