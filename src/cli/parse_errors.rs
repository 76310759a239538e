//! Parser errors of commands that can receive a secret (`setup`, `token`): clap quotes the
//! stray value, which may be the secret typed in the wrong place, so those errors are told by
//! position instead, and the value is never printed.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser};

use super::Cli;

/// Commands where a stray value may be a secret, and where secrets go instead.
const SECRET_COMMANDS: [(&str, &str); 2] = [
    (
        "setup",
        "The API secret is never taken on the command line: set VONAGE_API_SECRET, pipe it to \
         --api-secret-stdin, or type it at the prompt.",
    ),
    (
        "token",
        "A token to read is best piped to `token inspect -` or `token doctor -` (on the command line, `ps` shows it).",
    ),
];

/// Parses the command line; exits with clap's own message, or with one that hides the
/// refused value when the command can receive a secret.
pub fn parse() -> Cli {
    let args: Vec<OsString> = std::env::args_os().collect();
    match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(error) => match refusal(&error, &args) {
            Some(message) => {
                eprintln!("error: {message}");
                std::process::exit(crate::error::ExitCode::Usage as i32);
            }
            None => error.exit(),
        },
    }
}

/// The message replacing clap's, when clap's could quote a secret.
fn refusal(error: &clap::Error, args: &[OsString]) -> Option<String> {
    // A secret typed before the command name makes it look like an unknown command: any
    // argument naming a secret command counts.
    let command = subcommand_of(args);
    let (name, hint) = SECRET_COMMANDS.iter().find(|(name, _)| {
        command.as_deref() == Some(*name) || args.iter().skip(1).any(|a| a == *name)
    })?;
    let mut invalid_value_of = None;
    let what = match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        | ErrorKind::DisplayVersion => return None,
        // These usually name arguments only (`'--admin' cannot be used with '[USER]'`), but a
        // stray value can be taken for a subcommand and quoted: then they are told by position.
        ErrorKind::ArgumentConflict
        | ErrorKind::MissingRequiredArgument
        | ErrorKind::MissingSubcommand => {
            quoted_value(error, args)?;
            "cannot be used with the other arguments"
        }
        // `token --ttl`/`--acl` values are checked by our own parsers, whose reasons matter
        // and quote no secret.
        ErrorKind::ValueValidation if *name == "token" => return None,
        ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand => "is not expected there",
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::NoEquals => {
            "gives a value where none is taken"
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            invalid_value_of = flag_and_choices(error);
            "is not a valid value"
        }
        _ => "was not understood",
    };
    // The flag and its choices are ours to name; only the value typed is withheld.
    let what = match &invalid_value_of {
        Some(flag_and_choices) => format!("{what} for {flag_and_choices}"),
        None => what.to_owned(),
    };
    let refused = offending_index(error, args).or_else(|| quoted_value(error, args));
    let which = match refused {
        Some(i) => {
            let arg = args[i].to_string_lossy();
            match flag_name(&arg) {
                Some(flag) => format!("argument {i} ({flag}…)"),
                None => format!("argument {i}"),
            }
        }
        None => "an argument".to_owned(),
    };
    let help = match nested_subcommand(args, name) {
        Some(sub) => format!("vonage-onboard {name} {sub} --help"),
        None => format!("vonage-onboard {name} --help"),
    };
    Some(format!(
        "`{name}`: {which} {what}; it is not shown, in case it is a secret. {hint} See `{help}`."
    ))
}

/// The subcommand of `command` named on the line (`serve` of `token serve --bogus`), so the
/// message points at the help of the command that was meant.
fn nested_subcommand(args: &[OsString], command: &str) -> Option<String> {
    let cli = Cli::command();
    let names: Vec<&str> = cli
        .find_subcommand(command)?
        .get_subcommands()
        .map(clap::Command::get_name)
        .collect();
    let after = args.iter().position(|a| a == command)? + 1;
    args[after..]
        .iter()
        .map(|a| a.to_string_lossy())
        .find(|a| names.contains(&a.as_ref()))
        .map(|a| a.into_owned())
}

/// `--region (global, us, eu, ap)`: the option a refused value was given to, and its choices.
fn flag_and_choices(error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    let ContextValue::String(arg) = error.get(ContextKind::InvalidArg)? else {
        return None;
    };
    let flag = arg.split_whitespace().next()?.to_owned();
    Some(match error.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(choices)) if !choices.is_empty() => {
            format!("{flag} (one of {})", choices.join(", "))
        }
        _ => flag,
    })
}

/// The index of an argument clap's message quotes that is not an option or a command name.
fn quoted_value(error: &clap::Error, args: &[OsString]) -> Option<usize> {
    let rendered = error.render().to_string();
    let command = Cli::command();
    let names: Vec<&str> = command
        .get_subcommands()
        .flat_map(|c| std::iter::once(c).chain(c.get_subcommands()))
        .map(clap::Command::get_name)
        .collect();
    (1..args.len()).rev().find(|&i| {
        let arg = args[i].to_string_lossy();
        !arg.starts_with('-') && !names.contains(&&*arg) && rendered.contains(&format!("'{arg}'"))
    })
}

/// The subcommand's name, skipping global options and their values.
fn subcommand_of(args: &[OsString]) -> Option<String> {
    let command = Cli::command();
    let takes_value: Vec<String> = command
        .get_arguments()
        .filter(|a| a.get_action().takes_values())
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    let mut i = 1;
    while i < args.len() {
        let arg = args[i].to_string_lossy();
        if arg == "--" {
            return None;
        }
        if arg.starts_with('-') {
            if !arg.contains('=') && takes_value.iter().any(|t| *t == arg) {
                i += 1;
            }
        } else {
            return Some(arg.into_owned());
        }
        i += 1;
    }
    None
}

/// Where the refused argument is: the last argument equal to the value clap names, or
/// carrying it after `=`. The last, because a stray value usually repeats an accepted one
/// (`--api-key K K`); when unsure this names a wrong position, never a value.
fn offending_index(error: &clap::Error, args: &[OsString]) -> Option<usize> {
    let named: Vec<&str> = [ContextKind::InvalidValue, ContextKind::InvalidArg]
        .into_iter()
        .filter_map(|kind| match error.get(kind) {
            Some(ContextValue::String(s)) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    named.iter().find_map(|value| {
        (1..args.len()).rev().find(|&i| {
            let arg = args[i].to_string_lossy();
            arg == *value
                || arg.ends_with(&format!("={value}"))
                || arg.starts_with(&format!("{value}="))
        })
    })
}

/// `--name` of `--name=value` or `--name`, when it looks like an option (lowercase words):
/// safe to show, and it says which option was misused.
fn flag_name(arg: &str) -> Option<&str> {
    let name = arg.split('=').next()?;
    let word = name.strip_prefix("--")?;
    let looks_like_option = !word.is_empty()
        && word.len() <= 40
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    looks_like_option.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(line: &[&str]) -> Option<String> {
        let args: Vec<OsString> = line.iter().map(OsString::from).collect();
        let error = Cli::try_parse_from(&args).unwrap_err();
        refusal(&error, &args)
    }

    #[test]
    fn stray_values_of_setup_are_told_by_position_without_the_value() {
        for (line, position) in [
            (
                &["vonage-onboard", "setup", "--api-key", "k", "MySecret"][..],
                "argument 4 ",
            ),
            (
                &[
                    "vonage-onboard",
                    "setup",
                    "--api-key",
                    "K",
                    "--",
                    "MySecret",
                ],
                "argument 5 ",
            ),
            (
                &["vonage-onboard", "setup", "--api-secret-stdin=MySecret"],
                "argument 2 (--api-secret-stdin…)",
            ),
            (
                &["vonage-onboard", "--profile", "p", "setup", "MySecret"],
                "argument 4 ",
            ),
        ] {
            let message = refused(line).unwrap_or_else(|| panic!("{line:?} not intercepted"));
            assert!(!message.contains("MySecret"), "{message}");
            assert!(message.contains(position), "{line:?}: {message}");
            assert!(message.contains("VONAGE_API_SECRET"), "{message}");
        }
    }

    #[test]
    fn a_refused_choice_names_its_option_and_choices_but_not_the_value() {
        let message = refused(&["vonage-onboard", "setup", "--region", "MySecret"]).unwrap();
        assert!(
            message.contains("for --region (one of global, us, eu, ap)"),
            "{message}"
        );
        assert!(!message.contains("MySecret"), "{message}");
    }

    #[test]
    fn other_commands_and_harmless_errors_keep_clap_s_message() {
        for line in [
            &["vonage-onboard", "app", "create"][..],
            &["vonage-onboard", "user", "show", "a", "b"],
            &["vonage-onboard", "setup", "--help"],
            &["vonage-onboard", "token", "--ttl", "1y"],
            &["vonage-onboard", "token", "--admin", "alice"],
        ] {
            assert_eq!(refused(line), None, "{line:?}");
        }
        let message = refused(&[
            "vonage-onboard",
            "token",
            "inspect",
            "eyJa.b.c",
            "eyJsecret",
        ])
        .unwrap();
        assert!(message.contains("argument 4"), "{message}");
        assert!(!message.contains("eyJsecret"), "{message}");
        // Taken for a subcommand, a stray token is quoted by the conflict error: hidden too.
        let message = refused(&["vonage-onboard", "token", "alice", "eyJsecret"]).unwrap();
        assert!(message.contains("argument 3"), "{message}");
        assert!(!message.contains("eyJsecret"), "{message}");
    }

    #[test]
    fn the_message_points_at_the_help_of_the_command_meant() {
        for (line, help) in [
            (
                &["vonage-onboard", "token", "serve", "--prot", "3"][..],
                "`vonage-onboard token serve --help`",
            ),
            (
                &["vonage-onboard", "token", "doctor", "--bogus"],
                "`vonage-onboard token doctor --help`",
            ),
            (
                &["vonage-onboard", "token", "alice", "--bogus"],
                "`vonage-onboard token --help`",
            ),
            (
                &["vonage-onboard", "setup", "--api-key", "k", "MySecret"],
                "`vonage-onboard setup --help`",
            ),
        ] {
            let message = refused(line).unwrap();
            assert!(
                message.ends_with(&format!("See {help}.")),
                "{line:?}: {message}"
            );
        }
    }
}
