//! The network commands as a user runs them: the real binary against `vonage-onboard sandbox`
//! started by the test, with `--json`, exit codes and file modes checked.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

use support::{SandboxProcess, run_ok, start_sandbox as start_sandbox_in};

fn start_sandbox(extra: &[&str]) -> SandboxProcess {
    start_sandbox_in(&std::env::temp_dir(), extra)
}

/// The binary with a clean environment pointed at the sandbox.
fn cmd(home: &Path, sandbox: &SandboxProcess) -> Command {
    let mut c = Command::cargo_bin("vonage-onboard").unwrap();
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("VONAGE_ONBOARD_HOME", home)
        .env("VONAGE_API_BASE", &sandbox.url);
    c
}

fn json_of(c: &mut Command) -> Value {
    let out = run_ok(c);
    assert!(!out.stdout.contains(&0x1b), "escape bytes in --json output");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_new_user_goes_from_setup_to_a_token_the_sandbox_accepts() {
    let sandbox = start_sandbox(&[]);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");

    // A wrong secret stores nothing and exits 3.
    cmd(&home, &sandbox)
        .args(["setup", "--api-key", &sandbox.api_key, "--api-secret-stdin"])
        .write_stdin("wrong-secret\n")
        .assert()
        .code(3);
    assert!(!home.join("credentials.toml").exists());
    assert!(!home.join("config.toml").exists());

    let setup = json_of(
        cmd(&home, &sandbox)
            .args(["--json", "setup", "--api-key", &sandbox.api_key])
            .env("VONAGE_API_SECRET", &sandbox.api_secret),
    );
    assert_eq!(setup["api_key"], sandbox.api_key.as_str());
    assert_eq!(mode(&home.join("credentials.toml")), 0o600);
    assert_eq!(mode(&home), 0o700);
    let config = std::fs::read_to_string(home.join("config.toml")).unwrap();
    assert!(
        !config.contains(&sandbox.api_secret),
        "the secret leaked into config.toml"
    );

    let app = json_of(cmd(&home, &sandbox).args([
        "--json",
        "app",
        "create",
        "demo",
        "--rtc-event-url",
        "https://example.com/rtc",
    ]));
    let key_path = Path::new(app["private_key_path"].as_str().unwrap()).to_path_buf();
    assert_eq!(mode(&key_path), 0o600);
    assert_eq!(mode(key_path.parent().unwrap()), 0o700);

    let user = json_of(cmd(&home, &sandbox).args(["--json", "user", "create", "alice"]));
    assert!(user["id"].as_str().unwrap().starts_with("USR-"));
    cmd(&home, &sandbox)
        .args(["user", "create", "alice"])
        .assert()
        .code(5);

    let token = cmd(&home, &sandbox)
        .args(["token", "alice"])
        .output()
        .unwrap();
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap();
    let token = token.trim();

    // The sandbox accepts the token for a path its ACL allows.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{}/v1/users/alice", sandbox.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);

    let users = json_of(cmd(&home, &sandbox).args(["--json", "user", "list"]));
    assert_eq!(users["users"][0]["name"], "alice");
    let apps = json_of(cmd(&home, &sandbox).args(["--json", "app", "list"]));
    assert_eq!(apps["applications"][0]["current"], true);
    cmd(&home, &sandbox)
        .args(["app", "show", "11111111-2222-4333-8444-555555555555"])
        .assert()
        .code(4);
    cmd(&home, &sandbox)
        .args(["user", "show", "nobody"])
        .assert()
        .code(4);

    // Deleting without a terminal needs --yes.
    cmd(&home, &sandbox)
        .args(["user", "delete", "alice"])
        .assert()
        .code(2);
    cmd(&home, &sandbox)
        .args(["user", "delete", "alice", "--yes"])
        .assert()
        .success();
}

#[test]
fn local_validation_and_network_errors_have_their_exit_codes() {
    let sandbox = start_sandbox(&[]);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let with_creds = |c: &mut Command| {
        c.env("VONAGE_API_KEY", &sandbox.api_key)
            .env("VONAGE_API_SECRET", &sandbox.api_secret);
    };
    let mut c = cmd(&home, &sandbox);
    with_creds(&mut c);
    c.args([
        "app",
        "create",
        "demo",
        "--rtc-event-url",
        "example.com/rtc",
    ])
    .assert()
    .code(2);
    assert!(
        !home.join("profiles").exists(),
        "no key generated for a refused spec"
    );

    let mut c = cmd(&home, &sandbox);
    with_creds(&mut c);
    let assert = c
        .env("VONAGE_API_BASE", "http://127.0.0.1:9")
        .args(["app", "list"])
        .assert()
        .code(6);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("connect"), "{err}");

    let mut c = cmd(&home, &sandbox);
    c.env("VONAGE_API_BASE", "not a url")
        .args(["app", "list"])
        .assert()
        .code(2);
    let mut c = cmd(&home, &sandbox);
    c.args(["app", "list"]).assert().code(2); // no credentials anywhere
}

#[test]
fn a_dropped_create_answer_is_reconciled_through_the_cli() {
    let sandbox = start_sandbox(&["--fault", "POST /v2/applications drop x1"]);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let mut c = cmd(&home, &sandbox);
    c.env("VONAGE_API_KEY", &sandbox.api_key)
        .env("VONAGE_API_SECRET", &sandbox.api_secret);
    let app = json_of(c.args(["--json", "app", "create", "demo"]));
    assert_eq!(app["reconciled"], true);
    let mut c = cmd(&home, &sandbox);
    c.env("VONAGE_API_KEY", &sandbox.api_key)
        .env("VONAGE_API_SECRET", &sandbox.api_secret);
    let apps = json_of(c.args(["--json", "app", "list"]));
    assert_eq!(apps["applications"].as_array().unwrap().len(), 1);
}

#[test]
fn the_wizard_without_a_terminal_points_at_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let assert = Command::cargo_bin("vonage-onboard")
        .unwrap()
        .env_clear()
        .env("VONAGE_ONBOARD_HOME", dir.path())
        .arg("--sandbox")
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("vonage-onboard setup"), "{err}");
}

#[test]
fn the_log_file_records_calls_but_never_a_secret_or_token() {
    let sandbox = start_sandbox(&[]);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let run = |args: &[&str]| {
        let mut c = cmd(&home, &sandbox);
        c.env("VONAGE_ONBOARD_LOG", "trace")
            .env("VONAGE_API_KEY", &sandbox.api_key)
            .env("VONAGE_API_SECRET", &sandbox.api_secret)
            .args(args)
            .assert()
            .success();
    };
    run(&["setup"]);
    run(&[
        "app",
        "create",
        "logged",
        "--rtc-event-url",
        "https://example.com/rtc",
    ]);
    run(&["user", "create", "alice"]);
    run(&["token", "alice"]);
    run(&["user", "list"]);
    let log_path = home.join("vonage-onboard.log");
    assert_eq!(mode(&log_path), 0o600);
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("vonage call")
            && log.contains("/v2/applications")
            && log.contains("/v1/users"),
        "{log}"
    );
    assert!(
        !log.contains(&sandbox.api_secret),
        "the API secret is in the log"
    );
    assert!(!log.contains("eyJ"), "a token is in the log");
    assert!(!log.contains("PRIVATE KEY"), "a private key is in the log");
    assert!(
        !log.contains("Authorization") && !log.contains("Basic "),
        "an auth header is in the log"
    );
}

#[test]
fn a_state_file_named_without_a_directory_is_written_and_lost_deletes_are_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    // A bare file name: its parent directory is "" and must be read as ".".
    let sandbox = start_sandbox_in(
        dir.path(),
        &[
            "--state",
            "state.json",
            "--fault",
            "DELETE /v2/applications drop x1",
        ],
    );
    let home = dir.path().join("home");
    let with_creds = |c: &mut Command| {
        c.env("VONAGE_API_KEY", &sandbox.api_key)
            .env("VONAGE_API_SECRET", &sandbox.api_secret);
    };
    let mut c = cmd(&home, &sandbox);
    with_creds(&mut c);
    let app = json_of(c.args(["--json", "app", "create", "demo"]));
    assert!(dir.path().join("state.json").exists());
    assert_eq!(mode(&dir.path().join("state.json")), 0o600);

    // The first DELETE is processed but its answer dropped; the retry finds nothing (404),
    // which means the delete worked: exit 0 and the profile forgets the application.
    let id = app["id"].as_str().unwrap();
    let mut c = cmd(&home, &sandbox);
    with_creds(&mut c);
    c.args(["app", "delete", id, "--yes"]).assert().success();
    let config = std::fs::read_to_string(home.join("config.toml")).unwrap();
    assert!(
        !config.contains(id),
        "the deleted application is still current: {config}"
    );
}

#[test]
fn http_method_is_accepted_in_either_case_as_the_readme_writes_it() {
    let sandbox = start_sandbox(&[]);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    for (given, sent) in [
        ("POST", "POST"),
        ("GET", "GET"),
        ("post", "POST"),
        ("Get", "GET"),
    ] {
        let mut c = cmd(&home, &sandbox);
        c.env("VONAGE_API_KEY", &sandbox.api_key)
            .env("VONAGE_API_SECRET", &sandbox.api_secret);
        let app = json_of(c.args([
            "--json",
            "app",
            "create",
            &format!("method-{given}"),
            "--answer-url",
            "https://example.com/answer",
            "--http-method",
            given,
        ]));
        let mut c = cmd(&home, &sandbox);
        c.env("VONAGE_API_KEY", &sandbox.api_key)
            .env("VONAGE_API_SECRET", &sandbox.api_secret);
        let shown = json_of(c.args(["--json", "app", "show", app["id"].as_str().unwrap()]));
        assert_eq!(
            shown["capabilities"]["voice"]["webhooks"]["answer_url"]["http_method"], sent,
            "{given}: {shown}"
        );
    }
}
