//! The records of one chunk of CSV text, read exactly as the csv crate reads them, but
//! faster. Most records of an export are plain: on one line, no carriage return except a
//! final `\r\n`, quotes only around whole cells. Those are split by simd-csv, which finds
//! delimiters and line ends many bytes at a time. Any other record (a cell over several
//! lines, a stray quote, blank lines, a lone `\r`, a byte-order mark) is read by csv_core,
//! the csv crate's own parser, so odd line ends and malformed quotes read exactly as they
//! always did. When the two parsers disagree on where such a record ends (only on
//! malformed input), simd-csv starts again where csv_core stopped.

use csv_core::ReadRecordResult;
use simd_csv::{ByteRecord, TotalReader, TotalReaderBuilder};

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// The most cells a row may have: far more than any spreadsheet has columns (Excel has
/// 16,384). A longer row (a line of 50 million commas) is passed over as one bad record
/// instead of being split into cells that would take gigabytes.
pub const MAX_CELLS: usize = 100_000;

/// Reads the records of a chunk that starts at a record's start.
pub struct CsvRecords<'d> {
    data: &'d [u8],
    delimiter: u8,
    /// Where the next record (or the blank lines before it) starts.
    pos: usize,
    /// The line `pos` is on, counted from 1 at the chunk's start.
    line: u64,
    /// The fast parser, positioned at `pos`, with the offset its input starts at; none
    /// when it must be started again (or cannot be used for this delimiter).
    fast: Option<(TotalReader<'d>, usize)>,
    /// csv_core, set up at the first record that needs it (most chunks have none).
    slow: Option<SlowReader>,
    /// csv_core reads the records that start before this: simd-csv read up to here as one
    /// record that was not plain. Starting simd-csv again inside that stretch could make
    /// it read the rest of the chunk once per record (rows ended by a lone `\r`, which
    /// simd-csv does not take for a line end).
    slow_until: usize,
    /// Bytes simd-csv has read so far, each at most once: the tests check the bound.
    scanned: usize,
    /// The cells of the last record passed over for having more than [`MAX_CELLS`].
    oversized: Option<usize>,
    /// Whether the chunk has a line longer than [`MAX_CELLS`] bytes, the only kind that
    /// can hold that many cells (most chunks have none, and their records skip the look).
    long_lines: bool,
}

impl<'d> CsvRecords<'d> {
    /// A reader of `data`, whose cells are separated by `delimiter`.
    pub fn new(data: &'d [u8], delimiter: u8) -> CsvRecords<'d> {
        // Rows ended by a lone `\r` (no `\n` at all) are csv_core's from the start: simd-csv
        // would take the whole chunk for one record of every cell, only to hand it over.
        let slow_until = if memchr::memchr(b'\n', data).is_none() { data.len() } else { 0 };
        CsvRecords {
            data,
            delimiter,
            pos: 0,
            line: 1,
            fast: None,
            slow: None,
            slow_until,
            scanned: 0,
            oversized: None,
            long_lines: has_long_line(data),
        }
    }

    /// Reads the next record into `record` and returns the line it starts on (counted
    /// from 1 at the chunk's start), or `None` after the last record.
    pub fn next_record(&mut self, record: &mut ByteRecord) -> Option<u64> {
        if self.pos >= self.data.len() {
            return None;
        }
        self.oversized = None;
        if let Some(line) = self.pass_over_oversized(record) {
            return Some(line);
        }
        if let Some(end) = self.read_plain(record) {
            // A plain record ends with its line.
            let line = self.line;
            self.line += 1;
            self.pos = end;
            return Some(line);
        }
        let rest = &self.data[self.pos..];
        let slow = self.slow.get_or_insert_with(|| SlowReader::new(self.delimiter));
        let Some(mut consumed) = slow.read(rest, record) else {
            self.pos = self.data.len();
            return None;
        };
        // A record ended by `\r` of `\r\n`: its `\n` is taken with it, as simd-csv does.
        if rest[..consumed].ends_with(b"\r") && rest.get(consumed) == Some(&b'\n') {
            consumed += 1;
        }
        let consumed_bytes = &rest[..consumed];
        let blank_lines =
            consumed_bytes.iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|&&b| b == b'\n');
        let line = self.line + blank_lines.count() as u64;
        self.line += memchr::memchr_iter(b'\n', consumed_bytes).count() as u64;
        self.pos += consumed;
        if self.fast.as_ref().is_some_and(|(reader, base)| base + reader.position() as usize != self.pos) {
            self.fast = None;
        }
        Some(line)
    }

    /// How many cells the record just returned had, when it was passed over for having
    /// more than [`MAX_CELLS`] (it then comes back with no cells).
    pub fn oversized(&self) -> Option<usize> {
        self.oversized
    }

    /// Passes over the line at `pos` when it holds no quote and more than [`MAX_CELLS`]
    /// delimiters: a record of that many cells, which no export has. Returns its line.
    fn pass_over_oversized(&mut self, record: &mut ByteRecord) -> Option<u64> {
        let rest = &self.data[self.pos..];
        // Such a line is longer than MAX_CELLS bytes: most lines end well before, and the
        // look for their end stops there (and at a lone `\r`, a line end to csv_core).
        if !self.long_lines
            || rest.len() <= MAX_CELLS
            || memchr::memchr2(b'\n', b'\r', &rest[..MAX_CELLS]).is_some()
        {
            return None;
        }
        let mut end = memchr::memchr2(b'\n', b'\r', rest).map_or(rest.len(), |n| n + 1);
        if rest[..end].ends_with(b"\r") && rest.get(end) == Some(&b'\n') {
            end += 1;
        }
        let line = &rest[..end];
        if memchr::memchr(b'"', line).is_some() {
            return None;
        }
        let cells = memchr::memchr_iter(self.delimiter, line).count() + 1;
        if cells <= MAX_CELLS {
            return None;
        }
        record.clear();
        self.oversized = Some(cells);
        self.pos += end;
        self.fast = None;
        let number = self.line;
        self.line += 1;
        Some(number)
    }

    /// Reads the record at `pos` with simd-csv if it is plain, returning where it ends.
    /// Leaves `record` to the slow reader otherwise (the fast reader may have moved on).
    fn read_plain(&mut self, record: &mut ByteRecord) -> Option<usize> {
        if self.pos < self.slow_until {
            return None;
        }
        if self.fast.is_none() {
            self.fast = self.fast_reader_at(self.pos);
        }
        let (reader, base) = self.fast.as_mut()?;
        if !reader.read_byte_record(record) {
            return None;
        }
        let end = *base + reader.position() as usize;
        self.scanned += end - self.pos;
        if self.is_plain(&self.data[self.pos..end]) {
            Some(end)
        } else {
            self.slow_until = end;
            None
        }
    }

    /// Whether simd-csv reads a record's bytes as csv_core does. The last record of a
    /// chunk without a line end is left to csv_core: simd-csv misreads a quoted one when
    /// it is also the first it reads.
    fn is_plain(&self, span: &[u8]) -> bool {
        let Some(line) = span.strip_suffix(b"\n") else { return false };
        let body = line.strip_suffix(b"\r").unwrap_or(line);
        match memchr::memchr3(b'"', b'\r', b'\n', body) {
            None => !body.is_empty(),
            Some(quote) if body[quote] == b'"' => {
                memchr::memchr2(b'\r', b'\n', &body[quote..]).is_none() && well_quoted(body, self.delimiter)
            }
            Some(_) => false,
        }
    }

    /// simd-csv reading from `pos`, unless this delimiter or the text there needs csv_core.
    fn fast_reader_at(&self, pos: usize) -> Option<(TotalReader<'d>, usize)> {
        let rest = &self.data[pos..];
        // simd-csv skips a byte-order mark at its input's start; csv_core does not.
        if matches!(self.delimiter, b'"' | b'\r' | b'\n') || rest.starts_with(BYTE_ORDER_MARK) {
            return None;
        }
        let reader = TotalReaderBuilder::new().has_headers(false).delimiter(self.delimiter).from_bytes(rest);
        Some((reader, pos))
    }
}

/// Whether `data` may have a line (ended by `\n` or `\r`) longer than [`MAX_CELLS`]
/// bytes: such a line covers a whole block of half that size, so a chunk each of whose
/// blocks holds a line end has none. One look per block, not per line.
fn has_long_line(data: &[u8]) -> bool {
    data.len() > MAX_CELLS
        && data.chunks_exact(MAX_CELLS / 2).any(|block| memchr::memchr2(b'\n', b'\r', block).is_none())
}

/// Whether the quotes of a one-line record are all well formed: each quoted cell opens at
/// a cell's start and closes at its end, with quotes inside doubled. Then simd-csv reads
/// the cells as csv_core would. A quoted cell is read byte by byte to its closing quote,
/// and the next one taken right after it when it follows at once (exports that quote
/// every cell), rather than searched for quote by quote.
fn well_quoted(body: &[u8], delimiter: u8) -> bool {
    let mut from = 0;
    let mut next_open = None;
    loop {
        let next = next_open.take().or_else(|| memchr::memchr(b'"', &body[from..]).map(|found| from + found));
        let Some(open) = next else { return true };
        if open > 0 && body[open - 1] != delimiter {
            return false;
        }
        let mut at = open + 1;
        let close = loop {
            match body.get(at) {
                None => return false,
                // A doubled quote inside the cell.
                Some(b'"') if body.get(at + 1) == Some(&b'"') => at += 2,
                Some(b'"') => break at,
                Some(_) => at += 1,
            }
        };
        match body.get(close + 1) {
            None => return true,
            Some(&byte) if byte == delimiter => {}
            Some(_) => return false,
        }
        from = close + 2;
        if body.get(from) == Some(&b'"') {
            next_open = Some(from);
        }
    }
}

/// csv_core reading one record at a time, with buffers that grow as records need.
struct SlowReader {
    parser: csv_core::Reader,
    cells: Vec<u8>,
    ends: Vec<usize>,
}

impl SlowReader {
    fn new(delimiter: u8) -> SlowReader {
        SlowReader {
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            cells: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// Reads the first record of `input` into `record`; returns the bytes it took, or
    /// `None` when only blank lines are left.
    fn read(&mut self, input: &[u8], record: &mut ByteRecord) -> Option<usize> {
        self.parser.reset();
        let (mut consumed, mut written, mut cells) = (0, 0, 0);
        loop {
            let (result, read, wrote, ended) = self.parser.read_record(
                &input[consumed..],
                &mut self.cells[written..],
                &mut self.ends[cells..],
            );
            consumed += read;
            written += wrote;
            cells += ended;
            match result {
                // At the input's end, the next call passes no input: that tells csv_core the
                // input has ended, and it ends the last record.
                ReadRecordResult::InputEmpty => continue,
                ReadRecordResult::OutputFull => {
                    self.cells.resize(self.cells.len() * 2, 0);
                    continue;
                }
                ReadRecordResult::OutputEndsFull => {
                    self.ends.resize(self.ends.len() * 2, 0);
                    continue;
                }
                ReadRecordResult::Record => break,
                ReadRecordResult::End => return None,
            }
        }
        record.clear();
        let mut start = 0;
        for &end in &self.ends[..cells] {
            record.push_field(&self.cells[start..end]);
            start = end;
        }
        Some(consumed)
    }
}

#[cfg(test)]
mod tests;
