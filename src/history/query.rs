//! Reading the history: the runs recorded, one customer's timeline, and who moved from
//! which segment to which.

use super::{History, HistoryError};
use crate::date::Day;
use crate::membership::Memberships;
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
        let mut statement = self.conn.prepare(
            "SELECT c.name, s.name, st.from_day FROM stays st
             JOIN segments s ON s.id = st.segment JOIN customers c ON c.id = st.customer
             WHERE s.dimension = ?1 AND st.from_day <= ?2 AND (st.to_day IS NULL OR st.to_day > ?2)",
        )?;
        for &d in wanted {
            let Some((dimension, names)) = dimensions.get(d) else { continue };
            let mut rows = statement.query(rusqlite::params![dimension, previous])?;
            while let Some(row) = rows.next()? {
                let (id, segment): (String, String) = (row.get(0)?, row.get(1)?);
                let entered: i64 = row.get(2)?;
                let index = names.iter().position(|n| *n == segment).and_then(|i| u16::try_from(i).ok());
                memberships.insert(d, &id, index, &segment, entered as Day);
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
        let mut statement = self.conn.prepare(
            "SELECT s.dimension, s.name, st.from_day, st.to_day
             FROM customers c JOIN stays st ON st.customer = c.id JOIN segments s ON s.id = st.segment
             WHERE c.name = ?1 ORDER BY s.dimension, s.name, st.from_day",
        )?;
        let rows = statement.query_map([id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
            ))
        })?;
        for row in rows {
            let (dimension, segment, from, to) = row?;
            let stay = Interval { segment: segment.clone(), from: day(from), to: to.map(day) };
            match dimension {
                Some(dimension) => timeline.dimensions.entry(dimension).or_default().push(stay),
                None => timeline.tags.entry(segment).or_default().push(stay),
            }
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
        // Each customer's segment per dimension on a day: the stays begun and not ended.
        let on = |when: i64| -> Result<BTreeMap<(String, String), String>, HistoryError> {
            let mut statement = self.conn.prepare_cached(
                "SELECT s.dimension, c.name, s.name
                 FROM stays st JOIN segments s ON s.id = st.segment JOIN customers c ON c.id = st.customer
                 WHERE s.dimension IS NOT NULL AND (?2 IS NULL OR s.dimension = ?2)
                   AND st.from_day <= ?1 AND (st.to_day IS NULL OR st.to_day > ?1)",
            )?;
            let rows = statement.query_map(rusqlite::params![when, dimension], |r| {
                Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), r.get::<_, String>(2)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let (then, now) = (on(before)?, on(latest)?);
        let mut grouped: BTreeMap<(String, Option<String>, Option<String>), Vec<String>> = BTreeMap::new();
        for key in then.keys().chain(now.keys().filter(|k| !then.contains_key(*k))) {
            let (from, to) = (then.get(key).cloned(), now.get(key).cloned());
            if from != to {
                grouped.entry((key.0.clone(), from, to)).or_default().push(key.1.clone());
            }
        }
        let mut moves: Vec<Move> = grouped
            .into_iter()
            .map(|((dimension, from, to), mut customers)| {
                customers.sort();
                let count = customers.len() as u64;
                customers.truncate(NAMED);
                Move { dimension, from, to, count, customers }
            })
            .collect();
        moves.sort_by(|a, b| a.dimension.cmp(&b.dimension).then(b.count.cmp(&a.count)));
        Ok(moves)
    }
}

fn day(number: i64) -> String {
    crate::date::format(number as crate::date::Day)
}
