//! Outputs that would destroy inputs: before anything is read, every file a command writes
//! is compared with every file it reads (the data, event files, the ruleset, its includes
//! and scripts) and with the other outputs. Files are compared by identity (device and
//! inode on Unix), so a link, a second hard link or `./` in a path does not hide a clash;
//! an output that does not exist yet is compared by the path it would be written at, with
//! links followed as far as they lead.

use std::path::{Path, PathBuf};
use tradeseg::messages::Message;
use tradeseg::msg;

/// A file a command reads or writes, and what it is to the user (`the data`, `--plan`).
pub struct Role {
    pub what: String,
    pub path: PathBuf,
}

impl Role {
    /// A file playing the part `what`.
    pub fn new(what: impl std::fmt::Display, path: impl Into<PathBuf>) -> Role {
        Role { what: what.to_string(), path: path.into() }
    }
}

/// How a file is told apart from others.
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    /// An existing file: device and inode (its canonical path where there are none).
    Existing(u64, u64, PathBuf),
    /// Something that is not a regular file (`/dev/null`, a FIFO): writing it twice harms
    /// nothing, so it clashes with nothing.
    Special,
    /// A file that does not exist yet, by the path it would be created at.
    New(PathBuf),
}

/// The first clash between an output and an input or another output, as a message naming
/// both; `None` when every output is a file of its own.
pub fn find(inputs: &[Role], outputs: &[Role]) -> Option<Message> {
    let outputs: Vec<(&Role, Identity)> = outputs.iter().map(|o| (o, identity(&o.path))).collect();
    for (n, (output, id)) in outputs.iter().enumerate() {
        if *id == Identity::Special {
            continue;
        }
        if let Some(input) = inputs.iter().find(|i| identity(&i.path) == *id) {
            return Some(msg!(
                "clash-input",
                output = &output.what,
                output_path = output.path.display().to_string(),
                input = &input.what,
                input_path = input.path.display().to_string()
            ));
        }
        if let Some((other, _)) = outputs[..n].iter().find(|(_, other)| other == id) {
            return Some(msg!(
                "clash-outputs",
                first = &other.what,
                first_path = other.path.display().to_string(),
                second = &output.what,
                second_path = output.path.display().to_string()
            ));
        }
    }
    None
}

fn identity(path: &Path) -> Identity {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Identity::Special,
        Ok(meta) => {
            let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            let (dev, ino) = device_inode(&meta);
            Identity::Existing(dev, ino, if dev == 0 && ino == 0 { canonical } else { PathBuf::new() })
        }
        Err(_) => Identity::New(absolute(&follow_links(path))),
    }
}

#[cfg(unix)]
fn device_inode(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn device_inode(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// Where writing `path` lands: a symbolic link, even one whose target does not exist yet,
/// is followed to that target (as far as 40 links lead, as the kernel does).
pub fn follow_links(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&path) else { break };
        path = match path.parent() {
            Some(parent) if target.is_relative() => parent.join(target),
            _ => target,
        };
    }
    path
}

/// The path made absolute with its folder's links resolved, so that two spellings of a new
/// file compare equal.
fn absolute(path: &Path) -> PathBuf {
    let name = path.file_name().map(PathBuf::from).unwrap_or_default();
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match std::fs::canonicalize(folder) {
        Ok(folder) => folder.join(name),
        Err(_) => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inputs_behind_links_and_outputs_that_meet() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("c.csv");
        std::fs::write(&data, "id\n").unwrap();
        let link = dir.path().join("link.csv");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&data, &link).unwrap();
        #[cfg(not(unix))]
        std::fs::copy(&data, &link).unwrap();
        let inputs = [Role::new("the data", &data)];
        #[cfg(unix)]
        assert!(find(&inputs, &[Role::new("--output", &link)]).unwrap().to_string().contains("the data"));
        assert!(find(&inputs, &[Role::new("--output", dir.path().join("./c.csv"))]).is_some());
        let new = dir.path().join("out.csv");
        let clash =
            find(&inputs, &[Role::new("--output", &new), Role::new("--plan", &new)]).unwrap().to_string();
        assert!(clash.contains("--output") && clash.contains("--plan"), "{clash}");
        assert_eq!(find(&inputs, &[Role::new("--output", &new)]), None);
        let null = [Role::new("--output", "/dev/null"), Role::new("--plan", "/dev/null")];
        #[cfg(unix)]
        assert_eq!(find(&inputs, &null), None);
    }
}
