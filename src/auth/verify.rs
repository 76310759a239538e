//! The one verifier (SPEC §4.5): how Vonage judges a token, used by the sandbox's Bearer
//! check, `token inspect`, `token doctor` and the wizard, so they never disagree.
//!
//! Parsing, the header checks and the signature are jsonwebtoken's (`decode` with a
//! `Validation` for RS256 only; `dangerous::insecure_decode` to show a token that fails).
//! jsonwebtoken's own time checks are off because they read the system clock; the time
//! rules below take `now` as an argument so the wizard's `update` stays pure and tests can
//! set the clock. The rules, in the order they are applied:
//!
//! 1. a JWT at all (three base64url parts, JSON header and claims object) — else malformed;
//! 2. `alg` is RS256 (none, HS*, RS384/512, PS*, ES* refused) and no `crit` header
//!    (Vonage understands no JWT extension; RFC 7515 §4.1.11 says refuse);
//! 3. `application_id` present and naming the application being checked;
//! 4. the signature verifies with that application's public key;
//! 5. `iat`, `exp`, `nbf` are integers, `iat` present, `sub` (if any) a string;
//! 6. `iat` and `nbf` not later than now + `CLOCK_LEEWAY`;
//! 7. no `exp` means 15 min after `iat`; `exp` − `iat` over 24 h is refused (Vonage never
//!    honours a token past `iat` + 24 h: one that claims more is a bug, not a valid token);
//! 8. `exp` not passed.

use jsonwebtoken::errors::{Error as JwtError, ErrorKind};
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde_json::Value;

use super::keys::PublicKey;
use super::provider;
use super::ttl::{MAX_SECONDS, NO_EXP_LIFETIME, format_duration};

/// How far ahead of our clock `iat`/`nbf` may be: token generators back-date by ~30 s and
/// clocks drift, but a token minted for tomorrow is not valid today.
pub const CLOCK_LEEWAY: u64 = 30;

/// What a token is, from the point of view of Vonage at time `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid {
        expires_in: u64,
    },
    Expired {
        since: u64,
        reason: &'static str,
    },
    NotYetValid {
        starts_in: u64,
        reason: &'static str,
    },
    /// `exp` − `iat` over 24 h.
    TooLongLived {
        lifetime: u64,
    },
    /// The header asks for something Vonage refuses (an algorithm other than RS256, `crit`).
    Refused(String),
    BadSignature(String),
    WrongApplication(String),
    Malformed(String),
}

/// Whether the signature was checked, and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    Verified,
    Invalid(String),
    NotChecked(String),
}

/// What the token is checked against. Without a key the signature is not checked and the
/// verdict judges the rest; without an application id any `application_id` will do.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expected<'a> {
    pub key: Option<&'a PublicKey>,
    pub application_id: Option<&'a str>,
}

/// Everything the verifier found: the header and claims for showing (untrusted unless the
/// signature is `Verified`), the signature check and the verdict.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub header: Option<Value>,
    pub claims: Option<Value>,
    pub signature: SignatureCheck,
    pub verdict: Verdict,
}

impl Inspection {
    /// The `sub` claim, when the token has a string one (a user token).
    pub fn subject(&self) -> Option<&str> {
        self.claims.as_ref()?.get("sub")?.as_str()
    }

    /// The `application_id` claim, when it is a string.
    pub fn application_id(&self) -> Option<&str> {
        self.claims.as_ref()?.get("application_id")?.as_str()
    }
}

impl Verdict {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Verdict::Valid { expires_in } => format!("valid for {}", format_duration(*expires_in)),
            Verdict::Expired { since, reason } => {
                format!("EXPIRED {} ago ({reason})", format_duration(*since))
            }
            Verdict::NotYetValid { starts_in, reason } => format!(
                "not yet valid: starts in {} ({reason})",
                format_duration(*starts_in)
            ),
            Verdict::TooLongLived { lifetime } => format!(
                "refused: exp − iat is {}; Vonage never honours a token more than 24h after iat",
                format_duration(*lifetime)
            ),
            Verdict::Refused(why) => format!("refused: {why}"),
            Verdict::BadSignature(why) => format!("bad signature: {why}"),
            Verdict::WrongApplication(why) => format!("wrong application: {why}"),
            Verdict::Malformed(why) => format!("malformed: {why}"),
        }
    }

    /// A stable word for machine output.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Valid { .. } => "valid",
            Verdict::Expired { .. } => "expired",
            Verdict::NotYetValid { .. } => "not_yet_valid",
            Verdict::TooLongLived { .. } => "too_long_lived",
            Verdict::Refused(_) => "refused",
            Verdict::BadSignature(_) => "bad_signature",
            Verdict::WrongApplication(_) => "wrong_application",
            Verdict::Malformed(_) => "malformed",
        }
    }

    pub fn is_valid(&self) -> bool {
        matches!(self, Verdict::Valid { .. })
    }
}

/// Judges `text` as Vonage would at Unix time `now`.
pub fn check(text: &str, expected: Expected<'_>, now: u64) -> Inspection {
    provider::install();
    let text = text.trim();
    let (header, claims) = match open(text) {
        Ok(opened) => opened,
        Err(verdict) => {
            // A header jsonwebtoken cannot read (alg none, say) still has claims to show.
            let claims = jsonwebtoken::dangerous::insecure_decode_claims::<Value>(text)
                .ok()
                .filter(Value::is_object);
            let signature = match &verdict {
                Verdict::Refused(why) => SignatureCheck::Invalid(why.clone()),
                _ => SignatureCheck::NotChecked("not a JWT".into()),
            };
            return Inspection {
                header: None,
                claims,
                signature,
                verdict,
            };
        }
    };
    let shown_header = serde_json::to_value(&header).ok();
    let finish = |signature, verdict| Inspection {
        header: shown_header.clone(),
        claims: Some(claims.clone()),
        signature,
        verdict,
    };
    if let Err(why) = header_rules(&header) {
        return finish(SignatureCheck::Invalid(why.clone()), Verdict::Refused(why));
    }
    if let Err(why) = application_rule(&claims, expected.application_id) {
        let signature = SignatureCheck::NotChecked("the token is for another application".into());
        return finish(signature, Verdict::WrongApplication(why));
    }
    let signature = match expected.key {
        None => SignatureCheck::NotChecked(
            "no application key known: set VONAGE_PRIVATE_KEY_PATH or make an application current"
                .into(),
        ),
        Some(key) => match verify_signature(text, key) {
            Ok(()) => SignatureCheck::Verified,
            Err(Verdict::BadSignature(why)) => {
                return finish(
                    SignatureCheck::Invalid(why.clone()),
                    Verdict::BadSignature(why),
                );
            }
            Err(other) => return finish(SignatureCheck::NotChecked("unreadable".into()), other),
        },
    };
    // Times are judged only after the signature, so a forged token learns nothing more.
    let verdict = match times(&claims) {
        Ok(times) => times.verdict(now),
        Err(why) => Verdict::Malformed(why),
    };
    finish(signature, verdict)
}

/// Decodes without trusting: the header (as jsonwebtoken reads it) and the claims object.
fn open(text: &str) -> Result<(Header, Value), Verdict> {
    if text.is_empty() {
        return Err(Verdict::Malformed("the token is empty".into()));
    }
    let header = jsonwebtoken::decode_header(text).map_err(|e| header_error(&e))?;
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(text)
        .map_err(|e| part_error("claims", &e))?
        .claims;
    if !claims.is_object() {
        return Err(Verdict::Malformed(
            "the claims are not a JSON object".into(),
        ));
    }
    Ok((header, claims))
}

fn header_error(e: &JwtError) -> Verdict {
    if let ErrorKind::Json(json) = e.kind() {
        let message = json.to_string();
        // jsonwebtoken's Algorithm enum has no `none` (or any name it cannot verify), so
        // such a header fails to parse: that is an algorithm refusal, not garbage.
        if let Some(alg) = message
            .strip_prefix("unknown variant `")
            .and_then(|rest| rest.split('`').next())
        {
            return Verdict::Refused(format!("alg is {alg:?}; Vonage accepts only RS256"));
        }
        if message.starts_with("missing field `alg`") {
            return Verdict::Refused("the header has no alg; Vonage accepts only RS256".into());
        }
    }
    part_error("header", e)
}

fn part_error(part: &str, e: &JwtError) -> Verdict {
    Verdict::Malformed(match e.kind() {
        ErrorKind::InvalidToken => {
            "not a JWT: a JWT is three base64url parts separated by '.'".to_owned()
        }
        ErrorKind::Base64(_) => format!("the {part} is not base64url"),
        ErrorKind::Utf8(_) | ErrorKind::Json(_) => format!("the {part} is not JSON"),
        other => format!("the {part} cannot be read ({other:?})"),
    })
}

fn header_rules(header: &Header) -> Result<(), String> {
    if header.alg != Algorithm::RS256 {
        return Err(format!(
            "alg is {:?}; Vonage accepts only RS256",
            header.alg
        ));
    }
    if let Some(crit) = &header.crit {
        return Err(format!(
            "the header marks {crit:?} as critical; Vonage understands no JWT extension"
        ));
    }
    Ok(())
}

fn application_rule(claims: &Value, expected: Option<&str>) -> Result<(), String> {
    match (claims.get("application_id"), expected) {
        (None | Some(Value::Null), _) => Err("the token has no application_id claim".into()),
        (Some(Value::String(id)), Some(expected)) if id != expected => {
            Err(format!("the token is for application {id}, not {expected}"))
        }
        (Some(Value::String(_)), _) => Ok(()),
        (Some(_), _) => Err("application_id is not a string".into()),
    }
}

fn verify_signature(text: &str, key: &PublicKey) -> Result<(), Verdict> {
    let mut validation = Validation::new(Algorithm::RS256);
    // Times are ours (they need the caller's clock); aud is not a Vonage claim.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let decoding = DecodingKey::from_rsa_der(key.pkcs1_der());
    match jsonwebtoken::decode::<serde::de::IgnoredAny>(text, &decoding, &validation) {
        Ok(_) => Ok(()),
        Err(e) => Err(match e.kind() {
            ErrorKind::InvalidSignature => {
                Verdict::BadSignature("it was not signed by this application's key".into())
            }
            ErrorKind::Base64(_) => Verdict::Malformed("the signature is not base64url".into()),
            _ => part_error("token", &e),
        }),
    }
}

struct Times {
    iat: u64,
    exp: Option<u64>,
    nbf: Option<u64>,
}

fn times(claims: &Value) -> Result<Times, String> {
    let int = |name: &str| -> Result<Option<u64>, String> {
        match claims.get(name) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                format!("claim {name:?} must be a whole number of seconds, it is {v}")
            }),
        }
    };
    if claims
        .get("sub")
        .is_some_and(|sub| !sub.is_string() && !sub.is_null())
    {
        return Err("claim \"sub\" must be the user's name, a string".into());
    }
    let (iat, exp, nbf) = (int("iat")?, int("exp")?, int("nbf")?);
    let iat = iat.ok_or_else(|| match exp {
        None => "the token has neither iat nor exp; Vonage refuses it".to_owned(),
        Some(_) => "the token has no iat claim; Vonage needs the issue time".to_owned(),
    })?;
    Ok(Times { iat, exp, nbf })
}

impl Times {
    fn verdict(&self, now: u64) -> Verdict {
        let latest_start = now.saturating_add(CLOCK_LEEWAY);
        if self.iat > latest_start {
            return Verdict::NotYetValid {
                starts_in: self.iat - now,
                reason: "iat is in the future",
            };
        }
        if let Some(nbf) = self.nbf.filter(|nbf| *nbf > latest_start) {
            return Verdict::NotYetValid {
                starts_in: nbf - now,
                reason: "nbf is in the future",
            };
        }
        let (end, reason) = match self.exp {
            Some(exp) => (exp, "exp has passed"),
            None => (
                self.iat.saturating_add(NO_EXP_LIFETIME),
                "no exp: Vonage allows 15 min after iat",
            ),
        };
        let lifetime = end.saturating_sub(self.iat);
        if lifetime > MAX_SECONDS {
            return Verdict::TooLongLived { lifetime };
        }
        if now >= end {
            Verdict::Expired {
                since: now - end,
                reason,
            }
        } else {
            Verdict::Valid {
                expires_in: end - now,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::fixtures::{APP, KEY, OTHER, claims, signer};

    fn at(token: &str, key: &PublicKey, now: u64) -> Verdict {
        let expected = Expected {
            key: Some(key),
            application_id: Some(APP),
        };
        check(token, expected, now).verdict
    }

    #[test]
    fn classifies_valid_expired_and_not_yet_valid() {
        let s = signer(KEY);
        let key = s.key().public_key();
        let token = s.sign(&claims(1000, 1000 + 3600));
        assert_eq!(
            at(token.expose(), &key, 1000),
            Verdict::Valid { expires_in: 3600 }
        );
        assert!(matches!(
            at(token.expose(), &key, 4600),
            Verdict::Expired { since: 0, .. }
        ));
        assert!(matches!(
            at(token.expose(), &key, 4700),
            Verdict::Expired { since: 100, .. }
        ));

        let mut c = claims(1000, 2000);
        c.nbf = Some(1500);
        let early = s.sign(&c);
        assert_eq!(
            at(early.expose(), &key, 1200),
            Verdict::NotYetValid {
                starts_in: 300,
                reason: "nbf is in the future"
            }
        );
        // Within the leeway, a future nbf or iat is accepted.
        assert!(at(early.expose(), &key, 1500 - CLOCK_LEEWAY).is_valid());
        let soon = s.sign(&claims(1000 + CLOCK_LEEWAY, 5000));
        assert!(at(soon.expose(), &key, 1000).is_valid());
        let later = s.sign(&claims(1000 + CLOCK_LEEWAY + 1, 5000));
        assert!(matches!(
            at(later.expose(), &key, 1000),
            Verdict::NotYetValid { .. }
        ));
    }

    #[test]
    fn a_lifetime_over_24h_is_refused_not_valid() {
        let s = signer(KEY);
        let key = s.key().public_key();
        let exact = s.sign(&claims(0, MAX_SECONDS));
        assert!(at(exact.expose(), &key, 10).is_valid());
        let over = s.sign(&claims(0, MAX_SECONDS + 120));
        assert_eq!(
            at(over.expose(), &key, 10),
            Verdict::TooLongLived {
                lifetime: MAX_SECONDS + 120
            }
        );
    }

    #[test]
    fn another_key_is_a_bad_signature() {
        let token = signer(OTHER).sign(&claims(0, 100));
        let key = signer(KEY).key().public_key();
        let i = check(
            token.expose(),
            Expected {
                key: Some(&key),
                application_id: Some(APP),
            },
            10,
        );
        assert!(matches!(i.verdict, Verdict::BadSignature(_)));
        assert!(matches!(i.signature, SignatureCheck::Invalid(_)));
    }

    #[test]
    fn the_application_must_be_named_and_be_the_one_checked() {
        let s = signer(KEY);
        let key = s.key().public_key();
        let mut c = claims(0, 100);
        c.application_id = "11111111-2222-3333-4444-555555555555".into();
        let other_app = s.sign(&c);
        assert!(matches!(
            at(other_app.expose(), &key, 10),
            Verdict::WrongApplication(_)
        ));
        // Without an expected application, any id passes this rule.
        let i = check(
            other_app.expose(),
            Expected {
                key: Some(&key),
                application_id: None,
            },
            10,
        );
        assert!(i.verdict.is_valid(), "{:?}", i.verdict);
    }

    #[test]
    fn unsigned_and_hs256_tokens_are_refused() {
        // {"alg":"none"} . {"iat":1} . (empty)
        let none = "eyJhbGciOiJub25lIn0.eyJpYXQiOjF9.";
        let v = check(none, Expected::default(), 5).verdict;
        assert_eq!(
            v,
            Verdict::Refused("alg is \"none\"; Vonage accepts only RS256".into())
        );
        // {"alg":"HS256","typ":"JWT"} . {"iat":1}
        let hs = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjF9.c2ln";
        assert!(matches!(
            check(hs, Expected::default(), 5).verdict,
            Verdict::Refused(_)
        ));
        // {} . {} . (empty): no alg is an algorithm refusal too.
        assert!(matches!(
            check("e30.e30.", Expected::default(), 5).verdict,
            Verdict::Refused(_)
        ));
    }

    #[test]
    fn string_times_and_missing_times_are_malformed() {
        // {"alg":"RS256"} . {"application_id":"…","iat":"1"}
        let s = signer(KEY);
        let text = jsonwebtoken::encode(
            &Header::new(Algorithm::RS256),
            &serde_json::json!({"application_id": APP, "iat": "1"}),
            &jsonwebtoken::EncodingKey::from_rsa_der(s.key().pkcs1_der()),
        )
        .unwrap();
        assert!(matches!(
            check(&text, Expected::default(), 5).verdict,
            Verdict::Malformed(_)
        ));
        let neither = jsonwebtoken::encode(
            &Header::new(Algorithm::RS256),
            &serde_json::json!({"application_id": APP}),
            &jsonwebtoken::EncodingKey::from_rsa_der(s.key().pkcs1_der()),
        )
        .unwrap();
        assert_eq!(
            check(&neither, Expected::default(), 5).verdict,
            Verdict::Malformed("the token has neither iat nor exp; Vonage refuses it".into())
        );
    }

    #[test]
    fn not_a_jwt_says_why() {
        let reason = |text: &str| match check(text, Expected::default(), 5).verdict {
            Verdict::Malformed(why) => why,
            other => panic!("{other:?}"),
        };
        assert!(reason("").contains("empty"));
        assert!(reason("a.b").contains("three base64url parts"));
        assert!(reason("junk").contains("three base64url parts"));
        assert!(reason("!!.e30.x").contains("header is not base64url"));
        assert!(reason("eyJhbGciOiJSUzI1NiJ9.bnVsbA.x").contains("claims are not a JSON object"));
    }

    #[test]
    fn without_a_key_times_are_still_judged() {
        let s = signer(KEY);
        let i = check(s.sign(&claims(0, 100)).expose(), Expected::default(), 10);
        assert!(matches!(i.signature, SignatureCheck::NotChecked(_)));
        assert_eq!(i.verdict, Verdict::Valid { expires_in: 90 });
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_text(text in ".*") {
            let key = signer(KEY).key().public_key();
            let _ = check(&text, Expected { key: Some(&key), application_id: Some(APP) }, 1_700_000_000);
        }

        #[test]
        fn never_panics_on_dotted_base64ish_text(a in "[A-Za-z0-9_-]{0,40}", b in "[A-Za-z0-9_-]{0,40}", c in "[A-Za-z0-9_-]{0,60}") {
            let _ = check(&format!("{a}.{b}.{c}"), Expected::default(), u64::MAX);
        }
    }
}
