//! The HTTP API through the router itself (no socket): what the studio and `serve` answer,
//! that their counts are the run's, and who they refuse.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;
use tradeseg::server::guard::Guard;
use tradeseg::server::routes::AppState;
use tradeseg::server::segment::Segmenter;
use tradeseg::server::workspace::{version, Dataset, Workspace};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const HOST: &str = "127.0.0.1:8080";

fn addr() -> SocketAddr {
    HOST.parse().unwrap()
}

/// A studio over `data` for the ruleset file `rules`.
fn studio(rules: &Path, data: &str) -> axum::Router {
    let options = tradeseg::RunOptions::new(tradeseg::CompileOptions::new("2026-11-01").unwrap());
    let dataset = Dataset { bytes: data.as_bytes().into(), options, events: Vec::new() };
    let (changes, _) = tokio::sync::broadcast::channel(4);
    let state = AppState::studio(Arc::new(Workspace::new(rules.to_path_buf(), dataset)), changes);
    tradeseg::server::router(state, Guard::new(addr(), TOKEN.into()))
}

/// Sends one request; the answer's status and body (JSON where it is).
fn send(
    app: &axum::Router,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Body::from(body)).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, body)
    })
}

/// An API call as the page makes it.
fn call(app: &axum::Router, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let headers = [("host", HOST), ("x-tradeseg-token", TOKEN), ("content-type", "application/json")];
    match body {
        Some(body) => send(app, "POST", path, &headers, body.to_string().into_bytes()),
        None => send(app, "GET", path, &headers, Vec::new()),
    }
}

/// Per segment of each dimension, the count in `tradeseg run`'s results for the same data.
fn run_counts(rules: &str, data: &str) -> Vec<(String, String, u64)> {
    let checked = tradeseg::Ruleset::from_source("r.seg", rules, ".").unwrap().check().unwrap();
    let options = tradeseg::RunOptions::new(tradeseg::CompileOptions::new("2026-11-01").unwrap());
    let mut out = Vec::new();
    tradeseg::run::run(&checked, Box::new(std::io::Cursor::new(data.to_string())), &mut out, &options, None)
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut counts: Vec<(String, String, u64)> = Vec::new();
    for line in lines {
        for (column, cell) in header.iter().zip(line.split(',')).skip(1) {
            if *column == "tags" || cell.is_empty() {
                continue;
            }
            match counts.iter_mut().find(|(d, s, _)| d == column && s == cell) {
                Some(entry) => entry.2 += 1,
                None => counts.push((column.to_string(), cell.to_string(), 1)),
            }
        }
    }
    counts
}

fn evaluated_counts(evaluation: &Value) -> Vec<(String, String, u64)> {
    let mut counts = Vec::new();
    for dimension in evaluation["dimensions"].as_array().unwrap() {
        for segment in dimension["segments"].as_array().unwrap() {
            let count = segment["count"].as_u64().unwrap();
            if count > 0 {
                let (d, s) = (dimension["name"].as_str().unwrap(), segment["name"].as_str().unwrap());
                counts.push((d.to_string(), s.to_string(), count));
            }
        }
    }
    counts
}

#[test]
fn evaluating_gives_the_runs_counts_and_the_moves_against_the_saved_file() {
    let dir = folder(&[("rules.seg", RULES.as_bytes())]);
    let rules = dir.path().join("rules.seg");
    let app = studio(&rules, DATA);
    let (status, saved) = call(&app, "/api/rules", None);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(saved["text"], RULES);
    assert_eq!(saved["version"], version(RULES));

    let edited = RULES.replace("inquiries >= 2", "inquiries >= 1");
    let (status, evaluation) = call(&app, "/api/evaluate", Some(json!({ "rules": edited })));
    assert_eq!(status, StatusCode::OK, "{evaluation}");
    assert_eq!(evaluation["customers"], 3);
    let mut mine = evaluated_counts(&evaluation);
    let mut runs = run_counts(&edited, DATA);
    mine.sort();
    runs.sort();
    assert_eq!(mine, runs, "the studio's counts are the run's");
    assert_eq!(evaluation["tags"], json!([{ "name": "oem", "count": 1 }]));
    // C3 (one inquiry) moves from 0-star to 2-star with the edit.
    assert_eq!(
        evaluation["moves"],
        json!([{ "dimension": "stars", "from": "0-star", "to": "2-star", "count": 1, "examples": ["C3"] }])
    );
    let (_, listed) = call(
        &app,
        "/api/customers",
        Some(json!({ "rules": edited, "dimension": "stars", "from": "0-star", "to": "2-star" })),
    );
    assert_eq!(listed, json!({ "total": 1, "customers": ["C3"] }));
    let (_, listed) = call(
        &app,
        "/api/customers",
        Some(json!({ "rules": edited, "dimension": "stars", "segment": "4-star" })),
    );
    assert_eq!(listed, json!({ "total": 1, "customers": ["C1"] }));
    let (status, why) = call(&app, "/api/explain", Some(json!({ "rules": edited, "id": "C3" })));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(why["dimensions"][0]["segment"], "2-star");
    let (status, why) = call(&app, "/api/customers/C3/explain", None);
    assert_eq!(
        (status, &why["dimensions"][0]["segment"]),
        (StatusCode::OK, &json!("0-star")),
        "by the saved file"
    );
    let (status, _) = call(&app, "/api/customers/C9/explain", None);
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn a_ruleset_with_errors_gives_its_diagnostics_and_no_counts() {
    let dir = folder(&[("rules.seg", RULES.as_bytes())]);
    let app = studio(&dir.path().join("rules.seg"), DATA);
    let broken = format!("{RULES}segment \"big\" when ordrs > 5\n");
    let (status, evaluation) = call(&app, "/api/evaluate", Some(json!({ "rules": broken })));
    assert_eq!(status, StatusCode::OK);
    assert!(evaluation.get("customers").is_none(), "{evaluation}");
    let diagnostic = &evaluation["diagnostics"][0];
    assert_eq!(diagnostic["code"], "unknown-column");
    assert_eq!((diagnostic["line"].as_u64(), diagnostic["column"].as_u64()), (Some(8), Some(20)));
    assert_eq!(diagnostic["fix"], "did you mean `orders`?");
    // Includes stay inside the ruleset's folder, as on the command line.
    let (_, evaluation) =
        call(&app, "/api/evaluate", Some(json!({ "rules": "include \"../../etc/passwd\"\n" })));
    assert_eq!(evaluation["diagnostics"][0]["code"], "cannot-read-include");
    let (status, answer) = call(&app, "/api/evaluate", Some(json!({ "rulez": RULES })));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["code"], "server-bad-json");
}

#[test]
fn saving_writes_the_file_unless_it_changed_on_disk_meanwhile() {
    let dir = folder(&[("rules.seg", RULES.as_bytes())]);
    let rules = dir.path().join("rules.seg");
    let app = studio(&rules, DATA);
    let edited = RULES.replace("inquiries >= 2", "inquiries >= 1");
    let (status, saved) =
        call(&app, "/api/save", Some(json!({ "rules": edited, "version": version(RULES) })));
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(std::fs::read_to_string(&rules).unwrap(), edited);
    assert_eq!(saved["version"], version(&edited));
    // The page still thinks the file is RULES: someone else's save is not overwritten.
    let (status, answer) =
        call(&app, "/api/save", Some(json!({ "rules": "dimension x {}", "version": version(RULES) })));
    assert_eq!((status, &answer["code"]), (StatusCode::CONFLICT, &json!("server-changed-on-disk")));
    assert_eq!(std::fs::read_to_string(&rules).unwrap(), edited);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(leftovers, ["rules.seg"], "no temporary file is left beside it");
    // Moves are now against the saved edit.
    let (_, evaluation) = call(&app, "/api/evaluate", Some(json!({ "rules": edited })));
    assert_eq!(evaluation["moves"], json!([]));
}

#[test]
fn requests_for_another_host_or_without_the_token_are_refused() {
    let dir = folder(&[("rules.seg", RULES.as_bytes())]);
    let app = studio(&dir.path().join("rules.seg"), DATA);
    // A page on another site whose name now points at 127.0.0.1 (DNS rebinding).
    let (status, _) = send(
        &app,
        "GET",
        "/api/rules",
        &[("host", "evil.example:8080"), ("x-tradeseg-token", TOKEN)],
        vec![],
    );
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
    let (status, _) = send(&app, "GET", "/", &[("host", "evil.example:8080")], vec![]);
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "the page too");
    let (status, _) = send(&app, "GET", "/api/rules", &[("host", HOST)], vec![]);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let wrong = "0123456789abcdef0123456789abcdeX";
    let (status, _) = send(&app, "GET", "/api/rules", &[("host", HOST), ("x-tradeseg-token", wrong)], vec![]);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let save = json!({ "rules": "dimension x {}" }).to_string().into_bytes();
    let (status, _) =
        send(&app, "POST", "/api/save", &[("host", HOST), ("content-type", "application/json")], save);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(std::fs::read_to_string(dir.path().join("rules.seg")).unwrap(), RULES, "nothing written");
    // The token in the query, as the page's event stream sends it; `localhost` is this host.
    let (status, _) =
        send(&app, "GET", &format!("/api/rules?token={TOKEN}"), &[("host", "localhost:8080")], vec![]);
    assert_eq!(status, StatusCode::OK);
    // The page itself needs no token, and fetches nothing from elsewhere.
    let (status, page) = send(&app, "GET", "/", &[("host", HOST)], vec![]);
    assert_eq!(status, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(page.contains("<textarea id=\"source\"") && !page.contains("src=\"http"), "{page}");
    // Bodies are limited.
    let huge = json!({ "rules": "#".repeat(tradeseg::server::STUDIO_BODY_LIMIT) }).to_string().into_bytes();
    let headers = [("host", HOST), ("x-tradeseg-token", TOKEN), ("content-type", "application/json")];
    let (status, _) = send(&app, "POST", "/api/evaluate", &headers, huge);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// `serve`'s route, over a ruleset file that is edited while it serves.
#[test]
fn segmenting_records_uses_the_saved_ruleset_and_follows_its_edits() {
    let dir = folder(&[("rules.seg", RULES.as_bytes())]);
    let rules = dir.path().join("rules.seg");
    let live = tradeseg::reload::Live::watch(&rules, Vec::new(), Box::new(Ok), |_| {}).unwrap();
    let options = tradeseg::RunOptions::new(tradeseg::CompileOptions::new("2026-11-01").unwrap());
    let segmenter = Segmenter { live, options, as_of: None, events: Vec::new() };
    let state = AppState::serve(Arc::new(segmenter));
    let app = tradeseg::server::router(state, Guard::new(addr(), TOKEN.into()));
    let records = json!([
        { "id": "C1", "orders": 2, "identity": "OEM" },
        { "id": "C2", "orders": 0, "inquiries": "3" },
        { "id": "C3" }
    ]);
    let (status, rows) = call(&app, "/api/segment", Some(records.clone()));
    assert_eq!(status, StatusCode::OK, "{rows}");
    assert_eq!(
        rows,
        json!([
            { "id": "C1", "stars": "4-star", "tags": ["oem"] },
            { "id": "C2", "stars": "2-star", "tags": [] },
            { "id": "C3", "stars": "0-star", "tags": [] }
        ])
    );
    let (status, rows) = call(&app, "/api/segment", Some(json!({ "id": "C9", "inquiries": 5 })));
    assert_eq!((status, &rows[0]["stars"]), (StatusCode::OK, &json!("2-star")), "one record alone");
    let (status, answer) = call(&app, "/api/segment?as_of=2026-13-01", Some(records.clone()));
    assert_eq!((status, &answer["code"]), (StatusCode::BAD_REQUEST, &json!("not-a-date")));
    let (status, answer) = call(&app, "/api/segment", Some(json!([1, 2])));
    assert_eq!((status, &answer["code"]), (StatusCode::BAD_REQUEST, &json!("server-unreadable-records")));
    // An edit takes effect; a broken one keeps the last good ruleset in service.
    std::fs::write(&rules, RULES.replace("inquiries >= 2", "inquiries >= 4")).unwrap();
    let moved = || call(&app, "/api/segment", Some(records.clone())).1[1]["stars"] == "0-star";
    assert!(eventually(moved), "the edit was picked up");
    std::fs::write(&rules, "dimension stars { segment \"x\" when orders >>= 1 }").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert_eq!(call(&app, "/api/segment", Some(records)).1[1]["stars"], "0-star");
}

/// True once `check` is, trying for up to ten seconds.
fn eventually(check: impl Fn() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(10) {
        if check() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

/// Rules over event history in the studio: the events held in memory give the counts a run
/// with `--events` gives.
#[test]
fn the_studio_runs_rules_over_events_held_in_memory() {
    let rules_text = std::fs::read_to_string(root().join("rulesets/reorder_history.seg")).unwrap();
    let dir = folder(&[("reorder.seg", rules_text.as_bytes())]);
    let data = std::fs::read_to_string(root().join("examples/data/customers.csv")).unwrap();
    let orders_path = root().join("examples/data/orders.csv");
    let orders = std::fs::read_to_string(&orders_path).unwrap();
    let options = tradeseg::RunOptions::new(tradeseg::CompileOptions::new("2026-11-01").unwrap());
    let mut in_memory = tradeseg::events::EventInput::file("orders", "orders.csv");
    in_memory.source = tradeseg::record::Source::Text(orders);
    let dataset =
        Dataset { bytes: data.as_bytes().into(), options: options.clone(), events: vec![in_memory] };
    let (changes, _) = tokio::sync::broadcast::channel(4);
    let state = AppState::studio(Arc::new(Workspace::new(dir.path().join("reorder.seg"), dataset)), changes);
    let app = tradeseg::server::router(state, Guard::new(addr(), TOKEN.into()));
    let (status, evaluation) = call(&app, "/api/evaluate", Some(json!({ "rules": rules_text })));
    assert_eq!(status, StatusCode::OK, "{evaluation}");

    let checked = tradeseg::Ruleset::from_source("r.seg", &rules_text, ".").unwrap().check().unwrap();
    let events = [tradeseg::events::EventInput::file("orders", orders_path.to_str().unwrap())];
    let mut sink = std::io::sink();
    let extras = tradeseg::run::Extras { events: &events, ..Default::default() };
    let input = Box::new(std::io::Cursor::new(data));
    let report = tradeseg::run::run_with(&checked, extras, input, &mut sink, &options, None).unwrap();
    let by_run: Vec<(String, String, u64)> = report
        .dimensions
        .iter()
        .flat_map(|d| d.segments.iter().map(move |(s, n)| (d.name.clone(), s.clone(), *n)))
        .filter(|(_, _, n)| *n > 0)
        .collect();
    let mut mine = evaluated_counts(&evaluation);
    let mut runs = by_run;
    mine.sort();
    runs.sort();
    assert_eq!(mine, runs);
    assert!(mine.iter().any(|(_, s, _)| s == "high-frequency"), "{mine:?}");
    let tags: u64 = evaluation["tags"].as_array().unwrap().iter().map(|t| t["count"].as_u64().unwrap()).sum();
    assert!(tags > 0, "the history's tags are counted");
}
