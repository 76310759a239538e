//! Authentication as Vonage does it: Basic key/secret for the Application API and the
//! balance, and verified RS256 JWTs (with ACLs for user tokens) for the Users API.

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::ExposeSecret;
use serde_json::Value;

use super::errors::ApiError;
use super::state::Store;
use crate::auth::acl::Acl;
use crate::auth::jwt;
use crate::auth::keys::PublicKey;
use crate::auth::ttl::{MAX_SECONDS, NO_EXP_LIFETIME};

/// How far ahead of our clock `iat`/`nbf` may be: token generators back-date by ~30 s
/// and clocks drift, but a token minted for tomorrow is not valid today.
const CLOCK_LEEWAY: u64 = 30;

/// Compares without stopping at the first difference, so timing does not reveal how much
/// of a guessed secret was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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

/// Who a verified bearer token speaks for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub application_id: String,
}

/// Verifies the bearer token of a Users API request and checks it may reach
/// `method path`. Every refusal is a 401 (or 403 for an ACL miss) in the Users style.
pub fn require_bearer(
    store: &Store,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    now: u64,
) -> Result<Caller, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(|| ApiError::invalid_token("no Authorization: Bearer header"))?;
    let decoded = jwt::decode(token).map_err(|_| ApiError::invalid_token("not a JWT"))?;
    // Only RS256: `none` and HMAC algorithms would let anyone who knows the public key
    // forge tokens.
    if decoded.header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(ApiError::invalid_token("alg must be RS256"));
    }
    let claims = &decoded.claims;
    let application_id = claims
        .get("application_id")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid_token("no application_id claim"))?;
    let public_key = store
        .read(|d| d.app(application_id).map(|a| a.public_key.clone()))
        .ok_or_else(|| ApiError::invalid_token("unknown application"))?;
    let key = PublicKey::from_pem(&public_key)
        .map_err(|_| ApiError::invalid_token("the application has no usable public key"))?;
    if !key.verify_rs256(decoded.signing_input.as_bytes(), &decoded.signature) {
        return Err(ApiError::invalid_token("bad signature"));
    }
    // Times are checked only after the signature, so a forged token learns nothing more.
    let time = |name: &str| -> Result<Option<u64>, ApiError> {
        match claims.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| ApiError::invalid_token("a time claim is not an integer")),
        }
    };
    let iat = time("iat")?.ok_or_else(|| ApiError::invalid_token("no iat claim"))?;
    let exp = time("exp")?;
    let nbf = time("nbf")?;
    if iat > now.saturating_add(CLOCK_LEEWAY) {
        return Err(ApiError::invalid_token("iat is in the future"));
    }
    if nbf.is_some_and(|nbf| nbf > now.saturating_add(CLOCK_LEEWAY)) {
        return Err(ApiError::invalid_token("not valid yet (nbf)"));
    }
    let exp = exp.unwrap_or_else(|| iat.saturating_add(NO_EXP_LIFETIME));
    if exp < iat {
        return Err(ApiError::invalid_token("exp is before iat"));
    }
    if exp - iat > MAX_SECONDS {
        return Err(ApiError::invalid_token("lifetime exp - iat is over 24 h"));
    }
    if exp <= now {
        return Err(ApiError::expired_token());
    }
    // A token with `sub` is a user token; without, an admin (backend) token with full access.
    let is_user_token = match claims.get("sub") {
        None | Some(Value::Null) => false,
        Some(Value::String(_)) => true,
        Some(_) => return Err(ApiError::invalid_token("sub is not a string")),
    };
    if is_user_token {
        // A user token reaches only what its ACL lists; no (or a malformed) ACL reaches nothing.
        let allowed = claims
            .get("acl")
            .cloned()
            .and_then(|acl| Acl::try_from(acl).ok())
            .is_some_and(|acl| acl.allows(method, path));
        if !allowed {
            return Err(ApiError::forbidden(method, path));
        }
    }
    Ok(Caller {
        application_id: application_id.to_owned(),
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
