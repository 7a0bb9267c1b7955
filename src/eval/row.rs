//! One record's values, typed and ready for evaluation: a value per slot, and the text of
//! text and list slots in one reusable buffer, so filling a row for the next record
//! allocates nothing once the buffers have grown.

use crate::cell::{is_missing_word, loose_number, parse_bool, parse_date, CellRules, DateOrder};
use crate::check::typed::Ty;
use crate::date::{self, Day};
use crate::decimal::Decimal;
pub use crate::program::CellForm;

/// A slot's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val {
    Missing,
    Num(Decimal),
    Date(Day),
    Bool(bool),
    /// Text (or a list's raw text) as a byte range of [`Row`]'s text buffer.
    Text(u32, u32),
}

/// The values of one record.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub(crate) vals: Vec<Val>,
    pub(crate) text: Vec<u8>,
}

/// A number cell: the export forms first (`1,234.5`), then the ways people write numbers
/// by hand (`$12,400`, `15%`, `(500)`).
fn read_number(cell: &[u8], rules: &CellRules) -> Option<Decimal> {
    let strict = (!rules.decimal_comma).then(|| Decimal::parse_bytes(cell)).flatten();
    strict.or_else(|| std::str::from_utf8(cell).ok().and_then(|text| loose_number(text, rules.decimal_comma)))
}

/// Whether a text cell starts and ends with a printable ASCII character: nothing to trim,
/// and no word for "no value" (those are for typed fields, or declared by the ruleset).
#[inline]
fn plain_ends(cell: &[u8]) -> bool {
    let printable = |b: &u8| b.is_ascii_graphic();
    cell.first().is_some_and(printable) && cell.last().is_some_and(printable)
}

/// Why a cell could not be read as its field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadCell;

impl Row {
    /// A row of `slots` missing values.
    pub fn new(slots: usize) -> Row {
        Row { vals: vec![Val::Missing; slots], text: Vec::new() }
    }

    /// Makes every value missing again, keeping the buffers.
    pub fn reset(&mut self) {
        self.vals.iter_mut().for_each(|v| *v = Val::Missing);
        self.text.clear();
    }

    /// The value of a slot.
    pub fn get(&self, slot: usize) -> Val {
        self.vals.get(slot).copied().unwrap_or(Val::Missing)
    }

    /// A slot's value as the interpreter sees it.
    pub fn value(&self, slot: usize) -> crate::check::interpret::Value {
        use crate::check::interpret::Value;
        match self.get(slot) {
            Val::Missing => Value::Missing,
            Val::Num(n) => Value::Number(n),
            Val::Date(d) => Value::Date(d),
            Val::Bool(b) => Value::Truth(crate::check::tri::Tri::from_bool(b)),
            val @ Val::Text(..) => self.text_of(val).map_or(Value::Missing, |t| Value::Text(t.to_string())),
        }
    }

    /// The text of a text value.
    pub fn text_of(&self, val: Val) -> Option<&str> {
        match val {
            Val::Text(start, end) => std::str::from_utf8(&self.text[start as usize..end as usize]).ok(),
            _ => None,
        }
    }

    /// Sets a slot from a cell's text, parsed as `ty` (`None`: kept as text) by the plain
    /// rules (no declared date order, no extra missing words). An empty cell, after
    /// trimming, is missing; a cell that does not parse is missing too, and reported by the
    /// `Err`.
    pub fn set_cell(&mut self, slot: usize, ty: Option<Ty>, cell: &str) -> Result<(), BadCell> {
        self.read_cell(
            slot,
            CellForm { ty, dates: DateOrder::YearFirst },
            &CellRules::default(),
            cell.as_bytes(),
        )
    }

    /// Sets a slot from a cell's bytes, known to be valid UTF-8 (its chunk was checked
    /// whole), read as `form` with the ruleset's `rules`: see [`crate::cell`] for the forms.
    #[inline(always)]
    pub fn read_cell(
        &mut self,
        slot: usize,
        form: CellForm,
        rules: &CellRules,
        cell: &[u8],
    ) -> Result<(), BadCell> {
        // Most number and date cells are plainly written, with nothing to trim; most text
        // cells too (printable ASCII at both ends, and no missing words of the ruleset's
        // own to look for); an empty cell is missing whatever its type.
        let plain = match form.ty {
            _ if cell.is_empty() => Some(Val::Missing),
            Some(Ty::Number) if !rules.decimal_comma => Decimal::parse_plain(cell).map(Val::Num),
            Some(Ty::Date) => date::parse_iso(cell).map(Val::Date),
            Some(Ty::Text) | None if rules.missing.is_empty() && plain_ends(cell) => Some(self.push_bytes(cell)),
            _ => None,
        };
        match plain {
            Some(value) => {
                self.vals[slot] = value;
                Ok(())
            }
            None => self.read_trimmed(slot, form, rules, cell),
        }
    }

    /// The one set of cell rules: trimmed (white space of any script), empty or a word
    /// for "no value" is missing, else parsed as the form's type. Kept out of line, so
    /// that the plain path above stays small where it is inlined.
    #[inline(never)]
    fn read_trimmed(
        &mut self,
        slot: usize,
        form: CellForm,
        rules: &CellRules,
        cell: &[u8],
    ) -> Result<(), BadCell> {
        let mut cell = cell.trim_ascii();
        // Other white space (the full-width space) needs the text's characters.
        if cell.first().is_some_and(|b| !b.is_ascii()) || cell.last().is_some_and(|b| !b.is_ascii()) {
            match std::str::from_utf8(cell) {
                Ok(text) => cell = text.trim().as_bytes(),
                Err(_) => return Err(BadCell),
            }
        }
        let typed = matches!(form.ty, Some(Ty::Number | Ty::Date | Ty::Bool));
        let value = if cell.is_empty() || typed && is_missing_word(cell) || rules.declared_missing(cell) {
            Val::Missing
        } else {
            match form.ty {
                Some(Ty::Number) => read_number(cell, rules).map(Val::Num).ok_or(BadCell)?,
                Some(Ty::Date) => parse_date(cell, form.dates).map(Val::Date).ok_or(BadCell)?,
                Some(Ty::Bool) => {
                    std::str::from_utf8(cell).ok().and_then(parse_bool).map(Val::Bool).ok_or(BadCell)?
                }
                Some(Ty::Text | Ty::List) | None => self.push_bytes(cell),
            }
        };
        self.vals[slot] = value;
        Ok(())
    }

    /// Sets a slot directly.
    pub fn set(&mut self, slot: usize, value: Val) {
        self.vals[slot] = value;
    }

    /// Stores text in the buffer and returns its value.
    pub fn push_text(&mut self, text: &str) -> Val {
        self.push_bytes(text.as_bytes())
    }

    /// Stores text (known to be UTF-8) in the buffer and returns its value.
    pub(crate) fn push_bytes(&mut self, text: &[u8]) -> Val {
        let start = self.text.len() as u32;
        self.text.extend_from_slice(text);
        Val::Text(start, self.text.len() as u32)
    }
}
