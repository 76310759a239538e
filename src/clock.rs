//! The clock, as a leaf every layer may use: Unix seconds now, and RFC 3339 for display.

/// RFC 3339 UTC time of a Unix timestamp, e.g. `2026-11-29T07:12:00Z`; clamped to year 9999
/// so a hand-edited or hostile timestamp cannot overflow.
pub fn rfc3339(unix: u64) -> String {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix.min(253_402_300_799));
    humantime::format_rfc3339_seconds(time).to_string()
}

/// Now, in Unix seconds. Read at the edges (commands, worker, sandbox); everything below
/// takes `now` as a parameter.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_is_utc_seconds_and_clamped() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(u64::MAX), "9999-12-31T23:59:59Z");
    }
}
