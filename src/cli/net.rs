//! What network commands share: the async runtime, the Vonage client for this run (real
//! API or the embedded sandbox), spinners on a terminal, and delete confirmations.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::sync::atomic::Ordering;
use std::time::Duration;

use secrecy::SecretString;

use super::Session;
use crate::auth::jwt::Signer;
use crate::error::{Error, Result};
use crate::onboard::account::{resolve_credentials, resolve_endpoints};
use crate::onboard::context::AppContext;
use crate::region::Region;
use crate::vonage::{ApiCredentials, Endpoints, PlainHttp, VonageClient};

/// The runtime network commands run on: two workers are plenty for a CLI and the sandbox.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("could not start the async runtime: {e}")))
}

/// Resolves on Ctrl-C or SIGTERM: how the foreground servers (`sandbox`, `token serve`) stop.
pub async fn wait_for_stop_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let term = async {
        match term.as_mut() {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

/// The embedded sandbox this run talks to (`--sandbox`).
#[derive(Debug, Clone)]
pub struct SandboxTarget {
    pub url: String,
    pub credentials: ApiCredentials,
}

/// What a run allowed onto a plain-http base elsewhere says on stderr.
pub fn insecure_warning(base: &str) -> String {
    format!(
        "warning: --allow-insecure-http: the API secret and tokens go to {base} in clear text; \
         anyone on that network can read them"
    )
}

/// `VONAGE_API_KEY` / `VONAGE_API_SECRET`, the names Vonage's SDKs read.
pub fn env_credentials() -> (Option<String>, Option<SecretString>) {
    let read = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    (
        read("VONAGE_API_KEY"),
        read("VONAGE_API_SECRET").map(SecretString::from),
    )
}

impl Session {
    /// Where this run's calls go: the sandbox when `--sandbox`, else the configured API. A
    /// plain-http base on another machine is refused unless `--allow-insecure-http`, and
    /// warned about when it is allowed.
    pub fn endpoints(&self) -> Result<Endpoints> {
        let endpoints = match &self.sandbox {
            Some(sandbox) => Ok(Endpoints::new(Some(&sandbox.url), Region::Global)?),
            None => resolve_endpoints(
                &self.home,
                &self.profile,
                self.global.api_base.as_deref(),
                self.global.region,
                self.plain_http(),
            ),
        }?;
        if let Some(base) = endpoints.insecure_base() {
            self.warn_insecure_once(base);
        }
        Ok(endpoints)
    }

    /// What `--allow-insecure-http` (or `VONAGE_ALLOW_INSECURE_HTTP`) lets a base be.
    pub fn plain_http(&self) -> PlainHttp {
        if self.global.allow_insecure_http {
            PlainHttp::Anywhere
        } else {
            PlainHttp::LoopbackOnly
        }
    }

    /// Once per run, however many clients it builds: the override is never silent.
    fn warn_insecure_once(&self, base: &str) {
        if !self.warned_insecure.swap(true, Ordering::Relaxed) {
            self.out.note(&insecure_warning(base));
        }
    }

    /// The client for this run, with the sandbox's pair, the environment's, or the profile's.
    pub fn client(&self) -> Result<VonageClient> {
        let credentials = match &self.sandbox {
            Some(sandbox) => Some(sandbox.credentials.clone()),
            None => {
                let (key, secret) = env_credentials();
                resolve_credentials(&self.home, &self.profile, key, secret)?
            }
        };
        Ok(VonageClient::new(self.endpoints()?, credentials)?)
    }

    /// The current application's context (environment first, then the profile).
    pub fn app_context(&self) -> Result<AppContext> {
        let g = &self.global;
        AppContext::resolve(
            &self.home,
            &self.profile,
            g.application_id.as_deref(),
            g.private_key_path.as_deref(),
        )
    }

    pub fn signer(&self) -> Result<Signer> {
        self.app_context()?.signer()
    }

    /// Runs `work` with a spinner on stderr when a person is watching; silent otherwise.
    pub async fn spin<T>(&self, message: &str, work: impl Future<Output = T>) -> T {
        if self.out.json || !std::io::stderr().is_terminal() {
            return work.await;
        }
        let spinner = indicatif::ProgressBar::new_spinner();
        spinner.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        spinner.set_message(message.to_owned());
        spinner.enable_steady_tick(Duration::from_millis(80));
        let result = work.await;
        spinner.finish_and_clear();
        result
    }

    /// How the user runs `args` again in the same setting (with `--sandbox` when this run had it).
    pub fn command_line(&self, args: &str) -> String {
        let sandbox = if self.sandbox.is_some() {
            "--sandbox "
        } else {
            ""
        };
        format!("vonage-onboard {sandbox}{args}")
    }

    /// Asks before an irreversible step. On a terminal: a y/N question (unless `--yes`); without
    /// one: refused unless `--yes`, so a script never deletes by accident.
    pub fn confirm(&self, question: &str, yes: bool) -> Result<bool> {
        if yes {
            return Ok(true);
        }
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return Err(Error::usage(
                "this deletes for good: pass --yes to do it without a terminal to ask on",
            ));
        }
        eprint!("{question} [y/N] ");
        let _ = std::io::stderr().flush();
        let answer = crate::bounded::read_line(std::io::stdin().lock(), 1024)
            .map_err(|e| e.for_stdin("the answer"))?;
        Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
    }
}
