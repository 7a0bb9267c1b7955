//! Checked expressions as SQL. The language's missing values are SQL's NULLs and its
//! three-valued logic is SQL's, so most forms translate one for one; what needs care is
//! said where it is done (exact products and quotients, trimmed text, list cells).

use super::cells::{value_column, TextTable};
use super::dialect::Dialect;
use super::Refusal;
use crate::check::typed::{ArithOp, CmpOp, Const, Ty, Typed, TypedKind};
use crate::check::{Checked, FieldSource};
use crate::date::Day;

/// What names in an expression stand for.
pub struct Scope<'a> {
    pub dialect: Dialect,
    pub as_of: Day,
    /// The SQL of each field (index as in [`Checked::fields`]), or why it has none.
    pub fields: &'a [Result<String, Refusal>],
    /// The SQL of each aggregate's value.
    pub aggregates: &'a [String],
    /// Inside an aggregate's `where`: the SQL of each event column.
    pub event_fields: &'a [String],
}

impl Scope<'_> {
    /// The SQL of `expr`.
    pub fn sql(&self, expr: &Typed) -> Result<String, Refusal> {
        let d = self.dialect;
        Ok(match &expr.kind {
            TypedKind::Const(value) => self.constant(value),
            TypedKind::Set(items) => {
                let items: Vec<String> = items.iter().map(|c| self.constant(c)).collect();
                format!("({})", items.join(", "))
            }
            TypedKind::AsOf => d.date(self.as_of),
            TypedKind::Field(id) => self.fields[*id].clone()?,
            TypedKind::EventField(id) => self.event_fields[*id].clone(),
            TypedKind::Aggregate(id) => self.aggregates[*id].clone(),
            TypedKind::Neg(a) => format!("(- {})", self.sql(a)?),
            TypedKind::Arith(op, left, right) => {
                let (a, b) = (self.sql(left)?, self.sql(right)?);
                match op {
                    ArithOp::Add => d.add(&a, &b, false),
                    ArithOp::Sub => d.add(&a, &b, true),
                    ArithOp::Mul => d.multiply(&a, &b, constant_digits(left), constant_digits(right)),
                    ArithOp::Div => d.divide(&a, &b).ok_or(Refusal::Division(expr.span))?,
                }
            }
            TypedKind::DaysSince(day) => d.days_between(&self.sql(day)?, &d.date(self.as_of)),
            TypedKind::Compare(op, a, b) => {
                let op = match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "<>",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                format!("({} {op} {})", self.sql(a)?, self.sql(b)?)
            }
            TypedKind::In { value, set, negated } => {
                let not = if *negated { "NOT " } else { "" };
                match set.ty {
                    // `x in list_field`: the list cell holds x.
                    Ty::List => format!("({not}{})", d.list_contains(&self.sql(set)?, &self.sql(value)?)),
                    _ => format!("({} {not}IN {})", self.sql(value)?, self.sql(set)?),
                }
            }
            TypedKind::Contains { list, item } => d.list_contains(&self.sql(list)?, &self.sql(item)?),
            TypedKind::IsMissing { value, negated } => {
                let is = if *negated { "IS NOT NULL" } else { "IS NULL" };
                format!("({} {is})", self.sql(value)?)
            }
            TypedKind::Not(a) => format!("(NOT {})", self.sql(a)?),
            TypedKind::And(a, b) => format!("({} AND {})", self.sql(a)?, self.sql(b)?),
            TypedKind::Or(a, b) => format!("({} OR {})", self.sql(a)?, self.sql(b)?),
        })
    }

    fn constant(&self, value: &Const) -> String {
        match value {
            Const::Number(n) => {
                let text = n.to_string();
                if text.starts_with('-') {
                    format!("({text})")
                } else {
                    text
                }
            }
            Const::Text(t) => self.dialect.text(t),
            Const::Date(day) => self.dialect.date(*day),
            Const::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        }
    }
}

/// For a number constant, its digits before the point (at least one) and after it.
fn constant_digits(expr: &Typed) -> Option<(u32, u32)> {
    let TypedKind::Const(Const::Number(n)) = &expr.kind else { return None };
    let text = n.to_string();
    let digits = text.trim_start_matches('-');
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    Some((whole.len().max(1) as u32, fraction.len() as u32))
}

/// Is a field of this type read from the cell's text by a rule of its own (number, date,
/// yes/no)? Text and lists are compared as trimmed text.
fn typed(ty: Option<Ty>) -> bool {
    matches!(ty, Some(Ty::Number | Ty::Date | Ty::Bool))
}

/// The customers' `table` with, for each number, date and yes/no field, a column of the
/// value its text cell holds as `run` reads it (NULL where `run` finds it missing or
/// unreadable), read once whatever the rules do with it.
pub fn read_cells(checked: &Checked, options: &super::SqlOptions, table: &str) -> String {
    let mut reading = TextTable::new(options.dialect, 'c', options.decimal_comma);
    for (n, field) in checked.fields.iter().enumerate() {
        if field.source.is_column() && typed(field.ty) {
            let ty = field.ty.unwrap_or(Ty::Text);
            reading.read(n, &field.column, ty, field.dates, &checked.missing_words);
        }
    }
    reading.sql(table)
}

/// `text`, or NULL when it is one of `words` (compared without regard to ASCII case, as
/// `run` compares them).
fn declared_missing(dialect: Dialect, text: &str, words: &[String]) -> String {
    if words.is_empty() {
        return text.to_string();
    }
    let ascii_lower =
        format!("translate({text}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')");
    let words: Vec<String> = words.iter().map(|w| dialect.text(&w.to_ascii_lowercase())).collect();
    format!("(CASE WHEN {ascii_lower} IN ({}) THEN NULL ELSE {text} END)", words.join(", "))
}

/// The SQL reading of each field from the customers' table (alias `c`): the column
/// itself when typed, or with `text_columns` the value [`read_cells`] read from its text.
pub fn field_columns(
    checked: &Checked,
    options: &super::SqlOptions,
    dimensions: &[String],
) -> Vec<Result<String, Refusal>> {
    let dialect = options.dialect;
    checked
        .fields
        .iter()
        .enumerate()
        .map(|(n, field)| match field.source {
            FieldSource::Column if options.text_columns && typed(field.ty) => {
                Ok(format!("c.{}", dialect.ident(&value_column(n))))
            }
            FieldSource::Column => {
                let column = format!("c.{}", dialect.ident(&field.column));
                Ok(match field.ty {
                    // Text is compared as `run` compares it: trimmed, empty as missing, and
                    // the ruleset's own words for "no value" missing too. So is a field
                    // only tested with `is missing`, read as its text.
                    Some(Ty::Text) | Some(Ty::List) | None => {
                        declared_missing(dialect, &dialect.trimmed_text(&column), &checked.missing_words)
                    }
                    _ => column,
                })
            }
            // A dimension above: its segment, as the dimension's own CASE gives it.
            FieldSource::Dimension(d) => Ok(dimensions.get(d).cloned().unwrap_or_else(|| "NULL".into())),
            FieldSource::Previous(_) | FieldSource::DaysIn(_) => Err(Refusal::History(field.span)),
        })
        .collect()
}
