//! What differs between the SQL engines the query is written for: how names and text are
//! quoted, how a list cell is searched, how exact arithmetic is written (Spark's decimals
//! need their precision planned: see [`Dialect::add`] and [`Dialect::multiply`]).

/// The SQL engines a ruleset compiles for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    DuckDb,
    Postgres,
    /// Spark SQL (3.4 or later; Spark 4's defaults in mind): exact under its default
    /// decimal rules, which the query checks (see [`Dialect::guard`]).
    Spark,
}

/// The characters a cell is trimmed of, as `run` trims it: every Unicode white space.
pub(super) const WHITE_SPACE: &[char] = &[
    ' ', '\t', '\n', '\u{0B}', '\u{0C}', '\r', '\u{85}', '\u{A0}', '\u{1680}', '\u{2000}', '\u{2001}',
    '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}', '\u{2009}',
    '\u{200A}', '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}', '\u{3000}',
];

/// `text` as a literal opened by `open` that reads backslash escapes: `'` written as
/// `quote`, `\` doubled, control characters as `control` spells them.
fn escaped_literal(open: &str, text: &str, quote: &str, control: fn(char) -> String) -> String {
    let mut out = String::from(open);
    for c in text.chars() {
        match c {
            '\'' => out.push_str(quote),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&control(c)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The characters a list item is trimmed of (ASCII white space, as `run` trims items).
const ASCII_SPACE: &[char] = &[' ', '\t', '\n', '\u{0C}', '\r'];

impl Dialect {
    /// The dialect's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Spark => "spark",
        }
    }

    /// The name of the text type.
    pub fn text_type(self) -> &'static str {
        match self {
            Dialect::DuckDb => "VARCHAR",
            Dialect::Postgres => "TEXT",
            Dialect::Spark => "STRING",
        }
    }

    /// A name (table, column) quoted: any characters, spaces and Unicode included.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A table name as given: dotted parts (`schema.table`) quoted one by one.
    pub fn table(self, name: &str) -> String {
        name.split('.').map(|part| self.ident(part)).collect::<Vec<_>>().join(".")
    }

    /// A text literal.
    pub fn text(self, text: &str) -> String {
        match self {
            // With standard_conforming_strings (the default since 9.1) only `'` is special;
            // an E'' string spells the other characters the same in every setting.
            Dialect::Postgres if text.chars().any(|c| c.is_control()) => {
                escaped_literal("E'", text, "''", |c| format!("\\U{:08X}", c as u32))
            }
            // Spark reads backslash escapes in every literal (unless
            // spark.sql.parser.escapedStringLiterals is set, which docs/scale.md warns of).
            Dialect::Spark => escaped_literal("'", text, "\\'", |c| format!("\\u{:04X}", c as u32)),
            _ => format!("'{}'", text.replace('\'', "''")),
        }
    }

    /// A date literal.
    pub fn date(self, day: crate::date::Day) -> String {
        format!("DATE '{}'", crate::date::format(day))
    }

    /// The characters in `chars` as a constant SQL expression, spelled by code point
    /// (`chr(32) || chr(9) || …`, in Spark `'\u0020\u0009…'`: its `chr` takes the code
    /// modulo 256) so that none is invisible in the query; engines fold it once (a column
    /// there instead would make DuckDB trim twenty times slower).
    pub(super) fn spelled(self, chars: &[char]) -> String {
        match self {
            Dialect::Spark => {
                let codes: String = chars.iter().map(|c| format!("\\u{:04X}", *c as u32)).collect();
                format!("'{codes}'")
            }
            _ => {
                let codes: Vec<String> = chars.iter().map(|c| format!("chr({})", *c as u32)).collect();
                format!("({})", codes.join(" || "))
            }
        }
    }

    /// `value` trimmed of white space as `run` trims cells, with an empty result as NULL.
    pub fn trimmed_text(self, value: &str) -> String {
        let text = self.text_type();
        format!("NULLIF({}, '')", self.trim(&format!("CAST({value} AS {text})"), &self.spelled(WHITE_SPACE)))
    }

    /// Whether the list cell `list` (items separated by `;`, each trimmed, empty ones
    /// skipped) holds `item`; NULL when the cell is.
    pub fn list_contains(self, list: &str, item: &str) -> String {
        let (split, text) = match self {
            Dialect::DuckDb => ("string_split", "VARCHAR"),
            Dialect::Postgres => ("string_to_array", "TEXT"),
            Dialect::Spark => {
                // `split` takes a regular expression; `;` is itself.
                return format!(
                    "(CASE WHEN {list} IS NULL OR {item} IS NULL THEN NULL ELSE exists(split(CAST({list} AS STRING), ';'), i -> {} = {item}) END)",
                    self.trim("i", &self.spelled(ASCII_SPACE))
                );
            }
        };
        format!(
            "(CASE WHEN {list} IS NULL OR {item} IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM \
             unnest({split}(CAST({list} AS {text}), ';')) AS i(v) WHERE {} = {item}) END)",
            self.trim("i.v", &self.spelled(ASCII_SPACE))
        )
    }

    /// `value` trimmed of the characters in `chars` at both ends.
    fn trim(self, value: &str, chars: &str) -> String {
        match self {
            Dialect::DuckDb => format!("trim({value}, {chars})"),
            Dialect::Postgres | Dialect::Spark => format!("btrim({value}, {chars})"),
        }
    }

    /// Days from `day` to the date `to` (`to − day`), a whole number.
    pub fn days_between(self, day: &str, to: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("({to} - CAST({day} AS DATE))"),
            Dialect::Spark => format!("datediff({to}, CAST({day} AS DATE))"),
        }
    }

    /// `a / b` exactly as the language divides: rounded half away from zero at the twelfth
    /// decimal, missing when `b` is zero; `None` when the dialect cannot say it exactly.
    pub fn divide(self, a: &str, b: &str) -> Option<String> {
        match self {
            // NUMERIC is arbitrary precision: scale both to whole numbers of 10⁻¹², divide
            // as integers with the remainder deciding the rounding, and scale back by
            // multiplying (exact; NUMERIC division would keep only about 16 digits).
            Dialect::Postgres => {
                let scaled = |x: &str| format!("(CAST({x} AS NUMERIC) * 1000000000000)");
                let (a, b) = (scaled(a), scaled(b));
                Some(format!(
                    "(sign({a}) * sign(NULLIF({b}, 0)) * div(abs({a}) * 2000000000000 + abs({b}), 2 * abs(NULLIF({b}, 0))) * 0.000000000001)"
                ))
            }
            // DuckDB divides decimals in DOUBLE: not exact. Spark's quotient of two decimals
            // keeps twelve decimals only for dividends below 10¹⁴ (its result type caps
            // precision at 38 digits), so a larger value would be refused at run time.
            Dialect::DuckDb | Dialect::Spark => None,
        }
    }

    /// The average of `sum` over `count` events, exactly (see [`Dialect::divide`]); DuckDB
    /// and Spark can say this one, the count being a whole number.
    pub fn average(self, sum: &str, count: &str) -> String {
        match self {
            Dialect::Postgres => self.divide(sum, count).unwrap_or_default(),
            // Under the default decimal rules ([`Dialect::guard`]) DECIMAL(38,12) over a
            // BIGINT is DECIMAL(38,12): the quotient computed to 38 decimals, then rounded
            // half away from zero at the twelfth; a count below 10¹⁸ keeps the first rounding
            // from ever deciding the second.
            Dialect::Spark => format!("(CAST({sum} AS DECIMAL(38,12)) / NULLIF({count}, 0))"),
            Dialect::DuckDb => {
                // The sum as a whole number of 10⁻¹² (its decimal text without the point),
                // halved-up integer division by the count, and back to a decimal.
                let scaled = format!(
                    "CAST(replace(CAST(CAST({sum} AS DECIMAL(38,12)) AS VARCHAR), '.', '') AS HUGEINT)"
                );
                let count = format!("CAST(NULLIF({count}, 0) AS HUGEINT)");
                let quotient = format!("((abs({scaled}) * 2 + {count}) // (2 * {count}))");
                // At least 13 digits (lpad would cut a longer one).
                let text = format!("CAST({quotient} AS VARCHAR)");
                let digits = format!("(repeat('0', greatest(0, 13 - length({text}))) || {text})");
                format!(
                    "CAST((CASE WHEN {scaled} < 0 THEN '-' ELSE '' END) || left({digits}, length({digits}) - 12) || '.' || right({digits}, 12) AS DECIMAL(38,12))"
                )
            }
        }
    }

    /// `a + b` (or `a - b` with `minus`), exactly. Spark would give two DECIMAL(38,12)
    /// a sum of scale 11 (its precision cap takes a digit off the scale): both are first
    /// narrowed to DECIMAL(37,12), whose sum fits DECIMAL(38,12) whole.
    pub fn add(self, a: &str, b: &str, minus: bool) -> String {
        let op = if minus { "-" } else { "+" };
        match self {
            Dialect::Spark => format!("({} {op} {})", self.narrow(a, 37), self.narrow(b, 37)),
            _ => format!("({a} {op} {b})"),
        }
    }

    /// `a × b` rounded half away from zero at the twelfth decimal. `a_digits`/`b_digits`:
    /// for an operand that is a constant, its digits before and after the point.
    ///
    /// Spark caps a product's precision at 38 digits and then keeps `38 − whole digits`
    /// decimals, so the operands' types are planned. A number times a constant: the number
    /// is narrowed so that the product has 26 whole digits at most, which leaves exactly
    /// twelve decimals, rounded once. Two numbers: each is split into its whole part and
    /// its fraction (same sign), and the four partial products, each exact in its type,
    /// are added, the fractions' product rounded (the parts having one sign, rounding it
    /// alone rounds the sum). Exact for whole parts below 10²⁴ and products below 10²⁵;
    /// past those the query stops with a message, never rounds.
    pub fn multiply(
        self,
        a: &str,
        b: &str,
        a_digits: Option<(u32, u32)>,
        b_digits: Option<(u32, u32)>,
    ) -> String {
        match self {
            // Exact in DECIMAL/NUMERIC; the language keeps twelve decimals.
            Dialect::DuckDb | Dialect::Postgres => format!("round({a} * {b}, 12)"),
            Dialect::Spark => {
                let constant = |c: &str, (whole, fraction): (u32, u32)| {
                    format!("CAST({c} AS DECIMAL({}, {fraction}))", whole + fraction)
                };
                match (a_digits, b_digits) {
                    (_, Some(digits)) => format!(
                        "round({} * {}, 12)",
                        self.narrow(a, 37 - digits.0.min(25)),
                        constant(b, digits)
                    ),
                    (Some(digits), None) => format!(
                        "round({} * {}, 12)",
                        constant(a, digits),
                        self.narrow(b, 37 - digits.0.min(25))
                    ),
                    (None, None) => {
                        let exact = |x: &str| format!("CAST({x} AS DECIMAL(38,12))");
                        let whole = |x: &str| {
                            let x = exact(x);
                            format!("TRY_CAST({x} - {x} % 1 AS DECIMAL(24,0))")
                        };
                        let fraction = |x: &str| format!("({} % 1)", exact(x));
                        let sum = |x: &str, y: &str| {
                            format!("(TRY_CAST({x} AS DECIMAL(37,12)) + TRY_CAST({y} AS DECIMAL(37,12)))")
                        };
                        let wholes = format!("{} * {}", whole(a), whole(b));
                        let mixed = sum(
                            &format!("{} * {}", whole(a), fraction(b)),
                            &format!("{} * {}", fraction(a), whole(b)),
                        );
                        let fractions = format!("round({} * {}, 12)", fraction(a), fraction(b));
                        let product = sum(&sum(&wholes, &mixed), &fractions);
                        let beyond = crate::msg!("sql-spark-beyond-range").to_string();
                        format!(
                            "(CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL ELSE coalesce(TRY_CAST({product} AS DECIMAL(38,12)), raise_error({})) END)",
                            self.text(&beyond)
                        )
                    }
                }
            }
        }
    }

    /// Spark: `value` as DECIMAL(`precision`,12), or the query stops with a message when
    /// it does not fit (a failed cast would be NULL outside ANSI mode: a wrong answer).
    fn narrow(self, value: &str, precision: u32) -> String {
        let beyond = crate::msg!("sql-spark-beyond-range").to_string();
        format!(
            "coalesce(TRY_CAST({value} AS DECIMAL({precision},12)), CASE WHEN {value} IS NOT NULL THEN raise_error({}) END)",
            self.text(&beyond)
        )
    }

    /// A condition every row must meet for the query to be exact, or `None`. Spark: its
    /// default decimal rules (`spark.sql.decimalOperations.allowPrecisionLoss`), under
    /// which the query's arithmetic is planned; with the other rules the query stops with
    /// a message rather than round differently.
    pub fn guard(self) -> Option<String> {
        match self {
            Dialect::Spark => {
                let message = crate::msg!("sql-spark-decimal-rules").to_string();
                Some(format!(
                    "typeof(CAST(0 AS DECIMAL(38,12)) / CAST(1 AS BIGINT)) = 'decimal(38,12)' OR raise_error({})",
                    self.text(&message)
                ))
            }
            Dialect::DuckDb | Dialect::Postgres => None,
        }
    }
}
