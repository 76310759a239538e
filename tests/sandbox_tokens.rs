//! The sandbox's bearer JWT checks over real HTTP on 127.0.0.1: every bad token refused with
//! the Users error body, and user tokens reaching only what their ACL allows.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vonage_onboard::auth::acl::{Acl, Preset};
use vonage_onboard::auth::jwt::Claims;
use vonage_onboard::auth::keys::PrivateKey;

use support::http::{Env, assert_users_error, body, content_type};
use support::tokens::{
    OTHER_KEY, TEST_KEY, TEST_PUBLIC, admin_token, now, raw_token, signer, user_token,
};

// ---------------------------------------------------------------------------------------
// JWT verification and ACLs

#[tokio::test]
async fn bad_tokens_are_refused_with_the_users_body() {
    let env = Env::start().await;
    let app = env.create_app("jwt", TEST_PUBLIC).await;
    let key = PrivateKey::from_pem(TEST_KEY).unwrap();
    let other = PrivateKey::from_pem(OTHER_KEY).unwrap();
    let t = now();
    let rs256 = json!({ "alg": "RS256", "typ": "JWT" });
    let claims = |extra: Value| {
        let mut c = json!({ "application_id": app, "iat": t, "jti": uuid::Uuid::new_v4().to_string(), "exp": t + 900 });
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let good = raw_token(&rs256, &claims(json!({})), Some(&key), &[]);
    let ok = env
        .bearer(Method::GET, "/v1/users", &good)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ok.status(),
        StatusCode::OK,
        "the baseline token is accepted"
    );

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "expired",
            raw_token(
                &rs256,
                &claims(json!({ "iat": t - 7200, "exp": t - 3600 })),
                Some(&key),
                &[],
            ),
            "system:error:expired-token",
        ),
        (
            "forged with another key",
            raw_token(&rs256, &claims(json!({})), Some(&other), &[]),
            "system:error:invalid-token",
        ),
        (
            "HS256",
            raw_token(
                &json!({ "alg": "HS256", "typ": "JWT" }),
                &claims(json!({})),
                None,
                b"an-hmac-signature-made-with-the-public-key",
            ),
            "system:error:invalid-token",
        ),
        (
            "HS256 header over an RS256 signature",
            raw_token(
                &json!({ "alg": "HS256", "typ": "JWT" }),
                &claims(json!({})),
                Some(&key),
                &[],
            ),
            "system:error:invalid-token",
        ),
        (
            "alg none",
            raw_token(
                &json!({ "alg": "none", "typ": "JWT" }),
                &claims(json!({})),
                None,
                b"",
            ),
            "system:error:invalid-token",
        ),
        (
            "lifetime over 24 h",
            raw_token(
                &rs256,
                &claims(json!({ "exp": t + 86_401 })),
                Some(&key),
                &[],
            ),
            "system:error:invalid-token",
        ),
        (
            "unknown application",
            raw_token(
                &rs256,
                &claims(json!({ "application_id": uuid::Uuid::new_v4().to_string() })),
                Some(&key),
                &[],
            ),
            "system:error:invalid-token",
        ),
        (
            "no iat",
            raw_token(&rs256, &claims(json!({ "iat": null })), Some(&key), &[]),
            "system:error:invalid-token",
        ),
        (
            "not before an hour from now",
            raw_token(&rs256, &claims(json!({ "nbf": t + 3600 })), Some(&key), &[]),
            "system:error:invalid-token",
        ),
        (
            "iat as a string",
            raw_token(
                &rs256,
                &claims(json!({ "iat": t.to_string() })),
                Some(&key),
                &[],
            ),
            "system:error:invalid-token",
        ),
        (
            "tampered claims",
            {
                let token = raw_token(&rs256, &claims(json!({})), Some(&key), &[]);
                let parts: Vec<&str> = token.split('.').collect();
                let forged = B64.encode(claims(json!({ "exp": t + 3600 })).to_string());
                format!("{}.{forged}.{}", parts[0], parts[2])
            },
            "system:error:invalid-token",
        ),
        ("garbage", "not.a.jwt".into(), "system:error:invalid-token"),
    ];
    for (what, token, code) in cases {
        let response = env
            .bearer(Method::GET, "/v1/users", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert!(
            content_type(&response).starts_with("application/json"),
            "{what}"
        );
        let error = body(response).await;
        assert_users_error(&error, code);
        assert_eq!(error["title"], "Unauthorized.", "{what}");
    }

    // No header, or Basic credentials instead of a token.
    for request in [
        env.http.get(env.url("/v1/users")),
        env.basic(Method::GET, "/v1/users"),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_users_error(&body(response).await, "system:error:invalid-token");
    }

    // Signer::sign with a 24 h lifetime exactly is fine.
    let claims = Claims {
        application_id: app.clone(),
        iat: t,
        jti: "x".into(),
        exp: t + 86_400,
        nbf: Some(t),
        sub: None,
        acl: None,
    };
    let token = signer(&app, TEST_KEY).sign(&claims);
    let response = env
        .bearer(Method::GET, "/v1/users", token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn user_tokens_reach_only_what_their_acl_allows() {
    let env = Env::start().await;
    let app = env.create_app("acl", TEST_PUBLIC).await;
    env.create_user(&admin_token(&app), "alice").await;

    let client_sdk = user_token(&app, "alice", Preset::ClientSdk.acl());
    for path in ["/v1/users", "/v1/users/alice", "/v0.3/users"] {
        let response = env
            .bearer(Method::GET, path, &client_sdk)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }

    let sessions_only = user_token(
        &app,
        "alice",
        Acl::from_json(r#"{"paths": {"/*/sessions/**": {}}}"#).unwrap(),
    );
    let read_only = user_token(
        &app,
        "alice",
        Acl::from_json(r#"{"paths": {"/*/users/**": {"methods": ["GET"]}}}"#).unwrap(),
    );
    for (token, method, path) in [
        (&sessions_only, Method::GET, "/v1/users"),
        (&read_only, Method::POST, "/v1/users"),
        (&read_only, Method::DELETE, "/v1/users/alice"),
    ] {
        let response = env
            .bearer(method.clone(), path, token)
            .json(&json!({ "name": "mallory" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
        let error = body(response).await;
        assert_eq!(error["title"], "Forbidden.");
        assert!(error["code"].is_string() && error["instance"].is_string());
    }
    let read = env
        .bearer(Method::GET, "/v1/users/alice", &read_only)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);

    // A user token without an acl reaches nothing.
    let key = PrivateKey::from_pem(TEST_KEY).unwrap();
    let t = now();
    let no_acl = raw_token(
        &json!({ "alg": "RS256", "typ": "JWT" }),
        &json!({ "application_id": app, "iat": t, "exp": t + 600, "jti": "j", "sub": "alice" }),
        Some(&key),
        &[],
    );
    let response = env
        .bearer(Method::GET, "/v1/users", &no_acl)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
