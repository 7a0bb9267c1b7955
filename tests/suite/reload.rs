//! Live reloading against real files: edits, broken edits, editors that save by renaming,
//! files deleted and created again, includes. Each test waits for the reload event with a
//! generous timeout instead of sleeping.

use std::path::Path;
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;
use tradeseg::check::Checked;
use tradeseg::reload::{Live, ReloadEvent};

const WAIT: Duration = Duration::from_secs(20);

fn first_segment(checked: &Checked) -> String {
    checked.dimensions().first().and_then(|d| d.segments.first()).map_or_else(String::new, |s| s.name.clone())
}

fn live(path: &Path, others: Vec<std::path::PathBuf>) -> (Live<Checked>, Receiver<ReloadEvent>) {
    let (tx, rx) = channel();
    let live = Live::watch(path, others, Box::new(Ok), move |event| {
        let _ = tx.send(event);
    })
    .expect("the first version loads");
    (live, rx)
}

/// Waits for an event that `wanted` accepts, skipping others.
fn wait_for(rx: &Receiver<ReloadEvent>, wanted: impl Fn(&ReloadEvent) -> bool) -> ReloadEvent {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let event = rx.recv_timeout(left).expect("the event comes in time");
        if wanted(&event) {
            return event;
        }
    }
}

fn reloaded(event: &ReloadEvent) -> bool {
    matches!(event, ReloadEvent::Reloaded { .. })
}

fn rules(name: &str) -> String {
    format!("dimension d {{ segment \"{name}\" when x > 1  otherwise \"none\" }}\n")
}

#[test]
fn an_edit_takes_effect_and_a_broken_one_keeps_the_last_good() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.seg");
    std::fs::write(&path, rules("first")).unwrap();
    let (live, rx) = live(&path, Vec::new());
    assert_eq!(first_segment(&live.current()), "first");

    std::fs::write(&path, rules("second")).unwrap();
    wait_for(&rx, reloaded);
    assert_eq!(first_segment(&live.current()), "second");

    std::fs::write(&path, "dimension d { segment \"x\" when x >\n}\n").unwrap();
    let ReloadEvent::Rejected { report, .. } = wait_for(&rx, |e| matches!(e, ReloadEvent::Rejected { .. }))
    else {
        unreachable!()
    };
    assert!(report.contains("r.seg:2:1") && report.contains("expected a value"), "{report}");
    assert_eq!(first_segment(&live.current()), "second", "the last good version stays");

    std::fs::write(&path, rules("third")).unwrap();
    wait_for(&rx, reloaded);
    assert_eq!(first_segment(&live.current()), "third");
}

#[test]
fn saving_by_rename_and_deleting_then_creating_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.seg");
    std::fs::write(&path, rules("first")).unwrap();
    let (live, rx) = live(&path, Vec::new());

    let temp = dir.path().join(".r.seg.swp");
    std::fs::write(&temp, rules("renamed")).unwrap();
    std::fs::rename(&temp, &path).unwrap();
    wait_for(&rx, reloaded);
    assert_eq!(first_segment(&live.current()), "renamed");

    std::fs::remove_file(&path).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    std::fs::write(&path, rules("recreated")).unwrap();
    wait_for(&rx, |e| reloaded(e) && first_segment(&live.current()) == "recreated");
}

#[test]
fn includes_are_watched_and_new_ones_picked_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.seg");
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    std::fs::write(dir.path().join("lists/a.seg"), "let t = 1\n").unwrap();
    std::fs::write(dir.path().join("lists/b.seg"), "let u = 5\n").unwrap();
    std::fs::write(&path, "include \"lists/a.seg\"\ndimension d { segment \"s\" when x > t }\n").unwrap();
    let (live, rx) = live(&path, Vec::new());

    std::fs::write(dir.path().join("lists/a.seg"), "let t = 2\n").unwrap();
    let ReloadEvent::Reloaded { files } = wait_for(&rx, reloaded) else { unreachable!() };
    assert_eq!(files.len(), 2);

    std::fs::write(&path, "include \"lists/b.seg\"\ndimension d { segment \"s\" when x > u }\n").unwrap();
    wait_for(&rx, reloaded);
    std::fs::write(dir.path().join("lists/b.seg"), "let u = \n").unwrap();
    let rejected = wait_for(&rx, |e| matches!(e, ReloadEvent::Rejected { .. }));
    let ReloadEvent::Rejected { report, .. } = rejected else { unreachable!() };
    assert!(report.contains("b.seg:2:1"), "{report}");
    assert_eq!(live.current().paths().len(), 2);
}

#[test]
fn other_watched_files_are_reported_as_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.seg");
    let data = dir.path().join("customers.csv");
    std::fs::write(&path, rules("first")).unwrap();
    std::fs::write(&data, "id,x\nC1,2\n").unwrap();
    let (_live, rx) = live(&path, vec![data.clone()]);
    std::fs::write(&data, "id,x\nC1,3\n").unwrap();
    let ReloadEvent::Changed { path: changed } = wait_for(&rx, |e| matches!(e, ReloadEvent::Changed { .. }))
    else {
        unreachable!()
    };
    assert_eq!(changed.file_name(), data.file_name());
}

#[test]
fn action_scripts_are_watched_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.seg");
    std::fs::create_dir(dir.path().join("actions")).unwrap();
    std::fs::write(dir.path().join("actions/a.rhai"), "task(#{ title: \"one\" });").unwrap();
    std::fs::write(&path, "dimension d { otherwise \"all\" then \"actions/a.rhai\" }\n").unwrap();
    let (tx, rx) = channel();
    let build = |checked: Checked| tradeseg::actions::Actions::load(&checked).map(|_| checked);
    let _live = Live::watch(&path, Vec::new(), Box::new(build), move |event| {
        let _ = tx.send(event);
    })
    .expect("loads");
    std::fs::write(dir.path().join("actions/a.rhai"), "task(#{ title: ").unwrap();
    let ReloadEvent::Rejected { report, .. } = wait_for(&rx, |e| matches!(e, ReloadEvent::Rejected { .. }))
    else {
        unreachable!()
    };
    assert!(report.contains("a.rhai") && report.contains("does not compile"), "{report}");
    std::fs::write(dir.path().join("actions/a.rhai"), "task(#{ title: \"two\" });").unwrap();
    let ReloadEvent::Reloaded { files } = wait_for(&rx, reloaded) else { unreachable!() };
    assert!(files.iter().any(|f| f.ends_with("actions/a.rhai")), "{files:?}");
}

#[test]
fn activity_on_other_files_in_the_folder_does_not_postpone_a_reload() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.seg");
    std::fs::write(&path, rules("first")).unwrap();
    let (live, rx) = live(&path, Vec::new());
    // Another program writes a file beside the ruleset every few milliseconds, for long.
    let (done, stop) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let noise = {
        let (done, stop, other) = (done.clone(), stop.clone(), dir.path().join("other.log"));
        std::thread::spawn(move || {
            let until = std::time::Instant::now() + Duration::from_secs(15);
            while std::time::Instant::now() < until && !stop.load(Ordering::SeqCst) {
                let _ = std::fs::write(&other, "busy");
                std::thread::sleep(Duration::from_millis(5));
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    std::fs::write(&path, rules("second")).unwrap();
    wait_for(&rx, reloaded);
    assert!(!done.load(Ordering::SeqCst), "the reload waited for the other file to be quiet");
    assert_eq!(first_segment(&live.current()), "second");
    stop.store(true, Ordering::SeqCst);
    noise.join().unwrap();
}
