//! Helpers for tests that run the real `tradeseg` binary.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A small ruleset: a dimension of three segments and a tag.
pub const RULES: &str = r#"
dimension stars {
    segment "4-star" when orders >= 1
    segment "2-star" when inquiries >= 2
    otherwise "0-star"
}
segment "oem" when identity == "OEM"
"#;

/// Customers for [`RULES`], one with empty cells.
pub const DATA: &str = "id,orders,inquiries,identity\nC1,2,0,OEM\nC2,0,3,retailer\nC3,,1,\n";

/// A customer's segments (per dimension) and tags.
pub type Segmented = (Vec<Option<String>>, Vec<String>);

/// What the compiled evaluator and the interpreter behind `explain` give one row of
/// cells (by column): per dimension the first segment whose condition is true (else
/// `otherwise`), and each tag any of whose definitions is true. They must be equal.
pub fn both_ways(
    checked: &tradeseg::Checked,
    program: &tradeseg::Program,
    row: &[String],
) -> (Segmented, Segmented) {
    use tradeseg::eval::Tri;
    let mut evaluator = program.evaluator();
    let outcome = evaluator.evaluate_columns(|i| row.get(i).map(String::as_str)).clone();
    let compiled = (
        (0..checked.dimensions().len())
            .map(|d| program.segment_name(d, &outcome).map(String::from))
            .collect(),
        program.tag_names(&outcome).map(String::from).collect(),
    );
    let values = |slot| evaluator.row().value(slot);
    let interpreter = tradeseg::check::interpret::Interpreter::new(checked, &values, program.as_of());
    let holds = |condition| interpreter.eval(condition).truth() == Tri::True;
    let segments = checked
        .dimensions()
        .iter()
        .map(|dimension| {
            let first = dimension.segments.iter().find(|s| holds(s.condition())).map(|s| s.name.clone());
            first.or(dimension.otherwise.as_ref().map(|o| o.name.clone()))
        })
        .collect();
    let tags = checked
        .tag_groups()
        .into_iter()
        .filter(|(_, rules)| rules.iter().any(|&i| holds(checked.tags()[i].condition())))
        .map(|(name, _)| name.to_string())
        .collect();
    (compiled, (segments, tags))
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a run of the binary gave.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `tradeseg ARGS` in `dir`, with `stdin` as standard input.
pub fn tradeseg_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Ran {
    tradeseg_with_env(dir, args, stdin, &[])
}

/// [`tradeseg_in`] with these environment variables set. The locale variables of the
/// machine running the tests are removed first, so that messages are in English unless a
/// test asks otherwise.
pub fn tradeseg_with_env(dir: &Path, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Ran {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tradeseg"));
    for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let mut child = command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    let bytes = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let Output { status, stdout, stderr } = child.wait_with_output().expect("the binary finishes");
    feeder.join().expect("stdin written");
    Ran {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs `tradeseg ARGS` from the repository root.
pub fn tradeseg(args: &[&str]) -> Ran {
    tradeseg_in(&root(), args, b"")
}

/// A temporary folder with the given files.
pub fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, content) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("folders");
        }
        std::fs::write(path, content).expect("a file");
    }
    dir
}
