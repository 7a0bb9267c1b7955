//! The compiled form of a ruleset: conditions as trees specialised by type, fields as
//! slot numbers, literals parsed, dates as day numbers, `in` lists as sets. Evaluating a
//! record touches no names and allocates nothing. [`crate::compile`] writes it and
//! [`crate::eval`] reads it; neither needs the other.

use crate::check::typed::{CmpOp, Ty};
use crate::date::Day;
use crate::decimal::{Decimal, Factor};
use std::collections::HashSet;

/// Index of a field's value in a [`crate::eval::Row`].
pub type Slot = u16;

/// A compiled ruleset bound to one data layout, ready to evaluate records.
#[derive(Debug, Clone)]
pub struct Program {
    /// One per field: what to read and how to parse it.
    pub(crate) slots: Vec<SlotSpec>,
    pub(crate) dimensions: Vec<CompiledDimension>,
    pub(crate) tags: Vec<CompiledSegment>,
    /// The as-of date every time-relative rule uses.
    pub(crate) as_of: Day,
    /// Position of the id column in the data, when the layout is known (CSV).
    pub(crate) id_column: Option<usize>,
    /// The id column's name.
    pub(crate) id_name: String,
    /// The number of columns in a CSV header, to check each row against.
    pub(crate) header_width: Option<usize>,
    /// The CSV header's columns (empty for JSON).
    pub(crate) header: Vec<String>,
    /// Aggregates over event history; each fills the slot `aggregate_base + i`.
    pub(crate) aggregates: Vec<CompiledAggregate>,
    /// The first aggregate slot (the number of field slots).
    pub(crate) aggregate_base: usize,
    /// The event streams aggregates read, with the columns each needs.
    pub(crate) streams: Vec<StreamSpec>,
    /// The ruleset's and the run's additions to how cells are read.
    pub(crate) cells: crate::cell::CellRules,
    /// Field slots that hold a customer's place rather than a column: a dimension's
    /// segment (set as the dimension is decided), the segment at the previous run and the
    /// days in the current one (filled from the membership history).
    pub(crate) places: Vec<(usize, crate::check::FieldSource)>,
}

impl Program {
    /// The as-of date the program was compiled for.
    pub fn as_of(&self) -> Day {
        self.as_of
    }

    /// The column a slot (a field, numbered as [`crate::eval::CellError::slot`]) reads.
    pub fn slot_column(&self, slot: usize) -> &str {
        self.slots.get(slot).map_or("", |s| s.column.as_str())
    }
}

/// An event stream's needs: its name and the columns aggregates read from each event.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSpec {
    pub name: String,
    /// Slots of an event row; `column` is the event file's column.
    pub slots: Vec<SlotSpec>,
}

/// An aggregate, ready to accumulate events.
#[derive(Debug, Clone)]
pub struct CompiledAggregate {
    /// Index into the program's event streams.
    pub stream: usize,
    pub function: crate::check::typed::AggFn,
    /// `None` for the event's date; else a slot of the event row.
    pub value: Option<Slot>,
    /// Keeps the events for which it is true; over the event row.
    pub filter: Option<Cond>,
    /// Events dated after `after` (if any) and on or before `until` count.
    pub after: Option<Day>,
    pub until: Day,
    /// A number, or a date.
    pub ty: Ty,
}

/// How a slot's cells are read: the field's type and, for dates, the declared order of
/// day and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellForm {
    pub ty: Option<Ty>,
    pub dates: crate::cell::DateOrder,
}

/// Where a slot's value comes from and its type.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotSpec {
    /// The field's name in the rules.
    pub field: String,
    /// The column header or JSON key.
    pub column: String,
    /// Position in a CSV header; `None` for JSON (looked up by key) or an absent column.
    pub index: Option<usize>,
    /// `None`: only tested with `is missing` / `is present`.
    pub ty: Option<Ty>,
    /// The declared order of day and month in its dates.
    pub dates: crate::cell::DateOrder,
}

impl SlotSpec {
    /// How the slot's cells are read.
    pub fn form(&self) -> CellForm {
        CellForm { ty: self.ty, dates: self.dates }
    }
}

/// A dimension: segments tried in order, first true wins.
#[derive(Debug, Clone)]
pub struct CompiledDimension {
    pub name: String,
    pub title: Option<String>,
    /// Segment names by index; `otherwise` last if present.
    pub names: Vec<String>,
    pub rules: Vec<Cond>,
    /// Index into `names` of the `otherwise` segment.
    pub otherwise: Option<u16>,
    /// The leading rules as one table, when they all test one text field against lists.
    pub lookup: Option<Lookup>,
}

/// A dimension's leading rules when each is `field in [...]` on the same text field
/// (`country in ["US", "CA"]`, `country in ["BR", "CO"]`, …), merged into one table from
/// each listed text to the first of those rules that lists it: finding the segment is one
/// lookup however many segments there are. A missing value, or one no list has, falls
/// through to the rules after them.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub slot: Slot,
    /// How many leading rules the table stands for.
    pub rules: usize,
    pub table: TextTable,
}

impl Lookup {
    /// The table for a dimension's rules, if at least two lead with the shape it needs.
    pub fn build(rules: &[Cond]) -> Option<Lookup> {
        let slot = match rules.first()? {
            Cond::InText { value: TextExpr::Slot(slot), negated: false, .. } => *slot,
            _ => return None,
        };
        let mut entries: Vec<(Vec<u8>, u16)> = Vec::new();
        let mut count = 0;
        for rule in rules {
            let Cond::InText { value: TextExpr::Slot(s), set, negated: false } = rule else { break };
            if *s != slot {
                break;
            }
            for item in set.items() {
                if !entries.iter().any(|(known, _)| *known == item) {
                    entries.push((item, count as u16));
                }
            }
            count += 1;
        }
        (count >= 2).then(|| Lookup { slot, rules: count, table: TextTable::new(&entries) })
    }
}

/// Texts mapped to rule indices: packed into integers and looked up in a table of their
/// own when every text is short, hashed as bytes otherwise.
#[derive(Debug, Clone)]
pub enum TextTable {
    Packed(PackedTable),
    Hashed(std::collections::HashMap<Box<[u8]>, u16>),
}

/// Packed texts (up to seven bytes and their length in one integer) mapped to rule
/// indices, open-addressed: a multiplication, a shift and mostly one look, where a binary
/// search's steps each wait for the one before (six of them for every record of the seed
/// workload, over its 52 country codes).
#[derive(Debug, Clone)]
pub struct PackedTable {
    /// A power of two of places, at most half of them used: a key's place is found by
    /// its hash, or the next free one after it.
    places: Box<[(u64, u16)]>,
    /// How far a key's hash is shifted right to index `places`.
    shift: u32,
}

/// An unused place: no packed key has it, as a packed key's top byte is its length (at
/// most 7).
const NO_KEY: u64 = u64::MAX;

impl PackedTable {
    /// A table of `entries`; of a key listed twice, the first index counts.
    pub(crate) fn new(entries: &[(u64, u16)]) -> PackedTable {
        let size = (entries.len() * 2).next_power_of_two().max(4);
        let shift = 64 - size.trailing_zeros();
        let mut places = vec![(NO_KEY, 0); size].into_boxed_slice();
        for &(key, index) in entries {
            let mut at = place_of(key, shift);
            while places[at].0 != NO_KEY && places[at].0 != key {
                at = (at + 1) & (size - 1);
            }
            if places[at].0 == NO_KEY {
                places[at] = (key, index);
            }
        }
        PackedTable { places, shift }
    }

    /// The index listed for a packed key.
    #[inline]
    pub fn get(&self, key: u64) -> Option<u16> {
        let mask = self.places.len() - 1;
        let mut at = place_of(key, self.shift);
        loop {
            let (known, index) = self.places[at];
            if known == key {
                return Some(index);
            }
            if known == NO_KEY {
                return None;
            }
            at = (at + 1) & mask;
        }
    }
}

/// Where a packed key's search starts: Fibonacci hashing, the product's top bits.
#[inline]
fn place_of(key: u64, shift: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

impl TextTable {
    fn new(entries: &[(Vec<u8>, u16)]) -> TextTable {
        let packed: Option<Vec<(u64, u16)>> = entries.iter().map(|(t, i)| pack(t).map(|k| (k, *i))).collect();
        match packed {
            Some(keys) => TextTable::Packed(PackedTable::new(&keys)),
            None => TextTable::Hashed(entries.iter().map(|(t, i)| (t.as_slice().into(), *i)).collect()),
        }
    }

    /// The rule index listed for `text`.
    #[inline]
    pub fn get(&self, text: &[u8]) -> Option<u16> {
        match self {
            TextTable::Packed(table) => table.get(pack(text)?),
            TextTable::Hashed(map) => map.get(text).copied(),
        }
    }
}

/// A tag.
#[derive(Debug, Clone)]
pub struct CompiledSegment {
    pub name: String,
    pub condition: Cond,
}

/// A comparison of a value with a constant as a range of the values it holds for:
/// `low ≤ value ≤ high`, or outside it when not `inside` (`!=`). Two comparisons, and no
/// dispatch on the operator for every record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds<T> {
    /// The range's least value; above `high` when no value is in it.
    pub low: T,
    /// The range's greatest value.
    pub high: T,
    /// Whether the comparison holds inside the range (`false` for `!=`: outside it).
    pub inside: bool,
}

impl<T: Ord + Copy> Bounds<T> {
    /// The values `value OP constant` holds for, given the least and greatest values and
    /// the constant's neighbours (`None` past either end).
    pub fn of(op: CmpOp, constant: T, [least, greatest]: [T; 2], below: Option<T>, above: Option<T>) -> Bounds<T> {
        // No value: low above high.
        let none = Bounds { low: greatest, high: least, inside: true };
        let range = |low, high| Bounds { low, high, inside: true };
        match op {
            CmpOp::Eq => range(constant, constant),
            CmpOp::Ne => Bounds { low: constant, high: constant, inside: false },
            CmpOp::Lt => below.map_or(none, |below| range(least, below)),
            CmpOp::Le => range(least, constant),
            CmpOp::Gt => above.map_or(none, |above| range(above, greatest)),
            CmpOp::Ge => range(constant, greatest),
        }
    }

    /// Whether `value` is among the values the comparison holds for.
    #[inline(always)]
    pub fn holds(&self, value: T) -> bool {
        (self.low <= value && value <= self.high) == self.inside
    }
}

impl Bounds<Decimal> {
    /// `number OP constant`.
    pub fn number(op: CmpOp, constant: Decimal) -> Bounds<Decimal> {
        Bounds::of(op, constant, [Decimal::MIN, Decimal::MAX], constant.next_down(), constant.next_up())
    }
}

impl Bounds<Day> {
    /// `date OP constant`.
    pub fn day(op: CmpOp, constant: Day) -> Bounds<Day> {
        Bounds::of(op, constant, [Day::MIN, Day::MAX], constant.checked_sub(1), constant.checked_add(1))
    }
}

/// A condition; evaluates to true, false or unknown. Its tag is a byte of its own, read
/// first by the evaluator for every condition of every record.
#[derive(Debug, Clone)]
#[repr(u8)]
pub enum Cond {
    Const(bool),
    BoolSlot(Slot),
    /// `field OP literal`, the most common shape, without the general machinery.
    NumSlotConst(Slot, Bounds<Decimal>),
    /// `field OP other_field * factor` (`revenue_12m > revenue_prev_12m * 1.2`): growth
    /// and decline between two figures, the next most common shape.
    NumSlotScaled(CmpOp, Slot, Slot, Factor),
    DateSlotConst(Slot, Bounds<Day>),
    Num(CmpOp, Num, Num),
    Date(CmpOp, DateExpr, DateExpr),
    Text(CmpOp, TextExpr, TextExpr),
    Bool(CmpOp, Box<Cond>, Box<Cond>),
    InText {
        value: TextExpr,
        set: TextSet,
        negated: bool,
    },
    InNum {
        value: Num,
        set: Vec<Decimal>,
        negated: bool,
    },
    InDate {
        value: DateExpr,
        set: Vec<Day>,
        negated: bool,
    },
    Contains {
        list: Slot,
        item: TextExpr,
    },
    Missing {
        value: Box<AnyExpr>,
        negated: bool,
    },
    Not(Box<Cond>),
    And(Vec<Cond>),
    /// `a and b and …` where every part is a number field against a literal
    /// (`inquiries >= 2 and orders == 0`): the ranges checked in one loop.
    AllRanges(Vec<(Slot, Bounds<Decimal>)>),
    Or(Vec<Cond>),
}

/// A number-valued expression.
#[derive(Debug, Clone)]
pub enum Num {
    Const(Decimal),
    Slot(Slot),
    Neg(Box<Num>),
    Add(Box<Num>, Box<Num>),
    Sub(Box<Num>, Box<Num>),
    Mul(Box<Num>, Box<Num>),
    Div(Box<Num>, Box<Num>),
    /// A product with a constant factor (`orders_12m * 2`), prepared once.
    Scale(Box<Num>, Factor),
    /// As-of date minus the date, in days.
    DaysSince(Box<DateExpr>),
}

impl Num {
    /// The number, reading slots with `number` and `date`; `None` when a value is missing
    /// or a result leaves the range. The one definition of the language's arithmetic on
    /// compiled expressions: evaluation reads a row, constant folding reads nothing.
    #[inline]
    pub fn value(
        &self,
        number: &impl Fn(Slot) -> Option<Decimal>,
        date: &impl Fn(Slot) -> Option<Day>,
        as_of: Day,
    ) -> Option<Decimal> {
        let value = |n: &Num| n.value(number, date, as_of);
        match self {
            Num::Const(c) => Some(*c),
            Num::Slot(s) => number(*s),
            Num::Neg(a) => value(a).map(|n| -n),
            Num::Add(a, b) => value(a)?.checked_add(value(b)?),
            Num::Sub(a, b) => value(a)?.checked_sub(value(b)?),
            Num::Mul(a, b) => value(a)?.checked_mul(value(b)?),
            Num::Div(a, b) => value(a)?.checked_div(value(b)?),
            Num::Scale(a, factor) => factor.times(value(a)?),
            Num::DaysSince(d) => {
                let day = match &**d {
                    DateExpr::Const(day) => *day,
                    DateExpr::Slot(s) => date(*s)?,
                };
                Some(Decimal::from_int(i64::from(as_of) - i64::from(day)))
            }
        }
    }

    /// The expression with its operation folded into one constant when every operand is
    /// one (and the result is in range).
    pub fn fold(self, as_of: Day) -> Num {
        let constant = match &self {
            Num::Neg(a) | Num::Scale(a, _) => matches!(**a, Num::Const(_)),
            Num::Add(a, b) | Num::Sub(a, b) | Num::Mul(a, b) | Num::Div(a, b) => {
                matches!(**a, Num::Const(_)) && matches!(**b, Num::Const(_))
            }
            Num::DaysSince(d) => matches!(**d, DateExpr::Const(_)),
            _ => false,
        };
        match constant.then(|| self.value(&|_| None, &|_| None, as_of)).flatten() {
            Some(value) => Num::Const(value),
            None => self,
        }
    }
}

/// A date-valued expression.
#[derive(Debug, Clone)]
pub enum DateExpr {
    Const(Day),
    Slot(Slot),
}

/// A text-valued expression.
#[derive(Debug, Clone)]
pub enum TextExpr {
    Const(Box<[u8]>),
    Slot(Slot),
}

/// Any expression, for `is missing`.
#[derive(Debug, Clone)]
pub enum AnyExpr {
    Slot(Slot),
    Num(Num),
    Date(DateExpr),
    Text(TextExpr),
    Cond(Cond),
}

/// The items of an `in [...]` list of text. Items of up to seven bytes (country codes,
/// statuses) are packed into integers and compared as such; a short list of longer items
/// is scanned, a long one hashed.
#[derive(Debug, Clone)]
pub enum TextSet {
    Packed(Vec<u64>),
    Few(Vec<Box<[u8]>>),
    Many(HashSet<Box<[u8]>>),
}

impl TextSet {
    /// A set of the given items.
    pub fn new(items: Vec<Box<[u8]>>) -> TextSet {
        if let Some(keys) = items.iter().map(|i| pack(i)).collect::<Option<Vec<u64>>>() {
            TextSet::Packed(keys)
        } else if items.len() <= 8 {
            TextSet::Few(items)
        } else {
            TextSet::Many(items.into_iter().collect())
        }
    }

    /// The items, in no particular order.
    pub fn items(&self) -> Vec<Vec<u8>> {
        match self {
            TextSet::Packed(keys) => keys.iter().map(|&k| unpack(k)).collect(),
            TextSet::Few(items) => items.iter().map(|i| i.to_vec()).collect(),
            TextSet::Many(items) => items.iter().map(|i| i.to_vec()).collect(),
        }
    }

    /// True when `item` is in the set.
    #[inline]
    pub fn contains(&self, item: &[u8]) -> bool {
        match self {
            TextSet::Packed(keys) => pack(item).is_some_and(|k| keys.contains(&k)),
            TextSet::Few(items) => items.iter().any(|i| &**i == item),
            TextSet::Many(items) => items.contains(item),
        }
    }
}

/// Up to seven bytes and their length in one integer; equal integers, equal texts.
#[inline]
pub(crate) fn pack(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 7 {
        return None;
    }
    let mut key = (bytes.len() as u64) << 56;
    for (i, &b) in bytes.iter().enumerate() {
        key |= u64::from(b) << (8 * i);
    }
    Some(key)
}

/// The bytes of a packed text.
fn unpack(key: u64) -> Vec<u8> {
    let len = (key >> 56) as usize;
    (0..len).map(|i| (key >> (8 * i)) as u8).collect()
}
