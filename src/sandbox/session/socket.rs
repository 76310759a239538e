//! The socket side of a session: at connect, the `token` (and, on a reconnect,
//! `session_id`) query parameters open or resume a session, answered with
//! `session:success` or one refusal event; `session:logout` ends it; a dropped connection
//! leaves it waiting for a resume until its token expires.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, SocketRef};

use super::login::{self, Login, Refusal};
use super::registry::{SessionError, SessionInfo, Sessions};
use crate::sandbox::state::Store;
use crate::serving::HangUp;

/// A refused connection is closed this long after its refusal event, so the client reads
/// the event first and a refused socket does not hold a connection.
const REFUSED_GRACE: Duration = Duration::from_secs(2);
/// How long the `41` of a refused socket gets to be written before its connection is cut.
const DISCONNECT_FLUSH: Duration = Duration::from_millis(200);

pub fn register(io: &SocketIo, store: Arc<Store>, sessions: Arc<Sessions>) {
    io.ns("/", move |socket: SocketRef| {
        let (store, sessions) = (Arc::clone(&store), Arc::clone(&sessions));
        async move { connected(&store, &sessions, socket) }
    });
}

/// The query parameters the SDK connects with.
struct Query {
    token: Option<String>,
    session_id: Option<String>,
}

fn query(socket: &SocketRef) -> Query {
    let mut found = Query {
        token: None,
        session_id: None,
    };
    let query = socket.req_parts().uri.query().unwrap_or_default();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match &*name {
            "token" => found.token = Some(value.into_owned()),
            "session_id" => found.session_id = Some(value.into_owned()),
            _ => {}
        }
    }
    found
}

fn connected(store: &Store, sessions: &Arc<Sessions>, socket: SocketRef) {
    let query = query(&socket);
    let opened = login::judge(store, query.token.as_deref(), crate::clock::unix_now())
        .map_err(|refusal| (refusal.event(), refusal.description()))
        .and_then(|login| match query.session_id.as_deref() {
            Some(id) => resume(sessions, id, &login, &socket),
            None => open(sessions, &login, &socket),
        });
    match opened {
        Ok(info) => {
            let _ = socket.emit("session:success", &success_body(&info));
            listen(sessions, &socket);
        }
        Err((event, description)) => refuse(socket, event, &description),
    }
}

fn open(
    sessions: &Arc<Sessions>,
    login: &Login,
    socket: &SocketRef,
) -> Result<SessionInfo, (&'static str, String)> {
    sessions
        .open(
            &login.application_id,
            &login.user_id,
            &login.user_name,
            login.expires_in,
            socket.id,
        )
        .map_err(|_| {
            (
                "session:error:max-open-sessions",
                "The sandbox has as many sessions open as it keeps.".to_owned(),
            )
        })
}

fn resume(
    sessions: &Arc<Sessions>,
    id: &str,
    login: &Login,
    socket: &SocketRef,
) -> Result<SessionInfo, (&'static str, String)> {
    sessions
        .resume(
            id,
            &login.application_id,
            &login.user_id,
            login.expires_in,
            socket.id,
        )
        .map_err(|e| match e {
            SessionError::OtherUser => {
                let refusal = Refusal::InvalidToken("the session is another user's".into());
                (refusal.event(), refusal.description())
            }
            SessionError::NotFound | SessionError::Full => (
                "session:invalid",
                "The session is over (logged out or expired).".to_owned(),
            ),
        })
}

/// `session:success` as the SDK reads it: all four fields, `api_key` the application id.
fn success_body(info: &SessionInfo) -> serde_json::Value {
    json!({ "body": {
        "id": info.id,
        "user_id": info.user_id,
        "name": info.user_name,
        "api_key": info.application_id,
    }})
}

/// What a logged-in socket listens for.
fn listen(sessions: &Arc<Sessions>, socket: &SocketRef) {
    let on_logout = Arc::clone(sessions);
    socket.on(
        "session:logout",
        move |socket: SocketRef, ack: AckSender| async move {
            if let Some(info) = on_logout.on_socket(socket.id) {
                on_logout.end(&info.id);
            }
            let _ = ack.send(&json!({ "body": {} }));
        },
    );
    let on_disconnect = Arc::clone(sessions);
    socket.on_disconnect(move |socket: SocketRef| async move {
        on_disconnect.detach(socket.id);
    });
}

/// Emits the refusal, then closes the connection after [`REFUSED_GRACE`] (unless the
/// client left first).
fn refuse(socket: SocketRef, event: &'static str, description: &str) {
    let _ = socket.emit(
        event,
        &json!({ "body": { "code": event, "description": description } }),
    );
    tokio::spawn(async move {
        tokio::time::sleep(REFUSED_GRACE).await;
        // The client may rejoin after a namespace disconnect, and a hostile one would keep its
        // connection (and its place in the bound) open: cut the transport itself too, a moment
        // after the `41`, so the disconnect is written first.
        let hang_up = socket.req_parts().extensions.get::<HangUp>().cloned();
        if socket.connected() {
            let _ = socket.disconnect();
        }
        tokio::time::sleep(DISCONNECT_FLUSH).await;
        if let Some(hang_up) = hang_up {
            hang_up.hang_up();
        }
    });
}
