//! Every sentence tradeseg says to a person, in English and in Simplified Chinese. Code
//! never holds the words: it builds a [`Message`] (an id from the catalogue and its
//! arguments) and the message is put into words only when shown, in the language chosen
//! with [`set_language`]. The catalogues are Project Fluent files built into the binary
//! (`src/messages/en/*.ftl`, `src/messages/zh/*.ftl`); a test checks that every message
//! the code uses is in both and renders with the arguments the code gives it.
//!
//! ```
//! use tradeseg::messages::{Language, Message};
//!
//! let message = Message::new("unknown-function").arg("name", "sumif");
//! assert_eq!(message.render(Language::English), "unknown function `sumif`");
//! assert_eq!(message.render(Language::Chinese), "没有名为 `sumif` 的函数");
//! ```

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// A language tradeseg speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    Chinese,
}

impl Language {
    /// Both languages, English first.
    pub const ALL: [Language; 2] = [Language::English, Language::Chinese];

    /// `en` or `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Chinese => "zh",
        }
    }

    /// The language a locale name asks for (`zh_CN.UTF-8`, `zh-Hans`, `en_US`, `C`): Chinese
    /// for names starting `zh`, English for other non-empty names, `None` for an empty one.
    pub fn from_locale(locale: &str) -> Option<Language> {
        let locale = locale.trim();
        if locale.is_empty() {
            return None;
        }
        Some(if locale.to_ascii_lowercase().starts_with("zh") {
            Language::Chinese
        } else {
            Language::English
        })
    }

    /// The language of the environment, as the C library chooses messages: the first of
    /// `LC_ALL`, `LC_MESSAGES` and `LANG` that is set and not empty; English when none is.
    pub fn from_environment() -> Language {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| Language::from_locale(&std::env::var(name).unwrap_or_default()))
            .unwrap_or(Language::English)
    }
}

static LANGUAGE: AtomicU8 = AtomicU8::new(0);

/// Chooses the language every message is shown in from now on (English until called).
pub fn set_language(language: Language) {
    LANGUAGE.store(language as u8, Ordering::Relaxed);
}

/// Starts reading the catalogue of the language [`set_language`] chose on a thread of its
/// own, so that the first message a command shows finds it ready: parsing it takes 1.4 M
/// instructions (3% of the README's example), which the command spends loading its rules
/// meanwhile. Whoever asks
/// for a message before it is ready waits for it; a process that ends first loses nothing.
pub fn prepare_in_background() {
    let language = language();
    let _ = std::thread::Builder::new().name("tradeseg-messages".into()).spawn(move || bundle(language));
}

thread_local! {
    static THIS_THREAD: std::cell::Cell<Option<Language>> = const { std::cell::Cell::new(None) };
}

/// The language messages are shown in: this thread's, inside [`with_language`], else the
/// one [`set_language`] chose.
pub fn language() -> Language {
    if let Some(language) = THIS_THREAD.with(|l| l.get()) {
        return language;
    }
    match LANGUAGE.load(Ordering::Relaxed) {
        1 => Language::Chinese,
        _ => Language::English,
    }
}

/// Runs `work` with messages shown in `language` on this thread (a server answering each
/// request in its client's language; tests of both languages side by side).
pub fn with_language<T>(language: Language, work: impl FnOnce() -> T) -> T {
    let before = THIS_THREAD.with(|l| l.replace(Some(language)));
    let result = work();
    THIS_THREAD.with(|l| l.set(before));
    result
}

/// Something to say: a catalogue id and its arguments, put into words when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    id: &'static str,
    args: Vec<(&'static str, Arg)>,
}

/// One argument of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Words of the user's own (a column name, a value), shown as they are.
    Text(String),
    /// A number the message may choose its words by ("1 customer", "2 customers").
    Count(i64),
    /// Another message, shown in the same language.
    Message(Box<Message>),
    /// Alternatives, shown as a list ending in "or" (`a, b or c`; `a、b 或 c`).
    OneOf(Vec<Arg>),
    /// Items, shown as a list ending in "and".
    All(Vec<Arg>),
}

impl Message {
    /// A message with no arguments yet.
    pub fn new(id: &'static str) -> Message {
        Message { id, args: Vec::new() }
    }

    /// Adds an argument.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Message {
        self.args.push((name, value.into()));
        self
    }

    /// The catalogue id, stable across versions and languages: tools match on it.
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The message in words, in the given language.
    pub fn render(&self, language: Language) -> String {
        let (text, _) = self.render_checked(language);
        text
    }

    /// The message in words, with what went wrong putting it into words (an id missing
    /// from the catalogue, an argument the catalogue names and the code does not give).
    pub fn render_checked(&self, language: Language) -> (String, Vec<String>) {
        let bundle = bundle(language);
        let mut problems = Vec::new();
        let Some(pattern) = bundle.get_message(self.id).and_then(|m| m.value()) else {
            problems.push(format!("`{}` is not in the {} catalogue", self.id, language.code()));
            return (self.id.to_string(), problems);
        };
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            let value = match value {
                Arg::Count(n) => FluentValue::from(*n),
                other => FluentValue::from(render_arg(other, language, &mut problems)),
            };
            args.set(*name, value);
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&args), &mut errors).into_owned();
        problems.extend(errors.iter().map(|e| format!("`{}` in {}: {e}", self.id, language.code())));
        (text, problems)
    }
}

fn render_arg(arg: &Arg, language: Language, problems: &mut Vec<String>) -> String {
    match arg {
        Arg::Text(text) => text.clone(),
        Arg::Count(n) => n.to_string(),
        Arg::Message(message) => {
            let (text, more) = message.render_checked(language);
            problems.extend(more);
            text
        }
        Arg::OneOf(items) | Arg::All(items) => {
            let mut words: Vec<String> =
                items.iter().map(|item| render_arg(item, language, problems)).collect();
            let Some(last) = words.pop() else { return String::new() };
            if words.is_empty() {
                return last;
            }
            let separator = Message::new("list-separator").render(language);
            let rest = words.join(&separator);
            let joined = match arg {
                Arg::OneOf(_) => Message::new("list-or").arg("rest", rest).arg("last", last),
                _ => Message::new("list-and").arg("rest", rest).arg("last", last),
            };
            joined.render(language)
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(language()))
    }
}

impl From<Message> for Arg {
    fn from(message: Message) -> Arg {
        Arg::Message(Box::new(message))
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(text.to_string())
    }
}

impl From<&String> for Arg {
    fn from(text: &String) -> Arg {
        Arg::Text(text.clone())
    }
}

macro_rules! count_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Count(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
count_from!(usize, u64, u32, i64, i32, u16, u8);

/// Builds a [`Message`]: `msg!("unknown-column", name = column, near = suggestion)`.
#[macro_export]
macro_rules! msg {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::messages::Message::new($id)$(.arg(stringify!($name), $value))*
    };
}

/// An input or output error in words: the common kinds in the chosen language, others with
/// the system's own description.
pub fn io_error(error: &std::io::Error) -> Message {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => Message::new("io-not-found"),
        ErrorKind::PermissionDenied => Message::new("io-permission-denied"),
        ErrorKind::IsADirectory => Message::new("io-is-a-directory"),
        ErrorKind::StorageFull => Message::new("io-storage-full"),
        ErrorKind::BrokenPipe => Message::new("io-broken-pipe"),
        _ => Message::new("io-other").arg("detail", error.to_string()),
    }
}

/// The catalogue files of each language, in the order they are added.
const CATALOGUES: [(Language, &str, &str); 16] = [
    (Language::English, "en/common.ftl", include_str!("en/common.ftl")),
    (Language::English, "en/syntax.ftl", include_str!("en/syntax.ftl")),
    (Language::English, "en/check.ftl", include_str!("en/check.ftl")),
    (Language::English, "en/data.ftl", include_str!("en/data.ftl")),
    (Language::English, "en/run.ftl", include_str!("en/run.ftl")),
    (Language::English, "en/cli.ftl", include_str!("en/cli.ftl")),
    (Language::English, "en/server.ftl", include_str!("en/server.ftl")),
    (Language::English, "en/sql.ftl", include_str!("en/sql.ftl")),
    (Language::Chinese, "zh/common.ftl", include_str!("zh/common.ftl")),
    (Language::Chinese, "zh/syntax.ftl", include_str!("zh/syntax.ftl")),
    (Language::Chinese, "zh/check.ftl", include_str!("zh/check.ftl")),
    (Language::Chinese, "zh/data.ftl", include_str!("zh/data.ftl")),
    (Language::Chinese, "zh/run.ftl", include_str!("zh/run.ftl")),
    (Language::Chinese, "zh/cli.ftl", include_str!("zh/cli.ftl")),
    (Language::Chinese, "zh/server.ftl", include_str!("zh/server.ftl")),
    (Language::Chinese, "zh/sql.ftl", include_str!("zh/sql.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

fn bundle(language: Language) -> &'static Bundle {
    // Each built when first used: a run in one language never parses the other's files.
    static BUNDLES: [OnceLock<Bundle>; 2] = [OnceLock::new(), OnceLock::new()];
    BUNDLES[language as usize].get_or_init(|| build_bundle(language))
}

fn build_bundle(language: Language) -> Bundle {
    let locale = match language {
        Language::English => "en-US",
        Language::Chinese => "zh-CN",
    };
    let mut bundle = FluentBundle::new_concurrent(vec![locale.parse().unwrap_or_default()]);
    // Marks around each argument help right-to-left scripts and only clutter these two.
    bundle.set_use_isolating(false);
    for (_, _, text) in CATALOGUES.iter().filter(|(l, _, _)| *l == language) {
        // A broken catalogue is caught by the tests; at run time its good messages still count.
        let resource = FluentResource::try_new(text.to_string()).unwrap_or_else(|(partial, _)| partial);
        bundle.add_resource_overriding(resource);
    }
    bundle
}

/// The catalogues' files with their text, for the tests that check them.
pub fn catalogue_files() -> impl Iterator<Item = (Language, &'static str, &'static str)> {
    CATALOGUES.iter().copied()
}

#[cfg(test)]
mod tests;
