//! Input as numbered batches of records: every format is cut into byte chunks of whole
//! records (CSV rows, NDJSON lines, the elements of a JSON array, JSON values one after
//! another), taken in turn by whoever reads them (a run's workers, `explain`, the event
//! reader), then split into records ([`super::csv_records`], [`super::json_cells`]).

use super::chunk::{Chunk, Chunker};
use super::csv_records::CsvRecords;
use super::json::json_chunker;
use super::Cells;
use super::{InputError, InputFormat};
use std::io::Read;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Input bytes read so far, shared with whoever shows progress.
pub type Progress = Arc<AtomicU64>;

/// Records on their way to a worker.
pub enum Batch {
    Csv(Chunk),
    Ndjson(Chunk),
    /// JSON records (array elements, or values one after another), each marked in
    /// [`Chunk::elements`].
    JsonRecords(Chunk),
}

/// Reads the input as batches.
pub struct BatchReader {
    format: InputFormat,
    delimiter: u8,
    /// Chunked input is read without a counting wrapper, so reads from a file go straight
    /// into the chunk's memory (a wrapper would have every buffer zeroed first); the
    /// chunker counts the bytes instead.
    chunker: Option<Chunker<Box<dyn Read + Send>>>,
    progress: Progress,
    /// JSON input until [`BatchReader::header`] has seen how it starts.
    json: Option<Box<dyn Read + Send>>,
    /// The first CSV chunk, less its header.
    first: Option<Chunk>,
}

impl BatchReader {
    /// A reader of `input` in the options' format.
    pub fn new(
        input: Box<dyn Read + Send>,
        format: InputFormat,
        delimiter: u8,
        progress: Progress,
    ) -> BatchReader {
        let (chunker, json) = match format {
            InputFormat::Csv => (Some(Chunker::csv(input, delimiter)), None),
            InputFormat::Ndjson => (Some(Chunker::lines(input)), None),
            InputFormat::Json => (None, Some(input)),
        };
        BatchReader { format, delimiter, chunker, progress, json, first: None }
    }

    /// Reads the CSV header; `None` for JSON, whose keys come with each record. For JSON,
    /// looks at how the input starts: an array is cut into chunks of its elements, else
    /// into chunks of values one after another.
    pub fn header(&mut self) -> Result<Option<Vec<String>>, InputError> {
        if self.format == InputFormat::Json {
            self.open_json()?;
            return Ok(None);
        }
        let Some(chunker) = self.chunker.as_mut().filter(|_| self.format == InputFormat::Csv) else {
            return Ok(None);
        };
        let chunk = chunker.next_chunk().map_err(|error| InputError::Read { line: 1, error })?;
        self.progress.store(chunker.bytes_read, Ordering::Relaxed);
        let Some(mut chunk) = chunk else {
            return Err(InputError::Empty);
        };
        // Read as every record after it is, so that a stray quote in it swallows no row.
        let mut records = CsvRecords::new(&chunk.data, self.delimiter);
        let mut record = Cells::new();
        if records.next_record(&mut record).is_none() {
            return Err(InputError::Empty);
        }
        let columns = record.iter().map(|field| String::from_utf8_lossy(field).trim().to_string()).collect();
        let (taken, next_line) = (records.offset(), records.line());
        chunk.data.drain(..taken);
        chunk.first_line += next_line - 1;
        self.first = Some(chunk);
        Ok(Some(columns))
    }

    /// Looks at how JSON input starts, to cut it as an array or as values one after
    /// another (once; nothing to do for other formats).
    fn open_json(&mut self) -> Result<(), InputError> {
        if let Some(input) = self.json.take() {
            let chunker = json_chunker(input).map_err(|error| InputError::Read { line: 1, error })?;
            self.chunker = Some(chunker);
        }
        Ok(())
    }

    /// Turns the reader into what the workers take batches from: every format is cut into
    /// chunks by the workers themselves, in turn, so no thread does nothing but read.
    pub fn into_feed(mut self) -> Result<Feed, InputError> {
        self.open_json()?;
        let chunker = self.chunker.take().ok_or(InputError::AlreadyRead)?;
        Ok(Feed {
            progress: self.progress.clone(),
            state: std::sync::Mutex::new(FeedState {
                first: self.first.take(),
                chunker,
                format: self.format,
                seq: 0,
                error: None,
            }),
        })
    }
}

/// Chunked input shared by the workers: each takes the next chunk under the lock.
pub struct Feed {
    state: std::sync::Mutex<FeedState>,
    progress: Progress,
}

struct FeedState {
    first: Option<Chunk>,
    chunker: Chunker<Box<dyn Read + Send>>,
    format: InputFormat,
    seq: u64,
    error: Option<InputError>,
}

impl Feed {
    /// The next numbered batch, or `None` at the end (or after a read error).
    pub fn next(&self) -> Option<(u64, Batch)> {
        let mut state = self.state.lock().ok()?;
        if state.error.is_some() {
            return None;
        }
        let chunk = match state.first.take() {
            Some(first) => first,
            None => match state.chunker.next_chunk() {
                Ok(Some(chunk)) => {
                    self.progress.store(state.chunker.bytes_read, Ordering::Relaxed);
                    chunk
                }
                Ok(None) => return None,
                Err(error) => {
                    state.error = Some(InputError::Read { line: state.chunker.line(), error });
                    return None;
                }
            },
        };
        let seq = state.seq;
        state.seq += 1;
        let batch = match state.format {
            InputFormat::Csv => Batch::Csv(chunk),
            InputFormat::Ndjson => Batch::Ndjson(chunk),
            InputFormat::Json => Batch::JsonRecords(chunk),
        };
        Some((seq, batch))
    }

    /// Takes back a batch whose records were read, so that its buffer holds a later chunk.
    pub fn give_back(&self, batch: Batch) {
        let (Batch::Csv(chunk) | Batch::Ndjson(chunk) | Batch::JsonRecords(chunk)) = batch;
        if let Ok(mut state) = self.state.lock() {
            state.chunker.give_back(chunk.data);
        }
    }

    /// The read error that ended the input early, if any.
    pub fn error(self) -> Option<InputError> {
        self.state.into_inner().ok().and_then(|s| s.error)
    }
}
