//! Evaluating: a compiled [`Program`] over one record's values ([`Row`]) → an [`Outcome`]
//! (a segment per dimension, the tags that apply). Logic is three-valued, as in SQL: a
//! comparison touching a missing value is unknown, `false and unknown` is false, `true or
//! unknown` is true, and a segment applies only where its condition is true.

mod evaluator;
mod row;

pub use evaluator::{CellError, Evaluator};

pub use crate::cell::{list_items, parse_bool};
pub use crate::check::tri::Tri;
#[cfg(feature = "unstable-internals")]
pub use row::BadCell;
pub use row::{Row, Val};

/// Stack for each thread that evaluates conditions (customers, and events' `where`
/// filters): conditions are walked recursively, and the checker bounds their depth, so
/// this leaves a wide margin.
pub(crate) const WORKER_STACK: usize = 8 << 20;

use crate::check::typed::CmpOp;
use crate::date::Day;
use crate::decimal::Decimal;
use crate::program::*;
use std::cmp::Ordering;

/// What the rules gave one customer: per dimension the index of its segment among the
/// dimension's segments, `otherwise` last (or none), and the indices of the tags that
/// apply. [`Program::segment_name`] and [`Program::tag_names`] put them into names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub segments: Vec<Option<u16>>,
    pub tags: Vec<u16>,
}

impl Program {
    /// Evaluates every dimension and tag for one row, reusing `out`'s buffers. Rules may
    /// read the segments of the dimensions above them: each is put in the row once decided.
    pub(crate) fn evaluate(&self, row: &mut Row, out: &mut Outcome) {
        out.segments.clear();
        out.tags.clear();
        for dimension in &self.dimensions {
            let (hit, rest) = match &dimension.lookup {
                Some(lookup) => {
                    let hit = match row.vals[lookup.slot as usize] {
                        Val::Text(start, end) => lookup.table.get(&row.text[start as usize..end as usize]),
                        _ => None,
                    };
                    (hit, lookup.rules)
                }
                None => (None, 0),
            };
            let hit = hit.or_else(|| {
                let later = dimension.rules[rest..].iter().position(|c| self.test_leaf(c, row) == Tri::True);
                later.map(|i| (i + rest) as u16)
            });
            out.segments.push(hit.or(dimension.otherwise));
            if !self.places.is_empty() {
                self.publish(out.segments.len() - 1, hit.or(dimension.otherwise), row);
            }
        }
        for (i, tag) in self.tags.iter().enumerate() {
            if self.test_leaf(&tag.condition, row) == Tri::True {
                out.tags.push(i as u16);
            }
        }
    }

    /// Gives the row the customer's places at the previous run, before evaluating:
    /// `previous(…)` its segment, `days_in(…)` the day it entered it (turned into days once
    /// the dimension is decided).
    pub(crate) fn fill_places(&self, memberships: &crate::membership::Memberships, id: &str, row: &mut Row) {
        use crate::check::FieldSource::{DaysIn, Previous};
        for &(slot, source) in &self.places {
            match source {
                Previous(d) => {
                    if let Some(stay) = memberships.previous(d, id) {
                        let text = row.push_text(memberships.name(&stay));
                        row.vals[slot] = text;
                    }
                }
                DaysIn(d) => {
                    if let Some(stay) = memberships.previous(d, id) {
                        row.vals[slot] = Val::Date(stay.entered);
                    }
                }
                _ => {}
            }
        }
    }

    /// Puts a decided dimension's segment where later rules read it: the segment's name,
    /// and the days the customer has been in it (0 when it just entered; missing without a
    /// segment or a history that knows the customer).
    fn publish(&self, dimension: usize, segment: Option<u16>, row: &mut Row) {
        use crate::check::FieldSource::{DaysIn, Dimension, Previous};
        let name = segment.and_then(|s| self.dimensions[dimension].names.get(s as usize));
        for &(slot, source) in &self.places {
            match source {
                Dimension(d) if d == dimension => {
                    row.vals[slot] = name.map_or(Val::Missing, |n| row.push_text(n));
                }
                DaysIn(d) if d == dimension => {
                    let previous =
                        self.places.iter().find(|(_, s)| *s == Previous(d)).map(|(s, _)| row.vals[*s]);
                    let stayed = match (previous, name) {
                        (Some(p @ Val::Text(..)), Some(n)) => row.text_of(p) == Some(n.as_str()),
                        _ => false,
                    };
                    row.vals[slot] = match (name, row.vals[slot]) {
                        (None, _) => Val::Missing,
                        (Some(_), Val::Date(entered)) if stayed => {
                            Val::Num(Decimal::from_int(i64::from(self.as_of) - i64::from(entered)))
                        }
                        (Some(_), _) => Val::Num(Decimal::ZERO),
                    };
                }
                _ => {}
            }
        }
    }

    /// The segment name a dimension gave, if any.
    pub fn segment_name(&self, dimension: usize, outcome: &Outcome) -> Option<&str> {
        let index = (*outcome.segments.get(dimension)?)?;
        self.dimensions[dimension].names.get(index as usize).map(String::as_str)
    }

    /// The names of the tags that apply, in ruleset order.
    pub fn tag_names<'a>(&'a self, outcome: &'a Outcome) -> impl Iterator<Item = &'a str> + 'a {
        outcome.tags.iter().map(|&i| self.tags[i as usize].name.as_str())
    }

    /// The commonest conditions, inline; the rest through [`Program::test`]. Most rules
    /// are a field against a constant, and a call per leaf costs more than the leaf.
    #[inline(always)]
    fn test_leaf(&self, cond: &Cond, row: &Row) -> Tri {
        match cond {
            Cond::NumSlotConst(s, bounds) => match row.vals[*s as usize] {
                Val::Num(n) => Tri::from_bool(bounds.holds(n)),
                _ => Tri::Unknown,
            },
            Cond::DateSlotConst(s, bounds) => match row.vals[*s as usize] {
                Val::Date(d) => Tri::from_bool(bounds.holds(d)),
                _ => Tri::Unknown,
            },
            Cond::NumSlotScaled(op, a, b, factor) => match (row.vals[*a as usize], row.vals[*b as usize]) {
                (Val::Num(a), Val::Num(b)) => factor.times(b).map_or(Tri::Unknown, |b| compare(*op, a.cmp(&b))),
                _ => Tri::Unknown,
            },
            Cond::InText { value: TextExpr::Slot(s), set, negated } => match row.vals[*s as usize] {
                Val::Text(start, end) => {
                    Tri::from_bool(set.contains(&row.text[start as usize..end as usize]) != *negated)
                }
                _ => Tri::Unknown,
            },
            Cond::And(parts) => self.all(parts, row),
            Cond::AllRanges(ranges) => all_ranges(ranges, row),
            _ => self.test(cond, row),
        }
    }

    /// `a and b and …`: a small function of its own, so the common conjunction of leaves
    /// does not pay for the general one's frame.
    #[inline(never)]
    fn all(&self, parts: &[Cond], row: &Row) -> Tri {
        let mut result = Tri::True;
        for part in parts {
            result = result.min(self.test_leaf(part, row));
            if result == Tri::False {
                break;
            }
        }
        result
    }

    /// Evaluates one condition.
    pub(crate) fn test(&self, cond: &Cond, row: &Row) -> Tri {
        match cond {
            Cond::Const(b) => Tri::from_bool(*b),
            Cond::BoolSlot(s) => match row.vals[*s as usize] {
                Val::Bool(b) => Tri::from_bool(b),
                _ => Tri::Unknown,
            },
            Cond::NumSlotConst(..) | Cond::DateSlotConst(..) | Cond::NumSlotScaled(..) => {
                self.test_leaf(cond, row)
            }
            Cond::Num(op, a, b) => both(self.num(a, row), self.num(b, row), |x, y| compare(*op, x.cmp(&y))),
            Cond::Date(op, a, b) => {
                both(self.date(a, row), self.date(b, row), |x, y| compare(*op, x.cmp(&y)))
            }
            Cond::Text(op, a, b) => both(text(a, row), text(b, row), |x, y| compare(*op, x.cmp(y))),
            Cond::Bool(op, a, b) => match (self.test(a, row), self.test(b, row)) {
                (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
                (x, y) => compare(*op, x.cmp(&y)),
            },
            Cond::InText { value, set, negated } => {
                member(text(value, row).map(|t| set.contains(t)), *negated)
            }
            Cond::InNum { value, set, negated } => {
                member(self.num(value, row).map(|n| set.contains(&n)), *negated)
            }
            Cond::InDate { value, set, negated } => {
                member(self.date(value, row).map(|d| set.contains(&d)), *negated)
            }
            Cond::Contains { list, item } => match (row.vals[*list as usize], text(item, row)) {
                (Val::Text(start, end), Some(item)) => {
                    Tri::from_bool(list_items(&row.text[start as usize..end as usize]).any(|i| i == item))
                }
                _ => Tri::Unknown,
            },
            Cond::Missing { value, negated } => {
                let missing = match &**value {
                    AnyExpr::Slot(s) => row.vals[*s as usize] == Val::Missing,
                    AnyExpr::Num(n) => self.num(n, row).is_none(),
                    AnyExpr::Date(d) => self.date(d, row).is_none(),
                    AnyExpr::Text(t) => text(t, row).is_none(),
                    AnyExpr::Cond(c) => self.test(c, row) == Tri::Unknown,
                };
                Tri::from_bool(missing != *negated)
            }
            Cond::Not(c) => !self.test(c, row),
            Cond::And(parts) => self.all(parts, row),
            Cond::AllRanges(ranges) => all_ranges(ranges, row),
            Cond::Or(parts) => {
                let mut result = Tri::False;
                for part in parts {
                    result = result.max(self.test_leaf(part, row));
                    if result == Tri::True {
                        break;
                    }
                }
                result
            }
        }
    }

    /// A number, or `None` when missing or undefined (division by zero, overflow).
    #[inline]
    pub(crate) fn num(&self, n: &Num, row: &Row) -> Option<Decimal> {
        match n {
            Num::Slot(s) => match row.vals[*s as usize] {
                Val::Num(v) => Some(v),
                _ => None,
            },
            Num::Const(c) => Some(*c),
            _ => num(n, row, self.as_of),
        }
    }

    /// A date, or `None` when missing.
    pub(crate) fn date(&self, d: &DateExpr, row: &Row) -> Option<Day> {
        match d {
            DateExpr::Const(day) => Some(*day),
            DateExpr::Slot(s) => match row.vals[*s as usize] {
                Val::Date(day) => Some(day),
                _ => None,
            },
        }
    }
}

/// `a and b and …` of number fields against literals: false at the first value outside
/// its range, else unknown if a value is missing, else true.
#[inline(never)]
fn all_ranges(ranges: &[(Slot, Bounds<Decimal>)], row: &Row) -> Tri {
    let mut result = Tri::True;
    for (slot, bounds) in ranges {
        match row.vals[*slot as usize] {
            Val::Num(n) if !bounds.holds(n) => return Tri::False,
            Val::Num(_) => {}
            _ => result = Tri::Unknown,
        }
    }
    result
}

fn num(n: &Num, row: &Row, as_of: Day) -> Option<Decimal> {
    let number = |s: Slot| match row.vals[s as usize] {
        Val::Num(v) => Some(v),
        _ => None,
    };
    let date = |s: Slot| match row.vals[s as usize] {
        Val::Date(day) => Some(day),
        _ => None,
    };
    n.value(&number, &date, as_of)
}

fn text<'r>(t: &'r TextExpr, row: &'r Row) -> Option<&'r [u8]> {
    match t {
        TextExpr::Const(c) => Some(c),
        TextExpr::Slot(s) => match row.vals[*s as usize] {
            Val::Text(start, end) => Some(&row.text[start as usize..end as usize]),
            _ => None,
        },
    }
}

#[inline]
fn compare(op: CmpOp, ordering: Ordering) -> Tri {
    Tri::from_bool(op.holds(ordering))
}

#[inline]
fn both<T>(a: Option<T>, b: Option<T>, f: impl FnOnce(T, T) -> Tri) -> Tri {
    match (a, b) {
        (Some(x), Some(y)) => f(x, y),
        _ => Tri::Unknown,
    }
}

#[inline]
fn member(found: Option<bool>, negated: bool) -> Tri {
    match found {
        Some(hit) => Tri::from_bool(hit != negated),
        None => Tri::Unknown,
    }
}

#[cfg(test)]
mod tests;
