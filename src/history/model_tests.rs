//! The history against a model kept by hand: runs of changing customers recorded, some
//! again on the same date, some taken back with `rewrite_from`, and after each one where
//! every customer was at every run still recorded — rebuilt from the snapshot forwards and
//! backwards — compared with what the model says; a version 2 file migrated; and stays
//! that do not fit together refused with a clear error.

use super::state::Known;
use super::*;
use crate::run::OutcomeSink;
use std::collections::BTreeMap;

/// Per customer, the segments ("a1", "b0") and tags ("t1") it has in a run.
type Run = BTreeMap<String, Vec<String>>;

const DIMENSIONS: [(&str, [&str; 3]); 2] = [("a", ["a0", "a1", "a2"]), ("b", ["b0", "b1", "b2"])];
const TAGS: [&str; 2] = ["t0", "t1"];

/// A small generator, so the test needs no crate and fails the same way every time.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % sides
    }
}

fn results(run: &Run) -> RunResults {
    let mut results = RunResults::default();
    let dimensions: Vec<(String, Vec<String>)> = DIMENSIONS
        .iter()
        .map(|(d, names)| (d.to_string(), names.iter().map(|n| n.to_string()).collect()))
        .collect();
    let tags: Vec<String> = TAGS.iter().map(|t| t.to_string()).collect();
    results.names(&dimensions, &tags);
    for (id, has) in run {
        let segments: Vec<Option<u16>> = DIMENSIONS
            .iter()
            .map(|(_, names)| names.iter().position(|n| has.iter().any(|h| h == n)).map(|i| i as u16))
            .collect();
        let tags: Vec<u16> = TAGS
            .iter()
            .enumerate()
            .filter(|(_, t)| has.iter().any(|h| h == *t))
            .map(|(i, _)| i as u16)
            .collect();
        results.customer(id, &segments, &tags);
    }
    results
}

/// The next run: each customer keeps its places or, one time in four, draws new ones; one
/// in ten is missing from the data.
fn next_run(previous: &Run, dice: &mut Dice) -> Run {
    let mut run = Run::new();
    for c in 0..40 {
        if dice.roll(10) == 0 {
            continue;
        }
        let id = format!("C{c}");
        let kept = previous.get(&id).filter(|_| dice.roll(4) != 0);
        let has = kept.cloned().unwrap_or_else(|| {
            let mut has = Vec::new();
            for (_, names) in DIMENSIONS {
                if let Some(name) = names.get(dice.roll(4) as usize) {
                    has.push(name.to_string());
                }
            }
            has.extend(TAGS.iter().filter(|_| dice.roll(2) == 0).map(|t| t.to_string()));
            has
        });
        run.insert(id, has);
    }
    run
}

/// Where each customer was at the latest of `runs` (the ones recorded up to a day): per
/// customer each segment or tag and the day of the run it entered in, for that stay.
fn expected(runs: &[(i64, Run)]) -> BTreeMap<String, Vec<(String, i64)>> {
    let Some((_, last)) = runs.last() else { return BTreeMap::new() };
    let mut places = BTreeMap::new();
    for (id, has) in last {
        let mut entries: Vec<(String, i64)> = has
            .iter()
            .map(|segment| {
                let streak =
                    runs.iter().rev().take_while(|(_, run)| run.get(id).is_some_and(|h| h.contains(segment)));
                (segment.clone(), streak.last().map_or(0, |(day, _)| *day))
            })
            .collect();
        entries.sort();
        if !entries.is_empty() {
            places.insert(id.clone(), entries);
        }
    }
    places
}

/// Where `Known` says each customer was at the run of `day`.
fn known_at(history: &History, day: i64) -> BTreeMap<String, Vec<(String, i64)>> {
    let known = Known::at(&history.conn, Some(day)).unwrap();
    let segments = super::segments::Segments::load(&history.conn).unwrap();
    let mut places = BTreeMap::new();
    for at in 0..known.len() {
        let mut entries: Vec<(String, i64)> = known
            .state(at)
            .iter()
            .map(|e| (segments.name_of(e.segment).unwrap().to_string(), i64::from(e.from)))
            .collect();
        entries.sort();
        if !entries.is_empty() {
            places.insert(known.name(at).to_string(), entries);
        }
    }
    places
}

fn record(history: &mut History, day: i64, run: &Run, rewrite_from: Option<i64>) -> Recorded {
    let record = RunRecord {
        as_of: day as crate::date::Day,
        ruleset_text: String::new(),
        ruleset_hash: String::new(),
        data_name: "data.csv".to_string(),
        data_hash: String::new(),
        rewrite_from: rewrite_from.map(|d| d as crate::date::Day),
    };
    history.record(&record, &results(run)).unwrap()
}

/// Checks the history against the model's runs: every run's places, who moved at the
/// latest, and a few timelines.
fn check(history: &History, runs: &[(i64, Run)], moved: &Recorded) {
    for upto in 1..=runs.len() {
        let (day, _) = runs[upto - 1];
        assert_eq!(known_at(history, day), expected(&runs[..upto]), "at the run of day {day}");
    }
    if let [.., (_, before), (_, after)] = runs {
        for (d, (dimension, names)) in DIMENSIONS.iter().enumerate() {
            let segment = |run: &Run, id: &str| {
                run.get(id).and_then(|h| h.iter().find(|s| names.contains(&s.as_str())).cloned())
            };
            let ids: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
            let count = ids.iter().filter(|id| segment(before, id) != segment(after, id)).count() as u64;
            assert_eq!(moved.moved[d], (dimension.to_string(), count), "moves in {dimension}");
            let moves = history.moves(None, Some(dimension)).unwrap();
            assert_eq!(moves.iter().map(|m| m.count).sum::<u64>(), count, "{moves:?}");
        }
    }
    for id in ["C0", "C7", "C13"] {
        let Some(timeline) = history.timeline(id).unwrap() else {
            assert!(runs.iter().all(|(_, run)| run.get(id).is_none_or(|h| h.is_empty())), "{id} recorded");
            continue;
        };
        for (segment, stays) in timeline.dimensions.values().flatten().map(|s| (s.segment.clone(), s)) {
            let from = crate::date::parse(&stays.from).map(i64::from).unwrap();
            let at = runs.iter().position(|(day, _)| *day == from).expect("a stay begins at a run");
            assert!(runs[at].1.get(id).is_some_and(|h| h.contains(&segment)), "{id} in {segment} at {from}");
        }
    }
}

#[test]
fn recorded_places_agree_with_the_model_through_replaced_and_rewritten_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = History::open(&dir.path().join("h.db")).unwrap();
    let mut dice = Dice(7);
    let mut runs: Vec<(i64, Run)> = Vec::new();
    let mut day = 739_000;
    for step in 0..30 {
        let previous = runs.last().map(|r| r.1.clone()).unwrap_or_default();
        let run = next_run(&previous, &mut dice);
        match step % 10 {
            // The same date again: replaces the run.
            4 | 8 => {
                let day = runs.last().unwrap().0;
                runs.pop();
                let recorded = record(&mut history, day, &run, None);
                assert!(recorded.replaced);
                runs.push((day, run));
            }
            // Taken back from two runs ago, and recorded again a few days on.
            6 => {
                let from = runs[runs.len() - 2].0;
                runs.truncate(runs.len() - 2);
                day = from + 3;
                let recorded = record(&mut history, day, &run, Some(from));
                assert!(recorded.replaced);
                runs.push((day, run));
            }
            _ => {
                day += 7;
                let recorded = record(&mut history, day, &run, None);
                assert_eq!(recorded.baseline, runs.is_empty());
                runs.push((day, run));
            }
        }
        let latest = runs.len();
        let recorded = if latest >= 2 {
            // Recording the latest again changes nothing, and says who moved at it.
            record(&mut history, runs[latest - 1].0, &runs[latest - 1].1.clone(), None)
        } else {
            continue;
        };
        check(&history, &runs, &recorded);
    }
    let snapshots: i64 = history.conn.query_row("SELECT count(*) FROM snapshots", [], |r| r.get(0)).unwrap();
    assert_eq!(snapshots, 1, "one snapshot is kept");
}

#[test]
fn a_version_2_file_is_migrated_with_its_stays_and_records_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    {
        let conn = Connection::open(&path).unwrap();
        let sql = format!("BEGIN;\n{}\n{}\nPRAGMA user_version = 2;\nCOMMIT;", MIGRATIONS[0], MIGRATIONS[1]);
        conn.execute_batch(&sql).unwrap();
        // Two runs: C1 went from a0 to a1 and has had t0 throughout; C2 (a number far from
        // C1's, as a hand-edited file might have) was in a2 and left the data.
        conn.execute_batch(
            "INSERT INTO runs VALUES (739000, '2024-04-24', 'x', 'r', 't', 'd.csv', 'h', 2);
             INSERT INTO runs VALUES (739007, '2024-05-01', 'x', 'r', 't', 'd.csv', 'h', 1);
             INSERT INTO segments VALUES (1, 'a', 'a0'), (2, 'a', 'a1'), (3, 'a', 'a2'), (4, NULL, 't0');
             INSERT INTO customers VALUES ('C1', 1, x'0200000004000000'), ('C2', 9000000, x'');
             INSERT INTO stays VALUES (1, 1, 739000, 739007), (1, 2, 739007, NULL), (1, 4, 739000, NULL),
                                      (9000000, 3, 739000, 739007);",
        )
        .unwrap();
    }
    let mut history = History::open(&path).unwrap();
    let timeline = history.timeline("C1").unwrap().unwrap();
    let a: Vec<(&str, &str, Option<&str>)> = timeline.dimensions["a"]
        .iter()
        .map(|s| (s.segment.as_str(), s.from.as_str(), s.to.as_deref()))
        .collect();
    assert_eq!(a, [("a0", "2024-04-24", Some("2024-05-01")), ("a1", "2024-05-01", None)]);
    assert_eq!(timeline.tags["t0"][0].to, None);
    let moves = history.moves(None, None).unwrap();
    assert_eq!(
        moves.iter().map(|m| (m.from.as_deref(), m.to.as_deref(), m.count)).collect::<Vec<_>>(),
        [(Some("a0"), Some("a1"), 1), (Some("a2"), None, 1)]
    );
    // The first run after the migration rebuilds the places from the stays, and moves on.
    let mut run = Run::new();
    run.insert("C1".into(), vec!["a1".into()]);
    run.insert("C2".into(), vec!["a0".into(), "t0".into()]);
    let recorded = record(&mut history, 739_014, &run, None);
    assert_eq!(recorded.moved, [("a".to_string(), 1), ("b".to_string(), 0)]);
    assert_eq!(recorded.tags_changed, 2, "C1 lost t0, C2 gained it");
    let days: Vec<String> = history.runs().unwrap().into_iter().map(|r| r.as_of).collect();
    assert_eq!(days, ["2024-04-24", "2024-05-01", "2024-05-08"]);
    let c1 = history.timeline("C1").unwrap().unwrap();
    assert_eq!(c1.tags["t0"][0].to.as_deref(), Some("2024-05-08"));
    let version: i64 = history.conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 3);
    let in_view: i64 = history
        .conn
        .query_row("SELECT count(*) FROM memberships WHERE to_date IS NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(in_view, 2, "C1 in a1, C2 in a0");
}

#[test]
fn stays_that_do_not_fit_together_are_a_clear_error_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = History::open(&dir.path().join("h.db")).unwrap();
    let mut run = Run::new();
    run.insert("C1".into(), vec!["a1".into(), "t0".into()]);
    record(&mut history, 739_000, &run, None);
    drop(history); // closed: its last transaction is in the file, not in the WAL beside it
    for damage in [
        // A list that is not one, and a customer number `customers` does not have.
        "UPDATE stays SET segments = 'x'",
        "UPDATE stays SET customer = 999999",
    ] {
        let copy = dir.path().join("copy.db");
        std::fs::copy(dir.path().join("h.db"), &copy).unwrap();
        let mut damaged = History::open(&copy).unwrap();
        // Without the snapshot, the places are rebuilt from the stays.
        damaged.conn.execute_batch(&format!("DELETE FROM snapshots; {damage};")).unwrap();
        let next = RunRecord { as_of: 739_007, ..blank_record() };
        let Err(error) = damaged.record(&next, &results(&run)) else { panic!("{damage}: recorded") };
        assert!(error.to_string().contains("do not fit together"), "{damage}: {error}");
        assert_eq!(damaged.runs().unwrap().len(), 1, "{damage}: the run was not recorded");
        drop(damaged);
        std::fs::remove_file(&copy).unwrap();
    }
}

fn blank_record() -> RunRecord {
    RunRecord {
        as_of: 0,
        ruleset_text: String::new(),
        ruleset_hash: String::new(),
        data_name: "data.csv".to_string(),
        data_hash: String::new(),
        rewrite_from: None,
    }
}
