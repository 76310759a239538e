//! One error type for both Vonage error styles: the Application API's RFC 7807 body (with
//! `invalid_parameters`) and the Users API's body (with `code`). Never matched on `type`,
//! whose host changed between spec versions.

use std::fmt;

use serde_json::Value;

/// A field the API named as invalid, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldReason {
    pub name: String,
    pub reason: String,
}

/// An error answer from the Vonage API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    /// The Users API's machine code, e.g. `user:error:duplicate-name`.
    pub code: Option<String>,
    pub title: String,
    pub detail: Option<String>,
    pub instance: Option<String>,
    pub invalid_parameters: Vec<FieldReason>,
    /// Seconds the API asked us to wait (`Retry-After`), on 429 and 503.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// Reads any Vonage error body; an unreadable one still gives a useful error.
    pub fn from_body(status: u16, body: &[u8], retry_after: Option<u64>) -> Self {
        let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_owned);
        let invalid_parameters = json
            .get("invalid_parameters")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|p| {
                        Some(FieldReason {
                            name: p.get("name")?.as_str()?.to_owned(),
                            reason: p.get("reason")?.as_str()?.to_owned(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        ApiError {
            status,
            // The legacy account API says {"error-code": "401", "error-code-label": "..."}.
            code: text("code").or_else(|| text("error-code")),
            title: text("title")
                .or_else(|| text("error-code-label"))
                .unwrap_or_else(|| canonical_reason(status).to_owned()),
            detail: text("detail").or_else(|| {
                (json.is_null() && !body.is_empty()).then(|| {
                    let shown: String = String::from_utf8_lossy(body).chars().take(200).collect();
                    shown.trim().to_owned()
                })
            }),
            instance: text("instance"),
            invalid_parameters,
            retry_after,
        }
    }

    /// The reason the API gave for one field, to show next to that field.
    pub fn reason_for(&self, field: &str) -> Option<&str> {
        self.invalid_parameters
            .iter()
            .find(|p| p.name == field)
            .map(|p| p.reason.as_str())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Vonage answered {} {}",
            self.status,
            self.title.trim_end_matches('.')
        )?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {}", detail.trim_end_matches('.'))?;
        }
        for p in &self.invalid_parameters {
            write!(f, "\n  {}: {}", p.name, p.reason)?;
        }
        if let Some(seconds) = self.retry_after {
            write!(f, "\n  try again in {seconds} s")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Why a client could not be set up. Says what is wrong in the client's terms; which flag or
/// setting fixes it, and the exit code, are decided at the top (`crate::error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// An API base that is not an absolute http(s) URL with a host, or that carries a user,
    /// query or fragment.
    #[error("{0}")]
    BadBase(String),
    /// A plain `http://` base on another machine, while `PlainHttp::LoopbackOnly`.
    #[error("plain http:// to {base} is refused: it is only for this machine")]
    InsecureHttp { base: String },
    /// The TLS client could not be built.
    #[error("could not set up HTTPS: {0}")]
    Tls(String),
}

fn canonical_reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_style_with_field_reasons() {
        let body = br#"{"type":"https://developer.nexmo.com/api-errors/application#payload-validation",
            "title":"Bad Request","detail":"The request failed due to validation errors",
            "invalid_parameters":[{"name":"capabilities.voice.webhooks.answer_url.http_method","reason":"must be one of: GET, POST"}],
            "instance":"797a8f199c45014ab7b08bfe9cc1c12c"}"#;
        let e = ApiError::from_body(400, body, None);
        assert_eq!(e.code, None);
        assert_eq!(
            e.reason_for("capabilities.voice.webhooks.answer_url.http_method"),
            Some("must be one of: GET, POST")
        );
        assert!(e.to_string().contains("must be one of"));
    }

    #[test]
    fn users_style_with_code() {
        let body = br#"{"title":"Conflict.","type":"https://developer.vonage.com/api/conversation#user:error:duplicate-name",
            "code":"user:error:duplicate-name","detail":"The user name already exists."}"#;
        let e = ApiError::from_body(409, body, None);
        assert_eq!(e.code.as_deref(), Some("user:error:duplicate-name"));
        assert_eq!(e.title, "Conflict.");
    }

    #[test]
    fn legacy_and_garbage_bodies() {
        let e = ApiError::from_body(
            401,
            br#"{"error-code":"401","error-code-label":"authentication failed"}"#,
            None,
        );
        assert_eq!(e.title, "authentication failed");
        let e = ApiError::from_body(502, b"<html>bad gateway</html>", None);
        assert_eq!(e.title, "Bad Gateway");
        assert_eq!(e.detail.as_deref(), Some("<html>bad gateway</html>"));
        let e = ApiError::from_body(500, b"", None);
        assert_eq!(e.detail, None);
    }
}
