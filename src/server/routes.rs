//! The HTTP API (docs/api.md): what each route takes and answers. Work that takes time
//! (evaluating a ruleset over the data) runs on the blocking pool, off the threads that
//! serve connections.

use super::segment::Segmenter;
use super::workspace::{version, SaveRefused, Selection, Unexplained, Workspace};
use axum::extract::{FromRequest, FromRequestParts, Path as UrlPath, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast;

/// What the routes share.
#[derive(Clone)]
pub struct AppState {
    /// The studio's ruleset and data; `None` for `serve`, which has no data.
    pub workspace: Option<Arc<Workspace>>,
    /// The saved ruleset, hot-reloaded, for `/api/segment`.
    pub segmenter: Option<Arc<Segmenter>>,
    /// Tells open pages that the ruleset's folder changed on disk.
    pub changes: broadcast::Sender<()>,
    /// The studio page, in the server's language.
    pub page: Arc<String>,
}

impl AppState {
    /// The state of `tradeseg studio`: the workspace, and the page in the current language.
    pub fn studio(workspace: Arc<Workspace>, changes: broadcast::Sender<()>) -> AppState {
        let page = Arc::new(super::studio_page());
        AppState { workspace: Some(workspace), segmenter: None, changes, page }
    }

    /// The state of `tradeseg serve`: records segmented by `segmenter`, no page.
    pub fn serve(segmenter: Arc<Segmenter>) -> AppState {
        let (changes, _) = broadcast::channel(1);
        AppState { workspace: None, segmenter: Some(segmenter), changes, page: Arc::new(String::new()) }
    }
}

/// An error answer: a status and a message in the server's language.
fn refuse(status: StatusCode, message: crate::messages::Message) -> Response {
    (status, Json(json!({ "error": message.to_string(), "code": message.id() }))).into_response()
}

/// The studio's workspace, for the routes that need it (404 under `serve`, which has none).
pub struct Studio(Arc<Workspace>);

impl FromRequestParts<AppState> for Studio {
    type Rejection = Response;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Studio, Response> {
        state
            .workspace
            .clone()
            .map(Studio)
            .ok_or_else(|| refuse(StatusCode::NOT_FOUND, crate::msg!("server-no-data")))
    }
}

/// A JSON body; one that is not what the route takes is refused in the server's language:
/// 400, or 413 when too large.
pub struct Body<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Body<T>, Response> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(body)) => Ok(Body(body)),
            Err(rejection) => {
                let status = match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
                    _ => StatusCode::BAD_REQUEST,
                };
                Err(refuse(status, crate::msg!("server-bad-json", reason = rejection.body_text())))
            }
        }
    }
}

/// Runs `work` on the blocking pool.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Response> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        refuse(StatusCode::INTERNAL_SERVER_ERROR, crate::msg!("studio-run-failed", reason = e.to_string()))
    })
}

/// `GET /`: the studio page.
pub async fn page(State(state): State<AppState>) -> Response {
    let policy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                  connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    (
        [(header::CONTENT_SECURITY_POLICY, policy), (header::CACHE_CONTROL, "no-store")],
        Html(state.page.as_str().to_string()),
    )
        .into_response()
}

/// `GET /api/rules`: the ruleset on disk.
pub async fn rules(Studio(workspace): Studio) -> Response {
    match workspace.saved_text() {
        Ok(text) => Json(json!({
            "file": workspace.source_name(),
            "version": version(&text),
            "text": text,
        }))
        .into_response(),
        Err(e) => refuse(
            StatusCode::NOT_FOUND,
            crate::msg!("cannot-read-ruleset", path = workspace.file_name(), reason = e.to_string()),
        ),
    }
}

/// The body of `POST /api/evaluate`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateBody {
    rules: String,
    /// Two dimensions to cross-tabulate (default: the first two).
    #[serde(default)]
    crosstab: Option<[String; 2]>,
}

/// `POST /api/evaluate`: counts, tags, cross-tab and moves for a ruleset text.
pub async fn evaluate(Studio(workspace): Studio, Body(body): Body<EvaluateBody>) -> Response {
    let done = blocking(move || {
        let pair = body.crosstab.as_ref().map(|[a, b]| (a.as_str(), b.as_str()));
        workspace.evaluate(&body.rules, pair)
    })
    .await;
    match done {
        Ok(evaluation) => Json(evaluation).into_response(),
        Err(r) => r,
    }
}

/// The body of `POST /api/customers`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomersBody {
    rules: String,
    #[serde(default)]
    dimension: Option<String>,
    /// A segment's name; `null` for customers in none.
    #[serde(default)]
    segment: Option<Value>,
    #[serde(default)]
    tag: Option<String>,
    /// With `to`: customers the saved ruleset puts in `from` and the text in `to`.
    #[serde(default)]
    from: Option<Value>,
    #[serde(default)]
    to: Option<Value>,
    #[serde(default = "default_limit")]
    limit: usize,
}

fn default_limit() -> usize {
    200
}

/// A segment named in a request: a string, or `null` for "no segment".
fn segment_name(value: &Value) -> Option<Option<String>> {
    match value {
        Value::Null => Some(None),
        Value::String(s) => Some(Some(s.clone())),
        _ => None,
    }
}

/// `POST /api/customers`: the customers in a segment, with a tag, or who moved.
pub async fn customers(Studio(workspace): Studio, Body(body): Body<CustomersBody>) -> Response {
    let selection = match (&body.dimension, &body.segment, &body.tag, &body.from, &body.to) {
        (Some(d), Some(s), None, None, None) => {
            segment_name(s).map(|segment| Selection::Segment { dimension: d.clone(), segment })
        }
        (None, None, Some(tag), None, None) => Some(Selection::Tag(tag.clone())),
        (Some(d), None, None, Some(from), Some(to)) => match (segment_name(from), segment_name(to)) {
            (Some(from), Some(to)) => Some(Selection::Moved { dimension: d.clone(), from, to }),
            _ => None,
        },
        _ => None,
    };
    let Some(selection) = selection else {
        return refuse(StatusCode::BAD_REQUEST, crate::msg!("server-bad-selection"));
    };
    let limit = body.limit.min(10_000);
    match blocking(move || workspace.list(&body.rules, &selection, limit)).await {
        Ok(Some(listing)) => Json(listing).into_response(),
        Ok(None) => refuse(StatusCode::UNPROCESSABLE_ENTITY, crate::msg!("server-nothing-to-list")),
        Err(r) => r,
    }
}

/// The body of `POST /api/explain`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplainBody {
    rules: String,
    id: String,
}

/// `POST /api/explain`: why the text puts a customer where it does.
pub async fn explain_text(Studio(workspace): Studio, Body(body): Body<ExplainBody>) -> Response {
    explained(workspace, Some(body.rules), body.id).await
}

/// `GET /api/customers/{id}/explain`: why the saved ruleset puts a customer where it does.
pub async fn explain_saved(Studio(workspace): Studio, UrlPath(id): UrlPath<String>) -> Response {
    explained(workspace, None, id).await
}

async fn explained(workspace: Arc<Workspace>, rules: Option<String>, id: String) -> Response {
    let done = blocking(move || {
        let text = match rules {
            Some(text) => text,
            None => workspace.saved_text().unwrap_or_default(),
        };
        workspace.explain(&text, &id)
    })
    .await;
    match done {
        Ok(Ok(explanation)) => Json(explanation).into_response(),
        Ok(Err(Unexplained::DoesNotRun)) => {
            refuse(StatusCode::UNPROCESSABLE_ENTITY, crate::msg!("server-nothing-to-list"))
        }
        Ok(Err(Unexplained::NotFound)) => {
            refuse(StatusCode::NOT_FOUND, crate::msg!("server-no-such-customer"))
        }
        Ok(Err(Unexplained::Failed(e))) => {
            refuse(StatusCode::UNPROCESSABLE_ENTITY, crate::msg!("studio-run-failed", reason = e.to_string()))
        }
        Err(r) => r,
    }
}

/// The body of `POST /api/save`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    rules: String,
    /// The version of the file the edit started from (from `/api/rules`); the save is
    /// refused if the file has changed since.
    #[serde(default)]
    version: Option<String>,
}

/// `POST /api/save`: writes the ruleset file atomically.
pub async fn save(
    State(state): State<AppState>,
    Studio(workspace): Studio,
    Body(body): Body<SaveBody>,
) -> Response {
    if body.rules.len() as u64 > crate::access::RULESET_LIMIT {
        let message = crate::msg!("ruleset-too-large", limit = crate::access::RULESET_LIMIT);
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, message);
    }
    let done = blocking(move || {
        workspace.save(&body.rules, body.version.as_deref()).map_err(|refused| match refused {
            SaveRefused::Changed => refuse(StatusCode::CONFLICT, crate::msg!("server-changed-on-disk")),
            SaveRefused::Io(e) => {
                let (path, reason) = (workspace.file_name(), crate::messages::io_error(&e));
                refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    crate::msg!("cannot-write-file", path = path, reason = reason),
                )
            }
        })
    })
    .await;
    match done {
        Ok(Ok(version)) => {
            let _ = state.changes.send(());
            Json(json!({ "saved": true, "version": version })).into_response()
        }
        Ok(Err(r)) | Err(r) => r,
    }
}

/// `GET /api/changes`: server-sent events, one `changed` each time the ruleset's folder
/// changes on disk.
pub async fn changes(
    State(state): State<AppState>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.changes.subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        match receiver.recv().await {
            Ok(()) | Err(broadcast::error::RecvError::Lagged(_)) => {
                Some((Ok(Event::default().event("changed").data("{}")), receiver))
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// The query of `POST /api/segment`.
#[derive(Deserialize)]
pub struct SegmentQuery {
    #[serde(default)]
    as_of: Option<String>,
}

/// `POST /api/segment`: a JSON array of customer records segmented by the saved ruleset.
pub async fn segment(
    State(state): State<AppState>,
    Query(query): Query<SegmentQuery>,
    body: axum::body::Bytes,
) -> Response {
    let Some(segmenter) = state.segmenter.clone() else {
        return refuse(StatusCode::NOT_FOUND, crate::msg!("server-no-rules"));
    };
    let as_of = match query.as_of.as_deref().map(|d| crate::date::parse(d).ok_or(d)) {
        None => None,
        Some(Ok(day)) => Some(day),
        Some(Err(text)) => return refuse(StatusCode::BAD_REQUEST, crate::msg!("not-a-date", text = text)),
    };
    match blocking(move || segmenter.segment(body, as_of)).await {
        Ok(Ok(rows)) => Json(rows).into_response(),
        Ok(Err(message)) => refuse(StatusCode::BAD_REQUEST, message),
        Err(r) => r,
    }
}
