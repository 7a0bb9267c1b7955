//! Regression tests for what users lost or saw leak: each test names the case it guards
//! and runs the real binary on real files, as the user did.

use crate::common::{folder, tradeseg_in, DATA, RULES};
use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn an_output_that_is_an_input_is_refused_before_anything_is_read() {
    let script = "task(#{ title: \"x\" });";
    let rules = format!(
        "{RULES}\nevents orders\ninclude \"more.seg\"\nsegment \"big\" when orders >= 2 then \"a.rhai\"\n"
    );
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

#[test]
fn numeric_options_are_range_checked() {
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("c.csv", DATA.as_bytes())]);
    for threads in ["9223372036854775807", "100000000", "1025", "x", "1.5"] {
        let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "--threads", threads], b"");
        assert_eq!(ran.code, 2, "{threads}: {}", ran.stderr);
        assert!(ran.stderr.contains("from 1 to 1024"), "{}", ran.stderr);
    }
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "-q", "--threads", "1024"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
}

#[test]
fn a_time_of_day_that_is_not_one_makes_no_date() {
    let rules = "segment \"recent\" when days_since(last_contact) <= 30\n";
    let data = "id,last_contact\nC1,2023-10-15T25:00:00Z\nC2,2023-10-15T08:00:00Z\nC3,2023-02-30\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("c.csv", data.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "--as-of", "2023-10-20"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,tags\nC1,\nC2,recent\nC3,\n");
    assert!(ran.stderr.contains("`2023-10-15T25:00:00Z` is not a date"), "{}", ran.stderr);
    assert!(ran.stderr.contains("`2023-02-30` is not a date"), "{}", ran.stderr);
}

#[test]
fn events_given_twice_or_not_declared_are_errors() {
    let rules = "events orders\nsegment \"buyer\" when count(orders) >= 1\n";
    let orders = "customer_id,date\nC1,2026-01-01\n";
    let dir =
        folder(&[("r.seg", rules.as_bytes()), ("c.csv", DATA.as_bytes()), ("o.csv", orders.as_bytes())]);
    let twice = ["run", "r.seg", "c.csv", "--events", "orders=o.csv", "--events", "orders=o.csv"];
    let ran = tradeseg_in(dir.path(), &twice, b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("`--events orders=…` is given twice"), "{}", ran.stderr);
    let ran = tradeseg_in(
        dir.path(),
        &["run", "r.seg", "c.csv", "--events", "order=o.csv", "--events", "orders=o.csv"],
        b"",
    );
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("`--events order=…` names no event stream"), "{}", ran.stderr);
    assert!(ran.stderr.contains("did you mean `orders`?"), "{}", ran.stderr);
    let ran = tradeseg_in(dir.path(), &["check", "r.seg", "--events", "shipments=o.csv"], b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
}

#[test]
fn a_time_window_beyond_the_calendar_is_an_error_at_check() {
    for window in ["2147483648 days", "4294967296 days", "3652426 days", "10001 years", "120001 months"] {
        let rules = format!("events orders\nsegment \"buyer\" when count(orders in last {window}) >= 1\n");
        let dir = folder(&[("r.seg", rules.as_bytes())]);
        let ran = tradeseg_in(dir.path(), &["check", "r.seg"], b"");
        assert_eq!(ran.code, 2, "{window}: {}", ran.stderr);
        assert!(ran.stderr.contains("reaches beyond the calendar"), "{window}: {}", ran.stderr);
    }
    let rules = "events orders\nsegment \"buyer\" when count(orders in last 3652425 days) >= 1\n";
    let orders = "customer_id,date\nC1,0100-01-01\n";
    let dir =
        folder(&[("r.seg", rules.as_bytes()), ("c.csv", DATA.as_bytes()), ("o.csv", orders.as_bytes())]);
    let args = ["run", "r.seg", "c.csv", "-q", "--events", "orders=o.csv", "--as-of", "2026-01-01"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,tags\nC1,buyer\nC2,\nC3,\n");
}

#[test]
fn json_numbers_are_read_exactly() {
    let rules = r#"
dimension size {
    segment "above" when amount > 12345678901234567
    segment "tiny" when amount > 0 and amount < 0.000001
    otherwise "other"
}
segment "huge" when amount >= 123456789012345678901234
"#;
    let data = "{\"id\":\"a\",\"amount\":12345678901234567.5}\n{\"id\":\"b\",\"amount\":1e-7}\n\
                {\"id\":\"c\",\"amount\":123456789012345678901234}\n{\"id\":\"d\",\"amount\":12345678901234567}\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("c.ndjson", data.as_bytes())]);
    let expected = "id,size,tags\na,above,\nb,tiny,\nc,above,huge\nd,other,\n";
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.ndjson"], b"");
    assert_eq!((ran.code, ran.stdout.as_str()), (0, expected), "{}", ran.stderr);
    assert!(!ran.stderr.contains("error"), "{}", ran.stderr);
    // Read whole (as scripts and --keep-columns need), the numbers are the same and are
    // written back as they came.
    let ran = tradeseg_in(
        dir.path(),
        &["run", "r.seg", "c.ndjson", "-q", "--keep-columns", "--format", "ndjson"],
        b"",
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("\"amount\":12345678901234567.5,\"id\":\"a\",\"size\":\"above\""));
    assert!(ran.stdout.contains("\"amount\":1e-7,\"id\":\"b\",\"size\":\"tiny\""), "{}", ran.stdout);
    let ran = tradeseg_in(dir.path(), &["explain", "r.seg", "c.ndjson", "--customer", "b"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("tiny"), "{}", ran.stdout);
}

#[test]
fn a_stray_byte_in_a_utf8_file_garbles_nothing_else() {
    let rules = "segment \"cn\" when city == \"深圳\"\n";
    let mut data = b"id,city\nC1,\xe6\xb7\xb1\xe5\x9c\xb3\nC2,Caf\xe9\n".to_vec();
    data.extend_from_slice("C3,深圳\nC4,上海\n".as_bytes());
    let dir = folder(&[("r.seg", rules.as_bytes()), ("c.csv", &data)]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,tags\nC1,cn\nC2,\nC3,cn\nC4,\n");
    assert!(ran.stderr.contains("line 3, column `city`"), "{}", ran.stderr);
    assert!(ran.stderr.contains("is not valid text"), "{}", ran.stderr);
}

#[test]
fn kept_columns_never_clash_with_result_columns() {
    let rules =
        "dimension source {\n    segment \"fair\" when source == \"fair\"\n    otherwise \"other\"\n}\n";
    let data = "id,source\nC1,fair\nC2,web\n";
    let ndjson = "{\"id\":\"C1\",\"source\":\"fair\"}\n";
    let dir =
        folder(&[("r.seg", rules.as_bytes()), ("c.csv", data.as_bytes()), ("c.ndjson", ndjson.as_bytes())]);
    for (input, format) in
        [("c.csv", "csv"), ("c.csv", "ndjson"), ("c.ndjson", "ndjson"), ("c.ndjson", "json")]
    {
        let args = ["run", "r.seg", input, "--keep-columns", "--format", format, "-o", "out"];
        let ran = tradeseg_in(dir.path(), &args, b"");
        assert_eq!(ran.code, 2, "{input}: {}", ran.stderr);
        assert!(ran.stderr.contains("two columns named `source`"), "{}", ran.stderr);
        assert!(ran.stderr.contains("--prefix seg_"), "{}", ran.stderr);
        assert!(!dir.path().join("out").exists());
    }
    let ran =
        tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "-q", "--keep-columns", "--prefix", "seg_"], b"");
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "id,source,seg_source\nC1,fair,fair\nC2,web,other\n"));
    let args = ["run", "r.seg", "c.ndjson", "-q", "--keep-columns", "--prefix", "seg_", "--format", "ndjson"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.stdout, "{\"id\":\"C1\",\"source\":\"fair\",\"seg_source\":\"fair\"}\n");
    // A dimension named like the id clashes even without --keep-columns.
    let rules = "dimension id {\n    otherwise \"x\"\n}\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("c.csv", data.as_bytes())]);
    assert_eq!(tradeseg_in(dir.path(), &["run", "r.seg", "c.csv"], b"").code, 2);
}

#[test]
fn a_header_that_repeats_a_name_is_an_error_when_a_rule_reads_it() {
    let rules = "segment \"big\" when orders >= 2\n";
    let dir = folder(&[
        ("r.seg", rules.as_bytes()),
        ("read.csv", b"id,orders,orders\nC1,1,3\n"),
        ("unread.csv", b"id,orders,note,note\nC1,3,a,b\n"),
        ("id.csv", b"id,orders,id\nC1,3,C2\n"),
    ]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "read.csv"], b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("the column `orders` 2 times (columns 2, 3)"), "{}", ran.stderr);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "id.csv"], b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "unread.csv"], b"");
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "id,tags\nC1,big\n"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("warning: the data's header has the column `note` 2 times"),
        "{}",
        ran.stderr
    );
}

#[test]
fn empty_ids_are_data_errors_blank_rows_are_skipped_and_repeats_are_warned_of() {
    let data =
        "id,orders,inquiries,identity\nC1,2,0,OEM\n,0,3,retailer\n,,,\nC1,0,1,\n , , , \nC2,1,0,\nC2,0,0,\n";
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("c.csv", data.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "--as-of", "2026-11-01"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,stars,tags\nC1,4-star,oem\n,2-star,\nC1,0-star,\nC2,4-star,\nC2,0-star,\n");
    assert!(ran.stderr.contains("line 3, column `id`: the id is empty"), "{}", ran.stderr);
    assert!(ran.stderr.contains("warning: 2 customers have an id another customer has too (`C1`, `C2`)"));
    assert!(ran.stderr.contains("5 customers, as of"), "{}", ran.stderr);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "--strict", "-o", "out.csv"], b"");
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("2 repeated ids"), "{}", ran.stderr);
    assert!(!dir.path().join("out.csv").exists());
    let ran = tradeseg_in(dir.path(), &["check", "r.seg", "--data", "c.csv"], b"");
    assert!(ran.stderr.contains("2 customers have an id another customer has too"), "{}", ran.stderr);
    // Only repeats: strict fails on them alone.
    let dir =
        folder(&[("r.seg", RULES.as_bytes()), ("c.csv", b"id,orders,inquiries,identity\nC1,1,,\nC1,2,,\n")]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "--strict", "-q"], b"");
    assert_eq!(ran.code, 3, "{}", ran.stderr);
}

#[test]
fn broken_json_records_are_counted_as_errors_not_customers() {
    let data = "{\"id\":\"a\",\"orders\":1}\n{\"id\":\"b\",\n{\"id\":\"c\",\"orders\":0}\n[1]\n";
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("c.ndjson", data.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.ndjson", "--as-of", "2026-11-01"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,stars,tags\na,4-star,\nc,0-star,\n");
    assert!(ran.stderr.contains("2 customers, as of"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("2 records could not be read at all and have no output row"),
        "{}",
        ran.stderr
    );
    let array = "[{\"id\":\"a\",\"orders\":1}, {\"id\":}, 5, {\"orders\":2}]";
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("c.json", array.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.json", "--as-of", "2026-11-01"], b"");
    assert_eq!(ran.stdout, "id,stars,tags\na,4-star,\n,4-star,\n", "{}", ran.stderr);
    assert!(ran.stderr.contains("2 customers, as of"), "{}", ran.stderr);
    assert!(ran.stderr.contains("record 4, column `id`: the id is empty"), "{}", ran.stderr);
    // One of each is said in the singular.
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("c.ndjson", b"{\"id\":\"a\",\"orders\":1}\n[1]\n")]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.ndjson", "--as-of", "2026-11-01"], b"");
    for said in
        ["(1 whole row)", "1 record could not be read at all and has no output row", "1 customer, as of"]
    {
        assert!(ran.stderr.contains(said), "{said}: {}", ran.stderr);
    }
}

#[test]
fn explain_says_when_an_id_is_not_unique() {
    let data = "id,orders,inquiries,identity\nC1,2,0,OEM\nC2,0,3,\nC1,0,1,\n";
    let ndjson = "{\"id\":\"C1\",\"orders\":2}\n{\"id\":\"C1\",\"orders\":0}\n";
    let dir =
        folder(&[("r.seg", RULES.as_bytes()), ("c.csv", data.as_bytes()), ("c.ndjson", ndjson.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["explain", "r.seg", "c.csv", "--customer", "C1"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("customer C1 (line 2)"), "{}", ran.stdout);
    assert!(ran.stdout.contains("the id is not unique: 1 more record has it (line 4)"), "{}", ran.stdout);
    let ran = tradeseg_in(
        dir.path(),
        &["explain", "r.seg", "c.ndjson", "--customer", "C1", "--format", "json"],
        b"",
    );
    assert!(ran.stdout.contains("\"also_at\": [\n    \"record 2\"\n  ]"), "{}", ran.stdout);
    let ran = tradeseg_in(dir.path(), &["explain", "r.seg", "c.csv", "--customer", "C2"], b"");
    assert!(!ran.stdout.contains("not unique"), "{}", ran.stdout);
}

#[test]
fn what_one_script_call_produces_is_capped_in_all() {
    let big = "let s = \"x\"; while s.len() < 50000 { s += s; }\n";
    let scripts: [(&str, String); 4] = [
        ("set.rhai", format!("{big}for i in 0..20000 {{ set(\"f\", s); }}")),
        ("task.rhai", format!("{big}for i in 0..100000 {{ task(#{{ title: s }}); }}")),
        (
            "render.rhai",
            format!(
                "{big}let t = \"{{{{a}}}}\"; while t.len() < 50000 {{ t += t; }} render(t, #{{ a: s }});"
            ),
        ),
        ("tasks.rhai", "for i in 0..1000 { task(#{ title: \"t\" }); }".to_string()),
    ];
    for (name, script) in &scripts {
        let rules = format!("segment \"all\" when orders >= 0 then \"{name}\"\n");
        let dir =
            folder(&[("r.seg", rules.as_bytes()), (name, script.as_bytes()), ("c.csv", DATA.as_bytes())]);
        let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "--as-of", "2026-11-01"], b"");
        assert_eq!(ran.code, 0, "{name}: {}", ran.stderr);
        let expected = if *name == "tasks.rhai" { "at most 100 tasks" } else { "more than 1 MB" };
        assert!(ran.stderr.contains(expected), "{name}: {}", ran.stderr);
        assert!(ran.stderr.contains("action errors"), "{name}: {}", ran.stderr);
    }
}

#[test]
fn scripts_have_a_time_limit_for_the_whole_run() {
    let rules = "segment \"all\" when orders >= 0 then \"slow.rhai\"\n";
    let slow = "let n = 0; loop { n += 1; }";
    let data = format!("id,orders\n{}", (0..40).map(|i| format!("C{i},1\n")).collect::<String>());
    let dir =
        folder(&[("r.seg", rules.as_bytes()), ("slow.rhai", slow.as_bytes()), ("c.csv", data.as_bytes())]);
    let args = ["run", "r.seg", "c.csv", "--threads", "1", "--script-time-limit", "2", "-o", "out.csv"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("ran for more than 2 s in all"), "{}", ran.stderr);
    assert!(!dir.path().join("out.csv").exists());
    // To standard output: nothing printed either.
    let ran = tradeseg_in(
        dir.path(),
        &["run", "r.seg", "c.csv", "--threads", "1", "--script-time-limit", "1"],
        b"",
    );
    assert_eq!((ran.code, ran.stdout.as_str()), (3, ""), "{}", ran.stderr);
    for bad in ["0", "86401", "x"] {
        let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "--script-time-limit", bad], b"");
        assert_eq!(ran.code, 2, "{bad}");
    }
}

#[test]
fn strict_prints_no_rows_when_it_refuses_the_run() {
    let data = "id,orders,inquiries,identity\nC1,x,0,OEM\nC2,1,0,\n";
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("c.csv", data.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "--strict"], b"");
    assert_eq!((ran.code, ran.stdout.as_str()), (3, ""), "{}", ran.stderr);
    assert!(ran.stderr.contains("no results were written"), "{}", ran.stderr);
    let clean = "id,orders,inquiries,identity\nC2,1,0,\n";
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("c.csv", clean.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "--strict", "-q"], b"");
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "id,stars,tags\nC2,4-star,\n"), "{}", ran.stderr);
}

#[test]
fn includes_and_scripts_are_regular_files_inside_the_rulesets_folder() {
    let secret = "API_KEY=hunter2-secret\n";
    let dir = folder(&[
        ("rules/main.seg", b"segment \"a\" when orders >= 1\n"),
        ("rules/notes.txt", secret.as_bytes()),
        ("rules/s.txt", b"password: hunter2\n"),
        ("rules/huge.seg", "# padding\n".repeat(900_000).as_bytes()),
        ("shared/regions.seg", b"segment \"b\" when orders >= 2\n"),
        ("c.csv", DATA.as_bytes()),
    ]);
    let cases: &[(&str, &str)] = &[
        ("include \"/proc/self/environ\"", "outside the ruleset's folder"),
        ("include \"../shared/regions.seg\"", "outside the ruleset's folder"),
        ("include \"notes.txt\"", "`notes.txt` is not a ruleset"),
        ("include \"huge.seg\"", "larger than 8 MB"),
        ("include \"/dev/zero\"", "outside the ruleset's folder"),
        ("segment \"x\" when orders >= 1 then \"/etc/hostname\"", "outside the ruleset's folder"),
        ("segment \"x\" when orders >= 1 then \"s.txt\"", "`s.txt` is not a script"),
    ];
    for (line, expected) in cases {
        let rules = format!("segment \"a\" when orders >= 1\n{line}\n");
        std::fs::write(dir.path().join("rules/r.seg"), rules).unwrap();
        let ran = tradeseg_in(dir.path(), &["check", "rules/r.seg"], b"");
        assert_eq!(ran.code, 2, "{line}: {}", ran.stderr);
        assert!(ran.stderr.contains(expected), "{line}: {}", ran.stderr);
        assert!(!ran.stderr.contains("hunter2"), "{line} leaked: {}", ran.stderr);
    }
    // A FIFO inside the folder is refused at once instead of hanging.
    #[cfg(unix)]
    {
        let fifo = dir.path().join("rules/pipe.seg");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        std::fs::write(dir.path().join("rules/r.seg"), "include \"pipe.seg\"\n").unwrap();
        let ran = tradeseg_in(dir.path(), &["check", "rules/r.seg"], b"");
        assert!(ran.stderr.contains("not a regular file"), "{}", ran.stderr);
    }
    // --allow-path widens what may be read.
    std::fs::write(dir.path().join("rules/r.seg"), "include \"../shared/regions.seg\"\n").unwrap();
    let ran = tradeseg_in(dir.path(), &["run", "rules/r.seg", "c.csv", "-q", "--allow-path", "shared"], b"");
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "id,tags\nC1,b\nC2,\nC3,\n"), "{}", ran.stderr);
}

/// An "Excel" export that is a web page (as many CRMs save one) or an Excel 2003 XML
/// file was read as CSV: the whole page one header column, and the error offered
/// `--id "<html>…"`. Now it is named for what it is, with what to do, and nothing is read.
#[test]
fn a_web_page_saved_as_xls_is_named_for_what_it_is() {
    let page = "<html><head><meta charset=\"utf-8\"></head><body><table><tr><td>id</td></tr></table></body></html>\n";
    let xml = "<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">\n";
    let dir =
        folder(&[("r.seg", RULES.as_bytes()), ("crm.xls", page.as_bytes()), ("old.xls", xml.as_bytes())]);
    for (file, said) in
        [("crm.xls", "`crm.xls` is a web page (HTML)"), ("old.xls", "`old.xls` is an XML file")]
    {
        for command in ["run", "check"] {
            let args: &[&str] = match command {
                "run" => &["run", "r.seg", file, "-o", "out.csv"],
                _ => &["check", "r.seg", "--data", file],
            };
            let ran = tradeseg_in(dir.path(), args, b"");
            assert_eq!(ran.code, 3, "{}", ran.stderr);
            assert!(ran.stderr.contains(said), "{}", ran.stderr);
            assert!(ran.stderr.contains("save it as an Excel workbook (.xlsx) or as CSV"), "{}", ran.stderr);
            assert!(!dir.path().join("out.csv").exists());
        }
    }
}

/// A quote that opens a cell by mistake (`"OEM`, `"3`) and never closes as a cell ends
/// used to make every line after it, up to the next quote in the file, one cell: those
/// customers had no row and no message. Now the cell is read as written, named in a data
/// error, and every line after it is a customer of its own, on one thread or several.
#[test]
fn a_stray_quote_swallows_no_customer() {
    let mut data = String::from("id,orders,inquiries,identity\nC1,2,0,\"OEM\nC2,\"3,1,retailer\n");
    for i in 3..=30_000 {
        data.push_str(&format!("C{i},{},1,\"Acme, Inc.\"\n", i % 2));
    }
    data.push_str("C30001,0,\"5\r\nC30002,1,0,OEM\n");
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("c.csv", data.as_bytes())]);
    for threads in ["1", "3"] {
        let ran = tradeseg_in(
            dir.path(),
            &["run", "r.seg", "c.csv", "--as-of", "2026-11-01", "--threads", threads],
            b"",
        );
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        let rows: Vec<&str> = ran.stdout.lines().collect();
        assert_eq!(rows.len(), 30_003, "{}", &ran.stderr[..ran.stderr.len().min(2000)]);
        assert_eq!(rows[1..3], ["C1,4-star,", "C2,0-star,"]);
        assert_eq!(rows[30_001..], ["C30001,0-star,", "C30002,4-star,oem"]);
        for said in [
            "line 2, column `identity`: `\"OEM` opens a quote that is not closed where a cell ends",
            "line 3, column `orders`: `\"3` opens a quote",
            "line 3, column `orders`: `\"3` is not a number",
            "line 30002, column `inquiries`: `\"5` opens a quote",
            "30002 customers, as of",
        ] {
            assert!(ran.stderr.contains(said), "{said}: {}", ran.stderr);
        }
    }
}

#[test]
fn huge_cells_and_rows_are_cut_in_messages_and_passed_over() {
    let mut data = String::from("id,orders,inquiries,identity\nC1,");
    data.push_str(&"9x".repeat(500_000));
    data.push_str(",0,OEM\n");
    data.push_str(&",".repeat(3_000_000));
    data.push_str("\r\nC2,1,0,\nC3,x,0,\n");
    let dir = folder(&[("r.seg", RULES.as_bytes()), ("c.csv", data.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "--as-of", "2026-11-01"], b"");
    assert_eq!(ran.code, 0, "{}", &ran.stderr[..ran.stderr.len().min(2000)]);
    assert_eq!(ran.stdout, "id,stars,tags\nC1,0-star,oem\nC2,4-star,\nC3,0-star,\n");
    assert!(ran.stderr.contains("line 5, column `orders`: `x`"), "{}", ran.stderr);
    assert!(ran.stderr.len() < 4000, "stderr is {} bytes", ran.stderr.len());
    assert!(ran.stderr.contains("… (1000000 bytes in all)` is not a number"), "{}", ran.stderr);
    assert!(ran.stderr.contains("line 3: this row has 3000001 cells"), "{}", ran.stderr);
    assert!(ran.stderr.contains("3 customers, as of"), "{}", ran.stderr);
}

#[cfg(unix)]
#[test]
fn test_searches_a_folder_with_links_to_its_parent_once() {
    let dir = folder(&[("rules/a.seg", b"segment \"a\" when orders >= 1\n")]);
    std::os::unix::fs::symlink("..", dir.path().join("rules/up")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("rules/here")).unwrap();
    let ran = tradeseg_in(dir.path(), &["test", "rules"], b"");
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.contains("0 passed, 0 failed"), "{}", ran.stdout);
}

#[test]
fn a_tag_defined_twice_is_one_tag() {
    let rules =
        "segment \"t\" when orders >= 1\nsegment \"t\" when inquiries >= 1\nsegment \"u\" when orders >= 5\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("c.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "c.csv", "--as-of", "2026-11-01"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "id,tags\nC1,t\nC2,t\nC3,t\n");
    assert_eq!(ran.stderr.matches("  t ").count(), 1, "{}", ran.stderr);
    let ran = tradeseg_in(dir.path(), &["check", "r.seg"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stderr.contains("the tag `t` is defined more than once"), "{}", ran.stderr);
    let scripts =
        "segment \"t\" when orders >= 1 then \"a.rhai\"\nsegment \"t\" when inquiries >= 1 then \"b.rhai\"\n";
    let dir = folder(&[("r.seg", scripts.as_bytes()), ("a.rhai", b"1;"), ("b.rhai", b"2;")]);
    let ran = tradeseg_in(dir.path(), &["check", "r.seg"], b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("defined again with another script"), "{}", ran.stderr);
}

#[test]
fn explain_shows_every_part_as_written_on_the_right_line_with_typed_json() {
    let rules =
        "dimension d {\r\n    segment \"a\" when (x == 1 or y == 3) and flag\r\n    otherwise \"b\"\r\n}\r\n";
    let data = "id,x,y,flag\r\nC1,1,2,no\r\nC2,1.50,3,\r\n";
    let dir = folder(&[("r.seg", rules.as_bytes()), ("c.csv", data.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["explain", "r.seg", "c.csv", "--customer", "C1"], b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("customer C1 (line 2)"), "{}", ran.stdout);
    assert!(ran.stdout.contains("\"a\" when (x == 1 or y == 3) and flag   [r.seg:2]"), "{}", ran.stdout);
    assert!(ran.stdout.contains("(x == 1 or y == 3) → true"), "{}", ran.stdout);
    assert!(ran.stdout.contains("      flag → false\n"), "{}", ran.stdout);
    let ran = tradeseg_in(dir.path(), &["explain", "r.seg", "c.csv", "--customer", "C2"], b"");
    assert!(ran.stdout.contains("customer C2 (line 3)"), "{}", ran.stdout);
    assert!(ran.stdout.contains("flag → unknown (flag is missing)"), "{}", ran.stdout);
    let args = ["explain", "r.seg", "c.csv", "--customer", "C2", "--format", "json"];
    let json: serde_json::Value = serde_json::from_str(&tradeseg_in(dir.path(), &args, b"").stdout).unwrap();
    let tried = &json["dimensions"][0]["tried"][0];
    assert_eq!(tried["result"], serde_json::Value::Null);
    let parts = &tried["condition"]["parts"];
    assert_eq!(parts[0]["value"], true);
    assert_eq!(parts[0]["parts"][0]["parts"][0]["value"], serde_json::json!(1.5));
    assert_eq!(parts[1]["value"], serde_json::Value::Null);
}

/// Customers kept in evaluation form (what `watch` evaluates an edit of the rules over)
/// carry every problem their records had: cells that are not numbers or not UTF-8, rows
/// of the wrong width, empty and repeated ids, blank lines; the report and the results
/// are those of reading the file again. Rules that read another column are refused.
#[test]
fn kept_customers_keep_every_problem_of_their_records() {
    use tradeseg::run::{run, run_keeping, run_kept, Extras, RunOptions};
    use tradeseg::{CompileOptions, Ruleset};
    let mut data = b"id,orders,country,last_order\nC1,2,US,2026-01-05\nC2,x,\xff\xfe,2025-13-01\n".to_vec();
    data.extend_from_slice(
        b"\n,,,\nC3,1,DE\n,4,FR,2026-02-02\nC1,0,US,2026-03-03,extra\nC4,\"1,200\",\xe4\xb8\xad,5/6/2026\n",
    );
    let options = RunOptions::new(CompileOptions::new("2026-11-01").unwrap());
    let checked = |rules: &str| Ruleset::from_source("k.seg", rules, ".").unwrap().check().unwrap();
    let first = "segment \"buyer\" when orders >= 1 and country == \"US\" and last_order > 2026-01-01\n";
    let (_, kept) = run_keeping(
        &checked(first),
        Extras::default(),
        Box::new(std::io::Cursor::new(data.clone())),
        &mut Vec::new(),
        &options,
    )
    .unwrap();
    let kept = kept.expect("kept");
    assert_eq!(kept.records(), 6);
    for rules in
        [first, "segment \"buyer\" when orders >= 2 or country != \"DE\" and last_order > 2026-02-01\n"]
    {
        let mut read = Vec::new();
        let from_file =
            run(&checked(rules), Box::new(std::io::Cursor::new(data.clone())), &mut read, &options, None)
                .unwrap();
        let mut again = Vec::new();
        let from_kept = run_kept(&checked(rules), Extras::default(), &kept, &mut again, &options)
            .unwrap()
            .expect("the same layout");
        assert_eq!(String::from_utf8_lossy(&again), String::from_utf8_lossy(&read));
        assert_eq!(format!("{from_kept:?}"), format!("{from_file:?}"));
        assert!(from_kept.data_error_count >= 6, "{from_kept:?}");
    }
    for other in ["segment \"buyer\" when orders >= 1\n", "segment \"buyer\" when name == \"x\"\n"] {
        let mut nothing = Vec::new();
        let refused = run_kept(&checked(other), Extras::default(), &kept, &mut nothing, &options).unwrap();
        assert!(refused.is_none() && nothing.is_empty(), "{other}");
    }
}
