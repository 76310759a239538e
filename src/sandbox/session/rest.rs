//! `PUT /v0.2/sessions/{id}` (the SDK's `refreshSession`): a valid token of the session's
//! own user replaces its token, and so its expiry; any other answer leaves the old one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use serde_json::{Value, json};

use super::registry::SessionError;
use crate::sandbox::auth::verify_bearer;
use crate::sandbox::errors::ApiError;
use crate::sandbox::extract::Ctx;

pub async fn refresh(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let verified = verify_bearer(
        &ctx.store,
        &headers,
        "PUT",
        uri.path(),
        crate::clock::unix_now(),
    )?;
    let sub = verified
        .subject
        .as_deref()
        .ok_or_else(|| ApiError::invalid_token("a session needs a user token, with sub"))?;
    let user_id = ctx
        .store
        .read(|d| Some(d.app(&verified.application_id)?.user(sub)?.id.clone()))
        .ok_or_else(|| ApiError::invalid_token("sub is not a user of the application"))?;
    ctx.sessions
        .refresh(&id, &verified.application_id, &user_id, verified.expires_in)
        .map_err(|e| match e {
            SessionError::OtherUser => ApiError::invalid_token("the session is another user's"),
            SessionError::NotFound | SessionError::Full => ApiError::session_not_found(),
        })?;
    Ok(Json(json!({ "session_id": id })))
}
