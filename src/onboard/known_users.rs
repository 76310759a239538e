//! The users a home knows for one application and the recipes their tokens are made with,
//! re-read only when `state.json` changes: `token serve` asks on every request, and a user the
//! wizard or `user create` adds while it runs must be served without a restart.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::auth::acl::Acl;
use crate::auth::jwt::{Minted, Signer, Subject};
use crate::auth::ttl::Ttl;
use crate::error::Result;
use crate::ids::AppId;
use crate::store::paths::{Home, ProfileName};
use crate::store::state::{Recipe, State};

/// A recipe ready to sign with: the ACL is built once per state change, not per token.
#[derive(Debug, Clone)]
pub struct ReadyRecipe {
    pub ttl: Ttl,
    pub acl: Acl,
}

impl From<&Recipe> for ReadyRecipe {
    fn from(recipe: &Recipe) -> Self {
        ReadyRecipe {
            ttl: recipe.ttl,
            acl: recipe.acl.acl(),
        }
    }
}

/// Users by name with their recipes (the default one where none was remembered).
pub type Users = BTreeMap<String, ReadyRecipe>;

/// What identifies one version of the state file without reading it. Writes are atomic
/// renames, so a new version is a new inode as well as a new mtime; the length and ctime
/// guard against an inode reused within one coarse clock tick.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64, i64, i64),
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec()),
        }
    }
}

/// The known users of one application, cached against the state file's [`Stamp`].
#[derive(Debug)]
pub struct KnownUsers {
    home: Home,
    profile: ProfileName,
    app: AppId,
    default_recipe: ReadyRecipe,
    cache: Mutex<(Option<Stamp>, Arc<Users>)>,
}

impl KnownUsers {
    pub fn new(home: Home, profile: ProfileName, app: AppId) -> Self {
        KnownUsers {
            home,
            profile,
            app,
            default_recipe: ReadyRecipe::from(&Recipe::default()),
            cache: Mutex::new((None, Arc::new(Users::new()))),
        }
    }

    /// The users now: one `stat` of the state file, and a read only when it changed. No file
    /// yet means no users.
    pub fn current(&self) -> Result<Arc<Users>> {
        let path = self.home.state_file(&self.profile);
        let stamp = std::fs::metadata(&path).ok().map(|m| Stamp::of(&m));
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if cache.0.is_some() && cache.0 == stamp {
            return Ok(Arc::clone(&cache.1));
        }
        let users = match &stamp {
            None => Users::new(),
            Some(_) => self.read()?,
        };
        *cache = (stamp, Arc::new(users));
        Ok(Arc::clone(&cache.1))
    }

    fn read(&self) -> Result<Users> {
        let state = State::load(&self.home, &self.profile)?;
        Ok(state
            .apps
            .get(&self.app)
            .map(|app| {
                app.users
                    .iter()
                    .map(|(name, record)| {
                        let recipe = record
                            .recipe
                            .as_ref()
                            .map_or_else(|| self.default_recipe.clone(), ReadyRecipe::from);
                        (name.clone(), recipe)
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The recipe a user's tokens are made with: theirs if known; the default one for a name
    /// this home does not know when `any_user` allows it; `None` otherwise.
    pub fn recipe_for(&self, users: &Users, name: &str, any_user: bool) -> Option<ReadyRecipe> {
        users
            .get(name)
            .cloned()
            .or_else(|| any_user.then(|| self.default_recipe.clone()))
    }
}

/// A fresh token (new `jti`, `iat` = `now`) for `user` made with `recipe`, its TTL replaced
/// by `ttl` when given. Nothing is stored: a served token is the caller's, and writing the
/// state file per token would cost more than signing it.
pub fn fresh_token(
    signer: &Signer,
    user: &str,
    recipe: &ReadyRecipe,
    ttl: Option<Ttl>,
    now: u64,
) -> Minted {
    let subject = Subject::User {
        name: user.to_owned(),
        acl: recipe.acl.clone(),
    };
    signer.mint(&subject, ttl.unwrap_or(recipe.ttl), now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::acl::{AclChoice, Preset};

    use crate::auth::fixtures::app_id;

    fn add(home: &Home, profile: &ProfileName, name: &str, recipe: Option<Recipe>) {
        State::update(home, profile, |state| {
            let app = state.app_mut(&app_id());
            app.users.entry(name.to_owned()).or_default().recipe = recipe;
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn a_user_added_later_is_seen_and_an_unchanged_file_is_not_reread() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let profile = ProfileName::default();
        let known = KnownUsers::new(home.clone(), profile.clone(), app_id());
        assert!(
            known.current().unwrap().is_empty(),
            "no state file, no users"
        );

        let short = Recipe {
            ttl: Ttl::parse("5m").unwrap(),
            acl: AclChoice::Preset(Preset::ClientSdkMinimal),
        };
        add(&home, &profile, "alice", Some(short));
        let first = known.current().unwrap();
        assert_eq!(first["alice"].ttl.seconds(), 300);
        let again = known.current().unwrap();
        assert!(Arc::ptr_eq(&first, &again), "same file, same snapshot");

        add(&home, &profile, "bob", None);
        let later = known.current().unwrap();
        assert_eq!(
            later.keys().collect::<Vec<_>>(),
            ["alice", "bob"],
            "a user added while serving is seen"
        );
        assert_eq!(later["bob"].ttl, Recipe::default().ttl);
        assert!(known.recipe_for(&later, "carol", false).is_none());
        assert!(known.recipe_for(&later, "carol", true).is_some());
    }

    #[test]
    fn another_applications_users_are_not_known() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let profile = ProfileName::default();
        add(&home, &profile, "alice", None);
        let other = AppId::parse("aaaaaaaa-bbbb-cccc-dddd-000000000000").unwrap();
        let known = KnownUsers::new(home, profile, other);
        assert!(known.current().unwrap().is_empty());
    }
}
