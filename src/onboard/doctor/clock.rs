//! The server's clock against ours: the skew (from an API answer's `Date` header) and how
//! to say it. The expiry itself is judged by the one verifier at the server's time.

/// Seconds this machine's clock is ahead of the server's (negative: behind). The `Date`
/// header has one-second resolution and the answer took time to arrive, so ±1 s is noise.
pub fn skew(local_now: u64, server_now: u64) -> i64 {
    let diff = i128::from(local_now) - i128::from(server_now);
    diff.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// How far off a clock may be before it is worth a fix: the verifier's leeway for `iat`.
pub const NOTABLE_SKEW: u64 = crate::auth::verify::CLOCK_LEEWAY;

/// "this machine's clock is 3 s ahead of the server's", or "in step with".
pub fn describe_skew(skew: i64) -> String {
    let size = skew.unsigned_abs();
    match skew {
        -1..=1 => format!("skew {skew:+} s: this machine's clock is in step with the server's"),
        s if s > 0 => {
            format!("skew {skew:+} s: this machine's clock is {size} s ahead of the server's")
        }
        _ => format!("skew {skew:+} s: this machine's clock is {size} s behind the server's"),
    }
}

/// Whether the skew is large enough to explain a refused token.
pub fn is_notable(skew: i64) -> bool {
    skew.unsigned_abs() > NOTABLE_SKEW
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_is_local_minus_server_with_a_sign() {
        assert_eq!(skew(1_000, 1_000), 0);
        assert_eq!(skew(1_090, 1_000), 90);
        assert_eq!(skew(1_000, 1_090), -90);
        assert_eq!(skew(0, u64::MAX), i64::MIN);
        assert_eq!(skew(u64::MAX, 0), i64::MAX);
    }

    #[test]
    fn skew_is_said_with_its_direction_and_one_second_is_noise() {
        assert!(describe_skew(1).contains("in step"));
        assert!(describe_skew(-1).contains("in step"));
        assert!(describe_skew(90).contains("90 s ahead"));
        assert!(describe_skew(-90).contains("90 s behind"));
        assert!(!is_notable(30));
        assert!(is_notable(31));
        assert!(is_notable(-31));
    }
}
