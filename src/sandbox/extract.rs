//! What handlers take from a request besides auth: the shared [`Ctx`], path ids and JSON
//! object bodies, each refused in the path's error style.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value};

use super::conversations::Conversations;
use super::errors::{ApiError, Style};
use super::session::Sessions;
use super::state::Store;

/// Request bodies above this are refused with 413 (an application with every capability
/// and a 4096-bit key is a few KiB).
pub const MAX_BODY: usize = 64 * 1024;

/// What every handler gets: the store, the sandbox's own base URL for absolute links, and
/// the live (not persisted) Client SDK sessions and conversations.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub store: Arc<Store>,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: Arc<str>,
    pub sessions: Arc<Sessions>,
    pub conversations: Arc<Conversations>,
}

/// The `{id}` of `/v2/applications/{id}`; one axum cannot decode names no application (404).
#[derive(Debug)]
pub struct AppPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for AppPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let missing = || ApiError::application_not_found("");
        path_id(parts, state, missing).await.map(AppPath)
    }
}

/// The `{id or name}` of a user path; an unreadable one is a user that does not exist.
#[derive(Debug)]
pub struct UserPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for UserPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        path_id(parts, state, ApiError::user_not_found)
            .await
            .map(UserPath)
    }
}

/// The path's one `{id}` segment, or `missing()` when axum cannot decode it.
async fn path_id<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    missing: impl FnOnce() -> ApiError,
) -> Result<String, ApiError> {
    Path::<String>::from_request_parts(parts, state)
        .await
        .map(|Path(id)| id)
        .map_err(|_| missing())
}

/// A request body read as a JSON object, refused in the path's style (see [`json_object`]).
#[derive(Debug)]
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let style = Style::for_path(request.uri().path());
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, state).await;
        json_object(style, &headers, body).map(JsonObject)
    }
}

/// Reads a request body as a JSON object, refusing in the path's style: 413 over the limit,
/// 415/406 for a non-JSON `Content-Type`, 400 for malformed JSON or a non-object. An empty
/// body reads as `{}` (every Users API field is optional).
fn json_object(
    style: Style,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Map<String, Value>, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::body_too_large(style, MAX_BODY)
        } else {
            ApiError::bad_body(style, "could not be read".into())
        }
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        let essence = content_type
            .to_str()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        // application/json and any +json type; a missing header is tolerated.
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(ApiError::unsupported_content_type(style));
        }
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_body(style, "must be a JSON object".into())),
        Err(e) => Err(ApiError::bad_body(
            style,
            format!(
                "is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bodies() {
        let mut headers = HeaderMap::new();
        let ok = |h: &HeaderMap, b: &'static str| json_object(Style::Users, h, Ok(Bytes::from(b)));
        assert!(ok(&headers, "").unwrap().is_empty());
        assert_eq!(ok(&headers, r#"{"a":1}"#).unwrap()["a"], 1);
        assert_eq!(
            ok(&headers, "[1]").unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            ok(&headers, "{").unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert_eq!(
            ok(&headers, "{}").unwrap_err().status(),
            StatusCode::NOT_ACCEPTABLE
        );
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(ok(&headers, "{}").is_ok());
    }
}
