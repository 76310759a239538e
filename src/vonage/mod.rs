//! The Vonage HTTP client: endpoints from `--api-base` / `--region`, one reqwest client,
//! applications, users and account calls. Knows nothing of the sandbox.

mod account;
mod applications;
mod error;
mod http;
mod users;

pub use account::Balance;
pub use applications::{Application, ApplicationPage, MAX_PAGE_SIZE, NewApplication, Webhook};
pub use error::{ApiError, FieldReason};
pub use http::{ApiCredentials, CallError, RetryPolicy, Timeouts};
pub use users::{NewUser, User};

use crate::error::{Error, Result};
use crate::region::{GLOBAL_BASE, Region};

/// Legacy REST host of the balance endpoint.
const ACCOUNT_BASE: &str = "https://rest.nexmo.com";

/// Base URLs, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub applications: String,
    pub users: String,
    pub account: String,
}

impl Endpoints {
    /// `--api-base` wins for every call; otherwise the region picks the Users API host.
    pub fn new(api_base: Option<&str>, region: Region) -> Result<Self> {
        match api_base {
            Some(base) => {
                let base = check_base_url(base)?;
                Ok(Endpoints {
                    applications: base.clone(),
                    users: base.clone(),
                    account: base,
                })
            }
            None => Ok(Endpoints {
                applications: GLOBAL_BASE.to_owned(),
                users: region.users_base().to_owned(),
                account: ACCOUNT_BASE.to_owned(),
            }),
        }
    }
}

/// An absolute http(s) URL with a host and no query or fragment; returned without a trailing slash.
pub fn check_base_url(text: &str) -> Result<String> {
    let bad = |why: &str| {
        Error::usage(format!(
            "--api-base {text:?} {why}; e.g. https://api.nexmo.com"
        ))
    };
    let url = url::Url::parse(text.trim()).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not carry a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The client: endpoints, optional account credentials, the shared transport.
#[derive(Debug, Clone)]
pub struct VonageClient {
    endpoints: Endpoints,
    credentials: Option<ApiCredentials>,
    http: http::Http,
}

impl VonageClient {
    pub fn new(endpoints: Endpoints, credentials: Option<ApiCredentials>) -> Result<Self> {
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
    ) -> Result<Self> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(
            check_base_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in [
            "",
            "api.nexmo.com",
            "ftp://x",
            "https://x/?a=1",
            "http://",
            "https://u:p@x",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn region_picks_the_users_host_only() {
        let e = Endpoints::new(None, Region::Eu).unwrap();
        assert_eq!(e.users, "https://api-eu.vonage.com");
        assert_eq!(e.applications, "https://api.nexmo.com");
        let e = Endpoints::new(Some("http://127.0.0.1:9"), Region::Eu).unwrap();
        assert_eq!(e.users, "http://127.0.0.1:9");
    }
}
