//! The pest parser generated from `grammar/segments.pest`, and nothing else.

#![allow(missing_docs)]

/// The generated parser; see `grammar/segments.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/segments.pest"]
pub struct SegmentParser;
