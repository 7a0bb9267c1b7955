//! Per-customer accumulators, kept together: each customer's event counts (one per stream)
//! and the state of every aggregate (a count, a sum, a minimum…) sit side by side in one
//! block of 32-bit words, so an event touches one place in memory, not one column per
//! aggregate. Only what each aggregate needs is kept, so memory grows with customers ×
//! aggregates, never with the number of events.

use crate::check::typed::{AggFn, Ty};
use crate::compile::CompiledAggregate;
use crate::date::Day;
use crate::decimal::Decimal;
use crate::eval::Val;

/// What an aggregate accumulates, and in how many words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One word: the count.
    Count,
    /// Four words: the exact sum.
    Sum,
    /// Five words: the sum, then the count of values.
    Avg,
    /// Five words: whether there is one, then the number.
    MinNum,
    MaxNum,
    /// One word: the day, or [`NO_DAY`].
    MinDay,
    MaxDay,
}

impl Kind {
    fn of(aggregate: &CompiledAggregate) -> Kind {
        match (aggregate.function, aggregate.ty) {
            (AggFn::Count, _) => Kind::Count,
            (AggFn::Sum, _) => Kind::Sum,
            (AggFn::Avg, _) => Kind::Avg,
            (AggFn::Min | AggFn::First, Ty::Date) => Kind::MinDay,
            (AggFn::Max | AggFn::Last, Ty::Date) => Kind::MaxDay,
            (AggFn::Min | AggFn::First, _) => Kind::MinNum,
            (AggFn::Max | AggFn::Last, _) => Kind::MaxNum,
        }
    }

    fn words(self) -> usize {
        match self {
            Kind::Count | Kind::MinDay | Kind::MaxDay => 1,
            Kind::Sum => 4,
            Kind::Avg | Kind::MinNum | Kind::MaxNum => 5,
        }
    }

    /// The words of "nothing yet".
    fn blank(self) -> &'static [u32] {
        match self {
            Kind::Count => &[0],
            Kind::Sum => &[0; 4],
            Kind::Avg | Kind::MinNum | Kind::MaxNum => &[0; 5],
            Kind::MinDay | Kind::MaxDay => &[NO_DAY],
        }
    }
}

/// A date accumulator with no date yet: no date read from a cell is this day, billions of
/// years before the calendar's range.
const NO_DAY: u32 = i32::MIN as u32;

/// The running state of every aggregate, and the event count of every stream, for every
/// customer seen so far: a block of words per customer.
#[derive(Debug, Clone)]
pub struct Accumulators {
    /// Per aggregate: its kind and the offset of its words in a block.
    aggregates: Vec<(Kind, usize)>,
    streams: usize,
    /// A customer with no events.
    blank: Vec<u32>,
    words: Vec<u32>,
}

impl Accumulators {
    /// Accumulators for `aggregates`, over `streams` event streams, with no customer yet.
    pub fn new(aggregates: &[CompiledAggregate], streams: usize) -> Accumulators {
        let mut blank = vec![0; streams];
        let aggregates = aggregates
            .iter()
            .map(|aggregate| {
                let kind = Kind::of(aggregate);
                let offset = blank.len();
                blank.extend_from_slice(kind.blank());
                debug_assert_eq!(blank.len() - offset, kind.words());
                (kind, offset)
            })
            .collect();
        Accumulators { aggregates, streams, blank, words: Vec::new() }
    }

    /// Customers held.
    pub fn len(&self) -> usize {
        self.words.len().checked_div(self.blank.len()).unwrap_or(0)
    }

    /// Makes room for one more customer, with no events; returns its position.
    pub fn grow(&mut self) -> usize {
        let at = self.len();
        self.words.extend_from_slice(&self.blank);
        at
    }

    fn block(&self, at: usize) -> &[u32] {
        let stride = self.blank.len();
        &self.words[at * stride..(at + 1) * stride]
    }

    fn block_mut(&mut self, at: usize) -> &mut [u32] {
        let stride = self.blank.len();
        &mut self.words[at * stride..(at + 1) * stride]
    }

    /// Counts one event of `stream` for customer `at`.
    pub fn count_event(&mut self, at: usize, stream: usize) {
        let word = &mut self.block_mut(at)[stream];
        *word = word.saturating_add(1);
    }

    /// How many events of `stream` customer `at` has.
    pub fn events(&self, at: usize, stream: usize) -> u32 {
        if stream >= self.streams || at >= self.len() {
            return 0;
        }
        self.block(at)[stream]
    }

    /// Adds one event's value (the event's date, or its column's value) to aggregate
    /// `aggregate` of customer `at`. A missing value is skipped, as SQL's aggregates skip
    /// NULL; `count` counts events.
    pub fn add(&mut self, at: usize, aggregate: usize, value: Val) {
        let (kind, offset) = self.aggregates[aggregate];
        let words = &mut self.block_mut(at)[offset..offset + kind.words()];
        match (kind, value) {
            (Kind::Count, _) => words[0] = words[0].saturating_add(1),
            (Kind::Sum, Val::Num(n)) => add_number(words, n),
            (Kind::Avg, Val::Num(n)) => {
                add_number(&mut words[..4], n);
                words[4] = words[4].saturating_add(1);
            }
            (Kind::MinNum, Val::Num(n)) => keep_number(words, n, Decimal::min),
            (Kind::MaxNum, Val::Num(n)) => keep_number(words, n, Decimal::max),
            (Kind::MinDay, Val::Date(d)) => keep_day(words, d, Day::min),
            (Kind::MaxDay, Val::Date(d)) => keep_day(words, d, Day::max),
            _ => {}
        }
    }

    /// Adds what `other` (the same aggregates, over other events) holds for its customer
    /// `other_at` to customer `at`: the accumulators of events read on several threads,
    /// combined. Every accumulator is order-free (sums are exact), so the result is the
    /// one reading them all on one thread gives.
    pub fn merge(&mut self, at: usize, other: &Accumulators, other_at: usize) {
        let theirs = other.block(other_at);
        let streams = self.streams;
        let aggregates = std::mem::take(&mut self.aggregates);
        let mine = self.block_mut(at);
        for (word, more) in mine[..streams].iter_mut().zip(&theirs[..streams]) {
            *word = word.saturating_add(*more);
        }
        for &(kind, offset) in &aggregates {
            let range = offset..offset + kind.words();
            let (words, more) = (&mut mine[range.clone()], &theirs[range]);
            match kind {
                Kind::Count => words[0] = words[0].saturating_add(more[0]),
                Kind::Sum => add_number(words, number(more)),
                Kind::Avg => {
                    add_number(&mut words[..4], number(&more[..4]));
                    words[4] = words[4].saturating_add(more[4]);
                }
                Kind::MinNum | Kind::MaxNum if more[0] == 0 => {}
                Kind::MinNum => keep_number(words, number(&more[1..]), Decimal::min),
                Kind::MaxNum => keep_number(words, number(&more[1..]), Decimal::max),
                Kind::MinDay | Kind::MaxDay if more[0] == NO_DAY => {}
                Kind::MinDay => keep_day(words, more[0] as i32, Day::min),
                Kind::MaxDay => keep_day(words, more[0] as i32, Day::max),
            }
        }
        self.aggregates = aggregates;
    }

    /// Aggregate `aggregate`'s value for customer `at`, or for a customer with no events
    /// (`None`): a count or sum of nothing is 0, an average, minimum or date of nothing is
    /// missing.
    pub fn value(&self, at: Option<usize>, aggregate: usize) -> Val {
        let (kind, offset) = self.aggregates[aggregate];
        let Some(at) = at else {
            return match kind {
                Kind::Count | Kind::Sum => Val::Num(Decimal::ZERO),
                _ => Val::Missing,
            };
        };
        let words = &self.block(at)[offset..offset + kind.words()];
        match kind {
            Kind::Count => Val::Num(Decimal::from_int(i64::from(words[0]))),
            Kind::Sum => Val::Num(number(words)),
            Kind::Avg if words[4] > 0 => number(&words[..4])
                .checked_div(Decimal::from_int(i64::from(words[4])))
                .map_or(Val::Missing, Val::Num),
            Kind::MinNum | Kind::MaxNum if words[0] != 0 => Val::Num(number(&words[1..])),
            Kind::MinDay | Kind::MaxDay if words[0] != NO_DAY => Val::Date(words[0] as i32),
            _ => Val::Missing,
        }
    }
}

/// The number held in four words, lowest first.
fn number(words: &[u32]) -> Decimal {
    let bits = words[..4].iter().rev().fold(0u128, |bits, &word| (bits << 32) | u128::from(word));
    Decimal::from_units(bits as i128)
}

fn set_number(words: &mut [u32], n: Decimal) {
    let bits = n.units() as u128;
    for (i, word) in words[..4].iter_mut().enumerate() {
        *word = (bits >> (32 * i)) as u32;
    }
}

/// Adds `n` to the sum in four words; a sum out of range stays as it was.
fn add_number(words: &mut [u32], n: Decimal) {
    if let Some(sum) = number(words).checked_add(n) {
        set_number(words, sum);
    }
}

/// Keeps in five words (a flag, then the number) `n` or the one held, as `pick` chooses.
fn keep_number(words: &mut [u32], n: Decimal, pick: fn(Decimal, Decimal) -> Decimal) {
    let kept = if words[0] == 0 { n } else { pick(number(&words[1..]), n) };
    words[0] = 1;
    set_number(&mut words[1..], kept);
}

/// Keeps in one word `day` or the day held, as `pick` chooses.
fn keep_day(words: &mut [u32], day: Day, pick: fn(Day, Day) -> Day) {
    let kept = if words[0] == NO_DAY { day } else { pick(words[0] as i32, day) };
    words[0] = kept as u32;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aggregate(function: AggFn, ty: Ty) -> CompiledAggregate {
        CompiledAggregate { stream: 0, function, value: None, filter: None, after: None, until: 0, ty }
    }

    fn num(text: &str) -> Val {
        Val::Num(Decimal::parse(text).unwrap())
    }

    #[test]
    fn every_kind_keeps_its_own_words_and_combines_as_one_thread_would() {
        let aggregates = [
            aggregate(AggFn::Count, Ty::Number),
            aggregate(AggFn::Sum, Ty::Number),
            aggregate(AggFn::Avg, Ty::Number),
            aggregate(AggFn::Min, Ty::Number),
            aggregate(AggFn::Max, Ty::Number),
            aggregate(AggFn::First, Ty::Date),
            aggregate(AggFn::Last, Ty::Date),
        ];
        let values = [num("-2.5"), num("170141183460469231731.687303715884"), num("7"), Val::Missing];
        let days = [Val::Date(-3), Val::Date(20_000), Val::Missing, Val::Date(-40_000)];
        let feed = |acc: &mut Accumulators, at: usize, range: std::ops::Range<usize>| {
            for i in range {
                acc.count_event(at, 0);
                for a in 0..5 {
                    acc.add(at, a, values[i]);
                }
                acc.add(at, 5, days[i]);
                acc.add(at, 6, days[i]);
            }
        };
        let mut whole = Accumulators::new(&aggregates, 1);
        let (empty, all) = (whole.grow(), whole.grow());
        feed(&mut whole, all, 0..4);
        assert_eq!(whole.events(all, 0), 4);
        assert_eq!(whole.events(empty, 0), 0);
        let got: Vec<Val> = (0..7).map(|a| whole.value(Some(all), a)).collect();
        let sum =
            Decimal::parse("170141183460469231731.687303715884").unwrap().checked_add(Decimal::from_int(7));
        let sum = sum.and_then(|s| s.checked_add(Decimal::parse("-2.5").unwrap())).unwrap();
        assert_eq!(got[0], num("4"));
        assert_eq!(got[1], Val::Num(sum));
        assert_eq!(got[2], Val::Num(sum.checked_div(Decimal::from_int(3)).unwrap()));
        assert_eq!(got[3], num("-2.5"));
        assert_eq!(got[4], num("170141183460469231731.687303715884"));
        assert_eq!((got[5], got[6]), (Val::Date(-40_000), Val::Date(20_000)));
        let blank: Vec<Val> = (0..7).map(|a| whole.value(Some(empty), a)).collect();
        assert_eq!(blank[..2], [num("0"), num("0")]);
        assert!(blank[2..].iter().all(|v| *v == Val::Missing), "{blank:?}");
        let unseen: Vec<Val> = (0..7).map(|a| whole.value(None, a)).collect();
        assert_eq!(unseen, blank);

        // The same events split between two threads' accumulators, then combined.
        let (mut first, mut second) = (Accumulators::new(&aggregates, 1), Accumulators::new(&aggregates, 1));
        let (a, b) = (first.grow(), second.grow());
        feed(&mut first, a, 0..1);
        second.grow();
        feed(&mut second, b + 1, 1..4);
        first.merge(a, &second, b + 1);
        let combined: Vec<Val> = (0..7).map(|x| first.value(Some(a), x)).collect();
        assert_eq!(combined, got);
        assert_eq!(first.events(a, 0), 4);
        // Combining with a customer that had nothing changes nothing.
        first.merge(a, &second, b);
        assert_eq!((0..7).map(|x| first.value(Some(a), x)).collect::<Vec<_>>(), got);
    }
}
