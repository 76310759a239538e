//! Killed runs and their reruns: the real binary is killed (SIGKILL) while the sandbox holds
//! the answer of a request it has processed; the rerun must finish the job without a
//! duplicate and without losing the key.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

use support::{SandboxProcess, run_ok, start_sandbox};

/// The binary with a clean environment pointed at the sandbox, with its credentials.
fn cmd(home: &Path, sandbox: &SandboxProcess) -> Command {
    let mut c = Command::cargo_bin("vonage-onboard").unwrap();
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("VONAGE_ONBOARD_HOME", home)
        .env("VONAGE_API_BASE", &sandbox.url)
        .env("VONAGE_API_KEY", &sandbox.api_key)
        .env("VONAGE_API_SECRET", &sandbox.api_secret);
    c
}

/// The same command as a child process, to be killed.
fn spawn(home: &Path, sandbox: &SandboxProcess, args: &[&str]) -> Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("vonage-onboard"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("VONAGE_ONBOARD_HOME", home)
        .env("VONAGE_API_BASE", &sandbox.url)
        .env("VONAGE_API_KEY", &sandbox.api_key)
        .env("VONAGE_API_SECRET", &sandbox.api_secret)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn json_of(c: &mut Command) -> Value {
    serde_json::from_slice(&run_ok(c).stdout).unwrap()
}

/// Polls `list` until `done` says the held request was processed, then kills the child with
/// SIGKILL (what `Child::kill` sends on Unix) while it still waits for the answer.
fn kill_once_processed(mut child: Child, mut done: impl FnMut() -> bool, sandbox: &SandboxProcess) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the command ended before it was killed; sandbox log: {}",
            sandbox.log()
        );
        assert!(
            Instant::now() < deadline,
            "the held request was never processed; sandbox log: {}",
            sandbox.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the command must still be waiting for the held answer"
    );
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );
}

fn pending_dirs(home: &Path) -> Vec<PathBuf> {
    let apps = home.join("profiles/default/apps");
    std::fs::read_dir(apps)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(".pending-")
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_create_killed_while_the_answer_is_held_is_finished_by_the_rerun_not_duplicated() {
    let sandbox = start_sandbox(
        &std::env::temp_dir(),
        &["--fault", "POST /v2/applications hold x1"],
    );
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let list = || {
        let apps = json_of(cmd(&home, &sandbox).args(["--json", "app", "list"]));
        apps["applications"].as_array().unwrap().clone()
    };

    let child = spawn(&home, &sandbox, &["app", "create", "heldapp"]);
    kill_once_processed(child, || !list().is_empty(), &sandbox);
    assert_eq!(pending_dirs(&home).len(), 1, "the key was kept as pending");
    assert!(
        !home.join("config.toml").exists()
            || !std::fs::read_to_string(home.join("config.toml"))
                .unwrap()
                .contains("current_application"),
        "the killed run cannot have recorded anything"
    );

    let rerun = json_of(cmd(&home, &sandbox).args(["--json", "app", "create", "heldapp"]));
    assert_eq!(rerun["resumed"], true, "{rerun}");
    let apps = list();
    assert_eq!(apps.len(), 1, "a duplicate was created: {apps:?}");
    let id = apps[0]["id"].as_str().unwrap();
    assert_eq!(rerun["id"], id);
    assert_eq!(apps[0]["current"], true, "the profile points at it");
    assert!(pending_dirs(&home).is_empty(), "the pending key was moved");

    // The key in place is the application's: Vonage's public key is its public half.
    let key_path = home.join(format!("profiles/default/apps/{id}/private.key"));
    assert_eq!(rerun["private_key_path"], key_path.to_str().unwrap());
    assert_eq!(
        std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let shown = json_of(cmd(&home, &sandbox).args(["--json", "app", "show", id]));
    let theirs = vonage_onboard::auth::keys::PublicKey::from_pem(
        shown["keys"]["public_key"].as_str().unwrap(),
    )
    .unwrap();
    let ours = vonage_onboard::auth::keys::PrivateKey::load(&key_path).unwrap();
    assert!(
        ours.public_key() == theirs,
        "the stored key is not the application's"
    );
    assert!(
        home.join(format!("profiles/default/apps/{id}/app.json"))
            .exists()
    );
    let config = std::fs::read_to_string(home.join("config.toml")).unwrap();
    assert!(config.contains(id), "{config}");

    // A third run with the same name now creates a second application, as asked.
    let third = json_of(cmd(&home, &sandbox).args(["--json", "app", "create", "heldapp"]));
    assert_eq!(third["resumed"], false);
    assert_eq!(list().len(), 2);
}

#[test]
fn a_user_create_killed_while_the_answer_is_held_is_not_duplicated_by_the_rerun() {
    let sandbox = start_sandbox(
        &std::env::temp_dir(),
        &["--fault", "POST /v1/users hold x1"],
    );
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    run_ok(cmd(&home, &sandbox).args(["app", "create", "users-app"]));
    let users = || {
        let list = json_of(cmd(&home, &sandbox).args(["--json", "user", "list"]));
        list["users"].as_array().unwrap().clone()
    };

    let child = spawn(&home, &sandbox, &["user", "create", "alice"]);
    kill_once_processed(child, || !users().is_empty(), &sandbox);

    // The rerun finds the name taken and names the existing user: a conflict, no second user.
    let rerun = cmd(&home, &sandbox)
        .args(["user", "create", "alice"])
        .output()
        .unwrap();
    assert_eq!(rerun.status.code(), Some(5));
    let err = String::from_utf8_lossy(&rerun.stderr);
    assert!(
        err.contains("already exists") && err.contains("USR-"),
        "{err}"
    );
    let list = users();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["name"], "alice");
    // ...and it is recorded, so a token can be minted for it.
    run_ok(cmd(&home, &sandbox).args(["token", "alice"]));
}

/// A temp file as a write killed between write and rename leaves it, `age` old.
fn plant_temp(path: &Path, age: Duration) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"token = \"eyJ-from-a-killed-write\"").unwrap();
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - age)
        .unwrap();
}

#[test]
fn temp_files_of_killed_writes_are_gone_after_the_next_write_of_their_file() {
    let sandbox = start_sandbox(&std::env::temp_dir(), &[]);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let old = Duration::from_secs(5 * 60);
    let config_temps: Vec<PathBuf> = (0..3)
        .map(|i| home.join(format!(".config.toml.tmp-killed{i}")))
        .collect();
    let state_temps: Vec<PathBuf> = (0..3)
        .map(|i| home.join(format!("profiles/default/.state.json.tmp-killed{i}")))
        .collect();
    for temp in config_temps.iter().chain(&state_temps) {
        plant_temp(temp, old);
    }
    let fresh = home.join(".config.toml.tmp-inflight");
    plant_temp(&fresh, Duration::ZERO);

    run_ok(cmd(&home, &sandbox).args(["app", "create", "temps"]));
    assert!(
        config_temps.iter().all(|t| !t.exists()),
        "config.toml's stale temps stay"
    );
    assert!(
        fresh.exists(),
        "a temp file under a minute old may be a live write"
    );
    assert!(
        state_temps.iter().all(|t| t.exists()),
        "state.json was not written yet"
    );
    run_ok(cmd(&home, &sandbox).args(["user", "create", "alice"]));
    run_ok(cmd(&home, &sandbox).args(["token", "alice"]));
    assert!(
        state_temps.iter().all(|t| !t.exists()),
        "state.json's stale temps stay"
    );
    let state = std::fs::read_to_string(home.join("profiles/default/state.json")).unwrap();
    assert!(
        !state.contains("from-a-killed-write"),
        "a temp file was read as data"
    );
}
