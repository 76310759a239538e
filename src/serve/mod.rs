//! `token serve`: fresh user JWTs over HTTP for the app being built, for the command and the
//! wizard alike. A front end over `onboard` (known users, recipes), beside `cli/` and `tui/`.
//!
//! [`start`] binds, makes the run's access key and serves in a background task; the
//! [`TokenServer`] it returns says where, with which key, how many tokens it served, and stops
//! it (also when dropped).

mod access;
mod cors;
mod handler;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use cors::AllowedOrigin;

use crate::auth::jwt::Signer;
use crate::error::{Error, Result};
use crate::ids::AppId;
use crate::onboard::known_users::KnownUsers;
use crate::store::paths::{Home, ProfileName};

/// One token served: for whom and until when (never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub user: String,
    /// Unix seconds.
    pub exp: u64,
    pub ttl_seconds: u64,
}

/// Called once per served token, on the serving task: keep it quick (print a line, send a
/// message).
pub type OnServed = Arc<dyn Fn(&Served) + Send + Sync>;

/// How to run a token server.
#[derive(Clone)]
pub struct ServeConfig {
    /// Where to listen; loopback by default. Anything else reaches the LAN: see
    /// [`TokenServer::is_loopback`].
    pub bind: IpAddr,
    /// 0 = any free port.
    pub port: u16,
    /// Origins allowed besides the loopback ones.
    pub allowed_origins: Vec<AllowedOrigin>,
    /// Serve any valid user name, not only the users this home knows for the application.
    pub any_user: bool,
    pub on_served: Option<OnServed>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            allowed_origins: Vec::new(),
            any_user: false,
            on_served: None,
        }
    }
}

impl std::fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeConfig")
            .field("bind", &self.bind)
            .field("port", &self.port)
            .field("allowed_origins", &self.allowed_origins)
            .field("any_user", &self.any_user)
            .field("on_served", &self.on_served.as_ref().map(|_| "callback"))
            .finish()
    }
}

/// What the server signs with and where it finds the users: the application's signer (its
/// key parsed once) and the home and profile whose state lists the users and recipes.
#[derive(Debug, Clone)]
pub struct ServeSource {
    pub signer: Arc<Signer>,
    pub home: Home,
    pub profile: ProfileName,
}

/// A token server running in the background. Dropping it asks the server to stop;
/// [`stop`](TokenServer::stop) also waits until it has.
pub struct TokenServer {
    url: String,
    addr: SocketAddr,
    application_id: AppId,
    app: Arc<handler::App>,
    server: crate::serving::Running,
}

impl std::fmt::Debug for TokenServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenServer")
            .field("url", &self.url)
            .field("application_id", &self.application_id)
            .field("key", &"redacted")
            .field("served", &self.served())
            .finish_non_exhaustive()
    }
}

impl TokenServer {
    /// `http://HOST:PORT`, no trailing slash (a wildcard bind is shown as loopback).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The run's access key (a secret: show it only where the user asked for it).
    pub fn key(&self) -> &str {
        self.app.key.expose()
    }

    pub fn application_id(&self) -> &AppId {
        &self.application_id
    }

    /// Tokens served so far.
    pub fn served(&self) -> u64 {
        self.app.served.load(Ordering::Relaxed)
    }

    /// Whether only this machine can reach it (see [`crate::serving::is_loopback`]).
    pub fn is_loopback(&self) -> bool {
        crate::serving::is_loopback(self.addr.ip())
    }

    /// Stops accepting, lets in-flight requests finish (a few seconds at most) and waits
    /// for the server task to end.
    pub async fn stop(mut self) {
        self.server.stop().await;
    }
}

/// Starts a token server on the current tokio runtime. Fails with a message naming the
/// address when it cannot listen there.
pub async fn start(config: ServeConfig, source: ServeSource) -> Result<TokenServer> {
    let bind = SocketAddr::new(config.bind, config.port);
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| Error::Other(format!("token serve cannot listen on {bind}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Other(format!("token serve cannot read its own address: {e}")))?;
    let application_id = source.signer.application_id().clone();
    let app = Arc::new(handler::App {
        application_id: application_id.to_string(),
        known: KnownUsers::new(source.home, source.profile, application_id.clone()),
        signer: source.signer,
        any_user: config.any_user,
        key: access::AccessKey::generate()?,
        origins: cors::OriginPolicy::new(config.allowed_origins),
        served: AtomicU64::new(0),
        on_served: config.on_served,
    });
    // Read the state once now, so a corrupt state file is reported at start, not per request.
    app.known.current()?;
    let router = handler::router(Arc::clone(&app));
    let serving_app = Arc::clone(&app);
    let handle = move |request| handler::handle(Arc::clone(&serving_app), router.clone(), request);
    let server =
        crate::serving::Running::spawn(|stop| crate::serving::serve(listener, handle, stop));
    Ok(TokenServer {
        url: format!("http://{}", crate::serving::reachable(addr)),
        addr,
        application_id,
        app,
        server,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn in_process_the_server_serves_counts_reports_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let signer = Arc::new(crate::auth::fixtures::signer(crate::auth::fixtures::KEY));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let config = ServeConfig {
            any_user: true,
            on_served: Some(Arc::new(move |s: &Served| {
                sink.lock().unwrap().push(s.clone())
            })),
            ..ServeConfig::default()
        };
        let source = ServeSource {
            signer,
            home: Home::at(dir.path()),
            profile: ProfileName::default(),
        };
        let server = start(config, source).await.unwrap();
        assert!(server.is_loopback());
        assert!(!format!("{server:?}").contains(server.key()));
        let client = reqwest::Client::new();
        let url = format!("{}/token/alice?ttl=90s", server.url());
        let refused = client.get(&url).send().await.unwrap();
        assert_eq!(refused.status(), 401);
        let answer = client
            .get(&url)
            .bearer_auth(server.key())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["ttl"], 90);
        assert_eq!(server.served(), 1);
        let seen_now = seen.lock().unwrap().clone();
        assert_eq!(seen_now.len(), 1);
        assert_eq!(seen_now[0].user, "alice");
        assert_eq!(Some(seen_now[0].exp), body["exp"].as_u64());

        let addr = server.local_addr();
        server.stop().await;
        assert!(
            tokio::net::TcpStream::connect(addr).await.is_err(),
            "stopped"
        );
    }
}
