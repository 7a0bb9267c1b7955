//! Pass one of checking: infers each field's type from how it is used. Compared with a
//! number it is a number, with a date or inside `days_since` a date, with text it is
//! text, used with `contains` a list, used as a condition true/false. Two fields compared
//! with each other share a type; a field with no clue left is text. A field used as two
//! types is an error naming both places.

use super::typed::Ty;
use super::Scope;
use crate::diagnostic::Diagnostic;
use crate::msg;
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use std::collections::HashMap;

/// What pass one knows of an expression's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Known(Ty),
    Field(String),
    /// A list literal and its items' type, if any item says.
    Set(Option<Ty>),
    Unknown,
}

/// Field types as inferred so far.
#[derive(Default)]
pub struct Inference {
    /// Field name → its type and the place that decided it.
    pub types: HashMap<String, (Ty, Span, bool)>,
    /// Pairs of fields compared with each other.
    links: Vec<(String, String, Span)>,
    /// Fields already reported as conflicting (reported once).
    pub conflicted: Vec<String>,
    /// Pass-one shapes of `let` bodies.
    pub lets: HashMap<String, Shape>,
    pub diagnostics: Vec<Diagnostic>,
    /// Text in quotes that reads as a number (`"0"`), by its place: compared with a
    /// number field, the quotes are the mistake.
    quoted_numbers: Vec<(Span, String)>,
    /// The quoted number the comparison being unified has, for its conflict's advice.
    comparing_quoted: Option<String>,
}

impl Inference {
    /// Records a declared type (`field x: date`).
    pub fn declare(&mut self, field: &str, ty: Ty, span: Span) {
        self.types.insert(field.to_string(), (ty, span, true));
    }

    /// Walks an expression, recording what it says of field types.
    pub fn shape(&mut self, scope: &Scope, e: &Expr) -> Shape {
        match &e.kind {
            ExprKind::Number(_) => Shape::Known(Ty::Number),
            ExprKind::Text(text) => {
                if crate::decimal::Decimal::parse(text.trim()).is_some() {
                    self.quoted_numbers.push((e.span, text.clone()));
                }
                Shape::Known(Ty::Text)
            }
            ExprKind::Date(_) | ExprKind::AsOf => Shape::Known(Ty::Date),
            ExprKind::Bool(_) => Shape::Known(Ty::Bool),
            ExprKind::List(items) => {
                let mut found = None;
                for item in items {
                    if let Shape::Known(ty) = self.shape(scope, item) {
                        found.get_or_insert(ty);
                    }
                }
                Shape::Set(found)
            }
            ExprKind::Name(name) => match scope.resolve(&name.text) {
                super::Resolved::Let => self.lets.get(&name.text).cloned().unwrap_or(Shape::Unknown),
                super::Resolved::LetLater => Shape::Unknown,
                super::Resolved::Field(field) => Shape::Field(field.to_string()),
                super::Resolved::EventField { stream, column } => Shape::Field(event_key(stream, column)),
            },
            ExprKind::Call { function, args } => {
                if function.text == "days_since" {
                    for arg in args {
                        let shape = self.shape(scope, arg);
                        self.require(&shape, Ty::Date, arg.span);
                    }
                    Shape::Known(Ty::Number)
                } else {
                    Shape::Unknown
                }
            }
            ExprKind::Aggregate(aggregate) => self.aggregate(scope, aggregate),
            ExprKind::Unary { op, operand } => {
                let inner = self.shape(scope, operand);
                match op {
                    UnaryOp::Not => {
                        self.require(&inner, Ty::Bool, operand.span);
                        Shape::Known(Ty::Bool)
                    }
                    UnaryOp::Neg => {
                        self.require(&inner, Ty::Number, operand.span);
                        Shape::Known(Ty::Number)
                    }
                    UnaryOp::IsMissing | UnaryOp::IsPresent => Shape::Known(Ty::Bool),
                }
            }
            ExprKind::Binary { op, left, right } => {
                let (l, r) = (self.shape(scope, left), self.shape(scope, right));
                self.binary(*op, (&l, left.span), (&r, right.span), e.span)
            }
        }
    }

    fn aggregate(&mut self, scope: &Scope, a: &crate::syntax::ast::Aggregate) -> Shape {
        let inner = scope.for_stream(&a.stream.text);
        if let Some(filter) = &a.filter {
            let shape = self.shape(&inner, filter);
            self.require(&shape, Ty::Bool, filter.span);
        }
        let column = a
            .column
            .as_ref()
            .filter(|c| c.text != "date")
            .map(|c| Shape::Field(event_key(&a.stream.text, &c.text)));
        let dated = a.column.as_ref().is_some_and(|c| c.text == "date");
        match a.function.text.as_str() {
            "first" | "last" => {
                if let Some(column) = &column {
                    self.require(column, Ty::Date, a.function.span);
                }
                Shape::Known(Ty::Date)
            }
            "min" | "max" if dated => Shape::Known(Ty::Date),
            "count" => Shape::Known(Ty::Number),
            _ => {
                if let Some(column) = &column {
                    self.require(column, Ty::Number, a.function.span);
                }
                Shape::Known(Ty::Number)
            }
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        (l, ls): (&Shape, Span),
        (r, rs): (&Shape, Span),
        span: Span,
    ) -> Shape {
        use BinaryOp::*;
        match op {
            And | Or => {
                self.require(l, Ty::Bool, ls);
                self.require(r, Ty::Bool, rs);
            }
            Eq | Ne | Lt | Le | Gt | Ge => self.unify(l, r, ls, rs, span),
            In | NotIn => match r {
                Shape::Set(Some(ty)) => self.require(l, *ty, ls),
                Shape::Field(_) | Shape::Known(Ty::List) => {
                    self.require(r, Ty::List, rs);
                    self.require(l, Ty::Text, ls);
                }
                _ => {}
            },
            Contains => {
                self.require(l, Ty::List, ls);
                self.require(r, Ty::Text, rs);
            }
            Add | Sub | Mul | Div => {
                self.require(l, Ty::Number, ls);
                self.require(r, Ty::Number, rs);
                return Shape::Known(Ty::Number);
            }
        }
        Shape::Known(Ty::Bool)
    }

    fn unify(&mut self, l: &Shape, r: &Shape, ls: Span, rs: Span, span: Span) {
        match (l, r) {
            (Shape::Known(ty), Shape::Field(_)) => self.require(r, *ty, rs),
            (Shape::Field(_), Shape::Known(ty)) => {
                self.comparing_quoted =
                    self.quoted_numbers.iter().find(|(at, _)| *at == rs).map(|q| q.1.clone());
                self.require(l, *ty, ls);
                self.comparing_quoted = None;
            }
            (Shape::Field(a), Shape::Field(b)) => self.links.push((a.clone(), b.clone(), span)),
            _ => {}
        }
    }

    /// Notes that `shape` must be of type `ty`; for a field, that decides its type.
    pub fn require(&mut self, shape: &Shape, ty: Ty, span: Span) {
        let Shape::Field(field) = shape else { return };
        match self.types.get(field) {
            None => {
                self.types.insert(field.clone(), (ty, span, false));
            }
            Some(&(known, first, declared)) if known != ty => {
                if !self.conflicted.contains(field) {
                    self.conflicted.push(field.clone());
                    let how = |ty: Ty| match declared {
                        true => msg!("declared-as-here", ty = ty.phrase()),
                        false => msg!("used-as-here", ty = ty.phrase()),
                    };
                    if let (Some(text), Ty::Text, Ty::Number) = (self.comparing_quoted.take(), ty, known) {
                        self.diagnostics.push(
                            Diagnostic::error(
                                span,
                                msg!("number-compared-with-text", field = field, text = &text),
                            )
                            .label(msg!("a-number-field"))
                            .related(first, how(Ty::Number))
                            .help(msg!("number-compared-with-text-help", number = text.trim())),
                        );
                        return;
                    }
                    self.diagnostics.push(
                        Diagnostic::error(
                            span,
                            msg!("field-two-types", field = field, ty = ty.phrase(), known = known.phrase()),
                        )
                        .label(msg!("used-as", ty = ty.phrase()))
                        .related(first, how(known))
                        .help(match (declared, known) {
                            (true, Ty::Bool) => msg!("declared-bool-help", field = field),
                            (true, _) => msg!("declared-type-help", field = field, ty = known.name()),
                            (false, _) => msg!("one-type-help", field = field, ty = known.name()),
                        }),
                    );
                }
            }
            Some(_) => {}
        }
    }

    /// Settles fields compared only with other fields; those with no clue become text.
    pub fn settle(&mut self) {
        loop {
            let mut changed = false;
            for (a, b, span) in self.links.clone() {
                match (self.types.get(&a).map(|t| t.0), self.types.get(&b).map(|t| t.0)) {
                    (Some(ty), None) => {
                        self.types.insert(b, (ty, span, false));
                        changed = true;
                    }
                    (None, Some(ty)) => {
                        self.types.insert(a, (ty, span, false));
                        changed = true;
                    }
                    _ => {}
                }
            }
            if !changed {
                break;
            }
        }
        for (a, b, span) in std::mem::take(&mut self.links) {
            for field in [a, b] {
                self.types.entry(field).or_insert((Ty::Text, span, false));
            }
        }
    }
}

/// The inference key of an event column: kept apart from customer fields of the same name.
pub fn event_key(stream: &str, column: &str) -> String {
    format!("{stream}\u{1f}{column}")
}
