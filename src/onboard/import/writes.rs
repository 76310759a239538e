//! The writes, under the home lock and after every check that can fail: the private key
//! first (nothing may point at a key that is not there), then the secret, then the config
//! that refers to both (`onboard::account::put_credentials`, shared with setup).

use std::path::PathBuf;

use super::found::{Found, key_of};
use super::pairing::Chosen;
use crate::error::Result;
use crate::ids::AppId;
use crate::onboard::account::put_credentials;
use crate::onboard::applications::check_stored_key;
use crate::store::apps::save_private_key;
use crate::store::config::Config;
use crate::store::paths::{Home, ProfileName};
use crate::store::secrets::Credentials;

/// What was stored.
pub(super) struct Stored {
    pub(super) key: Option<KeyPlan>,
    pub(super) secret: bool,
}

/// Stores the chosen values in `profile`.
pub(super) fn store(
    home: &Home,
    profile: &ProfileName,
    found: &[Found],
    chosen: &Chosen<'_>,
    warnings: &mut Vec<String>,
) -> Result<Stored> {
    let secret = chosen
        .secret
        .map(|i| &found[i])
        .and_then(|f| f.api_secret.as_ref());
    Config::update(home, |config| {
        // Every check that can fail comes before the first write.
        let credentials = secret
            .map(|s| Credentials::load(home).map(|c| (c, s)))
            .transpose()?;
        let key_plan = match chosen.app {
            Some((id, key_index)) => Some(plan_key(home, profile, id, found, key_index)?),
            None => None,
        };
        if let Some(new) = chosen.api_key {
            let previous = config.profile(profile).and_then(|p| p.api_key.as_deref());
            if previous.is_some_and(|old| old != new) && secret.is_none() {
                warnings.push(format!(
                    "the profile's API key changed to {new} but no secret for it was found; \
                     store it with `vonage-onboard setup`"
                ));
            }
        }

        if let Some(plan) = &key_plan
            && plan.write
        {
            save_private_key(&plan.path, &key_of(found, plan.from)?.key)?;
        }
        put_credentials(home, profile, config, chosen.api_key, credentials)?;
        if let Some(plan) = &key_plan {
            config.profile_mut(profile).current_application = Some(plan.id.clone());
        }
        Ok(Stored {
            key: key_plan,
            secret: secret.is_some(),
        })
    })
}

/// Where the imported key goes, and whether it must be written (an identical key may
/// already be there).
pub(super) struct KeyPlan {
    pub(super) id: AppId,
    pub(super) path: PathBuf,
    pub(super) from: usize,
    pub(super) write: bool,
}

fn plan_key(
    home: &Home,
    profile: &ProfileName,
    id: &AppId,
    found: &[Found],
    from: usize,
) -> Result<KeyPlan> {
    let path = home.private_key_file(profile, id);
    let key = key_of(found, from)?;
    let public = key.key.public_key();
    let write = !check_stored_key(&path, id, &public, " and nothing was imported")?;
    Ok(KeyPlan {
        id: id.clone(),
        path,
        from,
        write,
    })
}
