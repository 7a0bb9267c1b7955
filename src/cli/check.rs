//! `tradeseg check RULES [--data DATA]`: every error in a ruleset at once; with data,
//! whether its fields exist there and how many customers each segment would get.

use super::{report, DataArgs, Exit, RulesPath};
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
}

/// Runs `tradeseg check`.
pub fn run(args: CheckArgs) -> Exit {
    let events = match args.data_args.event_inputs() {
        Ok(events) => events,
        Err(exit) => return exit,
    };
    let checked = match super::load_checked_with(&args.rules, true) {
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
        errln!(
            "ok: {}, {}, {}, {}",
            report::count(checked.dimensions().len() as u64, "dimension"),
            report::count(checked.tags().len() as u64, "tag"),
            report::count(checked.fields().len() as u64, "field"),
            report::count(checked.paths().len() as u64, "file")
        );
        return Exit::Done;
    };
    let mut input = match args.data_args.input(data, &checked) {
        Ok(input) => input,
        Err(exit) => return exit,
    };
    let options = args.data_args.run_options(&input, OutputFormat::Csv);
    let as_of = options.compile.as_of;
    let extras = tradeseg::run::Extras { actions: actions.as_ref(), plan: None, events: &events };
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
            errln!("error: {e}");
            Exit::Data
        }
    }
}
