//! Why a run could not go on: the one error type of running, reading events and
//! explaining, below all of them so that none needs another for it.

use crate::diagnostic::Diagnostic;

/// Why a run could not go on.
#[derive(Debug)]
pub enum RunError {
    /// The rules do not fit the data (an unknown column): nothing was evaluated.
    Bind(Vec<Diagnostic>),
    /// The input could not be read, or is not of its format at all.
    Input(String),
    /// The output could not be written.
    Output(std::io::Error),
    /// The action scripts took more than their time for the whole run (see
    /// [`crate::actions::Actions::set_time_limit`]): the run stopped.
    Scripts(String),
    /// A column the run adds has the name of another column of the output (an input
    /// column kept with `keep_columns`, the id, or another added column): nothing is
    /// written.
    Columns(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Bind(d) => write!(f, "the rules do not fit the data ({} problems)", d.len()),
            RunError::Input(message) => f.write_str(message),
            RunError::Output(e) => write!(f, "cannot write the results: {e}"),
            RunError::Columns(message) | RunError::Scripts(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for RunError {}
