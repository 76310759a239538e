//! Applications: create one safely (key generated and saved before the request; a lost
//! answer reconciled by public key before anything is retried), adopt an existing one,
//! list, show and delete.

use std::path::{Path, PathBuf};

use crate::auth::keys::{PrivateKey, PublicKey};
use crate::error::{Error, Result};
use crate::store::apps::{AppRecord, save_private_key, save_record};
use crate::store::atomic::ensure_private_dir;
use crate::store::config::Config;
use crate::store::paths::{AppId, Home, ProfileName};
use crate::vonage::{Application, CallError, NewApplication, VonageClient, Webhook};

/// GET or POST, for webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum HttpMethod {
    /// Vonage's examples fetch the answer URL with GET.
    #[default]
    Get,
    Post,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

/// What the developer asks for.
#[derive(Debug, Clone, Default)]
pub struct AppSpec {
    pub name: String,
    pub rtc_event_url: Option<String>,
    pub answer_url: Option<String>,
    pub event_url: Option<String>,
    pub http_method: HttpMethod,
    pub improve_ai: bool,
}

/// A created or adopted application, now the profile's current one.
#[derive(Debug, Clone)]
pub struct ReadyApp {
    pub record: AppRecord,
    pub key_path: PathBuf,
    /// True when the create answer was lost and the application was found by its key.
    pub reconciled: bool,
}

/// Longest application name we send (the API documents none).
const MAX_APP_NAME: usize = 200;

/// Checks a name and webhook URLs before anything is generated or sent.
pub fn check_spec(spec: &AppSpec) -> Result<()> {
    let name = spec.name.trim();
    if name.is_empty() || name.chars().count() > MAX_APP_NAME || name.chars().any(char::is_control)
    {
        return Err(Error::usage(format!(
            "application name {:?} must be 1 to {MAX_APP_NAME} printable characters",
            spec.name
        )));
    }
    for (flag, url) in [
        ("--rtc-event-url", &spec.rtc_event_url),
        ("--answer-url", &spec.answer_url),
        ("--event-url", &spec.event_url),
    ] {
        if let Some(url) = url {
            check_webhook_url(url).map_err(|why| Error::usage(format!("{flag} {url:?} {why}")))?;
        }
    }
    Ok(())
}

/// A webhook address: an absolute http(s) URL with a host.
pub fn check_webhook_url(text: &str) -> std::result::Result<(), String> {
    let url = url::Url::parse(text).map_err(|e| format!("is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must start with http:// or https://".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("has no host".into());
    }
    Ok(())
}

/// Creates an application: key pair → private key saved (0600) → `POST` → recorded, current.
///
/// The key is written before the request so that no outcome can lose it; if the answer is
/// lost after sending, the account's applications are searched for our public key before
/// the caller is told anything, so a retry never creates a duplicate.
pub async fn create(
    home: &Home,
    profile: &ProfileName,
    client: &VonageClient,
    spec: &AppSpec,
) -> Result<ReadyApp> {
    check_spec(spec)?;
    let key = tokio::task::spawn_blocking(PrivateKey::generate)
        .await
        .map_err(|e| Error::Other(format!("key generation stopped: {e}")))?
        .map_err(|e| Error::Other(e.to_string()))?;
    let pending_dir = home
        .profile_dir(profile)
        .join("apps")
        .join(format!(".pending-{}", uuid::Uuid::new_v4()));
    ensure_private_dir(&pending_dir)?;
    let pending_key = pending_dir.join("private.key");
    save_private_key(&pending_key, &key)?;
    let kept = |e: Error| {
        e.with_note(format!(
            "The private key was kept at {}.",
            pending_key.display()
        ))
    };

    let public = key.public_key();
    let request = NewApplication {
        name: spec.name.trim().to_owned(),
        public_key_pem: public.to_spki_pem(),
        answer_url: spec
            .answer_url
            .clone()
            .map(|a| webhook(a, spec.http_method)),
        voice_event_url: spec.event_url.clone().map(|a| webhook(a, HttpMethod::Post)),
        rtc_event_url: spec
            .rtc_event_url
            .clone()
            .map(|a| webhook(a, HttpMethod::Post)),
        improve_ai: spec.improve_ai,
    };
    let (app, reconciled) = match client.create_application(&request).await {
        Ok(app) => (app, false),
        Err(CallError::Transport {
            message,
            maybe_sent: true,
        }) => {
            tracing::warn!(name = %request.name, "create answer lost; looking for the application by its public key");
            let found = find_by_public_key(client, &public).await.map_err(|e| {
                kept(Error::Network(format!(
                    "{message}. The request may have reached Vonage, and checking for the application failed too ({e}). \
                     Run `vonage-onboard app list` before trying again, so you do not create it twice."
                )))
            })?;
            match found {
                Some(app) => (app, true),
                None => {
                    return Err(kept(Error::Network(format!(
                        "{message}. Vonage has no application with this key, so none was created: run the command again."
                    ))));
                }
            }
        }
        Err(e) => return Err(kept(e.into())),
    };

    let id = AppId::parse(&app.id).map_err(|_| {
        kept(Error::Other(format!(
            "Vonage returned an application id we cannot use: {:?}",
            app.id
        )))
    })?;
    let final_dir = home.app_dir(profile, &id);
    std::fs::rename(&pending_dir, &final_dir)
        .map_err(|e| kept(Error::io("move the key into", &final_dir, e)))?;
    let record = record_of(&app, id.clone(), &public);
    save_record(home, profile, &record)?;
    make_current(home, profile, &id)?;
    Ok(ReadyApp {
        key_path: home.private_key_file(profile, &id),
        record,
        reconciled,
    })
}

fn webhook(address: String, method: HttpMethod) -> Webhook {
    Webhook {
        address,
        http_method: method.as_str().to_owned(),
    }
}

async fn find_by_public_key(
    client: &VonageClient,
    public: &PublicKey,
) -> std::result::Result<Option<Application>, CallError> {
    let apps = client.list_all_applications().await?;
    Ok(apps.into_iter().find(|app| {
        app.keys
            .public_key
            .as_deref()
            .and_then(|pem| PublicKey::from_pem(pem).ok())
            .is_some_and(|k| &k == public)
    }))
}

fn record_of(app: &Application, id: AppId, public: &PublicKey) -> AppRecord {
    AppRecord {
        id,
        name: app.name.clone(),
        public_key: public.to_spki_pem(),
        capabilities: app.capabilities.clone(),
    }
}

fn make_current(home: &Home, profile: &ProfileName, id: &AppId) -> Result<()> {
    let _lock = crate::store::lock::lock(home)?;
    let mut config = Config::load(home)?;
    config.profile_mut(profile).current_application = Some(id.clone());
    config.save(home)
}

/// Makes an existing application current, after checking `key_path` is its private key.
/// The key is copied into the store (0600); a different key already stored there is an error.
pub async fn adopt(
    home: &Home,
    profile: &ProfileName,
    client: &VonageClient,
    id: &str,
    key_path: &Path,
) -> Result<ReadyApp> {
    let id = AppId::parse(id)?;
    let key = PrivateKey::load(key_path)?;
    let app = client.get_application(id.as_str()).await?;
    let theirs = app.keys.public_key.as_deref().ok_or_else(|| {
        Error::Other(format!(
            "Vonage returned no public key for application {id}"
        ))
    })?;
    let theirs = PublicKey::from_pem(theirs)
        .map_err(|e| Error::Other(format!("the public key Vonage holds for {id} {e}")))?;
    let public = key.public_key();
    if theirs != public {
        return Err(Error::file(
            key_path,
            format!("is not the private key of application {id} (its public key differs)"),
        ));
    }
    let stored = home.private_key_file(profile, &id);
    if stored.exists() {
        let same = PrivateKey::load(&stored)
            .map(|k| k.public_key() == public)
            .unwrap_or(false);
        if !same {
            return Err(Error::file(
                &stored,
                "already holds a different key for this application; it was left untouched",
            ));
        }
    } else {
        ensure_private_dir(&home.app_dir(profile, &id))?;
        save_private_key(&stored, &key)?;
    }
    let record = record_of(&app, id.clone(), &public);
    save_record(home, profile, &record)?;
    make_current(home, profile, &id)?;
    Ok(ReadyApp {
        record,
        key_path: stored,
        reconciled: false,
    })
}

/// Deletes an application at Vonage. Its stored key stays (keys are never deleted for you);
/// if it was current, the profile has no current application afterwards.
pub async fn delete(
    home: &Home,
    profile: &ProfileName,
    client: &VonageClient,
    id: &str,
) -> Result<Option<PathBuf>> {
    let id = AppId::parse(id)?;
    client.delete_application(id.as_str()).await?;
    let _lock = crate::store::lock::lock(home)?;
    let mut config = Config::load(home)?;
    let entry = config.profile_mut(profile);
    if entry.current_application.as_ref() == Some(&id) {
        entry.current_application = None;
        config.save(home)?;
    }
    let key = home.private_key_file(profile, &id);
    Ok(key.exists().then_some(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_checked_before_anything_happens() {
        let ok = AppSpec {
            name: "demo".into(),
            rtc_event_url: Some("https://example.com/rtc".into()),
            ..AppSpec::default()
        };
        assert!(check_spec(&ok).is_ok());
        for bad in [
            AppSpec {
                name: " ".into(),
                ..ok.clone()
            },
            AppSpec {
                rtc_event_url: Some("example.com/rtc".into()),
                ..ok.clone()
            },
            AppSpec {
                answer_url: Some("ftp://example.com".into()),
                ..ok.clone()
            },
            AppSpec {
                event_url: Some("https://".into()),
                ..ok.clone()
            },
        ] {
            assert!(check_spec(&bad).is_err(), "{bad:?}");
        }
    }
}
