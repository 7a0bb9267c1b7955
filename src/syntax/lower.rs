//! Turns pest's pair tree into the [`ast`](super::ast). Operator precedence lives here, in
//! one Pratt parser table, so the grammar stays flat and the table reads like the
//! language reference: `or` < `and` < `not` < comparisons < `is missing` < `+ -` < `* /`
//! < unary minus.

use super::ast::*;
use super::grammar::Rule;
use crate::date;
use crate::diagnostic::Diagnostic;
use crate::msg;
use crate::source::{FileId, Span};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::LazyLock;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    use Rule::*;
    PrattParser::new()
        .op(Op::infix(op_or, Assoc::Left))
        .op(Op::infix(op_and, Assoc::Left))
        .op(Op::prefix(op_not))
        .op(Op::infix(op_eq, Assoc::Left)
            | Op::infix(op_ne, Assoc::Left)
            | Op::infix(op_lt, Assoc::Left)
            | Op::infix(op_le, Assoc::Left)
            | Op::infix(op_gt, Assoc::Left)
            | Op::infix(op_ge, Assoc::Left)
            | Op::infix(op_in, Assoc::Left)
            | Op::infix(op_not_in, Assoc::Left)
            | Op::infix(op_contains, Assoc::Left))
        .op(Op::postfix(op_is_missing) | Op::postfix(op_is_present))
        .op(Op::infix(op_add, Assoc::Left) | Op::infix(op_sub, Assoc::Left))
        .op(Op::infix(op_mul, Assoc::Left) | Op::infix(op_div, Assoc::Left))
        .op(Op::prefix(op_neg))
});

type Lowered<T> = Result<T, Diagnostic>;

/// Operators one condition may have: far beyond any real rule, and small enough that the
/// later phases, which walk conditions recursively, stay well within a thread's stack.
pub const MAX_OPERATORS: usize = 1000;

fn is_operator(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        op_or
            | op_and
            | op_in
            | op_not_in
            | op_contains
            | op_eq
            | op_ne
            | op_le
            | op_ge
            | op_lt
            | op_gt
            | op_add
            | op_sub
            | op_mul
            | op_div
            | op_not
            | op_neg
            | op_is_missing
            | op_is_present
    )
}

/// Lowers one file's pairs.
pub struct Lowerer {
    file: FileId,
}

impl Lowerer {
    /// A lowerer for spans in `file`.
    pub fn new(file: FileId) -> Lowerer {
        Lowerer { file }
    }

    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start()..s.end())
    }

    /// Lowers the `file` rule.
    pub fn file(&self, pairs: Pairs<Rule>) -> Lowered<File> {
        let mut items = Vec::new();
        for pair in pairs.flatten().filter(|p| is_item(p.as_rule())) {
            items.push(self.item(pair)?);
        }
        Ok(File { items })
    }

    fn item(&self, pair: Pair<Rule>) -> Lowered<Item> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
        Ok(match rule {
            Rule::include => Item::Include(Include { path: self.string(next(&mut inner))?, span }),
            Rule::field_decl => {
                let name = self.name(next(&mut inner));
                let (mut ty, mut column, mut date_pattern, mut optional) = (None, None, None, false);
                for part in inner {
                    match part.as_rule() {
                        Rule::type_name => {
                            ty = Some(Name { text: part.as_str().to_string(), span: self.span(&part) })
                        }
                        Rule::date_pattern => date_pattern = Some(self.string(next(&mut part.into_inner()))?),
                        Rule::kw_optional => optional = true,
                        _ => column = Some(self.string(part)?),
                    }
                }
                Item::Field(FieldDecl { name, ty, date_pattern, column, optional, span })
            }
            Rule::missing_decl => {
                let words = inner.map(|part| self.string(part)).collect::<Lowered<Vec<_>>>()?;
                Item::Missing(MissingDecl { words, span })
            }
            Rule::let_decl => Item::Let(LetDecl {
                name: self.name(next(&mut inner)),
                value: self.top_expr(next(&mut inner))?,
                span,
            }),
            Rule::events_decl => Item::Events(EventsDecl { name: self.name(next(&mut inner)), span }),
            Rule::dimension => Item::Dimension(self.dimension(inner, span)?),
            Rule::tag => Item::Tag(self.segment(inner, span)?),
            Rule::test_block => Item::Test(self.test_block(inner, span)?),
            _ => unreachable!("not an item: {rule:?}"),
        })
    }

    fn dimension<'i>(&self, inner: impl Iterator<Item = Pair<'i, Rule>>, span: Span) -> Lowered<Dimension> {
        let mut dimension = Dimension {
            name: Name { text: String::new(), span },
            title: None,
            segments: Vec::new(),
            otherwise: None,
            span,
        };
        for part in inner {
            let part_span = self.span(&part);
            match part.as_rule() {
                Rule::name => dimension.name = self.name(part),
                Rule::string => dimension.title = Some(self.string(part)?),
                Rule::segment => {
                    let parts = part.into_inner().filter(|p| !is_keyword(p.as_rule()));
                    dimension.segments.push(self.segment(parts, part_span)?);
                }
                Rule::otherwise => {
                    let mut parts = part.into_inner().filter(|p| !is_keyword(p.as_rule()));
                    let name = self.string(next(&mut parts))?;
                    let (action, lifecycle) = self.action_clauses(parts)?;
                    dimension.otherwise = Some(Otherwise { name, action, lifecycle, span: part_span });
                }
                _ => {}
            }
        }
        Ok(dimension)
    }

    fn segment<'i>(&self, mut inner: impl Iterator<Item = Pair<'i, Rule>>, span: Span) -> Lowered<Segment> {
        let name = self.string(next(&mut inner))?;
        let condition = self.top_expr(next(&mut inner))?;
        let (action, lifecycle) = self.action_clauses(inner)?;
        Ok(Segment { name, condition, action, lifecycle, span })
    }

    /// A segment's `then`, `on enter` and `on leave` clauses, each at most once.
    fn action_clauses<'i>(
        &self,
        clauses: impl Iterator<Item = Pair<'i, Rule>>,
    ) -> Lowered<(Option<Str>, Lifecycle)> {
        let (mut action, mut lifecycle) = (None, Lifecycle::default());
        for clause in clauses {
            let span = self.span(&clause);
            let rule = clause.as_rule();
            let mut inner = clause.into_inner().filter(|p| !is_keyword(p.as_rule()));
            let script = self.string(next(&mut inner))?;
            let (taken, words) = match rule {
                Rule::then_clause => (action.replace(script).is_some(), "then"),
                Rule::on_enter => (lifecycle.on_enter.replace((script, span)).is_some(), "on enter"),
                _ => (lifecycle.on_leave.replace((script, span)).is_some(), "on leave"),
            };
            if taken {
                return Err(twice(span, words));
            }
        }
        Ok((action, lifecycle))
    }

    fn test_block<'i>(
        &self,
        mut inner: impl Iterator<Item = Pair<'i, Rule>>,
        span: Span,
    ) -> Lowered<TestBlock> {
        let name = self.string(next(&mut inner))?;
        let mut block = TestBlock { name, as_of: None, given: Vec::new(), expectations: Vec::new(), span };
        for part in inner {
            match part.as_rule() {
                Rule::test_as_of => {
                    let date_pair = last_child(part);
                    block.as_of = Some((self.date(&date_pair)?, self.span(&date_pair)));
                }
                Rule::given => block.given = self.given_entries(part)?,
                Rule::expectation => block.expectations.push(self.expectation(part)?),
                _ => {}
            }
        }
        Ok(block)
    }

    fn given_entries(&self, pair: Pair<Rule>) -> Lowered<Vec<(Name, GivenValue)>> {
        let mut entries = Vec::new();
        for entry in pair.into_inner().filter(|p| p.as_rule() == Rule::given_entry) {
            let mut parts = entry.into_inner();
            let name = self.name(next(&mut parts));
            entries.push((name, self.given_value(next(&mut parts))?));
        }
        Ok(entries)
    }

    fn given_value(&self, pair: Pair<Rule>) -> Lowered<GivenValue> {
        let span = self.span(&pair);
        Ok(match pair.as_rule() {
            Rule::date => GivenValue::Date(self.date(&pair)?, span),
            Rule::number_value => GivenValue::Number(pair.as_str().replace('_', ""), span),
            Rule::string => GivenValue::Text(self.string(pair)?.text, span),
            Rule::kw_true => GivenValue::Bool(true, span),
            Rule::kw_false => GivenValue::Bool(false, span),
            Rule::given_list => GivenValue::List(
                pair.into_inner().map(|p| self.given_value(p)).collect::<Lowered<_>>()?,
                span,
            ),
            Rule::given_rows => GivenValue::Rows(
                pair.into_inner().map(|row| self.given_entries(row)).collect::<Lowered<_>>()?,
                span,
            ),
            other => unreachable!("not a given value: {other:?}"),
        })
    }

    fn expectation(&self, pair: Pair<Rule>) -> Lowered<Expectation> {
        let span = self.span(&pair);
        let form = last_child(pair);
        let rule = form.as_rule();
        let mut parts = form.into_inner().filter(|p| !is_keyword(p.as_rule()));
        Ok(match rule {
            Rule::expect_segment => Expectation::Segment {
                dimension: self.name(next(&mut parts)),
                segment: self.string(next(&mut parts))?,
                span,
            },
            Rule::expect_missing => Expectation::Missing { dimension: self.name(next(&mut parts)), span },
            Rule::expect_tagged | Rule::expect_not_tagged => Expectation::Tagged {
                tag: self.string(next(&mut parts))?,
                negated: rule == Rule::expect_not_tagged,
                span,
            },
            other => unreachable!("not an expectation: {other:?}"),
        })
    }

    /// Lowers a whole condition or `let` body, refusing one too long to handle safely.
    fn top_expr(&self, pair: Pair<Rule>) -> Lowered<Expr> {
        let operators = pair.clone().into_inner().flatten().filter(|p| is_operator(p.as_rule())).count();
        if operators > MAX_OPERATORS {
            return Err(Diagnostic::error(self.span(&pair), msg!("condition-too-long"))
                .label(msg!("condition-too-long-label", operators = operators, most = MAX_OPERATORS))
                .help(msg!("condition-too-long-help")));
        }
        self.expr(pair)
    }

    /// Lowers an `expr` pair with the Pratt table.
    pub fn expr(&self, pair: Pair<Rule>) -> Lowered<Expr> {
        PRATT
            .map_primary(|primary| self.operand(primary))
            .map_prefix(|op, operand| {
                let operand = operand?;
                let op_kind = if op.as_rule() == Rule::op_not { UnaryOp::Not } else { UnaryOp::Neg };
                Ok(Expr {
                    span: self.span(&op).to(operand.span),
                    kind: ExprKind::Unary { op: op_kind, operand: Box::new(operand) },
                })
            })
            .map_postfix(|operand, op| {
                let operand = operand?;
                let op_kind =
                    if op.as_rule() == Rule::op_is_missing { UnaryOp::IsMissing } else { UnaryOp::IsPresent };
                Ok(Expr {
                    span: operand.span.to(self.span(&op)),
                    kind: ExprKind::Unary { op: op_kind, operand: Box::new(operand) },
                })
            })
            .map_infix(|left, op, right| {
                let (left, right) = (left?, right?);
                Ok(Expr {
                    span: left.span.to(right.span),
                    kind: ExprKind::Binary {
                        op: binary_op(op.as_rule()),
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                })
            })
            .parse(pair.into_inner())
    }

    /// A list's item: an expression, or a string taken as it is (see `list_item` in the
    /// grammar).
    fn list_item(&self, pair: Pair<Rule>) -> Lowered<Expr> {
        match pair.as_rule() {
            Rule::expr => self.expr(pair),
            _ => self.operand(pair),
        }
    }

    fn operand(&self, pair: Pair<Rule>) -> Lowered<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            // The brackets belong to the expression's text (explain shows it as written).
            Rule::paren => return self.expr(last_child(pair)).map(|inner| Expr { span, ..inner }),
            Rule::number => ExprKind::Number(pair.as_str().replace('_', "")),
            Rule::date => ExprKind::Date(self.date(&pair)?),
            Rule::string => ExprKind::Text(self.string(pair)?.text),
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::as_of => ExprKind::AsOf,
            Rule::name => ExprKind::Name(self.name(pair)),
            Rule::list => ExprKind::List(pair.into_inner().map(|p| self.list_item(p)).collect::<Lowered<_>>()?),
            Rule::call => {
                let mut inner = pair.into_inner();
                let function_pair = next(&mut inner);
                let function =
                    Name { text: function_pair.as_str().to_string(), span: self.span(&function_pair) };
                let args = inner.map(|p| self.expr(p)).collect::<Lowered<_>>()?;
                ExprKind::Call { function, args }
            }
            Rule::aggregate => ExprKind::Aggregate(Box::new(self.aggregate(pair)?)),
            other => unreachable!("not an operand: {other:?}"),
        };
        Ok(Expr { kind, span })
    }

    fn aggregate(&self, pair: Pair<Rule>) -> Lowered<Aggregate> {
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
        let function_pair = next(&mut inner);
        let function = Name { text: function_pair.as_str().to_string(), span: self.span(&function_pair) };
        let mut reference = next(&mut inner).into_inner();
        let stream = self.name(next(&mut reference));
        let column = reference.next().map(|p| self.name(p));
        let mut aggregate = Aggregate { function, stream, column, filter: None, window: None };
        for part in inner {
            match part.as_rule() {
                Rule::expr => aggregate.filter = Some(self.expr(part)?),
                Rule::window => aggregate.window = Some(self.window(part)?),
                _ => {}
            }
        }
        Ok(aggregate)
    }

    fn window(&self, pair: Pair<Rule>) -> Lowered<Window> {
        let mut numbers = Vec::new();
        let mut unit = TimeUnit::Days;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::integer => {
                    let text = part.as_str().replace('_', "");
                    numbers.push((text.parse::<u64>().unwrap_or(u64::MAX), self.span(&part)));
                }
                Rule::time_unit => {
                    unit = match part.as_str().trim_end_matches('s') {
                        "day" => TimeUnit::Days,
                        "month" => TimeUnit::Months,
                        _ => TimeUnit::Years,
                    }
                }
                _ => {}
            }
        }
        // Ten thousand years back from any as-of date stays inside the calendar.
        let (limit, units) = match unit {
            TimeUnit::Days => (3_652_425, "days"),
            TimeUnit::Months => (120_000, "months"),
            TimeUnit::Years => (10_000, "years"),
        };
        let mut amounts = Vec::with_capacity(2);
        for (value, span) in numbers {
            match u32::try_from(value).ok().filter(|&v| v <= limit) {
                Some(value) => amounts.push(value),
                None => {
                    return Err(Diagnostic::error(span, msg!("window-too-long")).label(msg!(
                        "window-too-long-label",
                        limit = limit,
                        unit = units
                    )))
                }
            }
        }
        Ok(match amounts[..] {
            [amount] => Window::Last { amount, unit },
            [from, to] => Window::Between { from, to, unit },
            _ => unreachable!("window has one or two numbers"),
        })
    }

    fn name(&self, pair: Pair<Rule>) -> Name {
        let span = self.span(&pair);
        let inner = last_child(pair);
        let text = match inner.as_rule() {
            Rule::quoted_name => last_child(inner).as_str().to_string(),
            _ => inner.as_str().to_string(),
        };
        Name { text, span }
    }

    fn string(&self, pair: Pair<Rule>) -> Lowered<Str> {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
        let mut text = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                text.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some(other) => text.push(other),
                None => {}
            }
        }
        Ok(Str { text, span })
    }

    fn date(&self, pair: &Pair<Rule>) -> Lowered<i32> {
        date::parse(pair.as_str()).ok_or_else(|| {
            Diagnostic::error(self.span(pair), msg!("not-a-calendar-date", text = pair.as_str()))
                .label(msg!("no-such-day"))
                .help(msg!("dates-are-written"))
        })
    }
}

fn is_item(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::include
            | Rule::field_decl
            | Rule::missing_decl
            | Rule::let_decl
            | Rule::events_decl
            | Rule::dimension
            | Rule::tag
            | Rule::test_block
    )
}

/// Keywords that only mark structure; `true` and `false` are values and are kept.
fn is_keyword(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        kw_dimension
            | kw_segment
            | kw_when
            | kw_then
            | kw_on
            | kw_enter
            | kw_leave
            | kw_otherwise
            | kw_let
            | kw_field
            | kw_include
            | kw_events
            | kw_values
            | kw_and
            | kw_or
            | kw_not
            | kw_in
            | kw_contains
            | kw_is
            | kw_missing
            | kw_present
            | kw_last
            | kw_from
            | kw_to
            | kw_ago
            | kw_where
            | kw_test
            | kw_given
            | kw_expect
            | kw_tagged
            | kw_as_of
    )
}

fn binary_op(rule: Rule) -> BinaryOp {
    match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_in => BinaryOp::In,
        Rule::op_not_in => BinaryOp::NotIn,
        Rule::op_contains => BinaryOp::Contains,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        other => unreachable!("not an infix operator: {other:?}"),
    }
}

/// The next pair; the grammar guarantees it is there.
fn next<'i>(pairs: &mut impl Iterator<Item = Pair<'i, Rule>>) -> Pair<'i, Rule> {
    pairs.next().expect("the grammar guarantees this part")
}

/// The last inner pair; the grammar guarantees there is one.
fn last_child(pair: Pair<Rule>) -> Pair<Rule> {
    pair.into_inner().last().expect("the grammar guarantees an inner part")
}

/// A segment given two scripts for one moment.
fn twice(span: Span, clause: &str) -> Diagnostic {
    Diagnostic::error(span, msg!("clause-twice", clause = clause))
        .help(msg!("clause-twice-help", clause = clause))
}
