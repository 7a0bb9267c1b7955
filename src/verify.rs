//! Running the `test` blocks of a ruleset: each builds one customer from its `given`
//! values, evaluates the rules as of the test's date, and compares with its `expect`
//! lines. Results are data; the CLI prints them.

use crate::check::suggest::closest;
use crate::check::Checked;
use crate::compile::{compile, CompileOptions, Program, Schema};
use crate::date::{self, Day};
use crate::eval::Outcome;
use crate::events::{EventInput, History};
use crate::messages::Message;
use crate::msg;
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
    pub failures: Vec<(Span, Message)>,
}

impl TestResult {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every `test` block of a checked ruleset. `as_of` applies to tests without their own.
///
/// ```
/// use tradeseg::Ruleset;
///
/// let rules = r#"
///     dimension stars { segment "4-star" when orders >= 1  otherwise "0-star" }
///     test "one order is four stars" {
///         given { orders: 1 }
///         expect stars == "4-star"
///     }
/// "#;
/// let checked = Ruleset::from_source("rules.seg", rules, ".")?.check()?;
/// let results = tradeseg::verify::run_tests(&checked, tradeseg::date::today());
/// assert!(results.iter().all(|test| test.passed()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
            let message =
                diagnostics.first().map_or_else(|| msg!("test-does-not-compile"), |d| d.message.clone());
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
                    let ty = program.slots[slot].ty.map_or_else(|| msg!("its-type"), |t| t.phrase());
                    result.failures.push((
                        name.span,
                        msg!("given-wrong-type", name = &name.text, value = &text, ty = ty),
                    ));
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
fn given_history(program: &Program, test: &TestBlock) -> Result<Option<History>, Message> {
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
        table.write_record(&header).map_err(given_events_failed)?;
        for row in rows {
            let mut record = vec![GIVEN_ID.to_string()];
            for column in &columns {
                let value =
                    row.iter().find(|(k, _)| k.text == *column).map(|(_, v)| given_text(v)).transpose()?;
                record.push(value.unwrap_or_default());
            }
            table.write_record(&record).map_err(given_events_failed)?;
        }
        let bytes = table.into_inner().map_err(given_events_failed)?;
        let text = String::from_utf8(bytes).map_err(given_events_failed)?;
        let mut input = EventInput::file(&stream.name, "given.csv");
        input.source = Source::Text(text);
        inputs.push(input);
    }
    let history = History::read(program, &inputs).map_err(|e| match e {
        crate::run::RunError::Bind(e) => {
            e.diagnostics.first().map_or_else(|| msg!("test-does-not-compile"), |d| d.message.clone())
        }
        other => given_events_failed(other),
    })?;
    if let Some(error) = history.reports.iter().flat_map(|r| r.errors.first()).next() {
        return Err(msg!("given-events-error", error = error.to_string()));
    }
    Ok(Some(history))
}

fn given_events_failed(error: impl std::fmt::Display) -> Message {
    msg!("given-events-error", error = error.to_string())
}

fn unknown_given(name: &Name, program: &Program) -> (Span, Message) {
    // `given { 询盘次数: 3 }` where `field inquiries = "询盘次数"`: the column, not the field.
    let by_column = program.slots[..program.aggregate_base].iter().find(|s| s.column == name.text);
    let message = if let Some(slot) = by_column {
        msg!("given-column-not-field", name = &name.text, field = &slot.field)
    } else if let Some(near) = closest(&name.text, program.slots.iter().map(|s| s.field.as_str())) {
        msg!("given-unread-near", name = &name.text, near = near)
    } else {
        msg!("given-unread", name = &name.text)
    };
    (name.span, message)
}

/// A given value as the text a cell would hold.
fn given_text(value: &GivenValue) -> Result<String, Message> {
    Ok(match value {
        GivenValue::Number(n, _) => n.clone(),
        GivenValue::Text(t, _) => t.clone(),
        GivenValue::Date(d, _) => date::format(*d),
        GivenValue::Bool(b, _) => b.to_string(),
        GivenValue::List(items, _) => items.iter().map(given_text).collect::<Result<Vec<_>, _>>()?.join(";"),
        GivenValue::Rows(..) => return Err(msg!("given-rows-need-streams")),
    })
}

fn check_expectation(
    program: &Program,
    outcome: &Outcome,
    expectation: &Expectation,
) -> Option<(Span, Message)> {
    match expectation {
        Expectation::Segment { dimension, segment, span } => {
            let index = dimension_index(program, dimension).map_err(|m| (*span, m)).err();
            if index.is_some() {
                return index;
            }
            let d = program.dimensions.iter().position(|d| d.name == dimension.text)?;
            let got = program.segment_name(d, outcome);
            (got != Some(segment.text.as_str())).then(|| {
                let expected = format!("{} == {:?}", dimension.text, segment.text);
                (*span, msg!("expected-segment", expected = expected, got = shown(got)))
            })
        }
        Expectation::Missing { dimension, span } => {
            if let Err(message) = dimension_index(program, dimension) {
                return Some((*span, message));
            }
            let d = program.dimensions.iter().position(|d| d.name == dimension.text)?;
            let got = program.segment_name(d, outcome);
            got.map(|g| (*span, msg!("expected-missing", dimension = &dimension.text, got = shown(Some(g)))))
        }
        Expectation::Tagged { tag, negated, span } => {
            if !program.tags.iter().any(|t| t.name == tag.text) {
                let message = match closest(&tag.text, program.tags.iter().map(|t| t.name.as_str())) {
                    Some(near) => msg!(
                        "no-tag-named-near",
                        name = format!("{:?}", tag.text),
                        near = format!("{near:?}")
                    ),
                    None => msg!("no-tag-named", name = format!("{:?}", tag.text)),
                };
                return Some((*span, message));
            }
            let tags: Vec<&str> = program.tag_names(outcome).collect();
            let has = tags.contains(&tag.text.as_str());
            (has == *negated).then(|| {
                let (tag, tags) = (format!("{:?}", tag.text), format!("{tags:?}"));
                let message = match negated {
                    true => msg!("expected-not-tagged", tag = tag, tags = tags),
                    false => msg!("expected-tagged", tag = tag, tags = tags),
                };
                (*span, message)
            })
        }
    }
}

fn dimension_index(program: &Program, dimension: &Name) -> Result<usize, Message> {
    program.dimensions.iter().position(|d| d.name == dimension.text).ok_or_else(|| {
        match closest(&dimension.text, program.dimensions.iter().map(|d| d.name.as_str())) {
            Some(near) => msg!("no-dimension-named-near", name = &dimension.text, near = near),
            None => msg!("no-dimension-named", name = &dimension.text),
        }
    })
}

fn shown(segment: Option<&str>) -> Message {
    match segment {
        Some(s) => msg!("quoted-segment", segment = format!("{s:?}")),
        None => msg!("no-segment"),
    }
}
