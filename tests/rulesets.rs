//! Every ruleset in rulesets/ over its sample data, as a snapshot: a changed rule shows up
//! as a reviewable diff of which customers land where. A ruleset runs on
//! examples/data/customers.csv unless its comments name other data:
//! `# sample-data: PATH` (relative to the ruleset) and `# sample-id: COLUMN`. Rulesets
//! with actions also snapshot the follow-up plan their scripts produce.

use std::path::Path;
use tradeseg::actions::PlanFormat;
use tradeseg::compile::CompileOptions;
use tradeseg::record::{encoding, InputFormat, Source};
use tradeseg::run::RunOptions;
use tradeseg::snapshot::directive;

/// The results, and the follow-up plan when the ruleset has actions.
fn segments_of(path: &Path) -> (String, Option<String>) {
    run_on_sample(path, false)
}

/// The ruleset over its sample, with or without the input's columns kept.
fn run_on_sample(path: &Path, keep_columns: bool) -> (String, Option<String>) {
    let text = std::fs::read_to_string(path).expect("the ruleset reads");
    let folder = path.parent().expect("a folder");
    let data = match directive(&text, "sample-data") {
        Some(relative) => folder.join(relative),
        None => folder.join("../examples/data/customers.csv"),
    };
    let id = directive(&text, "sample-id").unwrap_or("id").to_string();
    // `# sample-events: NAME=PATH` (relative to the ruleset), as often as there are streams.
    let events: Vec<tradeseg::events::EventInput> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix('#')?.trim().strip_prefix("sample-events:"))
        .filter_map(|spec| spec.trim().split_once('='))
        .map(|(name, file)| tradeseg::events::EventInput::file(name, &folder.join(file).to_string_lossy()))
        .collect();
    let ruleset = tradeseg::load::Ruleset::load(path).expect("the ruleset loads");
    let checked = tradeseg::check::check(ruleset).expect("the ruleset checks");
    let opened =
        encoding::open(&Source::File(data.clone()), encoding::Encoding::Auto).expect("the data opens");
    let options = RunOptions {
        input_format: InputFormat::from_path(&data.to_string_lossy()),
        threads: 2,
        keep_columns,
        ..RunOptions::new(CompileOptions {
            as_of: tradeseg::date::parse("2026-11-01").expect("a date"),
            id_column: id,
        })
    };
    let actions = tradeseg::actions::Actions::load(&checked).expect("the scripts compile");
    let (mut output, mut plan) = (Vec::new(), Vec::new());
    let sink = actions.as_ref().map(|_| (&mut plan as &mut dyn std::io::Write, PlanFormat::Csv));
    let extras = tradeseg::run::Extras { actions: actions.as_ref(), plan: sink, events: &events };
    let report = tradeseg::run::run_with(&checked, extras, opened.reader, &mut output, &options, None)
        .expect("the run succeeds");
    let mut text = String::from_utf8(output).expect("UTF-8 results");
    for error in &report.data_errors {
        text.push_str(&format!("# data error: {error}\n"));
    }
    for error in &report.action_errors {
        text.push_str(&format!("# action error: {error}\n"));
    }
    for stream in &report.events {
        text.push_str(&format!(
            "# events {}: {} read, {} after the as-of date, {} bad, {} of customers not in the data\n",
            stream.stream, stream.events, stream.after_as_of, stream.error_count, stream.unknown_events
        ));
        for error in &stream.errors {
            text.push_str(&format!("# event error: {error}\n"));
        }
    }
    (text, actions.map(|_| String::from_utf8(plan).expect("UTF-8 plan")))
}

#[test]
fn rulesets_over_sample_data() {
    insta::glob!("../rulesets", "*.seg", |path| {
        let (results, plan) = segments_of(path);
        insta::assert_snapshot!(results);
        if let Some(plan) = plan {
            insta::assert_snapshot!("plan", plan);
        }
    });
}

#[test]
fn no_bundled_ruleset_adds_a_column_its_sample_has() {
    insta::glob!("../rulesets", "*.seg", |path| {
        let (results, _) = run_on_sample(path, true);
        let header: Vec<&str> = results.lines().next().expect("a header").split(',').collect();
        for (n, column) in header.iter().enumerate() {
            assert!(!header[..n].contains(column), "{}: `{column}` twice", path.display());
        }
    });
}
