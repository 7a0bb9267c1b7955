//! Per-customer accumulators, one column per aggregate: only what each aggregate needs is
//! kept (a count, a sum, a minimum…), so memory grows with customers × aggregates, never
//! with the number of events.

use crate::check::typed::{AggFn, Ty};
use crate::compile::CompiledAggregate;
use crate::date::Day;
use crate::decimal::Decimal;
use crate::eval::Val;

/// The running state of one aggregate for every customer seen so far.
#[derive(Debug, Clone)]
pub enum Column {
    Count(Vec<u32>),
    Sum(Vec<Decimal>),
    Avg(Vec<Decimal>, Vec<u32>),
    MinNum(Vec<Option<Decimal>>),
    MaxNum(Vec<Option<Decimal>>),
    MinDay(Vec<Option<Day>>),
    MaxDay(Vec<Option<Day>>),
}

impl Column {
    /// The accumulator an aggregate needs.
    pub fn for_aggregate(aggregate: &CompiledAggregate) -> Column {
        match (aggregate.function, aggregate.ty) {
            (AggFn::Count, _) => Column::Count(Vec::new()),
            (AggFn::Sum, _) => Column::Sum(Vec::new()),
            (AggFn::Avg, _) => Column::Avg(Vec::new(), Vec::new()),
            (AggFn::Min | AggFn::First, Ty::Date) => Column::MinDay(Vec::new()),
            (AggFn::Max | AggFn::Last, Ty::Date) => Column::MaxDay(Vec::new()),
            (AggFn::Min | AggFn::First, _) => Column::MinNum(Vec::new()),
            (AggFn::Max | AggFn::Last, _) => Column::MaxNum(Vec::new()),
        }
    }

    /// Makes room for one more customer.
    pub fn grow(&mut self) {
        match self {
            Column::Count(v) => v.push(0),
            Column::Sum(v) => v.push(Decimal::ZERO),
            Column::Avg(s, c) => {
                s.push(Decimal::ZERO);
                c.push(0);
            }
            Column::MinNum(v) | Column::MaxNum(v) => v.push(None),
            Column::MinDay(v) | Column::MaxDay(v) => v.push(None),
        }
    }

    /// Adds one event's value (the event's date, or its column's value) for customer `at`.
    /// A missing value is skipped, as SQL's aggregates skip NULL; `count` counts events.
    pub fn add(&mut self, at: usize, day: Day, value: Val) {
        match (self, value) {
            (Column::Count(v), _) => v[at] = v[at].saturating_add(1),
            (Column::Sum(v), Val::Num(n)) => v[at] = v[at].checked_add(n).unwrap_or(v[at]),
            (Column::Avg(s, c), Val::Num(n)) => {
                s[at] = s[at].checked_add(n).unwrap_or(s[at]);
                c[at] = c[at].saturating_add(1);
            }
            (Column::MinNum(v), Val::Num(n)) => v[at] = Some(v[at].map_or(n, |m| m.min(n))),
            (Column::MaxNum(v), Val::Num(n)) => v[at] = Some(v[at].map_or(n, |m| m.max(n))),
            (Column::MinDay(v), value) => {
                if let Some(d) = day_of(value, day) {
                    v[at] = Some(v[at].map_or(d, |m| m.min(d)));
                }
            }
            (Column::MaxDay(v), value) => {
                if let Some(d) = day_of(value, day) {
                    v[at] = Some(v[at].map_or(d, |m| m.max(d)));
                }
            }
            _ => {}
        }
    }

    /// Adds what `other` (the same aggregate, over other events) holds for its customer
    /// `other_at` to customer `at`: the accumulators of events read on several threads,
    /// combined. Every accumulator is order-free (sums are exact), so the result is the
    /// one reading them all on one thread gives.
    pub fn merge(&mut self, at: usize, other: &Column, other_at: usize) {
        let least = |a: Option<Decimal>, b: Option<Decimal>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let most = |a: Option<Decimal>, b: Option<Decimal>| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        match (self, other) {
            (Column::Count(v), Column::Count(o)) => v[at] = v[at].saturating_add(o[other_at]),
            (Column::Sum(v), Column::Sum(o)) => v[at] = v[at].checked_add(o[other_at]).unwrap_or(v[at]),
            (Column::Avg(s, c), Column::Avg(os, oc)) => {
                s[at] = s[at].checked_add(os[other_at]).unwrap_or(s[at]);
                c[at] = c[at].saturating_add(oc[other_at]);
            }
            (Column::MinNum(v), Column::MinNum(o)) => v[at] = least(v[at], o[other_at]),
            (Column::MaxNum(v), Column::MaxNum(o)) => v[at] = most(v[at], o[other_at]),
            (Column::MinDay(v), Column::MinDay(o)) => {
                v[at] = v[at].zip(o[other_at]).map(|(a, b)| a.min(b)).or(v[at]).or(o[other_at])
            }
            (Column::MaxDay(v), Column::MaxDay(o)) => {
                v[at] = v[at].zip(o[other_at]).map(|(a, b)| a.max(b)).or(v[at]).or(o[other_at])
            }
            _ => {}
        }
    }

    /// The aggregate's value for customer `at`, or for a customer with no events (`None`):
    /// a count or sum of nothing is 0, an average, minimum or date of nothing is missing.
    pub fn value(&self, at: Option<usize>) -> Val {
        match (self, at) {
            (Column::Count(v), at) => Val::Num(Decimal::from_int(at.map_or(0, |i| i64::from(v[i])))),
            (Column::Sum(v), at) => Val::Num(at.map_or(Decimal::ZERO, |i| v[i])),
            (Column::Avg(s, c), Some(i)) if c[i] > 0 => {
                s[i].checked_div(Decimal::from_int(i64::from(c[i]))).map_or(Val::Missing, Val::Num)
            }
            (Column::MinNum(v) | Column::MaxNum(v), Some(i)) => v[i].map_or(Val::Missing, Val::Num),
            (Column::MinDay(v) | Column::MaxDay(v), Some(i)) => v[i].map_or(Val::Missing, Val::Date),
            _ => Val::Missing,
        }
    }
}

/// The date a date accumulator takes (the caller passes the event's own date as the
/// value of aggregates over `E.date`).
fn day_of(value: Val, _event_day: Day) -> Option<Day> {
    match value {
        Val::Date(d) => Some(d),
        _ => None,
    }
}
