//! The sandbox's Application API over real HTTP on 127.0.0.1: Basic auth, the lifecycle, a
//! generated key handed out once, field validation, paging and page-size bounds.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use vonage_onboard::auth::jwt::{Signer, Subject};
use vonage_onboard::auth::keys::{PrivateKey, PublicKey};
use vonage_onboard::auth::ttl::Ttl;
use vonage_onboard::ids::AppId;
use vonage_onboard::sandbox::SandboxOptions;

use support::http::{Env, app_body, body, content_type, invalid_names};
use support::tokens::{TEST_KEY, TEST_PUBLIC, now};

// ---------------------------------------------------------------------------------------
// Basic auth and the Application API

#[tokio::test]
async fn basic_auth_is_checked() {
    let env = Env::start().await;
    assert!(env.sb.url().starts_with("http://127.0.0.1:"));
    assert!(!env.sb.url().ends_with('/'));
    assert_eq!(env.sb.api_key().len(), 8);
    assert_eq!(env.sb.api_secret().expose_secret().len(), 16);

    let ok = env
        .basic(Method::GET, "/v2/applications?page_size=1")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(content_type(&ok).starts_with("application/json"));

    for request in [
        env.http.get(env.url("/v2/applications")),
        env.http
            .get(env.url("/v2/applications"))
            .basic_auth(env.sb.api_key(), Some("wrong-secret")),
        env.http
            .get(env.url("/v2/applications"))
            .basic_auth("deadbeef", Some(env.sb.api_secret().expose_secret())),
        env.http
            .get(env.url("/v2/applications"))
            .header("Authorization", "Basic not-base64"),
    ] {
        let refused = request.send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(content_type(&refused).contains("json"));
        let body = body(refused).await;
        assert!(body["type"].as_str().unwrap().ends_with("#unauthorized"));
        assert_eq!(body["title"], "Invalid credentials supplied");
        assert!(body["detail"].is_string() && body["instance"].is_string());
        // The secret is never echoed.
        assert!(
            !body
                .to_string()
                .contains(env.sb.api_secret().expose_secret())
        );
    }
    env.sb.stop().await;
}

#[tokio::test]
async fn seeded_credentials_are_used() {
    let env = Env::with(SandboxOptions {
        credentials: Some(("abcd1234".into(), SecretString::from("Secret1234567890"))),
        ..SandboxOptions::default()
    })
    .await;
    assert_eq!(env.sb.api_key(), "abcd1234");
    let response = env
        .http
        .get(env.url("/v2/applications"))
        .basic_auth("abcd1234", Some("Secret1234567890"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn application_lifecycle() {
    let env = Env::start().await;
    let created = env
        .basic(Method::POST, "/v2/applications")
        .json(&app_body("my-app", TEST_PUBLIC))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let app = body(created).await;
    let id = app["id"].as_str().unwrap().to_owned();
    assert_eq!(
        uuid::Uuid::parse_str(&id).unwrap().get_version_num(),
        4,
        "application ids are UUID v4"
    );
    assert_eq!(app["name"], "my-app");
    assert_eq!(app["keys"]["public_key"], TEST_PUBLIC);
    assert!(app["keys"].get("private_key").is_none());
    assert_eq!(
        app["capabilities"]["voice"]["webhooks"]["answer_url"]["http_method"],
        "GET"
    );
    assert_eq!(app["privacy"]["improve_ai"], false);
    let self_href = env.url(&format!("/v2/applications/{id}"));
    assert_eq!(app["_links"]["self"]["href"], self_href);

    let got = env
        .basic(Method::GET, &format!("/v2/applications/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(body(got).await, app);

    let list = body(
        env.basic(Method::GET, "/v2/applications")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list["total_items"], 1);
    assert_eq!(list["page_size"], 10);
    assert_eq!(list["page"], 1);
    assert_eq!(list["total_pages"], 1);
    assert_eq!(list["_embedded"]["applications"][0]["id"], id.as_str());
    assert!(
        list["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .starts_with(env.sb.url())
    );
    assert!(list["_links"].get("next").is_none());

    // A PUT may carry the application's own id (SDKs send back what they read).
    let mut replacement = app_body("renamed", TEST_PUBLIC);
    replacement["id"] = json!(id);
    replacement.as_object_mut().unwrap().remove("keys");
    let put = env
        .basic(Method::PUT, &format!("/v2/applications/{id}"))
        .json(&replacement)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let put = body(put).await;
    assert_eq!(put["name"], "renamed");
    assert_eq!(
        put["keys"]["public_key"], TEST_PUBLIC,
        "key kept when not sent"
    );

    replacement["id"] = json!(uuid::Uuid::new_v4().to_string());
    let mismatch = env
        .basic(Method::PUT, &format!("/v2/applications/{id}"))
        .json(&replacement)
        .send()
        .await
        .unwrap();
    assert_eq!(mismatch.status(), StatusCode::BAD_REQUEST);
    assert_eq!(invalid_names(&body(mismatch).await), ["id"]);

    let deleted = env
        .basic(Method::DELETE, &format!("/v2/applications/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(deleted.bytes().await.unwrap().is_empty());

    for method in [Method::GET, Method::DELETE, Method::PUT] {
        let gone = env
            .basic(method.clone(), &format!("/v2/applications/{id}"))
            .json(&app_body("x", TEST_PUBLIC))
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND, "{method}");
        let gone = body(gone).await;
        assert!(gone["type"].as_str().unwrap().ends_with("#not-found"));
        assert!(gone["detail"].as_str().unwrap().contains(&id));
    }
    env.sb.stop().await;
}

/// The one test where a key is generated (by the sandbox, as Vonage does).
#[tokio::test]
async fn without_a_public_key_the_private_key_is_returned_once() {
    let env = Env::start().await;
    let created = env
        .basic(Method::POST, "/v2/applications")
        .json(&json!({ "name": "generated" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let app = body(created).await;
    let private = PrivateKey::from_pem(app["keys"]["private_key"].as_str().unwrap()).unwrap();
    let public = PublicKey::from_pem(app["keys"]["public_key"].as_str().unwrap()).unwrap();
    assert_eq!(private.public_key(), public);
    assert_eq!(app["privacy"]["improve_ai"], true, "the API's default");

    let id = app["id"].as_str().unwrap();
    let again = body(
        env.basic(Method::GET, &format!("/v2/applications/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(again["keys"].get("private_key").is_none());
    assert_eq!(again["keys"]["public_key"], app["keys"]["public_key"]);

    // And the generated key signs tokens the sandbox accepts.
    let token = Signer::new(AppId::parse(id).unwrap(), private)
        .mint(&Subject::Admin, Ttl::parse("15m").unwrap(), now())
        .token;
    let users = env
        .bearer(Method::GET, "/v1/users", token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), StatusCode::OK);
}

#[tokio::test]
async fn application_validation_names_each_field() {
    let env = Env::start().await;
    let post = |body: Value| {
        env.basic(Method::POST, "/v2/applications")
            .json(&body)
            .send()
    };

    let response = post(json!({})).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = body(response).await;
    assert!(
        error["type"]
            .as_str()
            .unwrap()
            .ends_with("#payload-validation")
    );
    assert_eq!(error["title"], "Bad Request");
    assert_eq!(error["invalid_parameters"][0]["name"], "name");
    assert_eq!(error["invalid_parameters"][0]["reason"], "is required");

    let response = post(json!({
        "name": "x",
        "keys": { "public_key": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n" },
        "capabilities": { "voice": { "webhooks": {
            "answer_url": { "address": "not-a-url", "http_method": "PUT" }
        } } },
        "privacy": { "improve_ai": "sometimes" }
    }))
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = body(response).await;
    let mut names = invalid_names(&error);
    names.sort();
    assert_eq!(
        names,
        [
            "capabilities.voice.webhooks.answer_url.address",
            "capabilities.voice.webhooks.answer_url.http_method",
            "keys.public_key",
            "privacy.improve_ai",
        ]
    );
    let method_reason = error["invalid_parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "capabilities.voice.webhooks.answer_url.http_method")
        .unwrap()["reason"]
        .clone();
    assert_eq!(method_reason, "must be one of: GET, POST");

    // A private key is not a public key.
    let response = post(json!({ "name": "x", "keys": { "public_key": TEST_KEY } }))
        .await
        .unwrap();
    assert_eq!(invalid_names(&body(response).await), ["keys.public_key"]);

    // Malformed JSON is a 400 in the same style.
    let response = env
        .basic(Method::POST, "/v2/applications")
        .header("Content-Type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = body(response).await;
    assert!(error["type"].as_str().unwrap().contains("application#"));
    assert_eq!(invalid_names(&error), ["body"]);

    // Nothing was created by any of that.
    let list = body(
        env.basic(Method::GET, "/v2/applications")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list["total_items"], 0);
}

#[tokio::test]
async fn application_list_pages_and_page_size_bounds() {
    let env = Env::start().await;
    for bad in ["0", "101", "ten", "-1"] {
        let response = env
            .basic(Method::GET, &format!("/v2/applications?page_size={bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "page_size={bad}"
        );
        let error = body(response).await;
        assert!(
            error["type"]
                .as_str()
                .unwrap()
                .ends_with("#list-validation")
        );
        assert_eq!(error["invalid_parameters"][0]["name"], "page_size");
        assert_eq!(
            error["invalid_parameters"][0]["reason"],
            "must be between 1 and 100"
        );
    }
    let response = env
        .basic(Method::GET, "/v2/applications?page=0")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    for i in 0..3 {
        env.create_app(&format!("app-{i}"), TEST_PUBLIC).await;
    }
    let first = body(
        env.basic(Method::GET, "/v2/applications?page_size=2")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(first["total_items"], 3);
    assert_eq!(first["total_pages"], 2);
    assert_eq!(
        first["_embedded"]["applications"].as_array().unwrap().len(),
        2
    );
    assert!(first["_links"].get("prev").is_none());
    let next = first["_links"]["next"]["href"].as_str().unwrap();
    assert!(next.starts_with(env.sb.url()), "absolute: {next}");
    let second = body(
        env.http
            .get(next)
            .basic_auth(env.sb.api_key(), Some(env.sb.api_secret().expose_secret()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(second["page"], 2);
    assert_eq!(second["_embedded"]["applications"][0]["name"], "app-2");
    assert!(second["_links"].get("next").is_none());
    assert!(
        second["_links"]["prev"]["href"]
            .as_str()
            .unwrap()
            .contains("page=1")
    );
    assert_eq!(second["_links"]["last"], first["_links"]["last"]);
    env.sb.stop().await;
}
