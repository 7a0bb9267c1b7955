//! Parsing: source text → [`ast::File`]. The grammar is `grammar/segments.pest`; this module
//! runs it and turns pest's failures into diagnostics that speak the user's language
//! ("expected a condition"), never pest's rule names.

pub mod ast;
mod grammar;
mod lower;

use crate::diagnostic::Diagnostic;
use crate::messages::{Arg, Message};
use crate::msg;
use crate::source::{FileId, Span};
use grammar::{Rule, SegmentParser};
use pest::error::{ErrorVariant, InputLocation};
use pest::Parser;
use std::collections::BTreeSet;

/// How deeply brackets may nest; deeper input is refused before parsing, so that no
/// ruleset can exhaust the parser's stack.
pub const MAX_NESTING: usize = 64;

/// The most syntax errors reported for one file.
const MAX_ERRORS: usize = 50;

/// Parses one ruleset file, reporting every syntax error in it: after each, parsing goes on
/// at the next declaration.
pub fn parse(file: FileId, text: &str) -> Result<ast::File, Vec<Diagnostic>> {
    if let Some(at) = too_deep(text) {
        return Err(vec![Diagnostic::error(Span::new(file, at..at + 1), msg!("nesting-too-deep"))
            .label(msg!("nesting-too-deep-label", levels = MAX_NESTING))
            .help(msg!("nesting-too-deep-help"))]);
    }
    let mut errors = slash_dates(file, text);
    let mut working = std::borrow::Cow::Borrowed(text);
    let mut unmatched_braces = 0usize;
    loop {
        let error = match parse_once(file, &working) {
            Ok(parsed) if errors.is_empty() => return Ok(parsed),
            Ok(_) => {
                errors.sort_by_key(|d| d.span.map(|s| s.start));
                return Err(errors);
            }
            Err(error) => error,
        };
        let at = error.span.map_or(working.len(), |s| s.start as usize);
        // A `}` left alone because the line that opened its block was passed over is no
        // mistake of the author's.
        let stray_brace = working[at.min(working.len())..].starts_with('}') && unmatched_braces > 0;
        if stray_brace {
            unmatched_braces -= 1;
            working.to_mut().replace_range(at..at + 1, " ");
            continue;
        }
        errors.push(error);
        let Some(skip) = recover(&working, at).filter(|_| errors.len() < MAX_ERRORS) else {
            errors.sort_by_key(|d| d.span.map(|s| s.start));
            return Err(errors);
        };
        unmatched_braces += braces_opened(&working[skip.clone()]);
        // Spaces of the same length in bytes, line ends kept, so that places stay as they were.
        let blank: String = working[skip.clone()]
            .chars()
            .map(|c| if c == '\n' { "\n".to_string() } else { " ".repeat(c.len_utf8()) })
            .collect();
        working.to_mut().replace_range(skip, &blank);
    }
}

/// One pass of the parser over the text.
fn parse_once(file: FileId, text: &str) -> Result<ast::File, Diagnostic> {
    match SegmentParser::parse(Rule::file, text) {
        Ok(pairs) => lower::Lowerer::new(file).file(pairs),
        Err(error) => Err(describe(file, text, error)),
    }
}

/// The words a line starts with where a new declaration (or a block's next part) begins.
pub(crate) const RESUME_AT: [&str; 12] = [
    "segment",
    "dimension",
    "let",
    "field",
    "include",
    "events",
    "test",
    "missing",
    "otherwise",
    "given",
    "expect",
    "}",
];

/// What to pass over after an error at `at`: from the start of the line where the failing
/// declaration begins (the nearest line at or before the error that starts with a
/// declaration word) to the next such line after it, which is kept; `None` when nothing
/// is left to parse.
fn recover(text: &str, at: usize) -> Option<std::ops::Range<usize>> {
    if at >= text.trim_end().len() {
        return None;
    }
    let starts = |line: &str| {
        let line = line.trim_start();
        RESUME_AT
            .iter()
            .any(|w| line.starts_with(w) && (*w == "}" || !line[w.len()..].starts_with(is_word_char)))
    };
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        lines.push((offset, line));
        offset += line.len();
    }
    let error_line = lines.iter().rposition(|(start, _)| *start <= at)?;
    let error_line_start = lines[error_line].0;
    let error_at_line_start = text[error_line_start..at].trim().is_empty();
    // The error is the first thing on a line that starts a declaration: the declaration
    // before it is the one left unfinished.
    let from_line = if error_at_line_start && starts(lines[error_line].1) {
        (0..error_line).rev().find(|&l| starts(lines[l].1))?
    } else {
        (0..=error_line).rev().find(|&l| starts(lines[l].1)).unwrap_or(error_line)
    };
    let next = (from_line + 1..lines.len()).find(|&l| starts(lines[l].1) && lines[l].0 >= error_line_start);
    let from = lines[from_line].0;
    let to = next.map_or(text.len(), |l| lines[l].0);
    (to > from).then_some(from..to)
}

/// Does the line (after its indentation) start with one of `words`, as a whole word (`}`
/// and `#` need no word boundary)?
pub(crate) fn starts_with_one_of(line: &str, words: &[&str]) -> bool {
    let line = line.trim_start();
    words.iter().any(|w| {
        line.starts_with(w) && (matches!(*w, "}" | "#") || !line[w.len()..].starts_with(is_word_char))
    })
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// How many more blocks the text opens than it closes, outside strings and comments.
fn braces_opened(text: &str) -> usize {
    let (mut depth, mut in_string, mut in_comment) = (0isize, false, false);
    for c in text.chars() {
        match c {
            '\n' => in_comment = false,
            _ if in_comment => {}
            '"' => in_string = !in_string,
            _ if in_string => {}
            '#' => in_comment = true,
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
    }
    depth.max(0) as usize
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
#[cfg(any(test, feature = "unstable-internals"))]
pub fn parse_expr(file: FileId, text: &str) -> Result<ast::Expr, Diagnostic> {
    let wrapped = format!("let _ = {text}");
    let parsed = parse(file, &wrapped).map_err(|mut errors| errors.remove(0))?;
    match parsed.items.into_iter().next() {
        Some(ast::Item::Let(decl)) => Ok(decl.value),
        _ => Err(Diagnostic::general(msg!("not-an-expression"))),
    }
}

fn describe(file: FileId, text: &str, error: pest::error::Error<Rule>) -> Diagnostic {
    let at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut phrases: Vec<Message> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for p in positives.iter().filter_map(|r| phrase(*r)) {
            if !phrases.contains(&p) {
                phrases.push(p);
            }
        }
    }
    // One order whatever the language, so that messages in both list the same things alike.
    phrases.sort_by_cached_key(|p| p.render(crate::messages::Language::English));
    let mut expected: Vec<Arg> = phrases.into_iter().map(Arg::from).collect();
    let punctuation: BTreeSet<String> = punctuation_expected(text, at).into_iter().collect();
    expected.extend(punctuation.into_iter().map(Arg::Text));
    let found = found_at(text, at);
    let span = Span::new(file, at..(at + found.len()).min(text.len()));
    let message = match expected.len() {
        0 => msg!("syntax-unexpected", found = describe_found(found)),
        _ => msg!("syntax-expected", expected = Arg::OneOf(expected)),
    };
    let mut diagnostic =
        Diagnostic::error(span, message).label(msg!("syntax-found", found = describe_found(found)));
    if let Some(help) = hint(found).or_else(|| mistake(text, at, found)) {
        diagnostic = diagnostic.help(help);
    }
    diagnostic
}

/// Punctuation the parser would have accepted at `at`: pest does not report literal tokens
/// as rules, so ask it again with error detail switched on.
fn punctuation_expected(text: &str, at: usize) -> Vec<String> {
    // pest's switch is one for every thread, and files are parsed several at once: one
    // thread at a time turns it on and off again.
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = DETAIL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    pest::set_error_detail(true);
    let attempt = SegmentParser::parse(Rule::file, text);
    pest::set_error_detail(false);
    drop(guard);
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
fn phrase(rule: Rule) -> Option<Message> {
    use Rule::*;
    let word = |w: &str| msg!("expected-word", word = w);
    Some(match rule {
        EOI | include | field_decl | missing_decl | let_decl | events_decl | dimension | tag | test_block
        | kw_include | kw_field | kw_let | kw_events | kw_dimension | kw_test => msg!("expected-declaration"),
        segment | kw_segment => word("segment"),
        otherwise | kw_otherwise => word("otherwise"),
        kw_when => word("when"),
        then_clause | kw_then => word("then"),
        expr | paren | aggregate | call | list | date | number | string | kw_true | kw_false | as_of
        | name | ident | quoted_name | op_not | op_neg | agg_fn => msg!("expected-value"),
        op_or | op_and | op_in | op_not_in | op_contains | op_eq | op_ne | op_le | op_ge | op_lt | op_gt
        | op_add | op_sub | op_mul | op_div | op_is_missing | op_is_present => msg!("expected-operator"),
        type_name => msg!("expected-type"),
        date_pattern => msg!("expected-date-pattern"),
        kw_optional => word("optional"),
        kw_values => word("values"),
        given | kw_given => word("given { … }"),
        expectation | kw_expect => word("expect"),
        test_as_of => word("as_of"),
        window | kw_last | kw_from => msg!("expected-window"),
        kw_where => word("where"),
        time_unit => msg!("expected-time-unit"),
        integer => msg!("expected-whole-number"),
        kw_ago => word("ago"),
        kw_to => word("to"),
        given_entry | given_row => word("name: value"),
        number_value | given_list | given_rows => msg!("expected-value"),
        expect_segment | expect_missing | expect_tagged | expect_not_tagged | kw_tagged => {
            msg!("expected-expectation")
        }
        _ => return None,
    })
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

fn describe_found(found: &str) -> Message {
    match found {
        "" => msg!("found-end-of-file"),
        "\n" | "\r" => msg!("found-end-of-line"),
        other => msg!("found-token", token = other),
    }
}

/// A word of advice for common slips.
fn hint(found: &str) -> Option<Message> {
    // Reserved words a column might well be named; a declaration keyword where a value
    // was expected means the value is missing, not that a column needs backticks.
    let reserved = [
        "when", "then", "events", "in", "contains", "is", "missing", "present", "last", "from", "to", "ago",
        "where", "test", "given", "expect", "tagged", "as_of",
    ];
    if reserved.contains(&found) {
        return Some(msg!("hint-reserved-word", word = found));
    }
    match found {
        "=" => Some(msg!("hint-single-equals")),
        "&&" | "&" => Some(msg!("hint-write-word", word = "and")),
        "||" | "|" => Some(msg!("hint-write-word", word = "or")),
        "'" => Some(msg!("hint-single-quote")),
        _ => None,
    }
}

/// The fix for a slip people make in their first rules, from the text around the error.
fn mistake(text: &str, at: usize, found: &str) -> Option<Message> {
    let before = text[..at].trim_end_matches([' ', '\t']);
    let previous_word = before.rsplit(|c: char| !is_word_char(c)).next().unwrap_or_default();
    let full_width = [
        ("，", ","),
        ("（", "("),
        ("）", ")"),
        ("“", "\""),
        ("”", "\""),
        ("＝", "="),
        ("＞", ">"),
        ("＜", "<"),
        ("！", "!"),
        ("：", ":"),
        ("【", "["),
        ("】", "]"),
        ("；", ";"),
        ("‘", "'"),
        ("’", "'"),
    ];
    if let Some((_, ascii)) = full_width.iter().find(|(wide, _)| *wide == found) {
        return Some(msg!("hint-full-width", found = found, ascii = *ascii));
    }
    let word_for = |w: &str| match w {
        "AND" | "And" | "且" | "并且" | "而且" | "和" | "与" => Some("and"),
        "OR" | "Or" | "或" | "或者" => Some("or"),
        "NOT" | "Not" | "非" => Some("not"),
        _ => None,
    };
    if let Some(word) = word_for(found) {
        return Some(msg!("hint-keyword-case", word = word));
    }
    let symbol = match found {
        "≥" => Some(">="),
        "≤" => Some("<="),
        "≠" => Some("!="),
        ">" if before.ends_with('<') => Some("!="),
        _ => None,
    };
    if let Some(symbol) = symbol {
        let shown = if found == ">" { "<>" } else { found };
        return Some(msg!("hint-symbol", symbol = symbol, shown = shown));
    }
    if found == "%" && before.ends_with(|c: char| c.is_ascii_digit()) {
        let number = before.rsplit(|c: char| !(c.is_ascii_digit() || c == '.')).next().unwrap_or_default();
        let fraction = crate::decimal::Decimal::parse(number)
            .and_then(|n| n.checked_div(crate::decimal::Decimal::from_int(100)))
            .map_or_else(|| "0.xx".to_string(), |f| f.to_string());
        return Some(msg!("hint-percent", number = number, fraction = fraction));
    }
    if ["$", "¥", "￥", "€", "£"].contains(&found) {
        return Some(msg!("hint-currency"));
    }
    let after = &text[at + found.len().min(text.len() - at)..];
    let digits_after = after.chars().take_while(char::is_ascii_digit).count();
    if found == "," && before.ends_with(|c: char| c.is_ascii_digit()) && digits_after == 3 {
        let whole = before.rsplit(|c: char| !c.is_ascii_digit()).next().unwrap_or_default();
        let three = &after[..3];
        return Some(msg!(
            "hint-thousands",
            written = format!("{whole},{three}"),
            plain = format!("{whole}{three}"),
            underscored = format!("{whole}_{three}")
        ));
    }
    if ["segment", "otherwise"].contains(&previous_word)
        && found.chars().all(is_word_char)
        && !found.is_empty()
    {
        return Some(msg!("hint-quote-segment-name", fixed = format!("{previous_word} \"{found}\"")));
    }
    let keywords =
        ["when", "and", "or", "not", "in", "contains", "is", "segment", "let", "dimension", "then", "where"];
    let two_words = !previous_word.is_empty()
        && before.ends_with(previous_word)
        && at > before.len()
        && !keywords.contains(&previous_word)
        && found.chars().next().is_some_and(|c| c.is_alphabetic());
    if two_words {
        let rest: String = after.chars().take_while(|c| is_word_char(*c) || *c == ' ').collect();
        let name = format!("{previous_word} {found}{}", rest.trim_end());
        return Some(msg!("hint-backticks", fixed = format!("`{name}`")));
    }
    let last_token = before.trim_end().rsplit(char::is_whitespace).next().unwrap_or_default();
    let unfinished = ["and", "or", "not", "==", "!=", ">=", "<=", ">", "<", "+", "-", "*", "/", "when"];
    let at_line_start = text[..at].rsplit('\n').next().unwrap_or_default().trim().is_empty();
    if at_line_start && unfinished.contains(&last_token) {
        return Some(msg!("hint-unfinished-line", token = last_token));
    }
    None
}

/// Dates written with slashes in a rule (`2024/3/5`), which would read as a division: an
/// error each, outside strings and comments.
fn slash_dates(file: FileId, text: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (line_start, line) in text.split_inclusive('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line))
    }) {
        let code = code_part(line);
        let bytes = code.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let starts_word = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
            if starts_word {
                if let Some((len, y, m, d)) = slash_date_at(&bytes[i..]) {
                    let span = Span::new(file, line_start + i..line_start + i + len);
                    let fix = match crate::date::from_ymd(y, m, d) {
                        Some(_) => msg!("slash-date-fix", date = format!("{y:04}-{m:02}-{d:02}")),
                        None => msg!("slash-date-form"),
                    };
                    found.push(
                        Diagnostic::error(span, msg!("slash-date")).label(msg!("slash-date-label")).help(fix),
                    );
                    i += len;
                    continue;
                }
            }
            i += 1;
        }
    }
    found
}

/// A line without its comment and with its strings blanked.
fn code_part(line: &str) -> String {
    let mut code = String::with_capacity(line.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in line.chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
            code.extend(std::iter::repeat_n(' ', c.len_utf8()));
            continue;
        }
        match c {
            '#' => break,
            '"' => {
                in_string = true;
                code.push(' ');
            }
            c => code.push(c),
        }
    }
    code
}

/// `YYYY/M/D` at the start of `bytes`, not followed by more of a word: its length and parts.
fn slash_date_at(bytes: &[u8]) -> Option<(usize, i32, u32, u32)> {
    let digits = |from: usize, min: usize, max: usize| {
        let count = bytes[from.min(bytes.len())..].iter().take_while(|b| b.is_ascii_digit()).count();
        (min..=max).contains(&count).then(|| {
            let value = std::str::from_utf8(&bytes[from..from + count]).ok()?.parse::<u32>().ok()?;
            Some((count, value))
        })?
    };
    let (4, year) = digits(0, 4, 4)? else { return None };
    if !(1900..=2100).contains(&year) || bytes.get(4) != Some(&b'/') {
        return None;
    }
    let (ml, month) = digits(5, 1, 2)?;
    if bytes.get(5 + ml) != Some(&b'/') {
        return None;
    }
    let (dl, day) = digits(6 + ml, 1, 2)?;
    let len = 6 + ml + dl;
    if bytes.get(len).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.') {
        return None;
    }
    Some((len, year as i32, month, day))
}

#[cfg(test)]
mod tests;
