//! One set of token rules: every row is judged by the sandbox over HTTP (`GET /v1/users`
//! with the token as Bearer) and by `vonage-onboard token inspect` as a process, and the two
//! verdicts must agree (accepted ⇔ exit 0). Tokens are crafted with jsonwebtoken against the
//! fixture key, the way a developer's own backend (or PyJWT) would make them.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use support::tokens::{OTHER_KEY, OTHER_PUBLIC, TEST_KEY, TEST_PUBLIC, now};
use support::{SandboxProcess, start_sandbox};

/// Runs one HTTP exchange to completion (the rest of the test is plain processes).
fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Creates an application in the sandbox with `public_key`; returns its id.
fn create_app(sandbox: &SandboxProcess, name: &str, public_key: &str) -> String {
    block_on(async {
        let response = reqwest::Client::new()
            .post(format!("{}/v2/applications", sandbox.url))
            .basic_auth(&sandbox.api_key, Some(&sandbox.api_secret))
            .json(&json!({ "name": name, "keys": { "public_key": public_key } }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        response.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    })
}

/// The sandbox's answer to the token: the HTTP status and the error code, if any.
fn sandbox_verdict(sandbox: &SandboxProcess, token: &str) -> (u16, String) {
    block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{}/v1/users", sandbox.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        (status, body["code"].as_str().unwrap_or_default().to_owned())
    })
}

/// `token inspect -` with the application given as Vonage's SDKs take it.
fn inspect_verdict(home: &Path, app: &str, key_path: &Path, token: &str) -> (i32, String) {
    let out = assert_cmd::Command::cargo_bin("vonage-onboard")
        .unwrap()
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("VONAGE_ONBOARD_HOME", home)
        .env("VONAGE_APPLICATION_ID", app)
        .env("VONAGE_PRIVATE_KEY_PATH", key_path)
        .args(["token", "inspect", "-"])
        .write_stdin(token.to_owned())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sign(header: &Header, claims: &Value, key: &EncodingKey) -> String {
    jsonwebtoken::encode(header, claims, key).unwrap()
}

struct Row {
    what: &'static str,
    token: String,
    /// Whether Vonage accepts it; the sandbox answers 200 exactly then.
    accepted: bool,
    /// `token inspect`'s exit code (README: 1 time, 2 not a JWT, 3 signature/application).
    inspect_exit: i32,
}

#[test]
fn the_sandbox_and_token_inspect_judge_every_token_alike() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(dir.path(), &[]);
    let app = create_app(&sandbox, "rules", TEST_PUBLIC);
    let other_app = create_app(&sandbox, "rules-other", OTHER_PUBLIC);
    let key_path = dir.path().join("private.key");
    std::fs::write(&key_path, TEST_KEY).unwrap();
    let home = dir.path().join("home");

    let rsa_key = |pem: &str| {
        let key = vonage_onboard::auth::keys::PrivateKey::from_pem(pem).unwrap();
        EncodingKey::from_rsa_der(key.pkcs1_der())
    };
    let (ours, theirs) = (rsa_key(TEST_KEY), rsa_key(OTHER_KEY));
    let rs256 = Header::new(Algorithm::RS256);
    let t = now();
    // Claims of an admin token issued now for 15 min, with `changes` applied (null removes).
    let claims = |changes: Value| {
        let mut c = json!({
            "application_id": app, "iat": t, "jti": uuid::Uuid::new_v4().to_string(), "exp": t + 900
        });
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let with_header = |edit: &dyn Fn(&mut Header)| {
        let mut h = Header::new(Algorithm::RS256);
        edit(&mut h);
        sign(&h, &claims(json!({})), &ours)
    };
    let other_alg = |alg: Algorithm| sign(&Header::new(alg), &claims(json!({})), &ours);
    let alg_none = format!(
        "{}.{}.",
        B64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        B64.encode(claims(json!({})).to_string())
    );
    let tampered = {
        let good = sign(&rs256, &claims(json!({})), &ours);
        let parts: Vec<&str> = good.split('.').collect();
        let forged = B64.encode(claims(json!({ "exp": t + 3600 })).to_string());
        format!("{}.{forged}.{}", parts[0], parts[2])
    };
    let user_token = sign(
        &rs256,
        &claims(json!({ "sub": "alice", "acl": { "paths": { "/*/users/**": {} } } })),
        &ours,
    );

    let rows = [
        Row {
            what: "a good admin token",
            token: sign(&rs256, &claims(json!({})), &ours),
            accepted: true,
            inspect_exit: 0,
        },
        Row {
            what: "a good user token (sub, acl)",
            token: user_token,
            accepted: true,
            inspect_exit: 0,
        },
        Row {
            what: "exp = iat + 24 h + 2 min",
            token: sign(&rs256, &claims(json!({ "exp": t + 86_400 + 120 })), &ours),
            accepted: false,
            inspect_exit: 1,
        },
        Row {
            what: "issued 2 h ago, exp - iat = 25 h",
            token: sign(
                &rs256,
                &claims(json!({ "iat": t - 7200, "exp": t - 7200 + 25 * 3600 })),
                &ours,
            ),
            accepted: false,
            inspect_exit: 1,
        },
        Row {
            what: "iat 10 min in the future",
            token: sign(
                &rs256,
                &claims(json!({ "iat": t + 600, "exp": t + 1500 })),
                &ours,
            ),
            accepted: false,
            inspect_exit: 1,
        },
        Row {
            what: "crit: [x-unknown]",
            token: with_header(&|h| h.crit = Some(vec!["x-unknown".into()])),
            accepted: false,
            inspect_exit: 3,
        },
        Row {
            what: "application_id of another application, signed with this key",
            token: sign(
                &rs256,
                &claims(json!({ "application_id": other_app })),
                &ours,
            ),
            accepted: false,
            inspect_exit: 3,
        },
        Row {
            what: "application_id of no application",
            token: sign(
                &rs256,
                &claims(json!({ "application_id": uuid::Uuid::new_v4().to_string() })),
                &ours,
            ),
            accepted: false,
            inspect_exit: 3,
        },
        Row {
            what: "no application_id",
            token: sign(&rs256, &claims(json!({ "application_id": null })), &ours),
            accepted: false,
            inspect_exit: 3,
        },
        Row {
            what: "alg none",
            token: alg_none,
            accepted: false,
            inspect_exit: 3,
        },
        Row {
            what: "HS256 with the public key as the secret",
            token: sign(
                &Header::new(Algorithm::HS256),
                &claims(json!({})),
                &EncodingKey::from_secret(TEST_PUBLIC.as_bytes()).unwrap(),
            ),
            accepted: false,
            inspect_exit: 3,
        },
        Row {
            what: "RS512",
            token: other_alg(Algorithm::RS512),
            accepted: false,
            inspect_exit: 3,
        },
        Row {
            what: "PS256",
            token: other_alg(Algorithm::PS256),
            accepted: false,
            inspect_exit: 3,
        },
        Row {
            what: "signed with another key",
            token: sign(&rs256, &claims(json!({})), &theirs),
            accepted: false,
            inspect_exit: 3,
        },
        Row {
            what: "tampered claims",
            token: tampered,
            accepted: false,
            inspect_exit: 3,
        },
        Row {
            what: "exp as a string",
            token: sign(
                &rs256,
                &claims(json!({ "exp": (t + 900).to_string() })),
                &ours,
            ),
            accepted: false,
            inspect_exit: 2,
        },
        Row {
            what: "nbf an hour from now",
            token: sign(&rs256, &claims(json!({ "nbf": t + 3600 })), &ours),
            accepted: false,
            inspect_exit: 1,
        },
        Row {
            what: "expired 2 min ago",
            token: sign(
                &rs256,
                &claims(json!({ "iat": t - 3600, "exp": t - 120 })),
                &ours,
            ),
            accepted: false,
            inspect_exit: 1,
        },
        Row {
            what: "no exp, issued 1 h ago (15 min apply)",
            token: sign(
                &rs256,
                &claims(json!({ "iat": t - 3600, "exp": null })),
                &ours,
            ),
            accepted: false,
            inspect_exit: 1,
        },
        Row {
            what: "no exp, issued 5 min ago (15 min apply)",
            token: sign(
                &rs256,
                &claims(json!({ "iat": t - 300, "exp": null })),
                &ours,
            ),
            accepted: true,
            inspect_exit: 0,
        },
        Row {
            what: "neither iat nor exp",
            token: sign(&rs256, &claims(json!({ "iat": null, "exp": null })), &ours),
            accepted: false,
            inspect_exit: 2,
        },
        Row {
            what: "kid present (ignored)",
            token: with_header(&|h| h.kid = Some("key-1".into())),
            accepted: true,
            inspect_exit: 0,
        },
        Row {
            what: "no typ (accepted)",
            token: with_header(&|h| h.typ = None),
            accepted: true,
            inspect_exit: 0,
        },
        Row {
            what: "not a JWT",
            token: "junk".into(),
            accepted: false,
            inspect_exit: 2,
        },
    ];

    let mut disagreements = Vec::new();
    for row in &rows {
        let (status, code) = sandbox_verdict(&sandbox, &row.token);
        let (exit, stderr) = inspect_verdict(&home, &app, &key_path, &row.token);
        let expected_status = if row.accepted { 200 } else { 401 };
        if status != expected_status || exit != row.inspect_exit {
            disagreements.push(format!(
                "{}: sandbox {status} {code} (want {expected_status}), inspect exit {exit} \
                 (want {}): {}",
                row.what,
                row.inspect_exit,
                stderr.trim()
            ));
        }
        // The two must agree, whatever the table says.
        assert_eq!(status == 200, exit == 0, "{}: they disagree", row.what);
        if exit != 0 {
            assert!(
                stderr.starts_with("error: ") && stderr.trim().len() > 20,
                "{}: the reason belongs on stderr, got {stderr:?}",
                row.what
            );
            assert!(!stderr.contains(&row.token), "{}: token echoed", row.what);
        }
        if status == 401 && row.inspect_exit == 1 && row.what.starts_with("expired") {
            assert_eq!(code, "system:error:expired-token", "{}", row.what);
        }
    }
    assert!(
        disagreements.is_empty(),
        "rows judged otherwise than expected:\n{}\nsandbox log:\n{}",
        disagreements.join("\n"),
        sandbox.log()
    );
}
