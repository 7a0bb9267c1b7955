//! Where every recorded customer was at one run, in memory, as recording a run and reading
//! the history need it: each customer the history has seen, in name order, with its number
//! and its state (the segments and tags it was in, each with the day it entered).
//!
//! The state at a run is rebuilt from the latest snapshot (one blob: every customer's
//! state at the run it was written in) and the stays begun and ended between that run and
//! the one wanted — forwards when the snapshot is older, backwards when it is newer. A
//! weekly run so reads one blob and the few rows written since, and writes only what moved;
//! once the rows since the snapshot pass a quarter of the customers, a run writes a new one.

use super::HistoryError;
use rusqlite::Connection;

/// A segment or tag a customer is in (its number in `segments`), and the as-of day of the
/// run it entered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    pub segment: u32,
    pub from: i32,
}

/// Every customer the history has seen, in name order, with its number and its state.
#[derive(Debug, Default)]
pub(super) struct Known {
    names: String,
    name_ends: Vec<u32>,
    ids: Vec<i64>,
    /// Each customer's entries, sorted by segment, one after the other.
    entries: Vec<Entry>,
    entry_ends: Vec<u32>,
    /// Changes read but not applied yet, in the order read: position, segment, and the
    /// day the stay began (`None`: it ended). Applied all at once by [`Known::settle`].
    pending: Vec<(u32, u32, Option<i32>)>,
    /// Customer number → position, built when the first change is applied; or, when the
    /// numbers are far apart, (number, position) sorted by number.
    positions: Vec<u32>,
    sparse: Vec<(i64, u32)>,
    /// The run of the snapshot it was built from, if any.
    pub snapshot: Option<i64>,
    /// The stays begun and ended applied to the snapshot to reach the wanted run.
    pub deltas: u64,
}

impl Known {
    /// How many customers.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The name (the id in the data) of the customer at `at`.
    pub fn name(&self, at: usize) -> &str {
        let start = if at == 0 { 0 } else { self.name_ends[at - 1] as usize };
        &self.names[start..self.name_ends[at] as usize]
    }

    /// The number of the customer at `at`.
    pub fn id(&self, at: usize) -> i64 {
        self.ids[at]
    }

    /// The state of the customer at `at`, sorted by segment.
    pub fn state(&self, at: usize) -> &[Entry] {
        let start = if at == 0 { 0 } else { self.entry_ends[at - 1] as usize };
        &self.entries[start..self.entry_ends[at] as usize]
    }

    /// The largest customer number.
    fn max_id(&self) -> i64 {
        self.ids.iter().copied().max().unwrap_or(0)
    }

    /// Adds a customer after the ones there (names must come in order).
    fn push(&mut self, name: &str, id: i64, entries: &[Entry]) {
        self.names.push_str(name);
        self.name_ends.push(self.names.len() as u32);
        self.ids.push(id);
        self.entries.extend_from_slice(entries);
        self.entry_ends.push(self.entries.len() as u32);
    }

    /// These customers and `more` (in name order, none of them here), with no state, as one
    /// list in name order. Only before changes are applied.
    fn with(self, more: Vec<(String, i64)>) -> Known {
        if more.is_empty() {
            return self;
        }
        let mut merged = Known {
            snapshot: self.snapshot,
            names: String::with_capacity(self.names.len() + more.iter().map(|m| m.0.len()).sum::<usize>()),
            ..Known::default()
        };
        let mut more = more.into_iter().peekable();
        for at in 0..self.len() {
            while let Some((name, id)) = more.next_if(|m| m.0.as_str() < self.name(at)) {
                merged.push(&name, id, &[]);
            }
            merged.push(self.name(at), self.id(at), self.state(at));
        }
        for (name, id) in more {
            merged.push(&name, id, &[]);
        }
        merged
    }

    /// The position of customer number `id`.
    fn position(&mut self, id: i64) -> Result<usize, HistoryError> {
        if self.positions.is_empty() && self.sparse.is_empty() {
            // Numbers are given one after another, so a table by number is small; a file
            // whose numbers are far apart (edited by hand, say) gets a sorted list instead.
            let dense = usize::try_from(self.max_id()).ok().filter(|&m| m <= 2 * self.len() + 65_536);
            match dense {
                Some(size) => {
                    self.positions = vec![u32::MAX; size + 1];
                    for (at, &id) in self.ids.iter().enumerate() {
                        self.positions[id as usize] = at as u32;
                    }
                }
                None => {
                    self.sparse = self.ids.iter().enumerate().map(|(at, &id)| (id, at as u32)).collect();
                    self.sparse.sort_unstable();
                }
            }
        }
        let at = match self.sparse.is_empty() {
            true => usize::try_from(id).ok().and_then(|i| self.positions.get(i)).copied(),
            false => self.sparse.binary_search_by_key(&id, |p| p.0).ok().map(|i| self.sparse[i].1),
        };
        match at {
            Some(at) if at != u32::MAX => Ok(at as usize),
            _ => Err(damaged()),
        }
    }

    /// Applies the pending changes: sorted by customer (each customer's in the order they
    /// were read), then the flat lists are built again in one pass.
    fn settle(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut pending = std::mem::take(&mut self.pending);
        pending.sort_by_key(|&(at, _, _)| at);
        let mut entries = Vec::with_capacity(self.entries.len() + pending.len());
        let mut entry_ends = Vec::with_capacity(self.entry_ends.len());
        let mut changes = pending.iter().peekable();
        for at in 0..self.len() {
            let start = entries.len();
            entries.extend_from_slice(self.state(at));
            while let Some(&(_, segment, from)) = changes.next_if(|c| c.0 as usize == at) {
                let mine = &mut entries[start..];
                match (mine.iter().position(|e| e.segment == segment), from) {
                    (Some(i), Some(from)) => mine[i].from = from,
                    (Some(i), None) => {
                        entries.remove(start + i);
                    }
                    (None, Some(from)) => entries.push(Entry { segment, from }),
                    (None, None) => {}
                }
            }
            entries[start..].sort_unstable_by_key(|e| e.segment);
            entry_ends.push(entries.len() as u32);
        }
        self.entries = entries;
        self.entry_ends = entry_ends;
    }

    /// Where every recorded customer was at the run of `day` (`None`: before any run).
    pub fn at(conn: &Connection, day: Option<i64>) -> Result<Known, HistoryError> {
        // A snapshot that cannot be read is rebuilt from the stays, which hold everything.
        let mut statement = conn.prepare("SELECT as_of, state FROM snapshots ORDER BY as_of DESC LIMIT 1")?;
        let mut rows = statement.query([])?;
        let (mut known, from) = match rows.next()? {
            Some(row) => {
                let at: i64 = row.get(0)?;
                match decode(row.get_ref(1)?.as_blob().unwrap_or_default(), at) {
                    Some(known) => (known, Some(at)),
                    None => (Known::default(), None),
                }
            }
            None => (Known::default(), None),
        };
        drop(rows);
        known.snapshot = from;
        // The customers first seen after the snapshot: few, found by number.
        let mut more: Vec<(String, i64)> = {
            let mut statement = conn.prepare("SELECT name, id FROM customers WHERE id > ?1")?;
            let rows = statement.query_map([known.max_id()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        more.sort_unstable();
        let mut known = known.with(more);
        let target = day.unwrap_or(i64::MIN);
        match from {
            Some(snapshot) if snapshot > target => known.walk(conn, target, snapshot, false)?,
            _ => known.walk(conn, from.unwrap_or(i64::MIN), target, true)?,
        }
        known.settle();
        Ok(known)
    }

    /// Applies the stays ended and begun after `after` up to `upto`: forwards in time
    /// order, or (`forwards` false) taken back, latest first.
    fn walk(&mut self, conn: &Connection, after: i64, upto: i64, forwards: bool) -> Result<(), HistoryError> {
        let order = if forwards { "" } else { "DESC" };
        let mut ends = conn.prepare(&format!(
            "SELECT to_day, customer, segments FROM ends WHERE to_day > ?1 AND to_day <= ?2 ORDER BY to_day {order}"
        ))?;
        let mut stays = conn.prepare(&format!(
            "SELECT from_day, customer, segments FROM stays WHERE from_day > ?1 AND from_day <= ?2 ORDER BY from_day {order}"
        ))?;
        let mut ends = Deltas::new(ends.query([after, upto])?, true)?;
        let mut stays = Deltas::new(stays.query([after, upto])?, false)?;
        loop {
            // On the same day, a customer leaves and enters different segments: either first.
            let end_next = match (&ends.here, &stays.here) {
                (Some(e), Some(s)) => (e.day <= s.day) == forwards || e.day == s.day,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => return Ok(()),
            };
            // Forwards a stay ended is left and one begun is entered; taken back, the other
            // way round.
            let (deltas, enter) = if end_next { (&mut ends, !forwards) } else { (&mut stays, forwards) };
            let delta = deltas.take()?;
            self.apply(&delta, enter)?;
        }
    }

    /// The customer of `delta` enters (or leaves) each of its segments.
    fn apply(&mut self, delta: &Delta, enter: bool) -> Result<(), HistoryError> {
        let at = self.position(delta.customer)? as u32;
        for &(segment, from) in &delta.segments {
            self.pending.push((at, segment, enter.then_some(from)));
        }
        self.deltas += delta.segments.len() as u64;
        Ok(())
    }
}

/// A row of `stays` or `ends`: on `day`, a customer entered or left these segments, each
/// with the day its stay began.
struct Delta {
    day: i64,
    customer: i64,
    segments: Vec<(u32, i32)>,
}

/// Rows of stays or ends, one looked at.
struct Deltas<'s> {
    rows: rusqlite::Rows<'s>,
    /// Rows of `ends`, whose lists give each segment's first day; else of `stays`.
    ends: bool,
    here: Option<Delta>,
}

impl<'s> Deltas<'s> {
    fn new(rows: rusqlite::Rows<'s>, ends: bool) -> Result<Deltas<'s>, HistoryError> {
        let mut deltas = Deltas { rows, ends, here: None };
        deltas.here = deltas.next()?;
        Ok(deltas)
    }

    /// The row looked at, and the next one looked at instead.
    fn take(&mut self) -> Result<Delta, HistoryError> {
        let next = self.next()?;
        std::mem::replace(&mut self.here, next).ok_or_else(damaged)
    }

    fn next(&mut self) -> Result<Option<Delta>, HistoryError> {
        let Some(row) = self.rows.next()? else { return Ok(None) };
        let day: i64 = row.get(0)?;
        let list = row.get_ref(2)?.as_str().map_err(|_| damaged())?;
        let segments = if self.ends {
            serde_json::from_str::<Vec<(u32, i32)>>(list).map_err(|_| damaged())?
        } else {
            let from = i32::try_from(day).map_err(|_| damaged())?;
            let segments = serde_json::from_str::<Vec<u32>>(list).map_err(|_| damaged())?;
            segments.into_iter().map(|s| (s, from)).collect()
        };
        Ok(Some(Delta { day, customer: row.get(1)?, segments }))
    }
}

pub(super) fn damaged() -> HistoryError {
    HistoryError::Database(crate::msg!("history-damaged").to_string())
}

/// A snapshot's bytes: every customer in name order, written as it comes.
///
/// Format (version 1): a byte `1`, then per customer: the length of the name's prefix
/// shared with the previous name, the length of the rest and the rest's bytes, the
/// customer's number, the number of entries, and per entry its segment and how many days
/// before the snapshot's run it began — each number an unsigned LEB128.
pub(super) struct Snapshot {
    bytes: Vec<u8>,
    day: i64,
    previous: String,
    customers: usize,
}

impl Snapshot {
    /// An empty snapshot of the state at the run of `day`.
    pub fn new(day: i64) -> Snapshot {
        Snapshot { bytes: vec![1], day, previous: String::new(), customers: 0 }
    }

    /// How many customers it has.
    pub fn len(&self) -> usize {
        self.customers
    }

    /// Adds the next customer in name order.
    pub fn push(&mut self, name: &str, id: i64, entries: &[Entry]) {
        let shared = common_prefix(&self.previous, name);
        put(&mut self.bytes, shared as u64);
        put(&mut self.bytes, (name.len() - shared) as u64);
        self.bytes.extend_from_slice(&name.as_bytes()[shared..]);
        put(&mut self.bytes, id as u64);
        put(&mut self.bytes, entries.len() as u64);
        for entry in entries {
            put(&mut self.bytes, u64::from(entry.segment));
            put(&mut self.bytes, (self.day - i64::from(entry.from)).max(0) as u64);
        }
        self.previous.clear();
        self.previous.push_str(name);
        self.customers += 1;
    }

    /// The bytes to store.
    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

/// The length of the longest common prefix of two names, on a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    let mut shared = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !b.is_char_boundary(shared) {
        shared -= 1;
    }
    shared
}

/// Reads a snapshot taken at the run of `day`; `None` when its bytes are not one.
fn decode(bytes: &[u8], day: i64) -> Option<Known> {
    let (&version, mut rest) = bytes.split_first()?;
    if version != 1 {
        return None;
    }
    let mut known = Known::default();
    // The names as bytes, checked to be UTF-8 once at the end.
    let mut names: Vec<u8> = Vec::with_capacity(bytes.len() / 2);
    let mut start = 0;
    while !rest.is_empty() {
        let shared = usize::try_from(take(&mut rest)?).ok()?;
        let len = usize::try_from(take(&mut rest)?).ok()?;
        let (tail, after) = (rest.get(..len)?, rest.get(len..)?);
        rest = after;
        if shared > names.len() - start {
            return None;
        }
        names.extend_from_within(start..start + shared);
        start = names.len() - shared;
        names.extend_from_slice(tail);
        known.name_ends.push(u32::try_from(names.len()).ok()?);
        known.ids.push(i64::try_from(take(&mut rest)?).ok()?);
        let count = take(&mut rest)?;
        for _ in 0..count {
            let segment = u32::try_from(take(&mut rest)?).ok()?;
            let back = i64::try_from(take(&mut rest)?).ok()?;
            known.entries.push(Entry { segment, from: i32::try_from(day.checked_sub(back)?).ok()? });
        }
        known.entry_ends.push(u32::try_from(known.entries.len()).ok()?);
    }
    known.names = String::from_utf8(names).ok()?;
    if !known.name_ends.iter().all(|&end| known.names.is_char_boundary(end as usize)) {
        return None;
    }
    Some(known)
}

/// Appends `value` as an unsigned LEB128.
fn put(bytes: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        bytes.push((value as u8) | 0x80);
        value >>= 7;
    }
    bytes.push(value as u8);
}

/// Reads an unsigned LEB128 off the front of `bytes`.
fn take(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            *bytes = &bytes[i + 1..];
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_back_as_written() {
        let customers: Vec<(&str, i64, Vec<Entry>)> = vec![
            ("C1", 3, vec![Entry { segment: 1, from: 700 }, Entry { segment: 300, from: 740 }]),
            ("C10", 1, vec![]),
            ("C2", 200_000, vec![Entry { segment: 2, from: 740 }]),
            ("客户一", 2, vec![Entry { segment: 9, from: 1 }]),
            ("客户二", 4, vec![]),
        ];
        let mut snapshot = Snapshot::new(740);
        for (name, id, entries) in &customers {
            snapshot.push(name, *id, entries);
        }
        let known = decode(&snapshot.finish(), 740).unwrap();
        assert_eq!(known.len(), customers.len());
        for (at, (name, id, entries)) in customers.iter().enumerate() {
            assert_eq!((known.name(at), known.id(at), known.state(at)), (*name, *id, entries.as_slice()));
        }
        // Damaged bytes never panic: every cut and every changed byte reads as something
        // or as nothing.
        let bytes = {
            let mut snapshot = Snapshot::new(740);
            for (name, id, entries) in &customers {
                snapshot.push(name, *id, entries);
            }
            snapshot.finish()
        };
        for at in 0..bytes.len() {
            let _ = decode(&bytes[..at], 740);
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] ^= flip;
                if let Some(known) = decode(&damaged, 740) {
                    (0..known.len()).for_each(|i| assert!(known.name(i).len() <= bytes.len()));
                }
            }
        }
        assert!(decode(&[2], 740).is_none(), "an unknown version");
        assert!(decode(&[1, 0, 5, b'a'], 740).is_none(), "cut short");
    }
}
