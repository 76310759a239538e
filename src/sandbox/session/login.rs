//! Judging a login token as Vonage does: the one verifier, an ACL that reaches the
//! sessions, and a `sub` that is a user of the token's application. Each refusal is the
//! event the server emits for it.

use super::super::auth::{TokenRefusal, VerifiedToken, verify_token};
use super::super::state::Store;

/// The ACL path a login must reach (the presets' `/*/sessions/**`).
const SESSIONS_PATH: &str = "/v0.2/sessions";

/// Who logs in, and for how long their token holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub application_id: String,
    pub user_id: String,
    pub user_name: String,
    pub expires_in: u64,
}

/// Why a login is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Expired,
    /// Bad signature, unknown application, wrong alg, no token, no `sub`…
    InvalidToken(String),
    /// `sub` names no user of the application.
    InvalidUser,
    /// The ACL does not reach the sessions.
    Permission,
}

impl Refusal {
    /// The event the server emits (the SDK maps it to its own error code).
    pub fn event(&self) -> &'static str {
        match self {
            Refusal::Expired => "system:error:expired-token",
            Refusal::InvalidToken(_) => "system:error:invalid-token",
            Refusal::InvalidUser => "user:error:invalid-user",
            Refusal::Permission => "system:error:permission",
        }
    }

    /// One sentence for the event's body (never the token).
    pub fn description(&self) -> String {
        match self {
            Refusal::Expired => "You provided an expired token.".into(),
            Refusal::InvalidToken(why) => format!("You did not provide a valid token ({why})."),
            Refusal::InvalidUser => "The token's sub is not a user of its application.".into(),
            Refusal::Permission => "The token's acl does not allow /*/sessions/**.".into(),
        }
    }
}

/// Judges the `token` query parameter of a connection at Unix time `now`.
pub fn judge(store: &Store, token: Option<&str>, now: u64) -> Result<Login, Refusal> {
    let token = token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| Refusal::InvalidToken("no token query parameter".into()))?;
    let verified = verify_token(store, token, now).map_err(|refusal| match refusal {
        TokenRefusal::Expired => Refusal::Expired,
        TokenRefusal::Invalid(why) => Refusal::InvalidToken(why),
    })?;
    user_of(store, &verified)
}

/// The token's user, if its ACL lets it open a session.
fn user_of(store: &Store, verified: &VerifiedToken) -> Result<Login, Refusal> {
    let sub = verified
        .subject
        .as_deref()
        .ok_or_else(|| Refusal::InvalidToken("a session needs a user token, with sub".into()))?;
    if !verified.allows("GET", SESSIONS_PATH) {
        return Err(Refusal::Permission);
    }
    let (user_id, user_name) = store
        .read(|d| {
            // `sub` is the user's name (as Vonage mints it); an id is accepted too.
            let user = d.app(&verified.application_id)?.user(sub)?;
            Some((user.id.clone(), user.name.clone()))
        })
        .ok_or(Refusal::InvalidUser)?;
    Ok(Login {
        application_id: verified.application_id.clone(),
        user_id,
        user_name,
        expires_in: verified.expires_in,
    })
}
