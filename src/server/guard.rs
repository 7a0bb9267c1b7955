//! Who may talk to the server: requests must name the address it serves in their `Host`
//! header (a page on another site that rebinds its own name to 127.0.0.1 is refused), and
//! every `/api/` request must carry the token printed when the server started (in the
//! `X-Tradeseg-Token` header, or `?token=` where a browser cannot set headers), so no other
//! site or local program that has not been given the URL can read or write through it.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// What a request must show.
#[derive(Debug, Clone)]
pub struct Guard {
    /// `Host` values accepted (lower case, with the port).
    hosts: Vec<String>,
    /// Any `Host` is accepted (the server listens on every address, as asked).
    any_host: bool,
    token: String,
}

/// The header that carries the token.
pub const TOKEN_HEADER: &str = "x-tradeseg-token";

impl Guard {
    /// A guard for a server listening on `addr`, with `token`.
    pub fn new(addr: SocketAddr, token: String) -> Guard {
        let port = addr.port();
        let mut hosts =
            vec![format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}")];
        hosts.push(match addr {
            SocketAddr::V4(v4) => format!("{}:{port}", v4.ip()),
            SocketAddr::V6(v6) => format!("[{}]:{port}", v6.ip()),
        });
        Guard { hosts, any_host: addr.ip().is_unspecified(), token }
    }

    /// The token.
    pub fn token(&self) -> &str {
        &self.token
    }

    fn host_ok(&self, request: &Request) -> bool {
        if self.any_host {
            return true;
        }
        let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
        host.is_some_and(|h| self.hosts.iter().any(|ok| ok.eq_ignore_ascii_case(h)))
    }

    fn token_ok(&self, request: &Request) -> bool {
        let given =
            request.headers().get(TOKEN_HEADER).and_then(|h| h.to_str().ok()).map(str::to_string).or_else(
                || {
                    request
                        .uri()
                        .query()?
                        .split('&')
                        .find_map(|pair| pair.strip_prefix("token=").map(str::to_string))
                },
            );
        given.is_some_and(|given| same(given.as_bytes(), self.token.as_bytes()))
    }
}

/// Compares without stopping at the first difference, so timing does not tell how much
/// of a guess was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new random token: 128 bits, as hex.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The middleware: refuses a foreign `Host` (421) and an API request without the token (401).
pub async fn check(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    if !guard.host_ok(&request) {
        let text = crate::msg!("server-wrong-host").to_string();
        return (StatusCode::MISDIRECTED_REQUEST, text).into_response();
    }
    if request.uri().path().starts_with("/api/") && !guard.token_ok(&request) {
        let text = crate::msg!("server-needs-token").to_string();
        return (StatusCode::UNAUTHORIZED, text).into_response();
    }
    next.run(request).await
}
