//! Users API (`/v1/users` and the older `/v0.3/users`): cursor-paged list, create, get by id
//! or name, patch, delete, per application, behind verified bearer JWTs (vonage-api.md §5).

use crate::onboard::rfc3339;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::auth::{Caller, require_bearer};
use super::errors::{ApiError, Style};
use super::paging::{
    self, Cursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE, NumberError, Query,
};
use super::routes::{Ctx, json, json_object};
use super::state::UserRecord;

/// Which Users API a request came through; links point back into the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    /// Conversation API v0.3: same shapes, plus `timestamp` on a user.
    V03,
}

impl Version {
    fn of(uri: &Uri) -> Version {
        if uri.path().starts_with("/v0.3/") {
            Version::V03
        } else {
            Version::V1
        }
    }

    fn root(self) -> &'static str {
        match self {
            Version::V1 => "/v1/users",
            Version::V03 => "/v0.3/users",
        }
    }
}

fn self_link(user: &UserRecord, base: &str, version: Version) -> Value {
    json!({ "self": { "href": format!("{base}{}/{}", version.root(), user.id) } })
}

/// The full user, as create/get/patch answer it.
fn user_json(user: &UserRecord, base: &str, version: Version) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), user.id.clone().into());
    out.insert("name".into(), user.name.clone().into());
    if let Some(display_name) = &user.display_name {
        out.insert("display_name".into(), display_name.clone().into());
    }
    if let Some(image_url) = &user.image_url {
        out.insert("image_url".into(), image_url.clone().into());
    }
    out.insert(
        "properties".into(),
        user.properties
            .clone()
            .unwrap_or_else(|| json!({ "custom_data": {} })),
    );
    out.insert(
        "channels".into(),
        user.channels.clone().unwrap_or_else(|| json!({})),
    );
    if version == Version::V03 {
        out.insert(
            "timestamp".into(),
            json!({ "created": rfc3339(user.created), "updated": rfc3339(user.updated) }),
        );
    }
    out.insert("_links".into(), self_link(user, base, version));
    Value::Object(out)
}

/// A list item: id, name, display name and link only ("lite", as the API lists them).
fn user_lite(user: &UserRecord, base: &str, version: Version) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), user.id.clone().into());
    out.insert("name".into(), user.name.clone().into());
    if let Some(display_name) = &user.display_name {
        out.insert("display_name".into(), display_name.clone().into());
    }
    out.insert("_links".into(), self_link(user, base, version));
    Value::Object(out)
}

fn authorize(
    ctx: &Ctx,
    headers: &HeaderMap,
    method: &Method,
    uri: &Uri,
) -> Result<Caller, ApiError> {
    require_bearer(
        &ctx.store,
        headers,
        method.as_str(),
        uri.path(),
        crate::onboard::unix_now(),
    )
}

pub async fn list(
    State(ctx): State<Ctx>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let caller = authorize(&ctx, &headers, &method, &uri)?;
    let version = Version::of(&uri);
    let query = Query::parse(raw.as_deref());
    let mut invalid: Vec<(String, String)> = Vec::new();
    let page_size = paging::int_param(
        query.get("page_size"),
        DEFAULT_PAGE_SIZE,
        MIN_PAGE_SIZE,
        MAX_PAGE_SIZE,
    )
    .unwrap_or_else(|e| {
        let reason = match e {
            NumberError::NotANumber => "\"page_size\" must be a number",
            NumberError::TooSmall => "\"page_size\" must be greater than or equal to 1",
            NumberError::TooLarge => "\"page_size\" must be less than or equal to 100",
        };
        invalid.push(("page_size".into(), reason.into()));
        DEFAULT_PAGE_SIZE
    });
    let order = query.get("order");
    let descending = match order {
        None => false,
        Some(o @ ("asc" | "ASC" | "desc" | "DESC")) => o.eq_ignore_ascii_case("desc"),
        Some(_) => {
            invalid.push((
                "order".into(),
                "\"order\" must be one of [asc, desc, ASC, DESC]".into(),
            ));
            false
        }
    };
    let cursor = match query.get("cursor") {
        None => None,
        Some(text) => {
            let cursor = Cursor::decode(text);
            if cursor.is_none() {
                invalid.push(("cursor".into(), "\"cursor\" is not a valid cursor".into()));
            }
            cursor
        }
    };
    let name = query.get("name");
    if !invalid.is_empty() {
        return Err(ApiError::users_validation(invalid));
    }

    let base = &*ctx.base_url;
    let size = usize::try_from(page_size).unwrap_or(usize::MAX);
    let (items, cut) = ctx.store.read(|d| {
        let mut users: Vec<&UserRecord> = d
            .app(&caller.application_id)
            .map(|a| {
                a.users
                    .iter()
                    .filter(|u| name.is_none_or(|n| u.name == n))
                    .collect()
            })
            .unwrap_or_default();
        // Stored in creation order, which is also sequence order.
        if descending {
            users.reverse();
        }
        let seqs: Vec<u64> = users.iter().map(|u| u.seq).collect();
        let cut = paging::cut(&seqs, descending, size, cursor);
        let items: Vec<Value> = users[cut.start..cut.end]
            .iter()
            .map(|u| user_lite(u, base, version))
            .collect();
        (items, cut)
    });
    // Links repeat the request's own filters, so following them keeps the same list.
    let link = |cursor: Option<Cursor>| {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(order) = order {
            params.push(("order", order.to_owned()));
        }
        params.push(("page_size", page_size.to_string()));
        if let Some(name) = name {
            params.push(("name", name.to_owned()));
        }
        if let Some(cursor) = cursor {
            params.push(("cursor", cursor.encode()));
        }
        json!({ "href": paging::href(base, version.root(), &params) })
    };
    let mut links = Map::new();
    links.insert("first".into(), link(None));
    links.insert("self".into(), link(cursor));
    if let Some(next) = cut.next {
        links.insert("next".into(), link(Some(next)));
    }
    if let Some(prev) = cut.prev {
        links.insert("prev".into(), link(Some(prev)));
    }
    Ok(json(
        StatusCode::OK,
        &json!({
            "page_size": page_size,
            // The spec lists a top-level `cursor` as required; real answers omit it. We give
            // the cursor of this page (null on the first), which satisfies both readings.
            "cursor": cursor.map(Cursor::encode),
            "_embedded": { "users": items },
            "_links": links,
        }),
    ))
}

pub async fn create(
    State(ctx): State<Ctx>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let caller = authorize(&ctx, &headers, &method, &uri)?;
    let version = Version::of(&uri);
    let body = json_object(Style::Users, &headers, body)?;
    let input = validate(&body, true)?;
    let name = match input.name {
        Field::Set(name) => name,
        // As Vonage does: an unnamed user gets a random name.
        Field::Absent | Field::Clear => format!("NAM-{}", uuid::Uuid::new_v4()),
    };
    let now = crate::onboard::unix_now();
    let base = &*ctx.base_url;
    let answer = ctx.store.update(Style::Users, |d| {
        let seq = d.take_seq();
        let app = d
            .app_mut(&caller.application_id)
            .ok_or_else(|| ApiError::invalid_token("unknown application"))?;
        if app.users.iter().any(|u| u.name == name) {
            return Err(ApiError::duplicate_user_name());
        }
        let user = UserRecord {
            id: format!("USR-{}", uuid::Uuid::new_v4()),
            name,
            display_name: input.display_name.set(),
            image_url: input.image_url.set(),
            properties: input.properties.set(),
            channels: input.channels.set(),
            created: now,
            updated: now,
            seq,
        };
        let answer = user_json(&user, base, version);
        app.users.push(user);
        Ok(answer)
    })?;
    Ok(json(StatusCode::CREATED, &answer))
}

/// The `{id or name}` of a user path; an unreadable one is a user that does not exist.
fn user_path(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    id.map(|Path(id)| id)
        .map_err(|_| ApiError::user_not_found())
}

pub async fn get(
    State(ctx): State<Ctx>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let caller = authorize(&ctx, &headers, &method, &uri)?;
    let version = Version::of(&uri);
    let id = user_path(id)?;
    let base = &*ctx.base_url;
    ctx.store
        .read(|d| {
            let app = d.app(&caller.application_id)?;
            let user = &app.users[app.user_index(&id)?];
            Some(user_json(user, base, version))
        })
        .map(|user| json(StatusCode::OK, &user))
        .ok_or_else(ApiError::user_not_found)
}

pub async fn update(
    State(ctx): State<Ctx>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let caller = authorize(&ctx, &headers, &method, &uri)?;
    let version = Version::of(&uri);
    let id = user_path(id)?;
    let body = json_object(Style::Users, &headers, body)?;
    let input = validate(&body, false)?;
    let now = crate::onboard::unix_now();
    let base = &*ctx.base_url;
    let answer = ctx.store.update(Style::Users, |d| {
        let app = d
            .app_mut(&caller.application_id)
            .ok_or_else(ApiError::user_not_found)?;
        let index = app.user_index(&id).ok_or_else(ApiError::user_not_found)?;
        if let Field::Set(name) = &input.name {
            // Repeating the user's own name is fine (SDKs send back what they read).
            let taken = app
                .users
                .iter()
                .enumerate()
                .any(|(i, u)| i != index && u.name == *name);
            if taken {
                return Err(ApiError::duplicate_user_name());
            }
        }
        let user = &mut app.users[index];
        if let Field::Set(name) = input.name {
            user.name = name;
        }
        input.display_name.apply(&mut user.display_name);
        input.image_url.apply(&mut user.image_url);
        input.properties.apply(&mut user.properties);
        input.channels.apply(&mut user.channels);
        user.updated = now;
        Ok(user_json(user, base, version))
    })?;
    Ok(json(StatusCode::OK, &answer))
}

pub async fn delete(
    State(ctx): State<Ctx>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let caller = authorize(&ctx, &headers, &method, &uri)?;
    let id = user_path(id)?;
    ctx.store.update(Style::Users, |d| {
        let app = d
            .app_mut(&caller.application_id)
            .ok_or_else(ApiError::user_not_found)?;
        let index = app.user_index(&id).ok_or_else(ApiError::user_not_found)?;
        app.users.remove(index);
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An optional object field (`properties`, `channels`): absent, null (clear it), or an
/// object that `check` finds nothing wrong with; every other value is a field error.
fn object_field(
    body: &Map<String, Value>,
    name: &str,
    invalid: &mut Vec<(String, String)>,
    check: impl FnOnce(&Map<String, Value>, &mut Vec<(String, String)>),
) -> Field<Value> {
    match body.get(name) {
        None => Field::Absent,
        Some(Value::Null) => Field::Clear,
        Some(value @ Value::Object(object)) => {
            let before = invalid.len();
            check(object, invalid);
            if invalid.len() == before {
                Field::Set(value.clone())
            } else {
                Field::Absent
            }
        }
        Some(_) => {
            invalid.push((name.into(), format!("\"{name}\" must be of type object")));
            Field::Absent
        }
    }
}

/// One optional body field: not sent, sent as `null` (clears it on PATCH), or a value.
#[derive(Debug)]
enum Field<T> {
    Absent,
    Clear,
    Set(T),
}

impl<T> Field<T> {
    fn set(self) -> Option<T> {
        match self {
            Field::Set(v) => Some(v),
            Field::Absent | Field::Clear => None,
        }
    }

    fn apply(self, target: &mut Option<T>) {
        match self {
            Field::Absent => {}
            Field::Clear => *target = None,
            Field::Set(v) => *target = Some(v),
        }
    }
}

#[derive(Debug)]
struct Input {
    name: Field<String>,
    display_name: Field<String>,
    image_url: Field<String>,
    properties: Field<Value>,
    channels: Field<Value>,
}

/// Checks a create or patch body, with the API's Joi-style reasons (`"name" must be a
/// string`). Unknown fields (such as an `id` or `_links` sent back) are ignored.
fn validate(body: &Map<String, Value>, creating: bool) -> Result<Input, ApiError> {
    let mut invalid: Vec<(String, String)> = Vec::new();
    let mut string = |field: &str, check: fn(&str) -> Option<&'static str>| -> Field<String> {
        match body.get(field) {
            None => Field::Absent,
            Some(Value::Null) => Field::Clear,
            Some(Value::String(s)) => match check(s) {
                None => Field::Set(s.clone()),
                Some(reason) => {
                    invalid.push((field.into(), format!("\"{field}\" {reason}")));
                    Field::Absent
                }
            },
            Some(_) => {
                invalid.push((field.into(), format!("\"{field}\" must be a string")));
                Field::Absent
            }
        }
    };
    let name = string("name", |s| {
        s.trim().is_empty().then_some("is not allowed to be empty")
    });
    let display_name = string("display_name", |_| None);
    let image_url = string("image_url", |s| {
        url::Url::parse(s).is_err().then_some("must be a valid uri")
    });
    if !creating && matches!(name, Field::Clear) {
        invalid.push(("name".into(), "\"name\" must be a string".into()));
    }
    let properties = object_field(body, "properties", &mut invalid, |props, invalid| {
        if props
            .get("custom_data")
            .is_some_and(|c| !c.is_object() && !c.is_null())
        {
            invalid.push((
                "properties.custom_data".into(),
                "\"properties.custom_data\" must be of type object".into(),
            ));
        }
        if props
            .get("ttl")
            .is_some_and(|t| !t.is_null() && t.as_u64().is_none_or(|t| t > 2_147_483_648))
        {
            invalid.push((
                "properties.ttl".into(),
                "\"properties.ttl\" must be a positive integer up to 2147483648".into(),
            ));
        }
    });
    let channels = object_field(body, "channels", &mut invalid, |channels, invalid| {
        for (kind, list) in channels {
            match list.as_array() {
                Some(items) => {
                    if let Some(i) = items.iter().position(|item| !item.is_object()) {
                        invalid.push((
                            format!("channels.{kind}[{i}]"),
                            format!("\"channels.{kind}[{i}]\" must be of type object"),
                        ));
                    }
                }
                None => invalid.push((
                    format!("channels.{kind}"),
                    format!("\"channels.{kind}\" must be an array"),
                )),
            }
        }
    });
    if !invalid.is_empty() {
        return Err(ApiError::users_validation(invalid));
    }
    Ok(Input {
        name,
        display_name,
        image_url,
        properties,
        channels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid_names(body: Value, creating: bool) -> Vec<String> {
        let Value::Object(map) = body else { panic!() };
        match validate(&map, creating) {
            Ok(_) => Vec::new(),
            Err(e) => e.body()["invalid_parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect(),
        }
    }

    #[test]
    fn good_bodies_pass() {
        let body = json!({
            "name": "alice", "display_name": "Alice", "image_url": "https://example.com/a.png",
            "properties": { "custom_data": { "tier": "gold" }, "ttl": 3600 },
            "channels": { "pstn": [ { "number": 447700900000u64 } ], "sms": [ { "number": "447700900000" } ] },
            "id": "USR-ignored", "_links": {}
        });
        assert!(invalid_names(body, true).is_empty());
        assert!(invalid_names(json!({}), true).is_empty());
        assert!(invalid_names(json!({"name": null}), true).is_empty());
    }

    #[test]
    fn bad_fields_are_each_named() {
        let got = invalid_names(
            json!({
                "name": 3, "display_name": [], "image_url": "not a url",
                "properties": { "custom_data": 1, "ttl": -1 },
                "channels": { "sms": {}, "pstn": [1] }
            }),
            true,
        );
        for expected in [
            "name",
            "display_name",
            "image_url",
            "properties.custom_data",
            "properties.ttl",
            "channels.sms",
            "channels.pstn[0]",
        ] {
            assert!(got.contains(&expected.to_owned()), "{expected} in {got:?}");
        }
        assert_eq!(invalid_names(json!({"name": ""}), true), ["name"]);
        assert_eq!(invalid_names(json!({"name": null}), false), ["name"]);
        assert_eq!(invalid_names(json!({"channels": 1}), false), ["channels"]);
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
