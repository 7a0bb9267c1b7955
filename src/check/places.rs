//! A customer's place in the dimensions as rules read it: a dimension's segment in the
//! rules below it (`value != "A"`), the segment at the previous recorded run
//! (`previous(value)`) and the days since the customer entered its segment
//! (`days_in(value)`). Each becomes a field whose value comes from the run or the history
//! rather than a column ([`FieldSource`]).

use super::build::{Builder, Position};
use super::suggest::closest;
use super::typed::{Ty, Typed, TypedKind};
use super::FieldSource;
use crate::diagnostic::Diagnostic;
use crate::msg;
use crate::source::Span;
use crate::syntax::ast::{self, Expr, ExprKind};

impl Builder<'_> {
    /// Does `name`, where the expression stands, read a dimension's result: it names a
    /// dimension decided above (not a declared `field`)? In the dimension's own rules, and
    /// above it, the name is a column's, as a dimension is often named after the column it
    /// groups by (`dimension source { segment "fair" when source == "fair" … }`).
    pub(super) fn reads_dimension(&self, name: &str) -> bool {
        let dimension = self.dimension_names.iter().position(|d| d == name);
        dimension.is_some_and(|d| self.decided(d)) && !self.columns.contains_key(name)
    }

    /// Has dimension `d` been decided where the expression stands?
    fn decided(&self, d: usize) -> bool {
        match self.position {
            Position::Before(above) => d < above,
            Position::Tag => true,
        }
    }

    /// `stars` read in a rule below the dimension: the segment it gave this customer.
    pub(super) fn dimension_value(&mut self, name: &str, span: Span) -> Option<Typed> {
        let d = self.dimension_names.iter().position(|n| n == name)?;
        Some(self.place_field(name, FieldSource::Dimension(d), Ty::Text, span))
    }

    /// `previous(stars)` and `days_in(stars)`.
    pub(super) fn place(&mut self, function: &ast::Name, args: &[Expr], span: Span) -> Option<Typed> {
        let dimension = match args {
            [Expr { kind: ExprKind::Name(name), .. }] => {
                self.dimension_names.iter().position(|n| *n == name.text).map(|d| (d, name))
            }
            _ => None,
        };
        let Some((d, name)) = dimension else {
            let mut error = Diagnostic::error(span, msg!("place-needs-dimension", function = &function.text))
                .label(msg!("place-needs-dimension-label"));
            let written = match args {
                [Expr { kind: ExprKind::Name(name), .. }] => Some(name.text.as_str()),
                _ => None,
            };
            let near = written.and_then(|w| closest(w, self.dimension_names.iter().map(String::as_str)));
            if let Some(near) = near {
                error = error.help(msg!("did-you-mean", name = format!("{}({near})", function.text)));
            } else if let Some(first) = self.dimension_names.first() {
                error = error.help(msg!("place-example", function = &function.text, dimension = first));
            }
            self.diagnostics.push(error);
            return None;
        };
        let previous =
            self.place_field(&format!("previous({})", name.text), FieldSource::Previous(d), Ty::Text, span);
        if function.text == "previous" {
            return Some(previous);
        }
        if !self.decided(d) {
            self.diagnostics.push(
                Diagnostic::error(span, msg!("days-in-not-decided", name = &name.text))
                    .label(msg!("dimension-not-decided-label"))
                    .help(msg!("dimension-not-decided-help", name = &name.text)),
            );
            return None;
        }
        Some(self.place_field(&format!("days_in({})", name.text), FieldSource::DaysIn(d), Ty::Number, span))
    }

    /// The field of a place, made on first use.
    fn place_field(&mut self, name: &str, source: FieldSource, ty: Ty, span: Span) -> Typed {
        let id = self.field_id(name, Some(ty), span);
        let field = &mut self.fields[id];
        field.source = source;
        field.column = String::new();
        field.ty = Some(ty);
        Typed { kind: TypedKind::Field(id), ty, span }
    }
}
