//! The per-thread evaluation loop: fills a [`Row`] from a record's cells, evaluates the
//! program, and notes cells that did not parse. Holds its buffers so that evaluating one
//! record after another allocates nothing.

use super::{Outcome, Row, Val};
use crate::check::typed::Ty;
use crate::program::{CellForm, Program};

/// A cell that did not parse as its field's type; it counted as missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The slot (field) it was read for.
    pub slot: usize,
    /// The cell as it was.
    pub value: String,
}

/// Evaluates records against one program, reusing its buffers.
#[derive(Debug, Clone)]
pub struct Evaluator<'p> {
    program: &'p Program,
    row: Row,
    outcome: Outcome,
    errors: Vec<CellError>,
    by_type: ColumnsByType,
}

/// The slots read from columns by position, as (slot, column) pairs grouped by the
/// slot's type: each group is filled in a loop of its own, where the type is known, not
/// looked up and branched on for every cell.
#[derive(Debug, Clone, Default)]
struct ColumnsByType {
    numbers: Vec<(usize, usize)>,
    dates: Vec<(usize, usize)>,
    texts: Vec<(usize, usize)>,
    /// Any other type, and untyped slots: read by their own form.
    others: Vec<(usize, usize)>,
}

impl ColumnsByType {
    fn of(program: &Program) -> ColumnsByType {
        let mut groups = ColumnsByType::default();
        for (slot, spec) in program.slots.iter().enumerate() {
            let Some(column) = spec.index else { continue };
            let group = match spec.ty {
                Some(Ty::Number) => &mut groups.numbers,
                Some(Ty::Date) => &mut groups.dates,
                Some(Ty::Text) => &mut groups.texts,
                _ => &mut groups.others,
            };
            group.push((slot, column));
        }
        groups
    }
}

impl<'p> Evaluator<'p> {
    /// An evaluator for `program`.
    pub fn new(program: &'p Program) -> Evaluator<'p> {
        Evaluator {
            program,
            row: Row::new(program.slots.len()),
            outcome: Outcome::default(),
            errors: Vec::new(),
            by_type: ColumnsByType::of(program),
        }
    }

    /// Evaluates a record given its cells by column position (the layout the program was
    /// compiled for). `None` is an absent cell.
    pub fn evaluate_columns<'c>(&mut self, cell: impl Fn(usize) -> Option<&'c str>) -> &Outcome {
        self.fill_columns(cell);
        self.evaluate_row()
    }

    /// Evaluates a record given its cells by column name.
    pub fn evaluate_named<'c>(&mut self, cell: impl Fn(&str) -> Option<&'c str>) -> &Outcome {
        self.fill_named(cell);
        self.evaluate_row()
    }

    /// Starts a record and fills its fields by column position, without evaluating: for
    /// callers that fill more (event history) before [`Evaluator::evaluate_row`].
    pub(crate) fn fill_columns<'c>(&mut self, cell: impl Fn(usize) -> Option<&'c str>) {
        self.begin();
        for (slot, spec) in self.program.slots.iter().enumerate() {
            if let Some(text) = spec.index.and_then(&cell) {
                self.set(slot, text);
            }
        }
    }

    /// Starts a record and fills its fields from cells by column position, each known to
    /// be valid UTF-8 (its chunk was checked whole), without evaluating: what
    /// [`Evaluator::fill_columns`] does, a type at a time. Cells that did not parse are
    /// noted in slot order, as filling slot by slot notes them.
    #[inline]
    pub(crate) fn fill_utf8_columns<'c>(&mut self, cell: impl Fn(usize) -> Option<&'c [u8]>) {
        self.begin();
        let groups = std::mem::take(&mut self.by_type);
        let typed = |ty| move |_: &Self, _| CellForm { ty: Some(ty), dates: Default::default() };
        self.fill_group(&groups.numbers, &cell, typed(Ty::Number));
        let dated = |this: &Self, slot: usize| CellForm { ty: Some(Ty::Date), dates: this.program.slots[slot].dates };
        self.fill_group(&groups.dates, &cell, dated);
        self.fill_group(&groups.texts, &cell, typed(Ty::Text));
        self.fill_group(&groups.others, &cell, |this, slot| this.program.slots[slot].form());
        self.by_type = groups;
        if self.errors.len() > 1 {
            self.errors.sort_by_key(|error| error.slot);
        }
    }

    /// Fills the slots of one group of [`ColumnsByType`], each read as `form` gives.
    #[inline(always)]
    fn fill_group<'c>(
        &mut self,
        group: &[(usize, usize)],
        cell: &impl Fn(usize) -> Option<&'c [u8]>,
        form: impl Fn(&Self, usize) -> CellForm,
    ) {
        for &(slot, column) in group {
            if let Some(bytes) = cell(column) {
                let form = form(self, slot);
                self.set_bytes_as(slot, form, bytes);
            }
        }
    }

    /// Starts a record and fills its fields by column name, without evaluating.
    pub(crate) fn fill_named<'c>(&mut self, cell: impl Fn(&str) -> Option<&'c str>) {
        self.begin();
        for (slot, spec) in self.program.slots[..self.program.aggregate_base].iter().enumerate() {
            if let Some(text) = cell(&spec.column) {
                self.set(slot, text);
            }
        }
    }

    /// Evaluates a row filled by the caller (see [`Evaluator::row_mut`]).
    pub(crate) fn evaluate_row(&mut self) -> &Outcome {
        self.program.evaluate(&mut self.row, &mut self.outcome);
        &self.outcome
    }

    /// Clears the row for the caller to fill slot by slot.
    pub(crate) fn begin(&mut self) {
        self.row.reset();
        self.errors.clear();
    }

    /// Sets one slot from a cell's text, noting a parse failure.
    pub(crate) fn set(&mut self, slot: usize, text: &str) {
        let form = self.program.slots[slot].form();
        if self.row.read_cell(slot, form, &self.program.cells, text.as_bytes()).is_err() {
            self.errors.push(CellError { slot, value: crate::diagnostic::excerpt(text) });
        }
    }

    /// Sets one slot from a cell's bytes, known to be valid UTF-8, read as `form`, noting
    /// a parse failure. Where the caller knows the slot's type, the branches on it fold
    /// away.
    #[inline(always)]
    fn set_bytes_as(&mut self, slot: usize, form: CellForm, cell: &[u8]) {
        if self.row.read_cell(slot, form, &self.program.cells, cell).is_err() {
            self.errors.push(CellError { slot, value: crate::diagnostic::excerpt_bytes(cell) });
        }
    }

    /// Notes again a cell that did not parse when its record was first read (customers
    /// kept in evaluation form).
    pub(crate) fn restore_error(&mut self, error: CellError) {
        self.errors.push(error);
    }

    /// Sets one slot to a value directly.
    pub(crate) fn set_value(&mut self, slot: usize, value: Val) {
        self.row.set(slot, value);
    }

    /// The row of the last record.
    #[cfg(feature = "unstable-internals")]
    pub fn row(&self) -> &Row {
        &self.row
    }

    /// The row of the last record.
    #[cfg(not(feature = "unstable-internals"))]
    pub(crate) fn row(&self) -> &Row {
        &self.row
    }

    /// The row being filled.
    pub(crate) fn row_mut(&mut self) -> &mut Row {
        &mut self.row
    }

    /// The cells of the last record that did not parse.
    pub fn errors(&self) -> &[CellError] {
        &self.errors
    }

    /// The last outcome.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// The last outcome, to change (an override pins a segment).
    pub(crate) fn outcome_mut(&mut self) -> &mut Outcome {
        &mut self.outcome
    }

    /// The program.
    pub fn program(&self) -> &'p Program {
        self.program
    }
}
