//! Token lifetimes: parsing `90s` / `15m` / `6h` / `24h` / `1d` / plain seconds, and the
//! 30 s … 24 h range Vonage honours (SPEC §2.2). Out-of-range values are refused, never clamped.

use std::fmt;

use crate::error::{Error, Result};
use crate::quote::quoted;

/// The shortest lifetime Vonage accepts.
pub const MIN_SECONDS: u64 = 30;
/// Vonage ignores a token more than 24 h after its `iat`.
pub const MAX_SECONDS: u64 = 24 * 60 * 60;
/// How long Vonage honours a token that has no `exp` (vonage-api.md §6.1).
pub const NO_EXP_LIFETIME: u64 = 15 * 60;
/// Default lifetime of a user token.
pub const DEFAULT_USER: Ttl = Ttl(MAX_SECONDS);
/// Default lifetime of an admin (backend) token, as Vonage's own SDKs use.
pub const DEFAULT_ADMIN: Ttl = Ttl(15 * 60);

/// A token lifetime within Vonage's range.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "u64", into = "u64")]
pub struct Ttl(u64);

impl TryFrom<u64> for Ttl {
    type Error = String;
    fn try_from(seconds: u64) -> std::result::Result<Self, String> {
        Ttl::from_seconds(seconds).map_err(|reason| format!("TTL {reason}"))
    }
}

impl From<Ttl> for u64 {
    fn from(ttl: Ttl) -> u64 {
        ttl.0
    }
}

impl Ttl {
    /// Parses a duration and checks it is within 30 s … 24 h.
    pub fn parse(text: &str) -> Result<Self> {
        let seconds = parse_seconds(text)?;
        Ttl::from_seconds(seconds)
            .map_err(|reason| Error::usage(format!("TTL {} {reason}", quoted(text))))
    }

    /// Checks a number of seconds against Vonage's range.
    pub fn from_seconds(seconds: u64) -> std::result::Result<Self, String> {
        if seconds < MIN_SECONDS {
            Err(format!(
                "is {seconds} s; Vonage needs at least {MIN_SECONDS} s"
            ))
        } else if seconds > MAX_SECONDS {
            Err("is longer than 24 h; Vonage ignores a token more than 24 h after it was issued, so use 24h or less".to_owned())
        } else {
            Ok(Ttl(seconds))
        }
    }

    pub fn seconds(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Ttl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

/// Reads `90s`, `15m`, `6h`, `24h`, `1d` or a plain number of seconds.
fn parse_seconds(text: &str) -> Result<u64> {
    let bad = || {
        Error::usage(format!(
            "TTL {} is not a duration: use a number with s, m, h or d (90s, 15m, 6h, 24h, 1d) or plain seconds",
            quoted(text)
        ))
    };
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    if digits.is_empty() {
        return Err(bad());
    }
    let multiplier = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(bad)
}

/// A compact human form: `24h`, `5h 12m`, `3m 20s`, `45s`.
pub fn format_duration(seconds: u64) -> String {
    // Days only past 48 h: a token's "24h" reads better than "1d".
    let (d, h) = if seconds >= 2 * 86_400 {
        (seconds / 86_400, seconds % 86_400 / 3600)
    } else {
        (0, seconds / 3600)
    };
    let (m, s) = (seconds % 3600 / 60, seconds % 60);
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "m"), (s, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    match parts.as_slice() {
        [] => "0s".to_owned(),
        // Two units are enough on screen: "5h 12m", not "5h 12m 7s".
        [first, rest @ ..] => rest
            .first()
            .map_or_else(|| first.clone(), |second| format!("{first} {second}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_of_the_vonage_range() {
        assert!(Ttl::parse("29").is_err());
        assert_eq!(Ttl::parse("30").unwrap().seconds(), 30);
        assert_eq!(Ttl::parse("24h").unwrap().seconds(), 86_400);
        assert_eq!(Ttl::parse("1d").unwrap().seconds(), 86_400);
        assert!(Ttl::parse("86401").is_err());
        assert!(Ttl::parse("25h").unwrap_err().to_string().contains("24 h"));
    }

    #[test]
    fn units() {
        assert_eq!(Ttl::parse("90s").unwrap().seconds(), 90);
        assert_eq!(Ttl::parse("15m").unwrap().seconds(), 900);
        assert_eq!(Ttl::parse("6h").unwrap().seconds(), 21_600);
    }

    #[test]
    fn bad_syntax_is_refused_not_guessed() {
        for bad in [
            "",
            "h",
            "1x",
            "-5",
            "1.5h",
            "1h30m",
            "99999999999999999999",
            "1 h",
        ] {
            let err = Ttl::parse(bad).unwrap_err();
            assert!(matches!(err, Error::Usage(_)), "{bad:?}: {err}");
        }
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(86_400), "24h");
        assert_eq!(format_duration(3 * 86_400 + 3600), "3d 1h");
        assert_eq!(format_duration(5 * 3600 + 12 * 60 + 7), "5h 12m");
        assert_eq!(format_duration(200), "3m 20s");
    }
}
