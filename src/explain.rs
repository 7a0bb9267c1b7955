//! Why a customer landed where it did: for each dimension every segment tried in order,
//! its condition with each part's value (true, false, or unknown because a field is
//! missing), and which segment won; the same for tags. Plain data, serialisable for tools.

use crate::check::interpret::Interpreter;
use crate::check::interpret::Value as Seen;
use crate::check::typed::{CmpOp, Typed, TypedKind};
use crate::check::Checked;
use crate::compile::{compile, Schema};
use crate::decimal::Decimal;
use crate::diagnostic::RulesError;
use crate::eval::Evaluator;
use crate::events::{EventInput, History};
use crate::membership::Memberships;
use crate::messages::Arg;
use crate::msg;
use crate::record::batches::{Batch, BatchReader};
use crate::record::chunk::Chunker;
use crate::record::csv_records::CsvRecords;
use crate::record::json::{cell_text, json_chunker};
use crate::record::json_cells::{Cell, JsonCells, Wanted};
use crate::record::{InputError, InputFormat};
use crate::run::{RunError, RunOptions};
use serde::Serialize;
use serde_json::Value;
use std::io::Read;

pub use crate::check::interpret::Step;
pub use crate::check::tri::Tri;

/// The explanation of one customer's segments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub customer: String,
    /// Where the record is: `line 12` or `record 3`.
    pub found_at: String,
    pub as_of: String,
    pub dimensions: Vec<DimensionTrace>,
    pub tags: Vec<SegmentTrace>,
    /// Cells of this record that could not be read (they counted as missing).
    pub data_errors: Vec<String>,
    /// Where other records with the same id are (`line 40`): an id should be unique, and
    /// this explains the first.
    pub also_at: Vec<String>,
}

/// One dimension: the segments tried, and the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionTrace {
    pub name: String,
    pub title: Option<String>,
    /// The segments tried, in order, up to and including the winner.
    pub tried: Vec<SegmentTrace>,
    /// The segment the customer got, if any.
    pub segment: Option<String>,
    /// True when it came from `otherwise`.
    pub by_otherwise: bool,
    /// When an override pins the customer in this dimension: why and until when, and the
    /// segment the rules gave (`segment` is then the pinned one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<Pinned>,
}

/// An override that decided a dimension's segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pinned {
    pub reason: String,
    pub until: Option<String>,
    /// What the rules alone gave.
    pub by_rules: Option<String>,
}

impl Explanation {
    /// Applies the customer's overrides as a run does: an override that has not ended and
    /// names a dimension and segment the rules have decides that dimension, and says so.
    pub fn apply_overrides(
        &mut self,
        checked: &Checked,
        overrides: &crate::overrides::Overrides,
        as_of: crate::date::Day,
    ) {
        for pin in overrides.list.iter().filter(|p| p.id == self.customer) {
            if pin.until.is_some_and(|until| until < as_of) {
                continue;
            }
            let Some(rules) = checked.dimensions.iter().find(|d| d.name == pin.dimension) else { continue };
            let known = rules.segments.iter().any(|s| s.name == pin.segment)
                || rules.otherwise.as_ref().is_some_and(|o| o.name == pin.segment);
            let Some(dimension) =
                self.dimensions.iter_mut().find(|d| d.name == pin.dimension).filter(|_| known)
            else {
                continue;
            };
            let by_rules = dimension.segment.replace(pin.segment.clone());
            dimension.by_otherwise = false;
            dimension.pinned = Some(Pinned {
                reason: pin.reason.clone(),
                until: pin.until.map(crate::date::format),
                by_rules,
            });
        }
    }
}

/// One segment or tag and how its condition came out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentTrace {
    pub segment: String,
    /// `file:line` of the segment.
    pub at: String,
    pub result: Tri,
    pub condition: Step,
    /// For a segment that did not match: the one comparison that kept it from matching,
    /// and what it would take ("needs `orders >= 1`, has 0"; "in 23 days").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near_miss: Option<String>,
}

/// Explains the evaluator's current row.
pub fn explain_row(
    checked: &Checked,
    evaluator: &Evaluator,
    customer: &str,
    found_at: String,
) -> Explanation {
    let program = evaluator.program();
    let values = |slot| evaluator.row().value(slot);
    let interpreter = Interpreter::new(checked, &values, program.as_of);
    let trace = |segment: &crate::check::Segment| {
        let (value, condition) = interpreter.trace(&segment.condition);
        let (line, _) = checked.sources.line_column(segment.span);
        let result = value.truth();
        SegmentTrace {
            segment: segment.name.clone(),
            at: format!("{}:{line}", checked.sources.name(segment.span.file)),
            result,
            condition,
            near_miss: (result != Tri::True).then(|| near_miss(&interpreter, &segment.condition)).flatten(),
        }
    };
    let dimensions = checked
        .dimensions
        .iter()
        .map(|d| {
            let mut tried = Vec::new();
            for segment in &d.segments {
                let step = trace(segment);
                let won = step.result == Tri::True;
                tried.push(step);
                if won {
                    break;
                }
            }
            let winner = tried.last().filter(|s| s.result == Tri::True).map(|s| s.segment.clone());
            let by_otherwise = winner.is_none() && d.otherwise.is_some();
            DimensionTrace {
                name: d.name.clone(),
                title: d.title.clone(),
                tried,
                segment: winner.or_else(|| d.otherwise.as_ref().map(|o| o.name.clone())),
                by_otherwise,
                pinned: None,
            }
        })
        .collect();
    let data_errors = evaluator
        .errors()
        .iter()
        .map(|e| {
            msg!("explain-unreadable-cell", column = &program.slots[e.slot].column, value = &e.value)
                .to_string()
        })
        .collect();
    Explanation {
        customer: customer.to_string(),
        found_at,
        as_of: crate::date::format(program.as_of),
        dimensions,
        tags: checked.tags.iter().map(trace).collect(),
        data_errors,
        also_at: Vec::new(),
    }
}

/// What it would take for a condition that is not true to become true, when one
/// comparison alone stands in the way (with it true, the whole condition would be): for a
/// count of days, which grows by itself, how many days are left; in a condition of several
/// comparisons, the one that decided and the value it saw. (A condition of one comparison
/// shows its value already, and a missing value has no nearest change.)
fn near_miss(interpreter: &Interpreter, condition: &Typed) -> Option<String> {
    let mut leaves = Vec::new();
    comparisons(condition, &mut leaves);
    let several = leaves.len() > 1;
    let blocking: Vec<&Typed> = leaves
        .into_iter()
        .filter(|leaf| interpreter.eval(leaf).truth() != Tri::True)
        .filter(|leaf| with_true(interpreter, condition, leaf) == Tri::True)
        .collect();
    let [leaf] = blocking.as_slice() else { return None };
    let TypedKind::Compare(op, left, right) = &leaf.kind else { return None };
    let text = interpreter.sources.snippet(leaf.span);
    let (now, wanted) = (interpreter.eval(left), interpreter.eval(right));
    if let (TypedKind::DaysSince(_), Seen::Number(days), Seen::Number(limit)) = (&left.kind, &now, &wanted) {
        let wait = match op {
            CmpOp::Gt => Some(limit.checked_sub(*days)?.checked_add(Decimal::from_int(1))?),
            CmpOp::Ge => Some(limit.checked_sub(*days)?),
            _ => None,
        };
        if let Some(wait) = wait.filter(|w| *w > Decimal::ZERO) {
            let wait = match wait.to_string().parse::<i64>() {
                Ok(whole) => Arg::Count(whole),
                Err(_) => Arg::Text(wait.to_string()),
            };
            return Some(
                msg!("near-miss-days", days = wait, condition = text, now = days.to_string()).to_string(),
            );
        }
    }
    (several && now != Seen::Missing)
        .then(|| msg!("near-miss-needs", condition = text, has = now.show()).to_string())
}

/// The comparisons of a condition, through `and`, `or` and `not`.
fn comparisons<'t>(condition: &'t Typed, found: &mut Vec<&'t Typed>) {
    match &condition.kind {
        TypedKind::And(a, b) | TypedKind::Or(a, b) => {
            comparisons(a, found);
            comparisons(b, found);
        }
        TypedKind::Not(a) => comparisons(a, found),
        TypedKind::Compare(..) => found.push(condition),
        _ => {}
    }
}

/// The condition's truth with one of its comparisons taken as true.
fn with_true(interpreter: &Interpreter, e: &Typed, forced: &Typed) -> Tri {
    if std::ptr::eq(e, forced) {
        return Tri::True;
    }
    match &e.kind {
        TypedKind::And(a, b) => with_true(interpreter, a, forced).min(with_true(interpreter, b, forced)),
        TypedKind::Or(a, b) => with_true(interpreter, a, forced).max(with_true(interpreter, b, forced)),
        TypedKind::Not(a) => !with_true(interpreter, a, forced),
        _ => interpreter.eval(e).truth(),
    }
}

/// Reads the data until the customer with `id` and explains its segments; `None` when no
/// record has that id.
///
/// ```
/// use tradeseg::{CompileOptions, Ruleset, RunOptions};
///
/// let rules = "dimension stars {\n  segment \"4-star\" when orders >= 1\n  otherwise \"0-star\"\n}\n";
/// let checked = Ruleset::from_source("rules.seg", rules, ".")?.check()?;
/// let data = "id,orders\nC1,0\n";
/// let options = RunOptions::new(CompileOptions::new("2026-11-01")?);
/// let why = tradeseg::explain::find_and_explain(&checked, Box::new(data.as_bytes()), &options, &[], "C1")?
///     .expect("C1 is in the data");
/// assert_eq!(why.dimensions[0].segment.as_deref(), Some("0-star"));
/// assert_eq!(why.dimensions[0].tried[0].condition.text, "orders >= 1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn find_and_explain(
    checked: &Checked,
    input: Box<dyn Read + Send>,
    options: &RunOptions,
    events: &[EventInput],
    id: &str,
) -> Result<Option<Explanation>, RunError> {
    find_and_explain_with(checked, input, options, events, None, id)
}

/// [`find_and_explain`], with where customers were at the previous recorded run, for
/// rules that read it (`previous(…)`, `days_in(…)`).
pub fn find_and_explain_with(
    checked: &Checked,
    input: Box<dyn Read + Send>,
    options: &RunOptions,
    events: &[EventInput],
    memberships: Option<&Memberships>,
    id: &str,
) -> Result<Option<Explanation>, RunError> {
    let known = Known { events, memberships };
    match options.input_format {
        InputFormat::Csv => find_csv(checked, input, options, &known, id),
        format @ (InputFormat::Json | InputFormat::Ndjson) => {
            find_json(checked, input, format, options, &known, id)
        }
    }
}

/// What is known of customers besides their record: their events, and their places at
/// the previous run.
struct Known<'a> {
    events: &'a [EventInput],
    memberships: Option<&'a Memberships>,
}

/// The histories a customer's row is filled from.
struct Histories<'a> {
    events: Option<History>,
    memberships: Option<&'a Memberships>,
}

/// The history the program's aggregates need, if any.
fn history(program: &crate::compile::Program, events: &[EventInput]) -> Result<Option<History>, RunError> {
    match program.streams.is_empty() {
        true => Ok(None),
        false => History::read(program, events).map(Some),
    }
}

fn find_csv(
    checked: &Checked,
    input: Box<dyn Read + Send>,
    options: &RunOptions,
    known: &Known,
    id: &str,
) -> Result<Option<Explanation>, RunError> {
    // Read as a run reads it, so that lines are numbered alike (CRLF and lone-CR files too).
    let mut reader = BatchReader::new(input, options.input_format, options.delimiter, Default::default());
    let header = reader.header().map_err(RunError::Input)?.unwrap_or_default();
    let schema = Schema::from_header(&header);
    let (program, _) = compile(checked, &schema, &options.compile).map_err(|diagnostics| {
        RunError::Bind(RulesError { sources: checked.sources.clone(), diagnostics })
    })?;
    let Some(id_column) = program.id_column else { return Ok(None) };
    let histories = Histories { events: history(&program, known.events)?, memberships: known.memberships };
    let mut record = crate::record::Cells::new();
    let mut evaluator = Evaluator::new(&program);
    let mut found: Option<Explanation> = None;
    let feed = reader.into_feed().map_err(RunError::Input)?;
    while let Some((_, Batch::Csv(chunk))) = feed.next() {
        let mut records = CsvRecords::new(&chunk.data, options.delimiter);
        while let Some(chunk_line) = records.next_record(&mut record) {
            if record.get(id_column).map(|c| c.trim_ascii()) != Some(id.as_bytes()) {
                continue;
            }
            let line = chunk.first_line + chunk_line - 1;
            if let Some(found) = &mut found {
                found.also_at.push(format!("line {line}"));
                continue;
            }
            let cells: Vec<&str> = record.iter().map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
            evaluator.fill_columns(|i| cells.get(i).copied());
            found = Some(explain_filled(checked, &mut evaluator, &histories, id, format!("line {line}")));
        }
    }
    feed.error().map_or(Ok(found), |e| Err(RunError::Input(e)))
}

fn find_json(
    checked: &Checked,
    input: Box<dyn Read + Send>,
    format: InputFormat,
    options: &RunOptions,
    known: &Known,
    id: &str,
) -> Result<Option<Explanation>, RunError> {
    let schema = Schema { columns: Vec::new(), complete: false };
    let (program, _) = compile(checked, &schema, &options.compile).map_err(|diagnostics| {
        RunError::Bind(RulesError { sources: checked.sources.clone(), diagnostics })
    })?;
    let histories = Histories { events: history(&program, known.events)?, memberships: known.memberships };
    let mut evaluator = Evaluator::new(&program);
    let mut found: Option<Explanation> = None;
    // Only the record with the customer's id is read whole.
    let id_key = Wanted::new([], &program.id_name);
    let has_id = |text: &[u8]| {
        let mut cells = JsonCells::default();
        id_key.read(text, &mut cells).is_some() && Cell::id(cells.id.as_ref()) == id
    };
    each_json_record(input, format, &has_id, &mut |number, value| {
        // `has_id` let through only objects with the customer's id.
        let Value::Object(object) = value else { return true };
        let at = format!("record {number}");
        if let Some(found) = &mut found {
            found.also_at.push(at);
            return true;
        }
        let cells: Vec<(String, String)> = object.iter().map(|(k, v)| (k.clone(), cell_text(v))).collect();
        evaluator.fill_named(|column| cells.iter().find(|(k, _)| k == column).map(|(_, v)| v.as_str()));
        found = Some(explain_filled(checked, &mut evaluator, &histories, id, at));
        true
    })
    .map_err(RunError::Input)?;
    Ok(found)
}

/// Hands each JSON record to `visit` with its number, as a run numbers them, until `visit`
/// returns false: one chunk at a time, so the file is never held whole. Records that are
/// not JSON are passed over, as a run reports them and goes on, and so are those whose
/// text `wanted` turns down.
fn each_json_record(
    input: Box<dyn Read + Send>,
    format: InputFormat,
    wanted: &dyn Fn(&[u8]) -> bool,
    visit: &mut dyn FnMut(usize, Value) -> bool,
) -> Result<(), InputError> {
    let mut chunker = match format {
        InputFormat::Ndjson => Chunker::lines(input),
        _ => json_chunker(input).map_err(|error| InputError::Read { line: 1, error })?,
    };
    let mut number = 0;
    loop {
        let line = chunker.line();
        let Some(chunk) = chunker.next_chunk().map_err(|error| InputError::Read { line, error })? else {
            break;
        };
        for (record, _) in chunk.json_records(format == InputFormat::Ndjson) {
            let number = bump(&mut number);
            if !wanted(record) {
                continue;
            }
            if let Ok(value) = serde_json::from_slice(record) {
                if !visit(number, value) {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// Counts one more.
fn bump(count: &mut usize) -> usize {
    *count += 1;
    *count
}

/// Adds the customer's history to a filled row, evaluates it, and explains it.
fn explain_filled(
    checked: &Checked,
    evaluator: &mut Evaluator,
    histories: &Histories,
    id: &str,
    found_at: String,
) -> Explanation {
    if let Some(history) = &histories.events {
        history.fill(evaluator.program(), id, evaluator.row_mut());
    }
    if let Some(memberships) = histories.memberships {
        let program = evaluator.program();
        program.fill_places(memberships, id, evaluator.row_mut());
    }
    evaluator.evaluate_row();
    explain_row(checked, evaluator, id, found_at)
}
