//! The reading stage: turns the input into numbered batches of records. CSV, NDJSON and
//! JSON arrays are cut into byte chunks of whole records that workers parse in parallel;
//! other JSON (objects one after another) is parsed here, value by value, and handed on
//! in batches of values.

use super::{Progress, RunOptions};
use crate::record::chunk::{Chunk, Chunker};
use crate::record::InputFormat;
use serde::de::{self, Deserializer as _, SeqAccess, Visitor};
use serde_json::Value;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::Ordering;
use std::sync::mpsc::SyncSender;

/// JSON values per batch.
const VALUES_PER_BATCH: usize = 4096;

/// Records on their way to a worker.
pub enum Batch {
    Csv(Chunk),
    Ndjson(Chunk),
    /// Elements of a JSON array, each marked in [`Chunk::elements`].
    JsonArray(Chunk),
    Values(Vec<Value>),
}

/// Counts the bytes that pass, for progress.
struct Counting<R> {
    inner: R,
    progress: Progress,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

type Input = Counting<Box<dyn Read + Send>>;

/// Reads the input as batches.
pub struct BatchReader {
    format: InputFormat,
    delimiter: u8,
    /// Chunked input is read without a counting wrapper, so reads from a file go straight
    /// into the chunk's memory (a wrapper would have every buffer zeroed first); the
    /// chunker counts the bytes instead.
    chunker: Option<Chunker<Box<dyn Read + Send>>>,
    progress: Progress,
    json: Option<Input>,
    /// The first CSV chunk, less its header.
    first: Option<Chunk>,
}

impl BatchReader {
    /// A reader of `input` in the options' format.
    pub fn new(input: Box<dyn Read + Send>, options: &RunOptions, progress: Progress) -> BatchReader {
        let (chunker, json) = match options.input_format {
            InputFormat::Csv => (Some(Chunker::csv(input, options.delimiter)), None),
            InputFormat::Ndjson => (Some(Chunker::lines(input)), None),
            InputFormat::Json => (None, Some(Counting { inner: input, progress: progress.clone() })),
        };
        BatchReader {
            format: options.input_format,
            delimiter: options.delimiter,
            chunker,
            progress,
            json,
            first: None,
        }
    }

    /// Reads the CSV header; `None` for JSON, whose keys come with each record. For JSON,
    /// looks at how the input starts: an array is cut into chunks of its elements.
    pub fn header(&mut self) -> Result<Option<Vec<String>>, String> {
        if let Some(input) = self.json.take() {
            let mut buffered = BufReader::with_capacity(1 << 16, input.inner);
            let (array, skipped_lines) =
                starts_array(&mut buffered).map_err(|e| format!("cannot read the data: {e}"))?;
            if array {
                self.chunker = Some(Chunker::json_array(Box::new(buffered), 1 + skipped_lines));
            } else {
                self.json = Some(Counting { inner: Box::new(buffered), progress: self.progress.clone() });
            }
            return Ok(None);
        }
        let Some(chunker) = self.chunker.as_mut().filter(|_| self.format == InputFormat::Csv) else {
            return Ok(None);
        };
        let chunk = chunker.next_chunk().map_err(|e| format!("cannot read the data: {e}"))?;
        self.progress.store(chunker.bytes_read, Ordering::Relaxed);
        let Some(mut chunk) = chunk else {
            return Err("the data is empty: a CSV export needs a header row".into());
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .from_reader(&chunk.data[..]);
        let mut record = csv::ByteRecord::new();
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Err("the data is empty: a CSV export needs a header row".into()),
            Err(e) => return Err(format!("cannot read the header row: {e}")),
        }
        let columns = record.iter().map(|field| String::from_utf8_lossy(field).trim().to_string()).collect();
        let position = reader.position().clone();
        chunk.data.drain(..position.byte() as usize);
        chunk.first_line += position.line() - 1;
        self.first = Some(chunk);
        Ok(Some(columns))
    }

    /// Turns the reader into what the workers take batches from: chunked input (CSV,
    /// NDJSON, a JSON array) is cut by the workers themselves, in turn, so no thread does
    /// nothing but read; JSON objects one after another need a thread of their own to
    /// parse them.
    pub fn into_feed(mut self) -> Result<Feed, BatchReader> {
        match self.chunker.take() {
            Some(chunker) => Ok(Feed {
                progress: self.progress.clone(),
                state: std::sync::Mutex::new(FeedState {
                    first: self.first.take(),
                    chunker,
                    format: self.format,
                    seq: 0,
                    error: None,
                }),
            }),
            None => Err(self),
        }
    }

    /// Sends every batch of JSON objects one after another (chunked input goes through
    /// [`Feed`] instead), numbered from 0, until the input ends or nobody listens.
    pub fn send_all(mut self, tx: SyncSender<(u64, Batch)>) -> Result<(), String> {
        let mut seq = 0u64;
        let mut send = |batch: Batch| -> bool {
            let ok = tx.send((seq, batch)).is_ok();
            seq += 1;
            ok
        };
        match self.json.take() {
            Some(input) => read_json(input, VALUES_PER_BATCH, &mut |values| send(Batch::Values(values))),
            None => Ok(()),
        }
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
    error: Option<String>,
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
                Err(e) => {
                    state.error = Some(format!("cannot read the data: {e}"));
                    return None;
                }
            },
        };
        let seq = state.seq;
        state.seq += 1;
        let batch = match state.format {
            InputFormat::Csv => Batch::Csv(chunk),
            InputFormat::Ndjson => Batch::Ndjson(chunk),
            InputFormat::Json => Batch::JsonArray(chunk),
        };
        Some((seq, batch))
    }

    /// The read error that ended the input early, if any.
    pub fn error(self) -> Option<String> {
        self.state.into_inner().ok().and_then(|s| s.error)
    }
}

/// Skips the white space a JSON input starts with and tells whether an array follows, with
/// the lines skipped. Looks without taking: the array's `[` stays for the chunker.
pub(crate) fn starts_array(input: &mut impl BufRead) -> io::Result<(bool, u64)> {
    let mut lines = 0;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok((false, lines));
        }
        if let Some(first) = buf.iter().find(|b| !b.is_ascii_whitespace()) {
            return Ok((*first == b'[', lines));
        }
        lines += memchr::memchr_iter(b'\n', buf).count() as u64;
        let n = buf.len();
        input.consume(n);
    }
}

/// Reads a JSON array of objects, or objects one after another, streaming, in batches of
/// `size`; stops early when `send` returns false.
pub(crate) fn read_json(
    input: impl Read,
    size: usize,
    send: &mut dyn FnMut(Vec<Value>) -> bool,
) -> Result<(), String> {
    let mut buffered = BufReader::with_capacity(1 << 20, input);
    let first = loop {
        let buf = buffered.fill_buf().map_err(|e| format!("cannot read the data: {e}"))?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let byte = buf[i];
                buffered.consume(i);
                break Some(byte);
            }
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                buffered.consume(n);
            }
        }
    };
    let malformed = |e: serde_json::Error| {
        format!("the JSON data is malformed at line {}, column {}: {e}", e.line(), e.column())
    };
    match first {
        None => Ok(()),
        Some(b'[') => {
            let mut deserializer = serde_json::Deserializer::from_reader(buffered);
            let result = deserializer.deserialize_seq(ArrayVisitor { send, size });
            match result {
                Ok(()) => deserializer.end().map_err(malformed),
                Err(e) if e.to_string().starts_with(STOPPED) => Ok(()),
                Err(e) => Err(malformed(e)),
            }
        }
        Some(_) => {
            let mut batch = Vec::with_capacity(size);
            for value in serde_json::Deserializer::from_reader(buffered).into_iter::<Value>() {
                batch.push(value.map_err(malformed)?);
                if batch.len() == size && !send(std::mem::take(&mut batch)) {
                    return Ok(());
                }
            }
            if !batch.is_empty() {
                send(batch);
            }
            Ok(())
        }
    }
}

const STOPPED: &str = "stopped: nobody reads the records";

/// Visits the elements of a top-level array one at a time, so the array is never held whole.
struct ArrayVisitor<'s> {
    send: &'s mut dyn FnMut(Vec<Value>) -> bool,
    size: usize,
}

impl<'de> Visitor<'de> for ArrayVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut batch = Vec::with_capacity(self.size);
        while let Some(value) = seq.next_element::<Value>()? {
            batch.push(value);
            if batch.len() == self.size && !(self.send)(std::mem::take(&mut batch)) {
                return Err(de::Error::custom(STOPPED));
            }
        }
        if !batch.is_empty() {
            (self.send)(batch);
        }
        Ok(())
    }
}
