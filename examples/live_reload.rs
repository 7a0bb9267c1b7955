//! A long-running program that serves segments from a live ruleset: the rules file can be
//! edited while it runs, and every lookup uses the newest good version. Here the program
//! segments the same three customers every second, as a CRM sync job would on each
//! sync, and says when the rules change or an edit is rejected.
//!
//!     cargo run --example live_reload -- rulesets/purchase_stage.seg [SECONDS]
//!
//! Edit rulesets/purchase_stage.seg in another window while it runs.

use std::sync::Arc;
use std::time::Duration;
use tradeseg::check::Checked;
use tradeseg::reload::{Live, ReloadEvent};
use tradeseg::RulesError;
use tradeseg::{CompileOptions, Program, Schema};

const HEADER: [&str; 8] = [
    "id",
    "orders",
    "samples",
    "inquiries",
    "detailed_questions",
    "status",
    "sample_sent",
    "sample_feedback",
];

/// What the program serves: the checked rules and their compiled form for our layout.
struct Rules {
    program: Program,
}

fn build(checked: Checked) -> Result<Rules, RulesError> {
    let options = CompileOptions::new("2026-11-01").map_err(|e| RulesError::general(e.message()))?;
    let (program, _warnings) = checked.compile(&Schema::from_header(HEADER), &options)?;
    Ok(Rules { program })
}

fn main() {
    if let Err(e) = serve() {
        eprintln!("{e}");
        std::process::exit(2);
    }
}

fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "rulesets/purchase_stage.seg".to_string());
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(30);

    let live = Live::watch(&path, Vec::new(), Box::new(build), |event| match event {
        ReloadEvent::Reloaded { files } => eprintln!("rules reloaded from {} files", files.len()),
        ReloadEvent::Rejected { report, .. } => {
            eprintln!("edit rejected, still serving the previous rules:\n{report}")
        }
        ReloadEvent::Changed { .. } | ReloadEvent::WatchFailed { .. } => {}
    })?;

    let customers = [
        ["C1", "2", "0", "4", "yes", "", "", ""],
        ["C2", "0", "1", "3", "yes", "", "2026-10-01", ""],
        ["C3", "0", "0", "3", "yes", "", "", ""],
    ];
    for _ in 0..seconds {
        let rules: Arc<Rules> = live.current(); // never blocks; a reload swaps it whole
        let mut evaluator = rules.program.evaluator();
        let line: Vec<String> = customers
            .iter()
            .map(|c| {
                let outcome = evaluator.evaluate_columns(|i| c.get(i).copied());
                format!("{}={}", c[0], rules.program.segment_name(0, outcome).unwrap_or("-"))
            })
            .collect();
        println!("{}", line.join("  "));
        std::thread::sleep(Duration::from_secs(1));
    }
    Ok(())
}
