//! Warnings a careful reviewer would give a ruleset that is valid but probably not what
//! its author meant: a segment earlier segments already take every customer from, and a
//! dimension without `otherwise` that lets customers fall through (with an example).
//!
//! Conditions are analysed when they are conjunctions of simple constraints on fields
//! (ranges of numbers and dates, sets of text, presence); anything else is left alone,
//! so a warning is always justified but not every unreachable segment is found.

use super::interpret::{Interpreter, Value};
use super::tri::Tri;
use super::typed::{CmpOp, Const, Ty, Typed, TypedKind};
use super::{Checked, Dimension};
use crate::decimal::Decimal;
use crate::diagnostic::Diagnostic;
use crate::messages::Arg;
use crate::msg;
use std::collections::{BTreeMap, BTreeSet};

/// One end of a range: the value and whether it is included.
type End = Option<(Decimal, bool)>;

/// What a conjunction says about one field.
#[derive(Debug, Clone, PartialEq)]
enum Constraint {
    /// Present, within `lo..hi`.
    Range { lo: End, hi: End },
    /// Present, one of these texts.
    OneOf(BTreeSet<String>),
    /// Present, anything.
    Present,
}

/// A condition as field → constraint, all of which must hold.
type Conjunction = BTreeMap<usize, Constraint>;

/// All warnings for a checked ruleset.
pub fn lint(checked: &Checked) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for dimension in &checked.dimensions {
        warnings.extend(unreachable(dimension));
        if dimension.otherwise.is_none() {
            warnings.extend(gap(checked, dimension));
        }
    }
    warnings.extend(undated_tests(checked));
    warnings
}

fn unreachable(dimension: &Dimension) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let shapes: Vec<Option<Conjunction>> =
        dimension.segments.iter().map(|s| conjunction(&s.condition)).collect();
    for (i, segment) in dimension.segments.iter().enumerate() {
        let Some(later) = &shapes[i] else { continue };
        if later.values().any(is_empty) {
            warnings.push(
                Diagnostic::warning(segment.span, msg!("segment-never-matches", name = &segment.name))
                    .label(msg!("segment-contradicts-itself")),
            );
            continue;
        }
        let earlier = &shapes[..i];
        if let Some(j) = earlier.iter().position(|e| e.as_ref().is_some_and(|e| implies(later, e))) {
            warnings.push(
                Diagnostic::warning(segment.span, msg!("segment-never-matches", name = &segment.name))
                    .label(msg!("segment-taken-above"))
                    .related(dimension.segments[j].span, msg!("by-this-segment")),
            );
        } else if let Some(covering) = covered_by_union(later, earlier) {
            let mut d =
                Diagnostic::warning(segment.span, msg!("segment-never-matches", name = &segment.name))
                    .label(msg!("segment-covered-above"));
            for j in covering {
                d = d.related(dimension.segments[j].span, msg!("with-the-others-marked"));
            }
            warnings.push(d);
        }
    }
    warnings
}

/// Breaks a condition into per-field constraints, if it is a conjunction of simple ones.
fn conjunction(e: &Typed) -> Option<Conjunction> {
    let mut out = Conjunction::new();
    collect(e, &mut out)?;
    Some(out)
}

fn collect(e: &Typed, out: &mut Conjunction) -> Option<()> {
    let (field, constraint) = match &e.kind {
        TypedKind::And(a, b) => {
            collect(a, out)?;
            return collect(b, out);
        }
        TypedKind::Field(f) if e.ty == Ty::Bool => (*f, Constraint::OneOf(["true".to_string()].into())),
        TypedKind::IsMissing { value, negated: true } => match value.kind {
            TypedKind::Field(f) => (f, Constraint::Present),
            _ => return None,
        },
        TypedKind::In { value, set, negated: false } => match (&value.kind, &set.kind) {
            (TypedKind::Field(f), TypedKind::Set(items)) if value.ty == Ty::Text => {
                (*f, Constraint::OneOf(items.iter().filter_map(text).collect()))
            }
            _ => return None,
        },
        TypedKind::Compare(op, l, r) => match (&l.kind, &r.kind) {
            (TypedKind::Field(f), TypedKind::Const(c)) => (*f, compare(*op, c)?),
            (TypedKind::Const(c), TypedKind::Field(f)) => (*f, compare((*op).flipped(), c)?),
            _ => return None,
        },
        _ => return None,
    };
    let merged = match out.remove(&field) {
        Some(existing) => intersect(existing, constraint)?,
        None => constraint,
    };
    out.insert(field, merged);
    Some(())
}

fn text(c: &Const) -> Option<String> {
    match c {
        Const::Text(t) => Some(t.clone()),
        _ => None,
    }
}

fn key(c: &Const) -> Option<Decimal> {
    match c {
        Const::Number(n) => Some(*n),
        Const::Date(d) => Some(Decimal::from_int(i64::from(*d))),
        _ => None,
    }
}

fn compare(op: CmpOp, c: &Const) -> Option<Constraint> {
    let as_text = match c {
        Const::Text(t) => Some(t.clone()),
        Const::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    if let Some(t) = as_text {
        return (op == CmpOp::Eq).then(|| Constraint::OneOf([t].into()));
    }
    let k = key(c)?;
    Some(match op {
        CmpOp::Eq => Constraint::Range { lo: Some((k, true)), hi: Some((k, true)) },
        CmpOp::Lt => Constraint::Range { lo: None, hi: Some((k, false)) },
        CmpOp::Le => Constraint::Range { lo: None, hi: Some((k, true)) },
        CmpOp::Gt => Constraint::Range { lo: Some((k, false)), hi: None },
        CmpOp::Ge => Constraint::Range { lo: Some((k, true)), hi: None },
        CmpOp::Ne => return None,
    })
}

fn intersect(a: Constraint, b: Constraint) -> Option<Constraint> {
    Some(match (a, b) {
        (Constraint::Present, other) | (other, Constraint::Present) => other,
        (Constraint::OneOf(x), Constraint::OneOf(y)) => {
            Constraint::OneOf(x.intersection(&y).cloned().collect())
        }
        (Constraint::Range { lo: l1, hi: h1 }, Constraint::Range { lo: l2, hi: h2 }) => {
            Constraint::Range { lo: tighter(l1, l2, true), hi: tighter(h1, h2, false) }
        }
        _ => return None,
    })
}

/// The tighter of two lower (or upper) ends.
fn tighter(a: End, b: End, lower: bool) -> End {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some((x, xi)), Some((y, yi))) if x == y => Some((x, xi && yi)),
        (Some(x), Some(y)) => Some(if (x.0 > y.0) == lower { x } else { y }),
    }
}

fn is_empty(c: &Constraint) -> bool {
    match c {
        Constraint::OneOf(set) => set.is_empty(),
        Constraint::Range { lo: Some((l, li)), hi: Some((h, hi)) } => l > h || (l == h && !(*li && *hi)),
        _ => false,
    }
}

/// True when every customer meeting `later` meets `earlier`.
fn implies(later: &Conjunction, earlier: &Conjunction) -> bool {
    earlier.iter().all(|(field, wanted)| later.get(field).is_some_and(|have| within(have, wanted)))
}

fn within(have: &Constraint, wanted: &Constraint) -> bool {
    match (have, wanted) {
        (_, Constraint::Present) => true,
        (Constraint::OneOf(h), Constraint::OneOf(w)) => h.is_subset(w),
        (Constraint::Range { lo: hl, hi: hh }, Constraint::Range { lo: wl, hi: wh }) => {
            end_within(*hl, *wl, true) && end_within(*hh, *wh, false)
        }
        _ => false,
    }
}

/// True when the end `have` lies inside the end `wanted` (for a lower end: at or above).
fn end_within(have: End, wanted: End, lower: bool) -> bool {
    match (have, wanted) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some((h, hi)), Some((w, wi))) => {
            if h == w {
                wi || !hi
            } else {
                (h > w) == lower
            }
        }
    }
}

/// When `later` constrains one field and the single-field segments above cover its range
/// or set together, the indices of those segments.
fn covered_by_union(later: &Conjunction, earlier: &[Option<Conjunction>]) -> Option<Vec<usize>> {
    let (field, wanted) = single(later)?;
    let mut pieces: Vec<(usize, &Constraint)> = Vec::new();
    for (i, e) in earlier.iter().enumerate() {
        if let Some((f, c)) = e.as_ref().and_then(single) {
            if f == field {
                pieces.push((i, c));
            }
        }
    }
    let covered = match wanted {
        Constraint::OneOf(set) => {
            set.iter().all(|t| pieces.iter().any(|(_, c)| matches!(c, Constraint::OneOf(s) if s.contains(t))))
        }
        Constraint::Range { lo, hi } => range_covered(*lo, *hi, &pieces),
        Constraint::Present => false,
    };
    (covered && pieces.len() > 1).then(|| pieces.iter().map(|(i, _)| *i).collect())
}

fn single(c: &Conjunction) -> Option<(usize, &Constraint)> {
    (c.len() == 1).then(|| c.iter().next()).flatten().map(|(f, c)| (*f, c))
}

/// True when the ranges above cover `lo..hi` together. Where the union leaves a gap, the
/// gap is bounded by the ends in play, so it holds one of them, a midpoint between two
/// neighbouring ends, or a point beyond the outermost: testing those points decides it.
fn range_covered(lo: End, hi: End, pieces: &[(usize, &Constraint)]) -> bool {
    let ranges: Vec<(End, End)> = pieces
        .iter()
        .filter_map(|(_, c)| match c {
            Constraint::Range { lo, hi } => Some((*lo, *hi)),
            _ => None,
        })
        .collect();
    let mut ends: Vec<Decimal> =
        ranges.iter().flat_map(|(l, h)| [*l, *h]).chain([lo, hi]).flatten().map(|(v, _)| v).collect();
    ends.sort();
    ends.dedup();
    let (Some(&first), Some(&last)) = (ends.first(), ends.last()) else { return false };
    let one = Decimal::from_int(1);
    let mut points: Vec<Decimal> = ends.clone();
    points.extend(ends.windows(2).filter_map(|w| w[0].checked_add(w[1])?.checked_div(Decimal::from_int(2))));
    points.extend(first.checked_sub(one));
    points.extend(last.checked_add(one));
    points.iter().filter(|&&p| inside(p, lo, hi)).all(|&p| ranges.iter().any(|&(l, h)| inside(p, l, h)))
}

fn inside(p: Decimal, lo: End, hi: End) -> bool {
    let above = lo.is_none_or(|(l, inclusive)| p > l || (inclusive && p == l));
    let below = hi.is_none_or(|(h, inclusive)| p < h || (inclusive && p == h));
    above && below
}

/// For a dimension without `otherwise`: an example customer no segment takes.
fn gap(checked: &Checked, dimension: &Dimension) -> Option<Diagnostic> {
    let mut fields = BTreeSet::new();
    for segment in &dimension.segments {
        used_fields(&segment.condition, &mut fields);
    }
    // A customer with no value at all, on no particular date (no clock is read: the
    // warning must not change from one day to the next).
    let nothing = |_: usize| Value::Missing;
    let interpreter =
        Interpreter { fields: &checked.fields, sources: &checked.sources, values: &nothing, as_of: None };
    if dimension.segments.iter().any(|s| interpreter.eval(&s.condition).truth() == Tri::True) {
        return None;
    }
    let names: Vec<Arg> =
        fields.iter().map(|&f| Arg::Text(format!("`{}`", checked.fields[f].name))).collect();
    let help = match names.len() {
        0 => msg!("no-segment-every-customer-help"),
        _ => msg!("no-segment-example-help", fields = Arg::All(names)),
    };
    Some(
        Diagnostic::warning(dimension.span, msg!("some-get-no-segment", dimension = &dimension.name))
            .label(msg!("no-otherwise"))
            .help(help),
    )
}

fn used_fields(e: &Typed, out: &mut BTreeSet<usize>) {
    match &e.kind {
        TypedKind::Field(f) => {
            out.insert(*f);
        }
        TypedKind::Const(_)
        | TypedKind::Set(_)
        | TypedKind::AsOf
        | TypedKind::Aggregate(_)
        | TypedKind::EventField(_) => {}
        TypedKind::Neg(a) | TypedKind::DaysSince(a) | TypedKind::Not(a) => used_fields(a, out),
        TypedKind::IsMissing { value, .. } => used_fields(value, out),
        TypedKind::Arith(_, a, b)
        | TypedKind::Compare(_, a, b)
        | TypedKind::And(a, b)
        | TypedKind::Or(a, b) => {
            used_fields(a, out);
            used_fields(b, out);
        }
        TypedKind::In { value, set, .. } => {
            used_fields(value, out);
            used_fields(set, out);
        }
        TypedKind::Contains { list, item } => {
            used_fields(list, out);
            used_fields(item, out);
        }
    }
}

/// Tests without `as_of` that give a value the rules count days from (a date read by
/// `days_since` or compared with `as_of`, events in a window): they count from the day they
/// run, so they may pass today and fail next month.
fn undated_tests(checked: &Checked) -> Vec<Diagnostic> {
    let mut dated: BTreeSet<String> = BTreeSet::new();
    let conditions = checked
        .dimensions
        .iter()
        .flat_map(|d| d.segments.iter().map(|s| &s.condition))
        .chain(checked.tags.iter().map(|t| &t.condition));
    for condition in conditions {
        dated_inputs(checked, condition, &mut dated);
    }
    checked
        .tests
        .iter()
        .filter(|t| t.as_of.is_none())
        .filter_map(|t| {
            let given = t.given.iter().find(|(name, _)| dated.contains(&name.text))?;
            let warning = Diagnostic::warning(t.name.span, msg!("test-without-as-of", name = &t.name.text))
                .label(msg!("test-without-as-of-label"))
                .related(given.0.span, msg!("test-without-as-of-related"))
                .help(msg!("test-without-as-of-help"));
            Some(warning)
        })
        .collect()
}

/// The fields (and event streams) whose values a condition measures from the as-of date.
fn dated_inputs(checked: &Checked, t: &Typed, found: &mut BTreeSet<String>) {
    match &t.kind {
        TypedKind::DaysSince(inner) => fields_in(checked, inner, found),
        TypedKind::Compare(_, a, b) if matches!(a.kind, TypedKind::AsOf) => fields_in(checked, b, found),
        TypedKind::Compare(_, a, b) if matches!(b.kind, TypedKind::AsOf) => fields_in(checked, a, found),
        TypedKind::Aggregate(i) => {
            if let Some(aggregate) = checked.aggregates.get(*i).filter(|a| a.window.is_some()) {
                found.extend(checked.streams.get(aggregate.stream).map(|s| s.0.clone()));
            }
        }
        _ => t.children().into_iter().for_each(|c| dated_inputs(checked, c, found)),
    }
}

/// Every field (and event stream) a subexpression reads.
fn fields_in(checked: &Checked, t: &Typed, found: &mut BTreeSet<String>) {
    match &t.kind {
        TypedKind::Field(id) => found.extend(checked.fields.get(*id).map(|f| f.name.clone())),
        TypedKind::Aggregate(i) => found.extend(
            checked.aggregates.get(*i).and_then(|a| checked.streams.get(a.stream)).map(|s| s.0.clone()),
        ),
        _ => t.children().into_iter().for_each(|c| fields_in(checked, c, found)),
    }
}
