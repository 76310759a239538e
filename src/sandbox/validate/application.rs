//! What the Application API refuses (vonage-api.md §4): a create or replace body, field by
//! field with the 2.4.1 spec's rules, and the list's paging parameters.

use serde_json::{Map, Value, json};

use crate::auth::keys::PublicKey;
use crate::sandbox::errors::ApiError;
use crate::sandbox::paging::{
    self, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE, NumberError, Query,
};

/// Voice regions of the 2.4.1 spec (`VoiceRegion`).
const VOICE_REGIONS: [&str; 6] = [
    "na-east",
    "na-west",
    "eu-east",
    "eu-west",
    "apac-sng",
    "apac-australia",
];

/// The list's `page_size` and `page`, with the Application API's reasons.
pub fn list_query(query: &Query) -> Result<(u64, u64), ApiError> {
    let mut invalid = Vec::new();
    let page_size = paging::int_param(
        query.get("page_size"),
        DEFAULT_PAGE_SIZE,
        MIN_PAGE_SIZE,
        MAX_PAGE_SIZE,
    )
    .unwrap_or_else(|_| {
        invalid.push(("page_size".into(), "must be between 1 and 100".into()));
        DEFAULT_PAGE_SIZE
    });
    let page =
        paging::int_param(query.get("page"), 1, 1, u64::from(u32::MAX)).unwrap_or_else(|e| {
            let reason = match e {
                NumberError::NotANumber => "must be a number",
                NumberError::TooSmall | NumberError::TooLarge => "must be a positive integer",
            };
            invalid.push(("page".into(), reason.into()));
            1
        });
    if invalid.is_empty() {
        Ok((page_size, page))
    } else {
        Err(ApiError::list_validation(invalid))
    }
}

/// A create or replace body, checked.
#[derive(Debug)]
pub struct AppInput {
    pub name: String,
    pub public_key: Option<String>,
    pub capabilities: Option<Value>,
    pub privacy: Option<Value>,
}

/// Checks a body like the API does, collecting one reason per bad field.
pub fn body(body: &Map<String, Value>, path_id: Option<&str>) -> Result<AppInput, ApiError> {
    let mut invalid: Vec<(String, String)> = Vec::new();
    let mut bad = |name: &str, reason: &str| invalid.push((name.to_owned(), reason.to_owned()));
    let name = match body.get("name") {
        None | Some(Value::Null) => {
            bad("name", "is required");
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            bad("name", "must not be empty");
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            bad("name", "must be a string");
            None
        }
    };
    // A PUT may repeat the application's own id (SDKs send the object they read back).
    if let (Some(path_id), Some(given)) = (path_id, body.get("id"))
        && given
            .as_str()
            .is_none_or(|g| !g.eq_ignore_ascii_case(path_id))
    {
        bad("id", "must match the application id in the path");
    }
    let mut public_key = None;
    match body.get("keys") {
        None | Some(Value::Null) => {}
        Some(Value::Object(keys)) => match keys.get("public_key") {
            None | Some(Value::Null) => {}
            Some(Value::String(pem)) if PublicKey::from_pem(pem).is_ok() => {
                // Stored as given, so a client comparing PEM text finds its own key.
                public_key = Some(pem.clone());
            }
            Some(Value::String(_)) => bad(
                "keys.public_key",
                "must be an RSA public key in PEM format (-----BEGIN PUBLIC KEY-----)",
            ),
            Some(_) => bad("keys.public_key", "must be a string"),
        },
        Some(_) => bad("keys", "must be an object"),
    }
    let capabilities = match body.get("capabilities") {
        None | Some(Value::Null) => None,
        Some(caps) => {
            check_capabilities(caps, &mut invalid);
            Some(caps.clone())
        }
    };
    let privacy = match body.get("privacy") {
        None | Some(Value::Null) => None,
        Some(Value::Object(p)) => match p.get("improve_ai") {
            None | Some(Value::Null) => Some(json!({ "improve_ai": true })),
            Some(Value::Bool(b)) => Some(json!({ "improve_ai": b })),
            Some(_) => {
                invalid.push(("privacy.improve_ai".into(), "must be a boolean".into()));
                None
            }
        },
        Some(_) => {
            invalid.push(("privacy".into(), "must be an object".into()));
            None
        }
    };
    match name {
        Some(name) if invalid.is_empty() => Ok(AppInput {
            name,
            public_key,
            capabilities,
            privacy,
        }),
        _ => Err(ApiError::payload_validation(invalid)),
    }
}

fn check_capabilities(caps: &Value, invalid: &mut Vec<(String, String)>) {
    let Some(caps) = caps.as_object() else {
        invalid.push(("capabilities".into(), "must be an object".into()));
        return;
    };
    for (cap, conf) in caps {
        let at = format!("capabilities.{cap}");
        let Some(conf) = conf.as_object() else {
            invalid.push((at, "must be an object".into()));
            continue;
        };
        match conf.get("webhooks") {
            None | Some(Value::Null) => {}
            Some(Value::Object(hooks)) => {
                for (hook, webhook) in hooks {
                    check_webhook(
                        cap,
                        hook,
                        webhook,
                        &format!("{at}.webhooks.{hook}"),
                        invalid,
                    );
                }
            }
            Some(_) => invalid.push((format!("{at}.webhooks"), "must be an object".into())),
        }
        let mut check = |field: &str, rule: Rule| {
            if let Some(reason) = conf.get(field).and_then(|v| rule.refuse(v)) {
                invalid.push((format!("{at}.{field}"), reason));
            }
        };
        match cap.as_str() {
            "voice" => {
                check("signed_callbacks", Rule::Bool);
                check("conversations_ttl", Rule::Int(1, 9000));
                check("leg_persistence_time", Rule::Int(1, 31));
                check("region", Rule::OneOf(&VOICE_REGIONS));
            }
            "rtc" => {
                check("signed_callbacks", Rule::Bool);
                // 2.1.x kept this under rtc; still accepted there.
                check("leg_persistence_time", Rule::Int(1, 31));
            }
            _ => {}
        }
    }
}

fn check_webhook(
    cap: &str,
    hook: &str,
    webhook: &Value,
    at: &str,
    invalid: &mut Vec<(String, String)>,
) {
    let Some(webhook) = webhook.as_object() else {
        invalid.push((at.to_owned(), "must be an object".into()));
        return;
    };
    match webhook.get("address") {
        Some(Value::String(address)) if is_http_url(address) => {}
        None | Some(Value::Null) => invalid.push((format!("{at}.address"), "is required".into())),
        Some(_) => invalid.push((
            format!("{at}.address"),
            "must be an absolute http or https URL".into(),
        )),
    }
    // The spec's enums: GET|POST for voice and rtc, POST only for the messaging products;
    // video webhooks have no method.
    let methods: &[&str] = match cap {
        "messages" | "verify" | "meetings" => &["POST"],
        "video" => &[],
        _ => &["GET", "POST"],
    };
    if !methods.is_empty()
        && let Some(reason) = webhook
            .get("http_method")
            .and_then(|m| Rule::OneOf(methods).refuse(m))
    {
        invalid.push((format!("{at}.http_method"), reason));
    }
    if cap == "voice" {
        let socket_max = if hook == "event_url" { 10_000 } else { 5_000 };
        for (field, rule) in [
            ("connect_timeout", Rule::Int(300, 1000)),
            ("socket_timeout", Rule::Int(1000, socket_max)),
        ] {
            if let Some(reason) = webhook.get(field).and_then(|v| rule.refuse(v)) {
                invalid.push((format!("{at}.{field}"), reason));
            }
        }
    }
}

/// A check on one optional field; `null` counts as absent.
#[derive(Clone, Copy)]
enum Rule {
    Bool,
    Int(i64, i64),
    OneOf(&'static [&'static str]),
}

impl Rule {
    fn refuse(self, value: &Value) -> Option<String> {
        if value.is_null() {
            return None;
        }
        match self {
            Rule::Bool => (!value.is_boolean()).then(|| "must be a boolean".to_owned()),
            Rule::Int(min, max) => match value.as_i64() {
                Some(n) if (min..=max).contains(&n) => None,
                _ => Some(format!("must be an integer between {min} and {max}")),
            },
            Rule::OneOf(allowed) => match value.as_str() {
                Some(s) if allowed.contains(&s) => None,
                _ => Some(format!("must be one of: {}", allowed.join(", "))),
            },
        }
    }
}

/// Whether `text` is an absolute http(s) URL with a host.
fn is_http_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(body: Value) -> Vec<(String, String)> {
        let Value::Object(map) = body else { panic!() };
        match super::body(&map, Some("78d335fa-323d-0114-9c3d-d6f0d48968cf")) {
            Ok(_) => Vec::new(),
            Err(e) => e.body()["invalid_parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().to_owned(),
                        p["reason"].as_str().unwrap().to_owned(),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn a_full_wizard_body_is_accepted() {
        let body = json!({
            "name": "my-client-sdk-app",
            "id": "78D335FA-323D-0114-9C3D-D6F0D48968CF",
            "capabilities": {
                "voice": { "webhooks": {
                    "answer_url": { "address": "https://example.com/a", "http_method": "GET", "socket_timeout": 5000 },
                    "event_url": { "address": "https://example.com/e", "http_method": "POST", "socket_timeout": 10000 }
                }, "region": "eu-west", "signed_callbacks": true },
                "rtc": { "webhooks": { "event_url": { "address": "https://example.com/r", "http_method": "POST" } } },
                "vbc": {}
            },
            "privacy": { "improve_ai": false }
        });
        assert_eq!(reasons(body), Vec::<(String, String)>::new());
    }

    #[test]
    fn every_bad_field_is_named() {
        let got = reasons(json!({
            "id": "other",
            "keys": { "public_key": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n" },
            "capabilities": {
                "voice": { "webhooks": {
                    "answer_url": { "address": "/relative", "http_method": "PUT", "connect_timeout": 5 },
                    "event_url": { "http_method": "POST", "socket_timeout": 10000 }
                }, "conversations_ttl": 0, "region": "mars" },
                "rtc": "yes"
            },
            "privacy": { "improve_ai": "no" }
        }));
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "name",
            "id",
            "keys.public_key",
            "capabilities.voice.webhooks.answer_url.address",
            "capabilities.voice.webhooks.answer_url.http_method",
            "capabilities.voice.webhooks.answer_url.connect_timeout",
            "capabilities.voice.webhooks.event_url.address",
            "capabilities.voice.conversations_ttl",
            "capabilities.voice.region",
            "capabilities.rtc",
            "privacy.improve_ai",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
        assert!(!names.contains(&"capabilities.voice.webhooks.event_url.socket_timeout"));
        let method = got
            .iter()
            .find(|(n, _)| n.ends_with("answer_url.http_method"))
            .unwrap();
        assert_eq!(method.1, "must be one of: GET, POST");
    }

    #[test]
    fn name_must_be_a_non_empty_string() {
        assert_eq!(reasons(json!({"name": ""}))[0].1, "must not be empty");
        assert_eq!(reasons(json!({"name": 3}))[0].1, "must be a string");
        assert_eq!(reasons(json!({}))[0].1, "is required");
    }

    #[test]
    fn urls() {
        assert!(is_http_url("https://example.com/answer"));
        assert!(is_http_url("http://127.0.0.1:3000/x?y=1"));
        assert!(!is_http_url("/relative"));
        assert!(!is_http_url("ftp://example.com"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("not a url"));
    }
}
