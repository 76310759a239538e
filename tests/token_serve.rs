//! `token serve` as a developer runs it: the real binary as a process, for an application
//! and users made through the binary against `vonage-onboard sandbox`; its answers over HTTP.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::time::Duration;

use serde_json::Value;

use support::serve::{Answer, ServeWorld, body_call, call, get};
use support::{TokenServeProcess, run_ok};

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

/// `GET /token/USER` with the key in the header.
fn token_of(served: &TokenServeProcess, user: &str, query: &str) -> Answer {
    let auth = bearer(&served.key);
    get(
        &format!("{}/token/{user}{query}", served.url),
        &[("Authorization", &auth)],
    )
}

fn client_sdk_minimal_acl() -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/acl/client-sdk-minimal.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn tokens_verify_carry_the_recipe_and_each_is_fresh() {
    let world = ServeWorld::new();
    // alice's remembered recipe: 5 minutes, the minimal ACL.
    run_ok(world.cmd().args([
        "token",
        "alice",
        "--ttl",
        "5m",
        "--acl",
        "client-sdk-minimal",
    ]));
    let served = world.serve(&[]);
    assert!(
        served.url.starts_with("http://127.0.0.1:"),
        "{}",
        served.url
    );
    assert!(served.key.len() >= 22, "a key of at least 128 bits");

    let index = get(&served.url, &[("Authorization", &bearer(&served.key))]);
    assert_eq!(index.status, 200, "{index:?}");
    assert_eq!(index.json()["application_id"], world.app_id.as_str());
    assert_eq!(index.json()["users"], serde_json::json!(["alice"]));

    let first = token_of(&served, "alice", "");
    assert_eq!(first.status, 200, "{first:?}");
    assert!(
        first
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(first.header("cache-control"), Some("no-store"));
    let body = first.json();
    let mut fields: Vec<&String> = body.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "application_id",
            "exp",
            "expires_at",
            "token",
            "ttl",
            "user"
        ]
    );
    assert_eq!(body["user"], "alice");
    assert_eq!(body["application_id"], world.app_id.as_str());
    assert_eq!(body["ttl"], 300);
    let claims = world.verified(body["token"].as_str().unwrap());
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["exp"], body["exp"]);
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        300
    );
    assert_eq!(claims["acl"], client_sdk_minimal_acl());
    let exp = body["exp"].as_u64().unwrap();
    assert_eq!(
        body["expires_at"].as_str().unwrap(),
        vonage_onboard::clock::rfc3339(exp)
    );

    let second = world.verified(
        token_of(&served, "alice", "").json()["token"]
            .as_str()
            .unwrap(),
    );
    assert_ne!(claims["jti"], second["jti"], "two calls, two jti");

    // ?ttl= replaces the recipe's lifetime for this token; ?key= works as the header does.
    let longer = get(
        &format!("{}/token/alice?ttl=2h&key={}", served.url, served.key),
        &[],
    );
    assert_eq!(longer.status, 200, "{longer:?}");
    assert_eq!(longer.json()["ttl"], 7200);
    let longer_claims = world.verified(longer.json()["token"].as_str().unwrap());
    assert_eq!(
        longer_claims["exp"].as_u64().unwrap() - longer_claims["iat"].as_u64().unwrap(),
        7200
    );
    assert_eq!(longer_claims["acl"], client_sdk_minimal_acl());

    // ?format=jwt: the bare token.
    let bare = token_of(&served, "alice", "?format=jwt");
    assert_eq!(bare.status, 200);
    assert!(
        bare.header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(world.verified(&bare.body)["sub"], "alice");

    // One line per served token on stdout, naming the user and the expiry, never the token.
    let lines: Vec<String> = (0..4)
        .map(|_| {
            served
                .process
                .next_line(Duration::from_secs(5))
                .expect("a line per served token")
        })
        .collect();
    for line in &lines {
        assert!(line.starts_with("served: alice until "), "{line}");
        assert!(!line.contains("eyJ"), "a token on stdout: {line}");
    }
    assert!(
        lines[0].contains(&vonage_onboard::clock::rfc3339(exp)),
        "{}",
        lines[0]
    );
    let log = served.process.log();
    assert!(
        !log.contains("eyJ") && !log.contains(&served.key[4..]),
        "{log}"
    );
}

#[test]
fn every_refusal_has_its_status_and_a_json_error() {
    let world = ServeWorld::new();
    let served = world.serve(&[]);
    let url = |path: &str| format!("{}{path}", served.url);
    let auth = bearer(&served.key);
    let with_key = [("Authorization", auth.as_str())];

    get(&url("/token/alice"), &[]).assert_refused(401, "no access key");
    let wrong = get(
        &url("/token/alice"),
        &[("Authorization", "Bearer not-the-key")],
    );
    wrong.assert_refused(401, "wrong access key");
    assert_eq!(wrong.header("www-authenticate"), Some("Bearer"));
    get(&url("/token/alice?key=not-the-key"), &[]).assert_refused(401, "wrong access key");
    // One character short is still wrong.
    let short = &served.key[..served.key.len() - 1];
    get(&url(&format!("/token/alice?key={short}")), &[]).assert_refused(401, "wrong");
    get(&url("/"), &[]).assert_refused(401, "no access key");
    assert_eq!(get(&url(&format!("/?key={}", served.key)), &[]).status, 200);

    get(&url("/token/mallory"), &with_key).assert_refused(404, "--any-user");
    get(&url("/token/alice?ttl=5"), &with_key).assert_refused(400, "at least 30 s");
    get(&url("/token/alice?ttl=25h"), &with_key).assert_refused(400, "24 h");
    get(&url("/token/alice?ttl=soon"), &with_key).assert_refused(400, "not a duration");
    get(&url("/token/USR-1"), &with_key).assert_refused(400, "USR-");
    get(&url("/token/a%07b"), &with_key).assert_refused(400, "control character");
    get(&url("/token/%20alice"), &with_key).assert_refused(400, "space");
    get(&url("/token/alice?format=xml"), &with_key).assert_refused(400, "format");
    get(&url("/nothing/here"), &with_key).assert_refused(404, "no such path");
    let post = call("POST", &url("/token/alice"), &with_key);
    post.assert_refused(405, "only GET");
    let head = call("HEAD", &url("/token/alice"), &with_key);
    assert_eq!(head.status, 405, "{head:?}");
    // A body is read only up to its bound.
    let big = body_call(&url("/token/alice"), &auth, 16 * 1024);
    big.assert_refused(413, "no request body");
    // Nothing above minted a token.
    assert!(
        served
            .process
            .next_line(Duration::from_millis(300))
            .is_none(),
        "a refused request was served"
    );
    // The key is checked before anything is said about users or paths.
    get(&url("/token/mallory"), &[]).assert_refused(401, "no access key");
    get(&url("/nothing/here"), &[]).assert_refused(401, "no access key");
}

#[test]
fn a_user_created_while_serving_is_served_and_any_user_serves_any_valid_name() {
    let world = ServeWorld::new();
    let served = world.serve(&[]);
    token_of(&served, "bob", "").assert_refused(404, "bob");
    run_ok(world.cmd().args(["user", "create", "bob"]));
    let bob = token_of(&served, "bob", "");
    assert_eq!(bob.status, 200, "{bob:?}");
    assert_eq!(
        world.verified(bob.json()["token"].as_str().unwrap())["sub"],
        "bob"
    );
    let index = get(&format!("{}/?key={}", served.url, served.key), &[]);
    assert_eq!(index.json()["users"], serde_json::json!(["alice", "bob"]));

    let any = world.serve(&["--any-user"]);
    assert_ne!(any.key, served.key, "a fresh key per run");
    let stranger = token_of(&any, "zoe", "");
    assert_eq!(stranger.status, 200, "{stranger:?}");
    let claims = world.verified(stranger.json()["token"].as_str().unwrap());
    assert_eq!(claims["sub"], "zoe");
    assert_eq!(stranger.json()["ttl"], 86_400, "the default recipe");
    token_of(&any, "USR-9", "").assert_refused(400, "USR-");
    // The first server's key opens nothing on the second.
    get(
        &format!("{}/token/zoe", any.url),
        &[("Authorization", &bearer(&served.key))],
    )
    .assert_refused(401, "wrong access key");
}

#[test]
fn names_with_invisible_or_bidi_characters_are_neither_created_nor_served() {
    let world = ServeWorld::new();
    // A right-to-left override makes "admin\u{202E}gpj" print as something else.
    let out = world
        .cmd()
        .args(["user", "create", "ad\u{202E}min"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("contains U+202E (an invisible right-to-left override)"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{202E}'), "printed raw: {stderr:?}");

    let any = world.serve(&["--any-user"]);
    for (path, code) in [
        ("ad%E2%80%AEmin", "U+202E"),
        ("ali%E2%80%8Bce", "U+200B"),
        ("a%E2%81%A6b", "U+2066"),
        ("%EF%BB%BFalice", "U+FEFF"),
    ] {
        token_of(&any, path, "").assert_refused(400, &format!("contains {code} (an invisible "));
    }
    assert!(
        any.process.next_line(Duration::from_millis(300)).is_none(),
        "no served: line for a refused name: {}",
        any.process.log()
    );
}

#[test]
fn refusals_quote_names_for_a_shell_and_never_echo_a_long_one_whole() {
    let world = ServeWorld::new();
    let served = world.serve(&[]);
    for (path, hint) in [
        ("a%20b", "create it (vonage-onboard user create 'a b')"),
        ("it's", r"create it (vonage-onboard user create 'it'\''s')"),
        ("%24(id)", "create it (vonage-onboard user create '$(id)')"),
        ("-x", "create it (vonage-onboard user create -- -x)"),
        ("bob", "create it (vonage-onboard user create bob)"),
    ] {
        token_of(&served, path, "").assert_refused(404, hint);
    }
    // 10 KB of name (or of a query value): the refusal quotes 40 characters, then "…".
    let long = "x".repeat(10_000);
    let cut = format!("\"{}\"…", "x".repeat(40));
    for (path, query) in [
        (long.as_str(), String::new()),
        ("alice", format!("?format={long}")),
        ("alice", format!("?ttl={long}")),
    ] {
        let answer = token_of(&served, path, &query);
        assert_eq!(
            answer.status,
            400,
            "{}",
            &answer.body[..200.min(answer.body.len())]
        );
        let error = answer.json()["error"].as_str().unwrap().to_owned();
        let start: String = error.chars().take(200).collect();
        assert!(error.len() < 300, "{} bytes: {start}", error.len());
        assert!(error.contains(&cut), "{error}");
    }
}

#[test]
fn with_json_the_banner_and_each_served_line_are_json_lines() {
    let world = ServeWorld::new();
    let process = support::process::Background::spawn(world.serve_command(&["--json"]));
    let line = |what: &str| {
        let line = process
            .next_line(Duration::from_secs(15))
            .unwrap_or_else(|| panic!("no {what} line; stderr: {}", process.log()));
        let value: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("{what} is not one JSON line ({e}): {line:?}"));
        value
    };
    let banner = line("banner");
    let mut fields: Vec<&String> = banner.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["application_id", "key", "url"]);
    assert_eq!(banner["application_id"], world.app_id.as_str());
    let url = banner["url"].as_str().unwrap();
    let key = banner["key"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let answer = get(
        &format!("{url}/token/alice?ttl=10m"),
        &[("Authorization", &bearer(key))],
    );
    assert_eq!(answer.status, 200, "{}", answer.status);
    let served = line("served");
    let exp = answer.json()["exp"].as_u64().unwrap();
    assert_eq!(
        served,
        serde_json::json!({
            "served": "alice",
            "exp": exp,
            "expires_at": vonage_onboard::clock::rfc3339(exp),
            "ttl": 600,
        })
    );
    // The people's notes stay on stderr, out of the JSON Lines.
    assert!(
        process.log().contains("Serving tokens"),
        "{}",
        process.log()
    );
}

#[test]
fn cors_for_loopback_and_listed_origins_and_403_for_others() {
    let world = ServeWorld::new();
    let served = world.serve(&["--allow-origin", "https://App.Example.com"]);
    let auth = bearer(&served.key);
    let token_url = format!("{}/token/alice", served.url);
    for origin in [
        "http://localhost:5173",
        "http://127.0.0.1:8080",
        "http://[::1]:3000",
        "https://app.example.com",
    ] {
        let answer = get(&token_url, &[("Authorization", &auth), ("Origin", origin)]);
        assert_eq!(answer.status, 200, "{origin}: {answer:?}");
        assert_eq!(answer.header("access-control-allow-origin"), Some(origin));
        assert_eq!(answer.header("vary"), Some("Origin"));
        // A refusal to an allowed origin is readable by its page too.
        let refused = get(&token_url, &[("Origin", origin)]);
        assert_eq!(refused.status, 401);
        assert_eq!(refused.header("access-control-allow-origin"), Some(origin));

        let preflight = call(
            "OPTIONS",
            &token_url,
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "authorization"),
            ],
        );
        assert_eq!(preflight.status, 204, "{origin}: {preflight:?}");
        assert_eq!(
            preflight.header("access-control-allow-origin"),
            Some(origin)
        );
        assert_eq!(
            preflight.header("access-control-allow-methods"),
            Some("GET")
        );
        assert!(
            preflight
                .header("access-control-allow-headers")
                .unwrap()
                .eq_ignore_ascii_case("authorization")
        );
        assert_eq!(preflight.header("vary"), Some("Origin"));
    }
    for origin in [
        "http://evil.example",
        "https://localhost:5173",
        "http://127.0.0.2:8080",
        "http://app.example.com",
        "null",
    ] {
        for answer in [
            get(&token_url, &[("Authorization", &auth), ("Origin", origin)]),
            call(
                "OPTIONS",
                &token_url,
                &[("Origin", origin), ("Access-Control-Request-Method", "GET")],
            ),
        ] {
            answer.assert_refused(403, "origin");
            let cors: Vec<_> = answer
                .headers
                .keys()
                .filter(|k| k.as_str().starts_with("access-control-"))
                .collect();
            assert!(cors.is_empty(), "{origin}: CORS headers {cors:?}");
        }
    }
    // No Origin (curl, a backend): served, without CORS headers.
    let plain = get(&token_url, &[("Authorization", &auth)]);
    assert_eq!(plain.status, 200);
    assert!(plain.header("access-control-allow-origin").is_none());
    // Every answer depends on the Origin header, so every one says so (a cache must not give
    // the no-Origin answer to a page, or one origin's to another): refusals too.
    let index = format!("{}/", served.url);
    let nowhere = format!("{}/nowhere", served.url);
    for (answer, what) in [
        (plain, "200 without Origin"),
        (get(&token_url, &[]), "401 without Origin"),
        (get(&index, &[("Authorization", &auth)]), "index"),
        (get(&nowhere, &[("Authorization", &auth)]), "404"),
        (call("POST", &token_url, &[("Authorization", &auth)]), "405"),
        (get(&token_url, &[("Origin", "http://evil.example")]), "403"),
    ] {
        assert_eq!(
            answer.header("vary"),
            Some("Origin"),
            "{what}: {} {:?}",
            answer.status,
            answer.headers
        );
    }
}

#[test]
fn ctrl_c_and_sigterm_stop_it_cleanly() {
    let world = ServeWorld::new();
    for signal in ["-INT", "-TERM"] {
        let mut served = world.serve(&[]);
        assert_eq!(token_of(&served, "alice", "").status, 200);
        served.process.signal(signal);
        let status = served
            .process
            .exit_within(Duration::from_secs(10))
            .unwrap_or_else(|| panic!("still running 10 s after {signal}"));
        assert!(
            status.success(),
            "{signal}: {status:?} {}",
            served.process.log()
        );
        let port = served.url.rsplit(':').next().unwrap();
        assert!(
            std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_err(),
            "the port is closed after {signal}"
        );
    }
}

#[test]
fn a_non_loopback_bind_warns_and_still_wants_the_key() {
    let world = ServeWorld::new();
    let served = world.serve(&["--bind", "0.0.0.0"]);
    assert!(
        served.url.starts_with("http://127.0.0.1:"),
        "{}",
        served.url
    );
    get(&format!("{}/token/alice", served.url), &[]).assert_refused(401, "no access key");
    assert_eq!(token_of(&served, "alice", "").status, 200);
    let warned = support::eventually(Duration::from_secs(5), || {
        served
            .process
            .log()
            .contains("warning: token serve listens on 0.0.0.0")
    });
    assert!(warned, "{}", served.process.log());

    // Loopback however it is written, an IPv4-mapped IPv6 address too: no warning (its
    // last line, "Serving tokens", is printed after where the warning would be).
    for bind in [
        None,
        Some("::1"),
        Some("::ffff:127.0.0.1"),
        Some("127.0.0.2"),
    ] {
        let flags: Vec<&str> = bind.map(|b| vec!["--bind", b]).unwrap_or_default();
        let quiet = world.serve(&flags);
        assert_eq!(token_of(&quiet, "alice", "").status, 200, "{bind:?}");
        let started = support::eventually(Duration::from_secs(5), || {
            quiet.process.log().contains("Serving tokens")
        });
        assert!(started, "{bind:?}: {}", quiet.process.log());
        assert!(
            !quiet.process.log().contains("warning"),
            "{bind:?}: {}",
            quiet.process.log()
        );
    }
}

#[test]
fn bad_flags_are_refused_in_one_sentence_with_exit_2() {
    let home = tempfile::tempdir().unwrap();
    for (flags, words) in [
        (&["--port", "http"][..], "is not a port"),
        (&["--port", "70000"], "is not a port"),
        (&["--bind", "localhost:80"], "is not an IP address"),
        (&["--allow-origin", "example.com"], "has no scheme"),
        (&["--allow-origin", "http://example.com/app"], "has no path"),
        (
            &["--allow-origin", "ftp://example.com"],
            "only http and https",
        ),
        (&["--allow-origin", "*"], "is not an origin"),
    ] {
        let out = support::app_cmd(home.path())
            .args(["token", "serve"])
            .args(flags)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains(words), "{flags:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{flags:?}: nothing served");
    }
    // Without an application there is nothing to sign with.
    let out = assert_cmd::Command::cargo_bin("vonage-onboard")
        .unwrap()
        .env_clear()
        .env("VONAGE_ONBOARD_HOME", home.path())
        .args(["token", "serve"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no current application"));
}
