//! Regression tests for what users lost or saw leak: each test names the case it guards
//! and runs the real binary on real files, as the user did.

mod common;

use common::{folder, tradeseg_in};
use std::path::Path;

const RULES: &str = r#"
dimension stars {
    segment "4-star" when orders >= 1
    segment "2-star" when inquiries >= 2
    otherwise "0-star"
}
segment "oem" when identity == "OEM"
"#;

const DATA: &str = "id,orders,inquiries,identity\nC1,2,0,OEM\nC2,0,3,retailer\nC3,,1,\n";

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn an_output_that_is_an_input_is_refused_before_anything_is_read() {
    let script = "task(#{ title: \"x\" });";
    let rules = format!("{RULES}\ninclude \"more.seg\"\nsegment \"big\" when orders >= 2 then \"a.rhai\"\n");
    let dir = folder(&[
        ("r.seg", rules.as_bytes()),
        ("more.seg", b"segment \"small\" when orders == 0\n"),
        ("a.rhai", script.as_bytes()),
        ("c.csv", DATA.as_bytes()),
        ("o.csv", b"id,date\nC1,2026-01-01\n"),
    ]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("c.csv"), dir.path().join("link.csv")).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["-o", "c.csv"], "the data"),
        (&["-o", "./c.csv"], "the data"),
        (&["--plan", "c.csv"], "the data"),
        (&["-o", "x.csv", "--plan", "x.csv"], "are the same file"),
        (&["-o", "r.seg"], "the ruleset"),
        (&["-o", "more.seg"], "the included ruleset"),
        (&["--plan", "a.rhai"], "the action script"),
        (&["--events", "orders=o.csv", "-o", "o.csv"], "the events file of `orders`"),
        #[cfg(unix)]
        (&["-o", "link.csv"], "the data"),
    ];
    for (extra, named) in cases {
        let mut args = vec!["run", "r.seg", "c.csv"];
        args.extend_from_slice(extra);
        let ran = tradeseg_in(dir.path(), &args, b"");
        assert_eq!(ran.code, 2, "{args:?}: {}", ran.stderr);
        assert!(ran.stderr.contains(named), "{args:?}: {}", ran.stderr);
        assert_eq!(read(&dir.path().join("c.csv")), DATA, "{args:?}");
        assert!(!dir.path().join("x.csv").exists());
        assert_eq!(read(&dir.path().join("a.rhai")), script);
    }
    let ran = tradeseg_in(dir.path(), &["watch", "r.seg", "c.csv", "--output", "c.csv"], b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("the data"), "{}", ran.stderr);
    assert_eq!(read(&dir.path().join("c.csv")), DATA);
}

#[cfg(unix)]
#[test]
fn a_dangling_link_given_to_output_has_its_target_written() {
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("c.csv", DATA.as_bytes())]);
    std::os::unix::fs::symlink("results/out.csv", dir.path().join("link.csv")).unwrap();
    std::fs::create_dir(dir.path().join("results")).unwrap();
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "-q", "-o", "link.csv"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let link = std::fs::symlink_metadata(dir.path().join("link.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    assert!(read(&dir.path().join("results/out.csv")).starts_with("id,stars,tags\n"));
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_temporary_file() {
    use std::process::{Command, Stdio};
    let dir = folder(&[("r.seg", RULES.as_bytes())]);
    for signal in ["INT", "TERM", "HUP"] {
        // Data from a pipe that stays open: the run waits for more, its output half made
        // (past the first megabyte, which it reads before starting).
        let mut child = Command::new(env!("CARGO_BIN_EXE_tradeseg"))
            .args(["run", "r.seg", "-", "-q", "-o", "out.csv"])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let rows = "C9,1,2,OEM\n".repeat(150_000);
        std::io::Write::write_all(&mut stdin, format!("{DATA}{rows}").as_bytes()).unwrap();
        let temporary = || {
            std::fs::read_dir(dir.path())
                .unwrap()
                .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".tmp"))
                .count()
        };
        let started = std::time::Instant::now();
        while temporary() == 0 && started.elapsed().as_secs() < 20 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(temporary(), 1, "the run made its temporary file");
        let killed = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
        assert!(killed.unwrap().success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{signal}");
        assert_eq!(temporary(), 0, "{signal} left a temporary file");
        assert!(!dir.path().join("out.csv").exists());
        drop(stdin);
    }
}
