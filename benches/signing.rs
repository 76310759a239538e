//! Signing speed (SPEC §6): a token through `jsonwebtoken` with a key parsed once (what bulk
//! minting and `token serve` do), against stock `jsonwebtoken::encode` (the key's DER parsed
//! on every call), a one-shot parse + sign (what one `token` run does), the shared verifier,
//! and the `rsa` crate's own signer and key generation (measured to explain why signing is
//! left to aws-lc).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::sha2::{Digest, Sha256};
use vonage_onboard::auth::acl::Preset;
use vonage_onboard::auth::jwt::{Signer, Subject};
use vonage_onboard::auth::keys::PrivateKey;
use vonage_onboard::auth::ttl::DEFAULT_USER;
use vonage_onboard::auth::verify::{Expected, check};
use vonage_onboard::ids::AppId;

const PEM: &str = include_str!("../tests/fixtures/test-key-pkcs8.pem");
/// A key no `Signer` registers, so jsonwebtoken takes its stock per-call path with it.
const UNREGISTERED_PEM: &str = include_str!("../tests/fixtures/other-key-pkcs8.pem");
const APP: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";

fn app_id() -> AppId {
    AppId::parse(APP).expect("fixed id parses")
}

fn subject() -> Subject {
    Subject::User {
        name: "alice".into(),
        acl: Preset::ClientSdk.acl(),
    }
}

fn signing(c: &mut Criterion) {
    let subject = subject();
    let signer = Signer::new(
        app_id(),
        PrivateKey::from_pem(PEM).expect("fixture key parses"),
    );
    c.bench_function("jsonwebtoken, key parsed once (Signer::mint)", |b| {
        b.iter(|| signer.mint(black_box(&subject), DEFAULT_USER, 1_700_000_000))
    });

    let claims = signer.mint(&subject, DEFAULT_USER, 1_700_000_000).claims;
    let unregistered = PrivateKey::from_pem(UNREGISTERED_PEM).expect("fixture key parses");
    let stock_key = EncodingKey::from_rsa_der(unregistered.pkcs1_der());
    let header = Header::new(Algorithm::RS256);
    c.bench_function("jsonwebtoken::encode, stock (DER parsed per call)", |b| {
        b.iter(|| jsonwebtoken::encode(&header, black_box(&claims), &stock_key))
    });

    c.bench_function("parse PEM + sign (one-shot token run)", |b| {
        b.iter(|| {
            let key = PrivateKey::from_pem(black_box(PEM)).expect("fixture key parses");
            Signer::new(app_id(), key).mint(&subject, DEFAULT_USER, 1_700_000_000)
        })
    });

    let token = signer.mint(&subject, DEFAULT_USER, 1_700_000_000).token;
    let public = signer.key().public_key();
    c.bench_function("shared verifier (decode + verify + rules)", |b| {
        b.iter(|| {
            let expected = Expected {
                key: Some(&public),
                application_id: Some(APP),
            };
            check(black_box(token.expose()), expected, 1_700_000_100)
        })
    });

    let rsa_key =
        rsa::PrivateKey::from_pkcs1_der(signer.key().pkcs1_der()).expect("fixture key parses");
    let digest = Sha256::digest(b"header.payload");
    c.bench_function(
        "rsa 0.10 PKCS#1 v1.5 sign (not used: see auth::keys)",
        |b| {
            b.iter(|| {
                rsa_key
                    .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), black_box(&digest))
                    .expect("signing works")
            })
        },
    );
}

fn generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("key generation");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("rsa 0.10 RSA-2048 (PrivateKey::generate)", |b| {
        b.iter(PrivateKey::generate)
    });
    group.finish();
}

criterion_group!(benches, signing, generation);
criterion_main!(benches);
