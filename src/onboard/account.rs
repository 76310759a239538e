//! Account credentials: where they come from (environment, then the stored profile), checking
//! them against the API, and storing them only once they were accepted.

use secrecy::SecretString;

use crate::error::{Error, Result};
use crate::region::Region;
use crate::store::config::Config;
use crate::store::paths::{Home, ProfileName};
use crate::store::secrets::Credentials;
use crate::vonage::{ApiCredentials, Balance, CallError, Endpoints, VonageClient};

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

/// The endpoints: `--api-base` first, then the profile's stored base, then the region
/// (given, else stored, else global).
pub fn resolve_endpoints(
    home: &Home,
    profile: &ProfileName,
    api_base: Option<&str>,
    region: Option<Region>,
) -> Result<Endpoints> {
    let config = Config::load(home)?;
    let stored = config.profile(profile);
    let base = api_base
        .map(str::to_owned)
        .or_else(|| stored.and_then(|p| p.api_base.clone()));
    let region = region
        .or_else(|| stored.and_then(|p| p.region))
        .unwrap_or_default();
    Endpoints::new(base.as_deref(), region)
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
