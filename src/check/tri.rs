//! Three-valued logic, as in SQL: a condition is true, false, or unknown (when it touches
//! a missing value). It is the language's own, so it lives with the checked tree; the
//! interpreter and the compiled evaluator both compute with it.

/// A truth value of three-valued logic. The order (false < unknown < true) makes `and`
/// the minimum and `or` the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tri {
    False,
    Unknown,
    True,
}

/// In JSON: `true`, `false`, or `null` for unknown.
impl serde::Serialize for Tri {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Tri::True => serializer.serialize_bool(true),
            Tri::False => serializer.serialize_bool(false),
            Tri::Unknown => serializer.serialize_none(),
        }
    }
}

impl Tri {
    /// `true` or `false`.
    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
}

/// Negation: unknown stays unknown.
impl std::ops::Not for Tri {
    type Output = Tri;
    fn not(self) -> Tri {
        match self {
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
            Tri::True => Tri::False,
        }
    }
}
