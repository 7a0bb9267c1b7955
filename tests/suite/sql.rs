//! `tradeseg sql`: the query it writes, run by the real engines over the same data, gives
//! `run`'s results row for row — the seed workload at 100,000 customers, and rules using
//! every aggregate and window over events — in DuckDB (Python's package), PostgreSQL
//! (the server tests/sql/postgres.sh starts, named by TRADESEG_POSTGRES) and Spark (pyspark
//! in local mode on the machine's Java). An engine that is not here is skipped with a
//! message, unless TRADESEG_REQUIRE_DUCKDB, TRADESEG_REQUIRE_POSTGRES or
//! TRADESEG_REQUIRE_SPARK is set (as CI sets all three). What cannot be written exactly is
//! refused.

use crate::common::*;
use std::path::Path;
use std::process::Command;

/// The engines here to run queries in, by their `--dialect` names. An engine that is not
/// here is skipped with a message, or fails the test when its TRADESEG_REQUIRE_… is set.
fn engines() -> Vec<&'static str> {
    let python = |module: &str| {
        let import = format!("import {module}");
        Command::new("python3").args(["-c", &import]).output().is_ok_and(|o| o.status.success())
    };
    let java = || Command::new("java").arg("-version").output().is_ok_and(|o| o.status.success());
    let found = [
        (
            "duckdb",
            python("duckdb"),
            "TRADESEG_REQUIRE_DUCKDB",
            "Python's duckdb is not installed (pip install duckdb)",
        ),
        (
            "postgres",
            std::env::var_os("TRADESEG_POSTGRES").is_some(),
            "TRADESEG_REQUIRE_POSTGRES",
            "no server named by TRADESEG_POSTGRES (eval \"$(tests/sql/postgres.sh start)\")",
        ),
        (
            "spark",
            python("pyspark") && java(),
            "TRADESEG_REQUIRE_SPARK",
            "needs Python's pyspark and Java (pip install pyspark)",
        ),
    ];
    let mut engines = Vec::new();
    for (engine, here, required, missing) in found {
        match here {
            true => engines.push(engine),
            false => {
                assert!(std::env::var_os(required).is_none(), "{engine}: {missing}");
                eprintln!("SKIPPED in {engine}: {missing}");
            }
        }
    }
    engines
}

/// A results file's rows, header first, the rest sorted (SQL gives no order).
fn sorted(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[1..].sort();
    lines
}

/// `run`'s results and the query's rows in `engine` for `rules` over `customers` (and
/// `orders` when given), as of 2026-11-01; with `text`, the tables hold the files' text
/// and the query reads it (`--text-columns`); `extra`: options given to both `run` and
/// `sql`.
fn both(
    engine: &str,
    dir: &Path,
    rules: &str,
    customers: &Path,
    orders: Option<&Path>,
    text: bool,
    extra: &[&str],
) -> (Vec<String>, Vec<String>) {
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let mut run = vec!["run", rules, customers.to_str().unwrap(), "--as-of", "2026-11-01", "-q", "-o"];
    let ours = path("run.csv");
    run.push(&ours);
    let events = orders.map(|o| format!("orders={}", o.display()));
    if let Some(events) = &events {
        run.extend(["--events", events]);
    }
    run.extend(extra);
    let ran = tradeseg(&run);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let mut sql = vec!["sql", rules, "--dialect", engine, "--table", "customers", "--as-of", "2026-11-01"];
    if orders.is_some() {
        sql.extend(["--events", "orders=orders"]);
    }
    if text {
        sql.push("--text-columns");
    }
    sql.extend(extra);
    let query = tradeseg(&sql);
    assert_eq!(query.code, 0, "{}", query.stderr);
    std::fs::write(path("query.sql"), &query.stdout).unwrap();
    sql.push("--create-tables");
    let tables = tradeseg(&sql);
    assert_eq!(tables.code, 0, "{}", tables.stderr);
    std::fs::write(path("tables.sql"), &tables.stdout).unwrap();
    let mut loads = vec![format!("customers={}", customers.display())];
    if let Some(orders) = orders {
        loads.push(format!("orders={}", orders.display()));
    }
    let status = Command::new("python3")
        .arg(root().join("tests/sql/query.py"))
        .args([engine.to_string(), path("tables.sql"), path("query.sql"), path("engine.csv")])
        .args(&loads)
        .status()
        .unwrap();
    assert!(status.success(), "the query runs in {engine}:\n{}", query.stdout);
    let ours = std::fs::read_to_string(path("run.csv")).unwrap();
    let theirs = std::fs::read_to_string(path("engine.csv")).unwrap();
    (sorted(&ours), sorted(&theirs))
}

fn assert_same(engine: &str, ours: &[String], theirs: &[String]) {
    assert_eq!(ours.len(), theirs.len(), "{engine}");
    for (line, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(a, b, "row {line} differs (run, then {engine})");
    }
}

/// `rules` over the CSV text `customers` through `run`, which must give the rows
/// `expected`, and through `sql` in each of `engines`, which must give the same rows.
fn agree_in(engines: &[&str], rules: &str, customers: &str, text: bool, extra: &[&str], expected: &[&str]) {
    let dir = folder(&[("rules.seg", rules.as_bytes()), ("customers.csv", customers.as_bytes())]);
    let rules = dir.path().join("rules.seg").display().to_string();
    let customers = dir.path().join("customers.csv");
    for engine in engines {
        let (ours, theirs) = both(engine, dir.path(), &rules, &customers, None, text, extra);
        assert_eq!(ours, expected);
        assert_same(engine, &ours, &theirs);
    }
}

#[test]
fn the_seed_workload_in_sql_gives_runs_results() {
    let dir = tempfile::tempdir().unwrap();
    let customers = dir.path().join("customers.csv");
    let generated = Command::new("python3")
        .arg(root().join("../shared/bench/gen_customers.py"))
        .args(["100000", "42"])
        .stdout(std::fs::File::create(&customers).unwrap())
        .status()
        .unwrap();
    assert!(generated.success());
    for engine in engines() {
        for text in [false, true] {
            let (ours, theirs) =
                both(engine, dir.path(), "benches/workload/seed.seg", &customers, None, text, &[]);
            assert_eq!(ours.len(), 100_001);
            assert_same(engine, &ours, &theirs);
        }
    }
}

#[test]
fn every_aggregate_and_window_in_sql_gives_runs_results() {
    let dir = tempfile::tempdir().unwrap();
    crate::duckdb_history::generate(dir.path());
    let rules = dir.path().join("rules.seg").display().to_string();
    for engine in engines() {
        let (customers, orders) = (dir.path().join("customers.csv"), dir.path().join("orders.csv"));
        for text in [false, true] {
            let (ours, theirs) = both(engine, dir.path(), &rules, &customers, Some(&orders), text, &[]);
            assert_eq!(ours.len(), 3001);
            assert!(
                ours.iter().any(|l| l.contains("big-ticket")) && ours.iter().any(|l| l.contains(",mid,"))
            );
            assert_same(engine, &ours, &theirs);
        }
    }
}

#[test]
fn what_cannot_be_written_exactly_is_refused() {
    let dir = folder(&[
        ("div.seg", b"dimension d { segment \"x\" when revenue / orders > 10 }".as_slice()),
        (
            "prev.seg",
            b"dimension v { segment \"A\" when r > 1 }\nsegment \"down\" when previous(v) == \"A\""
                .as_slice(),
        ),
        ("ev.seg", b"events orders\nsegment \"buyer\" when count(orders) >= 1".as_slice()),
    ]);
    let sql = |file: &str, dialect: &str| {
        let rules = dir.path().join(file).display().to_string();
        tradeseg(&["sql", &rules, "--dialect", dialect, "--table", "t", "--as-of", "2026-11-01"])
    };
    let refused = sql("div.seg", "duckdb");
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("error[sql-division]: duckdb cannot divide exactly"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("div.seg:1:32"), "{}", refused.stderr);
    assert!(refused.stdout.is_empty());
    let refused = sql("div.seg", "spark");
    assert!(refused.code == 2 && refused.stderr.contains("error[sql-division]: spark"), "{}", refused.stderr);
    let divided = sql("div.seg", "postgres");
    assert_eq!(divided.code, 0, "{}", divided.stderr);
    assert!(divided.stdout.contains("div("), "{}", divided.stdout);
    let refused = sql("prev.seg", "duckdb");
    assert!(refused.code == 2 && refused.stderr.contains("error[sql-history]"), "{}", refused.stderr);
    let refused = sql("ev.seg", "duckdb");
    assert!(refused.code == 2 && refused.stderr.contains("--events orders=TABLE"), "{}", refused.stderr);
}

/// Averages and quotients are exact, rounded half away from zero at the twelfth decimal, in
/// the engines as in `run`: a third, two thirds below zero, and a half of the last digit.
#[test]
fn averages_round_in_sql_as_the_language_rounds() {
    let rules = "events orders\n\
        dimension avg {\n\
            segment \"third\" when avg(orders.amount) == 0.333333333333\n\
            segment \"minus two thirds\" when avg(orders.amount) == -0.666666666667\n\
            segment \"half up\" when avg(orders.amount) == 0.000000000001\n\
            segment \"large\" when avg(orders.amount) == 33333333333333.333333333333\n\
            otherwise \"other\"\n\
        }\n";
    let orders = "customer_id,date,amount\n\
        A,2026-01-01,1\nA,2026-01-02,0\nA,2026-01-03,0\n\
        B,2026-01-01,-1\nB,2026-01-02,-1\nB,2026-01-03,0\n\
        C,2026-01-01,0.000000000001\nC,2026-01-02,0\n\
        D,2026-01-01,100000000000000\nD,2026-01-02,0\nD,2026-01-03,0\n\
        E,2026-01-01,\n";
    let dir = folder(&[
        ("rules.seg", rules.as_bytes()),
        ("customers.csv", b"id\nA\nB\nC\nD\nE\nF\n"),
        ("orders.csv", orders.as_bytes()),
    ]);
    let rules = dir.path().join("rules.seg").display().to_string();
    for engine in engines() {
        let (customers, orders) = (dir.path().join("customers.csv"), dir.path().join("orders.csv"));
        let (ours, theirs) = both(engine, dir.path(), &rules, &customers, Some(&orders), false, &[]);
        assert_eq!(
            ours,
            ["id,avg", "A,third", "B,minus two thirds", "C,half up", "D,large", "E,other", "F,other"]
        );
        assert_same(engine, &ours, &theirs);
    }
}

/// Division, which PostgreSQL can say exactly: quotients rounded as the language rounds,
/// and a zero divisor giving a missing value.
#[test]
fn quotients_in_postgres_are_runs() {
    if !engines().contains(&"postgres") {
        return;
    }
    let rules = "dimension q {\n\
            segment \"no ratio\" when revenue / orders is missing\n\
            segment \"third\" when revenue / orders == 0.333333333333\n\
            segment \"minus two thirds\" when revenue / orders == -0.666666666667\n\
            segment \"half up\" when revenue / orders == 0.000000000001\n\
            segment \"big\" when revenue / orders * 3 == 99999999999999.999999999999\n\
            otherwise \"other\"\n\
        }\n";
    let customers =
        "id,revenue,orders\nA,1,3\nB,-2,3\nC,0.000000000001,2\nD,100000000000000,3\nE,5,0\nF,,2\nG,6,3\n";
    let expected = [
        "id,q",
        "A,third",
        "B,minus two thirds",
        "C,half up",
        "D,big",
        "E,no ratio",
        "F,no ratio",
        "G,other",
    ];
    agree_in(&["postgres"], rules, customers, false, &[], &expected);
}

/// `--decimal-comma`: numbers written `1.200,50` read from text as `run --decimal-comma`
/// reads them, full-width, currency, brackets and percent included; `1.5` is no number.
#[test]
fn decimal_commas_read_as_in_run() {
    let rules = "dimension n {\n\
            segment \"none\" when a is missing\n\
            segment \"1200.5\" when a == 1200.5\n\
            segment \"1.5\" when a == 1.5\n\
            segment \"-1000\" when a == -1000\n\
            segment \"0.155\" when a == 0.155\n\
            otherwise \"other\"\n\
        }\n";
    let customers = "id,a\nA,\"1.200,50\"\nB,\"1,5\"\nC,1.5\nD,(1.000)\nE,\"€ 1.200,5\"\n\
        F,\"１．２００，５\"\nG,\"15,5%\"\nH,\"1 200,5\"\nI,\"1,200.5\"\nJ,7\n";
    let expected = [
        "id,n", "A,1200.5", "B,1.5", "C,none", "D,-1000", "E,1200.5", "F,1200.5", "G,0.155", "H,1200.5",
        "I,none", "J,other",
    ];
    agree_in(&engines(), rules, customers, true, &["--decimal-comma"], &expected);
}

/// Products rounded half away from zero at the twelfth decimal, in every engine as in
/// `run`: of two numbers, of a number and a constant, and a large one.
#[test]
fn products_round_in_sql_as_the_language_rounds() {
    let rules = "dimension p {\n\
            segment \"none\" when a * b is missing\n\
            segment \"half up\" when a * b == 0.000000000001\n\
            segment \"half down\" when a * b == -0.000000000001\n\
            segment \"exact\" when a * b == 1.000000000002\n\
            segment \"large times small\" when a * b == 0.617283945060\n\
            segment \"currency\" when a * b == 1965000000.00001965\n\
            segment \"constant half\" when a * 0.5 == 0.000000000001\n\
            segment \"big\" when a * 3 == 3000000000000000000000\n\
            otherwise \"other\"\n\
        }\n";
    let customers = "id,a,b\nA,0.000001,0.0000005\nB,-0.000001,0.0000005\nC,0.000000000001,0\n\
        D,1000000000000000000000,0\nE,1.000000000001,1.000000000001\nF,,2\nG,2,3\n\
        H,-123456789012.000000000001,-0.000000000005\nI,50000000000000.5,0.0000393\n";
    let expected = [
        "id,p",
        "A,half up",
        "B,half down",
        "C,constant half",
        "D,big",
        "E,exact",
        "F,none",
        "G,other",
        "H,large times small",
        "I,currency",
    ];
    agree_in(&engines(), rules, customers, false, &[], &expected);
}

/// Spark's query is exact or stops: a product past the range it computes exactly, or
/// decimal rules other than Spark's defaults, end the query with tradeseg's message
/// instead of a rounded or missing value.
#[test]
fn spark_stops_rather_than_round() {
    if !engines().contains(&"spark") {
        return;
    }
    let rules = "dimension p { segment \"big\" when a * b > 1 otherwise \"small\" }\n";
    let dir = folder(&[
        ("rules.seg", rules.as_bytes()),
        ("small.csv", b"id,a,b\nA,2,3\n"),
        ("big.csv", b"id,a,b\nA,100000000000000,100000000000000\n"),
    ]);
    let path = |name: &str| dir.path().join(name).display().to_string();
    let sql =
        ["sql", &path("rules.seg"), "--dialect", "spark", "--table", "customers", "--as-of", "2026-11-01"];
    let query = tradeseg(&sql);
    assert_eq!(query.code, 0, "{}", query.stderr);
    std::fs::write(path("query.sql"), &query.stdout).unwrap();
    let tables = tradeseg(&[&sql[..], &["--create-tables"]].concat());
    std::fs::write(path("tables.sql"), &tables.stdout).unwrap();
    let spark = |data: &str, conf: &str| {
        Command::new("python3")
            .arg(root().join("tests/sql/query.py"))
            .args(["spark", &path("tables.sql"), &path("query.sql"), &path("out.csv")])
            .arg(format!("customers={}", path(data)))
            .env("TRADESEG_SPARK_CONF", conf)
            .output()
            .unwrap()
    };
    let fine = spark("small.csv", "");
    assert!(fine.status.success(), "{}", String::from_utf8_lossy(&fine.stderr));
    assert_eq!(std::fs::read_to_string(path("out.csv")).unwrap(), "id,p\nA,big\n");
    let beyond = spark("big.csv", "");
    assert!(!beyond.status.success());
    let stderr = String::from_utf8_lossy(&beyond.stderr);
    assert!(stderr.contains("beyond the range this query computes exactly in Spark"), "{stderr}");
    let other_rules = spark("small.csv", "spark.sql.decimalOperations.allowPrecisionLoss=false");
    assert!(!other_rules.status.success());
    let stderr = String::from_utf8_lossy(&other_rules.stderr);
    assert!(stderr.contains("set spark.sql.decimalOperations.allowPrecisionLoss=true"), "{stderr}");
}

/// Typed cells for the generated customers (the columns of the property tests' rulesets:
/// `a`, `b` numbers, `c` text, `d` a date, `f` yes/no, `l` a list).
const TYPED_CELLS: [&[&str]; 6] = [
    &["", "0", "1", "2", "-3", "2.5", "1000", "0.000000000001", "99999999999999"],
    &["", "0", "4", "-1", "1999.99", "7"],
    &["", "x", "US", "OEM", " US ", "中文", "NA"],
    &["", "2026-05-01", "2024-03-05", "2020-01-01", "2026-11-01", "2027-01-01"],
    &["", "true", "false"],
    &["", "led;spare", " led ; x ", "x", "led-lighting", ";;"],
];

/// Cells as exports write them, per column of the generated rulesets (a, b numbers, c text,
/// d a date, f yes/no, l a list): money, groups, percent, brackets, full-width digits,
/// words for "no value", dates in every form and impossible ones, yes/no words, and cells
/// that do not read at all.
const RAW_CELLS: [&[&str]; 6] = [
    &[
        "",
        "0",
        "1",
        "-3",
        "2.5",
        "$12,400",
        "(500)",
        "15%",
        "１２３．５",
        "12 400",
        "N/A",
        "1,000,000.50",
        "-$5",
        "$-5",
        "--5",
        " 7 ",
        "1e3",
        "x",
        "usd 300",
        "3000元",
        "(-5)",
        "5.",
        ".5",
        "0.0000000000005",
        "1,00",
        "12  400",
        "$ 5 %",
        "5 USD%",
        "－",
        "99999999999999999999",
        "(＄1,200)",
        "+ 7",
    ],
    &["", "0", "4", "-1", "1999.99", "7", "€1.200", "1 000", "(0)", "50 %", "EUR 3", "£99.99", "HK$500"],
    &["", "x", "US", "OEM", " US ", "中文", "NA", "n/a"],
    &[
        "",
        "2026-05-01",
        "2024/3/5",
        "2020.1.1",
        "2026年5月10日",
        "2026 年 11 月 1 号",
        "2023-02-30",
        "2024-02-29",
        "2026-11-01T25:00:00Z",
        "2026-11-01T10:00:00+08:00",
        "2026-11-01 10:00",
        "2026-11-01t09:30:15.5Z",
        "2026-11-01T10:00+0800",
        "2026-11-01T10:00 +14",
        "2026-11-01T10:00+15",
        "2026-13-01",
        "5/10/2026",
        "2026-5-1",
        "2026/05-01",
        "n/a",
        "—",
        "20261-01-01",
        "2026-11-01T",
    ],
    &["", "true", "false", "yes", "Y", "是", "否", "TRUE", "0", "1", "maybe", "—", "N", "对", "不"],
    &["", "led;spare", " led ; x ", "x", "led-lighting", ";;"],
];

/// Generated rulesets (the property tests' generator, deterministic) through `run` and
/// through `sql` in each engine, over the same generated customers: the same rows.
#[test]
fn generated_rulesets_give_runs_results_in_sql() {
    generated_rulesets_agree(&TYPED_CELLS, false);
}

/// The same over the raw text of an export, read by the query (`--text-columns`).
#[test]
fn generated_rulesets_over_raw_text_give_runs_results_in_sql() {
    generated_rulesets_agree(&RAW_CELLS, true);
}

/// The tables file for `engine` that [`generated_rulesets_agree`] writes.
fn tables_for(engine: &str) -> &'static str {
    match engine {
        "spark" => "spark_tables.sql",
        _ => "tables.sql",
    }
}

fn generated_rulesets_agree(cells: &[&[&str]; 6], text: bool) {
    use proptest::strategy::{Strategy, ValueTree};
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    let mut state = 0x5EED_u64;
    let mut pick = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut data = String::from("id,a,b,c,d,f,l\n");
    for i in 0..400 {
        let cells: Vec<String> =
            cells.iter().map(|cells| format!("\"{}\"", cells[pick(cells.len())])).collect();
        data.push_str(&format!("C{i:03},{}\n", cells.join(",")));
    }
    let tables = "CREATE TABLE \"customers\" (\n    \"id\" TEXT,\n    \"a\" DECIMAL(38,12),\n    \"b\" DECIMAL(38,12),\n    \
                  \"c\" TEXT,\n    \"d\" DATE,\n    \"f\" BOOLEAN,\n    \"l\" TEXT\n);\n";
    let tables = match text {
        true => tables.replace("DECIMAL(38,12)", "TEXT").replace("DATE", "TEXT").replace("BOOLEAN", "TEXT"),
        false => tables.to_string(),
    };
    // Spark quotes names with backticks and calls text STRING.
    let spark_tables = tables.replace('"', "`").replace("TEXT", "STRING");
    let dir = folder(&[
        ("customers.csv", data.as_bytes()),
        ("tables.sql", tables.as_bytes()),
        ("spark_tables.sql", spark_tables.as_bytes()),
    ]);
    let path = |name: String| dir.path().join(name).to_string_lossy().into_owned();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let rulesets: Vec<String> = (0..crate::properties::cases(60))
        .map(|_| crate::properties::ruleset().new_tree(&mut runner).unwrap().current())
        .collect();
    let options = tradeseg::RunOptions::new(tradeseg::CompileOptions::new("2026-11-01").unwrap());
    for engine in engines {
        let dialect = match engine {
            "duckdb" => tradeseg::sql::Dialect::DuckDb,
            "spark" => tradeseg::sql::Dialect::Spark,
            _ => tradeseg::sql::Dialect::Postgres,
        };
        let sql_options = tradeseg::sql::SqlOptions {
            dialect,
            table: "customers".into(),
            id: "id".into(),
            as_of: tradeseg::date::parse("2026-11-01").unwrap(),
            events: Vec::new(),
            event_id: "customer_id".into(),
            event_date: "date".into(),
            view: None,
            text_columns: text,
            decimal_comma: false,
        };
        let (mut queries, mut outputs, mut expected) = (Vec::new(), Vec::new(), Vec::new());
        for (n, rules) in rulesets.iter().enumerate() {
            let checked = tradeseg::Ruleset::from_source("g.seg", rules, ".").unwrap().check().unwrap();
            let Ok(query) = tradeseg::sql::query(&checked, &sql_options) else {
                assert_ne!(engine, "postgres", "only DuckDB and Spark refuse (division):\n{rules}");
                continue;
            };
            let mut results = Vec::new();
            let input = Box::new(std::io::Cursor::new(data.clone()));
            tradeseg::run::run(&checked, input, &mut results, &options, None).unwrap();
            std::fs::write(path(format!("q{n}.sql")), query).unwrap();
            queries.push(path(format!("q{n}.sql")));
            outputs.push(path(format!("o{n}.csv")));
            expected.push((rules, sorted(&String::from_utf8(results).unwrap())));
        }
        assert!(queries.len() >= rulesets.len() / 2, "most rulesets are tried in {engine}");
        let status = Command::new("python3")
            .arg(root().join("tests/sql/query.py"))
            .args([engine.to_string(), path(tables_for(engine).into()), queries.join(","), outputs.join(",")])
            .arg(format!("customers={}", path("customers.csv".into())))
            .status()
            .unwrap();
        assert!(status.success(), "the queries run in {engine}");
        for (output, (rules, ours)) in outputs.iter().zip(&expected) {
            let theirs = sorted(&std::fs::read_to_string(output).unwrap());
            assert_eq!(ours, &theirs, "{engine} differs from run for:\n{rules}");
        }
        eprintln!("{engine}: {} generated rulesets agree with run", queries.len());
    }
}

/// Text as `run` reads it: trimmed of any white space, empty as missing, the ruleset's own
/// words for "no value" missing whatever their ASCII case, list items trimmed; names with
/// spaces and Chinese quoted.
#[test]
fn text_cells_and_names_read_as_in_run() {
    let rules = "missing values [\"TBD\", \"未知\"]\n\
        field 客户类型 = \"customer type\"\n\
        dimension 类型 {\n\
            segment \"none\" when 客户类型 is missing\n\
            segment \"OEM\" when 客户类型 == \"OEM\"\n\
            segment \"led\" when lines contains \"led\"\n\
            otherwise \"其他\"\n\
        }\n\
        segment \"has note\" when note is present\n";
    let customers = "id,customer type,lines,note\n\
        A,\u{3000}OEM ,,x\nB,tbd,,\nC,X,\" led ;x\",TBD\nD,未知, led-lighting ,  \nE,Oem,;;,n\nF,OEM,,\n";
    let expected =
        ["id,类型,tags", "A,OEM,has note", "B,none,", "C,led,", "D,none,", "E,其他,has note", "F,OEM,"];
    agree_in(&engines(), rules, customers, false, &[], &expected);
}
