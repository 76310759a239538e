//! The sandbox's Client SDK session over a raw websocket (tests/support/sio.rs): the login
//! answers, refresh and expiry, resume and logout, the REST calls after login with a pushed
//! message, and bad input (malformed handshakes, a missing token, an oversized frame, a
//! flood of connections) refused without hurting the other sessions.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vonage_onboard::auth::acl::{Acl, Preset};
use vonage_onboard::auth::keys::PrivateKey;
use vonage_onboard::sandbox::SandboxOptions;

use support::http::{Env, assert_users_error};
use support::sio::{Frame, READ_TIMEOUT, Sio, WsError, open_ws, token_query, url};
use support::tokens::{OTHER_KEY, TEST_KEY, TEST_PUBLIC, admin_token, now, raw_token, user_token};

/// A sandbox with one application and the users alice and bob.
struct World {
    env: Env,
    app: String,
}

impl World {
    async fn start() -> World {
        World::with(SandboxOptions::default()).await
    }

    async fn with(options: SandboxOptions) -> World {
        let env = Env::with(options).await;
        let app = env.create_app("sessions", TEST_PUBLIC).await;
        for name in ["alice", "bob"] {
            env.create_user(&admin_token(&app), name).await;
        }
        World { env, app }
    }

    fn token(&self, user: &str) -> String {
        user_token(&self.app, user, Preset::ClientSdk.acl())
    }

    /// A user token that expires `ttl` seconds from now, signed by `key`.
    fn token_for(&self, user: &str, ttl: i64, key: &str) -> String {
        let t = now() as i64;
        let claims = json!({
            "application_id": self.app, "sub": user, "iat": t - 5, "exp": t + ttl,
            "jti": uuid::Uuid::new_v4().to_string(), "acl": Preset::ClientSdk.acl(),
        });
        let key = PrivateKey::from_pem(key).unwrap();
        raw_token(
            &json!({ "alg": "RS256", "typ": "JWT" }),
            &claims,
            Some(&key),
            &[],
        )
    }

    async fn connect(&self, query: &str) -> Sio {
        Sio::connect(self.env.sb.url(), query).await.unwrap()
    }

    /// Logs `user` in with `token`; the `session:success` body.
    async fn login(&self, token: &str) -> (Sio, Value) {
        let mut sio = self.connect(&token_query(token)).await;
        let (name, data) = sio.event().await;
        assert_eq!(name, "session:success", "{data}");
        (sio, data["body"].clone())
    }

    async fn refresh(&self, session: &str, token: &str) -> reqwest::Response {
        self.env
            .bearer(Method::PUT, &format!("/v0.2/sessions/{session}"), token)
            .header("content-type", "application/json")
            .body("\"\"")
            .send()
            .await
            .unwrap()
    }
}

/// The refusal event a login with `query` gets, and that the server then closes it.
async fn refusal(w: &World, query: &str) -> String {
    let mut sio = w.connect(query).await;
    let (name, data) = sio.event().await;
    assert_eq!(data["body"]["code"], name, "{data}");
    assert!(data["body"]["description"].is_string(), "{data}");
    let closed = sio.next(Duration::from_secs(5)).await;
    assert!(
        matches!(closed, Frame::Disconnect | Frame::Closed),
        "a refused socket is closed, got {closed:?}"
    );
    name
}

// ---------------------------------------------------------------------------------------
// Login

#[tokio::test]
async fn a_valid_user_token_opens_a_session() {
    let w = World::start().await;
    let (_sio, body) = w.login(&w.token("alice")).await;
    let id = body["id"].as_str().unwrap();
    assert!(
        id.strip_prefix("SES-")
            .is_some_and(|u| uuid::Uuid::parse_str(u).is_ok()),
        "{body}"
    );
    assert_eq!(body["name"], "alice");
    assert!(
        body["user_id"].as_str().unwrap().starts_with("USR-"),
        "{body}"
    );
    assert_eq!(body["api_key"], w.app);
    // Another login is another session.
    let (_other, second) = w.login(&w.token("alice")).await;
    assert_ne!(second["id"], body["id"]);
    assert_eq!(second["user_id"], body["user_id"]);
}

#[tokio::test]
async fn bad_logins_get_the_vonage_refusal_events() {
    let w = World::start().await;
    let other_app = w.env.create_app("other", TEST_PUBLIC).await;
    let t = now();
    let hs256 = raw_token(
        &json!({ "alg": "HS256", "typ": "JWT" }),
        &json!({ "application_id": w.app, "sub": "alice", "iat": t, "exp": t + 600 }),
        None,
        b"not a signature",
    );
    let no_sessions = Acl::from_json(r#"{"paths":{"/*/users/**":{}}}"#).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "expired",
            token_query(&w.token_for("alice", -60, TEST_KEY)),
            "system:error:expired-token",
        ),
        (
            "another key",
            token_query(&w.token_for("alice", 600, OTHER_KEY)),
            "system:error:invalid-token",
        ),
        ("HS256", token_query(&hs256), "system:error:invalid-token"),
        (
            "unknown application",
            token_query(&user_token(
                "11111111-2222-3333-4444-555555555555",
                "alice",
                Preset::ClientSdk.acl(),
            )),
            "system:error:invalid-token",
        ),
        (
            "not a JWT",
            token_query("abc.def"),
            "system:error:invalid-token",
        ),
        ("no token", String::new(), "system:error:invalid-token"),
        ("empty token", "token=".into(), "system:error:invalid-token"),
        (
            "admin token",
            token_query(&admin_token(&w.app)),
            "system:error:invalid-token",
        ),
        (
            "unknown user",
            token_query(&w.token("mallory")),
            "user:error:invalid-user",
        ),
        (
            "user of another application",
            token_query(&user_token(&other_app, "alice", Preset::ClientSdk.acl())),
            "user:error:invalid-user",
        ),
        (
            "acl without sessions",
            token_query(&user_token(&w.app, "alice", no_sessions)),
            "system:error:permission",
        ),
    ];
    // All at once: each waits for the server to close its refused socket.
    let got = futures_util::future::join_all(cases.iter().map(|(_, q, _)| refusal(&w, q))).await;
    for ((what, _, event), got) in cases.iter().zip(got) {
        assert_eq!(got, *event, "{what}");
    }
    // And a good login still works after all that.
    w.login(&w.token("bob")).await;
}

// ---------------------------------------------------------------------------------------
// Refresh, expiry, resume, logout

#[tokio::test]
async fn refresh_replaces_the_token_and_a_bad_one_changes_nothing() {
    let w = World::start().await;
    let (_sio, body) = w.login(&w.token("alice")).await;
    let id = body["id"].as_str().unwrap();

    let ok = w.refresh(id, &w.token("alice")).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(
        ok.json::<Value>().await.unwrap(),
        json!({ "session_id": id })
    );

    for (what, token, status, code) in [
        (
            "expired",
            w.token_for("alice", -60, TEST_KEY),
            401,
            "system:error:expired-token",
        ),
        (
            "another key",
            w.token_for("alice", 600, OTHER_KEY),
            401,
            "system:error:invalid-token",
        ),
        (
            "another user",
            w.token("bob"),
            401,
            "system:error:invalid-token",
        ),
        (
            "unknown user",
            w.token("mallory"),
            401,
            "system:error:invalid-token",
        ),
    ] {
        let answer = w.refresh(id, &token).await;
        assert_eq!(answer.status().as_u16(), status, "{what}");
        assert_users_error(&answer.json().await.unwrap(), code);
    }
    let unknown = w
        .refresh(
            "SES-00000000-0000-0000-0000-000000000000",
            &w.token("alice"),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_users_error(&unknown.json().await.unwrap(), "session:error:not-found");
    let none = w
        .env
        .http
        .put(w.env.url(&format!("/v0.2/sessions/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unrefreshed_session_is_disconnected_when_its_token_expires() {
    let w = World::start().await;
    // Three sessions with 3 s tokens: one left alone, one refreshed with a good token,
    // one "refreshed" with a bad one (which must not save it).
    let (mut alone, _) = w.login(&w.token_for("alice", 3, TEST_KEY)).await;
    let (mut refreshed, body) = w.login(&w.token_for("alice", 3, TEST_KEY)).await;
    let (mut badly, bad_body) = w.login(&w.token_for("bob", 3, TEST_KEY)).await;
    let answer = w
        .refresh(body["id"].as_str().unwrap(), &w.token("alice"))
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let answer = w
        .refresh(
            bad_body["id"].as_str().unwrap(),
            &w.token_for("bob", 600, OTHER_KEY),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);

    let started = std::time::Instant::now();
    assert_eq!(alone.next(Duration::from_secs(8)).await, Frame::Disconnect);
    assert_eq!(badly.next(Duration::from_secs(8)).await, Frame::Disconnect);
    let took = started.elapsed();
    assert!(
        took <= Duration::from_secs(6),
        "disconnected after {took:?}"
    );
    // The refreshed one is still there well past the first token's exp.
    assert_eq!(refreshed.next(Duration::from_secs(2)).await, Frame::Silence);
    // And the expired session is gone: a refresh finds nothing.
    let gone = w
        .refresh(bad_body["id"].as_str().unwrap(), &w.token("bob"))
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_reconnect_with_session_id_resumes_and_a_logout_ends_the_session() {
    let w = World::start().await;
    let (sio, body) = w.login(&w.token("alice")).await;
    let id = body["id"].as_str().unwrap().to_owned();
    sio.close().await;

    let resume = format!("{}&session_id={id}", token_query(&w.token("alice")));
    let (mut again, resumed) = w.login_query(&resume).await;
    assert_eq!(resumed["id"], id.as_str(), "{resumed}");
    assert_eq!(resumed["name"], "alice");

    // Another user's token cannot take the session over.
    let theft = format!("{}&session_id={id}", token_query(&w.token("bob")));
    assert_eq!(refusal(&w, &theft).await, "system:error:invalid-token");

    again
        .emit(
            "session:logout",
            &json!({ "tid": uuid::Uuid::new_v4().to_string(), "body": {} }),
        )
        .await
        .unwrap();
    // The session is over: a refresh finds nothing, a resume is refused.
    assert!(
        support::eventually_async(Duration::from_secs(5), || async {
            w.refresh(&id, &w.token("alice")).await.status() == StatusCode::NOT_FOUND
        })
        .await,
        "the session outlived its logout"
    );
    again.close().await;
    assert_eq!(refusal(&w, &resume).await, "session:invalid");
}

impl World {
    /// Logs `user` in as soon as the connection bound has a place for it (within 5 s), or
    /// fails with `never_freed`.
    async fn login_once_a_place_frees(&self, user: &str, never_freed: &str) {
        for _ in 0..50 {
            if let Ok(mut sio) =
                Sio::connect(self.env.sb.url(), &token_query(&self.token(user))).await
            {
                assert_eq!(sio.event().await.0, "session:success");
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{never_freed}");
    }

    async fn login_query(&self, query: &str) -> (Sio, Value) {
        let mut sio = self.connect(query).await;
        let (name, data) = sio.event().await;
        assert_eq!(name, "session:success", "{data}");
        (sio, data["body"].clone())
    }
}

// ---------------------------------------------------------------------------------------
// The REST calls after login

#[tokio::test]
async fn alice_sends_bob_a_message_and_his_session_receives_it() {
    let w = World::start().await;
    let (alice_t, bob_t) = (w.token("alice"), w.token("bob"));
    let (_alice_sio, alice) = w.login(&alice_t).await;
    let (mut bob_sio, bob) = w.login(&bob_t).await;

    let me = w
        .env
        .call(
            w.env.bearer(Method::GET, "/v0.3/users/me", &alice_t),
            StatusCode::OK,
        )
        .await;
    assert_eq!(me["name"], "alice");
    assert_eq!(me["id"], alice["user_id"]);

    let conversation = w
        .env
        .call(
            w.env
                .bearer(Method::POST, "/v0.3/conversations", &alice_t)
                .json(&json!({ "name": "chat", "display_name": "Chat" })),
            StatusCode::OK,
        )
        .await;
    let cid = conversation["id"].as_str().unwrap();
    assert!(cid.starts_with("CON-"), "{conversation}");
    assert_eq!(conversation["name"], "chat");
    assert_eq!(conversation["state"], "ACTIVE");

    let join = |token: &str, user: &Value| {
        w.env
            .bearer(
                Method::POST,
                &format!("/v0.3/conversations/{cid}/members"),
                token,
            )
            .json(&json!({
                "state": "joined", "channel": { "type": "app" },
                "user": { "id": user["user_id"], "name": user["name"] },
            }))
    };
    let alice_member = w
        .env
        .call(join(&alice_t, &alice), StatusCode::CREATED)
        .await;
    w.env.call(join(&bob_t, &bob), StatusCode::CREATED).await;
    // Joining again is the same member.
    let again = w.env.call(join(&alice_t, &alice), StatusCode::OK).await;
    assert_eq!(again["id"], alice_member["id"]);

    let listed = w
        .env
        .call(
            w.env.bearer(
                Method::GET,
                &format!(
                    "/v0.3/users/{}/conversations",
                    bob["user_id"].as_str().unwrap()
                ),
                &bob_t,
            ),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        listed["_embedded"]["conversations"][0]["id"], cid,
        "{listed}"
    );
    assert!(listed["_links"].is_object());

    let member = w
        .env
        .call(
            w.env.bearer(
                Method::GET,
                &format!("/v0.3/conversations/{cid}/members/me"),
                &alice_t,
            ),
            StatusCode::OK,
        )
        .await;
    assert_eq!(member["id"], alice_member["id"]);
    let sent = w
        .env
        .call(
            w.env
                .bearer(
                    Method::POST,
                    &format!("/v0.3/conversations/{cid}/events"),
                    &alice_t,
                )
                .json(&json!({
                    "type": "message", "from": member["id"],
                    "body": { "message_type": "text", "text": "hello bob" },
                })),
            StatusCode::OK,
        )
        .await;
    assert!(sent["timestamp"].is_string(), "{sent}");

    let (name, pushed) = bob_sio.event().await;
    assert_eq!(name, "message");
    assert_eq!(pushed["cid"], cid);
    assert_eq!(pushed["from"], member["id"]);
    assert_eq!(
        pushed["body"],
        json!({ "message_type": "text", "text": "hello bob" })
    );
    assert_eq!(pushed["_embedded"]["from_user"]["name"], "alice");
    assert_eq!(pushed["_embedded"]["from_member"]["id"], member["id"]);
    assert_eq!(pushed["id"], sent["id"]);

    // Bob's client acknowledges delivery on its own.
    let delivered = w
        .env
        .call(
            w.env
                .bearer(
                    Method::POST,
                    &format!("/v0.3/conversations/{cid}/events"),
                    &bob_t,
                )
                .json(&json!({ "type": "message:delivered", "body": { "event_id": sent["id"] } })),
            StatusCode::OK,
        )
        .await;
    assert!(delivered["timestamp"].is_string());
}

#[tokio::test]
async fn conversation_calls_refuse_strangers_and_bad_events() {
    let w = World::start().await;
    let (alice_t, bob_t) = (w.token("alice"), w.token("bob"));
    let cid = w
        .env
        .call(
            w.env
                .bearer(Method::POST, "/v0.3/conversations", &alice_t)
                .json(&json!({})),
            StatusCode::OK,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let events = format!("/v0.3/conversations/{cid}/events");
    let text = json!({ "type": "message", "body": { "message_type": "text", "text": "hi" } });
    let not_member = w
        .env
        .bearer(Method::POST, &events, &bob_t)
        .json(&text)
        .send()
        .await
        .unwrap();
    assert_eq!(not_member.status(), StatusCode::FORBIDDEN);
    assert_users_error(
        &not_member.json().await.unwrap(),
        "conversation:error:not-member",
    );
    let me = w
        .env
        .bearer(
            Method::GET,
            &format!("/v0.3/conversations/{cid}/members/me"),
            &bob_t,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::NOT_FOUND);
    let missing = w
        .env
        .bearer(Method::POST, "/v0.3/conversations/CON-nope/members", &bob_t)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_users_error(
        &missing.json().await.unwrap(),
        "conversation:error:not-found",
    );
    w.env
        .call(
            w.env
                .bearer(
                    Method::POST,
                    &format!("/v0.3/conversations/{cid}/members"),
                    &alice_t,
                )
                .json(&json!({})),
            StatusCode::CREATED,
        )
        .await;
    for (what, body) in [
        ("unknown type", json!({ "type": "custom:x", "body": {} })),
        (
            "image",
            json!({ "type": "message", "body": { "message_type": "image" } }),
        ),
        (
            "text not a string",
            json!({ "type": "message", "body": { "message_type": "text", "text": 5 } }),
        ),
        (
            "text too long",
            json!({ "type": "message", "body": { "message_type": "text", "text": "x".repeat(9000) } }),
        ),
    ] {
        let answer = w
            .env
            .bearer(Method::POST, &events, &alice_t)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{what}");
        assert_users_error(&answer.json().await.unwrap(), "http:error:validation-fail");
    }
    // Someone else's conversation list is not visible.
    let alice_id = w
        .env
        .call(
            w.env.bearer(Method::GET, "/v0.3/users/me", &alice_t),
            StatusCode::OK,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let peek = w
        .env
        .bearer(
            Method::GET,
            &format!("/v0.3/users/{alice_id}/conversations"),
            &bob_t,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(peek.status(), StatusCode::NOT_FOUND);
    // A token without the conversations in its ACL reaches none of it.
    let narrow = user_token(
        &w.app,
        "alice",
        Acl::from_json(r#"{"paths":{"/*/sessions/**":{}}}"#).unwrap(),
    );
    let denied = w
        .env
        .bearer(Method::POST, "/v0.3/conversations", &narrow)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
}

// ---------------------------------------------------------------------------------------
// Bad input

#[tokio::test]
async fn malformed_handshakes_and_packets_are_refused_and_others_keep_their_session() {
    let w = World::start().await;
    let (mut bystander, body) = w.login(&w.token("bob")).await;
    let base = w.env.sb.url();
    let host = base.strip_prefix("http://").unwrap();

    // Handshakes Engine.IO refuses with 400 before any websocket.
    for query in [
        "",
        "EIO=3&transport=websocket",
        "EIO=4&transport=polling",
        "EIO=4&transport=carrier-pigeon",
        "EIO=x",
    ] {
        let answer = w
            .env
            .http
            .get(format!("{base}/v2/rtc/?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "?{query}");
        let ws = open_ws(&format!("ws://{host}/v2/rtc/?{query}")).await;
        assert!(matches!(ws, Err(WsError::Http(_))), "?{query}: {ws:?}");
    }
    // A websocket GET without the upgrade headers.
    let plain = w
        .env
        .http
        .get(format!("{base}/v2/rtc/?EIO=4&transport=websocket"))
        .send()
        .await
        .unwrap();
    assert!(plain.status().is_client_error(), "{}", plain.status());

    // Garbage after a good login closes that connection only.
    for garbage in ["42not json", "4", "9", "", "42[\"session:logout\""] {
        let (mut victim, _) = w.login(&w.token("alice")).await;
        victim.send_raw(garbage.to_owned()).await.unwrap();
        let after = victim.next(Duration::from_secs(3)).await;
        assert_eq!(after, Frame::Closed, "{garbage:?}");
    }
    // A namespace the sandbox does not have is refused with a connect error.
    let (mut lost, _) = w.login(&w.token("alice")).await;
    lost.send_raw("40/nope,".into()).await.unwrap();
    let answer = lost.raw_frame(READ_TIMEOUT).await.unwrap();
    assert!(answer.starts_with("44/nope,"), "{answer}");
    // A socket that never joins the namespace is just an open socket: nothing answers it.
    let mut idle = open_ws(&url(base, &token_query(&w.token("alice"))))
        .await
        .unwrap();
    use futures_util::StreamExt;
    let open = tokio::time::timeout(READ_TIMEOUT, idle.next())
        .await
        .unwrap();
    assert!(open.is_some());

    // The bystander's session is untouched: still connected, still refreshable.
    assert_eq!(
        bystander.next(Duration::from_millis(500)).await,
        Frame::Silence
    );
    let refreshed = w
        .refresh(body["id"].as_str().unwrap(), &w.token("bob"))
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    w.login(&w.token("alice")).await;
}

#[tokio::test]
async fn an_oversized_frame_closes_only_its_own_connection() {
    let w = World::start().await;
    let (mut bystander, _) = w.login(&w.token("bob")).await;
    let (mut big, _) = w.login(&w.token("alice")).await;
    let huge = format!("42{}", json!(["message", "x".repeat(100 * 1024)]));
    let _ = big.send_raw(huge).await;
    assert_eq!(big.next(Duration::from_secs(5)).await, Frame::Closed);
    // Just under the cap is fine.
    let (mut fits, _) = w.login(&w.token("alice")).await;
    fits.send_raw(format!("42{}", json!(["noise", "x".repeat(60 * 1024)])))
        .await
        .unwrap();
    assert_eq!(fits.next(Duration::from_millis(500)).await, Frame::Silence);
    assert_eq!(
        bystander.next(Duration::from_millis(200)).await,
        Frame::Silence
    );
}

#[tokio::test]
async fn a_flood_of_connections_is_bounded_and_the_rest_go_on() {
    let w = World::with(SandboxOptions {
        max_sessions: 4,
        ..SandboxOptions::default()
    })
    .await;
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(w.login(&w.token("alice")).await);
    }
    // The fifth handshake is refused, with no harm to the four.
    for _ in 0..20 {
        let refused = open_ws(&url(w.env.sb.url(), &token_query(&w.token("bob")))).await;
        match refused {
            Err(WsError::Http(response)) => assert_eq!(response.status(), 503),
            other => panic!("expected a 503, got {other:?}"),
        }
    }
    // REST is not part of the bound.
    w.env
        .call(
            w.env.bearer(Method::GET, "/v0.3/users/me", &w.token("bob")),
            StatusCode::OK,
        )
        .await;
    for (sio, body) in &mut open {
        assert_eq!(sio.next(Duration::from_millis(100)).await, Frame::Silence);
        let ok = w
            .refresh(body["id"].as_str().unwrap(), &w.token("alice"))
            .await;
        assert_eq!(ok.status(), StatusCode::OK);
    }
    // A closed connection gives its place back.
    let (first, _) = open.remove(0);
    first.close().await;
    w.login_once_a_place_frees("bob", "a closed connection's place was never given back")
        .await;
}

#[tokio::test]
async fn sockets_that_never_join_are_closed_and_give_their_place_back() {
    use futures_util::StreamExt;
    let w = World::with(SandboxOptions {
        max_sessions: 2,
        ..SandboxOptions::default()
    })
    .await;
    let target = url(w.env.sb.url(), &token_query(&w.token("alice")));
    // Two websockets that read the open packet and then say nothing (no `40`).
    let mut idle = Vec::new();
    for _ in 0..2 {
        let mut ws = open_ws(&target).await.unwrap();
        assert!(
            tokio::time::timeout(READ_TIMEOUT, ws.next())
                .await
                .unwrap()
                .is_some()
        );
        idle.push(ws);
    }
    assert!(matches!(open_ws(&target).await, Err(WsError::Http(r)) if r.status() == 503));
    // The sandbox closes them (its connect timeout is 10 s), so the places come back.
    let started = std::time::Instant::now();
    for ws in &mut idle {
        loop {
            match tokio::time::timeout(Duration::from_secs(15), ws.next()).await {
                Ok(Some(Ok(m))) if !m.is_close() => {}
                Ok(_) => break,
                Err(_) => panic!("an idle socket was kept open for 15 s"),
            }
        }
    }
    assert!(
        started.elapsed() <= Duration::from_secs(13),
        "{:?}",
        started.elapsed()
    );
    w.login_once_a_place_frees("bob", "the idle sockets' places were never given back")
        .await;
}

#[tokio::test]
async fn the_server_pings_as_engine_io_4_wants_and_the_session_stays() {
    use futures_util::SinkExt;
    use support::sio::next_text;
    use tokio_tungstenite::tungstenite::Message;
    let w = World::start().await;
    let mut ws = open_ws(&url(w.env.sb.url(), &token_query(&w.token("alice"))))
        .await
        .unwrap();
    let limit = Duration::from_secs(35);
    let open = next_text(&mut ws, limit).await.unwrap();
    let open: Value = serde_json::from_str(open.strip_prefix('0').unwrap()).unwrap();
    assert_eq!(open["upgrades"], json!([]), "websocket only: {open}");
    let interval = open["pingInterval"].as_u64().unwrap();
    assert_eq!(
        (interval, open["pingTimeout"].as_u64().unwrap()),
        (25_000, 20_000)
    );
    ws.send(Message::text("40")).await.unwrap();
    // The server pings (`2`), the client only answers (`3`). engineioxide sends its first ping
    // at once after the open packet, so on a loaded machine it may come before the connect
    // answer or the login event; the next ping comes one interval after the answer.
    let mut first_pong = None;
    let next_packet = async |ws: &mut _, first_pong: &mut Option<std::time::Instant>| loop {
        let text = next_text(ws, limit).await.expect("the socket closed");
        if text == "2" && first_pong.is_none() {
            ws.send(Message::text("3")).await.unwrap();
            *first_pong = Some(std::time::Instant::now());
        } else {
            return text;
        }
    };
    let connected = next_packet(&mut ws, &mut first_pong).await;
    assert!(connected.starts_with("40"), "{connected}");
    let success = next_packet(&mut ws, &mut first_pong).await;
    assert!(success.starts_with("42[\"session:success\""), "{success}");
    let id = serde_json::from_str::<Value>(&success[2..]).unwrap()[1]["body"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = match first_pong {
        Some(at) => at,
        None => {
            assert_eq!(next_text(&mut ws, limit).await.unwrap(), "2");
            ws.send(Message::text("3")).await.unwrap();
            std::time::Instant::now()
        }
    };
    assert_eq!(next_text(&mut ws, limit).await.unwrap(), "2");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(interval - 2_000)
            && waited <= Duration::from_millis(interval + 2_000),
        "the second ping came after {waited:?}"
    );
    ws.send(Message::text("3")).await.unwrap();
    let ok = w.refresh(&id, &w.token("alice")).await;
    assert_eq!(
        ok.status(),
        StatusCode::OK,
        "the session survived its pings"
    );
}

#[tokio::test]
async fn stopping_the_sandbox_closes_its_sessions() {
    let w = World::start().await;
    let (mut sio, _) = w.login(&w.token("alice")).await;
    let stopped = tokio::time::timeout(Duration::from_secs(10), w.env.sb.stop()).await;
    assert!(stopped.is_ok(), "stop hung with a session open");
    let after = sio.next(Duration::from_secs(5)).await;
    assert!(
        matches!(after, Frame::Closed | Frame::Disconnect),
        "a session outlived its sandbox: {after:?}"
    );
}

#[tokio::test]
async fn refused_sockets_that_stay_open_are_cut_and_give_their_place_back() {
    let w = World::with(SandboxOptions {
        max_sessions: 2,
        ..SandboxOptions::default()
    })
    .await;
    // Two refused logins whose clients stay (answering pings, never closing), as a hostile
    // page would: the server cuts them after the refusal, so they cannot hold the bound.
    let mut refused = Vec::new();
    for _ in 0..2 {
        let mut sio = Sio::connect(w.env.sb.url(), &token_query("garbage"))
            .await
            .unwrap();
        assert_eq!(sio.event().await.0, "system:error:invalid-token");
        refused.push(sio);
    }
    for sio in &mut refused {
        assert_eq!(sio.next(Duration::from_secs(5)).await, Frame::Disconnect);
        assert_eq!(
            sio.next(Duration::from_secs(5)).await,
            Frame::Closed,
            "a refused socket's connection was left open"
        );
    }
    w.login_once_a_place_frees("alice", "the refused sockets never gave their places back")
        .await;
}

#[tokio::test]
async fn a_token_that_is_not_a_jwt_is_told_so_not_as_a_missing_claim() {
    let w = World::start().await;
    for (garbage, reason) in [
        ("garbage", "not a JWT"),
        ("a.b.c", "the header is not base64url"),
    ] {
        let answer = w
            .env
            .call(
                w.env.bearer(Method::GET, "/v0.3/users/me", garbage),
                StatusCode::UNAUTHORIZED,
            )
            .await
            .to_string();
        assert!(answer.contains(reason), "{garbage}: {answer}");
        assert!(!answer.contains("application_id"), "{garbage}: {answer}");
    }
}
