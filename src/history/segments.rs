//! The segments and tags of a history by number: the table `segments` in memory, with
//! numbers given to new ones as a run brings them.

use super::HistoryError;
use ahash::AHashMap as HashMap;

/// The segments and tags by number, adding new ones as they come; looked up without
/// allocating, since every cell of a run is.
pub(super) struct Segments {
    /// Dimension → segment name → number.
    of_dimension: HashMap<String, HashMap<String, u32>>,
    tags: HashMap<String, u32>,
    dimension: HashMap<u32, Option<String>>,
    names: HashMap<u32, String>,
}

impl Segments {
    /// Every segment and tag the history has numbered.
    pub fn load(conn: &rusqlite::Connection) -> Result<Segments, HistoryError> {
        let mut segments = Segments {
            of_dimension: HashMap::default(),
            tags: HashMap::default(),
            dimension: HashMap::default(),
            names: HashMap::default(),
        };
        let mut statement = conn.prepare("SELECT id, dimension, name FROM segments")?;
        let rows = statement.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?))
        })?;
        for row in rows {
            let (id, dimension, name) = row?;
            segments.remember(number(id)?, dimension, name);
        }
        Ok(segments)
    }

    fn remember(&mut self, id: u32, dimension: Option<String>, name: String) {
        match &dimension {
            Some(d) => self.of_dimension.entry(d.clone()).or_default().insert(name.clone(), id),
            None => self.tags.insert(name.clone(), id),
        };
        self.names.insert(id, name);
        self.dimension.insert(id, dimension);
    }

    /// The number of a segment of `dimension`, or of a tag (`None`).
    pub fn id(
        &mut self,
        tx: &rusqlite::Connection,
        dimension: Option<&String>,
        name: &str,
    ) -> Result<u32, HistoryError> {
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
        let id = number(tx.last_insert_rowid())?;
        self.remember(id, dimension.cloned(), name.to_string());
        Ok(id)
    }

    /// The dimension of segment `id`; `None` for a tag (or a number not known).
    pub fn dimension_of(&self, id: u32) -> Option<&str> {
        self.dimension.get(&id).and_then(|d| d.as_deref())
    }

    /// The name of segment or tag `id`.
    pub fn name_of(&self, id: u32) -> Option<&str> {
        self.names.get(&id).map(String::as_str)
    }

    /// Every segment of a dimension: its number, its dimension and its name.
    pub fn of_dimensions(&self) -> impl Iterator<Item = (u32, &str, &str)> {
        self.of_dimension
            .iter()
            .flat_map(|(d, names)| names.iter().map(move |(n, &id)| (id, d.as_str(), n.as_str())))
    }
}

/// A segment's number as stored, in the range the in-memory states keep.
fn number(id: i64) -> Result<u32, HistoryError> {
    u32::try_from(id).map_err(|_| super::state::damaged())
}
