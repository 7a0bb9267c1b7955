//! `tradeseg report RULES DATA -o report.html`: the run as a page for a manager — counts
//! and charts per dimension, tags, cross-tabs of dimension pairs, data quality, and who
//! moved since an earlier run's results — as one self-contained HTML file or as Markdown.

use super::{DataArgs, Exit};
use std::path::{Path, PathBuf};
use tradeseg::messages::io_error;
use tradeseg::msg;
use tradeseg::pages::{CrossTabs, Overview};
use tradeseg::run::{Extras, OutputFormat, RunError};

/// Arguments of `tradeseg report`.
#[derive(Debug, clap::Args)]
pub struct PagesArgs {
    /// The ruleset file.
    pub rules: PathBuf,
    /// The customer export.
    pub data: String,
    #[command(flatten)]
    pub data_args: DataArgs,
    /// Two dimensions to count against each other, as `a,b` (repeat for more; default:
    /// the first two dimensions).
    #[arg(long, value_name = "DIM,DIM")]
    pub crosstab: Vec<String>,
    /// An earlier run's results (CSV): the page shows who moved since.
    #[arg(long, value_name = "RESULTS.csv")]
    pub since: Option<PathBuf>,
    /// Where to write the page (atomically): `.html`, `.md` for Markdown, or `.xlsx` for
    /// its tables as a workbook.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// The page's format (default: from the output's name).
    #[arg(long, value_enum)]
    pub format: Option<PageFormat>,
}

/// `--format` of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PageFormat {
    Html,
    Md,
    /// The page's tables as a workbook, a sheet each.
    Xlsx,
}

/// Runs `tradeseg report`.
pub fn run(args: PagesArgs) -> Exit {
    match execute(&args) {
        Ok(()) => Exit::Done,
        Err(exit) => exit,
    }
}

fn execute(args: &PagesArgs) -> Result<(), Exit> {
    let checked = super::load_checked_for(&args.rules, false, Some((&args.data_args, &args.data)))?;
    let events = args.data_args.event_inputs()?;
    args.data_args.check_event_names(&checked)?;
    let mut inputs = super::ruleset_files(&checked);
    inputs.extend(args.data_args.input_files(&args.data));
    if let Some(since) = &args.since {
        inputs.push(super::clash::Role::new(msg!("role-since"), since));
    }
    super::refuse_clashes(&inputs, &[super::clash::Role::new("--output", &args.output)])?;
    let dimensions: Vec<String> = checked.dimensions().iter().map(|d| d.name.clone()).collect();
    let mut tabs = CrossTabs::new(pairs(args, &dimensions)?);
    let unknown = tabs.unknown(&dimensions);
    if !unknown.is_empty() {
        super::say_error(msg!(
            "crosstab-unknown",
            names = unknown.join(", "),
            dimensions = dimensions.join(", ")
        ));
        return Err(Exit::Usage);
    }
    let earlier = match &args.since {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            let (path, reason) = (path.display().to_string(), io_error(&e));
            super::say_error(msg!("cannot-read-results", path = path, reason = reason));
            Exit::Usage
        })?),
        None => None,
    };
    let mut input = args.data_args.input(&args.data, &checked)?;
    let options = args.data_args.run_options(&input, OutputFormat::Csv);
    let reader = std::mem::replace(&mut input.reader, Box::new(std::io::empty()));
    let mut results = Vec::new();
    let extras = Extras { events: &events, outcomes: Some(&mut tabs), ..Extras::default() };
    let mut report = match tradeseg::run::run_with(&checked, extras, reader, &mut results, &options, None) {
        Ok(report) => report,
        Err(RunError::Bind(e)) => {
            super::report::diagnostics(&e.diagnostics, &e.sources);
            return Err(Exit::Usage);
        }
        Err(e) => {
            super::say_error(e);
            return Err(Exit::Data);
        }
    };
    input.place_errors(&mut report);
    let since = match (&args.since, earlier) {
        (Some(path), Some(earlier)) => {
            let now = String::from_utf8_lossy(&results);
            Some((file_name(path), tradeseg::snapshot::compare(&earlier, &now)))
        }
        _ => None,
    };
    let overview = Overview {
        report: &report,
        as_of: tradeseg::date::format(options.compile.as_of),
        rules: file_name(&args.rules),
        data: file_name(Path::new(&args.data)),
        crosstabs: tabs.finish(),
        since,
    };
    let page = match format(args) {
        PageFormat::Html => tradeseg::pages::html(&overview).into_bytes(),
        PageFormat::Md => tradeseg::pages::markdown(&overview).into_bytes(),
        PageFormat::Xlsx => tradeseg::workbook::write::tables_workbook(&tradeseg::pages::tables(&overview))
            .map_err(|e| {
            super::say_error(e);
            Exit::Failed
        })?,
    };
    super::report::run_summary(&report, options.compile.as_of, true);
    if let Err(e) = super::output::write_atomically(&args.output, &page) {
        let (path, reason) = (args.output.display().to_string(), io_error(&e));
        super::say_error(msg!("cannot-write-file", path = path, reason = reason));
        return Err(Exit::Failed);
    }
    super::say(msg!("page-written", path = args.output.display().to_string(), customers = report.records));
    Ok(())
}

/// The dimension pairs to count against each other: as given, else the first two.
fn pairs(args: &PagesArgs, dimensions: &[String]) -> Result<Vec<(String, String)>, Exit> {
    if args.crosstab.is_empty() {
        return Ok(match dimensions {
            [a, b, ..] => vec![(a.clone(), b.clone())],
            _ => Vec::new(),
        });
    }
    args.crosstab
        .iter()
        .map(|spec| match spec.split_once(',') {
            Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
                Ok((a.trim().to_string(), b.trim().to_string()))
            }
            _ => {
                super::say_error(msg!("crosstab-form", spec = spec.as_str()));
                Err(Exit::Usage)
            }
        })
        .collect()
}

fn format(args: &PagesArgs) -> PageFormat {
    args.format.unwrap_or_else(|| {
        let extension = args.output.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("md") => PageFormat::Md,
            Some("xlsx") => PageFormat::Xlsx,
            _ => PageFormat::Html,
        }
    })
}

/// A path as a page names it: its file name.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
