//! Loading: reads a ruleset file and every file it includes, parses each, and splices
//! included declarations in at the place of their `include`, so later phases see one flat
//! list of items in reading order. Cycles and missing files are errors at the `include`.

use crate::diagnostic::Diagnostic;
use crate::source::{Sources, Span};
use crate::syntax::{self, ast};
use std::path::{Path, PathBuf};

/// A parsed ruleset: every source file, and all declarations in reading order.
#[derive(Debug, Clone)]
pub struct Ruleset {
    /// The main file and its includes.
    pub sources: Sources,
    /// Declarations, includes spliced in; no `Include` items remain.
    pub items: Vec<ast::Item>,
    /// Every file read, in order, main file first (for watching and reporting).
    pub paths: Vec<PathBuf>,
}

/// Why a ruleset could not be loaded: the diagnostics, with the sources they point into.
#[derive(Debug, Clone)]
pub struct LoadError {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
}

impl Ruleset {
    /// Reads and parses `path` and everything it includes.
    pub fn load(path: impl AsRef<Path>) -> Result<Ruleset, LoadError> {
        let path = path.as_ref();
        let mut loader = Loader::default();
        match std::fs::read_to_string(path) {
            Ok(text) => loader.file(path, text, &mut Vec::new(), &mut Vec::new()),
            Err(e) => loader.diagnostics.push(Diagnostic::general(format!(
                "cannot read ruleset `{}`: {}",
                path.display(),
                e
            ))),
        }
        loader.finish()
    }

    /// Parses ruleset text; `include` paths are resolved against `base_dir`.
    pub fn from_source(name: &str, text: &str, base_dir: impl AsRef<Path>) -> Result<Ruleset, LoadError> {
        let mut loader = Loader::default();
        let virtual_path = base_dir.as_ref().join(name);
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
}

impl Loader {
    /// Parses one file and, depth first, what it includes. `stack` holds the files being
    /// read (for cycles); `seen` the files already spliced (each is read once).
    fn file(&mut self, path: &Path, text: String, stack: &mut Vec<PathBuf>, seen: &mut Vec<PathBuf>) {
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
            Err(diagnostic) => self.diagnostics.push(diagnostic),
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
        match std::fs::read_to_string(&target) {
            Ok(text) => self.file(&target, text, stack, seen),
            Err(e) => self.diagnostics.push(
                Diagnostic::error(
                    include.path.span,
                    format!("cannot read included file `{}`", include.path.text),
                )
                .label(e.to_string())
                .help(format!("the path is relative to this file's folder: {}", target.display())),
            ),
        }
    }

    fn finish(self) -> Result<Ruleset, LoadError> {
        if self.diagnostics.is_empty() {
            Ok(Ruleset { sources: self.sources, items: self.items, paths: self.paths })
        } else {
            Err(LoadError { sources: self.sources, diagnostics: self.diagnostics })
        }
    }
}

fn cycle(span: Span, target: &Path) -> Diagnostic {
    Diagnostic::error(span, format!("`{}` includes itself", target.display()))
        .label("this include closes a cycle")
        .help("remove one of the includes in the cycle")
}
