//! The two Vonage error body styles the sandbox answers with: the Application API's RFC 7807
//! problem (`type, title, detail, instance, invalid_parameters`) and the Users API's coded
//! error (`title, type, code, detail, instance, invalid_parameters?`), vonage-api.md §4.6/§5.1.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// Which family of Vonage API a path belongs to, and so which error body it answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Application API and account: RFC 7807 problem bodies.
    Application,
    /// Users API (`/v1/users`, `/v0.3/users`): bodies with a machine `code`.
    Users,
}

impl Style {
    pub fn for_path(path: &str) -> Style {
        if is_users_path(path) {
            Style::Users
        } else {
            Style::Application
        }
    }
}

/// Whether `path` is under one of the Users API roots.
pub fn is_users_path(path: &str) -> bool {
    ["/v1/users", "/v0.3/users"].iter().any(|root| {
        path.strip_prefix(root)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Where the Application API's `type` URLs live (2.4.1 spec host; clients must not match on it).
const APP_TYPE_BASE: &str = "https://developer.vonage.com/api-errors";
/// Where the Users API's `type` URLs live; the `code` is the fragment.
const USERS_TYPE_BASE: &str = "https://developer.vonage.com/api/conversation#";

/// An error answer in one of the two Vonage styles.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    style: Style,
    /// Application style: the `type` URL's tail (`#unauthorized`); Users style: the `code`.
    kind: &'static str,
    title: &'static str,
    detail: String,
    invalid: Vec<(String, String)>,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(
        status: StatusCode,
        style: Style,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            style,
            kind,
            title,
            detail: detail.into(),
            invalid: Vec::new(),
            retry_after: None,
        }
    }

    #[cfg(test)]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn with_invalid(mut self, invalid: Vec<(String, String)>) -> Self {
        self.invalid = invalid;
        self
    }

    /// Basic credentials missing or wrong (Application API and balance).
    pub fn bad_credentials() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            Style::Application,
            "#unauthorized",
            "Invalid credentials supplied",
            "You did not provide correct credentials.",
        )
    }

    /// A create/update body the Application API refuses, with one reason per field.
    pub fn payload_validation(invalid: Vec<(String, String)>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Style::Application,
            "/application#payload-validation",
            "Bad Request",
            "The request failed due to validation errors",
        )
        .with_invalid(invalid)
    }

    /// List query parameters the Application API refuses.
    pub fn list_validation(invalid: Vec<(String, String)>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Style::Application,
            "/application#list-validation",
            "Bad Request",
            "The request failed due to validation errors",
        )
        .with_invalid(invalid)
    }

    pub fn application_not_found(id: &str) -> Self {
        // The id comes from the URL; cap what we echo so a huge path cannot bloat the answer.
        let shown: String = id.chars().take(64).collect();
        ApiError::new(
            StatusCode::NOT_FOUND,
            Style::Application,
            "#not-found",
            "Not Found",
            format!("ID '{shown}' does not exist, or you do not have access"),
        )
    }

    /// A Users API body or query the API refuses, with one reason per field.
    pub fn users_validation(invalid: Vec<(String, String)>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Style::Users,
            "http:error:validation-fail",
            "Bad request.",
            "Input validation failure.",
        )
        .with_invalid(invalid)
    }

    /// A bearer token that is missing, malformed, forged or otherwise unusable. `why` names
    /// the failed check (never the token itself) so a developer can fix their minting.
    pub fn invalid_token(why: &str) -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            Style::Users,
            "system:error:invalid-token",
            "Unauthorized.",
            format!("You did not provide a valid token ({why}). Please provide a valid token."),
        )
    }

    pub fn expired_token() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            Style::Users,
            "system:error:expired-token",
            "Unauthorized.",
            "You provided an expired token. Please provide a valid token.",
        )
    }

    /// A user token whose ACL does not cover the request.
    pub fn forbidden(method: &str, path: &str) -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            Style::Users,
            "http:error:forbidden",
            "Forbidden.",
            format!("The token's acl does not allow {method} {path}."),
        )
    }

    pub fn user_not_found() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            Style::Users,
            "user:error:not-found",
            "Not found.",
            "User does not exist, or you do not have access.",
        )
    }

    /// `PUT /v0.2/sessions/{id}` for a session that is not open (logged out, expired, never).
    pub fn session_not_found() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            Style::Users,
            "session:error:not-found",
            "Not found.",
            "Session does not exist (logged out or expired).",
        )
    }

    pub fn conversation_not_found() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            Style::Users,
            "conversation:error:not-found",
            "Not found.",
            "Conversation does not exist, or you do not have access.",
        )
    }

    pub fn member_not_found() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            Style::Users,
            "member:error:not-found",
            "Not found.",
            "Member does not exist, or you do not have access.",
        )
    }

    /// An event sent into a conversation by someone who has not joined it.
    pub fn not_a_member() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            Style::Users,
            "conversation:error:not-member",
            "Forbidden.",
            "Join the conversation before sending events to it.",
        )
    }

    /// More conversations or members than the sandbox keeps.
    pub fn too_many(what: &str, max: usize) -> Self {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            Style::Users,
            "http:error:too-many-request",
            "Too many requests.",
            format!("The sandbox keeps at most {max} {what}."),
        )
    }

    pub fn duplicate_user_name() -> Self {
        ApiError::new(
            StatusCode::CONFLICT,
            Style::Users,
            "user:error:duplicate-name",
            "Conflict.",
            "The request failed because the user name already exists. Please provide a unique user name and try again.",
        )
    }

    /// No route at this path.
    pub fn no_route(style: Style) -> Self {
        match style {
            Style::Application => ApiError::new(
                StatusCode::NOT_FOUND,
                style,
                "#not-found",
                "Not Found",
                "The requested resource does not exist",
            ),
            Style::Users => ApiError::new(
                StatusCode::NOT_FOUND,
                style,
                "http:error:not-found",
                "Not found.",
                "The requested resource does not exist.",
            ),
        }
    }

    /// A route that exists, asked with a method it does not take.
    pub fn wrong_verb(style: Style, method: &str) -> Self {
        let shown: String = method.chars().take(16).collect();
        let detail = format!("Request method '{shown}' not supported");
        match style {
            Style::Application => ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                style,
                "#wrong-verb",
                "Request method not allowed",
                detail,
            ),
            Style::Users => ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                style,
                "http:error:method-not-allowed",
                "Method not allowed.",
                detail,
            ),
        }
    }

    /// A body that is not JSON, or not a JSON object.
    pub fn bad_body(style: Style, reason: String) -> Self {
        let invalid = vec![("body".to_owned(), reason)];
        match style {
            Style::Application => ApiError::payload_validation(invalid),
            Style::Users => ApiError::users_validation(invalid),
        }
    }

    /// A `Content-Type` other than JSON on a request with a body.
    pub fn unsupported_content_type(style: Style) -> Self {
        match style {
            Style::Application => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                style,
                "#content-type-header",
                "Unsupported Content-Type header",
                "Unsupported Content-Type header provided. Must be one of the following: 'application/json'",
            ),
            // The Users API answers 406 with a validation code for this (spec User406...).
            Style::Users => ApiError::new(
                StatusCode::NOT_ACCEPTABLE,
                style,
                "http:error:validation-fail",
                "Bad request.",
                "Invalid Content-Type.",
            ),
        }
    }

    pub fn body_too_large(style: Style, limit: usize) -> Self {
        let detail = format!("The request body is larger than {limit} bytes");
        match style {
            Style::Application => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                style,
                "#payload-too-large",
                "Payload Too Large",
                detail,
            ),
            Style::Users => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                style,
                "http:error:payload-too-large",
                "Payload too large.",
                detail,
            ),
        }
    }

    /// A body that stopped arriving: answered, and the connection closed.
    pub fn body_timeout(style: Style, seconds: u64) -> Self {
        let detail = format!("The request body did not arrive within {seconds} seconds");
        match style {
            Style::Application => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                style,
                "#request-timeout",
                "Request Timeout",
                detail,
            ),
            Style::Users => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                style,
                "http:error:request-timeout",
                "Request timeout.",
                detail,
            ),
        }
    }

    pub fn internal(style: Style, detail: &str) -> Self {
        match style {
            Style::Application => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                style,
                "#internal-error",
                "Internal Error",
                detail,
            ),
            Style::Users => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                style,
                "system:error:internal-error",
                "Internal Error.",
                detail,
            ),
        }
    }

    /// The answer of an injected fault: `code` in the path's style, without touching state.
    pub fn fault(style: Style, code: u16, retry_after: Option<u64>) -> Self {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut error = match (status, style) {
            (StatusCode::TOO_MANY_REQUESTS, Style::Application) => ApiError::new(
                status,
                style,
                "#throttled",
                "Too many requests",
                "Your account has reached it's API limit and has been throttled",
            ),
            (StatusCode::TOO_MANY_REQUESTS, Style::Users) => ApiError::new(
                status,
                style,
                "http:error:too-many-request",
                "Too Many Requests.",
                "You have exceeded your request limit. You can try again shortly.",
            ),
            (StatusCode::INTERNAL_SERVER_ERROR, _) => {
                ApiError::internal(style, "Something went wrong.")
            }
            (_, Style::Application) => ApiError::new(
                status,
                style,
                "#sandbox-fault",
                status.canonical_reason().unwrap_or("Error"),
                "The sandbox was told to fail this request (fault injection).",
            ),
            (_, Style::Users) => ApiError::new(
                status,
                style,
                "system:error:sandbox-fault",
                status.canonical_reason().unwrap_or("Error"),
                "The sandbox was told to fail this request (fault injection).",
            ),
        };
        error.retry_after = retry_after;
        error
    }

    /// The JSON body, exactly as the style's spec lists the fields.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        let invalid = || {
            Value::Array(
                self.invalid
                    .iter()
                    .map(|(name, reason)| json!({"name": name, "reason": reason}))
                    .collect(),
            )
        };
        match self.style {
            Style::Application => {
                body.insert(
                    "type".into(),
                    format!("{APP_TYPE_BASE}{}", self.kind).into(),
                );
                body.insert("title".into(), self.title.into());
                body.insert("detail".into(), self.detail.clone().into());
                body.insert("instance".into(), instance().into());
                if !self.invalid.is_empty() {
                    body.insert("invalid_parameters".into(), invalid());
                }
                // The Application API's throttled body (common_errors ThrottledError) says it too.
                if let Some(seconds) = self.retry_after {
                    body.insert("retry_after".into(), seconds.into());
                }
            }
            Style::Users => {
                body.insert("title".into(), self.title.into());
                body.insert(
                    "type".into(),
                    format!("{USERS_TYPE_BASE}{}", self.kind).into(),
                );
                body.insert("code".into(), self.kind.into());
                body.insert("detail".into(), self.detail.clone().into());
                body.insert("instance".into(), instance().into());
                if !self.invalid.is_empty() {
                    body.insert("invalid_parameters".into(), invalid());
                }
            }
        }
        Value::Object(body)
    }
}

/// A fresh request id like Vonage's (32 hex digits).
fn instance() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let content_type = match self.style {
            // RFC 7807's own media type; the Users API spec declares plain JSON.
            Style::Application => "application/problem+json",
            Style::Users => "application/json",
        };
        let mut response = (self.status, self.body().to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_follow_the_path() {
        assert_eq!(Style::for_path("/v1/users"), Style::Users);
        assert_eq!(Style::for_path("/v0.3/users/USR-1"), Style::Users);
        assert_eq!(Style::for_path("/v1/usersx"), Style::Application);
        assert_eq!(Style::for_path("/v2/applications"), Style::Application);
        assert_eq!(Style::for_path("/account/get-balance"), Style::Application);
    }

    #[test]
    fn application_body_has_the_rfc7807_fields() {
        let body = ApiError::payload_validation(vec![("name".into(), "is required".into())]).body();
        let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["detail", "instance", "invalid_parameters", "title", "type"]
        );
        assert_eq!(body["invalid_parameters"][0]["name"], "name");
        assert!(
            body["type"]
                .as_str()
                .unwrap()
                .ends_with("#payload-validation")
        );
    }

    #[test]
    fn users_body_has_a_code_and_a_matching_type() {
        let body = ApiError::duplicate_user_name().body();
        assert_eq!(body["code"], "user:error:duplicate-name");
        assert!(
            body["type"]
                .as_str()
                .unwrap()
                .ends_with("#user:error:duplicate-name")
        );
        assert!(body.get("invalid_parameters").is_none());
        assert_eq!(body["instance"].as_str().unwrap().len(), 32);
    }

    #[test]
    fn throttled_answers_carry_retry_after() {
        let response = ApiError::fault(Style::Users, 429, Some(2)).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        let body = ApiError::fault(Style::Application, 429, Some(2)).body();
        assert_eq!(body["retry_after"], 2);
    }
}
