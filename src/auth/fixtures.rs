//! Unit tests' keys and application id (the files of `tests/fixtures/`), one place for every
//! module's tests.

use super::jwt::{Claims, Signer};
use super::keys::PrivateKey;
use crate::ids::AppId;

/// The application id the unit tests' tokens name.
pub const APP: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";
/// The unit tests' application key.
pub const KEY: &str = include_str!("../../tests/fixtures/test-key-pkcs8.pem");
/// A second key: a token signed with it does not verify with [`KEY`]'s public half.
pub const OTHER: &str = include_str!("../../tests/fixtures/other-key-pkcs8.pem");

/// A signer for [`APP`] with the key `pem`.
pub fn signer(pem: &str) -> Signer {
    Signer::new(app_id(), PrivateKey::from_pem(pem).unwrap())
}

/// [`APP`] as an [`AppId`].
pub fn app_id() -> AppId {
    AppId::parse(APP).unwrap()
}

/// Claims for [`APP`] and the user `alice`, issued at `iat`, expiring at `exp`, no ACL.
pub fn claims(iat: u64, exp: u64) -> Claims {
    Claims {
        application_id: APP.into(),
        iat,
        jti: "j".into(),
        exp,
        nbf: None,
        sub: Some("alice".into()),
        acl: None,
    }
}
