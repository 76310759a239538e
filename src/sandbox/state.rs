//! The sandbox's data (credentials, applications, their users) behind one mutex, and its
//! optional persistence to a JSON file written atomically after every change.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::errors::{ApiError, Style};
use crate::bounded::ReadError;
use crate::error::{Error, Result};
use crate::store::atomic;

/// A user of one application.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserRecord {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Value>,
    /// Unix seconds.
    pub created: u64,
    pub updated: u64,
    /// Creation order across the whole sandbox; what list cursors point at, so paging stays
    /// stable when users are added or deleted between pages.
    pub seq: u64,
}

/// An application: only its public key is kept (a generated private key is handed out once).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppRecord {
    pub id: String,
    pub name: String,
    pub public_key: String,
    pub capabilities: Value,
    pub privacy: Value,
    #[serde(default)]
    pub users: Vec<UserRecord>,
}

/// Everything that changes at run time.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Data {
    pub applications: Vec<AppRecord>,
    #[serde(default)]
    pub next_seq: u64,
}

impl Data {
    pub fn app(&self, id: &str) -> Option<&AppRecord> {
        self.applications.iter().find(|a| a.id == id)
    }

    pub fn app_mut(&mut self, id: &str) -> Option<&mut AppRecord> {
        self.applications.iter_mut().find(|a| a.id == id)
    }

    pub fn take_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }
}

impl AppRecord {
    /// A user by id or, failing that, by name (`/v1/users/{id or name}`).
    pub fn user(&self, id_or_name: &str) -> Option<&UserRecord> {
        self.user_index(id_or_name).map(|index| &self.users[index])
    }

    /// Where [`user`](AppRecord::user) is in `users`.
    pub fn user_index(&self, id_or_name: &str) -> Option<usize> {
        self.users
            .iter()
            .position(|u| u.id == id_or_name)
            .or_else(|| self.users.iter().position(|u| u.name == id_or_name))
    }
}

/// The file format: credentials beside the data, so a restart keeps the same pair.
#[derive(Serialize, Deserialize)]
struct StateFile {
    version: u32,
    api_key: String,
    api_secret: String,
    #[serde(flatten)]
    data: Data,
}

const FILE_VERSION: u32 = 1;

/// The shared store: the seeded credentials and the data behind a mutex.
pub struct Store {
    api_key: String,
    api_secret: SecretString,
    file: Option<PathBuf>,
    data: Mutex<Data>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("api_key", &self.api_key)
            .field("api_secret", &"redacted")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store: loads `file` when it exists (a corrupt file is an error and is left
    /// as it is), applies or generates credentials, and writes the file at once so the
    /// printed credentials survive a restart even before the first change.
    pub fn open(file: Option<&Path>, credentials: Option<(String, SecretString)>) -> Result<Self> {
        let loaded = match file {
            Some(path) => load(path)?,
            None => None,
        };
        let (data, persisted) = match loaded {
            Some(state) => (
                state.data,
                Some((state.api_key, SecretString::from(state.api_secret))),
            ),
            None => (Data::default(), None),
        };
        let (api_key, api_secret) = match credentials.or(persisted) {
            Some(pair) => pair,
            None => random_credentials()?,
        };
        let store = Store {
            api_key,
            api_secret,
            file: file.map(Path::to_path_buf),
            data: Mutex::new(data),
        };
        if let Some(path) = &store.file {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                atomic::ensure_private_dir(dir)?;
            }
            store.save(path, &store.lock())?;
        }
        Ok(store)
    }

    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    pub fn api_secret(&self) -> &SecretString {
        &self.api_secret
    }

    fn lock(&self) -> MutexGuard<'_, Data> {
        // Handlers never panic while holding the lock, but if one did, the data is still
        // consistent (changes are swapped in whole), so keep serving rather than cascade.
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the data.
    pub fn read<T>(&self, f: impl FnOnce(&Data) -> T) -> T {
        f(&self.lock())
    }

    /// Changes the data all-or-nothing: `f` works on a copy, which is saved (when a state
    /// file is set) and only then swapped in. A refused change or a failed save leaves both
    /// memory and file as they were.
    pub fn update<T>(
        &self,
        style: Style,
        f: impl FnOnce(&mut Data) -> std::result::Result<T, ApiError>,
    ) -> std::result::Result<T, ApiError> {
        let mut guard = self.lock();
        let mut next = guard.clone();
        let out = f(&mut next)?;
        if let Some(path) = &self.file {
            self.save(path, &next).map_err(|_| {
                ApiError::internal(style, "The sandbox could not save its state file.")
            })?;
        }
        *guard = next;
        Ok(out)
    }

    fn save(&self, path: &Path, data: &Data) -> Result<()> {
        let state = StateFile {
            version: FILE_VERSION,
            api_key: self.api_key.clone(),
            api_secret: self.api_secret.expose_secret().to_owned(),
            data: data.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&state)
            .map_err(|e| Error::Other(format!("could not encode the sandbox state: {e}")))?;
        bytes.push(b'\n');
        // 0600: the file holds the sandbox's api secret.
        atomic::write_private(path, &bytes)
    }
}

/// The largest state file read (`--state` may name anything, a device included).
const MAX_STATE_FILE: usize = 64 << 20;

fn load(path: &Path) -> Result<Option<StateFile>> {
    let bytes = match crate::bounded::read_file(path, MAX_STATE_FILE) {
        Ok(bytes) => bytes,
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(ReadError::Io(e)) => return Err(Error::io("read", path, e)),
        Err(e) => return Err(e.for_file(path, "a sandbox state file")),
    };
    let corrupt = |message: String| Error::Corrupt {
        path: path.to_path_buf(),
        message,
    };
    let state: StateFile = serde_json::from_slice(&bytes)
        .map_err(|e| corrupt(format!("not a sandbox state file ({e})")))?;
    if state.version != FILE_VERSION {
        return Err(corrupt(format!(
            "state file version {} is not {FILE_VERSION}",
            state.version
        )));
    }
    if state.api_key.is_empty() || state.api_secret.is_empty() {
        return Err(corrupt("the api key or secret is empty".into()));
    }
    Ok(Some(state))
}

/// A key like Vonage's (8 lowercase hex digits) and a 16-character alphanumeric secret.
fn random_credentials() -> Result<(String, SecretString)> {
    const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let random = |buf: &mut [u8]| {
        aws_lc_rs::rand::fill(buf)
            .map_err(|_| Error::Other("could not generate random sandbox credentials".into()))
    };
    let mut key = [0u8; 4];
    random(&mut key)?;
    let api_key: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let mut secret = String::with_capacity(16);
    while secret.len() < 16 {
        let mut bytes = [0u8; 32];
        random(&mut bytes)?;
        // Rejection sampling: 248 = 4 * 62, so every character is equally likely.
        secret.extend(
            bytes
                .iter()
                .filter(|b| **b < 248)
                .map(|b| char::from(ALPHANUMERIC[usize::from(*b) % ALPHANUMERIC.len()]))
                .take(16 - secret.len()),
        );
    }
    Ok((api_key, SecretString::from(secret)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_credentials_look_like_vonage_ones() {
        let (key, secret) = random_credentials().unwrap();
        assert_eq!(key.len(), 8);
        assert!(
            key.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        let secret = secret.expose_secret();
        assert_eq!(secret.len(), 16);
        assert!(secret.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(random_credentials().unwrap().0, key);
    }

    #[test]
    fn a_refused_update_changes_nothing() {
        let store = Store::open(None, None).unwrap();
        let result: std::result::Result<(), ApiError> = store.update(Style::Users, |data| {
            data.take_seq();
            Err(ApiError::user_not_found())
        });
        assert!(result.is_err());
        assert_eq!(store.read(|d| d.next_seq), 0);
    }

    #[test]
    fn state_round_trips_and_corruption_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.json");
        let store = Store::open(
            Some(&path),
            Some(("abcd1234".into(), SecretString::from("s3cretS3cretS3cr"))),
        )
        .unwrap();
        store
            .update(Style::Application, |d| {
                d.take_seq();
                Ok(())
            })
            .unwrap();
        let again = Store::open(Some(&path), None).unwrap();
        assert_eq!(again.api_key(), "abcd1234");
        assert_eq!(again.api_secret().expose_secret(), "s3cretS3cretS3cr");
        assert_eq!(again.read(|d| d.next_seq), 1);

        std::fs::write(&path, b"{not json").unwrap();
        let err = Store::open(Some(&path), None).unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }));
        assert!(err.to_string().contains("state.json"));
        assert_eq!(std::fs::read(&path).unwrap(), b"{not json");
    }
}
