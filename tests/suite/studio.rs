//! `tradeseg studio` and `tradeseg serve` as the real binary, on a real socket: the studio
//! driven in Debian's Chromium by Playwright (tests/browser/studio.mjs) and compared with
//! `tradeseg run`, and `serve` answering many clients at once.

use crate::common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

#[path = "../../benches/support/load_client.rs"]
#[allow(dead_code)]
mod load_client;

/// A server the test started; stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `tradeseg ARGS --port 0` and waits for the URL it prints.
    fn start(args: &[&str]) -> Server {
        Server::start_in(args, "en")
    }

    /// [`Server::start`] speaking `lang`.
    fn start_in(args: &[&str], lang: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tradeseg"))
            .args(args)
            .args(["--port", "0", "--lang", lang])
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stderr = child.stderr.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("http://") {
                    let url = line[at..].split_whitespace().next().unwrap_or_default().to_string();
                    let _ = tx.send(url);
                }
            }
        });
        let url = rx.recv_timeout(std::time::Duration::from_secs(60)).expect("the server prints its URL");
        Server { child, url }
    }

    fn addr(&self) -> std::net::SocketAddr {
        let rest = self.url.strip_prefix("http://").unwrap();
        rest.split('/').next().unwrap().parse().unwrap()
    }

    fn token(&self) -> &str {
        self.url.split("token=").nth(1).unwrap()
    }
}

/// `tradeseg run`'s results over the bundled customers: per customer its stars.
fn stars_by_run(rules: &Path) -> Vec<(String, String)> {
    let rules = rules.display().to_string();
    let ran = tradeseg(&["run", &rules, "examples/data/customers.csv", "--as-of", "2026-11-01", "-q"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let mut lines = ran.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|c| *c == "stars").unwrap();
    lines.map(|l| l.split(',').collect::<Vec<_>>()).map(|c| (c[0].to_string(), c[at].to_string())).collect()
}

/// Counts per stars segment, in the page's form.
fn counted(results: &[(String, String)]) -> HashMap<String, u64> {
    let mut counts = HashMap::new();
    for (_, segment) in results {
        *counts.entry(segment.clone()).or_default() += 1;
    }
    counts
}

fn page_counts(seen: &Value) -> HashMap<String, u64> {
    seen.as_array()
        .unwrap()
        .iter()
        .filter(|row| row[0] == "stars")
        .map(|row| (row[1].as_str().unwrap().to_string(), row[2].as_u64().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The browser and Playwright, if both are here.
fn browser() -> Option<()> {
    let chromium = std::env::var_os("TRADESEG_CHROMIUM")
        .map(std::path::PathBuf::from)
        .unwrap_or("/usr/bin/chromium".into());
    let playwright = root().join("tests/browser/node_modules/playwright-core");
    (chromium.is_file() && playwright.is_dir()).then_some(())
}

/// The rule author's day in the studio, in a real browser: the page opens with the run's
/// counts; an edit typed into the editor shows the new counts and who would move, equal to
/// `tradeseg run` with the edit; a typo is marked where it is; the customers of a move and
/// one customer's explanation open; Ctrl+S saves; an edit made on disk shows up. The page
/// logs no errors. Screenshots: target/screenshots/studio*.png.
#[test]
fn the_studio_works_in_a_real_browser() {
    if browser().is_none() {
        assert!(
            std::env::var_os("TRADESEG_REQUIRE_BROWSER").is_none(),
            "no Chromium or Playwright for the studio"
        );
        eprintln!("SKIPPED the_studio_works_in_a_real_browser: needs /usr/bin/chromium and `npm ci --prefix tests/browser`");
        return;
    }
    let dir = folder(&[]);
    let rules = dir.path().join("purchase_stage.seg");
    std::fs::copy(root().join("rulesets/purchase_stage.seg"), &rules).unwrap();
    std::fs::create_dir(dir.path().join("actions")).unwrap();
    for script in std::fs::read_dir(root().join("rulesets/actions")).unwrap().flatten() {
        std::fs::copy(script.path(), dir.path().join("actions").join(script.file_name())).unwrap();
    }
    let original = std::fs::read_to_string(&rules).unwrap();
    let expect = |from: &str, to: &str| {
        let path = dir.path().join(format!("expected-{to}.seg"));
        std::fs::write(&path, original.replace(from, to)).unwrap();
        let results = stars_by_run(&path);
        std::fs::remove_file(&path).unwrap();
        results
    };
    let before = stars_by_run(&rules);
    let after = expect("inquiries >= 2", "inquiries >= 3");
    let external = expect("inquiries >= 2", "inquiries >= 4");

    let rules_arg = rules.display().to_string();
    let server =
        Server::start(&["studio", &rules_arg, "examples/data/customers.csv", "--as-of", "2026-11-01"]);
    let shots = root().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let driven = Command::new("node")
        .arg(root().join("tests/browser/studio.mjs"))
        .args([server.url.as_str(), &rules_arg, shots.to_str().unwrap()])
        .output()
        .expect("node runs");
    let out = String::from_utf8_lossy(&driven.stdout);
    assert!(driven.status.success(), "{out}\n{}", String::from_utf8_lossy(&driven.stderr));
    let seen: Value = serde_json::from_str(out.trim()).unwrap();
    eprintln!("studio: keystroke to new counts {:?} ms (300 customers)", seen["latencies"]);

    assert_eq!(seen["console"], serde_json::json!([]), "the page logs no errors");
    assert_eq!(page_counts(&seen["counts"]["before"]), counted(&before), "the run's counts on opening");
    assert_eq!(
        page_counts(&seen["counts"]["after"]),
        counted(&after),
        "the run's counts with the edit typed"
    );
    assert_eq!(page_counts(&seen["counts"]["fixed"]), counted(&after), "the typo undone");
    assert_eq!(seen["unsaved"], "unsaved changes");
    assert!(seen["problem"].as_str().unwrap().contains(":18:"), "{}", seen["problem"]);
    assert!(
        seen["marked"].as_str().unwrap().starts_with("and"),
        "the typo is underlined: {}",
        seen["marked"]
    );

    // The moves are the difference between the two runs.
    let mut moves: HashMap<(String, String), Vec<String>> = HashMap::new();
    for ((id, from), (_, to)) in before.iter().zip(&after) {
        if from != to {
            moves.entry((from.clone(), to.clone())).or_default().push(id.clone());
        }
    }
    let shown: HashMap<(String, String), u64> = seen["moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                (m["from"].as_str().unwrap().into(), m["to"].as_str().unwrap().into()),
                m["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: HashMap<(String, String), u64> =
        moves.iter().map(|(k, v)| (k.clone(), v.len() as u64)).collect();
    assert!(!expected.is_empty());
    assert_eq!(shown, expected);
    let first = &seen["moves"][0];
    let key = (first["from"].as_str().unwrap().to_string(), first["to"].as_str().unwrap().to_string());
    let listed: Vec<String> = serde_json::from_value(seen["listed"].clone()).unwrap();
    assert_eq!(listed, moves[&key], "a move's customers");
    assert_eq!(seen["trace"], format!("Why {} is where it is", listed[0]));
    assert!(seen["traceText"].as_str().unwrap().contains("inquiries >= 3 and detailed_questions"));

    assert_eq!(seen["saved"], "saved");
    // The edit on disk (made by the script after saving) shows up with its counts.
    assert_eq!(page_counts(&seen["counts"]["external"]), counted(&external));
    assert_eq!(
        std::fs::read_to_string(&rules).unwrap(),
        original.replace("inquiries >= 2", "inquiries >= 4")
    );
    for shot in ["studio.png", "studio-moves.png", "studio-explain.png", "studio-reloaded.png"] {
        assert!(std::fs::metadata(shots.join(shot)).unwrap().len() > 10_000, "{shot}");
    }
}

/// The studio in Chinese, on the whole monthly grouping (nine dimensions, a cross-tab of
/// the first two): every word of the page in Chinese, no console errors.
/// Screenshot: target/screenshots/studio-zh.png.
#[test]
fn the_studio_speaks_chinese_and_cross_tabulates() {
    if browser().is_none() {
        assert!(
            std::env::var_os("TRADESEG_REQUIRE_BROWSER").is_none(),
            "no Chromium or Playwright for the studio"
        );
        eprintln!("SKIPPED the_studio_speaks_chinese_and_cross_tabulates: needs Chromium and Playwright");
        return;
    }
    let dir = folder(&[]);
    for entry in std::fs::read_dir(root().join("rulesets")).unwrap().flatten() {
        let to = dir.path().join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir(&to).unwrap();
            for file in std::fs::read_dir(entry.path()).unwrap().flatten() {
                std::fs::copy(file.path(), to.join(file.file_name())).unwrap();
            }
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let rules = dir.path().join("export_sales.seg").display().to_string();
    let server =
        Server::start_in(&["studio", &rules, "examples/data/customers.csv", "--as-of", "2026-11-01"], "zh");
    let shot = root().join("target/screenshots/studio-zh.png");
    std::fs::create_dir_all(shot.parent().unwrap()).unwrap();
    let driven = Command::new("node")
        .arg(root().join("tests/browser/shot.mjs"))
        .args([server.url.as_str(), shot.to_str().unwrap(), "1400"])
        .output()
        .expect("node runs");
    let out = String::from_utf8_lossy(&driven.stdout);
    assert!(driven.status.success(), "{out}\n{}", String::from_utf8_lossy(&driven.stderr));
    let seen: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(seen["console"], serde_json::json!([]));
    assert_eq!(seen["lang"], "zh");
    assert_eq!(seen["save"], "保存");
    let headings: Vec<String> = serde_json::from_value(seen["headings"].clone()).unwrap();
    assert_eq!(headings[0], "tradeseg 工作台");
    assert!(headings.iter().any(|h| h == "交叉表") && headings.iter().any(|h| h == "标签"), "{headings:?}");
    assert!(seen["crosstabCells"].as_u64().unwrap() >= 4, "stars × value drawn");
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);
}

/// `serve` answers fifty clients at once, every request right.
#[test]
fn serve_answers_many_clients_at_once() {
    let server = Server::start(&["serve", "rulesets/purchase_stage.seg", "--as-of", "2026-11-01"]);
    let load = load_client::run(server.addr(), "/api/segment", server.token(), 50, 2_000, |n| {
        format!(r#"[{{"id": "C{n}", "orders": 0, "inquiries": {}, "detailed_questions": true}}]"#, n % 4)
    });
    assert_eq!(load.errors, 0);
    assert_eq!(load.latencies.len(), 2_000);
    assert!(load.samples.iter().all(|s| s.contains(r#""stars":"#)), "{:?}", &load.samples[..2]);
    // A request without the token, or for another host, is refused.
    let refused = load_client::run(server.addr(), "/api/segment", "wrong", 1, 1, |_| "[]".into());
    assert_eq!(refused.errors, 1);
}

/// Bad input to the servers and to `sql` gets a clear error and an exit status, never a
/// server half started: data that cannot be opened, a ruleset with errors for `serve`, a
/// port already taken, a malformed `--events`.
#[test]
fn bad_input_to_the_servers_and_sql_is_refused_clearly() {
    let dir =
        folder(&[("rules.seg", RULES.as_bytes()), ("broken.seg", b"dimension d { segment \"x\" when }")]);
    let rules = dir.path().join("rules.seg").display().to_string();
    let ran = tradeseg(&["studio", &rules, "no-such-export.csv", "--port", "0"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("no-such-export.csv"), "{}", ran.stderr);
    let broken = dir.path().join("broken.seg").display().to_string();
    let ran = tradeseg(&["serve", &broken, "--port", "0"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("broken.seg:1:"), "{}", ran.stderr);
    let ran = tradeseg(&["sql", &rules, "--dialect", "duckdb", "--table", "t", "--events", "orders"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("orders"), "{}", ran.stderr);
    // A port another server holds.
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port().to_string();
    let ran = tradeseg(&["serve", &rules, "--port", &port]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")), "{}", ran.stderr);
}
