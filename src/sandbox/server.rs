//! Serving the sandbox's router over `crate::serving` (header timeout, graceful stop), with
//! its bounded body read answered in the path's error style, and faults applied: a fault can
//! drop a connection after the request was processed (the service returns an error and hyper
//! closes the socket without writing a response).

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, header};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use super::errors::{ApiError, Style};
use super::extract::MAX_BODY;
use super::faults::Faults;
use crate::serving::{self, BodyError};

/// A request whose body has not fully arrived within this is answered 408 and its
/// connection closed: a stalled body cannot hold a connection (and its buffer) forever.
pub(crate) const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The error a request's service returns to make hyper drop the connection unanswered.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

/// Serves `router` until `shutdown` turns true (see [`serving::serve`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    faults: Faults,
    shutdown: watch::Receiver<bool>,
) {
    let handler = move |request| handle(router.clone(), faults.clone(), request);
    serving::serve(listener, handler, shutdown).await;
}

/// Reads the whole body first, at most one byte past [`MAX_BODY`] (the router answers 413
/// for that, in the path's style), within `limit`; a late body is answered 408 with
/// `Connection: close`, a broken one drops the connection.
async fn read_body(
    request: Request<Incoming>,
    limit: Duration,
) -> Result<Request<Body>, Result<Response<Body>, DropConnection>> {
    let style = Style::for_path(request.uri().path());
    match serving::read_body(request, MAX_BODY, limit).await {
        Ok(request) => Ok(request),
        Err(BodyError::Broken) => Err(Err(DropConnection)),
        Err(BodyError::Late) => {
            let mut answer = ApiError::body_timeout(style, limit.as_secs()).into_response();
            answer
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            Err(Ok(answer))
        }
    }
}

/// One request: its body read (within [`BODY_TIMEOUT`]), faults (delay, forced status), then
/// the router, then maybe a drop.
async fn handle(
    router: Router,
    faults: Faults,
    request: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
    let request = match read_body(request, BODY_TIMEOUT).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let plan = faults.plan(request.method().as_str(), request.uri().path());
    if !plan.delay.is_zero() {
        tokio::time::sleep(plan.delay).await;
    }
    if let Some((code, retry_after)) = plan.status {
        let style = Style::for_path(request.uri().path());
        return Ok(ApiError::fault(style, code, retry_after).into_response());
    }
    let response = match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if plan.drop {
        // The handler has run to completion (state changed and saved); now lose the answer.
        return Err(DropConnection);
    }
    if plan.hold {
        // Processed and saved, but the answer never leaves: the client waits until it gives
        // up or is killed. Stopping the server cuts this connection after the grace period.
        std::future::pending::<()>().await;
    }
    Ok(response)
}
