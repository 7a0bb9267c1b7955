//! `CsvRecords` must read every input exactly as the csv crate does, but for stray quotes
//! (`super::quotes`), which it reads as ordinary characters: the same records, the same
//! cells, the same line numbers. Checked on crafted cases and on many generated ones, from
//! well-formed exports to byte noise.

use super::CsvRecords;
use crate::cases::Cases;

/// The records of `data` as the csv crate reads them (its stray quotes read as ordinary
/// characters), each with the line it starts on.
fn csv_crate(data: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
    crate::record::quotes::reference::records(data, delimiter)
}

fn ours(data: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
    let mut reader = CsvRecords::new(data, delimiter);
    let mut record = crate::record::Cells::new();
    let mut records = Vec::new();
    while let Some(line) = reader.next_record(&mut record) {
        records.push((line, record.iter().map(<[u8]>::to_vec).collect()));
    }
    records
}

fn assert_same(data: &[u8], delimiter: u8) {
    assert_eq!(
        ours(data, delimiter),
        csv_crate(data, delimiter),
        "input: {:?}",
        String::from_utf8_lossy(data)
    );
}

#[test]
fn plain_quoted_and_odd_records_read_as_the_csv_crate_reads_them() {
    for data in [
        "",
        "\n",
        "\r\n\r\n",
        "a",
        "a,b,c\n",
        "a,b,c\r\nd,e\r\n",
        "id,name\nC1,\"Acme, Inc.\"\nC2,Plain\n",
        "C1,\"two\nlines\",x\nC2,y\n",
        "a,\"b\"\"c\",d\n",
        "a,b\"c,d\ne,f\n",
        "a,\"b\"c,d\ne\n",
        "a,\"unterminated\nb,c\n",
        "a,b\rc,d\n",
        "a,b\r",
        "\n\na,b\n\n\nc\n",
        "a,\"b\"\r\nc,d\r\n",
        "a,b\n\u{feff}c,d\n",
        ",,\n,\n",
        "\"b\"",
        "\"b\"\"c\"",
        "a\n\" ,\"",
        "a,\"b\",\"\"\"q\"\"\"\r\n",
    ] {
        assert_same(data.as_bytes(), b',');
    }
    // Records that csv_core reads (a quoted line break, a stray quote) with more bytes and
    // more cells than its first buffers hold, which then grow.
    let long_cell = format!("a,\"{}\",b\n", "x\"\"y\n".repeat(800));
    let many_cells = format!("{}x\"q\n", "c,".repeat(300));
    assert_same(long_cell.as_bytes(), b',');
    assert_same(many_cells.as_bytes(), b',');
    assert_same(b"a;b;\"c;d\"\ne;f\n", b';');
    assert_same(b"a\tb\t\"c\"\"\"\r\nd\te\n", b'\t');
}

#[test]
fn a_delimiter_that_is_also_a_quote_or_line_end_reads_as_the_csv_crate_reads_it() {
    assert_same(b"a\"b\"c\nd\n", b'"');
    assert_same(b"a\rb\rc\nd\n", b'\r');
}

/// Plain lines are split eight bytes at a time: a zero or a byte above ASCII as the
/// delimiter, and cells of bytes above ASCII, split as the csv crate splits them.
#[test]
fn delimiters_and_cells_of_any_byte_read_as_the_csv_crate_reads_them() {
    assert_same(b"a\0b\0\"c\"\nlonger than eight\0\0x\n\0\n", 0);
    assert_same(b"caf\xc3\xa9\xa7\xe2\x80\xa7\"q\"\xa7\n\xa7\xa7\xa7\xa7\xa7\xa7\xa7\xa7\xa7\n", 0xa7);
    assert_same("名称,城市,\"北京, 上海\",é\n".as_bytes(), b',');
}

impl Cases {
    /// An export-like file: mostly plain records, some quoted, some broken.
    fn export(&mut self) -> String {
        let mut text = String::new();
        for _ in 0..self.below(12) {
            let cells = 1 + self.below(40);
            for cell in 0..cells {
                if cell > 0 {
                    text.push(',');
                }
                let piece = match self.below(10) {
                    0 => self.pick(&["\"Acme, Inc.\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "\"\""]),
                    1 => self.pick(&["12\" pipe", "a\"b", "\"open", "x\ry", "é", " "]),
                    _ => self.pick(&["C0001", "1200.50", "", "2026-11-01", "agent", "phone-accessories"]),
                };
                text.push_str(piece);
            }
            text.push_str(self.pick(&["\n", "\n", "\n", "\r\n", "\r", "\n\n", ""]));
        }
        text
    }

    /// Byte noise over the characters that matter to CSV.
    fn noise(&mut self) -> Vec<u8> {
        let length = self.below(120);
        (0..length).map(|_| b"ab,\"\r\n ;"[self.below(8)]).collect()
    }
}

#[test]
fn generated_exports_and_noise_read_as_the_csv_crate_reads_them() {
    let mut cases = Cases::new(0x9e37_79b9_7f4a_7c15);
    for _ in 0..4000 {
        let export = cases.export();
        assert_same(export.as_bytes(), b',');
        let noise = cases.noise();
        assert_same(&noise, b',');
        assert_same(&noise, b';');
    }
}

#[test]
fn a_long_file_of_mixed_records_reads_as_the_csv_crate_reads_it() {
    let mut cases = Cases::new(7);
    let file: String = (0..300).map(|_| cases.export()).collect();
    assert_same(file.as_bytes(), b',');
}

#[test]
fn rows_ended_by_a_lone_carriage_return_are_read_in_linear_time() {
    // Such rows are csv_core's; judging each row plain must not read the rest of the
    // input to its next `\n` each time. The second input ends in a `\n`, as a file that
    // switches line ends would.
    let rows: String = (0..20_000).map(|i| format!("C{i},plain,{i}\r")).collect();
    for data in [rows.clone(), rows + "last,row\n"] {
        let mut reader = CsvRecords::new(data.as_bytes(), b',');
        let mut record = crate::record::Cells::new();
        let mut count = 0;
        while reader.next_record(&mut record).is_some() {
            count += 1;
        }
        assert!(count >= 20_000);
        assert!(reader.scanned <= 2 * data.len(), "looked at {} bytes of {}", reader.scanned, data.len());
        assert_same(data.as_bytes(), b',');
    }
}

/// The check as it was before it read quoted cells byte by byte: quote after quote.
fn well_quoted_quote_by_quote(body: &[u8], delimiter: u8) -> bool {
    let mut quotes = memchr::memchr_iter(b'"', body);
    while let Some(open) = quotes.next() {
        if open > 0 && body[open - 1] != delimiter {
            return false;
        }
        loop {
            let Some(close) = quotes.next() else { return false };
            match body.get(close + 1) {
                Some(b'"') => {
                    quotes.next();
                }
                Some(&byte) if byte == delimiter => break,
                None => break,
                Some(_) => return false,
            }
        }
    }
    true
}

/// Every line of up to eight bytes of quotes, delimiters and letters is split here when
/// the quote-by-quote check judges it well quoted, and then into the cells the csv crate
/// reads; any other is left to csv_core.
#[test]
fn lines_are_split_when_judged_well_quoted_quote_by_quote() {
    let alphabet = [b'"', b',', b'a'];
    let mut round: Vec<Vec<u8>> = vec![Vec::new()];
    let (mut record, mut unquoted) = (crate::record::Cells::new(), Vec::new());
    for _ in 0..8 {
        round =
            round.iter().flat_map(|s| alphabet.iter().map(move |&b| [s.as_slice(), &[b]].concat())).collect();
        for body in &round {
            for delimiter in [b',', b'a'] {
                let shown = String::from_utf8_lossy(body);
                let split = super::split_cells(body, delimiter, &mut record, &mut unquoted);
                assert_eq!(
                    split,
                    well_quoted_quote_by_quote(body, delimiter),
                    "{shown:?} split at {:?}",
                    delimiter as char
                );
                if split {
                    let cells: Vec<Vec<u8>> = record.iter().map(<[u8]>::to_vec).collect();
                    assert_eq!(
                        cells,
                        csv_crate(body, delimiter)[0].1,
                        "{shown:?} split at {:?}",
                        delimiter as char
                    );
                }
            }
        }
    }
}
