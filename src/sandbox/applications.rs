//! Application API v2 (`/v2/applications`): list, create, get, replace, delete, with the
//! API's validation and RFC 7807 error bodies (vonage-api.md §4).

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::auth::require_basic;
use super::errors::{ApiError, Style};
use super::paging::{self, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE, NumberError, Query};
use super::routes::{Ctx, is_http_url, json, json_object};
use super::state::AppRecord;
use crate::auth::keys::{PrivateKey, PublicKey};

const COLLECTION: &str = "/v2/applications";

/// Voice regions of the 2.4.1 spec (`VoiceRegion`).
const VOICE_REGIONS: [&str; 6] = [
    "na-east",
    "na-west",
    "eu-east",
    "eu-west",
    "apac-sng",
    "apac-australia",
];

/// An application as the API shows it; `_links.self.href` absolute.
fn app_json(app: &AppRecord, base: &str) -> Value {
    json!({
        "id": app.id,
        "name": app.name,
        "keys": { "public_key": app.public_key },
        "capabilities": app.capabilities,
        "privacy": app.privacy,
        "_links": { "self": { "href": format!("{base}{COLLECTION}/{}", app.id) } },
    })
}

pub async fn list(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    require_basic(&ctx.store, &headers)?;
    let query = Query::parse(raw.as_deref());
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
    if !invalid.is_empty() {
        return Err(ApiError::list_validation(invalid));
    }
    let base = &*ctx.base_url;
    let size = usize::try_from(page_size).unwrap_or(usize::MAX);
    let skip = usize::try_from(page - 1)
        .unwrap_or(usize::MAX)
        .saturating_mul(size);
    let (total, items): (u64, Vec<Value>) = ctx.store.read(|d| {
        (
            d.applications.len() as u64,
            d.applications
                .iter()
                .skip(skip)
                .take(size)
                .map(|a| app_json(a, base))
                .collect(),
        )
    });
    let total_pages = total.div_ceil(page_size);
    let link = |page: u64| {
        json!({ "href": paging::href(base, COLLECTION, &[
            ("page_size", page_size.to_string()),
            ("page", page.to_string()),
        ]) })
    };
    let mut links = Map::new();
    links.insert("self".into(), link(page));
    links.insert("first".into(), link(1));
    links.insert("last".into(), link(total_pages.max(1)));
    if page < total_pages {
        links.insert("next".into(), link(page + 1));
    }
    if page > 1 {
        links.insert("prev".into(), link((page - 1).min(total_pages.max(1))));
    }
    Ok(json(
        StatusCode::OK,
        &json!({
            "page_size": page_size,
            "page": page,
            "total_items": total,
            "total_pages": total_pages,
            "_embedded": { "applications": items },
            "_links": links,
        }),
    ))
}

pub async fn create(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    require_basic(&ctx.store, &headers)?;
    let body = json_object(Style::Application, &headers, body)?;
    let input = validate(&body, None)?;
    // No public key given: make a pair as Vonage does and hand out the private half once.
    let (public_key, private_pem) = match input.public_key {
        Some(pem) => (pem, None),
        None => {
            let key = tokio::task::spawn_blocking(PrivateKey::generate)
                .await
                .ok()
                .and_then(Result::ok)
                .ok_or_else(|| {
                    ApiError::internal(Style::Application, "Could not generate a key pair.")
                })?;
            (key.public_key().to_spki_pem(), Some(key.to_pkcs8_pem()))
        }
    };
    let app = AppRecord {
        id: uuid::Uuid::new_v4().to_string(),
        name: input.name,
        public_key,
        capabilities: input.capabilities.unwrap_or_else(|| json!({})),
        privacy: input
            .privacy
            .unwrap_or_else(|| json!({ "improve_ai": true })),
        users: Vec::new(),
    };
    let mut answer = app_json(&app, &ctx.base_url);
    ctx.store.update(Style::Application, |d| {
        d.applications.push(app);
        Ok(())
    })?;
    if let (Some(pem), Some(keys)) = (private_pem, answer.get_mut("keys")) {
        keys["private_key"] = Value::String(pem.to_string());
    }
    Ok(json(StatusCode::CREATED, &answer))
}

pub async fn get(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    require_basic(&ctx.store, &headers)?;
    let id = path_id(id)?;
    ctx.store
        .read(|d| d.app(&id).map(|a| app_json(a, &ctx.base_url)))
        .map(|app| json(StatusCode::OK, &app))
        .ok_or_else(|| ApiError::application_not_found(&id))
}

/// `PUT` replaces name and capabilities; keys and privacy are kept unless given.
pub async fn update(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    require_basic(&ctx.store, &headers)?;
    let id = path_id(id)?;
    let body = json_object(Style::Application, &headers, body)?;
    if ctx.store.read(|d| d.app(&id).is_none()) {
        return Err(ApiError::application_not_found(&id));
    }
    let input = validate(&body, Some(&id))?;
    let base = &*ctx.base_url;
    let answer = ctx.store.update(Style::Application, |d| {
        let app = d
            .app_mut(&id)
            .ok_or_else(|| ApiError::application_not_found(&id))?;
        app.name = input.name;
        app.capabilities = input.capabilities.unwrap_or_else(|| json!({}));
        if let Some(pem) = input.public_key {
            app.public_key = pem;
        }
        if let Some(privacy) = input.privacy {
            app.privacy = privacy;
        }
        Ok(app_json(app, base))
    })?;
    Ok(json(StatusCode::OK, &answer))
}

pub async fn delete(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    require_basic(&ctx.store, &headers)?;
    let id = path_id(id)?;
    ctx.store.update(Style::Application, |d| {
        let before = d.applications.len();
        // Its users go with it: they belong to the application.
        d.applications.retain(|a| a.id != id);
        if d.applications.len() == before {
            Err(ApiError::application_not_found(&id))
        } else {
            Ok(())
        }
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A path id that axum could not decode cannot name an application.
fn path_id(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    id.map(|Path(id)| id)
        .map_err(|_| ApiError::application_not_found(""))
}

/// A create or replace body, checked.
#[derive(Debug)]
struct Input {
    name: String,
    public_key: Option<String>,
    capabilities: Option<Value>,
    privacy: Option<Value>,
}

/// Checks a body like the API does, collecting one reason per bad field.
fn validate(body: &Map<String, Value>, path_id: Option<&str>) -> Result<Input, ApiError> {
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
        Some(name) if invalid.is_empty() => Ok(Input {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(body: Value) -> Vec<(String, String)> {
        let Value::Object(map) = body else { panic!() };
        match validate(&map, Some("78d335fa-323d-0114-9c3d-d6f0d48968cf")) {
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
}
