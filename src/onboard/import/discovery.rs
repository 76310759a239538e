//! Where the other CLIs keep their files: which files to look at for a source, in
//! precedence order, reading one (capped), the `.key` file beside `vonage_app.json`, and
//! paths as the docs write them (`~/…`).

use std::fs;
use std::path::{Path, PathBuf};

use secrecy::zeroize::Zeroizing;

use super::ImportSource;
use crate::error::{Error, Result};

/// The file formats, one per kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    /// INI `[credentials]` with `api_key`, `api_secret`.
    NexmoRc,
    /// INI `[app_config]` with `app_id`, `private_key`.
    NexmoApp,
    /// JSON `apiKey`, `apiSecret` (@vonage/cli 1.x).
    VonageConfigV1,
    /// JSON `application_name`, `application_id`, `private_key` (@vonage/cli 1.x).
    VonageAppV1,
    /// JSON `api-key`, `api-secret`, `app-id`, `private-key` (@vonage/cli 3.x).
    VonageV3,
}

impl Format {
    /// The field names, for messages: (app id, private key).
    pub(super) fn app_fields(self) -> (&'static str, &'static str) {
        match self {
            Format::NexmoApp => ("app_id", "private_key"),
            Format::VonageAppV1 => ("application_id", "private_key"),
            Format::VonageV3 => ("app-id", "private-key"),
            Format::NexmoRc | Format::VonageConfigV1 => ("", ""),
        }
    }
}

/// The files to look at, highest precedence first, without duplicates (`cwd` may be the home).
pub(super) fn candidates(
    from: ImportSource,
    cwd: &Path,
    user_home: &Path,
) -> Vec<(PathBuf, Format)> {
    let vonage_local = [
        (cwd.join(".vonagerc"), Format::VonageV3),
        (cwd.join("vonage_app.json"), Format::VonageAppV1),
    ];
    let nexmo_local = [
        (cwd.join(".nexmorc"), Format::NexmoRc),
        (cwd.join(".nexmo-app"), Format::NexmoApp),
    ];
    let vonage_home = [
        (user_home.join(".vonage/config.json"), Format::VonageV3),
        (
            user_home.join(".config/@vonage/cli/vonage.config.json"),
            Format::VonageConfigV1,
        ),
    ];
    let nexmo_home = [
        (user_home.join(".nexmorc"), Format::NexmoRc),
        (user_home.join(".nexmo-app"), Format::NexmoApp),
    ];
    let groups: Vec<&[(PathBuf, Format)]> = match from {
        ImportSource::Nexmo => vec![&nexmo_local, &nexmo_home],
        ImportSource::Vonage => vec![&vonage_local, &vonage_home],
        ImportSource::Auto => vec![&vonage_local, &nexmo_local, &vonage_home, &nexmo_home],
    };
    let mut out: Vec<(PathBuf, Format)> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    for (path, format) in groups.into_iter().flatten() {
        let identity = fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        if !seen.contains(&identity) {
            seen.push(identity);
            out.push((path.clone(), *format));
        }
    }
    out
}

/// Config files are small; anything bigger is not one of them.
pub(super) const MAX_CONFIG_FILE: usize = 1024 * 1024;

/// The text of a file, or `None` when it does not exist. Capped while reading: a device or
/// a pipe reports size 0.
pub(super) fn read_text(path: &Path) -> Result<Option<Zeroizing<String>>> {
    use crate::bounded::{ReadError, read_file};
    let bytes = match read_file(path, MAX_CONFIG_FILE) {
        Ok(bytes) => bytes,
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.for_file(path, "a config file")),
    };
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Some(Zeroizing::new(text.to_owned()))),
        Err(_) => Err(Error::file(path, "is not UTF-8 text")),
    }
}

/// `<dir>/<name>.key` when `name` is a plain file name and the file exists.
pub(super) fn key_file_beside(dir: &Path, name: &str) -> Option<PathBuf> {
    let plain = !name.contains(['/', '\\', '\0']) && name != "." && name != "..";
    let path = dir.join(format!("{name}.key"));
    (plain && path.is_file()).then_some(path)
}

/// A path for messages: `~/…` under the user's home, as the docs write them.
pub(super) fn show(path: &Path, user_home: &Path) -> String {
    match path.strip_prefix(user_home) {
        Ok(rest) if !user_home.as_os_str().is_empty() => format!("~/{}", rest.display()),
        _ => path.display().to_string(),
    }
}
