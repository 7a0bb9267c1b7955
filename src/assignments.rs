//! Every customer's place after one evaluation, kept in memory: the segment per dimension
//! and the tags, as indices into the names, received from a run as an
//! [`OutcomeSink`]. Counted, cross-tabulated and compared with an earlier evaluation of
//! the same customers by the studio (`server`) and by `watch`.

use crate::run::OutcomeSink;
use serde::Serialize;

/// Where every customer went, in input order.
#[derive(Debug, Default)]
pub struct Assignments {
    /// Per dimension its name and its segments' names (`otherwise` last).
    pub dimensions: Vec<(String, Vec<String>)>,
    pub tags: Vec<String>,
    /// The customers' ids one after another, customer `i`'s ending at `id_ends[i]`: one
    /// buffer rather than an allocation per customer.
    ids: String,
    id_ends: Vec<usize>,
    /// Row-major: `dimensions.len()` entries per customer.
    segments: Vec<Option<u16>>,
    /// Per dimension, each segment's place in its names once repeats are merged (a name
    /// can stand for several rules of a dimension: `segment "lost" …` and `otherwise "lost"`).
    places: Vec<Vec<u16>>,
    /// Customer `i`'s tags are `tag_items[tag_ends[i - 1]..tag_ends[i]]`.
    tag_ends: Vec<u32>,
    tag_items: Vec<u16>,
}

impl OutcomeSink for Assignments {
    fn names(&mut self, dimensions: &[(String, Vec<String>)], tags: &[String]) {
        self.dimensions.clear();
        self.places.clear();
        for (dimension, segments) in dimensions {
            let mut names: Vec<String> = Vec::new();
            let mut places = Vec::new();
            for name in segments {
                let at = names.iter().position(|n| n == name).unwrap_or_else(|| {
                    names.push(name.clone());
                    names.len() - 1
                });
                places.push(at as u16);
            }
            self.dimensions.push((dimension.clone(), names));
            self.places.push(places);
        }
        self.tags = tags.to_vec();
    }

    fn customer(&mut self, id: &str, segments: &[Option<u16>], tags: &[u16]) {
        self.ids.push_str(id);
        self.id_ends.push(self.ids.len());
        let places = &self.places;
        self.segments.extend(segments.iter().enumerate().map(|(d, s)| s.map(|s| places[d][usize::from(s)])));
        self.tag_items.extend_from_slice(tags);
        self.tag_ends.push(self.tag_items.len() as u32);
    }
}

/// One segment's count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentCount {
    pub name: String,
    pub count: u64,
}

/// A dimension's counts: each segment (`otherwise` last), and customers in none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DimensionCounts {
    pub name: String,
    pub segments: Vec<SegmentCount>,
    /// Customers no segment of the dimension took (it has no `otherwise`).
    pub unassigned: u64,
}

/// Two dimensions counted against each other; `None` rows and columns are "no segment".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrossTab {
    pub rows: String,
    pub columns: String,
    pub row_names: Vec<Option<String>>,
    pub column_names: Vec<Option<String>>,
    /// `counts[r][c]`.
    pub counts: Vec<Vec<u64>>,
}

/// Customers who are in one segment by one ruleset and in another by a second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    pub dimension: String,
    /// `None`: no segment.
    pub from: Option<String>,
    pub to: Option<String>,
    pub count: u64,
    /// The first few customers' ids, in input order.
    pub examples: Vec<String>,
}

/// Ids given as examples of a move.
const EXAMPLES: usize = 5;

impl Assignments {
    /// How many customers.
    pub fn len(&self) -> usize {
        self.id_ends.len()
    }

    /// True when there are no customers.
    pub fn is_empty(&self) -> bool {
        self.id_ends.is_empty()
    }

    /// Customer `customer`'s id.
    pub fn id(&self, customer: usize) -> &str {
        let start = if customer == 0 { 0 } else { self.id_ends[customer - 1] };
        &self.ids[start..self.id_ends[customer]]
    }

    /// The position of dimension `name`.
    pub fn dimension(&self, name: &str) -> Option<usize> {
        self.dimensions.iter().position(|(n, _)| n == name)
    }

    /// Customer `customer`'s segment in dimension `dimension`, by name.
    pub fn segment(&self, customer: usize, dimension: usize) -> Option<&str> {
        let at = self.segments[customer * self.dimensions.len() + dimension]?;
        Some(self.dimensions[dimension].1[usize::from(at)].as_str())
    }

    /// Customer `customer`'s tags, by name.
    pub fn tags_of(&self, customer: usize) -> impl Iterator<Item = &str> {
        self.tag_slice(customer).iter().map(|&t| self.tags[usize::from(t)].as_str())
    }

    /// Customer `customer`'s tags, as indices into [`Assignments::tags`].
    fn tag_slice(&self, customer: usize) -> &[u16] {
        let start = if customer == 0 { 0 } else { self.tag_ends[customer - 1] as usize };
        &self.tag_items[start..self.tag_ends[customer] as usize]
    }

    /// Counts per dimension and segment.
    pub fn counts(&self) -> Vec<DimensionCounts> {
        let width = self.dimensions.len();
        let mut counts: Vec<Vec<u64>> = self.dimensions.iter().map(|(_, s)| vec![0; s.len()]).collect();
        let mut unassigned = vec![0u64; width];
        for row in self.segments.chunks_exact(width.max(1)) {
            for (d, segment) in row.iter().enumerate() {
                match segment {
                    Some(s) => counts[d][usize::from(*s)] += 1,
                    None => unassigned[d] += 1,
                }
            }
        }
        self.dimensions
            .iter()
            .zip(counts)
            .zip(unassigned)
            .map(|(((name, names), counts), unassigned)| DimensionCounts {
                name: name.clone(),
                segments: names
                    .iter()
                    .zip(counts)
                    .map(|(name, count)| SegmentCount { name: name.clone(), count })
                    .collect(),
                unassigned,
            })
            .collect()
    }

    /// Counts per tag, in the order the tags are defined.
    pub fn tag_counts(&self) -> Vec<SegmentCount> {
        let mut counts = vec![0u64; self.tags.len()];
        for &tag in &self.tag_items {
            counts[usize::from(tag)] += 1;
        }
        self.tags.iter().zip(counts).map(|(name, count)| SegmentCount { name: name.clone(), count }).collect()
    }

    /// Dimension `rows` against dimension `columns`; `None` if either is not there.
    pub fn crosstab(&self, rows: &str, columns: &str) -> Option<CrossTab> {
        let (r, c) = (self.dimension(rows)?, self.dimension(columns)?);
        let names = |d: usize| -> Vec<Option<String>> {
            let mut names: Vec<Option<String>> = self.dimensions[d].1.iter().cloned().map(Some).collect();
            names.push(None);
            names
        };
        let (row_names, column_names) = (names(r), names(c));
        let mut counts = vec![vec![0u64; column_names.len()]; row_names.len()];
        let none = |d: usize| self.dimensions[d].1.len();
        let width = self.dimensions.len();
        for row in self.segments.chunks_exact(width) {
            let at_r = row[r].map_or(none(r), usize::from);
            let at_c = row[c].map_or(none(c), usize::from);
            counts[at_r][at_c] += 1;
        }
        // "No segment" shows only where some customer has none.
        let mut tab =
            CrossTab { rows: rows.into(), columns: columns.into(), row_names, column_names, counts };
        if tab.counts.last().is_some_and(|row| row.iter().all(|&n| n == 0)) {
            tab.counts.pop();
            tab.row_names.pop();
        }
        if tab.counts.iter().all(|row| row.last() == Some(&0)) {
            tab.counts.iter_mut().for_each(|row| {
                row.pop();
            });
            tab.column_names.pop();
        }
        Some(tab)
    }

    /// Who is elsewhere here than in `before` (the same customers, in the same order), per
    /// dimension both have, largest moves first.
    pub fn moves_since(&self, before: &Assignments) -> Vec<Move> {
        let mut moves: Vec<Move> = Vec::new();
        if before.len() != self.len() {
            return moves;
        }
        for (d, (name, _)) in self.dimensions.iter().enumerate() {
            let Some(b) = before.dimension(name) else { continue };
            let mut found: Vec<Move> = Vec::new();
            for customer in 0..self.len() {
                let (from, to) = (before.segment(customer, b), self.segment(customer, d));
                if from == to {
                    continue;
                }
                let at = found.iter().position(|m| m.from.as_deref() == from && m.to.as_deref() == to);
                let entry = match at {
                    Some(at) => &mut found[at],
                    None => {
                        found.push(Move {
                            dimension: name.clone(),
                            from: from.map(str::to_string),
                            to: to.map(str::to_string),
                            count: 0,
                            examples: Vec::new(),
                        });
                        found.last_mut().expect("just pushed")
                    }
                };
                entry.count += 1;
                if entry.examples.len() < EXAMPLES {
                    entry.examples.push(self.id(customer).to_string());
                }
            }
            found.sort_by_key(|m| std::cmp::Reverse(m.count));
            moves.extend(found);
        }
        moves
    }
}

impl Assignments {
    /// What changed since `before`, as [`crate::snapshot::compare`] says it of the two
    /// results files, but without writing or reading them: `None` when the customers are
    /// not the same ones in the same order (then compare the files).
    pub fn changes_since(&self, before: &Assignments) -> Option<crate::snapshot::Changes> {
        if self.id_ends != before.id_ends || self.ids != before.ids {
            return None;
        }
        let mut changes = crate::snapshot::Changes::default();
        let (old_columns, new_columns) = (before.columns(), self.columns());
        for column in old_columns.iter().filter(|c| !new_columns.contains(c)) {
            changes.columns_changed.push(crate::msg!("column-gone", column = column.as_str()).to_string());
        }
        for column in new_columns.iter().filter(|c| !old_columns.contains(c)) {
            changes.columns_changed.push(crate::msg!("column-new", column = column.as_str()).to_string());
        }
        // Per column of the new results, where it is in the old: a dimension's index, or
        // `None` for `tags`.
        let pairs: Vec<(&str, Option<(usize, usize)>)> = new_columns
            .iter()
            .filter(|c| old_columns.contains(c))
            .map(|c| match (self.dimension(c), before.dimension(c)) {
                (Some(new), Some(old)) => (c.as_str(), Some((new, old))),
                _ => (c.as_str(), None),
            })
            .collect();
        let joined = |a: &Assignments, customer| a.tags_of(customer).collect::<Vec<_>>().join(";");
        let same_tags = before.tags == self.tags;
        // Where a dimension's names are the same in both, the same index is the same name:
        // most customers are told apart from a move without looking at the names.
        let same_names: Vec<bool> = pairs
            .iter()
            .map(|(_, d)| d.is_some_and(|(new, old)| self.dimensions[new].1 == before.dimensions[old].1))
            .collect();
        let (width, width_before) = (self.dimensions.len(), before.dimensions.len());
        for customer in 0..self.len() {
            for (&(column, dimension), &same_names) in pairs.iter().zip(&same_names) {
                let (from, to): (std::borrow::Cow<str>, std::borrow::Cow<str>) = match dimension {
                    Some((new, old))
                        if same_names
                            && self.segments[customer * width + new]
                                == before.segments[customer * width_before + old] =>
                    {
                        continue
                    }
                    Some((new, old)) => (
                        before.segment(customer, old).unwrap_or_default().into(),
                        self.segment(customer, new).unwrap_or_default().into(),
                    ),
                    // Tags are joined into text only where they may differ.
                    None if same_tags && before.tag_slice(customer) == self.tag_slice(customer) => continue,
                    None => (joined(before, customer).into(), joined(self, customer).into()),
                };
                if from != to {
                    changes.note_move(column, &from, &to, || self.id(customer).to_string());
                }
            }
        }
        Some(changes)
    }

    /// The result columns after the id, as `run` writes them: the dimensions, then `tags`
    /// when there are tags.
    fn columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = self.dimensions.iter().map(|(name, _)| name.clone()).collect();
        if !self.tags.is_empty() {
            columns.push("tags".to_string());
        }
        columns
    }
}

#[cfg(test)]
mod tests {
    use super::Assignments;
    use crate::run::{Extras, RunOptions};
    use crate::{CompileOptions, Ruleset};

    /// The results `run` writes for `rules`, and where it put everyone.
    fn evaluate(rules: &str, data: &str) -> (String, Assignments) {
        let checked = Ruleset::from_source("r.seg", rules, ".").unwrap().check().unwrap();
        let options = RunOptions::new(CompileOptions::new("2026-11-01").unwrap());
        let mut placed = Assignments::default();
        let mut results = Vec::new();
        let extras = Extras { outcomes: Some(&mut placed), ..Extras::default() };
        let input = Box::new(std::io::Cursor::new(data.to_string()));
        crate::run::run_with(&checked, extras, input, &mut results, &options, None).unwrap();
        (String::from_utf8(results).unwrap(), placed)
    }

    #[test]
    fn changes_by_places_are_the_changes_the_results_files_show() {
        let data = "id,orders,inquiries,identity\nC1,2,0,OEM\nC2,0,3,\nC3,,1,OEM\nC4,0,0,\nC5,1,5,x\n";
        let before = r#"
            dimension stars { segment "4" when orders >= 1
                              segment "2" when inquiries >= 2 }
            dimension kind { segment "oem" when identity == "OEM" otherwise "other" }
            segment "t1" when inquiries >= 1
            segment "t2" when orders >= 1
        "#;
        let after = [
            // Thresholds moved: segments and tags change; a customer loses its only segment.
            before.replace("inquiries >= 2", "inquiries >= 4").replace("inquiries >= 1", "inquiries >= 3"),
            // A dimension gone, tags gone: columns change.
            r#"dimension stars { segment "4" when orders >= 1 otherwise "0" }"#.to_string(),
            before.to_string(),
        ];
        let (old_results, old_places) = evaluate(before, data);
        for rules in &after {
            let (new_results, new_places) = evaluate(rules, data);
            let by_places = new_places.changes_since(&old_places).expect("the same customers");
            assert_eq!(by_places, crate::snapshot::compare(&old_results, &new_results), "{rules}");
        }
        let (_, fewer) = evaluate(before, "id,orders,inquiries,identity\nC1,2,0,OEM\n");
        assert!(fewer.changes_since(&old_places).is_none(), "other customers: compare the files");
    }
}
