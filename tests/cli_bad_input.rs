//! Hostile input through the real binary: a secret typed where it does not belong, endless
//! inputs under a memory limit, and a table of bad inputs across the commands. Every refusal
//! has its exit code and its reason on stderr, never a panic, never an echoed secret.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

const APP_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";
const SECRET: &str = "Zq7SecretXy42Vb";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The binary with a clean environment, a temp home, and an API base nothing listens on (no
/// row may reach a network).
fn cmd(home: &Path) -> Command {
    let mut c = Command::cargo_bin("vonage-onboard").unwrap();
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("VONAGE_ONBOARD_HOME", home.join("home"))
        .env("VONAGE_API_BASE", "http://127.0.0.1:9")
        .current_dir(home);
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn setup_never_echoes_a_secret_typed_in_any_argument_position() {
    let dir = tempfile::tempdir().unwrap();
    let eq = format!("--api-secret-stdin={SECRET}");
    let secret_eq = format!("--api-secret={SECRET}");
    let key_eq = "--api-key=k".to_owned();
    for line in [
        vec!["setup", SECRET],
        vec!["setup", "--api-key", "k", SECRET],
        vec!["setup", SECRET, "--api-key", "k"],
        vec!["setup", "--api-key", "k", "--", SECRET],
        vec!["setup", &eq],
        vec!["setup", "--api-key", "k", "--api-secret-stdin", SECRET],
        vec!["setup", "--api-secret", SECRET],
        vec!["setup", &secret_eq],
        vec!["setup", &key_eq, SECRET],
        vec!["--json", "setup", SECRET],
        vec!["--profile", "p", "setup", SECRET],
        vec!["setup", "--region", SECRET],
        vec![SECRET, "setup"],
        vec!["setup", "--api-key", "k", SECRET, SECRET],
    ] {
        let out = cmd(dir.path()).args(&line).output().unwrap();
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{line:?}: {stderr}");
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET),
            "{line:?} echoed the secret: {stdout}{stderr}"
        );
        // Also no part of it long enough to give it away.
        assert!(!stderr.contains(&SECRET[..6]), "{line:?}: {stderr}");
        assert!(
            stderr.contains("argument") && stderr.contains("VONAGE_API_SECRET"),
            "{line:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{line:?}: {stderr}");
    }
}

#[test]
fn a_token_typed_in_a_wrong_position_is_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlc2VjcmV0";
    for line in [
        vec!["token", "inspect", "-", token],
        vec!["token", "doctor", "-", token],
        vec!["token", "alice", token],
        vec!["token", "list", token],
    ] {
        let out = cmd(dir.path()).args(&line).output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{line:?}: {stderr}");
        assert!(
            !stderr.contains("eyJ"),
            "{line:?} echoed the token: {stderr}"
        );
        assert!(stderr.contains("argument"), "{line:?}: {stderr}");
    }
}

/// Runs the binary with its address space limited, so an unbounded read aborts (or is
/// killed) instead of eating the machine: `sh -c 'ulimit -v KiB; exec …'`.
fn run_limited(home: &Path, args: &[&str], stdin_from: Option<&str>) -> Output {
    const LIMIT_KIB: u64 = 512 * 1024;
    let bin = assert_cmd::cargo::cargo_bin("vonage-onboard");
    let redirect = stdin_from.map(|f| format!(" < {f}")).unwrap_or_default();
    let script = format!("ulimit -v {LIMIT_KIB} && exec \"$0\" \"$@\"{redirect}");
    let mut c = std::process::Command::new("sh");
    c.arg("-c")
        .arg(script)
        .arg(bin)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("VONAGE_ONBOARD_HOME", home.join("home"))
        .env("VONAGE_API_BASE", "http://127.0.0.1:9")
        .env("VONAGE_API_KEY", "abcd1234")
        .env("VONAGE_API_SECRET", "not-used")
        .current_dir(home);
    c.output().unwrap()
}

#[test]
fn endless_inputs_are_refused_under_a_memory_limit_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A config file of ours and an import source replaced by a device.
    let zero_home = root.join("zero-home");
    std::fs::create_dir_all(&zero_home).unwrap();
    std::os::unix::fs::symlink("/dev/zero", zero_home.join("config.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", root.join(".nexmorc")).unwrap();
    let zero_home_arg = zero_home.to_str().unwrap().to_owned();
    let key = fixture("test-key-pkcs8.pem");
    let key = key.to_str().unwrap();

    let cases: Vec<(&str, Vec<&str>, Option<&str>)> = vec![
        (
            "secret on stdin",
            vec!["setup", "--api-key", "abcd1234", "--api-secret-stdin"],
            Some("/dev/zero"),
        ),
        (
            "token on stdin",
            vec!["token", "inspect", "-"],
            Some("/dev/zero"),
        ),
        (
            "token on stdin (doctor)",
            vec!["token", "doctor", "-"],
            Some("/dev/zero"),
        ),
        (
            "ACL file",
            vec![
                "--application-id",
                APP_ID,
                "--private-key-path",
                key,
                "token",
                "alice",
                "--acl",
                "@/dev/zero",
            ],
            None,
        ),
        (
            "key file (zero)",
            vec![
                "--application-id",
                APP_ID,
                "--private-key-path",
                "/dev/zero",
                "token",
                "alice",
            ],
            None,
        ),
        (
            "key file (random)",
            vec!["app", "use", APP_ID, "--private-key", "/dev/urandom"],
            None,
        ),
        (
            "config file",
            vec!["--home", &zero_home_arg, "token", "alice"],
            None,
        ),
        ("import source", vec!["import", "--from", "nexmo"], None),
        (
            "sandbox state file",
            vec!["sandbox", "--state", "/dev/zero"],
            None,
        ),
    ];
    for (what, args, stdin) in cases {
        let out = run_limited(root, &args, stdin);
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{what}: {:?} (killed by a signal if None): {stderr}",
            out.status
        );
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        // One sentence (clap adds its "For more information" line to a flag's refusal).
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.contains("too large") || first.contains("longer than"),
            "{what}: {stderr}"
        );
        let other = stderr
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty() && !l.starts_with("For more information"));
        assert_eq!(other.count(), 0, "{what}: {stderr}");
    }
}

#[test]
fn every_refusal_has_its_reason_on_stderr_and_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let key = fixture("test-key-pkcs8.pem");
    let key = key.to_str().unwrap().to_owned();
    let app = |extra: &[&str]| -> Vec<String> {
        ["--application-id", APP_ID, "--private-key-path", &key]
            .iter()
            .chain(extra)
            .map(|s| (*s).to_owned())
            .collect()
    };
    let strs = |v: &[&str]| -> Vec<String> { v.iter().map(|s| (*s).to_owned()).collect() };
    // A home whose files are damaged, for the rows that read them.
    let damaged = root.join("damaged");
    std::fs::create_dir_all(damaged.join("profiles/default")).unwrap();
    std::fs::write(damaged.join("config.toml"), "[profiles.default\n").unwrap();
    std::fs::write(damaged.join("profiles/default/state.json"), "{not json").unwrap();
    let damaged_arg = damaged.to_str().unwrap().to_owned();
    let root_arg = root.to_str().unwrap().to_owned();

    // (arguments, stdin, the exit code expected)
    let rows: Vec<(Vec<String>, &str, i32)> = vec![
        (strs(&["nonsense"]), "", 2),
        (strs(&[]), "", 2),
        (strs(&["completions", "nosh"]), "", 2),
        (strs(&["--region", "mars", "app", "list"]), "", 2),
        (strs(&["--profile", "../x", "app", "list"]), "", 2),
        (strs(&["--api-base", "not a url", "app", "list"]), "", 2),
        (strs(&["app", "list"]), "", 2), // no credentials
        (strs(&["app", "show"]), "", 2),
        (strs(&["app", "create", ""]), "", 2),
        (
            strs(&["app", "create", "x", "--rtc-event-url", "nope"]),
            "",
            2,
        ),
        (strs(&["app", "create", "x", "--http-method", "PUT"]), "", 2),
        (
            strs(&["app", "use", "not-an-id", "--private-key", "/nonexistent"]),
            "",
            2,
        ),
        (strs(&["app", "delete", APP_ID]), "", 2),
        (strs(&["user", "create", "alice"]), "", 2), // no application
        (app(&["user", "create", ""]), "", 2),
        (app(&["user", "create", "USR-reserved"]), "", 2),
        (app(&["user", "delete", "alice"]), "", 2), // no --yes, no terminal
        (strs(&["token", "alice"]), "", 2),         // no application
        (app(&["token", "--ttl", "0"]), "", 2),
        (app(&["token", "alice", "--ttl", "25h"]), "", 2),
        (app(&["token", "alice", "--ttl", "soon"]), "", 2),
        (app(&["token", "alice", "--acl", "{bad"]), "", 2),
        (app(&["token", "alice", "--acl", "nope"]), "", 2),
        (app(&["token", "alice", "--acl", "@/nonexistent"]), "", 2),
        (app(&["token", "alice", "--acl", "@/etc"]), "", 2),
        (app(&["token", "--admin", "alice"]), "", 2),
        (app(&["token", "inspect", "a.b.c"]), "", 2),
        (app(&["token", "inspect", "-"]), "a.b.c", 2),
        (app(&["token", "inspect"]), "not a token", 2),
        (app(&["token", "inspect", "-"]), "", 2),
        (strs(&["token", "serve"]), "", 2), // no application
        (app(&["token", "serve", "--port", "http"]), "", 2),
        (app(&["token", "serve", "--bind", "localhost"]), "", 2),
        (
            app(&["token", "serve", "--allow-origin", "example.com"]),
            "",
            2,
        ),
        (
            app(&["token", "serve", "--allow-origin", "http://x.test/app"]),
            "",
            2,
        ),
        (app(&["token", "doctor", "-"]), "", 2),
        (app(&["token", "doctor"]), "not a token", 2),
        (app(&["token", "doctor", "a.b.c"]), "", 2),
        (
            strs(&[
                "--application-id",
                "bad id",
                "--private-key-path",
                &key,
                "token",
                "alice",
            ]),
            "",
            2,
        ),
        (
            strs(&[
                "--application-id",
                APP_ID,
                "--private-key-path",
                "/etc/passwd",
                "token",
                "a",
            ]),
            "",
            2,
        ),
        (
            strs(&[
                "--application-id",
                APP_ID,
                "--private-key-path",
                &root_arg,
                "token",
                "a",
            ]),
            "",
            2,
        ),
        (strs(&["--home", &damaged_arg, "token", "list"]), "", 1),
        (strs(&["--home", &damaged_arg, "app", "list"]), "", 1),
        (strs(&["import", "--from", "nexmo"]), "", 4),
        (strs(&["import", "--from", "elsewhere"]), "", 2),
        (strs(&["export", "env"]), "", 2), // nothing to export
        (strs(&["sandbox", "--port", "99999"]), "", 2),
        (strs(&["sandbox", "--fault", "bad"]), "", 2),
        (strs(&["sandbox", "--bind", "not-ip"]), "", 2),
        (strs(&["setup"]), "", 2),
        (strs(&["setup", "--api-key", "a b"]), "", 2),
        (
            strs(&["setup", "--api-key", "k", "--api-secret-stdin"]),
            "",
            2,
        ),
        (
            strs(&["setup", "--api-key", "k", "--api-secret-stdin"]),
            "\n",
            2,
        ),
    ];
    let mut failures = Vec::new();
    for (args, stdin, expected) in &rows {
        let out = cmd(root).args(args).write_stdin(*stdin).output().unwrap();
        let stderr = text(&out.stderr);
        let code = out.status.code();
        if code != Some(*expected) || stderr.trim().is_empty() || stderr.contains("panicked") {
            failures.push(format!(
                "{args:?} <{stdin:?}: exit {code:?} (expected {expected}), stderr {stderr:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_negative_port_is_told_it_is_not_a_port() {
    // clap takes "-1" for an unknown flag unless --port accepts negative numbers: then the
    // port's own parser says what is wrong, as it does for 70000.
    let dir = tempfile::tempdir().unwrap();
    let key = fixture("test-key-pkcs8.pem");
    for port in ["-1", "-65536", "70000"] {
        let out = cmd(dir.path())
            .args(["--application-id", APP_ID, "--private-key-path"])
            .arg(&key)
            .args(["token", "serve", "--port", port])
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{port}: {stderr}");
        assert!(
            stderr.contains(&format!("\"{port}\" is not a port: use a number from 0")),
            "{port}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{port}: nothing served");
    }
    // The sandbox's --port and --bind are judged by the same parsers.
    for (args, said) in [
        (
            ["sandbox", "--port", "-1"],
            "\"-1\" is not a port: use a number from 0",
        ),
        (
            ["sandbox", "--bind", "localhost"],
            "\"localhost\" is not an IP address",
        ),
    ] {
        let out = cmd(dir.path()).args(args).output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(said), "{args:?}: {stderr}");
    }
    // A flag after --port is still a flag, not a port value.
    let out = cmd(dir.path())
        .args(["--application-id", APP_ID, "--private-key-path"])
        .arg(&key)
        .args(["token", "serve", "--port", "--any-user"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("is not a port"), "{stderr}");
}

#[test]
fn a_webhook_url_without_a_scheme_is_told_to_add_https_as_in_the_wizard() {
    let dir = tempfile::tempdir().unwrap();
    let out = cmd(dir.path())
        .args(["app", "create", "x", "--rtc-event-url", "example.com/rtc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "--rtc-event-url \"example.com/rtc\" needs http:// or https:// in front: add https:// (https://example.com/rtc)"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("relative URL"), "{stderr}");
}
