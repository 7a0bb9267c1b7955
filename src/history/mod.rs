//! Membership history: an embedded SQLite file (rusqlite, SQLite built in) that remembers
//! every recorded run and, per customer and dimension, the segment it was in and from when
//! to when. Memberships are kept as intervals, not a copy per run, so an unchanged weekly
//! run adds almost nothing. A surface over the library: the engine does not know it.
//!
//! The schema (docs/history.md) is created and migrated by numbered migrations kept in
//! `PRAGMA user_version`, so a file made by one version opens in the next.

mod query;
mod record;

pub use query::{Interval, Move, RunInfo, Timeline};
pub use record::{Recorded, RunRecord, RunResults};

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
        }
    }
}

impl std::error::Error for HistoryError {}

impl From<rusqlite::Error> for HistoryError {
    fn from(e: rusqlite::Error) -> HistoryError {
        HistoryError::Database(e.to_string())
    }
}

/// The schema's migrations, in order; version N is the state after the first N.
const MIGRATIONS: [&str; 1] = [r#"
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
"#];

/// An open history file.
pub struct History {
    pub(crate) conn: Connection,
}

impl History {
    /// Opens the history at `path`, creating it when it does not exist, and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        let conn = Connection::open(path)?;
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

/// FNV-1a, 64 bits, as hex: a fingerprint of a file's bytes, to tell runs over the same
/// ruleset or data apart (not for security).
pub fn fingerprint(bytes: &[u8]) -> String {
    let hash = bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}
