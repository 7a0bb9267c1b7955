//! # tradeseg
//!
//! Customer-segmentation rules for export sales teams. A rule author writes a ruleset
//! (dimensions of first-match segments, tags, named conditions) and tradeseg runs it over
//! the customer export of a CRM or spreadsheet. The pipeline has four phases, each a
//! module and a type:
//!
//! ```text
//! text ──parse──▶ Ruleset ──check──▶ Checked ──compile(+ data layout)──▶ Program ──evaluate──▶ Outcome
//!        load/syntax          check                 compile                          eval, run
//! ```
//!
//! An unchecked ruleset cannot be compiled and an uncompiled one cannot be evaluated: the
//! types see to it. Every phase returns plain data, and errors are [`Diagnostic`]s that
//! point into the ruleset's source and render with the line and a caret.
//!
//! ```
//! use tradeseg::{CompileOptions, Ruleset, Schema};
//!
//! let rules = r#"
//!     dimension stars {
//!         segment "4-star" when orders >= 1
//!         segment "2-star" when inquiries >= 2 and orders == 0
//!         otherwise "0-star"
//!     }
//!     segment "oem-partner" when identity == "OEM"
//! "#;
//! let checked = Ruleset::from_source("rules.seg", rules, ".")?.check()?;
//! let schema = Schema::from_header(["id", "orders", "inquiries", "identity"]);
//! let (program, _warnings) = checked.compile(&schema, &CompileOptions::new("2026-11-01")?)?;
//!
//! let mut evaluator = program.evaluator();
//! let customer = ["C001", "0", "3", "OEM"];
//! let outcome = evaluator.evaluate_columns(|column| customer.get(column).copied());
//! assert_eq!(program.segment_name(0, outcome), Some("2-star"));
//! assert_eq!(program.tag_names(outcome).collect::<Vec<_>>(), ["oem-partner"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Where to start
//!
//! | To … | use |
//! |---|---|
//! | segment a whole export (CSV, JSON, NDJSON), streaming, on every core | [`run::run`], [`run::run_with`] (events, scripts, overrides) |
//! | say why a customer landed where it did | [`explain::find_and_explain`] |
//! | run a ruleset's `test` blocks, or its sample against its snapshot | [`verify::run_tests`], [`snapshot::run_sample`] |
//! | keep a ruleset current in a long-running program | [`reload::Live`] |
//! | turn a ruleset into one SQL query for DuckDB or PostgreSQL | [`sql::query`] |
//! | remember runs, who moved and since when (SQLite) | `history::History` (feature `history`) |
//! | read and write spreadsheets | `workbook` (feature `workbooks`) |
//! | serve the studio or the HTTP API | `server` (feature `server`) |
//! | lay a ruleset out canonically | [`format::format_ruleset`] |
//! | put any message into English or Chinese words | [`messages`] |
//!
//! Errors are data: a ruleset's problems are [`RulesError`]s (every [`Diagnostic`] with its
//! place, label and fix); a run that cannot go on says why as a [`run::RunError`]
//! (customer data that cannot be read is a [`record::InputError`]); a cell that does not
//! read is a [`record::data_error::DataError`] in the run's [`Report`], and the run goes on.
//!
//! The engine's internals (the syntax tree, the typed tree, the compiled program, the
//! evaluator's rows) are private. The `unstable-internals` feature makes them public
//! modules for tools that need them; they change between versions without notice.

#![forbid(unsafe_code)]
#![warn(unnameable_types)]
// Diagnostics travel by value on the cold error path, as plain data tests compare.
#![allow(clippy::result_large_err)]

/// Declares a module of the engine's internals (the syntax tree, the typed tree, the
/// compiled program, the evaluator's parts): crate-private, public only with the
/// `unstable-internals` feature, for tools that need them and accept that they change.
macro_rules! internal_mod {
    ($name:ident) => {
        #[cfg(feature = "unstable-internals")]
        pub mod $name;
        #[cfg(not(feature = "unstable-internals"))]
        pub(crate) mod $name;
    };
}
pub(crate) use internal_mod;

pub mod access;
pub mod actions;
pub mod assignments;
#[cfg(test)]
mod cases;
pub mod cell;
pub mod check;
internal_mod!(compile);
pub(crate) mod cores;
pub mod date;
pub mod decimal;
pub mod diagnostic;
pub mod error;
internal_mod!(eval);
pub mod events;
pub mod explain;
pub mod format;
#[cfg(feature = "history")]
pub mod history;
pub mod load;
pub mod membership;
pub mod messages;
pub mod overrides;
pub mod pages;
internal_mod!(program);
pub mod record;
pub mod reload;
pub mod run;
#[cfg(feature = "server")]
pub mod server;
pub mod snapshot;
pub mod source;
pub mod sql;
internal_mod!(syntax);
pub mod verify;
#[cfg(feature = "workbooks")]
pub mod workbook;

pub use check::Checked;
pub use compile::{CompileOptions, Program, Schema};
pub use diagnostic::{Diagnostic, RulesError};
pub use eval::{CellError, Evaluator, Outcome};
pub use load::Ruleset;
pub use run::{Report, RunOptions};

use std::fmt;

impl Ruleset {
    /// Checks the ruleset: names, types, every problem at once.
    pub fn check(self) -> Result<Checked, RulesError> {
        check::check(self)
    }
}

impl Checked {
    /// Compiles for data with the given columns; an unknown column is an error.
    pub fn compile(
        &self,
        schema: &Schema,
        options: &CompileOptions,
    ) -> Result<(Program, Vec<Diagnostic>), RulesError> {
        compile::compile(self, schema, options)
            .map_err(|diagnostics| RulesError { sources: self.sources.clone(), diagnostics })
    }
}

impl Program {
    /// An evaluator with its own buffers; make one per thread.
    pub fn evaluator(&self) -> Evaluator<'_> {
        Evaluator::new(self)
    }
}

impl CompileOptions {
    /// Options with an as-of date (`YYYY-MM-DD`) and the id column `id`.
    pub fn new(as_of: &str) -> Result<CompileOptions, BadDate> {
        Ok(CompileOptions {
            as_of: date::parse(as_of).ok_or_else(|| BadDate(as_of.to_string()))?,
            id_column: "id".to_string(),
            decimal_comma: false,
        })
    }
}

/// A date argument that is not a calendar date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadDate(pub String);

impl BadDate {
    /// What is wrong, as a message.
    pub fn message(&self) -> messages::Message {
        msg!("not-a-date", text = &self.0)
    }
}

impl fmt::Display for BadDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message())
    }
}

impl std::error::Error for BadDate {}
