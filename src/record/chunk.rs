//! Cuts a byte stream into chunks of whole records, so several threads can parse and
//! evaluate chunks at once while the output keeps input order. For CSV a newline inside
//! quotes does not end a record; the scan tracks quotes with `memchr`, so it is cheap
//! next to parsing.

use std::io::{self, Read};

/// How big a chunk aims to be.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Whole records and where they start in the input.
#[derive(Debug, Clone, Default)]
pub struct Chunk {
    pub data: Vec<u8>,
    /// The input line (1-based) on which the chunk's first record starts.
    pub first_line: u64,
}

/// Splits a reader into [`Chunk`]s at record boundaries.
pub struct Chunker<R> {
    reader: R,
    carry: Vec<u8>,
    next_line: u64,
    quotes: bool,
    done: bool,
    /// Bytes read so far, for progress reports.
    pub bytes_read: u64,
}

impl<R: Read> Chunker<R> {
    /// A chunker; `quotes` makes a newline inside `"…"` part of the record (CSV).
    pub fn new(reader: R, quotes: bool) -> Chunker<R> {
        Chunker { reader, carry: Vec::new(), next_line: 1, quotes, done: false, bytes_read: 0 }
    }

    /// The next chunk, or `None` at the end of the input.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        let mut data = std::mem::take(&mut self.carry);
        loop {
            if self.done {
                if data.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(self.emit(data)));
            }
            data.reserve(CHUNK_BYTES);
            // `take` + `read_to_end` fills spare capacity without zeroing it first.
            let read = (&mut self.reader).take(CHUNK_BYTES as u64).read_to_end(&mut data)?;
            self.bytes_read += read as u64;
            if read == 0 {
                self.done = true;
                continue;
            }
            if let Some(cut) = self.last_boundary(&data) {
                self.carry = data[cut..].to_vec();
                data.truncate(cut);
                return Ok(Some(self.emit(data)));
            }
        }
    }

    fn emit(&mut self, data: Vec<u8>) -> Chunk {
        let first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', &data).count() as u64;
        Chunk { data, first_line }
    }

    /// The position just after the last newline that ends a record.
    fn last_boundary(&self, data: &[u8]) -> Option<usize> {
        if !self.quotes {
            return memchr::memrchr(b'\n', data).map(|i| i + 1);
        }
        let mut inside = false;
        let mut last = None;
        for i in memchr::memchr2_iter(b'"', b'\n', data) {
            if data[i] == b'"' {
                inside = !inside;
            } else if !inside {
                last = Some(i + 1);
            }
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out a few bytes at a time, to cut records anywhere.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn chunks_keep_quoted_newlines_and_count_lines() {
        let mut input = Vec::new();
        for i in 0..200_000 {
            input.extend_from_slice(format!("C{i},\"two\nlines, \"\"quoted\"\"\",3\n").as_bytes());
        }
        input.extend_from_slice(b"last,no newline");
        let mut chunker = Chunker::new(Trickle(&input), true);
        let mut joined = Vec::new();
        let mut expected_line = 1;
        let mut chunks = 0;
        while let Some(chunk) = chunker.next_chunk().unwrap() {
            assert_eq!(chunk.first_line, expected_line);
            assert!(chunk.data.starts_with(b"C") || chunk.data.starts_with(b"last"));
            expected_line += memchr::memchr_iter(b'\n', &chunk.data).count() as u64;
            joined.extend_from_slice(&chunk.data);
            chunks += 1;
        }
        assert!(chunks > 1);
        assert_eq!(joined, input);
    }
}
