//! Messages in the rule author's language: `--lang`, the locale of the environment, and
//! the `explain` trace and run summary in English and Chinese as snapshots.

use crate::common::*;

/// `tradeseg explain` of the fixture's customer, in a language.
fn explained(lang: &str) -> String {
    let dir = root().join("tests/suite/fixtures/explain");
    let args = [
        "explain",
        "near_misses.seg",
        "near_misses.csv",
        "--customer",
        "C1",
        "--as-of",
        "2026-11-01",
        "--lang",
        lang,
    ];
    let ran = tradeseg_in(&dir, &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    ran.stdout
}

#[test]
fn explain_reads_as_its_snapshot_in_english() {
    insta::assert_snapshot!(explained("en"));
}

#[test]
fn explain_reads_as_its_snapshot_in_chinese() {
    insta::assert_snapshot!(explained("zh"));
}

#[test]
fn the_locale_chooses_the_language_and_lang_overrides_it() {
    let dir = folder(&[("r.seg", b"segment \"a\" when orders >= 1 AND x > 2\n")]);
    let check = ["check", "r.seg"];
    let chinese = tradeseg_with_env(dir.path(), &check, b"", &[("LANG", "zh_CN.UTF-8")]);
    assert_eq!(chinese.code, 2);
    assert!(chinese.stderr.contains("规则语言的关键字都是小写英文"), "{}", chinese.stderr);
    assert!(chinese.stderr.contains("规则集里有 1 个错误"), "{}", chinese.stderr);
    // LC_ALL wins over LANG, as the C library has it.
    let c = tradeseg_with_env(dir.path(), &check, b"", &[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "C")]);
    assert!(c.stderr.contains("1 error in the ruleset"), "{}", c.stderr);
    let english =
        tradeseg_with_env(dir.path(), &["check", "r.seg", "--lang", "en"], b"", &[("LANG", "zh_CN")]);
    assert!(
        english.stderr.contains("the language's words are in small English letters"),
        "{}",
        english.stderr
    );
    let bad = tradeseg_in(dir.path(), &["check", "r.seg", "--lang", "fr"], b"");
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("en or zh"), "{}", bad.stderr);
}

#[test]
fn a_run_summary_and_its_data_errors_read_in_chinese() {
    let rules = "dimension stars {\n  segment \"buyer\" when orders >= 1\n  otherwise \"new\"\n}\n";
    let data = "id,orders\nC1,2\nC2,three\nC3,0\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("d.csv", data.as_bytes())]);
    let ran =
        tradeseg_in(dir.path(), &["run", "r.seg", "d.csv", "--as-of", "2026-11-01", "--lang", "zh"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stderr.contains("数据错误：第 3 行，`orders` 列：`three` 不是数字"), "{}", ran.stderr);
    assert!(ran.stderr.contains("3 个客户，基准日期 2026-11-01"), "{}", ran.stderr);
    assert!(ran.stderr.contains("1 个数据错误"), "{}", ran.stderr);
    // The results are data, the same in every language.
    assert_eq!(ran.stdout, "id,stars\nC1,buyer\nC2,new\nC3,new\n");
}

#[test]
fn json_diagnostics_carry_a_code_that_is_the_same_in_every_language() {
    let dir = folder(&[("r.seg", b"segment \"a\" when sumif(x) > 1\n")]);
    let code = |lang: &str| {
        let ran = tradeseg_in(dir.path(), &["check", "r.seg", "--format", "json", "--lang", lang], b"");
        let value: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
        (value["diagnostics"][0]["code"].clone(), value["diagnostics"][0]["message"].clone())
    };
    let (en_code, en_message) = code("en");
    let (zh_code, zh_message) = code("zh");
    assert_eq!(en_code, "unknown-function");
    assert_eq!(zh_code, en_code);
    assert_eq!(en_message, "unknown function `sumif`");
    assert_eq!(zh_message, "没有名为 `sumif` 的函数");
}
