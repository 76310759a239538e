//! Binding, serving and graceful shutdown. Connections are served with hyper directly (not
//! `axum::serve`) so a fault can drop a connection after the request was processed: the
//! service returns an error and hyper closes the socket without writing a response.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, header};
use axum::response::IntoResponse;
use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::errors::{ApiError, Style};
use super::extract::MAX_BODY;
use super::faults::Faults;

/// How long `stop` lets in-flight requests finish before cutting them off.
const GRACE: Duration = Duration::from_secs(5);
/// A client that opens a connection and sends no complete request head within this is cut
/// off, so idle sockets cannot pile up.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
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

/// Accepts connections until `shutdown` turns true (or its sender goes away), then lets
/// open connections finish their current request, for at most [`GRACE`].
pub async fn serve(
    listener: TcpListener,
    router: Router,
    faults: Faults,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = stopped(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(connection(
                        stream,
                        router.clone(),
                        faults.clone(),
                        shutdown.clone(),
                    ));
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            // Reap finished connections so the set does not grow for the server's life.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.shutdown().await;
    }
}

/// Reads the whole body first, at most one byte past [`MAX_BODY`] (the router answers 413
/// for that, in the path's style), within `limit`; a late body is answered 408 with
/// `Connection: close`, a broken one drops the connection.
async fn read_body(
    request: Request<Incoming>,
    limit: Duration,
) -> Result<Request<Body>, Result<Response<Body>, DropConnection>> {
    let (parts, body) = request.into_parts();
    let mut stream = Body::new(body).into_data_stream();
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(limit, async {
        while let Some(chunk) = stream.next().await {
            bytes.extend_from_slice(&chunk?);
            if bytes.len() > MAX_BODY {
                break;
            }
        }
        Ok::<(), axum::Error>(())
    })
    .await;
    match read {
        Ok(Ok(())) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Ok(Err(_)) => Err(Err(DropConnection)),
        Err(_) => {
            let style = Style::for_path(parts.uri.path());
            let mut answer = ApiError::body_timeout(style, limit.as_secs()).into_response();
            answer
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            Err(Ok(answer))
        }
    }
}

/// Resolves once shutdown is asked for (or nobody can ask any more). The borrow of the
/// watched value ends here, so callers' futures stay `Send`.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

async fn connection(
    stream: TcpStream,
    router: Router,
    faults: Faults,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request: Request<Incoming>| {
        handle(router.clone(), faults.clone(), request)
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    // Upgrades: the Client SDK session's websocket (`/v2/rtc/`) is one.
    let conn = builder
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        // Errors here are the client's (reset, bad request) or a deliberate drop: nothing
        // to report, the connection is simply over.
        _ = conn.as_mut() => {}
        () = stopped(&mut shutdown) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
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
