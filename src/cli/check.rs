//! `tradeseg check RULES [--data DATA]`: every error in a ruleset at once; with data,
//! whether its fields exist there and how many customers each segment would get.

use super::{report, DataArgs, Exit, RulesPath};
use tradeseg::msg;
use tradeseg::run::{OutputFormat, RunError};

/// Arguments of `tradeseg check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The ruleset file.
    pub rules: RulesPath,
    /// A customer export to check the rules against.
    #[arg(long)]
    pub data: Option<String>,
    #[command(flatten)]
    pub data_args: DataArgs,
    /// `text` for people; `json` for editors: every diagnostic with its file, line,
    /// column, end, severity, message and fixes, on standard output.
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
}

/// `--format` of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

/// Runs `tradeseg check`.
pub fn run(args: CheckArgs) -> Exit {
    if args.format == CheckFormat::Json {
        return json(&args);
    }
    let events = match args.data_args.event_inputs() {
        Ok(events) => events,
        Err(exit) => return exit,
    };
    let data = args.data.as_deref().map(|d| (&args.data_args, d));
    let checked = match super::load_checked_for(&args.rules, true, data) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    if let Err(exit) = args.data_args.check_event_names(&checked) {
        return exit;
    }
    let actions = match super::load_actions(&checked) {
        Ok(actions) => actions,
        Err(exit) => return exit,
    };
    let Some(data) = &args.data else {
        super::say(msg!(
            "check-ok",
            dimensions = report::count(checked.dimensions().len() as u64, "dimension"),
            tags = report::count(checked.tags().len() as u64, "tag"),
            fields = report::count(checked.fields().len() as u64, "field"),
            files = report::count(checked.paths().len() as u64, "file")
        ));
        return Exit::Done;
    };
    let mut input = match args.data_args.input(data, &checked) {
        Ok(input) => input,
        Err(exit) => return exit,
    };
    let options = args.data_args.run_options(&input, OutputFormat::Csv);
    let as_of = options.compile.as_of;
    let extras = tradeseg::run::Extras {
        actions: actions.as_ref(),
        plan: None,
        events: &events,
        ..Default::default()
    };
    let reader = std::mem::replace(&mut input.reader, Box::new(std::io::empty()));
    match tradeseg::run::run_with(&checked, extras, reader, &mut std::io::sink(), &options, None) {
        Ok(mut summary) => {
            input.place_errors(&mut summary);
            report::run_summary(&summary, as_of, false);
            err!("{}", report::missing(&summary));
            Exit::Done
        }
        Err(RunError::Bind(error)) => {
            report::diagnostics(&error.diagnostics, &error.sources);
            Exit::Usage
        }
        Err(e) => {
            super::say_error(e);
            Exit::Data
        }
    }
}

/// `check --format json`: the ruleset's diagnostics (and, with `--data`, those of binding
/// it to the data's columns) as one JSON document on standard output. Exit 2 when any is
/// an error, else 0.
fn json(args: &CheckArgs) -> Exit {
    let loaded = tradeseg::load::Ruleset::load_allowing(&args.rules, &super::allowed_folders());
    let (diagnostics, sources, checked) = match loaded.map(tradeseg::check::check) {
        Err(e) | Ok(Err(e)) => (e.diagnostics, e.sources, None),
        Ok(Ok(checked)) => (checked.warnings().to_vec(), checked.sources().clone(), Some(checked)),
    };
    let mut all = diagnostics;
    if let (Some(checked), Some(data)) = (&checked, &args.data) {
        let Ok(mut input) = args.data_args.input(data, checked) else { return Exit::Usage };
        let options = args.data_args.run_options(&input, OutputFormat::Csv);
        let reader = std::mem::replace(&mut input.reader, Box::new(std::io::empty()));
        match tradeseg::run::run(checked, reader, &mut std::io::sink(), &options, None) {
            Ok(summary) => all.extend(summary.warnings),
            Err(RunError::Bind(error)) => all.extend(error.diagnostics),
            Err(e) => {
                super::say_error(e);
                return Exit::Data;
            }
        }
    }
    let errors = all.iter().filter(|d| d.is_error()).count();
    let document = serde_json::json!({
        "errors": errors,
        "warnings": all.len() - errors,
        "diagnostics": tradeseg::diagnostic::to_json(&all, &sources),
    });
    outln!("{}", serde_json::to_string_pretty(&document).unwrap_or_default());
    if errors > 0 {
        Exit::Usage
    } else {
        Exit::Done
    }
}
