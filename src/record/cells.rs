//! One CSV record's cells, reused from record to record. A plain record's line is copied
//! once and its cells marked where they lie in it (a quoted cell without doubled quotes
//! lies between its quotes); a cell whose text differs from its bytes in the line (doubled
//! quotes, or any cell csv_core reads) is appended after it.

/// The cells of one record: their text one after another, and where each lies in it.
#[derive(Debug, Clone, Default)]
pub struct Cells {
    text: Vec<u8>,
    bounds: Vec<(usize, usize)>,
}

impl Cells {
    /// No cells.
    pub fn new() -> Cells {
        Cells::default()
    }

    /// How many cells there are.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Drops every cell, keeping the buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.bounds.clear();
    }

    /// The cell at `index`, if there is one.
    #[inline]
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        let &(start, end) = self.bounds.get(index)?;
        self.text.get(start..end)
    }

    /// The cells in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        self.bounds.iter().map(|&(start, end)| &self.text[start..end])
    }

    /// Appends a cell.
    pub fn push_field(&mut self, cell: &[u8]) {
        let start = self.text.len();
        self.text.extend_from_slice(cell);
        self.bounds.push((start, self.text.len()));
    }

    /// Starts a record from its line: every cell that follows lies in it, or is pushed.
    pub(crate) fn start_line(&mut self, line: &[u8]) {
        self.clear();
        self.text.extend_from_slice(line);
    }

    /// Appends a cell that lies in the line at `start..end`.
    #[inline]
    pub(crate) fn push_span(&mut self, start: usize, end: usize) {
        self.bounds.push((start, end));
    }
}
