//! Which values are imported: the first API key and only a secret from a file naming the
//! same key, the first application id and only a key from a file naming the same id; what
//! is left out is warned about. Also the message when nothing was found.

use std::path::{Path, PathBuf};

use super::discovery::Format;
use super::found::Found;
use crate::error::Error;
use crate::ids::AppId;

/// The winners: indexes into the found files.
pub(super) struct Chosen<'a> {
    pub(super) api_key: Option<&'a str>,
    /// The file whose secret goes with `api_key`.
    pub(super) secret: Option<usize>,
    /// The application id and the file whose private key goes with it.
    pub(super) app: Option<(&'a AppId, usize)>,
}

pub(super) fn choose<'a>(
    found: &'a [Found],
    warnings: &mut Vec<String>,
    shown: &dyn Fn(&Path) -> String,
) -> Chosen<'a> {
    let key_from = found.iter().position(|f| f.api_key.is_some());
    let api_key = key_from.and_then(|i| found[i].api_key.as_deref());
    let secret = found.iter().position(|f| {
        f.api_key.as_deref() == api_key && api_key.is_some() && f.api_secret.is_some()
    });

    let id_from = found.iter().position(|f| f.app_id.is_some());
    let app_id = id_from.and_then(|i| found[i].app_id.as_ref());
    let key_index = found
        .iter()
        .position(|f| f.app_id.as_ref() == app_id && app_id.is_some() && f.key.is_some());

    for f in found {
        let here = shown(&f.path);
        if let (Some(theirs), Some(ours), Some(i)) = (f.api_key.as_deref(), api_key, key_from)
            && theirs != ours
        {
            warnings.push(format!(
                "the API key in {here} differs and was not imported: {} takes precedence",
                shown(&found[i].path)
            ));
        }
        if f.api_key.is_none() && f.api_secret.is_some() {
            warnings.push(format!(
                "{here} has an API secret but no API key; it was not imported"
            ));
        }
        if let (Some(theirs), Some(ours), Some(i)) = (f.app_id.as_ref(), app_id, id_from)
            && theirs != ours
        {
            warnings.push(format!(
                "the application in {here} differs and was not imported: {} takes precedence",
                shown(&found[i].path)
            ));
        }
        if f.app_id.is_none()
            && let Some(k) = &f.key
        {
            warnings.push(format!(
                "{} holds a private key but no application id, so the key was not imported; \
                 with the application's id, run `vonage-onboard app use ID --private-key FILE`",
                shown(&k.from)
            ));
        }
    }
    if let (Some(id), None, Some(i)) = (app_id, key_index, id_from) {
        warnings.push(format!(
            "application {id} (from {}) has no private key in the files read, so it was not imported; \
             run `vonage-onboard app use {id} --private-key FILE`",
            shown(&found[i].path)
        ));
    }
    Chosen {
        api_key,
        secret,
        app: app_id.zip(key_index),
    }
}

pub(super) fn nothing_found(
    candidates: &[(PathBuf, Format)],
    found: &[Found],
    warnings: &[String],
    shown: &dyn Fn(&Path) -> String,
) -> Error {
    let list = |paths: Vec<&Path>| paths.into_iter().map(shown).collect::<Vec<_>>().join(", ");
    let mut message = if found.is_empty() {
        format!(
            "no Nexmo or Vonage CLI config to import: looked for {}",
            list(candidates.iter().map(|(p, _)| p.as_path()).collect())
        )
    } else {
        format!(
            "nothing to import: {} hold(s) no API key and no application with its private key \
             (also looked for {})",
            list(found.iter().map(|f| f.path.as_path()).collect()),
            list(
                candidates
                    .iter()
                    .map(|(p, _)| p.as_path())
                    .filter(|p| found.iter().all(|f| f.path != *p))
                    .collect()
            )
        )
    };
    for w in warnings {
        message.push_str("\nnote: ");
        message.push_str(w);
    }
    message.push_str("\nTo enter credentials instead, run `vonage-onboard setup`.");
    Error::NotFound(message)
}
