//! Workbooks in and out, on real `.xlsx` files made here with rust_xlsxwriter: a title row
//! above the header, Chinese headers, typed cells, a merged cell, formulas with cached
//! values, an error cell, a second sheet, the 1904 date system; and results written as a
//! workbook, read back with calamine. Also the files whose content, not name, decides.

use crate::common::{folder, tradeseg_in};
use calamine::{Data, Reader};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use std::io::{Read, Write};

const RULES: &str = r#"
field inquiries = "询盘次数"
field amount: number = "订单金额"
field last_order: date = "最近下单"
field vip: bool = "VIP"
field region: text = "地区"
dimension stars {
    segment "4-star" when amount >= 10000
    segment "2-star" when inquiries >= 2
    otherwise "0-star"
}
segment "recent" when days_since(last_order) < 60
segment "vip" when vip
segment "east" when region == "华东"
"#;

/// The customers' workbook: sheet `客户` with a merged title row, an empty row, the
/// header on row 3, then typed cells; sheet `Orders` after it.
fn customers_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.set_name("客户").unwrap();
    sheet.merge_range(0, 0, 0, 5, "客户名单 2026年11月", &Format::new()).unwrap();
    for (c, h) in ["客户编号", "询盘次数", "订单金额", "最近下单", "VIP", "地区"].iter().enumerate()
    {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    // Row 4: C1, numbers, a date, a boolean; its region merged down over row 5.
    sheet.write_string(3, 0, "C1").unwrap();
    sheet.write_number(3, 1, 3).unwrap();
    sheet.write_number(3, 2, 0.1 + 0.2).unwrap();
    let may_10 = ExcelDateTime::from_ymd(2026, 10, 20).unwrap();
    sheet.write_datetime_with_format(3, 3, &may_10, &day).unwrap();
    sheet.write_boolean(3, 4, true).unwrap();
    sheet.merge_range(3, 5, 4, 5, "华东", &Format::new()).unwrap();
    // Row 5: C2, a formula with its cached value.
    sheet.write_string(4, 0, "C2").unwrap();
    sheet.write_number(4, 1, 1).unwrap();
    sheet.write_formula(4, 2, Formula::new("=6200*2").set_result("12400")).unwrap();
    sheet.write_boolean(4, 4, false).unwrap();
    // Row 6: C3, an error cell in a column the rules read, money as text.
    sheet.write_string(5, 0, "C3").unwrap();
    sheet.write_formula(5, 1, Formula::new("=NA()").set_result("#N/A")).unwrap();
    sheet.write_string(5, 2, "$12,400").unwrap();
    sheet.write_string(5, 3, "2026年5月10日").unwrap();
    sheet.write_string(5, 5, "华南").unwrap();
    // Row 7: C4, a cell that is no number.
    sheet.write_string(6, 0, "C4").unwrap();
    sheet.write_string(6, 1, "three").unwrap();
    sheet.write_string(6, 2, "N/A").unwrap();
    let orders = book.add_worksheet();
    orders.set_name("Orders").unwrap();
    for (c, h) in ["客户编号", "询盘次数", "订单金额"].iter().enumerate() {
        orders.write_string(0, c as u16, *h).unwrap();
    }
    orders.write_string(1, 0, "O1").unwrap();
    orders.write_number(1, 1, 5).unwrap();
    orders.write_number(1, 2, 50000).unwrap();
    book.save_to_buffer().unwrap()
}

fn run(dir: &std::path::Path, extra: &[&str]) -> crate::common::Ran {
    let mut args = vec!["run", "rules.seg", "客户.xlsx", "--id", "客户编号", "--as-of", "2026-11-01"];
    args.extend_from_slice(extra);
    tradeseg_in(dir, &args, b"")
}

#[test]
fn a_workbook_reads_as_excel_shows_it() {
    let book = customers_workbook();
    let dir = folder(&[("rules.seg", RULES.as_bytes()), ("客户.xlsx", &book)]);
    let ran = run(dir.path(), &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        ran.stdout,
        "客户编号,stars,tags\nC1,2-star,recent;vip;east\nC2,4-star,east\nC3,4-star,\nC4,0-star,\n"
    );
    // The title row was passed over, and said so.
    assert!(ran.stderr.contains("the header is row 3 of sheet `客户`"), "{}", ran.stderr);
    // Errors name the sheet, the cell as Excel names it, and the column.
    assert!(
        ran.stderr.contains("sheet `客户`, cell B6, column `询盘次数`: `#N/A` is an error in the workbook"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("sheet `客户`, cell B7, column `询盘次数`: `three` is not a number"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("2 data errors"), "{}", ran.stderr);

    // The second sheet, by number and by name.
    for sheet in ["2", "orders"] {
        let ran = run(dir.path(), &["--sheet", sheet]);
        assert_eq!(ran.code, 2, "{}", ran.stderr); // it has none of the date, vip or region columns
        assert!(ran.stderr.contains("3 of the 5 columns they read are not in its header"), "{}", ran.stderr);
    }
    let ran = run(dir.path(), &["--sheet", "Leads"]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("its sheets are `客户`, `Orders`"), "{}", ran.stderr);

    // explain finds the customer at its row.
    let explained = tradeseg_in(
        dir.path(),
        &[
            "explain",
            "rules.seg",
            "客户.xlsx",
            "--id",
            "客户编号",
            "--customer",
            "C2",
            "--as-of",
            "2026-11-01",
        ],
        b"",
    );
    assert_eq!(explained.code, 0, "{}", explained.stderr);
    assert!(explained.stdout.contains("sheet `客户`, row 5"), "{}", explained.stdout);
}

#[test]
fn a_workbook_under_another_name_is_still_a_workbook() {
    let book = customers_workbook();
    let dir = folder(&[("rules.seg", RULES.as_bytes()), ("export.csv", &book)]);
    let args =
        ["run", "rules.seg", "export.csv", "--id", "客户编号", "--as-of", "2026-11-01", "--header-row", "3"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.starts_with("客户编号,stars,tags\nC1,2-star"), "{}", ran.stdout);
    // On standard input a workbook cannot be read (it needs seeking); said plainly.
    let ran = tradeseg_in(dir.path(), &["run", "rules.seg", "-", "--id", "客户编号"], &book);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("standard input is a workbook"), "{}", ran.stderr);
}

/// Sets the workbook's date system to 1904 (as Excel for Mac once did).
fn with_1904_dates(book: &[u8]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if name == "xl/workbook.xml" {
            let text =
                String::from_utf8(content).unwrap().replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1);
            content = text.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn dates_of_the_1904_system_read_as_their_days() {
    // 2026-10-20 is day 46315 of the 1900 system and 44853 of the 1904 one.
    let mut book = Workbook::new();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "id").unwrap();
    sheet.write_string(0, 1, "last_order").unwrap();
    sheet.write_string(1, 0, "M1").unwrap();
    sheet.write_number_with_format(1, 1, 44853, &day).unwrap();
    let book = with_1904_dates(&book.save_to_buffer().unwrap());
    let rules = "segment \"recent\" when days_since(last_order) == 12\n";
    let dir = folder(&[("rules.seg", rules.as_bytes()), ("mac.xlsx", &book)]);
    let args = ["run", "rules.seg", "mac.xlsx", "--as-of", "2026-11-01", "--keep-columns"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,last_order,tags\nM1,2026-10-20,recent\n");
}

#[test]
fn results_go_back_as_a_workbook() {
    let book = customers_workbook();
    let dir = folder(&[("rules.seg", RULES.as_bytes()), ("客户.xlsx", &book)]);
    let ran = run(dir.path(), &["--keep-columns", "--prefix", "seg_", "-o", "results.xlsx"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let mut read: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("results.xlsx")).unwrap();
    assert_eq!(read.sheet_names(), ["results", "summary"]);
    let results = read.worksheet_range("results").unwrap();
    let header: Vec<String> = results.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header,
        ["客户编号", "询盘次数", "订单金额", "最近下单", "VIP", "地区", "seg_stars", "seg_tags"]
    );
    // A kept column is numbers (or dates) only when every cell is one.
    let c1: Vec<&Data> = results.rows().nth(1).unwrap().iter().collect();
    assert_eq!(c1[0], &Data::String("C1".into()));
    assert_eq!(c1[1], &Data::String("3".into()), "a column with `three` in it stays text");
    assert_eq!(c1[2], &Data::String("0.3".into()), "a column with `$12,400` in it stays text");
    assert_eq!(c1[6], &Data::String("2-star".into()));
    let summary = read.worksheet_range("summary").unwrap();
    let cells: Vec<String> = summary.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    for expected in ["4-star", "2-star", "0-star", "recent", "询盘次数"] {
        assert!(cells.iter().any(|c| c == expected), "{expected} in {cells:?}");
    }
    // A workbook needs a file.
    let ran = run(dir.path(), &["--format", "xlsx"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
}

#[test]
fn kept_number_columns_stay_numbers() {
    let rules = "segment \"big\" when amount >= 100\n";
    let data = "id,amount,code,signed\nA,150,00123,2026-05-10\nB,99.5,00456,\nC,N/A,00789,2026-06-01\n";
    let dir = folder(&[("rules.seg", rules.as_bytes()), ("d.csv", data.as_bytes())]);
    let ran =
        tradeseg_in(dir.path(), &["run", "rules.seg", "d.csv", "--keep-columns", "-o", "out.xlsx"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let mut read: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("out.xlsx")).unwrap();
    let results = read.worksheet_range("results").unwrap();
    let b: Vec<&Data> = results.rows().nth(2).unwrap().iter().collect();
    assert_eq!(b[1], &Data::Float(99.5));
    assert_eq!(b[2], &Data::String("00456".into()), "codes with leading zeros stay text");
    let a: Vec<&Data> = results.rows().nth(1).unwrap().iter().collect();
    assert!(
        matches!(a[3], Data::DateTime(d) if d.as_datetime().unwrap().date().to_string() == "2026-05-10"),
        "{a:?}"
    );
    let c: Vec<&Data> = results.rows().nth(3).unwrap().iter().collect();
    assert_eq!(c[1], &Data::String("N/A".into()), "a word for no value stays as written");
}

#[test]
fn the_content_decides_the_format_and_the_delimiter() {
    let rules = "segment \"buyer\" when orders >= 1\n";
    let dir = folder(&[
        ("rules.seg", rules.as_bytes()),
        ("semi.csv", b"id;orders;note\nS1;2;a,b\nS2;0;c\n"),
        ("tabs.txt", b"id\torders\nT1\t3\n"),
    ]);
    let ran = tradeseg_in(dir.path(), &["run", "rules.seg", "semi.csv"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,tags\nS1,buyer\nS2,\n");
    let ran = tradeseg_in(dir.path(), &["run", "rules.seg", "tabs.txt"], b"");
    assert_eq!(ran.stdout, "id,tags\nT1,buyer\n", "{}", ran.stderr);
    // --delimiter still wins: read with `,`, the header is one column.
    let ran = tradeseg_in(dir.path(), &["run", "rules.seg", "semi.csv", "--delimiter", ","], b"");
    assert_eq!(ran.code, 2);
    // JSON on standard input.
    let json = b"[{\"id\": \"J1\", \"orders\": 4}, {\"id\": \"J2\", \"orders\": 0}]";
    let ran = tradeseg_in(dir.path(), &["run", "rules.seg", "-"], json);
    assert_eq!(ran.stdout, "id,tags\nJ1,buyer\nJ2,\n", "{}", ran.stderr);
    // Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated.
    let text = "id\torders\n客户1\t2\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.path().join("unicode.txt"), utf16).unwrap();
    let ran = tradeseg_in(dir.path(), &["run", "rules.seg", "unicode.txt"], b"");
    assert_eq!(ran.stdout, "id,tags\n客户1,buyer\n", "{}", ran.stderr);
}

#[test]
fn gbk_data_gives_results_excel_opens() {
    let rules = "segment \"buyer\" when orders >= 1\n";
    let (gbk, _, _) = encoding_rs::GBK.encode("id,orders,公司\n客户1,2,华为\n");
    let dir = folder(&[("rules.seg", rules.as_bytes()), ("gbk.csv", &gbk)]);
    let with_bom = tradeseg_in(dir.path(), &["run", "rules.seg", "gbk.csv"], b"");
    assert_eq!(with_bom.stdout, "\u{FEFF}id,tags\n客户1,buyer\n", "{}", with_bom.stderr);
    let plain = tradeseg_in(dir.path(), &["run", "rules.seg", "gbk.csv", "--no-bom"], b"");
    assert_eq!(plain.stdout, "id,tags\n客户1,buyer\n");
    let args = ["run", "rules.seg", "gbk.csv", "--output-encoding", "gbk", "-o", "out.csv"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let written = std::fs::read(dir.path().join("out.csv")).unwrap();
    let (expected, _, _) = encoding_rs::GBK.encode("id,tags\n客户1,buyer\n");
    assert_eq!(written, expected.as_ref());
}

#[test]
fn the_sample_workbook_segments_as_its_csv_does() {
    let root = crate::common::root();
    let run = |data: &str| {
        let args =
            ["run", "rulesets/chinese_headers.seg", data, "--id", "客户编号", "--as-of", "2026-11-01", "-q"];
        tradeseg_in(&root, &args, b"")
    };
    let book = run("examples/data/customers_zh.xlsx");
    let csv = run("examples/data/customers_zh.csv");
    assert_eq!(book.code, 0, "{}", book.stderr);
    assert_eq!(book.stdout.lines().count(), 21);
    // The CSV is GBK, so its results start with a byte-order mark for Excel.
    assert_eq!(Some(book.stdout.as_str()), csv.stdout.strip_prefix('\u{FEFF}'));
}

#[test]
fn the_scripts_tasks_go_to_the_plan_sheet() {
    let root = crate::common::root();
    let dir = folder(&[]);
    let out = dir.path().join("grouped.xlsx");
    let args = [
        "run",
        "rulesets/export_sales.seg",
        "examples/data/customers.csv",
        "--as-of",
        "2026-11-01",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ];
    let ran = tradeseg_in(&root, &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let mut read: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(read.sheet_names(), ["results", "summary", "plan"]);
    let plan = read.worksheet_range("plan").unwrap();
    let header: Vec<String> = plan.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[..3], ["customer", "dimension", "segment"]);
    assert!(plan.height() > 100, "{} rows", plan.height());
    let results = read.worksheet_range("results").unwrap();
    assert_eq!(results.height(), 301);
}

#[test]
fn sheet_options_on_text_data_are_refused() {
    let dir =
        folder(&[("rules.seg", b"segment \"buyer\" when orders >= 1\n"), ("d.csv", b"id,orders\nC1,1\n")]);
    for option in [["--sheet", "2"], ["--header-row", "3"]] {
        let ran = tradeseg_in(dir.path(), &[&["run", "rules.seg", "d.csv"][..], &option[..]].concat(), b"");
        assert_eq!(ran.code, 2, "{}", ran.stderr);
        assert!(ran.stderr.contains("is for workbooks"), "{}", ran.stderr);
    }
}
