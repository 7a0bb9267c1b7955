//! Reading one sheet of a workbook as CSV text: cells keep what they are (a number as the
//! decimal Excel shows, a date as `YYYY-MM-DD`, yes/no as `true`/`false`), a merged cell
//! gives its value to every cell it covers, a formula its cached value, and an error cell
//! (`#N/A`, `#DIV/0!`) is empty, with a data error of its own when the rules read its
//! column. The header is the first row, or the row below a title that has the columns the
//! rules read.

use super::column_letters;
use crate::messages::Message;
use crate::msg;
use crate::record::data_error::DataError;
use calamine::{Data, Dimensions, Range, Reader};
use std::path::Path;

/// How many rows at the top of a sheet may be titles above the header.
const HEADER_SEARCH: usize = 20;

/// Which sheet to read (`--sheet`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetChoice {
    /// The sheet with this name.
    Name(String),
    /// The n-th sheet, counted from 1.
    Number(usize),
}

impl std::str::FromStr for SheetChoice {
    type Err = String;
    fn from_str(text: &str) -> Result<SheetChoice, String> {
        match text.trim().parse::<usize>() {
            Ok(0) => Err(msg!("sheets-from-one").to_string()),
            Ok(n) => Ok(SheetChoice::Number(n)),
            Err(_) => Ok(SheetChoice::Name(text.trim().to_string())),
        }
    }
}

/// A sheet read as CSV text, with the way back to its cells.
#[derive(Debug, Clone)]
pub struct SheetText {
    /// The sheet from its header row down, as `,`-separated UTF-8 CSV.
    pub csv: Vec<u8>,
    /// Where each line of [`SheetText::csv`] is in the sheet.
    pub places: SheetPlaces,
    /// Error cells in columns the rules read, each a data error at its cell.
    pub error_cells: Vec<DataError>,
    /// The header was not the sheet's first row but found below titles: the row number.
    pub header_found_below: Option<u32>,
}

/// The way from a line of a sheet's CSV text back to the sheet: its name, the Excel row of
/// every line, and the letter of every column.
#[derive(Debug, Clone, Default)]
pub struct SheetPlaces {
    pub sheet: String,
    /// The sheet row (as Excel numbers it) of CSV line `n + 1`.
    rows: Vec<u32>,
    /// The header's columns, and the sheet column of the first.
    header: Vec<String>,
    first_column: u32,
}

impl SheetPlaces {
    /// The sheet row of a CSV line.
    pub fn row(&self, line: u64) -> Option<u32> {
        self.rows.get(usize::try_from(line).ok()?.checked_sub(1)?).copied()
    }

    /// A place as a person finds it: ``sheet `客户`, row 12`` or with the cell, `cell C12`.
    pub fn describe(&self, line: u64, column: &str) -> Option<Message> {
        let row = self.row(line)?;
        Some(match self.header.iter().position(|c| c == column) {
            Some(index) => {
                let letters = column_letters(self.first_column + index as u32);
                msg!("sheet-cell", sheet = &self.sheet, cell = format!("{letters}{row}"))
            }
            None => msg!("sheet-row", sheet = &self.sheet, row = row),
        })
    }

    /// Gives a data error found in the CSV text its place in the sheet.
    pub fn relabel(&self, error: &mut DataError) {
        if let Some(line) = error.line.filter(|_| error.place.is_none()) {
            error.place = self.describe(line, &error.column);
            error.line = self.row(line).map(u64::from);
        }
    }
}

/// Reads one sheet of the workbook at `path` as CSV text. `wanted` are the columns the
/// rules read (and the id column): they find the header below title rows, and error cells
/// in them are data errors. `header_row` (as Excel numbers rows) overrides the search.
pub fn read_sheet(
    path: &Path,
    choice: Option<&SheetChoice>,
    header_row: Option<u32>,
    wanted: &[String],
) -> Result<SheetText, Message> {
    let mut workbook = calamine::open_workbook_auto(path)
        .or_else(|_| open_by_content(path))
        .map_err(|e| msg!("cannot-read-workbook", reason = e.to_string()))?;
    let names = workbook.sheet_names();
    let name = pick_sheet(&names, choice)?;
    let mut range = workbook
        .worksheet_range(&name)
        .map_err(|e| msg!("cannot-read-sheet", sheet = &name, reason = e.to_string()))?;
    let merged = match &mut workbook {
        calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
        calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
        _ => Vec::new(),
    };
    spread_merged(&mut range, &merged);
    Ok(sheet_text(&range, name, header_row, wanted))
}

/// A workbook whose name does not say what it is (a `.xlsx` saved as `.csv`): tried as
/// each kind in turn.
fn open_by_content(
    path: &Path,
) -> Result<calamine::Sheets<std::io::BufReader<std::fs::File>>, calamine::Error> {
    use calamine::{open_workbook, Ods, Sheets, Xls, Xlsb, Xlsx};
    if let Ok(x) = open_workbook::<Xlsx<_>, _>(path) {
        return Ok(Sheets::Xlsx(x));
    }
    if let Ok(x) = open_workbook::<Xls<_>, _>(path) {
        return Ok(Sheets::Xls(x));
    }
    if let Ok(x) = open_workbook::<Ods<_>, _>(path) {
        return Ok(Sheets::Ods(x));
    }
    open_workbook::<Xlsb<_>, _>(path).map(Sheets::Xlsb).map_err(calamine::Error::Xlsb)
}

/// The sheet `choice` names, or the first; an error lists the sheets there are.
fn pick_sheet(names: &[String], choice: Option<&SheetChoice>) -> Result<String, Message> {
    let listed = || names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    match choice {
        None => names.first().cloned().ok_or_else(|| msg!("workbook-no-sheets")),
        Some(SheetChoice::Number(n)) => names.get(n - 1).cloned().ok_or_else(|| {
            msg!("workbook-no-sheet-number", count = names.len(), number = *n, sheets = listed())
        }),
        Some(SheetChoice::Name(wanted)) => names
            .iter()
            .find(|n| *n == wanted)
            .or_else(|| names.iter().find(|n| n.trim().eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| msg!("workbook-no-sheet-named", sheet = wanted, sheets = listed())),
    }
}

/// Gives every cell of a merged region the value of its first (top-left) cell, within
/// the sheet's used range.
fn spread_merged(range: &mut Range<Data>, merged: &[Dimensions]) {
    let (Some(start), Some(end)) = (range.start(), range.end()) else { return };
    for region in merged {
        let Some(value) = range.get_value(region.start).cloned() else { continue };
        if value == Data::Empty {
            continue;
        }
        for row in region.start.0.max(start.0)..=region.end.0.min(end.0) {
            for column in region.start.1.max(start.1)..=region.end.1.min(end.1) {
                if (row, column) != region.start {
                    range.set_value((row, column), value.clone());
                }
            }
        }
    }
}

/// The sheet from its header down as CSV text.
fn sheet_text(range: &Range<Data>, sheet: String, header_row: Option<u32>, wanted: &[String]) -> SheetText {
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let rows: Vec<&[Data]> = range.rows().collect();
    let header_index = match header_row {
        Some(row) => (row.saturating_sub(1).saturating_sub(first_row) as usize).min(rows.len()),
        None => find_header(&rows, wanted),
    };
    let excel_row = |index: usize| first_row + index as u32 + 1;
    let header: Vec<String> = rows.get(header_index).map_or_else(Vec::new, |cells| {
        cells.iter().map(|c| one_line(&cell_text(c)).trim().to_string()).collect()
    });
    let read: Vec<bool> = header.iter().map(|name| wanted.iter().any(|w| w == name)).collect();
    let mut text = SheetText {
        csv: Vec::with_capacity(rows.len() * header.len() * 8),
        places: SheetPlaces { sheet, rows: Vec::with_capacity(rows.len()), header, first_column },
        error_cells: Vec::new(),
        header_found_below: (header_row.is_none() && header_index > 0).then(|| excel_row(header_index)),
    };
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let _ = writer.write_record(&text.places.header);
    text.places.rows.push(excel_row(header_index));
    for (index, cells) in rows.iter().enumerate().skip(header_index + 1) {
        let row = excel_row(index);
        let mut lines = 1;
        let mut record: Vec<String> = Vec::with_capacity(cells.len());
        for (column, cell) in cells.iter().enumerate() {
            if let Data::Error(error) = cell {
                if read.get(column).copied().unwrap_or(false) {
                    text.error_cells.push(error_cell(&text.places, row, column, &error.to_string(), index));
                }
                record.push(String::new());
                continue;
            }
            let value = cell_text(cell).replace("\r\n", "\n").replace('\r', "\n");
            lines += value.matches('\n').count();
            record.push(value);
        }
        let _ = writer.write_record(&record);
        text.places.rows.extend(std::iter::repeat_n(row, lines));
    }
    text.csv = writer.into_inner().unwrap_or_default();
    text
}

/// The data error of an error cell in a column the rules read.
fn error_cell(places: &SheetPlaces, row: u32, column: usize, shown: &str, index: usize) -> DataError {
    let name = places.header.get(column).cloned().unwrap_or_default();
    let letters = column_letters(places.first_column + column as u32);
    DataError {
        record: index as u64,
        line: Some(u64::from(row)),
        column: name,
        value: shown.to_string(),
        problem: msg!("cell-workbook-error"),
        place: Some(msg!("sheet-cell", sheet = &places.sheet, cell = format!("{letters}{row}"))),
    }
}

/// The header row: the first row, unless one of the top rows has more of the wanted
/// columns (the first row is then a title).
fn find_header(rows: &[&[Data]], wanted: &[String]) -> usize {
    let score = |cells: &[Data]| {
        cells.iter().filter(|c| wanted.iter().any(|w| *w == one_line(&cell_text(c)).trim())).count()
    };
    let first = rows.iter().position(|cells| cells.iter().any(|c| *c != Data::Empty)).unwrap_or(0);
    let mut best = (first, rows.get(first).map_or(0, |cells| score(cells)));
    for (index, cells) in rows.iter().enumerate().take(HEADER_SEARCH).skip(first + 1) {
        let found = score(cells);
        if found > best.1 {
            best = (index, found);
        }
    }
    best.0
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// A cell as the text tradeseg reads.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => shown_number(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(moment) if moment.is_datetime() => {
            let (year, month, day, hour, minute, second, milli) = moment.to_ymd_hms_milli();
            match (hour, minute, second, milli) {
                (0, 0, 0, 0) => format!("{year:04}-{month:02}-{day:02}"),
                _ => format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"),
            }
        }
        Data::DateTime(duration) => shown_number(duration.as_f64()),
    }
}

/// A number as Excel shows it: at most fifteen significant digits, so that a cell holding
/// 0.1 reads as 0.1 and 0.1 + 0.2 as 0.3, not as the binary fraction behind them.
pub fn shown_number(value: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{}", value as i64);
    }
    let scientific = format!("{value:.14e}");
    let Some((mantissa, exponent)) = scientific.split_once('e') else { return scientific };
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let sign = if mantissa.starts_with('-') { "-" } else { "" };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    if digits.is_empty() {
        return "0".into();
    }
    let point = exponent + 1;
    let text = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        for (value, shown) in [
            (0.1, "0.1"),
            (0.1 + 0.2, "0.3"),
            (12400.0, "12400"),
            (-3.5, "-3.5"),
            (1234567.891, "1234567.891"),
            (0.000123, "0.000123"),
            (1e20, "100000000000000000000"),
            (2.0 / 3.0, "0.666666666666667"),
            (-0.0, "0"),
        ] {
            assert_eq!(shown_number(value), shown, "{value}");
        }
    }

    #[test]
    fn the_header_is_found_below_titles() {
        let row = |cells: &[&str]| cells.iter().map(|c| Data::String(c.to_string())).collect::<Vec<_>>();
        let rows =
            [row(&["客户名单 2026"]), row(&[]), row(&["id", "orders", "country"]), row(&["C1", "2", "US"])];
        let rows: Vec<&[Data]> = rows.iter().map(Vec::as_slice).collect();
        let wanted = ["id".to_string(), "orders".to_string()];
        assert_eq!(find_header(&rows, &wanted), 2);
        assert_eq!(find_header(&rows[2..], &wanted), 0);
    }

    #[test]
    fn sheets_are_chosen_by_name_or_number() {
        let names = ["客户".to_string(), "Orders".to_string()];
        assert_eq!(pick_sheet(&names, None).as_deref(), Ok("客户"));
        assert_eq!(pick_sheet(&names, Some(&SheetChoice::Number(2))).as_deref(), Ok("Orders"));
        assert_eq!(pick_sheet(&names, Some(&SheetChoice::Name("orders".into()))).as_deref(), Ok("Orders"));
        let missing = pick_sheet(&names, Some(&SheetChoice::Name("Leads".into()))).unwrap_err().to_string();
        assert!(missing.contains("`客户`, `Orders`"), "{missing}");
        assert!(pick_sheet(&names, Some(&SheetChoice::Number(3))).is_err());
    }
}
