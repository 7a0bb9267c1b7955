//! The follow-up plan: one task per row, with the customer, the segment and script that
//! made it, and the task's fields; and errors scripts ran into.

use super::script_date::ScriptDate;
use crate::messages::Message;
use crate::msg;
use rhai::{Dynamic, EvalAltResult, Map};
use serde::Serialize;
use std::fmt;

/// The plan file's format, chosen by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    Csv,
    Json,
}

impl PlanFormat {
    /// `.json` → JSON, anything else CSV.
    pub fn from_path(path: &str) -> PlanFormat {
        if path.to_ascii_lowercase().ends_with(".json") {
            PlanFormat::Json
        } else {
            PlanFormat::Csv
        }
    }
}

/// One follow-up task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub customer: String,
    /// The dimension whose segment ran the script, or `tags`.
    pub dimension: String,
    pub segment: String,
    pub script: String,
    pub title: String,
    /// `YYYY-MM-DD`, or empty.
    pub due: String,
    pub priority: String,
    pub owner: String,
    pub channel: String,
    pub message: String,
}

/// The plan's columns, in order.
pub const PLAN_COLUMNS: [&str; 10] =
    ["customer", "dimension", "segment", "script", "title", "due", "priority", "owner", "channel", "message"];

/// A task as a script passed it to `task(…)`, with the segment and the script that made
/// it: the plan is written from its values where they are, without copying each into a
/// [`Task`] first.
#[derive(Debug)]
pub struct Planned<'a> {
    /// The dimension whose segment ran the script, or `tags`.
    pub dimension: &'a str,
    pub segment: &'a str,
    pub script: &'a str,
    fields: Map,
}

impl<'a> Planned<'a> {
    /// A task from the fields a script passed to `task(…)`.
    pub fn new(fields: Map, dimension: &'a str, segment: &'a str, script: &'a str) -> Planned<'a> {
        Planned { dimension, segment, script, fields }
    }

    /// Hands `f` the text of `title`, `due`, `priority`, `owner`, `channel` and `message`
    /// in turn (the plan's last six columns), read where the values are: dates
    /// `YYYY-MM-DD`, a value not given empty, the owner `default_owner` when none is given.
    pub fn each_text(&self, default_owner: &str, f: impl FnMut(&str)) {
        each_text(&self.fields, default_owner, f);
    }

    /// The task with its values as text, for `customer`; the owner defaults to
    /// `default_owner` (the customer's `owner` column).
    pub fn to_task(&self, customer: &str, default_owner: &str) -> Task {
        Task::new(&self.fields, customer, self.dimension, self.segment, self.script, default_owner)
    }
}

/// Hands `f` the text of a task's `title`, `due`, `priority`, `owner`, `channel` and
/// `message` in turn, as the plan writes them: dates `YYYY-MM-DD`, a value not given or
/// `()` empty, and the owner `default_owner` (the customer's `owner` column) when the task
/// names none.
fn each_text(fields: &Map, default_owner: &str, mut f: impl FnMut(&str)) {
    let mut values = [None; 6];
    // One pass over the fields rather than a look-up for each.
    for (key, value) in fields {
        if let Some(i) = super::sandbox::task_key(key) {
            values[i] = Some(value);
        }
    }
    let owner = super::sandbox::task_key("owner");
    for (i, value) in values.into_iter().enumerate() {
        with_text(value, |text| f(if Some(i) == owner && text.is_empty() { default_owner } else { text }));
    }
}

impl Task {
    /// A task from what a script passed to `task(…)`; the owner defaults to
    /// `default_owner` (the customer's `owner` column).
    pub fn new(
        fields: &Map,
        customer: &str,
        dimension: &str,
        segment: &str,
        script: &str,
        default_owner: &str,
    ) -> Task {
        let mut texts = Vec::with_capacity(6);
        each_text(fields, default_owner, |text| texts.push(text.to_string()));
        let [title, due, priority, owner, channel, message]: [String; 6] =
            texts.try_into().unwrap_or_default();
        Task {
            customer: customer.to_string(),
            dimension: dimension.to_string(),
            segment: segment.to_string(),
            script: script.to_string(),
            title,
            due,
            priority,
            owner,
            channel,
            message,
        }
    }

    /// The fields in [`PLAN_COLUMNS`] order.
    pub fn fields(&self) -> [&str; 10] {
        [
            &self.customer,
            &self.dimension,
            &self.segment,
            &self.script,
            &self.title,
            &self.due,
            &self.priority,
            &self.owner,
            &self.channel,
            &self.message,
        ]
    }
}

/// Hands `f` a value as plan text (dates `YYYY-MM-DD`, `()` empty), text without copying
/// it; a value not given is empty.
fn with_text<R>(value: Option<&Dynamic>, f: impl FnOnce(&str) -> R) -> R {
    match value {
        None => f(""),
        Some(value) => match value.read_lock::<rhai::ImmutableString>() {
            Some(held) => f(held.as_str()),
            None => f(&text(value)),
        },
    }
}

/// A value as plan text: dates `YYYY-MM-DD`, `()` empty.
pub fn text(value: &Dynamic) -> String {
    if value.is_unit() {
        String::new()
    } else if let Some(text) = value.read_lock::<rhai::ImmutableString>() {
        // Most values are text: copied as they are, not formatted (`to_string` would go
        // through the formatter).
        String::from(text.as_str())
    } else if let Some(date) = value.read_lock::<ScriptDate>() {
        crate::date::format_naive(date.0)
    } else {
        value.to_string()
    }
}

/// A script's run-time error, for one customer. The run went on without its tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionError {
    pub customer: String,
    pub script: String,
    pub line: Option<usize>,
    pub message: Message,
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match self.line {
            Some(line) => {
                msg!("script-error-at-line", customer = &self.customer, script = &self.script, line = line)
            }
            None => msg!("script-error-at", customer = &self.customer, script = &self.script),
        };
        write!(f, "{place}: {}", self.message)
    }
}

/// An error in words: the sandbox's limits say which limit stopped the script.
pub fn describe(error: &EvalAltResult) -> Message {
    match error {
        EvalAltResult::ErrorTooManyOperations(_) => msg!("script-too-many-steps"),
        EvalAltResult::ErrorStackOverflow(_) => msg!("script-too-deep"),
        EvalAltResult::ErrorTerminated(reason, _) => msg!("script-stopped", reason = reason.to_string()),
        EvalAltResult::ErrorDataTooLarge(what, _) => msg!("script-too-large", what = what.to_lowercase()),
        EvalAltResult::ErrorRuntime(value, _) => msg!("script-failed", reason = value.to_string()),
        other => msg!(
            "script-error-detail",
            detail = other.to_string().split(" (line").next().unwrap_or_default().to_string()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(fields: &[(&str, Dynamic)]) -> Task {
        let map: Map = fields.iter().map(|(k, v)| ((*k).into(), v.clone())).collect();
        Task::new(&map, "C1", "stars", "1-star", "actions/note.rhai", "Li Na")
    }

    /// Each key goes to its column; dates are written `YYYY-MM-DD`; an owner given wins
    /// over the customer's, an empty or missing one does not.
    #[test]
    fn a_task_takes_each_field_to_its_column() {
        let due = Dynamic::from(ScriptDate(chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("a date")));
        let full = task(&[
            ("title", "Call".into()),
            ("due", due),
            ("priority", "high".into()),
            ("owner", "Wang Wei".into()),
            ("channel", "phone".into()),
            ("message", "Dear Acme, hello".into()),
        ]);
        let expected =
            ["C1", "stars", "1-star", "actions/note.rhai", "Call", "2026-11-02", "high", "Wang Wei"];
        assert_eq!(full.fields()[..8], expected);
        assert_eq!(full.fields()[8..], ["phone", "Dear Acme, hello"]);
        assert_eq!(task(&[("title", "Call".into())]).owner, "Li Na");
        assert_eq!(task(&[("title", "Call".into()), ("owner", "".into())]).owner, "Li Na");
        assert_eq!(task(&[("title", "Call".into()), ("owner", Dynamic::UNIT)]).owner, "Li Na");
        let sparse = task(&[("title", 7_i64.into())]);
        assert_eq!(sparse.fields()[4..], ["7", "", "", "Li Na", "", ""]);
    }
}
