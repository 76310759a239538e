//! API base URLs: the shape one must have, and the rule that plain `http://` stays on this
//! machine unless the caller says otherwise. Every base a client uses passes through here.

use std::net::IpAddr;

use super::ClientError;

/// Where a plain `http://` base may point. Credentials and tokens sent over it are readable
/// by anyone on the path, so the default keeps it on this machine (the sandbox's case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlainHttp {
    /// Only loopback hosts: 127.0.0.0/8, `[::1]` and `localhost`.
    #[default]
    LoopbackOnly,
    /// Any host: the user vouches for the network (a test server they control).
    Anywhere,
}

/// A checked base URL, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    url: String,
    /// Plain http to a host other than this machine, allowed by `PlainHttp::Anywhere`.
    insecure: bool,
}

impl BaseUrl {
    /// An absolute http(s) URL with a host, no user info, query or fragment; a plain `http://`
    /// one only on a loopback host unless `plain_http` allows any.
    pub fn parse(text: &str, plain_http: PlainHttp) -> Result<Self, ClientError> {
        let bad = |why: &str| {
            ClientError::BadBase(format!(
                "the API base {text:?} {why}; e.g. https://api.nexmo.com"
            ))
        };
        let url = url::Url::parse(text.trim()).map_err(|e| bad(&format!("is not a URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("must start with http:// or https://"));
        }
        let Some(host) = url.host() else {
            return Err(bad("has no host"));
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not carry a user name or password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("must not have a query or fragment"));
        }
        let text = url.as_str().trim_end_matches('/').to_owned();
        let insecure = url.scheme() == "http" && !is_loopback(&host);
        if insecure && plain_http == PlainHttp::LoopbackOnly {
            return Err(ClientError::InsecureHttp { base: text });
        }
        Ok(BaseUrl {
            url: text,
            insecure,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// True for a plain `http://` base on another machine (only ever with `PlainHttp::Anywhere`).
    pub fn is_insecure(&self) -> bool {
        self.insecure
    }

    pub fn into_string(self) -> String {
        self.url
    }
}

/// A loopback address (the one rule, `serving::is_loopback`), or the name `localhost` (the URL
/// parser has lower-cased it already).
fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Ipv4(ip) => crate::serving::is_loopback(IpAddr::V4(*ip)),
        url::Host::Ipv6(ip) => crate::serving::is_loopback(IpAddr::V6(*ip)),
        url::Host::Domain(name) => *name == "localhost",
    }
}

#[cfg(test)]
mod tests {
    use super::ClientError as Error;
    use super::*;

    fn strict(text: &str) -> Result<BaseUrl, Error> {
        BaseUrl::parse(text, PlainHttp::LoopbackOnly)
    }

    #[test]
    fn shapes_are_checked() {
        assert_eq!(
            strict("http://127.0.0.1:8080/").unwrap().as_str(),
            "http://127.0.0.1:8080"
        );
        for bad in [
            "",
            "api.nexmo.com",
            "ftp://x",
            "https://x/?a=1",
            "https://x/#f",
            "http://",
            "https://u:p@x",
        ] {
            let err = strict(bad).unwrap_err();
            assert!(matches!(err, Error::BadBase(_)), "{bad:?}: {err}");
        }
    }

    #[test]
    fn plain_http_is_for_loopback_hosts_only() {
        for ok in [
            "http://127.0.0.1:9",
            "http://127.8.9.10",
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://[::1]:9",
            "http://[::ffff:127.0.0.1]:9",
            "https://api.nexmo.com",
            "https://10.0.0.5",
        ] {
            let base = strict(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(!base.is_insecure(), "{ok}");
        }
        for refused in [
            "http://api.example.invalid",
            "http://api.nexmo.com",
            "http://10.0.0.5:8080",
            "http://128.0.0.1",
            "http://0.0.0.0:9",
            "http://[::]:9",
            "http://[::ffff:8.8.8.8]",
            "http://localhost.example.com",
            "http://notlocalhost",
            "HTTP://API.EXAMPLE.INVALID/",
        ] {
            let err = strict(refused).unwrap_err();
            assert!(
                matches!(&err, Error::InsecureHttp { base, .. } if base.starts_with("http://")),
                "{refused}: {err}"
            );
            let allowed = BaseUrl::parse(refused, PlainHttp::Anywhere).unwrap();
            assert!(allowed.is_insecure(), "{refused}");
        }
    }
}
