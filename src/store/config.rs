//! `config.toml`: one table per profile with the API key, API host and current application.
//! It holds no secret (those are in the keyring or `credentials.toml`; it records which), but is written 0600 all the same.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::atomic::write_private;
use super::paths::{Home, ProfileName};
use crate::error::Result;
use crate::ids::AppId;
use crate::region::Region;

/// The whole `config.toml`.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One stored account.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_application: Option<AppId>,
    /// Which store holds the secret (absent: `credentials.toml`, as before keyrings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_store: Option<super::secret_store::StoreKind>,
}

impl Config {
    pub fn load(home: &Home) -> Result<Self> {
        super::load_toml(&home.config_file())
    }

    pub fn save(&self, home: &Home) -> Result<()> {
        home.prepare()?;
        let text = toml::to_string_pretty(self).expect("config always serializes");
        write_private(&home.config_file(), text.as_bytes())
    }

    /// Load → change → save under the home's write lock (see `State::update`). Saved only
    /// when `change` succeeded and changed something.
    pub fn update<T>(home: &Home, change: impl FnOnce(&mut Config) -> Result<T>) -> Result<T> {
        let _lock = super::lock::lock(home)?;
        let mut config = Config::load(home)?;
        let before = config.clone();
        let out = change(&mut config)?;
        if config != before {
            config.save(home)?;
        }
        Ok(out)
    }

    pub fn profile(&self, name: &ProfileName) -> Option<&Profile> {
        self.profiles.get(name.as_str())
    }

    pub fn profile_mut(&mut self, name: &ProfileName) -> &mut Profile {
        self.profiles.entry(name.as_str().to_owned()).or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn round_trip_and_corrupt_file_is_reported_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let profile = ProfileName::default();
        assert_eq!(Config::load(&home).unwrap(), Config::default());

        let mut config = Config::default();
        config.profile_mut(&profile).api_key = Some("abcd1234".into());
        config.profile_mut(&profile).region = Some(Region::Eu);
        config.save(&home).unwrap();
        assert_eq!(Config::load(&home).unwrap(), config);

        let broken = "[profiles.default]\napi_key = \"x\"\napi_kye = \"typo\"\n";
        std::fs::write(home.config_file(), broken).unwrap();
        let err = Config::load(&home).unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }));
        let message = err.to_string();
        assert!(
            message.contains("config.toml") && message.contains("line 3"),
            "{message}"
        );
        assert_eq!(std::fs::read_to_string(home.config_file()).unwrap(), broken);
    }
}
