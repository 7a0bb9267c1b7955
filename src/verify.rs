//! Running the `test` blocks of a ruleset: each builds one customer from its `given`
//! values, evaluates the rules as of the test's date, and compares with its `expect`
//! lines. Results are data; the CLI prints them.

use crate::check::suggest::closest;
use crate::check::Checked;
use crate::compile::{compile, CompileOptions, Program, Schema};
use crate::date::{self, Day};
use crate::eval::Outcome;
use crate::events::{EventInput, History};
use crate::record::Source;
use crate::source::Span;
use crate::syntax::ast::{Expectation, GivenValue, Name, TestBlock};

/// What one test block gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    /// The test's name as written.
    pub name: String,
    /// Where the test starts.
    pub span: Span,
    /// Each problem: where, and what went wrong. Empty when the test passed.
    pub failures: Vec<(Span, String)>,
}

impl TestResult {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every `test` block of a checked ruleset. `as_of` applies to tests without their own.
pub fn run_tests(checked: &Checked, as_of: Day) -> Vec<TestResult> {
    checked.tests.iter().map(|test| run_test(checked, test, as_of)).collect()
}

fn run_test(checked: &Checked, test: &TestBlock, default_as_of: Day) -> TestResult {
    let mut result = TestResult { name: test.name.text.clone(), span: test.span, failures: Vec::new() };
    let mut columns: Vec<&str> = vec!["id"];
    for field in &checked.fields {
        if !columns.contains(&field.column.as_str()) {
            columns.push(&field.column);
        }
    }
    let options = CompileOptions {
        as_of: test.as_of.map_or(default_as_of, |(day, _)| day),
        id_column: "id".into(),
        decimal_comma: false,
    };
    let program = match compile(checked, &Schema::from_header(&columns), &options) {
        Ok((program, _)) => program,
        Err(diagnostics) => {
            let message = diagnostics.first().map_or_else(String::new, |d| d.message.clone());
            result.failures.push((test.span, message));
            return result;
        }
    };
    let mut evaluator = program.evaluator();
    evaluator.begin();
    let history = match given_history(&program, test) {
        Ok(history) => history,
        Err(message) => {
            result.failures.push((test.span, message));
            return result;
        }
    };
    for (name, value) in &test.given {
        if program.streams.iter().any(|s| s.name == name.text) {
            continue; // the stream's events, read above
        }
        let Some(slot) = program.slots.iter().position(|s| s.field == name.text) else {
            result.failures.push(unknown_given(name, &program));
            continue;
        };
        match given_text(value) {
            Ok(text) => {
                evaluator.set(slot, &text);
                if !evaluator.errors().is_empty() {
                    let ty = program.slots[slot].ty.map_or("its type".to_string(), |t| t.to_string());
                    result
                        .failures
                        .push((name.span, format!("`{}` is given `{text}`, which is not {ty}", name.text)));
                    evaluator.begin();
                }
            }
            Err(message) => result.failures.push((name.span, message)),
        }
    }
    if let Some(history) = &history {
        history.fill(&program, GIVEN_ID, evaluator.row_mut());
    }
    let outcome = evaluator.evaluate_row().clone();
    for expectation in &test.expectations {
        if let Some(failure) = check_expectation(&program, &outcome, expectation) {
            result.failures.push(failure);
        }
    }
    result
}

/// The id the test's customer has in its given events.
const GIVEN_ID: &str = "given";

/// The event history a test gives: for each stream, `NAME: [ { date: …, col: … }, … ]`.
fn given_history(program: &Program, test: &TestBlock) -> Result<Option<History>, String> {
    if program.streams.is_empty() {
        return Ok(None);
    }
    let mut inputs = Vec::new();
    for stream in &program.streams {
        let rows: &[Vec<(Name, GivenValue)>] = test
            .given
            .iter()
            .find_map(|(name, value)| match value {
                GivenValue::Rows(rows, _) if name.text == stream.name => Some(rows.as_slice()),
                GivenValue::List(items, _) if name.text == stream.name && items.is_empty() => Some(&[][..]),
                _ => None,
            })
            .unwrap_or(&[]);
        // Every column the rules read is there; a value not given is missing.
        let mut columns: Vec<String> = vec!["date".into()];
        columns.extend(stream.slots.iter().map(|s| s.column.clone()).filter(|c| c != "date"));
        for row in rows {
            for (key, _) in row {
                if !columns.contains(&key.text) {
                    columns.push(key.text.clone());
                }
            }
        }
        let mut table = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["customer_id".to_string()];
        header.extend(columns.iter().cloned());
        table.write_record(&header).map_err(|e| e.to_string())?;
        for row in rows {
            let mut record = vec![GIVEN_ID.to_string()];
            for column in &columns {
                let value =
                    row.iter().find(|(k, _)| k.text == *column).map(|(_, v)| given_text(v)).transpose()?;
                record.push(value.unwrap_or_default());
            }
            table.write_record(&record).map_err(|e| e.to_string())?;
        }
        let text =
            String::from_utf8(table.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        let mut input = EventInput::file(&stream.name, "given.csv");
        input.source = Source::Text(text);
        inputs.push(input);
    }
    let history = History::read(program, &inputs).map_err(|e| match e {
        crate::run::RunError::Bind(e) => {
            e.diagnostics.first().map_or_else(String::new, |d| d.message.clone())
        }
        other => other.to_string(),
    })?;
    if let Some(error) = history.reports.iter().flat_map(|r| r.errors.first()).next() {
        return Err(format!("given events: {error}"));
    }
    Ok(Some(history))
}

fn unknown_given(name: &Name, program: &Program) -> (Span, String) {
    let mut message = format!("`{}` is given, but no rule reads it", name.text);
    // `given { 询盘次数: 3 }` where `field inquiries = "询盘次数"`: the column, not the field.
    let by_column = program.slots[..program.aggregate_base].iter().find(|s| s.column == name.text);
    if let Some(slot) = by_column {
        message.push_str(&format!(
            " (`{}` is the column of the field `{}`: give the field's name)",
            name.text, slot.field
        ));
    } else if let Some(near) = closest(&name.text, program.slots.iter().map(|s| s.field.as_str())) {
        message.push_str(&format!(" (did you mean `{near}`?)"));
    }
    (name.span, message)
}

/// A given value as the text a cell would hold.
fn given_text(value: &GivenValue) -> Result<String, String> {
    Ok(match value {
        GivenValue::Number(n, _) => n.clone(),
        GivenValue::Text(t, _) => t.clone(),
        GivenValue::Date(d, _) => date::format(*d),
        GivenValue::Bool(b, _) => b.to_string(),
        GivenValue::List(items, _) => items.iter().map(given_text).collect::<Result<Vec<_>, _>>()?.join(";"),
        GivenValue::Rows(..) => {
            return Err("event rows in `given` need event streams, which are not available yet".into())
        }
    })
}

fn check_expectation(
    program: &Program,
    outcome: &Outcome,
    expectation: &Expectation,
) -> Option<(Span, String)> {
    match expectation {
        Expectation::Segment { dimension, segment, span } => {
            let index = dimension_index(program, dimension).map_err(|m| (*span, m)).err();
            if index.is_some() {
                return index;
            }
            let d = program.dimensions.iter().position(|d| d.name == dimension.text)?;
            let got = program.segment_name(d, outcome);
            (got != Some(segment.text.as_str())).then(|| {
                (
                    *span,
                    format!(
                        "expected {} == {:?}, the rules gave {}",
                        dimension.text,
                        segment.text,
                        shown(got)
                    ),
                )
            })
        }
        Expectation::Missing { dimension, span } => {
            if let Err(message) = dimension_index(program, dimension) {
                return Some((*span, message));
            }
            let d = program.dimensions.iter().position(|d| d.name == dimension.text)?;
            let got = program.segment_name(d, outcome);
            got.map(|g| (*span, format!("expected {} is missing, the rules gave {:?}", dimension.text, g)))
        }
        Expectation::Tagged { tag, negated, span } => {
            if !program.tags.iter().any(|t| t.name == tag.text) {
                let mut message = format!("no tag is named {:?}", tag.text);
                if let Some(near) = closest(&tag.text, program.tags.iter().map(|t| t.name.as_str())) {
                    message.push_str(&format!(" (did you mean {near:?}?)"));
                }
                return Some((*span, message));
            }
            let tags: Vec<&str> = program.tag_names(outcome).collect();
            let has = tags.contains(&tag.text.as_str());
            (has == *negated).then(|| {
                let want = if *negated { "not tagged" } else { "tagged" };
                (*span, format!("expected {want} {:?}, the tags were {tags:?}", tag.text))
            })
        }
    }
}

fn dimension_index(program: &Program, dimension: &Name) -> Result<usize, String> {
    program.dimensions.iter().position(|d| d.name == dimension.text).ok_or_else(|| {
        let mut message = format!("no dimension is named `{}`", dimension.text);
        if let Some(near) = closest(&dimension.text, program.dimensions.iter().map(|d| d.name.as_str())) {
            message.push_str(&format!(" (did you mean `{near}`?)"));
        }
        message
    })
}

fn shown(segment: Option<&str>) -> String {
    segment.map_or_else(|| "no segment".to_string(), |s| format!("{s:?}"))
}
