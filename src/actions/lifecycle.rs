//! Acting once: who entered and who left a segment since the previous recorded run, for
//! `on enter` and `on leave` scripts, and where a customer was, as every script sees it
//! (`previous_segment`, `entered_on`, `days_in_segment`).

use super::script_date::ScriptDate;
use super::Actions;
use crate::date::{self, Day};
use crate::eval::Outcome;
use crate::membership::Stay;
use rhai::Dynamic;

/// An `on enter` or `on leave` call: the script, the dimension, which of the two, and
/// where the customer was at the previous run.
pub(super) struct Move {
    pub script: usize,
    pub dimension: usize,
    pub entering: bool,
    pub before: Option<Stay>,
}

/// One script to call for a customer: the script, its dimension (`None` for a tag), the
/// segment's name, where the customer was at the previous run, and whether it is leaving
/// that segment.
pub(super) struct Call<'a> {
    pub script: usize,
    pub dimension: Option<usize>,
    pub segment: &'a str,
    /// The segment's name as the script's `segment`.
    pub value: rhai::ImmutableString,
    pub before: Option<Stay>,
    pub leaving: bool,
}

impl Actions {
    /// The `on enter` and `on leave` calls a customer's moves make: per dimension where it
    /// is not where it was at the previous run, the script of the segment it entered and
    /// of the one it left, with where it was.
    pub(super) fn moves(&self, outcome: &Outcome, id: &str) -> Vec<Move> {
        let Some(memberships) = self.memberships.as_ref().filter(|m| m.moves_count()) else {
            return Vec::new();
        };
        let mut moves = Vec::new();
        for (d, &now) in outcome.segments.iter().enumerate() {
            let (enter, leave) = (&self.on_enter[d], &self.on_leave[d]);
            if enter.iter().chain(leave).all(Option::is_none) {
                continue;
            }
            let before = memberships.previous(d, id);
            if before.is_some_and(|b| b.segment.is_some() && b.segment == now) {
                continue;
            }
            if let Some(script) = before.and_then(|b| *leave.get(usize::from(b.segment?))?) {
                moves.push(Move { script, dimension: d, entering: false, before });
            }
            if let Some(script) = now.and_then(|s| *enter.get(usize::from(s))?) {
                moves.push(Move { script, dimension: d, entering: true, before });
            }
        }
        moves
    }

    /// `previous_segment`, `entered_on` and `days_in_segment` as a script of `dimension`
    /// sees them: unit without a history, or for a customer the history has not seen.
    pub(super) fn place_vars(
        &self,
        dimension: Option<usize>,
        now: Option<u16>,
        before: Option<Stay>,
        as_of: Day,
    ) -> [Dynamic; 3] {
        let Some(memberships) = self.memberships.as_ref().filter(|_| dimension.is_some()) else {
            return [Dynamic::UNIT, Dynamic::UNIT, Dynamic::UNIT];
        };
        let previous = before.map_or(Dynamic::UNIT, |b| Dynamic::from(memberships.name(&b).to_string()));
        let entered = match before {
            Some(b) if b.segment.is_some() && b.segment == now => b.entered,
            _ => as_of,
        };
        let days = i64::from(as_of) - i64::from(entered);
        [previous, Dynamic::from(ScriptDate(date::to_naive(entered))), Dynamic::from(days)]
    }
}
