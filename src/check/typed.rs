//! The checked form of expressions: names resolved (lets inlined, fields numbered), every
//! node's type known, literals parsed. Plain data; the compiler turns it into a program.

use crate::date::Day;
use crate::decimal::Decimal;
use crate::messages::Message;
use crate::msg;
use crate::source::Span;
use std::fmt;

/// The type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ty {
    Number,
    Text,
    Date,
    Bool,
    /// A list cell: items separated by `;`.
    List,
}

impl Ty {
    /// The type named in a `field x: TYPE` declaration.
    pub fn from_name(name: &str) -> Option<Ty> {
        Some(match name {
            "number" | "decimal" => Ty::Number,
            "text" | "string" => Ty::Text,
            "date" => Ty::Date,
            "bool" | "boolean" => Ty::Bool,
            "list" => Ty::List,
            _ => return None,
        })
    }

    /// The type's name in a declaration.
    pub fn name(self) -> &'static str {
        match self {
            Ty::Number => "number",
            Ty::Text => "text",
            Ty::Date => "date",
            Ty::Bool => "bool",
            Ty::List => "list",
        }
    }
}

impl Ty {
    /// The type as a message says it: "a number", "a date".
    pub fn phrase(self) -> Message {
        match self {
            Ty::Number => msg!("ty-number"),
            Ty::Text => msg!("ty-text"),
            Ty::Date => msg!("ty-date"),
            Ty::Bool => msg!("ty-bool"),
            Ty::List => msg!("ty-list"),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.phrase().fmt(f)
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    Number(Decimal),
    Text(String),
    Date(Day),
    Bool(bool),
}

impl Const {
    /// The literal's type.
    pub fn ty(&self) -> Ty {
        match self {
            Const::Number(_) => Ty::Number,
            Const::Text(_) => Ty::Text,
            Const::Date(_) => Ty::Date,
            Const::Bool(_) => Ty::Bool,
        }
    }
}

impl fmt::Display for Const {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Const::Number(n) => write!(f, "{n}"),
            Const::Text(t) => write!(f, "{t:?}"),
            Const::Date(d) => f.write_str(&crate::date::format(*d)),
            Const::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// Index of a field in [`crate::check::Checked::fields`].
pub type FieldId = usize;

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator with its sides swapped: `3 < x` is `x > 3`.
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            same => same,
        }
    }

    /// Whether two values ordered as `ordering` satisfy the operator.
    #[inline]
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
        }
    }
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// A checked expression with its source span.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    pub kind: TypedKind,
    pub ty: Ty,
    pub span: Span,
}

/// The forms a checked expression takes.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedKind {
    Const(Const),
    /// A list literal (only after `in`), its items all of `Typed::ty`.
    Set(Vec<Const>),
    AsOf,
    Field(FieldId),
    Neg(Box<Typed>),
    Arith(ArithOp, Box<Typed>, Box<Typed>),
    DaysSince(Box<Typed>),
    Compare(CmpOp, Box<Typed>, Box<Typed>),
    In {
        value: Box<Typed>,
        set: Box<Typed>,
        negated: bool,
    },
    Contains {
        list: Box<Typed>,
        item: Box<Typed>,
    },
    IsMissing {
        value: Box<Typed>,
        negated: bool,
    },
    Not(Box<Typed>),
    And(Box<Typed>, Box<Typed>),
    Or(Box<Typed>, Box<Typed>),
    /// An aggregate over event history: index into the checked ruleset's aggregates.
    Aggregate(usize),
    /// A column of the event being filtered (inside `where`): index into
    /// the checked ruleset's event columns.
    EventField(usize),
}

/// The aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFn {
    Count,
    Sum,
    Avg,
    Min,
    Max,
    First,
    Last,
}

impl AggFn {
    /// The function by its name in the language.
    pub fn from_name(name: &str) -> Option<AggFn> {
        Some(match name {
            "count" => AggFn::Count,
            "sum" => AggFn::Sum,
            "avg" => AggFn::Avg,
            "min" => AggFn::Min,
            "max" => AggFn::Max,
            "first" => AggFn::First,
            "last" => AggFn::Last,
            _ => return None,
        })
    }
}

/// What an aggregate reads from each event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventColumn {
    /// The event's date (`orders.date`).
    Date,
    /// One of the stream's columns: index into the checked ruleset's event columns.
    Field(usize),
}

/// A checked aggregate: `sum(orders.amount where product == "led" in last 12 months)`.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateSpec {
    /// Index into [`crate::check::Checked::streams`].
    pub stream: usize,
    pub function: AggFn,
    pub column: Option<EventColumn>,
    /// Over the stream's event fields.
    pub filter: Option<Typed>,
    pub window: Option<crate::syntax::ast::Window>,
    /// The result's type: a number, or a date for `first`, `last` and `min`/`max` of dates.
    pub ty: Ty,
    pub span: Span,
}

impl Typed {
    /// The node's subexpressions, in order (none for values, fields and aggregates).
    pub fn children(&self) -> Vec<&Typed> {
        match &self.kind {
            TypedKind::Const(_)
            | TypedKind::Set(_)
            | TypedKind::AsOf
            | TypedKind::Field(_)
            | TypedKind::Aggregate(_)
            | TypedKind::EventField(_) => Vec::new(),
            TypedKind::Neg(a) | TypedKind::DaysSince(a) | TypedKind::Not(a) => vec![a],
            TypedKind::IsMissing { value, .. } => vec![value],
            TypedKind::Arith(_, a, b)
            | TypedKind::Compare(_, a, b)
            | TypedKind::And(a, b)
            | TypedKind::Or(a, b) => {
                vec![a, b]
            }
            TypedKind::In { value, set, .. } => vec![value, set],
            TypedKind::Contains { list, item } => vec![list, item],
        }
    }

    /// The number of nodes in the tree and its depth, each saturating.
    pub fn measure(&self) -> (usize, usize) {
        let (size, depth) = match &self.kind {
            TypedKind::Const(_)
            | TypedKind::Set(_)
            | TypedKind::AsOf
            | TypedKind::Field(_)
            | TypedKind::Aggregate(_)
            | TypedKind::EventField(_) => (0, 0),
            TypedKind::Neg(a) | TypedKind::DaysSince(a) | TypedKind::Not(a) => a.measure(),
            TypedKind::IsMissing { value, .. } => value.measure(),
            TypedKind::Arith(_, a, b)
            | TypedKind::Compare(_, a, b)
            | TypedKind::And(a, b)
            | TypedKind::Or(a, b) => both(a, b),
            TypedKind::In { value, set, .. } => both(value, set),
            TypedKind::Contains { list, item } => both(list, item),
        };
        (size.saturating_add(1), depth.saturating_add(1))
    }
}

fn both(a: &Typed, b: &Typed) -> (usize, usize) {
    let ((sa, da), (sb, db)) = (a.measure(), b.measure());
    (sa.saturating_add(sb), da.max(db))
}
