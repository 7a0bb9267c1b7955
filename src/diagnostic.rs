//! Diagnostics as data: what went wrong, where, and what might fix it. Every phase
//! (load, parse, check, bind) reports through [`Diagnostic`]; rendering to text with the
//! source line and a caret happens only when someone asks for it.

use crate::messages::Message;
use crate::source::{Sources, Span};
use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::term::{self, Config};

/// Why a ruleset was refused, at whichever step: loading (a file or a syntax error),
/// checking (names and types), binding to the data's columns, or compiling its scripts.
/// Every diagnostic, with the sources they point into; `Display` renders each with its
/// source line and a caret.
#[derive(Debug, Clone)]
pub struct RulesError {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
}

impl RulesError {
    /// Diagnostics with no place in a ruleset (a watcher that failed, a missing file).
    pub fn general(message: Message) -> RulesError {
        RulesError { sources: Sources::new(), diagnostics: vec![Diagnostic::general(message)] }
    }
}

impl std::fmt::Display for RulesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(render_all(&self.diagnostics, &self.sources).trim_end())
    }
}

impl std::error::Error for RulesError {}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a ruleset or in how it meets the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Short, lowercase, the user's own words in backticks. Its id is the diagnostic's
    /// code (`unknown-column`), the same in every language.
    pub message: Message,
    /// Where, when the problem has a place in a ruleset file.
    pub span: Option<Span>,
    /// Said under the caret.
    pub label: Option<Message>,
    /// Further places worth showing, each with its own label.
    pub related: Vec<(Span, Message)>,
    /// Suggestions, shown as `help: …`.
    pub help: Vec<Message>,
}

impl Diagnostic {
    /// An error at a place.
    pub fn error(span: Span, message: Message) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message,
            span: Some(span),
            label: None,
            related: Vec::new(),
            help: Vec::new(),
        }
    }

    /// An error with no place in a ruleset (a missing file given on the command line).
    pub fn general(message: Message) -> Diagnostic {
        Diagnostic { span: None, ..Diagnostic::error(Span::default(), message) }
    }

    /// A warning at a place.
    pub fn warning(span: Span, message: Message) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(span, message) }
    }

    /// Sets the text under the caret.
    pub fn label(mut self, label: Message) -> Diagnostic {
        self.label = Some(label);
        self
    }

    /// Adds a `help:` line.
    pub fn help(mut self, help: Message) -> Diagnostic {
        self.help.push(help);
        self
    }

    /// Adds another place to show.
    pub fn related(mut self, span: Span, label: Message) -> Diagnostic {
        self.related.push((span, label));
        self
    }

    /// True for errors, false for warnings.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column: message`, one line, for logs and callbacks.
    pub fn one_line(&self, sources: &Sources) -> String {
        match self.span {
            Some(span) => {
                let (line, column) = sources.line_column(span);
                format!("{}:{line}:{column}: {}", sources.name(span.file), self.message)
            }
            None => self.message.to_string(),
        }
    }

    /// The form codespan-reporting renders.
    pub fn to_report(&self) -> Report<usize> {
        let report = match self.severity {
            Severity::Error => Report::error(),
            Severity::Warning => Report::warning(),
        };
        let mut labels = Vec::new();
        if let Some(span) = self.span {
            let label = self.label.as_ref().map(Message::to_string).unwrap_or_default();
            labels.push(Label::primary(span.file, span.range()).with_message(label));
        }
        for (span, label) in &self.related {
            labels.push(Label::secondary(span.file, span.range()).with_message(label.to_string()));
        }
        report
            .with_message(self.message.to_string())
            .with_code(self.message.id())
            .with_labels(labels)
            .with_notes(
                self.help
                    .iter()
                    .map(|h| crate::msg!("line-help-top", message = h.clone()).to_string())
                    .collect(),
            )
    }

    /// Renders as plain text: `file:line:column`, the source line, a caret, help.
    pub fn render(&self, sources: &Sources) -> String {
        term::emit_into_string(&Config::default(), sources.files(), &self.to_report())
            .unwrap_or_else(|_| format!("{}\n", self.one_line(sources)))
    }
}

/// Renders several diagnostics as plain text, one after another.
pub fn render_all(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    diagnostics.iter().map(|d| d.render(sources)).collect()
}

/// Values longer than this many bytes are cut in messages.
pub const EXCERPT_BYTES: usize = 200;

/// A value as a message shows it: whole when short, else its start and its length, so
/// that a 50 MB cell neither floods the terminal nor is copied whole into memory.
pub fn excerpt(text: &str) -> String {
    excerpt_bytes(text.as_bytes())
}

/// [`excerpt`] of bytes that may not be valid UTF-8.
pub fn excerpt_bytes(bytes: &[u8]) -> String {
    if bytes.len() <= EXCERPT_BYTES {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut start = String::from_utf8_lossy(&bytes[..80]).into_owned();
    // A character cut in two at the end shows as a replacement mark: drop it.
    if start.ends_with('\u{FFFD}') {
        start.pop();
    }
    format!("{start}… ({} bytes in all)", bytes.len())
}

/// Diagnostics as JSON for editors and other tools: one object each with the file, the
/// 1-based line and column of the start and of the end (columns count characters), the
/// severity (`error` or `warning`), the code (the message's catalogue id, the same in every
/// language), the message, the label under the caret, the further
/// places (`related`, each with its own place and label), the suggested fixes (`help`) and
/// the first of them alone (`fix`, null when there is none).
/// A diagnostic with no place in a ruleset has `file` null and no line or column.
pub fn to_json(diagnostics: &[Diagnostic], sources: &Sources) -> serde_json::Value {
    let place = |span: Span| {
        let (line, column) = sources.line_column(span);
        let end = Span::new(span.file, span.end as usize..span.end as usize);
        let (end_line, end_column) = sources.line_column(end);
        serde_json::json!({
            "file": sources.name(span.file),
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
        })
    };
    let one = |d: &Diagnostic| {
        let mut object = match d.span {
            Some(span) => place(span),
            None => serde_json::json!({ "file": null }),
        };
        let fields = [
            ("severity", serde_json::json!(if d.is_error() { "error" } else { "warning" })),
            ("code", serde_json::json!(d.message.id())),
            ("message", serde_json::json!(d.message.to_string())),
            ("label", serde_json::json!(d.label.as_ref().map(Message::to_string).unwrap_or_default())),
            (
                "related",
                d.related
                    .iter()
                    .map(|(span, label)| {
                        let mut at = place(*span);
                        at["label"] = serde_json::json!(label.to_string());
                        at
                    })
                    .collect(),
            ),
            ("help", d.help.iter().map(|h| serde_json::json!(h.to_string())).collect()),
            ("fix", d.help.first().map_or(serde_json::Value::Null, |h| serde_json::json!(h.to_string()))),
        ];
        for (key, value) in fields {
            object[key] = value;
        }
        object
    };
    serde_json::Value::Array(diagnostics.iter().map(one).collect())
}
