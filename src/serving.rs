//! Serving HTTP/1 connections for this program's servers (the sandbox, `token serve`): a
//! header read timeout, bounded body reads, reaping, a graceful stop, and a way for a handler
//! to cut the connection its request came on (`HangUp`), also after an upgrade; [`Running`]
//! holds a server serving in the background and stops it.
//!
//! Connections are served with hyper directly (not `axum::serve`) so a request's service can
//! return an error and have hyper close the socket without writing a response (the sandbox's
//! dropped-connection fault).

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use futures_util::StreamExt;
use futures_util::task::AtomicWaker;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// How long a stop lets in-flight requests finish before cutting them off.
const GRACE: Duration = Duration::from_secs(5);
/// A client that opens a connection and sends no complete request head within this is cut
/// off, so idle sockets cannot pile up.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// Accepts connections until `shutdown` turns true (or its sender goes away), answering each
/// request with `handler`; then lets open connections finish their current request, for at
/// most [`GRACE`]. A handler's `Err` makes hyper drop that connection unanswered.
pub async fn serve<H, F, E>(listener: TcpListener, handler: H, mut shutdown: watch::Receiver<bool>)
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Response<Body>, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = stopped(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(connection(stream, handler.clone(), shutdown.clone()));
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

/// A server serving in a background task (the sandbox's, `token serve`'s). Dropping it asks
/// the server to stop; [`stop`](Running::stop) also waits until it has.
#[derive(Debug)]
pub struct Running {
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Running {
    /// Spawns `serve` on the current tokio runtime, handing it the receiver that turns true
    /// when the server should stop (for [`serve`]).
    pub fn spawn<S, F>(serve: S) -> Running
    where
        S: FnOnce(watch::Receiver<bool>) -> F,
        F: Future<Output = ()> + Send + 'static,
    {
        let (shutdown, watch) = watch::channel(false);
        Running {
            shutdown,
            task: Some(tokio::spawn(serve(watch))),
        }
    }

    /// Stops accepting, lets in-flight requests finish (a few seconds at most) and waits for
    /// the server task to end.
    pub async fn stop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Without `stop`, the server still winds down on its own in the background.
        let _ = self.shutdown.send(true);
    }
}

/// Resolves once shutdown is asked for (or nobody can ask any more). The borrow of the
/// watched value ends here, so callers' futures stay `Send`.
pub async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

async fn connection<H, F, E>(stream: TcpStream, handler: H, mut shutdown: watch::Receiver<bool>)
where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Result<Response<Body>, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let _ = stream.set_nodelay(true);
    let hang_up = HangUp::default();
    let stream = Cuttable {
        inner: stream,
        hang_up: hang_up.clone(),
    };
    let service = service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(hang_up.clone());
        handler(request)
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    // Upgrades: the sandbox's Client SDK session (`/v2/rtc/`) is a websocket.
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

/// Rides in every request's extensions: ends the connection the request came on, also after
/// an upgrade, when the HTTP server no longer holds it. A websocket that a handler has
/// refused is cut this way (Socket.IO can leave a namespace but keeps the transport open).
#[derive(Debug, Clone, Default)]
pub struct HangUp(Arc<HangUpState>);

#[derive(Debug, Default)]
struct HangUpState {
    cut: AtomicBool,
    reader: AtomicWaker,
}

impl HangUp {
    /// The connection reads as ended from now on, so whoever reads it closes it.
    pub fn hang_up(&self) {
        self.0.cut.store(true, Ordering::Release);
        self.0.reader.wake();
    }

    fn is_cut(&self) -> bool {
        self.0.cut.load(Ordering::Acquire)
    }
}

/// A connection whose reads end (EOF) once its [`HangUp`] is used; writes go on, so what was
/// said before the cut still reaches the client.
struct Cuttable<S> {
    inner: S,
    hang_up: HangUp,
}

impl<S: AsyncRead + Unpin> AsyncRead for Cuttable<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.hang_up.0.reader.register(cx.waker());
        if self.hang_up.is_cut() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Cuttable<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Why a request's body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// It had not fully arrived within the time limit: answer 408 and close.
    Late,
    /// The connection broke while reading it: drop the connection.
    Broken,
}

/// Reads the whole body first, at most one byte past `max` (so the router can tell "too
/// large" and answer 413 in its own words), within `limit`.
pub async fn read_body(
    request: Request<Incoming>,
    max: usize,
    limit: Duration,
) -> Result<Request<Body>, BodyError> {
    let (parts, body) = request.into_parts();
    let mut stream = Body::new(body).into_data_stream();
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(limit, async {
        while let Some(chunk) = stream.next().await {
            bytes.extend_from_slice(&chunk?);
            if bytes.len() > max {
                break;
            }
        }
        Ok::<(), axum::Error>(())
    })
    .await;
    match read {
        Ok(Ok(())) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Ok(Err(_)) => Err(BodyError::Broken),
        Err(_) => Err(BodyError::Late),
    }
}

/// Whether only this machine can reach `ip`: 127.0.0.0/8, `::1`, and the IPv4-mapped
/// `::ffff:127.x.y.z` (`Ipv6Addr::is_loopback` is true for `::1` alone).
pub fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// The address clients should use: a wildcard bind is reached through loopback.
pub fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv6Addr::LOCALHOST, addr.port()))
        }
        _ => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses_include_the_ipv4_mapped_ones() {
        for ip in ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "0.0.0.0",
            "::",
            "192.168.1.20",
            "::ffff:192.168.1.20",
            "::2",
        ] {
            assert!(!is_loopback(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn wildcard_binds_are_reached_on_loopback() {
        assert_eq!(
            reachable("0.0.0.0:8080".parse().unwrap()).to_string(),
            "127.0.0.1:8080"
        );
        assert_eq!(
            reachable("[::]:80".parse().unwrap()).to_string(),
            "[::1]:80"
        );
        assert_eq!(
            reachable("127.0.0.2:1".parse().unwrap()).to_string(),
            "127.0.0.2:1"
        );
    }
}
