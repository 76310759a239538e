//! jsonwebtoken's crypto provider for this program: its aws-lc backend, except that RS256
//! signing uses a key parsed once instead of once per token.
//!
//! Why: `jsonwebtoken::encode` asks the provider for a signer on every call, and the stock
//! aws-lc signer re-parses the private key's DER each time (~0.72 ms a token here, against
//! ~0.26 ms with a parsed key; SPEC §6 wants ≥ 90 % of `openssl speed rsa2048`). The
//! provider's factories are plain `fn`s, so they cannot capture a key; instead a `Signer`
//! registers its parsed key here, keyed by a SHA-256 of the DER, and the factory finds it.
//! The registry holds only `Weak` references: a key lives no longer than its `Signer`. A key
//! that was never registered is parsed per call, as stock jsonwebtoken does. Verification,
//! and every other algorithm, is the stock aws-lc provider.

use std::sync::{Arc, LazyLock, Mutex, Once, Weak};

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, aws_lc};
use jsonwebtoken::errors::Result as JwtResult;
use jsonwebtoken::{Algorithm, EncodingKey};

type Fingerprint = [u8; 32];

static REGISTRY: Mutex<Vec<(Fingerprint, Weak<RsaKeyPair>)>> = Mutex::new(Vec::new());

static PROVIDER: LazyLock<CryptoProvider> = LazyLock::new(|| CryptoProvider {
    signer_factory: signer_for,
    ..aws_lc::DEFAULT_PROVIDER.clone()
});

/// Makes this provider jsonwebtoken's default. Every JWT call in `auth` calls it first; if
/// something else won the race, tokens are still right, only slower.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = PROVIDER.install_default();
    });
}

/// A parsed RSA key that jsonwebtoken's RS256 signer will use while this handle lives.
pub struct Registered {
    _pair: Arc<RsaKeyPair>,
}

/// Registers `pair` (parsed from `pkcs1_der`) for RS256 signing with that key.
pub fn register(pkcs1_der: &[u8], pair: Arc<RsaKeyPair>) -> Registered {
    install();
    let mut registry = REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    registry.retain(|(_, weak)| weak.strong_count() > 0);
    registry.push((fingerprint(pkcs1_der), Arc::downgrade(&pair)));
    Registered { _pair: pair }
}

fn fingerprint(der: &[u8]) -> Fingerprint {
    let mut out = [0; 32];
    out.copy_from_slice(digest(&SHA256, der).as_ref());
    out
}

fn registered(der: &[u8]) -> Option<Arc<RsaKeyPair>> {
    let wanted = fingerprint(der);
    let registry = REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    registry
        .iter()
        .find(|(print, _)| *print == wanted)
        .and_then(|(_, weak)| weak.upgrade())
}

fn signer_for(algorithm: &Algorithm, key: &EncodingKey) -> JwtResult<Box<dyn JwtSigner>> {
    if *algorithm == Algorithm::RS256
        && let Some(pair) = registered(key.as_bytes())
    {
        return Ok(Box::new(ParsedRs256(pair)));
    }
    (aws_lc::DEFAULT_PROVIDER.signer_factory)(algorithm, key)
}

/// RS256 with an already parsed key.
struct ParsedRs256(Arc<RsaKeyPair>);

impl jsonwebtoken::signature::Signer<Vec<u8>> for ParsedRs256 {
    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, jsonwebtoken::signature::Error> {
        let mut signature = vec![0; self.0.public_modulus_len()];
        self.0
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(jsonwebtoken::signature::Error::from_source)?;
        Ok(signature)
    }
}

impl JwtSigner for ParsedRs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::RS256
    }
}
