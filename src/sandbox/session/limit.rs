//! A bound on the open session connections: each websocket holds a permit from its
//! handshake until its Engine.IO socket is gone; beyond the bound a handshake is answered
//! 503 and nothing else changes.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::PATH;

/// How many session connections may be open at once.
#[derive(Debug, Clone)]
pub struct ConnectionLimit {
    permits: Arc<Semaphore>,
}

/// Rides in the handshake request's extensions, which Engine.IO keeps with the socket for
/// its whole life (`req_parts`): the permit returns when the last copy is dropped.
#[derive(Debug, Clone)]
struct Permit(#[allow(dead_code)] Arc<OwnedSemaphorePermit>);

impl ConnectionLimit {
    pub fn new(max: usize) -> Self {
        ConnectionLimit {
            permits: Arc::new(Semaphore::new(max)),
        }
    }
}

/// Middleware in front of the Socket.IO layer: a request for [`PATH`] takes a permit or
/// is refused.
pub async fn guard(
    State(limit): State<ConnectionLimit>,
    mut request: Request,
    next: Next,
) -> Response {
    if !is_session_path(request.uri().path()) {
        return next.run(request).await;
    }
    match Arc::clone(&limit.permits).try_acquire_owned() {
        Ok(permit) => {
            request.extensions_mut().insert(Permit(Arc::new(permit)));
            next.run(request).await
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [("content-type", "application/json")],
            r#"{"code":"session:error:max-open-sessions","message":"Too many open session connections."}"#,
        )
            .into_response(),
    }
}

fn is_session_path(path: &str) -> bool {
    path.strip_prefix(PATH)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}
