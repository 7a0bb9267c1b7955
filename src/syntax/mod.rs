//! Parsing: source text → [`ast::File`]. The grammar is `grammar/segments.pest`; this module
//! runs it and turns pest's failures into diagnostics that speak the user's language
//! ("expected a condition"), never pest's rule names.

pub mod ast;
mod grammar;
mod lower;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use grammar::{Rule, SegmentParser};
use pest::error::{ErrorVariant, InputLocation};
use pest::Parser;
use std::collections::BTreeSet;

/// How deeply brackets may nest; deeper input is refused before parsing, so that no
/// ruleset can exhaust the parser's stack.
pub const MAX_NESTING: usize = 64;

/// Parses one ruleset file.
pub fn parse(file: FileId, text: &str) -> Result<ast::File, Diagnostic> {
    if let Some(at) = too_deep(text) {
        return Err(Diagnostic::error(Span::new(file, at..at + 1), "brackets nest too deeply")
            .label(format!("more than {MAX_NESTING} levels"))
            .help("name inner parts with `let` to flatten the condition"));
    }
    match SegmentParser::parse(Rule::file, text) {
        Ok(pairs) => lower::Lowerer::new(file).file(pairs),
        Err(error) => Err(describe(file, text, error)),
    }
}

/// The position where bracket nesting first exceeds [`MAX_NESTING`], outside strings and
/// comments.
fn too_deep(text: &str) -> Option<usize> {
    let (mut depth, mut in_string, mut in_comment, mut escaped) = (0usize, false, false, false);
    for (i, b) in text.bytes().enumerate() {
        match b {
            _ if in_comment => in_comment = b != b'\n',
            _ if in_string => {
                in_string = escaped || b != b'"';
                escaped = !escaped && b == b'\\';
            }
            b'"' => in_string = true,
            b'#' => in_comment = true,
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parses one expression on its own; for tools and tests.
pub fn parse_expr(file: FileId, text: &str) -> Result<ast::Expr, Diagnostic> {
    let wrapped = format!("let _ = {text}");
    let parsed = parse(file, &wrapped)?;
    match parsed.items.into_iter().next() {
        Some(ast::Item::Let(decl)) => Ok(decl.value),
        _ => Err(Diagnostic::general("not an expression")),
    }
}

fn describe(file: FileId, text: &str, error: pest::error::Error<Rule>) -> Diagnostic {
    let at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected = BTreeSet::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        expected.extend(positives.iter().filter_map(|r| phrase(*r)));
    }
    expected.extend(punctuation_expected(text, at));
    let found = found_at(text, at);
    let span = Span::new(file, at..(at + found.len()).min(text.len()));
    let message = match expected.len() {
        0 => format!("unexpected {}", describe_found(found)),
        _ => format!("expected {}", join_or(&expected.into_iter().collect::<Vec<_>>())),
    };
    let mut diagnostic = Diagnostic::error(span, message).label(format!("found {}", describe_found(found)));
    if let Some(help) = hint(found) {
        diagnostic = diagnostic.help(help);
    }
    diagnostic
}

/// Punctuation the parser would have accepted at `at`: pest does not report literal tokens
/// as rules, so ask it again with error detail switched on.
fn punctuation_expected(text: &str, at: usize) -> Vec<String> {
    pest::set_error_detail(true);
    let attempt = SegmentParser::parse(Rule::file, text);
    pest::set_error_detail(false);
    let Err(error) = attempt else { return Vec::new() };
    let Some(attempts) = error.parse_attempts() else { return Vec::new() };
    if attempts.max_position != at {
        return Vec::new();
    }
    attempts
        .expected_tokens()
        .into_iter()
        .map(|token| token.to_string())
        .filter(|token| is_punctuation(token))
        .map(|token| format!("`{token}`"))
        .collect()
}

fn is_punctuation(token: &str) -> bool {
    matches!(token, "{" | "}" | ")" | "]" | "=" | ":" | ",")
}

/// A phrase for a grammar rule, or `None` for rules that only add noise.
fn phrase(rule: Rule) -> Option<String> {
    use Rule::*;
    let text = match rule {
        EOI | include | field_decl | missing_decl | let_decl | events_decl | dimension | tag | test_block
        | kw_include | kw_field | kw_let | kw_events | kw_dimension | kw_test => {
            "a declaration (`dimension`, `segment`, `let`, `field`, `include`, `test`)"
        }
        segment | kw_segment => "`segment`",
        otherwise | kw_otherwise => "`otherwise`",
        kw_when => "`when`",
        then_clause | kw_then => "`then`",
        expr | paren | aggregate | call | list | date | number | string | kw_true | kw_false | as_of
        | name | ident | quoted_name | op_not | op_neg | agg_fn => "a value",
        op_or | op_and | op_in | op_not_in | op_contains | op_eq | op_ne | op_le | op_ge | op_lt | op_gt
        | op_add | op_sub | op_mul | op_div | op_is_missing | op_is_present => "an operator",
        type_name => "a type (`number`, `text`, `date`, `bool`, `list`)",
        date_pattern => "a date pattern (`\"D/M/YYYY\"` or `\"M/D/YYYY\"`)",
        kw_optional => "`optional`",
        kw_values => "`values`",
        given | kw_given => "`given { … }`",
        expectation | kw_expect => "`expect`",
        test_as_of => "`as_of`",
        window | kw_last | kw_from => "a time window (`in last 12 months`)",
        kw_where => "`where`",
        time_unit => "`days`, `months` or `years`",
        integer => "a whole number",
        kw_ago => "`ago`",
        kw_to => "`to`",
        given_entry | given_row => "`name: value`",
        number_value | given_list | given_rows => "a value",
        expect_segment | expect_missing | expect_tagged | expect_not_tagged | kw_tagged => {
            "an expectation (`dim == \"segment\"`, `tagged \"tag\"`, `dim is missing`)"
        }
        _ => return None,
    };
    Some(text.to_string())
}

/// The token at `at`: a word, a quoted string's first character, or one character.
fn found_at(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let word =
        rest.char_indices().find(|&(_, c)| !(c.is_alphanumeric() || c == '_')).map_or(rest.len(), |(i, _)| i);
    if word > 0 {
        return &rest[..word];
    }
    rest.chars().next().map_or("", |c| &rest[..c.len_utf8()])
}

fn describe_found(found: &str) -> String {
    match found {
        "" => "the end of the file".to_string(),
        "\n" | "\r" => "the end of the line".to_string(),
        other => format!("`{other}`"),
    }
}

/// A word of advice for common slips.
fn hint(found: &str) -> Option<String> {
    // Reserved words a column might well be named; a declaration keyword where a value
    // was expected means the value is missing, not that a column needs backticks.
    let reserved = [
        "when", "then", "events", "in", "contains", "is", "missing", "present", "last", "from", "to", "ago",
        "where", "test", "given", "expect", "tagged", "as_of",
    ];
    if reserved.contains(&found) {
        return Some(format!(
            "`{found}` is a reserved word: to use a column of that name, write it between backticks"
        ));
    }
    match found {
        "=" => Some("to compare, write `==`".to_string()),
        "&&" | "&" => Some("write `and`".to_string()),
        "||" | "|" => Some("write `or`".to_string()),
        "'" => Some("text is written in double quotes: \"like this\"".to_string()),
        _ => None,
    }
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests;
