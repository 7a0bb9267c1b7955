//! Action scripts as a rule author meets them, hostile ones included: each runaway script
//! is stopped with an error naming the script, its line and the customer, and the run
//! goes on for everyone else; a script that does not compile stops the run before any
//! customer is evaluated.

use crate::common::{folder, tradeseg_in};

const DATA: &str = "id,company,orders,owner\nC1,Acme,0,Li Na\nC2,Bolt,3,\nC3,Core,0,Wang Wei\n";

fn rules(script: &str) -> String {
    format!(
        "dimension stage {{ segment \"buyer\" when orders >= 1  otherwise \"lead\" then \"{script}\" }}\n"
    )
}

/// Runs with one script for the `lead` segment (C1 and C3); gives exit code, stdout, stderr, plan.
fn run_script(script: &str, extra: &[&str]) -> (i32, String, String, String) {
    let dir = folder(&[
        ("r.seg", rules("actions/s.rhai").as_bytes()),
        ("actions/s.rhai", script.as_bytes()),
        ("d.csv", DATA.as_bytes()),
    ]);
    let mut args = vec!["run", "r.seg", "d.csv", "-q", "--as-of", "2026-11-01", "--plan", "plan.csv"];
    args.extend_from_slice(extra);
    let ran = tradeseg_in(dir.path(), &args, b"");
    let plan = std::fs::read_to_string(dir.path().join("plan.csv")).unwrap_or_default();
    (ran.code, ran.stdout, ran.stderr, plan)
}

#[test]
fn tasks_and_derived_fields_come_out_in_the_plan_and_the_results() {
    let script = r#"
let due = as_of.add_days(2);
task(#{ title: "Write to " + customer.company, due: due, priority: "high", channel: "email",
        message: render("Dear {{company}}, as of {{day}}", customer + #{ day: as_of }) });
set("next_step", "letter by " + due.format("%d %b"));
"#;
    let (code, stdout, stderr, plan) = run_script(script, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "id,stage,next_step\nC1,lead,letter by 03 Nov\nC2,buyer,\nC3,lead,letter by 03 Nov\n");
    assert_eq!(
        plan,
        "customer,dimension,segment,script,title,due,priority,owner,channel,message\n\
         C1,stage,lead,actions/s.rhai,Write to Acme,2026-11-03,high,Li Na,email,\"Dear Acme, as of 2026-11-01\"\n\
         C3,stage,lead,actions/s.rhai,Write to Core,2026-11-03,high,Wang Wei,email,\"Dear Core, as of 2026-11-01\"\n"
    );
}

#[test]
fn date_helpers_say_next_monday_and_six_months_in_one_call() {
    let script = r#"
task(#{ title: as_of.weekday(), due: as_of.next("Monday") });
task(#{ title: "six months", due: as_of.add_months(6) });
task(#{ title: "end of month", due: date("2026-01-31").add_months(1) });
task(#{ title: "first working day", due: date("2026-10-20").add_months(1).first_of_month().on_working_day() });
task(#{ title: "a Saturday", due: date("2026-08-01").on_working_day() });
task(#{ title: "a Friday", due: date("2026-07-31").on_working_day() });
"#;
    let (code, _, stderr, plan) = run_script(script, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(plan.contains(",Sun,2026-11-02,"), "{plan}");
    assert!(plan.contains(",six months,2027-05-01,"), "{plan}");
    assert!(plan.contains(",end of month,2026-02-28,"), "{plan}");
    // 1 November 2026 is a Sunday; 1 August a Saturday.
    assert!(plan.contains(",first working day,2026-11-02,"), "{plan}");
    assert!(plan.contains(",a Saturday,2026-08-03,"), "{plan}");
    assert!(plan.contains(",a Friday,2026-07-31,"), "{plan}");
}

fn assert_stopped(script: &str, expected: &str, line: usize) {
    let (code, stdout, stderr, plan) = run_script(&format!("task(#{{ title: \"before\" }});\n{script}"), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "id,stage\nC1,lead\nC2,buyer\nC3,lead\n", "the run goes on");
    assert!(
        stderr.contains(&format!("action error: customer C1: actions/s.rhai line {line}: {expected}")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("action error: customer C3: actions/s.rhai line {line}: {expected}")),
        "{stderr}"
    );
    assert!(stderr.contains("2 action errors"), "{stderr}");
    assert_eq!(plan.lines().count(), 1, "a stopped script's tasks are dropped: {plan}");
}

#[test]
fn an_endless_loop_is_stopped() {
    assert_stopped("loop { }", "stopped: the script took too many steps", 2);
}

#[test]
fn unbounded_recursion_is_stopped() {
    assert_stopped("fn down(n) { down(n + 1) }\ndown(1);", "stopped: the script called itself too deeply", 3);
}

#[test]
fn runaway_string_growth_is_stopped() {
    assert_stopped("let s = \"xx\";\nloop { s += s; }", "stopped: length of string grew too large", 3);
}

#[test]
fn a_script_that_throws_is_reported() {
    assert_stopped("throw \"no email address on file\";", "the script failed: no email address on file", 2);
}

#[test]
fn modules_from_disk_are_refused() {
    let (code, _, stderr, _) = run_script("import \"secrets\" as s;", &[]);
    assert_eq!(code, 0);
    assert!(stderr.contains("action error: customer C1: actions/s.rhai line 1:"), "{stderr}");
}

#[test]
fn strict_fails_on_action_errors_and_writes_nothing() {
    let dir = folder(&[
        ("r.seg", rules("actions/s.rhai").as_bytes()),
        ("actions/s.rhai", b"task(#{ title: \"x\" });\nthrow \"bad\";"),
        ("d.csv", DATA.as_bytes()),
    ]);
    let args = ["run", "r.seg", "d.csv", "-q", "--strict", "-o", "out.csv", "--plan", "plan.json"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("--strict: 0 data errors, 2 action errors"), "{}", ran.stderr);
    assert!(!dir.path().join("out.csv").exists() && !dir.path().join("plan.json").exists());
}

#[test]
fn a_script_that_does_not_compile_stops_the_run_before_anything_is_evaluated() {
    for (script, message) in [
        ("let x = ;\n", "the action script `actions/s.rhai` does not compile"),
        ("let x = eval(\"1\");\n", "the action script `actions/s.rhai` does not compile"),
        ("let name = \"x\";\nset(name, 1);\n", "`set` needs the field's name in quotes"),
    ] {
        let (code, stdout, stderr, plan) = run_script(script, &[]);
        assert_eq!(code, 2, "{script}: {stderr}");
        assert_eq!(stdout, "", "{script}");
        assert_eq!(plan, "");
        assert!(stderr.contains(message), "{script}: {stderr}");
        assert!(stderr.contains("actions/s.rhai:"), "{script}: {stderr}");
        assert!(stderr.contains("r.seg:1:"), "points at the `then` too: {stderr}");
    }
}

#[test]
fn a_missing_script_is_an_error_at_the_then() {
    let dir = folder(&[("r.seg", rules("actions/none.rhai").as_bytes()), ("d.csv", DATA.as_bytes())]);
    let ran = tradeseg_in(dir.path(), &["run", "r.seg", "d.csv"], b"");
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("cannot read the action script `actions/none.rhai`"), "{}", ran.stderr);
}

#[test]
fn unknown_task_keys_and_render_fields_are_errors_not_blanks() {
    let (_, _, stderr, _) = run_script("task(#{ title: \"x\", prority: \"high\" });", &[]);
    assert!(stderr.contains("task(): unknown key `prority`"), "{stderr}");
    let (_, _, stderr, _) = run_script("task(#{ title: render(\"{{compnay}}\", customer) });", &[]);
    assert!(stderr.contains("render(): no field `compnay`"), "{stderr}");
}

/// A script gets only the columns it was found to read; a template built at run time may
/// name another, and still sees it (the call is made again with every column), caught in
/// `try` or not, from CSV and from NDJSON. A name no column has is still an error.
#[test]
fn a_template_built_at_run_time_sees_every_column() {
    let script = r#"
let field = "comp" + "any";
let caught = "caught";
try { caught = customer.render("{{" + field + "}}"); } catch { }
task(#{ title: customer.render("{{" + field + "}} / {{owner}}"), message: caught });
"#;
    let expected = "C1,stage,lead,actions/s.rhai,Acme / Li Na,,,Li Na,,Acme\n";
    let (code, _, stderr, plan) = run_script(script, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(plan.contains(expected), "{plan}");
    assert!(plan.contains("C3,stage,lead,actions/s.rhai,Core / Wang Wei,,,Wang Wei,,Core\n"), "{plan}");
    let json = "{\"id\":\"C1\",\"company\":\"Acme\",\"orders\":0,\"owner\":\"Li Na\"}\n";
    let dir = folder(&[
        ("r.seg", rules("actions/s.rhai").as_bytes()),
        ("actions/s.rhai", script.as_bytes()),
        ("d.ndjson", json.as_bytes()),
    ]);
    let args = ["run", "r.seg", "d.ndjson", "-q", "--as-of", "2026-11-01", "--plan", "plan.csv"];
    let ran = tradeseg_in(dir.path(), &args, b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let plan = std::fs::read_to_string(dir.path().join("plan.csv")).unwrap_or_default();
    assert!(plan.contains(expected), "{plan}");
    let (_, _, stderr, _) =
        run_script("task(#{ title: customer.render(\"{{\" + \"nobody\" + \"}}\") });", &[]);
    assert!(stderr.contains("render(): no field `nobody`"), "{stderr}");
}

#[test]
fn number_reads_columns_the_rules_leave_as_text() {
    let script = r#"
task(#{ title: `${number("1,250,000.50")} ${number("12")} ${number("x") == ()} ${number(customer.company) == ()}` });
"#;
    let (code, _, stderr, plan) = run_script(script, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(plan.contains(",1250000.5 12 true true,"), "{plan}");
}

/// Each thread keeps rhai's function-resolution cache per script between customers: two
/// rulesets whose scripts define the same function differently, run in turns on one
/// thread, each get their own function.
#[test]
fn scripts_of_two_rulesets_on_one_thread_keep_their_own_functions() {
    use tradeseg::compile::CompileOptions;
    use tradeseg::{Ruleset, Schema};
    let load = |label: &str| {
        let script = format!("fn label() {{ \"{label}\" }}\ntask(#{{ title: label() }});\n");
        let dir = folder(&[("s.rhai", script.as_bytes())]);
        let rules = "segment \"all\" when orders >= 0 then \"s.rhai\"\n";
        let checked = Ruleset::from_source("r.seg", rules, dir.path()).unwrap().check().unwrap();
        let actions = tradeseg::actions::Actions::load(&checked).unwrap().expect("a script");
        let schema = Schema::from_header(["id", "orders"]);
        let (program, _) = checked.compile(&schema, &CompileOptions::new("2026-11-01").unwrap()).unwrap();
        (actions, program)
    };
    let (a, b) = (load("A"), load("B"));
    for (actions, program) in [&a, &b, &a, &b] {
        let mut evaluator = program.evaluator();
        let outcome = evaluator.evaluate_columns(|column| ["C1", "2"].get(column).copied()).clone();
        let ran = actions.run(program, &outcome, rhai::Map::new(), &mut rhai::Map::new, "C1");
        let titles: Vec<String> = ran.tasks.iter().map(|t| t.to_task("C1", "").title).collect();
        let expected = if std::ptr::eq(actions, &a.0) { "A" } else { "B" };
        assert_eq!(titles, [expected], "{:?}", ran.errors);
    }
}

/// A script's customer map is filled again for the next customer (one thread, so the same
/// map): what a script changed in it, added to it or took from it never reaches the next
/// customer, who sees its own cells only.
#[test]
fn what_a_script_does_to_its_customer_never_reaches_the_next() {
    let script = r#"
set("seen", `${customer.company}/${customer.owner}/${customer.orders}/${"note" in customer}`);
if customer.company == "Acme" { customer.company = "changed"; customer.note = "kept?"; }
if customer.company == "Core" { customer.remove("owner"); }
customer.orders = 99;
"#;
    let data = "id,company,orders,owner\nC1,Acme,0,Li Na\nC2,Bolt,0,\nC3,Core,0,Wang Wei\nC4,Dyna,0,Zhao\n";
    let dir = folder(&[
        ("r.seg", rules("actions/s.rhai").as_bytes()),
        ("actions/s.rhai", script.as_bytes()),
        ("d.csv", data.as_bytes()),
    ]);
    let ran = tradeseg_in(
        dir.path(),
        &["run", "r.seg", "d.csv", "-q", "--as-of", "2026-11-01", "--threads", "1"],
        b"",
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        ran.stdout,
        "id,stage,seen\nC1,lead,Acme/Li Na/0/false\nC2,lead,Bolt//0/false\nC3,lead,Core/Wang Wei/0/false\nC4,lead,Dyna/Zhao/0/false\n"
    );
}
