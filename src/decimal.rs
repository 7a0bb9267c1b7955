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
        // Split one factor into whole units and the rest so the partial products fit.
        let (whole, rest) = (self.0 / SCALE, self.0 % SCALE);
        let high = whole.checked_mul(other.0)?;
        let low = round_div(rest.checked_mul(other.0)?, SCALE);
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
}

/// Divides by the scale (10¹²) and rounds half away from zero. 128-bit division is a
/// slow library call; 10¹² is 2¹² × 5¹², and 5¹² fits 32 bits, so this shifts and then
/// divides limb by limb with 64-bit arithmetic the compiler turns into multiplications.
fn round_div(value: i128, divisor: i128) -> i128 {
    debug_assert_eq!(divisor, SCALE);
    const FIVES: u64 = 244_140_625; // 5¹²
    let magnitude = value.unsigned_abs();
    let shifted = magnitude >> 12;
    let mut quotient: u128 = 0;
    let mut remainder: u64 = 0;
    for limb in (0..4).rev() {
        let part = (remainder << 32) | ((shifted >> (32 * limb)) as u64 & 0xFFFF_FFFF);
        quotient |= u128::from(part / FIVES) << (32 * limb);
        remainder = part % FIVES;
    }
    // What was cut off: the remainder of the division by 5¹², times 2¹², plus the low bits.
    let rest = (u128::from(remainder) << 12) | (magnitude & 0xFFF);
    if rest * 2 >= SCALE as u128 {
        quotient += 1;
    }
    let quotient = quotient as i128;
    if value < 0 {
        -quotient
    } else {
        quotient
    }
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
    fn rounds_beyond_twelve_digits() {
        assert_eq!(d("0.0000000000005"), d("0.000000000001"));
        assert_eq!(d("0.0000000000004"), Decimal::ZERO);
    }
}
