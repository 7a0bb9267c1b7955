//! The command line as a user meets it: the real binary, real files.

use crate::common::{folder, tradeseg, tradeseg_in, DATA, RULES};

#[test]
fn run_writes_one_row_per_customer_in_input_order() {
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("d.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,stars,tags\nC1,4-star,oem\nC2,2-star,\nC3,0-star,\n");
    assert_eq!(ran.stderr, "");
}

#[test]
fn output_dash_is_standard_output() {
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("d.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q", "-o", "-"], b"");
    assert_eq!(ran.stdout, "id,stars,tags\nC1,4-star,oem\nC2,2-star,\nC3,0-star,\n");
    assert!(!dir.path().join("-").exists());
}

#[test]
fn run_prints_a_summary_on_stderr_only() {
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("d.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "--as-of", "2026-11-01"], b"");
    assert!(ran.stderr.starts_with("3 customers, as of 2026-11-01\nstars\n  4-star"), "{}", ran.stderr);
    assert!(ran.stderr.contains("  oem "), "{}", ran.stderr);
    assert!(!ran.stdout.contains("customers"));
}

#[test]
fn reads_standard_input_json_and_ndjson() {
    let dir = folder(&[
        ("r.seg", RULES.as_bytes()),
        ("d.json", br#"[{"id": 7, "orders": 1, "identity": "OEM"}, {"id": "x", "inquiries": "2"}]"#),
        ("d.ndjson", b"{\"id\": \"a\", \"orders\": 0, \"inquiries\": 5}\n\n{\"id\": \"b\"}\n"),
    ]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "-", "-q"], DATA.as_bytes());
    assert_eq!(ran.stdout, "id,stars,tags\nC1,4-star,oem\nC2,2-star,\nC3,0-star,\n");
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.json", "-q", "--format", "ndjson"], b"");
    assert_eq!(
        ran.stdout,
        "{\"id\":7,\"stars\":\"4-star\",\"tags\":[\"oem\"]}\n{\"id\":\"x\",\"stars\":\"2-star\",\"tags\":[]}\n"
    );
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.ndjson", "-q", "--format", "json"], b"");
    assert_eq!(
        ran.stdout,
        "[\n  {\"id\":\"a\",\"stars\":\"2-star\",\"tags\":[]},\n  {\"id\":\"b\",\"stars\":\"0-star\",\"tags\":[]}\n]\n"
    );
}

#[test]
fn json_input_warns_only_of_keys_no_record_has() {
    let dir = folder(&[
        ("r.seg", RULES.as_bytes()),
        ("all.ndjson", b"{\"id\": \"a\", \"orders\": 0, \"inquiries\": 5, \"identity\": \"OEM\"}\n"),
        ("typo.ndjson", b"{\"id\": \"a\", \"orders\": 0, \"inquiries\": 5, \"identiti\": \"OEM\"}\n"),
    ]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "all.ndjson", "-q"], b"");
    assert_eq!((ran.code, ran.stderr.as_str()), (0, ""));
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "typo.ndjson", "-q"], b"");
    assert!(ran.stderr.contains("no record has the key `identity`"), "{}", ran.stderr);
    assert!(ran.stderr.contains("did you mean `identiti`?"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("orders") && !ran.stderr.contains("inquiries"), "{}", ran.stderr);
}

#[test]
fn json_output_has_null_for_no_segment() {
    let rules = "dimension region { segment \"NA\" when country in [\"US\"] }";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("d.csv", b"id,country\nC1,US\nC2,DE\n")]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q", "--format", "json"], b"");
    assert_eq!(ran.stdout, "[\n  {\"id\":\"C1\",\"region\":\"NA\"},\n  {\"id\":\"C2\",\"region\":null}\n]\n");
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q"], b"");
    assert_eq!(ran.stdout, "id,region\nC1,NA\nC2,\n");
}

#[test]
fn keep_columns_returns_the_spreadsheet_with_segments_added() {
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("d.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q", "--keep-columns"], b"");
    assert_eq!(
        ran.stdout,
        "id,orders,inquiries,identity,stars,tags\nC1,2,0,OEM,4-star,oem\nC2,0,3,retailer,2-star,\nC3,,1,,0-star,\n"
    );
}

#[test]
fn custom_id_column_keeps_its_name() {
    let dir =
        folder(&[("r.seg", RULES.as_bytes()), ("d.csv", b"cust,orders,inquiries,identity\nK9,1,0,x\n")]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q", "--id", "cust"], b"");
    assert_eq!(ran.stdout, "cust,stars,tags\nK9,4-star,\n");
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q", "--id", "custt"], b"");
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("no id column `custt`") && ran.stderr.contains("`--id cust`"),
        "{}",
        ran.stderr
    );
}

#[test]
fn parse_errors_show_file_line_column_and_a_caret() {
    let rules = "dimension stars {\n    segment \"a\" when orders = 1\n}\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("d.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv"], b"");
    assert_eq!(ran.code, 2);
    assert_eq!(ran.stdout, "");
    assert!(ran.stderr.contains("r.seg:2:29"), "{}", ran.stderr);
    assert!(ran.stderr.contains("2 │     segment \"a\" when orders = 1"), "{}", ran.stderr);
    assert!(ran.stderr.contains("^ found `=`"), "{}", ran.stderr);
    assert!(ran.stderr.contains("help: to compare, write `==`"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("op_") && !ran.stderr.contains("kw_"), "{}", ran.stderr);
}

#[test]
fn unknown_fields_suggest_the_header() {
    let rules = "segment \"a\" when inquries >= 2 and ordrs > 0";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("d.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv"], b"");
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("r.seg:1:18"), "{}", ran.stderr);
    assert!(ran.stderr.contains("did you mean `inquiries`?"), "{}", ran.stderr);
    assert!(ran.stderr.contains("did you mean `orders`?"), "{}", ran.stderr);
    assert_eq!(ran.stdout, "");
}

#[test]
fn type_conflicts_are_load_time_errors() {
    let rules = "segment \"a\" when orders >= 1\nsegment \"b\" when orders == \"many\"";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("d.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv"], b"");
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("r.seg:2:18"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("`orders` is used as text here, but as a number elsewhere"),
        "{}",
        ran.stderr
    );
}

#[test]
fn data_errors_name_row_column_and_value_and_the_run_goes_on() {
    let data = "id,orders,inquiries,identity\nC1,2,0,OEM\nC2,lots,3,retailer\nC3,1,x,\n";
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("d.csv", data.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q"], b"");
    assert_eq!(ran.code, 0);
    assert_eq!(ran.stdout, "id,stars,tags\nC1,4-star,oem\nC2,2-star,\nC3,4-star,\n");
    assert!(ran.stderr.contains("line 3, column `orders`: `lots` is not a number"), "{}", ran.stderr);
    assert!(ran.stderr.contains("line 4, column `inquiries`: `x` is not a number"), "{}", ran.stderr);
    assert!(ran.stderr.contains("2 data errors"), "{}", ran.stderr);
}

#[test]
fn strict_fails_with_exit_3_and_leaves_the_output_file_untouched() {
    let data = "id,orders,inquiries,identity\nC1,lots,0,OEM\n";
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("d.csv", data.as_bytes()), ("out.csv", b"precious")]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "--strict", "-o", "out.csv"], b"");
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert_eq!(std::fs::read(dir.path().join("out.csv")).unwrap(), b"precious");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn output_file_is_replaced_only_on_success() {
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("d.csv", DATA.as_bytes()), ("out.csv", b"old")]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q", "-o", "out.csv"], b"");
    assert_eq!(ran.code, 0);
    assert_eq!(ran.stdout, "");
    assert!(std::fs::read_to_string(dir.path().join("out.csv")).unwrap().starts_with("id,stars,tags\nC1,"));
    let ran = tradeseg_in(dir.path(), &["run", "broken.seg", "d.csv", "-q", "-o", "out.csv"], b"");
    assert_eq!(ran.code, 2);
    assert!(std::fs::read_to_string(dir.path().join("out.csv")).unwrap().starts_with("id,stars,tags\n"));
}

#[test]
fn gbk_and_bom_inputs_are_read_and_results_are_utf8() {
    let rules =
        "field 订单 = \"订单数\"\ndimension 星级 { segment \"4星\" when 订单 >= 1 otherwise \"0星\" }";
    let (gbk, _, _) = encoding_rs::GBK.encode("客户编号,订单数,公司\nKH1,\"1,200\",宁波贸易\nKH2,0,义乌\n");
    let bom = "\u{FEFF}客户编号,订单数\nKH1,3\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("gbk.csv", &gbk), ("bom.csv", bom.as_bytes())]);
    // Results of GBK data start with a byte-order mark, so that Excel opens them right.
    let expected = "\u{FEFF}客户编号,星级\nKH1,4星\nKH2,0星\n";
    for args in [&["--encoding", "auto"][..], &["--encoding", "gbk"][..]] {
        let mut all = vec!["run", "r.seg", "gbk.csv", "-q", "--id", "客户编号"];
        all.extend_from_slice(args);
        let ran = tradeseg_in(dir.path(), &all, b"");
        assert_eq!(ran.stdout, expected, "{}", ran.stderr);
    }
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "bom.csv", "-q", "--id", "客户编号", "--bom"], b"");
    assert_eq!(ran.stdout, "\u{FEFF}客户编号,星级\nKH1,4星\n");
}

#[test]
fn a_file_read_as_utf8_that_turns_out_gbk_is_run_again_from_the_start() {
    // ASCII for far more than the first chunks, then a GBK name: the run reads the file as
    // UTF-8 until that name, then starts over with the file judged GBK, and its output
    // file and plan hold each customer once, as reading it judged first gives them.
    let mut text = "id,name,orders\n".to_string();
    for n in 0..20_000 {
        text.push_str(&format!("C{n},Name {n},{}\n", n % 2));
    }
    text.push_str("C99999,宁波贸易,1\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let rules =
        "dimension stage { segment \"buyer\" when orders >= 1 then \"actions/t.rhai\" otherwise \"lead\" }\n";
    let dir = folder(&[
        ("r.seg", rules.as_bytes()),
        ("actions/t.rhai", b"task(#{ title: \"call \" + customer.name });\n"),
        ("d.csv", &gbk),
    ]);
    let base = ["run", "r.seg", "d.csv", "-q", "--as-of", "2026-11-01"];
    let to_files = [&base[..], &["-o", "out.csv", "--plan", "plan.csv"]].concat();
    let ran = tradeseg_in(dir.path(), &to_files, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    // Standard output cannot take back what it printed: it gets the file judged first.
    let judged = tradeseg_in(dir.path(), &base, b"");
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(out, judged.stdout);
    assert!(out.starts_with("\u{FEFF}id,stage\nC0,lead\nC1,buyer\n") && out.ends_with("C99999,buyer\n"));
    assert_eq!(out.lines().count(), 20_002);
    let plan = std::fs::read_to_string(dir.path().join("plan.csv")).unwrap();
    assert_eq!(plan.lines().count(), 1 + 10_001);
    assert!(
        plan.starts_with("customer,dimension,segment,script,title,due,priority,owner,channel,message\nC1,")
    );
    assert!(plan.ends_with("\nC99999,stage,buyer,actions/t.rhai,call 宁波贸易,,,,,\n"), "{plan}");
}

#[test]
fn result_fields_are_quoted_only_where_csv_needs_it() {
    let rules =
        "dimension d { segment \"big, new\" when n >= 10\n segment \"say \\\"hi\\\"\" when n >= 5 }\n\
                 segment \"vip\" when n >= 1\nsegment \"a;b\" when n >= 2\n";
    let quoted = format!("{rules}segment \"x,y\" when n >= 3\n");
    let data = "id,n\nC1,12\nC2,6\nC3,2\nC4,\n";
    let dir = folder(&[
        ("plain.seg", rules.as_bytes()),
        ("quoted.seg", quoted.as_bytes()),
        ("d.csv", data.as_bytes()),
    ]);
    let ran = tradeseg_in(dir.path(), &["run", "plain.seg", "d.csv", "-q"], b"");
    assert_eq!(
        ran.stdout, "id,d,tags\nC1,\"big, new\",vip;a;b\nC2,\"say \"\"hi\"\"\",vip;a;b\nC3,,vip;a;b\nC4,,\n",
        "{}",
        ran.stderr
    );
    let ran = tradeseg_in(dir.path(), &["run", "quoted.seg", "d.csv", "-q"], b"");
    assert_eq!(ran.stdout, "id,d,tags\nC1,\"big, new\",\"vip;a;b;x,y\"\nC2,\"say \"\"hi\"\"\",\"vip;a;b;x,y\"\nC3,,vip;a;b\nC4,,\n", "{}", ran.stderr);
}

#[test]
fn include_cycles_and_missing_files_name_the_include() {
    let dir = folder(&[
        ("a.seg", b"include \"b.seg\"\n"),
        ("b.seg", b"let x = 1\ninclude \"a.seg\"\n"),
        ("c.seg", b"\ninclude \"nope.seg\"\n"),
        ("d.csv", DATA.as_bytes()),
    ]);
    let ran = tradeseg_in(dir.path(), &["check", "a.seg"], b"");
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("b.seg:2:1") && ran.stderr.contains("includes itself"), "{}", ran.stderr);
    let ran = tradeseg_in(dir.path(), &["check", "c.seg"], b"");
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("c.seg:2:9") && ran.stderr.contains("cannot read included file `nope.seg`"),
        "{}",
        ran.stderr
    );
}

#[test]
fn check_reports_every_error_at_once() {
    let rules =
        "segment \"a\" when x + \"1\" > 2\nsegment \"b\" when dayz_since(y) > 1\nsegment \"c\" when 5\n";
    let dir = folder(&[("r.seg", rules.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["check", "r.seg"], b"");
    assert_eq!(ran.code, 2);
    assert_eq!(ran.stderr.matches("error[").count(), 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("did you mean `days_since`?"), "{}", ran.stderr);
    assert!(ran.stderr.contains("3 errors in the ruleset"), "{}", ran.stderr);
}

#[test]
fn table_format_lays_out_columns() {
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("d.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q", "--format", "table"], b"");
    assert!(ran.stdout.contains("│ C1 ┆ 4-star ┆ oem  │"), "{}", ran.stdout);
}

#[test]
fn rows_of_the_wrong_width_and_bad_json_lines_are_data_errors() {
    let dir = folder(&[
        ("r.seg", RULES.as_bytes()),
        ("d.csv", b"id,orders,inquiries,identity\nC1,1\nC2,0,3,x,extra\n"),
        ("d.ndjson", b"{\"id\": \"a\", \"orders\": 1}\nnot json\n[1]\n"),
        ("bad.json", b"[{\"id\": 1}, {\"id\": "),
        ("d.json", b"[\n  {\"id\": \"a\", \"orders\": 1},\n  {\"id\": \"b\",\n   \"orders\": 1,},\n  {\"id\": \"c\", \"orders\": \"x\"},\n  7\n]\n"),
    ]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q"], b"");
    assert_eq!(ran.code, 0);
    assert_eq!(ran.stdout, "id,stars,tags\nC1,4-star,\nC2,2-star,\n");
    assert!(ran.stderr.contains("line 2: this row has 2 cells, the header has 4"), "{}", ran.stderr);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.ndjson", "-q"], b"");
    assert_eq!(ran.code, 0);
    assert!(ran.stderr.contains("line 2: this line is not JSON"), "{}", ran.stderr);
    assert!(ran.stderr.contains("line 3: this record is not a JSON object"), "{}", ran.stderr);
    // In an array, a broken element costs its record only, and names the file's line.
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.json", "-q"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,stars,tags\na,4-star,\nc,0-star,\n");
    assert!(
        ran.stderr.contains("record 2: this record (line 4) is not JSON: trailing comma"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("record 3, column `orders`: `x` is not a number"), "{}", ran.stderr);
    assert!(ran.stderr.contains("record 4: this record is not a JSON object"), "{}", ran.stderr);
    // So in objects one after another (NDJSON written to a `.json` file, say).
    std::fs::write(
        dir.path().join("objects.json"),
        "{\"id\": \"a\", \"orders\": 1}\n{\"id\": \"b\",}\n{\"id\": \"c\"}",
    )
    .unwrap();
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "objects.json", "-q"], b"");
    assert_eq!(
        (ran.code, ran.stdout.as_str()),
        (0, "id,stars,tags\na,4-star,\nc,0-star,\n"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("record 2: this record (line 2) is not JSON: trailing comma"),
        "{}",
        ran.stderr
    );
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "bad.json", "-q", "-o", "out.csv"], b"");
    assert_eq!(ran.code, 3);
    assert!(ran.stderr.contains("the JSON data is malformed at line 1"), "{}", ran.stderr);
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn bad_command_lines_exit_2() {
    assert_eq!(tradeseg(&["run"]).code, 2);
    assert_eq!(tradeseg(&["run", "rulesets/region.seg", "nope.csv"]).code, 2);
    let ran =
        tradeseg(&["run", "rulesets/region.seg", "examples/data/customers.csv", "--as-of", "2026-13-01"]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("is not a date"), "{}", ran.stderr);
}

#[test]
fn empty_inputs_give_a_header_or_a_clear_error() {
    let dir = folder(&[
        ("r.seg", RULES.as_bytes()),
        ("empty.csv", b""),
        ("h.csv", b"id,orders,inquiries,identity\n"),
    ]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "empty.csv"], b"");
    assert_eq!(ran.code, 3);
    assert!(ran.stderr.contains("the data is empty"), "{}", ran.stderr);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "h.csv", "-q"], b"");
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "id,stars,tags\n"));
}

#[test]
fn line_numbers_count_blank_lines_and_crlf() {
    let rules = "dimension s { segment \"a\" when orders >= 1 }";
    let dir = folder(&[
        ("r.seg", rules.as_bytes()),
        ("lf.csv", b"id,orders\nC1,1\n\nC2,x\nC3,y\n"),
        ("crlf.csv", b"id,orders\r\nC1,1\r\n\r\nC2,x\r\n\"C\n3\",y\r\nC4,z\r\n"),
    ]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "lf.csv", "-q"], b"");
    assert!(ran.stderr.contains("line 4, column `orders`: `x`"), "{}", ran.stderr);
    assert!(ran.stderr.contains("line 5, column `orders`: `y`"), "{}", ran.stderr);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "crlf.csv", "-q"], b"");
    assert!(ran.stderr.contains("line 4, column `orders`: `x`"), "{}", ran.stderr);
    assert!(ran.stderr.contains("line 5, column `orders`: `y`"), "{}", ran.stderr);
    assert!(ran.stderr.contains("line 7, column `orders`: `z`"), "{}", ran.stderr);
}

#[test]
fn the_bundled_rulesets_pass_their_own_tests() {
    let ran = tradeseg(&["test", "rulesets/"]);
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.ends_with(" passed, 0 failed\n"), "{}", ran.stdout);
    assert!(ran.stdout.contains("ok   rulesets/chinese_headers.snap.csv"), "{}", ran.stdout);
}

#[test]
fn test_reports_failures_with_place_expected_and_actual() {
    let rules = r#"
dimension stars { segment "4-star" when orders >= 1  otherwise "0-star" }
segment "oem" when identity == "OEM"
test "an order is 4-star" {
    given { orders: 0 }
    expect stars == "4-star"
    expect tagged "oem"
    expect starz == "x"
}
test "fine" {
    given { orders: 2, identity: "OEM" }
    expect stars == "4-star"
    expect tagged "oem"
}
"#;
    let dir = folder(&[("r.seg", rules.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["test", "r.seg"], b"");
    assert_eq!(ran.code, 1);
    assert!(ran.stdout.contains("FAIL r.seg:4 \"an order is 4-star\""), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("r.seg:6: expected stars == \"4-star\", the rules gave \"0-star\""),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("r.seg:7: expected tagged \"oem\", the tags were []"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("r.seg:8: no dimension is named `starz` (did you mean `stars`?)"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("ok   r.seg:10 \"fine\""), "{}", ran.stdout);
    assert!(ran.stdout.ends_with("1 passed, 1 failed\n"), "{}", ran.stdout);
}

#[test]
fn snapshots_show_who_moved_and_accept_stores_them() {
    let rules = "# sample-data: d.csv\n# sample-as-of: 2026-11-01\ndimension stars { segment \"4-star\" when orders >= 1 otherwise \"0-star\" }\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("d.csv", b"id,orders\nC1,1\nC2,0\nC3,2\n")]);
    let ran = tradeseg_in(dir.path(), &["test", "r.seg"], b"");
    assert_eq!(ran.code, 1);
    assert!(ran.stdout.contains("no snapshot yet"), "{}", ran.stdout);
    let ran = tradeseg_in(dir.path(), &["test", "r.seg", "--accept"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("r.snap.csv")).unwrap(),
        "id,stars\nC1,4-star\nC2,0-star\nC3,4-star\n"
    );
    std::fs::write(dir.path().join("r.seg"), rules.replace(">= 1", ">= 2")).unwrap();
    let ran = tradeseg_in(dir.path(), &["test", "."], b"");
    assert_eq!(ran.code, 1);
    assert!(ran.stdout.contains("stars: \"4-star\" → \"0-star\": 1 customer (C1)"), "{}", ran.stdout);
}

#[test]
fn explain_shows_each_part_and_the_winner() {
    let rules = r#"
let no_orders = orders == 0
dimension stars {
    segment "4-star" when orders >= 1
    segment "2-star" when inquiries >= 2 and no_orders
    segment "1-star" when inquiries >= 1
    otherwise "0-star"
}
segment "dormant" when days_since(last_order) > 365
"#;
    let data = "id,orders,inquiries,last_order\nC1,0,3,2024-01-01\nC2,,3,\n";
    let dir = folder(&[
        ("r.seg", rules.as_bytes()),
        ("d.csv", data.as_bytes()),
        ("d.json", br#"[{"id": 5, "orders": 2}]"#),
    ]);
    let args = ["explain", "r.seg", "d.csv", "--customer", "C2", "--as-of", "2026-11-01"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("customer C2 (line 3), as of 2026-11-01"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("? \"4-star\" when orders >= 1 → unknown (orders is missing)"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("inquiries >= 2 → true (inquiries = 3)"), "{}", ran.stdout);
    assert!(ran.stdout.contains("no_orders → unknown (orders is missing)"), "{}", ran.stdout);
    assert!(ran.stdout.contains("✓ \"1-star\" when inquiries >= 1 → true (inquiries = 3)"), "{}", ran.stdout);
    assert!(ran.stdout.contains("→ \"1-star\"\n"), "{}", ran.stdout);
    let ran = tradeseg_in(
        dir.path(),
        &["explain", "r.seg", "d.csv", "--customer", "C1", "--as-of", "2026-11-01", "--format", "json"],
        b"",
    );
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(json["dimensions"][0]["segment"], "2-star");
    assert_eq!(json["tags"][0]["result"], true);
    let ran = tradeseg_in(dir.path(), &["explain", "r.seg", "d.json", "--customer", "5"], b"");
    assert!(ran.stdout.contains("→ \"4-star\""), "{}", ran.stdout);
    std::fs::write(
        dir.path().join("d.ndjson"),
        "{\"id\": \"A\", \"orders\": 0}\n{\"id\": \"B\", \"orders\": 3}\n",
    )
    .unwrap();
    let ran = tradeseg_in(dir.path(), &["explain", "r.seg", "d.ndjson", "--customer", "B"], b"");
    assert!(
        ran.stdout.contains("customer B (record 2)") && ran.stdout.contains("→ \"4-star\""),
        "{}",
        ran.stdout
    );
    // Records that are not JSON are passed over, as a run reports them and goes on.
    std::fs::write(dir.path().join("broken.json"), "[\n {\"id\": 1,},\n {\"id\": 2, \"orders\": 1}\n]")
        .unwrap();
    std::fs::write(dir.path().join("broken.ndjson"), "not json\n{\"id\": 2, \"orders\": 1}\n").unwrap();
    for file in ["broken.json", "broken.ndjson"] {
        let ran = tradeseg_in(dir.path(), &["explain", "r.seg", file, "--customer", "2"], b"");
        assert!(
            ran.stdout.contains("customer 2 (record 2)") && ran.stdout.contains("→ \"4-star\""),
            "{}",
            ran.stdout
        );
    }
    let ran = tradeseg_in(dir.path(), &["explain", "r.seg", "d.csv", "--customer", "C9"], b"");
    assert_eq!(ran.code, 3);
    assert!(ran.stderr.contains("no customer has id `C9`"), "{}", ran.stderr);
}

#[test]
fn check_with_data_counts_segments_and_missing_values() {
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("d.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["check", "r.seg", "--data", "d.csv", "--as-of", "2026-11-01"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stderr.contains("3 customers, as of 2026-11-01"), "{}", ran.stderr);
    assert!(ran.stderr.contains("missing values per field\n  identity             1   33.3%\n  orders               1   33.3%\n  inquiries            0    0.0%\n"), "{}", ran.stderr);
    assert_eq!(ran.stdout, "");
}

#[test]
fn a_closed_pipe_ends_output_quietly_without_a_panic() {
    use std::io::Read;
    for args in
        [&["test", "rulesets/"][..], &["run", "rulesets/export_sales.seg", "examples/data/customers.csv"][..]]
    {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tradeseg"))
            .args(args)
            .current_dir(crate::common::root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starts");
        let mut first = [0u8; 1];
        child.stdout.take().expect("piped").read_exact(&mut first).expect("some output");
        // The reading end is now closed, as `| head -c1` would.
        let output = child.wait_with_output().expect("finishes");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(output.status.code(), Some(101), "{args:?}");
    }
}

#[test]
fn events_reach_customers_from_every_input_format() {
    let rules =
        "events orders\ndimension d { segment \"buyer\" when count(orders) >= 2  otherwise \"other\" }\n";
    let dir = folder(&[
        ("r.seg", rules.as_bytes()),
        ("c.csv", b"id,name\nC1,a\nC2,b\n"),
        ("c.json", br#"[{"id": "C1"}, {"id": "C2"}]"#),
        ("c.ndjson", b"{\"id\": \"C1\"}\n{\"id\": \"C2\"}\n"),
        ("o.ndjson", b"{\"customer_id\": \"C1\", \"date\": \"2026-01-01\"}\n{\"customer_id\": \"C1\", \"date\": \"2026-02-01\"}\n{\"customer_id\": \"C2\", \"date\": \"2026-02-01\"}\n"),
    ]);
    for customers in ["c.csv", "c.json", "c.ndjson"] {
        let args = ["run", "r.seg", customers, "--events", "orders=o.ndjson", "--as-of", "2026-11-01", "-q"];
        let ran = tradeseg_in(dir.path(), &args, b"");
        assert_eq!(ran.code, 0, "{customers}: {}", ran.stderr);
        assert_eq!(ran.stdout, "id,d\nC1,buyer\nC2,other\n", "{customers}");
    }
    // Events as a JSON array, and as objects one after another (one of them an array of
    // events); a record that is not JSON is an event in error, the others still count.
    let array = r#"[{"customer_id": "C1", "date": "2026-01-01"}, {"customer_id": "C1",}, {"customer_id": "C1", "date": "2026-02-01"}]"#;
    let stream = "{\"customer_id\": \"C1\", \"date\": \"2026-01-01\"}\n[{\"customer_id\": \"C1\", \"date\": \"2026-02-01\"}]\n{oops}\n";
    std::fs::write(dir.path().join("o.json"), array).unwrap();
    std::fs::write(dir.path().join("s.json"), stream).unwrap();
    for events in ["orders=o.json", "orders=s.json"] {
        let args = ["run", "r.seg", "c.csv", "--events", events, "--as-of", "2026-11-01", "-q"];
        let ran = tradeseg_in(dir.path(), &args, b"");
        assert_eq!(
            (ran.code, ran.stdout.as_str()),
            (0, "id,d\nC1,buyer\nC2,other\n"),
            "{events}: {}",
            ran.stderr
        );
        assert!(ran.stderr.contains("this event is not JSON"), "{events}: {}", ran.stderr);
    }
}

#[test]
fn bad_events_are_reported_with_line_and_column_and_fail_only_under_strict() {
    let rules = "events orders\nsegment \"buyer\" when sum(orders.amount) > 0\n";
    let events = "customer_id,date,amount\nC1,2026-01-01,5\nC1,2026-02-30,5\nC1,2026-03-01,lots\nC1,2026-04-01\nC9,2026-01-01,5\nC1,\"2026-05-01,5\nC1,2026-06-01,7\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("c.csv", b"id\nC1\n"), ("o.csv", events.as_bytes())]);
    let args = ["run", "r.seg", "c.csv", "--events", "orders=o.csv", "--as-of", "2026-11-01", "-q"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,tags\nC1,buyer\n");
    assert!(ran.stderr.contains("line 3, column `date`: `2026-02-30` is not a date"), "{}", ran.stderr);
    assert!(ran.stderr.contains("line 4, column `amount`: `lots` is not a number"), "{}", ran.stderr);
    assert!(ran.stderr.contains("line 5: this row has 2 cells, the header has 3"), "{}", ran.stderr);
    assert!(ran.stderr.contains("line 7, column `date`: `\"2026-05-01` opens a quote"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("`orders`: 1 event of 1 customer id not in the customer data, not counted (C9)"),
        "{}",
        ran.stderr
    );
    let mut strict = args.to_vec();
    strict.extend(["--strict", "-o", "out.csv"]);
    let ran = tradeseg_in(dir.path(), &strict, b"");
    assert_eq!(ran.code, 3);
    assert!(!dir.path().join("out.csv").exists());
    let ran = tradeseg_in(
        dir.path(),
        &["run", "r.seg", "c.csv", "--events", "orders=o.csv", "--event-date", "dates"],
        b"",
    );
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("have no column `dates`") && ran.stderr.contains("did you mean `date`?"),
        "{}",
        ran.stderr
    );
}

/// Events read on several threads give what one thread gives: the same aggregates for
/// every customer, the same bad events with the same line numbers and event numbers, over
/// an events file of many chunks with bad rows in several of them.
#[test]
fn events_read_on_every_core_give_what_one_thread_gives() {
    let rules = "events orders\n\
        dimension d {\n\
            segment \"big\" when sum(orders.amount) > 40000 and count(orders) > 50\n\
            segment \"recent\" when last(orders.date) >= 2026-10-01\n\
            segment \"steady\" when avg(orders.amount) >= 400 and avg(orders.amount) <= 600\n\
            otherwise \"other\"\n\
        }\n\
        segment \"large order\" when max(orders.amount) >= 990 and min(orders.amount) < 20\n";
    let mut customers = String::from("id\n");
    for c in 0..3000 {
        customers.push_str(&format!("C{c}\n"));
    }
    // About 7 MB: many 1 MB chunks; a bad row every 25,000 lines.
    let mut events = String::from("customer_id,date,amount\n");
    let mut state = 7_u64;
    for n in 0..300_000_u64 {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let customer = (state >> 33) % 3100;
        let day = 1 + (state >> 20) % 28;
        let month = 1 + (state >> 40) % 11;
        let amount = (state >> 12) % 1000;
        match n % 25_000 {
            7 => events.push_str(&format!("C{customer},2026-02-30,{amount}\n")),
            9 => events.push_str(&format!("C{customer},2026-{month:02}-{day:02},lots\n")),
            _ => events.push_str(&format!("C{customer},2026-{month:02}-{day:02},{amount}.5\n")),
        }
    }
    let dir =
        folder(&[("r.seg", rules.as_bytes()), ("c.csv", customers.as_bytes()), ("o.csv", events.as_bytes())]);
    let run = |threads: &str| {
        let args = [
            "run",
            "r.seg",
            "c.csv",
            "--events",
            "orders=o.csv",
            "--as-of",
            "2026-11-01",
            "--threads",
            threads,
        ];
        let ran = tradeseg_in(dir.path(), &args, b"");
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        ran
    };
    let one = run("1");
    assert!(one.stderr.contains("line 25009, column `date`: `2026-02-30` is not a date"), "{}", one.stderr);
    assert!(one.stderr.contains("line 100011, column `amount`: `lots` is not a number"), "{}", one.stderr);
    assert!(one.stdout.contains(",big,") && one.stdout.contains(",steady,"), "{}", one.stdout);
    for threads in ["2", "3"] {
        let many = run(threads);
        assert_eq!(one.stdout, many.stdout, "{threads} threads");
        assert_eq!(one.stderr, many.stderr, "{threads} threads");
    }
}

#[test]
fn output_to_a_pipe_or_through_a_link_writes_there_and_replaces_nothing_else() {
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("d.csv", DATA.as_bytes()), ("real.csv", b"old")]);
    // A named pipe stands for devices like /dev/null: it must stay a pipe, not become a file.
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        use std::io::Read;
        // Holding the pipe open for reading and writing lets tradeseg open it without
        // blocking; its rows then wait in the pipe for us.
        let mut pipe = std::fs::OpenOptions::new().read(true).write(true).open(&fifo).unwrap();
        let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q", "-o", "pipe"], b"");
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(!std::fs::metadata(&fifo).unwrap().is_file(), "the pipe was replaced by a file");
        let mut buf = [0u8; 4096];
        let n = pipe.read(&mut buf).unwrap();
        assert!(buf[..n].starts_with(b"id,stars,tags\n"));
    }
    std::os::unix::fs::symlink(dir.path().join("real.csv"), dir.path().join("link.csv")).unwrap();
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "-q", "-o", "link.csv"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(std::fs::symlink_metadata(dir.path().join("link.csv")).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(dir.path().join("real.csv")).unwrap().starts_with("id,stars,tags\n"));
}

#[test]
fn output_files_get_the_permissions_of_any_new_file_and_a_replaced_file_keeps_its_own() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("d.csv", DATA.as_bytes()), ("kept.csv", b"old")]);
    let mode = |name: &str| std::fs::metadata(dir.path().join(name)).unwrap().permissions().mode() & 0o777;
    std::fs::set_permissions(dir.path().join("kept.csv"), std::fs::Permissions::from_mode(0o640)).unwrap();
    for name in ["new.csv", "kept.csv"] {
        // Under a known umask, as a shell user would run it.
        let command = format!("umask 022 && exec \"$0\" run r.seg d.csv -q -o {name}");
        let status = std::process::Command::new("sh")
            .args(["-c", &command, env!("CARGO_BIN_EXE_tradeseg")])
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
    assert_eq!(mode("new.csv"), 0o644, "a new file is readable by others, as with any tool");
    assert_eq!(mode("kept.csv"), 0o640, "a replaced file keeps its permissions");
    assert!(std::fs::read_to_string(dir.path().join("kept.csv")).unwrap().starts_with("id,stars,tags\n"));
}

#[test]
fn explain_shows_the_near_misses() {
    let rules = r#"
dimension stars {
    segment "4-star" when orders >= 1 and samples >= 1
    segment "2-star" when inquiries >= 2
    otherwise "0-star"
}
segment "dormant" when days_since(last_contact) > 90
segment "keen" when inquiries >= 5 or samples >= 2
"#;
    let data = "id,orders,samples,inquiries,last_contact\nC1,0,1,3,2026-08-10\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("d.csv", data.as_bytes())]);
    let args = ["explain", "r.seg", "d.csv", "--customer", "C1", "--as-of", "2026-11-01"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    // One comparison of two kept 4-star away; the customer goes dormant in 8 days (83 now).
    assert!(ran.stdout.contains("near miss: needs `orders >= 1`, has 0"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("near miss: in 8 days (`days_since(last_contact) > 90`: now 83)"),
        "{}",
        ran.stdout
    );
    // Either part of an `or` would do: no single comparison is the near miss.
    assert_eq!(ran.stdout.matches("near miss").count(), 2, "{}", ran.stdout);
    let json = tradeseg_in(dir.path(), &[&args[..], &["--format", "json"]].concat(), b"");
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["tags"][0]["near_miss"], "in 8 days (`days_since(last_contact) > 90`: now 83)");
}

#[test]
fn completions_and_the_manual_come_from_the_command_line_itself() {
    let ran = tradeseg(&["completions", "bash"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    for word in ["explain", "watch", "--keep-columns", "--sheet", "--decimal-comma"] {
        assert!(ran.stdout.contains(word), "{word} in the bash completions");
    }
    // The script is valid bash.
    let dir = folder(&[("tradeseg.bash", ran.stdout.as_bytes())]);
    let checked = std::process::Command::new("bash").arg("-n").arg(dir.path().join("tradeseg.bash")).status();
    assert!(checked.is_ok_and(|s| s.success()));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        assert_eq!(tradeseg(&["completions", shell]).code, 0, "{shell}");
    }
    let man = tradeseg(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(man.stdout.contains(".TH tradeseg 1") && man.stdout.contains("explain"), "{}", man.stdout);
}

#[test]
fn check_speaks_json_to_editors() {
    let broken = "segment \"a\" when orders >= 1 AND samples > 0\nsegment \"b\" when country <> \"CN\"\n";
    let fine = "field vip: bool\nsegment \"big\" when revnue >= 10\n";
    let dir = folder(&[
        ("broken.seg", broken.as_bytes()),
        ("fine.seg", fine.as_bytes()),
        ("d.csv", b"id,revenue\nC1,5\n"),
    ]);
    let ran = tradeseg_in(dir.path(), &["check", "broken.seg", "--format", "json"], b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(json["errors"], 2);
    let first = &json["diagnostics"][0];
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(1), Some(30)));
    assert_eq!((first["end_line"].as_u64(), first["end_column"].as_u64()), (Some(1), Some(33)));
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "broken.seg");
    assert!(first["help"][0].as_str().unwrap().contains("`and`"));
    assert_eq!(first["fix"], first["help"][0]);
    assert_eq!(first["code"], "syntax-expected");
    // With data: the binding's errors too; warnings alone exit 0.
    let ran = tradeseg_in(dir.path(), &["check", "fine.seg", "--data", "d.csv", "--format", "json"], b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let messages: Vec<&str> =
        json["diagnostics"].as_array().unwrap().iter().map(|d| d["message"].as_str().unwrap()).collect();
    assert!(messages.contains(&"no column `revnue` in the data"), "{messages:?}");
    assert!(messages.contains(&"field `vip` is declared but no rule reads it"), "{messages:?}");
    let ran = tradeseg_in(dir.path(), &["check", "fine.seg", "--format", "json"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stdout);
}

#[test]
fn fmt_rewrites_rulesets_in_one_layout_and_check_says_which() {
    let messy = "dimension d {\n  segment \"a\" when x ≥ 1\n        otherwise \"b\"\n}\n\n\n\nsegment \"t\" when （x == 2）   \n";
    let neat = "dimension d {\n    segment \"a\" when x >= 1\n    otherwise \"b\"\n}\n\nsegment \"t\" when (x == 2)\n";
    let dir = folder(&[
        ("rules/a.seg", messy.as_bytes()),
        ("rules/b.seg", neat.as_bytes()),
        ("bad.seg", b"segment \"x\" when\n"),
    ]);
    let ran = tradeseg_in(dir.path(), &["fmt", "--check", "rules"], b"");
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(ran.stdout.trim(), std::path::Path::new("rules").join("a.seg").display().to_string());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rules/a.seg")).unwrap(),
        messy,
        "--check changes nothing"
    );
    let ran = tradeseg_in(dir.path(), &["fmt", "rules"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("rules/a.seg")).unwrap(), neat);
    assert_eq!(tradeseg_in(dir.path(), &["fmt", "--check", "rules"], b"").code, 0);
    // A ruleset with errors is left as it is, with its errors shown.
    let ran = tradeseg_in(dir.path(), &["fmt", "bad.seg"], b"");
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("expected a value") && ran.stderr.contains("left as it is"),
        "{}",
        ran.stderr
    );
    assert_eq!(std::fs::read(dir.path().join("bad.seg")).unwrap(), b"segment \"x\" when\n");
}

#[test]
fn a_given_column_name_points_to_its_field() {
    let rules = "field inquiries = \"询盘次数\"\nsegment \"keen\" when inquiries >= 2\ntest \"t\" {\n  given { 询盘次数: 3 }\n  expect tagged \"keen\"\n}\n";
    let dir = folder(&[("g.seg", rules.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["test", "g.seg"], b"");
    assert_eq!(ran.code, 1);
    assert!(
        ran.stdout.contains("`询盘次数` is the column of the field `inquiries`: give the field's name"),
        "{}",
        ran.stdout
    );
}

#[test]
fn a_type_error_does_not_hide_an_unknown_column() {
    let rules = "segment \"a\" when orders >= 1\nsegment \"b\" when orders == \"x\"\nsegment \"c\" when inquries >= 2\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("d.csv", b"id,orders,inquiries\nC1,1,2\n")]);
    for command in [&["run", "r.seg", "d.csv"][..], &["check", "r.seg", "--data", "d.csv"][..]] {
        let ran = tradeseg_in(dir.path(), command, b"");
        assert_eq!(ran.code, 2, "{}", ran.stderr);
        assert!(ran.stderr.contains("`orders` is used as text here"), "{}", ran.stderr);
        assert!(ran.stderr.contains("no column `inquries` in the data"), "{}", ran.stderr);
        assert!(ran.stderr.contains("2 errors in the ruleset"), "{}", ran.stderr);
    }
}

#[test]
fn diff_shows_what_a_rule_change_would_do_and_what_changed_between_runs() {
    let old = "dimension stars {\n    segment \"4-star\" when orders >= 2\n    otherwise \"0-star\"\n}\nsegment \"keen\" when inquiries >= 3\n";
    let new = "dimension stars {\n    segment \"4-star\" when orders >= 1\n    otherwise \"0-star\"\n}\nsegment \"keen\" when inquiries >= 2\n";
    let data = "id,orders,inquiries\nC1,1,2\nC2,2,3\nC3,0,1\nC4,1,5\n";
    let dir = folder(&[("old.seg", old.as_bytes()), ("new.seg", new.as_bytes()), ("d.csv", data.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["diff", "old.seg", "new.seg", "d.csv"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "stars: 2 customers\n  0-star → 4-star  2  (C1, C4)\ntags:\n  keen  +1 (C1)\n");
    let ran = tradeseg_in(dir.path(), &["diff", "old.seg", "new.seg", "d.csv", "--format", "json"], b"");
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(json["moves"][0]["count"], 2);
    assert_eq!(json["tags"][0]["examples_gained"][0], "C1");
    // Two results files: a month apart.
    let october = "id,stars,tags\nC1,0-star,\nC2,4-star,keen\nC3,0-star,\n";
    let november = "id,stars,tags\nC1,4-star,keen\nC2,4-star,\nC5,0-star,\n";
    std::fs::write(dir.path().join("october.csv"), october).unwrap();
    std::fs::write(dir.path().join("november.csv"), november).unwrap();
    let ran = tradeseg_in(dir.path(), &["diff", "october.csv", "november.csv", "--format", "csv"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        ran.stdout,
        "dimension,from,to,customers,examples\nstars,0-star,4-star,1,C1\ntag:keen,,tagged,1,C1\ntag:keen,tagged,,1,C2\n"
    );
    // Rulesets need the data.
    assert_eq!(tradeseg_in(dir.path(), &["diff", "old.seg", "new.seg"], b"").code, 2);
}
