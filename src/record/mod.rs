//! Records in: exported files as UTF-8 text cut into chunks of whole records. Encodings
//! and byte-order marks are dealt with here, so the rest of the program sees UTF-8.

pub mod batches;
pub mod cells;
pub mod chunk;
pub mod csv_records;
pub mod data_error;
pub mod encoding;
pub mod input_error;
pub mod json;
pub mod json_array;
pub mod json_cells;
pub mod quotes;
pub mod sniff;

pub use cells::Cells;
pub use encoding::{Encoding, Source};
pub use input_error::InputError;

/// The shape of the input data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Csv,
    /// A JSON array of objects (or objects one after another).
    Json,
    /// One JSON object per line.
    Ndjson,
}

impl InputFormat {
    /// Guesses from a file name: `.json`, `.ndjson`/`.jsonl`, else CSV.
    pub fn from_path(path: &str) -> InputFormat {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".ndjson") || lower.ends_with(".jsonl") {
            InputFormat::Ndjson
        } else if lower.ends_with(".json") {
            InputFormat::Json
        } else {
            InputFormat::Csv
        }
    }
}
