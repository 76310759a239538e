//! The sandbox over real HTTP on 127.0.0.1: auth, applications, users and paging, JWT
//! refusals, ACLs, faults (including a dropped answer), persistence, concurrency, limits.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use vonage_onboard::auth::acl::{Acl, Preset};
use vonage_onboard::auth::jwt::{Claims, Signer, Subject};
use vonage_onboard::auth::keys::{PrivateKey, PublicKey};
use vonage_onboard::auth::ttl::Ttl;
use vonage_onboard::sandbox::{self, FaultAction, FaultRule, RunningSandbox, SandboxOptions};
use vonage_onboard::store::paths::AppId;

const TEST_KEY: &str = include_str!("fixtures/test-key-pkcs8.pem");
const TEST_PUBLIC: &str = include_str!("fixtures/test-key-public.pem");
const OTHER_KEY: &str = include_str!("fixtures/other-key-pkcs8.pem");
const OTHER_PUBLIC: &str = include_str!("fixtures/other-key-public.pem");

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A started sandbox and a client for it.
struct Env {
    sb: RunningSandbox,
    http: Client,
}

impl Env {
    async fn start() -> Env {
        Env::with(SandboxOptions::default()).await
    }

    async fn with(options: SandboxOptions) -> Env {
        let sb = sandbox::start(options).await.unwrap();
        let http = Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        Env { sb, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sb.url())
    }

    /// A request with the sandbox's Basic credentials.
    fn basic(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path)).basic_auth(
            self.sb.api_key(),
            Some(self.sb.api_secret().expose_secret()),
        )
    }

    /// A request with a bearer token.
    fn bearer(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(token)
    }

    /// Creates an application with the fixture public key; returns its id.
    async fn create_app(&self, name: &str, public_key: &str) -> String {
        let response = self
            .basic(Method::POST, "/v2/applications")
            .json(&app_body(name, public_key))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }

    async fn create_user(&self, token: &str, name: &str) -> Value {
        let response = self
            .bearer(Method::POST, "/v1/users", token)
            .json(&json!({ "name": name, "display_name": name.to_uppercase() }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "creating {name}");
        response.json().await.unwrap()
    }
}

fn app_body(name: &str, public_key: &str) -> Value {
    json!({
        "name": name,
        "keys": { "public_key": public_key },
        "capabilities": {
            "voice": { "webhooks": {
                "answer_url": { "address": "https://example.com/voice/answer", "http_method": "GET" },
                "event_url": { "address": "https://example.com/voice/event", "http_method": "POST" }
            } },
            "rtc": { "webhooks": {
                "event_url": { "address": "https://example.com/rtc/event", "http_method": "POST" }
            } }
        },
        "privacy": { "improve_ai": false }
    })
}

fn signer(app_id: &str, pem: &str) -> Signer {
    Signer::new(
        AppId::parse(app_id).unwrap(),
        PrivateKey::from_pem(pem).unwrap(),
    )
}

fn admin_token(app_id: &str) -> String {
    signer(app_id, TEST_KEY)
        .mint(&Subject::Admin, Ttl::parse("15m").unwrap(), now())
        .token
        .expose()
        .to_owned()
}

fn user_token(app_id: &str, name: &str, acl: Acl) -> String {
    let subject = Subject::User {
        name: name.into(),
        acl,
    };
    signer(app_id, TEST_KEY)
        .mint(&subject, Ttl::parse("1h").unwrap(), now())
        .token
        .expose()
        .to_owned()
}

/// A token with any header and claims, signed RS256 by `key` (or with `signature` bytes).
fn raw_token(header: &Value, claims: &Value, key: Option<&PrivateKey>, signature: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let signature = match key {
        Some(key) => jsonwebtoken::crypto::sign(
            input.as_bytes(),
            &jsonwebtoken::EncodingKey::from_rsa_der(key.to_pkcs1_der().as_bytes()),
            jsonwebtoken::Algorithm::RS256,
        )
        .unwrap(),
        None => B64.encode(signature),
    };
    format!("{input}.{signature}")
}

async fn body(response: Response) -> Value {
    response.json().await.unwrap()
}

fn content_type(response: &Response) -> String {
    response.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned()
}

fn invalid_names(body: &Value) -> Vec<String> {
    body["invalid_parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("no invalid_parameters in {body}"))
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The Users API error body, whole.
fn assert_users_error(body: &Value, code: &str) {
    assert_eq!(body["code"], code, "{body}");
    for field in ["title", "type", "detail", "instance"] {
        assert!(body[field].is_string(), "{field} missing in {body}");
    }
    assert!(body["type"].as_str().unwrap().ends_with(code));
}

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

// ---------------------------------------------------------------------------------------
// Routing, limits, balance

#[tokio::test]
async fn unknown_routes_wrong_methods_and_big_bodies() {
    let env = Env::start().await;
    let missing = env
        .basic(Method::GET, "/v2/nothing-here")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        body(missing).await["type"]
            .as_str()
            .unwrap()
            .ends_with("#not-found")
    );

    let verb = env
        .basic(Method::PATCH, "/v2/applications")
        .send()
        .await
        .unwrap();
    assert_eq!(verb.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = verb.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    assert!(
        body(verb).await["type"]
            .as_str()
            .unwrap()
            .ends_with("#wrong-verb")
    );

    let verb = env
        .http
        .put(env.url("/v1/users/someone"))
        .send()
        .await
        .unwrap();
    assert_eq!(verb.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(body(verb).await["code"].is_string(), "users-style 405");

    let big = format!("{{\"name\": \"{}\"}}", "a".repeat(70 * 1024));
    let too_large = env
        .basic(Method::POST, "/v2/applications")
        .header("Content-Type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body(too_large).await["type"].is_string());

    let app = env.create_app("limits", TEST_PUBLIC).await;
    let too_large = env
        .bearer(Method::POST, "/v1/users", &admin_token(&app))
        .header("Content-Type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body(too_large).await["code"].is_string());

    let wrong_type = env
        .basic(Method::POST, "/v2/applications")
        .header("Content-Type", "text/xml")
        .body("<app/>")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn balance_takes_basic_or_query_credentials() {
    let env = Env::start().await;
    let basic = env
        .basic(Method::GET, "/account/get-balance")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::OK);
    assert_eq!(
        body(basic).await,
        json!({ "value": 10.5, "autoReload": false })
    );

    let query = env
        .http
        .get(env.url("/account/get-balance"))
        .query(&[
            ("api_key", env.sb.api_key()),
            ("api_secret", env.sb.api_secret().expose_secret()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), StatusCode::OK);

    let wrong = env
        .http
        .get(env.url("/account/get-balance"))
        .query(&[("api_key", env.sb.api_key()), ("api_secret", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body(wrong).await["error-code"], "401");

    let none = env
        .http
        .get(env.url("/account/get-balance"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn forced_statuses_answer_once_then_the_real_thing() {
    let env = Env::with(SandboxOptions {
        faults: vec![
            "GET /v2/applications status=429 retry-after=1 x1"
                .parse()
                .unwrap(),
        ],
        ..SandboxOptions::default()
    })
    .await;
    let throttled = env
        .basic(Method::GET, "/v2/applications")
        .send()
        .await
        .unwrap();
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers()["retry-after"], "1");
    let error = body(throttled).await;
    assert!(error["type"].as_str().unwrap().ends_with("#throttled"));
    let ok = env
        .basic(Method::GET, "/v2/applications")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);

    let app = env.create_app("faults", TEST_PUBLIC).await;
    let admin = admin_token(&app);
    env.sb.faults().push(FaultRule {
        method: None,
        path_prefix: "/v1/users".into(),
        action: FaultAction::Status {
            code: 500,
            retry_after: None,
        },
        times: Some(1),
    });
    let failed = env
        .bearer(Method::GET, "/v1/users", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_users_error(&body(failed).await, "system:error:internal-error");

    // A forced status does not process the request: nothing is created.
    env.sb
        .faults()
        .push("POST /v2/applications status=503 x2".parse().unwrap());
    for _ in 0..2 {
        let unavailable = env
            .basic(Method::POST, "/v2/applications")
            .json(&app_body("never", TEST_PUBLIC))
            .send()
            .await
            .unwrap();
        assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    let list = body(
        env.basic(Method::GET, "/v2/applications")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list["total_items"], 1);

    env.sb.faults().push("* * status=502".parse().unwrap());
    let bad_gateway = env
        .basic(Method::GET, "/account/get-balance")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_gateway.status(), StatusCode::BAD_GATEWAY);
    env.sb.faults().clear();
    let ok = env
        .basic(Method::GET, "/account/get-balance")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    env.sb.stop().await;
}

#[tokio::test]
async fn delays_slow_requests_down() {
    let env = Env::start().await;
    env.sb.faults().push("* * delay=400ms x1".parse().unwrap());
    let started = Instant::now();
    let slow = env
        .basic(Method::GET, "/v2/applications")
        .send()
        .await
        .unwrap();
    assert_eq!(slow.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(400));
    let started = Instant::now();
    env.basic(Method::GET, "/v2/applications")
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "the delay wore off"
    );
}

#[tokio::test]
async fn a_dropped_answer_is_a_connection_error_but_the_work_is_done() {
    let env = Env::start().await;
    env.sb
        .faults()
        .push("POST /v2/applications drop x1".parse().unwrap());
    let lost = env
        .basic(Method::POST, "/v2/applications")
        .json(&app_body("lost-answer", TEST_PUBLIC))
        .send()
        .await;
    let error = lost.expect_err("the client sees no response at all");
    assert!(!error.is_status() && !error.is_timeout(), "{error:?}");
    assert!(error.status().is_none());

    // The application exists: reconcile finds it by public key.
    let list = body(
        env.basic(Method::GET, "/v2/applications")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let apps = list["_embedded"]["applications"].as_array().unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["name"], "lost-answer");
    assert_eq!(apps[0]["keys"]["public_key"], TEST_PUBLIC);

    // Same for a user.
    let app = apps[0]["id"].as_str().unwrap();
    let admin = admin_token(app);
    env.sb
        .faults()
        .push("POST /v1/users drop x1".parse().unwrap());
    let lost = env
        .bearer(Method::POST, "/v1/users", &admin)
        .json(&json!({ "name": "alice" }))
        .send()
        .await;
    assert!(lost.is_err());
    let alice = env
        .bearer(Method::GET, "/v1/users/alice", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(alice.status(), StatusCode::OK);
    env.sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// Persistence and concurrency

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox/state.json");
    let options = || SandboxOptions {
        state_file: Some(file.clone()),
        ..SandboxOptions::default()
    };
    let env = Env::with(options()).await;
    let key = env.sb.api_key().to_owned();
    let secret = env.sb.api_secret().expose_secret().to_owned();
    let app = env.create_app("persisted", TEST_PUBLIC).await;
    let user = env.create_user(&admin_token(&app), "alice").await;
    env.sb.stop().await;

    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the file holds the api secret");

    let env = Env::with(options()).await;
    assert_eq!(env.sb.api_key(), key);
    assert_eq!(env.sb.api_secret().expose_secret(), secret);
    let got = env
        .basic(Method::GET, &format!("/v2/applications/{app}"))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    let alice = body(
        env.bearer(Method::GET, "/v1/users/alice", &admin_token(&app))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(alice["id"], user["id"]);
    env.sb.stop().await;

    // Explicit credentials replace the persisted pair (and are persisted in turn).
    let env = Env::with(SandboxOptions {
        credentials: Some(("0badc0de".into(), SecretString::from("NewSecret1234567"))),
        ..options()
    })
    .await;
    assert_eq!(env.sb.api_key(), "0badc0de");
    env.sb.stop().await;
    let env = Env::with(options()).await;
    assert_eq!(env.sb.api_key(), "0badc0de");
    env.sb.stop().await;
}

#[tokio::test]
async fn a_corrupt_state_file_is_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    std::fs::write(&file, b"{\"version\": 1, \"api_key\": ").unwrap();
    let err = sandbox::start(SandboxOptions {
        state_file: Some(file.clone()),
        ..SandboxOptions::default()
    })
    .await
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        b"{\"version\": 1, \"api_key\": ",
        "never overwritten"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_user_creations_are_each_stored_once() {
    let env = Env::start().await;
    let app = env.create_app("busy", TEST_PUBLIC).await;
    let admin = admin_token(&app);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let request = env
            .bearer(Method::POST, "/v1/users", &admin)
            .json(&json!({ "name": format!("u{i:03}") }));
        tasks.spawn(async move { request.send().await.unwrap().status() });
    }
    // Plus a few racing for one name: exactly one wins.
    for _ in 0..5 {
        let request = env
            .bearer(Method::POST, "/v1/users", &admin)
            .json(&json!({ "name": "contested" }));
        tasks.spawn(async move { request.send().await.unwrap().status() });
    }
    let mut created = 0;
    let mut conflicts = 0;
    while let Some(status) = tasks.join_next().await {
        match status.unwrap() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => conflicts += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((created, conflicts), (201, 4));

    let mut names = Vec::new();
    let mut ids = HashSet::new();
    let mut href = Some(env.url("/v1/users?page_size=100"));
    while let Some(url) = href {
        let page = body(env.http.get(&url).bearer_auth(&admin).send().await.unwrap()).await;
        for user in page["_embedded"]["users"].as_array().unwrap() {
            names.push(user["name"].as_str().unwrap().to_owned());
            assert!(
                ids.insert(user["id"].as_str().unwrap().to_owned()),
                "duplicate id"
            );
        }
        href = page["_links"]
            .get("next")
            .map(|n| n["href"].as_str().unwrap().to_owned());
    }
    assert_eq!(names.len(), 201);
    let unique: HashSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), 201, "every user exactly once");
    for i in 0..200 {
        assert!(unique.contains(&format!("u{i:03}")));
    }
    env.sb.stop().await;
}

#[tokio::test]
async fn a_stalled_body_is_answered_408_and_its_connection_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let env = Env::start().await;
    let mut socket = tokio::net::TcpStream::connect(env.sb.local_addr())
        .await
        .unwrap();
    // A whole head announcing 100 bytes, 10 of them sent, then nothing.
    socket
        .write_all(
            b"POST /v2/applications HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":\"x",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    // Read to EOF: it comes only when the sandbox closes the connection.
    tokio::time::timeout(Duration::from_secs(20), socket.read_to_end(&mut answer))
        .await
        .expect("the stalled connection was still open after 20 s")
        .unwrap();
    let waited = started.elapsed();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert!(
        answer.contains("did not arrive within 10 seconds"),
        "{answer}"
    );
    assert!(
        waited >= Duration::from_secs(9) && waited < Duration::from_secs(15),
        "answered after {waited:?}"
    );
    // Nothing was created from half a body.
    let list: Value = env
        .basic(Method::GET, "/v2/applications")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total_items"], 0, "{list}");
}
