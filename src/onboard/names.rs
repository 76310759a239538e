//! Names users type (user, display and application names): checked once here, so the
//! commands and the wizard refuse the same things.

use crate::error::{Error, Result};

/// Longest user name we accept (Vonage documents no limit; this keeps URLs and tables sane).
pub const MAX_USER_NAME: usize = 200;

/// Longest display name we send.
pub const MAX_DISPLAY_NAME: usize = 200;

/// Longest application name we send (the API documents none).
pub const MAX_APP_NAME: usize = 200;

/// A Vonage user name: the JWT `sub` and the unique handle of the user.
pub fn check_user_name(name: &str) -> Result<&str> {
    let too_long = format!("is longer than {MAX_USER_NAME} characters");
    let problem = if name.is_empty() {
        Some("is empty")
    } else if name.trim() != name {
        Some("starts or ends with a space")
    } else if name.chars().count() > MAX_USER_NAME {
        Some(too_long.as_str())
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
        Some(why) => Err(Error::usage(format!("user name {} {why}", quoted(name)))),
        None => Ok(name),
    }
}

/// A name as a refusal quotes it: a very long one is cut (the sentence must stay readable).
fn quoted(name: &str) -> String {
    const SHOWN: usize = 40;
    if name.chars().count() > SHOWN {
        let start: String = name.chars().take(SHOWN).collect();
        format!("{start:?}…")
    } else {
        format!("{name:?}")
    }
}

/// A user's display name: at most `MAX_DISPLAY_NAME` printable characters.
pub fn check_display_name(display: &str) -> Result<&str> {
    if display.chars().count() > MAX_DISPLAY_NAME || display.chars().any(char::is_control) {
        return Err(Error::usage(format!(
            "the display name must be at most {MAX_DISPLAY_NAME} printable characters"
        )));
    }
    Ok(display)
}

/// What is wrong with an application name as typed (it is sent trimmed), in a few words
/// for the form beside the field; `None` when it is fine.
pub fn app_name_problem(name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        Some("required".into())
    } else if name.chars().count() > MAX_APP_NAME {
        Some(format!("at most {MAX_APP_NAME} characters"))
    } else if name.chars().any(char::is_control) {
        Some("no control characters".into())
    } else {
        None
    }
}

/// An application name, as the commands check it: the sentence names the rule.
pub fn check_app_name(name: &str) -> Result<&str> {
    match app_name_problem(name) {
        Some(_) => Err(Error::usage(format!(
            "application name {name:?} must be 1 to {MAX_APP_NAME} printable characters"
        ))),
        None => Ok(name.trim()),
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
        // A long name is quoted cut, so the reason still fits a line or two.
        let why = check_user_name(&"x".repeat(201)).unwrap_err().to_string();
        assert_eq!(
            why,
            format!(
                "user name \"{}\"… is longer than 200 characters",
                "x".repeat(40)
            )
        );
    }

    #[test]
    fn application_and_display_names_share_one_rule_for_both_front_ends() {
        assert_eq!(check_app_name("  demo ").unwrap(), "demo");
        assert_eq!(app_name_problem(" ").as_deref(), Some("required"));
        let long = app_name_problem(&"x".repeat(201));
        assert_eq!(long.as_deref(), Some("at most 200 characters"));
        assert_eq!(
            app_name_problem("a\tb").as_deref(),
            Some("no control characters")
        );
        assert!(check_app_name("a\u{1b}[2J").is_err());
        assert!(app_name_problem(&"x".repeat(MAX_APP_NAME)).is_none());
        assert!(check_display_name(&"x".repeat(MAX_DISPLAY_NAME)).is_ok());
        assert!(check_display_name(&"x".repeat(MAX_DISPLAY_NAME + 1)).is_err());
        assert!(check_display_name("Alice\n").is_err());
    }
}
