//! Account balance (`/account/get-balance`): a fixed balance behind either auth Vonage
//! accepts there, Basic or `api_key`/`api_secret` query parameters (vonage-api.md §3).

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::auth::{credentials_match, has_basic_header, require_basic};
use super::errors::ApiError;
use super::extract::Ctx;
use super::paging::Query;

/// The sandbox account's balance in EUR.
const BALANCE: f64 = 10.5;

pub async fn balance(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let query = Query::parse(raw.as_deref());
    if !has_basic_header(&headers)
        && let (Some(key), Some(secret)) = (query.get("api_key"), query.get("api_secret"))
    {
        if !credentials_match(&ctx.store, key, secret) {
            // The query-auth flavour of this endpoint has its own legacy 401 body
            // (account.yml ErrorAuthenticationFailedAccountBalance).
            return Ok((
                StatusCode::UNAUTHORIZED,
                Json(json!({ "error-code": "401", "error-code-label": "authentication failed" })),
            ));
        }
        return Ok(ok());
    }
    require_basic(&ctx.store, &headers)?;
    Ok(ok())
}

fn ok() -> (StatusCode, Json<Value>) {
    (
        StatusCode::OK,
        Json(json!({ "value": BALANCE, "autoReload": false })),
    )
}
