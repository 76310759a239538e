//! Account credentials: where they come from (environment, then the stored profile), checking
//! them against the API, and storing them only once they were accepted.

use secrecy::SecretString;

use crate::error::{Error, Result};
use crate::region::Region;
use crate::store::config::Config;
use crate::store::paths::{Home, ProfileName};
use crate::store::secrets::Credentials;
use crate::vonage::{ApiCredentials, Balance, CallError, Endpoints, PlainHttp, VonageClient};

/// What a successful check tells about the account.
#[derive(Debug, Clone)]
pub struct AccountCheck {
    pub applications: u32,
    /// Shown when the balance endpoint answered; its failure is not fatal.
    pub balance: Option<Balance>,
}

/// Credentials from the environment pair when both are set, else from the stored profile.
pub fn resolve_credentials(
    home: &Home,
    profile: &ProfileName,
    env_key: Option<String>,
    env_secret: Option<SecretString>,
) -> Result<Option<ApiCredentials>> {
    if let (Some(api_key), Some(api_secret)) = (env_key.clone(), env_secret) {
        return Ok(Some(ApiCredentials {
            api_key,
            api_secret,
        }));
    }
    let config = Config::load(home)?;
    let stored_key = config.profile(profile).and_then(|p| p.api_key.clone());
    let secrets = Credentials::load(home)?;
    Ok(match (env_key.or(stored_key), secrets.get(profile)) {
        (Some(api_key), Some(secret)) => Some(ApiCredentials {
            api_key,
            api_secret: secret.clone(),
        }),
        _ => None,
    })
}

/// The endpoints: the given base (flag or environment) first, then the profile's stored base,
/// then the region (given, else stored, else global). Every base goes through the same
/// plain-HTTP rule; the override is the caller's, never the profile's.
pub fn resolve_endpoints(
    home: &Home,
    profile: &ProfileName,
    api_base: Option<&str>,
    region: Option<Region>,
    plain_http: PlainHttp,
) -> Result<Endpoints> {
    let config = Config::load(home)?;
    let stored = config.profile(profile);
    let stored_base = stored.and_then(|p| p.api_base.as_deref());
    let region = region
        .or_else(|| stored.and_then(|p| p.region))
        .unwrap_or_default();
    match (api_base, stored_base) {
        (Some(base), _) => Endpoints::with_plain_http(Some(base), region, plain_http),
        (None, Some(base)) => {
            Endpoints::with_plain_http(Some(base), region, plain_http).map_err(|e| match e {
                // Say where it is, so the user knows which file to fix.
                Error::InsecureHttp { base, .. } => Error::InsecureHttp {
                    base,
                    stored_in: Some(format!(
                        "profile {:?} of {}",
                        profile.as_str(),
                        home.config_file().display()
                    )),
                },
                other => other,
            })
        }
        (None, None) => Endpoints::with_plain_http(None, region, plain_http),
    }
}

/// `GET /v2/applications?page_size=1` with Basic auth, then the balance (best effort).
pub async fn verify(client: &VonageClient) -> Result<AccountCheck> {
    let page = client.list_applications(1, 1).await.map_err(|e| match e {
        CallError::Api(api) if api.status == 401 || api.status == 403 => {
            Error::AuthRefused(format!(
                "Vonage refused this API key and secret ({}). Check both in the dashboard: {}",
                api.status,
                crate::onboard::DASHBOARD_URL
            ))
        }
        other => other.into(),
    })?;
    let balance = client.balance().await.ok();
    Ok(AccountCheck {
        applications: page.total_items,
        balance,
    })
}

/// `setup`: checks the client's pair with Vonage and stores it only once it was accepted, so
/// a refused pair never replaces a working one.
pub async fn setup(
    home: &Home,
    profile: &ProfileName,
    client: &VonageClient,
    settings: StoredSettings,
) -> Result<AccountCheck> {
    let check = verify(client).await?;
    let credentials = client
        .credentials()
        .ok_or_else(|| Error::from(CallError::NoCredentials))?;
    store_credentials(home, profile, credentials, settings)?;
    Ok(check)
}

/// What `setup` stores besides the pair itself.
#[derive(Debug, Clone, Default)]
pub struct StoredSettings {
    pub api_base: Option<String>,
    pub region: Option<Region>,
}

/// Stores a verified pair in the profile: key (and host settings) in config, secret apart.
pub fn store_credentials(
    home: &Home,
    profile: &ProfileName,
    credentials: &ApiCredentials,
    settings: StoredSettings,
) -> Result<()> {
    let _lock = crate::store::lock::lock(home)?;
    // Load both first: a corrupt file stops us before anything is written.
    let mut config = Config::load(home)?;
    let mut secrets = Credentials::load(home)?;
    secrets.set(profile, credentials.api_secret.clone());
    secrets.save(home)?;
    let entry = config.profile_mut(profile);
    entry.api_key = Some(credentials.api_key.clone());
    if settings.api_base.is_some() {
        entry.api_base = settings.api_base;
    }
    if settings.region.is_some() {
        entry.region = settings.region;
    }
    config.save(home)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_plain_http_base_is_refused_and_named_and_the_override_is_the_caller_s() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let profile = ProfileName::default();
        let mut config = Config::default();
        config.profile_mut(&profile).api_base = Some("http://api.example.invalid".into());
        config.save(&home).unwrap();

        let err =
            resolve_endpoints(&home, &profile, None, None, PlainHttp::LoopbackOnly).unwrap_err();
        assert!(
            matches!(&err, Error::InsecureHttp { stored_in: Some(s), .. } if s.contains("config.toml")),
            "{err}"
        );
        assert_eq!(err.exit_code(), crate::error::ExitCode::Usage);
        // A base given for this run wins; the override lets the stored one through.
        let given = Some("http://127.0.0.1:9");
        let e = resolve_endpoints(&home, &profile, given, None, PlainHttp::LoopbackOnly).unwrap();
        assert_eq!(e.insecure_base(), None);
        let e = resolve_endpoints(&home, &profile, None, None, PlainHttp::Anywhere).unwrap();
        assert_eq!(e.insecure_base(), Some("http://api.example.invalid"));
        let err = resolve_endpoints(
            &home,
            &profile,
            Some("http://10.0.0.1"),
            None,
            PlainHttp::LoopbackOnly,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InsecureHttp {
                    stored_in: None,
                    ..
                }
            ),
            "{err}"
        );
    }
}
