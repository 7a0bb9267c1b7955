//! Reading a record cell by cell must give what reading it whole gives: the same values
//! for the keys the rules read, the same id, and the same verdict on what is not a JSON
//! object. Checked on crafted lines and on many generated ones, broken ones included.

use super::{Cell, JsonCells, Wanted};
use crate::cases::Cases;
use crate::record::json::json_id;
use serde_json::Value;

const COLUMNS: [&str; 4] = ["orders", "country", "tags", "orders"];

/// What reading `line` whole gives: per column its value, the id text, or `None` when the
/// line is not a JSON object.
fn whole(line: &[u8]) -> Option<(Vec<Option<Value>>, String)> {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(line) else { return None };
    let cells = COLUMNS.iter().map(|c| object.get(*c).cloned()).collect();
    Some((cells, json_id(object.get("id"))))
}

fn cell_by_cell(line: &[u8]) -> Option<(Vec<Option<Value>>, String)> {
    let wanted = Wanted::new(COLUMNS, "id");
    let mut cells = JsonCells::default();
    wanted.read(line, &mut cells)?;
    let values = cells
        .cells
        .iter()
        .map(|cell| {
            cell.as_ref().map(|cell| match cell {
                Cell::Text(text) => Value::String(text.to_string()),
                Cell::Number(text) => Value::Number(text.parse().expect("a number's text")),
                Cell::Other(value) => value.clone(),
            })
        })
        .collect();
    Some((values, Cell::id(cells.id.as_ref()).into_owned()))
}

fn assert_same(line: &[u8]) {
    assert_eq!(cell_by_cell(line), whole(line), "line: {:?}", String::from_utf8_lossy(line));
}

#[test]
fn crafted_records_read_as_whole_values_do() {
    for line in [
        r#"{"id": "C1", "orders": 3, "country": "US"}"#,
        r#"  {"id": " C2 ", "orders": "3", "country": null, "extra": {"a": [1, 2]}}"#,
        r#"{"id": 7, "orders": 1.5e3, "tags": ["a", "b", null, 4], "country": "D\u00e9"}"#,
        r#"{"id": 7.50, "orders": -0, "country": "say \"hi\"", "country": "later wins"}"#,
        r#"{"id": true, "orders": 18446744073709551615, "tags": {"nested": true}}"#,
        r#"{"or\u0064ers": 2, "id": null}"#,
        r#"{}"#,
        r#"{"id": "x", "orders": 1e400}"#,
        r#"{"id": "x", "unread": 1e400}"#,
        r#"{"id": "x"} trailing"#,
        r#"{"id": "x",}"#,
        r#"[{"id": "x"}]"#,
        r#""text""#,
        r#"{"id": "x", "orders": 2"#,
        "{\"id\": \"\u{4e2d}\u{6587}\", \"country\": \"\u{3000}CN\u{3000}\"}",
    ] {
        assert_same(line.as_bytes());
    }
    assert_same(b"{\"id\": \"x\", \"unread\": \"\xff\"}");
}

impl Cases {
    fn record(&mut self) -> Vec<u8> {
        let mut text = String::from("{");
        for i in 0..self.below(7) {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(self.pick(&[
                "\"id\"",
                "\"orders\"",
                "\"country\"",
                "\"tags\"",
                "\"other\"",
                "\"ord\\u0065rs\"",
            ]));
            text.push_str(": ");
            text.push_str(self.pick(&[
                "\"US\"",
                "\" C9 \"",
                "\"a\\\"b\"",
                "\"\\u00e9\"",
                "3",
                "-2.50",
                "1e3",
                "12345678901234567890",
                "true",
                "null",
                "[1, \"x\", null]",
                "{\"k\": [true]}",
                "\"\"",
            ]));
        }
        text.push('}');
        let mut bytes = text.into_bytes();
        // Some records are broken: a byte changed, or cut short.
        match self.below(8) {
            0 if !bytes.is_empty() => {
                let at = self.below(bytes.len());
                bytes[at] = b"{}[],:\"x \\"[self.below(10)];
            }
            1 => bytes.truncate(self.below(bytes.len() + 1)),
            _ => {}
        }
        bytes
    }
}

#[test]
fn generated_records_read_as_whole_values_do() {
    let mut cases = Cases::new(0x2545_f491_4f6c_dd1d);
    for _ in 0..20_000 {
        assert_same(&cases.record());
    }
}
