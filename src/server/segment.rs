//! Segmenting records a program sends (`POST /api/segment`): a CRM asks, one customer or a
//! few at a time, where the saved ruleset puts them. The ruleset is hot-reloaded; an edit
//! that does not check keeps the last good one in service.

use crate::assignments::Assignments;
use crate::check::Checked;
use crate::date::Day;
use crate::events::EventInput;
use crate::messages::Message;
use crate::record::InputFormat;
use crate::reload::Live;
use crate::run::{Extras, RunError, RunOptions};
use serde_json::{Map, Value};
use std::io::Cursor;

/// The saved ruleset, kept current, and how records are read.
pub struct Segmenter {
    pub live: Live<Checked>,
    /// The id column, and the as-of date when a request gives none (`None`: the day of
    /// the request).
    pub options: RunOptions,
    pub as_of: Option<Day>,
    /// Event streams the rules read, held in memory.
    pub events: Vec<EventInput>,
}

impl Segmenter {
    /// Segments `body`, a JSON array of records (or one record), as of `as_of`: per record
    /// its id, its segment per dimension (`null`: none) and its tags.
    pub fn segment(
        &self,
        body: impl AsRef<[u8]> + Send + 'static,
        as_of: Option<Day>,
    ) -> Result<Vec<Value>, Message> {
        let checked = self.live.current();
        let mut options = self.options.clone();
        options.input_format = InputFormat::Json;
        options.threads = 1;
        options.compile.as_of = as_of.or(self.as_of).unwrap_or_else(crate::date::today);
        let mut assignments = Assignments::default();
        let extras = Extras { events: &self.events, outcomes: Some(&mut assignments), ..Extras::default() };
        let input = Box::new(Cursor::new(body));
        let report = match crate::run::run_with(&checked, extras, input, &mut std::io::sink(), &options, None)
        {
            Ok(report) => report,
            Err(RunError::Bind(e)) => {
                let first = e.diagnostics.first().map(|d| d.message.clone());
                return Err(first.unwrap_or_else(|| crate::msg!("test-does-not-compile")));
            }
            Err(RunError::Input(error)) => return Err(error.message()),
            Err(e) => return Err(crate::msg!("studio-run-failed", reason = e.to_string())),
        };
        if report.unreadable > 0 {
            let first = report.data_errors.first().map(|e| e.to_string()).unwrap_or_default();
            return Err(crate::msg!("server-unreadable-records", count = report.unreadable, first = first));
        }
        Ok((0..assignments.len())
            .map(|customer| {
                let mut row = Map::new();
                row.insert(
                    options.compile.id_column.clone(),
                    Value::String(assignments.id(customer).to_string()),
                );
                for (d, (name, _)) in assignments.dimensions.iter().enumerate() {
                    let segment =
                        assignments.segment(customer, d).map_or(Value::Null, |s| Value::String(s.into()));
                    row.insert(name.clone(), segment);
                }
                let tags = assignments.tags_of(customer).map(|t| Value::String(t.into())).collect();
                row.insert("tags".into(), Value::Array(tags));
                Value::Object(row)
            })
            .collect())
    }
}
