//! `tradeseg watch` as a user runs it: real files edited on disk, the report read from its
//! output as it comes, each step awaited with a generous timeout rather than a sleep.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

struct Watching {
    child: Child,
    lines: Receiver<String>,
    seen: String,
}

impl Watching {
    fn start(dir: &std::path::Path, args: &[&str]) -> Watching {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tradeseg"))
            .arg("watch")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("watch starts");
        // Both streams, line by line, into one channel.
        let (tx, lines) = channel();
        let stdout: Box<dyn std::io::Read + Send> = Box::new(child.stdout.take().expect("piped"));
        let stderr: Box<dyn std::io::Read + Send> = Box::new(child.stderr.take().expect("piped"));
        for stream in [stdout, stderr] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Watching { child, lines, seen: String::new() }
    }

    /// Reads output until a line contains `text`; returns everything read meanwhile.
    fn until(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut read = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no `{text}` in:\n{}{read}", self.seen));
            read.push_str(&line);
            read.push('\n');
            if line.contains(text) {
                self.seen.push_str(&read);
                return read;
            }
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The rules most tests here start from: one dimension over `orders`.
const RULES: &str =
    "dimension stars {\n    segment \"4-star\" when orders >= 1\n    otherwise \"0-star\"\n}\n";

/// `watch r.seg d.csv -o out.csv` over [`RULES`] and `data`, past its first evaluation.
fn watching(data: &[u8]) -> (tempfile::TempDir, Watching) {
    let dir = crate::common::folder(&[("r.seg", RULES.as_bytes()), ("d.csv", data)]);
    let mut watch =
        Watching::start(dir.path(), &["r.seg", "d.csv", "--as-of", "2026-11-01", "-o", "out.csv"]);
    watch.until("watching r.seg and d.csv");
    (dir, watch)
}

#[test]
fn watch_reports_moves_keeps_the_last_good_rules_and_rewrites_the_output() {
    let rules = RULES;
    let (dir, mut watch) = watching(b"id,orders\nC1,1\nC2,2\nC3,0\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "id,stars\nC1,4-star\nC2,4-star\nC3,0-star\n"
    );

    std::fs::write(dir.path().join("r.seg"), rules.replace(">= 1", ">= 2")).unwrap();
    let report = watch.until("→");
    assert!(report.contains("the rules changed"), "{report}");
    assert!(report.contains("stars: \"4-star\" → \"0-star\": 1 customer (C1)"), "{report}");
    // The counts come first; the file is written after them, and the watcher says so.
    watch.until("results written to out.csv");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "id,stars\nC1,0-star\nC2,4-star\nC3,0-star\n"
    );

    std::fs::write(dir.path().join("r.seg"), "dimension stars { segment \"4-star\" when orders >= }")
        .unwrap();
    watch.until("still using the previous rules");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "id,stars\nC1,0-star\nC2,4-star\nC3,0-star\n"
    );

    // An editor saving by writing a new file and renaming it over the old one.
    std::fs::write(dir.path().join("r.seg.tmp"), rules).unwrap();
    std::fs::rename(dir.path().join("r.seg.tmp"), dir.path().join("r.seg")).unwrap();
    let report = watch.until("→");
    assert!(report.contains("stars: \"0-star\" → \"4-star\": 1 customer (C1)"), "{report}");

    std::fs::write(dir.path().join("d.csv"), "id,orders\nC1,1\nC2,0\nC3,0\n").unwrap();
    let report = watch.until("→");
    assert!(report.contains("the data changed"), "{report}");
    assert!(report.contains("stars: \"4-star\" → \"0-star\": 1 customer (C2)"), "{report}");
}

#[test]
fn an_edit_naming_a_missing_column_is_refused_and_later_data_uses_the_rules_in_use() {
    let rules = RULES;
    let (dir, mut watch) = watching(b"id,orders\nC1,1\nC2,0\n");
    std::fs::write(dir.path().join("r.seg"), rules.replace("orders >= 1", "ordrs >= 1")).unwrap();
    watch.until("still using the previous rules");
    // The data changes: the rules in use (orders >= 1) give its results.
    std::fs::write(dir.path().join("d.csv"), "id,orders\nC1,0\nC2,3\n").unwrap();
    let report = watch.until("→");
    assert!(report.contains("the data changed"), "{report}");
    assert!(report.contains("\"4-star\" → \"0-star\": 1 customer (C1)"), "{report}");
    watch.until("results written to out.csv");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "id,stars\nC1,0-star\nC2,4-star\n"
    );
}

#[test]
fn watch_records_each_evaluation_in_the_history_and_rules_read_it() {
    let rules = RULES;
    let dir =
        crate::common::folder(&[("r.seg", rules.as_bytes()), ("d.csv", b"id,orders\nC1,1\nC2,2\nC3,0\n")]);
    let ran = crate::common::tradeseg_in(
        dir.path(),
        &["run", "r.seg", "d.csv", "--as-of", "2026-10-01", "-q", "--history", "h.db"],
        b"",
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    // A rule that reads the history is refused without one...
    let moved =
        format!("{rules}segment \"new buyer\" when stars == \"4-star\" and previous(stars) == \"0-star\"\n");
    std::fs::write(dir.path().join("m.seg"), &moved).unwrap();
    let refused = crate::common::tradeseg_in(dir.path(), &["watch", "m.seg", "d.csv"], b"");
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("reads the membership history"), "{}", refused.stderr);
    // ...and with it, every evaluation is recorded as of the run's date, each replacing
    // the one before, and `previous(stars)` reads October.
    std::fs::write(dir.path().join("d.csv"), "id,orders\nC1,1\nC2,2\nC3,4\n").unwrap();
    let mut watch = Watching::start(
        dir.path(),
        &["m.seg", "d.csv", "--as-of", "2026-11-01", "-o", "out.csv", "--history", "h.db"],
    );
    watch.until("watching m.seg and d.csv");
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(out.contains("C3,4-star,new buyer"), "{out}");
    assert!(out.contains("C1,4-star,\n"), "{out}");
    std::fs::write(dir.path().join("d.csv"), "id,orders\nC1,0\nC2,2\nC3,4\n").unwrap();
    watch.until("the data changed");
    drop(watch);
    let runs = crate::common::tradeseg_in(dir.path(), &["history", "h.db", "--runs", "--format", "csv"], b"");
    let dates: Vec<&str> = runs.stdout.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(dates, ["2026-10-01", "2026-11-01"], "{}", runs.stdout);
    let c1 = crate::common::tradeseg_in(
        dir.path(),
        &["history", "h.db", "--customer", "C1", "--format", "csv"],
        b"",
    );
    assert!(
        c1.stdout.contains("dimension,stars,0-star,2026-11-01,"),
        "the last evaluation counts: {}",
        c1.stdout
    );
}

#[test]
fn an_output_that_cannot_be_written_is_reported_and_watching_goes_on() {
    let rules = RULES;
    let (dir, mut watch) = watching(b"id,orders\nC1,1\nC2,0\n");
    // Something that is not a file takes the output's place: the next evaluation's counts
    // come, then the error; the watcher keeps going.
    std::fs::remove_file(dir.path().join("out.csv")).unwrap();
    std::fs::create_dir(dir.path().join("out.csv")).unwrap();
    std::fs::write(dir.path().join("r.seg"), rules.replace(">= 1", ">= 2")).unwrap();
    // (The error is on standard error, the counts on standard output: either may be read
    // first.)
    let moved = "\"4-star\" → \"0-star\": 1 customer (C1)";
    if !watch.until("cannot write `out.csv`").contains(moved) {
        watch.until(moved);
    }
    std::fs::remove_dir(dir.path().join("out.csv")).unwrap();
    std::fs::write(dir.path().join("r.seg"), rules).unwrap();
    watch.until("\"0-star\" → \"4-star\": 1 customer (C1)");
    watch.until("results written to out.csv");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "id,stars\nC1,4-star\nC2,0-star\n"
    );
}
