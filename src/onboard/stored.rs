//! What a profile holds, read for the wizard to resume from: the API key and whether a secret
//! is stored, the region, the current application (resolved as the commands resolve it) and
//! its known users with their recipes and last tokens. A damaged `app.json` is reported by
//! name in `problems`, not fatal; damaged config, credentials or state files are errors.

use std::path::PathBuf;

use crate::error::Result;
use crate::ids::AppId;
use crate::region::Region;
use crate::store::apps::load_record;
use crate::store::config::Config;
use crate::store::paths::{Home, ProfileName};
use crate::store::secrets::Credentials;
use crate::store::state::{Recipe, State, StoredToken};
use crate::vonage::ApiCredentials;

use super::context::AppContext;

/// A profile's stored work.
#[derive(Debug, Clone, Default)]
pub struct Stored {
    /// The environment's key first, then the profile's.
    pub api_key: Option<String>,
    /// A secret is at hand: from the environment or stored.
    pub has_secret: bool,
    pub region: Option<Region>,
    pub current_app: Option<StoredApp>,
    /// The current application's users we know of, by name.
    pub users: Vec<KnownUser>,
    /// Damaged files met, each message naming its file (left untouched).
    pub problems: Vec<String>,
}

/// The current application, when its private key is where the context says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApp {
    pub id: AppId,
    /// From `app.json`; the id when there is no record.
    pub name: String,
    pub key_path: PathBuf,
}

/// A user recorded in the state file.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownUser {
    pub name: String,
    pub id: Option<String>,
    /// As stored, or the default recipe.
    pub recipe: Recipe,
    pub last_token: Option<StoredToken>,
}

/// Reads what is stored. `env` is the environment's pair (it wins, as for the commands);
/// `context` the resolved application, if any (`AppContext::resolve`).
pub fn load(
    home: &Home,
    profile: &ProfileName,
    env: Option<&ApiCredentials>,
    context: Option<AppContext>,
) -> Result<Stored> {
    let config = Config::load(home)?;
    let stored = config.profile(profile).cloned().unwrap_or_default();
    // A keyring profile is taken at the config's word here (no keyring round trip to draw a
    // screen); a lost entry is reported when the secret is read.
    let in_keyring = stored.api_key.is_some()
        && stored.secret_store == Some(crate::store::secret_store::StoreKind::Keyring);
    let has_secret = env.is_some() || in_keyring || Credentials::load(home)?.get(profile).is_some();
    let context = context.filter(|c| c.key_path.exists());
    let mut problems = Vec::new();
    let current_app = context.map(|c| {
        // A damaged app.json is reported by name, not silently replaced by the id.
        let name = match load_record(home, profile, &c.id) {
            Ok(record) => record.map(|r| r.name),
            Err(e) => {
                problems.push(e.to_string());
                None
            }
        };
        StoredApp {
            name: name.unwrap_or_else(|| c.id.to_string()),
            id: c.id,
            key_path: c.key_path,
        }
    });
    let users = match &current_app {
        Some(app) => known_users(home, profile, &app.id)?,
        None => Vec::new(),
    };
    Ok(Stored {
        api_key: env.map(|c| c.api_key.clone()).or(stored.api_key),
        has_secret,
        region: stored.region,
        current_app,
        users,
        problems,
    })
}

/// The users recorded for one application, with their recipes and last tokens: what the
/// wizard shows again when that application becomes current.
pub fn known_users(home: &Home, profile: &ProfileName, app: &AppId) -> Result<Vec<KnownUser>> {
    let state = State::load(home, profile)?;
    Ok(state
        .apps
        .get(app)
        .map(|app| {
            app.users
                .iter()
                .map(|(name, record)| KnownUser {
                    name: name.clone(),
                    id: record.id.clone(),
                    recipe: record.recipe.clone().unwrap_or_default(),
                    last_token: record.last_token.clone(),
                })
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboard::context::Source;
    use crate::store::apps::{AppRecord, save_record};

    #[test]
    fn the_environment_wins_and_a_damaged_record_is_a_problem_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let profile = ProfileName::default();
        assert!(load(&home, &profile, None, None).unwrap().api_key.is_none());

        let id = crate::auth::fixtures::app_id();
        let mut config = Config::default();
        config.profile_mut(&profile).api_key = Some("stored12".into());
        config.save(&home).unwrap();
        let key_path = home.private_key_file(&profile, &id);
        std::fs::create_dir_all(key_path.parent().unwrap()).unwrap();
        std::fs::write(&key_path, "not read here").unwrap();
        let context = || AppContext {
            id: id.clone(),
            key_path: key_path.clone(),
            source: Source::Profile,
        };
        let record = AppRecord {
            id: id.clone(),
            name: "demo".into(),
            public_key: String::new(),
            capabilities: serde_json::Value::Null,
        };
        save_record(&home, &profile, &record).unwrap();
        State::update(&home, &profile, |s| {
            s.app_mut(&id).users.entry("alice".into()).or_default();
            Ok(())
        })
        .unwrap();

        let stored = load(&home, &profile, None, Some(context())).unwrap();
        assert_eq!(stored.api_key.as_deref(), Some("stored12"));
        assert!(!stored.has_secret);
        assert_eq!(stored.current_app.as_ref().unwrap().name, "demo");
        assert_eq!(stored.users.len(), 1);
        assert_eq!(stored.users[0].recipe, Recipe::default());

        let env = ApiCredentials {
            api_key: "env12345".into(),
            api_secret: "s".to_owned().into(),
        };
        std::fs::write(home.app_record_file(&profile, &id), "{").unwrap();
        let stored = load(&home, &profile, Some(&env), Some(context())).unwrap();
        assert_eq!(stored.api_key.as_deref(), Some("env12345"));
        assert!(stored.has_secret);
        assert_eq!(stored.current_app.unwrap().name, id.to_string());
        assert!(
            stored.problems[0].contains("app.json"),
            "{:?}",
            stored.problems
        );

        // A context whose key is not there is no current application.
        std::fs::remove_file(&key_path).unwrap();
        assert!(
            load(&home, &profile, None, Some(context()))
                .unwrap()
                .current_app
                .is_none()
        );
    }
}
