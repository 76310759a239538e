//! Where a profile's API secret lives: the OS keyring or `credentials.toml`, behind one trait.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use secrecy::{ExposeSecret, SecretString};

use super::paths::{Home, ProfileName};
use super::secrets::Credentials;
use crate::error::{Error, Result};

/// The keyring service every entry of this tool is filed under.
pub const SERVICE: &str = "vonage-onboard";

/// Which store holds a profile's secret; `config.toml` records it (never the secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    Keyring,
    File,
}

/// A place that keeps API secrets by profile and key. Absent entries are `None`, not errors.
pub trait SecretStore {
    fn kind(&self) -> StoreKind;
    fn get(&self, profile: &ProfileName, api_key: &str) -> Result<Option<SecretString>>;
    fn put(&self, profile: &ProfileName, api_key: &str, secret: &SecretString) -> Result<()>;
    /// Removes the entry; one that is not there is not an error.
    fn delete(&self, profile: &ProfileName, api_key: &str) -> Result<()>;
}

/// `credentials.toml` (0600, atomic writes); one secret per profile, whatever the key.
pub struct FileStore<'a> {
    pub home: &'a Home,
}

impl SecretStore for FileStore<'_> {
    fn kind(&self) -> StoreKind {
        StoreKind::File
    }

    fn get(&self, profile: &ProfileName, _api_key: &str) -> Result<Option<SecretString>> {
        Ok(Credentials::load(self.home)?.get(profile).cloned())
    }

    fn put(&self, profile: &ProfileName, _api_key: &str, secret: &SecretString) -> Result<()> {
        let mut credentials = Credentials::load(self.home)?;
        credentials.set(profile, secret.clone());
        credentials.save(self.home)
    }

    fn delete(&self, profile: &ProfileName, _api_key: &str) -> Result<()> {
        let mut credentials = Credentials::load(self.home)?;
        if credentials.remove(profile) {
            credentials.save(self.home)?;
        }
        Ok(())
    }
}

/// The OS keyring (Secret Service, Keychain, Credential Manager): service `vonage-onboard`,
/// account `<profile>:<api_key>`.
#[derive(Default)]
pub struct KeyringStore {
    builder: Option<Box<keyring::credential::CredentialBuilder>>,
    /// Entries opened by this store, reused: a mock credential shares nothing between two
    /// entries of the same name, and a real one costs a bus round trip to open.
    entries: Mutex<HashMap<String, Arc<keyring::Entry>>>,
}

impl KeyringStore {
    /// A store on the given credential builder (keyring's mock, in tests).
    pub fn with_builder(builder: Box<keyring::credential::CredentialBuilder>) -> Self {
        KeyringStore {
            builder: Some(builder),
            entries: Mutex::default(),
        }
    }

    /// A store on keyring's in-memory mock (unit tests).
    #[cfg(test)]
    pub fn mock() -> Self {
        Self::with_builder(keyring::mock::default_credential_builder())
    }

    pub fn account(profile: &ProfileName, api_key: &str) -> String {
        format!("{}:{api_key}", profile.as_str())
    }

    fn entry(&self, profile: &ProfileName, api_key: &str) -> Result<Arc<keyring::Entry>> {
        let account = Self::account(profile, api_key);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = entries.get(&account) {
            return Ok(entry.clone());
        }
        let entry = match &self.builder {
            None => keyring::Entry::new(SERVICE, &account),
            Some(builder) => builder
                .build(None, SERVICE, &account)
                .map(keyring::Entry::new_with_credential),
        }
        .map_err(|e| keyring_error("open", e))?;
        let entry = Arc::new(entry);
        entries.insert(account, entry.clone());
        Ok(entry)
    }

    /// Makes the next call on this entry fail as a locked keyring would (mock builder only).
    #[cfg(test)]
    pub fn refuse_next(&self, profile: &ProfileName, api_key: &str) {
        let entry = self.entry(profile, api_key).expect("mock entries open");
        let mock: &keyring::mock::MockCredential = entry
            .get_credential()
            .downcast_ref()
            .expect("a mock credential");
        mock.set_error(keyring::Error::NoStorageAccess(
            "the keyring is locked".into(),
        ));
    }
}

impl SecretStore for KeyringStore {
    fn kind(&self) -> StoreKind {
        StoreKind::Keyring
    }

    fn get(&self, profile: &ProfileName, api_key: &str) -> Result<Option<SecretString>> {
        match self.entry(profile, api_key)?.get_password() {
            Ok(secret) => Ok(Some(SecretString::from(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error("read from", e)),
        }
    }

    fn put(&self, profile: &ProfileName, api_key: &str, secret: &SecretString) -> Result<()> {
        self.entry(profile, api_key)?
            .set_password(secret.expose_secret())
            .map_err(|e| keyring_error("write to", e))
    }

    fn delete(&self, profile: &ProfileName, api_key: &str) -> Result<()> {
        match self.entry(profile, api_key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error("delete from", e)),
        }
    }
}

/// A keyring failure in one sentence. Never the error's payload where it could hold the
/// secret (`BadEncoding` carries the stored bytes).
fn keyring_error(action: &str, e: keyring::Error) -> Error {
    let why = match e {
        keyring::Error::BadEncoding(_) => "the stored entry is not text".to_owned(),
        keyring::Error::NoStorageAccess(cause) => format!("it refused access ({cause})"),
        keyring::Error::PlatformFailure(cause) => format!("it did not answer ({cause})"),
        other => other.to_string(),
    };
    Error::Other(format!("could not {action} the system keyring: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyring_store_round_trips_deletes_and_names_its_account() {
        let store = KeyringStore::mock();
        let profile = ProfileName::parse("work").unwrap();
        assert_eq!(KeyringStore::account(&profile, "abcd1234"), "work:abcd1234");
        assert!(store.get(&profile, "abcd1234").unwrap().is_none());
        store
            .put(&profile, "abcd1234", &SecretString::from("s3cr3t"))
            .unwrap();
        let got = store.get(&profile, "abcd1234").unwrap().unwrap();
        assert_eq!(got.expose_secret(), "s3cr3t");
        assert!(store.get(&profile, "other999").unwrap().is_none());
        store.delete(&profile, "abcd1234").unwrap();
        assert!(store.get(&profile, "abcd1234").unwrap().is_none());
        store.delete(&profile, "abcd1234").unwrap();
    }

    #[test]
    fn a_refusing_keyring_is_an_error_that_names_it_and_not_the_secret() {
        let store = KeyringStore::mock();
        let profile = ProfileName::default();
        store.refuse_next(&profile, "abcd1234");
        let err = store
            .put(&profile, "abcd1234", &SecretString::from("s3cr3t"))
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("system keyring") && message.contains("locked"),
            "{message}"
        );
        assert!(!message.contains("s3cr3t"));
        assert!(store.get(&profile, "abcd1234").unwrap().is_none());
    }

    #[test]
    fn the_file_store_deletes_only_its_profile() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let store = FileStore { home: &home };
        let work = ProfileName::parse("work").unwrap();
        let default = ProfileName::default();
        store.put(&work, "k", &SecretString::from("a")).unwrap();
        store.put(&default, "k", &SecretString::from("b")).unwrap();
        store.delete(&work, "k").unwrap();
        assert!(store.get(&work, "k").unwrap().is_none());
        let kept = store.get(&default, "k").unwrap().unwrap();
        assert_eq!(kept.expose_secret(), "b");
    }
}
