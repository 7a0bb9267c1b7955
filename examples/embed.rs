//! Embedding tradeseg: load a ruleset once, then segment customers as they arrive, here
//! from an in-memory list, as a CRM sync job would from its database.
//!
//!     cargo run --example embed

use tradeseg::{CompileOptions, Ruleset, Schema};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/rulesets");
    let checked = Ruleset::load(format!("{folder}/purchase_stage.seg"))?.check()?;

    // The layout of the records this program will hand over.
    let header = [
        "id",
        "orders",
        "samples",
        "inquiries",
        "detailed_questions",
        "status",
        "sample_sent",
        "sample_feedback",
    ];
    let (program, warnings) =
        checked.compile(&Schema::from_header(header), &CompileOptions::new("2026-11-01")?)?;
    for warning in warnings {
        eprintln!("warning: {}", warning.message);
    }

    let customers = [
        ["C1", "2", "0", "4", "yes", "", "", ""],
        ["C2", "0", "1", "3", "yes", "", "2026-09-20", ""],
        ["C3", "0", "0", "3", "no", "declined", "", ""],
        ["C4", "0", "0", "", "", "", "", ""],
    ];
    let mut evaluator = program.evaluator();
    for customer in &customers {
        let outcome = evaluator.evaluate_columns(|column| customer.get(column).copied());
        let stage = program.segment_name(0, outcome).unwrap_or("-");
        let tags: Vec<&str> = program.tag_names(outcome).collect();
        println!("{}: {stage} {tags:?}", customer[0]);
        for error in evaluator.errors() {
            eprintln!("  `{}` could not be read: {}", program.slot_column(error.slot), error.value);
        }
    }
    Ok(())
}
