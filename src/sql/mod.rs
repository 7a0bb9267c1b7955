//! A checked ruleset as one SQL query, for data that lives in a database: its rows are
//! `tradeseg run`'s results for the same customers (the id, one column per dimension with
//! the segment or NULL, and, when the ruleset has tags, `tags` as the `;`-joined text, ''
//! for none). Each dimension is a `CASE` whose first TRUE condition wins, as first match
//! does; each tag a `CASE` inside `concat_ws`; aggregates over events are grouped
//! subqueries joined by id (`events.rs`).
//! SQL's NULL logic is the language's three-valued logic. What a dialect cannot say
//! exactly is refused with a diagnostic, never approximated. docs/scale.md says when to use
//! this rather than `run`.

mod cells;
pub mod dialect;
mod events;
mod expr;

pub use dialect::Dialect;

use crate::check::Checked;
use crate::date::Day;
use crate::diagnostic::{Diagnostic, RulesError};
use crate::msg;
use crate::source::Span;
use expr::Scope;

/// How to write the query.
#[derive(Debug, Clone)]
pub struct SqlOptions {
    pub dialect: Dialect,
    /// The customers' table (`schema.table` allowed).
    pub table: String,
    /// The customers' id column.
    pub id: String,
    pub as_of: Day,
    /// Per event stream of the ruleset, its table.
    pub events: Vec<(String, String)>,
    /// The events tables' customer id column.
    pub event_id: String,
    /// The events tables' date column.
    pub event_date: String,
    /// Write `CREATE VIEW name AS …` rather than the bare query.
    pub view: Option<String>,
    /// Every column is text, as loaded raw from an export: the query reads numbers, dates
    /// and yes/no from the cells' text by the language's rules (`run`'s).
    pub text_columns: bool,
    /// With `text_columns`: numbers are written with a decimal comma (`1.200,50`), as
    /// `run --decimal-comma` reads them.
    pub decimal_comma: bool,
}

/// Why a ruleset cannot be written as SQL for a dialect.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Exact division is not expressible in the dialect.
    Division(Span),
    /// `previous(…)` and `days_in(…)` read the membership history, which is not in the
    /// database.
    History(Span),
    /// An event stream with no table given for it.
    NoEventTable(String, Span),
}

impl Refusal {
    fn diagnostic(&self, dialect: Dialect) -> Diagnostic {
        match self {
            Refusal::Division(span) => {
                Diagnostic::error(*span, msg!("sql-division", dialect = dialect.name()))
                    .label(msg!("sql-division-label"))
                    .help(msg!("sql-division-help"))
            }
            Refusal::History(span) => {
                Diagnostic::error(*span, msg!("sql-history")).help(msg!("sql-history-help"))
            }
            Refusal::NoEventTable(stream, span) => {
                Diagnostic::error(*span, msg!("sql-no-event-table", stream = stream))
                    .help(msg!("sql-no-event-table-help", stream = stream))
            }
        }
    }
}

/// The query for `checked`, or the diagnostics that say why it cannot be written.
///
/// ```
/// use tradeseg::sql::{query, Dialect, SqlOptions};
/// use tradeseg::Ruleset;
///
/// let rules = r#"dimension stars { segment "4-star" when orders >= 1  otherwise "0-star" }"#;
/// let checked = Ruleset::from_source("rules.seg", rules, ".")?.check()?;
/// let options = SqlOptions {
///     dialect: Dialect::Postgres,
///     table: "customers".into(),
///     id: "id".into(),
///     as_of: tradeseg::date::parse("2026-11-01").unwrap(),
///     events: Vec::new(),
///     event_id: "customer_id".into(),
///     event_date: "date".into(),
///     view: None,
///     text_columns: false,
///     decimal_comma: false,
/// };
/// let sql = query(&checked, &options)?;
/// assert!(sql.contains(r#"FROM "customers""#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn query(checked: &Checked, options: &SqlOptions) -> Result<String, RulesError> {
    write(checked, options).map_err(|refusal| RulesError {
        sources: checked.sources.clone(),
        diagnostics: vec![refusal.diagnostic(options.dialect)],
    })
}

fn write(checked: &Checked, options: &SqlOptions) -> Result<String, Refusal> {
    let d = options.dialect;
    let id = format!("c.{}", d.ident(&options.id));
    let customer_id = d.trimmed_text(&id);
    let events = events::joins(checked, options, &customer_id)?;
    let mut dimensions: Vec<String> = Vec::new();
    for dimension in &checked.dimensions {
        let fields = expr::field_columns(checked, options, &dimensions);
        let scope = scope(options, &fields, &events.values);
        let mut case = String::from("CASE");
        for segment in &dimension.segments {
            case.push_str(&format!(
                "\n        WHEN {} THEN {}",
                scope.sql(&segment.condition)?,
                d.text(&segment.name)
            ));
        }
        match &dimension.otherwise {
            Some(otherwise) => case.push_str(&format!("\n        ELSE {} END", d.text(&otherwise.name))),
            None if dimension.segments.is_empty() => case = format!("CAST(NULL AS {})", d.text_type()),
            None => case.push_str("\n        END"),
        }
        dimensions.push(format!("({case})"));
    }
    let fields = expr::field_columns(checked, options, &dimensions);
    let scope = scope(options, &fields, &events.values);
    let mut tags = Vec::new();
    for (name, rules) in checked.tag_groups() {
        let mut case = String::from("CASE");
        for rule in rules {
            case.push_str(&format!(
                " WHEN {} THEN {}",
                scope.sql(&checked.tags[rule].condition)?,
                d.text(name)
            ));
        }
        tags.push(format!("{case} END"));
    }
    let mut columns = vec![format!("{id} AS {}", d.ident(&options.id))];
    for (dimension, case) in checked.dimensions.iter().zip(&dimensions) {
        columns.push(format!("{case} AS {}", d.ident(&dimension.name)));
    }
    // As in `run`'s results, a ruleset without tags has no `tags` column.
    if !tags.is_empty() {
        let tags = format!("concat_ws(';',\n        {})", tags.join(",\n        "));
        columns.push(format!("{tags} AS {}", d.ident("tags")));
    }
    let customers = match options.text_columns {
        true => expr::read_cells(checked, options, &d.table(&options.table)),
        false => d.table(&options.table),
    };
    let mut sql = format!("SELECT\n    {}\nFROM {customers} AS c", columns.join(",\n    "));
    for join in &events.joins {
        sql.push('\n');
        sql.push_str(join);
    }
    if let Some(guard) = d.guard() {
        sql.push_str(&format!("\nWHERE {guard}"));
    }
    Ok(match &options.view {
        Some(view) => format!("CREATE VIEW {} AS\n{sql};\n", d.table(view)),
        None => format!("{sql};\n"),
    })
}

fn scope<'a>(
    options: &SqlOptions,
    fields: &'a [Result<String, Refusal>],
    aggregates: &'a [String],
) -> Scope<'a> {
    Scope { dialect: options.dialect, as_of: options.as_of, fields, aggregates, event_fields: &[] }
}

/// `CREATE TABLE` statements for the tables the query reads, with the columns the rules
/// read typed as the query expects them: the id and text as text, numbers as exact
/// decimals (38 digits, 12 after the point, the language's range), dates as DATE, yes/no as
/// BOOLEAN, lists as text; with `text_columns`, all as text. For loading an export into a
/// database to run the query on.
pub fn create_tables(checked: &Checked, options: &SqlOptions) -> String {
    use crate::check::typed::Ty;
    let d = options.dialect;
    let text = match d {
        Dialect::Spark => "STRING",
        Dialect::DuckDb | Dialect::Postgres => "TEXT",
    };
    let type_name = |ty: Option<Ty>| match ty {
        _ if options.text_columns => text,
        Some(Ty::Number) => "DECIMAL(38,12)",
        Some(Ty::Date) => "DATE",
        Some(Ty::Bool) => "BOOLEAN",
        _ => text,
    };
    let table = |name: &str, columns: Vec<(String, &str)>| {
        let mut seen: Vec<&str> = Vec::new();
        let mut lines = Vec::new();
        for (column, ty) in &columns {
            if !seen.contains(&column.as_str()) {
                seen.push(column);
                lines.push(format!("    {} {ty}", d.ident(column)));
            }
        }
        format!("CREATE TABLE {} (\n{}\n);\n", d.table(name), lines.join(",\n"))
    };
    let mut columns = vec![(options.id.clone(), text)];
    for field in checked.fields.iter().filter(|f| f.source.is_column()) {
        columns.push((field.column.clone(), type_name(field.ty)));
    }
    let mut out = table(&options.table, columns);
    for (s, (stream, _)) in checked.streams.iter().enumerate() {
        let Some((_, name)) = options.events.iter().find(|(n, _)| n == stream) else { continue };
        let date = if options.text_columns { text } else { "DATE" };
        let mut columns = vec![(options.event_id.clone(), text), (options.event_date.clone(), date)];
        for field in checked.event_fields.iter().filter(|f| f.stream == s) {
            columns.push((field.column.clone(), type_name(Some(field.ty))));
        }
        out.push_str(&table(name, columns));
    }
    out
}
