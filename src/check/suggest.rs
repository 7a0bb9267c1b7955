//! "Did you mean …": the closest known name to a misspelt one.

/// The candidate the user most likely meant: a case-insensitive match first, then the
/// nearest by edit distance, within a cut-off that grows with the name's length.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str> + Clone) -> Option<&'a str> {
    let lower = name.to_lowercase();
    if let Some(hit) = candidates.clone().into_iter().find(|c| c.to_lowercase() == lower) {
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
    }
}
