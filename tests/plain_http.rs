//! No secret over plain HTTP, as a user meets it with the real binary: an `http://` API base
//! on another machine is refused (exit 2) before any connection, from the flag, the
//! environment, a stored profile and after an import; loopback bases keep working;
//! `--allow-insecure-http` warns on every run; a redirect is never followed.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;

use support::{run_ok, start_sandbox};

/// The fix the refusal must name, word for word.
const FIX: &str = "use https://, or --allow-insecure-http if this really is a test server on a network you control";
/// A host that never resolves: reaching the network would end in exit 6, not 2.
const REMOTE: &str = "http://api.example.invalid";
const WARNING: &str = "warning: --allow-insecure-http";
const APP_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";

/// The binary with a clean environment, a home of its own and credentials in the environment.
fn cmd(home: &Path) -> Command {
    let mut c = Command::cargo_bin("vonage-onboard").unwrap();
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.join("me"))
        .env("VONAGE_ONBOARD_HOME", home.join("store"))
        .env("VONAGE_API_KEY", "abcd1234")
        .env("VONAGE_API_SECRET", "s3cr3t-plain");
    c
}

/// Runs `c`, insists on exit 2 with the refusal (naming `base`), and returns stderr.
fn refused(c: &mut Command, base: &str) -> String {
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(FIX), "{stderr}");
    assert!(stderr.contains("clear text"), "{stderr}");
    assert!(stderr.contains(base), "{stderr}");
    assert!(!stderr.contains(WARNING), "{stderr}");
    assert!(!stderr.contains("s3cr3t-plain"), "{stderr}");
    stderr
}

/// Every file under `dir`, with its contents, to show a refused run changed nothing.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(snapshot(&path));
            } else if path.file_name().is_some_and(|n| n != "vonage-onboard.log") {
                files.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn a_plain_http_base_from_the_flag_or_the_environment_is_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");

    refused(
        cmd(dir.path()).args(["--api-base", REMOTE, "setup", "--api-key", "abcd1234"]),
        REMOTE,
    );
    refused(
        cmd(dir.path())
            .env("VONAGE_API_BASE", "http://10.1.2.3:8080/")
            .args(["setup"]),
        "http://10.1.2.3:8080",
    );
    refused(
        cmd(dir.path())
            .env("VONAGE_API_BASE", REMOTE)
            .args(["app", "list"]),
        REMOTE,
    );
    refused(
        cmd(dir.path())
            .env("VONAGE_API_BASE", REMOTE)
            .args(["--json", "app", "create", "demo"]),
        REMOTE,
    );
    // The override switched off explicitly is no override.
    refused(
        cmd(dir.path())
            .env("VONAGE_ALLOW_INSECURE_HTTP", "0")
            .args(["--api-base", REMOTE, "app", "list"]),
        REMOTE,
    );
    assert!(
        !store.join("credentials.toml").exists() && !store.join("config.toml").exists(),
        "a refused setup stored something"
    );
    assert!(!store.join("profiles").exists(), "a key was generated");
}

#[test]
fn a_stored_profile_with_a_plain_http_base_is_refused_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir_all(&store).unwrap();
    let config = store.join("config.toml");
    std::fs::write(
        &config,
        format!("[profiles.default]\napi_key = \"abcd1234\"\napi_base = \"{REMOTE}/\"\n"),
    )
    .unwrap();
    let before = snapshot(&store);

    let stderr = refused(cmd(dir.path()).args(["setup"]), REMOTE);
    assert!(stderr.contains("config.toml"), "{stderr}");
    assert!(stderr.contains("\"default\""), "{stderr}");
    refused(cmd(dir.path()).args(["app", "list"]), REMOTE);
    assert_eq!(snapshot(&store), before, "a refused run changed the store");

    // An https base given for this run wins over the stored one; a loopback one too. Both
    // then fail to connect (exit 6): the refusal is about the stored base only.
    let out = cmd(dir.path())
        .args(["--api-base", "http://127.0.0.1:9", "app", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{out:?}");
}

#[test]
fn imported_credentials_never_go_to_a_stored_plain_http_base() {
    let dir = tempfile::tempdir().unwrap();
    let (user_home, store) = (dir.path().join("me"), dir.path().join("store"));
    std::fs::create_dir_all(&user_home).unwrap();
    std::fs::create_dir_all(&store).unwrap();
    // The profile was pointed at a plain-http host earlier (or its file copied from elsewhere).
    std::fs::write(
        store.join("config.toml"),
        format!("[profiles.default]\napi_base = \"{REMOTE}\"\n"),
    )
    .unwrap();
    std::fs::write(
        user_home.join(".nexmorc"),
        "[credentials]\napi_key=feed5678\napi_secret=s3cr3t-imported\n",
    )
    .unwrap();
    let pem = include_str!("fixtures/test-key-pkcs1.pem").replace('\n', "\\n");
    std::fs::write(
        user_home.join(".nexmo-app"),
        format!("[app_config]\napp_id={APP_ID}\nprivate_key={pem}\n"),
    )
    .unwrap();
    // `import` only reads files (the other CLIs' formats carry no API base) and sends nothing.
    let mut import = cmd(dir.path());
    import
        .env_remove("VONAGE_API_KEY")
        .env_remove("VONAGE_API_SECRET")
        .current_dir(&user_home)
        .args(["import", "--from", "nexmo"]);
    run_ok(&mut import);
    let config = std::fs::read_to_string(store.join("config.toml")).unwrap();
    assert!(
        config.contains("feed5678") && config.contains(APP_ID),
        "{config}"
    );
    let before = snapshot(&store);

    for args in [
        &["app", "list"][..],
        &["user", "list"],
        &["user", "create", "alice"],
    ] {
        let mut c = cmd(dir.path());
        c.env_remove("VONAGE_API_KEY")
            .env_remove("VONAGE_API_SECRET")
            .args(args);
        let stderr = refused(&mut c, REMOTE);
        assert!(!stderr.contains("s3cr3t-imported"), "{stderr}");
    }
    assert_eq!(snapshot(&store), before, "a refused run changed the store");
}

#[test]
fn loopback_http_bases_keep_working_without_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(dir.path(), &[]);
    let port = sandbox.url.rsplit(':').next().unwrap().to_owned();
    for (i, base) in [
        sandbox.url.clone(),
        format!("http://localhost:{port}"),
        format!("http://LOCALHOST:{port}/"),
    ]
    .iter()
    .enumerate()
    {
        let home = dir.path().join(format!("h{i}"));
        let mut c = cmd(&home);
        c.env("VONAGE_API_KEY", &sandbox.api_key)
            .env("VONAGE_API_SECRET", &sandbox.api_secret)
            .env("VONAGE_API_BASE", base)
            .args(["--json", "setup"]);
        let out = run_ok(&mut c);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("warning"), "{base}: {stderr}");
        assert!(home.join("store/credentials.toml").exists(), "{base}");
    }

    // The override on a loopback base is not "used": no warning, and the profile never
    // remembers it.
    let home = dir.path().join("override");
    let mut c = cmd(&home);
    c.env("VONAGE_API_KEY", &sandbox.api_key)
        .env("VONAGE_API_SECRET", &sandbox.api_secret)
        .args(["--allow-insecure-http", "--api-base", &sandbox.url, "setup"]);
    let out = run_ok(&mut c);
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains(WARNING),
        "{out:?}"
    );
    let config = std::fs::read_to_string(home.join("store/config.toml")).unwrap();
    assert!(!config.contains("insecure"), "{config}");
}

#[test]
fn the_override_lets_a_plain_http_base_through_and_warns_on_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let runs: [(&[&str], Option<&str>); 3] = [
        (
            &["--allow-insecure-http", "--api-base", REMOTE, "app", "list"],
            None,
        ),
        (&["--api-base", REMOTE, "app", "list"], Some("1")),
        (&["--api-base", REMOTE, "--json", "setup"], Some("yes")),
    ];
    for (args, env) in runs {
        let mut c = cmd(dir.path());
        if let Some(value) = env {
            c.env("VONAGE_ALLOW_INSECURE_HTTP", value);
        }
        let out = c.args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Past the refusal: the .invalid host does not resolve, so the network fails.
        assert_eq!(out.status.code(), Some(6), "{args:?}: {stderr}");
        assert!(!stderr.contains(FIX), "{stderr}");
        let warning = stderr
            .lines()
            .find(|l| l.starts_with(WARNING))
            .unwrap_or_else(|| panic!("no warning: {stderr}"));
        assert!(
            warning.contains(REMOTE) && warning.contains("clear text"),
            "{warning}"
        );
        assert_eq!(stderr.matches(WARNING).count(), 1, "{stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains(WARNING));
    }
    assert!(
        !store.join("credentials.toml").exists(),
        "a failed setup stored the pair"
    );

    let out = cmd(dir.path())
        .env("VONAGE_ALLOW_INSECURE_HTTP", "maybe")
        .args(["--api-base", REMOTE, "app", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

/// What the redirecting server saw: each request's path and whether it carried credentials.
type Seen = Arc<Mutex<Vec<(String, bool)>>>;

/// A server on 127.0.0.1 that answers 301 to every path outside `/moved`, pointing at
/// `target(port)`, and records every request.
fn redirecting_server(
    runtime: &tokio::runtime::Runtime,
    target: fn(u16) -> String,
) -> (String, Seen) {
    use axum::http::{HeaderMap, StatusCode, Uri, header};
    let seen: Seen = Arc::default();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let record = seen.clone();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
        let record = record.clone();
        async move {
            let path = uri.path().to_owned();
            let authorized = headers.contains_key(header::AUTHORIZATION);
            record.lock().unwrap().push((path.clone(), authorized));
            if path.starts_with("/moved") {
                (StatusCode::OK, HeaderMap::new(), "{\"total_items\":0}")
            } else {
                let mut h = HeaderMap::new();
                h.insert(
                    header::LOCATION,
                    format!("{}{path}?key=x", target(port)).parse().unwrap(),
                );
                (StatusCode::MOVED_PERMANENTLY, h, "")
            }
        }
    });
    runtime.spawn(async move { axum::serve(listener, app).await });
    (format!("http://127.0.0.1:{port}"), seen)
}

#[test]
fn a_redirect_is_never_followed_with_the_credentials() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Same host and port (a client that follows would keep the Authorization header), and a
    // plain-http host elsewhere.
    let targets: [fn(u16) -> String; 2] = [
        |port| format!("http://127.0.0.1:{port}/moved"),
        |_| format!("{REMOTE}/moved"),
    ];
    for target in targets {
        let (base, seen) = redirecting_server(&runtime, target);
        for args in [&["app", "list"][..], &["setup"]] {
            seen.lock().unwrap().clear();
            let out = cmd(dir.path())
                .args(["--api-base", &base])
                .args(args)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(stderr.contains("301"), "{stderr}");
            assert!(stderr.contains("does not follow"), "{stderr}");
            assert!(stderr.contains("/moved"), "{stderr}");
            assert!(!stderr.contains("key=x"), "the query was shown: {stderr}");
            let seen = seen.lock().unwrap().clone();
            assert!(!seen.is_empty(), "the server saw nothing");
            assert!(
                seen.iter().all(|(path, _)| !path.starts_with("/moved")),
                "the redirect was followed: {seen:?}"
            );
            assert!(
                seen[0].1,
                "the first request carried no credentials: {seen:?}"
            );
        }
    }
    assert!(!dir.path().join("store/credentials.toml").exists());
}
