//! Where results go: standard output, or a file written atomically: the results go to a
//! temporary file beside the target, which replaces the target only when the run
//! succeeded, so a failed run never leaves half a file and never touches an existing one.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// An open destination for results.
pub enum Destination {
    Stdout(io::Stdout),
    File { temp: NamedTempFile, target: PathBuf },
}

impl Destination {
    /// Standard output, or a temporary file beside `path`.
    pub fn open(path: Option<&Path>) -> io::Result<Destination> {
        let Some(target) = path else {
            return Ok(Destination::Stdout(io::stdout()));
        };
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new().prefix(".tradeseg-").suffix(".tmp").tempfile_in(dir)?;
        Ok(Destination::File { temp, target: target.to_path_buf() })
    }

    /// The writer to give the run.
    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            Destination::Stdout(out) => out,
            Destination::File { temp, .. } => temp.as_file_mut(),
        }
    }

    /// Puts the results in place (a file replaces its target; standard output is flushed).
    pub fn commit(self) -> io::Result<()> {
        match self {
            Destination::Stdout(mut out) => out.flush(),
            Destination::File { temp, target } => {
                temp.as_file().sync_all()?;
                temp.persist(&target).map(drop).map_err(|e| e.error)
            }
        }
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, renamed into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut destination = Destination::open(Some(path))?;
    destination.writer().write_all(bytes)?;
    destination.commit()
}
