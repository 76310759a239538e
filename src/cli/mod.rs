//! The command line (clap): global options of SPEC §2.1, the commands, and dispatch. Each
//! command group has its own file; they parse, call `onboard::`, and print.

mod app;
mod import_export;
mod man;
mod net;
mod output;
mod parse_errors;
mod sandbox;
mod setup;
mod token;
mod token_doctor;
mod token_serve;
mod user;
mod values;
mod wizard;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::error::{Error, ExitCode, Result};
use crate::region::Region;
use crate::store::paths::{Home, ProfileName};

pub use output::Output;
pub use parse_errors::parse;

const EXIT_CODES: &str = "\
Exit codes: 0 ok · 1 other failure · 2 usage or bad input · 3 authentication refused or bad \
signature · 4 not found · 5 conflict · 6 network · 7 rejected by the API's validation";

/// Get a Vonage Client SDK app running: credentials → application → users → tokens.
#[derive(Debug, Parser)]
#[command(name = "vonage-onboard", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command (and the wizard) takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Which stored account to use [default: "default", or "sandbox" with --sandbox]
    #[arg(long, env = "VONAGE_ONBOARD_PROFILE", global = true)]
    pub profile: Option<String>,
    /// Where config and state live [default: the platform config dir]
    #[arg(long, env = "VONAGE_ONBOARD_HOME", global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Base URL for every Vonage call [default: https://api.nexmo.com]
    #[arg(long, env = "VONAGE_API_BASE", global = true, value_name = "URL")]
    pub api_base: Option<String>,
    /// Let a plain http:// API base point at a host other than this machine (a test server on
    /// a network you control); credentials then cross it in clear text. Never stored.
    #[arg(
        long,
        env = "VONAGE_ALLOW_INSECURE_HTTP",
        global = true,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub allow_insecure_http: bool,
    /// Host of the Users API; ignored when --api-base is set
    #[arg(long, env = "VONAGE_REGION", global = true, value_enum)]
    pub region: Option<Region>,
    /// Run against the embedded sandbox on 127.0.0.1 instead of Vonage
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Machine output: one JSON document on stdout
    #[arg(long, global = true)]
    pub json: bool,
    /// Never touch a clipboard
    #[arg(long, global = true)]
    pub no_clipboard: bool,
    /// Application to use instead of the profile's current one
    #[arg(long, env = "VONAGE_APPLICATION_ID", global = true, value_name = "ID")]
    pub application_id: Option<String>,
    /// Private key file of that application
    #[arg(
        long,
        env = "VONAGE_PRIVATE_KEY_PATH",
        global = true,
        value_name = "PATH"
    )]
    pub private_key_path: Option<PathBuf>,
    /// Where a verified API secret is kept [default: the system keyring when one answers, else
    /// credentials.toml]; with `setup` and nothing new to check, moves the stored one there
    #[arg(
        long,
        env = "VONAGE_ONBOARD_SECRET_STORE",
        global = true,
        value_enum,
        value_name = "STORE"
    )]
    pub secret_store: Option<crate::onboard::account::SecretChoice>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the account's API key and secret with Vonage, then store them
    Setup(setup::SetupArgs),
    /// Applications: create (key pair saved first), list, show, use, delete
    #[command(subcommand)]
    App(app::AppCommand),
    /// Users of the current application: create, list, show, delete
    #[command(subcommand)]
    User(user::UserCommand),
    /// Mint a user's JWT (regenerates with the remembered TTL and ACL), or inspect / list tokens
    Token(token::TokenArgs),
    /// Run the embedded Vonage emulator in the foreground
    Sandbox(sandbox::SandboxArgs),
    /// Read credentials and application from the Nexmo / Vonage CLIs' config files
    Import {
        #[arg(long, value_enum, default_value_t = crate::onboard::import::ImportSource::Auto)]
        from: crate::onboard::import::ImportSource,
    },
    /// Write the profile's settings for other tools
    #[command(subcommand)]
    Export(import_export::ExportCommand),
    /// Print the manual page (roff): `vonage-onboard man > vonage-onboard.1`
    Man,
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// What every command needs: where the files are, which profile, how to print, and the
/// embedded sandbox when this run uses one.
#[derive(Debug)]
pub struct Session {
    pub home: Home,
    pub profile: ProfileName,
    pub global: GlobalArgs,
    pub out: Output,
    pub sandbox: Option<net::SandboxTarget>,
    /// Whether this run already warned about a plain-http base elsewhere.
    warned_insecure: AtomicBool,
}

impl Session {
    fn new(global: GlobalArgs) -> Result<Self> {
        // The sandbox's applications are not the real account's: keep them in their own profile.
        let default_profile = if global.sandbox { "sandbox" } else { "default" };
        Ok(Session {
            home: Home::resolve(global.home.as_deref())?,
            profile: ProfileName::parse(global.profile.as_deref().unwrap_or(default_profile))?,
            out: Output::new(global.json),
            global,
            sandbox: None,
            warned_insecure: AtomicBool::new(false),
        })
    }

    /// `--secret-store`, or the keyring when one answers.
    pub fn secret_choice(&self) -> crate::onboard::account::SecretChoice {
        self.global
            .secret_store
            .unwrap_or(crate::onboard::account::SecretChoice::Auto)
    }
}

/// The internal mode this binary runs in when called by itself, outside clap so that no help
/// text or completion script lists it: `__clipboard-holder` (see `clipboard::holder`). Runs
/// before the home is touched or a log opened: the holder logs nothing.
pub fn internal_mode() -> Option<ExitCode> {
    let mut args = std::env::args_os().skip(1);
    match (args.next(), args.next()) {
        (Some(mode), None) if mode == crate::clipboard::HOLDER_COMMAND => {
            Some(crate::clipboard::run_holder())
        }
        _ => None,
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let mut session = Session::new(cli.global)?;
    crate::logging::init(&session.home)?;
    let command = match cli.command {
        Some(Command::Completions { shell }) => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "vonage-onboard", &mut std::io::stdout());
            return Ok(ExitCode::Ok);
        }
        Some(Command::Man) => return man::run(),
        // Local commands: no runtime, no network, no sandbox needed.
        Some(Command::Token(args)) => return token::run(&mut session, args),
        Some(Command::Import { from }) => return import_export::run_import(&session, from),
        Some(Command::Export(command)) => return import_export::run_export(&session, command),
        None if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) => {
            return Err(Error::usage(
                "no terminal for the wizard: use the commands instead, e.g. `vonage-onboard setup` (see --help)",
            ));
        }
        other => other,
    };
    net::runtime()?.block_on(async move {
        if let Some(Command::Sandbox(args)) = command {
            return sandbox::run(&session, args).await;
        }
        let embedded = if session.global.sandbox {
            let (running, target) = sandbox::start_embedded(&session.home).await?;
            session.sandbox = Some(target);
            Some(running)
        } else {
            None
        };
        let result = match command {
            Some(Command::Setup(args)) => setup::run(&session, args).await,
            Some(Command::App(command)) => app::run(&session, command).await,
            Some(Command::User(command)) => user::run(&session, command).await,
            _ => wizard::run(&session).await,
        };
        if let Some(running) = embedded {
            running.stop().await;
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn onboard_knows_the_token_subcommands_a_user_name_could_be_taken_for() {
        let cli = super::Cli::command();
        let mut parsed: Vec<&str> = cli
            .find_subcommand("token")
            .unwrap()
            .get_subcommands()
            .map(clap::Command::get_name)
            .collect();
        let mut known = crate::onboard::names::TOKEN_SUBCOMMANDS.to_vec();
        parsed.sort_unstable();
        known.sort_unstable();
        assert_eq!(parsed, known);
    }
}
