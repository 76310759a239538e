//! `sandbox` (the emulator in the foreground) and `--sandbox` (the emulator in-process for one
//! run, its state under `<home>/sandbox/`).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::Args;
use secrecy::ExposeSecret;

use super::Session;
use super::net::SandboxTarget;
use super::values;
use crate::error::{Error, ExitCode, Result};
use crate::sandbox::{self, FaultRule, RunningSandbox, SandboxOptions};
use crate::store::paths::Home;
use crate::vonage::ApiCredentials;

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port to listen on [default: a free one]
    // Negative numbers reach parse_port ("-1" is not a port), not clap's unknown-flag error.
    #[arg(long, default_value_t = 0, value_parser = values::parse_port, allow_negative_numbers = true)]
    port: u16,
    /// Address to listen on; anything but loopback exposes the emulator to your network
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR", value_parser = values::parse_bind)]
    bind: IpAddr,
    /// Keep the emulator's state in this file across restarts [default: in memory]
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Inject a fault, e.g. "POST /v2/applications drop x1", "* /v1/users status=429 retry-after=1 x1"
    #[arg(long, value_name = "SPEC", value_parser = parse_fault)]
    fault: Vec<FaultRule>,
}

fn parse_fault(text: &str) -> std::result::Result<FaultRule, String> {
    text.parse::<FaultRule>().map_err(|e| e.to_string())
}

/// Runs the emulator until Ctrl-C or SIGTERM, after printing its URL and credentials.
pub async fn run(session: &Session, args: SandboxArgs) -> Result<ExitCode> {
    let options = SandboxOptions {
        bind: SocketAddr::new(args.bind, args.port),
        state_file: args.state,
        faults: args.fault,
        ..SandboxOptions::default()
    };
    let running = sandbox::start(options).await?;
    // Exactly these lines first, so scripts can read them.
    session.out.line(&format!("url: {}", running.url()));
    session.out.line(&format!("api_key: {}", running.api_key()));
    session.out.line(&format!(
        "api_secret: {}",
        running.api_secret().expose_secret()
    ));
    eprintln!(
        "Sandbox running; Ctrl-C stops it. Point the commands at it with --api-base {}",
        running.url()
    );
    super::net::wait_for_stop_signal().await;
    running.stop().await;
    Ok(ExitCode::Ok)
}

/// Starts the in-process sandbox for `--sandbox`, its state kept under `<home>/sandbox/`.
pub async fn start_embedded(home: &Home) -> Result<(RunningSandbox, SandboxTarget)> {
    let options = SandboxOptions {
        state_file: Some(home.root().join("sandbox").join("state.json")),
        ..SandboxOptions::default()
    };
    let running = sandbox::start(options)
        .await
        .map_err(|e| e.with_note("The embedded sandbox could not start."))?;
    let target = SandboxTarget {
        url: running.url().to_owned(),
        credentials: ApiCredentials {
            api_key: running.api_key().to_owned(),
            api_secret: running.api_secret().clone(),
        },
    };
    if target.url.is_empty() {
        return Err(Error::Other("the sandbox reported no URL".into()));
    }
    Ok((running, target))
}
