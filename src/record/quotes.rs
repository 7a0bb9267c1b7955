//! Where a quoted CSV cell ends, judged alike by the chunker (which must not cut inside
//! one) and by the record reader. A quoted cell may hold delimiters, doubled quotes and
//! line breaks. One that holds a line break must also close as a cell ends: its closing
//! quote followed by a delimiter, a line end or the end of the input, within
//! [`MAX_MULTILINE_CELL`] bytes of its opening quote. Any other such quote is a stray (a
//! cell that opens a quote by mistake, `"ads` or `"3`): it is an ordinary character, its
//! cell ends at the next delimiter or line end, and the lines after it are rows of their
//! own. Read the csv crate's way, that one quote would turn every line up to the next
//! quote in the file (or to its end) into one cell, and the customers on them would be
//! lost without a word.

/// How far past its opening quote a cell over several lines may close: far more than a
/// spreadsheet's cell holds (Excel's, 32,767 characters) or a CRM's note or e-mail body
/// runs to, and little enough that a quote typed by mistake holds up no more of the input
/// than that while the chunker looks for its end.
pub const MAX_MULTILINE_CELL: usize = 1 << 20;

/// How a quoted cell ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotedCell {
    /// Its closing quote is at `close`; `lines` tells whether it holds a line break.
    Closes { close: usize, lines: bool },
    /// It is still open where the data ends (a cell on one line, at the input's end).
    Open,
    /// Its opening quote is a stray: an ordinary character.
    Stray,
    /// More of the input is needed to tell (the data so far is not the whole input).
    Undecided,
}

/// How the quoted cell that opens at `open` in `data` ends. `complete` tells that `data`
/// runs to the input's end. With `judged` false (a delimiter that is itself a quote or a
/// line end, read by csv_core alone) no quote is a stray: the cell runs to its closing
/// quote wherever that is, as the csv crate reads it.
pub fn quoted_cell(data: &[u8], open: usize, delimiter: u8, complete: bool, judged: bool) -> QuotedCell {
    // The cell's first line: a closing quote there ends it as the csv crate reads it.
    let mut at = open + 1;
    let line_end = loop {
        let Some(found) = memchr::memchr3(b'"', b'\n', b'\r', &data[at..]) else {
            return if complete { QuotedCell::Open } else { QuotedCell::Undecided };
        };
        at += found;
        if data[at] != b'"' {
            break at;
        }
        match data.get(at + 1) {
            Some(b'"') => at += 2,
            None if !complete => return QuotedCell::Undecided,
            _ => return QuotedCell::Closes { close: at, lines: false },
        }
    };
    // A cell over several lines: its closing quote must come soon and end the cell.
    let limit = match judged {
        true => data.len().min(open + MAX_MULTILINE_CELL + 1),
        false => data.len(),
    };
    let mut at = line_end + 1;
    loop {
        let Some(found) = data.get(at..limit).and_then(|rest| memchr::memchr(b'"', rest)) else {
            return match (limit == data.len(), complete) {
                (true, false) => QuotedCell::Undecided,
                _ if judged => QuotedCell::Stray,
                _ => QuotedCell::Open,
            };
        };
        let close = at + found;
        match data.get(close + 1) {
            Some(b'"') => at = close + 2,
            None if !complete => return QuotedCell::Undecided,
            None => return QuotedCell::Closes { close, lines: true },
            Some(&byte) if byte == delimiter || byte == b'\n' || byte == b'\r' || !judged => {
                return QuotedCell::Closes { close, lines: true }
            }
            Some(_) => return QuotedCell::Stray,
        }
    }
}

/// Whether strays are judged for this delimiter: not for a quote or a line end as the
/// delimiter, which only csv_core reads.
pub fn judged(delimiter: u8) -> bool {
    !matches!(delimiter, b'"' | b'\r' | b'\n')
}

/// The rule read the slow way, for the tests of the chunker and the record reader.
#[cfg(test)]
pub(crate) mod reference {
    use super::MAX_MULTILINE_CELL;

    /// Where `data`'s stray quotes are, found byte by byte: a quote at a cell's start whose
    /// cell holds a line break and then closes too late, not as a cell ends, or never.
    /// Unless `complete`, `data` may go on: a quote that more data could still close well
    /// is no stray, and the rest of `data` is its cell.
    pub fn strays(data: &[u8], delimiter: u8, complete: bool) -> Vec<usize> {
        let mut strays = Vec::new();
        if !super::judged(delimiter) {
            return strays;
        }
        let mut at = if data.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let mut cell_start = true;
        while at < data.len() {
            let byte = data[at];
            if cell_start && byte == b'"' {
                let (mut end, mut lines, mut close) = (at + 1, false, None);
                while end < data.len() {
                    match data[end] {
                        b'"' if data.get(end + 1) == Some(&b'"') => end += 1,
                        b'"' => {
                            close = Some(end);
                            break;
                        }
                        b'\n' | b'\r' => lines = true,
                        _ => {}
                    }
                    end += 1;
                }
                let within = |end: usize| end - at <= MAX_MULTILINE_CELL;
                let stray = match close {
                    _ if !lines => false,
                    Some(close) if !within(close) => true,
                    Some(close) => match data.get(close + 1) {
                        None => false,
                        Some(&next) => !(next == delimiter || next == b'\n' || next == b'\r'),
                    },
                    None => complete || !within(data.len() - 1),
                };
                let undecided = !complete && !stray && close.is_none_or(|close| close + 1 == data.len());
                if undecided || close.is_none() && !stray {
                    return strays;
                }
                if stray {
                    strays.push(at);
                } else if let Some(close) = close {
                    at = close + 1;
                    cell_start = false;
                    continue;
                }
            }
            cell_start = byte == delimiter || byte == b'\n' || byte == b'\r';
            at += 1;
        }
        strays
    }

    /// The records of `data` as the csv crate reads them once its stray quotes are
    /// ordinary characters: each with the line it starts on and its cells.
    pub fn records(data: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        records_at(data, delimiter).into_iter().map(|(_, line, cells)| (line, cells)).collect()
    }

    /// [`records`], each with the byte it starts at too.
    pub fn records_at(data: &[u8], delimiter: u8) -> Vec<(u64, u64, Vec<Vec<u8>>)> {
        // A byte no test input holds stands for each stray quote while the csv crate reads.
        const STAND_IN: u8 = 0x01;
        assert!(!data.contains(&STAND_IN));
        let mut marked = data.to_vec();
        for at in strays(data, delimiter, true) {
            marked[at] = STAND_IN;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(&marked[..]);
        let mut record = csv::ByteRecord::new();
        let mut records = Vec::new();
        while reader.read_byte_record(&mut record).expect("reading bytes from memory cannot fail") {
            let position = record.position().expect("records read from a reader have a position");
            let start = position.byte() as usize;
            let blank =
                data[start..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|&&b| b == b'\n');
            let cells = record
                .iter()
                .map(|cell| cell.iter().map(|&b| if b == STAND_IN { b'"' } else { b }).collect())
                .collect();
            records.push((position.byte(), position.line() + blank.count() as u64, cells));
        }
        records
    }
}

#[cfg(test)]
mod tests {
    use super::{quoted_cell, QuotedCell, MAX_MULTILINE_CELL};

    fn judge(data: &str, complete: bool) -> QuotedCell {
        quoted_cell(data.as_bytes(), data.find('"').expect("a quote"), b',', complete, true)
    }

    #[test]
    fn a_quoted_cell_over_lines_must_close_as_a_cell_ends() {
        use QuotedCell::*;
        assert_eq!(judge("a,\"b\",c", true), Closes { close: 4, lines: false });
        assert_eq!(judge("a,\"b\"x,c", true), Closes { close: 4, lines: false });
        assert_eq!(judge("a,\"b\"\"c\",d", true), Closes { close: 7, lines: false });
        assert_eq!(judge("a,\"b", true), Open);
        assert_eq!(judge("a,\"b", false), Undecided);
        assert_eq!(judge("a,\"b\"", false), Undecided);
        assert_eq!(judge("a,\"two\nlines\",c\n", true), Closes { close: 12, lines: true });
        assert_eq!(judge("a,\"two\r\nlines\"\r\n", true), Closes { close: 13, lines: true });
        assert_eq!(judge("a,\"two\nlines\"", true), Closes { close: 12, lines: true });
        assert_eq!(judge("a,\"two\nlines\"", false), Undecided);
        assert_eq!(judge("a,\"two\nlines \"\"q\"\"\",c", true), Closes { close: 18, lines: true });
        // Never closed, or closed with more of the cell after the quote: a stray.
        assert_eq!(judge("a,\"3\nb,4\nc,5\n", true), Stray);
        assert_eq!(judge("a,\"3\nb,4\nc,5\n", false), Undecided);
        assert_eq!(judge("a,\"ads\nb,\"Supply Co\",4\n", true), Stray);
        assert_eq!(judge("a,\"ads\nb,\"Supply Co\",4\n", false), Stray);
        // A cell over lines closes within the limit, or its quote is a stray.
        let long = format!("a,\"{}\n{}\",c", "x".repeat(10), "y".repeat(MAX_MULTILINE_CELL));
        assert_eq!(judge(&long, true), Stray);
        assert_eq!(judge(&long, false), Stray);
        let fits = format!("a,\"\n{}\",c", "y".repeat(MAX_MULTILINE_CELL - 2));
        assert_eq!(judge(&fits, true), Closes { close: MAX_MULTILINE_CELL + 2, lines: true });
        // A cell on one line may be as long as it is.
        let wide = format!("a,\"{}\",c", "x".repeat(2 * MAX_MULTILINE_CELL));
        assert_eq!(judge(&wide, true), Closes { close: 2 * MAX_MULTILINE_CELL + 3, lines: false });
    }

    #[test]
    fn with_a_quote_or_line_end_as_the_delimiter_no_quote_is_a_stray() {
        let data = b"a,\"3\nb,4\nc\"x";
        assert_eq!(quoted_cell(data, 2, b'"', true, false), QuotedCell::Closes { close: 10, lines: true });
        assert_eq!(quoted_cell(b"a,\"3\nb", 2, b'\n', true, false), QuotedCell::Open);
    }
}
