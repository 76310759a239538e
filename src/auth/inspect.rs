//! `token inspect`: decode any text as a JWT, check its signature and times, and classify it.

use serde_json::Value;

use super::jwt::{Decoded, decode};
use super::keys::PublicKey;
use super::ttl::{MAX_SECONDS, NO_EXP_LIFETIME, format_duration};

/// What a token is, from the point of view of Vonage at time `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid { expires_in: u64 },
    Expired { since: u64, reason: &'static str },
    NotYetValid { starts_in: u64 },
    BadSignature(String),
    Malformed(String),
}

/// Whether the signature was checked, and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    Verified,
    Invalid(String),
    NotChecked(String),
}

/// Everything `token inspect` reports.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub header: Option<Value>,
    pub claims: Option<Value>,
    pub signature: SignatureCheck,
    pub verdict: Verdict,
}

impl Verdict {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Verdict::Valid { expires_in } => format!("valid for {}", format_duration(*expires_in)),
            Verdict::Expired { since, reason } => {
                format!("EXPIRED {} ago ({reason})", format_duration(*since))
            }
            Verdict::NotYetValid { starts_in } => {
                format!("not yet valid: starts in {}", format_duration(*starts_in))
            }
            Verdict::BadSignature(why) => format!("bad signature: {why}"),
            Verdict::Malformed(why) => format!("malformed: {why}"),
        }
    }

    /// A stable word for machine output.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Valid { .. } => "valid",
            Verdict::Expired { .. } => "expired",
            Verdict::NotYetValid { .. } => "not_yet_valid",
            Verdict::BadSignature(_) => "bad_signature",
            Verdict::Malformed(_) => "malformed",
        }
    }
}

/// Inspects `text` at Unix time `now`, verifying with `key` when one is known.
pub fn inspect(text: &str, key: Option<&PublicKey>, now: u64) -> Inspection {
    let decoded = match decode(text) {
        Ok(d) => d,
        Err(why) => {
            return Inspection {
                header: None,
                claims: None,
                signature: SignatureCheck::NotChecked("not a JWT".into()),
                verdict: Verdict::Malformed(why),
            };
        }
    };
    let signature = check_signature(&decoded, key);
    let verdict = match (&signature, times(&decoded.claims)) {
        (SignatureCheck::Invalid(why), _) => Verdict::BadSignature(why.clone()),
        (_, Err(why)) => Verdict::Malformed(why),
        (_, Ok(times)) => times.verdict(now),
    };
    Inspection {
        header: Some(decoded.header),
        claims: Some(decoded.claims),
        signature,
        verdict,
    }
}

fn check_signature(decoded: &Decoded, key: Option<&PublicKey>) -> SignatureCheck {
    let alg = decoded.header.get("alg").and_then(Value::as_str);
    if alg != Some("RS256") {
        return SignatureCheck::Invalid(format!(
            "alg is {}, Vonage accepts only RS256",
            alg.map_or_else(|| "missing".to_owned(), |a| format!("{a:?}"))
        ));
    }
    let Some(key) = key else {
        return SignatureCheck::NotChecked(
            "no application key known: set VONAGE_PRIVATE_KEY_PATH or make an application current"
                .into(),
        );
    };
    if key.verify_rs256(decoded.signing_input.as_bytes(), &decoded.signature) {
        SignatureCheck::Verified
    } else {
        SignatureCheck::Invalid("it was not signed by this application's key".into())
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
    Ok(Times {
        iat: int("iat")?.ok_or("claim \"iat\" is missing; Vonage refuses such tokens")?,
        exp: int("exp")?,
        nbf: int("nbf")?,
    })
}

impl Times {
    fn verdict(&self, now: u64) -> Verdict {
        let (end, reason) = match self.exp {
            Some(exp) if exp <= self.iat.saturating_add(MAX_SECONDS) => (exp, "exp has passed"),
            Some(_) => (
                self.iat.saturating_add(MAX_SECONDS),
                "Vonage ignores a token 24 h after iat, whatever exp says",
            ),
            None => (
                self.iat.saturating_add(NO_EXP_LIFETIME),
                "no exp: Vonage allows 15 min",
            ),
        };
        if let Some(nbf) = self.nbf.filter(|nbf| *nbf > now) {
            Verdict::NotYetValid {
                starts_in: nbf - now,
            }
        } else if now >= end {
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
    use crate::auth::jwt::{Claims, Signer};
    use crate::auth::keys::PrivateKey;
    use crate::store::paths::AppId;

    fn signer(pem: &str) -> Signer {
        Signer::new(
            AppId::parse("aaaaaaaa-bbbb-cccc-dddd-0123456789ab").unwrap(),
            PrivateKey::from_pem(pem).unwrap(),
        )
    }

    fn claims(iat: u64, exp: u64) -> Claims {
        Claims {
            application_id: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab".into(),
            iat,
            jti: "j".into(),
            exp,
            nbf: None,
            sub: Some("alice".into()),
            acl: None,
        }
    }

    const KEY: &str = include_str!("../../tests/fixtures/test-key-pkcs8.pem");
    const OTHER: &str = include_str!("../../tests/fixtures/other-key-pkcs8.pem");

    #[test]
    fn classifies_valid_expired_and_not_yet_valid() {
        let s = signer(KEY);
        let key = s.key().public_key();
        let token = s.sign(&claims(1000, 1000 + 3600));
        let at = |now| inspect(token.expose(), Some(&key), now).verdict;
        assert_eq!(at(1000), Verdict::Valid { expires_in: 3600 });
        assert!(matches!(at(4600), Verdict::Expired { since: 0, .. }));
        assert!(matches!(at(4700), Verdict::Expired { since: 100, .. }));

        let mut c = claims(1000, 2000);
        c.nbf = Some(1500);
        let early = s.sign(&c);
        assert_eq!(
            inspect(early.expose(), Some(&key), 1200).verdict,
            Verdict::NotYetValid { starts_in: 300 }
        );
    }

    #[test]
    fn lifetime_past_24h_ends_at_iat_plus_24h() {
        let s = signer(KEY);
        let token = s.sign(&claims(0, 10 * 86_400));
        let v = inspect(token.expose(), Some(&s.key().public_key()), 86_400 + 5).verdict;
        assert!(matches!(v, Verdict::Expired { since: 5, .. }), "{v:?}");
    }

    #[test]
    fn another_key_is_a_bad_signature() {
        let token = signer(OTHER).sign(&claims(0, 100));
        let key = signer(KEY).key().public_key();
        let i = inspect(token.expose(), Some(&key), 10);
        assert!(matches!(i.verdict, Verdict::BadSignature(_)));
        assert!(matches!(i.signature, SignatureCheck::Invalid(_)));
    }

    #[test]
    fn unsigned_and_hs256_tokens_are_refused() {
        // {"alg":"none"} . {"iat":1} . (empty)
        let none = "eyJhbGciOiJub25lIn0.eyJpYXQiOjF9.";
        assert!(matches!(
            inspect(none, None, 5).verdict,
            Verdict::BadSignature(_)
        ));
        // {"alg":"HS256","typ":"JWT"} . {"iat":1}
        let hs = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjF9.c2ln";
        assert!(matches!(
            inspect(hs, None, 5).verdict,
            Verdict::BadSignature(_)
        ));
    }

    #[test]
    fn an_unsigned_token_without_times_is_a_bad_signature_first() {
        // {} . {} . (empty): alg missing, iat missing; the algorithm is the first problem.
        assert!(matches!(
            inspect("e30.e30.", None, 5).verdict,
            Verdict::BadSignature(_)
        ));
    }

    #[test]
    fn string_times_are_malformed() {
        // {"alg":"RS256"} . {"iat":"1"}
        let t = "eyJhbGciOiJSUzI1NiJ9.eyJpYXQiOiIxIn0.c2ln";
        assert!(matches!(inspect(t, None, 5).verdict, Verdict::Malformed(_)));
    }

    #[test]
    fn without_a_key_times_are_still_judged() {
        let s = signer(KEY);
        let i = inspect(s.sign(&claims(0, 100)).expose(), None, 10);
        assert!(matches!(i.signature, SignatureCheck::NotChecked(_)));
        assert_eq!(i.verdict, Verdict::Valid { expires_in: 90 });
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_text(text in ".*") {
            let key = signer(KEY).key().public_key();
            let _ = inspect(&text, Some(&key), 1_700_000_000);
        }

        #[test]
        fn never_panics_on_dotted_base64ish_text(a in "[A-Za-z0-9_-]{0,40}", b in "[A-Za-z0-9_-]{0,40}", c in "[A-Za-z0-9_-]{0,60}") {
            let _ = inspect(&format!("{a}.{b}.{c}"), None, u64::MAX);
        }
    }
}
