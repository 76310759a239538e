//! The `token` commands as a user runs them: the real binary, a temp home, the fixture key.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;
use base64::Engine;
use serde_json::Value;

use support::{FIXTURE_APP_ID as APP_ID, app_cmd as cmd, fixture};

fn stdout_of(c: &mut Command) -> String {
    String::from_utf8(support::run_ok(c).stdout).unwrap()
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn on_a_pipe_token_prints_only_the_token_and_a_newline() {
    let home = tempfile::tempdir().unwrap();
    let out = stdout_of(cmd(home.path()).args(["token", "alice"]));
    assert!(out.ends_with('\n'));
    let token = out.trim_end_matches('\n');
    assert!(!token.contains(char::is_whitespace), "{out:?}");
    assert_eq!(token.split('.').count(), 3);
    let claims = claims_of(token);
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["application_id"], APP_ID);
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        86_400
    );
}

/// Verifies a token with openssl, a path independent of our code.
#[test]
fn openssl_verifies_the_signature_independently() {
    if StdCommand::new("openssl").arg("version").output().is_err() {
        support::skip("openssl is not installed, so the independent verification cannot run");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let token = stdout_of(cmd(home.path()).args(["token", "alice", "--ttl", "15m"]));
    let token = token.trim();
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(signature)
        .unwrap();
    let dir = home.path();
    std::fs::write(dir.join("input"), signing_input).unwrap();
    std::fs::write(dir.join("sig"), &sig).unwrap();
    let verify = |public: &str| {
        StdCommand::new("openssl")
            .args(["dgst", "-sha256", "-verify"])
            .arg(fixture(public))
            .arg("-signature")
            .arg(dir.join("sig"))
            .arg(dir.join("input"))
            .output()
            .unwrap()
    };
    let good = verify("test-key-public.pem");
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stdout)
    );
    assert!(String::from_utf8_lossy(&good.stdout).contains("Verified OK"));
    assert!(!verify("other-key-public.pem").status.success());

    let header = token.split('.').next().unwrap();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    // Exactly these two members. (jsonwebtoken writes `typ` first; member order carries no
    // meaning in JSON, RFC 7515 §4, and Vonage parses the header.)
    let header: serde_json::Value = serde_json::from_slice(&header).unwrap();
    assert_eq!(header, serde_json::json!({"alg": "RS256", "typ": "JWT"}));
    let claims = claims_of(token);
    for key in ["iat", "exp"] {
        assert!(claims[key].is_u64(), "{key} must be an integer: {claims}");
    }
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        900
    );
    let jti = uuid::Uuid::parse_str(claims["jti"].as_str().unwrap()).unwrap();
    assert_eq!(jti.get_version_num(), 4);
}

#[test]
fn pkcs1_keys_sign_too() {
    let home = tempfile::tempdir().unwrap();
    let out = stdout_of(
        cmd(home.path())
            .env("VONAGE_PRIVATE_KEY_PATH", fixture("test-key-pkcs1.pem"))
            .args(["token", "bob"]),
    );
    assert_eq!(claims_of(out.trim())["sub"], "bob");
}

#[test]
fn ttl_edges_and_bad_syntax() {
    let home = tempfile::tempdir().unwrap();
    for ok in ["30", "30s", "24h", "86400", "1d"] {
        cmd(home.path())
            .args(["token", "alice", "--ttl", ok])
            .assert()
            .success();
    }
    for bad in ["29", "86401", "25h", "soon", "1.5h", ""] {
        let assert = cmd(home.path())
            .args(["token", "alice", "--ttl", bad])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(err.contains("TTL"), "{bad:?}: {err}");
    }
}

#[test]
fn bad_keys_exit_2_naming_the_file() {
    let home = tempfile::tempdir().unwrap();
    for name in [
        "garbage.pem",
        "truncated-key.pem",
        "encrypted-key.pem",
        "ec-key.pem",
        "test-key-public.pem",
        "missing.pem",
    ] {
        let assert = cmd(home.path())
            .env("VONAGE_PRIVATE_KEY_PATH", fixture(name))
            .args(["token", "alice"])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(err.contains(name), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn json_output_parses_and_has_no_escape_bytes() {
    let home = tempfile::tempdir().unwrap();
    let out = stdout_of(cmd(home.path()).args(["--json", "token", "alice", "--acl", "all"]));
    assert!(!out.contains('\x1b'));
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["user"], "alice");
    assert_eq!(doc["acl"], "all");
    assert_eq!(
        claims_of(doc["token"].as_str().unwrap())["acl"]["paths"]["/**"],
        serde_json::json!({})
    );

    let list = stdout_of(cmd(home.path()).args(["token", "list", "--json"]));
    assert!(!list.contains('\x1b'));
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list["tokens"][0]["user"], "alice");
    assert_eq!(list["tokens"][0]["expired"], false);
}

#[test]
fn the_recipe_is_remembered_per_user_and_token_alone_means_the_last_user() {
    let home = tempfile::tempdir().unwrap();
    stdout_of(cmd(home.path()).args([
        "token",
        "alice",
        "--ttl",
        "1h",
        "--acl",
        "client-sdk-minimal",
    ]));
    let again = stdout_of(cmd(home.path()).arg("token"));
    let claims = claims_of(again.trim());
    assert_eq!(claims["sub"], "alice");
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        3600
    );
    assert_eq!(claims["acl"]["paths"].as_object().unwrap().len(), 7);

    // Fresh home: no last user.
    let empty = tempfile::tempdir().unwrap();
    cmd(empty.path()).arg("token").assert().code(2);
}

#[test]
fn custom_acl_errors_give_the_position() {
    let home = tempfile::tempdir().unwrap();
    let assert = cmd(home.path())
        .args(["token", "alice", "--acl", r#"{"paths": {"v1/users": {}}}"#])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("/paths/v1~1users"), "{err}");

    let file = home.path().join("acl.json");
    std::fs::write(&file, "{\n \"paths\": {\"/**\": {}},\n}").unwrap();
    let assert = cmd(home.path())
        .args(["token", "alice", "--acl"])
        .arg(format!("@{}", file.display()))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn inspect_classifies_and_sets_the_exit_code() {
    let home = tempfile::tempdir().unwrap();
    let token = stdout_of(cmd(home.path()).args(["token", "alice"]));

    let valid = stdout_of(
        cmd(home.path())
            .args(["token", "inspect", "--json"])
            .write_stdin(token.clone()),
    );
    let doc: Value = serde_json::from_str(&valid).unwrap();
    assert_eq!(doc["status"], "valid");
    assert_eq!(doc["claims"]["sub"], "alice");

    // The same token checked against another application's key: bad signature, exit 3.
    cmd(home.path())
        .env("VONAGE_PRIVATE_KEY_PATH", fixture("other-key-pkcs8.pem"))
        .args(["token", "inspect", "-"])
        .write_stdin(token.clone())
        .assert()
        .code(3);

    // Tampered payload: bad signature.
    let mut parts: Vec<String> = token.trim().split('.').map(str::to_owned).collect();
    let mut claims = claims_of(token.trim());
    claims["sub"] = "mallory".into();
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    cmd(home.path())
        .args(["token", "inspect", &parts.join(".")])
        .assert()
        .code(3);

    // Expired: iat and exp long past, signed by the real key, so only time is wrong.
    claims["sub"] = "alice".into();
    claims["iat"] = 1_000_000_000u64.into();
    claims["exp"] = 1_000_003_600u64.into();
    let expired = sign_with_openssl(home.path(), &claims);
    if let Some(expired) = expired {
        let out = cmd(home.path())
            .args(["token", "inspect", "--json", &expired])
            .assert()
            .code(1);
        let doc: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(doc["status"], "expired");
    }

    cmd(home.path())
        .args(["token", "inspect", "not.a.jwt"])
        .assert()
        .code(2);
    cmd(home.path())
        .args(["token", "inspect", ""])
        .assert()
        .code(2);
}

/// Signs claims with the fixture key through openssl, so an expired token needs no clock tricks.
fn sign_with_openssl(dir: &Path, claims: &Value) -> Option<String> {
    if StdCommand::new("openssl").arg("version").output().is_err() {
        support::skip("part of the test: openssl is not installed, no expired token can be forged");
        return None;
    }
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"RS256","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    );
    std::fs::write(dir.join("expired-input"), &input).unwrap();
    let out = StdCommand::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(fixture("test-key-pkcs8.pem"))
        .arg(dir.join("expired-input"))
        .output()
        .unwrap();
    assert!(out.status.success());
    Some(format!("{input}.{}", b64(&out.stdout)))
}

#[test]
fn admin_tokens_have_no_sub_and_refuse_a_user() {
    let home = tempfile::tempdir().unwrap();
    let out = stdout_of(cmd(home.path()).args(["token", "--admin"]));
    let claims = claims_of(out.trim());
    assert!(claims.get("sub").is_none() && claims.get("acl").is_none());
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        900
    );
    cmd(home.path())
        .args(["token", "--admin", "alice"])
        .assert()
        .code(2);
}

#[test]
fn state_is_private_and_corrupt_state_is_reported_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let root = home.path().join("h");
    stdout_of(cmd(&root).args(["token", "alice"]));
    let state = root.join("profiles/default/state.json");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&state), 0o600);
    for dir in [
        root.clone(),
        root.join("profiles"),
        root.join("profiles/default"),
    ] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    let leftovers: Vec<_> = std::fs::read_dir(root.join("profiles/default"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp-")
        })
        .collect();
    assert!(leftovers.is_empty());

    std::fs::write(&state, "{ not json").unwrap();
    let assert = cmd(&root).args(["token", "alice"]).assert().code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains("state.json") && err.contains("left untouched"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "{ not json");
}

#[test]
fn without_an_application_the_message_says_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let assert = Command::cargo_bin("vonage-onboard")
        .unwrap()
        .env_clear()
        .env("VONAGE_ONBOARD_HOME", home.path())
        .args(["token", "alice"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("app create"), "{err}");
}

#[test]
fn no_command_without_a_terminal_hints_and_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let assert = cmd(home.path()).assert().code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn completions_are_printed() {
    let out = stdout_of(
        Command::cargo_bin("vonage-onboard")
            .unwrap()
            .args(["completions", "bash"]),
    );
    assert!(out.contains("vonage-onboard"));
}

#[test]
fn concurrent_token_runs_never_lose_each_other_s_users() {
    let home = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..16)
        .map(|i| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("vonage-onboard"))
                .env_clear()
                .env("VONAGE_ONBOARD_HOME", home.path())
                .env("VONAGE_APPLICATION_ID", APP_ID)
                .env("VONAGE_PRIVATE_KEY_PATH", fixture("test-key-pkcs8.pem"))
                .args(["token", &format!("user-{i:02}")])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let list = stdout_of(cmd(home.path()).args(["token", "list", "--json"]));
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(
        list["tokens"].as_array().unwrap().len(),
        16,
        "a run overwrote another's token: {list}"
    );
}
