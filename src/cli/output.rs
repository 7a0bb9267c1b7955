//! Where results go: standard output, or a file written atomically: the results go to a
//! temporary file beside the target, which replaces the target only when the run
//! succeeded, so a failed run never leaves half a file and never touches an existing one.
//! Only regular files are replaced: a device or a pipe (`/dev/null`, a FIFO) is written to
//! directly, and a symbolic link has the file it points to replaced (or created, when the
//! link dangles), never the link itself. A new file gets the permissions any new file
//! would (0666 less the umask), a replaced file keeps its own. The file is synced to disk
//! before the rename, so that a crash right after never leaves an empty file in place of
//! the results; on Linux the kernel is asked to start writing each few megabytes as soon
//! as they are complete, so the final sync waits only for the last of them.
//!
//! Temporary files are registered while they exist, so that an interrupted run (Ctrl-C,
//! `kill`, a closed terminal) removes them on its way out (see [`remove_on_signal`]).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tempfile::NamedTempFile;

/// The temporary files that exist right now, to remove if the program is interrupted.
static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every temporary file still registered, then ends the program with status 130
/// (as a shell reports an interrupted command), when SIGINT, SIGTERM or SIGHUP arrives.
/// SIGKILL cannot be caught: it leaves the `.tradeseg-*.tmp` file beside its target,
/// which is safe to delete. The target itself is never half-written.
pub fn remove_on_signal() {
    let _ = ctrlc::set_handler(|| {
        if let Ok(paths) = TEMPORARY.lock() {
            for path in paths.iter() {
                let _ = std::fs::remove_file(path);
            }
        }
        std::process::exit(130);
    });
}

/// A temporary file's entry in [`TEMPORARY`], removed when it is dropped (after the file
/// was renamed into place or deleted).
struct Registered(PathBuf);

impl Registered {
    fn new(path: &Path) -> Registered {
        if let Ok(mut paths) = TEMPORARY.lock() {
            paths.push(path.to_path_buf());
        }
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut paths) = TEMPORARY.lock() {
            paths.retain(|p| *p != self.0);
        }
    }
}

/// An open destination for results.
pub enum Destination {
    Stdout(io::Stdout),
    File {
        temp: TempFile,
        target: PathBuf,
    },
    /// Something that is not a regular file: written as it comes.
    Direct(std::fs::File),
    /// Standard output, held back in a temporary file (already deleted from its folder, so
    /// nothing is left behind however the program ends) until the run is accepted.
    Spool(std::fs::File),
}

impl Destination {
    /// Standard output, or a temporary file beside `path`.
    pub fn open(path: Option<&Path>) -> io::Result<Destination> {
        let Some(target) = path else {
            return Ok(Destination::Stdout(io::stdout()));
        };
        // Follow a link to what it names, even when that does not exist yet (the file is
        // then created where the link points); a new path stays as it is.
        let target = super::clash::follow_links(target);
        let target = std::fs::canonicalize(&target).unwrap_or(target);
        if std::fs::metadata(&target).is_ok_and(|m| !m.is_file()) {
            return Ok(Destination::Direct(std::fs::OpenOptions::new().write(true).open(&target)?));
        }
        let target = target.as_path();
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".tradeseg-").suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let temp = builder.tempfile_in(dir)?;
        if let Ok(existing) = std::fs::metadata(target) {
            temp.as_file().set_permissions(existing.permissions())?;
        }
        let registered = Registered::new(temp.path());
        let temp = TempFile { temp, written: 0, started: 0, _registered: registered };
        Ok(Destination::File { temp, target: target.to_path_buf() })
    }

    /// Standard output, held back until [`Destination::commit`]: a run refused after
    /// evaluating prints no results.
    pub fn spool() -> io::Result<Destination> {
        Ok(Destination::Spool(tempfile::tempfile()?))
    }

    /// The writer to give the run.
    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            Destination::Stdout(out) => out,
            Destination::File { temp, .. } => temp,
            Destination::Direct(file) | Destination::Spool(file) => file,
        }
    }

    /// Empties what was written so far, to write it again from the start (see
    /// [`Destination::can_start_over`]; for the others, an error and nothing done).
    pub fn start_over(&mut self) -> io::Result<()> {
        use std::io::Seek;
        let file = match self {
            Destination::Stdout(_) | Destination::Direct(_) => return Err(io::ErrorKind::Unsupported.into()),
            Destination::Spool(file) => file,
            Destination::File { temp, .. } => {
                temp.written = 0;
                temp.started = 0;
                temp.temp.as_file_mut()
            }
        };
        file.set_len(0)?;
        file.seek(io::SeekFrom::Start(0)).map(drop)
    }

    /// Whether [`Destination::start_over`] can take back what was written: not for
    /// standard output or a file that is not regular, whose bytes are already gone.
    pub fn can_start_over(&self) -> bool {
        matches!(self, Destination::File { .. } | Destination::Spool(_))
    }

    /// Puts the results in place (a file replaces its target; standard output is flushed).
    pub fn commit(self) -> io::Result<()> {
        match self {
            Destination::Stdout(mut out) => out.flush(),
            Destination::Direct(mut file) => file.flush(),
            Destination::Spool(mut file) => {
                use std::io::Seek;
                file.seek(io::SeekFrom::Start(0))?;
                let mut out = io::stdout().lock();
                io::copy(&mut file, &mut out)?;
                out.flush()
            }
            Destination::File { temp, target } => {
                let TempFile { temp, _registered, .. } = temp;
                temp.as_file().sync_all()?;
                temp.persist(&target).map(drop).map_err(|e| e.error)
            }
        }
    }
}

/// Bytes written between two requests to start writing them to disk.
const WRITEBACK_STEP: u64 = 8 << 20;

/// The temporary file, written with early writeback: on Linux, each [`WRITEBACK_STEP`]
/// bytes the kernel is told to start putting what was written since on disk
/// (`posix_fadvise` with `DONTNEED` starts writeback of dirty pages and does not wait).
pub struct TempFile {
    temp: NamedTempFile,
    written: u64,
    started: u64,
    _registered: Registered,
}

impl Write for TempFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.temp.as_file_mut().write(buf)?;
        self.written += n as u64;
        if self.written - self.started >= WRITEBACK_STEP {
            #[cfg(target_os = "linux")]
            {
                use rustix::fs::{fadvise, Advice};
                // Only a hint: if it fails, the sync at the end does all the work.
                let length = std::num::NonZeroU64::new(self.written - self.started);
                let _ = fadvise(self.temp.as_file(), self.started, length, Advice::DontNeed);
            }
            self.started = self.written;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.as_file_mut().flush()
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, renamed into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut destination = Destination::open(Some(path))?;
    destination.writer().write_all(bytes)?;
    destination.commit()
}

/// Writes UTF-8 text on as GB18030 (GBK's superset: every character has its bytes), for
/// programs that read nothing else. A character split between two writes waits for its
/// other bytes.
pub struct Gb18030Writer<'w> {
    inner: &'w mut dyn Write,
    encoder: encoding_rs::Encoder,
    carry: Vec<u8>,
    encoded: Vec<u8>,
}

impl<'w> Gb18030Writer<'w> {
    pub fn new(inner: &'w mut dyn Write) -> Gb18030Writer<'w> {
        Gb18030Writer {
            inner,
            encoder: encoding_rs::GB18030.new_encoder(),
            carry: Vec::new(),
            encoded: Vec::new(),
        }
    }
}

impl Write for Gb18030Writer<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.carry.extend_from_slice(bytes);
        let complete = match std::str::from_utf8(&self.carry) {
            Ok(_) => self.carry.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => return Err(io::Error::new(io::ErrorKind::InvalidData, "results are not UTF-8")),
        };
        let text = std::str::from_utf8(&self.carry[..complete]).unwrap_or_default();
        self.encoded.clear();
        let room = self
            .encoder
            .max_buffer_length_from_utf8_without_replacement(text.len())
            .unwrap_or(text.len() * 4);
        self.encoded.reserve(room);
        let (_, read) =
            self.encoder.encode_from_utf8_to_vec_without_replacement(text, &mut self.encoded, false);
        debug_assert_eq!(read, text.len());
        self.inner.write_all(&self.encoded)?;
        self.carry.drain(..complete);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::Gb18030Writer;
    use std::io::Write;

    #[test]
    fn characters_split_between_writes_are_encoded_whole() {
        let text = "id,公司\nKH1,华为😀\n";
        let mut out = Vec::new();
        {
            let mut writer = Gb18030Writer::new(&mut out);
            // One byte at a time: every multi-byte character arrives in pieces.
            for byte in text.as_bytes() {
                writer.write_all(std::slice::from_ref(byte)).unwrap();
            }
        }
        let (expected, _, _) = encoding_rs::GB18030.encode(text);
        assert_eq!(out, expected.as_ref());
        let (back, _, errors) = encoding_rs::GB18030.decode(&out);
        assert!(!errors);
        assert_eq!(back, text, "GB18030 keeps every character, the emoji too");
    }
}
