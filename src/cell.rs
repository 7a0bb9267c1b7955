//! How a cell's text reads as the language's values, the ways people write them in
//! spreadsheets: yes/no words, `;`-separated lists, the words that mean "no value", and
//! numbers with currency marks, percent signs, accounting brackets and full-width digits.
//! Plain numbers and dates are read by [`crate::decimal`] and [`crate::date`] first; this
//! module takes the cells they do not read. Shared by evaluation, the interpreter behind
//! `explain`, and the values scripts see, so that every part of tradeseg reads a cell alike.

use crate::date::{self, Day};
use crate::decimal::Decimal;

/// Reads yes/no the ways spreadsheets write it.
pub fn parse_bool(cell: &str) -> Option<bool> {
    const TRUE: [&str; 6] = ["true", "yes", "y", "1", "是", "对"];
    const FALSE: [&str; 6] = ["false", "no", "n", "0", "否", "不"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(cell)) {
        Some(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(cell)) {
        Some(false)
    } else {
        None
    }
}

/// The items of a list cell: separated by `;`, each trimmed, empty ones skipped.
pub fn list_items(raw: &[u8]) -> impl Iterator<Item = &[u8]> {
    raw.split(|&b| b == b';').map(|item| item.trim_ascii()).filter(|item| !item.is_empty())
}

/// Words exports write where a number, date or yes/no has no value (compared without
/// regard to ASCII case). In a number, date or yes/no column they are missing values, not
/// data errors; a text column keeps them as text (`NA` may be North America), unless the
/// ruleset lists them in `missing values [...]`.
pub const MISSING_WORDS: [&str; 12] =
    ["n/a", "na", "-", "--", "—", "–", "－", "null", "#n/a", "无", "暂无", "none"];

/// Is this (trimmed) cell one of [`MISSING_WORDS`]?
pub fn is_missing_word(cell: &[u8]) -> bool {
    cell.len() <= 6 && MISSING_WORDS.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(cell))
}

/// The order of day and month in dates written `5/10/2026` (a field's declaration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum DateOrder {
    /// Only year-first forms (`2026-05-10`, `2026/5/10`, `2026年5月10日`); `5/10/2026` is
    /// refused as ambiguous.
    #[default]
    YearFirst,
    /// `M/D/YYYY` (American exports).
    MonthFirst,
    /// `D/M/YYYY` (European and British exports).
    DayFirst,
}

impl DateOrder {
    /// The order a declaration names: `"M/D/YYYY"` or `"D/M/YYYY"` (also with `-` or `.`,
    /// and `MM`/`DD`); `None` for anything else.
    pub fn from_pattern(pattern: &str) -> Option<DateOrder> {
        let normal: String = pattern.to_ascii_uppercase().replace(['-', '.'], "/");
        match normal.as_str() {
            "M/D/YYYY" | "MM/DD/YYYY" => Some(DateOrder::MonthFirst),
            "D/M/YYYY" | "DD/MM/YYYY" => Some(DateOrder::DayFirst),
            "YYYY/M/D" | "YYYY/MM/DD" => Some(DateOrder::YearFirst),
            _ => None,
        }
    }
}

/// Reads a date cell in the given order: the year-first forms always, and `5/10/2026`
/// (with `/`, `-` or `.`) when the order is declared.
pub fn parse_date(cell: &[u8], order: DateOrder) -> Option<Day> {
    if let Some(day) = date::parse_bytes(cell) {
        return Some(day);
    }
    let (first, second, year) = day_month_year(cell)?;
    match order {
        DateOrder::YearFirst => None,
        DateOrder::MonthFirst => date::from_ymd(year, first, second),
        DateOrder::DayFirst => date::from_ymd(year, second, first),
    }
}

/// `a/b/YYYY` (or with `-`, `.`): the two leading numbers and the year.
fn day_month_year(cell: &[u8]) -> Option<(u32, u32, i32)> {
    let text = std::str::from_utf8(cell).ok()?;
    let separator = text.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let mut parts = text.split(separator);
    let mut number = |len: std::ops::RangeInclusive<usize>| {
        parts.next().filter(|p| len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))?.parse().ok()
    };
    let (first, second, year) = (number(1..=2)?, number(1..=2)?, number(4..=4)?);
    parts.next().is_none().then_some((first, second, year as i32))
}

/// Is the cell a date with day and month in an undeclared order (`5/10/2026`)? Its data
/// error then says how to declare the order.
pub fn is_unordered_date(cell: &str) -> bool {
    day_month_year(cell.trim().as_bytes()).is_some()
}

/// Currency marks a number may carry before or after it, longest first so that `US$` is
/// not read as `US` and `$`. Letters compare without regard to ASCII case.
const CURRENCY: [&str; 13] =
    ["US$", "HK$", "USD", "RMB", "CNY", "EUR", "GBP", "HKD", "$", "¥", "€", "£", "元"];

/// Reads a number the ways people write one in a spreadsheet: currency marks before or
/// after it (`$12,400`, `¥3,000`, `12,400 USD`, `3000元`), a percent sign (`15%` is 0.15),
/// accounting brackets for negatives (`(500)`), full-width digits and signs (`１２３．５`),
/// spaces between groups of three (`12 400`); with `decimal_comma`, `1.200,50` is 1200.5.
/// `None` when the cell is not a number in any of these forms.
pub fn loose_number(cell: &str, decimal_comma: bool) -> Option<Decimal> {
    let folded: String = cell.chars().map(half_width).collect();
    let mut text = folded.trim();
    let mut negative = false;
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        negative = true;
        text = inner.trim();
    }
    // `(-5)` is no number: brackets already say negative.
    let mut signed = negative;
    let mut sign = |text: &mut &str, negative: &mut bool| {
        if signed {
            return;
        }
        if let Some(rest) = text.strip_prefix('-') {
            (*text, *negative, signed) = (rest.trim_start(), !*negative, true);
        } else if let Some(rest) = text.strip_prefix('+') {
            (*text, signed) = (rest.trim_start(), true);
        }
    };
    sign(&mut text, &mut negative);
    let prefixed = strip_currency(text, true);
    if let Some(rest) = prefixed {
        text = rest;
        sign(&mut text, &mut negative);
    }
    let mut percent = false;
    if let Some(rest) = text.strip_suffix('%') {
        (text, percent) = (rest.trim_end(), true);
    } else if prefixed.is_none() {
        if let Some(rest) = strip_currency(text, false) {
            text = rest;
        }
    }
    let value = digits_with_groups(text, decimal_comma)?;
    let value = if percent { value.checked_div(Decimal::from_int(100))? } else { value };
    Some(if negative { -value } else { value })
}

/// The text without a currency mark at its start (`before`) or end, trimmed; `None` when
/// it has none there.
fn strip_currency(text: &str, before: bool) -> Option<&str> {
    CURRENCY.iter().find_map(|mark| {
        let len = mark.len();
        if before {
            let head = text.get(..len)?;
            head.eq_ignore_ascii_case(mark).then(|| text[len..].trim_start())
        } else {
            let at = text.len().checked_sub(len)?;
            let tail = text.get(at..)?;
            tail.eq_ignore_ascii_case(mark).then(|| text[..at].trim_end())
        }
    })
}

/// The number itself: digits with `,` (or, with `decimal_comma`, `.`) or single spaces
/// between groups of three, and a fraction.
fn digits_with_groups(text: &str, decimal_comma: bool) -> Option<Decimal> {
    let mut plain = String::with_capacity(text.len());
    let (group, point) = if decimal_comma { ('.', ',') } else { (',', '.') };
    for c in text.chars() {
        match c {
            '0'..='9' => plain.push(c),
            c if c == point => plain.push('.'),
            c if c == group || c == ' ' => plain.push(','),
            _ => return None,
        }
    }
    if !plain.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    Decimal::parse(&plain)
}

/// Full-width digits, signs and brackets (as Chinese input methods type them) as their
/// ASCII forms; other spaces as the plain space.
fn half_width(c: char) -> char {
    match c {
        '０'..='９' | '．' | '，' | '－' | '＋' | '（' | '）' | '％' | '＄' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        '￥' => '¥',
        '−' => '-',
        '\u{00A0}' | '\u{202F}' | '\u{2009}' | '\u{3000}' => ' ',
        _ => c,
    }
}

/// What a ruleset and the command line add to how cells are read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellRules {
    /// The ruleset's own words for "no value" (`missing values ["TBD", "未知"]`), for
    /// columns of every type, text included; compared without regard to ASCII case.
    pub missing: Vec<String>,
    /// Numbers are written `1.200,50` (`--decimal-comma`).
    pub decimal_comma: bool,
}

impl CellRules {
    /// Is this trimmed cell one of the ruleset's own missing words?
    pub fn declared_missing(&self, cell: &[u8]) -> bool {
        self.missing.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(cell))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(cell: &str) -> Option<String> {
        loose_number(cell, false).map(|d| d.to_string())
    }

    #[test]
    fn reads_money_as_spreadsheets_write_it() {
        for (cell, value) in [
            ("$12,400", "12400"),
            ("US$ 12,400.50", "12400.5"),
            ("usd 300", "300"),
            ("¥3,000", "3000"),
            ("￥3,000", "3000"),
            ("RMB 3000", "3000"),
            ("CNY3000", "3000"),
            ("€1,200", "1200"),
            ("EUR 1200", "1200"),
            ("£99.99", "99.99"),
            ("HK$500", "500"),
            ("12,400 USD", "12400"),
            ("3000元", "3000"),
            ("-$500", "-500"),
            ("$-500", "-500"),
            ("(500)", "-500"),
            ("($1,250.00)", "-1250"),
            ("15%", "0.15"),
            ("15 %", "0.15"),
            ("-2.5%", "-0.025"),
            ("１２３．５", "123.5"),
            ("－１２", "-12"),
            ("１５％", "0.15"),
            ("12 400", "12400"),
            ("1\u{00A0}234\u{00A0}567", "1234567"),
        ] {
            assert_eq!(number(cell).as_deref(), Some(value), "{cell}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for cell in
            ["$", "%", "()", "abc", "1 2", "$12x", "US$$5", "(-5)", "12,34", "5 apples", "--5", "1.2.3"]
        {
            assert_eq!(number(cell), None, "{cell}");
        }
    }

    #[test]
    fn decimal_comma_swaps_the_marks() {
        let read = |cell| loose_number(cell, true).map(|d| d.to_string());
        assert_eq!(read("1.200,50").as_deref(), Some("1200.5"));
        assert_eq!(read("1,5").as_deref(), Some("1.5"));
        assert_eq!(read("€ 1 200,50").as_deref(), Some("1200.5"));
        assert_eq!(read("1.200").as_deref(), Some("1200"));
        assert_eq!(read("1,2,3"), None);
    }

    #[test]
    fn missing_words_are_known_in_any_case() {
        for word in ["N/A", "n/a", "NA", "-", "--", "—", "NULL", "null", "#N/A", "无", "暂无"] {
            assert!(is_missing_word(word.as_bytes()), "{word}");
        }
        for word in ["0", "no", "n", "tbd", "NAN"] {
            assert!(!is_missing_word(word.as_bytes()), "{word}");
        }
    }

    #[test]
    fn day_and_month_need_a_declared_order() {
        let may_10 = date::from_ymd(2026, 5, 10);
        assert_eq!(parse_date(b"5/10/2026", DateOrder::YearFirst), None);
        assert_eq!(parse_date(b"5/10/2026", DateOrder::MonthFirst), may_10);
        assert_eq!(parse_date(b"10/5/2026", DateOrder::DayFirst), may_10);
        assert_eq!(parse_date(b"10.05.2026", DateOrder::DayFirst), may_10);
        assert_eq!(parse_date(b"2026-05-10", DateOrder::DayFirst), may_10);
        assert_eq!(parse_date(b"13/5/2026", DateOrder::MonthFirst), None);
        assert!(is_unordered_date("5/10/2026"));
        assert!(!is_unordered_date("2026/5/10"));
        assert_eq!(DateOrder::from_pattern("m/d/yyyy"), Some(DateOrder::MonthFirst));
        assert_eq!(DateOrder::from_pattern("DD.MM.YYYY"), Some(DateOrder::DayFirst));
        assert_eq!(DateOrder::from_pattern("YYYY/DD/MM"), None);
    }
}
