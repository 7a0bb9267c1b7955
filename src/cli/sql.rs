//! `tradeseg sql RULES --dialect duckdb --table customers`: prints the ruleset as one SQL
//! query ([`tradeseg::sql`]) whose rows are `run`'s results, for data kept in a database.

use super::Exit;
use std::path::PathBuf;
use tradeseg::msg;
use tradeseg::sql::{Dialect, SqlOptions};

/// Arguments of `tradeseg sql`.
#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// The ruleset file.
    pub rules: PathBuf,
    /// The SQL engine to write for.
    #[arg(long, value_enum)]
    pub dialect: DialectArg,
    /// The customers' table (`schema.table` allowed).
    #[arg(long, value_name = "NAME")]
    pub table: String,
    /// The customers' id column.
    #[arg(long, value_name = "COLUMN", default_value = "id")]
    pub id: String,
    /// As-of date for time-relative rules (default: today), written into the query.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    pub as_of: Option<i32>,
    /// The table of an event stream the rules read, as NAME=TABLE; repeat for more.
    #[arg(long, value_name = "NAME=TABLE")]
    pub events: Vec<String>,
    /// The customer id column of the events tables.
    #[arg(long, value_name = "COLUMN", default_value = "customer_id")]
    pub event_id: String,
    /// The date column of the events tables.
    #[arg(long, value_name = "COLUMN", default_value = "date")]
    pub event_date: String,
    /// Write `CREATE VIEW NAME AS …` instead of the bare query.
    #[arg(long, value_name = "NAME")]
    pub view: Option<String>,
    /// Every column of the tables is text, as loaded raw from an export: the query reads
    /// numbers, dates and yes/no from the text by the language's rules, as `run` reads a
    /// file (an unreadable cell is missing).
    #[arg(long)]
    pub text_columns: bool,
    /// With --text-columns: numbers are written with a decimal comma (`1.200,50`), as
    /// `run --decimal-comma` reads them.
    #[arg(long, requires = "text_columns")]
    pub decimal_comma: bool,
    /// Print `CREATE TABLE` statements for the tables the query reads, with the columns
    /// the rules read typed as it expects them, instead of the query.
    #[arg(long)]
    pub create_tables: bool,
}

/// `--dialect` of `sql`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DialectArg {
    Duckdb,
    Postgres,
    Spark,
}

/// Runs `tradeseg sql`.
pub fn run(args: SqlArgs) -> Exit {
    let checked = match super::load_checked_with(&args.rules, false) {
        Ok(checked) => checked,
        Err(exit) => return exit,
    };
    let mut events = Vec::new();
    for spec in &args.events {
        let Some((name, table)) =
            spec.split_once('=').filter(|(n, t)| !n.trim().is_empty() && !t.trim().is_empty())
        else {
            super::say_error(msg!("events-arg-form", spec = spec.as_str()));
            return Exit::Usage;
        };
        events.push((name.trim().to_string(), table.trim().to_string()));
    }
    let options = SqlOptions {
        dialect: match args.dialect {
            DialectArg::Duckdb => Dialect::DuckDb,
            DialectArg::Postgres => Dialect::Postgres,
            DialectArg::Spark => Dialect::Spark,
        },
        table: args.table.clone(),
        id: args.id.clone(),
        as_of: args.as_of.unwrap_or_else(tradeseg::date::today),
        events,
        event_id: args.event_id.clone(),
        event_date: args.event_date.clone(),
        view: args.view.clone(),
        text_columns: args.text_columns,
        decimal_comma: args.decimal_comma,
    };
    if args.create_tables {
        out!("{}", tradeseg::sql::create_tables(&checked, &options));
        return Exit::Done;
    }
    match tradeseg::sql::query(&checked, &options) {
        Ok(sql) => {
            if checked.has_actions() {
                super::say(msg!("sql-actions-not-run"));
            }
            out!("{sql}");
            Exit::Done
        }
        Err(e) => {
            super::report::diagnostics(&e.diagnostics, &e.sources);
            Exit::Usage
        }
    }
}
