//! Everything kept on disk under the home directory: profiles, secrets, state, keys.

pub mod apps;
pub mod atomic;
pub mod config;
pub mod lock;
pub mod paths;
pub mod secret_store;
pub mod secrets;
pub mod state;

use std::path::Path;

use crate::error::{Error, Result};

/// The largest file of ours read: thousands of users and tokens fit many times over.
const MAX_STORE_FILE: usize = 16 << 20;

/// Reads a file of ours, or `None` when it does not exist yet. Capped while reading: a
/// file replaced by a device or a pipe is refused, not read forever.
fn read_optional(path: &Path) -> Result<Option<String>> {
    use crate::bounded::{ReadError, read_file};
    match read_file(path, MAX_STORE_FILE) {
        Ok(bytes) => String::from_utf8(bytes.to_vec())
            .map(Some)
            .map_err(|_| Error::Corrupt {
                path: path.to_path_buf(),
                message: "it is not UTF-8 text".into(),
            }),
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(ReadError::Io(e)) => Err(Error::io("read", path, e)),
        Err(e) => Err(e.for_file(path, "one of this tool's files")),
    }
}

/// Reads and parses a TOML file of ours; absent means default, unparsable is an error.
fn load_toml<T: serde::de::DeserializeOwned + Default>(path: &Path) -> Result<T> {
    match read_optional(path)? {
        None => Ok(T::default()),
        Some(text) => toml::from_str(&text).map_err(|e| Error::Corrupt {
            path: path.to_path_buf(),
            message: redact_quoted(e.message()) + &toml_position(&text, e.span()),
        }),
    }
}

fn toml_position(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    span.map(|s| {
        let before = &text[..s.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        format!(" (line {line})")
    })
    .unwrap_or_default()
}

/// Reads and parses a JSON file of ours; absent means default, unparsable is an error.
fn load_json<T: serde::de::DeserializeOwned + Default>(path: &Path) -> Result<T> {
    match read_optional(path)? {
        None => Ok(T::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| Error::Corrupt {
            path: path.to_path_buf(),
            message: redact_quoted(&e.to_string()),
        }),
    }
}

/// Parser messages quote the offending value ("invalid type: string \"eyJ…\""), which in our
/// files may be a secret or a token: long quoted spans are cut out before a message is shown.
fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        out.push('"');
        let inside_quotes = i % 2 == 0;
        if inside_quotes && part.chars().count() > 12 {
            out.push('…');
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_quoted_values_are_cut_from_parser_messages() {
        let m = super::redact_quoted(
            r#"invalid type: string "eyJhbGciOiJSUzI1NiJ9.x", expected u64 in "ab""#,
        );
        assert_eq!(m, r#"invalid type: string "…", expected u64 in "ab""#);
    }
}
