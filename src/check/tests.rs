use super::typed::Ty;
use super::*;

fn checked(text: &str) -> Result<Checked, Vec<String>> {
    let ruleset =
        Ruleset::from_source("t.seg", text, ".").map_err(|e| vec![e.diagnostics[0].message.to_string()])?;
    check(ruleset)
        .map_err(|e| e.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.to_string()).collect())
}

fn field_type(c: &Checked, name: &str) -> Option<Ty> {
    c.fields.iter().find(|f| f.name == name).and_then(|f| f.ty)
}

#[test]
fn infers_types_from_use() {
    let c = checked(
        r#"
field last_contact: date
segment "a" when orders >= 1 and country in ["US"] and days_since(last_order) > 30
segment "b" when products contains "led" and vip and revenue > revenue_prev * 1.2
segment "c" when a == b and b == 3 and notes is missing and last_contact is present
"#,
    )
    .unwrap();
    assert_eq!(field_type(&c, "orders"), Some(Ty::Number));
    assert_eq!(field_type(&c, "country"), Some(Ty::Text));
    assert_eq!(field_type(&c, "last_order"), Some(Ty::Date));
    assert_eq!(field_type(&c, "products"), Some(Ty::List));
    assert_eq!(field_type(&c, "vip"), Some(Ty::Bool));
    assert_eq!(field_type(&c, "revenue_prev"), Some(Ty::Number));
    assert_eq!(field_type(&c, "a"), Some(Ty::Number), "linked to b, which is a number");
    assert_eq!(field_type(&c, "notes"), None);
    assert_eq!(field_type(&c, "last_contact"), Some(Ty::Date));
}

#[test]
fn a_field_used_as_two_types_is_an_error() {
    let errors = checked("segment \"a\" when orders >= 1 and orders == \"many\"").unwrap_err();
    assert_eq!(errors, ["`orders` is used as text here, but as a number elsewhere"]);
    let errors = checked("field d: date\nsegment \"a\" when d > 3").unwrap_err();
    assert_eq!(errors, ["`d` is used as a number here, but as a date elsewhere"]);
}

#[test]
fn comparing_number_with_text_is_an_error() {
    let errors = checked("segment \"a\" when 1 == \"1\"").unwrap_err();
    assert_eq!(errors, ["cannot compare a number `1` with text `\"1\"`"]);
}

#[test]
fn lets_are_ordered_and_unique() {
    let errors = checked("segment \"a\" when big\nlet big = x > 1").unwrap_err();
    assert_eq!(errors, ["`big` is used before its `let`"]);
    let errors = checked("let a = 1\nlet a = 2").unwrap_err();
    assert_eq!(errors, ["`a` is defined twice"]);
    let c =
        checked("let na = [\"US\", \"CA\"]\nlet big = 1_000\nsegment \"a\" when country in na and rev > big")
            .unwrap();
    assert_eq!(field_type(&c, "rev"), Some(Ty::Number));
}

#[test]
fn collects_every_error() {
    let errors = checked(
        "segment \"a\" when x + \"1\" > 2\nsegment \"b\" when dayz_since(y) > 1\nsegment \"c\" when 5",
    )
    .unwrap_err();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[1].contains("unknown function `dayz_since`"));
}

#[test]
fn field_aliases_name_columns() {
    let c = checked("field inquiries = \"询盘次数\"\nsegment \"a\" when inquiries >= 2").unwrap();
    assert_eq!(c.fields[0].column, "询盘次数");
}

fn warnings(text: &str) -> Vec<String> {
    checked(text).unwrap_or_else(|e| panic!("{e:?}")).warnings.iter().map(|w| w.message.to_string()).collect()
}

#[test]
fn finds_segments_earlier_ones_take_every_customer_from() {
    let found = warnings(
        r#"
dimension value {
    segment "B" when revenue >= 300_000
    segment "B+" when revenue >= 500_000 and orders >= 2
    segment "low" when revenue < 300_000
    segment "mid" when revenue > 100 and revenue < 200
    segment "never" when revenue > 5 and revenue < 3
    otherwise "none"
}
dimension joint {
    segment "a" when x >= 1
    segment "b" when x >= 0 and x < 1
    segment "c" when x > 0.5
    segment "d" when x > -1
    otherwise "none"
}
dimension region {
    segment "NA" when country in ["US", "CA"]
    segment "US" when country == "US"
    segment "MX" when country == "MX"
    otherwise "other"
}
"#,
    );
    let never: Vec<&str> =
        found.iter().filter(|w| w.ends_with("can never match")).map(String::as_str).collect();
    assert_eq!(
        never,
        [
            "segment `B+` can never match",
            "segment `mid` can never match",
            "segment `never` can never match",
            "segment `c` can never match",
            "segment `US` can never match",
        ]
    );
}

#[test]
fn warns_of_gaps_and_unused_names() {
    let found = warnings("let spare = 1\nfield notes: text\ndimension d { segment \"a\" when x > 1 }\n");
    assert!(found.contains(&"`spare` is defined but never used".to_string()), "{found:?}");
    assert!(found.contains(&"field `notes` is declared but no rule reads it".to_string()), "{found:?}");
    assert!(found.contains(&"some customers get no segment in `d`".to_string()), "{found:?}");
    assert!(warnings("dimension d { segment \"a\" when x is missing  segment \"b\" when x is present }")
        .is_empty());
}
