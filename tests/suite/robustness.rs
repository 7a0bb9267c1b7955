//! No input makes tradeseg panic: mangled rulesets and hostile data get errors, never a
//! crash. Mutations are drawn from a fixed seed, so a failure reproduces.

use std::panic::catch_unwind;
use tradeseg::compile::{CompileOptions, Schema};
use tradeseg::record::InputFormat;
use tradeseg::run::{OutputFormat, RunOptions};
use tradeseg::Ruleset;

/// Mutations drawn from proptest's generator with a fixed seed, so a failure repeats.
struct Rng(proptest::test_runner::TestRng);
impl Rng {
    fn new(seed: u64) -> Rng {
        let seed = [seed.to_le_bytes(), [0; 8], [0; 8], [0; 8]].concat();
        Rng(proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &seed))
    }
    fn below(&mut self, n: usize) -> usize {
        use proptest::prelude::Rng as _;
        (self.0.next_u64() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "`",
    "#",
    "\n",
    " ",
    "and",
    "or",
    "not",
    "in",
    "==",
    "=",
    ">=",
    "-",
    "*",
    "/",
    "0",
    "1_000",
    "2026-02-30",
    "9999999999999999999999999999",
    "days_since(",
    "is missing",
    "segment",
    "dimension",
    "otherwise",
    "let",
    "field",
    "include",
    "x",
    "询盘",
    "\\",
    ",",
    ":",
    "then",
    "count(",
    "as_of",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 if !chars.is_empty() => {
                let end = (at + rng.below(12)).min(chars.len());
                chars.drain(at.min(end)..end);
            }
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                chars.splice(at..at, piece.chars());
            }
            _ => {
                let from = rng.below(chars.len());
                let end = (from + rng.below(30)).min(chars.len());
                let copy: Vec<char> = chars[from..end].to_vec();
                chars.splice(at..at, copy);
            }
        }
    }
    chars.into_iter().collect()
}

fn evaluate_through(text: &str) {
    let Ok(ruleset) = Ruleset::from_source("m.seg", text, crate::common::root().join("rulesets")) else {
        return;
    };
    let Ok(checked) = ruleset.check() else { return };
    let header = ["id", "orders", "inquiries", "x", "country", "询盘"];
    let options = CompileOptions::new("2026-11-01").expect("a date");
    if let Ok((program, _)) = checked.compile(&Schema::from_header(header), &options) {
        let mut evaluator = program.evaluator();
        for row in [["C1", "1", "2", "3", "US", "4"], ["C2", "", "x", "2026-01-01", "", "1,000"]] {
            evaluator.evaluate_columns(|i| row.get(i).copied());
        }
    }
}

#[test]
fn mangled_rulesets_never_panic() {
    let mut originals = Vec::new();
    for entry in std::fs::read_dir(crate::common::root().join("rulesets")).expect("rulesets/") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "seg") {
            originals.push(std::fs::read_to_string(path).expect("text"));
        }
    }
    let mut rng = Rng::new(0x5EED_2026);
    for round in 0..3000 {
        let original = &originals[round % originals.len()];
        let mangled = mutate(original, &mut rng);
        let outcome = catch_unwind(|| evaluate_through(&mangled));
        assert!(outcome.is_ok(), "panicked on this ruleset:\n{mangled}");
    }
}

#[test]
fn deep_nesting_and_runaway_lets_are_refused_not_crashed() {
    let deep = format!("segment \"a\" when {}x > 1{}", "(".repeat(100_000), ")".repeat(100_000));
    let error = Ruleset::from_source("d.seg", &deep, ".").expect_err("too deep");
    assert!(error.to_string().contains("brackets nest too deeply"), "{error}");

    let long = format!("segment \"a\" when x > 1{}", " and x > 1".repeat(5_000));
    let error = Ruleset::from_source("l.seg", &long, ".").expect_err("too long");
    assert!(error.to_string().contains("this condition is too long"), "{error}");

    let mut doubling = String::from("let a0 = x > 1\n");
    for i in 1..40 {
        doubling.push_str(&format!("let a{i} = a{} and a{}\n", i - 1, i - 1));
    }
    doubling.push_str("segment \"a\" when a39\n");
    let error =
        Ruleset::from_source("e.seg", &doubling, ".").expect("parses").check().expect_err("too large");
    assert!(error.to_string().contains("grows too large"), "{error}");

    let mut chain = String::from("let n0 = x\n");
    for i in 1..2000 {
        chain.push_str(&format!("let n{i} = n{} + 1\n", i - 1));
    }
    chain.push_str("segment \"a\" when n1999 > 3\n");
    let error = Ruleset::from_source("c.seg", &chain, ".").expect("parses").check().expect_err("too deep");
    assert!(error.to_string().contains("grows too large"), "{error}");
}

#[test]
fn hostile_data_never_panics() {
    let checked = Ruleset::load(crate::common::root().join("rulesets/export_sales.seg"))
        .expect("loads")
        .check()
        .expect("checks");
    let header =
        std::fs::read_to_string(crate::common::root().join("examples/data/customers.csv")).expect("sample");
    let header = header.lines().next().expect("a header").to_string();
    let mut rng = Rng::new(42);
    for round in 0..300 {
        let mut bytes = header.clone().into_bytes();
        bytes.push(b'\n');
        for _ in 0..rng.below(2000) {
            let pick = rng.below(10);
            bytes.push(match pick {
                0 => b'"',
                1 => b',',
                2 => b'\n',
                3 => b'\r',
                4 => 0xFF,
                5 => b'{',
                _ => b"0123456789-/.;abc "[rng.below(18)],
            });
        }
        for (format, output) in [
            (InputFormat::Csv, OutputFormat::Csv),
            (InputFormat::Json, OutputFormat::Json),
            (InputFormat::Ndjson, OutputFormat::Table),
        ] {
            let options = RunOptions {
                input_format: format,
                output_format: output,
                delimiter: b',',
                keep_columns: round % 2 == 0,
                prefix: String::new(),
                bom: false,
                threads: 2,
                compile: CompileOptions::new("2026-11-01").expect("a date"),
            };
            let input = Box::new(std::io::Cursor::new(bytes.clone()));
            let outcome = catch_unwind(|| {
                tradeseg::run::run(&checked, input, &mut Vec::new(), &options, None).map(drop)
            });
            assert!(outcome.is_ok(), "panicked on round {round} as {format:?}");
        }
    }
}

#[test]
fn mangled_action_scripts_never_panic() {
    let folder = crate::common::root().join("rulesets/actions");
    let mut scripts = Vec::new();
    for entry in std::fs::read_dir(&folder).expect("rulesets/actions/") {
        scripts.push(std::fs::read_to_string(entry.expect("an entry").path()).expect("text"));
    }
    let dir = tempfile::tempdir().expect("a folder");
    let rules = "dimension d { otherwise \"lead\" then \"s.rhai\" }\n";
    let data =
        "id,company,orders,last_order,sample_sent,revenue_prev_12m\nC1,Acme,2,2025-01-01,2026-09-01,5\n";
    let mut rng = Rng::new(7);
    for round in 0..600 {
        let mangled = mutate(&scripts[round % scripts.len()], &mut rng);
        std::fs::write(dir.path().join("s.rhai"), &mangled).expect("written");
        let outcome = catch_unwind(|| {
            let checked =
                Ruleset::from_source("r.seg", rules, dir.path()).expect("loads").check().expect("checks");
            let Ok(Some(actions)) = tradeseg::actions::Actions::load(&checked) else { return };
            let options = RunOptions {
                input_format: InputFormat::Csv,
                output_format: OutputFormat::Csv,
                delimiter: b',',
                keep_columns: false,
                prefix: String::new(),
                bom: false,
                threads: 1,
                compile: CompileOptions::new("2026-11-01").expect("a date"),
            };
            let input = Box::new(std::io::Cursor::new(data.as_bytes().to_vec()));
            let mut plan = Vec::new();
            let sink = Some((&mut plan as &mut dyn std::io::Write, tradeseg::actions::PlanFormat::Json));
            let extras = tradeseg::run::Extras {
                actions: Some(&actions),
                plan: sink,
                events: &[],
                ..Default::default()
            };
            let _ = tradeseg::run::run_with(&checked, extras, input, &mut Vec::new(), &options, None);
        });
        assert!(outcome.is_ok(), "panicked on this script:\n{mangled}");
    }
}

#[test]
fn hostile_event_data_never_panics() {
    let checked = Ruleset::load(crate::common::root().join("rulesets/reorder_history.seg"))
        .expect("loads")
        .check()
        .expect("checks");
    let customers = "id,name\nC1,a\nC2,b\n";
    let mut rng = Rng::new(99);
    for round in 0..300 {
        let mut bytes = b"customer_id,date,amount,product_line\n".to_vec();
        for _ in 0..rng.below(1500) {
            bytes.push(match rng.below(12) {
                0 => b'"',
                1 | 2 => b',',
                3 => b'\n',
                4 => 0xFE,
                5 => b'{',
                6 => b'C',
                _ => b"0123456789-/.:[]"[rng.below(16)],
            });
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        for format in [InputFormat::Csv, InputFormat::Json, InputFormat::Ndjson] {
            let mut input = tradeseg::events::EventInput::file("orders", "events.csv");
            input.source = tradeseg::record::Source::Text(text.clone());
            input.format = format;
            let options = RunOptions {
                input_format: InputFormat::Csv,
                output_format: OutputFormat::Csv,
                delimiter: b',',
                keep_columns: false,
                prefix: String::new(),
                bom: false,
                threads: 2,
                compile: CompileOptions::new("2026-11-01").expect("a date"),
            };
            let outcome = catch_unwind(|| {
                let extras = tradeseg::run::Extras {
                    actions: None,
                    plan: None,
                    events: std::slice::from_ref(&input),
                    ..Default::default()
                };
                let data = Box::new(std::io::Cursor::new(customers.as_bytes().to_vec()));
                let _ = tradeseg::run::run_with(&checked, extras, data, &mut Vec::new(), &options, None);
            });
            assert!(outcome.is_ok(), "panicked on round {round} as {format:?}");
        }
    }
}

#[test]
fn mangled_workbooks_never_panic() {
    // A real workbook, then the same bytes cut short and with bytes changed: each is read
    // as a workbook (by its first bytes) and must give a result or an error, never a panic.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in [["id", "orders", "country"], ["C1", "2", "US"], ["C2", "x", "CN"]].iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).expect("a cell");
        }
    }
    sheet.write_number(3, 1, 7).expect("a cell");
    let original = book.save_to_buffer().expect("a workbook");
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("book.xlsx");
    let wanted = ["id".to_string(), "orders".to_string()];
    let mut rng = Rng::new(7);
    for round in 0..200 {
        let mut bytes = original.clone();
        match round % 3 {
            0 => bytes.truncate(4 + rng.below(bytes.len() - 4)),
            1 => {
                for _ in 0..1 + rng.below(20) {
                    let at = 4 + rng.below(bytes.len() - 4);
                    bytes[at] = rng.below(256) as u8;
                }
            }
            _ => {
                let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
                ole.extend((0..rng.below(4096)).map(|_| rng.below(256) as u8));
                bytes = ole;
            }
        }
        std::fs::write(&path, &bytes).expect("written");
        let read =
            catch_unwind(|| tradeseg::workbook::read_sheet(&path, None, None, &wanted).map(|t| t.csv.len()));
        assert!(read.is_ok(), "round {round}: reading a mangled workbook panicked");
    }
}

/// A reader that gives `data`, then fails (a network share that went away mid-read).
struct FailsAfter {
    data: std::io::Cursor<Vec<u8>>,
}

impl std::io::Read for FailsAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.data.read(buf)? {
            0 => Err(std::io::Error::other("the share went away")),
            n => Ok(n),
        }
    }
}

#[test]
fn input_that_cannot_be_read_is_an_error_an_embedder_can_match_with_its_line() {
    use tradeseg::error::RunError;
    use tradeseg::record::InputError;
    let checked = Ruleset::from_source("r.seg", r#"segment "buyer" when orders >= 1"#, ".")
        .expect("parses")
        .check()
        .expect("checks");
    let options = RunOptions::new(CompileOptions::new("2026-11-01").expect("a date"));
    // Three chunks' worth of rows (a chunk is about 1 MiB), then the read fails.
    let rows = 300_000;
    let mut data = b"id,orders\n".to_vec();
    for n in 0..rows {
        data.extend_from_slice(format!("C{n:07},{}\n", n % 3).as_bytes());
    }
    let input = Box::new(FailsAfter { data: std::io::Cursor::new(data) });
    let error = tradeseg::run::run(&checked, input, &mut Vec::new(), &options, None).expect_err("it fails");
    let RunError::Input(InputError::Read { line, error }) = &error else {
        panic!("not a read error: {error}")
    };
    assert_eq!(error.to_string(), "the share went away");
    // The line where the records not handed on start: past the first chunks, within the rows.
    assert!(*line > 1_000 && *line <= rows + 2, "line {line}");
    assert!(tradeseg::messages::with_language(tradeseg::messages::Language::English, || format!(
        "{}",
        RunError::Input(InputError::Read { line: *line, error: std::io::Error::other("x") })
    ))
    .starts_with(&format!("cannot read the data at line {line}:")));

    let empty = tradeseg::run::run(&checked, Box::new(std::io::empty()), &mut Vec::new(), &options, None);
    assert!(matches!(empty, Err(RunError::Input(InputError::Empty))), "{empty:?}");
    let header = Box::new(FailsAfter { data: std::io::Cursor::new(Vec::new()) });
    let failed = tradeseg::run::run(&checked, header, &mut Vec::new(), &options, None);
    assert!(matches!(failed, Err(RunError::Input(InputError::Read { line: 1, .. }))), "{failed:?}");
}
