//! `profiles/<profile>/state.json` (0600, it holds tokens): per application, the users we
//! know, each one's token recipe and last token, and which user the last token was for.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::atomic::write_private;
use super::paths::{Home, ProfileName};
use crate::auth::acl::AclChoice;
use crate::auth::jwt::Token;
use crate::auth::ttl::Ttl;
use crate::error::Result;
use crate::ids::AppId;

/// The whole state file of one profile. (The wizard's step is not stored: it resumes at the
/// first step whose work is not found here, which cannot disagree with the data.)
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    #[serde(default)]
    pub apps: BTreeMap<AppId, AppState>,
}

/// What we know about one application's users.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppState {
    /// The user the last token was minted for: `token` with no user means this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_user: Option<String>,
    #[serde(default)]
    pub users: BTreeMap<String, UserRecord>,
}

/// One user, by name.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRecord {
    /// The `USR-…` id, once the user was created or seen through the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipe: Option<Recipe>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_token: Option<StoredToken>,
}

/// How a user's tokens are made, so `token alice` regenerates the same kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    pub ttl: Ttl,
    pub acl: AclChoice,
}

impl Default for Recipe {
    fn default() -> Self {
        Recipe {
            ttl: crate::auth::ttl::DEFAULT_USER,
            acl: AclChoice::default(),
        }
    }
}

/// The last token minted for a user, with its times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredToken {
    pub token: Token,
    pub iat: u64,
    pub exp: u64,
}

impl State {
    pub fn load(home: &Home, profile: &ProfileName) -> Result<Self> {
        super::load_json(&home.state_file(profile))
    }

    pub fn save(&self, home: &Home, profile: &ProfileName) -> Result<()> {
        home.prepare()?;
        let text = secrecy::zeroize::Zeroizing::new(
            serde_json::to_string_pretty(self).expect("state always serializes"),
        );
        write_private(&home.state_file(profile), text.as_bytes())
    }

    /// Load → change → save under the home's write lock, so two runs cannot overwrite each
    /// other's changes. Saved only when `change` succeeded and changed something.
    pub fn update<T>(
        home: &Home,
        profile: &ProfileName,
        change: impl FnOnce(&mut State) -> Result<T>,
    ) -> Result<T> {
        let _lock = super::lock::lock(home)?;
        let mut state = State::load(home, profile)?;
        let before = state.clone();
        let out = change(&mut state)?;
        if state != before {
            state.save(home, profile)?;
        }
        Ok(out)
    }

    pub fn app_mut(&mut self, id: &AppId) -> &mut AppState {
        self.apps.entry(id.clone()).or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn corrupt_state_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let profile = ProfileName::default();
        let path = home.state_file(&profile);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{\"apps\": {\"not-a-uuid\": {}}}").unwrap();
        let err = State::load(&home, &profile).unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("state.json"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"apps\": {\"not-a-uuid\": {}}}"
        );
    }

    #[test]
    fn out_of_range_ttl_in_a_hand_edited_recipe_is_refused() {
        let text = r#"{"apps":{"aaaaaaaa-bbbb-cccc-dddd-0123456789ab":{"users":{"alice":
            {"recipe":{"ttl":999999,"acl":{"preset":"client-sdk"}}}}}}}"#;
        assert!(serde_json::from_str::<State>(text).is_err());
    }

    #[test]
    fn updates_hold_the_lock_so_none_is_lost_and_an_unchanged_state_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let profile = ProfileName::default();
        let app = AppId::parse("aaaaaaaa-bbbb-cccc-dddd-0123456789ab").unwrap();
        std::thread::scope(|s| {
            for t in 0..4 {
                let (home, profile, app) = (&home, &profile, &app);
                s.spawn(move || {
                    for i in 0..25 {
                        State::update(home, profile, |state| {
                            state
                                .app_mut(app)
                                .users
                                .entry(format!("u{t}-{i}"))
                                .or_default();
                            Ok(())
                        })
                        .unwrap();
                    }
                });
            }
        });
        assert_eq!(
            State::load(&home, &profile).unwrap().apps[&app].users.len(),
            100
        );

        let file = home.state_file(&profile);
        std::fs::remove_file(&file).unwrap();
        State::update(&home, &profile, |_| Ok(())).unwrap();
        assert!(!file.exists(), "nothing changed, nothing written");
        let err = State::update(&home, &profile, |state| {
            state.app_mut(&app);
            Err::<(), _>(Error::usage("refused"))
        });
        assert!(err.is_err());
        assert!(!file.exists(), "a failed change is not saved");
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let profile = ProfileName::default();
        let mut state = State::default();
        let app = AppId::parse("aaaaaaaa-bbbb-cccc-dddd-0123456789ab").unwrap();
        let user = state.app_mut(&app).users.entry("alice".into()).or_default();
        user.recipe = Some(Recipe::default());
        user.last_token = Some(StoredToken {
            token: Token::new("a.b.c"),
            iat: 1,
            exp: 2,
        });
        state.save(&home, &profile).unwrap();
        assert_eq!(State::load(&home, &profile).unwrap(), state);
    }
}
