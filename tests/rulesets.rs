//! Every ruleset in rulesets/ over its sample data, as a snapshot: a changed rule shows up
//! as a reviewable diff of which customers land where. A ruleset runs on
//! examples/data/customers.csv unless its comments name other data:
//! `# sample-data: PATH` (relative to the ruleset) and `# sample-id: COLUMN`.

use std::path::Path;
use tradeseg::compile::CompileOptions;
use tradeseg::record::{encoding, InputFormat, Source};
use tradeseg::run::{OutputFormat, RunOptions};
use tradeseg::snapshot::directive;

fn segments_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("the ruleset reads");
    let folder = path.parent().expect("a folder");
    let data = match directive(&text, "sample-data") {
        Some(relative) => folder.join(relative),
        None => folder.join("../examples/data/customers.csv"),
    };
    let id = directive(&text, "sample-id").unwrap_or("id").to_string();
    let ruleset = tradeseg::load::Ruleset::load(path).expect("the ruleset loads");
    let checked = tradeseg::check::check(ruleset).expect("the ruleset checks");
    let opened =
        encoding::open(&Source::File(data.clone()), encoding::Encoding::Auto).expect("the data opens");
    let options = RunOptions {
        input_format: InputFormat::from_path(&data.to_string_lossy()),
        output_format: OutputFormat::Csv,
        delimiter: b',',
        keep_columns: false,
        bom: false,
        threads: 2,
        compile: CompileOptions {
            as_of: tradeseg::date::parse("2026-11-01").expect("a date"),
            id_column: id,
        },
    };
    let mut output = Vec::new();
    let report =
        tradeseg::run::run(&checked, opened.reader, &mut output, &options, None).expect("the run succeeds");
    let mut text = String::from_utf8(output).expect("UTF-8 results");
    for error in &report.data_errors {
        text.push_str(&format!("# data error: {error}\n"));
    }
    text
}

#[test]
fn rulesets_over_sample_data() {
    insta::glob!("../rulesets", "*.seg", |path| {
        insta::assert_snapshot!(segments_of(path));
    });
}
