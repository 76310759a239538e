//! Minting user and admin tokens with remembered recipes, and listing the stored tokens. The
//! Users API client gets its admin tokens from here (`impl AdminToken for Signer`).

use crate::auth::acl::AclChoice;
use crate::auth::jwt::{Minted, Signer, Subject};
use crate::auth::ttl::{self, Ttl};
use crate::error::{Error, Result};
use crate::ids::AppId;
use crate::store::paths::{Home, ProfileName};
use crate::store::state::{Recipe, State, StoredToken};
use crate::vonage::AdminToken;

use super::names::check_user_name;
use crate::clock::unix_now;

/// What the caller asked for; anything left `None` comes from the user's stored recipe.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub user: Option<String>,
    pub ttl: Option<Ttl>,
    pub acl: Option<AclChoice>,
}

/// A user token, the recipe it was made with, and for whom.
#[derive(Debug, Clone)]
pub struct UserToken {
    pub user: String,
    pub recipe: Recipe,
    pub minted: Minted,
}

/// Mints a token for a user of the signer's application, then remembers the recipe, the
/// token and that this user was the last one (so `token` alone regenerates it).
pub fn mint_user_token(
    home: &Home,
    profile: &ProfileName,
    signer: &Signer,
    request: TokenRequest,
    now: u64,
) -> Result<UserToken> {
    State::update(home, profile, |state| {
        let app = state.app_mut(signer.application_id());
        let user = match request.user {
            Some(name) => check_user_name(&name)?.to_owned(),
            None => app.last_user.clone().ok_or_else(|| {
                Error::usage("no user given and no token minted before: name one, e.g. `vonage-onboard token alice`")
            })?,
        };
        let record = app.users.entry(user.clone()).or_default();
        let stored = record.recipe.clone().unwrap_or_default();
        let recipe = Recipe {
            ttl: request.ttl.unwrap_or(stored.ttl),
            acl: request.acl.unwrap_or(stored.acl),
        };
        let subject = Subject::User {
            name: user.clone(),
            acl: recipe.acl.acl(),
        };
        let minted = signer.mint(&subject, recipe.ttl, now);
        record.recipe = Some(recipe.clone());
        record.last_token = Some(StoredToken {
            token: minted.token.clone(),
            iat: minted.claims.iat,
            exp: minted.claims.exp,
        });
        app.last_user = Some(user.clone());
        Ok(UserToken {
            user,
            recipe,
            minted,
        })
    })
}

/// Remembers how a user's next token is made without minting one (a TTL or ACL chosen in
/// the wizard): `token alice` and the wizard's next generate use it. The last user is left
/// as it was: only a mint changes that.
pub fn save_recipe(
    home: &Home,
    profile: &ProfileName,
    app: &AppId,
    user: &str,
    recipe: Recipe,
) -> Result<()> {
    let user = check_user_name(user)?.to_owned();
    State::update(home, profile, |state| {
        state.app_mut(app).users.entry(user).or_default().recipe = Some(recipe);
        Ok(())
    })
}

/// A backend token for the Users API (no `sub`, no `acl`); never stored.
pub fn mint_admin_token(signer: &Signer, ttl: Option<Ttl>, now: u64) -> Minted {
    signer.mint(&Subject::Admin, ttl.unwrap_or(ttl::DEFAULT_ADMIN), now)
}

/// The Users API's admin token for this application: minted per call, default lifetime.
impl AdminToken for Signer {
    fn admin_token(&self) -> String {
        mint_admin_token(self, None, unix_now())
            .token
            .expose()
            .to_owned()
    }
}

/// Writes a user's last token to a new file (0600, never overwriting one); returns its
/// absolute path.
pub fn save_token(
    home: &Home,
    profile: &ProfileName,
    app: &AppId,
    user: &str,
    path: &std::path::Path,
) -> Result<std::path::PathBuf> {
    let state = State::load(home, profile)?;
    let token = state
        .apps
        .get(app)
        .and_then(|a| a.users.get(user))
        .and_then(|u| u.last_token.as_ref())
        .ok_or_else(|| Error::usage(format!("{user} has no token yet")))?;
    let text = secrecy::zeroize::Zeroizing::new(format!("{}\n", token.token.expose()));
    crate::store::atomic::write_private_new(path, text.as_bytes())?;
    Ok(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// One stored token, as `token list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub application_id: AppId,
    pub user: String,
    pub exp: u64,
    /// Seconds left; `None` once expired.
    pub left: Option<u64>,
}

/// Every user of the profile with a stored token, in application then user order.
pub fn list_tokens(home: &Home, profile: &ProfileName, now: u64) -> Result<Vec<TokenRow>> {
    let state = State::load(home, profile)?;
    Ok(state
        .apps
        .iter()
        .flat_map(|(app_id, app)| {
            app.users.iter().filter_map(move |(user, record)| {
                record.last_token.as_ref().map(|t| TokenRow {
                    application_id: app_id.clone(),
                    user: user.clone(),
                    exp: t.exp,
                    left: t.exp.checked_sub(now).filter(|left| *left > 0),
                })
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::acl::Preset;

    fn setup() -> (tempfile::TempDir, Home, ProfileName, Signer) {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let signer = crate::auth::fixtures::signer(crate::auth::fixtures::KEY);
        (dir, home, ProfileName::default(), signer)
    }

    #[test]
    fn the_recipe_is_remembered_and_the_last_user_is_the_default() {
        let (_dir, home, p, signer) = setup();
        let first = TokenRequest {
            user: Some("alice".into()),
            ttl: Some(Ttl::parse("1h").unwrap()),
            acl: Some(AclChoice::Preset(Preset::All)),
        };
        mint_user_token(&home, &p, &signer, first, 1000).unwrap();

        let again = mint_user_token(&home, &p, &signer, TokenRequest::default(), 2000).unwrap();
        assert_eq!(again.user, "alice");
        assert_eq!(again.minted.claims.exp - again.minted.claims.iat, 3600);
        assert_eq!(again.recipe.acl, AclChoice::Preset(Preset::All));

        let rows = list_tokens(&home, &p, 2000 + 3600).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].left, None, "expired exactly at exp");
        assert_eq!(list_tokens(&home, &p, 2000).unwrap()[0].left, Some(3600));
    }

    #[test]
    fn a_saved_recipe_makes_the_next_token_and_leaves_the_last_user_alone() {
        let (_dir, home, p, signer) = setup();
        let app = signer.application_id().clone();
        let one_hour = Recipe {
            ttl: Ttl::parse("1h").unwrap(),
            acl: AclChoice::Preset(Preset::All),
        };
        save_recipe(&home, &p, &app, "bob", one_hour.clone()).unwrap();
        let state = State::load(&home, &p).unwrap();
        let stored = &state.apps[&app];
        assert_eq!(stored.users["bob"].recipe, Some(one_hour));
        assert!(
            stored.users["bob"].last_token.is_none(),
            "nothing was minted"
        );
        assert_eq!(stored.last_user, None);
        let bob = TokenRequest {
            user: Some("bob".into()),
            ..TokenRequest::default()
        };
        let made = mint_user_token(&home, &p, &signer, bob, 1000).unwrap();
        assert_eq!(made.minted.claims.exp - made.minted.claims.iat, 3600);
        assert_eq!(made.recipe.acl, AclChoice::Preset(Preset::All));
        assert!(save_recipe(&home, &p, &app, " bob", Recipe::default()).is_err());
    }

    #[test]
    fn no_user_and_no_history_is_a_usage_error() {
        let (_dir, home, p, signer) = setup();
        let err = mint_user_token(&home, &p, &signer, TokenRequest::default(), 1).unwrap_err();
        assert!(matches!(err, Error::Usage(_)));
    }
}
