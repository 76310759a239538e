//! The router: which path and method reach which handler, 404/405 in the path's error
//! style, the request body limit, and the Client SDK session's Socket.IO layer.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::routing::{get, post, put};
use socketioxide::layer::SocketIoLayer;

use super::errors::{ApiError, Style};
use super::extract::{Ctx, MAX_BODY};
use super::session::{self, ConnectionLimit};
use super::{account, applications, conversations, users};

pub fn router(ctx: Ctx, sessions: SocketIoLayer, limit: ConnectionLimit) -> Router {
    let users_collection = || get(users::list).post(users::create).fallback(wrong_verb);
    let users_item = || {
        get(users::get)
            .patch(users::update)
            .delete(users::delete)
            .fallback(wrong_verb)
    };
    Router::new()
        .route(
            "/v2/applications",
            get(applications::list)
                .post(applications::create)
                .fallback(wrong_verb),
        )
        .route(
            "/v2/applications/{id}",
            get(applications::get)
                .put(applications::update)
                .delete(applications::delete)
                .fallback(wrong_verb),
        )
        .route("/v1/users", users_collection())
        .route("/v1/users/{id}", users_item())
        .route("/v0.3/users", users_collection())
        .route("/v0.3/users/me", get(users::me).fallback(wrong_verb))
        .route("/v0.3/users/{id}", users_item())
        .route(
            "/v0.3/users/{id}/conversations",
            get(conversations::of_user).fallback(wrong_verb),
        )
        .route(
            "/v0.3/conversations",
            post(conversations::create).fallback(wrong_verb),
        )
        .route(
            "/v0.3/conversations/{id}/members",
            post(conversations::join).fallback(wrong_verb),
        )
        .route(
            "/v0.3/conversations/{id}/members/me",
            get(conversations::member_me).fallback(wrong_verb),
        )
        .route(
            "/v0.3/conversations/{id}/events",
            post(conversations::event).fallback(wrong_verb),
        )
        .route(
            "/v0.2/sessions/{id}",
            put(session::rest::refresh).fallback(wrong_verb),
        )
        .route(
            "/account/get-balance",
            get(account::balance).fallback(wrong_verb),
        )
        .fallback(no_route)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(ctx)
        // Outermost first: the connection bound, then Socket.IO takes `/v2/rtc/`.
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            limit,
            session::limit::guard,
        ))
}

async fn no_route(uri: Uri) -> ApiError {
    ApiError::no_route(Style::for_path(uri.path()))
}

/// 405 for a known path; axum adds the `Allow` header listing the methods it takes.
async fn wrong_verb(method: Method, uri: Uri) -> ApiError {
    ApiError::wrong_verb(Style::for_path(uri.path()), method.as_str())
}
