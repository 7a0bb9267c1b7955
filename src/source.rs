//! Source files and spans: every ruleset file that was read (the main file and its
//! includes), and positions in them. Diagnostics point into these.

use codespan_reporting::files::{Files, SimpleFiles};
use std::ops::Range;

/// Which loaded file a span is in.
pub type FileId = usize;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span from a pest position range.
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span { file, start: range.start as u32, end: range.end as u32 }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// The byte range.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Every source file of a ruleset, by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: SimpleFiles<String, String>,
    count: usize,
    /// Where each file stands in reading order (the main file, then each include where it
    /// is included, depth first), by id; files added later stand after them all.
    reading_place: Vec<usize>,
}

impl Sources {
    /// An empty set.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.count += 1;
        self.files.add(name.into(), text.into())
    }

    /// The file's name as given when it was added.
    pub fn name(&self, file: FileId) -> &str {
        self.files.get(file).map(|f| f.name().as_str()).unwrap_or("?")
    }

    /// The file's text.
    pub fn text(&self, file: FileId) -> &str {
        self.files.get(file).map(|f| f.source().as_str()).unwrap_or("")
    }

    /// The source text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        self.text(span.file).get(span.range()).unwrap_or("")
    }

    /// 1-based line and column of a span's start.
    pub fn line_column(&self, span: Span) -> (usize, usize) {
        match self.files.location(span.file, span.start as usize) {
            Ok(loc) => (loc.line_number, loc.column_number),
            Err(_) => (0, 0),
        }
    }

    /// Records the reading order of the files read so far (their ids, each once): ids are
    /// given as files are read, several at a time, not in the order a reader meets them.
    pub fn set_reading_order(&mut self, order: Vec<FileId>) {
        self.reading_place = vec![usize::MAX; self.count];
        for (place, file) in order.into_iter().enumerate() {
            if let Some(slot) = self.reading_place.get_mut(file) {
                *slot = place;
            }
        }
    }

    /// Where a span stands in reading order: its file's place, then its offset. Sorting
    /// diagnostics by it lists them as a reader meets them.
    pub fn place(&self, span: Span) -> (usize, usize, u32) {
        let place = self.reading_place.get(span.file).copied().unwrap_or(usize::MAX);
        (place, span.file, span.start)
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when no file was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The files in the form codespan-reporting renders from.
    pub fn files(&self) -> &SimpleFiles<String, String> {
        &self.files
    }
}
