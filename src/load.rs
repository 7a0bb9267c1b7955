//! Loading: reads a ruleset file and every file it includes, parses each, and splices
//! included declarations in at the place of their `include`, so later phases see one flat
//! list of items in reading order. Cycles and missing files are errors at the `include`,
//! and so is a file the ruleset may not read (see [`crate::access`]). A syntax error in an
//! included file is shown with its line only when the file is named as a ruleset (`.seg`):
//! a file of another kind may hold anything, and its text stays unprinted.
//!
//! Files are read and parsed a level of includes at a time, the files of a level on
//! several threads at once; then the declarations are spliced in reading order, depth
//! first, as if each file had been parsed where its `include` stands.

use crate::access::{self, FileAccess};
use crate::diagnostic::{Diagnostic, RulesError};
use crate::msg;
use crate::source::FileId;
use crate::source::{Sources, Span};
use crate::syntax::{self, ast};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

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
            Ok(text) => loader.main_file(path, text),
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
        loader.main_file(&virtual_path, text.to_string());
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
    /// Every file read, by its canonical path: parsed, waiting to be spliced.
    parsed: HashMap<PathBuf, Parsed>,
    /// Why a file named by an `include` could not be read, by the path it names.
    unreadable: HashMap<PathBuf, crate::messages::Message>,
}

/// What parsing a file gave: its declarations, or its syntax errors.
type ParseResult = Result<ast::File, Vec<Diagnostic>>;

/// A file read and parsed ahead of splicing.
struct Parsed {
    file: FileId,
    result: ParseResult,
}

/// A file read, not yet parsed: the path it was read by, its canonical path, its text.
type Unparsed = (PathBuf, PathBuf, String);

impl Loader {
    /// Reads and parses the main file and everything it includes, then splices them.
    fn main_file(&mut self, path: &Path, text: String) {
        let key = canonical(path);
        self.read_ahead(vec![(path.to_path_buf(), key.clone(), text)]);
        let mut order = Vec::new();
        self.file_from(path, key, &mut Vec::new(), &mut Vec::new(), None, &mut order);
        self.sources.set_reading_order(order);
    }

    /// Parses `level` (several files at once) and, level after level, every file they
    /// include, each once: a file that cannot be read is noted for the `include`s naming it.
    fn read_ahead(&mut self, mut level: Vec<Unparsed>) {
        while !level.is_empty() {
            let files: Vec<FileId> = level
                .iter()
                .map(|(path, _, text)| self.sources.add(path.display().to_string(), text))
                .collect();
            let results = parse_all(&self.sources, &files);
            let level_keys: Vec<PathBuf> = level.iter().map(|(_, key, _)| key.clone()).collect();
            let mut next: Vec<Unparsed> = Vec::new();
            for ((path, key, _), (file, result)) in level.into_iter().zip(files.into_iter().zip(results)) {
                let includes = result.iter().flat_map(|f| &f.items).filter_map(|item| match item {
                    ast::Item::Include(include) => Some(include),
                    _ => None,
                });
                for include in includes {
                    let target = path.parent().unwrap_or(Path::new(".")).join(&include.path.text);
                    let target_key = canonical(&target);
                    let known = self.parsed.contains_key(&target_key)
                        || level_keys.contains(&target_key)
                        || next.iter().any(|(_, k, _)| *k == target_key)
                        || self.unreadable.contains_key(&target);
                    if known {
                        continue;
                    }
                    match self.access.read(&target, access::RULESET_LIMIT) {
                        Ok(text) => next.push((target, target_key, text)),
                        Err(e) => {
                            self.unreadable.insert(target, e);
                        }
                    }
                }
                self.parsed.insert(key, Parsed { file, result });
            }
            level = next;
        }
    }

    /// Splices one parsed file and, depth first, what it includes. `stack` holds the files
    /// being spliced (for cycles); `seen` the files already spliced (each is read once);
    /// `order` gets each file's id as it is spliced. `included_at` is the `include` that
    /// named the file (none for the main file).
    fn file_from(
        &mut self,
        path: &Path,
        key: PathBuf,
        stack: &mut Vec<PathBuf>,
        seen: &mut Vec<PathBuf>,
        included_at: Option<&ast::Include>,
        order: &mut Vec<FileId>,
    ) {
        // Every file an `include` reaches here was read ahead, unless it could not be read
        // (said at the `include`) or was spliced already (`seen`).
        let Some(Parsed { file, result }) = self.parsed.remove(&key) else { return };
        order.push(file);
        self.paths.push(path.to_path_buf());
        seen.push(key.clone());
        stack.push(key);
        match result {
            Ok(parsed) => {
                for item in parsed.items {
                    match item {
                        ast::Item::Include(include) => self.include(path, &include, stack, seen, order),
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
        order: &mut Vec<FileId>,
    ) {
        let base = from.parent().unwrap_or(Path::new("."));
        let target = base.join(&include.path.text);
        let key = canonical(&target);
        if stack.contains(&key) {
            self.diagnostics.push(cycle(include.span, &target));
            return;
        }
        if seen.contains(&key) {
            return;
        }
        match self.unreadable.get(&target) {
            None => self.file_from(&target, key, stack, seen, Some(include), order),
            Some(e) => self.diagnostics.push(
                Diagnostic::error(include.path.span, msg!("cannot-read-include", path = &include.path.text))
                    .label(e.clone())
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

/// The path a file is told apart by: canonical where it can be made so.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Parses `files`, several at once where there are several and the machine has cores to
/// spare; the results in the files' order.
fn parse_all(sources: &Sources, files: &[FileId]) -> Vec<ParseResult> {
    let parse = |file: FileId| syntax::parse(file, sources.text(file));
    let threads = crate::cores::cores().unwrap_or(1).min(files.len());
    if threads <= 1 {
        return files.iter().map(|&file| parse(file)).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<ParseResult>>> = files.iter().map(|_| Mutex::new(None)).collect();
    let work = || loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let Some(&file) = files.get(n) else { break };
        let result = parse(file);
        if let Ok(mut slot) = results[n].lock() {
            *slot = Some(result);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            // As deep a stack as the main thread's: nesting is bounded before parsing.
            let spawned = std::thread::Builder::new().stack_size(PARSE_STACK).spawn_scoped(scope, work);
            if spawned.is_err() {
                break;
            }
        }
        work();
    });
    // A file some thread did not get to (none should) is parsed here.
    files
        .iter()
        .zip(results)
        .map(|(&file, slot)| slot.into_inner().ok().flatten().unwrap_or_else(|| parse(file)))
        .collect()
}

/// Stack of each thread that parses included files.
const PARSE_STACK: usize = 8 << 20;

fn cycle(span: Span, target: &Path) -> Diagnostic {
    Diagnostic::error(span, msg!("include-cycle", path = target.display().to_string()))
        .label(msg!("include-cycle-label"))
        .help(msg!("include-cycle-help"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    /// Files parsed a level at a time, several at once, come out as if each had been read
    /// where its `include` stands: declarations, files and diagnostics in reading order.
    #[test]
    fn included_files_come_in_reading_order_however_they_were_parsed() {
        let dir = tempfile::tempdir().unwrap();
        let main =
            "include \"a.seg\"\ninclude \"b.seg\"\ninclude \"a.seg\"\nsegment \"m\" when 1 + \"x\" > 0\n";
        write(dir.path(), "main.seg", main);
        // a.seg also includes b.seg, which main.seg names after it: read where a.seg names it.
        write(
            dir.path(),
            "a.seg",
            "include \"c.seg\"\nsegment \"a\" when \"y\" - 1 > 0\ninclude \"b.seg\"\n",
        );
        write(dir.path(), "b.seg", "segment \"b\" when \"z\" * 2 > 0\ninclude \"main.seg\"\n");
        write(dir.path(), "c.seg", "segment \"c\" when \"w\" / 2 > 0\n");
        let loaded = Ruleset::load(dir.path().join("main.seg"));
        let diagnostics = loaded.as_ref().err().map(|e| &e.diagnostics);
        // b.seg including main.seg is a cycle, named at its include.
        assert_eq!(diagnostics.map(Vec::len), Some(1), "{diagnostics:?}");
        write(dir.path(), "b.seg", "segment \"b\" when \"z\" * 2 > 0\n");
        let ruleset = Ruleset::load(dir.path().join("main.seg")).unwrap();
        let names: Vec<String> =
            ruleset.paths.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["main.seg", "a.seg", "c.seg", "b.seg"]);
        assert_eq!(ruleset.sources.len(), 4, "a file read twice");
        let tags: Vec<&str> = ruleset
            .items
            .iter()
            .filter_map(|item| match item {
                ast::Item::Tag(tag) => Some(tag.name.text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(tags, ["c", "a", "b", "m"]);
        let errors = crate::check::check(ruleset).err().unwrap();
        let files: Vec<&str> = errors
            .diagnostics
            .iter()
            .map(|d| errors.sources.name(d.span.unwrap().file).rsplit('/').next().unwrap())
            .collect();
        assert_eq!(files, ["main.seg", "a.seg", "c.seg", "b.seg"]);
    }
}
