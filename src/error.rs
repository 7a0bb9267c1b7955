//! Why a run could not go on: the one error type of running, reading events and
//! explaining, below all of them so that none needs another for it.

use crate::diagnostic::RulesError;
use crate::messages::{io_error, Message};
use crate::msg;
use crate::record::InputError;

/// Why a run could not go on.
#[derive(Debug)]
pub enum RunError {
    /// The rules do not fit the data (an unknown column, an event stream with no file):
    /// nothing was evaluated.
    Bind(RulesError),
    /// The customer data could not be read, or is not of its format at all.
    Input(InputError),
    /// An event file could not be read.
    Events { file: String, message: Message },
    /// The output could not be written.
    Output(std::io::Error),
    /// The action scripts took more than their time for the whole run (see
    /// [`crate::actions::Actions::set_time_limit`]): the run stopped.
    Scripts(Message),
    /// A column the run adds has the name of another column of the output (an input
    /// column kept with `keep_columns`, the id, or another added column): nothing is
    /// written.
    Columns(Message),
    /// No thread to evaluate on could be started.
    NoThread,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Bind(e) => write!(f, "{}\n{e}", msg!("rules-do-not-fit")),
            RunError::Events { file, message } => {
                write!(f, "{}", msg!("cannot-read-events", file = file, reason = message.clone()))
            }
            RunError::Input(error) => write!(f, "{error}"),
            RunError::NoThread => write!(f, "{}", msg!("no-thread")),
            RunError::Output(e) => write!(f, "{}", msg!("cannot-write-results", reason = io_error(e))),
            RunError::Columns(message) | RunError::Scripts(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for RunError {}
