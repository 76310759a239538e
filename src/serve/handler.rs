//! One request to `token serve`: the origin (403 before anything else), the preflight, the
//! key (401), then the two routes; every answer to an allowed origin carries its CORS headers,
//! and every answer `Vary: Origin`.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, Method, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use hyper::body::Incoming;
use serde_json::json;
use tower::ServiceExt;

use super::access::{AccessKey, Presented, bearer};
use super::cors::OriginPolicy;
use super::{OnServed, Served};
use crate::auth::jwt::Signer;
use crate::auth::ttl::Ttl;
use crate::clock::{rfc3339, unix_now};
use crate::onboard::known_users::{KnownUsers, fresh_token};
use crate::onboard::names::{check_user_name, user_create_command};
use crate::quote::quoted;
use crate::serving::{self, BodyError};

/// The largest request body read (a GET has none; this only bounds what a client can make us
/// buffer).
const MAX_BODY: usize = 8 * 1024;
/// A body not fully arrived within this is answered 408.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything a request needs, shared by all connections.
pub struct App {
    pub signer: Arc<Signer>,
    pub application_id: String,
    pub known: KnownUsers,
    pub any_user: bool,
    pub key: AccessKey,
    pub origins: OriginPolicy,
    pub served: AtomicU64,
    pub on_served: Option<OnServed>,
}

/// The routes behind the guard.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/token/{user}", get(token))
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "no such path: ask for /token/USER, or / for the users",
            )
        })
        .method_not_allowed_fallback(|| async { not_allowed() })
        .with_state(app)
}

fn not_allowed() -> Response<Body> {
    let mut answer = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "only GET (and the OPTIONS preflight) is served",
    );
    answer
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, OPTIONS"));
    answer
}

/// A JSON `{"error": …}` answer.
fn error(status: StatusCode, message: &str) -> Response<Body> {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

/// Serves one request. Never an error: a connection that broke mid-body gets an answer
/// nobody reads.
pub async fn handle(
    app: Arc<App>,
    router: Router,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut answer = match origin {
        // No CORS headers: the browser shows the page nothing.
        Some(ref origin) if !app.origins.allows(origin.as_bytes()) => error(
            StatusCode::FORBIDDEN,
            "this origin may not fetch tokens: serve the page from localhost, 127.0.0.1 or [::1], or start token serve with --allow-origin ORIGIN",
        ),
        _ => {
            let mut answer = if request.method() == Method::OPTIONS {
                preflight()
            } else {
                guarded(&app, router, request).await
            };
            if let Some(origin) = origin {
                answer
                    .headers_mut()
                    .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            }
            answer
        }
    };
    // Every answer depends on the Origin header (CORS headers, or a 403), also one to a
    // request without it: a cache must keep them apart.
    answer
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Origin"));
    Ok(answer)
}

/// 204 allowing `GET` with an `Authorization` header; the browser may cache it for 10 min.
fn preflight() -> Response<Body> {
    let mut answer = StatusCode::NO_CONTENT.into_response();
    let headers = answer.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Authorization"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    answer
}

/// The key, then the bounded body, then the router.
async fn guarded(app: &App, router: Router, request: Request<Incoming>) -> Response<Body> {
    let query_key = request
        .uri()
        .query()
        .and_then(|q| query_value(q, "key"))
        .map(|k| k.into_owned());
    let header_key = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|h| bearer(h.as_bytes()).unwrap_or_default());
    match app.key.judge(header_key, query_key.as_deref()) {
        Presented::Right => {}
        Presented::Nothing => {
            return unauthorized(
                "no access key: send Authorization: Bearer KEY or ?key=KEY, with the key token serve printed",
            );
        }
        Presented::Wrong => {
            return unauthorized(
                "wrong access key: use the key: line token serve printed when it started (a new one each run)",
            );
        }
    }
    if request.method() == Method::HEAD {
        // axum would answer HEAD with GET's handler: a token minted, counted and thrown away.
        return not_allowed();
    }
    let request = match serving::read_body(request, MAX_BODY, BODY_TIMEOUT).await {
        Ok(request) => request,
        Err(BodyError::Late | BodyError::Broken) => {
            let mut answer = error(
                StatusCode::REQUEST_TIMEOUT,
                "the request body did not arrive in time",
            );
            answer
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return answer;
        }
    };
    let read = HttpBody::size_hint(request.body()).exact().unwrap_or(0);
    if read > MAX_BODY as u64 {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "token serve reads no request body",
        );
    }
    match router.oneshot(request).await {
        Ok(answer) => answer,
        Err(never) => match never {},
    }
}

fn unauthorized(message: &str) -> Response<Body> {
    let mut answer = error(StatusCode::UNAUTHORIZED, message);
    answer
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    answer
}

/// The first value of `name` in a query string, decoded.
fn query_value<'a>(query: &'a str, name: &str) -> Option<std::borrow::Cow<'a, str>> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// `GET /`: the application and the users it serves.
async fn index(State(app): State<Arc<App>>) -> Response<Body> {
    match app.known.current() {
        Ok(users) => axum::Json(json!({
            "application_id": app.application_id,
            "users": users.keys().collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `GET /token/{user}[?ttl=…][&format=jwt]`: a fresh token with the user's recipe.
async fn token(
    State(app): State<Arc<App>>,
    user: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response<Body> {
    let Ok(Path(user)) = user else {
        return error(StatusCode::BAD_REQUEST, "the user name is not valid UTF-8");
    };
    if let Err(e) = check_user_name(&user) {
        return error(StatusCode::BAD_REQUEST, &e.to_string());
    }
    let query = query.unwrap_or_default();
    let ttl = match query_value(&query, "ttl") {
        None => None,
        Some(text) => match Ttl::parse(&text) {
            Ok(ttl) => Some(ttl),
            // The TTL's reason quotes the value cut (a page may send kilobytes of it).
            Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
        },
    };
    let bare = match query_value(&query, "format").as_deref() {
        None | Some("json") => false,
        Some("jwt") => true,
        Some(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "format {} is not known: use json (the default) or jwt",
                    quoted(other)
                ),
            );
        }
    };
    let users = match app.known.current() {
        Ok(users) => users,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let Some(recipe) = app.known.recipe_for(&users, &user, app.any_user) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!(
                "{} is not a user this home knows for application {}: create it ({}), or start token serve with --any-user",
                quoted(&user),
                app.application_id,
                user_create_command(&user)
            ),
        );
    };
    let minted = fresh_token(&app.signer, &user, &recipe, ttl, unix_now());
    let exp = minted.claims.exp;
    let ttl_seconds = exp - minted.claims.iat;
    app.served.fetch_add(1, Ordering::Relaxed);
    if let Some(on_served) = &app.on_served {
        on_served(&Served {
            user: user.clone(),
            exp,
            ttl_seconds,
        });
    }
    let mut answer = if bare {
        (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            minted.token.expose().to_owned(),
        )
            .into_response()
    } else {
        axum::Json(json!({
            "user": user,
            "token": minted.token.expose(),
            "application_id": app.application_id,
            "exp": exp,
            "expires_at": rfc3339(exp),
            "ttl": ttl_seconds,
        }))
        .into_response()
    };
    // A token is a credential: no cache keeps it.
    answer
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}
