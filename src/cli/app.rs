//! `app create | list | show | use | delete`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use super::Session;
use crate::error::{ExitCode, Result};
use crate::onboard::applications::{self, AppSpec, HttpMethod, ReadyApp};

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Generate a key pair, save the private key, then create an rtc + voice application
    Create(CreateArgs),
    /// The account's applications
    List,
    /// One application
    Show { id: String },
    /// Make an existing application current (its private key must match)
    Use {
        id: String,
        /// The application's private key file (PKCS#8 or PKCS#1 PEM); a copy is stored 0600
        #[arg(long, value_name = "PATH")]
        private_key: PathBuf,
    },
    /// Delete an application at Vonage (its stored key is kept)
    Delete {
        id: String,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The application's name
    name: String,
    /// Where Vonage sends Client SDK (rtc) events
    #[arg(long, value_name = "URL")]
    rtc_event_url: Option<String>,
    /// Where Vonage asks what to do with a voice call
    #[arg(long, value_name = "URL")]
    answer_url: Option<String>,
    /// Where Vonage sends voice call events
    #[arg(long, value_name = "URL")]
    event_url: Option<String>,
    /// HTTP method of the answer URL
    #[arg(long, value_enum, ignore_case = true, default_value_t = HttpMethod::Get)]
    http_method: HttpMethod,
    /// Let Vonage use this application's data to improve its AI (off unless given)
    #[arg(long)]
    improve_ai: bool,
    /// Remove now the kept keys of interrupted creates that match no application (they are
    /// removed after a day anyway)
    #[arg(long)]
    discard_pending: bool,
}

pub async fn run(session: &Session, command: AppCommand) -> Result<ExitCode> {
    let client = session.client()?;
    let out = &session.out;
    match command {
        AppCommand::Create(args) => {
            let spec = AppSpec {
                name: args.name,
                rtc_event_url: args.rtc_event_url,
                answer_url: args.answer_url,
                event_url: args.event_url,
                http_method: args.http_method,
                improve_ai: args.improve_ai,
                discard_pending: args.discard_pending,
            };
            applications::check_spec(&spec)?;
            let ready = session
                .spin(
                    "Generating a key pair and creating the application…",
                    applications::create(&session.home, &session.profile, &client, &spec),
                )
                .await?;
            let verb = if ready.resumed { "Found" } else { "Created" };
            print_ready(session, &ready, verb);
        }
        AppCommand::Use { id, private_key } => {
            let ready = session
                .spin(
                    "Checking the key against the application…",
                    applications::adopt(
                        &session.home,
                        &session.profile,
                        &client,
                        &id,
                        &private_key,
                    ),
                )
                .await?;
            print_ready(session, &ready, "Using");
        }
        AppCommand::List => {
            let listed = session
                .spin(
                    "Listing applications…",
                    applications::list(&session.home, &session.profile, &client),
                )
                .await?;
            let apps = &listed.apps;
            if out.json {
                let items: Vec<_> = apps
                    .iter()
                    .map(|a| json!({"id": a.id, "name": a.name, "current": listed.is_current(a)}))
                    .collect();
                out.json(&json!({ "applications": items }));
            } else if apps.is_empty() {
                out.note("No applications yet. Create one: vonage-onboard app create NAME --rtc-event-url URL");
            } else {
                for a in apps {
                    let mark = if listed.is_current(a) { "*" } else { " " };
                    out.line(&format!("{mark} {}  {}", a.id, a.name));
                }
            }
        }
        AppCommand::Show { id } => {
            let app = session
                .spin("Fetching the application…", client.get_application(&id))
                .await?;
            if out.json {
                out.json(&serde_json::to_value(&app).unwrap_or_default());
            } else {
                out.line(&format!(
                    "{}  {}\ncapabilities: {}\nprivacy: {}",
                    app.id,
                    app.name,
                    serde_json::to_string_pretty(&app.capabilities).unwrap_or_default(),
                    app.privacy
                ));
            }
        }
        AppCommand::Delete { id, yes } => {
            if !session.confirm(
                &format!("Delete application {id} at Vonage? Its users go with it."),
                yes,
            )? {
                out.note("Not deleted.");
                return Ok(ExitCode::Failure);
            }
            let kept = session
                .spin(
                    "Deleting the application…",
                    applications::delete(&session.home, &session.profile, &client, &id),
                )
                .await?;
            if out.json {
                out.json(&json!({"deleted": id, "key_kept_at": kept}));
            } else {
                let note = kept
                    .map(|p| {
                        format!(
                            " Its private key is still at {} (delete it yourself when sure).",
                            p.display()
                        )
                    })
                    .unwrap_or_default();
                out.line(&format!("Deleted application {id}.{note}"));
            }
        }
    }
    Ok(ExitCode::Ok)
}

fn print_ready(session: &Session, ready: &ReadyApp, verb: &str) {
    let out = &session.out;
    // On stderr in both modes: people read it, scripts also get it in the JSON.
    for line in ready.pending.describe() {
        out.note(&line);
    }
    if out.json {
        out.json(&json!({
            "id": ready.record.id,
            "name": ready.record.name,
            "private_key_path": ready.key_path,
            "reconciled": ready.reconciled,
            "resumed": ready.resumed,
            "pending": {
                "recovered": ready.pending.recovered.iter().map(|a| json!({
                    "id": a.record.id,
                    "name": a.record.name,
                    "private_key_path": a.key_path,
                })).collect::<Vec<_>>(),
                "kept": ready.pending.kept,
                "removed": ready.pending.removed,
                "unreadable": ready.pending.unreadable.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            },
        }));
    } else {
        let reconciled = if ready.resumed {
            "\n(An earlier run created it and was interrupted before hearing back; nothing was created twice.)"
        } else if ready.reconciled {
            "\n(The answer was lost on the way back; the application was found by its key, so nothing was created twice.)"
        } else {
            ""
        };
        out.line(&format!(
            "{verb} application {} ({}), now current.\nPrivate key: {} (0600; Vonage keeps only the public half, so keep this file){reconciled}\n\
             Next: {}",
            ready.record.id,
            ready.record.name,
            ready.key_path.display(),
            session.command_line("user create alice"),
        ));
    }
}
