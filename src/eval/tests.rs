use crate::compile::{compile, CompileOptions, Schema};
use crate::date;
use crate::load::Ruleset;

/// `rules` compiled for data with an `id` column and `header`, as of 2026-11-01.
fn compiled(rules: &str, header: &[&str]) -> crate::compile::Program {
    let ruleset = Ruleset::from_source("t.seg", rules, ".").unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let checked = crate::check::check(ruleset).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let mut columns = vec!["id"];
    columns.extend_from_slice(header);
    let options = CompileOptions {
        as_of: date::parse("2026-11-01").unwrap(),
        id_column: "id".into(),
        decimal_comma: false,
    };
    compile(&checked, &Schema::from_header(&columns), &options).unwrap().0
}

/// Runs `rules` over one record of `header` and `values`; returns "dim=segment" and tags.
fn run(rules: &str, header: &[&str], values: &[&str]) -> String {
    let program = compiled(rules, header);
    let mut evaluator = crate::eval::Evaluator::new(&program);
    let mut cells = vec!["C1"];
    cells.extend_from_slice(values);
    let outcome = evaluator.evaluate_columns(|i| cells.get(i).copied()).clone();
    let mut parts: Vec<String> = (0..program.dimensions.len())
        .map(|d| {
            format!("{}={}", program.dimensions[d].name, program.segment_name(d, &outcome).unwrap_or("-"))
        })
        .collect();
    parts.extend(program.tag_names(&outcome).map(|t| format!("#{t}")));
    parts.join(" ")
}

const STARS: &str = r#"
let no_orders = orders == 0
dimension stars {
    segment "4-star" when orders >= 1
    segment "3-star" when samples >= 1
    segment "2-star" when inquiries >= 2 and no_orders
    segment "1-star" when inquiries >= 1
    otherwise "0-star"
}
"#;

#[test]
fn first_match_wins_and_otherwise_catches_the_rest() {
    let h = ["orders", "samples", "inquiries"];
    assert_eq!(run(STARS, &h, &["2", "1", "5"]), "stars=4-star");
    assert_eq!(run(STARS, &h, &["0", "0", "3"]), "stars=2-star");
    assert_eq!(run(STARS, &h, &["0", "0", "1"]), "stars=1-star");
    assert_eq!(run(STARS, &h, &["", "", ""]), "stars=0-star");
    // Missing orders: `inquiries >= 2 and no_orders` is unknown, so not 2-star.
    assert_eq!(run(STARS, &h, &["", "0", "3"]), "stars=1-star");
}

#[test]
fn three_valued_logic() {
    let rules = r#"
segment "or-true" when a > 1 or b > 1
segment "and-false" when not (a > 1 and b > 1)
segment "not-unknown" when not (a > 1)
segment "missing" when a is missing
segment "present" when b is present
"#;
    // unknown and true is unknown; not unknown is unknown: no tag.
    assert_eq!(run(rules, &["a", "b"], &["", "5"]), "#or-true #missing #present");
    assert_eq!(run(rules, &["a", "b"], &["", "0"]), "#and-false #missing #present");
    assert_eq!(run(rules, &["a", "b"], &["", ""]), "#missing");
}

#[test]
fn exact_decimal_arithmetic() {
    let rules = r#"
segment "exact" when 0.1 + 0.2 == 0.3 and 3 * 1.2 == 3.6
segment "growth" when rev > prev * 1.2 and prev > 0
segment "div0" when rev / prev > 1 or rev / prev is missing
"#;
    assert_eq!(run(rules, &["rev", "prev"], &["3.6", "3"]), "#exact #div0");
    assert_eq!(run(rules, &["rev", "prev"], &["3.61", "3"]), "#exact #growth #div0");
    assert_eq!(run(rules, &["rev", "prev"], &["1,000,000.01", "0"]), "#exact #div0");
}

#[test]
fn dates_and_days_since() {
    let rules = r#"
dimension followup {
    segment "overdue-90" when days_since(last_contact) >= 90
    segment "overdue-7" when days_since(last_contact) >= 7
    segment "future" when last_contact > as_of
    otherwise "recent"
}
segment "old" when first_contact < 2020-01-01
"#;
    let h = ["last_contact", "first_contact"];
    assert_eq!(run(rules, &h, &["2026-08-03", "2019/12/31"]), "followup=overdue-90 #old");
    assert_eq!(run(rules, &h, &["2026/8/4", "2020-01-01"]), "followup=overdue-7");
    assert_eq!(run(rules, &h, &["2026-10-31T23:00:00-05:00", ""]), "followup=recent");
    assert_eq!(run(rules, &h, &["2026-12-01", ""]), "followup=future");
    assert_eq!(run(rules, &h, &["not a date", ""]), "followup=recent");
}

#[test]
fn membership_lists_and_text() {
    let rules = r#"
let na = ["US", "CA", "GL"]
dimension region { segment "NA" when country in na  segment "far" when country not in ["CN"] }
segment "led" when products contains "led"
segment "not-led" when "led" not in products
segment "big-name" when name >= "M"
"#;
    let h = ["country", "products", "name"];
    assert_eq!(run(rules, &h, &["US", "led; phone", "Zeta"]), "region=NA #led #big-name");
    assert_eq!(run(rules, &h, &["CN", "phone;;", "Acme"]), "region=- #not-led");
    assert_eq!(run(rules, &h, &["", "", ""]), "region=-");
    assert_eq!(run(rules, &h, &[" DE ", "LED", "中"]), "region=far #not-led #big-name");
}

#[test]
fn text_cells_are_trimmed_and_missing_words_are_missing() {
    let rules = "segment \"us\" when country == \"US\"\nsegment \"none\" when country is missing\n";
    let declared = format!("missing values [\"TBD\"]\n{rules}");
    for (cell, plain, with_words) in [
        ("US", "#us", "#us"),
        (" US", "#us", "#us"),
        ("US\t", "#us", "#us"),
        ("\u{3000}US\u{3000}", "#us", "#us"),
        ("", "#none", "#none"),
        ("   ", "#none", "#none"),
        ("TBD", "", "#none"),
        ("tbd", "", "#none"),
        ("N/A", "", ""),
    ] {
        assert_eq!(run(rules, &["country"], &[cell]), plain, "{cell:?}");
        assert_eq!(run(&declared, &["country"], &[cell]), with_words, "{cell:?} with TBD declared");
    }
}

#[test]
fn booleans_read_as_spreadsheets_write_them() {
    let rules = "segment \"vip\" when vip\nsegment \"not-vip\" when vip == false";
    assert_eq!(run(rules, &["vip"], &["Yes"]), "#vip");
    assert_eq!(run(rules, &["vip"], &["否"]), "#not-vip");
    assert_eq!(run(rules, &["vip"], &["maybe"]), "");
}

#[test]
fn chains_of_lists_on_one_field_give_the_first_segment_that_lists_the_value() {
    // The first three rules become one table; "DE" is in two lists and the first wins; a
    // value in no list, or missing, goes on to the rules after the table.
    let rules = r#"
dimension region {
    segment "a" when country in ["US", "DE"]
    segment "b" when country in ["DE", "FR", "a-rather-long-name"]
    segment "c" when country in ["JP"]
    segment "d" when country == "CN" or size > 5
    segment "e" when country in ["KR"]
    otherwise "other"
}
"#;
    let h = ["country", "size"];
    assert_eq!(run(rules, &h, &["DE", "9"]), "region=a");
    assert_eq!(run(rules, &h, &["FR", "9"]), "region=b");
    assert_eq!(run(rules, &h, &["a-rather-long-name", ""]), "region=b");
    assert_eq!(run(rules, &h, &["JP", "9"]), "region=c");
    assert_eq!(run(rules, &h, &["CN", ""]), "region=d");
    assert_eq!(run(rules, &h, &["", "9"]), "region=d");
    assert_eq!(run(rules, &h, &["KR", "1"]), "region=e");
    assert_eq!(run(rules, &h, &["us", "1"]), "region=other");
    assert_eq!(run(rules, &h, &["", ""]), "region=other");
}

#[test]
fn the_lookup_table_covers_only_the_leading_lists_on_one_field() {
    use crate::compile::{Lookup, TextTable};
    let program = |rules: &str| compiled(rules, &["country", "city"]);
    let two = program(
        r#"dimension d { segment "a" when country in ["US"]
                         segment "b" when country in ["CA"]
                         segment "c" when city in ["Paris"] }"#,
    );
    let lookup: &Lookup = two.dimensions[0].lookup.as_ref().expect("a table");
    assert_eq!(lookup.rules, 2);
    assert!(matches!(lookup.table, TextTable::Packed(_)));
    let negated = program(
        r#"dimension d { segment "a" when country not in ["US"]
                         segment "b" when country in ["CA"] }"#,
    );
    assert!(negated.dimensions[0].lookup.is_none());
}

/// A comparison with a constant, as a range, holds for exactly the values the operator
/// holds for: every operator, values around the constant, and constants at either end of
/// the type (where `> greatest` and `< least` hold for nothing).
#[test]
fn comparisons_as_ranges_hold_where_the_operator_holds() {
    use crate::check::typed::CmpOp;
    use crate::decimal::Decimal;
    use crate::program::Bounds;
    let ops = [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge];
    for op in ops {
        for constant in [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX - 1, i32::MAX] {
            let bounds = Bounds::day(op, constant);
            for step in -2..=2 {
                let Some(value) = constant.checked_add(step) else { continue };
                assert_eq!(bounds.holds(value), op.holds(value.cmp(&constant)), "{value} {op:?} {constant}");
            }
        }
        for constant in [Decimal::MIN, Decimal::from_int(-3), Decimal::ZERO, Decimal::from_int(7), Decimal::MAX] {
            let bounds = Bounds::number(op, constant);
            let around = [constant.next_down(), Some(constant), constant.next_up()];
            for value in around.into_iter().flatten().chain([Decimal::MIN, Decimal::MAX]) {
                assert_eq!(bounds.holds(value), op.holds(value.cmp(&constant)), "{value:?} {op:?} {constant:?}");
            }
        }
    }
}

/// A conjunction of number fields against literals is compiled to one loop over ranges,
/// and gives what the general conjunction gives: false if any part is, else unknown if a
/// value is missing, else true; for every mix of values below, inside, above and missing.
#[test]
fn a_conjunction_of_ranges_is_the_conjunction_of_its_parts() {
    use crate::eval::{Row, Tri};
    use crate::program::Cond;
    let rules = r#"segment "all" when a >= 2 and b == 0 and c < 10
segment "not-all" when not (a >= 2 and b == 0 and c < 10)"#;
    let program = compiled(rules, &["a", "b", "c"]);
    let Cond::AllRanges(ranges) = &program.tags[0].condition else {
        panic!("not compiled to ranges: {:?}", program.tags[0].condition)
    };
    let parts: Vec<Cond> = ranges.iter().map(|&(slot, bounds)| Cond::NumSlotConst(slot, bounds)).collect();
    let general = Cond::And(parts);
    let choices = [["1", "2", ""], ["-1", "0", ""], ["10", "9", ""]];
    let mut seen = Vec::new();
    for a in choices[0] {
        for b in choices[1].iter().chain(["1"].iter()) {
            for c in choices[2] {
                let mut row = Row::new(program.slots.len());
                for (slot, value) in [a, b, c].into_iter().enumerate() {
                    let slot = program.slots.iter().position(|s| s.column == ["a", "b", "c"][slot]).unwrap();
                    let _ = row.set_cell(slot, Some(crate::check::typed::Ty::Number), value);
                }
                let fast = program.test(&program.tags[0].condition, &row);
                assert_eq!(fast, program.test(&general, &row), "a={a} b={b} c={c}");
                if !seen.contains(&fast) {
                    seen.push(fast);
                }
                let tags = run(rules, &["a", "b", "c"], &[a, b, c]);
                let expected = match fast {
                    Tri::True => "#all",
                    Tri::False => "#not-all",
                    Tri::Unknown => "",
                };
                assert_eq!(tags, expected, "a={a} b={b} c={c}");
            }
        }
    }
    assert_eq!(seen.len(), 3);
}

/// The packed lookup table finds exactly what a search of its entries finds: every key
/// listed (the first index of a key listed twice), and nothing for keys not listed, for
/// tables of every size up to past a hundred keys, dense and sparse.
#[test]
fn the_packed_table_finds_what_a_search_of_its_entries_finds() {
    use crate::program::{pack, PackedTable};
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for size in 0..130 {
        // Two-letter codes crowd the table's places; longer texts spread over them.
        let width = 1 + size % 7;
        let text = |n: u64| -> Vec<u8> { (0..width).map(|i| b'A' + ((n >> (5 * i)) % 26) as u8).collect() };
        let entries: Vec<(u64, u16)> =
            (0..size).map(|i| (pack(&text(next())).unwrap(), (i / 2) as u16)).collect();
        let table = PackedTable::new(&entries);
        for probe in entries.iter().map(|e| e.0).chain((0..200).map(|_| pack(&text(next())).unwrap())) {
            let expected = entries.iter().find(|e| e.0 == probe).map(|e| e.1);
            assert_eq!(table.get(probe), expected, "size {size}, key {probe:#x}");
        }
    }
}

/// Filling a record's cells a type at a time gives the row and the noted errors (in slot
/// order) that filling slot by slot gives, for every type and for cells plain, padded,
/// empty, unreadable and in other forms (`1,250`, `10/5/2026` day first, `yes`).
#[test]
fn filling_a_type_at_a_time_is_filling_slot_by_slot() {
    let rules = r#"field signed_on: date "D/M/YYYY"
field vip: bool
segment "t" when b > 1 and days_since(signed_on) > 3 and vip and c == "x" and a > 0
    and days_since(d) > 1 and e is missing"#;
    let header = ["a", "signed_on", "c", "vip", "b", "d", "e"];
    let program = compiled(rules, &header);
    let cells = [
        ["3", "10/5/2026", "x", "yes", "1,250", "2026-01-02", "anything"],
        ["three", "2026-13-40", " x ", "maybe", "", "soon", ""],
        [" 7 ", "", "", "", "(500)", " 2026-01-02", "  "],
        ["1e3", "31/2/2026", "x\u{3000}", "no", "$12", "2026-1-2", "e"],
    ];
    for record in cells {
        let mut row = vec!["C1"];
        row.extend_from_slice(&record);
        let mut by_slot = crate::eval::Evaluator::new(&program);
        by_slot.fill_columns(|i| row.get(i).copied());
        let mut by_type = crate::eval::Evaluator::new(&program);
        by_type.fill_utf8_columns(|i| row.get(i).map(|c| c.as_bytes()));
        assert_eq!(by_type.row().vals, by_slot.row().vals, "{record:?}");
        assert_eq!(by_type.row().text, by_slot.row().text, "{record:?}");
        assert_eq!(by_type.errors(), by_slot.errors(), "{record:?}");
    }
}
