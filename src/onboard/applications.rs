//! Applications: create one safely (key generated and saved before the request; a lost
//! answer reconciled by public key before anything is retried), adopt an existing one,
//! list, show and delete.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::auth::keys::{PrivateKey, PublicKey};
use crate::error::{Error, Result};
use crate::ids::AppId;
use crate::store::apps::{AppRecord, save_private_key, save_record};
use crate::store::atomic::ensure_private_dir;
use crate::store::config::Config;
use crate::store::paths::{Home, ProfileName};
use crate::vonage::{Application, CallError, NewApplication, VonageClient, Webhook};

use super::names::check_app_name;

/// GET or POST, for webhooks. (`--http-method` parses it in `cli::values`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
    /// Remove pending keys of interrupted creates that match no application now, instead of
    /// after a day.
    pub discard_pending: bool,
}

/// A created or adopted application, now the profile's current one.
#[derive(Debug, Clone)]
pub struct ReadyApp {
    pub record: AppRecord,
    pub key_path: PathBuf,
    /// True when the create answer was lost and the application was found by its key.
    pub reconciled: bool,
    /// True when nothing was created: an earlier, interrupted create of this name had made
    /// the application, and its kept key has now been recorded.
    pub resumed: bool,
    /// What the keys of earlier interrupted creates came to (checked before creating).
    pub pending: PendingReport,
}

/// The keys left in `apps/.pending-*` by creates that never heard back, after checking them
/// against the account's applications.
#[derive(Debug, Clone, Default)]
pub struct PendingReport {
    /// Applications an interrupted create had made: now recorded under their id.
    pub recovered: Vec<RecoveredApp>,
    /// Keys that match no application: kept (they go by themselves after a day).
    pub kept: Vec<PathBuf>,
    /// Keys that matched no application for over a day, or that the user let go: removed.
    pub removed: Vec<PathBuf>,
    /// Folders whose key could not be read: left untouched, with the reason.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// An application found by the key an interrupted create kept.
#[derive(Debug, Clone)]
pub struct RecoveredApp {
    pub record: AppRecord,
    pub key_path: PathBuf,
}

impl PendingReport {
    /// One sentence per finding, for the commands and the wizard alike.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for app in &self.recovered {
            lines.push(format!(
                "An interrupted create had made application {} ({}); its key is now recorded at {}.",
                app.record.id,
                app.record.name,
                app.key_path.display()
            ));
        }
        for path in &self.kept {
            lines.push(format!(
                "The key of an interrupted create matches no application and was kept at {} \
                 (removed after a day; `app create --discard-pending` removes it now).",
                path.display()
            ));
        }
        for path in &self.removed {
            lines.push(format!(
                "Removed the key of an interrupted create that matches no application: {}.",
                path.display()
            ));
        }
        for (path, why) in &self.unreadable {
            lines.push(format!("{}: {why}; left untouched.", path.display()));
        }
        lines
    }
}

/// How long a pending key that matches no application is kept before it is removed.
const PENDING_KEPT_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// A pending folder without a key younger than this may be a create in progress elsewhere.
const PENDING_STARTING: Duration = Duration::from_secs(60);

/// Checks a name and webhook URLs before anything is generated or sent.
pub fn check_spec(spec: &AppSpec) -> Result<()> {
    check_app_name(&spec.name)?;
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

/// A webhook address: an absolute http(s) URL with a host. The reason is a plain sentence
/// that says what to change (the wizard shows it beside the field, the CLI after the flag),
/// never the URL parser's own words.
pub fn check_webhook_url(text: &str) -> std::result::Result<(), String> {
    use url::ParseError;
    const NOT_A_URL: &str = "is not a URL: write it like https://example.com/rtc/events";
    const NO_HOST: &str = "has no host after the scheme: add one (https://example.com/…)";
    if text.chars().any(char::is_whitespace) {
        return Err("has a space in it: a URL cannot (write %20 for a space)".into());
    }
    if !text.contains("://") {
        let host_first = text.split('/').next().is_some_and(|h| h.contains('.'));
        return Err(if host_first {
            format!("needs http:// or https:// in front: add https:// (https://{text})")
        } else {
            NOT_A_URL.into()
        });
    }
    let url = url::Url::parse(text).map_err(|e| match e {
        ParseError::EmptyHost => NO_HOST.to_owned(),
        ParseError::InvalidPort => "has a port that is not a number from 1 to 65535".to_owned(),
        ParseError::InvalidIpv4Address | ParseError::InvalidIpv6Address => {
            "has an IP address that is not valid".to_owned()
        }
        ParseError::IdnaError | ParseError::InvalidDomainCharacter => {
            "has a host name with a character host names cannot have".to_owned()
        }
        _ => NOT_A_URL.to_owned(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must start with http:// or https://".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(NO_HOST.into());
    }
    Ok(())
}

/// Creates an application: earlier interrupted creates reconciled → key pair → private key
/// saved (0600) → `POST` → recorded, current.
///
/// The key is written before the request so that no outcome can lose it; if the answer is
/// lost after sending, the account's applications are searched for our public key before
/// the caller is told anything, so a retry never creates a duplicate. A run killed before
/// any of that leaves its key in `apps/.pending-*`: the next create looks there first, and
/// when an application of the same name turns out to hold one of those keys, it is recorded
/// and returned instead of creating another.
pub async fn create(
    home: &Home,
    profile: &ProfileName,
    client: &VonageClient,
    spec: &AppSpec,
) -> Result<ReadyApp> {
    check_spec(spec)?;
    let pending = reconcile_pending(home, profile, client, spec.discard_pending).await?;
    if let Some(app) = pending
        .recovered
        .iter()
        .find(|a| a.record.name == spec.name.trim())
    {
        make_current(home, profile, &app.record.id)?;
        return Ok(ReadyApp {
            record: app.record.clone(),
            key_path: app.key_path.clone(),
            reconciled: true,
            resumed: true,
            pending,
        });
    }
    let key = tokio::task::spawn_blocking(PrivateKey::generate)
        .await
        .map_err(|e| Error::Other(format!("key generation stopped: {e}")))?
        .map_err(|e| Error::Other(e.to_string()))?;
    let pending_dir =
        apps_dir(home, profile).join(format!("{PENDING_PREFIX}{}", uuid::Uuid::new_v4()));
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
        Err(
            lost @ CallError::Transport {
                maybe_sent: true, ..
            },
        ) => {
            let message = Error::from(lost);
            tracing::warn!(name = %request.name, "create answer lost; looking for the application by its public key");
            let found = find_by_public_key(client, &public).await.map_err(|e| {
                kept(Error::Network(format!(
                    "{message}. The request may have reached Vonage, and checking for the application failed too ({}). \
                     Run `vonage-onboard app create` again: it checks the kept key first, so it will not create it twice.",
                    Error::from(e)
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

    let recovered = finish(home, profile, &pending_dir, &app, &public).map_err(kept)?;
    make_current(home, profile, &recovered.record.id)?;
    Ok(ReadyApp {
        record: recovered.record,
        key_path: recovered.key_path,
        reconciled,
        resumed: false,
        pending,
    })
}

/// Where a create keeps its key until the application's id is known.
const PENDING_PREFIX: &str = ".pending-";

fn apps_dir(home: &Home, profile: &ProfileName) -> PathBuf {
    home.profile_dir(profile).join("apps")
}

/// Checks every `apps/.pending-*` key of the profile against the account's applications
/// (one listing, only when there are any): a match is recorded under its id; a key that
/// matches nothing is kept, and removed once older than a day or when `discard` says so.
/// A failed listing is an error: creating without knowing could make a duplicate.
pub async fn reconcile_pending(
    home: &Home,
    profile: &ProfileName,
    client: &VonageClient,
    discard: bool,
) -> Result<PendingReport> {
    let mut report = PendingReport::default();
    let mut keyed = Vec::new();
    for (dir, age) in pending_dirs(&apps_dir(home, profile))? {
        let key_path = dir.join("private.key");
        if !key_path.exists() {
            // Killed before its key was saved, so nothing was sent with it: nothing to lose.
            if age > PENDING_STARTING {
                let _ = std::fs::remove_dir_all(&dir);
            }
            continue;
        }
        match PrivateKey::load(&key_path) {
            Ok(key) => keyed.push((dir, key_path, age, key.public_key())),
            Err(e) => report.unreadable.push((dir, e.to_string())),
        }
    }
    if keyed.is_empty() {
        return Ok(report);
    }
    let apps = client.list_all_applications().await.map_err(|e| {
        Error::from(e).with_note(format!(
            "{} key(s) of interrupted creates wait in {} and could not be checked against the account's \
             applications, so nothing was created (it could have been a duplicate); try again.",
            keyed.len(),
            apps_dir(home, profile).display()
        ))
    })?;
    for (dir, key_path, age, public) in keyed {
        match apps.iter().find(|app| holds_key(app, &public)) {
            Some(app) => {
                tracing::info!(id = %app.id, "an interrupted create had made this application");
                report
                    .recovered
                    .push(finish(home, profile, &dir, app, &public)?);
            }
            None if discard || age > PENDING_KEPT_FOR => {
                std::fs::remove_dir_all(&dir)
                    .map_err(|e| Error::io("remove the unused key folder", &dir, e))?;
                report.removed.push(key_path);
            }
            None => report.kept.push(key_path),
        }
    }
    Ok(report)
}

/// The profile's `.pending-*` folders, each with its age.
fn pending_dirs(apps: &Path) -> Result<Vec<(PathBuf, Duration)>> {
    let entries = match std::fs::read_dir(apps) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read", apps, e)),
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let pending = entry
            .file_name()
            .to_string_lossy()
            .starts_with(PENDING_PREFIX);
        let Ok(meta) = entry.metadata() else { continue };
        if pending && meta.is_dir() {
            let age = meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .unwrap_or_default();
            found.push((entry.path(), age));
        }
    }
    found.sort();
    Ok(found)
}

/// Moves a pending key to its application's folder and records the application, under the
/// home lock. When another run has just done it, its result is taken as ours.
fn finish(
    home: &Home,
    profile: &ProfileName,
    pending_dir: &Path,
    app: &Application,
    public: &PublicKey,
) -> Result<RecoveredApp> {
    let id = AppId::parse(&app.id).map_err(|_| {
        Error::Other(format!(
            "Vonage returned an application id we cannot use: {:?}",
            app.id
        ))
    })?;
    let final_dir = home.app_dir(profile, &id);
    let key_path = home.private_key_file(profile, &id);
    let record = record_of(app, id, public);
    let _lock = crate::store::lock::lock(home)?;
    let stored_matches = || PrivateKey::load(&key_path).is_ok_and(|k| &k.public_key() == public);
    if pending_dir.exists() && key_path.exists() {
        // The application was adopted meanwhile (`app use`): the same key, stored twice.
        let note = format!(
            "; the key of the interrupted create was left in {}",
            pending_dir.display()
        );
        check_stored_key(&key_path, &record.id, public, &note)?;
        std::fs::remove_dir_all(pending_dir)
            .map_err(|e| Error::io("remove the second copy of the key", pending_dir, e))?;
    } else if pending_dir.exists() {
        std::fs::rename(pending_dir, &final_dir)
            .map_err(|e| Error::io("move the key into", &final_dir, e))?;
    } else if !stored_matches() {
        return Err(Error::file(
            pending_dir,
            "disappeared before its key could be recorded",
        ));
    }
    save_record(home, profile, &record)?;
    Ok(RecoveredApp { record, key_path })
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
    Ok(apps.into_iter().find(|app| holds_key(app, public)))
}

fn holds_key(app: &Application, public: &PublicKey) -> bool {
    app.keys
        .public_key
        .as_deref()
        .and_then(|pem| PublicKey::from_pem(pem).ok())
        .is_some_and(|k| &k == public)
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
    Config::update(home, |config| {
        config.profile_mut(profile).current_application = Some(id.clone());
        Ok(())
    })
}

/// Whether an application's key file already holds `public`'s private key (`Ok(true)`), or
/// is free (`Ok(false)`): a different key stored there is an error, and is never replaced.
/// `then` says what became of the key that was not stored (it starts with `;` or is empty).
pub fn check_stored_key(path: &Path, id: &AppId, public: &PublicKey, then: &str) -> Result<bool> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(false);
    }
    if PrivateKey::load(path)?.public_key() != *public {
        return Err(Error::file(
            path,
            format!(
                "already holds a different private key for application {id}; it was left untouched{then}"
            ),
        ));
    }
    Ok(true)
}

/// The account's applications and which one is the profile's current one, for `app list`
/// and the wizard alike.
pub async fn list(home: &Home, profile: &ProfileName, client: &VonageClient) -> Result<AppList> {
    let apps = client.list_all_applications().await?;
    let current = Config::load(home)?
        .profile(profile)
        .and_then(|p| p.current_application.clone());
    Ok(AppList { apps, current })
}

/// What `list` found.
#[derive(Debug, Clone)]
pub struct AppList {
    pub apps: Vec<Application>,
    pub current: Option<AppId>,
}

impl AppList {
    pub fn is_current(&self, app: &Application) -> bool {
        self.current.as_ref().is_some_and(|c| c.as_str() == app.id)
    }
}

/// The application's private key as this profile stored it, when the file is there: picking
/// that application again needs no key typed.
pub fn stored_key(home: &Home, profile: &ProfileName, id: &str) -> Option<PathBuf> {
    let id = AppId::parse(id).ok()?;
    Some(home.private_key_file(profile, &id)).filter(|path| path.is_file())
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
    if !check_stored_key(&stored, &id, &public, "")? {
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
        resumed: false,
        pending: PendingReport::default(),
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
    Config::update(home, |config| {
        if let Some(entry) = config.profiles.get_mut(profile.as_str())
            && entry.current_application.as_ref() == Some(&id)
        {
            entry.current_application = None;
        }
        Ok(())
    })?;
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

    #[test]
    fn a_bad_webhook_url_gets_a_plain_sentence_not_the_parsers_words() {
        let cases = [
            (
                "example.com/rtc",
                "needs http:// or https:// in front: add https:// (https://example.com/rtc)",
            ),
            (
                "ftp://bad url",
                "has a space in it: a URL cannot (write %20 for a space)",
            ),
            (
                "nope",
                "is not a URL: write it like https://example.com/rtc/events",
            ),
            ("ftp://example.com", "must start with http:// or https://"),
            (
                "https://",
                "has no host after the scheme: add one (https://example.com/…)",
            ),
            (
                "https://example.com:99999/x",
                "has a port that is not a number from 1 to 65535",
            ),
            (
                "https://exa%mple.com/",
                "has a host name with a character host names cannot have",
            ),
        ];
        for (url, why) in cases {
            assert_eq!(check_webhook_url(url), Err(why.to_owned()), "{url}");
        }
        assert_eq!(check_webhook_url("https://example.com/rtc/events"), Ok(()));
        assert_eq!(check_webhook_url("http://127.0.0.1:8080/rtc"), Ok(()));
    }
}
