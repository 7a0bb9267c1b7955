//! The files a ruleset may read besides itself: what it includes and the action scripts
//! its segments name. They must be regular files (not a FIFO that never ends, not
//! `/dev/zero`), below a size limit, and inside the folder of the ruleset given on the
//! command line, or inside a folder the user allowed (`--allow-path`). So a ruleset that
//! arrives from elsewhere (a colleague, the studio's HTTP API) cannot make tradeseg read
//! `/proc/self/environ` or a key file and print it back in an error message.

use crate::messages::{io_error, Message};
use crate::msg;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest ruleset file read: far beyond any hand-written one, with room for long
/// generated lists.
pub const RULESET_LIMIT: u64 = 8 << 20;
/// The largest action script read.
pub const SCRIPT_LIMIT: u64 = 1 << 20;

/// The folders whose files a ruleset may read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileAccess {
    /// Canonical paths; empty means any folder (a ruleset built in memory with no folder).
    folders: Vec<PathBuf>,
}

impl FileAccess {
    /// Access to the folder of the ruleset at `path`, and to `allowed` folders besides.
    pub fn for_ruleset(path: &Path, allowed: &[PathBuf]) -> FileAccess {
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let folders = std::iter::once(folder)
            .chain(allowed.iter().map(PathBuf::as_path))
            .map(|f| std::fs::canonicalize(f).unwrap_or_else(|_| f.to_path_buf()))
            .collect();
        FileAccess { folders }
    }

    /// Reads `path` as text if it may be read: a regular file, at most `limit` bytes,
    /// inside an allowed folder (after links are followed). The error says why not.
    pub fn read(&self, path: &Path, limit: u64) -> Result<String, Message> {
        let canonical = std::fs::canonicalize(path).map_err(|e| io_error(&e))?;
        if !self.folders.is_empty() && !self.folders.iter().any(|f| canonical.starts_with(f)) {
            let folder = self.folders.first().map(|f| f.display().to_string()).unwrap_or_default();
            return Err(msg!("outside-ruleset-folder", folder = folder));
        }
        read_regular(&canonical, limit)
    }
}

/// Reads a regular file of at most `limit` bytes as UTF-8 text.
pub fn read_regular(path: &Path, limit: u64) -> Result<String, Message> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(&e))?;
    if !meta.is_file() {
        return Err(msg!("not-a-regular-file"));
    }
    let file = std::fs::File::open(path).map_err(|e| io_error(&e))?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| io_error(&e))?;
    if bytes.len() as u64 > limit {
        return Err(msg!("file-too-large", megabytes = limit >> 20));
    }
    String::from_utf8(bytes).map_err(|_| msg!("not-utf8-text"))
}

/// True when a file's name says what it is (`.seg` for rulesets, `.rhai` for scripts), so
/// an error in it may show its lines: a file of another kind that does not parse is not
/// shown, as it may be anything.
pub fn named_as(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_regular_files_inside_the_folders_and_below_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("rules");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(inner.join("a.seg"), "x").unwrap();
        std::fs::write(dir.path().join("out.seg"), "y").unwrap();
        std::fs::write(inner.join("big.seg"), "z".repeat(2 << 20)).unwrap();
        let access = FileAccess::for_ruleset(&inner.join("main.seg"), &[]);
        assert_eq!(access.read(&inner.join("a.seg"), 10), Ok("x".into()));
        assert!(access.read(&inner.join("../out.seg"), 10).unwrap_err().to_string().contains("outside"));
        assert!(access
            .read(&inner.join("big.seg"), 1 << 20)
            .unwrap_err()
            .to_string()
            .contains("larger than 1 MB"));
        assert!(access
            .read(Path::new("/proc/self/environ"), 10)
            .unwrap_err()
            .to_string()
            .contains("outside"));
        let wider = FileAccess::for_ruleset(&inner.join("main.seg"), &[dir.path().to_path_buf()]);
        assert_eq!(wider.read(&inner.join("../out.seg"), 10), Ok("y".into()));
        assert!(wider.read(dir.path(), 10).unwrap_err().to_string().contains("not a regular file"));
        #[cfg(unix)]
        assert!(read_regular(Path::new("/dev/zero"), 10)
            .unwrap_err()
            .to_string()
            .contains("not a regular file"));
    }
}
