//! `tradeseg fmt`: one layout for every ruleset, so that a team's files read alike and a
//! change shows as the change it is. Declarations are indented four spaces a block level;
//! a condition continued on the next lines keeps its alignment, moved with its first line;
//! full-width marks typed by a Chinese input method (`，（）＝＞＜！：`) and `≥ ≤ ≠` become
//! their ASCII forms in code (strings and comments are left as written); trailing spaces
//! go, tabs in indentation become spaces, blank lines are at most one in a row, and the
//! file ends with one line end. Comments stay where they are.
//!
//! Only layout changes: a formatted ruleset has the same words, strings and comments as
//! the original, which [`format_ruleset`] checks before it gives the result.

use crate::diagnostic::Diagnostic;

/// Beside the declaration words the parser resumes at, lines that start a part of a
/// block too: a test's `as_of`, and comments.
const ALSO_STARTS: [&str; 2] = ["as_of", "#"];

/// Spaces per block level.
const INDENT: usize = 4;

/// Why a ruleset was not formatted.
#[derive(Debug, Clone, PartialEq)]
pub enum NotFormatted {
    /// It does not parse (after its full-width marks were made ASCII): its errors.
    Invalid(Vec<Diagnostic>),
    /// The layout would have changed more than layout (a bug; nothing is written).
    Changed,
}

/// The ruleset `text` in the canonical layout.
///
/// ```
/// let text = "dimension stars {\nsegment \"4-star\" when orders >= 1\n  otherwise \"0-star\"\n}\n";
/// let formatted = tradeseg::format::format_ruleset(text).expect("it parses");
/// assert_eq!(
///     formatted,
///     "dimension stars {\n    segment \"4-star\" when orders >= 1\n    otherwise \"0-star\"\n}\n"
/// );
/// ```
pub fn format_ruleset(text: &str) -> Result<String, NotFormatted> {
    let normalized: String = text.split_inclusive('\n').map(ascii_marks).collect();
    crate::syntax::parse(0, &normalized).map_err(NotFormatted::Invalid)?;
    let formatted = layout(&normalized);
    let words = |t: &str| t.split_whitespace().collect::<String>();
    if words(&formatted) != words(&normalized) || crate::syntax::parse(0, &formatted).is_err() {
        return Err(NotFormatted::Changed);
    }
    Ok(formatted)
}

/// Indentation by block level; continuation lines move with their statement's first line.
fn layout(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    // The current statement's block level and how far its first line moved.
    let (mut statement_depth, mut shift) = (0usize, 0isize);
    let mut blank_run = 0;
    // Inside `given { … }` every line is an entry, indented by its level.
    let mut entries_from: Option<usize> = None;
    // The last line of code ended by opening a block: the next line is the block's first.
    let mut opened_block = false;
    for raw in text.lines() {
        let line = raw.trim_end();
        let expanded = line.replace('\t', "    ");
        let content = expanded.trim_start();
        if content.is_empty() {
            blank_run += 1;
            if blank_run == 1 && !out.is_empty() {
                out.push('\n');
            }
            continue;
        }
        blank_run = 0;
        let old_indent = expanded.len() - content.len();
        let closes = content.starts_with('}');
        let level = if closes { depth.saturating_sub(1) } else { depth };
        let starts = crate::syntax::starts_with_one_of(content, &crate::syntax::RESUME_AT)
            || crate::syntax::starts_with_one_of(content, &ALSO_STARTS);
        let in_entries = entries_from.is_some_and(|from| level >= from);
        let indent = if starts || in_entries || (opened_block && level > statement_depth) {
            if !content.starts_with('#') {
                statement_depth = level;
            }
            let indent = level * INDENT;
            shift = indent as isize - old_indent as isize;
            indent
        } else {
            // A condition's next line: keep its alignment, moved as its first line was,
            // and never left of the block it is in.
            let least = if level > statement_depth { level * INDENT } else { (level + 1) * INDENT };
            (old_indent as isize + shift).max(least as isize) as usize
        };
        out.push_str(&" ".repeat(indent));
        out.push_str(content);
        out.push('\n');
        let opened = brace_balance(content);
        let code = code_of(content);
        opened_block = code.ends_with('{');
        if content.starts_with("given") && opened_block {
            entries_from = Some(depth + 1);
        }
        depth = (depth as isize + opened).max(0) as usize;
        if entries_from.is_some_and(|from| depth < from) {
            entries_from = None;
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// A line without its comment, trimmed (strings kept: only its end is looked at).
fn code_of(line: &str) -> &str {
    let (mut in_string, mut escaped) = (false, false);
    for (i, c) in line.char_indices() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c == '#' {
            return line[..i].trim_end();
        }
    }
    line.trim_end()
}

/// How many more blocks a line opens than it closes, outside strings and comments.
fn brace_balance(line: &str) -> isize {
    let (mut balance, mut in_string, mut escaped) = (0isize, false, false);
    for c in line.chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
            continue;
        }
        match c {
            '#' => break,
            '"' => in_string = true,
            '{' => balance += 1,
            '}' => balance -= 1,
            _ => {}
        }
    }
    balance
}

/// A line with the full-width marks and math signs in its code made ASCII; strings and
/// comments as they are. Quotes typed full-width (`“US”`) become ASCII quotes.
fn ascii_marks(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let (mut in_string, mut escaped, mut in_comment) = (false, false, false);
    for c in line.chars() {
        if in_comment {
            out.push(c);
            continue;
        }
        if in_string {
            let closing = !escaped && matches!(c, '"' | '”');
            in_string = !closing;
            escaped = !escaped && c == '\\';
            out.push(if closing { '"' } else { c });
            continue;
        }
        let ascii = match c {
            '#' => {
                in_comment = true;
                "#"
            }
            '"' | '“' | '”' => {
                in_string = true;
                "\""
            }
            '，' => ",",
            '（' => "(",
            '）' => ")",
            '＝' => "=",
            '＞' => ">",
            '＜' => "<",
            '！' => "!",
            '：' => ":",
            '【' => "[",
            '】' => "]",
            '≥' => ">=",
            '≤' => "<=",
            '≠' => "!=",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(ascii);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_indented_and_continuations_keep_their_alignment() {
        let text = "dimension d {\nsegment \"a\" when x >= 1\n      segment \"b\" when y >= 1 and\n                      z >= 1\n  otherwise \"c\"\n}\n\n\n\nsegment \"t\" when x >= 1   \n";
        let formatted = format_ruleset(text).unwrap();
        assert_eq!(
            formatted,
            "dimension d {\n    segment \"a\" when x >= 1\n    segment \"b\" when y >= 1 and\n                    z >= 1\n    otherwise \"c\"\n}\n\nsegment \"t\" when x >= 1\n"
        );
        assert_eq!(format_ruleset(&formatted).unwrap(), formatted, "formatting twice changes nothing");
    }

    #[test]
    fn full_width_marks_in_code_become_ascii_but_strings_and_comments_stay() {
        let text = "segment “大客户” when （revenue ≥ 100） # （注释）\nsegment \"（a）\" when x ≠ 1\n";
        let formatted = format_ruleset(text).unwrap();
        assert_eq!(
            formatted,
            "segment \"大客户\" when (revenue >= 100) # （注释）\nsegment \"（a）\" when x != 1\n"
        );
    }

    #[test]
    fn a_ruleset_that_does_not_parse_is_left_alone() {
        assert!(matches!(format_ruleset("segment \"a\" when x >=\n"), Err(NotFormatted::Invalid(_))));
    }

    #[test]
    fn then_continues_and_lists_keep_their_alignment() {
        let text = "segment \"x\" when a >= 1\n                and b >= 2\n                then \"s.rhai\"\ntest \"t\" {\n    given { orders: [ { n: 1 },\n                      { n: 2 } ] }\n    expect tagged \"x\"\n}\n";
        assert_eq!(format_ruleset(text).unwrap(), text);
    }

    #[test]
    fn given_blocks_over_several_lines_are_indented_by_level() {
        let text = "test \"t\" {\n  as_of 2026-11-01\n  given {\n  orders: 1,\n      samples: 2\n  }\n  expect tagged \"x\"\n}\nsegment \"x\" when orders >= 1\n";
        let formatted = format_ruleset(text).unwrap();
        assert_eq!(
            formatted,
            "test \"t\" {\n    as_of 2026-11-01\n    given {\n        orders: 1,\n        samples: 2\n    }\n    expect tagged \"x\"\n}\nsegment \"x\" when orders >= 1\n"
        );
    }
}
