//! No command on a terminal: the wizard, against the configured API or the embedded sandbox.

use super::Session;
use super::net::env_credentials;
use crate::clipboard::{Clipboard, NoClipboard, SystemClipboard};
use crate::error::{Error, ExitCode, Result};
use crate::tui::worker::WorkerConfig;
use crate::vonage::ApiCredentials;

pub async fn run(session: &Session) -> Result<ExitCode> {
    // The commands' rule, checked before the screen is taken over: a refused base ends the run
    // with its sentence, and an allowed plain-http one is warned about where the warning stays
    // readable. Other problems (a corrupt file, say) the wizard shows on its screens.
    if let Err(e @ Error::InsecureHttp { .. }) = session.endpoints() {
        return Err(e);
    }
    let config = WorkerConfig {
        home: session.home.clone(),
        profile: session.profile.clone(),
        api_base: match &session.sandbox {
            Some(sandbox) => Some(sandbox.url.clone()),
            None => session.global.api_base.clone(),
        },
        region: session.global.region,
        plain_http: session.plain_http(),
        suggested: session.sandbox.as_ref().map(|s| s.credentials.clone()),
        // The sandbox has its own pair; elsewhere the environment's wins, as for commands.
        env_credentials: match (&session.sandbox, env_credentials()) {
            (None, (Some(api_key), Some(api_secret))) => Some(ApiCredentials {
                api_key,
                api_secret,
            }),
            _ => None,
        },
        application_id: session.global.application_id.clone(),
        private_key_path: session.global.private_key_path.clone(),
        secrets: session.secret_choice(),
    };
    let clipboard: Box<dyn Clipboard> = if session.global.no_clipboard {
        Box::new(NoClipboard)
    } else {
        Box::new(SystemClipboard::for_wizard())
    };
    crate::tui::run(config, clipboard).await?;
    Ok(ExitCode::Ok)
}
