//! The use cases, shared by the commands and the wizard's worker: each rule of the job
//! (which key signs, what a recipe remembers) lives here once.

pub mod account;
pub mod applications;
pub mod context;
pub mod export;
pub mod import;
pub mod names;
pub mod tokens;
pub mod users;

/// Where developers find their API key and secret.
pub const DASHBOARD_URL: &str = "https://dashboard.nexmo.com/settings";

/// RFC 3339 UTC time of a Unix timestamp, e.g. `2026-11-29T07:12:00Z`; clamped to year 9999
/// so a hand-edited or hostile timestamp cannot overflow.
pub fn rfc3339(unix: u64) -> String {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix.min(253_402_300_799));
    humantime::format_rfc3339_seconds(time).to_string()
}

/// Now, in Unix seconds. The only clock read of the use cases; everything below takes `now`.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
