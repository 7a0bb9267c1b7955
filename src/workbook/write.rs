//! Workbooks out: a run's results as an `.xlsx` file a manager opens and filters. Sheet
//! `results` has the run's columns with a frozen header row, filter buttons and widths
//! that fit the text; a column whose every cell is a plain number or a date is written as
//! numbers or dates (so kept input columns sort and sum in Excel as they did). Sheet
//! `summary` has the segments of each dimension with counts and shares, the tags, and the
//! data errors per column; sheet `plan` the follow-up tasks, when there are any.

use crate::date;
use crate::decimal::Decimal;
use crate::messages::Message;
use crate::msg;
use crate::run::Report;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// Excel's last row (1,048,576 rows, the header included).
const MAX_ROWS: usize = 1_048_576;
/// The widest a column is made, in characters.
const MAX_WIDTH: f64 = 60.0;

/// What a results workbook is made of.
pub struct ResultsBook<'a> {
    /// The results as the run wrote them in CSV (`,`-separated, UTF-8, header first).
    pub results_csv: &'a [u8],
    pub report: &'a Report,
    /// The follow-up plan as CSV, when the scripts made tasks.
    pub plan_csv: Option<&'a [u8]>,
}

/// The workbook's bytes, or why it could not be made.
pub fn results_workbook(book: &ResultsBook) -> Result<Vec<u8>, Message> {
    build(book).map_err(|e| msg!("cannot-make-workbook", reason = e.to_string()))
}

fn build(book: &ResultsBook) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let results = read_csv(book.results_csv);
    if results.len() > MAX_ROWS {
        let message = msg!("workbook-too-many-rows", customers = results.len() - 1, most = MAX_ROWS - 1);
        return Err(XlsxError::ParameterError(message.to_string()));
    }
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("results")?;
    table(sheet, &results)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name("summary")?;
    summary(sheet, book.report)?;
    if let Some(plan) = book.plan_csv {
        let rows = read_csv(plan);
        if rows.len() > 1 && rows.len() <= MAX_ROWS {
            let sheet = workbook.add_worksheet_with_constant_memory()?;
            sheet.set_name("plan")?;
            table(sheet, &rows)?;
        }
    }
    workbook.save_to_buffer()
}

/// Tables as a workbook, a sheet each (a report's tables: `tradeseg report -o NAME.xlsx`):
/// each table's first row is its header; names are made valid sheet names, each once.
pub fn tables_workbook(tables: &[(String, Vec<Vec<String>>)]) -> Result<Vec<u8>, Message> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut workbook = Workbook::new();
        let mut used: Vec<String> = Vec::new();
        for (name, rows) in tables {
            let sheet = workbook.add_worksheet();
            sheet.set_name(sheet_name(name, &mut used))?;
            table(sheet, rows)?;
        }
        workbook.save_to_buffer()
    };
    build().map_err(|e| msg!("cannot-make-workbook", reason = e.to_string()))
}

/// A sheet name Excel takes: none of `[]:*?/\`, at most 31 characters, not used before.
fn sheet_name(name: &str, used: &mut Vec<String>) -> String {
    let clean: String =
        name.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).take(28).collect::<String>();
    let clean = if clean.trim().is_empty() { "sheet".to_string() } else { clean };
    let mut candidate = clean.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&candidate)) {
        candidate = format!("{clean} {n}");
        n += 1;
    }
    used.push(candidate.clone());
    candidate
}

/// The records of CSV text (records that do not read are skipped: the text is the run's own).
fn read_csv(text: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
    reader
        .records()
        .filter_map(Result::ok)
        .map(|record| record.iter().map(str::to_string).collect())
        .collect()
}

/// What a column's cells all are.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Number,
    Date,
    Text,
}

/// Writes rows as a table: a bold frozen header with filter buttons, typed columns, widths
/// that fit. Settings come first, as a sheet in constant memory needs them before any row.
fn table(sheet: &mut Worksheet, rows: &[Vec<String>]) -> Result<(), XlsxError> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if width == 0 {
        return Ok(());
    }
    let kinds: Vec<Kind> = (0..width).map(|c| column_kind(rows, c)).collect();
    for (column, kind) in kinds.iter().enumerate() {
        let widest = rows.iter().take(10_000).filter_map(|r| r.get(column)).map(|t| shown_width(t)).max();
        let chars = match kind {
            Kind::Date => 11.0,
            _ => widest.unwrap_or(8) as f64 + 2.0,
        };
        sheet.set_column_width(column as u16, chars.clamp(8.0, MAX_WIDTH))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, (rows.len() - 1) as u32, (width - 1) as u16)?;
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            let (r, c16) = (r as u32, c as u16);
            if r == 0 {
                sheet.write_string_with_format(r, c16, text, &bold)?;
                continue;
            }
            if text.is_empty() {
                continue;
            }
            match kinds[c] {
                Kind::Number => match text.parse::<f64>() {
                    Ok(n) => sheet.write_number(r, c16, n)?,
                    Err(_) => sheet.write_string(r, c16, text)?,
                },
                Kind::Date => match excel_date(text) {
                    Some(d) => sheet.write_datetime_with_format(r, c16, &d, &day)?,
                    None => sheet.write_string(r, c16, text)?,
                },
                Kind::Text => sheet.write_string(r, c16, text)?,
            };
        }
    }
    Ok(())
}

/// A column is numbers when every cell below the header that has a value is a number
/// written plainly (no leading zero, at most fifteen significant digits and eleven whole
/// ones, so that codes and phone numbers stay text), dates when every one is
/// `YYYY-MM-DD`. Empty cells and words for "no value" (`N/A`) do not count, and are
/// written as they are.
fn column_kind(rows: &[Vec<String>], column: usize) -> Kind {
    let mut cells = rows
        .iter()
        .skip(1)
        .filter_map(|r| r.get(column))
        .filter(|t| !t.is_empty() && !crate::cell::is_missing_word(t.trim().as_bytes()))
        .peekable();
    if cells.peek().is_none() {
        return Kind::Text;
    }
    let (mut number, mut day) = (true, true);
    for text in cells {
        number = number && plain_number(text);
        day = day && date::parse_iso(text.as_bytes()).is_some();
        if !number && !day {
            return Kind::Text;
        }
    }
    if number {
        Kind::Number
    } else {
        Kind::Date
    }
}

/// A number as a number column holds it: its own canonical form (`12400`, `-3.5`), not a
/// code with a leading zero, and exact in a spreadsheet's binary float.
fn plain_number(text: &str) -> bool {
    let Some(value) = Decimal::parse_plain(text.as_bytes()).or_else(|| Decimal::parse(text)) else {
        return false;
    };
    if value.to_string() != text {
        return false;
    }
    let digits = text.trim_start_matches('-');
    let whole = digits.split('.').next().unwrap_or_default();
    let significant = digits.replace('.', "").trim_start_matches('0').len();
    whole.len() <= 11 && significant <= 15
}

fn excel_date(text: &str) -> Option<ExcelDateTime> {
    let day = date::to_naive(date::parse_iso(text.as_bytes())?);
    use chrono::Datelike;
    ExcelDateTime::from_ymd(u16::try_from(day.year()).ok()?, day.month() as u8, day.day() as u8).ok()
}

/// How wide text shows, counting East Asian characters twice.
fn shown_width(text: &str) -> usize {
    text.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

/// The summary sheet: segments per dimension, tags, data errors per column.
fn summary(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let share = Format::new().set_num_format("0.0%");
    let total = report.records.max(1) as f64;
    for (column, width) in [(0u16, 24.0), (1, 28.0), (2, 12.0), (3, 10.0)] {
        sheet.set_column_width(column, width)?;
    }
    let mut row = 0u32;
    let heading = |sheet: &mut Worksheet, row: &mut u32, titles: &[Message]| -> Result<(), XlsxError> {
        for (c, title) in titles.iter().enumerate() {
            sheet.write_string_with_format(*row, c as u16, title.to_string(), &bold)?;
        }
        *row += 1;
        Ok(())
    };
    heading(sheet, &mut row, &[msg!("sheet-customers")])?;
    sheet.write_number(row - 1, 2, report.records as f64)?;
    row += 1;
    let (customers, share_title) = (msg!("sheet-customers"), msg!("sheet-share"));
    heading(
        sheet,
        &mut row,
        &[msg!("sheet-dimension"), msg!("sheet-segment"), customers.clone(), share_title.clone()],
    )?;
    for dimension in &report.dimensions {
        let none = (msg!("sheet-no-segment").to_string(), dimension.none);
        let segments = dimension.segments.iter().map(|s| (s, false));
        for ((name, count), is_none) in segments.chain(std::iter::once((&none, true))) {
            if is_none && *count == 0 {
                continue;
            }
            sheet.write_string(row, 0, dimension.title.as_deref().unwrap_or(&dimension.name))?;
            sheet.write_string(row, 1, name)?;
            sheet.write_number(row, 2, *count as f64)?;
            sheet.write_number_with_format(row, 3, *count as f64 / total, &share)?;
            row += 1;
        }
    }
    if !report.tags.is_empty() {
        row += 1;
        heading(sheet, &mut row, &[msg!("sheet-tag"), msg!("sheet-blank"), customers, share_title])?;
        for (name, count) in &report.tags {
            sheet.write_string(row, 0, name)?;
            sheet.write_number(row, 2, *count as f64)?;
            sheet.write_number_with_format(row, 3, *count as f64 / total, &share)?;
            row += 1;
        }
    }
    row += 1;
    heading(sheet, &mut row, &[msg!("sheet-data-errors"), msg!("sheet-column"), msg!("sheet-cells")])?;
    sheet.write_number(row - 1, 2, report.data_error_count as f64)?;
    let whole_rows = msg!("sheet-whole-rows").to_string();
    for (column, count) in &report.errors_by_column {
        sheet.write_string(row, 1, if column.is_empty() { &whole_rows } else { column })?;
        sheet.write_number(row, 2, *count as f64)?;
        row += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_stay_text_and_amounts_become_numbers() {
        for text in ["12400", "-3.5", "0.15", "99999999999"] {
            assert!(plain_number(text), "{text}");
        }
        for text in ["00123", "8613800138000", "1,234", "$5", "1.50", "", "1e5"] {
            assert!(!plain_number(text), "{text}");
        }
    }

    #[test]
    fn a_column_is_typed_only_when_every_cell_is() {
        let rows = |cells: &[&str]| -> Vec<Vec<String>> {
            std::iter::once(vec!["h".to_string()]).chain(cells.iter().map(|c| vec![c.to_string()])).collect()
        };
        assert_eq!(column_kind(&rows(&["1", "", "2.5"]), 0), Kind::Number);
        assert_eq!(column_kind(&rows(&["2026-05-10", ""]), 0), Kind::Date);
        assert_eq!(column_kind(&rows(&["1", "x"]), 0), Kind::Text);
        assert_eq!(column_kind(&rows(&["", ""]), 0), Kind::Text);
        assert_eq!(column_kind(&rows(&["1", "N/A", "-"]), 0), Kind::Number);
    }
}
