//! tradeseg
pub mod date;
pub mod decimal;
pub mod diagnostic;
pub mod source;
pub mod syntax;
pub mod load;
pub mod check;
pub mod compile;
pub mod eval;
pub mod record;
pub mod run;
