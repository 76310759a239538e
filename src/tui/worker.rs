//! The async worker: runs each `Command` on tokio (key generation on the blocking pool inside
//! `onboard::`), calling the same `onboard::` functions as the commands, and answers with a
//! `WorkerEvent` carrying the request's id. It never touches the terminal.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use secrecy::ExposeSecret;
use tokio::sync::mpsc;

use super::protocol::{
    AccountSummary, AppSummary, Command, CurrentApp, Failure, Hidden, KeyOrigin, NOTICE, Outcome,
    Request, ServeInfo, Snapshot, StoredUser, TokenView, UserRow, WorkerEvent,
};
use crate::auth::verify;
use crate::clock::unix_now;
use crate::error::{Error, ExitCode};
use crate::onboard::account::{
    StoredSettings, resolve_credentials, resolve_endpoints, setup, verify,
};
use crate::onboard::context::AppContext;
use crate::onboard::doctor::Doctor;
use crate::onboard::tokens::{TokenRequest, mint_user_token, save_recipe, save_token};
use crate::onboard::{applications, stored, users};
use crate::region::Region;
use crate::serve::{ServeConfig, ServeSource, Served, TokenServer};
use crate::store::paths::{Home, ProfileName};
use crate::store::state::Recipe;
use crate::vonage::{ApiCredentials, Endpoints, PlainHttp, VonageClient};

/// Where the worker's calls go and what it may pre-fill.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub home: Home,
    pub profile: ProfileName,
    /// `--api-base`, or the embedded sandbox's URL.
    pub api_base: Option<String>,
    pub region: Option<Region>,
    /// Where a plain-http base may point (`--allow-insecure-http`); never from the profile.
    pub plain_http: PlainHttp,
    /// The sandbox's pair, offered on the Account screen (stored only once verified).
    pub suggested: Option<ApiCredentials>,
    /// `VONAGE_API_KEY` + `VONAGE_API_SECRET`: used before the profile's pair, as the
    /// commands do.
    pub env_credentials: Option<ApiCredentials>,
    /// `VONAGE_APPLICATION_ID` / `VONAGE_PRIVATE_KEY_PATH` (or their flags): used before the
    /// profile's current application.
    pub application_id: Option<String>,
    pub private_key_path: Option<PathBuf>,
    /// `--secret-store`: where a verified secret goes (`Auto`: the keyring when one answers).
    pub secrets: crate::onboard::account::SecretChoice,
}

/// The channel ends the shell holds.
pub struct WorkerHandle {
    pub requests: mpsc::UnboundedSender<Request>,
    pub events: mpsc::UnboundedReceiver<WorkerEvent>,
}

struct Worker {
    config: WorkerConfig,
    /// Built once per credential pair; reset when new credentials are verified.
    client: Mutex<Option<VonageClient>>,
    /// `token serve` while it runs (`S` on Tokens); dropped with the worker, which stops it.
    server: Mutex<Option<TokenServer>>,
    /// Where unasked notices go (a token served).
    events: mpsc::UnboundedSender<WorkerEvent>,
}

/// Starts the worker on the current tokio runtime.
pub fn spawn(config: WorkerConfig) -> WorkerHandle {
    let (request_tx, mut request_rx) = mpsc::unbounded_channel::<Request>();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let worker = Arc::new(Worker {
        config,
        client: Mutex::new(None),
        server: Mutex::new(None),
        events: event_tx.clone(),
    });
    tokio::spawn(async move {
        while let Some(request) = request_rx.recv().await {
            let worker = worker.clone();
            let events = event_tx.clone();
            let in_order = request.command.keeps_order();
            // Each request runs on its own, so a slow one never holds up the next; recipe
            // writes (local and quick) finish before the next request starts.
            let task = tokio::spawn(async move {
                // Run in a task of its own so that even a panic becomes an answer: the
                // spinner must never wait for an event that will not come.
                let result =
                    match tokio::spawn(async move { worker.run(request.command).await }).await {
                        Ok(result) => result.map_err(|e| failure_of(&e)),
                        Err(e) => Err(Failure {
                            message: format!("the request stopped unexpectedly ({e})"),
                            fields: Vec::new(),
                            refused: false,
                        }),
                    };
                let _ = events.send(WorkerEvent {
                    id: request.id,
                    result,
                });
            });
            if in_order {
                let _ = task.await;
            }
        }
    });
    WorkerHandle {
        requests: request_tx,
        events: event_rx,
    }
}

/// Turns an error into what the screen shows: its sentence, the API's field reasons, refusal.
pub fn failure_of(error: &Error) -> Failure {
    let mut fields = Vec::new();
    let mut inner = error;
    while let Error::WithNote { source, .. } = inner {
        inner = source;
    }
    if let Error::Api(api) = inner {
        fields = api
            .invalid_parameters
            .iter()
            .map(|p| (p.name.clone(), p.reason.clone()))
            .collect();
    }
    Failure {
        message: error.to_string().replace('\n', " "),
        fields,
        refused: error.exit_code() == ExitCode::AuthRefused,
    }
}

impl Worker {
    fn home(&self) -> &Home {
        &self.config.home
    }

    fn profile(&self) -> &ProfileName {
        &self.config.profile
    }

    fn endpoints(&self, region: Option<Region>) -> Result<Endpoints, Error> {
        resolve_endpoints(
            self.home(),
            self.profile(),
            self.config.api_base.as_deref(),
            region.or(self.config.region),
            self.config.plain_http,
        )
    }

    fn client(&self) -> Result<VonageClient, Error> {
        let mut cached = self
            .client
            .lock()
            .map_err(|_| Error::Other("worker state poisoned".into()))?;
        if let Some(client) = cached.as_ref() {
            return Ok(client.clone());
        }
        let env = self.config.env_credentials.clone();
        let credentials = resolve_credentials(
            self.home(),
            self.profile(),
            env.as_ref().map(|c| c.api_key.clone()),
            env.map(|c| c.api_secret),
        )?;
        let client = VonageClient::new(self.endpoints(None)?, credentials)?;
        *cached = Some(client.clone());
        Ok(client)
    }

    fn signer(&self) -> Result<crate::auth::jwt::Signer, Error> {
        self.app_context()?.signer()
    }

    fn app_context(&self) -> Result<AppContext, Error> {
        AppContext::resolve(
            self.home(),
            self.profile(),
            self.config.application_id.as_deref(),
            self.config.private_key_path.as_deref(),
        )
    }

    async fn run(&self, command: Command) -> Result<Outcome, Error> {
        tracing::debug!(command = command.name(), "worker");
        match command {
            Command::Load => self.load().map(Outcome::Loaded),
            Command::Verify {
                api_key,
                api_secret,
                region,
                store,
            } => {
                let credentials = ApiCredentials {
                    api_key,
                    api_secret,
                };
                let client =
                    VonageClient::new(self.endpoints(Some(region))?, Some(credentials.clone()))?;
                let check = if store {
                    let settings = StoredSettings {
                        api_base: None,
                        region: Some(region),
                        secrets: self.config.secrets,
                    };
                    setup(self.home(), self.profile(), &client, settings).await?
                } else {
                    verify(&client).await?
                };
                if let Ok(mut cached) = self.client.lock() {
                    *cached = Some(client);
                }
                Ok(Outcome::Verified(AccountSummary {
                    api_key: credentials.api_key,
                    applications: check.applications,
                    balance: check.balance.map(|b| b.value),
                    stored: check.stored.map(|p| p.note),
                }))
            }
            Command::ListApps => {
                let listed =
                    applications::list(self.home(), self.profile(), &self.client()?).await?;
                Ok(Outcome::Apps(
                    listed
                        .apps
                        .into_iter()
                        .map(|a| AppSummary {
                            stored_key: applications::stored_key(
                                self.home(),
                                self.profile(),
                                &a.id,
                            ),
                            id: a.id,
                            name: a.name,
                        })
                        .collect(),
                ))
            }
            Command::CreateApp(spec) => {
                let ready =
                    applications::create(self.home(), self.profile(), &self.client()?, &spec)
                        .await?;
                let key = if ready.resumed {
                    KeyOrigin::Kept
                } else {
                    KeyOrigin::New
                };
                self.app_ready(&ready, key)
            }
            Command::AdoptApp { id, key_path } => {
                let key_path = expand_home(&key_path);
                // Adopt keeps a key already stored for the application (a different one is
                // refused), so one there before means it was reused rather than copied.
                let key = match applications::stored_key(self.home(), self.profile(), &id) {
                    Some(_) => KeyOrigin::AlreadyStored,
                    None => KeyOrigin::Copied,
                };
                let ready = applications::adopt(
                    self.home(),
                    self.profile(),
                    &self.client()?,
                    &id,
                    &key_path,
                )
                .await?;
                self.app_ready(&ready, key)
            }
            Command::ListUsers => {
                let list = users::list(&self.client()?, &self.signer()?).await?;
                Ok(Outcome::Users(list.into_iter().map(row_of).collect()))
            }
            Command::CreateUser(new) => {
                let client = self.client()?;
                let signer = self.signer()?;
                Ok(
                    match users::create_or_find(self.home(), self.profile(), &client, &signer, &new)
                        .await?
                    {
                        users::Creation::Created(user) => Outcome::UserCreated(row_of(user)),
                        users::Creation::Exists(user) => Outcome::UserExists(row_of(user)),
                    },
                )
            }
            Command::Mint { user, ttl, acl } => {
                let signer = self.signer()?;
                let request = TokenRequest {
                    user: Some(user),
                    ttl: Some(ttl),
                    acl: Some(acl),
                };
                let made =
                    mint_user_token(self.home(), self.profile(), &signer, request, unix_now())?;
                Ok(Outcome::Minted {
                    user: made.user,
                    token: TokenView {
                        token: made.minted.token,
                        iat: made.minted.claims.iat,
                        exp: made.minted.claims.exp,
                    },
                    ttl: made.recipe.ttl,
                    acl: made.recipe.acl,
                })
            }
            Command::SaveRecipe {
                user,
                ttl,
                acl,
                changed,
            } => {
                let app = self.app_context()?.id;
                let recipe = Recipe {
                    ttl,
                    acl: acl.clone(),
                };
                save_recipe(self.home(), self.profile(), &app, &user, recipe)?;
                Ok(Outcome::RecipeSaved {
                    user,
                    ttl,
                    acl,
                    changed,
                })
            }
            Command::SaveToken { user, path } => {
                let app = self.app_context()?.id;
                let path = save_token(self.home(), self.profile(), &app, &user, &path)?;
                Ok(Outcome::Saved { path })
            }
            Command::DeleteUser { user } => {
                let client = self.client()?;
                let signer = self.signer()?;
                let gone =
                    users::delete(self.home(), self.profile(), &client, &signer, &user).await?;
                Ok(Outcome::UserDeleted(row_of(gone)))
            }
            Command::ExportEnv { dir } => {
                let context = self.app_context().ok();
                let written = crate::onboard::export::export_env(
                    self.home(),
                    self.profile(),
                    context.as_ref(),
                    &dir.join(".env"),
                    false,
                )?;
                Ok(Outcome::Exported {
                    path: written.path,
                    variables: written.variables,
                })
            }
            Command::Inspect { token } => {
                let now = unix_now();
                let opened = verify::check(token.expose(), verify::Expected::default(), now);
                // The signature is checked where this home holds the token's application key.
                let context = self.app_context().ok();
                let signer = context
                    .as_ref()
                    .filter(|c| opened.application_id() == Some(c.id.as_str()))
                    .map(|c| c.signer())
                    .transpose()?;
                let inspection = match &signer {
                    Some(signer) => {
                        let key = signer.key().public_key();
                        verify::check(
                            token.expose(),
                            verify::Expected {
                                key: Some(&key),
                                application_id: Some(signer.application_id().as_str()),
                            },
                            now,
                        )
                    }
                    // A readable token of another application: say so (the verifier's own
                    // reason stands for an unreadable one).
                    None if opened.application_id().is_some() => {
                        let mut opened = opened;
                        opened.signature = verify::SignatureCheck::NotChecked(
                            "it is another application's token (d asks Vonage for its key)".into(),
                        );
                        opened
                    }
                    None => opened,
                };
                Ok(Outcome::Inspected {
                    lines: crate::tui::inspect::lines(&inspection, now),
                    token,
                })
            }
            Command::Doctor { token } => {
                let client = self.client()?;
                let context = self.app_context().ok();
                let doctor = Doctor {
                    home: self.home(),
                    profile: self.profile(),
                    client: &client,
                    context: context.as_ref(),
                };
                let report = doctor.diagnose(token.expose(), unix_now()).await;
                Ok(Outcome::Doctored {
                    lines: report.lines(),
                    passed: report.passed(),
                })
            }
            Command::StartServe => self.start_serve().await,
            Command::StopServe => {
                let server = self.server.lock().ok().and_then(|mut s| s.take());
                let served = match server {
                    Some(server) => {
                        let served = server.served();
                        server.stop().await;
                        served
                    }
                    None => 0,
                };
                Ok(Outcome::ServeStopped { served })
            }
        }
    }

    /// `token serve` for the current application, as the command runs it (loopback, any
    /// free port, the users this home knows); each served token is a notice to the screen.
    async fn start_serve(&self) -> Result<Outcome, Error> {
        // One at a time: a second start replaces nothing, it reports the running one.
        if let Some(server) = self.server.lock().ok().as_ref().and_then(|s| s.as_ref()) {
            return Ok(Outcome::Serving(serve_info(server)));
        }
        let events = self.events.clone();
        let count = AtomicU64::new(0);
        let config = ServeConfig {
            on_served: Some(Arc::new(move |_: &Served| {
                let served = count.fetch_add(1, Ordering::Relaxed) + 1;
                let _ = events.send(WorkerEvent {
                    id: NOTICE,
                    result: Ok(Outcome::ServedCount(served)),
                });
            })),
            ..ServeConfig::default()
        };
        let source = ServeSource {
            signer: Arc::new(self.signer()?),
            home: self.home().clone(),
            profile: self.profile().clone(),
        };
        let server = crate::serve::start(config, source).await?;
        let info = serve_info(&server);
        if let Ok(mut slot) = self.server.lock() {
            *slot = Some(server);
        }
        Ok(Outcome::Serving(info))
    }

    /// The application is current: its users come back with their recipes and last tokens.
    fn app_ready(&self, ready: &applications::ReadyApp, key: KeyOrigin) -> Result<Outcome, Error> {
        let users = stored::known_users(self.home(), self.profile(), &ready.record.id)?;
        Ok(Outcome::AppReady {
            key,
            app: current_of(
                ready.record.id.as_str(),
                &ready.record.name,
                &ready.key_path,
            ),
            reconciled: ready.reconciled,
            note: Some(ready.pending.describe().join(" ")).filter(|n| !n.is_empty()),
            users: users.into_iter().map(stored_user).collect(),
        })
    }

    /// What is stored (credentials, the current application, its users and their tokens),
    /// read by onboard as the commands would; the sandbox's pair is offered when no secret is.
    fn load(&self) -> Result<Snapshot, Error> {
        // The environment's application first, as the commands do; then the profile's.
        let stored = stored::load(
            self.home(),
            self.profile(),
            self.config.env_credentials.as_ref(),
            self.app_context().ok(),
        )?;
        let suggested = self
            .config
            .suggested
            .as_ref()
            .filter(|_| !stored.has_secret);
        Ok(Snapshot {
            api_key: stored
                .api_key
                .or_else(|| suggested.map(|c| c.api_key.clone())),
            has_secret: stored.has_secret,
            region: stored.region,
            suggested_secret: suggested.map(|c| Hidden(c.api_secret.expose_secret().to_owned())),
            current_app: stored
                .current_app
                .map(|app| current_of(app.id.as_str(), &app.name, &app.key_path)),
            users: stored.users.into_iter().map(stored_user).collect(),
            problems: stored.problems,
        })
    }
}

fn serve_info(server: &TokenServer) -> ServeInfo {
    ServeInfo {
        url: server.url().to_owned(),
        key: Hidden(server.key().to_owned()),
        application_id: server.application_id().to_string(),
        served: server.served(),
    }
}

fn stored_user(user: stored::KnownUser) -> StoredUser {
    StoredUser {
        name: user.name,
        id: user.id,
        ttl: user.recipe.ttl,
        acl: user.recipe.acl,
        token: user.last_token.map(|t| TokenView {
            token: t.token,
            iat: t.iat,
            exp: t.exp,
        }),
    }
}

fn current_of(id: &str, name: &str, key_path: &Path) -> CurrentApp {
    CurrentApp {
        id: id.to_owned(),
        name: name.to_owned(),
        key_path: key_path.to_path_buf(),
    }
}

fn row_of(user: users::User) -> UserRow {
    UserRow {
        id: Some(user.id),
        name: user.name,
        display_name: user.display_name,
    }
}

/// `~/key.pem` as the shell would read it (typed into the wizard, where no shell expands it).
fn expand_home(path: &Path) -> std::path::PathBuf {
    match (path.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => path.to_path_buf(),
    }
}
