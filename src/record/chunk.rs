//! Cuts a byte stream into chunks of whole records, so several threads can parse and
//! evaluate chunks at once while the output keeps input order. Chunks end after a `\n`, or
//! in a file whose rows end in a lone `\r` (old Mac exports), after a `\r`. For CSV a line
//! end inside a quoted field does not end a record. Quotes are read as the CSV parser reads
//! them: a quote opens a quoted field only at the start of a field, `""` inside one is a
//! quote, and any other quote (`12" pipe`) is an ordinary character, so such a cell neither
//! misplaces a cut nor makes one chunk of the rest of the file. The scan jumps from quote
//! to quote with `memchr`, then looks for the last line end from the chunk's end, so it is
//! cheap next to parsing.

use super::json_array;
use super::quotes::{self, QuotedCell};
use crate::messages::Message;
use crate::msg;
use std::io::{self, Read};
use std::ops::Range;

/// How big a chunk aims to be once the input is well under way.
pub const CHUNK_BYTES: usize = 1 << 20;
/// How big the first chunks aim to be. Each later chunk aims at an eighth of the bytes read
/// before it, up to [`CHUNK_BYTES`]: a small input still makes several chunks, so that its
/// customers (and their scripts) are shared among the threads, while a large one soon
/// makes chunks big enough that what each costs apart from its records is lost in them.
pub const FIRST_CHUNK_BYTES: usize = 4 << 10;

/// Whole records and where they start in the input.
#[derive(Debug, Clone, Default)]
pub struct Chunk {
    pub data: Vec<u8>,
    /// The input line (1-based) on which the chunk's first record starts.
    pub first_line: u64,
    /// For a JSON array, each element's bytes in `data` (empty for CSV and lines).
    pub elements: Vec<Range<usize>>,
}

impl Chunk {
    /// The records of a chunk of JSON input: with `lines` (NDJSON), each line that is not
    /// blank, with its line number; else each marked element, numbered by record only.
    pub fn json_records(&self, lines: bool) -> Vec<(&[u8], Option<u64>)> {
        if lines {
            let numbered = self.data.split(|&b| b == b'\n').enumerate();
            numbered
                .filter(|(_, line)| !line.trim_ascii().is_empty())
                .map(|(offset, line)| (line, Some(self.first_line + offset as u64)))
                .collect()
        } else {
            self.elements.iter().map(|span| (&self.data[span.clone()], None)).collect()
        }
    }
}

/// What ends a record.
enum Mode {
    /// A newline (NDJSON).
    Lines,
    /// A line end outside a quoted field (CSV with this delimiter).
    Csv(u8),
    /// A comma between the elements of a JSON array; whether its `[` and its `]` have
    /// been read.
    JsonArray { opened: bool, closed: bool },
    /// The end of a JSON value, for JSON values one after another.
    JsonValues,
}

/// Splits a reader into [`Chunk`]s at record boundaries.
pub struct Chunker<R> {
    reader: R,
    carry: Vec<u8>,
    next_line: u64,
    /// Bytes of `next_line` that came before the data not yet emitted (for columns).
    column_offset: usize,
    mode: Mode,
    done: bool,
    /// Bytes read so far, for progress reports.
    pub bytes_read: u64,
    /// The quoted fields that hold a line end in the data being cut (CSV), kept for its
    /// room.
    quoted: Vec<Range<usize>>,
    /// Chunks' buffers given back once their records were read ([`Chunker::give_back`]),
    /// to read the next chunks into: memory already the process's, where a new buffer
    /// would be handed over by the system a page at a time.
    spare: Vec<Vec<u8>>,
}

/// Buffers a chunker keeps for reuse: enough for the chunks in flight on a few cores.
const SPARE_BUFFERS: usize = 4;

/// How many bytes to read for the next chunk, `read` bytes into the input.
fn chunk_target(read: u64) -> usize {
    usize::try_from(read / 8).unwrap_or(CHUNK_BYTES).clamp(FIRST_CHUNK_BYTES, CHUNK_BYTES)
}

impl<R: Read> Chunker<R> {
    /// A chunker of lines (NDJSON): every newline ends a record.
    pub fn lines(reader: R) -> Chunker<R> {
        Chunker {
            reader,
            carry: Vec::new(),
            next_line: 1,
            column_offset: 0,
            mode: Mode::Lines,
            done: false,
            bytes_read: 0,
            quoted: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// Takes back a chunk's buffer once its records were read, to read a later chunk into.
    pub fn give_back(&mut self, mut data: Vec<u8>) {
        if self.spare.len() < SPARE_BUFFERS && data.capacity() > 0 {
            data.clear();
            self.spare.push(data);
        }
    }

    /// A buffer for the next chunk (one given back, if any), starting with the bytes the
    /// last chunk left over.
    fn next_buffer(&mut self) -> Vec<u8> {
        let mut data = self.spare.pop().unwrap_or_default();
        data.extend_from_slice(&self.carry);
        self.carry.clear();
        data
    }

    /// The input line the data not yet cut into chunks starts on.
    pub fn line(&self) -> u64 {
        self.next_line
    }

    /// A chunker of CSV records with this field delimiter: a newline inside a quoted field
    /// is part of the record.
    pub fn csv(reader: R, delimiter: u8) -> Chunker<R> {
        Chunker { mode: Mode::Csv(delimiter), ..Chunker::lines(reader) }
    }

    /// A chunker of the elements of a JSON array, for input whose first line is
    /// `first_line` and which starts (after white space) with the array's `[`.
    pub fn json_array(reader: R, first_line: u64) -> Chunker<R> {
        let mode = Mode::JsonArray { opened: false, closed: false };
        Chunker { mode, next_line: first_line, ..Chunker::lines(reader) }
    }

    /// A chunker of JSON values one after another (objects one per line, or spread over
    /// lines), for input whose first line is `first_line`.
    pub fn json_values(reader: R, first_line: u64) -> Chunker<R> {
        Chunker { mode: Mode::JsonValues, next_line: first_line, ..Chunker::lines(reader) }
    }

    /// The next chunk, or `None` at the end of the input.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        match self.mode {
            Mode::JsonArray { .. } => return self.next_elements(),
            Mode::JsonValues => return self.next_values(),
            Mode::Lines | Mode::Csv(_) => {}
        }
        let mut data = self.next_buffer();
        loop {
            if self.done {
                if data.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(self.emit(data)));
            }
            if self.fill(&mut data)? == 0 {
                continue;
            }
            if let Some(cut) = self.last_boundary(&data) {
                self.carry.extend_from_slice(&data[cut..]);
                data.truncate(cut);
                return Ok(Some(self.emit(data)));
            }
        }
    }

    /// Reads up to a chunk's worth more into `data`; notes the input's end.
    fn fill(&mut self, data: &mut Vec<u8>) -> io::Result<usize> {
        let target = chunk_target(self.bytes_read);
        data.reserve(target);
        // `take` + `read_to_end` fills spare capacity without zeroing it first.
        let read = (&mut self.reader).take(target as u64).read_to_end(data)?;
        self.bytes_read += read as u64;
        self.done |= read == 0;
        Ok(read)
    }

    fn emit(&mut self, data: Vec<u8>) -> Chunk {
        let first_line = self.next_line;
        self.pass(&data);
        Chunk { data, first_line, elements: Vec::new() }
    }

    /// Moves the line (and column) count past `data`.
    fn pass(&mut self, data: &[u8]) {
        self.next_line += memchr::memchr_iter(b'\n', data).count() as u64;
        self.column_offset = match memchr::memrchr(b'\n', data) {
            Some(last) => data.len() - last - 1,
            None => self.column_offset + data.len(),
        };
    }

    /// The next chunk of a JSON array's whole elements. Only the array's own shape can
    /// fail here (no `[`, the data ending inside the array, anything but white space after
    /// its `]`); a malformed element is its record's problem, found when it is parsed.
    fn next_elements(&mut self) -> io::Result<Option<Chunk>> {
        let Mode::JsonArray { mut opened, closed } = self.mode else { return Ok(None) };
        if closed {
            return Ok(None);
        }
        let mut data = self.next_buffer();
        loop {
            let read = if self.done { 0 } else { self.fill(&mut data)? };
            if !opened {
                match data.iter().position(|b| !b.is_ascii_whitespace()) {
                    None if self.done => return Ok(None),
                    None => {
                        self.pass(&data);
                        data.clear();
                        continue;
                    }
                    Some(at) if data[at] == b'[' => {
                        self.pass(&data[..=at]);
                        data.drain(..=at);
                        opened = true;
                        self.mode = Mode::JsonArray { opened, closed };
                    }
                    Some(at) => return Err(self.malformed(&data, at, msg!("json-array-start"))),
                }
            }
            let found = json_array::scan(&data);
            if found.closed {
                let rest = data.split_off(found.end);
                self.mode = Mode::JsonArray { opened, closed: true };
                let mut chunk = self.emit(data);
                chunk.elements = found.spans;
                self.only_white_space(rest)?;
                return Ok(Some(chunk));
            }
            if found.end > 0 {
                self.carry = data.split_off(found.end);
                let mut chunk = self.emit(data);
                chunk.elements = found.spans;
                return Ok(Some(chunk));
            }
            if read == 0 && self.done {
                return Err(self.malformed(&data, data.len(), msg!("json-ends-inside-array")));
            }
        }
    }

    /// The next chunk of whole JSON values, each marked as an element. At the input's end,
    /// whatever is left is one last value, complete or not (a broken record, reported when
    /// it is parsed).
    fn next_values(&mut self) -> io::Result<Option<Chunk>> {
        let mut data = self.next_buffer();
        loop {
            if !self.done {
                self.fill(&mut data)?;
            }
            let mut found = json_array::scan_sequence(&data);
            if self.done {
                let rest = &data[found.end..];
                if let Some(at) = rest.iter().position(|b| !b.is_ascii_whitespace()) {
                    found.spans.push(found.end + at..data.len());
                }
                if found.spans.is_empty() {
                    return Ok(None);
                }
            } else if found.end == 0 {
                continue;
            } else {
                self.carry = data.split_off(found.end);
            }
            let mut chunk = self.emit(data);
            chunk.elements = found.spans;
            return Ok(Some(chunk));
        }
    }

    /// Checks that nothing but white space follows an array's `]`: in `rest` (the bytes
    /// after it in this read) and in the input still unread.
    fn only_white_space(&mut self, mut rest: Vec<u8>) -> io::Result<()> {
        loop {
            if let Some(at) = rest.iter().position(|b| !b.is_ascii_whitespace()) {
                return Err(self.malformed(&rest, at, msg!("json-after-array")));
            }
            self.pass(&rest);
            if self.done {
                return Ok(());
            }
            rest.clear();
            self.fill(&mut rest)?;
        }
    }

    /// An error at byte `at` of `data` (which starts on line `next_line`), naming its line
    /// and column as a JSON parser would.
    fn malformed(&self, data: &[u8], at: usize, problem: Message) -> io::Error {
        let before = &data[..at.min(data.len())];
        let line = self.next_line + memchr::memchr_iter(b'\n', before).count() as u64;
        let column = match memchr::memrchr(b'\n', before) {
            Some(last) => before.len() - last,
            None => self.column_offset + before.len() + 1,
        };
        let message = msg!("json-malformed", line = line, column = column, problem = problem).to_string();
        io::Error::new(io::ErrorKind::InvalidData, message)
    }

    /// The position just after the last line end that ends a record: the last `\n`, or in
    /// a chunk with none outside quotes (a file whose rows end in a lone `\r`), the last
    /// `\r`.
    fn last_boundary(&mut self, data: &[u8]) -> Option<usize> {
        match self.mode {
            Mode::Csv(delimiter) => {
                quoted_spans(data, delimiter, &mut self.quoted);
                let quoted = &self.quoted;
                last_end_outside(data, quoted, b'\n').or_else(|| last_end_outside(data, quoted, b'\r'))
            }
            Mode::Lines | Mode::JsonArray { .. } | Mode::JsonValues => {
                memchr::memrchr(b'\n', data).map(|i| i + 1)
            }
        }
    }
}

/// The position just after the last `line_end` byte outside the `quoted` fields (as
/// [`quoted_spans`] finds them). The quotes are read from the start, since only they can
/// open or close a quoted field; the line ends are looked for from the end, skipping those
/// inside a quoted field. Most lines hold no quote, so a chunk's cut touches each quote once
/// and few line ends at all.
fn last_end_outside(data: &[u8], quoted: &[Range<usize>], line_end: u8) -> Option<usize> {
    let mut end = data.len();
    let mut spans = quoted.iter().rev().peekable();
    loop {
        let at = memchr::memrchr(line_end, &data[..end])?;
        // Spans that open after this line end cannot hold it.
        while spans.next_if(|span| span.start > at).is_some() {}
        match spans.peek() {
            Some(span) if at < span.end => end = span.start,
            _ => return Some(at + 1),
        }
    }
}

/// Where `data`'s quoted fields that hold a line end lie, into `spans` (emptied first,
/// kept for its room): from a field's opening quote to its closing one (to the end of
/// `data` for a field not yet known to close). A quote opens a quoted field only at the
/// start of a field; inside one, a doubled quote is a quote of its text; a quote that opens
/// a field over several lines and does not close as a field ends is a stray, an ordinary
/// character ([`quotes::quoted_cell`], as the record reader judges it). A quoted field is
/// searched to its closing quote in one go, and the next one taken right after it when it
/// follows at once: exports that quote every cell cost a search a cell, not one for each
/// quote and one for each line.
fn quoted_spans(data: &[u8], delimiter: u8, spans: &mut Vec<Range<usize>>) {
    spans.clear();
    let judged = quotes::judged(delimiter);
    let mut from = 0;
    let mut next_open = None;
    loop {
        let next = next_open.take().or_else(|| memchr::memchr(b'"', &data[from..]).map(|found| from + found));
        let Some(open) = next else { return };
        let field_start = open == 0 || matches!(data[open - 1], b'\n' | b'\r') || data[open - 1] == delimiter;
        if !field_start {
            // A quote inside a cell that is not quoted: a character like any other.
            from = open + 1;
            continue;
        }
        // The data read so far is never the whole input here: the last chunk is not cut.
        let close = match quotes::quoted_cell(data, open, delimiter, false, judged) {
            QuotedCell::Closes { close, lines } => {
                if lines {
                    spans.push(open..close);
                }
                close
            }
            QuotedCell::Stray => {
                from = open + 1;
                continue;
            }
            QuotedCell::Open | QuotedCell::Undecided => {
                spans.push(open..data.len());
                return;
            }
        };
        from = close + 1;
        // The next cell quoted too, as in exports that quote every cell.
        if data.get(from) == Some(&delimiter) && data.get(from + 1) == Some(&b'"') {
            next_open = Some(from + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out a few bytes at a time, to cut records anywhere.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn chunks_keep_quoted_newlines_and_count_lines() {
        let mut input = Vec::new();
        for i in 0..200_000 {
            input.extend_from_slice(format!("C{i},\"two\nlines, \"\"quoted\"\"\",3\n").as_bytes());
        }
        input.extend_from_slice(b"last,no newline");
        let mut chunker = Chunker::csv(Trickle(&input), b',');
        let mut joined = Vec::new();
        let mut expected_line = 1;
        let mut chunks = 0;
        while let Some(chunk) = chunker.next_chunk().unwrap() {
            assert_eq!(chunk.first_line, expected_line);
            assert!(chunk.data.starts_with(b"C") || chunk.data.starts_with(b"last"));
            expected_line += memchr::memchr_iter(b'\n', &chunk.data).count() as u64;
            joined.extend_from_slice(&chunk.data);
            chunks += 1;
        }
        assert!(chunks > 1);
        assert_eq!(joined, input);
    }

    /// Buffers given back hold later chunks, which are the same as in new buffers: for
    /// CSV, lines and JSON values, each chunk's buffer given back as soon as it is read,
    /// scribbled over first, so that no byte of one chunk can pass into a later one.
    #[test]
    fn chunks_read_into_buffers_given_back_are_the_chunks_read_into_new_ones() {
        let mut csv = Vec::new();
        let mut json = Vec::new();
        for i in 0..60_000 {
            csv.extend_from_slice(format!("C{i},\"two\nlines\",{}\n", "x".repeat(i % 50)).as_bytes());
            json.extend_from_slice(
                format!("{{\"id\": \"C{i}\", \"note\": \"{}\"}}\n", "y".repeat(i % 70)).as_bytes(),
            );
        }
        type Make = fn(&[u8]) -> Chunker<Trickle<'_>>;
        let chunkers: [Make; 3] = [
            |input| Chunker::csv(Trickle(input), b','),
            |input| Chunker::lines(Trickle(input)),
            |input| Chunker::json_values(Trickle(input), 1),
        ];
        for (make, input) in chunkers.iter().zip([&csv, &csv, &json]) {
            let mut fresh = Vec::new();
            let mut chunker = make(input);
            while let Some(chunk) = chunker.next_chunk().unwrap() {
                fresh.push((chunk.first_line, chunk.data, chunk.elements));
            }
            let mut reused = Vec::new();
            let mut chunker = make(input);
            while let Some(chunk) = chunker.next_chunk().unwrap() {
                reused.push((chunk.first_line, chunk.data.clone(), chunk.elements));
                let mut data = chunk.data;
                data.iter_mut().for_each(|b| *b = b'#');
                chunker.give_back(data);
            }
            assert!(fresh.len() > SPARE_BUFFERS * 2);
            assert!(fresh == reused);
        }
    }

    /// Every record of `input` as the csv crate reads it (its stray quotes read as ordinary
    /// characters), with where it starts.
    fn records(input: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let all = quotes::reference::records_at(input, b',');
        all.into_iter().map(|(start, _, cells)| (start, cells)).collect()
    }

    #[test]
    fn quotes_inside_unquoted_cells_are_characters_and_cuts_stay_between_records() {
        // `12" pipe` opens nothing, `"a ""b"""` is one quoted cell, and a quoted cell with
        // a newline follows: every cut must be where the csv crate starts a record, and
        // chunks must stay near their size rather than swallow the rest of the input.
        let mut input = Vec::new();
        for i in 0..100_000 {
            let row = match (i % 5_000, i % 7) {
                (0, _) => format!("C{i},12\" pipe,3\n"),
                (_, 1) => format!("C{i},\"a \"\"b\"\"\",x\"y,4\n"),
                (_, 3) => format!("C{i},\"two\nlines\",5\n"),
                _ => format!("C{i},plain,6\n"),
            };
            input.extend_from_slice(row.as_bytes());
        }
        assert!(cut_between_records(&input) > 1);
    }

    /// Stray quotes (a quote opening a cell that never closes as a cell ends) are ordinary
    /// characters to the chunker as to the record reader: cuts stay between the records the
    /// reader finds, and a quote that never closes makes no chunk of the rest of the input.
    #[test]
    fn stray_quotes_neither_misplace_cuts_nor_swallow_the_input() {
        let mut input = Vec::new();
        for i in 0..100_000 {
            let row = match (i % 997, i % 7) {
                (0, _) => format!("C{i},\"open,3\n"),
                (1, _) => format!("C{i},\"closes late\n{i}\"x,4\n"),
                (_, 3) => format!("C{i},\"two\nlines\",5\n"),
                (_, 5) => format!("C{i},\"Acme, Inc.\",5\n"),
                _ => format!("C{i},plain,6\n"),
            };
            input.extend_from_slice(row.as_bytes());
        }
        assert!(cut_between_records(&input) > 1);
        // One quote that never closes, and no quote after it in 4 MB.
        let mut lone = b"C0,\"open,1\n".to_vec();
        lone.extend_from_slice("C1,plain,2\n".repeat(400_000).as_bytes());
        assert!(cut_between_records(&lone) > 1);
    }

    /// The scan as it was before it skipped the line ends between quotes: every quote and
    /// every line end in order, stray quotes (found byte by byte) passed over.
    fn last_record_end_by_every_byte(data: &[u8], delimiter: u8, line_end: u8) -> Option<usize> {
        // The chunker cuts data that may go on: the last chunk is never cut.
        let strays = quotes::reference::strays(data, delimiter, false);
        let mut inside = false;
        let mut closed = None;
        let mut last = None;
        for i in memchr::memchr2_iter(b'"', line_end, data) {
            if data[i] == line_end {
                if !inside {
                    last = Some(i + 1);
                }
            } else if inside {
                inside = false;
                closed = Some(i);
            } else if !strays.contains(&i) {
                let escaped = closed.is_some_and(|c| c + 1 == i);
                let field_start = i == 0 || matches!(data[i - 1], b'\n' | b'\r') || data[i - 1] == delimiter;
                inside = escaped || field_start;
            }
        }
        last
    }

    /// Every string of up to seven bytes from quotes, line ends, delimiters and letters
    /// (and longer random ones) is cut where the byte-by-byte scan cut it.
    #[test]
    fn the_cut_is_where_a_scan_of_every_byte_puts_it() {
        let alphabet = [b'"', b'\n', b'\r', b',', b'a'];
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        let mut last_round = vec![Vec::new()];
        for _ in 0..7 {
            let next: Vec<Vec<u8>> = last_round
                .iter()
                .flat_map(|s: &Vec<u8>| alphabet.iter().map(move |&b| [s.as_slice(), &[b]].concat()))
                .collect();
            inputs.extend(next.iter().cloned());
            last_round = next;
        }
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            let length = 8 + (seed % 60) as usize;
            let input = (0..length)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % 5) as usize]
                })
                .collect();
            inputs.push(input);
        }
        let mut quoted = Vec::new();
        for input in &inputs {
            // The letter as the delimiter too: the comma is then a character of a cell.
            for delimiter in [b',', b'a'] {
                quoted_spans(input, delimiter, &mut quoted);
                for line_end in [b'\n', b'\r'] {
                    assert_eq!(
                        last_end_outside(input, &quoted, line_end),
                        last_record_end_by_every_byte(input, delimiter, line_end),
                        "{:?} cut at {:?}, cells split at {:?}",
                        String::from_utf8_lossy(input),
                        line_end as char,
                        delimiter as char
                    );
                }
            }
        }
    }

    /// A small input is still cut into several chunks, so that every thread gets some of
    /// it; a large one soon into chunks of the full size.
    #[test]
    fn chunks_start_small_and_grow_to_full_size() {
        let row = "C00001,Acme Trading Co,DE,distributor,3,1,0,2026-10-01\n";
        let small = row.repeat(40_000 / row.len());
        assert!(cut_between_records(small.as_bytes()) >= 4, "40 KB in fewer than 4 chunks");
        let large = row.repeat((24 * CHUNK_BYTES) / row.len());
        let mut chunker = Chunker::csv(large.as_bytes(), b',');
        let mut sizes = Vec::new();
        while let Some(chunk) = chunker.next_chunk().unwrap() {
            sizes.push(chunk.data.len());
        }
        assert!(sizes[0] <= FIRST_CHUNK_BYTES, "first chunk {} bytes", sizes[0]);
        let whole = &sizes[..sizes.len() - 1];
        assert!(whole.windows(2).all(|w| w[1] + row.len() >= w[0]), "chunks shrank: {sizes:?}");
        assert!(sizes.iter().filter(|&&s| s + row.len() >= CHUNK_BYTES).count() >= 8, "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), large.len());
    }

    #[test]
    fn rows_ending_in_a_lone_carriage_return_are_cut_into_chunks_too() {
        let mut input = Vec::new();
        for i in 0..100_000 {
            let row = if i % 9 == 0 { format!("C{i},\"two\rlines\",4\r") } else { format!("C{i},plain,6\r") };
            input.extend_from_slice(row.as_bytes());
        }
        assert!(cut_between_records(&input) > 1);
    }

    /// Cuts `input` into chunks and checks each cut is where the csv crate starts a
    /// record, the chunks' records are the whole's, and no chunk swallows the rest of the
    /// input. Returns how many chunks there were.
    fn cut_between_records(input: &[u8]) -> usize {
        let whole = records(input);
        let starts: std::collections::HashSet<u64> = whole.iter().map(|(s, _)| *s).collect();
        let mut chunker = Chunker::csv(input, b',');
        let (mut offset, mut parsed, mut chunks) = (0u64, Vec::new(), 0);
        while let Some(chunk) = chunker.next_chunk().unwrap() {
            assert!(starts.contains(&offset), "a cut at byte {offset} is inside a record");
            assert!(chunk.data.len() < 2 * CHUNK_BYTES, "a chunk of {} bytes", chunk.data.len());
            parsed.extend(records(&chunk.data).into_iter().map(|(_, fields)| fields));
            offset += chunk.data.len() as u64;
            chunks += 1;
        }
        assert_eq!(parsed, whole.into_iter().map(|(_, fields)| fields).collect::<Vec<_>>());
        chunks
    }
}
