//! `credentials.toml` (0600): the API secret of each profile, kept apart from `config.toml`.
//! The file backend of `secret_store` (the keyring is the other); the headless fallback.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};

use super::atomic::write_private;
use super::paths::{Home, ProfileName};
use crate::error::Result;

/// API secrets by profile. `Debug` shows only redaction markers.
#[derive(Debug, Default)]
pub struct Credentials {
    secrets: BTreeMap<String, SecretString>,
}

#[derive(serde::Deserialize, serde::Serialize, Default)]
#[serde(deny_unknown_fields)]
struct Entry {
    api_secret: String,
}

impl Credentials {
    pub fn load(home: &Home) -> Result<Self> {
        let file: BTreeMap<String, Entry> = super::load_toml(&home.credentials_file())?;
        Ok(Credentials {
            secrets: file
                .into_iter()
                .map(|(profile, e)| (profile, SecretString::from(e.api_secret)))
                .collect(),
        })
    }

    pub fn save(&self, home: &Home) -> Result<()> {
        home.prepare()?;
        let file: BTreeMap<&str, Entry> = self
            .secrets
            .iter()
            .map(|(p, s)| {
                let api_secret = s.expose_secret().to_owned();
                (p.as_str(), Entry { api_secret })
            })
            .collect();
        let text = secrecy::zeroize::Zeroizing::new(
            toml::to_string(&file).expect("credentials always serialize"),
        );
        write_private(&home.credentials_file(), text.as_bytes())
    }

    pub fn get(&self, profile: &ProfileName) -> Option<&SecretString> {
        self.secrets.get(profile.as_str())
    }

    pub fn set(&mut self, profile: &ProfileName, secret: SecretString) {
        self.secrets.insert(profile.as_str().to_owned(), secret);
    }

    /// Forgets the profile's secret; whether there was one.
    pub fn remove(&mut self, profile: &ProfileName) -> bool {
        self.secrets.remove(profile.as_str()).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn an_existing_open_home_is_narrowed_before_a_secret_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("home");
        std::fs::create_dir(&root).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut creds = Credentials::default();
        creds.set(&ProfileName::default(), SecretString::from("x"));
        creds.save(&Home::at(&root)).unwrap();
        let mode = std::fs::metadata(&root).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn secrets_round_trip_in_a_0600_file_and_never_show_in_debug() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("home"));
        let profile = ProfileName::default();
        let mut creds = Credentials::default();
        creds.set(&profile, SecretString::from("s3cr3t-value"));
        creds.save(&home).unwrap();

        let mode = std::fs::metadata(home.credentials_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(home.root()).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);

        let loaded = Credentials::load(&home).unwrap();
        assert_eq!(
            loaded.get(&profile).unwrap().expose_secret(),
            "s3cr3t-value"
        );
        assert!(!format!("{loaded:?}").contains("s3cr3t"));
    }
}
