//! Which application (and so which private key) a command works with: the environment
//! (`VONAGE_APPLICATION_ID` + `VONAGE_PRIVATE_KEY_PATH`, as Vonage's SDKs read them) first,
//! then the profile's current application.

use std::path::{Path, PathBuf};

use crate::auth::jwt::Signer;
use crate::auth::keys::PrivateKey;
use crate::error::{Error, Result};
use crate::ids::AppId;
use crate::store::config::Config;
use crate::store::paths::{Home, ProfileName};

/// Where the application context came from, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Environment,
    Profile,
}

/// The application a command acts on and where its private key is.
#[derive(Debug, Clone)]
pub struct AppContext {
    pub id: AppId,
    pub key_path: PathBuf,
    pub source: Source,
}

impl AppContext {
    /// Resolves the context from explicit values (the environment) or the stored profile.
    pub fn resolve(
        home: &Home,
        profile: &ProfileName,
        app_id: Option<&str>,
        key_path: Option<&Path>,
    ) -> Result<Self> {
        match (app_id, key_path) {
            (Some(id), Some(path)) => Ok(AppContext {
                id: AppId::parse(id)
                    .map_err(|e| Error::usage(format!("VONAGE_APPLICATION_ID: {e}")))?,
                key_path: path.to_path_buf(),
                source: Source::Environment,
            }),
            (Some(id), None) => {
                let id = AppId::parse(id)
                    .map_err(|e| Error::usage(format!("VONAGE_APPLICATION_ID: {e}")))?;
                let key_path = home.private_key_file(profile, &id);
                if !key_path.exists() {
                    return Err(Error::usage(format!(
                        "no private key is stored for application {id}: set VONAGE_PRIVATE_KEY_PATH to its key file"
                    )));
                }
                Ok(AppContext {
                    id,
                    key_path,
                    source: Source::Environment,
                })
            }
            (None, Some(_)) => Err(Error::usage(
                "VONAGE_PRIVATE_KEY_PATH is set but VONAGE_APPLICATION_ID is not: set both",
            )),
            (None, None) => Self::from_profile(home, profile),
        }
    }

    fn from_profile(home: &Home, profile: &ProfileName) -> Result<Self> {
        let config = Config::load(home)?;
        let id = config
            .profile(profile)
            .and_then(|p| p.current_application.clone())
            .ok_or_else(|| {
                Error::usage(format!(
                    "profile {:?} has no current application: create one with `vonage-onboard app create NAME`, \
                     or set VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY_PATH",
                    profile.as_str()
                ))
            })?;
        Ok(AppContext {
            key_path: home.private_key_file(profile, &id),
            id,
            source: Source::Profile,
        })
    }

    /// Loads the private key and returns a signer for this application.
    pub fn signer(&self) -> Result<Signer> {
        Ok(Signer::new(
            self.id.clone(),
            PrivateKey::load(&self.key_path)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_wins_and_half_an_environment_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let p = ProfileName::default();
        let id = crate::auth::fixtures::APP;
        let ctx = AppContext::resolve(&home, &p, Some(id), Some(Path::new("k.pem"))).unwrap();
        assert_eq!(ctx.source, Source::Environment);
        assert!(AppContext::resolve(&home, &p, None, Some(Path::new("k.pem"))).is_err());
        assert!(AppContext::resolve(&home, &p, Some("nope"), Some(Path::new("k"))).is_err());
        let none = AppContext::resolve(&home, &p, None, None).unwrap_err();
        assert!(
            none.to_string().contains("no current application"),
            "{none}"
        );
    }
}
