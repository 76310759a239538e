//! `token --copy` on an X11 display with no clipboard manager (a private Xvfb per test, read
//! back with xclip): the token stays pasteable after the command returned because a detached
//! holder serves it; a new copy or another program replaces it and the holder leaves; the
//! token never shows in the holder's argv or environment.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{XServer, app_cmd, eventually};

/// The most a copying command may take: it must not wait for its holder.
const COMMAND_LIMIT: Duration = Duration::from_secs(20);

/// `token USER --copy` on `x`'s display with stdout on a pipe: the token, and the message.
fn copy_token(home: &Path, x: &XServer, user: &str) -> (String, String) {
    let out = support::run_ok(
        app_cmd(home)
            .env("DISPLAY", &x.display)
            .args(["token", user, "--copy"])
            .timeout(COMMAND_LIMIT),
    );
    let token = String::from_utf8(out.stdout).unwrap().trim_end().to_owned();
    assert_eq!(token.split('.').count(), 3, "{token:?}");
    (token, String::from_utf8(out.stderr).unwrap())
}

#[test]
fn token_copy_stays_on_the_clipboard_after_the_command_returned() {
    let Some(x) = XServer::start() else { return };
    let home = tempfile::tempdir().unwrap();
    let (token, message) = copy_token(home.path(), &x, "alice");
    assert_eq!(message.trim_end(), "copied (kept after exit)");
    // The command has returned (its output is complete): the token is still served.
    assert_eq!(x.clipboard().as_deref(), Some(token.as_str()));
    assert_eq!(x.wait_for_holders(1, Duration::from_secs(5)).len(), 1);
}

#[test]
fn json_output_says_the_copy_is_kept() {
    let Some(x) = XServer::start() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = support::run_ok(
        app_cmd(home.path())
            .env("DISPLAY", &x.display)
            .args(["token", "alice", "--copy", "--json"])
            .timeout(COMMAND_LIMIT),
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["clipboard"], "copied (kept after exit)");
    assert_eq!(x.clipboard().as_deref(), doc["token"].as_str());
}

#[test]
fn a_second_copy_replaces_the_first_and_the_first_holder_exits() {
    let Some(x) = XServer::start() else { return };
    let home = tempfile::tempdir().unwrap();
    let (first, _) = copy_token(home.path(), &x, "alice");
    let first_holder = x.wait_for_holders(1, Duration::from_secs(5))[0];
    let (second, message) = copy_token(home.path(), &x, "bob");
    assert_ne!(first, second);
    assert_eq!(message.trim_end(), "copied (kept after exit)");
    assert_eq!(x.clipboard().as_deref(), Some(second.as_str()));
    let left = x.wait_for_holders(1, Duration::from_secs(5));
    assert!(
        !left.contains(&first_holder),
        "the first holder is still there"
    );
    assert_eq!(x.clipboard().as_deref(), Some(second.as_str()));
}

#[test]
fn no_holder_is_left_once_another_program_takes_the_selection() {
    let Some(mut x) = XServer::start() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    copy_token(home.path(), &x, "alice");
    x.wait_for_holders(1, Duration::from_secs(5));
    x.take_clipboard("something else");
    x.wait_for_holders(0, Duration::from_secs(5));
    assert_eq!(x.clipboard().as_deref(), Some("something else"));
}

#[test]
fn the_holder_leaves_after_its_lifetime_and_the_clipboard_empties() {
    let Some(x) = XServer::start() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = support::run_ok(
        app_cmd(home.path())
            .env("DISPLAY", &x.display)
            .env("VONAGE_ONBOARD_CLIPBOARD_SECONDS", "2")
            .args(["token", "alice", "--copy"])
            .timeout(COMMAND_LIMIT),
    );
    let token = String::from_utf8(out.stdout).unwrap();
    assert_eq!(x.clipboard().as_deref(), Some(token.trim_end()));
    x.wait_for_holders(0, Duration::from_secs(8));
    assert_eq!(x.clipboard(), None, "the clipboard is served by nobody now");
}

#[test]
fn the_token_is_never_in_the_holders_argv_or_environment() {
    let Some(x) = XServer::start() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = support::run_ok(
        app_cmd(home.path())
            .env("DISPLAY", &x.display)
            // A secret the parent has: it must not travel to the long-lived holder either.
            .env("VONAGE_API_SECRET", "parent-secret-123")
            .args(["token", "alice", "--copy"])
            .timeout(COMMAND_LIMIT),
    );
    let token = String::from_utf8(out.stdout).unwrap().trim_end().to_owned();
    let holder = x.wait_for_holders(1, Duration::from_secs(5))[0];
    let cmdline = std::fs::read(format!("/proc/{holder}/cmdline")).unwrap();
    let environ = std::fs::read(format!("/proc/{holder}/environ")).unwrap();
    let args: Vec<_> = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .collect();
    assert_eq!(args.len(), 2, "{:?}", String::from_utf8_lossy(&cmdline));
    assert_eq!(args[1], b"__clipboard-holder");
    // No part of the token: each of its three segments is searched for.
    for part in token.split('.') {
        for (what, bytes) in [("argv", &cmdline), ("environment", &environ)] {
            assert!(
                !bytes.windows(part.len()).any(|w| w == part.as_bytes()),
                "a piece of the token is in the holder's {what}"
            );
        }
    }
    let names: Vec<String> = environ
        .split(|b| *b == 0)
        .filter(|v| !v.is_empty())
        .map(|v| String::from_utf8_lossy(v.split(|b| *b == b'=').next().unwrap()).into_owned())
        .collect();
    for name in &names {
        assert!(
            [
                "DISPLAY",
                "XAUTHORITY",
                "HOME",
                "VONAGE_ONBOARD_CLIPBOARD_SECONDS"
            ]
            .contains(&name.as_str()),
            "the holder got {name} from its parent: {names:?}"
        );
    }
}

#[test]
fn without_a_display_or_a_terminal_the_copy_says_why_it_did_not_happen() {
    let home = tempfile::tempdir().unwrap();
    let out = support::run_ok(
        app_cmd(home.path())
            .args(["token", "alice", "--copy"])
            .timeout(COMMAND_LIMIT),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "not copied: no display, and no terminal for OSC 52; the token is printed on stdout"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).split('.').count(), 3);
    let out = support::run_ok(
        app_cmd(home.path())
            .args(["--no-clipboard", "token", "alice", "--copy"])
            .timeout(COMMAND_LIMIT),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "not copied: --no-clipboard; the token is printed on stdout"
    );
}

/// The hidden mode run by hand with `stdin` as its input: exit code and first line.
fn run_holder(display: Option<&str>, stdin: &[u8]) -> (Option<i32>, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("vonage-onboard"))
        .env_clear()
        .envs(display.map(|d| ("DISPLAY", d)))
        .arg("__clipboard-holder")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // A holder that stops reading early closes the pipe: that is an answer, not a failure.
    let _ = input.write_all(stdin);
    drop(input);
    let mut status = None;
    assert!(
        eventually(Duration::from_secs(10), || {
            status = child.try_wait().unwrap();
            status.is_some()
        }),
        "the holder did not exit within 10 s"
    );
    let out = child.wait_with_output().unwrap();
    (
        status.and_then(|s| s.code()),
        String::from_utf8_lossy(&out.stdout).trim_end().to_owned(),
    )
}

#[test]
fn the_hidden_holder_refuses_what_it_cannot_hold_and_is_not_advertised() {
    let too_long = vec![b'a'; 16 * 1024 + 1];
    assert_eq!(
        run_holder(None, &too_long),
        (Some(1), "failed: the text is too long to hold".to_owned())
    );
    assert_eq!(
        run_holder(None, b""),
        (Some(1), "failed: nothing to hold".to_owned())
    );
    let (code, line) = run_holder(None, b"a.b.c");
    assert_eq!(code, Some(1));
    assert!(line.starts_with("failed: no clipboard"), "{line}");

    let home = tempfile::tempdir().unwrap();
    let help = support::run_ok(app_cmd(home.path()).arg("--help"));
    assert!(!String::from_utf8_lossy(&help.stdout).contains("clipboard-holder"));
    let completions = support::run_ok(app_cmd(home.path()).args(["completions", "bash"]));
    let script = String::from_utf8_lossy(&completions.stdout);
    assert!(script.contains("token"), "not a completion script?");
    assert!(
        !script.contains("clipboard-holder"),
        "the hidden mode is completed"
    );
}
