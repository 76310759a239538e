//! The `/v0.3/conversations` bodies the sandbox keeps: optional texts (names, display names)
//! of bounded length, and the events it emulates (a text `message`, the two receipts).

use serde_json::{Map, Value};

use crate::sandbox::errors::ApiError;

/// The longest name, display name or text the sandbox keeps.
pub const MAX_TEXT: usize = 8 * 1024;

/// An optional string field no longer than [`MAX_TEXT`], or a validation failure naming it.
pub fn text(body: &Map<String, Value>, field: &str) -> Result<Option<String>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() <= MAX_TEXT => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(invalid(field, &format!("must be at most {MAX_TEXT} bytes"))),
        Some(_) => Err(invalid(field, "must be a string")),
    }
}

fn invalid(field: &str, why: &str) -> ApiError {
    ApiError::users_validation(vec![(field.to_owned(), why.to_owned())])
}

/// The text of an event body's `message`, `None` for a receipt (`message:delivered`,
/// `message:seen`); any other type, or a message that is not text, is refused naming the field.
pub fn event_text(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let kind = body.get("type").and_then(Value::as_str).unwrap_or_default();
    match kind {
        "message" => {
            let message = body.get("body");
            let field = |name: &str| message.and_then(|m| m.get(name));
            if field("message_type").and_then(Value::as_str) != Some("text") {
                return Err(invalid(
                    "body.message_type",
                    "only \"text\" messages are emulated",
                ));
            }
            match field("text") {
                Some(Value::String(t)) if t.len() <= MAX_TEXT => Ok(Some(t.clone())),
                _ => Err(invalid(
                    "body.text",
                    &format!("must be a string of at most {MAX_TEXT} bytes"),
                )),
            }
        }
        "message:delivered" | "message:seen" => Ok(None),
        _ => Err(invalid(
            "type",
            "must be message, message:delivered or message:seen",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn events_are_a_text_message_or_a_receipt() {
        let hi =
            object(json!({ "type": "message", "body": { "message_type": "text", "text": "hi" } }));
        assert_eq!(event_text(&hi).unwrap(), Some("hi".to_owned()));
        let seen = object(json!({ "type": "message:seen", "body": { "event_id": 1 } }));
        assert_eq!(event_text(&seen).unwrap(), None);
        for bad in [
            json!({ "type": "message", "body": { "message_type": "image" } }),
            json!({ "type": "message" }),
            json!({ "type": "message", "body": { "message_type": "text", "text": 1 } }),
            json!({ "type": "message", "body": { "message_type": "text", "text": "x".repeat(MAX_TEXT + 1) } }),
            json!({ "type": "member:joined" }),
            json!({}),
        ] {
            assert!(event_text(&object(bad.clone())).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_are_optional_strings_of_bounded_length() {
        let body = object(
            json!({ "name": "chat", "display_name": null, "n": 1, "long": "x".repeat(MAX_TEXT + 1) }),
        );
        assert_eq!(text(&body, "name").unwrap(), Some("chat".to_owned()));
        assert_eq!(text(&body, "display_name").unwrap(), None);
        assert_eq!(text(&body, "missing").unwrap(), None);
        assert!(text(&body, "n").is_err());
        assert!(text(&body, "long").is_err());
    }
}
