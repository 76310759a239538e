//! Account credentials: what an API key looks like, where they come from (environment, then
//! the stored profile), checking them against the API, storing them (once, for setup, the
//! wizard and import), and how the account's balance is said.

use secrecy::SecretString;

pub use super::secret_place::{Placement, SecretChoice};
use crate::error::{Error, Result};
use crate::region::Region;
use crate::store::config::Config;
use crate::store::paths::{Home, ProfileName};
use crate::store::secret_store::{KeyringStore, SecretStore, StoreKind};
use crate::store::secrets::Credentials;
use crate::vonage::{
    ApiCredentials, Balance, CallError, ClientError, Endpoints, PlainHttp, VonageClient,
};

/// An API key as typed: trimmed, one word without control characters (the dashboard's are
/// 8 hex digits, but the rule is kept loose). Both front ends word the refusal their way.
pub fn check_api_key(text: &str) -> Result<&str> {
    let key = text.trim();
    if key.is_empty() || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::usage(
            "the API key must be one word, as shown in the dashboard",
        ));
    }
    Ok(key)
}

/// The balance as a clause after the count of applications (`", balance €12.50"`), or
/// nothing when the balance endpoint did not answer.
pub fn balance_note(balance: Option<f64>) -> String {
    balance
        .map(|value| format!(", balance €{value:.2}"))
        .unwrap_or_default()
}

/// What a successful check tells about the account.
#[derive(Debug, Clone)]
pub struct AccountCheck {
    pub applications: u32,
    /// Shown when the balance endpoint answered; its failure is not fatal.
    pub balance: Option<Balance>,
    /// Where `setup` put the secret (none for a check alone).
    pub stored: Option<Placement>,
}

/// Credentials from the environment pair when both are set, else from the stored profile
/// (its secret from the store `config.toml` names).
pub fn resolve_credentials(
    home: &Home,
    profile: &ProfileName,
    env_key: Option<String>,
    env_secret: Option<SecretString>,
) -> Result<Option<ApiCredentials>> {
    resolve_credentials_in(home, profile, env_key, env_secret, &KeyringStore::default())
}

/// `resolve_credentials` with the keyring given (a mock, in tests).
pub fn resolve_credentials_in(
    home: &Home,
    profile: &ProfileName,
    env_key: Option<String>,
    env_secret: Option<SecretString>,
    keyring: &dyn SecretStore,
) -> Result<Option<ApiCredentials>> {
    if let (Some(api_key), Some(api_secret)) = (env_key.clone(), env_secret) {
        return Ok(Some(ApiCredentials {
            api_key,
            api_secret,
        }));
    }
    let config = Config::load(home)?;
    let stored = config.profile(profile).cloned().unwrap_or_default();
    let store = stored.secret_store.unwrap_or(StoreKind::File);
    let secret = match &stored.api_key {
        Some(key) => super::secret_place::read_secret(home, profile, key, store, keyring)?,
        // A secret without its key (an import of half a pair) is only in the file.
        None => Credentials::load(home)?.get(profile).cloned(),
    };
    Ok(match (env_key.or(stored.api_key), secret) {
        (Some(api_key), Some(api_secret)) => Some(ApiCredentials {
            api_key,
            api_secret,
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
        (Some(base), _) => Ok(Endpoints::with_plain_http(Some(base), region, plain_http)?),
        (None, Some(base)) => {
            Endpoints::with_plain_http(Some(base), region, plain_http).map_err(|e| match e {
                // Say where it is, so the user knows which file to fix.
                ClientError::InsecureHttp { base } => Error::InsecureHttp {
                    base,
                    stored_in: Some(format!(
                        "profile {:?} of {}",
                        profile.as_str(),
                        home.config_file().display()
                    )),
                },
                other => other.into(),
            })
        }
        (None, None) => Ok(Endpoints::with_plain_http(None, region, plain_http)?),
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
        stored: None,
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
    let mut check = verify(client).await?;
    let credentials = client
        .credentials()
        .ok_or_else(|| Error::from(CallError::NoCredentials))?;
    check.stored = Some(store_credentials(home, profile, credentials, settings)?);
    Ok(check)
}

/// What `setup` stores besides the pair itself, and where the secret goes.
#[derive(Debug, Clone)]
pub struct StoredSettings {
    pub api_base: Option<String>,
    pub region: Option<Region>,
    pub secrets: SecretChoice,
}

impl Default for StoredSettings {
    /// The file: a default never writes into the keyring of the machine it runs on (tests).
    fn default() -> Self {
        StoredSettings {
            api_base: None,
            region: None,
            secrets: SecretChoice::File,
        }
    }
}

/// Stores a verified pair in the profile: key (and host settings) in config, the secret in
/// the keyring or the file (`secret_place`); says where it went.
pub fn store_credentials(
    home: &Home,
    profile: &ProfileName,
    credentials: &ApiCredentials,
    settings: StoredSettings,
) -> Result<Placement> {
    let StoredSettings {
        api_base,
        region,
        secrets,
    } = settings;
    super::secret_place::place_secret(
        home,
        profile,
        &credentials.api_key,
        &credentials.api_secret,
        secrets,
        &KeyringStore::default(),
        |entry| {
            if api_base.is_some() {
                entry.api_base = api_base;
            }
            if region.is_some() {
                entry.region = region;
            }
        },
    )
}

/// Import's write of a profile's API key and secret, from inside a `Config::update`: the
/// secret is saved here, first, into the already loaded `credentials.toml` (import keeps to
/// the file; `setup --secret-store keyring` moves it); the key goes into `config`, which the
/// update saves after it, so the config never names a key whose secret was not stored.
pub fn put_credentials(
    home: &Home,
    profile: &ProfileName,
    config: &mut Config,
    api_key: Option<&str>,
    secret: Option<(Credentials, &SecretString)>,
) -> Result<()> {
    if let Some((mut secrets, secret)) = secret {
        secrets.set(profile, secret.clone());
        secrets.save(home)?;
        config.profile_mut(profile).secret_store = Some(StoreKind::File);
    }
    if let Some(key) = api_key {
        config.profile_mut(profile).api_key = Some(key.to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_key_is_one_printable_word_for_every_front_end() {
        assert_eq!(check_api_key("  abcd1234\n").unwrap(), "abcd1234");
        for bad in [
            "",
            "   ",
            "abcd 1234",
            "ab\u{7}cd",
            "ab\u{1b}[2Jcd",
            "a\u{85}x",
        ] {
            let err = check_api_key(bad).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::ExitCode::Usage, "{bad:?}");
        }
        assert_eq!(balance_note(Some(12.5)), ", balance €12.50");
        assert_eq!(balance_note(None), "");
    }

    #[test]
    fn stored_credentials_keep_the_other_profiles_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let work = ProfileName::parse("work").unwrap();
        let pair = |key: &str| ApiCredentials {
            api_key: key.into(),
            api_secret: SecretString::from(format!("{key}-secret")),
        };
        let eu = StoredSettings {
            region: Some(Region::Eu),
            ..StoredSettings::default()
        };
        store_credentials(&home, &ProfileName::default(), &pair("first111"), eu).unwrap();
        store_credentials(&home, &work, &pair("second22"), StoredSettings::default()).unwrap();
        let found = resolve_credentials(&home, &ProfileName::default(), None, None).unwrap();
        assert_eq!(found.unwrap().api_key, "first111");
        let found = resolve_credentials(&home, &work, None, None)
            .unwrap()
            .unwrap();
        assert_eq!(
            secrecy::ExposeSecret::expose_secret(&found.api_secret),
            "second22-secret"
        );
        let config = Config::load(&home).unwrap();
        assert_eq!(
            config.profile(&ProfileName::default()).unwrap().region,
            Some(Region::Eu)
        );
    }

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
