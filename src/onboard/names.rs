//! Names users type: checked once here, so the commands and the wizard refuse the same things.

use crate::error::{Error, Result};

/// Longest user name we accept (Vonage documents no limit; this keeps URLs and tables sane).
pub const MAX_USER_NAME: usize = 200;

/// A Vonage user name: the JWT `sub` and the unique handle of the user.
pub fn check_user_name(name: &str) -> Result<&str> {
    let problem = if name.is_empty() {
        Some("is empty")
    } else if name.trim() != name {
        Some("starts or ends with a space")
    } else if name.chars().count() > MAX_USER_NAME {
        Some("is longer than 200 characters")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if name == "." || name == ".." {
        Some("cannot be used: it would read as a path in the API's URLs")
    } else if name.starts_with("USR-") {
        Some("starts with USR-, which Vonage reserves for user ids")
    } else {
        None
    };
    match problem {
        Some(why) => Err(Error::usage(format!("user name {name:?} {why}"))),
        None => Ok(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_user_name("alice").is_ok());
        assert!(check_user_name("Zoë Smith").is_ok());
        for bad in [
            "",
            ".",
            "..",
            " alice",
            "alice\n",
            "a\u{7}b",
            "USR-1234",
            &"x".repeat(201),
        ] {
            assert!(check_user_name(bad).is_err(), "{bad:?}");
        }
    }
}
