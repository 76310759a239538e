//! ACLs of user tokens: the presets in `assets/acl/`, custom JSON checked against the ACL
//! shape (with the position of any error), and path matching (`*` one segment, `**` any depth).

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The built-in ACLs, embedded from `assets/acl/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// The 10-path Client SDK list (the default).
    ClientSdk,
    /// The 7-path list of the 2025 Vonage tutorials.
    ClientSdkMinimal,
    /// Everything: `/**`.
    All,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::ClientSdk, Preset::ClientSdkMinimal, Preset::All];

    pub fn name(self) -> &'static str {
        match self {
            Preset::ClientSdk => "client-sdk",
            Preset::ClientSdkMinimal => "client-sdk-minimal",
            Preset::All => "all",
        }
    }

    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    fn json(self) -> &'static str {
        match self {
            Preset::ClientSdk => include_str!("../../assets/acl/client-sdk.json"),
            Preset::ClientSdkMinimal => include_str!("../../assets/acl/client-sdk-minimal.json"),
            Preset::All => include_str!("../../assets/acl/all.json"),
        }
    }

    pub fn acl(self) -> Acl {
        Acl::from_json(self.json()).expect("the embedded ACL presets are valid (tested)")
    }
}

/// What a token recipe remembers: a preset by name, or a custom ACL.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AclChoice {
    Preset(Preset),
    Custom(Acl),
}

impl Default for AclChoice {
    fn default() -> Self {
        AclChoice::Preset(Preset::ClientSdk)
    }
}

/// The largest ACL file read; a token carrying more would be refused by any server anyway.
const MAX_ACL_FILE: usize = 64 * 1024;

impl AclChoice {
    /// Reads `--acl`: a preset name, `@FILE`, or inline JSON.
    pub fn parse_arg(arg: &str) -> Result<Self> {
        if let Some(preset) = Preset::from_name(arg.trim()) {
            return Ok(AclChoice::Preset(preset));
        }
        if let Some(file) = arg.strip_prefix('@') {
            let path = Path::new(file);
            let bytes = crate::bounded::read_file(path, MAX_ACL_FILE)
                .map_err(|e| e.for_file(path, "an ACL file"))?;
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| Error::file(path, "is not UTF-8 text, so not an ACL file"))?;
            return Acl::from_json(text)
                .map(AclChoice::Custom)
                .map_err(|e| Error::file(path, format!("is not a valid ACL: {e}")));
        }
        if arg.trim_start().starts_with('{') {
            return Acl::from_json(arg)
                .map(AclChoice::Custom)
                .map_err(|e| Error::usage(format!("--acl is not a valid ACL: {e}")));
        }
        let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
        Err(Error::usage(format!(
            "--acl {arg:?} is not a preset ({}), an @FILE or a JSON object",
            names.join(", ")
        )))
    }

    pub fn acl(&self) -> Acl {
        match self {
            AclChoice::Preset(p) => p.acl(),
            AclChoice::Custom(acl) => acl.clone(),
        }
    }

    /// A short label for lists: the preset name, or "custom".
    pub fn label(&self) -> &str {
        match self {
            AclChoice::Preset(p) => p.name(),
            AclChoice::Custom(_) => "custom",
        }
    }
}

/// A validated ACL: `{"paths": {"/pattern": {"methods"?: [...], "filters"?: {...}}}}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub struct Acl(Value);

/// An ACL that does not fit the shape, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at {position})")]
pub struct AclError {
    /// `line L, column C` for JSON syntax, a JSON pointer such as `/paths/~1v1/methods` for shape.
    pub position: String,
    pub message: String,
}

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

impl Acl {
    pub fn from_json(text: &str) -> Result<Self, AclError> {
        let value: Value = serde_json::from_str(text).map_err(|e| AclError {
            position: format!("line {}, column {}", e.line(), e.column()),
            message: format!("JSON syntax: {}", strip_position(&e.to_string())),
        })?;
        Acl::try_from(value)
    }

    pub fn as_value(&self) -> &Value {
        &self.0
    }

    /// Whether this ACL lets a token reach `path` with `method`.
    pub fn allows(&self, method: &str, path: &str) -> bool {
        let Some(paths) = self.0.get("paths").and_then(Value::as_object) else {
            return false;
        };
        let path = path.split('?').next().unwrap_or_default();
        paths.iter().any(|(pattern, rule)| {
            glob_matches(pattern, path)
                && rule
                    .get("methods")
                    .and_then(Value::as_array)
                    .is_none_or(|allowed| {
                        allowed
                            .iter()
                            .any(|m| m.as_str().is_some_and(|m| m.eq_ignore_ascii_case(method)))
                    })
        })
    }
}

impl TryFrom<Value> for Acl {
    type Error = AclError;

    fn try_from(value: Value) -> Result<Self, AclError> {
        check_shape(&value)?;
        Ok(Acl(value))
    }
}

impl From<Acl> for Value {
    fn from(acl: Acl) -> Value {
        acl.0
    }
}

fn check_shape(value: &Value) -> Result<(), AclError> {
    let err = |pointer: String, message: &str| AclError {
        position: if pointer.is_empty() {
            "/".into()
        } else {
            pointer
        },
        message: message.to_owned(),
    };
    let top = value.as_object().ok_or_else(|| {
        err(
            String::new(),
            "an ACL must be a JSON object with a \"paths\" object",
        )
    })?;
    if let Some(key) = top.keys().find(|k| *k != "paths") {
        return Err(err(
            pointer(&[key]),
            "unknown key; an ACL has only \"paths\"",
        ));
    }
    let paths = top
        .get("paths")
        .ok_or_else(|| err(String::new(), "missing \"paths\""))?
        .as_object()
        .ok_or_else(|| err("/paths".into(), "\"paths\" must be an object"))?;
    if paths.is_empty() {
        return Err(err(
            "/paths".into(),
            "\"paths\" is empty: the token could reach nothing",
        ));
    }
    for (path, rule) in paths {
        let at = |more: &[&str]| pointer(&[&["paths", path.as_str()], more].concat());
        if !path.starts_with('/') {
            return Err(err(at(&[]), "a path must start with '/'"));
        }
        let rule: &Map<String, Value> = rule
            .as_object()
            .ok_or_else(|| err(at(&[]), "a path's rule must be an object, e.g. {}"))?;
        for (key, field) in rule {
            match key.as_str() {
                "methods" => check_methods(field).map_err(|(i, m)| {
                    let index = i.map(|i| i.to_string());
                    let mut parts = vec!["methods"];
                    parts.extend(index.as_deref());
                    err(at(&parts), m)
                })?,
                "filters" if field.is_object() => {}
                "filters" => return Err(err(at(&["filters"]), "\"filters\" must be an object")),
                _ => {
                    return Err(err(
                        at(&[key]),
                        "unknown key; a rule has only \"methods\" and \"filters\"",
                    ));
                }
            }
        }
    }
    Ok(())
}

fn check_methods(field: &Value) -> Result<(), (Option<usize>, &'static str)> {
    let list = field
        .as_array()
        .ok_or((None, "\"methods\" must be an array of HTTP methods"))?;
    for (i, m) in list.iter().enumerate() {
        match m.as_str() {
            Some(m) if METHODS.contains(&m.to_ascii_uppercase().as_str()) => {}
            _ => {
                return Err((
                    Some(i),
                    "not an HTTP method (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)",
                ));
            }
        }
    }
    Ok(())
}

/// A JSON pointer (RFC 6901) from its unescaped parts.
fn pointer(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// serde_json appends " at line L column C"; we report the position separately.
fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// `*` matches exactly one segment, `**` any number of segments (including none).
///
/// Dynamic programming over (pattern segment, path segment), so a token whose ACL is full
/// of `**` costs O(pattern × path), not the exponential time of backtracking.
fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // reach[j]: the pattern so far matches the first j path segments.
    let mut reach = vec![false; path.len() + 1];
    reach[0] = true;
    for segment in pattern {
        let mut next = vec![false; path.len() + 1];
        if segment == "**" {
            let mut seen = false;
            for (j, slot) in next.iter_mut().enumerate() {
                seen |= reach[j];
                *slot = seen;
            }
        } else {
            for (j, part) in path.iter().enumerate() {
                next[j + 1] = reach[j] && (segment == "*" || segment == *part);
            }
        }
        reach = next;
    }
    reach[path.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid_and_have_the_documented_paths() {
        assert_eq!(paths_of(Preset::ClientSdk).len(), 10);
        assert_eq!(paths_of(Preset::ClientSdkMinimal).len(), 7);
        assert_eq!(paths_of(Preset::All), vec!["/**".to_owned()]);
    }

    fn paths_of(preset: Preset) -> Vec<String> {
        preset.acl().as_value()["paths"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn shape_errors_say_where() {
        let cases = [
            ("[]", "/"),
            (r#"{"path": {}}"#, "/path"),
            (r#"{"paths": []}"#, "/paths"),
            (r#"{"paths": {}}"#, "/paths"),
            (r#"{"paths": {"v1/users": {}}}"#, "/paths/v1~1users"),
            (r#"{"paths": {"/v1": []}}"#, "/paths/~1v1"),
            (
                r#"{"paths": {"/v1": {"methods": "GET"}}}"#,
                "/paths/~1v1/methods",
            ),
            (
                r#"{"paths": {"/v1": {"methods": ["GET", "FETCH"]}}}"#,
                "/paths/~1v1/methods/1",
            ),
            (
                r#"{"paths": {"/v1": {"filters": 3}}}"#,
                "/paths/~1v1/filters",
            ),
            (r#"{"paths": {"/v1": {"verbs": []}}}"#, "/paths/~1v1/verbs"),
        ];
        for (json, position) in cases {
            let err = Acl::from_json(json).unwrap_err();
            assert_eq!(err.position, position, "{json}: {err}");
        }
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let err = Acl::from_json("{\n  \"paths\": {,}\n}").unwrap_err();
        assert_eq!(err.position, "line 2, column 13");
        assert!(err.message.starts_with("JSON syntax"));
    }

    #[test]
    fn a_full_rule_is_accepted() {
        let acl = Acl::from_json(
            r#"{"paths": {"/*/users/**": {"methods": ["GET", "post"], "filters": {"x": 1}}}}"#,
        )
        .unwrap();
        assert!(acl.allows("GET", "/v1/users"));
        assert!(acl.allows("POST", "/v1/users/USR-1"));
        assert!(!acl.allows("DELETE", "/v1/users/USR-1"));
    }

    #[test]
    fn many_double_stars_do_not_explode() {
        let pattern = format!("/{}x", "**/".repeat(40));
        let acl = Acl::from_json(&format!(r#"{{"paths": {{"{pattern}": {{}}}}}}"#)).unwrap();
        let long_path = format!("/{}", vec!["a"; 200].join("/"));
        // With backtracking these two calls did not finish; with the table they are instant.
        assert!(!acl.allows("GET", &long_path));
        assert!(acl.allows("GET", &format!("{long_path}/x")));
    }

    #[test]
    fn globs() {
        let acl = Preset::ClientSdkMinimal.acl();
        assert!(acl.allows("GET", "/v1/users"));
        assert!(acl.allows("GET", "/v0.3/users/USR-1/conversations?page_size=1"));
        assert!(!acl.allows("GET", "/v2/applications"));
        assert!(!acl.allows("GET", "/users"));
        assert!(Preset::All.acl().allows("DELETE", "/v2/applications/x"));
    }

    #[test]
    fn arguments() {
        assert_eq!(
            AclChoice::parse_arg("all").unwrap(),
            AclChoice::Preset(Preset::All)
        );
        assert!(matches!(
            AclChoice::parse_arg(r#"{"paths":{"/**":{}}}"#).unwrap(),
            AclChoice::Custom(_)
        ));
        assert!(AclChoice::parse_arg("everything").is_err());
        assert!(AclChoice::parse_arg("@/nonexistent/acl.json").is_err());
    }
}
