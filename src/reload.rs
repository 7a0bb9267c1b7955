//! Live rulesets for long-running programs: watches a ruleset file, every file it
//! includes, its action scripts and any other files named, and when one changes, loads, checks and builds the
//! ruleset again and swaps the result in atomically. Readers never block and never see
//! half a ruleset; an edit that does not load or check is reported and the last good
//! version stays in service.
//!
//! Folders are watched rather than files, so editors that save by writing a new file and
//! renaming it over the old one, and files deleted and created again, keep working.

use crate::check::Checked;
use crate::diagnostic::{Diagnostic, RulesError};
use crate::load::Ruleset;
use crate::messages::{io_error, Message};
use crate::msg;
use arc_swap::ArcSwap;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the files must be quiet before a change counts: editors and programs write
/// in several steps (truncate, write, rename), and only the end result should load.
pub const DEBOUNCE: Duration = Duration::from_millis(50);

/// What happened, as told to the program's callback.
#[derive(Debug, Clone, PartialEq)]
pub enum ReloadEvent {
    /// A new version is in service; `files` are the ruleset files and scripts it was read from.
    Reloaded { files: Vec<PathBuf> },
    /// An edit did not load, check or build; the previous version stays in service.
    /// `report` is the diagnostics rendered with their source lines.
    Rejected { report: String, diagnostics: Vec<Diagnostic> },
    /// One of the other watched files (say, the data) changed.
    Changed { path: PathBuf },
    /// Watching failed (a folder vanished, the system ran out of watches).
    WatchFailed { message: Message },
}

/// Turns a checked ruleset into what the program serves (itself, or a compiled program).
pub type Build<T> = dyn Fn(Checked) -> Result<T, RulesError> + Send + Sync;

/// A value built from a ruleset, kept current as its files change.
pub struct Live<T> {
    current: Arc<ArcSwap<T>>,
    _watcher: Arc<Mutex<RecommendedWatcher>>,
}

impl<T: Send + Sync + 'static> Live<T> {
    /// Loads the ruleset at `path`, builds it, and watches it, its includes and `others`.
    /// `on_event` is called, from a background thread, after every reload or failure.
    ///
    /// ```no_run
    /// use tradeseg::reload::{Live, ReloadEvent};
    /// use tradeseg::{Checked, CompileOptions, Program, Schema};
    ///
    /// let schema = Schema::from_header(["id", "orders"]);
    /// let options = CompileOptions::new("2026-11-01")?;
    /// let build = Box::new(move |checked: Checked| Ok(checked.compile(&schema, &options)?.0));
    /// let live: Live<Program> = Live::watch("rules.seg", Vec::new(), build, |event| {
    ///     if let ReloadEvent::Rejected { report, .. } = event {
    ///         eprintln!("the edit was not taken; the rules before it stay:\n{report}");
    ///     }
    /// })?;
    /// let program = live.current(); // the last good version, at every call
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn watch(
        path: impl AsRef<Path>,
        others: Vec<PathBuf>,
        build: Box<Build<T>>,
        on_event: impl FnMut(ReloadEvent) + Send + 'static,
    ) -> Result<Live<T>, RulesError> {
        Live::watch_allowing(path, Vec::new(), others, build, on_event)
    }

    /// [`Live::watch`], with folders whose files the ruleset may include and run besides
    /// its own (see [`Ruleset::load_allowing`]).
    pub fn watch_allowing(
        path: impl AsRef<Path>,
        allowed: Vec<PathBuf>,
        others: Vec<PathBuf>,
        build: Box<Build<T>>,
        on_event: impl FnMut(ReloadEvent) + Send + 'static,
    ) -> Result<Live<T>, RulesError> {
        let path = path.as_ref().to_path_buf();
        let (value, files) = load(&path, &allowed, &*build, true)?;
        let current = Arc::new(ArcSwap::from_pointee(value));
        let (tx, rx) = channel::<notify::Result<Event>>();
        let watcher = notify::recommended_watcher(tx)
            .map_err(|e| RulesError::general(msg!("cannot-watch", reason = e.to_string())))?;
        let watcher = Arc::new(Mutex::new(watcher));
        let mut watch = Watched {
            watcher: watcher.clone(),
            folders: HashSet::new(),
            rules: HashSet::new(),
            others: HashSet::new(),
        };
        watch.set(&files, &others).map_err(RulesError::general)?;
        let state = Reloader { path, allowed, build, current: current.clone(), watch, others };
        std::thread::Builder::new()
            .name("tradeseg-reload".into())
            .spawn(move || state.serve(rx, on_event))
            .map_err(|e| RulesError::general(msg!("cannot-start-reloader", reason = io_error(&e))))?;
        Ok(Live { current, _watcher: watcher })
    }

    /// The version in service now. Cheap; never blocks.
    pub fn current(&self) -> Arc<T> {
        self.current.load_full()
    }
}

/// Loads, checks and builds; also gives the files the ruleset was read from. An edit that
/// leaves no dimension and no tag is refused unless `allow_empty`: it is far more often a
/// file caught half-saved, or emptied by mistake, than a wish to group no one.
fn load<T>(
    path: &Path,
    allowed: &[PathBuf],
    build: &Build<T>,
    allow_empty: bool,
) -> Result<(T, Vec<PathBuf>), RulesError> {
    let ruleset = Ruleset::load_allowing(path, allowed)?;
    let checked = ruleset.check()?;
    if !allow_empty && checked.dimensions.is_empty() && checked.tags.is_empty() {
        return Err(RulesError::general(msg!("ruleset-now-empty", path = path.display().to_string())));
    }
    let mut files = checked.paths.clone();
    files.extend(action_scripts(&checked));
    Ok((build(checked)?, files))
}

/// The action scripts a checked ruleset names.
fn action_scripts(checked: &Checked) -> Vec<PathBuf> {
    let segments = checked.dimensions.iter().flat_map(|d| d.segments.iter().map(|s| &s.action));
    let otherwise = checked.dimensions.iter().filter_map(|d| d.otherwise.as_ref().map(|o| &o.action));
    let tags = checked.tags.iter().map(|t| &t.action);
    segments.chain(otherwise).chain(tags).flatten().map(|a| a.path.clone()).collect()
}

/// The files being watched, by the folders that hold them.
struct Watched {
    watcher: Arc<Mutex<RecommendedWatcher>>,
    folders: HashSet<PathBuf>,
    rules: HashSet<PathBuf>,
    others: HashSet<PathBuf>,
}

impl Watched {
    /// Watches the folders of these files (adding any new ones).
    fn set(&mut self, rules: &[PathBuf], others: &[PathBuf]) -> Result<(), Message> {
        self.rules = rules.iter().map(|p| key(p)).collect();
        self.others = others.iter().map(|p| key(p)).collect();
        let mut watcher = self.watcher.lock().map_err(|_| msg!("watcher-unavailable"))?;
        for file in self.rules.iter().chain(&self.others) {
            let Some(folder) = file.parent() else { continue };
            if self.folders.insert(folder.to_path_buf()) {
                watcher.watch(folder, RecursiveMode::NonRecursive).map_err(|e| {
                    msg!("cannot-watch-folder", folder = folder.display().to_string(), reason = e.to_string())
                })?;
            }
        }
        Ok(())
    }
}

/// A file's identity for matching events: its folder made absolute, and its name, so a
/// file that was deleted or replaced still matches.
fn key(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    match (absolute.parent(), absolute.file_name()) {
        (Some(folder), Some(name)) => {
            std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf()).join(name)
        }
        _ => absolute,
    }
}

struct Reloader<T> {
    path: PathBuf,
    allowed: Vec<PathBuf>,
    build: Box<Build<T>>,
    current: Arc<ArcSwap<T>>,
    watch: Watched,
    others: Vec<PathBuf>,
}

impl<T> Reloader<T> {
    fn serve(mut self, events: Receiver<notify::Result<Event>>, mut on_event: impl FnMut(ReloadEvent)) {
        loop {
            let watched = |path: &Path| self.watch.rules.contains(path) || self.watch.others.contains(path);
            let Some(paths) = next_changes(&events, &watched, &mut on_event) else { break };
            if paths.iter().any(|p| self.watch.rules.contains(p)) {
                on_event(self.reload());
            }
            for path in paths.iter().filter(|p| self.watch.others.contains(*p)) {
                on_event(ReloadEvent::Changed { path: path.clone() });
            }
        }
    }

    fn reload(&mut self) -> ReloadEvent {
        match load(&self.path, &self.allowed, &*self.build, false) {
            Ok((value, files)) => {
                self.current.store(Arc::new(value));
                if let Err(message) = self.watch.set(&files, &self.others) {
                    return ReloadEvent::WatchFailed { message };
                }
                ReloadEvent::Reloaded { files }
            }
            Err(e) => ReloadEvent::Rejected { report: e.to_string(), diagnostics: e.diagnostics },
        }
    }
}

/// Waits for a change to the content or name of a `watched` file, then gathers further
/// changes to watched files until they have been quiet for [`DEBOUNCE`]; `None` once the
/// watcher is gone. Reads (ours included), metadata changes and anything that happens to
/// other files in the same folders are no changes and do not postpone the reload: it
/// comes [`DEBOUNCE`] after the last change to a watched file.
fn next_changes(
    events: &Receiver<notify::Result<Event>>,
    watched: &dyn Fn(&Path) -> bool,
    on_event: &mut impl FnMut(ReloadEvent),
) -> Option<HashSet<PathBuf>> {
    let mut paths = HashSet::new();
    while paths.is_empty() {
        take(events.recv().ok()?, watched, &mut paths, on_event);
    }
    let mut deadline = Instant::now() + DEBOUNCE;
    loop {
        let wait = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(wait) {
            Ok(event) => {
                if take(event, watched, &mut paths, on_event) {
                    deadline = Instant::now() + DEBOUNCE;
                }
            }
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
    Some(paths)
}

/// Adds the watched paths an event changed, telling whether there were any; reports a
/// watcher error.
fn take(
    event: notify::Result<Event>,
    watched: &dyn Fn(&Path) -> bool,
    paths: &mut HashSet<PathBuf>,
    on_event: &mut impl FnMut(ReloadEvent),
) -> bool {
    match event {
        Ok(event) if is_change(&event.kind) => {
            let changed: Vec<PathBuf> = event.paths.iter().map(|p| key(p)).filter(|p| watched(p)).collect();
            let any = !changed.is_empty();
            paths.extend(changed);
            any
        }
        Ok(_) => false,
        Err(e) => {
            on_event(ReloadEvent::WatchFailed { message: msg!("cannot-watch", reason = e.to_string()) });
            false
        }
    }
}

fn is_change(kind: &EventKind) -> bool {
    use notify::event::ModifyKind;
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}
