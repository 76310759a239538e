//! An optional log file for when something goes wrong: with `VONAGE_ONBOARD_LOG` set
//! (`error`, `warn`, `info`, `debug` or `trace`; anything else means `debug`), events are
//! appended to `<home>/vonage-onboard.log` (0600). Never to the terminal, which the wizard
//! owns. Call sites log methods, paths, statuses, ids and names — never a secret or a token.

use std::fs::OpenOptions;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;
use std::sync::Mutex;

use tracing::Level;

use crate::error::{Error, Result};
use crate::store::atomic::{FILE_MODE, ensure_private_dir};
use crate::store::paths::Home;

/// The environment variable that turns logging on.
pub const ENV: &str = "VONAGE_ONBOARD_LOG";

/// Starts logging to the home's log file when asked to; returns the file's path if so.
pub fn init(home: &Home) -> Result<Option<PathBuf>> {
    let Some(value) = std::env::var(ENV).ok().filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let level = match value.trim().to_ascii_lowercase().as_str() {
        "error" => Level::ERROR,
        "warn" => Level::WARN,
        "info" => Level::INFO,
        "trace" => Level::TRACE,
        _ => Level::DEBUG,
    };
    ensure_private_dir(home.root())?;
    let path = home.root().join("vonage-onboard.log");
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(FILE_MODE)
        .open(&path)
        .map_err(|e| Error::io("open the log file", &path, e))?;
    // A log file made by hand with wider permissions is narrowed before anything is written.
    file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))
        .map_err(|e| Error::io("set the mode of", &path, e))?;
    // A second init in one process (tests) keeps the first subscriber: not an error.
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .try_init();
    Ok(Some(path))
}
