//! Overrides: a manager pins a customer in a segment where the rules would not put it
//! ("this distributor stays A while we renegotiate"), with a reason and a date until which
//! the pin holds. Read from a CSV file (`id,dimension,segment,reason,until`), bound to a
//! compiled program, and applied after each customer's evaluation, so the pinned segment is
//! what the results, the counts and the history show.

use crate::date::{self, Day};
use crate::messages::Message;
use crate::msg;
use crate::program::Program;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// One pin, as written in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub id: String,
    pub dimension: String,
    pub segment: String,
    pub reason: String,
    /// The last day it holds; `None`: until it is taken out of the file.
    pub until: Option<Day>,
    /// Its line in the file.
    pub line: u64,
}

/// The overrides of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub file: String,
    pub list: Vec<Override>,
}

impl Overrides {
    /// Reads overrides from CSV text with the columns `id`, `dimension`, `segment`,
    /// `reason` and `until` (YYYY-MM-DD or empty), in any order; `file` names it in messages.
    pub fn parse(file: &str, text: &str) -> Result<Overrides, Message> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| msg!("overrides-unreadable", file = file, reason = e.to_string()))?
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        let column = |name: &str| header.iter().position(|h| h == name);
        let (Some(id), Some(dimension), Some(segment)) =
            (column("id"), column("dimension"), column("segment"))
        else {
            return Err(msg!("overrides-columns", file = file, columns = header.join(", ")));
        };
        let (reason, until) = (column("reason"), column("until"));
        let mut list = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let line = n as u64 + 2;
            let record = record.map_err(|e| {
                msg!("overrides-line-unreadable", file = file, line = line, reason = e.to_string())
            })?;
            let cell =
                |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default().trim().to_string();
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let until_text = cell(until);
            let until = match until_text.as_str() {
                "" => None,
                text => Some(date::parse(text).ok_or_else(|| {
                    msg!("overrides-until-not-date", file = file, line = line, text = text)
                })?),
            };
            list.push(Override {
                id: cell(Some(id)),
                dimension: cell(Some(dimension)),
                segment: cell(Some(segment)),
                reason: cell(reason),
                until,
                line,
            });
        }
        Ok(Overrides { file: file.to_string(), list })
    }
}

/// Overrides bound to a program and an as-of date: per customer id, the dimensions and
/// segments it is pinned to.
#[derive(Debug, Default)]
pub struct Pins {
    by_id: HashMap<String, Vec<(usize, u16, usize)>>,
    /// Per override: did a customer of the data have its id?
    used: Vec<AtomicBool>,
    list: Vec<Override>,
    file: String,
    /// Overrides not applied, each with why (expired, no such dimension or segment).
    pub problems: Vec<Message>,
}

impl Pins {
    /// Binds overrides to `program` as of its date: an expired pin, or one naming a
    /// dimension or segment the rules do not have, is a problem, not applied.
    pub fn bind(overrides: &Overrides, program: &Program) -> Pins {
        let mut pins = Pins { file: overrides.file.clone(), list: overrides.list.clone(), ..Pins::default() };
        for (n, pin) in overrides.list.iter().enumerate() {
            let at = msg!("override-at", file = &overrides.file, line = pin.line, id = &pin.id);
            let Some(d) = program.dimensions.iter().position(|d| d.name == pin.dimension) else {
                let names: Vec<&str> = program.dimensions.iter().map(|d| d.name.as_str()).collect();
                pins.problems.push(msg!(
                    "override-no-dimension",
                    at = at,
                    dimension = &pin.dimension,
                    dimensions = names.join(", ")
                ));
                continue;
            };
            let names = &program.dimensions[d].names;
            let Some(segment) = names.iter().position(|s| *s == pin.segment) else {
                let mut listed: Vec<&str> = Vec::new();
                for name in names {
                    if !listed.contains(&name.as_str()) {
                        listed.push(name);
                    }
                }
                pins.problems.push(msg!(
                    "override-no-segment",
                    at = at,
                    dimension = &pin.dimension,
                    segment = &pin.segment,
                    segments = listed.join(", ")
                ));
                continue;
            };
            if pin.until.is_some_and(|until| until < program.as_of()) {
                pins.problems.push(msg!(
                    "override-ended",
                    at = at,
                    segment = &pin.segment,
                    until = pin.until.map(date::format).unwrap_or_default()
                ));
                continue;
            }
            pins.by_id.entry(pin.id.clone()).or_default().push((d, segment as u16, n));
        }
        pins.used = overrides.list.iter().map(|_| AtomicBool::new(false)).collect();
        pins
    }

    /// True when no override applies.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The pins of a customer: (dimension, segment), noted as used.
    pub fn of(&self, id: &str) -> impl Iterator<Item = (usize, u16)> + '_ {
        self.by_id.get(id).into_iter().flatten().map(|&(d, segment, n)| {
            self.used[n].store(true, Ordering::Relaxed);
            (d, segment)
        })
    }

    /// After a run: the pins whose customer was not in the data.
    pub fn unused(&self) -> Vec<Message> {
        self.by_id
            .values()
            .flatten()
            .filter(|&&(_, _, n)| !self.used[n].load(Ordering::Relaxed))
            .map(|&(_, _, n)| {
                let pin = &self.list[n];
                msg!("override-unused", file = &self.file, line = pin.line, id = &pin.id)
            })
            .collect()
    }

    /// The reason and end of a customer's pin in a dimension, for `explain`.
    pub fn reason(&self, id: &str, dimension: usize) -> Option<&Override> {
        self.by_id.get(id)?.iter().find(|p| p.0 == dimension).map(|p| &self.list[p.2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pins_with_their_reasons_and_dates() {
        let text = "id,dimension,segment,reason,until\nC1,value,A,renegotiating,2026-12-31\n,,,,\nC2,stars,4-star,,\n";
        let overrides = Overrides::parse("o.csv", text).unwrap();
        assert_eq!(overrides.list.len(), 2);
        assert_eq!(overrides.list[0].until, date::parse("2026-12-31"));
        assert_eq!(overrides.list[1].line, 4);
        assert!(Overrides::parse("o.csv", "id,segment\nC1,A\n")
            .unwrap_err()
            .to_string()
            .contains("needs the columns"));
        let bad = Overrides::parse("o.csv", "id,dimension,segment,until\nC1,value,A,31/12/2026\n")
            .unwrap_err()
            .to_string();
        assert!(bad.contains("line 2") && bad.contains("not a date"), "{bad}");
    }
}
