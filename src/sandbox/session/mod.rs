//! The Client SDK's realtime session: Socket.IO (Engine.IO 4, websocket only) at `/v2/rtc/`.
//!
//! `registry.rs` keeps the sessions and ends each when its token expires unrefreshed;
//! `login.rs` judges a login token; `socket.rs` answers the socket's events; `limit.rs`
//! bounds the open connections; `rest.rs` refreshes a session's token
//! (`PUT /v0.2/sessions/{id}`). The protocol is `../shared/docs/client-sdk-session.md`.

pub mod limit;
mod login;
mod registry;
pub mod rest;
mod socket;

use std::sync::Arc;
use std::time::Duration;

use socketioxide::layer::SocketIoLayer;
use socketioxide::{SocketIo, TransportType};

pub use limit::ConnectionLimit;
pub use registry::Sessions;

use super::state::Store;

/// Where the SDK connects (its `websocketPath` default).
pub const PATH: &str = "/v2/rtc";
/// The largest websocket message (and frame) a client may send; larger ones close its
/// connection. Nothing the SDK sends comes near it.
pub const MAX_FRAME: usize = 64 * 1024;
/// An Engine.IO connection that has not joined the namespace within this is closed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The Socket.IO layer for the router and the session registry behind it.
pub fn layer(store: Arc<Store>, max_connections: usize) -> (SocketIoLayer, Arc<Sessions>) {
    let (layer, io) = SocketIo::builder()
        .req_path(PATH)
        .transports([TransportType::Websocket])
        .ws_max_message_size(MAX_FRAME)
        .ws_max_frame_size(MAX_FRAME)
        .max_payload(MAX_FRAME as u64)
        .connect_timeout(CONNECT_TIMEOUT)
        .build_layer();
    let sessions = Arc::new(Sessions::new(io.clone(), max_connections));
    socket::register(&io, store, Arc::clone(&sessions));
    (layer, sessions)
}
