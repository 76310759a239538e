//! The import, end to end on temporary directories, and its readers.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use secrecy::ExposeSecret;

use super::ini::parse_ini;
use super::parse::normalise_pem;
use super::*;
use crate::auth::keys::PrivateKey;
use crate::error::ExitCode;
use crate::store::apps::save_private_key;
use crate::store::config::Config;
use crate::store::secrets::Credentials;

use crate::auth::fixtures::{APP as ID, KEY as PKCS8, OTHER};
const PKCS1: &str = include_str!("../../../tests/fixtures/test-key-pkcs1.pem");
const OTHER_ID: &str = "11111111-2222-3333-4444-555555555555";
const SECRET: &str = "Sup3rS3cretValue";

struct Env {
    _dir: tempfile::TempDir,
    home: Home,
    cwd: PathBuf,
    user: PathBuf,
    profile: ProfileName,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().join("project");
    let user = dir.path().join("user");
    fs::create_dir_all(&cwd).unwrap();
    fs::create_dir_all(&user).unwrap();
    Env {
        home: Home::at(dir.path().join("store")),
        cwd,
        user,
        profile: ProfileName::default(),
        _dir: dir,
    }
}

impl Env {
    /// Writes a file in the current directory, mode 0600 (so no mode warning).
    fn local(&self, name: &str, text: &str) -> PathBuf {
        write(&self.cwd.join(name), text, 0o600)
    }

    fn global(&self, rel: &str, text: &str) -> PathBuf {
        write(&self.user.join(rel), text, 0o600)
    }

    fn run(&self, from: ImportSource) -> Result<ImportReport> {
        import(&self.home, &self.profile, from, &self.cwd, &self.user)
    }

    fn config(&self) -> Config {
        Config::load(&self.home).unwrap()
    }

    fn api_key(&self) -> Option<String> {
        self.config()
            .profile(&self.profile)
            .unwrap()
            .api_key
            .clone()
    }

    fn secret(&self) -> Option<String> {
        Credentials::load(&self.home)
            .unwrap()
            .get(&self.profile)
            .map(|s| s.expose_secret().to_owned())
    }

    fn key_file(&self, id: &str) -> PathBuf {
        self.home
            .private_key_file(&self.profile, &AppId::parse(id).unwrap())
    }
}

fn write(path: &Path, text: &str, mode: u32) -> PathBuf {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    path.to_path_buf()
}

fn json(pem: &str) -> String {
    serde_json::to_string(pem).unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The stored key is the fixture key, as PKCS#8, 0600.
fn assert_stored_key(path: &Path) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"), "{path:?}");
    let stored = PrivateKey::from_pem(&text).unwrap();
    assert_eq!(
        stored.public_key(),
        PrivateKey::from_pem(PKCS8).unwrap().public_key()
    );
    assert_eq!(mode(path), 0o600);
}

#[test]
fn nexmo_files_are_imported_with_an_escaped_pkcs1_key() {
    let e = env();
    let rc = e.global(
        ".nexmorc",
        &format!("[credentials]\napi_key=abcd1234\napi_secret={SECRET}\n"),
    );
    let app = e.local(
        ".nexmo-app",
        &format!("[app_config]\napp_id={ID}\nprivate_key={}\n", json(PKCS1)),
    );
    let report = e.run(ImportSource::Nexmo).unwrap();
    assert_eq!(report.api_key.as_deref(), Some("abcd1234"));
    assert!(report.secret_imported);
    assert_eq!(report.application_id.as_ref().unwrap().as_str(), ID);
    assert_eq!(report.key_path.as_deref(), Some(e.key_file(ID).as_path()));
    assert_eq!(report.sources, vec![app, rc]);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert!(!format!("{report:?}").contains(SECRET));

    assert_eq!(e.api_key().as_deref(), Some("abcd1234"));
    assert_eq!(e.secret().as_deref(), Some(SECRET));
    let profile = e.config().profile(&e.profile).cloned().unwrap();
    assert_eq!(profile.current_application.unwrap().as_str(), ID);
    assert_stored_key(&e.key_file(ID));
}

#[test]
fn nexmo_app_key_may_span_lines_among_comments_and_other_sections() {
    let e = env();
    let pem = PKCS8.lines().map(|l| format!("  {l}")).collect::<Vec<_>>();
    e.global(
        ".nexmo-app",
        &format!(
            "; written by nexmo-cli\n[other]\napp_id=not-this-one\n\n# the app\n[app_config]\n\
             app_id = \"{}\"\nprivate_key={}\n",
            ID.to_uppercase(),
            pem.join("\r\n").trim_start()
        ),
    );
    let report = e.run(ImportSource::Nexmo).unwrap();
    assert_eq!(report.application_id.unwrap().as_str(), ID);
    assert_eq!(report.api_key, None);
    assert!(!report.secret_imported);
    assert_stored_key(&e.key_file(ID));
    assert!(!e.home.credentials_file().exists());
}

#[test]
fn vonage_1x_files_are_imported() {
    let e = env();
    e.global(
        ".config/@vonage/cli/vonage.config.json",
        &format!(r#"{{"apiKey": "abcd1234", "apiSecret": "{SECRET}"}}"#),
    );
    e.local(
        "vonage_app.json",
        &format!(
            r#"{{"application_name": "my app", "application_id": "{ID}", "private_key": {}}}"#,
            json(PKCS8)
        ),
    );
    let report = e.run(ImportSource::Vonage).unwrap();
    assert_eq!(report.api_key.as_deref(), Some("abcd1234"));
    assert!(report.secret_imported);
    assert_eq!(report.application_id.unwrap().as_str(), ID);
    assert_eq!(e.secret().as_deref(), Some(SECRET));
    assert_stored_key(&e.key_file(ID));
}

#[test]
fn the_key_file_beside_vonage_app_json_is_used_when_the_json_has_none() {
    let e = env();
    let app = e.local(
        "vonage_app.json",
        &format!(r#"{{"application_name": "my-app", "application_id": "{ID}"}}"#),
    );
    let key = e.local("my-app.key", PKCS1);
    let report = e.run(ImportSource::Auto).unwrap();
    assert_eq!(report.sources, vec![app, key]);
    assert_eq!(report.application_id.unwrap().as_str(), ID);
    assert_stored_key(&e.key_file(ID));
}

#[test]
fn vonage_3x_files_local_over_home_without_mixing_pairs() {
    let e = env();
    e.global(
        ".vonage/config.json",
        &format!(
            r#"{{"api-key": "home1234", "api-secret": "home-secret", "app-id": "{ID}", "private-key": {}}}"#,
            json(PKCS8)
        ),
    );
    e.local(
        ".vonagerc",
        &format!(r#"{{"api-key": "local123", "api-secret": "{SECRET}"}}"#),
    );
    let report = e.run(ImportSource::Vonage).unwrap();
    assert_eq!(report.api_key.as_deref(), Some("local123"));
    assert_eq!(e.secret().as_deref(), Some(SECRET));
    // The application is only in the home file, so it comes from there.
    assert_eq!(report.application_id.unwrap().as_str(), ID);
    assert_stored_key(&e.key_file(ID));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("~/.vonage/config.json") && w.contains("not imported")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn a_secret_is_taken_only_from_a_file_with_the_same_api_key() {
    let e = env();
    e.local(".nexmorc", "[credentials]\napi_key=local123\n");
    e.global(
        ".nexmorc",
        &format!("[credentials]\napi_key=local123\napi_secret={SECRET}\n"),
    );
    let report = e.run(ImportSource::Nexmo).unwrap();
    assert_eq!(report.api_key.as_deref(), Some("local123"));
    assert!(report.secret_imported);
    assert_eq!(e.secret().as_deref(), Some(SECRET));

    let e = env();
    e.local(".nexmorc", "[credentials]\napi_key=local123\n");
    e.global(
        ".nexmorc",
        &format!("[credentials]\napi_key=other999\napi_secret={SECRET}\n"),
    );
    let report = e.run(ImportSource::Nexmo).unwrap();
    assert_eq!(report.api_key.as_deref(), Some("local123"));
    assert!(!report.secret_imported);
    assert!(!e.home.credentials_file().exists());
    assert!(
        report.warnings.iter().any(|w| w.contains("~/.nexmorc")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn auto_prefers_local_then_vonage_and_from_restricts_the_files() {
    let e = env();
    e.local(".nexmorc", "[credentials]\napi_key=nexmo111\n");
    e.local(".vonagerc", r#"{"api-key": "vonage11"}"#);
    e.global(".vonage/config.json", r#"{"api-key": "home1111"}"#);
    let key = |from| e.run(from).unwrap().api_key.unwrap();
    assert_eq!(key(ImportSource::Auto), "vonage11");
    assert_eq!(key(ImportSource::Nexmo), "nexmo111");
    assert_eq!(key(ImportSource::Vonage), "vonage11");
    fs::remove_file(e.cwd.join(".vonagerc")).unwrap();
    // A local nexmo file still wins over a home Vonage one.
    assert_eq!(key(ImportSource::Auto), "nexmo111");
    assert_eq!(key(ImportSource::Vonage), "home1111");
    assert_eq!(e.api_key().as_deref(), Some("home1111"));
}

#[test]
fn empty_strings_are_absent() {
    let e = env();
    let path = e.global(
        ".config/@vonage/cli/vonage.config.json",
        r#"{"apiKey": "", "apiSecret": ""}"#,
    );
    let err = e.run(ImportSource::Vonage).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::NotFound);
    assert!(err.to_string().contains("vonage.config.json"), "{err}");
    assert!(!e.home.root().exists());

    write(
        &path,
        r#"{"apiKey": " abcd1234 ", "apiSecret": "  "}"#,
        0o600,
    );
    let report = e.run(ImportSource::Vonage).unwrap();
    assert_eq!(report.api_key.as_deref(), Some("abcd1234"));
    assert!(!report.secret_imported);
    assert!(!e.home.credentials_file().exists());
}

#[test]
fn nothing_found_lists_the_files_looked_at() {
    let e = env();
    let err = e.run(ImportSource::Auto).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::NotFound);
    let message = err.to_string();
    for name in [
        ".nexmorc",
        ".nexmo-app",
        ".vonagerc",
        "vonage_app.json",
        "~/.vonage/config.json",
        "~/.config/@vonage/cli/vonage.config.json",
    ] {
        assert!(message.contains(name), "{name} missing from {message}");
    }
    assert!(!e.home.root().exists());
}

#[test]
fn malformed_files_stop_the_import_and_nothing_is_written() {
    let cases: [(&str, String, &str); 5] = [
        (
            ".vonagerc",
            format!(r#"{{"api-key": "abcd1234", "api-secret": "{SECRET}" "app-id": "{ID}"}}"#),
            "not valid JSON",
        ),
        (
            ".nexmo-app",
            format!(
                "[app_config]\napp_id={ID}\nprivate_key=-----BEGIN PRIVATE KEY-----\\nbm90IGEga2V5\\n-----END PRIVATE KEY-----\n"
            ),
            "private_key",
        ),
        (
            ".nexmo-app",
            format!("[app_config]\napp_id=my-app\nprivate_key={}\n", json(PKCS8)),
            "app_id is not a Vonage application id",
        ),
        ("vonage_app.json", "[1, 2]".into(), "not a JSON object"),
        (
            ".nexmorc",
            format!("[credentials]\napi_key=abcd1234\n{SECRET}\n"),
            "line 3",
        ),
    ];
    for (name, text, expected) in cases {
        let e = env();
        e.global(
            ".nexmorc",
            &format!("[credentials]\napi_key=abcd1234\napi_secret={SECRET}\n"),
        );
        let path = e.local(name, &text);
        let err = e.run(ImportSource::Auto).unwrap_err();
        let message = err.to_string();
        assert_eq!(err.exit_code(), ExitCode::Usage, "{message}");
        assert!(message.contains(&*path.to_string_lossy()), "{message}");
        assert!(message.contains(expected), "{message}");
        assert!(!message.contains(SECRET), "{message}");
        assert!(!format!("{err:?}").contains(SECRET));
        assert!(!e.home.root().exists(), "{name}: something was written");
    }
}

#[test]
fn a_different_key_already_stored_is_an_error_and_stays_untouched() {
    let e = env();
    let stored = e.key_file(ID);
    save_private_key(&stored, &PrivateKey::from_pem(OTHER).unwrap()).unwrap();
    let before = fs::read(&stored).unwrap();
    e.local(".nexmorc", "[credentials]\napi_key=abcd1234\n");
    e.local(
        ".nexmo-app",
        &format!("[app_config]\napp_id={ID}\nprivate_key={}\n", json(PKCS8)),
    );
    let err = e.run(ImportSource::Nexmo).unwrap_err();
    assert!(err.to_string().contains("different private key"), "{err}");
    assert_eq!(fs::read(&stored).unwrap(), before);
    assert!(!e.home.config_file().exists());
}

#[test]
fn the_same_key_already_stored_is_fine() {
    let e = env();
    let stored = e.key_file(ID);
    save_private_key(&stored, &PrivateKey::from_pem(PKCS1).unwrap()).unwrap();
    e.local(
        ".nexmo-app",
        &format!("[app_config]\napp_id={ID}\nprivate_key={}\n", json(PKCS8)),
    );
    let report = e.run(ImportSource::Nexmo).unwrap();
    assert_eq!(report.key_path.as_deref(), Some(stored.as_path()));
    let profile = e.config().profile(&e.profile).cloned().unwrap();
    assert_eq!(profile.current_application.unwrap().as_str(), ID);
}

#[test]
fn files_others_can_read_are_warned_about() {
    let e = env();
    let rc = e.global(
        ".nexmorc",
        &format!("[credentials]\napi_key=abcd1234\napi_secret={SECRET}\n"),
    );
    fs::set_permissions(&rc, fs::Permissions::from_mode(0o644)).unwrap();
    let report = e.run(ImportSource::Auto).unwrap();
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    let warning = &report.warnings[0];
    assert!(warning.starts_with("~/.nexmorc is readable by other users (mode 0644)"));
    assert!(warning.contains(&*e.home.credentials_file().to_string_lossy()));
    assert!(warning.contains("consider deleting the old file"));
    assert!(!warning.contains(SECRET));

    fs::set_permissions(&rc, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(e.run(ImportSource::Auto).unwrap().warnings.is_empty());
}

#[test]
fn a_private_key_without_an_application_id_is_not_stored() {
    let e = env();
    e.local(
        ".vonagerc",
        &format!(
            r#"{{"api-key": "abcd1234", "private-key": {}}}"#,
            json(PKCS8)
        ),
    );
    let report = e.run(ImportSource::Vonage).unwrap();
    assert_eq!(report.api_key.as_deref(), Some("abcd1234"));
    assert_eq!(report.application_id, None);
    assert_eq!(report.key_path, None);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("no application id")),
        "{:?}",
        report.warnings
    );
    assert!(!e.home.root().join("profiles").exists());

    let e = env();
    e.local(
        ".vonagerc",
        &format!(r#"{{"private-key": {}}}"#, json(PKCS8)),
    );
    let err = e.run(ImportSource::Vonage).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::NotFound);
    assert!(err.to_string().contains("no application id"), "{err}");
}

#[test]
fn an_application_id_without_its_key_is_not_made_current() {
    let e = env();
    e.local(".nexmorc", "[credentials]\napi_key=abcd1234\n");
    e.local(".nexmo-app", &format!("[app_config]\napp_id={ID}\n"));
    e.global(
        ".nexmo-app",
        &format!(
            "[app_config]\napp_id={OTHER_ID}\nprivate_key={}\n",
            json(PKCS8)
        ),
    );
    let report = e.run(ImportSource::Nexmo).unwrap();
    assert_eq!(report.application_id, None);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains(ID) && w.contains("app use")),
        "{:?}",
        report.warnings
    );
    let profile = e.config().profile(&e.profile).cloned().unwrap();
    assert_eq!(profile.current_application, None);
}

#[test]
fn ini_reader_handles_quotes_comments_and_sections() {
    let ini = parse_ini(
        "top=1\n[Credentials]\n ; comment\n# another\nAPI_KEY = \"ab\\\"cd\" \n\
         api_secret='x y'\nempty=\nlast=1\nlast=2\n",
    )
    .unwrap();
    assert_eq!(ini.get("", "top"), Some("1"));
    assert_eq!(ini.get("credentials", "api_key"), Some("ab\"cd"));
    assert_eq!(ini.get("credentials", "api_secret"), Some("x y"));
    assert_eq!(ini.get("credentials", "empty"), None);
    assert_eq!(ini.get("credentials", "last"), Some("2"));
    assert_eq!(ini.get("credentials", "top"), None);

    let err = parse_ini("[credentials\n").err().unwrap();
    assert!(err.contains("line 1"), "{err}");
    let err = parse_ini("[c]\nhunter2\n").err().unwrap();
    assert!(err.contains("line 2") && !err.contains("hunter2"), "{err}");
}

#[test]
fn escaped_pem_forms_are_all_accepted() {
    let single_line = PKCS1.trim().replace('\n', "\\n");
    for text in [
        single_line.clone(),
        format!("'{single_line}'"),
        json(PKCS1),
        PKCS8.replace('\n', "\\r\\n"),
    ] {
        let ini = parse_ini(&format!("[app_config]\nprivate_key={text}\n")).unwrap();
        let pem = ini.get("app_config", "private_key").unwrap();
        assert!(PrivateKey::from_pem(&normalise_pem(pem)).is_ok(), "{text}");
    }
}
