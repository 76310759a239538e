//! `import` and `export env` as a user runs them: files left by the Nexmo CLI in a fake home
//! directory, then a `.env` for the SDKs.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use assert_cmd::Command;

const APP_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";

fn cmd(user_home: &Path, project: &Path) -> Command {
    let mut c = Command::cargo_bin("vonage-onboard").unwrap();
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", user_home)
        .env(
            "VONAGE_ONBOARD_HOME",
            user_home.join(".config/vonage-onboard"),
        )
        .current_dir(project);
    c
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn nexmo_cli_files_are_imported_and_exported_as_env() {
    let dir = tempfile::tempdir().unwrap();
    let user_home = dir.path().join("me");
    let project = dir.path().join("project");
    std::fs::create_dir_all(&user_home).unwrap();
    std::fs::create_dir_all(&project).unwrap();

    // What nexmo-cli left behind, readable by everyone as it wrote it.
    let rc = user_home.join(".nexmorc");
    std::fs::write(
        &rc,
        "[credentials]\napi_key=abcd1234\napi_secret=s3cr3t-imported\n",
    )
    .unwrap();
    std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o644)).unwrap();
    let pem = include_str!("fixtures/test-key-pkcs1.pem").replace('\n', "\\n");
    std::fs::write(
        project.join(".nexmo-app"),
        format!("[app_config]\napp_id={APP_ID}\nprivate_key={pem}\n"),
    )
    .unwrap();

    let out = cmd(&user_home, &project)
        .args(["import", "--from", "nexmo"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(".nexmorc"),
        "no warning about the readable file: {stderr}"
    );
    assert!(
        !stderr.contains("s3cr3t-imported")
            && !String::from_utf8_lossy(&out.stdout).contains("s3cr3t-imported")
    );

    let store = user_home.join(".config/vonage-onboard");
    assert_eq!(mode(&store.join("credentials.toml")), 0o600);
    let key = store.join(format!("profiles/default/apps/{APP_ID}/private.key"));
    assert_eq!(mode(&key), 0o600);
    assert!(
        std::fs::read_to_string(&key)
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );

    // The imported application signs tokens straight away.
    cmd(&user_home, &project)
        .args(["token", "alice"])
        .assert()
        .success();

    let env = project.join("vonage.env");
    cmd(&user_home, &project)
        .args(["export", "env", "--out", "vonage.env"])
        .assert()
        .success();
    let text = std::fs::read_to_string(&env).unwrap();
    assert!(text.contains("VONAGE_API_KEY='abcd1234'"), "{text}");
    assert!(
        text.contains(&format!("VONAGE_APPLICATION_ID='{APP_ID}'")),
        "{text}"
    );
    assert!(text.contains("VONAGE_PRIVATE_KEY_PATH="), "{text}");
    assert!(
        !text.contains("s3cr3t-imported"),
        "the secret is exported only when asked"
    );
    assert_eq!(mode(&env), 0o600);

    // Never overwritten.
    cmd(&user_home, &project)
        .args(["export", "env", "--out", "vonage.env", "--with-secret"])
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&env).unwrap(), text);
}

#[test]
fn nothing_to_import_is_not_found_and_a_bad_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (user_home, project) = (dir.path().join("me"), dir.path().join("p"));
    std::fs::create_dir_all(&user_home).unwrap();
    std::fs::create_dir_all(&project).unwrap();
    cmd(&user_home, &project).arg("import").assert().code(4);

    std::fs::write(project.join(".vonagerc"), "{ not json").unwrap();
    let out = cmd(&user_home, &project).arg("import").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".vonagerc"));
    assert!(
        !user_home
            .join(".config/vonage-onboard/config.toml")
            .exists(),
        "nothing written"
    );
}
