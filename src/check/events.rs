//! Checking rules over event history: aggregates name a declared stream, take the column
//! their function needs, filter with conditions over the event's own columns, and count
//! over windows that make sense (`from 24 to 12 months ago`, not `from 12 to 24`).

use super::build::Builder;
use super::infer::event_key;
use super::suggest::closest;
use super::typed::{AggFn, AggregateSpec, EventColumn, Ty, Typed, TypedKind};
use super::{EventField, Scope};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::ast::{Aggregate, Window};

impl Builder<'_> {
    /// Builds `count(…)`, `sum(…)` and friends.
    pub fn aggregate(&mut self, scope: &Scope, a: &Aggregate, span: Span) -> Option<Typed> {
        let Some(stream) = self.streams.iter().position(|(name, _)| *name == a.stream.text) else {
            let mut d = Diagnostic::error(a.stream.span, format!("no event stream `{}`", a.stream.text))
                .label("not declared")
                .help(format!(
                    "declare it with `events {}` and give its file with `--events {}=FILE`",
                    a.stream.text, a.stream.text
                ));
            if let Some(near) = closest(&a.stream.text, self.streams.iter().map(|(n, _)| n.as_str())) {
                d = d.help(format!("did you mean `{near}`?"));
            }
            self.diagnostics.push(d);
            return None;
        };
        let function = AggFn::from_name(&a.function.text)?;
        let column = self.aggregate_column(function, a)?;
        if let Some(Window::Between { from, to, .. }) = &a.window {
            if from <= to {
                self.diagnostics.push(
                    Diagnostic::error(span, format!("`from {from} to {to} … ago` is an empty window"))
                        .label("the first number must be the larger: further back")
                        .help(format!("write `from {to} to {from} … ago`")),
                );
                return None;
            }
        }
        let filter = match &a.filter {
            Some(condition) => {
                let inner = scope.for_stream(&a.stream.text);
                let built = self.build(&inner, condition)?;
                Some(self.expect_condition(&built, "`where` keeps the events for which it is true")?)
            }
            None => None,
        };
        let ty = match (function, column) {
            (AggFn::First | AggFn::Last, _) | (AggFn::Min | AggFn::Max, Some(EventColumn::Date)) => Ty::Date,
            (AggFn::Min | AggFn::Max, Some(EventColumn::Field(f))) => self.event_fields[f].ty,
            _ => Ty::Number,
        };
        self.aggregates.push(AggregateSpec {
            stream,
            function,
            column,
            filter,
            window: a.window.clone(),
            ty,
            span,
        });
        Some(Typed { kind: TypedKind::Aggregate(self.aggregates.len() - 1), ty, span })
    }

    /// The column an aggregate reads, checked against what its function needs.
    fn aggregate_column(&mut self, function: AggFn, a: &Aggregate) -> Option<Option<EventColumn>> {
        let stream = &a.stream.text;
        let column = match &a.column {
            None => None,
            Some(c) if c.text == "date" => Some(EventColumn::Date),
            Some(c) => {
                let built = self.event_field(stream, &c.text, c.span)?;
                let TypedKind::EventField(id) = built.kind else { return None };
                Some(EventColumn::Field(id))
            }
        };
        let problem = match (function, column) {
            (AggFn::Count, Some(_)) => Some(format!("`count` counts events: write `count({stream})`")),
            (AggFn::Count, None) => None,
            (AggFn::First | AggFn::Last, None) => {
                Some(format!("`{}` needs a date: `{}({stream}.date)`", a.function.text, a.function.text))
            }
            (AggFn::First | AggFn::Last, Some(EventColumn::Field(f)))
                if self.event_fields[f].ty != Ty::Date =>
            {
                Some(format!("`{}` needs a date column, like `{stream}.date`", a.function.text))
            }
            (AggFn::Sum | AggFn::Avg, Some(EventColumn::Date)) => {
                Some(format!("cannot `{}` dates", a.function.text))
            }
            (AggFn::Sum | AggFn::Avg | AggFn::Min | AggFn::Max, None) => {
                Some(format!("`{}` needs a column: `{}({stream}.amount)`", a.function.text, a.function.text))
            }
            (AggFn::Min | AggFn::Max, Some(EventColumn::Field(f)))
                if !matches!(self.event_fields[f].ty, Ty::Number | Ty::Date) =>
            {
                Some(format!("`{}` needs numbers or dates", a.function.text))
            }
            _ => None,
        };
        if let Some(message) = problem {
            self.diagnostics
                .push(Diagnostic::error(a.function.span, message).label("not what this function takes"));
            return None;
        }
        Some(column)
    }

    /// A column of a stream's events, by name.
    pub fn event_field(&mut self, stream: &str, column: &str, span: Span) -> Option<Typed> {
        let stream_index = self.streams.iter().position(|(name, _)| name == stream)?;
        let key = event_key(stream, column);
        if self.inference.conflicted.contains(&key) {
            return None;
        }
        let ty = self.inference.types.get(&key).map_or(Ty::Text, |t| t.0);
        let id = match self.event_fields.iter().position(|f| f.stream == stream_index && f.column == column) {
            Some(id) => id,
            None => {
                self.event_fields.push(EventField {
                    stream: stream_index,
                    column: column.to_string(),
                    ty,
                    span,
                });
                self.event_fields.len() - 1
            }
        };
        Some(Typed { kind: TypedKind::EventField(id), ty, span })
    }
}
