//! What a rule author reads when something is wrong, as files: each ruleset under
//! tests/suite/fixtures/diagnostics/ holds one mistake (its first comment says which phase
//! catches it: parse, check, bind or eval), and its rendered messages (file, line, column,
//! the source line with a caret, the help) are an insta snapshot beside this test.
//! Fixtures for binding and evaluation give the data in comments: `# header: a,b,c` and
//! `# row: 1,2,3`.

use tradeseg::compile::{CompileOptions, Schema};
use tradeseg::messages::{with_language, Language};
use tradeseg::run::RunOptions;
use tradeseg::snapshot::directive;
use tradeseg::Ruleset;

/// Everything the ruleset's phases say about it, as the command line renders it.
fn rendered(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).expect("a fixture");
    let name = path.file_name().expect("a name").to_string_lossy();
    // A path relative to the package, as a user in its folder would see it.
    let folder = std::path::Path::new("tests/suite/fixtures/diagnostics");
    let checked = match Ruleset::from_source(&name, &text, folder).and_then(Ruleset::check) {
        Ok(checked) => checked,
        Err(e) => return e.to_string(),
    };
    let mut shown = tradeseg::diagnostic::render_all(checked.warnings(), checked.sources());
    let Some(header) = directive(&text, "header") else { return shown };
    let options = CompileOptions::new("2026-11-01").expect("a date");
    if let Err(e) = checked.compile(&Schema::from_header(header.split(',')), &options) {
        return shown + e.to_string().as_str();
    }
    let rows: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("# row:")).map(str::trim).collect();
    let data = format!("{header}\n{}\n", rows.join("\n"));
    let run = tradeseg::run::run(
        &checked,
        Box::new(std::io::Cursor::new(data.into_bytes())),
        &mut Vec::new(),
        &RunOptions::new(options),
        None,
    )
    .expect("the run goes on");
    for warning in &run.warnings {
        shown.push_str(&format!("{}\n", tradeseg::msg!("line-warning", message = warning.message.clone())));
    }
    for error in &run.data_errors {
        shown.push_str(&format!("{}\n", tradeseg::msg!("line-data-error", error = error.to_string())));
    }
    shown
}

#[test]
fn each_mistake_reads_as_its_snapshot() {
    insta::glob!("fixtures/diagnostics/*.seg", |path| {
        insta::assert_snapshot!(with_language(Language::English, || rendered(path)));
    });
}

/// The same mistakes as a rule author reading Chinese sees them.
#[test]
fn each_mistake_reads_as_its_snapshot_in_chinese() {
    insta::glob!("fixtures/diagnostics/*.seg", |path| {
        insta::assert_snapshot!(with_language(Language::Chinese, || rendered(path)));
    });
}
