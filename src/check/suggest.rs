//! "Did you mean …": the closest known name to a misspelt one.

/// The candidate the user most likely meant: a case-insensitive match first, then the
/// same word in the singular or plural, or with `_`/spaces/`-` left out (`Inquiry` for
/// `inquiries`, `last order` for `last_order`), then the nearest by edit distance, within a
/// cut-off that grows with the name's length.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str> + Clone) -> Option<&'a str> {
    let lower = name.to_lowercase();
    if let Some(hit) = candidates.clone().into_iter().find(|c| c.to_lowercase() == lower) {
        return Some(hit);
    }
    let stem = word_stem(&lower);
    if let Some(hit) = candidates.clone().into_iter().find(|c| word_stem(&c.to_lowercase()) == stem) {
        return Some(hit);
    }
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, c)| c)
}

/// A name with separators left out and a plural ending taken off: `inquiries` and
/// `Inquiry` → `inquiry`, `Last Orders` → `lastorder`.
fn word_stem(lower: &str) -> String {
    let joined: String = lower.chars().filter(|c| !matches!(c, '_' | ' ' | '-')).collect();
    if let Some(base) = joined.strip_suffix("ies") {
        format!("{base}y")
    } else if let Some(base) = joined.strip_suffix("es").filter(|b| b.ends_with(['s', 'x', 'h'])) {
        base.to_string()
    } else if let Some(base) = joined.strip_suffix('s').filter(|b| !b.ends_with('s')) {
        base.to_string()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos_and_case() {
        let names = ["inquiries", "orders", "Country"];
        assert_eq!(closest("inquries", names), Some("inquiries"));
        assert_eq!(closest("country", names), Some("Country"));
        assert_eq!(closest("ordres", names), Some("orders"));
        assert_eq!(closest("revenue", names), None);
        assert_eq!(closest("Inquiry", names), Some("inquiries"));
        assert_eq!(closest("order", names), Some("orders"));
        assert_eq!(closest("Last Order", ["last_order", "orders"]), Some("last_order"));
        assert_eq!(closest("addresses", ["address"]), Some("address"));
    }
}
