//! The membership history on a real SQLite file: a sequence of dated runs over changing
//! data, and the timelines and moves read back, against expectations written by hand.

use crate::common::{folder, tradeseg_in};
use tradeseg::history::History;

const RULES: &str = r#"
dimension stars {
    segment "4-star" when orders >= 1
    segment "2-star" when inquiries >= 2
    otherwise "0-star"
}
segment "vip" when revenue >= 100000
"#;

/// Three months of one small export: C1 orders in November, C2 drops out of the export in
/// December, C3 arrives in November, C4 never changes.
const MONTHS: [(&str, &str); 3] = [
    ("2026-10-01", "id,orders,inquiries,revenue\nC1,0,3,0\nC2,0,0,0\nC4,2,5,200000\n"),
    ("2026-11-01", "id,orders,inquiries,revenue\nC1,1,3,5000\nC2,0,2,0\nC3,0,0,0\nC4,2,5,200000\n"),
    ("2026-12-01", "id,orders,inquiries,revenue\nC1,1,3,150000\nC3,0,4,0\nC4,2,5,200000\n"),
];

fn record(dir: &std::path::Path, month: usize) -> crate::common::Ran {
    let (as_of, data) = MONTHS[month];
    std::fs::write(dir.join("data.csv"), data).unwrap();
    let args = ["run", "rules.seg", "data.csv", "--as-of", as_of, "-q", "-o", "out.csv", "--history", "h.db"];
    tradeseg_in(dir, &args, b"")
}

#[test]
fn a_quarter_of_runs_gives_timelines_and_moves() {
    let dir = folder(&[("rules.seg", RULES.as_bytes())]);
    let first = record(dir.path(), 0);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stderr.contains("the first run: 3 customers as a baseline"), "{}", first.stderr);
    for month in 1..3 {
        let ran = record(dir.path(), month);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
    }
    let history = History::open(&dir.path().join("h.db")).unwrap();
    let runs: Vec<String> = history.runs().unwrap().into_iter().map(|r| r.as_of).collect();
    assert_eq!(runs, ["2026-10-01", "2026-11-01", "2026-12-01"]);

    // C1: 2-star in October, 4-star from November; vip from December.
    let c1 = history.timeline("C1").unwrap().expect("C1 is known");
    let stays: Vec<(String, String, Option<String>)> =
        c1.dimensions["stars"].iter().map(|s| (s.segment.clone(), s.from.clone(), s.to.clone())).collect();
    assert_eq!(
        stays,
        [
            ("2-star".to_string(), "2026-10-01".to_string(), Some("2026-11-01".to_string())),
            ("4-star".to_string(), "2026-11-01".to_string(), None),
        ]
    );
    assert_eq!(c1.tags["vip"][0].from, "2026-12-01");
    // C2 left the data in December: its stay ended then.
    let c2 = history.timeline("C2").unwrap().expect("C2 is known");
    assert_eq!(c2.dimensions["stars"].last().unwrap().to.as_deref(), Some("2026-12-01"));
    // C4 never moved: one stay, still open, and no row was added for it after October.
    let c4 = history.timeline("C4").unwrap().expect("C4 is known");
    assert_eq!(c4.dimensions["stars"].len(), 1);
    assert_eq!(c4.tags["vip"].len(), 1);
    assert!(history.timeline("C9").unwrap().is_none());

    // Moves between the last two runs: C2 left (2-star → none), C3 became 2-star.
    let moves: Vec<(Option<String>, Option<String>, Vec<String>)> =
        history.moves(None, None).unwrap().into_iter().map(|m| (m.from, m.to, m.customers)).collect();
    let expected = [
        (Some("0-star".to_string()), Some("2-star".to_string()), vec!["C3".to_string()]),
        (Some("2-star".to_string()), None, vec!["C2".to_string()]),
    ];
    assert_eq!(moves.len(), 2, "{moves:?}");
    for e in expected {
        assert!(moves.contains(&e), "{e:?} in {moves:?}");
    }
    // Since October: C1 2-star → 4-star, C2 0-star → none, C3 none → 2-star.
    let since = history.moves(Some("2026-10-01"), Some("stars")).unwrap();
    assert_eq!(since.iter().map(|m| m.count).sum::<u64>(), 3, "{since:?}");

    // Analysts read the same from the views, with dates as text, in any SQLite client.
    drop(history);
    let conn = rusqlite::Connection::open(dir.path().join("h.db")).unwrap();
    let stays: Vec<(String, String, Option<String>)> = conn
        .prepare(
            "SELECT segment, from_date, to_date FROM memberships WHERE customer = 'C1' ORDER BY from_date",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stays[0], ("2-star".to_string(), "2026-10-01".to_string(), Some("2026-11-01".to_string())));
    let vip: String = conn
        .query_row("SELECT from_date FROM tag_stays WHERE customer = 'C1' AND tag = 'vip'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(vip, "2026-12-01");

    // The command line shows the same.
    let ran = tradeseg_in(dir.path(), &["history", "h.db", "--customer", "C1", "--format", "json"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(json["dimensions"]["stars"][1]["segment"], "4-star");
    assert_eq!(json["dimensions"]["stars"][1]["to"], serde_json::Value::Null);
    let ran = tradeseg_in(dir.path(), &["history", "h.db", "--moves", "--format", "csv"], b"");
    assert!(ran.stdout.starts_with("dimension,from,to,customers,ids\n"), "{}", ran.stdout);
    assert!(ran.stdout.contains("stars,2-star,(none),1,C2\n"), "{}", ran.stdout);
}

#[test]
fn the_same_date_replaces_and_an_earlier_one_is_refused() {
    let dir = folder(&[("rules.seg", RULES.as_bytes())]);
    assert_eq!(record(dir.path(), 0).code, 0);
    assert_eq!(record(dir.path(), 1).code, 0);
    // November again, with other data: the November run is replaced, not added.
    std::fs::write(dir.path().join("data.csv"), MONTHS[0].1).unwrap();
    let args =
        ["run", "rules.seg", "data.csv", "--as-of", "2026-11-01", "-q", "-o", "out.csv", "--history", "h.db"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert!(ran.stderr.contains("recorded again as of 2026-11-01"), "{}", ran.stderr);
    let history = History::open(&dir.path().join("h.db")).unwrap();
    assert_eq!(history.runs().unwrap().len(), 2);
    let c1 = history.timeline("C1").unwrap().unwrap();
    assert_eq!(c1.dimensions["stars"].len(), 1, "the replaced run's move is gone: {c1:?}");
    assert_eq!(c1.dimensions["stars"][0].to, None);
    drop(history);
    // September: refused before anything is read or written.
    std::fs::remove_file(dir.path().join("out.csv")).unwrap();
    let args =
        ["run", "rules.seg", "data.csv", "--as-of", "2026-09-01", "-q", "-o", "out.csv", "--history", "h.db"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("already has a run of 2026-11-01"), "{}", ran.stderr);
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn the_schema_is_versioned() {
    let dir = folder(&[]);
    let path = dir.path().join("h.db");
    drop(History::open(&path).unwrap());
    // Opened again, nothing is migrated twice.
    drop(History::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 3, "the snapshots of version 3 are there");
    // A file from a newer tradeseg is refused, not damaged.
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let Err(e) = History::open(&path) else { panic!("a newer schema opened") };
    assert!(e.to_string().contains("newer"), "{e}");
}

#[test]
fn the_bundled_quarter_shows_its_movement() {
    let root = crate::common::root();
    let dir = folder(&[]);
    let db = dir.path().join("q.db");
    for month in ["09", "10", "11"] {
        let data = root.join(format!("examples/data/history/2026-{month}.csv"));
        let as_of = format!("2026-{month}-01");
        let args = [
            "run",
            "rulesets/purchase_stage.seg",
            data.to_str().unwrap(),
            "--as-of",
            &as_of,
            "-q",
            "-o",
            "-",
            "--history",
            db.to_str().unwrap(),
        ];
        let ran = tradeseg_in(&root, &args, b"");
        assert_eq!(ran.code, 0, "{}", ran.stderr);
    }
    let history = History::open(&db).unwrap();
    // C0100: a 2-star lead in September, took samples in October, ordered in November.
    let c0100: Vec<(String, String)> = history.timeline("C0100").unwrap().unwrap().dimensions["stars"]
        .iter()
        .map(|s| (s.segment.clone(), s.from.clone()))
        .collect();
    let expected = [("2-star", "2026-09-01"), ("3-star", "2026-10-01"), ("4-star", "2026-11-01")];
    assert_eq!(c0100, expected.map(|(s, d)| (s.to_string(), d.to_string())));
    // Over the quarter, all 30 customers who were not yet buyers in September became
    // 4-star, and the 10 who came later entered.
    let moves = history.moves(Some("2026-09-01"), Some("stars")).unwrap();
    let to_4_star: u64 =
        moves.iter().filter(|m| m.to.as_deref() == Some("4-star") && m.from.is_some()).map(|m| m.count).sum();
    let arrived: u64 = moves.iter().filter(|m| m.from.is_none()).map(|m| m.count).sum();
    assert_eq!((to_4_star, arrived), (30, 10), "{moves:?}");
}

#[test]
fn a_repeated_id_is_recorded_once_as_first_seen() {
    let dir = folder(&[
        ("rules.seg", RULES.as_bytes()),
        ("d.csv", b"id,orders,inquiries,revenue\nC1,1,0,0\nC2,0,0,0\nC1,0,3,0\n"),
    ]);
    let args =
        ["run", "rules.seg", "d.csv", "--as-of", "2026-10-01", "-q", "-o", "out.csv", "--history", "h.db"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let history = History::open(&dir.path().join("h.db")).unwrap();
    let c1 = history.timeline("C1").unwrap().unwrap();
    assert_eq!(c1.dimensions["stars"].len(), 1);
    assert_eq!(c1.dimensions["stars"][0].segment, "4-star");
    assert_eq!(history.runs().unwrap()[0].customers, 3, "the run's own count of records");
}

#[test]
fn a_file_that_is_not_a_history_is_refused_before_the_run() {
    let dir = folder(&[
        ("rules.seg", RULES.as_bytes()),
        ("d.csv", MONTHS[0].1.as_bytes()),
        ("h.db", b"not a database at all\n"),
    ]);
    let args =
        ["run", "rules.seg", "d.csv", "--as-of", "2026-10-01", "-q", "-o", "out.csv", "--history", "h.db"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("the history file"), "{}", ran.stderr);
    assert!(!dir.path().join("out.csv").exists(), "nothing written");
    assert_eq!(
        std::fs::read(dir.path().join("h.db")).unwrap(),
        b"not a database at all\n",
        "the file is untouched"
    );
    let ran = tradeseg_in(dir.path(), &["history", "missing.db"], b"");
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("no history file `missing.db`"), "{}", ran.stderr);
}

#[test]
fn rewrite_from_takes_back_the_later_runs_and_records_again() {
    let dir = folder(&[("rules.seg", RULES.as_bytes())]);
    for month in 0..3 {
        assert_eq!(record(dir.path(), month).code, 0);
    }
    // November again, with October's data, taking back November and December.
    std::fs::write(dir.path().join("data.csv"), MONTHS[0].1).unwrap();
    let rewrite = |from: &str| {
        let args = ["run", "rules.seg", "data.csv", "--as-of", "2026-11-01", "-q", "-o", "out.csv"];
        tradeseg_in(dir.path(), &[&args[..], &["--history", "h.db", "--rewrite-from", from]].concat(), b"")
    };
    let ran = rewrite("2026-11-01");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let history = History::open(&dir.path().join("h.db")).unwrap();
    let runs: Vec<String> = history.runs().unwrap().into_iter().map(|r| r.as_of).collect();
    assert_eq!(runs, ["2026-10-01", "2026-11-01"]);
    // C1 never moved in what is left; C2, back in the data, is still in its October segment.
    let c1 = history.timeline("C1").unwrap().unwrap();
    assert_eq!(c1.dimensions["stars"].len(), 1, "{c1:?}");
    assert!(c1.tags.is_empty(), "December's vip is taken back: {c1:?}");
    let c2 = history.timeline("C2").unwrap().unwrap();
    assert_eq!(c2.dimensions["stars"].last().unwrap().to, None);
    // A rewrite date after the run's own is refused.
    assert_eq!(rewrite("2026-12-01").code, 2);
}

#[test]
fn overrides_pin_customers_until_their_date() {
    let overrides = "id,dimension,segment,reason,until\n\
C2,stars,4-star,signed at the fair,2026-12-31\n\
C1,stars,0-star,old pin,2026-10-31\n\
C4,stars,5-star,typo,\n\
C9,stars,4-star,not a customer,\n";
    let dir = folder(&[
        ("rules.seg", RULES.as_bytes()),
        ("d.csv", MONTHS[1].1.as_bytes()),
        ("o.csv", overrides.as_bytes()),
    ]);
    let args = [
        "run",
        "rules.seg",
        "d.csv",
        "--as-of",
        "2026-11-01",
        "-o",
        "out.csv",
        "--overrides",
        "o.csv",
        "--history",
        "h.db",
    ];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    // C2 is pinned to 4-star (the rules give 2-star); C1's pin ended in October.
    let results = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(results.contains("\nC2,4-star,"), "{results}");
    assert!(results.contains("\nC1,4-star,"), "{results}");
    assert!(ran.stderr.contains("1 customer pinned by overrides"), "{}", ran.stderr);
    assert!(ran.stderr.contains("line 3 (C1): the pin to `0-star` ended on 2026-10-31"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("`stars` has no segment `5-star`; its segments are 4-star, 2-star, 0-star"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("no customer `C9` in the data"), "{}", ran.stderr);
    // The counts and the history have the pinned segment.
    assert!(ran.stderr.contains("  4-star               3   75.0%"), "{}", ran.stderr);
    let history = History::open(&dir.path().join("h.db")).unwrap();
    let c2 = history.timeline("C2").unwrap().unwrap();
    assert_eq!(c2.dimensions["stars"][0].segment, "4-star");
    // The history marks the pin, with its reason and end; only pins in force on customers
    // of the data are recorded.
    assert_eq!(c2.pins.len(), 1);
    let pin = &c2.pins[0];
    assert_eq!(
        (pin.run.as_str(), pin.dimension.as_str(), pin.segment.as_str(), pin.reason.as_str()),
        ("2026-11-01", "stars", "4-star", "signed at the fair")
    );
    assert_eq!(pin.until.as_deref(), Some("2026-12-31"));
    assert!(history.timeline("C1").unwrap().unwrap().pins.is_empty());
    let shown = tradeseg_in(dir.path(), &["history", "h.db", "--customer", "C2", "--format", "csv"], b"");
    assert!(
        shown.stdout.contains("pin,stars,4-star (signed at the fair),2026-11-01,2026-12-31"),
        "{}",
        shown.stdout
    );
    // explain says why.
    let args = [
        "explain",
        "rules.seg",
        "d.csv",
        "--as-of",
        "2026-11-01",
        "--customer",
        "C2",
        "--overrides",
        "o.csv",
    ];
    let explained = tradeseg_in(dir.path(), &args, b"");
    assert!(
        explained.stdout.contains("→ \"4-star\" (pinned by override: signed at the fair, until 2026-12-31; the rules gave \"2-star\")"),
        "{}",
        explained.stdout
    );
}

#[test]
fn unknown_customers_and_missing_files_are_clear_errors() {
    let dir = folder(&[("rules.seg", RULES.as_bytes())]);
    assert_eq!(record(dir.path(), 0).code, 0);
    let ran = tradeseg_in(dir.path(), &["history", "h.db", "--customer", "C9"], b"");
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("the history has no customer `C9`"), "{}", ran.stderr);
    let ran = tradeseg_in(dir.path(), &["diff", "gone.csv", "out.csv"], b"");
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("cannot read the results `gone.csv`"), "{}", ran.stderr);
}

const LIFECYCLE_RULES: &str = r#"
dimension stars {
    segment "4-star" when orders >= 1 on enter "welcome.rhai" then "every.rhai"
    segment "2-star" when inquiries >= 2 on leave "left.rhai"
    otherwise "0-star"
}
"#;

const WELCOME: &str = r#"
let from = if previous_segment == () { "nowhere" } else { previous_segment };
task(#{ title: `welcome to ${segment} from ${from}`, due: entered_on });
"#;
const LEFT: &str = r#"task(#{ title: `left ${segment} after ${days_in_segment} days` });"#;
const EVERY: &str = r#"task(#{ title: `in ${segment} for ${days_in_segment} days` });"#;

/// A month of the lifecycle rules: the plan's titles, one line each, by customer.
fn lifecycle_month(dir: &std::path::Path, month: usize, extra: &[&str]) -> (crate::common::Ran, Vec<String>) {
    let (as_of, data) = MONTHS[month];
    std::fs::write(dir.join("data.csv"), data).unwrap();
    let mut args = vec![
        "run",
        "rules.seg",
        "data.csv",
        "--as-of",
        as_of,
        "-q",
        "-o",
        "out.csv",
        "--plan",
        "plan.csv",
        "--history",
        "h.db",
    ];
    args.extend_from_slice(extra);
    let ran = tradeseg_in(dir, &args, b"");
    let plan = std::fs::read_to_string(dir.join("plan.csv")).unwrap_or_default();
    let mut titles: Vec<String> = plan
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            format!("{} {}", cells[0], cells[4])
        })
        .collect();
    titles.sort();
    (ran, titles)
}

fn lifecycle_folder() -> tempfile::TempDir {
    folder(&[
        ("rules.seg", LIFECYCLE_RULES.as_bytes()),
        ("welcome.rhai", WELCOME.as_bytes()),
        ("left.rhai", LEFT.as_bytes()),
        ("every.rhai", EVERY.as_bytes()),
    ])
}

#[test]
fn on_enter_and_on_leave_run_once_in_the_run_of_the_move() {
    let dir = lifecycle_folder();
    // October is the first run: a baseline, nobody enters; `then` runs as always.
    let (ran, october) = lifecycle_month(dir.path(), 0, &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stderr.contains("the first run is a baseline"), "{}", ran.stderr);
    assert_eq!(october, ["C4 in 4-star for 0 days"]);
    // November: C1 goes from 2-star (since October 1st) to 4-star; C2 from 0-star to
    // 2-star (no script); C3 is new, in 0-star (no script); C4 stays.
    let (ran, november) = lifecycle_month(dir.path(), 1, &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        november,
        [
            "C1 in 4-star for 0 days",
            "C1 left 2-star after 31 days",
            "C1 welcome to 4-star from 2-star",
            "C4 in 4-star for 31 days",
        ]
    );
    // December: nobody enters 4-star or leaves 2-star (C3 enters 2-star, which has no
    // `on enter`; C2 left the export and has no row to act on).
    let (ran, december) = lifecycle_month(dir.path(), 2, &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(december, ["C1 in 4-star for 30 days", "C4 in 4-star for 61 days"]);
    // Running December again replaces that run and gives the same plan, not more.
    let (_, again) = lifecycle_month(dir.path(), 2, &[]);
    assert_eq!(again, december);
}

#[test]
fn initial_enter_makes_a_first_run_welcome_everyone() {
    let dir = lifecycle_folder();
    let (ran, october) = lifecycle_month(dir.path(), 0, &["--initial-enter"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(october, ["C4 in 4-star for 0 days", "C4 welcome to 4-star from nowhere"]);
}

#[test]
fn on_enter_without_a_history_is_refused_before_reading_anything() {
    let dir = lifecycle_folder();
    std::fs::write(dir.path().join("data.csv"), MONTHS[0].1).unwrap();
    let ran = tradeseg_in(dir.path(), &["run", "rules.seg", "data.csv", "-o", "out.csv"], b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("`on enter` and `on leave` need the membership history"), "{}", ran.stderr);
    assert!(ran.stderr.contains("rules.seg:3:"), "{}", ran.stderr);
    assert!(!dir.path().join("out.csv").exists());
    // On a tag there is no segment to enter: refused with its reason.
    std::fs::write(
        dir.path().join("tag.seg"),
        "segment \"vip\" when orders >= 1 on enter \"welcome.rhai\"\n",
    )
    .unwrap();
    let ran = tradeseg_in(dir.path(), &["check", "tag.seg"], b"");
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("are for the segments of a dimension"), "{}", ran.stderr);
}

const PLACE_RULES: &str = r#"
dimension value {
    segment "A" when revenue >= 100000
    segment "B" when revenue >= 10000
    otherwise "C"
}
dimension change {
    segment "downgraded" when previous(value) == "A" and value != "A"
    segment "upgraded" when previous(value) != "A" and value == "A"
    segment "steady A" when value == "A" and days_in(value) >= 30
    otherwise "same"
}
segment "new A" when value == "A" and days_in(value) < 30
"#;

#[test]
fn rules_read_the_previous_segment_and_the_days_in_the_current_one() {
    let dir = folder(&[("rules.seg", PLACE_RULES.as_bytes())]);
    let month = |as_of: &str, data: &str| {
        std::fs::write(dir.path().join("data.csv"), data).unwrap();
        let args = ["run", "rules.seg", "data.csv", "--as-of", as_of, "-q", "--history", "h.db"];
        let ran = tradeseg_in(dir.path(), &args, b"");
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        ran.stdout
    };
    // The first run: nobody has a previous segment; everyone just entered (0 days).
    let october = month("2026-10-01", "id,revenue\nC1,200000\nC2,50000\nC3,150000\n");
    assert_eq!(october, "id,value,change,tags\nC1,A,same,new A\nC2,B,same,\nC3,A,same,new A\n");
    // C1 falls from A, C2 rises to A, C3 stays in A (31 days now). C4 is new: its
    // previous segment is missing, so `previous(value) != "A"` is unknown, not true.
    let november = month("2026-11-01", "id,revenue\nC1,50000\nC2,150000\nC3,150000\nC4,120000\n");
    assert_eq!(
        november,
        "id,value,change,tags\nC1,B,downgraded,\nC2,A,upgraded,new A\nC3,A,steady A,\nC4,A,same,new A\n"
    );
    // explain with the history shows what the rules read.
    let args = [
        "explain",
        "rules.seg",
        "data.csv",
        "--as-of",
        "2026-11-01",
        "--customer",
        "C3",
        "--history",
        "h.db",
    ];
    let explained = tradeseg_in(dir.path(), &args, b"");
    assert!(explained.stdout.contains("previous(value) = \"A\""), "{}", explained.stdout);
    assert!(explained.stdout.contains("days_in(value) = 31"), "{}", explained.stdout);
}

#[test]
fn rules_over_places_are_checked_for_order_and_need_a_history() {
    let below =
        "dimension a {\n  segment \"x\" when b == \"y\"\n}\ndimension b {\n  segment \"y\" when n > 1\n}\n";
    let dir = folder(&[("below.seg", below.as_bytes()), ("data.csv", b"id,n\nC1,2\n")]);
    // Above the dimension `b`, `b` is a column's name, as in `b`'s own rules: the data has
    // none, and the error says why the dimension is not read.
    let ran = tradeseg_in(dir.path(), &["run", "below.seg", "data.csv"], b"");
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("no column `b` in the data"), "{}", ran.stderr);
    assert!(ran.stderr.contains("`b` is also a dimension, decided below this rule"), "{}", ran.stderr);
    let own = "dimension a {\n  segment \"x\" when days_in(a) > 1\n}\n";
    std::fs::write(dir.path().join("own.seg"), own).unwrap();
    let ran = tradeseg_in(dir.path(), &["check", "own.seg"], b"");
    assert!(ran.stderr.contains("`days_in(a)` needs the segment `a` gives"), "{}", ran.stderr);
    std::fs::write(dir.path().join("nope.seg"), "segment \"t\" when previous(nope) == \"x\"\n").unwrap();
    let ran = tradeseg_in(dir.path(), &["check", "nope.seg"], b"");
    assert!(ran.stderr.contains("`previous` takes the name of a dimension"), "{}", ran.stderr);
    // A tag reads every dimension, even one written below it.
    let tag_first = "segment \"t\" when b == \"y\"\ndimension b {\n  segment \"y\" when n > 1\n}\n";
    std::fs::write(dir.path().join("tag.seg"), tag_first).unwrap();
    let ran = tradeseg_in(dir.path(), &["run", "tag.seg", "data.csv"], b"");
    assert_eq!(ran.stdout, "id,b,tags\nC1,y,t\n", "{}", ran.stderr);
    // previous() without --history would read nothing: refused.
    std::fs::write(
        dir.path().join("prev.seg"),
        "dimension b {\n  segment \"y\" when previous(b) == \"y\"\n}\n",
    )
    .unwrap();
    let ran = tradeseg_in(dir.path(), &["run", "prev.seg", "data.csv"], b"");
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("`previous(b)` reads the membership history"), "{}", ran.stderr);
}

#[test]
fn the_bundled_quarter_welcomes_each_new_buyer_once() {
    let root = crate::common::root();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("quarter.db");
    let mut november = (String::new(), String::new());
    for month in ["09", "10", "11"] {
        let data = root.join(format!("examples/data/history/2026-{month}.csv"));
        let (out, plan) = (dir.path().join("out.csv"), dir.path().join("plan.csv"));
        let as_of = format!("2026-{month}-01");
        let args = [
            "run",
            "examples/history/stage_moves.seg",
            data.to_str().unwrap(),
            "--as-of",
            &as_of,
            "-q",
            "--history",
            db.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--plan",
            plan.to_str().unwrap(),
        ];
        let ran = tradeseg_in(&root, &args, b"");
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        november = (std::fs::read_to_string(&out).unwrap(), std::fs::read_to_string(&plan).unwrap());
    }
    let (results, plan) = november;
    let mut new_buyers: Vec<&str> =
        results.lines().filter(|l| l.contains(",new buyer")).map(|l| l.split(',').next().unwrap()).collect();
    let mut thanked: Vec<&str> = plan
        .lines()
        .filter(|l| l.contains("first_order.rhai"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    new_buyers.sort();
    thanked.sort();
    assert!(!new_buyers.is_empty());
    assert_eq!(thanked, new_buyers, "one thank-you per customer who became a buyer this month");
    assert!(plan.lines().filter(|l| l.contains("ask_why.rhai")).all(|l| !l.contains("first order")));
}
