//! Checking rules over event history: aggregates name a declared stream, take the column
//! their function needs, filter with conditions over the event's own columns, and count
//! over windows that make sense (`from 24 to 12 months ago`, not `from 12 to 24`).

use super::build::Builder;
use super::infer::event_key;
use super::suggest::closest;
use super::typed::{AggFn, AggregateSpec, EventColumn, Ty, Typed, TypedKind};
use super::{EventField, Scope};
use crate::diagnostic::Diagnostic;
use crate::msg;
use crate::source::Span;
use crate::syntax::ast::{Aggregate, Window};

impl Builder<'_> {
    /// Builds `count(…)`, `sum(…)` and friends.
    pub fn aggregate(&mut self, scope: &Scope, a: &Aggregate, span: Span) -> Option<Typed> {
        let Some(stream) = self.streams.iter().position(|(name, _)| *name == a.stream.text) else {
            let mut d = Diagnostic::error(a.stream.span, msg!("no-event-stream", name = &a.stream.text))
                .label(msg!("not-declared"))
                .help(msg!("no-event-stream-help", name = &a.stream.text));
            if let Some(near) = closest(&a.stream.text, self.streams.iter().map(|(n, _)| n.as_str())) {
                d = d.help(msg!("did-you-mean", name = near));
            }
            self.diagnostics.push(d);
            return None;
        };
        let function = AggFn::from_name(&a.function.text)?;
        let column = self.aggregate_column(function, a)?;
        if let Some(Window::Between { from, to, .. }) = &a.window {
            if from <= to {
                self.diagnostics.push(
                    Diagnostic::error(span, msg!("empty-window", from = *from, to = *to))
                        .label(msg!("empty-window-label"))
                        .help(msg!("empty-window-help", from = *from, to = *to)),
                );
                return None;
            }
        }
        let filter = match &a.filter {
            Some(condition) => {
                let inner = scope.for_stream(&a.stream.text);
                let built = self.build(&inner, condition)?;
                Some(self.expect_condition(&built, msg!("needs-condition-where"))?)
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
        let f = &a.function.text;
        let problem = match (function, column) {
            (AggFn::Count, Some(_)) => Some(msg!("count-takes-stream", stream = stream)),
            (AggFn::Count, None) => None,
            (AggFn::First | AggFn::Last, None) => {
                Some(msg!("aggregate-needs-date", function = f, stream = stream))
            }
            (AggFn::First | AggFn::Last, Some(EventColumn::Field(field)))
                if self.event_fields[field].ty != Ty::Date =>
            {
                Some(msg!("aggregate-needs-date-column", function = f, stream = stream))
            }
            (AggFn::Sum | AggFn::Avg, Some(EventColumn::Date)) => {
                Some(msg!("aggregate-not-dates", function = f))
            }
            (AggFn::Sum | AggFn::Avg | AggFn::Min | AggFn::Max, None) => {
                Some(msg!("aggregate-needs-column", function = f, stream = stream))
            }
            (AggFn::Min | AggFn::Max, Some(EventColumn::Field(field)))
                if !matches!(self.event_fields[field].ty, Ty::Number | Ty::Date) =>
            {
                Some(msg!("aggregate-needs-numbers-or-dates", function = f))
            }
            _ => None,
        };
        if let Some(message) = problem {
            self.diagnostics.push(
                Diagnostic::error(a.function.span, message).label(msg!("aggregate-wrong-column-label")),
            );
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
