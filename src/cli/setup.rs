//! `setup`: read the API key and secret (never the secret from an argument), verify them
//! against the API, and store them only when they were accepted.

use std::io::IsTerminal;

use clap::Args;
use secrecy::SecretString;
use serde_json::json;

use super::Session;
use super::net::env_credentials;
use crate::error::{Error, ExitCode, Result};
use crate::onboard::account::{StoredSettings, balance_note, check_api_key, setup};
use crate::onboard::secret_place::{forget_secret, move_asked, move_secret};
use crate::store::secret_store::{KeyringStore, StoreKind};
use crate::vonage::{ApiCredentials, VonageClient};

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The API key (from the dashboard); default VONAGE_API_KEY, else asked for
    #[arg(long, value_name = "KEY")]
    api_key: Option<String>,
    /// Read the API secret from the first line of stdin (it is never taken as an argument)
    #[arg(long)]
    api_secret_stdin: bool,
    /// Delete the profile's stored API key and secret (its keyring entry included)
    #[arg(long, conflicts_with_all = ["api_key", "api_secret_stdin"])]
    forget: bool,
}

pub async fn run(session: &Session, args: SetupArgs) -> Result<ExitCode> {
    if args.forget {
        let had = forget_secret(&session.home, &session.profile, &KeyringStore::default())?;
        let profile = session.profile.as_str();
        if session.out.json {
            session
                .out
                .json(&json!({ "profile": profile, "forgotten": had }));
        } else if had {
            session.out.line(&format!(
                "Deleted the API key and secret of profile {profile:?}."
            ));
        } else {
            session.out.line(&format!(
                "Profile {profile:?} had no stored API key and secret."
            ));
        }
        return Ok(ExitCode::Ok);
    }
    if let Some(to) = move_target(session, &args)? {
        let placed = move_secret(
            &session.home,
            &session.profile,
            to,
            &KeyringStore::default(),
        )?;
        if session.out.json {
            session.out.json(&json!({
                "profile": session.profile.as_str(),
                "secret_store": placed.store,
            }));
        } else {
            session.out.line(&format!(
                "API secret of profile {:?} {}.",
                session.profile.as_str(),
                placed.note
            ));
        }
        return Ok(ExitCode::Ok);
    }
    // Where the pair would go is checked before it is asked for: a refused base never sees it.
    let endpoints = session.endpoints()?;
    let credentials = read_credentials(session, args)?;
    // The pair under test, not whatever the profile held before.
    let client = VonageClient::new(endpoints, Some(credentials.clone()))?;
    let settings = StoredSettings {
        // A sandbox's port changes every run: its URL is never stored.
        api_base: if session.sandbox.is_some() {
            None
        } else {
            session.global.api_base.clone()
        },
        region: session.global.region,
        secrets: session.secret_choice(),
    };
    let check = session
        .spin(
            "Checking the key and secret with Vonage…",
            setup(&session.home, &session.profile, &client, settings),
        )
        .await?;

    let out = &session.out;
    if out.json {
        out.json(&json!({
            "profile": session.profile.as_str(),
            "api_key": credentials.api_key,
            "applications": check.applications,
            "balance": check.balance.map(|b| b.value),
            "secret_store": check.stored.as_ref().map(|p| p.store),
        }));
    } else {
        let balance = balance_note(check.balance.map(|b| b.value));
        if let Some(why) = check
            .stored
            .as_ref()
            .and_then(|p| p.keyring_failure.as_ref())
        {
            out.note(&format!("warning: the keyring was not used: {why}"));
        }
        let stored = check
            .stored
            .as_ref()
            .map(|p| p.note.as_str())
            .unwrap_or("stored");
        out.line(&format!(
            "Credentials verified: API key {} ({} application{}{balance}). Stored in profile {:?} under {}. API secret: {stored}.\n\
             Next: {}",
            credentials.api_key,
            check.applications,
            if check.applications == 1 { "" } else { "s" },
            session.profile.as_str(),
            session.home.root().display(),
            session.command_line("app create NAME --rtc-event-url https://example.com/rtc"),
        ));
    }
    Ok(ExitCode::Ok)
}

/// `setup --secret-store X` with no new pair given on the command line, in the environment or
/// by `--sandbox`: a move when the profile has a stored pair (`onboard::secret_place`).
fn move_target(session: &Session, args: &SetupArgs) -> Result<Option<StoreKind>> {
    let (env_key, env_secret) = env_credentials();
    let new_pair_given = args.api_key.is_some()
        || args.api_secret_stdin
        || env_key.is_some()
        || env_secret.is_some()
        || session.sandbox.is_some();
    move_asked(
        &session.home,
        &session.profile,
        session.global.secret_store,
        new_pair_given,
    )
}

/// The longest key or secret line read (Vonage's are 8 and 16 characters).
const MAX_LINE: usize = 4096;

fn read_credentials(session: &Session, args: SetupArgs) -> Result<ApiCredentials> {
    let (env_key, env_secret) = env_credentials();
    let sandbox = session.sandbox.as_ref().map(|s| s.credentials.clone());
    let api_key = args
        .api_key
        .or(env_key)
        .or_else(|| sandbox.as_ref().map(|c| c.api_key.clone()));
    let api_key = match api_key {
        Some(key) => key,
        None => prompt_line("API key: ")?,
    };
    let api_key = check_api_key(&api_key)?.to_owned();
    let api_secret = if args.api_secret_stdin && std::io::stdin().is_terminal() {
        // "Read it from stdin" on a terminal: still never echo it.
        rpassword::prompt_password("API secret (not shown): ")
            .map(|s| SecretString::from(s.trim().to_owned()))
            .map_err(|e| Error::usage(format!("could not read the secret: {e}")))?
    } else if args.api_secret_stdin {
        let line = crate::bounded::read_line(std::io::stdin().lock(), MAX_LINE)
            .map_err(|e| e.for_stdin("the API secret"))?;
        SecretString::from(line.trim().to_owned())
    } else if let Some(secret) = env_secret.or(sandbox.map(|c| c.api_secret)) {
        secret
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password("API secret (not shown): ")
            .map(|s| SecretString::from(s.trim().to_owned()))
            .map_err(|e| Error::usage(format!("could not read the secret: {e}")))?
    } else {
        return Err(Error::usage(
            "no API secret: set VONAGE_API_SECRET or pass --api-secret-stdin (it is never taken as an argument)",
        ));
    };
    if secrecy::ExposeSecret::expose_secret(&api_secret).is_empty() {
        return Err(Error::usage("the API secret is empty"));
    }
    Ok(ApiCredentials {
        api_key,
        api_secret,
    })
}

fn prompt_line(prompt: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::usage(
            "no API key: pass --api-key KEY or set VONAGE_API_KEY",
        ));
    }
    eprint!("{prompt}");
    let line = crate::bounded::read_line(std::io::stdin().lock(), MAX_LINE)
        .map_err(|e| e.for_stdin("the API key"))?;
    Ok(line.to_string())
}
