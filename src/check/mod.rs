//! Checking: a parsed [`Ruleset`] → a [`Checked`] ruleset, or every problem found. Names
//! are resolved (`let`s inlined, fields numbered and mapped to their column headers),
//! types inferred and checked, and a ruleset that passes cannot fail to compile. Whether
//! each field exists in the data is a question for binding, when the header is known.

mod build;
mod events;
mod infer;
crate::internal_mod!(interpret);
mod lints;
mod places;
pub mod suggest;
crate::internal_mod!(tri);
crate::internal_mod!(typed);

use crate::cell::DateOrder;
use crate::diagnostic::{Diagnostic, RulesError};
use crate::load::Ruleset;
use crate::msg;
use crate::source::{Sources, Span};
use crate::syntax::ast::{self, Item};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use typed::Typed;

pub use tri::Tri;
pub use typed::Ty;

/// A ruleset that passed every check, ready to compile.
#[derive(Debug, Clone)]
pub struct Checked {
    pub(crate) sources: Sources,
    /// Every file the ruleset was read from.
    pub(crate) paths: Vec<PathBuf>,
    /// The folders whose files the ruleset may read (its scripts).
    pub(crate) access: crate::access::FileAccess,
    /// The fields the rules use, in order of first use.
    pub(crate) fields: Vec<Field>,
    pub(crate) dimensions: Vec<Dimension>,
    /// Top-level segments, each rule as written: a tag defined twice has two (see
    /// [`Checked::tag_groups`]).
    pub(crate) tags: Vec<Segment>,
    /// `test` blocks, for `tradeseg test`.
    pub(crate) tests: Vec<ast::TestBlock>,
    /// Event streams declared with `events NAME`, in order, with where.
    pub(crate) streams: Vec<(String, Span)>,
    /// Columns of event streams that aggregates read.
    pub(crate) event_fields: Vec<EventField>,
    /// Aggregates over event history, in order of appearance.
    pub(crate) aggregates: Vec<typed::AggregateSpec>,
    /// Problems that do not stop a run.
    pub(crate) warnings: Vec<Diagnostic>,
    /// The ruleset's own words for "no value" (`missing values [...]`).
    pub(crate) missing_words: Vec<String>,
}

impl Checked {
    /// The ruleset's files, for rendering diagnostics with their lines.
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// Every file the ruleset was read from, the main file first.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// The fields the rules use, in order of first use.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The dimensions, in ruleset order.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// The tags, each definition as written (see [`Checked::tag_groups`]).
    pub fn tags(&self) -> &[Segment] {
        &self.tags
    }

    /// The event streams declared with `events NAME`, with where.
    pub fn streams(&self) -> &[(String, Span)] {
        &self.streams
    }

    /// The reviewer's warnings: problems that do not stop a run.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Each tag once, in order of first definition, with the rules (indices into
    /// [`Checked::tags`]) that define it: a tag defined twice applies when either holds.
    pub fn tag_groups(&self) -> Vec<(&str, Vec<usize>)> {
        let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, tag) in self.tags.iter().enumerate() {
            match groups.iter_mut().find(|(name, _)| *name == tag.name) {
                Some((_, rules)) => rules.push(i),
                None => groups.push((&tag.name, vec![i])),
            }
        }
        groups
    }
}

/// A tag defined more than once: a note, or an error when its definitions name different
/// scripts (which one to run would be a guess).
fn repeated_tags(tags: &[Segment], diagnostics: &mut Vec<Diagnostic>, warnings: &mut Vec<Diagnostic>) {
    for (n, tag) in tags.iter().enumerate() {
        let Some(first) = tags[..n].iter().find(|t| t.name == tag.name) else { continue };
        let scripts = |t: &Segment| t.action.as_ref().map(|a| a.path.clone());
        match (scripts(first), scripts(tag)) {
            (Some(a), Some(b)) if a != b => diagnostics.push(
                Diagnostic::error(tag.span, msg!("tag-two-scripts", name = &tag.name))
                    .label(msg!("tag-two-scripts-label"))
                    .related(first.span, msg!("first-defined-here"))
                    .help(msg!("tag-two-scripts-help")),
            ),
            _ => warnings.push(
                Diagnostic::warning(tag.span, msg!("tag-defined-again", name = &tag.name))
                    .label(msg!("tag-defined-again-label"))
                    .related(first.span, msg!("first-defined-here")),
            ),
        }
    }
}

/// A field: a name in the rules bound to a column of the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The name the rules use.
    pub name: String,
    /// The column header it reads (the name itself unless `field x = "Header"`).
    pub column: String,
    /// Its type; `None` when only tested with `is missing` / `is present`.
    pub ty: Option<Ty>,
    /// Its first use or declaration.
    pub span: Span,
    /// The declared order of day and month in its dates.
    pub dates: DateOrder,
    /// Declared `optional`: the export may lack its column.
    pub optional: bool,
    /// Where its value comes from: a column, or the customer's place in a dimension.
    pub source: FieldSource,
}

/// Where a field's value comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FieldSource {
    /// A column of the data.
    #[default]
    Column,
    /// `stars` in a rule below the dimension `stars`: its segment for this customer.
    Dimension(usize),
    /// `previous(stars)`: the segment at the previous recorded run (membership history).
    Previous(usize),
    /// `days_in(stars)`: days since the customer entered its current segment of `stars`.
    DaysIn(usize),
}

impl FieldSource {
    /// True for a column of the data; false for the values the rules and the history give.
    pub fn is_column(self) -> bool {
        self == FieldSource::Column
    }
}

/// A column of an event stream, as aggregates read it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventField {
    /// Index into [`Checked::streams`].
    pub stream: usize,
    pub column: String,
    pub ty: Ty,
    pub span: Span,
}

/// A checked dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub name: String,
    pub title: Option<String>,
    pub segments: Vec<Segment>,
    pub otherwise: Option<Otherwise>,
    pub span: Span,
}

#[cfg(feature = "unstable-internals")]
impl Segment {
    /// The condition, typed.
    pub fn condition(&self) -> &Typed {
        &self.condition
    }
}

/// A checked segment or tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub name: String,
    /// The condition, typed (read it through `explain`, or `sql`).
    pub(crate) condition: Typed,
    /// The action script run for every customer this segment receives.
    pub action: Option<ActionRef>,
    /// Scripts for the run in which a customer enters or leaves the segment.
    pub lifecycle: Lifecycle,
    pub span: Span,
}

/// The segment a dimension gives when no other applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Otherwise {
    pub name: String,
    pub action: Option<ActionRef>,
    pub lifecycle: Lifecycle,
    pub span: Span,
}

/// The scripts of a segment's `on enter` and `on leave` clauses. They need the membership
/// history (`run --history`) to know who entered and who left.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lifecycle {
    pub on_enter: Option<ActionRef>,
    pub on_leave: Option<ActionRef>,
}

impl Checked {
    /// Every `on enter` and `on leave` clause, in ruleset order.
    pub fn lifecycle_clauses(&self) -> impl Iterator<Item = &ActionRef> {
        self.dimensions.iter().flat_map(|d| {
            let segments = d.segments.iter().flat_map(|s| s.lifecycle.scripts());
            segments.chain(d.otherwise.iter().flat_map(|o| o.lifecycle.scripts()))
        })
    }

    /// True when a segment, `otherwise` or tag names an action script (`then`, `on enter`,
    /// `on leave`).
    pub fn has_actions(&self) -> bool {
        let segments = self.dimensions.iter().flat_map(|d| &d.segments).chain(&self.tags);
        segments.clone().any(|s| s.action.is_some())
            || self.dimensions.iter().filter_map(|d| d.otherwise.as_ref()).any(|o| o.action.is_some())
            || self.lifecycle_clauses().next().is_some()
    }

    /// The fields that read the membership history (`previous(…)`, `days_in(…)`).
    pub fn history_reads(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| matches!(f.source, FieldSource::Previous(_) | FieldSource::DaysIn(_)))
    }

    /// The dimensions whose places at the previous run the rules read.
    pub fn history_dimensions(&self) -> Vec<usize> {
        let mut found: Vec<usize> = self
            .history_reads()
            .filter_map(|f| match f.source {
                FieldSource::Previous(d) | FieldSource::DaysIn(d) => Some(d),
                _ => None,
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Per dimension, its name and its segments' names in the compiled program's order
    /// (the segments as written, then `otherwise`).
    pub fn segment_names(&self) -> Vec<(String, Vec<String>)> {
        self.dimensions
            .iter()
            .map(|d| {
                let names = d.segments.iter().map(|s| s.name.clone());
                (d.name.clone(), names.chain(d.otherwise.iter().map(|o| o.name.clone())).collect())
            })
            .collect()
    }
}

impl Lifecycle {
    fn resolve(sources: &Sources, written: &ast::Lifecycle) -> Lifecycle {
        let reference = |clause: &Option<(ast::Str, Span)>| {
            clause.as_ref().map(|(script, at)| ActionRef { span: *at, ..action_ref(sources, script) })
        };
        Lifecycle { on_enter: reference(&written.on_enter), on_leave: reference(&written.on_leave) }
    }

    /// The `on enter` and `on leave` scripts, those given.
    pub fn scripts(&self) -> impl Iterator<Item = &ActionRef> {
        self.on_enter.iter().chain(self.on_leave.iter())
    }
}

/// A `then "script.rhai"`: the script's path as written, where it resolves to (relative
/// to the file that names it), and the place of the `then`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRef {
    pub written: String,
    pub path: PathBuf,
    pub span: Span,
}

/// Which `let`s are visible at a point in the ruleset.
pub struct Scope {
    visible: HashSet<String>,
    all: HashMap<String, Span>,
    /// Inside `where` of an aggregate: names are that stream's event columns.
    stream: Option<String>,
}

/// What a name refers to.
pub enum Resolved<'a> {
    Let,
    /// A `let` defined further down: an error here.
    LetLater,
    Field(&'a str),
    /// A column of the events of the stream in scope (inside `where`).
    EventField {
        stream: &'a str,
        column: &'a str,
    },
}

impl Scope {
    fn resolve<'a>(&'a self, name: &'a str) -> Resolved<'a> {
        if let Some(stream) = &self.stream {
            return Resolved::EventField { stream, column: name };
        }
        if self.visible.contains(name) {
            Resolved::Let
        } else if self.all.contains_key(name) {
            Resolved::LetLater
        } else {
            Resolved::Field(name)
        }
    }

    /// The scope inside an aggregate's `where`: the stream's columns, no `let`s.
    fn for_stream(&self, stream: &str) -> Scope {
        Scope { visible: HashSet::new(), all: HashMap::new(), stream: Some(stream.to_string()) }
    }

    fn let_span(&self, name: &str) -> Option<Span> {
        self.all.get(name).copied()
    }
}

/// Checks a loaded ruleset.
pub fn check(ruleset: Ruleset) -> Result<Checked, RulesError> {
    let mut diagnostics = Vec::new();
    let mut warnings = Vec::new();
    let (columns, inference) = infer_fields(&ruleset.items, &mut diagnostics);

    let streams = declared_streams(&ruleset.items, &mut diagnostics);
    let mut builder = build::Builder::new(&inference, &columns, &streams);
    builder.dimension_names = ruleset
        .items
        .iter()
        .filter_map(|i| if let Item::Dimension(d) = i { Some(d.name.text.clone()) } else { None })
        .collect();
    let mut scope = new_scope(&ruleset.items, &mut diagnostics);
    let mut dimensions: Vec<Dimension> = Vec::new();
    let mut tags = Vec::new();
    let mut tests = Vec::new();
    for item in &ruleset.items {
        match item {
            Item::Let(decl) => {
                builder.position = build::Position::Before(dimensions.len());
                let built = builder.build(&scope, &decl.value);
                builder.lets.insert(decl.name.text.clone(), built);
                scope.visible.insert(decl.name.text.clone());
            }
            Item::Dimension(d) => {
                if let Some(earlier) = dimensions.iter().find(|e| e.name == d.name.text) {
                    diagnostics.push(
                        Diagnostic::error(d.name.span, msg!("dimension-defined-twice", name = &d.name.text))
                            .label(msg!("second-definition"))
                            .related(earlier.span, msg!("first-defined-here")),
                    );
                }
                builder.position = build::Position::Before(dimensions.len());
                let segments = d
                    .segments
                    .iter()
                    .filter_map(|s| segment(&mut builder, &scope, &ruleset.sources, s))
                    .collect();
                let dimension = Dimension {
                    name: d.name.text.clone(),
                    title: d.title.as_ref().map(|t| t.text.clone()),
                    segments,
                    otherwise: d.otherwise.as_ref().map(|o| Otherwise {
                        name: o.name.text.clone(),
                        action: o.action.as_ref().map(|a| action_ref(&ruleset.sources, a)),
                        lifecycle: Lifecycle::resolve(&ruleset.sources, &o.lifecycle),
                        span: o.span,
                    }),
                    span: d.name.span,
                };
                warnings.extend(lint_dimension(d));
                dimensions.push(dimension);
            }
            Item::Tag(s) => {
                let clauses = [&s.lifecycle.on_enter, &s.lifecycle.on_leave];
                for (_, at) in clauses.into_iter().flatten() {
                    diagnostics.push(
                        Diagnostic::error(*at, msg!("lifecycle-on-tag")).help(msg!("lifecycle-on-tag-help")),
                    );
                }
                builder.position = build::Position::Tag;
                tags.extend(segment(&mut builder, &scope, &ruleset.sources, s))
            }
            Item::Test(t) => tests.push(t.clone()),
            Item::Events(_) | Item::Field(_) | Item::Missing(_) | Item::Include(_) => {}
        }
    }
    let unused = unused(&ruleset.items, &builder);
    repeated_tags(&tags, &mut diagnostics, &mut warnings);
    diagnostics.extend(inference.diagnostics.iter().cloned());
    diagnostics.extend(builder.diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        // A name another error kept from being read is not unused: no warning says so.
        diagnostics.extend(warnings);
        sort_by_place(&mut diagnostics, &ruleset.sources);
        return Err(RulesError { sources: ruleset.sources, diagnostics });
    }
    warnings.extend(unused);
    let mut checked = Checked {
        sources: ruleset.sources,
        paths: ruleset.paths,
        access: ruleset.access,
        fields: builder.fields,
        dimensions,
        tags,
        tests,
        streams: streams.clone(),
        event_fields: builder.event_fields,
        aggregates: builder.aggregates,
        missing_words: missing_words(&ruleset.items),
        warnings,
    };
    let lints = lints::lint(&checked);
    checked.warnings.extend(lints);
    sort_by_place(&mut checked.warnings, &checked.sources);
    Ok(checked)
}

/// The columns a ruleset's conditions read (optional ones left out), each with the first
/// place that reads it: to say which are missing from the data even when the ruleset has
/// other errors and cannot be checked whole.
pub fn columns_read(ruleset: &Ruleset) -> Vec<(String, Span)> {
    let lets: HashSet<&str> = ruleset
        .items
        .iter()
        .filter_map(|i| if let Item::Let(l) = i { Some(l.name.text.as_str()) } else { None })
        .collect();
    let mut declared: HashMap<&str, (&str, bool)> = HashMap::new();
    for item in &ruleset.items {
        if let Item::Field(f) = item {
            let column = f.column.as_ref().map_or(f.name.text.as_str(), |c| c.text.as_str());
            declared.insert(f.name.text.as_str(), (column, f.optional));
        }
    }
    // Dimensions read in rules are no columns (unless a `field` declares one of the name).
    let dimensions: HashSet<&str> = ruleset
        .items
        .iter()
        .filter_map(|i| if let Item::Dimension(d) = i { Some(d.name.text.as_str()) } else { None })
        .collect();
    let mut found: Vec<(String, Span)> = Vec::new();
    let mut note = |name: &ast::Name| {
        let dimension = dimensions.contains(name.text.as_str()) && !declared.contains_key(name.text.as_str());
        if lets.contains(name.text.as_str()) || dimension {
            return;
        }
        let (column, optional) = declared.get(name.text.as_str()).copied().unwrap_or((&name.text, false));
        if !optional && !found.iter().any(|(c, _)| c == column) {
            found.push((column.to_string(), name.span));
        }
    };
    for item in &ruleset.items {
        match item {
            Item::Let(l) => names_in(&l.value, &mut note),
            Item::Dimension(d) => d.segments.iter().for_each(|s| names_in(&s.condition, &mut note)),
            Item::Tag(s) => names_in(&s.condition, &mut note),
            _ => {}
        }
    }
    found
}

/// Every name an expression reads outside aggregates (whose names are event columns).
fn names_in(e: &ast::Expr, note: &mut impl FnMut(&ast::Name)) {
    match &e.kind {
        ast::ExprKind::Name(name) => note(name),
        ast::ExprKind::List(items) => items.iter().for_each(|i| names_in(i, note)),
        ast::ExprKind::Call { args, .. } => args.iter().for_each(|a| names_in(a, note)),
        ast::ExprKind::Unary { operand, .. } => names_in(operand, note),
        ast::ExprKind::Binary { left, right, .. } => {
            names_in(left, note);
            names_in(right, note);
        }
        _ => {}
    }
}

/// The `events NAME` declarations; a stream declared twice is an error.
fn declared_streams(items: &[Item], diagnostics: &mut Vec<Diagnostic>) -> Vec<(String, Span)> {
    let mut streams: Vec<(String, Span)> = Vec::new();
    for item in items {
        let Item::Events(e) = item else { continue };
        match streams.iter().find(|(name, _)| *name == e.name.text) {
            Some((_, first)) => diagnostics.push(
                Diagnostic::error(e.name.span, msg!("stream-declared-twice", name = &e.name.text))
                    .related(*first, msg!("first-declared-here")),
            ),
            None => streams.push((e.name.text.clone(), e.name.span)),
        }
    }
    streams
}

/// `let`s nothing uses, and `field` declarations no rule reads.
fn unused(items: &[Item], builder: &build::Builder) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for item in items {
        match item {
            Item::Let(decl) if !builder.used_lets.contains(&decl.name.text) && !is_library(items) => warnings
                .push(
                    Diagnostic::warning(decl.name.span, msg!("let-unused", name = &decl.name.text))
                        .label(msg!("let-unused-label")),
                ),
            Item::Field(f) if !builder.fields.iter().any(|used| used.name == f.name.text) => warnings.push(
                Diagnostic::warning(f.name.span, msg!("field-unused", name = &f.name.text))
                    .label(msg!("field-unused-label")),
            ),
            _ => {}
        }
    }
    warnings
}

/// A file of only `let`s and `field`s is a library for others to include: its names are
/// meant to be used elsewhere.
fn is_library(items: &[Item]) -> bool {
    !items.iter().any(|i| matches!(i, Item::Dimension(_) | Item::Tag(_)))
}

fn segment(
    builder: &mut build::Builder,
    scope: &Scope,
    sources: &Sources,
    s: &ast::Segment,
) -> Option<Segment> {
    let condition = builder.condition(scope, &s.condition)?;
    Some(Segment {
        name: s.name.text.clone(),
        condition,
        action: s.action.as_ref().map(|a| action_ref(sources, a)),
        lifecycle: Lifecycle::resolve(sources, &s.lifecycle),
        span: s.name.span,
    })
}

/// Reads `field` declarations and runs type inference over every expression.
fn infer_fields(
    items: &[Item],
    diagnostics: &mut Vec<Diagnostic>,
) -> (HashMap<String, build::Declared>, infer::Inference) {
    let mut columns = HashMap::new();
    let mut inference = infer::Inference::default();
    let mut declared: HashMap<String, Span> = HashMap::new();
    for item in items {
        let Item::Field(f) = item else { continue };
        if let Some(&first) = declared.get(&f.name.text) {
            diagnostics.push(
                Diagnostic::error(f.name.span, msg!("field-declared-twice", name = &f.name.text))
                    .related(first, msg!("first-declared-here")),
            );
            continue;
        }
        declared.insert(f.name.text.clone(), f.name.span);
        let dates = match &f.date_pattern {
            None => DateOrder::YearFirst,
            Some(pattern) => date_order(f, pattern, diagnostics),
        };
        let column = f.column.as_ref().map(|c| c.text.clone());
        columns.insert(f.name.text.clone(), build::Declared { column, dates, optional: f.optional });
        if let Some(ty_name) = &f.ty {
            match Ty::from_name(&ty_name.text) {
                Some(ty) => inference.declare(&f.name.text, ty, ty_name.span),
                None => {
                    let names = ["number", "text", "date", "bool", "list"];
                    let mut d = Diagnostic::error(ty_name.span, msg!("unknown-type", name = &ty_name.text))
                        .label(msg!("not-a-type"))
                        .help(msg!("the-types-are"));
                    if let Some(near) = suggest::closest(&ty_name.text, names) {
                        d = d.help(msg!("did-you-mean", name = near));
                    }
                    diagnostics.push(d);
                }
            }
        }
    }
    let mut scope = new_scope(items, &mut Vec::new());
    for item in items {
        match item {
            Item::Let(decl) => {
                let shape = inference.shape(&scope, &decl.value);
                inference.lets.insert(decl.name.text.clone(), shape);
                scope.visible.insert(decl.name.text.clone());
            }
            Item::Dimension(d) => {
                for s in &d.segments {
                    let shape = inference.shape(&scope, &s.condition);
                    inference.require(&shape, Ty::Bool, s.condition.span);
                }
            }
            Item::Tag(s) => {
                let shape = inference.shape(&scope, &s.condition);
                inference.require(&shape, Ty::Bool, s.condition.span);
            }
            _ => {}
        }
    }
    inference.settle();
    (columns, inference)
}

/// The order of day and month a field's date pattern declares; an error when the pattern
/// is not one tradeseg knows or the field is not a date.
fn date_order(f: &ast::FieldDecl, pattern: &ast::Str, diagnostics: &mut Vec<Diagnostic>) -> DateOrder {
    if f.ty.as_ref().is_some_and(|t| t.text != "date") {
        diagnostics.push(
            Diagnostic::error(pattern.span, msg!("pattern-needs-date-field"))
                .label(msg!("not-a-date-field"))
                .help(msg!("pattern-needs-date-field-help", field = &f.name.text, pattern = &pattern.text)),
        );
        return DateOrder::YearFirst;
    }
    DateOrder::from_pattern(&pattern.text).unwrap_or_else(|| {
        diagnostics.push(
            Diagnostic::error(pattern.span, msg!("unknown-date-pattern", pattern = &pattern.text))
                .label(msg!("unknown-date-pattern-label"))
                .help(msg!("unknown-date-pattern-help")),
        );
        DateOrder::YearFirst
    })
}

/// The words the ruleset's `missing values [...]` declarations add, each once.
fn missing_words(items: &[Item]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for item in items {
        let Item::Missing(m) = item else { continue };
        for word in &m.words {
            let word = word.text.trim();
            if !word.is_empty() && !words.iter().any(|w| w.eq_ignore_ascii_case(word)) {
                words.push(word.to_string());
            }
        }
    }
    words
}

/// All `let` names, reporting ones defined twice or clashing with a declared field.
fn new_scope(items: &[Item], diagnostics: &mut Vec<Diagnostic>) -> Scope {
    let mut all = HashMap::new();
    let fields: HashSet<&str> = items
        .iter()
        .filter_map(|i| if let Item::Field(f) = i { Some(f.name.text.as_str()) } else { None })
        .collect();
    for item in items {
        let Item::Let(decl) = item else { continue };
        if let Some(&first) = all.get(&decl.name.text) {
            diagnostics.push(
                Diagnostic::error(decl.name.span, msg!("let-defined-twice", name = &decl.name.text))
                    .label(msg!("second-let"))
                    .related(first, msg!("first-defined-here")),
            );
        } else if fields.contains(decl.name.text.as_str()) {
            diagnostics.push(
                Diagnostic::error(decl.name.span, msg!("field-and-let", name = &decl.name.text))
                    .help(msg!("rename-the-let")),
            );
        }
        all.entry(decl.name.text.clone()).or_insert(decl.name.span);
    }
    Scope { visible: HashSet::new(), all, stream: None }
}

/// Warnings a careful reviewer gives about one dimension.
fn lint_dimension(d: &ast::Dimension) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for s in &d.segments {
        if let Some(&first) = seen.get(s.name.text.as_str()) {
            warnings.push(
                Diagnostic::warning(
                    s.name.span,
                    msg!("segment-twice", segment = &s.name.text, dimension = &d.name.text),
                )
                .label(msg!("segment-twice-label"))
                .related(first, msg!("first-here")),
            );
        }
        seen.entry(&s.name.text).or_insert(s.name.span);
    }
    warnings
}

/// Resolves a script path against the folder of the file that names it.
fn action_ref(sources: &Sources, written: &ast::Str) -> ActionRef {
    let file = std::path::Path::new(sources.name(written.span.file));
    let folder = file.parent().unwrap_or(std::path::Path::new("."));
    ActionRef { written: written.text.clone(), path: folder.join(&written.text), span: written.span }
}

/// In reading order: the main file's first, each include's where it is included.
fn sort_by_place(diagnostics: &mut [Diagnostic], sources: &Sources) {
    diagnostics.sort_by_key(|d| d.span.map(|s| sources.place(s)));
}

#[cfg(test)]
mod tests;
