//! The Client SDK's login as a probe (for `token doctor`): a websocket to
//! `{websocket base}/v2/rtc/` with the token in the query, the few Engine.IO 4 / Socket.IO 5
//! packets a login needs written by hand, the server's verdict, then `session:logout` and
//! close. Not a Socket.IO client: nothing else is spoken. The URL carries the token, so it
//! is never logged.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::http::{CallError, TransportFailure};
use super::{ApiError, VonageClient};

/// Where the SDK connects (its `websocketPath` default, with the slash Socket.IO adds).
const PATH: &str = "/v2/rtc/";
/// The whole login, from the TCP connect to the verdict (the SDK itself gives up after 5 s
/// without `session:success`; a slow network gets twice that).
const LOGIN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the logout's acknowledgement is waited for before the socket is closed anyway.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(3);
/// A login's packets are small; anything larger is not a session server's answer.
const MAX_MESSAGE: usize = 64 * 1024;

/// What the server said to the login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginVerdict {
    /// `session:success`: the session was opened (and has been logged out since).
    Opened {
        session_id: String,
        user_id: String,
        name: String,
    },
    /// The server refused with this event (`system:error:expired-token`, …).
    Refused {
        event: String,
        description: Option<String>,
    },
}

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

impl VonageClient {
    /// The base the Client SDK's websocket connects to (`ws://` or `wss://`).
    pub fn websocket_base(&self) -> &str {
        &self.endpoints.websocket
    }

    /// Opens a Client SDK session with `token`, reads the server's verdict, and on success
    /// logs out and closes at once.
    pub async fn try_login(&self, token: &str) -> Result<LoginVerdict, CallError> {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token)
            .append_pair("session_version", "0.0.3")
            .append_pair("SDK_name", "vonage-onboard")
            .append_pair("EIO", "4")
            .append_pair("transport", "websocket")
            .finish();
        let url = format!("{}{PATH}?{query}", self.endpoints.websocket);
        let started = std::time::Instant::now();
        let result = match tokio::time::timeout(LOGIN_TIMEOUT, login(&url)).await {
            Ok(result) => result,
            Err(_) => Err(CallError::Transport {
                failure: TransportFailure::Timeout,
                cause: format!("no verdict within {} s", LOGIN_TIMEOUT.as_secs()),
                maybe_sent: true,
            }),
        };
        // The base only: the URL holds the token.
        tracing::debug!(base = %self.endpoints.websocket, ok = result.is_ok(), elapsed_ms = started.elapsed().as_millis() as u64, "session login probe");
        result
    }
}

async fn login(url: &str) -> Result<LoginVerdict, CallError> {
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let connector = if url.starts_with("wss://") {
        Connector::Rustls(tls_config()?)
    } else {
        Connector::Plain
    };
    let (mut socket, _) =
        tokio_tungstenite::connect_async_tls_with_config(url, Some(config), true, Some(connector))
            .await
            .map_err(connect_error)?;
    let verdict = read_verdict(&mut socket).await?;
    if matches!(verdict, LoginVerdict::Opened { .. }) {
        logout(&mut socket).await;
    }
    let _ = socket.close(None).await;
    Ok(verdict)
}

/// Answers the handshake and pings until the server says `session:success` or refuses.
async fn read_verdict(socket: &mut Socket) -> Result<LoginVerdict, CallError> {
    loop {
        let text = match next_text(socket).await? {
            Some(text) => text,
            None => {
                return Err(bad_answer(
                    "the session server closed the connection before its verdict",
                ));
            }
        };
        match Packet::parse(&text) {
            Packet::Open => send(socket, "40").await?,
            Packet::Ping => send(socket, "3").await?,
            Packet::ConnectError(detail) => {
                return Ok(LoginVerdict::Refused {
                    event: "connect_error".into(),
                    description: detail,
                });
            }
            Packet::Disconnect => {
                return Err(bad_answer(
                    "the session server ended the socket before its verdict",
                ));
            }
            Packet::Event { ack, name, data } => {
                if let Some(id) = ack {
                    send(socket, &format!("43{id}[]")).await?;
                }
                if let Some(verdict) = verdict_of(&name, &data)? {
                    return Ok(verdict);
                }
            }
            Packet::Other => {}
        }
    }
}

/// The verdict an event carries, if it is one.
fn verdict_of(name: &str, data: &Value) -> Result<Option<LoginVerdict>, CallError> {
    let body = data.get("body").unwrap_or(data);
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
    if name == "session:success" {
        let (Some(session_id), Some(user_id), Some(name)) =
            (text("id"), text("user_id"), text("name"))
        else {
            return Err(bad_answer(
                "session:success without the session's id, user_id and name",
            ));
        };
        return Ok(Some(LoginVerdict::Opened {
            session_id,
            user_id,
            name,
        }));
    }
    let refusal = name.contains(":error:") || name == "session:invalid";
    Ok(refusal.then(|| LoginVerdict::Refused {
        event: name.to_owned(),
        description: text("description"),
    }))
}

/// `session:logout` with an ack id, as the SDK's `deleteSession` does; the server's ack is
/// waited for (briefly) so the session is over before the socket closes.
async fn logout(socket: &mut Socket) {
    let tid = uuid::Uuid::new_v4();
    let packet = format!(r#"421["session:logout",{{"tid":"{tid}","body":{{}}}}]"#);
    if send(socket, &packet).await.is_err() {
        return;
    }
    let acked = async {
        while let Ok(Some(text)) = next_text(socket).await {
            if text.starts_with("431") {
                return;
            }
            if Packet::parse(&text) == Packet::Ping && send(socket, "3").await.is_err() {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(LOGOUT_TIMEOUT, acked).await;
    let _ = send(socket, "41").await;
}

/// The next text message; `None` when the socket closed.
async fn next_text(socket: &mut Socket) -> Result<Option<String>, CallError> {
    loop {
        match socket.next().await {
            None => return Ok(None),
            Some(Err(e)) => return Err(broken(&e)),
            Some(Ok(Message::Text(text))) => return Ok(Some(text.as_str().to_owned())),
            Some(Ok(Message::Close(_))) => return Ok(None),
            Some(Ok(_)) => {}
        }
    }
}

async fn send(socket: &mut Socket, text: &str) -> Result<(), CallError> {
    socket
        .send(Message::text(text))
        .await
        .map_err(|e| broken(&e))
}

/// The packets a login sees: Engine.IO open (`0`) and ping (`2`); Socket.IO inside an
/// Engine.IO message (`4`): connect (`40`), disconnect (`41`), event (`42[id][…]`),
/// connect error (`44{…}`).
#[derive(Debug, PartialEq)]
enum Packet {
    Open,
    Ping,
    ConnectError(Option<String>),
    Disconnect,
    Event {
        ack: Option<u64>,
        name: String,
        data: Value,
    },
    Other,
}

impl Packet {
    fn parse(text: &str) -> Packet {
        if text.starts_with('0') {
            return Packet::Open;
        }
        if text == "2" {
            return Packet::Ping;
        }
        if text.starts_with("41") {
            return Packet::Disconnect;
        }
        if let Some(rest) = text.strip_prefix("44") {
            let detail = serde_json::from_str::<Value>(rest)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned));
            return Packet::ConnectError(detail);
        }
        let Some(rest) = text.strip_prefix("42") else {
            return Packet::Other;
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let ack = rest[..digits].parse().ok();
        let Ok(Value::Array(mut items)) = serde_json::from_str::<Value>(&rest[digits..]) else {
            return Packet::Other;
        };
        if items.is_empty() {
            return Packet::Other;
        }
        let data = if items.len() > 1 {
            items.remove(1)
        } else {
            Value::Null
        };
        match items.remove(0) {
            Value::String(name) => Packet::Event { ack, name, data },
            _ => Packet::Other,
        }
    }
}

/// TLS for `wss://`: the crypto provider and the system trust store reqwest uses too.
fn tls_config() -> Result<Arc<rustls::ClientConfig>, CallError> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|e| CallError::Transport {
            failure: TransportFailure::Connect,
            cause: format!("TLS could not be set up: {e}"),
            maybe_sent: false,
        })?
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A failed websocket handshake: an HTTP answer is the server's (a 404 where no session
/// endpoint is); anything else, the connection.
fn connect_error(e: tungstenite::Error) -> CallError {
    match e {
        tungstenite::Error::Http(response) if response.status().as_u16() >= 400 => {
            let body = response.body().clone().unwrap_or_default();
            CallError::Api(Box::new(ApiError::from_body(
                response.status().as_u16(),
                &body,
                None,
            )))
        }
        tungstenite::Error::Http(response) => CallError::BadAnswer {
            status: response.status().as_u16(),
            message: "the host did not switch to a websocket".into(),
        },
        other => CallError::Transport {
            failure: TransportFailure::Connect,
            cause: other.to_string(),
            maybe_sent: false,
        },
    }
}

fn broken(e: &tungstenite::Error) -> CallError {
    CallError::Transport {
        failure: TransportFailure::Broken,
        cause: e.to_string(),
        maybe_sent: true,
    }
}

fn bad_answer(message: &str) -> CallError {
    CallError::BadAnswer {
        status: 101,
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn packets_of_a_login() {
        assert_eq!(
            Packet::parse(r#"0{"sid":"x","pingInterval":25000}"#),
            Packet::Open
        );
        assert_eq!(Packet::parse("2"), Packet::Ping);
        assert_eq!(Packet::parse("41"), Packet::Disconnect);
        assert_eq!(Packet::parse(r#"40{"sid":"y"}"#), Packet::Other);
        assert_eq!(
            Packet::parse(r#"44{"message":"nope"}"#),
            Packet::ConnectError(Some("nope".into()))
        );
        assert_eq!(
            Packet::parse(r#"42["session:success",{"body":{"id":"SES-1"}}]"#),
            Packet::Event {
                ack: None,
                name: "session:success".into(),
                data: json!({"body": {"id": "SES-1"}}),
            }
        );
        assert_eq!(
            Packet::parse(r#"4217["system:error:expired-token"]"#),
            Packet::Event {
                ack: Some(17),
                name: "system:error:expired-token".into(),
                data: Value::Null,
            }
        );
        for junk in [
            "42",
            "42[]",
            "42[1]",
            "42{",
            "4299999999999999999999[\"x\"]",
            "",
            "é",
        ] {
            let _ = Packet::parse(junk);
        }
        assert_eq!(Packet::parse("42[1,2]"), Packet::Other);
    }

    #[test]
    fn verdicts_of_events() {
        let success =
            json!({"body": {"id": "SES-1", "user_id": "USR-1", "name": "alice", "api_key": ""}});
        assert_eq!(
            verdict_of("session:success", &success).unwrap(),
            Some(LoginVerdict::Opened {
                session_id: "SES-1".into(),
                user_id: "USR-1".into(),
                name: "alice".into(),
            })
        );
        assert!(verdict_of("session:success", &json!({"body": {"id": "SES-1"}})).is_err());
        let refused =
            json!({"body": {"code": "user:error:invalid-user", "description": "no such user"}});
        assert_eq!(
            verdict_of("user:error:invalid-user", &refused).unwrap(),
            Some(LoginVerdict::Refused {
                event: "user:error:invalid-user".into(),
                description: Some("no such user".into()),
            })
        );
        assert_eq!(verdict_of("member:joined", &Value::Null).unwrap(), None);
    }
}
