//! Actions: rhai scripts attached to segments (`segment "dormant" when … then
//! "actions/wake_up.rhai"`) that turn a customer's segments into a follow-up plan. Scripts
//! are read and compiled once, when the ruleset is loaded; a script that does not compile
//! stops the run before any customer is evaluated. At run time a script runs only for the
//! customers its segment receives, in a sandbox (see [`sandbox`]); an error stops that
//! script for that customer and is reported, and the run goes on.
//!
//! `on enter "…"` and `on leave "…"` scripts run only in the run in which a customer
//! enters or leaves the segment, as told by where it was at the previous recorded run
//! ([`Memberships`], from the membership history).

mod lifecycle;
mod names;
mod plan;
mod reads;
pub mod sandbox;
pub mod script_date;

pub use plan::{ActionError, PlanFormat, Planned, Task, PLAN_COLUMNS};

use crate::check::typed::Ty;
use crate::check::{ActionRef, Checked};
use crate::compile::Program;
use crate::date::{self, Day};
use crate::decimal::Decimal;
use crate::diagnostic::{Diagnostic, RulesError};
use crate::eval::Outcome;
use crate::membership::Memberships;
use crate::msg;
use crate::source::{Sources, Span};
use lifecycle::Call;
use names::ScriptNames;
use reads::CustomerReads;
use rhai::{ASTNode, Array, Caches, Dynamic, Engine, Expr, ImmutableString, Map, Scope, Stmt, AST};
use script_date::ScriptDate;
use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The compiled action scripts of a ruleset, and which segment runs which.
pub struct Actions {
    engine: Engine,
    scripts: Vec<Script>,
    /// Names of the fields scripts set with `set(…)`, in order of first appearance: the
    /// output gets a column for each.
    pub derived: Vec<String>,
    /// Per dimension, per segment (in [`crate::compile::CompiledDimension::names`] order).
    by_segment: Vec<Vec<Option<usize>>>,
    by_tag: Vec<Option<usize>>,
    /// Per dimension, per segment: its `on enter` and `on leave` scripts.
    on_enter: Vec<Vec<Option<usize>>>,
    on_leave: Vec<Vec<Option<usize>>>,
    /// Where customers were at the previous run, when the run has a history.
    memberships: Option<std::sync::Arc<Memberships>>,
    /// Script time the whole run may take, summed over every call on every thread.
    time_limit: Duration,
    /// Script time taken so far, in nanoseconds.
    time_used: AtomicU64,
    /// The program's names as scripts see them, made at the first call (every program
    /// compiled from the ruleset has the same names, whatever the data's columns).
    names: OnceLock<ScriptNames>,
    /// Tells these scripts' caches from others' on a thread (see [`CACHES`]).
    id: u64,
    /// The columns `customer` must hold for every script (see [`Actions::customer_columns`]).
    customer_reads: CustomerReads,
}

/// Script time a whole run may take by default: far more than any plan needs (a million
/// customers take seconds), far less than a runaway script would take over every customer.
pub const RUN_TIME_LIMIT: Duration = Duration::from_secs(300);

/// A compiled script.
struct Script {
    written: String,
    ast: AST,
    /// Which of the call's variables it names: the others are left out of its scope.
    uses: Uses,
    /// The columns it reads of `customer`.
    reads: CustomerReads,
}

/// The variables of a script call (docs/actions.md) that a script names. A variable it
/// never names cannot reach it (there is no `eval`), so its calls skip making it; a script
/// that asks `is_def_var` gets them all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Uses {
    customer: bool,
    dimension: bool,
    segment: bool,
    segments: bool,
    tags: bool,
    as_of: bool,
    /// `previous_segment`, `entered_on`, `days_in_segment`.
    place: bool,
}

impl Uses {
    const ALL: Uses = Uses {
        customer: true,
        dimension: true,
        segment: true,
        segments: true,
        tags: true,
        as_of: true,
        place: true,
    };

    /// The variables a compiled script names, in its statements or its functions.
    fn of(ast: &AST) -> Uses {
        let mut uses = Uses::default();
        ast.walk(&mut |path: &[ASTNode]| {
            match path.last() {
                Some(ASTNode::Expr(Expr::Variable(variable, ..))) => uses.name(variable.1.as_str()),
                Some(ASTNode::Expr(Expr::FnCall(call, _)) | ASTNode::Stmt(Stmt::FnCall(call, _)))
                    if call.name == "is_def_var" =>
                {
                    uses = Uses::ALL
                }
                _ => {}
            }
            true
        });
        uses
    }

    /// Notes a variable the script names.
    fn name(&mut self, variable: &str) {
        match variable {
            "customer" => self.customer = true,
            "dimension" => self.dimension = true,
            "segment" => self.segment = true,
            "segments" => self.segments = true,
            "tags" => self.tags = true,
            "as_of" => self.as_of = true,
            "previous_segment" | "entered_on" | "days_in_segment" => self.place = true,
            _ => {}
        }
    }
}

/// What the scripts gave for one customer.
#[derive(Debug, Default)]
pub struct Ran<'a> {
    pub tasks: Vec<Planned<'a>>,
    /// The owner of the tasks that name none: the customer's `owner` column.
    pub owner: String,
    /// Index into [`Actions::derived`], and the value as text.
    pub derived: Vec<(usize, String)>,
    pub errors: Vec<ActionError>,
    /// The customer map, given back by the last script when it left it a map: the caller
    /// may fill it for the next customer instead of building one.
    pub customer: Option<Map>,
}

impl Actions {
    /// Reads and compiles every script the ruleset names; `None` when it names none.
    pub fn load(checked: &Checked) -> Result<Option<Actions>, RulesError> {
        let mut refs: Vec<&ActionRef> = Vec::new();
        for d in &checked.dimensions {
            refs.extend(d.segments.iter().filter_map(|s| s.action.as_ref()));
            refs.extend(d.otherwise.as_ref().and_then(|o| o.action.as_ref()));
            refs.extend(d.segments.iter().flat_map(|s| s.lifecycle.scripts()));
            refs.extend(d.otherwise.iter().flat_map(|o| o.lifecycle.scripts()));
        }
        refs.extend(checked.tags.iter().filter_map(|t| t.action.as_ref()));
        if refs.is_empty() {
            return Ok(None);
        }
        let engine = sandbox::prepared_engine();
        let mut sources = checked.sources.clone();
        let mut diagnostics = Vec::new();
        let mut scripts: Vec<(PathBuf, Script)> = Vec::new();
        let mut derived = Vec::new();
        for action in refs {
            if scripts.iter().any(|(p, _)| *p == action.path) {
                continue;
            }
            match compile(&engine, action, &checked.access, &mut sources, &mut derived) {
                Ok(script) => scripts.push((action.path.clone(), script)),
                Err(d) => diagnostics.push(d),
            }
        }
        if !diagnostics.is_empty() {
            return Err(RulesError { sources, diagnostics });
        }
        let index = |action: &Option<ActionRef>| {
            action.as_ref().and_then(|a| scripts.iter().position(|(p, _)| *p == a.path))
        };
        let by_segment = checked
            .dimensions
            .iter()
            .map(|d| {
                let mut row: Vec<Option<usize>> = d.segments.iter().map(|s| index(&s.action)).collect();
                if let Some(o) = &d.otherwise {
                    row.push(index(&o.action));
                }
                row
            })
            .collect();
        let lifecycle =
            |pick: fn(&crate::check::Lifecycle) -> &Option<ActionRef>| -> Vec<Vec<Option<usize>>> {
                checked
                    .dimensions
                    .iter()
                    .map(|d| {
                        let segments = d.segments.iter().map(|s| &s.lifecycle);
                        segments
                            .chain(d.otherwise.iter().map(|o| &o.lifecycle))
                            .map(|l| index(pick(l)))
                            .collect()
                    })
                    .collect()
            };
        let (on_enter, on_leave) = (lifecycle(|l| &l.on_enter), lifecycle(|l| &l.on_leave));
        // Per tag as compiled (each name once): the script of its definitions.
        let by_tag = checked
            .tag_groups()
            .iter()
            .map(|(_, rules)| rules.iter().find_map(|&i| index(&checked.tags[i].action)))
            .collect();
        let scripts: Vec<Script> = scripts.into_iter().map(|(_, s)| s).collect();
        // `owner` too: a task that names none takes the customer's.
        let owner = CustomerReads::Only(std::iter::once("owner".to_string()).collect());
        let customer_reads = scripts.iter().fold(owner, |all, s| all.and(s.reads.clone()));
        Ok(Some(Actions {
            engine,
            scripts,
            derived,
            by_segment,
            by_tag,
            on_enter,
            on_leave,
            memberships: None,
            time_limit: RUN_TIME_LIMIT,
            time_used: AtomicU64::new(0),
            names: OnceLock::new(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            customer_reads,
        }))
    }

    /// Sets the script time the whole run may take (default [`RUN_TIME_LIMIT`]).
    pub fn set_time_limit(&mut self, limit: Duration) {
        self.time_limit = limit;
    }

    /// The script time the whole run may take.
    pub fn time_limit(&self) -> Duration {
        self.time_limit
    }

    /// Gives the scripts the run's whole time again, for a run started over from its first
    /// customer.
    pub fn restart_clock(&self) {
        self.time_used.store(0, Ordering::Relaxed);
    }

    /// True once the scripts have used up the run's time: the run stops.
    pub fn exhausted(&self) -> bool {
        self.time_used.load(Ordering::Relaxed) > self.time_limit.as_nanos().min(u128::from(u64::MAX)) as u64
    }

    /// Tells the scripts where customers were at the previous run: `on enter` and `on
    /// leave` scripts run from now on, and every script sees `previous_segment`,
    /// `entered_on` and `days_in_segment`.
    pub fn set_memberships(&mut self, memberships: std::sync::Arc<Memberships>) {
        self.memberships = Some(memberships);
    }

    /// The dimensions with a script of any kind (`then`, `on enter`, `on leave`).
    pub fn scripted_dimensions(&self) -> Vec<usize> {
        let any = |rows: &Vec<Vec<Option<usize>>>, d: usize| rows[d].iter().any(Option::is_some);
        (0..self.by_segment.len())
            .filter(|&d| any(&self.by_segment, d) || any(&self.on_enter, d) || any(&self.on_leave, d))
            .collect()
    }

    /// The dimensions with an `on enter` or `on leave` script.
    pub fn lifecycle_dimensions(&self) -> Vec<usize> {
        let any = |rows: &Vec<Vec<Option<usize>>>, d: usize| rows[d].iter().any(Option::is_some);
        (0..self.on_enter.len()).filter(|&d| any(&self.on_enter, d) || any(&self.on_leave, d)).collect()
    }

    /// The columns the `customer` map given to [`Actions::run`] must hold: those some
    /// script reads by name, and `owner`; `None` for every column (a script uses `customer`
    /// in a way that may read any).
    pub fn customer_columns(&self) -> Option<Vec<&str>> {
        match &self.customer_reads {
            CustomerReads::All => None,
            CustomerReads::Only(names) => Some(names.iter().map(String::as_str).collect()),
        }
    }

    /// True when some segment or tag of this outcome has a script, or the customer entered
    /// or left a segment with one.
    pub fn applies(&self, outcome: &Outcome, id: &str) -> bool {
        let segment = outcome.segments.iter().enumerate().any(|(d, s)| self.script_for(d, *s).is_some());
        segment
            || outcome.tags.iter().any(|&t| self.by_tag[t as usize].is_some())
            || !self.moves(outcome, id).is_empty()
    }

    fn script_for(&self, dimension: usize, segment: Option<u16>) -> Option<usize> {
        *self.by_segment.get(dimension)?.get(segment? as usize)?
    }

    /// Runs the scripts this customer's segments and tags call for. `customer` holds the
    /// columns [`Actions::customer_columns`] names (every column when it names none);
    /// `whole` makes the map of every column, for a call whose `render` named a column
    /// left out (a template built at run time).
    pub fn run<'a>(
        &'a self,
        program: &'a Program,
        outcome: &Outcome,
        customer: Map,
        whole: &mut dyn FnMut() -> Map,
        id: &str,
    ) -> Ran<'a> {
        let mut ran = Ran::default();
        if self.exhausted() {
            return ran;
        }
        let names = self.names.get_or_init(|| ScriptNames::new(program));
        // Made at the first call whose script names them.
        let segments = std::cell::OnceCell::new();
        let tags = std::cell::OnceCell::new();
        let previous = |d: usize| self.memberships.as_ref().and_then(|m| m.previous(d, id));
        // Scripts of segments left run first, then `then` scripts, then those of segments
        // entered: (script, dimension or none for a tag, segment, where it was, leaving).
        let moves = self.moves(outcome, id);
        let mut calls: Vec<Call> = Vec::new();
        for m in moves.iter().filter(|m| !m.entering) {
            let left = m.before.map_or("", |b| self.memberships.as_ref().map_or("", |ms| ms.name(&b)));
            calls.push(Call {
                script: m.script,
                dimension: Some(m.dimension),
                segment: left,
                value: left.into(),
                before: m.before,
                leaving: true,
            });
        }
        for (d, s) in outcome.segments.iter().enumerate() {
            if let (Some(script), Some(name)) = (self.script_for(d, *s), program.segment_name(d, outcome)) {
                calls.push(Call {
                    script,
                    dimension: Some(d),
                    segment: name,
                    value: names.segment(d, outcome).cloned().unwrap_or_else(|| name.into()),
                    before: previous(d),
                    leaving: false,
                });
            }
        }
        for m in moves.iter().filter(|m| m.entering) {
            let name = program.segment_name(m.dimension, outcome).unwrap_or_default();
            calls.push(Call {
                script: m.script,
                dimension: Some(m.dimension),
                segment: name,
                value: names.segment(m.dimension, outcome).cloned().unwrap_or_else(|| name.into()),
                before: m.before,
                leaving: false,
            });
        }
        for &t in &outcome.tags {
            if let Some(script) = self.by_tag[t as usize] {
                let segment = program.tags[t as usize].name.as_str();
                let value = names.tag(usize::from(t)).cloned().unwrap_or_else(|| segment.into());
                calls.push(Call { script, dimension: None, segment, value, before: None, leaving: false });
            }
        }
        // The owner a task gets when its script names none, read before the map goes to
        // the last call (moved there, not cloned).
        ran.owner = customer.get("owner").map(plan::text).unwrap_or_default();
        let mut customer = Some(customer);
        let mut narrowed = matches!(self.customer_reads, CustomerReads::Only(_));
        let last = calls.len().saturating_sub(1);
        let tags_name = ImmutableString::from("tags");
        for (n, Call { script, dimension: d, segment, value, before, leaving }) in
            calls.into_iter().enumerate()
        {
            let dimension = d.map_or("tags", |d| program.dimensions[d].name.as_str());
            let dimension_value = d.and_then(|d| names.dimension(d)).unwrap_or(&tags_name).clone();
            // A script of the segment left sees the stay that ended; the others, where the
            // customer is now.
            let here = match leaving {
                true => before.and_then(|b| b.segment),
                false => d.and_then(|d| outcome.segments[d]),
            };
            let uses = self.scripts[script].uses;
            loop {
                let mut scope = SCOPE.with(|spare| std::mem::take(&mut *spare.borrow_mut()));
                if uses.customer {
                    // As values made for rhai: pushing a map as it is would have rhai
                    // rebuild it entry by entry (and sort it) for every call.
                    let map = if n == last { customer.take() } else { customer.clone() };
                    scope.push("customer", Dynamic::from_map(map.unwrap_or_default()));
                }
                if uses.dimension {
                    scope.push("dimension", dimension_value.clone());
                }
                if uses.segment {
                    scope.push("segment", value.clone());
                }
                if uses.segments {
                    scope.push(
                        "segments",
                        Dynamic::from_map(segments.get_or_init(|| names.segments(outcome)).clone()),
                    );
                }
                if uses.tags {
                    scope.push("tags", Dynamic::from_array(tags.get_or_init(|| names.tags(outcome)).clone()));
                }
                if uses.as_of {
                    scope.push("as_of", ScriptDate(date::to_naive(program.as_of)));
                }
                if uses.place {
                    let [previous_segment, entered_on, days_in_segment] =
                        self.place_vars(d, here, before, program.as_of);
                    scope.push("previous_segment", previous_segment);
                    scope.push("entered_on", entered_on);
                    scope.push("days_in_segment", days_in_segment);
                }
                let origin = Origin { dimension, segment, id };
                let again = !self.call(script, &mut scope, &origin, &mut ran, narrowed);
                if n == last && !again {
                    ran.customer = match uses.customer {
                        true => scope.remove::<Map>("customer"),
                        false => customer.take(),
                    };
                }
                scope.clear();
                SCOPE.with(|spare| *spare.borrow_mut() = scope);
                if !again {
                    break;
                }
                // Its `render` missed a column left out of the map: this call and the rest
                // of this customer's get every column.
                customer = Some(whole());
                narrowed = false;
            }
        }
        ran
    }

    /// Makes one call, noting what it gave in `ran`; false, with nothing noted, when the
    /// call must be made again with every column (see [`sandbox::begin_call`]).
    fn call<'a>(
        &'a self,
        index: usize,
        scope: &mut Scope,
        origin: &Origin<'a, '_>,
        ran: &mut Ran<'a>,
        narrowed: bool,
    ) -> bool {
        let Origin { dimension, segment, id } = *origin;
        let script = &self.scripts[index];
        sandbox::begin_call(narrowed);
        let started = Instant::now();
        let result = self.run_script(index, scope);
        let took = started.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64;
        self.time_used.fetch_add(took, Ordering::Relaxed);
        let emitted = sandbox::end_call();
        if emitted.wants_whole && narrowed {
            return false;
        }
        if let Err(error) = result {
            ran.errors.push(ActionError {
                customer: id.to_string(),
                script: script.written.clone(),
                line: sandbox::line(error.position()),
                message: plan::describe(&error),
            });
            return true;
        }
        for fields in emitted.tasks {
            ran.tasks.push(Planned::new(fields, dimension, segment, &script.written));
        }
        for (name, value) in emitted.derived {
            if let Some(i) = self.derived.iter().position(|d| *d == name) {
                ran.derived.push((i, plan::text(&value)));
            }
        }
        true
    }
}

thread_local! {
    /// The scope of this thread's script calls, emptied after each: kept for its room.
    static SCOPE: RefCell<Scope<'static>> = RefCell::new(Scope::with_capacity(9));
    /// Per script of the [`Actions`] last run on this thread (told by [`Actions::id`]),
    /// rhai's cache of which function each call in it resolves to: kept from one customer
    /// to the next instead of resolved afresh for every call.
    static CACHES: RefCell<(u64, Vec<Caches>)> = const { RefCell::new((0, Vec::new())) };
}

/// Numbers [`Actions`] so that a thread's caches are never used with other scripts.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Actions {
    /// Runs one script with the scope given, as `Engine::run_ast_with_scope` does, but with
    /// the thread's function-resolution cache for that script.
    fn run_script(&self, index: usize, scope: &mut Scope) -> Result<(), Box<rhai::EvalAltResult>> {
        let ast = &self.scripts[index].ast;
        CACHES.with(|caches| {
            let mut caches = caches.borrow_mut();
            if caches.0 != self.id {
                *caches = (self.id, self.scripts.iter().map(|_| Caches::new()).collect());
            }
            let cache = &mut caches.1[index];
            // A call stopped half-way may leave a block's cache level behind: start afresh.
            if cache.fn_resolution_caches_len() > 1 {
                *cache = Caches::new();
            }
            let mut global = self.engine.new_global_runtime_state();
            global.lib.push(ast.shared_lib().clone());
            // `eval_statements_raw` is what `run_ast_with_scope` runs, with the caches given
            // (rhai marks it for removal in its next major version; pinned at 1.x).
            #[allow(deprecated)]
            self.engine.eval_statements_raw(&mut global, cache, scope, ast.statements()).map(|_| ())
        })
    }
}

/// Which customer, and which segment of which dimension, a script call is for.
#[derive(Clone, Copy)]
struct Origin<'a, 'c> {
    dimension: &'a str,
    segment: &'a str,
    id: &'c str,
}

/// Reads and compiles one script, noting the fields it `set`s.
fn compile(
    engine: &Engine,
    action: &ActionRef,
    access: &crate::access::FileAccess,
    sources: &mut Sources,
    derived: &mut Vec<String>,
) -> Result<Script, Diagnostic> {
    let text = access.read(&action.path, crate::access::SCRIPT_LIMIT).map_err(|e| {
        Diagnostic::error(action.span, msg!("cannot-read-script", script = &action.written))
            .label(e)
            .help(msg!("script-relative-help", path = action.path.display().to_string()))
    })?;
    if !crate::access::named_as(&action.path, "rhai") {
        if let Err(e) = engine.compile(&text) {
            // A file not named as a script that does not compile may be anything: say
            // where, show none of it.
            let at = e.position();
            return Err(Diagnostic::error(action.span, msg!("not-a-script", script = &action.written))
                .label(msg!(
                    "not-a-ruleset-label",
                    line = at.line().unwrap_or(1),
                    column = at.position().unwrap_or(1),
                    problem = e.err_type().to_string()
                ))
                .help(msg!("not-a-script-help")));
        }
    }
    let file = sources.add(action.path.display().to_string(), text.clone());
    let at = |line: Option<usize>, column: Option<usize>| {
        let offset = offset(&text, line.unwrap_or(1), column.unwrap_or(1));
        Span::new(file, offset..(offset + 1).min(text.len().max(offset)))
    };
    let ast = engine.compile(&text).map_err(|e| {
        let position = e.position();
        Diagnostic::error(
            at(position.line(), position.position()),
            msg!("script-does-not-compile", script = &action.written),
        )
        .label(msg!("script-error-detail", detail = e.err_type().to_string()))
        .related(action.span, msg!("named-here"))
    })?;
    let mut problem = None;
    ast.walk(&mut |path: &[ASTNode]| {
        let call = match path.last() {
            Some(ASTNode::Expr(Expr::FnCall(call, position)))
            | Some(ASTNode::Stmt(Stmt::FnCall(call, position))) => Some((call, position)),
            _ => None,
        };
        if let Some((call, position)) = call {
            if call.name == "set" && call.args.len() == 2 {
                match &call.args[0] {
                    Expr::StringConstant(name, _) if !derived.contains(&name.to_string()) => {
                        derived.push(name.to_string())
                    }
                    Expr::StringConstant(..) => {}
                    _ => problem = Some(*position),
                }
            }
        }
        true
    });
    if let Some(position) = problem {
        return Err(Diagnostic::error(
            at(position.line(), position.position()),
            msg!("set-needs-quoted-name"),
        )
        .label(msg!("set-needs-quoted-name-label"))
        .related(action.span, msg!("script-named-here")));
    }
    let uses = Uses::of(&ast);
    let reads = CustomerReads::of(&ast);
    Ok(Script { written: action.written.clone(), ast, uses, reads })
}

/// The byte offset of a 1-based line and column.
fn offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let line_text = text[start.min(text.len())..].lines().next().unwrap_or("");
    start + line_text.char_indices().nth(column.saturating_sub(1)).map_or(line_text.len(), |(i, _)| i)
}

/// A cell as a script sees it: typed by the field that reads its column, text otherwise;
/// an empty cell is `()`.
pub fn cell_value(cell: &str, ty: Option<Ty>) -> Dynamic {
    let cell = cell.trim();
    let typed = matches!(ty, Some(Ty::Number | Ty::Date | Ty::Bool));
    if cell.is_empty() || typed && crate::cell::is_missing_word(cell.as_bytes()) {
        return Dynamic::UNIT;
    }
    match ty {
        // Whole numbers written plainly (most counts) are read directly; the rest go
        // through the decimal reader, which gives the same value for these.
        Some(Ty::Number) if plain_integer(cell) => {
            cell.parse::<i64>().map_or_else(|_| cell.into(), Dynamic::from)
        }
        Some(Ty::Number) => match Decimal::parse(cell).or_else(|| crate::cell::loose_number(cell, false)) {
            Some(n) => {
                let shown = n.to_string();
                shown
                    .parse::<i64>()
                    .map(Dynamic::from)
                    .or_else(|_| shown.parse::<f64>().map(Dynamic::from))
                    .unwrap_or_else(|_| cell.into())
            }
            None => cell.into(),
        },
        Some(Ty::Date) => date::parse(cell)
            .map_or_else(|| cell.into(), |d: Day| Dynamic::from(ScriptDate(date::to_naive(d)))),
        Some(Ty::Bool) => crate::eval::parse_bool(cell).map_or_else(|| cell.into(), Dynamic::from),
        Some(Ty::List) => Dynamic::from(
            crate::eval::list_items(cell.as_bytes())
                .map(|i| Dynamic::from(String::from_utf8_lossy(i).into_owned()))
                .collect::<Array>(),
        ),
        Some(Ty::Text) | None => cell.into(),
    }
}

/// [`cell_value`] put into a value made for an earlier customer: text goes into that
/// value's string when nothing else holds it, and a date or a plain whole number into the
/// value when it holds one, which saves allocating (and freeing) one per cell.
pub fn refill_cell_value(value: &mut Dynamic, cell: &str, ty: Option<Ty>) {
    let text = cell.trim();
    if !text.is_empty() && !value.is_shared() {
        match ty {
            Some(Ty::Text) | None => {
                if let Some(mut held) = value.write_lock::<ImmutableString>() {
                    if let Some(string) = held.get_mut() {
                        string.clear();
                        string.push_str(text);
                        return;
                    }
                }
            }
            // No word for a missing value reads as a date or a whole number.
            Some(Ty::Date) if value.is::<ScriptDate>() => {
                if let (Some(day), Some(mut held)) = (date::parse(text), value.write_lock::<ScriptDate>()) {
                    *held = ScriptDate(date::to_naive(day));
                    return;
                }
            }
            Some(Ty::Number) if value.is_int() && plain_integer(text) => {
                if let (Ok(number), Some(mut held)) = (text.parse::<i64>(), value.write_lock::<i64>()) {
                    *held = number;
                    return;
                }
            }
            _ => {}
        }
    }
    *value = cell_value(cell, ty);
}

/// True for `123` or `-45`: digits only, with an optional minus, few enough to fit an i64.
fn plain_integer(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(script: &str) -> Uses {
        Uses::of(&sandbox::engine().compile(script).expect("compiles"))
    }

    #[test]
    fn a_script_gets_the_variables_it_names_wherever_it_names_them() {
        assert_eq!(uses("task(#{ title: \"hello\" });"), Uses::default());
        let seen = uses(
            "let x = customer.orders; \
             fn later(a) { a } \
             switch segment { \"A\" => set(\"x\", `${dimension}`), _ => {} } \
             if days_in_segment > 3 { as_of.add_days(1) }",
        );
        let expected = Uses {
            customer: true,
            dimension: true,
            segment: true,
            as_of: true,
            place: true,
            ..Uses::default()
        };
        assert_eq!(seen, expected);
        assert!(uses("let n = segments.len() + tags.len();").segments);
        assert!(uses("let n = segments.len() + tags.len();").tags);
        // Declaring a local of that name is not naming the call's variable.
        assert!(!uses("let customer = 1;").customer);
        assert_eq!(uses("if is_def_var(\"tags\") { 1 }"), Uses::ALL);
    }

    #[test]
    fn a_value_filled_again_is_the_value_made_afresh() {
        let cells =
            ["", "  ", "12", "-7", "12.50", "1,250", "n/a", "2026-05-10", "2026/5/10", "soon", "yes", "x"];
        let types = [None, Some(Ty::Text), Some(Ty::Number), Some(Ty::Date), Some(Ty::Bool), Some(Ty::List)];
        for ty in types {
            for before in cells {
                for cell in cells {
                    let mut value = cell_value(before, ty);
                    refill_cell_value(&mut value, cell, ty);
                    let fresh = cell_value(cell, ty);
                    let shown = |v: &Dynamic| match v.read_lock::<ScriptDate>() {
                        Some(date) => format!("date {}", date.0),
                        None => format!("{} {v:?}", v.type_name()),
                    };
                    assert_eq!(shown(&value), shown(&fresh), "{before:?} then {cell:?} as {ty:?}");
                }
            }
        }
    }
}
