//! RSA keys: generate, read PEM (PKCS#1, PKCS#8, SPKI), write PEM, sign and verify RS256.
//!
//! Parsing happens once; a `PrivateKey` holds the parsed key so bulk signing does not pay
//! for DER decoding on every token (that cost is what made per-call `jsonwebtoken::encode`
//! miss the SPEC §6 signing bar).

use std::path::Path;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKey as LcPublicKey};
use aws_lc_rs::signature::{self, KeyPair as _, UnparsedPublicKey};
use secrecy::zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Why a PEM text is not a usable RSA key. The message says what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("is not a PEM key (expected a line like -----BEGIN PRIVATE KEY-----)")]
    NotPem,
    #[error("holds a {0}, not a private key")]
    WrongKind(String),
    #[error(
        "is encrypted with a passphrase; write an unencrypted copy first: openssl pkey -in KEY -out plain.pem"
    )]
    Encrypted,
    #[error("is not an RSA key ({0}); Vonage applications use RSA keys")]
    NotRsa(&'static str),
    #[error("is a damaged or truncated RSA key ({0})")]
    Damaged(String),
    #[error("could not generate an RSA key pair")]
    Generation,
}

/// An RSA private key, parsed once. Its `Debug` never shows key material.
pub struct PrivateKey {
    pair: KeyPair,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PrivateKey(RSA-{}, redacted)",
            self.pair.public_modulus_len() * 8
        )
    }
}

/// An RSA public key, kept as PKCS#1 `RSAPublicKey` DER (one canonical form for comparing).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pkcs1_der: Vec<u8>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({} bytes)", self.pkcs1_der.len())
    }
}

const RSA_ENCRYPTION_OID: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];
const EC_PUBLIC_KEY_OID: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const ED25519_OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];

impl PrivateKey {
    /// A fresh RSA-2048 key pair. CPU-heavy: call it off any UI thread.
    pub fn generate() -> Result<Self, KeyError> {
        KeyPair::generate(KeySize::Rsa2048)
            .map(|pair| PrivateKey { pair })
            .map_err(|_| KeyError::Generation)
    }

    /// Reads a PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM text.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let pem = parse_pem(text)?;
        let der = Zeroizing::new(pem.contents().to_vec());
        let pair = match pem.tag() {
            "PRIVATE KEY" => {
                refuse_non_rsa(&der)?;
                KeyPair::from_pkcs8(&der)
            }
            "RSA PRIVATE KEY" => {
                if pem
                    .headers()
                    .get("Proc-Type")
                    .is_some_and(|v| v.contains("ENCRYPTED"))
                {
                    return Err(KeyError::Encrypted);
                }
                KeyPair::from_der(&der)
            }
            "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
            "EC PRIVATE KEY" => return Err(KeyError::NotRsa("an EC key")),
            "OPENSSH PRIVATE KEY" => {
                return Err(KeyError::WrongKind(
                    "OpenSSH key; convert it with ssh-keygen -p -m PKCS8 -f KEY".into(),
                ));
            }
            other => return Err(KeyError::WrongKind(describe_label(other))),
        };
        pair.map(|pair| PrivateKey { pair })
            .map_err(|e| KeyError::Damaged(e.description_().to_owned()))
    }

    /// Reads a private key file; errors name the file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = read_key_file(path)?;
        PrivateKey::from_pem(&text).map_err(|e| Error::file(path, e.to_string()))
    }

    /// The key as PKCS#8 PEM, the form we store.
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        let der = self
            .pair
            .as_der()
            .expect("a parsed RSA key always encodes as PKCS#8");
        Zeroizing::new(pem::encode(&pem::Pem::new(
            "PRIVATE KEY",
            der.as_ref().to_vec(),
        )))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            pkcs1_der: self.pair.public_key().as_ref().to_vec(),
        }
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`: the JWT `RS256` signature.
    pub fn sign_rs256(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                message,
                &mut signature,
            )
            .expect("signing with a validated RSA key into a modulus-sized buffer cannot fail");
        signature
    }
}

impl PublicKey {
    /// Reads an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM text.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let pem = parse_pem(text)?;
        match pem.tag() {
            "PUBLIC KEY" => refuse_non_rsa(pem.contents())?,
            "RSA PUBLIC KEY" => {}
            other => return Err(KeyError::WrongKind(describe_label(other))),
        }
        LcPublicKey::from_der(pem.contents())
            .map(|key| PublicKey {
                pkcs1_der: key.as_ref().to_vec(),
            })
            .map_err(|e| KeyError::Damaged(e.description_().to_owned()))
    }

    /// SPKI PEM (`BEGIN PUBLIC KEY`), the form the Application API takes and returns.
    pub fn to_spki_pem(&self) -> String {
        let key = LcPublicKey::from_der(&self.pkcs1_der).expect("stored DER was validated");
        let spki = key
            .as_der()
            .expect("a valid RSA public key encodes as SPKI");
        pem::encode(&pem::Pem::new("PUBLIC KEY", spki.as_ref().to_vec()))
    }

    /// Whether `signature` is a valid RS256 signature of `message` by this key.
    pub fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.pkcs1_der)
            .verify(message, signature)
            .is_ok()
    }
}

/// Reads a key file, refusing more than a key could be (a key is a few KiB).
fn read_key_file(path: &Path) -> Result<Zeroizing<String>> {
    const MAX_KEY_FILE: usize = 64 * 1024;
    // Capped while reading: a device or a pipe reports size 0 and never ends.
    let bytes =
        crate::bounded::read_file(path, MAX_KEY_FILE).map_err(|e| e.for_file(path, "a PEM key"))?;
    String::from_utf8(bytes.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| Error::file(path, KeyError::NotPem.to_string()))
}

fn parse_pem(text: &str) -> Result<pem::Pem, KeyError> {
    if !text.contains("-----BEGIN ") {
        return Err(KeyError::NotPem);
    }
    pem::parse(text.trim()).map_err(|e| KeyError::Damaged(e.to_string()))
}

fn refuse_non_rsa(der: &[u8]) -> Result<(), KeyError> {
    let has = |oid: &[u8]| der.windows(oid.len()).take(64).any(|w| w == oid);
    if has(RSA_ENCRYPTION_OID) {
        Ok(())
    } else if has(EC_PUBLIC_KEY_OID) {
        Err(KeyError::NotRsa("an EC key"))
    } else if has(ED25519_OID) {
        Err(KeyError::NotRsa("an Ed25519 key"))
    } else {
        Err(KeyError::NotRsa("an unknown key type"))
    }
}

fn describe_label(label: &str) -> String {
    match label {
        "CERTIFICATE" => "certificate".into(),
        "PUBLIC KEY" | "RSA PUBLIC KEY" => "public key".into(),
        "PRIVATE KEY" | "RSA PRIVATE KEY" => "private key".into(),
        other => format!("PEM block labelled {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PKCS8: &str = include_str!("../../tests/fixtures/test-key-pkcs8.pem");
    const PKCS1: &str = include_str!("../../tests/fixtures/test-key-pkcs1.pem");
    const PUBLIC: &str = include_str!("../../tests/fixtures/test-key-public.pem");
    const OTHER_PUBLIC: &str = include_str!("../../tests/fixtures/other-key-public.pem");

    #[test]
    fn pkcs1_and_pkcs8_encodings_are_the_same_key() {
        let a = PrivateKey::from_pem(PKCS8).unwrap();
        let b = PrivateKey::from_pem(PKCS1).unwrap();
        let public = PublicKey::from_pem(PUBLIC).unwrap();
        assert_eq!(a.public_key(), public);
        assert_eq!(b.public_key(), public);
        assert_ne!(PublicKey::from_pem(OTHER_PUBLIC).unwrap(), public);
    }

    #[test]
    fn signatures_verify_with_the_matching_key_only() {
        let key = PrivateKey::from_pem(PKCS1).unwrap();
        let sig = key.sign_rs256(b"header.claims");
        assert_eq!(sig.len(), 256);
        assert!(key.public_key().verify_rs256(b"header.claims", &sig));
        assert!(!key.public_key().verify_rs256(b"header.claimz", &sig));
        assert!(
            !PublicKey::from_pem(OTHER_PUBLIC)
                .unwrap()
                .verify_rs256(b"header.claims", &sig)
        );
    }

    #[test]
    fn pem_round_trips() {
        let key = PrivateKey::from_pem(PKCS1).unwrap();
        let again = PrivateKey::from_pem(&key.to_pkcs8_pem()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let spki = key.public_key().to_spki_pem();
        assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(PublicKey::from_pem(&spki).unwrap(), key.public_key());
    }

    #[test]
    fn bad_pem_is_named_not_panicked() {
        let cases = [
            ("garbage", KeyError::NotPem),
            (
                include_str!("../../tests/fixtures/ec-key.pem"),
                KeyError::NotRsa("an EC key"),
            ),
            (
                include_str!("../../tests/fixtures/encrypted-key.pem"),
                KeyError::Encrypted,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(PrivateKey::from_pem(text).unwrap_err(), expected);
        }
        let truncated = include_str!("../../tests/fixtures/truncated-key.pem");
        assert!(matches!(
            PrivateKey::from_pem(truncated).unwrap_err(),
            KeyError::Damaged(_)
        ));
        assert!(matches!(
            PrivateKey::from_pem(PUBLIC).unwrap_err(),
            KeyError::WrongKind(_)
        ));
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = PrivateKey::from_pem(PKCS8).unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, "PrivateKey(RSA-2048, redacted)");
    }
}
