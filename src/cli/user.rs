//! `user create | list | show | delete`, in the current application.

use crate::onboard::names::{TOKEN_SUBCOMMANDS, name_arg};
use clap::Subcommand;
use serde_json::json;

use super::Session;
use crate::error::{ExitCode, Result};
use crate::onboard::users::{self, NewUser};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (one per person who logs in to the Client SDK)
    Create {
        /// The user's name: unique in the application, and the `sub` of its tokens
        name: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long, value_name = "URL")]
        image_url: Option<String>,
    },
    /// The application's users
    List,
    /// One user, by name or USR- id
    Show { user: String },
    /// Delete a user, by name or USR- id
    Delete {
        user: String,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
}

pub async fn run(session: &Session, command: UserCommand) -> Result<ExitCode> {
    let client = session.client()?;
    let signer = session.signer()?;
    let out = &session.out;
    let (home, profile) = (&session.home, &session.profile);
    match command {
        UserCommand::Create {
            name,
            display_name,
            image_url,
        } => {
            let new = NewUser {
                name,
                display_name,
                image_url,
            };
            users::check_new_user(&new)?;
            let user = session
                .spin(
                    "Creating the user…",
                    users::create(home, profile, &client, &signer, &new),
                )
                .await?;
            if out.json {
                out.json(&serde_json::to_value(&user).unwrap_or_default());
            } else {
                out.line(&format!(
                    "Created user {} ({}) in application {}.\nNext: {}",
                    user.name,
                    user.id,
                    signer.application_id(),
                    session.command_line(&format!(
                        "token {}",
                        name_arg(&user.name, &TOKEN_SUBCOMMANDS)
                    ))
                ));
            }
        }
        UserCommand::List => {
            let list = session
                .spin("Listing users…", users::list(&client, &signer))
                .await?;
            if out.json {
                out.json(&json!({ "users": list }));
            } else if list.is_empty() {
                out.note("No users yet. Create one: vonage-onboard user create alice");
            } else {
                for u in &list {
                    let display = u
                        .display_name
                        .as_deref()
                        .map(|d| format!("  ({d})"))
                        .unwrap_or_default();
                    out.line(&format!("{}  {}{display}", u.id, u.name));
                }
            }
        }
        UserCommand::Show { user } => {
            let user = session
                .spin("Fetching the user…", users::show(&client, &signer, &user))
                .await?;
            if out.json {
                out.json(&serde_json::to_value(&user).unwrap_or_default());
            } else {
                out.line(&format!("{}  {}", user.id, user.name));
            }
        }
        UserCommand::Delete { user, yes } => {
            if !session.confirm(&format!("Delete user {user} at Vonage?"), yes)? {
                out.note("Not deleted.");
                return Ok(ExitCode::Failure);
            }
            let gone = session
                .spin(
                    "Deleting the user…",
                    users::delete(home, profile, &client, &signer, &user),
                )
                .await?;
            if out.json {
                out.json(&json!({"deleted": gone.id, "name": gone.name}));
            } else {
                out.line(&format!("Deleted user {} ({}).", gone.name, gone.id));
            }
        }
    }
    Ok(ExitCode::Ok)
}
