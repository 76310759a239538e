//! Which web pages may read tokens: loopback origins on any port (`http://localhost:*`,
//! `http://127.0.0.1:*`, `http://[::1]:*`) and the `--allow-origin` list; anything else is 403.

use crate::error::{Error, Result};

/// An origin from `--allow-origin`, in the form browsers send (`scheme://host[:port]`,
/// lower-case host, no default port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigin(String);

impl AllowedOrigin {
    /// Accepts `http://` or `https://` with a host and an optional port, nothing after it.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::usage(format!(
                "--allow-origin {text:?} is not an origin: {why} (write scheme://host[:port], e.g. http://192.168.1.20:5173)"
            ))
        };
        let url = url::Url::parse(text).map_err(|e| bad(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("only http and https pages can fetch tokens"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("it has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("an origin has no user name or password"));
        }
        // `Url` turns "http://x" into "http://x/": only that implied slash may be there.
        let has_path = url.path() != "/" || text.trim_end().ends_with('/');
        if has_path || url.query().is_some() || url.fragment().is_some() {
            return Err(bad("an origin has no path, query or fragment"));
        }
        Ok(AllowedOrigin(url.origin().ascii_serialization()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The origins a running server answers with CORS headers.
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    extra: Vec<AllowedOrigin>,
}

impl OriginPolicy {
    pub fn new(extra: Vec<AllowedOrigin>) -> Self {
        OriginPolicy { extra }
    }

    /// Whether a request's `Origin` header may read the answer.
    pub fn allows(&self, origin: &[u8]) -> bool {
        let Ok(origin) = std::str::from_utf8(origin) else {
            return false;
        };
        is_loopback_origin(origin) || self.extra.iter().any(|o| o.0 == origin)
    }
}

/// `http://` + a loopback name (`localhost`, `127.0.0.1`, `[::1]`) + an optional port.
fn is_loopback_origin(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://") else {
        return false;
    };
    let port = ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .find_map(|host| rest.strip_prefix(host));
    match port {
        Some("") => true,
        Some(port) => port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_origins_on_any_port() {
        let policy = OriginPolicy::default();
        for good in [
            "http://localhost:5173",
            "http://127.0.0.1:8080",
            "http://[::1]:3000",
            "http://localhost",
        ] {
            assert!(policy.allows(good.as_bytes()), "{good}");
        }
        for bad in [
            "https://localhost:5173",
            "http://localhost.evil.com",
            "http://127.0.0.1.nip.io:80",
            "http://127.0.0.2:8080",
            "http://localhost:",
            "http://localhost:99999",
            "http://localhost:80/",
            "null",
            "http://evil.com",
            "",
        ] {
            assert!(!policy.allows(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn the_allow_list_is_matched_in_the_form_browsers_send() {
        let origin = AllowedOrigin::parse("HTTP://Dev.Example.com:443").unwrap();
        assert_eq!(origin.as_str(), "http://dev.example.com:443");
        let https = AllowedOrigin::parse("https://app.example.com:443").unwrap();
        assert_eq!(https.as_str(), "https://app.example.com");
        let policy = OriginPolicy::new(vec![origin, https]);
        assert!(policy.allows(b"http://dev.example.com:443"));
        assert!(policy.allows(b"https://app.example.com"));
        assert!(!policy.allows(b"https://dev.example.com:443"));
    }

    #[test]
    fn malformed_origins_are_refused_with_the_reason() {
        for (bad, why) in [
            ("example.com", "relative URL"),
            ("ftp://example.com", "only http and https"),
            ("http://example.com/", "no path"),
            ("http://example.com/app", "no path"),
            ("http://example.com?x=1", "no path"),
            ("http://user@example.com", "user name"),
            ("*", "relative URL"),
        ] {
            let err = AllowedOrigin::parse(bad).unwrap_err();
            assert!(matches!(err, Error::Usage(_)));
            let text = err.to_string();
            assert!(text.contains(why), "{bad}: {text}");
            assert!(text.contains("scheme://host[:port]"), "{text}");
        }
    }
}
