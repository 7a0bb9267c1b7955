//! Compiling aggregates: each event stream gets the row layout its aggregates read, each
//! window becomes a fixed range of days (calendar months and years counted back from the
//! as-of date), and `where` conditions compile like any other, over the event row.

use super::{CompiledAggregate, Lower, SlotSpec, StreamSpec};
use crate::check::typed::EventColumn;
use crate::check::Checked;
use crate::date::{self, Day};
use crate::syntax::ast::{TimeUnit, Window};

/// The streams with their event-row slots, and each event field's slot in its stream.
pub fn streams(checked: &Checked) -> (Vec<StreamSpec>, Vec<usize>) {
    let mut streams: Vec<StreamSpec> = checked
        .streams
        .iter()
        .map(|(name, _)| StreamSpec { name: name.clone(), slots: Vec::new() })
        .collect();
    let mut event_slot = Vec::with_capacity(checked.event_fields.len());
    for field in &checked.event_fields {
        let slots = &mut streams[field.stream].slots;
        event_slot.push(slots.len());
        slots.push(SlotSpec {
            field: field.column.clone(),
            column: field.column.clone(),
            index: None,
            ty: Some(field.ty),
            dates: Default::default(),
        });
    }
    (streams, event_slot)
}

/// The aggregates, with their windows as days.
pub(super) fn aggregates(checked: &Checked, lower: &Lower) -> Vec<CompiledAggregate> {
    checked
        .aggregates
        .iter()
        .map(|spec| {
            let (after, until) = window(lower.as_of, spec.window.as_ref());
            CompiledAggregate {
                stream: spec.stream,
                function: spec.function,
                value: match spec.column {
                    Some(EventColumn::Field(f)) => Some(lower.event_slot[f] as super::Slot),
                    Some(EventColumn::Date) | None => None,
                },
                filter: spec.filter.as_ref().map(|f| lower.cond(f)),
                after,
                until,
                ty: spec.ty,
            }
        })
        .collect()
}

/// `in last N units` is (as-of − N, as-of]; `from A to B units ago` is (as-of − A, as-of − B];
/// no window is everything up to the as-of date.
pub fn window(as_of: Day, window: Option<&Window>) -> (Option<Day>, Day) {
    match window {
        None => (None, as_of),
        Some(Window::Last { amount, unit }) => (Some(back(as_of, *amount, *unit)), as_of),
        Some(Window::Between { from, to, unit }) => {
            (Some(back(as_of, *from, *unit)), back(as_of, *to, *unit))
        }
    }
}

fn back(as_of: Day, amount: u32, unit: TimeUnit) -> Day {
    match unit {
        TimeUnit::Days => as_of.saturating_sub(amount as i32),
        TimeUnit::Months => date::months_before(as_of, amount),
        TimeUnit::Years => date::months_before(as_of, amount.saturating_mul(12)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::{format, parse};

    #[test]
    fn windows_count_calendar_months_and_years() {
        let as_of = parse("2026-03-31").unwrap();
        let shown = |w: (Option<Day>, Day)| (w.0.map(format), format(w.1));
        let last = |amount, unit| Window::Last { amount, unit };
        assert_eq!(shown(window(as_of, None)), (None, "2026-03-31".into()));
        assert_eq!(
            shown(window(as_of, Some(&last(90, TimeUnit::Days)))),
            (Some("2025-12-31".into()), "2026-03-31".into())
        );
        assert_eq!(
            shown(window(as_of, Some(&last(1, TimeUnit::Months)))),
            (Some("2026-02-28".into()), "2026-03-31".into())
        );
        assert_eq!(
            shown(window(as_of, Some(&last(1, TimeUnit::Years)))),
            (Some("2025-03-31".into()), "2026-03-31".into())
        );
        let between = Window::Between { from: 24, to: 12, unit: TimeUnit::Months };
        assert_eq!(shown(window(as_of, Some(&between))), (Some("2024-03-31".into()), "2025-03-31".into()));
    }
}
