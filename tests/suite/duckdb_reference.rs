//! An independent check of the evaluator: the seed workload (benches/workload/seed.seg)
//! over 100,000 generated customers must give, row for row, what the same job written in
//! SQL gives in DuckDB (the shared benchmark's reference.sql). Skipped with a message
//! where Python's DuckDB or the shared benchmark folder is not there, unless
//! TRADESEG_REQUIRE_DUCKDB is set (as CI sets it), when their absence fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bench_folder() -> PathBuf {
    crate::common::root().join("../shared/bench")
}

/// Why the comparison cannot run here, if it cannot.
fn missing_prerequisite() -> Option<String> {
    if !bench_folder().join("reference.py").exists() {
        return Some(format!("no shared benchmark at {}", bench_folder().display()));
    }
    let duckdb = Command::new("python3").args(["-c", "import duckdb"]).output();
    match duckdb {
        Ok(out) if out.status.success() => None,
        _ => Some("Python's duckdb is not installed (pip install duckdb)".into()),
    }
}

fn python(args: &[&str], stdout: Option<&Path>) {
    let mut command = Command::new("python3");
    command.args(args);
    if let Some(path) = stdout {
        command.stdout(std::fs::File::create(path).expect("an output file"));
    }
    let status = command.status().expect("python3 runs");
    assert!(status.success(), "python3 {args:?} failed");
}

fn compare(rows: &str, seed: &str, threads: &str) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("customers.csv");
    let ours = dir.path().join("tradeseg.csv");
    let theirs = dir.path().join("duckdb.csv");
    let bench = bench_folder();
    python(&[&bench.join("gen_customers.py").to_string_lossy(), rows, seed], Some(&data));
    let ran = crate::common::tradeseg(&[
        "run",
        "benches/workload/seed.seg",
        &data.to_string_lossy(),
        "--as-of",
        "2026-11-01",
        "--threads",
        threads,
        "-q",
        "-o",
        &ours.to_string_lossy(),
    ]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    python(
        &[&bench.join("reference.py").to_string_lossy(), &data.to_string_lossy(), &theirs.to_string_lossy()],
        None,
    );
    let ours = std::fs::read_to_string(&ours).expect("our results");
    let theirs = std::fs::read_to_string(&theirs).expect("DuckDB's results");
    assert_eq!(ours.lines().count(), rows.parse::<usize>().unwrap() + 1);
    for (line, (a, b)) in ours.lines().zip(theirs.lines()).enumerate() {
        assert_eq!(a, b, "line {} differs (tradeseg, then DuckDB)", line + 1);
    }
    assert_eq!(ours, theirs);
}

#[test]
fn seed_workload_matches_duckdb_row_for_row() {
    if let Some(why) = missing_prerequisite() {
        assert!(std::env::var_os("TRADESEG_REQUIRE_DUCKDB").is_none(), "cannot compare with DuckDB: {why}");
        eprintln!("SKIPPED seed_workload_matches_duckdb_row_for_row: {why}");
        return;
    }
    compare("100000", "42", "0");
    compare("20000", "7", "1");
}
