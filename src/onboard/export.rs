//! `export env`: writing the profile as a `.env` file for the Vonage SDKs.

use std::path::{Path, PathBuf};

use secrecy::ExposeSecret;
use secrecy::zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::onboard::context::AppContext;
use crate::store::atomic::write_private_new;
use crate::store::config::Config;
use crate::store::paths::{Home, ProfileName};

/// The file written and the variables in it, in file order (names only, never values).
#[derive(Debug)]
pub struct EnvExport {
    pub path: PathBuf,
    pub variables: Vec<&'static str>,
}

/// Writes `VONAGE_API_KEY`, `VONAGE_APPLICATION_ID` and `VONAGE_PRIVATE_KEY_PATH` (those that
/// are known) to `out`, plus `VONAGE_API_SECRET` when `with_secret`.
///
/// The file is always created with mode 0600, so a file holding the secret is never readable
/// by others, not even for a moment; an existing file is never overwritten. Values are
/// single-quoted, which both `sh` (`. ./.env`) and dotenv loaders read literally; a value that
/// itself holds a single quote is double-quoted instead, with backslash, double quote, dollar
/// and backtick escaped. The key path is made absolute so the file works from any directory.
pub fn export_env(
    home: &Home,
    profile: &ProfileName,
    app: Option<&AppContext>,
    out: &Path,
    with_secret: bool,
) -> Result<EnvExport> {
    // Relative paths are resolved here: the atomic writer needs a real parent directory.
    let out = absolute(out)?;
    if std::fs::symlink_metadata(&out).is_ok() {
        return Err(already_exists(&out));
    }

    let config = Config::load(home)?;
    let api_key = config.profile(profile).and_then(|p| p.api_key.clone());
    let mut pairs: Vec<(&'static str, Zeroizing<String>)> = Vec::new();
    if let Some(key) = api_key {
        pairs.push(("VONAGE_API_KEY", Zeroizing::new(key)));
    }
    if with_secret {
        let stored = super::account::resolve_credentials(home, profile, None, None)?;
        let secret = stored.as_ref().map(|c| &c.api_secret).ok_or_else(|| {
            Error::usage(format!(
                "profile {:?} has no stored API secret to export: store it with `vonage-onboard setup`, \
                 or export without --with-secret",
                profile.as_str()
            ))
        })?;
        pairs.push((
            "VONAGE_API_SECRET",
            Zeroizing::new(secret.expose_secret().to_owned()),
        ));
    }
    if let Some(app) = app {
        let key_path = absolute(&app.key_path)?;
        if !key_path.is_file() {
            return Err(Error::file(
                &key_path,
                format!(
                    "is not there, so VONAGE_PRIVATE_KEY_PATH would point at nothing; give application {} \
                     its key with `vonage-onboard app use {} --private-key FILE`",
                    app.id, app.id
                ),
            ));
        }
        let key_path = key_path.to_str().ok_or_else(|| {
            Error::file(
                &key_path,
                "is not valid UTF-8, so it cannot be written to a .env file",
            )
        })?;
        pairs.push((
            "VONAGE_APPLICATION_ID",
            Zeroizing::new(app.id.as_str().to_owned()),
        ));
        pairs.push((
            "VONAGE_PRIVATE_KEY_PATH",
            Zeroizing::new(key_path.to_owned()),
        ));
    }
    if pairs.is_empty() {
        return Err(Error::usage(format!(
            "profile {:?} has nothing to export yet: run `vonage-onboard setup`, then \
             `vonage-onboard app create NAME`",
            profile.as_str()
        )));
    }

    let mut text = Zeroizing::new(format!(
        "# Written by vonage-onboard export env (profile {}).\n",
        profile.as_str()
    ));
    if with_secret {
        text.push_str("# Holds the API secret: keep it out of version control.\n");
    }
    for (name, value) in &pairs {
        text.push_str(name);
        text.push('=');
        text.push_str(&quote(name, value)?);
        text.push('\n');
    }
    write_private_new(&out, text.as_bytes()).map_err(|e| match e {
        Error::File { .. } if std::fs::symlink_metadata(&out).is_ok() => already_exists(&out),
        other => other,
    })?;
    Ok(EnvExport {
        path: out,
        variables: pairs.iter().map(|(name, _)| *name).collect(),
    })
}

fn already_exists(path: &Path) -> Error {
    Error::file(
        path,
        "already exists; it was not overwritten. Remove it or choose another file with --out PATH",
    )
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::io("resolve", path, e))
}

/// Quotes a value so that `sh` and dotenv loaders both read it back unchanged. Line breaks
/// and other control characters cannot be written portably, so they are refused (by name:
/// the value may be the secret).
fn quote(name: &str, value: &str) -> Result<Zeroizing<String>> {
    if value.chars().any(char::is_control) {
        return Err(Error::usage(format!(
            "{name} holds a line break or control character and cannot be written to a .env file"
        )));
    }
    if !value.contains('\'') {
        return Ok(Zeroizing::new(format!("'{value}'")));
    }
    let mut quoted = Zeroizing::new(String::with_capacity(value.len() + 2));
    quoted.push('"');
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    Ok(quoted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::secrets::Credentials;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    use secrecy::SecretString;

    use crate::auth::keys::PrivateKey;
    use crate::error::ExitCode;
    use crate::ids::AppId;
    use crate::onboard::context::Source;
    use crate::store::apps::save_private_key;

    use crate::auth::fixtures::{APP as ID, KEY as PKCS8};
    const SECRET: &str = "Sup3rS3cretValue";

    struct Env {
        dir: tempfile::TempDir,
        home: Home,
        profile: ProfileName,
    }

    /// A profile with an API key, its secret and a current application with its key.
    fn env() -> (Env, AppContext) {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("store"));
        let profile = ProfileName::default();
        let mut config = Config::default();
        config.profile_mut(&profile).api_key = Some("abcd1234".into());
        config.save(&home).unwrap();
        let mut credentials = Credentials::default();
        credentials.set(&profile, SecretString::from(SECRET));
        credentials.save(&home).unwrap();
        let id = AppId::parse(ID).unwrap();
        let key_path = home.private_key_file(&profile, &id);
        save_private_key(&key_path, &PrivateKey::from_pem(PKCS8).unwrap()).unwrap();
        let app = AppContext {
            id,
            key_path,
            source: Source::Profile,
        };
        (Env { dir, home, profile }, app)
    }

    impl Env {
        fn export(&self, app: Option<&AppContext>, out: &Path, secret: bool) -> Result<EnvExport> {
            export_env(&self.home, &self.profile, app, out, secret)
        }
    }

    #[test]
    fn writes_the_known_variables_in_order_without_the_secret() {
        let (e, app) = env();
        let out = e.dir.path().join(".env");
        let written = e.export(Some(&app), &out, false).unwrap();
        assert_eq!(written.path, out);
        assert_eq!(
            written.variables,
            [
                "VONAGE_API_KEY",
                "VONAGE_APPLICATION_ID",
                "VONAGE_PRIVATE_KEY_PATH"
            ]
        );
        let text = fs::read_to_string(&out).unwrap();
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            lines,
            [
                "VONAGE_API_KEY='abcd1234'".to_owned(),
                format!("VONAGE_APPLICATION_ID='{ID}'"),
                format!("VONAGE_PRIVATE_KEY_PATH='{}'", app.key_path.display()),
            ]
        );
        assert!(app.key_path.is_absolute());
        assert!(!text.contains(SECRET) && !text.contains("SECRET"));
        assert_eq!(
            fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn the_secret_is_written_only_when_asked_in_a_0600_file() {
        let (e, _) = env();
        let out = e.dir.path().join("with-secret.env");
        let written = e.export(None, &out, true).unwrap();
        assert_eq!(written.variables, ["VONAGE_API_KEY", "VONAGE_API_SECRET"]);
        let text = fs::read_to_string(&out).unwrap();
        assert!(
            text.contains(&format!("\nVONAGE_API_SECRET='{SECRET}'\n")),
            "{text}"
        );
        assert_eq!(
            fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(!format!("{written:?}").contains(SECRET));
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let (e, app) = env();
        let out = e.dir.path().join(".env");
        fs::write(&out, "KEEP=me\n").unwrap();
        let err = e.export(Some(&app), &out, true).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::Usage);
        assert!(err.to_string().contains("already exists"), "{err}");
        assert!(!err.to_string().contains(SECRET));
        assert_eq!(fs::read_to_string(&out).unwrap(), "KEEP=me\n");
    }

    #[test]
    fn values_with_quotes_and_spaces_read_back_unchanged_in_sh() {
        let (e, app) = env();
        let odd_dir = e.dir.path().join("it's a \"dir\" $HOME `x`");
        fs::create_dir_all(&odd_dir).unwrap();
        let key_path = odd_dir.join("private.key");
        fs::copy(&app.key_path, &key_path).unwrap();
        let app = AppContext { key_path, ..app };
        let out = e.dir.path().join("odd.env");
        e.export(Some(&app), &out, false).unwrap();
        let printed = std::process::Command::new("sh")
            .arg("-c")
            .arg(r#". "$1" && printf '%s' "$VONAGE_PRIVATE_KEY_PATH""#)
            .arg("sh")
            .arg(&out)
            .output()
            .unwrap();
        assert!(printed.status.success());
        assert_eq!(
            String::from_utf8(printed.stdout).unwrap(),
            app.key_path.to_str().unwrap()
        );

        assert_eq!(&*quote("X", "a b").unwrap(), "'a b'");
        assert_eq!(&*quote("X", "it's").unwrap(), "\"it's\"");
        assert_eq!(&*quote("X", r#"it's "$x""#).unwrap(), r#""it's \"\$x\"""#);
        let err = quote("VONAGE_API_SECRET", "a\nb").unwrap_err();
        assert!(err.to_string().contains("VONAGE_API_SECRET"));
    }

    #[test]
    fn nothing_known_or_no_secret_stored_is_a_usage_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("store"));
        let profile = ProfileName::default();
        let out = dir.path().join(".env");
        let err = export_env(&home, &profile, None, &out, false).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::Usage);
        assert!(err.to_string().contains("setup"), "{err}");
        let err = export_env(&home, &profile, None, &out, true).unwrap_err();
        assert!(err.to_string().contains("no stored API secret"), "{err}");
        assert!(!out.exists());
    }

    #[test]
    fn a_missing_key_file_is_refused() {
        let (e, app) = env();
        fs::remove_file(&app.key_path).unwrap();
        let out = e.dir.path().join(".env");
        let err = e.export(Some(&app), &out, false).unwrap_err();
        assert!(err.to_string().contains("app use"), "{err}");
        assert!(!out.exists());
    }
}
