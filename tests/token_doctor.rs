//! `token doctor` as a developer runs it: the real binary against `vonage-onboard sandbox`,
//! a home onboarded through the commands, and each way a Client SDK login fails.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};
use support::tokens::{OTHER_PUBLIC, now};
use support::{SandboxProcess, start_sandbox};
use vonage_onboard::auth::acl::Preset;
use vonage_onboard::auth::jwt::{Claims, Signer};
use vonage_onboard::auth::keys::PrivateKey;
use vonage_onboard::ids::AppId;
use vonage_onboard::region::Region;
use vonage_onboard::vonage::{ApiCredentials, Endpoints, VonageClient};

/// A sandbox and a home with application "demo" (current, key stored) and user alice.
struct Onboarded {
    sandbox: SandboxProcess,
    _dir: tempfile::TempDir,
    home: PathBuf,
    app_id: String,
}

impl Onboarded {
    fn new() -> Self {
        let sandbox = start_sandbox(&std::env::temp_dir(), &[]);
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let app_id = sandbox.onboard(&home, "demo", &["alice"]);
        Onboarded {
            sandbox,
            _dir: dir,
            home,
            app_id,
        }
    }

    fn cmd(&self) -> assert_cmd::Command {
        self.sandbox.cmd(&self.home)
    }

    /// `vonage-onboard token ARGS…` on a pipe: the bare token.
    fn token(&self, args: &[&str]) -> String {
        let out = support::run_ok(self.cmd().arg("token").args(args));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// `token doctor` with `token` on stdin (and `extra` global flags first).
    fn doctor(&self, extra: &[&str], token: &str) -> Output {
        self.cmd()
            .args(extra)
            .args(["token", "doctor"])
            .write_stdin(format!("{token}\n"))
            .output()
            .unwrap()
    }

    fn key_path(&self) -> PathBuf {
        self.home
            .join("profiles/default/apps")
            .join(&self.app_id)
            .join("private.key")
    }

    /// A token with these claims, signed with the application's stored key.
    fn signed(&self, claims: &Claims) -> String {
        let key = PrivateKey::load(&self.key_path()).unwrap();
        Signer::new(AppId::parse(&self.app_id).unwrap(), key)
            .sign(claims)
            .expose()
            .to_owned()
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// The report line of a check, by its title.
fn line<'a>(report: &'a str, title: &str) -> &'a str {
    report
        .lines()
        .find(|l| {
            l.split_once(' ').is_some_and(|(mark, rest)| {
                !mark.is_empty() && rest.starts_with(&format!("{title}  "))
            })
        })
        .unwrap_or_else(|| panic!("no {title:?} line in:\n{report}"))
}

/// The `fix:` line right under a check's line.
fn fix_of<'a>(report: &'a str, title: &str) -> &'a str {
    let at = line(report, title);
    let mut lines = report.lines().skip_while(|l| *l != at).skip(1);
    let next = lines.next().unwrap_or_default().trim_start();
    next.strip_prefix("fix: ")
        .unwrap_or_else(|| panic!("no fix under {title:?} in:\n{report}"))
}

const TITLES: [&str; 6] = [
    "token",
    "application key",
    "user",
    "ACL",
    "server clock",
    "login",
];

/// No panic, and exactly one `error:` line on stderr that says `expected`.
fn assert_one_error(out: &Output, expected: &str) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains(expected), "{err}");
}

#[test]
fn a_good_token_passes_every_check_and_exits_0() {
    let o = Onboarded::new();
    let token = o.token(&["alice"]);
    let out = o.doctor(&[], &token);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{report}{}", stderr(&out));
    assert_eq!(report.lines().count(), 6, "{report}");
    for title in TITLES {
        assert!(line(&report, title).starts_with("✓ "), "{report}");
    }
    assert!(line(&report, "application key").contains(&o.app_id));
    assert!(
        line(&report, "user").contains("\"alice\" (USR-"),
        "{report}"
    );
    assert!(line(&report, "server clock").contains("skew "), "{report}");
    // The real login: the sandbox's session endpoint opened a session (then logged out).
    let login = line(&report, "login");
    assert!(
        login.contains(&o.sandbox.url.replace("http://", "ws://")),
        "{report}"
    );
    assert!(login.contains("opened session SES-"), "{report}");
    // …and logged out at once: refreshing that session now finds nothing.
    let session = login
        .split_whitespace()
        .find(|w| w.starts_with("SES-"))
        .unwrap();
    let status = tokio::runtime::Runtime::new().unwrap().block_on(async {
        reqwest::Client::new()
            .put(format!("{}/v0.2/sessions/{session}", o.sandbox.url))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body("\"\"")
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 404, "the doctor's session was left open");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn a_token_of_the_old_key_after_the_applications_key_changed_names_the_stored_key() {
    let o = Onboarded::new();
    let token = o.token(&["alice"]);
    // The application's key changes on the API (PUT with a new public key, as the
    // contract allows); the home still has the old private key.
    let endpoints = Endpoints::new(Some(&o.sandbox.url), Region::Global).unwrap();
    let credentials = ApiCredentials {
        api_key: o.sandbox.api_key.clone(),
        api_secret: o.sandbox.api_secret.clone().into(),
    };
    let client = VonageClient::new(endpoints, Some(credentials)).unwrap();
    let body = json!({"name": "demo", "keys": {"public_key": OTHER_PUBLIC}});
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(client.update_application(&o.app_id, &body))
        .unwrap();

    let out = o.doctor(&[], &token);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(3), "{report}{}", stderr(&out));
    assert!(line(&report, "token").starts_with("✗ "), "{report}");
    assert!(line(&report, "token").contains("bad signature"), "{report}");
    let key = line(&report, "application key");
    assert!(key.starts_with("✗ "), "{report}");
    assert!(
        key.contains("current public key does not verify"),
        "{report}"
    );
    let fix = fix_of(&report, "application key");
    assert!(
        fix.starts_with("mint a new token with the current key"),
        "{fix}"
    );
    assert!(fix.contains(&o.key_path().display().to_string()), "{fix}");
    assert!(fix.contains("no longer the application's key"), "{fix}");
    // The Users API refuses an admin token of the old key too, and the line says why.
    let user = line(&report, "user");
    assert!(user.starts_with("? "), "{report}");
    assert!(
        user.contains("refused the admin token signed with the stored key"),
        "{report}"
    );
    // The rest still runs: the ACL and the clock are fine.
    assert!(line(&report, "ACL").starts_with("✓ "), "{report}");
    assert!(line(&report, "server clock").starts_with("✓ "), "{report}");
    let login = line(&report, "login");
    assert!(login.starts_with("✗ "), "{report}");
    assert!(login.contains("system:error:invalid-token"), "{report}");
    assert_one_error(&out, "bad signature");
}

#[test]
fn a_token_for_a_user_the_application_does_not_have_exits_4() {
    let o = Onboarded::new();
    let token = o.token(&["bob"]);
    let out = o.doctor(&[], &token);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(4), "{report}{}", stderr(&out));
    let user = line(&report, "user");
    assert!(user.starts_with("✗ "), "{report}");
    assert!(user.contains("no user \"bob\""), "{report}");
    // With an API base (the sandbox) there is one host, and the line says so.
    assert!(user.contains(&o.sandbox.url), "{report}");
    assert!(user.contains("no other region was searched"), "{report}");
    assert!(fix_of(&report, "user").contains("vonage-onboard user create bob"));
    assert!(
        line(&report, "login").contains("user:error:invalid-user"),
        "{report}"
    );
    for title in ["token", "application key", "ACL", "server clock"] {
        assert!(line(&report, title).starts_with("✓ "), "{report}");
    }
    assert_one_error(&out, "no user \"bob\"");
}

#[test]
fn an_acl_without_sessions_names_the_missing_paths() {
    let o = Onboarded::new();
    let acl = r#"{"paths": {"/*/users/**": {}, "/*/conversations/**": {}}}"#;
    let token = o.token(&["alice", "--acl", acl]);
    let out = o.doctor(&[], &token);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}{}", stderr(&out));
    let acl_line = line(&report, "ACL");
    assert!(acl_line.starts_with("✗ "), "{report}");
    assert!(acl_line.contains("  missing /*/sessions/**, "), "{report}");
    assert!(acl_line.contains("/*/devices/**"), "{report}");
    assert!(!acl_line.contains("/*/users/**"), "{report}");
    assert!(acl_line.contains("createSession"), "{report}");
    assert!(fix_of(&report, "ACL").contains("--acl client-sdk"));
    let login = line(&report, "login");
    assert!(login.starts_with("✗ "), "{report}");
    assert!(login.contains("system:error:permission"), "{report}");
    assert!(line(&report, "user").starts_with("✓ "), "{report}");
}

#[test]
fn an_expired_token_fails_by_our_clock_and_by_the_servers() {
    let o = Onboarded::new();
    let t = now();
    let token = o.signed(&Claims {
        application_id: o.app_id.clone(),
        iat: t - 7200,
        jti: "expired".into(),
        exp: t - 3600,
        nbf: None,
        sub: Some("alice".into()),
        acl: Some(Preset::ClientSdk.acl()),
    });
    let out = o.doctor(&[], &token);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}{}", stderr(&out));
    let token_line = line(&report, "token");
    assert!(token_line.starts_with("✗ "), "{report}");
    assert!(token_line.contains("  EXPIRED 1h"), "{report}");
    let clock = line(&report, "server clock");
    assert!(clock.starts_with("✗ "), "{report}");
    assert!(clock.contains("  expired 1h"), "{report}");
    assert!(clock.contains("by the server's clock"), "{report}");
    assert!(clock.contains("skew "), "{report}");
    assert!(fix_of(&report, "server clock").contains("vonage-onboard token alice"));
    let login = line(&report, "login");
    assert!(login.starts_with("✗ "), "{report}");
    assert!(login.contains("system:error:expired-token"), "{report}");
    // The signature is good: the application's key check passes.
    assert!(
        line(&report, "application key").starts_with("✓ "),
        "{report}"
    );
}

#[test]
fn json_has_every_check_in_order_with_status_result_and_fix() {
    let o = Onboarded::new();
    let token = o.token(&["bob"]);
    let out = o.doctor(&["--json"], &token);
    assert_eq!(out.status.code(), Some(4));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["exit_code"], 4);
    assert_eq!(doc["application_id"], o.app_id.as_str());
    assert_eq!(doc["user"], "bob");
    assert!(doc["skew_seconds"].is_i64(), "{doc}");
    assert!(doc["server_time"].as_str().unwrap().ends_with('Z'), "{doc}");
    let checks = doc["checks"].as_array().unwrap();
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["token", "application", "user", "acl", "clock", "login"]
    );
    for c in checks {
        let failed = c["id"] == "user" || c["id"] == "login";
        assert_eq!(c["status"], if failed { "fail" } else { "pass" }, "{c}");
        assert_eq!(c["mark"], if failed { "✗" } else { "✓" }, "{c}");
        assert!(!c["result"].as_str().unwrap().is_empty(), "{c}");
        assert_eq!(c["fix"].is_string(), failed, "{c}");
    }

    let good = o.doctor(&["--json"], &o.token(&["alice"]));
    let doc: Value = serde_json::from_slice(&good.stdout).unwrap();
    assert_eq!(
        (doc["ok"].clone(), doc["exit_code"].clone()),
        (json!(true), json!(0))
    );
}

#[test]
fn a_token_for_an_application_the_account_does_not_have_exits_4() {
    let o = Onboarded::new();
    let acl = Preset::ClientSdk.acl();
    let token = support::tokens::user_token("11111111-2222-4333-8444-555555555555", "alice", acl);
    let out = o.doctor(&[], &token);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(4), "{report}{}", stderr(&out));
    // No key of that application anywhere, so the token line says the signature went unchecked.
    assert!(
        line(&report, "token").contains("signature not checked"),
        "{report}"
    );
    let app = line(&report, "application key");
    assert!(app.starts_with("✗ "), "{report}");
    assert!(
        app.contains("no application 11111111-2222-4333-8444-555555555555"),
        "{report}"
    );
    assert!(fix_of(&report, "application key").contains("vonage-onboard app list"));
    assert!(
        line(&report, "login").contains("system:error:invalid-token"),
        "{report}"
    );
    assert_one_error(&out, "no application");
}

#[test]
fn bad_input_gets_one_sentence_and_its_exit_code() {
    let o = Onboarded::new();
    // Garbage: the token line says why; nothing else can run.
    let out = o.doctor(&[], "garbage");
    assert_eq!(out.status.code(), Some(2));
    let report = stdout(&out);
    assert!(line(&report, "token").contains("not a JWT"), "{report}");
    assert!(line(&report, "user").starts_with("? "), "{report}");
    assert_one_error(&out, "malformed");

    // An empty pipe.
    let out = o
        .cmd()
        .args(["token", "doctor"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_one_error(&out, "no token on stdin");

    // An endless stream is cut at the cap.
    let out = o
        .cmd()
        .args(["token", "doctor", "-"])
        .write_stdin(vec![b'a'; 1 << 20])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_one_error(&out, "longer than 64 KiB");
}

#[test]
fn an_unreachable_api_exits_6_and_names_the_checks_that_could_not_run() {
    let o = Onboarded::new();
    let token = o.token(&["alice"]);
    // A port nobody listens on: bind one, then free it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = o.doctor(&["--api-base", &format!("http://127.0.0.1:{port}")], &token);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(6), "{report}{}", stderr(&out));
    // The stored key still checks the signature offline; the rest needs the API.
    assert!(line(&report, "token").contains("stored key"), "{report}");
    assert!(line(&report, "login").contains("could not open a session"));
    for title in ["application key", "user", "server clock", "login"] {
        assert!(line(&report, title).starts_with("? "), "{report}");
    }
    assert!(line(&report, "application key").contains("could not connect"));
    assert!(line(&report, "user").contains("not tried"), "{report}");
    assert_one_error(&out, "the application key check could not run");
}

#[test]
fn a_malformed_api_answer_is_said_not_panicked_on() {
    let o = Onboarded::new();
    let token = o.token(&["alice"]);
    let base = garbage_server();
    let out = o.doctor(&["--api-base", &base], &token);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}{}", stderr(&out));
    let app = line(&report, "application key");
    assert!(app.starts_with("? "), "{report}");
    assert!(app.contains("cannot read"), "{report}");
    let login = line(&report, "login");
    assert!(login.starts_with("? "), "{report}");
    assert!(login.contains("did not switch to a websocket"), "{report}");
    assert_one_error(&out, "the application key check could not run");
}

/// A server on 127.0.0.1 that answers every request 200 with a body that is not JSON.
fn garbage_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 8192];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\nConnection: close\r\n\r\nnot json",
            );
        }
    });
    base
}

#[test]
fn without_a_current_application_the_token_names_its_own() {
    // A developer's token checked from a home that has the account but no application.
    let o = Onboarded::new();
    let token = o.token(&["alice"]);
    let dir = tempfile::tempdir().unwrap();
    let other: &Path = &dir.path().join("home");
    support::run_ok(
        o.sandbox
            .cmd(other)
            .args([
                "setup",
                "--api-key",
                &o.sandbox.api_key,
                "--secret-store",
                "file",
            ])
            .env("VONAGE_API_SECRET", &o.sandbox.api_secret),
    );
    let out = o
        .sandbox
        .cmd(other)
        .args(["token", "doctor"])
        .write_stdin(token)
        .output()
        .unwrap();
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{report}{}", stderr(&out));
    assert!(line(&report, "token").starts_with("✓ "), "{report}");
    assert!(
        line(&report, "application key").starts_with("✓ "),
        "{report}"
    );
    let user = line(&report, "user");
    assert!(user.starts_with("? "), "{report}");
    assert!(user.contains("no private key"), "{report}");
    assert_one_error(&out, "the user check could not run");
}
