//! The catalogues against the code: every message the code builds is in both languages
//! and renders with exactly the arguments the code gives it; no message is left unused;
//! the Chinese catalogue is Chinese.

use super::*;
use std::collections::BTreeSet;
use std::path::Path;

/// A place in the code that builds a message: its id and the names of its arguments.
#[derive(Debug)]
struct Use {
    file: String,
    id: String,
    args: Vec<String>,
}

/// Every `msg!("id", name = …)` and `Message::new("id")` in the sources under `dir`.
fn uses(dir: &Path, found: &mut Vec<Use>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src is readable").flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            uses(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("messages/tests.rs") {
            let text = std::fs::read_to_string(&path).expect("source is UTF-8");
            let file = path.display().to_string();
            for (at, _) in text.match_indices("msg!(") {
                if text[..at].ends_with("macro_rules! ") || text[..at].ends_with('`') {
                    continue;
                }
                let parts = top_level_parts(&text[at + 5..]);
                let Some(id) = parts.first().and_then(|p| literal(p)) else { continue };
                let args = parts[1..]
                    .iter()
                    .filter_map(|p| p.split_once('=').map(|(name, _)| name.trim().to_string()))
                    .collect();
                found.push(Use { file: file.clone(), id, args });
            }
            for (at, _) in text.match_indices("Message::new(\"") {
                let rest = &text[at + "Message::new(".len()..];
                let Some(id) = literal(rest.split(')').next().unwrap_or_default()) else { continue };
                // Arguments added with `.arg("name", …)` right after.
                let tail = &rest[rest.find(')').unwrap_or(0)..];
                let args = arg_chain(tail);
                found.push(Use { file: file.clone(), id, args });
            }
        }
    }
}

/// The arguments of a macro call up to its closing bracket, split at top-level commas.
fn top_level_parts(text: &str) -> Vec<String> {
    let (mut parts, mut current, mut depth, mut in_string, mut escaped) =
        (Vec::new(), String::new(), 0, false, false);
    for c in text.chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
            current.push(c);
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        parts.push(current);
    }
    parts
}

fn literal(part: &str) -> Option<String> {
    let part = part.trim();
    Some(part.strip_prefix('"')?.strip_suffix('"')?.to_string())
}

/// The names of `.arg("name", …)` calls chained right after a `Message::new(…)`.
fn arg_chain(mut tail: &str) -> Vec<String> {
    let mut names = Vec::new();
    tail = tail.strip_prefix(')').unwrap_or(tail);
    while let Some(rest) = tail.trim_start().strip_prefix(".arg(\"") {
        let Some((name, after)) = rest.split_once('"') else { break };
        names.push(name.to_string());
        let parts = top_level_parts(after);
        let consumed: usize = parts.iter().map(|p| p.len() + 1).sum();
        tail = after.get(consumed..).unwrap_or_default();
    }
    names
}

fn all_uses() -> Vec<Use> {
    let mut found = Vec::new();
    uses(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut found);
    found
}

/// The message ids of one language's catalogues.
fn ids(language: Language) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for (_, name, text) in catalogue_files().filter(|(l, _, _)| *l == language) {
        for line in text.lines() {
            let Some((id, _)) = line.split_once(" =") else { continue };
            if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                assert!(ids.insert(id.to_string()), "`{id}` is in {name} twice");
            }
        }
    }
    ids
}

#[test]
fn every_catalogue_file_parses() {
    for (_, name, text) in catalogue_files() {
        if let Err((_, errors)) = FluentResource::try_new(text.to_string()) {
            panic!("{name} does not parse: {errors:?}");
        }
    }
}

#[test]
fn both_languages_have_the_same_messages() {
    let english = ids(Language::English);
    let chinese = ids(Language::Chinese);
    let only_english: Vec<_> = english.difference(&chinese).collect();
    let only_chinese: Vec<_> = chinese.difference(&english).collect();
    assert!(only_english.is_empty(), "not in Chinese: {only_english:?}");
    assert!(only_chinese.is_empty(), "not in English: {only_chinese:?}");
}

#[test]
fn every_message_used_renders_in_both_languages_with_its_arguments() {
    let uses = all_uses();
    assert!(uses.len() > 100, "the scan finds the code's messages ({} found)", uses.len());
    let mut problems = Vec::new();
    for u in &uses {
        let id: &'static str = Box::leak(u.id.clone().into_boxed_str());
        for language in Language::ALL {
            let mut message = Message::new(id);
            for name in &u.args {
                let name: &'static str = Box::leak(name.clone().into_boxed_str());
                message = message.arg(name, "x");
            }
            let (_, more) = message.render_checked(language);
            problems.extend(more.into_iter().map(|p| format!("{}: {p}", u.file)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_message_in_the_catalogue_is_used() {
    let used: BTreeSet<String> = all_uses().into_iter().map(|u| u.id).collect();
    let unused: Vec<_> = ids(Language::English).into_iter().filter(|id| !used.contains(id)).collect();
    assert!(unused.is_empty(), "in the catalogue but never used: {unused:?}");
}

#[test]
fn the_chinese_catalogue_is_in_chinese() {
    let han = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    // Messages that are only marks, code or the user's own words around arguments.
    let same_in_both: BTreeSet<&str> = [
        "list-separator",
        "type-and-value",
        "quoted-segment",
        "found-token",
        "expected-word",
        "change-move",
        "file-problem",
        "io-other",
        "script-error-detail",
        "sample-failed",
        "overrides-unreadable",
        "data-error-row",
        "sheet-blank",
    ]
    .into_iter()
    .collect();
    let mut english_only = Vec::new();
    for id in ids(Language::Chinese) {
        let id: &'static str = Box::leak(id.into_boxed_str());
        let text = Message::new(id).render(Language::Chinese);
        if !han(&text) && !same_in_both.contains(id) {
            english_only.push(format!("{id}: {text}"));
        }
    }
    assert!(english_only.is_empty(), "{}", english_only.join("\n"));
}

#[test]
fn language_follows_the_locale() {
    assert_eq!(Language::from_locale("zh_CN.UTF-8"), Some(Language::Chinese));
    assert_eq!(Language::from_locale("zh-Hans"), Some(Language::Chinese));
    assert_eq!(Language::from_locale("en_US.UTF-8"), Some(Language::English));
    assert_eq!(Language::from_locale("C"), Some(Language::English));
    assert_eq!(Language::from_locale(""), None);
}

#[test]
fn lists_join_in_each_language() {
    let arg = Arg::OneOf(vec!["`a`".into(), "`b`".into(), "`c`".into()]);
    let mut problems = Vec::new();
    assert_eq!(render_arg(&arg, Language::English, &mut problems), "`a`, `b` or `c`");
    assert_eq!(render_arg(&arg, Language::Chinese, &mut problems), "`a`、`b` 或 `c`");
    assert!(problems.is_empty());
}

#[test]
fn a_missing_message_shows_its_id_and_never_panics() {
    let (text, problems) = Message::new("no-such-message").render_checked(Language::Chinese);
    assert_eq!(text, "no-such-message");
    assert_eq!(problems.len(), 1);
}
