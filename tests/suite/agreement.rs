//! The compiled evaluator and the plain interpreter behind `explain` are two
//! implementations of one semantics: on every ruleset, over the sample customers and over
//! copies of them with cells blanked or garbled, they must give the same segments and tags.

use tradeseg::{CompileOptions, Ruleset, Schema};

fn rows() -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(crate::common::root().join("examples/data/customers.csv"))
        .expect("sample data");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("a header").iter().map(String::from).collect();
    let mut rows: Vec<Vec<String>> =
        reader.records().map(|r| r.expect("a record").iter().map(String::from).collect()).collect();
    // Perturbed copies: every third cell blanked, or replaced by something odd.
    let odd = ["", "0", "-1", "1,000,000", "2026-11-01", "yes", "US", "led-lighting", "x"];
    let originals = rows.clone();
    for (i, row) in originals.iter().enumerate() {
        let mut copy = row.clone();
        for (j, cell) in copy.iter_mut().enumerate().skip(1) {
            if (i + j) % 3 == 0 {
                *cell = odd[(i * 7 + j) % odd.len()].to_string();
            }
        }
        rows.push(copy);
    }
    (header, rows)
}

#[test]
fn compiled_evaluator_agrees_with_the_interpreter() {
    let (header, rows) = rows();
    let mut compared = 0;
    for entry in std::fs::read_dir(crate::common::root().join("rulesets")).expect("rulesets/") {
        let path = entry.expect("an entry").path();
        if path.extension().is_none_or(|e| e != "seg") || path.to_string_lossy().contains("chinese") {
            continue;
        }
        let checked = Ruleset::load(&path).expect("loads").check().expect("checks");
        let options = CompileOptions::new("2026-11-01").expect("a date");
        let (program, _) = checked.compile(&Schema::from_header(&header), &options).expect("compiles");
        for row in &rows {
            let (compiled, interpreted) = crate::common::both_ways(&checked, &program, row);
            assert_eq!(compiled, interpreted, "{} on {row:?}", path.display());
            compared += 1;
        }
    }
    assert!(compared > 2000, "compared only {compared} rows");
}
