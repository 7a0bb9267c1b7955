//! The studio and the HTTP API: `tradeseg studio` serves a page where a rule author edits a
//! ruleset and sees, as they type, how many customers each segment gets and who would move
//! compared with the saved file; `tradeseg serve` answers programs (a CRM) that ask where
//! customers belong. Both are one [`axum`] router over the library ([`workspace`] for the
//! studio's ruleset and data, [`segment`] for records sent in, both counting with
//! [`crate::assignments`]), behind a [`guard`] that
//! accepts only requests for the address served and, for the API, with the token the
//! server printed when it started. The routes are in docs/api.md.

pub mod guard;
mod page;
pub mod routes;
pub mod segment;
mod watch;
pub mod workspace;

pub use page::studio_page;
pub use watch::watch_folder;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use guard::Guard;
use routes::AppState;
use std::sync::Arc;

/// The largest request body the studio's routes take: a ruleset and a little JSON.
pub const STUDIO_BODY_LIMIT: usize = 9 << 20;
/// The largest batch of records `/api/segment` takes.
pub const SEGMENT_BODY_LIMIT: usize = 32 << 20;

/// The router: the studio's page and routes when there is a workspace, `/api/segment` when
/// there is a segmenter, all behind `guard`.
pub fn router(state: AppState, guard: Guard) -> Router {
    let mut app = Router::new();
    if state.workspace.is_some() {
        app = app
            .route("/", get(routes::page))
            .route("/api/rules", get(routes::rules))
            .route("/api/evaluate", post(routes::evaluate))
            .route("/api/customers", post(routes::customers))
            .route("/api/explain", post(routes::explain_text))
            .route("/api/customers/{id}/explain", get(routes::explain_saved))
            .route("/api/save", post(routes::save))
            .route("/api/changes", get(routes::changes))
            .layer(DefaultBodyLimit::max(STUDIO_BODY_LIMIT));
    }
    if state.segmenter.is_some() {
        let segment = Router::new()
            .route("/api/segment", post(routes::segment))
            .layer(DefaultBodyLimit::max(SEGMENT_BODY_LIMIT));
        app = app.merge(segment);
    }
    let guard = Arc::new(guard);
    app.with_state(state).layer(axum::middleware::from_fn_with_state(guard, guard::check))
}
