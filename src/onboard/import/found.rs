//! One file's values validated: the application id parsed, the private key loaded (inline,
//! or from the `.key` file beside `vonage_app.json`). Errors name the file and the field.

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use super::discovery::{Format, key_file_beside};
use super::parse::{normalise_pem, parse};
use crate::auth::keys::PrivateKey;
use crate::error::{Error, Result};
use crate::ids::AppId;

/// What one file holds, validated. `Debug` is not derived: it holds a secret.
pub(super) struct Found {
    pub(super) path: PathBuf,
    /// `path`, plus the `.key` file read beside `vonage_app.json`.
    pub(super) files: Vec<PathBuf>,
    pub(super) api_key: Option<String>,
    pub(super) api_secret: Option<SecretString>,
    pub(super) app_id: Option<AppId>,
    pub(super) key: Option<FoundKey>,
}

pub(super) struct FoundKey {
    pub(super) key: PrivateKey,
    /// The file the PEM text was in.
    pub(super) from: PathBuf,
}

/// The key of the chosen file; `choose` only picks files that have one.
pub(super) fn key_of(found: &[Found], index: usize) -> Result<&FoundKey> {
    found
        .get(index)
        .and_then(|f| f.key.as_ref())
        .ok_or_else(|| Error::Other("internal error: the chosen file holds no key".into()))
}

pub(super) fn read_found(
    path: &Path,
    format: Format,
    text: &str,
    warnings: &mut Vec<String>,
) -> Result<Found> {
    let raw = parse(format, text).map_err(|message| Error::file(path, message))?;
    let (id_field, key_field) = format.app_fields();
    let app_id = raw
        .app_id
        .as_deref()
        .map(|id| {
            AppId::parse(id).map_err(|_| {
                Error::file(
                    path,
                    format!(
                        "{id_field} is not a Vonage application id (a UUID like 78d335fa-323d-0114-9c3d-d6f0d48968cf)"
                    ),
                )
            })
        })
        .transpose()?;
    let inline = raw
        .private_key
        .as_deref()
        .map(|pem| {
            PrivateKey::from_pem(&normalise_pem(pem))
                .map_err(|e| Error::file(path, format!("{key_field} {e}")))
        })
        .transpose()?;
    let mut files = vec![path.to_path_buf()];
    let mut key = inline.map(|key| FoundKey {
        key,
        from: path.to_path_buf(),
    });

    // @vonage/cli 1.x also saved the key as `<application_name>.key` beside vonage_app.json.
    if let (Format::VonageAppV1, Some(name), Some(dir)) =
        (format, raw.app_name.as_deref(), path.parent())
        && let Some(beside) = key_file_beside(dir, name)
    {
        let loaded = PrivateKey::load(&beside)?;
        files.push(beside.clone());
        match &key {
            None => {
                key = Some(FoundKey {
                    key: loaded,
                    from: beside,
                });
            }
            Some(k) if k.key.public_key() != loaded.public_key() => warnings.push(format!(
                "{} is not the key in {}; the one in {} was used",
                beside.display(),
                path.display(),
                path.display()
            )),
            Some(_) => {}
        }
    }
    Ok(Found {
        path: path.to_path_buf(),
        files,
        api_key: raw.api_key,
        api_secret: raw
            .api_secret
            .map(|s| SecretString::from(s.as_str().to_owned())),
        app_id,
        key,
    })
}
