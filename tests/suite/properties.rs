//! Properties that hold for any ruleset, any export and any script, checked on generated
//! ones (proptest): no input makes tradeseg panic; every row read comes out as a result
//! row or is counted as an error; the compiled evaluator and the interpreter behind
//! `explain` agree; the output is valid CSV with one row per customer. RELIABILITY.md says
//! how many cases a run tries and how to try more (`PROPTEST_CASES`).

use proptest::prelude::*;
use proptest::test_runner::Config;
use std::panic::{catch_unwind, AssertUnwindSafe};
use tradeseg::record::InputFormat;
use tradeseg::run::{Extras, RunOptions};
use tradeseg::{CompileOptions, Ruleset, Schema};

/// The columns of every generated export: `a` and `b` numbers, `c` text, `d` a date, `f`
/// yes/no, `l` a list.
const HEADER: [&str; 7] = ["id", "a", "b", "c", "d", "f", "l"];

/// Cells as exports write them, odd ones included.
const CELLS: &[&str] = &[
    "",
    "0",
    "1",
    "2",
    "-3",
    "2.5",
    "1,000",
    "1,000,000.50",
    "99999999999999999999",
    "x",
    "US",
    "OEM",
    "2026-05-01",
    "2024/3/5",
    "2023-02-30",
    "2026-11-01T25:00:00Z",
    "yes",
    "no",
    "TRUE",
    " 7 ",
    "led;spare",
    "\u{4e2d}\u{6587}",
    "\"q,\"",
    "N/A",
];

fn comparison() -> impl Strategy<Value = String> {
    prop_oneof![
        (prop::sample::select(&["a", "b", "a + b", "a * 2", "b - a", "a / 4"][..]), cmp(), -5i32..2000)
            .prop_map(|(l, op, n)| format!("{l} {op} {n}")),
        prop::sample::select(
            &["c == \"x\"", "c != \"US\"", "c in [\"US\", \"OEM\"]", "c not in [\"x\"]"][..]
        )
        .prop_map(str::to_string),
        (cmp(), 0i32..4000).prop_map(|(op, n)| format!("days_since(d) {op} {n}")),
        // One field against a multiple of another, either way round.
        (cmp(), prop::sample::select(&["2", "1.2", "0.5", "1", "0.0000000001"][..]), any::<bool>()).prop_map(
            |(op, factor, flipped)| match flipped {
                false => format!("a {op} b * {factor}"),
                true => format!("{factor} * b {op} a"),
            }
        ),
        prop::sample::select(&["d < 2026-01-01", "d >= 2024-03-05", "f", "not f", "f == true"][..])
            .prop_map(str::to_string),
        prop::sample::select(&["a is missing", "c is present", "d is missing", "l contains \"led\""][..])
            .prop_map(str::to_string),
    ]
}

fn cmp() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&[">=", ">", "<", "<=", "==", "!="][..])
}

fn condition() -> impl Strategy<Value = String> {
    comparison().prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("{l} and {r}")),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("({l} or {r})")),
            inner.prop_map(|c| format!("not ({c})")),
        ]
    })
}

/// A ruleset of one to three dimensions and up to three tags (names may repeat).
pub(crate) fn ruleset() -> impl Strategy<Value = String> {
    let dimension = (prop::collection::vec(condition(), 1..4), any::<bool>());
    (prop::collection::vec(dimension, 1..3), prop::collection::vec((0..2usize, condition()), 0..3)).prop_map(
        |(dimensions, tags)| {
            let mut text = String::new();
            for (d, (segments, otherwise)) in dimensions.iter().enumerate() {
                text.push_str(&format!("dimension d{d} {{\n"));
                for (s, condition) in segments.iter().enumerate() {
                    text.push_str(&format!("    segment \"s{s}\" when {condition}\n"));
                }
                if *otherwise {
                    text.push_str("    otherwise \"rest\"\n");
                }
                text.push_str("}\n");
            }
            for (name, condition) in tags {
                text.push_str(&format!("segment \"t{name}\" when {condition}\n"));
            }
            text
        },
    )
}

/// Rows of cells from [`CELLS`]; ids repeat or are empty now and then.
fn rows() -> impl Strategy<Value = Vec<Vec<String>>> {
    let row = (0..6usize, prop::collection::vec(prop::sample::select(CELLS), 6));
    prop::collection::vec(row, 0..40).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (id, cells))| {
                let id = match id {
                    0 => String::new(),
                    1 => "C0".to_string(),
                    _ => format!("C{i}"),
                };
                std::iter::once(id).chain(cells.into_iter().map(str::to_string)).collect()
            })
            .collect()
    })
}

fn csv_text(rows: &[Vec<String>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER).expect("header");
    for row in rows {
        writer.write_record(row).expect("row");
    }
    String::from_utf8(writer.into_inner().expect("flushed")).expect("UTF-8")
}

fn options(format: InputFormat, threads: usize) -> RunOptions {
    RunOptions {
        input_format: format,
        threads,
        ..RunOptions::new(CompileOptions::new("2026-11-01").expect("a date"))
    }
}

/// Cases to try: `default`, or as many as `PROPTEST_CASES` says (to run longer).
pub(crate) fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

/// Rows the run must count as customers: those not wholly empty.
fn customers(rows: &[Vec<String>]) -> usize {
    rows.iter().filter(|row| row.iter().any(|cell| !cell.trim().is_empty())).count()
}

proptest! {
    #![proptest_config(Config { cases: cases(192), failure_persistence: None, ..Config::default() })]

    /// Every row read is a result row (in order, one each) and the counts add up; no panic.
    #[test]
    fn rows_in_are_rows_out(rules in ruleset(), rows in rows(), threads in 1..3usize) {
        let checked = Ruleset::from_source("p.seg", &rules, ".").expect("parses").check();
        let Ok(checked) = checked else { return Ok(()) };
        let input = csv_text(&rows);
        let mut output = Vec::new();
        let run = catch_unwind(AssertUnwindSafe(|| {
            tradeseg::run::run(
                &checked,
                Box::new(std::io::Cursor::new(input.clone().into_bytes())),
                &mut output,
                &options(InputFormat::Csv, threads),
                None,
            )
        }));
        let report = run.expect("no panic").expect("the run succeeds");
        prop_assert_eq!(report.records as usize, customers(&rows));
        prop_assert_eq!(report.unreadable, 0);
        let mut reader = csv::Reader::from_reader(&output[..]);
        let written: Vec<String> =
            reader.records().map(|r| r.expect("valid CSV").get(0).unwrap_or_default().to_string()).collect();
        let expected: Vec<String> = rows
            .iter()
            .filter(|row| row.iter().any(|cell| !cell.trim().is_empty()))
            .map(|row| row[0].trim().to_string())
            .collect();
        prop_assert_eq!(written, expected);
        let counted: u64 = report.dimensions[0].segments.iter().map(|s| s.1).sum::<u64>() + report.dimensions[0].none;
        prop_assert_eq!(counted, report.records);
    }

    /// The compiled evaluator gives what the interpreter gives, for every dimension and tag.
    #[test]
    fn compiled_evaluator_agrees_with_the_interpreter(rules in ruleset(), rows in rows()) {
        let Ok(checked) = Ruleset::from_source("p.seg", &rules, ".").expect("parses").check() else {
            return Ok(());
        };
        let options = CompileOptions::new("2026-11-01").expect("a date");
        let (program, _) = checked.compile(&Schema::from_header(HEADER), &options).expect("compiles");
        for row in &rows {
            let (compiled, interpreted) = crate::common::both_ways(&checked, &program, row);
            prop_assert_eq!(compiled, interpreted, "{:?}", row);
        }
    }

    /// JSON records, broken ones included: every record is a result row or a counted error.
    #[test]
    fn json_records_in_are_rows_out_or_errors(rules in ruleset(), rows in rows(), broken in prop::collection::vec(any::<bool>(), 0..40)) {
        let Ok(checked) = Ruleset::from_source("p.seg", &rules, ".").expect("parses").check() else {
            return Ok(());
        };
        let mut text = String::new();
        let mut bad = 0;
        for (i, row) in rows.iter().enumerate() {
            if broken.get(i).copied().unwrap_or(false) {
                text.push_str("{\"id\": \"broken\", \n");
                bad += 1;
                continue;
            }
            let object: serde_json::Map<String, serde_json::Value> =
                HEADER.iter().zip(row).map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone()))).collect();
            text.push_str(&serde_json::to_string(&object).expect("JSON"));
            text.push('\n');
        }
        let mut output = Vec::new();
        let report = catch_unwind(AssertUnwindSafe(|| {
            tradeseg::run::run(
                &checked,
                Box::new(std::io::Cursor::new(text.into_bytes())),
                &mut output,
                &options(InputFormat::Ndjson, 2),
                None,
            )
        }))
        .expect("no panic")
        .expect("the run succeeds");
        prop_assert_eq!(report.unreadable as usize, bad);
        prop_assert_eq!(report.records as usize, rows.len() - bad);
        prop_assert_eq!(output.iter().filter(|&&b| b == b'\n').count(), 1 + rows.len() - bad);
    }
}

/// Script bodies, hostile ones included: loops, huge strings, floods of tasks and fields,
/// errors thrown, bad calls.
const SCRIPT_PARTS: &[&str] = &[
    "task(#{ title: \"call\" });",
    "set(\"note\", customer.c);",
    "let s = \"x\"; while s.len() < 40000 { s += s; } set(\"big\", s);",
    "for i in 0..500 { task(#{ title: `t${i}` }); }",
    "for i in 0..50000 { set(\"f\", \"0123456789012345678901234567890123456789\"); }",
    "let n = 0; loop { n += 1; }",
    "throw \"no\";",
    "task(#{ title: render(\"{{c}} {{a}}\", customer), due: as_of.add_days(2) });",
    "task(#{ wrong: 1 });",
    "let x = number(customer.a); if x != () && x > 3 { task(#{ title: \"big\" }); }",
    "render(\"{{nope}}\", customer);",
];

proptest! {
    #![proptest_config(Config { cases: cases(16), failure_persistence: None, ..Config::default() })]

    /// Scripts of any kind never panic the run nor lose rows; each failure is counted.
    #[test]
    fn scripts_never_break_a_run(parts in prop::collection::vec(prop::sample::select(SCRIPT_PARTS), 1..4), rows in rows().prop_map(|mut r| { r.truncate(8); r })) {
        let dir = tempfile::tempdir().expect("a folder");
        let script: String = parts.concat();
        std::fs::write(dir.path().join("s.rhai"), &script).expect("written");
        let rules = "segment \"all\" when a >= 0 or a is missing then \"s.rhai\"\n";
        let checked = Ruleset::from_source("p.seg", rules, dir.path()).expect("parses").check().expect("checks");
        let Ok(Some(mut actions)) = tradeseg::actions::Actions::load(&checked) else { return Ok(()) };
        actions.set_time_limit(std::time::Duration::from_secs(1));
        let mut output = Vec::new();
        let mut plan = Vec::new();
        let extras = Extras {
            actions: Some(&actions),
            plan: Some((&mut plan, tradeseg::actions::PlanFormat::Csv)),
            events: &[],
            ..Default::default()
        };
        let run = catch_unwind(AssertUnwindSafe(|| {
            tradeseg::run::run_with(
                &checked,
                extras,
                Box::new(std::io::Cursor::new(csv_text(&rows).into_bytes())),
                &mut output,
                &options(InputFormat::Csv, 2),
                None,
            )
        }))
        .expect("no panic");
        match run {
            Ok(report) => {
                prop_assert_eq!(report.records as usize, customers(&rows));
                prop_assert!(report.action_error_count <= report.records * parts.len() as u64);
            }
            // Scripts slow for every customer use up the run's time: the run is refused whole.
            Err(tradeseg::run::RunError::Scripts(_)) => {}
            Err(other) => prop_assert!(false, "{other}"),
        }
    }
}

/// Runs `rules` over `input` as a file is read; with `kept`, over those kept customers
/// instead (`None`: the rules read the data otherwise). The results and the report.
fn run_over(
    rules: &str,
    input: &[u8],
    kept: Option<&tradeseg::run::KeptCustomers>,
) -> Option<(String, String)> {
    let checked = Ruleset::from_source("p.seg", rules, ".").expect("parses").check().expect("checks");
    let mut output = Vec::new();
    let options = options(InputFormat::Csv, 2);
    let report = match kept {
        None => tradeseg::run::run(
            &checked,
            Box::new(std::io::Cursor::new(input.to_vec())),
            &mut output,
            &options,
            None,
        ),
        Some(kept) => {
            tradeseg::run::run_kept(&checked, Extras::default(), kept, &mut output, &options).transpose()?
        }
    };
    let report = report.expect("the run succeeds");
    Some((String::from_utf8_lossy(&output).into_owned(), format!("{report:?}")))
}

/// Keeps the customers of `rules` over `input`, checking that keeping changes nothing.
fn keep(rules: &str, input: &[u8]) -> tradeseg::run::KeptCustomers {
    let checked = Ruleset::from_source("p.seg", rules, ".").expect("parses").check().expect("checks");
    let mut output = Vec::new();
    let cursor = Box::new(std::io::Cursor::new(input.to_vec()));
    let (report, kept) = tradeseg::run::run_keeping(
        &checked,
        Extras::default(),
        cursor,
        &mut output,
        &options(InputFormat::Csv, 2),
    )
    .expect("the run succeeds");
    let read = run_over(rules, input, None).expect("read");
    assert_eq!((String::from_utf8_lossy(&output).into_owned(), format!("{report:?}")), read);
    kept.expect("CSV without scripts is kept")
}

/// The same rules with every threshold moved by one: they read the same cells the same way.
fn moved_thresholds(rules: &str) -> String {
    let mut moved = String::new();
    let mut digits = String::new();
    for c in rules.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            let n: u64 = digits.parse().unwrap_or(0);
            // Segment and tag names (`s0`, `t1`) and dates keep their digits.
            let named = moved.ends_with('s') || moved.ends_with('t') || moved.ends_with('d') || c == '-';
            moved.push_str(&if named { digits.clone() } else { (n + 1).to_string() });
            digits.clear();
        }
        moved.push(c);
    }
    moved.pop();
    moved
}

proptest! {
    #![proptest_config(Config { cases: cases(96), failure_persistence: None, ..Config::default() })]

    /// Customers kept from one run give another ruleset that reads them the same way the
    /// very results and report that reading the file again gives.
    #[test]
    fn kept_customers_give_what_reading_the_file_gives(rules in ruleset(), rows in rows()) {
        let Ok(_) = Ruleset::from_source("p.seg", &rules, ".").expect("parses").check() else {
            return Ok(());
        };
        let input = csv_text(&rows).into_bytes();
        let kept = keep(&rules, &input);
        let again = run_over(&rules, &input, Some(&kept));
        prop_assert_eq!(again, run_over(&rules, &input, None), "the same rules over what they kept");
        let moved = moved_thresholds(&rules);
        if Ruleset::from_source("p.seg", &moved, ".").expect("parses").check().is_ok() {
            if let Some(over_kept) = run_over(&moved, &input, Some(&kept)) {
                prop_assert_eq!(Some(over_kept), run_over(&moved, &input, None), "{}", moved);
            }
        }
    }
}
