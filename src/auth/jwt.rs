//! RS256 JWTs as Vonage wants them (SPEC §4.4): claims, and minting through
//! `jsonwebtoken::encode` with a key parsed once (see `auth::provider` for why and how).

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::acl::Acl;
use super::keys::PrivateKey;
use super::provider::{self, Registered};
use super::ttl::Ttl;
use crate::ids::AppId;

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

/// Mints tokens for one application with its private key, parsed once.
pub struct Signer {
    application_id: AppId,
    key: PrivateKey,
    encoding: EncodingKey,
    header: Header,
    /// Keeps the parsed key registered with the provider for as long as this signer lives.
    _parsed: Registered,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}, {:?})", self.application_id, self.key)
    }
}

impl Signer {
    pub fn new(application_id: AppId, key: PrivateKey) -> Self {
        let parsed = provider::register(key.pkcs1_der(), key.parsed());
        Signer {
            application_id,
            encoding: EncodingKey::from_rsa_der(key.pkcs1_der()),
            key,
            header: Header::new(Algorithm::RS256),
            _parsed: parsed,
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

    /// Signs any claims with the `{"alg":"RS256","typ":"JWT"}` header (tests use this to
    /// make tokens with odd times).
    pub fn sign(&self, claims: &Claims) -> Token {
        // Serializing plain claims and RSA-signing with a validated key fail only if the
        // OS random source (used for blinding) fails, which leaves nothing sensible to do.
        let text = jsonwebtoken::encode(&self.header, claims, &self.encoding)
            .expect("signing with a validated RSA key cannot fail");
        Token::new(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::acl::Preset;
    use crate::auth::verify::{Expected, SignatureCheck, check};
    use serde_json::Value;

    use crate::auth::fixtures::{APP, KEY};

    fn signer() -> Signer {
        crate::auth::fixtures::signer(KEY)
    }

    fn opened(token: &Token) -> (Value, Value) {
        let data = jsonwebtoken::dangerous::insecure_decode::<Value>(token.expose()).unwrap();
        (serde_json::to_value(data.header).unwrap(), data.claims)
    }

    #[test]
    fn user_token_has_the_vonage_claims_and_verifies() {
        let signer = signer();
        let subject = Subject::User {
            name: "alice".into(),
            acl: Preset::ClientSdk.acl(),
        };
        let minted = signer.mint(&subject, Ttl::parse("6h").unwrap(), 1_700_000_000);
        let (header, c) = opened(&minted.token);
        assert_eq!(header, serde_json::json!({"alg": "RS256", "typ": "JWT"}));
        assert_eq!(c["application_id"], APP);
        assert_eq!(c["sub"], "alice");
        assert_eq!(c["iat"].as_u64(), Some(1_700_000_000));
        assert_eq!(c["exp"].as_u64(), Some(1_700_000_000 + 6 * 3600));
        let jti = uuid::Uuid::parse_str(c["jti"].as_str().unwrap()).unwrap();
        assert_eq!(jti.get_version_num(), 4);
        assert_eq!(c["acl"]["paths"].as_object().unwrap().len(), 10);
        assert!(c.get("nbf").is_none());
        let key = signer.key().public_key();
        let expected = Expected {
            key: Some(&key),
            application_id: Some(APP),
        };
        let inspection = check(minted.token.expose(), expected, 1_700_000_000);
        assert_eq!(inspection.signature, SignatureCheck::Verified);
        assert!(inspection.verdict.is_valid());
    }

    #[test]
    fn admin_token_has_no_sub_and_no_acl() {
        let minted = signer().mint(&Subject::Admin, super::super::ttl::DEFAULT_ADMIN, 100);
        let (_, claims) = opened(&minted.token);
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
    fn the_parsed_key_signs_exactly_as_stock_jsonwebtoken() {
        use base64::Engine;
        // PKCS#1 v1.5 signatures are deterministic, so the provider's parsed-key signer and
        // jsonwebtoken's stock aws-lc signer (which parses per call) must give the same bytes.
        let s = signer();
        let claims = s
            .mint(&Subject::Admin, super::super::ttl::DEFAULT_ADMIN, 1)
            .claims;
        let ours = s.sign(&claims);
        let (input, signature) = ours.expose().rsplit_once('.').unwrap();
        let stock = (jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.signer_factory)(
            &Algorithm::RS256,
            &EncodingKey::from_rsa_der(s.key().pkcs1_der()),
        )
        .unwrap();
        let expected = stock.try_sign(input.as_bytes()).unwrap();
        assert_eq!(
            signature,
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(expected)
        );
    }

    #[test]
    fn token_debug_is_redacted() {
        assert_eq!(format!("{:?}", Token::new("eyJsecret")), "Token(redacted)");
    }
}
