//! Application API v2 (`/v2/applications`): list, create, get, replace, delete, answered
//! in RFC 7807 style (vonage-api.md §4); bodies are checked by `validate::application`.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::auth::BasicAuth;
use super::errors::{ApiError, Style};
use super::extract::{AppPath, Ctx, JsonObject};
use super::paging::{self, Query};
use super::state::AppRecord;
use super::validate::application as validate;
use crate::auth::keys::PrivateKey;

const COLLECTION: &str = "/v2/applications";

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
    _: BasicAuth,
    RawQuery(raw): RawQuery,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (page_size, page) = validate::list_query(&Query::parse(raw.as_deref()))?;
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
    Ok((
        StatusCode::OK,
        Json(json!({
            "page_size": page_size,
            "page": page,
            "total_items": total,
            "total_pages": total_pages,
            "_embedded": { "applications": items },
            "_links": links,
        })),
    ))
}

pub async fn create(
    State(ctx): State<Ctx>,
    _: BasicAuth,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = validate::body(&body, None)?;
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
    Ok((StatusCode::CREATED, Json(answer)))
}

pub async fn get(
    State(ctx): State<Ctx>,
    _: BasicAuth,
    AppPath(id): AppPath,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    ctx.store
        .read(|d| d.app(&id).map(|a| app_json(a, &ctx.base_url)))
        .map(|app| (StatusCode::OK, Json(app)))
        .ok_or_else(|| ApiError::application_not_found(&id))
}

/// `PUT` replaces name and capabilities; keys and privacy are kept unless given.
pub async fn update(
    State(ctx): State<Ctx>,
    _: BasicAuth,
    AppPath(id): AppPath,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if ctx.store.read(|d| d.app(&id).is_none()) {
        return Err(ApiError::application_not_found(&id));
    }
    let input = validate::body(&body, Some(&id))?;
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
    Ok((StatusCode::OK, Json(answer)))
}

pub async fn delete(
    State(ctx): State<Ctx>,
    _: BasicAuth,
    AppPath(id): AppPath,
) -> Result<StatusCode, ApiError> {
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
    Ok(StatusCode::NO_CONTENT)
}
