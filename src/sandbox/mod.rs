//! The embedded Vonage emulator: a real HTTP server on loopback with the Vonage contract (SPEC §5).
//!
//! [`start`] binds, loads or seeds state and credentials, and serves in a background task;
//! the [`RunningSandbox`] it returns says where, with which credentials, and stops it.

mod account;
mod applications;
mod auth;
mod conversations;
mod errors;
mod extract;
mod faults;
mod paging;
mod routes;
mod server;
mod session;
mod state;
mod users;
mod validate;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

pub use extract::MAX_BODY;
pub use faults::{FaultAction, FaultRule, Faults};

use crate::error::{Error, Result};

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Where to listen; the default `127.0.0.1:0` picks a free port.
    pub bind: SocketAddr,
    /// Persist state here as JSON (atomic, 0600) after every change; loaded at start.
    pub state_file: Option<PathBuf>,
    /// The api key/secret to accept. `None` keeps the pair persisted in `state_file`, or
    /// generates one (key: 8 lowercase hex digits, secret: 16 alphanumerics).
    pub credentials: Option<(String, SecretString)>,
    /// Fault rules active from the start; more can be added through [`RunningSandbox::faults`].
    pub faults: Vec<FaultRule>,
    /// How many Client SDK session connections (and sessions) may be open at once; more
    /// are refused.
    pub max_sessions: usize,
}

/// The default [`SandboxOptions::max_sessions`].
pub const MAX_SESSIONS: usize = 256;

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            state_file: None,
            credentials: None,
            faults: Vec::new(),
            max_sessions: MAX_SESSIONS,
        }
    }
}

/// A sandbox serving in the background. Dropping it asks the server to stop; [`stop`]
/// (RunningSandbox::stop) also waits until it has.
pub struct RunningSandbox {
    url: String,
    addr: SocketAddr,
    api_key: String,
    api_secret: SecretString,
    faults: Faults,
    sessions: Arc<session::Sessions>,
    server: crate::serving::Running,
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("url", &self.url)
            .field("api_key", &self.api_key)
            .field("api_secret", &"redacted")
            .finish_non_exhaustive()
    }
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT`, no trailing slash: the base URL for every Vonage call.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    pub fn api_secret(&self) -> &SecretString {
        &self.api_secret
    }

    /// The live fault rules: push or clear while the sandbox runs.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Stops accepting, lets in-flight requests finish (a few seconds at most), waits for
    /// the server task to end, then closes the Client SDK sessions' websockets (which outlive
    /// their HTTP connections).
    pub async fn stop(mut self) {
        self.server.stop().await;
        self.sessions.close().await;
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        // Without `stop`, the server still winds down on its own in the background (the
        // `Running`'s own drop asks it to stop).
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let sessions = Arc::clone(&self.sessions);
            runtime.spawn(async move { sessions.close().await });
        }
    }
}

/// Starts a sandbox: loads (or creates) its state, binds, and serves in a tokio task.
/// Fails with a message naming the address or the state file when either is unusable.
pub async fn start(options: SandboxOptions) -> Result<RunningSandbox> {
    if let Some((key, secret)) = &options.credentials {
        // Basic auth splits "key:secret" at the first colon, so a key cannot hold one.
        if key.is_empty() || key.contains(':') || secret.expose_secret().is_empty() {
            return Err(Error::usage(
                "sandbox credentials need a non-empty api key without ':' and a non-empty secret",
            ));
        }
    }
    let store = Arc::new(state::Store::open(
        options.state_file.as_deref(),
        options.credentials,
    )?);
    let listener = tokio::net::TcpListener::bind(options.bind)
        .await
        .map_err(|e| {
            Error::Other(format!(
                "the sandbox cannot listen on {}: {e}",
                options.bind
            ))
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Other(format!("the sandbox cannot read its own address: {e}")))?;
    let url = format!("http://{}", crate::serving::reachable(addr));
    let faults = Faults::new(options.faults);
    let max_sessions = options.max_sessions.max(1);
    let (session_layer, sessions) = session::layer(Arc::clone(&store), max_sessions);
    let router = routes::router(
        extract::Ctx {
            store: Arc::clone(&store),
            base_url: Arc::from(url.as_str()),
            sessions: Arc::clone(&sessions),
            conversations: Arc::default(),
        },
        session_layer,
        session::ConnectionLimit::new(max_sessions),
    );
    let serving_faults = faults.clone();
    let server = crate::serving::Running::spawn(|stop| {
        server::serve(listener, router, serving_faults, stop)
    });
    Ok(RunningSandbox {
        url,
        addr,
        api_key: store.api_key().to_owned(),
        api_secret: store.api_secret().clone(),
        faults,
        sessions,
        server,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unusable_credentials_are_refused() {
        for (key, secret) in [("", "s"), ("a:b", "s"), ("abc", "")] {
            let options = SandboxOptions {
                credentials: Some((key.into(), SecretString::from(secret))),
                ..SandboxOptions::default()
            };
            assert!(matches!(start(options).await, Err(Error::Usage(_))));
        }
    }
}
