//! Every ruleset in rulesets/ over the sample data its comments name (`# sample-data:`,
//! `# sample-as-of:`, `# sample-events:`), as a snapshot: a changed rule shows up as a
//! reviewable diff of which customers land where. The run is the one `tradeseg test`
//! makes ([`tradeseg::snapshot::run_sample`], scripts and events included), so a rule
//! author gets the same results from `tradeseg test` as this test does. Rulesets with
//! actions also snapshot the follow-up plan their scripts produce.

use std::path::Path;
use tradeseg::snapshot::{run_sample, sample, SampleRun};

/// The ruleset over its sample, with or without the sample's columns kept.
fn run_on_sample(path: &Path, keep_columns: bool) -> SampleRun {
    let text = std::fs::read_to_string(path).expect("the ruleset reads");
    let sample = sample(path, &text).expect("every bundled ruleset names its sample").expect("a sample");
    let ruleset = tradeseg::load::Ruleset::load(path).expect("the ruleset loads");
    let checked = tradeseg::check::check(ruleset).expect("the ruleset checks");
    run_sample(&checked, &sample, keep_columns).expect("the run succeeds")
}

/// The results, with the run's data, action and event errors below them.
fn shown(run: &SampleRun) -> String {
    let mut text = run.results.clone();
    for error in &run.report.data_errors {
        text.push_str(&format!("# data error: {error}\n"));
    }
    for error in &run.report.action_errors {
        text.push_str(&format!("# action error: {error}\n"));
    }
    for stream in &run.report.events {
        text.push_str(&format!(
            "# events {}: {} read, {} after the as-of date, {} bad, {} of customers not in the data\n",
            stream.stream, stream.events, stream.after_as_of, stream.error_count, stream.unknown_events
        ));
        for error in &stream.errors {
            text.push_str(&format!("# event error: {error}\n"));
        }
    }
    text
}

#[test]
fn rulesets_over_sample_data() {
    insta::glob!("../../rulesets", "*.seg", |path| {
        let run = run_on_sample(path, false);
        let results = shown(&run);
        insta::assert_snapshot!(results);
        if let Some(plan) = run.plan {
            insta::assert_snapshot!("plan", plan);
        }
    });
}

#[test]
fn no_bundled_ruleset_adds_a_column_its_sample_has() {
    insta::glob!("../../rulesets", "*.seg", |path| {
        let run = run_on_sample(path, true);
        let header: Vec<&str> = run.results.lines().next().expect("a header").split(',').collect();
        for (n, column) in header.iter().enumerate() {
            assert!(!header[..n].contains(column), "{}: `{column}` twice", path.display());
        }
    });
}
