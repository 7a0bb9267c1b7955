//! Loading: reads a ruleset file and every file it includes, parses each, and splices
//! included declarations in at the place of their `include`, so later phases see one flat
//! list of items in reading order. Cycles and missing files are errors at the `include`,
//! and so is a file the ruleset may not read (see [`crate::access`]). A syntax error in an
//! included file is shown with its line only when the file is named as a ruleset (`.seg`):
//! a file of another kind may hold anything, and its text stays unprinted.

use crate::access::{self, FileAccess};
use crate::diagnostic::{Diagnostic, RulesError};
use crate::msg;
use crate::source::{Sources, Span};
use crate::syntax::{self, ast};
use std::path::{Path, PathBuf};

/// A parsed ruleset: every source file, and all declarations in reading order.
#[derive(Debug, Clone)]
pub struct Ruleset {
    /// The main file and its includes.
    pub sources: Sources,
    /// Declarations, includes spliced in; no `Include` items remain.
    pub(crate) items: Vec<ast::Item>,
    /// Every file read, in order, main file first (for watching and reporting).
    pub paths: Vec<PathBuf>,
    /// The folders whose files the ruleset may read.
    pub access: FileAccess,
}

impl Ruleset {
    /// Reads and parses `path` and everything it includes; includes and scripts must be
    /// inside the ruleset's folder.
    pub fn load(path: impl AsRef<Path>) -> Result<Ruleset, RulesError> {
        Ruleset::load_allowing(path, &[])
    }

    /// [`Ruleset::load`], with `allowed` folders whose files may be included and run
    /// besides the ruleset's own.
    pub fn load_allowing(path: impl AsRef<Path>, allowed: &[PathBuf]) -> Result<Ruleset, RulesError> {
        let path = path.as_ref();
        let mut loader = Loader { access: FileAccess::for_ruleset(path, allowed), ..Loader::default() };
        match access::read_regular(path, access::RULESET_LIMIT) {
            Ok(text) => loader.file(path, text, &mut Vec::new(), &mut Vec::new()),
            Err(e) => loader.diagnostics.push(Diagnostic::general(msg!(
                "cannot-read-ruleset",
                path = path.display().to_string(),
                reason = e
            ))),
        }
        loader.finish()
    }

    /// Parses ruleset text; `include` paths are resolved against `base_dir`, and includes
    /// and scripts must be inside it.
    pub fn from_source(name: &str, text: &str, base_dir: impl AsRef<Path>) -> Result<Ruleset, RulesError> {
        Ruleset::from_source_allowing(name, text, base_dir, &[])
    }

    /// [`Ruleset::from_source`], with `allowed` folders whose files may be included and
    /// run besides those in `base_dir`.
    pub fn from_source_allowing(
        name: &str,
        text: &str,
        base_dir: impl AsRef<Path>,
        allowed: &[PathBuf],
    ) -> Result<Ruleset, RulesError> {
        let virtual_path = base_dir.as_ref().join(name);
        let mut loader =
            Loader { access: FileAccess::for_ruleset(&virtual_path, allowed), ..Loader::default() };
        loader.file(&virtual_path, text.to_string(), &mut Vec::new(), &mut Vec::new());
        loader.finish()
    }
}

#[derive(Default)]
struct Loader {
    sources: Sources,
    items: Vec<ast::Item>,
    paths: Vec<PathBuf>,
    diagnostics: Vec<Diagnostic>,
    access: FileAccess,
}

impl Loader {
    /// Parses one file and, depth first, what it includes. `stack` holds the files being
    /// read (for cycles); `seen` the files already spliced (each is read once).
    /// `included_at` is the `include` that named the file (none for the main file).
    fn file(&mut self, path: &Path, text: String, stack: &mut Vec<PathBuf>, seen: &mut Vec<PathBuf>) {
        self.file_from(path, text, stack, seen, None)
    }

    fn file_from(
        &mut self,
        path: &Path,
        text: String,
        stack: &mut Vec<PathBuf>,
        seen: &mut Vec<PathBuf>,
        included_at: Option<&ast::Include>,
    ) {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let file = self.sources.add(path.display().to_string(), text);
        self.paths.push(path.to_path_buf());
        seen.push(key.clone());
        stack.push(key);
        match syntax::parse(file, self.sources.text(file)) {
            Ok(parsed) => {
                for item in parsed.items {
                    match item {
                        ast::Item::Include(include) => self.include(path, &include, stack, seen),
                        other => self.items.push(other),
                    }
                }
            }
            Err(mut diagnostics) => match included_at.filter(|_| !access::named_as(path, "seg")) {
                // Not named as a ruleset and not one: say where, but show none of it.
                Some(include) => {
                    let diagnostic = diagnostics.remove(0);
                    let (line, column) =
                        diagnostic.span.map_or((1, 1), |span| self.sources.line_column(span));
                    self.diagnostics.push(
                        Diagnostic::error(
                            include.path.span,
                            msg!("not-a-ruleset", path = &include.path.text),
                        )
                        .label(msg!(
                            "not-a-ruleset-label",
                            line = line,
                            column = column,
                            problem = diagnostic.message
                        ))
                        .help(msg!("not-a-ruleset-help")),
                    );
                }
                None => self.diagnostics.extend(diagnostics),
            },
        }
        stack.pop();
    }

    fn include(
        &mut self,
        from: &Path,
        include: &ast::Include,
        stack: &mut Vec<PathBuf>,
        seen: &mut Vec<PathBuf>,
    ) {
        let base = from.parent().unwrap_or(Path::new("."));
        let target = base.join(&include.path.text);
        let key = std::fs::canonicalize(&target).unwrap_or_else(|_| target.clone());
        if stack.contains(&key) {
            self.diagnostics.push(cycle(include.span, &target));
            return;
        }
        if seen.contains(&key) {
            return;
        }
        match self.access.read(&target, access::RULESET_LIMIT) {
            Ok(text) => self.file_from(&target, text, stack, seen, Some(include)),
            Err(e) => self.diagnostics.push(
                Diagnostic::error(include.path.span, msg!("cannot-read-include", path = &include.path.text))
                    .label(e)
                    .help(msg!("include-relative-help", folder = target.display().to_string())),
            ),
        }
    }

    fn finish(self) -> Result<Ruleset, RulesError> {
        if self.diagnostics.is_empty() {
            Ok(Ruleset { sources: self.sources, items: self.items, paths: self.paths, access: self.access })
        } else {
            Err(RulesError { sources: self.sources, diagnostics: self.diagnostics })
        }
    }
}

fn cycle(span: Span, target: &Path) -> Diagnostic {
    Diagnostic::error(span, msg!("include-cycle", path = target.display().to_string()))
        .label(msg!("include-cycle-label"))
        .help(msg!("include-cycle-help"))
}
