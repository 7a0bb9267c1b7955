//! The cores this process may use, asked of the system once. Asking reads three files
//! (the process's control group and its CPU quota), which costs more than what a small run
//! spreads over the cores: the README's example asked five times.

use std::sync::OnceLock;

/// How many threads can run at once, as [`std::thread::available_parallelism`] said the
/// first time it was asked; `None` when it could not tell.
pub fn cores() -> Option<usize> {
    static CORES: OnceLock<Option<usize>> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().ok().map(usize::from))
}
