//! Pass two of checking: builds the typed tree from the AST using the field types pass
//! one settled, and reports every operation whose operands do not fit it: a number
//! compared with text, arithmetic on a date, a list outside `in`, an unknown function.

use super::infer::Inference;
use super::suggest::closest;
use super::typed::*;
use super::{Field, Resolved, Scope};
use crate::decimal::Decimal;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::ast::{self, BinaryOp, Expr, ExprKind, UnaryOp};
use std::collections::HashMap;

const FUNCTIONS: [&str; 1] = ["days_since"];

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
        }
    }

    /// Builds a segment's condition, which must be true/false.
    pub fn condition(&mut self, scope: &Scope, e: &Expr) -> Option<Typed> {
        let built = self.build(scope, e)?;
        self.expect(&built, Ty::Bool, "a segment needs a condition")
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
                Diagnostic::error(span, format!("`{text}` is too large a number"))
                    .label("numbers go up to about 10²⁶ with 12 digits after the point"),
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
                        Diagnostic::error(item.span, "a list holds plain values")
                            .label("not a literal")
                            .help("write the values themselves: [\"US\", \"CA\"]"),
                    );
                    return None;
                }
            };
            match ty {
                None => ty = Some(value.ty()),
                Some(t) if t != value.ty() => {
                    self.diagnostics.push(
                        Diagnostic::error(item.span, format!("this list mixes {t} and {}", value.ty()))
                            .label(format!("{}", value.ty())),
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
                        Diagnostic::error(
                            name.span,
                            format!("`{}` grows too large when its `let`s are written out", name.text),
                        )
                        .label(format!("{size} parts, nested {depth} deep"))
                        .help("a `let` that uses another `let` twice doubles in size; simplify the chain"),
                    );
                    return None;
                }
                value.span = name.span;
                Some(value)
            }
            Resolved::LetLater => {
                let defined = scope.let_span(&name.text);
                let mut d = Diagnostic::error(name.span, format!("`{}` is used before its `let`", name.text))
                    .label("not defined yet here")
                    .help("move the `let` above its first use");
                if let Some(at) = defined {
                    d = d.related(at, "defined here");
                }
                self.diagnostics.push(d);
                None
            }
            Resolved::EventField { stream, column } => self.event_field(stream, column, name.span),
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

    fn field_id(&mut self, name: &str, ty: Option<Ty>, span: Span) -> FieldId {
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
        });
        self.field_ids.insert(name.to_string(), id);
        id
    }

    fn call(&mut self, scope: &Scope, function: &ast::Name, args: &[Expr], span: Span) -> Option<Typed> {
        if function.text != "days_since" {
            let mut d = Diagnostic::error(function.span, format!("unknown function `{}`", function.text))
                .label("not a function tradeseg knows");
            if let Some(near) = closest(&function.text, FUNCTIONS) {
                d = d.help(format!("did you mean `{near}`?"));
            }
            self.diagnostics.push(d);
            return None;
        }
        let [arg] = args else {
            self.diagnostics.push(
                Diagnostic::error(span, format!("`days_since` takes one date, not {}", args.len()))
                    .help("e.g. `days_since(last_order) > 365`"),
            );
            return None;
        };
        let built = self.build(scope, arg)?;
        let date = self.expect(&built, Ty::Date, "`days_since` counts days from a date")?;
        Some(Typed { kind: TypedKind::DaysSince(Box::new(date)), ty: Ty::Number, span })
    }

    fn unary(&mut self, scope: &Scope, op: UnaryOp, operand: &Expr, span: Span) -> Option<Typed> {
        let inner = self.build(scope, operand)?;
        let (kind, ty) = match op {
            UnaryOp::Not => (
                TypedKind::Not(Box::new(self.expect(&inner, Ty::Bool, "`not` needs a condition")?)),
                Ty::Bool,
            ),
            UnaryOp::Neg => {
                let number = self.expect(&inner, Ty::Number, "`-` needs a number")?;
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
                let l =
                    Box::new(self.expect(&l, Ty::Bool, &format!("`{}` joins conditions", op.symbol()))?);
                let r =
                    Box::new(self.expect(&r, Ty::Bool, &format!("`{}` joins conditions", op.symbol()))?);
                (if op == And { TypedKind::And(l, r) } else { TypedKind::Or(l, r) }, Ty::Bool)
            }
            Eq | Ne | Lt | Le | Gt | Ge => (self.compare(op, l, r, span)?, Ty::Bool),
            In | NotIn => (self.membership(op == NotIn, l, r, span)?, Ty::Bool),
            Contains => {
                let list = self.expect(&l, Ty::List, "`contains` looks inside a list column")?;
                let item = self.expect(&r, Ty::Text, "`contains` looks for a text item")?;
                (TypedKind::Contains { list: Box::new(list), item: Box::new(item) }, Ty::Bool)
            }
            Add | Sub | Mul | Div => {
                let what = format!("`{}` needs numbers", op.symbol());
                let l = self.expect(&l, Ty::Number, &what)?;
                let r = self.expect(&r, Ty::Number, &what)?;
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
                "to test membership, write `in [...]`"
            } else {
                "both sides of a comparison must be of one type"
            };
            self.diagnostics.push(
                Diagnostic::error(span, format!("cannot compare {} with {}", describe(&l), describe(&r)))
                    .label(format!("`{}` between {} and {}", op.symbol(), l.ty, r.ty))
                    .help(hint),
            );
            return None;
        }
        let ordered = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
        if matches!(l.ty, Ty::List) || (ordered && l.ty == Ty::Bool) {
            self.diagnostics.push(
                Diagnostic::error(span, format!("`{}` does not apply to {}", op.symbol(), l.ty))
                    .label("not comparable this way")
                    .help(if l.ty == Ty::List {
                        "to look inside a list, write `contains`"
                    } else {
                        "compare with `==` or `!=`"
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
                        format!("{} cannot be in a list of {}", describe(&value), set.ty),
                    )
                    .label("the value and the list's items differ in type"),
                );
                return None;
            }
            _ if set.ty == Ty::List => {
                let item = self.expect(&value, Ty::Text, "a list column holds text items")?;
                let contains = TypedKind::Contains { list: Box::new(set), item: Box::new(item) };
                return Some(if negated {
                    TypedKind::Not(Box::new(Typed { kind: contains, ty: Ty::Bool, span }))
                } else {
                    contains
                });
            }
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(set.span, "`in` needs a list")
                        .label(format!("this is {}", set.ty))
                        .help("write the values in brackets: `country in [\"US\", \"CA\"]`"),
                );
                return None;
            }
        }
        Some(TypedKind::In { value: Box::new(value), set: Box::new(set), negated })
    }

    /// Checks that `e` is a condition.
    pub fn expect_condition(&mut self, e: &Typed, what: &str) -> Option<Typed> {
        self.expect(e, Ty::Bool, what)
    }

    /// Checks that `e` has type `ty`; reports `what` otherwise.
    fn expect(&mut self, e: &Typed, ty: Ty, what: &str) -> Option<Typed> {
        if e.ty == ty && !matches!(e.kind, TypedKind::Set(_)) {
            return Some(e.clone());
        }
        let found =
            if matches!(e.kind, TypedKind::Set(_)) { "a list of values".to_string() } else { describe(e) };
        let mut d =
            Diagnostic::error(e.span, format!("expected {ty}, found {found}")).label(what.to_string());
        if let TypedKind::Field(id) = e.kind {
            let field = &self.fields[id];
            d = d.help(format!("`{}` is {} by its other uses; a field has one type", field.name, e.ty));
        }
        self.diagnostics.push(d);
        None
    }
}

/// "`orders` (a number)" for a field, "a number" otherwise.
fn describe(e: &Typed) -> String {
    match &e.kind {
        TypedKind::Const(c) => format!("{} `{c}`", e.ty),
        _ => format!("{}", e.ty),
    }
}
