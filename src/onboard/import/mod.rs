//! `import`: reading other CLIs' config files (nexmo-cli, @vonage/cli) into a profile.
//!
//! The formats are in `docs/other-cli-configs.md`. Everything is read and validated before
//! anything is written, so a malformed file leaves the store exactly as it was.
//!
//! Precedence, highest first (the first file that gives a value wins):
//!
//! 1. files in the current directory, then files in the home directory: the tools themselves
//!    let the local file win, because it describes the project at hand;
//! 2. within one directory, the Vonage CLI's files before nexmo-cli's (the Vonage CLI
//!    replaced nexmo-cli, so its files are the more recent), and @vonage/cli 3.x before 1.x.
//!
//! Values that belong together are never mixed across files: the API key comes from the
//! first file that has one, and its secret only from a file that names the same key; the
//! application id comes from the first file that has one, and its private key only from a
//! file (or the `.key` file beside `vonage_app.json`) that names the same id. Environment
//! variables (`NEXMO_API_KEY`, `VONAGE_API_KEY`, …) are not imported: the commands already
//! read them at run time (SPEC §2.1).

mod discovery;
mod found;
mod ini;
mod modes;
mod pairing;
mod parse;
#[cfg(test)]
mod tests;
mod writes;

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::ids::AppId;
use crate::store::paths::{Home, ProfileName};

use discovery::{candidates, read_text, show};
use found::read_found;
use pairing::{choose, nothing_found};

/// Which tool's files to read. (`--from` parses it in `cli::values`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSource {
    /// nexmo-cli: .nexmorc and .nexmo-app
    Nexmo,
    /// @vonage/cli: .vonagerc, vonage_app.json, ~/.vonage/config.json, vonage.config.json
    Vonage,
    /// both; local files first, and the Vonage CLI's before nexmo-cli's
    Auto,
}

/// What an import stored, and what the user should know about it. Holds no secret.
#[derive(Debug)]
pub struct ImportReport {
    pub api_key: Option<String>,
    pub secret_imported: bool,
    pub application_id: Option<AppId>,
    /// Where the imported private key now lives (0600, in the store).
    pub key_path: Option<PathBuf>,
    /// Files read, highest precedence first.
    pub sources: Vec<PathBuf>,
    pub warnings: Vec<String>,
}

/// Reads the other CLIs' files (local ones in `cwd`, global ones in `user_home`) and stores
/// what they hold in `profile`: API key, secret, application id and its private key.
///
/// `cwd` and `user_home` are parameters so that tests never touch the real home directory.
pub fn import(
    home: &Home,
    profile: &ProfileName,
    from: ImportSource,
    cwd: &Path,
    user_home: &Path,
) -> Result<ImportReport> {
    let candidates = candidates(from, cwd, user_home);
    let mut warnings = Vec::new();
    let mut found = Vec::new();
    for (path, format) in &candidates {
        if let Some(text) = read_text(path)? {
            found.push(read_found(path, *format, &text, &mut warnings).map_err(|e| {
                if from == ImportSource::Auto {
                    e.with_note(
                        "Fix or remove that file, or pick one tool with --from nexmo or --from vonage.",
                    )
                } else {
                    e
                }
            })?);
        }
    }
    let sources: Vec<PathBuf> = found.iter().flat_map(|f| f.files.clone()).collect();
    let shown = |p: &Path| show(p, user_home);

    let chosen = choose(&found, &mut warnings, &shown);
    if chosen.api_key.is_none() && chosen.app.is_none() {
        return Err(nothing_found(&candidates, &found, &warnings, &shown));
    }
    let stored = writes::store(home, profile, &found, &chosen, &mut warnings)?;
    warnings.extend(modes::warnings(
        home,
        &found,
        &chosen,
        stored.key.as_ref(),
        &shown,
    ));

    Ok(ImportReport {
        api_key: chosen.api_key.map(str::to_owned),
        secret_imported: stored.secret,
        application_id: stored.key.as_ref().map(|p| p.id.clone()),
        key_path: stored.key.map(|p| p.path),
        sources,
        warnings,
    })
}
