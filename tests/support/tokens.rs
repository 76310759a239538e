//! The fixture key pairs, the clock, and tokens signed with them: admin and user tokens as
//! the crate mints them, and raw ones with any header, claims or signature.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::Value;
use vonage_onboard::auth::acl::Acl;
use vonage_onboard::auth::jwt::{Signer, Subject};
use vonage_onboard::auth::keys::PrivateKey;
use vonage_onboard::auth::ttl::Ttl;
use vonage_onboard::ids::AppId;

pub const TEST_KEY: &str = include_str!("../fixtures/test-key-pkcs8.pem");
pub const TEST_PUBLIC: &str = include_str!("../fixtures/test-key-public.pem");
pub const OTHER_KEY: &str = include_str!("../fixtures/other-key-pkcs8.pem");
pub const OTHER_PUBLIC: &str = include_str!("../fixtures/other-key-public.pem");

/// Unix seconds.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn signer(app_id: &str, pem: &str) -> Signer {
    Signer::new(
        AppId::parse(app_id).unwrap(),
        PrivateKey::from_pem(pem).unwrap(),
    )
}

/// A 15-minute admin token of `app_id`, signed with the test key.
pub fn admin_token(app_id: &str) -> String {
    signer(app_id, TEST_KEY)
        .mint(&Subject::Admin, Ttl::parse("15m").unwrap(), now())
        .token
        .expose()
        .to_owned()
}

/// A one-hour user token of `app_id` for `name` with `acl`, signed with the test key.
pub fn user_token(app_id: &str, name: &str, acl: Acl) -> String {
    let subject = Subject::User {
        name: name.into(),
        acl,
    };
    signer(app_id, TEST_KEY)
        .mint(&subject, Ttl::parse("1h").unwrap(), now())
        .token
        .expose()
        .to_owned()
}

/// A token with any header and claims, signed RS256 by `key` (or with `signature` bytes).
pub fn raw_token(
    header: &Value,
    claims: &Value,
    key: Option<&PrivateKey>,
    signature: &[u8],
) -> String {
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let signature = match key {
        Some(key) => jsonwebtoken::crypto::sign(
            input.as_bytes(),
            &jsonwebtoken::EncodingKey::from_rsa_der(key.pkcs1_der()),
            jsonwebtoken::Algorithm::RS256,
        )
        .unwrap(),
        None => B64.encode(signature),
    };
    format!("{input}.{signature}")
}
