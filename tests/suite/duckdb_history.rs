//! An independent check of rules over history: a ruleset of counts, sums, averages,
//! minimums, maximums, first and last dates, windows and `where` filters, over generated
//! customers and orders (some dated after the as-of date, some without an amount, some of
//! customers not in the list), must give row for row what the same logic gives in SQL in
//! DuckDB. Skipped with a message where Python's DuckDB is not installed, unless
//! TRADESEG_REQUIRE_DUCKDB is set (as CI sets it).

use std::fmt::Write as _;
use std::process::Command;

pub(crate) const RULES: &str = r#"
events orders
dimension activity {
    segment "dormant"  when days_since(last(orders.date)) > 365
    segment "frequent" when count(orders in last 12 months) >= 6
    segment "regular"  when count(orders in last 12 months) >= 2 and count(orders from 24 to 12 months ago) >= 2
    segment "rising"   when count(orders in last 12 months) >= 2 and count(orders from 24 to 12 months ago) == 0
    segment "some"     when count(orders) >= 1
    otherwise "none"
}
dimension value {
    segment "top"   when sum(orders.amount in last 365 days) >= 50_000
    segment "mid"   when avg(orders.amount in last 12 months) >= 2_000
    segment "small" when max(orders.amount) < 3000
    otherwise "other"
}
segment "led-fan"    when count(orders where product == "led" in last 90 days) >= 2
segment "big-ticket" when min(orders.amount where product != "sample" in last 2 years) >= 1_000
segment "veteran"    when days_since(first(orders.date)) > 1000
"#;

const SQL: &str = r#"
import sys, duckdb
customers, orders, out = sys.argv[1:4]
duckdb.sql(f"""
COPY (
  WITH o AS (
    SELECT customer_id, "date" AS d, amount, product
    FROM read_csv('{orders}', header = true,
                  types = {{'customer_id': 'VARCHAR', 'date': 'DATE', 'amount': 'DECIMAL(18,2)', 'product': 'VARCHAR'}})
    WHERE "date" <= DATE '2026-11-01'),
  a AS (
    SELECT customer_id,
      max(d) AS last_d, min(d) AS first_d, count(*) AS n,
      count(*) FILTER (WHERE d > DATE '2025-11-01') AS n12,
      count(*) FILTER (WHERE d > DATE '2024-11-01' AND d <= DATE '2025-11-01') AS nprev,
      coalesce(sum(amount) FILTER (WHERE d > DATE '2025-11-01'), 0) AS s365,
      sum(amount) FILTER (WHERE d > DATE '2025-11-01') AS s12,
      count(amount) FILTER (WHERE d > DATE '2025-11-01') AS c12,
      max(amount) AS mx,
      count(*) FILTER (WHERE product = 'led' AND d > DATE '2026-08-03') AS led90,
      min(amount) FILTER (WHERE product <> 'sample' AND d > DATE '2024-11-01') AS mn2y
    FROM o GROUP BY customer_id)
  SELECT c.id,
    CASE WHEN DATE '2026-11-01' - a.last_d > 365 THEN 'dormant'
         WHEN coalesce(a.n12, 0) >= 6 THEN 'frequent'
         WHEN coalesce(a.n12, 0) >= 2 AND coalesce(a.nprev, 0) >= 2 THEN 'regular'
         WHEN coalesce(a.n12, 0) >= 2 AND coalesce(a.nprev, 0) = 0 THEN 'rising'
         WHEN coalesce(a.n, 0) >= 1 THEN 'some' ELSE 'none' END AS activity,
    CASE WHEN coalesce(a.s365, 0) >= 50000 THEN 'top'
         WHEN a.c12 > 0 AND a.s12 >= 2000 * a.c12 THEN 'mid'
         WHEN a.mx < 3000 THEN 'small' ELSE 'other' END AS value,
    NULLIF(concat_ws(';',
      CASE WHEN coalesce(a.led90, 0) >= 2 THEN 'led-fan' END,
      CASE WHEN a.mn2y >= 1000 THEN 'big-ticket' END,
      CASE WHEN DATE '2026-11-01' - a.first_d > 1000 THEN 'veteran' END), '') AS tags
  FROM read_csv('{customers}', header = true, types = {{'id': 'VARCHAR'}}) c
  LEFT JOIN a ON a.customer_id = c.id
  ORDER BY c.id
) TO '{out}' (HEADER, DELIMITER ',')
""")
"#;

/// Deterministic pseudo-random numbers, so the data is the same every run.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

pub(crate) fn generate(dir: &std::path::Path) {
    let mut rng = Rng(0x00DD_BA11);
    let mut customers = String::from("id,name\n");
    for i in 1..=3000 {
        writeln!(customers, "K{i:05},Customer {i}").unwrap();
    }
    let as_of = tradeseg::date::parse("2026-11-01").unwrap();
    let products = ["led", "led", "cable", "sample", "fabric", ""];
    let mut orders = String::from("customer_id,date,amount,product\n");
    for _ in 0..40_000 {
        // Some customers order a lot, most a little, some ids are not customers at all.
        let customer =
            if rng.below(50) == 0 { 3000 + rng.below(100) } else { 1 + rng.below(3000).pow(2) / 3000 };
        let day = as_of - 1500 + rng.below(1560) as i32; // up to two months after the as-of date
        let amount = match rng.below(20) {
            0 => String::new(),
            _ => format!("{}.{:02}", rng.below(4000) * (1 + rng.below(3)), rng.below(100)),
        };
        let product = products[rng.below(products.len() as u64) as usize];
        writeln!(orders, "K{customer:05},{},{amount},{product}", tradeseg::date::format(day)).unwrap();
    }
    std::fs::write(dir.join("customers.csv"), customers).unwrap();
    std::fs::write(dir.join("orders.csv"), orders).unwrap();
    std::fs::write(dir.join("rules.seg"), RULES).unwrap();
    std::fs::write(dir.join("reference.py"), SQL).unwrap();
}

#[test]
fn history_rules_match_duckdb_row_for_row() {
    let duckdb = Command::new("python3").args(["-c", "import duckdb"]).output();
    if !duckdb.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("TRADESEG_REQUIRE_DUCKDB").is_none(),
            "cannot compare with DuckDB: it is not installed"
        );
        eprintln!("SKIPPED history_rules_match_duckdb_row_for_row: Python's duckdb is not installed (pip install duckdb)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let ran = crate::common::tradeseg(&[
        "run",
        &path("rules.seg"),
        &path("customers.csv"),
        "--events",
        &format!("orders={}", path("orders.csv")),
        "--as-of",
        "2026-11-01",
        "-q",
        "-o",
        &path("tradeseg.csv"),
    ]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("`orders`: ") && ran.stderr.contains("customer ids not in the customer data"),
        "{}",
        ran.stderr
    );
    let status = Command::new("python3")
        .args([path("reference.py"), path("customers.csv"), path("orders.csv"), path("duckdb.csv")])
        .status()
        .unwrap();
    assert!(status.success(), "the SQL ran");
    let ours = std::fs::read_to_string(path("tradeseg.csv")).unwrap();
    let theirs = std::fs::read_to_string(path("duckdb.csv")).unwrap();
    assert_eq!(ours.lines().count(), 3001);
    for (line, (a, b)) in ours.lines().zip(theirs.lines()).enumerate() {
        assert_eq!(a, b, "line {} differs (tradeseg, then DuckDB)", line + 1);
    }
    // Every segment and tag is reached, so the comparison covers every rule.
    for expected in [
        "dormant",
        "frequent",
        "regular",
        "rising",
        "some",
        "none",
        "top",
        "mid",
        "small",
        "other",
        "led-fan",
        "big-ticket",
        "veteran",
    ] {
        assert!(ours.contains(expected), "no customer got `{expected}`: the data should reach every rule");
    }
}
