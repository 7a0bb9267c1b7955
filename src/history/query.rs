//! Reading the history: the runs recorded, one customer's timeline, and who moved from
//! which segment to which.

use super::segments::Segments;
use super::state::Known;
use super::{History, HistoryError};
use crate::date::Day;
use crate::membership::Memberships;
use ahash::AHashMap as HashMap;
use rusqlite::OptionalExtension;
use serde::Serialize;
use std::collections::BTreeMap;

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    pub as_of: String,
    pub recorded_at: String,
    pub customers: i64,
    pub data_name: String,
    pub data_hash: String,
    pub ruleset_hash: String,
}

/// A stay in a segment (or tag): from the as-of date of the run it entered in, to the one
/// it was no longer in (`None`: still in).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interval {
    pub segment: String,
    pub from: String,
    pub to: Option<String>,
}

/// One customer's history: per dimension and per tag, its stays in order, and the runs in
/// which an override pinned it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub id: String,
    pub dimensions: BTreeMap<String, Vec<Interval>>,
    pub tags: BTreeMap<String, Vec<Interval>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pins: Vec<Pinned>,
}

/// A run in which an override pinned the customer to a segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pinned {
    pub run: String,
    pub dimension: String,
    pub segment: String,
    pub reason: String,
    pub until: Option<String>,
}

/// Customers who went from one segment of a dimension to another (`None`: none, or not
/// in the data).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    pub dimension: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub count: u64,
    pub customers: Vec<String>,
}

/// A move in numbers: the dimension's index, the segments before and after.
type MoveKey = (usize, Option<u32>, Option<u32>);

/// How many customers of a move are named.
const NAMED: usize = 20;

impl History {
    /// Where each customer was, in the dimensions `wanted` (indices into `dimensions`, each
    /// a dimension's name and its segments' names as the program has them), at the latest
    /// run recorded before `as_of`: for `on enter` and `on leave` scripts. A history with no
    /// earlier run gives a baseline.
    pub fn memberships(
        &self,
        as_of: Day,
        dimensions: &[(String, Vec<String>)],
        wanted: &[usize],
    ) -> Result<Memberships, HistoryError> {
        let previous: Option<i64> =
            self.conn.query_row("SELECT max(as_of) FROM runs WHERE as_of < ?1", [i64::from(as_of)], |r| {
                r.get(0)
            })?;
        let Some(previous) = previous else { return Ok(Memberships::baseline(dimensions.len())) };
        let mut memberships = Memberships::after(previous as Day, dimensions.len());
        let known = Known::at(&self.conn, Some(previous))?;
        let segments = Segments::load(&self.conn)?;
        // Segment number → the wanted dimension it belongs to, its index there, its name.
        let mut wanted_segments: HashMap<u32, (usize, Option<u16>, &str)> = HashMap::default();
        for (number, dimension, name) in segments.of_dimensions() {
            let Some(d) =
                wanted.iter().copied().find(|&d| dimensions.get(d).is_some_and(|w| w.0 == dimension))
            else {
                continue;
            };
            let index = dimensions[d].1.iter().position(|n| n == name).and_then(|i| u16::try_from(i).ok());
            wanted_segments.insert(number, (d, index, name));
        }
        for at in 0..known.len() {
            for entry in known.state(at) {
                if let Some(&(d, index, name)) = wanted_segments.get(&entry.segment) {
                    memberships.insert(d, known.name(at), index, name, entry.from as Day);
                }
            }
        }
        Ok(memberships)
    }

    /// The as-of date of the latest run recorded, if any.
    pub fn latest(&self) -> Result<Option<String>, HistoryError> {
        let day: Option<i64> = self.conn.query_row("SELECT max(as_of) FROM runs", [], |r| r.get(0))?;
        Ok(day.map(|d| crate::date::format(d as crate::date::Day)))
    }

    /// The runs recorded, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>, HistoryError> {
        let mut statement = self.conn.prepare(
            "SELECT as_of_date, recorded_at, customers, data_name, data_hash, ruleset_hash FROM runs ORDER BY as_of",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(RunInfo {
                as_of: r.get(0)?,
                recorded_at: r.get(1)?,
                customers: r.get(2)?,
                data_name: r.get(3)?,
                data_hash: r.get(4)?,
                ruleset_hash: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One customer's stays in each segment and tag; `None` when the history never saw it.
    pub fn timeline(&self, id: &str) -> Result<Option<Timeline>, HistoryError> {
        let mut timeline = Timeline {
            id: id.to_string(),
            dimensions: BTreeMap::new(),
            tags: BTreeMap::new(),
            pins: Vec::new(),
        };
        let number: Option<i64> =
            self.conn.query_row("SELECT id FROM customers WHERE name = ?1", [id], |r| r.get(0)).optional()?;
        let Some(number) = number else { return Ok(None) };
        // The customer's rows of stays and ends, sought run by run.
        let lists = |sql: &str| -> Result<Vec<(i64, String)>, HistoryError> {
            let mut statement = self.conn.prepare(sql)?;
            let rows = statement.query_map([number], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let begun = lists(
            "SELECT from_day, segments FROM stays WHERE from_day IN (SELECT as_of FROM runs) AND customer = ?1",
        )?;
        let ended = lists(
            "SELECT to_day, segments FROM ends WHERE to_day IN (SELECT as_of FROM runs) AND customer = ?1",
        )?;
        let damaged = |_| super::state::damaged();
        let mut ends: HashMap<(u32, i64), i64> = HashMap::default();
        for (to, list) in ended {
            for (segment, from) in serde_json::from_str::<Vec<(u32, i64)>>(&list).map_err(damaged)? {
                ends.insert((segment, from), to);
            }
        }
        let segments = Segments::load(&self.conn)?;
        for (from, list) in begun {
            for segment in serde_json::from_str::<Vec<u32>>(&list).map_err(damaged)? {
                let Some(name) = segments.name_of(segment) else { continue };
                let to = ends.get(&(segment, from)).copied();
                let stay = Interval { segment: name.to_string(), from: day(from), to: to.map(day) };
                match segments.dimension_of(segment) {
                    Some(dimension) => {
                        timeline.dimensions.entry(dimension.to_string()).or_default().push(stay)
                    }
                    None => timeline.tags.entry(name.to_string()).or_default().push(stay),
                }
            }
        }
        for stays in timeline.tags.values_mut() {
            stays.sort_by(|a, b| a.from.cmp(&b.from));
        }
        for stays in timeline.dimensions.values_mut() {
            stays.sort_by(|a, b| a.from.cmp(&b.from));
        }
        let mut statement = self.conn.prepare(
            "SELECT p.as_of, s.dimension, s.name, p.reason, p.until_day
             FROM customers c JOIN pins p ON p.customer = c.id JOIN segments s ON s.id = p.segment
             WHERE c.name = ?1 ORDER BY p.as_of, s.dimension",
        )?;
        let rows = statement.query_map([id], |r| {
            Ok(Pinned {
                run: day(r.get(0)?),
                dimension: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                segment: r.get(2)?,
                reason: r.get(3)?,
                until: r.get::<_, Option<i64>>(4)?.map(day),
            })
        })?;
        timeline.pins = rows.collect::<Result<_, _>>()?;
        let known = !timeline.dimensions.is_empty() || !timeline.tags.is_empty();
        Ok(known.then_some(timeline))
    }

    /// Who moved: between the segment each customer had on `since` (by default, at the run
    /// before the latest) and the one it has at the latest run, per dimension (or only
    /// `dimension`), largest moves first. Customers who stayed are left out.
    pub fn moves(&self, since: Option<&str>, dimension: Option<&str>) -> Result<Vec<Move>, HistoryError> {
        let days: Vec<i64> = {
            let mut statement = self.conn.prepare("SELECT as_of FROM runs ORDER BY as_of")?;
            let rows = statement.query_map([], |r| r.get::<_, i64>(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let Some(&latest) = days.last() else { return Ok(Vec::new()) };
        let before = match since {
            Some(text) => match crate::date::parse(text) {
                Some(d) => i64::from(d),
                None => {
                    return Err(HistoryError::Database(crate::msg!("not-a-date", text = text).to_string()))
                }
            },
            None if days.len() < 2 => return Ok(Vec::new()),
            None => days[days.len() - 2],
        };
        let segments = Segments::load(&self.conn)?;
        // The dimensions asked about, and each of their segments' numbers.
        let mut names: Vec<&str> = segments.of_dimensions().map(|(_, d, _)| d).collect();
        names.retain(|d| dimension.is_none_or(|wanted| wanted == *d));
        names.sort_unstable();
        names.dedup();
        let of_segment: HashMap<u32, usize> = segments
            .of_dimensions()
            .filter_map(|(number, d, _)| Some((number, names.iter().position(|n| *n == d)?)))
            .collect();
        // Each customer's segment per dimension on a day: the stays begun and not ended.
        let places = |known: &Known, at: usize, into: &mut Vec<Option<u32>>| {
            into.clear();
            into.resize(names.len(), None);
            for entry in known.state(at) {
                if let Some(&d) = of_segment.get(&entry.segment) {
                    into[d] = Some(entry.segment);
                }
            }
        };
        let then = Known::at(&self.conn, Some(before))?;
        let now = Known::at(&self.conn, Some(latest))?;
        // Per (dimension, from, to): how many, and the first customers by name.
        let mut grouped: BTreeMap<MoveKey, (u64, Vec<String>)> = BTreeMap::new();
        let (mut was, mut is) = (Vec::new(), Vec::new());
        let (mut t, mut n) = (0, 0);
        // Both list every customer recorded, in name order; walked side by side all the same.
        while t < then.len() || n < now.len() {
            let order = match (t < then.len(), n < now.len()) {
                (true, true) => then.name(t).cmp(now.name(n)),
                (true, false) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let name = if order.is_gt() { now.name(n) } else { then.name(t) };
            was.clear();
            is.clear();
            if order.is_le() {
                places(&then, t, &mut was);
                t += 1;
            }
            if order.is_ge() {
                places(&now, n, &mut is);
                n += 1;
            }
            for d in 0..names.len() {
                let (from, to) = (was.get(d).copied().flatten(), is.get(d).copied().flatten());
                if from != to {
                    let (count, named) = grouped.entry((d, from, to)).or_default();
                    *count += 1;
                    if named.len() < NAMED {
                        named.push(name.to_string());
                    }
                }
            }
        }
        let name_of = |s: Option<u32>| s.and_then(|s| segments.name_of(s)).map(str::to_string);
        let mut moves: Vec<Move> = grouped
            .into_iter()
            .map(|((d, from, to), (count, customers))| Move {
                dimension: names[d].to_string(),
                from: name_of(from),
                to: name_of(to),
                count,
                customers,
            })
            .collect();
        moves.sort_by(|a, b| (&a.dimension, &a.from, &a.to).cmp(&(&b.dimension, &b.from, &b.to)));
        moves.sort_by(|a, b| a.dimension.cmp(&b.dimension).then(b.count.cmp(&a.count)));
        Ok(moves)
    }
}

fn day(number: i64) -> String {
    crate::date::format(number as crate::date::Day)
}
