//! Where each customer was at the previous recorded run: per dimension, its segment and the
//! day it entered it. The membership history (`crate::history`, `run --history`) fills it;
//! the engine reads it to run `on enter` and `on leave` scripts in the run in which a
//! customer enters or leaves a segment, and to tell scripts `previous_segment`,
//! `entered_on` and `days_in_segment`. Plain data, so that the engine needs no database.

use crate::date::Day;
use ahash::AHashMap as HashMap;

/// The customers' places at the previous run, for the dimensions that asked for them.
#[derive(Debug, Clone, Default)]
pub struct Memberships {
    previous_run: Option<Day>,
    /// Per dimension of the program: customer id → its stay at the previous run.
    stays: Vec<HashMap<Box<str>, Stay>>,
    /// Segment names as recorded, each once.
    names: Vec<String>,
    /// On a first run, everyone enters its segment (`--initial-enter`).
    initial_enter: bool,
}

/// A customer's stay in a segment at the previous run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stay {
    /// The segment's index in the program's dimension (`None`: the ruleset has no segment
    /// of that name any more).
    pub segment: Option<u16>,
    name: u32,
    /// The as-of date of the run in which the customer entered the segment.
    pub entered: Day,
}

impl Memberships {
    /// No earlier run: the history is empty, this run is its baseline.
    pub fn baseline(dimensions: usize) -> Memberships {
        Memberships { stays: vec![HashMap::new(); dimensions], ..Memberships::default() }
    }

    /// The places at the run of `previous_run`, to be filled with [`Memberships::insert`].
    pub fn after(previous_run: Day, dimensions: usize) -> Memberships {
        Memberships { previous_run: Some(previous_run), ..Memberships::baseline(dimensions) }
    }

    /// Notes that at the previous run customer `id` was in `name` (index `segment` in the
    /// program's dimension `dimension`), entered on `entered`.
    pub fn insert(&mut self, dimension: usize, id: &str, segment: Option<u16>, name: &str, entered: Day) {
        let name = match self.names.iter().position(|n| n == name) {
            Some(i) => i as u32,
            None => {
                self.names.push(name.to_string());
                (self.names.len() - 1) as u32
            }
        };
        if let Some(stays) = self.stays.get_mut(dimension) {
            stays.insert(id.into(), Stay { segment, name, entered });
        }
    }

    /// Makes everyone enter its segment when the history has no earlier run.
    pub fn set_initial_enter(&mut self, initial_enter: bool) {
        self.initial_enter = initial_enter;
    }

    /// The as-of date of the previous run; `None` for a first run.
    pub fn previous_run(&self) -> Option<Day> {
        self.previous_run
    }

    /// True when entering and leaving are told apart from staying: there is an earlier
    /// run, or `--initial-enter` makes a first run count as everyone entering.
    pub fn moves_count(&self) -> bool {
        self.previous_run.is_some() || self.initial_enter
    }

    /// Where customer `id` was in `dimension` at the previous run.
    pub fn previous(&self, dimension: usize, id: &str) -> Option<Stay> {
        self.stays.get(dimension)?.get(id).copied()
    }

    /// A stay's segment name, as recorded.
    pub fn name(&self, stay: &Stay) -> &str {
        self.names.get(stay.name as usize).map_or("", String::as_str)
    }
}
