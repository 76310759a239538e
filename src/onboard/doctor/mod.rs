//! `token doctor`: Vonage's "troubleshooting session creation" list, run against the API,
//! ending with a real Client SDK login (opened and closed at once). Each check gives ✓/✗
//! (or "could not run"), a one-line result and a fix; both front ends (the command, the
//! wizard's inspect view) show the same `Report`.
//!
//! The token rules are the one verifier's (`auth::verify::check`); this module only decides
//! which key and which clock it is asked with, and what to tell the developer.

pub mod acl;
mod checks;
pub mod clock;
mod report;

use crate::auth::jwt::Signer;
use crate::auth::keys::{PrivateKey, PublicKey};
use crate::auth::verify::{self, Expected, Verdict};
use crate::error::{Error, ExitCode};
use crate::ids::AppId;
use crate::onboard::context::AppContext;
use crate::onboard::names::user_create_command;
use crate::store::paths::{Home, ProfileName};
use crate::vonage::{CallError, LoginVerdict, VonageClient};

use checks::{
    KeyUsed, StoredKey, acl_check, application_not_fetched, clock_check, key_check, mint_command,
    sdk_mint_command, token_check,
};
pub use report::{Check, CheckId, Report, Status};

/// What the doctor works with: the home (stored keys), the client for this run (the API or
/// the sandbox, with the account's credentials), and the application context the caller
/// resolved, if any (its key file is used when it is the token's application).
#[derive(Debug, Clone, Copy)]
pub struct Doctor<'a> {
    pub home: &'a Home,
    pub profile: &'a ProfileName,
    pub client: &'a VonageClient,
    pub context: Option<&'a AppContext>,
}

/// The application check's inputs, once the API has answered (or not).
enum Fetched {
    /// The application, and its public key if it has a usable one.
    App {
        name: String,
        key: Option<PublicKey>,
    },
    /// No answer to build on: the application check is this.
    Failed(Check),
}

impl Doctor<'_> {
    /// Runs every check on `token` (local clock `now`, Unix seconds). Never fails: a check
    /// that cannot run says why in its line.
    pub async fn diagnose(&self, token: &str, now: u64) -> Report {
        // First read untrusted: which application and user the token names.
        let opened = verify::check(token, Expected::default(), now);
        let mut report = Report {
            application_id: opened.application_id().map(str::to_owned),
            user: opened.subject().map(str::to_owned),
            server_time: None,
            skew: None,
            checks: Vec::new(),
        };
        let readable = opened.header.is_some()
            && !matches!(
                opened.verdict,
                Verdict::Refused(_) | Verdict::WrongApplication(_)
            );
        let app = opened
            .application_id()
            .filter(|_| readable)
            .map(|id| AppId::parse(id).map_err(|e| (id.to_owned(), e.to_string())));
        let app = match app {
            Some(Ok(app)) => app,
            unusable => {
                let first = match unusable {
                    Some(Err((id, why))) => Check::fail(
                        CheckId::Token,
                        ExitCode::AuthRefused,
                        format!("application_id {id:?} is not an application id: {why}"),
                        format!(
                            "mint the token with your application's id: {}",
                            mint_command(None)
                        ),
                    ),
                    _ => token_check(&opened, &KeyUsed::None, report.user.as_deref()),
                };
                let exit = first.exit;
                report.checks.push(first);
                for id in &CheckId::ALL[1..] {
                    report.checks.push(Check::not_run(
                        *id,
                        exit,
                        "the token itself is refused (see the token line)",
                        None,
                    ));
                }
                return report;
            }
        };
        let user = report.user.clone();
        let stored = self.stored_key(&app);
        let fetched = match self.client.get_application_dated(app.as_str()).await {
            Ok(dated) => {
                report.server_time = dated.server_time;
                let key = dated
                    .value
                    .keys
                    .public_key
                    .as_deref()
                    .and_then(|pem| PublicKey::from_pem(pem).ok());
                Fetched::App {
                    name: dated.value.name,
                    key,
                }
            }
            Err(e) => Fetched::Failed(application_not_fetched(&app, e)),
        };

        // 1. The verdict, with the application's current key when the API gave it.
        let stored_public = stored.as_ref().and_then(StoredKey::public);
        let (key, used) = match (&fetched, &stored_public, &stored) {
            (Fetched::App { key: Some(k), .. }, _, _) => (Some(k), KeyUsed::Api),
            (_, Some(k), Some(s)) => (Some(k), KeyUsed::Stored(s.path.clone())),
            _ => (None, KeyUsed::None),
        };
        let expected = Expected {
            key,
            application_id: Some(app.as_str()),
        };
        let verdict = verify::check(token, expected, now);
        report
            .checks
            .push(token_check(&verdict, &used, user.as_deref()));

        // 2. The application and its current key.
        let api_ok = matches!(fetched, Fetched::App { .. });
        report.checks.push(match fetched {
            Fetched::Failed(check) => check,
            Fetched::App { name, key: None } => Check::fail(
                CheckId::Application,
                ExitCode::Failure,
                format!("application {name:?} ({app}) has no usable public key on the API"),
                "give it your key: `vonage-onboard app create` stores one, or PUT the public key to the application",
            ),
            Fetched::App {
                name,
                key: Some(current),
            } => key_check(
                token,
                &app,
                &name,
                &current,
                &verdict,
                stored.as_ref(),
                user.as_deref(),
                now,
            ),
        });

        // 3. The user, on the region's host (and where else, if not there). Not tried when
        // the API was just unreachable: a second wait for the same timeout tells nothing new.
        let unreachable = report.checks[1].exit == ExitCode::Network;
        report.checks.push(if unreachable {
            Check::not_run(
                CheckId::User,
                ExitCode::Network,
                "not tried: the API could not be reached for the application check",
                None,
            )
        } else {
            self.user_check(&app, user.as_deref(), stored.as_ref(), token)
                .await
        });

        // 4. The ACL.
        report.checks.push(acl_check(&verdict, user.as_deref()));

        // 5. The server's clock.
        let clock = match report.server_time {
            Some(server) => {
                let skew = clock::skew(now, server);
                report.skew = Some(skew);
                clock_check(token, &app, server, skew, user.as_deref())
            }
            None if api_ok => Check::not_run(
                CheckId::Clock,
                ExitCode::Failure,
                "the API's answer had no readable Date header, so the server's clock is unknown",
                None,
            ),
            None => Check::not_run(
                CheckId::Clock,
                report.checks[1].exit,
                "no answer from the API to read the server's clock from",
                None,
            ),
        };
        report.checks.push(clock);

        // 6. The login itself, as the Client SDK does it.
        report
            .checks
            .push(login_check(self.client, token, user.as_deref()).await);
        report
    }

    /// The key file of the token's application: the caller's context when it is that
    /// application (`VONAGE_PRIVATE_KEY_PATH`), else the one this profile stored.
    fn stored_key(&self, app: &AppId) -> Option<StoredKey> {
        let path = match self.context {
            Some(context) if &context.id == app => context.key_path.clone(),
            _ => self.home.private_key_file(self.profile, app),
        };
        if !path.exists() {
            return None;
        }
        let signer = PrivateKey::load(&path)
            .map(|key| Signer::new(app.clone(), key))
            .map_err(|e| e.to_string());
        Some(StoredKey { path, signer })
    }

    async fn user_check(
        &self,
        app: &AppId,
        user: Option<&str>,
        stored: Option<&StoredKey>,
        token: &str,
    ) -> Check {
        let id = CheckId::User;
        let Some(user) = user else {
            return Check::fail(
                id,
                ExitCode::Failure,
                "the token has no sub: it is an admin (backend) token, which cannot log in a Client SDK",
                format!("mint a user token: {}", mint_command(None)),
            );
        };
        let signer = match stored.map(|s| (&s.path, &s.signer)) {
            None => return self.user_by_token(app, user, token).await,
            Some((path, Err(why))) => {
                return Check::not_run(
                    id,
                    ExitCode::Usage,
                    format!(
                        "the stored key {} cannot sign the Users API's admin token: {why}",
                        path.display()
                    ),
                    None,
                );
            }
            Some((_, Ok(signer))) => signer,
        };
        let host = self.client.endpoints().users_base().to_owned();
        match self.client.get_user(signer, user).await {
            Ok(found) => Check::pass(
                id,
                format!(
                    "user {user:?} ({}) exists in application {app} on {host}",
                    found.id
                ),
            ),
            Err(CallError::Api(e)) if e.status == 404 => {
                self.user_elsewhere(app, user, &host, signer).await
            }
            Err(CallError::Api(e)) if e.status == 401 => Check::not_run(
                id,
                ExitCode::AuthRefused,
                format!(
                    "could not look the user up on {host}: the Users API refused the admin token signed with the stored key {} ({})",
                    stored.map(|s| s.path.display().to_string()).unwrap_or_default(),
                    e.code.as_deref().unwrap_or(e.title.as_str())
                ),
                Some("give this home the application's current private key (see the application key line)".into()),
            ),
            Err(e) => {
                let error = Error::from(e);
                Check::not_run(
                    id,
                    error.exit_code(),
                    format!("could not look the user up on {host}: {error}"),
                    None,
                )
            }
        }
    }

    /// Without the application's private key there is no admin token: the user is looked up
    /// with the token itself, which its ACL may allow (`/*/users/**`).
    async fn user_by_token(&self, app: &AppId, user: &str, token: &str) -> Check {
        let id = CheckId::User;
        let host = self.client.endpoints().users_base().to_owned();
        let how =
            "looked up with the token itself: no private key of this application is stored here";
        match self.client.get_user_with_token(token, user).await {
            Ok(found) => Check::pass(
                id,
                format!(
                    "user {user:?} ({}) exists in application {app} on {host} ({how})",
                    found.id
                ),
            ),
            Err(CallError::Api(e)) if e.status == 404 => Check::fail(
                id,
                ExitCode::NotFound,
                format!("no user {user:?} in application {app} on {host} ({how}, so no other region was searched)"),
                format!("create the user: `{}`, or mint the token for an existing one", user_create_command(user)),
            ),
            Err(e) => Check::not_run(
                id,
                ExitCode::Usage,
                format!(
                    "no private key of application {app} is stored here for the Users API's admin token, and the token itself could not look the user up ({})",
                    Error::from(e)
                ),
                Some(
                    "point VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY_PATH at the application and its key file".into(),
                ),
            ),
        }
    }

    /// A user missing on the region's host: looked for on the other regions' hosts, when
    /// there are others (with an API base set there is one host only, and that is said).
    async fn user_elsewhere(&self, app: &AppId, user: &str, host: &str, signer: &Signer) -> Check {
        let id = CheckId::User;
        let create = format!("`{}`", user_create_command(user));
        let Some(here) = self.client.endpoints().region() else {
            return Check::fail(
                id,
                ExitCode::NotFound,
                format!(
                    "no user {user:?} in application {app} on {host}, the only host when an API base is set (no other region was searched)"
                ),
                format!(
                    "create the user: {create}, or mint the token for an existing one (`vonage-onboard user list`)"
                ),
            );
        };
        let mut found = Vec::new();
        let mut unsearched = Vec::new();
        for region in crate::region::Region::ALL
            .into_iter()
            .filter(|r| *r != here)
        {
            let Some(other) = self.client.in_region(region) else {
                continue;
            };
            match other.get_user(signer, user).await {
                Ok(_) => found.push(region),
                Err(CallError::Api(e)) if e.status == 404 => {}
                Err(_) => unsearched.push(region.name()),
            }
        }
        let not_searched = if unsearched.is_empty() {
            String::new()
        } else {
            format!(" ({} could not be searched)", unsearched.join(", "))
        };
        match found.first() {
            Some(region) => Check::fail(
                id,
                ExitCode::NotFound,
                format!(
                    "no user {user:?} in application {app} on {host} (region {}); it exists on {} (region {}){not_searched}",
                    here.name(),
                    region.users_base(),
                    region.name()
                ),
                format!(
                    "use that region (--region {0} or VONAGE_REGION={0}; the Client SDK's region too), or create the user on {host}: {create}",
                    region.name()
                ),
            ),
            None => Check::fail(
                id,
                ExitCode::NotFound,
                format!(
                    "no user {user:?} in application {app} on {host}, nor on the other regions' hosts{not_searched}"
                ),
                format!(
                    "create the user: {create}, or mint the token for an existing one (`vonage-onboard user list`)"
                ),
            ),
        }
    }
}

/// Check 6: a session opened with the token on the websocket host, and closed at once.
async fn login_check(client: &VonageClient, token: &str, user: Option<&str>) -> Check {
    let id = CheckId::Login;
    let host = client.websocket_base().to_owned();
    match client.try_login(token).await {
        Ok(LoginVerdict::Opened {
            session_id, name, ..
        }) => Check::pass(
            id,
            format!(
                "{host} opened session {session_id} for {name:?} (session:success); it was logged out at once"
            ),
        ),
        Ok(LoginVerdict::Refused { event, description }) => {
            let (exit, fix) = match event.as_str() {
                "system:error:expired-token" => (
                    ExitCode::Failure,
                    format!("mint a fresh token: {}", mint_command(user)),
                ),
                "user:error:invalid-user" => (
                    ExitCode::NotFound,
                    "the token's sub must be a user of the application (see the user line)".to_owned(),
                ),
                "system:error:permission" => (
                    ExitCode::AuthRefused,
                    format!(
                        "the ACL must allow /*/sessions/**: {}",
                        sdk_mint_command(user)
                    ),
                ),
                "system:error:invalid-token" => (
                    ExitCode::AuthRefused,
                    "see the token and application key lines: the signature, the application or the algorithm".to_owned(),
                ),
                _ => (
                    ExitCode::Failure,
                    "see the lines above; this refusal is not one the doctor knows".to_owned(),
                ),
            };
            let why = description.map(|d| format!(" ({d})")).unwrap_or_default();
            Check::fail(
                id,
                exit,
                format!("{host} refused the login: {event}{why}"),
                fix,
            )
        }
        Err(e) => {
            let error = Error::from(e);
            Check::not_run(
                id,
                error.exit_code(),
                format!("could not open a session at {host}: {error}"),
                None,
            )
        }
    }
}
