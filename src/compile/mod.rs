//! Compiling: a [`Checked`] ruleset and the data's layout → a [`Program`]. Each field is
//! bound to a column (an unknown one is an error with "did you mean" from the header), each
//! condition becomes a tree specialised by type, and constant parts are folded.

pub(crate) mod events;

pub use crate::program::*;

use crate::check::suggest::closest;
use crate::check::typed::{ArithOp, CmpOp, Const, Ty, Typed, TypedKind};
use crate::check::{Checked, Field};
use crate::date::Day;
use crate::diagnostic::Diagnostic;
use crate::msg;

/// The columns of the data, as its header names them.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub columns: Vec<String>,
    /// True when the header lists every column (CSV); false when records may carry keys
    /// not seen yet (JSON), so an unknown field is only a warning.
    pub complete: bool,
}

impl Schema {
    /// A complete schema from a header.
    pub fn from_header<S: AsRef<str>>(columns: impl IntoIterator<Item = S>) -> Schema {
        Schema {
            columns: columns.into_iter().map(|c| c.as_ref().trim().to_string()).collect(),
            complete: true,
        }
    }
}

/// What a compile needs besides the ruleset and the layout.
#[derive(Debug, Clone)]
pub struct CompileOptions {
    /// The as-of date.
    pub as_of: Day,
    /// The id column's name.
    pub id_column: String,
    /// Numbers in the data are written `1.200,50` (`--decimal-comma`).
    pub decimal_comma: bool,
}

/// The result of compiling: the program and any warnings, or errors.
pub type Compiled = Result<(Program, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Compiles a checked ruleset for data with the given layout: binds each field to its
/// column, finds the id, then lowers the aggregates, dimensions and tags.
pub fn compile(checked: &Checked, schema: &Schema, options: &CompileOptions) -> Compiled {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let (mut slots, foreign_header) = bind_fields(checked, schema, &mut errors, &mut warnings);
    if schema.complete {
        repeated_columns(checked, schema, options, &mut errors, &mut warnings);
    }
    // When the header is not the export's at all, its one error says so already.
    let id_column = find_id(schema, options, (!foreign_header).then_some(&mut errors));
    if !errors.is_empty() {
        return Err(errors);
    }
    let aggregate_base = slots.len();
    slots.extend(checked.aggregates.iter().map(|spec| SlotSpec {
        field: checked.sources.snippet(spec.span).to_string(),
        column: String::new(),
        index: None,
        ty: Some(spec.ty),
        dates: Default::default(),
    }));
    let (streams, event_slot) = events::streams(checked);
    let lower = Lower { as_of: options.as_of, aggregate_base, event_slot };
    let program = Program {
        slots,
        aggregates: events::aggregates(checked, &lower),
        dimensions: checked.dimensions.iter().map(|d| lower.dimension(d)).collect(),
        tags: lower_tags(checked, &lower),
        as_of: options.as_of,
        id_column,
        id_name: options.id_column.clone(),
        header_width: schema.complete.then_some(schema.columns.len()),
        header: schema.columns.clone(),
        aggregate_base,
        streams,
        cells: crate::cell::CellRules {
            missing: checked.missing_words.clone(),
            decimal_comma: options.decimal_comma,
        },
        places: checked
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.source.is_column())
            .map(|(slot, f)| (slot, f.source))
            .collect(),
    };
    Ok((program, warnings))
}

/// A slot per field, bound to its column. A column the header lacks is an error (a
/// warning for JSON, whose keys come with each record). Also says whether most columns were
/// absent, so that the header, not each field, was reported.
fn bind_fields(
    checked: &Checked,
    schema: &Schema,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> (Vec<SlotSpec>, bool) {
    // Without a header and with no keys known yet (JSON before any record is read) there
    // is nothing to check against: the run warns of keys no record had.
    let nothing_known = !schema.complete && schema.columns.is_empty();
    let absent: Vec<&Field> = checked
        .fields
        .iter()
        .filter(|f| f.source.is_column() && !nothing_known && !schema.columns.contains(&f.column))
        .collect();
    let required = absent.iter().filter(|f| !f.optional).count();
    let not_these_columns = schema.complete && required >= 3 && required * 2 > checked.fields.len();
    if not_these_columns {
        errors.push(not_this_data(checked, schema, &absent));
    }
    let mut slots = Vec::with_capacity(checked.fields.len());
    for field in &checked.fields {
        let index =
            schema.columns.iter().position(|c| *c == field.column).filter(|_| field.source.is_column());
        if !field.source.is_column() {
            // A place in the dimensions: no column to find.
        } else if index.is_none() && !nothing_known && field.optional && schema.complete {
            warnings.push(
                Diagnostic::warning(field.span, msg!("optional-column-absent", column = &field.column))
                    .label(msg!("declared-optional")),
            );
        } else if index.is_none() && !nothing_known && !not_these_columns {
            let is_dimension = checked.dimensions.iter().any(|d| d.name == field.name);
            errors_or_warnings(field, schema, is_dimension, errors, warnings);
        }
        slots.push(SlotSpec {
            field: field.name.clone(),
            column: field.column.clone(),
            index: if schema.complete { index } else { None },
            ty: field.ty,
            dates: field.dates,
        });
    }
    (slots, not_these_columns)
}

/// The column a field reads is not in the data: an error for CSV, a warning for JSON
/// (whose keys come with each record).
fn errors_or_warnings(
    field: &Field,
    schema: &Schema,
    is_dimension: bool,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    let what = if field.column == field.name {
        msg!("unknown-column", column = &field.column)
    } else {
        msg!("unknown-column-for-field", column = &field.column, field = &field.name)
    };
    let mut d = if schema.complete {
        Diagnostic::error(field.span, what).label(msg!("not-in-header"))
    } else {
        Diagnostic::warning(field.span, what).label(msg!("no-record-has-key"))
    };
    match closest(&field.column, schema.columns.iter().map(String::as_str)) {
        Some(near) => d = d.help(msg!("did-you-mean", name = near)),
        // `country == US`: a value written without quotes reads as a column's name.
        None if field.ty != Some(Ty::Number) && field.column == field.name => {
            d = d.help(msg!("value-not-column-help", name = &field.name))
        }
        None => {}
    }
    if is_dimension {
        d = d.help(msg!("dimension-below-help", name = &field.name));
    }
    if schema.complete {
        errors.push(d);
    } else {
        warnings.push(d);
    }
}

/// Most of the columns the rules read are not in the header: the file is likely not the
/// export the rules were written for (another sheet, a title row above the header, another
/// delimiter). One error that shows what the header has, instead of one per field.
fn not_this_data(checked: &Checked, schema: &Schema, absent: &[&Field]) -> Diagnostic {
    let shown: Vec<String> = schema.columns.iter().take(12).map(|c| format!("`{c}`")).collect();
    let more = schema.columns.len().saturating_sub(shown.len());
    let header = match (schema.columns.len(), more) {
        (0, _) => msg!("header-no-columns"),
        (_, 0) => msg!("header-has", columns = shown.join(", ")),
        _ => msg!("header-has-more", columns = shown.join(", "), more = more),
    };
    let missing: Vec<String> = absent.iter().take(8).map(|f| format!("`{}`", f.column)).collect();
    let missing = format!("{}{}", missing.join(", "), if absent.len() > 8 { ", …" } else { "" });
    let mut d =
        Diagnostic::general(msg!("not-this-data", absent = absent.len(), read = checked.fields.len()))
            .help(header)
            .help(msg!("rules-read-columns", columns = missing));
    if schema.columns.len() == 1 && [';', '\t', '|'].iter().any(|&c| schema.columns[0].contains(c)) {
        d = d.help(msg!("header-one-column-help"));
    } else {
        d = d.help(msg!("right-file-help"));
    }
    d
}

/// The id column's position; an error (into `errors`, when given) when a header lacks it,
/// with the header's columns and the likeliest one.
fn find_id(schema: &Schema, options: &CompileOptions, errors: Option<&mut Vec<Diagnostic>>) -> Option<usize> {
    let id_column = schema.columns.iter().position(|c| *c == options.id_column);
    let Some(errors) = errors else { return id_column };
    if id_column.is_none() && schema.complete {
        let shown: Vec<String> = schema.columns.iter().take(12).map(|c| format!("`{c}`")).collect();
        let more = if schema.columns.len() > 12 { ", …" } else { "" };
        let mut d = Diagnostic::general(msg!("no-id-column", column = &options.id_column))
            .help(msg!("data-columns-are", columns = format!("{}{more}", shown.join(", "))));
        let guess = closest(&options.id_column, schema.columns.iter().map(String::as_str))
            .or_else(|| schema.columns.iter().map(String::as_str).find(|c| looks_like_an_id(c)));
        d = match guess {
            Some(near) => d.help(msg!("did-you-mean", name = format!("--id {}", shell_word(near)))),
            None => d.help(msg!("name-id-column-help")),
        };
        errors.push(d);
    }
    id_column
}

/// A header that usually names the customer id column.
fn looks_like_an_id(column: &str) -> bool {
    let lower = column.to_lowercase();
    ["id", "编号", "代码", "客户号", "code", "no."].iter().any(|w| lower.contains(w))
}

/// A column name as it is typed after `--id`: quoted when it has spaces or characters a
/// shell reads.
fn shell_word(column: &str) -> String {
    let plain = column.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if plain {
        column.to_string()
    } else {
        format!("\"{}\"", column.replace('"', "\\\""))
    }
}

/// Each tag once; a tag defined twice is one tag, given when any of its definitions holds.
fn lower_tags(checked: &Checked, lower: &Lower) -> Vec<CompiledSegment> {
    checked
        .tag_groups()
        .into_iter()
        .map(|(name, rules)| {
            let mut conditions: Vec<Cond> =
                rules.iter().map(|&i| lower.cond(&checked.tags[i].condition)).collect();
            let condition = match conditions.len() {
                1 => conditions.remove(0),
                _ => Cond::Or(conditions),
            };
            CompiledSegment { name: name.to_string(), condition }
        })
        .collect()
}

/// A header that names a column twice: an error when the rules (or the id) read that name,
/// since which of the two is meant is unclear; a warning otherwise.
fn repeated_columns(
    checked: &Checked,
    schema: &Schema,
    options: &CompileOptions,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    for (n, column) in schema.columns.iter().enumerate() {
        if schema.columns[..n].contains(column) {
            continue;
        }
        let places: Vec<String> = schema
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| *c == column)
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        if places.len() < 2 {
            continue;
        }
        let message = msg!(
            "repeated-column",
            column = column.as_str(),
            times = places.len(),
            places = places.join(", ")
        );
        let read = checked.fields.iter().find(|f| f.column == *column);
        match read {
            Some(field) => errors.push(
                Diagnostic::error(field.span, message)
                    .label(msg!("repeated-column-read-label"))
                    .help(msg!("repeated-column-rename-help")),
            ),
            None if *column == options.id_column => {
                errors.push(Diagnostic::general(message).help(msg!("repeated-id-column-help")))
            }
            None => {
                let mut d = Diagnostic::general(message).help(msg!("repeated-column-unread-help"));
                d.severity = crate::diagnostic::Severity::Warning;
                warnings.push(d);
            }
        }
    }
}

/// Lowers typed expressions; the checker guarantees every type fits.
struct Lower {
    as_of: Day,
    aggregate_base: usize,
    /// Per event field: its slot in its stream's event row.
    event_slot: Vec<usize>,
}

impl Lower {
    /// The slot a field, an aggregate or an event column reads.
    fn slot(&self, kind: &TypedKind) -> Option<Slot> {
        Some(match kind {
            TypedKind::Field(slot) => *slot as Slot,
            TypedKind::Aggregate(i) => (self.aggregate_base + i) as Slot,
            TypedKind::EventField(f) => self.event_slot[*f] as Slot,
            _ => return None,
        })
    }
}

impl Lower {
    /// A dimension: its segments' conditions in order, `otherwise` last among the names.
    fn dimension(&self, d: &crate::check::Dimension) -> CompiledDimension {
        let mut names: Vec<String> = d.segments.iter().map(|s| s.name.clone()).collect();
        let otherwise = d.otherwise.as_ref().map(|o| {
            names.push(o.name.clone());
            (names.len() - 1) as u16
        });
        let rules: Vec<Cond> = d.segments.iter().map(|s| self.cond(&s.condition)).collect();
        CompiledDimension {
            name: d.name.clone(),
            title: d.title.clone(),
            names,
            lookup: Lookup::build(&rules),
            rules,
            otherwise,
        }
    }

    fn cond(&self, e: &Typed) -> Cond {
        match &e.kind {
            TypedKind::Const(Const::Bool(b)) => Cond::Const(*b),
            TypedKind::Field(_) | TypedKind::EventField(_) => {
                Cond::BoolSlot(self.slot(&e.kind).unwrap_or_default())
            }
            TypedKind::Not(inner) => match self.cond(inner) {
                Cond::Const(b) => Cond::Const(!b),
                other => Cond::Not(Box::new(other)),
            },
            TypedKind::And(..) => all(self.flatten(e, true)),
            TypedKind::Or(..) => Cond::Or(self.flatten(e, false)),
            TypedKind::Compare(op, l, r) => self.compare(*op, l, r),
            TypedKind::In { value, set, negated } => self.membership(value, set, *negated),
            TypedKind::Contains { list, item } => match list.kind {
                TypedKind::Field(slot) => Cond::Contains { list: slot as Slot, item: self.text(item) },
                _ => unreachable!("the checker only lets list fields reach `contains`"),
            },
            TypedKind::IsMissing { value, negated } => {
                Cond::Missing { value: Box::new(self.any(value)), negated: *negated }
            }
            other => unreachable!("not a condition after checking: {other:?}"),
        }
    }

    /// `a and b and c` as one list, so evaluation is a loop, not a deep tree.
    fn flatten(&self, e: &Typed, and: bool) -> Vec<Cond> {
        match &e.kind {
            TypedKind::And(l, r) if and => [self.flatten(l, and), self.flatten(r, and)].concat(),
            TypedKind::Or(l, r) if !and => [self.flatten(l, and), self.flatten(r, and)].concat(),
            _ => vec![self.cond(e)],
        }
    }

    fn compare(&self, op: CmpOp, l: &Typed, r: &Typed) -> Cond {
        match l.ty {
            Ty::Number => match (self.num(l), self.num(r)) {
                (Num::Slot(s), Num::Const(c)) => Cond::NumSlotConst(s, Bounds::number(op, c)),
                (Num::Const(c), Num::Slot(s)) => Cond::NumSlotConst(s, Bounds::number(op.flipped(), c)),
                (Num::DaysSince(d), Num::Const(c)) => self.days_since(op, *d, c),
                (Num::Const(c), Num::DaysSince(d)) => self.days_since(op.flipped(), *d, c),
                (a, b) => match scaled(op, &a, &b) {
                    Some(cond) => cond,
                    None => Cond::Num(op, a, b),
                },
            },
            Ty::Date => match (self.date(l), self.date(r)) {
                (DateExpr::Slot(s), DateExpr::Const(c)) => Cond::DateSlotConst(s, Bounds::day(op, c)),
                (DateExpr::Const(c), DateExpr::Slot(s)) => Cond::DateSlotConst(s, Bounds::day(op.flipped(), c)),
                (a, b) => Cond::Date(op, a, b),
            },
            Ty::Text => match (op, self.text(l), self.text(r)) {
                // `field == "text"` is `field in ["text"]`: the inlined leaf.
                (CmpOp::Eq | CmpOp::Ne, TextExpr::Slot(s), TextExpr::Const(c))
                | (CmpOp::Eq | CmpOp::Ne, TextExpr::Const(c), TextExpr::Slot(s)) => Cond::InText {
                    value: TextExpr::Slot(s),
                    set: TextSet::new(vec![c]),
                    negated: op == CmpOp::Ne,
                },
                (op, a, b) => Cond::Text(op, a, b),
            },
            Ty::Bool => Cond::Bool(op, Box::new(self.cond(l)), Box::new(self.cond(r))),
            Ty::List => unreachable!("the checker rejects comparing lists"),
        }
    }

    /// `days_since(d) OP n` for a whole number of days is a comparison of the date itself
    /// with a fixed day (`days_since(d) > 365` is `d < as_of − 365`): no arithmetic per row.
    fn days_since(&self, op: CmpOp, date: DateExpr, days: crate::decimal::Decimal) -> Cond {
        let whole = i32::try_from(days.whole()).ok().filter(|_| days.is_whole());
        match (date, whole.and_then(|n| self.as_of.checked_sub(n))) {
            (DateExpr::Slot(slot), Some(day)) => Cond::DateSlotConst(slot, Bounds::day(op.flipped(), day)),
            (date, _) => Cond::Num(op, Num::DaysSince(Box::new(date)), Num::Const(days)),
        }
    }

    fn membership(&self, value: &Typed, set: &Typed, negated: bool) -> Cond {
        let TypedKind::Set(items) = &set.kind else {
            unreachable!("the checker turns `in list_field` into `contains`")
        };
        match value.ty {
            Ty::Number => Cond::InNum {
                value: self.num(value),
                set: items
                    .iter()
                    .filter_map(|c| if let Const::Number(n) = c { Some(*n) } else { None })
                    .collect(),
                negated,
            },
            Ty::Date => Cond::InDate {
                value: self.date(value),
                set: items
                    .iter()
                    .filter_map(|c| if let Const::Date(d) = c { Some(*d) } else { None })
                    .collect(),
                negated,
            },
            _ => Cond::InText {
                value: self.text(value),
                set: TextSet::new(
                    items
                        .iter()
                        .filter_map(|c| if let Const::Text(t) = c { Some(t.as_bytes().into()) } else { None })
                        .collect(),
                ),
                negated,
            },
        }
    }

    fn num(&self, e: &Typed) -> Num {
        let binary = |l: &Typed, r: &Typed| (Box::new(self.num(l)), Box::new(self.num(r)));
        let folded = match &e.kind {
            TypedKind::Const(Const::Number(n)) => return Num::Const(*n),
            TypedKind::Field(_) | TypedKind::Aggregate(_) | TypedKind::EventField(_) => {
                return Num::Slot(self.slot(&e.kind).unwrap_or_default())
            }
            TypedKind::Neg(inner) => Num::Neg(Box::new(self.num(inner))),
            TypedKind::Arith(op, l, r) => {
                let (a, b) = binary(l, r);
                match op {
                    ArithOp::Add => Num::Add(a, b),
                    ArithOp::Sub => Num::Sub(a, b),
                    ArithOp::Mul => match (*a, *b) {
                        (Num::Const(c), other) | (other, Num::Const(c))
                            if !matches!(other, Num::Const(_)) =>
                        {
                            Num::Scale(Box::new(other), crate::decimal::Factor::new(c))
                        }
                        (a, b) => Num::Mul(Box::new(a), Box::new(b)),
                    },
                    ArithOp::Div => Num::Div(a, b),
                }
            }
            TypedKind::DaysSince(d) => Num::DaysSince(Box::new(self.date(d))),
            other => unreachable!("not a number after checking: {other:?}"),
        };
        folded.fold(self.as_of)
    }

    fn date(&self, e: &Typed) -> DateExpr {
        match &e.kind {
            TypedKind::Const(Const::Date(d)) => DateExpr::Const(*d),
            TypedKind::AsOf => DateExpr::Const(self.as_of),
            TypedKind::Field(_) | TypedKind::Aggregate(_) | TypedKind::EventField(_) => {
                DateExpr::Slot(self.slot(&e.kind).unwrap_or_default())
            }
            other => unreachable!("not a date after checking: {other:?}"),
        }
    }

    fn text(&self, e: &Typed) -> TextExpr {
        match &e.kind {
            TypedKind::Const(Const::Text(t)) => TextExpr::Const(t.as_bytes().into()),
            TypedKind::Field(_) | TypedKind::EventField(_) => {
                TextExpr::Slot(self.slot(&e.kind).unwrap_or_default())
            }
            other => unreachable!("not text after checking: {other:?}"),
        }
    }

    fn any(&self, e: &Typed) -> AnyExpr {
        if let Some(slot) = self.slot(&e.kind) {
            return AnyExpr::Slot(slot);
        }
        match e.ty {
            Ty::Number => AnyExpr::Num(self.num(e)),
            Ty::Date => AnyExpr::Date(self.date(e)),
            Ty::Text | Ty::List => AnyExpr::Text(self.text(e)),
            Ty::Bool => AnyExpr::Cond(self.cond(e)),
        }
    }
}

/// A conjunction: of ranges alone, as [`Cond::AllRanges`].
fn all(parts: Vec<Cond>) -> Cond {
    let ranges: Option<Vec<_>> = parts
        .iter()
        .map(|part| match part {
            Cond::NumSlotConst(slot, bounds) => Some((*slot, *bounds)),
            _ => None,
        })
        .collect();
    match ranges {
        Some(ranges) if ranges.len() > 1 => Cond::AllRanges(ranges),
        _ => Cond::And(parts),
    }
}

/// `a OP b * factor` (or `b * factor OP a`) between two fields, as one leaf.
fn scaled(op: CmpOp, l: &Num, r: &Num) -> Option<Cond> {
    match (l, r) {
        (Num::Slot(a), Num::Scale(b, factor)) => match **b {
            Num::Slot(b) => Some(Cond::NumSlotScaled(op, *a, b, *factor)),
            _ => None,
        },
        (Num::Scale(b, factor), Num::Slot(a)) => match **b {
            Num::Slot(b) => Some(Cond::NumSlotScaled(op.flipped(), *a, b, *factor)),
            _ => None,
        },
        _ => None,
    }
}
