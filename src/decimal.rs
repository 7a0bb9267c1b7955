//! Exact decimal numbers as scaled integers: an `i128` counting units of 10⁻¹², so that
//! `0.1 + 0.2 == 0.3` and `3 * 1.2 == 3.6` hold, money never picks up binary rounding,
//! and comparing two numbers is one integer comparison.
//!
//! Twelve digits after the point are kept exactly; the range is ±1.7 × 10²⁶. Values with
//! more fraction digits are rounded half away from zero, and so are quotients. An operation
//! whose result leaves the range gives `None`, which the evaluator treats as unknown.

use std::fmt;

/// Units per one: 10¹².
const SCALE: i128 = 1_000_000_000_000;
/// Digits kept after the decimal point.
pub const FRACTION_DIGITS: usize = 12;

/// An exact decimal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Decimal(i128);

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal(0);
    /// The least value there is.
    pub const MIN: Decimal = Decimal(i128::MIN);
    /// The greatest value there is.
    pub const MAX: Decimal = Decimal(i128::MAX);

    /// The next value up, by the smallest step there is; `None` above [`Decimal::MAX`].
    pub fn next_up(self) -> Option<Decimal> {
        self.0.checked_add(1).map(Decimal)
    }

    /// The next value down; `None` below [`Decimal::MIN`].
    pub fn next_down(self) -> Option<Decimal> {
        self.0.checked_sub(1).map(Decimal)
    }

    /// A whole number.
    pub fn from_int(value: i64) -> Decimal {
        Decimal(i128::from(value) * SCALE)
    }

    /// Parses a number as exports write it: optional sign, digits with optional
    /// thousands separators (`1,234,567.89`: comma groups of three), optional fraction.
    pub fn parse(text: &str) -> Option<Decimal> {
        Decimal::parse_bytes(text.as_bytes())
    }

    /// [`Decimal::parse`] on bytes, for cells read straight from a file.
    pub fn parse_bytes(bytes: &[u8]) -> Option<Decimal> {
        plain(bytes).or_else(|| Decimal::parse_general(bytes))
    }

    /// The short way only: up to 18 digits, an optional point and up to 12 more, nothing
    /// else. `None` does not mean the cell is not a number, only that it needs
    /// [`Decimal::parse_bytes`].
    #[inline]
    pub fn parse_plain(bytes: &[u8]) -> Option<Decimal> {
        plain(bytes)
    }

    fn parse_general(bytes: &[u8]) -> Option<Decimal> {
        let (negative, bytes) = match bytes.first()? {
            b'-' => (true, &bytes[1..]),
            b'+' => (false, &bytes[1..]),
            _ => (false, bytes),
        };
        let point = bytes.iter().position(|&b| b == b'.');
        let (whole, fraction) = match point {
            Some(p) => (&bytes[..p], Some(&bytes[p + 1..])),
            None => (bytes, None),
        };
        if whole.is_empty() && fraction.is_none_or(<[u8]>::is_empty) {
            return None;
        }
        let whole = parse_whole(whole)?;
        let units = match fraction {
            Some(f) => parse_fraction(f)?,
            None => 0,
        };
        let value = whole.checked_mul(SCALE)?.checked_add(units)?;
        Some(Decimal(if negative { -value } else { value }))
    }

    /// Reads a JSON number from its text exactly (`12345678901234567.5`, `1e-7`,
    /// `1.5E+3`): the exponent moves the point, and digits past the twelfth after it are
    /// rounded half away from zero. `None` when the value leaves the range.
    pub fn parse_json(text: &str) -> Option<Decimal> {
        let Some(at) = text.find(['e', 'E']) else { return Decimal::parse(text) };
        let exponent = text[at + 1..].parse::<i64>().ok()?;
        let (sign, mantissa) = match text[..at].strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", &text[..at]),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{whole}{fraction}");
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if digits.bytes().all(|b| b == b'0') {
            return Some(Decimal::ZERO);
        }
        // The value is `digits` × 10^shift.
        let shift = exponent.checked_sub(fraction.len() as i64)?;
        let written = if shift >= 0 {
            if shift > 60 {
                return None;
            }
            format!("{sign}{digits}{}", "0".repeat(shift as usize))
        } else {
            let places = shift.unsigned_abs() as usize;
            if places > digits.len() + FRACTION_DIGITS + 1 {
                return Some(Decimal::ZERO);
            }
            let padded = format!("{}{digits}", "0".repeat(places.saturating_sub(digits.len()) + 1));
            let point = padded.len() - places;
            format!("{sign}{}.{}", &padded[..point], &padded[point..])
        };
        Decimal::parse(&written)
    }

    /// Parses a literal as written in a ruleset: digits, `_` separators, optional fraction.
    pub fn parse_literal(text: &str) -> Option<Decimal> {
        let plain: String = text.chars().filter(|&c| c != '_').collect();
        if plain.starts_with(['-', '+']) || plain.contains(',') {
            return None;
        }
        Decimal::parse(&plain)
    }

    /// Sum, or `None` when out of range.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        self.0.checked_add(other.0).map(Decimal)
    }

    /// Difference, or `None` when out of range.
    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        self.0.checked_sub(other.0).map(Decimal)
    }

    /// Product, or `None` when out of range.
    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        if let Some(product) = self.0.checked_mul(other.0) {
            return Some(Decimal(round_div(product, SCALE)));
        }
        // Split the larger factor into whole units and the rest so the partial products
        // fit whenever the product does (`1.2 * x` as `x * 1.2`, for a huge `x`).
        let (large, small) =
            if self.0.unsigned_abs() >= other.0.unsigned_abs() { (self, other) } else { (other, self) };
        let (whole, rest) = (large.0 / SCALE, large.0 % SCALE);
        let high = whole.checked_mul(small.0)?;
        let low = round_div(rest.checked_mul(small.0)?, SCALE);
        high.checked_add(low).map(Decimal)
    }

    /// Quotient rounded to twelve fraction digits; `None` for division by zero.
    pub fn checked_div(self, other: Decimal) -> Option<Decimal> {
        if other.0 == 0 {
            return None;
        }
        let negative = (self.0 < 0) != (other.0 < 0);
        let (a, b) = (self.0.unsigned_abs(), other.0.unsigned_abs());
        let mut quotient = (a / b).checked_mul(SCALE as u128)?;
        let mut remainder = a % b;
        let mut place = SCALE as u128;
        // Long division, one digit at a time, so no intermediate overflows.
        for _ in 0..=FRACTION_DIGITS {
            remainder *= 10;
            let digit = remainder / b;
            remainder %= b;
            if place == 1 {
                quotient = quotient.checked_add(u128::from(digit >= 5))?;
                break;
            }
            place /= 10;
            quotient = quotient.checked_add(digit * place)?;
        }
        let value = i128::try_from(quotient).ok()?;
        Some(Decimal(if negative { -value } else { value }))
    }

    /// True for zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// True when there is nothing after the decimal point.
    pub fn is_whole(self) -> bool {
        self.0 % SCALE == 0
    }

    /// The whole part, towards zero.
    pub fn whole(self) -> i128 {
        self.0 / SCALE
    }

    /// The scaled integer: units of 10⁻¹².
    pub(crate) fn units(self) -> i128 {
        self.0
    }

    /// A number from its scaled integer ([`Decimal::units`]).
    pub(crate) fn from_units(units: i128) -> Decimal {
        Decimal(units)
    }
}

/// Divides by the scale (10¹²) and rounds half away from zero. 128-bit division is a
/// slow library call; 10¹² is 2¹² × 5¹², and 5¹² fits 32 bits, so this shifts and then
/// divides limb by limb with 64-bit arithmetic (see [`divide_small`]).
fn round_div(value: i128, divisor: i128) -> i128 {
    debug_assert_eq!(divisor, SCALE);
    const FIVES: u64 = 244_140_625; // 5¹²
    let magnitude = value.unsigned_abs();
    let (quotient, remainder) = divide_small(magnitude >> 12, FIVES);
    // What was cut off: the remainder of the division by 5¹², times 2¹², plus the low bits.
    let rest = (u128::from(remainder) << 12) | (magnitude & 0xFFF);
    with_sign_of(value, quotient + u128::from(rest * 2 >= SCALE as u128))
}

/// Divides by a divisor below 2³² and rounds half away from zero.
fn round_div_small(value: i128, divisor: u64) -> i128 {
    let (quotient, remainder) = divide_small(value.unsigned_abs(), divisor);
    with_sign_of(value, quotient + u128::from(remainder * 2 >= divisor))
}

/// A magnitude given the sign of `value`.
fn with_sign_of(value: i128, magnitude: u128) -> i128 {
    if value < 0 {
        -(magnitude as i128)
    } else {
        magnitude as i128
    }
}

/// Quotient and remainder of a 128-bit number by a divisor below 2³², limb by 32-bit
/// limb: each step divides a 64-bit number, which the compiler does in a few instructions
/// (128-bit division is a slow library call).
#[inline]
fn divide_small(value: u128, divisor: u64) -> (u128, u64) {
    debug_assert!(divisor > 0 && divisor < 1 << 32);
    if let Ok(value) = u64::try_from(value) {
        return (u128::from(value / divisor), value % divisor);
    }
    let mut quotient: u128 = 0;
    let mut remainder: u64 = 0;
    for limb in (0..4).rev() {
        let part = (remainder << 32) | ((value >> (32 * limb)) as u64 & 0xFFFF_FFFF);
        quotient |= u128::from(part / divisor) << (32 * limb);
        remainder = part % divisor;
    }
    (quotient, remainder)
}

/// A constant factor prepared for multiplying many numbers by it. A factor written with
/// few decimals (`2`, `1.2`, `0.85`) is kept as a whole number over a small power of ten,
/// so a product costs one multiplication (and, with decimals, one small division) rather
/// than a full product rounded back to twelve digits. The results are the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Factor {
    value: Decimal,
    /// `value` = `numerator` / `divisor`, `divisor` a power of ten up to 10⁹.
    numerator: i128,
    divisor: u64,
}

impl Factor {
    /// Prepares `value` as a factor.
    pub fn new(value: Decimal) -> Factor {
        let mut numerator = value.0;
        let mut divisor = SCALE as u64;
        while divisor > 1 && numerator % 10 == 0 {
            numerator /= 10;
            divisor /= 10;
        }
        if divisor >= 1 << 32 {
            // Too many decimals for the short way: multiply in full.
            return Factor { value, numerator: value.0, divisor: 0 };
        }
        Factor { value, numerator, divisor }
    }

    /// The factor itself.
    pub fn value(self) -> Decimal {
        self.value
    }

    /// `x` times the factor, as [`Decimal::checked_mul`] gives it.
    #[inline]
    pub fn times(self, x: Decimal) -> Option<Decimal> {
        if let (Ok(a), Ok(b), 1..) = (i64::try_from(x.0), i64::try_from(self.numerator), self.divisor) {
            // Two 64-bit factors: the 128-bit product cannot overflow.
            let product = i128::from(a) * i128::from(b);
            return Some(Decimal(match self.divisor {
                1 => product,
                divisor => round_div_small(product, divisor),
            }));
        }
        match (self.divisor, x.0.checked_mul(self.numerator)) {
            (1, Some(product)) => Some(Decimal(product)),
            (0, _) | (_, None) => x.checked_mul(self.value),
            (divisor, Some(product)) => Some(Decimal(round_div_small(product, divisor))),
        }
    }
}

/// The commonest cells, `42` and `1234.56`, in one pass: up to 18 digits before the point
/// and up to 12 after, no sign, no separators. `None` sends the cell the general way.
#[inline]
fn plain(bytes: &[u8]) -> Option<Decimal> {
    if bytes.is_empty() || bytes.len() > 18 {
        return None;
    }
    let mut whole: u64 = 0;
    let mut at = 0;
    while let Some(digit) = bytes.get(at).and_then(|b| b.checked_sub(b'0')).filter(|&d| d <= 9) {
        whole = whole * 10 + u64::from(digit);
        at += 1;
    }
    let mut units: u64 = 0;
    let mut places = FRACTION_DIGITS;
    if at < bytes.len() {
        if at == 0 || bytes[at] != b'.' || bytes.len() - at - 1 > FRACTION_DIGITS {
            return None;
        }
        for &b in &bytes[at + 1..] {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            units = units * 10 + u64::from(digit);
            places -= 1;
        }
    }
    let units = units * 10u64.pow(places as u32);
    Some(Decimal(i128::from(whole) * SCALE + i128::from(units)))
}

/// The whole part: plain digits, or comma-separated groups of three.
fn parse_whole(bytes: &[u8]) -> Option<i128> {
    // Most cells are plain digits that fit a u64: add them up without i128 arithmetic.
    if bytes.len() <= 18 && bytes.iter().all(u8::is_ascii_digit) {
        return Some(i128::from(bytes.iter().fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'))));
    }
    let mut value: i128 = 0;
    let mut group = 0usize;
    let mut saw_comma = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                value = value.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
                group += 1;
            }
            b',' if i > 0 && (saw_comma && group == 3 || !saw_comma && group <= 3) => {
                saw_comma = true;
                group = 0;
            }
            _ => return None,
        }
    }
    if saw_comma && group != 3 {
        return None;
    }
    Some(value)
}

/// Fraction digits as units of 10⁻¹², rounding beyond the twelfth digit.
fn parse_fraction(bytes: &[u8]) -> Option<i128> {
    let mut units: u64 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        if i < FRACTION_DIGITS {
            units = units * 10 + u64::from(b - b'0');
        } else if i == FRACTION_DIGITS && b >= b'5' {
            units += 1;
        }
    }
    let units = i128::from(units);
    let shown = bytes.len().min(FRACTION_DIGITS);
    Some(units * 10i128.pow((FRACTION_DIGITS - shown) as u32))
}

impl std::ops::Neg for Decimal {
    type Output = Decimal;
    fn neg(self) -> Decimal {
        Decimal(self.0.saturating_neg())
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / SCALE as u128;
        let fraction = abs % SCALE as u128;
        if fraction == 0 {
            return write!(f, "{sign}{whole}");
        }
        let digits = format!("{fraction:012}");
        write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_numbers_exactly() {
        let read = |text| Decimal::parse_json(text).map(|d| d.to_string());
        assert_eq!(read("12345678901234567.5").as_deref(), Some("12345678901234567.5"));
        assert_eq!(read("123456789012345678901234").as_deref(), Some("123456789012345678901234"));
        assert_eq!(read("1e-7").as_deref(), Some("0.0000001"));
        assert_eq!(read("-1.5E+3").as_deref(), Some("-1500"));
        assert_eq!(read("2.5e0").as_deref(), Some("2.5"));
        assert_eq!(read("1e-13").as_deref(), Some("0"));
        assert_eq!(read("5e-13").as_deref(), Some("0.000000000001"));
        assert_eq!(read("0e99999").as_deref(), Some("0"));
        assert_eq!(read("1e-99999").as_deref(), Some("0"));
        assert_eq!(read("1e27"), None);
        assert_eq!(read("1e999999999999"), None);
        assert_eq!(read("12.0e1").as_deref(), Some("120"));
    }

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn arithmetic_is_exact_for_written_decimals() {
        assert_eq!(d("0.1").checked_add(d("0.2")), Some(d("0.3")));
        assert_eq!(d("3").checked_mul(d("1.2")), Some(d("3.6")));
        assert_eq!(d("1").checked_div(d("3")).unwrap().to_string(), "0.333333333333");
        assert_eq!(d("2").checked_div(d("3")).unwrap().to_string(), "0.666666666667");
        assert_eq!(d("-7").checked_div(d("2")), Some(d("-3.5")));
        assert_eq!(d("1").checked_div(Decimal::ZERO), None);
        assert_eq!(d("1.5").checked_sub(d("2")), Some(d("-0.5")));
    }

    #[test]
    fn large_products_stay_exact() {
        let big = d("123456789012345.25");
        assert_eq!(big.checked_mul(d("1000")), Some(d("123456789012345250")));
        assert_eq!(d("1e3".replace('e', "").as_str()), d("13"));
    }

    #[test]
    fn the_short_way_and_the_general_way_read_numbers_alike() {
        let cells = [
            "0",
            "7",
            "42",
            "123456789012345678",
            "1234.5",
            "0.000000000001",
            "99.999999999999",
            "5.",
            "1.0000000000005",
            "1234567890123456789",
            "-3",
            "+3",
            ".5",
            "1,234",
            "12a",
            "1.2.3",
        ];
        for cell in cells {
            let general = Decimal::parse_general(cell.as_bytes());
            assert_eq!(Decimal::parse_bytes(cell.as_bytes()), general, "{cell}");
            if let Some(short) = plain(cell.as_bytes()) {
                assert_eq!(Some(short), general, "{cell}");
            }
        }
    }

    #[test]
    fn parses_export_forms() {
        assert_eq!(d("1,234,567.89"), d("1234567.89"));
        assert_eq!(d("-12.5").to_string(), "-12.5");
        assert_eq!(d("+4"), d("4"));
        assert_eq!(d(".5"), d("0.5"));
        assert_eq!(d("5."), d("5"));
        for bad in ["", "-", ".", "1,23", "12,34,567", ",123", "1.2.3", "abc", "1 000", "1e5"] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn literals_take_underscores_not_signs() {
        assert_eq!(Decimal::parse_literal("1_000_000"), Some(d("1000000")));
        assert_eq!(Decimal::parse_literal("-1"), None);
        assert_eq!(Decimal::parse_literal("1,000"), None);
    }

    #[test]
    fn fast_division_agrees_with_plain_division() {
        let plain = |value: i128| {
            let (q, r) = (value / SCALE, value % SCALE);
            if r.abs() * 2 >= SCALE {
                q + value.signum()
            } else {
                q
            }
        };
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let wide = (i128::from(x) << (i % 60)) ^ i128::from(x >> 3);
            for value in
                [wide, -wide, i128::from(x % 3_000_000_000_000), SCALE / 2, -SCALE / 2, SCALE / 2 - 1]
            {
                assert_eq!(round_div(value, SCALE), plain(value), "{value}");
            }
        }
    }

    #[test]
    fn a_prepared_factor_multiplies_as_a_full_product_does() {
        let factors = ["2", "1.2", "0.85", "-3", "0.000000000001", "1234.5678", "0.333333333333", "0"];
        let values = ["7", "-7", "0.05", "1000000.01", "0.000000000005", "-0.000000000015", "123456.789"];
        for f in factors {
            let factor = Factor::new(d(f));
            assert_eq!(factor.value(), d(f));
            for v in values {
                assert_eq!(factor.times(d(v)), d(v).checked_mul(d(f)), "{v} × {f}");
            }
        }
        // A product in range whatever the order of its factors.
        let big = d("99999999999999999999");
        assert_eq!(d("1.2").checked_mul(big), Some(d("119999999999999999998.8")));
        assert_eq!(big.checked_mul(d("1.2")), d("1.2").checked_mul(big));
        assert_eq!(Factor::new(d("1.2")).times(big), d("1.2").checked_mul(big));
        let huge = Decimal(i128::MAX / 3);
        assert_eq!(Factor::new(d("2")).times(huge), huge.checked_mul(d("2")));
        assert_eq!(Factor::new(d("4")).times(huge), None);
    }

    #[test]
    fn small_divisions_round_half_away_from_zero() {
        assert_eq!(round_div_small(15, 10), 2);
        assert_eq!(round_div_small(-15, 10), -2);
        assert_eq!(round_div_small(14, 10), 1);
        assert_eq!(round_div_small(i128::MAX, 1_000_000_000), (i128::MAX / 1_000_000_000) + 1);
    }

    #[test]
    fn rounds_beyond_twelve_digits() {
        assert_eq!(d("0.0000000000005"), d("0.000000000001"));
        assert_eq!(d("0.0000000000004"), Decimal::ZERO);
    }
}
