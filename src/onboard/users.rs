//! Users of the current application: create (a duplicate name names the existing user; a
//! lost answer is checked by name before anyone retries), list, show, delete. Known users are
//! recorded in the profile's state.

use crate::auth::jwt::Signer;
use crate::error::{Error, Result};
use crate::store::paths::{Home, ProfileName};
use crate::store::state::State;
use crate::vonage::{CallError, VonageClient};

/// What a new user is made of, as both front ends fill it in (the wire shape, re-exported so
/// that nothing above onboard names the client's types).
pub use crate::vonage::{NewUser, User};

use super::names::{check_display_name, check_user_name, name_arg, token_command};

/// Checks a new user before it is sent.
pub fn check_new_user(new: &NewUser) -> Result<()> {
    check_user_name(&new.name)?;
    if let Some(display) = &new.display_name {
        check_display_name(display)?;
    }
    if let Some(url) = &new.image_url {
        super::applications::check_webhook_url(url)
            .map_err(|why| Error::usage(format!("--image-url {url:?} {why}")))?;
    }
    Ok(())
}

/// What creating a user came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Creation {
    Created(User),
    /// The name was taken: this is the user who has it (recorded, so it can be used).
    Exists(User),
}

/// Creates a user in the signer's application and records it; a taken name is a conflict
/// that names the existing user (exit 5).
pub async fn create(
    home: &Home,
    profile: &ProfileName,
    client: &VonageClient,
    signer: &Signer,
    new: &NewUser,
) -> Result<User> {
    match create_or_find(home, profile, client, signer, new).await? {
        Creation::Created(user) => Ok(user),
        Creation::Exists(user) => Err(Error::Conflict(format!(
            "a user named {:?} already exists ({}): use it, e.g. `{}`",
            new.name,
            user.id,
            token_command(&new.name, "")
        ))),
    }
}

/// Creates a user, or, when the name is taken, finds the user who has it (the wizard offers
/// that user instead). Both are recorded in the profile's state.
pub async fn create_or_find(
    home: &Home,
    profile: &ProfileName,
    client: &VonageClient,
    signer: &Signer,
    new: &NewUser,
) -> Result<Creation> {
    check_new_user(new)?;
    let user = match client.create_user(signer, new).await {
        Ok(user) => user,
        Err(CallError::Api(api))
            if api.status == 409 || api.code.as_deref() == Some("user:error:duplicate-name") =>
        {
            return match client.get_user(signer, &new.name).await {
                Ok(user) => {
                    remember(home, profile, signer, &user)?;
                    Ok(Creation::Exists(user))
                }
                Err(_) => Err(Error::Conflict(format!(
                    "a user named {:?} already exists: use it, e.g. `{}`",
                    new.name,
                    token_command(&new.name, "")
                ))),
            };
        }
        Err(
            lost @ CallError::Transport {
                maybe_sent: true, ..
            },
        ) => {
            let message = Error::from(lost);
            // The answer was lost: the user may exist now. Look before anyone retries.
            tracing::warn!(name = %new.name, "create-user answer lost; looking the user up by name");
            match client.get_user(signer, &new.name).await {
                Ok(user) => user,
                Err(CallError::Api(api)) if api.status == 404 => {
                    return Err(Error::Network(format!(
                        "{message}. Vonage has no user {:?}, so it was not created: run the command again.",
                        new.name
                    )));
                }
                Err(e) => {
                    return Err(Error::Network(format!(
                        "{message}. Checking whether {:?} was created failed too ({}); run `vonage-onboard user show {}` before retrying.",
                        new.name,
                        Error::from(e),
                        name_arg(&new.name, &[])
                    )));
                }
            }
        }
        Err(e) => return Err(e.into()),
    };
    remember(home, profile, signer, &user)?;
    Ok(Creation::Created(user))
}

/// Records a user's id under its name in the profile's state.
fn remember(home: &Home, profile: &ProfileName, signer: &Signer, user: &User) -> Result<()> {
    State::update(home, profile, |state| {
        let record = state
            .app_mut(signer.application_id())
            .users
            .entry(user.name.clone())
            .or_default();
        record.id = Some(user.id.clone());
        Ok(())
    })
}

/// Every user of the signer's application, for `user list` and the wizard alike.
pub async fn list(client: &VonageClient, signer: &Signer) -> Result<Vec<User>> {
    Ok(client.list_users(signer, None).await?)
}

/// `GET /v1/users/{id or name}`, with a not-found that says what to do.
pub async fn show(client: &VonageClient, signer: &Signer, id_or_name: &str) -> Result<User> {
    client
        .get_user(signer, id_or_name)
        .await
        .map_err(|e| match e {
            CallError::Api(api) if api.status == 404 => Error::NotFound(format!(
                "no user {id_or_name:?} in application {}: see `vonage-onboard user list`",
                signer.application_id()
            )),
            other => other.into(),
        })
}

/// Deletes a user by id or name and forgets its stored token.
pub async fn delete(
    home: &Home,
    profile: &ProfileName,
    client: &VonageClient,
    signer: &Signer,
    id_or_name: &str,
) -> Result<User> {
    let user = show(client, signer, id_or_name).await?;
    client.delete_user(signer, &user.id).await?;
    State::update(home, profile, |state| {
        // Not `app_mut`: an application we knew nothing of stays out of the file.
        if let Some(app) = state.apps.get_mut(signer.application_id())
            && app.users.remove(&user.name).is_some()
            && app.last_user.as_deref() == Some(user.name.as_str())
        {
            app.last_user = None;
        }
        Ok(())
    })?;
    Ok(user)
}
