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
}

/// A run's results: per customer, its segment in each dimension and its tags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunResults {
    pub dimensions: Vec<String>,
    /// Id, segment per dimension (in `dimensions` order), tags.
    pub customers: Vec<(String, Vec<Option<String>>, Vec<String>)>,
}

impl RunResults {
    /// Reads results as `tradeseg run` writes them in CSV with no kept columns and no
    /// prefix: the id, one column per dimension, then `tags` (`;`-separated).
    pub fn from_csv(text: &[u8], dimensions: &[String]) -> Result<RunResults, HistoryError> {
        let bad =
            |e: csv::Error| HistoryError::Database(format!("the run's results could not be read back: {e}"));
        let mut reader = csv::ReaderBuilder::new().from_reader(text);
        let header: Vec<String> = reader.headers().map_err(bad)?.iter().map(str::to_string).collect();
        let column = |name: &str| header.iter().position(|h| h == name);
        let dimension_columns: Vec<Option<usize>> = dimensions.iter().map(|d| column(d)).collect();
        let tags_column = column("tags");
        let mut results = RunResults { dimensions: dimensions.to_vec(), customers: Vec::new() };
        for record in reader.records() {
            let record = record.map_err(bad)?;
            let id = record.get(0).unwrap_or_default().to_string();
            if id.is_empty() {
                continue;
            }
            let segments = dimension_columns
                .iter()
                .map(|c| c.and_then(|c| record.get(c)).filter(|s| !s.is_empty()).map(str::to_string))
                .collect();
            let tags = tags_column
                .and_then(|c| record.get(c))
                .map(|t| t.split(';').filter(|t| !t.is_empty()).map(str::to_string).collect())
                .unwrap_or_default();
            results.customers.push((id, segments, tags));
        }
        Ok(results)
    }
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
    /// Records a run's results as of `run.as_of`, in one transaction. A run dated before
    /// the latest recorded one is refused; one of the same date replaces it.
    pub fn record(&mut self, run: &RunRecord, results: &RunResults) -> Result<Recorded, HistoryError> {
        let as_of = date::format(run.as_of);
        let day = i64::from(run.as_of);
        let tx = self.conn.transaction()?;
        let latest: Option<i64> = tx.query_row("SELECT max(as_of) FROM runs", [], |r| r.get(0))?;
        let replaced = latest == Some(day);
        if let Some(latest) = latest.filter(|&l| l > day) {
            return Err(HistoryError::Earlier { as_of, latest: date::format(latest as Day) });
        }
        if replaced {
            undo(&tx, day)?;
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
                results.customers.len() as i64,
            ],
        )?;
        let mut segments = Segments::load(&tx)?;
        let mut customers = load_customers(&tx)?;
        let mut next_id: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM customers", [], |r| r.get(0))?;
        let mut moved = vec![0u64; results.dimensions.len()];
        let mut tags_changed = 0u64;
        {
            let mut open = tx.prepare_cached(
                "INSERT OR REPLACE INTO stays (customer, segment, from_day) VALUES (?1, ?2, ?3)",
            )?;
            let mut close = tx.prepare_cached(
                "UPDATE stays SET to_day = ?3 WHERE customer = ?1 AND segment = ?2 AND to_day IS NULL",
            )?;
            let mut keep =
                tx.prepare_cached("INSERT OR REPLACE INTO customers (name, id, state) VALUES (?1, ?2, ?3)")?;
            for (name, in_dimensions, tags) in &results.customers {
                let mut state: State = Vec::with_capacity(in_dimensions.len() + tags.len());
                for (d, segment) in in_dimensions.iter().enumerate() {
                    if let Some(segment) = segment {
                        state.push(segments.id(&tx, Some(&results.dimensions[d]), segment)?);
                    }
                }
                for tag in tags {
                    state.push(segments.id(&tx, None, tag)?);
                }
                state.sort_unstable();
                state.dedup();
                let (id, before) = match customers.remove(name.as_str()) {
                    Some(known) => known,
                    None => {
                        next_id += 1;
                        (next_id - 1, Vec::new())
                    }
                };
                if before == state {
                    continue;
                }
                for &left in before.iter().filter(|s| !state.contains(s)) {
                    close.execute(rusqlite::params![id, left, day])?;
                }
                for &entered in state.iter().filter(|s| !before.contains(s)) {
                    open.execute(rusqlite::params![id, entered, day])?;
                }
                count_changes(&before, &state, &segments, &results.dimensions, &mut moved, &mut tags_changed);
                keep.execute(rusqlite::params![name, id, pack(&state)])?;
            }
            // Customers no longer in the data leave everything they were in.
            for (name, (id, before)) in customers.into_iter().filter(|(_, (_, state))| !state.is_empty()) {
                for &left in &before {
                    close.execute(rusqlite::params![id, left, day])?;
                }
                count_changes(&before, &[], &segments, &results.dimensions, &mut moved, &mut tags_changed);
                keep.execute(rusqlite::params![name, id, pack(&[])])?;
            }
        }
        tx.commit()?;
        let moved = results
            .dimensions
            .iter()
            .cloned()
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

/// Takes back the run of `day`: the stays it opened are removed, the ones it closed are
/// open again, and each customer's kept state is rebuilt from the stays still open.
fn undo(tx: &rusqlite::Transaction, day: i64) -> Result<(), HistoryError> {
    tx.execute("DELETE FROM stays WHERE from_day = ?1", [day])?;
    tx.execute("UPDATE stays SET to_day = NULL WHERE to_day = ?1", [day])?;
    tx.execute("DELETE FROM runs WHERE as_of = ?1", [day])?;
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

/// Every customer ever recorded: name → (number, kept state).
fn load_customers(tx: &rusqlite::Transaction) -> Result<HashMap<String, (i64, State)>, HistoryError> {
    let mut statement = tx.prepare("SELECT name, id, state FROM customers")?;
    let rows = statement.query_map([], |r| {
        let state: Vec<u8> = r.get(2)?;
        Ok((r.get::<_, String>(0)?, (r.get::<_, i64>(1)?, unpack(&state))))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A state as bytes: each number as four little-endian bytes.
fn pack(state: &[i64]) -> Vec<u8> {
    state.iter().flat_map(|&s| (s as u32).to_le_bytes()).collect()
}

fn unpack(bytes: &[u8]) -> State {
    bytes.chunks_exact(4).map(|c| i64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect()
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
