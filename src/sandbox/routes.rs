//! The router: which path and method reach which handler, 404/405 in the path's error
//! style, the request body limit, and the helpers handlers share (JSON in and out).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value};

use super::errors::{ApiError, Style};
use super::state::Store;
use super::{account, applications, users};

/// Request bodies above this are refused with 413 (an application with every capability
/// and a 4096-bit key is a few KiB).
pub const MAX_BODY: usize = 64 * 1024;

/// What every handler gets: the store and the sandbox's own base URL for absolute links.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub store: Arc<Store>,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: Arc<str>,
}

pub fn router(ctx: Ctx) -> Router {
    let users_collection = || get(users::list).post(users::create).fallback(wrong_verb);
    let users_item = || {
        get(users::get)
            .patch(users::update)
            .delete(users::delete)
            .fallback(wrong_verb)
    };
    Router::new()
        .route(
            "/v2/applications",
            get(applications::list)
                .post(applications::create)
                .fallback(wrong_verb),
        )
        .route(
            "/v2/applications/{id}",
            get(applications::get)
                .put(applications::update)
                .delete(applications::delete)
                .fallback(wrong_verb),
        )
        .route("/v1/users", users_collection())
        .route("/v1/users/{id}", users_item())
        .route("/v0.3/users", users_collection())
        .route("/v0.3/users/{id}", users_item())
        .route(
            "/account/get-balance",
            get(account::balance).fallback(wrong_verb),
        )
        .fallback(no_route)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(ctx)
}

async fn no_route(uri: Uri) -> ApiError {
    ApiError::no_route(Style::for_path(uri.path()))
}

/// 405 for a known path; axum adds the `Allow` header listing the methods it takes.
async fn wrong_verb(method: Method, uri: Uri) -> ApiError {
    ApiError::wrong_verb(Style::for_path(uri.path()), method.as_str())
}

/// A JSON answer with `Content-Type: application/json`.
pub fn json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Reads a request body as a JSON object, refusing in the path's style: 413 over the limit,
/// 415/406 for a non-JSON `Content-Type`, 400 for malformed JSON or a non-object. An empty
/// body reads as `{}` (every Users API field is optional).
pub fn json_object(
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

/// Whether `text` is an absolute http(s) URL with a host.
pub fn is_http_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_http_url("https://example.com/answer"));
        assert!(is_http_url("http://127.0.0.1:3000/x?y=1"));
        assert!(!is_http_url("/relative"));
        assert!(!is_http_url("ftp://example.com"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("not a url"));
    }

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
