//! The access key of one `token serve` run: 192 bits from the OS random source, shown once in
//! the banner, presented as `Authorization: Bearer KEY` or `?key=KEY`, compared in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};

/// Random bytes in a key (≥ 128 bits, as the issue asks; 24 bytes keep it 32 characters).
const KEY_BYTES: usize = 24;

/// A per-run key. A secret: `Debug` is redacted.
pub struct AccessKey(SecretString);

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessKey(redacted)")
    }
}

/// What a request presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    Nothing,
    Wrong,
    Right,
}

impl AccessKey {
    /// A fresh key from the OS random source, URL-safe (it may travel in a query).
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; KEY_BYTES];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::Other(format!("the OS random source failed: {e}")))?;
        Ok(AccessKey(SecretString::from(URL_SAFE_NO_PAD.encode(bytes))))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Judges the key of a request: the `Authorization: Bearer` header wins over `?key=`.
    /// The comparison takes the same time wherever the first differing byte is.
    pub fn judge(&self, bearer: Option<&[u8]>, query: Option<&str>) -> Presented {
        let Some(given) = bearer.or(query.map(str::as_bytes)) else {
            return Presented::Nothing;
        };
        if bool::from(given.ct_eq(self.expose().as_bytes())) {
            Presented::Right
        } else {
            Presented::Wrong
        }
    }
}

/// The credentials of an `Authorization: Bearer X` header (scheme case-insensitive).
pub fn bearer(header: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = header.split_at_checked(7)?;
    scheme
        .eq_ignore_ascii_case(b"bearer ")
        .then(|| rest.trim_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_fresh_long_and_url_safe() {
        let a = AccessKey::generate().unwrap();
        let b = AccessKey::generate().unwrap();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 32);
        assert!(
            a.expose()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_eq!(format!("{a:?}"), "AccessKey(redacted)");
    }

    #[test]
    fn judging() {
        let key = AccessKey::generate().unwrap();
        let k = key.expose().to_owned();
        assert_eq!(key.judge(None, None), Presented::Nothing);
        assert_eq!(key.judge(Some(k.as_bytes()), None), Presented::Right);
        assert_eq!(key.judge(None, Some(&k)), Presented::Right);
        assert_eq!(key.judge(Some(b"nope"), Some(&k)), Presented::Wrong);
        assert_eq!(key.judge(None, Some(&k[..31])), Presented::Wrong);
        assert_eq!(key.judge(Some(b""), None), Presented::Wrong);
    }

    #[test]
    fn bearer_headers() {
        assert_eq!(bearer(b"Bearer abc"), Some(&b"abc"[..]));
        assert_eq!(bearer(b"bearer  abc "), Some(&b"abc"[..]));
        assert_eq!(bearer(b"Basic abc"), None);
        assert_eq!(bearer(b"Bear"), None);
    }
}
