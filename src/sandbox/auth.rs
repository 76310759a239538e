//! Authentication as Vonage does it: Basic key/secret for the Application API and the
//! balance, and verified RS256 JWTs (with ACLs for user tokens) for the Users API; as
//! extractors ([`BasicAuth`], [`Caller`]) so a handler's arguments say who may call it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use super::errors::ApiError;
use super::extract::Ctx;
use super::state::Store;
use crate::auth::acl::Acl;
use crate::auth::keys::PublicKey;
use crate::auth::verify::{self, Verdict};

/// Compares without stopping at the first difference, so timing does not reveal how much
/// of a guessed secret was right (only the length is not hidden).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Whether `key`/`secret` are the sandbox's pair.
pub fn credentials_match(store: &Store, key: &str, secret: &str) -> bool {
    // Evaluate both so a right key with a wrong secret costs the same as a wrong key.
    let key_ok = same(key.as_bytes(), store.api_key().as_bytes());
    let secret_ok = same(
        secret.as_bytes(),
        store.api_secret().expose_secret().as_bytes(),
    );
    key_ok & secret_ok
}

/// The `(key, secret)` of a Basic `Authorization` header, if there is a well-formed one.
fn basic_pair(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (key, secret) = decoded.split_once(':')?;
    Some((key.to_owned(), secret.to_owned()))
}

/// Whether the request carries an `Authorization: Basic` header at all.
pub fn has_basic_header(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split(' ').next())
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("basic"))
}

/// Basic auth of the Application API: 401 in its style unless the pair is right.
pub fn require_basic(store: &Store, headers: &HeaderMap) -> Result<(), ApiError> {
    match basic_pair(headers) {
        Some((key, secret)) if credentials_match(store, &key, &secret) => Ok(()),
        _ => Err(ApiError::bad_credentials()),
    }
}

/// Extractor: the request carries the sandbox's Basic pair (else 401, Application style).
#[derive(Debug, Clone, Copy)]
pub struct BasicAuth;

impl FromRequestParts<Ctx> for BasicAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, ApiError> {
        require_basic(&ctx.store, &parts.headers).map(|()| BasicAuth)
    }
}

/// Extractor: who a verified bearer token speaks for, checked against the request's method
/// and path (else 401/403, Users style).
#[derive(Debug, Clone)]
pub struct Caller {
    pub application_id: String,
    /// The `sub` of a user token; `None` for an admin (backend) token.
    pub subject: Option<String>,
}

impl FromRequestParts<Ctx> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, ApiError> {
        require_bearer(
            &ctx.store,
            &parts.headers,
            parts.method.as_str(),
            parts.uri.path(),
            crate::clock::unix_now(),
        )
    }
}

/// Why a token was refused before any ACL was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRefusal {
    Expired,
    /// Anything else (malformed, forged, unknown application, wrong alg…): the failed check.
    Invalid(String),
}

impl From<TokenRefusal> for ApiError {
    fn from(refusal: TokenRefusal) -> Self {
        match refusal {
            TokenRefusal::Expired => ApiError::expired_token(),
            TokenRefusal::Invalid(why) => ApiError::invalid_token(&why),
        }
    }
}

/// A token the one verifier found valid for an application of the sandbox.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub application_id: String,
    /// `sub`, for a user token.
    pub subject: Option<String>,
    /// Seconds until it expires.
    pub expires_in: u64,
    claims: Option<serde_json::Value>,
}

impl VerifiedToken {
    /// Whether this token may reach `method path`: an admin token reaches everything, a user
    /// token only what its ACL lists (no, or a malformed, ACL reaches nothing).
    pub fn allows(&self, method: &str, path: &str) -> bool {
        if self.subject.is_none() {
            return true;
        }
        self.claims
            .as_ref()
            .and_then(|c| c.get("acl"))
            .cloned()
            .and_then(|acl| Acl::try_from(acl).ok())
            .is_some_and(|acl| acl.allows(method, path))
    }
}

/// Judges `token` with the one verifier (`auth::verify`) against the key of the application
/// it names.
pub fn verify_token(store: &Store, token: &str, now: u64) -> Result<VerifiedToken, TokenRefusal> {
    let invalid = |why: &str| TokenRefusal::Invalid(why.to_owned());
    // The key is the one of the application the token names, so read that name first,
    // untrusted; the verifier then checks the signature with that application's key.
    let named = verify::check(token, verify::Expected::default(), now);
    // A token that is not even a JWT (or whose header is refused) is told as such, in the
    // verifier's words, like `token inspect` tells it, not as a missing claim.
    let application_id = named
        .application_id()
        .ok_or_else(|| match &named.verdict {
            Verdict::Malformed(_) | Verdict::Refused(_) => {
                TokenRefusal::Invalid(named.verdict.describe())
            }
            _ => invalid("no application_id claim"),
        })?
        .to_owned();
    let public_key = store
        .read(|d| d.app(&application_id).map(|a| a.public_key.clone()))
        .ok_or_else(|| invalid("unknown application"))?;
    let key = PublicKey::from_pem(&public_key)
        .map_err(|_| invalid("the application has no usable public key"))?;
    let expected = verify::Expected {
        key: Some(&key),
        application_id: Some(&application_id),
    };
    let checked = verify::check(token, expected, now);
    let expires_in = match &checked.verdict {
        Verdict::Valid { expires_in } => *expires_in,
        Verdict::Expired { .. } => return Err(TokenRefusal::Expired),
        other => return Err(TokenRefusal::Invalid(other.describe())),
    };
    Ok(VerifiedToken {
        application_id,
        subject: checked.subject().map(str::to_owned),
        expires_in,
        claims: checked.claims,
    })
}

/// The token of an `Authorization: Bearer` header.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
}

/// Verifies the bearer token of a request with the one verifier and checks it may reach
/// `method path`. Every refusal is a 401 (or 403 for an ACL miss) in the Users style.
pub fn verify_bearer(
    store: &Store,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    now: u64,
) -> Result<VerifiedToken, ApiError> {
    let token = bearer_token(headers)
        .ok_or_else(|| ApiError::invalid_token("no Authorization: Bearer header"))?;
    let verified = verify_token(store, token, now)?;
    if !verified.allows(method, path) {
        return Err(ApiError::forbidden(method, path));
    }
    Ok(verified)
}

/// [`verify_bearer`], keeping who the token speaks for.
pub fn require_bearer(
    store: &Store,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    now: u64,
) -> Result<Caller, ApiError> {
    let verified = verify_bearer(store, headers, method, path, now)?;
    Ok(Caller {
        application_id: verified.application_id,
        subject: verified.subject,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparison_needs_equal_bytes() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
        assert!(same(b"", b""));
    }

    #[test]
    fn basic_header_parsing() {
        let mut headers = HeaderMap::new();
        assert!(basic_pair(&headers).is_none());
        headers.insert(
            header::AUTHORIZATION,
            "Basic YWFhMDEyOmFiYzEyMzQ1Njc4OQ==".parse().unwrap(),
        );
        assert_eq!(
            basic_pair(&headers),
            Some(("aaa012".into(), "abc123456789".into()))
        );
        assert!(has_basic_header(&headers));
        headers.insert(header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert!(basic_pair(&headers).is_none());
        headers.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert!(basic_pair(&headers).is_none());
        assert!(!has_basic_header(&headers));
    }
}
