//! Signing speed (SPEC §6): a token from a PEM text (parse + sign, what a one-shot `token`
//! does) against a token from an already-parsed key (what bulk minting does).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vonage_onboard::auth::acl::Preset;
use vonage_onboard::auth::jwt::{Signer, Subject};
use vonage_onboard::auth::keys::PrivateKey;
use vonage_onboard::auth::ttl::DEFAULT_USER;
use vonage_onboard::store::paths::AppId;

const PEM: &str = include_str!("../tests/fixtures/test-key-pkcs8.pem");

fn app_id() -> AppId {
    AppId::parse("aaaaaaaa-bbbb-cccc-dddd-0123456789ab").expect("fixed id parses")
}

fn subject() -> Subject {
    Subject::User {
        name: "alice".into(),
        acl: Preset::ClientSdk.acl(),
    }
}

fn signing(c: &mut Criterion) {
    let subject = subject();
    c.bench_function("parse key + sign user token", |b| {
        b.iter(|| {
            let key = PrivateKey::from_pem(black_box(PEM)).expect("fixture key parses");
            Signer::new(app_id(), key).mint(&subject, DEFAULT_USER, 1_700_000_000)
        })
    });
    let signer = Signer::new(
        app_id(),
        PrivateKey::from_pem(PEM).expect("fixture key parses"),
    );
    c.bench_function("sign user token with parsed key", |b| {
        b.iter(|| signer.mint(black_box(&subject), DEFAULT_USER, 1_700_000_000))
    });
    c.bench_function("raw RS256 signature with parsed key", |b| {
        b.iter(|| signer.key().sign_rs256(black_box(b"header.payload")))
    });
}

criterion_group!(benches, signing);
criterion_main!(benches);
