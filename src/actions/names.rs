//! The names scripts see (`dimension`, `segment`, `segments`, `tags`), made once per run as
//! rhai strings: handing one to a script is a reference count, not a copy and an
//! allocation per call.

use crate::compile::Program;
use crate::eval::Outcome;
use rhai::{Array, Dynamic, Identifier, ImmutableString, Map};

/// The ruleset's dimension, segment and tag names as rhai values.
pub(super) struct ScriptNames {
    /// Per dimension: its name as a map key and as a value, and its segments' names (in
    /// [`crate::compile::CompiledDimension::names`] order).
    dimensions: Vec<(Identifier, ImmutableString, Vec<ImmutableString>)>,
    /// Per tag as compiled.
    tags: Vec<ImmutableString>,
}

impl ScriptNames {
    pub fn new(program: &Program) -> ScriptNames {
        let dimensions = program
            .dimensions
            .iter()
            .map(|d| {
                (
                    d.name.as_str().into(),
                    d.name.as_str().into(),
                    d.names.iter().map(|n| n.as_str().into()).collect(),
                )
            })
            .collect();
        let tags = program.tags.iter().map(|t| t.name.as_str().into()).collect();
        ScriptNames { dimensions, tags }
    }

    /// A dimension's name.
    pub fn dimension(&self, dimension: usize) -> Option<&ImmutableString> {
        self.dimensions.get(dimension).map(|(_, name, _)| name)
    }

    /// The name of the segment a customer is in, in one dimension.
    pub fn segment(&self, dimension: usize, outcome: &Outcome) -> Option<&ImmutableString> {
        let index = (*outcome.segments.get(dimension)?)?;
        self.dimensions.get(dimension)?.2.get(usize::from(index))
    }

    /// A tag's name.
    pub fn tag(&self, tag: usize) -> Option<&ImmutableString> {
        self.tags.get(tag)
    }

    /// `segments`: every dimension's segment for this customer, `()` where none.
    pub fn segments(&self, outcome: &Outcome) -> Map {
        // Inserted one by one: collecting a handful of entries into a map sorts a vector
        // first, which cost more than the inserts.
        let mut segments = Map::new();
        for (d, (key, _, _)) in self.dimensions.iter().enumerate() {
            let segment = self.segment(d, outcome).map_or(Dynamic::UNIT, |s| Dynamic::from(s.clone()));
            segments.insert(key.clone(), segment);
        }
        segments
    }

    /// `tags`: the tags the customer got.
    pub fn tags(&self, outcome: &Outcome) -> Array {
        outcome
            .tags
            .iter()
            .filter_map(|&t| self.tag(usize::from(t)))
            .map(|t| Dynamic::from(t.clone()))
            .collect()
    }
}
