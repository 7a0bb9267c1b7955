//! Finding the records of JSON input without parsing them: the elements of an array, or
//! values one after another, so a large file can be cut into chunks that workers parse in
//! parallel, as CSV and NDJSON are. The scan follows only what decides where a record
//! ends: strings (with their escapes), and the nesting of objects and arrays. Whether each
//! record is well-formed JSON is for the parser that reads it; a broken record costs that
//! record, not the run.

use memchr::memchr2;
use std::ops::Range;

/// What a scan of a stretch of an array's elements found.
#[derive(Debug, Default, PartialEq)]
pub struct Elements {
    /// The complete elements: each one's bytes, without the comma after it.
    pub spans: Vec<Range<usize>>,
    /// Where the unscanned rest starts: after the last element's comma, or after the
    /// array's closing bracket.
    pub end: usize,
    /// Whether the array's closing bracket was found (at `end - 1`).
    pub closed: bool,
}

/// Scans `data`, which starts at an element's start inside a top-level array (after its
/// `[` or after a comma between elements). An element cut off by the end of `data` is
/// left for the next scan. Whitespace alone before the closing bracket is no element, so
/// `[]` has none and a trailing comma is forgiven.
pub fn scan(data: &[u8]) -> Elements {
    let mut found = Elements::default();
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'"' => match string_end(data, i + 1) {
                Some(end) => {
                    i = end;
                    continue;
                }
                None => break,
            },
            b'{' | b'[' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b']' if depth > 0 => depth -= 1,
            b']' => {
                if !data[start..i].trim_ascii().is_empty() {
                    found.spans.push(start..i);
                }
                found.end = i + 1;
                found.closed = true;
                return found;
            }
            b',' if depth == 0 => {
                found.spans.push(start..i);
                start = i + 1;
                found.end = start;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Scans `data`, a stretch of JSON values one after another (objects on lines of their
/// own, as NDJSON, or spread over several lines), starting between two values. A value in
/// braces or brackets ends where its closing bracket brings the nesting back to the top, a
/// string at its closing quote, anything else (a number, a word: not an object, so a record
/// in error) at white space or where a value in brackets or quotes begins. A value cut off
/// by the end of `data` is left for the next scan; `closed` stays false.
pub fn scan_sequence(data: &[u8]) -> Elements {
    let mut found = Elements::default();
    let mut i = 0;
    while i < data.len() {
        let start = i;
        i = match data[i] {
            byte if byte.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'{' | b'[' => match bracketed_end(data, i) {
                Some(end) => end,
                None => break,
            },
            b'"' => match string_end(data, i + 1) {
                Some(end) => end,
                None => break,
            },
            _ => match data[i..].iter().position(|b| b.is_ascii_whitespace() || b"{[\"".contains(b)) {
                Some(length) => i + length,
                None => break,
            },
        };
        found.spans.push(start..i);
        found.end = i;
    }
    found
}

/// The position just after the bracket that closes the one at `open`, if `data` has it.
fn bracketed_end(data: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < data.len() {
        match data[i] {
            b'"' => {
                i = string_end(data, i + 1)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The position just after the quote that ends the string whose text starts at `from`, or
/// `None` when the string does not end in `data`.
fn string_end(data: &[u8], mut from: usize) -> Option<usize> {
    while from < data.len() {
        match memchr2(b'"', b'\\', &data[from..]) {
            Some(at) if data[from + at] == b'"' => return Some(from + at + 1),
            // A backslash escapes the byte after it.
            Some(at) => from += at + 2,
            None => break,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elements(data: &str) -> (Vec<&str>, usize, bool) {
        let found = scan(data.as_bytes());
        (found.spans.iter().map(|r| &data[r.clone()]).collect(), found.end, found.closed)
    }

    #[test]
    fn elements_end_at_commas_outside_strings_and_nesting() {
        let data = r#"{"a": "x,]}\"", "b": [1, {"c": 2}]}, {"d": "\\"} ,3]  "#;
        let (spans, end, closed) = elements(data);
        assert_eq!(spans, [r#"{"a": "x,]}\"", "b": [1, {"c": 2}]}"#, r#" {"d": "\\"} "#, "3"]);
        assert_eq!((end, closed), (data.len() - 2, true));
    }

    #[test]
    fn a_cut_off_element_is_left_for_the_next_scan() {
        let (spans, end, closed) = elements(r#"{"a": 1}, {"b": "2, 3"#);
        assert_eq!((spans, end, closed), (vec![r#"{"a": 1}"#], 9, false));
        let (spans, end, closed) = elements(r#"{"b": "2\"#);
        assert_eq!((spans, end, closed), (vec![], 0, false));
    }

    #[test]
    fn values_one_after_another_end_at_their_closing_bracket_or_white_space() {
        let data = "{\"a\": \"}{\"}\n  {\"b\": [1, {}]}{\"c\": 1}\n7 x\"y z\"\"s\"{} {\"cut\": ";
        let found = scan_sequence(data.as_bytes());
        let spans: Vec<&str> = found.spans.iter().map(|r| &data[r.clone()]).collect();
        let expected =
            [r#"{"a": "}{"}"#, r#"{"b": [1, {}]}"#, r#"{"c": 1}"#, "7", "x", r#""y z""#, r#""s""#, "{}"];
        assert_eq!(spans, expected);
        assert_eq!((found.end, found.closed), (data.len() - 9, false));
    }

    #[test]
    fn an_empty_array_and_a_trailing_comma_have_no_empty_element() {
        assert_eq!(elements(" ]"), (vec![], 2, true));
        assert_eq!(elements("1, ]"), (vec!["1"], 4, true));
        assert_eq!(elements("1,,2]"), (vec!["1", "", "2"], 5, true));
    }

    /// A reader that hands out a few bytes at a time, to end reads anywhere.
    struct Trickle<'a>(&'a [u8], usize);
    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(self.1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// Every element the chunker finds, parsed, with the line its text starts on.
    fn chunked(input: &[u8], step: usize) -> std::io::Result<Vec<(u64, serde_json::Value)>> {
        read_chunks(crate::record::chunk::Chunker::json_array(Trickle(input, step), 1))
    }

    fn read_chunks<R: std::io::Read>(
        mut chunker: crate::record::chunk::Chunker<R>,
    ) -> std::io::Result<Vec<(u64, serde_json::Value)>> {
        let mut found = Vec::new();
        while let Some(chunk) = chunker.next_chunk()? {
            for span in &chunk.elements {
                let text = &chunk.data[span.clone()];
                let lead = text.len() - text.trim_ascii_start().len();
                let before = &chunk.data[..span.start + lead];
                let line = chunk.first_line + memchr::memchr_iter(b'\n', before).count() as u64;
                found.push((line, serde_json::from_slice(text).expect("each element is JSON")));
            }
        }
        Ok(found)
    }

    /// A generated array (objects with awkward strings, nesting, pretty-printing, and
    /// elements that are not objects), with the line each element starts on.
    fn array(records: usize) -> (String, Vec<u64>) {
        let mut text = String::from("\n  [\n");
        let (mut lines, mut line) = (Vec::new(), 3);
        for i in 0..records {
            if i > 0 {
                text.push_str(if i % 3 == 0 { ",\n" } else { ", " });
                line += u64::from(i % 3 == 0);
            }
            let value = match i % 4 {
                0 => serde_json::json!({"id": format!("C{i}"), "name": "A, \"B\" [c] {d}", "orders": i}),
                1 => serde_json::json!({"id": i, "tags": ["x", {"deep": [1, 2, "]"]}], "note": "\\"}),
                2 => serde_json::json!({"id": format!("C{i}"), "empty": {}, "list": []}),
                _ => serde_json::json!(["not", "an", "object"]),
            };
            let written =
                if i % 5 == 0 { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) };
            let written = written.unwrap();
            lines.push(line);
            line += written.matches('\n').count() as u64;
            text.push_str(&written);
        }
        text.push_str("\n]\n");
        (text, lines)
    }

    #[test]
    fn chunked_elements_are_the_arrays_elements_on_their_lines() {
        for (records, step) in [(0, 7), (1, 3), (50, 7), (20_000, 1 << 20)] {
            let (text, lines) = array(records);
            let whole: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
            let found = chunked(text.as_bytes(), step).unwrap();
            assert_eq!(found.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(), whole);
            assert_eq!(found.iter().map(|(line, _)| *line).collect::<Vec<_>>(), lines);
        }
    }

    #[test]
    fn a_broken_array_shape_is_an_error_with_its_place() {
        let error = |input: &str| chunked(input.as_bytes(), 5).unwrap_err().to_string();
        assert_eq!(
            error("[{\"id\": 1}, {\"id\": "),
            "the JSON data is malformed at line 1, column 20: the data ends inside the array"
        );
        assert_eq!(
            error("[1, 2]\n  x"),
            "the JSON data is malformed at line 2, column 3: only white space may follow the array's `]`"
        );
        assert_eq!(
            error("\n {\"a\": 1}"),
            "the JSON data is malformed at line 2, column 2: a JSON array starts with `[`"
        );
        assert_eq!(chunked(b"  \n ", 2).unwrap(), vec![]);
    }

    #[test]
    fn chunked_values_one_after_another_are_the_values_a_json_stream_has() {
        for (records, step) in [(0, 7), (1, 3), (50, 7), (20_000, 1 << 20)] {
            let (array, _) = array(records);
            let values: Vec<serde_json::Value> = serde_json::from_str(&array).unwrap();
            let separators = ["\n", " ", "", "\n\n"];
            let text: String = values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    // Objects and arrays (all the generator writes) end themselves, so some
                    // follow each other with nothing between.
                    let pretty = i % 5 == 0;
                    let written =
                        if pretty { serde_json::to_string_pretty(v) } else { serde_json::to_string(v) };
                    written.unwrap() + separators[i % 4]
                })
                .collect();
            let stream: Vec<serde_json::Value> =
                serde_json::Deserializer::from_str(&text).into_iter().collect::<Result<_, _>>().unwrap();
            let chunker = crate::record::chunk::Chunker::json_values(Trickle(text.as_bytes(), step), 1);
            let found = read_chunks(chunker).unwrap();
            assert_eq!(found.into_iter().map(|(_, v)| v).collect::<Vec<_>>(), stream);
        }
    }
}
