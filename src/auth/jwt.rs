//! RS256 JWTs as Vonage wants them (SPEC §4.4): claims, minting with a parsed key, decoding.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::acl::Acl;
use super::keys::PrivateKey;
use super::ttl::Ttl;
use crate::store::paths::AppId;

/// The only header Vonage documents.
const HEADER_JSON: &str = r#"{"alg":"RS256","typ":"JWT"}"#;

/// A signed JWT. A secret: `Debug` is redacted and it is shown only where asked for.
#[derive(Clone)]
pub struct Token(SecretString);

impl Token {
    pub fn new(text: impl Into<String>) -> Self {
        Token(SecretString::from(text.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(redacted)")
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

// Stored in state.json (0600) so a token can be shown and copied again later.
impl Serialize for Token {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Token {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Token::new)
    }
}

/// The claims Vonage reads, in the order we write them. Times are integer Unix seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub application_id: String,
    pub iat: u64,
    pub jti: String,
    pub exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// The user's **name** (not its `USR-` id); absent on admin tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
}

/// Who a token is for.
#[derive(Debug, Clone)]
pub enum Subject {
    /// A Client SDK user token: `sub` and `acl`.
    User { name: String, acl: Acl },
    /// A backend token for the Users API: no `sub`, no `acl` (full access).
    Admin,
}

/// A freshly minted token with the claims inside it.
#[derive(Debug, Clone)]
pub struct Minted {
    pub token: Token,
    pub claims: Claims,
}

/// Mints tokens for one application with its parsed private key.
pub struct Signer {
    application_id: AppId,
    key: PrivateKey,
    header_b64: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}, {:?})", self.application_id, self.key)
    }
}

impl Signer {
    pub fn new(application_id: AppId, key: PrivateKey) -> Self {
        Signer {
            application_id,
            key,
            header_b64: B64.encode(HEADER_JSON),
        }
    }

    pub fn application_id(&self) -> &AppId {
        &self.application_id
    }

    pub fn key(&self) -> &PrivateKey {
        &self.key
    }

    /// Mints a token issued at `now` (Unix seconds) that lives `ttl`.
    pub fn mint(&self, subject: &Subject, ttl: Ttl, now: u64) -> Minted {
        let (sub, acl) = match subject {
            Subject::User { name, acl } => (Some(name.clone()), Some(acl.clone())),
            Subject::Admin => (None, None),
        };
        let claims = Claims {
            application_id: self.application_id.to_string(),
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            exp: now + ttl.seconds(),
            nbf: None,
            sub,
            acl,
        };
        let token = self.sign(&claims);
        Minted { token, claims }
    }

    /// Signs any claims (the sandbox tests use this to forge odd tokens).
    pub fn sign(&self, claims: &Claims) -> Token {
        let payload = serde_json::to_vec(claims).expect("claims always serialize");
        let signing_input = format!("{}.{}", self.header_b64, B64.encode(payload));
        let signature = self.key.sign_rs256(signing_input.as_bytes());
        Token::new(format!("{signing_input}.{}", B64.encode(signature)))
    }
}

/// A JWT split into its parts, not yet trusted.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub header: Value,
    pub claims: Value,
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

/// Splits and decodes a compact JWT; says why when it is not one.
pub fn decode(text: &str) -> Result<Decoded, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the token is empty".into());
    }
    let parts: Vec<&str> = text.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err(format!(
            "a JWT has 3 parts separated by '.', this has {}",
            parts.len()
        ));
    };
    let json_part = |name: &str, part: &str| -> Result<Value, String> {
        let bytes = B64
            .decode(part)
            .map_err(|_| format!("the {name} is not base64url"))?;
        let value: Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("the {name} is not JSON ({e})"))?;
        if value.is_object() {
            Ok(value)
        } else {
            Err(format!("the {name} is not a JSON object"))
        }
    };
    Ok(Decoded {
        header: json_part("header", header)?,
        claims: json_part("payload", payload)?,
        signing_input: format!("{header}.{payload}"),
        signature: B64
            .decode(signature)
            .map_err(|_| "the signature is not base64url".to_string())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::acl::Preset;

    fn signer() -> Signer {
        let key =
            PrivateKey::from_pem(include_str!("../../tests/fixtures/test-key-pkcs8.pem")).unwrap();
        Signer::new(
            AppId::parse("aaaaaaaa-bbbb-cccc-dddd-0123456789ab").unwrap(),
            key,
        )
    }

    #[test]
    fn user_token_has_the_vonage_claims_and_verifies() {
        let signer = signer();
        let subject = Subject::User {
            name: "alice".into(),
            acl: Preset::ClientSdk.acl(),
        };
        let minted = signer.mint(&subject, Ttl::parse("6h").unwrap(), 1_700_000_000);
        let decoded = decode(minted.token.expose()).unwrap();
        assert_eq!(
            decoded.header,
            serde_json::json!({"alg": "RS256", "typ": "JWT"})
        );
        let c = &decoded.claims;
        assert_eq!(c["application_id"], "aaaaaaaa-bbbb-cccc-dddd-0123456789ab");
        assert_eq!(c["sub"], "alice");
        assert_eq!(c["iat"].as_u64(), Some(1_700_000_000));
        assert_eq!(c["exp"].as_u64(), Some(1_700_000_000 + 6 * 3600));
        let jti = uuid::Uuid::parse_str(c["jti"].as_str().unwrap()).unwrap();
        assert_eq!(jti.get_version_num(), 4);
        assert_eq!(c["acl"]["paths"].as_object().unwrap().len(), 10);
        assert!(c.get("nbf").is_none());
        assert!(
            signer
                .key()
                .public_key()
                .verify_rs256(decoded.signing_input.as_bytes(), &decoded.signature)
        );
    }

    #[test]
    fn admin_token_has_no_sub_and_no_acl() {
        let minted = signer().mint(&Subject::Admin, super::super::ttl::DEFAULT_ADMIN, 100);
        let claims = decode(minted.token.expose()).unwrap().claims;
        let mut keys: Vec<&String> = claims.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["application_id", "exp", "iat", "jti"]);
        assert_eq!(claims["exp"].as_u64(), Some(100 + 900));
    }

    #[test]
    fn each_token_has_its_own_jti() {
        let s = signer();
        let a = s.mint(&Subject::Admin, super::super::ttl::DEFAULT_ADMIN, 1);
        let b = s.mint(&Subject::Admin, super::super::ttl::DEFAULT_ADMIN, 1);
        assert_ne!(a.claims.jti, b.claims.jti);
    }

    #[test]
    fn decode_explains_what_is_wrong() {
        assert!(decode("").unwrap_err().contains("empty"));
        assert!(decode("a.b").unwrap_err().contains("3 parts"));
        assert!(
            decode("!!.e30.x")
                .unwrap_err()
                .contains("header is not base64url")
        );
        assert!(
            decode("e30.bnVsbA.x")
                .unwrap_err()
                .contains("payload is not a JSON object")
        );
    }

    #[test]
    fn token_debug_is_redacted() {
        assert_eq!(format!("{:?}", Token::new("eyJsecret")), "Token(redacted)");
    }
}
