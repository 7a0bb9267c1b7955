//! The pages over a small run: counts, cross-tabs and movement as a manager reads them,
//! and text from the data kept from becoming markup.

use super::*;
use crate::run::{run_with, Extras, RunOptions};
use crate::{CompileOptions, Ruleset};

const RULES: &str = r#"
dimension stars {
    segment "4-star" when orders >= 1
    segment "2-star" when inquiries >= 2
    otherwise "0-star"
}
dimension region {
    segment "EU" when country in ["DE", "FR"]
    segment "<Americas>" when country == "US"
}
segment "keen" when inquiries >= 5
"#;

const DATA: &str = "id,orders,inquiries,country\nC1,1,5,DE\nC2,0,3,US\nC3,0,0,CN\nC4,2,6,FR\nC5,0,2,DE\n";

fn run(crosstabs: &mut CrossTabs) -> (Report, String) {
    let checked = Ruleset::from_source("r.seg", RULES, ".").unwrap().check().unwrap();
    let options = RunOptions::new(CompileOptions::new("2026-11-01").unwrap());
    let mut results = Vec::new();
    let extras = Extras { outcomes: Some(crosstabs as &mut dyn OutcomeSink), ..Extras::default() };
    let report = run_with(&checked, extras, Box::new(DATA.as_bytes()), &mut results, &options, None).unwrap();
    (report, String::from_utf8(results).unwrap())
}

#[test]
fn crosstabs_count_every_customer_once_with_none_last() {
    let mut tabs = CrossTabs::new(vec![("stars".into(), "region".into()), ("stars".into(), "nope".into())]);
    assert_eq!(tabs.unknown(&["stars".into(), "region".into()]), ["nope"]);
    run(&mut tabs);
    let tabs = tabs.finish();
    assert_eq!(tabs.len(), 1);
    let tab = &tabs[0];
    assert_eq!(tab.row_names, ["4-star", "2-star", "0-star", "(none)"]);
    assert_eq!(tab.column_names, ["EU", "<Americas>", "(none)"]);
    // 4-star: C1 (DE), C4 (FR); 2-star: C2 (US), C5 (DE); 0-star: C3 (CN, no region).
    assert_eq!(tab.counts, [vec![2, 0, 0], vec![1, 1, 0], vec![0, 0, 1], vec![0, 0, 0]]);
    let total: u64 = tab.counts.iter().flatten().sum();
    assert_eq!(total, 5);
}

#[test]
fn the_html_page_is_self_contained_and_escapes_the_data() {
    let mut tabs = CrossTabs::new(vec![("stars".into(), "region".into())]);
    let (report, results) = run(&mut tabs);
    let earlier = results.replace("C2,2-star", "C2,0-star");
    let overview = Overview {
        report: &report,
        as_of: "2026-11-01".into(),
        rules: "r.seg".into(),
        data: "d.csv".into(),
        crosstabs: tabs.finish(),
        since: Some(("october.csv".into(), crate::snapshot::compare(&earlier, &results))),
    };
    let page = html(&overview);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"));
    assert!(page.contains("&lt;Americas&gt;") && !page.contains("<Americas>"), "data is text, never markup");
    assert_eq!(page.matches("<svg").count(), 3, "a chart per dimension and one for the tags");
    assert!(page.contains("<td class=\"n\">2</td><td class=\"n\">40.0%</td>"), "4-star: 2 of 5");
    assert!(page.contains("Who moved since october.csv"));
    assert!(page.contains("<td>0-star</td><td>2-star</td><td class=\"n\">1</td><td class=\"ids\">C2</td>"));
    let md = markdown(&overview);
    assert!(md.contains("| 4-star | 2 | 40.0% |"), "{md}");
    assert!(md.contains("| stars | 0-star | 2-star | 1 |"), "{md}");
    assert!(md.contains("## stars × region"), "{md}");
}
