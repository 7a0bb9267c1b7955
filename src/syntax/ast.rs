//! The abstract syntax tree: plain data, one node per source construct, every node with
//! the [`Span`] it came from. Nothing here knows about types or columns; that is the
//! checker's job.

use crate::source::Span;

/// One parsed ruleset file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Include(Include),
    Field(FieldDecl),
    Missing(MissingDecl),
    Let(LetDecl),
    Events(EventsDecl),
    Dimension(Dimension),
    Tag(Segment),
    Test(TestBlock),
}

/// `include "regions.seg"`
#[derive(Debug, Clone, PartialEq)]
pub struct Include {
    pub path: Str,
    pub span: Span,
}

/// `field name: type "D/M/YYYY" = "Column header" optional`
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    pub name: Name,
    pub ty: Option<Name>,
    /// The order of day and month in the column's dates (`"D/M/YYYY"`).
    pub date_pattern: Option<Str>,
    pub column: Option<Str>,
    /// The export may lack the column: its values are then missing for everyone.
    pub optional: bool,
    pub span: Span,
}

/// `missing values ["TBD", "未知"]`: more words that mean "no value" in any column.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingDecl {
    pub words: Vec<Str>,
    pub span: Span,
}

/// `let name = expr`
#[derive(Debug, Clone, PartialEq)]
pub struct LetDecl {
    pub name: Name,
    pub value: Expr,
    pub span: Span,
}

/// `events orders`
#[derive(Debug, Clone, PartialEq)]
pub struct EventsDecl {
    pub name: Name,
    pub span: Span,
}

/// `dimension stars "Purchase stage" { segment … otherwise … }`
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub name: Name,
    pub title: Option<Str>,
    pub segments: Vec<Segment>,
    pub otherwise: Option<Otherwise>,
    pub span: Span,
}

/// `segment "4-star" when orders >= 1 [then "script.rhai"]`, inside a dimension or as a tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub name: Str,
    pub condition: Expr,
    pub action: Option<Str>,
    /// `on enter "…"`, `on leave "…"`: scripts for the run in which a customer enters or
    /// leaves the segment.
    pub lifecycle: Lifecycle,
    pub span: Span,
}

/// `otherwise "0-star" [then "script.rhai"]`
#[derive(Debug, Clone, PartialEq)]
pub struct Otherwise {
    pub name: Str,
    pub action: Option<Str>,
    pub lifecycle: Lifecycle,
    pub span: Span,
}

/// The scripts of a segment's `on enter` and `on leave` clauses, with the clauses' places.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lifecycle {
    pub on_enter: Option<(Str, Span)>,
    pub on_leave: Option<(Str, Span)>,
}

/// A `test "…" { … }` block; run by `tradeseg test`, ignored by `run`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestBlock {
    pub name: Str,
    pub as_of: Option<(i32, Span)>,
    pub given: Vec<(Name, GivenValue)>,
    pub expectations: Vec<Expectation>,
    pub span: Span,
}

/// A value written in a test's `given { … }`.
#[derive(Debug, Clone, PartialEq)]
pub enum GivenValue {
    Number(String, Span),
    Text(String, Span),
    Date(i32, Span),
    Bool(bool, Span),
    List(Vec<GivenValue>, Span),
    Rows(Vec<Vec<(Name, GivenValue)>>, Span),
}

/// One `expect …` line of a test.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    Segment { dimension: Name, segment: Str, span: Span },
    Missing { dimension: Name, span: Span },
    Tagged { tag: Str, negated: bool, span: Span },
}

/// An identifier or a backtick-quoted column name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// A string literal with escapes resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str {
    pub text: String,
    pub span: Span,
}

/// An expression: a condition, a number, a text, a date or a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// The forms an expression takes.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A decimal literal as written, underscores removed: `1000000`, `2.5`.
    Number(String),
    Text(String),
    /// A date literal as a day number (see [`crate::date`]).
    Date(i32),
    Bool(bool),
    /// The run's as-of date.
    AsOf,
    List(Vec<Expr>),
    /// A field, a `let` name or a column.
    Name(Name),
    Call {
        function: Name,
        args: Vec<Expr>,
    },
    Aggregate(Box<Aggregate>),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
}

/// `count(orders where … in last 12 months)` and friends: rules over event history.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub function: Name,
    pub stream: Name,
    pub column: Option<Name>,
    pub filter: Option<Expr>,
    pub window: Option<Window>,
}

/// The time window of an aggregate.
#[derive(Debug, Clone, PartialEq)]
pub enum Window {
    Last { amount: u32, unit: TimeUnit },
    Between { from: u32, to: u32, unit: TimeUnit },
}

/// Days, calendar months or calendar years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Days,
    Months,
    Years,
}

/// Prefix and postfix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
    IsMissing,
    IsPresent,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Contains,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    /// The operator as the user writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Contains => "contains",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}
