//! Recording a run: each customer's state (its segment per dimension and its tags, as
//! numbers) is compared with the state kept from the last run; only the customers whose
//! state changed touch the stays: the ones they left are closed at this run's as-of date
//! and the ones they entered are opened. Recording the same as-of date again replaces
//! that run.

use super::{History, HistoryError};
use crate::date::{self, Day};
use ahash::AHashMap as HashMap;

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

/// The numbers of a customer's segments and tags: sorted, each once.
type State = Vec<i64>;

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
        for &taken_day in &taken {
            take_back(&tx, taken_day)?;
        }
        if replaced {
            rebuild_states(&tx)?;
        }
        let baseline: bool = tx.query_row("SELECT count(*) = 0 FROM runs", [], |r| r.get(0))?;
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
        let mut numbers: Vec<Vec<i64>> = Vec::with_capacity(results.dimensions.len());
        for (dimension, names) in &results.dimensions {
            numbers
                .push(names.iter().map(|n| segments.id(&tx, Some(dimension), n)).collect::<Result<_, _>>()?);
        }
        let tag_numbers: Vec<i64> =
            results.tags.iter().map(|t| segments.id(&tx, None, t)).collect::<Result<_, _>>()?;
        let dimension_names: Vec<String> = results.dimensions.iter().map(|d| d.0.clone()).collect();
        // The run's customers and the recorded ones, both in id order, walked side by side
        // (no hashing of a million ids); a repeated id counts once, as first seen.
        let mut run_order: Vec<(&str, &[u16])> = results.customers().collect();
        run_order.sort_by(|a, b| a.0.cmp(b.0));
        run_order.dedup_by(|later, first| later.0 == first.0);
        let mut next_id: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM customers", [], |r| r.get(0))?;
        let mut moved = vec![0u64; results.dimensions.len()];
        let mut tags_changed = 0u64;
        // The states of the customers whose state changed, written once the walk over the
        // recorded customers (a cursor on their table) is done.
        let mut kept: Vec<(String, i64, Vec<u8>)> = Vec::new();
        {
            let mut open = tx.prepare_cached(
                "INSERT OR REPLACE INTO stays (customer, segment, from_day) VALUES (?1, ?2, ?3)",
            )?;
            let mut close = tx.prepare_cached(
                "UPDATE stays SET to_day = ?3 WHERE customer = ?1 AND segment = ?2 AND to_day IS NULL",
            )?;
            let mut change =
                |name: &str, id: i64, before: &[i64], after: &[i64]| -> Result<(), HistoryError> {
                    for &left in before.iter().filter(|s| !after.contains(s)) {
                        close.execute(rusqlite::params![id, left, day])?;
                    }
                    for &entered in after.iter().filter(|s| !before.contains(s)) {
                        open.execute(rusqlite::params![id, entered, day])?;
                    }
                    count_changes(before, after, &segments, &dimension_names, &mut moved, &mut tags_changed);
                    kept.push((name.to_string(), id, pack(after)));
                    Ok(())
                };
            let mut listing = tx.prepare("SELECT name, id, state FROM customers ORDER BY name")?;
            let mut known = KnownCustomers::cursor(listing.query([])?)?;
            let mut state: State = Vec::new();
            for (name, codes) in run_order {
                // Recorded customers before this one are no longer in the data: they leave
                // everything they were in.
                while known.here() && known.name.as_str() < name {
                    if !known.state.is_empty() {
                        change(&known.name, known.id, &known.state, &[])?;
                    }
                    known.advance()?;
                }
                state.clear();
                for (d, &code) in codes.iter().take(numbers.len()).enumerate() {
                    if let Some(&number) = numbers[d].get(usize::from(code)) {
                        state.push(number);
                    }
                }
                state.extend(
                    codes.iter().skip(numbers.len()).filter_map(|&t| tag_numbers.get(usize::from(t))),
                );
                state.sort_unstable();
                state.dedup();
                if known.here() && known.name == name {
                    if known.state != state {
                        change(name, known.id, &known.state, &state)?;
                    }
                    known.advance()?;
                } else {
                    next_id += 1;
                    if !state.is_empty() {
                        change(name, next_id - 1, &[], &state)?;
                    }
                }
            }
            while known.here() {
                if !known.state.is_empty() {
                    change(&known.name, known.id, &known.state, &[])?;
                }
                known.advance()?;
            }
        }
        // An upsert, not a replace: a replace deletes the row and inserts it again, touching
        // the index of numbers too, and with 20,000 changed customers nearly all its pages.
        let mut keep = tx.prepare_cached(
            "INSERT INTO customers (name, id, state) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET state = excluded.state",
        )?;
        for (name, id, state) in &kept {
            keep.execute(rusqlite::params![name, id, state])?;
        }
        drop(keep);
        tx.commit()?;
        let moved = dimension_names
            .into_iter()
            .zip(moved.into_iter().map(|n| if baseline { 0 } else { n }))
            .collect();
        Ok(Recorded { baseline, replaced, moved, tags_changed: if baseline { 0 } else { tags_changed } })
    }
}

/// Counts, per dimension, whether the customer's segment changed, and the tags that did.
fn count_changes(
    before: &[i64],
    after: &[i64],
    segments: &Segments,
    dimensions: &[String],
    moved: &mut [u64],
    tags_changed: &mut u64,
) {
    let changed: Vec<i64> = before
        .iter()
        .filter(|s| !after.contains(s))
        .chain(after.iter().filter(|s| !before.contains(s)))
        .copied()
        .collect();
    let mut seen: Vec<usize> = Vec::new();
    for segment in changed {
        match segments.dimension_of(segment).and_then(|d| dimensions.iter().position(|n| n == d)) {
            Some(d) if !seen.contains(&d) => {
                seen.push(d);
                moved[d] += 1;
            }
            Some(_) => {}
            None => *tags_changed += 1,
        }
    }
}

/// Takes back the run of `day` (the latest one left): the stays it opened are removed and
/// the ones it closed are open again.
fn take_back(tx: &rusqlite::Transaction, day: i64) -> Result<(), HistoryError> {
    tx.execute("DELETE FROM stays WHERE from_day = ?1", [day])?;
    tx.execute("UPDATE stays SET to_day = NULL WHERE to_day = ?1", [day])?;
    tx.execute("DELETE FROM runs WHERE as_of = ?1", [day])?;
    tx.execute("DELETE FROM pins WHERE as_of = ?1", [day])?;
    Ok(())
}

/// Rebuilds each customer's kept state from the stays still open.
fn rebuild_states(tx: &rusqlite::Transaction) -> Result<(), HistoryError> {
    let mut states: HashMap<i64, State> = HashMap::default();
    {
        let mut statement = tx.prepare("SELECT customer, segment FROM stays WHERE to_day IS NULL")?;
        let rows = statement.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (customer, segment) = row?;
            states.entry(customer).or_default().push(segment);
        }
    }
    let ids: Vec<i64> = {
        let mut statement = tx.prepare("SELECT id FROM customers")?;
        let rows = statement.query_map([], |r| r.get::<_, i64>(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut update = tx.prepare("UPDATE customers SET state = ?2 WHERE id = ?1")?;
    for id in ids {
        let mut state = states.remove(&id).unwrap_or_default();
        state.sort_unstable();
        update.execute(rusqlite::params![id, pack(&state)])?;
    }
    Ok(())
}

/// Every customer ever recorded, in id order: (name, number, kept state).
/// The recorded customers, one at a time in name order, each copied into buffers that are
/// reused (a million customers are walked without an allocation each).
struct KnownCustomers<'s> {
    rows: rusqlite::Rows<'s>,
    name: String,
    id: i64,
    state: State,
    here: bool,
}

impl<'s> KnownCustomers<'s> {
    fn cursor(rows: rusqlite::Rows<'s>) -> Result<KnownCustomers<'s>, HistoryError> {
        let mut cursor = KnownCustomers { rows, name: String::new(), id: 0, state: Vec::new(), here: false };
        cursor.advance()?;
        Ok(cursor)
    }

    /// True while the cursor is on a customer.
    fn here(&self) -> bool {
        self.here
    }

    /// Moves to the next customer.
    fn advance(&mut self) -> Result<(), HistoryError> {
        let Some(row) = self.rows.next()? else {
            self.here = false;
            return Ok(());
        };
        self.name.clear();
        self.name.push_str(row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?);
        self.id = row.get(1)?;
        let bytes = row.get_ref(2)?.as_blob().map_err(rusqlite::Error::from)?;
        self.state.clear();
        self.state
            .extend(bytes.chunks_exact(4).map(|c| i64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]]))));
        self.here = true;
        Ok(())
    }
}

/// A state as bytes: each number as four little-endian bytes.
fn pack(state: &[i64]) -> Vec<u8> {
    state.iter().flat_map(|&s| (s as u32).to_le_bytes()).collect()
}

/// The segments and tags by number, adding new ones as they come; looked up without
/// allocating, since every cell of a run is.
struct Segments {
    /// Dimension → segment name → number.
    of_dimension: HashMap<String, HashMap<String, i64>>,
    tags: HashMap<String, i64>,
    dimension: HashMap<i64, Option<String>>,
}

impl Segments {
    fn load(tx: &rusqlite::Transaction) -> Result<Segments, HistoryError> {
        let mut segments = Segments {
            of_dimension: HashMap::default(),
            tags: HashMap::default(),
            dimension: HashMap::default(),
        };
        let mut statement = tx.prepare("SELECT id, dimension, name FROM segments")?;
        let rows = statement.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?))
        })?;
        for row in rows {
            let (id, dimension, name) = row?;
            segments.remember(id, dimension, name);
        }
        Ok(segments)
    }

    fn remember(&mut self, id: i64, dimension: Option<String>, name: String) {
        match &dimension {
            Some(d) => self.of_dimension.entry(d.clone()).or_default().insert(name, id),
            None => self.tags.insert(name, id),
        };
        self.dimension.insert(id, dimension);
    }

    /// The number of a segment of `dimension`, or of a tag (`None`).
    fn id(
        &mut self,
        tx: &rusqlite::Transaction,
        dimension: Option<&String>,
        name: &str,
    ) -> Result<i64, HistoryError> {
        let known = match dimension {
            Some(d) => self.of_dimension.get(d.as_str()).and_then(|m| m.get(name)),
            None => self.tags.get(name),
        };
        if let Some(&id) = known {
            return Ok(id);
        }
        tx.execute(
            "INSERT INTO segments (dimension, name) VALUES (?1, ?2)",
            rusqlite::params![dimension, name],
        )?;
        let id = tx.last_insert_rowid();
        self.remember(id, dimension.cloned(), name.to_string());
        Ok(id)
    }

    fn dimension_of(&self, id: i64) -> Option<&str> {
        self.dimension.get(&id).and_then(|d| d.as_deref())
    }
}
