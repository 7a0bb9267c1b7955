//! Membership history: an embedded SQLite file (rusqlite, SQLite built in) that remembers
//! every recorded run and, per customer and dimension, the segment it was in and from when
//! to when. Memberships are kept as intervals, not a copy per run, so an unchanged weekly
//! run adds almost nothing. A surface over the library: the engine does not know it.
//!
//! The schema (docs/history.md) is created and migrated by numbered migrations kept in
//! `PRAGMA user_version`, so a file made by one version opens in the next.

mod query;
mod record;
mod segments;
mod state;

#[cfg(test)]
mod model_tests;

pub use query::{Interval, Move, Pinned, RunInfo, Timeline};
pub use record::{PinRecord, Recorded, RunRecord, RunResults};

use rusqlite::Connection;
use std::path::Path;

/// Why the history could not be read or written.
#[derive(Debug)]
pub enum HistoryError {
    /// The file could not be opened, or SQLite failed.
    Database(String),
    /// A run dated before the latest recorded one: refused, history is written forwards.
    Earlier { as_of: String, latest: String },
    /// The file was made by a newer tradeseg, whose schema this one does not know.
    Newer { version: i64 },
    /// The file is not an SQLite database: nothing was written to it.
    NotADatabase { path: String },
    /// The file is an SQLite database of something else (its tables named): nothing was
    /// written to it.
    Foreign { path: String, tables: Vec<String> },
}

impl std::fmt::Display for HistoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HistoryError::Database(message) => {
                write!(f, "{}", crate::msg!("history-database", reason = message))
            }
            HistoryError::Earlier { as_of, latest } => {
                write!(f, "{}", crate::msg!("history-earlier", as_of = as_of, latest = latest))
            }
            HistoryError::Newer { version } => {
                write!(f, "{}", crate::msg!("history-newer", version = *version, known = MIGRATIONS.len()))
            }
            HistoryError::NotADatabase { path } => {
                write!(f, "{}", crate::msg!("history-not-database", path = path))
            }
            HistoryError::Foreign { path, tables } => {
                write!(f, "{}", crate::msg!("history-foreign", path = path, tables = tables.join(", ")))
            }
        }
    }
}

impl std::error::Error for HistoryError {}

impl From<rusqlite::Error> for HistoryError {
    fn from(e: rusqlite::Error) -> HistoryError {
        HistoryError::Database(e.to_string())
    }
}

/// The schema's migrations, in order; version N is the state after the first N. A
/// migration, once released, is never changed: a new one is added.
const MIGRATIONS: [&str; 3] = [
    r#"
-- Dates are day numbers (1 is 0001-01-01, as chrono counts them); the views below show
-- them as YYYY-MM-DD for any SQLite client.
CREATE TABLE runs (
    as_of INTEGER PRIMARY KEY,           -- the run's as-of date, a day number
    as_of_date TEXT NOT NULL,            -- the same, YYYY-MM-DD
    recorded_at TEXT NOT NULL,           -- when it was recorded, RFC 3339
    ruleset_hash TEXT NOT NULL,          -- FNV-1a 64 of the ruleset's files, hex
    ruleset_text TEXT NOT NULL,          -- the main ruleset file's text
    data_name TEXT NOT NULL,
    data_hash TEXT NOT NULL,             -- FNV-1a 64 of the data file, hex
    customers INTEGER NOT NULL
);
-- A segment of a dimension, or a tag (dimension NULL).
CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    dimension TEXT,
    name TEXT NOT NULL,
    UNIQUE (dimension, name)
);
-- Every customer ever recorded, with its state at the latest run: the numbers of its
-- segments and tags, four little-endian bytes each.
CREATE TABLE customers (
    name TEXT PRIMARY KEY,
    id INTEGER NOT NULL UNIQUE,
    state BLOB NOT NULL
) WITHOUT ROWID;
-- A customer's stay in a segment or tag: from the run it entered in to the run it was no
-- longer in (NULL: still in).
CREATE TABLE stays (
    customer INTEGER NOT NULL,
    segment INTEGER NOT NULL,
    from_day INTEGER NOT NULL,
    to_day INTEGER,
    PRIMARY KEY (customer, segment, from_day)
) WITHOUT ROWID;
CREATE VIEW memberships AS
    SELECT c.name AS customer, s.dimension AS dimension, s.name AS segment,
           date(st.from_day + 1721424.5) AS from_date, date(st.to_day + 1721424.5) AS to_date
    FROM stays st JOIN customers c ON c.id = st.customer JOIN segments s ON s.id = st.segment
    WHERE s.dimension IS NOT NULL;
CREATE VIEW tag_stays AS
    SELECT c.name AS customer, s.name AS tag,
           date(st.from_day + 1721424.5) AS from_date, date(st.to_day + 1721424.5) AS to_date
    FROM stays st JOIN customers c ON c.id = st.customer JOIN segments s ON s.id = st.segment
    WHERE s.dimension IS NULL;
"#,
    r#"
-- Version 2: the customers an override pinned in each run (`run --overrides`), with why
-- and until when; the stays record the segment they were pinned to.
CREATE TABLE pins (
    as_of INTEGER NOT NULL,              -- the run
    customer INTEGER NOT NULL,
    segment INTEGER NOT NULL,            -- the segment pinned to (segments.id)
    reason TEXT NOT NULL,
    until_day INTEGER,                   -- the last day the pin holds; NULL: no end
    PRIMARY KEY (as_of, customer, segment)
) WITHOUT ROWID;
CREATE VIEW pinned AS
    SELECT date(p.as_of + 1721424.5) AS run, c.name AS customer, s.dimension AS dimension,
           s.name AS segment, p.reason AS reason, date(p.until_day + 1721424.5) AS until
    FROM pins p JOIN customers c ON c.id = p.customer JOIN segments s ON s.id = p.segment;
"#,
    r#"
-- Version 3: a run's changes go at the end of their tables instead of all over them, one
-- row per customer and run. `stays` says which segments and tags a customer entered at the
-- run of `from_day` (a JSON list of their numbers); `ends`, apart, which it left at the
-- run of `to_day`, each with the day its stay began (a JSON list of [segment, from_day]).
-- The state of every customer at a run is kept as one blob (a snapshot), written again
-- only when the changes since pass a quarter of the customers.
CREATE TABLE stays_by_day (
    from_day INTEGER NOT NULL,
    customer INTEGER NOT NULL,
    segments TEXT NOT NULL,
    PRIMARY KEY (from_day, customer)
) WITHOUT ROWID;
INSERT INTO stays_by_day
    SELECT from_day, customer, json_group_array(segment)
    FROM (SELECT from_day, customer, segment FROM stays ORDER BY from_day, customer, segment)
    GROUP BY from_day, customer;
CREATE TABLE ends (
    to_day INTEGER NOT NULL,
    customer INTEGER NOT NULL,
    segments TEXT NOT NULL,
    PRIMARY KEY (to_day, customer)
) WITHOUT ROWID;
INSERT INTO ends
    SELECT to_day, customer, json_group_array(json_array(segment, from_day))
    FROM (SELECT to_day, customer, segment, from_day FROM stays WHERE to_day IS NOT NULL
          ORDER BY to_day, customer, segment)
    GROUP BY to_day, customer;
DROP VIEW memberships;
DROP VIEW tag_stays;
DROP TABLE stays;
ALTER TABLE stays_by_day RENAME TO stays;
ALTER TABLE customers DROP COLUMN state;
CREATE TABLE snapshots (
    as_of INTEGER PRIMARY KEY,           -- the run whose state it is
    customers INTEGER NOT NULL,
    state BLOB NOT NULL                  -- tradeseg's own format (docs/history.md)
);
-- Every stay, one row per customer and segment, with the day it ended (NULL: still in).
CREATE VIEW stay_rows AS
    SELECT st.customer AS customer, CAST(j.value AS INTEGER) AS segment, st.from_day AS from_day,
           e.to_day AS to_day
    FROM stays st, json_each(st.segments) j
    LEFT JOIN (SELECT e.customer AS customer, json_extract(k.value, '$[0]') AS segment,
                      json_extract(k.value, '$[1]') AS from_day,
                      e.to_day AS to_day
               FROM ends e, json_each(e.segments) k) e
        ON e.customer = st.customer AND e.segment = j.value AND e.from_day = st.from_day;
CREATE VIEW memberships AS
    SELECT c.name AS customer, s.dimension AS dimension, s.name AS segment,
           date(r.from_day + 1721424.5) AS from_date, date(r.to_day + 1721424.5) AS to_date
    FROM stay_rows r JOIN customers c ON c.id = r.customer JOIN segments s ON s.id = r.segment
    WHERE s.dimension IS NOT NULL;
CREATE VIEW tag_stays AS
    SELECT c.name AS customer, s.name AS tag,
           date(r.from_day + 1721424.5) AS from_date, date(r.to_day + 1721424.5) AS to_date
    FROM stay_rows r JOIN customers c ON c.id = r.customer JOIN segments s ON s.id = r.segment
    WHERE s.dimension IS NULL;
"#,
];

/// An open history file.
pub struct History {
    pub(crate) conn: Connection,
}

impl History {
    /// Opens the history at `path`, creating it when it does not exist, and brings its
    /// schema up to date.
    ///
    /// ```
    /// use tradeseg::history::History;
    ///
    /// let folder = tempfile::tempdir()?;
    /// let history = History::open(&folder.path().join("history.db"))?;
    /// assert!(history.runs()?.is_empty());
    /// assert_eq!(history.timeline("C001")?, None); // a customer no run has seen
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        let conn = Connection::open(path)?;
        // Looked at before anything is written: a file that is not a history (another
        // program's database, a spreadsheet given by mistake) is left as it was.
        Self::check_is_history(&conn, path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // With WAL, a crash loses at most the last transaction, never the file.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // 64 MiB of pages in memory: a run's changes are written once, not spilled.
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let history = History { conn };
        history.migrate()?;
        Ok(history)
    }

    /// An error unless the file is a membership history or empty (new): not an SQLite
    /// database at all, or one with tables and no schema version of ours.
    fn check_is_history(conn: &Connection, path: &Path) -> Result<(), HistoryError> {
        let shown = || path.display().to_string();
        let version = conn.pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0));
        let version = match version {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
                return Err(HistoryError::NotADatabase { path: shown() })
            }
            other => other?,
        };
        if version > 0 {
            return Ok(());
        }
        let mut listed =
            conn.prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")?;
        let tables = listed.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
        match tables.is_empty() {
            true => Ok(()),
            false => Err(HistoryError::Foreign { path: shown(), tables }),
        }
    }

    /// Applies the migrations the file has not had yet, each in its own transaction.
    fn migrate(&self) -> Result<(), HistoryError> {
        let version: i64 = self.conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version > MIGRATIONS.len() as i64 {
            return Err(HistoryError::Newer { version });
        }
        for (n, migration) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            let sql = format!("BEGIN;\n{migration}\nPRAGMA user_version = {};\nCOMMIT;", n + 1);
            self.conn.execute_batch(&sql)?;
        }
        Ok(())
    }
}

/// A fingerprint of bytes, as 16 hex digits, to tell runs over the same ruleset or data
/// apart (not for security): FNV-1a over the bytes taken eight at a time as little-endian
/// words, the last few one by one, so that a 100 MB export takes a few milliseconds.
pub fn fingerprint(bytes: &[u8]) -> String {
    format!("{:016x}", Fingerprint::default().feed(bytes).0)
}

/// [`fingerprint`] of a file, read a block at a time (an export is not held in memory).
pub fn fingerprint_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut block = vec![0u8; 1 << 20];
    let mut print = Fingerprint::default();
    loop {
        // Whole blocks (a multiple of eight bytes) but the last, so that words line up.
        let mut filled = 0;
        while filled < block.len() {
            match file.read(&mut block[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        print = print.feed(&block[..filled]);
        if filled < block.len() {
            return Ok(format!("{:016x}", print.0));
        }
    }
}

/// FNV-1a state over 64-bit words.
struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Fingerprint {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }
}

impl Fingerprint {
    const PRIME: u64 = 0x0100_0000_01b3;

    fn feed(mut self, bytes: &[u8]) -> Fingerprint {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            self.0 = (self.0 ^ word).wrapping_mul(Self::PRIME);
        }
        for &b in words.remainder() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(Self::PRIME);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_fingerprints_as_its_bytes_do_across_block_ends() {
        let dir = tempfile::tempdir().unwrap();
        for len in [0, 7, 8, 9, (1 << 20) - 1, 1 << 20, (1 << 20) + 13] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let path = dir.path().join("f");
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(fingerprint_file(&path).unwrap(), fingerprint(&bytes), "{len} bytes");
        }
        assert_ne!(fingerprint(b"id,a\nC1,1\n"), fingerprint(b"id,a\nC1,2\n"));
    }

    #[test]
    fn a_version_1_file_is_migrated_and_keeps_its_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let conn = Connection::open(&path).unwrap();
            let sql = format!("BEGIN;\n{}\nPRAGMA user_version = 1;\nCOMMIT;", MIGRATIONS[0]);
            conn.execute_batch(&sql).unwrap();
            conn.execute(
                "INSERT INTO runs VALUES (739556, '2025-10-01', 'x', 'r', 't', 'd.csv', 'h', 3)",
                [],
            )
            .unwrap();
        }
        let history = History::open(&path).unwrap();
        let version: i64 = history.conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        assert_eq!(history.runs().unwrap().len(), 1);
        let pins: i64 = history.conn.query_row("SELECT count(*) FROM pins", [], |r| r.get(0)).unwrap();
        assert_eq!(pins, 0);
    }

    /// Another program's database, or a file that is no database, given as the history:
    /// refused, and left byte for byte as it was (no tables added, no journal mode set).
    #[test]
    fn a_file_that_is_not_a_history_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("crm.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE orders (id TEXT); CREATE TABLE notes (t TEXT);")
            .unwrap();
        let text = dir.path().join("customers.csv");
        std::fs::write(&text, "id,name\nC1,Acme\n".repeat(300)).unwrap();
        for (path, wanted) in [(&other, "tables: notes, orders"), (&text, "not an SQLite database")] {
            let before = std::fs::read(path).unwrap();
            let refused = History::open(path).err().expect("refused").to_string();
            assert!(refused.contains(wanted), "{refused}");
            assert!(refused.contains(&path.display().to_string()), "{refused}");
            assert_eq!(std::fs::read(path).unwrap(), before);
        }
        // A new file, and an empty one, become histories.
        std::fs::write(dir.path().join("empty.db"), b"").unwrap();
        for name in ["new.db", "empty.db"] {
            assert!(History::open(&dir.path().join(name)).unwrap().runs().unwrap().is_empty());
        }
    }
}
