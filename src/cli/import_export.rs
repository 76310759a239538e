//! `import` (credentials and application from the Nexmo / Vonage CLIs' files) and
//! `export env` (a `.env` file for the Vonage SDKs).

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use super::Session;
use crate::error::{Error, ExitCode, Result};
use crate::onboard::export::export_env;
use crate::onboard::import::{ImportSource, import};

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write VONAGE_API_KEY, VONAGE_APPLICATION_ID, VONAGE_PRIVATE_KEY_PATH as a .env file
    Env {
        /// Where to write it; an existing file is never overwritten
        #[arg(long, default_value = ".env")]
        out: PathBuf,
        /// Also write VONAGE_API_SECRET (the file is 0600 either way)
        #[arg(long)]
        with_secret: bool,
    },
}

pub fn run_import(session: &Session, from: ImportSource) -> Result<ExitCode> {
    let cwd =
        std::env::current_dir().map_err(|e| Error::Other(format!("no current directory: {e}")))?;
    let user_home = directories::BaseDirs::new()
        .map(|d| d.home_dir().to_path_buf())
        .ok_or_else(|| Error::Other("cannot find your home directory".into()))?;
    let report = import(&session.home, &session.profile, from, &cwd, &user_home)?;
    let out = &session.out;
    if out.json {
        out.json(&json!({
            "profile": session.profile.as_str(),
            "api_key": report.api_key,
            "secret_imported": report.secret_imported,
            "application_id": report.application_id,
            "private_key_path": report.key_path,
            "sources": report.sources,
            "warnings": report.warnings,
        }));
    } else {
        let mut lines = vec![format!(
            "Imported into profile {:?} from {}:",
            session.profile.as_str(),
            report
                .sources
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )];
        if let Some(key) = &report.api_key {
            let secret = if report.secret_imported {
                " and its secret"
            } else {
                " (no secret found)"
            };
            lines.push(format!("  API key {key}{secret}"));
        }
        if let (Some(id), Some(path)) = (&report.application_id, &report.key_path) {
            lines.push(format!(
                "  application {id}, private key now at {} (0600)",
                path.display()
            ));
        }
        lines.push("Check the credentials with: vonage-onboard setup".into());
        out.line(&lines.join("\n"));
        for warning in &report.warnings {
            out.note(&format!("warning: {warning}"));
        }
    }
    Ok(ExitCode::Ok)
}

pub fn run_export(session: &Session, command: ExportCommand) -> Result<ExitCode> {
    let ExportCommand::Env {
        out: path,
        with_secret,
    } = command;
    let app = session.app_context().ok();
    let written = export_env(
        &session.home,
        &session.profile,
        app.as_ref(),
        &path,
        with_secret,
    )?;
    let out = &session.out;
    if out.json {
        out.json(&json!({"path": written.path, "variables": written.variables}));
    } else {
        out.line(&format!(
            "Wrote {} ({}), mode 0600.",
            written.path.display(),
            written.variables.join(", ")
        ));
    }
    Ok(ExitCode::Ok)
}
