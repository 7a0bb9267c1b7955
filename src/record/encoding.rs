//! Text encodings of exported files. Results are always UTF-8; inputs may be UTF-8 (with
//! or without a byte-order mark) or GB18030, the superset of GBK that Excel writes on
//! Chinese Windows. `auto` checks that a file is valid UTF-8 (the whole file, when it is a
//! file; the first megabyte of standard input). When it is not, the file goes by what most
//! of it is: it stays UTF-8 when its valid multi-byte characters outnumber the bytes that
//! are not UTF-8, or when GB18030 would read it no better (as many malformed sequences), so
//! one stray byte (`Caf\xe9`) garbles nothing and becomes a data error of its cell;
//! otherwise it is read as GB18030.
//!
//! Judging a whole file first means reading it twice. A reader that can start over
//! ([`open_assuming_utf8`]) reads a file as UTF-8 straight away, checking each block as it
//! passes, and stops at the first byte that is not UTF-8; the caller then opens it again
//! with [`open`], which judges the whole file. A file that is all UTF-8, the usual case,
//! is read once.

use crate::msg;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How to decode the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Auto,
    Utf8,
    /// GBK, read as GB18030 (its superset).
    Gbk,
    Gb18030,
    /// UTF-16 with a byte-order mark (Excel's "Unicode text"); found by its mark.
    Utf16,
}

impl FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Encoding, String> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gbk" | "cp936" | "gb2312" => Ok(Encoding::Gbk),
            "gb18030" => Ok(Encoding::Gb18030),
            "utf-16" | "utf16" | "unicode" => Ok(Encoding::Utf16),
            other => Err(msg!("unknown-encoding", name = other).to_string()),
        }
    }
}

/// Where the data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(std::path::PathBuf),
    Stdin,
    /// Data held in memory (a test's given events, a program's own records), UTF-8.
    Text(String),
}

impl Source {
    /// `-` is standard input; anything else a file path.
    pub fn from_arg(arg: &str) -> Source {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::File(arg.into())
        }
    }

    /// The size in bytes, when known.
    pub fn size(&self) -> Option<u64> {
        match self {
            Source::File(path) => std::fs::metadata(path).ok().map(|m| m.len()),
            Source::Stdin => None,
            Source::Text(text) => Some(text.len() as u64),
        }
    }
}

/// An input opened for reading as UTF-8, and what encoding it turned out to have.
pub struct Opened {
    pub reader: Box<dyn Read + Send>,
    pub encoding: Encoding,
    /// Set when the encoding was assumed, not judged ([`open_assuming_utf8`]): whether the
    /// reader met a byte that is not UTF-8 and stopped.
    pub assumed: Option<Assumption>,
}

/// Whether a file read as UTF-8 before it was judged turned out not to be: shared between
/// the reader, which sets it, and whoever must then open the file again.
#[derive(Debug, Clone, Default)]
pub struct Assumption(Arc<AtomicBool>);

impl Assumption {
    /// True once the reader met a byte that is not UTF-8 (and stopped with an error).
    pub fn failed(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Opens `source` as [`open`] does, except that a file whose encoding is to be detected is
/// read as UTF-8 at once, without the look over the whole file first. Its reader stops
/// with an error at the first byte that is not UTF-8 and sets [`Opened::assumed`]; the
/// caller then discards what it made of the file and opens it again with [`open`].
pub fn open_assuming_utf8(source: &Source, encoding: Encoding) -> io::Result<Opened> {
    let Source::File(path) = source else { return open(source, encoding) };
    if encoding != Encoding::Auto || has_utf16_bom(path)? {
        return open(source, encoding);
    }
    let assumption = Assumption::default();
    let checked = Utf8Checked { inner: File::open(path)?, carry: Vec::new(), failed: assumption.clone() };
    Ok(Opened {
        reader: Box::new(skip_bom(Box::new(checked))?),
        encoding: Encoding::Utf8,
        assumed: Some(assumption),
    })
}

/// A reader that passes bytes on only while they are UTF-8.
struct Utf8Checked<R> {
    inner: R,
    /// The start of a character the last block ended in the middle of (up to 3 bytes).
    carry: Vec<u8>,
    failed: Assumption,
}

impl<R: Read> Read for Utf8Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if self.is_utf8(&buf[..read]) {
            return Ok(read);
        }
        self.failed.0.store(true, Ordering::Relaxed);
        Err(io::Error::new(io::ErrorKind::InvalidData, msg!("not-utf8-after-all").to_string()))
    }
}

impl<R> Utf8Checked<R> {
    /// Whether `block` continues the text read so far as UTF-8 (an empty block ends it: a
    /// character left unfinished is not).
    fn is_utf8(&mut self, block: &[u8]) -> bool {
        if block.is_empty() {
            return self.carry.is_empty();
        }
        let mut rest = block;
        if !self.carry.is_empty() {
            // Finish the character the last block began: its first byte says its length.
            let length = match self.carry[0] {
                0xF0.. => 4,
                0xE0.. => 3,
                _ => 2,
            };
            let wanted = (length - self.carry.len()).min(rest.len());
            self.carry.extend_from_slice(&rest[..wanted]);
            rest = &rest[wanted..];
            if self.carry.len() < length {
                return is_utf8_prefix(&self.carry);
            }
            if std::str::from_utf8(&self.carry).is_err() {
                return false;
            }
            self.carry.clear();
        }
        check_utf8(rest, &mut self.carry)
    }
}

/// Opens `source`, detecting or applying `encoding`, and strips a byte-order mark.
pub fn open(source: &Source, encoding: Encoding) -> io::Result<Opened> {
    let (raw, encoding): (Box<dyn Read + Send>, Encoding) = match source {
        Source::File(path) => {
            let encoding = match encoding {
                Encoding::Auto if has_utf16_bom(path)? => Encoding::Utf16,
                Encoding::Auto => detect_file(path)?,
                other => other,
            };
            (Box::new(File::open(path)?), encoding)
        }
        Source::Stdin => {
            let mut stdin = io::stdin();
            let mut prefix = Vec::new();
            (&mut stdin).take(1 << 20).read_to_end(&mut prefix)?;
            let encoding = match encoding {
                Encoding::Auto if utf16_bom(&prefix) => Encoding::Utf16,
                Encoding::Auto if is_utf8_prefix(&prefix) => Encoding::Utf8,
                Encoding::Auto => judge(&mut Cursor::new(&prefix))?,
                other => other,
            };
            (Box::new(Cursor::new(prefix).chain(stdin)), encoding)
        }
        Source::Text(text) => (Box::new(Cursor::new(text.clone().into_bytes())), Encoding::Utf8),
    };
    let reader: Box<dyn Read + Send> = match encoding {
        Encoding::Gbk | Encoding::Gb18030 => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(encoding_rs::GB18030)).build(raw),
        ),
        // Decoded by its byte-order mark (little- or big-endian), which is dropped.
        Encoding::Utf16 => Box::new(encoding_rs_io::DecodeReaderBytesBuilder::new().build(raw)),
        _ => Box::new(skip_bom(raw)?),
    };
    Ok(Opened { reader, encoding, assumed: None })
}

/// Does the text start with a UTF-16 byte-order mark?
fn utf16_bom(head: &[u8]) -> bool {
    head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF])
}

/// Does the file start with a UTF-16 byte-order mark?
fn has_utf16_bom(path: &Path) -> io::Result<bool> {
    let mut head = [0u8; 2];
    let read = File::open(path)?.read(&mut head)?;
    Ok(utf16_bom(&head[..read]))
}

/// True when the whole file is valid UTF-8.
fn detect_file(path: &Path) -> io::Result<Encoding> {
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let block = reader.fill_buf()?;
        if block.is_empty() {
            return match carry.is_empty() {
                true => Ok(Encoding::Utf8),
                false => judge(&mut File::open(path)?),
            };
        }
        let taken = block.len();
        let valid = if carry.is_empty() {
            check_utf8(block, &mut carry)
        } else {
            let mut joined = std::mem::take(&mut carry);
            joined.extend_from_slice(block);
            check_utf8(&joined, &mut carry)
        };
        reader.consume(taken);
        if !valid {
            return judge(&mut File::open(path)?);
        }
    }
}

/// What text that is not all valid UTF-8 mostly is: counts, over the whole input, the
/// non-ASCII bytes of valid UTF-8 characters, the bytes that are not UTF-8, and the
/// sequences GB18030 cannot read.
fn judge(input: &mut dyn Read) -> io::Result<Encoding> {
    let (mut utf8_bytes, mut bad_bytes, mut gb_errors) = (0u64, 0u64, 0u64);
    let mut gb = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut decoded = vec![0u8; 1 << 16];
    let mut block = vec![0u8; 1 << 16];
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let read = input.read(&mut block)?;
        let last = read == 0;
        // GB18030's view of the block.
        let mut rest = &block[..read];
        loop {
            let (result, used, _) = gb.decode_to_utf8_without_replacement(rest, &mut decoded, last);
            rest = &rest[used..];
            match result {
                encoding_rs::DecoderResult::Malformed(..) => gb_errors += 1,
                encoding_rs::DecoderResult::OutputFull => {}
                encoding_rs::DecoderResult::InputEmpty => break,
            }
        }
        // UTF-8's view, with an incomplete character carried to the next block.
        carry.extend_from_slice(&block[..read]);
        let mut text = carry.as_slice();
        loop {
            match std::str::from_utf8(text) {
                Ok(valid) => {
                    utf8_bytes += valid.bytes().filter(|b| !b.is_ascii()).count() as u64;
                    text = &[];
                    break;
                }
                Err(e) => {
                    let valid = &text[..e.valid_up_to()];
                    utf8_bytes += valid.iter().filter(|b| !b.is_ascii()).count() as u64;
                    match e.error_len() {
                        Some(bad) => {
                            bad_bytes += bad as u64;
                            text = &text[e.valid_up_to() + bad..];
                        }
                        None if last => {
                            bad_bytes += (text.len() - e.valid_up_to()) as u64;
                            text = &[];
                            break;
                        }
                        None => {
                            text = &text[e.valid_up_to()..];
                            break;
                        }
                    }
                }
            }
        }
        carry = text.to_vec();
        if last {
            break;
        }
    }
    let utf8 = bad_bytes == 0 || utf8_bytes > bad_bytes || gb_errors >= bad_bytes;
    Ok(if utf8 { Encoding::Utf8 } else { Encoding::Gb18030 })
}

/// Checks a block; an incomplete character at its end is kept in `carry` for the next.
fn check_utf8(bytes: &[u8], carry: &mut Vec<u8>) -> bool {
    if is_utf8(bytes) {
        return true;
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) if e.error_len().is_none() => {
            carry.extend_from_slice(&bytes[e.valid_up_to()..]);
            true
        }
        Err(_) => false,
    }
}

/// Whether `bytes` are UTF-8: the same answer as [`std::str::from_utf8`], found many bytes
/// at a time (SIMD where the processor has it), for whole blocks and chunks of input.
pub fn is_utf8(bytes: &[u8]) -> bool {
    simdutf8::basic::from_utf8(bytes).is_ok()
}

fn is_utf8_prefix(bytes: &[u8]) -> bool {
    check_utf8(bytes, &mut Vec::new())
}

/// Drops a UTF-8 byte-order mark at the start, if there is one.
fn skip_bom(mut reader: Box<dyn Read + Send>) -> io::Result<impl Read + Send> {
    let mut head = Vec::with_capacity(3);
    (&mut reader).take(3).read_to_end(&mut head)?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        head.clear();
    }
    Ok(Cursor::new(head).chain(reader))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8], encoding: Encoding) -> (String, Encoding) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut opened = open(&Source::File(path), encoding).unwrap();
        let mut text = String::new();
        opened.reader.read_to_string(&mut text).unwrap();
        (text, opened.encoding)
    }

    #[test]
    fn the_fast_utf8_check_agrees_with_the_standard_one() {
        // Pieces of valid and broken text, joined into strings long and short enough for
        // the check's wide path and its tail: a lone continuation byte, a character cut
        // short, an overlong form, a surrogate, a code point past the last.
        let pieces: [&[u8]; 12] = [
            b"C0001,Acme,DE,",
            "客户编号".as_bytes(),
            "é".as_bytes(),
            "😀".as_bytes(),
            b"\x80",
            b"\xE5\xAE",
            b"\xC0\xAF",
            b"\xED\xA0\x80",
            b"\xF4\x90\x80\x80",
            b"\n",
            b"\"quoted, cell\"",
            b"0123456789abcdef0123456789abcdef",
        ];
        let mut cases = crate::cases::Cases::new(8);
        for _ in 0..20_000 {
            let mut bytes = Vec::new();
            for _ in 0..cases.below(12) {
                bytes.extend_from_slice(pieces[cases.below(pieces.len())]);
            }
            let cut = cases.below(bytes.len() + 1);
            for text in [&bytes[..], &bytes[..cut], &bytes[cut..]] {
                assert_eq!(is_utf8(text), std::str::from_utf8(text).is_ok(), "{text:?}");
            }
        }
    }

    #[test]
    fn detects_gbk_and_utf8() {
        let (gbk, _, _) = encoding_rs::GBK.encode("客户编号,询盘次数\nC1,3\n");
        assert_eq!(
            read_all(&gbk, Encoding::Auto),
            ("客户编号,询盘次数\nC1,3\n".to_string(), Encoding::Gb18030)
        );
        let utf8 = "\u{FEFF}客户编号\nC1\n".as_bytes();
        assert_eq!(read_all(utf8, Encoding::Auto), ("客户编号\nC1\n".to_string(), Encoding::Utf8));
    }

    fn detected(bytes: &[u8]) -> Encoding {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, bytes).unwrap();
        open(&Source::File(path), Encoding::Auto).unwrap().encoding
    }

    #[test]
    fn a_few_stray_bytes_leave_utf8_as_it_is() {
        let mut text = "id,name\n".to_string();
        for n in 0..50 {
            text.push_str(&format!("C{n},深圳贸易{n}\n"));
        }
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(b"C99,Caf\xe9\n");
        assert_eq!(detected(&bytes), Encoding::Utf8);
        // An ASCII file with one Latin-1 byte: GB18030 reads it no better.
        assert_eq!(detected(b"id,name\nC1,Caf\xe9\nC2,Bar\n"), Encoding::Utf8);
        // A GBK file with a cell that happens to be valid UTF-8 is still GBK.
        let text = "客户编号,询盘次数\nC1,深圳\n".repeat(20);
        let mut gbk = encoding_rs::GBK.encode(&text).0.into_owned();
        gbk.extend_from_slice("C2,é\n".as_bytes());
        assert_eq!(detected(&gbk), Encoding::Gb18030);
    }

    /// Hands its bytes on `step` at a time, so that characters are cut between reads.
    struct InSteps<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for InSteps<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// What a checked reader of `bytes` read in steps of `step` gives, and whether it failed.
    fn read_checked(bytes: &[u8], step: usize) -> (Vec<u8>, bool) {
        let failed = Assumption::default();
        let mut reader =
            Utf8Checked { inner: InSteps { bytes, step }, carry: Vec::new(), failed: failed.clone() };
        let mut out = Vec::new();
        let ended = reader.read_to_end(&mut out);
        assert_eq!(ended.is_err(), failed.failed(), "an error when, and only when, the assumption failed");
        (out, failed.failed())
    }

    #[test]
    fn a_file_read_as_utf8_before_judging_stops_at_the_first_byte_that_is_not() {
        let text = "id,name\nC1,深圳贸易 😀 Café\nC2,ok\n";
        for step in 1..=9 {
            // Every character cut in every place between two reads still reads whole.
            assert_eq!(read_checked(text.as_bytes(), step), (text.as_bytes().to_vec(), false), "step {step}");
            // GBK bytes, a stray Latin-1 byte, a character left unfinished at the end, a
            // lead byte followed by one that cannot continue it: each stops the reader.
            let gbk = encoding_rs::GBK.encode(text).0.into_owned();
            let unfinished = [text.as_bytes(), &"贸".as_bytes()[..2]].concat();
            let broken = [text.as_bytes(), b"\xE8\x41\n"].concat();
            for bad in [&gbk[..], b"id\nCaf\xe9\n", &unfinished, &broken] {
                assert!(read_checked(bad, step).1, "step {step}: {bad:?}");
            }
        }
    }

    #[test]
    fn only_a_file_of_undetected_encoding_is_read_before_judging() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, "\u{FEFF}id\nC1\n").unwrap();
        let source = Source::File(path);
        let mut opened = open_assuming_utf8(&source, Encoding::Auto).unwrap();
        let mut text = String::new();
        opened.reader.read_to_string(&mut text).unwrap();
        assert_eq!((text.as_str(), opened.encoding), ("id\nC1\n", Encoding::Utf8));
        assert!(opened.assumed.is_some_and(|a| !a.failed()));
        assert!(open_assuming_utf8(&source, Encoding::Gbk).unwrap().assumed.is_none());
        assert!(open_assuming_utf8(&Source::Text("id\n".into()), Encoding::Auto).unwrap().assumed.is_none());
    }

    #[test]
    fn parses_encoding_names() {
        assert_eq!("GBK".parse::<Encoding>(), Ok(Encoding::Gbk));
        assert_eq!("utf8".parse::<Encoding>(), Ok(Encoding::Utf8));
        assert!("latin1".parse::<Encoding>().is_err());
    }
}
