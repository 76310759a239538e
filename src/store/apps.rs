//! The per-application folder `profiles/<profile>/apps/<app-id>/`: `private.key` (0600, never
//! overwritten) and `app.json` (name, capabilities, public key).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::{write_private, write_private_new};
use super::paths::{Home, ProfileName};
use crate::auth::keys::PrivateKey;
use crate::error::Result;
use crate::ids::AppId;

/// What we remember of an application besides its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppRecord {
    pub id: AppId,
    pub name: String,
    /// SPKI PEM, as the Application API returns it.
    pub public_key: String,
    #[serde(default)]
    pub capabilities: serde_json::Value,
}

/// Saves a private key where it can never overwrite another; returns its path.
pub fn save_private_key(path: &Path, key: &PrivateKey) -> Result<()> {
    write_private_new(path, key.to_pkcs8_pem().as_bytes())
}

/// The stored key of an application of this profile.
pub fn private_key_path(home: &Home, profile: &ProfileName, id: &AppId) -> PathBuf {
    home.private_key_file(profile, id)
}

pub fn save_record(home: &Home, profile: &ProfileName, record: &AppRecord) -> Result<()> {
    let text = serde_json::to_string_pretty(record).expect("records always serialize");
    write_private(&home.app_record_file(profile, &record.id), text.as_bytes())
}

pub fn load_record(home: &Home, profile: &ProfileName, id: &AppId) -> Result<Option<AppRecord>> {
    let path = home.app_record_file(profile, id);
    if !path.exists() {
        return Ok(None);
    }
    super::load_json::<Option<AppRecord>>(&path)
}
