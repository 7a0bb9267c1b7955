//! How a cell's text reads as the language's yes/no and list values (numbers and dates
//! read by [`crate::decimal`] and [`crate::date`]). Shared by evaluation, the interpreter
//! behind `explain`, and the values scripts see.

/// Reads yes/no the ways spreadsheets write it.
pub fn parse_bool(cell: &str) -> Option<bool> {
    const TRUE: [&str; 6] = ["true", "yes", "y", "1", "是", "对"];
    const FALSE: [&str; 6] = ["false", "no", "n", "0", "否", "不"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(cell)) {
        Some(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(cell)) {
        Some(false)
    } else {
        None
    }
}

/// The items of a list cell: separated by `;`, each trimmed, empty ones skipped.
pub fn list_items(raw: &[u8]) -> impl Iterator<Item = &[u8]> {
    raw.split(|&b| b == b';').map(|item| item.trim_ascii()).filter(|item| !item.is_empty())
}
