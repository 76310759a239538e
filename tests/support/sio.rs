//! A raw Socket.IO client (Engine.IO 4 over a websocket, tokio-tungstenite) for the
//! sandbox's Client SDK session at `/v2/rtc/`: connect with a query, read events (answering
//! pings), send raw frames. It speaks only what the tests need and hides nothing.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

pub use tokio_tungstenite::tungstenite::Error as WsError;

/// How long a read waits by default.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server sent, as the tests see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `42["type", data]`
    Event(String, Value),
    /// `41`: the server disconnected the socket from the namespace.
    Disconnect,
    /// The websocket closed (or broke).
    Closed,
    /// Nothing within the time asked for.
    Silence,
}

/// An open Engine.IO websocket that has joined the `/` namespace.
pub struct Sio {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The Engine.IO session id from the open packet.
    pub engine_sid: String,
}

/// `ws://…/v2/rtc/?EIO=4&transport=websocket&{query}` for a sandbox at `base` (`http://…`).
pub fn url(base: &str, query: &str) -> String {
    let host = base.strip_prefix("http://").unwrap_or(base);
    let sep = if query.is_empty() { "" } else { "&" };
    format!("ws://{host}/v2/rtc/?EIO=4&transport=websocket{sep}{query}")
}

/// The URL-encoded `token=…` parameter.
pub fn token_query(token: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token)
        .finish()
}

/// Opens the websocket only (the handshake's outcome, no Socket.IO connect).
pub async fn open_ws(url: &str) -> Result<WebSocketStream<MaybeTlsStream<TcpStream>>, WsError> {
    connect_async(url).await.map(|(ws, _response)| ws)
}

impl Sio {
    /// Opens the websocket, reads the Engine.IO open packet and joins `/` (`40`, answered
    /// `40{"sid":…}`). Panics if the server does not speak Engine.IO 4.
    pub async fn connect(base: &str, query: &str) -> Result<Sio, WsError> {
        let mut ws = open_ws(&url(base, query)).await?;
        let open = next_text(&mut ws, READ_TIMEOUT)
            .await
            .expect("no Engine.IO open packet");
        let handshake: Value = serde_json::from_str(
            open.strip_prefix('0')
                .unwrap_or_else(|| panic!("not an open packet: {open}")),
        )
        .unwrap();
        let engine_sid = handshake["sid"].as_str().unwrap().to_owned();
        assert!(handshake["pingInterval"].is_u64(), "{handshake}");
        ws.send(Message::text("40")).await?;
        let mut sio = Sio { ws, engine_sid };
        let connected = sio
            .raw_frame(READ_TIMEOUT)
            .await
            .expect("no connect answer");
        assert!(
            connected.starts_with("40"),
            "not a connect answer: {connected}"
        );
        Ok(sio)
    }

    /// The next text frame that is not a ping (pings are answered), raw.
    pub async fn raw_frame(&mut self, limit: Duration) -> Option<String> {
        loop {
            let text = next_text(&mut self.ws, limit).await?;
            if text == "2" {
                let _ = self.ws.send(Message::text("3")).await;
                continue;
            }
            return Some(text);
        }
    }

    /// The next event, disconnect or close within `limit`.
    pub async fn next(&mut self, limit: Duration) -> Frame {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return Frame::Silence;
            }
            match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return Frame::Silence,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return Frame::Closed,
                Ok(Some(Ok(Message::Text(text)))) => {
                    let text = text.as_str();
                    if text == "2" {
                        let _ = self.ws.send(Message::text("3")).await;
                    } else if text.starts_with("41") {
                        return Frame::Disconnect;
                    } else if text == "1" {
                        return Frame::Closed;
                    } else if let Some(rest) = text.strip_prefix("42") {
                        let array: Value = serde_json::from_str(rest)
                            .unwrap_or_else(|e| panic!("bad event {text}: {e}"));
                        let name = array[0].as_str().unwrap().to_owned();
                        return Frame::Event(name, array[1].clone());
                    }
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The next event, which must be one.
    pub async fn event(&mut self) -> (String, Value) {
        match self.next(READ_TIMEOUT).await {
            Frame::Event(name, data) => (name, data),
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// Sends a raw text frame.
    pub async fn send_raw(&mut self, text: String) -> Result<(), WsError> {
        self.ws.send(Message::text(text)).await
    }

    /// Emits `42["name", data]`.
    pub async fn emit(&mut self, name: &str, data: &Value) -> Result<(), WsError> {
        self.send_raw(format!("42{}", serde_json::json!([name, data])))
            .await
    }

    /// Closes the websocket.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// The next text frame within `limit`; `None` on close, error or timeout.
async fn next_text(
    ws: &mut WebSocketStream<MaybeTlsStream<TcpStream>>,
    limit: Duration,
) -> Option<String> {
    loop {
        match tokio::time::timeout(limit, ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return Some(text.as_str().to_owned()),
            Ok(Some(Ok(Message::Close(_)) | Err(_)) | None) | Err(_) => return None,
            Ok(Some(Ok(_))) => {}
        }
    }
}
