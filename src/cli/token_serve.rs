//! `token serve`: the token server in the foreground, its banner, one line per served token
//! (JSON Lines with `--json`), until Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::IpAddr;
use std::sync::Arc;

use clap::Args;
use serde_json::json;

use super::{Session, values};
use crate::auth::ttl::format_duration;
use crate::clock::rfc3339;
use crate::error::{ExitCode, Result};
use crate::serve::{self, AllowedOrigin, ServeConfig, ServeSource, Served};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on [default: a free one]
    // Negative numbers reach parse_port ("-1" is not a port), not clap's unknown-flag error.
    #[arg(long, default_value_t = 0, value_parser = values::parse_port, allow_negative_numbers = true)]
    port: u16,
    /// Address to listen on; anything but loopback lets other devices ask (the key is still needed)
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR", value_parser = values::parse_bind)]
    bind: IpAddr,
    /// Also let pages from this origin read tokens (scheme://host[:port]); loopback pages always may
    #[arg(long = "allow-origin", value_name = "ORIGIN", value_parser = parse_origin)]
    allow_origin: Vec<AllowedOrigin>,
    /// Serve any valid user name, not only the users this home knows for the application
    #[arg(long)]
    any_user: bool,
}

fn parse_origin(text: &str) -> std::result::Result<AllowedOrigin, String> {
    AllowedOrigin::parse(text).map_err(|e| e.to_string())
}

/// One line per served token: who, until when; never the token. With `--json`, a JSON
/// object on one line (the output is JSON Lines: the banner, then one per token).
fn served_line(served: &Served, json: bool) -> String {
    if json {
        json!({
            "served": served.user,
            "exp": served.exp,
            "expires_at": rfc3339(served.exp),
            "ttl": served.ttl_seconds,
        })
        .to_string()
    } else {
        format!(
            "served: {} until {} ({})",
            served.user,
            rfc3339(served.exp),
            format_duration(served.ttl_seconds)
        )
    }
}

/// Prints a line to stdout, at once (a script reads it while the server runs).
fn print_line(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
    let _ = stdout.flush();
}

pub fn run(session: &Session, args: ServeArgs) -> Result<ExitCode> {
    let signer = Arc::new(session.signer()?);
    let json = session.out.json;
    let config = ServeConfig {
        bind: args.bind,
        port: args.port,
        allowed_origins: args.allow_origin,
        any_user: args.any_user,
        on_served: Some(Arc::new(move |served: &Served| {
            print_line(&served_line(served, json))
        })),
    };
    let source = ServeSource {
        signer,
        home: session.home.clone(),
        profile: session.profile.clone(),
    };
    super::net::runtime()?.block_on(async move {
        let server = serve::start(config, source).await?;
        // Exactly these lines first (one JSON object with --json), so scripts can read them.
        let out = &session.out;
        if json {
            print_line(
                &json!({
                    "url": server.url(),
                    "key": server.key(),
                    "application_id": server.application_id().to_string(),
                })
                .to_string(),
            );
        } else {
            print_line(&format!("url: {}", server.url()));
            print_line(&format!("key: {}", server.key()));
            print_line(&format!("application_id: {}", server.application_id()));
        }
        if !server.is_loopback() {
            out.note(&format!(
                "warning: token serve listens on {}, so other devices on your network can reach it; \
                 anyone with the key can get tokens for your users",
                server.local_addr().ip()
            ));
        }
        out.note(&format!(
            "Serving tokens: GET {}/token/USER with Authorization: Bearer KEY. Ctrl-C stops it.",
            server.url()
        ));
        super::net::wait_for_stop_signal().await;
        server.stop().await;
        Ok(ExitCode::Ok)
    })
}
