//! Micro-benchmarks of the pipeline's phases: loading, checking and compiling a ruleset
//! (the bundled one and a generated 500-segment one), parsing the values cells hold, and
//! evaluating one record.
//!
//!     cargo bench --bench pipeline

use divan::{black_box, Bencher};
use tradeseg::{CompileOptions, Ruleset, Schema};

fn main() {
    divan::main();
}

const SEED_HEADER: [&str; 17] = [
    "id",
    "name",
    "country",
    "identity",
    "source",
    "product_line",
    "inquiries",
    "samples",
    "orders",
    "orders_12m",
    "orders_prev_12m",
    "revenue_12m",
    "revenue_prev_12m",
    "late_payments",
    "first_contact",
    "last_contact",
    "last_order",
];
const SEED_ROW: [&str; 17] = [
    "C0000042",
    "Atlas Prime GmbH",
    "VN",
    "OEM",
    "exhibition",
    "led-lighting;spare-parts",
    "4",
    "1",
    "7",
    "3",
    "1",
    "1,234,567.89",
    "480000.5",
    "0",
    "2023-04-02",
    "2026-09-14",
    "2026-07-30",
];

fn seed_rules() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/workload/seed.seg"))
        .expect("seed.seg")
}

/// 50 dimensions of 10 segments each over a handful of fields, with ranges and lists.
fn big_rules() -> String {
    let mut text = String::new();
    for d in 0..50 {
        text.push_str(&format!("dimension d{d} {{\n"));
        for s in 0..10 {
            text.push_str(&format!(
                "  segment \"s{s}\" when revenue_12m >= {} and orders_12m > {s} and country in [\"US\", \"DE\", \"C{s}\"] or days_since(last_order) < {}\n",
                1000 * (10 - s) * (d + 1),
                30 * (s + 1)
            ));
        }
        text.push_str("  otherwise \"none\"\n}\n");
    }
    text
}

fn load_check_compile(text: &str) -> tradeseg::Program {
    let checked = Ruleset::from_source("b.seg", text, ".").expect("loads").check().expect("checks");
    let options = CompileOptions::new("2026-11-01").expect("a date");
    checked.compile(&Schema::from_header(SEED_HEADER), &options).expect("compiles").0
}

#[divan::bench]
fn load_check_compile_seed(bencher: Bencher) {
    let text = seed_rules();
    bencher.bench(|| load_check_compile(black_box(&text)));
}

#[divan::bench]
fn load_check_compile_500_segments(bencher: Bencher) {
    let text = big_rules();
    bencher.bench(|| load_check_compile(black_box(&text)));
}

#[divan::bench]
fn evaluate_seed_record(bencher: Bencher) {
    let program = load_check_compile(&seed_rules());
    let mut evaluator = program.evaluator();
    bencher.bench_local(|| {
        let outcome = evaluator.evaluate_columns(|i| SEED_ROW.get(i).copied());
        black_box(outcome.segments.len());
    });
}

#[divan::bench(args = ["1234567.89", "1,234,567.89", "-12.5", "0"])]
fn parse_decimal(text: &str) -> Option<tradeseg::decimal::Decimal> {
    tradeseg::decimal::Decimal::parse(black_box(text))
}

#[divan::bench(args = ["2026-09-14", "2024/3/5", "2026-09-14T08:30:00+08:00"])]
fn parse_date(text: &str) -> Option<i32> {
    tradeseg::date::parse(black_box(text))
}
