//! `tradeseg report`: the page a manager opens, from the real binary on the bundled data.

use crate::common::*;

#[test]
fn a_report_page_shows_the_counts_crosstabs_and_movement() {
    let dir = folder(&[]);
    let out = |name: &str| dir.path().join(name).display().to_string();
    let october = out("october.csv");
    let args = [
        "run",
        "rulesets/purchase_stage.seg",
        "examples/data/history/2026-10.csv",
        "--as-of",
        "2026-10-01",
        "-q",
        "-o",
        &october,
    ];
    assert_eq!(tradeseg(&args).code, 0);
    let page = out("report.html");
    let args = [
        "report",
        "rulesets/export_sales.seg",
        "examples/data/history/2026-11.csv",
        "--as-of",
        "2026-11-01",
        "--crosstab",
        "region,stars",
        "--since",
        &october,
        "-o",
        &page,
    ];
    let ran = tradeseg(&args);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stderr.contains("report of 300 customers written to"), "{}", ran.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert!(html.contains("<h2>region × stars</h2>"));
    assert!(html.contains("<h2>Who moved since october.csv</h2>"));
    assert!(!html.contains("<script") && !html.contains("src=\"http"), "nothing is fetched");
    // The counts are the run's: 4-star has 49 of 300 customers in November's export.
    let results = tradeseg(&[
        "run",
        "rulesets/export_sales.seg",
        "examples/data/history/2026-11.csv",
        "--as-of",
        "2026-11-01",
        "-q",
    ]);
    let four_star = results.stdout.lines().filter(|l| l.split(',').nth(1) == Some("4-star")).count();
    assert!(html.contains(&format!("<td>4-star</td><td class=\"n\">{four_star}</td>")), "{four_star}");
    // Markdown, in Chinese.
    let md = out("report.md");
    let args = [
        "report",
        "rulesets/purchase_stage.seg",
        "examples/data/customers.csv",
        "--as-of",
        "2026-11-01",
        "-o",
        &md,
        "--lang",
        "zh",
    ];
    assert_eq!(tradeseg(&args).code, 0);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# 客户分组\n"), "{text}");
    assert!(text.contains("| 分组 | 客户数 | 占比 |"), "{text}");
}

#[test]
fn a_report_refuses_unknown_dimensions_and_overwriting_its_data() {
    let dir = folder(&[("d.csv", b"id,orders,inquiries\nC1,1,0\n")]);
    let out = dir.path().join("r.html").display().to_string();
    let data = dir.path().join("d.csv").display().to_string();
    let ran =
        tradeseg(&["report", "rulesets/purchase_stage.seg", &data, "--crosstab", "stars,regoin", "-o", &out]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("`--crosstab` names regoin"), "{}", ran.stderr);
    let ran = tradeseg(&["report", "rulesets/purchase_stage.seg", &data, "-o", &data]);
    assert_eq!(ran.code, 2);
    assert_eq!(
        std::fs::read_to_string(&data).unwrap(),
        "id,orders,inquiries\nC1,1,0\n",
        "the data is left as it was"
    );
}
