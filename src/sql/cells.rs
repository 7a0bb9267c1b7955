//! Raw text cells read in SQL as `run` reads them (`--text-columns`): trimmed, the words
//! for "no value" missing, numbers with currency marks, group separators, percent signs,
//! accounting brackets and full-width digits, dates in the year-first forms (and the
//! declared day/month order) checked against the calendar, yes/no words. A cell that does
//! not read is NULL, as a data error is missing in `run`. Each form is one anchored regular
//! expression, spelled so that DuckDB's RE2 and PostgreSQL's engine read it alike (ASCII
//! classes, no back-references), and the rules `run` applies after matching are SQL
//! conditions on the captured parts. [`crate::cell`] is the reference these follow.

use super::dialect::Dialect;
use crate::cell::{DateOrder, MISSING_WORDS};
use crate::check::typed::Ty;

/// Currency marks, longest first (as [`crate::cell`] lists them), as a regex alternation;
/// their letters compare without regard to ASCII case (see [`ascii_caseless`]).
const CURRENCY: &str = r"US\$|HK\$|USD|RMB|CNY|EUR|GBP|HKD|\$|¥|€|£|元";

/// `pattern` with each ASCII letter as a class of its two cases: `run` ignores ASCII case
/// only, where a regex's case-insensitive flag would fold other letters too (the Kelvin
/// sign is a `k` to it).
fn ascii_caseless(pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| match c.is_ascii_alphabetic() {
            true => format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase()),
            false => c.to_string(),
        })
        .collect()
}

/// A number's digits: plain, or in groups of three separated by `,` or one space, with an
/// optional fraction; or a fraction alone.
const BODY: &str = r"(?:[0-9]+|[0-9]{1,3}(?:[, ][0-9]{3})+)(?:\.[0-9]*)?|\.[0-9]+";

/// `text` matched literally in a regular expression (its special characters escaped).
fn regex_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A number written plainly: digits, a point and at most twelve more, a minus sign.
const PLAIN_NUMBER: &str = r"^-?[0-9]{1,18}(\.[0-9]{0,12})?$";

/// A date written `YYYY-MM-DD`.
const ISO_DATE: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// `pattern` for Java's regular expressions (Spark's): its `$` also matches before a
/// final line break, `\z` only at the end.
fn java_anchors(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut escaped = false;
    for c in pattern.chars() {
        match c {
            '$' if !escaped => out.push_str("\\z"),
            c => out.push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    out
}

/// Full-width digits, signs and brackets and the other spaces, and their ASCII forms.
const FULL_WIDTH: &str = "０１２３４５６７８９．，－＋（）％＄￥−";
const HALF_WIDTH: &str = "0123456789.,-+()%$¥-";
const OTHER_SPACES: [char; 4] = ['\u{00A0}', '\u{202F}', '\u{2009}', '\u{3000}'];

/// A table of text cells read as values, as derived tables one step at a time: the cells
/// trimmed, then those that are words for "no value" made NULL, then read as the fields'
/// types. Each step reads the columns of the one before, so that no expression is written
/// twice in one step: an engine that computes a repeated expression once computes it for
/// every row, and the plain cells' quick tests would no longer spare the others the work.
pub struct TextTable {
    dialect: Dialect,
    /// Numbers are written `1.200,50` (`run --decimal-comma`).
    decimal_comma: bool,
    /// The aliases' letter (`c` for customers, `e` for events).
    alias: char,
    trimmed: Vec<String>,
    present: Vec<String>,
    values: Vec<String>,
}

/// The name of the column of the `n`th value a [`TextTable`] reads.
pub fn value_column(n: usize) -> String {
    format!("tradeseg_value_{n}")
}

impl TextTable {
    /// An empty reading of a table, its derived tables aliased `{alias}0`, `{alias}1`, …;
    /// with `decimal_comma`, numbers written `1.200,50`.
    pub fn new(dialect: Dialect, alias: char, decimal_comma: bool) -> TextTable {
        TextTable {
            dialect,
            decimal_comma,
            alias,
            trimmed: Vec::new(),
            present: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Reads `column` as type `ty` (dates in `order`; `declared`: the ruleset's own words for
    /// "no value") into the column [`value_column`]`(n)` of the outermost table; returns
    /// that column's name.
    pub fn read(&mut self, n: usize, column: &str, ty: Ty, order: DateOrder, declared: &[String]) -> String {
        let (d, a) = (self.dialect, self.alias);
        let (text, cell, value) =
            (format!("tradeseg_text_{n}"), format!("tradeseg_cell_{n}"), value_column(n));
        let raw = format!("{a}0.{}", d.ident(column));
        self.trimmed.push(format!("{} AS {}", d.trimmed_cell(&raw, ty, declared), d.ident(&text)));
        let text_ref = format!("{a}1.{}", d.ident(&text));
        self.present.push(format!("{} AS {}", d.present_cell(&text_ref, ty, declared), d.ident(&cell)));
        let cell_ref = format!("{a}2.{}", d.ident(&cell));
        let read = match ty {
            Ty::Number => d.read_number(&cell_ref, self.decimal_comma),
            Ty::Date => d.read_date(&cell_ref, order),
            Ty::Bool => d.read_bool(&cell_ref),
            Ty::Text | Ty::List => cell_ref,
        };
        self.values.push(format!("{read} AS {}", d.ident(&value)));
        value
    }

    /// How many columns are read.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The derived table over `table` (the table itself when nothing is read).
    pub fn sql(&self, table: &str) -> String {
        if self.values.is_empty() {
            return table.to_string();
        }
        let a = self.alias;
        // PostgreSQL would fold each step into the query above it, copying a value's whole
        // reading into every rule that looks at it; `OFFSET 0` keeps the step apart.
        let fence = match self.dialect {
            Dialect::DuckDb | Dialect::Spark => "",
            Dialect::Postgres => " OFFSET 0",
        };
        let step = |alias: String, columns: &[String], from: String| {
            format!("(SELECT {alias}.*, {} FROM {from} AS {alias}{fence})", columns.join(", "))
        };
        let trimmed = step(format!("{a}0"), &self.trimmed, table.to_string());
        let present = step(format!("{a}1"), &self.present, trimmed);
        step(format!("{a}2"), &self.values, present)
    }
}

impl Dialect {
    /// Does `text` match the regular expression `pattern` (anchored by the pattern)?
    fn matches(self, text: &str, pattern: &str) -> String {
        match self {
            Dialect::DuckDb => format!("regexp_matches({text}, {})", self.text(pattern)),
            Dialect::Postgres => format!("({text} ~ {})", self.text(pattern)),
            Dialect::Spark => format!("({text} RLIKE {})", self.text(&java_anchors(pattern))),
        }
    }

    /// The `n`th group of `pattern` in `text`: '' when it took no text or nothing matched.
    fn group(self, text: &str, pattern: &str, n: usize) -> String {
        match self {
            Dialect::DuckDb => format!("regexp_extract({text}, {}, {n})", self.text(pattern)),
            Dialect::Postgres => format!("coalesce((regexp_match({text}, {}))[{n}], '')", self.text(pattern)),
            Dialect::Spark => format!("regexp_extract({text}, {}, {n})", self.text(&java_anchors(pattern))),
        }
    }

    /// A character in a regex class, by code point where it is not plain ASCII.
    fn class_char(self, c: char) -> String {
        match (c.is_ascii_graphic() || c == ' ', self) {
            (true, _) => c.to_string(),
            (false, Dialect::DuckDb | Dialect::Spark) => format!("\\x{{{:X}}}", c as u32),
            (false, Dialect::Postgres) => format!("\\u{:04X}", c as u32),
        }
    }

    /// A regex class of every white space character `run` trims, runs of neighbours as
    /// ranges.
    fn space_class(self) -> String {
        let mut chars: Vec<char> = super::dialect::WHITE_SPACE.to_vec();
        chars.sort_unstable();
        let mut class = String::new();
        let mut at = 0;
        while at < chars.len() {
            let mut end = at;
            while end + 1 < chars.len() && chars[end + 1] as u32 == chars[end] as u32 + 1 {
                end += 1;
            }
            class.push_str(&self.class_char(chars[at]));
            if end > at {
                class.push('-');
                class.push_str(&self.class_char(chars[end]));
            }
            at = end + 1;
        }
        format!("[{class}]")
    }

    /// `text` with ASCII letters lowered (as `run` compares words, without regard to ASCII
    /// case only).
    fn ascii_lower(self, text: &str) -> String {
        format!("translate({text}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
    }

    /// The test that a cell of type `ty` is written plainly (most are), so that it needs
    /// no trimming nor any other reading: `None` for types without one, or when the
    /// ruleset calls such a value "no value" (`missing values ["0"]`).
    fn plain_form(ty: Ty, declared: &[String]) -> Option<&'static str> {
        if declared.iter().any(|w| w.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'.')) {
            return None;
        }
        match ty {
            Ty::Number => Some(PLAIN_NUMBER),
            Ty::Date => Some(ISO_DATE),
            _ => None,
        }
    }

    /// The cell `column` trimmed (NULL when empty); a plain one as it is.
    fn trimmed_cell(self, column: &str, ty: Ty, declared: &[String]) -> String {
        let trimmed = self.trimmed_text(column);
        let text = format!("CAST({column} AS {})", self.text_type());
        match Self::plain_form(ty, declared) {
            Some(plain) => {
                format!("(CASE WHEN {} THEN {text} ELSE {trimmed} END)", self.matches(&text, plain))
            }
            None => trimmed,
        }
    }

    /// The trimmed cell `text`, NULL when a word for "no value"; a plain one as it is.
    fn present_cell(self, text: &str, ty: Ty, declared: &[String]) -> String {
        let present = self.unless_missing(text, declared);
        match Self::plain_form(ty, declared) {
            Some(plain) => {
                format!("(CASE WHEN {} THEN {text} ELSE {present} END)", self.matches(text, plain))
            }
            None => present,
        }
    }

    /// The trimmed cell `text` (NULL when empty), or NULL when it is a word for "no value":
    /// the language's own for numbers, dates and yes/no, and the ruleset's `declared`.
    fn unless_missing(self, text: &str, declared: &[String]) -> String {
        let mut words: Vec<String> = MISSING_WORDS.iter().map(|w| w.to_string()).collect();
        words.extend(declared.iter().map(|w| w.to_ascii_lowercase()));
        let words: Vec<String> = words.iter().map(|w| regex_literal(w)).collect();
        // One regular expression rather than `IN (…)`: DuckDB turns a longer `IN` list into
        // a join, which reads every row's cell, plain ones included.
        let pattern = format!("^({})$", words.join("|"));
        format!("(CASE WHEN {} THEN NULL ELSE {text} END)", self.matches(&self.ascii_lower(text), &pattern))
    }

    /// The number a trimmed, non-missing cell `text` holds, or NULL; with `decimal_comma`
    /// the point and the comma trade places first (after full-width forms are folded), as
    /// `run --decimal-comma` reads `1.200,50` as 1200.5 and `1.5` as no number.
    pub fn read_number(self, text: &str, decimal_comma: bool) -> String {
        let swapped = |x: String| match decimal_comma {
            true => format!("translate({x}, '.,', ',.')"),
            false => x,
        };
        let folded = swapped(format!(
            "translate({text}, '{FULL_WIDTH}' || {}, '{HALF_WIDTH}' || '{}')",
            self.spelled(&OTHER_SPACES),
            " ".repeat(OTHER_SPACES.len())
        ));
        let text = &swapped(text.to_string());
        let w = format!("{}*", self.space_class());
        let currency = ascii_caseless(CURRENCY);
        let signed = format!("^([+-]?){w}({currency})?{w}([+-]?){w}({BODY}){w}(%|{currency})?$");
        let bracketed = format!(r"^\({w}({currency})?{w}({BODY}){w}(%|{currency})?{w}\)$");
        let g = |pattern: &str, n| self.group(&folded, pattern, n);
        // Signs: one at most (after the currency mark only when one comes first); a
        // currency mark after the number only when none came before it.
        let signed_ok = format!(
            "NOT ({} <> '' AND {} <> '') AND ({} IN ('', '%') OR {} = '')",
            g(&signed, 1),
            g(&signed, 3),
            g(&signed, 5),
            g(&signed, 2)
        );
        let bracketed_ok = format!("({} IN ('', '%') OR {} = '')", g(&bracketed, 3), g(&bracketed, 1));
        let negative = format!("({} = '-' OR {} = '-')", g(&signed, 1), g(&signed, 3));
        let value = |body: String, percent: String, negative: &str| {
            let digits = format!("replace(replace({body}, ',', ''), ' ', '')");
            let magnitude = self.exact_decimal(&digits, &percent);
            format!("(CASE WHEN {negative} THEN - {magnitude} ELSE {magnitude} END)")
        };
        // Most cells are plainly written: read those without the general forms.
        let plain = PLAIN_NUMBER;
        let exact = match self {
            Dialect::DuckDb | Dialect::Spark => "DECIMAL(38,12)",
            Dialect::Postgres => "NUMERIC",
        };
        format!(
            "(CASE WHEN {} THEN CAST({text} AS {exact}) WHEN {} AND {signed_ok} THEN {} WHEN {} AND {bracketed_ok} THEN {} END)",
            self.matches(text, plain),
            self.matches(&folded, &signed),
            value(g(&signed, 4), format!("{} = '%'", g(&signed, 5)), &negative),
            self.matches(&folded, &bracketed),
            value(g(&bracketed, 2), format!("{} = '%'", g(&bracketed, 3)), "TRUE"),
        )
    }

    /// The plain decimal text `digits` (divided by 100 when `percent`) as the language
    /// holds it: rounded half away from zero at the twelfth decimal; NULL past its range.
    fn exact_decimal(self, digits: &str, percent: &str) -> String {
        match self {
            // The cast rounds half away from zero; an exponent divides exactly.
            Dialect::DuckDb | Dialect::Spark => format!(
                "TRY_CAST(CASE WHEN {percent} THEN {digits} || 'e-2' ELSE {digits} END AS DECIMAL(38,12))"
            ),
            Dialect::Postgres => {
                let value = format!(
                    "round(CAST({digits} AS NUMERIC) * (CASE WHEN {percent} THEN 0.01 ELSE 1 END), 12)"
                );
                // The language's range: 128-bit integers of 10⁻¹².
                format!(
                    "(CASE WHEN length({digits}) <= 60 AND abs({value}) <= 170141183460469231731687303.715884105727 THEN {value} END)"
                )
            }
        }
    }

    /// A captured run of digits as an integer; NULL when the group took nothing (SQL may
    /// evaluate a condition's parts in any order, so no cast may fail on an empty one).
    fn integer(self, digits: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("CAST(NULLIF({digits}, '') AS INTEGER)"),
            // ANSI mode would stop the query at a cast that fails, even one not used.
            Dialect::Spark => format!("TRY_CAST(NULLIF({digits}, '') AS INTEGER)"),
        }
    }

    /// A date from year, month and day texts, or NULL when they are no calendar day.
    fn calendar_date(self, year: &str, month: &str, day: &str) -> String {
        let (y, m, d) = (self.integer(year), self.integer(month), self.integer(day));
        let leap = format!("({y} % 4 = 0 AND ({y} % 100 <> 0 OR {y} % 400 = 0))");
        let length = format!(
            "(CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 WHEN {m} = 2 THEN (CASE WHEN {leap} THEN 29 ELSE 28 END) ELSE 31 END)"
        );
        format!("(CASE WHEN {y} >= 1 AND {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND {length} THEN make_date({y}, {m}, {d}) END)")
    }

    /// The date a trimmed, non-missing cell `text` holds in the year-first forms
    /// (`2026-05-10`, `2026/5/10`, `2026.5.10`, with a valid time after it; `2026年5月10日`),
    /// or with a declared `order`, `5/10/2026`; else NULL.
    pub fn read_date(self, text: &str, order: DateOrder) -> String {
        let ascii = r"[ \t\n\f\r]*";
        let separated = r"^([0-9]{4})([-/.])([0-9]{1,2})([-/.])([0-9]{1,2})(.*)$";
        let chinese = format!("^([0-9]{{4}}){ascii}年{ascii}([0-9]{{1,2}}){ascii}月{ascii}([0-9]{{1,2}}){ascii}(?:日|号){ascii}$");
        let time = r"^[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)? ?(?:[Zz]|[+-]([0-9]{2})(?::?([0-9]{2}))?)?$";
        let g = |pattern: &str, n| self.group(text, pattern, n);
        let rest = g(separated, 6);
        let t = |n| self.group(&rest, time, n);
        let two = |part: String, max: u32| format!("({part} = '' OR {} <= {max})", self.integer(&part));
        let time_ok = format!(
            "({rest} = '' OR ({} AND {} <= 23 AND {} <= 59 AND {} AND {} AND {}))",
            self.matches(&rest, time),
            self.integer(&t(1)),
            self.integer(&t(2)),
            two(t(3), 60),
            two(t(4), 14),
            two(t(5), 59)
        );
        // Most dates are written `YYYY-MM-DD`: read those without the general forms.
        let iso = ISO_DATE;
        let part = |from: usize, length: usize| format!("substr({text}, {from}, {length})");
        let mut sql = format!(
            "(CASE WHEN {} THEN {} WHEN {} AND {} = {} AND {time_ok} THEN {} WHEN {} THEN {}",
            self.matches(text, iso),
            self.calendar_date(&part(1, 4), &part(6, 2), &part(9, 2)),
            self.matches(text, separated),
            g(separated, 2),
            g(separated, 4),
            self.calendar_date(&g(separated, 1), &g(separated, 3), &g(separated, 5)),
            self.matches(text, &chinese),
            self.calendar_date(&g(&chinese, 1), &g(&chinese, 2), &g(&chinese, 3)),
        );
        let ordered = r"^([0-9]{1,2})([-/.])([0-9]{1,2})([-/.])([0-9]{4})$";
        let (month, day) = match order {
            DateOrder::YearFirst => (None, None),
            DateOrder::MonthFirst => (Some(1), Some(3)),
            DateOrder::DayFirst => (Some(3), Some(1)),
        };
        if let (Some(month), Some(day)) = (month, day) {
            sql.push_str(&format!(
                " WHEN {} AND {} = {} THEN {}",
                self.matches(text, ordered),
                g(ordered, 2),
                g(ordered, 4),
                self.calendar_date(&g(ordered, 5), &g(ordered, month), &g(ordered, day))
            ));
        }
        sql.push_str(" END)");
        sql
    }

    /// Yes or no as a trimmed, non-missing cell `text` says it, or NULL.
    pub fn read_bool(self, text: &str) -> String {
        let lower = self.ascii_lower(text);
        format!(
            "(CASE WHEN {} THEN TRUE WHEN {} THEN FALSE END)",
            self.matches(&lower, "^(true|yes|y|1|是|对)$"),
            self.matches(&lower, "^(false|no|n|0|否|不)$")
        )
    }
}
