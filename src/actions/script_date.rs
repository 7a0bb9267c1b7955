//! Dates in scripts: `as_of.add_days(2)` for "in 48 hours", `as_of.next("Monday")` for
//! "next Monday", `as_of.add_months(6)` for "in six months",
//! `as_of.add_months(1).first_of_month().on_working_day()` for "the first working day of
//! next month", formatting and comparison.

use crate::msg;
use chrono::{Datelike, Months, NaiveDate, Weekday};
use rhai::{Engine, EvalAltResult};
use std::fmt::Write;

/// A calendar date as scripts see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScriptDate(pub NaiveDate);

type Fallible<T> = Result<T, Box<EvalAltResult>>;

fn out_of_range() -> Box<EvalAltResult> {
    msg!("script-date-out-of-range").to_string().into()
}

impl ScriptDate {
    fn add_days(&mut self, days: i64) -> Fallible<ScriptDate> {
        let delta = chrono::Duration::try_days(days).ok_or_else(out_of_range)?;
        self.0.checked_add_signed(delta).map(ScriptDate).ok_or_else(out_of_range)
    }

    fn add_months(&mut self, months: i64) -> Fallible<ScriptDate> {
        let amount = Months::new(u32::try_from(months.unsigned_abs()).map_err(|_| out_of_range())?);
        let moved =
            if months >= 0 { self.0.checked_add_months(amount) } else { self.0.checked_sub_months(amount) };
        moved.map(ScriptDate).ok_or_else(out_of_range)
    }

    /// The first day of the date's month.
    fn first_of_month(&mut self) -> ScriptDate {
        ScriptDate(self.0.with_day(1).unwrap_or(self.0))
    }

    /// The date itself from Monday to Friday; the Monday after, on a weekend.
    fn on_working_day(&mut self) -> Fallible<ScriptDate> {
        match self.0.weekday() {
            Weekday::Sat => self.add_days(2),
            Weekday::Sun => self.add_days(1),
            _ => Ok(*self),
        }
    }

    fn next(&mut self, weekday: &str) -> Fallible<ScriptDate> {
        let wanted: Weekday =
            weekday.parse().map_err(|_| msg!("script-not-a-weekday", text = weekday).to_string())?;
        let ahead =
            (7 + wanted.num_days_from_monday() as i64 - self.0.weekday().num_days_from_monday() as i64) % 7;
        self.add_days(if ahead == 0 { 7 } else { ahead })
    }

    fn format(&mut self, pattern: &str) -> Fallible<String> {
        let mut text = String::new();
        write!(text, "{}", self.0.format(pattern))
            .map_err(|_| msg!("script-not-a-date-format", text = pattern).to_string())?;
        Ok(text)
    }
}

/// Parses `YYYY-MM-DD` (and the other forms data cells take).
fn parse(text: &str) -> Fallible<ScriptDate> {
    crate::date::parse(text)
        .map(|day| ScriptDate(crate::date::to_naive(day)))
        .ok_or_else(|| msg!("script-not-a-date", text = text).to_string().into())
}

/// Registers the type, its methods and operators.
pub fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<ScriptDate>("Date")
        .register_fn("date", parse)
        .register_fn("add_days", ScriptDate::add_days)
        .register_fn("add_weeks", |d: &mut ScriptDate, weeks: i64| d.add_days(weeks.saturating_mul(7)))
        .register_fn("add_months", ScriptDate::add_months)
        .register_fn("add_years", |d: &mut ScriptDate, years: i64| d.add_months(years.saturating_mul(12)))
        .register_fn("next", ScriptDate::next)
        .register_fn("first_of_month", ScriptDate::first_of_month)
        .register_fn("on_working_day", ScriptDate::on_working_day)
        .register_fn("format", ScriptDate::format)
        .register_fn("weekday", |d: &mut ScriptDate| d.0.weekday().to_string())
        .register_fn("days_until", |d: &mut ScriptDate, other: ScriptDate| (other.0 - d.0).num_days())
        .register_fn("to_string", |d: &mut ScriptDate| d.0.format("%Y-%m-%d").to_string())
        .register_fn("to_debug", |d: &mut ScriptDate| d.0.format("%Y-%m-%d").to_string())
        .register_fn("==", |a: ScriptDate, b: ScriptDate| a == b)
        .register_fn("!=", |a: ScriptDate, b: ScriptDate| a != b)
        .register_fn("<", |a: ScriptDate, b: ScriptDate| a < b)
        .register_fn("<=", |a: ScriptDate, b: ScriptDate| a <= b)
        .register_fn(">", |a: ScriptDate, b: ScriptDate| a > b)
        .register_fn(">=", |a: ScriptDate, b: ScriptDate| a >= b)
        .register_get("year", |d: &mut ScriptDate| i64::from(d.0.year()))
        .register_get("month", |d: &mut ScriptDate| i64::from(d.0.month()))
        .register_get("day", |d: &mut ScriptDate| i64::from(d.0.day()));
}
