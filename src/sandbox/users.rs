//! Users API (`/v1/users` and the older `/v0.3/users`): cursor-paged list, create, get by id
//! or name, patch, delete, per application, behind verified bearer JWTs (vonage-api.md §5);
//! bodies and queries are checked by `validate::user`.

use crate::clock::rfc3339;

use std::convert::Infallible;

use axum::Json;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::errors::{ApiError, Style};
use super::extract::{Ctx, JsonObject, UserPath};
use super::paging::{self, Cursor, Query};
use super::state::UserRecord;
use super::validate::user::{self as validate, Field};

/// Which Users API a request came through; links point back into the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    /// Conversation API v0.3: same shapes, plus `timestamp` on a user.
    V03,
}

/// Extractor: the API the path is under.
impl<S: Send + Sync> FromRequestParts<S> for Version {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(if parts.uri.path().starts_with("/v0.3/") {
            Version::V03
        } else {
            Version::V1
        })
    }
}

impl Version {
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

pub async fn list(
    State(ctx): State<Ctx>,
    caller: Caller,
    version: Version,
    RawQuery(raw): RawQuery,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let query = Query::parse(raw.as_deref());
    let validate::ListQuery {
        page_size,
        order,
        descending,
        cursor,
        name,
    } = validate::list_query(&query)?;

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
    Ok((
        StatusCode::OK,
        Json(json!({
            "page_size": page_size,
            // The spec lists a top-level `cursor` as required; real answers omit it. We give
            // the cursor of this page (null on the first), which satisfies both readings.
            "cursor": cursor.map(Cursor::encode),
            "_embedded": { "users": items },
            "_links": links,
        })),
    ))
}

pub async fn create(
    State(ctx): State<Ctx>,
    caller: Caller,
    version: Version,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = validate::body(&body, true)?;
    let name = match input.name {
        Field::Set(name) => name,
        // As Vonage does: an unnamed user gets a random name.
        Field::Absent | Field::Clear => format!("NAM-{}", uuid::Uuid::new_v4()),
    };
    let now = crate::clock::unix_now();
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
    Ok((StatusCode::CREATED, Json(answer)))
}

pub async fn get(
    State(ctx): State<Ctx>,
    caller: Caller,
    version: Version,
    UserPath(id): UserPath,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let base = &*ctx.base_url;
    ctx.store
        .read(|d| {
            let user = d.app(&caller.application_id)?.user(&id)?;
            Some(user_json(user, base, version))
        })
        .map(|user| (StatusCode::OK, Json(user)))
        .ok_or_else(ApiError::user_not_found)
}

/// The user a user token speaks for (`sub`, a name or an id, in the token's application);
/// an admin token, or a `sub` the application does not have, is refused.
pub fn of_caller(ctx: &Ctx, caller: &Caller) -> Result<UserRecord, ApiError> {
    let sub = caller
        .subject
        .as_deref()
        .ok_or_else(|| ApiError::invalid_token("this call needs a user token, with sub"))?;
    ctx.store
        .read(|d| d.app(&caller.application_id)?.user(sub).cloned())
        .ok_or_else(ApiError::user_not_found)
}

/// `GET /v0.3/users/me`: the user of the token, as the Client SDK's `getUser('me')` reads it.
pub async fn me(State(ctx): State<Ctx>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let user = of_caller(&ctx, &caller)?;
    Ok(Json(user_json(&user, &ctx.base_url, Version::V03)))
}

pub async fn update(
    State(ctx): State<Ctx>,
    caller: Caller,
    version: Version,
    UserPath(id): UserPath,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = validate::body(&body, false)?;
    let now = crate::clock::unix_now();
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
    Ok((StatusCode::OK, Json(answer)))
}

pub async fn delete(
    State(ctx): State<Ctx>,
    caller: Caller,
    UserPath(id): UserPath,
) -> Result<StatusCode, ApiError> {
    ctx.store.update(Style::Users, |d| {
        let app = d
            .app_mut(&caller.application_id)
            .ok_or_else(ApiError::user_not_found)?;
        let index = app.user_index(&id).ok_or_else(ApiError::user_not_found)?;
        app.users.remove(index);
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
