//! JSON records: how JSON input is cut (an array's elements, or values one after
//! another) and how a JSON value reads as a cell's text or as an id, the same for
//! customers, events and `explain`.

use super::chunk::Chunker;
use serde_json::Value;
use std::io::{self, BufRead, BufReader, Read};

/// A chunker of JSON input: of an array's elements when it starts with `[`, else of
/// values one after another.
pub fn json_chunker(input: Box<dyn Read + Send>) -> io::Result<Chunker<Box<dyn Read + Send>>> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let (array, skipped_lines) = starts_array(&mut input)?;
    let input: Box<dyn Read + Send> = Box::new(input);
    Ok(match array {
        true => Chunker::json_array(input, 1 + skipped_lines),
        false => Chunker::json_values(input, 1 + skipped_lines),
    })
}

/// Skips the white space a JSON input starts with and tells whether an array follows, with
/// the lines skipped. Looks without taking: the array's `[` stays for the chunker.
fn starts_array(input: &mut impl BufRead) -> io::Result<(bool, u64)> {
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

/// A JSON value as the text of a cell: lists joined by `;`, `null` empty, a number as the
/// exact decimal it writes (`1e-7` is `0.0000001`).
pub fn cell_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            crate::decimal::Decimal::parse_json(n.as_str()).map_or_else(|| n.to_string(), |d| d.to_string())
        }
        Value::Array(items) => items.iter().map(cell_text).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

/// A JSON id as text: a string trimmed, a number as written, none empty.
pub fn json_id(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}
