//! Dates as day numbers (days from the start of the common era, as chrono counts them),
//! so that comparing dates and `days_since` are integer operations. Parsing accepts the
//! forms exports use: `2026-11-01`, `2026/11/1` (Excel on Chinese Windows), and ISO 8601
//! date-times, whose date part counts as written.

use chrono::{Datelike, NaiveDate};

/// A date as a day number.
pub type Day = i32;

/// The day number of a calendar date, if it exists.
pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
    NaiveDate::from_ymd_opt(year, month, day).map(|d| d.num_days_from_ce())
}

/// The calendar date of a day number.
pub fn to_naive(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

/// `YYYY-MM-DD`.
pub fn format(day: Day) -> String {
    format_naive(to_naive(day))
}

/// `YYYY-MM-DD` of a calendar date: written digit by digit for the years 0 to 9999 (a
/// plan of a million tasks formats a million dates), by chrono for the rest.
pub fn format_naive(date: NaiveDate) -> String {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        return date.format("%Y-%m-%d").to_string();
    }
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let (y, m, d) = (year as u32, date.month(), date.day());
    let bytes = [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(d / 10),
        digit(d),
    ];
    // ASCII digits and dashes: always text, borrowed as it is.
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Today's date on this machine's clock.
pub fn today() -> Day {
    chrono::Local::now().date_naive().num_days_from_ce()
}

/// Parses a date cell: `YYYY-MM-DD`, `YYYY/M/D` or `YYYY.M.D` (padding optional),
/// `2026年5月10日`, or an ISO 8601
/// date-time (`2026-11-01T08:30:00+08:00`, `2026-11-01 08:30`), whose date part counts.
pub fn parse(text: &str) -> Option<Day> {
    parse_bytes(text.as_bytes())
}

/// [`parse`] on bytes, for cells read straight from a file.
pub fn parse_bytes(bytes: &[u8]) -> Option<Day> {
    if let Some(day) = parse_iso(bytes) {
        return Some(day);
    }
    let (year, rest) = digits(bytes, 4, 4)?;
    if let Some(chinese) = rest.trim_ascii_start().strip_prefix("年".as_bytes()) {
        return chinese_date(year, chinese);
    }
    let separator = *rest.first()?;
    if separator != b'-' && separator != b'/' && separator != b'.' {
        return None;
    }
    let (month, rest) = digits(&rest[1..], 1, 2)?;
    if rest.first() != Some(&separator) {
        return None;
    }
    let (day, rest) = digits(&rest[1..], 1, 2)?;
    match rest.first() {
        None => {}
        Some(b'T' | b't' | b' ') if valid_time(&rest[1..]) => {}
        Some(_) => return None,
    }
    civil(year as i32, month, day)
}

/// The rest of `2026年5月10日` (or `号`) after the year, spaces allowed between the parts.
fn chinese_date(year: u32, rest: &[u8]) -> Option<Day> {
    let rest = rest.trim_ascii_start();
    let (month, rest) = digits(rest, 1, 2)?;
    let rest = rest.trim_ascii_start().strip_prefix("月".as_bytes())?.trim_ascii_start();
    let (day, rest) = digits(rest, 1, 2)?;
    let rest = rest.trim_ascii_start();
    let rest = rest.strip_prefix("日".as_bytes()).or_else(|| rest.strip_prefix("号".as_bytes()))?;
    rest.trim_ascii().is_empty().then_some(())?;
    civil(year as i32, month, day)
}

/// A time of day after a date, `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`, with an optional
/// zone (`Z`, `+08:00`, `+0800`, `-05`): the date counts only when the time is a real one
/// (`25:00` is not).
fn valid_time(bytes: &[u8]) -> bool {
    fn part(bytes: &[u8], max: u32) -> Option<(u32, &[u8])> {
        digits(bytes, 2, 2).filter(|(value, _)| *value <= max)
    }
    let Some((_, rest)) = part(bytes, 23) else { return false };
    let Some((_, mut rest)) = rest.strip_prefix(b":").and_then(|rest| part(rest, 59)) else { return false };
    if let Some(seconds) = rest.strip_prefix(b":") {
        let Some((_, after)) = part(seconds, 60) else { return false };
        rest = after;
        if let Some(fraction) = rest.strip_prefix(b".") {
            let count = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if count == 0 {
                return false;
            }
            rest = &fraction[count..];
        }
    }
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    match rest {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', h0, h1] => part(&[*h0, *h1], 14).is_some(),
        [b'+' | b'-', h0, h1, b':', m0, m1] | [b'+' | b'-', h0, h1, m0, m1] => {
            part(&[*h0, *h1], 14).is_some() && part(&[*m0, *m1], 59).is_some()
        }
        _ => false,
    }
}

/// The commonest form, exactly `YYYY-MM-DD`, without the general scanning. `None` does
/// not mean the cell is not a date, only that it needs [`parse_bytes`].
#[inline]
pub fn parse_iso(bytes: &[u8]) -> Option<Day> {
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = bytes else { return None };
    let digits = [y0, y1, y2, y3, m0, m1, d0, d1].map(|b| u32::from(b.wrapping_sub(b'0')));
    if digits.iter().any(|&d| d > 9) {
        return None;
    }
    let [y0, y1, y2, y3, m0, m1, d0, d1] = digits;
    civil((y0 * 1000 + y1 * 100 + y2 * 10 + y3) as i32, m0 * 10 + m1, d0 * 10 + d1)
}

/// The day number of a date, by arithmetic (the hot path of reading date cells); agrees
/// with [`from_ymd`], which the tests check.
fn civil(year: i32, month: u32, day: u32) -> Option<Day> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let length = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > length {
        return None;
    }
    // Days from 0000-03-01 (Howard Hinnant's days_from_civil), shifted to chrono's count.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_index = (month as i32 + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day as i32 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 305)
}

/// Reads between `min` and `max` ASCII digits.
fn digits(bytes: &[u8], min: usize, max: usize) -> Option<(u32, &[u8])> {
    let count = bytes.iter().take(max).take_while(|b| b.is_ascii_digit()).count();
    if count < min || bytes.get(count).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let value = bytes[..count].iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    Some((value, &bytes[count..]))
}

/// The date `months` calendar months before `day`, clamped to the month's last day.
pub fn months_before(day: Day, months: u32) -> Day {
    let date = to_naive(day);
    date.checked_sub_months(chrono::Months::new(months)).unwrap_or(NaiveDate::MIN).num_days_from_ce()
}

/// The year of a day number.
pub fn year(day: Day) -> i32 {
    to_naive(day).year()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_chrono_does() {
        let days = [0, 1, 365, 700_000, 739_921, 3_652_059, 3_652_060, -1, -400, i32::MAX / 2];
        for date in days.iter().filter_map(|&d| NaiveDate::from_num_days_from_ce_opt(d)) {
            assert_eq!(format_naive(date), date.format("%Y-%m-%d").to_string(), "{date:?}");
        }
        assert_eq!(format(from_ymd(2026, 3, 9).unwrap()), "2026-03-09");
    }

    #[test]
    fn parses_the_forms_exports_use() {
        let expected = from_ymd(2024, 3, 5);
        assert!(expected.is_some());
        for text in [
            "2024-03-05",
            "2024/3/5",
            "2024/03/05",
            "2024-3-5",
            "2024-03-05T23:59:59Z",
            "2024-03-05T01:00:00+08:00",
            "2024-03-05 08:30",
            "2024-03-05T08:30:00.123Z",
            "2024-03-05 08:30:00 +0800",
            "2024-03-05T08:30:59-05",
            "2024.3.5",
            "2024年3月5日",
            "2024年03月05号",
            "2024 年 3 月 5 日",
        ] {
            assert_eq!(parse(text), expected, "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for text in [
            "",
            "2024",
            "2024-13-01",
            "2024-02-30",
            "05/03/2024",
            "2024-03-05x",
            "2024/03-05",
            "20240-1-1",
            "2024-003-05",
            "2024-03-05T",
            "2023-10-15T25:00:00Z",
            "2024-03-05T08:60",
            "2024-03-05T8:30",
            "2024-03-05T08:30:61",
            "2024-03-05T08:30:00+25:00",
            "2024-03-05 08:30 tomorrow",
            "2024年3月",
            "2024年3月5",
            "2024年13月5日",
            "2024.3-5",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn arithmetic_agrees_with_chrono() {
        for year in [1, 4, 100, 400, 1900, 1999, 2000, 2024, 2026, 9999] {
            for month in 0..=13 {
                for day in 0..=32 {
                    assert_eq!(civil(year, month, day), from_ymd(year, month, day), "{year}-{month}-{day}");
                }
            }
        }
    }

    #[test]
    fn round_trips_and_counts_days() {
        let day = parse("2026-11-01").unwrap();
        assert_eq!(format(day), "2026-11-01");
        assert_eq!(day - parse("2025-11-01").unwrap(), 365);
        assert_eq!(format(months_before(parse("2026-03-31").unwrap(), 1)), "2026-02-28");
    }
}
