//! The router: which path and method reach which handler, 404/405 in the path's error
//! style, and the request body limit.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::routing::get;

use super::errors::{ApiError, Style};
use super::extract::{Ctx, MAX_BODY};
use super::{account, applications, users};

pub fn router(ctx: Ctx) -> Router {
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
        .route("/v0.3/users/{id}", users_item())
        .route(
            "/account/get-balance",
            get(account::balance).fallback(wrong_verb),
        )
        .fallback(no_route)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(ctx)
}

async fn no_route(uri: Uri) -> ApiError {
    ApiError::no_route(Style::for_path(uri.path()))
}

/// 405 for a known path; axum adds the `Allow` header listing the methods it takes.
async fn wrong_verb(method: Method, uri: Uri) -> ApiError {
    ApiError::wrong_verb(Style::for_path(uri.path()), method.as_str())
}
