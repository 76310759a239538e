//! The Vonage HTTP client: endpoints from an API base or a region, one reqwest client,
//! applications, users and account calls. Knows nothing of the sandbox, of tokens beyond
//! the `AdminToken` it is handed, or of exit codes and flags: its errors are its own.

mod account;
mod applications;
mod base;
mod error;
mod http;
mod session;
mod users;

pub use account::Balance;
pub use applications::{
    Application, ApplicationPage, Dated, MAX_PAGE_SIZE, NewApplication, Webhook,
};
pub use base::{BaseUrl, PlainHttp};
pub use error::{ApiError, ClientError, FieldReason};
pub use http::{ApiCredentials, CallError, RetryPolicy, Timeouts, TransportFailure};
pub use session::LoginVerdict;
pub use users::{AdminToken, NewUser, User};

use crate::region::{GLOBAL_BASE, Region};

/// Legacy REST host of the balance endpoint.
const ACCOUNT_BASE: &str = "https://rest.nexmo.com";

/// Base URLs, without a trailing slash. Built only here, so every base a client calls has
/// passed `BaseUrl::parse` and its plain-HTTP rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    applications: String,
    users: String,
    account: String,
    /// Where the Client SDK's websocket connects (`ws://` / `wss://`).
    websocket: String,
    /// The plain `http://` base on another machine this client talks to, if allowed.
    insecure: Option<String>,
    /// The region that picked the Users API host; `None` when an API base overrides it.
    region: Option<Region>,
}

impl Endpoints {
    /// As `with_plain_http`, with plain `http://` kept to loopback hosts.
    pub fn new(api_base: Option<&str>, region: Region) -> Result<Self, ClientError> {
        Self::with_plain_http(api_base, region, PlainHttp::LoopbackOnly)
    }

    /// `api_base` wins for every call; otherwise the region picks the Users API host.
    pub fn with_plain_http(
        api_base: Option<&str>,
        region: Region,
        plain_http: PlainHttp,
    ) -> Result<Self, ClientError> {
        match api_base {
            Some(base) => {
                let base = BaseUrl::parse(base, plain_http)?;
                let insecure = base.is_insecure().then(|| base.as_str().to_owned());
                let base = base.into_string();
                // One host for everything, the websocket included (the sandbox's case).
                let websocket = match base.strip_prefix("https://") {
                    Some(rest) => format!("wss://{rest}"),
                    None => format!("ws://{}", base.trim_start_matches("http://")),
                };
                Ok(Endpoints {
                    applications: base.clone(),
                    users: base.clone(),
                    websocket,
                    account: base,
                    insecure,
                    region: None,
                })
            }
            None => Ok(Endpoints {
                applications: GLOBAL_BASE.to_owned(),
                users: region.users_base().to_owned(),
                websocket: region.websocket_base().to_owned(),
                account: ACCOUNT_BASE.to_owned(),
                insecure: None,
                region: Some(region),
            }),
        }
    }

    /// The Users API base (the region's host, or the API base).
    pub fn users_base(&self) -> &str {
        &self.users
    }

    /// The region whose host the Users API calls go to; `None` with an API base, where
    /// there is one host only.
    pub fn region(&self) -> Option<Region> {
        self.region
    }

    /// The plain `http://` base on another machine in use (allowed by `PlainHttp::Anywhere`):
    /// whoever allowed it should say so on every run.
    pub fn insecure_base(&self) -> Option<&str> {
        self.insecure.as_deref()
    }
}

/// The client: endpoints, optional account credentials, the shared transport.
#[derive(Debug, Clone)]
pub struct VonageClient {
    endpoints: Endpoints,
    credentials: Option<ApiCredentials>,
    http: http::Http,
}

impl VonageClient {
    pub fn new(
        endpoints: Endpoints,
        credentials: Option<ApiCredentials>,
    ) -> Result<Self, ClientError> {
        Self::with_policy(
            endpoints,
            credentials,
            Timeouts::default(),
            RetryPolicy::default(),
        )
    }

    pub fn with_policy(
        endpoints: Endpoints,
        credentials: Option<ApiCredentials>,
        timeouts: Timeouts,
        retry: RetryPolicy,
    ) -> Result<Self, ClientError> {
        Ok(VonageClient {
            endpoints,
            credentials,
            http: http::Http::new(timeouts, retry)?,
        })
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    pub fn credentials(&self) -> Option<&ApiCredentials> {
        self.credentials.as_ref()
    }

    /// The same client with its Users API calls on another region's host (to find where a
    /// user lives); `None` when an API base is set, since then there is no other host.
    pub fn in_region(&self, region: Region) -> Option<VonageClient> {
        self.endpoints.region?;
        let mut other = self.clone();
        other.endpoints.users = region.users_base().to_owned();
        other.endpoints.websocket = region.websocket_base().to_owned();
        other.endpoints.region = Some(region);
        Some(other)
    }
}

#[cfg(test)]
mod tests {
    use super::ClientError as Error;
    use super::*;

    #[test]
    fn region_picks_the_users_host_only() {
        let e = Endpoints::new(None, Region::Eu).unwrap();
        assert_eq!(e.users, "https://api-eu.vonage.com");
        assert_eq!(e.applications, "https://api.nexmo.com");
        assert_eq!(e.websocket, "wss://ws-eu.vonage.com");
        let e = Endpoints::new(Some("http://127.0.0.1:9"), Region::Eu).unwrap();
        assert_eq!(e.users, "http://127.0.0.1:9");
        assert_eq!(e.websocket, "ws://127.0.0.1:9");
        let tls = Endpoints::new(Some("https://api.example.com/"), Region::Eu).unwrap();
        assert_eq!(tls.websocket, "wss://api.example.com");
        assert_eq!(e.insecure_base(), None);
        assert_eq!(e.region(), None);
    }

    #[test]
    fn another_region_moves_only_the_users_host_and_needs_no_base_override() {
        let real = VonageClient::new(Endpoints::new(None, Region::Eu).unwrap(), None).unwrap();
        let us = real.in_region(Region::Us).unwrap();
        assert_eq!(us.endpoints().users_base(), "https://api-us.vonage.com");
        assert_eq!(us.endpoints().applications, real.endpoints().applications);
        assert_eq!(us.endpoints().region(), Some(Region::Us));
        let local = Endpoints::new(Some("http://127.0.0.1:9"), Region::Eu).unwrap();
        let local = VonageClient::new(local, None).unwrap();
        assert!(local.in_region(Region::Us).is_none());
    }

    #[test]
    fn a_plain_http_base_elsewhere_needs_the_override_and_is_reported() {
        let base = Some("http://api.example.invalid/");
        let err = Endpoints::new(base, Region::Global).unwrap_err();
        assert!(matches!(err, Error::InsecureHttp { .. }), "{err}");
        let e = Endpoints::with_plain_http(base, Region::Global, PlainHttp::Anywhere).unwrap();
        assert_eq!(e.applications, "http://api.example.invalid");
        assert_eq!(e.insecure_base(), Some("http://api.example.invalid"));
        let e = Endpoints::with_plain_http(None, Region::Us, PlainHttp::Anywhere).unwrap();
        assert_eq!(e.insecure_base(), None);
    }
}
