//! Aggregates over event history as SQL: per stream one grouped subquery over its table,
//! one column per aggregate, joined to the customers by id. What the language gives a
//! customer with no events (0 for `count` and `sum`, missing for the others) is what the
//! outer query reads when the join finds nothing.

use super::cells::TextTable;
use super::expr::Scope;
use super::{Refusal, SqlOptions};
use crate::cell::DateOrder;
use crate::check::typed::{AggFn, EventColumn, Ty};
use crate::check::Checked;

/// Per stream its subquery (with its alias `s{n}`), and per aggregate the SQL of its value.
pub struct EventJoins {
    pub joins: Vec<String>,
    pub values: Vec<String>,
}

/// The joins and aggregate values for `checked`'s aggregates; `customer_id` is the SQL of
/// the customer's id, as joined.
pub fn joins(checked: &Checked, options: &SqlOptions, customer_id: &str) -> Result<EventJoins, Refusal> {
    let d = options.dialect;
    let mut values = vec![String::new(); checked.aggregates.len()];
    let mut joins = Vec::new();
    for (s, (stream, span)) in checked.streams.iter().enumerate() {
        let used: Vec<usize> =
            (0..checked.aggregates.len()).filter(|&a| checked.aggregates[a].stream == s).collect();
        if used.is_empty() {
            continue;
        }
        let table = options
            .events
            .iter()
            .find(|(name, _)| name == stream)
            .map(|(_, table)| table.clone())
            .ok_or_else(|| Refusal::NoEventTable(stream.clone(), *span))?;
        // With text columns, the events' table is read through a derived table with the
        // values of its cells, as the event reader reads them (an event whose date does not
        // read is left out, as the reader leaves it out).
        let mut reading = TextTable::new(d, 'e', options.decimal_comma);
        let mut value_of = |column: &str, ty: Ty| match options.text_columns {
            true => {
                let value = reading.read(reading.len(), column, ty, DateOrder::YearFirst, &[]);
                format!("e.{}", d.ident(&value))
            }
            false => format!("e.{}", d.ident(column)),
        };
        let date = value_of(&options.event_date, Ty::Date);
        let event_fields: Vec<String> = checked
            .event_fields
            .iter()
            .map(|f| match f.ty {
                Ty::Text | Ty::List => d.trimmed_text(&format!("e.{}", d.ident(&f.column))),
                // Another stream's column: never read from this table.
                _ if f.stream != s => format!("e.{}", d.ident(&f.column)),
                ty => value_of(&f.column, ty),
            })
            .collect();
        let source = reading.sql(&d.table(&table));
        let scope = Scope {
            dialect: d,
            as_of: options.as_of,
            fields: &[],
            aggregates: &[],
            event_fields: &event_fields,
        };
        let alias = format!("s{s}");
        let mut columns =
            vec![format!("{} AS k", d.trimmed_text(&format!("e.{}", d.ident(&options.event_id))))];
        for &a in &used {
            let spec = &checked.aggregates[a];
            let (from, to) = crate::compile::events::window(options.as_of, spec.window.as_ref());
            let mut conditions = vec![format!("{date} <= {}", d.date(to))];
            if let Some(from) = from {
                conditions.push(format!("{date} > {}", d.date(from)));
            }
            if let Some(filter) = &spec.filter {
                conditions.push(scope.sql(filter)?);
            }
            let when = conditions.join(" AND ");
            let value = match spec.column {
                Some(EventColumn::Date) => date.clone(),
                Some(EventColumn::Field(f)) => event_fields[f].clone(),
                None => "1".to_string(),
            };
            let picked = format!("CASE WHEN {when} THEN {value} END");
            let column = |suffix: &str| format!("{alias}.a{a}{suffix}");
            values[a] = match spec.function {
                AggFn::Count => {
                    columns.push(format!("COUNT({picked}) AS a{a}"));
                    format!("COALESCE({}, 0)", column(""))
                }
                AggFn::Sum => {
                    columns.push(format!("SUM({picked}) AS a{a}"));
                    format!("COALESCE({}, 0)", column(""))
                }
                AggFn::Avg => {
                    columns.push(format!("SUM({picked}) AS a{a}s"));
                    columns.push(format!("COUNT({picked}) AS a{a}n"));
                    d.average(&column("s"), &column("n"))
                }
                AggFn::Min | AggFn::First => {
                    columns.push(format!("MIN({picked}) AS a{a}"));
                    column("")
                }
                AggFn::Max | AggFn::Last => {
                    columns.push(format!("MAX({picked}) AS a{a}"));
                    column("")
                }
            };
        }
        joins.push(format!(
            "LEFT JOIN (\n    SELECT {}\n    FROM {} AS e\n    WHERE {date} <= {}\n    GROUP BY 1\n) AS {alias} ON {alias}.k = {customer_id}",
            columns.join(",\n           "),
            source,
            d.date(options.as_of),
        ));
    }
    Ok(EventJoins { joins, values })
}
