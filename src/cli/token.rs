//! `token`, `token inspect`, `token list`.

use std::io::IsTerminal;

use clap::{Args, Subcommand};
use serde_json::json;

use super::Session;
use crate::auth::acl::AclChoice;
use crate::auth::ttl::{Ttl, format_duration};
use crate::auth::verify::{Expected, SignatureCheck, check};
use crate::clipboard;
use crate::clock::{rfc3339, unix_now};
use crate::error::{Error, ExitCode, Result, verdict_exit};
use crate::onboard::tokens::{TokenRequest, list_tokens, mint_admin_token, mint_user_token};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TokenArgs {
    #[command(subcommand)]
    action: Option<TokenAction>,
    /// The user (its name); default: the user the last token was for
    user: Option<String>,
    /// Lifetime: 90s, 15m, 6h, 24h, 1d or seconds; 30 s to 24 h [default: 24h, or the remembered one]
    #[arg(long, value_parser = parse_ttl)]
    ttl: Option<Ttl>,
    /// ACL: client-sdk (default), client-sdk-minimal, all, @FILE or inline JSON
    #[arg(long, value_name = "PRESET|JSON|@FILE", value_parser = parse_acl)]
    acl: Option<AclChoice>,
    /// A backend token for the Users API (no sub, no acl; default 15m)
    #[arg(long, conflicts_with_all = ["user", "acl"])]
    admin: bool,
    /// Also copy the token to the clipboard
    #[arg(long)]
    copy: bool,
}

#[derive(Debug, Subcommand)]
enum TokenAction {
    /// Decode a token, verify it with the application's key, and say whether it is valid
    Inspect {
        /// The token, or - (the default) to read it from stdin
        token: Option<String>,
    },
    /// Every user with a stored token: expiry and time left
    List,
    /// Why a Client SDK login fails: the token's verdict, the application and its current key,
    /// the user, the ACL, the server's clock and a real login, checked with the API; exit 0 when all pass
    Doctor {
        /// The token, or - (the default) to read it from stdin; a token given here is
        /// visible to other users of this machine (ps), so prefer a pipe
        token: Option<String>,
    },
    /// Serve fresh tokens over HTTP on loopback for the app you are building (CORS included)
    Serve(super::token_serve::ServeArgs),
}

fn parse_ttl(text: &str) -> std::result::Result<Ttl, String> {
    Ttl::parse(text).map_err(|e| e.to_string())
}

fn parse_acl(text: &str) -> std::result::Result<AclChoice, String> {
    AclChoice::parse_arg(text).map_err(|e| e.to_string())
}

pub fn run(session: &mut Session, args: TokenArgs) -> Result<ExitCode> {
    match args.action {
        Some(TokenAction::Inspect { token }) => run_inspect(session, token),
        Some(TokenAction::List) => run_list(session),
        Some(TokenAction::Doctor { token }) => super::token_doctor::run(session, token),
        Some(TokenAction::Serve(args)) => super::token_serve::run(session, args),
        None => run_mint(session, args),
    }
}

fn run_mint(session: &Session, args: TokenArgs) -> Result<ExitCode> {
    let signer = session.signer()?;
    let now = unix_now();
    let (token, summary) = if args.admin {
        let minted = mint_admin_token(&signer, args.ttl, now);
        let summary = json!({
            "kind": "admin",
            "application_id": signer.application_id(),
            "iat": minted.claims.iat,
            "exp": minted.claims.exp,
            "expires_at": rfc3339(minted.claims.exp),
            "ttl_seconds": minted.claims.exp - minted.claims.iat,
        });
        (minted.token, summary)
    } else {
        let request = TokenRequest {
            user: args.user,
            ttl: args.ttl,
            acl: args.acl,
        };
        let made = mint_user_token(&session.home, &session.profile, &signer, request, now)?;
        let summary = json!({
            "kind": "user",
            "user": made.user,
            "application_id": signer.application_id(),
            "iat": made.minted.claims.iat,
            "exp": made.minted.claims.exp,
            "expires_at": rfc3339(made.minted.claims.exp),
            "ttl_seconds": made.recipe.ttl.seconds(),
            "acl": made.recipe.acl.label(),
        });
        (made.minted.token, summary)
    };

    let copied = args.copy.then(|| {
        let result = if session.global.no_clipboard {
            Err("--no-clipboard".to_owned())
        } else {
            use clipboard::Clipboard as _;
            clipboard::SystemClipboard::for_command().copy(token.expose())
        };
        clipboard::report(&result, "the token is printed on stdout")
    });

    let out = &session.out;
    if out.json {
        let mut doc = summary;
        doc["token"] = json!(token.expose());
        if let Some(message) = &copied {
            doc["clipboard"] = json!(message);
        }
        out.json(&doc);
    } else if !out.tty {
        // `$(vonage-onboard token alice)`: the token and a newline, nothing else on stdout.
        out.line(token.expose());
    } else {
        let who = summary["user"]
            .as_str()
            .map_or_else(|| "Admin token".to_owned(), |u| format!("Token for {u}"));
        let acl = summary["acl"]
            .as_str()
            .map(|a| format!(" · ACL {a}"))
            .unwrap_or_default();
        out.line(&format!(
            "{who} · application {} · valid {} (until {}){acl}\n\n{}\n",
            signer.application_id(),
            format_duration(summary["ttl_seconds"].as_u64().unwrap_or_default()),
            summary["expires_at"].as_str().unwrap_or_default(),
            token.expose(),
        ));
    }
    if let Some(message) = copied {
        out.note(&message);
    }
    Ok(ExitCode::Ok)
}

/// The longest token read from stdin (a token with a large ACL is a few KiB).
const MAX_TOKEN: usize = 64 * 1024;

/// The token given, or read from stdin for none or `-`; a terminal on stdin is the usage
/// error `on_terminal`.
pub(super) fn read_token_arg(arg: Option<String>, on_terminal: &str) -> Result<String> {
    match arg.as_deref() {
        Some(text) if text != "-" => Ok(text.to_owned()),
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(Error::usage(on_terminal));
            }
            let bytes = crate::bounded::read_all(stdin.lock(), MAX_TOKEN)
                .map_err(|e| e.for_stdin("the token"))?;
            String::from_utf8(bytes.to_vec())
                .map_err(|_| Error::usage("the token on stdin is not UTF-8 text"))
        }
    }
}

fn run_inspect(session: &Session, arg: Option<String>) -> Result<ExitCode> {
    let text = read_token_arg(
        arg,
        "give a token, or pipe one in: vonage-onboard token alice | vonage-onboard token inspect",
    )?;
    // The key is optional: a token can be decoded and its times judged without it.
    let context = session
        .app_context()
        .and_then(|c| Ok((c.id.clone(), c.signer()?)));
    let public = context.as_ref().ok().map(|(_, s)| s.key().public_key());
    let expected = Expected {
        key: public.as_ref(),
        application_id: context.as_ref().ok().map(|(id, _)| id.as_str()),
    };
    let mut report = check(&text, expected, unix_now());
    if let (Err(e), SignatureCheck::NotChecked(_)) = (&context, &report.signature) {
        report.signature = SignatureCheck::NotChecked(e.to_string());
    }

    let signature_text = match &report.signature {
        SignatureCheck::Verified => "verified with the application's key".to_owned(),
        SignatureCheck::Invalid(why) => format!("INVALID: {why}"),
        SignatureCheck::NotChecked(why) => format!("not checked: {why}"),
    };
    let out = &session.out;
    if out.json {
        out.json(&json!({
            "status": report.verdict.word(),
            "detail": report.verdict.describe(),
            "signature": signature_text,
            "header": report.header,
            "claims": report.claims,
        }));
    } else {
        let pretty = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
                .unwrap_or_else(|| "-".into())
        };
        out.line(&format!(
            "Header:    {}\nClaims:    {}\nSignature: {signature_text}\nStatus:    {}",
            report
                .header
                .as_ref()
                .map_or_else(|| "-".to_owned(), |h| h.to_string()),
            pretty(&report.claims).replace('\n', "\n           "),
            report.verdict.describe()
        ));
    }
    let code = verdict_exit(&report.verdict);
    // The report went to stdout; a refusal also says why on stderr, as every command does.
    if code != ExitCode::Ok {
        eprintln!("error: {}", report.verdict.describe());
    }
    Ok(code)
}

fn run_list(session: &Session) -> Result<ExitCode> {
    let now = unix_now();
    let rows = list_tokens(&session.home, &session.profile, now)?;
    let out = &session.out;
    if out.json {
        let items: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "user": r.user,
                    "application_id": r.application_id,
                    "exp": r.exp,
                    "expires_at": rfc3339(r.exp),
                    "seconds_left": r.left.unwrap_or(0),
                    "expired": r.left.is_none(),
                })
            })
            .collect();
        out.json(&json!({ "tokens": items }));
        return Ok(ExitCode::Ok);
    }
    if rows.is_empty() {
        out.note("No tokens yet. Mint one with `vonage-onboard token alice`.");
        return Ok(ExitCode::Ok);
    }
    let width = rows
        .iter()
        .map(|r| r.user.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    out.line(&format!(
        "{:width$}  {:36}  {:20}  LEFT",
        "USER", "APPLICATION", "EXPIRES (UTC)"
    ));
    for r in &rows {
        let left = r.left.map_or_else(|| "EXPIRED".to_owned(), format_duration);
        out.line(&format!(
            "{:width$}  {:36}  {:20}  {left}",
            r.user,
            r.application_id.as_str(),
            rfc3339(r.exp)
        ));
    }
    Ok(ExitCode::Ok)
}
