//! What a text input is, by its content rather than its name: JSON piped where CSV was
//! expected, and the delimiter of a CSV export (`;` from European Excel, tabs from
//! Excel's "Unicode text"), read off the header line.

use super::InputFormat;
use std::io::{self, Cursor, Read};

/// How much of an input is looked at: enough for any header line people write.
const HEAD: usize = 64 << 10;

/// The first bytes of `input` (up to the end of its first line, or 64 KiB), and a reader
/// that still gives every byte.
pub fn peek(mut input: Box<dyn Read + Send>) -> io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = vec![0u8; HEAD];
    let mut filled = 0;
    while filled < HEAD {
        let read = match input.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        filled += read;
        if head[filled - read..filled].contains(&b'\n') {
            break;
        }
    }
    head.truncate(filled);
    let reader: Box<dyn Read + Send> = Box::new(Cursor::new(head.clone()).chain(input));
    Ok((head, reader))
}

/// JSON, when the input starts as a JSON array of objects or a JSON object does: `[` then
/// `{` or `]`, or `{` then `"` or `}` (white space between). A CSV header never does
/// (`[id],[name]` from SQL Server is CSV).
pub fn json_start(head: &[u8]) -> Option<InputFormat> {
    let mut bytes = head.iter().copied().filter(|b| !b.is_ascii_whitespace());
    match (bytes.next(), bytes.next()) {
        (Some(b'['), Some(b'{' | b']')) | (Some(b'{'), Some(b'"' | b'}')) => Some(InputFormat::Json),
        _ => None,
    }
}

/// What a text input that is neither CSV nor JSON may be, by how it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// A web page: what many CRMs and web tools save as an "Excel" `.xls` file.
    Html,
    /// An XML file, such as an Excel 2003 XML spreadsheet.
    Xml,
}

/// A web page or an XML file, which no CSV export starts as: `<!DOCTYPE html`, `<html`,
/// `<table` (any case), or `<?xml`, after a byte-order mark and white space.
pub fn markup(head: &[u8]) -> Option<Markup> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head).trim_ascii_start();
    let start = head.get(..16).unwrap_or(head).to_ascii_lowercase();
    // The tag's name ends there: `<tablet>` is no table.
    let opens = |tag: &[u8]| {
        start.starts_with(tag)
            && start.get(tag.len()).is_none_or(|b| matches!(b, b'>' | b'/' | b'?') || b.is_ascii_whitespace())
    };
    if opens(b"<?xml") {
        return Some(Markup::Xml);
    }
    let html = [&b"<!doctype html"[..], b"<html", b"<table", b"<meta", b"<head", b"<body"];
    html.iter().any(|tag| opens(tag)).then_some(Markup::Html)
}

/// The delimiter of a CSV export, by the header line: the most frequent of `,` `;` tab
/// and `|` outside quotes, `,` when none is there or on a tie with it.
pub fn delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(entry) = counts.iter_mut().find(|(d, _)| *d == b) {
                entry.1 += 1;
            }
        }
    }
    let mut best = counts[0];
    for entry in &counts[1..] {
        if entry.1 > best.1 {
            best = *entry;
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_line_tells_the_delimiter() {
        assert_eq!(delimiter(b"id,orders,country\nC1,2,US\n"), b',');
        assert_eq!(delimiter(b"id;orders;country\nC1;2,5;US\n"), b';');
        assert_eq!(delimiter(b"id\torders\tcountry\n"), b'\t');
        assert_eq!(delimiter(b"id|orders\n"), b'|');
        assert_eq!(delimiter(b"\"a;b\",c\n"), b',');
        assert_eq!(delimiter(b"id\n"), b',');
        assert_eq!(delimiter(b"a,b;c\n"), b',');
    }

    #[test]
    fn json_is_known_by_how_it_starts() {
        assert_eq!(json_start(b"  [\n  {\"id\": 1}]"), Some(InputFormat::Json));
        assert_eq!(json_start(b"{\"id\": 1}\n{\"id\": 2}\n"), Some(InputFormat::Json));
        assert_eq!(json_start(b"[]"), Some(InputFormat::Json));
        assert_eq!(json_start(b"[id],[name]\n"), None);
        assert_eq!(json_start(b"id,name\n"), None);
        assert_eq!(json_start(b"{id},x\n"), None);
    }

    #[test]
    fn web_pages_and_xml_are_known_by_how_they_start() {
        let html = [
            "<html><body><table>",
            "\u{feff}  <!DOCTYPE HTML>\n<html>",
            "<TABLE border=1>",
            "\n<meta charset=gbk>",
        ];
        for head in html {
            assert_eq!(markup(head.as_bytes()), Some(Markup::Html), "{head:?}");
        }
        assert_eq!(markup(b"<?xml version=\"1.0\"?>\n<Workbook"), Some(Markup::Xml));
        for csv in ["id,name\n", "<id>,<name>\n", "<tablet>,x\n", "", "\"<html>\",x\n"] {
            assert_eq!(markup(csv.as_bytes()), None, "{csv:?}");
        }
    }

    #[test]
    fn peeking_loses_no_byte() {
        let text = "id,orders\n".repeat(20_000);
        let (head, mut reader) = peek(Box::new(Cursor::new(text.clone().into_bytes()))).unwrap();
        assert!(head.starts_with(b"id,orders\n") && head.len() <= HEAD);
        let mut all = String::new();
        reader.read_to_string(&mut all).unwrap();
        assert_eq!(all, text);
    }
}
