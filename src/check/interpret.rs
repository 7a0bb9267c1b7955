//! A plain interpreter over the checked tree that records, for every part of a
//! condition, its source text and its value. It serves `explain` and the reviewer's
//! warnings, and it is an independent second implementation of the language's semantics,
//! against which the compiled evaluator is tested. Field values come from a function (the
//! evaluator's row, a test's given values, or none at all), so it needs nothing of the
//! compiled program.

use super::tri::Tri;
use super::typed::{ArithOp, CmpOp, Const, Typed, TypedKind};
use super::{Checked, Field};
use crate::cell::list_items;
use crate::date::Day;
use crate::decimal::Decimal;
use crate::source::Sources;
use serde::Serialize;

/// A value as the interpreter sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Missing,
    Number(Decimal),
    Text(String),
    Date(Day),
    Truth(Tri),
    Set(Vec<Const>),
}

impl Value {
    /// As a truth value: a missing condition is unknown.
    pub fn truth(&self) -> Tri {
        match self {
            Value::Truth(t) => *t,
            _ => Tri::Unknown,
        }
    }

    /// For tools: a number, a string (dates as `YYYY-MM-DD`), `true`/`false`, an array,
    /// or `null` for missing and unknown.
    pub fn json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Value::Missing | Value::Truth(Tri::Unknown) => Json::Null,
            Value::Number(n) => n.to_string().parse::<serde_json::Number>().map_or(Json::Null, Json::Number),
            Value::Text(t) => Json::String(t.clone()),
            Value::Date(d) => Json::String(crate::date::format(*d)),
            Value::Truth(t) => Json::Bool(*t == Tri::True),
            Value::Set(items) => Json::Array(
                items
                    .iter()
                    .map(|c| match c {
                        Const::Text(t) => Json::String(t.to_string()),
                        other => other
                            .to_string()
                            .parse::<serde_json::Number>()
                            .map_or_else(|_| Json::String(other.to_string()), Json::Number),
                    })
                    .collect(),
            ),
        }
    }

    /// For people: `12.5`, `"US"`, `2026-11-01`, `true`, `unknown`, `missing`.
    pub fn show(&self) -> String {
        match self {
            Value::Missing => "missing".into(),
            Value::Number(n) => n.to_string(),
            Value::Text(t) => format!("{t:?}"),
            Value::Date(d) => crate::date::format(*d),
            Value::Truth(Tri::True) => "true".into(),
            Value::Truth(Tri::False) => "false".into(),
            Value::Truth(Tri::Unknown) => "unknown".into(),
            Value::Set(items) => {
                format!("[{}]", items.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "))
            }
        }
    }
}

/// One part of a condition: its text, its value, and its parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The source text of this part.
    pub text: String,
    /// Its value, shown for people: `true`, `false`, `unknown`, a number, `missing`…
    #[serde(skip)]
    pub shown: String,
    /// Its value for tools: a JSON number, string, boolean, array, or null.
    pub value: serde_json::Value,
    /// True for `and`, `or` and `not`, whose parts are conditions (a plain true/false
    /// field among them is one too); false for a comparison, whose parts are operands.
    #[serde(skip)]
    pub logical: bool,
    /// For a field: the field's name (its value is `value`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Step>,
}

/// The value of a field (by its number, aggregates after the fields) for one customer.
pub type Values<'a> = &'a dyn Fn(usize) -> Value;

/// Evaluates checked expressions over one customer's values, optionally recording steps.
pub struct Interpreter<'a> {
    pub fields: &'a [Field],
    pub sources: &'a Sources,
    pub values: Values<'a>,
    /// The as-of date; none when there is no run (a reviewer's check): then `as_of` and
    /// `days_since` are unknown.
    pub as_of: Option<Day>,
}

impl<'a> Interpreter<'a> {
    /// An interpreter over a checked ruleset's fields and one customer's values.
    pub fn new(checked: &'a Checked, values: Values<'a>, as_of: Day) -> Interpreter<'a> {
        Interpreter { fields: &checked.fields, sources: &checked.sources, values, as_of: Some(as_of) }
    }

    /// The value of `e`, with the steps that led to it.
    pub fn trace(&self, e: &Typed) -> (Value, Step) {
        let mut parts = Vec::new();
        let value = self.value(e, Some(&mut parts));
        let field = match e.kind {
            TypedKind::Field(id) => Some(self.fields[id].name.clone()),
            _ => None,
        };
        // Literals and fields explain themselves; keep their parts out of the way.
        let text = self.sources.snippet(e.span).to_string();
        let logical = matches!(e.kind, TypedKind::And(..) | TypedKind::Or(..) | TypedKind::Not(_));
        let step = Step { text, shown: value.show(), value: value.json(), logical, field, parts };
        (value, step)
    }

    /// The value of `e` alone.
    pub fn eval(&self, e: &Typed) -> Value {
        self.value(e, None)
    }

    fn sub(&self, e: &Typed, parts: &mut Option<&mut Vec<Step>>) -> Value {
        match parts {
            Some(list) => {
                let (value, step) = self.trace(e);
                if !matches!(e.kind, TypedKind::Const(_) | TypedKind::Set(_) | TypedKind::AsOf) {
                    list.push(step);
                }
                value
            }
            None => self.value(e, None),
        }
    }

    /// A part of an `and` (or `or`) chain: a nested link of the same chain records its
    /// parts beside its siblings, so `a and b and c` shows three parts, not a ladder.
    fn chained(&self, e: &Typed, parts: &mut Option<&mut Vec<Step>>, and: bool) -> Value {
        let same = matches!((&e.kind, and), (TypedKind::And(..), true) | (TypedKind::Or(..), false));
        match parts {
            Some(list) if same => self.value(e, Some(&mut **list)),
            _ => self.sub(e, parts),
        }
    }

    fn value(&self, e: &Typed, mut parts: Option<&mut Vec<Step>>) -> Value {
        let p = &mut parts;
        match &e.kind {
            TypedKind::Const(c) => constant(c),
            TypedKind::Set(items) => Value::Set(items.clone()),
            TypedKind::AsOf => self.as_of.map_or(Value::Missing, Value::Date),
            TypedKind::Field(id) => (self.values)(*id),
            // Aggregates are numbered after the fields, filled from the event history.
            TypedKind::Aggregate(i) => (self.values)(self.fields.len() + i),
            TypedKind::EventField(_) => Value::Missing,
            TypedKind::Neg(a) => match self.sub(a, p) {
                Value::Number(n) => Value::Number(-n),
                _ => Value::Missing,
            },
            TypedKind::Arith(op, a, b) => {
                let (x, y) = (self.sub(a, p), self.sub(b, p));
                let (Value::Number(x), Value::Number(y)) = (x, y) else { return Value::Missing };
                let result = match op {
                    ArithOp::Add => x.checked_add(y),
                    ArithOp::Sub => x.checked_sub(y),
                    ArithOp::Mul => x.checked_mul(y),
                    ArithOp::Div => x.checked_div(y),
                };
                result.map_or(Value::Missing, Value::Number)
            }
            TypedKind::DaysSince(d) => match (self.sub(d, p), self.as_of) {
                (Value::Date(day), Some(as_of)) => {
                    Value::Number(Decimal::from_int(i64::from(as_of) - i64::from(day)))
                }
                _ => Value::Missing,
            },
            TypedKind::Compare(op, a, b) => {
                let (x, y) = (self.sub(a, p), self.sub(b, p));
                Value::Truth(compare(*op, &x, &y))
            }
            TypedKind::In { value, set, negated } => {
                let (x, s) = (self.sub(value, p), self.sub(set, p));
                let Value::Set(items) = s else { return Value::Truth(Tri::Unknown) };
                let found = match x {
                    Value::Missing => return Value::Truth(Tri::Unknown),
                    x => items.iter().any(|c| constant(c) == x),
                };
                Value::Truth(truth(found != *negated))
            }
            TypedKind::Contains { list, item } => {
                let (l, i) = (self.sub(list, p), self.sub(item, p));
                match (l, i) {
                    (Value::Text(l), Value::Text(i)) => {
                        Value::Truth(truth(list_items(l.as_bytes()).any(|x| x == i.as_bytes())))
                    }
                    _ => Value::Truth(Tri::Unknown),
                }
            }
            TypedKind::IsMissing { value, negated } => {
                let v = self.sub(value, p);
                let missing = matches!(v, Value::Missing | Value::Truth(Tri::Unknown));
                Value::Truth(truth(missing != *negated))
            }
            TypedKind::Not(a) => Value::Truth(match self.sub(a, p).truth() {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                Tri::Unknown => Tri::Unknown,
            }),
            TypedKind::And(a, b) => {
                let x = self.chained(a, p, true).truth();
                // When tracing, every part is shown, not only those up to the first false.
                if x == Tri::False && p.is_none() {
                    return Value::Truth(Tri::False);
                }
                Value::Truth(x.min(self.chained(b, p, true).truth()))
            }
            TypedKind::Or(a, b) => {
                let x = self.chained(a, p, false).truth();
                if x == Tri::True && p.is_none() {
                    return Value::Truth(Tri::True);
                }
                Value::Truth(x.max(self.chained(b, p, false).truth()))
            }
        }
    }
}

fn constant(c: &Const) -> Value {
    match c {
        Const::Number(n) => Value::Number(*n),
        Const::Text(t) => Value::Text(t.clone()),
        Const::Date(d) => Value::Date(*d),
        Const::Bool(b) => Value::Truth(truth(*b)),
    }
}

fn truth(b: bool) -> Tri {
    if b {
        Tri::True
    } else {
        Tri::False
    }
}

fn compare(op: CmpOp, x: &Value, y: &Value) -> Tri {
    let ordering = match (x, y) {
        (Value::Number(a), Value::Number(b)) => a.cmp(b),
        (Value::Date(a), Value::Date(b)) => a.cmp(b),
        (Value::Text(a), Value::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
        (Value::Truth(a), Value::Truth(b)) if *a != Tri::Unknown && *b != Tri::Unknown => a.cmp(b),
        _ => return Tri::Unknown,
    };
    truth(op.holds(ordering))
}
