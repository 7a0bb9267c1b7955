//! `tradeseg diff OLD NEW [DATA]`: what a rule change would do before it is made (two
//! rulesets over the same data), or what changed between two runs (two results files):
//! per dimension who would move from which segment to which, the tags gained and lost,
//! and the customers only one side has.

use super::{DataArgs, Exit};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use tradeseg::msg;
use tradeseg::run::{Extras, OutputFormat};

/// Arguments of `tradeseg diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The ruleset as it is (`.seg`), or an earlier run's results (CSV).
    pub old: PathBuf,
    /// The ruleset as it would be (`.seg`), or a later run's results (CSV).
    pub new: PathBuf,
    /// The customer export both rulesets run over (needed for rulesets).
    pub data: Option<String>,
    #[command(flatten)]
    pub data_args: DataArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: DiffFormat,
}

/// `--format` of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Table,
    Csv,
    Json,
}

/// Customers who would go from one segment of a dimension to another.
#[derive(Debug, Serialize)]
struct Move {
    dimension: String,
    from: String,
    to: String,
    count: usize,
    examples: Vec<String>,
}

/// Customers who would gain or lose a tag.
#[derive(Debug, Serialize)]
struct TagChange {
    tag: String,
    gained: usize,
    lost: usize,
    examples_gained: Vec<String>,
    examples_lost: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Diff {
    moves: Vec<Move>,
    tags: Vec<TagChange>,
    /// Customers only in the new results, and only in the old.
    added: Vec<String>,
    removed: Vec<String>,
    /// Dimensions only one side has.
    columns_changed: Vec<String>,
}

/// How many ids each move names.
const EXAMPLES: usize = 5;

/// Runs `tradeseg diff`.
pub fn run(args: DiffArgs) -> Exit {
    let old = match results(&args, &args.old) {
        Ok(text) => text,
        Err(exit) => return exit,
    };
    let new = match results(&args, &args.new) {
        Ok(text) => text,
        Err(exit) => return exit,
    };
    let diff = compare(&old, &new);
    let text = match args.format {
        DiffFormat::Json => format!("{}\n", serde_json::to_string_pretty(&diff).unwrap_or_default()),
        DiffFormat::Csv => csv_of(&diff),
        DiffFormat::Table => table_of(&diff),
    };
    out!("{text}");
    Exit::Done
}

/// A side's results: a results file as it is, or a ruleset run over the data (without its
/// scripts, writing nothing).
fn results(args: &DiffArgs, path: &Path) -> Result<String, Exit> {
    let is_ruleset = path.extension().is_some_and(|e| e == "seg");
    if !is_ruleset {
        return std::fs::read_to_string(path).map_err(|e| {
            let (path, reason) = (path.display().to_string(), tradeseg::messages::io_error(&e));
            super::say_error(msg!("cannot-read-results", path = path, reason = reason));
            Exit::Usage
        });
    }
    let Some(data) = &args.data else {
        super::say_error(msg!("diff-needs-data"));
        return Err(Exit::Usage);
    };
    let checked = super::load_checked_for(path, false, Some((&args.data_args, data)))?;
    let events = args.data_args.event_inputs()?;
    let mut input = args.data_args.input(data, &checked)?;
    let options = args.data_args.run_options(&input, OutputFormat::Csv);
    let reader = std::mem::replace(&mut input.reader, Box::new(std::io::empty()));
    let mut output = Vec::new();
    let extras = Extras { events: &events, ..Extras::default() };
    match tradeseg::run::run_with(&checked, extras, reader, &mut output, &options, None) {
        Ok(_) => Ok(String::from_utf8_lossy(&output).into_owned()),
        Err(tradeseg::run::RunError::Bind(e)) => {
            super::report::diagnostics(&e.diagnostics, &e.sources);
            Err(Exit::Usage)
        }
        Err(e) => {
            super::say_error(e);
            Err(Exit::Data)
        }
    }
}

/// The two results compared by customer id (the first column).
fn compare(old: &str, new: &str) -> Diff {
    let changes = tradeseg::snapshot::compare(old, new);
    let moves = changes
        .moves
        .into_iter()
        .filter(|m| m.column != "tags")
        .map(|m| Move { dimension: m.column, from: m.from, to: m.to, count: m.count, examples: m.examples })
        .collect();
    let (old_tags, new_tags) = (tags_of(old), tags_of(new));
    let mut changes_by_tag: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for (id, after) in &new_tags {
        let Some(before) = old_tags.get(id) else { continue };
        for tag in after.difference(before) {
            changes_by_tag.entry(tag.clone()).or_default().0.push(id.clone());
        }
        for tag in before.difference(after) {
            changes_by_tag.entry(tag.clone()).or_default().1.push(id.clone());
        }
    }
    let tags = changes_by_tag
        .into_iter()
        .map(|(tag, (gained, lost))| TagChange {
            tag,
            gained: gained.len(),
            lost: lost.len(),
            examples_gained: gained.into_iter().take(EXAMPLES).collect(),
            examples_lost: lost.into_iter().take(EXAMPLES).collect(),
        })
        .collect();
    Diff {
        moves,
        tags,
        added: changes.added,
        removed: changes.removed,
        columns_changed: changes.columns_changed,
    }
}

/// Each customer's tags, by id, in input order of the file.
fn tags_of(text: &str) -> HashMap<String, BTreeSet<String>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let Some(column) = reader.headers().ok().and_then(|h| h.iter().position(|c| c == "tags")) else {
        return HashMap::new();
    };
    reader
        .records()
        .flatten()
        .map(|r| {
            let tags =
                r.get(column).unwrap_or_default().split(';').filter(|t| !t.is_empty()).map(String::from);
            (r.get(0).unwrap_or_default().to_string(), tags.collect())
        })
        .collect()
}

fn shown(segment: &str) -> &str {
    if segment.is_empty() {
        "(none)"
    } else {
        segment
    }
}

fn table_of(diff: &Diff) -> String {
    let mut lines = Vec::new();
    if diff.moves.is_empty() && diff.tags.is_empty() && diff.added.is_empty() && diff.removed.is_empty() {
        lines.push(msg!("diff-no-change").to_string());
    }
    let mut dimension = "";
    for m in &diff.moves {
        if m.dimension != dimension {
            dimension = &m.dimension;
            let total: usize = diff.moves.iter().filter(|n| n.dimension == dimension).map(|n| n.count).sum();
            lines.push(format!("{dimension}: {}", super::report::count(total as u64, "customer")));
        }
        let more = if m.count > m.examples.len() { ", …" } else { "" };
        lines.push(format!(
            "  {} → {}  {}  ({}{more})",
            shown(&m.from),
            shown(&m.to),
            m.count,
            m.examples.join(", ")
        ));
    }
    if !diff.tags.is_empty() {
        lines.push(msg!("diff-tags").to_string());
        for t in &diff.tags {
            let mut parts = Vec::new();
            if t.gained > 0 {
                parts.push(format!("+{} ({})", t.gained, t.examples_gained.join(", ")));
            }
            if t.lost > 0 {
                parts.push(format!("−{} ({})", t.lost, t.examples_lost.join(", ")));
            }
            lines.push(format!("  {}  {}", t.tag, parts.join("  ")));
        }
    }
    if !diff.added.is_empty() {
        lines.push(msg!("diff-only-new", ids = diff.added.join(", ")).to_string());
    }
    if !diff.removed.is_empty() {
        lines.push(msg!("diff-only-old", ids = diff.removed.join(", ")).to_string());
    }
    for column in &diff.columns_changed {
        lines.push(msg!("change-column", column = column).to_string());
    }
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// One line per move, tags as `tag:NAME` with `+` and `-` as from and to.
fn csv_of(diff: &Diff) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["dimension", "from", "to", "customers", "examples"]);
    for m in &diff.moves {
        let _ =
            writer.write_record([&m.dimension, &m.from, &m.to, &m.count.to_string(), &m.examples.join(";")]);
    }
    for t in &diff.tags {
        let name = format!("tag:{}", t.tag);
        if t.gained > 0 {
            let _ = writer.write_record([
                &name,
                "",
                "tagged",
                &t.gained.to_string(),
                &t.examples_gained.join(";"),
            ]);
        }
        if t.lost > 0 {
            let _ =
                writer.write_record([&name, "tagged", "", &t.lost.to_string(), &t.examples_lost.join(";")]);
        }
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}
