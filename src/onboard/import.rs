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

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use secrecy::zeroize::Zeroizing;

use crate::auth::keys::PrivateKey;
use crate::error::{Error, Result};
use crate::store::apps::save_private_key;
use crate::store::atomic::is_shared;
use crate::store::config::Config;
use crate::store::paths::{AppId, Home, ProfileName};
use crate::store::secrets::Credentials;

/// Which tool's files to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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

    // Every check that can fail comes before the first write.
    let _lock = crate::store::lock::lock(home)?;
    let mut config = Config::load(home)?;
    let secret = chosen
        .secret
        .map(|i| &found[i])
        .and_then(|f| f.api_secret.as_ref());
    let mut credentials = match secret {
        Some(_) => Some(Credentials::load(home)?),
        None => None,
    };
    let key_plan = match chosen.app {
        Some((id, key_index)) => Some(plan_key(home, profile, id, &found, key_index)?),
        None => None,
    };
    if let Some(new) = chosen.api_key {
        let previous = config.profile(profile).and_then(|p| p.api_key.as_deref());
        if previous.is_some_and(|old| old != new) && secret.is_none() {
            warnings.push(format!(
                "the profile's API key changed to {new} but no secret for it was found; \
                 store it with `vonage-onboard setup`"
            ));
        }
    }

    // Writes: the key first (nothing may point at a key that is not there), then the
    // secret, then the config that refers to both.
    if let Some(plan) = &key_plan
        && plan.write
    {
        save_private_key(&plan.path, &key_of(&found, plan.from)?.key)?;
    }
    if let (Some(creds), Some(secret)) = (credentials.as_mut(), secret) {
        creds.set(profile, secret.clone());
        creds.save(home)?;
    }
    let entry = config.profile_mut(profile);
    if let Some(key) = chosen.api_key {
        entry.api_key = Some(key.to_owned());
    }
    if let Some(plan) = &key_plan {
        entry.current_application = Some(plan.id.clone());
    }
    config.save(home)?;

    for (i, f) in found.iter().enumerate() {
        for file in &f.files {
            let secret_here = file == &f.path && f.api_secret.is_some();
            let key_here = f.key.as_ref().is_some_and(|k| &k.from == file);
            // A file beside the config (the `.key` of vonage_app.json) always holds a key.
            let sensitive = secret_here || key_here || file != &f.path;
            let mut copies = Vec::new();
            if secret_here && chosen.secret == Some(i) {
                copies.push(home.credentials_file());
            }
            if let Some(plan) = key_plan.as_ref().filter(|p| key_here && p.from == i) {
                copies.push(plan.path.clone());
            }
            if let Some(w) = mode_warning(file, sensitive, &copies, &shown) {
                warnings.push(w);
            }
        }
    }

    Ok(ImportReport {
        api_key: chosen.api_key.map(str::to_owned),
        secret_imported: secret.is_some(),
        application_id: key_plan.as_ref().map(|p| p.id.clone()),
        key_path: key_plan.map(|p| p.path),
        sources,
        warnings,
    })
}

/// The file formats, one per kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
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
    fn app_fields(self) -> (&'static str, &'static str) {
        match self {
            Format::NexmoApp => ("app_id", "private_key"),
            Format::VonageAppV1 => ("application_id", "private_key"),
            Format::VonageV3 => ("app-id", "private-key"),
            Format::NexmoRc | Format::VonageConfigV1 => ("", ""),
        }
    }
}

/// The files to look at, highest precedence first, without duplicates (`cwd` may be the home).
fn candidates(from: ImportSource, cwd: &Path, user_home: &Path) -> Vec<(PathBuf, Format)> {
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
const MAX_CONFIG_FILE: usize = 1024 * 1024;

/// The text of a file, or `None` when it does not exist. Capped while reading: a device or
/// a pipe reports size 0.
fn read_text(path: &Path) -> Result<Option<Zeroizing<String>>> {
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

/// What one file holds, validated. `Debug` is not derived: it holds a secret.
struct Found {
    path: PathBuf,
    /// `path`, plus the `.key` file read beside `vonage_app.json`.
    files: Vec<PathBuf>,
    api_key: Option<String>,
    api_secret: Option<SecretString>,
    app_id: Option<AppId>,
    key: Option<FoundKey>,
}

struct FoundKey {
    key: PrivateKey,
    /// The file the PEM text was in.
    from: PathBuf,
}

/// The key of the chosen file; `choose` only picks files that have one.
fn key_of(found: &[Found], index: usize) -> Result<&FoundKey> {
    found
        .get(index)
        .and_then(|f| f.key.as_ref())
        .ok_or_else(|| Error::Other("internal error: the chosen file holds no key".into()))
}

/// The raw text values of one file, before validation.
#[derive(Default)]
struct Raw {
    api_key: Option<String>,
    api_secret: Option<Zeroizing<String>>,
    app_id: Option<String>,
    private_key: Option<Zeroizing<String>>,
    app_name: Option<String>,
}

fn read_found(
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

/// `<dir>/<name>.key` when `name` is a plain file name and the file exists.
fn key_file_beside(dir: &Path, name: &str) -> Option<PathBuf> {
    let plain = !name.contains(['/', '\\', '\0']) && name != "." && name != "..";
    let path = dir.join(format!("{name}.key"));
    (plain && path.is_file()).then_some(path)
}

fn parse(format: Format, text: &str) -> std::result::Result<Raw, String> {
    match format {
        Format::NexmoRc => {
            let ini = parse_ini(text)?;
            Ok(Raw {
                api_key: ini.get("credentials", "api_key").map(str::to_owned),
                api_secret: ini.get("credentials", "api_secret").map(zeroizing),
                ..Raw::default()
            })
        }
        Format::NexmoApp => {
            let ini = parse_ini(text)?;
            Ok(Raw {
                app_id: ini.get("app_config", "app_id").map(str::to_owned),
                private_key: ini.get("app_config", "private_key").map(zeroizing),
                ..Raw::default()
            })
        }
        Format::VonageConfigV1 => {
            let json = parse_json(text)?;
            Ok(Raw {
                api_key: json_str(&json, "apiKey")?.map(plain),
                api_secret: json_str(&json, "apiSecret")?,
                ..Raw::default()
            })
        }
        Format::VonageAppV1 => {
            let json = parse_json(text)?;
            Ok(Raw {
                app_id: json_str(&json, "application_id")?.map(plain),
                private_key: json_str(&json, "private_key")?,
                app_name: json_str(&json, "application_name")?.map(plain),
                ..Raw::default()
            })
        }
        Format::VonageV3 => {
            let json = parse_json(text)?;
            Ok(Raw {
                api_key: json_str(&json, "api-key")?.map(plain),
                api_secret: json_str(&json, "api-secret")?,
                app_id: json_str(&json, "app-id")?.map(plain),
                private_key: json_str(&json, "private-key")?,
                app_name: None,
            })
        }
    }
}

fn zeroizing(s: &str) -> Zeroizing<String> {
    Zeroizing::new(s.to_owned())
}

fn plain(s: Zeroizing<String>) -> String {
    s.as_str().to_owned()
}

/// A PEM text as the tools stored it (escaped `\n`, indented lines) made parseable.
fn normalise_pem(text: &str) -> Zeroizing<String> {
    let unescaped = Zeroizing::new(text.replace("\\r", "").replace("\\n", "\n"));
    let mut out = Zeroizing::new(String::with_capacity(unescaped.len()));
    for line in unescaped.lines() {
        out.push_str(line.trim());
        out.push('\n');
    }
    out
}

/// A tiny INI file: `[section]`, `key = value`, `;`/`#` comment lines, optional quotes.
struct Ini {
    /// (section, key, value), in file order; sections and keys lower-cased.
    entries: Vec<(String, String, Zeroizing<String>)>,
}

impl Ini {
    /// The trimmed value; the last one wins (as in the `ini` npm package), empty is absent.
    fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(s, k, _)| s == section && k == key)
            .map(|(_, _, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Parses the INI subset the `ini` npm package writes. A PEM value may continue over the
/// following lines (up to its `-----END` line), since a key with real line breaks is allowed.
fn parse_ini(text: &str) -> std::result::Result<Ini, String> {
    let mut entries = Vec::new();
    let mut section = String::new();
    let mut lines = text.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            let name = line
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .ok_or_else(|| format!("line {number} opens a [section] without closing it"))?;
            section = name.trim().to_ascii_lowercase();
            continue;
        }
        // Never quote the line itself in the message: it may hold the secret.
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {number} is not `key = value`"))?;
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(format!("line {number} has no key before '='"));
        }
        let mut raw = Zeroizing::new(value.trim().to_owned());
        if raw.contains("-----BEGIN") && !raw.contains("-----END") {
            for (_, more) in lines.by_ref() {
                raw.push('\n');
                raw.push_str(more.trim());
                if more.contains("-----END") {
                    break;
                }
            }
        }
        entries.push((section.clone(), key, unquote(&raw)));
    }
    Ok(Ini { entries })
}

/// Strips surrounding quotes. The `ini` package writes a double-quoted value as a JSON
/// string (escapes included), so that is tried first.
fn unquote(raw: &str) -> Zeroizing<String> {
    let quoted = |q: char| raw.len() >= 2 && raw.starts_with(q) && raw.ends_with(q);
    if quoted('"') {
        if let Ok(s) = serde_json::from_str::<String>(raw) {
            return Zeroizing::new(s);
        }
        return zeroizing(&raw[1..raw.len() - 1]);
    }
    if quoted('\'') {
        return zeroizing(&raw[1..raw.len() - 1]);
    }
    zeroizing(raw)
}

type JsonObject = serde_json::Map<String, serde_json::Value>;

/// A JSON object; an empty (or blank) file counts as an empty object.
fn parse_json(text: &str) -> std::result::Result<JsonObject, String> {
    if text.trim().is_empty() {
        return Ok(JsonObject::new());
    }
    // serde_json's syntax errors give a position, never the text around it.
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err("is not a JSON object".into()),
        Err(e) => Err(format!("is not valid JSON ({e})")),
    }
}

/// A text field: trimmed, with `null` and `""` meaning absent. A number is taken as its
/// digits (an all-digit API key may have been written unquoted).
fn json_str(
    json: &JsonObject,
    field: &str,
) -> std::result::Result<Option<Zeroizing<String>>, String> {
    let text = match json.get(field) {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::String(s)) => zeroizing(s.trim()),
        Some(serde_json::Value::Number(n)) => Zeroizing::new(n.to_string()),
        Some(_) => return Err(format!("\"{field}\" should be a string")),
    };
    Ok((!text.is_empty()).then_some(text))
}

/// The winners: indexes into the found files.
struct Chosen<'a> {
    api_key: Option<&'a str>,
    /// The file whose secret goes with `api_key`.
    secret: Option<usize>,
    /// The application id and the file whose private key goes with it.
    app: Option<(&'a AppId, usize)>,
}

fn choose<'a>(
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

fn nothing_found(
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

/// Where the imported key goes, and whether it must be written (an identical key may
/// already be there).
struct KeyPlan {
    id: AppId,
    path: PathBuf,
    from: usize,
    write: bool,
}

fn plan_key(
    home: &Home,
    profile: &ProfileName,
    id: &AppId,
    found: &[Found],
    from: usize,
) -> Result<KeyPlan> {
    let path = home.private_key_file(profile, id);
    let key = key_of(found, from)?;
    let write = if fs::symlink_metadata(&path).is_ok() {
        let stored = PrivateKey::load(&path)?;
        if stored.public_key() != key.key.public_key() {
            return Err(Error::file(
                &path,
                format!(
                    "already holds a different private key for application {id}; it was left \
                     untouched and nothing was imported"
                ),
            ));
        }
        false
    } else {
        true
    };
    Ok(KeyPlan {
        id: id.clone(),
        path,
        from,
        write,
    })
}

/// The warning for a file others may read, if it is one.
fn mode_warning(
    file: &Path,
    sensitive: bool,
    copies: &[PathBuf],
    shown: &dyn Fn(&Path) -> String,
) -> Option<String> {
    if !is_shared(file) {
        return None;
    }
    let mode = fs::metadata(file)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0);
    let head = format!(
        "{} is readable by other users (mode {mode:04o})",
        shown(file)
    );
    Some(if !copies.is_empty() {
        format!(
            "{head}; the imported copy is 0600 at {}; consider deleting the old file",
            copies
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        )
    } else if sensitive {
        format!(
            "{head} and holds a secret; restrict it (chmod 600 {}) or delete it",
            file.display()
        )
    } else {
        format!(
            "{head}; it holds no secret, but chmod 600 {} keeps it private",
            file.display()
        )
    })
}

/// A path for messages: `~/…` under the user's home, as the docs write them.
fn show(path: &Path, user_home: &Path) -> String {
    match path.strip_prefix(user_home) {
        Ok(rest) if !user_home.as_os_str().is_empty() => format!("~/{}", rest.display()),
        _ => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ExitCode;
    use secrecy::ExposeSecret;

    const PKCS8: &str = include_str!("../../tests/fixtures/test-key-pkcs8.pem");
    const PKCS1: &str = include_str!("../../tests/fixtures/test-key-pkcs1.pem");
    const OTHER: &str = include_str!("../../tests/fixtures/other-key-pkcs8.pem");
    const ID: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";
    const OTHER_ID: &str = "11111111-2222-3333-4444-555555555555";
    const SECRET: &str = "Sup3rS3cretValue";

    struct Env {
        _dir: tempfile::TempDir,
        home: Home,
        cwd: PathBuf,
        user: PathBuf,
        profile: ProfileName,
    }

    fn env() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path().join("project");
        let user = dir.path().join("user");
        fs::create_dir_all(&cwd).unwrap();
        fs::create_dir_all(&user).unwrap();
        Env {
            home: Home::at(dir.path().join("store")),
            cwd,
            user,
            profile: ProfileName::default(),
            _dir: dir,
        }
    }

    impl Env {
        /// Writes a file in the current directory, mode 0600 (so no mode warning).
        fn local(&self, name: &str, text: &str) -> PathBuf {
            write(&self.cwd.join(name), text, 0o600)
        }

        fn global(&self, rel: &str, text: &str) -> PathBuf {
            write(&self.user.join(rel), text, 0o600)
        }

        fn run(&self, from: ImportSource) -> Result<ImportReport> {
            import(&self.home, &self.profile, from, &self.cwd, &self.user)
        }

        fn config(&self) -> Config {
            Config::load(&self.home).unwrap()
        }

        fn api_key(&self) -> Option<String> {
            self.config()
                .profile(&self.profile)
                .unwrap()
                .api_key
                .clone()
        }

        fn secret(&self) -> Option<String> {
            Credentials::load(&self.home)
                .unwrap()
                .get(&self.profile)
                .map(|s| s.expose_secret().to_owned())
        }

        fn key_file(&self, id: &str) -> PathBuf {
            self.home
                .private_key_file(&self.profile, &AppId::parse(id).unwrap())
        }
    }

    fn write(path: &Path, text: &str, mode: u32) -> PathBuf {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
        path.to_path_buf()
    }

    fn json(pem: &str) -> String {
        serde_json::to_string(pem).unwrap()
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// The stored key is the fixture key, as PKCS#8, 0600.
    fn assert_stored_key(path: &Path) {
        let text = fs::read_to_string(path).unwrap();
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"), "{path:?}");
        let stored = PrivateKey::from_pem(&text).unwrap();
        assert_eq!(
            stored.public_key(),
            PrivateKey::from_pem(PKCS8).unwrap().public_key()
        );
        assert_eq!(mode(path), 0o600);
    }

    #[test]
    fn nexmo_files_are_imported_with_an_escaped_pkcs1_key() {
        let e = env();
        let rc = e.global(
            ".nexmorc",
            &format!("[credentials]\napi_key=abcd1234\napi_secret={SECRET}\n"),
        );
        let app = e.local(
            ".nexmo-app",
            &format!("[app_config]\napp_id={ID}\nprivate_key={}\n", json(PKCS1)),
        );
        let report = e.run(ImportSource::Nexmo).unwrap();
        assert_eq!(report.api_key.as_deref(), Some("abcd1234"));
        assert!(report.secret_imported);
        assert_eq!(report.application_id.as_ref().unwrap().as_str(), ID);
        assert_eq!(report.key_path.as_deref(), Some(e.key_file(ID).as_path()));
        assert_eq!(report.sources, vec![app, rc]);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        assert!(!format!("{report:?}").contains(SECRET));

        assert_eq!(e.api_key().as_deref(), Some("abcd1234"));
        assert_eq!(e.secret().as_deref(), Some(SECRET));
        let profile = e.config().profile(&e.profile).cloned().unwrap();
        assert_eq!(profile.current_application.unwrap().as_str(), ID);
        assert_stored_key(&e.key_file(ID));
    }

    #[test]
    fn nexmo_app_key_may_span_lines_among_comments_and_other_sections() {
        let e = env();
        let pem = PKCS8.lines().map(|l| format!("  {l}")).collect::<Vec<_>>();
        e.global(
            ".nexmo-app",
            &format!(
                "; written by nexmo-cli\n[other]\napp_id=not-this-one\n\n# the app\n[app_config]\n\
                 app_id = \"{}\"\nprivate_key={}\n",
                ID.to_uppercase(),
                pem.join("\r\n").trim_start()
            ),
        );
        let report = e.run(ImportSource::Nexmo).unwrap();
        assert_eq!(report.application_id.unwrap().as_str(), ID);
        assert_eq!(report.api_key, None);
        assert!(!report.secret_imported);
        assert_stored_key(&e.key_file(ID));
        assert!(!e.home.credentials_file().exists());
    }

    #[test]
    fn vonage_1x_files_are_imported() {
        let e = env();
        e.global(
            ".config/@vonage/cli/vonage.config.json",
            &format!(r#"{{"apiKey": "abcd1234", "apiSecret": "{SECRET}"}}"#),
        );
        e.local(
            "vonage_app.json",
            &format!(
                r#"{{"application_name": "my app", "application_id": "{ID}", "private_key": {}}}"#,
                json(PKCS8)
            ),
        );
        let report = e.run(ImportSource::Vonage).unwrap();
        assert_eq!(report.api_key.as_deref(), Some("abcd1234"));
        assert!(report.secret_imported);
        assert_eq!(report.application_id.unwrap().as_str(), ID);
        assert_eq!(e.secret().as_deref(), Some(SECRET));
        assert_stored_key(&e.key_file(ID));
    }

    #[test]
    fn the_key_file_beside_vonage_app_json_is_used_when_the_json_has_none() {
        let e = env();
        let app = e.local(
            "vonage_app.json",
            &format!(r#"{{"application_name": "my-app", "application_id": "{ID}"}}"#),
        );
        let key = e.local("my-app.key", PKCS1);
        let report = e.run(ImportSource::Auto).unwrap();
        assert_eq!(report.sources, vec![app, key]);
        assert_eq!(report.application_id.unwrap().as_str(), ID);
        assert_stored_key(&e.key_file(ID));
    }

    #[test]
    fn vonage_3x_files_local_over_home_without_mixing_pairs() {
        let e = env();
        e.global(
            ".vonage/config.json",
            &format!(
                r#"{{"api-key": "home1234", "api-secret": "home-secret", "app-id": "{ID}", "private-key": {}}}"#,
                json(PKCS8)
            ),
        );
        e.local(
            ".vonagerc",
            &format!(r#"{{"api-key": "local123", "api-secret": "{SECRET}"}}"#),
        );
        let report = e.run(ImportSource::Vonage).unwrap();
        assert_eq!(report.api_key.as_deref(), Some("local123"));
        assert_eq!(e.secret().as_deref(), Some(SECRET));
        // The application is only in the home file, so it comes from there.
        assert_eq!(report.application_id.unwrap().as_str(), ID);
        assert_stored_key(&e.key_file(ID));
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("~/.vonage/config.json") && w.contains("not imported")),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn a_secret_is_taken_only_from_a_file_with_the_same_api_key() {
        let e = env();
        e.local(".nexmorc", "[credentials]\napi_key=local123\n");
        e.global(
            ".nexmorc",
            &format!("[credentials]\napi_key=local123\napi_secret={SECRET}\n"),
        );
        let report = e.run(ImportSource::Nexmo).unwrap();
        assert_eq!(report.api_key.as_deref(), Some("local123"));
        assert!(report.secret_imported);
        assert_eq!(e.secret().as_deref(), Some(SECRET));

        let e = env();
        e.local(".nexmorc", "[credentials]\napi_key=local123\n");
        e.global(
            ".nexmorc",
            &format!("[credentials]\napi_key=other999\napi_secret={SECRET}\n"),
        );
        let report = e.run(ImportSource::Nexmo).unwrap();
        assert_eq!(report.api_key.as_deref(), Some("local123"));
        assert!(!report.secret_imported);
        assert!(!e.home.credentials_file().exists());
        assert!(
            report.warnings.iter().any(|w| w.contains("~/.nexmorc")),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn auto_prefers_local_then_vonage_and_from_restricts_the_files() {
        let e = env();
        e.local(".nexmorc", "[credentials]\napi_key=nexmo111\n");
        e.local(".vonagerc", r#"{"api-key": "vonage11"}"#);
        e.global(".vonage/config.json", r#"{"api-key": "home1111"}"#);
        let key = |from| e.run(from).unwrap().api_key.unwrap();
        assert_eq!(key(ImportSource::Auto), "vonage11");
        assert_eq!(key(ImportSource::Nexmo), "nexmo111");
        assert_eq!(key(ImportSource::Vonage), "vonage11");
        fs::remove_file(e.cwd.join(".vonagerc")).unwrap();
        // A local nexmo file still wins over a home Vonage one.
        assert_eq!(key(ImportSource::Auto), "nexmo111");
        assert_eq!(key(ImportSource::Vonage), "home1111");
        assert_eq!(e.api_key().as_deref(), Some("home1111"));
    }

    #[test]
    fn empty_strings_are_absent() {
        let e = env();
        let path = e.global(
            ".config/@vonage/cli/vonage.config.json",
            r#"{"apiKey": "", "apiSecret": ""}"#,
        );
        let err = e.run(ImportSource::Vonage).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::NotFound);
        assert!(err.to_string().contains("vonage.config.json"), "{err}");
        assert!(!e.home.root().exists());

        write(
            &path,
            r#"{"apiKey": " abcd1234 ", "apiSecret": "  "}"#,
            0o600,
        );
        let report = e.run(ImportSource::Vonage).unwrap();
        assert_eq!(report.api_key.as_deref(), Some("abcd1234"));
        assert!(!report.secret_imported);
        assert!(!e.home.credentials_file().exists());
    }

    #[test]
    fn nothing_found_lists_the_files_looked_at() {
        let e = env();
        let err = e.run(ImportSource::Auto).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::NotFound);
        let message = err.to_string();
        for name in [
            ".nexmorc",
            ".nexmo-app",
            ".vonagerc",
            "vonage_app.json",
            "~/.vonage/config.json",
            "~/.config/@vonage/cli/vonage.config.json",
        ] {
            assert!(message.contains(name), "{name} missing from {message}");
        }
        assert!(!e.home.root().exists());
    }

    #[test]
    fn malformed_files_stop_the_import_and_nothing_is_written() {
        let cases: [(&str, String, &str); 5] = [
            (
                ".vonagerc",
                format!(r#"{{"api-key": "abcd1234", "api-secret": "{SECRET}" "app-id": "{ID}"}}"#),
                "not valid JSON",
            ),
            (
                ".nexmo-app",
                format!(
                    "[app_config]\napp_id={ID}\nprivate_key=-----BEGIN PRIVATE KEY-----\\nbm90IGEga2V5\\n-----END PRIVATE KEY-----\n"
                ),
                "private_key",
            ),
            (
                ".nexmo-app",
                format!("[app_config]\napp_id=my-app\nprivate_key={}\n", json(PKCS8)),
                "app_id is not a Vonage application id",
            ),
            ("vonage_app.json", "[1, 2]".into(), "not a JSON object"),
            (
                ".nexmorc",
                format!("[credentials]\napi_key=abcd1234\n{SECRET}\n"),
                "line 3",
            ),
        ];
        for (name, text, expected) in cases {
            let e = env();
            e.global(
                ".nexmorc",
                &format!("[credentials]\napi_key=abcd1234\napi_secret={SECRET}\n"),
            );
            let path = e.local(name, &text);
            let err = e.run(ImportSource::Auto).unwrap_err();
            let message = err.to_string();
            assert_eq!(err.exit_code(), ExitCode::Usage, "{message}");
            assert!(message.contains(&*path.to_string_lossy()), "{message}");
            assert!(message.contains(expected), "{message}");
            assert!(!message.contains(SECRET), "{message}");
            assert!(!format!("{err:?}").contains(SECRET));
            assert!(!e.home.root().exists(), "{name}: something was written");
        }
    }

    #[test]
    fn a_different_key_already_stored_is_an_error_and_stays_untouched() {
        let e = env();
        let stored = e.key_file(ID);
        save_private_key(&stored, &PrivateKey::from_pem(OTHER).unwrap()).unwrap();
        let before = fs::read(&stored).unwrap();
        e.local(".nexmorc", "[credentials]\napi_key=abcd1234\n");
        e.local(
            ".nexmo-app",
            &format!("[app_config]\napp_id={ID}\nprivate_key={}\n", json(PKCS8)),
        );
        let err = e.run(ImportSource::Nexmo).unwrap_err();
        assert!(err.to_string().contains("different private key"), "{err}");
        assert_eq!(fs::read(&stored).unwrap(), before);
        assert!(!e.home.config_file().exists());
    }

    #[test]
    fn the_same_key_already_stored_is_fine() {
        let e = env();
        let stored = e.key_file(ID);
        save_private_key(&stored, &PrivateKey::from_pem(PKCS1).unwrap()).unwrap();
        e.local(
            ".nexmo-app",
            &format!("[app_config]\napp_id={ID}\nprivate_key={}\n", json(PKCS8)),
        );
        let report = e.run(ImportSource::Nexmo).unwrap();
        assert_eq!(report.key_path.as_deref(), Some(stored.as_path()));
        let profile = e.config().profile(&e.profile).cloned().unwrap();
        assert_eq!(profile.current_application.unwrap().as_str(), ID);
    }

    #[test]
    fn files_others_can_read_are_warned_about() {
        let e = env();
        let rc = e.global(
            ".nexmorc",
            &format!("[credentials]\napi_key=abcd1234\napi_secret={SECRET}\n"),
        );
        fs::set_permissions(&rc, fs::Permissions::from_mode(0o644)).unwrap();
        let report = e.run(ImportSource::Auto).unwrap();
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
        let warning = &report.warnings[0];
        assert!(warning.starts_with("~/.nexmorc is readable by other users (mode 0644)"));
        assert!(warning.contains(&*e.home.credentials_file().to_string_lossy()));
        assert!(warning.contains("consider deleting the old file"));
        assert!(!warning.contains(SECRET));

        fs::set_permissions(&rc, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(e.run(ImportSource::Auto).unwrap().warnings.is_empty());
    }

    #[test]
    fn a_private_key_without_an_application_id_is_not_stored() {
        let e = env();
        e.local(
            ".vonagerc",
            &format!(
                r#"{{"api-key": "abcd1234", "private-key": {}}}"#,
                json(PKCS8)
            ),
        );
        let report = e.run(ImportSource::Vonage).unwrap();
        assert_eq!(report.api_key.as_deref(), Some("abcd1234"));
        assert_eq!(report.application_id, None);
        assert_eq!(report.key_path, None);
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("no application id")),
            "{:?}",
            report.warnings
        );
        assert!(!e.home.root().join("profiles").exists());

        let e = env();
        e.local(
            ".vonagerc",
            &format!(r#"{{"private-key": {}}}"#, json(PKCS8)),
        );
        let err = e.run(ImportSource::Vonage).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::NotFound);
        assert!(err.to_string().contains("no application id"), "{err}");
    }

    #[test]
    fn an_application_id_without_its_key_is_not_made_current() {
        let e = env();
        e.local(".nexmorc", "[credentials]\napi_key=abcd1234\n");
        e.local(".nexmo-app", &format!("[app_config]\napp_id={ID}\n"));
        e.global(
            ".nexmo-app",
            &format!(
                "[app_config]\napp_id={OTHER_ID}\nprivate_key={}\n",
                json(PKCS8)
            ),
        );
        let report = e.run(ImportSource::Nexmo).unwrap();
        assert_eq!(report.application_id, None);
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains(ID) && w.contains("app use")),
            "{:?}",
            report.warnings
        );
        let profile = e.config().profile(&e.profile).cloned().unwrap();
        assert_eq!(profile.current_application, None);
    }

    #[test]
    fn ini_reader_handles_quotes_comments_and_sections() {
        let ini = parse_ini(
            "top=1\n[Credentials]\n ; comment\n# another\nAPI_KEY = \"ab\\\"cd\" \n\
             api_secret='x y'\nempty=\nlast=1\nlast=2\n",
        )
        .unwrap();
        assert_eq!(ini.get("", "top"), Some("1"));
        assert_eq!(ini.get("credentials", "api_key"), Some("ab\"cd"));
        assert_eq!(ini.get("credentials", "api_secret"), Some("x y"));
        assert_eq!(ini.get("credentials", "empty"), None);
        assert_eq!(ini.get("credentials", "last"), Some("2"));
        assert_eq!(ini.get("credentials", "top"), None);

        let err = parse_ini("[credentials\n").err().unwrap();
        assert!(err.contains("line 1"), "{err}");
        let err = parse_ini("[c]\nhunter2\n").err().unwrap();
        assert!(err.contains("line 2") && !err.contains("hunter2"), "{err}");
    }

    #[test]
    fn escaped_pem_forms_are_all_accepted() {
        let single_line = PKCS1.trim().replace('\n', "\\n");
        for text in [
            single_line.clone(),
            format!("'{single_line}'"),
            json(PKCS1),
            PKCS8.replace('\n', "\\r\\n"),
        ] {
            let ini = parse_ini(&format!("[app_config]\nprivate_key={text}\n")).unwrap();
            let pem = ini.get("app_config", "private_key").unwrap();
            assert!(PrivateKey::from_pem(&normalise_pem(pem)).is_ok(), "{text}");
        }
    }
}
