//! Workbooks, as sales managers keep and exchange their customer lists: `.xlsx`, `.xlsm`,
//! `.xlsb`, `.xls` and `.ods` in ([`read`], with the calamine crate), `.xlsx` out
//! ([`mod@write`], with rust_xlsxwriter). A sheet is read into the CSV text the rest of
//! tradeseg already reads, with a map from its lines back to the sheet's own rows and
//! column letters, so that every data error names the place a person finds in Excel.
//! A surface over the library: nothing else in the engine depends on this module.

pub mod read;
pub mod write;

pub use read::{read_sheet, SheetChoice, SheetPlaces, SheetText};

/// The first bytes of every ZIP file (`.xlsx`, `.xlsm`, `.xlsb`, `.ods`).
const ZIP_MAGIC: [u8; 4] = *b"PK\x03\x04";
/// The first bytes of an OLE compound file (the old `.xls`).
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Is this the start of a workbook (whatever the file is called)?
pub fn is_workbook(head: &[u8]) -> bool {
    head.starts_with(&ZIP_MAGIC) || head.starts_with(&OLE_MAGIC)
}

/// Is the file a workbook, by its first bytes? Unreadable files are not (their error
/// comes when they are opened).
pub fn file_is_workbook(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 8];
    let read = std::fs::File::open(path).and_then(|mut f| f.read(&mut head));
    read.is_ok_and(|n| is_workbook(&head[..n]))
}

/// A column's letters as Excel names it: 0 is `A`, 25 `Z`, 26 `AA`.
pub fn column_letters(mut index: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_are_lettered_as_excel_does() {
        let named: Vec<String> =
            [0, 1, 25, 26, 27, 51, 52, 701, 702, 16383].map(super::column_letters).into();
        assert_eq!(named, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]);
    }
}
