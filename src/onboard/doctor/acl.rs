//! Which Client SDK path families a token's ACL leaves out, judged by `Acl::allows` (the
//! matcher the sandbox uses) against the `client-sdk` preset, the reference list.

use serde_json::Value;

use crate::auth::acl::{Acl, Preset};

/// The family without which `createSession` itself is refused.
pub const SESSIONS: &str = "/*/sessions/**";

/// The methods the Client SDK sends; a family counts as covered only if all of them reach it.
const SDK_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// What a token's `acl` claim comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Every family of the reference list is reachable with every method.
    Full { families: usize },
    /// These families (patterns of the reference list) are not, or only for some methods.
    Missing(Vec<String>),
    /// No `acl` claim: a user token without one reaches nothing.
    NoAcl,
    /// An `acl` claim that is not an ACL (the reason).
    Invalid(String),
}

/// Judges the `acl` claim (`None` when the token has none).
pub fn coverage(claim: Option<&Value>) -> Coverage {
    let acl = match claim {
        None | Some(Value::Null) => return Coverage::NoAcl,
        Some(value) => match Acl::try_from(value.clone()) {
            Ok(acl) => acl,
            Err(e) => return Coverage::Invalid(e.to_string()),
        },
    };
    let reference = reference_families();
    let missing: Vec<String> = reference
        .iter()
        .filter(|family| !covers(&acl, family))
        .cloned()
        .collect();
    if missing.is_empty() {
        Coverage::Full {
            families: reference.len(),
        }
    } else {
        Coverage::Missing(missing)
    }
}

/// The path patterns of the `client-sdk` preset, sessions first (the one login needs).
fn reference_families() -> Vec<String> {
    let preset = Preset::ClientSdk.acl();
    let mut families: Vec<String> = preset.as_value()["paths"]
        .as_object()
        .map(|paths| paths.keys().cloned().collect())
        .unwrap_or_default();
    families.sort_by_key(|f| f != SESSIONS);
    families
}

/// Whether `acl` reaches every path of `family` the SDK calls: each `*` stands for one
/// version segment, each `**` for nothing and for a deeper path, with every SDK method.
fn covers(acl: &Acl, family: &str) -> bool {
    samples(family)
        .iter()
        .all(|path| SDK_METHODS.iter().all(|method| acl.allows(method, path)))
}

fn samples(family: &str) -> Vec<String> {
    let build = |deep: &str| -> String {
        let parts: Vec<&str> = family
            .trim_start_matches('/')
            .split('/')
            .filter_map(|segment| match segment {
                "*" => Some("v1"),
                "**" => (!deep.is_empty()).then_some(deep),
                other => Some(other),
            })
            .collect();
        format!("/{}", parts.join("/"))
    };
    vec![build(""), build("ID-1/events")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_presets_cover_what_they_list() {
        let full = |preset: Preset| coverage(Some(preset.acl().as_value()));
        assert_eq!(full(Preset::ClientSdk), Coverage::Full { families: 10 });
        assert_eq!(full(Preset::All), Coverage::Full { families: 10 });
        let Coverage::Missing(missing) = full(Preset::ClientSdkMinimal) else {
            panic!("the minimal preset lacks three families");
        };
        assert_eq!(
            missing,
            vec!["/*/applications/**", "/*/image/**", "/*/media/**"]
        );
    }

    #[test]
    fn a_missing_sessions_family_comes_first_and_partial_methods_do_not_count() {
        let acl = json!({"paths": {
            "/*/users/**": {}, "/*/conversations/**": {"methods": ["GET"]},
        }});
        let Coverage::Missing(missing) = coverage(Some(&acl)) else {
            panic!()
        };
        assert_eq!(missing[0], SESSIONS);
        assert!(missing.contains(&"/*/conversations/**".to_owned()));
        assert!(!missing.contains(&"/*/users/**".to_owned()));
        // A narrower pattern covers only part of the family.
        let narrow = json!({"paths": {"/v1/sessions": {}}});
        let Coverage::Missing(missing) = coverage(Some(&narrow)) else {
            panic!()
        };
        assert!(missing.contains(&SESSIONS.to_owned()));
    }

    #[test]
    fn no_acl_and_a_broken_acl_are_named() {
        assert_eq!(coverage(None), Coverage::NoAcl);
        assert_eq!(coverage(Some(&Value::Null)), Coverage::NoAcl);
        assert!(matches!(
            coverage(Some(&json!({"paths": []}))),
            Coverage::Invalid(why) if why.contains("/paths")
        ));
    }
}
