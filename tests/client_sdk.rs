#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

//! The first lines of a Client SDK tutorial, offline: Vonage's JavaScript Client SDK
//! (`@vonage/client-sdk`, pinned to 2.3.1 in tests/client_sdk/package.json and its lock file)
//! runs tests/client_sdk/session.mjs against `vonage-onboard sandbox`, with tokens the real
//! commands mint (`vonage-onboard token alice`): it logs in, asks who it is, refreshes, logs
//! out, is refused as Vonage refuses, is ended when its token expires, exchanges a text
//! message between two clients, and stays logged in for 75 s on 30 s tokens fetched from
//! `vonage-onboard token serve` (the dev loop). The scenarios run at the same time (the dev
//! loop sets the pace: about 80 s).
//!
//! Needs node and npm (skipped, saying so, without them) and the npm registry for
//! `npm ci` (a failure there fails the test, unless VONAGE_ONBOARD_SKIP_NODE_SDK=1).

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use vonage_onboard::auth::acl::Preset;
use vonage_onboard::auth::jwt::Subject;
use vonage_onboard::auth::ttl::Ttl;

use support::node::{Install, available, copy_project, npm_ci, run_bounded};
use support::tokens::{OTHER_KEY, now, signer};

/// `npm ci` of the SDK and its 36 dependencies (about 90 MB unpacked).
const NPM_TIMEOUT: Duration = Duration::from_secs(120);
/// The scenarios bound themselves (the longest, the dev loop, runs 75 s); this is the backstop.
const RUN_TIMEOUT: Duration = Duration::from_secs(130);
const SKIP_ENV: &str = "VONAGE_ONBOARD_SKIP_NODE_SDK";
/// What session.mjs runs, all at once.
const SCENARIOS: [&str; 5] = ["login", "refusals", "expiry", "message", "devLoop"];

/// `vonage-onboard token ARGS…`'s stdout, trimmed.
fn token(sandbox: &support::SandboxProcess, home: &Path, args: &[&str]) -> String {
    let out = support::run_ok(sandbox.cli(home).arg("token").args(args));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn the_vonage_client_sdk_logs_in_refreshes_fails_and_chats_against_the_sandbox() {
    if !available("node") || !available("npm") {
        support::skip(
            "node/npm not installed, cannot run the Vonage Client SDK against the sandbox",
        );
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("client_sdk");
    copy_project("client_sdk", &project, &["session.mjs"]);
    if let Install::Skipped = npm_ci(&project, NPM_TIMEOUT, SKIP_ENV) {
        return;
    }
    let installed = started.elapsed();

    let sandbox = support::start_sandbox(dir.path(), &[]);
    let home = dir.path().join("home");
    let app = sandbox.onboard(&home, "first-sdk-code", &["alice", "bob"]);

    // Tokens as a developer gets them, and the bad ones as they happen.
    let short: Value = serde_json::from_str(&token(
        &sandbox,
        &home,
        &["--json", "alice", "--ttl", "30s"],
    ))
    .unwrap();
    let alice_acl = Subject::User {
        name: "alice".into(),
        acl: Preset::ClientSdk.acl(),
    };
    let app_key = std::fs::read_to_string(&app.private_key).unwrap();
    let expired = signer(&app.app_id, &app_key)
        .mint(&alice_acl, Ttl::parse("15m").unwrap(), now() - 3600)
        .token
        .expose()
        .to_owned();
    let other_key = signer(&app.app_id, OTHER_KEY)
        .mint(&alice_acl, Ttl::parse("15m").unwrap(), now())
        .token
        .expose()
        .to_owned();
    let tokens = [
        ("ALICE_TOKEN", token(&sandbox, &home, &["alice"])),
        ("ALICE_TOKEN_2", token(&sandbox, &home, &["alice"])),
        ("BOB_TOKEN", token(&sandbox, &home, &["bob"])),
        ("UNKNOWN_USER_TOKEN", token(&sandbox, &home, &["mallory"])),
        ("SHORT_TOKEN", short["token"].as_str().unwrap().to_owned()),
        ("SHORT_TOKEN_EXP", short["exp"].to_string()),
        ("EXPIRED_TOKEN", expired),
        ("OTHER_KEY_TOKEN", other_key),
    ];

    let serve = sandbox.token_serve(&home);
    assert_eq!(serve.application_id, app.app_id);

    let run_started = Instant::now();
    let run = run_bounded(
        Command::new("node")
            .arg("session.mjs")
            .env("SANDBOX_URL", &sandbox.url)
            .env("SERVE_URL", &serve.url)
            .env("SERVE_KEY", &serve.key)
            .env("SCENARIOS", SCENARIOS.join(","))
            .envs(tokens.iter().map(|(k, v)| (k, v)))
            .current_dir(&project),
        RUN_TIMEOUT,
    );
    assert!(
        run.ok(),
        "session.mjs failed: {}\n--- sandbox log ---\n{}\n--- token serve log ---\n{}",
        run.describe(RUN_TIMEOUT),
        sandbox.log(),
        serve.log()
    );
    println!(
        "npm ci {installed:.1?}, scenarios {:.1?}",
        run_started.elapsed()
    );
    let line = run.stdout.lines().last().unwrap_or_default();
    let seen: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("session.mjs printed no JSON line ({e}): {}", run.stdout));
    println!("{seen}");
    for scenario in SCENARIOS {
        assert!(seen[scenario].is_object(), "{scenario} did not run: {seen}");
        assert!(
            seen[scenario]["error"].is_null(),
            "{scenario} failed: {seen}"
        );
    }

    // createSession with `token alice` → a SES- id; getUser('me') → alice.
    let login = &seen["login"];
    let id = login["id"].as_str().unwrap();
    assert!(
        id.strip_prefix("SES-")
            .is_some_and(|u| uuid::Uuid::parse_str(u).is_ok()),
        "{login}"
    );
    assert_eq!(login["me"]["name"], "alice");
    assert!(
        login["me"]["id"].as_str().unwrap().starts_with("USR-"),
        "{login}"
    );
    // refreshSession resolves; deleteSession resolves and the server drops the session.
    assert_eq!(login["refreshed"], "resolved");
    assert_eq!(login["openBeforeDelete"], 200, "{login}");
    assert_eq!(login["deleted"], "resolved");
    assert_eq!(
        login["afterDelete"], 404,
        "the session outlived deleteSession: {login}"
    );

    // Refused as Vonage refuses.
    let refusals = &seen["refusals"];
    assert_eq!(
        refusals["expired"], "session:error:expired-token",
        "{refusals}"
    );
    assert_eq!(
        refusals["otherKey"], "session:error:invalid-token",
        "{refusals}"
    );
    assert_eq!(
        refusals["unknownUser"], "session:error:invalid-token",
        "{refusals}"
    );

    // A 30 s token left alone: sessionError EXPIRED_TOKEN within 45 s.
    let expiry = &seen["expiry"];
    assert_eq!(
        expiry["reasons"],
        serde_json::json!(["EXPIRED_TOKEN"]),
        "{expiry}"
    );
    let after = expiry["afterSeconds"].as_f64().unwrap();
    assert!(
        (25.0..=45.0).contains(&after),
        "ended {after} s after login: {expiry}"
    );

    // Alice's text reaches Bob's client.
    let message = &seen["message"];
    let cid = message["cid"].as_str().unwrap();
    assert!(cid.starts_with("CON-"), "{message}");
    assert_eq!(message["bobsConversations"], serde_json::json!([cid]));
    let received = &message["received"];
    assert_eq!(received["kind"], "message:text", "{message}");
    assert_eq!(received["text"], "hello bob");
    assert_eq!(received["conversationId"], cid);
    assert_eq!(received["fromUser"], "alice", "{message}");
    assert!(message["sent"].is_string(), "{message}");
    // The dev loop: 30 s tokens from token serve, each refreshed 10 s before its exp; after
    // 75 s the same session is open and the SDK never reported an error.
    let dev = &seen["devLoop"];
    assert_eq!(
        dev["ttl"].as_u64(),
        Some(30),
        "token serve's ?ttl=30s: {dev}"
    );
    assert!(dev["afterSeconds"].as_f64().unwrap() >= 75.0, "{dev}");
    assert!(
        dev["refreshes"].as_u64().unwrap() >= 3,
        "refreshed too rarely: {dev}"
    );
    assert_eq!(dev["errors"], serde_json::json!([]), "{dev}");
    assert_eq!(
        dev["stillOpen"], 200,
        "the session did not survive the dev loop: {dev}"
    );
    assert_eq!(dev["me"], "alice");
    drop(serve);
    drop(sandbox);
    println!("client SDK test took {:.1?}", started.elapsed());
}
