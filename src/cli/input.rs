//! The data a command reads, opened by what it is rather than what it is called: a
//! workbook (by its first bytes) is read from the chosen sheet; text is decoded, then JSON
//! is known by how it starts and a CSV export's delimiter by its header line. Options the
//! user gives (`--input-format`, `--delimiter`, `--encoding`) always win.

use super::{DataArgs, Exit, InputFormatArg};
use std::io::{Cursor, Read};
use tradeseg::messages::io_error;
use tradeseg::msg;
use tradeseg::record::data_error::DataError;
use tradeseg::record::encoding::{self, Encoding};
use tradeseg::record::{sniff, InputFormat, Source};
use tradeseg::workbook::{self, SheetPlaces};

/// Opened data, and how to read it.
pub struct DataInput {
    pub reader: Box<dyn Read + Send>,
    pub format: InputFormat,
    pub delimiter: u8,
    /// The text encoding it turned out to have (UTF-8 for a workbook).
    pub encoding: Encoding,
    /// For a workbook: where its cells are, and its error cells.
    pub sheet: Option<(SheetPlaces, Vec<DataError>)>,
    /// Set when the text was read as UTF-8 before its encoding was judged
    /// ([`DataArgs::input_assuming_utf8`]): whether that turned out wrong.
    pub assumed: Option<encoding::Assumption>,
}

impl DataInput {
    /// True when the text turned out not to be UTF-8 after it was read as such: what was
    /// made of it is void, and the data must be opened again with [`DataArgs::input`].
    pub fn not_utf8_after_all(&self) -> bool {
        self.assumed.as_ref().is_some_and(encoding::Assumption::failed)
    }

    /// Gives the run's data errors their places in the sheet (a workbook's), and adds the
    /// workbook's error cells, in row order.
    pub fn place_errors(&self, report: &mut tradeseg::Report) {
        let Some((places, error_cells)) = &self.sheet else { return };
        report.data_errors.iter_mut().for_each(|e| places.relabel(e));
        report.data_errors.extend(error_cells.iter().cloned());
        report.data_errors.sort_by_key(|e| e.line);
        report.data_errors.truncate(tradeseg::run::KEPT_ERRORS);
        report.data_error_count += error_cells.len() as u64;
        for error in error_cells {
            match report.errors_by_column.iter_mut().find(|(c, _)| *c == error.column) {
                Some(entry) => entry.1 += 1,
                None => report.errors_by_column.push((error.column.clone(), 1)),
            }
        }
        report.errors_by_column.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }

    /// A line of the input as a person finds it: the sheet and row of a workbook.
    pub fn place(&self, line: u64) -> String {
        match &self.sheet {
            Some((places, _)) => {
                places.describe(line, "").unwrap_or_else(|| msg!("at-line", line = line)).to_string()
            }
            None => msg!("at-line", line = line).to_string(),
        }
    }
}

impl DataArgs {
    /// Opens the data (`-` for standard input) for the rules `checked`, whose columns
    /// find a workbook's header below its title rows.
    pub fn input(&self, data: &str, checked: &tradeseg::Checked) -> Result<DataInput, Exit> {
        let wanted: Vec<String> = checked.fields().iter().map(|f| f.column.clone()).collect();
        self.open_data(data, wanted, false)
    }

    /// [`DataArgs::input`], reading a text file whose encoding is to be detected as UTF-8
    /// at once rather than judging the whole file first: for a caller that can start over
    /// when [`DataInput::not_utf8_after_all`] says so.
    pub fn input_assuming_utf8(&self, data: &str, checked: &tradeseg::Checked) -> Result<DataInput, Exit> {
        let wanted: Vec<String> = checked.fields().iter().map(|f| f.column.clone()).collect();
        self.open_data(data, wanted, true)
    }

    /// [`DataArgs::input`] for rules that read the columns `wanted`.
    pub fn input_wanting(&self, data: &str, wanted: Vec<String>) -> Result<DataInput, Exit> {
        self.open_data(data, wanted, false)
    }

    fn open_data(&self, data: &str, wanted: Vec<String>, assume_utf8: bool) -> Result<DataInput, Exit> {
        let path = std::path::Path::new(data);
        let workbook = data != "-" && self.input_format.is_none() && workbook::file_is_workbook(path);
        if workbook {
            return self.sheet(path, wanted);
        }
        if self.sheet.is_some() || self.header_row.is_some() {
            let what = if self.sheet.is_some() { "--sheet" } else { "--header-row" };
            super::say_error(msg!("workbook-option-not-workbook", option = what, data = data));
            return Err(Exit::Usage);
        }
        let source = Source::from_arg(data);
        let open = if assume_utf8 { encoding::open_assuming_utf8 } else { encoding::open };
        let opened = open(&source, self.encoding).map_err(|e| {
            super::say_error(msg!("cannot-open-data", data = data, reason = io_error(&e)));
            Exit::Usage
        })?;
        let (encoding, assumed) = (opened.encoding, opened.assumed.clone());
        let (head, reader) = match sniff::peek(opened.reader) {
            // The first lines already are not UTF-8: judge the whole file after all.
            Err(_) if assumed.as_ref().is_some_and(encoding::Assumption::failed) => {
                return self.open_data(data, wanted, false);
            }
            peeked => peeked.map_err(|e| {
                super::say_error(msg!("cannot-read-data-file", data = data, reason = io_error(&e)));
                Exit::Usage
            })?,
        };
        if data == "-" && workbook::is_workbook(&head) {
            super::say_error(msg!("stdin-workbook"));
            return Err(Exit::Usage);
        }
        if let Some(markup) = sniff::markup(&head).filter(|_| self.input_format.is_none()) {
            let kind = match markup {
                sniff::Markup::Html => "html",
                sniff::Markup::Xml => "xml",
            };
            super::say_error(msg!("data-is-markup", data = data, kind = kind));
            return Err(Exit::Data);
        }
        let format = match self.input_format {
            Some(InputFormatArg::Csv) => InputFormat::Csv,
            Some(InputFormatArg::Json) => InputFormat::Json,
            Some(InputFormatArg::Ndjson) => InputFormat::Ndjson,
            None => match InputFormat::from_path(data) {
                InputFormat::Csv => sniff::json_start(&head).unwrap_or(InputFormat::Csv),
                named => named,
            },
        };
        let delimiter = self.delimiter.unwrap_or_else(|| sniff::delimiter(&head));
        Ok(DataInput { reader, format, delimiter, encoding, sheet: None, assumed })
    }

    /// The header of a CSV file (not standard input, which is read once, nor a workbook):
    /// to name the columns rules read that it lacks, before the rules can be run.
    pub fn text_header(&self, data: &str) -> Option<Vec<String>> {
        let path = std::path::Path::new(data);
        if data == "-"
            || workbook::file_is_workbook(path)
            || self.input_format.is_some_and(|f| !matches!(f, InputFormatArg::Csv))
        {
            return None;
        }
        if InputFormat::from_path(data) != InputFormat::Csv {
            return None;
        }
        let opened = encoding::open(&Source::File(path.to_path_buf()), self.encoding).ok()?;
        let (head, _) = sniff::peek(opened.reader).ok()?;
        if sniff::json_start(&head).is_some() {
            return None;
        }
        let delimiter = self.delimiter.unwrap_or_else(|| sniff::delimiter(&head));
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).from_reader(&head[..]);
        let record = reader.records().next()?.ok()?;
        Some(record.iter().map(|c| c.trim().to_string()).collect())
    }

    /// A workbook's sheet, as CSV text.
    fn sheet(&self, path: &std::path::Path, mut wanted: Vec<String>) -> Result<DataInput, Exit> {
        wanted.push(self.id.clone());
        let text =
            workbook::read_sheet(path, self.sheet.as_ref(), self.header_row, &wanted).map_err(|e| {
                super::say_error(msg!("file-problem", path = path.display().to_string(), problem = e));
                Exit::Usage
            })?;
        if let Some(row) = text.header_found_below {
            super::say(msg!("header-found-below", row = row, sheet = &text.places.sheet));
        }
        Ok(DataInput {
            reader: Box::new(Cursor::new(text.csv)),
            format: InputFormat::Csv,
            delimiter: b',',
            encoding: Encoding::Utf8,
            sheet: Some((text.places, text.error_cells)),
            assumed: None,
        })
    }
}
