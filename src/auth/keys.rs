//! RSA keys on the `rsa` crate: generate, read PEM (PKCS#1, PKCS#8, SPKI) with its ASN.1
//! decoders, write PKCS#8 and SPKI, and tell whether two keys are one pair.
//!
//! Signing is not done here: `rsa` 0.10 signs a 2048-bit RS256 token in ~2 ms against
//! ~0.25 ms for aws-lc, so tokens are signed by jsonwebtoken's aws-lc backend. A private key
//! is therefore parsed once by aws-lc too (its `RSA_check_key` also checks that the numbers
//! agree) and that parse is what signs (`auth::provider`). A full `rsa::PrivateKey` (bigints
//! and CRT precomputation, ~0.35 ms) is built only where one is needed: generating a key.

use std::path::Path;
use std::sync::Arc;

use aws_lc_rs::signature::RsaKeyPair;

use rsa::pkcs1::der::Encode;
use rsa::pkcs1::der::asn1::OctetStringRef;
use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPrivateKey, EncodeRsaPublicKey, RsaPrivateKeyRef};
use rsa::pkcs8::{
    DecodePublicKey, EncodePublicKey, LineEnding, ObjectIdentifier, PrivateKeyInfoRef,
    SecretDocument, SubjectPublicKeyInfoRef,
};
use secrecy::zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The size of every key we generate; the size Vonage's own tools use.
pub const GENERATED_BITS: usize = 2048;

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
    /// PKCS#1 `RSAPrivateKey` DER, kept from parsing (for PKCS#8 it is the inner
    /// `privateKey` octets) so a one-shot `token` run does not encode it again.
    pkcs1_der: Zeroizing<Vec<u8>>,
    /// The key as aws-lc parsed and checked it: what signs.
    parsed: Arc<RsaKeyPair>,
    public: PublicKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey(RSA-{}, redacted)", self.bits())
    }
}

/// An RSA public key (modulus and exponent); two are equal when they are the same key.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: rsa::PublicKey,
    /// PKCS#1 `RSAPublicKey` DER, the form jsonwebtoken's aws-lc verifier takes.
    pkcs1_der: Vec<u8>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use rsa::traits::PublicKeyParts;
        write!(f, "PublicKey(RSA-{})", self.key.size() * 8)
    }
}

/// rsaEncryption (PKCS#1), the algorithm of every key Vonage accepts.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

impl PrivateKey {
    /// A fresh RSA-2048 key pair from the OS random source. CPU-heavy (tens to hundreds of
    /// milliseconds): call it off any UI thread.
    pub fn generate() -> Result<Self, KeyError> {
        let key = rsa::PrivateKey::new(&mut getrandom::SysRng, GENERATED_BITS)
            .map_err(|_| KeyError::Generation)?;
        let pkcs1_der = key.to_pkcs1_der().map_err(|_| KeyError::Generation)?;
        PrivateKey::from_pkcs1_der(Zeroizing::new(pkcs1_der.as_bytes().to_vec()))
            .map_err(|_| KeyError::Generation)
    }

    /// Reads a PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM text.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let pem = parse_pem(text)?;
        let der = Zeroizing::new(pem.contents().to_vec());
        let pkcs1_der = match pem.tag() {
            "PRIVATE KEY" => {
                let info = PrivateKeyInfoRef::try_from(der.as_slice()).map_err(damaged)?;
                refuse_non_rsa(info.algorithm.oid)?;
                Zeroizing::new(info.private_key.as_bytes().to_vec())
            }
            "RSA PRIVATE KEY" => {
                if pem
                    .headers()
                    .get("Proc-Type")
                    .is_some_and(|v| v.contains("ENCRYPTED"))
                {
                    return Err(KeyError::Encrypted);
                }
                der
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
        PrivateKey::from_pkcs1_der(pkcs1_der)
    }

    /// From PKCS#1 `RSAPrivateKey` DER: rsa's ASN.1 decoder reads the structure (and the
    /// public half from it), aws-lc parses it for signing and checks the numbers agree.
    fn from_pkcs1_der(pkcs1_der: Zeroizing<Vec<u8>>) -> Result<Self, KeyError> {
        let structure = RsaPrivateKeyRef::try_from(pkcs1_der.as_slice()).map_err(damaged)?;
        let public_der = rsa::pkcs1::RsaPublicKeyRef {
            modulus: structure.modulus,
            public_exponent: structure.public_exponent,
        }
        .to_der()
        .map_err(damaged)?;
        let public = rsa::PublicKey::from_pkcs1_der(&public_der).map_err(damaged)?;
        let parsed = RsaKeyPair::from_der(&pkcs1_der).map_err(damaged)?;
        Ok(PrivateKey {
            pkcs1_der,
            parsed: Arc::new(parsed),
            public: PublicKey::from_rsa(public),
        })
    }

    /// Reads a private key file; errors name the file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = read_key_file(path)?;
        PrivateKey::from_pem(&text).map_err(|e| Error::file(path, e.to_string()))
    }

    /// The key as PKCS#8 PEM, the form we store: the PKCS#1 DER in a `PrivateKeyInfo`.
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        let octets = OctetStringRef::new(&self.pkcs1_der).expect("a key is far below 4 GiB");
        let document =
            SecretDocument::try_from(PrivateKeyInfoRef::new(rsa::pkcs1::ALGORITHM_ID, octets))
                .expect("a parsed key always encodes as PKCS#8");
        document
            .to_pem("PRIVATE KEY", LineEnding::LF)
            .expect("PEM of a DER document cannot fail")
    }

    /// The key as PKCS#1 `RSAPrivateKey` DER: what jsonwebtoken's aws-lc signer reads.
    pub fn pkcs1_der(&self) -> &[u8] {
        &self.pkcs1_der
    }

    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// The aws-lc parse that signs (shared with `auth::provider`, never re-parsed).
    pub(crate) fn parsed(&self) -> Arc<RsaKeyPair> {
        Arc::clone(&self.parsed)
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.parsed.public_modulus_len() * 8
    }
}

impl PublicKey {
    fn from_rsa(key: rsa::PublicKey) -> Self {
        let pkcs1_der = key
            .to_pkcs1_der()
            .expect("a parsed RSA public key always encodes as PKCS#1")
            .into_vec();
        PublicKey { key, pkcs1_der }
    }

    /// Reads an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM text.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let pem = parse_pem(text)?;
        let key = match pem.tag() {
            "PUBLIC KEY" => {
                let info = SubjectPublicKeyInfoRef::try_from(pem.contents()).map_err(damaged)?;
                refuse_non_rsa(info.algorithm.oid)?;
                rsa::PublicKey::from_public_key_der(pem.contents()).map_err(damaged)
            }
            "RSA PUBLIC KEY" => rsa::PublicKey::from_pkcs1_der(pem.contents()).map_err(damaged),
            other => return Err(KeyError::WrongKind(describe_label(other))),
        }?;
        Ok(PublicKey::from_rsa(key))
    }

    /// SPKI PEM (`BEGIN PUBLIC KEY`), the form the Application API takes and returns.
    pub fn to_spki_pem(&self) -> String {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .expect("a parsed RSA public key always encodes as SPKI")
    }

    /// PKCS#1 `RSAPublicKey` DER: what jsonwebtoken's aws-lc verifier reads.
    pub fn pkcs1_der(&self) -> &[u8] {
        &self.pkcs1_der
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

/// The PEM envelope (label, headers, base64 body); the ASN.1 inside is left to `rsa`.
fn parse_pem(text: &str) -> Result<pem::Pem, KeyError> {
    if !text.contains("-----BEGIN ") {
        return Err(KeyError::NotPem);
    }
    pem::parse(text.trim()).map_err(|e| KeyError::Damaged(e.to_string()))
}

/// ASN.1 errors name the structure that broke, never key material.
fn damaged(e: impl std::fmt::Display) -> KeyError {
    KeyError::Damaged(e.to_string())
}

fn refuse_non_rsa(algorithm: ObjectIdentifier) -> Result<(), KeyError> {
    match algorithm {
        RSA_ENCRYPTION => Ok(()),
        EC_PUBLIC_KEY => Err(KeyError::NotRsa("an EC key")),
        ED25519 => Err(KeyError::NotRsa("an Ed25519 key")),
        RSA_PSS => Err(KeyError::NotRsa("an RSA-PSS-only key")),
        _ => Err(KeyError::NotRsa("an unknown key type")),
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

    use crate::auth::fixtures::KEY as PKCS8;
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
    fn pem_round_trips() {
        let key = PrivateKey::from_pem(PKCS1).unwrap();
        let again = PrivateKey::from_pem(&key.to_pkcs8_pem()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let spki = key.public_key().to_spki_pem();
        assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(PublicKey::from_pem(&spki).unwrap(), key.public_key());
    }

    #[test]
    fn the_pkcs1_public_form_reads_too() {
        let key = PrivateKey::from_pem(PKCS8).unwrap().public_key();
        let pkcs1 = pem::encode(&pem::Pem::new("RSA PUBLIC KEY", key.pkcs1_der().to_vec()));
        assert_eq!(PublicKey::from_pem(&pkcs1).unwrap(), key);
    }

    // The one test that generates a key (DESIGN: use the fixture key elsewhere).
    #[test]
    fn a_generated_key_round_trips_through_pkcs8() {
        let key = PrivateKey::generate().unwrap();
        assert_eq!(key.bits(), 2048);
        let pem = key.to_pkcs8_pem();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let again = PrivateKey::from_pem(&pem).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let spki = PublicKey::from_pem(&key.public_key().to_spki_pem()).unwrap();
        assert_eq!(spki, key.public_key());
        assert_ne!(key.public_key(), PublicKey::from_pem(PUBLIC).unwrap());
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
    fn non_rsa_pkcs8_keys_are_named_by_their_algorithm_oid() {
        // Both are labelled "PRIVATE KEY"; only the AlgorithmIdentifier inside tells.
        assert_eq!(
            PrivateKey::from_pem(include_str!("../../tests/fixtures/ed25519-key.pem")).unwrap_err(),
            KeyError::NotRsa("an Ed25519 key")
        );
        assert_eq!(
            PrivateKey::from_pem(include_str!("../../tests/fixtures/ec-key.pem")).unwrap_err(),
            KeyError::NotRsa("an EC key")
        );
    }

    #[test]
    fn a_certificate_is_refused_by_name() {
        let cert = "-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----\n";
        assert_eq!(
            PrivateKey::from_pem(cert).unwrap_err(),
            KeyError::WrongKind("certificate".into())
        );
        assert_eq!(
            PublicKey::from_pem(cert).unwrap_err(),
            KeyError::WrongKind("certificate".into())
        );
    }

    #[test]
    fn a_key_whose_numbers_disagree_is_damaged_though_its_asn1_reads() {
        // One byte of the CRT coefficient (the last INTEGER) changed: the structure still
        // decodes, but p, q and the coefficient no longer agree.
        let mut der = PrivateKey::from_pem(PKCS1).unwrap().pkcs1_der().to_vec();
        let at = der.len() - 10;
        der[at] ^= 0x5a;
        assert!(RsaPrivateKeyRef::try_from(der.as_slice()).is_ok());
        let tampered = pem::encode(&pem::Pem::new("RSA PRIVATE KEY", der));
        assert!(matches!(
            PrivateKey::from_pem(&tampered).unwrap_err(),
            KeyError::Damaged(_)
        ));
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = PrivateKey::from_pem(PKCS8).unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, "PrivateKey(RSA-2048, redacted)");
    }
}
