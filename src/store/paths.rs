//! Where everything lives under the home directory (SPEC §2.3), and name checks for path parts.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ids::AppId;

/// The home directory and the layout below it.
#[derive(Debug, Clone)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// `--home` / `VONAGE_ONBOARD_HOME` when given, else the platform config directory.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self> {
        let root = match explicit {
            Some(dir) if dir.as_os_str().is_empty() => {
                return Err(Error::usage("--home is empty: give a directory"));
            }
            Some(dir) => dir.to_path_buf(),
            None => directories::ProjectDirs::from("", "", "vonage-onboard")
                .map(|dirs| dirs.config_dir().to_path_buf())
                .ok_or_else(|| {
                    Error::usage(
                        "cannot find a home directory: pass --home DIR or set VONAGE_ONBOARD_HOME",
                    )
                })?,
        };
        Ok(Home { root })
    }

    pub fn at(root: impl Into<PathBuf>) -> Self {
        Home { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates the home directory 0700, or narrows an existing one to 0700 (it holds secrets),
    /// before anything is written in it.
    pub fn prepare(&self) -> Result<()> {
        use std::os::unix::fs::PermissionsExt;
        crate::store::atomic::ensure_private_dir(&self.root)?;
        let meta = std::fs::metadata(&self.root).map_err(|e| Error::io("read", &self.root, e))?;
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(&self.root, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| Error::io("restrict the permissions of", &self.root, e))?;
        }
        Ok(())
    }

    pub fn config_file(&self) -> PathBuf {
        self.root.join("config.toml")
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.root.join("credentials.toml")
    }

    pub fn profile_dir(&self, profile: &ProfileName) -> PathBuf {
        self.root.join("profiles").join(profile.as_str())
    }

    pub fn state_file(&self, profile: &ProfileName) -> PathBuf {
        self.profile_dir(profile).join("state.json")
    }

    pub fn app_dir(&self, profile: &ProfileName, app_id: &AppId) -> PathBuf {
        self.profile_dir(profile).join("apps").join(app_id.as_str())
    }

    pub fn private_key_file(&self, profile: &ProfileName, app_id: &AppId) -> PathBuf {
        self.app_dir(profile, app_id).join("private.key")
    }

    pub fn app_record_file(&self, profile: &ProfileName, app_id: &AppId) -> PathBuf {
        self.app_dir(profile, app_id).join("app.json")
    }
}

/// A profile name: it becomes a directory name, so only `[A-Za-z0-9_-]`, 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileName(String);

impl ProfileName {
    pub fn parse(name: &str) -> Result<Self> {
        let ok = (1..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(ProfileName(name.to_owned()))
        } else {
            Err(Error::usage(format!(
                "profile name {name:?} is not valid: use 1 to 64 letters, digits, '-' or '_'"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ProfileName {
    fn default() -> Self {
        ProfileName("default".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_that_could_escape_the_home_are_refused() {
        for bad in ["", "../x", "a/b", "a b", ".", &"x".repeat(65)] {
            assert!(ProfileName::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(ProfileName::parse("work-2_b").unwrap().as_str(), "work-2_b");
    }
}
