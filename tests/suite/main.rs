//! The integration tests, in one binary so that they share one build and run on every
//! core together: the real `tradeseg` binary on real files, the library through its public
//! API, and checks of the sources themselves.

mod common;

mod actions;
mod agreement;
mod cells;
mod cli;
mod defects;
mod diagnostics;
mod duckdb_history;
mod duckdb_reference;
mod history;
mod languages;
mod layers;
mod pages;
mod properties;
mod reload;
mod robustness;
mod rulesets;
mod server;
mod sql;
mod studio;
mod watch;
mod workbooks;
