//! The studio page: one HTML document with its styles and script inline (nothing fetched
//! from elsewhere), and the words it shows in the server's language. Words with values
//! carry `{name}` places the script fills in.

use crate::messages::Message;
use crate::msg;

const HTML: &str = include_str!("page/studio.html");
const CSS: &str = include_str!("page/studio.css");
const JS: &str = include_str!("page/studio.js");

/// The words the page shows, by the keys its script uses.
fn words() -> Vec<(&'static str, Message)> {
    vec![
        ("title", msg!("studio-title")),
        ("save", msg!("studio-save")),
        ("saved", msg!("studio-saved")),
        ("unsaved", msg!("studio-unsaved")),
        ("has-errors", msg!("studio-has-errors")),
        ("conflict", msg!("studio-conflict")),
        ("changed-on-disk", msg!("studio-changed-on-disk")),
        ("reload", msg!("studio-reload")),
        ("close", msg!("studio-close")),
        ("request-failed", msg!("studio-request-failed", reason = "{reason}")),
        ("summary", msg!("studio-summary", customers = "{customers}", ms = "{ms}", errors = "{errors}")),
        ("no-problems", msg!("studio-no-problems")),
        ("segment", msg!("studio-segment")),
        ("customers", msg!("studio-customers")),
        ("share", msg!("studio-share")),
        ("change", msg!("studio-change")),
        ("no-segment", msg!("studio-no-segment")),
        ("tags", msg!("studio-tags")),
        ("crosstab", msg!("studio-crosstab")),
        ("moves", msg!("studio-moves")),
        ("no-moves", msg!("studio-no-moves")),
        ("from-to", msg!("studio-from-to")),
        ("listed", msg!("studio-listed", total = "{total}", shown = "{shown}")),
        ("as-of", msg!("studio-as-of", date = "{date}")),
        ("why", msg!("studio-why", id = "{id}")),
    ]
}

/// The studio page in the current language.
pub fn studio_page() -> String {
    let words: serde_json::Map<String, serde_json::Value> =
        words().into_iter().map(|(key, message)| (key.to_string(), message.to_string().into())).collect();
    // Inside a <script> element, `</` would end it early.
    let words = serde_json::Value::Object(words).to_string().replace("</", "<\\/");
    let language = match crate::messages::language() {
        crate::messages::Language::Chinese => "zh",
        crate::messages::Language::English => "en",
    };
    HTML.replace("{{LANG}}", language)
        .replace("{{TITLE}}", &msg!("studio-title").to_string())
        .replace("{{CSS}}", CSS)
        .replace("{{WORDS}}", &words)
        .replace("{{JS}}", JS)
}
