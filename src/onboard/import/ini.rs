//! The INI subset nexmo-cli's `ini` npm package writes: `[section]`, `key = value`,
//! comments, quotes, and PEM values that continue over lines.

use secrecy::zeroize::Zeroizing;

use super::parse::zeroizing;

/// A tiny INI file: `[section]`, `key = value`, `;`/`#` comment lines, optional quotes.
pub(super) struct Ini {
    /// (section, key, value), in file order; sections and keys lower-cased.
    entries: Vec<(String, String, Zeroizing<String>)>,
}

impl Ini {
    /// The trimmed value; the last one wins (as in the `ini` npm package), empty is absent.
    pub(super) fn get(&self, section: &str, key: &str) -> Option<&str> {
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
pub(super) fn parse_ini(text: &str) -> std::result::Result<Ini, String> {
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
pub(super) fn unquote(raw: &str) -> Zeroizing<String> {
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
