//! The studio's workspace: one ruleset file, and the customer data and event streams it
//! runs over, read once and held in memory. Evaluating a text the author is typing runs it
//! exactly as `tradeseg run` would over the same data (the same run, from memory), and
//! compares it with the ruleset saved on disk.

use crate::assignments::{Assignments, CrossTab, DimensionCounts, Move, SegmentCount};
use crate::check::Checked;
use crate::diagnostic::{self, RulesError};
use crate::events::EventInput;
use crate::explain::Explanation;
use crate::load::Ruleset;
use crate::run::{Extras, RunError, RunOptions};
use serde::Serialize;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The customers, as the bytes a run reads (decoded to UTF-8; a workbook's sheet as CSV),
/// with how to read them, and the event streams' texts.
pub struct Dataset {
    pub bytes: Arc<[u8]>,
    /// Input format, delimiter, as-of date, id column: as `tradeseg run` would have them.
    pub options: RunOptions,
    /// Event streams, each held as text ([`crate::record::Source::Text`]).
    pub events: Vec<EventInput>,
}

/// A ruleset file and the data it runs over.
pub struct Workspace {
    /// The ruleset file; the only file the studio writes.
    pub rules: PathBuf,
    /// Folders besides the ruleset's whose files it may include and run (`--allow-path`).
    allowed: Vec<PathBuf>,
    pub data: Dataset,
    /// The last text evaluated, and where it put everyone.
    last: Mutex<Option<(String, Arc<Evaluated>)>>,
    /// The saved ruleset's assignments, by the text they were made from.
    saved: Mutex<Option<(String, Arc<Evaluated>)>>,
    /// Held while saving.
    saving: Mutex<()>,
}

/// A version of a text: changes when the text does.
pub fn version(text: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Why a save did not happen.
#[derive(Debug)]
pub enum SaveRefused {
    /// The file changed on disk since the edit began.
    Changed,
    Io(std::io::Error),
}

/// A text evaluated: its problems, and, when it runs, where every customer went.
pub struct Evaluated {
    /// Diagnostics as [`diagnostic::to_json`] gives them.
    pub diagnostics: serde_json::Value,
    pub assignments: Option<Assignments>,
    /// Cells that could not be read (they counted as missing).
    pub data_errors: u64,
    /// The rules as checked, for explaining a customer.
    pub checked: Option<Checked>,
}

/// What `POST /api/evaluate` answers.
#[derive(Debug, Default, Serialize)]
pub struct Evaluation {
    pub diagnostics: serde_json::Value,
    /// Absent when the text has errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<DimensionCounts>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<SegmentCount>>,
    /// Against the ruleset on disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moves: Option<Vec<Move>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crosstab: Option<CrossTab>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_errors: Option<u64>,
    /// Time spent, in milliseconds.
    pub elapsed_ms: f64,
}

/// Which customers to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// In `segment` of `dimension` (`None`: in none).
    Segment { dimension: String, segment: Option<String> },
    /// Tagged `tag`.
    Tag(String),
    /// In `from` by the saved ruleset and in `to` by the text.
    Moved { dimension: String, from: Option<String>, to: Option<String> },
}

/// Why a customer could not be explained.
#[derive(Debug)]
pub enum Unexplained {
    /// The ruleset has errors.
    DoesNotRun,
    /// No customer has that id.
    NotFound,
    Failed(RunError),
}

/// Customers listed: how many there are, and the first ones' ids.
#[derive(Debug, Serialize)]
pub struct Listing {
    pub total: usize,
    pub customers: Vec<String>,
}

impl Workspace {
    /// A workspace for the ruleset file `rules` and the data.
    pub fn new(rules: PathBuf, data: Dataset) -> Workspace {
        Workspace {
            rules,
            allowed: Vec::new(),
            data,
            last: Mutex::new(None),
            saved: Mutex::new(None),
            saving: Mutex::new(()),
        }
    }

    /// The workspace, with folders besides the ruleset's whose files it may include and
    /// run (as `--allow-path` gives them).
    pub fn allowing(mut self, allowed: Vec<PathBuf>) -> Workspace {
        self.allowed = allowed;
        self
    }

    /// The folder the ruleset is in: includes and scripts must be inside it.
    pub fn folder(&self) -> &Path {
        self.rules.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
    }

    /// The ruleset file's name, as diagnostics name it.
    pub fn file_name(&self) -> String {
        self.rules.file_name().map_or_else(|| "rules.seg".into(), |n| n.to_string_lossy().into_owned())
    }

    /// The name diagnostics give the ruleset's text (its path).
    pub fn source_name(&self) -> String {
        self.folder().join(self.file_name()).display().to_string()
    }

    /// The text of the ruleset on disk.
    pub fn saved_text(&self) -> std::io::Result<String> {
        crate::access::read_regular(&self.rules, crate::access::RULESET_LIMIT)
            .map_err(|e| std::io::Error::other(e.to_string()))
    }

    /// Evaluates `text` (the author's edit) over the data, compares it with the saved
    /// ruleset, and cross-tabulates two dimensions (default: the first two).
    pub fn evaluate(&self, text: &str, crosstab: Option<(&str, &str)>) -> Evaluation {
        let started = Instant::now();
        let now = self.evaluated(text);
        let Some(assignments) = &now.assignments else {
            let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
            return Evaluation { diagnostics: now.diagnostics.clone(), elapsed_ms, ..Evaluation::default() };
        };
        let saved = self.saved_text().ok().map(|saved| self.evaluated_saved(&saved));
        let moves = saved.as_ref().and_then(|s| s.assignments.as_ref()).map(|s| assignments.moves_since(s));
        let pair = match crosstab {
            Some((a, b)) => Some((a.to_string(), b.to_string())),
            None => match assignments.dimensions.as_slice() {
                [a, b, ..] => Some((a.0.clone(), b.0.clone())),
                _ => None,
            },
        };
        Evaluation {
            diagnostics: now.diagnostics.clone(),
            customers: Some(assignments.len()),
            dimensions: Some(assignments.counts()),
            tags: Some(assignments.tag_counts()),
            moves: Some(moves.unwrap_or_default()),
            crosstab: pair.and_then(|(a, b)| assignments.crosstab(&a, &b)),
            data_errors: Some(now.data_errors),
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        }
    }

    /// The customers `selection` picks out, by `text`, the first `limit` of them.
    pub fn list(&self, text: &str, selection: &Selection, limit: usize) -> Option<Listing> {
        let now = self.evaluated(text);
        let now = now.assignments.as_ref()?;
        let picked: Vec<usize> = match selection {
            Selection::Segment { dimension, segment } => {
                let d = now.dimension(dimension)?;
                (0..now.len()).filter(|&c| now.segment(c, d) == segment.as_deref()).collect()
            }
            Selection::Tag(tag) => (0..now.len()).filter(|&c| now.tags_of(c).any(|t| t == tag)).collect(),
            Selection::Moved { dimension, from, to } => {
                let saved = self.evaluated_saved(&self.saved_text().ok()?);
                let before = saved.assignments.as_ref().filter(|b| b.len() == now.len())?;
                let (d, b) = (now.dimension(dimension)?, before.dimension(dimension)?);
                (0..now.len())
                    .filter(|&c| {
                        before.segment(c, b) == from.as_deref() && now.segment(c, d) == to.as_deref()
                    })
                    .collect()
            }
        };
        Some(Listing {
            total: picked.len(),
            customers: picked.into_iter().take(limit).map(|c| now.id(c).to_string()).collect(),
        })
    }

    /// Why customer `id` is where `text` puts it.
    pub fn explain(&self, text: &str, id: &str) -> Result<Explanation, Unexplained> {
        let now = self.evaluated(text);
        let checked = now.checked.as_ref().ok_or(Unexplained::DoesNotRun)?;
        let input = Box::new(Cursor::new(self.data.bytes.clone()));
        match crate::explain::find_and_explain(checked, input, &self.data.options, &self.data.events, id) {
            Ok(Some(explanation)) => Ok(explanation),
            Ok(None) => Err(Unexplained::NotFound),
            Err(e) => Err(Unexplained::Failed(e)),
        }
    }

    /// Writes `text` to the ruleset file atomically (a temporary file beside it, renamed
    /// into place, keeping the file's permissions), unless the file is no longer at
    /// `expected` (a [`version`]): someone else saved meanwhile. Gives the new version.
    pub fn save(&self, text: &str, expected: Option<&str>) -> Result<String, SaveRefused> {
        use std::io::Write;
        // One save at a time, so that two pages cannot both pass the check.
        let _one = self.saving.lock().unwrap_or_else(|e| e.into_inner());
        if let (Ok(on_disk), Some(expected)) = (self.saved_text(), expected) {
            if version(&on_disk) != expected {
                return Err(SaveRefused::Changed);
            }
        }
        let write = || -> std::io::Result<()> {
            let mut temp = tempfile::NamedTempFile::new_in(self.folder())?;
            temp.write_all(text.as_bytes())?;
            temp.as_file().sync_all()?;
            if let Ok(metadata) = std::fs::metadata(&self.rules) {
                temp.as_file().set_permissions(metadata.permissions())?;
            }
            temp.persist(&self.rules).map_err(|e| e.error)?;
            Ok(())
        };
        write().map_err(SaveRefused::Io)?;
        self.forget();
        Ok(version(text))
    }

    /// Forgets what was evaluated: the files on disk changed (an include, say).
    pub fn forget(&self) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = None;
        *self.saved.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The evaluation of `text`, from the cache when it was the last one.
    fn evaluated(&self, text: &str) -> Arc<Evaluated> {
        cached(&self.last, text, || self.run(text))
    }

    /// The evaluation of the saved ruleset's `text`.
    fn evaluated_saved(&self, text: &str) -> Arc<Evaluated> {
        cached(&self.saved, text, || self.run(text))
    }

    /// Parses, checks and runs `text` over the data.
    fn run(&self, text: &str) -> Evaluated {
        let failed = |e: RulesError| Evaluated {
            diagnostics: diagnostic::to_json(&e.diagnostics, &e.sources),
            assignments: None,
            data_errors: 0,
            checked: None,
        };
        if text.len() as u64 > crate::access::RULESET_LIMIT {
            let message = crate::msg!("ruleset-too-large", limit = crate::access::RULESET_LIMIT);
            return failed(RulesError::general(message));
        }
        let checked =
            match Ruleset::from_source(&self.file_name(), text, self.folder()).and_then(Ruleset::check) {
                Ok(checked) => checked,
                Err(e) => return failed(e),
            };
        let mut assignments = Assignments::default();
        let input = Box::new(Cursor::new(self.data.bytes.clone()));
        let extras =
            Extras { events: &self.data.events, outcomes: Some(&mut assignments), ..Extras::default() };
        let mut sink = std::io::sink();
        match crate::run::run_with(&checked, extras, input, &mut sink, &self.data.options, None) {
            Ok(report) => {
                let mut diagnostics: Vec<_> = checked.warnings().to_vec();
                diagnostics.extend(report.warnings.iter().cloned());
                Evaluated {
                    diagnostics: diagnostic::to_json(&diagnostics, checked.sources()),
                    assignments: Some(assignments),
                    data_errors: report.data_error_count,
                    checked: Some(checked),
                }
            }
            Err(RunError::Bind(e)) => failed(e),
            Err(e) => failed(RulesError::general(crate::msg!("studio-run-failed", reason = e.to_string()))),
        }
    }
}

/// The value for `text` from a one-entry cache, made with `make` when the text differs.
fn cached(
    cache: &Mutex<Option<(String, Arc<Evaluated>)>>,
    text: &str,
    make: impl FnOnce() -> Evaluated,
) -> Arc<Evaluated> {
    if let Some((kept, value)) = &*cache.lock().unwrap_or_else(|e| e.into_inner()) {
        if kept == text {
            return value.clone();
        }
    }
    let value = Arc::new(make());
    *cache.lock().unwrap_or_else(|e| e.into_inner()) = Some((text.to_string(), value.clone()));
    value
}
