//! Customers kept in evaluation form, as `watch` keeps them between edits of the rules:
//! reads an export once with `run_keeping`, then evaluates the same rules over the kept
//! customers and over the file read again, in turns, printing each time taken. The results
//! are the same either way (the test suite checks it); this shows what not reading costs.
//!
//!     cargo run --release --example kept_customers -- RULES.seg customers.csv [ROUNDS] [--kept-only]
//!
//! `--kept-only` leaves the file runs out (nothing else then competes for the cache).

use std::time::Instant;
use tradeseg::run::{run, run_keeping, run_kept, Extras, RunOptions};
use tradeseg::{CompileOptions, Ruleset};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [rules, data, rest @ ..] = &args[..] else {
        return Err("usage: kept_customers RULES.seg DATA.csv [ROUNDS] [--kept-only]".into());
    };
    let rounds: usize = rest.first().map_or(Ok(5), |n| n.parse())?;
    let kept_only = rest.iter().any(|a| a == "--kept-only");
    let checked = Ruleset::load(rules)?.check()?;
    let options = RunOptions::new(CompileOptions::new("2026-11-01")?);
    let started = Instant::now();
    let (_, kept) = run_keeping(
        &checked,
        Extras::default(),
        Box::new(std::fs::File::open(data)?),
        &mut Vec::new(),
        &options,
    )?;
    let kept = kept.ok_or("these rules and data cannot be kept (scripts, events, or not CSV)")?;
    println!("read and kept {} records in {:?}: {} MB", kept.records(), started.elapsed(), kept.size() >> 20);
    for _ in 0..rounds {
        let started = Instant::now();
        run_kept(&checked, Extras::default(), &kept, &mut Vec::new(), &options)?.ok_or("not kept")?;
        let over_kept = started.elapsed();
        if kept_only {
            println!("over the kept customers {over_kept:?}");
            continue;
        }
        let started = Instant::now();
        run(&checked, Box::new(std::fs::File::open(data)?), &mut Vec::new(), &options, None)?;
        println!("over the kept customers {over_kept:?}, reading the file {:?}", started.elapsed());
    }
    Ok(())
}
