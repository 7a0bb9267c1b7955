//! The rhai engine scripts run in, and what they may call. Scripts get no file, network
//! or process access (rhai has none to give), no `eval`, no modules from disk, and limits
//! on operations, call depth, expression depth, and string, array and map sizes, so that
//! a runaway script stops within a second with an error instead of hanging the run. What
//! one call may produce in all (tasks, fields it sets, text it renders) is capped too, and
//! checked as it grows, so that no loop of small calls can eat the machine's memory.

use super::script_date::ScriptDate;
use crate::msg;
use rhai::module_resolvers::DummyModuleResolver;
use rhai::{Dynamic, Engine, EvalAltResult, Map, Position};
use std::cell::{Cell, RefCell};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Operations one script call may take: far more than any follow-up logic needs, and
/// well under a second of work.
pub const MAX_OPERATIONS: u64 = 2_000_000;
/// Wall time one script call may take, whatever it spends it on.
pub const TIME_LIMIT: Duration = Duration::from_secs(1);
/// Operations between two looks at the clock: few enough that the slowest operations a
/// script can make (on strings of the largest size) overrun the time limit by far less
/// than a tenth.
const CLOCK_EVERY: u64 = 16;
/// Bytes one call may produce in all: the text of its tasks, the values it sets and the
/// text it renders.
pub const OUTPUT_LIMIT: usize = 1 << 20;
/// Tasks one call may emit.
pub const TASK_LIMIT: usize = 100;

/// What a script call emitted: tasks and derived fields.
#[derive(Debug, Default)]
pub struct Emitted {
    pub tasks: Vec<Map>,
    pub derived: Vec<(String, Dynamic)>,
    /// A `render` missed a name while the call's `customer` held only some columns: what
    /// it emitted does not count, and the call is made again with every column.
    pub wants_whole: bool,
    /// Bytes produced so far, counted against [`OUTPUT_LIMIT`].
    bytes: usize,
}

/// Counts `bytes` more output of the running call; an error once the call has produced
/// more than [`OUTPUT_LIMIT`] in all.
fn produce(bytes: usize) -> Result<(), Box<EvalAltResult>> {
    EMITTED.with(|e| {
        let mut e = e.borrow_mut();
        e.bytes = e.bytes.saturating_add(bytes);
        match e.bytes > OUTPUT_LIMIT {
            true => Err(msg!("script-output-limit", megabytes = OUTPUT_LIMIT >> 20).to_string().into()),
            false => Ok(()),
        }
    })
}

/// The bytes a value takes as text (strings by length, others by a small constant).
fn size(value: &Dynamic) -> usize {
    match value.read_lock::<rhai::ImmutableString>() {
        Some(text) => text.len(),
        None if value.is_map() => {
            value.read_lock::<Map>().map_or(0, |m| m.iter().map(|(k, v)| k.len() + size(v)).sum())
        }
        None if value.is_array() => value.read_lock::<rhai::Array>().map_or(0, |a| a.iter().map(size).sum()),
        None => 16,
    }
}

thread_local! {
    /// The emissions of the script call running on this thread.
    static EMITTED: RefCell<Emitted> = RefCell::new(Emitted::default());
    /// When the script call running on this thread started.
    static STARTED: RefCell<Instant> = RefCell::new(Instant::now());
    /// The running call's `customer` holds only some columns.
    static NARROWED: Cell<bool> = const { Cell::new(false) };
    /// A `render` of the running call missed a name while `customer` held only some columns.
    static WANTS_WHOLE: Cell<bool> = const { Cell::new(false) };
}

/// Starts a script call on this thread: clears the emissions, starts the clock.
/// `narrowed` tells that the call's `customer` holds only the columns its script was found
/// to read (found from its syntax): a `render` that then misses a name marks the call as
/// wanting the whole customer ([`Emitted::wants_whole`]), and the caller makes it again
/// with every column.
pub fn begin_call(narrowed: bool) {
    EMITTED.with(|e| *e.borrow_mut() = Emitted::default());
    NARROWED.with(|n| n.set(narrowed));
    WANTS_WHOLE.with(|w| w.set(false));
    STARTED.with(|s| *s.borrow_mut() = Instant::now());
}

/// Takes what the call emitted.
pub fn end_call() -> Emitted {
    let mut emitted = EMITTED.with(|e| std::mem::take(&mut *e.borrow_mut()));
    emitted.wants_whole = WANTS_WHOLE.with(|w| w.replace(false));
    NARROWED.with(|n| n.set(false));
    emitted
}

/// The keys a task may have.
pub const TASK_KEYS: [&str; 6] = ["title", "due", "priority", "owner", "channel", "message"];

/// Where a key stands in [`TASK_KEYS`]; `None` for any other.
pub fn task_key(key: &str) -> Option<usize> {
    // A `match` on the text: the compiler tells the keys apart by length first, where a
    // search of the list compared each in turn.
    match key {
        "title" => Some(0),
        "due" => Some(1),
        "priority" => Some(2),
        "owner" => Some(3),
        "channel" => Some(4),
        "message" => Some(5),
        _ => None,
    }
}

/// The engine [`prepare_engine_in_background`] is making, for the first
/// [`crate::actions::Actions::load`] to take.
static PREPARED: Mutex<Option<JoinHandle<Engine>>> = Mutex::new(None);

/// Starts making the scripts' engine on a thread of its own, so that a command about to
/// load scripts finds it ready: registering rhai's functions and ours takes 1.3 M
/// instructions (half of loading the five scripts of the README's example), which the
/// command spends loading its rules meanwhile. Only the first load takes it; a process
/// that loads no script loses nothing but that thread's work.
pub fn prepare_engine_in_background() {
    let Ok(mut prepared) = PREPARED.lock() else { return };
    if prepared.is_none() {
        *prepared = std::thread::Builder::new().name("tradeseg-scripts".into()).spawn(engine).ok();
    }
}

/// The engine made ahead by [`prepare_engine_in_background`], or else a new one.
pub(crate) fn prepared_engine() -> Engine {
    let handle = PREPARED.lock().ok().and_then(|mut prepared| prepared.take());
    handle.and_then(|handle| handle.join().ok()).unwrap_or_else(engine)
}

/// An engine with the sandbox's limits and the script API.
pub fn engine() -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(32)
        .set_max_expr_depths(64, 32)
        .set_max_string_size(100_000)
        .set_max_array_size(10_000)
        .set_max_map_size(1_000)
        .set_module_resolver(DummyModuleResolver::new())
        // rhai's string interner is one lock for every thread, and a thread that finds it
        // taken sleeps: with it, two cores ran scripts slower than one (BENCHMARKS.md).
        .set_max_strings_interned(0)
        .disable_symbol("eval")
        .on_print(|_| {})
        .on_debug(|_, _, _| {})
        .on_progress(|operations| {
            let late = operations % CLOCK_EVERY == 0 && STARTED.with(|s| s.borrow().elapsed() > TIME_LIMIT);
            late.then(|| Dynamic::from(msg!("script-ran-too-long").to_string()))
        });
    engine.register_fn("task", task);
    engine.register_fn("set", |name: &str, value: Dynamic| -> Result<(), Box<EvalAltResult>> {
        produce(name.len() + size(&value))?;
        EMITTED.with(|e| {
            let derived = &mut e.borrow_mut().derived;
            // A field set again keeps its last value, and only that is held.
            derived.retain(|(n, _)| n != name);
            derived.push((name.to_string(), value));
        });
        Ok(())
    });
    engine.register_fn("render", |template: &str, fields: Map| render(template, &fields));
    engine.register_fn("render", |fields: &mut Map, template: &str| render(template, fields));
    engine.register_fn("number", number);
    super::script_date::register(&mut engine);
    engine
}

/// `number(customer.revenue)`: a column the rules do not read arrives as text; this reads
/// it as a number the way cells are read (`1,250,000.50` too). `()` when it is not one.
fn number(value: Dynamic) -> Dynamic {
    if value.is_int() || value.is_float() {
        return value;
    }
    let text = value.into_string().unwrap_or_default();
    super::cell_value(&text, Some(crate::check::typed::Ty::Number))
        .try_cast::<String>()
        .map_or_else(|| super::cell_value(&text, Some(crate::check::typed::Ty::Number)), |_| Dynamic::UNIT)
}

/// `customer.render("Dear {{company}}, …")` or `render("Dear {{company}}, …", customer)`:
/// each `{{name}}` replaced by that field's value (empty when missing); a name the fields
/// do not have is an error, not a blank. The first form reads the map where it is; in the
/// second, rhai hands over a copy of it.
fn render(template: &str, fields: &Map) -> Result<String, Box<EvalAltResult>> {
    // Room for the values too: most fill a field or two of a few dozen bytes.
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    for Placeholder { before, name, after } in placeholders(template) {
        match fields.get(name) {
            Some(value) => {
                let value = super::plan::text(value);
                // Counted as it grows: the result never gets past the call's budget.
                produce(before.len() + value.len())?;
                out.push_str(before);
                out.push_str(&value);
            }
            None => {
                NARROWED.with(|n| {
                    if n.get() {
                        WANTS_WHOLE.with(|w| w.set(true));
                    }
                });
                return Err(msg!("render-no-field", name = name).to_string().into());
            }
        }
        rest = after;
    }
    produce(rest.len())?;
    out.push_str(rest);
    Ok(out)
}

/// The field names a template's `{{name}}`s name, as `render` reads them.
pub fn template_names(template: &str) -> impl Iterator<Item = &str> {
    placeholders(template).map(|p| p.name)
}

/// One `{{name}}` of a template: the text before it (from the one before), the name, and
/// the text after it.
struct Placeholder<'a> {
    before: &'a str,
    name: &'a str,
    after: &'a str,
}

fn placeholders(template: &str) -> impl Iterator<Item = Placeholder<'_>> {
    let mut rest = template;
    std::iter::from_fn(move || {
        let start = doubled(rest.as_bytes(), b'{')?;
        let end = doubled(&rest.as_bytes()[start..], b'}')?;
        let found = Placeholder {
            before: &rest[..start],
            name: rest[start + 2..start + end].trim(),
            after: &rest[start + end + 2..],
        };
        rest = found.after;
        Some(found)
    })
}

/// Where `byte` first stands twice in a row: what `str::find("{{")` gives, without setting
/// up a general searcher for every call.
fn doubled(text: &[u8], byte: u8) -> Option<usize> {
    memchr::memchr_iter(byte, text).find(|&at| text.get(at + 1) == Some(&byte))
}

/// `task(#{ title: …, due: …, priority: …, owner: …, channel: …, message: … })`
fn task(fields: Map) -> Result<(), Box<EvalAltResult>> {
    if let Some(unknown) = fields.keys().find(|k| task_key(k).is_none()) {
        return Err(msg!("task-unknown-key", key = unknown.as_str(), keys = TASK_KEYS.join(", "))
            .to_string()
            .into());
    }
    match fields.get("title") {
        Some(title) if !title.is_unit() => {}
        _ => return Err(msg!("task-needs-title").to_string().into()),
    }
    if let Some(due) = fields.get("due") {
        if !due.is_unit() && !due.is::<ScriptDate>() && !due.is_string() {
            return Err(msg!("task-due-date").to_string().into());
        }
    }
    if EMITTED.with(|e| e.borrow().tasks.len()) >= TASK_LIMIT {
        return Err(msg!("task-limit", limit = TASK_LIMIT).to_string().into());
    }
    produce(fields.iter().map(|(k, v)| k.len() + size(v)).sum())?;
    EMITTED.with(|e| e.borrow_mut().tasks.push(fields));
    Ok(())
}

/// The line of an error's position, if it has one.
pub fn line(position: Position) -> Option<usize> {
    position.line()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_task_key_is_found_where_the_list_has_it() {
        for (i, key) in super::TASK_KEYS.iter().enumerate() {
            assert_eq!(super::task_key(key), Some(i));
        }
        for other in ["", "Title", "titles", "tit", "owner ", "prority"] {
            assert_eq!(super::task_key(other), None);
        }
    }

    #[test]
    fn doubled_braces_are_found_where_str_find_finds_them() {
        for text in ["", "{", "{{", "a{b{{c", "{{{x}}}", "}{}}", "中{{文}}", "{ {{", "x}}y}}"] {
            for (byte, pair) in [(b'{', "{{"), (b'}', "}}")] {
                assert_eq!(super::doubled(text.as_bytes(), byte), text.find(pair), "{text:?} {pair}");
            }
        }
    }

    #[test]
    fn render_fills_every_field_named() {
        let fields: rhai::Map = [("company".into(), "Acme".into()), ("城市".into(), "迪拜".into())].into();
        let rendered = super::render("Dear {{company}} of {{ 城市 }}: {{company}}} }}", &fields);
        assert_eq!(rendered.unwrap(), "Dear Acme of 迪拜: Acme} }}");
        assert!(super::render("{{nobody}}", &fields).is_err());
        // A `{{` never closed is text, written once.
        assert_eq!(super::render("a {{company}} b {{c", &fields).unwrap(), "a Acme b {{c");
        let names: Vec<&str> = super::template_names("{{company}} {{ 城市 }} {{x").collect();
        assert_eq!(names, ["company", "城市"]);
    }

    /// Both ways of writing `render` give the same text, and neither changes the map.
    #[test]
    fn render_as_a_method_is_render_as_a_function() {
        let engine = super::engine();
        let script = r#"
            let c = #{ company: "Acme", city: "迪拜" };
            let t = "Dear {{company}} of {{city}}";
            [render(t, c), c.render(t), (c + #{ day: "Monday" }).render("{{day}}"), c.len()]
        "#;
        let got: rhai::Array = engine.eval(script).expect("runs");
        let got: Vec<String> = got.into_iter().map(|v| v.to_string()).collect();
        assert_eq!(got, ["Dear Acme of 迪拜", "Dear Acme of 迪拜", "Monday", "2"]);
        assert!(engine.eval::<String>(r#"#{ a: 1 }.render("{{b}}")"#).is_err());
    }

    /// The interner is one lock for all threads: on, scripts on two cores ran slower than
    /// on one (BENCHMARKS.md, "Scripts on both cores, for real").
    #[test]
    fn scripts_share_no_string_interner() {
        assert_eq!(super::engine().max_strings_interned(), 0);
    }

    /// The engine made ahead is the sandbox's, taken once; after it, each load makes its
    /// own.
    #[test]
    fn the_engine_made_ahead_is_the_sandboxed_one() {
        super::prepare_engine_in_background();
        for _ in 0..2 {
            let engine = super::prepared_engine();
            assert_eq!(engine.max_operations(), super::MAX_OPERATIONS);
            assert_eq!(engine.max_strings_interned(), 0);
            assert!(engine.eval::<i64>("eval(\"1\")").is_err());
            assert_eq!(engine.eval::<String>("task(#{ title: \"x\" }); \"done\"").unwrap(), "done");
        }
        assert!(super::PREPARED.lock().unwrap().is_none());
    }
}
