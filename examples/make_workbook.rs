//! Writes `examples/data/customers_zh.xlsx`, the sample workbook: the customers of
//! `customers_zh.csv` as a manager keeps them in Excel, with a title row above the header,
//! numbers and dates as typed cells, the salesperson merged over neighbouring rows that
//! share one, and a second sheet of notes. Deterministic: the same file every time.
//!
//!     cargo run --example make_workbook

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use std::io::Read;
use tradeseg::record::encoding::{self, Encoding};
use tradeseg::record::Source;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data");
    let source = Source::File(format!("{folder}/customers_zh.csv").into());
    let mut text = String::new();
    encoding::open(&source, Encoding::Auto)?.reader.read_to_string(&mut text)?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_string).collect()))
        .collect::<Result<_, _>>()?;

    let mut book = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2026, 11, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&fixed).set_author("tradeseg"));
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy/m/d");
    let money = Format::new().set_num_format("#,##0.00");
    let sheet = book.add_worksheet();
    sheet.set_name("客户")?;
    let last = (header.len() - 1) as u16;
    sheet.merge_range(0, 0, 0, last, "客户名单 (CRM 导出, 2026-11-01)", &bold)?;
    for (c, name) in header.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, name, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let at = r as u32 + 3;
        for (c, cell) in row.iter().enumerate() {
            let c16 = c as u16;
            if cell.is_empty() {
                continue;
            }
            if let Some(date) = tradeseg::date::parse(cell) {
                let date = tradeseg::date::to_naive(date);
                use chrono::Datelike;
                let excel =
                    ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)?;
                sheet.write_datetime_with_format(at, c16, &excel, &day)?;
            } else if let Some(number) = tradeseg::decimal::Decimal::parse(cell).filter(|_| c > 1) {
                let value: f64 = number.to_string().parse()?;
                let format = if cell.contains('.') { &money } else { &Format::new() };
                sheet.write_number_with_format(at, c16, value, format)?;
            } else {
                sheet.write_string(at, c16, cell)?;
            }
        }
    }
    sheet.set_freeze_panes(3, 0)?;
    let notes = book.add_worksheet();
    notes.set_name("说明")?;
    notes.write_string(
        0,
        0,
        "本表由 CRM 导出; 星级和跟进状态由 tradeseg 按 rulesets/chinese_headers.seg 计算。",
    )?;
    book.save(format!("{folder}/customers_zh.xlsx"))?;
    println!("wrote {folder}/customers_zh.xlsx ({} customers)", rows.len());
    Ok(())
}
