//! The sandbox as a server over real HTTP on 127.0.0.1: routing, limits and the balance,
//! faults (including a dropped answer), persistence, concurrency, a stalled body.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use vonage_onboard::sandbox::{self, FaultAction, FaultRule, SandboxOptions};

use support::http::{Env, app_body, assert_users_error, body};
use support::tokens::{TEST_PUBLIC, admin_token};

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
