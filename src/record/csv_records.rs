//! The records of one chunk of CSV text, read as the csv crate reads them (but for stray
//! quotes, below), but faster. Most records of an export are plain: on one line, no
//! carriage return except a final `\r\n`, quotes only around whole cells. Those are split
//! here: the line's end found by `memchr`, its delimiters and quotes eight bytes at a time
//! by arithmetic on 64-bit words, and the line copied once, its cells marked in it. Any
//! other record (a cell over several lines, blank lines, a lone `\r`, a byte-order mark,
//! text after a closing quote) is split cell by cell the way csv_core, the csv crate's own
//! parser, reads it; csv_core itself reads only a quoted cell still open at the data's end
//! and files whose delimiter is a quote or a line end. A record is judged plain within its
//! first line, so no byte is looked at more than twice however the records are broken.
//! The one reading that differs from the csv crate's: a quote that opens a cell over
//! several lines and does not close as a cell ends is a stray ([`super::quotes`]), and its
//! record is read as written to the end of its line, so that the lines after it stay rows
//! of their own.

use super::cells::Cells;
use super::quotes::{self, QuotedCell};
use csv_core::ReadRecordResult;

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
    /// Whether plain records may be split here: not when the delimiter is a quote or a
    /// line end, which only csv_core reads as the csv crate does.
    splits: bool,
    /// The unquoted text of a quoted cell with doubled quotes inside.
    unquoted: Vec<u8>,
    /// csv_core, set up at the first record that needs it (most chunks have none).
    slow: Option<SlowReader>,
    /// Bytes looked at to judge records plain so far: the tests check it stays linear.
    scanned: usize,
    /// The cells of the last record passed over for having more than [`MAX_CELLS`].
    oversized: Option<usize>,
    /// Whether the chunk has a line longer than [`MAX_CELLS`] bytes, the only kind that
    /// can hold that many cells (most chunks have none, and their records skip the look).
    long_lines: bool,
    /// The cell of the last record whose quote was a stray.
    stray: Option<usize>,
}

impl<'d> CsvRecords<'d> {
    /// A reader of `data`, whose cells are separated by `delimiter`.
    pub fn new(data: &'d [u8], delimiter: u8) -> CsvRecords<'d> {
        CsvRecords {
            data,
            delimiter,
            pos: 0,
            line: 1,
            splits: !matches!(delimiter, b'"' | b'\r' | b'\n'),
            unquoted: Vec::new(),
            slow: None,
            scanned: 0,
            oversized: None,
            long_lines: has_long_line(data),
            stray: None,
        }
    }

    /// Reads the next record into `record` and returns the line it starts on (counted
    /// from 1 at the chunk's start), or `None` after the last record.
    pub fn next_record(&mut self, record: &mut Cells) -> Option<u64> {
        if self.pos >= self.data.len() {
            return None;
        }
        self.oversized = None;
        self.stray = None;
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
        if let Some(line) = self.read_split(record) {
            return Some(line);
        }
        let rest = &self.data[self.pos..];
        let slow = self.slow.get_or_insert_with(|| SlowReader::new(self.delimiter));
        let Some(mut consumed) = slow.read(rest, record) else {
            self.pos = self.data.len();
            return None;
        };
        // A record ended by `\r` of `\r\n`: its `\n` is taken with it, as a plain one's is.
        if rest[..consumed].ends_with(b"\r") && rest.get(consumed) == Some(&b'\n') {
            consumed += 1;
        }
        let consumed_bytes = &rest[..consumed];
        let blank_lines =
            consumed_bytes.iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|&&b| b == b'\n');
        let line = self.line + blank_lines.count() as u64;
        self.line += memchr::memchr_iter(b'\n', consumed_bytes).count() as u64;
        self.pos += consumed;
        Some(line)
    }

    /// Where the next record (or the blank lines before it) starts in the chunk.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The line `offset` is on, counted from 1 at the chunk's start.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The cell (counted from 0) of the record just returned whose opening quote was a
    /// stray ([`super::quotes`]): the record was read as written to the end of that line.
    pub fn stray_quote(&self) -> Option<usize> {
        self.stray
    }

    /// Reads a record that is not plain (a cell over several lines, a stray quote, blank
    /// lines before it, a byte-order mark at the input's start, a lone `\r`, text after a
    /// closing quote), returning its line; leaves to csv_core only a delimiter it alone
    /// reads and a quoted cell still open where the data ends.
    fn read_split(&mut self, record: &mut Cells) -> Option<u64> {
        if !self.splits {
            return None;
        }
        let rest = &self.data[self.pos..];
        let mark = if self.pos == 0 && rest.starts_with(BYTE_ORDER_MARK) { BYTE_ORDER_MARK.len() } else { 0 };
        let blank = rest[mark..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        let start = mark + blank;
        if start == rest.len() {
            return None;
        }
        let (length, stray) = split_record(&rest[start..], self.delimiter, record, &mut self.unquoted)?;
        let line = self.line + memchr::memchr_iter(b'\n', &rest[..start]).count() as u64;
        let taken = &rest[start..start + length];
        self.line = line + memchr::memchr_iter(b'\n', taken).count() as u64;
        self.pos += start + length;
        self.stray = stray;
        Some(line)
    }

    /// How many cells the record just returned had, when it was passed over for having
    /// more than [`MAX_CELLS`] (it then comes back with no cells).
    pub fn oversized(&self) -> Option<usize> {
        self.oversized
    }

    /// Passes over the line at `pos` when it holds no quote and more than [`MAX_CELLS`]
    /// delimiters: a record of that many cells, which no export has. Returns its line.
    fn pass_over_oversized(&mut self, record: &mut Cells) -> Option<u64> {
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
        let number = self.line;
        self.line += 1;
        Some(number)
    }

    /// Splits the record at `pos` into `record` if it is plain, returning where it ends.
    /// Leaves `record` to the slow reader otherwise.
    fn read_plain(&mut self, record: &mut Cells) -> Option<usize> {
        let rest = &self.data[self.pos..];
        // A byte-order mark at the input's start is csv_core's to skip; anywhere else it is
        // the first cell's text.
        if !self.splits || self.pos == 0 && rest.starts_with(BYTE_ORDER_MARK) {
            return None;
        }
        let split = split_line(rest, self.delimiter, record, &mut self.unquoted);
        // The look stops at the record's first line end of either kind, so a file of rows
        // ended by a lone `\r` is not read to its next `\n` once per row.
        self.scanned += split.unwrap_or_else(|looked| looked);
        split.ok().map(|end| self.pos + end)
    }
}

/// Splits the record at the start of `text` into `record` when it is plain: it ends at a
/// line end (`\n` or `\r\n`) on its first line and is not empty, and its quotes are all
/// well formed (see [`split_cells`]). Returns the bytes the record took with its line end,
/// or (`Err`) how many were looked at before it was found not plain.
fn split_line(
    text: &[u8],
    delimiter: u8,
    record: &mut Cells,
    unquoted: &mut Vec<u8>,
) -> Result<usize, usize> {
    let line_end = memchr::memchr2(b'\n', b'\r', text).ok_or(text.len())?;
    let end = match text[line_end] {
        b'\n' => line_end + 1,
        _ if text.get(line_end + 1) == Some(&b'\n') => line_end + 2,
        _ => return Err(line_end + 1),
    };
    let body = &text[..line_end];
    if !body.is_empty() && split_cells(body, delimiter, record, unquoted) {
        Ok(end)
    } else {
        Err(end)
    }
}

/// Eight bytes at once: a bit per byte (its high bit) where the byte is the delimiter or a
/// quote, found by arithmetic on a 64-bit word.
struct Specials {
    needles: [u64; 2],
}

impl Specials {
    const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;

    fn new(delimiter: u8) -> Specials {
        let broadcast = |byte: u8| u64::from(byte) * 0x0101_0101_0101_0101;
        Specials { needles: [delimiter, b'"'].map(broadcast) }
    }

    /// The high bit of each byte of `word` that equals a needle. Per needle, a byte of
    /// `word ^ needle` is zero exactly where they match; adding 0x7f to its low seven bits
    /// carries into the high bit unless those are zero, and the byte's own high bit covers
    /// the rest, so the high bit stays clear only at a match.
    #[inline(always)]
    fn in_word(&self, word: u64) -> u64 {
        let nonzero = |needle: u64| {
            let differs = word ^ needle;
            ((differs & Self::LOW_SEVEN) + Self::LOW_SEVEN) | differs
        };
        !(nonzero(self.needles[0]) & nonzero(self.needles[1])) & !Self::LOW_SEVEN
    }
}

/// Splits one line (no line end in it) into `record`'s cells, as csv_core would, when its
/// quotes are all well formed: each quoted cell opens at a cell's start and closes at its
/// end, with quotes inside doubled. Returns `false` (with `record` in any state) otherwise.
fn split_cells(body: &[u8], delimiter: u8, record: &mut Cells, unquoted: &mut Vec<u8>) -> bool {
    record.start_line(body);
    let specials = Specials::new(delimiter);
    let mut cell = 0;
    let mut base = 0;
    'words: while base < body.len() {
        let mut word = [0; 8];
        match body.get(base..base + 8) {
            Some(eight) => word.copy_from_slice(eight),
            None => word[..body.len() - base].copy_from_slice(&body[base..]),
        }
        let mut found = specials.in_word(u64::from_le_bytes(word));
        while found != 0 {
            let at = base + (found.trailing_zeros() / 8) as usize;
            found &= found - 1;
            match body.get(at) {
                // The zeros after the line's last byte, when the delimiter is a zero.
                None => break 'words,
                Some(&byte) if byte == delimiter => {
                    record.push_span(cell, at);
                    cell = at + 1;
                }
                // A quote that opens a cell.
                Some(_) if at == cell => {
                    let Some(close) = quoted_cell(body, at, record, unquoted) else { return false };
                    match body.get(close + 1) {
                        None => return true,
                        Some(&byte) if byte == delimiter => {
                            // The look goes on from the next cell.
                            cell = close + 2;
                            base = cell;
                            continue 'words;
                        }
                        Some(_) => return false,
                    }
                }
                // A quote inside a cell.
                Some(_) => return false,
            }
        }
        base += 8;
    }
    record.push_span(cell, body.len());
    true
}

/// Adds the quoted cell that opens at `open` and returns where its closing quote is; `None`
/// when it does not close.
fn quoted_cell(body: &[u8], open: usize, record: &mut Cells, unquoted: &mut Vec<u8>) -> Option<usize> {
    let mut piece = open + 1;
    let mut doubled = false;
    unquoted.clear();
    let close = loop {
        let quote = piece + memchr::memchr(b'"', &body[piece..])?;
        if body.get(quote + 1) != Some(&b'"') {
            break quote;
        }
        // A doubled quote inside the cell: one quote of its text.
        doubled = true;
        unquoted.extend_from_slice(&body[piece..=quote]);
        piece = quote + 2;
    };
    if doubled {
        unquoted.extend_from_slice(&body[piece..close]);
        record.push_field(unquoted);
    } else {
        record.push_span(open + 1, close);
    }
    Some(close)
}

/// Splits the record at the start of `text` into `record` as csv_core would, but for a
/// stray quote ([`super::quotes`]), returning the bytes it took (with its line end) and the
/// stray's cell if it has one. A quoted cell is unquoted, and any text after its closing
/// quote kept; a stray's cell is its text as written up to the next delimiter or line end,
/// and the record then ends at that line's end. `None` (with `record` in any state) when a
/// quoted cell is still open where `text` ends, which is csv_core's to read.
fn split_record(
    text: &[u8],
    delimiter: u8,
    record: &mut Cells,
    field: &mut Vec<u8>,
) -> Option<(usize, Option<usize>)> {
    record.clear();
    let mut stray = None;
    let mut cell = 0;
    loop {
        let mut quoted = None;
        if text.get(cell) == Some(&b'"') {
            match quotes::quoted_cell(text, cell, delimiter, true, true) {
                QuotedCell::Closes { close, .. } => quoted = Some(close),
                QuotedCell::Stray => stray = stray.or(Some(record.len())),
                QuotedCell::Open | QuotedCell::Undecided => return None,
            }
        }
        // The cell's text up to the next delimiter or line end, quotes and all.
        let rest = quoted.map_or(cell, |close| close + 1);
        let stop = memchr::memchr3(delimiter, b'\n', b'\r', &text[rest..]).map_or(text.len(), |n| rest + n);
        match quoted {
            Some(close) => {
                let inner = &text[cell + 1..close];
                if rest == stop && memchr::memchr(b'"', inner).is_none() {
                    record.push_field(inner);
                } else {
                    field.clear();
                    unescape_into(inner, field);
                    field.extend_from_slice(&text[rest..stop]);
                    record.push_field(field);
                }
            }
            None => record.push_field(&text[cell..stop]),
        }
        match text.get(stop) {
            Some(&byte) if byte == delimiter => cell = stop + 1,
            end => {
                let taken = match end {
                    Some(b'\r') if text.get(stop + 1) == Some(&b'\n') => stop + 2,
                    Some(_) => stop + 1,
                    None => stop,
                };
                return Some((taken, stray));
            }
        }
    }
}

/// Appends a quoted cell's text to `out`, each doubled quote as one (inside a cell that
/// closes, quotes come in pairs).
fn unescape_into(quoted: &[u8], out: &mut Vec<u8>) {
    let mut rest = quoted;
    while let Some(at) = memchr::memchr(b'"', rest) {
        out.extend_from_slice(&rest[..=at]);
        rest = rest.get(at + 2..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
}

/// Whether `data` may have a line (ended by `\n` or `\r`) longer than [`MAX_CELLS`]
/// bytes: such a line covers a whole block of half that size, so a chunk each of whose
/// blocks holds a line end has none. One look per block, not per line.
fn has_long_line(data: &[u8]) -> bool {
    data.len() > MAX_CELLS
        && data.chunks_exact(MAX_CELLS / 2).any(|block| memchr::memchr2(b'\n', b'\r', block).is_none())
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
    fn read(&mut self, input: &[u8], record: &mut Cells) -> Option<usize> {
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
