use super::ast::{BinaryOp, ExprKind, Item, UnaryOp};
use super::*;

fn expr(text: &str) -> ast::Expr {
    parse_expr(0, text).unwrap_or_else(|d| panic!("{text}: {}", d.message))
}

/// The expression with explicit parentheses, to read precedence at a glance.
fn shape(e: &ast::Expr) -> String {
    match &e.kind {
        ExprKind::Binary { op, left, right } => format!("({} {} {})", shape(left), op.symbol(), shape(right)),
        ExprKind::Unary { op, operand } => match op {
            UnaryOp::Not => format!("(not {})", shape(operand)),
            UnaryOp::Neg => format!("(-{})", shape(operand)),
            UnaryOp::IsMissing => format!("({} is missing)", shape(operand)),
            UnaryOp::IsPresent => format!("({} is present)", shape(operand)),
        },
        ExprKind::Name(n) => n.text.clone(),
        ExprKind::Number(n) => n.clone(),
        ExprKind::Text(t) => format!("{t:?}"),
        ExprKind::List(items) => format!("[{}]", items.iter().map(shape).collect::<Vec<_>>().join(", ")),
        ExprKind::Call { function, args } => {
            format!("{}({})", function.text, args.iter().map(shape).collect::<Vec<_>>().join(", "))
        }
        other => format!("{other:?}"),
    }
}

#[test]
fn precedence_follows_the_reference() {
    assert_eq!(shape(&expr("not a > 1")), "(not (a > 1))");
    assert_eq!(shape(&expr("a or b and c")), "(a or (b and c))");
    assert_eq!(shape(&expr("not a and b")), "((not a) and b)");
    assert_eq!(shape(&expr("a + b * 2 > c - 1")), "((a + (b * 2)) > (c - 1))");
    assert_eq!(shape(&expr("x is missing or y > 1")), "((x is missing) or (y > 1))");
    assert_eq!(shape(&expr("-3 * a")), "((-3) * a)");
    assert_eq!(shape(&expr("c not in [\"US\", \"CA\"]")), "(c not in [\"US\", \"CA\"])");
    assert_eq!(shape(&expr("days_since(d) >= 90")), "(days_since(d) >= 90)");
}

/// A list item written as one string is taken as it is; one that goes on (an operator after
/// the string) is an expression, with the string where it stands.
#[test]
fn list_items_are_strings_or_expressions() {
    assert_eq!(shape(&expr("c in [\"US\" , \"CA\",]")), "(c in [\"US\", \"CA\"])");
    let mixed = expr("c in [\"a\" + b, \"x\" contains \"y\", (\"DE\"), \"Z\"]");
    assert_eq!(shape(&mixed), "(c in [(\"a\" + b), (\"x\" contains \"y\"), \"DE\", \"Z\"])");
    let ExprKind::Binary { right, .. } = &mixed.kind else { panic!("{mixed:?}") };
    let ExprKind::List(items) = &right.kind else { panic!("{right:?}") };
    let spans: Vec<(u32, u32)> = items.iter().map(|i| (i.span.start, i.span.end)).collect();
    // `parse_expr` reads the text after a prefix of eight bytes.
    assert_eq!(spans, [(14, 21), (23, 39), (41, 47), (49, 52)]);
}

#[test]
fn keywords_need_a_word_boundary() {
    assert_eq!(shape(&expr("orders >= 1 and notes == android")), "((orders >= 1) and (notes == android))");
    assert_eq!(shape(&expr("index in isles")), "(index in isles)");
    assert_eq!(shape(&expr("`in` == 1")), "(in == 1)");
}

/// The paths the grammar takes quickly (a word is tried as a call only when `(` follows,
/// `is` is looked for once after an operand, a comment's rest is skipped at once) give the
/// same trees as the slow ones did.
#[test]
fn calls_postfix_checks_and_comments_parse_wherever_they_stand() {
    assert_eq!(shape(&expr("days_since (d) > 1")), "(days_since(d) > 1)");
    assert_eq!(shape(&expr("days_since\n  (d)")), "days_since(d)");
    assert_eq!(shape(&expr("island is missing or isles is present")), "((island is missing) or (isles is present))");
    assert_eq!(shape(&expr("is_vip == true")), "(is_vip == Bool(true))");
    assert_eq!(shape(&expr("a # why \"not\" ( [\n > 1")), "(a > 1)");
    assert_eq!(shape(&expr("tag == \"#1 buyer\" # the # inside quotes is text")), "(tag == \"#1 buyer\")");
    let parsed = parse(0, "let x = a > 1 # a comment ending the file, no newline").unwrap();
    assert_eq!(parsed.items.len(), 1);
}

#[test]
fn unicode_names_and_quoted_columns() {
    assert_eq!(shape(&expr("询盘次数 >= 2")), "(询盘次数 >= 2)");
    assert_eq!(shape(&expr("`Annual Revenue` > 1_000")), "(Annual Revenue > 1000)");
}

#[test]
fn a_whole_ruleset_parses() {
    let text = r#"
# comment
include "regions.seg"
field inquiries = "询盘次数"
field last_contact: date
let no_orders = orders == 0
dimension stars "Purchase stage" {
    segment "4-star" when orders >= 1
    segment "2-star" when inquiries >= 2
                      and no_orders   # continues
    otherwise "0-star" then "actions/recheck.rhai"
}
segment "oem" when identity == "OEM"
test "t" {
    as_of 2026-11-01
    given { inquiries: 2, orders: 0, tags: ["a", "b"], hist: [ { date: 2026-09-01, amount: 1200 } ] }
    expect stars == "2-star"
    expect tagged "oem"
    expect not tagged "growth"
    expect region is missing
}
"#;
    let file = parse(0, text).unwrap_or_else(|d| panic!("{}", d[0].message));
    assert_eq!(file.items.len(), 7);
    let Item::Dimension(d) = &file.items[4] else { panic!("dimension expected") };
    assert_eq!(d.segments.len(), 2);
    assert_eq!(d.title.as_ref().map(|t| t.text.as_str()), Some("Purchase stage"));
    assert!(d.otherwise.as_ref().unwrap().action.is_some());
    let Item::Test(t) = &file.items[6] else { panic!("test expected") };
    assert_eq!(t.expectations.len(), 4);
    assert_eq!(t.given.len(), 4);
}

#[test]
fn errors_say_what_was_expected_in_words() {
    let first = |text| parse(0, text).unwrap_err().remove(0);
    let error = first("segment \"x\" when orders >=\n");
    assert_eq!(error.message.to_string(), "expected a value");
    assert_eq!(error.label.map(|l| l.to_string()).as_deref(), Some("found the end of the file"));
    let error = first("dimension d {\n segment \"a\" when x = 1\n}");
    assert!(error.help.iter().any(|h| h.to_string().contains("==")), "{error:?}");
    let error = first("dimension d {\n segment \"a\" when x == 1\n");
    assert!(error.message.to_string().contains("`}`"), "{}", error.message);
    assert!(!error.message.to_string().contains("kw_"), "{}", error.message);
}

#[test]
fn every_syntax_error_is_reported_and_places_stay_right() {
    let text =
        "dimension d {\n  segment \"a\" when x AND y\n  segment \"b\" when y <> 2\n  otherwise \"c\"\n}\n\
                let z = (1 +\nsegment \"t\" when 是 ≥ 1\nsegment \"u\" when x == 1\n";
    let errors = parse(0, text).unwrap_err();
    let places: Vec<usize> = errors.iter().map(|e| e.span.map_or(0, |s| s.start as usize)).collect();
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert_eq!(&text[places[0]..places[0] + 3], "AND");
    assert_eq!(&text[places[1]..places[1] + 1], ">");
    assert!(text[places[2]..].starts_with("segment \"t\""), "the unfinished `let` is reported where it ends");
    assert_eq!(&text[places[3]..places[3] + 3], "≥");
    // Passing over a block's first line leaves its `}` alone: no error for it.
    let errors = parse(0, "dimension d e {\n  segment \"a\" when x\n}\nsegment \"b\" when y\n").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
}

#[test]
fn dates_with_slashes_in_rules_are_errors_but_not_in_strings_or_comments() {
    let errors =
        parse(0, "segment \"a\" when d < 2024/3/5 # 2024/3/5\nsegment \"b\" when s == \"2024/3/5\"\n")
            .unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].help[0].to_string().contains("2024-03-05"));
    assert!(parse(0, "let x = 2024/3/5.5 + 20241/3/5\n").is_ok());
}

#[test]
fn strings_take_escapes() {
    let e = expr(r#"name == "say \"hi\" \\ ok""#);
    let ExprKind::Binary { op: BinaryOp::Eq, right, .. } = e.kind else { panic!() };
    assert_eq!(right.kind, ExprKind::Text("say \"hi\" \\ ok".to_string()));
}
