//! The command line (clap): global options of SPEC §2.1, the commands, and dispatch. Each
//! command group has its own file; they parse, call `onboard::`, and print.

mod output;
mod token;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::error::{Error, ExitCode, Result};
use crate::region::Region;
use crate::store::paths::{Home, ProfileName};

pub use output::Output;

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
    /// Which stored account to use
    #[arg(
        long,
        env = "VONAGE_ONBOARD_PROFILE",
        default_value = "default",
        global = true
    )]
    pub profile: String,
    /// Where config and state live [default: the platform config dir]
    #[arg(long, env = "VONAGE_ONBOARD_HOME", global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Base URL for every Vonage call [default: https://api.nexmo.com]
    #[arg(long, env = "VONAGE_API_BASE", global = true, value_name = "URL")]
    pub api_base: Option<String>,
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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Mint a user's JWT (regenerates with the remembered TTL and ACL), or inspect / list tokens
    Token(token::TokenArgs),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// What every command needs: where the files are, which profile, how to print.
#[derive(Debug)]
pub struct Session {
    pub home: Home,
    pub profile: ProfileName,
    pub global: GlobalArgs,
    pub out: Output,
}

impl Session {
    fn new(global: GlobalArgs) -> Result<Self> {
        Ok(Session {
            home: Home::resolve(global.home.as_deref())?,
            profile: ProfileName::parse(&global.profile)?,
            out: Output::new(global.json),
            global,
        })
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let Some(command) = cli.command else {
        return no_command();
    };
    match command {
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "vonage-onboard", &mut std::io::stdout());
            Ok(ExitCode::Ok)
        }
        Command::Token(args) => token::run(&Session::new(cli.global)?, args),
    }
}

/// The wizard needs a terminal; without one, point at the commands.
fn no_command() -> Result<ExitCode> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Error::usage(
            "no terminal for the wizard: use the commands instead, e.g. `vonage-onboard token alice` (see --help)",
        ));
    }
    Err(Error::usage(
        "the interactive wizard is not in this build yet: use the commands (see `vonage-onboard --help`)",
    ))
}
