//! The sandbox's Users API over real HTTP on 127.0.0.1: the lifecycle and cursor paging,
//! field defaults and validation, users scoped to their application.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use vonage_onboard::auth::jwt::Subject;
use vonage_onboard::auth::ttl::Ttl;

use support::http::{Env, assert_users_error, body, content_type, invalid_names};
use support::tokens::{OTHER_KEY, OTHER_PUBLIC, TEST_PUBLIC, admin_token, now, signer};

// ---------------------------------------------------------------------------------------
// Users

#[tokio::test]
async fn users_lifecycle_and_cursor_paging() {
    let env = Env::start().await;
    let app = env.create_app("users-app", TEST_PUBLIC).await;
    let admin = admin_token(&app);

    let names: Vec<String> = (0..7).map(|i| format!("user{i}")).collect();
    for name in &names {
        let user = env.create_user(&admin, name).await;
        let id = user["id"].as_str().unwrap();
        let uuid = id.strip_prefix("USR-").unwrap();
        assert_eq!(uuid::Uuid::parse_str(uuid).unwrap().get_version_num(), 4);
        assert_eq!(user["name"], name.as_str());
        assert_eq!(
            user["_links"]["self"]["href"],
            env.url(&format!("/v1/users/{id}"))
        );
    }

    // Follow _links.next.href verbatim, as the SDKs do.
    let mut seen = Vec::new();
    let mut href = env.url("/v1/users?page_size=3");
    let mut pages = 0;
    loop {
        let response = env
            .http
            .get(&href)
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(content_type(&response).starts_with("application/json"));
        let page = body(response).await;
        pages += 1;
        assert_eq!(page["page_size"], 3);
        for link in ["first", "self"] {
            let link = page["_links"][link]["href"].as_str().unwrap();
            url::Url::parse(link).unwrap();
            assert!(link.starts_with(env.sb.url()));
        }
        for user in page["_embedded"]["users"].as_array().unwrap() {
            // list items are "lite"
            let mut keys: Vec<&String> = user.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(keys, ["_links", "display_name", "id", "name"]);
            assert!(
                user["_links"]["self"]["href"]
                    .as_str()
                    .unwrap()
                    .starts_with(env.sb.url())
            );
            seen.push(user["name"].as_str().unwrap().to_owned());
        }
        match page["_links"].get("next") {
            Some(next) => {
                href = next["href"].as_str().unwrap().to_owned();
                let parsed = url::Url::parse(&href).unwrap();
                let params: Vec<String> =
                    parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
                assert!(params.contains(&"cursor".to_owned()), "{href}");
                assert!(params.contains(&"page_size".to_owned()), "{href}");
            }
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, names);

    // desc order, upper-case accepted
    let desc = body(
        env.bearer(Method::GET, "/v1/users?order=DESC&page_size=100", &admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let desc_names: Vec<&str> = desc["_embedded"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(desc_names.first(), Some(&"user6"));
    assert_eq!(desc_names.len(), 7);
    assert!(desc["_links"].get("next").is_none());

    // prev links walk back
    let second = body(
        env.http
            .get(env.url("/v1/users?page_size=3"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let second = body(
        env.http
            .get(second["_links"]["next"]["href"].as_str().unwrap())
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let back = body(
        env.http
            .get(second["_links"]["prev"]["href"].as_str().unwrap())
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(back["_embedded"]["users"][0]["name"], "user0");

    // exact name filter
    let filtered = body(
        env.bearer(Method::GET, "/v1/users?name=user3", &admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let found = filtered["_embedded"]["users"].as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["name"], "user3");
    let none = body(
        env.bearer(Method::GET, "/v1/users?name=user", &admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(none["_embedded"]["users"].as_array().unwrap().is_empty());

    // bad list parameters
    for query in [
        "page_size=0",
        "page_size=101",
        "order=sideways",
        "cursor=nonsense",
    ] {
        let response = env
            .bearer(Method::GET, &format!("/v1/users?{query}"), &admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_users_error(&body(response).await, "http:error:validation-fail");
    }

    // duplicate
    let duplicate = env
        .bearer(Method::POST, "/v1/users", &admin)
        .json(&json!({ "name": "user1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    assert_users_error(&body(duplicate).await, "user:error:duplicate-name");

    // get by id and by name
    let user3 = found[0].clone();
    let id = user3["id"].as_str().unwrap();
    for key in [id, "user3"] {
        let got = env
            .bearer(Method::GET, &format!("/v1/users/{key}"), &admin)
            .send()
            .await
            .unwrap();
        assert_eq!(got.status(), StatusCode::OK, "{key}");
        let got = body(got).await;
        assert_eq!(got["id"], id);
        assert_eq!(got["display_name"], "USER3");
    }

    // PATCH may repeat the unchanged name; renaming onto another user's name is a conflict
    let patched = env
        .bearer(Method::PATCH, &format!("/v1/users/{id}"), &admin)
        .json(&json!({ "id": id, "name": "user3", "display_name": "Three", "image_url": "https://example.com/3.png" }))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let patched = body(patched).await;
    assert_eq!(patched["display_name"], "Three");
    assert_eq!(patched["image_url"], "https://example.com/3.png");
    assert_eq!(patched["name"], "user3");
    let clash = env
        .bearer(Method::PATCH, &format!("/v1/users/{id}"), &admin)
        .json(&json!({ "name": "user4" }))
        .send()
        .await
        .unwrap();
    assert_eq!(clash.status(), StatusCode::CONFLICT);
    assert_users_error(&body(clash).await, "user:error:duplicate-name");
    let renamed = env
        .bearer(Method::PATCH, "/v1/users/user3", &admin)
        .json(&json!({ "name": "three" }))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);

    // delete
    let deleted = env
        .bearer(Method::DELETE, &format!("/v1/users/{id}"), &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let gone = env
            .bearer(method.clone(), &format!("/v1/users/{id}"), &admin)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND, "{method}");
        assert_users_error(&body(gone).await, "user:error:not-found");
    }
    env.sb.stop().await;
}

#[tokio::test]
async fn user_fields_defaults_and_validation() {
    let env = Env::start().await;
    let app = env.create_app("fields", TEST_PUBLIC).await;
    let admin = admin_token(&app);

    let unnamed = env
        .bearer(Method::POST, "/v1/users", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(unnamed.status(), StatusCode::CREATED);
    let unnamed = body(unnamed).await;
    assert!(unnamed["name"].as_str().unwrap().starts_with("NAM-"));

    let full = json!({
        "name": "alice", "display_name": "Alice", "image_url": "https://example.com/alice.png",
        "properties": { "custom_data": { "tier": "gold" } },
        "channels": { "sms": [ { "number": "447700900000" } ] }
    });
    let alice = body(
        env.bearer(Method::POST, "/v1/users", &admin)
            .json(&full)
            .send()
            .await
            .unwrap(),
    )
    .await;
    for field in ["display_name", "image_url", "properties", "channels"] {
        assert_eq!(alice[field], full[field], "{field}");
    }

    let response = env
        .bearer(Method::POST, "/v1/users", &admin)
        .json(&json!({ "name": 42, "image_url": "relative/path.png" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = body(response).await;
    assert_users_error(&error, "http:error:validation-fail");
    let mut names = invalid_names(&error);
    names.sort();
    assert_eq!(names, ["image_url", "name"]);
    assert_eq!(
        error["invalid_parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "name")
            .unwrap()["reason"],
        "\"name\" must be a string"
    );

    let malformed = env
        .bearer(Method::POST, "/v1/users", &admin)
        .header("Content-Type", "application/json")
        .body("{,}")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_users_error(&body(malformed).await, "http:error:validation-fail");

    // The /v0.3 API serves the same users, with its own links and timestamps.
    let legacy = body(
        env.bearer(Method::GET, "/v0.3/users/alice", &admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(legacy["id"], alice["id"]);
    assert!(
        legacy["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .contains("/v0.3/users/USR-")
    );
    assert!(
        legacy["timestamp"]["created"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    let created = env
        .bearer(Method::POST, "/v0.3/users", &admin)
        .json(&json!({ "name": "bob" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let list = body(
        env.bearer(Method::GET, "/v0.3/users", &admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list["_embedded"]["users"].as_array().unwrap().len(), 3);
    assert!(
        list["_links"]["first"]["href"]
            .as_str()
            .unwrap()
            .contains("/v0.3/users")
    );
}

#[tokio::test]
async fn users_belong_to_their_application() {
    let env = Env::start().await;
    let first = env.create_app("first", TEST_PUBLIC).await;
    let second = env.create_app("second", OTHER_PUBLIC).await;
    let first_admin = admin_token(&first);
    let second_admin = signer(&second, OTHER_KEY)
        .mint(&Subject::Admin, Ttl::parse("15m").unwrap(), now())
        .token
        .expose()
        .to_owned();
    env.create_user(&first_admin, "alice").await;
    // Same name in another application is no conflict.
    env.create_user(&second_admin, "alice").await;
    env.create_user(&second_admin, "bob").await;

    let list = |token: String| {
        let request = env.bearer(Method::GET, "/v1/users", &token).send();
        async move { body(request.await.unwrap()).await }
    };
    assert_eq!(
        list(first_admin.clone()).await["_embedded"]["users"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        list(second_admin.clone()).await["_embedded"]["users"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let bob_from_first = env
        .bearer(Method::GET, "/v1/users/bob", &first_admin)
        .send()
        .await
        .unwrap();
    assert_eq!(bob_from_first.status(), StatusCode::NOT_FOUND);

    // Deleting an application takes its users with it.
    let deleted = env
        .basic(Method::DELETE, &format!("/v2/applications/{second}"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let refused = env
        .bearer(Method::GET, "/v1/users", &second_admin)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}
