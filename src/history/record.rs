//! Recording a run: each customer's state (its segment per dimension and its tags, as
//! numbers) is compared with where it was at the last run ([`Known`]); only the customers
//! whose state changed add rows: the stays they left go into `ends` and the ones they
//! entered into `stays`, both under this run's day, at the end of their tables. Now and
//! then the run also writes a new snapshot. Recording the same as-of date again replaces
//! that run.

use super::segments::Segments;
use super::state::{Entry, Known, Snapshot};
use super::{History, HistoryError};
use crate::date::{self, Day};

/// What is recorded of a run besides its results.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub as_of: Day,
    /// The main ruleset file's text, and a fingerprint of all its files.
    pub ruleset_text: String,
    pub ruleset_hash: String,
    pub data_name: String,
    pub data_hash: String,
    /// Take back every recorded run from this date on first (`--rewrite-from`), so that
    /// history can be recorded again from there, this run included.
    pub rewrite_from: Option<Day>,
}

/// A run's results as the run hands them on (it is the run's
/// [`crate::run::OutcomeSink`]): the names once, then per customer its segment in each
/// dimension and its tags, as indices into them, packed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunResults {
    /// Per dimension, its name and its segments' names.
    pub dimensions: Vec<(String, Vec<String>)>,
    pub tags: Vec<String>,
    ids: String,
    id_ends: Vec<u32>,
    /// Per customer: a segment index per dimension (`u16::MAX`: none), then its tags.
    codes: Vec<u16>,
    code_ends: Vec<u32>,
}

impl crate::run::OutcomeSink for RunResults {
    fn names(&mut self, dimensions: &[(String, Vec<String>)], tags: &[String]) {
        self.dimensions = dimensions.to_vec();
        self.tags = tags.to_vec();
    }

    fn customer(&mut self, id: &str, segments: &[Option<u16>], tags: &[u16]) {
        if id.is_empty() {
            return;
        }
        self.ids.push_str(id);
        self.id_ends.push(self.ids.len() as u32);
        self.codes.extend(segments.iter().map(|s| s.unwrap_or(u16::MAX)));
        self.codes.extend_from_slice(tags);
        self.code_ends.push(self.codes.len() as u32);
    }
}

impl RunResults {
    /// How many customers the run had (with an id).
    pub fn len(&self) -> usize {
        self.id_ends.len()
    }

    /// True when the run had no customer.
    pub fn is_empty(&self) -> bool {
        self.id_ends.is_empty()
    }

    /// Each customer's id, in the run's order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.customers().map(|(id, _)| id)
    }

    /// Each customer's id and codes.
    fn customers(&self) -> impl Iterator<Item = (&str, &[u16])> {
        let starts = std::iter::once(0).chain(self.id_ends.iter().map(|&e| e as usize));
        let code_starts = std::iter::once(0).chain(self.code_ends.iter().map(|&e| e as usize));
        starts
            .zip(&self.id_ends)
            .zip(code_starts.zip(&self.code_ends))
            .map(|((s, &e), (cs, &ce))| (&self.ids[s..e as usize], &self.codes[cs..ce as usize]))
    }
}

/// A customer an override pinned in a run: to which segment, why, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinRecord {
    pub id: String,
    pub dimension: String,
    pub segment: String,
    pub reason: String,
    pub until: Option<Day>,
}

/// What recording a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The first run of this history: a baseline, nobody moved.
    pub baseline: bool,
    /// A run of the same as-of date was there before and was replaced.
    pub replaced: bool,
    /// Per dimension, customers whose segment changed since the last run.
    pub moved: Vec<(String, u64)>,
    /// Tags given or taken since the last run.
    pub tags_changed: u64,
}

impl History {
    /// Records a run's results as of `run.as_of`, with the customers overrides pinned in
    /// it, in one transaction. A run dated before the latest recorded one is refused; one of
    /// the same date replaces it.
    pub fn record_with_pins(
        &mut self,
        run: &RunRecord,
        results: &RunResults,
        pins: &[PinRecord],
    ) -> Result<Recorded, HistoryError> {
        let recorded = self.record(run, results)?;
        let tx = self.conn.transaction()?;
        {
            let mut segments = Segments::load(&tx)?;
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO pins (as_of, customer, segment, reason, until_day)
                 SELECT ?1, id, ?3, ?4, ?5 FROM customers WHERE name = ?2",
            )?;
            for pin in pins {
                let segment = segments.id(&tx, Some(&pin.dimension), &pin.segment)?;
                let until = pin.until.map(i64::from);
                insert.execute(rusqlite::params![
                    i64::from(run.as_of),
                    pin.id,
                    segment,
                    pin.reason,
                    until
                ])?;
            }
        }
        tx.commit()?;
        Ok(recorded)
    }

    /// Records a run's results as of `run.as_of`, in one transaction. A run dated before
    /// the latest recorded one is refused; one of the same date replaces it.
    pub fn record(&mut self, run: &RunRecord, results: &RunResults) -> Result<Recorded, HistoryError> {
        let as_of = date::format(run.as_of);
        let day = i64::from(run.as_of);
        let tx = self.conn.transaction()?;
        // Runs taken back: from `rewrite_from` on, or a run of this very date.
        let from = run.rewrite_from.map_or(day, |d| i64::from(d).min(day));
        let taken: Vec<i64> = {
            let mut statement = tx.prepare("SELECT as_of FROM runs WHERE as_of >= ?1 ORDER BY as_of DESC")?;
            let rows = statement.query_map([from], |r| r.get::<_, i64>(0))?;
            rows.collect::<Result<_, _>>()?
        };
        if let Some(&latest) = taken.first().filter(|&&l| l > day && run.rewrite_from.is_none()) {
            return Err(HistoryError::Earlier { as_of, latest: date::format(latest as Day) });
        }
        let replaced = !taken.is_empty();
        // Where everyone was at the run this one follows, read before the later runs go.
        let previous: Option<i64> =
            tx.query_row("SELECT max(as_of) FROM runs WHERE as_of < ?1", [from], |r| r.get(0))?;
        let known = Known::at(&tx, previous)?;
        for &taken_day in &taken {
            take_back(&tx, taken_day)?;
        }
        let baseline = previous.is_none();
        tx.execute(
            "INSERT INTO runs (as_of, as_of_date, recorded_at, ruleset_hash, ruleset_text, data_name, data_hash, customers)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                day,
                as_of,
                chrono::Local::now().to_rfc3339(),
                run.ruleset_hash,
                run.ruleset_text,
                run.data_name,
                run.data_hash,
                results.len() as i64,
            ],
        )?;
        let mut segments = Segments::load(&tx)?;
        // The number of every segment and tag the run can give, looked up once.
        let mut numbers: Vec<Vec<u32>> = Vec::with_capacity(results.dimensions.len());
        for (dimension, names) in &results.dimensions {
            numbers
                .push(names.iter().map(|n| segments.id(&tx, Some(dimension), n)).collect::<Result<_, _>>()?);
        }
        let tag_numbers: Vec<u32> =
            results.tags.iter().map(|t| segments.id(&tx, None, t)).collect::<Result<_, _>>()?;
        let dimension_names: Vec<String> = results.dimensions.iter().map(|d| d.0.clone()).collect();
        // The run's customers and the recorded ones, both in name order, walked side by side
        // (no hashing of a million ids); a repeated id counts once, as first seen.
        let mut run_order: Vec<(&str, &[u16])> = results.customers().collect();
        run_order.sort_by(|a, b| a.0.cmp(b.0));
        run_order.dedup_by(|later, first| later.0 == first.0);
        // A new snapshot when there is none before this run, or when the rows to read past
        // it would pass a quarter of the customers.
        let stale = known.snapshot.is_none_or(|at| at >= from) || known.deltas * 4 > known.len() as u64;
        let mut snapshot = stale.then(|| Snapshot::new(day));
        let mut changes = Changes { day, moved: vec![0; dimension_names.len()], ..Changes::default() };
        let mut next_id: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM customers", [], |r| r.get(0))?;
        let mut new_customers: Vec<(&str, i64)> = Vec::new();
        let mut at = 0;
        let mut state: Vec<u32> = Vec::new();
        let mut after: Vec<Entry> = Vec::new();
        let mut walk = |name: &str, id: i64, before: &[Entry], now: &[u32]| {
            let same = before.len() == now.len() && before.iter().zip(now).all(|(e, s)| e.segment == *s);
            if same {
                if let Some(snapshot) = snapshot.as_mut() {
                    snapshot.push(name, id, before);
                }
                return;
            }
            changes.note(id, before, now, &segments, &dimension_names, &mut after);
            if let Some(snapshot) = snapshot.as_mut() {
                snapshot.push(name, id, &after);
            }
        };
        for (name, codes) in run_order {
            // Recorded customers before this one are no longer in the data: they leave
            // everything they were in.
            while at < known.len() && known.name(at) < name {
                walk(known.name(at), known.id(at), known.state(at), &[]);
                at += 1;
            }
            state.clear();
            for (d, &code) in codes.iter().take(numbers.len()).enumerate() {
                if let Some(&number) = numbers[d].get(usize::from(code)) {
                    state.push(number);
                }
            }
            state.extend(codes.iter().skip(numbers.len()).filter_map(|&t| tag_numbers.get(usize::from(t))));
            state.sort_unstable();
            state.dedup();
            if at < known.len() && known.name(at) == name {
                walk(name, known.id(at), known.state(at), &state);
                at += 1;
            } else {
                walk(name, next_id, &[], &state);
                new_customers.push((name, next_id));
                next_id += 1;
            }
        }
        while at < known.len() {
            walk(known.name(at), known.id(at), known.state(at), &[]);
            at += 1;
        }
        changes.write(&tx, &new_customers)?;
        if let Some(snapshot) = snapshot {
            tx.execute("DELETE FROM snapshots", [])?;
            tx.execute(
                "INSERT INTO snapshots (as_of, customers, state) VALUES (?1, ?2, ?3)",
                rusqlite::params![day, snapshot.len() as i64, snapshot.finish()],
            )?;
        }
        tx.commit()?;
        let moved = dimension_names
            .into_iter()
            .zip(changes.moved.into_iter().map(|n| if baseline { 0 } else { n }))
            .collect();
        let tags_changed = if baseline { 0 } else { changes.tags_changed };
        Ok(Recorded { baseline, replaced, moved, tags_changed })
    }
}

/// What a run changed: the stays it ends and begins, and how many customers moved.
#[derive(Default)]
struct Changes {
    day: i64,
    /// Customer, segment, the day the stay began.
    ended: Vec<(i64, u32, i32)>,
    /// Customer, segment.
    begun: Vec<(i64, u32)>,
    /// Per dimension, customers whose segment changed.
    moved: Vec<u64>,
    tags_changed: u64,
}

impl Changes {
    /// Notes customer `id`'s move from `before` to `now` (both sorted by segment), and
    /// leaves its new state in `after`.
    fn note(
        &mut self,
        id: i64,
        before: &[Entry],
        now: &[u32],
        segments: &Segments,
        dimensions: &[String],
        after: &mut Vec<Entry>,
    ) {
        after.clear();
        let mut seen: Vec<usize> = Vec::new();
        let mut count = |segment: u32, changes: &mut Changes| match segments
            .dimension_of(segment)
            .and_then(|d| dimensions.iter().position(|n| n == d))
        {
            Some(d) if !seen.contains(&d) => {
                seen.push(d);
                changes.moved[d] += 1;
            }
            Some(_) => {}
            None => changes.tags_changed += 1,
        };
        for entry in before {
            if now.contains(&entry.segment) {
                after.push(*entry);
            } else {
                self.ended.push((id, entry.segment, entry.from));
                count(entry.segment, self);
            }
        }
        for &segment in now.iter().filter(|&&s| !before.iter().any(|e| e.segment == s)) {
            self.begun.push((id, segment));
            after.push(Entry { segment, from: self.day as i32 });
            count(segment, self);
        }
        after.sort_unstable_by_key(|e| e.segment);
    }

    /// Writes the new customers, and the stays ended and begun, each in key order (they
    /// all go at the end of their tables: the keys begin with this run's day).
    fn write(
        &mut self,
        tx: &rusqlite::Transaction,
        new_customers: &[(&str, i64)],
    ) -> Result<(), HistoryError> {
        let mut add = tx.prepare_cached("INSERT INTO customers (name, id) VALUES (?1, ?2)")?;
        for (name, id) in new_customers {
            add.execute(rusqlite::params![name, id])?;
        }
        // One row per customer: the segments it left, each with the day its stay began,
        // and the ones it entered, as JSON lists (`[[3,739000]]`, `[4,9]`).
        self.ended.sort_unstable();
        let mut end =
            tx.prepare_cached("INSERT INTO ends (to_day, customer, segments) VALUES (?1, ?2, ?3)")?;
        for row in self.ended.chunk_by(|a, b| a.0 == b.0) {
            let list: Vec<String> =
                row.iter().map(|(_, segment, from)| format!("[{segment},{from}]")).collect();
            end.execute(rusqlite::params![self.day, row[0].0, format!("[{}]", list.join(","))])?;
        }
        self.begun.sort_unstable();
        let mut begin =
            tx.prepare_cached("INSERT INTO stays (from_day, customer, segments) VALUES (?1, ?2, ?3)")?;
        for row in self.begun.chunk_by(|a, b| a.0 == b.0) {
            let list: Vec<String> = row.iter().map(|(_, segment)| segment.to_string()).collect();
            begin.execute(rusqlite::params![self.day, row[0].0, format!("[{}]", list.join(","))])?;
        }
        Ok(())
    }
}

/// Takes back the run of `day` (the latest one left): the stays it began and ended are
/// removed, and the snapshots from it on.
fn take_back(tx: &rusqlite::Transaction, day: i64) -> Result<(), HistoryError> {
    tx.execute("DELETE FROM stays WHERE from_day = ?1", [day])?;
    tx.execute("DELETE FROM ends WHERE to_day = ?1", [day])?;
    tx.execute("DELETE FROM snapshots WHERE as_of >= ?1", [day])?;
    tx.execute("DELETE FROM runs WHERE as_of = ?1", [day])?;
    tx.execute("DELETE FROM pins WHERE as_of = ?1", [day])?;
    Ok(())
}
