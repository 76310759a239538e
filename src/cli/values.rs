//! How the command line spells the lower layers' choices (`--region`, `--http-method`,
//! `--from`) and the servers' `--port` and `--bind`: clap stays in `cli/`, the types stay free
//! of it.

use std::net::IpAddr;

use clap::ValueEnum;
use clap::builder::PossibleValue;

use crate::onboard::account::SecretChoice;
use crate::onboard::applications::HttpMethod;
use crate::onboard::import::ImportSource;
use crate::region::Region;

/// `--port` of the servers (sandbox, token serve), in a sentence when it is not one.
pub fn parse_port(text: &str) -> std::result::Result<u16, String> {
    text.parse::<u16>().map_err(|_| {
        format!("{text:?} is not a port: use a number from 0 (any free port) to 65535")
    })
}

/// `--bind` of the servers.
pub fn parse_bind(text: &str) -> std::result::Result<IpAddr, String> {
    text.parse::<IpAddr>().map_err(|_| {
        format!(
            "{text:?} is not an IP address: use one such as 127.0.0.1 (the default), 0.0.0.0 or ::1"
        )
    })
}

impl ValueEnum for Region {
    fn value_variants<'a>() -> &'a [Self] {
        &[Region::Global, Region::Us, Region::Eu, Region::Ap]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

/// `--secret-store`: only the forcing choices; leaving it out is `Auto`.
impl ValueEnum for SecretChoice {
    fn value_variants<'a>() -> &'a [Self] {
        &[SecretChoice::Keyring, SecretChoice::File]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            SecretChoice::Keyring => {
                PossibleValue::new("keyring").help("the system keyring, or fail (nothing changed)")
            }
            SecretChoice::File => PossibleValue::new("file").help("credentials.toml (0600)"),
            SecretChoice::Auto => PossibleValue::new("auto").hide(true),
        })
    }
}

impl ValueEnum for HttpMethod {
    fn value_variants<'a>() -> &'a [Self] {
        &[HttpMethod::Get, HttpMethod::Post]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            HttpMethod::Get => {
                PossibleValue::new("get").help("Vonage's examples fetch the answer URL with GET")
            }
            HttpMethod::Post => PossibleValue::new("post"),
        })
    }
}

impl ValueEnum for ImportSource {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            ImportSource::Nexmo,
            ImportSource::Vonage,
            ImportSource::Auto,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            ImportSource::Nexmo => {
                PossibleValue::new("nexmo").help("nexmo-cli: .nexmorc and .nexmo-app")
            }
            ImportSource::Vonage => PossibleValue::new("vonage").help(
                "@vonage/cli: .vonagerc, vonage_app.json, ~/.vonage/config.json, vonage.config.json",
            ),
            ImportSource::Auto => PossibleValue::new("auto")
                .help("both; local files first, and the Vonage CLI's before nexmo-cli's"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_name_and_parses_back() {
        for region in Region::value_variants() {
            assert_eq!(Region::from_str(region.name(), false), Ok(*region));
        }
        assert_eq!(HttpMethod::from_str("POST", true), Ok(HttpMethod::Post));
        assert_eq!(
            ImportSource::from_str("vonage", false),
            Ok(ImportSource::Vonage)
        );
    }
}
