//! Pass two of checking: builds the typed tree from the AST using the field types pass
//! one settled, and reports every operation whose operands do not fit it: a number
//! compared with text, arithmetic on a date, a list outside `in`, an unknown function.

use super::infer::Inference;
use super::suggest::closest;
use super::typed::*;
use super::{Field, Resolved, Scope};
use crate::decimal::Decimal;
use crate::diagnostic::Diagnostic;
use crate::messages::Message;
use crate::msg;
use crate::source::Span;
use crate::syntax::ast::{self, BinaryOp, Expr, ExprKind, UnaryOp};
use std::collections::HashMap;

const FUNCTIONS: [&str; 3] = ["days_since", "previous", "days_in"];

/// What a `field` declaration says of a field besides its type.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    /// The column it reads, when not its name.
    pub column: Option<String>,
    pub dates: crate::cell::DateOrder,
    pub optional: bool,
}

/// Parts a condition may have once its `let`s are written out in place.
const MAX_EXPANDED: usize = 20_000;
/// How deeply a condition may nest once its `let`s are written out in place.
const MAX_DEPTH: usize = 300;

/// Builds typed expressions; collects diagnostics instead of stopping at the first.
pub struct Builder<'a> {
    pub inference: &'a Inference,
    /// DSL field name → column header, from `field x = "Column"`.
    pub columns: &'a HashMap<String, Declared>,
    pub fields: Vec<Field>,
    field_ids: HashMap<String, FieldId>,
    /// Built `let` bodies; `None` where the body had an error (already reported).
    pub lets: HashMap<String, Option<Typed>>,
    /// The `let`s some expression referred to.
    pub used_lets: std::collections::HashSet<String>,
    /// Declared event streams.
    pub streams: &'a [(String, Span)],
    /// Event columns aggregates read, and the aggregates.
    pub event_fields: Vec<super::EventField>,
    pub aggregates: Vec<AggregateSpec>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every dimension's name, in ruleset order.
    pub dimension_names: Vec<String>,
    /// Where the expression being built stands: which dimensions' results it may read.
    pub position: Position,
}

/// Where an expression stands among the dimensions, which are decided in ruleset order
/// and before the tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// In a dimension, or a `let`, with this many dimensions above it: it reads their
    /// results, not those of its own dimension or any below.
    Before(usize),
    /// In a tag: every dimension is decided.
    Tag,
}

impl<'a> Builder<'a> {
    /// A builder over pass one's results.
    pub fn new(
        inference: &'a Inference,
        columns: &'a HashMap<String, Declared>,
        streams: &'a [(String, Span)],
    ) -> Builder<'a> {
        Builder {
            inference,
            columns,
            streams,
            event_fields: Vec::new(),
            aggregates: Vec::new(),
            fields: Vec::new(),
            field_ids: HashMap::new(),
            lets: HashMap::new(),
            used_lets: Default::default(),
            diagnostics: Vec::new(),
            dimension_names: Vec::new(),
            position: Position::Tag,
        }
    }

    /// Builds a segment's condition, which must be true/false.
    pub fn condition(&mut self, scope: &Scope, e: &Expr) -> Option<Typed> {
        let built = self.build(scope, e)?;
        self.expect(&built, Ty::Bool, msg!("needs-condition-segment"))
    }

    /// Builds any expression.
    pub fn build(&mut self, scope: &Scope, e: &Expr) -> Option<Typed> {
        let span = e.span;
        let (kind, ty) = match &e.kind {
            ExprKind::Number(text) => (TypedKind::Const(Const::Number(self.number(text, span)?)), Ty::Number),
            ExprKind::Text(text) => (TypedKind::Const(Const::Text(text.clone())), Ty::Text),
            ExprKind::Date(day) => (TypedKind::Const(Const::Date(*day)), Ty::Date),
            ExprKind::Bool(b) => (TypedKind::Const(Const::Bool(*b)), Ty::Bool),
            ExprKind::AsOf => (TypedKind::AsOf, Ty::Date),
            ExprKind::List(items) => return self.set(scope, items, span),
            ExprKind::Name(name) => return self.name(scope, name),
            ExprKind::Call { function, args } => return self.call(scope, function, args, span),
            ExprKind::Aggregate(aggregate) => return self.aggregate(scope, aggregate, span),
            ExprKind::Unary { op, operand } => return self.unary(scope, *op, operand, span),
            ExprKind::Binary { op, left, right } => return self.binary(scope, *op, left, right, span),
        };
        Some(Typed { kind, ty, span })
    }

    fn number(&mut self, text: &str, span: Span) -> Option<Decimal> {
        let parsed = Decimal::parse_literal(text);
        if parsed.is_none() {
            self.diagnostics.push(
                Diagnostic::error(span, msg!("number-too-large", text = text))
                    .label(msg!("number-too-large-label")),
            );
        }
        parsed
    }

    fn set(&mut self, scope: &Scope, items: &[Expr], span: Span) -> Option<Typed> {
        let mut consts = Vec::with_capacity(items.len());
        let mut ty = None;
        for item in items {
            let built = self.build(scope, item)?;
            let value = match built.kind {
                TypedKind::Const(c) => c,
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(item.span, msg!("list-plain-values"))
                            .label(msg!("not-a-literal"))
                            .help(msg!("list-plain-values-help")),
                    );
                    return None;
                }
            };
            match ty {
                None => ty = Some(value.ty()),
                Some(t) if t != value.ty() => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            item.span,
                            msg!("list-mixes", first = t.phrase(), other = value.ty().phrase()),
                        )
                        .label(value.ty().phrase()),
                    );
                    return None;
                }
                Some(_) => {}
            }
            consts.push(value);
        }
        Some(Typed { kind: TypedKind::Set(consts), ty: ty.unwrap_or(Ty::Text), span })
    }

    fn name(&mut self, scope: &Scope, name: &ast::Name) -> Option<Typed> {
        match scope.resolve(&name.text) {
            Resolved::Let => {
                self.used_lets.insert(name.text.clone());
                let mut value = self.lets.get(&name.text).cloned().flatten()?;
                let (size, depth) = value.measure();
                if size > MAX_EXPANDED || depth > MAX_DEPTH {
                    self.diagnostics.push(
                        Diagnostic::error(name.span, msg!("let-too-large", name = &name.text))
                            .label(msg!("let-too-large-label", size = size, depth = depth))
                            .help(msg!("let-too-large-help")),
                    );
                    return None;
                }
                value.span = name.span;
                Some(value)
            }
            Resolved::LetLater => {
                let defined = scope.let_span(&name.text);
                let mut d = Diagnostic::error(name.span, msg!("let-used-before", name = &name.text))
                    .label(msg!("let-used-before-label"))
                    .help(msg!("let-used-before-help"));
                if let Some(at) = defined {
                    d = d.related(at, msg!("defined-here"));
                }
                self.diagnostics.push(d);
                None
            }
            Resolved::EventField { stream, column } => self.event_field(stream, column, name.span),
            Resolved::Field(field) if self.reads_dimension(field) => self.dimension_value(field, name.span),
            Resolved::Field(field) if self.inference.conflicted.iter().any(|c| c == field) => None,
            Resolved::Field(field) => {
                let (ty, decided) = match self.inference.types.get(field) {
                    Some(&(ty, _, _)) => (Some(ty), true),
                    None => (None, false),
                };
                let id = self.field_id(field, ty, name.span);
                // A field used only with `is missing` has no type; it reads as text.
                let ty = if decided { ty? } else { Ty::Text };
                Some(Typed { kind: TypedKind::Field(id), ty, span: name.span })
            }
        }
    }

    pub(super) fn field_id(&mut self, name: &str, ty: Option<Ty>, span: Span) -> FieldId {
        if let Some(&id) = self.field_ids.get(name) {
            return id;
        }
        let id = self.fields.len();
        let declared = self.columns.get(name);
        self.fields.push(Field {
            name: name.to_string(),
            column: declared.and_then(|d| d.column.clone()).unwrap_or_else(|| name.to_string()),
            dates: declared.map(|d| d.dates).unwrap_or_default(),
            optional: declared.is_some_and(|d| d.optional),
            ty,
            span,
            source: super::FieldSource::Column,
        });
        self.field_ids.insert(name.to_string(), id);
        id
    }

    fn call(&mut self, scope: &Scope, function: &ast::Name, args: &[Expr], span: Span) -> Option<Typed> {
        if matches!(function.text.as_str(), "previous" | "days_in") {
            return self.place(function, args, span);
        }
        if function.text != "days_since" {
            let mut d = Diagnostic::error(function.span, msg!("unknown-function", name = &function.text))
                .label(msg!("unknown-function-label"));
            if let Some(near) = closest(&function.text, FUNCTIONS) {
                d = d.help(msg!("did-you-mean", name = near));
            }
            self.diagnostics.push(d);
            return None;
        }
        let [arg] = args else {
            self.diagnostics.push(
                Diagnostic::error(span, msg!("days-since-arity", count = args.len()))
                    .help(msg!("days-since-example")),
            );
            return None;
        };
        let built = self.build(scope, arg)?;
        let date = self.expect(&built, Ty::Date, msg!("needs-date-days-since"))?;
        Some(Typed { kind: TypedKind::DaysSince(Box::new(date)), ty: Ty::Number, span })
    }

    fn unary(&mut self, scope: &Scope, op: UnaryOp, operand: &Expr, span: Span) -> Option<Typed> {
        let inner = self.build(scope, operand)?;
        let (kind, ty) = match op {
            UnaryOp::Not => (
                TypedKind::Not(Box::new(self.expect(&inner, Ty::Bool, msg!("needs-condition-not"))?)),
                Ty::Bool,
            ),
            UnaryOp::Neg => {
                let number = self.expect(&inner, Ty::Number, msg!("needs-number-minus"))?;
                match number.kind {
                    TypedKind::Const(Const::Number(n)) => (TypedKind::Const(Const::Number(-n)), Ty::Number),
                    _ => (TypedKind::Neg(Box::new(number)), Ty::Number),
                }
            }
            UnaryOp::IsMissing | UnaryOp::IsPresent => {
                (TypedKind::IsMissing { value: Box::new(inner), negated: op == UnaryOp::IsPresent }, Ty::Bool)
            }
        };
        Some(Typed { kind, ty, span })
    }

    fn binary(
        &mut self,
        scope: &Scope,
        op: BinaryOp,
        left: &Expr,
        right: &Expr,
        span: Span,
    ) -> Option<Typed> {
        let l = self.build(scope, left);
        let r = self.build(scope, right);
        let (l, r) = (l?, r?);
        use BinaryOp::*;
        let (kind, ty) = match op {
            And | Or => {
                let what = msg!("needs-condition-joins", op = op.symbol());
                let l = Box::new(self.expect(&l, Ty::Bool, what.clone())?);
                let r = Box::new(self.expect(&r, Ty::Bool, what)?);
                (if op == And { TypedKind::And(l, r) } else { TypedKind::Or(l, r) }, Ty::Bool)
            }
            Eq | Ne | Lt | Le | Gt | Ge => (self.compare(op, l, r, span)?, Ty::Bool),
            In | NotIn => (self.membership(op == NotIn, l, r, span)?, Ty::Bool),
            Contains => {
                let list = self.expect(&l, Ty::List, msg!("needs-list-contains"))?;
                let item = self.expect(&r, Ty::Text, msg!("needs-text-contains"))?;
                (TypedKind::Contains { list: Box::new(list), item: Box::new(item) }, Ty::Bool)
            }
            Add | Sub | Mul | Div => {
                let what = msg!("needs-numbers", op = op.symbol());
                let l = self.expect(&l, Ty::Number, what.clone())?;
                let r = self.expect(&r, Ty::Number, what)?;
                let arith = match op {
                    Add => ArithOp::Add,
                    Sub => ArithOp::Sub,
                    Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                (TypedKind::Arith(arith, Box::new(l), Box::new(r)), Ty::Number)
            }
        };
        Some(Typed { kind, ty, span })
    }

    fn compare(&mut self, op: BinaryOp, l: Typed, r: Typed, span: Span) -> Option<TypedKind> {
        if l.ty != r.ty || matches!(l.kind, TypedKind::Set(_)) || matches!(r.kind, TypedKind::Set(_)) {
            let hint = if matches!(r.kind, TypedKind::Set(_)) {
                msg!("compare-with-list-help")
            } else {
                msg!("compare-types-help")
            };
            self.diagnostics.push(
                Diagnostic::error(span, msg!("cannot-compare", left = describe(&l), right = describe(&r)))
                    .label(msg!(
                        "cannot-compare-label",
                        op = op.symbol(),
                        left = l.ty.phrase(),
                        right = r.ty.phrase()
                    ))
                    .help(hint),
            );
            return None;
        }
        let ordered = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
        if matches!(l.ty, Ty::List) || (ordered && l.ty == Ty::Bool) {
            self.diagnostics.push(
                Diagnostic::error(span, msg!("operator-not-for", op = op.symbol(), ty = l.ty.phrase()))
                    .label(msg!("operator-not-for-label"))
                    .help(if l.ty == Ty::List {
                        msg!("list-contains-help")
                    } else {
                        msg!("bool-compare-help")
                    }),
            );
            return None;
        }
        let cmp = match op {
            BinaryOp::Eq => CmpOp::Eq,
            BinaryOp::Ne => CmpOp::Ne,
            BinaryOp::Lt => CmpOp::Lt,
            BinaryOp::Le => CmpOp::Le,
            BinaryOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        Some(TypedKind::Compare(cmp, Box::new(l), Box::new(r)))
    }

    fn membership(&mut self, negated: bool, value: Typed, set: Typed, span: Span) -> Option<TypedKind> {
        match set.kind {
            TypedKind::Set(_)
                if set.ty == value.ty || matches!(set.kind, TypedKind::Set(ref s) if s.is_empty()) => {}
            TypedKind::Set(_) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        span,
                        msg!("not-in-list-of", value = describe(&value), ty = set.ty.phrase()),
                    )
                    .label(msg!("not-in-list-of-label")),
                );
                return None;
            }
            _ if set.ty == Ty::List => {
                let item = self.expect(&value, Ty::Text, msg!("needs-text-list-column"))?;
                let contains = TypedKind::Contains { list: Box::new(set), item: Box::new(item) };
                return Some(if negated {
                    TypedKind::Not(Box::new(Typed { kind: contains, ty: Ty::Bool, span }))
                } else {
                    contains
                });
            }
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(set.span, msg!("in-needs-list"))
                        .label(msg!("this-is", ty = set.ty.phrase()))
                        .help(msg!("in-needs-list-help")),
                );
                return None;
            }
        }
        Some(TypedKind::In { value: Box::new(value), set: Box::new(set), negated })
    }

    /// Checks that `e` is a condition.
    pub fn expect_condition(&mut self, e: &Typed, what: Message) -> Option<Typed> {
        self.expect(e, Ty::Bool, what)
    }

    /// Checks that `e` has type `ty`; reports `what` otherwise.
    fn expect(&mut self, e: &Typed, ty: Ty, what: Message) -> Option<Typed> {
        if e.ty == ty && !matches!(e.kind, TypedKind::Set(_)) {
            return Some(e.clone());
        }
        let found = if matches!(e.kind, TypedKind::Set(_)) { msg!("a-list-of-values") } else { describe(e) };
        let mut d = Diagnostic::error(e.span, msg!("expected-type-found", ty = ty.phrase(), found = found))
            .label(what);
        if let TypedKind::Field(id) = e.kind {
            let field = &self.fields[id];
            d = d.help(msg!("field-type-by-uses", name = &field.name, ty = e.ty.phrase()));
        }
        self.diagnostics.push(d);
        None
    }
}

/// "`orders` (a number)" for a field, "a number" otherwise.
fn describe(e: &Typed) -> Message {
    match &e.kind {
        TypedKind::Const(c) => msg!("type-and-value", ty = e.ty.phrase(), value = c.to_string()),
        _ => e.ty.phrase(),
    }
}
