//! Cells as people write them (currency, percent, accounting brackets, full-width digits,
//! Chinese and dotted dates, words for "no value"), read by `run` and by the interpreter
//! behind `explain` alike, and optional columns.

use crate::common::{folder, tradeseg_in};

const RULES: &str = r#"
missing values ["TBD", "未知"]
field signed: date "D/M/YYYY"
field status: text
field region: text optional
dimension size {
    segment "big" when revenue >= 10000
    segment "mid" when revenue >= 1000
    segment "small" when revenue > 0
    segment "negative" when revenue < 0
    otherwise "unknown"
}
segment "high share" when share > 0.1
segment "signed 2026" when signed >= 2026-01-01
segment "first before 2026" when first_order < 2026-01-01
segment "no status" when status is missing
segment "no share" when share is missing
segment "asia" when region == "Asia"
"#;

const DATA: &str = "id,revenue,share,signed,first_order,status\n\
C1,\"$12,400\",15%,10/5/2026,2025年5月10日,active\n\
C2,(500),N/A,1.2.2020,2026.5.10,TBD\n\
C3,１２３．５,#N/A,—,2025.12.31,未知\n\
C4,\"12 400 USD\",-,,2026-5-10,closed\n\
C5,\"€1,200\",0.5 %,32/1/2026,2026年2月30日,\n\
C6,¥3000,１５％,01/02/2026,2024年1月1日,NA\n";

#[test]
fn every_written_form_reads_as_its_value() {
    let dir = folder(&[("rules.seg", RULES.as_bytes()), ("data.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "rules.seg", "data.csv", "--as-of", "2026-11-01"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let expected = "id,size,tags\n\
C1,big,high share;signed 2026;first before 2026\n\
C2,negative,no status;no share\n\
C3,small,first before 2026;no status;no share\n\
C4,big,no share\n\
C5,mid,no status\n\
C6,mid,high share;signed 2026;first before 2026\n";
    assert_eq!(ran.stdout, expected);
    // Only the cells that are no value in any form are errors: the impossible dates.
    assert!(ran.stderr.contains("2 data errors (`first_order` 1, `signed` 1)"), "{}", ran.stderr);
    assert!(ran.stderr.contains("the field is `optional`"), "{}", ran.stderr);
    // `NA` in a text column stays text (it may be North America).
    let explained = tradeseg_in(
        dir.path(),
        &["explain", "rules.seg", "data.csv", "--customer", "C6", "--as-of", "2026-11-01"],
        b"",
    );
    assert_eq!(explained.code, 0, "{}", explained.stderr);
    assert!(explained.stdout.contains("high share"), "{}", explained.stdout);
}

#[test]
fn decimal_comma_reads_european_numbers() {
    let rules = "segment \"big\" when revenue >= 1000\nsegment \"tiny\" when revenue < 2\n";
    let data = "id;revenue\nE1;1.200,50\nE2;1,5\nE3;€ 2.000\n";
    let dir = folder(&[("rules.seg", rules.as_bytes()), ("data.csv", data.as_bytes())]);
    let args = ["run", "rules.seg", "data.csv", "--delimiter", ";", "--decimal-comma"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,tags\nE1,big\nE2,tiny\nE3,big\n");
}

#[test]
fn the_bundled_grouping_runs_on_an_export_without_the_optional_columns() {
    let root = crate::common::root();
    let mut reader = csv::Reader::from_path(root.join("examples/data/customers.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let dropped = ["fair_outcome", "deposit_received", "sample_feedback", "late_payments"];
    let keep: Vec<usize> = (0..header.len()).filter(|&i| !dropped.contains(&header[i].as_str())).collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(keep.iter().map(|&i| &header[i])).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        writer.write_record(keep.iter().map(|&i| record.get(i).unwrap_or(""))).unwrap();
    }
    let data = writer.into_inner().unwrap();
    let dir = folder(&[("smaller_crm.csv", &data)]);
    let rules = root.join("rulesets/export_sales.seg");
    let args = ["run", rules.to_str().unwrap(), "smaller_crm.csv", "--as-of", "2026-11-01", "-o", "out.csv"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    for column in dropped {
        assert!(
            ran.stderr.contains(&format!("no column `{column}` in the data; the field is `optional`")),
            "{}",
            ran.stderr
        );
    }
    let results = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(results.lines().count(), 301);
}
