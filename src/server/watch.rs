//! Edits made outside the studio (another editor, `git pull`) show up in its page: the
//! ruleset's folder is watched, and each change, once the files are quiet, forgets what
//! was evaluated and tells the open pages, which fetch the file again.

use super::workspace::Workspace;
use crate::messages::Message;
use notify::{RecursiveMode, Watcher};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use tokio::sync::broadcast;

/// Watches the workspace's folder until the returned watcher is dropped.
pub fn watch_folder(
    workspace: Arc<Workspace>,
    changes: broadcast::Sender<()>,
) -> Result<notify::RecommendedWatcher, Message> {
    let (tx, rx) = channel::<notify::Result<notify::Event>>();
    let mut watcher =
        notify::recommended_watcher(tx).map_err(|e| crate::msg!("cannot-watch", reason = e.to_string()))?;
    watcher
        .watch(workspace.folder(), RecursiveMode::NonRecursive)
        .map_err(|e| crate::msg!("cannot-watch", reason = e.to_string()))?;
    std::thread::Builder::new()
        .name("tradeseg-studio-watch".into())
        .spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut relevant = matters(&first);
                // Editors write in steps; wait for quiet before telling anyone.
                loop {
                    match rx.recv_timeout(crate::reload::DEBOUNCE) {
                        Ok(event) => relevant |= matters(&event),
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                if relevant {
                    workspace.forget();
                    let _ = changes.send(());
                }
            }
        })
        .map_err(|e| crate::msg!("cannot-start-reloader", reason = crate::messages::io_error(&e)))?;
    Ok(watcher)
}

/// A change to a file's contents or name (not a mere read).
fn matters(event: &notify::Result<notify::Event>) -> bool {
    event.as_ref().is_ok_and(|e| !matches!(e.kind, notify::EventKind::Access(_)))
}
