//! The cells of one JSON record that the rules read, taken from the record's text without
//! building the whole object: text values are borrowed from the line, keys the rules do
//! not read are parsed and dropped, and nothing is allocated for a plain record. Values
//! are parsed by serde_json exactly as they are for a whole [`Value`], so a record reads
//! the same either way; the whole-object path remains for what needs every key (scripts,
//! `--keep-columns`, the first record's keys for suggestions).

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// A value the rules read: text as it stands in the line (unescaped where it had escapes),
/// a number by the text it was written with (so that none is rounded), anything else as a
/// JSON value (booleans and null need no allocation).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'de> {
    Text(Cow<'de, str>),
    Number(Cow<'de, str>),
    Other(Value),
}

/// The key under which serde_json hands over a number's text (its `arbitrary_precision`).
const NUMBER_KEY: &str = "$serde_json::private::Number";

/// Where the keys the rules read go: one place per column, and the id.
#[derive(Debug, Default)]
pub struct JsonCells<'de> {
    /// Per column (slot), its value in the current record, if the record has the key.
    pub cells: Vec<Option<Cell<'de>>>,
    /// The id key's value, if the record has it.
    pub id: Option<Cell<'de>>,
}

/// The keys to keep: each column the rules read, with its slot, and the id key.
pub struct Wanted<'p> {
    columns: Vec<(&'p str, usize)>,
    id: &'p str,
}

impl Cell<'_> {
    /// The record's id as text, as [`json_id`](super::json::json_id) gives it for the
    /// whole value: text trimmed, a number as written, none empty.
    pub fn id<'a>(cell: Option<&'a Cell<'_>>) -> Cow<'a, str> {
        match cell {
            Some(Cell::Text(text)) => Cow::Borrowed(text.trim()),
            Some(Cell::Number(text)) => Cow::Borrowed(text),
            Some(Cell::Other(value)) => Cow::Owned(super::json::json_id(Some(value))),
            None => Cow::Borrowed(""),
        }
    }
}

impl<'p> Wanted<'p> {
    /// Keeps `columns` (the slots' columns, in slot order) and the `id` key.
    pub fn new(columns: impl IntoIterator<Item = &'p str>, id: &'p str) -> Wanted<'p> {
        Wanted { columns: columns.into_iter().enumerate().map(|(slot, c)| (c, slot)).collect(), id }
    }

    /// Reads one JSON object (the whole of `line`) into `into`; `None` if the line is not
    /// a JSON object or not JSON at all, which the whole-value path then reports.
    pub fn read<'de>(&self, line: &'de [u8], into: &mut JsonCells<'de>) -> Option<()> {
        if line.trim_ascii_start().first() != Some(&b'{') {
            return None;
        }
        into.cells.clear();
        into.cells.resize(self.columns.len(), None);
        into.id = None;
        let mut de = serde_json::Deserializer::from_slice(line);
        (&mut de).deserialize_map(RecordVisitor { wanted: self, into }).ok()?;
        de.end().ok()
    }
}

struct RecordVisitor<'a, 'p, 'de> {
    wanted: &'a Wanted<'p>,
    into: &'a mut JsonCells<'de>,
}

impl<'de> Visitor<'de> for RecordVisitor<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Keys are borrowed from the line too (a `Cow<str>` key would be a new string).
        while let Some(key) = map.next_key_seed(CellSeed)? {
            // Every value is parsed as a whole value would be, kept or not; a later
            // duplicate key wins, as in a JSON object read whole.
            let cell = map.next_value_seed(CellSeed)?;
            let Cell::Text(key) = key else { continue };
            if key == self.wanted.id {
                self.into.id = Some(cell.clone());
            }
            // Two fields may read one column.
            for &(_, slot) in self.wanted.columns.iter().filter(|(column, _)| *column == key) {
                self.into.cells[slot] = Some(cell.clone());
            }
        }
        Ok(())
    }
}

/// Parses one value into a [`Cell`].
struct CellSeed;

impl<'de> DeserializeSeed<'de> for CellSeed {
    type Value = Cell<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cell<'de>, D::Error> {
        deserializer.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Cell<'de>, E> {
        Ok(Cell::Text(Cow::Borrowed(text)))
    }

    fn visit_str<E>(self, text: &str) -> Result<Cell<'de>, E> {
        Ok(Cell::Text(Cow::Owned(text.to_string())))
    }

    fn visit_string<E>(self, text: String) -> Result<Cell<'de>, E> {
        Ok(Cell::Text(Cow::Owned(text)))
    }

    fn visit_bool<E>(self, b: bool) -> Result<Cell<'de>, E> {
        Ok(Cell::Other(Value::Bool(b)))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Cell<'de>, E> {
        Ok(Cell::Other(Value::from(n)))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Cell<'de>, E> {
        Ok(Cell::Other(Value::from(n)))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Cell<'de>, E> {
        // serde_json gives only finite numbers; a whole value holds them the same way.
        Ok(Cell::Other(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)))
    }

    fn visit_unit<E>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Other(Value::Null))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Cell<'de>, A::Error> {
        let value = serde::Deserialize::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Cell::Other(value))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Cell<'de>, A::Error> {
        // A number arrives as a one-entry map holding its text; an object is built as a
        // whole value builds it (a later duplicate key wins).
        let mut object = serde_json::Map::new();
        let Some(first) = map.next_key::<Cow<'de, str>>()? else {
            return Ok(Cell::Other(Value::Object(object)));
        };
        if first == NUMBER_KEY {
            return Ok(Cell::Number(Cow::Owned(map.next_value::<String>()?)));
        }
        object.insert(first.into_owned(), map.next_value()?);
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            object.insert(key, value);
        }
        Ok(Cell::Other(Value::Object(object)))
    }
}

#[cfg(test)]
mod tests;
