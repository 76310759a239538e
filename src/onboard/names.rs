//! Names users type (user, display and application names): checked once here, so the
//! commands and the wizard refuse the same things.

use crate::error::{Error, Result};
use crate::quote::quoted;

/// Longest user name we accept (Vonage documents no limit; this keeps URLs and tables sane).
pub const MAX_USER_NAME: usize = 200;

/// Longest display name we send.
pub const MAX_DISPLAY_NAME: usize = 200;

/// Longest application name we send (the API documents none).
pub const MAX_APP_NAME: usize = 200;

/// A Vonage user name: the JWT `sub` and the unique handle of the user.
pub fn check_user_name(name: &str) -> Result<&str> {
    let problem: Option<String> = if name.is_empty() {
        Some("is empty".into())
    } else if name.trim() != name {
        Some("starts or ends with a space".into())
    } else if name.chars().count() > MAX_USER_NAME {
        Some(format!("is longer than {MAX_USER_NAME} characters"))
    } else if name.chars().any(char::is_control) {
        Some("contains a control character".into())
    } else if let Some(hidden) = invisible(name) {
        Some(format!("contains {hidden}"))
    } else if name == "." || name == ".." {
        Some("cannot be used: it would read as a path in the API's URLs".into())
    } else if name.starts_with("USR-") {
        Some("starts with USR-, which Vonage reserves for user ids".into())
    } else {
        None
    };
    match problem {
        Some(why) => Err(Error::usage(format!("user name {} {why}", quoted(name)))),
        None => Ok(name),
    }
}

/// The first character in `text` that a terminal or a page shows as nothing, or that turns
/// the text around it (bidi controls, zero-width characters, the byte order mark): such a
/// name looks like another one, or reorders the line it is printed in. Said as
/// `U+202E (an invisible right-to-left override)`.
pub fn invisible(text: &str) -> Option<String> {
    text.chars().find_map(|c| {
        let what = match c {
            '\u{200B}' => "zero-width space",
            '\u{200C}' => "zero-width non-joiner",
            '\u{200D}' => "zero-width joiner",
            '\u{200E}' => "left-to-right mark",
            '\u{200F}' => "right-to-left mark",
            '\u{202A}' => "left-to-right embedding",
            '\u{202B}' => "right-to-left embedding",
            '\u{202C}' => "pop directional formatting",
            '\u{202D}' => "left-to-right override",
            '\u{202E}' => "right-to-left override",
            '\u{2060}' => "word joiner",
            '\u{2066}' => "left-to-right isolate",
            '\u{2067}' => "right-to-left isolate",
            '\u{2068}' => "first strong isolate",
            '\u{2069}' => "pop directional isolate",
            '\u{FEFF}' => "zero-width no-break space (byte order mark)",
            _ => return None,
        };
        Some(format!("U+{:04X} (an invisible {what})", u32::from(c)))
    })
}

/// The zero-width non-joiner and joiner, which display names may carry.
const JOINERS: [char; 2] = ['\u{200C}', '\u{200D}'];

/// `vonage-onboard user create NAME` as a hint to copy: the name shell-quoted, after `--`
/// when it starts with a dash (so the parser does not take it for a flag).
pub fn user_create_command(name: &str) -> String {
    format!("vonage-onboard user create {}", name_arg(name, &[]))
}

/// The `token` command's own subcommands: a user with one of these names is minted for with
/// `token -- NAME` (`token list` lists). Kept equal to the parser's by a test in `cli::token`.
pub const TOKEN_SUBCOMMANDS: [&str; 4] = ["inspect", "list", "serve", "doctor"];

/// `vonage-onboard token FLAGS NAME` to paste into a shell (`flags` empty or ending in a space).
pub fn token_command(name: &str, flags: &str) -> String {
    format!(
        "vonage-onboard token {flags}{}",
        name_arg(name, &TOKEN_SUBCOMMANDS)
    )
}

/// A name as the last argument of a command line: shell-quoted when it needs it, and after
/// `--` when the parser would take it for a flag or for one of `subcommands`.
pub fn name_arg(name: &str, subcommands: &[&str]) -> String {
    let end_of_flags = if name.starts_with('-') || subcommands.contains(&name) {
        "-- "
    } else {
        ""
    };
    format!("{end_of_flags}{}", shell_word(name))
}

/// `text` as one word for a POSIX shell: as is when it holds only characters no shell treats
/// specially, else in single quotes (a `'` inside written `'\''`).
pub fn shell_word(text: &str) -> std::borrow::Cow<'_, str> {
    let plain = |c: char| {
        c.is_ascii_alphanumeric()
            || "-_.,/@%+=:".contains(c)
            || (!c.is_ascii() && c.is_alphanumeric())
    };
    if !text.is_empty() && text.chars().all(plain) {
        text.into()
    } else {
        format!("'{}'", text.replace('\'', r"'\''")).into()
    }
}

/// A user's display name: at most `MAX_DISPLAY_NAME` printable characters.
pub fn check_display_name(display: &str) -> Result<&str> {
    // A display name is prose, not an identifier: the joiners (U+200C, U+200D) belong to
    // emoji sequences (👨‍👩‍👧) and are ordinary in Persian and Indic scripts. Bidi controls
    // and the other invisible characters stay refused.
    if let Some(hidden) = invisible(&display.replace(JOINERS, "")) {
        return Err(Error::usage(format!(
            "the display name {} contains {hidden}",
            quoted(display)
        )));
    }
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
        invisible(name).map(|hidden| format!("no {hidden}"))
    }
}

/// An application name, as the commands check it: the sentence names the rule.
pub fn check_app_name(name: &str) -> Result<&str> {
    if let Some(hidden) = invisible(name) {
        return Err(Error::usage(format!(
            "application name {} contains {hidden}",
            quoted(name)
        )));
    }
    match app_name_problem(name) {
        Some(_) => Err(Error::usage(format!(
            "application name {} must be 1 to {MAX_APP_NAME} printable characters",
            quoted(name)
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
    fn invisible_and_bidi_characters_are_refused_by_name_in_every_kind_of_name() {
        let hidden: Vec<char> = ('\u{200B}'..='\u{200F}')
            .chain('\u{202A}'..='\u{202E}')
            .chain(['\u{2060}'])
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{FEFF}'])
            .collect();
        assert_eq!(hidden.len(), 16);
        for c in hidden {
            let code = format!("U+{:04X} (an invisible ", u32::from(c));
            let name = format!("ad{c}min");
            let user = check_user_name(&name).unwrap_err().to_string();
            assert!(user.starts_with("user name \"ad\\u{"), "{user}");
            assert!(user.contains(&code), "{user}");
            assert!(!user.contains(c), "printed raw: {user:?}");
            if JOINERS.contains(&c) {
                assert!(check_display_name(&name).is_ok(), "{c:?} in a display name");
            } else {
                let display = check_display_name(&name).unwrap_err().to_string();
                assert!(display.contains(&code), "{display}");
                assert!(!display.contains(c), "printed raw: {display:?}");
            }
            let app = check_app_name(&name).unwrap_err().to_string();
            assert!(app.contains(&code), "{app}");
            assert!(!app.contains(c), "printed raw: {app:?}");
            assert!(app_name_problem(&name).unwrap().contains(&code));
        }
        assert_eq!(
            check_user_name("evil\u{202E}gpj.exe")
                .unwrap_err()
                .to_string(),
            "user name \"evil\\u{202e}gpj.exe\" contains U+202E (an invisible right-to-left override)"
        );
        // Visible neighbours of those blocks stay allowed: dashes, a narrow no-break space.
        for fine in ["a\u{2010}b", "a\u{2011}b", "a\u{202F}b", "Zoë", "名前"] {
            assert!(check_user_name(fine).is_ok(), "{fine:?}");
            assert!(check_display_name(fine).is_ok(), "{fine:?}");
            assert!(check_app_name(fine).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn hints_quote_the_name_for_a_shell_only_when_it_needs_it() {
        assert_eq!(
            user_create_command("alice"),
            "vonage-onboard user create alice"
        );
        assert_eq!(
            user_create_command("alice.b@example.com"),
            "vonage-onboard user create alice.b@example.com"
        );
        assert_eq!(user_create_command("Zoë"), "vonage-onboard user create Zoë");
        assert_eq!(
            user_create_command("a b"),
            "vonage-onboard user create 'a b'"
        );
        assert_eq!(
            user_create_command("it's"),
            r"vonage-onboard user create 'it'\''s'"
        );
        assert_eq!(
            user_create_command("-x"),
            "vonage-onboard user create -- -x"
        );
        for special in [
            "$(rm -rf ~)",
            "a;b",
            "`id`",
            "a*",
            "~a",
            "#a",
            "a|b",
            "a\"b",
            "!x",
        ] {
            assert_eq!(shell_word(special), format!("'{special}'"), "{special}");
        }
        // And a real shell reads each back as the one word it was.
        for name in ["a b", "it's", "'", "$(id)", "a\\b", "x'\"y", "Zoë", "-x"] {
            let script = format!("printf %s {}", shell_word(name));
            let out = std::process::Command::new("sh")
                .args(["-c", &script])
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), name, "{script}");
        }
    }

    #[test]
    fn a_long_application_name_is_quoted_cut() {
        let why = check_app_name(&"y".repeat(10_000)).unwrap_err().to_string();
        assert!(why.len() < 120, "{why}");
        assert!(why.contains(&format!("\"{}\"…", "y".repeat(40))), "{why}");
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

    #[test]
    fn a_display_name_may_carry_joiners_as_emoji_and_persian_do() {
        for display in ["👨\u{200D}👩\u{200D}👧 family", "می\u{200C}خواهم"] {
            assert_eq!(check_display_name(display).unwrap(), display);
            assert!(check_user_name(display).is_err(), "{display}");
        }
        assert!(check_display_name("a\u{200D}\u{202E}b").is_err());
    }

    #[test]
    fn a_token_hint_puts_a_name_that_is_a_subcommand_or_a_flag_after_dashes() {
        assert_eq!(token_command("alice", ""), "vonage-onboard token alice");
        assert_eq!(token_command("list", ""), "vonage-onboard token -- list");
        assert_eq!(token_command("-x", ""), "vonage-onboard token -- -x");
        assert_eq!(
            token_command("doctor", "--acl client-sdk "),
            "vonage-onboard token --acl client-sdk -- doctor"
        );
        assert_eq!(token_command("a b", ""), "vonage-onboard token 'a b'");
        // `user create list` is a user called list: only token has these subcommands.
        assert_eq!(
            user_create_command("list"),
            "vonage-onboard user create list"
        );
    }
}
