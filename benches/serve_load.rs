//! `tradeseg serve` under load (BENCHMARKS.md): starts the binary on the bundled
//! purchase-stage ruleset, then fifty clients, each on its own keep-alive connection,
//! post 10,000 requests of one customer record between them. Prints the latency
//! percentiles, the throughput and the errors (there must be none).
//!
//! cargo bench --bench serve_load [-- CLIENTS REQUESTS]

#[path = "support/load_client.rs"]
mod load_client;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let clients: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let root = env!("CARGO_MANIFEST_DIR");
    let mut server = Command::new(env!("CARGO_BIN_EXE_tradeseg"))
        .args([
            "serve",
            "rulesets/purchase_stage.seg",
            "--as-of",
            "2026-11-01",
            "--port",
            "0",
            "--lang",
            "en",
        ])
        .current_dir(root)
        .stderr(Stdio::piped())
        .spawn()
        .expect("tradeseg serve starts");
    let stderr = BufReader::new(server.stderr.take().expect("piped"));
    let url = stderr
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.find("http://").map(|at| line[at..].split_whitespace().next().unwrap_or("").to_string())
        })
        .expect("the server prints its URL");
    let addr = url["http://".len()..].split('/').next().unwrap().parse().expect("an address");
    let token = url.split("token=").nth(1).expect("a token").to_string();
    let load = load_client::run(addr, "/api/segment", &token, clients, requests, |n| {
        format!(
            r#"[{{"id": "C{n}", "orders": {}, "samples": 0, "inquiries": {}, "detailed_questions": true, "status": "open"}}]"#,
            n % 2,
            n % 5
        )
    });
    let _ = server.kill();
    let _ = server.wait();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{clients} clients, {requests} requests: {} answered, {} errors, {:.0} requests/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        load.latencies.len(),
        load.errors,
        load.latencies.len() as f64 / load.elapsed.as_secs_f64(),
        ms(load.percentile(0.50)),
        ms(load.percentile(0.90)),
        ms(load.percentile(0.99)),
        ms(load.percentile(1.0)),
    );
    if let Some(sample) = load.samples.first() {
        println!("an answer: {sample}");
    }
    assert_eq!(load.errors, 0, "every request answered");
}
