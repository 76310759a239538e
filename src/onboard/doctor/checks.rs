//! The checks that judge what is already known (the verdict, the application's key against
//! the stored one, the ACL, the times at the server's clock): no IO, so each is tested with
//! fixed inputs.

use crate::onboard::names::token_command;
use std::path::PathBuf;

use crate::auth::jwt::Signer;
use crate::auth::keys::PublicKey;
use crate::auth::ttl::format_duration;
use crate::auth::verify::{self, Expected, Inspection, SignatureCheck, Verdict};
use crate::clock::rfc3339;
use crate::error::{Error, ExitCode, verdict_exit};
use crate::ids::AppId;
use crate::vonage::CallError;

use super::acl::{self, Coverage};
use super::clock;
use super::report::{Check, CheckId};

/// The private key this home has for the token's application.
pub(super) struct StoredKey {
    pub(super) path: PathBuf,
    pub(super) signer: Result<Signer, String>,
}

impl StoredKey {
    pub(super) fn public(&self) -> Option<PublicKey> {
        self.signer.as_ref().ok().map(|s| s.key().public_key())
    }
}

/// Which key the verdict was asked with.
pub(super) enum KeyUsed {
    Api,
    Stored(PathBuf),
    None,
}

/// Check 1: the verifier's verdict, and which key it checked the signature with.
pub(super) fn token_check(inspection: &Inspection, used: &KeyUsed, user: Option<&str>) -> Check {
    let id = CheckId::Token;
    let verdict = &inspection.verdict;
    let mint = mint_command(user);
    if verdict.is_valid() {
        let with = match (&inspection.signature, used) {
            (SignatureCheck::Verified, KeyUsed::Api) => {
                "signature checked with the application's current key".to_owned()
            }
            (SignatureCheck::Verified, KeyUsed::Stored(path)) => format!(
                "signature checked with the stored key {} (the API's key could not be fetched)",
                path.display()
            ),
            _ => "signature not checked: no key of the application is known".to_owned(),
        };
        return Check::pass(id, format!("{}; {with}", verdict.describe()));
    }
    let fix = match verdict {
        Verdict::Expired { .. } => format!("mint a fresh one: {mint}"),
        Verdict::NotYetValid { .. } => format!(
            "its iat or nbf is in the future: check this machine's clock (see the server clock line), then mint a new one: {mint}"
        ),
        Verdict::TooLongLived { .. } => {
            format!("mint one that lives 24h at most: {mint}")
        }
        Verdict::Refused(_) => {
            format!("mint it as Vonage wants it (RS256, no crit header): {mint}")
        }
        Verdict::BadSignature(_) => {
            "mint a new token with the application's current key (see the application key line)"
                .to_owned()
        }
        Verdict::WrongApplication(_) => format!("mint a token for the application: {mint}"),
        Verdict::Malformed(_) => format!(
            "pass the whole token (three base64url parts separated by dots), e.g. from {mint}"
        ),
        Verdict::Valid { .. } => unreachable!("handled above"),
    };
    Check::fail(id, verdict_exit(verdict), verdict.describe(), fix)
}

/// The command that mints a token for `user` (or a placeholder).
pub(super) fn mint_command(user: Option<&str>) -> String {
    format!("`{}`", token_command(user.unwrap_or("USER"), ""))
}

/// The same with the Client SDK's ACL.
pub(super) fn sdk_mint_command(user: Option<&str>) -> String {
    format!(
        "`{}`",
        token_command(user.unwrap_or("USER"), "--acl client-sdk ")
    )
}

/// Check 2 when the application lookup failed.
pub(super) fn application_not_fetched(app: &AppId, e: CallError) -> Check {
    let id = CheckId::Application;
    if matches!(&e, CallError::Api(api) if api.status == 404) {
        return Check::fail(
            id,
            ExitCode::NotFound,
            format!("no application {app} in this account (the API answered 404)"),
            "mint the token for one of your applications (`vonage-onboard app list`); this one may have been deleted, or belong to another account",
        );
    }
    let auth_refused = matches!(&e, CallError::Api(api) if matches!(api.status, 401 | 403));
    let error = Error::from(e);
    let fix = auth_refused
        .then(|| "check the account's API key and secret: `vonage-onboard setup`".to_owned());
    Check::not_run(
        id,
        error.exit_code(),
        format!("could not look application {app} up: {error}"),
        fix,
    )
}

/// Check 2: the application's current key against the signature; when it fails, what
/// the stored key has to do with it.
#[allow(clippy::too_many_arguments)]
pub(super) fn key_check(
    token: &str,
    app: &AppId,
    name: &str,
    current: &PublicKey,
    verdict: &Inspection,
    stored: Option<&StoredKey>,
    user: Option<&str>,
    now: u64,
) -> Check {
    let id = CheckId::Application;
    match &verdict.signature {
        SignatureCheck::Verified => {
            return Check::pass(
                id,
                format!(
                    "application {name:?} ({app}) exists; its current public key verifies the signature"
                ),
            );
        }
        SignatureCheck::NotChecked(why) => {
            return Check::not_run(
                id,
                ExitCode::Failure,
                format!(
                    "application {name:?} ({app}) exists; the signature was not checked: {why}"
                ),
                None,
            );
        }
        SignatureCheck::Invalid(_) if !matches!(verdict.verdict, Verdict::BadSignature(_)) => {
            return Check::not_run(
                id,
                ExitCode::AuthRefused,
                format!(
                    "application {name:?} ({app}) exists; the signature was not checked: {}",
                    verdict.verdict.describe()
                ),
                None,
            );
        }
        SignatureCheck::Invalid(_) => {}
    }
    let result = format!(
        "application {name:?} ({app}) exists, but its current public key does not verify the signature"
    );
    let mint = mint_command(user);
    let fix = match stored {
        None => format!(
            "mint a new token with the application's current private key; no key of this application is stored here ({mint} needs one)"
        ),
        Some(StoredKey {
            path,
            signer: Err(why),
        }) => format!(
            "mint a new token with the current key; the stored key {} cannot be read ({why})",
            path.display()
        ),
        Some(stored) => {
            let public = stored.public();
            let path = stored.path.display();
            if public.as_ref().map(PublicKey::pkcs1_der) == Some(current.pkcs1_der()) {
                format!(
                    "mint a new token with the current key: {mint}; the stored key {path} is the current one, so this token was signed elsewhere"
                )
            } else {
                let signed_by_stored = public.as_ref().is_some_and(|key| {
                    let expected = Expected {
                        key: Some(key),
                        application_id: Some(app.as_str()),
                    };
                    verify::check(token, expected, now).signature == SignatureCheck::Verified
                });
                let how = if signed_by_stored {
                    "signed this token but is no longer the application's key (it changed on the API)"
                } else {
                    "is not the application's current key either"
                };
                format!(
                    "mint a new token with the current key; the stored key {path} {how}: put the application's current private key there (or point VONAGE_PRIVATE_KEY_PATH at it), then {mint}"
                )
            }
        }
    };
    Check::fail(id, ExitCode::AuthRefused, result, fix)
}

/// Check 4: the ACL against the Client SDK's path families.
pub(super) fn acl_check(verdict: &Inspection, user: Option<&str>) -> Check {
    let id = CheckId::Acl;
    let mint = sdk_mint_command(user);
    if user.is_none() {
        return Check::not_run(
            id,
            ExitCode::Failure,
            "an admin token has no ACL (it is not for the Client SDK)",
            None,
        );
    }
    let claim = verdict.claims.as_ref().and_then(|c| c.get("acl"));
    match acl::coverage(claim) {
        Coverage::Full { families } => Check::pass(
            id,
            format!("covers the {families} path families the Client SDK uses"),
        ),
        Coverage::NoAcl => Check::fail(
            id,
            ExitCode::Failure,
            "the token has no acl claim: a user token without one reaches nothing, not even the login",
            format!("mint it with the Client SDK's ACL: {mint}"),
        ),
        Coverage::Invalid(why) => Check::fail(
            id,
            ExitCode::Failure,
            format!("the acl claim is not a valid ACL: {why}"),
            format!("mint it with the Client SDK's ACL: {mint}"),
        ),
        Coverage::Missing(missing) => {
            let login = if missing.iter().any(|m| m == acl::SESSIONS) {
                " (without /*/sessions/** the login itself, createSession, is refused)"
            } else {
                ""
            };
            Check::fail(
                id,
                ExitCode::Failure,
                format!("missing {}{login}", missing.join(", ")),
                format!("mint it with the Client SDK's ACL: {mint}"),
            )
        }
    }
}

/// Check 5: the verifier's time rules at the server's clock; the signature is check 2's.
pub(super) fn clock_check(
    token: &str,
    app: &AppId,
    server: u64,
    skew: i64,
    user: Option<&str>,
) -> Check {
    let id = CheckId::Clock;
    let expected = Expected {
        key: None,
        application_id: Some(app.as_str()),
    };
    let verdict = verify::check(token, expected, server).verdict;
    let skew_text = clock::describe_skew(skew);
    let sync = "sync this machine's clock (e.g. `timedatectl set-ntp true`)";
    let mint = mint_command(user);
    match verdict {
        Verdict::Valid { expires_in } => Check::pass(
            id,
            format!(
                "valid for {} by the server's clock ({}); {skew_text}",
                format_duration(expires_in),
                rfc3339(server)
            ),
        ),
        Verdict::Expired { since, reason } => {
            let fix = if clock::is_notable(skew) && skew < 0 {
                format!("{sync}, then mint a fresh token: {mint}")
            } else {
                format!("mint a fresh token: {mint}")
            };
            Check::fail(
                id,
                ExitCode::Failure,
                format!(
                    "expired {} ago by the server's clock ({reason}); {skew_text}",
                    format_duration(since)
                ),
                fix,
            )
        }
        Verdict::NotYetValid { starts_in, reason } => {
            let fix = if clock::is_notable(skew) && skew > 0 {
                format!("{sync}, then mint a new token: {mint}")
            } else {
                format!("mint a token whose iat and nbf are not in the future: {mint}")
            };
            Check::fail(
                id,
                ExitCode::Failure,
                format!(
                    "not valid yet by the server's clock ({reason}, starts in {}); {skew_text}",
                    format_duration(starts_in)
                ),
                fix,
            )
        }
        other => Check::not_run(
            id,
            verdict_exit(&other),
            format!(
                "not judged: {} (see the token line); {skew_text}",
                other.describe()
            ),
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::report::Status;
    use super::*;

    use crate::auth::fixtures::{APP, KEY, OTHER, app_id as app, claims, signer};

    fn token(iat: u64, exp: u64) -> String {
        signed_by(KEY, iat, exp)
    }

    fn signed_by(pem: &str, iat: u64, exp: u64) -> String {
        signer(pem).sign(&claims(iat, exp)).expose().to_owned()
    }

    #[test]
    fn the_clock_check_judges_exp_at_the_servers_time_and_reports_the_skew() {
        let t = token(1_000, 1_000 + 3_600);
        // Our clock says it is valid for 100 s more; the server's is 200 s ahead: expired.
        let local = 4_500;
        let server = 4_700;
        let c = clock_check(
            &t,
            &app(),
            server,
            clock::skew(local, server),
            Some("alice"),
        );
        assert_eq!(c.status, Status::Fail, "{c:?}");
        assert!(c.result.contains("expired 1m 40s ago"), "{}", c.result);
        assert!(c.result.contains("skew -200 s"), "{}", c.result);
        assert!(c.result.contains("200 s behind"), "{}", c.result);
        assert!(
            c.fix
                .as_deref()
                .unwrap()
                .contains("sync this machine's clock")
        );

        // In step: valid, with the time left by the server's clock.
        let c = clock_check(&t, &app(), 1_600, clock::skew(1_601, 1_600), Some("alice"));
        assert_eq!(c.status, Status::Pass, "{c:?}");
        assert!(c.result.contains("valid for 50m"), "{}", c.result);
        assert!(c.result.contains("skew +1 s"), "{}", c.result);
    }

    #[test]
    fn a_clock_ahead_of_the_server_makes_a_fresh_token_not_yet_valid_there() {
        // Minted here at 10 000, but the server says 9 000: iat is 1000 s in its future.
        let t = token(10_000, 13_600);
        let c = clock_check(&t, &app(), 9_000, clock::skew(10_000, 9_000), Some("alice"));
        assert_eq!(c.status, Status::Fail, "{c:?}");
        assert!(c.result.contains("not valid yet"), "{}", c.result);
        assert!(c.result.contains("1000 s ahead"), "{}", c.result);
        assert!(
            c.fix
                .as_deref()
                .unwrap()
                .contains("sync this machine's clock")
        );
    }

    /// The key line for a token signed with `signing`, the API's key being `current` and
    /// the home's `stored` (a PEM, or none).
    fn key_line(signing: &str, current: &str, stored: Option<&str>) -> Check {
        let t = signed_by(signing, 1_000, 2_000);
        let current = signer(current).key().public_key();
        let expected = Expected {
            key: Some(&current),
            application_id: Some(APP),
        };
        let verdict = verify::check(&t, expected, 1_500);
        let stored = stored.map(|pem| StoredKey {
            path: PathBuf::from("/home/k.pem"),
            signer: Ok(signer(pem)),
        });
        key_check(
            &t,
            &app(),
            "demo",
            &current,
            &verdict,
            stored.as_ref(),
            Some("alice"),
            1_500,
        )
    }

    #[test]
    fn the_key_line_says_what_the_stored_key_has_to_do_with_a_bad_signature() {
        let ok = key_line(KEY, KEY, Some(KEY));
        assert_eq!(ok.status, Status::Pass, "{ok:?}");

        // Signed with the stored key, which the application no longer has.
        let stale = key_line(KEY, OTHER, Some(KEY));
        assert_eq!(
            (stale.status, stale.exit),
            (Status::Fail, ExitCode::AuthRefused)
        );
        let fix = stale.fix.unwrap();
        assert!(
            fix.contains("/home/k.pem signed this token but is no longer"),
            "{fix}"
        );

        // The stored key is the current one: the token came from somewhere else.
        let elsewhere = key_line(OTHER, KEY, Some(KEY)).fix.unwrap();
        assert!(
            elsewhere.contains("is the current one, so this token was signed elsewhere"),
            "{elsewhere}"
        );

        // Neither key signed it.
        let neither = key_line(OTHER, KEY, None).fix.unwrap();
        assert!(
            neither.contains("no key of this application is stored here"),
            "{neither}"
        );
    }
}
